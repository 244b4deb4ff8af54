#include "services/process/CancelToken.h"
#include "services/process/ProcessRunner.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <future>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace bw::process;
using Ending = ProcessResult::Ending;

namespace {

// Every run in this file has a deadline, so a runner bug fails a test instead of hanging.
constexpr qint64 kSafetyTimeoutMs = 60000;
// Slack for a slow, loaded 2-core machine on top of any expected duration.
constexpr qint64 kMarginMs = 10000;

ProcessSpec shell(const QString &script) {
    ProcessSpec spec;
    spec.argv = {QStringLiteral("sh"), QStringLiteral("-c"), script};
    spec.timeoutMs = kSafetyTimeoutMs;
    return spec;
}

struct Output {
    QByteArray out;
    QByteArray err;
    int chunks = 0;
    qsizetype largestChunk = 0;
    bool offThread = false;

    ChunkSink sink() {
        const std::thread::id caller = std::this_thread::get_id();
        return [this, caller](Channel channel, const QByteArray &chunk) {
            (channel == Channel::Stdout ? out : err) += chunk;
            ++chunks;
            largestChunk = std::max(largestChunk, chunk.size());
            offThread = offThread || std::this_thread::get_id() != caller;
        };
    }
};

QList<pid_t> readPids(const QString &path) {
    QFile file(path);
    QList<pid_t> pids;
    if (!file.open(QIODevice::ReadOnly))
        return pids;
    for (const QByteArray &line : file.readAll().split('\n'))
        if (const int pid = line.trimmed().toInt(); pid > 0)
            pids << pid;
    return pids;
}

// Whether `pid` is a live (not zombie) process of process group `group`. Checking the
// group guards against the pid having been reused by an unrelated process meanwhile.
bool aliveInGroup(pid_t pid, pid_t group) {
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray text = stat.readAll();
    // "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses.
    const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 3)
        return false;
    const char state = fields[0].isEmpty() ? '?' : fields[0][0];
    return state != 'Z' && state != 'X' && fields[2].toInt() == group;
}

bool anyAlive(const QList<pid_t> &pids, pid_t group) {
    return std::any_of(pids.begin(), pids.end(),
                       [group](pid_t pid) { return aliveInGroup(pid, group); });
}

int openDescriptorCount() {
    return int(QDir(QStringLiteral("/proc/self/fd"))
                   .entryList(QDir::NoDotAndDotDot | QDir::System)
                   .size());
}

bool writeExecutable(const QString &path, const QByteArray &content) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        return false;
    file.close();
    return file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                               QFileDevice::ExeOwner);
}

} // namespace

class Test_processrunner : public QObject {
    Q_OBJECT

private slots:
    void exitCodeIsReported();
    void signalDeathIsReported_data();
    void signalDeathIsReported();
    void outputArrivesOnItsChannel();
    void largeOutputArrivesInFull();
    void stdinIsDevNull();
    void environmentIsAddedToInherited();
    void environmentWithoutInheritance();
    void workingDirectoryIsUsed();
    void scriptWithoutShebangRunsWithSh();
    void missingProgramFailsToStart_data();
    void missingProgramFailsToStart();
    void nonExecutableProgramFailsToStart();
    void missingWorkingDirectoryFailsToStart();
    void emptyCommandFailsToStart();
    void timeoutKillsTheWholeGroup();
    void ignoredSigtermIsFollowedBySigkill_data();
    void ignoredSigtermIsFollowedBySigkill();
    void cancelFromAnotherThread();
    void alreadyCancelledDoesNotStart();
    void leftoverChildrenAreKilledWhenLeaderExits();
    void escapedGrandchildDoesNotHang();
    void descriptorsAreNotLeaked();
    void foreignDescriptorsAreNotInherited();
    void captureCollectsOutput();
    void describeFormats_data();
    void describeFormats();
};

void Test_processrunner::exitCodeIsReported() {
    const ProcessResult r = ProcessRunner::run(shell(QStringLiteral("exit 3")), {});
    QCOMPARE(r.ending, Ending::Exited);
    QCOMPARE(r.exitCode, 3);
    QVERIFY(!r.succeeded());
    QCOMPARE(r.describe(), QStringLiteral("exit 3"));

    const ProcessResult ok = ProcessRunner::run(shell(QStringLiteral("true")), {});
    QVERIFY(ok.succeeded());
    QVERIFY(ok.durationMs >= 0);
}

