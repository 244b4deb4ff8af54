#pragma once

#include "models/Result.h"
#include "services/report/ReportData.h"

#include <QString>

namespace bw::report {

// Gathers what a report shows from a session directory (its store, its copy of the
// bisect log, its recipe) and the session's repository (commit details, the tested
// range): everything the writers need, as plain data. An Error when the directory holds
// no session or the repository is gone.
[[nodiscard]] Result<ReportData> collectReport(const QString &sessionDir,
                                               const QString &workbenchVersion);

// Caps the report's graph at this many commits (the newest of the range).
inline constexpr int MaxGraphNodes = 2000;

} // namespace bw::report
