#include "models/FlakyEngine.h"
#include "models/Recipe.h"
#include "tests/support/DagFixture.h"

#include <QTest>

#include <cmath>
#include <memory>
#include <random>
#include <set>

using namespace bw;
using bw::test::DagFixture;
using Id = CommitDag::Id;

namespace {

using SharedDag = std::shared_ptr<const CommitDag>;

SharedDag share(const DagFixture &f) {
    return std::make_shared<const CommitDag>(f.build());
}

// Every commit reachable from c, c included, by a plain depth-first search.
std::set<Id> naiveAncestors(const CommitDag &dag, Id c) {
    std::set<Id> seen{c};
    std::vector<Id> stack{c};
    while (!stack.empty()) {
        const Id x = stack.back();
        stack.pop_back();
        for (Id p : dag.parents(x))
            if (seen.insert(p).second)
                stack.push_back(p);
    }
    return seen;
}

// isBad[x]: x contains the culprit.
std::vector<std::uint8_t> badCommits(const CommitDag &dag, Id culprit) {
    std::vector<std::uint8_t> bad(dag.size(), 0);
    bad[culprit] = 1;
    for (Id x = culprit; x-- > 0;)
        for (Id p : dag.parents(x))
            bad[x] |= bad[p];
    return bad;
}

// A mainline merging short topic branches (some forking well back), `length` commits long.
DagFixture mainlineHistory(int length, std::mt19937 &rng) {
    DagFixture f;
    QStringList mainline{QStringLiteral("m0")};
    f.add("m0", 0);
    int serial = 0;
    for (int i = 1; i < length; ++i) {
        const QString name = QStringLiteral("m%1").arg(i);
        if (rng() % 3 == 0 && mainline.size() > 10) {
            QString prev = mainline[mainline.size() - 1 - rng() % 10];
            for (int k = 0, len = 1 + rng() % 6; k < len; ++k) {
                const QString t = QStringLiteral("t%1").arg(serial++);
                f.add(t, i, {prev});
                prev = t;
            }
            f.add(name, i, {mainline.last(), prev});
        } else {
            f.add(name, i, {mainline.last()});
        }
        mainline << name;
    }
    return f;
}

DagFixture chain(int length) {
    DagFixture f;
    f.add("c0", 0);
    for (int i = 1; i < length; ++i)
        f.add(QStringLiteral("c%1").arg(i), i, {QStringLiteral("c%1").arg(i - 1)});
    return f;
}

// Brute force: the posterior of every candidate from the raw observations.
std::vector<double> bruteForcePosterior(const CommitDag &dag, const std::vector<Id> &cands,
                                        const std::vector<FlakyObservation> &obs, double d,
                                        double f) {
    std::vector<double> post;
    double sum = 0;
    for (Id h : cands) {
        double l = 1;
        for (const FlakyObservation &o : obs) {
            const bool bad = naiveAncestors(dag, o.commit).count(h) != 0;
            const double p = bad ? d : f;
            l *= std::pow(p, o.fails) * std::pow(1 - p, o.passes);
        }
        post.push_back(l);
        sum += l;
    }
    for (double &p : post)
        p /= sum;
    return post;
}

struct SimResult {
    FlakyDecision decision;
    int runs = 0;
};

// Runs the engine against a planted culprit until it decides (or `maxRuns`).
SimResult simulate(FlakyEngine &engine, const std::vector<std::uint8_t> &isBad, double d, double f,
                   std::mt19937 &rng, int maxRuns = 2000) {
    std::bernoulli_distribution hitBad(d), hitGood(f);
    SimResult r;
    while (r.runs < maxRuns) {
        r.decision = engine.next();
        if (r.decision.kind != FlakyDecision::Kind::Test)
            return r;
        const bool failed = isBad[r.decision.commit] ? hitBad(rng) : hitGood(rng);
        engine.record(r.decision.commit, failed);
        ++r.runs;
    }
    return r;
}

} // namespace

