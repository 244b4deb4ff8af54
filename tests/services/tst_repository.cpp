#include "services/git/Repository.h"
#include "tests/support/TestRepo.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace bw;
using bw::git::Repository;
using bw::test::TestRepo;

namespace {

Oid oidOf(const QString &hex) {
    return Oid::fromHex(hex).value_or(Oid{});
}

} // namespace

class TestRepository : public QObject {
    Q_OBJECT

private:
    // a - b - c ---- m - e      (main)
    //      \        /
    //       x ---- y            (side)
    void makeHistory(TestRepo &r) {
        r.commit(QStringLiteral("a"));
        r.commit(QStringLiteral("b"));
        r.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
               QStringLiteral("side")});
        r.commit(QStringLiteral("x"));
        r.commit(QStringLiteral("y"));
        r.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        r.commit(QStringLiteral("c"));
        r.merge(QStringLiteral("m"), QStringLiteral("side"));
        r.commit(QStringLiteral("e"));
    }

    QString rev(const TestRepo &r, const QString &spec) {
        return r.gitOut({QStringLiteral("rev-parse"), spec + QStringLiteral("^{commit}")});
    }

private slots:
    void openNonRepository() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY2(!QDir(QStringLiteral("/.git")).exists(), "the root must not be a repository");
        auto repo = Repository::open(dir.path());
        QVERIFY(!repo);
        QVERIFY2(repo.error().message().contains(QLatin1String("is not a git repository")),
                 qPrintable(repo.error().message()));
        QVERIFY(repo.error().message().contains(dir.path()));
    }

    void openFromSubdirectory() {
        TestRepo r;
        QVERIFY(r.isValid());
        r.commit(QStringLiteral("a"));
        QVERIFY(QDir(r.path()).mkpath(QStringLiteral("sub/dir")));
        auto repo = Repository::open(r.path() + QStringLiteral("/sub/dir"));
        QVERIFY2(repo, repo ? "" : qPrintable(repo.error().message()));
        QCOMPARE(QDir(repo->workDir()).canonicalPath(), QDir(r.path()).canonicalPath());
        QVERIFY(repo->gitDir().endsWith(u'/'));
        QVERIFY(repo->commonDir().endsWith(u'/'));
        QVERIFY(!repo->isBare());
        QVERIFY(!repo->isShallow());
    }

    void resolveCommit() {
        TestRepo r;
        QVERIFY(r.isValid());
        makeHistory(r);
        r.git({QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("v1.0"),
               QStringLiteral("-m"), QStringLiteral("release"), rev(r, QStringLiteral("b"))});
        // The annotated tag object differs from the commit it points to.
        QVERIFY(r.gitOut({QStringLiteral("rev-parse"), QStringLiteral("v1.0")}) !=
                rev(r, QStringLiteral("b")));

        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        const QString full = rev(r, QStringLiteral("c"));
        const QStringList specs = {full,
                                   full.left(7),
                                   QStringLiteral("v1.0"),
                                   QStringLiteral("HEAD~2"),
                                   QStringLiteral("main^2"),
                                   QStringLiteral("main~1^2~1"),
                                   QStringLiteral("side"),
                                   QStringLiteral("refs/tags/a")};
        const QStringList expected = {full,
                                      full,
                                      rev(r, QStringLiteral("b")),
                                      rev(r, QStringLiteral("c")),
                                      QString(), // main is e, not a merge: checked below
                                      rev(r, QStringLiteral("x")),
                                      rev(r, QStringLiteral("y")),
                                      rev(r, QStringLiteral("a"))};
        for (int i = 0; i < specs.size(); ++i) {
            if (expected[i].isEmpty())
                continue;
            auto oid = repo->resolveCommit(specs[i]);
            QVERIFY2(oid, qPrintable(specs[i] + QStringLiteral(": ") +
                                     (oid ? QString() : oid.error().message())));
            QCOMPARE(oid->toString(), expected[i]);
        }
        // `main^2` on a merge: move main to the merge first.
        r.git({QStringLiteral("reset"), QStringLiteral("-q"), QStringLiteral("--hard"),
               QStringLiteral("m")});
        auto second = repo->resolveCommit(QStringLiteral("main^2"));
        QVERIFY(second);
        QCOMPARE(second->toString(), rev(r, QStringLiteral("y")));
        auto first = repo->resolveCommit(QStringLiteral("main^1"));
        QVERIFY(first);
        QCOMPARE(first->toString(), rev(r, QStringLiteral("c")));
    }

    void resolveErrors() {
        TestRepo r;
        QVERIFY(r.isValid());
        makeHistory(r);
        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        for (const QString &bad : {QStringLiteral("no-such-branch"), QStringLiteral("HEAD~99"),
                                   QStringLiteral("deadbeefdeadbeefdeadbeefdeadbeefdeadbeef")}) {
            auto oid = repo->resolveCommit(bad);
            QVERIFY2(!oid, qPrintable(bad));
            QVERIFY2(oid.error().message().contains(bad), qPrintable(oid.error().message()));
        }
        QVERIFY(!repo->resolveCommit(QString()));
        // A tree is not a commit.
        auto tree = repo->resolveCommit(QStringLiteral("HEAD^{tree}"));
        QVERIFY(!tree);
    }

    void commitInfoSubject() {
        TestRepo r;
        QVERIFY(r.isValid());
        r.commit(QStringLiteral("base"));
        r.git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
               QStringLiteral("--cleanup=verbatim"), QStringLiteral("-m"),
               QStringLiteral("first line\nsecond line\n\nthe body\nmore body")});
        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        auto head = repo->resolveCommit(QStringLiteral("HEAD"));
        QVERIFY(head);
        auto info = repo->commitInfo(*head);
        QVERIFY2(info, info ? "" : qPrintable(info.error().message()));
        const QString gitSubject =
            r.gitOut({QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%s")});
        QCOMPARE(gitSubject, QStringLiteral("first line second line"));
        QCOMPARE(info->subject, gitSubject);
        QCOMPARE(repo->subject(*head), gitSubject);
        QVERIFY(info->message.contains(QLatin1String("the body\nmore body")));
        QCOMPARE(info->parents.size(), std::size_t(1));
        QCOMPARE(info->parents[0].toString(), rev(r, QStringLiteral("base")));
        QCOMPARE(info->commitTime, r.gitOut({QStringLiteral("log"), QStringLiteral("-1"),
                                             QStringLiteral("--format=%ct")})
                                       .toLongLong());
        QCOMPARE(info->authorEmail, QStringLiteral("t@example.com"));
        QVERIFY(
            !repo->commitInfo(oidOf(QStringLiteral("0123456789012345678901234567890123456789"))));
    }

    void referencesSortedAndPeeled() {
        TestRepo r;
        QVERIFY(r.isValid());
        r.commit(QStringLiteral("one"));
        r.commit(QStringLiteral("two"));
        // Created out of order; one annotated.
        r.git({QStringLiteral("tag"), QStringLiteral("zeta"), QStringLiteral("one")});
        r.git({QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("-m"),
               QStringLiteral("annotated"), QStringLiteral("alpha"), QStringLiteral("two")});
        r.git({QStringLiteral("tag"), QStringLiteral("mid"), QStringLiteral("one")});
        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        auto refs = repo->references(QStringLiteral("refs/tags/*"));
        QVERIFY(refs);
        QStringList names;
        for (const auto &[name, oid] : *refs)
            names << name;
        QCOMPARE(names,
                 QStringList({QStringLiteral("refs/tags/alpha"), QStringLiteral("refs/tags/mid"),
                              QStringLiteral("refs/tags/one"), QStringLiteral("refs/tags/two"),
                              QStringLiteral("refs/tags/zeta")}));
        QCOMPARE(refs->at(0).second.toString(), rev(r, QStringLiteral("two")));
        QCOMPARE(refs->at(4).second.toString(), rev(r, QStringLiteral("one")));
        auto none = repo->references(QStringLiteral("refs/bisect/*"));
        QVERIFY(none);
        QVERIFY(none->empty());
    }

    void setAndDeleteReference() {
        TestRepo r;
        QVERIFY(r.isValid());
        r.commit(QStringLiteral("one"));
        r.commit(QStringLiteral("two"));
        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        const Oid one = oidOf(rev(r, QStringLiteral("one")));
        const Oid two = oidOf(rev(r, QStringLiteral("two")));
        QVERIFY(repo->setReference(QStringLiteral("refs/bisect/bad"), two, QStringLiteral("test")));
        QVERIFY(repo->setReference(QStringLiteral("refs/bisect/good-x"), one, QStringLiteral("t")));
        QCOMPARE(r.gitOut({QStringLiteral("rev-parse"), QStringLiteral("refs/bisect/bad")}),
                 two.toString());
        // Overwriting is allowed (force).
        QVERIFY(repo->setReference(QStringLiteral("refs/bisect/bad"), one, QStringLiteral("test")));
        QCOMPARE(r.gitOut({QStringLiteral("rev-parse"), QStringLiteral("refs/bisect/bad")}),
                 one.toString());
        auto listed = repo->references(QStringLiteral("refs/bisect/*"));
        QVERIFY(listed);
        QCOMPARE(listed->size(), std::size_t(2));

        QVERIFY(repo->deleteReference(QStringLiteral("refs/bisect/bad")));
        QVERIFY(r.git({QStringLiteral("show-ref"), QStringLiteral("--verify"), QStringLiteral("-q"),
                       QStringLiteral("refs/bisect/bad")})
                    .exitCode != 0);
        QVERIFY(r.git({QStringLiteral("show-ref"), QStringLiteral("--verify"), QStringLiteral("-q"),
                       QStringLiteral("refs/bisect/good-x")})
                    .exitCode == 0);
        // Deleting what does not exist is not an error.
        QVERIFY(repo->deleteReference(QStringLiteral("refs/bisect/bad")));
        // An invalid name is.
        QVERIFY(!repo->setReference(QStringLiteral("refs/bisect/bad..x"), one, QString()));
    }

    void headForBisectStart() {
        TestRepo r;
        QVERIFY(r.isValid());
        r.commit(QStringLiteral("one"));
        r.commit(QStringLiteral("two"));
        r.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
               QStringLiteral("feature/x")});
        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        auto onBranch = repo->headForBisectStart();
        QVERIFY(onBranch);
        QCOMPARE(*onBranch, QStringLiteral("feature/x"));

        r.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("--detach"),
               QStringLiteral("one")});
        auto detached = repo->headForBisectStart();
        QVERIFY(detached);
        QCOMPARE(*detached, rev(r, QStringLiteral("one")));
    }

    void checkoutDetached() {
        TestRepo r;
        QVERIFY(r.isValid());
        QFile f(r.path() + QStringLiteral("/file.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("old\n");
        f.close();
        r.git({QStringLiteral("add"), QStringLiteral("file.txt")});
        r.commit(QStringLiteral("one"));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("new\n");
        f.close();
        r.git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-am"),
               QStringLiteral("two")});
        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        QVERIFY(repo->checkoutDetached(oidOf(rev(r, QStringLiteral("one")))));
        QCOMPARE(r.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}),
                 rev(r, QStringLiteral("one")));
        QVERIFY(
            r.git({QStringLiteral("symbolic-ref"), QStringLiteral("-q"), QStringLiteral("HEAD")})
                .exitCode != 0);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("old\n"));
    }
};

QTEST_GUILESS_MAIN(TestRepository)
#include "tst_repository.moc"
