#include "services/git/Worktree.h"
#include "tests/support/TestRepo.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;
using bw::git::Worktree;
using bw::test::TestRepo;

namespace {

Oid oidOf(const QString &hex) {
    return Oid::fromHex(hex).value_or(Oid{});
}

QByteArray readFile(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

QString canonical(const QString &path) {
    return QFileInfo(path).canonicalFilePath();
}

const QString WorktreeName = QStringLiteral("bw-session-1");

} // namespace

class TestWorktree : public QObject {
    Q_OBJECT

private:
    QString m_a, m_b;

    // A: keep.txt, changed.txt = "A", removed.txt        (.gitignore: *.log)
    // B: keep.txt, changed.txt = "B", added.txt, sub/new.txt
    bool makeHistory(TestRepo &r) {
        if (!r.isValid())
            return false;
        r.writeFile(QStringLiteral(".gitignore"), "*.log\n");
        r.writeFile(QStringLiteral("keep.txt"), "same\n");
        r.writeFile(QStringLiteral("changed.txt"), "A\n");
        r.writeFile(QStringLiteral("removed.txt"), "only in A\n");
        r.git({QStringLiteral("add"), QStringLiteral("-A")});
        m_a = r.commit(QStringLiteral("A"));
        r.writeFile(QStringLiteral("changed.txt"), "B\n");
        r.writeFile(QStringLiteral("added.txt"), "only in B\n");
        QDir(r.path()).mkpath(QStringLiteral("sub"));
        r.writeFile(QStringLiteral("sub/new.txt"), "new in B\n");
        r.git({QStringLiteral("rm"), QStringLiteral("-q"), QStringLiteral("removed.txt")});
        r.git({QStringLiteral("add"), QStringLiteral("-A")});
        m_b = r.commit(QStringLiteral("B"));
        return !m_a.isEmpty() && !m_b.isEmpty() && m_a != m_b &&
               r.gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}).isEmpty();
    }

    static void verifyFilesOfA(const QString &dir) {
        QCOMPARE(readFile(dir + QStringLiteral("/keep.txt")), QByteArray("same\n"));
        QCOMPARE(readFile(dir + QStringLiteral("/changed.txt")), QByteArray("A\n"));
        QCOMPARE(readFile(dir + QStringLiteral("/removed.txt")), QByteArray("only in A\n"));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/added.txt")));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/sub/new.txt")));
    }

    static void verifyFilesOfB(const QString &dir) {
        QCOMPARE(readFile(dir + QStringLiteral("/keep.txt")), QByteArray("same\n"));
        QCOMPARE(readFile(dir + QStringLiteral("/changed.txt")), QByteArray("B\n"));
        QCOMPARE(readFile(dir + QStringLiteral("/added.txt")), QByteArray("only in B\n"));
        QCOMPARE(readFile(dir + QStringLiteral("/sub/new.txt")), QByteArray("new in B\n"));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/removed.txt")));
    }

    // HEAD of `dir` is detached at `commit`.
    static void verifyDetachedAt(const TestRepo &r, const QString &dir, const QString &commit) {
        QCOMPARE(r.gitOut({QStringLiteral("-C"), dir, QStringLiteral("rev-parse"),
                           QStringLiteral("HEAD")}),
                 commit);
        QVERIFY(r.git({QStringLiteral("-C"), dir, QStringLiteral("symbolic-ref"),
                       QStringLiteral("-q"), QStringLiteral("HEAD")})
                    .exitCode != 0);
    }

    // The user's work tree: on main at B, clean, files of B, only `main` as branch.
    void verifyMainUntouched(const TestRepo &r) {
        QCOMPARE(r.gitOut({QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}),
                 QStringLiteral("refs/heads/main"));
        QCOMPARE(r.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), m_b);
        QCOMPARE(r.gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        verifyFilesOfB(r.path());
        QCOMPARE(r.gitOut({QStringLiteral("for-each-ref"), QStringLiteral("--format=%(refname)"),
                           QStringLiteral("refs/heads/")}),
                 QStringLiteral("refs/heads/main"));
        const QStringList logs = QDir(r.path() + QStringLiteral("/.git/logs/refs/heads"))
                                     .entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
        QCOMPARE(logs, QStringList{QStringLiteral("main")});
    }

    // How many times `git worktree list` names `dir`.
    static int listed(const TestRepo &r, const QString &dir) {
        const QStringList lines = r.gitOut({QStringLiteral("worktree"), QStringLiteral("list"),
                                            QStringLiteral("--porcelain")})
                                      .split(u'\n');
        return int(lines.count(QStringLiteral("worktree ") + canonical(dir)));
    }

