#include "services/pipeline/Orchestrator.h"

#include "models/BisectEngine.h"
#include "models/BisectLog.h"
#include "services/ServicesLogging.h"
#include "services/git/GitBisect.h"
#include "services/git/GitBisectFiles.h"
#include "services/git/Repository.h"
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
#include <QThread>
#include <QtConcurrent>

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

// The command as `git bisect run` shows it: sq_quote_argv, each word with a space first.
QString gitQuoted(const CommandSpec &command) {
    return command.form == CommandSpec::Form::Argv ? shellQuoteArgs(command.argv)
                                                   : shellQuoteArgs({command.shell});
}

} // namespace

Orchestrator::Orchestrator(QObject *parent)
    : QObject(parent) {
    m_pool.setMaxThreadCount(1);
    connect(&m_watcher, &QFutureWatcher<StepRecord>::finished, this,
            [this] { stepDone(m_watcher.result()); });
}

Orchestrator::~Orchestrator() {
    if (m_cancel)
        m_cancel->cancel();
    m_pool.waitForDone();
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
    if (recipe.bisect.mode == BisectMode::Flaky)
        // The engine exists (models/FlakyEngine); sessions do not drive it yet. Running the
        // classic engine instead would blame the wrong commit without a word.
        return Error{QStringLiteral("bisect mode \"flaky\" is not available in sessions yet: "
                                    "use mode = \"classic\" with a test `repeat` count")};
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
    m_runner = std::make_shared<StepRunner>(context);
    keepBisectLog();
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
    m_state = State::Running;
    QMetaObject::invokeMethod(this, &Orchestrator::scheduleNext, Qt::QueuedConnection);
    return okStatus();
}

void Orchestrator::removeStaleBisectLocks() {
    // A run killed while git's bisect state was being written leaves a `.lock` beside the
    // file (refs/bisect/*, BISECT_*), and every later write fails on it, as git's would.
    // Only the bisect's own files are looked at. A live writer holds its lock for
    // milliseconds: a lock still there a few seconds after it was made is stale.
    QFileInfoList locks;
    for (const auto &[dir, pattern] :
         {std::pair{m_repo->gitDir(), QStringLiteral("BISECT_*.lock")},
          std::pair{m_repo->gitDir() + QStringLiteral("refs/bisect"), QStringLiteral("*.lock")},
          std::pair{m_repo->commonDir() + QStringLiteral("refs/bisect"), QStringLiteral("*.lock")}})
        locks += QDir(dir).entryInfoList({pattern}, QDir::Files | QDir::Hidden);
    if (locks.isEmpty())
        return;
    constexpr qint64 staleMs = 3000;
    qint64 youngest = 0;
    for (const QFileInfo &f : locks)
        youngest = std::max(youngest,
                            f.lastModified().msecsTo(QDateTime::currentDateTime()) < staleMs
                                ? staleMs - f.lastModified().msecsTo(QDateTime::currentDateTime())
                                : 0);
    if (youngest > 0)
        QThread::msleep(static_cast<unsigned long>(youngest));
    for (QFileInfo f : locks) {
        f.refresh();
        if (!f.exists() || f.lastModified().msecsTo(QDateTime::currentDateTime()) < staleMs)
            continue;
        if (QFile::remove(f.absoluteFilePath())) {
            qCWarning(bwPipeline) << "removed a stale lock left by a killed run:"
                                  << f.absoluteFilePath();
            emit progress(QStringLiteral("Removed a stale lock left by a killed run: %1\n")
                              .arg(f.absoluteFilePath()));
        }
    }
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
    if (m_cancel && m_watcher.isRunning()) {
        m_cancel->cancel();
        return; // stepDone() finishes
    }
    if (m_state == State::Running || m_state == State::Paused)
        finish(Ending::Stopped, QStringLiteral("stopped"));
}

