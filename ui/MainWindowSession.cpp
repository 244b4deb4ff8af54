// The main window's automated-session half: the run actions, the steps timeline, the
// live logs, the charts, the problems list, notifications, reports and settings. The
// graph half (loading, drawing, marking by hand without a session) is MainWindow.cpp.

#include "ui/MainWindow.h"

#include "services/git/BisectWorkspace.h"
#include "services/notify/Notifier.h"
#include "services/pipeline/SessionDirectory.h"
#include "services/recipe/RecipeLoader.h"
#include "services/store/SessionStore.h"
#include "ui/CommitGraphView.h"
#include "ui/ConfidencePanel.h"
#include "ui/ExportDialog.h"
#include "ui/LogTabs.h"
#include "ui/LogView.h"
#include "ui/NewSessionDialog.h"
#include "ui/RunCharts.h"
#include "ui/SessionController.h"
#include "ui/SessionListDialog.h"
#include "ui/UiLogging.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QTableView>
#include <QToolBar>

namespace bw {

namespace {

constexpr int MaxRecent = 10;

QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xdf, 0xe1, 0xe5);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2c));
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x6f, 0xb6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xa6, 0xf0));
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8d, 0x93));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    return p;
}

QString sessionsRootPath() {
    QString state = qEnvironmentVariable("XDG_STATE_HOME");
    if (state.isEmpty())
        state = QDir::homePath() + QStringLiteral("/.local/state");
    return state + QStringLiteral("/bisect-workbench/sessions");
}

} // namespace

QString MainWindow::sessionsRoot() {
    return sessionsRootPath();
}