void Test_processrunner::signalDeathIsReported_data() {
    QTest::addColumn<QString>("script");
    QTest::addColumn<int>("signal");
    QTest::addColumn<QString>("description");
    QTest::newRow("SEGV") << QStringLiteral("kill -SEGV $$") << int(SIGSEGV)
                          << QStringLiteral("killed by signal 11 (SIGSEGV)");
    QTest::newRow("KILL") << QStringLiteral("kill -9 $$") << int(SIGKILL)
                          << QStringLiteral("killed by signal 9 (SIGKILL)");
}

void Test_processrunner::signalDeathIsReported() {
    QFETCH(QString, script);
    QFETCH(int, signal);
    QFETCH(QString, description);
    const ProcessResult r = ProcessRunner::run(shell(script), {});
    QCOMPARE(r.ending, Ending::Signaled);
    QCOMPARE(r.signal, signal);
    QCOMPARE(r.describe(), description);
}

void Test_processrunner::outputArrivesOnItsChannel() {
    Output o;
    const ProcessResult r = ProcessRunner::run(
        shell(QStringLiteral("printf 'to out'; printf 'to err' >&2; printf ' again'")), o.sink());
    QVERIFY(r.succeeded());
    QCOMPARE(o.out, QByteArray("to out again"));
    QCOMPARE(o.err, QByteArray("to err"));
    QVERIFY(!o.offThread);
}

void Test_processrunner::largeOutputArrivesInFull() {
    // Both streams at once: a runner that drained one pipe at a time would deadlock.
    Output o;
    const ProcessResult r =
        ProcessRunner::run(shell(QStringLiteral("(head -c 1048576 /dev/zero | tr '\\0' e >&2) & "
                                                "head -c 1048576 /dev/zero | tr '\\0' o; wait")),
                           o.sink());
    QVERIFY2(r.succeeded(), qPrintable(r.describe()));
    QCOMPARE(o.out.size(), qsizetype(1 << 20));
    QCOMPARE(o.err.size(), qsizetype(1 << 20));
    QCOMPARE(o.out, QByteArray(1 << 20, 'o'));
    QCOMPARE(o.err, QByteArray(1 << 20, 'e'));
    QVERIFY(o.chunks >= 32);
    QVERIFY(o.largestChunk <= 64 * 1024);
    QVERIFY(!o.offThread);
}

void Test_processrunner::stdinIsDevNull() {
    QByteArray out;
    const ProcessResult r = ProcessRunner::capture(shell(QStringLiteral("cat; echo done")), out);
    QVERIFY(r.succeeded());
    QCOMPARE(out, QByteArray("done\n"));
}

void Test_processrunner::environmentIsAddedToInherited() {
    qputenv("BW_TEST_INHERITED", "from-parent");
    qputenv("BW_TEST_OVERRIDDEN", "old");
    ProcessSpec spec = shell(QStringLiteral(
        "printf '%s|%s|%s' \"$BW_TEST_INHERITED\" \"$BW_TEST_OVERRIDDEN\" \"$BW_TEST_ADDED\""));
    spec.environment.insert(QStringLiteral("BW_TEST_OVERRIDDEN"), QStringLiteral("new"));
    spec.environment.insert(QStringLiteral("BW_TEST_ADDED"), QStringLiteral("a b=c ü"));
    QByteArray out;
    const ProcessResult r = ProcessRunner::capture(spec, out);
    qunsetenv("BW_TEST_INHERITED");
    qunsetenv("BW_TEST_OVERRIDDEN");
    QVERIFY(r.succeeded());
    QCOMPARE(QString::fromUtf8(out), QStringLiteral("from-parent|new|a b=c ü"));
}

void Test_processrunner::environmentWithoutInheritance() {
    qputenv("BW_TEST_INHERITED", "from-parent");
    ProcessSpec spec;
    spec.argv = {QStringLiteral("env")}; // found through the runner's PATH: the child has none
    spec.inheritEnvironment = false;
    spec.environment.insert(QStringLiteral("ONLY"), QStringLiteral("1"));
    spec.timeoutMs = kSafetyTimeoutMs;
    QByteArray out;
    const ProcessResult r = ProcessRunner::capture(spec, out);
    qunsetenv("BW_TEST_INHERITED");
    QVERIFY2(r.succeeded(), qPrintable(r.describe()));
    QCOMPARE(out, QByteArray("ONLY=1\n"));

    spec.environment.insert(QStringLiteral("BAD=NAME"), QStringLiteral("x"));
    const ProcessResult bad = ProcessRunner::capture(spec, out);
    QCOMPARE(bad.ending, Ending::FailedToStart);
    QVERIFY2(bad.error.contains(QStringLiteral("BAD=NAME")), qPrintable(bad.error));
}