class TestFlakyEngine : public QObject {
    Q_OBJECT
private slots:
    void paramsFromRecipeAndValidation() {
        RecipeBisect recipe;
        recipe.mode = BisectMode::Flaky;
        recipe.detection = 0.4;
        recipe.falseAlarm = 0.05;
        recipe.confidence = 0.99;
        const FlakyParams p = FlakyParams::fromRecipe(recipe);
        QCOMPARE(p.detection, 0.4);
        QCOMPARE(p.falseAlarm, 0.05);
        QCOMPARE(p.confidence, 0.99);
        QVERIFY(p.validate().isEmpty());
        QVERIFY(!p.isExact());
        FlakyParams bad = p;
        bad.detection = 0.05;
        QVERIFY(!bad.validate().isEmpty()); // detection must beat the false alarms
        bad = p;
        bad.confidence = 0;
        QVERIFY(!bad.validate().isEmpty());
        FlakyParams exact;
        exact.detection = 1.0;
        QVERIFY(exact.isExact());
        exact.estimateDetection = true;
        QVERIFY(!exact.isExact());
    }

    // The spanning-tree decomposition: every candidate's ancestors exactly once, also
    // through the fallback when merges are over the work budget.
    void candidateAncestorsMatchNaive_data() {
        QTest::addColumn<int>("seed");
        QTest::addColumn<long>("budget");
        for (int seed = 0; seed < 12; ++seed)
            QTest::addRow("seed%d%s", seed, seed % 3 == 2 ? "-tiny-budget" : "")
                << seed << (seed % 3 == 2 ? 5L : 0L);
    }
    void candidateAncestorsMatchNaive() {
        QFETCH(int, seed);
        QFETCH(long, budget);
        std::mt19937 rng(seed);
        DagFixture f;
        f.random(80 + seed * 7, rng);
        const SharedDag dag = share(f);
        BisectQuery q;
        q.bad = 0;
        q.goods = {static_cast<Id>(dag->size() - 1 - rng() % 15)};
        q.firstParent = seed % 4 == 3;
        const auto range = FlakyRange::build(dag, q, budget);
        if (range->isEmpty())
            QSKIP("bad reachable from the good");
        if (budget == 0)
            QVERIFY(range->allExact());
        std::set<Id> cands;
        for (int i = 0; i < range->size(); ++i)
            cands.insert(range->commit(i));
        std::vector<double> weight(range->size()), sums(range->size());
        for (double &w : weight)
            w = static_cast<double>(rng() % 1000);
        range->belowSums(weight, sums);
        for (Id c = 0; c < static_cast<Id>(dag->size()); ++c) {
            std::vector<int> got = range->candidateAncestors(c);
            std::multiset<Id> gotIds;
            for (int i : got)
                gotIds.insert(range->commit(i));
            std::set<Id> expected;
            for (Id a : naiveAncestors(*dag, c))
                if (cands.count(a))
                    expected.insert(a);
            QCOMPARE(gotIds.size(), expected.size()); // no duplicates
            QCOMPARE(std::set<Id>(gotIds.begin(), gotIds.end()), expected);
            const int i = range->indexOf(c);
            if (i >= 0 && range->allExact()) {
                double s = 0;
                for (Id a : expected)
                    s += weight[range->indexOf(a)];
                QCOMPARE(sums[i], s);
            }
        }
    }

