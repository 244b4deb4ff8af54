#include "services/ssh/FileTransfer.h"

#include "models/BisectLog.h"
#include "services/ServicesLogging.h"
#include "services/ssh/SftpPrivate.h"
#include "services/ssh/SshHandles.h"

#include <QDir>
#include <QFile>

#include <array>
#include <map>

namespace bw::ssh {

using namespace detail;

namespace {

constexpr int kPipelineDepth = 16; // SFTP writes in flight: 1 MiB, half a default window
constexpr qint64 kProbeTimeoutMs = 10000;
constexpr qint64 kProgressEveryMs = 100;

// ------------------------------------------------------------- one upload

struct Outcome {
    TransferResult::Ending ending = TransferResult::Ending::Completed;
    Error error;
    qint64 bytes = 0;
};

Outcome fromIo(Io io, ssh_session session, const QString &what) {
    Outcome out;
    switch (io) {
    case Io::Ok:
        break;
    case Io::TimedOut:
        out.ending = TransferResult::Ending::TimedOut;
        break;
    case Io::Cancelled:
        out.ending = TransferResult::Ending::Cancelled;
        break;
    case Io::Eof:
        out.ending = TransferResult::Ending::Error;
        out.error = makeError(SshErrorKind::Protocol,
                              what + QStringLiteral(": the server closed the channel"));
        break;
    case Io::Lost:
        out.ending = TransferResult::Ending::Error;
        out.error =
            makeError(SshErrorKind::ConnectionLost,
                      what + QStringLiteral(": the connection was lost"), lastError(session));
        break;
    }
    return out;
}

class Uploader {
public:
    Uploader(ssh_session session, const TransferSpec &spec, QFile &file, qint64 size,
             const TransferProgressSink &progress, const process::CancelToken *cancel)
        : m_session(session)
        , m_spec(spec)
        , m_file(file)
        , m_size(size)
        , m_progress(progress)
        , m_cancel(cancel) {}

    // Opens the sftp subsystem and says hello. False: the server has no SFTP (or the
    // probe hit `limit`, then `probeTimedOut`).
    bool openSftp(Deadline limit, bool &probeTimedOut) {
        probeTimedOut = false;
        setBlockingTimeout(m_session, std::min<qint64>(limit.remainingMs(), 30000));
        ChannelHandle channel(ssh_channel_new(m_session));
        if (!channel || ssh_channel_open_session(channel.get()) != SSH_OK)
            return false;
        if (ssh_channel_request_subsystem(channel.get(), "sftp") != SSH_OK) {
            qCDebug(bwSsh) << "no sftp subsystem:" << lastError(m_session);
            abandonChannel(m_session, std::move(channel), false);
            return false;
        }
        auto stream = std::make_unique<ChannelStream>(m_session, channel.get(), limit, m_cancel);
        SftpClient client(*stream);
        QByteArray hello;
        put32(hello, 3);
        Packet reply;
        Io io = client.send(FXP_INIT, hello);
        if (io == Io::Ok)
            io = client.receive(reply);
        if (io != Io::Ok || reply.type != FXP_VERSION) {
            probeTimedOut = io == Io::TimedOut;
            qCDebug(bwSsh) << "sftp subsystem did not answer INIT";
            abandonChannel(m_session, std::move(channel), false);
            return false;
        }
        m_sftpChannel = std::move(channel);
        return true;
    }

    void closeSftp() { abandonChannel(m_session, std::move(m_sftpChannel), false); }

