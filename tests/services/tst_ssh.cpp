// services/ssh against real OpenSSH servers on 127.0.0.1, started and stopped by this test
// (by PID, with deadlines): host key checks, authentication, remote commands, uploads,
// wait-for-ssh.

#include "services/process/CancelToken.h"
#include "services/ssh/FileTransfer.h"
#include "services/ssh/RemoteCommand.h"
#include "services/ssh/SshSession.h"
#include "services/ssh/WaitForSsh.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>

#include "tests/support/Sshd.h"
#include <QThread>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

Q_DECLARE_METATYPE(bw::ssh::TransferMethod)

using namespace bw;
using namespace bw::ssh;
using bw::test::Sshd;

namespace {

// A port nobody listens on (right now).
int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

QByteArray readFile(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QByteArray run(const QString &program, const QStringList &args) {
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(30000) || p.exitCode() != 0)
        qWarning() << program << args << p.readAllStandardError();
    return p.readAllStandardOutput();
}

// Is a process with exactly this command line alive?
bool processRunning(const QByteArray &cmdline) {
    const QDir proc(QStringLiteral("/proc"));
    for (const QString &entry : proc.entryList(QDir::Dirs)) {
        bool isPid = false;
        entry.toInt(&isPid);
        if (!isPid)
            continue;
        QByteArray line = readFile(QStringLiteral("/proc/%1/cmdline").arg(entry));
        line.replace('\0', ' ');
        if (line.trimmed() == cmdline)
            return true;
    }
    return false;
}

} // namespace

