// readLogTimeline and queriesAfterEachStep: logs as git 2.39.5 writes them, read into
// the marks they make, and the engine queries after each mark.

#include "models/BisectLogSteps.h"

#include "tests/support/DagFixture.h"

#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

// Written by git 2.39.5: `git bisect start --term-new=broken --term-old=fine
// --first-parent c9 c2`, then `skip`, `fine`, `broken HEAD~1`.
const char *const customTermsLog =
    "# broken: [caf860a573bf58d6c5ac19b936b1338fcb7654e9] c9\n"
    "# fine: [5405e34978a1a171d0f53b55e2ebb90235d4f296] c2\n"
    "git bisect start '--term-new=broken' '--term-old=fine' '--first-parent' 'c9' 'c2'\n"
    "# skip: [d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3] c6\n"
    "git bisect skip d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3\n"
    "# fine: [9b5074909b6cf254ad813684a58fec0876f9af4a] c4\n"
    "git bisect fine 9b5074909b6cf254ad813684a58fec0876f9af4a\n"
    "# broken: [d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3] c6\n"
    "git bisect broken d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3\n";

// Written by git 2.39.5: `git bisect start` without revisions, then `new` and `old`.
const char *const bareStartLog =
    "git bisect start\n"
    "# status: waiting for both good and bad commits\n"
    "# new: [caf860a573bf58d6c5ac19b936b1338fcb7654e9] c9\n"
    "git bisect new caf860a573bf58d6c5ac19b936b1338fcb7654e9\n"
    "# status: waiting for good commit(s), bad commit known\n"
    "# old: [5405e34978a1a171d0f53b55e2ebb90235d4f296] c2 with: a colon\n"
    "git bisect old 5405e34978a1a171d0f53b55e2ebb90235d4f296\n"
    "# first new commit: [d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3] c6\n";

Oid oid(const char *hex) {
    return *Oid::fromHex(std::string_view(hex));
}

} // namespace

class TestBisectLogSteps : public QObject {
    Q_OBJECT
private slots:
    void customTermsAndComments() {
        auto t = readLogTimeline(QString::fromLatin1(customTermsLog));
        QVERIFY2(t.ok(), qPrintable(t.ok() ? QString() : t.error().message()));
        QCOMPARE(t->terms.bad, QStringLiteral("broken"));
        QCOMPARE(t->terms.good, QStringLiteral("fine"));
        QVERIFY(t->firstParent);
        QCOMPARE(t->startLine, 3);
        QCOMPARE(t->startRevs, (std::vector<QString>{QStringLiteral("c9"), QStringLiteral("c2")}));
        QCOMPARE(t->steps.size(), std::size_t(5));

        const struct {
            int line;
            const char *term, *rev, *subject, *sha;
            MarkKind kind;
        } want[] = {
            {3, "broken", "c9", "c9", "caf860a573bf58d6c5ac19b936b1338fcb7654e9", MarkKind::Bad},
            {3, "fine", "c2", "c2", "5405e34978a1a171d0f53b55e2ebb90235d4f296", MarkKind::Good},
            {5, "skip", "d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3", "c6",
             "d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3", MarkKind::Skip},
            {7, "fine", "9b5074909b6cf254ad813684a58fec0876f9af4a", "c4",
             "9b5074909b6cf254ad813684a58fec0876f9af4a", MarkKind::Good},
            {9, "broken", "d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3", "c6",
             "d81ba1b62eff29351fc33fdbc1a1ec77fa0f5ee3", MarkKind::Bad},
        };
        for (std::size_t i = 0; i < t->steps.size(); ++i) {
            const LogStep &s = t->steps[i];
            QCOMPARE(s.line, want[i].line);
            QCOMPARE(s.term, QString::fromLatin1(want[i].term));
            QCOMPARE(s.rev, QString::fromLatin1(want[i].rev));
            QCOMPARE(s.commentSubject, QString::fromLatin1(want[i].subject));
            QVERIFY(s.sha.has_value());
            QCOMPARE(*s.sha, oid(want[i].sha));
            QCOMPARE(t->kindOf(s), std::optional<MarkKind>(want[i].kind));
        }
    }

