#include "services/vm/LibvirtConnection.h"

#include "services/ServicesLogging.h"
#include "services/vm/LibvirtEventLoop.h"
#include "services/vm/LibvirtHandles.h"
#include "services/vm/VmError.h"

#include <QUrl>

#include <cstdlib>

namespace bw::vm {

namespace {

DomainState toState(int state) {
    switch (state) {
    case VIR_DOMAIN_RUNNING:
        return DomainState::Running;
    case VIR_DOMAIN_BLOCKED:
        return DomainState::Blocked;
    case VIR_DOMAIN_PAUSED:
        return DomainState::Paused;
    case VIR_DOMAIN_SHUTDOWN:
        return DomainState::ShuttingDown;
    case VIR_DOMAIN_SHUTOFF:
        return DomainState::ShutOff;
    case VIR_DOMAIN_CRASHED:
        return DomainState::Crashed;
    case VIR_DOMAIN_PMSUSPENDED:
        return DomainState::Suspended;
    default:
        return DomainState::NoState;
    }
}

// Flags the driver may reject without the call being wrong otherwise.
bool isUnsupported(int number) {
    return number == VIR_ERR_NO_SUPPORT || number == VIR_ERR_INVALID_ARG ||
           number == VIR_ERR_ARGUMENT_UNSUPPORTED || number == VIR_ERR_OPERATION_UNSUPPORTED;
}

std::shared_ptr<DomainCore> wrap(const std::shared_ptr<ConnectionCore> &conn, virDomainPtr dom,
                                 bool autodestroy = false) {
    auto core = std::make_shared<DomainCore>();
    core->connection = conn;
    core->dom.reset(dom);
    const char *name = virDomainGetName(dom);
    core->name = name ? QString::fromUtf8(name) : QString();
    core->autodestroy = autodestroy;
    return core;
}

QString quoted(const QString &name) {
    return QStringLiteral("'%1'").arg(name);
}

} // namespace

QString domainStateName(DomainState state) {
    switch (state) {
    case DomainState::NoState:
        return QStringLiteral("no state");
    case DomainState::Running:
        return QStringLiteral("running");
    case DomainState::Blocked:
        return QStringLiteral("idle");
    case DomainState::Paused:
        return QStringLiteral("paused");
    case DomainState::ShuttingDown:
        return QStringLiteral("in shutdown");
    case DomainState::ShutOff:
        return QStringLiteral("shut off");
    case DomainState::Crashed:
        return QStringLiteral("crashed");
    case DomainState::Suspended:
        return QStringLiteral("pmsuspended");
    }
    return QStringLiteral("unknown");
}

// ---- LibvirtDomain ----

QString LibvirtDomain::name() const {
    return m_core ? m_core->name : QString();
}

QString LibvirtDomain::uri() const {
    return m_core ? m_core->connection->uri : QString();
}

bool LibvirtDomain::autodestroy() const {
    return m_core && m_core->autodestroy;
}

Result<DomainStatus> LibvirtDomain::status() const {
    if (!m_core)
        return infrastructureError(QStringLiteral("No domain"));
    int state = 0;
    int reason = 0;
    if (virDomainGetState(m_core->dom.get(), &state, &reason, 0) < 0)
        return lastError(QStringLiteral("Cannot read the state of domain %1").arg(quoted(name())));
    DomainStatus st;
    st.state = toState(state);
    st.reason = reason;
    const int active = virDomainIsActive(m_core->dom.get());
    if (active < 0)
        return lastError(QStringLiteral("Cannot read the state of domain %1").arg(quoted(name())));
    st.active = active == 1;
    st.persistent = virDomainIsPersistent(m_core->dom.get()) == 1;
    const unsigned int id = virDomainGetID(m_core->dom.get());
    st.id = (st.active && id != static_cast<unsigned int>(-1)) ? static_cast<int>(id) : -1;
    return st;
}

Result<QString> LibvirtDomain::xml(bool inactive) const {
    if (!m_core)
        return infrastructureError(QStringLiteral("No domain"));
    char *text = virDomainGetXMLDesc(m_core->dom.get(), inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
    if (!text)
        return lastError(QStringLiteral("Cannot read the XML of domain %1").arg(quoted(name())));
    QString out = QString::fromUtf8(text);
    std::free(text);
    return out;
}

Status LibvirtDomain::start(const StartOptions &options) {
    if (!m_core)
        return infrastructureError(QStringLiteral("No domain"));
    unsigned int flags = 0;
    if (options.paused)
        flags |= VIR_DOMAIN_START_PAUSED;
    if (options.autodestroy)
        flags |= VIR_DOMAIN_START_AUTODESTROY;
    if (virDomainCreateWithFlags(m_core->dom.get(), flags) < 0) {
        int number = 0;
        Error e = lastError(QStringLiteral("Cannot start domain %1").arg(quoted(name())), &number);
        if (!options.autodestroy || !isUnsupported(number))
            return e;
        qCInfo(bwVm).noquote() << "starting" << name() << "without autodestroy:" << e.detail;
        if (virDomainCreateWithFlags(m_core->dom.get(), flags & ~VIR_DOMAIN_START_AUTODESTROY) < 0)
            return lastError(QStringLiteral("Cannot start domain %1").arg(quoted(name())));
        m_core->autodestroy = false;
        return okStatus();
    }
    m_core->autodestroy = options.autodestroy;
    return okStatus();
}

Status LibvirtDomain::resume() {
    if (!m_core)
        return infrastructureError(QStringLiteral("No domain"));
    if (virDomainResume(m_core->dom.get()) < 0)
        return lastError(QStringLiteral("Cannot resume domain %1").arg(quoted(name())));
    return okStatus();
}

Status LibvirtDomain::destroy() {
    if (!m_core)
        return okStatus();
    if (virDomainDestroy(m_core->dom.get()) < 0) {
        int number = 0;
        Error e =
            lastError(QStringLiteral("Cannot destroy domain %1").arg(quoted(name())), &number);
        // Not running, or a transient domain that is already gone: the goal is reached.
        if (number == VIR_ERR_OPERATION_INVALID || number == VIR_ERR_NO_DOMAIN)
            return okStatus();
        return e;
    }
    qCDebug(bwVm).noquote() << "destroyed domain" << name();
    return okStatus();
}

Status LibvirtDomain::undefine() {
    if (!m_core)
        return infrastructureError(QStringLiteral("No domain"));
    if (virDomainUndefine(m_core->dom.get()) < 0)
        return lastError(QStringLiteral("Cannot undefine domain %1").arg(quoted(name())));
    return okStatus();
}

// ---- LibvirtConnection ----

Result<LibvirtConnection> LibvirtConnection::open(const QString &uri) {
    if (Status loop = LibvirtEventLoop::ensureRunning(); !loop)
        return loop.error();
    const QByteArray u = uri.toUtf8();
    auto core = std::make_shared<ConnectionCore>();
    core->uri = uri;
    core->conn.reset(virConnectOpen(u.isEmpty() ? nullptr : u.constData()));
    if (!core->conn)
        return lastError(QStringLiteral("Cannot connect to libvirt at %1").arg(uri));
    // Notice a dead daemon or ssh peer within ~20 s instead of hanging on it. Drivers
    // that run in-process (test://, qemu:///embed) have no keepalive: not an error.
    if (virConnectSetKeepAlive(core->conn.get(), 5, 3) < 0)
        virResetLastError();
    qCDebug(bwVm).noquote() << "connected to" << uri;
    return LibvirtConnection(std::move(core));
}

QString LibvirtConnection::uri() const {
    return m_core ? m_core->uri : QString();
}

bool LibvirtConnection::isRemoteUri(const QString &uri) {
    const QUrl url(uri);
    const QString host = url.host();
    return !host.isEmpty() && host != QStringLiteral("localhost");
}

Result<QString> LibvirtConnection::hostType() const {
    if (!m_core)
        return infrastructureError(QStringLiteral("Not connected to libvirt"));
    const char *type = virConnectGetType(m_core->conn.get());
    if (!type)
        return lastError(QStringLiteral("Cannot read the hypervisor type of %1").arg(uri()));
    return QString::fromUtf8(type);
}

Result<QStringList> LibvirtConnection::domainNames() const {
    if (!m_core)
        return infrastructureError(QStringLiteral("Not connected to libvirt"));
    virDomainPtr *doms = nullptr;
    const int n = virConnectListAllDomains(m_core->conn.get(), &doms, 0);
    if (n < 0)
        return lastError(QStringLiteral("Cannot list the domains of %1").arg(uri()));
    QStringList names;
    for (int i = 0; i < n; ++i) {
        DomainPtr d(doms[i]);
        if (const char *name = virDomainGetName(d.get()))
            names << QString::fromUtf8(name);
    }
    std::free(doms);
    names.sort();
    return names;
}

Result<std::optional<LibvirtDomain>> LibvirtConnection::find(const QString &name) const {
    if (!m_core)
        return infrastructureError(QStringLiteral("Not connected to libvirt"));
    virDomainPtr dom = virDomainLookupByName(m_core->conn.get(), name.toUtf8().constData());
    if (!dom) {
        int number = 0;
        Error e = lastError(
            QStringLiteral("Cannot look up domain %1 on %2").arg(quoted(name), uri()), &number);
        if (number == VIR_ERR_NO_DOMAIN)
            return std::optional<LibvirtDomain>();
        return e;
    }
    return std::optional<LibvirtDomain>(LibvirtDomain(wrap(m_core, dom)));
}

Result<LibvirtDomain> LibvirtConnection::lookup(const QString &name) const {
    auto found = find(name);
    if (!found)
        return found.error();
    if (!found->has_value())
        return infrastructureError(
            QStringLiteral("There is no domain named %1 on %2").arg(quoted(name), uri()));
    return std::move(**found);
}

Result<LibvirtDomain> LibvirtConnection::define(const QString &xml) {
    if (!m_core)
        return infrastructureError(QStringLiteral("Not connected to libvirt"));
    virDomainPtr dom = virDomainDefineXML(m_core->conn.get(), xml.toUtf8().constData());
    if (!dom) {
        // Nothing runs yet: whatever libvirt disliked is the definition, never the commit.
        Error e =
            lastError(QStringLiteral("libvirt at %1 rejected the domain definition").arg(uri()));
        e.code = ErrorInfrastructure;
        return e;
    }
    return LibvirtDomain(wrap(m_core, dom));
}

Result<LibvirtDomain> LibvirtConnection::createTransient(const QString &xml,
                                                         const StartOptions &options) {
    if (!m_core)
        return infrastructureError(QStringLiteral("Not connected to libvirt"));
    unsigned int flags = 0;
    if (options.paused)
        flags |= VIR_DOMAIN_START_PAUSED;
    if (options.autodestroy)
        flags |= VIR_DOMAIN_START_AUTODESTROY;
    const QByteArray text = xml.toUtf8();
    const QString what = QStringLiteral("Cannot create the domain on %1").arg(uri());
    virDomainPtr dom = virDomainCreateXML(m_core->conn.get(), text.constData(), flags);
    if (dom)
        return LibvirtDomain(wrap(m_core, dom, options.autodestroy));
    // Drivers that cannot autodestroy (qemu:///embed) or start paused (test://) get the
    // flags they can do; the caller destroys explicitly and checks the state before resuming.
    for (const unsigned int drop :
         {unsigned(VIR_DOMAIN_START_AUTODESTROY), unsigned(VIR_DOMAIN_START_PAUSED)}) {
        int number = 0;
        Error e = lastError(what, &number);
        if (!(flags & drop) || !isUnsupported(number))
            return e;
        flags &= ~drop;
        qCInfo(bwVm).noquote() << "creating the domain without"
                               << (drop == VIR_DOMAIN_START_PAUSED ? "a paused start:"
                                                                   : "autodestroy:")
                               << e.detail;
        dom = virDomainCreateXML(m_core->conn.get(), text.constData(), flags);
        if (dom)
            return LibvirtDomain(wrap(m_core, dom, flags & VIR_DOMAIN_START_AUTODESTROY));
    }
    return lastError(what);
}

} // namespace bw::vm
