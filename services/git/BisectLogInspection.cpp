#include "services/git/BisectLogInspection.h"

#include "models/BisectLog.h"
#include "services/git/DagLoader.h"
#include "services/git/GitBisect.h"
#include "services/git/Repository.h"

#include <algorithm>

namespace bw::git {

namespace {

// What git prints last for an evaluated state (see LogInspection::texts).
QString lastBlock(GitBisect &bisect, BisectEvaluation ev) {
    // Without the warnings git prints before it (stderr too), so that a refusal of the
    // merge-base check reads as just its message.
    ev.onlyBad = false;
    ev.mergeBase.skippedBases.clear();
    const CommandOutput o = bisect.format(ev);
    if (ev.outcome && ev.outcome->kind == BisectOutcome::Kind::FirstBad)
        return o.out.left(o.out.indexOf(u'\n') + 1);
    return o.out.isEmpty() ? o.err : o.out;
}

CommitDag::Id focusOf(const BisectEvaluation &ev) {
    if (ev.mergeBase.kind == MergeBaseCheck::Kind::MustTest)
        return ev.mergeBase.base;
    if (ev.outcome && (ev.outcome->kind == BisectOutcome::Kind::Next ||
                       ev.outcome->kind == BisectOutcome::Kind::FirstBad))
        return ev.outcome->commit;
    return CommitDag::None;
}

} // namespace

Result<LogInspection> inspectLog(Repository &repo, const QString &logText) {
    auto timeline = readLogTimeline(logText);
    if (!timeline)
        return timeline.error();
    if (!timeline->pathspec.isEmpty())
        return Error{QStringLiteral("line %1: bisecting with a pathspec is not supported yet")
                         .arg(timeline->startLine)};

    LogInspection r;
    r.timeline = std::move(timeline).value();
    const auto &steps = r.timeline.steps;
    for (const LogStep &s : steps) {
        // The comment's sha is what git resolved when it wrote the log; a rev such as
        // HEAD~2 may mean something else today.
        auto oid = repo.resolveCommit(s.sha ? s.sha->toString() : s.rev);
        if (!oid)
            return Error{QStringLiteral("line %1: unknown commit '%2'").arg(s.line).arg(s.rev), 1,
                         oid.error().message()};
        r.oids.push_back(*oid);
        r.subjects.push_back(repo.subject(*oid));
    }
    std::vector<Oid> tips = r.oids;
    std::sort(tips.begin(), tips.end());
    tips.erase(std::unique(tips.begin(), tips.end()), tips.end());
    auto dag = DagLoader::load(repo, tips);
    if (!dag)
        return dag.error();
    r.dag = std::make_shared<const CommitDag>(std::move(dag).value());
    std::vector<CommitDag::Id> resolved;
    for (const Oid &o : r.oids)
        resolved.push_back(r.dag->find(o));
    r.queries = queriesAfterEachStep(*r.dag, r.timeline, resolved);

    GitBisect bisect(repo);
    auto evaluate = [&](const BisectQuery &q, bool checkMergeBases) {
        BisectEvaluation ev;
        ev.dag = r.dag;
        ev.query = q;
        ev.terms = r.timeline.terms;
        if (checkMergeBases) // a fresh replay: no BISECT_EXPECTED_REV yet
            ev.mergeBase = BisectEngine::checkMergeBases(*r.dag, q, std::nullopt);
        if (ev.mergeBase.kind == MergeBaseCheck::Kind::AncestorsOk)
            ev.outcome = BisectEngine::select(*r.dag, q);
        return ev;
    };
    auto canSelect = [](const BisectQuery &q) {
        return q.bad != CommitDag::None && !q.goods.empty();
    };

    // start's own selection, when its revisions give a bad and a good.
    const int s = r.timeline.startStepCount();
    std::optional<BisectEvaluation> startEval;
    bool stoppedAtStart = false;
    if (canSelect(r.queries[s])) {
        startEval = evaluate(r.queries[s], true);
        stoppedAtStart = startEval->mergeBase.kind != MergeBaseCheck::Kind::AncestorsOk ||
                         startEval->outcome->kind != BisectOutcome::Kind::Next;
    }

    for (std::size_t k = 0; k < r.queries.size(); ++k) {
        const BisectQuery &q = r.queries[k];
        const bool afterStart = static_cast<int>(k) >= s;
        std::optional<BisectEvaluation> ev;
        if (afterStart && stoppedAtStart)
            ev = startEval;
        else if (canSelect(q))
            ev = evaluate(q, !(afterStart && startEval));
        if (ev) {
            r.texts.push_back(lastBlock(bisect, *ev));
            r.outcomes.push_back(ev->outcome);
            r.focus.push_back(focusOf(*ev));
            continue;
        }
        r.texts.push_back(
            statusMessage(q.bad != CommitDag::None, static_cast<int>(q.goods.size())));
        // git bisects every ancestor of bad while no good is known; show that range.
        r.outcomes.push_back(q.bad != CommitDag::None
                                 ? std::optional<BisectOutcome>(BisectEngine::select(*r.dag, q))
                                 : std::nullopt);
        r.focus.push_back(CommitDag::None);
    }
    return r;
}

} // namespace bw::git
