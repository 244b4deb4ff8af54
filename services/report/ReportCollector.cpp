#include "services/report/ReportCollector.h"

#include "models/BisectEngine.h"
#include "models/BisectLog.h"
#include "models/BisectLogSteps.h"
#include "services/git/DagLoader.h"
#include "services/git/Repository.h"
#include "services/notify/Notifier.h"
#include "services/pipeline/SessionDirectory.h"
#include "services/process/ProcessRunner.h"
#include "services/recipe/RecipeLoader.h"
#include "services/store/SessionStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QSysInfo>
#include <QUrl>

#include <git2.h>
#include <libvirt/libvirt.h>

#include <unordered_map>

namespace bw::report {

namespace {

CommitRef refFor(const git::Repository &repo, const Oid &oid) {
    CommitRef r;
    r.oid = oid;
    if (auto info = repo.commitInfo(oid)) {
        r.subject = info->subject;
        r.author = QStringLiteral("%1 <%2>").arg(info->authorName, info->authorEmail);
        r.authorTime = info->authorTime;
        r.authorOffsetMinutes = info->authorOffsetMinutes;
    }
    return r;
}

// The recipe as a report shows it: a webhook URL can carry a token (user info, path,
// query), so only its scheme, host and port are shown, like the notifier's messages.
QString withoutSecrets(QString toml, const QString &webhook) {
    if (webhook.trimmed().isEmpty())
        return toml;
    const QString shown = QStringLiteral("\"%1\"").arg(
        notify::Notifier::redactedUrl(QUrl(webhook.trimmed(), QUrl::StrictMode)));
    toml.replace(webhook, shown.mid(1, shown.size() - 2));
    // Whatever spelling the value had (escapes, single quotes): every webhook line.
    static const QRegularExpression line(QStringLiteral("^(\\s*webhook\\s*=\\s*).*$"),
                                         QRegularExpression::MultilineOption);
    toml.replace(line, QStringLiteral("\\1") + shown);
    return toml;
}

// The first line a tool prints for --version, when it is installed.
QString toolVersion(const QString &program, const QStringList &args) {
    const QString path = QStandardPaths::findExecutable(program);
    if (path.isEmpty())
        return {};
    process::ProcessSpec spec;
    spec.argv = QStringList{path} + args;
    spec.timeoutMs = 10000;
    QByteArray out;
    if (!process::ProcessRunner::capture(spec, out).succeeded())
        return {};
    return QString::fromUtf8(out).section(u'\n', 0, 0).trimmed();
}

std::vector<std::pair<QString, QString>> environment(const QString &version,
                                                     const QString &recipe) {
    std::vector<std::pair<QString, QString>> env;
    env.emplace_back(QStringLiteral("Bisect Workbench"), version);
    env.emplace_back(QStringLiteral("host kernel"), QSysInfo::kernelVersion());
    env.emplace_back(QStringLiteral("host system"), QSysInfo::prettyProductName());
    if (const QString git = toolVersion(QStringLiteral("git"), {QStringLiteral("--version")});
        !git.isEmpty())
        env.emplace_back(QStringLiteral("git"), git);
    int major = 0, minor = 0, rev = 0;
    git_libgit2_version(&major, &minor, &rev);
    env.emplace_back(QStringLiteral("libgit2"),
                     QStringLiteral("%1.%2.%3").arg(major).arg(minor).arg(rev));
    unsigned long lv = 0;
    if (virGetVersion(&lv, nullptr, nullptr) == 0)
        env.emplace_back(
            QStringLiteral("libvirt"),
            QStringLiteral("%1.%2.%3").arg(lv / 1000000).arg(lv / 1000 % 1000).arg(lv % 1000));
    if (const QString qemu =
            toolVersion(QStringLiteral("qemu-system-x86_64"), {QStringLiteral("--version")});
        !qemu.isEmpty())
        env.emplace_back(QStringLiteral("QEMU"), qemu);
    if (recipe.contains(QStringLiteral("\"nix\"")))
        if (const QString nix = toolVersion(QStringLiteral("nix"), {QStringLiteral("--version")});
            !nix.isEmpty())
            env.emplace_back(QStringLiteral("Nix"), nix);
    return env;
}

} // namespace

Result<ReportData> collectReport(const QString &sessionDir, const QString &workbenchVersion) {
    if (!pipeline::SessionDirectory::holdsSession(sessionDir))
        return Error{QStringLiteral("%1 holds no Bisect Workbench session").arg(sessionDir)};
    auto dir = pipeline::SessionDirectory::open(sessionDir);
    if (!dir)
        return dir.error();
    auto row = dir->store().session(dir->sessionId());
    if (!row)
        return row.error();
    auto entries = dir->readJournal();
    if (!entries)
        return entries.error();

    ReportData data;
    data.repository = row->repository;
    data.status = row->status;
    data.statusMessage = row->message;
    data.recipeHash = row->recipeHash; // of the recipe as it ran, secrets included
    data.startedMs = row->createdMs;
    data.finishedMs = row->updatedMs;
    const recipe::RecipeLoad recipe =
        recipe::RecipeLoader::parse(row->recipeToml, dir->recipePath());
    data.recipeToml = withoutSecrets(row->recipeToml, recipe.recipe.notify.webhook);
    data.title = !recipe.recipe.name.isEmpty()
                     ? recipe.recipe.name
                     : QStringLiteral("Bisect of %1").arg(QFileInfo(row->repository).fileName());
    data.flaky = recipe.recipe.bisect.mode == BisectMode::Flaky;
    if (data.flaky) {
        // The orchestrator's result line says how sure it is ("Found … with 99.2 %
        // confidence …"); the store keeps no other copy of the posterior.
        static const QRegularExpression re(QStringLiteral("with (\\d+(?:\\.\\d+)?) % confidence"));
        if (const auto m = re.match(data.statusMessage); m.hasMatch())
            data.confidence = m.captured(1).toDouble() / 100.0;
    }
    for (const pipeline::JournalEntry &e : *entries) {
        data.steps.push_back(e.step);
        data.stepMarks.push_back(e.mark);
        if (e.step.purpose == StepPurpose::Confirm &&
            e.step.classification.verdict != Verdict::Retry)
            ++data.confirmations;
    }
    QFile logFile(dir->bisectLogPath());
    if (logFile.open(QIODevice::ReadOnly))
        data.bisectLog = QString::fromUtf8(logFile.readAll());
    data.environment = environment(workbenchVersion, row->recipeToml);

    auto repo = git::Repository::open(row->repository);
    if (!repo)
        return Error{
            QStringLiteral("the session's repository %1 cannot be opened").arg(row->repository), 1,
            repo.error().message()};
    auto timeline = readLogTimeline(data.bisectLog);
    if (!timeline)
        return Error{QStringLiteral("the session's bisect log cannot be read"), 1,
                     timeline.error().message()};
    data.terms = timeline->terms;
    std::vector<Oid> tips;
    std::vector<Oid> resolvedOids;
    for (const LogStep &s : timeline->steps) {
        std::optional<Oid> oid = s.sha;
        if (!oid)
            if (auto r = repo->resolveCommit(s.rev))
                oid = *r;
        resolvedOids.push_back(oid.value_or(Oid{}));
    }
    const int startCount = timeline->startStepCount();
    if (startCount < 1)
        return Error{QStringLiteral("the session's bisect log has no start revisions")};
    data.bad = refFor(*repo, resolvedOids[0]);
    for (int i = 1; i < startCount; ++i)
        data.goods.push_back(refFor(*repo, resolvedOids[i]));
    for (const Oid &o : resolvedOids)
        if (!o.isNull())
            tips.push_back(o);
    if (row->culprit)
        data.culprit = refFor(*repo, *row->culprit);

    QStringList cmd{QStringLiteral("bisect-workbench"),
                    QStringLiteral("run"),
                    QStringLiteral("--repo"),
                    row->repository,
                    QStringLiteral("--recipe"),
                    dir->recipePath(),
                    QStringLiteral("--bad"),
                    data.bad.oid.toString()};
    for (const CommitRef &g : data.goods)
        cmd << QStringLiteral("--good") << g.oid.toString();
    if (timeline->firstParent)
        cmd << QStringLiteral("--first-parent");
    QStringList words;
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_/.:=@%+,~^-]+$"));
    for (const QString &w : cmd)
        words << (plain.match(w).hasMatch() ? w : shellQuote(w));
    data.reproduceCommand = words.join(u' ');

