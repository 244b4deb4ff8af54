#include "services/ssh/SshSession.h"

#include "services/ServicesLogging.h"
#include "services/ssh/SshHandles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStringList>

#include <algorithm>
#include <cstdlib>
#include <mutex>

namespace bw::ssh {

using namespace detail;

SshErrorKind sshErrorKind(const Error &error) {
    if (error.code >= int(SshErrorKind::Unreachable) && error.code <= int(SshErrorKind::Cancelled))
        return SshErrorKind(error.code);
    return SshErrorKind::Protocol;
}

bool isTransient(SshErrorKind kind) {
    return kind == SshErrorKind::Unreachable || kind == SshErrorKind::ConnectionLost;
}

// ---------------------------------------------------------------- SshTarget

namespace {

QString expandHome(const QString &path) {
    if (path == QLatin1String("~"))
        return QDir::homePath();
    if (path.startsWith(QLatin1String("~/")))
        return QDir::homePath() + path.mid(1);
    return path;
}

void initLibrary() {
    static std::once_flag once;
    std::call_once(once, [] { ssh_init(); });
}

} // namespace

SshTarget SshTarget::fromWaitSpec(const WaitSpec &spec) {
    SshTarget target;
    target.host = spec.host;
    target.port = spec.port;
    target.user = spec.user;
    target.identity = spec.identity;
    target.knownHosts = spec.knownHosts;
    return target;
}

QString SshTarget::display() const {
    return QStringLiteral("%1@%2:%3").arg(user, host).arg(port);
}

QString SshTarget::knownHostsFile() const {
    if (knownHosts.isEmpty())
        return QDir::homePath() + QStringLiteral("/.ssh/known_hosts");
    return expandHome(knownHosts);
}

// ---------------------------------------------------------------- connecting

namespace {

QString hostPort(const SshTarget &target) {
    return QStringLiteral("%1:%2").arg(target.host).arg(target.port);
}

// How known_hosts names the host: "host" on port 22, "[host]:port" otherwise.
QString knownHostsName(const SshTarget &target) {
    if (target.port == 22)
        return target.host;
    return QStringLiteral("[%1]:%2").arg(target.host).arg(target.port);
}

Result<SessionHandle> newSession(const SshTarget &target) {
    initLibrary();
    SessionHandle session(ssh_new());
    if (!session)
        return makeError(SshErrorKind::Protocol, QStringLiteral("Cannot create an SSH session"));
    ssh_session s = session.get();
    const QByteArray host = target.host.toUtf8();
    const QByteArray user = target.user.toUtf8();
    const QByteArray knownHosts = QFile::encodeName(target.knownHostsFile());
    unsigned int port = unsigned(target.port);
    int off = 0;
    int on = 1;
    int verbosity = SSH_LOG_NOLOG;
    const bool ok = ssh_options_set(s, SSH_OPTIONS_HOST, host.constData()) == SSH_OK &&
                    ssh_options_set(s, SSH_OPTIONS_PORT, &port) == SSH_OK &&
                    ssh_options_set(s, SSH_OPTIONS_USER, user.constData()) == SSH_OK &&
                    // Our file only: never ~/.ssh/config, never the system-wide list.
                    ssh_options_set(s, SSH_OPTIONS_PROCESS_CONFIG, &off) == SSH_OK &&
                    ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, knownHosts.constData()) == SSH_OK &&
                    ssh_options_set(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") == SSH_OK &&
                    // Without TCP_NODELAY every synchronous round trip waits for a delayed
                    // ACK: 100 MB over SFTP take 94 s instead of 1 s (REAL-COMPONENTS.md 5).
                    ssh_options_set(s, SSH_OPTIONS_NODELAY, &on) == SSH_OK &&
                    ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity) == SSH_OK;
    if (!ok)
        return makeError(
            SshErrorKind::Protocol,
            QStringLiteral("Cannot set up an SSH session for %1").arg(target.display()),
            lastError(s));
    return session;
}

// TCP connect and SSH handshake, non-blocking so that a cancellation ends it at once.
Status connectTransport(ssh_session s, const SshTarget &target, Deadline deadline,
                        const process::CancelToken *cancel) {
    ssh_set_blocking(s, 0);
    for (;;) {
        if (cancel && cancel->isCancelled())
            return makeError(
                SshErrorKind::Cancelled,
                QStringLiteral("Cancelled while connecting to %1").arg(hostPort(target)));
        const int rc = ssh_connect(s);
        if (rc == SSH_OK)
            break;
        if (rc == SSH_ERROR)
            return makeError(SshErrorKind::Unreachable,
                             QStringLiteral("Cannot connect to %1").arg(hostPort(target)),
                             lastError(s));
        // SSH_AGAIN. A short slice: while the TCP connect is pending the socket is not yet
        // readable, and libssh only moves on when it is called again.
        const WaitResult w = waitSocket(s, deadline, cancel, 10);
        if (w == WaitResult::TimedOut)
            return makeError(SshErrorKind::Unreachable,
                             QStringLiteral("No SSH handshake from %1 within %2")
                                 .arg(hostPort(target), formatDuration(target.connectTimeoutMs)));
        if (w == WaitResult::Cancelled)
            continue; // reported at the top
    }
    ssh_set_blocking(s, 1);
    return okStatus();
}

struct HostKeyCheck {
    ssh_known_hosts_e state = SSH_KNOWN_HOSTS_ERROR;
    HostKeyInfo info;
};

// The first line of `file` that records a key for `name`: its number and key type.
void findRecordedKey(const QString &file, const QString &name, HostKeyInfo &info) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return;
    const QByteArray host = name.toUtf8();
    int number = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        ++number;
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        ssh_knownhosts_entry *raw = nullptr;
        const int rc = ssh_known_hosts_parse_line(host.constData(), line.constData(), &raw);
        KnownHostsEntryHandle entry(raw);
        if (rc == SSH_OK && entry) {
            info.recordedLine = number;
            if (entry->publickey)
                info.recordedKeyType =
                    QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(entry->publickey)));
            return;
        }
    }
}