class TstSsh : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString d; // m_dir.path()
    Sshd m_sshd;
    QString m_fingerprint;     // of hostkey, as ssh-keygen prints it
    QByteArray m_hostKeyLine;  // "ssh-ed25519 AAAA…"
    QByteArray m_otherKeyLine; // another host's key

    SshTarget target(const QString &knownHosts = {}) const {
        SshTarget t;
        t.host = QStringLiteral("127.0.0.1");
        t.port = m_sshd.port;
        t.user = QStringLiteral("root");
        t.identity = d + QStringLiteral("/id_ed25519");
        t.knownHosts = knownHosts.isEmpty() ? d + QStringLiteral("/known_hosts") : knownHosts;
        t.connectTimeoutMs = 10000;
        return t;
    }

    QByteArray knownHostsLine(int port, const QByteArray &key) const {
        return QStringLiteral("[127.0.0.1]:%1 ").arg(port).toUtf8() + key + '\n';
    }

    SshSession connectOrFail() {
        Result<SshSession> s = SshSession::connect(target());
        if (!s)
            qFatal("connect failed: %s", qPrintable(s.error().message()));
        return std::move(s.value());
    }

    QByteArray makeRandomFile(const QString &path, qint64 size) {
        QByteArray data(size, Qt::Uninitialized);
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
        writeFile(path, data);
        return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
    }

    // sha256 and size of a remote file, computed on the remote side.
    QByteArray remoteSha256(SshSession &session, const QString &path) {
        QByteArray out;
        const RemoteCommandResult r =
            RemoteCommand::capture(session, QStringLiteral("sha256sum '%1'").arg(path), 30000, out);
        if (!r.succeeded())
            return "(" + r.describe().toUtf8() + ")";
        return out.left(64);
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        d = m_dir.path();
        if (qEnvironmentVariableIsSet("TST_SSH_KEEP")) // for debugging: keep keys and logs
            m_dir.setAutoRemove(false);
        QVERIFY(QFile::exists(QStringLiteral("/usr/sbin/sshd")));
        // sshd refuses to start without its privilege separation folder.
        QDir().mkpath(QStringLiteral("/run/sshd"));
        ::chmod("/run/sshd", 0755);
        ::unsetenv("SSH_AUTH_SOCK"); // the tests decide which agent, if any
        const QString keygen = QStringLiteral("ssh-keygen");
        for (const char *name : {"hostkey", "otherhostkey", "id_ed25519", "wrong_key"})
            run(keygen, {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                         QStringLiteral("-N"), QString(), QStringLiteral("-f"),
                         d + QLatin1Char('/') + QLatin1String(name)});
        QVERIFY(QFile::copy(d + QStringLiteral("/id_ed25519.pub"),
                            d + QStringLiteral("/authorized_keys")));
        m_hostKeyLine = readFile(d + QStringLiteral("/hostkey.pub")).split(' ').mid(0, 2).join(' ');
        m_otherKeyLine =
            readFile(d + QStringLiteral("/otherhostkey.pub")).split(' ').mid(0, 2).join(' ');
        QVERIFY(m_hostKeyLine.startsWith("ssh-ed25519 "));
        QVERIFY(m_hostKeyLine != m_otherKeyLine);
        const QByteArray listing =
            run(keygen, {QStringLiteral("-l"), QStringLiteral("-E"), QStringLiteral("sha256"),
                         QStringLiteral("-f"), d + QStringLiteral("/hostkey.pub")});
        m_fingerprint = QString::fromLatin1(listing.split(' ').value(1));
        QVERIFY2(m_fingerprint.startsWith(QLatin1String("SHA256:")), listing.constData());

        QVERIFY(m_sshd.start(d, freePort(), true, QStringLiteral("sshd")));
        QVERIFY(writeFile(d + QStringLiteral("/known_hosts"),
                          knownHostsLine(m_sshd.port, m_hostKeyLine)));
        QDir().mkpath(d + QStringLiteral("/remote"));
        // Keys for other hosts and ports only.
        QVERIFY(writeFile(d + QStringLiteral("/known_hosts_empty"),
                          "# nothing here\n" + knownHostsLine(1, m_hostKeyLine)));
    }

    void cleanupTestCase() { m_sshd.stop(); }

    // ------------------------------------------------------------ host keys and auth

    void knownHostIsAccepted() {
        QElapsedTimer t;
        t.start();
        Result<SshSession> s = SshSession::connect(target());
        QVERIFY2(s.ok(), s.ok() ? "" : qPrintable(s.error().message()));
        QCOMPARE(s->hostKey().fingerprint, m_fingerprint);
        QCOMPARE(s->hostKey().keyType, QStringLiteral("ssh-ed25519"));
        QCOMPARE(s->authMethod(), QStringLiteral("public key %1/id_ed25519").arg(d));
        QVERIFY(s->isConnected());
        qInfo() << "connect + host key + auth:" << t.elapsed() << "ms";
        s->disconnect();
        QVERIFY(!s->isConnected());
    }

    void unknownHostKeyIsRefused() {
        const QString empty = d + QStringLiteral("/known_hosts_empty");
        Result<SshSession> s = SshSession::connect(target(empty));
        QVERIFY(!s.ok());
        QCOMPARE(sshErrorKind(s.error()), SshErrorKind::HostKeyUnknown);
        const QString message = s.error().message();
        QVERIFY2(message.contains(QStringLiteral("127.0.0.1:%1").arg(m_sshd.port)),
                 qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("ssh-ed25519")), qPrintable(message));
        QVERIFY2(message.contains(m_fingerprint), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("not known")), qPrintable(message));

        // A missing file says so.
        Result<SshSession> missing = SshSession::connect(target(d + QStringLiteral("/nope")));
        QVERIFY(!missing.ok());
        QCOMPARE(sshErrorKind(missing.error()), SshErrorKind::HostKeyUnknown);
        QVERIFY2(missing.error().message().contains(QLatin1String("does not exist")),
                 qPrintable(missing.error().message()));
        QVERIFY(!QFile::exists(d + QStringLiteral("/nope"))); // nothing trusted silently
    }

    void changedHostKeyIsRefused() {
        const QString changed = d + QStringLiteral("/known_hosts_changed");
        QVERIFY(writeFile(changed, knownHostsLine(1, m_hostKeyLine) +
                                       knownHostsLine(m_sshd.port, m_otherKeyLine)));
        Result<SshSession> s = SshSession::connect(target(changed));
        QVERIFY(!s.ok());
        QCOMPARE(sshErrorKind(s.error()), SshErrorKind::HostKeyChanged);
        const QString message = s.error().message();
        QVERIFY2(message.contains(QLatin1String("has changed")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("127.0.0.1:%1").arg(m_sshd.port)),
                 qPrintable(message));
        QVERIFY2(message.contains(m_fingerprint), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("ssh-ed25519")), qPrintable(message));
        QVERIFY2(message.contains(changed + QStringLiteral(":2")), qPrintable(message));
        QCOMPARE(readFile(changed),
                 knownHostsLine(1, m_hostKeyLine) + knownHostsLine(m_sshd.port, m_otherKeyLine));
    }

    void trustHostKeyThenConnect() {
        const QString file = d + QStringLiteral("/trust/known_hosts");
        Result<HostKeyInfo> probe = SshSession::probeHostKey(target(file));
        QVERIFY2(probe.ok(), probe.ok() ? "" : qPrintable(probe.error().message()));
        QCOMPARE(probe->fingerprint, m_fingerprint);
        QVERIFY(!QFile::exists(file));

        // Only the approved fingerprint is trusted.
        Result<HostKeyInfo> wrong =
            SshSession::trustHostKey(target(file), QStringLiteral("SHA256:not-this-one"));
        QVERIFY(!wrong.ok());
        QVERIFY(!QFile::exists(file));
        Result<HostKeyInfo> none = SshSession::trustHostKey(target(file), QString());
        QVERIFY(!none.ok());

        Result<HostKeyInfo> trusted = SshSession::trustHostKey(target(file), probe->fingerprint);
        QVERIFY2(trusted.ok(), trusted.ok() ? "" : qPrintable(trusted.error().message()));
        QCOMPARE(readFile(file).trimmed(), knownHostsLine(m_sshd.port, m_hostKeyLine).trimmed());
        QCOMPARE(QFileInfo(file).permissions() & (QFile::ReadOther | QFile::WriteOther),
                 QFileDevice::Permissions());
        Result<SshSession> s = SshSession::connect(target(file));
        QVERIFY2(s.ok(), s.ok() ? "" : qPrintable(s.error().message()));

        // A changed key is replaced only when asked to.
        const QString changed = d + QStringLiteral("/known_hosts_replace");
        const QByteArray otherHost = "otherhost " + m_otherKeyLine + '\n';
        QVERIFY(writeFile(changed, otherHost + knownHostsLine(m_sshd.port, m_otherKeyLine)));
        Result<HostKeyInfo> refused = SshSession::trustHostKey(target(changed), m_fingerprint);
        QVERIFY(!refused.ok());
        QCOMPARE(sshErrorKind(refused.error()), SshErrorKind::HostKeyChanged);
        Result<HostKeyInfo> replaced =
            SshSession::trustHostKey(target(changed), m_fingerprint, true);
        QVERIFY2(replaced.ok(), replaced.ok() ? "" : qPrintable(replaced.error().message()));
        QCOMPARE(readFile(changed), otherHost + knownHostsLine(m_sshd.port, m_hostKeyLine));
        QVERIFY(SshSession::connect(target(changed)).ok());
    }

    void authFailureIsClear() {
        SshTarget t = target();
        t.identity = d + QStringLiteral("/wrong_key");
        Result<SshSession> s = SshSession::connect(t);
        QVERIFY(!s.ok());
        QCOMPARE(sshErrorKind(s.error()), SshErrorKind::AuthFailed);
        const QString message = s.error().message();
        QVERIFY2(message.contains(QStringLiteral("root@127.0.0.1:%1").arg(m_sshd.port)),
                 qPrintable(message));
        QVERIFY2(message.contains(t.identity + QStringLiteral(" (rejected")), qPrintable(message));
        QVERIFY2(message.contains(QLatin1String("SSH_AUTH_SOCK is not set")), qPrintable(message));

        t.identity = d + QStringLiteral("/no_such_key");
        Result<SshSession> missing = SshSession::connect(t);
        QVERIFY(!missing.ok());
        QCOMPARE(sshErrorKind(missing.error()), SshErrorKind::AuthFailed);
        QVERIFY2(missing.error().message().contains(QLatin1String("does not exist")),
                 qPrintable(missing.error().message()));
    }

    void connectionRefusedIsInfrastructure() {
        SshTarget t = target();
        t.port = freePort();
        t.connectTimeoutMs = 5000;
        QElapsedTimer timer;
        timer.start();
        Result<SshSession> s = SshSession::connect(t);
        QVERIFY(!s.ok());
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(sshErrorKind(s.error()), SshErrorKind::Unreachable);
        QVERIFY(isTransient(sshErrorKind(s.error())));
        QVERIFY2(s.error().message().contains(QStringLiteral("127.0.0.1:%1").arg(t.port)),
                 qPrintable(s.error().message()));
        QVERIFY2(s.error().message().contains(QLatin1String("refused"), Qt::CaseInsensitive),
                 qPrintable(s.error().message()));
    }

    void connectStallsUntilDeadline() {
        // A listener that never speaks SSH (the kernel accepts, nobody answers).
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        QCOMPARE(::listen(fd, 4), 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
        SshTarget t = target();
        t.port = ntohs(addr.sin_port);
        t.connectTimeoutMs = 800;
        QElapsedTimer timer;
        timer.start();
        Result<SshSession> s = SshSession::connect(t);
        const qint64 took = timer.elapsed();
        ::close(fd);
        QVERIFY(!s.ok());
        QCOMPARE(sshErrorKind(s.error()), SshErrorKind::Unreachable);
        QVERIFY2(took >= 700 && took < 2500, qPrintable(QString::number(took)));

        // The same stall, cancelled.
        const int fd2 = ::socket(AF_INET, SOCK_STREAM, 0);
        addr.sin_port = 0;
        QCOMPARE(::bind(fd2, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        QCOMPARE(::listen(fd2, 4), 0);
        ::getsockname(fd2, reinterpret_cast<sockaddr *>(&addr), &len);
        t.port = ntohs(addr.sin_port);
        t.connectTimeoutMs = 20000;
        process::CancelToken token;
        // Cancelled once the connection is in the listener's queue: the connect then
        // waits for a banner that never comes.
        std::thread canceller([&] {
            pollfd queued{fd2, POLLIN, 0};
            (void)::poll(&queued, 1, 10'000);
            token.cancel();
        });
        timer.restart();
        Result<SshSession> c = SshSession::connect(t, &token);
        const qint64 cancelTook = timer.elapsed();
        canceller.join();
        ::close(fd2);
        QVERIFY(!c.ok());
        QCOMPARE(sshErrorKind(c.error()), SshErrorKind::Cancelled);
        QVERIFY2(cancelTook < 1500, qPrintable(QString::number(cancelTook)));
    }

    // ------------------------------------------------------------ remote commands

    void exitCodes_data() {
        QTest::addColumn<QString>("command");
        QTest::addColumn<int>("code");
        QTest::newRow("0") << QStringLiteral("true") << 0;
        QTest::newRow("1") << QStringLiteral("false") << 1;
        QTest::newRow("42") << QStringLiteral("echo x; exit 42") << 42;
    }

    void exitCodes() {
        QFETCH(QString, command);
        QFETCH(int, code);
        SshSession s = connectOrFail();
        const RemoteCommandResult r = RemoteCommand::run(s, command, 10000, {});
        QCOMPARE(r.ending, RemoteCommandResult::Ending::Exited);
        QCOMPARE(r.exitCode, code);
        QCOMPARE(r.succeeded(), code == 0);
        QCOMPARE(r.describe(), QStringLiteral("exit %1").arg(code));
    }

    void outputIsStreamed() {
        SshSession s = connectOrFail();
        QByteArray out;
        QByteArray err;
        QElapsedTimer timer;
        timer.start();
        qint64 firstOutAt = -1;
        const RemoteCommandResult r = RemoteCommand::run(
            s, QStringLiteral("echo out1; echo err1 >&2; sleep 0.6; echo out2; echo err2 >&2"),
            10000, [&](process::Channel channel, const QByteArray &chunk) {
                if (channel == process::Channel::Stdout) {
                    if (firstOutAt < 0)
                        firstOutAt = timer.elapsed();
                    out += chunk;
                } else {
                    err += chunk;
                }
            });
        const qint64 total = timer.elapsed();
        QCOMPARE(r.ending, RemoteCommandResult::Ending::Exited);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(out, QByteArray("out1\nout2\n"));
        QCOMPARE(err, QByteArray("err1\nerr2\n"));
        // out1 arrived while the command was still sleeping, not at the end.
        QVERIFY2(firstOutAt >= 0 && firstOutAt + 400 < total,
                 qPrintable(QStringLiteral("first %1 ms, total %2 ms").arg(firstOutAt).arg(total)));

        // Variables travel as quoted exports: data, never code.
        QByteArray env;
        const QString command = RemoteCommand::withEnvironment(
            {{QStringLiteral("BW_SUBJECT"), QStringLiteral("it's $(touch %1/pwned) `x`").arg(d)},
             {QStringLiteral("BW_STEP"), QStringLiteral("3")},
             {QStringLiteral("bad name"), QStringLiteral("x")}},
            QStringLiteral("printf '%s|%s' \"$BW_SUBJECT\" \"$BW_STEP\""));
        QCOMPARE(RemoteCommand::capture(s, command, 10000, env).exitCode, 0);
        QCOMPARE(QString::fromUtf8(env), QStringLiteral("it's $(touch %1/pwned) `x`|3").arg(d));
        QVERIFY(!QFile::exists(d + QStringLiteral("/pwned")));

        // A bigger stream arrives whole.
        QByteArray big;
        const RemoteCommandResult b = RemoteCommand::capture(
            s, QStringLiteral("head -c 3000000 /dev/zero | tr '\\0' x"), 20000, big);
        QCOMPARE(b.exitCode, 0);
        QCOMPARE(big.size(), 3000000);
        QCOMPARE(big.count('x'), 3000000);
    }

    void timeoutClosesTheChannel() {
        SshSession s = connectOrFail();
        QElapsedTimer timer;
        timer.start();
        const RemoteCommandResult r = RemoteCommand::run(s, QStringLiteral("sleep 37"), 1000, {});
        const qint64 took = timer.elapsed();
        QCOMPARE(r.ending, RemoteCommandResult::Ending::TimedOut);
        QCOMPARE(r.timeoutMs, qint64(1000));
        QCOMPARE(r.describe(), QStringLiteral("timed out after 1s"));
        QVERIFY2(took >= 950 && took < 2500, qPrintable(QString::number(took)));
        // The remote process is gone too (same machine), and the session still works.
        QTRY_VERIFY_WITH_TIMEOUT(!processRunning("sleep 37"), 3000);
        QByteArray out;
        const RemoteCommandResult again =
            RemoteCommand::capture(s, QStringLiteral("echo ok"), 5000, out);
        QCOMPARE(again.exitCode, 0);
        QCOMPARE(out, QByteArray("ok\n"));
    }

    void cancelClosesTheChannel() {
        SshSession s = connectOrFail();
        process::CancelToken token;
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            token.cancel();
        });
        QElapsedTimer timer;
        timer.start();
        const RemoteCommandResult r =
            RemoteCommand::run(s, QStringLiteral("sleep 38"), 0, {}, &token);
        const qint64 took = timer.elapsed();
        canceller.join();
        QCOMPARE(r.ending, RemoteCommandResult::Ending::Cancelled);
        QVERIFY2(took >= 250 && took < 1500, qPrintable(QString::number(took)));
        QTRY_VERIFY_WITH_TIMEOUT(!processRunning("sleep 38"), 3000);
        // An already cancelled token starts nothing.
        const RemoteCommandResult pre =
            RemoteCommand::run(s, QStringLiteral("true"), 0, {}, &token);
        QCOMPARE(pre.ending, RemoteCommandResult::Ending::Cancelled);
    }

    void droppedConnectionIsAnError() {
        SshSession s = connectOrFail();
        // The command kills the sshd process that serves its session: the connection drops.
        const RemoteCommandResult r =
            RemoteCommand::run(s, QStringLiteral("kill -9 $PPID; sleep 5"), 10000, {});
        QCOMPARE(r.ending, RemoteCommandResult::Ending::Error);
        QCOMPARE(sshErrorKind(r.error), SshErrorKind::ConnectionLost);
        QVERIFY(r.durationMs < 4000);
        QVERIFY(!s.isConnected());
        const RemoteCommandResult after = RemoteCommand::run(s, QStringLiteral("true"), 1000, {});
        QCOMPARE(after.ending, RemoteCommandResult::Ending::Error);
    }

    // ------------------------------------------------------------ uploads

    void upload100MbSftp() {
        const QString local = d + QStringLiteral("/100mb.bin");
        const QString remote = d + QStringLiteral("/remote/100mb.bin");
        const QByteArray sha = makeRandomFile(local, 100 * 1000 * 1000);
        SshSession s = connectOrFail();
        qint64 lastSent = 0;
        int reports = 0;
        const TransferResult r = FileTransfer::upload(
            s, {local, remote, 1, 60000, TransferMethod::Auto}, [&](const TransferProgress &p) {
                QCOMPARE(p.iteration, 1);
                QCOMPARE(p.bytesTotal, qint64(100 * 1000 * 1000));
                QVERIFY(p.bytesSent >= lastSent);
                lastSent = p.bytesSent;
                ++reports;
            });
        QVERIFY2(r.succeeded(), qPrintable(r.describe()));
        QCOMPARE(r.method, TransferMethod::Sftp);
        QCOMPARE(r.fileSize, qint64(100 * 1000 * 1000));
        QCOMPARE(int(r.iterations.size()), 1);
        QCOMPARE(r.iterations[0].bytes, r.fileSize);
        QVERIFY(r.iterations[0].completed);
        QVERIFY(r.iterations[0].bytesPerSecond > 0);
        QCOMPARE(lastSent, r.fileSize);
        QVERIFY(reports >= 1);
        QCOMPARE(QFileInfo(remote).size(), r.fileSize);
        QCOMPARE(remoteSha256(s, remote), sha);
        qInfo().noquote() << "SFTP 100 MB:" << r.describe()
                          << "iteration:" << r.iterations[0].durationMs << "ms,"
                          << qint64(r.iterations[0].bytesPerSecond) << "B/s";
        QFile::remove(remote);
    }

    void uploadRepeated() {
        const QString local = d + QStringLiteral("/16mb.bin");
        const QString remote = d + QStringLiteral("/remote/16mb.bin");
        const QByteArray sha = makeRandomFile(local, 16 * 1024 * 1024);
        SshSession s = connectOrFail();
        QList<int> seen;
        const TransferResult r = FileTransfer::upload(
            s, {local, remote, 3, 30000, TransferMethod::Sftp}, [&](const TransferProgress &p) {
                QCOMPARE(p.iterations, 3);
                if (seen.isEmpty() || seen.last() != p.iteration)
                    seen << p.iteration;
            });
        QVERIFY2(r.succeeded(), qPrintable(r.describe()));
        QCOMPARE(r.iterationsRequested, 3);
        QCOMPARE(int(r.iterations.size()), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(r.iterations[i].number, i + 1);
            QVERIFY(r.iterations[i].completed);
            QCOMPARE(r.iterations[i].bytes, qint64(16 * 1024 * 1024));
            QVERIFY(r.iterations[i].bytesPerSecond > 0);
            qInfo().noquote() << "iteration" << i + 1 << r.iterations[i].durationMs << "ms"
                              << qint64(r.iterations[i].bytesPerSecond) << "B/s";
        }
        QCOMPARE(seen, (QList<int>{1, 2, 3}));
        QCOMPARE(remoteSha256(s, remote), sha);
        QVERIFY2(r.describe().startsWith(QStringLiteral("3 × 16.8 MB in ")),
                 qPrintable(r.describe()));
    }

    void uploadFallsBackToCat() {
        Sshd plain;
        QVERIFY(plain.start(d, freePort(), false, QStringLiteral("sshd-nosftp")));
        const QString knownHosts = d + QStringLiteral("/known_hosts_nosftp");
        QVERIFY(writeFile(knownHosts, knownHostsLine(plain.port, m_hostKeyLine)));
        SshTarget t = target(knownHosts);
        t.port = plain.port;
        Result<SshSession> s = SshSession::connect(t);
        QVERIFY2(s.ok(), s.ok() ? "" : qPrintable(s.error().message()));

        const QString local = d + QStringLiteral("/16mb.bin");
        const QByteArray sha = makeRandomFile(local, 16 * 1024 * 1024 + 17);
        // A path that needs quoting.
        const QString remote = d + QStringLiteral("/remote/it's a file.bin");
        const TransferResult r =
            FileTransfer::upload(*s, {local, remote, 2, 30000, TransferMethod::Auto});
        QVERIFY2(r.succeeded(), qPrintable(r.describe()));
        QCOMPARE(r.method, TransferMethod::Exec);
        QCOMPARE(int(r.iterations.size()), 2);
        QCOMPARE(r.iterations[1].bytes, qint64(16 * 1024 * 1024 + 17));
        QCOMPARE(QFileInfo(remote).size(), qint64(16 * 1024 * 1024 + 17));
        QCOMPARE(QCryptographicHash::hash(readFile(remote), QCryptographicHash::Sha256).toHex(),
                 sha);
        qInfo().noquote() << "cat fallback:" << r.describe();

        // Asking for SFTP there is an error; a path cat cannot write is one too.
        const TransferResult sftp =
            FileTransfer::upload(*s, {local, remote, 1, 30000, TransferMethod::Sftp});
        QCOMPARE(sftp.ending, TransferResult::Ending::Error);
        QVERIFY2(sftp.error.message().contains(QLatin1String("no SFTP")),
                 qPrintable(sftp.error.message()));
        const TransferResult denied = FileTransfer::upload(
            *s, {local, d + QStringLiteral("/no/such/dir/x"), 1, 30000, TransferMethod::Exec});
        QCOMPARE(denied.ending, TransferResult::Ending::Error);
        QCOMPARE(sshErrorKind(denied.error), SshErrorKind::Remote);
        QVERIFY2(denied.error.message().contains(QLatin1String("exit 1")),
                 qPrintable(denied.error.message()));
        s->disconnect();
        plain.stop();
    }

    void hungIterationTimesOut_data() {
        QTest::addColumn<TransferMethod>("method");
        QTest::newRow("sftp") << TransferMethod::Sftp;
        QTest::newRow("exec") << TransferMethod::Exec;
    }

    void hungIterationTimesOut() {
        QFETCH(TransferMethod, method);
        // After the first iteration the remote path becomes a FIFO nobody reads: the second
        // iteration's open blocks on the remote side, like a network that hangs after a few
        // copies.
        const QString remote =
            d + QStringLiteral("/remote/hang-%1").arg(transferMethodName(method));
        const QByteArray remoteName = QFile::encodeName(remote);
        const QString local = d + QStringLiteral("/1mb.bin");
        makeRandomFile(local, 1024 * 1024);
        bool swapped = false;
        SshSession s = connectOrFail();
        QElapsedTimer timer;
        timer.start();
        const TransferResult r = FileTransfer::upload(
            s, {local, remote, 3, 1500, method}, [&](const TransferProgress &p) {
                if (!swapped && p.iteration == 1 && p.bytesSent == p.bytesTotal) {
                    QCOMPARE(QFileInfo(remote).size(), p.bytesTotal);
                    ::unlink(remoteName.constData());
                    QCOMPARE(::mkfifo(remoteName.constData(), 0644), 0);
                    swapped = true;
                }
            });
        const qint64 took = timer.elapsed();
        // Release the remote writer that still waits for a reader.
        const int fd = ::open(remoteName.constData(), O_RDONLY | O_NONBLOCK);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        ::close(fd);

        QVERIFY(swapped);
        QCOMPARE(r.method, method);
        QCOMPARE(r.ending, TransferResult::Ending::TimedOut);
        QCOMPARE(r.failedIteration, 2);
        QCOMPARE(int(r.iterations.size()), 2);
        QVERIFY(r.iterations[0].completed);
        QCOMPARE(r.iterations[0].bytes, qint64(1024 * 1024));
        QVERIFY(!r.iterations[1].completed);
        QVERIFY(r.iterations[1].durationMs >= 1400);
        QCOMPARE(r.describe(),
                 QStringLiteral("iteration 2/3 timed out after %1").arg(formatDuration(1500)));
        QVERIFY2(took < 1500 + 2500, qPrintable(QString::number(took)));
        QVERIFY(s.isConnected());
        // The session is still good for more work.
        QByteArray out;
        QCOMPARE(RemoteCommand::capture(s, QStringLiteral("echo ok"), 5000, out).exitCode, 0);
    }

    // ------------------------------------------------------------ wait for ssh

    void waitForSshAfterLateStart() {
        const int port = freePort();
        Sshd late;
        std::atomic<bool> started{false};
        std::thread starter([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            started = late.start(d, port, true, QStringLiteral("sshd-late"));
        });
        const QString knownHosts = d + QStringLiteral("/known_hosts_late");
        writeFile(knownHosts, knownHostsLine(port, m_hostKeyLine));
        WaitForSshSpec spec;
        spec.target = target(knownHosts);
        spec.target.port = port;
        spec.timeoutMs = 15000;
        WaitForSshResult r = WaitForSsh::run(spec);
        starter.join();
        QVERIFY(started);
        QVERIFY2(r.succeeded(), qPrintable(r.describe()));
        QVERIFY(r.attempts > 1);
        QVERIFY2(r.durationMs >= 1400 && r.durationMs < 10000, qPrintable(r.describe()));
        QCOMPARE(r.kernelRelease, QSysInfo::kernelVersion());
        QVERIFY(r.session && r.session->isConnected());
        qInfo().noquote() << "wait for ssh:" << r.describe();
        r.session.reset();
        late.stop();
    }

    void waitForSshGivesUpAtDeadline() {
        WaitForSshSpec spec;
        spec.target = target();
        spec.target.port = freePort();
        spec.timeoutMs = 2000;
        QElapsedTimer timer;
        timer.start();
        const WaitForSshResult r = WaitForSsh::run(spec);
        const qint64 took = timer.elapsed();
        QCOMPARE(r.ending, WaitForSshResult::Ending::TimedOut);
        QVERIFY2(took >= 1900 && took < 3500, qPrintable(QString::number(took)));
        QVERIFY(r.attempts >= 3);
        QVERIFY2(r.describe().contains(QLatin1String("within 2s")), qPrintable(r.describe()));
        QVERIFY2(r.lastProblem.contains(QLatin1String("refused"), Qt::CaseInsensitive),
                 qPrintable(r.lastProblem));
        QVERIFY(!r.session);

        // Cancelled while waiting.
        process::CancelToken token;
        std::thread canceller([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            token.cancel();
        });
        spec.timeoutMs = 20000;
        timer.restart();
        const WaitForSshResult c = WaitForSsh::run(spec, &token);
        canceller.join();
        QCOMPARE(c.ending, WaitForSshResult::Ending::Cancelled);
        QVERIFY2(timer.elapsed() < 1500, qPrintable(QString::number(timer.elapsed())));
    }

    void waitForSshChecksTheKernel() {
        WaitForSshSpec spec;
        spec.target = target();
        spec.timeoutMs = 10000;
        spec.expectedKernelRelease = QStringLiteral("6.2.0-rc1");
        const WaitForSshResult mismatch = WaitForSsh::run(spec);
        QCOMPARE(mismatch.ending, WaitForSshResult::Ending::VersionMismatch);
        QCOMPARE(mismatch.describe(),
                 QStringLiteral("booted %1, expected 6.2.0-rc1").arg(QSysInfo::kernelVersion()));

        spec.expectedKernelRelease = QSysInfo::kernelVersion();
        const WaitForSshResult match = WaitForSsh::run(spec);
        QVERIFY2(match.succeeded(), qPrintable(match.describe()));
        QCOMPARE(match.attempts, 1);

        // A host key problem ends the wait at once: no retry can fix it.
        spec.target.knownHosts = d + QStringLiteral("/known_hosts_empty");
        QElapsedTimer timer;
        timer.start();
        const WaitForSshResult refused = WaitForSsh::run(spec);
        QCOMPARE(refused.ending, WaitForSshResult::Ending::Error);
        QCOMPARE(refused.attempts, 1);
        QCOMPARE(sshErrorKind(refused.error), SshErrorKind::HostKeyUnknown);
        QVERIFY(timer.elapsed() < 3000);
    }
};

QTEST_GUILESS_MAIN(TstSsh)
#include "tst_ssh.moc"
