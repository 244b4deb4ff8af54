#include "services/vm/LibvirtHandles.h"

#include "services/ServicesLogging.h"
#include "services/vm/VmError.h"

#include <mutex>

namespace bw::vm {

namespace {

void quietErrorHandler(void *, virErrorPtr) {}

bool isInfrastructureNumber(int number, int domain) {
    switch (number) {
    case VIR_ERR_NO_MEMORY:
    case VIR_ERR_NO_SUPPORT:
    case VIR_ERR_UNKNOWN_HOST:
    case VIR_ERR_NO_CONNECT:
    case VIR_ERR_INVALID_CONN:
    case VIR_ERR_INVALID_DOMAIN:
    case VIR_ERR_INVALID_ARG:
    case VIR_ERR_OS_TYPE:
    case VIR_ERR_NO_KERNEL:
    case VIR_ERR_NO_ROOT:
    case VIR_ERR_NO_SOURCE:
    case VIR_ERR_NO_TARGET:
    case VIR_ERR_NO_NAME:
    case VIR_ERR_NO_OS:
    case VIR_ERR_NO_DEVICE:
    case VIR_ERR_XML_ERROR:
    case VIR_ERR_XML_DETAIL:
    case VIR_ERR_XML_INVALID_SCHEMA:
    case VIR_ERR_DOM_EXIST:
    case VIR_ERR_OPERATION_DENIED:
    case VIR_ERR_SYSTEM_ERROR:
    case VIR_ERR_RPC:
    case VIR_ERR_GNUTLS_ERROR:
    case VIR_ERR_NO_DOMAIN:
    case VIR_ERR_AUTH_FAILED:
    case VIR_ERR_AUTH_CANCELLED:
    case VIR_ERR_AUTH_UNAVAILABLE:
    case VIR_ERR_CONFIG_UNSUPPORTED:
    case VIR_ERR_OPERATION_TIMEOUT:
    case VIR_ERR_INVALID_STREAM:
    case VIR_ERR_ARGUMENT_UNSUPPORTED:
    case VIR_ERR_OPERATION_UNSUPPORTED:
    case VIR_ERR_SSH:
    case VIR_ERR_LIBSSH:
    case VIR_ERR_ACCESS_DENIED:
    case VIR_ERR_NO_SERVER:
    case VIR_ERR_NO_CLIENT:
    case VIR_ERR_MULTIPLE_DOMAINS:
        return true;
    default:
        // An internal error of the transport (connection reset, daemon gone) is
        // infrastructure; one from QEMU (it refused the kernel) is an operation error.
        return domain == VIR_FROM_RPC || domain == VIR_FROM_REMOTE;
    }
}

} // namespace

void initializeLibvirt() {
    static std::once_flag once;
    std::call_once(once, [] {
        virInitialize();
        virSetErrorFunc(nullptr, quietErrorHandler);
    });
}

Error lastError(const QString &what, int *number) {
    const virError *err = virGetLastError();
    if (number)
        *number = err ? err->code : VIR_ERR_OK;
    if (!err || err->code == VIR_ERR_OK)
        return Error{what, ErrorInfrastructure, QStringLiteral("libvirt gave no reason")};
    const QString detail = err->message ? QString::fromUtf8(err->message)
                                        : QStringLiteral("libvirt error %1").arg(err->code);
    const int code =
        isInfrastructureNumber(err->code, err->domain) ? ErrorInfrastructure : ErrorOperation;
    qCDebug(bwVm).noquote() << what << "—" << detail << "(libvirt code" << err->code << "domain"
                            << err->domain << ")";
    virResetLastError();
    return Error{what, code, detail};
}

} // namespace bw::vm
