#pragma once

// Private to services/ssh: blocking reads and writes on one libssh channel with a deadline
// and a cancel token, and the few SFTP v3 messages an upload needs
// (draft-ietf-secsh-filexfer-02), spoken directly so that every wait is ours.

#include "services/ssh/SshHandles.h"

#include <QByteArray>
#include <QString>
#include <QtEndian>

#include <algorithm>
#include <array>

namespace bw::ssh::detail {

constexpr qint64 kChunk = 64 * 1024; // write size (OpenSSH caps an SFTP message at 256 KiB)

enum class Io { Ok, Eof, TimedOut, Cancelled, Lost };

// Blocking reads and writes on one channel, every wait bounded by a deadline and a token.
class ChannelStream {
public:
    ChannelStream(ssh_session session, ssh_channel channel, Deadline deadline,
                  const process::CancelToken *cancel)
        : m_session(session)
        , m_channel(channel)
        , m_deadline(deadline)
        , m_cancel(cancel) {}

    QByteArray in;     // stdout received and not yet consumed
    QByteArray errors; // stderr received

    Io writeAll(const char *data, qint64 length) {
        while (length > 0) {
            if (Io io = check(); io != Io::Ok)
                return io;
            const uint32_t window = ssh_channel_window_size(m_channel);
            if (window == 0) {
                // Reading pumps libssh's packet loop, which is where window adjustments
                // (and replies piling up behind them) are taken in.
                if (Io io = drain(); io != Io::Ok && io != Io::Eof)
                    return io;
                if (ssh_channel_window_size(m_channel) > 0)
                    continue;
                if (ssh_channel_is_closed(m_channel) || ssh_channel_is_eof(m_channel))
                    return Io::Eof;
                if (Io io = wait(); io != Io::Ok)
                    return io;
                continue;
            }
            const qint64 n = std::min<qint64>({length, qint64(window), kChunk});
            setBlockingTimeout(m_session, std::min<qint64>(m_deadline.remainingMs(), 30000));
            const int written = ssh_channel_write(m_channel, data, uint32_t(n));
            if (written < 0)
                return lostOrEof();
            data += written;
            length -= written;
        }
        return Io::Ok;
    }

    // Appends whatever stdout and stderr hold now, without waiting.
    Io drain() {
        std::array<char, 32 * 1024> buffer;
        bool eof = false;
        for (int stream = 0; stream < 2; ++stream) {
            for (;;) {
                const int n = ssh_channel_read_nonblocking(m_channel, buffer.data(),
                                                           uint32_t(buffer.size()), stream);
                if (n > 0) {
                    (stream == 0 ? in : errors).append(buffer.data(), n);
                    continue;
                }
                if (n == SSH_EOF) {
                    eof = eof || stream == 0;
                    break;
                }
                if (n < 0)
                    return lostOrEof();
                break;
            }
        }
        return eof ? Io::Eof : Io::Ok;
    }

    // Waits until stdout holds at least `bytes`.
    Io fill(qsizetype bytes) {
        while (in.size() < bytes) {
            if (Io io = check(); io != Io::Ok)
                return io;
            const qsizetype before = in.size();
            const Io io = drain();
            if (in.size() > before)
                continue;
            if (io != Io::Ok)
                return io;
            if (Io w = wait(); w != Io::Ok)
                return w;
        }
        return Io::Ok;
    }

    // Reads both streams to their end.
    Io readToEnd() {
        for (;;) {
            if (Io io = check(); io != Io::Ok)
                return io;
            const Io io = drain();
            if (io == Io::Lost)
                return io;
            if (ssh_channel_is_eof(m_channel) || ssh_channel_is_closed(m_channel)) {
                drain();
                return Io::Ok;
            }
            if (Io w = wait(); w != Io::Ok)
                return w;
        }
    }

private:
    Io check() const {
        if (m_cancel && m_cancel->isCancelled())
            return Io::Cancelled;
        if (m_deadline.passed())
            return Io::TimedOut;
        return Io::Ok;
    }
    Io wait() const {
        switch (waitSocket(m_session, m_deadline, m_cancel)) {
        case WaitResult::Cancelled:
            return Io::Cancelled;
        case WaitResult::TimedOut:
            return Io::TimedOut;
        default:
            return Io::Ok;
        }
    }
    Io lostOrEof() const {
        if (!ssh_is_connected(m_session) || (ssh_get_status(m_session) & SSH_CLOSED_ERROR))
            return Io::Lost;
        return Io::Eof;
    }

