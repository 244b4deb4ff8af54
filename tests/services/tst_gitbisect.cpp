// GitBisect::mark against `git bisect <term> <commit>`: the same sessions on the same
// generated repositories, once marked with git and once with us, must print the same at
// every step and leave the same state (refs, BISECT_* files, HEAD, the log).

#include "services/git/GitBisect.h"

#include "services/git/Repository.h"
#include "tests/support/RandomHistory.h"
#include "tests/support/TestRepo.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

struct Step {
    QString term;
    QString sha;
};

} // namespace

class TestGitBisect : public QObject {
    Q_OBJECT
private slots:
    void marksLikeGit_data() {
        QTest::addColumn<int>("seed");
        for (int s = 0; s < 30; ++s)
            QTest::addRow("seed%d", s) << s;
    }

    void marksLikeGit() {
        QFETCH(int, seed);
        std::mt19937 rng(static_cast<unsigned>(seed) * 104729u + 7);
        TestRepo repo;
        Generated g;
        QVERIFY(generate(repo, rng, g));
        const int n = static_cast<int>(g.sha.size());
        const int bad = n - 1;
        std::vector<int> pool = strictAncestorsOf(g, bad);
        const int good = pool.empty() ? 0 : pool[rng() % pool.size()];
        const int culprit = pool.empty() ? bad : pool[rng() % pool.size()];
        const bool customTerms = seed % 3 == 1;
        const QString termBad = customTerms ? QStringLiteral("slow") : QStringLiteral("bad");
        const QString termGood = customTerms ? QStringLiteral("fast") : QStringLiteral("good");
        QStringList start{QStringLiteral("bisect"), QStringLiteral("start")};
        if (customTerms)
            start << QStringLiteral("--term-new=slow") << QStringLiteral("--term-old=fast");
        if (seed % 5 == 3)
            start << QStringLiteral("--first-parent");
        start << g.sha[bad] << g.sha[good];

        // The session with git: mostly the commit git asks for, sometimes another one.
        static const QRegularExpression shaLine(QStringLiteral("^\\[([0-9a-f]{40})\\] "),
                                                QRegularExpression::MultilineOption);
        std::vector<Step> steps;
        QStringList gitOutputs;
        RunResult r = repo.git(start);
        for (int i = 0; i < 12; ++i) {
            const auto m = shaLine.match(QString::fromUtf8(r.out));
            if (!m.hasMatch() || r.exitCode != 0)
                break;
            QString sha = m.captured(1);
            if (rng() % 4 == 0)
                sha = g.sha[pool.empty() ? bad : pool[rng() % pool.size()]];
            const int c =
                static_cast<int>(std::find(g.sha.begin(), g.sha.end(), sha) - g.sha.begin());
            const QString term = rng() % 6 == 0                     ? QStringLiteral("skip")
                                 : ancestorsOf(g, c).count(culprit) ? termBad
                                                                    : termGood;
            steps.push_back({term, sha});
            r = repo.git({QStringLiteral("bisect"), term, sha});
            gitOutputs << QString::fromUtf8(r.out) + QStringLiteral("exit %1").arg(r.exitCode);
        }
        const auto gitState = bisectSnapshot(repo);

        // The same session with GitBisect::mark.
        QCOMPARE(repo.git({QStringLiteral("bisect"), QStringLiteral("reset")}).exitCode, 0);
        QCOMPARE(repo.git(start).exitCode, 0);
        auto opened = git::Repository::open(repo.path());
        QVERIFY(opened.ok());
        git::GitBisect bisect(*opened);
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const auto kind = steps[i].term == termBad    ? MarkKind::Bad
                              : steps[i].term == termGood ? MarkKind::Good
                                                          : MarkKind::Skip;
            const git::CommandOutput o = bisect.mark(kind, *Oid::fromHex(steps[i].sha));
            QCOMPARE(o.out + QStringLiteral("exit %1").arg(o.exitCode),
                     gitOutputs[static_cast<int>(i)]);
        }
        QCOMPARE(bisectSnapshot(repo), gitState);
    }

    // Taking marks back ends in the state git reaches without them.
    void clearMarksLikeGitWithoutThem() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 30; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        auto refsAndNext = [&] {
            return repo.gitOut({QStringLiteral("for-each-ref"), QStringLiteral("refs/bisect/")}) +
                   QString::fromUtf8(
                       repo.git({QStringLiteral("bisect"), QStringLiteral("next")}).out);
        };
        // What git says without the marks that will be taken back.
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"),
                  QStringLiteral("--term-new=slow"), QStringLiteral("--term-old=fast"), sha[29]});
        repo.git({QStringLiteral("bisect"), QStringLiteral("fast"), sha[5]});
        repo.git({QStringLiteral("bisect"), QStringLiteral("skip"), sha[17]});
        const QString withoutThem = refsAndNext();
        repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});

        // The full session, then the marks of sha[0] (given to start) and sha[20] taken back.
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"),
                  QStringLiteral("--term-new=slow"), QStringLiteral("--term-old=fast"), sha[29],
                  sha[0]});
        repo.git({QStringLiteral("bisect"), QStringLiteral("fast"), sha[5]});
        repo.git({QStringLiteral("bisect"), QStringLiteral("slow"), sha[20]});
        repo.git({QStringLiteral("bisect"), QStringLiteral("skip"), sha[17]});
        auto opened = git::Repository::open(repo.path());
        QVERIFY(opened.ok());
        git::GitBisect bisect(*opened);
        git::CommandOutput o = bisect.clearMarks(*Oid::fromHex(sha[20]));
        QCOMPARE(o.exitCode, 0);
        o = bisect.clearMarks(*Oid::fromHex(sha[0]));
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(refsAndNext(), withoutThem);
        // A commit without marks: nothing changes.
        o = bisect.clearMarks(*Oid::fromHex(sha[3]));
        QVERIFY(o.out.contains(QStringLiteral("has no mark")));
        QCOMPARE(refsAndNext(), withoutThem);
    }

    // A start given as 'HEAD': HEAD has moved since (git checked commits out), and
    // still the bad commit stays where the bisect began.
    void clearMarksKeepsAStartedFromHeadRange() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 12; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        repo.git(
            {QStringLiteral("bisect"), QStringLiteral("start"), QStringLiteral("HEAD"), sha[0]});
        repo.git({QStringLiteral("bisect"), QStringLiteral("good"), sha[3]});
        repo.git({QStringLiteral("bisect"), QStringLiteral("skip"), sha[7]});
        QVERIFY(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}) != sha[11]);
        auto opened = git::Repository::open(repo.path());
        QVERIFY(opened.ok());
        git::GitBisect bisect(*opened);
        const git::CommandOutput o = bisect.clearMarks(*Oid::fromHex(sha[7]));
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("refs/bisect/bad")}),
                 sha[11]);
        QCOMPARE(
            repo.gitOut({QStringLiteral("for-each-ref"), QStringLiteral("refs/bisect/skip-*")}),
            QString());
    }

    void markWithoutABisect() {
        TestRepo repo;
        const QString sha = repo.commit(QStringLiteral("a"));
        auto opened = git::Repository::open(repo.path());
        QVERIFY(opened.ok());
        git::GitBisect bisect(*opened);
        const auto o = bisect.mark(MarkKind::Good, *Oid::fromHex(sha));
        QCOMPARE(o.exitCode, 1);
        QVERIFY(o.err.contains(QStringLiteral("git bisect start")));
        QVERIFY(!QFile::exists(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
    }

    // Without a good commit yet: git's status line, on screen and in the log.
    void markPrintsStatusUntilReady() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 4; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        repo.git({QStringLiteral("bisect"), QStringLiteral("start")});
        auto opened = git::Repository::open(repo.path());
        QVERIFY(opened.ok());
        git::GitBisect bisect(*opened);
        auto o = bisect.mark(MarkKind::Bad, *Oid::fromHex(sha[3]));
        QCOMPARE(o.out, QStringLiteral("status: waiting for good commit(s), bad commit known\n"));
        o = bisect.mark(MarkKind::Good, *Oid::fromHex(sha[0]));
        QVERIFY(o.out.startsWith(QStringLiteral("Bisecting: 0 revisions left")));
        const QString log = repo.gitOut({QStringLiteral("bisect"), QStringLiteral("log")});
        QVERIFY(
            log.contains(QStringLiteral("# status: waiting for good commit(s), bad commit known")));
    }
};

QTEST_GUILESS_MAIN(TestGitBisect)
#include "tst_gitbisect.moc"
