// Benchmark: bisecting an intermittent failure. Simulated test outcomes on generated
// histories (a linear one and a merge-heavy one), a planted culprit per seed; for each
// detection rate, the accuracy (right culprit) and the mean number of test runs of
//   - plain bisect (BisectEngine, one run per step, a pass means good),
//   - "repeat each step k times" (stop at the first failure; k = 15 and the smallest k
//     that reaches the target accuracy),
//   - the flaky engine with the detection rate known (one decision per run, and in
//     batches of up to 15 runs per commit as the orchestrator runs it), and estimated.
// "visits" counts the commits tested in a row: the builds and deploys a bisect costs.
// Then the rounds with N parallel workers on a 60,000-commit range, against log2.
// Not a test: it prints figures.
//
//   bench_flaky [--seeds 200] [--linear 10000] [--merge-heavy 50000] [--workers-range 60000]
//               [--detections 0.3,0.5,0.7,0.9,1.0] [--confidence 0.995] [--target 0.99]
//               [--extra-seeds 50] [--batch-tolerance 0.25] [--no-estimate] [--history-seed 1]
// (--merge-heavy 0 / --workers-range 0 / --linear 0 leave a part out.)

#include "models/BisectEngine.h"
#include "models/FlakyEngine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>

using namespace bw;
using Id = CommitDag::Id;

