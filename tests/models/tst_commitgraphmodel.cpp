#include "models/CommitGraphModel.h"
#include "tests/support/DagFixture.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <random>

using namespace bw;
using bw::test::DagFixture;
using Id = CommitDag::Id;
using Role = CommitGraphModel::Role;
using Column = CommitGraphModel::Column;

namespace {

constexpr int role(Role r) {
    return static_cast<int>(r);
}

struct Graph {
    std::shared_ptr<const CommitDag> dag;
    std::shared_ptr<const LaneLayout> lanes;
};

Graph randomGraph(int commits, unsigned seed) {
    std::mt19937 rng(seed);
    DagFixture f;
    f.random(commits, rng);
    auto dag = std::make_shared<const CommitDag>(f.build());
    auto lanes = std::make_shared<const LaneLayout>(LaneLayout::compute(*dag));
    return {dag, lanes};
}

// A whole bisect against a hidden first bad commit (the candidate at `pick` of the
// initial range): the annotations after each verdict.
std::vector<BisectAnnotations> bisectSteps(const CommitDag &dag, double pick, Id *firstBadOut) {
    std::vector<BisectAnnotations> steps;
    // Random DAGs have several tips and roots: start from the tip with the longest
    // history, the good being its oldest ancestor.
    BisectQuery q;
    std::size_t most = 0;
    for (Id c = 0; c < static_cast<Id>(std::min(dag.size(), 50)); ++c) {
        const auto reach = BisectEngine::ancestors(dag, {c});
        const auto count = static_cast<std::size_t>(std::count(reach.begin(), reach.end(), 1));
        if (count > most) {
            most = count;
            q.bad = c;
            q.goods = {
                static_cast<Id>(std::find(reach.rbegin(), reach.rend(), 1) - reach.rbegin())};
            q.goods[0] = static_cast<Id>(dag.size() - 1) - q.goods[0];
        }
    }
    const std::vector<Id> initial = BisectEngine::candidates(dag, q);
    const Id firstBad = initial[static_cast<std::size_t>(pick * double(initial.size() - 1))];
    *firstBadOut = firstBad;
    for (int guard = 0; guard < 64; ++guard) {
        const BisectOutcome outcome = BisectEngine::select(dag, q);
        steps.push_back(BisectAnnotations::compute(dag, q, outcome));
        if (outcome.kind != BisectOutcome::Kind::Next)
            break;
        const bool bad = BisectEngine::ancestors(dag, {outcome.commit})[firstBad];
        if (bad)
            q.bad = outcome.commit;
        else
            q.goods.push_back(outcome.commit);
    }
    return steps;
}

// A linear history c0 (oldest) .. c9 (newest, id 0): id = 9 - i.
DagFixture linearFixture() {
    DagFixture f;
    f.add("c0", 1000);
    for (int i = 1; i < 10; ++i)
        f.add(QStringLiteral("c%1").arg(i), 1000 + i * 60, {QStringLiteral("c%1").arg(i - 1)});
    return f;
}

std::vector<LaneRow> allLanes(const QAbstractItemModel &model) {
    std::vector<LaneRow> rows;
    for (int r = 0; r < model.rowCount(); ++r)
        rows.push_back(model.index(r, 0).data(role(Role::LanesRole)).value<LaneRow>());
    return rows;
}

} // namespace

class TestCommitGraphModel : public QObject {
    Q_OBJECT
private slots:
    void passesModelTesterThroughABisect() {
        const Graph g = randomGraph(400, 11);
        CommitGraphModel model(g.dag, g.lanes);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 400);
        QCOMPARE(model.columnCount(), CommitGraphModel::ColumnCount);

        std::vector<CommitText> texts(400);
        for (int i = 0; i < 400; ++i)
            texts[i] = {QStringLiteral("subject %1").arg(i), QStringLiteral("author"), {}, {}};
        model.setCommitTexts(texts);
        QCOMPARE(model.index(7, int(Column::Subject)).data().toString(), QString("subject 7"));

