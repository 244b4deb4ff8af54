#include "services/pipeline/StepRunner.h"

#include "services/pipeline/StepRun.h"

#include "models/OutcomeClassifier.h"

#include "services/ServicesLogging.h"
#include "services/git/Worktree.h"
#include "services/process/ProcessRunner.h"
#include "services/recipe/RecipeLoader.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSemaphore>

#include <optional>
#include <utility>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace bw::pipeline {

namespace {

// A free loopback port for this step (the kernel picks it; we release it right away,
// so the step's own server can bind it).
std::optional<int> reservePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return std::nullopt;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    std::optional<int> port;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

StageResult errorResult(StageKind stage, const QString &message) {
    StageResult r;
    r.stage = stage;
    r.outcome = StageOutcome::Error;
    r.message = message;
    return r;
}

QString quoteArgv(const QStringList &argv) {
    return CommandSpec::fromArgv(argv).display();
}

// Below this much free space a filesystem counts as full (a build's last write failed
// there even when a few blocks are left, e.g. for root).
constexpr qint64 NearlyFullBytes = 1024 * 1024;

// The first of `paths` whose filesystem is (nearly) full, with its free space.
std::optional<std::pair<QString, qint64>> fullFilesystem(const QStringList &paths) {
    for (const QString &path : paths) {
        if (path.isEmpty())
            continue;
        struct statvfs st {};
        if (::statvfs(QFile::encodeName(path).constData(), &st) != 0)
            continue;
        const qint64 free = qint64(st.f_bavail) * qint64(st.f_frsize);
        if (free < NearlyFullBytes)
            return std::pair{path, free};
    }
    return std::nullopt;
}

// The reason a failed stage failed for want of disk space, if it looks like that: the
// session's or the worktree's filesystem is (nearly) full, or the end of the stage's log
// says ENOSPC/EDQUOT (a build directory elsewhere). A full disk is the machine's
// problem, never evidence about the commit (RECIPE.md: retry, then pause).
std::optional<QString> diskFullReason(const QStringList &paths, const QString &logTail) {
    if (auto full = fullFilesystem(paths))
        return QStringLiteral("the disk holding %1 is full (%2 bytes free)")
            .arg(full->first)
            .arg(full->second);
    for (const QString &text :
         {QStringLiteral("No space left on device"), QStringLiteral("Disk quota exceeded")})
        if (logTail.contains(text))
            return QStringLiteral("the disk is full: the log says \"%1\"").arg(text);
    return std::nullopt;
}

} // namespace

StepRunner::StepRunner(StepContext context)
    : m_context(std::move(context)) {
    const QString text = recipe::RecipeLoader::toToml(m_context.recipe);
    m_usesVersion =
        text.contains(QStringLiteral("${version}")) || m_context.recipe.wait.expectVersion;
    m_usesPort = text.contains(QStringLiteral("${port}"));
}

StepRunner::~StepRunner() = default;

Status StepRunner::supports(const Recipe &recipe) {
    if (recipe.wait.kind == WaitKind::Console && recipe.deploy.kind != DeployKind::LibvirtKernel &&
        recipe.deploy.kind != DeployKind::LibvirtDisk)
        return Error{QStringLiteral("wait kind 'console' reads a libvirt domain's serial console: "
                                    "it needs deploy kind 'libvirt-kernel' or 'libvirt-disk'")};
    return okStatus();
}

