// The pipeline's remote stages through the real binary (`bisect-workbench run`):
//
// - SSH against a private OpenSSH server on 127.0.0.1 (started and stopped by this test,
//   by PID): [wait] kind "ssh", [test] kinds "remote-command" and "transfer", [deploy]
//   kind "ssh-install", an unknown host key, a remote command that hangs. It is the same
//   machine, so the build stage leaves files that the remote side reads.
// - A real guest: a hand-started libvirtd (tests/support/vm/libvirtd-fixture.sh), QEMU
//   with TCG booting Debian's kernel (tests/support/vm/guest-kernel.sh) with an initramfs
//   that each commit's build stage packs (tests/support/vm/make-initramfs.sh) around the
//   commit's `stress.sh`, reached over slirp's port forward and dropbear.
//
// Nothing is skipped when a component is missing: these are the components the remote
// stages exist for, so the test fails and says which one.

#include "services/pipeline/SessionDirectory.h"
#include "tests/support/SessionProbe.h"
#include "tests/support/Sshd.h"
#include "tests/support/TestRepo.h"
#include "tests/support/TestTools.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using bw::test::culpritIn;
using bw::test::journal;
using bw::test::markLines;
using bw::test::RunResult;
using bw::test::Sshd;
using bw::test::TestRepo;

using bw::test::freePort;
using bw::test::readBytes;
using bw::test::readText;
using bw::test::sourceDir;
using bw::test::tool;
using bw::test::vmScript;

namespace {

constexpr int RunTimeoutMs = 180'000;   // one `run` over the local sshd
constexpr int VmRunTimeoutMs = 600'000; // one `run` booting TCG guests

struct OurRun {
    int exitCode = -1;
    QString out, err;
    QString culprit;
    QStringList marks;
    qint64 ms = 0;
    QString all() const { return out + QStringLiteral("\n--- stderr ---\n") + err; }
};

OurRun runBisect(const TestRepo &repo, const QString &recipe, const QString &good,
                 const QString &bad, const QString &session, int timeoutMs = RunTimeoutMs) {
    OurRun o;
    QElapsedTimer t;
    t.start();
    const RunResult r = bw::test::run(TestRepo::workbenchBinary(),
                                      {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                                       QStringLiteral("--good"), good, QStringLiteral("--bad"), bad,
                                       QStringLiteral("--session"), session},
                                      repo.path(), repo.env(), {}, timeoutMs);
    o.ms = t.elapsed();
    o.exitCode = r.exitCode;
    o.out = QString::fromUtf8(r.out);
    o.err = QString::fromUtf8(r.err);
    o.culprit = culpritIn(o.out);
    o.marks = markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
    return o;
}

// The stage `name` of a step record (JSON), or an empty object.
QJsonObject stageOf(const QJsonObject &step, const QString &name) {
    for (const QJsonValue &v : step.value(u"stages").toArray())
        if (v.toObject().value(u"stage").toString() == name)
            return v.toObject();
    return {};
}

QString describe(const QList<QJsonObject> &steps) {
    QStringList lines;
    for (const QJsonObject &s : steps)
        lines << QString::fromUtf8(QJsonDocument(s).toJson(QJsonDocument::Compact));
    return lines.join(u'\n');
}

QString stepLog(const QJsonObject &step, const char *name) {
    return readText(step.value(u"log_dir").toString() + u'/' + QLatin1String(name));
}

bool waitFor(const std::function<bool()> &condition, int timeoutMs) {
    return QTest::qWaitFor(condition, timeoutMs);
}

bool processGone(qint64 pid) {
    if (::kill(static_cast<pid_t>(pid), 0) != 0)
        return true;
    const QString stat = readText(QStringLiteral("/proc/%1/stat").arg(pid));
    return stat.section(u')', 1).trimmed().startsWith(u'Z');
}

// Commits c0 … c{n-1}; from c{culprit} on, `state` says "bug" (else "ok") and
// kernel.img is a different "kernel". Returns the commit ids in order.
QStringList makeHistory(TestRepo &repo, int n, int culprit) {
    QStringList ids;
    for (int i = 0; i < n; ++i) {
        const bool bug = i >= culprit;
        repo.writeFile(QStringLiteral("state"), bug ? "bug\n" : "ok\n");
        repo.writeFile(QStringLiteral("kernel.img"),
                       QStringLiteral("kernel of c%1 (%2)\n")
                           .arg(i)
                           .arg(bug ? QStringLiteral("bug") : QStringLiteral("ok"))
                           .toUtf8());
        repo.git({QStringLiteral("add"), QStringLiteral("-A")});
        ids << repo.commit(QStringLiteral("c%1").arg(i));
    }
    return ids;
}

// The virsh names of the domains libvirt knows (running or defined).
QStringList virshDomains() {
    QByteArray out;
    QString error;
    if (!tool(QStringLiteral("virsh"),
              {QStringLiteral("-c"), QStringLiteral("qemu:///system"), QStringLiteral("list"),
               QStringLiteral("--all"), QStringLiteral("--name")},
              out, error, 30'000))
        return {QStringLiteral("<virsh failed: %1>").arg(error)};
    QStringList names;
    for (const QByteArray &l : out.split('\n'))
        if (!l.trimmed().isEmpty())
            names << QString::fromUtf8(l.trimmed());
    return names;
}

// TCG, direct kernel boot, serial console, slirp's forward of a loopback port to the
// guest's port 22 through QEMU's own arguments (REAL-COMPONENTS.md 4: libvirt 9.0 ignores
// <portForward> with slirp). ${domain}, ${kernel}, ${initrd}, ${cmdline} come from the
// recipe's [deploy]; SSHPORT is put in by the test.
const char *GuestTemplate =
    R"(<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>${domain}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${kernel}</kernel>
    <initrd>${initrd}</initrd>
    <cmdline>${cmdline}</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='maximum'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-netdev'/>
    <qemu:arg value='user,id=n0,hostfwd=tcp:127.0.0.1:SSHPORT-:22'/>
    <qemu:arg value='-device'/>
    <qemu:arg value='e1000,netdev=n0'/>
  </qemu:commandline>
</domain>
)";

} // namespace

class TestRemotePipeline : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;
    QString d;        // m_scratch.path()
    QString m_remote; // what "the remote machine" reads and writes (same machine)
    Sshd m_sshd;
    QElapsedTimer m_total;

