#include "services/git/StaleLocks.h"

#include "services/ServicesLogging.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <algorithm>

namespace bw::git {

QStringList removeStaleLocks(const std::vector<std::pair<QString, QString>> &places,
                             std::chrono::milliseconds staleAfter) {
    QFileInfoList locks;
    for (const auto &[dir, pattern] : places)
        locks += QDir(dir).entryInfoList({pattern}, QDir::Files | QDir::Hidden);
    if (locks.isEmpty())
        return {};
    const qint64 staleMs = staleAfter.count();
    auto age = [](const QFileInfo &f) {
        return f.lastModified().msecsTo(QDateTime::currentDateTime());
    };
    qint64 wait = 0;
    for (const QFileInfo &f : locks)
        wait = std::max(wait, std::clamp<qint64>(staleMs - age(f), 0, staleMs));
    if (wait > 0)
        QThread::msleep(static_cast<unsigned long>(wait));
    QStringList removed;
    for (QFileInfo f : locks) {
        f.refresh();
        if (!f.exists() || age(f) < staleMs)
            continue;
        if (QFile::remove(f.absoluteFilePath())) {
            qCWarning(bwGit) << "removed a stale lock left by a killed process:"
                             << f.absoluteFilePath();
            removed << f.absoluteFilePath();
        }
    }
    return removed;
}

} // namespace bw::git
