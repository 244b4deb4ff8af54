#include "services/git/GitBisectFiles.h"

#include "models/BisectLog.h"
#include "services/git/Repository.h"
#include "tests/support/TestRepo.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTest>

#include <fcntl.h>
#include <unistd.h>

using namespace bw;
using namespace bw::git;
using bw::test::TestRepo;

namespace {

QString S(const char *s) {
    return QString::fromUtf8(s);
}

// A commit that changes `file`, tagged `name` (pathspec bisects need real changes).
QString commitFile(TestRepo &repo, const QString &name, const QString &file = S("f")) {
    QFile f(repo.path() + u'/' + file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
        return {};
    f.write(name.toUtf8() + '\n');
    f.close();
    repo.git({S("add"), file});
    repo.tick(1);
    repo.git({S("commit"), S("-q"), S("-m"), name});
    repo.git({S("tag"), name});
    return repo.gitOut({S("rev-parse"), S("HEAD")});
}

// c1 … c8 on main, each changing f.
QStringList makeChain(TestRepo &repo, int n = 8) {
    QStringList shas;
    for (int i = 1; i <= n; ++i)
        shas << commitFile(repo, QStringLiteral("c%1").arg(i));
    return shas;
}

Oid oid(const QString &hex) {
    return *Oid::fromHex(hex);
}

QByteArray readAll(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

// Everything of a bisect git could still see: BISECT_* files, refs/bisect/* (loose or
// packed) and head-name.
QStringList leftovers(const TestRepo &repo, const QString &gitDir) {
    QStringList out;
    const QStringList files =
        QDir(gitDir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System);
    for (const QString &name : files)
        if (name.startsWith(S("BISECT_")) || name == u"head-name")
            out << name;
    const QString refs =
        repo.gitOut({S("for-each-ref"), S("--format=%(refname)"), S("refs/bisect/")});
    if (!refs.isEmpty())
        out << refs.split(u'\n');
    if (readAll(gitDir + S("/packed-refs")).contains("refs/bisect/"))
        out << S("packed-refs: refs/bisect/*");
    return out;
}

// Moves the loose refs/bisect/* into packed-refs, as older gits and other tools may
// leave them (git 2.39's `pack-refs --all` skips per-worktree refs); returns how many.
int packBisectRefs(const TestRepo &repo) {
    if (repo.git({S("pack-refs"), S("--all")}).exitCode != 0)
        return -1;
    const QString gitDir = repo.path() + S("/.git/");
    QFile packed(gitDir + S("packed-refs"));
    if (!packed.open(QIODevice::ReadOnly))
        return -1;
    QList<QByteArray> lines = packed.readAll().split('\n');
    packed.close();
    const QByteArray header = lines.takeFirst();
    int moved = 0;
    QDir loose(gitDir + S("refs/bisect"));
    for (const QString &name : loose.entryList(QDir::Files)) {
        lines << readAll(loose.filePath(name)).trimmed() + " refs/bisect/" + name.toLatin1();
        if (!loose.remove(name))
            return -1;
        ++moved;
    }
    lines.removeAll(QByteArray());
    std::sort(lines.begin(), lines.end(),
              [](const QByteArray &a, const QByteArray &b) { return a.mid(41) < b.mid(41); });
    if (!packed.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return -1;
    packed.write(header + '\n' + lines.join('\n') + '\n');
    return moved;
}

#define VERIFY_OK(expr)                                                                            \
    do {                                                                                           \
        const auto &r_ = (expr);                                                                   \
        QVERIFY2(r_.ok(), qPrintable(r_.ok() ? QString() : r_.error().message()));                 \
    } while (false)

} // namespace

class TestGitBisectFiles : public QObject {
    Q_OBJECT

private slots:
    void readsWhatGitWrote();
    void readsFirstParentNoCheckoutAndNames();
    void readsPackedRefs();
    void gitContinuesFromOurState();
    void gitContinuesFromOurCustomTermsNoCheckoutState();
    void firstMarkWritesTerms();
    void appendLogKeepsContent();
    void expectedRevAndAncestorsOk();
    void resetLeavesNothingLikeGit();
    void resetClearsBrokenRefs();
    void filePermissionsMatchGit();
    void failedStartLeavesNoBisect();
    void unwritableGitDir();
    void missingGitDir();
    void corruptState();
    void linkedWorktreeKeepsItsOwnBisect();
};

void TestGitBisectFiles::readsWhatGitWrote() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo);
    QCOMPARE(
        repo.git({S("bisect"), S("start"), S("--term-new=broken"), S("--term-old=fine")}).exitCode,
        0);
    QCOMPARE(repo.git({S("bisect"), S("broken"), S("c8")}).exitCode, 0);
    QCOMPARE(repo.git({S("bisect"), S("skip"), S("c5")}).exitCode, 0);
    QCOMPARE(repo.git({S("bisect"), S("skip"), S("c3")}).exitCode, 0);
    QCOMPARE(repo.git({S("bisect"), S("fine"), S("c1")}).exitCode, 0);
    QCOMPARE(repo.git({S("bisect"), S("fine"), S("c2")}).exitCode, 0);

    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    auto s = files.read();
    VERIFY_OK(s);
    QVERIFY(s->inProgress);
    QCOMPARE(s->start, S("main"));
    QCOMPARE(s->terms, (Terms{S("broken"), S("fine")}));
    QVERIFY(s->hasTermsFile);
    QCOMPARE(s->namesLine, QString());
    QVERIFY(!s->firstParent);
    QCOMPARE(s->expectedRev,
             std::optional<Oid>(oid(repo.gitOut({S("rev-parse"), S("BISECT_EXPECTED_REV")}))));
    QCOMPARE(s->ancestorsOk, QFileInfo::exists(repo.path() + S("/.git/BISECT_ANCESTORS_OK")));
    QVERIFY(s->ancestorsOk);
    QVERIFY(!s->bisectHead);
    QCOMPARE(s->bad, std::optional<Oid>(oid(c[7])));
    std::vector<Oid> goods{oid(c[0]), oid(c[1])}, skips{oid(c[2]), oid(c[4])};
    std::sort(goods.begin(), goods.end());
    std::sort(skips.begin(), skips.end());
    QCOMPARE(s->goods, goods);
    QCOMPARE(s->skips, skips);
    QCOMPARE(s->log.toUtf8(), repo.git({S("bisect"), S("log")}).out);
    QVERIFY(s->log.contains(S("git bisect broken ") + c[7]));
}

void TestGitBisectFiles::readsFirstParentNoCheckoutAndNames() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo);
    const QString head = repo.gitOut({S("rev-parse"), S("HEAD")});
    QCOMPARE(repo.git({S("bisect"), S("start"), S("--first-parent"), S("--no-checkout"), S("c8"),
                       S("c1"), S("--"), S("f")})
                 .exitCode,
             0);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    auto s = GitBisectFiles(*opened).read();
    VERIFY_OK(s);
    QVERIFY(s->firstParent);
    QCOMPARE(s->namesLine, S(" '--' 'f'"));
    QVERIFY(!s->hasTermsFile || s->terms == Terms{});
    QCOMPARE(s->bisectHead,
             std::optional<Oid>(oid(repo.gitOut({S("rev-parse"), S("BISECT_HEAD")}))));
    QVERIFY(*s->bisectHead != oid(head)); // git moved BISECT_HEAD, not HEAD
    QCOMPARE(repo.gitOut({S("rev-parse"), S("HEAD")}), head);
    QCOMPARE(s->bad, std::optional<Oid>(oid(c[7])));
    QCOMPARE(s->goods, std::vector<Oid>{oid(c[0])});
    QVERIFY(s->skips.empty());
}