namespace {

struct History {
    QString name;
    std::shared_ptr<const CommitDag> dag;
    BisectQuery query;
    std::shared_ptr<const FlakyRange> range;
    int merges = 0; // merges among the candidates
};

// Builds the CommitDag and the range from commits listed parents-first.
History finish(const QString &name, std::vector<std::vector<int>> parents,
               std::vector<std::int64_t> times, int good, int bad) {
    CommitDag::Input in;
    const int n = static_cast<int>(parents.size());
    in.oids.resize(n);
    in.times = std::move(times);
    in.parentOffsets.push_back(0);
    for (int i = 0; i < n; ++i) {
        // A distinct, deterministic oid per commit (its index, spread over the bytes).
        std::uint64_t x = 0x9E3779B97F4A7C15ULL * static_cast<std::uint64_t>(i + 1);
        for (int b = 0; b < Oid::RawSize; ++b) {
            in.oids[i].bytes[b] = static_cast<std::uint8_t>(x >> ((b % 8) * 8));
            if (b % 8 == 7)
                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        }
        for (int p : parents[i])
            in.parents.push_back(static_cast<std::uint32_t>(p));
        in.parentOffsets.push_back(static_cast<std::uint32_t>(in.parents.size()));
    }
    const std::vector<Oid> oids = in.oids;
    auto built = CommitDag::build(std::move(in));
    if (!built) {
        std::fprintf(stderr, "generated history is not a DAG\n");
        std::exit(1);
    }
    History h;
    h.name = name;
    h.dag = std::make_shared<const CommitDag>(std::move(*built));
    h.query.bad = h.dag->find(oids[bad]);
    h.query.goods = {h.dag->find(oids[good])};
    h.range = FlakyRange::build(h.dag, h.query);
    for (int i = 0; i < h.range->size(); ++i)
        h.merges += h.dag->parentCount(h.range->commit(i)) > 1;
    return h;
}

History linear(int n) {
    std::vector<std::vector<int>> parents(n + 1);
    std::vector<std::int64_t> times(n + 1);
    for (int i = 0; i <= n; ++i) {
        if (i > 0)
            parents[i] = {i - 1};
        times[i] = 1000000000 + 30LL * i;
    }
    return finish(QStringLiteral("linear-%1").arg(n), std::move(parents), std::move(times), 0, n);
}

// A mainline that merges topic branches (1..20 commits, forking from a recent mainline
// commit); some topics merge the mainline back in or carry a merged sub-topic; a few
// octopus merges. About a third of the mainline commits are merges.
History mergeHeavy(int range, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::vector<int>> parents;
    std::vector<std::int64_t> times;
    std::int64_t clock = 1000000000;
    auto commit = [&](std::vector<int> ps) {
        clock += static_cast<std::int64_t>(rng() % 60); // equal dates happen
        parents.push_back(std::move(ps));
        times.push_back(clock);
        return static_cast<int>(parents.size()) - 1;
    };
    auto topicLength = [&]() {
        int l = 1;
        while (l < 20 && rng() % 5 < 2)
            ++l;
        return l;
    };
    std::vector<int> mainline{commit({})};
    for (int i = 0; i < 300; ++i)
        mainline.push_back(commit({mainline.back()}));
    const int good = mainline.back();
    auto recent = [&]() {
        return mainline[mainline.size() - 1 - rng() % std::min<std::size_t>(30, mainline.size())];
    };
    auto topic = [&](int from, int length) {
        int tip = from;
        for (int k = 0; k < length; ++k)
            tip = commit({tip});
        return tip;
    };
    while (static_cast<int>(parents.size()) - good < range) {
        const unsigned event = rng() % 100;
        if (event < 30) {
            const int fork = recent();
            const int length = topicLength();
            int tip = topic(fork, (length + 1) / 2);
            if (rng() % 100 < 15) // the maintainer merged the mainline into the topic
                tip = commit({tip, mainline.back()});
            if (rng() % 100 < 10) // a sub-topic merged into the topic
                tip = commit({tip, topic(fork, 1 + static_cast<int>(rng() % 5))});
            tip = topic(tip, length / 2);
            mainline.push_back(commit({mainline.back(), tip}));
        } else if (event < 33) {
            const int a = topic(recent(), 1 + static_cast<int>(rng() % 3));
            const int b = topic(recent(), 1 + static_cast<int>(rng() % 3));
            mainline.push_back(commit({mainline.back(), a, b}));
        } else {
            mainline.push_back(commit({mainline.back()}));
        }
    }
    return finish(QStringLiteral("merge-heavy-%1").arg(range), std::move(parents), std::move(times),
                  good, mainline.back());
}

// isBad[x]: x contains the culprit (ids are children-first).
std::vector<std::uint8_t> badCommits(const CommitDag &dag, Id culprit) {
    std::vector<std::uint8_t> bad(dag.size(), 0);
    bad[culprit] = 1;
    for (Id x = culprit; x-- > 0;)
        for (Id p : dag.parents(x))
            bad[x] |= bad[p];
    return bad;
}

struct Tally {
    int runs = 0;
    int right = 0;
    long testRuns = 0;
    long visits = 0; // distinct consecutive commits tested: builds and deploys
    double seconds = 0;
    void add(bool ok, int tests, int visitCount) {
        ++runs;
        right += ok;
        testRuns += tests;
        visits += visitCount;
    }
    [[nodiscard]] double accuracy() const { return runs ? double(right) / runs : 0; }
    [[nodiscard]] double meanRuns() const { return runs ? double(testRuns) / runs : 0; }
    [[nodiscard]] double meanVisits() const { return runs ? double(visits) / runs : 0; }
};

// Classic bisect with a memo: the choice only depends on (bad, goods), and the first
// levels of the decision tree are shared by every seed and method.
class ClassicOracle {
public:
    explicit ClassicOracle(const History &h)
        : m_h(h) {}
    BisectOutcome select(const BisectQuery &q) {
        std::vector<Id> key = q.goods;
        std::sort(key.begin(), key.end());
        key.push_back(q.bad);
        auto it = m_memo.find(key);
        if (it == m_memo.end())
            it = m_memo.emplace(std::move(key), BisectEngine::select(*m_h.dag, q)).first;
        return it->second;
    }

private:
    const History &m_h;
    std::map<std::vector<Id>, BisectOutcome> m_memo;
};

Id culpritFor(const History &h, unsigned seed, std::mt19937 &rng) {
    rng.seed(seed * 2654435761u + 17);
    return h.range->commit(static_cast<int>(rng() % h.range->size()));
}

// "Repeat each step up to k times; any failure means bad" (k = 1: plain bisect).
Tally repeatBisect(const History &h, ClassicOracle &oracle, double d, int k, int seeds) {
    Tally t;
    QElapsedTimer timer;
    timer.start();
    std::mt19937 rng;
    for (int s = 0; s < seeds; ++s) {
        const Id culprit = culpritFor(h, s, rng);
        const auto isBad = badCommits(*h.dag, culprit);
        std::bernoulli_distribution fails(d);
        BisectQuery q = h.query;
        int tests = 0, visits = 0;
        BisectOutcome o;
        for (;;) {
            o = oracle.select(q);
            if (o.kind != BisectOutcome::Kind::Next)
                break;
            ++visits;
            bool failed = false;
            for (int i = 0; i < k && !failed; ++i) {
                ++tests;
                failed = isBad[o.commit] && fails(rng);
            }
            if (failed)
                q.bad = o.commit;
            else
                q.goods.push_back(o.commit);
        }
        t.add(o.kind == BisectOutcome::Kind::FirstBad && o.commit == culprit, tests, visits);
    }
    t.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    return t;
}

// The engine's own loop; with maxIterations > 1 as the orchestrator runs it: up to
// `iterations` runs at the chosen commit, stopping at the first failure.
Tally flakyBisect(const History &h, double d, const FlakyParams &params, int seeds,
                  int maxIterations = 1) {
    Tally t;
    QElapsedTimer timer;
    timer.start();
    std::mt19937 rng;
    for (int s = 0; s < seeds; ++s) {
        const Id culprit = culpritFor(h, s, rng);
        const auto isBad = badCommits(*h.dag, culprit);
        std::bernoulli_distribution fails(d);
        FlakyEngine engine(h.range, params);
        int tests = 0, visits = 0;
        Id last = CommitDag::None;
        FlakyDecision decision;
        while (tests < 20000) {
            decision = engine.next(maxIterations);
            if (decision.kind != FlakyDecision::Kind::Test)
                break;
            visits += decision.commit != last;
            last = decision.commit;
            for (int i = 0; i < decision.iterations; ++i) {
                ++tests;
                const bool failed = isBad[decision.commit] && fails(rng);
                engine.record(decision.commit, failed);
                if (failed)
                    break;
            }
        }
        t.add(decision.kind == FlakyDecision::Kind::Found && decision.commit == culprit, tests,
              visits);
    }
    t.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    return t;
}

struct WorkerTally {
    Tally tally;
    long rounds = 0;
};

WorkerTally workersBisect(const History &h, double d, const FlakyParams &params, int workers,
                          int seeds) {
    WorkerTally w;
    QElapsedTimer timer;
    timer.start();
    std::mt19937 rng;
    for (int s = 0; s < seeds; ++s) {
        const Id culprit = culpritFor(h, s, rng);
        const auto isBad = badCommits(*h.dag, culprit);
        std::bernoulli_distribution fails(d);
        FlakyEngine engine(h.range, params);
        int tests = 0, rounds = 0;
        for (; rounds < 5000; ++rounds) {
            const std::vector<Id> commits = engine.plan(workers);
            if (commits.empty())
                break;
            for (Id c : commits) {
                ++tests;
                engine.record(c, isBad[c] && fails(rng));
            }
        }
        const FlakyDecision decision = engine.next();
        w.tally.add(decision.kind == FlakyDecision::Kind::Found && decision.commit == culprit,
                    tests, tests);
        w.rounds += rounds;
    }
    w.tally.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    return w;
}

void printRow(const History &h, double d, const QString &method, const Tally &t,
              int fewerSeeds = 0) {
    const QString note = fewerSeeds ? QStringLiteral("  (%1 seeds)").arg(fewerSeeds) : QString();
    std::printf("%-18s %6d %5.1f%% %5.2f  %-28s %7.1f%% %9.1f %8.1f %8.1fs%s\n", qPrintable(h.name),
                h.range->size(), 100.0 * h.merges / h.range->size(), d, qPrintable(method),
                100.0 * t.accuracy(), t.meanRuns(), t.meanVisits(), t.seconds, qPrintable(note));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Bisect Workbench benchmark: bisecting intermittent failures"));
    parser.addHelpOption();
    const QCommandLineOption seedsOpt(QStringLiteral("seeds"),
                                      QStringLiteral("Seeded runs per cell (default 200)."),
                                      QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption linearOpt(QStringLiteral("linear"),
                                       QStringLiteral("Linear history size (0: none)."),
                                       QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption mergeOpt(QStringLiteral("merge-heavy"),
                                      QStringLiteral("Merge-heavy range size (0: none)."),
                                      QStringLiteral("N"), QStringLiteral("50000"));
    const QCommandLineOption workersRangeOpt(
        QStringLiteral("workers-range"), QStringLiteral("Range for the workers table (0: none)."),
        QStringLiteral("N"), QStringLiteral("60000"));
    const QCommandLineOption detectionsOpt(
        QStringLiteral("detections"), QStringLiteral("Detection rates, comma-separated."),
        QStringLiteral("LIST"), QStringLiteral("0.3,0.5,0.7,0.9,1.0"));
    const QCommandLineOption confidenceOpt(QStringLiteral("confidence"),
                                           QStringLiteral("Flaky engine's stop confidence."),
                                           QStringLiteral("P"), QStringLiteral("0.995"));
    const QCommandLineOption targetOpt(QStringLiteral("target"),
                                       QStringLiteral("Accuracy the repeat-k search must reach."),
                                       QStringLiteral("P"), QStringLiteral("0.99"));
    const QCommandLineOption extraSeedsOpt(
        QStringLiteral("extra-seeds"),
        QStringLiteral("Seeded runs for the batch and estimated-detection rows (default 50)."),
        QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption noEstimateOpt(QStringLiteral("no-estimate"),
                                           QStringLiteral("Skip the estimated-detection rows."));
    const QCommandLineOption toleranceOpt(QStringLiteral("batch-tolerance"),
                                          QStringLiteral("FlakyParams::batchTolerance for the "
                                                         "batch rows (default 0.25)."),
                                          QStringLiteral("T"), QStringLiteral("0.25"));
    const QCommandLineOption genSeedOpt(QStringLiteral("history-seed"),
                                        QStringLiteral("Generator seed (default 1)."),
                                        QStringLiteral("S"), QStringLiteral("1"));
    parser.addOptions({seedsOpt, linearOpt, mergeOpt, workersRangeOpt, detectionsOpt, confidenceOpt,
                       targetOpt, extraSeedsOpt, noEstimateOpt, toleranceOpt, genSeedOpt});
    parser.process(app);

    const int seeds = std::max(1, parser.value(seedsOpt).toInt());
    const int extraSeeds = std::max(1, parser.value(extraSeedsOpt).toInt());
    const double confidence = parser.value(confidenceOpt).toDouble();
    const double target = parser.value(targetOpt).toDouble();
    const unsigned historySeed = parser.value(genSeedOpt).toUInt();
    std::vector<double> detections;
    for (const QString &s : parser.value(detectionsOpt).split(u',', Qt::SkipEmptyParts))
        detections.push_back(s.toDouble());

    QElapsedTimer total;
    total.start();
    std::vector<History> histories;
    if (parser.value(linearOpt).toInt() > 0)
        histories.push_back(linear(parser.value(linearOpt).toInt()));
    if (parser.value(mergeOpt).toInt() > 0)
        histories.push_back(mergeHeavy(parser.value(mergeOpt).toInt(), historySeed));

    std::printf("Flaky bisect benchmark: %d seeded runs per row, flaky engine confidence %.3f, "
                "false alarm 0\n\n",
                seeds, confidence);
    std::printf("%-18s %6s %6s %5s  %-28s %8s %9s %8s %9s\n", "history", "N", "merges", "det",
                "method", "accuracy", "mean runs", "visits", "time");
    std::printf("%s\n", QByteArray(114, '-').constData());
    struct Goal {
        QString history;
        double flakyRuns = 0, flakyAccuracy = 0, repeatRuns = 0;
        int repeatK = 0;
    };
    std::vector<Goal> goals;
    for (const History &h : histories) {
        ClassicOracle oracle(h);
        if (h.range->inexactMerges() > 0)
            std::printf("(%s: %d merges over the exclusive-set budget; choices approximate "
                        "there)\n",
                        qPrintable(h.name), h.range->inexactMerges());
        for (double d : detections) {
            printRow(h, d, QStringLiteral("plain bisect"), repeatBisect(h, oracle, d, 1, seeds));
            printRow(h, d, QStringLiteral("repeat each step 15x"),
                     repeatBisect(h, oracle, d, 15, seeds));
            int k = 1;
            Tally reached;
            for (; k <= 40; ++k) {
                reached = repeatBisect(h, oracle, d, k, seeds);
                if (reached.accuracy() >= target)
                    break;
            }
            printRow(h, d,
                     k <= 40 ? QStringLiteral("repeat %1x (smallest >= %2%)")
                                   .arg(k)
                                   .arg(target * 100, 0, 'g', 3)
                             : QStringLiteral("repeat 40x (none reached)"),
                     reached);
            FlakyParams params;
            params.detection = d;
            params.confidence = confidence;
            const Tally flaky = flakyBisect(h, d, params, seeds);
            printRow(h, d, QStringLiteral("flaky engine, d known"), flaky);
            if (d < 1.0) {
                FlakyParams batches = params;
                batches.batchTolerance = parser.value(toleranceOpt).toDouble();
                printRow(h, d, QStringLiteral("flaky, d known, batches<=15"),
                         flakyBisect(h, d, batches, extraSeeds, 15), extraSeeds);
            }
            if (!parser.isSet(noEstimateOpt) && d < 1.0) {
                FlakyParams estimated = params;
                estimated.estimateDetection = true;
                printRow(h, d, QStringLiteral("flaky engine, d estimated"),
                         flakyBisect(h, d, estimated, extraSeeds), extraSeeds);
            }
            if (std::abs(d - 0.5) < 1e-9)
                goals.push_back({h.name, flaky.meanRuns(), flaky.accuracy(),
                                 k <= 40 ? reached.meanRuns() : -1.0, k});
        }
        std::printf("\n");
    }
    for (const Goal &g : goals)
        std::printf("goal at d = 0.5 on %s: flaky engine %.1f%% in %.1f runs; the smallest "
                    "repeat count reaching %.0f%% (%dx) needs %.1f runs: %s\n",
                    qPrintable(g.history), 100 * g.flakyAccuracy, g.flakyRuns, 100 * target,
                    g.repeatK, g.repeatRuns,
                    g.flakyAccuracy >= target && g.flakyRuns < g.repeatRuns ? "met" : "NOT met");

    const int workersRange = parser.value(workersRangeOpt).toInt();
    if (workersRange > 0) {
        const History h = mergeHeavy(workersRange, historySeed + 1);
        std::printf("\nParallel workers on %s (%d candidates, %.1f%% merges): rounds until "
                    "decided, %d seeded runs\n",
                    qPrintable(h.name), h.range->size(), 100.0 * h.merges / h.range->size(), seeds);
        std::printf("%5s %8s %12s %10s %10s %9s %9s\n", "det", "workers", "log_{k+1} N", "rounds",
                    "runs", "accuracy", "time");
        std::printf("%s\n", QByteArray(70, '-').constData());
        for (double d : {1.0, 0.5}) {
            FlakyParams params;
            params.detection = d;
            params.confidence = confidence;
            for (int workers : {1, 2, 4, 8}) {
                const WorkerTally w = workersBisect(h, d, params, workers, seeds);
                std::printf("%5.2f %8d %12.2f %10.2f %10.1f %8.1f%% %8.1fs\n", d, workers,
                            std::log(h.range->size()) / std::log(workers + 1.0),
                            double(w.rounds) / seeds, w.tally.meanRuns(), 100 * w.tally.accuracy(),
                            w.tally.seconds);
                std::fflush(stdout);
            }
        }
    }
    std::printf("\ntotal %.1f s\n", static_cast<double>(total.elapsed()) / 1000.0);
    return 0;
}
