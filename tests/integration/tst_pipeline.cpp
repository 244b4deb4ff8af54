// The step pipeline end to end: `bisect-workbench run` and `script` on generated
// repositories with planted regressions, against `git bisect run` with an equivalent
// script on a clone (same commit ids), plus hangs, odd exit codes, hostile subjects, a
// nix build, recipe mistakes, and a session resumed after `kill -9`.

#include "services/pipeline/SessionDirectory.h"
#include "tests/support/SessionProbe.h"
#include "tests/support/TestRepo.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/types.h>

using bw::test::culpritIn;
using bw::test::journal;
using bw::test::markLines;
using bw::test::RunResult;
using bw::test::TestRepo;

namespace {

// Commits one new file per commit (so merges never conflict) plus `extra` files, and
// removes `remove`; tags it `name`.
QString commitFiles(TestRepo &repo, const QString &name, const QStringList &extra = {},
                    const QStringList &remove = {}) {
    for (const QString &f : remove)
        repo.git({QStringLiteral("rm"), QStringLiteral("-q"), f});
    repo.writeFile(QStringLiteral("f-") + name, name.toUtf8());
    for (const QString &f : extra)
        repo.writeFile(f, "1\n");
    repo.git({QStringLiteral("add"), QStringLiteral("-A")});
    return repo.commit(name);
}

// main: m0 … m{n-1}; every 6th commit merges a 3-commit topic branch that forked 4
// commits earlier. `bug` appears in the commit named `culprit` (main or topic) and
// stays; `skipme` files mark commits whose test should say 125.
struct History {
    QStringList order; // names in commit order
    QString culprit;
};

History makeHistory(TestRepo &repo, int n, const QString &culprit,
                    const QStringList &skipNames = {}) {
    History h;
    h.culprit = culprit;
    bool bugIn = false;
    QStringList topicQueue;
    auto extra = [&](const QString &name) {
        QStringList e;
        if (name == culprit)
            bugIn = true;
        if (name == culprit)
            e << QStringLiteral("bug");
        if (skipNames.contains(name))
            e << QStringLiteral("skipme");
        return e;
    };
    auto removeSkip = [&](const QString &name) {
        // skipme lives in exactly the named commits
        Q_UNUSED(name);
        return QFile::exists(repo.path() + QStringLiteral("/skipme"))
                   ? QStringList{QStringLiteral("skipme")}
                   : QStringList{};
    };
    for (int i = 0; i < n; ++i) {
        const QString name = QStringLiteral("m%1").arg(i);
        if (i > 0 && i % 6 == 0) {
            const QString base = QStringLiteral("m%1").arg(i - 4);
            const QString branch = QStringLiteral("topic%1").arg(i);
            repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
                      branch, base});
            for (int t = 0; t < 3; ++t) {
                const QString tn = QStringLiteral("t%1-%2").arg(i).arg(t);
                const QStringList rm = removeSkip(tn);
                commitFiles(repo, tn, extra(tn), rm);
                h.order << tn;
            }
            repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
            const QStringList rm = removeSkip(name);
            const QStringList e = extra(name);
            commitFiles(repo, QStringLiteral("pre-") + name, e, rm);
            h.order << QStringLiteral("pre-") + name;
            repo.merge(name, branch);
            h.order << name;
            continue;
        }
        const QStringList rm = removeSkip(name);
        commitFiles(repo, name, extra(name), rm);
        h.order << name;
    }
    Q_UNUSED(bugIn);
    return h;
}

QString writeScript(const QString &dir, const QString &name, const QByteArray &body) {
    const QString path = dir + u'/' + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write("#!/bin/sh\n" + body);
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeUser);
    return path;
}

// A clone with the same commit ids, for `git bisect run`.
struct Clone {
    QTemporaryDir dir;
    QString path;
};

std::unique_ptr<Clone> cloneOf(const TestRepo &repo) {
    auto c = std::make_unique<Clone>();
    c->path = c->dir.path() + QStringLiteral("/clone");
    bw::test::run(QStringLiteral("git"),
                  {QStringLiteral("clone"), QStringLiteral("-q"), repo.path(), c->path}, {},
                  repo.env());
    return c;
}

RunResult gitIn(const QString &dir, const TestRepo &repo, const QStringList &args) {
    return bw::test::run(QStringLiteral("git"), args, dir, repo.env());
}

struct GitRun {
    int exitCode = -1;
    QString out, err;
    QString culprit;
    int steps = 0;
    QStringList marks; // "git bisect <term> <sha>" lines of BISECT_LOG
};

