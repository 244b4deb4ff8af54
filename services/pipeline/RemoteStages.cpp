// The stages that reach a machine: deploy (libvirt, ssh-install), wait (SSH, the serial
// console) and the remote tests (remote-command, transfer). Blocking, on the step's
// worker thread, like the rest of StepRunner.

#include "services/pipeline/StepRunner.h"

#include "models/BisectLog.h"
#include "services/ServicesLogging.h"
#include "services/pipeline/StepRun.h"
#include "services/ssh/FileTransfer.h"
#include "services/ssh/RemoteCommand.h"
#include "services/ssh/WaitForSsh.h"
#include "services/vm/VmError.h"

#include <QDir>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace bw::pipeline {

namespace {

StageResult failure(StageKind stage, StageOutcome outcome, const QString &message) {
    StageResult r;
    r.stage = stage;
    r.outcome = outcome;
    r.message = message;
    return r;
}

// An SSH error as a stage's outcome: never evidence about the commit.
StageResult sshError(StageKind stage, const Error &error) {
    StageResult r = failure(stage, StageOutcome::Error, error.message());
    const ssh::SshErrorKind kind = ssh::sshErrorKind(error);
    if (kind == ssh::SshErrorKind::HostKeyUnknown || kind == ssh::SshErrorKind::HostKeyChanged)
        r.facts.insert(QStringLiteral("needs_human"), QStringLiteral("host key"));
    return r;
}

// A remote command's end as a stage's outcome.
StageResult fromRemote(StageKind stage, const ssh::RemoteCommandResult &r, Millis timeout) {
    StageResult out;
    out.stage = stage;
    out.timeoutMs = timeout;
    out.message = r.describe();
    switch (r.ending) {
    case ssh::RemoteCommandResult::Ending::Exited:
        out.exitCode = r.exitCode;
        out.outcome = r.exitCode == 0 ? StageOutcome::Passed : StageOutcome::Failed;
        break;
    case ssh::RemoteCommandResult::Ending::Signaled:
        out.outcome = StageOutcome::Failed;
        break;
    case ssh::RemoteCommandResult::Ending::TimedOut:
        out.outcome = StageOutcome::Timeout;
        break;
    case ssh::RemoteCommandResult::Ending::Cancelled:
        out.outcome = StageOutcome::Cancelled;
        break;
    case ssh::RemoteCommandResult::Ending::Error:
        out.outcome = StageOutcome::Error;
        break;
    }
    return out;
}

// The [wait] table's target, its key files relative to the recipe's folder like every
// recipe path (RECIPE.md), not to the directory the binary happens to run in.
Result<ssh::SshTarget> waitTarget(const WaitSpec &w, const RecipeVariables &vars,
                                  const QString &folder) {
    ssh::SshTarget target = ssh::SshTarget::fromWaitSpec(w);
    for (auto [value, key] :
         {std::pair{&target.identity, "identity"}, std::pair{&target.knownHosts, "known_hosts"}}) {
        auto p = vars.expandPath(*value, folder);
        if (!p)
            return Error{
                QStringLiteral("wait.%1: %2").arg(QLatin1String(key), p.error().message())};
        *value = *p;
    }
    return target;
}

// Watches a guest's console on a helper thread while the step waits for SSH: cancels
// token() when the step is cancelled, the guest's kernel panics, or the guest stops.
class GuestWatch {
public:
    GuestWatch(const vm::ConsoleStream &console, const process::CancelToken *step)
        : m_thread([this, &console, step] {
            while (!m_done.load()) {
                if (step && step->isCancelled()) {
                    m_token.cancel();
                    return;
                }
                for (const vm::ConsoleMatch &m : console.classifications())
                    if (m.kind == u"panic" || m.kind == u"panic-end") {
                        setDied(QStringLiteral("the guest's kernel panicked before SSH "
                                               "answered: %1")
                                    .arg(m.line.trimmed()));
                        return;
                    }
                if (console.domainStopped()) {
                    setDied(QStringLiteral("the guest stopped before SSH answered"));
                    return;
                }
                std::unique_lock lock(m_mutex);
                m_wake.wait_for(lock, std::chrono::milliseconds(100),
                                [this] { return m_done.load(); });
            }
        }) {}
    GuestWatch(const GuestWatch &) = delete;
    GuestWatch &operator=(const GuestWatch &) = delete;
    ~GuestWatch() { (void)finish(); }

