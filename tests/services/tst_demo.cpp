// The embedded demo: the same commit ids on every generation, the history's shape (merges,
// tags, a few hundred commits, the broken build, the planted regression), recipes that
// load, a stored demo reused or replaced, the regression really intermittent, and
// `bisect-workbench run` with local.toml finding the culprit with the broken commits
// skipped. Generation uses libgit2 only; the checks use the `git` binary.

#include "services/demo/DemoRepository.h"
#include "services/recipe/RecipeLoader.h"
#include "tests/support/TestRepo.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <set>

using bw::Oid;
using bw::demo::DemoInfo;
using bw::demo::DemoRepository;
using bw::test::RunResult;

namespace {

RunResult git(const QString &dir, const QStringList &args) {
    return bw::test::run(QStringLiteral("git"), args, dir);
}

QString gitOut(const QString &dir, const QStringList &args) {
    const RunResult r = git(dir, args);
    return r.exitCode == 0 ? QString::fromUtf8(r.out).trimmed() : QString();
}

// Every commit of `rev` as it is in the tree at `dir`, built in a scratch folder.
bool buildCommit(const QString &repo, const Oid &commit, const QString &into) {
    QDir().mkpath(into);
    const RunResult archive = bw::test::run(
        QStringLiteral("sh"),
        {QStringLiteral("-c"), QStringLiteral("git -C \"$0\" archive \"$1\" | tar -x -C \"$2\""),
         repo, commit.toString(), into});
    if (archive.exitCode != 0)
        return false;
    return bw::test::run(QStringLiteral("make"), {QStringLiteral("-s"), QStringLiteral("netsim")},
                         into)
               .exitCode == 0;
}

} // namespace

class TestDemo : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;
    DemoInfo m_info;

