#include "ui/MainWindow.h"

#include "ui/UiLogging.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QVBoxLayout>

namespace bw {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent) {
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(QStringLiteral("Bisect Workbench"));
    resize(1100, 720);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_welcome = new QLabel(central);
    m_welcome->setObjectName(QStringLiteral("welcome"));
    m_welcome->setAlignment(Qt::AlignCenter);
    m_welcome->setWordWrap(true);
    m_welcome->setTextFormat(Qt::RichText);
    layout->addWidget(m_welcome);
    setCentralWidget(central);
    setRepositoryPath({});

    createActions();
    statusBar()->showMessage(tr("Ready"));
    qCInfo(bwUi) << "main window created";
}

void MainWindow::setRepositoryPath(const QString &path) {
    m_repositoryPath = path;
    setWindowTitle(path.isEmpty()
                       ? QStringLiteral("Bisect Workbench")
                       : QStringLiteral("%1 — Bisect Workbench").arg(QDir(path).dirName()));
    const QString where = path.isEmpty() ? tr("No repository open.")
                                         : tr("Repository: <b>%1</b>").arg(path.toHtmlEscaped());
    m_welcome->setText(
        tr("<h2>Bisect Workbench</h2>"
           "<p>Find the commit that broke it: build, boot, test, repeat — "
           "automatically, visibly, recoverably.</p><p>%1</p>"
           "<p>From a terminal: <code>bisect-workbench next</code> shows git's next "
           "step for the bisect in progress; <code>bisect-workbench replay LOG</code> "
           "applies a bisect log.</p>")
            .arg(where));
}

void MainWindow::createActions() {
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setObjectName(QStringLiteral("actionQuit"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Bisect Workbench"), this, &MainWindow::showAbout);
    about->setObjectName(QStringLiteral("actionAbout"));
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About Bisect Workbench"),
                       tr("<b>Bisect Workbench %1</b><p>git bisect, automated and visible.</p>")
                           .arg(QApplication::applicationVersion()));
}

} // namespace bw