    // With detection 1 and false alarm 0 the engine is BisectEngine: the same commit at
    // every step (tie-breaks, merges, skips and first-parent included), the same result;
    // and its own posterior is uniform over git's candidates, with masses = weights / N.
    void reducesToClassic_data() {
        QTest::addColumn<int>("seed");
        for (int seed = 0; seed < 60; ++seed)
            QTest::addRow("seed%d", seed) << seed;
    }
    void reducesToClassic() {
        QFETCH(int, seed);
        std::mt19937 rng(seed);
        DagFixture f;
        f.random(20 + (seed * 37) % 180, rng);
        const SharedDag dag = share(f);
        BisectQuery q;
        std::vector<Id> below; // strict ancestors of bad: the tip with the most of them
        for (Id tip = 0; tip < 4; ++tip) {
            const auto fromTip = BisectEngine::ancestors(*dag, {tip});
            std::vector<Id> mine;
            for (Id c = tip + 1; c < static_cast<Id>(dag->size()); ++c)
                if (fromTip[c])
                    mine.push_back(c);
            if (mine.size() > below.size()) {
                below = std::move(mine);
                q.bad = tip;
            }
        }
        QVERIFY(!below.empty());
        for (int k = 0, goods = 1 + static_cast<int>(rng() % 2); k < goods; ++k)
            q.goods.push_back(below[below.size() / 2 + rng() % (below.size() - below.size() / 2)]);
        q.firstParent = seed % 5 == 4;
        const auto cands = BisectEngine::candidates(*dag, q);
        if (cands.empty())
            QSKIP("bad reachable from a good");
        const Id culprit = cands[rng() % cands.size()];
        const auto isBad = badCommits(*dag, culprit);
        std::vector<std::uint8_t> untestable(dag->size(), 0);
        if (seed % 3 == 0)
            for (Id c : cands)
                untestable[c] = rng() % 8 == 0;

        FlakyParams params;
        params.detection = 1.0;
        params.falseAlarm = 0.0;
        FlakyEngine engine(dag, q, params);
        BisectQuery classic = q;
        for (int step = 0; step < 300; ++step) {
            // The generic posterior agrees with git's candidate set and weights.
            const auto weighted = BisectEngine::weights(*dag, classic);
            const std::set<Id> live(weighted.commits.begin(), weighted.commits.end());
            for (Id c : cands)
                QCOMPARE(engine.posterior(c) > 0, live.count(c) != 0);
            const double n = static_cast<double>(weighted.commits.size());
            for (std::size_t i = 0; i < weighted.commits.size(); ++i)
                QVERIFY(std::abs(engine.massBelow(weighted.commits[i]) * n - weighted.weights[i]) <
                        1e-9);

            const BisectOutcome expected = BisectEngine::select(*dag, classic);
            const FlakyDecision got = engine.next();
            if (expected.kind == BisectOutcome::Kind::OnlySkipped) {
                QCOMPARE(got.kind, FlakyDecision::Kind::Undecidable);
                QCOMPARE(got.possible, expected.possibleFirstBad);
                return;
            }
            if (expected.kind == BisectOutcome::Kind::FirstBad) {
                QCOMPARE(got.kind, FlakyDecision::Kind::Found);
                QCOMPARE(got.commit, expected.commit);
                if (classic.skips.empty())
                    QCOMPARE(got.commit, culprit);
                QCOMPARE(engine.maxPosterior(), 1.0);
                return;
            }
            QCOMPARE(expected.kind, BisectOutcome::Kind::Next);
            QCOMPARE(got.kind, FlakyDecision::Kind::Test);
            QCOMPARE(got.commit, expected.commit);
            QCOMPARE(got.candidates, expected.all);
            QCOMPARE(engine.plan(1), std::vector<Id>{expected.commit});
            const Id c = got.commit;
            if (untestable[c]) {
                classic.skips.push_back(c);
                classic.skipMode = true;
                engine.markSkipped(c);
                continue;
            }
            engine.record(c, isBad[c] != 0);
            if (isBad[c])
                classic.bad = c;
            else
                classic.goods.push_back(c);
        }
        QFAIL("no result after 300 steps");
    }

