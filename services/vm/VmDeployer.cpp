#include "services/vm/VmDeployer.h"

#include "services/ServicesLogging.h"
#include "services/process/ProcessRunner.h"
#include "services/vm/DomainXml.h"
#include "services/vm/VmError.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace bw::vm {

namespace {

class Deadline {
public:
    explicit Deadline(Millis timeout)
        : m_timeout(timeout) {
        m_timer.start();
    }
    [[nodiscard]] bool expired() const { return m_timeout > 0 && m_timer.elapsed() >= m_timeout; }
    // For a child process: what is left, at least 1 ms; 0 when there is no limit.
    [[nodiscard]] Millis remaining() const {
        return m_timeout > 0 ? std::max<Millis>(1, m_timeout - m_timer.elapsed()) : 0;
    }
    [[nodiscard]] Millis timeout() const { return m_timeout; }

private:
    Millis m_timeout;
    QElapsedTimer m_timer;
};

} // namespace

class Deploy {
public:
    Deploy(const DeployRequest &request, const process::CancelToken *cancel)
        : m_request(request)
        , m_spec(request.spec)
        , m_cancel(cancel)
        , m_deadline(request.spec.timeout) {}

    Result<std::unique_ptr<VmInstance>> run();

private:
    void log(const QString &line) const {
        qCDebug(bwVm).noquote() << line;
        if (m_request.log)
            m_request.log(line);
    }
    // Cancelled or out of time: the error to return, else nothing.
    [[nodiscard]] std::optional<Error> interrupted() const {
        if (m_cancel && m_cancel->isCancelled())
            return Error{QStringLiteral("The deploy was cancelled"), ErrorCancelled};
        if (m_deadline.expired())
            return Error{QStringLiteral("The deploy timed out after %1")
                             .arg(formatDuration(m_deadline.timeout())),
                         ErrorTimeout};
        return std::nullopt;
    }
    [[nodiscard]] Status checkFile(const QString &path, const QString &role) const;
    [[nodiscard]] Result<QString> kernelXml();
    [[nodiscard]] Status destroyRunning(const QString &name);
    [[nodiscard]] Result<LibvirtDomain> replaceDisk();
    [[nodiscard]] Status qemuImg(const QStringList &args, const QString &what);
    [[nodiscard]] Status attachAndResume(VmInstance &vm);

    const DeployRequest &m_request;
    const DeploySpec &m_spec;
    const process::CancelToken *m_cancel;
    Deadline m_deadline;
    LibvirtConnection m_connection;
};

Status Deploy::checkFile(const QString &path, const QString &role) const {
    if (path.isEmpty())
        return Error{QStringLiteral("The deploy needs a %1 path").arg(role), ErrorInfrastructure};
    if (LibvirtConnection::isRemoteUri(m_spec.uri))
        return okStatus(); // it lives on the remote host: libvirt will tell
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable())
        return Error{QStringLiteral("The %1 '%2' does not exist or is not readable (did the "
                                    "build produce it?)")
                         .arg(role, path),
                     ErrorOperation};
    return okStatus();
}

Result<QString> Deploy::kernelXml() {
    const DomainXml::DirectBoot boot{m_spec.kernel, m_spec.initrd, m_spec.cmdline};
    if (!m_spec.xml.isEmpty()) {
        QFile file(m_spec.xml);
        if (!file.open(QIODevice::ReadOnly))
            return infrastructureError(
                QStringLiteral("Cannot read the domain XML template '%1'").arg(m_spec.xml),
                file.errorString());
        QMap<QString, QString> vars = m_request.variables;
        vars.insert(QStringLiteral("kernel"), m_spec.kernel);
        vars.insert(QStringLiteral("initrd"), m_spec.initrd);
        vars.insert(QStringLiteral("cmdline"), m_spec.cmdline);
        vars.insert(QStringLiteral("disk"), m_spec.disk);
        vars.insert(QStringLiteral("image"), m_spec.image);
        if (!m_spec.domain.isEmpty())
            vars.insert(QStringLiteral("domain"), m_spec.domain);
        auto xml = DomainXml::render(QString::fromUtf8(file.readAll()), vars);
        if (!xml)
            return Error{xml.error().what + QStringLiteral(" (%1)").arg(m_spec.xml),
                         xml.error().code, xml.error().detail};
        if (!m_spec.domain.isEmpty()) {
            xml = DomainXml::setName(*xml, m_spec.domain);
            if (!xml)
                return xml.error();
        }
        return DomainXml::setDirectBoot(*xml, boot);
    }
    if (m_spec.domain.isEmpty())
        return infrastructureError(
            QStringLiteral("libvirt-kernel needs a domain XML template (xml) or a defined "
                           "domain (domain)"));
    auto domain = m_connection.lookup(m_spec.domain);
    if (!domain)
        return domain.error();
    auto xml = domain->xml(/*inactive=*/true);
    if (!xml)
        return xml.error();
    return DomainXml::setDirectBoot(*xml, boot);
}

