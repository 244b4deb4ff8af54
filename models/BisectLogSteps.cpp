#include "models/BisectLogSteps.h"

#include "models/BisectLog.h"

#include <QRegularExpression>

#include <algorithm>

namespace bw {

namespace {

struct MarkComment {
    QString term;
    Oid sha;
    QString subject;
};

// `# <term>: [<sha>] <subject>`, as markCommentLine writes it.
std::optional<MarkComment> parseMarkComment(const QString &line) {
    static const QRegularExpression re(
        QStringLiteral("^# ([^\\s:]+): \\[([0-9a-f]{40})\\] ?(.*)$"));
    const auto m = re.match(line);
    if (!m.hasMatch())
        return std::nullopt;
    auto sha = Oid::fromHex(m.captured(2));
    if (!sha)
        return std::nullopt;
    return MarkComment{m.captured(1), *sha, m.captured(3)};
}

std::optional<Oid> fullSha(const QString &rev) {
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{40}$"));
    if (!hex.match(rev).hasMatch())
        return std::nullopt;
    return Oid::fromHex(rev.toLower());
}

// Fills subject and sha from a comment that belongs to the step (same term; same
// commit when the rev is a full sha).
void takeComment(LogStep &step, const std::optional<MarkComment> &comment) {
    step.sha = fullSha(step.rev);
    if (!comment || comment->term != step.term || (step.sha && *step.sha != comment->sha))
        return;
    step.sha = comment->sha;
    step.commentSubject = comment->subject;
}

} // namespace

Result<LogTimeline> readLogTimeline(const QString &logText) {
    auto entries = parseBisectLog(logText);
    if (!entries)
        return entries.error();
    QStringList lines = logText.split(u'\n');
    for (QString &l : lines)
        if (l.endsWith(u'\r'))
            l.chop(1);
    auto lineText = [&lines](int line) {
        return line >= 1 && line <= lines.size() ? lines[line - 1] : QString();
    };

    LogTimeline t;
    bool started = false;
    bool termsKnown = false;
    for (const BisectLogEntry &e : *entries) {
        const QString where = QStringLiteral("line %1: ").arg(e.line);
        if (e.kind == BisectLogEntry::Kind::Terms)
            continue;
        if (e.kind == BisectLogEntry::Kind::Start) {
            auto args =
                parseStartArgs(e.startArgs, [](const QString &w) { return !w.startsWith(u'-'); });
            if (!args)
                return Error{where + args.error().message()};
            LogTimeline fresh;
            if (args->termBad)
                fresh.terms.bad = *args->termBad;
            if (args->termGood)
                fresh.terms.good = *args->termGood;
            if (const QString problem = Terms::validate(fresh.terms.bad, fresh.terms.good);
                !problem.isEmpty())
                return Error{where + problem};
            fresh.firstParent = args->firstParent;
            fresh.pathspec = args->pathspec;
            fresh.startLine = e.line;
            // The comments git writes before the start line, one per revision, in order.
            const int count = static_cast<int>(args->revs.size());
            for (int i = 0; i < count; ++i) {
                LogStep step;
                step.line = e.line;
                step.term = i == 0 ? fresh.terms.bad : fresh.terms.good;
                step.rev = args->revs[i];
                takeComment(step, parseMarkComment(lineText(e.line - count + i)));
                fresh.startRevs.push_back(step.rev);
                fresh.steps.push_back(std::move(step));
            }
            termsKnown = args->termBad || args->termGood || count > 0;
            t = std::move(fresh);
            started = true;
            continue;
        }
        if (!started)
            return Error{where +
                         QStringLiteral("'git bisect %1' before 'git bisect start'").arg(e.term)};
        // Like git: without terms from start, the first good/bad or new/old mark decides.
        if (!termsKnown && (e.term == u"new" || e.term == u"old")) {
            t.terms = Terms{QStringLiteral("new"), QStringLiteral("old")};
            termsKnown = true;
        } else if (!termsKnown && (e.term == u"bad" || e.term == u"good")) {
            termsKnown = true;
        }
        if (!t.terms.kindFor(e.term))
            return Error{where + QStringLiteral("'%1'?? what are you talking about?").arg(e.term)};
        if (e.rev.trimmed().isEmpty())
            return Error{where + QStringLiteral("'git bisect %1' without a revision").arg(e.term)};
        LogStep step;
        step.line = e.line;
        step.term = e.term;
        step.rev = e.rev.trimmed();
        takeComment(step, parseMarkComment(lineText(e.line - 1)));
        t.steps.push_back(std::move(step));
    }
    if (!started)
        return Error{QStringLiteral("the log has no 'git bisect start' line")};
    return t;
}

std::vector<BisectQuery> queriesAfterEachStep(const CommitDag &dag, const LogTimeline &timeline,
                                              const std::vector<CommitDag::Id> &resolved) {
    std::vector<BisectQuery> out;
    out.reserve(timeline.steps.size() + 1);
    BisectQuery q;
    q.firstParent = timeline.firstParent;
    auto byOid = [&dag](CommitDag::Id a, CommitDag::Id b) { return dag.oid(a) < dag.oid(b); };
    auto addSorted = [&byOid](std::vector<CommitDag::Id> &set, CommitDag::Id id) {
        const auto it = std::lower_bound(set.begin(), set.end(), id, byOid);
        if (it == set.end() || *it != id)
            set.insert(it, id);
    };
    out.push_back(q);
    for (std::size_t i = 0; i < timeline.steps.size(); ++i) {
        const CommitDag::Id id = i < resolved.size() ? resolved[i] : CommitDag::None;
        const bool known = id != CommitDag::None && id < static_cast<CommitDag::Id>(dag.size());
        switch (timeline.kindOf(timeline.steps[i]).value_or(MarkKind::Skip)) {
        case MarkKind::Bad:
            q.bad = known ? id : CommitDag::None;
            break;
        case MarkKind::Good:
            if (known)
                addSorted(q.goods, id);
            break;
        case MarkKind::Skip:
            q.skipMode = true;
            if (known)
                addSorted(q.skips, id);
            break;
        }
        out.push_back(q);
    }
    return out;
}

} // namespace bw
