#pragma once

#include "models/Recipe.h"
#include "models/Result.h"
#include "services/process/CancelToken.h"

#include <QString>

#include <memory>

namespace bw::ssh {

// What went wrong, in Error::code. Everything here is an infrastructure problem as far as
// a bisect is concerned (StageOutcome::Error): none of it is evidence about the commit.
// The classes matter to the caller: Unreachable and ConnectionLost are worth a retry,
// HostKey* and AuthFailed need a human, Cancelled is the user's own doing.
enum class SshErrorKind : int {
    Unreachable = 1001, // refused, no route, name not resolved, no SSH handshake in time
    ConnectionLost,     // the connection dropped after it was up
    HostKeyUnknown,     // the host (host:port) has no key in known_hosts
    HostKeyChanged,     // known_hosts records a different key for it
    AuthFailed,         // neither the identity file nor the agent was accepted
    Protocol,           // the server refused a request or spoke nonsense
    Remote,             // the remote side reported a failure (permission denied, disk full)
    LocalFile,          // a local file (identity, known_hosts, upload source) could not be used
    Cancelled,
};

// The kind of an Error made here; Protocol for an error that did not come from ssh/.
[[nodiscard]] SshErrorKind sshErrorKind(const Error &error);
// True for the kinds a retry may fix (Unreachable, ConnectionLost).
[[nodiscard]] bool isTransient(SshErrorKind kind);

// Where to connect and how to prove who we are.
struct SshTarget {
    QString host = QStringLiteral("127.0.0.1");
    int port = 22;
    QString user = QStringLiteral("root");
    QString identity;   // a private key file; empty: the ssh-agent only. `~` expands.
    QString knownHosts; // empty: ~/.ssh/known_hosts. `~` expands.
    // TCP connect + SSH handshake + host key check + authentication, all together.
    qint64 connectTimeoutMs = 10000;

    // host/port/user/identity/known_hosts of a recipe's [wait] section.
    [[nodiscard]] static SshTarget fromWaitSpec(const WaitSpec &spec);
    // "root@127.0.0.1:2200"
    [[nodiscard]] QString display() const;
    // The known_hosts file that applies, with `~` expanded.
    [[nodiscard]] QString knownHostsFile() const;
};

// A host key as the server presented it, and what known_hosts says about it.
struct HostKeyInfo {
    QString host;
    int port = 22;
    QString keyType;     // "ssh-ed25519"
    QString fingerprint; // "SHA256:…", as `ssh-keygen -l` prints it
    QString knownHostsFile;
    int recordedLine = 0;    // the line of the (different) key on record; 0: none
    QString recordedKeyType; // its type
};

// One authenticated SSH connection (RAII). Blocking; lives on one thread (a step's
// worker): create, use and destroy it there. Move-only.
//
// Host keys are always checked against the target's known_hosts file: an unknown or a
// changed key refuses the connection with a message that names the host, the key type
// and the SHA256 fingerprint. Nothing is ever added to known_hosts except through
// trustHostKey(), which a user action must drive.
class SshSession {
public:
    // Connects, verifies the host key and authenticates (identity file, then the agent)
    // within target.connectTimeoutMs. A cancelled token ends the attempt at once.
    [[nodiscard]] static Result<SshSession> connect(const SshTarget &target,
                                                    const process::CancelToken *cancel = nullptr);

    // Connects only far enough to see the host key, and reports it with what known_hosts
    // says (recordedLine when a different key is on record). Trusts nothing, logs in
    // as nobody: for a "do you trust this host?" question.
    [[nodiscard]] static Result<HostKeyInfo> probeHostKey(const SshTarget &target);

    // The explicit "trust this host" action: connects, checks that the server presents
    // exactly `approvedFingerprint` (what the user was shown; required), and appends the
    // key to the target's known_hosts file (created 0600 in a 0700 folder when missing).
    // When a different key is recorded for the host the call fails unless
    // `replaceRecorded`, which removes the old lines for that host first.
    [[nodiscard]] static Result<HostKeyInfo> trustHostKey(const SshTarget &target,
                                                          const QString &approvedFingerprint,
                                                          bool replaceRecorded = false);

    SshSession(SshSession &&other) noexcept;
    SshSession &operator=(SshSession &&other) noexcept;
    ~SshSession();

    [[nodiscard]] const SshTarget &target() const;
    [[nodiscard]] const HostKeyInfo &hostKey() const;
    // How we logged in: "public key /root/.ssh/id_ed25519" or "ssh-agent".
    [[nodiscard]] QString authMethod() const;
    // False once the connection dropped or was closed.
    [[nodiscard]] bool isConnected() const;
    // Says goodbye to the server (bounded by a short timeout); the destructor does it too.
    void disconnect();

    struct Impl; // services/ssh/SshHandles.h

private:
    explicit SshSession(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;

    friend class RemoteCommand;
    friend class FileTransfer;
};

} // namespace bw::ssh