    [[nodiscard]] const process::CancelToken &token() const { return m_token; }
    // Stops watching; why the guest died, when it did.
    std::optional<QString> finish() {
        {
            std::lock_guard lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable())
            m_thread.join();
        std::lock_guard lock(m_mutex);
        return m_died;
    }

private:
    void setDied(const QString &why) {
        {
            std::lock_guard lock(m_mutex);
            m_died = why;
        }
        m_token.cancel();
    }

    process::CancelToken m_token;
    std::atomic<bool> m_done{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::optional<QString> m_died;
    std::thread m_thread; // last: starts once everything above exists
};

} // namespace

Result<ssh::SshSession *> StepRunner::sshSession(Run &run) {
    if (run.ssh && run.ssh->isConnected())
        return &*run.ssh;
    auto resolved = waitTarget(m_context.recipe.wait, run.vars, m_context.recipe.folder);
    if (!resolved)
        return resolved.error();
    const ssh::SshTarget &target = *resolved;
    run.logs->event(QStringLiteral("ssh: connecting to %1").arg(target.display()));
    auto session = ssh::SshSession::connect(target, run.cancel);
    if (!session)
        return session.error();
    run.ssh.emplace(std::move(session).value());
    return &*run.ssh;
}

StageResult StepRunner::wait(Run &run) {
    const WaitSpec &w = m_context.recipe.wait;
    if (w.kind == WaitKind::Console)
        return deployConsoleWait(run);
    auto target = waitTarget(w, run.vars, m_context.recipe.folder);
    if (!target)
        return failure(StageKind::Wait, StageOutcome::Error, target.error().message());
    ssh::WaitForSshSpec spec;
    spec.target = *target;
    // Without a timeout the wait still ends: a machine that never answers is a boot
    // failure, not a reason to wait all night.
    constexpr Millis defaultWaitMs = 10 * 60 * 1000;
    spec.timeoutMs = w.timeout > 0 ? w.timeout : defaultWaitMs;
    if (w.expectVersion)
        spec.expectedKernelRelease = run.vars.value(QStringLiteral("version"));
    run.logs->event(QStringLiteral("wait: for SSH on %1%2")
                        .arg(spec.target.display(),
                             w.timeout > 0
                                 ? QStringLiteral(" (up to %1)").arg(formatDuration(w.timeout))
                                 : QString()));
    // A guest this step started is watched while we wait: once its kernel panics or it
    // stops, no SSH will ever answer, so the wait ends then instead of at its timeout.
    std::optional<GuestWatch> guest;
    if (run.vm && run.vm->console())
        guest.emplace(*run.vm->console(), run.cancel);
    ssh::WaitForSshResult r = ssh::WaitForSsh::run(spec, guest ? &guest->token() : run.cancel);
    const std::optional<QString> died = guest ? guest->finish() : std::nullopt;
    StageResult out;
    out.stage = StageKind::Wait;
    out.timeoutMs = w.timeout;
    out.message = r.describe();
    if (died && r.ending != ssh::WaitForSshResult::Ending::Ready) {
        // The commit's kernel did not come up: a boot failure, like a console wait's.
        out.outcome = StageOutcome::Failed;
        out.message = *died;
        return out;
    }
    if (!r.kernelRelease.isEmpty())
        out.facts.insert(QStringLiteral("kernel_release"), r.kernelRelease);
    switch (r.ending) {
    case ssh::WaitForSshResult::Ending::Ready:
        out.outcome = StageOutcome::Passed;
        run.ssh = std::move(r.session);
        break;
    case ssh::WaitForSshResult::Ending::TimedOut:
        out.outcome = StageOutcome::Timeout;
        break;
    case ssh::WaitForSshResult::Ending::VersionMismatch:
        // The deploy did not boot the commit's kernel: a boot failure, not a test result.
        out.outcome = StageOutcome::Failed;
        break;
    case ssh::WaitForSshResult::Ending::Cancelled:
        out.outcome = StageOutcome::Cancelled;
        break;
    case ssh::WaitForSshResult::Ending::Error: {
        const StageResult e = sshError(StageKind::Wait, r.error);
        out.outcome = StageOutcome::Error;
        out.facts.insert(e.facts);
        break;
    }
    }
    return out;
}

StageResult StepRunner::deploy(Run &run) {
    const DeploySpec &d = m_context.recipe.deploy;
    const QString folder = m_context.recipe.folder;
    auto path = [&](const QString &value, const char *key) -> Result<QString> {
        if (value.isEmpty())
            return QString();
        auto p = run.vars.expandPath(value, folder);
        if (!p)
            return Error{
                QStringLiteral("deploy.%1: %2").arg(QLatin1String(key), p.error().message())};
        return p;
    };

    if (d.kind == DeployKind::SshInstall) {
        // Copy the kernel to the machine, run the install command there (it reboots the
        // machine, or the [wait] stage finds the old kernel still running).
        auto kernel = path(d.kernel, "kernel");
        if (!kernel)
            return failure(StageKind::Deploy, StageOutcome::Error, kernel.error().message());
        auto session = sshSession(run);
        if (!session)
            return sshError(StageKind::Deploy, session.error());
        ssh::SshSession &s = **session;
        QMap<QString, QString> env = run.vars.environment();
        if (!kernel->isEmpty()) {
            ssh::TransferSpec spec;
            spec.localFile = *kernel;
            spec.remotePath = QStringLiteral("/tmp/bisect-workbench-kernel-%1")
                                  .arg(run.vars.value(QStringLiteral("short")));
            spec.timeoutMs = d.timeout;
            run.logs->event(QStringLiteral("deploy: copying %1 to %2:%3")
                                .arg(spec.localFile, s.target().display(), spec.remotePath));
            const ssh::TransferResult t = ssh::FileTransfer::upload(s, spec, {}, run.cancel);
            if (!t.succeeded())
                return failure(StageKind::Deploy,
                               t.ending == ssh::TransferResult::Ending::Cancelled
                                   ? StageOutcome::Cancelled
                                   : StageOutcome::Error,
                               QStringLiteral("copying the kernel: %1").arg(t.describe()));
            env.insert(QStringLiteral("BW_REMOTE_KERNEL"), spec.remotePath);
        }
        auto argv = run.vars.argv(d.command);
        if (!argv)
            return failure(StageKind::Deploy, StageOutcome::Error,
                           QStringLiteral("deploy.command: %1").arg(argv.error().message()));
        const QString command =
            d.command.form == CommandSpec::Form::Shell ? argv->last() : shellQuoteArgs(*argv);
        run.logs->event(QStringLiteral("deploy: on %1: %2").arg(s.target().display(), command));
        StepLogs *logs = run.logs.get();
        const ssh::RemoteCommandResult r = ssh::RemoteCommand::run(
            s, ssh::RemoteCommand::withEnvironment(env, command), d.timeout,
            [logs](process::Channel, const QByteArray &chunk) {
                logs->append(LogKind::Build, chunk);
            },
            run.cancel);
        run.ssh.reset(); // the machine reboots: the [wait] stage connects again
        StageResult out = fromRemote(StageKind::Deploy, r, d.timeout);
        if (r.ending == ssh::RemoteCommandResult::Ending::Error &&
            ssh::sshErrorKind(r.error) == ssh::SshErrorKind::ConnectionLost) {
            // A connection that drops while the install command reboots the machine is
            // what a reboot looks like; the [wait] stage checks the kernel that came up.
            out.outcome = StageOutcome::Passed;
            out.message = QStringLiteral("the connection closed (rebooting)");
        }
        return out;
    }

    vm::DeployRequest request;
    request.spec = d;
    for (auto [value, key] :
         {std::pair{&request.spec.kernel, "kernel"}, std::pair{&request.spec.initrd, "initrd"},
          std::pair{&request.spec.image, "image"}, std::pair{&request.spec.xml, "xml"}}) {
        auto p = path(*value, key);
        if (!p)
            return failure(StageKind::Deploy, StageOutcome::Error, p.error().message());
        *value = *p;
    }
    for (auto [value, key] :
         {std::pair{&request.spec.cmdline, "cmdline"}, std::pair{&request.spec.domain, "domain"},
          std::pair{&request.spec.disk, "disk"}, std::pair{&request.spec.uri, "uri"}}) {
        auto v = run.vars.expand(*value);
        if (!v)
            return failure(
                StageKind::Deploy, StageOutcome::Error,
                QStringLiteral("deploy.%1: %2").arg(QLatin1String(key), v.error().message()));
        *value = *v;
    }
    request.variables = run.vars.values();
    request.console = true;
    StepLogs *logs = run.logs.get();
    request.consoleSink = [logs](const QByteArray &chunk) {
        logs->append(LogKind::Console, chunk);
    };
    request.log = [logs](const QString &line) { logs->event(QStringLiteral("deploy: ") + line); };
    auto instance = vm::VmDeployer::deploy(request, run.cancel);
    if (!instance) {
        const int code = instance.error().code;
        return failure(StageKind::Deploy,
                       code == vm::ErrorCancelled   ? StageOutcome::Cancelled
                       : code == vm::ErrorTimeout   ? StageOutcome::Timeout
                       : code == vm::ErrorOperation ? StageOutcome::Failed
                                                    : StageOutcome::Error,
                       instance.error().message());
    }
    run.vm = std::move(instance).value();
    StageResult out;
    out.stage = StageKind::Deploy;
    out.outcome = StageOutcome::Passed;
    out.message = QStringLiteral("started %1").arg(request.spec.domain);
    return out;
}

StageResult StepRunner::deployConsoleWait(Run &run) {
    const WaitSpec &w = m_context.recipe.wait;
    if (!run.vm || !run.vm->console())
        return failure(
            StageKind::Wait, StageOutcome::Error,
            QStringLiteral("wait kind 'console' has no console to read (no libvirt deploy)"));
    const QRegularExpression pattern(w.pattern);
    run.logs->event(
        QStringLiteral("wait: for /%1/ on the console%2")
            .arg(w.pattern, w.timeout > 0
                                ? QStringLiteral(" (up to %1)").arg(formatDuration(w.timeout))
                                : QString()));
    const vm::ConsoleWaitResult r = run.vm->waitForConsole(pattern, w.timeout, run.cancel);
    StageResult out;
    out.stage = StageKind::Wait;
    out.timeoutMs = w.timeout;
    out.message = r.describe();
    switch (r.outcome) {
    case vm::ConsoleWaitResult::Outcome::Matched:
        out.outcome = StageOutcome::Passed;
        break;
    case vm::ConsoleWaitResult::Outcome::Timeout:
        out.outcome = StageOutcome::Timeout;
        break;
    case vm::ConsoleWaitResult::Outcome::DomainStopped:
    case vm::ConsoleWaitResult::Outcome::Panicked:
        out.outcome = StageOutcome::Failed; // the commit's kernel did not come up
        break;
    case vm::ConsoleWaitResult::Outcome::Cancelled:
        out.outcome = StageOutcome::Cancelled;
        break;
    case vm::ConsoleWaitResult::Outcome::Error:
        out.outcome = StageOutcome::Error;
        break;
    }
    if (!r.tail.isEmpty())
        out.facts.insert(QStringLiteral("console_tail"), r.tail.join(u'\n'));
    return out;
}

StageResult StepRunner::remoteTest(Run &run) {
    const TestSpec &t = m_context.recipe.test;
    auto session = sshSession(run);
    if (!session)
        return sshError(StageKind::Test, session.error());
    ssh::SshSession &s = **session;
    const int n = std::max(1, run.repeat > 0 ? run.repeat : t.repeat);

    if (t.kind == TestKind::Transfer) {
        auto file = run.vars.expandPath(t.file, m_context.recipe.folder);
        if (!file)
            return failure(StageKind::Test, StageOutcome::Error,
                           QStringLiteral("test.file: %1").arg(file.error().message()));
        auto destination = run.vars.expand(t.destination);
        if (!destination)
            return failure(
                StageKind::Test, StageOutcome::Error,
                QStringLiteral("test.destination: %1").arg(destination.error().message()));
        ssh::TransferSpec spec;
        spec.localFile = *file;
        spec.remotePath = *destination;
        spec.repeat = n;
        spec.timeoutMs = t.timeout;
        run.logs->event(
            QStringLiteral("test: uploading %1 to %2:%3 %4 times%5")
                .arg(spec.localFile, s.target().display(), spec.remotePath)
                .arg(n)
                .arg(t.timeout > 0
                         ? QStringLiteral(", each within %1").arg(formatDuration(t.timeout))
                         : QString()));
        StepLogs *logs = run.logs.get();
        int lastLogged = 0;
        const ssh::TransferResult r = ssh::FileTransfer::upload(
            s, spec,
            [logs, &lastLogged](const ssh::TransferProgress &p) {
                if (p.bytesSent == p.bytesTotal && p.iteration != lastLogged) {
                    lastLogged = p.iteration;
                    logs->append(LogKind::Test, QStringLiteral("iteration %1/%2: %3 bytes in %4\n")
                                                    .arg(p.iteration)
                                                    .arg(p.iterations)
                                                    .arg(p.bytesSent)
                                                    .arg(formatDuration(p.elapsedMs))
                                                    .toUtf8());
                }
            },
            run.cancel);
        StageResult out;
        out.stage = StageKind::Test;
        out.timeoutMs = t.timeout;
        out.iterations = n;
        out.iteration =
            r.failedIteration > 0 ? r.failedIteration : static_cast<int>(r.iterations.size());
        out.message = r.describe();
        out.facts.insert(QStringLiteral("transfer_method"), ssh::transferMethodName(r.method));
        for (const ssh::TransferIteration &i : r.iterations)
            if (i.completed)
                out.facts.insert(QStringLiteral("throughput_mbps_%1").arg(i.number),
                                 QString::number(i.bytesPerSecond * 8 / 1e6, 'f', 2));
        switch (r.ending) {
        case ssh::TransferResult::Ending::Completed:
            out.outcome = StageOutcome::Passed;
            break;
        case ssh::TransferResult::Ending::TimedOut:
            out.outcome = StageOutcome::Timeout;
            break;
        case ssh::TransferResult::Ending::Cancelled:
            out.outcome = StageOutcome::Cancelled;
            break;
        case ssh::TransferResult::Ending::Error:
            out.outcome = StageOutcome::Error;
            break;
        }
        run.logs->append(LogKind::Test, (r.describe() + u'\n').toUtf8());
        return out;
    }

    // remote-command: the command as shell text for the remote `sh`; the recipe's
    // variables reach it as exported BW_* values (quoted), never pasted in raw.
    QString command;
    if (t.command.form == CommandSpec::Form::Argv) {
        QStringList words;
        for (const QString &w : t.command.argv) {
            auto v = run.vars.expand(w);
            if (!v)
                return failure(StageKind::Test, StageOutcome::Error,
                               QStringLiteral("test.command: %1").arg(v.error().message()));
            words << *v;
        }
        command = shellQuoteArgs(words);
    } else {
        auto v = run.vars.expandForShell(t.command.shell);
        if (!v)
            return failure(StageKind::Test, StageOutcome::Error,
                           QStringLiteral("test.command: %1").arg(v.error().message()));
        command = *v;
    }
    QMap<QString, QString> env = run.vars.environment();
    for (auto it = t.env.begin(); it != t.env.end(); ++it) {
        auto v = run.vars.expand(it.value());
        if (!v)
            return failure(StageKind::Test, StageOutcome::Error,
                           QStringLiteral("test.env.%1: %2").arg(it.key(), v.error().message()));
        env.insert(it.key(), *v);
    }
    StepLogs *logs = run.logs.get();
    StageResult out;
    for (int i = 1; i <= n; ++i) {
        if (n > 1)
            logs->append(LogKind::Test,
                         QStringLiteral("=== iteration %1/%2 ===\n").arg(i).arg(n).toUtf8());
        env.insert(QStringLiteral("BW_ITERATION"), QString::number(i));
        run.logs->event(QStringLiteral("test: on %1: %2").arg(s.target().display(), command));
        const ssh::RemoteCommandResult r = ssh::RemoteCommand::run(
            s, ssh::RemoteCommand::withEnvironment(env, command), t.timeout,
            [logs](process::Channel, const QByteArray &chunk) {
                logs->append(LogKind::Test, chunk);
            },
            run.cancel);
        out = fromRemote(StageKind::Test, r, t.timeout);
        out.iteration = i;
        out.iterations = n;
        if (out.outcome != StageOutcome::Passed)
            break; // the first failure decides
    }
    return out;
}

} // namespace bw::pipeline