void MainWindow::createRunDocks() {
    // Steps timeline: one row per tested commit, coloured by verdict.
    m_timeline = new QTableView(this);
    m_timeline->setObjectName(QStringLiteral("stepsTimeline"));
    m_timeline->setModel(m_session->steps());
    m_timeline->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_timeline->setSelectionMode(QAbstractItemView::SingleSelection);
    m_timeline->setContextMenuPolicy(Qt::CustomContextMenu);
    m_timeline->verticalHeader()->hide();
    m_timeline->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_timeline->horizontalHeader()->setStretchLastSection(true);
    m_timeline->setWordWrap(false);
    const int em = fontMetrics().horizontalAdvance(QLatin1Char('m'));
    m_timeline->setColumnWidth(static_cast<int>(StepListModel::Column::Number), 5 * em);
    m_timeline->setColumnWidth(static_cast<int>(StepListModel::Column::Commit), 22 * em);
    m_timeline->setColumnWidth(static_cast<int>(StepListModel::Column::Verdict), 10 * em);
    m_timeline->setColumnWidth(static_cast<int>(StepListModel::Column::Duration), 6 * em);
    m_timeline->setColumnWidth(static_cast<int>(StepListModel::Column::Stages), 22 * em);
    auto *stepsDock = new QDockWidget(tr("Steps"), this);
    stepsDock->setObjectName(QStringLiteral("stepsDock"));
    stepsDock->setWidget(m_timeline);
    addDockWidget(Qt::BottomDockWidgetArea, stepsDock);
    connect(m_timeline, &QWidget::customContextMenuRequested, this, &MainWindow::timelineMenu);
    connect(m_timeline->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::showStepLogs);
    connect(m_session->steps(), &QAbstractItemModel::rowsInserted, m_timeline,
            [this] { m_timeline->scrollToBottom(); });

    // Live logs.
    m_logs = new LogTabs(this);
    m_logs->setObjectName(QStringLiteral("logTabs"));
    auto *logsDock = new QDockWidget(tr("Logs"), this);
    logsDock->setObjectName(QStringLiteral("logsDock"));
    logsDock->setWidget(m_logs);
    addDockWidget(Qt::BottomDockWidgetArea, logsDock);
    tabifyDockWidget(findChild<QDockWidget *>(QStringLiteral("detailsDock")), logsDock);
    connect(m_session, &SessionController::output, m_logs, &LogTabs::append);
    connect(m_session, &SessionController::message, this,
            [this](const QString &text) { m_logs->append(LogKind::Pipeline, text.toUtf8()); });

    // Charts.
    m_charts = new RunCharts(this);
    m_charts->setObjectName(QStringLiteral("runCharts"));
    auto *chartsDock = new QDockWidget(tr("Charts"), this);
    chartsDock->setObjectName(QStringLiteral("chartsDock"));
    chartsDock->setWidget(m_charts);
    addDockWidget(Qt::RightDockWidgetArea, chartsDock);
    tabifyDockWidget(findChild<QDockWidget *>(QStringLiteral("marksDock")), chartsDock);

    // Flaky sessions: the posterior and "stop now"; several workers: what each one does.
    m_confidence = new ConfidencePanel(this);
    m_confidence->setObjectName(QStringLiteral("confidencePanel"));
    m_confidenceDock = new QDockWidget(tr("Confidence"), this);
    m_confidenceDock->setObjectName(QStringLiteral("confidenceDock"));
    m_confidenceDock->setWidget(m_confidence);
    addDockWidget(Qt::RightDockWidgetArea, m_confidenceDock);
    tabifyDockWidget(chartsDock, m_confidenceDock);
    m_confidenceDock->hide();
    connect(m_confidence, &ConfidencePanel::concludeRequested, this, &MainWindow::concludeNow);
    m_workers = new WorkersView(this);
    m_workers->setObjectName(QStringLiteral("workersView"));
    m_workersDock = new QDockWidget(tr("Workers"), this);
    m_workersDock->setObjectName(QStringLiteral("workersDock"));
    m_workersDock->setWidget(m_workers);
    addDockWidget(Qt::BottomDockWidgetArea, m_workersDock);
    tabifyDockWidget(stepsDock, m_workersDock);
    m_workersDock->hide();
    connect(m_session, &SessionController::sessionStarted, this, [this] {
        pipeline::Orchestrator *o = m_session->orchestrator();
        QStringList names;
        for (int i = 0; i < o->workerCount(); ++i)
            names << o->workerName(i);
        m_workers->setWorkers(names);
        m_workersDock->setVisible(o->workerCount() > 1);
        m_confidence->setStatus(o->flakyStatus());
        m_confidenceDock->setVisible(o->isFlaky());
        if (o->isFlaky())
            m_confidenceDock->raise();
        updateRunUi();
    });
    connect(m_session, &SessionController::workerChanged, m_workers, &WorkersView::workerChanged);
    connect(m_session, &SessionController::stageStarted, m_workers, &WorkersView::stageStarted);
    connect(m_session, &SessionController::flakyUpdated, this, [this] {
        if (pipeline::Orchestrator *o = m_session->orchestrator())
            m_confidence->setStatus(o->flakyStatus());
    });

    // Problems: errors and pauses in one non-modal place, with details.
    m_problems = new QListWidget(this);
    m_problems->setObjectName(QStringLiteral("problemsList"));
    m_problems->setWordWrap(true);
    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(m_problems);
    addDockWidget(Qt::RightDockWidgetArea, m_problemsDock);
    m_problemsDock->hide();

    // The first layout: the steps as wide as the logs (a saved layout replaces it).
    resizeDocks({logsDock, stepsDock}, {width() / 2, width() / 2}, Qt::Horizontal);

    m_runStatus = new QLabel(this);
    m_runStatus->setObjectName(QStringLiteral("runStatus"));
    statusBar()->addPermanentWidget(m_runStatus);

    m_notifier = new notify::Notifier(this);
    connect(m_notifier, &notify::Notifier::webhookFailed, this, [this](const QString &error) {
        addProblem(tr("The webhook could not be notified"), error);
    });

    connect(m_session, &SessionController::phaseChanged, this, &MainWindow::updateRunUi);
    connect(m_session, &SessionController::marksChanged, this, [this] {
        if (!m_repositoryPath.isEmpty())
            m_workspace->open(m_repositoryPath);
    });
    connect(m_session, &SessionController::stepStarted, this, [this](int, const Oid &) {
        m_logs->clearLive();
        m_logs->followLive();
        updateRunUi();
    });
    connect(m_session, &SessionController::stepFinished, this, [this](const StepRecord &step) {
        m_charts->addStep(step); // stage durations, and a transfer's throughput facts
        updateRunUi();
    });
    connect(m_session, &SessionController::problem, this, &MainWindow::addProblem);
    connect(m_session, &SessionController::ended, this, &MainWindow::sessionFinished);
    connect(m_session, &SessionController::problem, this,
            [this](const QString &title, const QString &details) {
                if (m_session->phase() != SessionController::Phase::Paused)
                    return; // endings are notified by sessionFinished
                notify::NotifyEvent e;
                e.kind = notify::NotifyEvent::Kind::NeedsHuman;
                e.title = title;
                e.body = details;
                e.sessionDir = m_session->sessionDir();
                m_notifier->notify(e);
            });
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        m_runStatus->setText(m_session->statusLine());
        // The running steps' durations (several with several workers).
        StepListModel *steps = m_session->steps();
        if (steps->rowOfRunning() >= 0)
            emit steps->dataChanged(
                steps->index(steps->rowOfRunning(), int(StepListModel::Column::Duration)),
                steps->index(steps->rowCount() - 1, int(StepListModel::Column::Duration)));
    });
    updateRunUi();
}