private slots:
    void initTestCase() {
        QVERIFY(m_scratch.isValid());
        QElapsedTimer t;
        t.start();
        auto info = DemoRepository::create(m_scratch.path() + QStringLiteral("/demo"));
        QVERIFY2(info, info ? "" : qPrintable(info.error().message()));
        m_info = *info;
        qInfo("generated in %lld ms", qint64(t.elapsed()));
    }

    // Two generations in two folders: the same refs pointing at the same ids.
    void identicalCommitIdsEveryTime() {
        auto again = DemoRepository::create(m_scratch.path() + QStringLiteral("/again"));
        QVERIFY2(again, again ? "" : qPrintable(again.error().message()));
        const QStringList refs = {QStringLiteral("show-ref"), QStringLiteral("--head")};
        const QString first = gitOut(m_info.path, refs);
        QVERIFY(!first.isEmpty());
        QCOMPARE(gitOut(again->path, refs), first);
        const QStringList all = {QStringLiteral("rev-list"), QStringLiteral("--all")};
        QCOMPARE(gitOut(again->path, all), gitOut(m_info.path, all));
        QCOMPARE(again->culprit, m_info.culprit);
        QCOMPARE(again->buildBroken, m_info.buildBroken);
        QCOMPARE(again->head, m_info.head);
    }

    void historyHasTheAdvertisedShape() {
        const QString d = m_info.path;
        const int commits = gitOut(d, {QStringLiteral("rev-list"), QStringLiteral("--count"),
                                       QStringLiteral("--all")})
                                .toInt();
        QVERIFY2(commits >= 250, qPrintable(QString::number(commits)));
        QCOMPARE(commits, m_info.commits);
        const int merges = gitOut(d, {QStringLiteral("rev-list"), QStringLiteral("--count"),
                                      QStringLiteral("--merges"), QStringLiteral("main")})
                               .toInt();
        QVERIFY(merges >= 3);
        QCOMPARE(merges, m_info.merges);
        const QStringList tags = gitOut(d, {QStringLiteral("tag")}).split(u'\n');
        QVERIFY(tags.size() >= 3);
        QCOMPARE(tags, m_info.tags);
        QCOMPARE(gitOut(d, {QStringLiteral("rev-parse"), QStringLiteral("v0.1^{commit}")}),
                 m_info.good.toString());
        QCOMPARE(gitOut(d, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}),
                 m_info.head.toString());
        QCOMPARE(gitOut(d, {QStringLiteral("symbolic-ref"), QStringLiteral("HEAD")}),
                 QStringLiteral("refs/heads/main"));
        // a clean checkout: the recipes beside it are excluded, not untracked
        QCOMPARE(gitOut(d, {QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
        QCOMPARE(git(d, {QStringLiteral("fsck"), QStringLiteral("--strict")}).exitCode, 0);

        // The culprit: in main's history through a merge, not on the first-parent line,
        // between v0.1 and HEAD; its parent builds; it is not a broken commit.
        const QString culprit = m_info.culprit.toString();
        QCOMPARE(git(d, {QStringLiteral("merge-base"), QStringLiteral("--is-ancestor"), culprit,
                         QStringLiteral("HEAD")})
                     .exitCode,
                 0);
        QCOMPARE(git(d, {QStringLiteral("merge-base"), QStringLiteral("--is-ancestor"),
                         QStringLiteral("v0.1"), culprit})
                     .exitCode,
                 0);
        QVERIFY(!gitOut(d, {QStringLiteral("rev-list"), QStringLiteral("--first-parent"),
                            QStringLiteral("main")})
                     .contains(culprit));
        QVERIFY(!m_info.buildBroken.empty());
        std::set<Oid> broken(m_info.buildBroken.begin(), m_info.buildBroken.end());
        QVERIFY(!broken.count(m_info.culprit));
        const QString parent = gitOut(d, {QStringLiteral("rev-parse"), culprit + u'^'});
        QVERIFY(!broken.count(*Oid::fromHex(parent)));
        for (const Oid &b : m_info.buildBroken)
            QCOMPARE(git(d, {QStringLiteral("merge-base"), QStringLiteral("--is-ancestor"),
                             QStringLiteral("v0.1"), b.toString()})
                         .exitCode,
                     0);
    }

    void recipesLoadWithoutIssues_data() {
        QTest::addColumn<QString>("name");
        for (const QString &r : DemoRepository::recipeFiles())
            QTest::newRow(qPrintable(r)) << r;
    }
    void recipesLoadWithoutIssues() {
        QFETCH(QString, name);
        const QString path = m_info.path + u'/' + name;
        QVERIFY(m_info.recipes.contains(path));
        const bw::recipe::RecipeLoad load = bw::recipe::RecipeLoader::loadFile(path);
        QVERIFY2(load.ok(), qPrintable(load.message()));
        QVERIFY(load.recipe.test.timeout > 0);
        if (name == u"local.toml") {
            QCOMPARE(load.recipe.bisect.mode, bw::BisectMode::Classic);
            QCOMPARE(load.recipe.test.repeat, 20);
            QCOMPARE(load.recipe.build.kind, bw::BuildKind::Command);
        } else if (name == u"flaky.toml") {
            QCOMPARE(load.recipe.bisect.mode, bw::BisectMode::Flaky);
            QCOMPARE(load.recipe.bisect.detection, 0.5);
            QCOMPARE(load.recipe.bisect.confidence, 0.99);
        } else if (name == u"vm.toml") {
            QCOMPARE(load.recipe.deploy.kind, bw::DeployKind::LibvirtKernel);
            QCOMPARE(load.recipe.wait.kind, bw::WaitKind::Ssh);
            QCOMPARE(load.recipe.test.kind, bw::TestKind::RemoteCommand);
            // what it names is there, and the scripts parse
            QVERIFY(QFileInfo::exists(m_info.path + u'/' + load.recipe.deploy.xml));
            // the build checks the machine against the URI the deploy uses, and a
            // missing component stops the session (check-vm.sh's exit 3) instead of
            // skipping every commit
            QCOMPARE(load.recipe.build.command.argv.value(4), load.recipe.deploy.uri);
            QCOMPARE(load.recipe.classify.size(), size_t(1));
            const bw::ClassifyRule &rule = load.recipe.classify.front();
            QCOMPARE(rule.stage, bw::StageKind::Build);
            QCOMPARE(rule.verdict, bw::Verdict::Abort);
            QCOMPARE(bw::outcomeMatchName(rule.outcome), QStringLiteral("exit:3"));
            QVERIFY(QRegularExpression(rule.pattern, QRegularExpression::MultilineOption)
                        .match(QStringLiteral("make: ok\nvm.toml needs libvirtd running: …\n"))
                        .hasMatch());
            // the SSH port is the same in the recipe and in the guest's port forward
            QFile xml(m_info.path + u'/' + load.recipe.deploy.xml);
            QVERIFY(xml.open(QIODevice::ReadOnly));
            QVERIFY(xml.readAll().contains(QStringLiteral("hostfwd=tcp:127.0.0.1:%1-:22")
                                               .arg(load.recipe.wait.port)
                                               .toUtf8()));
            for (const char *script :
                 {"vm/build-initramfs.sh", "vm/check-vm.sh", "vm/prepare-vm.sh"}) {
                const QString s = m_info.path + u'/' + QLatin1String(script);
                QVERIFY(QFileInfo(s).isExecutable());
                QCOMPARE(bw::test::run(QStringLiteral("sh"), {QStringLiteral("-n"), s}).exitCode,
                         0);
            }
        }
    }

    // ensure(): a current demo is reused (recipes the user edited kept, deleted ones
    // written again), an outdated one replaced, a stranger's folder left alone.
    void ensureReusesReplacesAndRefuses() {
        const QString dir = m_scratch.path() + QStringLiteral("/ensured");
        auto first = DemoRepository::ensure(dir);
        QVERIFY(first);
        QVERIFY(bw::test::writeFile(dir + QStringLiteral("/local.toml"), "# mine\n"));
        QVERIFY(QFile::remove(dir + QStringLiteral("/flaky.toml")));
        auto reused = DemoRepository::ensure(dir);
        QVERIFY(reused);
        QCOMPARE(reused->culprit, first->culprit);
        QCOMPARE(reused->buildBroken, first->buildBroken);
        QCOMPARE(reused->head, first->head);
        QFile mine(dir + QStringLiteral("/local.toml"));
        QVERIFY(mine.open(QIODevice::ReadOnly));
        QCOMPARE(mine.readAll(), QByteArray("# mine\n"));
        QVERIFY(QFileInfo::exists(dir + QStringLiteral("/flaky.toml")));

        QVERIFY(
            bw::test::writeFile(dir + QStringLiteral("/.git/bisect-workbench-demo"), "format 0\n"));
        auto replaced = DemoRepository::ensure(dir);
        QVERIFY(replaced);
        QCOMPARE(replaced->head, first->head);
        QFile fresh(dir + QStringLiteral("/local.toml"));
        QVERIFY(fresh.open(QIODevice::ReadOnly));
        QVERIFY(fresh.readAll().contains("repeat = 20"));

        const QString stranger = m_scratch.path() + QStringLiteral("/stranger");
        QVERIFY(QDir().mkpath(stranger));
        QVERIFY(bw::test::writeFile(stranger + QStringLiteral("/notes.txt"), "keep\n"));
        QVERIFY(!DemoRepository::ensure(stranger));
        QVERIFY(!DemoRepository::create(stranger));
        QCOMPARE(QDir(stranger).entryList(QDir::NoDotAndDotDot | QDir::AllEntries),
                 QStringList{QStringLiteral("notes.txt")});
    }

    // The regression is real and intermittent: the culprit's parent never hangs, the
    // culprit hangs for some seeds and not others; a broken commit does not build.
    void plantedRegressionIsIntermittent() {
        const QString base = m_scratch.path() + QStringLiteral("/builds");
        const Oid parent = *Oid::fromHex(
            gitOut(m_info.path, {QStringLiteral("rev-parse"), m_info.culprit.toString() + u'^'}));
        QVERIFY(buildCommit(m_info.path, parent, base + QStringLiteral("/parent")));
        QVERIFY(buildCommit(m_info.path, m_info.culprit, base + QStringLiteral("/culprit")));
        QVERIFY(!buildCommit(m_info.path, m_info.buildBroken.front(),
                             base + QStringLiteral("/broken")));
        int hangs = 0;
        int passes = 0;
        for (int seed = 1; seed <= 12; ++seed) {
            const QStringList args = {QStringLiteral("--stress"), QStringLiteral("10"),
                                      QStringLiteral("--quiet"), QStringLiteral("--seed"),
                                      QString::number(seed)};
            const RunResult good =
                bw::test::run(base + QStringLiteral("/parent/netsim"), args, {},
                              QProcessEnvironment::systemEnvironment(), {}, 20000);
            QVERIFY2(good.exitCode == 0, qPrintable(QString::number(seed)));
            QVERIFY(good.out.contains(": ok"));
            const RunResult bad = bw::test::run(base + QStringLiteral("/culprit/netsim"), args, {},
                                                QProcessEnvironment::systemEnvironment(), {}, 1500);
            if (bad.exitCode == -2)
                ++hangs;
            else if (bad.exitCode == 0)
                ++passes;
        }
        qInfo("culprit over 12 seeds: %d hangs, %d passes", hangs, passes);
        QVERIFY(hangs >= 1);
        QVERIFY(passes >= 1);
        QCOMPARE(hangs + passes, 12);
    }

    // The demo's own command: `run` with local.toml from the demo folder.
    void runWithLocalRecipeFindsTheCulprit() {
        QVERIFY2(QFile::exists(bw::test::TestRepo::workbenchBinary()), "BW_BINARY not set");
        const QString dir = m_scratch.path() + QStringLiteral("/for-run");
        auto info = DemoRepository::create(dir);
        QVERIFY(info);
        QElapsedTimer t;
        t.start();
        const RunResult r = bw::test::run(
            bw::test::TestRepo::workbenchBinary(),
            {QStringLiteral("run"), QStringLiteral("--recipe"), QStringLiteral("local.toml"),
             QStringLiteral("--good"), QStringLiteral("v0.1"), QStringLiteral("--bad"),
             QStringLiteral("HEAD"), QStringLiteral("--session"),
             m_scratch.path() + QStringLiteral("/session")},
            dir, QProcessEnvironment::systemEnvironment(), {}, 180000);
        const QString out = QString::fromUtf8(r.out);
        qInfo("run took %lld ms", qint64(t.elapsed()));
        QVERIFY2(r.exitCode == 0, qPrintable(out + QString::fromUtf8(r.err)));
        QVERIFY2(
            out.contains(info->culprit.toString() + QStringLiteral(" is the first bad commit")),
            qPrintable(out));
        // Every skip is a commit that does not build, every tested broken commit a skip,
        // and the bisect did meet one of them.
        std::set<QString> broken;
        for (const Oid &b : info->buildBroken)
            broken.insert(b.toString().left(12));
        static const QRegularExpression stepLine(
            QStringLiteral("^step \\d+ \\[([0-9a-f]{12})\\] (\\w+):"),
            QRegularExpression::MultilineOption);
        int skips = 0;
        int steps = 0;
        for (auto it = stepLine.globalMatch(out); it.hasNext();) {
            const auto m = it.next();
            ++steps;
            const bool isBroken = broken.count(m.captured(1)) > 0;
            const bool skipped = m.captured(2) == u"skip";
            QVERIFY2(isBroken == skipped, qPrintable(m.captured(0)));
            skips += skipped;
        }
        QVERIFY2(steps >= 6, qPrintable(out));
        QVERIFY2(skips >= 1, qPrintable(out));
    }

    // flaky.toml: one stress run a step, the posterior decides; the planted commit is
    // found with the confidence the recipe asks for, broken commits never blamed.
    void runWithFlakyRecipeFindsTheCulprit() {
        const QString dir = m_scratch.path() + QStringLiteral("/for-flaky");
        auto info = DemoRepository::create(dir);
        QVERIFY(info);
        // The recipe as shipped, asked for 99.99 % instead of 99 %: the hang is really
        // random here, and a test must not fail one run in a hundred.
        QFile recipe(dir + QStringLiteral("/flaky.toml"));
        QVERIFY(recipe.open(QIODevice::ReadOnly));
        QByteArray text = recipe.readAll();
        recipe.close();
        QVERIFY(text.contains("\nconfidence = 0.99\n"));
        text.replace("\nconfidence = 0.99\n", "\nconfidence = 0.9999\n");
        QVERIFY(bw::test::writeFile(dir + QStringLiteral("/flaky-test.toml"), text));
        const RunResult r = bw::test::run(
            bw::test::TestRepo::workbenchBinary(),
            {QStringLiteral("run"), QStringLiteral("--recipe"), QStringLiteral("flaky-test.toml"),
             QStringLiteral("--good"), QStringLiteral("v0.1"), QStringLiteral("--bad"),
             QStringLiteral("HEAD"), QStringLiteral("--session"),
             m_scratch.path() + QStringLiteral("/flaky-session")},
            dir, QProcessEnvironment::systemEnvironment(), {}, 240000);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(r.exitCode == 0, qPrintable(out + QString::fromUtf8(r.err)));
        QVERIFY2(
            out.contains(info->culprit.toString() + QStringLiteral(" is the first bad commit")),
            qPrintable(out));
        static const QRegularExpression confidence(
            QStringLiteral("with (\\d+\\.\\d+) % confidence"));
        const auto m = confidence.match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        QVERIFY(m.captured(1).toDouble() >= 99.99);
    }
};

QTEST_GUILESS_MAIN(TestDemo)
#include "tst_demo.moc"
