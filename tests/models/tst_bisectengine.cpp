#include "models/BisectEngine.h"
#include "tests/support/DagFixture.h"

#include <QTest>

#include <set>

using namespace bw;
using bw::test::DagFixture;
using Id = CommitDag::Id;

namespace {

// Straightforward reference: count the candidate ancestors of c with a DFS.
int naiveWeight(const CommitDag &dag, Id c, const std::set<Id> &cands, bool firstParent) {
    std::set<Id> seen{c};
    std::vector<Id> stack{c};
    while (!stack.empty()) {
        const Id x = stack.back();
        stack.pop_back();
        for (Id p : dag.parents(x)) {
            if (cands.count(p) && seen.insert(p).second)
                stack.push_back(p);
            if (firstParent)
                break;
        }
    }
    return static_cast<int>(seen.size());
}

} // namespace

class TestBisectEngine : public QObject {
    Q_OBJECT
private slots:
    void estimateStepsTable() {
        const std::pair<int, int> table[] = {
            {1, 0},  {2, 0},   {3, 1},    {4, 1},     {5, 1},     {6, 2},    {7, 2},  {8, 2},
            {9, 2},  {10, 2},  {11, 3},   {16, 3},    {21, 3},    {22, 4},   {33, 4}, {43, 5},
            {64, 5}, {100, 6}, {1000, 9}, {2047, 10}, {3000, 11}, {4000, 11}};
        for (auto [all, steps] : table)
            QCOMPARE(BisectEngine::estimateSteps(all), steps);
    }

    void skipIndexExamples() {
        const std::pair<int, int> table[] = {{1, 0},  {2, 0},   {3, 0},    {4, 0},     {5, 1},
                                             {6, 0},  {7, 3},   {8, 0},    {9, 3},     {10, 0},
                                             {20, 2}, {50, 28}, {100, 23}, {1000, 801}};
        for (auto [count, index] : table)
            QCOMPARE(BisectEngine::skipIndex(count), index);
        for (int count = 1; count <= 65535; count += 7) { // no int overflow up to here
            const int i = BisectEngine::skipIndex(count);
            QVERIFY(i >= 0 && i < count);
        }
    }

    void halfwayRule() {
        QVERIFY(BisectEngine::halfway(2, 5));
        QVERIFY(BisectEngine::halfway(3, 5));
        QVERIFY(!BisectEngine::halfway(1, 5));
        QVERIFY(BisectEngine::halfway(1999, 4000)); // |d| = 2 < 4000/1024 = 3
        QVERIFY(!BisectEngine::halfway(1998, 4000));
        QVERIFY(!BisectEngine::halfway(1022, 2047)); // |d| = 3, 2047/1024 = 1
    }

    void weightsMatchNaiveCount_data() {
        QTest::addColumn<int>("seed");
        QTest::addColumn<bool>("firstParent");
        for (int seed = 0; seed < 40; ++seed)
            QTest::addRow("seed%d%s", seed, seed % 4 == 0 ? "-fp" : "") << seed << (seed % 4 == 0);
    }
    void weightsMatchNaiveCount() {
        QFETCH(int, seed);
        QFETCH(bool, firstParent);
        std::mt19937 rng(seed);
        DagFixture f;
        f.random(300 + seed * 10, rng); // crosses the 256-commit block size of the engine
        const CommitDag dag = f.build();
        BisectQuery q;
        q.bad = 0;
        q.goods = {static_cast<Id>(dag.size() - 1 - rng() % 20)};
        q.firstParent = firstParent;
        const auto weighted = BisectEngine::weights(dag, q);
        QVERIFY(!weighted.commits.empty());
        const std::set<Id> cands(weighted.commits.begin(), weighted.commits.end());
        QCOMPARE(weighted.commits.front(), q.bad);
        for (std::size_t i = 0; i < weighted.commits.size(); ++i)
            QCOMPARE(weighted.weights[i],
                     naiveWeight(dag, weighted.commits[i], cands, firstParent));
        // The candidate set is "ancestors of bad minus ancestors of goods".
        const auto fromBad = BisectEngine::ancestors(dag, {q.bad});
        const auto fromGood = BisectEngine::ancestors(dag, q.goods);
        if (!firstParent) {
            std::size_t expected = 0;
            for (Id c = 0; c < static_cast<Id>(dag.size()); ++c)
                expected += fromBad[c] && !fromGood[c];
            QCOMPARE(cands.size(), expected);
        }
    }

