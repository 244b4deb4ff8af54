#pragma once

// Private to services/ssh: libssh handles and the helpers the .cpp files share. Never
// include this from a header outside services/ssh.

#include "services/ssh/SshSession.h"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <chrono>
#include <memory>

namespace bw::ssh::detail {

using Clock = std::chrono::steady_clock;

struct SessionDeleter {
    void operator()(ssh_session s) const { ssh_free(s); }
};
struct ChannelDeleter {
    void operator()(ssh_channel c) const { ssh_channel_free(c); }
};
struct KeyDeleter {
    void operator()(ssh_key k) const { ssh_key_free(k); }
};
struct KnownHostsEntryDeleter {
    void operator()(ssh_knownhosts_entry *e) const { ssh_knownhosts_entry_free(e); }
};
struct CharDeleter {
    void operator()(char *p) const { ssh_string_free_char(p); }
};
using SessionHandle = std::unique_ptr<ssh_session_struct, SessionDeleter>;
using ChannelHandle = std::unique_ptr<ssh_channel_struct, ChannelDeleter>;
using KeyHandle = std::unique_ptr<ssh_key_struct, KeyDeleter>;
using KnownHostsEntryHandle = std::unique_ptr<ssh_knownhosts_entry, KnownHostsEntryDeleter>;
using SshCharHandle = std::unique_ptr<char, CharDeleter>;

// A point in time an operation must finish by; max() for none.
struct Deadline {
    Clock::time_point at = Clock::time_point::max();

    [[nodiscard]] static Deadline in(qint64 ms) {
        if (ms <= 0)
            return {};
        return {Clock::now() + std::chrono::milliseconds(ms)};
    }
    [[nodiscard]] bool isSet() const { return at != Clock::time_point::max(); }
    [[nodiscard]] bool passed() const { return isSet() && Clock::now() >= at; }
    // Milliseconds left (>= 0), or `none` when no deadline is set.
    [[nodiscard]] qint64 remainingMs(qint64 none = 24 * 3600 * 1000) const;
    [[nodiscard]] static Deadline earlier(Deadline a, Deadline b) { return a.at < b.at ? a : b; }
};

[[nodiscard]] qint64 msSince(Clock::time_point start);

// Bounds libssh's own blocking waits (channel open, requests, flushes) by `ms` (>= 1).
void setBlockingTimeout(ssh_session session, qint64 ms);

enum class WaitResult { Ready, Slice, TimedOut, Cancelled };
// Waits until the session's socket is readable, the token is cancelled or the deadline
// passes, but never longer than `sliceMs` (then Slice: the caller pumps and looks again).
[[nodiscard]] WaitResult waitSocket(ssh_session session, Deadline deadline,
                                    const process::CancelToken *cancel, int sliceMs = 200);
// Sleeps until the deadline or a cancellation (TimedOut / Cancelled).
[[nodiscard]] WaitResult sleepUntil(Deadline deadline, const process::CancelToken *cancel);

// libssh's last error message for the session.
[[nodiscard]] QString lastError(ssh_session session);
// An Error of the given kind.
[[nodiscard]] Error makeError(SshErrorKind kind, const QString &what, const QString &detail = {});
// The right error after a libssh call on an established session failed: ConnectionLost
// when the session is gone, else `kind`.
[[nodiscard]] Error sessionError(ssh_session session, SshErrorKind kind, const QString &what);

// Opens a session channel and starts `command` on it (libssh's waits bounded by the
// deadline, at most 30 s).
[[nodiscard]] Result<ChannelHandle> openExecChannel(ssh_session session, const QString &command,
                                                    Deadline deadline);

// After EOF on both streams: the exit status (or the signal) the server sends last.
struct ExitInfo {
    enum class Kind { Status, Signal, Unknown, TimedOut, Cancelled, Lost };
    Kind kind = Kind::Unknown;
    int status = -1;
    QString signal;
};
// Installs callbacks on the channel that record exit-signal; remove() before freeing.
class ExitWatcher {
public:
    explicit ExitWatcher(ssh_channel channel);
    ~ExitWatcher();
    ExitWatcher(const ExitWatcher &) = delete;
    ExitWatcher &operator=(const ExitWatcher &) = delete;
    void remove();
    [[nodiscard]] ExitInfo wait(ssh_session session, Deadline deadline,
                                const process::CancelToken *cancel);

    QString signal; // set by the exit-signal callback

private:
    ssh_channel m_channel;
    std::unique_ptr<ssh_channel_callbacks_struct> m_callbacks;
};

// Ends a channel that is still running: sends EOF, asks the remote process to die (best
// effort; not for subsystems), closes the channel and frees it, within about half a second.
void abandonChannel(ssh_session session, ChannelHandle channel, bool requestKill = true);

} // namespace bw::ssh::detail

namespace bw::ssh {

struct SshSession::Impl {
    detail::SessionHandle session;
    SshTarget target;
    HostKeyInfo hostKey;
    QString authMethod;
};

} // namespace bw::ssh
