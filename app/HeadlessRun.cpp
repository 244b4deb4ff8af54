#include "app/HeadlessRun.h"

#include "app/CliSupport.h"

#include "models/OutcomeClassifier.h"
#include "services/pipeline/Orchestrator.h"
#include "services/pipeline/SessionDirectory.h"
#include "services/recipe/RecipeLoader.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace bw::app {

namespace {

// SIGINT/SIGTERM reach the workbench only: the step's commands run in their own process
// groups. The handler wakes the event loop through a pipe, and the step is cancelled
// (its whole process group killed) before the process exits.
int g_signalPipe[2] = {-1, -1};

void onSignal(int) {
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(g_signalPipe[1], &c, 1);
}

struct Options {
    QString repo;
    QString bad;
    QStringList goods;
    bool firstParent = false;
    QString session;
    bool verbose = false;
};

QString stagesLine(const StepRecord &step) {
    QStringList parts;
    for (const StageResult &s : step.stages)
        parts << QStringLiteral("%1 %2").arg(stageName(s.stage), formatDuration(s.durationMs));
    return parts.join(QStringLiteral(", "));
}

QString purposeLabel(StepPurpose p) {
    switch (p) {
    case StepPurpose::Bisect:
        return {};
    case StepPurpose::Endpoint:
        return QStringLiteral(" (endpoint check)");
    case StepPurpose::Confirm:
        return QStringLiteral(" (confirmation)");
    case StepPurpose::GoodCheck:
        return QStringLiteral(" (checking the command on a good commit)");
    }
    return {};
}

// Runs the orchestrator to its end in this thread's event loop; returns the exit code.
int drive(const pipeline::SessionOptions &session, bool verbose, bool scriptOutput) {
    if (!verbose) // the terminal shows progress lines; the details are in the step logs
        QLoggingCategory::setFilterRules(QStringLiteral("bw.*.info=false"));
    pipeline::Orchestrator orchestrator;
    int exitCode = 1;
    QObject::connect(&orchestrator, &pipeline::Orchestrator::progress,
                     [](const QString &text) { write(stdout, text); });
    QObject::connect(&orchestrator, &pipeline::Orchestrator::output,
                     [&](int, LogKind log, const QByteArray &chunk) {
                         if (verbose || (scriptOutput && log == LogKind::Test))
                             std::fwrite(chunk.constData(), 1, chunk.size(),
                                         scriptOutput ? stdout : stderr);
                     });
    QObject::connect(
        &orchestrator, &pipeline::Orchestrator::stepFinished, [&](const StepRecord &step) {
            if (scriptOutput)
                return;
            write(stdout, QStringLiteral("step %1%2 [%3] %4: %5 (%6)\n")
                              .arg(step.number)
                              .arg(purposeLabel(step.purpose), step.commit.toString().left(12),
                                   verdictName(step.classification.verdict),
                                   step.classification.reason, stagesLine(step)));
            const StageResult *s = step.decidingStage();
            if (!verbose && s && s->outcome != StageOutcome::Passed && !step.logDir.isEmpty())
                write(stdout, QStringLiteral("  logs: %1\n").arg(step.logDir));
        });
    QObject::connect(&orchestrator, &pipeline::Orchestrator::paused, [&](const QString &why) {
        write(stderr, QStringLiteral("bisect-workbench: paused: %1\nResume with: bisect-workbench "
                                     "run --repo %2 --session %3\n")
                          .arg(why, session.repositoryPath, orchestrator.sessionDir()));
        exitCode = 1;
        QCoreApplication::exit(exitCode);
    });
    QObject::connect(
        &orchestrator, &pipeline::Orchestrator::finished,
        [&](pipeline::Orchestrator::Ending ending, const QString &message) {
            exitCode = pipeline::Orchestrator::exitCodeFor(ending);
            if (ending == pipeline::Orchestrator::Ending::Found ||
                ending == pipeline::Orchestrator::Ending::OnlySkipped)
                write(stdout, message + u'\n');
            else
                write(stderr, QStringLiteral("bisect-workbench: %1\n").arg(message));
            if (!scriptOutput)
                write(stdout,
                      QStringLiteral("Session kept in %1\n").arg(orchestrator.sessionDir()));
            QCoreApplication::exit(exitCode);
        });

    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return fail(QStringLiteral("cannot set up signal handling"));
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    int interrupts = 0;
    QObject::connect(&notifier, &QSocketNotifier::activated, [&] {
        char buf[16];
        while (::read(g_signalPipe[0], buf, sizeof buf) > 0) {
        }
        if (++interrupts > 1)
            std::_Exit(130); // a second Ctrl-C: the user means it
        write(stderr, QStringLiteral("\nbisect-workbench: stopping (the running step is "
                                     "cancelled, nothing is recorded for it)\n"));
        orchestrator.stop();
    });
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // A vanished terminal must not kill us mid-write (the journal would still be fine).
    std::signal(SIGPIPE, SIG_IGN);

    if (Status s = orchestrator.start(session); !s)
        return fail(s.error().message());
    QCoreApplication::exec();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return exitCode;
}

const QCommandLineOption
    repoOption({QStringLiteral("repo")},
               QStringLiteral("The repository (default: the current directory)."),
               QStringLiteral("DIR"), QStringLiteral("."));
const QCommandLineOption badOption({QStringLiteral("bad")},
                                   QStringLiteral("The commit that shows the problem."),
                                   QStringLiteral("REV"));
const QCommandLineOption goodOption({QStringLiteral("good")},
                                    QStringLiteral("A commit without the problem (repeatable)."),
                                    QStringLiteral("REV"));
const QCommandLineOption
    firstParentOption({QStringLiteral("first-parent")},
                      QStringLiteral("Follow only the first parent of merges."));
const QCommandLineOption sessionOption(
    {QStringLiteral("session")},
    QStringLiteral(
        "Keep the session (logs, journal, worktree) in DIR; resumes it when DIR holds an "
        "unfinished one."),
    QStringLiteral("DIR"));
const QCommandLineOption verboseOption({QStringLiteral("verbose")},
                                       QStringLiteral("Stream every log to stderr."));

// The options `run` and `script` share.
pipeline::SessionOptions sessionOptions(const QCommandLineParser &p) {
    pipeline::SessionOptions session;
    session.repositoryPath = p.value(repoOption);
    session.bad = p.value(badOption);
    session.goods = p.values(goodOption);
    session.firstParent = p.isSet(firstParentOption);
    session.sessionDir = p.value(sessionOption);
    return session;
}

} // namespace

