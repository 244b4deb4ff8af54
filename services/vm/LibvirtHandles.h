#pragma once

// Private to services/vm: RAII ownership of libvirt handles and the error value built
// from libvirt's thread-local last error. Never include this from a public header.

#include "models/Result.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <QString>

#include <memory>

namespace bw::vm {

template <typename T, int (*Free)(T *)> struct VirDeleter {
    void operator()(T *p) const noexcept {
        if (p)
            Free(p);
    }
};

// virConnectClose drops one reference; domains and streams hold their own, so the socket
// closes (and AUTODESTROY guests go away) when the last of them is freed.
using ConnectPtr = std::unique_ptr<virConnect, VirDeleter<virConnect, virConnectClose>>;
using DomainPtr = std::unique_ptr<virDomain, VirDeleter<virDomain, virDomainFree>>;
using StreamPtr = std::unique_ptr<virStream, VirDeleter<virStream, virStreamFree>>;

// Builds an Error from libvirt's last error on the calling thread: `what` is the user's
// sentence, the detail is libvirt's message; the code is ErrorInfrastructure for faults
// of the machinery (daemon unreachable, bad XML, no such domain, unsupported call) and
// ErrorOperation otherwise. Resets the thread's last error; `number` receives libvirt's
// virErrorNumber (VIR_ERR_OK when there was none).
Error lastError(const QString &what, int *number = nullptr);

// Silences libvirt's default "libvirt: error : …" printing on stderr, once per process:
// errors are values here, logged under bw.vm.
void initializeLibvirt();

// The shared state behind LibvirtConnection and LibvirtDomain.
struct ConnectionCore {
    ConnectPtr conn;
    QString uri;
};

struct DomainCore {
    std::shared_ptr<ConnectionCore> connection;
    DomainPtr dom;
    QString name;
    bool autodestroy = false;
};

} // namespace bw::vm
