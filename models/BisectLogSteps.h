#pragma once

#include "models/BisectEngine.h"
#include "models/BisectTypes.h"
#include "models/CommitDag.h"
#include "models/Oid.h"
#include "models/Result.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

// A bisect log read as the sequence of marks it makes, for inspection: the revisions
// given to `start` (bad first, then goods, the refs start writes) followed by every mark
// line. Pure text and DAG arithmetic: no file I/O, no repository.

namespace bw {

struct LogStep {
    int line = 0;           // 1-based line of the mark (the start line for start's revisions)
    QString term;           // a term of the log or "skip"
    QString rev;            // as written in the log
    QString commentSubject; // from the preceding `# term: [sha] subject` comment, if any
    std::optional<Oid> sha; // from that comment, or the rev itself when it is 40 hex digits
};

struct LogTimeline {
    Terms terms;
    bool firstParent = false;
    QStringList pathspec; // what `start` would store in BISECT_NAMES
    int startLine = 0;
    std::vector<QString> startRevs; // as written; they are also steps[0 .. size)
    std::vector<LogStep> steps;

    [[nodiscard]] int startStepCount() const { return static_cast<int>(startRevs.size()); }
    [[nodiscard]] std::optional<MarkKind> kindOf(const LogStep &step) const {
        return terms.kindFor(step.term);
    }
};

// Reads a log the way `git bisect replay` does. Only the last `start` counts (each start
// resets the bisect); a mark before any start, or a word that is no term, is an Error
// naming the line.
[[nodiscard]] Result<LogTimeline> readLogTimeline(const QString &logText);

// The engine query after k steps, for k = 0 .. steps.size(): the latest bad wins, goods
// and skips accumulate (deduplicated, in oid order like git's refs), skipMode as soon as
// any skip was made. `resolved` holds one DAG id per step, None when the commit is
// unknown (such a step marks nothing, except that a skip still sets skipMode).
[[nodiscard]] std::vector<BisectQuery>
queriesAfterEachStep(const CommitDag &dag, const LogTimeline &timeline,
                     const std::vector<CommitDag::Id> &resolved);

} // namespace bw
