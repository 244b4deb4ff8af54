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

namespace bw {
class FlakyEngine;
}

namespace bw::git {
class Repository;
class GitBisect;
struct BisectEvaluation;
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
    // Steps run at once: 0 means one per [[worker]] of the recipe (one without a list).
    int workers = 0;
};

// A flaky session's belief, for the GUI and the report.
struct FlakyCandidate {
    Oid commit;
    QString subject;
    double probability = 0;
};
struct FlakyStatus {
    std::vector<FlakyCandidate> top; // most likely first
    int candidates = 0;              // with a non-zero posterior
    int runs = 0;                    // test runs recorded
    int fails = 0;
    double confidence = 0; // the recipe's goal
    QString detection;     // "detection estimated from 42 runs: 0.52 ± 0.07", …
    // The posterior over all candidates in history order, oldest first; long ranges are
    // pooled into at most 2,000 buckets (each the sum of its candidates).
    std::vector<double> curve;
    int curveBucket = 1; // candidates per point
};

// Drives one bisect without any widget: asks the engine (through git's own state, so
// `git bisect log` in the user's work tree shows the session as it runs) for the next
// commit, runs the recipe's stages on a worker thread, classifies the outcome, records
// the verdict (journal first, then git), and goes on until the first bad commit is
// found, only skipped commits are left, something needs a human, or it is stopped.
// Infrastructure errors are retried twice, then the session pauses; they are never
// turned into a verdict. Lives on the thread that created it (the GUI's or main()'s).
//
// Flaky mode (recipe `mode = "flaky"`): git's state keeps only what is certain (the
// start's endpoints and the user's overrides); every test run is an observation for a
// FlakyEngine, which chooses the next commit and how many runs to make there, and the
// session ends when one candidate holds the recipe's confidence (or when concludeNow()
// is called). The journal holds the runs, so a resume rebuilds the same posterior.
//
// Workers: with N > 1 (--workers, or the recipe's [[worker]] list) N steps run at once,
// each in its own worktree (and on its own VM or host; without a [[worker]] list they
// share the recipe's machine, one test at a time, and build at once). The commits split the
// remaining candidates (or the posterior mass) into N + 1 parts; a result that makes a running step
// pointless cancels it. With one worker, the choices are git's, step for step.
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
    // The commit under test, when a step is running (the first one with several workers).
    [[nodiscard]] std::optional<Oid> runningCommit() const;
    [[nodiscard]] std::vector<Oid> runningCommits() const;
    [[nodiscard]] int workerCount() const { return int(m_slots.size()); }
    [[nodiscard]] QString workerName(int worker) const;
    [[nodiscard]] bool isFlaky() const;
    // Flaky mode: the posterior now (empty otherwise, or before the first decision).
    [[nodiscard]] std::optional<FlakyStatus> flakyStatus(int top = 20) const;
    // Flaky mode: ends the session now with the most likely candidate as the culprit and
    // its posterior as the confidence (running steps are cancelled, nothing recorded).
    [[nodiscard]] Status concludeNow();
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
    // Worker `worker` started step `number` at `commit`; number 0: it is idle now.
    void workerChanged(int worker, int number, const bw::Oid &commit);
    // Flaky mode: the posterior changed (see flakyStatus()).
    void flakyUpdated();

private:
    // One place a step runs: its own runner (worktree, VM), thread and cancel token.
    struct Slot {
        int index = 0;
        std::shared_ptr<StepRunner> runner;
        std::unique_ptr<QFutureWatcher<StepRecord>> watcher;
        std::shared_ptr<process::CancelToken> cancel;
        bool busy = false;
        Oid commit;
        StepPurpose purpose = StepPurpose::Bisect;
        int attempt = 1;
        int number = 0;
        int iterations = 0;    // test runs asked for (0: the recipe's)
        bool obsolete = false; // cancelled because its result is no longer needed
        QString cancelReason;
    };
    void scheduleNext();
    // `number` 0: the next step number; `iterations` 0: the recipe's test repeat.
    void runStep(const Oid &commit, StepPurpose purpose, int attempt = 1, int number = 0,
                 int iterations = 0);
    void stepDone(Slot &slot, StepRecord record);
    [[nodiscard]] Slot *freeSlot();
    [[nodiscard]] int busyCount() const;
    [[nodiscard]] bool isRunning(const Oid &commit) const;
    void cancelBusy(const QString &reason);
    void fillClassic(const git::BisectEvaluation &evaluation);
    void scheduleFlaky();
    Status rebuildFlaky();
    void addObservation(const StepRecord &step);
    void finishFlaky(bool byHand);
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
    std::vector<std::unique_ptr<Slot>> m_slots;
    QThreadPool m_pool;
    std::unique_ptr<FlakyEngine> m_flaky; // flaky mode; rebuilt after an override
    bool m_concludeRequested = false;
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
    QStringList m_unrecorded; // journal writes that failed since the last pause
};

} // namespace bw::pipeline