void Test_processrunner::workingDirectoryIsUsed() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ProcessSpec spec = shell(QStringLiteral("pwd -P"));
    spec.workingDirectory = dir.path();
    QByteArray out;
    QVERIFY(ProcessRunner::capture(spec, out).succeeded());
    QCOMPARE(QString::fromLocal8Bit(out.trimmed()), QFileInfo(dir.path()).canonicalFilePath());

    // A relative program path is relative to the working directory, as in a recipe.
    QVERIFY(writeExecutable(dir.filePath(QStringLiteral("run-test")),
                            "#!/bin/sh\necho \"test ran with $1\"\nexit 4\n"));
    spec.argv = {QStringLiteral("./run-test"), QStringLiteral("arg one")};
    const ProcessResult r = ProcessRunner::capture(spec, out);
    QCOMPARE(r.ending, Ending::Exited);
    QCOMPARE(r.exitCode, 4);
    QCOMPARE(out, QByteArray("test ran with arg one\n"));
}

void Test_processrunner::scriptWithoutShebangRunsWithSh() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(writeExecutable(dir.filePath(QStringLiteral("plain")), "echo \"plain $1\"\n"));
    ProcessSpec spec;
    spec.argv = {dir.filePath(QStringLiteral("plain")), QStringLiteral("script")};
    spec.timeoutMs = kSafetyTimeoutMs;
    QByteArray out;
    const ProcessResult r = ProcessRunner::capture(spec, out);
    QVERIFY2(r.succeeded(), qPrintable(r.describe()));
    QCOMPARE(out, QByteArray("plain script\n"));
}

void Test_processrunner::missingProgramFailsToStart_data() {
    QTest::addColumn<QString>("program");
    QTest::newRow("relative path") << QStringLiteral("./run-test");
    QTest::newRow("PATH lookup") << QStringLiteral("bw-no-such-program-xyz");
    QTest::newRow("absolute path") << QStringLiteral("/nonexistent/bw/run-test");
}

void Test_processrunner::missingProgramFailsToStart() {
    QFETCH(QString, program);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ProcessSpec spec;
    spec.argv = {program};
    spec.workingDirectory = dir.path();
    spec.timeoutMs = kSafetyTimeoutMs;
    Output o;
    const ProcessResult r = ProcessRunner::run(spec, o.sink());
    QCOMPARE(r.ending, Ending::FailedToStart);
    QCOMPARE(r.error, QStringLiteral("cannot run '%1': No such file or directory").arg(program));
    QCOMPARE(r.describe(), QStringLiteral("failed to start: ") + r.error);
    QCOMPARE(o.chunks, 0);
}

void Test_processrunner::nonExecutableProgramFailsToStart() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile file(dir.filePath(QStringLiteral("run-test")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("#!/bin/sh\nexit 0\n");
    file.close();
    ProcessSpec spec;
    spec.argv = {QStringLiteral("./run-test")};
    spec.workingDirectory = dir.path();
    spec.timeoutMs = kSafetyTimeoutMs;
    const ProcessResult r = ProcessRunner::run(spec, {});
    QCOMPARE(r.ending, Ending::FailedToStart);
    QCOMPARE(r.error, QStringLiteral("cannot run './run-test': Permission denied"));
}

void Test_processrunner::missingWorkingDirectoryFailsToStart() {
    ProcessSpec spec = shell(QStringLiteral("echo should not run"));
    spec.workingDirectory = QStringLiteral("/nonexistent/bw-worktree");
    Output o;
    const ProcessResult r = ProcessRunner::run(spec, o.sink());
    QCOMPARE(r.ending, Ending::FailedToStart);
    QCOMPARE(r.error, QStringLiteral("cannot change to working directory "
                                     "'/nonexistent/bw-worktree': No such file or directory"));
    QCOMPARE(o.chunks, 0);
}

void Test_processrunner::emptyCommandFailsToStart() {
    const ProcessResult r = ProcessRunner::run(ProcessSpec{}, {});
    QCOMPARE(r.ending, Ending::FailedToStart);
    QVERIFY(!r.error.isEmpty());
}

void Test_processrunner::timeoutKillsTheWholeGroup() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ProcessSpec spec = shell(QStringLiteral("echo $$ > pids; sleep 300 & echo $! >> pids; "
                                            "sleep 300 & echo $! >> pids; echo ready; wait"));
    spec.workingDirectory = dir.path();
    spec.timeoutMs = 3000;
    spec.killGraceMs = 2000;
    Output o;
    QElapsedTimer timer;
    timer.start();
    const ProcessResult r = ProcessRunner::run(spec, o.sink());
    const qint64 elapsed = timer.elapsed();

    QCOMPARE(r.ending, Ending::TimedOut);
    QCOMPARE(r.timeoutMs, qint64(3000));
    QCOMPARE(r.describe(), QStringLiteral("timed out after 3s"));
    QVERIFY2(o.out.contains("ready"), "the command did not get going before its timeout");
    QVERIFY2(elapsed >= 3000, qPrintable(QString::number(elapsed)));
    QVERIFY2(elapsed < 3000 + 2000 + kMarginMs, qPrintable(QString::number(elapsed)));
    QVERIFY(r.durationMs >= 3000);

    const QList<pid_t> pids = readPids(dir.filePath(QStringLiteral("pids")));
    QCOMPARE(pids.size(), 3);
    // SIGKILLed processes need a moment to be torn down on a loaded machine.
    QTRY_VERIFY_WITH_TIMEOUT(!anyAlive(pids, pids.first()), int(kMarginMs));
}

