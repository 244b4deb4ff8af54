#pragma once

#include "models/BisectEngine.h"
#include "models/CommitDag.h"

#include <memory>
#include <span>
#include <vector>

namespace bw {

// The hypotheses of a flaky bisect and the structure that makes "posterior mass below
// every candidate" cheap. Immutable once built, so one range can be shared by many
// engines (a session and its replays, the benchmark's seeds).
//
// The candidates are BisectEngine's: ancestors-or-self of bad that no good reaches (the
// first-parent chain in first-parent mode). They get dense indices 0..size()-1 in
// increasing dag id, so a candidate's candidate parents always have larger indices.
//
// anc(c) ∩ candidates is split into disjoint parts along a spanning tree:
//     anc(c) ∩ C = {c} ⊔ (anc(mainParent(c)) ∩ C) ⊔ exclusive(c)
// mainParent is c's first candidate parent; exclusive(c) (only for merges inside the
// range) holds the candidates reachable through the other parents but not through the
// main one, found once with a children-first "paint" walk like git's merge-base search.
// On real histories the exclusive sets are the merged topic branches, so their total
// size is about the number of candidates. A work budget bounds pathological DAGs; a merge
// over budget is marked inexact (see exact()).
class FlakyRange {
public:
    using Id = CommitDag::Id;

    // `query.skips` and `query.skipMode` are kept for the classic reduction; they do not
    // change the candidate set. `workBudget` caps the paint walks (0: 64 × candidates).
    [[nodiscard]] static std::shared_ptr<const FlakyRange>
    build(std::shared_ptr<const CommitDag> dag, const BisectQuery &query, long workBudget = 0);

    [[nodiscard]] const CommitDag &dag() const { return *m_dag; }
    [[nodiscard]] const std::shared_ptr<const CommitDag> &sharedDag() const { return m_dag; }
    [[nodiscard]] const BisectQuery &query() const { return m_query; }

    // No candidate at all: bad is reachable from a good.
    [[nodiscard]] bool isEmpty() const { return m_commits.empty(); }
    [[nodiscard]] int size() const { return static_cast<int>(m_commits.size()); }
    [[nodiscard]] Id commit(int index) const { return m_commits[index]; }
    // -1 when `c` is not a candidate.
    [[nodiscard]] int indexOf(Id c) const { return c < m_index.size() ? m_index[c] : -1; }
    // Position in git's walk list L (reverse date-ordered walk); ties are broken by it.
    [[nodiscard]] int walkRank(int index) const { return m_walkRank[index]; }
    [[nodiscard]] int mainParent(int index) const { return m_mainParent[index]; }
    [[nodiscard]] std::span<const int> exclusive(int index) const {
        return {m_exclusive.data() + m_exclusiveOffset[index],
                m_exclusive.data() + m_exclusiveOffset[index + 1]};
    }
    // False only for merges whose exclusive set was not computed (budget exceeded).
    [[nodiscard]] bool exact(int index) const { return m_exact[index] != 0; }
    [[nodiscard]] bool allExact() const { return m_inexactMerges == 0; }
    [[nodiscard]] int inexactMerges() const { return m_inexactMerges; }

    // Candidate indices of anc(c) ∩ candidates, for any loaded commit c (candidate or not),
    // each exactly once, in no particular order.
    [[nodiscard]] std::vector<int> candidateAncestors(Id c) const;

    // out[i] = Σ weight[j] over candidates j in anc(commit(i)). Exact when allExact();
    // otherwise an inexact merge gets weight + the largest of its parents' sums (a lower
    // bound). O(size + Σ|exclusive|).
    void belowSums(std::span<const double> weight, std::span<double> out) const;

private:
    FlakyRange() = default;

    std::shared_ptr<const CommitDag> m_dag;
    BisectQuery m_query;
    std::vector<Id> m_commits;     // index -> dag id, increasing
    std::vector<int> m_index;      // dag id -> index or -1
    std::vector<int> m_walkRank;   // index -> position in L
    std::vector<int> m_mainParent; // index -> index or -1
    std::vector<std::uint32_t> m_exclusiveOffset;
    std::vector<int> m_exclusive;
    std::vector<std::uint8_t> m_exact;
    std::vector<std::uint8_t> m_fromGood; // dag id -> reachable from a good
    int m_inexactMerges = 0;
};

} // namespace bw
