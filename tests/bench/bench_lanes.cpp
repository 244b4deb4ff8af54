// Benchmark: lane layout and the commit graph model on a synthetic linux-like history
// built in memory (no repository). Not a test: it prints figures.
//
//   bench_lanes [--commits N] [--seed S]
//
// Goal (issue 4): LaneLayout::compute under 1.5 s and under 100 bytes per commit for
// 1,000,000 commits, in a RelWithDebInfo build.

#include "models/BisectEngine.h"
#include "models/CommitDag.h"
#include "models/CommitGraphModel.h"
#include "models/LaneLayout.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>

#include <sys/resource.h>

#include <cmath>
#include <cstdio>
#include <random>

using namespace bw;
using Id = CommitDag::Id;

namespace {

// The same shape as bench_engine's generator: a mainline that merges topic branches of
// 1..20 commits (geometric lengths) forking from a recent mainline commit, about 30%
// merges, committer dates moving forward by 0..59 s.
CommitDag::Input generate(int commits, unsigned seed) {
    constexpr double mergeRatio = 0.30;
    constexpr int maxTopic = 20;
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::vector<double> lengthWeights;
    double meanLength = 0, total = 0;
    for (int l = 1; l <= maxTopic; ++l) {
        const double w = 0.6 * std::pow(0.4, l - 1);
        lengthWeights.push_back(w);
        meanLength += w * l;
        total += w;
    }
    meanLength /= total;
    std::discrete_distribution<int> topicLength(lengthWeights.begin(), lengthWeights.end());
    const double mergeEvent = std::min(1.0, mergeRatio / (1.0 - mergeRatio * meanLength));

    CommitDag::Input in;
    in.oids.reserve(commits);
    in.times.reserve(commits);
    in.parentOffsets.reserve(commits + 1);
    in.parentOffsets.push_back(0);
    std::int64_t clock = 1000000000;
    auto commit = [&](int first, int second) {
        Oid oid;
        for (int i = 0; i < Oid::RawSize; i += 8) {
            const std::uint64_t r = rng();
            for (int b = 0; b < 8 && i + b < Oid::RawSize; ++b)
                oid.bytes[i + b] = static_cast<std::uint8_t>(r >> (8 * b));
        }
        clock += static_cast<std::int64_t>(rng() % 60);
        in.oids.push_back(oid);
        in.times.push_back(clock);
        if (first >= 0)
            in.parents.push_back(static_cast<std::uint32_t>(first));
        if (second >= 0)
            in.parents.push_back(static_cast<std::uint32_t>(second));
        in.parentOffsets.push_back(static_cast<std::uint32_t>(in.parents.size()));
        return static_cast<int>(in.oids.size()) - 1;
    };
    std::vector<int> mainline{commit(-1, -1)};
    while (static_cast<int>(in.oids.size()) < commits) {
        if (uniform(rng) < mergeEvent) {
            const std::size_t back = rng() % std::min<std::size_t>(30, mainline.size());
            int tip = mainline[mainline.size() - 1 - back];
            const int length = 1 + topicLength(rng);
            for (int k = 0; k < length; ++k)
                tip = commit(tip, -1);
            mainline.push_back(commit(mainline.back(), tip));
        } else {
            mainline.push_back(commit(mainline.back(), -1));
        }
    }
    return in;
}

double ms(const QElapsedTimer &t) {
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

double peakRssMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption commitsOpt(QStringLiteral("commits"), QStringLiteral("Commits to generate."),
                                  QStringLiteral("N"), QStringLiteral("1000000"));
    QCommandLineOption seedOpt(QStringLiteral("seed"), QStringLiteral("Generator seed."),
                               QStringLiteral("S"), QStringLiteral("1"));
    parser.addOption(commitsOpt);
    parser.addOption(seedOpt);
    parser.process(app);
    const int commits = std::max(1, parser.value(commitsOpt).toInt());
    const unsigned seed = parser.value(seedOpt).toUInt();

    QElapsedTimer t;
    t.start();
    auto dag = std::make_shared<const CommitDag>(*CommitDag::build(generate(commits, seed)));
    int merges = 0;
    for (Id c = 0; c < static_cast<Id>(dag->size()); ++c)
        merges += dag->parentCount(c) > 1 ? 1 : 0;
    std::printf("history: %d commits, %d merges (%.0f%%), built in %.0f ms\n", dag->size(), merges,
                100.0 * merges / dag->size(), ms(t));

    t.restart();
    auto lanes = std::make_shared<const LaneLayout>(LaneLayout::compute(*dag));
    const double layoutMs = ms(t);
    std::size_t segments = 0;
    for (int r = 0; r < lanes->rowCount(); ++r)
        segments += lanes->row(r).size();
    const double bytesPerCommit = static_cast<double>(lanes->memoryBytes()) / dag->size();
    std::printf("lane layout: %.0f ms, %d lanes max, %.2f segments/row, %.1f bytes/commit "
                "(%.1f MiB)%s\n",
                layoutMs, lanes->laneCount(), static_cast<double>(segments) / dag->size(),
                bytesPerCommit, static_cast<double>(lanes->memoryBytes()) / (1 << 20),
                lanes->isTruncated() ? " TRUNCATED" : "");

    t.restart();
    CommitGraphModel model(dag, lanes);
    model.setTextProvider([](Id c) {
        return CommitText{QStringLiteral("commit %1").arg(c), QStringLiteral("Bench"), {}, {}};
    });
    const double constructMs = ms(t);

    std::mt19937 rng(seed);
    t.restart();
    std::size_t checksum = 0;
    for (int i = 0; i < 1000; ++i) {
        const int row = static_cast<int>(rng() % static_cast<unsigned>(dag->size()));
        for (int column = 0; column < CommitGraphModel::ColumnCount; ++column)
            checksum += model.index(row, column).data().toString().size();
        const QModelIndex index = model.index(row, 0);
        checksum += index.data(static_cast<int>(CommitGraphModel::Role::LanesRole))
                        .value<LaneRow>()
                        .segments()
                        .size();
        checksum += index.data(static_cast<int>(CommitGraphModel::Role::StateRole)).toUInt();
    }
    const double dataMs = ms(t);
    std::printf("model: constructed in %.3f ms, data() for 1000 random rows x 7 roles in %.1f ms "
                "(checksum %zu)\n",
                constructMs, dataMs, checksum);

    // A bisect step: annotations computed and applied, then the remaining-only filter.
    BisectQuery q;
    q.bad = 0;
    q.goods = {static_cast<Id>(dag->size() / 10)};
    t.restart();
    const BisectOutcome outcome = BisectEngine::select(*dag, q);
    BisectAnnotations annotations = BisectAnnotations::compute(*dag, q, outcome);
    const double annotateMs = ms(t);
    t.restart();
    model.setAnnotations(std::move(annotations));
    const double applyMs = ms(t);
    t.restart();
    RemainingOnlyFilterModel filter;
    filter.setSourceModel(&model);
    filter.setRemainingOnly(true);
    const int remaining = filter.rowCount();
    const double filterMs = ms(t);
    std::printf("bisect step: %d candidates; select + annotations %.0f ms, setAnnotations %.1f ms, "
                "remaining-only filter (%d rows) %.0f ms\n",
                outcome.all, annotateMs, applyMs, remaining, filterMs);

    // The next verdict with the filter live: the proxy drops the eliminated rows.
    q.goods.push_back(outcome.commit);
    t.restart();
    model.setAnnotations(BisectAnnotations::compute(*dag, q, BisectEngine::select(*dag, q)));
    std::printf("next verdict with the filter live: %.0f ms, %d rows left\n", ms(t),
                filter.rowCount());
    std::printf("peak RSS %.0f MiB\n", peakRssMiB());
    return 0;
}