Status Deploy::destroyRunning(const QString &name) {
    auto found = m_connection.find(name);
    if (!found)
        return found.error();
    if (!found->has_value())
        return okStatus();
    auto status = (*found)->status();
    if (!status)
        return status.error();
    if (!status->active)
        return okStatus();
    log(QStringLiteral("destroying the running domain '%1'").arg(name));
    return (*found)->destroy();
}

Status Deploy::qemuImg(const QStringList &args, const QString &what) {
    process::ProcessSpec spec;
    spec.argv = QStringList{QStringLiteral("qemu-img")} + args;
    spec.timeoutMs = m_deadline.remaining();
    log(QStringLiteral("$ %1").arg(spec.argv.join(QLatin1Char(' '))));
    QByteArray errors;
    const process::ProcessResult r = process::ProcessRunner::run(
        spec,
        [&](process::Channel channel, const QByteArray &chunk) {
            if (channel == process::Channel::Stderr)
                errors += chunk;
            for (const QByteArray &line : chunk.split('\n'))
                if (!line.trimmed().isEmpty())
                    log(QString::fromUtf8(line));
        },
        m_cancel);
    using Ending = process::ProcessResult::Ending;
    switch (r.ending) {
    case Ending::Exited:
        if (r.exitCode == 0)
            return okStatus();
        return Error{what, ErrorOperation,
                     QStringLiteral("qemu-img: %1; %2")
                         .arg(r.describe(), QString::fromUtf8(errors.trimmed()).right(500))};
    case Ending::TimedOut:
        return Error{QStringLiteral("The deploy timed out after %1 in qemu-img")
                         .arg(formatDuration(m_deadline.timeout())),
                     ErrorTimeout};
    case Ending::Cancelled:
        return Error{QStringLiteral("The deploy was cancelled"), ErrorCancelled};
    case Ending::FailedToStart:
        return infrastructureError(what, r.error);
    case Ending::Signaled:
        break;
    }
    return Error{what, ErrorOperation, r.describe()};
}

Result<LibvirtDomain> Deploy::replaceDisk() {
    if (m_spec.domain.isEmpty())
        return infrastructureError(QStringLiteral("libvirt-disk needs the domain to deploy to"));
    if (m_spec.disk.isEmpty())
        return infrastructureError(QStringLiteral("libvirt-disk needs the disk to replace"));
    if (Status st = checkFile(m_spec.image, QStringLiteral("disk image")); !st)
        return st.error();

    auto domain = m_connection.lookup(m_spec.domain);
    if (!domain)
        return domain.error();
    auto status = domain->status();
    if (!status)
        return status.error();
    if (!status->persistent)
        return infrastructureError(
            QStringLiteral("The domain '%1' is transient; libvirt-disk needs a defined domain")
                .arg(m_spec.domain));
    if (status->active) {
        log(QStringLiteral("destroying the running domain '%1'").arg(m_spec.domain));
        if (Status st = domain->destroy(); !st)
            return st.error();
    }

    auto xml = domain->xml(/*inactive=*/true);
    if (!xml)
        return xml.error();
    auto disks = DomainXml::disks(*xml);
    if (!disks)
        return disks.error();
    const DomainXml::Disk *disk = nullptr;
    for (const DomainXml::Disk &d : *disks)
        if (d.source == m_spec.disk || d.target == m_spec.disk)
            disk = &d;
    if (!disk || disk->source.isEmpty())
        return infrastructureError(
            QStringLiteral("The domain '%1' has no disk '%2'").arg(m_spec.domain, m_spec.disk));
    const QString target = disk->source;
    const QString format = m_spec.format.isEmpty() ? QStringLiteral("raw") : m_spec.format;
    if (disk->format != format) {
        auto edited = DomainXml::setDiskSource(*xml, m_spec.disk, target, format);
        if (!edited)
            return edited.error();
        log(QStringLiteral("disk '%1' of '%2' becomes %3").arg(target, m_spec.domain, format));
        auto redefined = m_connection.define(*edited);
        if (!redefined)
            return redefined.error();
    }

    if (auto stop = interrupted())
        return *stop;
    // Convert beside the disk and rename over it, so a failed convert leaves the old disk.
    const QString temporary = target + QStringLiteral(".bw-new");
    QFile::remove(temporary);
    if (Status st = qemuImg(
            {QStringLiteral("convert"), QStringLiteral("-O"), format, m_spec.image, temporary},
            QStringLiteral("Cannot convert '%1' into the disk of '%2'")
                .arg(m_spec.image, m_spec.domain));
        !st) {
        QFile::remove(temporary);
        return st.error();
    }
    if (!m_spec.resize.isEmpty()) {
        if (Status st = qemuImg(
                {QStringLiteral("resize"), QStringLiteral("-f"), format, temporary, m_spec.resize},
                QStringLiteral("Cannot resize the disk of '%1' to %2")
                    .arg(m_spec.domain, m_spec.resize));
            !st) {
            QFile::remove(temporary);
            return st.error();
        }
    }
    if (std::rename(QFile::encodeName(temporary).constData(),
                    QFile::encodeName(target).constData()) != 0) {
        const QString reason = QString::fromLocal8Bit(std::strerror(errno));
        QFile::remove(temporary);
        return Error{QStringLiteral("Cannot replace the disk '%1'").arg(target), ErrorOperation,
                     reason};
    }
    log(QStringLiteral("replaced disk '%1' with '%2'").arg(target, m_spec.image));
    return m_connection.lookup(m_spec.domain);
}

