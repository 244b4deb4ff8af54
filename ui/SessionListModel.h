#pragma once

#include "models/Oid.h"

#include <QAbstractTableModel>
#include <QString>

#include <optional>
#include <vector>

namespace bw {

// One past session as the list shows it (read from its directory's store).
struct SessionSummary {
    QString dir;        // the session directory
    QString repository; // the user's work tree
    QString status;     // running | paused | finished | failed | stopped
    QString message;    // why it ended or paused
    std::optional<Oid> culprit;
    QString culpritSubject;
    int steps = 0;
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
    QString error; // when the directory could not be read: the row says why
};

// Reads every session directory directly under `sessionsRoot` (each with a
// session.sqlite): blocking file and database I/O, for a worker thread. Newest first.
[[nodiscard]] std::vector<SessionSummary> scanSessions(const QString &sessionsRoot);
// Reads one session directory.
[[nodiscard]] SessionSummary readSessionSummary(const QString &sessionDir);
// Where sessions live by default: $XDG_STATE_HOME (or ~/.local/state)
// /bisect-workbench/sessions, as the orchestrator creates them.
[[nodiscard]] QString defaultSessionsRoot();

// Past sessions as a table: repository, status, culprit, steps, created, updated.
// Qt::DisplayRole is for people; SortRole gives raw values (times, counts) for a
// QSortFilterProxyModel; DirRole the session directory.
class SessionListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Repository, Status, Culprit, Steps, Created, Updated, ColumnCount };
    enum Role { DirRole = Qt::UserRole + 1, SortRole };

    explicit SessionListModel(QObject *parent = nullptr);

    void setSessions(std::vector<SessionSummary> sessions);
    [[nodiscard]] const std::vector<SessionSummary> &sessions() const { return m_sessions; }
    // The row of `sessionDir`, or -1.
    [[nodiscard]] int rowOf(const QString &sessionDir) const;

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

private:
    std::vector<SessionSummary> m_sessions;
};

} // namespace bw
