// Flaky mode and several workers, end to end through `bisect-workbench run` on generated
// repositories: a test that fails only half of the time after the planted culprit is
// bisected with 20 seeds (one worker, then two local workers); classic sessions with two
// workers find git's culprit with steps that really overlap; a flaky session killed in
// the middle resumes from its journal; the command line refuses worker settings that
// cannot work.

#include "tests/support/SessionProbe.h"
#include "tests/support/Sshd.h"
#include "tests/support/TestRepo.h"
#include "tests/support/TestTools.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <QMap>

#include <algorithm>
#include <csignal>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using bw::test::culpritIn;
using bw::test::journal;
using bw::test::RunResult;
using bw::test::TestRepo;

using bw::test::freePort;

namespace {

constexpr int kCommits = 48;
constexpr int kBugAt = 29; // c29 adds the file `bug`

// Fails with probability 1/2 where `bug` exists, never elsewhere. The outcome is a hash
// of the seed, the commit, the step and the iteration: reproducible per seed, and
// independent between runs (also between two workers testing one commit at once).
const QByteArray kFlakyTest = R"(#!/bin/sh
[ -e bug ] || exit 0
h=$(printf '%s-%s-%s-%s' "$SEED" "$BW_COMMIT" "$BW_STEP" "$BW_ITERATION" | sha256sum | cut -c1-2)
[ $((0x$h % 2)) -eq 0 ] && exit 1
exit 0
)";

QString writeExecutable(const QString &path, const QByteArray &body) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(body) != body.size())
        return {};
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    return path;
}

QString writeRecipe(const QString &dir, const QByteArray &text) {
    const QString path = dir + QStringLiteral("/recipe.toml");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        return {};
    return path;
}

QByteArray flakyRecipe(const QString &test, int repeat, const QByteArray &detection = "0.5") {
    return "[bisect]\nmode = \"flaky\"\ndetection = " + detection +
           "\nconfidence = 0.99\n\n[test]\ncommand = [\"" + test.toUtf8() +
           "\"]\nrepeat = " + QByteArray::number(repeat) + "\ntimeout = \"30s\"\n";
}

struct Fixture {
    TestRepo repo;
    QTemporaryDir scratch;
    QString test;
    QString culprit;
    QString good;
    QString bad;

    bool init() {
        if (!repo.isValid() || !scratch.isValid())
            return false;
        bw::test::commitLinearHistory(repo, kCommits, kBugAt);
        culprit = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c%1").arg(kBugAt)});
        good = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c0")});
        bad = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        test = writeExecutable(scratch.path() + QStringLiteral("/flaky-test"), kFlakyTest);
        return !culprit.isEmpty() && !test.isEmpty();
    }

    RunResult run(const QString &recipe, const QString &session, int seed,
                  const QStringList &extra = {}) const {
        QProcessEnvironment env = repo.env();
        env.insert(QStringLiteral("SEED"), QString::number(seed));
        return bw::test::run(TestRepo::workbenchBinary(),
                             QStringList{QStringLiteral("run"), QStringLiteral("--repo"),
                                         repo.path(), QStringLiteral("--recipe"), recipe,
                                         QStringLiteral("--bad"), bad, QStringLiteral("--good"),
                                         good, QStringLiteral("--session"), session} +
                                 extra,
                             repo.path(), env, {}, 300000);
    }
};

// Interval [started, finished] of every recorded step that ran a test.
struct Span {
    qint64 from = 0;
    qint64 to = 0;
};

QList<Span> spans(const QList<QJsonObject> &steps) {
    QList<Span> out;
    for (const QJsonObject &s : steps)
        out.append({s.value(QStringLiteral("started_ms")).toInteger(),
                    s.value(QStringLiteral("finished_ms")).toInteger()});
    return out;
}

bool isCancelled(const QJsonObject &step) {
    const QJsonArray stages = step.value(QStringLiteral("stages")).toArray();
    return !stages.isEmpty() &&
           stages.last().toObject().value(QStringLiteral("outcome")).toString() == u"cancelled";
}

bool anyOverlap(const QList<Span> &spans) {
    for (int i = 0; i < spans.size(); ++i)
        for (int j = i + 1; j < spans.size(); ++j)
            if (spans[i].from < spans[j].to && spans[j].from < spans[i].to)
                return true;
    return false;
}

} // namespace

