#include "services/git/GitBisect.h"

#include "models/BisectLog.h"
#include "services/ServicesLogging.h"
#include "services/git/CommitSummary.h"
#include "services/git/DagLoader.h"
#include "services/git/GitBisectFiles.h"
#include "services/git/Repository.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace bw::git {

namespace {

QString plural(int n, const char *one, const char *many) {
    return QString::fromLatin1(n == 1 ? one : many);
}

// What a failed git command prints: `error: <message>`, exit 1.
CommandOutput failWith(const QString &message) {
    return {{}, QStringLiteral("error: %1\n").arg(message), 1};
}

// The state of a bisect in progress, or what git says when there is none (or it cannot
// be read).
Result<BisectFilesState> readInProgress(const GitBisectFiles &files, CommandOutput &failure) {
    auto state = files.read();
    if (!state) {
        failure = failWith(state.error().message());
        return state;
    }
    if (!state->inProgress) {
        failure = {{}, QStringLiteral("You need to start by \"git bisect start\"\n"), 1};
        return Error{QStringLiteral("not bisecting")};
    }
    return state;
}

// The revision as `git bisect replay` resolves a start argument: after its reset has
// checked out BISECT_START, so HEAD means the branch (or commit) the bisect began on.
QString atStart(const QString &rev, const QString &startHead) {
    if (startHead.isEmpty())
        return rev;
    if (rev == u"HEAD" || rev == u"@")
        return startHead;
    if (rev.startsWith(QStringLiteral("HEAD~")) || rev.startsWith(QStringLiteral("HEAD^")))
        return startHead + rev.mid(4);
    return rev;
}

QString joinHex(const std::vector<Oid> &oids) {
    QStringList hex;
    for (const Oid &o : oids)
        hex << o.toString();
    return hex.join(u' ');
}

} // namespace

GitBisect::GitBisect(Repository &repo)
    : m_repo(repo) {}

Result<BisectEvaluation> GitBisect::evaluate(const BisectFilesState &state,
                                             std::shared_ptr<const CommitDag> reuse) {
    if (!state.bad)
        return Error{QStringLiteral("no %1 commit is known").arg(state.terms.bad)};
    if (!state.namesLine.trimmed().isEmpty())
        return Error{
            QStringLiteral("bisecting with a pathspec (BISECT_NAMES: %1) is not supported yet")
                .arg(state.namesLine.trimmed())};

    std::vector<Oid> tips{*state.bad};
    tips.insert(tips.end(), state.goods.begin(), state.goods.end());
    BisectEvaluation ev;
    if (!reuse)
        reuse = m_dag;
    if (reuse && std::all_of(tips.begin(), tips.end(),
                             [&](const Oid &o) { return reuse->find(o) != CommitDag::None; })) {
        ev.dag = std::move(reuse);
    } else {
        auto dag = DagLoader::load(m_repo, tips);
        if (!dag)
            return dag.error();
        ev.dag = std::make_shared<const CommitDag>(std::move(dag).value());
    }
    m_dag = ev.dag;
    ev.terms = state.terms;
    ev.query.bad = ev.dag->find(*state.bad);
    for (const Oid &g : state.goods)
        ev.query.goods.push_back(ev.dag->find(g));
    for (const Oid &s : state.skips)
        if (CommitDag::Id id = ev.dag->find(s); id != CommitDag::None)
            ev.query.skips.push_back(id);
    ev.query.skipMode = !state.skips.empty();
    ev.query.firstParent = state.firstParent;
    ev.onlyBad = state.goods.empty();

    std::optional<CommitDag::Id> expected;
    if (state.expectedRev)
        if (CommitDag::Id id = ev.dag->find(*state.expectedRev); id != CommitDag::None)
            expected = id;
    if (!state.ancestorsOk)
        ev.mergeBase = BisectEngine::checkMergeBases(*ev.dag, ev.query, expected);
    if (ev.mergeBase.kind == MergeBaseCheck::Kind::AncestorsOk)
        ev.outcome = BisectEngine::select(*ev.dag, ev.query);
    return ev;
}