    // A mainline merging short topic branches, large enough for several 256-commit
    // blocks and the engine's "full mask" shortcut.
    void weightsOnMainlineHistory() {
        std::mt19937 rng(42);
        DagFixture f;
        QStringList mainline{QStringLiteral("m0")};
        f.add("m0", 0);
        int serial = 0;
        for (int i = 1; i < 900; ++i) {
            const QString name = QStringLiteral("m%1").arg(i);
            if (rng() % 3 == 0 && mainline.size() > 10) {
                QString prev = mainline[mainline.size() - 1 - rng() % 10];
                for (int k = 0, len = 1 + rng() % 6; k < len; ++k) {
                    const QString t = QStringLiteral("t%1").arg(serial++);
                    f.add(t, i, {prev});
                    prev = t;
                }
                f.add(name, i, {mainline.last(), prev});
            } else {
                f.add(name, i, {mainline.last()});
            }
            mainline << name;
        }
        const CommitDag dag = f.build();
        BisectQuery q{
            f.id(dag, mainline.last()), {f.id(dag, QStringLiteral("m3"))}, {}, false, false};
        const auto weighted = BisectEngine::weights(dag, q);
        const std::set<Id> cands(weighted.commits.begin(), weighted.commits.end());
        QVERIFY(cands.size() > 1000);
        for (std::size_t i = 0; i < weighted.commits.size(); ++i)
            QCOMPARE(weighted.weights[i], naiveWeight(dag, weighted.commits[i], cands, false));
    }

    // V1 of the spec: on a chain x1 <- x2 <- x3 with good g, x2 is chosen (x1 is a root
    // of the candidate set and never returned by the early exit).
    void chainPrefersFirstExactMidpoint() {
        DagFixture f;
        f.add("g", 1);
        f.add("x1", 2, {"g"});
        f.add("x2", 3, {"x1"});
        f.add("x3", 4, {"x2"});
        const CommitDag dag = f.build();
        BisectQuery q{f.id(dag, "x3"), {f.id(dag, "g")}, {}, false, false};
        auto r = BisectEngine::select(dag, q);
        QCOMPARE(r.kind, BisectOutcome::Kind::Next);
        QCOMPARE(f.name(dag, r.commit), QStringLiteral("x2"));
        QCOMPARE(r.revisionsLeft(), 0);
        QCOMPARE(r.steps(), 1);
        q.bad = f.id(dag, "x2");
        r = BisectEngine::select(dag, q);
        QCOMPARE(f.name(dag, r.commit), QStringLiteral("x1"));
        QCOMPARE(r.steps(), 0);
        q.goods.push_back(f.id(dag, "x1"));
        r = BisectEngine::select(dag, q);
        QCOMPARE(r.kind, BisectOutcome::Kind::FirstBad);
        QCOMPARE(f.name(dag, r.commit), QStringLiteral("x2"));
    }

    // The N >= 2048 rule: a 4001-commit chain, good = root: w = 1999 is taken.
    void looseHalfwayOnLongChain() {
        DagFixture f;
        f.add("c0", 0);
        for (int i = 1; i <= 4000; ++i)
            f.add(QStringLiteral("c%1").arg(i), i, {QStringLiteral("c%1").arg(i - 1)});
        const CommitDag dag = f.build();
        BisectQuery q{f.id(dag, "c4000"), {f.id(dag, "c0")}, {}, false, false};
        const auto r = BisectEngine::select(dag, q);
        QCOMPARE(r.all, 4000);
        QCOMPARE(r.reaches, 1999);
        QCOMPARE(f.name(dag, r.commit), QStringLiteral("c1999"));
        QCOMPARE(r.revisionsLeft(), 2000);
        QCOMPARE(r.steps(), 11);
    }

    // V3: a merge that reaches the midpoint wins over an earlier plain commit.
    void mergesFirst() {
        DagFixture f;
        f.add("g", 1);
        f.add("a1", 2, {"g"});
        f.add("a2", 3, {"a1"});
        f.add("a3", 4, {"a2"});
        f.add("a4", 5, {"a3"});
        f.add("b1", 6, {"g"});
        f.add("b2", 7, {"b1"});
        f.add("x1", 8, {"g"});
        f.add("M", 9, {"b2", "x1"});
        f.add("T", 10, {"a4", "M"});
        const CommitDag dag = f.build();
        BisectQuery q{f.id(dag, "T"), {f.id(dag, "g")}, {}, false, false};
        const auto r = BisectEngine::select(dag, q);
        QCOMPARE(r.all, 9);
        QCOMPARE(f.name(dag, r.commit), QStringLiteral("M"));
        QCOMPARE(r.revisionsLeft(), 4);
        QCOMPARE(r.steps(), 2);
    }

