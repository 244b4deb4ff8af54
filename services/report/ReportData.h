#pragma once

#include "models/BisectTypes.h"
#include "models/Oid.h"
#include "models/StepRecord.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace bw::report {

struct CommitRef {
    Oid oid;
    QString subject;
    QString author;        // "Name <email>"
    qint64 authorTime = 0; // seconds since the epoch
    int authorOffsetMinutes = 0;
};

// One commit of the tested range for the report's graph: its parents inside the range
// and how the session left it.
struct GraphNode {
    Oid oid;
    std::vector<int> parents; // indexes into ReportData::graph
    enum class State {
        Candidate,
        Good,
        Bad,
        Skipped,
        Eliminated,
        Culprit
    } state = State::Candidate;
    bool tested = false;
};

// Everything a report shows, gathered from the session store and the repository by
// the caller; the writers only format it (plain data, no I/O in the writers except
// the PDF writer's file).
struct ReportData {
    QString title;      // the recipe's name, or "Bisect of <repo>"
    QString repository; // path
    Terms terms;
    QString status; // finished | paused | failed | stopped | running
    QString statusMessage;
    std::optional<CommitRef> culprit;
    std::vector<Oid> possibleCulprits; // only skipped commits left: the candidates
    CommitRef bad;                     // the range: bad and goods as given
    std::vector<CommitRef> goods;
    int candidatesAtStart = 0;
    std::vector<StepRecord> steps;                  // every step, in order (all purposes)
    std::vector<std::optional<MarkKind>> stepMarks; // parallel to steps
    std::vector<int> remainingAfterStep;            // candidates left after each bisect step
    int confirmations = 0;                          // confirm_culprit re-tests that agreed
    std::optional<double> confidence;               // flaky mode: the culprit's posterior
    bool flaky = false;       // recipe mode "flaky": runs are observations, not git marks
    QString bisectLog;        // git's BISECT_LOG, as text
    QString reproduceCommand; // the exact command line that re-runs it
    QString recipeToml;
    QString recipeHash;
    // The environment: workbench version, host kernel, QEMU, libvirt, git, … as
    // (name, value) in display order.
    std::vector<std::pair<QString, QString>> environment;
    std::vector<GraphNode> graph; // the tested range (may be capped for huge ranges)
    qint64 startedMs = 0;
    qint64 finishedMs = 0;
};

} // namespace bw::report