StepRecord StepRunner::run(int number, const Oid &commit, const QString &subject,
                           const QString &logDir, const process::CancelToken &cancel,
                           StepObserver *observer, int repeat) {
    Run run;
    run.repeat = repeat;
    run.record.number = number;
    run.record.commit = commit;
    run.record.subject = subject;
    run.record.startedMs = QDateTime::currentMSecsSinceEpoch();
    run.record.logDir = logDir;
    run.cancel = &cancel;
    run.observer = observer;

    auto logs = StepLogs::open(logDir, [observer](LogKind kind, const QByteArray &chunk) {
        if (observer)
            observer->output(kind, chunk);
    });
    auto finish = [&](StageResult r) {
        if (run.logs)
            run.logs->event(QStringLiteral("%1: %2 after %3")
                                .arg(stageName(r.stage),
                                     r.message.isEmpty() ? outcomeName(r.outcome) : r.message,
                                     formatDuration(r.durationMs)));
        if (observer)
            observer->stageFinished(r);
        run.record.stages.push_back(r);
        return r.outcome == StageOutcome::Passed;
    };
    if (!logs) {
        finish(errorResult(StageKind::Checkout, logs.error().message()));
        run.record.finishedMs = QDateTime::currentMSecsSinceEpoch();
        return run.record;
    }
    run.logs = std::move(logs).value();

    const Recipe &recipe = m_context.recipe;
    run.vars.set(QStringLiteral("commit"), commit.toString());
    run.vars.set(QStringLiteral("short"), commit.toString().left(12));
    run.vars.set(QStringLiteral("subject"), subject);
    run.vars.set(QStringLiteral("repo"), m_context.repositoryPath);
    run.vars.set(QStringLiteral("session"), m_context.sessionDir);
    run.vars.set(QStringLiteral("step"), QString::number(number));
    if (m_usesPort) {
        if (auto port = reservePort())
            run.vars.set(QStringLiteral("port"), QString::number(*port));
    }
    run.logs->event(QStringLiteral("step %1: %2 %3").arg(number).arg(commit.toString(), subject));

    auto stage = [&](StageKind kind, StageResult (StepRunner::*body)(Run &)) {
        if (cancel.isCancelled()) {
            StageResult r;
            r.stage = kind;
            r.outcome = StageOutcome::Cancelled;
            return finish(r);
        }
        if (observer)
            observer->stageStarted(kind);
        QElapsedTimer timer;
        timer.start();
        StageResult r = (this->*body)(run);
        r.stage = kind;
        r.durationMs = timer.elapsed();
        return finish(r);
    };

    bool ok = stage(StageKind::Checkout, &StepRunner::checkout);
    if (ok && recipe.build.kind != BuildKind::None)
        ok = stage(StageKind::Build, &StepRunner::build);
    // Several workers and one machine: the machine's stages (deploy, wait, test) run for
    // one step at a time while the other workers check out and build. Held until the
    // guest is gone.
    bool holdsMachine = false;
    if (ok && m_context.machine) {
        if (!(holdsMachine = m_context.machine->tryAcquire(1))) {
            run.logs->event(
                QStringLiteral("waiting for the machine: another worker's step is on it"));
            while (!cancel.isCancelled() &&
                   !(holdsMachine = m_context.machine->tryAcquire(1, 100))) {
            }
        }
    }
    if (ok && recipe.deploy.kind != DeployKind::None)
        ok = stage(StageKind::Deploy, &StepRunner::deploy);
    if (ok && recipe.wait.kind != WaitKind::None)
        ok = stage(StageKind::Wait, &StepRunner::wait);
    if (ok)
        stage(StageKind::Test, &StepRunner::test);
    if (run.vm && run.vm->console() && !run.record.stages.empty() &&
        run.record.stages.back().outcome != StageOutcome::Passed) {
        // What the machine said last, before it goes: into the record and the pipeline log.
        const QStringList tail = run.vm->console()->tail(30);
        if (!tail.isEmpty()) {
            run.record.stages.back().facts.insert(QStringLiteral("console_tail"), tail.join(u'\n'));
            run.logs->event(QStringLiteral("console, last lines:\n  ") +
                            tail.join(QStringLiteral("\n  ")));
        }
    }
    run.ssh.reset();
    if (run.vm) {
        if (Status s = run.vm->destroy(); !s)
            run.logs->event(QStringLiteral("deploy: %1").arg(s.error().message()));
        run.vm.reset();
    }
    if (holdsMachine)
        m_context.machine->release(1);

    OutcomeClassifier classifier(recipe.classify, recipe.test.kind);
    StepLogs *stepLogs = run.logs.get();
    run.record.classification =
        classifier.classify(run.record, [stepLogs](LogKind log) { return stepLogs->text(log); });
    if (!stepLogs->writeError().isEmpty() && run.record.classification.verdict != Verdict::Abort) {
        // The evidence could not be kept (a full disk): never a verdict on that.
        run.record.classification = {
            Verdict::Ask,
            QStringLiteral("the step's logs could not be written (%1)").arg(stepLogs->writeError()),
            0, false};
    }
    run.logs->event(
        QStringLiteral("verdict: %1 (%2)")
            .arg(verdictName(run.record.classification.verdict), run.record.classification.reason));
    run.record.finishedMs = QDateTime::currentMSecsSinceEpoch();
    return run.record;
}