    // Terms from the first new/old mark; "# status" and "# first new" lines are not
    // marks; a subject may hold colons.
    void bareStartTakesTermsFromMarks() {
        auto t = readLogTimeline(QString::fromLatin1(bareStartLog));
        QVERIFY(t.ok());
        QCOMPARE(t->terms, (Terms{QStringLiteral("new"), QStringLiteral("old")}));
        QVERIFY(!t->firstParent);
        QVERIFY(t->startRevs.empty());
        QCOMPARE(t->steps.size(), std::size_t(2));
        QCOMPARE(t->steps[0].line, 4);
        QCOMPARE(t->steps[0].commentSubject, QStringLiteral("c9"));
        QCOMPARE(t->steps[1].commentSubject, QStringLiteral("c2 with: a colon"));
        QCOMPARE(t->kindOf(t->steps[1]), std::optional<MarkKind>(MarkKind::Good));
    }

    // A hand-written log: short revs have no sha; a comment of another term or another
    // commit is not taken; the last start resets everything.
    void handWritten() {
        const QString log =
            QStringLiteral("git bisect start 'v1' 'v0'\n"
                           "git bisect good v0.5\n"
                           "# good: [caf860a573bf58d6c5ac19b936b1338fcb7654e9] unrelated\n"
                           "git bisect bad 5405e34978a1a171d0f53b55e2ebb90235d4f296\n"
                           "# skip: [caf860a573bf58d6c5ac19b936b1338fcb7654e9] other commit\n"
                           "git bisect skip 5405e34978a1a171d0f53b55e2ebb90235d4f296\n"
                           "git bisect start 'HEAD' 'HEAD~8' '--' 'src'\n"
                           "git bisect skip HEAD~2\n");
        auto t = readLogTimeline(log);
        QVERIFY(t.ok());
        QCOMPARE(t->startLine, 7);
        QCOMPARE(t->pathspec, QStringList({QStringLiteral("--"), QStringLiteral("src")}));
        QCOMPARE(t->steps.size(), std::size_t(3));
        QCOMPARE(t->steps[2].rev, QStringLiteral("HEAD~2"));
        QVERIFY(!t->steps[2].sha);
        QVERIFY(t->steps[2].commentSubject.isEmpty());

        auto first = readLogTimeline(log.section(u'\n', 0, 5));
        QVERIFY(first.ok());
        QCOMPARE(first->steps.size(), std::size_t(5));
        QVERIFY(!first->steps[2].sha);                     // v0.5
        QVERIFY(first->steps[3].commentSubject.isEmpty()); // comment of another term
        QCOMPARE(*first->steps[3].sha, oid("5405e34978a1a171d0f53b55e2ebb90235d4f296"));
        QVERIFY(first->steps[4].commentSubject.isEmpty()); // comment of another commit
        QCOMPARE(*first->steps[4].sha, oid("5405e34978a1a171d0f53b55e2ebb90235d4f296"));
    }

    void badLogs_data() {
        QTest::addColumn<QString>("log");
        QTest::addColumn<QString>("message");
        QTest::newRow("no start") << QStringLiteral("# nothing\n")
                                  << QStringLiteral("no 'git bisect start'");
        QTest::newRow("mark before start")
            << QStringLiteral("\ngit bisect good abc\ngit bisect start\n")
            << QStringLiteral("line 2: 'git bisect good' before");
        QTest::newRow("wrong term") << QStringLiteral("git bisect start '--term-new=x' 'a' 'b'\n"
                                                      "git bisect bad a\n")
                                    << QStringLiteral("line 2: 'bad'?? what are you talking");
        QTest::newRow("unknown option")
            << QStringLiteral("git bisect start '--frob'\n") << QStringLiteral("line 1:");
        QTest::newRow("missing rev")
            << QStringLiteral("git bisect start\ngit bisect skip\n") << QStringLiteral("line 2:");
    }
    void badLogs() {
        QFETCH(QString, log);
        QFETCH(QString, message);
        auto t = readLogTimeline(log);
        QVERIFY(!t.ok());
        QVERIFY2(t.error().message().contains(message), qPrintable(t.error().message()));
    }

