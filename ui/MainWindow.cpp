#include "ui/MainWindow.h"

#include "models/CommitGraphModel.h"
#include "services/git/BisectWorkspace.h"
#include "ui/CommitDetailsView.h"
#include "ui/CommitGraphDelegate.h"
#include "ui/CommitGraphView.h"
#include "ui/LogInspectorDialog.h"
#include "ui/LogTabs.h"
#include "ui/LogView.h"
#include "ui/RangeStrip.h"
#include "ui/SessionController.h"
#include "ui/UiLogging.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace bw {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_workspace(new git::BisectWorkspace(this))
    , m_model(new CommitGraphModel(this))
    , m_session(new SessionController(this)) {
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(QStringLiteral("Bisect Workbench"));
    resize(1200, 760);

    m_pages = new QStackedWidget(this);
    m_welcome = new QLabel(m_pages);
    m_welcome->setObjectName(QStringLiteral("welcome"));
    m_welcome->setAlignment(Qt::AlignCenter);
    m_welcome->setWordWrap(true);
    m_welcome->setTextFormat(Qt::RichText);
    m_welcome->setText(tr("<h2>Bisect Workbench</h2>"
                          "<p>Find the commit that broke it: build, boot, test, repeat — "
                          "automatically, visibly, recoverably.</p>"
                          "<p>Open a repository (<b>Ctrl+O</b>) to see its history, and the "
                          "bisect in progress if there is one.</p>"
                          "<p>From a terminal: <code>bisect-workbench next</code> shows git's next "
                          "step; <code>bisect-workbench replay LOG</code> applies a bisect "
                          "log.</p>"));
    m_pages->addWidget(m_welcome);

    auto *graphPage = new QWidget(m_pages);
    auto *layout = new QVBoxLayout(graphPage);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_banner = new QLabel(graphPage);
    m_banner->setObjectName(QStringLiteral("errorBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(
        QStringLiteral("QLabel { background: #f8d7da; color: #58151c; padding: 6px 10px; }"));
    m_banner->hide();
    m_header = new QLabel(graphPage);
    m_header->setObjectName(QStringLiteral("bisectHeader"));
    m_header->setTextFormat(Qt::PlainText);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setContentsMargins(10, 8, 10, 8);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_header->setFont(mono);
    m_view = new CommitGraphView(graphPage);
    m_view->setGraphModel(m_model);
    m_strip = new RangeStrip(graphPage);
    auto *row = new QHBoxLayout;
    row->setSpacing(0);
    row->addWidget(m_view, 1);
    row->addWidget(m_strip);
    layout->addWidget(m_banner);
    layout->addWidget(m_header);
    layout->addLayout(row, 1);
    m_pages->addWidget(graphPage);
    setCentralWidget(m_pages);

    m_marks = new QListWidget(this);
    m_marks->setObjectName(QStringLiteral("marksList"));
    auto *marksDock = new QDockWidget(tr("Marks"), this);
    marksDock->setObjectName(QStringLiteral("marksDock"));
    marksDock->setWidget(m_marks);
    addDockWidget(Qt::RightDockWidgetArea, marksDock);
    connect(m_marks, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        if (auto oid = Oid::fromHex(item->data(Qt::UserRole).toString()))
            m_view->goToCommit(*oid);
    });
    connect(m_marks, &QListWidget::itemClicked, m_marks, &QListWidget::itemActivated);
    m_details = new CommitDetailsView(this);
    auto *detailsDock = new QDockWidget(tr("Commit"), this);
    detailsDock->setObjectName(QStringLiteral("detailsDock"));
    detailsDock->setWidget(m_details);
    addDockWidget(Qt::BottomDockWidgetArea, detailsDock);
    resizeDocks({detailsDock}, {260}, Qt::Vertical);
    // Moving through rows with the keys loads only where the cursor comes to rest.
    m_detailsTimer.setSingleShot(true);
    m_detailsTimer.setInterval(60);
    connect(m_view, &CommitGraphView::currentCommitChanged, this, [this](const Oid &oid) {
        m_pendingDetails = oid;
        m_detailsTimer.start();
    });
    connect(&m_detailsTimer, &QTimer::timeout, this, [this] {
        if (!m_repositoryPath.isEmpty())
            m_details->showCommit(m_repositoryPath, m_pendingDetails);
    });
    connect(m_details, &CommitDetailsView::parentActivated, m_view, &CommitGraphView::goToCommit);
    connect(m_strip, &RangeStrip::rowClicked, this, [this](int row) {
        if (m_model->dag() && row < m_model->dag()->size())
            m_view->reveal(m_model->dag()->oid(static_cast<CommitDag::Id>(row)));
    });

    createActions();
    createRunDocks();
    restoreSettings();
    statusBar()->showMessage(tr("Ready"));

    connect(m_workspace, &git::BisectWorkspace::snapshotChanged, this, &MainWindow::showSnapshot);
    connect(m_workspace, &git::BisectWorkspace::failed, this, &MainWindow::showError);
    connect(m_workspace, &git::BisectWorkspace::busyChanged, this, &MainWindow::setBusy);
    connect(m_workspace, &git::BisectWorkspace::markRecorded, this,
            [this](const QString &output, int exitCode) {
                const QString first = output.section(u'\n', 0, 0);
                if (exitCode != 0 && exitCode != 2)
                    showError(output.trimmed());
                else
                    statusBar()->showMessage(first, 8000);
            });
    connect(m_view, &CommitGraphView::markRequested, this, &MainWindow::markCommit);
    connect(&m_lanesWatcher, &QFutureWatcherBase::finished, this, &MainWindow::showInspectedGraph);
    connect(m_view, &CommitGraphView::clearMarksRequested, this, [this](const Oid &commit) {
        const auto s = m_workspace->snapshot();
        if (!s || !s->state.inProgress || m_inspecting)
            return;
        if (m_session->hasSession()) {
            (void)overrideCommit(commit, std::nullopt, tr("mark taken back by hand"));
            return;
        }
        statusBar()->showMessage(
            tr("Taking back the marks of %1…").arg(commit.toString().left(12)));
        m_workspace->clearMarks(commit);
    });
    qCInfo(bwUi) << "main window created";
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions() {
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_newSession = file->addAction(tr("&New Session…"), this, &MainWindow::newSession);
    m_newSession->setShortcut(QKeySequence::New);
    m_newSession->setObjectName(QStringLiteral("actionNewSession"));
    QAction *sessions = file->addAction(tr("&Sessions…"), this, &MainWindow::showSessions);
    sessions->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_O);
    sessions->setObjectName(QStringLiteral("actionSessions"));
    m_export = file->addAction(tr("&Export Report…"), this, &MainWindow::exportReport);
    m_export->setShortcut(Qt::CTRL | Qt::Key_E);
    m_export->setObjectName(QStringLiteral("actionExportReport"));
    file->addSeparator();
    QAction *open = file->addAction(tr("&Open Repository…"), this, &MainWindow::chooseRepository);
    open->setShortcut(QKeySequence::Open);
    open->setObjectName(QStringLiteral("actionOpen"));
    m_reload = file->addAction(tr("&Reload"), this, [this] {
        if (!m_repositoryPath.isEmpty())
            openRepository(m_repositoryPath);
    });
    m_reload->setShortcut(QKeySequence::Refresh);
    m_reload->setEnabled(false);
    QAction *inspect =
        file->addAction(tr("&Inspect a Bisect Log…"), this, &MainWindow::chooseLogToInspect);
    inspect->setShortcut(Qt::CTRL | Qt::Key_L);
    inspect->setObjectName(QStringLiteral("actionInspectLog"));
    QAction *importLog =
        file->addAction(tr("Import a Bisect &Log…"), this, &MainWindow::importBisectLog);
    importLog->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_I);
    importLog->setObjectName(QStringLiteral("actionImportLog"));
    m_exportLog =
        file->addAction(tr("Export the &Bisect Log…"), this, &MainWindow::exportBisectLog);
    m_exportLog->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_E);
    m_exportLog->setObjectName(QStringLiteral("actionExportLog"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setObjectName(QStringLiteral("actionQuit"));

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    m_start = run->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Start…"), this,
                             &MainWindow::startOrResume);
    m_start->setShortcut(Qt::Key_F5);
    m_start->setObjectName(QStringLiteral("actionStart"));
    m_pause =
        run->addAction(style()->standardIcon(QStyle::SP_MediaPause), tr("&Pause After This Step"));
    m_pause->setCheckable(true);
    m_pause->setShortcut(Qt::Key_F6);
    m_pause->setObjectName(QStringLiteral("actionPause"));
    connect(m_pause, &QAction::toggled, this, [this](bool on) { m_session->pauseAfterStep(on); });
    m_stop = run->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("S&top"), this,
                            [this] { m_session->stop(); });
    m_stop->setShortcut(Qt::SHIFT | Qt::Key_F5);
    m_stop->setObjectName(QStringLiteral("actionStop"));
    m_oneStep = run->addAction(style()->standardIcon(QStyle::SP_MediaSeekForward),
                               tr("Run &One Step"), this, [this] { m_session->runOneStep(); });
    m_oneStep->setShortcut(Qt::Key_F10);
    m_oneStep->setObjectName(QStringLiteral("actionOneStep"));
    m_conclude = run->addAction(tr("Stop Now and &Report (Flaky)"), this, &MainWindow::concludeNow);
    m_conclude->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_F);
    m_conclude->setObjectName(QStringLiteral("actionConclude"));
    m_conclude->setToolTip(tr("A flaky session: end now with the most likely commit as the "
                              "culprit, at the confidence it has reached"));
    run->addSeparator();
    m_reset = run->addAction(tr("&Reset the Bisect…"), this, &MainWindow::resetBisect);
    m_reset->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_R);
    m_reset->setObjectName(QStringLiteral("actionReset"));

    QMenu *bisect = menuBar()->addMenu(tr("&Bisect"));
    m_markGood = bisect->addAction(tr("Mark &Good"), this, [this] { mark(MarkKind::Good); });
    m_markGood->setShortcut(Qt::CTRL | Qt::Key_G);
    m_markGood->setObjectName(QStringLiteral("actionMarkGood"));
    m_markBad = bisect->addAction(tr("Mark &Bad"), this, [this] { mark(MarkKind::Bad); });
    m_markBad->setShortcut(Qt::CTRL | Qt::Key_B);
    m_markBad->setObjectName(QStringLiteral("actionMarkBad"));
    m_markSkip = bisect->addAction(tr("&Skip"), this, [this] { mark(MarkKind::Skip); });
    m_markSkip->setShortcut(Qt::CTRL | Qt::Key_K);
    m_markSkip->setObjectName(QStringLiteral("actionMarkSkip"));
    bisect->addSeparator();
    QAction *goTo =
        bisect->addAction(tr("Go to the Commit &Under Test"), this, &MainWindow::goToUnderTest);
    goTo->setShortcut(Qt::CTRL | Qt::Key_J);
    m_remainingOnly = bisect->addAction(tr("&Remaining Commits Only"));
    m_remainingOnly->setCheckable(true);
    m_remainingOnly->setShortcut(Qt::CTRL | Qt::Key_R);
    m_remainingOnly->setObjectName(QStringLiteral("actionRemainingOnly"));
    connect(m_remainingOnly, &QAction::toggled, m_view, &CommitGraphView::setRemainingOnly);
    for (QAction *a : {m_markGood, m_markBad, m_markSkip})
        a->setEnabled(false);

    QToolBar *runBar = addToolBar(tr("Run"));
    runBar->setObjectName(QStringLiteral("runToolBar"));
    runBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    runBar->addActions({m_start, m_pause, m_stop, m_oneStep});

    QToolBar *bar = addToolBar(tr("Bisect"));
    bar->setObjectName(QStringLiteral("bisectToolBar"));
    bar->addActions({m_markGood, m_markBad, m_markSkip});
    bar->addSeparator();
    bar->addActions({goTo, m_remainingOnly, m_reload});
    bar->addSeparator();
    m_find = new QLineEdit(bar);
    m_find->setObjectName(QStringLiteral("findField"));
    m_find->setPlaceholderText(tr("Find sha, ref or subject"));
    m_find->setClearButtonEnabled(true);
    m_find->setMaximumWidth(280);
    bar->addWidget(m_find);
    connect(m_find, &QLineEdit::returnPressed, this, [this] {
        const QString problem = m_view->find(m_find->text());
        statusBar()->showMessage(problem.isEmpty() ? tr("Found") : problem, 5000);
    });
    QAction *find = bisect->addAction(tr("&Find…"), this, [this] {
        m_find->setFocus();
        m_find->selectAll();
    });
    find->setShortcut(QKeySequence::Find);
    connect(m_view, &CommitGraphView::remainingOnlyChanged, m_remainingOnly, &QAction::setChecked);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    QMenu *theme = view->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(theme);
    for (auto [name, value] :
         {std::pair{tr("Follow the &Desktop"), Theme::System},
          std::pair{tr("&Light"), Theme::Light}, std::pair{tr("D&ark"), Theme::Dark}}) {
        QAction *a = theme->addAction(name, this, [this, value = value] { setTheme(value); });
        a->setCheckable(true);
        a->setChecked(QSettings().value(QStringLiteral("theme"), 0).toInt() ==
                      static_cast<int>(value));
        themes->addAction(a);
    }
    view->addAction(tr("Log &Line Limit…"), this, [this] {
        bool ok = false;
        const int lines = QInputDialog::getInt(
            this, tr("Log Line Limit"), tr("Lines kept in each log tab (older ones scroll away):"),
            QSettings().value(QStringLiteral("logs/maxLines"), 200000).toInt(), 1000, 10000000,
            10000, &ok);
        if (!ok)
            return;
        QSettings().setValue(QStringLiteral("logs/maxLines"), lines);
        for (LogKind k : {LogKind::Build, LogKind::Console, LogKind::Test, LogKind::Pipeline})
            if (LogView *v = m_logs->liveView(k))
                v->setMaxLines(lines);
    });
    view->addSeparator();
    // The docks' own toggles, filled once they exist.
    connect(view, &QMenu::aboutToShow, this, [this, view] {
        for (QAction *a : view->actions())
            if (a->property("dockToggle").toBool())
                view->removeAction(a);
        for (QDockWidget *d : findChildren<QDockWidget *>()) {
            QAction *a = d->toggleViewAction();
            a->setProperty("dockToggle", true);
            view->addAction(a);
        }
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Bisect Workbench"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("actionAbout"));
}

void MainWindow::openRepository(const QString &path) {
    m_repositoryPath = QDir(path).absolutePath();
    m_banner->hide();
    statusBar()->showMessage(tr("Loading %1…").arg(m_repositoryPath));
    m_workspace->open(m_repositoryPath);
}

void MainWindow::chooseRepository() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Open Repository"),
        m_repositoryPath.isEmpty() ? QDir::homePath() : m_repositoryPath);
    if (!dir.isEmpty())
        openRepository(dir);
}