std::optional<Oid> Orchestrator::runningCommit() const {
    if (m_watcher.isRunning())
        return m_runningCommit;
    return std::nullopt;
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

    if (m_watcher.isRunning() && m_runningPurpose == StepPurpose::Bisect) {
        // Still worth testing only while it is an unmarked candidate of the new range.
        bool worth = false;
        if (auto ev = m_bisect->evaluateCurrent();
            ev && ev->outcome && ev->outcome->kind == BisectOutcome::Kind::Next) {
            const CommitDag::Id id = ev->dag->find(m_runningCommit);
            const auto cands = BisectEngine::candidates(*ev->dag, ev->query);
            const bool marked = id == ev->query.bad ||
                                std::find(ev->query.goods.begin(), ev->query.goods.end(), id) !=
                                    ev->query.goods.end() ||
                                std::find(ev->query.skips.begin(), ev->query.skips.end(), id) !=
                                    ev->query.skips.end();
            worth = id != CommitDag::None && !marked &&
                    std::find(cands.begin(), cands.end(), id) != cands.end();
        }
        if (!worth) {
            m_runningObsolete = true;
            m_cancel->cancel(); // stepDone() goes on with the new range
        }
    } else if (m_state == State::Finished) {
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
    if (m_state != State::Running || m_watcher.isRunning())
        return;
    if (m_stopRequested) {
        finish(Ending::Stopped, QStringLiteral("stopped"));
        return;
    }
    if (m_pauseAfterStep) {
        pause(QStringLiteral("paused after step %1, as asked").arg(m_lastNumber));
        return;
    }
    if (!m_endpointQueue.empty()) {
        runStep(m_endpointQueue.front().first, StepPurpose::Endpoint);
        return;
    }
    if (!m_confirmQueue.empty()) {
        runStep(m_confirmQueue.front().first, StepPurpose::Confirm);
        return;
    }
    auto ev = m_bisect->evaluateCurrent();
    if (!ev) {
        finish(Ending::Failed, ev.error().message());
        return;
    }
    const CommitDag &dag = *ev->dag;
    switch (ev->mergeBase.kind) {
    case MergeBaseCheck::Kind::MustTest:
        runStep(dag.oid(ev->mergeBase.base), StepPurpose::Bisect);
        return;
    case MergeBaseCheck::Kind::BaseIsBad:
    case MergeBaseCheck::Kind::NotAncestors:
        finish(Ending::Failed, m_bisect->format(*ev).err.trimmed());
        return;
    case MergeBaseCheck::Kind::AncestorsOk:
        break;
    }
    const BisectOutcome &outcome = *ev->outcome;
    switch (outcome.kind) {
    case BisectOutcome::Kind::Next:
        runStep(dag.oid(outcome.commit), StepPurpose::Bisect);
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

void Orchestrator::runStep(const Oid &commit, StepPurpose purpose, int attempt) {
    if (attempt == 1)
        ++m_lastNumber;
    const int number = m_lastNumber;
    m_runningCommit = commit;
    m_runningPurpose = purpose;
    m_runningAttempt = attempt;
    m_runningObsolete = false;
    m_cancel = std::make_shared<process::CancelToken>();
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
    if (m_options.gitRunOutput)
        emit progress(QStringLiteral("running %1\n").arg(gitQuoted(m_options.recipe.test.command)));
    auto runner = m_runner;
    auto cancel = m_cancel;
    m_watcher.setFuture(
        QtConcurrent::run(&m_pool, [this, runner, cancel, number, commit, subject, logDir] {
            Forwarder forwarder(this, number);
            return runner->run(number, commit, subject, logDir, *cancel, &forwarder);
        }));
}

Status Orchestrator::record(const StepRecord &step, std::optional<MarkKind> mark) {
    return m_session->appendStep(step, mark);
}

void Orchestrator::stepDone(StepRecord step) {
    step.purpose = m_runningPurpose;
    step.attempt = m_runningAttempt;
    m_steps.push_back(step);
    if (step.cancelled()) {
        (void)record(step, std::nullopt);
        emit stepFinished(step);
        if (m_runningObsolete && !m_stopRequested) {
            m_runningObsolete = false;
            emit progress(
                QStringLiteral("step %1 cancelled: an override took %2 out of the range\n")
                    .arg(step.number)
                    .arg(step.commit.toString().left(12)));
            scheduleNext();
            return;
        }
        if (m_stopRequested)
            finish(Ending::Stopped,
                   QStringLiteral("stopped during step %1; nothing was recorded for it")
                       .arg(step.number));
        else
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
    (void)record(step, std::nullopt);
    emit stepFinished(step);
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
        runStep(step.commit, step.purpose, step.attempt + 1);
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

void Orchestrator::pause(const QString &why) {
    keepBisectLog();
    m_state = State::Paused;
    writeStatus(QStringLiteral("paused"), why);
    emit paused(why);
}

void Orchestrator::finish(Ending ending, const QString &message) {
    if (m_state == State::Finished)
        return;
    m_state = State::Finished;
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
