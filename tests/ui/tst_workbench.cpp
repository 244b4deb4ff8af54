// The workbench window running automated sessions, as a user drives it: a session on a
// generated repository with a local command recipe runs to the first bad commit, with
// the graph, the steps timeline, the live logs and the status following; a verdict
// overridden mid-run changes the range at once and cancels the step that became
// pointless; a finished session is reopened from the store. With BW_SCREENSHOT_DIR set,
// each main state is saved as a PNG (light and dark).

#include "ui/MainWindow.h"

#include "models/CommitGraphModel.h"
#include "models/StepListModel.h"
#include "services/git/BisectWorkspace.h"
#include "tests/support/TestRepo.h"
#include "ui/CommitGraphView.h"
#include "ui/ConfidencePanel.h"
#include "ui/LogTabs.h"
#include "ui/LogView.h"
#include "ui/NewSessionDialog.h"
#include "ui/RunCharts.h"
#include "ui/SessionController.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QtCharts/QAreaSeries>
#include <QtCharts/QChart>
#include <QtCharts/QLineSeries>
#include <QtCharts/QXYSeries>

using namespace bw;
using namespace bw::test;

namespace {

pipeline::SessionOptions options(const TestRepo &repo, const QString &session,
                                 const QString &test) {
    pipeline::SessionOptions o;
    o.repositoryPath = repo.path();
    o.bad = QStringLiteral("HEAD");
    o.goods = {QStringLiteral("HEAD~15")};
    o.sessionDir = session;
    o.recipe.name = QStringLiteral("local test");
    o.recipe.build.kind = BuildKind::Command;
    o.recipe.build.command = CommandSpec::fromShell(
        QStringLiteral("echo building $BW_SHORT; printf '\\033[32mok\\033[0m\\n'"));
    o.recipe.test.kind = TestKind::Command;
    o.recipe.test.command = CommandSpec::fromShell(test);
    return o;
}

QString verdictOf(const StepListModel *m, int row) {
    return m->data(m->index(row, static_cast<int>(StepListModel::Column::Verdict)), Qt::DisplayRole)
        .toString();
}

void shoot(QWidget *w, const QString &name) {
    const QString dir = qEnvironmentVariable("BW_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QVERIFY(w->grab().save(dir + u'/' + name + QStringLiteral(".png")));
}

} // namespace

class TestWorkbench : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase() {
        // Settings and sessions in a scratch home, never the user's.
        qputenv("XDG_CONFIG_HOME", (m_home.path() + QStringLiteral("/config")).toUtf8());
        qputenv("XDG_STATE_HOME", (m_home.path() + QStringLiteral("/state")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("bw-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_workbench"));
        if (qEnvironmentVariable("BW_THEME") == u"dark") {
            MainWindow w;
            w.setTheme(MainWindow::Theme::Dark);
        }
    }