QString readFile(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

GitRun gitBisectRun(const TestRepo &repo, const QString &bad, const QString &good,
                    const QStringList &cmd) {
    auto clone = cloneOf(repo);
    GitRun g;
    gitIn(clone->path, repo, {QStringLiteral("bisect"), QStringLiteral("start"), bad, good});
    RunResult r = gitIn(clone->path, repo,
                        QStringList{QStringLiteral("bisect"), QStringLiteral("run")} + cmd);
    g.exitCode = r.exitCode;
    g.out = QString::fromUtf8(r.out);
    g.err = QString::fromUtf8(r.err);
    g.culprit = culpritIn(g.out);
    g.steps = g.out.count(QStringLiteral("running "));
    g.marks = markLines(readFile(clone->path + QStringLiteral("/.git/BISECT_LOG")));
    return g;
}

struct OurRun {
    int exitCode = -1;
    QString out, err;
    QString culprit;
    QStringList marks;
};

OurRun ours(const TestRepo &repo, const QStringList &args) {
    OurRun o;
    const RunResult r = repo.workbench(args);
    o.exitCode = r.exitCode;
    o.out = QString::fromUtf8(r.out);
    o.err = QString::fromUtf8(r.err);
    o.culprit = culpritIn(o.out);
    o.marks = markLines(readFile(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
    return o;
}

QString sessionStatus(const QString &session) {
    auto dir = bw::pipeline::SessionDirectory::open(session);
    if (!dir)
        return {};
    auto info = dir->readInfo();
    return info ? info->status : QString();
}

bool processGone(qint64 pid) {
    if (::kill(static_cast<pid_t>(pid), 0) != 0)
        return true;
    // A zombie waiting for init is gone for our purposes.
    const QString stat = readFile(QStringLiteral("/proc/%1/stat").arg(pid));
    return stat.section(u')', 1).trimmed().startsWith(u'Z');
}

bool waitFor(const std::function<bool()> &condition, int timeoutMs) {
    return QTest::qWaitFor(condition, timeoutMs);
}

} // namespace

class TestPipeline : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;

private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
        QVERIFY(m_scratch.isValid());
    }

    // `script` and `run` agree with `git bisect run` step for step: the same commits
    // marked in the same order, the same culprit.
    void scriptMatchesGitBisectRun_data() {
        QTest::addColumn<int>("commits");
        QTest::addColumn<QString>("culprit");
        QTest::addColumn<QStringList>("skips");
        QTest::newRow("linear-ish, culprit on main")
            << 20 << QStringLiteral("m13") << QStringList{};
        QTest::newRow("culprit on a topic branch")
            << 26 << QStringLiteral("t12-1") << QStringList{};
        QTest::newRow("with skipped commits")
            << 26 << QStringLiteral("m19")
            << QStringList{QStringLiteral("m5"), QStringLiteral("t12-0"), QStringLiteral("m16"),
                           QStringLiteral("m22")};
    }
    void scriptMatchesGitBisectRun() {
        QFETCH(int, commits);
        QFETCH(QString, culprit);
        QFETCH(QStringList, skips);
        TestRepo repo;
        QVERIFY(repo.isValid());
        makeHistory(repo, commits, culprit, skips);
        const QString bad = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        const QString good = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("m0")});
        const QString script = writeScript(m_scratch.path(), QStringLiteral("t-%1.sh").arg(culprit),
                                           "test -e skipme && exit 125\ntest ! -e bug\n");
        const GitRun git = gitBisectRun(repo, bad, good, {script});
        QCOMPARE(git.exitCode, 0);
        QVERIFY2(!git.culprit.isEmpty(), qPrintable(git.out));

        const QString headBefore =
            repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        const OurRun o = ours(repo, {QStringLiteral("script"), QStringLiteral("--bad"), bad,
                                     QStringLiteral("--good"), good, QStringLiteral("--session"),
                                     m_scratch.path() + QStringLiteral("/s-") + culprit,
                                     QStringLiteral("--"), script});
        QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
        QCOMPARE(o.culprit, git.culprit);
        QCOMPARE(o.culprit, repo.gitOut({QStringLiteral("rev-parse"), culprit}));
        QCOMPARE(o.out.count(QStringLiteral("running ")), git.steps);
        QCOMPARE(o.marks, git.marks);
        QVERIFY(o.out.contains(QStringLiteral("bisect found first bad commit")));
        // worktree mode: the user's HEAD and files are untouched, and `git bisect log`
        // in the user's work tree shows the session
        QCOMPARE(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), headBefore);
        QCOMPARE(repo.gitOut({QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        QCOMPARE(markLines(repo.gitOut({QStringLiteral("bisect"), QStringLiteral("log")})),
                 git.marks);

        // `run` with a recipe doing the same: same marks again.
        repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
        const QString recipe = m_scratch.path() + QStringLiteral("/r-%1.toml").arg(culprit);
        // (a skip in `run` comes from the build stage, the recipe way)
        QVERIFY(bw::test::writeFile(recipe,
                                    "[build]\nkind = \"command\"\ncommand = [\"sh\", \"-c\", "
                                    "\"test ! -e skipme\"]\n"
                                    "[test]\ncommand = [\"sh\", \"-c\", \"test ! -e bug\"]\n"));
        const OurRun r = ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                                     QStringLiteral("--bad"), bad, QStringLiteral("--good"), good,
                                     QStringLiteral("--session"),
                                     m_scratch.path() + QStringLiteral("/r-") + culprit});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QCOMPARE(r.culprit, git.culprit);
        QCOMPARE(r.marks, git.marks);
    }

    // A script that says 127 on bad commits only: git's double-check on a good commit
    // sees 0 there, so 127 counts as bad, like git.
    void exit127OnlyOnBadCommitsIsBad() {
        TestRepo repo;
        makeHistory(repo, 14, QStringLiteral("m9"));
        const QString bad = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        const QString good = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("m0")});
        const QString script = writeScript(m_scratch.path(), QStringLiteral("t127.sh"),
                                           "test -e bug && exit 127\nexit 0\n");
        const GitRun git = gitBisectRun(repo, bad, good, {script});
        const OurRun o = ours(repo, {QStringLiteral("script"), QStringLiteral("--bad"), bad,
                                     QStringLiteral("--good"), good, QStringLiteral("--"), script});
        QCOMPARE(git.exitCode, 0);
        QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
        QCOMPARE(o.culprit, git.culprit);
        QCOMPARE(o.marks, git.marks);
    }

    // A missing script gives 127 everywhere: caught by the double-check, no culprit.
    void missingScriptIsCaught() {
        TestRepo repo;
        makeHistory(repo, 10, QStringLiteral("m5"));
        const QString bad = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        const QString good = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("m0")});
        const QStringList cmd{QStringLiteral("./no-such-script.sh")};
        const GitRun git = gitBisectRun(repo, bad, good, cmd);
        const OurRun o =
            ours(repo, QStringList{QStringLiteral("script"), QStringLiteral("--bad"), bad,
                                   QStringLiteral("--good"), good, QStringLiteral("--")} +
                           cmd);
        QVERIFY(git.exitCode != 0);
        QVERIFY2(git.err.contains(QStringLiteral("bogus exit code 127 for good revision")),
                 qPrintable(git.err));
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QStringLiteral("bogus exit code 127 for good revision")),
                 qPrintable(o.err));
        QVERIFY(o.culprit.isEmpty());
        QVERIFY(o.marks.isEmpty()); // no verdict was recorded for the 127
    }

    // Exit codes >= 128 stop the run like git's.
    void exit200Aborts() {
        TestRepo repo;
        makeHistory(repo, 8, QStringLiteral("m5"));
        const QString bad = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        const QString good = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("m0")});
        const QString script =
            writeScript(m_scratch.path(), QStringLiteral("t200.sh"), "exit 200\n");
        const GitRun git = gitBisectRun(repo, bad, good, {script});
        const OurRun o = ours(repo, {QStringLiteral("script"), QStringLiteral("--bad"), bad,
                                     QStringLiteral("--good"), good, QStringLiteral("--"), script});
        const QString message =
            QStringLiteral("bisect run failed: exit code 200 from ' '%1'' is < 0 or >= 128")
                .arg(script);
        QVERIFY(git.exitCode != 0);
        QVERIFY2(git.err.contains(message), qPrintable(git.err));
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(message), qPrintable(o.err));
        QVERIFY(o.marks.isEmpty());
        QCOMPARE(git.marks, o.marks);
    }

    // Every commit left is skipped: exit 2, like git.
    void onlySkippedExitsTwo() {
        TestRepo repo;
        makeHistory(repo, 6, QStringLiteral("m4"));
        const QString bad = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("m5")});
        const QString good = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("m1")});
        const QString script =
            writeScript(m_scratch.path(), QStringLiteral("t125.sh"), "exit 125\n");
        const GitRun git = gitBisectRun(repo, bad, good, {script});
        const OurRun o = ours(repo, {QStringLiteral("script"), QStringLiteral("--bad"), bad,
                                     QStringLiteral("--good"), good, QStringLiteral("--"), script});
        QCOMPARE(git.exitCode, 2);
        QCOMPARE(o.exitCode, 2);
        QVERIFY(o.out.contains(QStringLiteral("There are only 'skip'ped commits left to test.")));
        QVERIFY2(o.out.contains(QStringLiteral("bisect run cannot continue any more")),
                 qPrintable(o.out));
        QCOMPARE(o.marks, git.marks);
    }

    // A build that hangs with children is killed at its timeout (children too) and
    // skipped; a test that hangs is killed and counts as bad.
    void hangingBuildIsKilledAndSkipped() {
        TestRepo repo;
        commitFiles(repo, QStringLiteral("c0"));
        commitFiles(repo, QStringLiteral("c1"), {QStringLiteral("hang")});
        commitFiles(repo, QStringLiteral("c2"), {QStringLiteral("hang")});
        commitFiles(repo, QStringLiteral("c3"), {}, {QStringLiteral("hang")});
        const QString session = m_scratch.path() + QStringLiteral("/hang-build");
        const QString recipe = m_scratch.path() + QStringLiteral("/hang-build.toml");
        QVERIFY(bw::test::writeFile(
            recipe,
            "[build]\ncommand = 'if [ -e hang ]; then sleep 300 & echo $! >> \"$BW_SESSION/pids\"; "
            "sleep 300 & echo $! >> \"$BW_SESSION/pids\"; wait; fi'\ntimeout = \"2s\"\n"
            "[test]\ncommand = [\"true\"]\n"));
        QElapsedTimer timer;
        timer.start();
        const OurRun o =
            ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c3"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"), session});
        QVERIFY2(o.exitCode == 2, qPrintable(o.out + o.err));
        QVERIFY2(timer.elapsed() < 60000, "the hung builds were not cut at their timeout");
        const auto steps = journal(session);
        QCOMPARE(steps.size(), 2);
        for (const QJsonObject &s : steps) {
            QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("skip"));
            QCOMPARE(s.value(u"reason").toString(), QStringLiteral("build timed out after 2s"));
        }
        const QStringList pids =
            readFile(session + QStringLiteral("/pids")).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(pids.size(), 4);
        for (const QString &pid : pids)
            QVERIFY2(waitFor([&] { return processGone(pid.toLongLong()); }, 5000),
                     qPrintable(QStringLiteral("child %1 survived").arg(pid)));
    }

    void hangingTestIsKilledAndBad() {
        TestRepo repo;
        for (int i = 0; i < 10; ++i)
            commitFiles(repo, QStringLiteral("c%1").arg(i),
                        i == 6 ? QStringList{QStringLiteral("bug")} : QStringList{});
        const QString session = m_scratch.path() + QStringLiteral("/hang-test");
        const QString recipe = m_scratch.path() + QStringLiteral("/hang-test.toml");
        QVERIFY(bw::test::writeFile(
            recipe,
            "[test]\ncommand = 'if [ -e bug ]; then sleep 300 & echo $! >> \"$BW_SESSION/pids\"; "
            "wait; fi'\ntimeout = \"2s\"\nrepeat = 2\n"));
        const OurRun o =
            ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c9"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"), session});
        QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
        QCOMPARE(o.culprit, repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c6")}));
        int bad = 0;
        for (const QJsonObject &s : journal(session)) {
            if (s.value(u"verdict").toString() == u"bad") {
                ++bad;
                QCOMPARE(s.value(u"reason").toString(),
                         QStringLiteral("test iteration 1/2 timed out after 2s"));
            } else {
                QCOMPARE(s.value(u"reason").toString(),
                         QStringLiteral("test passed all 2 iterations"));
            }
        }
        QVERIFY(bad >= 1);
        for (const QString &pid :
             readFile(session + QStringLiteral("/pids")).split(u'\n', Qt::SkipEmptyParts))
            QVERIFY2(waitFor([&] { return processGone(pid.toLongLong()); }, 5000),
                     qPrintable(QStringLiteral("child %1 survived").arg(pid)));
    }

    // Commit subjects are data: substituted into a shell string they are quoted, in an
    // argv element they stay one argument.
    void hostileSubjectsAreNeverExecuted() {
        TestRepo repo;
        const QStringList subjects{
            QStringLiteral("$(touch pwned1)"), QStringLiteral("`touch pwned2`"),
            QStringLiteral("'; touch pwned3; '"), QStringLiteral("x\"; touch pwned4; \"")};
        commitFiles(repo, QStringLiteral("c0"));
        for (int i = 0; i < subjects.size(); ++i) {
            repo.writeFile(QStringLiteral("f%1").arg(i), "x");
            if (i == 2)
                repo.writeFile(QStringLiteral("bug"), "x");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            repo.git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"),
                      subjects[i]});
        }
        commitFiles(repo, QStringLiteral("c9"));
        const QString session = m_scratch.path() + QStringLiteral("/hostile");
        const QString recipe = m_scratch.path() + QStringLiteral("/hostile.toml");
        QVERIFY(bw::test::writeFile(
            recipe,
            "[build]\ncommand = 'printf \"%s\\n\" ${subject} >> \"$BW_SESSION/shell.txt\"'\n"
            "[test]\ncommand = [\"sh\", \"-c\", \"printf '%s\\\\n' \\\"$1\\\" >> "
            "\\\"$BW_SESSION/argv.txt\\\"; "
            "test ! -e bug\", \"sh\", \"${subject}\"]\n"));
        const OurRun o =
            ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c9"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"), session});
        QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
        QStringList tested;
        for (const QJsonObject &s : journal(session))
            tested << s.value(u"subject").toString();
        QVERIFY(tested.size() >= 2);
        const QStringList shellSeen =
            readFile(session + QStringLiteral("/shell.txt")).split(u'\n', Qt::SkipEmptyParts);
        const QStringList argvSeen =
            readFile(session + QStringLiteral("/argv.txt")).split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(shellSeen, tested);
        QCOMPARE(argvSeen, tested);
        for (const QString &dir :
             {repo.path(), session, session + QStringLiteral("/worktree"), QDir::currentPath()})
            for (int i = 1; i <= 4; ++i)
                QVERIFY2(!QFile::exists(dir + QStringLiteral("/pwned%1").arg(i)),
                         qPrintable(QStringLiteral("a subject ran as code in %1").arg(dir)));
    }

    // check_endpoints refuses a test that does not tell the ends apart; confirm_culprit
    // re-tests the culprit and its parent.
    void endpointsAndConfirmation() {
        TestRepo repo;
        for (int i = 0; i < 8; ++i)
            commitFiles(repo, QStringLiteral("c%1").arg(i),
                        i == 5 ? QStringList{QStringLiteral("bug")} : QStringList{});
        const QString recipe = m_scratch.path() + QStringLiteral("/ends.toml");
        QVERIFY(bw::test::writeFile(recipe,
                                    "[bisect]\ncheck_endpoints = true\nconfirm_culprit = 2\n"
                                    "[test]\ncommand = [\"sh\", \"-c\", \"test ! -e bug\"]\n"));
        const QString session = m_scratch.path() + QStringLiteral("/ends");
        OurRun o =
            ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c7"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"), session});
        QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
        QVERIFY2(o.out.contains(QStringLiteral("confirmed")), qPrintable(o.out));
        QCOMPARE(o.culprit, repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c5")}));
        QStringList purposes;
        for (const QJsonObject &s : journal(session))
            purposes << s.value(u"purpose").toString();
        QCOMPARE(purposes.count(QStringLiteral("endpoint")), 2);
        QCOMPARE(purposes.count(QStringLiteral("confirm")), 4);

        // The good end fails too: the test cannot tell them apart, and nothing is marked.
        repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
        QVERIFY(bw::test::writeFile(recipe, "[bisect]\ncheck_endpoints = true\n"
                                            "[test]\ncommand = [\"false\"]\n"));
        o = ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c7"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"),
                        session + QStringLiteral("2")});
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QStringLiteral("the good commit")), qPrintable(o.err));
        QVERIFY(o.marks.isEmpty());
    }

    // An infrastructure error (a test command that cannot be started) is retried twice,
    // then the session pauses; it never becomes a verdict.
    void infrastructureErrorsPauseWithoutAVerdict() {
        TestRepo repo;
        for (int i = 0; i < 6; ++i)
            commitFiles(repo, QStringLiteral("c%1").arg(i));
        const QString recipe = m_scratch.path() + QStringLiteral("/infra.toml");
        QVERIFY(bw::test::writeFile(recipe, "[test]\ncommand = [\"/nonexistent/run-test\"]\n"));
        const QString session = m_scratch.path() + QStringLiteral("/infra");
        const OurRun o =
            ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c5"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"), session});
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QStringLiteral("paused")), qPrintable(o.err));
        QVERIFY2(o.err.contains(QStringLiteral("/nonexistent/run-test")), qPrintable(o.err));
        QVERIFY(o.marks.isEmpty());
        const auto steps = journal(session);
        QCOMPARE(steps.size(), 3);
        for (const QJsonObject &s : steps)
            QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("retry"));
        QCOMPARE(sessionStatus(session), QStringLiteral("paused"));

        // Fixed, the session resumes where it was and finishes.
        QVERIFY(bw::test::writeFile(session + QStringLiteral("/recipe.toml"),
                                    "[test]\ncommand = [\"true\"]\n"));
        const OurRun r = ours(repo, {QStringLiteral("run"), QStringLiteral("--session"), session});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QCOMPARE(r.culprit, repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c5")}));
    }

    // Wrong input: a clear message, and nothing started.
    void badInputChangesNothing() {
        TestRepo repo;
        for (int i = 0; i < 4; ++i)
            commitFiles(repo, QStringLiteral("c%1").arg(i));
        const QString recipe = m_scratch.path() + QStringLiteral("/ok.toml");
        QVERIFY(bw::test::writeFile(recipe, "[test]\ncommand = [\"true\"]\n"));
        OurRun o = ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                               QStringLiteral("--bad"), QStringLiteral("no-such-ref"),
                               QStringLiteral("--good"), QStringLiteral("c0")});
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QStringLiteral("'no-such-ref' is not a commit")),
                 qPrintable(o.err));
        QVERIFY(!QFile::exists(repo.path() + QStringLiteral("/.git/BISECT_START")));

        const QString broken = m_scratch.path() + QStringLiteral("/broken.toml");
        QVERIFY(bw::test::writeFile(broken,
                                    "[build]\nkind = \"cmake\"\ntimeout = \"3 minutes\"\n"
                                    "[test]\ncommand = [\"./t\", \"${comit}\"]\nrepaet = 3\n"));
        o = ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), broken,
                        QStringLiteral("--bad"), QStringLiteral("c3"), QStringLiteral("--good"),
                        QStringLiteral("c0")});
        QCOMPARE(o.exitCode, 1);
        for (const QString &expected :
             {broken + QStringLiteral(":2:"), broken + QStringLiteral(":3:"),
              broken + QStringLiteral(":5:"), broken + QStringLiteral(":6:")})
            QVERIFY2(o.err.contains(expected),
                     qPrintable(expected + QStringLiteral(" missing in:\n") + o.err));
        QVERIFY(o.err.contains(QStringLiteral("comit")));
        QVERIFY(o.err.contains(QStringLiteral("repeat")));
        QVERIFY(!QFile::exists(repo.path() + QStringLiteral("/.git/BISECT_START")));
    }

    // The `make` build kind: incremental in the session's worktree (build products
    // survive from step to step), ${version} from `make -s kernelversion`.
    void makeBuildIsIncrementalAndKnowsTheVersion() {
        TestRepo repo;
        QVERIFY(repo.writeFile(
            QStringLiteral("Makefile"),
            "VERSION = 6.1.0\n"
            "all:\n\t@n=$$(cat .builds 2>/dev/null || echo 0); echo $$((n+1)) > .builds\n"
            "\t@if [ -e bug ]; then echo broken > product; else echo fine > product; fi\n"
            "kernelversion:\n\t@echo $(VERSION)$$(cat localversion 2>/dev/null)\n"));
        repo.writeFile(QStringLiteral(".gitignore"), ".builds\nproduct\n");
        for (int i = 0; i < 10; ++i) {
            repo.writeFile(QStringLiteral("localversion"), QStringLiteral("-rc%1").arg(i).toUtf8());
            if (i == 7)
                repo.writeFile(QStringLiteral("bug"), "x");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            repo.commit(QStringLiteral("c%1").arg(i));
        }
        const QString recipe = m_scratch.path() + QStringLiteral("/make.toml");
        QVERIFY(bw::test::writeFile(recipe, "[build]\nkind = \"make\"\njobs = 2\n"
                                            "[test]\ncommand = [\"sh\", \"-c\", \"echo \\\"$1 "
                                            "$(cat .builds)\\\" >> \\\"$BW_SESSION/seen\\\"; "
                                            "grep -q fine product\", \"sh\", \"${version}\"]\n"));
        const QString session = m_scratch.path() + QStringLiteral("/make");
        const OurRun o =
            ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c9"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"), session});
        QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
        QCOMPARE(o.culprit, repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c7")}));
        const QStringList seen =
            readFile(session + QStringLiteral("/seen")).split(u'\n', Qt::SkipEmptyParts);
        const auto steps = journal(session);
        QCOMPARE(seen.size(), steps.size());
        for (int i = 0; i < steps.size(); ++i) {
            // the version of the commit under test, and one more build each step
            const QString subject = steps[i].value(u"subject").toString();
            QCOMPARE(seen[i], QStringLiteral("6.1.0-rc%1 %2").arg(subject.mid(1)).arg(i + 1));
            QCOMPARE(steps[i]
                         .value(u"stages")
                         .toArray()
                         .at(0)
                         .toObject()
                         .value(u"facts")
                         .toObject()
                         .value(u"version")
                         .toString(),
                     QStringLiteral("6.1.0-rc%1").arg(subject.mid(1)));
        }
    }

    // The `nix` build kind: an offline build of a no-input flake; the result path and
    // its hash are recorded and ${result} reaches the test.
    void nixBuildRecordsItsResult() {
        QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("nix")).isEmpty(),
                 "nix is not installed (scripts/install-deps.sh installs nix-bin)");
        TestRepo repo;
        for (int i = 0; i < 3; ++i)
            commitFiles(repo, QStringLiteral("c%1").arg(i));
        QTemporaryDir flakeDir;
        QVERIFY(bw::test::writeFile(
            flakeDir.path() + QStringLiteral("/flake.nix"),
            "{\n  outputs = { self }: {\n    packages.x86_64-linux.default = builtins.derivation "
            "{\n"
            "      name = \"bw-nix-test\"; system = \"x86_64-linux\"; builder = \"/bin/sh\";\n"
            "      args = [ \"-c\" \"echo hi > $out\" ];\n    };\n  };\n}\n"));
        const QString recipe = flakeDir.path() + QStringLiteral("/nix.toml");
        QVERIFY(bw::test::writeFile(
            recipe, "[build]\nkind = \"nix\"\nflake = \".#default\"\n"
                    "args = [\"--offline\", \"--option\", \"build-users-group\", \"\", "
                    "\"--option\", \"sandbox\", "
                    "\"false\", \"--option\", \"substituters\", \"\"]\ntimeout = \"5m\"\n"
                    "[test]\ncommand = [\"sh\", \"-c\", \"test \\\"$(cat \\\"$1\\\")\\\" = hi\", "
                    "\"sh\", \"${result}\"]\n"));
        const QString session = m_scratch.path() + QStringLiteral("/nix");
        const OurRun o =
            ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c2"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"), session});
        QVERIFY2(o.exitCode == 0,
                 qPrintable(o.out + o.err +
                            readFile(session + QStringLiteral("/steps/0001/build.log"))));
        const auto steps = journal(session);
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps[0].value(u"verdict").toString(), QStringLiteral("good"));
        QJsonObject build;
        for (const QJsonValue &v : steps[0].value(u"stages").toArray())
            if (v.toObject().value(u"stage").toString() == u"build")
                build = v.toObject();
        const QJsonObject facts = build.value(u"facts").toObject();
        const QString result = facts.value(u"result").toString();
        QVERIFY2(result.startsWith(QStringLiteral("/nix/store/")) &&
                     result.endsWith(QStringLiteral("-bw-nix-test")),
                 qPrintable(result));
        QCOMPARE(readFile(result), QStringLiteral("hi\n"));
        QCOMPARE(facts.value(u"result_hash").toString(), result.mid(11, 32));
        QCOMPARE(QFileInfo(session + QStringLiteral("/result")).symLinkTarget(), result);
    }

    // A full disk under the session: the step whose logs cannot be written gets no
    // verdict; the session pauses with the reason, and what was recorded stays.
    void fullDiskPausesTheSession() {
        TestRepo repo;
        for (int i = 0; i < 8; ++i)
            commitFiles(repo, QStringLiteral("c%1").arg(i));
        QTemporaryDir mountPoint;
        const RunResult mounted =
            bw::test::run(QStringLiteral("mount"),
                          {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                           QStringLiteral("size=2m"), QStringLiteral("tmpfs"), mountPoint.path()});
        QVERIFY2(mounted.exitCode == 0,
                 qPrintable(QStringLiteral("this test mounts a 2 MB tmpfs (needs root): ") +
                            QString::fromUtf8(mounted.err)));
        struct Unmount {
            QString path;
            ~Unmount() { bw::test::run(QStringLiteral("umount"), {QStringLiteral("-l"), path}); }
        } unmount{mountPoint.path()};
        const QString recipe = m_scratch.path() + QStringLiteral("/full.toml");
        // The second step floods its log past what the disk holds.
        QVERIFY(bw::test::writeFile(
            recipe,
            "[test]\ncommand = [\"sh\", \"-c\", \"if [ $BW_STEP = 2 ]; then head -c 4000000 "
            "/dev/zero | tr '\\\\0' x; fi; true\"]\n"));
        const QString session = mountPoint.path() + QStringLiteral("/session");
        const OurRun o =
            ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                        QStringLiteral("--bad"), QStringLiteral("c7"), QStringLiteral("--good"),
                        QStringLiteral("c0"), QStringLiteral("--session"), session});
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QStringLiteral("paused")) &&
                     o.err.contains(QStringLiteral("could not be written")),
                 qPrintable(o.err));
        QCOMPARE(o.marks.size(), 1); // step 1's verdict, nothing for step 2
        const auto steps = journal(session);
        QVERIFY(!steps.isEmpty());
        QCOMPARE(steps.first().value(u"verdict").toString(), QStringLiteral("good"));
        // (the status itself may not fit on the full disk: "running" resumes the same way)
        QVERIFY(sessionStatus(session) != u"finished");

        // Space freed, the session resumes and finishes.
        QVERIFY(QFile::remove(session + QStringLiteral("/steps/0002/test.log")));
        QVERIFY(bw::test::writeFile(session + QStringLiteral("/recipe.toml"),
                                    "[test]\ncommand = [\"true\"]\n"));
        const OurRun r = ours(repo, {QStringLiteral("run"), QStringLiteral("--session"), session});
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QCOMPARE(r.culprit, repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c7")}));
    }

    // `report` on a finished session: the Markdown's bisect log replays with git to the
    // same state, the JSON has the culprit, the PDF opens.
    void reportsOfASession() {
        TestRepo repo;
        makeHistory(repo, 14, QStringLiteral("t6-1"));
        const QString bad = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        const QString good = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("m0")});
        const QString culprit = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("t6-1")});
        const QString recipe = m_scratch.path() + QStringLiteral("/report.toml");
        QVERIFY(bw::test::writeFile(
            recipe,
            "name = \"report test\"\n[test]\ncommand = [\"sh\", \"-c\", \"test ! -e bug\"]\n"));
        const QString session = m_scratch.path() + QStringLiteral("/report");
        const OurRun o = ours(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                                     QStringLiteral("--bad"), bad, QStringLiteral("--good"), good,
                                     QStringLiteral("--session"), session});
        QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
        const QString gitLog = repo.gitOut({QStringLiteral("bisect"), QStringLiteral("log")});
        // the report still works after the user ended the bisect
        repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});

        RunResult md = repo.workbench(
            {QStringLiteral("report"), session, QStringLiteral("--format"), QStringLiteral("md")});
        QVERIFY2(md.exitCode == 0, md.err.constData());
        const QString text = QString::fromUtf8(md.out);
        QVERIFY(text.contains(culprit));
        QVERIFY(
            text.trimmed().endsWith(QStringLiteral("#regzbot introduced: ") + culprit.left(12)));
        static const QRegularExpression block(
            QStringLiteral("(`{3,})\n((?:git bisect|#)[^`]*?)\\1"));
        const auto m = block.match(text);
        QVERIFY2(m.hasMatch(), qPrintable(text));
        const QString logBlock = m.captured(2);
        QCOMPARE(logBlock.trimmed(), gitLog.trimmed());
        auto clone = cloneOf(repo);
        QVERIFY(
            bw::test::writeFile(clone->path + QStringLiteral("/../replay.log"), logBlock.toUtf8()));
        const RunResult replay = gitIn(clone->path, repo,
                                       {QStringLiteral("bisect"), QStringLiteral("replay"),
                                        clone->path + QStringLiteral("/../replay.log")});
        QVERIFY2(
            replay.exitCode == 0 ||
                QString::fromUtf8(replay.out).contains(QStringLiteral("is the first bad commit")),
            replay.err.constData());
        QCOMPARE(
            markLines(QString::fromUtf8(
                gitIn(clone->path, repo, {QStringLiteral("bisect"), QStringLiteral("log")}).out)),
            markLines(gitLog));

        // The log exported as it is: replayed by our own `replay`, same marks.
        const QString exported = m_scratch.path() + QStringLiteral("/exported.log");
        RunResult logExport =
            repo.workbench({QStringLiteral("report"), session, QStringLiteral("--format"),
                            QStringLiteral("log"), QStringLiteral("--output"), exported});
        QVERIFY2(logExport.exitCode == 0, logExport.err.constData());
        QCOMPARE(readFile(exported).trimmed(), gitLog.trimmed());
        RunResult replayed = repo.workbench({QStringLiteral("replay"), exported});
        QVERIFY2(replayed.exitCode == 0 || replayed.out.contains("is the first bad commit"),
                 replayed.err.constData());
        QCOMPARE(markLines(repo.gitOut({QStringLiteral("bisect"), QStringLiteral("log")})),
                 markLines(gitLog));

        RunResult json = repo.workbench({QStringLiteral("report"), session,
                                         QStringLiteral("--format"), QStringLiteral("json")});
        QVERIFY2(json.exitCode == 0, json.err.constData());
        const QJsonObject doc = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(doc.value(u"schema").toString(), QStringLiteral("bisect-workbench-report"));
        QVERIFY2(QString::fromUtf8(json.out).contains(culprit), json.out.left(400).constData());

        const QString pdf = m_scratch.path() + QStringLiteral("/report.pdf");
        RunResult p =
            repo.workbench({QStringLiteral("report"), session, QStringLiteral("--output"), pdf});
        QVERIFY2(p.exitCode == 0, p.err.constData());
        const RunResult info = bw::test::run(QStringLiteral("pdfinfo"), {pdf});
        QVERIFY2(info.exitCode == 0 && info.out.contains("Pages:"), info.err.constData());

        // No session there: a clear error.
        RunResult none = repo.workbench(
            {QStringLiteral("report"), m_scratch.path() + QStringLiteral("/nothing")});
        QCOMPARE(none.exitCode, 1);
        QVERIFY(none.err.contains("holds no Bisect Workbench session"));
    }

    // kill -9 in the middle of a step (its build, its test, or while its log streams):
    // the session resumes from its directory, re-runs only that step (its partial logs
    // kept aside), and ends at the same culprit with every commit marked once.
    void resumesAfterKill_data() {
        QTest::addColumn<QString>("phase");
        QTest::newRow("during the build") << QStringLiteral("build");
        QTest::newRow("during the test") << QStringLiteral("test");
        QTest::newRow("while the log streams") << QStringLiteral("log");
        // As soon as step 2's verdict is in the journal: before or just after git's state
        // has it, before or just as step 3 starts.
        QTest::newRow("between steps") << QStringLiteral("between");
    }
    void resumesAfterKill() {
        QFETCH(QString, phase);
        TestRepo repo;
        for (int i = 0; i < 16; ++i)
            commitFiles(repo, QStringLiteral("c%1").arg(i),
                        i == 11 ? QStringList{QStringLiteral("bug")} : QStringList{});
        const QString block = m_scratch.path() + QStringLiteral("/block-") + phase;
        QVERIFY(bw::test::writeFile(block, "1"));
        const QString recipe = m_scratch.path() + QStringLiteral("/kill-%1.toml").arg(phase);
        // At step 3 the chosen phase signals that it is running, then never ends.
        const QString hang =
            phase == u"log"
                ? QStringLiteral("touch '%1.reached'; while :; do echo streaming "
                                 "a line of test output; done")
                      .arg(block)
                : QStringLiteral("echo $$ > '%1.pid'; touch '%1.reached'; exec sleep 601")
                      .arg(block);
        const QString gate =
            QStringLiteral("if [ -e '%1' ] && [ \\\"$BW_STEP\\\" = 3 ]; then %2; fi")
                .arg(block, hang);
        QString toml;
        if (phase == u"build")
            toml = QStringLiteral("[build]\ncommand = [\"sh\", \"-c\", \"%1\"]\n"
                                  "[test]\ncommand = [\"sh\", \"-c\", \"test ! -e bug\"]\n")
                       .arg(gate);
        else
            toml = QStringLiteral("[test]\ncommand = [\"sh\", \"-c\", \"%1; test ! -e bug\"]\n")
                       .arg(gate);
        QVERIFY(bw::test::writeFile(recipe, toml.toUtf8()));
        const QString session = m_scratch.path() + QStringLiteral("/kill-") + phase;
        QProcess p;
        p.setProcessEnvironment(repo.env());
        p.setWorkingDirectory(repo.path());
        p.start(TestRepo::workbenchBinary(),
                {QStringLiteral("run"), QStringLiteral("--recipe"), recipe, QStringLiteral("--bad"),
                 QStringLiteral("c15"), QStringLiteral("--good"), QStringLiteral("c0"),
                 QStringLiteral("--session"), session});
        QVERIFY(p.waitForStarted());
        QByteArray runOutput;
        if (phase == u"between")
            // `run` prints a step's line once its verdict is recorded: kill right then.
            QVERIFY2(waitFor(
                         [&] {
                             runOutput += p.readAllStandardOutput();
                             return runOutput.contains("step 2 [");
                         },
                         60000),
                     runOutput.constData());
        else
            QVERIFY2(
                waitFor(
                    [&] {
                        // while the log streams: once some of it is on disk
                        return QFile::exists(block + QStringLiteral(".reached")) &&
                               (phase != u"log" ||
                                QFileInfo(session + QStringLiteral("/steps/0003/test.log")).size() >
                                    0);
                    },
                    60000),
                p.readAllStandardError().constData());
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        QCOMPARE(journal(session).size(), 2);
        // The orphaned test (its own process group) is the test's to clean up here.
        // (by its pid: other runs of this test may be blocked in their own `sleep 601`)
        if (const qint64 orphan = readFile(block + QStringLiteral(".pid")).trimmed().toLongLong();
            orphan > 0)
            ::kill(static_cast<pid_t>(orphan), SIGKILL);
        QFile::remove(block);

        // A kill while git's state is written leaves a lock file behind (as a crash of git
        // would): the resume clears it rather than failing on it.
        // So does a kill in the middle of a checkout, in the session's worktree entry.
        const QString lock = repo.path() + QStringLiteral("/.git/refs/bisect/bad.lock");
        QStringList locks{lock};
        if (phase == u"between") {
            const QDir entries(repo.path() + QStringLiteral("/.git/worktrees"));
            const QStringList names = entries.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
            QCOMPARE(names.size(), 1);
            locks << entries.filePath(names[0] + QStringLiteral("/HEAD.lock"))
                  << entries.filePath(names[0] + QStringLiteral("/index.lock"));
            for (const QString &l : locks)
                if (!QFile::exists(l))
                    QVERIFY(bw::test::writeFile(l, "0000000000000000000000000000000000000000\n"));
        }
        const OurRun r = ours(repo, {QStringLiteral("run"), QStringLiteral("--session"), session});
        for (const QString &l : locks)
            QVERIFY2(!QFile::exists(l), qPrintable(l));
        QVERIFY2(r.exitCode == 0, qPrintable(r.out + r.err));
        QVERIFY(r.out.contains(QStringLiteral("Resuming")));
        QCOMPARE(r.culprit, repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c11")}));
        QStringList commits;
        QList<int> numbers;
        for (const QJsonObject &s : journal(session)) {
            commits << s.value(u"commit").toString();
            numbers << s.value(u"number").toInt();
        }
        QCOMPARE(commits.removeDuplicates(), 0);
        QCOMPARE(numbers, (QList<int>{1, 2, 3, 4}));
        QStringList marks = markLines(readFile(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
        QCOMPARE(marks.size(), 4);
        QCOMPARE(marks.removeDuplicates(), 0);
        if (phase == u"between")
            return; // step 3 had at most just begun: nothing of it to keep aside
        // The killed run's partial logs are kept aside; the re-run wrote its own.
        const QString interrupted = session + QStringLiteral("/steps/0003.interrupted/");
        const QString log =
            phase == u"build" ? QStringLiteral("build.log") : QStringLiteral("test.log");
        QVERIFY(QFileInfo::exists(interrupted + log));
        if (phase == u"log")
            QVERIFY(readFile(interrupted + log).startsWith(QStringLiteral("streaming a line")));
        QVERIFY(!readFile(session + QStringLiteral("/steps/0003/") + log)
                     .contains(QStringLiteral("streaming")));
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "tst_pipeline.moc"