    ssh_session m_session;
    ssh_channel m_channel;
    Deadline m_deadline;
    const process::CancelToken *m_cancel;
};

// ------------------------------------------------------------- SFTP v3 (draft-02)

enum : quint8 {
    FXP_INIT = 1,
    FXP_VERSION = 2,
    FXP_OPEN = 3,
    FXP_CLOSE = 4,
    FXP_WRITE = 6,
    FXP_STATUS = 101,
    FXP_HANDLE = 102,
};
constexpr quint32 FXF_WRITE = 0x02, FXF_CREAT = 0x08, FXF_TRUNC = 0x10;
constexpr quint32 FILEXFER_ATTR_PERMISSIONS = 0x04;

inline void put32(QByteArray &b, quint32 v) {
    char raw[4];
    qToBigEndian(v, raw);
    b.append(raw, 4);
}
inline void put64(QByteArray &b, quint64 v) {
    char raw[8];
    qToBigEndian(v, raw);
    b.append(raw, 8);
}
inline void putString(QByteArray &b, const QByteArray &s) {
    put32(b, quint32(s.size()));
    b.append(s);
}
inline quint32 get32(const QByteArray &b, qsizetype at) {
    return qFromBigEndian<quint32>(b.constData() + at);
}

inline QString statusText(quint32 code) {
    switch (code) {
    case 1:
        return QStringLiteral("end of file");
    case 2:
        return QStringLiteral("no such file");
    case 3:
        return QStringLiteral("permission denied");
    case 4:
        return QStringLiteral("failure");
    case 5:
        return QStringLiteral("bad message");
    case 8:
        return QStringLiteral("operation unsupported");
    default:
        return QStringLiteral("status %1").arg(code);
    }
}

struct Packet {
    quint8 type = 0;
    quint32 id = 0;
    QByteArray body; // after the id (after the version for VERSION)
};

class SftpClient {
public:
    explicit SftpClient(ChannelStream &stream)
        : m_stream(stream) {}

    Io send(quint8 type, const QByteArray &payload) {
        QByteArray packet;
        packet.reserve(payload.size() + 5);
        put32(packet, quint32(payload.size() + 1));
        packet.append(char(type));
        packet.append(payload);
        return m_stream.writeAll(packet.constData(), packet.size());
    }

    Io receive(Packet &packet) {
        if (Io io = m_stream.fill(4); io != Io::Ok)
            return io;
        const quint32 length = get32(m_stream.in, 0);
        if (length < 5 || length > 256 * 1024)
            return Io::Lost; // not SFTP
        if (Io io = m_stream.fill(4 + qsizetype(length)); io != Io::Ok)
            return io;
        packet.type = quint8(m_stream.in.at(4));
        packet.id = get32(m_stream.in, 5);
        packet.body = m_stream.in.mid(9, length - 5);
        m_stream.in.remove(0, 4 + length);
        return Io::Ok;
    }

    quint32 nextId() { return m_id++; }

    // A STATUS reply: "" for OK, else the server's words.
    static QString statusOf(const Packet &packet) {
        if (packet.type != FXP_STATUS)
            return QStringLiteral("unexpected reply %1").arg(packet.type);
        if (packet.body.size() < 4)
            return QStringLiteral("short status");
        const quint32 code = get32(packet.body, 0);
        if (code == 0)
            return {};
        QString message;
        if (packet.body.size() >= 8) {
            const quint32 n = get32(packet.body, 4);
            message = QString::fromUtf8(packet.body.mid(8, n));
        }
        return message.isEmpty() ? statusText(code)
                                 : QStringLiteral("%1 (%2)").arg(message, statusText(code));
    }

private:
    ChannelStream &m_stream;
    quint32 m_id = 1;
};

} // namespace bw::ssh::detail