    // The range on the DAG: candidates at start, after each step, and at the end.
    auto dag = git::DagLoader::load(*repo, tips);
    if (!dag)
        return dag.error();
    std::vector<CommitDag::Id> resolved;
    for (const Oid &o : resolvedOids)
        resolved.push_back(o.isNull() ? CommitDag::None : dag->find(o));
    const std::vector<BisectQuery> queries = queriesAfterEachStep(*dag, *timeline, resolved);
    const std::vector<CommitDag::Id> initial = BisectEngine::candidates(*dag, queries[startCount]);
    data.candidatesAtStart = static_cast<int>(initial.size());
    for (std::size_t k = startCount + 1; k < queries.size(); ++k)
        data.remainingAfterStep.push_back(
            static_cast<int>(BisectEngine::candidates(*dag, queries[k]).size()));
    const BisectQuery &last = queries.back();
    const BisectOutcome outcome = BisectEngine::select(*dag, last);
    if (outcome.kind == BisectOutcome::Kind::OnlySkipped)
        for (CommitDag::Id c : outcome.possibleFirstBad)
            data.possibleCulprits.push_back(dag->oid(c));
    if (!data.culprit && outcome.kind == BisectOutcome::Kind::FirstBad &&
        data.status == u"finished")
        data.culprit = refFor(*repo, dag->oid(outcome.commit));