    // The posterior after arbitrary outcomes (merges, a commit outside the range, repeated
    // runs) equals brute-force enumeration; so does P(bad) for every loaded commit.
    void posteriorIsExact() {
        DagFixture f;
        f.add("g", 1);
        f.add("a1", 2, {"g"});
        f.add("a2", 3, {"a1"});
        f.add("b1", 4, {"g"});
        f.add("b2", 5, {"b1"});
        f.add("M", 6, {"a2", "b2"});
        f.add("x1", 7, {"M"});
        f.add("c1", 8, {"b1"});
        f.add("T", 9, {"x1", "c1"});
        f.add("o", 10, {"a1"}); // outside the range: not an ancestor of T
        const SharedDag dag = share(f);
        BisectQuery q{f.id(*dag, "T"), {f.id(*dag, "g")}, {}, false, false};
        FlakyParams params;
        params.detection = 0.7;
        params.falseAlarm = 0.1;
        params.confidence = 0.999;
        FlakyEngine engine(dag, q, params);
        QCOMPARE(engine.range().size(), 8);
        auto rec = [&](const char *name, int fails, int passes) {
            QVERIFY(engine.record({f.id(*dag, QString::fromLatin1(name)), fails, passes}));
        };
        rec("M", 1, 0);
        rec("a2", 0, 2);
        rec("c1", 1, 1);
        rec("x1", 0, 1);
        rec("o", 1, 0);
        rec("T", 2, 1);
        rec("g", 0, 3); // outside the range below: only evidence about false alarms
        std::vector<Id> cands;
        for (int i = 0; i < engine.range().size(); ++i)
            cands.push_back(engine.range().commit(i));
        const auto expected = bruteForcePosterior(*dag, cands, engine.observations(), 0.7, 0.1);
        double sum = 0;
        for (std::size_t i = 0; i < cands.size(); ++i) {
            QVERIFY2(std::abs(engine.posterior(cands[i]) - expected[i]) < 1e-12,
                     qPrintable(f.name(*dag, cands[i])));
            sum += engine.posterior(cands[i]);
        }
        QVERIFY(std::abs(sum - 1.0) < 1e-12);
        for (Id c = 0; c < static_cast<Id>(dag->size()); ++c) {
            double below = 0;
            const auto anc = naiveAncestors(*dag, c);
            for (std::size_t i = 0; i < cands.size(); ++i)
                if (anc.count(cands[i]))
                    below += expected[i];
            QVERIFY(std::abs(engine.massBelow(c) - below) < 1e-12);
        }
        QCOMPARE(engine.posterior(f.id(*dag, "g")), 0.0);
        QCOMPARE(engine.runs(), 13);
    }

    // The same on random DAGs with random outcomes, including inexact (over-budget)
    // merges, whose updates must still be exact.
    void posteriorIsExactOnRandomDags_data() {
        QTest::addColumn<int>("seed");
        for (int seed = 0; seed < 10; ++seed)
            QTest::addRow("seed%d", seed) << seed;
    }
    void posteriorIsExactOnRandomDags() {
        QFETCH(int, seed);
        std::mt19937 rng(100 + seed);
        DagFixture f;
        f.random(60, rng);
        const SharedDag dag = share(f);
        BisectQuery q;
        q.bad = 0;
        q.goods = {static_cast<Id>(dag->size() - 1)};
        const auto range = FlakyRange::build(dag, q, seed % 2 ? 3 : 0);
        if (range->isEmpty())
            QSKIP("bad reachable from the good");
        FlakyParams params;
        params.detection = 0.6;
        params.falseAlarm = 0.05;
        FlakyEngine engine(range, params);
        for (int k = 0; k < 25; ++k) {
            const Id c = static_cast<Id>(rng() % dag->size());
            engine.record({c, static_cast<int>(rng() % 2), static_cast<int>(rng() % 3) + 1});
        }
        std::vector<Id> cands;
        for (int i = 0; i < range->size(); ++i)
            cands.push_back(range->commit(i));
        const auto expected = bruteForcePosterior(*dag, cands, engine.observations(), 0.6, 0.05);
        for (std::size_t i = 0; i < cands.size(); ++i)
            QVERIFY(std::abs(engine.posterior(cands[i]) - expected[i]) < 1e-9);
    }