void MainWindow::chooseLogToInspect() {
    const QString file =
        QFileDialog::getOpenFileName(this, tr("Inspect a Bisect Log"), m_repositoryPath,
                                     tr("Bisect logs (*.log *.txt);;All files (*)"));
    if (!file.isEmpty())
        inspectLog(file);
}

void MainWindow::inspectLog(const QString &logPath) {
    if (!m_inspector) {
        m_inspector = new LogInspectorDialog(this);
        // The replay's states are drawn on the main graph, switched to the replay's DAG
        // (its annotations are indexed by it); closing the dialog brings the bisect back.
        connect(m_inspector, &LogInspectorDialog::graphReady, this,
                [this](std::shared_ptr<const CommitDag> dag) {
                    m_lanesWatcher.setFuture(QtConcurrent::run([dag] {
                        return std::make_pair(
                            dag, std::make_shared<const LaneLayout>(LaneLayout::compute(*dag)));
                    }));
                });
        connect(m_inspector, &LogInspectorDialog::stepAnnotations, this,
                [this](const BisectAnnotations &annotations, const Oid &focus) {
                    m_pendingStep = {annotations, focus};
                    if (m_inspecting)
                        showInspectedStep();
                });
        connect(m_inspector, &QDialog::finished, this, [this] {
            m_inspecting = false;
            showSnapshot();
        });
    }
    m_inspecting = false;
    m_inspector->openLog(logPath, m_repositoryPath);
    m_inspector->show();
    m_inspector->raise();
}

