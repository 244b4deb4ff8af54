#pragma once

#include "models/BisectEngine.h"
#include "models/BisectTypes.h"
#include "models/CommitDag.h"
#include "models/CommitGraphModel.h"
#include "models/LaneLayout.h"
#include "services/git/GitBisect.h"
#include "services/git/GitBisectFiles.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace bw::git {

// Everything a window shows of a repository's bisect, computed together on a worker
// thread and then shared read-only with the GUI.
struct WorkspaceSnapshot {
    QString repoPath;
    std::shared_ptr<const CommitDag> dag;
    std::shared_ptr<const LaneLayout> lanes; // graph lanes of `dag`, laid out once
    // Texts by DAG id; rows past `texts.size()` (very long histories) have none yet.
    std::vector<CommitText> texts;
    BisectFilesState state;
    bool bisecting = false; // a bisect is in progress and has a bad commit
    BisectQuery query;
    MergeBaseCheck mergeBase;
    std::optional<BisectOutcome> outcome;
    BisectAnnotations annotations; // per commit: marks, range, under test (worker-made)
    CommandOutput summary;         // what `git bisect next` prints for this state
    double loadSeconds = 0;
};

// A repository's bisect, kept in step with git's own state files: loading, marking and
// recomputing run off the GUI thread, one operation at a time, in the order asked.
class BisectWorkspace : public QObject {
    Q_OBJECT
public:
    // Texts are read for at most this many of the newest commits (and every candidate).
    static constexpr int TextLimit = 200000;

    explicit BisectWorkspace(QObject *parent = nullptr);
    ~BisectWorkspace() override;

    // Loads (or reloads) the repository containing `path`.
    void open(const QString &path);
    // `git bisect <term> <commit>` on the open repository, then a reload.
    void mark(MarkKind kind, const Oid &commit);
    // Takes back the commit's marks (GitBisect::clearMarks), then a reload.
    void clearMarks(const Oid &commit);
    // `git bisect reset` (GitBisect::reset), then a reload.
    void reset();
    // `git bisect replay` of a log's text (GitBisect::replay), then a reload.
    void replay(const QString &logText);

    [[nodiscard]] std::shared_ptr<const WorkspaceSnapshot> snapshot() const { return m_snapshot; }
    [[nodiscard]] bool isBusy() const { return m_running || !m_queue.empty(); }

    // The work itself, callable from any thread (it opens its own repository).
    // `previous` (the same repository's last snapshot) lends its DAG and lanes when they
    // still hold every marked commit: a verdict then repaints rows, never re-lays them.
    using Action = std::function<CommandOutput(GitBisect &)>;
    [[nodiscard]] static Result<WorkspaceSnapshot>
    load(const QString &path, const Action &actionFirst = {}, CommandOutput *actionOutput = nullptr,
         std::shared_ptr<const WorkspaceSnapshot> previous = {});

signals:
    void snapshotChanged();
    void markRecorded(const QString &output, int exitCode);
    void failed(const QString &message);
    void busyChanged(bool busy);

private:
    struct Outcome {
        Result<WorkspaceSnapshot> snapshot{Error{}};
        std::optional<CommandOutput> markOutput;
        bool isOpen = false; // a fresh open (its failure forgets the old snapshot)
    };
    using Job = std::function<Outcome(std::shared_ptr<const WorkspaceSnapshot>)>;
    void enqueue(Job job);
    void enqueueAction(Action action);
    void startNext();
    void finished();

    std::shared_ptr<const WorkspaceSnapshot> m_snapshot;
    QString m_path;
    std::deque<Job> m_queue;
    QFutureWatcher<Outcome> m_watcher;
    bool m_running = false;
};

} // namespace bw::git
