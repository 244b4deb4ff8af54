#include "models/FlakyEngine.h"

#include "models/Recipe.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace bw {

namespace {

constexpr double NegInf = -std::numeric_limits<double>::infinity();

// n · log p with 0 · log 0 = 0.
double term(std::int64_t n, double logp) {
    return n == 0 ? 0.0 : static_cast<double>(n) * logp;
}

double entropy2(double p) {
    if (p <= 0.0 || p >= 1.0)
        return 0.0;
    return -(p * std::log2(p) + (1.0 - p) * std::log2(1.0 - p));
}

// Expected information about the culprit from one run at a commit whose candidate
// ancestors hold mass m: H(outcome) − H(outcome | culprit), in bits.
double gain(double m, double d, double f) {
    return entropy2(f + (d - f) * m) - m * entropy2(d) - (1.0 - m) * entropy2(f);
}

// ψ(x) for x > 0: recurrence up to 6, then the asymptotic series.
double digamma(double x) {
    double r = 0;
    while (x < 6) {
        r -= 1 / x;
        x += 1;
    }
    const double f = 1 / (x * x);
    return r + std::log(x) - 0.5 / x -
           f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))));
}

// E[H2(d)] in bits for d ~ Beta(a, b), from E[d ln d] = a/(a+b) (ψ(a+1) − ψ(a+b+1)).
double betaEntropy2(double a, double b) {
    const double s = digamma(a + b + 1);
    const double nats = -(a * (digamma(a + 1) - s) + b * (digamma(b + 1) - s)) / (a + b);
    return nats / std::log(2.0);
}

// The m maximising gain(): the gain is concave in m; its derivative vanishes where
// P(fail) = 1 / (1 + 2^((H(d) − H(f)) / (d − f))).
double bestMass(double d, double f) {
    const double p = 1.0 / (1.0 + std::exp2((entropy2(d) - entropy2(f)) / (d - f)));
    return std::clamp((p - f) / (d - f), 0.0, 1.0);
}

} // namespace

FlakyParams FlakyParams::fromRecipe(const RecipeBisect &recipe) {
    FlakyParams p;
    p.detection = recipe.detection;
    p.estimateDetection = recipe.detectionAuto;
    p.falseAlarm = recipe.falseAlarm;
    p.confidence = recipe.confidence;
    return p;
}

QString FlakyParams::validate() const {
    if (!(confidence > 0.0 && confidence <= 1.0))
        return QStringLiteral("confidence must be in (0, 1]");
    if (!(falseAlarm >= 0.0 && falseAlarm < 1.0))
        return QStringLiteral("false_alarm must be in [0, 1)");
    if (estimateDetection) {
        if (!(detectionPriorAlpha > 0.0 && detectionPriorBeta > 0.0))
            return QStringLiteral("the detection prior needs positive parameters");
        return {};
    }
    if (!(detection > 0.0 && detection <= 1.0))
        return QStringLiteral("detection must be in (0, 1]");
    if (!(detection > falseAlarm))
        return QStringLiteral("detection must be larger than false_alarm, or a run tells nothing");
    return {};
}

QString DetectionEstimate::describe(double assumed) const {
    const QString value = QStringLiteral("%1 ± %2").arg(mean, 0, 'f', 2).arg(stddev, 0, 'f', 2);
    if (estimated)
        return QStringLiteral("detection estimated from %1 runs (%2 failed): %3")
            .arg(runs)
            .arg(fails)
            .arg(value);
    return QStringLiteral("detection assumed %1; the %2 runs suggest %3")
        .arg(assumed, 0, 'f', 2)
        .arg(runs)
        .arg(value);
}

FlakyEngine::FlakyEngine(std::shared_ptr<const FlakyRange> range, FlakyParams params)
    : m_range(std::move(range))
    , m_params(params) {
    const int n = m_range->size();
    m_failsBelow.assign(n, 0);
    m_passesBelow.assign(n, 0);
    m_skipped.assign(n, 0);
    m_classicBad = m_range->query().bad;
    for (Id s : m_range->query().skips)
        markSkipped(s);
}

FlakyEngine::FlakyEngine(std::shared_ptr<const CommitDag> dag, const BisectQuery &query,
                         FlakyParams params)
    : FlakyEngine(FlakyRange::build(std::move(dag), query), params) {}