    // VM parts, set up by the first VM test
    bool m_vmReady = false;
    bool m_fixtureStarted = false;
    QString m_kernel, m_e1000, m_guestKeys, m_guestKnownHosts, m_template;
    int m_guestPort = 0;
    QString m_domain = QStringLiteral("bw-e2e-%1").arg(QCoreApplication::applicationPid());

    // The [wait] table for the local sshd.
    QString sshWait(const QString &knownHosts = {}) const {
        return QStringLiteral("[wait]\nkind = \"ssh\"\nhost = \"127.0.0.1\"\nport = %1\n"
                              "user = \"root\"\nidentity = \"%2/id_ed25519\"\n"
                              "known_hosts = \"%3\"\ntimeout = \"20s\"\n")
            .arg(m_sshd.port)
            .arg(d, knownHosts.isEmpty() ? d + QStringLiteral("/known_hosts") : knownHosts);
    }

    QString writeRecipe(const QString &name, const QString &text) {
        const QString path = d + u'/' + name + QStringLiteral(".toml");
        return bw::test::writeFile(path, text.toUtf8()) ? path : QString();
    }

    // Once: the guest kernel, keys for the guest's dropbear, the domain template, libvirtd.
    bool prepareVm(QString &why) {
        if (m_vmReady)
            return true;
        QByteArray out;
        QElapsedTimer t;
        t.start();
        if (!tool(QStringLiteral("bash"), {vmScript("guest-kernel.sh")}, out, why, 600'000)) {
            why = QStringLiteral("cannot get Debian's guest kernel: ") + why;
            return false;
        }
        m_kernel = QString::fromUtf8(out.trimmed().split('\n').last());
        m_e1000 = QFileInfo(m_kernel).absolutePath() + QStringLiteral("/modules/e1000.ko");
        if (!QFile::exists(m_kernel) || !QFile::exists(m_e1000)) {
            why = QStringLiteral("guest-kernel.sh gave %1 but %1 or %2 is missing")
                      .arg(m_kernel, m_e1000);
            return false;
        }
        qInfo() << "guest kernel" << m_kernel << "in" << t.elapsed() << "ms";

        m_guestKeys = d + QStringLiteral("/guest-keys");
        QDir().mkpath(m_guestKeys);
        if (!tool(QStringLiteral("dropbearkey"),
                  {QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-f"),
                   m_guestKeys + QStringLiteral("/hostkey")},
                  out, why))
            return false;
        if (!tool(QStringLiteral("dropbearkey"),
                  {QStringLiteral("-y"), QStringLiteral("-f"),
                   m_guestKeys + QStringLiteral("/hostkey")},
                  out, why))
            return false;
        QString hostKeyLine;
        for (const QByteArray &l : out.split('\n'))
            if (l.startsWith("ssh-"))
                hostKeyLine = QString::fromUtf8(l).section(u' ', 0, 1);
        if (hostKeyLine.isEmpty()) {
            why = QStringLiteral("dropbearkey -y printed no public key: ") + QString::fromUtf8(out);
            return false;
        }
        if (!QFile::copy(d + QStringLiteral("/id_ed25519.pub"),
                         m_guestKeys + QStringLiteral("/authorized_keys"))) {
            why = QStringLiteral("cannot copy the user key");
            return false;
        }
        // A fixed port for every step: [wait] port is a number (no ${port}), and the
        // known_hosts entry names it.
        m_guestPort = freePort();
        m_guestKnownHosts = m_guestKeys + QStringLiteral("/known_hosts");
        bw::test::writeFile(
            m_guestKnownHosts,
            QStringLiteral("[127.0.0.1]:%1 %2\n").arg(m_guestPort).arg(hostKeyLine).toUtf8());
        m_template = d + QStringLiteral("/guest.xml");
        bw::test::writeFile(m_template,
                            QString::fromLatin1(GuestTemplate)
                                .replace(QStringLiteral("SSHPORT"), QString::number(m_guestPort))
                                .toUtf8());

        t.restart();
        const QString owner = QString::number(QCoreApplication::applicationPid());
        if (!tool(QStringLiteral("bash"),
                  {vmScript("libvirtd-fixture.sh"), QStringLiteral("start"), owner}, out, why,
                  150'000)) {
            why = QStringLiteral("cannot start libvirtd: ") + why;
            return false;
        }
        m_fixtureStarted = true;
        qInfo().noquote() << "libvirtd fixture in" << t.elapsed()
                          << "ms:" << QString::fromUtf8(out).simplified();
        m_vmReady = true;
        return true;
    }

    // A build script: packs the worktree's stress.sh (as /stress.sh) into an initramfs at
    // $1, with dropbear (ssh = true) or without any network (the guest never answers).
    QString writeGuestBuild(const QString &name, bool ssh) {
        QString text =
            QStringLiteral("#!/bin/sh\nset -eu\nOUT=$1\n"
                           "PAYLOAD=$(base64 -w0 stress.sh)\n"
                           "exec bash '%1' \"$OUT\" --marker BW-GUEST-READY --then %2 \\\n"
                           "  --command \"echo $PAYLOAD | base64 -d >/stress.sh; chmod 755 "
                           "/stress.sh\"")
                .arg(vmScript("make-initramfs.sh"),
                     ssh ? QStringLiteral("hang") : QStringLiteral("tick"));
        if (ssh)
            text += QStringLiteral(" \\\n  --dropbear '%1' '%2'").arg(m_guestKeys, m_e1000);
        text += u'\n';
        const QString path = d + u'/' + name;
        if (!bw::test::writeFile(path, text.toUtf8()))
            return {};
        return path;
    }

    // A guest booted with `build`'s initramfs, waited for on its console (a BW-TICK line),
    // then `testCommand` (a TOML array) run here.
    QString consoleRecipe(const QString &build, const QString &testCommand) const {
        return QStringLiteral("[build]\nkind = \"command\"\n"
                              "command = [\"sh\", \"%1\", \"${session}/initrd-${short}.img\"]\n"
                              "[deploy]\nkind = \"libvirt-kernel\"\nuri = \"qemu:///system\"\n"
                              "xml = \"%2\"\ndomain = \"%3\"\nkernel = \"%4\"\n"
                              "initrd = \"${session}/initrd-${short}.img\"\n"
                              "cmdline = \"console=ttyS0 panic=-1\"\ntimeout = \"2m\"\n"
                              "[wait]\nkind = \"console\"\npattern = \"BW-TICK [0-9]+\"\n"
                              "timeout = \"3m\"\n"
                              "[test]\nkind = \"command\"\ncommand = %5\n")
            .arg(build, m_template, m_domain, m_kernel, testCommand);
    }

    QString guestRecipe(const QString &build, const QString &waitTimeout) const {
        return QStringLiteral("[build]\nkind = \"command\"\n"
                              "command = [\"sh\", \"%1\", \"${session}/initrd-${short}.img\"]\n"
                              "timeout = \"2m\"\n"
                              "[deploy]\nkind = \"libvirt-kernel\"\nuri = \"qemu:///system\"\n"
                              "xml = \"%2\"\ndomain = \"%3\"\nkernel = \"%4\"\n"
                              "initrd = \"${session}/initrd-${short}.img\"\n"
                              "cmdline = \"console=ttyS0 panic=-1\"\ntimeout = \"2m\"\n"
                              "[wait]\nkind = \"ssh\"\nhost = \"127.0.0.1\"\nport = %5\n"
                              "user = \"root\"\nidentity = \"%6/id_ed25519\"\n"
                              "known_hosts = \"%7\"\ntimeout = \"%8\"\n"
                              "[test]\nkind = \"remote-command\"\ncommand = \"sh /stress.sh\"\n"
                              "timeout = \"20s\"\n")
            .arg(build, m_template, m_domain, m_kernel)
            .arg(m_guestPort)
            .arg(d, m_guestKnownHosts, waitTimeout);
    }

private slots:
    void initTestCase() {
        m_total.start();
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
        QVERIFY2(!sourceDir().isEmpty(), "BW_SOURCE_DIR not set");
        QVERIFY(m_scratch.isValid());
        d = m_scratch.path();
        // BW_KEEP_SCRATCH=1 keeps the sessions, logs and keys for a look afterwards.
        if (qEnvironmentVariableIsSet("BW_KEEP_SCRATCH")) {
            m_scratch.setAutoRemove(false);
            qInfo().noquote() << "scratch kept in" << d;
        }
        m_remote = d + QStringLiteral("/remote");
        QVERIFY(QDir().mkpath(m_remote));
        QString error;
        QVERIFY2(bw::test::makeSshKeys(d, {QStringLiteral("hostkey"), QStringLiteral("id_ed25519")},
                                       error),
                 qPrintable(error));
        QVERIFY2(m_sshd.start(d, freePort()), qPrintable(readText(m_sshd.log)));
        QVERIFY(bw::test::hostKeyOf(d).startsWith(QStringLiteral("ssh-ed25519 ")));
        QVERIFY(bw::test::writeFile(d + QStringLiteral("/known_hosts"),
                                    bw::test::knownHostsLine(d, m_sshd.port)));
    }

    void cleanupTestCase() {
        m_sshd.stop();
        if (m_fixtureStarted) {
            QByteArray out;
            QString error;
            const QString owner = QString::number(QCoreApplication::applicationPid());
            if (!tool(QStringLiteral("bash"),
                      {vmScript("libvirtd-fixture.sh"), QStringLiteral("stop"), owner}, out, error,
                      60'000))
                qWarning().noquote() << error;
        }
        qInfo() << "tst_remote_pipeline total" << m_total.elapsed() << "ms";
    }

    // [wait] ssh + [test] remote-command: the remote side reads what the build stage left
    // (same machine); the bisect finds the planted commit and test.log has the remote
    // output.
    void remoteCommandFindsCulprit() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 16, 9);
        const QString dir = m_remote + QStringLiteral("/rc");
        const QString recipe = writeRecipe(
            QStringLiteral("rc"),
            QStringLiteral("[build]\nkind = \"command\"\n"
                           "command = 'mkdir -p %1 && cp state %1/state-${short}'\n")
                    .arg(dir) +
                sshWait() +
                QStringLiteral("[test]\nkind = \"remote-command\"\n"
                               "command = 'echo \"remote sees: $(cat %1/state-${short})\"; "
                               "test \"$(cat %1/state-${short})\" = ok'\n"
                               "timeout = \"30s\"\n")
                    .arg(dir));
        QVERIFY(!recipe.isEmpty());
        const QString session = d + QStringLiteral("/s-rc");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session);
        qInfo() << "remote-command bisect of 16 commits in" << o.ms << "ms";
        QVERIFY2(o.exitCode == 0, qPrintable(o.all()));
        QCOMPARE(o.culprit, ids.at(9));
        QVERIFY(!o.marks.isEmpty());

        const QList<QJsonObject> steps = journal(session);
        QVERIFY2(steps.size() >= 3, qPrintable(describe(steps)));
        int sawOk = 0, sawBug = 0;
        for (const QJsonObject &s : steps) {
            const int index = ids.indexOf(s.value(u"commit").toString());
            QVERIFY(index > 0);
            const bool bug = index >= 9;
            QCOMPARE(stageOf(s, QStringLiteral("wait")).value(u"outcome").toString(),
                     QStringLiteral("passed"));
            QCOMPARE(s.value(u"verdict").toString(),
                     bug ? QStringLiteral("bad") : QStringLiteral("good"));
            const QString log = stepLog(s, "test.log");
            QVERIFY2(log.contains(bug ? QStringLiteral("remote sees: bug")
                                      : QStringLiteral("remote sees: ok")),
                     qPrintable(log));
            (bug ? sawBug : sawOk)++;
        }
        QVERIFY(sawOk > 0 && sawBug > 0);
    }

    // [test] transfer, 3 iterations: every commit passes, and every step's record carries
    // throughput_mbps_1..3, in the store and in the JSON report.
    void transferRecordsThroughput() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 5, 99);
        QByteArray payload(256 * 1024, '\0');
        for (char &c : payload)
            c = char(QRandomGenerator::global()->bounded(256));
        const QString file = d + QStringLiteral("/payload.bin");
        QVERIFY(bw::test::writeFile(file, payload));
        const QString destination = m_remote + QStringLiteral("/uploaded.bin");
        const QString recipe =
            writeRecipe(QStringLiteral("transfer"),
                        QStringLiteral("[build]\nkind = \"none\"\n") + sshWait() +
                            QStringLiteral("[test]\nkind = \"transfer\"\nfile = \"%1\"\n"
                                           "destination = \"%2\"\nrepeat = 3\ntimeout = \"20s\"\n")
                                .arg(file, destination));
        QVERIFY(!recipe.isEmpty());
        const QString session = d + QStringLiteral("/s-transfer");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session);
        qInfo() << "transfer bisect in" << o.ms << "ms";
        QVERIFY2(o.exitCode == 0, qPrintable(o.all()));
        QCOMPARE(o.culprit, ids.last()); // every tested commit was good
        QCOMPARE(readBytes(destination), payload);

        const QList<QJsonObject> steps = journal(session);
        QVERIFY2(steps.size() >= 2, qPrintable(describe(steps)));
        for (const QJsonObject &s : steps) {
            QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("good"));
            const QJsonObject test = stageOf(s, QStringLiteral("test"));
            QCOMPARE(test.value(u"iterations").toInt(), 3);
            const QJsonObject facts = test.value(u"facts").toObject();
            for (int i = 1; i <= 3; ++i) {
                const QString key = QStringLiteral("throughput_mbps_%1").arg(i);
                bool ok = false;
                const double mbps = facts.value(key).toString().toDouble(&ok);
                QVERIFY2(ok && mbps > 0, qPrintable(describe({s})));
            }
            QVERIFY(!facts.contains(QStringLiteral("throughput_mbps_4")));
            QVERIFY2(stepLog(s, "test.log").contains(QStringLiteral("iteration 3/3")),
                     qPrintable(stepLog(s, "test.log")));
        }

        // The JSON report says the same.
        const QString report = d + QStringLiteral("/transfer-report.json");
        const RunResult r =
            bw::test::run(TestRepo::workbenchBinary(),
                          {QStringLiteral("report"), session, QStringLiteral("--format"),
                           QStringLiteral("json"), QStringLiteral("--output"), report},
                          repo.path(), repo.env());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject doc = QJsonDocument::fromJson(readBytes(report)).object();
        const QJsonArray reported = doc.value(u"steps").toArray();
        QCOMPARE(reported.size(), steps.size());
        for (const QJsonValue &v : reported) {
            const QJsonObject facts =
                stageOf(v.toObject(), QStringLiteral("test")).value(u"facts").toObject();
            for (int i = 1; i <= 3; ++i)
                QVERIFY2(facts.contains(QStringLiteral("throughput_mbps_%1").arg(i)),
                         qPrintable(QString::fromUtf8(QJsonDocument(v.toObject()).toJson())));
        }
    }

    // An empty known_hosts: the host key is unknown. That is an infrastructure problem,
    // never evidence about the commit: retried, then the session pauses; nothing marked.
    void unknownHostKeyPausesWithoutMark() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 8, 5);
        const QString empty = d + QStringLiteral("/empty_known_hosts");
        QVERIFY(bw::test::writeFile(empty, {}));
        const QString recipe = writeRecipe(
            QStringLiteral("unknown-key"),
            QStringLiteral("[build]\nkind = \"none\"\n") + sshWait(empty) +
                QStringLiteral("[test]\nkind = \"remote-command\"\ncommand = \"true\"\n"));
        const QString session = d + QStringLiteral("/s-unknown");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session);
        qInfo() << "unknown host key: paused in" << o.ms << "ms";
        qInfo().noquote() << o.err.trimmed();
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QStringLiteral("paused")), qPrintable(o.all()));
        QVERIFY2(o.err.contains(QStringLiteral("host key")) &&
                     o.err.contains(QStringLiteral("not known")),
                 qPrintable(o.all()));
        QVERIFY(o.culprit.isEmpty());
        QVERIFY2(o.marks.isEmpty(), qPrintable(o.marks.join(u'\n')));

        // No retry can make an unknown key known: one try, then the pause for a human.
        const QList<QJsonObject> steps = journal(session);
        QVERIFY2(steps.size() == 1, qPrintable(describe(steps)));
        for (const QJsonObject &s : steps) {
            QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("ask"));
            const QJsonObject wait = stageOf(s, QStringLiteral("wait"));
            QCOMPARE(wait.value(u"outcome").toString(), QStringLiteral("error"));
            QVERIFY2(wait.value(u"message").toString().contains(QStringLiteral("not known")),
                     qPrintable(describe({s})));
            QVERIFY(stageOf(s, QStringLiteral("test")).isEmpty()); // never ran
        }
    }

    // A remote command that hangs on bad commits: the per-iteration timeout ends it, the
    // default rule makes that "bad", and the remote process does not outlive the step.
    void hangingRemoteCommandIsBadByTimeout() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 16, 9);
        const QString dir = m_remote + QStringLiteral("/hang");
        const QString recipe =
            writeRecipe(QStringLiteral("hang"),
                        QStringLiteral("[build]\nkind = \"command\"\n"
                                       "command = 'mkdir -p %1 && cp state %1/state-${short}'\n")
                                .arg(dir) +
                            sshWait() +
                            QStringLiteral("[test]\nkind = \"remote-command\"\n"
                                           "command = 'if grep -q bug %1/state-${short}; then "
                                           "echo hanging; sh -c \"echo \\$\\$ >%1/pid-${short}; "
                                           "exec sleep 60\"; fi; echo fine'\n"
                                           "timeout = \"1s\"\n")
                                .arg(dir));
        QVERIFY(!recipe.isEmpty());
        const QString session = d + QStringLiteral("/s-hang");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session);
        qInfo() << "hanging remote command bisect in" << o.ms << "ms";
        QVERIFY2(o.exitCode == 0, qPrintable(o.all()));
        QCOMPARE(o.culprit, ids.at(9));
        QVERIFY2(o.ms < 50'000, "a timed-out step waited for the remote command");

        const QList<QJsonObject> steps = journal(session);
        int timedOut = 0;
        for (const QJsonObject &s : steps) {
            const int index = ids.indexOf(s.value(u"commit").toString());
            QVERIFY(index > 0);
            const QJsonObject test = stageOf(s, QStringLiteral("test"));
            if (index < 9) {
                QCOMPARE(test.value(u"outcome").toString(), QStringLiteral("passed"));
                continue;
            }
            ++timedOut;
            QVERIFY2(test.value(u"outcome").toString() == QStringLiteral("timeout"),
                     qPrintable(describe({s})));
            QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("bad"));
            QVERIFY(test.value(u"duration_ms").toDouble() < 10'000);
            QVERIFY(stepLog(s, "test.log").contains(QStringLiteral("hanging")));
            // the remote `sleep 60` was killed with the channel
            const QString pidFile =
                dir + QStringLiteral("/pid-") + s.value(u"commit").toString().left(12);
            const qint64 pid = readText(pidFile).trimmed().toLongLong();
            QVERIFY2(pid > 0, qPrintable(pidFile));
            QVERIFY2(waitFor([pid] { return processGone(pid); }, 10'000),
                     qPrintable(QStringLiteral("remote sleep %1 still running").arg(pid)));
        }
        QVERIFY(timedOut > 0);
    }

    // [wait] identity and known_hosts relative to the recipe's folder (RECIPE.md: "Paths
    // are relative to the recipe file's folder unless absolute"), not to where the
    // binary runs (the repository here).
    void relativeKeyPathsFollowTheRecipe() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 8, 5);
        const QString folder = d + QStringLiteral("/relative");
        QVERIFY(QDir().mkpath(folder + QStringLiteral("/keys")));
        for (const char *f : {"id_ed25519", "known_hosts"})
            QVERIFY(QFile::copy(d + u'/' + QLatin1String(f),
                                folder + QStringLiteral("/keys/") + QLatin1String(f)));
        const QString dir = m_remote + QStringLiteral("/relative");
        const QString recipe = folder + QStringLiteral("/recipe.toml");
        QVERIFY(bw::test::writeFile(
            recipe,
            QStringLiteral("[build]\nkind = \"command\"\n"
                           "command = 'mkdir -p %1 && cp state %1/state-${short}'\n"
                           "[wait]\nkind = \"ssh\"\nport = %2\nidentity = \"keys/id_ed25519\"\n"
                           "known_hosts = \"keys/known_hosts\"\ntimeout = \"20s\"\n"
                           "[test]\nkind = \"remote-command\"\n"
                           "command = 'test \"$(cat %1/state-${short})\" = ok'\n")
                .arg(dir)
                .arg(m_sshd.port)
                .toUtf8()));
        const QString session = d + QStringLiteral("/s-relative");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session);
        QVERIFY2(o.exitCode == 0, qPrintable(o.all() + u'\n' + describe(journal(session))));
        QCOMPARE(o.culprit, ids.at(5));
    }

    // expect_version: `uname -r` on the target against ${version} (`make -s kernelversion`
    // in the worktree). A commit whose "kernel" did not come up is skipped, not judged.
    void expectVersionSkipsOnMismatch() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        QByteArray out;
        QString error;
        QVERIFY2(tool(QStringLiteral("uname"), {QStringLiteral("-r")}, out, error),
                 qPrintable(error));
        const QString release = QString::fromUtf8(out).trimmed();
        QStringList ids;
        const int mismatch = 3; // the first commit the bisect tests (8 linear commits)
        for (int i = 0; i < 8; ++i) {
            repo.writeFile(QStringLiteral("state"), i >= 5 ? "bug\n" : "ok\n");
            repo.writeFile(QStringLiteral("Makefile"), i == mismatch
                                                           ? "kernelversion:\n\t@echo 9.9.9-other\n"
                                                           : "kernelversion:\n\t@uname -r\n");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            ids << repo.commit(QStringLiteral("c%1").arg(i));
        }
        const QString dir = m_remote + QStringLiteral("/version");
        const QString recipe =
            writeRecipe(QStringLiteral("version"),
                        QStringLiteral("[build]\nkind = \"command\"\n"
                                       "command = 'mkdir -p %1 && cp state %1/state-${short}'\n")
                                .arg(dir) +
                            sshWait() + QStringLiteral("expect_version = true\n") +
                            QStringLiteral("[test]\nkind = \"remote-command\"\n"
                                           "command = 'test \"$(cat %1/state-${short})\" = ok'\n")
                                .arg(dir));
        const QString session = d + QStringLiteral("/s-version");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session);
        const QList<QJsonObject> steps = journal(session);
        QVERIFY2(o.exitCode == 0, qPrintable(o.all() + u'\n' + describe(steps)));
        QCOMPARE(o.culprit, ids.at(5));
        int mismatches = 0;
        for (const QJsonObject &s : steps) {
            const int index = ids.indexOf(s.value(u"commit").toString());
            QVERIFY(index > 0);
            const QJsonObject wait = stageOf(s, QStringLiteral("wait"));
            QCOMPARE(wait.value(u"facts").toObject().value(u"kernel_release").toString(), release);
            if (index == mismatch) {
                ++mismatches;
                QCOMPARE(wait.value(u"outcome").toString(), QStringLiteral("failed"));
                QVERIFY2(wait.value(u"message")
                             .toString()
                             .contains(QStringLiteral("expected 9.9.9-other")),
                         qPrintable(describe({s})));
                QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("skip"));
            } else {
                QCOMPARE(wait.value(u"outcome").toString(), QStringLiteral("passed"));
                QCOMPARE(s.value(u"verdict").toString(),
                         index >= 5 ? QStringLiteral("bad") : QStringLiteral("good"));
            }
        }
        QCOMPARE(mismatches, 1);
    }

    // [deploy] ssh-install against the local sshd: the worktree's kernel file is copied
    // over, and the install command (here: a copy into a scratch dir, no reboot) sees it
    // as $BW_REMOTE_KERNEL. The test then checks the installed "kernel".
    void sshInstallCopiesKernel() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 12, 7);
        const QString dir = m_remote + QStringLiteral("/installed");
        const QString recipe = writeRecipe(
            QStringLiteral("install"),
            QStringLiteral("[build]\nkind = \"none\"\n"
                           "[deploy]\nkind = \"ssh-install\"\nkernel = \"${worktree}/kernel.img\"\n"
                           "command = 'mkdir -p %1 && cp \"$BW_REMOTE_KERNEL\" %1/kernel-${short} "
                           "&& echo installed $BW_REMOTE_KERNEL'\ntimeout = \"30s\"\n")
                    .arg(dir) +
                sshWait() +
                QStringLiteral("[test]\nkind = \"remote-command\"\n"
                               "command = 'grep -q \"(ok)\" %1/kernel-${short}'\n"
                               "timeout = \"30s\"\n")
                    .arg(dir));
        const QString session = d + QStringLiteral("/s-install");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session);
        qInfo() << "ssh-install bisect in" << o.ms << "ms";
        QVERIFY2(o.exitCode == 0, qPrintable(o.all()));
        QCOMPARE(o.culprit, ids.at(7));

        const QList<QJsonObject> steps = journal(session);
        QVERIFY(!steps.isEmpty());
        // What the deploy left in the target's /tmp: noted, then removed before any check.
        QStringList uploaded;
        for (const QJsonObject &s : steps) {
            const QString remoteKernel = QStringLiteral("/tmp/bisect-workbench-kernel-") +
                                         s.value(u"commit").toString().left(12);
            if (QFile::remove(remoteKernel))
                uploaded << remoteKernel;
        }
        for (const QJsonObject &s : steps) {
            const QString sha = s.value(u"commit").toString();
            const int index = ids.indexOf(sha);
            QVERIFY(index > 0);
            QCOMPARE(stageOf(s, QStringLiteral("deploy")).value(u"outcome").toString(),
                     QStringLiteral("passed"));
            const QByteArray installed = readBytes(dir + QStringLiteral("/kernel-") + sha.left(12));
            const QByteArray expected =
                repo.gitOut({QStringLiteral("show"), sha + QStringLiteral(":kernel.img")})
                    .toUtf8() +
                '\n';
            QCOMPARE(installed, expected);
            // the command ran remotely and its output is in the step's logs
            const QString remoteKernel =
                QStringLiteral("/tmp/bisect-workbench-kernel-") + sha.left(12);
            QVERIFY2(stepLog(s, "build.log").contains(QStringLiteral("installed ") + remoteKernel),
                     qPrintable(stepLog(s, "build.log")));
            QVERIFY2(uploaded.contains(remoteKernel), qPrintable(uploaded.join(u' ')));
        }
    }

    // The headline: every commit's build packs its stress.sh into an initramfs, the deploy
    // boots it under libvirt (TCG), the wait reaches its dropbear over the forwarded
    // port, the test runs stress.sh there; the bisect finds the planted commit.
    void vmBisectFindsCulprit() {
        QString why;
        QVERIFY2(prepareVm(why), qPrintable(why));
        TestRepo repo;
        QVERIFY(repo.isValid());
        QStringList ids;
        const int culprit = 5;
        for (int i = 0; i < 8; ++i) {
            // good: passes; the culprit: hangs (the test's timeout decides); later: fails
            const QString body =
                i < culprit    ? QStringLiteral("echo \"stress v%1: all good on $(uname -r)\"\n")
                : i == culprit ? QStringLiteral("echo \"stress v%1: stuck\"\nsleep 100\n")
                               : QStringLiteral("echo \"stress v%1: regression\"\nexit 1\n");
            repo.writeFile(QStringLiteral("stress.sh"), body.arg(i).toUtf8());
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            ids << repo.commit(QStringLiteral("v%1").arg(i));
        }
        const QString build = writeGuestBuild(QStringLiteral("build-guest.sh"), true);
        const QString recipe =
            writeRecipe(QStringLiteral("vm"), guestRecipe(build, QStringLiteral("3m")));
        QVERIFY(!build.isEmpty() && !recipe.isEmpty());
        const QString session = d + QStringLiteral("/s-vm");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session, VmRunTimeoutMs);
        const QList<QJsonObject> steps = journal(session);
        qInfo() << "VM bisect of 8 commits:" << steps.size() << "steps in" << o.ms << "ms";
        for (const QJsonObject &s : steps)
            qInfo().noquote() << "  step" << s.value(u"number").toInt()
                              << s.value(u"verdict").toString() << "in"
                              << (s.value(u"finished_ms").toDouble() -
                                  s.value(u"started_ms").toDouble())
                              << "ms; wait:"
                              << stageOf(s, QStringLiteral("wait")).value(u"message").toString();
        QVERIFY2(o.exitCode == 0, qPrintable(o.all() + u'\n' + describe(steps)));
        QCOMPARE(o.culprit, ids.at(culprit));
        QVERIFY(!steps.isEmpty());
        for (const QJsonObject &s : steps) {
            const int index = ids.indexOf(s.value(u"commit").toString());
            QVERIFY(index > 0);
            QCOMPARE(s.value(u"verdict").toString(),
                     index >= culprit ? QStringLiteral("bad") : QStringLiteral("good"));
            const QString outcome = stageOf(s, QStringLiteral("test")).value(u"outcome").toString();
            QCOMPARE(outcome, index < culprit    ? QStringLiteral("passed")
                              : index == culprit ? QStringLiteral("timeout")
                                                 : QStringLiteral("failed"));
            const QString console = stepLog(s, "console.log");
            QVERIFY2(console.contains(QStringLiteral("Linux version")),
                     qPrintable(console.left(2000)));
            QVERIFY2(console.contains(QStringLiteral("BW-GUEST-READY")),
                     qPrintable(console.right(2000)));
            const QString test = stepLog(s, "test.log");
            QVERIFY2(test.contains(QStringLiteral("stress v%1: ").arg(index)), qPrintable(test));
            QVERIFY(!stageOf(s, QStringLiteral("wait"))
                         .value(u"facts")
                         .toObject()
                         .value(u"kernel_release")
                         .toString()
                         .isEmpty());
        }
        // Every guest was destroyed with its step.
        QVERIFY2(waitFor([this] { return !virshDomains().contains(m_domain); }, 20'000),
                 qPrintable(virshDomains().join(u' ')));
    }

    // The seed's stress test in miniature, in a guest: upload a file N times over SSH
    // (dropbear has no SFTP: the `cat` fallback), each iteration within a timeout, the
    // throughput of each recorded.
    void vmUploadStressTest() {
        QString why;
        QVERIFY2(prepareVm(why), qPrintable(why));
        TestRepo repo;
        QVERIFY(repo.isValid());
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            repo.writeFile(QStringLiteral("stress.sh"), QByteArray::number(i) + "\n");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            ids << repo.commit(QStringLiteral("u%1").arg(i));
        }
        QByteArray payload(2 * 1024 * 1024, '\0');
        for (int i = 0; i < payload.size(); ++i)
            payload[i] = static_cast<char>((i * 7919) & 0xff);
        const QString file = d + QStringLiteral("/upload.bin");
        QVERIFY(bw::test::writeFile(file, payload));
        const QString build = writeGuestBuild(QStringLiteral("build-upload.sh"), true);
        QString toml = guestRecipe(build, QStringLiteral("3m"));
        toml.replace(
            QStringLiteral("[test]\nkind = \"remote-command\"\ncommand = \"sh /stress.sh\"\n"),
            QStringLiteral("[test]\nkind = \"transfer\"\nfile = \"%1\"\n"
                           "destination = \"/dev/null\"\nrepeat = 3\n")
                .arg(file));
        QVERIFY(toml.contains(QStringLiteral("kind = \"transfer\"")));
        const QString recipe = writeRecipe(QStringLiteral("vm-upload"), toml);
        const QString session = d + QStringLiteral("/s-vm-upload");
        // u0 good, u2 bad: the one step uploads to u1's guest; it passes, so u2 is found.
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session, VmRunTimeoutMs);
        const QList<QJsonObject> steps = journal(session);
        qInfo() << "VM upload stress test:" << steps.size() << "steps in" << o.ms << "ms";
        QVERIFY2(o.exitCode == 0, qPrintable(o.all() + u'\n' + describe(steps)));
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps.first().value(u"commit").toString(), ids.at(1));
        QCOMPARE(o.culprit, ids.at(2));
        const QJsonObject test = stageOf(steps.first(), QStringLiteral("test"));
        QCOMPARE(test.value(u"outcome").toString(), QStringLiteral("passed"));
        const QJsonObject facts = test.value(u"facts").toObject();
        QCOMPARE(facts.value(u"transfer_method").toString(), QStringLiteral("exec"));
        for (int i = 1; i <= 3; ++i)
            QVERIFY2(
                facts.value(QStringLiteral("throughput_mbps_%1").arg(i)).toString().toDouble() > 0,
                qPrintable(describe(steps)));
        QVERIFY(!facts.contains(QStringLiteral("throughput_mbps_4")));
        QVERIFY2(waitFor([this] { return !virshDomains().contains(m_domain); }, 20'000),
                 qPrintable(virshDomains().join(u' ')));
    }

    // kill -9 of the workbench while a guest boots: the guest goes with it (transient,
    // autodestroy), and `run --session` resumes to the same culprit, the interrupted step
    // run again and no commit marked twice.
    void killedDuringABootResumes() {
        QString why;
        QVERIFY2(prepareVm(why), qPrintable(why));
        TestRepo repo;
        QVERIFY(repo.isValid());
        QStringList ids;
        for (int i = 0; i < 4; ++i) {
            repo.writeFile(QStringLiteral("stress.sh"), i < 2 ? "true\n" : "false\n");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            ids << repo.commit(QStringLiteral("b%1").arg(i));
        }
        const QString build = writeGuestBuild(QStringLiteral("build-boot-kill.sh"), false);
        const QString recipe =
            writeRecipe(QStringLiteral("vm-boot-kill"),
                        consoleRecipe(build, QStringLiteral("[\"sh\", \"stress.sh\"]")));
        QVERIFY(!build.isEmpty() && !recipe.isEmpty());
        const QString session = d + QStringLiteral("/s-vm-kill");
        QProcess p;
        p.setProcessEnvironment(repo.env());
        p.setWorkingDirectory(repo.path());
        p.start(TestRepo::workbenchBinary(),
                {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                 QStringLiteral("--good"), ids.first(), QStringLiteral("--bad"), ids.last(),
                 QStringLiteral("--session"), session});
        QVERIFY(p.waitForStarted());
        // The first step's guest is booting: its kernel is talking on the console.
        const QString console = session + QStringLiteral("/steps/0001/console.log");
        QVERIFY2(
            waitFor([&] { return readText(console).contains(QStringLiteral("Linux version")); },
                    VmRunTimeoutMs),
            p.readAllStandardError().constData());
        QVERIFY(virshDomains().contains(m_domain));
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        // No guest outlives the workbench.
        QVERIFY2(waitFor([this] { return !virshDomains().contains(m_domain); }, 30'000),
                 qPrintable(virshDomains().join(u' ')));
        QVERIFY(journal(session).isEmpty());

        const RunResult r =
            bw::test::run(TestRepo::workbenchBinary(),
                          {QStringLiteral("run"), QStringLiteral("--session"), session},
                          repo.path(), repo.env(), {}, VmRunTimeoutMs);
        const QString out = QString::fromUtf8(r.out);
        QVERIFY2(r.exitCode == 0, qPrintable(out + QString::fromUtf8(r.err)));
        QVERIFY(out.contains(QStringLiteral("Resuming")));
        QCOMPARE(culpritIn(out), ids.at(2));
        QStringList commits;
        for (const QJsonObject &step : journal(session))
            commits << step.value(u"commit").toString();
        QVERIFY(!commits.isEmpty());
        QCOMPARE(commits.removeDuplicates(), 0);
        QStringList marks = markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
        QCOMPARE(marks.removeDuplicates(), 0);
        QVERIFY(QFileInfo::exists(session + QStringLiteral("/steps/0001.interrupted/console.log")));
        QVERIFY2(waitFor([this] { return !virshDomains().contains(m_domain); }, 20'000),
                 qPrintable(virshDomains().join(u' ')));
    }

    // [wait] kind "console": the deployed guest's serial console, read from the first
    // byte, matched against the pattern; then a local test while the guest runs.
    void vmConsoleWaitMatchesPattern() {
        QString why;
        QVERIFY2(prepareVm(why), qPrintable(why));
        TestRepo repo;
        QVERIFY(repo.isValid());
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            repo.writeFile(QStringLiteral("stress.sh"), "true\n");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            ids << repo.commit(QStringLiteral("k%1").arg(i));
        }
        const QString build = writeGuestBuild(QStringLiteral("build-console.sh"), false);
        const QString recipe = writeRecipe(
            QStringLiteral("vm-console"),
            consoleRecipe(build,
                          QStringLiteral("[\"sh\", \"-c\", \"echo local test on ${short}\"]")));
        QVERIFY(!build.isEmpty() && !recipe.isEmpty());
        const QString session = d + QStringLiteral("/s-vm-console");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session, VmRunTimeoutMs);
        const QList<QJsonObject> steps = journal(session);
        qInfo() << "VM console wait:" << steps.size() << "steps in" << o.ms << "ms";
        QVERIFY2(o.exitCode == 0, qPrintable(o.all() + u'\n' + describe(steps)));
        QCOMPARE(o.culprit, ids.last()); // k1 was good
        QCOMPARE(steps.size(), 1);
        const QJsonObject &s = steps.first();
        QCOMPARE(s.value(u"commit").toString(), ids.at(1));
        QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("good"));
        const QJsonObject wait = stageOf(s, QStringLiteral("wait"));
        QCOMPARE(wait.value(u"outcome").toString(), QStringLiteral("passed"));
        QVERIFY2(wait.value(u"message").toString().contains(QStringLiteral("BW-TICK")),
                 qPrintable(describe({s})));
        const QString console = stepLog(s, "console.log");
        QVERIFY2(console.contains(QStringLiteral("Linux version")), qPrintable(console.left(2000)));
        QVERIFY(console.indexOf(QStringLiteral("BW-GUEST-READY")) <
                console.indexOf(QStringLiteral("BW-TICK")));
        QVERIFY2(
            stepLog(s, "test.log").contains(QStringLiteral("local test on ") + ids.at(1).left(12)),
            qPrintable(stepLog(s, "test.log")));
        QVERIFY2(waitFor([this] { return !virshDomains().contains(m_domain); }, 20'000),
                 qPrintable(virshDomains().join(u' ')));
    }

    // A guest that never brings up SSH: the wait times out, the default rule skips the
    // commit (a boot failure), and the record keeps what the console said last.
    void vmWithoutSshIsSkippedWithConsoleTail() {
        QString why;
        QVERIFY2(prepareVm(why), qPrintable(why));
        TestRepo repo;
        QVERIFY(repo.isValid());
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            repo.writeFile(QStringLiteral("stress.sh"), "true\n");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            ids << repo.commit(QStringLiteral("n%1").arg(i));
        }
        const QString build = writeGuestBuild(QStringLiteral("build-nossh.sh"), false);
        const QString recipe =
            writeRecipe(QStringLiteral("vm-nossh"), guestRecipe(build, QStringLiteral("40s")));
        const QString session = d + QStringLiteral("/s-vm-nossh");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session, VmRunTimeoutMs);
        const QList<QJsonObject> steps = journal(session);
        qInfo() << "VM without SSH:" << steps.size() << "steps in" << o.ms << "ms";
        // n1 skipped: only skipped commits are left between good n0 and bad n2
        QVERIFY2(o.exitCode == 2, qPrintable(o.all() + u'\n' + describe(steps)));
        QCOMPARE(steps.size(), 1);
        const QJsonObject &s = steps.first();
        QCOMPARE(s.value(u"commit").toString(), ids.at(1));
        QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("skip"));
        const QJsonObject wait = stageOf(s, QStringLiteral("wait"));
        QCOMPARE(wait.value(u"outcome").toString(), QStringLiteral("timeout"));
        const QString tail = wait.value(u"facts").toObject().value(u"console_tail").toString();
        QVERIFY2(tail.contains(QStringLiteral("BW-TICK")), qPrintable(describe({s})));
        QVERIFY(stepLog(s, "console.log").contains(QStringLiteral("BW-GUEST-READY")));
        QVERIFY(o.marks.size() == 1 &&
                o.marks.first().startsWith(QStringLiteral("git bisect skip")));
        QVERIFY2(waitFor([this] { return !virshDomains().contains(m_domain); }, 20'000),
                 qPrintable(virshDomains().join(u' ')));
    }
};

QTEST_GUILESS_MAIN(TestRemotePipeline)
#include "tst_remote_pipeline.moc"