private slots:
    void linkedWorktreeFollowsCommits() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString dir = scratch.path() + QStringLiteral("/nested/wt");

        auto wt = Worktree::linked(r.path(), dir, WorktreeName);
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        QCOMPARE(wt->path(), canonical(dir));
        QVERIFY(!wt->path().endsWith(u'/'));
        // Created at the user's HEAD, detached, with no branch left behind.
        verifyDetachedAt(r, dir, m_b);
        verifyFilesOfB(dir);
        verifyMainUntouched(r);
        QCOMPARE(listed(r, dir), 1);
        QVERIFY(QFileInfo(r.path() + QStringLiteral("/.git/worktrees/") + WorktreeName).isDir());

        // Build products: an untracked file and an ignored one.
        QVERIFY(QDir(dir).mkpath(QStringLiteral("build")));
        QVERIFY(test::writeFile(dir + QStringLiteral("/build/out.o"), "object"));
        QVERIFY(test::writeFile(dir + QStringLiteral("/make.log"), "log"));

        auto status = wt->checkout(oidOf(m_a));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfA(dir);
        verifyDetachedAt(r, dir, m_a);
        QCOMPARE(readFile(dir + QStringLiteral("/build/out.o")), QByteArray("object"));
        QCOMPARE(readFile(dir + QStringLiteral("/make.log")), QByteArray("log"));
        verifyMainUntouched(r);

        // A tracked file changed by the build is forced back to the commit's content.
        QVERIFY(test::writeFile(dir + QStringLiteral("/keep.txt"), "scribbled\n"));
        status = wt->checkout(oidOf(m_b));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfB(dir);
        verifyDetachedAt(r, dir, m_b);
        QCOMPARE(readFile(dir + QStringLiteral("/build/out.o")), QByteArray("object"));
        QCOMPARE(readFile(dir + QStringLiteral("/make.log")), QByteArray("log"));
        // git agrees: the index matches HEAD, only the build directory is untracked.
        QCOMPARE(r.gitOut({QStringLiteral("-C"), dir, QStringLiteral("status"),
                           QStringLiteral("--porcelain")}),
                 QStringLiteral("?? build/"));
        QCOMPARE(listed(r, dir), 1);
        verifyMainUntouched(r);

        status = wt->checkout(oidOf(m_a));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfA(dir);
        verifyDetachedAt(r, dir, m_a);
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/sub")));
        verifyMainUntouched(r);
    }

    void reopeningReusesTheWorktree() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString dir = scratch.path() + QStringLiteral("/wt");
        {
            auto wt = Worktree::linked(r.path(), dir, WorktreeName);
            QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
            auto status = wt->checkout(oidOf(m_a));
            QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
            QVERIFY(QDir(dir).mkpath(QStringLiteral("build")));
            QVERIFY(test::writeFile(dir + QStringLiteral("/build/out.o"), "object"));
        }
        // The same path, relative to the repository's parent this time.
        const QString again = dir + QStringLiteral("/../wt/");
        auto wt = Worktree::linked(r.path(), again, WorktreeName);
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        QCOMPARE(wt->path(), canonical(dir));
        // Nothing was checked out again: still A, build products kept.
        verifyDetachedAt(r, dir, m_a);
        verifyFilesOfA(dir);
        QCOMPARE(readFile(dir + QStringLiteral("/build/out.o")), QByteArray("object"));
        QCOMPARE(listed(r, dir), 1);

        auto status = wt->checkout(oidOf(m_b));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfB(dir);
        QCOMPARE(readFile(dir + QStringLiteral("/build/out.o")), QByteArray("object"));
        verifyMainUntouched(r);
    }

    // A run killed in a checkout leaves HEAD.lock or index.lock in the worktree's entry,
    // and every later checkout fails on it. Reopening the worktree removes a lock that is
    // stale: at once when it is old, after waiting for a young one to become stale.
    void locksLeftByAKilledCheckoutAreRemoved_data() {
        QTest::addColumn<int>("ageSeconds");
        QTest::newRow("old locks") << 60;
        QTest::newRow("locks made just now") << 0;
    }

    void locksLeftByAKilledCheckoutAreRemoved() {
        QFETCH(int, ageSeconds);
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString dir = scratch.path() + QStringLiteral("/wt");
        const QString admin = r.path() + QStringLiteral("/.git/worktrees/") + WorktreeName;
        const QStringList locks{admin + QStringLiteral("/HEAD.lock"),
                                admin + QStringLiteral("/index.lock")};
        auto first = Worktree::linked(r.path(), dir, WorktreeName);
        QVERIFY2(first, first ? "" : qPrintable(first.error().message()));
        QVERIFY(first->removedLocks().isEmpty());
        auto status = first->checkout(oidOf(m_a));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        const QDateTime made = QDateTime::currentDateTime().addSecs(-ageSeconds);
        for (const QString &lock : locks) {
            QFile f(lock);
            QVERIFY(f.open(QIODevice::WriteOnly));
            QVERIFY(f.setFileTime(made, QFileDevice::FileModificationTime));
        }
        // Beside them, a file that is not a lock stays.
        QVERIFY(test::writeFile(admin + QStringLiteral("/notes"), "mine\n"));
        // The locks do what a killed checkout's would: the open worktree cannot check out.
        QVERIFY(!first->checkout(oidOf(m_b)));

        QElapsedTimer clock;
        clock.start();
        auto wt = Worktree::linked(r.path(), dir, WorktreeName);
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        if (ageSeconds == 0) // a young lock is given the time a live writer would need
            QVERIFY2(clock.elapsed() >= 2500, qPrintable(QString::number(clock.elapsed())));
        QStringList removed = wt->removedLocks();
        removed.sort();
        QStringList expected;
        for (const QString &lock : locks)
            expected << QFileInfo(lock).absoluteFilePath();
        QCOMPARE(removed, expected);
        for (const QString &lock : locks)
            QVERIFY(!QFileInfo::exists(lock));
        QCOMPARE(readFile(admin + QStringLiteral("/notes")), QByteArray("mine\n"));
        status = wt->checkout(oidOf(m_b));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfB(dir);
        verifyDetachedAt(r, dir, m_b);
        verifyMainUntouched(r);
    }

    void staleEntryIsRecreated_data() {
        QTest::addColumn<bool>("keepEmptyDirectory");
        QTest::newRow("directory deleted") << false;
        QTest::newRow("directory emptied") << true;
    }

    void staleEntryIsRecreated() {
        QFETCH(bool, keepEmptyDirectory);
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString dir = scratch.path() + QStringLiteral("/wt");
        {
            auto wt = Worktree::linked(r.path(), dir, WorktreeName);
            QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        }
        QVERIFY(QDir(dir).removeRecursively());
        if (keepEmptyDirectory)
            QVERIFY(QDir().mkpath(dir));
        QVERIFY(QFileInfo(r.path() + QStringLiteral("/.git/worktrees/") + WorktreeName).isDir());

        auto wt = Worktree::linked(r.path(), dir, WorktreeName);
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        verifyFilesOfB(dir);
        verifyDetachedAt(r, dir, m_b);
        auto status = wt->checkout(oidOf(m_a));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfA(dir);
        verifyDetachedAt(r, dir, m_a);
        QCOMPARE(listed(r, dir), 1);
        // git sees a healthy worktree: nothing for `git worktree prune` to do.
        QCOMPARE(r.gitOut({QStringLiteral("worktree"), QStringLiteral("prune"),
                           QStringLiteral("--dry-run"), QStringLiteral("-v")}),
                 QString());
        verifyMainUntouched(r);
    }

    void emptyDirectoryIsUsed() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        auto wt = Worktree::linked(r.path(), scratch.path(), WorktreeName);
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        QCOMPARE(wt->path(), canonical(scratch.path()));
        verifyFilesOfB(scratch.path());
        verifyMainUntouched(r);
    }

    void foreignDirectoryIsRefused() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        QVERIFY(test::writeFile(scratch.path() + QStringLiteral("/precious.txt"), "mine"));

        auto wt = Worktree::linked(r.path(), scratch.path(), WorktreeName);
        QVERIFY(!wt);
        QVERIFY2(wt.error().message().contains(QLatin1String("not empty")),
                 qPrintable(wt.error().message()));
        QVERIFY2(wt.error().message().contains(scratch.path()), qPrintable(wt.error().message()));
        QCOMPARE(
            QDir(scratch.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
            QStringList{QStringLiteral("precious.txt")});
        QCOMPARE(readFile(scratch.path() + QStringLiteral("/precious.txt")), QByteArray("mine"));
        QVERIFY(!QFileInfo::exists(r.path() + QStringLiteral("/.git/worktrees/") + WorktreeName));
        verifyMainUntouched(r);
    }

    void otherWorktreeIsRefused() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString first = scratch.path() + QStringLiteral("/first");
        const QString second = scratch.path() + QStringLiteral("/second");
        {
            auto wt = Worktree::linked(r.path(), first, WorktreeName);
            QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        }
        // The name is taken by a live worktree elsewhere.
        auto taken = Worktree::linked(r.path(), second, WorktreeName);
        QVERIFY(!taken);
        QVERIFY2(taken.error().message().contains(QLatin1String("already used")),
                 qPrintable(taken.error().message()));
        QVERIFY(!QFileInfo::exists(second));
        // The directory is a worktree of the repository, but under another name.
        auto renamed = Worktree::linked(r.path(), first, QStringLiteral("other-name"));
        QVERIFY(!renamed);
        QVERIFY2(renamed.error().message().contains(QLatin1String("not empty")),
                 qPrintable(renamed.error().message()));
        QCOMPARE(listed(r, first), 1);
        verifyFilesOfB(first);
        verifyMainUntouched(r);
    }

    void invalidNameIsRefused() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        for (const QString &name : {QString(), QStringLiteral("a/b"), QStringLiteral("..")}) {
            auto wt = Worktree::linked(r.path(), scratch.path() + QStringLiteral("/wt"), name);
            QVERIFY(!wt);
        }
        QVERIFY(!QFileInfo::exists(scratch.path() + QStringLiteral("/wt")));
    }

    void notARepositoryIsRefused() {
        QTemporaryDir dir, scratch;
        QVERIFY(dir.isValid() && scratch.isValid());
        auto wt =
            Worktree::linked(dir.path(), scratch.path() + QStringLiteral("/wt"), WorktreeName);
        QVERIFY(!wt);
        QVERIFY2(wt.error().message().contains(QLatin1String("not a git repository")),
                 qPrintable(wt.error().message()));
        auto in = Worktree::inPlace(dir.path());
        QVERIFY(!in);
    }

    void inPlaceChecksOutCleanTree() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        auto wt = Worktree::inPlace(r.path());
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        QCOMPARE(wt->path(), canonical(r.path()));
        // Untracked and ignored files do not make the tree dirty, and survive.
        QVERIFY(QDir(r.path()).mkpath(QStringLiteral("build")));
        QVERIFY(r.writeFile(QStringLiteral("build/out.o"), "object"));
        QVERIFY(r.writeFile(QStringLiteral("make.log"), "log"));

        auto status = wt->checkout(oidOf(m_a));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfA(r.path());
        verifyDetachedAt(r, r.path(), m_a);
        QCOMPARE(readFile(r.path() + QStringLiteral("/build/out.o")), QByteArray("object"));
        QCOMPARE(readFile(r.path() + QStringLiteral("/make.log")), QByteArray("log"));
        QCOMPARE(r.gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}),
                 QStringLiteral("?? build/"));

        status = wt->checkout(oidOf(m_b));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfB(r.path());
        verifyDetachedAt(r, r.path(), m_b);
        QCOMPARE(readFile(r.path() + QStringLiteral("/build/out.o")), QByteArray("object"));
    }

    void inPlaceRefusesLocalChanges() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        auto wt = Worktree::inPlace(r.path());
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        QVERIFY(r.writeFile(QStringLiteral("keep.txt"), "my edit\n"));

        auto status = wt->checkout(oidOf(m_a));
        QVERIFY(!status);
        QVERIFY2(status.error().message().contains(QLatin1String("keep.txt")),
                 qPrintable(status.error().message()));
        QVERIFY2(status.error().message().contains(m_a), qPrintable(status.error().message()));
        QCOMPARE(readFile(r.path() + QStringLiteral("/keep.txt")), QByteArray("my edit\n"));
        QCOMPARE(r.gitOut({QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}),
                 QStringLiteral("refs/heads/main"));
        QCOMPARE(r.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), m_b);
        QCOMPARE(readFile(r.path() + QStringLiteral("/added.txt")), QByteArray("only in B\n"));

        // A staged change is a local change too.
        QVERIFY(r.writeFile(QStringLiteral("keep.txt"), "same\n"));
        QVERIFY(r.writeFile(QStringLiteral("changed.txt"), "staged\n"));
        r.git({QStringLiteral("add"), QStringLiteral("changed.txt")});
        status = wt->checkout(oidOf(m_a));
        QVERIFY(!status);
        QVERIFY2(status.error().message().contains(QLatin1String("changed.txt")),
                 qPrintable(status.error().message()));
        QVERIFY2(!status.error().message().contains(QLatin1String("keep.txt")),
                 qPrintable(status.error().message()));
        QCOMPARE(readFile(r.path() + QStringLiteral("/changed.txt")), QByteArray("staged\n"));
        QCOMPARE(r.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), m_b);
    }

    void inPlaceRefusesBareRepository() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString bare = scratch.path() + QStringLiteral("/bare.git");
        QCOMPARE(r.git({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--bare"),
                        r.path(), bare})
                     .exitCode,
                 0);
        auto wt = Worktree::inPlace(bare);
        QVERIFY(!wt);
        QVERIFY2(wt.error().message().contains(QLatin1String("bare")),
                 qPrintable(wt.error().message()));
    }

    void linkedWorktreeOfBareRepository() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString bare = scratch.path() + QStringLiteral("/bare.git");
        const QString dir = scratch.path() + QStringLiteral("/wt");
        QCOMPARE(r.git({QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--bare"),
                        r.path(), bare})
                     .exitCode,
                 0);
        auto wt = Worktree::linked(bare, dir, WorktreeName);
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        auto status = wt->checkout(oidOf(m_a));
        QVERIFY2(status, status ? "" : qPrintable(status.error().message()));
        verifyFilesOfA(dir);
        verifyDetachedAt(r, dir, m_a);
        QCOMPARE(r.gitOut({QStringLiteral("-C"), bare, QStringLiteral("for-each-ref"),
                           QStringLiteral("--format=%(refname)"), QStringLiteral("refs/heads/")}),
                 QStringLiteral("refs/heads/main"));
        QCOMPARE(r.gitOut({QStringLiteral("-C"), bare, QStringLiteral("rev-parse"),
                           QStringLiteral("HEAD")}),
                 m_b);
    }

    void unknownCommitIsAnError() {
        TestRepo r;
        QVERIFY(makeHistory(r));
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString dir = scratch.path() + QStringLiteral("/wt");
        auto wt = Worktree::linked(r.path(), dir, WorktreeName);
        QVERIFY2(wt, wt ? "" : qPrintable(wt.error().message()));
        const QString unknown = QStringLiteral("0123456789abcdef0123456789abcdef01234567");
        auto status = wt->checkout(oidOf(unknown));
        QVERIFY(!status);
        QVERIFY2(status.error().message().contains(unknown), qPrintable(status.error().message()));
        QVERIFY(!status.error().detail.isEmpty());
        verifyDetachedAt(r, dir, m_b);
        verifyFilesOfB(dir);

        auto in = Worktree::inPlace(r.path());
        QVERIFY2(in, in ? "" : qPrintable(in.error().message()));
        status = in->checkout(oidOf(unknown));
        QVERIFY(!status);
        QVERIFY2(status.error().message().contains(unknown), qPrintable(status.error().message()));
        verifyMainUntouched(r);
    }
};

QTEST_GUILESS_MAIN(TestWorktree)
#include "tst_worktree.moc"
