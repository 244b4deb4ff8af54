#include "models/LaneLayout.h"
#include "tests/support/DagFixture.h"

#include <QTest>

#include <algorithm>
#include <random>
#include <thread>

using namespace bw;
using bw::test::DagFixture;
using Id = CommitDag::Id;
using Kind = LaneSegment::Kind;

namespace {

// One row as text: N<lane>[a][b] the node (a: lane from above, b: lane goes on below),
// P<a>[-<b>] pass-through lanes, M<lane>><node> merge-in, F<node>><lane>[+] fork-out
// (+: the lane starts here).
QString rowText(const LaneLayout &layout, int row) {
    QStringList parts;
    for (const LaneSegment &s : layout.row(row)) {
        switch (s.kind) {
        case Kind::Node:
            parts << QStringLiteral("N%1%2%3")
                         .arg(s.lane)
                         .arg(s.flags & LaneSegment::NodeAbove ? "a" : "")
                         .arg(s.flags & LaneSegment::NodeBelow ? "b" : "");
            break;
        case Kind::Pass:
            parts << (s.lane == s.other ? QStringLiteral("P%1").arg(s.lane)
                                        : QStringLiteral("P%1-%2").arg(s.lane).arg(s.other));
            break;
        case Kind::MergeIn:
            parts << QStringLiteral("M%1>%2").arg(s.lane).arg(s.other);
            break;
        case Kind::ForkOut:
            parts << QStringLiteral("F%1>%2%3")
                         .arg(s.other)
                         .arg(s.lane)
                         .arg(s.flags & LaneSegment::ForkNewLane ? "+" : "");
            break;
        }
    }
    return parts.join(u' ');
}

// Rows as text, prefixed by the commit's fixture name: "name: segments".
QStringList layoutText(const DagFixture &f, const CommitDag &dag, const LaneLayout &layout) {
    QStringList rows;
    for (int r = 0; r < layout.rowCount(); ++r)
        rows << f.name(dag, static_cast<Id>(r)) + QStringLiteral(": ") + rowText(layout, r);
    return rows;
}

// Draws the layout row by row, tracking which child->parent edges each lane carries,
// and checks that every edge runs unbroken from its child's node to its parent's node.
// Returns an empty string when all is well, else what went wrong first.
QString checkInvariants(const CommitDag &dag, const LaneLayout &layout) {
    const int n = dag.size();
    if (layout.rowCount() != n || layout.isTruncated())
        return QStringLiteral("rows %1 for %2 commits").arg(layout.rowCount()).arg(n);
    std::vector<std::vector<Id>> children(n);
    std::vector<int> openDelta(n + 1, 0);
    for (Id c = 0; c < static_cast<Id>(n); ++c) {
        for (Id p : dag.parents(c)) {
            children[p].push_back(c);
            ++openDelta[c];
            --openDelta[p];
        }
    }
    std::vector<std::vector<Id>> carried; // per lane: children whose edges it carries
    int open = 0, maxOpen = 0, maxWidth = 0;
    for (int r = 0; r < n; ++r) {
        const auto err = [r](const QString &what) {
            return QStringLiteral("row %1: ").arg(r) + what;
        };
        const auto segments = layout.row(r);
        if (segments.empty() || segments[0].kind != Kind::Node)
            return err(QStringLiteral("no node first"));
        const int node = segments[0].lane;
        if (layout.lane(r) != node || segments[0].other != node)
            return err(QStringLiteral("lane() disagrees"));
        const bool above = segments[0].flags & LaneSegment::NodeAbove;
        const bool below = segments[0].flags & LaneSegment::NodeBelow;
        const int width = layout.rowWidth(r);
        if (static_cast<int>(carried.size()) < width)
            carried.resize(width);
        const auto active = [&](int l) {
            return l < static_cast<int>(carried.size()) && !carried[l].empty();
        };

        // Top edge of the row: exactly the active lanes, each drawn once.
        std::vector<int> top;
        std::vector<Id> delivered;
        if (above) {
            top.push_back(node);
            delivered = carried[node];
        } else if (active(node)) {
            return err(QStringLiteral("new node lane %1 was busy").arg(node));
        }
        std::vector<int> passes, forks;
        for (std::size_t i = 1; i < segments.size(); ++i) {
            const LaneSegment &s = segments[i];
            switch (s.kind) {
            case Kind::Node:
                return err(QStringLiteral("two nodes"));
            case Kind::Pass:
                if (s.other < s.lane)
                    return err(QStringLiteral("bad pass run"));
                for (int l = s.lane; l <= s.other; ++l) {
                    if (l == node)
                        return err(QStringLiteral("pass through the node"));
                    top.push_back(l);
                    passes.push_back(l);
                }
                break;
            case Kind::MergeIn:
                if (s.other != node || s.lane == node)
                    return err(QStringLiteral("merge-in not into the node"));
                top.push_back(s.lane);
                delivered.insert(delivered.end(), carried[s.lane].begin(), carried[s.lane].end());
                break;
            case Kind::ForkOut:
                if (s.other != node || s.lane == node)
                    return err(QStringLiteral("fork-out not from the node"));
                forks.push_back(static_cast<int>(i));
                break;
            }
        }
        std::sort(top.begin(), top.end());
        if (std::adjacent_find(top.begin(), top.end()) != top.end())
            return err(QStringLiteral("a lane drawn twice at the top"));
        std::vector<int> activeLanes;
        for (int l = 0; l < static_cast<int>(carried.size()); ++l)
            if (active(l))
                activeLanes.push_back(l);
        if (top != activeLanes)
            return err(QStringLiteral("top lanes differ from the open lanes"));
        // The edges ending here are exactly this commit's children, each once.
        std::sort(delivered.begin(), delivered.end());
        std::vector<Id> expected = children[r];
        std::sort(expected.begin(), expected.end());
        if (delivered != expected)
            return err(QStringLiteral("edges arriving are not the commit's children"));
        if (!above && !expected.empty())
            return err(QStringLiteral("children but no lane from above"));

        // Bottom edge: merged lanes close, passes go on, the node's edges leave.
        carried[node].clear();
        for (std::size_t i = 1; i < segments.size(); ++i)
            if (segments[i].kind == Kind::MergeIn)
                carried[segments[i].lane].clear();
        const auto parents = dag.parents(r);
        if (below != !parents.empty())
            return err(QStringLiteral("node's lane below disagrees with parents"));
        int leaving = below ? 1 : 0;
        if (below)
            carried[node] = {static_cast<Id>(r)};
        for (int i : forks) {
            const LaneSegment &s = segments[i];
            const bool isNew = s.flags & LaneSegment::ForkNewLane;
            const bool passing = std::find(passes.begin(), passes.end(), s.lane) != passes.end();
            if (isNew == (active(s.lane) || passing))
                return err(QStringLiteral("fork-out to lane %1: new flag wrong").arg(s.lane));
            carried[s.lane].push_back(static_cast<Id>(r));
            ++leaving;
        }
        std::vector<Id> distinctParents(parents.begin(), parents.end());
        std::sort(distinctParents.begin(), distinctParents.end());
        distinctParents.erase(std::unique(distinctParents.begin(), distinctParents.end()),
                              distinctParents.end());
        if (leaving != static_cast<int>(distinctParents.size()))
            return err(QStringLiteral("%1 edges leave for %2 parents")
                           .arg(leaving)
                           .arg(distinctParents.size()));

        // Never more lanes than edges open below this row.
        open += openDelta[r];
        maxOpen = std::max(maxOpen, open);
        int lanesBelow = 0;
        for (const auto &c : carried)
            lanesBelow += c.empty() ? 0 : 1;
        if (lanesBelow > open)
            return err(QStringLiteral("%1 lanes for %2 open edges").arg(lanesBelow).arg(open));
        maxWidth = std::max(maxWidth, width);
    }
    for (const auto &c : carried)
        if (!c.empty())
            return QStringLiteral("a lane still open after the last row");
    if (layout.laneCount() != maxWidth)
        return QStringLiteral("laneCount %1, widest row %2").arg(layout.laneCount()).arg(maxWidth);
    // A commit needs its own column even when no edge is open around it: hence + 1.
    if (n > 0 && layout.laneCount() > maxOpen + 1)
        return QStringLiteral("%1 lanes for at most %2 open edges")
            .arg(layout.laneCount())
            .arg(maxOpen);
    return {};
}

// Mainline merging topic branches of 1..20 commits that fork from a recent mainline
// commit, about 30% merges, plus occasional octopus merges and criss-crosses.
CommitDag manyMerges(int n, unsigned seed) {
    std::mt19937 rng(seed);
    DagFixture f;
    int next = 0;
    qint64 clock = 0;
    auto add = [&](const QStringList &parents) {
        const QString name = QStringLiteral("m%1").arg(next++);
        clock += rng() % 60;
        f.add(name, clock, parents);
        return name;
    };
    QStringList mainline{add({})};
    while (next < n) {
        if (rng() % 10 < 3) {
            const int back = static_cast<int>(rng() % std::min<qsizetype>(30, mainline.size()));
            const int topics = rng() % 20 == 0 ? 2 + static_cast<int>(rng() % 3) : 1;
            QStringList parents{mainline.last()};
            for (int t = 0; t < topics; ++t) {
                QString tip = mainline[mainline.size() - 1 - back];
                const int length = 1 + static_cast<int>(rng() % 20);
                for (int k = 0; k < length; ++k)
                    tip = add({tip});
                parents << tip;
            }
            if (rng() % 25 == 0 && mainline.size() > 2) // criss-cross with the mainline
                parents << mainline[mainline.size() - 2];
            parents.removeDuplicates();
            mainline << add(parents);
        } else {
            mainline << add({mainline.last()});
        }
    }
    return f.build();
}

} // namespace