Status StepRunner::computeVersion(Run &run) {
    QByteArray out, err;
    process::ProcessSpec spec;
    spec.argv = {QStringLiteral("make"), QStringLiteral("-s"), QStringLiteral("kernelversion")};
    spec.workingDirectory = run.vars.value(QStringLiteral("worktree"));
    spec.timeoutMs = 120000;
    const process::ProcessResult r = process::ProcessRunner::capture(spec, out, &err, run.cancel);
    if (!r.succeeded())
        return Error{QStringLiteral("`make -s kernelversion` failed in %1 (%2)")
                         .arg(spec.workingDirectory, r.describe()),
                     1, QString::fromUtf8(err).trimmed()};
    const QString version = QString::fromUtf8(out).trimmed();
    run.vars.set(QStringLiteral("version"), version);
    run.logs->event(QStringLiteral("version: %1").arg(version));
    return okStatus();
}

StageResult StepRunner::checkout(Run &run) {
    const Oid &commit = run.record.commit;
    QString where;
    switch (m_context.recipe.checkout) {
    case CheckoutMode::None:
        where = m_context.repositoryPath;
        break;
    case CheckoutMode::Worktree:
    case CheckoutMode::InPlace: {
        if (!m_worktree) {
            auto wt = m_context.recipe.checkout == CheckoutMode::Worktree
                          ? git::Worktree::linked(m_context.repositoryPath, m_context.worktreePath,
                                                  m_context.worktreeName)
                          : git::Worktree::inPlace(m_context.repositoryPath);
            if (!wt)
                return errorResult(StageKind::Checkout, wt.error().message());
            m_worktree = std::make_unique<git::Worktree>(std::move(wt).value());
            for (const QString &lock : m_worktree->removedLocks())
                run.logs->event(
                    QStringLiteral("checkout: removed a stale lock left by a killed run: %1")
                        .arg(lock));
        }
        if (Status s = m_worktree->checkout(commit); !s)
            return errorResult(StageKind::Checkout, s.error().message());
        where = m_worktree->path();
        break;
    }
    }
    run.vars.set(QStringLiteral("worktree"), where);
    run.logs->event(QStringLiteral("checkout: %1 in %2").arg(commit.toString(), where));
    StageResult r;
    r.outcome = StageOutcome::Passed;
    if (m_usesVersion) {
        if (Status s = computeVersion(run); !s)
            return errorResult(StageKind::Checkout, s.error().message());
        r.facts.insert(QStringLiteral("version"), run.vars.value(QStringLiteral("version")));
    }
    return r;
}

