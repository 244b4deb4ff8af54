#pragma once

#include "ui/SessionListModel.h"

#include <QDialog>
#include <QFutureWatcher>

#include <vector>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace bw {

// Past sessions under a sessions directory, newest first and sortable by any column:
// reopen one (double-click or Reopen), export its report, or import a `git bisect log`.
// The directories are read off the GUI thread. The dialog only asks: the window reopens
// and imports.
class SessionListDialog : public QDialog {
    Q_OBJECT
public:
    explicit SessionListDialog(const QString &sessionsRoot, QWidget *parent = nullptr);
    ~SessionListDialog() override;

    [[nodiscard]] QString sessionsRoot() const { return m_root; }
    // Reads the sessions again (off the GUI thread); loaded() follows.
    void refresh();
    [[nodiscard]] bool isLoading() const { return m_scan.isRunning(); }

    [[nodiscard]] SessionListModel *model() const { return m_model; }
    [[nodiscard]] QTableView *view() const { return m_view; }
    // The selected session's directory, or empty.
    [[nodiscard]] QString currentSessionDir() const;
    void selectSession(const QString &sessionDir);

    // Asks to reopen / export the selected session; to import `logPath` (after checking
    // that it reads as a bisect log: an Error message in the status line otherwise).
    void reopenCurrent();
    void exportCurrent();
    bool importLog(const QString &logPath);

signals:
    void loaded();
    void reopenRequested(const QString &sessionDir);
    void importRequested(const QString &logPath);

private:
    void scanned();
    void updateButtons();
    void chooseLogToImport();

    QString m_root;
    SessionListModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_reopen = nullptr;
    QPushButton *m_export = nullptr;
    QFutureWatcher<std::vector<SessionSummary>> m_scan;
    bool m_rescan = false;
};

} // namespace bw