QString MainWindow::runStatusText() const {
    return m_runStatus ? m_runStatus->text() : QString();
}

Status MainWindow::startSession(const pipeline::SessionOptions &options) {
    m_viewedSessionDir.clear();
    m_charts->clear();
    m_logs->clearLive();
    m_logs->followLive();
    if (Status s = m_session->start(options); !s) {
        addProblem(tr("The session could not start"), s.error().message());
        return s;
    }
    m_notifier->setSpec(options.recipe.notify);
    addRecent(options.repositoryPath);
    if (QDir(options.repositoryPath).absolutePath() != m_repositoryPath || !m_workspace->snapshot())
        openRepository(options.repositoryPath);
    else
        m_workspace->open(m_repositoryPath);
    statusBar()->showMessage(tr("Session started in %1").arg(m_session->sessionDir()), 8000);
    return okStatus();
}

Status MainWindow::reopenSession(const QString &sessionDir) {
    auto dir = pipeline::SessionDirectory::open(sessionDir);
    if (!dir) {
        addProblem(tr("The session cannot be opened"), dir.error().message());
        return dir.error();
    }
    auto info = dir->readInfo();
    if (!info) {
        addProblem(tr("The session cannot be read"), info.error().message());
        return info.error();
    }
    if (info->status == u"finished" || info->status == u"failed" || info->status == u"stopped") {
        // Nothing to run: show what it did.
        if (m_session->phase() == SessionController::Phase::Running ||
            m_session->phase() == SessionController::Phase::Pausing) {
            const Error e{tr("a session is running: stop it before opening another")};
            addProblem(tr("The session cannot be opened"), e.what);
            return e;
        }
        auto steps = dir->store().steps(dir->sessionId());
        if (!steps) {
            addProblem(tr("The session's steps cannot be read"), steps.error().message());
            return steps.error();
        }
        std::vector<StepRecord> records;
        for (const store::StepRow &row : *steps)
            records.push_back(row.step);
        m_session->close(); // the window shows this session now, not the last one run
        m_session->steps()->setSteps(records);
        m_charts->clear();
        m_charts->setSteps(records);
        m_viewedSessionDir = dir->path();
        openRepository(info->repository);
        statusBar()->showMessage(
            tr("Session %1: %2 %3").arg(QDir(sessionDir).dirName(), info->status, info->message));
        updateRunUi();
        return okStatus();
    }
    const recipe::RecipeLoad loaded = recipe::RecipeLoader::loadFile(dir->recipePath());
    if (!loaded.ok()) {
        const Error e{tr("the session's recipe cannot be read"), 1, loaded.message()};
        addProblem(tr("The session cannot be resumed"), e.message());
        return e;
    }
    m_viewedSessionDir.clear();
    m_charts->clear();
    if (Status s = m_session->reopen(dir->path(), loaded.recipe, info->repository); !s) {
        addProblem(tr("The session cannot be resumed"), s.error().message());
        return s;
    }
    m_notifier->setSpec(loaded.recipe.notify);
    openRepository(info->repository);
    return okStatus();
}

Status MainWindow::overrideCommit(const Oid &commit, std::optional<MarkKind> mark,
                                  const QString &reason) {
    if (!m_session->hasSession()) {
        if (mark)
            m_workspace->mark(*mark, commit);
        else
            m_workspace->clearMarks(commit);
        return okStatus();
    }
    Status s = m_session->overrideMark(commit, mark, reason);
    if (!s)
        addProblem(tr("The mark of %1 was not changed").arg(commit.toString().left(12)),
                   s.error().message());
    else
        statusBar()->showMessage(tr("Override recorded for %1").arg(commit.toString().left(12)),
                                 8000);
    updateRunUi();
    return s;
}