void MainWindow::showInspectedGraph() {
    if (!m_inspector || !m_inspector->isVisible())
        return; // the inspector was closed while the lanes were laid out
    const auto [dag, lanes] = m_lanesWatcher.result();
    const auto snapshot = m_workspace->snapshot();
    m_model->setGraph(dag, lanes);
    // Texts come from the bisect's own load, matched by oid.
    m_model->setTextProvider([dag, snapshot](CommitDag::Id c) {
        if (!snapshot)
            return CommitText{};
        const CommitDag::Id id = snapshot->dag->find(dag->oid(c));
        return id < snapshot->texts.size() ? snapshot->texts[id] : CommitText{};
    });
    m_inspecting = true;
    m_pages->setCurrentIndex(1);
    showInspectedStep();
}

void MainWindow::showInspectedStep() {
    if (m_pendingStep.first.size() != m_model->rowCount())
        return;
    m_model->setAnnotations(m_pendingStep.first);
    m_strip->setAnnotations(m_model->annotations(), m_model->rowCount());
    m_header->setText(
        tr("Inspecting a bisect log — close the log window to return to the bisect."));
    if (!m_pendingStep.second.isNull())
        m_view->goToCommit(m_pendingStep.second);
}

void MainWindow::showSnapshot() {
    const auto s = m_workspace->snapshot();
    if (!s || m_inspecting)
        return;
    m_repositoryPath = s->repoPath;
    setWindowTitle(QStringLiteral("%1 — Bisect Workbench").arg(QDir(s->repoPath).dirName()));
    const auto keep = m_view->currentCommit();
    if (m_model->dag() != s->dag) {
        m_model->setGraph(s->dag, s->lanes);
        // Wide enough for the lanes, within reason (the column can be widened by hand).
        const int lanes = std::clamp(s->lanes->laneCount() + 1, 3, 24);
        m_view->setColumnWidth(static_cast<int>(CommitGraphModel::Column::Graph),
                               lanes * CommitGraphDelegate::LaneWidth);
    }
    m_model->setCommitTexts(s->texts);
    m_model->setAnnotations(s->annotations); // computed on the worker

    m_strip->setAnnotations(m_model->annotations(), m_model->rowCount());
    showMarks(*s);

    QString header = (s->summary.out + s->summary.err).trimmed();
    if (!s->state.inProgress)
        header =
            tr("No bisect in progress — the history of HEAD (%1 commits).").arg(s->dag->size());
    m_header->setText(header);
    m_pages->setCurrentIndex(1);
    for (QAction *a : {m_markGood, m_markBad, m_markSkip})
        a->setEnabled(s->state.inProgress);
    m_reload->setEnabled(true);
    if (!keep || !m_view->goToCommit(*keep))
        goToUnderTest();
    if (s->outcome && s->state.inProgress)
        m_session->setRemaining(
            s->outcome->kind == BisectOutcome::Kind::Next ? s->outcome->revisionsLeft() + 1 : 1,
            s->outcome->kind == BisectOutcome::Kind::Next ? s->outcome->steps() + 1 : 0);
    updateRunUi();
    statusBar()->showMessage(
        tr("%1 commits loaded in %2 s").arg(s->dag->size()).arg(s->loadSeconds, 0, 'f', 2), 5000);
    emit stateShown();
}

