#include "ui/MainWindow.h"

#include <QAction>
#include <QLabel>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTest>

using namespace bw;

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

    void showsTheRepository() {
        MainWindow w;
        w.setRepositoryPath(QStringLiteral("/tmp/linux<&>"));
        QCOMPARE(w.windowTitle(), QStringLiteral("linux<&> — Bisect Workbench"));
        auto *label = w.findChild<QLabel *>(QStringLiteral("welcome"));
        QVERIFY(label);
        QVERIFY(label->text().contains(QStringLiteral("/tmp/linux&lt;&amp;&gt;")));
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
