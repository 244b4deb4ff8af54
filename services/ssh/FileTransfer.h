#pragma once

#include "models/Result.h"
#include "services/process/CancelToken.h"
#include "services/ssh/SshSession.h"

#include <QString>

#include <functional>
#include <vector>

namespace bw::ssh {

// How the bytes travel. Auto: SFTP when the server offers the subsystem, else Exec.
enum class TransferMethod { Auto, Sftp, Exec };
// "sftp", "exec" (`cat > path`), "auto"
[[nodiscard]] QString transferMethodName(TransferMethod method);

struct TransferSpec {
    QString localFile;  // `~` expands
    QString remotePath; // as the remote user sees it; "/dev/null" is fine
    int repeat = 1;
    qint64 timeoutMs = 0; // per iteration; 0: none
    TransferMethod method = TransferMethod::Auto;
};

// One finished (or interrupted) iteration.
struct TransferIteration {
    int number = 0;   // 1-based
    qint64 bytes = 0; // sent (== the file's size when completed)
    qint64 durationMs = 0;
    double bytesPerSecond = 0; // bytes / duration
    bool completed = false;
};

// The whole loop. Iterations run in order and the first one that does not complete stops
// it: `iterations` holds every iteration that ran, the last one being the one that ended
// the loop when it did not complete.
//
// Mapping to a StageResult (models/StepRecord.h), for the StepRunner:
//   Completed -> StageOutcome::Passed    (iterations = iterationsRequested)
//   TimedOut  -> StageOutcome::Timeout   (iteration = failedIteration, iterations =
//                iterationsRequested, timeoutMs; message = describe(): "iteration 3/15
//                timed out after 3m")
//   Cancelled -> StageOutcome::Cancelled
//   Error     -> StageOutcome::Error     (infrastructure: the connection dropped, the
//                remote path cannot be written, the local file cannot be read)
// Throughput per iteration is worth recording as facts ("iteration_3_bytes_per_s").
struct TransferResult {
    enum class Ending { Completed, TimedOut, Cancelled, Error };
    Ending ending = Ending::Error;
    TransferMethod method = TransferMethod::Auto; // the one that was used
    qint64 fileSize = 0;
    int iterationsRequested = 0;
    int failedIteration = 0; // the iteration that did not complete (1-based); 0 when all did
    qint64 timeoutMs = 0;
    qint64 durationMs = 0; // all iterations together
    std::vector<TransferIteration> iterations;
    Error error; // Error

    [[nodiscard]] bool succeeded() const { return ending == Ending::Completed; }
    // "3 × 100 MB in 2.9s (103 MB/s)", "iteration 2/3 timed out after 1s", …
    [[nodiscard]] QString describe() const;
};

struct TransferProgress {
    int iteration = 0; // 1-based
    int iterations = 0;
    qint64 bytesSent = 0; // in this iteration
    qint64 bytesTotal = 0;
    qint64 elapsedMs = 0; // in this iteration
};
// Called on the transferring thread, at most about every 100 ms and at each iteration's end.
using TransferProgressSink = std::function<void(const TransferProgress &)>;

// Uploads a local file to a remote path N times over an open session (the seed's
// "copy a 2 GB image 15 times, each within 3 minutes"), blocking the calling thread.
//
// SFTP is spoken directly on the "sftp" subsystem channel with pipelined 64 KiB writes,
// every wait bounded by the iteration's deadline and the token (libssh 0.10's own SFTP
// client waits for each write's reply and can hang in sftp_init on servers without the
// subsystem). Without SFTP the file is piped into `cat > 'path'` on an exec channel.
class FileTransfer {
public:
    [[nodiscard]] static TransferResult upload(SshSession &session, const TransferSpec &spec,
                                               const TransferProgressSink &progress = {},
                                               const process::CancelToken *cancel = nullptr);
};

} // namespace bw::ssh
