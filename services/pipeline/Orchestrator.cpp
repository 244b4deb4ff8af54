#include "services/pipeline/Orchestrator.h"

#include "models/BisectEngine.h"
#include "models/BisectLog.h"
#include "models/FlakyEngine.h"
#include "services/ServicesLogging.h"
#include "services/git/GitBisect.h"
#include "services/git/GitBisectFiles.h"
#include "services/git/Repository.h"
#include "services/git/StaleLocks.h"
#include "services/pipeline/SessionDirectory.h"
#include "services/pipeline/StepRunner.h"
#include "services/process/CancelToken.h"
#include "services/recipe/RecipeLoader.h"
#include "services/store/SessionStore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QPointer>
#include <QtConcurrent>

#include <set>

namespace bw::pipeline {

namespace {

// Forwards a step's progress from its worker thread to the orchestrator's thread. The
// orchestrator outlives every worker (its destructor cancels and waits), so posting to
// it is safe; events still queued when it goes are dropped by Qt.
class Forwarder final : public StepObserver {
public:
    Forwarder(Orchestrator *target, int number)
        : m_target(target)
        , m_number(number) {}
    void stageStarted(StageKind stage) override {
        QMetaObject::invokeMethod(
            m_target, [t = m_target, n = m_number, stage] { emit t->stageStarted(n, stage); },
            Qt::QueuedConnection);
    }
    void stageFinished(const StageResult &r) override {
        QMetaObject::invokeMethod(
            m_target, [t = m_target, n = m_number, r] { emit t->stageFinished(n, r); },
            Qt::QueuedConnection);
    }
    void output(LogKind log, const QByteArray &chunk) override {
        QMetaObject::invokeMethod(
            m_target, [t = m_target, n = m_number, log, chunk] { emit t->output(n, log, chunk); },
            Qt::QueuedConnection);
    }

private:
    Orchestrator *m_target;
    int m_number;
};

QString defaultSessionDir(const QString &repository) {
    QString state = qEnvironmentVariable("XDG_STATE_HOME");
    if (state.isEmpty())
        state = QDir::homePath() + QStringLiteral("/.local/state");
    const QString name = QFileInfo(repository).fileName();
    return QStringLiteral("%1/bisect-workbench/sessions/%2-%3")
        .arg(state, name.isEmpty() ? QStringLiteral("repo") : name,
             QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
}

QString kindWord(const Terms &t, MarkKind k) {
    return t.termFor(k);
}

// Whether a running step at `commit` still says something new: it is an unmarked
// candidate of the range git's state describes now.
bool worthTesting(const git::BisectEvaluation &ev, const Oid &commit) {
    if (!ev.outcome || ev.outcome->kind != BisectOutcome::Kind::Next)
        return false;
    const CommitDag::Id id = ev.dag->find(commit);
    if (id == CommitDag::None)
        return false;
    const auto contains = [](const std::vector<CommitDag::Id> &v, CommitDag::Id x) {
        return std::find(v.begin(), v.end(), x) != v.end();
    };
    if (id == ev.query.bad || contains(ev.query.goods, id) || contains(ev.query.skips, id))
        return false;
    return contains(BisectEngine::candidates(*ev.dag, ev.query), id);
}

// The command as `git bisect run` shows it: sq_quote_argv, each word with a space first.
QString gitQuoted(const CommandSpec &command) {
    return command.form == CommandSpec::Form::Argv ? shellQuoteArgs(command.argv)
                                                   : shellQuoteArgs({command.shell});
}

} // namespace

Orchestrator::Orchestrator(QObject *parent)
    : QObject(parent) {
    m_pool.setMaxThreadCount(1);
}

Orchestrator::~Orchestrator() {
    for (const auto &slot : m_slots)
        if (slot->cancel)
            slot->cancel->cancel();
    m_pool.waitForDone();
}

bool Orchestrator::isFlaky() const {
    return m_options.recipe.bisect.mode == BisectMode::Flaky;
}

QString Orchestrator::workerName(int worker) const {
    const auto &list = m_options.recipe.workers;
    if (worker >= 0 && worker < int(list.size()) && !list[std::size_t(worker)].name.isEmpty())
        return list[std::size_t(worker)].name;
    return QStringLiteral("worker %1").arg(worker + 1);
}

Orchestrator::Slot *Orchestrator::freeSlot() {
    for (const auto &slot : m_slots)
        if (!slot->busy)
            return slot.get();
    return nullptr;
}

int Orchestrator::busyCount() const {
    return int(
        std::count_if(m_slots.begin(), m_slots.end(), [](const auto &slot) { return slot->busy; }));
}

bool Orchestrator::isRunning(const Oid &commit) const {
    return std::any_of(m_slots.begin(), m_slots.end(),
                       [&](const auto &slot) { return slot->busy && slot->commit == commit; });
}

void Orchestrator::cancelBusy(const QString &reason) {
    for (const auto &slot : m_slots)
        if (slot->busy && !slot->obsolete) {
            slot->obsolete = true;
            slot->cancelReason = reason;
            slot->cancel->cancel();
        }
}

int Orchestrator::exitCodeFor(Ending ending) {
    switch (ending) {
    case Ending::Found:
        return 0;
    case Ending::OnlySkipped:
        return 2;
    default:
        return 1;
    }
}

QString Orchestrator::sessionDir() const {
    return m_session ? m_session->path() : QString();
}

QString Orchestrator::subjectOf(const Oid &commit) const {
    return m_repo ? m_repo->subject(commit) : QString();
}

Status Orchestrator::start(const SessionOptions &options) {
    if (m_state == State::Running)
        return Error{QStringLiteral("a session is already running")};
    m_options = options;
    auto repo = git::Repository::open(options.repositoryPath);
    if (!repo)
        return repo.error();
    m_repo = std::make_unique<git::Repository>(std::move(repo).value());
    if (m_repo->isBare())
        return Error{QStringLiteral("%1 is a bare repository: the steps need a work tree to check "
                                    "commits out from")
                         .arg(options.repositoryPath)};
    const QString workTree = QDir(m_repo->workDir()).absolutePath();
    m_bisect = std::make_unique<git::GitBisect>(*m_repo);

    QString dir = options.sessionDir.isEmpty() ? defaultSessionDir(workTree) : options.sessionDir;
    auto session = SessionDirectory::open(dir);
    if (!session)
        return session.error();
    m_session = std::make_unique<SessionDirectory>(std::move(session).value());

    Recipe &recipe = m_options.recipe;
    if (Status s = StepRunner::supports(recipe); !s)
        return s;
    if (recipe.bisect.mode == BisectMode::Flaky) {
        if (const QString why = FlakyParams::fromRecipe(recipe.bisect).validate(); !why.isEmpty())
            return Error{QStringLiteral("bisect.mode = \"flaky\": %1").arg(why)};
    }
    const int listed = int(recipe.workers.size());
    const int workers = options.workers > 0 ? options.workers : std::max(1, listed);
    if (workers > 64)
        return Error{QStringLiteral("%1 workers: at most 64 steps can run at once").arg(workers)};
    if (listed > 0 && workers > listed)
        return Error{QStringLiteral("%1 workers, but the recipe lists only %2 [[worker]] "
                                    "entries: add one per worker, or ask for fewer")
                         .arg(workers)
                         .arg(listed)};
    if (workers > 1 && recipe.checkout != CheckoutMode::Worktree)
        return Error{QStringLiteral("%1 workers need checkout mode \"worktree\": each worker "
                                    "checks its commit out in a worktree of its own")
                         .arg(workers)};
    m_terms = Terms{recipe.bisect.termNew, recipe.bisect.termOld};

    SessionInfo info;
    const bool resuming = m_session->hasSession();
    if (resuming) {
        auto old = m_session->readInfo();
        if (!old)
            return old.error();
        info = *old;
        if (info.status == u"finished")
            return Error{QStringLiteral("the session in %1 is finished (%2); give a new --session "
                                        "directory to start another")
                             .arg(m_session->path(), info.message)};
        if (QFileInfo(info.repository).canonicalFilePath() !=
            QFileInfo(workTree).canonicalFilePath())
            return Error{QStringLiteral("the session in %1 belongs to %2, not to %3")
                             .arg(m_session->path(), info.repository, workTree)};
        git::GitBisectFiles files(*m_repo);
        auto state = files.read();
        if (!state)
            return state.error();
        if (!state->inProgress)
            return Error{QStringLiteral("the session in %1 is unfinished, but %2 has no bisect in "
                                        "progress any more (was `git bisect reset` run?)")
                             .arg(m_session->path(), workTree)};
        m_terms = state->terms;
        removeStaleBisectLocks();
        auto journal = m_session->readJournal();
        if (!journal)
            return journal.error();
        for (const JournalEntry &e : *journal) {
            m_steps.push_back(e.step);
            m_lastNumber = std::max(m_lastNumber, e.step.number);
        }
        if (Status s = reconcileJournal(); !s)
            return s;
        emit progress(QStringLiteral("Resuming the session in %1 after step %2\n")
                          .arg(m_session->path())
                          .arg(m_lastNumber));
    } else if (options.adopt) {
        // A bisect started on the command line: its marks and terms stay as they are.
        git::GitBisectFiles files(*m_repo);
        auto state = files.read();
        if (!state)
            return state.error();
        if (!state->inProgress)
            return Error{
                QStringLiteral("there is no bisect in progress in %1 to continue").arg(workTree)};
        m_terms = state->terms;
        if (!state->bad)
            return Error{QStringLiteral("the bisect in progress in %1 has no %2 commit yet: mark "
                                        "one (git bisect %2 REV) and continue it then")
                             .arg(workTree, m_terms.bad)};
        if (auto ev = m_bisect->evaluateCurrent(); !ev)
            return ev.error();
        QStringList args;
        for (const QString &line : state->log.split(u'\n'))
            if (line.startsWith(QLatin1String("git bisect start"))) {
                for (QString word : line.mid(16).split(u' ', Qt::SkipEmptyParts)) {
                    if (word.size() >= 2 && word.startsWith(u'\'') && word.endsWith(u'\''))
                        word = word.mid(1, word.size() - 2);
                    args << word;
                }
                break;
            }
        if (Status s = describeNewSession(info, workTree, args); !s)
            return s;
        emit progress(QStringLiteral("Continuing the bisect in progress in %1 (%2 %3, %4 %5)\n")
                          .arg(workTree, m_terms.bad, state->bad->toString().left(12), m_terms.good)
                          .arg(state->goods.size()));
    } else {
        if (options.bad.isEmpty() || options.goods.isEmpty())
            return Error{QStringLiteral("a %1 and at least one %2 revision are needed")
                             .arg(m_terms.bad, m_terms.good)};
        std::vector<Oid> endpoints;
        for (const QString &rev : QStringList{options.bad} + options.goods) {
            auto oid = m_repo->resolveCommit(rev);
            if (!oid)
                return Error{
                    QStringLiteral("'%1' is not a commit of %2 (%3)")
                        .arg(rev, workTree, rev == options.bad ? m_terms.bad : m_terms.good),
                    1, oid.error().message()};
            endpoints.push_back(*oid);
        }
        QStringList args;
        if (recipe.checkout != CheckoutMode::InPlace)
            args << QStringLiteral("--no-checkout");
        if (recipe.bisect.firstParent || options.firstParent)
            args << QStringLiteral("--first-parent");
        if (!m_terms.isDefault())
            args << QStringLiteral("--term-new=%1").arg(m_terms.bad)
                 << QStringLiteral("--term-old=%1").arg(m_terms.good);
        args << options.bad << options.goods;
        const git::CommandOutput out = m_bisect->start(args);
        if (out.exitCode != 0 || !m_bisect->evaluateCurrent()) {
            QString why = (out.err + out.out).trimmed();
            git::GitBisectFiles files(*m_repo);
            (void)files.reset(); // like git: a start whose selection fails leaves no bisect
            return Error{why.isEmpty() ? QStringLiteral("git bisect start failed") : why};
        }
        if (recipe.bisect.checkEndpoints)
            for (std::size_t i = 0; i < endpoints.size(); ++i)
                m_endpointQueue.emplace_back(endpoints[i], i == 0 ? MarkKind::Bad : MarkKind::Good);
        if (Status s = describeNewSession(info, workTree, args); !s)
            return s;
        emit progress(out.out + out.err);
    }
    info.status = QStringLiteral("running");
    info.message.clear();
    if (Status s = m_session->writeInfo(info); !s)
        return s;

    StepContext context;
    context.recipe = recipe;
    context.repositoryPath = workTree;
    context.sessionDir = m_session->path();
    context.worktreePath = m_session->worktreePath();
    // One worktree name per session directory, stable across resumes.
    context.worktreeName = QStringLiteral("bisect-workbench-") +
                           QString::fromLatin1(QCryptographicHash::hash(m_session->path().toUtf8(),
                                                                        QCryptographicHash::Sha1)
                                                   .toHex()
                                                   .left(10));
    // Several workers without a [[worker]] list share the recipe's one machine (a VM, an
    // SSH host): they build at once, and the machine tests one commit at a time.
    const bool usesMachine =
        recipe.deploy.kind != DeployKind::None || recipe.wait.kind != WaitKind::None ||
        recipe.test.kind == TestKind::RemoteCommand || recipe.test.kind == TestKind::Transfer;
    std::shared_ptr<QSemaphore> machine;
    if (workers > 1 && listed == 0 && usesMachine) {
        machine = std::make_shared<QSemaphore>(1);
        emit progress(QStringLiteral("%1 workers share one machine: they check out and build "
                                     "at once, and the machine tests one commit at a time\n")
                          .arg(workers));
    }
    m_slots.clear();
    for (int i = 0; i < workers; ++i) {
        StepContext c = context;
        c.machine = machine;
        c.recipe = recipe.forWorker(i);
        if (i > 0) { // the first worker keeps the session's worktree of one-worker sessions
            c.worktreePath += QStringLiteral("-%1").arg(i + 1);
            c.worktreeName += QStringLiteral("-%1").arg(i + 1);
        }
        auto slot = std::make_unique<Slot>();
        slot->index = i;
        slot->runner = std::make_shared<StepRunner>(c);
        slot->watcher = std::make_unique<QFutureWatcher<StepRecord>>();
        Slot *raw = slot.get();
        connect(raw->watcher.get(), &QFutureWatcher<StepRecord>::finished, this,
                [this, raw] { stepDone(*raw, raw->watcher->result()); });
        m_slots.push_back(std::move(slot));
    }
    m_pool.setMaxThreadCount(workers);
    m_flaky.reset();
    m_concludeRequested = false;
    if (isFlaky()) {
        if (recipe.bisect.checkEndpoints || recipe.bisect.confirmCulprit > 0)
            emit progress(QStringLiteral(
                "Flaky mode: check_endpoints and confirm_culprit are not used; the posterior "
                "already weighs every run, the endpoints' too\n"));
        m_endpointQueue.clear();
    }
    if (workers > 1)
        emit progress(QStringLiteral("Testing up to %1 commits at once\n").arg(workers));
    keepBisectLog();
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
    m_state = State::Running;
    QMetaObject::invokeMethod(this, &Orchestrator::scheduleNext, Qt::QueuedConnection);
    return okStatus();
}

void Orchestrator::removeStaleBisectLocks() {
    // A run killed while git's bisect state was being written leaves a `.lock` beside the
    // file (refs/bisect/*, BISECT_*), and every later write fails on it, as git's would.
    // Only the bisect's own files are looked at.
    const QStringList removed = git::removeStaleLocks(
        {{m_repo->gitDir(), QStringLiteral("BISECT_*.lock")},
         {m_repo->gitDir() + QStringLiteral("refs/bisect"), QStringLiteral("*.lock")},
         {m_repo->commonDir() + QStringLiteral("refs/bisect"), QStringLiteral("*.lock")}});
    for (const QString &path : removed)
        emit progress(QStringLiteral("Removed a stale lock left by a killed run: %1\n").arg(path));
}

Status Orchestrator::describeNewSession(SessionInfo &info, const QString &workTree,
                                        const QStringList &startArgs) {
    const Recipe &recipe = m_options.recipe;
    info.repository = workTree;
    info.recipeFile = m_session->recipePath();
    info.startArgs = startArgs;
    info.worktree =
        recipe.checkout == CheckoutMode::Worktree ? m_session->worktreePath() : workTree;
    info.createdMs = QDateTime::currentMSecsSinceEpoch();
    return m_session->writeRecipe(recipe::RecipeLoader::toToml(recipe));
}

Status Orchestrator::reconcileJournal() {
    // The journal is written before git's state: a verdict journaled but missing from
    // BISECT_LOG (a crash in between) is applied now, so none is lost or doubled.
    git::GitBisectFiles files(*m_repo);
    auto state = files.read();
    if (!state)
        return state.error();
    auto entries = m_session->readJournal();
    if (!entries)
        return entries.error();
    auto overrides = m_session->store().overrides(m_session->sessionId());
    if (!overrides)
        return overrides.error();
    // The last override of each commit, and when it was made.
    std::map<Oid, const store::OverrideRow *> lastOverride;
    for (const store::OverrideRow &o : *overrides)
        lastOverride[o.commit] = &o;
    for (const JournalEntry &e : *entries) {
        if (!e.mark)
            continue;
        if (auto o = lastOverride.find(e.step.commit);
            o != lastOverride.end() && o->second->createdMs >= e.step.finishedMs)
            continue; // overridden by hand since: the override decides below
        const QString line = QStringLiteral("git bisect %1 %2\n")
                                 .arg(kindWord(m_terms, *e.mark), e.step.commit.toString());
        if (state->log.contains(line))
            continue;
        qCInfo(bwPipeline) << "re-applying journaled verdict of step" << e.step.number;
        const git::CommandOutput out = m_bisect->mark(*e.mark, e.step.commit);
        if (out.exitCode != 0 && out.exitCode != 2)
            return Error{QStringLiteral("cannot re-apply step %1's verdict").arg(e.step.number), 1,
                         out.err.trimmed()};
        state = files.read();
        if (!state)
            return state.error();
    }
    // An override stored but not applied (a crash in between) is applied now.
    for (const auto &[commit, o] : lastOverride) {
        std::optional<MarkKind> now;
        if (state->bad == commit)
            now = MarkKind::Bad;
        else if (std::find(state->goods.begin(), state->goods.end(), commit) != state->goods.end())
            now = MarkKind::Good;
        else if (std::find(state->skips.begin(), state->skips.end(), commit) != state->skips.end())
            now = MarkKind::Skip;
        if (now == o->after)
            continue;
        qCInfo(bwPipeline) << "re-applying the override of" << commit.toString();
        if (now && now != MarkKind::Bad)
            (void)m_bisect->clearMarks(commit);
        if (o->after) {
            const git::CommandOutput out = m_bisect->mark(*o->after, commit);
            if (out.exitCode != 0 && out.exitCode != 2)
                return Error{QStringLiteral("cannot re-apply the override of %1")
                                 .arg(commit.toString().left(12)),
                             1, out.err.trimmed()};
        }
        state = files.read();
        if (!state)
            return state.error();
    }
    return okStatus();
}

void Orchestrator::stop() {
    m_stopRequested = true;
    if (busyCount() > 0) {
        for (const auto &slot : m_slots)
            if (slot->busy)
                slot->cancel->cancel();
        return; // stepDone() finishes
    }
    if (m_state == State::Running || m_state == State::Paused)
        finish(Ending::Stopped, QStringLiteral("stopped"));
}

std::optional<Oid> Orchestrator::runningCommit() const {
    for (const auto &slot : m_slots)
        if (slot->busy)
            return slot->commit;
    return std::nullopt;
}

std::vector<Oid> Orchestrator::runningCommits() const {
    std::vector<Oid> out;
    for (const auto &slot : m_slots)
        if (slot->busy)
            out.push_back(slot->commit);
    return out;
}

Status Orchestrator::overrideMark(const Oid &commit, std::optional<MarkKind> mark,
                                  const QString &reason) {
    if (!m_session || !m_bisect)
        return Error{QStringLiteral("no session is open")};
    git::GitBisectFiles files(*m_repo);
    auto state = files.read();
    if (!state)
        return state.error();
    if (!state->inProgress)
        return Error{QStringLiteral("the bisect is over (git bisect reset was run): nothing can be "
                                    "changed any more")};
    std::optional<MarkKind> before;
    if (state->bad == commit)
        before = MarkKind::Bad;
    else if (std::find(state->goods.begin(), state->goods.end(), commit) != state->goods.end())
        before = MarkKind::Good;
    else if (std::find(state->skips.begin(), state->skips.end(), commit) != state->skips.end())
        before = MarkKind::Skip;
    if (before == mark)
        return okStatus();
    if (before == MarkKind::Bad) {
        // Taking back a bad mark falls back to the previous bad commit; without one there
        // would be no range left.
        bool otherBad = false;
        if (auto entries = parseBisectLog(state->log)) {
            for (const BisectLogEntry &e : *entries) {
                QString rev;
                if (e.kind == BisectLogEntry::Kind::Start) {
                    auto args = parseStartArgs(e.startArgs, [&](const QString &r) {
                        return m_repo->resolveCommit(r).ok();
                    });
                    otherBad = false; // a start replaces everything before it
                    if (args && !args->revs.isEmpty())
                        rev = args->revs.front();
                } else if (e.kind == BisectLogEntry::Kind::Mark && e.term == m_terms.bad) {
                    rev = e.rev;
                }
                if (!rev.isEmpty())
                    if (auto oid = m_repo->resolveCommit(rev); oid && *oid != commit)
                        otherBad = true;
            }
        }
        if (!otherBad)
            return Error{
                QStringLiteral("%1 is the only %2 commit of the range: mark another commit "
                               "%2 first")
                    .arg(commit.toString().left(12), m_terms.bad)};
    }

    store::OverrideRow row;
    row.commit = commit;
    row.before = before;
    row.after = mark;
    row.reason = reason;
    row.createdMs = QDateTime::currentMSecsSinceEpoch();
    // Recorded before git's state changes: a crash in between is repaired on resume.
    if (auto id = m_session->store().recordOverride(m_session->sessionId(), row); !id)
        return Error{QStringLiteral("the override could not be recorded; nothing was changed"), 1,
                     id.error().message()};
    if (before) {
        const git::CommandOutput out = m_bisect->clearMarks(commit);
        if (out.exitCode != 0 && out.exitCode != 2)
            return Error{
                QStringLiteral("cannot take back the mark of %1").arg(commit.toString().left(12)),
                1, (out.err + out.out).trimmed()};
    }
    if (mark) {
        const git::CommandOutput out = m_bisect->mark(*mark, commit);
        if (out.exitCode != 0 && out.exitCode != 2)
            return Error{QStringLiteral("cannot mark %1 %2")
                             .arg(commit.toString().left(12), m_terms.termFor(*mark)),
                         1, (out.err + out.out).trimmed()};
    }
    keepBisectLog();
    const QString description =
        QStringLiteral("%1: %2 → %3%4")
            .arg(commit.toString().left(12),
                 before ? m_terms.termFor(*before) : QStringLiteral("unmarked"),
                 mark ? m_terms.termFor(*mark) : QStringLiteral("unmarked"),
                 reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason));
    emit progress(QStringLiteral("Override %1\n").arg(description));
    emit overridden(commit, description);
    emit marksChanged();

