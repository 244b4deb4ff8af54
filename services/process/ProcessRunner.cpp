#include "services/process/ProcessRunner.h"

#include "services/ServicesLogging.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace bw::process {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunkSize = 64 * 1024;
// After the command exited and its group was killed: how long output still held open by
// an escaped process (its own session) is read before it is abandoned.
constexpr qint64 kDrainGraceMs = 1500;
// Poll granularity when the kernel gives no descriptor to wait on (no pidfd, no wake pipe).
constexpr int kFallbackPollMs = 50;

qint64 msSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

int msUntil(Clock::time_point when) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(when - Clock::now()).count();
    // Round up so a wake-up never comes before the deadline and spins.
    return int(std::clamp<qint64>(left + 1, 0, 24 * 3600 * 1000));
}

QString errnoText(int err) {
    const char *text = ::strerrordesc_np(err);
    return text ? QString::fromUtf8(text) : QStringLiteral("error %1").arg(err);
}

QString formatDuration(qint64 ms) {
    if (ms < 1000)
        return QStringLiteral("%1ms").arg(ms);
    if (ms < 60 * 1000) {
        if (ms % 1000 == 0)
            return QStringLiteral("%1s").arg(ms / 1000);
        return QStringLiteral("%1s").arg(double(ms) / 1000.0, 0, 'f', 1);
    }
    const qint64 s = ms / 1000;
    if (s < 3600) {
        if (s % 60 == 0)
            return QStringLiteral("%1m").arg(s / 60);
        return QStringLiteral("%1m%2s").arg(s / 60).arg(s % 60);
    }
    if ((s / 60) % 60 == 0)
        return QStringLiteral("%1h").arg(s / 3600);
    return QStringLiteral("%1h%2m").arg(s / 3600).arg((s / 60) % 60);
}

// An owned file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd)
        : m_fd(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    Fd(Fd &&other) noexcept
        : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd &operator=(Fd &&other) noexcept {
        if (this != &other)
            reset(std::exchange(other.m_fd, -1));
        return *this;
    }

    [[nodiscard]] int get() const { return m_fd; }
    [[nodiscard]] bool valid() const { return m_fd >= 0; }
    void reset(int fd = -1) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = fd;
    }

private:
    int m_fd = -1;
};

// A close-on-exec pipe whose descriptors are all >= 3, so the child's dup2 onto 0/1/2
// never clobbers one of them. Returns 0 or an errno.
int makePipe(Fd &readEnd, Fd &writeEnd) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return errno;
    Fd ends[2] = {Fd(fds[0]), Fd(fds[1])};
    for (Fd &end : ends) {
        if (end.get() < 3) {
            const int moved = ::fcntl(end.get(), F_DUPFD_CLOEXEC, 3);
            if (moved < 0)
                return errno;
            end.reset(moved);
        }
    }
    readEnd = std::move(ends[0]);
    writeEnd = std::move(ends[1]);
    return 0;
}

// What the child reports through the error pipe when it cannot exec.
enum class ChildStage : int { Setup, WorkingDirectory, Exec };
struct ChildFailure {
    ChildStage stage;
    int error;
};

// Everything the child needs, prepared in the parent: after fork() the child of a
// multi-threaded process may only make async-signal-safe calls, so no allocation.
struct ChildPlan {
    const char *program = nullptr;
    char *const *argv = nullptr;
    char *const *shArgv = nullptr; // "/bin/sh program args…" for a script without #!
    char *const *envp = nullptr;
    const char *workingDirectory = nullptr;
    int stdoutFd = -1;
    int stderrFd = -1;
    int reportFd = -1;
};

