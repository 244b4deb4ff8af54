#include "tests/support/TestTools.h"

#include "tests/support/TestRepo.h"

#include <QFile>
#include <QProcessEnvironment>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace bw::test {

int freePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

QByteArray readBytes(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString readText(const QString &path) {
    return QString::fromUtf8(readBytes(path));
}

QString sourceDir() {
    return qEnvironmentVariable("BW_SOURCE_DIR");
}

QString vmScript(const char *name) {
    return sourceDir() + QStringLiteral("/tests/support/vm/") + QLatin1String(name);
}

bool tool(const QString &program, const QStringList &args, QByteArray &out, QString &error,
          int timeoutMs) {
    const RunResult r =
        run(program, args, {}, QProcessEnvironment::systemEnvironment(), {}, timeoutMs);
    out = r.out;
    if (r.exitCode == 0)
        return true;
    error = QStringLiteral("%1 %2: exit %3: %4")
                .arg(program, args.join(u' '))
                .arg(r.exitCode)
                .arg(QString::fromUtf8(r.err.trimmed()));
    return false;
}

bool makeSshKeys(const QString &dir, const QStringList &names, QString &error) {
    QByteArray out;
    for (const QString &name : names)
        if (!tool(QStringLiteral("ssh-keygen"),
                  {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"),
                   QStringLiteral("-N"), QString(), QStringLiteral("-f"), dir + u'/' + name},
                  out, error))
            return false;
    QFile::remove(dir + QStringLiteral("/authorized_keys"));
    if (!QFile::copy(dir + QStringLiteral("/id_ed25519.pub"),
                     dir + QStringLiteral("/authorized_keys"))) {
        error = QStringLiteral("cannot write %1/authorized_keys").arg(dir);
        return false;
    }
    return true;
}

QString hostKeyOf(const QString &dir) {
    return readText(dir + QStringLiteral("/hostkey.pub")).section(u' ', 0, 1).trimmed();
}

QByteArray knownHostsLine(const QString &dir, int port) {
    return QStringLiteral("[127.0.0.1]:%1 %2\n").arg(port).arg(hostKeyOf(dir)).toUtf8();
}

} // namespace bw::test