Status Deploy::attachAndResume(VmInstance &vm) {
    if (m_request.console) {
        auto console =
            ConsoleStream::open(vm.m_domain, m_request.consoleOptions, m_request.consoleSink);
        if (!console)
            return console.error();
        vm.m_console = std::move(*console);
    }
    if (auto stop = interrupted())
        return *stop;
    auto status = vm.m_domain.status();
    if (!status)
        return status.error();
    if (status->state != DomainState::Paused) { // a driver that cannot start paused
        log(QStringLiteral("note: %1 started the domain running; early console output may be "
                           "missing")
                .arg(m_spec.uri));
        return okStatus();
    }
    return vm.m_domain.resume();
}

Result<std::unique_ptr<VmInstance>> Deploy::run() {
    const bool kernel = m_spec.kind == DeployKind::LibvirtKernel;
    if (!kernel && m_spec.kind != DeployKind::LibvirtDisk)
        return infrastructureError(
            QStringLiteral("VmDeployer deploys libvirt-kernel and libvirt-disk, not '%1'")
                .arg(deployKindName(m_spec.kind)));
    if (auto stop = interrupted())
        return *stop;
    if (!kernel && LibvirtConnection::isRemoteUri(m_spec.uri))
        return infrastructureError(
            QStringLiteral("libvirt-disk converts the image with qemu-img on this machine, so it "
                           "needs a local libvirt URI, not %1")
                .arg(m_spec.uri));
    if (kernel) {
        if (Status st = checkFile(m_spec.kernel, QStringLiteral("kernel")); !st)
            return st.error();
        if (!m_spec.initrd.isEmpty())
            if (Status st = checkFile(m_spec.initrd, QStringLiteral("initrd")); !st)
                return st.error();
    }

    auto connection = LibvirtConnection::open(m_spec.uri);
    if (!connection)
        return connection.error();
    m_connection = *connection;

    std::unique_ptr<VmInstance> vm(new VmInstance);
    vm->m_connection = m_connection;
    const StartOptions start{/*paused=*/true, /*autodestroy=*/true};
    if (kernel) {
        auto xml = kernelXml();
        if (!xml)
            return xml.error();
        auto name = DomainXml::name(*xml);
        if (!name)
            return name.error();
        if (Status st = destroyRunning(*name); !st)
            return st.error();
        if (auto stop = interrupted())
            return *stop;
        log(QStringLiteral("starting domain '%1' (direct kernel boot of %2)")
                .arg(*name, m_spec.kernel));
        auto domain = m_connection.createTransient(*xml, start);
        if (!domain)
            return domain.error();
        vm->m_domain = *domain;
        vm->m_xml = *xml;
    } else {
        auto domain = replaceDisk();
        if (!domain)
            return domain.error();
        if (auto stop = interrupted())
            return *stop;
        log(QStringLiteral("starting domain '%1'").arg(m_spec.domain));
        if (Status st = domain->start(start); !st)
            return st.error();
        vm->m_domain = *domain;
        auto xml = domain->xml();
        vm->m_xml = xml ? *xml : QString();
    }
    // From here on, an error destroys the guest (VmInstance's destructor).
    if (Status st = attachAndResume(*vm); !st)
        return st.error();
    if (!vm->m_domain.autodestroy())
        log(QStringLiteral("note: %1 cannot autodestroy; the domain is destroyed explicitly")
                .arg(m_spec.uri));
    return vm;
}

VmInstance::~VmInstance() {
    if (!m_keepRunning && !m_domain.isNull()) {
        if (Status st = m_domain.destroy(); !st)
            qCWarning(bwVm).noquote() << st.error().message();
    }
    if (m_console)
        m_console->close();
}

Status VmInstance::destroy() {
    return m_domain.destroy();
}

ConsoleWaitResult VmInstance::waitForConsole(const QRegularExpression &pattern, Millis timeoutMs,
                                             const process::CancelToken *cancel) {
    if (!m_console) {
        ConsoleWaitResult r;
        r.outcome = ConsoleWaitResult::Outcome::Error;
        r.error = infrastructureError(QStringLiteral("The deploy attached no console to wait on"));
        (void)m_domain.destroy();
        return r;
    }
    ConsoleWaitResult r = m_console->waitForPattern(pattern, timeoutMs, cancel);
    if (!r.matched()) {
        if (Status st = m_domain.destroy(); !st)
            qCWarning(bwVm).noquote() << st.error().message();
    }
    return r;
}

Result<std::unique_ptr<VmInstance>> VmDeployer::deploy(const DeployRequest &request,
                                                       const process::CancelToken *cancel) {
    Deploy deploy(request, cancel);
    return deploy.run();
}

} // namespace bw::vm