void TestGitBisectFiles::readsPackedRefs() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo);
    QCOMPARE(repo.git({S("bisect"), S("start"), S("c8"), S("c1")}).exitCode, 0);
    QCOMPARE(repo.git({S("bisect"), S("skip"), S("c4")}).exitCode, 0);
    QCOMPARE(packBisectRefs(repo), 3);
    QVERIFY(QDir(repo.path() + S("/.git/refs/bisect")).entryList(QDir::Files).isEmpty());
    QVERIFY(readAll(repo.path() + S("/.git/packed-refs")).contains("refs/bisect/bad"));
    // git itself reads them.
    QCOMPARE(repo.gitOut({S("rev-parse"), S("refs/bisect/bad")}), c[7]);

    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    auto s = files.read();
    VERIFY_OK(s);
    QCOMPARE(s->bad, std::optional<Oid>(oid(c[7])));
    QCOMPARE(s->goods, std::vector<Oid>{oid(c[0])});
    QCOMPARE(s->skips, std::vector<Oid>{oid(c[3])});

    // A packed bad is replaced by a loose one, and reset removes both kinds.
    VERIFY_OK(files.mark(MarkKind::Bad, oid(c[6]), S("c7"), Terms{}));
    QCOMPARE(files.read()->bad, std::optional<Oid>(oid(c[6])));
    QCOMPARE(repo.gitOut({S("rev-parse"), S("refs/bisect/bad")}), c[6]);
    VERIFY_OK(files.reset());
    QCOMPARE(leftovers(repo, repo.path() + S("/.git")), QStringList());
}

