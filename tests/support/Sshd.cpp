#include "tests/support/Sshd.h"

#include <QDir>
#include <QFile>

#include <chrono>
#include <csignal>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

namespace bw::test {

namespace {

QByteArray readAll(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

bool Sshd::start(const QString &dir, int port_, bool sftp, const QString &name) {
    port = port_;
    const QString config = dir + QStringLiteral("/%1.conf").arg(name);
    log = dir + QStringLiteral("/%1.log").arg(name);
    QByteArray text = QStringLiteral("Port %1\n"
                                     "ListenAddress 127.0.0.1\n"
                                     "HostKey %2/hostkey\n"
                                     "PidFile none\n"
                                     "AuthorizedKeysFile %2/authorized_keys\n"
                                     "PermitRootLogin prohibit-password\n"
                                     "PubkeyAuthentication yes\n"
                                     "PasswordAuthentication no\n"
                                     "KbdInteractiveAuthentication no\n"
                                     "UsePAM no\n"
                                     "StrictModes no\n"
                                     "MaxStartups 100\n")
                          .arg(port)
                          .arg(dir)
                          .toUtf8();
    if (sftp)
        text += "Subsystem sftp internal-sftp\n";
    QFile file(config);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        return false;
    file.close();
    QDir().mkpath(QStringLiteral("/run/sshd")); // sshd's privilege separation directory
    ::chmod("/run/sshd", 0755);
    const QByteArray configPath = QFile::encodeName(config);
    const QByteArray logPath = QFile::encodeName(log);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, logPath.constData(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const char *argv[] = {"/usr/sbin/sshd", "-D", "-e", "-f", configPath.constData(), nullptr};
    const int rc =
        posix_spawn(&pid, argv[0], &actions, nullptr, const_cast<char **>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid = -1;
        return false;
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const QByteArray ready =
        QStringLiteral("Server listening on 127.0.0.1 port %1").arg(port).toUtf8();
    while (std::chrono::steady_clock::now() < until) {
        if (readAll(log).contains(ready))
            return true;
        if (::waitpid(pid, nullptr, WNOHANG) == pid) {
            pid = -1;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

void Sshd::stop() {
    if (pid <= 0)
        return;
    ::kill(pid, SIGTERM);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid, nullptr, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > until) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid = -1;
}

} // namespace bw::test
