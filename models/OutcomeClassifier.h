#pragma once

#include "models/Recipe.h"
#include "models/StepRecord.h"

#include <QRegularExpression>
#include <QString>

#include <functional>
#include <vector>

namespace bw {

// Turns how a step's stages ended into a verdict and a one-line reason: the recipe's
// rules first (in order, first match wins), then RECIPE.md's defaults. A rule is
// matched against the stage that decided the step (the first stage that did not pass,
// or the last stage when all passed); a rule with a pattern also needs the pattern to
// occur in its log.
//
// Defaults: an infrastructure error → retry; build, deploy or wait failed or timed
// out → skip; test passed → good; test failed or timed out → bad. `script` tests use
// `git bisect run`'s codes: 0 good, 125 skip, 1–127 bad (126/127 flagged for git's
// double-check), anything else (or a signal) abort.
class OutcomeClassifier {
public:
    // The text of one of the step's logs, for rule patterns (read only when needed).
    using LogReader = std::function<QString(LogKind)>;

    OutcomeClassifier(std::vector<ClassifyRule> rules, TestKind testKind);

    [[nodiscard]] Classification classify(const StepRecord &step, const LogReader &logs) const;

    // The log a pattern is searched in when a rule names none.
    [[nodiscard]] static std::optional<LogKind> defaultLogFor(StageKind stage);
    // "test iteration 3/15 timed out after 3m", "build failed: exit 2", …
    [[nodiscard]] static QString describe(const StageResult &stage);

private:
    struct CompiledRule {
        ClassifyRule rule;
        QRegularExpression pattern;
    };
    [[nodiscard]] bool matches(const CompiledRule &r, const StageResult &stage,
                               const LogReader &logs, QString &matchedLine) const;
    [[nodiscard]] Classification byDefault(const StageResult &stage) const;

    std::vector<CompiledRule> m_rules;
    TestKind m_testKind;
};

} // namespace bw
