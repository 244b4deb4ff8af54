#include "services/git/DagLoader.h"

#include "services/ServicesLogging.h"
#include "services/git/CommitGraphFile.h"
#include "services/git/RepositoryPrivate.h"

#include <QDir>
#include <QElapsedTimer>
#include <QPromise>
#include <QtConcurrent/QtConcurrentRun>

#include <unordered_map>

namespace bw::git {

namespace {

constexpr std::uint32_t None = UINT32_MAX;

// One breadth-first walk from the tips. Every commit gets its input index when first
// seen; commits are then processed in index order, so parentOffsets can be appended.
// A commit is identified by its graph position when the graph has it (parents of a
// graph commit are always in the graph), otherwise by its oid.
class Walk {
public:
    Walk(git_repository *repo, const CommitGraphFile *graph, const DagLoadOptions &options,
         const std::function<bool(int)> &progress)
        : m_repo(repo)
        , m_graph(graph)
        , m_progress(progress)
        , m_interval(std::max(1, options.progressInterval)) {
        if (m_graph)
            m_graphIndex.assign(m_graph->count(), None);
        m_in.parentOffsets.push_back(0);
    }

    Status addTip(const Oid &oid) {
        discover(oid);
        return okStatus();
    }

    Status run() {
        std::vector<std::uint32_t> graphParents;
        for (std::uint32_t i = 0; i < m_in.oids.size(); ++i) {
            if (const std::uint32_t pos = m_graphPos[i]; pos != None) {
                m_graph->parents(pos, graphParents);
                for (std::uint32_t p : graphParents)
                    m_in.parents.push_back(discoverInGraph(p));
                ++m_fromGraph;
            } else if (Status s = readObject(i); !s) {
                return s;
            }
            m_in.parentOffsets.push_back(static_cast<std::uint32_t>(m_in.parents.size()));
            if ((i + 1) % static_cast<std::uint32_t>(m_interval) == 0 && !report(int(i + 1)))
                return cancelled();
        }
        const auto loaded = static_cast<std::uint32_t>(m_in.oids.size());
        if (loaded % static_cast<std::uint32_t>(m_interval) != 0 && !report(int(loaded)))
            return cancelled();
        return okStatus();
    }

    CommitDag::Input &input() { return m_in; }
    int fromGraph() const { return m_fromGraph; }
    int fromObjects() const { return m_fromObjects; }

private:
    bool report(int loaded) const { return !m_progress || m_progress(loaded); }
    static Error cancelled() {
        return Error{QStringLiteral("loading the history was cancelled"),
                     DagLoader::ErrorCancelled};
    }

    std::uint32_t discoverInGraph(std::uint32_t pos) {
        std::uint32_t &index = m_graphIndex[pos];
        if (index == None) {
            index = static_cast<std::uint32_t>(m_in.oids.size());
            m_in.oids.push_back(m_graph->oid(pos));
            m_in.times.push_back(m_graph->commitTime(pos));
            m_graphPos.push_back(pos);
        }
        return index;
    }

    std::uint32_t discover(const Oid &oid) {
        if (m_graph)
            if (auto pos = m_graph->position(oid))
                return discoverInGraph(*pos);
        auto [it, inserted] =
            m_objectIndex.try_emplace(oid, static_cast<std::uint32_t>(m_in.oids.size()));
        if (inserted) {
            m_in.oids.push_back(oid);
            m_in.times.push_back(0); // read when processed
            m_graphPos.push_back(None);
        }
        return it->second;
    }

    Status readObject(std::uint32_t i) {
        const Oid oid = m_in.oids[i];
        const git_oid g = toGit(oid);
        CommitPtr commit;
        if (int rc = git_commit_lookup(out(commit), m_repo, &g); rc < 0)
            return lastError(QStringLiteral("cannot read commit %1").arg(oid.toString()), rc);
        m_in.times[i] = git_commit_time(commit.get());
        const unsigned n = git_commit_parentcount(commit.get());
        for (unsigned k = 0; k < n; ++k) {
            const Oid parent = fromGit(git_commit_parent_id(commit.get(), k));
            m_in.parents.push_back(discover(parent));
        }
        ++m_fromObjects;
        return okStatus();
    }

