#include "ui/SessionListModel.h"

#include "services/git/Repository.h"
#include "services/pipeline/SessionDirectory.h"
#include "services/store/SessionStore.h"

#include <QColor>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

#include <algorithm>

namespace bw {

QString defaultSessionsRoot() {
    QString state = qEnvironmentVariable("XDG_STATE_HOME");
    if (state.isEmpty())
        state = QDir::homePath() + QStringLiteral("/.local/state");
    return state + QStringLiteral("/bisect-workbench/sessions");
}

SessionSummary readSessionSummary(const QString &sessionDir) {
    SessionSummary s;
    s.dir = QDir(sessionDir).absolutePath();
    s.createdMs = QFileInfo(sessionDir).birthTime().toMSecsSinceEpoch();
    if (!pipeline::SessionDirectory::holdsSession(sessionDir)) {
        s.error = SessionListModel::tr("no session here");
        return s;
    }
    // The store directly (not SessionDirectory::open, which would create and chmod).
    auto store = store::SessionStore::open(sessionDir + QStringLiteral("/session.sqlite"));
    if (!store) {
        s.error = store.error().message();
        return s;
    }
    auto rows = store->sessions();
    if (!rows || rows->empty()) {
        s.error =
            rows ? SessionListModel::tr("the session was never started") : rows.error().message();
        return s;
    }
    const store::SessionRow &row = rows->back(); // the directory's first (and only) session
    s.repository = row.repository;
    s.status = row.status;
    s.message = row.message;
    s.culprit = row.culprit;
    s.createdMs = row.createdMs;
    s.updatedMs = row.updatedMs;
    if (auto steps = store->steps(row.id)) {
        s.steps = int(steps->size());
        if (s.culprit)
            for (const store::StepRow &step : *steps)
                if (step.step.commit == *s.culprit && !step.step.subject.isEmpty())
                    s.culpritSubject = step.step.subject;
    }
    if (s.culprit && s.culpritSubject.isEmpty())
        if (auto repo = git::Repository::open(s.repository))
            if (auto info = repo->commitInfo(*s.culprit))
                s.culpritSubject = info->subject;
    return s;
}

std::vector<SessionSummary> scanSessions(const QString &sessionsRoot) {
    std::vector<SessionSummary> out;
    const QFileInfoList dirs =
        QDir(sessionsRoot).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QFileInfo &d : dirs)
        if (pipeline::SessionDirectory::holdsSession(d.absoluteFilePath()))
            out.push_back(readSessionSummary(d.absoluteFilePath()));
    std::stable_sort(out.begin(), out.end(), [](const SessionSummary &a, const SessionSummary &b) {
        return std::max(a.createdMs, a.updatedMs) > std::max(b.createdMs, b.updatedMs);
    });
    return out;
}

SessionListModel::SessionListModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void SessionListModel::setSessions(std::vector<SessionSummary> sessions) {
    beginResetModel();
    m_sessions = std::move(sessions);
    endResetModel();
}

int SessionListModel::rowOf(const QString &sessionDir) const {
    const QString dir = QDir(sessionDir).absolutePath();
    for (std::size_t i = 0; i < m_sessions.size(); ++i)
        if (m_sessions[i].dir == dir)
            return int(i);
    return -1;
}

int SessionListModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_sessions.size());
}

int SessionListModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {

QString when(qint64 ms) {
    if (ms <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}

QString statusText(const SessionSummary &s) {
    if (!s.error.isEmpty())
        return SessionListModel::tr("unreadable");
    return s.status;
}

} // namespace

QVariant SessionListModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SessionSummary &s = m_sessions[std::size_t(index.row())];
    if (role == DirRole)
        return s.dir;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Repository:
            return s.repository.isEmpty() ? QFileInfo(s.dir).fileName()
                                          : QFileInfo(s.repository).fileName();
        case Status:
            return statusText(s);
        case Culprit:
            if (!s.culprit) // why there is none, when the session said
                return s.error.isEmpty() ? s.message : s.error;
            return s.culpritSubject.isEmpty()
                       ? s.culprit->toString().left(12)
                       : s.culprit->toString().left(12) + QStringLiteral("  ") + s.culpritSubject;
        case Steps:
            return s.steps;
        case Created:
            return when(s.createdMs);
        case Updated:
            return when(s.updatedMs);
        }
        break;
    case SortRole:
        switch (index.column()) {
        case Repository:
            return s.repository;
        case Status:
            return statusText(s);
        case Culprit:
            return s.culprit ? s.culprit->toString() : QString();
        case Steps:
            return s.steps;
        case Created:
            return s.createdMs;
        case Updated:
            return s.updatedMs;
        }
        break;
    case Qt::ToolTipRole: {
        QStringList lines{s.dir};
        if (!s.repository.isEmpty())
            lines << tr("Repository: %1").arg(s.repository);
        if (s.culprit)
            lines << tr("First bad commit: %1 %2").arg(s.culprit->toString(), s.culpritSubject);
        if (!s.message.isEmpty())
            lines << s.message;
        if (!s.error.isEmpty())
            lines << s.error;
        return lines.join(u'\n');
    }
    case Qt::TextAlignmentRole:
        if (index.column() == Steps)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::ForegroundRole:
        // A red that reads on light and dark backgrounds alike.
        if (index.column() == Status && (s.status == u"failed" || !s.error.isEmpty()))
            return QColor(0xd9, 0x3f, 0x3f);
        if (index.column() == Culprit && !s.culprit)
            return QGuiApplication::palette().brush(QPalette::PlaceholderText);
        break;
    default:
        break;
    }
    return {};
}

QVariant SessionListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Repository:
        return tr("Repository");
    case Status:
        return tr("Status");
    case Culprit:
        return tr("First bad commit");
    case Steps:
        return tr("Steps");
    case Created:
        return tr("Created");
    case Updated:
        return tr("Updated");
    }
    return {};
}

} // namespace bw