CommandOutput GitBisect::format(const BisectEvaluation &ev) {
    CommandOutput o;
    const CommitDag &dag = *ev.dag;
    const Terms &t = ev.terms;
    const Oid bad = dag.oid(ev.query.bad);
    std::vector<Oid> goods;
    for (CommitDag::Id g : ev.query.goods)
        goods.push_back(dag.oid(g));
    std::sort(goods.begin(), goods.end());
    auto commitLine = [&](CommitDag::Id c) {
        const Oid oid = dag.oid(c);
        return QStringLiteral("[%1] %2\n").arg(oid.toString(), m_repo.subject(oid));
    };

    if (ev.onlyBad)
        o.err += QStringLiteral("warning: bisecting only with a %1 commit\n").arg(t.bad);
    for (CommitDag::Id base : ev.mergeBase.skippedBases)
        o.err += QStringLiteral("warning: the merge base between %1 and [%2] must be skipped.\n"
                                "So we cannot be sure the first %3 commit is between %4 and %1.\n"
                                "We continue anyway.\n")
                     .arg(bad.toString(), joinHex(goods), t.bad, dag.oid(base).toString());

    switch (ev.mergeBase.kind) {
    case MergeBaseCheck::Kind::AncestorsOk:
        break;
    case MergeBaseCheck::Kind::MustTest:
        o.out += QStringLiteral("Bisecting: a merge base must be tested\n") +
                 commitLine(ev.mergeBase.base);
        return o;
    case MergeBaseCheck::Kind::BaseIsBad:
        if (t.bad == u"bad" && t.good == u"good")
            o.err += QStringLiteral("The merge base %1 is bad.\nThis means the bug has been fixed "
                                    "between %1 and [%2].\n")
                         .arg(bad.toString(), joinHex(goods));
        else if (t.bad == u"new" && t.good == u"old")
            o.err +=
                QStringLiteral(
                    "The merge base %1 is new.\nThe property has changed between %1 and [%2].\n")
                    .arg(bad.toString(), joinHex(goods));
        else
            o.err += QStringLiteral("The merge base %1 is %2.\nThis means the first '%3' commit is "
                                    "between %1 and [%4].\n")
                         .arg(bad.toString(), t.bad, t.good, joinHex(goods));
        o.exitCode = 3;
        return o;
    case MergeBaseCheck::Kind::NotAncestors:
        o.err += QStringLiteral("Some %1 revs are not ancestors of the %2 rev.\n"
                                "git bisect cannot work properly in this case.\n"
                                "Maybe you mistook %1 and %2 revs?\n")
                     .arg(t.good, t.bad);
        o.exitCode = 1;
        return o;
    }

    const BisectOutcome &r = *ev.outcome;
    switch (r.kind) {
    case BisectOutcome::Kind::Next: {
        const int left = r.revisionsLeft();
        const int steps = r.steps();
        o.out += QStringLiteral("Bisecting: %1 %2 left to test after this (roughly %3 %4)\n")
                     .arg(left)
                     .arg(plural(left, "revision", "revisions"))
                     .arg(steps)
                     .arg(plural(steps, "step", "steps"));
        o.out += commitLine(r.commit);
        break;
    }
    case BisectOutcome::Kind::FirstBad: {
        const Oid oid = dag.oid(r.commit);
        o.out += QStringLiteral("%1 is the first %2 commit\n").arg(oid.toString(), t.bad);
        auto summary = diffTreeSummary(m_repo, oid);
        if (summary)
            o.out += *summary;
        else
            o.err += QStringLiteral("warning: %1\n").arg(summary.error().message());
        break;
    }
    case BisectOutcome::Kind::OnlySkipped:
        o.out += QStringLiteral("There are only 'skip'ped commits left to test.\n"
                                "The first %1 commit could be any of:\n")
                     .arg(t.bad);
        for (CommitDag::Id c : r.possibleFirstBad)
            o.out += dag.oid(c).toString() + u'\n';
        o.out += QStringLiteral("We cannot bisect more!\n");
        o.exitCode = 2;
        break;
    case BisectOutcome::Kind::BothGoodAndBad:
        o.out += QStringLiteral("%1 was both %2 and %3\n").arg(bad.toString(), t.good, t.bad);
        o.exitCode = 1;
        break;
    }
    return o;
}

