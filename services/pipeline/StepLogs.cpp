#include "services/pipeline/StepLogs.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include <cerrno>

#include <sys/stat.h>

namespace bw::pipeline {

namespace {
int index(LogKind log) {
    return static_cast<int>(log);
}
} // namespace

bool makePrivateDirectory(const QString &directory) {
    const QString path = QDir::cleanPath(QDir(directory).absolutePath());
    QStringList missing;
    for (QString p = path; !QFileInfo::exists(p); p = QFileInfo(p).path()) {
        missing.prepend(p);
        if (p == QFileInfo(p).path())
            break;
    }
    for (const QString &p : missing) {
        const QByteArray native = QFile::encodeName(p);
        if (::mkdir(native.constData(), S_IRWXU) != 0 && errno != EEXIST)
            return false;
        ::chmod(native.constData(), S_IRWXU); // a umask may have taken owner bits
    }
    return QFileInfo(path).isDir();
}

StepLogs::StepLogs(QString directory, Listener listener)
    : m_directory(std::move(directory))
    , m_listener(std::move(listener)) {}

Result<std::unique_ptr<StepLogs>> StepLogs::open(const QString &directory, Listener listener) {
    std::unique_ptr<StepLogs> logs(new StepLogs(directory, std::move(listener)));
    if (directory.isEmpty())
        return logs;
    if (!makePrivateDirectory(directory))
        return Error{QStringLiteral("cannot create the step's log directory %1").arg(directory)};
    for (LogKind kind : {LogKind::Build, LogKind::Console, LogKind::Test, LogKind::Pipeline}) {
        auto file = std::make_unique<QFile>(logs->path(kind));
        if (!file->open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered))
            return Error{QStringLiteral("cannot write %1").arg(file->fileName()), 1,
                         file->errorString()};
        file->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        logs->m_files[index(kind)] = std::move(file);
    }
    return logs;
}

QString StepLogs::path(LogKind log) const {
    if (m_directory.isEmpty())
        return {};
    return m_directory + u'/' + logName(log) + QStringLiteral(".log");
}

void StepLogs::append(LogKind log, const QByteArray &chunk) {
    if (chunk.isEmpty())
        return;
    const int i = index(log);
    QMutexLocker lock(&m_mutex);
    if (QFile *f = m_files[i].get()) {
        if (m_writeError.isEmpty() && f->write(chunk) != chunk.size())
            m_writeError =
                QStringLiteral("cannot write %1: %2").arg(f->fileName(), f->errorString());
    } else {
        QByteArray &m = m_memory[i];
        m += chunk;
        if (m.size() > MemoryCap)
            m.remove(0, m.size() - MemoryCap);
    }
    lock.unlock();
    if (m_listener)
        m_listener(log, chunk);
}

void StepLogs::event(const QString &line) {
    append(LogKind::Pipeline,
           QStringLiteral("[%1] %2\n")
               .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss")), line)
               .toUtf8());
}

QString StepLogs::text(LogKind log, qint64 cap) const {
    const int i = index(log);
    QMutexLocker lock(&m_mutex);
    if (!m_files[i])
        return QString::fromUtf8(m_memory[i]);
    QFile f(path(log));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    if (f.size() > cap)
        f.seek(f.size() - cap);
    return QString::fromUtf8(f.readAll());
}

} // namespace bw::pipeline