Result<HostKeyCheck> checkHostKey(ssh_session s, const SshTarget &target) {
    HostKeyCheck check;
    check.info.host = target.host;
    check.info.port = target.port;
    check.info.knownHostsFile = target.knownHostsFile();

    ssh_key rawKey = nullptr;
    if (ssh_get_server_publickey(s, &rawKey) != SSH_OK)
        return makeError(SshErrorKind::Protocol,
                         QStringLiteral("%1 presented no host key").arg(hostPort(target)),
                         lastError(s));
    KeyHandle key(rawKey);
    check.info.keyType = QString::fromLatin1(ssh_key_type_to_char(ssh_key_type(key.get())));
    unsigned char *hash = nullptr;
    size_t hashLength = 0;
    if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hashLength) != SSH_OK)
        return makeError(SshErrorKind::Protocol,
                         QStringLiteral("Cannot hash the host key of %1").arg(hostPort(target)),
                         lastError(s));
    SshCharHandle fingerprint(
        ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hashLength));
    ssh_clean_pubkey_hash(&hash);
    check.info.fingerprint = fingerprint ? QString::fromLatin1(fingerprint.get()) : QString();

    check.state = ssh_session_is_known_server(s);
    if (check.state == SSH_KNOWN_HOSTS_UNKNOWN && !QFileInfo::exists(check.info.knownHostsFile))
        check.state = SSH_KNOWN_HOSTS_NOT_FOUND; // libssh 0.10 does not tell these apart
    if (check.state == SSH_KNOWN_HOSTS_CHANGED || check.state == SSH_KNOWN_HOSTS_OTHER)
        findRecordedKey(check.info.knownHostsFile, knownHostsName(target), check.info);
    if (check.state == SSH_KNOWN_HOSTS_ERROR)
        return makeError(SshErrorKind::LocalFile,
                         QStringLiteral("Cannot check the host key of %1 against %2")
                             .arg(hostPort(target), check.info.knownHostsFile),
                         lastError(s));
    return check;
}

