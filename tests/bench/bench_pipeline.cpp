// Benchmark: the workbench's own cost per bisect step (everything but the build and
// test commands) against `git bisect run` on the same repository and script.
// Not a test: it prints figures.
//
//   bench_pipeline [--commits N] [--files N] [--runs N]
//
// Both tools bisect a generated linear history (each commit changes a few of --files
// files, so every checkout moves real files) for a planted `bug` file with the script
// `test ! -e bug`. The script's own cost (measured by running it alone) is subtracted
// from both; what is left per step is the tool's overhead: git's bisect--helper,
// checkout and rev-list, or our checkout, selection, logs, journal and git state.

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>
#include <random>

namespace {

QProcessEnvironment env() {
    QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
    e.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    e.insert(QStringLiteral("HOME"), QDir::tempPath());
    e.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    e.insert(QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("Bench"));
    e.insert(QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("bench@example.org"));
    e.insert(QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("Bench"));
    e.insert(QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("bench@example.org"));
    return e;
}

struct Run {
    int exitCode = -1;
    QByteArray out, err;
    double seconds = 0;
};

Run run(const QString &program, const QStringList &args, const QString &dir,
        const QByteArray &input = {}) {
    QProcess p;
    p.setProcessEnvironment(env());
    p.setWorkingDirectory(dir);
    QElapsedTimer t;
    t.start();
    p.start(program, args);
    p.waitForStarted();
    if (!input.isEmpty()) {
        p.write(input);
        p.closeWriteChannel();
    }
    p.waitForFinished(-1);
    Run r{p.exitCode(), p.readAllStandardOutput(), p.readAllStandardError(), t.elapsed() / 1000.0};
    return r;
}

QByteArray history(int commits, int files, int bugAt) {
    std::mt19937 rng(7);
    QByteArray s;
    for (int i = 0; i < commits; ++i) {
        s += "commit refs/heads/main\nmark :" + QByteArray::number(i + 1) + "\n";
        s += "committer Bench <bench@example.org> " + QByteArray::number(1000000000 + i * 60) +
             " +0000\n";
        const QByteArray msg = "change " + QByteArray::number(i);
        s += "data " + QByteArray::number(msg.size()) + "\n" + msg + "\n";
        if (i > 0)
            s += "from :" + QByteArray::number(i) + "\n";
        for (int k = 0; k < 3; ++k) {
            const QByteArray content =
                "file content " + QByteArray::number(i) + "/" + QByteArray::number(k) + "\n";
            s += "M 100644 inline files/f" + QByteArray::number(rng() % files) + "\ndata " +
                 QByteArray::number(content.size()) + "\n" + content + "\n";
        }
        if (i == bugAt)
            s += "M 100644 inline bug\ndata 4\nbug\n\n";
    }
    return s;
}

int countSteps(const QByteArray &out) {
    return out.count("running ");
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addHelpOption();
    p.addOption({QStringLiteral("commits"), QStringLiteral("History length."), QStringLiteral("N"),
                 QStringLiteral("20000")});
    p.addOption({QStringLiteral("files"), QStringLiteral("Files in the tree."), QStringLiteral("N"),
                 QStringLiteral("2000")});
    p.addOption({QStringLiteral("runs"), QStringLiteral("Repetitions (the best is reported)."),
                 QStringLiteral("N"), QStringLiteral("3")});
    p.addOption({QStringLiteral("binary"), QStringLiteral("The workbench binary."),
                 QStringLiteral("FILE")});
    p.addOption({QStringLiteral("keep"),
                 QStringLiteral("Keep the generated repositories (for profiling).")});
    p.process(app);
    const int commits = p.value(QStringLiteral("commits")).toInt();
    const int files = p.value(QStringLiteral("files")).toInt();
    const int runs = std::max(1, p.value(QStringLiteral("runs")).toInt());
    QString binary = p.value(QStringLiteral("binary"));
    if (binary.isEmpty())
        binary =
            QCoreApplication::applicationDirPath() + QStringLiteral("/../../app/bisect-workbench");

    QTemporaryDir tmp;
    if (p.isSet(QStringLiteral("keep"))) {
        tmp.setAutoRemove(false);
        std::printf("kept in %s\n", qPrintable(tmp.path()));
    }
    const QString a = tmp.path() + QStringLiteral("/ours");
    const QString b = tmp.path() + QStringLiteral("/git");
    QDir().mkpath(a);
    run(QStringLiteral("git"),
        {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("main"),
         a},
        tmp.path());
    const int bugAt = commits * 2 / 3 + 17;
    QElapsedTimer gen;
    gen.start();
    run(QStringLiteral("git"), {QStringLiteral("fast-import"), QStringLiteral("--quiet")}, a,
        history(commits, files, bugAt));
    run(QStringLiteral("git"),
        {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")}, a);
    run(QStringLiteral("git"), {QStringLiteral("clone"), QStringLiteral("-q"), a, b}, tmp.path());
    std::printf("history: %d commits, %d files, generated in %.1f s\n", commits, files,
                gen.elapsed() / 1000.0);

    const QString script = tmp.path() + QStringLiteral("/test.sh");
    {
        QFile f(script);
        f.open(QIODevice::WriteOnly);
        f.write("#!/bin/sh\ntest ! -e bug\n");
        f.close();
        f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    }
    const QString bad = QStringLiteral("main");
    const QString good = QStringLiteral("main~%1").arg(commits - 1);

    // The script alone, to subtract it.
    QElapsedTimer t;
    t.start();
    const int probe = 50;
    for (int i = 0; i < probe; ++i)
        run(script, {}, a);
    const double scriptCost = t.elapsed() / 1000.0 / probe;

    double bestGit = 1e9, bestOurs = 1e9;
    int gitSteps = 0, ourSteps = 0;
    for (int r = 0; r < runs; ++r) {
        run(QStringLiteral("git"),
            {QStringLiteral("bisect"), QStringLiteral("reset"), QStringLiteral("-q")}, b);
        run(QStringLiteral("git"), {QStringLiteral("bisect"), QStringLiteral("start"), bad, good},
            b);
        const Run g = run(QStringLiteral("git"),
                          {QStringLiteral("bisect"), QStringLiteral("run"), script}, b);
        gitSteps = countSteps(g.out);
        bestGit = std::min(bestGit, g.seconds);

        run(QStringLiteral("git"),
            {QStringLiteral("bisect"), QStringLiteral("reset"), QStringLiteral("-q")}, a);
        const QString session = tmp.path() + QStringLiteral("/session%1").arg(r);
        const Run o =
            run(binary,
                {QStringLiteral("script"), QStringLiteral("--bad"), bad, QStringLiteral("--good"),
                 good, QStringLiteral("--session"), session, QStringLiteral("--"), script},
                a);
        if (o.exitCode != 0) {
            std::fprintf(stderr, "workbench failed: %s\n", o.err.constData());
            return 1;
        }
        ourSteps = countSteps(o.out);
        bestOurs = std::min(bestOurs, o.seconds);
    }
    const double gitOverhead = (bestGit - gitSteps * scriptCost) / gitSteps;
    const double ourOverhead = (bestOurs - ourSteps * scriptCost) / ourSteps;
    std::printf("script alone: %.1f ms\n", scriptCost * 1000);
    std::printf("%-28s %8s %10s %16s\n", "tool", "steps", "total s", "overhead ms/step");
    std::printf("%-28s %8d %10.2f %16.1f\n", "git bisect run", gitSteps, bestGit,
                gitOverhead * 1000);
    std::printf("%-28s %8d %10.2f %16.1f\n", "bisect-workbench script", ourSteps, bestOurs,
                ourOverhead * 1000);
    std::printf("ratio (ours / git): %.2f  (goal: <= 0.50)\n", ourOverhead / gitOverhead);
    return 0;
}
