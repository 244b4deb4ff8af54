// The command line: --version/--help, `next` and `replay` on bad input, and the
// first-bad report for commits with real changes, against the git binary.

#include "tests/support/TestRepo.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTest>

using bw::test::RunResult;
using bw::test::TestRepo;

namespace {

// Every file under .git/ that bisect state lives in, with contents, to prove that a
// command changed nothing.
QMap<QString, QByteArray> bisectState(const TestRepo &repo) {
    QMap<QString, QByteArray> state;
    QDirIterator it(repo.path() + QStringLiteral("/.git"), QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.contains(QStringLiteral("BISECT_")) ||
            path.contains(QStringLiteral("refs/bisect")) ||
            path.endsWith(QStringLiteral("/HEAD")) ||
            path.endsWith(QStringLiteral("packed-refs"))) {
            QFile f(path);
            if (f.open(QIODevice::ReadOnly))
                state.insert(path, f.readAll());
        }
    }
    return state;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
    }

    void versionAndHelp() {
        TestRepo repo;
        RunResult r = repo.workbench({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("bisect-workbench "));
        r = repo.workbench({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("next [--repo DIR]"));
        QVERIFY(r.out.contains("replay"));
        r = repo.workbench({QStringLiteral("next"), QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--repo"));
        r = repo.workbench({QStringLiteral("next"), QStringLiteral("--bogus")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("bogus"));
    }

    void nextOutsideARepository() {
        QTemporaryDir dir;
        const RunResult r =
            bw::test::run(TestRepo::workbenchBinary(),
                          {QStringLiteral("next"), QStringLiteral("--repo"), dir.path()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("is not a git repository"), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void nextWithoutABisectMatchesGit() {
        TestRepo repo;
        repo.commit(QStringLiteral("a"));
        const RunResult git = repo.git({QStringLiteral("bisect"), QStringLiteral("next")});
        const RunResult ours = repo.workbench({QStringLiteral("next")});
        QCOMPARE(ours.exitCode, git.exitCode);
        QCOMPARE(ours.err, git.err);
        QCOMPARE(ours.out, git.out);
    }

    void nextWithMissingMarksMatchesGit() {
        TestRepo repo;
        for (const char *n : {"a", "b", "c", "d", "e"})
            repo.commit(QString::fromLatin1(n));
        repo.git({QStringLiteral("bisect"), QStringLiteral("start")});
        repo.git({QStringLiteral("bisect"), QStringLiteral("good"), QStringLiteral("b")});
        RunResult git = repo.git({QStringLiteral("bisect"), QStringLiteral("next")});
        RunResult ours = repo.workbench({QStringLiteral("next")});
        QCOMPARE(ours.exitCode, git.exitCode);
        QCOMPARE(ours.err, git.err);
        // Only a bad commit: git warns and bisects every ancestor of bad.
        repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
        repo.git({QStringLiteral("bisect"), QStringLiteral("start")});
        repo.git({QStringLiteral("bisect"), QStringLiteral("bad"), QStringLiteral("e")});
        git = repo.git({QStringLiteral("bisect"), QStringLiteral("next")});
        repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        ours = repo.workbench({QStringLiteral("next")});
        QCOMPARE(ours.exitCode, git.exitCode);
        QCOMPARE(ours.out, git.out);
        QVERIFY(git.err.contains(ours.err));
    }

    void nextChangesNothing() {
        TestRepo repo;
        for (const char *n : {"a", "b", "c", "d", "e", "f"})
            repo.commit(QString::fromLatin1(n));
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"), QStringLiteral("f"),
                  QStringLiteral("a")});
        repo.git({QStringLiteral("bisect"), QStringLiteral("skip")});
        const auto before = bisectState(repo);
        QVERIFY(!before.isEmpty());
        const RunResult r = repo.workbench({QStringLiteral("next")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("Bisecting: "));
        QCOMPARE(bisectState(repo), before);
    }

    // A commit with real changes: the report after "is the first bad commit" is git's
    // diff-tree summary (header, message, diffstat).
    void firstBadReportWithChanges() {
        TestRepo repo;
        for (int i = 0; i < 6; ++i) {
            QVERIFY(repo.writeFile(QStringLiteral("file%1.txt").arg(i % 2),
                                   QByteArray("line\n").repeated(i + 1)));
            repo.git({QStringLiteral("add"), QStringLiteral(".")});
            repo.tick(60);
            repo.git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"),
                      QStringLiteral("change %1\n\nA body line.\n\nAnother paragraph.").arg(i)});
        }
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"), QStringLiteral("HEAD"),
                  QStringLiteral("HEAD~5")});
        // The culprit is "change 3"; answer by ancestry until git names it.
        const QString culprit =
            repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("main~2")});
        RunResult git;
        for (int i = 0; i < 5 && !git.out.contains("is the first"); ++i) {
            const bool bad =
                repo.git({QStringLiteral("merge-base"), QStringLiteral("--is-ancestor"), culprit,
                          QStringLiteral("HEAD")})
                    .exitCode == 0;
            git = repo.git(
                {QStringLiteral("bisect"), bad ? QStringLiteral("bad") : QStringLiteral("good")});
        }
        QVERIFY2(git.out.startsWith(culprit.toLatin1() + " is the first bad commit"),
                 git.out.constData());
        const RunResult ours = repo.workbench({QStringLiteral("next")});
        QCOMPARE(QString::fromUtf8(ours.out), QString::fromUtf8(git.out));
        QCOMPARE(ours.exitCode, 0);
    }

    // A shallow clone's boundary would turn into fake roots: refused with a clear message.
    void nextInAShallowClone() {
        TestRepo origin;
        for (int i = 0; i < 8; ++i)
            origin.commit(QStringLiteral("c%1").arg(i));
        QTemporaryDir dir;
        const QString clone = dir.path() + QStringLiteral("/shallow");
        QCOMPARE(origin
                     .git({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--depth"),
                           QStringLiteral("3"), QStringLiteral("file://") + origin.path(), clone})
                     .exitCode,
                 0);
        const RunResult start = bw::test::run(QStringLiteral("git"),
                                              {QStringLiteral("-C"), clone,
                                               QStringLiteral("bisect"), QStringLiteral("start"),
                                               QStringLiteral("HEAD"), QStringLiteral("HEAD~2")},
                                              {}, origin.env());
        QCOMPARE(start.exitCode, 0);
        const RunResult r = bw::test::run(
            TestRepo::workbenchBinary(), {QStringLiteral("next"), QStringLiteral("--repo"), clone});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("shallow"), r.err.constData());
    }

    // Broken state files: a clear error, not a crash or a wrong answer.
    void nextWithCorruptState() {
        TestRepo repo;
        for (int i = 0; i < 5; ++i)
            repo.commit(QStringLiteral("c%1").arg(i));
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"), QStringLiteral("c4"),
                  QStringLiteral("c0")});
        QFile terms(repo.path() + QStringLiteral("/.git/BISECT_TERMS"));
        QVERIFY(terms.open(QIODevice::WriteOnly));
        terms.write("bad\n");
        terms.close();
        RunResult r = repo.workbench({QStringLiteral("next")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error: "), r.err.constData());
        QVERIFY(r.out.isEmpty());

        repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"), QStringLiteral("c4"),
                  QStringLiteral("c0")});
        // A good ref naming an object that does not exist.
        QFile ref(repo.path() + QStringLiteral("/.git/refs/bisect/good-") + QString(40, u'1'));
        QVERIFY(ref.open(QIODevice::WriteOnly));
        ref.write(QByteArray(40, '1') + "\n");
        ref.close();
        r = repo.workbench({QStringLiteral("next")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("error: "), r.err.constData());
    }

    void nextRejectsPositionalArguments() {
        TestRepo repo;
        const RunResult r = repo.workbench({QStringLiteral("next"), QStringLiteral("extra")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("no arguments"));
    }

    void unknownCommandFailsClearly() {
        TestRepo repo;
        const RunResult r = repo.workbench({QStringLiteral("frobnicate")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("unknown command 'frobnicate'"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