int runRecipe(const QStringList &arguments) {
    QCommandLineParser p;
    const QCommandLineOption recipeOption(
        {QStringLiteral("recipe")}, QStringLiteral("The recipe (TOML)."), QStringLiteral("FILE"));
    const QCommandLineOption workersOption(
        {QStringLiteral("workers")},
        QStringLiteral("Test N commits at once (default: one per [[worker]] of the recipe, or 1)."),
        QStringLiteral("N"), QStringLiteral("1"));
    p.addOptions({repoOption, recipeOption, badOption, goodOption, firstParentOption, sessionOption,
                  workersOption, verboseOption});
    int code = 0;
    if (!parse(p, QStringLiteral("run"), arguments, code))
        return code;
    if (!p.positionalArguments().isEmpty())
        return fail(QStringLiteral("run takes no arguments (got %1)")
                        .arg(p.positionalArguments().join(u' ')));
    bool workersOk = false;
    const int workers = p.value(workersOption).toInt(&workersOk);
    if (!workersOk || workers < 1)
        return fail(QStringLiteral("--workers %1: expected a number of workers, 1 or more")
                        .arg(p.value(workersOption)));

    pipeline::SessionOptions session = sessionOptions(p);
    if (p.isSet(workersOption))
        session.workers = workers;

    QString recipeFile = p.value(recipeOption);
    const bool resuming = !session.sessionDir.isEmpty() &&
                          pipeline::SessionDirectory::holdsSession(session.sessionDir);
    if (recipeFile.isEmpty() && resuming)
        recipeFile = session.sessionDir + QStringLiteral("/recipe.toml");
    if (recipeFile.isEmpty())
        return fail(QStringLiteral("--recipe FILE is needed (see bisect-workbench run --help)"));
    if (!resuming && (session.bad.isEmpty() || session.goods.isEmpty()))
        return fail(QStringLiteral("--bad REV and at least one --good REV are needed"));
    const recipe::RecipeLoad load = recipe::RecipeLoader::loadFile(recipeFile);
    if (!load.ok()) {
        write(stderr, load.message() + u'\n');
        return fail(QStringLiteral("the recipe has %1 mistake(s); nothing was started")
                        .arg(load.issues.size()));
    }
    session.recipe = load.recipe;
    return drive(session, p.isSet(verboseOption), false);
}