CommandOutput GitBisect::next() {
    GitBisectFiles files(m_repo);
    CommandOutput failure;
    auto state = readInProgress(files, failure);
    if (!state) {
        if (failure.err.startsWith(u'Y'))
            failure.err += u'\n'; // `git bisect next` adds an empty line to this one
        return failure;
    }
    if (!state->hasTermsFile)
        return {{}, {}, 1}; // git 2.39 cannot read the terms and gives up without a word
    if (!state->bad)
        return {{},
                QStringLiteral(
                    "error: You need to give me at least one bad|new and good|old revision.\n"
                    "You can use \"git bisect bad|new\" and \"git bisect good|old\" for that.\n"),
                1};
    auto ev = evaluate(*state);
    if (!ev)
        return failWith(ev.error().message());
    return format(*ev);
}

CommandOutput GitBisect::selectAndApply(GitBisectFiles &files, bool checkout) {
    CommandOutput o;
    auto state = files.read();
    if (!state)
        return failWith(state.error().message());
    if (!state->bad || state->goods.empty()) {
        o.out = statusMessage(state->bad.has_value(), static_cast<int>(state->goods.size()));
        return o;
    }
    auto ev = evaluate(*state);
    if (!ev)
        return failWith(ev.error().message());
    o = format(*ev);

    const CommitDag &dag = *ev->dag;
    const Terms &t = ev->terms;
    Status written = okStatus();
    auto keep = [&](Status s) {
        if (written && !s)
            written = s;
    };
    if (!state->ancestorsOk && !state->goods.empty() &&
        ev->mergeBase.kind == MergeBaseCheck::Kind::AncestorsOk)
        keep(files.setAncestorsOk(true));

    std::optional<Oid> target;
    if (ev->mergeBase.kind == MergeBaseCheck::Kind::MustTest)
        target = dag.oid(ev->mergeBase.base);
    else if (ev->outcome && ev->outcome->kind == BisectOutcome::Kind::Next)
        target = dag.oid(ev->outcome->commit);
    if (target) {
        if (checkout)
            keep(state->bisectHead ? files.setBisectHead(*target)
                                   : m_repo.checkoutDetached(*target));
        if (written) // like git: the expected rev is what was really checked out
            keep(files.setExpectedRev(*target));
    } else if (ev->outcome && ev->outcome->kind == BisectOutcome::Kind::FirstBad) {
        const Oid oid = dag.oid(ev->outcome->commit);
        keep(files.appendLog(firstBadLogLine(t.bad, oid, m_repo.subject(oid))));
    } else if (ev->outcome && ev->outcome->kind == BisectOutcome::Kind::OnlySkipped) {
        std::vector<std::pair<Oid, QString>> possible;
        // git lists `rev-list bad ^goods`, all parents, even in --first-parent mode.
        BisectQuery all = ev->query;
        all.firstParent = false;
        for (CommitDag::Id c : BisectEngine::candidates(dag, all))
            possible.emplace_back(dag.oid(c), m_repo.subject(dag.oid(c)));
        keep(files.appendLog(onlySkippedLogLines(t.bad, possible)));
    }
    if (!written) {
        o.err += QStringLiteral("error: %1\n").arg(written.error().message());
        o.exitCode = 1;
    }
    return o;
}

