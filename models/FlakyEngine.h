#pragma once

#include "models/BisectEngine.h"
#include "models/FlakyRange.h"

#include <QString>

#include <memory>
#include <vector>

namespace bw {

struct RecipeBisect;

// What the flaky engine assumes about the test.
struct FlakyParams {
    double detection = 0.9;   // P(fail | commit contains the culprit)
    double falseAlarm = 0.0;  // P(fail | commit does not)
    double confidence = 0.95; // stop when one candidate holds this posterior
    // Detection unknown: integrate it out under a Beta(alpha, beta) prior instead of
    // using `detection` (see FlakyEngine).
    bool estimateDetection = false;
    double detectionPriorAlpha = 1.0;
    double detectionPriorBeta = 1.0;
    // Planning several runs at one commit (next(maxIterations)): another run here is
    // worth it while its expected information is within this fraction of the best
    // commit's. Moving costs a build and a deploy; a run at the same commit does not.
    double batchTolerance = 0.25;

    // The recipe's [bisect] detection, false_alarm and confidence; detection = "auto"
    // sets estimateDetection.
    [[nodiscard]] static FlakyParams fromRecipe(const RecipeBisect &recipe);
    // Empty when usable; otherwise what is wrong, in one line.
    [[nodiscard]] QString validate() const;
    // detection 1, false alarm 0, nothing to estimate: the classic engine's choices.
    [[nodiscard]] bool isExact() const {
        return !estimateDetection && detection >= 1.0 && falseAlarm <= 0.0;
    }
};

// Runs at one commit: `fails` failures and `passes` passes.
struct FlakyObservation {
    CommitDag::Id commit = CommitDag::None;
    int fails = 0;
    int passes = 0;
};

struct FlakyDecision {
    enum class Kind {
        Test,         // run the test at `commit`, up to `iterations` times
        Found,        // `commit` holds at least the confidence
        Undecidable,  // no testable commit can separate `possible` (skips block)
        Inconsistent, // no candidate explains the outcomes (only with certain tests)
        Empty,        // bad is reachable from a good: nothing to bisect
    };
    Kind kind = Kind::Empty;
    CommitDag::Id commit = CommitDag::None;
    // Test: run up to this many times here, stopping at the first failure, then ask
    // again: the number of passes in a row after which a run here would still bring at
    // least (1 - batchTolerance) of the best commit's information (capped by next()'s
    // argument).
    int iterations = 1;
    double probability = 0;              // Found: posterior of commit; Test: P(the next run fails)
    double expectedGain = 0;             // Test: expected information of one run, in bits
    int candidates = 0;                  // candidates with a non-zero posterior
    std::vector<CommitDag::Id> possible; // Undecidable: most likely first
};

// The detection rate as the runs show it: a mixture, over the posterior of the culprit,
// of the Beta posteriors of the detection rate given each culprit.
struct DetectionEstimate {
    double mean = 0;
    double stddev = 0;
    int runs = 0;           // all recorded runs
    int fails = 0;          // of which failed
    bool estimated = false; // the engine integrated it out instead of assuming it
    // "detection estimated from 42 runs: 0.52 ± 0.07" or "... assumed 0.90; the runs suggest ..."
    [[nodiscard]] QString describe(double assumed) const;
};

// Bayesian bisection for intermittent failures. A posterior over "which candidate is the
// first bad commit" (uniform prior over FlakyRange's candidates; a commit is bad when it
// contains the culprit), updated exactly by every outcome: a failure at c multiplies the
// candidates in anc(c) by detection and the others by falseAlarm, a pass by
// 1 - detection and 1 - falseAlarm. Only two counts per candidate are kept (failures and
// passes at commits it makes bad), so the likelihood is exact for any detection rate.
// The next commit maximises the expected information of one run (H(outcome) −
// H(outcome | culprit)); repeated tests of one commit are normal. The engine stops when
// one candidate holds `confidence`.
//
// Unknown detection (estimateDetection): the rate is integrated out under a Beta prior,
// in closed form (Beta functions of the two counts), so the posterior stays exact. The
// next commit then maximises the information about culprit and rate together: a run at a
// commit that is surely bad teaches the rate, which is what makes passes below it
// conclusive. detection() reports the estimate either way.
//
// Reduction: with detection 1 and false alarm 0 (FlakyParams::isExact) and outcomes that
// keep the failing commits nested (as the engine's own choices do), next() is exactly
// BisectEngine::select on the equivalent marks: bad = the deepest failure, goods = the
// query's goods plus every passing commit (FirstBad → Found, OnlySkipped → Undecidable).
// Outcomes that are not nested fall back to the general rule.
//
// Cost per decision: O(candidates + Σ|exclusive|) (see FlakyRange; exact masses unless a
// pathological DAG exceeded its budget, then a lower bound at those merges, for choosing
// only), plus O(|anc(c)|) per recorded commit. The state is the list of observations;
// overriding one means building a new engine (cheap: the range is shared).
class FlakyEngine {
public:
    using Id = CommitDag::Id;

