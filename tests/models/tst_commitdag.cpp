#include "models/CommitDag.h"
#include "tests/support/DagFixture.h"

#include <QTest>

using namespace bw;
using bw::test::DagFixture;

class TestCommitDag : public QObject {
    Q_OBJECT
private slots:
    void topologicalChildrenFirst() {
        std::mt19937 rng(7);
        for (int round = 0; round < 20; ++round) {
            DagFixture f;
            f.random(200, rng);
            const CommitDag dag = f.build();
            QCOMPARE(dag.size(), 200);
            for (CommitDag::Id c = 0; c < static_cast<CommitDag::Id>(dag.size()); ++c)
                for (CommitDag::Id p : dag.parents(c))
                    QVERIFY2(p > c, "a parent must come after its child");
        }
    }

    void parentsKeepTheirOrder() {
        DagFixture f;
        f.add("a", 1);
        f.add("b", 2);
        f.add("c", 3);
        f.add("m", 4, {"c", "a", "b"});
        const CommitDag dag = f.build();
        const auto parents = dag.parents(f.id(dag, "m"));
        QCOMPARE(parents.size(), std::size_t(3));
        QCOMPARE(parents[0], f.id(dag, "c"));
        QCOMPARE(parents[1], f.id(dag, "a"));
        QCOMPARE(parents[2], f.id(dag, "b"));
        QCOMPARE(dag.time(f.id(dag, "b")), 2);
    }

    void lookups() {
        DagFixture f;
        f.add("a", 1);
        f.add("b", 2, {"a"});
        const CommitDag dag = f.build();
        QCOMPARE(dag.oid(dag.find(f.oid("b"))), f.oid("b"));
        Oid missing = f.oid("a");
        missing.bytes[19] ^= 1;
        QCOMPARE(dag.find(missing), CommitDag::None);
        const QByteArray hex = f.oid("a").toHex();
        const auto hits = dag.findPrefix(std::string_view(hex.constData(), 6));
        QCOMPARE(hits.size(), std::size_t(1));
        QCOMPARE(hits[0], f.id(dag, "a"));
        QVERIFY(dag.findPrefix("zz").empty());
    }

    void rejectsCyclesAndBadIndices() {
        CommitDag::Input in;
        in.oids = {*Oid::fromHex(std::string(40, '1')), *Oid::fromHex(std::string(40, '2'))};
        in.times = {1, 2};
        in.parentOffsets = {0, 1, 2};
        in.parents = {1, 0}; // a cycle
        QVERIFY(!CommitDag::build(in));
        in.parents = {1, 5}; // out of range
        QVERIFY(!CommitDag::build(in));
        in.parents = {1, 1}; // self loop
        QVERIFY(!CommitDag::build(in));
        in.parentOffsets = {0, 2, 2}; // offsets out of order
        in.parents = {1, 1};
        in.oids.push_back(*Oid::fromHex(std::string(40, '3')));
        in.times.push_back(3);
        in.parentOffsets = {0, 2, 1, 2};
        QVERIFY(!CommitDag::build(in));
        in.parentOffsets = {0, 1}; // wrong size
        QVERIFY(!CommitDag::build(in));
    }

    void memoryPerCommit() {
        std::mt19937 rng(1);
        DagFixture f;
        f.random(5000, rng);
        const CommitDag dag = f.build();
        QVERIFY2(dag.memoryBytes() / dag.size() <= 64,
                 qPrintable(QString::number(dag.memoryBytes() / dag.size())));
    }

    void oidHex() {
        const auto oid = Oid::fromHex(std::string_view("0123456789abcdefABCDEF0123456789abcdef01"));
        QVERIFY(oid);
        QCOMPARE(oid->toHex(), QByteArray("0123456789abcdefabcdef0123456789abcdef01"));
        QVERIFY(!Oid::fromHex(std::string_view("0123")));
        QVERIFY(!Oid::fromHex(std::string_view("g123456789abcdefABCDEF0123456789abcdef01")));
    }
};

QTEST_GUILESS_MAIN(TestCommitDag)
#include "tst_commitdag.moc"
