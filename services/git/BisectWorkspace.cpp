#include "services/git/BisectWorkspace.h"

#include "services/ServicesLogging.h"
#include "services/git/DagLoader.h"
#include "services/git/RepositoryPrivate.h"

#include <QElapsedTimer>
#include <QTimeZone>
#include <QtConcurrent/QtConcurrentRun>

namespace bw::git {

namespace {

// Subject, author and date of the newest commits and of every `wanted` one, where
// `texts` does not have them yet.
void fillTexts(const Repository &repo, const CommitDag &dag,
               const std::vector<CommitDag::Id> &wanted, std::vector<CommitText> &texts) {
    const auto newest = static_cast<std::size_t>(std::min(dag.size(), BisectWorkspace::TextLimit));
    if (texts.size() < newest)
        texts.resize(newest);
    auto read = [&](CommitDag::Id id) {
        if (!texts[id].subject.isEmpty())
            return;
        CommitPtr c;
        const git_oid g = toGit(dag.oid(id));
        if (git_commit_lookup(out(c), raw(repo), &g) < 0)
            return;
        CommitText &t = texts[id];
        if (const char *s = git_commit_summary(c.get()))
            t.subject = QString::fromUtf8(s);
        if (const git_signature *a = git_commit_author(c.get())) {
            t.author = QString::fromUtf8(a->name);
            t.date = QDateTime::fromSecsSinceEpoch(a->when.time, QTimeZone(a->when.offset * 60));
        }
    };
    for (std::size_t id = 0; id < newest; ++id)
        read(static_cast<CommitDag::Id>(id));
    for (CommitDag::Id id : wanted) {
        if (id >= texts.size())
            texts.resize(id + 1);
        read(id);
    }
}

// The annotations to draw, also while git asks for a merge base first (which is then
// the commit under test) or refuses the range (marks only).
BisectAnnotations annotate(const WorkspaceSnapshot &s) {
    if (s.outcome)
        return BisectAnnotations::compute(*s.dag, s.query, *s.outcome);
    BisectOutcome stand;
    if (s.mergeBase.kind == MergeBaseCheck::Kind::MustTest) {
        stand.kind = BisectOutcome::Kind::Next;
        stand.commit = s.mergeBase.base;
    } else {
        stand.kind = BisectOutcome::Kind::BothGoodAndBad;
        stand.commit = s.query.bad;
    }
    return BisectAnnotations::compute(*s.dag, s.query, stand);
}

// Branch and tag names as badges (tags peeled to their commit); HEAD when detached.
void addRefs(const Repository &repo, const CommitDag &dag, std::vector<CommitText> &texts) {
    for (CommitText &t : texts)
        t.refs.clear();
    auto add = [&](const Oid &oid, const QString &name) {
        const CommitDag::Id id = dag.find(oid);
        if (id == CommitDag::None)
            return;
        if (id >= texts.size())
            texts.resize(id + 1);
        texts[id].refs << name;
    };
    for (const char *glob : {"refs/heads/*", "refs/tags/*"}) {
        auto refs = repo.references(QString::fromLatin1(glob));
        if (!refs)
            continue;
        for (const auto &[name, oid] : *refs)
            add(oid, name.section(u'/', 2));
    }
    if (git_repository_head_detached(raw(repo)) == 1)
        if (auto head = repo.resolveCommit(QStringLiteral("HEAD")))
            add(*head, QStringLiteral("HEAD"));
}

} // namespace

BisectWorkspace::BisectWorkspace(QObject *parent)
    : QObject(parent) {
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &BisectWorkspace::finished);
}

BisectWorkspace::~BisectWorkspace() {
    m_queue.clear();
    m_watcher.waitForFinished();
}

