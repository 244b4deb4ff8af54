#include "models/OutcomeClassifier.h"

namespace bw {

OutcomeClassifier::OutcomeClassifier(std::vector<ClassifyRule> rules, TestKind testKind)
    : m_testKind(testKind) {
    for (ClassifyRule &r : rules) {
        CompiledRule c{std::move(r), {}};
        if (!c.rule.pattern.isEmpty())
            c.pattern = QRegularExpression(c.rule.pattern, QRegularExpression::MultilineOption);
        m_rules.push_back(std::move(c));
    }
}

std::optional<LogKind> OutcomeClassifier::defaultLogFor(StageKind stage) {
    switch (stage) {
    case StageKind::Build:
        return LogKind::Build;
    case StageKind::Test:
        return LogKind::Test;
    case StageKind::Deploy:
    case StageKind::Wait:
        return LogKind::Console;
    case StageKind::Checkout:
        return LogKind::Pipeline;
    case StageKind::Any:
        break;
    }
    return std::nullopt;
}

QString OutcomeClassifier::describe(const StageResult &s) {
    QString who = stageName(s.stage);
    if (s.stage == StageKind::Test && s.iterations > 1)
        who = QStringLiteral("test iteration %1/%2").arg(s.iteration).arg(s.iterations);
    const QString detail = s.message.isEmpty() ? QString() : QStringLiteral(": ") + s.message;
    switch (s.outcome) {
    case StageOutcome::Passed:
        if (s.stage == StageKind::Test && s.iterations > 1)
            return QStringLiteral("test passed all %1 iterations").arg(s.iterations);
        return QStringLiteral("%1 passed").arg(stageName(s.stage));
    case StageOutcome::Failed:
        return QStringLiteral("%1 failed%2").arg(who, detail);
    case StageOutcome::Timeout:
        return QStringLiteral("%1 timed out after %2").arg(who, formatDuration(s.timeoutMs));
    case StageOutcome::Error:
        return QStringLiteral("%1: infrastructure error%2").arg(who, detail);
    case StageOutcome::Cancelled:
        return QStringLiteral("%1 cancelled").arg(who);
    }
    return who;
}

bool OutcomeClassifier::matches(const CompiledRule &c, const StageResult &s, const LogReader &logs,
                                QString &matchedLine) const {
    const ClassifyRule &r = c.rule;
    if (s.outcome == StageOutcome::Cancelled)
        return false;
    if (r.stage != StageKind::Any && r.stage != s.stage)
        return false;
    switch (r.outcome.kind) {
    case OutcomeMatch::Kind::Any:
        break;
    case OutcomeMatch::Kind::Passed:
        if (s.outcome != StageOutcome::Passed)
            return false;
        break;
    case OutcomeMatch::Kind::Failed:
        if (s.outcome != StageOutcome::Failed)
            return false;
        break;
    case OutcomeMatch::Kind::Timeout:
        if (s.outcome != StageOutcome::Timeout)
            return false;
        break;
    case OutcomeMatch::Kind::Error:
        if (s.outcome != StageOutcome::Error)
            return false;
        break;
    case OutcomeMatch::Kind::Exit:
        if (!s.exitCode || *s.exitCode < r.outcome.exitLow || *s.exitCode > r.outcome.exitHigh)
            return false;
        break;
    }
    if (r.pattern.isEmpty())
        return true;
    const std::optional<LogKind> log = r.log ? r.log : defaultLogFor(s.stage);
    if (!log || !logs || !c.pattern.isValid())
        return false;
    const QString text = logs(*log);
    const QRegularExpressionMatch m = c.pattern.match(text);
    if (!m.hasMatch())
        return false;
    const qsizetype begin = text.lastIndexOf(u'\n', m.capturedStart()) + 1;
    qsizetype end = text.indexOf(u'\n', m.capturedStart());
    if (end < 0)
        end = text.size();
    matchedLine = text.mid(begin, end - begin).trimmed().left(160);
    return true;
}

Classification OutcomeClassifier::classify(const StepRecord &step, const LogReader &logs) const {
    const StageResult *s = step.decidingStage();
    if (!s)
        return {Verdict::Retry, QStringLiteral("the step ran no stage"), 0, false};
    if (s->outcome == StageOutcome::Cancelled)
        return {Verdict::Retry, describe(*s), 0, false};
    for (const CompiledRule &c : m_rules) {
        QString line;
        if (!matches(c, *s, logs, line))
            continue;
        QString reason = describe(*s);
        if (!line.isEmpty())
            reason += QStringLiteral("; %1 log matched \"%2\"")
                          .arg(logName(c.rule.log ? *c.rule.log : *defaultLogFor(s->stage)), line);
        reason += QStringLiteral(" (rule at line %1)").arg(c.rule.line);
        return {c.rule.verdict, reason, c.rule.line, false};
    }
    return byDefault(*s);
}

Classification OutcomeClassifier::byDefault(const StageResult &s) const {
    const QString why = describe(s);
    if (s.outcome == StageOutcome::Error)
        // A fault no retry can fix (a host key to check) goes to a human at once.
        return {s.facts.contains(QStringLiteral("needs_human")) ? Verdict::Ask : Verdict::Retry,
                why, 0, false};
    switch (s.stage) {
    case StageKind::Checkout:
        // A commit that cannot be checked out says nothing about the regression: retry,
        // then pause for a human.
        return {Verdict::Retry, why, 0, false};
    case StageKind::Build:
    case StageKind::Deploy:
    case StageKind::Wait:
        return {s.outcome == StageOutcome::Passed ? Verdict::Good : Verdict::Skip, why, 0, false};
    case StageKind::Any:
        break;
    case StageKind::Test:
        if (m_testKind == TestKind::Script && s.outcome != StageOutcome::Timeout) {
            // `git bisect run`'s exit codes; a signal counts as >= 128, like git's.
            if (!s.exitCode)
                return {Verdict::Abort,
                        QStringLiteral("the script was killed (%1): git bisect run stops on that")
                            .arg(s.message),
                        0, false};
            const int code = *s.exitCode;
            const QString ran =
                s.iterations > 1
                    ? QStringLiteral("test iteration %1/%2: ").arg(s.iteration).arg(s.iterations)
                    : QString();
            if (code == 0)
                return {Verdict::Good, why, 0, false};
            if (code == 125)
                return {Verdict::Skip, ran + QStringLiteral("the script exited 125 (skip)"), 0,
                        false};
            if (code >= 1 && code <= 127)
                return {Verdict::Bad, ran + QStringLiteral("the script exited %1").arg(code), 0,
                        code == 126 || code == 127};
            return {Verdict::Abort,
                    ran + QStringLiteral("exit code %1 from the script is < 0 or >= 128").arg(code),
                    0, false};
        }
        return {s.outcome == StageOutcome::Passed ? Verdict::Good : Verdict::Bad, why, 0, false};
    }
    return {Verdict::Ask, why, 0, false};
}

} // namespace bw