    git_repository *m_repo;
    const CommitGraphFile *m_graph;
    const std::function<bool(int)> &m_progress;
    int m_interval;
    CommitDag::Input m_in;
    std::vector<std::uint32_t> m_graphPos;   // input index → graph position or None
    std::vector<std::uint32_t> m_graphIndex; // graph position → input index or None
    std::unordered_map<Oid, std::uint32_t, OidHash> m_objectIndex;
    int m_fromGraph = 0;
    int m_fromObjects = 0;
};

Result<CommitDag> walk(Repository &repo, const CommitGraphFile *graph, const std::vector<Oid> &tips,
                       const DagLoadOptions &options, const std::function<bool(int)> &progress,
                       DagLoadStats &stats) {
    Walk w(raw(repo), graph, options, progress);
    for (const Oid &tip : tips)
        if (Status s = w.addTip(tip); !s)
            return s.error();
    if (Status s = w.run(); !s)
        return s.error();
    stats.fromGraph = w.fromGraph();
    stats.fromObjects = w.fromObjects();
    QElapsedTimer timer;
    timer.start();
    auto dag = CommitDag::build(std::move(w.input()));
    stats.buildSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    if (!dag)
        return Error{QStringLiteral("the history read from %1 has a cycle")
                         .arg(graph ? QStringLiteral("the commit-graph")
                                    : QStringLiteral("the commit objects"))};
    return std::move(*dag);
}

} // namespace

Result<CommitDag> DagLoader::load(Repository &repo, const std::vector<Oid> &tips,
                                  const DagLoadOptions &options,
                                  std::function<bool(int loaded)> progress, DagLoadStats *stats) {
    QElapsedTimer timer;
    timer.start();
    DagLoadStats local;
    DagLoadStats &st = stats ? *stats : local;
    st = DagLoadStats{};

    if (repo.isShallow()) {
        const QString where = repo.isBare() ? repo.gitDir() : repo.workDir();
        return Error{QStringLiteral("%1 is a shallow clone: it cannot be bisected reliably; run "
                                    "`git fetch --unshallow` first")
                         .arg(QDir::toNativeSeparators(QDir::cleanPath(where))),
                     ErrorShallow};
    }
    for (const Oid &tip : tips) {
        const git_oid g = toGit(tip);
        CommitPtr commit;
        if (int rc = git_commit_lookup(out(commit), raw(repo), &g); rc < 0)
            return lastError(
                QStringLiteral("commit %1 is not in the repository").arg(tip.toString()), rc);
    }

    std::optional<CommitGraphFile> graph;
    if (options.useCommitGraph) {
        auto opened = CommitGraphFile::open(repo.commonDir() + QStringLiteral("objects"));
        if (opened) {
            graph = std::move(opened).value();
        } else if (!CommitGraphFile::isAbsent(opened.error())) {
            st.graphProblem = opened.error().message();
            qCWarning(bwGit).noquote() << st.graphProblem << "- reading commit objects instead";
        }
    }

    Result<CommitDag> dag = walk(repo, graph ? &*graph : nullptr, tips, options, progress, st);
    if (graph && dag)
        st.graphLayers = graph->layerCount();
    if (graph && !dag && dag.error().code != ErrorCancelled) {
        // A graph that passed validation but describes an impossible history: trust the
        // objects instead.
        st.graphProblem = dag.error().message();
        qCWarning(bwGit).noquote() << st.graphProblem << "- reading commit objects instead";
        dag = walk(repo, nullptr, tips, options, progress, st);
    }
    st.seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    if (dag)
        qCDebug(bwGit) << "loaded" << dag->size() << "commits in" << st.seconds
                       << "s:" << st.fromGraph << "from the commit-graph," << st.fromObjects
                       << "from objects";
    return dag;
}

QFuture<Result<CommitDag>> DagLoader::loadAsync(QString repoPath, std::vector<Oid> tips,
                                                DagLoadOptions options) {
    return QtConcurrent::run(
        [](QPromise<Result<CommitDag>> &promise, const QString &path, const std::vector<Oid> &tips,
           const DagLoadOptions &options) {
            // One native handle, one owning thread: this worker opens its own repository.
            auto repo = Repository::open(path);
            if (!repo) {
                promise.addResult(Result<CommitDag>(repo.error()));
                return;
            }
            auto progress = [&promise](int loaded) {
                promise.setProgressValue(loaded);
                return !promise.isCanceled();
            };
            promise.addResult(load(*repo, tips, options, progress));
        },
        std::move(repoPath), std::move(tips), std::move(options));
}

} // namespace bw::git