    // Queries after each step: the latest bad wins, goods and skips accumulate once each
    // in oid order, a skip of an unknown commit still switches to skip mode.
    void queriesPerStep() {
        DagFixture f;
        for (int i = 0; i < 10; ++i)
            f.add(QStringLiteral("c%1").arg(i), i * 10,
                  i ? QStringList{QStringLiteral("c%1").arg(i - 1)} : QStringList{});
        const CommitDag dag = f.build();
        auto hex = [&f](const char *name) { return f.oid(QString::fromLatin1(name)).toString(); };
        const QString log =
            QStringLiteral("git bisect start '--first-parent' '%1' '%2'\n"
                           "git bisect good %3\n"
                           "git bisect skip %4\n"
                           "git bisect bad %5\n"
                           "git bisect good %3\n"
                           "git bisect skip 0123456789abcdef0123456789abcdef01234567\n"
                           "git bisect good %6\n")
                .arg(hex("c9"), hex("c1"), hex("c4"), hex("c6"), hex("c7"), hex("c2"));
        auto t = readLogTimeline(log);
        QVERIFY(t.ok());
        QCOMPARE(t->steps.size(), std::size_t(8));
        std::vector<CommitDag::Id> resolved;
        for (const LogStep &s : t->steps)
            resolved.push_back(s.sha ? dag.find(*s.sha) : CommitDag::None);
        QCOMPARE(resolved[6], CommitDag::None);

        const auto qs = queriesAfterEachStep(dag, *t, resolved);
        QCOMPARE(qs.size(), std::size_t(9));
        auto id = [&](const char *name) { return f.id(dag, QString::fromLatin1(name)); };
        auto sorted = [&dag](std::vector<CommitDag::Id> v) {
            std::sort(v.begin(), v.end(),
                      [&dag](CommitDag::Id a, CommitDag::Id b) { return dag.oid(a) < dag.oid(b); });
            return v;
        };
        for (const BisectQuery &q : qs)
            QVERIFY(q.firstParent);
        QCOMPARE(qs[0].bad, CommitDag::None);
        QVERIFY(qs[0].goods.empty());
        QCOMPARE(qs[1].bad, id("c9"));
        QVERIFY(qs[1].goods.empty());
        QCOMPARE(qs[2].goods, std::vector<CommitDag::Id>{id("c1")});
        QCOMPARE(qs[3].goods, sorted({id("c1"), id("c4")}));
        QVERIFY(!qs[3].skipMode);
        QCOMPARE(qs[4].skips, std::vector<CommitDag::Id>{id("c6")});
        QVERIFY(qs[4].skipMode);
        QCOMPARE(qs[4].bad, id("c9"));
        QCOMPARE(qs[5].bad, id("c7"));
        QCOMPARE(qs[6].goods, sorted({id("c1"), id("c4")})); // c4 again: once
        QCOMPARE(qs[7].skips, std::vector<CommitDag::Id>{id("c6")});
        QVERIFY(qs[7].skipMode);
        QCOMPARE(qs[8].goods, sorted({id("c1"), id("c4"), id("c2")}));
        QCOMPARE(qs[8].bad, id("c7"));

        // Without --first-parent the flag stays off.
        auto plain = readLogTimeline(
            QStringLiteral("git bisect start '%1' '%2'\n").arg(hex("c9"), hex("c1")));
        QVERIFY(plain.ok());
        const auto pq = queriesAfterEachStep(dag, *plain, {id("c9"), id("c1")});
        QVERIFY(!pq.back().firstParent);
        QVERIFY(!pq.back().skipMode);
    }
};

QTEST_GUILESS_MAIN(TestBisectLogSteps)
#include "tst_bisectlogsteps.moc"