void TestGitBisectFiles::gitContinuesFromOurState() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    Repository &r = *opened;
    GitBisectFiles files(r);

    // What `git bisect start c8 c1` records: the revision comments before the start
    // line, the refs, then marks.
    auto head = r.headForBisectStart();
    VERIFY_OK(head);
    const QString pre = markCommentLine(S("bad"), oid(c[7]), S("c8")) +
                        markCommentLine(S("good"), oid(c[0]), S("c1"));
    VERIFY_OK(files.start(*head, Terms{}, false, QString(), std::nullopt,
                          startLogLine({c[7], c[0]}), pre));
    VERIFY_OK(r.setReference(S("refs/bisect/bad"), oid(c[7]), S("bisect")));
    VERIFY_OK(r.setReference(S("refs/bisect/good-") + c[0], oid(c[0]), S("bisect")));
    VERIFY_OK(files.mark(MarkKind::Skip, oid(c[3]), S("c4"), Terms{}));
    VERIFY_OK(files.mark(MarkKind::Good, oid(c[1]), S("c2"), Terms{}));

    const QString expectedLog = pre + startLogLine({c[7], c[0]}) +
                                markLogLines(S("skip"), oid(c[3]), S("c4")) +
                                markLogLines(S("good"), oid(c[1]), S("c2"));
    QCOMPARE(QString::fromUtf8(repo.git({S("bisect"), S("log")}).out), expectedLog);
    QCOMPARE(readAll(repo.path() + S("/.git/BISECT_START")), QByteArray("main\n"));
    QCOMPARE(readAll(repo.path() + S("/.git/BISECT_TERMS")), QByteArray("bad\ngood\n"));
    QCOMPARE(readAll(repo.path() + S("/.git/BISECT_NAMES")), QByteArray("\n"));

    // git takes over: selects, accepts a mark of the checked-out commit, logs after ours.
    auto next = repo.git({S("bisect"), S("next")});
    QCOMPARE(next.exitCode, 0);
    QVERIFY2(next.out.startsWith("Bisecting: "), next.out + next.err);
    QVERIFY(next.err.isEmpty());
    const QString tested = repo.gitOut({S("rev-parse"), S("HEAD")});
    QCOMPARE(repo.gitOut({S("rev-parse"), S("BISECT_EXPECTED_REV")}), tested);
    auto good = repo.git({S("bisect"), S("good")});
    QCOMPARE(good.exitCode, 0);
    QVERIFY2(good.err.isEmpty(), good.err);
    const QString log = QString::fromUtf8(repo.git({S("bisect"), S("log")}).out);
    QVERIFY(log.startsWith(expectedLog));
    QVERIFY(log.contains(S("git bisect good ") + tested));

    // And we read git's continuation back.
    auto s = files.read();
    VERIFY_OK(s);
    QVERIFY(std::find(s->goods.begin(), s->goods.end(), oid(tested)) != s->goods.end());
    QCOMPARE(s->log, log);

    // git replays our log to the same refs.
    const QString logPath = repo.path() + S("/our.log");
    QFile lf(logPath);
    QVERIFY(lf.open(QIODevice::WriteOnly));
    lf.write(expectedLog.toUtf8());
    lf.close();
    QCOMPARE(repo.git({S("bisect"), S("replay"), logPath}).exitCode, 0);
    auto replayed = files.read();
    VERIFY_OK(replayed);
    QCOMPARE(replayed->bad, std::optional<Oid>(oid(c[7])));
    std::vector<Oid> goods{oid(c[0]), oid(c[1])};
    std::sort(goods.begin(), goods.end());
    QCOMPARE(replayed->goods, goods);
    QCOMPARE(replayed->skips, std::vector<Oid>{oid(c[3])});

    auto reset = repo.git({S("bisect"), S("reset")});
    QCOMPARE(reset.exitCode, 0);
    QCOMPARE(repo.gitOut({S("symbolic-ref"), S("--short"), S("HEAD")}), S("main"));
    QCOMPARE(leftovers(repo, repo.path() + S("/.git")), QStringList());
    auto after = files.read();
    VERIFY_OK(after);
    QVERIFY(!after->inProgress);
}

