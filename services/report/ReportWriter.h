#pragma once

#include "models/Result.h"
#include "services/report/ReportData.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace bw::report {

enum class Format { Markdown, Html, Pdf, Json };
[[nodiscard]] std::optional<Format> formatFromName(const QString &name); // md html pdf json

// Markdown ready to paste into a bug tracker or a regression report on a mailing list:
// the range, the first bad commit, how sure we are, the `git bisect log` in a code
// block, the reproduce command, the environment, the recipe and its hash, and the
// `#regzbot introduced: <sha>` line.
[[nodiscard]] QString toMarkdown(const ReportData &data);
// The same as one self-contained HTML page, plus the tested range as inline SVG, the
// step table with durations and reasons, and the charts (inline SVG too).
[[nodiscard]] QString toHtml(const ReportData &data);
// Everything, with "schema": "bisect-workbench-report" and "version": 1 (see
// docs/report.schema.json, which describes it).
[[nodiscard]] QByteArray toJson(const ReportData &data);
// The HTML document printed to a PDF file. Needs a QGuiApplication (offscreen works).
[[nodiscard]] Status writePdf(const ReportData &data, const QString &path);

// The tested range as SVG: commits as dots by state, edges to parents, the culprit
// ringed.
[[nodiscard]] QString graphSvg(const ReportData &data);

} // namespace bw::report
