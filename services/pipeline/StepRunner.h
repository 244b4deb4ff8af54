#pragma once

#include "models/Oid.h"
#include "models/Recipe.h"
#include "models/RecipeVariables.h"
#include "models/StepRecord.h"
#include "services/pipeline/StepLogs.h"
#include "services/process/CancelToken.h"

#include <QSemaphore>
#include <QString>

#include <memory>

namespace bw::git {
class Worktree;
}
namespace bw::ssh {
class SshSession;
}

namespace bw::pipeline {

// What stays the same for every step of a session.
struct StepContext {
    Recipe recipe;
    QString repositoryPath; // the user's work tree (or the git dir of a bare repository)
    QString sessionDir;     // empty: no files are kept (logs in memory only)
    QString worktreePath;   // CheckoutMode::Worktree: where the session's worktree lives
    QString worktreeName;   // its name under <gitdir>/worktrees/
    // Several workers sharing one machine: a step holds it from deploy to the end of its
    // test (and the guest's teardown). Null: the machine is this worker's own.
    std::shared_ptr<QSemaphore> machine;
};

// Receives a step's progress on the worker thread that runs it.
class StepObserver {
public:
    virtual ~StepObserver() = default;
    virtual void stageStarted(StageKind) {}
    virtual void stageFinished(const StageResult &) {}
    virtual void output(LogKind, const QByteArray &) {}
};

// Runs a recipe's stages for one commit: checkout ▶ build ▶ deploy ▶ wait ▶ test,
// stopping at the first stage that does not pass, then classifies the outcome. Blocking:
// it runs on a step's worker thread, one step at a time, and returns when the step is
// over or cancelled (cancellation kills what is running).
class StepRunner {
public:
    explicit StepRunner(StepContext context);
    ~StepRunner();
    StepRunner(const StepRunner &) = delete;
    StepRunner &operator=(const StepRunner &) = delete;

    // `logDir` empty: the step's logs stay in memory. `repeat` > 0: run the test that
    // many times (at most; the first failure ends it) instead of the recipe's count.
    [[nodiscard]] StepRecord run(int number, const Oid &commit, const QString &subject,
                                 const QString &logDir, const process::CancelToken &cancel,
                                 StepObserver *observer, int repeat = 0);

    // Which recipe kinds this build can run; an Error naming the first one it cannot.
    [[nodiscard]] static Status supports(const Recipe &recipe);

    [[nodiscard]] const StepContext &context() const { return m_context; }

private:
    struct Run;
    StageResult checkout(Run &run);
    StageResult build(Run &run);
    StageResult test(Run &run);
    // RemoteStages.cpp: the VM and SSH stages.
    StageResult deploy(Run &run);
    StageResult wait(Run &run);
    StageResult remoteTest(Run &run);
    StageResult deployConsoleWait(Run &run);
    Result<ssh::SshSession *> sshSession(Run &run);
    StageResult runCommand(Run &run, StageKind stage, LogKind log, const QStringList &argv,
                           const QString &workDir, const QMap<QString, QString> &env,
                           Millis timeout);
    Status computeVersion(Run &run);

    StepContext m_context;
    std::unique_ptr<git::Worktree> m_worktree;
    bool m_usesVersion = false;
    bool m_usesPort = false;
};

} // namespace bw::pipeline
