#include "services/ssh/RemoteCommand.h"

#include "models/BisectLog.h"

#include "services/ServicesLogging.h"
#include "services/ssh/SshHandles.h"

#include <QRegularExpression>

#include <array>

namespace bw::ssh {

using namespace detail;

namespace {

// The command runs in the background of a small `sh` that keeps the channel's stdin open
// on fd 3 and kills its whole process group (sshd made it a session leader) when that
// stdin reaches EOF, i.e. when we close the channel early. OpenSSH refuses "signal"
// requests for root logins (no privilege separation after auth), and closing a channel
// alone leaves a `sleep 600` or a hung test running on the target.
QString killOnCloseWrapper(const QString &command) {
    const QString script =
        QStringLiteral("exec 3<&0 </dev/null\n"
                       "(\n%1\n) &\n"
                       "c=$!\n"
                       "(cat <&3 >/dev/null 2>&1; kill -KILL 0) >/dev/null 2>&1 &\n"
                       "w=$!\n"
                       "exec 3<&-\n"
                       "wait $c\n"
                       "s=$?\n"
                       "kill $w 2>/dev/null\n"
                       "exit $s\n")
            .arg(command);
    return QStringLiteral("sh -c ") + shellQuote(script);
}

} // namespace

namespace detail {

Result<ChannelHandle> openExecChannel(ssh_session session, const QString &command,
                                      Deadline deadline) {
    setBlockingTimeout(session, std::min<qint64>(deadline.remainingMs(), 30000));
    ChannelHandle channel(ssh_channel_new(session));
    if (!channel)
        return sessionError(session, SshErrorKind::Protocol,
                            QStringLiteral("Cannot create an SSH channel"));
    if (ssh_channel_open_session(channel.get()) != SSH_OK)
        return sessionError(session, SshErrorKind::Protocol,
                            QStringLiteral("The server refused to open a session channel"));
    const QByteArray utf8 = command.toUtf8();
    if (ssh_channel_request_exec(channel.get(), utf8.constData()) != SSH_OK)
        return sessionError(session, SshErrorKind::Protocol,
                            QStringLiteral("The server refused to run a command"));
    return channel;
}

namespace {
void onExitSignal(ssh_session, ssh_channel, const char *signal, int, const char *, const char *,
                  void *userdata) {
    static_cast<ExitWatcher *>(userdata)->signal =
        signal ? QString::fromLatin1(signal) : QStringLiteral("?");
}
} // namespace

ExitWatcher::ExitWatcher(ssh_channel channel)
    : m_channel(channel)
    , m_callbacks(std::make_unique<ssh_channel_callbacks_struct>()) {
    *m_callbacks = {};
    m_callbacks->userdata = this;
    m_callbacks->channel_exit_signal_function = onExitSignal;
    ssh_callbacks_init(m_callbacks.get());
    ssh_add_channel_callbacks(m_channel, m_callbacks.get());
}

ExitWatcher::~ExitWatcher() {
    remove();
}

void ExitWatcher::remove() {
    // A freed channel may live on inside libssh until the server closes it too: it must
    // not call back into this (dead) object then.
    if (m_channel) {
        ssh_remove_channel_callbacks(m_channel, m_callbacks.get());
        m_channel = nullptr;
    }
}

ExitInfo ExitWatcher::wait(ssh_session session, Deadline deadline,
                           const process::CancelToken *cancel) {
    ExitInfo info;
    for (;;) {
        if (cancel && cancel->isCancelled()) {
            info.kind = ExitInfo::Kind::Cancelled;
            return info;
        }
        // ssh_channel_get_exit_status pumps packets until the status, the channel's close
        // or its (blocking) timeout: short slices keep the deadline and the token honoured.
        setBlockingTimeout(session, std::min<qint64>(deadline.remainingMs(), 100));
        const int status = ssh_channel_get_exit_status(m_channel);
        if (status != -1) {
            info.kind = ExitInfo::Kind::Status;
            info.status = status;
            return info;
        }
        if (!signal.isEmpty()) {
            info.kind = ExitInfo::Kind::Signal;
            info.signal = signal;
            return info;
        }
        if (!ssh_is_connected(session) || (ssh_get_status(session) & SSH_CLOSED_ERROR)) {
            info.kind = ExitInfo::Kind::Lost;
            return info;
        }
        if (ssh_channel_is_closed(m_channel)) {
            info.kind = ExitInfo::Kind::Unknown;
            return info;
        }
        if (deadline.passed()) {
            info.kind = ExitInfo::Kind::TimedOut;
            return info;
        }
    }
}

} // namespace detail

QString RemoteCommandResult::describe() const {
    switch (ending) {
    case Ending::Exited:
        return QStringLiteral("exit %1").arg(exitCode);
    case Ending::Signaled:
        return QStringLiteral("killed by signal %1").arg(signal);
    case Ending::TimedOut:
        if (timeoutMs <= 0)
            return QStringLiteral("timed out");
        return QStringLiteral("timed out after %1").arg(formatDuration(timeoutMs));
    case Ending::Cancelled:
        return QStringLiteral("cancelled");
    case Ending::Error:
        return error.message();
    }
    return {};
}

RemoteCommandResult RemoteCommand::run(SshSession &session, const QString &command,
                                       qint64 timeoutMs, const process::ChunkSink &sink,
                                       const process::CancelToken *cancel) {
    const Clock::time_point begin = Clock::now();
    RemoteCommandResult result;
    result.timeoutMs = timeoutMs;
    const QString where = session.d ? session.target().display() : QString();
    auto finish = [&](RemoteCommandResult::Ending ending) {
        result.ending = ending;
        result.durationMs = msSince(begin);
        qCDebug(bwSsh).noquote() << where << command << "->" << result.describe() << "in"
                                 << result.durationMs << "ms";
        return result;
    };
    if (cancel && cancel->isCancelled())
        return finish(RemoteCommandResult::Ending::Cancelled);
    if (!session.isConnected()) {
        result.error =
            makeError(SshErrorKind::ConnectionLost,
                      QStringLiteral("The SSH connection to %1 is closed or was lost").arg(where));
        return finish(RemoteCommandResult::Ending::Error);
    }
    ssh_session s = session.d->session.get();
    const Deadline deadline = Deadline::in(timeoutMs);

    Result<ChannelHandle> opened = openExecChannel(s, killOnCloseWrapper(command), deadline);
    if (!opened) {
        result.error = opened.error();
        return finish(RemoteCommandResult::Ending::Error);
    }
    ChannelHandle channel = std::move(opened.value());
    ExitWatcher watcher(channel.get());

    auto stop = [&](RemoteCommandResult::Ending ending) {
        watcher.remove();
        abandonChannel(s, std::move(channel));
        return finish(ending);
    };

    std::array<char, 64 * 1024> buffer;
    bool eof[2] = {false, false};
    while (!(eof[0] && eof[1])) {
        if (cancel && cancel->isCancelled())
            return stop(RemoteCommandResult::Ending::Cancelled);
        if (deadline.passed())
            return stop(RemoteCommandResult::Ending::TimedOut);
        bool progressed = false;
        for (int stream = 0; stream < 2; ++stream) {
            if (eof[stream])
                continue;
            const int n = ssh_channel_read_nonblocking(channel.get(), buffer.data(),
                                                       uint32_t(buffer.size()), stream);
            if (n > 0) {
                progressed = true;
                if (sink)
                    sink(stream == 0 ? process::Channel::Stdout : process::Channel::Stderr,
                         QByteArray(buffer.data(), n));
            } else if (n == SSH_EOF) {
                eof[stream] = true;
            } else if (n < 0) {
                result.error = sessionError(s, SshErrorKind::ConnectionLost,
                                            QStringLiteral("Reading the output of a remote "
                                                           "command failed"));
                if (result.error.code != int(SshErrorKind::ConnectionLost))
                    result.error.code = int(SshErrorKind::ConnectionLost);
                return stop(RemoteCommandResult::Ending::Error);
            }
        }
        if (!progressed && !(eof[0] && eof[1])) {
            if (ssh_channel_is_closed(channel.get()))
                break; // closed without EOF: whatever was buffered has been read
            const WaitResult w = waitSocket(s, deadline, cancel);
            if (w == WaitResult::Cancelled)
                return stop(RemoteCommandResult::Ending::Cancelled);
            if (w == WaitResult::TimedOut)
                return stop(RemoteCommandResult::Ending::TimedOut);
        }
    }

    const ExitInfo exit = watcher.wait(s, deadline, cancel);
    switch (exit.kind) {
    case ExitInfo::Kind::Status:
        result.exitCode = exit.status;
        watcher.remove();
        setBlockingTimeout(s, 500);
        ssh_channel_close(channel.get());
        channel.reset();
        return finish(RemoteCommandResult::Ending::Exited);
    case ExitInfo::Kind::Signal:
        result.signal = exit.signal;
        watcher.remove();
        channel.reset();
        return finish(RemoteCommandResult::Ending::Signaled);
    case ExitInfo::Kind::TimedOut:
        return stop(RemoteCommandResult::Ending::TimedOut);
    case ExitInfo::Kind::Cancelled:
        return stop(RemoteCommandResult::Ending::Cancelled);
    case ExitInfo::Kind::Lost:
        result.error = makeError(SshErrorKind::ConnectionLost,
                                 QStringLiteral("The connection to %1 was lost before the remote "
                                                "command reported its exit status")
                                     .arg(session.target().display()),
                                 lastError(s));
        return stop(RemoteCommandResult::Ending::Error);
    case ExitInfo::Kind::Unknown:
        break;
    }
    result.error = makeError(SshErrorKind::Protocol,
                             QStringLiteral("The remote command ended without an exit status"));
    return stop(RemoteCommandResult::Ending::Error);
}

QString RemoteCommand::withEnvironment(const QMap<QString, QString> &environment,
                                       const QString &command) {
    static const QRegularExpression identifier(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    QString script;
    for (auto it = environment.cbegin(); it != environment.cend(); ++it) {
        if (!identifier.match(it.key()).hasMatch()) {
            qCWarning(bwSsh).noquote() << "not a variable name, left out:" << it.key();
            continue;
        }
        script += QStringLiteral("export %1=%2\n").arg(it.key(), shellQuote(it.value()));
    }
    return script + command;
}

RemoteCommandResult RemoteCommand::capture(SshSession &session, const QString &command,
                                           qint64 timeoutMs, QByteArray &output, QByteArray *errors,
                                           const process::CancelToken *cancel) {
    output.clear();
    if (errors)
        errors->clear();
    return run(
        session, command, timeoutMs,
        [&](process::Channel channel, const QByteArray &chunk) {
            if (channel == process::Channel::Stdout)
                output += chunk;
            else if (errors)
                *errors += chunk;
        },
        cancel);
}

} // namespace bw::ssh