void TestGitBisectFiles::gitContinuesFromOurCustomTermsNoCheckoutState() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    const Terms terms{S("broken"), S("fine")};
    const QStringList args = {S("--term-new=broken"), S("--term-old=fine"), S("--first-parent"),
                              S("--no-checkout")};
    const Oid head = oid(c[7]);
    VERIFY_OK(files.start(S("main"), terms, true, QString(), head, startLogLine(args), QString()));
    VERIFY_OK(files.appendLog(statusLogLine(false, 0)));
    VERIFY_OK(files.mark(MarkKind::Bad, oid(c[7]), S("c8"), terms));
    VERIFY_OK(files.appendLog(statusLogLine(true, 0)));
    VERIFY_OK(files.mark(MarkKind::Good, oid(c[0]), S("c1"), terms));
    QCOMPARE(repo.gitOut({S("rev-parse"), S("refs/bisect/fine-") + c[0]}), c[0]);
    QCOMPARE(readAll(repo.path() + S("/.git/BISECT_FIRST_PARENT")), QByteArray("\n"));

    auto t = repo.git({S("bisect"), S("terms")});
    QCOMPARE(t.exitCode, 0);
    QCOMPARE(t.out, QByteArray("Your current terms are fine for the old state\n"
                               "and broken for the new state.\n"));
    auto next = repo.git({S("bisect"), S("next")});
    QCOMPARE(next.exitCode, 0);
    QVERIFY2(next.out.startsWith("Bisecting: "), next.out + next.err);
    // --no-checkout: BISECT_HEAD moved, HEAD did not.
    QCOMPARE(repo.gitOut({S("rev-parse"), S("HEAD")}), c[7]);
    const QString tested = repo.gitOut({S("rev-parse"), S("BISECT_HEAD")});
    QVERIFY(tested != c[7]);
    auto s = files.read();
    VERIFY_OK(s);
    QCOMPARE(s->bisectHead, std::optional<Oid>(oid(tested)));
    // `git bisect fine` without a revision marks BISECT_HEAD.
    QCOMPARE(repo.git({S("bisect"), S("fine")}).exitCode, 0);
    QCOMPARE(repo.gitOut({S("rev-parse"), S("refs/bisect/fine-") + tested}), tested);
    QCOMPARE(repo.git({S("bisect"), S("reset")}).exitCode, 0);
    QCOMPARE(leftovers(repo, repo.path() + S("/.git")), QStringList());
}