    // A flaky session: the Confidence dock shows the posterior as it grows, and "stop now
    // and report" ends the session with the leader at the confidence it reached.
    void flakySessionShowsThePosteriorAndConcludes() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy ended(&w, &MainWindow::sessionEnded);
        auto *conclude = w.findChild<QAction *>(QStringLiteral("actionConclude"));
        QVERIFY(conclude);
        QVERIFY(!conclude->isEnabled());
        auto o = options(repo, m_home.path() + QStringLiteral("/flaky"),
                         QStringLiteral("test ! -e bug && exit 0; sleep 0.1; "
                                        "h=$(printf %s-%s \"$BW_COMMIT\" \"$BW_STEP\" | "
                                        "sha256sum | cut -c1-2); exit $((0x$h % 2))"));
        o.recipe.build = BuildSpec{};
        o.recipe.bisect.mode = BisectMode::Flaky;
        o.recipe.bisect.detection = 0.5;
        o.recipe.bisect.confidence = 0.999999;
        QVERIFY(w.startSession(o));
        auto *dock = w.findChild<QDockWidget *>(QStringLiteral("confidenceDock"));
        QVERIFY(dock && dock->isVisible());
        QVERIFY(!w.findChild<QDockWidget *>(QStringLiteral("workersDock"))->isVisible());
        QVERIFY(conclude->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->steps()->rowCount() >= 6, 60000);
        ConfidencePanel *panel = w.confidencePanel();
        QTRY_VERIFY(panel->leadingText().contains(u'%'));
        const auto status = w.session()->orchestrator()->flakyStatus();
        QVERIFY(status && !status->top.empty());
        QVERIFY(panel->concludeButton()->isEnabled());
        QVERIFY(panel->concludeButton()->text().contains(u'%'));
        // The leaders (at most eight), most likely first, and the posterior over all 15
        // candidates as one area (two points a candidate), summing to one.
        QCOMPARE(panel->leaders()->rowCount(), std::min<int>(8, int(status->top.size())));
        QCOMPARE(panel->leaders()->item(0, 0)->text(),
                 status->top.front().commit.toString().left(12));
        QCOMPARE(status->curve.size(), std::size_t(15));
        double mass = 0;
        for (double p : status->curve)
            mass += p;
        QVERIFY(std::abs(mass - 1.0) < 1e-9);
        QCOMPARE(panel->chart()->series().size(), 1);
        auto *area = qobject_cast<QAreaSeries *>(panel->chart()->series().front());
        QVERIFY(area);
        QCOMPARE(area->upperSeries()->count(), 30);
        QCOMPARE(panel->chart()->axes().size(), 2);
        dock->raise();
        shoot(&w, qEnvironmentVariable("BW_THEME") + QStringLiteral("flaky"));
        shoot(panel, qEnvironmentVariable("BW_THEME") + QStringLiteral("flaky-panel"));