    Outcome sftpIteration(int number, Deadline deadline) {
        ChannelStream stream(m_session, m_sftpChannel.get(), deadline, m_cancel);
        SftpClient client(stream);
        const QString what = QStringLiteral("SFTP upload to %1").arg(m_spec.remotePath);

        QByteArray open;
        const quint32 openId = client.nextId();
        put32(open, openId);
        putString(open, m_spec.remotePath.toUtf8());
        put32(open, FXF_WRITE | FXF_CREAT | FXF_TRUNC);
        put32(open, FILEXFER_ATTR_PERMISSIONS);
        put32(open, 0644);
        Packet reply;
        Io io = client.send(FXP_OPEN, open);
        if (io == Io::Ok)
            io = client.receive(reply);
        if (io != Io::Ok)
            return fromIo(io, m_session, what);
        if (reply.type != FXP_HANDLE || reply.id != openId || reply.body.size() < 4) {
            Outcome out;
            out.ending = TransferResult::Ending::Error;
            out.error = makeError(SshErrorKind::Remote,
                                  QStringLiteral("Cannot open %1 for writing on the remote side")
                                      .arg(m_spec.remotePath),
                                  SftpClient::statusOf(reply));
            return out;
        }
        const QByteArray handle = reply.body.mid(4, get32(reply.body, 0));

        std::map<quint32, qint64> inFlight; // id -> length
        qint64 offset = 0;
        QByteArray chunk;
        while (offset < m_size || !inFlight.empty()) {
            while (offset < m_size && int(inFlight.size()) < kPipelineDepth) {
                chunk.resize(std::min(kChunk, m_size - offset));
                const qint64 got = m_file.read(chunk.data(), chunk.size());
                if (got <= 0)
                    return localReadError();
                chunk.resize(got);
                QByteArray write;
                write.reserve(got + 64);
                const quint32 id = client.nextId();
                put32(write, id);
                putString(write, handle);
                put64(write, quint64(offset));
                putString(write, chunk);
                if (Io w = client.send(FXP_WRITE, write); w != Io::Ok) {
                    Outcome out = fromIo(w, m_session, what);
                    out.bytes = offset;
                    return out;
                }
                inFlight.emplace(id, got);
                offset += got;
            }
            if (Io r = client.receive(reply); r != Io::Ok) {
                Outcome out = fromIo(r, m_session, what);
                out.bytes = offset;
                return out;
            }
            const QString status = SftpClient::statusOf(reply);
            if (!status.isEmpty() || !inFlight.erase(reply.id)) {
                Outcome out;
                out.ending = TransferResult::Ending::Error;
                out.bytes = offset;
                out.error = makeError(
                    SshErrorKind::Remote,
                    QStringLiteral("Writing %1 on the remote side failed").arg(m_spec.remotePath),
                    status.isEmpty() ? QStringLiteral("unexpected reply") : status);
                return out;
            }
            report(number, offset, false);
        }

        QByteArray close;
        const quint32 closeId = client.nextId();
        put32(close, closeId);
        putString(close, handle);
        io = client.send(FXP_CLOSE, close);
        if (io == Io::Ok)
            io = client.receive(reply);
        if (io != Io::Ok) {
            Outcome out = fromIo(io, m_session, what);
            out.bytes = offset;
            return out;
        }
        if (const QString status = SftpClient::statusOf(reply); !status.isEmpty()) {
            Outcome out;
            out.ending = TransferResult::Ending::Error;
            out.bytes = offset;
            out.error = makeError(
                SshErrorKind::Remote,
                QStringLiteral("Closing %1 on the remote side failed").arg(m_spec.remotePath),
                status);
            return out;
        }
        Outcome out;
        out.bytes = offset;
        return out;
    }

    Outcome execIteration(int number, Deadline deadline) {
        const QString command = QStringLiteral("cat > %1").arg(shellQuote(m_spec.remotePath));
        const QString what =
            QStringLiteral("Upload to %1 through `%2`").arg(m_spec.remotePath, command);
        Result<ChannelHandle> opened = openExecChannel(m_session, command, deadline);
        if (!opened) {
            Outcome out;
            out.ending = TransferResult::Ending::Error;
            out.error = opened.error();
            return out;
        }
        ChannelHandle channel = std::move(opened.value());
        ExitWatcher watcher(channel.get());
        ChannelStream stream(m_session, channel.get(), deadline, m_cancel);
        auto abandon = [&](Outcome out) {
            watcher.remove();
            abandonChannel(m_session, std::move(channel));
            return out;
        };

        qint64 offset = 0;
        QByteArray chunk;
        Io io = Io::Ok;
        while (offset < m_size) {
            chunk.resize(std::min(kChunk, m_size - offset));
            const qint64 got = m_file.read(chunk.data(), chunk.size());
            if (got <= 0)
                return abandon(localReadError());
            io = stream.writeAll(chunk.constData(), got);
            if (io != Io::Ok)
                break;
            offset += got;
            report(number, offset, false);
        }
        if (io == Io::TimedOut || io == Io::Cancelled || io == Io::Lost) {
            Outcome out = fromIo(io, m_session, what);
            out.bytes = offset;
            return abandon(out);
        }
        // Done writing (or `cat` quit early, io == Eof): its exit status and stderr tell.
        ssh_channel_send_eof(channel.get());
        if (Io end = stream.readToEnd(); end != Io::Ok) {
            Outcome out = fromIo(end, m_session, what);
            out.bytes = offset;
            return abandon(out);
        }
        const ExitInfo exit = watcher.wait(m_session, deadline, m_cancel);
        Outcome out;
        out.bytes = offset;
        if (exit.kind == ExitInfo::Kind::Status && exit.status == 0 && offset == m_size) {
            watcher.remove();
            setBlockingTimeout(m_session, 500);
            ssh_channel_close(channel.get());
            return out;
        }
        if (exit.kind == ExitInfo::Kind::TimedOut)
            out.ending = TransferResult::Ending::TimedOut;
        else if (exit.kind == ExitInfo::Kind::Cancelled)
            out.ending = TransferResult::Ending::Cancelled;
        else {
            out.ending = TransferResult::Ending::Error;
            const QString how = exit.kind == ExitInfo::Kind::Status
                                    ? QStringLiteral("exit %1").arg(exit.status)
                                : exit.kind == ExitInfo::Kind::Signal
                                    ? QStringLiteral("killed by signal %1").arg(exit.signal)
                                    : QStringLiteral("no exit status");
            const QString err = QString::fromUtf8(stream.errors).trimmed();
            out.error = makeError(exit.kind == ExitInfo::Kind::Lost ? SshErrorKind::ConnectionLost
                                                                    : SshErrorKind::Remote,
                                  what + QStringLiteral(" failed"),
                                  err.isEmpty() ? how : how + QStringLiteral(": ") + err);
        }
        return abandon(out);
    }

