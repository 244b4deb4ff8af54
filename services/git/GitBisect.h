#pragma once

#include "models/BisectEngine.h"
#include "models/BisectTypes.h"
#include "models/CommitDag.h"
#include "models/Result.h"

#include <QString>

#include <memory>
#include <optional>

namespace bw::git {

class Repository;
class GitBisectFiles;
struct BisectFilesState;

// What a git-compatible command printed and how it exited.
struct CommandOutput {
    QString out;
    QString err;
    int exitCode = 0;
};

// A bisect state evaluated by the engine: the DAG it was computed on, the query and
// git's answer (merge-base check first, then the selection).
struct BisectEvaluation {
    std::shared_ptr<const CommitDag> dag;
    BisectQuery query;
    Terms terms;
    MergeBaseCheck mergeBase;
    std::optional<BisectOutcome> outcome; // empty when the merge-base check stopped first
    bool onlyBad = false;                 // no good yet: git bisects all ancestors of bad
};

// git bisect's commands computed with our engine over git's own state files, so that
// the command line and the workbench can hand a session to each other at any step.
class GitBisect {
public:
    explicit GitBisect(Repository &repo);

    // Exactly what `git bisect next` (git 2.39) prints for the state in the repository,
    // with git's exit code; changes nothing.
    [[nodiscard]] CommandOutput next();

    // `git bisect <term> <commit>`: records the mark (ref and log lines), forgets the
    // expected commit when another one was marked, then selects like git (checking the
    // next commit out, or moving BISECT_HEAD in --no-checkout mode) or prints the
    // status when a bad or a good commit is still missing.
    [[nodiscard]] CommandOutput mark(MarkKind kind, const Oid &commit);

    // Takes back every mark of `commit` (git has no command for it): the log without
    // those marks is replayed, so the state is exactly what git would have reached.
    [[nodiscard]] CommandOutput clearMarks(const Oid &commit);

    // Ends the bisect like `git bisect reset`: git's state files and refs/bisect/* go.
    // A --no-checkout bisect never moved HEAD; after a checkout bisect the message says
    // which branch to check out again (nothing in the work tree is touched here).
    [[nodiscard]] CommandOutput reset();

    // `git bisect replay`: resets, applies every line of the log, then selects once
    // (checking the chosen commit out, or moving BISECT_HEAD in --no-checkout mode).
    [[nodiscard]] CommandOutput replay(const QString &logText);

    // `git bisect start ARGS…` (options, then the bad and the good revisions, as git
    // takes them): resets any bisect in progress, records the start like git, and
    // selects (prints "Bisecting: …", or the first bad commit when the range is one).
    [[nodiscard]] CommandOutput start(const QStringList &args);

    // The evaluation of the state on disk now, reusing the DAG of the last evaluation.
    [[nodiscard]] Result<BisectEvaluation> evaluateCurrent();

    // Evaluates an on-disk state; an Error for a broken state (unknown commit, …).
    // `reuse` is a DAG loaded before: kept when it holds every marked commit (extra
    // commits never change git's answer), so the graph need not be laid out again.
    [[nodiscard]] Result<BisectEvaluation> evaluate(const BisectFilesState &state,
                                                    std::shared_ptr<const CommitDag> reuse = {});

    // The text git prints for an evaluation (stdout, stderr, exit code).
    [[nodiscard]] CommandOutput format(const BisectEvaluation &evaluation);

private:
    // git's bisect_next: select, then record it (checkout or BISECT_HEAD, expected rev,
    // ancestors-ok marker, the log's closing lines).
    CommandOutput selectAndApply(GitBisectFiles &files, bool checkout);
    CommandOutput replayLog(const QString &logText, bool asStart);

    Repository &m_repo;
    // The DAG of the last evaluation: marks only ever name commits inside it, so one
    // bisect loads its history once, however many steps it takes.
    std::shared_ptr<const CommitDag> m_dag;
};

} // namespace bw::git