void TestGitBisectFiles::firstMarkWritesTerms() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo, 5);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    // Like a bare `git bisect start`: no BISECT_TERMS until the first mark.
    VERIFY_OK(files.start(S("main"), std::nullopt, false, QString(), std::nullopt, startLogLine({}),
                          QString()));
    QVERIFY(!QFileInfo::exists(repo.path() + S("/.git/BISECT_TERMS")));
    VERIFY_OK(files.mark(MarkKind::Skip, oid(c[1]), S("c2"), Terms{}));
    QVERIFY(!QFileInfo::exists(repo.path() + S("/.git/BISECT_TERMS")));
    const Terms newOld{S("new"), S("old")};
    VERIFY_OK(files.mark(MarkKind::Bad, oid(c[4]), S("c5"), newOld));
    QCOMPARE(readAll(repo.path() + S("/.git/BISECT_TERMS")), QByteArray("new\nold\n"));
    QCOMPARE(repo.gitOut({S("rev-parse"), S("refs/bisect/new")}), c[4]);

    auto wrong = files.mark(MarkKind::Good, oid(c[0]), S("c1"), Terms{});
    QVERIFY(!wrong.ok());
    QCOMPARE(wrong.error().message(), S("Invalid command: you're currently in a new/old bisect"));
    // git agrees.
    auto gitWrong = repo.git({S("bisect"), S("good"), S("c1")});
    QCOMPARE(gitWrong.exitCode, 1);
    QVERIFY(gitWrong.err.contains("you're currently in a new/old bisect"));
    VERIFY_OK(files.mark(MarkKind::Good, oid(c[0]), S("c1"), newOld));
    QCOMPARE(repo.git({S("bisect"), S("next")}).exitCode, 0);
}

void TestGitBisectFiles::appendLogKeepsContent() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    makeChain(repo, 2);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    VERIFY_OK(files.start(S("main"), Terms{}, false, QString(), std::nullopt, startLogLine({}),
                          QString()));
    QString expected = startLogLine({});
    for (int i = 0; i < 50; ++i) {
        const QString line = QStringLiteral("# note %1 \u00e9\n").arg(i);
        VERIFY_OK(files.appendLog(line));
        expected += line;
    }
    QCOMPARE(QString::fromUtf8(readAll(repo.path() + S("/.git/BISECT_LOG"))), expected);
    QCOMPARE(files.read()->log, expected);
}

void TestGitBisectFiles::expectedRevAndAncestorsOk() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo, 3);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    const QString dir = repo.path() + S("/.git/");
    VERIFY_OK(files.setExpectedRev(oid(c[1])));
    QCOMPARE(readAll(dir + S("BISECT_EXPECTED_REV")), (c[1] + u'\n').toLatin1());
    QCOMPARE(repo.gitOut({S("rev-parse"), S("BISECT_EXPECTED_REV")}), c[1]);
    VERIFY_OK(files.setAncestorsOk(true));
    QCOMPARE(readAll(dir + S("BISECT_ANCESTORS_OK")), QByteArray());
    VERIFY_OK(files.setBisectHead(oid(c[2])));
    QCOMPARE(repo.gitOut({S("rev-parse"), S("BISECT_HEAD")}), c[2]);
    auto s = files.read();
    VERIFY_OK(s);
    QVERIFY(!s->inProgress);
    QCOMPARE(s->expectedRev, std::optional<Oid>(oid(c[1])));
    QVERIFY(s->ancestorsOk);
    QCOMPARE(s->bisectHead, std::optional<Oid>(oid(c[2])));
    VERIFY_OK(files.setExpectedRev(std::nullopt));
    VERIFY_OK(files.setAncestorsOk(false));
    VERIFY_OK(files.setAncestorsOk(false)); // deleting what is not there is fine
    QVERIFY(!QFileInfo::exists(dir + S("BISECT_EXPECTED_REV")));
    QVERIFY(!QFileInfo::exists(dir + S("BISECT_ANCESTORS_OK")));
}