    void bothGoodAndBad() {
        DagFixture f;
        f.add("a", 1);
        f.add("b", 2, {"a"});
        const CommitDag dag = f.build();
        BisectQuery q{f.id(dag, "a"), {f.id(dag, "b")}, {}, false, false};
        QCOMPARE(BisectEngine::select(dag, q).kind, BisectOutcome::Kind::BothGoodAndBad);
        QVERIFY(BisectEngine::candidates(dag, q).empty());
    }

    // Skips: a skipped bad with nothing else left lists only the skipped commits.
    void onlySkippedWhenEverythingIsSkipped() {
        DagFixture f;
        f.add("g", 1);
        f.add("a", 2, {"g"});
        f.add("b", 3, {"a"});
        const CommitDag dag = f.build();
        BisectQuery q{
            f.id(dag, "b"), {f.id(dag, "g")}, {f.id(dag, "a"), f.id(dag, "b")}, true, false};
        const auto r = BisectEngine::select(dag, q);
        QCOMPARE(r.kind, BisectOutcome::Kind::OnlySkipped);
        QCOMPARE(r.possibleFirstBad.size(), std::size_t(2));
        // bad itself was skipped: it is listed once, in S order (a has distance 1)
        QCOMPARE(f.name(dag, r.possibleFirstBad[0]), QStringLiteral("a"));
        QCOMPARE(f.name(dag, r.possibleFirstBad[1]), QStringLiteral("b"));
    }

    void skipModeFromAnOutsideSkipChangesTieBreak() {
        // Without skips: first maximum in L order; with skip mode: oid order.
        DagFixture f;
        f.add("g", 1);
        f.add("p", 2, {"g"});
        f.add("q", 2, {"g"});
        f.add("m", 3, {"p", "q"});
        const CommitDag dag = f.build();
        BisectQuery q{f.id(dag, "m"), {f.id(dag, "g")}, {}, false, false};
        const auto plain = BisectEngine::select(dag, q);
        q.skipMode = true;
        const auto skipMode = BisectEngine::select(dag, q);
        const Id p = f.id(dag, "p"), qq = f.id(dag, "q");
        const Id lowerOid = dag.oid(p) < dag.oid(qq) ? p : qq;
        QCOMPARE(skipMode.commit, lowerOid);
        QVERIFY(plain.commit == p || plain.commit == qq);
    }

    void mergeBasesCrissCross() {
        // a and b both merge x and y: their merge bases are x and y.
        DagFixture f;
        f.add("r", 1);
        f.add("x", 2, {"r"});
        f.add("y", 3, {"r"});
        f.add("a", 4, {"x", "y"});
        f.add("b", 5, {"y", "x"});
        const CommitDag dag = f.build();
        const auto bases = BisectEngine::mergeBases(dag, f.id(dag, "a"), {f.id(dag, "b")});
        QCOMPARE(bases.size(), std::size_t(2));
        QCOMPARE(f.name(dag, bases[0]), QStringLiteral("y")); // newest first
        QCOMPARE(f.name(dag, bases[1]), QStringLiteral("x"));

        BisectQuery q{f.id(dag, "a"), {f.id(dag, "b")}, {}, false, false};
        auto check = BisectEngine::checkMergeBases(dag, q, std::nullopt);
        QCOMPARE(check.kind, MergeBaseCheck::Kind::MustTest);
        QCOMPARE(f.name(dag, check.base), QStringLiteral("y"));
        q.skips = {f.id(dag, "y")};
        check = BisectEngine::checkMergeBases(dag, q, std::nullopt);
        QCOMPARE(check.skippedBases.size(), std::size_t(1));
        QCOMPARE(f.name(dag, check.base), QStringLiteral("x"));
        q.goods.push_back(f.id(dag, "x"));
        check = BisectEngine::checkMergeBases(dag, q, std::nullopt);
        QCOMPARE(check.kind, MergeBaseCheck::Kind::AncestorsOk);
    }

    void badAsMergeBase() {
        DagFixture f;
        f.add("a", 1);
        f.add("b", 2, {"a"});
        const CommitDag dag = f.build();
        BisectQuery q{f.id(dag, "a"), {f.id(dag, "b")}, {}, false, false};
        QCOMPARE(BisectEngine::checkMergeBases(dag, q, std::nullopt).kind,
                 MergeBaseCheck::Kind::NotAncestors);
        QCOMPARE(BisectEngine::checkMergeBases(dag, q, f.id(dag, "a")).kind,
                 MergeBaseCheck::Kind::BaseIsBad);
    }
};

QTEST_GUILESS_MAIN(TestBisectEngine)
#include "tst_bisectengine.moc"