        Id firstBad = 0;
        const auto steps = bisectSteps(*g.dag, 0.4, &firstBad);
        QVERIFY(steps.size() > 3);
        for (const BisectAnnotations &a : steps)
            model.setAnnotations(a);
        QVERIFY(model.states(firstBad) & CommitState::FirstBad);
        model.setAnnotations({});
        QCOMPARE(model.states(firstBad), CommitStates());

        model.setLanes(nullptr);
        QVERIFY(!model.index(0, 0).data(role(Role::LanesRole)).isValid());
        model.setLanes(g.lanes);
        const Graph other = randomGraph(50, 12);
        model.setGraph(other.dag, other.lanes);
        QCOMPARE(model.rowCount(), 50);
        QCOMPARE(model.index(0, int(Column::Subject)).data().toString(), QString()); // dropped
        model.setGraph(nullptr, nullptr);
        QCOMPARE(model.rowCount(), 0);
    }

    void remainingOnlyFilterThroughABisect() {
        const Graph g = randomGraph(400, 21);
        CommitGraphModel model(g.dag, g.lanes);
        RemainingOnlyFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&filter,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        filter.setRemainingOnly(true);
        QCOMPARE(filter.rowCount(), 400); // no range yet: nothing to hide

        Id firstBad = 0;
        const auto steps = bisectSteps(*g.dag, 0.7, &firstBad);
        QVERIFY(steps.size() > 3);
        int previousCandidates = INT_MAX;
        for (const BisectAnnotations &a : steps) {
            model.setAnnotations(a);
            std::vector<int> expected;
            for (int r = 0; r < model.rowCount(); ++r)
                if (RemainingOnlyFilterModel::isRemaining(a.states(static_cast<Id>(r))))
                    expected.push_back(r);
            QCOMPARE(filter.rowCount(), static_cast<int>(expected.size()));
            for (int p = 0; p < filter.rowCount(); ++p)
                QCOMPARE(filter.mapToSource(filter.index(p, 0)).row(), expected[p]);
            QVERIFY(a.candidateCount() <= previousCandidates); // the graph shrinks
            previousCandidates = a.candidateCount();
        }
        QVERIFY(model.states(firstBad) & CommitState::FirstBad);
        QVERIFY(filter.rowCount() < 50);
        filter.setRemainingOnly(false);
        QCOMPARE(filter.rowCount(), 400);
        filter.setRemainingOnly(true);
        QVERIFY(filter.rowCount() < 400);
        model.setAnnotations(steps.front());
        QCOMPARE(filter.rowCount(),
                 steps.front().candidateCount() + 1); // + the good mark outside the range
    }

    void annotationsRepaintWithoutRelayout() {
        const Graph g = randomGraph(300, 31);
        CommitGraphModel model(g.dag, g.lanes);
        Id firstBad = 0;
        const auto steps = bisectSteps(*g.dag, 0.5, &firstBad);
        QVERIFY(steps.size() > 2);
        model.setAnnotations(steps[0]);
        const std::vector<LaneRow> before = allLanes(model);
        const LaneLayout *layout = model.lanes().get();

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy layoutChanged(&model, &QAbstractItemModel::layoutChanged);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.setAnnotations(steps[1]);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(layoutChanged.count(), 0);
        QCOMPARE(removed.count(), 0);

        // The signal covers every row whose state changed, and only names StateRole.
        const auto topLeft = changed[0][0].value<QModelIndex>();
        const auto bottomRight = changed[0][1].value<QModelIndex>();
        const auto roles = changed[0][2].value<QList<int>>();
        QCOMPARE(roles, QList<int>{role(Role::StateRole)});
        QCOMPARE(topLeft.column(), 0);
        QCOMPARE(bottomRight.column(), CommitGraphModel::ColumnCount - 1);
        int changedRows = 0;
        for (int r = 0; r < model.rowCount(); ++r) {
            const auto id = static_cast<Id>(r);
            if (steps[0].states(id) != steps[1].states(id)) {
                ++changedRows;
                QVERIFY(r >= topLeft.row() && r <= bottomRight.row());
            }
        }
        QVERIFY(changedRows > 0);

        QCOMPARE(model.lanes().get(), layout);
        const std::vector<LaneRow> after = allLanes(model);
        QCOMPARE(after.size(), before.size());
        for (std::size_t r = 0; r < before.size(); ++r)
            QVERIFY(after[r] == before[r]);

        // The same annotations again: nothing to repaint.
        model.setAnnotations(steps[1]);
        QCOMPARE(changed.count(), 1);
    }

    void displayAndRoles() {
        const DagFixture f = linearFixture();
        auto dag = std::make_shared<const CommitDag>(f.build());
        CommitGraphModel model(dag, std::make_shared<const LaneLayout>(LaneLayout::compute(*dag)));
        const Id tip = f.id(*dag, "c9");
        QCOMPARE(tip, Id(0));
        const QString hex = f.oid("c9").toString();

        QCOMPARE(model.headerData(int(Column::Graph), Qt::Horizontal, Qt::DisplayRole).toString(),
                 QString("Graph"));
        QCOMPARE(model.headerData(int(Column::Sha), Qt::Horizontal, Qt::DisplayRole).toString(),
                 QString("SHA"));
        QCOMPARE(model.index(0, int(Column::Sha)).data().toString(), hex.left(12));
        QCOMPARE(model.index(0, int(Column::Sha)).data(Qt::ToolTipRole).toString(), hex);
        QCOMPARE(model.index(0, 0).data(role(Role::ShaRole)).toString(), hex);
        QCOMPARE(model.index(0, 0).data(role(Role::OidRole)).value<Oid>(), f.oid("c9"));
        QCOMPARE(model.index(3, 0).data(role(Role::CommitIdRole)).toUInt(), 3u);
        QCOMPARE(model.index(0, 0).data(role(Role::TimeRole)).toLongLong(), 1540);
        // No texts yet: the committer time from the DAG, in UTC.
        QCOMPARE(model.index(0, int(Column::Date)).data().toString(), QString("1970-01-01 00:25"));
        QCOMPARE(model.index(0, int(Column::Subject)).data().toString(), QString());

        const LaneRow lanes = model.index(2, 0).data(role(Role::LanesRole)).value<LaneRow>();
        QVERIFY(!lanes.isNull());
        QCOMPARE(lanes.nodeLane(), 0);
        QCOMPARE(lanes.width(), 1);
        QCOMPARE(lanes.segments().size(), std::size_t(1));
        QCOMPARE(model.roleNames().value(role(Role::LanesRole)), QByteArray("lanes"));
        QVERIFY(model.flags(model.index(0, 0)) & Qt::ItemNeverHasChildren);
    }

    void textProviderIsCalledOnDemand() {
        const DagFixture f = linearFixture();
        auto dag = std::make_shared<const CommitDag>(f.build());
        CommitGraphModel model(dag, nullptr);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        int calls = 0;
        model.setTextProvider([&calls](Id c) {
            ++calls;
            return CommitText{QStringLiteral("subject of %1").arg(c),
                              QStringLiteral("A U Thor"),
                              QDateTime(QDate(2021, 5, 6), QTime(7, 8), Qt::UTC),
                              {}};
        });
        QCOMPARE(calls, 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.index(4, int(Column::Subject)).data().toString(), QString("subject of 4"));
        QCOMPARE(model.index(4, int(Column::Author)).data().toString(), QString("A U Thor"));
        QCOMPARE(model.index(4, int(Column::Date)).data().toString(), QString("2021-05-06 07:08"));
        QCOMPARE(calls, 3);
        QVERIFY(!model.index(4, 0).data(role(Role::LanesRole)).isValid()); // no layout yet
    }

    void lanesArriveLater() {
        const Graph g = randomGraph(120, 41);
        CommitGraphModel model(g.dag, nullptr);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setLanes(g.lanes);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed[0][2].value<QList<int>>(), QList<int>{role(Role::LanesRole)});
        for (int r = 0; r < model.rowCount(); ++r) {
            const LaneRow row = model.index(r, 0).data(role(Role::LanesRole)).value<LaneRow>();
            QCOMPARE(row.nodeLane(), g.lanes->lane(r));
        }
    }

    void statesOfALinearBisect() {
        const DagFixture f = linearFixture();
        const CommitDag dag = f.build();
        BisectQuery q;
        q.bad = f.id(dag, "c9");
        q.goods = {f.id(dag, "c0")};
        BisectOutcome outcome = BisectEngine::select(dag, q);
        QCOMPARE(outcome.kind, BisectOutcome::Kind::Next);
        BisectAnnotations a = BisectAnnotations::compute(dag, q, outcome);
        QVERIFY(a.hasRange());
        QCOMPARE(a.candidateCount(), 9);
        QCOMPARE(a.states(q.bad), CommitState::Bad | CommitState::Candidate);
        QCOMPARE(a.states(q.goods[0]), CommitState::Good | CommitState::Eliminated);
        QCOMPARE(a.states(outcome.commit), CommitState::UnderTest | CommitState::Candidate);

        // c7 bad, c6 good: c7 is the first bad commit.
        q.bad = f.id(dag, "c7");
        q.goods.push_back(f.id(dag, "c6"));
        outcome = BisectEngine::select(dag, q);
        QCOMPARE(outcome.kind, BisectOutcome::Kind::FirstBad);
        a = BisectAnnotations::compute(dag, q, outcome);
        QCOMPARE(a.states(q.bad),
                 CommitState::Bad | CommitState::Candidate | CommitState::FirstBad);
        QCOMPARE(a.states(f.id(dag, "c8")), CommitStates(CommitState::Eliminated));

        // c7 bad, c5 good, c6 skipped: only skipped commits left.
        q.goods = {f.id(dag, "c5")};
        q.skips = {f.id(dag, "c6")};
        q.skipMode = true;
        outcome = BisectEngine::select(dag, q);
        QCOMPARE(outcome.kind, BisectOutcome::Kind::OnlySkipped);
        a = BisectAnnotations::compute(dag, q, outcome);
        QVERIFY(a.states(f.id(dag, "c6")) & CommitState::PossibleFirstBad);
        QVERIFY(a.states(f.id(dag, "c6")) & CommitState::Skipped);
        QVERIFY(a.states(f.id(dag, "c7")) & CommitState::PossibleFirstBad);

        // Goods only: their ancestors are out, nothing is a candidate yet.
        BisectQuery goodsOnly;
        goodsOnly.goods = {f.id(dag, "c3")};
        a = BisectAnnotations::compute(dag, goodsOnly, BisectOutcome{});
        QVERIFY(a.hasRange());
        QCOMPARE(a.candidateCount(), 0);
        QCOMPARE(a.states(f.id(dag, "c2")), CommitStates(CommitState::Eliminated));
        QCOMPARE(a.states(f.id(dag, "c4")), CommitStates());
    }

    void mismatchedAnnotationsAreIgnored() {
        const Graph g = randomGraph(30, 51);
        CommitGraphModel model(g.dag, g.lanes);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        BisectAnnotations wrong(10);
        wrong.set(3, CommitState::Bad);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("annotations for 10 commits"));
        model.setAnnotations(wrong);
        QVERIFY(model.annotations().isEmpty());
        QCOMPARE(model.states(3), CommitStates());
        QCOMPARE(changed.count(), 0);
    }
};

QTEST_GUILESS_MAIN(TestCommitGraphModel)
#include "tst_commitgraphmodel.moc"
