#pragma once

#include "models/BisectTypes.h"
#include "models/Recipe.h"
#include "models/Result.h"
#include "models/StepRecord.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QThreadPool>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace bw::git {
class Repository;
class GitBisect;
} // namespace bw::git

namespace bw::process {
class CancelToken;
}

namespace bw::pipeline {

class StepRunner;
class SessionDirectory;
struct SessionInfo;

struct SessionOptions {
    QString repositoryPath; // a work tree (or anything inside it)
    Recipe recipe;
    QString bad; // revisions as the user wrote them
    QStringList goods;
    bool firstParent = false; // on top of the recipe's bisect.first_parent
    QString sessionDir;       // empty: a new directory under the user's state directory
    // Resume the unfinished session in sessionDir instead of starting (bad/goods unused).
    bool resume = false;
    // Take over the bisect already in progress in the repository (started on the command
    // line): its marks and terms are kept, bad/goods are unused.
    bool adopt = false;
    // `script`: print git's `running  '<cmd>'` line before each step.
    bool gitRunOutput = false;
};

// Drives one bisect without any widget: asks the engine (through git's own state, so
// `git bisect log` in the user's work tree shows the session as it runs) for the next
// commit, runs the recipe's stages on a worker thread, classifies the outcome, records
// the verdict (journal first, then git), and goes on until the first bad commit is
// found, only skipped commits are left, something needs a human, or it is stopped.
// Infrastructure errors are retried twice, then the session pauses; they are never
// turned into a verdict. Lives on the thread that created it (the GUI's or main()'s).
class Orchestrator : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Running, Paused, Finished };
    enum class Ending {
        Found,       // the first bad commit (confirmed when the recipe asked for it)
        OnlySkipped, // git's exit 2
        NeedsHuman,  // paused: retries exhausted, an `ask` verdict, a disk problem
        Aborted,     // an `abort` verdict, git's exit code >= 128, a bogus 126/127
        Failed,      // bad input or broken state: wrong revision, endpoints that disagree
        Stopped,     // stop() was called
    };
    Q_ENUM(Ending)

    explicit Orchestrator(QObject *parent = nullptr);
    ~Orchestrator() override;

    // Checks everything that can be checked before the first step (the repository, the
    // revisions, the recipe's kinds, the session directory) and starts; an Error, with
    // nothing changed, when something is wrong.
    [[nodiscard]] Status start(const SessionOptions &options);
    // Cancels the running step (killing its processes); no verdict is recorded for it.
    void stop();
    // Finish the running step, then pause (resume() goes on).
    void setPauseAfterStep(bool pause) { m_pauseAfterStep = pause; }
    // Goes on after a pause (or after an override reopened a finished session); with
    // `oneStep`, pauses again after the next step.
    void resume(bool oneStep = false);
    // Changes a commit's mark by hand at any time (`mark` empty: takes the mark back):
    // recorded as an override with its reason first, then applied to git's state, so the
    // range is recomputed at once. A running step whose commit is no longer worth testing
    // is cancelled (nothing is recorded for it) and the next one starts; a finished
    // session whose result the override changed is paused, ready to go on.
    [[nodiscard]] Status overrideMark(const Oid &commit, std::optional<MarkKind> mark,
                                      const QString &reason);
    // The commit under test, when a step is running.
    [[nodiscard]] std::optional<Oid> runningCommit() const;
    [[nodiscard]] const Terms &terms() const { return m_terms; }

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] const std::vector<StepRecord> &steps() const { return m_steps; }
    [[nodiscard]] QString sessionDir() const;
    [[nodiscard]] std::optional<Oid> culprit() const { return m_culprit; }
    // 0 found, 2 only skipped, 1 otherwise (the headless commands' exit code).
    [[nodiscard]] static int exitCodeFor(Ending ending);

signals:
    // git-style lines for a terminal ("Bisecting: 12 revisions left…", "[sha] subject").
    void progress(const QString &text);
    void stepStarted(int number, const bw::Oid &commit, const QString &subject,
                     bw::StepPurpose purpose);
    void stageStarted(int number, bw::StageKind stage);
    void stageFinished(int number, const bw::StageResult &result);
    void output(int number, bw::LogKind log, const QByteArray &chunk);
    void stepFinished(const bw::StepRecord &step);
    void paused(const QString &why);
    void finished(bw::pipeline::Orchestrator::Ending ending, const QString &message);
    // git's bisect state changed (a verdict, an override): the range is to be redrawn.
    void marksChanged();
    // An override was recorded and applied.
    void overridden(const bw::Oid &commit, const QString &description);

private:
    struct Pending;
    void scheduleNext();
    void runStep(const Oid &commit, StepPurpose purpose, int attempt = 1);
    void stepDone(StepRecord record);
    void applyVerdict(const StepRecord &record);
    void retryOrPause(const StepRecord &record);
    // An endpoint or confirmation run: retried on Retry (false), else recorded without a
    // mark and announced (true).
    bool recordCheck(const StepRecord &step);
    void handleEndpoint(const StepRecord &record);
    void handleConfirm(const StepRecord &record);
    void handleGoodCheck(const StepRecord &record);
    void pause(const QString &why);
    void finish(Ending ending, const QString &message);
    Status record(const StepRecord &step, std::optional<MarkKind> mark);
    void writeStatus(const QString &status, const QString &message);
    void keepBisectLog();
    Status reconcileJournal();
    // A new or adopted session's description, and its copy of the recipe.
    Status describeNewSession(SessionInfo &info, const QString &workTree,
                              const QStringList &startArgs);
    void removeStaleBisectLocks();
    [[nodiscard]] QString subjectOf(const Oid &commit) const;

    SessionOptions m_options;
    std::unique_ptr<git::Repository> m_repo;
    std::unique_ptr<git::GitBisect> m_bisect;
    std::unique_ptr<SessionDirectory> m_session;
    std::shared_ptr<StepRunner> m_runner;
    QThreadPool m_pool;
    QFutureWatcher<StepRecord> m_watcher;
    std::shared_ptr<process::CancelToken> m_cancel;
    State m_state = State::Idle;
    bool m_pauseAfterStep = false;
    bool m_stopRequested = false;
    int m_lastNumber = 0;
    qint64 m_startedMs = 0;
    std::vector<StepRecord> m_steps;
    Terms m_terms;
    std::optional<Oid> m_culprit;
    std::vector<std::pair<Oid, MarkKind>> m_endpointQueue; // check_endpoints: still to test
    std::map<Oid, int> m_attempts;                         // infrastructure retries per commit
    std::optional<StepRecord> m_awaitingGoodCheck;         // a 126/127 waiting for git's check
    bool m_goodCheckDone = false;
    std::vector<std::pair<Oid, MarkKind>> m_confirmQueue; // commit, expected verdict
    QStringList m_confirmFailures;
    int m_confirmRuns = 0;
    Oid m_runningCommit;
    StepPurpose m_runningPurpose = StepPurpose::Bisect;
    int m_runningAttempt = 1;
    bool m_runningObsolete = false; // an override made the running step pointless
};

} // namespace bw::pipeline
