#pragma once

#include "models/BisectTypes.h"
#include "models/CommitGraphModel.h"
#include "models/LaneLayout.h"
#include "services/pipeline/Orchestrator.h"

#include <QFutureWatcher>

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QAction;
class QLabel;
class QLineEdit;
class QListWidget;
class QStackedWidget;
class QTableView;
class QDockWidget;
class QCloseEvent;

namespace bw {

class CommitDetailsView;
class LogInspectorDialog;
class CommitGraphView;
class RangeStrip;
class SessionController;
class LogTabs;
class RunCharts;
class ConfidencePanel;
class WorkersView;
namespace notify {
class Notifier;
}
namespace git {
class BisectWorkspace;
struct WorkspaceSnapshot;
} // namespace git

// The workbench window: the commit graph of the repository's bisect in the centre, git's
// own "Bisecting: N revisions left…" above it, marks from keys and menus, errors in one
// non-modal place (the banner and the status bar).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Opens (and loads, off the GUI thread) the repository containing `path`.
    void openRepository(const QString &path);
    // Opens a `git bisect log` in the log inspector; its steps are drawn on the graph.
    void inspectLog(const QString &logPath);

    [[nodiscard]] git::BisectWorkspace *workspace() const { return m_workspace; }
    [[nodiscard]] CommitGraphView *graphView() const { return m_view; }
    [[nodiscard]] SessionController *session() const { return m_session; }
    [[nodiscard]] LogTabs *logTabs() const { return m_logs; }
    [[nodiscard]] QTableView *timeline() const { return m_timeline; }
    [[nodiscard]] RunCharts *charts() const { return m_charts; }
    [[nodiscard]] ConfidencePanel *confidencePanel() const { return m_confidence; }
    [[nodiscard]] WorkersView *workersView() const { return m_workers; }
    [[nodiscard]] QListWidget *problems() const { return m_problems; }
    [[nodiscard]] QString runStatusText() const;

    // Starts an automated session (what the new-session dialog's Start does); an error is
    // shown in the problems list and returned.
    Status startSession(const pipeline::SessionOptions &options);
    // Reopens a stored session: an unfinished one resumes, a finished one is shown.
    Status reopenSession(const QString &sessionDir);
    // Changes a commit's mark by hand (through the session when one is open).
    Status overrideCommit(const Oid &commit, std::optional<MarkKind> mark, const QString &reason);

    enum class Theme { System, Light, Dark };
    void setTheme(Theme theme);
    // Where the sessions are kept (XDG state directory).
    [[nodiscard]] static QString sessionsRoot();

signals:
    // The graph and the header show a newly loaded state.
    void stateShown();
    // An automated session ended (found, failed, stopped…).
    void sessionEnded();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createRunDocks();
    void newSession();
    void showSessions();
    void exportReport();
    void importBisectLog();
    void exportBisectLog();
    void startOrResume();
    void resetBisect();
    void updateRunUi();
    void addProblem(const QString &title, const QString &details);
    void concludeNow();
    void timelineMenu(const QPoint &pos);
    void showStepLogs();
    void sessionFinished(pipeline::Orchestrator::Ending ending, const QString &message);
    void restoreSettings();
    void saveSettings();
    void addRecent(const QString &repository);
    [[nodiscard]] QStringList recentRepositories() const;
    void showAbout();
    void chooseRepository();
    void showSnapshot();
    void showError(const QString &message);
    void chooseLogToInspect();
    void showInspectedGraph();
    void showInspectedStep();
    void showMarks(const git::WorkspaceSnapshot &snapshot);
    void mark(MarkKind kind);
    void markCommit(MarkKind kind, const Oid &commit);
    void goToUnderTest();
    void setBusy(bool busy);

    git::BisectWorkspace *m_workspace = nullptr;
    CommitGraphModel *m_model = nullptr;
    CommitGraphView *m_view = nullptr;
    QStackedWidget *m_pages = nullptr;
    RangeStrip *m_strip = nullptr;
    QListWidget *m_marks = nullptr;
    QLineEdit *m_find = nullptr;
    CommitDetailsView *m_details = nullptr;
    QTimer m_detailsTimer;
    Oid m_pendingDetails;
    LogInspectorDialog *m_inspector = nullptr;
    bool m_inspecting = false;
    QFutureWatcher<std::pair<std::shared_ptr<const CommitDag>, std::shared_ptr<const LaneLayout>>>
        m_lanesWatcher;
    std::pair<BisectAnnotations, Oid> m_pendingStep;
    QLabel *m_welcome = nullptr;
    QLabel *m_header = nullptr;
    QLabel *m_banner = nullptr;
    QAction *m_markGood = nullptr;
    QAction *m_markBad = nullptr;
    QAction *m_markSkip = nullptr;
    QAction *m_remainingOnly = nullptr;
    QAction *m_reload = nullptr;
    QString m_repositoryPath;

    SessionController *m_session = nullptr;
    notify::Notifier *m_notifier = nullptr;
    LogTabs *m_logs = nullptr;
    RunCharts *m_charts = nullptr;
    ConfidencePanel *m_confidence = nullptr;
    QDockWidget *m_confidenceDock = nullptr;
    WorkersView *m_workers = nullptr;
    QDockWidget *m_workersDock = nullptr;
    QAction *m_conclude = nullptr;
    QTableView *m_timeline = nullptr;
    QListWidget *m_problems = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    QLabel *m_runStatus = nullptr;
    QTimer m_tick;
    QString m_viewedSessionDir; // a finished session shown (not run) in the window
    QAction *m_newSession = nullptr;
    QAction *m_start = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_stop = nullptr;
    QAction *m_oneStep = nullptr;
    QAction *m_reset = nullptr;
    QAction *m_export = nullptr;
    QAction *m_exportLog = nullptr;
    Theme m_theme = Theme::System;
};

} // namespace bw
