// The composition root: GUI mode (QApplication + MainWindow) or a headless command
// (QCoreApplication, no display needed).

#include "Version.h"
#include "app/CommandLine.h"
#include "services/git/BisectWorkspace.h"
#include "ui/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QGuiApplication>
#include <QScreen>
#include <QTimer>

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
        "                               a report of a session, ready for a bug tracker\n\n"
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
    parser.addOption({QStringLiteral("theme"),
                      QStringLiteral("light, dark or system (the default: follow the desktop)."),
                      QStringLiteral("THEME")});
    parser.addOption(
        {QStringLiteral("screenshot"),
         QStringLiteral("Save a picture of the window to FILE once it is shown, then quit."),
         QStringLiteral("FILE")});
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
    if (parser.isSet(QStringLiteral("repo")))
        window.openRepository(parser.value(QStringLiteral("repo")));
    window.show();
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
        const int settle = parser.isSet(QStringLiteral("inspect-log")) ? 2500 : 400;
        // With the log inspector open, the whole screen (it is a window of its own).
        const bool wholeScreen = parser.isSet(QStringLiteral("inspect-log"));
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
        if (parser.isSet(QStringLiteral("repo"))) {
            QObject::connect(&window, &bw::MainWindow::stateShown, &window, shoot);
            QObject::connect(window.workspace(), &bw::git::BisectWorkspace::failed, &window, shoot);
        } else {
            shoot();
        }
    }
    return app.exec();
}
