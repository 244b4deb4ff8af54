// The composition root: GUI mode (QApplication + MainWindow) or a headless command
// (QCoreApplication, no display needed).

#include "Version.h"
#include "app/CommandLine.h"
#include "services/demo/DemoRepository.h"
#include "services/git/BisectWorkspace.h"
#include "ui/MainWindow.h"
#include "ui/NewSessionDialog.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QLineEdit>
#include <QPointer>
#include <QScreen>
#include <QTimer>

#include <cstdio>
#include <cstring>
#include <memory>

namespace {

void setIdentity() {
    QCoreApplication::setOrganizationName(QStringLiteral("BisectWorkbench"));
    QCoreApplication::setApplicationName(QStringLiteral("bisect-workbench"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BW_VERSION));
}

void addGuiOptions(QCommandLineParser &parser) {
    parser.setApplicationDescription(QStringLiteral(
        "Bisect Workbench: git bisect, automated and visible.\n\n"
        "Commands (run without a window):\n"
        "  next [--repo DIR]            print what `git bisect next` would print for the bisect\n"
        "                               in DIR, and change nothing\n"
        "  replay [--repo DIR] LOGFILE  apply a `git bisect log` to DIR's bisect state\n"
        "  run --recipe FILE --bad REV --good REV [--session DIR]\n"
        "                               bisect automatically with a recipe, no window\n"
        "  script --bad REV --good REV -- CMD [ARG…]\n"
        "                               `git bisect run` semantics with our engine and logs\n"
        "  report SESSION --format md|html|pdf|json --output FILE\n"
        "                               a report of a session, ready for a bug tracker\n"
        "  demo-repo DIR                create the demo project (netsim, a planted\n"
        "                               regression, recipes) in DIR\n\n"
        "Run `bisect-workbench COMMAND --help` for a command's options.\n"
        "Without a command, the workbench window opens."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("repo"), QStringLiteral("Open the repository in DIR."),
                      QStringLiteral("DIR")});
    parser.addOption(
        {QStringLiteral("inspect-log"),
         QStringLiteral("Open a `git bisect log` FILE in the log inspector (with --repo, "
                        "its steps are drawn on the graph)."),
         QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("session"),
                      QStringLiteral("Reopen the session kept in DIR (an unfinished one goes on)."),
                      QStringLiteral("DIR")});
    parser.addOption(
        {QStringLiteral("new-session"), QStringLiteral("Open the new-session dialog at start.")});
    parser.addOption(
        {QStringLiteral("demo"),
         QStringLiteral("Open the demo project, ready to press Start (made in "
                        "$XDG_DATA_HOME/bisect-workbench/demo when missing or outdated).")});
    parser.addOption({QStringLiteral("theme"),
                      QStringLiteral("light, dark or system (the default: follow the desktop)."),
                      QStringLiteral("THEME")});
    parser.addOption(
        {QStringLiteral("screenshot"),
         QStringLiteral("Save a picture of the window to FILE once it is shown, then quit."),
         QStringLiteral("FILE")});
}

// The new-session dialog on the demo: repository, range and recipe filled in, so the
// first thing a new user does is press Start.
void openDemoSession(bw::MainWindow &window, const QString &demo) {
    auto *dialog = new bw::NewSessionDialog({demo}, &window);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setRepositoryPath(demo);
    if (auto *bad = dialog->findChild<QLineEdit *>(QStringLiteral("badRevision")))
        bad->setText(QStringLiteral("HEAD"));
    if (auto *goods = dialog->findChild<QLineEdit *>(QStringLiteral("goodRevisions")))
        goods->setText(QStringLiteral("v0.1"));
    dialog->setRecipeSource(bw::NewSessionDialog::RecipeSource::File);
    dialog->setRecipeFile(demo + QStringLiteral("/local.toml"));
    QPointer<bw::NewSessionDialog> guard(dialog);
    QObject::connect(dialog, &QDialog::accepted, &window, [&window, guard] {
        if (guard)
            (void)window.startSession(guard->options());
    });
    dialog->open();
}

} // namespace

