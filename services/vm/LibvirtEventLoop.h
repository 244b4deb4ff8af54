#pragma once

#include "models/Result.h"

#include <thread>

namespace bw::vm {

// The process's one libvirt event loop, owned by us: our own poll(2)-based
// implementation registered with virEventRegisterImpl before the first connection, run
// by a dedicated thread. Console stream, domain event, keepalive and timer callbacks of
// libvirt all run on that thread; ours copy their data and hand it on, never block,
// never touch Qt objects.
//
// Why not virEventRegisterDefaultImpl: in libvirt 9 that is GLib's *default* main
// context, which Qt's GLib event dispatcher iterates on the GUI thread too. The two
// threads then take turns owning the context, libvirt callbacks may run on the GUI
// thread, and a runner thread can block forever waiting for the context (we saw
// exactly that). With our own loop the callback thread is always ours.
class LibvirtEventLoop {
public:
    // Registers the implementation (once per process) and starts the runner thread when it
    // is not running. Thread-safe and idempotent. LibvirtConnection::open() calls it.
    [[nodiscard]] static Status ensureRunning();
    // Stops and joins the runner thread (idempotent). Callbacks stop being delivered until
    // ensureRunning() starts a new runner. Also run at process exit.
    static void shutdown();
    [[nodiscard]] static bool isRunning();
    // The runner's thread id (a default id when not running).
    [[nodiscard]] static std::thread::id threadId();
};

} // namespace bw::vm