[[noreturn]] void failInChild(int reportFd, ChildStage stage, int error) {
    const ChildFailure failure{stage, error};
    ssize_t n;
    do {
        n = ::write(reportFd, &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    ::_exit(127);
}

[[noreturn]] void execInChild(const ChildPlan &plan) {
    if (::setsid() < 0)
        failInChild(plan.reportFd, ChildStage::Setup, errno);
    // Signal state survives exec: start the command with nothing blocked and SIGPIPE at
    // its default, whatever this process does with them.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);

    const int devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devNull < 0)
        failInChild(plan.reportFd, ChildStage::Setup, errno);
    if (::dup2(devNull, STDIN_FILENO) < 0 || ::dup2(plan.stdoutFd, STDOUT_FILENO) < 0 ||
        ::dup2(plan.stderrFd, STDERR_FILENO) < 0)
        failInChild(plan.reportFd, ChildStage::Setup, errno);
    // Descriptors some library opened without O_CLOEXEC must not leak into a build that
    // may run for hours (or into the daemons it starts). Best effort: old kernels lack it.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

    if (plan.workingDirectory && ::chdir(plan.workingDirectory) != 0)
        failInChild(plan.reportFd, ChildStage::WorkingDirectory, errno);
    ::execve(plan.program, plan.argv, plan.envp);
    const int execError = errno;
    if (execError == ENOEXEC) // what execvp does for a script without a #! line
        ::execve(plan.shArgv[0], plan.shArgv, plan.envp);
    failInChild(plan.reportFd, ChildStage::Exec, execError);
}

// Owns argv/envp storage and the NULL-terminated pointer arrays execve wants.
class CStringList {
public:
    void append(QByteArray s) { m_storage.push_back(std::move(s)); }
    [[nodiscard]] char *const *pointers() {
        m_pointers.clear();
        for (const QByteArray &s : m_storage)
            m_pointers.push_back(const_cast<char *>(s.constData()));
        m_pointers.push_back(nullptr);
        return m_pointers.data();
    }
    std::vector<QByteArray> &items() { return m_storage; }

private:
    std::vector<QByteArray> m_storage;
    std::vector<char *> m_pointers;
};

bool hasNul(const QByteArray &s) {
    return s.contains('\0');
}

// Builds the child's environment; returns an error message or an empty string.
QString buildEnvironment(const ProcessSpec &spec, CStringList &env) {
    if (spec.inheritEnvironment)
        for (char **entry = environ; entry && *entry; ++entry)
            env.append(QByteArray(*entry));
    for (auto it = spec.environment.begin(); it != spec.environment.end(); ++it) {
        const QByteArray name = it.key().toLocal8Bit();
        const QByteArray value = it.value().toLocal8Bit();
        if (name.isEmpty() || name.contains('=') || hasNul(name))
            return QStringLiteral("invalid environment variable name '%1'").arg(it.key());
        if (hasNul(value))
            return QStringLiteral("environment variable %1 contains a NUL character").arg(it.key());
        const QByteArray prefix = name + '=';
        auto &items = env.items();
        items.erase(std::remove_if(items.begin(), items.end(),
                                   [&](const QByteArray &e) { return e.startsWith(prefix); }),
                    items.end());
        env.append(prefix + value);
    }
    return {};
}

QByteArray pathVariable(CStringList &env) {
    for (const QByteArray &entry : env.items())
        if (entry.startsWith("PATH="))
            return entry.mid(5);
    const QByteArray own = qgetenv("PATH");
    return own.isEmpty() ? QByteArrayLiteral("/usr/local/bin:/usr/bin:/bin") : own;
}

// The PATH search execvp would do, done before fork(). Returns the path to execve, or
// sets `error` (ENOENT, or EACCES when only non-executable candidates were found).
QByteArray findProgram(const QByteArray &name, const QByteArray &path,
                       const QByteArray &workingDirectory, int &error) {
    error = ENOENT;
    for (const QByteArray &entry : path.split(':')) {
        const QByteArray candidate = (entry.isEmpty() ? QByteArray(".") : entry) + '/' + name;
        QByteArray probe = candidate;
        if (!candidate.startsWith('/') && !workingDirectory.isEmpty())
            probe = workingDirectory + '/' + candidate; // relative entries follow the chdir
        struct stat st;
        if (::stat(probe.constData(), &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (::access(probe.constData(), X_OK) == 0)
            return candidate;
        error = EACCES;
    }
    return {};
}

// Through syscall(): glibc 2.36's <sys/pidfd.h> lacks the extern "C" a C++ caller needs.
int openPidFd(pid_t pid) {
    return int(::syscall(SYS_pidfd_open, pid, 0));
}

// The child, from fork() until it is reaped. Its pid is also its process group id; the
// leader is left a zombie until the group was signalled, so that id cannot be reused by
// an unrelated group in between.
class Child {
public:
    explicit Child(pid_t pid)
        : m_pid(pid)
        , m_pidFd(openPidFd(pid)) {}
    ~Child() {
        if (!m_reaped) { // an exception unwound run(): leave nothing behind
            signalGroup(SIGKILL);
            reap();
        }
    }
    Child(const Child &) = delete;
    Child &operator=(const Child &) = delete;

    [[nodiscard]] pid_t pid() const { return m_pid; }
    [[nodiscard]] int pidFd() const { return m_pidFd.get(); }
    [[nodiscard]] bool reaped() const { return m_reaped; }
    [[nodiscard]] int status() const { return m_status; }
    [[nodiscard]] bool statusLost() const { return m_statusLost; }

    // Whether the leader has exited, without reaping it.
    [[nodiscard]] bool hasExited() const {
        siginfo_t info{};
        int r;
        do {
            r = ::waitid(P_PID, id_t(m_pid), &info, WEXITED | WNOHANG | WNOWAIT);
        } while (r < 0 && errno == EINTR);
        return r < 0 || info.si_pid == m_pid; // ECHILD: someone else reaped it
    }

    void signalGroup(int sig) const {
        if (!m_reaped && ::kill(-m_pid, sig) != 0 && errno != ESRCH)
            qCWarning(bwPipeline, "kill(-%d, %d): %s", int(m_pid), sig,
                      qUtf8Printable(errnoText(errno)));
    }

    void reap() {
        pid_t r;
        do {
            r = ::waitpid(m_pid, &m_status, 0);
        } while (r < 0 && errno == EINTR);
        m_statusLost = r != m_pid;
        m_reaped = true;
        m_pidFd.reset();
    }

private:
    pid_t m_pid;
    Fd m_pidFd; // readable once the leader exits; -1 where pidfd_open is unavailable
    int m_status = 0;
    bool m_reaped = false;
    bool m_statusLost = false;
};

struct Started {
    std::unique_ptr<Child> child;
    Fd stdoutFd;
    Fd stderrFd;
    QString error;
};

Started start(const ProcessSpec &spec) {
    Started s;
    if (spec.argv.isEmpty() || spec.argv.first().isEmpty()) {
        s.error = QStringLiteral("no command given");
        return s;
    }
    const QString &shown = spec.argv.first();
    CStringList args;
    for (qsizetype i = 0; i < spec.argv.size(); ++i) {
        QByteArray arg = spec.argv[i].toLocal8Bit();
        if (hasNul(arg)) {
            s.error = QStringLiteral("argument %1 contains a NUL character").arg(i);
            return s;
        }
        args.append(std::move(arg));
    }
    CStringList env;
    if (s.error = buildEnvironment(spec, env); !s.error.isEmpty())
        return s;
    const QByteArray workingDirectory = spec.workingDirectory.toLocal8Bit();

    QByteArray program = args.items().front();
    if (!program.contains('/')) {
        int error = 0;
        program = findProgram(program, pathVariable(env), workingDirectory, error);
        if (program.isEmpty()) {
            s.error = QStringLiteral("cannot run '%1': %2").arg(shown, errnoText(error));
            return s;
        }
    }
    CStringList shArgs;
    shArgs.append(QByteArrayLiteral("/bin/sh"));
    shArgs.append(program);
    for (std::size_t i = 1; i < args.items().size(); ++i)
        shArgs.append(args.items()[i]);

    Fd stdoutRead, stdoutWrite, stderrRead, stderrWrite, reportRead, reportWrite;
    for (auto [r, w] : {std::pair{&stdoutRead, &stdoutWrite}, std::pair{&stderrRead, &stderrWrite},
                        std::pair{&reportRead, &reportWrite}}) {
        if (const int error = makePipe(*r, *w); error != 0) {
            s.error = QStringLiteral("cannot create a pipe: %1").arg(errnoText(error));
            return s;
        }
    }
    // Only the read ends: the write ends' O_NONBLOCK would be shared with the command.
    for (const Fd *r : {&stdoutRead, &stderrRead})
        ::fcntl(r->get(), F_SETFL, ::fcntl(r->get(), F_GETFL) | O_NONBLOCK);

    ChildPlan plan;
    plan.program = program.constData();
    plan.argv = args.pointers();
    plan.shArgv = shArgs.pointers();
    plan.envp = env.pointers();
    plan.workingDirectory = workingDirectory.isEmpty() ? nullptr : workingDirectory.constData();
    plan.stdoutFd = stdoutWrite.get();
    plan.stderrFd = stderrWrite.get();
    plan.reportFd = reportWrite.get();

    const pid_t pid = ::fork();
    if (pid < 0) {
        s.error = QStringLiteral("cannot start '%1': %2").arg(shown, errnoText(errno));
        return s;
    }
    if (pid == 0)
        execInChild(plan);

    auto child = std::make_unique<Child>(pid);
    stdoutWrite.reset();
    stderrWrite.reset();
    reportWrite.reset();
    // EOF: exec succeeded (the pipe is close-on-exec); a record: it failed, and why.
    ChildFailure failure{};
    ssize_t n;
    do {
        n = ::read(reportRead.get(), &failure, sizeof failure);
    } while (n < 0 && errno == EINTR);
    if (n == ssize_t(sizeof failure)) {
        child->reap();
        switch (failure.stage) {
        case ChildStage::WorkingDirectory:
            s.error = QStringLiteral("cannot change to working directory '%1': %2")
                          .arg(spec.workingDirectory, errnoText(failure.error));
            break;
        case ChildStage::Exec:
            s.error = QStringLiteral("cannot run '%1': %2").arg(shown, errnoText(failure.error));
            break;
        case ChildStage::Setup:
            s.error = QStringLiteral("cannot set up the process: %1").arg(errnoText(failure.error));
            break;
        }
        return s;
    }
    s.child = std::move(child);
    s.stdoutFd = std::move(stdoutRead);
    s.stderrFd = std::move(stderrRead);
    return s;
}

// Reads one chunk; closes the descriptor at EOF or on an error.
void readChunk(Fd &fd, Channel channel, std::vector<char> &buffer, const ChunkSink &sink) {
    ssize_t n;
    do {
        n = ::read(fd.get(), buffer.data(), buffer.size());
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        if (sink)
            sink(channel, QByteArray(buffer.data(), qsizetype(n)));
    } else if (n == 0 || errno != EAGAIN) {
        fd.reset();
    }
}

// Runs the started child to its end: output, timeout, cancellation, leftovers.
ProcessResult supervise(const ProcessSpec &spec, Started &started, const ChunkSink &sink,
                        const CancelToken *cancel, Clock::time_point begin) {
    enum class Phase { Running, Terminating, Killing, Draining };
    Child &child = *started.child;
    Fd &out = started.stdoutFd;
    Fd &err = started.stderrFd;
    const bool hasTimeout = spec.timeoutMs > 0;
    const Clock::time_point deadline = begin + std::chrono::milliseconds(spec.timeoutMs);
    const auto grace = std::chrono::milliseconds(std::max<qint64>(spec.killGraceMs, 0));
    const int wakeFd = cancel ? cancel->wakeFd() : -1;

    ProcessResult result;
    result.ending = ProcessResult::Ending::Exited;
    Phase phase = Phase::Running;
    Clock::time_point killAt{};
    Clock::time_point drainUntil{};
    std::vector<char> buffer(kChunkSize);

    const auto terminate = [&](ProcessResult::Ending why) {
        result.ending = why;
        if (grace.count() == 0) {
            child.signalGroup(SIGKILL);
            phase = Phase::Killing;
            return;
        }
        child.signalGroup(SIGTERM);
        child.signalGroup(SIGCONT); // a stopped process would not see the SIGTERM
        killAt = Clock::now() + grace;
        phase = Phase::Terminating;
    };

    for (;;) {
        if (phase == Phase::Running) {
            if (cancel && cancel->isCancelled())
                terminate(ProcessResult::Ending::Cancelled);
            else if (hasTimeout && Clock::now() >= deadline)
                terminate(ProcessResult::Ending::TimedOut);
        }
        if (phase == Phase::Terminating && Clock::now() >= killAt) {
            child.signalGroup(SIGKILL);
            phase = Phase::Killing;
        }
        if (phase != Phase::Draining && child.hasExited()) {
            // Whatever the command left running in its group goes with it.
            child.signalGroup(SIGKILL);
            child.reap();
            phase = Phase::Draining;
            drainUntil = Clock::now() + std::chrono::milliseconds(kDrainGraceMs);
        }
        if (phase == Phase::Draining &&
            ((!out.valid() && !err.valid()) || Clock::now() >= drainUntil))
            break;

        pollfd fds[4];
        nfds_t count = 0;
        int outIndex = -1, errIndex = -1;
        if (out.valid()) {
            outIndex = int(count);
            fds[count++] = {out.get(), POLLIN, 0};
        }
        if (err.valid()) {
            errIndex = int(count);
            fds[count++] = {err.get(), POLLIN, 0};
        }
        int timeout = -1;
        const auto limit = [&timeout](int ms) {
            timeout = timeout < 0 ? ms : std::min(timeout, ms);
        };
        if (phase == Phase::Running) {
            if (wakeFd >= 0)
                fds[count++] = {wakeFd, POLLIN, 0};
            else if (cancel)
                limit(kFallbackPollMs);
            if (hasTimeout)
                limit(msUntil(deadline));
        }
        if (phase == Phase::Terminating)
            limit(msUntil(killAt));
        if (phase == Phase::Draining) {
            limit(msUntil(drainUntil));
        } else if (child.pidFd() >= 0) {
            fds[count++] = {child.pidFd(), POLLIN, 0};
        } else {
            limit(kFallbackPollMs);
        }

        const int ready = ::poll(fds, count, timeout);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            qCWarning(bwPipeline, "poll: %s; killing process group %d",
                      qUtf8Printable(errnoText(errno)), int(child.pid()));
            out.reset();
            err.reset();
            if (!child.reaped()) {
                child.signalGroup(SIGKILL);
                child.reap();
            }
            break;
        }
        constexpr short readable = POLLIN | POLLHUP | POLLERR | POLLNVAL;
        if (outIndex >= 0 && (fds[outIndex].revents & readable))
            readChunk(out, Channel::Stdout, buffer, sink);
        if (errIndex >= 0 && (fds[errIndex].revents & readable))
            readChunk(err, Channel::Stderr, buffer, sink);
    }

    if (result.ending == ProcessResult::Ending::Exited) {
        const int status = child.status();
        if (child.statusLost()) {
            result.error = QStringLiteral("the exit status was lost");
        } else if (WIFSIGNALED(status)) {
            result.ending = ProcessResult::Ending::Signaled;
            result.signal = WTERMSIG(status);
        } else if (WIFEXITED(status)) {
            result.exitCode = WEXITSTATUS(status);
        }
    } else if (result.ending == ProcessResult::Ending::TimedOut) {
        result.timeoutMs = spec.timeoutMs;
    }
    return result;
}

} // namespace

QString ProcessResult::describe() const {
    switch (ending) {
    case Ending::Exited:
        return QStringLiteral("exit %1").arg(exitCode);
    case Ending::Signaled: {
        const char *name = ::sigabbrev_np(signal);
        if (!name)
            return QStringLiteral("killed by signal %1").arg(signal);
        return QStringLiteral("killed by signal %1 (SIG%2)").arg(signal).arg(QLatin1String(name));
    }
    case Ending::TimedOut:
        if (timeoutMs <= 0)
            return QStringLiteral("timed out");
        return QStringLiteral("timed out after %1").arg(formatDuration(timeoutMs));
    case Ending::Cancelled:
        return QStringLiteral("cancelled");
    case Ending::FailedToStart:
        if (error.isEmpty())
            return QStringLiteral("failed to start");
        return QStringLiteral("failed to start: %1").arg(error);
    }
    return {};
}

ProcessResult ProcessRunner::run(const ProcessSpec &spec, const ChunkSink &sink,
                                 const CancelToken *cancel) {
    const Clock::time_point begin = Clock::now();
    ProcessResult result;
    if (cancel && cancel->isCancelled()) {
        result.ending = ProcessResult::Ending::Cancelled;
        return result;
    }
    Started started = start(spec);
    if (!started.child) {
        result.error = started.error;
        result.durationMs = msSince(begin);
        qCDebug(bwPipeline) << "process" << spec.argv << result.describe();
        return result;
    }
    const pid_t pid = started.child->pid();
    qCDebug(bwPipeline) << "process" << pid << "started:" << spec.argv << "in"
                        << spec.workingDirectory;
    result = supervise(spec, started, sink, cancel, begin);
    result.durationMs = msSince(begin);
    qCDebug(bwPipeline) << "process" << pid << "ended:" << result.describe() << "after"
                        << result.durationMs << "ms";
    return result;
}

ProcessResult ProcessRunner::capture(const ProcessSpec &spec, QByteArray &output,
                                     QByteArray *errors, const CancelToken *cancel) {
    output.clear();
    if (errors)
        errors->clear();
    return run(
        spec,
        [&output, errors](Channel channel, const QByteArray &chunk) {
            if (channel == Channel::Stdout)
                output += chunk;
            else if (errors)
                *errors += chunk;
        },
        cancel);
}

} // namespace bw::process
