#pragma once

#include "models/Recipe.h"
#include "models/Result.h"

#include <QByteArray>
#include <QFile>
#include <QMutex>
#include <QString>

#include <array>
#include <functional>
#include <memory>

namespace bw::pipeline {

// Creates `directory` and any missing parents owner-only (0700, whatever the umask);
// directories that exist already are left as they are. False when it cannot.
[[nodiscard]] bool makePrivateDirectory(const QString &directory);

// The logs of one step: build.log, console.log, test.log and pipeline.log in the step's
// directory, appended and flushed as chunks arrive (a crash loses nothing already
// streamed), each chunk also handed to a live listener (the GUI's tabs, a terminal).
// Used on the step's worker thread; append() may also come from another thread (a VM's
// console arrives on the libvirt event loop's thread).
class StepLogs {
public:
    using Listener = std::function<void(LogKind, const QByteArray &)>;

    // Creates `directory` (and its parents) when needed. Without a directory the logs
    // are kept in memory only (capped), which is enough for classification.
    [[nodiscard]] static Result<std::unique_ptr<StepLogs>> open(const QString &directory,
                                                                Listener listener);

    void append(LogKind log, const QByteArray &chunk);
    // A pipeline line with a time stamp: "[12:00:03] build: exit 0 after 12s".
    void event(const QString &line);

    // The log's text for classification patterns: the whole file up to `cap` bytes (its
    // tail beyond that), decoded as UTF-8.
    [[nodiscard]] QString text(LogKind log, qint64 cap = 32 * 1024 * 1024) const;
    [[nodiscard]] QString path(LogKind log) const;
    [[nodiscard]] QString directory() const { return m_directory; }
    // The first write error, if any (a full disk); later writes are not attempted.
    [[nodiscard]] QString writeError() const {
        QMutexLocker lock(&m_mutex);
        return m_writeError;
    }

    static constexpr qint64 MemoryCap = 8 * 1024 * 1024;

private:
    StepLogs(QString directory, Listener listener);

    QString m_directory;
    Listener m_listener;
    std::array<std::unique_ptr<QFile>, 4> m_files;
    std::array<QByteArray, 4> m_memory; // without a directory
    QString m_writeError;
    mutable QMutex m_mutex; // the files, the memory and the error
};

} // namespace bw::pipeline
