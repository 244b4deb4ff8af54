// The embedded demo's vm.toml end to end, the way its comments tell a user to run it:
// `bisect-workbench demo-repo DIR`, the demo's own vm/prepare-vm.sh (given the cached
// Debian kernel of tests/support/vm/guest-kernel.sh instead of fetching it), a
// hand-started libvirtd (tests/support/vm/libvirtd-fixture.sh), then `bisect-workbench
// run --recipe vm.toml`. Every step runs the demo's vm/build-initramfs.sh (busybox,
// dropbear, the commit's netsim linked statically), boots Debian's kernel on it under
// QEMU/TCG through libvirt with direct kernel boot, waits for SSH and runs the stress test
// in the guest, until the planted culprit is found.
//
// The only edits to the demo's files: the SSH port and the domain's name. The demo
// forwards 127.0.0.1:2222; the test picks a free port and puts it where the demo's
// comments say (vm.toml's [wait] port, vm/domain.xml's hostfwd, prepare-vm.sh --port),
// and names the domain bisect-netsim-<pid>, so a concurrent run elsewhere on the machine
// (another build's tests) cannot collide with it.
//
// And when a component is missing (libvirtd not running, the kernel not fetched), the
// session stops at its first step and says which one and how to get it, instead of
// skipping every commit.
//
// Nothing is skipped when a component is missing here: the test fails and says which.

#include "services/demo/DemoRepository.h"
#include "tests/support/SessionProbe.h"
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
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using bw::demo::DemoInfo;
using bw::demo::DemoRepository;
using bw::test::culpritIn;
using bw::test::journal;
using bw::test::markLines;
using bw::test::RunResult;
using bw::test::TestRepo;

using bw::test::freePort;
using bw::test::readText;
using bw::test::vmScript;

namespace {

constexpr int RunTimeoutMs = 420'000; // one VM bisect: 3-4 steps of 20-60 s, with margin
// The range: the irq-mode topic branch, which brought in the culprit and the commits that
// do not build, from its first commit (good) to its second-to-last (bad): 12 commits,
// 3-4 steps (a VM step is 20-60 s under TCG, depending on the machine's load).
const char *const Good = "v0.4~35^2~13"; // "ring: count interrupts"
const char *const Bad = "v0.4~35^2~1";   // "netsim.h: document the ring's counters"

QString describe(const RunResult &r) {
    return QStringLiteral("exit %1\n--- stdout ---\n%2\n--- stderr ---\n%3")
        .arg(r.exitCode)
        .arg(QString::fromUtf8(r.out), QString::fromUtf8(r.err));
}

// Replaces `from` by `to` in the file; the number of replacements made, -1 on an I/O error.
int replaceIn(const QString &path, const QString &from, const QString &to) {
    QString text = readText(path);
    const int n = int(text.count(from));
    text.replace(from, to);
    return bw::test::writeFile(path, text.toUtf8()) ? n : -1;
}

QJsonObject stageOf(const QJsonObject &step, const QString &name) {
    for (const QJsonValue &v : step.value(u"stages").toArray())
        if (v.toObject().value(u"stage").toString() == name)
            return v.toObject();
    return {};
}

QString stepLog(const QJsonObject &step, const char *name) {
    return readText(step.value(u"log_dir").toString() + u'/' + QLatin1String(name));
}

QString describe(const QList<QJsonObject> &steps) {
    QStringList lines;
    for (const QJsonObject &s : steps)
        lines << QString::fromUtf8(QJsonDocument(s).toJson(QJsonDocument::Compact));
    return lines.join(u'\n');
}

QStringList virshDomains() {
    const RunResult r =
        bw::test::run(QStringLiteral("virsh"),
                      {QStringLiteral("-c"), QStringLiteral("qemu:///system"),
                       QStringLiteral("list"), QStringLiteral("--all"), QStringLiteral("--name")},
                      {}, QProcessEnvironment::systemEnvironment(), {}, 30'000);
    if (r.exitCode != 0)
        return {QStringLiteral("<virsh failed: %1>").arg(QString::fromUtf8(r.err))};
    QStringList names;
    for (const QByteArray &l : r.out.split('\n'))
        if (!l.trimmed().isEmpty())
            names << QString::fromUtf8(l.trimmed());
    return names;
}

} // namespace

class TestDemoVm : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;
    QString d;
    QString m_kernel, m_e1000; // the cached Debian kernel and its e1000 module
    bool m_fixtureStarted = false;
    QElapsedTimer m_total;