Error hostKeyRefusal(const HostKeyCheck &check, const SshTarget &target) {
    const HostKeyInfo &k = check.info;
    const QString presented = QStringLiteral("the server presents an %1 key with fingerprint %2")
                                  .arg(k.keyType, k.fingerprint);
    if (check.state == SSH_KNOWN_HOSTS_CHANGED || check.state == SSH_KNOWN_HOSTS_OTHER) {
        QString recorded =
            k.recordedLine > 0
                ? QStringLiteral("the %1 key recorded in %2:%3")
                      .arg(k.recordedKeyType.isEmpty() ? QStringLiteral("host") : k.recordedKeyType,
                           k.knownHostsFile)
                      .arg(k.recordedLine)
                : QStringLiteral("the key recorded in %1").arg(k.knownHostsFile);
        return makeError(
            SshErrorKind::HostKeyChanged,
            QStringLiteral("The host key of %1 has changed: %2, which differs from %3. Someone may "
                           "be intercepting the connection, or the host was reinstalled; check "
                           "the fingerprint before trusting the new key")
                .arg(hostPort(target), presented, recorded));
    }
    const QString why =
        check.state == SSH_KNOWN_HOSTS_NOT_FOUND
            ? QStringLiteral("the known_hosts file %1 does not exist").arg(k.knownHostsFile)
            : QStringLiteral("%1 has no key for %2").arg(k.knownHostsFile, knownHostsName(target));
    return makeError(SshErrorKind::HostKeyUnknown,
                     QStringLiteral("The host key of %1 is not known: %2, and %3. Check the "
                                    "fingerprint, then trust the host explicitly")
                         .arg(hostPort(target), presented, why));
}

// Identity file first, then the agent. Returns how we got in.
Result<QString> authenticate(ssh_session s, const SshTarget &target) {
    QStringList tried;
    if (!target.identity.isEmpty()) {
        const QString path = expandHome(target.identity);
        if (!QFileInfo::exists(path)) {
            tried << QStringLiteral("identity file %1 (it does not exist)").arg(path);
        } else {
            ssh_key raw = nullptr;
            const int rc = ssh_pki_import_privkey_file(QFile::encodeName(path).constData(), nullptr,
                                                       nullptr, nullptr, &raw);
            KeyHandle key(raw);
            if (rc != SSH_OK || !key) {
                tried << QStringLiteral("identity file %1 (unreadable, or protected by a "
                                        "passphrase: add it to the ssh-agent instead)")
                             .arg(path);
            } else {
                const int auth = ssh_userauth_publickey(s, nullptr, key.get());
                key.reset(); // the private key leaves memory now (libssh wipes it)
                if (auth == SSH_AUTH_SUCCESS)
                    return QStringLiteral("public key %1").arg(path);
                if (auth == SSH_AUTH_AGAIN) // the blocking timeout: the connect deadline
                    return makeError(SshErrorKind::Unreachable,
                                     QStringLiteral("No answer from %1 while authenticating")
                                         .arg(hostPort(target)));
                if (auth == SSH_AUTH_ERROR)
                    return sessionError(s, SshErrorKind::Protocol,
                                        QStringLiteral("Public key authentication to %1 failed")
                                            .arg(target.display()));
                tried << QStringLiteral("public key %1 (rejected by the server)").arg(path);
            }
        }
    }
    const char *agentSocket = std::getenv("SSH_AUTH_SOCK");
    if (!agentSocket || !*agentSocket) {
        tried << QStringLiteral("ssh-agent (SSH_AUTH_SOCK is not set)");
    } else {
        const int auth = ssh_userauth_agent(s, nullptr);
        if (auth == SSH_AUTH_SUCCESS)
            return QStringLiteral("ssh-agent");
        if (!ssh_is_connected(s))
            return sessionError(
                s, SshErrorKind::ConnectionLost,
                QStringLiteral("Agent authentication to %1 failed").arg(target.display()));
        tried << (auth == SSH_AUTH_DENIED
                      ? QStringLiteral("ssh-agent at %1 (no key accepted)")
                            .arg(QString::fromLocal8Bit(agentSocket))
                      : QStringLiteral("ssh-agent at %1 (%2)")
                            .arg(QString::fromLocal8Bit(agentSocket), lastError(s)));
    }
    return makeError(SshErrorKind::AuthFailed,
                     QStringLiteral("Authentication as %1 failed; tried: %2")
                         .arg(target.display(), tried.join(QStringLiteral("; "))));
}

} // namespace

