#include "services/git/BisectWorkspace.h"

#include "tests/support/TestRepo.h"

#include <QSignalSpy>
#include <QTest>

using namespace bw;
using namespace bw::test;

class TestBisectWorkspace : public QObject {
    Q_OBJECT
private slots:
    void opensABisectInProgress() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 16; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        const RunResult git =
            repo.git({QStringLiteral("bisect"), QStringLiteral("start"), sha[15], sha[0]});
        git::BisectWorkspace ws;
        QSignalSpy changed(&ws, &git::BisectWorkspace::snapshotChanged);
        QSignalSpy busy(&ws, &git::BisectWorkspace::busyChanged);
        ws.open(repo.path());
        QVERIFY(ws.isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        QVERIFY(!ws.isBusy());
        QCOMPARE(busy.count(), 2);
        const auto s = ws.snapshot();
        QVERIFY(s->bisecting);
        QCOMPARE(s->dag->size(), 16);
        QCOMPARE(s->summary.out, QString::fromUtf8(git.out));
        QVERIFY(s->outcome.has_value());
        QCOMPARE(s->outcome->all, 15);
        QCOMPARE(s->texts.size(), std::size_t(16));
        QCOMPARE(s->texts[s->dag->find(*Oid::fromHex(sha[7]))].subject, QStringLiteral("c7"));
    }

    void marksInOrderAndReloads() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 16; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"), sha[15], sha[0]});
        git::BisectWorkspace ws;
        QSignalSpy changed(&ws, &git::BisectWorkspace::snapshotChanged);
        QSignalSpy recorded(&ws, &git::BisectWorkspace::markRecorded);
        ws.open(repo.path());
        // Queued behind the load, in order: both marks land, then two reloads.
        ws.mark(MarkKind::Good, *Oid::fromHex(sha[8]));
        ws.mark(MarkKind::Bad, *Oid::fromHex(sha[12]));
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 3, 30000);
        QCOMPARE(recorded.count(), 2);
        QVERIFY(recorded.at(1).at(0).toString().startsWith(QStringLiteral("Bisecting: ")));
        const auto s = ws.snapshot();
        QCOMPARE(s->outcome->all, 4); // c9..c12
        // git agrees with what was recorded in its own files
        const RunResult next = repo.git({QStringLiteral("bisect"), QStringLiteral("next")});
        QCOMPARE(s->summary.out, QString::fromUtf8(next.out));
    }

    // While git asks for a merge base, the graph still shows the marks, and the merge
    // base as the commit under test.
    void annotatesAMergeBaseStep() {
        TestRepo repo;
        const QString base = repo.commit(QStringLiteral("base"));
        repo.commit(QStringLiteral("a1"));
        const QString a2 = repo.commit(QStringLiteral("a2"));
        repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
                  QStringLiteral("topic"), base});
        const QString t1 = repo.commit(QStringLiteral("t1"));
        repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        const RunResult git = repo.git({QStringLiteral("bisect"), QStringLiteral("start"), a2, t1});
        QVERIFY(git.out.startsWith("Bisecting: a merge base must be tested"));
        git::BisectWorkspace ws;
        QSignalSpy changed(&ws, &git::BisectWorkspace::snapshotChanged);
        ws.open(repo.path());
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        const auto s = ws.snapshot();
        QVERIFY(!s->outcome);
        QCOMPARE(s->summary.out, QString::fromUtf8(git.out));
        auto states = [&](const QString &sha) {
            return s->annotations.states(s->dag->find(*Oid::fromHex(sha)));
        };
        QVERIFY(states(base) & CommitState::UnderTest);
        QVERIFY(states(a2) & CommitState::Bad);
        QVERIFY(states(t1) & CommitState::Good);
    }

    // A repository that cannot be opened replaces the one shown: nothing of it remains.
    void aFailedOpenForgetsTheOldRepository() {
        TestRepo repo;
        repo.commit(QStringLiteral("a"));
        QTemporaryDir elsewhere;
        git::BisectWorkspace ws;
        QSignalSpy changed(&ws, &git::BisectWorkspace::snapshotChanged);
        QSignalSpy failed(&ws, &git::BisectWorkspace::failed);
        ws.open(repo.path());
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        QVERIFY(ws.snapshot());
        ws.open(elsewhere.path());
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY(!ws.snapshot());
        QVERIFY(!ws.isBusy());
    }

    void reportsErrors() {
        QTemporaryDir dir;
        git::BisectWorkspace ws;
        QSignalSpy failed(&ws, &git::BisectWorkspace::failed);
        ws.open(dir.path());
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("not a git repository")));
        QVERIFY(!ws.snapshot());
    }

    void withoutABisectShowsHistoryOfHead() {
        TestRepo repo;
        for (int i = 0; i < 5; ++i)
            repo.commit(QStringLiteral("c%1").arg(i));
        git::BisectWorkspace ws;
        QSignalSpy changed(&ws, &git::BisectWorkspace::snapshotChanged);
        ws.open(repo.path());
        QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 30000);
        QVERIFY(!ws.snapshot()->bisecting);
        QCOMPARE(ws.snapshot()->dag->size(), 5);
        QCOMPARE(ws.snapshot()->texts[0].subject, QStringLiteral("c4"));
    }
};

QTEST_GUILESS_MAIN(TestBisectWorkspace)
#include "tst_bisectworkspace.moc"