void Test_processrunner::ignoredSigtermIsFollowedBySigkill_data() {
    QTest::addColumn<bool>("byTimeout");
    QTest::newRow("timeout") << true;
    QTest::newRow("cancel") << false;
}

void Test_processrunner::ignoredSigtermIsFollowedBySigkill() {
    QFETCH(bool, byTimeout);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Ignored dispositions are inherited: the sleeps ignore SIGTERM too.
    ProcessSpec spec = shell(QStringLiteral(
        "trap '' TERM; echo $$ > pids; sleep 300 & echo $! >> pids; echo ready; wait; wait"));
    spec.workingDirectory = dir.path();
    spec.timeoutMs = byTimeout ? 4000 : kSafetyTimeoutMs;
    spec.killGraceMs = 1500;
    CancelToken token;
    QElapsedTimer sinceStart;
    QElapsedTimer sinceTermination;
    qint64 readyAtMs = -1;
    sinceStart.start();
    const ProcessResult r = ProcessRunner::run(
        spec,
        [&](Channel, const QByteArray &chunk) {
            if (readyAtMs >= 0 || !chunk.contains("ready"))
                return;
            readyAtMs = sinceStart.elapsed();
            if (!byTimeout) {
                sinceTermination.start();
                token.cancel();
            }
        },
        &token);
    if (byTimeout) {
        if (readyAtMs < 0 || readyAtMs >= spec.timeoutMs)
            QSKIP("the machine is too slow: the trap was not set before the timeout");
        QCOMPARE(r.ending, Ending::TimedOut);
        const qint64 elapsed = sinceStart.elapsed();
        QVERIFY2(elapsed >= spec.timeoutMs + spec.killGraceMs,
                 qPrintable(QString::number(elapsed)));
        QVERIFY2(elapsed < spec.timeoutMs + spec.killGraceMs + kMarginMs,
                 qPrintable(QString::number(elapsed)));
    } else {
        QVERIFY(readyAtMs >= 0);
        QCOMPARE(r.ending, Ending::Cancelled);
        const qint64 elapsed = sinceTermination.elapsed();
        QVERIFY2(elapsed >= spec.killGraceMs, qPrintable(QString::number(elapsed)));
        QVERIFY2(elapsed < spec.killGraceMs + kMarginMs, qPrintable(QString::number(elapsed)));
    }
    const QList<pid_t> pids = readPids(dir.filePath(QStringLiteral("pids")));
    QCOMPARE(pids.size(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!anyAlive(pids, pids.first()), int(kMarginMs));
}

void Test_processrunner::cancelFromAnotherThread() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    ProcessSpec spec =
        shell(QStringLiteral("echo $$ > pids; sleep 300 & echo $! >> pids; echo ready; wait"));
    spec.workingDirectory = dir.path();
    // A grace far above the margin: returning quickly proves the wake-up and the SIGTERM.
    spec.killGraceMs = 3 * kMarginMs;
    CancelToken token;
    std::promise<void> ready;
    std::future<void> readySeen = ready.get_future();
    bool signalled = false;
    QElapsedTimer sinceCancel;
    std::atomic<bool> cancelled{false};
    std::jthread canceller([&] {
        if (readySeen.wait_for(std::chrono::milliseconds(kSafetyTimeoutMs)) !=
            std::future_status::ready)
            return;
        sinceCancel.start();
        cancelled.store(true);
        token.cancel();
    });
    const ProcessResult r = ProcessRunner::run(
        spec,
        [&](Channel, const QByteArray &chunk) {
            if (!signalled && chunk.contains("ready")) {
                signalled = true;
                ready.set_value();
            }
        },
        &token);
    canceller.join();
    QVERIFY(cancelled.load());
    QCOMPARE(r.ending, Ending::Cancelled);
    QCOMPARE(r.describe(), QStringLiteral("cancelled"));
    QVERIFY2(sinceCancel.elapsed() < kMarginMs, qPrintable(QString::number(sinceCancel.elapsed())));
    const QList<pid_t> pids = readPids(dir.filePath(QStringLiteral("pids")));
    QCOMPARE(pids.size(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!anyAlive(pids, pids.first()), int(kMarginMs));
}

void Test_processrunner::alreadyCancelledDoesNotStart() {
    CancelToken token;
    token.cancel();
    token.cancel(); // idempotent
    QVERIFY(token.isCancelled());
    Output o;
    const ProcessResult r =
        ProcessRunner::run(shell(QStringLiteral("echo should not run")), o.sink(), &token);
    QCOMPARE(r.ending, Ending::Cancelled);
    QCOMPARE(o.chunks, 0);
}

void Test_processrunner::leftoverChildrenAreKilledWhenLeaderExits() {
    // The background sleep holds stdout open: without the group kill, run() would wait
    // for it (or for the drain grace) and it would outlive the step.
    QByteArray out;
    QElapsedTimer timer;
    timer.start();
    const ProcessResult r =
        ProcessRunner::capture(shell(QStringLiteral("sleep 300 & echo $$ $!; exit 0")), out);
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(r.succeeded(), qPrintable(r.describe()));
    QVERIFY2(elapsed < kMarginMs, qPrintable(QString::number(elapsed)));
    const QList<QByteArray> ids = out.trimmed().split(' ');
    QCOMPARE(ids.size(), 2);
    const pid_t leader = ids[0].toInt();
    const pid_t background = ids[1].toInt();
    QVERIFY(leader > 0 && background > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!aliveInGroup(background, leader), int(kMarginMs));
}

void Test_processrunner::escapedGrandchildDoesNotHang() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // The grandchild leaves the group (its own session) before the leader exits, and
    // keeps stdout and stderr open for 300 s.
    ProcessSpec spec = shell(QStringLiteral(
        "setsid sh -c 'echo $$ > escaped.tmp; mv escaped.tmp escaped; exec sleep 300' & "
        "while [ ! -e escaped ]; do sleep 0.05; done; echo started; exit 0"));
    spec.workingDirectory = dir.path();
    Output o;
    QElapsedTimer timer;
    timer.start();
    const ProcessResult r = ProcessRunner::run(spec, o.sink());
    const qint64 elapsed = timer.elapsed();

    const QList<pid_t> escaped = readPids(dir.filePath(QStringLiteral("escaped")));
    QCOMPARE(escaped.size(), 1);
    const pid_t pid = escaped.first();
    const bool wasAlive = aliveInGroup(pid, pid);
    if (wasAlive)
        ::kill(pid, SIGKILL); // ours to clean up: it escaped the runner on purpose

    QVERIFY2(r.succeeded(), qPrintable(r.describe()));
    QCOMPARE(o.out, QByteArray("started\n"));
    QVERIFY2(wasAlive, "the grandchild did not escape the group");
    QVERIFY2(elapsed < kMarginMs, qPrintable(QString::number(elapsed)));
    QTRY_VERIFY_WITH_TIMEOUT(!aliveInGroup(pid, pid), int(kMarginMs));
}