CommandOutput GitBisect::mark(MarkKind kind, const Oid &commit) {
    GitBisectFiles files(m_repo);
    CommandOutput failure;
    auto state = readInProgress(files, failure);
    if (!state)
        return failure;
    if (Status s = files.mark(kind, commit, m_repo.subject(commit), state->terms); !s)
        return failWith(s.error().message());
    // git's check_expected_revs: marking another commit than the one it asked for
    // makes the merge-base check run again.
    if (state->expectedRev != commit) {
        if (Status s = files.setExpectedRev(std::nullopt); !s)
            return failWith(s.error().message());
        if (Status s = files.setAncestorsOk(false); !s)
            return failWith(s.error().message());
    }
    auto after = files.read();
    if (!after)
        return failWith(after.error().message());
    const int goods = static_cast<int>(after->goods.size());
    if (!after->bad || goods == 0) {
        if (Status s = files.appendLog(statusLogLine(after->bad.has_value(), goods)); !s)
            return failWith(s.error().message());
        return {statusMessage(after->bad.has_value(), goods), {}, 0};
    }
    return selectAndApply(files, true);
}

CommandOutput GitBisect::reset() {
    GitBisectFiles files(m_repo);
    auto state = files.read();
    if (!state)
        return {{}, state.error().message() + u'\n', 1};
    if (!state->inProgress)
        return {QStringLiteral("We are not bisecting.\n"), {}, 0};
    if (Status s = files.reset(); !s)
        return {{}, s.error().message() + u'\n', 1};
    QString out = QStringLiteral("Bisect reset.\n");
    if (!state->bisectHead && !state->start.isEmpty())
        out += QStringLiteral("HEAD was left where the bisect put it: `git checkout %1` returns "
                              "to where it started.\n")
                   .arg(state->start);
    return {out, {}, 0};
}

CommandOutput GitBisect::clearMarks(const Oid &commit) {
    GitBisectFiles files(m_repo);
    CommandOutput failure;
    auto state = readInProgress(files, failure);
    if (!state)
        return failure;
    auto entries = parseBisectLog(state->log);
    if (!entries)
        return failWith(entries.error().message());

    // The same session as a start without revisions followed by every mark, by full sha,
    // but those of `commit`. Replayed, it reaches the state git would have reached
    // without them (a start with revisions could stop the replay at its own selection).
    QString log;
    bool found = false;
    QString bad = QStringLiteral("bad"), good = QStringLiteral("good");
    for (const BisectLogEntry &e : *entries) {
        if (e.kind == BisectLogEntry::Kind::Start) {
            auto args = parseStartArgs(e.startArgs, [&](const QString &rev) {
                return m_repo.resolveCommit(atStart(rev, state->start)).ok();
            });
            if (!args)
                return failWith(args.error().message());
            QStringList options;
            if (args->noCheckout)
                options << QStringLiteral("--no-checkout");
            if (args->firstParent)
                options << QStringLiteral("--first-parent");
            if (args->termBad)
                options << QStringLiteral("--term-new=%1").arg(bad = *args->termBad);
            if (args->termGood)
                options << QStringLiteral("--term-old=%1").arg(good = *args->termGood);
            log = startLogLine(options); // a later start replaces everything before it
            for (int i = 0; i < args->revs.size(); ++i) {
                auto oid = m_repo.resolveCommit(atStart(args->revs[i], state->start));
                if (!oid)
                    return failWith(oid.error().message());
                if (*oid == commit)
                    found = true;
                else
                    log += QStringLiteral("git bisect %1 %2\n")
                               .arg(i == 0 ? bad : good, oid->toString());
            }
        } else if (e.kind == BisectLogEntry::Kind::Mark) {
            auto oid = m_repo.resolveCommit(e.rev);
            if (!oid)
                return failWith(oid.error().message());
            if (*oid == commit)
                found = true;
            else
                log += QStringLiteral("git bisect %1 %2\n").arg(e.term, oid->toString());
        }
    }
    if (!found)
        return {QStringLiteral("%1 has no mark\n").arg(commit.toString()), {}, 0};
    CommandOutput o = replay(log);
    if (o.exitCode == 1) {
        // Nothing lost: put the session back as it was, and say what went wrong.
        const CommandOutput restored = replay(state->log);
        o.err += restored.exitCode == 1
                     ? QStringLiteral("error: the bisect could not be restored either: %1")
                           .arg(restored.err)
                     : QStringLiteral("The marks were left as they were.\n");
    }
    o.out.remove(QStringLiteral("We are not bisecting.\n"));
    return o;
}

