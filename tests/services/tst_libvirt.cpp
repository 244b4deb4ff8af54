// The libvirt layer against libvirt's in-process test:///default driver: no daemon, a
// fresh default state on every open. Console streams need QEMU (tst_vmguest).

#include "services/process/ProcessRunner.h"
#include "services/vm/ConsoleLineScanner.h"
#include "services/vm/ConsoleStream.h"
#include "services/vm/DomainXml.h"
#include "services/vm/LibvirtConnection.h"
#include "services/vm/LibvirtEventLoop.h"
#include "services/vm/VmDeployer.h"
#include "services/vm/VmError.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;
using namespace bw::vm;

namespace {

const QString TestUri = QStringLiteral("test:///default");
const QString Hostile = QStringLiteral("console=ttyS0 </cmdline><evil/> & \"q\" 'a' \u00e9");

QString testDomainXml(const QString &name, const QString &kernel = QStringLiteral("/boot/a"),
                      const QString &cmdline = QStringLiteral("console=ttyS0")) {
    return QStringLiteral("<domain type='test'><name>%1</name><memory unit='MiB'>128</memory>"
                          "<os><type arch='x86_64'>hvm</type><kernel>%2</kernel>"
                          "<initrd>/boot/i</initrd><cmdline>%3</cmdline></os>"
                          "<devices><serial type='pty'/><console type='pty'/></devices></domain>")
        .arg(name, DomainXml::escape(kernel), DomainXml::escape(cmdline));
}

bool writeFile(const QString &path, const QByteArray &data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

class TestLibvirt : public QObject {
    Q_OBJECT

private slots:
    void cleanupTestCase() { LibvirtEventLoop::shutdown(); }

    void eventLoopIsOwnedAndRestartable() {
        QVERIFY(LibvirtEventLoop::ensureRunning().ok());
        QVERIFY(LibvirtEventLoop::ensureRunning().ok()); // idempotent
        QVERIFY(LibvirtEventLoop::isRunning());
        QVERIFY(LibvirtEventLoop::threadId() != std::this_thread::get_id());
        LibvirtEventLoop::shutdown();
        QVERIFY(!LibvirtEventLoop::isRunning());
        LibvirtEventLoop::shutdown(); // idempotent
        QVERIFY(LibvirtEventLoop::ensureRunning().ok());
        QVERIFY(LibvirtEventLoop::isRunning());
    }

    void definedDomainLifecycle() {
        auto conn = LibvirtConnection::open(TestUri);
        QVERIFY2(conn.ok(), qPrintable(conn.ok() ? QString() : conn.error().message()));
        QVERIFY(LibvirtEventLoop::isRunning());
        QCOMPARE(conn->hostType().value(), QStringLiteral("TEST"));
        QVERIFY(conn->domainNames()->contains(QStringLiteral("test")));

        auto dom = conn->define(testDomainXml(QStringLiteral("bw-life")));
        QVERIFY2(dom.ok(), qPrintable(dom.ok() ? QString() : dom.error().message()));
        QCOMPARE(dom->name(), QStringLiteral("bw-life"));
        auto st = dom->status();
        QVERIFY(st.ok());
        QCOMPARE(st->state, DomainState::ShutOff);
        QVERIFY(!st->active);
        QVERIFY(st->persistent);
        QCOMPARE(st->id, -1);

        QVERIFY(dom->start().ok());
        st = dom->status();
        QCOMPARE(st->state, DomainState::Running);
        QVERIFY(st->active);
        QVERIFY(st->id > 0);
        QCOMPARE(domainStateName(st->state), QStringLiteral("running"));
        QVERIFY(dom->xml()->contains(QStringLiteral("<name>bw-life</name>")));

        QVERIFY(dom->destroy().ok());
        QCOMPARE(dom->status()->state, DomainState::ShutOff);
        QVERIFY(dom->destroy().ok()); // not running: still fine
        QVERIFY(dom->undefine().ok());

        auto found = conn->find(QStringLiteral("bw-life"));
        QVERIFY(found.ok());
        QVERIFY(!found->has_value());
        auto missing = conn->lookup(QStringLiteral("bw-life"));
        QVERIFY(!missing.ok());
        QVERIFY(isInfrastructure(missing.error()));
        QVERIFY2(missing.error().what.contains(QStringLiteral("no domain named 'bw-life'")),
                 qPrintable(missing.error().message()));
    }

    void transientDomainPausedThenResumed() {
        auto conn = LibvirtConnection::open(TestUri);
        QVERIFY(conn.ok());
        // The test driver can neither autodestroy nor start paused: both flags are dropped
        // (tst_vmguest checks them on QEMU).
        auto dom = conn->createTransient(testDomainXml(QStringLiteral("bw-transient")),
                                         StartOptions{true, true});
        QVERIFY2(dom.ok(), qPrintable(dom.ok() ? QString() : dom.error().message()));
        QVERIFY(!dom->autodestroy());
        auto st = dom->status();
        QVERIFY(st->state == DomainState::Paused || st->state == DomainState::Running);
        QVERIFY(!st->persistent);
        QVERIFY(dom->status()->active);
        if (st->state == DomainState::Paused)
            QVERIFY(dom->resume().ok());
        else
            QVERIFY(!dom->resume().ok()); // not paused: libvirt says so
        QCOMPARE(dom->status()->state, DomainState::Running);
        QVERIFY(dom->destroy().ok());
        QVERIFY(!conn->find(QStringLiteral("bw-transient"))->has_value()); // gone
    }

    void invalidXmlIsInfrastructureError() {
        auto conn = LibvirtConnection::open(TestUri);
        QVERIFY(conn.ok());
        for (const QString &xml :
             {QStringLiteral("<domain type='test'><name>x</name"),
              QStringLiteral("<domain type='test'></domain>"), QStringLiteral("not xml at all")}) {
            auto dom = conn->define(xml);
            QVERIFY(!dom.ok());
            QVERIFY2(isInfrastructure(dom.error()), qPrintable(dom.error().message()));
            QVERIFY(!dom.error().what.isEmpty());
            QVERIFY(!dom.error().detail.isEmpty()); // libvirt's reason
            auto created = conn->createTransient(xml);
            QVERIFY(!created.ok());
            QVERIFY(isInfrastructure(created.error()));
        }
    }

    void unreachableDaemonIsInfrastructureError() {
        // The remote driver on a socket nobody listens on: exactly what "libvirtd is not
        // running" looks like, without stopping a daemon other tests may share.
        auto conn = LibvirtConnection::open(
            QStringLiteral("qemu:///system?socket=/nonexistent/bw/libvirt-sock"));
        QVERIFY(!conn.ok());
        QVERIFY(isInfrastructure(conn.error()));
        QVERIFY2(conn.error().what.contains(QStringLiteral("Cannot connect to libvirt")),
                 qPrintable(conn.error().message()));
        QVERIFY2(conn.error().detail.contains(QStringLiteral("/nonexistent/bw/libvirt-sock")),
                 qPrintable(conn.error().message()));

        auto bogus = LibvirtConnection::open(QStringLiteral("bogus-driver:///nothing"));
        QVERIFY(!bogus.ok());
        QVERIFY(isInfrastructure(bogus.error()));
    }

    void remoteUrisAreRecognised() {
        QVERIFY(LibvirtConnection::isRemoteUri(QStringLiteral("qemu+ssh://root@host/system")));
        QVERIFY(!LibvirtConnection::isRemoteUri(QStringLiteral("qemu:///system")));
        QVERIFY(!LibvirtConnection::isRemoteUri(QStringLiteral("test:///default")));
    }

    void consoleUnsupportedByTestDriver() {
        auto conn = LibvirtConnection::open(TestUri);
        QVERIFY(conn.ok());
        auto dom = conn->lookup(QStringLiteral("test"));
        QVERIFY(dom.ok());
        auto console = ConsoleStream::open(*dom, {});
        QVERIFY(!console.ok());
        QVERIFY2(console.error().detail.contains(QStringLiteral("virDomainOpenConsole")),
                 qPrintable(console.error().message()));
        QVERIFY(isInfrastructure(console.error()));
    }

    // ---- DomainXml ----

    void escapingHostileValues() {
        QCOMPARE(DomainXml::escape(QStringLiteral("a<b>&\"c'")),
                 QStringLiteral("a&lt;b&gt;&amp;&quot;c&apos;"));
        const QString tpl = QStringLiteral(
            "<domain type='test'>\n  <name>${domain}</name>\n  <os>\n    <type>hvm</type>\n"
            "    <kernel>${kernel}</kernel>\n    <cmdline>${cmdline}</cmdline>\n  </os>\n"
            "  <description attr='${cmdline}'>$${literal}</description>\n</domain>\n");
        auto xml = DomainXml::render(tpl, {{QStringLiteral("domain"), QStringLiteral("vm&1")},
                                           {QStringLiteral("kernel"), QStringLiteral("/k'\"")},
                                           {QStringLiteral("cmdline"), Hostile}});
        QVERIFY2(xml.ok(), qPrintable(xml.ok() ? QString() : xml.error().message()));
        QVERIFY(!xml->contains(QStringLiteral("<evil/>")));
        QVERIFY(xml->contains(QStringLiteral("${literal}")));
        auto boot = DomainXml::directBoot(*xml);
        QVERIFY(boot.ok());
        QCOMPARE(boot->cmdline, Hostile);
        QCOMPARE(boot->kernel, QStringLiteral("/k'\""));
        QCOMPARE(DomainXml::name(*xml).value(), QStringLiteral("vm&1"));
        // the attribute survives too
        QVERIFY(xml->contains(QStringLiteral("attr='console=ttyS0 &lt;/cmdline&gt;")));

        // libvirt reads it back the same
        auto conn = LibvirtConnection::open(TestUri);
        auto dom = conn->define(testDomainXml(QStringLiteral("bw-hostile"), Hostile, Hostile));
        QVERIFY2(dom.ok(), qPrintable(dom.ok() ? QString() : dom.error().message()));
        auto back = DomainXml::directBoot(dom->xml(true).value());
        QCOMPARE(back->kernel, Hostile);
        QCOMPARE(back->cmdline, Hostile);
    }

    void templateErrors() {
        auto unknown = DomainXml::render(QStringLiteral("<domain>${nope}</domain>"), {});
        QVERIFY(!unknown.ok());
        QVERIFY(isInfrastructure(unknown.error()));
        QVERIFY(unknown.error().what.contains(QStringLiteral("${nope}")));
        auto open = DomainXml::render(QStringLiteral("<domain>${kernel</domain>"), {});
        QVERIFY(!open.ok());
        QVERIFY(open.error().what.contains(QStringLiteral("unterminated")));
        auto broken = DomainXml::render(QStringLiteral("<domain><os></domain>"), {});
        QVERIFY(!broken.ok());
        QVERIFY(broken.error().detail.contains(QStringLiteral("line 1")));
        auto notDomain = DomainXml::check(QStringLiteral("<network/>"));
        QVERIFY(!notDomain.ok());
    }

    void setDirectBootKeepsTheRest() {
        const QString xml = QStringLiteral(
            "<domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
            "  <name>n</name>\n  <!-- keep me -->\n"
            "  <os>\n    <type arch='x86_64'>hvm</type>\n    <kernel>/old</kernel>\n"
            "    <initrd>/old-initrd</initrd>\n  </os>\n"
            "  <qemu:commandline><qemu:arg value='-x'/></qemu:commandline>\n</domain>\n");
        auto edited =
            DomainXml::setDirectBoot(xml, {QStringLiteral("/new/bzImage"), QString(), Hostile});
        QVERIFY2(edited.ok(), qPrintable(edited.ok() ? QString() : edited.error().message()));
        QVERIFY(edited->contains(QStringLiteral("<!-- keep me -->")));
        QVERIFY(edited->contains(QStringLiteral("<qemu:commandline><qemu:arg value='-x'/>")));
        QVERIFY(!edited->contains(QStringLiteral("initrd")));
        QVERIFY(!edited->contains(QStringLiteral("/old")));
        auto boot = DomainXml::directBoot(*edited);
        QCOMPARE(boot->kernel, QStringLiteral("/new/bzImage"));
        QCOMPARE(boot->initrd, QString());
        QCOMPARE(boot->cmdline, Hostile);

        // an empty <os/> gets children; a missing one is an error
        auto empty = DomainXml::setDirectBoot(
            QStringLiteral("<domain><name>n</name><os/></domain>"),
            {QStringLiteral("/k"), QStringLiteral("/i"), QStringLiteral("c")});
        QVERIFY(empty.ok());
        QCOMPARE(DomainXml::directBoot(*empty)->initrd, QStringLiteral("/i"));
        QVERIFY(
            !DomainXml::setDirectBoot(QStringLiteral("<domain/>"), {QStringLiteral("/k"), {}, {}})
                 .ok());
        QVERIFY(!DomainXml::setDirectBoot(xml, {}).ok()); // no kernel

        auto renamed = DomainXml::setName(xml, QStringLiteral("a<b"));
        QCOMPARE(DomainXml::name(*renamed).value(), QStringLiteral("a<b"));
        auto noUuid =
            DomainXml::removeUuid(QStringLiteral("<domain><uuid>u</uuid><name>x</name></domain>"));
        QCOMPARE(noUuid.value(), QStringLiteral("<domain><name>x</name></domain>"));
    }

    void editExistingDomainKernel() {
        auto conn = LibvirtConnection::open(TestUri);
        QVERIFY(conn.ok());
        auto dom = conn->define(testDomainXml(QStringLiteral("bw-edit")));
        QVERIFY(dom.ok());
        auto xml = dom->xml(true);
        QVERIFY(xml.ok());
        auto edited = DomainXml::setDirectBoot(
            *xml, {QStringLiteral("/build/42/bzImage"), QString(), Hostile});
        QVERIFY(edited.ok());
        auto redefined = conn->define(*edited); // same name and uuid: a redefinition
        QVERIFY2(redefined.ok(),
                 qPrintable(redefined.ok() ? QString() : redefined.error().message()));
        auto boot = DomainXml::directBoot(redefined->xml(true).value());
        QCOMPARE(boot->kernel, QStringLiteral("/build/42/bzImage"));
        QCOMPARE(boot->initrd, QString());
        QCOMPARE(boot->cmdline, Hostile);
        QCOMPARE(conn->domainNames()->count(QStringLiteral("bw-edit")), 1);
    }

    void diskSourceReplacement() {
        const QString xml = QStringLiteral(
            "<domain type='test'><name>d</name><devices>"
            "<disk type='file' device='cdrom'><source file='/iso'/><target dev='hdc'/></disk>"
            "<disk type='file' device='disk'><driver name='qemu' type='qcow2' cache='none'/>"
            "<source file='/var/lib/a.qcow2'/><target dev='vda' bus='virtio'/></disk>"
            "</devices></domain>");
        auto byTarget = DomainXml::setDiskSource(
            xml, QStringLiteral("vda"), QStringLiteral("/new&.raw"), QStringLiteral("raw"));
        QVERIFY2(byTarget.ok(), qPrintable(byTarget.ok() ? QString() : byTarget.error().message()));
        auto disks = DomainXml::disks(*byTarget);
        QVERIFY(disks.ok());
        QCOMPARE(disks->size(), size_t(2));
        QCOMPARE(disks->at(0).source, QStringLiteral("/iso"));
        QCOMPARE(disks->at(1).source, QStringLiteral("/new&.raw"));
        QCOMPARE(disks->at(1).format, QStringLiteral("raw"));
        QCOMPARE(disks->at(1).target, QStringLiteral("vda"));
        QVERIFY(byTarget->contains(QStringLiteral("cache='none'")));
        auto bySource = DomainXml::setDiskSource(xml, QStringLiteral("/var/lib/a.qcow2"),
                                                 QStringLiteral("/b"), QString());
        QCOMPARE(DomainXml::disks(*bySource)->at(1).source, QStringLiteral("/b"));
        QCOMPARE(DomainXml::disks(*bySource)->at(1).format, QStringLiteral("qcow2"));
        auto none = DomainXml::setDiskSource(xml, QStringLiteral("vdz"), QStringLiteral("/b"), {});
        QVERIFY(!none.ok());
        QVERIFY(isInfrastructure(none.error()));
    }

    // ---- ConsoleLineScanner ----

    void scannerCleansLines() {
        ConsoleLineScanner s(100);
        // SeaBIOS's reset sequences before the kernel, a colour, CRLF, split anywhere
        const QByteArray raw = "\x1b"
                               "c\x1b[?7l\x1b[2JLinux version 6.1\r\n"
                               "\x1b[1;31mred\x1b[0m text\r\n"
                               "progress 10%\rprogress 20%\r\n"
                               "\x1b]0;title\x07osc gone\r\n"
                               "caf\xc3\xa9\r\n"
                               "login: ";
        for (qsizetype i = 0; i < raw.size(); i += 3) // 3-byte chunks split ESC and UTF-8
            s.feed(QByteArrayView(raw).sliced(i, std::min<qsizetype>(3, raw.size() - i)));
        const QStringList expected{
            QStringLiteral("Linux version 6.1"), QStringLiteral("red text"),
            QStringLiteral("progress 10%"),      QStringLiteral("progress 20%"),
            QStringLiteral("osc gone"),          QStringLiteral("caf\u00e9")};
        QCOMPARE(s.lineCount(), qint64(expected.size()));
        for (int i = 0; i < expected.size(); ++i)
            QCOMPARE(s.line(i + 1), expected[i]);
        QCOMPARE(s.partial(), QStringLiteral("login: "));
        // the last complete line, plus the prompt
        QCOMPARE(s.tail(1), (QStringList{QStringLiteral("caf\u00e9"), QStringLiteral("login: ")}));
        QCOMPARE(s.flush().size(), size_t(1));
        QCOMPARE(s.partial(), QString());
    }

    void scannerKeepsBoundedHistory() {
        ConsoleLineScanner s(3);
        for (int i = 1; i <= 10; ++i)
            s.feed(QByteArray::number(i) + "\n");
        QCOMPARE(s.lineCount(), qint64(10));
        QCOMPARE(s.firstRetained(), qint64(8));
        QCOMPARE(s.line(8), QStringLiteral("8"));
        QCOMPARE(s.line(2), QString());
        QCOMPARE(s.tail(5),
                 (QStringList{QStringLiteral("8"), QStringLiteral("9"), QStringLiteral("10")}));
        // a flood without newlines is cut into bounded lines
        ConsoleLineScanner big(10);
        big.feed(QByteArray(40 * 1024, 'x'));
        QCOMPARE(big.lineCount(), qint64(2));
    }

    // ---- VmDeployer, as far as the test driver goes (no console) ----

    void deployerRejectsBadRequests() {
        QTemporaryDir dir;
        DeployRequest req;
        req.spec.kind = DeployKind::LibvirtKernel;
        req.spec.uri = TestUri;
        req.spec.domain = QStringLiteral("bw-none");
        req.spec.kernel = dir.filePath(QStringLiteral("missing-bzImage"));
        auto r = VmDeployer::deploy(req);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorOperation); // the build produced no kernel
        QVERIFY(r.error().what.contains(QStringLiteral("missing-bzImage")));

        QVERIFY(writeFile(dir.filePath(QStringLiteral("bzImage")), "k"));
        req.spec.kernel = dir.filePath(QStringLiteral("bzImage"));
        r = VmDeployer::deploy(req); // no template, and no such domain
        QVERIFY(!r.ok());
        QVERIFY(isInfrastructure(r.error()));
        QVERIFY(r.error().what.contains(QStringLiteral("bw-none")));

        req.spec.kind = DeployKind::LibvirtDisk;
        req.spec.uri = QStringLiteral("qemu+ssh://root@192.0.2.1/system");
        req.spec.image = req.spec.kernel;
        req.spec.disk = QStringLiteral("vda");
        r = VmDeployer::deploy(req);
        QVERIFY(!r.ok());
        QVERIFY(isInfrastructure(r.error()));
        QVERIFY(r.error().what.contains(QStringLiteral("local libvirt URI")));

        process::CancelToken cancel;
        cancel.cancel();
        req.spec.uri = TestUri;
        r = VmDeployer::deploy(req, &cancel);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, ErrorCancelled);
    }