int runScript(const QStringList &arguments) {
    QCommandLineParser p;
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    const QCommandLineOption checkoutOption(
        {QStringLiteral("checkout")},
        QStringLiteral("worktree (default: a session worktree; your work tree is not touched), "
                       "in-place (like git bisect), or none."),
        QStringLiteral("MODE"), QStringLiteral("worktree"));
    const QCommandLineOption timeoutOption({QStringLiteral("timeout")},
                                           QStringLiteral("Kill the command after DURATION (it "
                                                          "then counts as bad)."),
                                           QStringLiteral("DURATION"));
    p.addOptions({repoOption, badOption, goodOption, firstParentOption, sessionOption,
                  checkoutOption, timeoutOption, verboseOption});
    p.addPositionalArgument(QStringLiteral("CMD"),
                            QStringLiteral("The command and its arguments "
                                           "(exit 0 good, 125 skip, 1-127 "
                                           "bad, else abort)."),
                            QStringLiteral("-- CMD [ARG…]"));
    int code = 0;
    if (!parse(p, QStringLiteral("script"), arguments, code))
        return code;
    QStringList command = p.positionalArguments();
    if (command.isEmpty())
        return fail(QStringLiteral("script needs a command after --"));
    if (p.value(badOption).isEmpty() || p.values(goodOption).isEmpty())
        return fail(QStringLiteral("--bad REV and at least one --good REV are needed"));

    Recipe recipe;
    recipe.name = QStringLiteral("git bisect run %1").arg(CommandSpec::fromArgv(command).display());
    recipe.folder = QDir::currentPath();
    const QString mode = p.value(checkoutOption);
    if (mode == u"worktree")
        recipe.checkout = CheckoutMode::Worktree;
    else if (mode == u"in-place")
        recipe.checkout = CheckoutMode::InPlace;
    else if (mode == u"none")
        recipe.checkout = CheckoutMode::None;
    else
        return fail(QStringLiteral("--checkout %1: expected worktree, in-place or none").arg(mode));
    if (p.isSet(timeoutOption)) {
        const auto t = parseDuration(p.value(timeoutOption));
        if (!t || *t <= 0)
            return fail(QStringLiteral("--timeout %1: expected a duration such as 90s, 3m or 1h30m")
                            .arg(p.value(timeoutOption)));
        recipe.test.timeout = *t;
    }
    // A script named by a relative path means the one the user sees from here, not a
    // file of the same name inside the commit under test.
    if (command.first().contains(u'/') && QFileInfo(command.first()).isRelative() &&
        QFileInfo::exists(command.first()))
        command.first() = QFileInfo(command.first()).absoluteFilePath();
    recipe.test.kind = TestKind::Script;
    recipe.test.command = CommandSpec::fromArgv(command);

    pipeline::SessionOptions session = sessionOptions(p);
    session.recipe = recipe;
    session.gitRunOutput = true;
    return drive(session, p.isSet(verboseOption), true);
}

} // namespace bw::app
