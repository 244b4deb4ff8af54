#pragma once

// Small helpers the integration tests share: files, ports, the VM fixture scripts, and
// helper programs run to completion.

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace bw::test {

// A loopback port nobody listens on (right now); 0 when none could be found.
int freePort();

// A file's content; empty when it cannot be read.
QByteArray readBytes(const QString &path);
QString readText(const QString &path);

// The source tree (BW_SOURCE_DIR from CTest), and a script of tests/support/vm/.
QString sourceDir();
QString vmScript(const char *name);

// Runs a helper program to completion (at most `timeoutMs`); false with `error` saying
// what it printed and how it ended when it did not exit 0.
bool tool(const QString &program, const QStringList &args, QByteArray &out, QString &error,
          int timeoutMs = 120'000);

// SSH fixtures: an ed25519 key pair `dir`/NAME (and NAME.pub) for each of `names`, and
// `dir`/authorized_keys allowing id_ed25519 (which `names` must include). False with
// `error` when one could not be made.
bool makeSshKeys(const QString &dir, const QStringList &names, QString &error);
// "ssh-ed25519 AAAA…" from `dir`/hostkey.pub, and a known_hosts line trusting it for
// 127.0.0.1:`port`.
QString hostKeyOf(const QString &dir);
QByteArray knownHostsLine(const QString &dir, int port);

} // namespace bw::test