Result<WorkspaceSnapshot> BisectWorkspace::load(const QString &path, const Action &actionFirst,
                                                CommandOutput *actionOutput,
                                                std::shared_ptr<const WorkspaceSnapshot> previous) {
    QElapsedTimer timer;
    timer.start();
    auto repo = Repository::open(path);
    if (!repo)
        return repo.error(); // the action did not run: actionOutput stays untouched
    GitBisect bisect(*repo);
    if (actionFirst) {
        CommandOutput o = actionFirst(bisect);
        if (actionOutput)
            *actionOutput = o;
    }
    GitBisectFiles files(*repo);
    auto state = files.read();
    if (!state)
        return state.error();

    WorkspaceSnapshot s;
    s.repoPath = repo->workDir().isEmpty() ? repo->gitDir() : repo->workDir();
    s.state = *state;
    s.bisecting =
        state->inProgress && state->bad.has_value() && state->namesLine.trimmed().isEmpty();
    std::vector<CommitDag::Id> wanted;
    if (s.bisecting) {
        const bool samePlace = previous && previous->repoPath == s.repoPath;
        std::shared_ptr<const CommitDag> reuse = samePlace ? previous->dag : nullptr;
        if (!reuse) {
            // Also what lies above the bad commit, up to where the bisect started, so
            // the eliminated part of the range stays in view.
            std::vector<Oid> tips{*state->bad};
            tips.insert(tips.end(), state->goods.begin(), state->goods.end());
            if (auto start = repo->resolveCommit(state->start))
                tips.push_back(*start);
            if (auto dag = DagLoader::load(*repo, tips))
                reuse = std::make_shared<const CommitDag>(std::move(dag).value());
        }
        auto ev = bisect.evaluate(*state, reuse);
        if (!ev)
            return ev.error();
        if (samePlace && ev->dag == previous->dag) {
            s.lanes = previous->lanes;
            s.texts = previous->texts;
        }
        s.summary = bisect.format(*ev);
        s.query = ev->query;
        s.mergeBase = ev->mergeBase;
        s.outcome = ev->outcome;
        s.dag = ev->dag;
        s.annotations = annotate(s);
        wanted = BisectEngine::candidates(*s.dag, s.query);
    } else {
        s.summary = bisect.next(); // no DAG to load: a status or an error message
        auto head = repo->resolveCommit(QStringLiteral("HEAD"));
        if (!head)
            return head.error();
        auto dag = DagLoader::load(*repo, {*head});
        if (!dag)
            return dag.error();
        s.dag = std::make_shared<const CommitDag>(std::move(dag).value());
    }
    if (!s.lanes)
        s.lanes = std::make_shared<const LaneLayout>(LaneLayout::compute(*s.dag));
    fillTexts(*repo, *s.dag, wanted, s.texts);
    addRefs(*repo, *s.dag, s.texts);
    s.loadSeconds = timer.elapsed() / 1000.0;
    qCInfo(bwGit) << "workspace loaded" << s.dag->size() << "commits in" << s.loadSeconds << "s";
    return s;
}

void BisectWorkspace::open(const QString &path) {
    m_path = path;
    // A fresh load: nothing is reused, so a changed history is seen.
    enqueue([path](std::shared_ptr<const WorkspaceSnapshot>) {
        return Outcome{load(path), std::nullopt, true};
    });
}

void BisectWorkspace::mark(MarkKind kind, const Oid &commit) {
    enqueueAction([kind, commit](GitBisect &bisect) { return bisect.mark(kind, commit); });
}

void BisectWorkspace::clearMarks(const Oid &commit) {
    enqueueAction([commit](GitBisect &bisect) { return bisect.clearMarks(commit); });
}

void BisectWorkspace::reset() {
    enqueueAction([](GitBisect &bisect) { return bisect.reset(); });
}

void BisectWorkspace::replay(const QString &logText) {
    enqueueAction([logText](GitBisect &bisect) { return bisect.replay(logText); });
}

void BisectWorkspace::enqueueAction(Action action) {
    const QString path = m_path;
    enqueue([path, action = std::move(action)](std::shared_ptr<const WorkspaceSnapshot> previous) {
        CommandOutput o;
        o.exitCode = -1; // stays so when the action could not run
        auto s = load(path, action, &o, std::move(previous));
        return Outcome{std::move(s), o.exitCode == -1 ? std::nullopt : std::optional(o), false};
    });
}

void BisectWorkspace::enqueue(Job job) {
    const bool wasBusy = isBusy();
    m_queue.push_back(std::move(job));
    if (!m_running)
        startNext();
    if (!wasBusy)
        emit busyChanged(true);
}

void BisectWorkspace::startNext() {
    if (m_queue.empty())
        return;
    auto job = std::move(m_queue.front());
    m_queue.pop_front();
    // Our own flag, not the watcher's: it turns false on the worker before finished()
    // reaches this thread, and a new future set in between would swallow that call.
    m_running = true;
    // The job gets the snapshot as it is when the job starts, after every earlier one.
    m_watcher.setFuture(QtConcurrent::run(std::move(job), m_snapshot));
}

void BisectWorkspace::finished() {
    m_running = false;
    Outcome result = m_watcher.result();
    if (result.markOutput)
        emit markRecorded(result.markOutput->out + result.markOutput->err,
                          result.markOutput->exitCode);
    if (result.snapshot) {
        m_snapshot = std::make_shared<const WorkspaceSnapshot>(std::move(result.snapshot).value());
        emit snapshotChanged();
    } else {
        if (result.isOpen)
            m_snapshot.reset(); // what is shown no longer belongs to the path asked for
        emit failed(result.snapshot.error().message());
    }
    startNext();
    if (!isBusy())
        emit busyChanged(false);
}

} // namespace bw::git
