#include "models/StepRecord.h"

namespace bw {

QString purposeName(StepPurpose purpose) {
    switch (purpose) {
    case StepPurpose::Bisect:
        return QStringLiteral("bisect");
    case StepPurpose::Endpoint:
        return QStringLiteral("endpoint");
    case StepPurpose::Confirm:
        return QStringLiteral("confirm");
    case StepPurpose::GoodCheck:
        return QStringLiteral("good-check");
    }
    return QStringLiteral("bisect");
}

std::optional<StepPurpose> purposeFromName(const QString &name) {
    for (StepPurpose p :
         {StepPurpose::Bisect, StepPurpose::Endpoint, StepPurpose::Confirm, StepPurpose::GoodCheck})
        if (purposeName(p) == name)
            return p;
    return std::nullopt;
}

const StageResult *StepRecord::decidingStage() const {
    for (const StageResult &s : stages)
        if (s.outcome != StageOutcome::Passed)
            return &s;
    return stages.empty() ? nullptr : &stages.back();
}

bool StepRecord::cancelled() const {
    const StageResult *s = decidingStage();
    return s && s->outcome == StageOutcome::Cancelled;
}

} // namespace bw
