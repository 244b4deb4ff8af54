#pragma once

#include "models/Result.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace bw::vm {

struct ConnectionCore;
struct DomainCore;

enum class DomainState {
    NoState,
    Running,
    Blocked,
    Paused,
    ShuttingDown,
    ShutOff,
    Crashed,
    Suspended
};
// "running", "shut off", … as virsh spells them.
[[nodiscard]] QString domainStateName(DomainState state);

struct DomainStatus {
    DomainState state = DomainState::NoState;
    int reason = 0; // libvirt's reason for the state (virDomain*Reason)
    bool active = false;
    bool persistent = false;
    int id = -1; // -1 when not running
};

struct StartOptions {
    bool paused = false; // start with the CPUs stopped (attach a console, then resume())
    // Kill the guest when the connection that started it closes, so a crash of this
    // process leaves no guest behind. Dropped (and reported by autodestroy()) where the
    // driver cannot do it.
    bool autodestroy = false;
};

// One libvirt domain. A cheap, copyable handle; it keeps its connection open. Every call
// blocks on libvirt (an RPC for daemon drivers): call from a worker thread, never the GUI's.
// Errors: ErrorInfrastructure for daemon, XML and missing-domain faults (VmError.h).
class LibvirtDomain {
public:
    LibvirtDomain() = default;
    [[nodiscard]] bool isNull() const { return !m_core; }
    [[nodiscard]] QString name() const;
    [[nodiscard]] QString uri() const; // of its connection
    // Whether it was started with AUTODESTROY (it goes when its connection closes).
    [[nodiscard]] bool autodestroy() const;

    [[nodiscard]] Result<DomainStatus> status() const;
    // The live description, or with `inactive` the persistent one (what the next start uses).
    [[nodiscard]] Result<QString> xml(bool inactive = false) const;
    // Starts a defined (persistent) domain.
    [[nodiscard]] Status start(const StartOptions &options = {});
    [[nodiscard]] Status resume();
    // Hard power-off. A domain that is not running is not an error.
    [[nodiscard]] Status destroy();
    // Removes a persistent definition (a running domain becomes transient).
    [[nodiscard]] Status undefine();

    // For the services' own use (ConsoleStream): the shared state behind the handle.
    [[nodiscard]] const std::shared_ptr<DomainCore> &core() const { return m_core; }
    explicit LibvirtDomain(std::shared_ptr<DomainCore> core)
        : m_core(std::move(core)) {}

private:
    std::shared_ptr<DomainCore> m_core;
};

// A connection to one libvirt URI: `test:///default` (in-process, for tests),
// `qemu:///system` (the local libvirtd), `qemu+ssh://user@host/system` (the URI is passed
// through; authentication is libvirt's and ssh's business). Copies share the connection;
// it closes when the last copy, domain and console made from it are gone — and with it
// every guest started with StartOptions::autodestroy.
class LibvirtConnection {
public:
    LibvirtConnection() = default;
    // Starts the event loop first (LibvirtEventLoop). Enables keepalive on remote
    // transports so a dead peer is noticed.
    [[nodiscard]] static Result<LibvirtConnection> open(const QString &uri);

    [[nodiscard]] bool isOpen() const { return bool(m_core); }
    [[nodiscard]] QString uri() const;
    // True when the URI names a host (qemu+ssh://host/…): files such as disk images then
    // live on that host, not here.
    [[nodiscard]] static bool isRemoteUri(const QString &uri);

    [[nodiscard]] Result<QString> hostType() const; // "QEMU", "TEST", …
    // Active and inactive domains.
    [[nodiscard]] Result<QStringList> domainNames() const;
    // A missing domain is an infrastructure error naming it.
    [[nodiscard]] Result<LibvirtDomain> lookup(const QString &name) const;
    // A missing domain is no error here: an empty optional.
    [[nodiscard]] Result<std::optional<LibvirtDomain>> find(const QString &name) const;
    // Defines (or redefines, same name and uuid) a persistent domain.
    [[nodiscard]] Result<LibvirtDomain> define(const QString &xml);
    // Creates and starts a transient domain (it disappears when it stops).
    [[nodiscard]] Result<LibvirtDomain> createTransient(const QString &xml,
                                                        const StartOptions &options = {});
    // Drops this handle's reference (see the class comment for when the socket closes).
    void close() { m_core.reset(); }

private:
    explicit LibvirtConnection(std::shared_ptr<ConnectionCore> core)
        : m_core(std::move(core)) {}
    std::shared_ptr<ConnectionCore> m_core;
};

} // namespace bw::vm