    // Unknown detection: the Beta integral in closed form equals numerical integration
    // over d, for the posterior and for the detection estimate.
    void unknownDetectionIsIntegratedExactly() {
        DagFixture f = chain(7); // c0 good, c1..c6 candidates
        const SharedDag dag = share(f);
        BisectQuery q{f.id(*dag, "c6"), {f.id(*dag, "c0")}, {}, false, false};
        FlakyParams params;
        params.estimateDetection = true;
        params.detectionPriorAlpha = 2.0;
        params.detectionPriorBeta = 3.0;
        params.falseAlarm = 0.02;
        FlakyEngine engine(dag, q, params);
        engine.record({f.id(*dag, "c2"), 0, 4});
        engine.record({f.id(*dag, "c4"), 2, 3});
        engine.record({f.id(*dag, "c5"), 3, 1});
        engine.record({f.id(*dag, "c3"), 1, 2});
        std::vector<Id> cands;
        for (int i = 0; i < engine.range().size(); ++i)
            cands.push_back(engine.range().commit(i));
        const auto &obs = engine.observations();
        std::vector<std::vector<bool>> makesBad(cands.size()); // [h][observation]
        for (std::size_t i = 0; i < cands.size(); ++i)
            for (const FlakyObservation &o : obs)
                makesBad[i].push_back(naiveAncestors(*dag, o.commit).count(cands[i]) != 0);
        // Simpson's rule over d in [0, 1] with the Beta(2, 3) density (unnormalised) times
        // the likelihood of every culprit at that d.
        const int steps = 4000;
        std::vector<double> mass(cands.size(), 0.0), moment(cands.size(), 0.0),
            noise(cands.size(), 0.0);
        auto h2 = [](double p) {
            return p <= 0 || p >= 1 ? 0.0 : -(p * std::log2(p) + (1 - p) * std::log2(1 - p));
        };
        for (int s = 0; s <= steps; ++s) {
            const double d = static_cast<double>(s) / steps;
            const double w = (s == 0 || s == steps) ? 1 : (s % 2 ? 4 : 2);
            const double prior = d * (1 - d) * (1 - d);
            for (std::size_t i = 0; i < cands.size(); ++i) {
                double l = w * prior;
                for (std::size_t k = 0; k < obs.size(); ++k) {
                    const double p = makesBad[i][k] ? d : 0.02;
                    l *= std::pow(p, obs[k].fails) * std::pow(1 - p, obs[k].passes);
                }
                mass[i] += l;
                moment[i] += l * d;
                noise[i] += l * h2(d);
            }
        }
        double total = 0, totalMoment = 0;
        for (std::size_t i = 0; i < cands.size(); ++i) {
            total += mass[i];
            totalMoment += moment[i];
        }
        for (std::size_t i = 0; i < cands.size(); ++i)
            QVERIFY2(std::abs(engine.posterior(cands[i]) - mass[i] / total) < 1e-6,
                     qPrintable(QStringLiteral("%1: %2 vs %3")
                                    .arg(f.name(*dag, cands[i]))
                                    .arg(engine.posterior(cands[i]))
                                    .arg(mass[i] / total)));
        // The joint information of a run about (culprit, detection) at every candidate.
        for (Id c : cands) {
            const auto anc = naiveAncestors(*dag, c);
            double m = 0, pFail = 0, expectedNoise = 0;
            for (std::size_t i = 0; i < cands.size(); ++i) {
                if (!anc.count(cands[i]))
                    continue;
                m += mass[i] / total;
                pFail += moment[i] / total;
                expectedNoise += noise[i] / total;
            }
            pFail += (1 - m) * 0.02;
            expectedNoise += (1 - m) * h2(0.02);
            QVERIFY(std::abs(engine.expectedGain(c) - (h2(pFail) - expectedNoise)) < 1e-5);
        }
        const DetectionEstimate e = engine.detection();
        QVERIFY(e.estimated);
        QCOMPARE(e.runs, 16);
        QCOMPARE(e.fails, 6);
        QVERIFY(std::abs(e.mean - totalMoment / total) < 1e-6);
        QVERIFY(e.describe(0.9).contains(QStringLiteral("estimated from 16 runs")));
    }