    void deployKernelFromTemplateOnTestDriver() {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("bzImage")), "k"));
        const QString tpl = dir.filePath(QStringLiteral("vm.xml"));
        QVERIFY(writeFile(tpl, "<domain type='test'><name>placeholder</name>"
                               "<memory unit='MiB'>64</memory><os><type>hvm</type>"
                               "<kernel>${kernel}</kernel><cmdline>${cmdline}</cmdline></os>"
                               "<description>${commit}</description></domain>"));
        DeployRequest req;
        req.spec.kind = DeployKind::LibvirtKernel;
        req.spec.uri = TestUri;
        req.spec.xml = tpl;
        req.spec.domain = QStringLiteral("bw-deployed");
        req.spec.kernel = dir.filePath(QStringLiteral("bzImage"));
        req.spec.cmdline = Hostile;
        req.variables.insert(QStringLiteral("commit"), QStringLiteral("<abc>"));
        req.console = false; // the test driver has no consoles
        QStringList log;
        req.log = [&](const QString &line) { log << line; };
        auto vm = VmDeployer::deploy(req);
        QVERIFY2(vm.ok(), qPrintable(vm.ok() ? QString() : vm.error().message()));
        QCOMPARE((*vm)->domain().name(), QStringLiteral("bw-deployed"));
        auto st = (*vm)->domain().status();
        QCOMPARE(st->state, DomainState::Running); // resumed after the paused start
        QVERIFY(!st->persistent);
        auto boot = DomainXml::directBoot((*vm)->domain().xml().value());
        QCOMPARE(boot->cmdline, Hostile);
        QVERIFY(!log.isEmpty());
        LibvirtConnection conn = (*vm)->connection();
        // without a console a console wait is an infrastructure error, and destroys it
        auto w = (*vm)->waitForConsole(QRegularExpression(QStringLiteral("x")), 100, nullptr);
        QCOMPARE(w.outcome, ConsoleWaitResult::Outcome::Error);
        QVERIFY(w.error && isInfrastructure(*w.error));
        QVERIFY(!conn.find(QStringLiteral("bw-deployed"))->has_value());
        vm->reset();
    }

    void instanceDestroysItsDomain() {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("bzImage")), "k"));
        auto conn = LibvirtConnection::open(TestUri);
        QVERIFY(conn.ok());
        DeployRequest req;
        req.spec.kind = DeployKind::LibvirtKernel;
        req.spec.uri = TestUri;
        req.spec.domain = QStringLiteral("test"); // the test driver's predefined domain
        req.spec.kernel = dir.filePath(QStringLiteral("bzImage"));
        req.console = false;
        // test:///default's state is per connection, so watch through the instance's own
        auto vm = VmDeployer::deploy(req);
        QVERIFY2(vm.ok(), qPrintable(vm.ok() ? QString() : vm.error().message()));
        LibvirtConnection same = (*vm)->connection();
        QVERIFY((*vm)->domain().status()->active);
        vm->reset(); // the step is over
        auto after = same.lookup(QStringLiteral("test"));
        QVERIFY(after.ok()); // persistent: still defined, with its own kernel
        QVERIFY(!after->status()->active);
        QCOMPARE(DomainXml::directBoot(after->xml(true).value())->kernel, QString());
    }
};

QTEST_GUILESS_MAIN(TestLibvirt)
#include "tst_libvirt.moc"