class TestLaneLayout : public QObject {
    Q_OBJECT
private slots:
    void empty() {
        const LaneLayout layout = LaneLayout::compute(CommitDag());
        QCOMPARE(layout.rowCount(), 0);
        QCOMPARE(layout.laneCount(), 0);
        QVERIFY(!layout.isTruncated());
    }

    void singleCommit() {
        DagFixture f;
        f.add("a", 1);
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout), QStringList{"a: N0"});
        QCOMPARE(layout.laneCount(), 1);
    }

    void linear() {
        DagFixture f;
        f.add("a", 1);
        f.add("b", 2, {"a"});
        f.add("c", 3, {"b"});
        f.add("d", 4, {"c"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout),
                 (QStringList{"d: N0b", "c: N0ab", "b: N0ab", "a: N0a"}));
        QCOMPARE(layout.laneCount(), 1);
        for (int r = 0; r < layout.rowCount(); ++r)
            QCOMPARE(layout.lane(r), 0);
    }

    // Two tips sharing a base: the second tip opens a lane, which merges back at the base.
    void fork() {
        DagFixture f;
        f.add("a", 1);
        f.add("m1", 2, {"a"});
        f.add("t1", 3, {"a"});
        f.add("m2", 4, {"m1"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout),
                 (QStringList{"m2: N0b", "t1: N1b P0", "m1: N0ab P1", "a: N0a M1>0"}));
        QCOMPARE(layout.laneCount(), 2);
        QCOMPARE(checkInvariants(dag, layout), QString());
    }

    void mergeOfATopic() {
        DagFixture f;
        f.add("a", 1);
        f.add("m1", 2, {"a"});
        f.add("t1", 3, {"a"});
        f.add("M", 4, {"m1", "t1"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout),
                 (QStringList{"M: N0b F0>1+", "t1: N1ab P0", "m1: N0ab P1", "a: N0a M1>0"}));
        QCOMPARE(checkInvariants(dag, layout), QString());
    }

    // Three parents: three lanes, which merge back into one at the common base.
    void octopus() {
        DagFixture f;
        f.add("a", 1);
        f.add("x", 2, {"a"});
        f.add("y", 3, {"a"});
        f.add("z", 4, {"a"});
        f.add("O", 5, {"x", "y", "z"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout),
                 (QStringList{"O: N0b F0>1+ F0>2+", "z: N2ab P0-1", "y: N1ab P0 P2", "x: N0ab P1-2",
                              "a: N0a M1>0 M2>0"}));
        QCOMPARE(layout.laneCount(), 3);
        QCOMPARE(checkInvariants(dag, layout), QString());
    }

    // d = merge(b, c), e = merge(c, b): the second parent of d joins the lane already
    // waiting for c instead of opening one; b's two lanes merge when b arrives.
    void crissCross() {
        DagFixture f;
        f.add("a", 1);
        f.add("b", 2, {"a"});
        f.add("c", 3, {"a"});
        f.add("d", 4, {"b", "c"});
        f.add("e", 5, {"c", "b"});
        f.add("f", 6, {"e", "d"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout),
                 (QStringList{"f: N0b F0>1+", "e: N0ab P1 F0>2+", "d: N1ab P0 P2 F1>0",
                              "c: N0ab P1-2", "b: N1ab P0 M2>1", "a: N0a M1>0"}));
        QCOMPARE(layout.laneCount(), 3);
        QCOMPARE(checkInvariants(dag, layout), QString());
    }

    // Two histories merged, and a lone commit (no parent, no child) between them.
    void severalRoots() {
        DagFixture f;
        f.add("r1", 10);
        f.add("r2", 20);
        f.add("x", 30, {"r1"});
        f.add("lone", 35);
        f.add("y", 40, {"r2"});
        f.add("M", 50, {"x", "y"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout),
                 (QStringList{"M: N0b F0>1+", "y: N1ab P0", "lone: N2 P0-1", "x: N0ab P1",
                              "r2: N1a P0", "r1: N0a"}));
        QCOMPARE(layout.laneCount(), 3);
        QCOMPARE(layout.rowWidth(4), 2);
        QCOMPARE(checkInvariants(dag, layout), QString());
    }

    // A partial load: the merge's parents are boundary commits whose own parents were
    // not loaded (absent from the DAG), so their lanes simply end there.
    void parentsOutsideTheLoadedSet() {
        DagFixture f;
        f.add("x", 1);
        f.add("y", 2);
        f.add("M", 3, {"x", "y"});
        f.add("t", 4, {"M"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout),
                 (QStringList{"t: N0b", "M: N0ab F0>1+", "y: N1a P0", "x: N0a"}));
        QCOMPARE(checkInvariants(dag, layout), QString());
    }

    // A freed lane is reused by the next branch instead of widening the graph.
    void freedLanesAreReused() {
        DagFixture f;
        f.add("a", 1);
        f.add("t1", 2, {"a"});
        f.add("M1", 3, {"a", "t1"});
        f.add("t2", 4, {"M1"});
        f.add("M2", 5, {"M1", "t2"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(layoutText(f, dag, layout),
                 (QStringList{"M2: N0b F0>1+", "t2: N1ab P0", "M1: N0ab M1>0 F0>1+", "t1: N1ab P0",
                              "a: N0a M1>0"}));
        QCOMPARE(layout.laneCount(), 2);
        QCOMPARE(checkInvariants(dag, layout), QString());
    }

    // The checker itself must notice a drawing that does not match the history: the
    // fork's layout (two tips) is wrong for the merge of a topic (one tip) of equal size.
    void invariantCheckCatchesAWrongLayout() {
        DagFixture fork;
        fork.add("a", 1);
        fork.add("m1", 2, {"a"});
        fork.add("t1", 3, {"a"});
        fork.add("m2", 4, {"m1"});
        DagFixture merge;
        merge.add("a", 1);
        merge.add("m1", 2, {"a"});
        merge.add("t1", 3, {"a"});
        merge.add("M", 4, {"m1", "t1"});
        const CommitDag forkDag = fork.build();
        const CommitDag mergeDag = merge.build();
        QCOMPARE(checkInvariants(forkDag, LaneLayout::compute(forkDag)), QString());
        QVERIFY(!checkInvariants(mergeDag, LaneLayout::compute(forkDag)).isEmpty());
        QVERIFY(!checkInvariants(forkDag, LaneLayout::compute(mergeDag)).isEmpty());
        std::mt19937 rng(5);
        DagFixture f;
        f.random(200, rng);
        const CommitDag dag = f.build();
        QVERIFY(!checkInvariants(dag, LaneLayout::compute(manyMerges(200, 1))).isEmpty());
    }

    void truncatedWhenTooManyLanes() {
        DagFixture f;
        f.add("a", 1);
        f.add("x", 2, {"a"});
        f.add("y", 3, {"a"});
        f.add("z", 4, {"a"});
        f.add("t", 5, {"x"});
        f.add("O", 6, {"t", "y", "z"});
        f.add("s", 7, {"O"});
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag, 2);
        QVERIFY(layout.isTruncated());
        QCOMPARE(layout.rowCount(), 1); // the rows before the first that needs a 3rd lane
        QCOMPARE(rowText(layout, 0), QStringLiteral("N0b"));
        const LaneLayout wide = LaneLayout::compute(dag, 3);
        QVERIFY(!wide.isTruncated());
        QCOMPARE(wide.rowCount(), dag.size());
    }

    void invariantsOnRandomDags_data() {
        QTest::addColumn<int>("seed");
        QTest::addColumn<int>("commits");
        for (int seed = 0; seed < 40; ++seed)
            QTest::addRow("seed%d", seed) << seed << 20 + seed * 37;
    }
    void invariantsOnRandomDags() {
        QFETCH(int, seed);
        QFETCH(int, commits);
        std::mt19937 rng(seed);
        DagFixture f;
        f.random(commits, rng);
        const CommitDag dag = f.build();
        const LaneLayout layout = LaneLayout::compute(dag);
        QCOMPARE(checkInvariants(dag, layout), QString());
    }

    void invariantsWithThousandsOfMerges() {
        const CommitDag dag = manyMerges(20000, 7);
        const LaneLayout layout = LaneLayout::compute(dag);
        int merges = 0;
        for (Id c = 0; c < static_cast<Id>(dag.size()); ++c)
            merges += dag.parentCount(c) > 1 ? 1 : 0;
        QVERIFY2(merges > 1000, qPrintable(QString::number(merges)));
        QCOMPARE(checkInvariants(dag, layout), QString());
        QVERIFY(layout.memoryBytes() < static_cast<std::size_t>(dag.size()) * 100);
    }

    // A pure function of the DAG: the same result on a worker thread as on this one.
    void sameResultOffThisThread() {
        const CommitDag dag = manyMerges(3000, 3);
        const LaneLayout here = LaneLayout::compute(dag);
        LaneLayout there;
        std::thread worker([&] { there = LaneLayout::compute(dag); });
        worker.join();
        QCOMPARE(there.rowCount(), here.rowCount());
        QCOMPARE(there.laneCount(), here.laneCount());
        for (int r = 0; r < here.rowCount(); ++r)
            QVERIFY(std::ranges::equal(there.row(r), here.row(r)));
    }
};

QTEST_GUILESS_MAIN(TestLaneLayout)
#include "tst_lanelayout.moc"