    // The goal of the mode: at detection 0.5 the planted culprit is found in at least 19
    // of 20 seeded runs on a few-hundred-commit history with merges.
    void findsCulpritAtHalfDetection_data() {
        QTest::addColumn<bool>("mergeHeavy");
        QTest::addRow("random-dag") << false;
        QTest::addRow("mainline-topics") << true;
    }
    void findsCulpritAtHalfDetection() {
        QFETCH(bool, mergeHeavy);
        std::mt19937 gen(7);
        DagFixture f;
        if (mergeHeavy)
            f = mainlineHistory(250, gen);
        else
            f.random(1000, gen);
        const SharedDag dag = share(f);
        BisectQuery q;
        q.bad = 0;
        if (mergeHeavy) {
            q.goods = {static_cast<Id>(dag->size() - 1)};
        } else {
            // The random DAG has several tips and roots: bisect below the biggest tip.
            std::size_t most = 0;
            for (Id tip = 0; tip < 10; ++tip) {
                const auto below = naiveAncestors(*dag, tip).size();
                if (below > most) {
                    most = below;
                    q.bad = tip;
                }
            }
        }
        FlakyParams params;
        params.detection = 0.5;
        params.confidence = 0.99;
        const auto range = FlakyRange::build(dag, q);
        QVERIFY2(range->size() > 150, qPrintable(QString::number(range->size())));
        int right = 0, runs = 0;
        for (int seed = 0; seed < 20; ++seed) {
            std::mt19937 rng(seed);
            const Id culprit = range->commit(static_cast<int>(rng() % range->size()));
            FlakyEngine engine(range, params);
            const SimResult r = simulate(engine, badCommits(*dag, culprit), 0.5, 0.0, rng);
            QCOMPARE(r.decision.kind, FlakyDecision::Kind::Found);
            QVERIFY(r.decision.probability >= 0.99);
            right += r.decision.commit == culprit;
            runs += r.runs;
        }
        qInfo("%d/20 right, %.1f runs on average over %d candidates", right, runs / 20.0,
              range->size());
        QVERIFY2(right >= 19, qPrintable(QStringLiteral("%1/20").arg(right)));
        // Plain bisect needs log2(N) ≈ 8 runs; at detection 0.5 about 8 / 0.32 bits.
        QVERIFY(runs / 20 < 120);
    }

    // Stops exactly when one candidate reaches the confidence, not before.
    void stopRule() {
        DagFixture f = chain(4); // c0 good; c1, c2, c3 (bad)
        const SharedDag dag = share(f);
        BisectQuery q{f.id(*dag, "c3"), {f.id(*dag, "c0")}, {}, false, false};
        FlakyParams params;
        params.detection = 0.8;
        params.confidence = 0.9;
        FlakyEngine engine(dag, q, params);
        // A failure at c1 leaves only c1 (false alarm 0); before that, never decided.
        QCOMPARE(engine.next().kind, FlakyDecision::Kind::Test);
        QVERIFY(engine.maxPosterior() < 0.9);
        // Passes at c2 move mass to c3 step by step: (1-d)^k against 1.
        const Id c2 = f.id(*dag, "c2"), c3 = f.id(*dag, "c3");
        for (int k = 1; k <= 10; ++k) {
            engine.record(c2, false);
            const double expected = 1.0 / (1.0 + 2.0 * std::pow(0.2, k));
            QVERIFY(std::abs(engine.posterior(c3) - expected) < 1e-12);
            const FlakyDecision d = engine.next();
            if (expected >= 0.9) {
                QCOMPARE(d.kind, FlakyDecision::Kind::Found);
                QCOMPARE(d.commit, c3);
                QCOMPARE(k, 2); // 1 / (1 + 2 · 0.04) = 0.926
                return;
            }
            QCOMPARE(d.kind, FlakyDecision::Kind::Test);
        }
        QFAIL("never stopped");
    }

    // A single candidate needs no test at all; certain outcomes that contradict each
    // other are reported, as is an empty range.
    void trivialAndInconsistent() {
        DagFixture f = chain(3);
        const SharedDag dag = share(f);
        FlakyParams params;
        params.detection = 0.7;
        FlakyEngine one(dag, {f.id(*dag, "c1"), {f.id(*dag, "c0")}, {}, false, false}, params);
        QCOMPARE(one.next().kind, FlakyDecision::Kind::Found);
        QCOMPARE(one.next().commit, f.id(*dag, "c1"));

        FlakyEngine empty(dag, {f.id(*dag, "c0"), {f.id(*dag, "c1")}, {}, false, false}, params);
        QCOMPARE(empty.next().kind, FlakyDecision::Kind::Empty);
        QVERIFY(empty.plan(2).empty());

        params.detection = 1.0;
        FlakyEngine certain(dag, {f.id(*dag, "c2"), {f.id(*dag, "c0")}, {}, false, false}, params);
        certain.record(f.id(*dag, "c2"), false); // bad endpoint passes with detection 1
        QCOMPARE(certain.next().kind, FlakyDecision::Kind::Inconsistent);
        QVERIFY(!certain.record(CommitDag::None, true));
    }