// ---------------------------------------------------------------- SshSession

SshSession::SshSession(std::unique_ptr<Impl> impl)
    : d(std::move(impl)) {}
SshSession::SshSession(SshSession &&other) noexcept = default;
SshSession &SshSession::operator=(SshSession &&other) noexcept {
    if (this != &other) {
        disconnect();
        d = std::move(other.d);
    }
    return *this;
}
SshSession::~SshSession() {
    disconnect();
}

const SshTarget &SshSession::target() const {
    return d->target;
}
const HostKeyInfo &SshSession::hostKey() const {
    return d->hostKey;
}
QString SshSession::authMethod() const {
    return d->authMethod;
}
bool SshSession::isConnected() const {
    return d && d->session && ssh_is_connected(d->session.get()) &&
           !(ssh_get_status(d->session.get()) & SSH_CLOSED_ERROR);
}

void SshSession::disconnect() {
    if (!d || !d->session)
        return;
    if (ssh_is_connected(d->session.get())) {
        setBlockingTimeout(d->session.get(), 500);
        ssh_disconnect(d->session.get());
    }
    d->session.reset();
}

Result<SshSession> SshSession::connect(const SshTarget &target,
                                       const process::CancelToken *cancel) {
    const Clock::time_point begin = Clock::now();
    const Deadline deadline = Deadline::in(target.connectTimeoutMs);
    Result<SessionHandle> session = newSession(target);
    if (!session)
        return session.error();
    ssh_session s = session->get();
    if (Status st = connectTransport(s, target, deadline, cancel); !st)
        return st.error();

    Result<HostKeyCheck> check = checkHostKey(s, target);
    if (!check)
        return check.error();
    if (check->state != SSH_KNOWN_HOSTS_OK) {
        Error refusal = hostKeyRefusal(*check, target);
        qCWarning(bwSsh).noquote() << refusal.message();
        return refusal;
    }

    setBlockingTimeout(s, deadline.remainingMs(30000));
    Result<QString> method = authenticate(s, target);
    if (!method) {
        qCWarning(bwSsh).noquote() << method.error().message();
        return method.error();
    }
    if (cancel && cancel->isCancelled())
        return makeError(SshErrorKind::Cancelled,
                         QStringLiteral("Cancelled while connecting to %1").arg(hostPort(target)));

    auto impl = std::make_unique<Impl>();
    impl->session = std::move(session.value());
    impl->target = target;
    impl->hostKey = check->info;
    impl->authMethod = *method;
    qCDebug(bwSsh).noquote() << "connected to" << target.display() << "with" << impl->authMethod
                             << "in" << msSince(begin) << "ms";
    return SshSession(std::move(impl));
}

Result<HostKeyInfo> SshSession::probeHostKey(const SshTarget &target) {
    const Deadline deadline = Deadline::in(target.connectTimeoutMs);
    Result<SessionHandle> session = newSession(target);
    if (!session)
        return session.error();
    if (Status st = connectTransport(session->get(), target, deadline, nullptr); !st)
        return st.error();
    Result<HostKeyCheck> check = checkHostKey(session->get(), target);
    setBlockingTimeout(session->get(), 500);
    ssh_disconnect(session->get());
    if (!check)
        return check.error();
    return check->info;
}