void TestGitBisectFiles::resetLeavesNothingLikeGit() {
    // The same session in two repositories: git resets one, we reset the other.
    TestRepo theirs, ours;
    QVERIFY(theirs.isValid() && ours.isValid());
    for (TestRepo *repo : {&theirs, &ours}) {
        makeChain(*repo);
        QCOMPARE(repo->git({S("bisect"), S("start"), S("--first-parent"), S("--no-checkout"),
                            S("c8"), S("c1"), S("--"), S("f")})
                     .exitCode,
                 0);
        QCOMPARE(repo->git({S("bisect"), S("skip"), S("c4")}).exitCode, 0);
        QCOMPARE(packBisectRefs(*repo), 3);
        QCOMPARE(repo->git({S("bisect"), S("good"), S("c2")}).exitCode, 0);
        // Files only some versions or commands leave.
        for (const char *name : {"BISECT_RUN", "head-name"}) {
            QFile f(repo->path() + S("/.git/") + S(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QVERIFY(leftovers(*repo, repo->path() + S("/.git")).size() >= 10);
    }
    QCOMPARE(theirs.git({S("bisect"), S("reset")}).exitCode, 0);
    auto opened = Repository::open(ours.path());
    VERIFY_OK(opened);
    VERIFY_OK(GitBisectFiles(*opened).reset());

    QCOMPARE(leftovers(theirs, theirs.path() + S("/.git")), QStringList());
    QCOMPARE(leftovers(ours, ours.path() + S("/.git")), QStringList());
    auto log = ours.git({S("bisect"), S("log")});
    QCOMPARE(log.exitCode, 1);
    QVERIFY(log.err.contains("We are not bisecting."));
    // Resetting nothing is fine too.
    VERIFY_OK(GitBisectFiles(*opened).reset());
}

void TestGitBisectFiles::resetClearsBrokenRefs() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    makeChain(repo, 3);
    QCOMPARE(repo.git({S("bisect"), S("start"), S("c3"), S("c1")}).exitCode, 0);
    QFile bad(repo.path() + S("/.git/refs/bisect/bad"));
    QVERIFY(bad.open(QIODevice::WriteOnly | QIODevice::Truncate));
    bad.write("not a sha\n");
    bad.close();
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    QVERIFY(!files.read().ok());
    VERIFY_OK(files.reset());
    QCOMPARE(leftovers(repo, repo.path() + S("/.git")), QStringList());
}

void TestGitBisectFiles::filePermissionsMatchGit() {
    TestRepo theirs, ours;
    QVERIFY(theirs.isValid() && ours.isValid());
    makeChain(theirs, 3);
    const QStringList c = makeChain(ours, 3);
    QCOMPARE(theirs.git({S("bisect"), S("start"), S("--first-parent"), S("c3"), S("c1")}).exitCode,
             0);
    auto opened = Repository::open(ours.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    VERIFY_OK(files.start(S("main"), Terms{}, true, QString(), std::nullopt, startLogLine({}),
                          QString()));
    VERIFY_OK(files.setExpectedRev(oid(c[1])));
    VERIFY_OK(files.setAncestorsOk(true));
    for (const char *name : {"BISECT_START", "BISECT_TERMS", "BISECT_NAMES", "BISECT_LOG",
                             "BISECT_FIRST_PARENT", "BISECT_EXPECTED_REV", "BISECT_ANCESTORS_OK"}) {
        const QFileInfo git(theirs.path() + S("/.git/") + S(name));
        const QFileInfo us(ours.path() + S("/.git/") + S(name));
        QVERIFY2(git.exists() && us.exists(), name);
        QVERIFY2(git.permissions() == us.permissions(), name);
    }
    QVERIFY(!(QFileInfo(ours.path() + S("/.git/BISECT_ANCESTORS_OK")).permissions() &
              QFileDevice::ReadOther));
}

void TestGitBisectFiles::failedStartLeavesNoBisect() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    makeChain(repo, 2);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    const QString dir = repo.path() + S("/.git/");
    // A non-empty directory where BISECT_START goes: it cannot be removed nor replaced,
    // even by root. Everything written before it must be rolled back.
    QVERIFY(QDir().mkpath(dir + S("BISECT_START/blocker")));
    auto started =
        files.start(S("main"), Terms{}, true, S(" 'a' 'b'"),
                    oid(repo.gitOut({S("rev-parse"), S("HEAD")})), startLogLine({}), QString());
    QVERIFY(!started.ok());
    QVERIFY2(started.error().message().contains(dir + S("BISECT_START")),
             qPrintable(started.error().message()));
    QStringList left = QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System);
    left = left.filter(S("BISECT"));
    QCOMPARE(left, QStringList{S("BISECT_START")}); // no temporary file either
    QCOMPARE(repo.git({S("bisect"), S("log")}).exitCode, 1);

    // appendLog onto something that is not a file: an Error naming it.
    QVERIFY(QDir().mkpath(dir + S("BISECT_LOG/blocker")));
    auto appended = files.appendLog(S("# x\n"));
    QVERIFY(!appended.ok());
    QVERIFY(appended.error().message().contains(dir + S("BISECT_LOG")));
}

void TestGitBisectFiles::unwritableGitDir() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo, 2);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    VERIFY_OK(files.start(S("main"), Terms{}, false, QString(), std::nullopt, startLogLine({}),
                          QString()));
    const QString dir = repo.path() + S("/.git");
    const QByteArray logBefore = readAll(dir + S("/BISECT_LOG"));
    const QStringList before = QDir(dir).entryList(QDir::AllEntries | QDir::Hidden);

    QFile::Permissions perms = QFile(dir).permissions();
    QVERIFY(QFile(dir).setPermissions(QFileDevice::ReadOwner | QFileDevice::ExeOwner |
                                      QFileDevice::ReadGroup | QFileDevice::ExeGroup |
                                      QFileDevice::ReadOther | QFileDevice::ExeOther));
    struct Restore {
        QString dir;
        QFile::Permissions perms;
        ~Restore() { QFile(dir).setPermissions(perms); }
    } restore{dir, perms};
    {
        // root writes into a read-only directory anyway: act as `nobody` for this check
        // (the saved set-user-ID lets the guard switch back).
        struct Unprivileged {
            bool switched = false;
            ~Unprivileged() {
                if (switched && ::seteuid(0) != 0)
                    qFatal("cannot return to root");
            }
        } unprivileged;
        if (::geteuid() == 0) {
            QVERIFY(QFile(repo.path())
                        .setPermissions(QFile(repo.path()).permissions() | QFileDevice::ReadOther |
                                        QFileDevice::ExeOther));
            QVERIFY(::seteuid(65534) == 0);
            unprivileged.switched = true;
        }
        QVERIFY(::faccessat(AT_FDCWD, QFile::encodeName(dir).constData(), W_OK, AT_EACCESS) != 0);

        auto appended = files.appendLog(S("# lost?\n"));
        QVERIFY(!appended.ok());
        QVERIFY(appended.error().message().contains(dir));
        QVERIFY(!files.setExpectedRev(oid(c[0])).ok());
        QVERIFY(!files
                     .start(S("main"), Terms{}, false, QString(), std::nullopt, startLogLine({}),
                            QString())
                     .ok());
    }
    QCOMPARE(readAll(dir + S("/BISECT_LOG")), logBefore);
    QCOMPARE(QDir(dir).entryList(QDir::AllEntries | QDir::Hidden), before);
}