    // Skipped commits are never proposed; when only they could separate the remaining
    // candidates, the engine says so instead of testing forever.
    void skipsBlock() {
        DagFixture f = chain(4); // c0 good; c1, c2 (untestable), c3 bad
        const SharedDag dag = share(f);
        FlakyParams params;
        params.detection = 0.9;
        FlakyEngine engine(dag, {f.id(*dag, "c3"), {f.id(*dag, "c0")}, {}, false, false}, params);
        engine.markSkipped(f.id(*dag, "c2"));
        int runs = 0;
        FlakyDecision d = engine.next();
        for (; d.kind == FlakyDecision::Kind::Test && runs < 100; d = engine.next()) {
            QCOMPARE(d.commit, f.id(*dag, "c1"));
            engine.record(d.commit, false);
            ++runs;
        }
        QVERIFY(runs >= 3);
        QVERIFY(engine.posterior(f.id(*dag, "c1")) < 1e-3);
        QCOMPARE(d.kind, FlakyDecision::Kind::Undecidable);
        QCOMPARE(std::set<Id>(d.possible.begin(), d.possible.end()),
                 (std::set<Id>{f.id(*dag, "c2"), f.id(*dag, "c3")}));
    }

    // plan(k): distinct testable commits whose masses below split [0, 1] into k + 1 equal
    // parts as far as the history allows; plan(1) is next().
    void planSplitsMass() {
        DagFixture f = chain(1001);
        const SharedDag dag = share(f);
        FlakyParams params;
        params.detection = 0.5;
        FlakyEngine engine(dag, {0, {static_cast<Id>(dag->size() - 1)}, {}, false, false}, params);
        QCOMPARE(engine.range().size(), 1000);
        QCOMPARE(engine.plan(1), std::vector<Id>{engine.next().commit});
        for (int k = 2; k <= 8; ++k) {
            const auto p = engine.plan(k);
            QCOMPARE(static_cast<int>(p.size()), k);
            QCOMPARE(std::set<Id>(p.begin(), p.end()).size(), p.size());
            for (int j = 0; j < k; ++j)
                QVERIFY(std::abs(engine.massBelow(p[j]) - (j + 1.0) / (k + 1)) <= 0.001 + 1e-12);
        }

        std::mt19937 rng(3);
        DagFixture m = mainlineHistory(600, rng);
        const SharedDag mdag = share(m);
        FlakyEngine merges(mdag, {0, {static_cast<Id>(mdag->size() - 1)}, {}, false, false},
                           params);
        for (int round = 0; round < 3; ++round) {
            for (int k : {2, 4, 8}) {
                const auto p = merges.plan(k);
                QCOMPARE(static_cast<int>(p.size()), k);
                QCOMPARE(std::set<Id>(p.begin(), p.end()).size(), p.size());
                for (int j = 0; j < k; ++j) {
                    QVERIFY(merges.range().indexOf(p[j]) >= 0);
                    QVERIFY(std::abs(merges.massBelow(p[j]) - (j + 1.0) / (k + 1)) < 0.02);
                    if (j > 0)
                        QVERIFY(merges.massBelow(p[j]) > merges.massBelow(p[j - 1]));
                }
            }
            merges.record(merges.plan(1).front(), round == 1); // move the posterior
        }
    }

    // Several workers find the same culprits as one, in fewer rounds.
    void workersAreAsCorrect() {
        std::mt19937 gen(11);
        DagFixture f = mainlineHistory(300, gen);
        const SharedDag dag = share(f);
        const auto range =
            FlakyRange::build(dag, {0, {static_cast<Id>(dag->size() - 1)}, {}, false, false});
        FlakyParams params;
        params.detection = 1.0;
        for (int seed = 0; seed < 10; ++seed) {
            std::mt19937 rng(seed);
            const Id culprit = range->commit(static_cast<int>(rng() % range->size()));
            const auto isBad = badCommits(*dag, culprit);
            int roundsOne = 0, roundsFour = 0;
            for (int workers : {1, 4}) {
                FlakyEngine engine(range, params);
                int rounds = 0;
                for (; rounds < 100; ++rounds) {
                    const auto commits = engine.plan(workers);
                    if (commits.empty())
                        break;
                    for (Id c : commits)
                        engine.record(c, isBad[c] != 0);
                }
                QCOMPARE(engine.next().kind, FlakyDecision::Kind::Found);
                QCOMPARE(engine.next().commit, culprit);
                (workers == 1 ? roundsOne : roundsFour) = rounds;
            }
            QVERIFY2(roundsFour < roundsOne, qPrintable(QStringLiteral("%1 rounds with 4 workers, "
                                                                       "%2 with one")
                                                            .arg(roundsFour)
                                                            .arg(roundsOne)));
        }
    }