Result<BisectEvaluation> GitBisect::evaluateCurrent() {
    GitBisectFiles files(m_repo);
    auto state = files.read();
    if (!state)
        return state.error();
    if (!state->inProgress)
        return Error{QStringLiteral("no bisect is in progress")};
    return evaluate(*state);
}

CommandOutput GitBisect::start(const QStringList &args) {
    return replayLog(startLogLine(args), true);
}

CommandOutput GitBisect::replay(const QString &logText) {
    return replayLog(logText, false);
}

CommandOutput GitBisect::replayLog(const QString &logText, bool asStart) {

    auto entries = parseBisectLog(logText);
    if (!entries)
        return failWith(entries.error().message());

    GitBisectFiles files(m_repo);
    auto current = files.read();
    if (!current)
        return failWith(current.error().message());
    QString startHead = current->start;
    if (!current->inProgress) {
        auto head = m_repo.headForBisectStart();
        if (!head)
            return failWith(head.error().message());
        startHead = *head;
    }

    // Plan the whole log first: a log with an unknown commit or a foreign line changes
    // nothing at all (git would leave a half-replayed state behind).
    struct Planned {
        bool isStart = false;
        BisectStartArgs args;
        QStringList rawArgs;
        Terms terms;
        std::vector<Oid> revs; // start: bad first, then goods
        bool termsKnown = false;
        MarkKind kind = MarkKind::Good;
        Oid oid;
        QString rev; // as the log wrote it
    };
    std::vector<Planned> plan;
    Terms terms;
    bool termsKnown = false;
    bool started = false;
    for (const BisectLogEntry &e : *entries) {
        const QString where = QStringLiteral("line %1: ").arg(e.line);
        if (e.kind == BisectLogEntry::Kind::Terms)
            continue;
        Planned p;
        if (e.kind == BisectLogEntry::Kind::Start) {
            auto args = parseStartArgs(e.startArgs, [&](const QString &rev) {
                return m_repo.resolveCommit(atStart(rev, startHead)).ok();
            });
            if (!args)
                return failWith(where + args.error().message());
            if (!args->pathspec.isEmpty())
                return failWith(where +
                                QStringLiteral("bisecting with a pathspec is not supported yet"));
            Terms t;
            if (args->termBad)
                t.bad = *args->termBad;
            if (args->termGood)
                t.good = *args->termGood;
            if (const QString problem = Terms::validate(t.bad, t.good); !problem.isEmpty())
                return failWith(where + problem);
            for (const QString &rev : args->revs) {
                auto oid = m_repo.resolveCommit(atStart(rev, startHead));
                if (!oid)
                    return failWith(where + oid.error().message());
                p.revs.push_back(*oid);
            }
            p.isStart = true;
            p.args = *args;
            p.rawArgs = e.startArgs;
            p.terms = terms = t;
            // git writes BISECT_TERMS at start only when it was given terms or revisions;
            // otherwise the first good/bad (or new/old) mark decides.
            termsKnown = args->termBad || args->termGood || !args->revs.isEmpty();
            p.termsKnown = termsKnown;
            started = true;
        } else {
            if (!started)
                return failWith(
                    where +
                    QStringLiteral("'git bisect %1' before 'git bisect start'").arg(e.term));
            if (!termsKnown && (e.term == u"new" || e.term == u"old")) {
                terms = Terms{QStringLiteral("new"), QStringLiteral("old")};
                termsKnown = true;
            } else if (!termsKnown && (e.term == u"bad" || e.term == u"good")) {
                termsKnown = true;
            }
            const auto kind = terms.kindFor(e.term);
            if (!kind)
                return failWith(where +
                                QStringLiteral("'%1'?? what are you talking about?").arg(e.term));
            auto oid = m_repo.resolveCommit(e.rev);
            if (!oid)
                return failWith(where + oid.error().message());
            p.kind = *kind;
            p.oid = *oid;
            p.terms = terms;
            p.rev = e.rev;
        }
        plan.push_back(std::move(p));
    }
    if (!started)
        return failWith(QStringLiteral("the log has no 'git bisect start' line"));

    if (Status s = files.reset(); !s)
        return failWith(s.error().message());
    // The reset that replay begins with says so when there was nothing to reset.
    QString startOutput =
        current->inProgress || asStart ? QString() : QStringLiteral("We are not bisecting.\n");
    for (const Planned &p : plan) {
        if (!p.isStart) {
            if (Status s = files.mark(p.kind, p.oid, m_repo.subject(p.oid), p.terms, p.rev); !s)
                return failWith(s.error().message());
            continue;
        }
        QString preStart;
        for (std::size_t i = 0; i < p.revs.size(); ++i)
            preStart += markCommentLine(i == 0 ? p.terms.bad : p.terms.good, p.revs[i],
                                        m_repo.subject(p.revs[i]));
        const QString startLine = startLogLine(p.rawArgs);
        std::optional<Oid> bisectHead;
        if (p.args.noCheckout || m_repo.isBare()) {
            auto head = m_repo.resolveCommit(QStringLiteral("HEAD"));
            if (!head)
                return failWith(head.error().message());
            bisectHead = *head;
        }
        if (Status s =
                files.start(startHead, p.termsKnown ? std::optional<Terms>(p.terms) : std::nullopt,
                            p.args.firstParent, QString(), bisectHead, startLine, preStart);
            !s)
            return failWith(s.error().message());
        for (std::size_t i = 0; i < p.revs.size(); ++i) {
            const QString ref =
                i == 0
                    ? QStringLiteral("refs/bisect/%1").arg(p.terms.bad)
                    : QStringLiteral("refs/bisect/%1-%2").arg(p.terms.good, p.revs[i].toString());
            if (Status s = m_repo.setReference(ref, p.revs[i], QStringLiteral("bisect replay")); !s)
                return failWith(s.error().message());
        }
        // What `start` itself prints and records: a status line, or a first selection.
        auto state = files.read();
        if (!state)
            return failWith(state.error().message());
        if (!state->bad || state->goods.empty()) {
            if (Status s = files.appendLog(
                    statusLogLine(state->bad.has_value(), static_cast<int>(state->goods.size())));
                !s)
                return failWith(s.error().message());
        } else {
            // git's replay runs start's own selection, which prints too. When that
            // already finds the first bad commit, git stops the replay there, exit 1.
            CommandOutput first = selectAndApply(files, true);
            if (asStart)
                return first;
            first.out.prepend(startOutput);
            // git's replay goes on only after a plain "Bisecting: N revisions left"; a
            // merge base to test, a first bad commit or a refusal ends it, exit 1.
            static const QRegularExpression plainStep(
                QStringLiteral("(^|\n)Bisecting: \\d+ revisions? left[^\n]*\n[^\n]*\n$"));
            if (first.exitCode != 0 || !plainStep.match(first.out).hasMatch())
                return {first.out, first.err, 1};
            startOutput = first.out;
        }
    }
    auto state = files.read();
    if (!state)
        return failWith(state.error().message());
    if (!state->bad || state->goods.empty())
        return {startOutput +
                    statusMessage(state->bad.has_value(), static_cast<int>(state->goods.size())),
                {},
                0};
    CommandOutput o = selectAndApply(files, true);
    o.out.prepend(startOutput);
    return o;
}

} // namespace bw::git
