#pragma once

#include "models/Result.h"
#include "services/process/CancelToken.h"
#include "services/process/ProcessRunner.h"
#include "services/ssh/SshSession.h"

#include <QMap>
#include <QString>

namespace bw::ssh {

// How a remote command ended.
//
// Mapping to a StageResult (models/StepRecord.h), for the StepRunner:
//   Exited, exitCode 0      -> StageOutcome::Passed   (exitCode = 0)
//   Exited, exitCode != 0   -> StageOutcome::Failed   (exitCode = N)
//   Signaled                -> StageOutcome::Failed   (message = describe())
//   TimedOut                -> StageOutcome::Timeout  (timeoutMs)
//   Cancelled               -> StageOutcome::Cancelled
//   Error                   -> StageOutcome::Error    (infrastructure: error.message();
//                              sshErrorKind(error) tells a lost connection from a refusal)
struct RemoteCommandResult {
    enum class Ending { Exited, Signaled, TimedOut, Cancelled, Error };
    Ending ending = Ending::Error;
    int exitCode = -1; // Exited
    QString signal;    // Signaled: the name the server sent ("KILL", "SEGV")
    qint64 durationMs = 0;
    qint64 timeoutMs = 0; // TimedOut: the limit that was hit
    Error error;          // Error: what broke (the connection dropped, the channel was refused)

    [[nodiscard]] bool succeeded() const { return ending == Ending::Exited && exitCode == 0; }
    // One line: "exit 42", "killed by signal KILL", "timed out after 1s", "cancelled", or the
    // error's message.
    [[nodiscard]] QString describe() const;
};

// Runs one command on an exec channel of an open session, blocking the calling thread
// (the session's thread) while stdout and stderr chunks go to the sink as they arrive.
// The command is shell text run by the remote `sh` (POSIX): quote any data put into it
// (shellQuote in models/BisectLog.h). Its stdin is /dev/null.
//
// On a timeout or a cancellation the channel is closed within about half a second and the
// session stays usable. The command's whole process group is killed then: it runs under a
// small `sh` wrapper that does that when the channel's stdin closes (OpenSSH refuses
// "signal" requests for root sessions). A command that ends by a signal reports exit
// 128+N, as a shell does. A token that is already cancelled returns Cancelled without
// starting anything.
class RemoteCommand {
public:
    [[nodiscard]] static RemoteCommandResult run(SshSession &session, const QString &command,
                                                 qint64 timeoutMs, const process::ChunkSink &sink,
                                                 const process::CancelToken *cancel = nullptr);

    // `command` preceded by `export NAME='value'` lines, values shell-quoted: how the
    // recipe's BW_* variables reach a remote command (sshd accepts few env requests).
    // Names that are not shell identifiers are left out.
    [[nodiscard]] static QString withEnvironment(const QMap<QString, QString> &environment,
                                                 const QString &command);

    // Runs and collects stdout (and stderr into `errors` when given). For short helpers
    // such as `uname -r`.
    [[nodiscard]] static RemoteCommandResult capture(SshSession &session, const QString &command,
                                                     qint64 timeoutMs, QByteArray &output,
                                                     QByteArray *errors = nullptr,
                                                     const process::CancelToken *cancel = nullptr);
};

} // namespace bw::ssh
