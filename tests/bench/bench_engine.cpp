// Benchmark: history loading and bisect decisions on a generated linux-like history.
// Not a test: it prints figures. See PERFORMANCE-NOTES.md for the numbers to beat.
//
//   bench_engine [--commits N] [--range N] [--cache DIR] [--skip-slow]
//
// The repository is generated once with `git fast-import` and cached, keyed by the
// generator's parameters.

#include "models/BisectEngine.h"
#include "models/CommitDag.h"
#include "services/git/DagLoader.h"
#include "services/git/Repository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>

using namespace bw;
using bw::git::DagLoader;
using bw::git::DagLoadOptions;
using bw::git::DagLoadStats;
using bw::git::Repository;

namespace {

struct Params {
    int commits = 1000000;
    int range = 60000;
    double mergeRatio = 0.30;
    int maxTopic = 20;
    unsigned seed = 1;
};

struct GitRun {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    double seconds = 0;
};

QProcessEnvironment gitEnv() {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    env.remove(QStringLiteral("GIT_DIR"));
    return env;
}

GitRun runGit(const QString &repo, const QStringList &args, const QString &stdinFile = {},
              const QProcessEnvironment &env = gitEnv()) {
    GitRun r;
    QProcess p;
    p.setProcessEnvironment(env);
    if (!stdinFile.isEmpty())
        p.setStandardInputFile(stdinFile);
    QElapsedTimer t;
    t.start();
    p.start(QStringLiteral("git"), QStringList{QStringLiteral("-C"), repo} + args);
    if (!p.waitForStarted(-1))
        return r;
    p.waitForFinished(-1);
    r.seconds = static_cast<double>(t.nsecsElapsed()) / 1e9;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

double peakRssMiB() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0; // KiB on Linux
}

// Writes a fast-import stream: a mainline that merges topic branches (1..maxTopic
// commits, forking from a recent mainline commit), about `mergeRatio` merges, committer
// dates moving forward by 0..59 s (equal dates happen). Empty trees. Tags the mainline
// commit about `range` commits before the end as `bench-good`.
bool writeStream(const QString &path, const Params &p) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    std::mt19937 rng(p.seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    // Topic lengths: geometric (0.6), truncated to 1..maxTopic.
    std::vector<double> lengthWeights;
    double meanLength = 0, total = 0;
    for (int l = 1; l <= p.maxTopic; ++l) {
        const double w = 0.6 * std::pow(0.4, l - 1);
        lengthWeights.push_back(w);
        meanLength += w * l;
        total += w;
    }
    meanLength /= total;
    std::discrete_distribution<int> topicLength(lengthWeights.begin(), lengthWeights.end());
    // A merge event adds L + 1 commits and one merge, a plain one a single commit.
    const double denominator = 1.0 - p.mergeRatio * meanLength;
    const double mergeEvent = denominator <= 0 ? 1.0 : std::min(1.0, p.mergeRatio / denominator);

    QByteArray buf;
    buf.reserve(1 << 22);
    int mark = 0;
    qint64 clock = 1000000000;
    auto commit = [&](const char *ref, int from, int merge) {
        ++mark;
        clock += static_cast<qint64>(rng() % 60);
        const QByteArray msg = "commit " + QByteArray::number(mark) + "\n";
        buf += "commit ";
        buf += ref;
        buf += "\nmark :" + QByteArray::number(mark) + "\ncommitter Bench <bench@example.com> " +
               QByteArray::number(clock) + " +0000\ndata " + QByteArray::number(msg.size()) + "\n" +
               msg;
        if (from > 0)
            buf += "from :" + QByteArray::number(from) + "\n";
        if (merge > 0)
            buf += "merge :" + QByteArray::number(merge) + "\n";
        buf += "\n";
        if (buf.size() > (1 << 22) - 4096) {
            f.write(buf);
            buf.clear();
        }
        return mark;
    };
    std::vector<int> mainline{commit("refs/heads/main", 0, 0)};
    int good = 0;
    while (mark < p.commits) {
        if (good == 0 && mark >= p.commits - p.range)
            good = mainline.back();
        if (uniform(rng) < mergeEvent) {
            const std::size_t back = rng() % std::min<std::size_t>(30, mainline.size());
            int tip = mainline[mainline.size() - 1 - back];
            const int length = 1 + topicLength(rng);
            for (int k = 0; k < length; ++k)
                tip = commit("refs/heads/topic", tip, 0);
            mainline.push_back(commit("refs/heads/main", mainline.back(), tip));
        } else {
            mainline.push_back(commit("refs/heads/main", mainline.back(), 0));
        }
    }
    if (good == 0)
        good = mainline.front();
    buf += "reset refs/tags/bench-good\nfrom :" + QByteArray::number(good) + "\n\n";
    buf += "reset refs/heads/topic\n\n"; // deletes the helper branch
    f.write(buf);
    return f.flush();
}

bool ensureRepository(const QString &repo, const Params &p) {
    if (QFile::exists(repo + QStringLiteral("/bench-ready")))
        return true;
    QDir(repo).removeRecursively();
    if (!QDir().mkpath(repo))
        return false;
    std::printf("generating %d commits in %s ...\n", p.commits, qPrintable(repo));
    std::fflush(stdout);
    QElapsedTimer t;
    t.start();
    const QString stream = repo + QStringLiteral("/../stream.fi");
    if (!writeStream(stream, p))
        return false;
    if (runGit(repo, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("--bare"),
                      QStringLiteral("-b"), QStringLiteral("main")})
            .exitCode != 0)
        return false;
    // Without heap trimming turned off, fast-import is about five times slower.
    QProcessEnvironment env = gitEnv();
    env.insert(QStringLiteral("GLIBC_TUNABLES"),
               QStringLiteral("glibc.malloc.trim_threshold=536870912:glibc.malloc.top_pad="
                              "67108864:glibc.malloc.mmap_threshold=536870912"));
    const GitRun imp =
        runGit(repo, {QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream, env);
    QFile::remove(stream);
    if (imp.exitCode != 0) {
        std::fprintf(stderr, "fast-import failed: %s\n", imp.err.constData());
        return false;
    }
    std::printf("generated in %.1f s\n", static_cast<double>(t.elapsed()) / 1000.0);
    QFile ready(repo + QStringLiteral("/bench-ready"));
    return ready.open(QIODevice::WriteOnly);
}

void row(const char *what, const QString &git, const QString &ours, const QString &note = {}) {
    std::printf("  %-44s %14s %14s  %s\n", what, qPrintable(git), qPrintable(ours),
                qPrintable(note));
}
QString secs(double s) {
    return s < 0     ? QStringLiteral("-")
           : s < 0.1 ? QStringLiteral("%1 ms").arg(s * 1000, 0, 'f', 2)
                     : QStringLiteral("%1 s").arg(s, 0, 'f', 3);
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Bisect Workbench benchmark: DAG loading and bisect steps"));
    parser.addHelpOption();
    QCommandLineOption commitsOpt(QStringLiteral("commits"), QStringLiteral("Commits to generate."),
                                  QStringLiteral("N"), QStringLiteral("1000000"));
    QCommandLineOption rangeOpt(QStringLiteral("range"), QStringLiteral("Bisect range size."),
                                QStringLiteral("N"), QStringLiteral("60000"));
    QCommandLineOption cacheOpt(QStringLiteral("cache"),
                                QStringLiteral("Directory for the generated repository."),
                                QStringLiteral("DIR"));
    QCommandLineOption skipSlowOpt(QStringLiteral("skip-slow"),
                                   QStringLiteral("Skip our libgit2-only (no commit-graph) load."));
    QCommandLineOption seedOpt(QStringLiteral("seed"), QStringLiteral("Generator seed."),
                               QStringLiteral("S"), QStringLiteral("1"));
    parser.addOptions({commitsOpt, rangeOpt, cacheOpt, skipSlowOpt, seedOpt});
    parser.process(app);

    Params p;
    p.commits = std::max(1000, parser.value(commitsOpt).toInt());
    p.range = std::clamp(parser.value(rangeOpt).toInt(), 10, p.commits - 10);
    p.seed = parser.value(seedOpt).toUInt();
    QString cache = parser.value(cacheOpt);
    if (cache.isEmpty()) {
        const QString xdg = qEnvironmentVariable("XDG_CACHE_HOME");
        cache = (xdg.isEmpty() ? QDir::homePath() + QStringLiteral("/.cache") : xdg) +
                QStringLiteral("/bisect-workbench-bench");
    }
    const QString repoPath = QStringLiteral("%1/linux-like-%2-m%3-t%4-r%5-s%6/repo.git")
                                 .arg(cache)
                                 .arg(p.commits)
                                 .arg(qRound(p.mergeRatio * 100))
                                 .arg(p.maxTopic)
                                 .arg(p.range)
                                 .arg(p.seed);
    if (!ensureRepository(repoPath, p)) {
        std::fprintf(stderr, "cannot create the repository in %s\n", qPrintable(repoPath));
        return 1;
    }

    const QString graphFile = repoPath + QStringLiteral("/objects/info/commit-graph");
    double graphWrite = -1;
    if (!QFile::exists(graphFile)) {
        const GitRun w = runGit(repoPath, {QStringLiteral("commit-graph"), QStringLiteral("write"),
                                           QStringLiteral("--reachable")});
        if (w.exitCode != 0) {
            std::fprintf(stderr, "commit-graph write failed: %s\n", w.err.constData());
            return 1;
        }
        graphWrite = w.seconds;
    }

    auto repo = Repository::open(repoPath);
    if (!repo) {
        std::fprintf(stderr, "%s\n", qPrintable(repo.error().message()));
        return 1;
    }
    const auto tip = repo->resolveCommit(QStringLiteral("main"));
    const auto good = repo->resolveCommit(QStringLiteral("bench-good"));
    if (!tip || !good) {
        std::fprintf(stderr, "the repository has no main or bench-good\n");
        return 1;
    }

    const QStringList noGraph{QStringLiteral("-c"), QStringLiteral("core.commitGraph=false")};
    const GitRun countNoGraph =
        runGit(repoPath, noGraph + QStringList{QStringLiteral("rev-list"),
                                               QStringLiteral("--count"), QStringLiteral("main")});
    const GitRun countGraph = runGit(
        repoPath, {QStringLiteral("rev-list"), QStringLiteral("--count"), QStringLiteral("main")});
    const int total = countGraph.out.trimmed().toInt();

    // Our load with the commit-graph: best of three (the file is in the page cache after
    // git's own run).
    double best = 1e9;
    DagLoadStats graphStats;
    std::optional<CommitDag> dag;
    for (int i = 0; i < 3; ++i) {
        DagLoadStats st;
        auto loaded = DagLoader::load(*repo, {*tip}, DagLoadOptions{}, {}, &st);
        if (!loaded) {
            std::fprintf(stderr, "load failed: %s\n", qPrintable(loaded.error().message()));
            return 1;
        }
        if (st.seconds < best) {
            best = st.seconds;
            graphStats = st;
        }
        dag = std::move(loaded).value();
    }
    const double rssAfterLoad = peakRssMiB();

    // (b) the bisect range.
    const GitRun rangeCount =
        runGit(repoPath, {QStringLiteral("rev-list"), QStringLiteral("--count"),
                          QStringLiteral("main"), QStringLiteral("^bench-good")});
    const GitRun gitBisect =
        runGit(repoPath, {QStringLiteral("rev-list"), QStringLiteral("--bisect"),
                          QStringLiteral("main"), QStringLiteral("^bench-good")});
    BisectQuery q;
    q.bad = dag->find(*tip);
    q.goods = {dag->find(*good)};
    QElapsedTimer t;
    t.start();
    const BisectOutcome first = BisectEngine::select(*dag, q);
    const double firstStep = static_cast<double>(t.nsecsElapsed()) / 1e9;
    const QString ourChoice = first.commit == CommitDag::None ? QStringLiteral("none")
                                                              : dag->oid(first.commit).toString();
    const bool sameChoice = QString::fromLatin1(gitBisect.out.trimmed()) == ourChoice;

    // A whole bisect with an oracle: a commit is bad when the culprit is its ancestor.
    const std::vector<CommitDag::Id> candidates = BisectEngine::candidates(*dag, q);
    std::mt19937 rng(p.seed + 7);
    const CommitDag::Id culprit =
        candidates.empty() ? q.bad : candidates[rng() % candidates.size()];
    BisectQuery sim = q;
    std::vector<double> stepTimes;
    BisectOutcome outcome;
    for (int guard = 0; guard < 100; ++guard) {
        t.restart();
        outcome = BisectEngine::select(*dag, sim);
        stepTimes.push_back(static_cast<double>(t.nsecsElapsed()) / 1e9);
        if (outcome.kind != BisectOutcome::Kind::Next)
            break;
        const bool isBad = BisectEngine::ancestors(*dag, {outcome.commit})[culprit] != 0;
        if (isBad)
            sim.bad = outcome.commit;
        else
            sim.goods.push_back(outcome.commit);
    }
    const bool foundCulprit =
        outcome.kind == BisectOutcome::Kind::FirstBad && outcome.commit == culprit;
    double meanStep = 0, maxStep = 0;
    for (double s : stepTimes) {
        meanStep += s;
        maxStep = std::max(maxStep, s);
    }
    meanStep /= static_cast<double>(std::max<std::size_t>(1, stepTimes.size()));
    const double rssAfterBisect = peakRssMiB();

    // (a) without the commit-graph: libgit2 reads every commit object (slow).
    DagLoadStats objStats;
    double objSeconds = -1;
    if (!parser.isSet(skipSlowOpt)) {
        auto loaded = DagLoader::load(*repo, {*tip}, DagLoadOptions{false, 65536}, {}, &objStats);
        if (!loaded) {
            std::fprintf(stderr, "load failed: %s\n", qPrintable(loaded.error().message()));
            return 1;
        }
        objSeconds = objStats.seconds;
        if (loaded->size() != dag->size())
            std::printf("warning: the two loads disagree (%d vs %d commits)\n", loaded->size(),
                        dag->size());
    }

    int merges = 0;
    for (CommitDag::Id c = 0; c < static_cast<CommitDag::Id>(dag->size()); ++c)
        merges += dag->parentCount(c) > 1 ? 1 : 0;

    std::printf("\nBisect Workbench benchmark: %s\n", qPrintable(repoPath));
    std::printf("  %d commits, %.1f %% merges; bisect range main ^bench-good: %s commits\n",
                dag->size(), 100.0 * merges / std::max(1, dag->size()),
                rangeCount.out.trimmed().constData());
    if (graphWrite >= 0)
        std::printf("  git commit-graph write --reachable: %.2f s\n", graphWrite);
    std::printf("\n  %-44s %14s %14s\n", "measurement", "git", "workbench");
    std::printf("  %s\n", QByteArray(90, '-').constData());
    row("(a) count / load, no commit-graph", secs(countNoGraph.seconds), secs(objSeconds),
        objSeconds < 0 ? QStringLiteral("(--skip-slow)")
                       : QStringLiteral("%1 commits from objects").arg(objStats.fromObjects));
    row("(a) count / load, with commit-graph", secs(countGraph.seconds), secs(best),
        QStringLiteral("%1 from graph, %2 from objects; CommitDag::build %3")
            .arg(graphStats.fromGraph)
            .arg(graphStats.fromObjects)
            .arg(secs(graphStats.buildSeconds)));
    row("(b) first bisect step (rev-list --bisect)", secs(gitBisect.seconds), secs(firstStep),
        sameChoice ? QStringLiteral("same commit")
                   : QStringLiteral("DIFFERENT: git %1 ours %2")
                         .arg(QString::fromLatin1(gitBisect.out.trimmed()), ourChoice));
    row("(b) simulated bisect: mean step", QStringLiteral("-"), secs(meanStep),
        QStringLiteral("%1 steps, culprit %2")
            .arg(stepTimes.size())
            .arg(foundCulprit ? "found" : "NOT FOUND"));
    row("(b) simulated bisect: max step", QStringLiteral("-"), secs(maxStep));
    std::printf("  %s\n", QByteArray(90, '-').constData());
    std::printf("  (c) CommitDag::memoryBytes(): %.1f MiB, %.1f bytes/commit\n",
                static_cast<double>(dag->memoryBytes()) / 1048576.0,
                static_cast<double>(dag->memoryBytes()) / std::max(1, dag->size()));
    std::printf("  (c) peak RSS: %.0f MiB after the graph loads, %.0f MiB after the bisect, %.0f "
                "MiB at the end\n",
                rssAfterLoad, rssAfterBisect, peakRssMiB());
    std::printf("  git rev-list --count main: %d\n", total);
    return sameChoice && foundCulprit && total == dag->size() ? 0 : 2;
}
