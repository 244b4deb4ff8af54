#pragma once

#include "models/Oid.h"
#include "models/Recipe.h"

#include <QMap>
#include <QString>

#include <optional>
#include <vector>

namespace bw {

// How one stage of a step ended.
struct StageResult {
    StageKind stage = StageKind::Checkout;
    StageOutcome outcome = StageOutcome::Passed;
    std::optional<int> exitCode; // when the stage's command exited by itself
    int signal = 0;              // when it was killed by a signal (not by our timeout)
    Millis durationMs = 0;
    Millis timeoutMs = 0;         // the limit that applied (per iteration for tests)
    int iteration = 0;            // tests: the iteration that decided (1-based), or the last one
    int iterations = 0;           // tests: how many were asked for
    QString message;              // one line: "exit 2", "timed out after 3m", "cannot run …"
    QMap<QString, QString> facts; // what the stage learned: version, result, result_hash
};

// The verdict for a step and why, in one line ("test iteration 3/15 timed out after 3m").
struct Classification {
    Verdict verdict = Verdict::Skip;
    QString reason;
    int ruleLine = 0; // the recipe line of the user's rule that decided; 0 for a default
    // A `script` test ended with 126 or 127: git double-checks the command on a good
    // commit before it believes the command ran at all.
    bool needsGoodCheck = false;
};

// Why a commit was tested.
enum class StepPurpose {
    Bisect,    // chosen by the engine; its verdict becomes a mark
    Endpoint,  // check_endpoints: the given bad or good commit, tested first
    Confirm,   // confirm_culprit: the culprit or its parent, re-tested at the end
    GoodCheck, // git's 126/127 double-check on a good commit
};

// "bisect", "endpoint", "confirm", "good-check": how the store and reports spell them.
[[nodiscard]] QString purposeName(StepPurpose purpose);
[[nodiscard]] std::optional<StepPurpose> purposeFromName(const QString &name);

// One tested commit.
struct StepRecord {
    int number = 0; // 1, 2, … in the session
    StepPurpose purpose = StepPurpose::Bisect;
    int attempt = 1; // > 1 when an infrastructure error made us run it again
    Oid commit;
    QString subject;
    std::vector<StageResult> stages;
    Classification classification;
    qint64 startedMs = 0; // epoch ms
    qint64 finishedMs = 0;
    QString logDir; // where build.log, test.log, console.log and pipeline.log are

    // The stage that decided the step: the first one that did not pass, or the last.
    [[nodiscard]] const StageResult *decidingStage() const;
    [[nodiscard]] bool cancelled() const;
    [[nodiscard]] Millis durationMs() const { return finishedMs - startedMs; }
};

} // namespace bw
