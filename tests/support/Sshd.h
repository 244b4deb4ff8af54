#pragma once

#include <QString>

#include <sys/types.h>

namespace bw::test {

// One /usr/sbin/sshd -D -e on 127.0.0.1:port for the SSH tests, started as our own
// process (not a child of a shell) and stopped by its pid. It reads its host key
// (`dir`/hostkey) and authorized keys (`dir`/authorized_keys) from `dir`; PAM, passwords
// and strict modes are off, so it runs as root in a scratch directory.
struct Sshd {
    pid_t pid = -1;
    int port = 0;
    QString log; // sshd's own output (-e)

    Sshd() = default;
    Sshd(const Sshd &) = delete;
    Sshd &operator=(const Sshd &) = delete;
    ~Sshd() { stop(); } // also when a check failed half-way

    // Writes `dir`/`name`.conf, starts sshd and waits (at most 10 s) until it listens.
    // Without `sftp` the server has no SFTP subsystem. Safe from any thread.
    bool start(const QString &dir, int port, bool sftp = true,
               const QString &name = QStringLiteral("sshd"));
    // SIGTERM, then SIGKILL after 5 s; reaps it.
    void stop();
};

} // namespace bw::test