    // next(max) plans the runs at one commit: as many passes as keep a run there within
    // the tolerance of the best run; with tolerance 0, as many as keep it the best.
    void iterationsKeepTheBestCommit_data() {
        QTest::addColumn<double>("tolerance");
        QTest::addRow("strict") << 0.0;
        QTest::newRow("tolerance 0.1") << 0.1;
        QTest::newRow("tolerance 0.3") << 0.3;
    }
    void iterationsKeepTheBestCommit() {
        QFETCH(double, tolerance);
        DagFixture f = chain(301);
        const SharedDag dag = share(f);
        FlakyParams params;
        params.detection = 0.3;
        params.batchTolerance = tolerance;
        FlakyEngine engine(dag, {0, {static_cast<Id>(dag->size() - 1)}, {}, false, false}, params);
        engine.record(engine.next().commit, true);
        const FlakyDecision d = engine.next(12);
        QCOMPARE(d.kind, FlakyDecision::Kind::Test);
        QCOMPARE(d.commit, engine.next().commit);
        QCOMPARE(engine.next().iterations, 1);
        if (tolerance > 0)
            QVERIFY(d.iterations >= 2);
        QVERIFY(d.iterations <= 12);
        FlakyEngine probe = engine;
        for (int k = 1; k <= d.iterations && k < 12; ++k) {
            probe.record(d.commit, false);
            const FlakyDecision best = probe.next();
            const bool worth = best.commit == d.commit ||
                               probe.expectedGain(d.commit) >= (1 - tolerance) * best.expectedGain;
            QCOMPARE(worth, k < d.iterations);
        }
    }

    // Detection unknown: the engine still finds the culprit, and the estimate from the
    // runs lands near the true rate.
    void estimatesDetection() {
        DagFixture f = chain(201);
        const SharedDag dag = share(f);
        const auto range =
            FlakyRange::build(dag, {0, {static_cast<Id>(dag->size() - 1)}, {}, false, false});
        FlakyParams params;
        params.estimateDetection = true;
        params.confidence = 0.99;
        const double trueDetection = 0.6;
        int right = 0;
        double meanEstimate = 0;
        const int seeds = 12;
        for (int seed = 0; seed < seeds; ++seed) {
            std::mt19937 rng(1000 + seed);
            const Id culprit = range->commit(static_cast<int>(rng() % range->size()));
            FlakyEngine engine(range, params);
            const SimResult r =
                simulate(engine, badCommits(*dag, culprit), trueDetection, 0.0, rng);
            right += r.decision.commit == culprit;
            const DetectionEstimate e = engine.detection();
            QVERIFY(e.estimated);
            QVERIFY2(std::abs(e.mean - trueDetection) < 3 * e.stddev + 0.05,
                     qPrintable(e.describe(0)));
            meanEstimate += e.mean / seeds;
        }
        qInfo("estimate %.3f (true %.2f), %d/%d right", meanEstimate, trueDetection, right, seeds);
        QVERIFY(right >= seeds - 1);
        QVERIFY(std::abs(meanEstimate - trueDetection) < 0.08);

        // With a known (wrong) rate the runs still tell the truth about it.
        FlakyParams known;
        known.detection = 0.95;
        FlakyEngine engine(range, known);
        std::mt19937 rng(5);
        const Id culprit = range->commit(40);
        simulate(engine, badCommits(*dag, culprit), 0.5, 0.0, rng);
        const DetectionEstimate e = engine.detection();
        QVERIFY(!e.estimated);
        QVERIFY(e.describe(0.95).startsWith(QStringLiteral("detection assumed 0.95")));
    }
};

QTEST_GUILESS_MAIN(TestFlakyEngine)
#include "tst_flakyengine.moc"
