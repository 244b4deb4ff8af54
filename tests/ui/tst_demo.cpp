// The demo in the window: the demo project is created, a session with its local.toml
// starts through MainWindow::startSession (what the new-session dialog's Start does, the
// dialog that `--demo` opens prefilled), and runs to the planted culprit.
//
// Why this cannot flake on a miss: a run of the culprit's stress test hangs with
// probability p = 1 - 0.933^10 = 0.4999; local.toml repeats it 20 times per step, so a
// bad commit passes every run with probability (1 - p)^20 = 9.6e-7. A bisect of this
// range tests at most about 10 bad commits: the session misses the culprit with
// probability below 1e-5. Good commits never hang (they poll a full ring).

#include "ui/MainWindow.h"

#include "models/StepListModel.h"
#include "services/demo/DemoRepository.h"
#include "services/recipe/RecipeLoader.h"
#include "ui/SessionController.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;

class TestDemoGui : public QObject {
    Q_OBJECT
    QTemporaryDir m_home;

private slots:
    void initTestCase() {
        qputenv("XDG_CONFIG_HOME", (m_home.path() + QStringLiteral("/config")).toUtf8());
        qputenv("XDG_STATE_HOME", (m_home.path() + QStringLiteral("/state")).toUtf8());
        qputenv("XDG_DATA_HOME", (m_home.path() + QStringLiteral("/data")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("bw-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_demo_gui"));
    }

    void demoReachesTheFirstBadCommit() {
        // where --demo keeps it, inside the scratch home
        QVERIFY(demo::DemoRepository::defaultLocation().startsWith(m_home.path()));
        auto info = demo::DemoRepository::ensure(demo::DemoRepository::defaultLocation());
        QVERIFY2(info, info ? "" : qPrintable(info.error().message()));
        const recipe::RecipeLoad load =
            recipe::RecipeLoader::loadFile(info->path + QStringLiteral("/local.toml"));
        QVERIFY2(load.ok(), qPrintable(load.message()));

        MainWindow w;
        w.resize(1400, 900);
        w.openRepository(info->path);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy ended(&w, &MainWindow::sessionEnded);
        pipeline::SessionOptions o;
        o.repositoryPath = info->path;
        o.recipe = load.recipe;
        o.bad = QStringLiteral("HEAD");
        o.goods = {QStringLiteral("v0.1")};
        o.sessionDir = m_home.path() + QStringLiteral("/session");
        QElapsedTimer t;
        t.start();
        QVERIFY(w.startSession(o));
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 240000);
        qInfo("the demo session took %lld ms", qint64(t.elapsed()));
        QCOMPARE(w.session()->ending(), pipeline::Orchestrator::Ending::Found);
        QVERIFY(w.session()->culprit());
        QCOMPARE(*w.session()->culprit(), info->culprit);
        QVERIFY(w.session()->steps()->rowCount() >= 6);
        QVERIFY(w.runStatusText().contains(info->culprit.toString().left(12)));
    }
};

QTEST_MAIN(TestDemoGui)
#include "tst_demo.moc"
