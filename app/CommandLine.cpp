#include "app/CommandLine.h"

#include "Version.h"
#include "app/CliSupport.h"
#include "app/HeadlessRun.h"
#include "services/demo/DemoRepository.h"
#include "services/git/GitBisect.h"
#include "services/git/Repository.h"
#include "services/pipeline/SessionDirectory.h"
#include "services/report/ReportCollector.h"
#include "services/report/ReportWriter.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <cstdio>

namespace bw::app {

namespace {

int print(const git::CommandOutput &o) {
    write(stdout, o.out);
    write(stderr, o.err);
    return o.exitCode;
}

const QCommandLineOption
    repoOption({QStringLiteral("repo")},
               QStringLiteral("The repository (default: the current directory)."),
               QStringLiteral("DIR"), QStringLiteral("."));

int next(const QStringList &arguments) {
    QCommandLineParser p;
    p.addOption(repoOption);
    int code = 0;
    if (!parse(p, QStringLiteral("next"), arguments, code))
        return code;
    if (!p.positionalArguments().isEmpty())
        return fail(QStringLiteral("next takes no arguments (got %1)")
                        .arg(p.positionalArguments().join(u' ')));
    auto repo = git::Repository::open(p.value(repoOption));
    if (!repo)
        return fail(repo.error().message());
    git::GitBisect bisect(*repo);
    return print(bisect.next());
}

int replay(const QStringList &arguments) {
    QCommandLineParser p;
    p.addOption(repoOption);
    p.addPositionalArgument(QStringLiteral("LOGFILE"), QStringLiteral("A `git bisect log` file."));
    int code = 0;
    if (!parse(p, QStringLiteral("replay"), arguments, code))
        return code;
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("replay takes exactly one LOGFILE"));
    QFile file(p.positionalArguments().first());
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
    const QByteArray bytes = file.readAll();
    auto repo = git::Repository::open(p.value(repoOption));
    if (!repo)
        return fail(repo.error().message());
    git::GitBisect bisect(*repo);
    return print(bisect.replay(QString::fromUtf8(bytes)));
}

// Writes a report to `output` (atomically), or to stdout when it is empty or "-".
int emitReport(const QString &output, const QByteArray &bytes) {
    if (output.isEmpty() || output == u"-") {
        std::fwrite(bytes.constData(), 1, bytes.size(), stdout);
        return 0;
    }
    QSaveFile f(output);
    // A report is the user's to share: owner-only until they choose otherwise.
    if (!f.open(QIODevice::WriteOnly) ||
        !f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        f.write(bytes) != bytes.size() || !f.commit())
        return fail(QStringLiteral("cannot write %1: %2").arg(output, f.errorString()));
    return 0;
}

int report(const QStringList &arguments) {
    QCommandLineParser p;
    const QCommandLineOption formatOption(
        {QStringLiteral("format")},
        QStringLiteral("md, html, pdf, json, or log for the `git bisect log` (default: from the "
                       "output's extension, else md)."),
        QStringLiteral("FORMAT"));
    const QCommandLineOption outputOption(
        {QStringLiteral("output"), QStringLiteral("o")},
        QStringLiteral("Write to FILE (default: standard output; a PDF needs a file)."),
        QStringLiteral("FILE"));
    p.addOptions({formatOption, outputOption});
    p.addPositionalArgument(QStringLiteral("SESSION"), QStringLiteral("A session directory."));
    int code = 0;
    if (!parse(p, QStringLiteral("report"), arguments, code))
        return code;
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("report takes exactly one SESSION directory"));
    const QString output = p.value(outputOption);
    QString formatName = p.value(formatOption);
    if (formatName.isEmpty()) {
        const QString ext = QFileInfo(output).suffix().toLower();
        formatName = ext == u"markdown" ? QStringLiteral("md") : ext;
        if (!report::formatFromName(formatName))
            formatName = QStringLiteral("md");
    }
    if (formatName == u"log") {
        // The session's `git bisect log`, for `git bisect replay` or `bisect-workbench replay`.
        QFile log(p.positionalArguments().first() + QStringLiteral("/bisect.log"));
        if (!pipeline::SessionDirectory::holdsSession(p.positionalArguments().first()) ||
            !log.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("%1 holds no session with a bisect log")
                            .arg(p.positionalArguments().first()));
        return emitReport(output, log.readAll());
    }
    const auto format = report::formatFromName(formatName);
    if (!format)
        return fail(
            QStringLiteral("--format %1: expected md, html, pdf, json or log").arg(formatName));
    if (*format == report::Format::Pdf && output.isEmpty())
        return fail(QStringLiteral("a PDF report needs --output FILE"));
    auto data = report::collectReport(p.positionalArguments().first(), QStringLiteral(BW_VERSION));
    if (!data)
        return fail(data.error().message());
    if (*format == report::Format::Pdf) {
        if (Status s = report::writePdf(*data, output); !s)
            return fail(s.error().message());
        return 0;
    }
    QByteArray bytes;
    switch (*format) {
    case report::Format::Markdown:
        bytes = report::toMarkdown(*data).toUtf8();
        break;
    case report::Format::Html:
        bytes = report::toHtml(*data).toUtf8();
        break;
    case report::Format::Json:
        bytes = report::toJson(*data);
        break;
    case report::Format::Pdf:
        break;
    }
    return emitReport(output, bytes);
}

int demoRepo(const QStringList &arguments) {
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("DIR"),
                            QStringLiteral("A new (or empty) folder for the demo project."));
    int code = 0;
    if (!parse(p, QStringLiteral("demo-repo"), arguments, code))
        return code;
    if (p.positionalArguments().size() != 1)
        return fail(QStringLiteral("demo-repo takes exactly one DIR"));
    auto info = demo::DemoRepository::create(p.positionalArguments().first());
    if (!info)
        return fail(info.error().message());
    write(stdout,
          QStringLiteral("Created the demo project in %1: netsim, %2 commits (%3 merges), tags "
                         "%4.\nIts stress test hangs now and then since a planted regression; "
                         "find it with\n\n  cd %1\n  bisect-workbench run --recipe local.toml "
                         "--good v0.1 --bad HEAD\n\nor in the window: bisect-workbench --demo. "
                         "Recipes beside the project: %5.\n")
              .arg(QDir::toNativeSeparators(info->path))
              .arg(info->commits)
              .arg(info->merges)
              .arg(info->tags.join(QStringLiteral(", ")),
                   demo::DemoRepository::recipeFiles().join(QStringLiteral(", "))));
    return 0;
}

} // namespace

int runCommand(const QString &command, const QStringList &arguments) {
    if (command == u"next")
        return next(arguments);
    if (command == u"replay")
        return replay(arguments);
    if (command == u"run")
        return runRecipe(arguments);
    if (command == u"script")
        return runScript(arguments);
    if (command == u"report")
        return report(arguments);
    if (command == u"demo-repo")
        return demoRepo(arguments);
    return fail(QStringLiteral("unknown command '%1' (see --help)").arg(command));
}

} // namespace bw::app