    // The graph: the range at start (newest first, capped), coloured by the end state.
    const std::vector<CommitDag::Id> remaining = BisectEngine::candidates(*dag, last);
    std::unordered_map<CommitDag::Id, int> index;
    const std::size_t n = std::min<std::size_t>(initial.size(), MaxGraphNodes);
    for (std::size_t i = 0; i < n; ++i)
        index.emplace(initial[i], static_cast<int>(i));
    std::unordered_map<CommitDag::Id, bool> left;
    for (CommitDag::Id c : remaining)
        left.emplace(c, true);
    std::unordered_map<Oid, std::optional<MarkKind>, OidHash> marked;
    for (std::size_t i = 0; i < data.steps.size(); ++i)
        if (data.stepMarks[i])
            marked[data.steps[i].commit] = data.stepMarks[i];
    for (std::size_t i = 0; i < n; ++i) {
        GraphNode node;
        node.oid = dag->oid(initial[i]);
        for (CommitDag::Id p : dag->parents(initial[i]))
            if (auto it = index.find(p); it != index.end())
                node.parents.push_back(it->second);
        auto m = marked.find(node.oid);
        node.tested = m != marked.end();
        if (data.culprit && node.oid == data.culprit->oid)
            node.state = GraphNode::State::Culprit;
        else if (node.tested && *m->second == MarkKind::Good)
            node.state = GraphNode::State::Good;
        else if (node.tested && *m->second == MarkKind::Bad)
            node.state = GraphNode::State::Bad;
        else if (node.tested)
            node.state = GraphNode::State::Skipped;
        else
            node.state =
                left.count(initial[i]) ? GraphNode::State::Candidate : GraphNode::State::Eliminated;
        data.graph.push_back(std::move(node));
    }
    return data;
}

} // namespace bw::report
