#pragma once

#include "models/CommitDag.h"

#include <optional>
#include <vector>

namespace bw {

// What the engine is asked: git's refs, as ids in a loaded CommitDag.
struct BisectQuery {
    CommitDag::Id bad = CommitDag::None;
    std::vector<CommitDag::Id> goods;
    std::vector<CommitDag::Id> skips;
    // git switches to its "find all" selection as soon as any skip ref exists, even one
    // outside the range; so a skip outside the loaded DAG still sets this.
    bool skipMode = false;
    bool firstParent = false;
};

struct BisectOutcome {
    enum class Kind {
        Next,           // test `commit`
        FirstBad,       // `commit` is the first bad commit
        OnlySkipped,    // only skipped commits are left: `possibleFirstBad`
        BothGoodAndBad, // bad is reachable from a good: nothing to bisect
    };
    Kind kind = Kind::BothGoodAndBad;
    CommitDag::Id commit = CommitDag::None;
    int all = 0;     // candidates (git's `all`)
    int reaches = 0; // weight that feeds "revisions left"
    // OnlySkipped: the skipped candidates in git's order, then bad unless it was skipped.
    std::vector<CommitDag::Id> possibleFirstBad;

    [[nodiscard]] int revisionsLeft() const { return all - reaches - 1; }
    [[nodiscard]] int steps() const;
};

struct MergeBaseCheck {
    enum class Kind {
        AncestorsOk,  // every good is an ancestor of bad (or no good at all)
        MustTest,     // `base` must be tested first
        BaseIsBad,    // bad is the merge base and was the expected rev: exit 3
        NotAncestors, // bad is the merge base but was not expected: exit 1
    };
    Kind kind = Kind::AncestorsOk;
    CommitDag::Id base = CommitDag::None;
    std::vector<CommitDag::Id> skippedBases; // skipped merge bases warned about, in order
};

// git bisect's choices as pure functions over (CommitDag, marks). Nothing is cached:
// every call recomputes from scratch, so any change of marks is just another call.
// See git-bisect-spec.md for the rules reproduced here.
namespace BisectEngine {

// "(roughly K steps)" for `all` candidates.
[[nodiscard]] int estimateSteps(int all);
// git's skip_away index among `count` untested commits.
[[nodiscard]] int skipIndex(int count);
// git's approx_halfway test.
[[nodiscard]] bool halfway(int weight, int all);

// Commits reachable from `from` (each included), all parents followed; indexed by id.
[[nodiscard]] std::vector<std::uint8_t> ancestors(const CommitDag &dag,
                                                  const std::vector<CommitDag::Id> &from);

// The candidates in git's date-ordered walk order (newest first), bad first.
[[nodiscard]] std::vector<CommitDag::Id> candidates(const CommitDag &dag, const BisectQuery &q);

// The candidates with their weights (number of candidate ancestors, itself included),
// in the walk order of candidates(). For tests and for drawing.
struct Weighted {
    std::vector<CommitDag::Id> commits;
    std::vector<int> weights;
};
[[nodiscard]] Weighted weights(const CommitDag &dag, const BisectQuery &q);

[[nodiscard]] BisectOutcome select(const CommitDag &dag, const BisectQuery &q);

// `git merge-base --all bad goods…`, newest first.
[[nodiscard]] std::vector<CommitDag::Id> mergeBases(const CommitDag &dag, CommitDag::Id bad,
                                                    const std::vector<CommitDag::Id> &goods);

// git's check_merge_bases / check_good_are_ancestors_of_bad. `expected` is
// BISECT_EXPECTED_REV when it names a loaded commit.
[[nodiscard]] MergeBaseCheck checkMergeBases(const CommitDag &dag, const BisectQuery &q,
                                             std::optional<CommitDag::Id> expected);

} // namespace BisectEngine

} // namespace bw