StageResult StepRunner::runCommand(Run &run, StageKind stage, LogKind log, const QStringList &argv,
                                   const QString &workDir, const QMap<QString, QString> &env,
                                   Millis timeout) {
    process::ProcessSpec spec;
    spec.argv = argv;
    spec.workingDirectory = workDir;
    spec.environment = run.vars.environment();
    for (auto it = env.begin(); it != env.end(); ++it)
        spec.environment.insert(it.key(), it.value());
    spec.timeoutMs = timeout;
    run.logs->event(
        QStringLiteral("%1: running %2 in %3").arg(stageName(stage), quoteArgv(argv), workDir));
    StepLogs *logs = run.logs.get();
    const process::ProcessResult p = process::ProcessRunner::run(
        spec, [logs, log](process::Channel, const QByteArray &chunk) { logs->append(log, chunk); },
        run.cancel);
    StageResult r;
    r.stage = stage;
    r.timeoutMs = timeout;
    r.message = p.describe();
    switch (p.ending) {
    case process::ProcessResult::Ending::Exited:
        r.exitCode = p.exitCode;
        r.outcome = p.exitCode == 0 ? StageOutcome::Passed : StageOutcome::Failed;
        break;
    case process::ProcessResult::Ending::Signaled:
        r.signal = p.signal;
        r.outcome = StageOutcome::Failed;
        break;
    case process::ProcessResult::Ending::TimedOut:
        r.outcome = StageOutcome::Timeout;
        break;
    case process::ProcessResult::Ending::Cancelled:
        r.outcome = StageOutcome::Cancelled;
        break;
    case process::ProcessResult::Ending::FailedToStart:
        r.outcome = StageOutcome::Error;
        break;
    }
    return r;
}

StageResult StepRunner::build(Run &run) {
    const BuildSpec &b = m_context.recipe.build;
    const QString worktree = run.vars.value(QStringLiteral("worktree"));
    QMap<QString, QString> env;
    for (auto it = b.env.begin(); it != b.env.end(); ++it) {
        auto v = run.vars.expand(it.value());
        if (!v)
            return errorResult(
                StageKind::Build,
                QStringLiteral("build.env.%1: %2").arg(it.key(), v.error().message()));
        env.insert(it.key(), *v);
    }
    QStringList args;
    for (const QString &a : b.args) {
        auto v = run.vars.expand(a);
        if (!v)
            return errorResult(StageKind::Build,
                               QStringLiteral("build.args: %1").arg(v.error().message()));
        args << *v;
    }
    QStringList argv;
    QString workDir = worktree;
    QString outLink;
    switch (b.kind) {
    case BuildKind::None:
        return {};
    case BuildKind::Command: {
        auto a = run.vars.argv(b.command);
        if (!a)
            return errorResult(StageKind::Build,
                               QStringLiteral("build.command: %1").arg(a.error().message()));
        argv = *a;
        break;
    }
    case BuildKind::Make:
        argv << QStringLiteral("make");
        if (b.jobs > 0)
            argv << QStringLiteral("-j%1").arg(b.jobs);
        argv << args;
        if (!b.target.isEmpty())
            argv << b.target;
        break;
    case BuildKind::Nix: {
        auto flake = run.vars.expand(b.flake);
        if (!flake)
            return errorResult(StageKind::Build,
                               QStringLiteral("build.flake: %1").arg(flake.error().message()));
        // The out-link is a GC root for the latest result, kept with the session.
        const QString base = m_context.sessionDir.isEmpty() ? worktree : m_context.sessionDir;
        outLink =
            QDir(base).absoluteFilePath(b.result.isEmpty() ? QStringLiteral("result") : b.result);
        argv << QStringLiteral("nix") << QStringLiteral("--extra-experimental-features")
             << QStringLiteral("nix-command flakes") << QStringLiteral("build")
             << QStringLiteral("-L") << QStringLiteral("--out-link") << outLink << *flake << args;
        // A flake reference like ".#image" is relative to the recipe's folder.
        if (!m_context.recipe.folder.isEmpty())
            workDir = m_context.recipe.folder;
        break;
    }
    }
    StageResult r =
        runCommand(run, StageKind::Build, LogKind::Build, argv, workDir, env, b.timeout);
    if (r.outcome == StageOutcome::Failed || r.outcome == StageOutcome::Timeout) {
        if (auto why = diskFullReason({m_context.sessionDir, worktree},
                                      run.logs->text(LogKind::Build, 64 * 1024))) {
            r.outcome = StageOutcome::Error;
            r.message = QStringLiteral("%1; %2: not the commit's fault").arg(r.message, *why);
            r.facts.insert(QStringLiteral("disk_full"), *why);
            run.logs->event(QStringLiteral("build: %1").arg(*why));
        }
    }
    if (r.outcome != StageOutcome::Passed)
        return r;
    if (b.kind == BuildKind::Nix) {
        const QString target = QFileInfo(outLink).symLinkTarget();
        if (target.isEmpty())
            return errorResult(
                StageKind::Build,
                QStringLiteral("nix build succeeded but left no result link at %1").arg(outLink));
        run.vars.set(QStringLiteral("result"), target);
        r.facts.insert(QStringLiteral("result"), target);
        // A store path's name starts with the hash of everything that went into it.
        const QString name = QFileInfo(target).fileName();
        r.facts.insert(QStringLiteral("result_hash"), name.section(u'-', 0, 0));
        run.logs->event(QStringLiteral("build: result %1").arg(target));
    } else {
        run.vars.set(QStringLiteral("result"), worktree);
    }
    return r;
}