    void report(int number, qint64 sent, bool force) {
        if (!m_progress)
            return;
        const qint64 now = msSince(m_iterationStart);
        if (!force && now - m_lastReport < kProgressEveryMs)
            return;
        m_lastReport = now;
        m_progress({number, m_spec.repeat, sent, m_size, now});
    }

    void startIteration() {
        m_iterationStart = Clock::now();
        m_lastReport = 0;
    }

private:
    Outcome localReadError() const {
        Outcome out;
        out.ending = TransferResult::Ending::Error;
        out.error = makeError(SshErrorKind::LocalFile,
                              QStringLiteral("Cannot read %1").arg(m_file.fileName()),
                              m_file.errorString());
        return out;
    }

    ssh_session m_session;
    const TransferSpec &m_spec;
    QFile &m_file;
    qint64 m_size;
    const TransferProgressSink &m_progress;
    const process::CancelToken *m_cancel;
    ChannelHandle m_sftpChannel;
    Clock::time_point m_iterationStart = Clock::now();
    qint64 m_lastReport = 0;
};

QString formatRate(double bytesPerSecond) {
    if (bytesPerSecond >= 1e6)
        return QStringLiteral("%1 MB/s").arg(bytesPerSecond / 1e6, 0, 'f', 1);
    if (bytesPerSecond >= 1e3)
        return QStringLiteral("%1 kB/s").arg(bytesPerSecond / 1e3, 0, 'f', 1);
    return QStringLiteral("%1 B/s").arg(bytesPerSecond, 0, 'f', 0);
}

QString formatBytes(qint64 bytes) {
    if (bytes >= 1000 * 1000)
        return QStringLiteral("%1 MB").arg(double(bytes) / 1e6, 0, 'f', 1);
    if (bytes >= 1000)
        return QStringLiteral("%1 kB").arg(double(bytes) / 1e3, 0, 'f', 1);
    return QStringLiteral("%1 B").arg(bytes);
}

} // namespace

QString transferMethodName(TransferMethod method) {
    switch (method) {
    case TransferMethod::Auto:
        return QStringLiteral("auto");
    case TransferMethod::Sftp:
        return QStringLiteral("sftp");
    case TransferMethod::Exec:
        return QStringLiteral("exec");
    }
    return {};
}

QString TransferResult::describe() const {
    const QString which =
        QStringLiteral("iteration %1/%2").arg(failedIteration).arg(iterationsRequested);
    switch (ending) {
    case Ending::Completed: {
        const double rate = durationMs > 0 ? double(fileSize) * double(iterations.size()) * 1000.0 /
                                                 double(durationMs)
                                           : 0.0;
        return QStringLiteral("%1 × %2 in %3 (%4)")
            .arg(iterations.size())
            .arg(formatBytes(fileSize), formatDuration(durationMs), formatRate(rate));
    }
    case Ending::TimedOut:
        return timeoutMs > 0
                   ? QStringLiteral("%1 timed out after %2").arg(which, formatDuration(timeoutMs))
                   : QStringLiteral("%1 timed out").arg(which);
    case Ending::Cancelled:
        return QStringLiteral("%1 cancelled").arg(which);
    case Ending::Error:
        return failedIteration > 0 ? QStringLiteral("%1: %2").arg(which, error.message())
                                   : error.message();
    }
    return {};
}

TransferResult FileTransfer::upload(SshSession &session, const TransferSpec &spec,
                                    const TransferProgressSink &progress,
                                    const process::CancelToken *cancel) {
    const Clock::time_point begin = Clock::now();
    TransferResult result;
    result.iterationsRequested = std::max(spec.repeat, 1);
    result.timeoutMs = spec.timeoutMs;
    result.method = spec.method;
    auto finish = [&](TransferResult::Ending ending) {
        result.ending = ending;
        result.durationMs = msSince(begin);
        qCDebug(bwSsh).noquote() << "upload" << spec.localFile << "->" << spec.remotePath << "("
                                 << transferMethodName(result.method) << "):" << result.describe();
        return result;
    };
    if (cancel && cancel->isCancelled())
        return finish(TransferResult::Ending::Cancelled);
    if (!session.isConnected()) {
        result.error = makeError(SshErrorKind::ConnectionLost,
                                 QStringLiteral("The SSH connection to %1 is closed or was lost")
                                     .arg(session.d ? session.target().display() : QString()));
        return finish(TransferResult::Ending::Error);
    }
    ssh_session s = session.d->session.get();

    QString localPath = spec.localFile;
    if (localPath.startsWith(QLatin1String("~/")))
        localPath = QDir::homePath() + localPath.mid(1);
    QFile file(localPath);
    if (!file.open(QIODevice::ReadOnly)) {
        result.error =
            makeError(SshErrorKind::LocalFile, QStringLiteral("Cannot read %1").arg(localPath),
                      file.errorString());
        return finish(TransferResult::Ending::Error);
    }
    result.fileSize = file.size();

    Uploader uploader(s, spec, file, result.fileSize, progress, cancel);
    if (spec.method != TransferMethod::Exec) {
        Deadline probe = Deadline::in(kProbeTimeoutMs);
        if (spec.timeoutMs > 0)
            probe = Deadline::earlier(probe, Deadline::in(spec.timeoutMs));
        bool probeTimedOut = false;
        const bool sftp = uploader.openSftp(probe, probeTimedOut);
        if (cancel && cancel->isCancelled())
            return finish(TransferResult::Ending::Cancelled);
        if (!session.isConnected()) {
            result.error = makeError(
                SshErrorKind::ConnectionLost,
                QStringLiteral("The connection to %1 was lost").arg(session.target().display()),
                lastError(s));
            return finish(TransferResult::Ending::Error);
        }
        if (!sftp && probeTimedOut && spec.timeoutMs > 0 && spec.timeoutMs <= kProbeTimeoutMs) {
            result.failedIteration = 1;
            result.iterations.push_back({1, 0, spec.timeoutMs, 0, false});
            return finish(TransferResult::Ending::TimedOut);
        }
        if (!sftp && spec.method == TransferMethod::Sftp) {
            result.error = makeError(
                SshErrorKind::Protocol,
                QStringLiteral("%1 offers no SFTP subsystem").arg(session.target().display()));
            return finish(TransferResult::Ending::Error);
        }
        result.method = sftp ? TransferMethod::Sftp : TransferMethod::Exec;
    }

    for (int number = 1; number <= result.iterationsRequested; ++number) {
        if (!file.seek(0)) {
            result.error =
                makeError(SshErrorKind::LocalFile, QStringLiteral("Cannot read %1").arg(localPath),
                          file.errorString());
            result.failedIteration = number;
            uploader.closeSftp();
            return finish(TransferResult::Ending::Error);
        }
        const Deadline deadline = Deadline::in(spec.timeoutMs);
        uploader.startIteration();
        const Clock::time_point started = Clock::now();
        const Outcome outcome = result.method == TransferMethod::Sftp
                                    ? uploader.sftpIteration(number, deadline)
                                    : uploader.execIteration(number, deadline);
        const auto elapsedNs =
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started).count();
        TransferIteration it;
        it.number = number;
        it.bytes = outcome.bytes;
        it.durationMs = elapsedNs / 1000000;
        it.bytesPerSecond = elapsedNs > 0 ? double(outcome.bytes) * 1e9 / double(elapsedNs) : 0.0;
        it.completed = outcome.ending == TransferResult::Ending::Completed;
        result.iterations.push_back(it);
        if (!it.completed) {
            result.failedIteration = number;
            result.error = outcome.error;
            uploader.closeSftp();
            return finish(outcome.ending);
        }
        uploader.report(number, outcome.bytes, true);
        qCDebug(bwSsh).noquote() << QStringLiteral("iteration %1/%2: %3 in %4 ms (%5)")
                                        .arg(number)
                                        .arg(result.iterationsRequested)
                                        .arg(formatBytes(it.bytes))
                                        .arg(it.durationMs)
                                        .arg(formatRate(it.bytesPerSecond));
    }
    uploader.closeSftp();
    return finish(TransferResult::Ending::Completed);
}

} // namespace bw::ssh
