#pragma once

#include "models/CommitDag.h"
#include "models/Oid.h"
#include "models/Result.h"

#include <QFuture>
#include <QString>

#include <functional>
#include <vector>

namespace bw::git {

class Repository;

struct DagLoadOptions {
    // Read git's commit-graph file(s) when present (the fast path); libgit2 reads only
    // the commits the graph does not cover.
    bool useCommitGraph = true;
    // The progress callback is called every this many loaded commits, and with the total.
    int progressInterval = 65536;
};

// How a load went, for the benchmark and the activity log.
struct DagLoadStats {
    int fromGraph = 0;       // commits read from the commit-graph
    int fromObjects = 0;     // commits read with libgit2 (not in the graph, or no graph)
    int graphLayers = 0;     // layers of the commit-graph used (0: none)
    QString graphProblem;    // why a present commit-graph was not used (corrupt…)
    double seconds = 0;      // the whole load
    double buildSeconds = 0; // of which CommitDag::build (sorting, indexing)
};

// Builds the CommitDag of every ancestor (all parents) of a set of tips. Grafts and
// replace refs are ignored; shallow clones are refused, since their boundary would
// silently turn into fake root commits.
class DagLoader {
public:
    static constexpr int ErrorCancelled = 499;
    static constexpr int ErrorShallow = 412;

    // `progress(loaded)` returning false cancels the load (an Error with ErrorCancelled).
    [[nodiscard]] static Result<CommitDag> load(Repository &repo, const std::vector<Oid> &tips,
                                                const DagLoadOptions &options = {},
                                                std::function<bool(int loaded)> progress = {},
                                                DagLoadStats *stats = nullptr);

    // Runs load() on a worker thread that opens its own Repository. Progress is the
    // number of loaded commits (no known maximum); cancelling the future stops the load.
    [[nodiscard]] static QFuture<Result<CommitDag>>
    loadAsync(QString repoPath, std::vector<Oid> tips, DagLoadOptions options = {});
};

} // namespace bw::git