void TestGitBisectFiles::missingGitDir() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    makeChain(repo, 1);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    QVERIFY(QDir(repo.path()).rename(S(".git"), S("moved.git")));
    auto s = files.read();
    QVERIFY(!s.ok());
    QVERIFY(s.error().message().contains(repo.path() + S("/.git")));
    auto started = files.start(S("main"), Terms{}, false, QString(), std::nullopt, startLogLine({}),
                               QString());
    QVERIFY(!started.ok());
    QVERIFY(started.error().message().contains(repo.path() + S("/.git")));
    QVERIFY(!QFileInfo::exists(repo.path() + S("/.git")));
}

void TestGitBisectFiles::corruptState() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    makeChain(repo, 3);
    QCOMPARE(repo.git({S("bisect"), S("start"), S("c3"), S("c1")}).exitCode, 0);
    auto opened = Repository::open(repo.path());
    VERIFY_OK(opened);
    GitBisectFiles files(*opened);
    VERIFY_OK(files.read());
    const QString dir = repo.path() + S("/.git/");
    auto overwrite = [](const QString &path, const QByteArray &data) {
        QFile f(path);
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
    };
    auto expectError = [&](const char *mention) {
        auto s = files.read();
        QVERIFY(!s.ok());
        QVERIFY2(s.error().message().contains(S(mention)), qPrintable(s.error().message()));
    };

    const QByteArray terms = readAll(dir + S("BISECT_TERMS"));
    QVERIFY(overwrite(dir + S("BISECT_TERMS"), "bad\n"));
    expectError("BISECT_TERMS");
    QVERIFY(overwrite(dir + S("BISECT_TERMS"), "bad\nbad\n"));
    expectError("BISECT_TERMS");
    QVERIFY(overwrite(dir + S("BISECT_TERMS"), terms));
    VERIFY_OK(files.read());

    QVERIFY(overwrite(dir + S("BISECT_EXPECTED_REV"), "HEAD~1\n"));
    expectError("BISECT_EXPECTED_REV");
    QVERIFY(QFile::remove(dir + S("BISECT_EXPECTED_REV")));
    VERIFY_OK(files.read());

    QVERIFY(overwrite(dir + S("refs/bisect/bad"), "0123\n"));
    expectError("refs/bisect/bad");
}