void MainWindow::newSession() {
    NewSessionDialog dialog(recentRepositories(), this);
    if (!m_repositoryPath.isEmpty())
        dialog.setRepositoryPath(m_repositoryPath);
    if (dialog.exec() != QDialog::Accepted)
        return;
    (void)startSession(dialog.options());
}

void MainWindow::showSessions() {
    auto *dialog = new SessionListDialog(sessionsRoot(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SessionListDialog::reopenRequested, this, [this, dialog](const QString &dir) {
        dialog->close();
        (void)reopenSession(dir);
    });
    connect(dialog, &SessionListDialog::importRequested, this, [this](const QString &path) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly)) {
            addProblem(tr("The bisect log cannot be read"), f.errorString());
            return;
        }
        m_workspace->replay(QString::fromUtf8(f.readAll()));
    });
    dialog->show();
}

void MainWindow::exportReport() {
    const QString dir = m_session->hasSession() ? m_session->sessionDir() : m_viewedSessionDir;
    if (dir.isEmpty()) {
        statusBar()->showMessage(tr("Open or run a session to export its report (Ctrl+Shift+O "
                                    "lists the sessions)."),
                                 8000);
        return;
    }
    auto *dialog = new ExportDialog(dir, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::importBisectLog() {
    if (m_session->phase() == SessionController::Phase::Running ||
        m_session->phase() == SessionController::Phase::Pausing) {
        addProblem(tr("A bisect log cannot be imported now"),
                   tr("A session is running: stop it first."));
        return;
    }
    if (m_repositoryPath.isEmpty()) {
        statusBar()->showMessage(tr("Open a repository first."), 5000);
        return;
    }
    const QString file =
        QFileDialog::getOpenFileName(this, tr("Import a Bisect Log"), m_repositoryPath,
                                     tr("Bisect logs (*.log *.txt);;All files (*)"));
    if (file.isEmpty())
        return;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly)) {
        addProblem(tr("The bisect log cannot be read"), f.errorString());
        return;
    }
    statusBar()->showMessage(tr("Replaying %1…").arg(QDir::toNativeSeparators(file)));
    m_workspace->replay(QString::fromUtf8(f.readAll()));
}

void MainWindow::exportBisectLog() {
    const auto s = m_workspace->snapshot();
    if (!s || s->state.log.isEmpty()) {
        statusBar()->showMessage(tr("No bisect log to export: no bisect is in progress."), 5000);
        return;
    }
    const QString file = QFileDialog::getSaveFileName(
        this, tr("Export the Bisect Log"), m_repositoryPath + QStringLiteral("/bisect.log"),
        tr("Bisect logs (*.log *.txt);;All files (*)"));
    if (file.isEmpty())
        return;
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly) || out.write(s->state.log.toUtf8()) < 0 || !out.commit()) {
        addProblem(tr("The bisect log could not be written"), out.errorString());
        return;
    }
    statusBar()->showMessage(tr("Wrote %1").arg(QDir::toNativeSeparators(file)), 5000);
}

void MainWindow::startOrResume() {
    switch (m_session->phase()) {
    case SessionController::Phase::Paused:
        m_session->resume();
        return;
    case SessionController::Phase::Pausing:
        m_session->pauseAfterStep(false);
        return;
    case SessionController::Phase::Running:
        return;
    case SessionController::Phase::None:
    case SessionController::Phase::Finished:
        newSession();
        return;
    }
}

void MainWindow::resetBisect() {
    if (m_session->phase() == SessionController::Phase::Running ||
        m_session->phase() == SessionController::Phase::Pausing) {
        addProblem(tr("The bisect cannot be reset now"),
                   tr("A session is running: stop it first."));
        return;
    }
    const auto s = m_workspace->snapshot();
    if (!s || !s->state.inProgress)
        return;
    const auto answer = QMessageBox::question(
        this, tr("Reset the Bisect"),
        tr("End the bisect in %1 like `git bisect reset`? Its marks are removed from the "
           "repository; the session's record and reports are kept.")
            .arg(QDir::toNativeSeparators(m_repositoryPath)),
        QMessageBox::Reset | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Reset)
        return;
    m_workspace->reset();
}

