#pragma once

#include "models/BisectEngine.h"
#include "models/BisectLogSteps.h"
#include "models/CommitDag.h"
#include "models/Oid.h"
#include "models/Result.h"

#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace bw::git {

class Repository;

// A bisect log replayed step by step against a repository, without touching its bisect
// state. Index k of the per-state vectors is "after k steps" (k = 0 .. steps.size()).
struct LogInspection {
    std::shared_ptr<const CommitDag> dag; // every ancestor of every commit the log names
    LogTimeline timeline;
    std::vector<Oid> oids;                              // per step: the commit it marks
    std::vector<QString> subjects;                      // per step: that commit's subject
    std::vector<BisectQuery> queries;                   // per state
    std::vector<std::optional<BisectOutcome>> outcomes; // per state: empty without a
                                                        // selection (no bad, or stopped
                                                        // by the merge-base check)
    std::vector<CommitDag::Id> focus; // per state: the commit git would check out, or the
                                      // first bad; None when there is none
    // Per state: what `git bisect replay` of the log cut after step k prints last (its
    // stdout's last block): the two "Bisecting: …" lines, "<sha> is the first <bad>
    // commit", the only-skipped block, "… was both … and …", or the status line; the
    // merge-base messages git prints on stderr when it refuses.
    std::vector<QString> texts;
};

// Resolves every step (by the sha its comment or rev names, else by the rev), loads the
// DAG and computes each state as `git bisect replay` of the log cut there would leave
// it. Like git's replay: the merge-base check runs in start's own selection and, once it
// passed there (BISECT_ANCESTORS_OK), never again; replayed marks do not reset it (only
// interactive marks do). When start's selection stops the replay (a merge base to test,
// the first bad commit found, unrelated goods), every later state shows that text. An
// unknown commit is an Error naming the line and the rev.
[[nodiscard]] Result<LogInspection> inspectLog(Repository &repo, const QString &logText);

} // namespace bw::git
