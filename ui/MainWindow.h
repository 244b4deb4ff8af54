#pragma once

#include "models/BisectTypes.h"
#include "models/CommitGraphModel.h"
#include "models/LaneLayout.h"

#include <QFutureWatcher>

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QAction;
class QLabel;
class QLineEdit;
class QListWidget;
class QStackedWidget;

namespace bw {

class CommitDetailsView;
class LogInspectorDialog;
class CommitGraphView;
class RangeStrip;
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

signals:
    // The graph and the header show a newly loaded state.
    void stateShown();

private:
    void createActions();
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
};

} // namespace bw