bool FlakyEngine::record(const FlakyObservation &o) {
    if (o.commit >= static_cast<Id>(m_range->dag().size()) || o.fails < 0 || o.passes < 0 ||
        o.fails + o.passes == 0)
        return false;
    const std::vector<int> below = m_range->candidateAncestors(o.commit);
    for (int i : below) {
        m_failsBelow[i] += o.fails;
        m_passesBelow[i] += o.passes;
    }
    m_fails += o.fails;
    m_passes += o.passes;
    m_obs.push_back(o);
    m_dirty = true;

    if (m_params.isExact()) {
        if (o.passes > 0 &&
            std::find(m_passCommits.begin(), m_passCommits.end(), o.commit) == m_passCommits.end())
            m_passCommits.push_back(o.commit);
        if (o.fails > 0 && m_nested && o.commit != m_classicBad) {
            const int badIndex = m_range->indexOf(m_classicBad);
            if (std::find(below.begin(), below.end(), badIndex) != below.end()) {
                // a descendant of the current bad: nothing new
            } else if (m_range->indexOf(o.commit) >= 0) {
                const std::vector<int> underBad = m_range->candidateAncestors(m_classicBad);
                if (std::find(underBad.begin(), underBad.end(), m_range->indexOf(o.commit)) !=
                    underBad.end())
                    m_classicBad = o.commit;
                else
                    m_nested = false;
            } else {
                m_nested = false;
            }
        }
    }
    return true;
}

void FlakyEngine::markSkipped(Id commit) {
    if (std::find(m_skips.begin(), m_skips.end(), commit) == m_skips.end())
        m_skips.push_back(commit);
    const int i = m_range->indexOf(commit);
    if (i >= 0)
        m_skipped[i] = 1;
}

void FlakyEngine::refresh() const {
    if (!m_dirty)
        return;
    m_dirty = false;
    const int n = m_range->size();
    m_post.assign(n, 0.0);
    m_mass.assign(n, 0.0);
    m_consistent = n > 0;
    m_map = -1;
    m_live = 0;
    if (n == 0)
        return;

    const double f = m_params.falseAlarm;
    const double lf = std::log(f), l1f = std::log1p(-f);
    const double d = m_params.detection;
    const double ld = std::log(d), l1d = std::log1p(-d);
    // Unknown detection: the likelihood integrated over Beta(a, b) is
    // B(a + fails, b + passes) / B(a, b); the constant denominator is dropped.
    std::vector<double> lgA, lgB, lgAB;
    if (m_params.estimateDetection) {
        const double a = m_params.detectionPriorAlpha, b = m_params.detectionPriorBeta;
        lgA.resize(m_fails + 1);
        lgB.resize(m_passes + 1);
        lgAB.resize(m_fails + m_passes + 1);
        for (int k = 0; k <= m_fails; ++k)
            lgA[k] = std::lgamma(a + k);
        for (int k = 0; k <= m_passes; ++k)
            lgB[k] = std::lgamma(b + k);
        for (int k = 0; k <= m_fails + m_passes; ++k)
            lgAB[k] = std::lgamma(a + b + k);
    }
    auto logLikelihood = [&](int i) {
        const std::int32_t fb = m_failsBelow[i], pb = m_passesBelow[i];
        const double good = term(m_fails - fb, lf) + term(m_passes - pb, l1f);
        if (m_params.estimateDetection)
            return lgA[fb] + lgB[pb] - lgAB[fb + pb] + good;
        return term(fb, ld) + term(pb, l1d) + good;
    };

    // Candidates along a chain usually share their counts: reuse the last value.
    std::vector<double> &ll = m_post;
    std::int64_t lastKey = -1;
    double lastValue = 0, top = NegInf;
    for (int i = 0; i < n; ++i) {
        const std::int64_t key = (std::int64_t(m_failsBelow[i]) << 32) | m_passesBelow[i];
        if (key != lastKey) {
            lastKey = key;
            lastValue = logLikelihood(i);
        }
        ll[i] = lastValue;
        top = std::max(top, lastValue);
    }
    if (top == NegInf) {
        m_consistent = false;
        std::fill(m_post.begin(), m_post.end(), 0.0);
        return;
    }
    double sum = 0, lastLl = std::numeric_limits<double>::quiet_NaN(), lastExp = 0;
    for (int i = 0; i < n; ++i) {
        if (ll[i] != lastLl) {
            lastLl = ll[i];
            lastExp = std::exp(ll[i] - top);
        }
        m_post[i] = lastExp;
        sum += lastExp;
    }
    // Normalise; the most likely candidate (ties: first in L) and the live ones on the way.
    for (int i = 0; i < n; ++i) {
        const double p = m_post[i] /= sum;
        m_live += p > 0;
        if (m_map < 0 || p > m_post[m_map] ||
            (p == m_post[m_map] && m_range->walkRank(i) < m_range->walkRank(m_map)))
            m_map = i;
    }
    m_range->belowSums(m_post, m_mass); // sums may exceed 1 by rounding: readers clamp

    if (m_params.estimateDetection) {
        std::vector<double> fail(n), noise(n);
        lastKey = -1;
        double lastMean = 0, lastNoise = 0;
        for (int i = 0; i < n; ++i) {
            const std::int64_t key = (std::int64_t(m_failsBelow[i]) << 32) | m_passesBelow[i];
            if (key != lastKey) {
                lastKey = key;
                const double a = m_params.detectionPriorAlpha + m_failsBelow[i];
                const double b = m_params.detectionPriorBeta + m_passesBelow[i];
                lastMean = a / (a + b);
                lastNoise = betaEntropy2(a, b);
            }
            fail[i] = m_post[i] * lastMean;
            noise[i] = m_post[i] * lastNoise;
        }
        m_failMass.assign(n, 0.0);
        m_noiseMass.assign(n, 0.0);
        m_range->belowSums(fail, m_failMass);
        m_range->belowSums(noise, m_noiseMass);
    }
}

