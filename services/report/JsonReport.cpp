#include "services/report/ReportFigures.h"
#include "services/report/ReportText.h"
#include "services/report/ReportWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

// The JSON report. docs/report.schema.json describes it: change both together, and bump
// "version" for anything a reader could trip over.

namespace bw::report {

using namespace detail;

namespace {

QJsonValue timeMs(qint64 ms) {
    return ms > 0 ? QJsonValue(ms) : QJsonValue(QJsonValue::Null);
}

QJsonValue timeIso(qint64 ms) {
    return ms > 0 ? QJsonValue(isoUtcMs(ms)) : QJsonValue(QJsonValue::Null);
}

void putTime(QJsonObject &o, const QString &name, qint64 ms) {
    o.insert(name + QStringLiteral("_ms"), timeMs(ms));
    o.insert(name + QStringLiteral("_iso"), timeIso(ms));
}

QJsonObject commitJson(const CommitRef &c) {
    return {
        {QStringLiteral("sha"), c.oid.toString()},
        {QStringLiteral("subject"), c.subject},
        {QStringLiteral("author"), c.author},
        {QStringLiteral("author_time_ms"), c.authorTime * 1000},
        {QStringLiteral("author_time_iso"), isoTime(c.authorTime, c.authorOffsetMinutes)},
        {QStringLiteral("author_offset_minutes"), c.authorOffsetMinutes},
    };
}

QJsonValue markJson(const std::optional<MarkKind> &mark) {
    if (!mark)
        return QJsonValue::Null;
    switch (*mark) {
    case MarkKind::Good:
        return QStringLiteral("good");
    case MarkKind::Bad:
        return QStringLiteral("bad");
    case MarkKind::Skip:
        break;
    }
    return QStringLiteral("skip");
}

QJsonObject stageJson(const StageResult &s) {
    QJsonObject facts;
    for (auto it = s.facts.begin(); it != s.facts.end(); ++it)
        facts.insert(it.key(), it.value());
    return {
        {QStringLiteral("stage"), stageName(s.stage)},
        {QStringLiteral("outcome"), outcomeName(s.outcome)},
        {QStringLiteral("exit_code"), s.exitCode ? QJsonValue(*s.exitCode) : QJsonValue()},
        {QStringLiteral("signal"), s.signal},
        {QStringLiteral("duration_ms"), s.durationMs},
        {QStringLiteral("timeout_ms"), s.timeoutMs},
        {QStringLiteral("iteration"), s.iteration},
        {QStringLiteral("iterations"), s.iterations},
        {QStringLiteral("message"), s.message},
        {QStringLiteral("facts"), facts},
    };
}

QJsonObject stepJson(const ReportData &data, std::size_t i) {
    const StepRecord &s = data.steps[i];
    QJsonArray stages;
    for (const StageResult &st : s.stages)
        stages.append(stageJson(st));
    const std::optional<MarkKind> mark = stepMark(data, i);
    QJsonObject o{
        {QStringLiteral("number"), s.number},
        {QStringLiteral("purpose"), purposeName(s.purpose)},
        {QStringLiteral("attempt"), s.attempt},
        {QStringLiteral("commit"), s.commit.toString()},
        {QStringLiteral("subject"), s.subject},
        {QStringLiteral("verdict"), verdictName(s.classification.verdict)},
        {QStringLiteral("reason"), s.classification.reason},
        {QStringLiteral("rule_line"), s.classification.ruleLine},
        {QStringLiteral("needs_good_check"), s.classification.needsGoodCheck},
        {QStringLiteral("mark"), markJson(mark)},
        {QStringLiteral("mark_term"),
         mark ? QJsonValue(data.terms.termFor(*mark)) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("cancelled"), s.cancelled()},
        {QStringLiteral("duration_ms"), s.durationMs()},
        {QStringLiteral("log_dir"), s.logDir},
        {QStringLiteral("stages"), stages},
    };
    putTime(o, QStringLiteral("started"), s.startedMs);
    putTime(o, QStringLiteral("finished"), s.finishedMs);
    return o;
}

} // namespace

QByteArray toJson(const ReportData &data) {
    const Tally t = tally(data);
    QJsonObject o;
    o.insert(QStringLiteral("schema"), QStringLiteral("bisect-workbench-report"));
    o.insert(QStringLiteral("version"), 1);
    o.insert(QStringLiteral("title"), data.title);
    o.insert(QStringLiteral("repository"), data.repository);
    o.insert(QStringLiteral("terms"), QJsonObject{{QStringLiteral("bad"), data.terms.bad},
                                                  {QStringLiteral("good"), data.terms.good}});
    o.insert(QStringLiteral("status"), data.status);
    o.insert(QStringLiteral("status_message"), data.statusMessage);
    o.insert(QStringLiteral("summary"), summary(data, Markup{[](const QString &s) { return s; },
                                                             [](const QString &s) { return s; }}));
    o.insert(QStringLiteral("culprit"),
             data.culprit ? QJsonValue(commitJson(*data.culprit)) : QJsonValue());
    QJsonArray possible;
    for (const Oid &oid : data.possibleCulprits)
        possible.append(oid.toString());
    o.insert(QStringLiteral("possible_culprits"), possible);

    QJsonArray goods;
    for (const CommitRef &g : data.goods)
        goods.append(commitJson(g));
    o.insert(QStringLiteral("range"),
             QJsonObject{
                 {QStringLiteral("bad"), commitJson(data.bad)},
                 {QStringLiteral("goods"), goods},
                 {QStringLiteral("candidates_at_start"), data.candidatesAtStart},
             });

    QJsonArray steps;
    for (std::size_t i = 0; i < data.steps.size(); ++i)
        steps.append(stepJson(data, i));
    o.insert(QStringLiteral("steps"), steps);
    QJsonArray remaining;
    for (int r : data.remainingAfterStep)
        remaining.append(r);
    o.insert(QStringLiteral("remaining_after_step"), remaining);

    o.insert(QStringLiteral("counts"), QJsonObject{
                                           {QStringLiteral("runs"), t.runs},
                                           {QStringLiteral("bisect_steps"), t.marked},
                                           {QStringLiteral("skipped"), t.skipped},
                                           {QStringLiteral("retries"), t.retries},
                                           {QStringLiteral("confirm_runs"), t.confirmRuns},
                                           {QStringLiteral("endpoint_runs"), t.endpointRuns},
                                           {QStringLiteral("good_checks"), t.goodChecks},
                                       });
    o.insert(QStringLiteral("confirmations"), data.confirmations);
    o.insert(QStringLiteral("confidence"), data.confidence && std::isfinite(*data.confidence)
                                               ? QJsonValue(*data.confidence)
                                               : QJsonValue());
    o.insert(QStringLiteral("bisect_log"), data.bisectLog);
    o.insert(QStringLiteral("reproduce_command"), data.reproduceCommand);
    o.insert(QStringLiteral("recipe"), QJsonObject{
                                           {QStringLiteral("toml"), data.recipeToml},
                                           {QStringLiteral("sha256"), data.recipeHash.toLower()},
                                       });
    QJsonArray env;
    for (const auto &[name, value] : data.environment)
        env.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
    o.insert(QStringLiteral("environment"), env);

    QJsonArray nodes;
    for (const GraphNode &n : data.graph) {
        QJsonArray parents;
        for (int p : n.parents)
            if (p >= 0 && p < int(data.graph.size()))
                parents.append(p);
        nodes.append(QJsonObject{
            {QStringLiteral("sha"), n.oid.toString()},
            {QStringLiteral("parents"), parents},
            {QStringLiteral("state"), stateName(n.state)},
            {QStringLiteral("tested"), n.tested},
        });
    }
    o.insert(QStringLiteral("graph"), nodes);
    putTime(o, QStringLiteral("started"), data.startedMs);
    putTime(o, QStringLiteral("finished"), data.finishedMs);
    o.insert(QStringLiteral("duration_ms"), t.durationMs);
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

} // namespace bw::report