void MainWindow::showMarks(const git::WorkspaceSnapshot &s) {
    m_marks->clear();
    auto add = [&](const Oid &oid, MarkKind kind, const QColor &color) {
        const CommitDag::Id id = s.dag->find(oid);
        const QString subject =
            id != CommitDag::None && id < s.texts.size() ? s.texts[id].subject : QString();
        auto *item = new QListWidgetItem(QStringLiteral("%1  %2  %3")
                                             .arg(s.state.terms.termFor(kind), -6)
                                             .arg(oid.toString().left(12), subject),
                                         m_marks);
        item->setData(Qt::UserRole, oid.toString());
        item->setForeground(color);
        item->setToolTip(oid.toString());
    };
    if (s.state.bad)
        add(*s.state.bad, MarkKind::Bad, CommitGraphDelegate::badColor());
    for (const Oid &g : s.state.goods)
        add(g, MarkKind::Good, CommitGraphDelegate::goodColor());
    for (const Oid &k : s.state.skips)
        add(k, MarkKind::Skip, CommitGraphDelegate::skipColor());
}

void MainWindow::showError(const QString &message) {
    if (!m_workspace->snapshot() && !m_inspecting) {
        // The repository asked for could not be loaded: show nothing of another one.
        m_model->setGraph({}, {});
        m_details->clear();
        m_marks->clear();
        m_pages->setCurrentIndex(0);
        for (QAction *a : {m_markGood, m_markBad, m_markSkip})
            a->setEnabled(false);
    }
    m_banner->setText(message);
    m_banner->show();
    if (m_pages->currentIndex() == 0) {
        m_welcome->setText(
            m_welcome->text() +
            QStringLiteral("<p style='color:#b02a37'>%1</p>").arg(message.toHtmlEscaped()));
    }
    statusBar()->showMessage(message.section(u'\n', 0, 0));
    qCWarning(bwUi).noquote() << message;
}

