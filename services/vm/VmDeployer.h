#pragma once

#include "models/Recipe.h"
#include "models/Result.h"
#include "services/process/CancelToken.h"
#include "services/vm/ConsoleStream.h"
#include "services/vm/LibvirtConnection.h"

#include <QMap>
#include <QRegularExpression>
#include <QString>

#include <functional>
#include <memory>

namespace bw::vm {

// A guest this step started: its connection (which keeps AUTODESTROY guests alive), its
// domain and its console. Destroying the instance destroys the domain (unless
// setKeepRunning(true)), so a guest never outlives the step that started it.
class VmInstance {
public:
    ~VmInstance();
    VmInstance(const VmInstance &) = delete;
    VmInstance &operator=(const VmInstance &) = delete;

    [[nodiscard]] const LibvirtConnection &connection() const { return m_connection; }
    [[nodiscard]] const LibvirtDomain &domain() const { return m_domain; }
    // Null when the deploy was asked for no console.
    [[nodiscard]] ConsoleStream *console() const { return m_console.get(); }
    // The domain XML the guest was started with.
    [[nodiscard]] const QString &xml() const { return m_xml; }

    // The [wait] kind console: ConsoleStream::waitForPattern, and unless it matched
    // (timeout, cancel, panic, stopped, error) the domain is destroyed right away.
    [[nodiscard]] ConsoleWaitResult waitForConsole(const QRegularExpression &pattern,
                                                   Millis timeoutMs,
                                                   const process::CancelToken *cancel);
    // Hard power-off now (idempotent); the console keeps what it read.
    [[nodiscard]] Status destroy();
    void setKeepRunning(bool keep) { m_keepRunning = keep; }

private:
    friend class Deploy; // VmDeployer's implementation
    VmInstance() = default;

    LibvirtConnection m_connection;
    LibvirtDomain m_domain;
    std::unique_ptr<ConsoleStream> m_console;
    QString m_xml;
    bool m_keepRunning = false;
};

struct DeployRequest {
    // kind LibvirtKernel or LibvirtDisk; paths already expanded and absolute
    // (RecipeVariables::expandPath), uri passed through to libvirt as written.
    DeploySpec spec;
    // Further ${name} values for the xml template (commit, short, port, session, …); the
    // deployer adds kernel, initrd, cmdline, disk, image and domain from `spec`.
    QMap<QString, QString> variables;
    bool console = true; // attach the serial console (needed by [wait] kind console)
    ConsoleStream::Options consoleOptions;
    ConsoleStream::Sink consoleSink; // raw console bytes, on the libvirt loop's thread
    // Progress lines for the pipeline log ("destroying 'bisect-vm'", qemu-img's output),
    // on the calling thread.
    std::function<void(const QString &)> log;
};

// The [deploy] stage for libvirt. Blocking: call on the step's worker thread.
//
// libvirt-kernel: builds the domain XML (from the `xml` template, or from the defined
// domain `domain` with <kernel>/<initrd>/<cmdline> replaced), destroys a running domain
// of that name, creates a TRANSIENT domain PAUSED with AUTODESTROY (so a crash of this
// process leaves no guest behind), attaches the console, then resumes it: the console
// holds the guest's output from its first byte.
//
// libvirt-disk: destroys the defined domain `domain`, converts `image` into the domain's
// disk (`disk`: its source path or target dev) with `qemu-img convert -O <format>` (into a
// temporary file renamed over the old one), `qemu-img resize` when `resize` is set,
// updates the disk's driver type when it changes, then starts the domain PAUSED with
// AUTODESTROY, attaches the console and resumes it. Needs a local URI: qemu-img runs here.
//
// Errors: ErrorInfrastructure (libvirt unreachable, bad XML or template, missing domain),
// ErrorOperation (a missing kernel or image, qemu-img or QEMU refusing), ErrorTimeout
// (spec.timeout), ErrorCancelled. Whatever was started is destroyed on every error.
class VmDeployer {
public:
    [[nodiscard]] static Result<std::unique_ptr<VmInstance>>
    deploy(const DeployRequest &request, const process::CancelToken *cancel = nullptr);
};

} // namespace bw::vm