StageResult StepRunner::test(Run &run) {
    const TestSpec &t = m_context.recipe.test;
    if (t.kind == TestKind::RemoteCommand || t.kind == TestKind::Transfer)
        return remoteTest(run);
    auto argv = run.vars.argv(t.command);
    if (!argv)
        return errorResult(StageKind::Test,
                           QStringLiteral("test.command: %1").arg(argv.error().message()));
    QMap<QString, QString> env;
    for (auto it = t.env.begin(); it != t.env.end(); ++it) {
        auto v = run.vars.expand(it.value());
        if (!v)
            return errorResult(
                StageKind::Test,
                QStringLiteral("test.env.%1: %2").arg(it.key(), v.error().message()));
        env.insert(it.key(), *v);
    }
    const QString worktree = run.vars.value(QStringLiteral("worktree"));
    const int n = std::max(1, run.repeat > 0 ? run.repeat : t.repeat);
    StageResult r;
    for (int i = 1; i <= n; ++i) {
        if (n > 1)
            run.logs->append(LogKind::Test,
                             QStringLiteral("=== iteration %1/%2 ===\n").arg(i).arg(n).toUtf8());
        env.insert(QStringLiteral("BW_ITERATION"), QString::number(i));
        r = runCommand(run, StageKind::Test, LogKind::Test, *argv, worktree, env, t.timeout);
        r.iteration = i;
        r.iterations = n;
        if (t.kind == TestKind::Script && r.outcome == StageOutcome::Error) {
            // `git bisect run` runs the command through a shell, which says 127 when it
            // cannot run it; git's double-check on a good commit then tells a missing
            // script from a real failure.
            r.outcome = StageOutcome::Failed;
            r.exitCode = 127;
            r.message += QStringLiteral(" (exit 127, as a shell would report it)");
        }
        if (r.outcome == StageOutcome::Failed || r.outcome == StageOutcome::Timeout) {
            // Only this machine's disks: what a test prints about space is its own business.
            if (auto why = diskFullReason({m_context.sessionDir, worktree}, {})) {
                r.outcome = StageOutcome::Error;
                r.message = QStringLiteral("%1; %2: not the commit's fault").arg(r.message, *why);
                r.facts.insert(QStringLiteral("disk_full"), *why);
                run.logs->event(QStringLiteral("test: %1").arg(*why));
            }
        }
        if (r.outcome != StageOutcome::Passed)
            break; // classic mode: the first failure decides
    }
    return r;
}

} // namespace bw::pipeline