int main(int argc, char **argv) {
    setIdentity();

    if (argc > 1 && !std::strcmp(argv[1], "report")) {
        // Reports lay out text (the PDF): fonts need a QGuiApplication, not a display.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QGuiApplication app(argc, argv);
        const QStringList args = app.arguments();
        return bw::app::runCommand(args.at(1), args.mid(2));
    }
    if (argc > 1 && argv[1][0] != '-') {
        // A command word: no window, no display needed.
        QCoreApplication app(argc, argv);
        const QStringList args = app.arguments();
        return bw::app::runCommand(args.at(1), args.mid(2));
    }

    // --help and --version need no display.
    bool textOnly = false;
    for (int i = 1; i < argc; ++i)
        textOnly |= !std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h") ||
                    !std::strcmp(argv[i], "--version") || !std::strcmp(argv[i], "-v");
    if (textOnly) {
        QCoreApplication app(argc, argv);
        QCommandLineParser parser;
        addGuiOptions(parser);
        parser.process(app); // prints and exits for --help/--version
        return 0;
    }

    QApplication app(argc, argv);
    QCommandLineParser parser;
    addGuiOptions(parser);
    parser.process(app);

    bw::MainWindow window;
    if (parser.isSet(QStringLiteral("theme"))) {
        const QString theme = parser.value(QStringLiteral("theme"));
        if (theme == u"dark")
            window.setTheme(bw::MainWindow::Theme::Dark);
        else if (theme == u"light")
            window.setTheme(bw::MainWindow::Theme::Light);
        else
            window.setTheme(bw::MainWindow::Theme::System);
    }
    QString demo;
    if (parser.isSet(QStringLiteral("demo"))) {
        auto info = bw::demo::DemoRepository::ensure(bw::demo::DemoRepository::defaultLocation());
        if (!info) {
            std::fprintf(stderr, "bisect-workbench: the demo: %s\n",
                         qPrintable(info.error().message()));
            return 1;
        }
        demo = info->path;
        window.openRepository(demo);
    } else if (parser.isSet(QStringLiteral("repo"))) {
        window.openRepository(parser.value(QStringLiteral("repo")));
    }
    window.show();
    if (!demo.isEmpty())
        QTimer::singleShot(0, &window, [&window, demo] { openDemoSession(window, demo); });
    if (parser.isSet(QStringLiteral("session")))
        (void)window.reopenSession(parser.value(QStringLiteral("session")));
    if (parser.isSet(QStringLiteral("new-session")))
        QTimer::singleShot(0, &window, [&window] {
            if (auto *a = window.findChild<QAction *>(QStringLiteral("actionNewSession")))
                a->trigger();
        });
    if (parser.isSet(QStringLiteral("inspect-log")))
        window.inspectLog(parser.value(QStringLiteral("inspect-log")));
    if (parser.isSet(QStringLiteral("screenshot"))) {
        // Once the window shows the repository's state (or right away without one).
        const QString file = parser.value(QStringLiteral("screenshot"));
        const int settle = parser.isSet(QStringLiteral("inspect-log")) ? 2500
                           : demo.isEmpty()                            ? 400
                                                                       : 1500;
        // With the log inspector or the demo's dialog open, the whole screen (they are
        // windows of their own).
        const bool wholeScreen = parser.isSet(QStringLiteral("inspect-log")) || !demo.isEmpty();
        auto shoot = [&window, file, settle, wholeScreen] {
            QTimer::singleShot(settle, &window, [&window, file, wholeScreen] {
                const QPixmap picture =
                    wholeScreen ? window.screen()->grabWindow(0) : window.grab();
                const bool saved = picture.save(file);
                if (!saved)
                    std::fprintf(stderr, "bisect-workbench: cannot save %s\n", qPrintable(file));
                QCoreApplication::exit(saved ? 0 : 1);
            });
        };
        if (parser.isSet(QStringLiteral("repo")) || !demo.isEmpty()) {
            QObject::connect(&window, &bw::MainWindow::stateShown, &window, shoot);
            QObject::connect(window.workspace(), &bw::git::BisectWorkspace::failed, &window, shoot);
        } else {
            shoot();
        }
    }
    return app.exec();
}