void TestGitBisectFiles::linkedWorktreeKeepsItsOwnBisect() {
    TestRepo repo;
    QVERIFY(repo.isValid());
    const QStringList c = makeChain(repo);
    const QString wtPath = repo.path() + S("/wt");
    QCOMPARE(repo.git({S("worktree"), S("add"), S("-q"), S("--detach"), wtPath, S("c8")}).exitCode,
             0);
    auto inWorktree = [&](const QStringList &args) {
        return bw::test::run(S("git"), args, wtPath, repo.env());
    };
    QCOMPARE(inWorktree({S("bisect"), S("start"), S("c8"), S("c1")}).exitCode, 0);
    QCOMPARE(inWorktree({S("bisect"), S("skip"), S("c3")}).exitCode, 0);
    const QString wtGitDir = repo.path() + S("/.git/worktrees/wt/");
    QVERIFY(QFileInfo::exists(wtGitDir + S("BISECT_START")));
    QVERIFY(QFileInfo::exists(wtGitDir + S("refs/bisect/bad")));

    auto wtRepo = Repository::open(wtPath);
    VERIFY_OK(wtRepo);
    GitBisectFiles wtFiles(*wtRepo);
    QCOMPARE(QDir(wtFiles.stateDir()), QDir(wtGitDir));
    auto s = wtFiles.read();
    VERIFY_OK(s);
    QVERIFY(s->inProgress);
    QCOMPARE(s->bad, std::optional<Oid>(oid(c[7])));
    QCOMPARE(s->goods, std::vector<Oid>{oid(c[0])});
    QCOMPARE(s->skips, std::vector<Oid>{oid(c[2])});

    // The main work tree has no bisect of its own.
    auto mainRepo = Repository::open(repo.path());
    VERIFY_OK(mainRepo);
    auto m = GitBisectFiles(*mainRepo).read();
    VERIFY_OK(m);
    QVERIFY(!m->inProgress);
    QVERIFY(!m->bad && m->goods.empty() && m->skips.empty());

    // Our marks land in the worktree, where git finds them.
    VERIFY_OK(wtFiles.mark(MarkKind::Good, oid(c[1]), S("c2"), Terms{}));
    QVERIFY(QFileInfo::exists(wtGitDir + S("refs/bisect/good-") + c[1]));
    QCOMPARE(QString::fromUtf8(inWorktree({S("rev-parse"), S("refs/bisect/good-") + c[1]}).out)
                 .trimmed(),
             c[1]);
    QVERIFY(QString::fromUtf8(inWorktree({S("bisect"), S("log")}).out)
                .endsWith(markLogLines(S("good"), oid(c[1]), S("c2"))));
    VERIFY_OK(wtFiles.reset());
    QCOMPARE(inWorktree({S("for-each-ref"), S("refs/bisect/")}).out, QByteArray());
    QStringList left =
        QDir(wtGitDir).entryList(QDir::AllEntries | QDir::Hidden).filter(S("BISECT_"));
    QCOMPARE(left, QStringList());
    QCOMPARE(inWorktree({S("bisect"), S("log")}).exitCode, 1);
}

QTEST_GUILESS_MAIN(TestGitBisectFiles)
#include "tst_gitbisectfiles.moc"