void MainWindow::updateRunUi() {
    if (!m_start)
        return;
    const auto phase = m_session->phase();
    const bool running =
        phase == SessionController::Phase::Running || phase == SessionController::Phase::Pausing;
    const bool paused = phase == SessionController::Phase::Paused;
    m_start->setText(paused ? tr("&Resume") : tr("&Start…"));
    m_start->setToolTip(paused ? tr("Go on with the session (F5)")
                               : tr("Start a new automated session (F5)"));
    m_start->setEnabled(!running || phase == SessionController::Phase::Pausing);
    m_pause->setEnabled(running);
    {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(phase == SessionController::Phase::Pausing);
    }
    m_stop->setEnabled(running || paused);
    m_oneStep->setEnabled(paused || phase == SessionController::Phase::Running);
    const auto snapshot = m_workspace->snapshot();
    m_reset->setEnabled(!running && snapshot && snapshot->state.inProgress);
    m_export->setEnabled(m_session->hasSession() || !m_viewedSessionDir.isEmpty());
    m_exportLog->setEnabled(snapshot && !snapshot->state.log.isEmpty());
    m_newSession->setEnabled(!running);
    const bool flaky = m_session->orchestrator() && m_session->orchestrator()->isFlaky();
    m_conclude->setEnabled(flaky && (running || paused));
    m_confidence->setConcludable(flaky && (running || paused));
    if (running)
        m_tick.start();
    else
        m_tick.stop();
    QString status = m_session->statusLine();
    if ((phase == SessionController::Phase::Finished || paused) &&
        !m_session->lastMessage().isEmpty())
        status += QStringLiteral(" — ") + m_session->lastMessage();
    m_runStatus->setText(status);
    if (m_session->hasSession())
        m_charts->setRemaining(m_session->remainingHistory());
}

void MainWindow::concludeNow() {
    pipeline::Orchestrator *o = m_session->orchestrator();
    if (!o || !o->isFlaky())
        return;
    const auto status = o->flakyStatus();
    if (!status || status->top.empty())
        return;
    const pipeline::FlakyCandidate &lead = status->top.front();
    const auto answer = QMessageBox::question(
        this, tr("Stop now and report"),
        tr("End the session with %1 (%2) as the first bad commit, at %3 confidence? The goal "
           "was %4. Running steps are cancelled; the report says it was concluded by hand.")
            .arg(lead.commit.toString().left(12), lead.subject)
            .arg(formatPercent(lead.probability))
            .arg(formatPercent(status->confidence)),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Yes);
    if (answer != QMessageBox::Yes)
        return;
    if (Status s = m_session->concludeNow(); !s)
        addProblem(tr("The session could not be concluded"), s.error().message());
}

void MainWindow::addProblem(const QString &title, const QString &details) {
    auto *item = new QListWidgetItem(
        QStringLiteral("%1 — %2\n%3")
            .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), title, details),
        m_problems);
    item->setToolTip(details);
    item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
    m_problems->scrollToItem(item);
    m_problemsDock->show();
    m_problemsDock->raise();
    statusBar()->showMessage(title, 8000);
    qCWarning(bwUi).noquote() << title << "—" << details;
}

void MainWindow::timelineMenu(const QPoint &pos) {
    const QModelIndex index = m_timeline->indexAt(pos);
    const StepRecord *step = m_session->steps()->step(index.row());
    if (!step || (!m_session->hasSession() && m_viewedSessionDir.isEmpty()))
        return;
    const Oid commit = step->commit;
    const auto snapshot = m_workspace->snapshot();
    const Terms terms = snapshot ? snapshot->state.terms : Terms{};
    QMenu menu(this);
    menu.addSection(tr("Step %1: %2").arg(step->number).arg(commit.toString().left(12)));
    auto add = [&](const QString &text, std::optional<MarkKind> mark) {
        QAction *a = menu.addAction(text);
        a->setEnabled(m_session->hasSession());
        connect(a, &QAction::triggered, this, [this, commit, mark, text] {
            bool ok = false;
            const QString reason = QInputDialog::getText(
                this, tr("Override the Verdict"),
                tr("Why? (recorded with the override and shown in the report)"), QLineEdit::Normal,
                {}, &ok);
            if (ok)
                (void)overrideCommit(commit, mark, reason);
        });
    };
    add(tr("Change to %1").arg(terms.good), MarkKind::Good);
    add(tr("Change to %1").arg(terms.bad), MarkKind::Bad);
    add(tr("Change to skip"), MarkKind::Skip);
    add(tr("Take the Mark Back"), std::nullopt);
    menu.addSeparator();
    menu.addAction(tr("Show in the Graph"), this, [this, commit] { m_view->goToCommit(commit); });
    menu.addAction(tr("Copy the Commit Id"), this,
                   [commit] { QApplication::clipboard()->setText(commit.toString()); });
    menu.exec(m_timeline->viewport()->mapToGlobal(pos));
}