    FlakyEngine(std::shared_ptr<const FlakyRange> range, FlakyParams params);
    FlakyEngine(std::shared_ptr<const CommitDag> dag, const BisectQuery &query, FlakyParams params);

    [[nodiscard]] const FlakyRange &range() const { return *m_range; }
    [[nodiscard]] const FlakyParams &params() const { return m_params; }
    [[nodiscard]] const std::vector<FlakyObservation> &observations() const { return m_obs; }
    [[nodiscard]] int runs() const { return m_fails + m_passes; }

    // Records outcomes at any loaded commit (also outside the range). False when the
    // commit is not loaded.
    bool record(Id commit, bool failed) { return record({commit, failed ? 1 : 0, failed ? 0 : 1}); }
    bool record(const FlakyObservation &observation);
    // The commit cannot be tested (build broken...): never proposed again.
    void markSkipped(Id commit);

    // The next step. `maxIterations` > 1 also plans how many runs to make there; with
    // the default 1 every run is followed by a new decision (the pure information-greedy
    // policy).
    [[nodiscard]] FlakyDecision next(int maxIterations = 1) const;
    // Up to k distinct testable commits for k workers, splitting the posterior mass into
    // k + 1 parts as equal as the DAG allows (their masses below nearest j/(k+1)),
    // ordered by that mass. plan(1) is next()'s commit. Empty once decided.
    [[nodiscard]] std::vector<Id> plan(int k) const;

    // Posterior that `commit` is the first bad commit (0 outside the range).
    [[nodiscard]] double posterior(Id commit) const;
    // P(commit is bad) = posterior mass of its candidate ancestors.
    [[nodiscard]] double massBelow(Id commit) const;
    // Expected information from one run at `commit`, in bits (about the culprit; with an
    // unknown detection rate, about culprit and rate).
    [[nodiscard]] double expectedGain(Id commit) const;
    // The most likely culprit and its posterior.
    [[nodiscard]] Id mostLikely() const;
    [[nodiscard]] double maxPosterior() const;
    // The n most likely candidates, most likely first.
    [[nodiscard]] std::vector<std::pair<Id, double>> top(int n) const;
    // The detection rate given the runs (always available; `estimated` says whether the
    // engine used it or the recipe's value).
    [[nodiscard]] DetectionEstimate detection() const;
    // The detection rate the engine plans with: the recipe's, or the estimate's mean.
    [[nodiscard]] double plannedDetection() const;

private:
    void refresh() const;
    [[nodiscard]] FlakyDecision decideGeneric(int maxIterations) const;
    [[nodiscard]] FlakyDecision decideClassic() const;
    [[nodiscard]] bool classicApplies() const;
    [[nodiscard]] int bestTest(double *gain, double *pFail) const;
    [[nodiscard]] double jointGain(int index, double *pFail) const;

    std::shared_ptr<const FlakyRange> m_range;
    FlakyParams m_params;
    std::vector<FlakyObservation> m_obs;
    std::vector<std::int32_t> m_failsBelow;  // per candidate: failures at commits it makes bad
    std::vector<std::int32_t> m_passesBelow; // per candidate: passes at commits it makes bad
    std::vector<std::uint8_t> m_skipped;     // per candidate
    std::vector<Id> m_skips;                 // every skipped commit, for the classic query
    int m_fails = 0;
    int m_passes = 0;
    // Classic reduction: the deepest failing commit and whether failures stay nested.
    Id m_classicBad = CommitDag::None;
    bool m_nested = true;
    std::vector<Id> m_passCommits;

    // Caches, rebuilt on demand after a change.
    mutable bool m_dirty = true;
    mutable std::vector<double> m_post; // normalised posterior per candidate
    mutable std::vector<double> m_mass; // posterior mass of anc(candidate)
    // Unknown detection only, summed over anc(candidate) like m_mass: π(h)·E[d | h] and
    // π(h)·E[H2(d) | h], for the joint information of a run about (culprit, detection).
    mutable std::vector<double> m_failMass;
    mutable std::vector<double> m_noiseMass;
    mutable bool m_consistent = true;
    mutable int m_map = -1; // most likely candidate
    mutable int m_live = 0; // candidates with a non-zero posterior
};

} // namespace bw