void MainWindow::mark(MarkKind kind) {
    if (auto oid = m_view->currentCommit())
        markCommit(kind, *oid);
}

void MainWindow::markCommit(MarkKind kind, const Oid &commit) {
    if (m_inspecting) {
        statusBar()->showMessage(tr("Close the log inspector to mark commits of the bisect."),
                                 5000);
        return;
    }
    const auto s = m_workspace->snapshot();
    if (!s || !s->state.inProgress) {
        showError(tr("No bisect is in progress: start one with `git bisect start` first."));
        return;
    }
    m_banner->hide();
    if (m_session->hasSession()) {
        // Recorded as an override of the session (with the range recomputed at once).
        (void)overrideCommit(commit, kind, tr("marked by hand"));
        return;
    }
    statusBar()->showMessage(
        tr("Marking %1 %2…").arg(commit.toString().left(12), s->state.terms.termFor(kind)));
    m_workspace->mark(kind, commit);
}

void MainWindow::goToUnderTest() {
    const auto s = m_workspace->snapshot();
    if (!s || !s->dag || s->dag->isEmpty())
        return;
    CommitDag::Id target = 0;
    if (s->mergeBase.kind == MergeBaseCheck::Kind::MustTest)
        target = s->mergeBase.base;
    else if (s->outcome && s->outcome->commit != CommitDag::None)
        target = s->outcome->commit;
    m_view->goToCommit(s->dag->oid(target));
}

void MainWindow::setBusy(bool busy) {
    if (busy)
        QApplication::setOverrideCursor(Qt::BusyCursor);
    else
        QApplication::restoreOverrideCursor();
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Bisect Workbench"),
                       tr("<b>Bisect Workbench %1</b><p>git bisect, automated and visible.</p>")
                           .arg(QApplication::applicationVersion()));
}

} // namespace bw
