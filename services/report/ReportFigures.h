#pragma once

#include "services/report/ReportCanvas.h"
#include "services/report/ReportData.h"

#include <vector>

// Internal to the report writers: the pictures of a report, drawn on a Canvas.

namespace bw::report::detail {

// Above this many commits, runs of untested commits in a line (same state, one parent,
// one child) are drawn as one segment, so a range of thousands stays a small picture.
inline constexpr int kCollapseAbove = 64;
// A run shorter than this is drawn commit by commit anyway.
inline constexpr int kMinCollapsedRun = 4;

// The tested range, newest at the top, in layers (a commit is below all its children).
[[nodiscard]] Figure graphFigure(const ReportData &data);
// The charts that have data: remaining candidates per step (log scale), stage durations
// per step (stacked by stage), and throughput per test iteration when the test stages
// recorded `throughput_mbps_<n>` facts.
[[nodiscard]] std::vector<Figure> chartFigures(const ReportData &data);

// The ink of a verdict class (see verdictClass).
[[nodiscard]] Ink verdictInk(const QString &verdictClass);
[[nodiscard]] Ink stateInk(GraphNode::State state);
[[nodiscard]] QString stateName(GraphNode::State state);

} // namespace bw::report::detail
