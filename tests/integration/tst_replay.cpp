// `bisect-workbench replay` against `git bisect replay`: the same log, replayed by each
// from the same starting point, must leave the same state (refs, BISECT_* files, HEAD)
// and print the same; the log we leave behind must replay in git to that state again.
// Bad logs change nothing.

#include "tests/support/RandomHistory.h"
#include "tests/support/TestRepo.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace bw::test;

namespace {} // namespace

class TestReplay : public QObject {
    Q_OBJECT

    // Replays `log` with git and with us from the same start; both must agree. From a
    // clean repository, or over the bisect in progress (which replay resets; git's replay
    // of the same log leaves that state for our turn).
    void compareReplays(TestRepo &repo, const QByteArray &log, const QString &context,
                        bool fromClean) {
        const QString file = repo.path() + QStringLiteral("/.git/test.log");
        QVERIFY(writeFile(file, log));
        if (fromClean)
            repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
        const RunResult git = repo.git({QStringLiteral("bisect"), QStringLiteral("replay"), file});
        const auto gitState = bisectSnapshot(repo);
        if (fromClean)
            repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
        const RunResult ours = repo.workbench({QStringLiteral("replay"), file});
        const auto ourState = bisectSnapshot(repo);
        if (gitState != ourState || git.out != ours.out || git.exitCode != ours.exitCode) {
            for (auto it = gitState.begin(); it != gitState.end(); ++it)
                if (ourState.value(it.key()) != it.value())
                    qWarning().noquote() << it.key() << "\n git:" << it.value()
                                         << "\n ours:" << ourState.value(it.key());
            for (auto it = ourState.begin(); it != ourState.end(); ++it)
                if (!gitState.contains(it.key()))
                    qWarning().noquote() << "only ours:" << it.key();
            qWarning().noquote() << context << "\nlog:\n"
                                 << log << "\ngit out:\n"
                                 << git.out << git.err << "\nours out:\n"
                                 << ours.out << ours.err;
        }
        QCOMPARE(ours.exitCode, git.exitCode);
        QCOMPARE(QString::fromUtf8(ours.out), QString::fromUtf8(git.out));
        QCOMPARE(ourState, gitState);

        // The log we wrote, replayed by git, gives the same state again.
        const QByteArray ourLog = repo.git({QStringLiteral("bisect"), QStringLiteral("log")}).out;
        QVERIFY(writeFile(file, ourLog));
        repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
        repo.git({QStringLiteral("bisect"), QStringLiteral("replay"), file});
        QCOMPARE(bisectSnapshot(repo), gitState);
    }

private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
    }

    // Logs written by git during generated sessions, cut at a random step.
    void gitLogsReplayAlike_data() {
        QTest::addColumn<int>("seed");
        for (int s = 0; s < 40; ++s)
            QTest::addRow("seed%d", s) << s;
    }
    void gitLogsReplayAlike() {
        QFETCH(int, seed);
        std::mt19937 rng(static_cast<unsigned>(seed) * 7919u + 1);
        TestRepo repo;
        Generated g;
        QVERIFY(generate(repo, rng, g));
        const int n = static_cast<int>(g.sha.size());
        const int bad = n - 1;
        std::vector<int> pool = strictAncestorsOf(g, bad);
        // Usually an ancestor of bad; a root commit as bad gets an unrelated good.
        const int good = pool.empty() ? 0 : pool[rng() % pool.size()];
        pool.push_back(bad);
        QStringList start{QStringLiteral("bisect"), QStringLiteral("start")};
        QString termBad = QStringLiteral("bad"), termGood = QStringLiteral("good");
        if (seed % 4 == 1) {
            start << QStringLiteral("--term-new=broken") << QStringLiteral("--term-old=fine");
            termBad = QStringLiteral("broken"), termGood = QStringLiteral("fine");
        }
        if (seed % 5 == 2)
            start << QStringLiteral("--first-parent");
        start << g.sha[bad] << g.sha[good];
        repo.git(start);
        const int culprit = pool[rng() % pool.size()];
        const int marks = static_cast<int>(rng() % 6);
        static const QRegularExpression shaLine(QStringLiteral("^\\[([0-9a-f]{40})\\] "),
                                                QRegularExpression::MultilineOption);
        for (int i = 0; i < marks; ++i) {
            const QString head = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
            const int c =
                static_cast<int>(std::find(g.sha.begin(), g.sha.end(), head) - g.sha.begin());
            if (c >= n)
                break;
            const QString verdict = rng() % 4 == 0
                                        ? QStringLiteral("skip")
                                        : (ancestorsOf(g, c).count(culprit) ? termBad : termGood);
            const RunResult r = repo.git({QStringLiteral("bisect"), verdict});
            if (!shaLine.match(QString::fromUtf8(r.out)).hasMatch())
                break;
        }
        const QByteArray log = repo.git({QStringLiteral("bisect"), QStringLiteral("log")}).out;
        QVERIFY(log.contains("git bisect start"));
        compareReplays(repo, log, QStringLiteral("seed %1").arg(seed), seed % 2 == 0);
    }

    // A hand-written log with full shas only, as an external tool would write it.
    void handWrittenLog() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 12; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        const QByteArray log = "# a comment\n"
                               "git bisect start '" +
                               sha[11].toLatin1() + "' '" + sha[0].toLatin1() +
                               "'\n"
                               "  git bisect good " +
                               sha[5].toLatin1() +
                               "\n"
                               "git-bisect skip " +
                               sha[8].toLatin1() +
                               "\n"
                               "not a bisect line, ignored\n";
        compareReplays(repo, log, QStringLiteral("hand-written"), true);
    }

    // --no-checkout: HEAD stays, BISECT_HEAD moves; custom terms given as options.
    void noCheckoutLog() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 20; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        const QByteArray log =
            "git bisect start '--no-checkout' '--term-old=fast' '--term-new=slow' '" +
            sha[19].toLatin1() + "' '" + sha[2].toLatin1() + "'\n" + "git bisect fast " +
            sha[9].toLatin1() + "\n" + "git bisect slow " + sha[15].toLatin1() + "\n";
        compareReplays(repo, log, QStringLiteral("no-checkout"), true);
        QVERIFY(QFile::exists(repo.path() + QStringLiteral("/.git/BISECT_HEAD")));
        QCOMPARE(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), sha[19]);
    }

    // A good that is not an ancestor of bad: start's selection asks for a merge base,
    // and git's replay stops right there (exit 1) without applying later lines.
    void mergeBaseStopsTheReplay() {
        TestRepo repo;
        const QString base = repo.commit(QStringLiteral("base"));
        repo.commit(QStringLiteral("a1"));
        const QString a2 = repo.commit(QStringLiteral("a2"));
        const QString a3 = repo.commit(QStringLiteral("a3"));
        repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
                  QStringLiteral("topic"), base});
        repo.commit(QStringLiteral("t1"));
        const QString t2 = repo.commit(QStringLiteral("t2"));
        repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        const QByteArray log = "git bisect start '" + a3.toLatin1() + "' '" + t2.toLatin1() +
                               "'\ngit bisect good " + a2.toLatin1() + "\n";
        compareReplays(repo, log, QStringLiteral("merge base"), true);
    }

    void badLogsChangeNothing_data() {
        QTest::addColumn<QByteArray>("log");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("unknown commit")
            << QByteArray("git bisect start 'HEAD' 'HEAD~3'\ngit bisect good "
                          "0123456789012345678901234567890123456789\n")
            << QByteArray("line 2");
        QTest::newRow("unknown command")
            << QByteArray("git bisect start 'HEAD' 'HEAD~3'\ngit bisect frobnicate HEAD~1\n")
            << QByteArray("'frobnicate'?? what are you talking about?");
        QTest::newRow("no start") << QByteArray("# nothing here\n")
                                  << QByteArray("no 'git bisect start'");
        QTest::newRow("wrong terms")
            << QByteArray(
                   "git bisect start '--term-new=broken' 'HEAD' 'HEAD~3'\ngit bisect bad HEAD~1\n")
            << QByteArray("'bad'?? what are you talking about?");
        QTest::newRow("unterminated quote")
            << QByteArray("git bisect start 'HEAD\n") << QByteArray("line 1");
        QTest::newRow("binary garbage") << QByteArray("\x00\xff\xfe git bisect \x01\x02\n", 16)
                                        << QByteArray("no 'git bisect start'");
    }
    void badLogsChangeNothing() {
        QFETCH(QByteArray, log);
        QFETCH(QByteArray, message);
        TestRepo repo;
        for (int i = 0; i < 6; ++i)
            repo.commit(QStringLiteral("c%1").arg(i));
        // A bisect in progress that a bad log must not disturb.
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"), QStringLiteral("c5"),
                  QStringLiteral("c0")});
        const auto before = bisectSnapshot(repo);
        const QString file = repo.path() + QStringLiteral("/bad.log");
        QVERIFY(writeFile(file, log));
        const RunResult r = repo.workbench({QStringLiteral("replay"), file});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(message), r.err.constData());
        QCOMPARE(bisectSnapshot(repo), before);
    }

    void missingLogFile() {
        TestRepo repo;
        repo.commit(QStringLiteral("a"));
        const RunResult r =
            repo.workbench({QStringLiteral("replay"), repo.path() + QStringLiteral("/nope.log")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("cannot read"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
