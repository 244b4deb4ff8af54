// The orchestrator through its Qt API, as the window drives it: live signals, stop()
// cancelling a running step (its processes killed, no verdict), pause after a step and
// resume, and the session directory's journal.

#include "services/pipeline/Orchestrator.h"
#include "services/pipeline/SessionDirectory.h"
#include "services/store/SessionStore.h"
#include "tests/support/TestRepo.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace bw;
using bw::pipeline::Orchestrator;
using bw::test::TestRepo;

namespace {

pipeline::SessionOptions options(const TestRepo &repo, const QString &session, QStringList test) {
    pipeline::SessionOptions o;
    o.repositoryPath = repo.path();
    o.bad = QStringLiteral("c15");
    o.goods = {QStringLiteral("c0")};
    o.sessionDir = session;
    o.recipe.test.kind = TestKind::Command;
    o.recipe.test.command = CommandSpec::fromArgv(std::move(test));
    return o;
}

} // namespace

class TestOrchestrator : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

private slots:
    void runsToTheCulpritWithLiveSignals() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        Orchestrator o;
        QSignalSpy started(&o, &Orchestrator::stepStarted);
        QSignalSpy stages(&o, &Orchestrator::stageFinished);
        QSignalSpy output(&o, &Orchestrator::output);
        QSignalSpy steps(&o, &Orchestrator::stepFinished);
        QSignalSpy finished(&o, &Orchestrator::finished);
        // git's state is a --no-checkout bisect: BISECT_HEAD names the commit under test
        // while the user's HEAD stays where it was.
        const QString head = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        QStringList bisectHeads, expected;
        connect(&o, &Orchestrator::stepStarted, this, [&](int, const Oid &commit) {
            expected << commit.toString();
            bisectHeads << repo.gitOut(
                {QStringLiteral("rev-parse"), QStringLiteral("BISECT_HEAD")});
        });
        QVERIFY(o.start(options(repo, m_tmp.path() + QStringLiteral("/a"),
                                {QStringLiteral("sh"), QStringLiteral("-c"),
                                 QStringLiteral("echo testing $BW_SHORT; test ! -e bug")})));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Found);
        QCOMPARE(o.culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c9")}));
        QCOMPARE(started.size(), steps.size());
        QCOMPARE(steps.size(), 4);                 // 15 candidates: 4 steps
        QCOMPARE(stages.size(), 2 * steps.size()); // checkout and test
        bool sawOutput = false;
        for (const auto &args : output)
            sawOutput |= args.at(1).value<LogKind>() == LogKind::Test &&
                         args.at(2).toByteArray().startsWith("testing ");
        QVERIFY(sawOutput);
        QCOMPARE(o.state(), Orchestrator::State::Finished);
        QCOMPARE(bisectHeads, expected);
        QCOMPARE(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), head);
    }

    // Flaky mode through the Qt API: the posterior after each run, and "stop now and
    // report" ending the session with the leader of that moment.
    void flakySessionConcludedByHand() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        Orchestrator o;
        QSignalSpy updated(&o, &Orchestrator::flakyUpdated);
        QSignalSpy steps(&o, &Orchestrator::stepFinished);
        QSignalSpy finished(&o, &Orchestrator::finished);
        auto opts =
            options(repo, m_tmp.path() + QStringLiteral("/flaky"),
                    {QStringLiteral("sh"), QStringLiteral("-c"),
                     QStringLiteral(
                         "test ! -e bug && exit 0; "
                         "h=$(printf %s-%s \"$BW_COMMIT\" \"$BW_STEP\" | sha256sum | cut -c1-2); "
                         "exit $((0x$h % 2))")});
        opts.recipe.bisect.mode = BisectMode::Flaky;
        opts.recipe.bisect.detection = 0.5;
        opts.recipe.bisect.confidence = 0.999999; // not reached in a few runs
        QVERIFY(o.start(opts));
        QVERIFY(o.isFlaky());
        QTRY_VERIFY_WITH_TIMEOUT(steps.size() >= 4, 60000);
        QVERIFY(updated.size() >= 4);
        const auto status = o.flakyStatus();
        QVERIFY(status);
        QVERIFY(!status->top.empty());
        double sum = 0;
        for (std::size_t i = 0; i < status->top.size(); ++i) {
            sum += status->top[i].probability;
            if (i > 0)
                QVERIFY(status->top[i].probability <= status->top[i - 1].probability);
        }
        QVERIFY(sum <= 1.0 + 1e-9);
        QVERIFY(status->runs >= 4);
        QCOMPARE(status->confidence, 0.999999);
        QVERIFY(o.concludeNow());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(finished.at(0).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Found);
        const QString message = finished.at(0).at(1).toString();
        QVERIFY2(message.contains(QStringLiteral("concluded by hand")), qPrintable(message));
        // The culprit is the leader when the session was concluded (nothing ran since).
        const auto after = o.flakyStatus();
        QVERIFY(after);
        QCOMPARE(o.culprit(), std::optional<Oid>(after->top.front().commit));
        QVERIFY(!o.concludeNow()); // over
    }

    void concludeNowIsOnlyForFlakySessions() {
        TestRepo repo;
        commitLinearHistory(repo, 8, 3);
        Orchestrator o;
        QSignalSpy finished(&o, &Orchestrator::finished);
        auto opts =
            options(repo, m_tmp.path() + QStringLiteral("/classic-conclude"),
                    {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("test ! -e bug")});
        opts.bad = QStringLiteral("c7");
        QVERIFY(o.start(opts));
        const Status s = o.concludeNow();
        QVERIFY(!s);
        QVERIFY(s.error().message().contains(QStringLiteral("flaky")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QVERIFY(!o.flakyStatus());
    }

    // Two workers: each reports the step it runs, and the bisect still ends at git's
    // culprit with every verdict in git's log.
    void twoWorkersReportTheirSteps() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        Orchestrator o;
        QSignalSpy workers(&o, &Orchestrator::workerChanged);
        QSignalSpy finished(&o, &Orchestrator::finished);
        auto opts = options(repo, m_tmp.path() + QStringLiteral("/workers"),
                            {QStringLiteral("sh"), QStringLiteral("-c"),
                             QStringLiteral("sleep 0.2; test ! -e bug")});
        opts.workers = 2;
        QVERIFY(o.start(opts));
        QCOMPARE(o.workerCount(), 2);
        QCOMPARE(o.workerName(1), QStringLiteral("worker 2"));
        int maxBusy = 0;
        connect(&o, &Orchestrator::workerChanged, this,
                [&] { maxBusy = std::max(maxBusy, int(o.runningCommits().size())); });
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Found);
        QCOMPARE(o.culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c9")}));
        QSet<int> busyWorkers;
        for (const auto &args : workers)
            if (args.at(1).toInt() > 0)
                busyWorkers.insert(args.at(0).toInt());
        QCOMPARE(busyWorkers, (QSet<int>{0, 1}));
        QCOMPARE(maxBusy, 2);
        QVERIFY(o.runningCommits().empty());
    }

    void stopCancelsTheRunningStep() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        const QString session = m_tmp.path() + QStringLiteral("/stop");
        Orchestrator o;
        QSignalSpy finished(&o, &Orchestrator::finished);
        QSignalSpy stageStarted(&o, &Orchestrator::stageStarted);
        QVERIFY(
            o.start(options(repo, session,
                            {QStringLiteral("sh"), QStringLiteral("-c"),
                             QStringLiteral("echo $$ > \"$BW_SESSION/pid\"; exec sleep 300")})));
        auto readPid = [&] {
            QFile f(session + QStringLiteral("/pid"));
            return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt() : 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(readPid() > 0, 30000);
        const pid_t pid = readPid();
        QVERIFY(pid > 0);
        QElapsedTimer t;
        t.start();
        o.stop();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
        QVERIFY(t.elapsed() < 10000);
        QCOMPARE(finished.at(0).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Stopped);
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid, 0) != 0, 5000);
        // No verdict for the cancelled step: BISECT_LOG has no mark.
        QFile log(repo.path() + QStringLiteral("/.git/BISECT_LOG"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY(!text.contains("git bisect good ") && !text.contains("git bisect bad "));
        auto dir = pipeline::SessionDirectory::open(session);
        QVERIFY(dir);
        QCOMPARE(dir->readInfo()->status, QStringLiteral("stopped"));
    }

    void pauseAfterStepThenResume() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 3);
        Orchestrator o;
        QSignalSpy paused(&o, &Orchestrator::paused);
        QSignalSpy steps(&o, &Orchestrator::stepFinished);
        QSignalSpy finished(&o, &Orchestrator::finished);
        QVERIFY(o.start(options(
            repo, m_tmp.path() + QStringLiteral("/pause"),
            {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("test ! -e bug")})));
        // "Pause after this step", pressed while the first step runs.
        connect(&o, &Orchestrator::stepStarted, &o, [&o] { o.setPauseAfterStep(true); });
        QTRY_COMPARE_WITH_TIMEOUT(paused.size(), 1, 30000);
        QCOMPARE(steps.size(), 1);
        QCOMPARE(o.state(), Orchestrator::State::Paused);
        disconnect(&o, &Orchestrator::stepStarted, &o, nullptr);
        o.resume();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Found);
        QCOMPARE(o.culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c3")}));
    }

    // An override while a step runs: the running commit left the range, so its step is
    // cancelled (its process killed, nothing recorded) and the bisect goes on from there.
    // An override that lands after the step's test ended (its process is gone, the step
    // is still being wrapped up): the step's own verdict must not undo it. Found by the
    // soak benchmark.
    void overrideAfterTheTestEndedWins() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        Orchestrator o;
        QSignalSpy finished(&o, &Orchestrator::finished);
        QSignalSpy steps(&o, &Orchestrator::stepFinished);
        const Oid c7 =
            *Oid::fromHex(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c7")}));
        bool flipped = false;
        connect(&o, &Orchestrator::stageFinished, this, [&](int, const StageResult &r) {
            if (flipped || r.stage != StageKind::Test)
                return;
            flipped = true;
            QCOMPARE(o.runningCommit(), std::optional<Oid>(c7));
            QVERIFY(o.overrideMark(c7, MarkKind::Bad, QStringLiteral("seen failing by hand")));
        });
        QVERIFY(o.start(options(
            repo, m_tmp.path() + QStringLiteral("/late-override"),
            {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("test ! -e bug")})));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QVERIFY(flipped);
        QCOMPARE(finished.at(0).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Found);
        QCOMPARE(*o.culprit(), c7); // c1…c6 test good, and c7 is bad by hand
        QFile log(repo.path() + QStringLiteral("/.git/BISECT_LOG"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY(text.contains("git bisect bad " + c7.toString().toLatin1()));
        QVERIFY2(!text.contains("git bisect good " + c7.toString().toLatin1()), text.constData());
        // The step itself was recorded once, with its (unapplied) verdict.
        QCOMPARE(steps.at(0).at(0).value<StepRecord>().commit, c7);
        QCOMPARE(steps.at(0).at(0).value<StepRecord>().classification.verdict, Verdict::Good);
    }

    void overrideMidRunCancelsTheObsoleteStep() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        const QString session = m_tmp.path() + QStringLiteral("/override");
        Orchestrator o;
        QSignalSpy steps(&o, &Orchestrator::stepFinished);
        QSignalSpy finished(&o, &Orchestrator::finished);
        QSignalSpy overridden(&o, &Orchestrator::overridden);
        QSignalSpy changed(&o, &Orchestrator::marksChanged);
        QVERIFY(o.start(options(
            repo, session,
            {QStringLiteral("sh"), QStringLiteral("-c"),
             QStringLiteral("echo $$ > \"$BW_SESSION/pid\"; while ! test -e \"$BW_SESSION/go\"; "
                            "do sleep 0.05; done; test ! -e bug")})));
        auto readPid = [&] {
            QFile f(session + QStringLiteral("/pid"));
            return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt() : 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(readPid() > 0, 30000);
        const pid_t pid = readPid();
        const auto running = o.runningCommit();
        QVERIFY(running);
        const Oid c8 =
            *Oid::fromHex(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c8")}));
        const Oid c7 =
            *Oid::fromHex(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c7")}));
        QCOMPARE(*running, c7); // git's first choice in 15 linear candidates
        // Taking back the only bad commit is refused, with a reason.
        const Oid c15 =
            *Oid::fromHex(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c15")}));
        const Status refused = o.overrideMark(c15, std::nullopt, {});
        QVERIFY(!refused);
        QVERIFY2(refused.error().what.contains(QStringLiteral("only bad commit")),
                 qPrintable(refused.error().what));
        // c8 is good: c7 is no longer a candidate.
        QVERIFY(o.overrideMark(c8, MarkKind::Good, QStringLiteral("tested by hand")));
        QCOMPARE(overridden.size(), 1);
        QVERIFY(changed.size() >= 1);
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid, 0) != 0, 10000); // the step's process is gone
        QTRY_VERIFY_WITH_TIMEOUT(steps.size() >= 1, 10000);
        const auto first = steps.at(0).at(0).value<StepRecord>();
        QCOMPARE(first.commit, c7);
        QVERIFY(first.cancelled());
        QFile go(session + QStringLiteral("/go"));
        QVERIFY(go.open(QIODevice::WriteOnly));
        go.close();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Found);
        QCOMPARE(o.culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c9")}));
        for (int i = 1; i < steps.size(); ++i) // nothing at or below c8 was tested again
            QVERIFY(steps.at(i).at(0).value<StepRecord>().commit != c7);
        QFile log(repo.path() + QStringLiteral("/.git/BISECT_LOG"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray text = log.readAll();
        QVERIFY(text.contains("git bisect good " + c8.toString().toLatin1()));
        QVERIFY(!text.contains(c7.toString().toLatin1()));
        auto dir = pipeline::SessionDirectory::open(session);
        QVERIFY(dir);
        auto rows = dir->store().overrides(dir->sessionId());
        QVERIFY(rows);
        QCOMPARE(rows->size(), std::size_t(1));
        QCOMPARE(rows->front().commit, c8);
        QVERIFY(!rows->front().before);
        QCOMPARE(rows->front().after, std::optional<MarkKind>(MarkKind::Good));
        QCOMPARE(rows->front().reason, QStringLiteral("tested by hand"));
    }

    // Overriding a finished session's verdict reopens it: paused, and resuming bisects the
    // new range.
    void overrideAfterTheEndReopensTheSession() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        const QString session = m_tmp.path() + QStringLiteral("/reopen");
        Orchestrator o;
        QSignalSpy finished(&o, &Orchestrator::finished);
        QSignalSpy paused(&o, &Orchestrator::paused);
        QVERIFY(o.start(options(
            repo, session,
            {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("test ! -e bug")})));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        const Oid c9 = *o.culprit();
        QVERIFY(o.overrideMark(c9, MarkKind::Good, QStringLiteral("it was flaky")));
        QCOMPARE(o.state(), Orchestrator::State::Paused);
        QCOMPARE(paused.size(), 1);
        QVERIFY(!o.culprit());
        o.resume();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
        QCOMPARE(finished.at(1).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Found);
        QCOMPARE(o.culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c10")}));
    }

    // A bisect started on the command line is taken over with its marks.
    void adoptsTheBisectInProgress() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        auto opts =
            options(repo, m_tmp.path() + QStringLiteral("/adopt-none"),
                    {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("test ! -e bug")});
        opts.adopt = true;
        {
            Orchestrator o;
            const Status s = o.start(opts);
            QVERIFY(!s);
            QVERIFY2(s.error().what.contains(QStringLiteral("no bisect in progress")),
                     qPrintable(s.error().what));
        }
        repo.git({QStringLiteral("bisect"), QStringLiteral("start"),
                  QStringLiteral("--no-checkout"), QStringLiteral("c15"), QStringLiteral("c0")});
        repo.git({QStringLiteral("bisect"), QStringLiteral("good"), QStringLiteral("c4")});
        opts.sessionDir = m_tmp.path() + QStringLiteral("/adopt");
        opts.bad.clear();
        opts.goods.clear();
        Orchestrator o;
        QSignalSpy steps(&o, &Orchestrator::stepFinished);
        QSignalSpy finished(&o, &Orchestrator::finished);
        QVERIFY(o.start(opts));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QCOMPARE(finished.at(0).at(0).value<Orchestrator::Ending>(), Orchestrator::Ending::Found);
        QCOMPARE(o.culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c9")}));
        QCOMPARE(steps.size(), 3); // c5..c15: 10 candidates, 3 steps (c4 good already)
        const QString log = repo.gitOut({QStringLiteral("bisect"), QStringLiteral("log")});
        QVERIFY(log.contains(QStringLiteral("git bisect good ") +
                             repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("c4")})));
        auto dir = pipeline::SessionDirectory::open(opts.sessionDir);
        QVERIFY(dir);
        QVERIFY(dir->readInfo()->startArgs.contains(QStringLiteral("--no-checkout")));
    }

    void refusesWhatItCannotRun() {
        TestRepo repo;
        commitLinearHistory(repo, 4, 2);
        Orchestrator o;
        auto opts = options(repo, m_tmp.path() + QStringLiteral("/vm"), {QStringLiteral("true")});
        opts.bad = QStringLiteral("c3");
        // A console wait with nothing that has a console.
        opts.recipe.wait.kind = WaitKind::Console;
        opts.recipe.wait.pattern = QStringLiteral("login:");
        const Status s = o.start(opts);
        QVERIFY(!s);
        QVERIFY2(s.error().what.contains(QStringLiteral("libvirt-kernel")),
                 qPrintable(s.error().what));
        QVERIFY(!QFile::exists(repo.path() + QStringLiteral("/.git/BISECT_START")));
        // Flaky mode with a test that cannot tell good from bad.
        opts.recipe.wait = WaitSpec{};
        opts.recipe.bisect.mode = BisectMode::Flaky;
        opts.recipe.bisect.detection = 0.3;
        opts.recipe.bisect.falseAlarm = 0.3;
        const Status flaky = o.start(opts);
        QVERIFY(!flaky);
        QVERIFY2(flaky.error().what.contains(QStringLiteral("false_alarm")),
                 qPrintable(flaky.error().what));
        QVERIFY(!QFile::exists(repo.path() + QStringLiteral("/.git/BISECT_START")));
    }
};

QTEST_GUILESS_MAIN(TestOrchestrator)
#include "tst_orchestrator.moc"