class TestFlakyPipeline : public QObject {
    Q_OBJECT

private:
    // Runs `seeds` flaky sessions; returns how many found the planted culprit.
    int bisectSeeds(Fixture &f, int seeds, const QStringList &extra, int *totalRuns) {
        const QString recipe = writeRecipe(f.scratch.path(), flakyRecipe(f.test, 4));
        int right = 0;
        *totalRuns = 0;
        for (int seed = 1; seed <= seeds; ++seed) {
            const QString session =
                f.scratch.path() + QStringLiteral("/s%1-%2").arg(seed).arg(extra.join(u'-'));
            const RunResult r = f.run(recipe, session, seed, extra);
            const QString out = QString::fromUtf8(r.out);
            if (r.exitCode != 0) {
                qWarning().noquote() << "seed" << seed << "exit" << r.exitCode << out << r.err;
                continue;
            }
            const QString found = culpritIn(out);
            right += found == f.culprit;
            // The message states the confidence it reached.
            if (!out.contains(QStringLiteral("confidence")))
                qWarning().noquote() << "no confidence in" << out;
            // Test runs: the iterations each step's test stage made.
            for (const QJsonObject &s : journal(session))
                for (const QJsonValue &stage : s.value(QStringLiteral("stages")).toArray())
                    if (stage.toObject().value(QStringLiteral("stage")).toString() == u"test")
                        *totalRuns += stage.toObject().value(QStringLiteral("iteration")).toInt();
            if (found != f.culprit)
                qWarning().noquote() << "seed" << seed << "blamed" << found << "\n" << out;
        }
        return right;
    }

private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
    }

    // The issue's real-run goal: 19 of 20 seeds at detection 0.5, one worker and two.
    void flakyFindsTheCulpritInNineteenOfTwentySeeds_data() {
        QTest::addColumn<int>("workers");
        QTest::newRow("one worker") << 1;
        QTest::newRow("two local workers") << 2;
    }
    void flakyFindsTheCulpritInNineteenOfTwentySeeds() {
        QFETCH(int, workers);
        Fixture f;
        QVERIFY(f.init());
        int runs = 0;
        const int right = bisectSeeds(
            f, 20,
            workers > 1 ? QStringList{QStringLiteral("--workers"), QString::number(workers)}
                        : QStringList{},
            &runs);
        qInfo("%d worker(s): %d of 20 seeds right, %.1f test runs per seed", workers, right,
              runs / 20.0);
        QVERIFY(runs > 20);
        QVERIFY2(right >= 19, qPrintable(QStringLiteral("only %1 of 20 seeds").arg(right)));
    }

    // A single pass proves little: the engine tests commits again, and the journal holds
    // every run (passes and failures) with the commit it ran at.
    void flakyRetestsCommitsAndKeepsEveryRun() {
        Fixture f;
        QVERIFY(f.init());
        const QString recipe = writeRecipe(f.scratch.path(), flakyRecipe(f.test, 1));
        const QString session = f.scratch.path() + QStringLiteral("/s");
        const RunResult r = f.run(recipe, session, 7);
        QCOMPARE(r.exitCode, 0);
        const auto steps = journal(session);
        QSet<QString> commits;
        int good = 0, bad = 0;
        for (const QJsonObject &s : steps) {
            commits.insert(s.value(QStringLiteral("commit")).toString());
            const QString v = s.value(QStringLiteral("verdict")).toString();
            good += v == u"good";
            bad += v == u"bad";
        }
        QVERIFY2(commits.size() < steps.size(), "no commit was tested twice");
        QVERIFY(bad > 0);
        QVERIFY(good > 0);
        // git's own state keeps only what is certain: the start, no marks of runs.
        const QString log = f.repo.gitOut({QStringLiteral("bisect"), QStringLiteral("log")});
        QVERIFY2(bw::test::markLines(log).isEmpty(), qPrintable(log));
        QCOMPARE(culpritIn(QString::fromUtf8(r.out)), f.culprit);
        // The report states the confidence and what the runs say about the detection rate.
        const QString md = f.scratch.path() + QStringLiteral("/report.md");
        const RunResult rep =
            f.repo.workbench({QStringLiteral("report"), session, QStringLiteral("--format"),
                              QStringLiteral("md"), QStringLiteral("--output"), md});
        QVERIFY2(rep.exitCode == 0, rep.err.constData());
        QFile report(md);
        QVERIFY(report.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(report.readAll());
        QVERIFY2(text.contains(QStringLiteral("confidence")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("detection assumed 0.50")), qPrintable(text));
        QVERIFY(text.contains(f.culprit.left(12)));
    }

    // detection = "auto": the rate is estimated from the runs, and the result says so.
    void unknownDetectionIsEstimated() {
        Fixture f;
        QVERIFY(f.init());
        const QString recipe = writeRecipe(f.scratch.path(), flakyRecipe(f.test, 4, "\"auto\""));
        const QString session = f.scratch.path() + QStringLiteral("/s");
        const RunResult r = f.run(recipe, session, 3);
        const QString out = QString::fromUtf8(r.out);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(out.contains(QStringLiteral("detection estimated from")), qPrintable(out));
        QCOMPARE(culpritIn(out), f.culprit);
    }

    // kill -9 in the middle of a flaky session: resuming rebuilds the posterior from the
    // journal, and no run is lost or doubled.
    void flakySessionResumesAfterKill() {
        Fixture f;
        QVERIFY(f.init());
        const QString recipe = writeRecipe(f.scratch.path(), flakyRecipe(f.test, 1));
        const QString session = f.scratch.path() + QStringLiteral("/s");
        QProcess p;
        QProcessEnvironment env = f.repo.env();
        env.insert(QStringLiteral("SEED"), QStringLiteral("11"));
        p.setProcessEnvironment(env);
        p.setWorkingDirectory(f.repo.path());
        p.start(TestRepo::workbenchBinary(),
                {QStringLiteral("run"), QStringLiteral("--repo"), f.repo.path(),
                 QStringLiteral("--recipe"), recipe, QStringLiteral("--bad"), f.bad,
                 QStringLiteral("--good"), f.good, QStringLiteral("--session"), session});
        QVERIFY(p.waitForStarted());
        // Kill it once a few runs are recorded.
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += p.readAllStandardOutput(), out.count("\nstep ") >= 5 || out.startsWith("step ")
                                                   ? out.count("step ") >= 5
                                                   : false),
            60000);
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        const auto before = journal(session);
        QVERIFY(before.size() >= 5);

        const RunResult r = f.run(recipe, session, 11);
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(r.exitCode == 0, qPrintable(text + QString::fromUtf8(r.err)));
        QVERIFY2(text.contains(QStringLiteral("Resuming")), qPrintable(text));
        QCOMPARE(culpritIn(text), f.culprit);
        const auto after = journal(session);
        // Every step number once; the runs from before the kill are all still there.
        QSet<int> numbers;
        for (const QJsonObject &s : after) {
            const int n = s.value(QStringLiteral("number")).toInt();
            const int attempt = s.value(QStringLiteral("attempt")).toInt();
            QVERIFY2(!numbers.contains(n * 100 + attempt), "a step recorded twice");
            numbers.insert(n * 100 + attempt);
        }
        for (int i = 0; i < before.size(); ++i)
            QCOMPARE(after[i].value(QStringLiteral("commit")),
                     before[i].value(QStringLiteral("commit")));
    }

    // Classic mode, two workers: git's culprit, every verdict in git's log, and steps that
    // ran at the same time.
    void classicWithTwoWorkersFindsTheCulprit() {
        Fixture f;
        QVERIFY(f.init());
        const QByteArray script = "#!/bin/sh\nsleep 0.3\n[ -e bug ] && exit 1\nexit 0\n";
        const QString test = writeExecutable(f.scratch.path() + QStringLiteral("/t"), script);
        const QString recipe =
            writeRecipe(f.scratch.path(), "[test]\ncommand = [\"" + test.toUtf8() + "\"]\n");
        const QString session = f.scratch.path() + QStringLiteral("/s");
        const RunResult r =
            f.run(recipe, session, 0, {QStringLiteral("--workers"), QStringLiteral("2")});
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(r.exitCode == 0, qPrintable(out + QString::fromUtf8(r.err)));
        QCOMPARE(culpritIn(out), f.culprit);
        const auto steps = journal(session);
        QVERIFY2(anyOverlap(spans(steps)), "no two steps ran at once");
        // Each recorded (not cancelled) verdict is a mark in git's log, and vice versa.
        int marked = 0;
        for (const QJsonObject &s : steps)
            marked += !isCancelled(s);
        const QString log = f.repo.gitOut({QStringLiteral("bisect"), QStringLiteral("log")});
        QVERIFY(bw::test::markLines(log).size() <= marked);
        QVERIFY(bw::test::markLines(log).size() >= 4);
        // The second worker has its own worktree.
        QVERIFY(QDir(session + QStringLiteral("/worktree-2")).exists());
    }

    // Two workers and one machine (an SSH host, no [[worker]] list): the commits are
    // checked out and built at once, but the machine tests one commit at a time.
    void workersShareOneMachineOneTestAtATime() {
        Fixture f;
        QVERIFY(f.init());
        const QString d = f.scratch.path();
        QString error;
        QVERIFY2(bw::test::makeSshKeys(d, {QStringLiteral("hostkey"), QStringLiteral("id_ed25519")},
                                       error),
                 qPrintable(error));
        bw::test::Sshd sshd;
        QVERIFY2(sshd.start(d, freePort()), qPrintable(sshd.log));
        QVERIFY(bw::test::writeFile(d + QStringLiteral("/known_hosts"),
                                    bw::test::knownHostsLine(d, sshd.port)));
        // Each stage notes when it starts and ends (the "machine" is this host).
        const QString spans = d + QStringLiteral("/spans");
        const QByteArray recipe =
            "[build]\nkind = \"command\"\ncommand = \"echo build-start ${step} $(date +%s%N) >> " +
            spans.toUtf8() + "; sleep 0.6; echo build-end ${step} $(date +%s%N) >> " +
            spans.toUtf8() + "\"\n[wait]\nkind = \"ssh\"\nhost = \"127.0.0.1\"\nport = " +
            QByteArray::number(sshd.port) + "\nuser = \"root\"\nidentity = \"" + d.toUtf8() +
            "/id_ed25519\"\nknown_hosts = \"" + d.toUtf8() +
            "/known_hosts\"\ntimeout = \"30s\"\n[test]\nkind = \"remote-command\"\n"
            "command = \"echo test-start ${step} $(date +%s%N) >> " +
            spans.toUtf8() + "; sleep 0.4; echo test-end ${step} $(date +%s%N) >> " +
            spans.toUtf8() + "; test ! -e ${worktree}/bug\"\ntimeout = \"30s\"\n";
        const QString path = writeRecipe(d, recipe);
        const RunResult r = f.run(path, d + QStringLiteral("/s"), 0,
                                  {QStringLiteral("--workers"), QStringLiteral("2")});
        const QString text = QString::fromUtf8(r.out);
        QVERIFY2(r.exitCode == 0, qPrintable(text + QString::fromUtf8(r.err)));
        QCOMPARE(culpritIn(text), f.culprit);
        // "<kind>-start|end <step> <ns>": the spans of each kind, by step (a step cancelled
        // in the middle has no end and is left out).
        QFile log(spans);
        QVERIFY(log.open(QIODevice::ReadOnly));
        QMap<QString, QMap<QString, Span>> byKind;
        for (const QByteArray &line : log.readAll().split('\n')) {
            const QList<QByteArray> w = line.split(' ');
            if (w.size() != 3)
                continue;
            const QString what = QString::fromLatin1(w[0]);
            Span &span = byKind[what.section(u'-', 0, 0)][QString::fromLatin1(w[1])];
            (what.endsWith(u"-start") ? span.from : span.to) = w[2].toLongLong();
        }
        auto overlapping = [&](const QString &kind) {
            QList<Span> complete;
            for (const Span &span : byKind[kind])
                if (span.from > 0 && span.to > 0)
                    complete << span;
            return anyOverlap(complete);
        };
        QVERIFY(byKind[QStringLiteral("test")].size() >= 4);
        QVERIFY2(overlapping(QStringLiteral("build")), "no two builds ran at once");
        QVERIFY2(!overlapping(QStringLiteral("test")), "two tests ran on the machine at once");
        QVERIFY2(text.contains(QStringLiteral("one machine")), qPrintable(text));
    }

    void refusesWorkerSettingsThatCannotWork_data() {
        QTest::addColumn<QByteArray>("recipe");
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("in-place checkout")
            << QByteArray("[checkout]\nmode = \"in-place\"\n[test]\ncommand = [\"true\"]\n")
            << QStringList{QStringLiteral("--workers"), QStringLiteral("2")}
            << QStringLiteral("checkout mode \"worktree\"");
        QTest::newRow("more workers than listed")
            << QByteArray("[test]\ncommand = [\"true\"]\n[[worker]]\nname = \"a\"\n")
            << QStringList{QStringLiteral("--workers"), QStringLiteral("3")}
            << QStringLiteral("lists only 1 [[worker]]");
        QTest::newRow("not a number")
            << QByteArray("[test]\ncommand = [\"true\"]\n")
            << QStringList{QStringLiteral("--workers"), QStringLiteral("two")}
            << QStringLiteral("--workers two");
    }
    void refusesWorkerSettingsThatCannotWork() {
        QFETCH(QByteArray, recipe);
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        Fixture f;
        QVERIFY(f.init());
        const QString path = writeRecipe(f.scratch.path(), recipe);
        const RunResult r = f.run(path, f.scratch.path() + QStringLiteral("/s"), 0, args);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        // Nothing was started: no bisect in the repository.
        QVERIFY(!QFile::exists(f.repo.path() + QStringLiteral("/.git/BISECT_LOG")));
    }
};

QTEST_GUILESS_MAIN(TestFlakyPipeline)
#include "tst_flaky_pipeline.moc"