void MainWindow::showStepLogs() {
    const int row = m_timeline->currentIndex().row();
    const StepRecord *step = m_session->steps()->step(row);
    if (!step)
        return;
    m_view->goToCommit(step->commit);
    if (row == m_session->steps()->rowOfRunning() || step->logDir.isEmpty()) {
        m_logs->followLive();
        return;
    }
    QMap<LogKind, QString> files;
    for (LogKind k : {LogKind::Build, LogKind::Console, LogKind::Test, LogKind::Pipeline})
        files.insert(k, step->logDir + u'/' + logName(k) + QStringLiteral(".log"));
    m_logs->showStep(files, tr("step %1").arg(step->number));
}

void MainWindow::sessionFinished(pipeline::Orchestrator::Ending ending, const QString &message) {
    using E = pipeline::Orchestrator::Ending;
    updateRunUi();
    if (ending != E::Stopped) {
        notify::NotifyEvent e;
        e.sessionDir = m_session->sessionDir();
        e.culprit = m_session->culprit();
        e.body = message;
        if (ending == E::Found) {
            e.kind = notify::NotifyEvent::Kind::Finished;
            e.title = tr("First bad commit found: %1")
                          .arg(e.culprit ? e.culprit->toString().left(12) : QString());
        } else {
            e.kind = ending == E::NeedsHuman ? notify::NotifyEvent::Kind::NeedsHuman
                                             : notify::NotifyEvent::Kind::Failed;
            e.title = tr("The bisect needs you");
        }
        m_notifier->notify(e);
    }
    if (ending == E::Found && m_session->culprit())
        m_view->goToCommit(*m_session->culprit());
    emit sessionEnded();
}

QStringList MainWindow::recentRepositories() const {
    return QSettings().value(QStringLiteral("recentRepositories")).toStringList();
}

void MainWindow::addRecent(const QString &repository) {
    QStringList recent = recentRepositories();
    const QString path = QDir(repository).absolutePath();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MaxRecent)
        recent.removeLast();
    QSettings().setValue(QStringLiteral("recentRepositories"), recent);
}

void MainWindow::setTheme(Theme theme) {
    m_theme = theme;
    static const QPalette original = QApplication::palette();
    switch (theme) {
    case Theme::System:
        QApplication::setPalette(original);
        break;
    case Theme::Light:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(QApplication::style()->standardPalette());
        break;
    case Theme::Dark:
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
        break;
    }
    QSettings().setValue(QStringLiteral("theme"), static_cast<int>(theme));
}

void MainWindow::restoreSettings() {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const int lines = settings.value(QStringLiteral("logs/maxLines"), 200000).toInt();
    for (LogKind k : {LogKind::Build, LogKind::Console, LogKind::Test, LogKind::Pipeline})
        if (LogView *v = m_logs->liveView(k))
            v->setMaxLines(lines);
    const int theme = settings.value(QStringLiteral("theme"), 0).toInt();
    if (theme != 0)
        setTheme(static_cast<Theme>(theme));
}

void MainWindow::saveSettings() {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
}

void MainWindow::closeEvent(QCloseEvent *event) {
    const auto phase = m_session->phase();
    if (phase == SessionController::Phase::Running || phase == SessionController::Phase::Pausing) {
        const auto answer = QMessageBox::question(
            this, tr("A Session Is Running"),
            tr("Stop the running step and quit? The session is kept: reopen it from Sessions… "
               "(or `bisect-workbench run --session %1`) to go on where it stopped.")
                .arg(m_session->sessionDir()),
            QMessageBox::Close | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Close) {
            event->ignore();
            return;
        }
        m_session->stop();
    }
    saveSettings();
    event->accept();
}

} // namespace bw