// Unknown detection: the information of one run at candidate `index` about the culprit
// and the detection rate together, H(outcome) − E[H(outcome | culprit, d)]. A run at a
// commit that is surely bad still teaches the rate, which is what makes the later
// passes conclusive; the culprit-only gain would never test there.
double FlakyEngine::jointGain(int index, double *pFail) const {
    const double f = m_params.falseAlarm;
    const double m = m_mass[index];
    const double p = std::clamp(m_failMass[index] + (1.0 - m) * f, 0.0, 1.0);
    if (pFail)
        *pFail = p;
    return std::max(0.0, entropy2(p) - m_noiseMass[index] - (1.0 - m) * entropy2(f));
}

double FlakyEngine::plannedDetection() const {
    if (!m_params.estimateDetection)
        return m_params.detection;
    return std::clamp(detection().mean, m_params.falseAlarm + 1e-3, 1.0);
}

DetectionEstimate FlakyEngine::detection() const {
    refresh();
    DetectionEstimate e;
    e.runs = runs();
    e.fails = m_fails;
    e.estimated = m_params.estimateDetection;
    // Without a prior of its own (known detection), describe the runs with a flat one.
    const double a0 = m_params.estimateDetection ? m_params.detectionPriorAlpha : 1.0;
    const double b0 = m_params.estimateDetection ? m_params.detectionPriorBeta : 1.0;
    double mean = 0, second = 0;
    for (int i = 0; i < m_range->size(); ++i) {
        if (m_post[i] <= 0)
            continue;
        const double a = a0 + m_failsBelow[i], b = b0 + m_passesBelow[i];
        mean += m_post[i] * a / (a + b);
        second += m_post[i] * a * (a + 1) / ((a + b) * (a + b + 1));
    }
    e.mean = mean;
    e.stddev = std::sqrt(std::max(0.0, second - mean * mean));
    return e;
}