    // `bisect-workbench demo-repo DIR`, and what the demo knows of itself.
    bool makeDemo(const QString &dir, DemoInfo &info, QString &why) {
        const RunResult r =
            bw::test::run(TestRepo::workbenchBinary(), {QStringLiteral("demo-repo"), dir}, d);
        if (r.exitCode != 0) {
            why = QStringLiteral("demo-repo: ") + describe(r);
            return false;
        }
        auto stamped = DemoRepository::ensure(dir); // reads it back, changes nothing
        if (!stamped) {
            why = stamped.error().message();
            return false;
        }
        info = *stamped;
        return true;
    }

    // The demo's vm/prepare-vm.sh with the cached kernel (no network).
    RunResult prepare(const QString &demo, const QStringList &more = {}) {
        return bw::test::run(QStringLiteral("sh"),
                             QStringList{demo + QStringLiteral("/vm/prepare-vm.sh"),
                                         QStringLiteral("--kernel"), m_kernel,
                                         QStringLiteral("--module"), m_e1000} +
                                 more,
                             demo, QProcessEnvironment::systemEnvironment(), {}, 60'000);
    }

    RunResult runVm(const QString &demo, const QString &recipe, const QString &session,
                    int timeoutMs) {
        return bw::test::run(TestRepo::workbenchBinary(),
                             {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                              QStringLiteral("--good"), QLatin1String(Good),
                              QStringLiteral("--bad"), QLatin1String(Bad),
                              QStringLiteral("--session"), session},
                             demo, QProcessEnvironment::systemEnvironment(), {}, timeoutMs);
    }

    QString subject(const QString &repo, const QString &rev) {
        return QString::fromUtf8(bw::test::run(QStringLiteral("git"),
                                               {QStringLiteral("log"), QStringLiteral("-1"),
                                                QStringLiteral("--format=%s"), rev},
                                               repo)
                                     .out.trimmed());
    }

    bool isAncestor(const QString &repo, const QString &a, const QString &b) {
        return bw::test::run(QStringLiteral("git"),
                             {QStringLiteral("merge-base"), QStringLiteral("--is-ancestor"), a, b},
                             repo)
                   .exitCode == 0;
    }

private slots:
    void initTestCase() {
        m_total.start();
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
        QVERIFY2(!qEnvironmentVariable("BW_SOURCE_DIR").isEmpty(), "BW_SOURCE_DIR not set");
        QVERIFY(m_scratch.isValid());
        d = m_scratch.path();
        if (qEnvironmentVariableIsSet("BW_KEEP_SCRATCH")) {
            m_scratch.setAutoRemove(false);
            qInfo().noquote() << "scratch kept in" << d;
        }
        // Debian's kernel, fetched once per machine by the VM tests' fixture.
        const RunResult k = bw::test::run(QStringLiteral("bash"), {vmScript("guest-kernel.sh")}, {},
                                          QProcessEnvironment::systemEnvironment(), {}, 600'000);
        QVERIFY2(k.exitCode == 0,
                 qPrintable(QStringLiteral("cannot get Debian's guest kernel: ") + describe(k)));
        m_kernel = QString::fromUtf8(k.out.trimmed().split('\n').last());
        m_e1000 = QFileInfo(m_kernel).absolutePath() + QStringLiteral("/modules/e1000.ko");
        QVERIFY2(QFile::exists(m_kernel) && QFile::exists(m_e1000),
                 qPrintable(m_kernel + QStringLiteral(" or its modules/e1000.ko is missing")));
    }

    void cleanupTestCase() {
        if (m_fixtureStarted) {
            const RunResult r =
                bw::test::run(QStringLiteral("bash"),
                              {vmScript("libvirtd-fixture.sh"), QStringLiteral("stop"),
                               QString::number(QCoreApplication::applicationPid())},
                              {}, QProcessEnvironment::systemEnvironment(), {}, 60'000);
            if (r.exitCode != 0)
                qWarning().noquote() << describe(r);
        }
        qInfo() << "tst_demo_vm total" << m_total.elapsed() << "ms";
    }

    // libvirtd not running for the recipe's URI (a socket that does not exist): the
    // demo's prepare step and the session's first step say so and how to start it; the
    // session stops at once, nothing marked, instead of skipping every commit.
    void missingLibvirtdIsNamed() {
        const QString demo = d + QStringLiteral("/no-libvirtd");
        DemoInfo info;
        QString why;
        QVERIFY2(makeDemo(demo, info, why), qPrintable(why));
        const QString socket = d + QStringLiteral("/nowhere/libvirt-sock");
        const QString uri = QStringLiteral("qemu:///system?socket=") + socket;
        // the recipe names the URI twice: [deploy] uri, and [build] checks it first
        QCOMPARE(replaceIn(demo + QStringLiteral("/vm.toml"), QStringLiteral("\"qemu:///system\""),
                           u'"' + uri + u'"'),
                 2);

        const RunResult p = prepare(demo, {QStringLiteral("--uri"), uri});
        const QString prepared = QString::fromUtf8(p.out);
        QVERIFY2(p.exitCode == 3, qPrintable(describe(p)));
        QVERIFY2(prepared.contains(QStringLiteral("vm.toml needs libvirtd running")),
                 qPrintable(describe(p)));
        QVERIFY(prepared.contains(QStringLiteral("'libvirtd -d'")));
        QVERIFY(prepared.contains(socket));
        QVERIFY2(!prepared.contains(QStringLiteral("needs Debian's kernel")), qPrintable(prepared));

        QElapsedTimer t;
        t.start();
        const QString session = d + QStringLiteral("/s-no-libvirtd");
        const RunResult r = runVm(demo, QStringLiteral("vm.toml"), session, 120'000);
        const QString all = QString::fromUtf8(r.out + r.err);
        qInfo() << "run without libvirtd stopped after" << t.elapsed() << "ms";
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains(QStringLiteral("vm.toml needs libvirtd")) &&
                     err.contains(QStringLiteral("'libvirtd -d'")),
                 qPrintable(describe(r)));
        QVERIFY(culpritIn(all).isEmpty());
        const QList<QJsonObject> steps = journal(session);
        QCOMPARE(steps.size(), 1);
        // the step's build log (named in the output) has the details
        QVERIFY(
            all.contains(QStringLiteral("logs: ") + steps.first().value(u"log_dir").toString()));
        QVERIFY2(
            stepLog(steps.first(), "build.log").contains(QStringLiteral("no socket ") + socket),
            qPrintable(stepLog(steps.first(), "build.log")));
        QCOMPARE(steps.first().value(u"verdict").toString(), QStringLiteral("abort"));
        QCOMPARE(stageOf(steps.first(), QStringLiteral("build")).value(u"exit").toInt(), 3);
        QVERIFY(stageOf(steps.first(), QStringLiteral("deploy")).isEmpty()); // never reached
        QVERIFY(markLines(readText(demo + QStringLiteral("/.git/BISECT_LOG"))).isEmpty());
        QVERIFY2(t.elapsed() < 60'000, "the missing libvirtd took long to notice");
    }

    // The demo as generated, prepare-vm.sh never run: the first step says the kernel and
    // the keys are missing and which script makes them.
    void unpreparedDemoNamesPrepareScript() {
        const QString demo = d + QStringLiteral("/unprepared");
        DemoInfo info;
        QString why;
        QVERIFY2(makeDemo(demo, info, why), qPrintable(why));
        const QString session = d + QStringLiteral("/s-unprepared");
        const RunResult r = runVm(demo, QStringLiteral("vm.toml"), session, 120'000);
        QVERIFY2(r.exitCode == 1, qPrintable(describe(r)));
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains(QStringLiteral("vm.toml needs Debian's kernel in ") + demo +
                              QStringLiteral("/vm (vmlinuz, e1000.ko): run 'sh ") + demo +
                              QStringLiteral("/vm/prepare-vm.sh' once")),
                 qPrintable(describe(r)));
        const QList<QJsonObject> steps = journal(session);
        QCOMPARE(steps.size(), 1);
        QCOMPARE(steps.first().value(u"verdict").toString(), QStringLiteral("abort"));
        // the step's build log lists everything missing, the keys too
        const QString build = stepLog(steps.first(), "build.log");
        QVERIFY2(build.contains(QStringLiteral("vm.toml needs the SSH keys in ")),
                 qPrintable(build));
        QVERIFY(markLines(readText(demo + QStringLiteral("/.git/BISECT_LOG"))).isEmpty());
    }

    // vm.toml for real: every tested commit booted in a TCG guest, tested over SSH; the
    // planted culprit found.
    void vmRecipeFindsPlantedCulprit() {
        const QString demo = d + QStringLiteral("/demo");
        DemoInfo info;
        QString why;
        QVERIFY2(makeDemo(demo, info, why), qPrintable(why));
        QVERIFY(!info.culprit.isNull());
        const QString culprit = info.culprit.toString();
        // the range holds the culprit, and Bad is the merge that brought it in
        QVERIFY(isAncestor(demo, QLatin1String(Good), culprit));
        QVERIFY(isAncestor(demo, culprit, QLatin1String(Bad)));
        QVERIFY(!isAncestor(demo, culprit, QLatin1String(Good)));
        QCOMPARE(subject(demo, QLatin1String(Good)), QStringLiteral("ring: count interrupts"));
        QCOMPARE(subject(demo, QLatin1String(Bad)),
                 QStringLiteral("netsim.h: document the ring's counters"));

        // libvirtd, then the demo's own preparation; its check passes only with libvirtd up
        QElapsedTimer t;
        t.start();
        const RunResult f =
            bw::test::run(QStringLiteral("bash"),
                          {vmScript("libvirtd-fixture.sh"), QStringLiteral("start"),
                           QString::number(QCoreApplication::applicationPid())},
                          {}, QProcessEnvironment::systemEnvironment(), {}, 150'000);
        QVERIFY2(f.exitCode == 0,
                 qPrintable(QStringLiteral("cannot start libvirtd: ") + describe(f)));
        m_fixtureStarted = true;
        qInfo().noquote() << "libvirtd fixture in" << t.elapsed()
                          << "ms:" << QString::fromUtf8(f.out).simplified();

        const int port = freePort();
        QVERIFY(port > 0);
        const QString portText = QString::number(port);
        QCOMPARE(replaceIn(demo + QStringLiteral("/vm.toml"), QStringLiteral("port = 2222"),
                           QStringLiteral("port = ") + portText),
                 1);
        QCOMPARE(replaceIn(demo + QStringLiteral("/vm/domain.xml"),
                           QStringLiteral("hostfwd=tcp:127.0.0.1:2222-:22"),
                           QStringLiteral("hostfwd=tcp:127.0.0.1:%1-:22").arg(port)),
                 1);
        const QString domain =
            QStringLiteral("bisect-netsim-%1").arg(QCoreApplication::applicationPid());
        QCOMPARE(replaceIn(demo + QStringLiteral("/vm/domain.xml"),
                           QStringLiteral("<name>bisect-netsim</name>"),
                           QStringLiteral("<name>%1</name>").arg(domain)),
                 1);
        t.restart();
        const RunResult p = prepare(demo, {QStringLiteral("--port"), portText});
        QVERIFY2(p.exitCode == 0, qPrintable(describe(p)));
        QVERIFY(QString::fromUtf8(p.out).contains(
            QStringLiteral("check-vm: everything vm.toml needs is here")));
        QVERIFY(readText(demo + QStringLiteral("/vm/keys/known_hosts"))
                    .startsWith(QStringLiteral("[127.0.0.1]:%1 ssh-ed25519 ").arg(port)));
        qInfo() << "prepare-vm.sh in" << t.elapsed() << "ms";

        t.restart();
        const QString session = d + QStringLiteral("/s-vm");
        const RunResult r = runVm(demo, QStringLiteral("vm.toml"), session, RunTimeoutMs);
        const qint64 ms = t.elapsed();
        const QString out = QString::fromUtf8(r.out);
        const QList<QJsonObject> steps = journal(session);
        qInfo().noquote() << "VM bisect of" << Good << ".." << Bad << ":" << steps.size()
                          << "steps in" << ms << "ms";
        for (const QJsonObject &s : steps) {
            QStringList stages;
            for (const QJsonValue &v : s.value(u"stages").toArray())
                stages << QStringLiteral("%1 %2 ms")
                              .arg(v.toObject().value(u"stage").toString())
                              .arg(v.toObject().value(u"duration_ms").toDouble());
            qInfo().noquote() << "  step" << s.value(u"number").toInt()
                              << s.value(u"commit").toString().left(12)
                              << s.value(u"verdict").toString() << "in"
                              << (s.value(u"finished_ms").toDouble() -
                                  s.value(u"started_ms").toDouble())
                              << "ms:" << stages.join(QStringLiteral(", "));
        }
        QVERIFY2(r.exitCode == 0, qPrintable(describe(r) + u'\n' + describe(steps)));
        QCOMPARE(culpritIn(out), culprit);

        // Every step's verdict is the truth about its commit: bad exactly when it holds
        // the culprit, skipped exactly when it does not build; the good and bad ones
        // really ran in a guest.
        int good = 0, bad = 0, skipped = 0;
        for (const QJsonObject &s : steps) {
            const QString commit = s.value(u"commit").toString();
            const QString verdict = s.value(u"verdict").toString();
            const bool broken = std::find(info.buildBroken.begin(), info.buildBroken.end(),
                                          *bw::Oid::fromHex(commit)) != info.buildBroken.end();
            if (broken) {
                QCOMPARE(verdict, QStringLiteral("skip"));
                QCOMPARE(stageOf(s, QStringLiteral("build")).value(u"outcome").toString(),
                         QStringLiteral("failed"));
                ++skipped;
                continue;
            }
            const bool holdsCulprit = isAncestor(demo, culprit, commit);
            QCOMPARE(verdict, holdsCulprit ? QStringLiteral("bad") : QStringLiteral("good"));
            QVERIFY2(
                stepLog(s, "pipeline.log")
                    .contains(QStringLiteral("starting domain '%1' (direct kernel boot of %2/vm/"
                                             "vmlinuz)")
                                  .arg(domain, demo)),
                qPrintable(stepLog(s, "pipeline.log")));
            const QString console = stepLog(s, "console.log");
            QVERIFY2(console.contains(QStringLiteral("Linux version")),
                     qPrintable(console.left(2000)));
            QVERIFY2(console.contains(QStringLiteral("netsim guest: kernel ")),
                     qPrintable(console.right(2000)));
            QVERIFY2(console.contains(QStringLiteral("BISECT-SSH-READY")),
                     qPrintable(console.right(2000)));
            const QJsonObject wait = stageOf(s, QStringLiteral("wait"));
            QCOMPARE(wait.value(u"outcome").toString(), QStringLiteral("passed"));
            QVERIFY(!wait.value(u"facts").toObject().value(u"kernel_release").toString().isEmpty());
            const QJsonObject test = stageOf(s, QStringLiteral("test"));
            const QString testLog = stepLog(s, "test.log");
            if (holdsCulprit) {
                // the planted hang: a run stopped sending and the timeout ended it, so
                // the last iteration printed no summary line
                QCOMPARE(test.value(u"outcome").toString(), QStringLiteral("timeout"));
                const int iteration = test.value(u"iteration").toInt();
                const QString header = QStringLiteral("=== iteration %1/20 ===").arg(iteration);
                QVERIFY2(testLog.contains(header), qPrintable(testLog));
                QVERIFY2(!testLog.section(header, 1).contains(QStringLiteral("GiB in ")),
                         qPrintable(testLog));
                QCOMPARE(int(testLog.count(QStringLiteral(": ok"))), iteration - 1);
                ++bad;
            } else {
                QCOMPARE(test.value(u"outcome").toString(), QStringLiteral("passed"));
                QCOMPARE(test.value(u"iterations").toInt(), 20);
                QVERIFY2(testLog.count(QStringLiteral("GiB in ")) == 20, qPrintable(testLog));
                ++good;
            }
        }
        QVERIFY2(good >= 1 && bad >= 1, qPrintable(describe(steps)));
        qInfo() << "good" << good << "bad" << bad << "skipped" << skipped;
        // The guest of the last step went with it.
        QVERIFY2(QTest::qWaitFor([&] { return !virshDomains().contains(domain); }, 20'000),
                 qPrintable(virshDomains().join(u' ')));
        QVERIFY2(ms < RunTimeoutMs, "the VM bisect ran into the test's deadline");
    }
};

QTEST_GUILESS_MAIN(TestDemoVm)
#include "tst_demo_vm.moc"
