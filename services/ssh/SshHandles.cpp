#include "services/ssh/SshHandles.h"

#include <algorithm>

#include <poll.h>

// Helpers shared by the files of services/ssh (declared in SshHandles.h).

namespace bw::ssh {

namespace detail {

qint64 Deadline::remainingMs(qint64 none) const {
    if (!isSet())
        return none;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at - Clock::now());
    return std::max<qint64>(0, left.count());
}

qint64 msSince(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

void setBlockingTimeout(ssh_session session, qint64 ms) {
    ms = std::max<qint64>(ms, 1);
    long seconds = long(ms / 1000);
    long usec = long((ms % 1000) * 1000);
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT, &seconds);
    ssh_options_set(session, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

namespace {
WaitResult pollFds(int socketFd, Deadline deadline, const process::CancelToken *cancel,
                   int sliceMs) {
    if (cancel && cancel->isCancelled())
        return WaitResult::Cancelled;
    if (deadline.passed())
        return WaitResult::TimedOut;
    const qint64 left = deadline.remainingMs();
    // Without a wake descriptor the token is only looked at between slices.
    const int cancelFd = cancel ? cancel->wakeFd() : -1;
    if (cancel && cancelFd < 0)
        sliceMs = std::min(sliceMs, 50);
    const int wait = int(std::min<qint64>(left + 1, sliceMs));
    pollfd fds[2];
    nfds_t count = 0;
    if (socketFd >= 0)
        fds[count++] = {socketFd, POLLIN, 0};
    if (cancelFd >= 0)
        fds[count++] = {cancelFd, POLLIN, 0};
    const int rc = ::poll(fds, count, wait);
    if (cancel && cancel->isCancelled())
        return WaitResult::Cancelled;
    if (rc > 0 && socketFd >= 0 && fds[0].revents != 0)
        return WaitResult::Ready;
    if (deadline.passed())
        return WaitResult::TimedOut;
    return WaitResult::Slice;
}
} // namespace

WaitResult waitSocket(ssh_session session, Deadline deadline, const process::CancelToken *cancel,
                      int sliceMs) {
    return pollFds(ssh_get_fd(session), deadline, cancel, sliceMs);
}

WaitResult sleepUntil(Deadline deadline, const process::CancelToken *cancel) {
    for (;;) {
        const WaitResult r = pollFds(-1, deadline, cancel, 1000);
        if (r != WaitResult::Slice)
            return r;
    }
}

QString lastError(ssh_session session) {
    const char *text = ssh_get_error(session);
    return text ? QString::fromUtf8(text).trimmed() : QString();
}

Error makeError(SshErrorKind kind, const QString &what, const QString &detail) {
    return Error(what, int(kind), detail);
}

Error sessionError(ssh_session session, SshErrorKind kind, const QString &what) {
    const bool lost = !ssh_is_connected(session) || (ssh_get_status(session) & SSH_CLOSED_ERROR);
    if (lost)
        return makeError(SshErrorKind::ConnectionLost,
                         what + QStringLiteral(": the connection was lost"), lastError(session));
    return makeError(kind, what, lastError(session));
}

void abandonChannel(ssh_session session, ChannelHandle channel, bool requestKill) {
    if (!channel)
        return;
    setBlockingTimeout(session, 500);
    if (ssh_channel_is_open(channel.get()) && ssh_is_connected(session)) {
        // EOF on its stdin is what RemoteCommand's wrapper waits for to kill the command.
        // OpenSSH also delivers "signal" requests, to non-root command sessions only.
        ssh_channel_send_eof(channel.get());
        if (requestKill)
            ssh_channel_request_send_signal(channel.get(), "KILL");
        ssh_channel_close(channel.get());
    }
    channel.reset();
}

} // namespace detail

} // namespace bw::ssh
