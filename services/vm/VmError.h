#pragma once

#include "models/Result.h"

namespace bw::vm {

// Error::code values of the VM services. An infrastructure error (libvirtd unreachable,
// a malformed domain XML, a missing domain, an unsupported call) says nothing about the
// commit under test: the pipeline retries or pauses instead of marking it.
inline constexpr int ErrorInfrastructure = 503;
// libvirt or QEMU refused an operation for a reason tied to what we asked (a kernel file
// QEMU cannot load, a disk image qemu-img cannot convert): the deploy failed.
inline constexpr int ErrorOperation = 500;
inline constexpr int ErrorTimeout = 408;
inline constexpr int ErrorCancelled = 499;

[[nodiscard]] inline bool isInfrastructure(const Error &e) {
    return e.code == ErrorInfrastructure;
}
[[nodiscard]] inline Error infrastructureError(QString what, QString detail = {}) {
    return Error{std::move(what), ErrorInfrastructure, std::move(detail)};
}

} // namespace bw::vm
