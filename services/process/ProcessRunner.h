#pragma once

#include "services/process/CancelToken.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

#include <functional>

namespace bw::process {

struct ProcessSpec {
    // argv[0] is looked up in PATH when it has no '/': the PATH of the child's environment
    // when it has one, else the runner's own. A relative path with a '/' ("./run-test")
    // is relative to the working directory.
    QStringList argv;
    QString workingDirectory; // empty: the current one
    // Set on top of the inherited environment (or of an empty one).
    QMap<QString, QString> environment;
    bool inheritEnvironment = true;
    qint64 timeoutMs = 0; // 0: no timeout
    // After a timeout or cancellation: SIGTERM to the group, then SIGKILL after this.
    qint64 killGraceMs = 2000;
};

enum class Channel { Stdout, Stderr };

// Receives output as it arrives, on the thread that called run().
using ChunkSink = std::function<void(Channel, const QByteArray &)>;

struct ProcessResult {
    enum class Ending { Exited, Signaled, TimedOut, Cancelled, FailedToStart };
    Ending ending = Ending::FailedToStart;
    int exitCode = -1; // Exited
    int signal = 0;    // Signaled
    qint64 durationMs = 0;
    qint64 timeoutMs = 0; // TimedOut: the limit that was hit
    // FailedToStart: why ("cannot run './run-test': No such file or directory")
    QString error;

    [[nodiscard]] bool succeeded() const { return ending == Ending::Exited && exitCode == 0; }
    // One line: "exit 2", "killed by signal 9 (SIGKILL)", "timed out after 3m", …
    [[nodiscard]] QString describe() const;
};

// Runs one command in its own process group (setsid), blocking the calling thread
// (a step's worker thread) while streaming stdout and stderr to the sink. A timeout or
// a cancellation signals the whole group, so a hung `make` and all its children go
// away; when the command exits, whatever it left running in its group is killed too.
// stdin is /dev/null. Output still held open by a process that escaped the group (its
// own setsid) is read for a short grace after the command exited, then abandoned.
// A token that is already cancelled returns Cancelled without starting anything.
class ProcessRunner {
public:
    [[nodiscard]] static ProcessResult run(const ProcessSpec &spec, const ChunkSink &sink,
                                           const CancelToken *cancel = nullptr);

    // Runs and collects stdout (stderr goes to `errors` when given, else is dropped), for
    // short helper commands such as `make -s kernelversion`. Both buffers are cleared first.
    [[nodiscard]] static ProcessResult capture(const ProcessSpec &spec, QByteArray &output,
                                               QByteArray *errors = nullptr,
                                               const CancelToken *cancel = nullptr);
};

} // namespace bw::process