void Test_processrunner::descriptorsAreNotLeaked() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto runAll = [&dir] {
        QByteArray out, err;
        (void)ProcessRunner::capture(shell(QStringLiteral("echo out; echo err >&2")), out, &err);
        ProcessSpec missing;
        missing.argv = {QStringLiteral("./missing")};
        missing.workingDirectory = dir.path();
        (void)ProcessRunner::run(missing, {});
        ProcessSpec badDir = shell(QStringLiteral("true"));
        badDir.workingDirectory = dir.filePath(QStringLiteral("missing"));
        (void)ProcessRunner::run(badDir, {});
        ProcessSpec timeout = shell(QStringLiteral("sleep 300"));
        timeout.timeoutMs = 200;
        (void)ProcessRunner::run(timeout, {});
        CancelToken token;
        (void)ProcessRunner::run(
            shell(QStringLiteral("echo ready; sleep 300")),
            [&token](Channel, const QByteArray &) { token.cancel(); }, &token);
    };
    runAll(); // warm-up: whatever Qt opens lazily
    const int before = openDescriptorCount();
    runAll();
    runAll();
    QCOMPARE(openDescriptorCount(), before);
}

void Test_processrunner::foreignDescriptorsAreNotInherited() {
    const int leaked = ::open("/dev/null", O_RDONLY); // deliberately without O_CLOEXEC
    QVERIFY(leaked >= 0);
    QByteArray out;
    const ProcessResult r = ProcessRunner::capture(
        shell(QStringLiteral("[ -e /proc/self/fd/%1 ] && echo open || echo closed").arg(leaked)),
        out);
    ::close(leaked);
    QVERIFY(r.succeeded());
    QCOMPARE(out, QByteArray("closed\n"));
}