    if (isFlaky()) {
        // The override is certain knowledge: the posterior starts again from the new marks
        // (the runs at the overridden commit give way to it). Running steps stay useful.
        m_flaky.reset();
        if (Status s = rebuildFlaky(); !s)
            qCWarning(bwPipeline) << "cannot rebuild the posterior:" << s.error().message();
        emit flakyUpdated();
    } else if (busyCount() > 0) {
        // A running bisect step is still worth it only while its commit is an unmarked
        // candidate of the new range; stepDone() goes on with the new range.
        auto ev = m_bisect->evaluateCurrent();
        for (const auto &slot : m_slots)
            if (slot->busy && slot->purpose == StepPurpose::Bisect && !slot->obsolete &&
                (!ev || !worthTesting(*ev, slot->commit))) {
                slot->obsolete = true;
                slot->cancelReason = QStringLiteral("an override took %1 out of the range")
                                         .arg(slot->commit.toString().left(12));
                slot->cancel->cancel();
            }
    }
    if (m_state == State::Finished) {
        // The result may have changed: the session can go on from the new range.
        m_culprit.reset();
        m_confirmQueue.clear();
        m_confirmFailures.clear();
        m_stopRequested = false;
        pause(QStringLiteral("an override changed the range: resume to go on"));
    }
    return okStatus();
}

void Orchestrator::resume(bool oneStep) {
    if (m_state != State::Paused)
        return;
    m_pauseAfterStep = oneStep;
    m_attempts.clear();
    m_state = State::Running;
    writeStatus(QStringLiteral("running"), {});
    scheduleNext();
}

void Orchestrator::scheduleNext() {
    const int busy = busyCount();
    if (m_concludeRequested && m_state != State::Finished) {
        if (busy == 0)
            finishFlaky(true);
        return;
    }
    if (m_state != State::Running)
        return;
    if (m_stopRequested) {
        if (busy == 0)
            finish(Ending::Stopped, QStringLiteral("stopped"));
        return;
    }
    if (m_pauseAfterStep) {
        if (busy == 0)
            pause(QStringLiteral("paused after step %1, as asked").arg(m_lastNumber));
        return;
    }
    if (busy == int(m_slots.size()) || m_awaitingGoodCheck)
        return;
    // Checks run alone, one after the other.
    if (!m_endpointQueue.empty()) {
        if (busy == 0)
            runStep(m_endpointQueue.front().first, StepPurpose::Endpoint);
        return;
    }
    if (!m_confirmQueue.empty()) {
        if (busy == 0)
            runStep(m_confirmQueue.front().first, StepPurpose::Confirm);
        return;
    }
    if (isFlaky()) {
        scheduleFlaky();
        return;
    }
    auto ev = m_bisect->evaluateCurrent();
    if (!ev) {
        if (busy == 0)
            finish(Ending::Failed, ev.error().message());
        else
            cancelBusy(QStringLiteral("git's bisect state cannot be read"));
        return;
    }
    const CommitDag &dag = *ev->dag;
    switch (ev->mergeBase.kind) {
    case MergeBaseCheck::Kind::MustTest:
        if (busy == 0)
            runStep(dag.oid(ev->mergeBase.base), StepPurpose::Bisect);
        return;
    case MergeBaseCheck::Kind::BaseIsBad:
    case MergeBaseCheck::Kind::NotAncestors:
        if (busy == 0)
            finish(Ending::Failed, m_bisect->format(*ev).err.trimmed());
        else
            cancelBusy(QStringLiteral("the bisect cannot go on"));
        return;
    case MergeBaseCheck::Kind::AncestorsOk:
        break;
    }
    const BisectOutcome &outcome = *ev->outcome;
    if (outcome.kind != BisectOutcome::Kind::Next && busy > 0) {
        // Decided while other steps still run: they are no longer needed.
        cancelBusy(QStringLiteral("the bisect is decided without it"));
        return;
    }
    switch (outcome.kind) {
    case BisectOutcome::Kind::Next:
        if (m_slots.size() == 1)
            runStep(dag.oid(outcome.commit), StepPurpose::Bisect);
        else
            fillClassic(*ev);
        return;
    case BisectOutcome::Kind::FirstBad: {
        const Oid culprit = dag.oid(outcome.commit);
        const int n = m_options.recipe.bisect.confirmCulprit;
        if (n > 0 && !m_culprit) {
            m_culprit = culprit;
            for (int i = 0; i < n; ++i)
                m_confirmQueue.emplace_back(culprit, MarkKind::Bad);
            auto info = m_repo->commitInfo(culprit);
            if (info && !info->parents.empty())
                for (int i = 0; i < n; ++i)
                    m_confirmQueue.emplace_back(info->parents.front(), MarkKind::Good);
            emit progress(QStringLiteral("Confirming %1: %2 re-tests of it and of its parent\n")
                              .arg(culprit.toString())
                              .arg(n));
            scheduleNext();
            return;
        }
        m_culprit = culprit;
        if (!m_confirmFailures.isEmpty()) {
            finish(Ending::Failed,
                   QStringLiteral("%1 is where the bisect ended, but the re-tests disagree: %2")
                       .arg(culprit.toString(), m_confirmFailures.join(QStringLiteral("; "))));
            return;
        }
        int tested = 0, skipped = 0;
        for (const StepRecord &s : m_steps)
            if (s.purpose == StepPurpose::Bisect && s.classification.verdict != Verdict::Retry) {
                ++tested;
                skipped += s.classification.verdict == Verdict::Skip;
            }
        QString message =
            m_options.gitRunOutput
                ? QStringLiteral("bisect found first %1 commit").arg(m_terms.bad)
                : QStringLiteral("Found %1 after %2 tested commits (%3 skipped) in %4")
                      .arg(culprit.toString().left(12))
                      .arg(tested)
                      .arg(skipped)
                      .arg(formatDuration(QDateTime::currentMSecsSinceEpoch() - m_startedMs));
        if (n > 0)
            message += QStringLiteral(" (confirmed: %1 re-tests of it and its parent agree)")
                           .arg(m_confirmRuns);
        finish(Ending::Found, message);
        return;
    }
    case BisectOutcome::Kind::OnlySkipped:
        finish(Ending::OnlySkipped, QStringLiteral("bisect run cannot continue any more"));
        return;
    case BisectOutcome::Kind::BothGoodAndBad:
        finish(Ending::Failed, m_bisect->format(*ev).out.trimmed());
        return;
    }
}

void Orchestrator::fillClassic(const git::BisectEvaluation &ev) {
    for (const auto &slot : m_slots)
        if (slot->busy && slot->purpose == StepPurpose::Bisect && !slot->obsolete &&
            !worthTesting(ev, slot->commit)) {
            slot->obsolete = true;
            slot->cancelReason = QStringLiteral("a result took %1 out of the range")
                                     .arg(slot->commit.toString().left(12));
            slot->cancel->cancel();
        }
    // git's choice first, then commits that split the candidates into N + 1 parts.
    const CommitDag &dag = *ev.dag;
    std::vector<Oid> wanted{dag.oid(ev.outcome->commit)};
    FlakyParams exact;
    exact.detection = 1.0;
    exact.falseAlarm = 0.0;
    FlakyEngine split(ev.dag, ev.query, exact);
    for (CommitDag::Id skip : ev.query.skips)
        split.markSkipped(skip);
    for (CommitDag::Id id : split.plan(int(m_slots.size()) + busyCount())) {
        const Oid oid = dag.oid(id);
        if (std::find(wanted.begin(), wanted.end(), oid) == wanted.end())
            wanted.push_back(oid);
    }
    for (const Oid &oid : wanted) {
        if (!freeSlot())
            break;
        if (!isRunning(oid))
            runStep(oid, StepPurpose::Bisect);
    }
}

Status Orchestrator::rebuildFlaky() {
    auto ev = m_bisect->evaluateCurrent();
    if (!ev)
        return ev.error();
    m_flaky = std::make_unique<FlakyEngine>(ev->dag, ev->query,
                                            FlakyParams::fromRecipe(m_options.recipe.bisect));
    for (CommitDag::Id skip : ev->query.skips)
        m_flaky->markSkipped(skip);
    for (const StepRecord &step : m_steps)
        addObservation(step);
    return okStatus();
}

void Orchestrator::addObservation(const StepRecord &step) {
    if (!m_flaky || step.purpose != StepPurpose::Bisect || step.cancelled())
        return;
    const Verdict v = step.classification.verdict;
    if (v != Verdict::Good && v != Verdict::Bad && v != Verdict::Skip)
        return;
    const BisectQuery &q = m_flaky->range().query();
    const CommitDag::Id id = m_flaky->range().dag().find(step.commit);
    if (id == CommitDag::None)
        return;
    // A commit marked in git's state (an endpoint, an override) is certain: its runs give
    // way to the mark.
    if (id == q.bad || std::find(q.goods.begin(), q.goods.end(), id) != q.goods.end() ||
        std::find(q.skips.begin(), q.skips.end(), id) != q.skips.end())
        return;
    if (v == Verdict::Skip) {
        m_flaky->markSkipped(id);
        return;
    }
    FlakyObservation o;
    o.commit = id;
    const StageResult *test = nullptr;
    for (const StageResult &r : step.stages)
        if (r.stage == StageKind::Test)
            test = &r;
    if (v == Verdict::Bad) {
        // The first failure ends the runs: the ones before it passed.
        o.fails = 1;
        o.passes =
            test && test->outcome != StageOutcome::Passed ? std::max(0, test->iteration - 1) : 0;
    } else {
        o.passes = test ? std::max(1, test->iterations) : 1;
    }
    m_flaky->record(o);
}

std::optional<FlakyStatus> Orchestrator::flakyStatus(int top) const {
    if (!m_flaky)
        return std::nullopt;
    FlakyStatus status;
    for (const auto &[id, p] : m_flaky->top(top))
        if (p > 0.0)
            status.top.push_back({m_flaky->range().dag().oid(id), {}, p});
    for (FlakyCandidate &c : status.top)
        c.subject = subjectOf(c.commit);
    const FlakyDecision d = m_flaky->next();
    status.candidates = d.candidates;
    const DetectionEstimate det = m_flaky->detection();
    status.runs = det.runs;
    status.fails = det.fails;
    status.confidence = m_flaky->params().confidence;
    status.detection = det.describe(m_flaky->params().detection);
    // Candidate indices grow towards older commits: the curve runs from the last index.
    const FlakyRange &range = m_flaky->range();
    const int n = range.size();
    constexpr int kMaxPoints = 2000;
    status.curveBucket = std::max(1, (n + kMaxPoints - 1) / kMaxPoints);
    status.curve.assign(std::size_t((n + status.curveBucket - 1) / status.curveBucket), 0.0);
    for (int i = 0; i < n; ++i)
        status.curve[std::size_t((n - 1 - i) / status.curveBucket)] +=
            m_flaky->posterior(range.commit(i));
    return status;
}

Status Orchestrator::concludeNow() {
    if (!isFlaky())
        return Error{QStringLiteral("only a flaky session can end below its confidence: a classic "
                                    "bisect ends when its range is one commit")};
    if (m_state != State::Running && m_state != State::Paused)
        return Error{QStringLiteral("the session is not running")};
    if (!m_flaky)
        if (Status s = rebuildFlaky(); !s)
            return s;
    if (m_flaky->maxPosterior() <= 0.0)
        return Error{QStringLiteral("no candidate explains the runs so far")};
    m_concludeRequested = true;
    if (busyCount() > 0)
        cancelBusy(QStringLiteral("the session is being concluded"));
    else
        finishFlaky(true);
    return okStatus();
}

void Orchestrator::scheduleFlaky() {
    const int busy = busyCount();
    if (!m_flaky)
        if (Status s = rebuildFlaky(); !s) {
            if (busy == 0)
                finish(Ending::Failed, s.error().message());
            return;
        }
    const FlakyDecision d = m_flaky->next(std::max(1, m_options.recipe.test.repeat));
    const CommitDag &dag = m_flaky->range().dag();
    switch (d.kind) {
    case FlakyDecision::Kind::Test: {
        std::vector<CommitDag::Id> wanted{d.commit};
        if (m_slots.size() > 1)
            for (CommitDag::Id id : m_flaky->plan(int(m_slots.size()) + busy))
                if (std::find(wanted.begin(), wanted.end(), id) == wanted.end())
                    wanted.push_back(id);
        for (CommitDag::Id id : wanted) {
            if (!freeSlot())
                break;
            if (!isRunning(dag.oid(id)))
                runStep(dag.oid(id), StepPurpose::Bisect, 1, 0, d.iterations);
        }
        // Every planned commit is being tested: more runs at the best one still inform.
        while (freeSlot())
            runStep(dag.oid(d.commit), StepPurpose::Bisect, 1, 0, d.iterations);
        return;
    }
    case FlakyDecision::Kind::Found:
        if (busy > 0)
            cancelBusy(QStringLiteral("the culprit reached the confidence without it"));
        else
            finishFlaky(false);
        return;
    case FlakyDecision::Kind::Undecidable: {
        if (busy > 0)
            return;
        QStringList possible;
        for (CommitDag::Id id : d.possible)
            possible << QStringLiteral("%1 (%2)").arg(dag.oid(id).toString().left(12),
                                                      formatPercent(m_flaky->posterior(id)));
        finish(Ending::OnlySkipped,
               QStringLiteral("only skipped commits are left to tell these apart: %1")
                   .arg(possible.join(QStringLiteral(", "))));
        return;
    }
    case FlakyDecision::Kind::Inconsistent:
        if (busy == 0)
            finish(Ending::Failed,
                   QStringLiteral("no commit explains the runs: with false_alarm = 0 a failure "
                                  "is proof of a bad commit, yet the failures contradict the "
                                  "marks; check the marks, or give false_alarm a value above 0"));
        return;
    case FlakyDecision::Kind::Empty:
        if (busy == 0)
            finish(Ending::Failed, QStringLiteral("the %1 commit is an ancestor of a %2 one: "
                                                  "there is nothing to bisect")
                                       .arg(m_terms.bad, m_terms.good));
        return;
    }
}

void Orchestrator::finishFlaky(bool byHand) {
    const CommitDag::Id id = m_flaky->mostLikely();
    const Oid culprit = m_flaky->range().dag().oid(id);
    const double p = m_flaky->posterior(id);
    m_culprit = culprit;
    const DetectionEstimate det = m_flaky->detection();
    std::set<Oid> commits;
    for (const FlakyObservation &o : m_flaky->observations())
        commits.insert(m_flaky->range().dag().oid(o.commit));
    emit progress(
        QStringLiteral("%1 is the first %2 commit\n").arg(culprit.toString(), m_terms.bad));
    const QString message =
        QStringLiteral("Found %1 with %2 confidence%3 after %4 test runs at %5 commits (%6 "
                       "failed) in %7; %8")
            .arg(culprit.toString().left(12), formatPercent(p),
                 byHand ? QStringLiteral(" (concluded by hand; the goal was %1)")
                              .arg(formatPercent(m_flaky->params().confidence))
                        : QString())
            .arg(det.runs)
            .arg(commits.size())
            .arg(det.fails)
            .arg(formatDuration((QDateTime::currentMSecsSinceEpoch() - m_startedMs) / 1000 * 1000),
                 det.describe(m_flaky->params().detection));
    finish(Ending::Found, message);
}

void Orchestrator::runStep(const Oid &commit, StepPurpose purpose, int attempt, int number,
                           int iterations) {
    Slot *slot = freeSlot();
    if (!slot) {
        qCWarning(bwPipeline) << "no free worker for" << commit.toString();
        return;
    }
    if (number == 0)
        number = ++m_lastNumber;
    slot->busy = true;
    slot->commit = commit;
    slot->purpose = purpose;
    slot->attempt = attempt;
    slot->number = number;
    slot->iterations = iterations;
    slot->obsolete = false;
    slot->cancelReason.clear();
    slot->cancel = std::make_shared<process::CancelToken>();
    const QString subject = subjectOf(commit);
    const QString logDir = m_session->stepLogDir(number, attempt);
    if (QFileInfo::exists(logDir)) {
        // A run of this step was interrupted (the workbench was killed): its partial logs
        // are kept aside, not mixed into the new run's.
        QString aside = logDir + QStringLiteral(".interrupted");
        for (int k = 2; QFileInfo::exists(aside); ++k)
            aside = logDir + QStringLiteral(".interrupted-%1").arg(k);
        if (!QDir().rename(logDir, aside))
            qCWarning(bwPipeline) << "cannot move the interrupted logs of step" << number
                                  << "aside";
    }
    emit stepStarted(number, commit, subject, purpose);
    emit workerChanged(slot->index, number, commit);
    if (m_options.gitRunOutput)
        emit progress(QStringLiteral("running %1\n").arg(gitQuoted(m_options.recipe.test.command)));
    else if (m_slots.size() > 1)
        emit progress(QStringLiteral("step %1: %2 tests %3\n")
                          .arg(number)
                          .arg(workerName(slot->index), commit.toString().left(12)));
    auto runner = slot->runner;
    auto cancel = slot->cancel;
    slot->watcher->setFuture(QtConcurrent::run(
        &m_pool, [this, runner, cancel, number, commit, subject, logDir, iterations] {
            Forwarder forwarder(this, number);
            return runner->run(number, commit, subject, logDir, *cancel, &forwarder, iterations);
        }));
}

Status Orchestrator::record(const StepRecord &step, std::optional<MarkKind> mark) {
    Status s = m_session->appendStep(step, mark);
    if (!s) {
        // Said at the next pause or ending, and now: a step missing from the journal is
        // run again on resume, but the user should know why the journal has a gap.
        const QString what = QStringLiteral("step %1 could not be recorded (%2)")
                                 .arg(step.number)
                                 .arg(s.error().message());
        qCWarning(bwPipeline).noquote() << what;
        m_unrecorded << what;
        emit progress(what + u'\n');
    }
    return s;
}

void Orchestrator::stepDone(Slot &slot, StepRecord step) {
    step.purpose = slot.purpose;
    step.attempt = slot.attempt;
    const bool obsolete = slot.obsolete;
    const QString cancelReason = slot.cancelReason;
    slot.busy = false;
    slot.obsolete = false;
    emit workerChanged(slot.index, 0, Oid());
    m_steps.push_back(step);
    if (step.cancelled()) {
        (void)record(step, std::nullopt);
        emit stepFinished(step);
        if (obsolete && !m_stopRequested) {
            if (m_state != State::Finished)
                emit progress(
                    QStringLiteral("step %1 cancelled: %2\n").arg(step.number).arg(cancelReason));
            scheduleNext();
            return;
        }
        if (m_stopRequested && busyCount() == 0)
            finish(Ending::Stopped,
                   QStringLiteral("stopped during step %1; nothing was recorded for it")
                       .arg(step.number));
        else
            scheduleNext();
        return;
    }
    if (m_state == State::Finished) {
        // The session ended while this step ran (another worker decided it): its result is
        // kept, and changes nothing.
        (void)record(step, std::nullopt);
        emit stepFinished(step);
        return;
    }
    if (obsolete && !m_stopRequested) {
        // Cancelled too late: the test had already ended. Its verdict would undo what made
        // it obsolete (an override of its own commit, a result that took it out of the
        // range): the run is journaled, nothing is marked.
        (void)record(step, std::nullopt);
        emit progress(QStringLiteral("step %1's verdict (%2) is not applied: %3\n")
                          .arg(step.number)
                          .arg(verdictName(step.classification.verdict), cancelReason));
        emit stepFinished(step);
        scheduleNext();
        return;
    }
    const Classification &c = step.classification;
    switch (step.purpose) {
    case StepPurpose::Bisect:
        if (c.verdict == Verdict::Bad && c.needsGoodCheck && !m_goodCheckDone) {
            emit stepFinished(step);
            git::GitBisectFiles files(*m_repo);
            auto state = files.read();
            if (!state || state->goods.empty()) {
                finish(Ending::Aborted, QStringLiteral("unable to verify '%1' on good revision")
                                            .arg(gitQuoted(m_options.recipe.test.command)));
                return;
            }
            m_awaitingGoodCheck = step;
            runStep(state->goods.front(), StepPurpose::GoodCheck);
            return;
        }
        applyVerdict(step);
        return;
    case StepPurpose::Endpoint:
        handleEndpoint(step);
        return;
    case StepPurpose::Confirm:
        handleConfirm(step);
        return;
    case StepPurpose::GoodCheck:
        handleGoodCheck(step);
        return;
    }
}

void Orchestrator::applyVerdict(const StepRecord &step) {
    const Classification &c = step.classification;
    std::optional<MarkKind> kind;
    switch (c.verdict) {
    case Verdict::Good:
        kind = MarkKind::Good;
        break;
    case Verdict::Bad:
        kind = MarkKind::Bad;
        break;
    case Verdict::Skip:
        kind = MarkKind::Skip;
        break;
    case Verdict::Retry:
        retryOrPause(step);
        return;
    case Verdict::Ask:
        (void)record(step, std::nullopt);
        emit stepFinished(step);
        pause(QStringLiteral("step %1 (%2) needs a human: %3")
                  .arg(step.number)
                  .arg(step.commit.toString().left(12), c.reason));
        return;
    case Verdict::Abort: {
        (void)record(step, std::nullopt);
        emit stepFinished(step);
        QString why = QStringLiteral("step %1 (%2): %3")
                          .arg(step.number)
                          .arg(step.commit.toString().left(12), c.reason);
        if (m_options.gitRunOutput) {
            const StageResult *s = step.decidingStage();
            why = QStringLiteral("bisect run failed: exit code %1 from '%2' is < 0 or >= 128")
                      .arg(s && s->exitCode ? *s->exitCode : 128 + (s ? s->signal : 0))
                      .arg(gitQuoted(m_options.recipe.test.command));
        }
        finish(Ending::Aborted, why);
        return;
    }
    }
    if (isFlaky()) {
        // A run is an observation, not a mark: git's state keeps only what is certain.
        if (Status s = record(step, std::nullopt); !s) {
            emit stepFinished(step);
            pause(QStringLiteral("step %1's outcome could not be recorded (%2)")
                      .arg(step.number)
                      .arg(s.error().message()));
            return;
        }
        emit stepFinished(step);
        m_attempts.erase(step.commit);
        if (m_flaky) {
            addObservation(step);
            const CommitDag::Id lead = m_flaky->mostLikely();
            if (lead != CommitDag::None)
                emit progress(QStringLiteral("  most likely %1 at %2 after %3 runs\n")
                                  .arg(m_flaky->range().dag().oid(lead).toString().left(12),
                                       formatPercent(m_flaky->posterior(lead)))
                                  .arg(m_flaky->runs()));
        }
        emit flakyUpdated();
        scheduleNext();
        return;
    }
    // The journal first: a crash after it is repaired on resume (reconcileJournal), a
    // crash before it re-runs the step; either way no verdict is lost or doubled.
    if (Status s = record(step, kind); !s) {
        emit stepFinished(step);
        pause(QStringLiteral("step %1's verdict could not be recorded (%2); nothing was marked")
                  .arg(step.number)
                  .arg(s.error().message()));
        return;
    }
    emit stepFinished(step);
    m_attempts.erase(step.commit);
    const git::CommandOutput out = m_bisect->mark(*kind, step.commit);
    if (out.exitCode != 0 && out.exitCode != 2) {
        finish(Ending::Failed, (out.err + out.out).trimmed());
        return;
    }
    emit progress(out.out + out.err);
    emit marksChanged();
    scheduleNext();
}

void Orchestrator::retryOrPause(const StepRecord &step) {
    const Status recorded = record(step, std::nullopt);
    emit stepFinished(step);
    if (!recorded) { // the session's disk: a retry would not be recorded either
        pause(QStringLiteral("step %1 (%2): %3")
                  .arg(step.number)
                  .arg(step.commit.toString().left(12), step.classification.reason));
        return;
    }
    const int tries = ++m_attempts[step.commit];
    if (tries <= 2) {
        emit progress(QStringLiteral("step %1: %2; trying again (%3 of 2)\n")
                          .arg(step.number)
                          .arg(step.classification.reason)
                          .arg(tries));
        if (m_pauseAfterStep || m_stopRequested) {
            scheduleNext();
            return;
        }
        int iterations = 0;
        for (const StageResult &r : step.stages)
            if (r.stage == StageKind::Test)
                iterations = r.iterations;
        runStep(step.commit, step.purpose, step.attempt + 1, step.number,
                isFlaky() ? iterations : 0);
        return;
    }
    pause(QStringLiteral("step %1 (%2) failed 3 times without a verdict: %3")
              .arg(step.number)
              .arg(step.commit.toString().left(12), step.classification.reason));
}

bool Orchestrator::recordCheck(const StepRecord &step) {
    if (step.classification.verdict == Verdict::Retry) {
        retryOrPause(step);
        return false;
    }
    (void)record(step, std::nullopt); // a check marks nothing
    emit stepFinished(step);
    return true;
}

void Orchestrator::handleEndpoint(const StepRecord &step) {
    if (!recordCheck(step))
        return;
    const Classification &c = step.classification;
    const bool isBad = m_endpointQueue.front().second == MarkKind::Bad;
    const Verdict expected = isBad ? Verdict::Bad : Verdict::Good;
    const QString which = isBad ? m_terms.bad : m_terms.good;
    if (c.verdict != expected) {
        finish(Ending::Failed,
               QStringLiteral("check_endpoints: the %1 commit %2 was tested %3 (%4), so the test "
                              "does not tell the two ends apart")
                   .arg(which, step.commit.toString().left(12), verdictName(c.verdict), c.reason));
        return;
    }
    emit progress(QStringLiteral("Endpoint %1 %2 confirmed: %3\n")
                      .arg(which, step.commit.toString().left(12), c.reason));
    m_endpointQueue.erase(m_endpointQueue.begin());
    scheduleNext();
}

void Orchestrator::handleConfirm(const StepRecord &step) {
    if (!recordCheck(step))
        return;
    const Classification &c = step.classification;
    const auto [commit, expected] = m_confirmQueue.front();
    m_confirmQueue.erase(m_confirmQueue.begin());
    ++m_confirmRuns;
    const Verdict want = expected == MarkKind::Bad ? Verdict::Bad : Verdict::Good;
    if (c.verdict != want)
        m_confirmFailures << QStringLiteral("%1 %2 was %3 (%4)")
                                 .arg(expected == MarkKind::Bad ? QStringLiteral("the culprit")
                                                                : QStringLiteral("its parent"),
                                      commit.toString().left(12), verdictName(c.verdict), c.reason);
    scheduleNext();
}

void Orchestrator::handleGoodCheck(const StepRecord &step) {
    (void)record(step, std::nullopt);
    emit stepFinished(step);
    const StepRecord pending = *m_awaitingGoodCheck;
    m_awaitingGoodCheck.reset();
    const QString cmd = gitQuoted(m_options.recipe.test.command);
    const StageResult *test = nullptr;
    for (const StageResult &s : step.stages)
        if (s.stage == StageKind::Test)
            test = &s;
    const int code = pending.decidingStage()->exitCode.value_or(-1);
    if (!test || !test->exitCode || *test->exitCode >= 128) {
        finish(Ending::Aborted, QStringLiteral("unable to verify '%1' on good revision").arg(cmd));
        return;
    }
    if (*test->exitCode == code) {
        finish(Ending::Aborted, QStringLiteral("bogus exit code %1 for good revision").arg(code));
        return;
    }
    m_goodCheckDone = true;
    applyVerdict(pending);
}

void Orchestrator::pause(const QString &reason) {
    keepBisectLog();
    m_state = State::Paused;
    QString why = reason;
    if (!m_unrecorded.isEmpty())
        why += QStringLiteral("; %1").arg(m_unrecorded.join(QStringLiteral("; ")));
    m_unrecorded.clear();
    writeStatus(QStringLiteral("paused"), why);
    emit paused(why);
}

void Orchestrator::finish(Ending ending, const QString &result) {
    if (m_state == State::Finished)
        return;
    m_state = State::Finished;
    cancelBusy(QStringLiteral("the session ended"));
    QString message = result;
    if (!m_unrecorded.isEmpty())
        message += QStringLiteral("; %1").arg(m_unrecorded.join(QStringLiteral("; ")));
    m_unrecorded.clear();
    keepBisectLog();
    QString status;
    switch (ending) {
    case Ending::Found:
    case Ending::OnlySkipped:
        status = QStringLiteral("finished");
        break;
    case Ending::Stopped:
        status = QStringLiteral("stopped");
        break;
    case Ending::NeedsHuman:
        status = QStringLiteral("paused");
        break;
    default:
        status = QStringLiteral("failed");
    }
    writeStatus(status, message);
    if (ending == Ending::Found && m_culprit)
        if (Status s = m_session->setCulprit(*m_culprit); !s)
            qCWarning(bwPipeline) << "cannot record the culprit:" << s.error().message();
    emit finished(ending, message);
}

void Orchestrator::keepBisectLog() {
    git::GitBisectFiles files(*m_repo);
    auto state = files.read();
    if (state && state->inProgress)
        if (Status s = m_session->writeBisectLog(state->log); !s)
            qCWarning(bwPipeline) << "cannot keep a copy of the bisect log:" << s.error().message();
}

void Orchestrator::writeStatus(const QString &status, const QString &message) {
    if (!m_session)
        return;
    auto info = m_session->readInfo();
    if (!info)
        return;
    info->status = status;
    info->message = message;
    if (Status s = m_session->writeInfo(*info); !s)
        qCWarning(bwPipeline) << "cannot update the session status:" << s.error().message();
}

} // namespace bw::pipeline
