#pragma once

#include "models/Result.h"
#include "services/process/CancelToken.h"
#include "services/ssh/SshSession.h"

#include <QString>

#include <optional>

namespace bw::ssh {

struct WaitForSshSpec {
    SshTarget target;              // target.connectTimeoutMs bounds one attempt
    qint64 timeoutMs = 120000;     // the whole wait; 0: none (then only a token ends it)
    qint64 maxRetryDelayMs = 1000; // the backoff between attempts grows from 100 ms to this
    // When set, `uname -r` on the target must print exactly this (the kernel that was
    // deployed, e.g. ${version}); otherwise the release is still read and reported.
    QString expectedKernelRelease;
};

// Mapping to a StageResult (models/StepRecord.h), for the StepRunner (wait stage):
//   Ready           -> StageOutcome::Passed   (facts["kernel_release"] = kernelRelease)
//   TimedOut        -> StageOutcome::Timeout  (timeoutMs; message = describe(), which
//                      names the last problem: "refused", "auth failed", …)
//   VersionMismatch -> StageOutcome::Failed   (message: "booted 6.1.0-13-amd64, expected
//                      6.2.0-rc1": the deploy did not boot the commit's kernel)
//   Cancelled       -> StageOutcome::Cancelled
//   Error           -> StageOutcome::Error    (a host key problem; needs a human, no retry)
struct WaitForSshResult {
    enum class Ending { Ready, TimedOut, VersionMismatch, Cancelled, Error };
    Ending ending = Ending::Error;
    int attempts = 0;
    qint64 durationMs = 0;
    qint64 timeoutMs = 0;
    QString kernelRelease; // `uname -r`, when it could be read
    QString lastProblem;   // why the last failed attempt failed
    Error error;           // Error (and, for TimedOut, the last attempt's error)
    // Ready (and VersionMismatch): the authenticated session, for the next stage to reuse
    // on the same thread.
    std::optional<SshSession> session;

    [[nodiscard]] bool succeeded() const { return ending == Ending::Ready; }
    // "ready after 3 attempts in 2.1s (kernel 6.1.0-13-amd64)", "no SSH on 127.0.0.1:2222
    // within 2m (last: Cannot connect …: Connection refused)", "booted 6.1.0-13-amd64,
    // expected 6.2.0-rc1", …
    [[nodiscard]] QString describe() const;
};

// Connects again and again (short, growing backoff) until the target is reachable and we
// are logged in, or the deadline passes; then optionally checks the booted kernel. Blocks
// the calling thread; a cancellation ends any wait at once. Host key problems end the wait
// at once (no retry can fix them); refused connections, handshakes that stall, dropped
// connections and authentication failures (a booting machine may not have its keys yet)
// are retried.
class WaitForSsh {
public:
    [[nodiscard]] static WaitForSshResult run(const WaitForSshSpec &spec,
                                              const process::CancelToken *cancel = nullptr);
};

} // namespace bw::ssh