// The testable candidate with the largest expected information. The gain is concave in
// the mass below a commit, so the best commit is the one nearest the optimal mass from
// below or from above; ties go to the first in git's walk list L.
int FlakyEngine::bestTest(double *bestGain, double *pFail) const {
    if (m_params.estimateDetection) {
        int best = -1;
        double bestValue = 0, bestFail = 0;
        for (int i = 0; i < m_range->size(); ++i) {
            if (m_skipped[i])
                continue;
            double p = 0;
            const double g = jointGain(i, &p);
            if (best < 0 || g > bestValue ||
                (g == bestValue && m_range->walkRank(i) < m_range->walkRank(best))) {
                best = i;
                bestValue = g;
                bestFail = p;
            }
        }
        if (best >= 0) {
            *bestGain = bestValue;
            *pFail = bestFail;
        }
        return best;
    }
    const double d = plannedDetection(), f = m_params.falseAlarm;
    if (!(d > f))
        return -1;
    const double target = bestMass(d, f);
    int below = -1, above = -1;
    for (int i = 0; i < m_range->size(); ++i) {
        if (m_skipped[i])
            continue;
        const double m = m_mass[i];
        auto better = [&](int current, bool closer) {
            return current < 0 || closer ||
                   (m == m_mass[current] && m_range->walkRank(i) < m_range->walkRank(current));
        };
        if (m <= target) {
            if (better(below, below >= 0 && m > m_mass[below]))
                below = i;
        } else if (better(above, above >= 0 && m < m_mass[above])) {
            above = i;
        }
    }
    int best = -1;
    double bestValue = 0;
    for (int i : {below, above}) {
        if (i < 0)
            continue;
        const double g = gain(m_mass[i], d, f);
        if (best < 0 || g > bestValue ||
            (g == bestValue && m_range->walkRank(i) < m_range->walkRank(best))) {
            best = i;
            bestValue = g;
        }
    }
    if (best >= 0) {
        *bestGain = bestValue;
        *pFail = f + (d - f) * m_mass[best];
    }
    return best;
}

bool FlakyEngine::classicApplies() const {
    return m_params.isExact() && m_nested && m_consistent;
}

FlakyDecision FlakyEngine::decideClassic() const {
    BisectQuery q = m_range->query();
    q.bad = m_classicBad;
    q.goods.insert(q.goods.end(), m_passCommits.begin(), m_passCommits.end());
    q.skips = m_skips;
    q.skipMode = q.skipMode || !q.skips.empty();
    const BisectOutcome o = BisectEngine::select(m_range->dag(), q);
    FlakyDecision r;
    r.candidates = o.all;
    switch (o.kind) {
    case BisectOutcome::Kind::Next:
        r.kind = FlakyDecision::Kind::Test;
        r.commit = o.commit;
        r.probability = massBelow(o.commit);
        r.expectedGain = entropy2(r.probability);
        break;
    case BisectOutcome::Kind::FirstBad:
        r.kind = FlakyDecision::Kind::Found;
        r.commit = o.commit;
        r.probability = 1.0;
        break;
    case BisectOutcome::Kind::OnlySkipped:
        r.kind = FlakyDecision::Kind::Undecidable;
        r.possible = o.possibleFirstBad;
        break;
    case BisectOutcome::Kind::BothGoodAndBad:
        r.kind = FlakyDecision::Kind::Inconsistent;
        break;
    }
    return r;
}

FlakyDecision FlakyEngine::next(int maxIterations) const {
    if (m_range->isEmpty())
        return {};
    refresh();
    if (classicApplies())
        return decideClassic();
    return decideGeneric(maxIterations);
}

FlakyDecision FlakyEngine::decideGeneric(int maxIterations) const {
    refresh();
    FlakyDecision r;
    if (!m_consistent) {
        r.kind = FlakyDecision::Kind::Inconsistent;
        return r;
    }
    r.candidates = m_live;
    const int map = m_map;
    if (m_post[map] >= m_params.confidence) {
        r.kind = FlakyDecision::Kind::Found;
        r.commit = m_range->commit(map);
        r.probability = m_post[map];
        return r;
    }
    double g = 0, pFail = 0;
    const int best = bestTest(&g, &pFail);
    // Only skipped commits could separate what is left: testing on would not end.
    if (best < 0 || g <= 1e-6 * (1.0 - m_post[map])) {
        r.kind = FlakyDecision::Kind::Undecidable;
        double covered = 0;
        for (const auto &[commit, p] : top(64)) {
            if (p <= 0 || covered >= m_params.confidence)
                break;
            r.possible.push_back(commit);
            covered += p;
        }
        return r;
    }
    r.kind = FlakyDecision::Kind::Test;
    r.commit = m_range->commit(best);
    r.probability = pFail;
    r.expectedGain = g;
    // How many passes in a row keep a run here nearly as informative as the best run.
    if (maxIterations > 1) {
        const double keep = 1.0 - std::clamp(m_params.batchTolerance, 0.0, 1.0);
        FlakyEngine probe = *this;
        for (int k = 1; k < maxIterations; ++k) {
            probe.record(r.commit, false);
            const FlakyDecision again = probe.decideGeneric(1);
            if (again.kind != FlakyDecision::Kind::Test ||
                (again.commit != r.commit &&
                 probe.expectedGain(r.commit) < keep * again.expectedGain))
                break;
            r.iterations = k + 1;
        }
    }
    return r;
}