Result<HostKeyInfo> SshSession::trustHostKey(const SshTarget &target,
                                             const QString &approvedFingerprint,
                                             bool replaceRecorded) {
    if (approvedFingerprint.isEmpty())
        return makeError(SshErrorKind::HostKeyUnknown,
                         QStringLiteral("No fingerprint was approved for %1; nothing was trusted")
                             .arg(hostPort(target)));
    const Deadline deadline = Deadline::in(target.connectTimeoutMs);
    Result<SessionHandle> session = newSession(target);
    if (!session)
        return session.error();
    ssh_session s = session->get();
    if (Status st = connectTransport(s, target, deadline, nullptr); !st)
        return st.error();
    Result<HostKeyCheck> check = checkHostKey(s, target);
    if (!check)
        return check.error();
    const HostKeyInfo &info = check->info;
    if (info.fingerprint != approvedFingerprint)
        return makeError(
            SshErrorKind::HostKeyChanged,
            QStringLiteral("%1 presents the %2 key %3, not the approved %4; nothing "
                           "was trusted")
                .arg(hostPort(target), info.keyType, info.fingerprint, approvedFingerprint));
    if (check->state == SSH_KNOWN_HOSTS_OK)
        return info; // already on record

    const QString file = info.knownHostsFile;
    const bool changed =
        check->state == SSH_KNOWN_HOSTS_CHANGED || check->state == SSH_KNOWN_HOSTS_OTHER;
    if (changed && !replaceRecorded)
        return hostKeyRefusal(*check, target);

    char *rawEntry = nullptr;
    if (ssh_session_export_known_hosts_entry(s, &rawEntry) != SSH_OK || !rawEntry)
        return makeError(SshErrorKind::Protocol,
                         QStringLiteral("Cannot format the host key of %1").arg(hostPort(target)),
                         lastError(s));
    SshCharHandle entryText(rawEntry);
    QByteArray entry(entryText.get());
    if (!entry.endsWith('\n'))
        entry.append('\n');

    // Keep every line except, when replacing, the ones for this host.
    QByteArray kept;
    QFile existing(file);
    const bool exists = existing.exists();
    if (exists) {
        if (!existing.open(QIODevice::ReadOnly))
            return makeError(SshErrorKind::LocalFile, QStringLiteral("Cannot read %1").arg(file),
                             existing.errorString());
        const QByteArray host = knownHostsName(target).toUtf8();
        while (!existing.atEnd()) {
            const QByteArray line = existing.readLine();
            if (changed) {
                ssh_knownhosts_entry *raw = nullptr;
                const QByteArray trimmed = line.trimmed();
                const int rc =
                    trimmed.isEmpty() || trimmed.startsWith('#')
                        ? SSH_AGAIN
                        : ssh_known_hosts_parse_line(host.constData(), trimmed.constData(), &raw);
                KnownHostsEntryHandle parsed(raw);
                if (rc == SSH_OK)
                    continue;
            }
            kept += line;
        }
        existing.close();
        if (!kept.isEmpty() && !kept.endsWith('\n'))
            kept.append('\n');
    } else {
        const QFileInfo where(file);
        if (!QDir().mkpath(where.absolutePath()))
            return makeError(
                SshErrorKind::LocalFile,
                QStringLiteral("Cannot create the folder %1").arg(where.absolutePath()));
        QFile::setPermissions(where.absolutePath(), QFileDevice::ReadOwner |
                                                        QFileDevice::WriteOwner |
                                                        QFileDevice::ExeOwner);
    }
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly))
        return makeError(SshErrorKind::LocalFile, QStringLiteral("Cannot write %1").arg(file),
                         out.errorString());
    out.write(kept);
    out.write(entry);
    if (!exists)
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (!out.commit())
        return makeError(SshErrorKind::LocalFile, QStringLiteral("Cannot write %1").arg(file),
                         out.errorString());
    qCInfo(bwSsh).noquote() << "trusted the" << info.keyType << "key" << info.fingerprint << "of"
                            << hostPort(target) << "in" << file;
    setBlockingTimeout(s, 500);
    ssh_disconnect(s);
    return info;
}

} // namespace bw::ssh
