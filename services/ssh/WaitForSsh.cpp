#include "services/ssh/WaitForSsh.h"

#include "services/ServicesLogging.h"
#include "services/ssh/RemoteCommand.h"
#include "services/ssh/SshHandles.h"

#include <algorithm>

namespace bw::ssh {

using namespace detail;

namespace {
constexpr qint64 kFirstRetryDelayMs = 100;
constexpr qint64 kUnameTimeoutMs = 10000;
} // namespace

QString WaitForSshResult::describe() const {
    switch (ending) {
    case Ending::Ready: {
        QString text = QStringLiteral("ready after %1 attempt%2 in %3")
                           .arg(attempts)
                           .arg(attempts == 1 ? QString() : QStringLiteral("s"))
                           .arg(formatDuration(durationMs));
        if (!kernelRelease.isEmpty())
            text += QStringLiteral(" (kernel %1)").arg(kernelRelease);
        return text;
    }
    case Ending::TimedOut: {
        QString text = timeoutMs > 0 ? QStringLiteral("no SSH login within %1 (%2 attempts)")
                                           .arg(formatDuration(timeoutMs))
                                           .arg(attempts)
                                     : QStringLiteral("no SSH login (%1 attempts)").arg(attempts);
        if (!lastProblem.isEmpty())
            text += QStringLiteral("; last: %1").arg(lastProblem);
        return text;
    }
    case Ending::VersionMismatch:
    case Ending::Error:
        return error.message();
    case Ending::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

WaitForSshResult WaitForSsh::run(const WaitForSshSpec &spec, const process::CancelToken *cancel) {
    const Clock::time_point begin = Clock::now();
    const Deadline deadline = Deadline::in(spec.timeoutMs);
    WaitForSshResult result;
    result.timeoutMs = spec.timeoutMs;
    auto finish = [&](WaitForSshResult::Ending ending) {
        result.ending = ending;
        result.durationMs = msSince(begin);
        qCDebug(bwSsh).noquote() << "wait for" << spec.target.display() << "->"
                                 << result.describe();
        return std::move(result);
    };

    qint64 delay = kFirstRetryDelayMs;
    for (;;) {
        if (cancel && cancel->isCancelled())
            return finish(WaitForSshResult::Ending::Cancelled);
        SshTarget attempt = spec.target;
        if (deadline.isSet())
            attempt.connectTimeoutMs =
                std::max<qint64>(1, std::min(attempt.connectTimeoutMs, deadline.remainingMs()));
        ++result.attempts;
        Result<SshSession> session = SshSession::connect(attempt, cancel);
        if (session) {
            result.session.emplace(std::move(session.value()));
            break;
        }
        const Error &error = session.error();
        const SshErrorKind kind = sshErrorKind(error);
        if (kind == SshErrorKind::Cancelled)
            return finish(WaitForSshResult::Ending::Cancelled);
        if (kind == SshErrorKind::HostKeyUnknown || kind == SshErrorKind::HostKeyChanged ||
            kind == SshErrorKind::LocalFile) {
            result.error = error;
            return finish(WaitForSshResult::Ending::Error);
        }
        result.lastProblem = error.message();
        result.error = error;
        if (deadline.passed())
            return finish(WaitForSshResult::Ending::TimedOut);
        const Deadline pause = Deadline::earlier(deadline, Deadline::in(delay));
        if (sleepUntil(pause, cancel) == WaitResult::Cancelled)
            return finish(WaitForSshResult::Ending::Cancelled);
        if (deadline.passed())
            return finish(WaitForSshResult::Ending::TimedOut);
        delay = std::min(spec.maxRetryDelayMs, delay * 2);
    }
    result.error = {};
    result.lastProblem.clear();

    QByteArray output;
    QByteArray errors;
    const qint64 unameTimeout =
        std::max<qint64>(1000, std::min(kUnameTimeoutMs, deadline.remainingMs(kUnameTimeoutMs)));
    const RemoteCommandResult uname = RemoteCommand::capture(
        *result.session, QStringLiteral("uname -r"), unameTimeout, output, &errors, cancel);
    if (uname.ending == RemoteCommandResult::Ending::Cancelled)
        return finish(WaitForSshResult::Ending::Cancelled);
    if (uname.succeeded())
        result.kernelRelease = QString::fromUtf8(output).trimmed();
    if (spec.expectedKernelRelease.isEmpty())
        return finish(WaitForSshResult::Ending::Ready);
    if (!uname.succeeded()) {
        result.error = makeError(SshErrorKind::Remote,
                                 QStringLiteral("Cannot read the booted kernel's release on %1 "
                                                "(`uname -r`: %2)")
                                     .arg(spec.target.display(), uname.describe()),
                                 QString::fromUtf8(errors).trimmed());
        return finish(WaitForSshResult::Ending::Error);
    }
    if (result.kernelRelease != spec.expectedKernelRelease) {
        result.error = Error(QStringLiteral("booted %1, expected %2")
                                 .arg(result.kernelRelease, spec.expectedKernelRelease),
                             int(SshErrorKind::Remote));
        return finish(WaitForSshResult::Ending::VersionMismatch);
    }
    return finish(WaitForSshResult::Ending::Ready);
}

} // namespace bw::ssh