void Test_processrunner::captureCollectsOutput() {
    const ProcessSpec spec = shell(QStringLiteral("echo out; echo err >&2; exit 2"));
    QByteArray out = "stale";
    QByteArray err = "stale";
    const ProcessResult r = ProcessRunner::capture(spec, out, &err);
    QCOMPARE(r.ending, Ending::Exited);
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(out, QByteArray("out\n"));
    QCOMPARE(err, QByteArray("err\n"));

    const ProcessResult onlyOut = ProcessRunner::capture(spec, out);
    QCOMPARE(onlyOut.exitCode, 2);
    QCOMPARE(out, QByteArray("out\n"));
}

void Test_processrunner::describeFormats_data() {
    QTest::addColumn<int>("ending");
    QTest::addColumn<int>("code");
    QTest::addColumn<qint64>("timeoutMs");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("expected");
    const auto row = [](const char *name, Ending ending, int code, qint64 timeoutMs,
                        const QString &error, const QString &expected) {
        QTest::newRow(name) << int(ending) << code << timeoutMs << error << expected;
    };
    row("exit 0", Ending::Exited, 0, 0, {}, QStringLiteral("exit 0"));
    row("exit 2", Ending::Exited, 2, 0, {}, QStringLiteral("exit 2"));
    row("SIGKILL", Ending::Signaled, 9, 0, {}, QStringLiteral("killed by signal 9 (SIGKILL)"));
    row("SIGTERM", Ending::Signaled, 15, 0, {}, QStringLiteral("killed by signal 15 (SIGTERM)"));
    row("unknown signal", Ending::Signaled, 1000, 0, {}, QStringLiteral("killed by signal 1000"));
    row("3m", Ending::TimedOut, 0, 180000, {}, QStringLiteral("timed out after 3m"));
    row("500ms", Ending::TimedOut, 0, 500, {}, QStringLiteral("timed out after 500ms"));
    row("1.5s", Ending::TimedOut, 0, 1500, {}, QStringLiteral("timed out after 1.5s"));
    row("30s", Ending::TimedOut, 0, 30000, {}, QStringLiteral("timed out after 30s"));
    row("1m30s", Ending::TimedOut, 0, 90000, {}, QStringLiteral("timed out after 1m30s"));
    row("2h", Ending::TimedOut, 0, 7200000, {}, QStringLiteral("timed out after 2h"));
    row("1h30m", Ending::TimedOut, 0, 5400000, {}, QStringLiteral("timed out after 1h30m"));
    row("cancelled", Ending::Cancelled, 0, 0, {}, QStringLiteral("cancelled"));
    row("failed", Ending::FailedToStart, 0, 0, QStringLiteral("cannot run 'x': Permission denied"),
        QStringLiteral("failed to start: cannot run 'x': Permission denied"));
}

void Test_processrunner::describeFormats() {
    QFETCH(int, ending);
    QFETCH(int, code);
    QFETCH(qint64, timeoutMs);
    QFETCH(QString, error);
    QFETCH(QString, expected);
    ProcessResult r;
    r.ending = Ending(ending);
    r.exitCode = code;
    r.signal = code;
    r.timeoutMs = timeoutMs;
    r.error = error;
    QCOMPARE(r.describe(), expected);
}

QTEST_GUILESS_MAIN(Test_processrunner)
#include "tst_processrunner.moc"