std::vector<CommitDag::Id> FlakyEngine::plan(int k) const {
    std::vector<Id> out;
    if (k <= 0)
        return out;
    if (k == 1) {
        const FlakyDecision first = next();
        if (first.kind == FlakyDecision::Kind::Test)
            out.push_back(first.commit);
        return out;
    }
    if (m_range->isEmpty())
        return out;
    refresh();
    // Decided or stuck: nothing to plan. (With certain tests the classic engine is not
    // asked: one candidate left is its "first bad commit".)
    if (!m_consistent)
        return out;
    if (m_params.isExact() ? m_post[m_map] >= 1.0
                           : decideGeneric(1).kind != FlakyDecision::Kind::Test)
        return out;
    constexpr double Eps = 1e-12;
    std::vector<std::uint8_t> taken(m_range->size(), 0);
    for (int j = 1; j <= k; ++j) {
        const double target = static_cast<double>(j) / (k + 1);
        int best = -1;
        double bestDistance = 0;
        for (int i = 0; i < m_range->size(); ++i) {
            const double m = m_mass[i];
            if (m_skipped[i] || taken[i] || m <= Eps || m >= 1.0 - Eps)
                continue;
            const double distance = std::abs(m - target);
            if (best < 0 || distance < bestDistance ||
                (distance == bestDistance && m_range->walkRank(i) < m_range->walkRank(best))) {
                best = i;
                bestDistance = distance;
            }
        }
        if (best < 0)
            break;
        taken[best] = 1;
        out.push_back(m_range->commit(best));
    }
    return out;
}

double FlakyEngine::posterior(Id commit) const {
    const int i = m_range->indexOf(commit);
    if (i < 0)
        return 0.0;
    refresh();
    return m_post[i];
}

double FlakyEngine::massBelow(Id commit) const {
    refresh();
    const int i = m_range->indexOf(commit);
    if (i >= 0)
        return std::min(m_mass[i], 1.0);
    double s = 0;
    for (int j : m_range->candidateAncestors(commit))
        s += m_post[j];
    return std::min(s, 1.0);
}

double FlakyEngine::expectedGain(Id commit) const {
    const int i = m_range->indexOf(commit);
    if (m_params.estimateDetection && i >= 0) {
        refresh();
        return jointGain(i, nullptr);
    }
    const double d = plannedDetection(), f = m_params.falseAlarm;
    return d > f ? gain(massBelow(commit), d, f) : 0.0;
}

CommitDag::Id FlakyEngine::mostLikely() const {
    if (m_range->isEmpty())
        return CommitDag::None;
    refresh();
    return m_map < 0 ? CommitDag::None : m_range->commit(m_map);
}

double FlakyEngine::maxPosterior() const {
    if (m_range->isEmpty())
        return 0.0;
    refresh();
    return m_map < 0 ? 0.0 : m_post[m_map];
}

std::vector<std::pair<CommitDag::Id, double>> FlakyEngine::top(int n) const {
    refresh();
    std::vector<int> order(m_range->size());
    for (int i = 0; i < m_range->size(); ++i)
        order[i] = i;
    const auto cmp = [&](int a, int b) {
        return m_post[a] != m_post[b] ? m_post[a] > m_post[b]
                                      : m_range->walkRank(a) < m_range->walkRank(b);
    };
    const int count = std::clamp(n, 0, m_range->size());
    std::partial_sort(order.begin(), order.begin() + count, order.end(), cmp);
    std::vector<std::pair<Id, double>> out;
    out.reserve(count);
    for (int i = 0; i < count; ++i)
        out.emplace_back(m_range->commit(order[i]), m_post[order[i]]);
    return out;
}

} // namespace bw