        QVERIFY(w.session()->concludeNow());
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 30000);
        QCOMPARE(w.session()->ending(), pipeline::Orchestrator::Ending::Found);
        QVERIFY(w.runStatusText().contains(QStringLiteral("concluded by hand")));
        QVERIFY(!conclude->isEnabled());
        QVERIFY(!panel->concludeButton()->isEnabled());
    }

    // Two workers: the Workers dock lists them with their steps; the session ends at git's
    // culprit.
    void twoWorkersShowTheirSteps() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy ended(&w, &MainWindow::sessionEnded);
        QSignalSpy workers(w.session(), &SessionController::workerChanged);
        auto o = options(repo, m_home.path() + QStringLiteral("/workers"),
                         QStringLiteral("echo testing; sleep 0.4; test ! -e bug"));
        o.workers = 2;
        QVERIFY(w.startSession(o));
        auto *dock = w.findChild<QDockWidget *>(QStringLiteral("workersDock"));
        QVERIFY(dock && dock->isVisible());
        QTableWidget *table = w.workersView()->table();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(1, 0)->text(), QStringLiteral("worker 2"));
        QTRY_VERIFY_WITH_TIMEOUT(
            table->item(0, 3)->text() == u"test" || table->item(1, 3)->text() == u"test", 20000);
        dock->raise();
        shoot(&w, qEnvironmentVariable("BW_THEME") + QStringLiteral("workers"));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
        QCOMPARE(w.session()->culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD~6")}));
        QSet<int> busy;
        for (const auto &args : workers)
            if (args.at(1).toInt() > 0)
                busy.insert(args.at(0).toInt());
        QCOMPARE(busy, (QSet<int>{0, 1}));
        // Both idle at the end.
        QCOMPARE(table->item(0, 2)->text(), QStringLiteral("idle"));
        QCOMPARE(table->item(1, 2)->text(), QStringLiteral("idle"));
    }

    // Start a session, watch it run to the first bad commit.
    void runsASessionToTheEnd() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy ended(&w, &MainWindow::sessionEnded);
        auto *start = w.findChild<QAction *>(QStringLiteral("actionStart"));
        auto *stop = w.findChild<QAction *>(QStringLiteral("actionStop"));
        QVERIFY(start && stop);
        QCOMPARE(start->shortcut(), QKeySequence(Qt::Key_F5));
        QVERIFY(!stop->isEnabled());

        const QString session = m_home.path() + QStringLiteral("/s1");
        QVERIFY(w.startSession(
            options(repo, session, QStringLiteral("echo testing; sleep 0.3; test ! -e bug"))));
        QVERIFY(stop->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->steps()->rowCount() >= 1, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(
            w.logTabs()->liveView(LogKind::Build)->text().contains(u"building"), 20000);
        shoot(&w, qEnvironmentVariable("BW_THEME") + QStringLiteral("running"));
        QVERIFY(w.runStatusText().startsWith(QStringLiteral("Running")));

        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
        const QString c9 = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD~6")});
        QCOMPARE(w.session()->culprit()->toString(), c9);
        QCOMPARE(w.session()->ending(), pipeline::Orchestrator::Ending::Found);
        // The timeline: four steps, each with a verdict, the last ones agreeing with git.
        const StepListModel *steps = w.session()->steps();
        QCOMPARE(steps->rowCount(), 4);
        for (int r = 0; r < 4; ++r)
            QVERIFY2(verdictOf(steps, r) == u"good" || verdictOf(steps, r) == u"bad",
                     qPrintable(verdictOf(steps, r)));
        QVERIFY(w.runStatusText().contains(QStringLiteral("Finished")));
        QVERIFY(w.runStatusText().contains(c9.left(12)));
        // The graph shows git's result: wait for the reload after the last verdict.
        QTRY_VERIFY_WITH_TIMEOUT(w.workspace()->snapshot() && w.workspace()->snapshot()->outcome &&
                                     w.workspace()->snapshot()->outcome->kind ==
                                         BisectOutcome::Kind::FirstBad,
                                 20000);
        const auto *model = w.graphView()->graphModel();
        const CommitStates culpritStates =
            model->states(static_cast<int>(model->dag()->find(*Oid::fromHex(c9))));
        QVERIFY(culpritStates.testFlag(CommitState::Bad));
        // The charts have a point per step (and the start).
        QVERIFY(!w.charts()->remainingChart()->series().isEmpty());
        auto *remaining = qobject_cast<QXYSeries *>(w.charts()->remainingChart()->series().front());
        QVERIFY(remaining);
        QVERIFY(remaining->count() >= 4);
        // A past step's logs are shown when it is selected.
        w.timeline()->setCurrentIndex(steps->index(0, 0));
        QTRY_VERIFY(!w.logTabs()->isLive());
        QTRY_VERIFY_WITH_TIMEOUT(w.logTabs()->view(LogKind::Test)->text().contains(u"testing"),
                                 10000);
        w.timeline()->setCurrentIndex(steps->index(3, 0));
        shoot(&w, qEnvironmentVariable("BW_THEME") + QStringLiteral("finished"));
        QVERIFY(!stop->isEnabled());
        QVERIFY(start->isEnabled());
    }

    // An override while a step runs: the range changes at once, the running step whose
    // commit left the range is cancelled, the override shows in the timeline.
    void overridesAVerdictMidRun() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy ended(&w, &MainWindow::sessionEnded);
        const QString session = m_home.path() + QStringLiteral("/s2");
        QVERIFY(w.startSession(
            options(repo, session,
                    QStringLiteral("while ! test -e \"$BW_SESSION/go\"; do sleep 0.05; done; "
                                   "test ! -e bug"))));
        const Oid c7 =
            *Oid::fromHex(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD~8")}));
        const Oid c8 =
            *Oid::fromHex(repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD~7")}));
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->orchestrator()->runningCommit() == c7, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(w.workspace()->snapshot() && w.workspace()->snapshot()->outcome,
                                 20000);
        const int before = w.workspace()->snapshot()->outcome->all;
        QVERIFY(w.overrideCommit(c8, MarkKind::Good, QStringLiteral("known good from the CI")));
        // The range is recomputed: fewer candidates, c8 good on the graph.
        QTRY_VERIFY_WITH_TIMEOUT(w.workspace()->snapshot()->outcome->all < before, 20000);
        const auto *model = w.graphView()->graphModel();
        QVERIFY(
            model->states(static_cast<int>(model->dag()->find(c8))).testFlag(CommitState::Good));
        // The running step was cancelled: nothing recorded for c7.
        QTRY_VERIFY_WITH_TIMEOUT(verdictOf(w.session()->steps(), 0) == u"cancelled", 20000);
        shoot(&w, qEnvironmentVariable("BW_THEME") + QStringLiteral("overridden"));
        QFile go(session + QStringLiteral("/go"));
        QVERIFY(go.open(QIODevice::WriteOnly));
        go.close();
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
        QCOMPARE(w.session()->culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD~6")}));
        // Overriding the culprit afterwards reopens the session (paused, ready to go on).
        QVERIFY(w.overrideCommit(*w.session()->culprit(), MarkKind::Good, QStringLiteral("flaky")));
        QCOMPARE(w.session()->phase(), SessionController::Phase::Paused);
        auto *start = w.findChild<QAction *>(QStringLiteral("actionStart"));
        QVERIFY(start->isEnabled());
        QCOMPARE(start->text(), QStringLiteral("&Resume"));
        start->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 60000);
        QCOMPARE(w.session()->culprit()->toString(),
                 repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD~5")}));
    }

    // A wrong revision: nothing starts, the problem is listed (non-modal) with details.
    void aSessionThatCannotStartIsAProblemNotACrash() {
        TestRepo repo;
        commitLinearHistory(repo, 4, 2);
        MainWindow w;
        w.show();
        auto opts = options(repo, m_home.path() + QStringLiteral("/s3"), QStringLiteral("true"));
        opts.goods = {QStringLiteral("no-such-tag")};
        QVERIFY(!w.startSession(opts));
        QCOMPARE(w.problems()->count(), 1);
        QVERIFY(w.problems()->item(0)->text().contains(QStringLiteral("no-such-tag")));
        QCOMPARE(w.session()->phase(), SessionController::Phase::None);
    }

    // A finished session is reopened from the sessions directory: its steps are shown.
    void reopensAFinishedSession() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 4);
        const QString session = m_home.path() + QStringLiteral("/s4");
        {
            MainWindow w;
            QSignalSpy ended(&w, &MainWindow::sessionEnded);
            QVERIFY(w.startSession(options(repo, session, QStringLiteral("test ! -e bug"))));
            QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
        }
        MainWindow w;
        w.show();
        QVERIFY(w.reopenSession(session));
        QCOMPARE(w.session()->steps()->rowCount(), 4);
        auto *exportReport = w.findChild<QAction *>(QStringLiteral("actionExportReport"));
        QVERIFY(exportReport->isEnabled());

        // A window that ran another session lets go of it: what it shows is the stored one.
        TestRepo other;
        commitLinearHistory(other, 16, 6);
        MainWindow runner;
        QSignalSpy ended(&runner, &MainWindow::sessionEnded);
        QVERIFY(runner.startSession(options(other, m_home.path() + QStringLiteral("/s5"),
                                            QStringLiteral("test ! -e bug"))));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
        QVERIFY(runner.session()->hasSession());
        QVERIFY(runner.reopenSession(session));
        QVERIFY(!runner.session()->hasSession());
        QCOMPARE(runner.session()->steps()->rowCount(), 4);
    }

    void newSessionDialogOffersTheRepositorysRefs() {
        TestRepo repo;
        commitLinearHistory(repo, 16, 9);
        NewSessionDialog dialog({repo.path()});
        dialog.setRepositoryPath(repo.path());
        dialog.resize(1100, 760);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTRY_VERIFY_WITH_TIMEOUT(dialog.completionNames().size() >= 1, 20000);
        shoot(&dialog, qEnvironmentVariable("BW_THEME") + QStringLiteral("newsession"));
    }
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
