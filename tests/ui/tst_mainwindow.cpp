#include "ui/MainWindow.h"

#include "models/CommitGraphModel.h"
#include "services/git/BisectWorkspace.h"
#include "tests/support/TestRepo.h"
#include "ui/CommitGraphView.h"
#include "ui/LogInspectorDialog.h"

#include <QAction>
#include <QLabel>
#include <QMenuBar>
#include <QSignalSpy>
#include <QSlider>
#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

// The row of `sha` in the view's (filtered) model, -1 when hidden.
int viewRow(const CommitGraphView *view, const QString &sha) {
    const auto *model = view->graphModel();
    const CommitDag::Id id = model->dag()->find(*Oid::fromHex(sha));
    return view->filterModel()->mapFromSource(model->index(static_cast<int>(id), 0)).row();
}

CommitStates states(const CommitGraphView *view, const QString &sha) {
    const auto *model = view->graphModel();
    return model->states(static_cast<int>(model->dag()->find(*Oid::fromHex(sha))));
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private slots:
    void opensAndClosesCleanly() {
        auto *w = new MainWindow;
        w->show();
        QVERIFY(QTest::qWaitForWindowExposed(w));
        QCOMPARE(w->windowTitle(), QStringLiteral("Bisect Workbench"));
        QVERIFY(!w->grab().isNull());
        auto *quit = w->findChild<QAction *>(QStringLiteral("actionQuit"));
        QVERIFY(quit);
        QCOMPARE(quit->shortcut(), QKeySequence(QKeySequence::Quit));
        QSignalSpy destroyed(w, &QObject::destroyed);
        w->setAttribute(Qt::WA_DeleteOnClose);
        quit->trigger();
        QTRY_COMPARE(destroyed.count(), 1);
    }

    // A bisect started on the command line: the window shows git's own words, the
    // range on the graph, and a mark made in the window lands in git's state.
    void showsAndMarksTheBisectInProgress() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 24; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        const RunResult git =
            repo.git({QStringLiteral("bisect"), QStringLiteral("start"), sha[23], sha[0]});
        QCOMPARE(git.exitCode, 0);

        MainWindow w;
        w.show();
        QSignalSpy shown(&w, &MainWindow::stateShown);
        w.openRepository(repo.path());
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 30000);
        auto *header = w.findChild<QLabel *>(QStringLiteral("bisectHeader"));
        QVERIFY(header);
        QCOMPARE(header->text(), QString::fromUtf8(git.out).trimmed());
        CommitGraphView *view = w.graphView();
        QCOMPARE(view->graphModel()->rowCount(), 24);
        const QString underTest =
            repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        QVERIFY(states(view, underTest) & CommitState::UnderTest);
        QVERIFY(states(view, sha[0]) & CommitState::Good);
        QVERIFY(states(view, sha[23]) & CommitState::Bad);
        QCOMPARE(view->currentCommit(), Oid::fromHex(underTest)); // the view starts there

        // Mark the commit under test bad with the key: the range halves.
        view->setFocus();
        QTest::keyClick(view, Qt::Key_B);
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 2, 30000);
        const RunResult next = repo.git({QStringLiteral("bisect"), QStringLiteral("next")});
        QCOMPARE(header->text(), QString::fromUtf8(next.out).trimmed());
        QVERIFY(states(view, underTest) & CommitState::Bad);
        QVERIFY(repo.gitOut({QStringLiteral("bisect"), QStringLiteral("log")})
                    .contains(QStringLiteral("git bisect bad ") + underTest));
        // The layout is untouched by a verdict: same rows, same lanes.
        QCOMPARE(view->graphModel()->rowCount(), 24);
        QVERIFY(states(view, sha[22]) & CommitState::Eliminated);

        // "Remaining only" hides what the verdicts eliminated and keeps the marks.
        auto *remaining = w.findChild<QAction *>(QStringLiteral("actionRemainingOnly"));
        remaining->setChecked(true);
        QCOMPARE(viewRow(view, sha[22]), -1);
        QCOMPARE(viewRow(view, sha[23]), -1); // git's bad ref moved on: no longer marked
        QVERIFY(viewRow(view, underTest) >= 0);
        QVERIFY(viewRow(view, sha[0]) >= 0);
        // The candidates (the new bad among them) and the good commit.
        QCOMPARE(view->filterModel()->rowCount(),
                 view->graphModel()->annotations().candidateCount() + 1);
        remaining->setChecked(false);
        QCOMPARE(view->filterModel()->rowCount(), 24);

        // Take the verdict back (C): git's state is as the bisect started.
        QVERIFY(view->goToCommit(*Oid::fromHex(underTest)));
        QTest::keyClick(view, Qt::Key_C);
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 3, 30000);
        QCOMPARE(header->text(), QString::fromUtf8(git.out).trimmed());
        QVERIFY(states(view, underTest) & CommitState::UnderTest);
        QVERIFY(!(states(view, underTest) & CommitState::Bad));
        QVERIFY(states(view, sha[23]) & CommitState::Bad);
    }

    // A bisect log opened in the inspector is drawn on the graph, step by step; closing
    // the inspector brings the bisect in progress back.
    void inspectsABisectLogOnTheGraph() {
        TestRepo repo;
        QStringList sha;
        for (int i = 0; i < 20; ++i)
            sha << repo.commit(QStringLiteral("c%1").arg(i));
        const RunResult start =
            repo.git({QStringLiteral("bisect"), QStringLiteral("start"), sha[19], sha[0]});
        repo.git({QStringLiteral("bisect"), QStringLiteral("good")});
        const RunResult last = repo.git({QStringLiteral("bisect"), QStringLiteral("bad")});
        const QString log = repo.path() + QStringLiteral("/session.log");
        {
            QFile f(log);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(repo.git({QStringLiteral("bisect"), QStringLiteral("log")}).out);
        }
        const QString head = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});

        MainWindow w;
        w.show();
        QSignalSpy shown(&w, &MainWindow::stateShown);
        w.openRepository(repo.path());
        QTRY_COMPARE_WITH_TIMEOUT(shown.count(), 1, 30000);
        auto *header = w.findChild<QLabel *>(QStringLiteral("bisectHeader"));
        QCOMPARE(header->text(), QString::fromUtf8(last.out).trimmed());

        w.inspectLog(log);
        QTRY_VERIFY_WITH_TIMEOUT(header->text().startsWith(QStringLiteral("Inspecting")), 30000);
        auto *dialog = w.findChild<LogInspectorDialog *>();
        QVERIFY(dialog);
        auto *slider = dialog->findChild<QSlider *>(QStringLiteral("stepSlider"));
        QVERIFY(slider);
        CommitGraphView *view = w.graphView();
        // The last step is the state git is in: its commit under test is HEAD.
        slider->setValue(slider->maximum());
        QTRY_VERIFY(states(view, head) & CommitState::UnderTest);
        QCOMPARE(view->currentCommit(), Oid::fromHex(head));
        // The first full state is what `git bisect start` chose.
        const QString first = QString::fromUtf8(start.out).section(u'[', 1).left(40);
        slider->setValue(slider->minimum());
        for (int k = slider->minimum();
             k <= slider->maximum() && !(states(view, first) & CommitState::UnderTest); ++k)
            slider->setValue(k);
        QVERIFY(states(view, first) & CommitState::UnderTest);

        dialog->close();
        QTRY_COMPARE(header->text(), QString::fromUtf8(last.out).trimmed());
    }

    void showsErrorsWithoutADialog() {
        QTemporaryDir dir;
        MainWindow w;
        w.show();
        QSignalSpy failed(w.workspace(), &git::BisectWorkspace::failed);
        w.openRepository(dir.path());
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        auto *welcome = w.findChild<QLabel *>(QStringLiteral("welcome"));
        QVERIFY(welcome->text().contains(QStringLiteral("not a git repository")));
        QVERIFY(QApplication::activeModalWidget() == nullptr);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
