#include "services/report/ReportWriter.h"

// The writers live beside this file, one per format: MarkdownReport.cpp, HtmlReport.cpp,
// JsonReport.cpp, PdfReport.cpp, with the pictures in GraphSvg.cpp and Charts.cpp drawn
// on ReportCanvas, and the shared wording in ReportText.cpp.

namespace bw::report {

std::optional<Format> formatFromName(const QString &name) {
    const QString n = name.trimmed().toLower();
    if (n == u"md" || n == u"markdown")
        return Format::Markdown;
    if (n == u"html" || n == u"htm")
        return Format::Html;
    if (n == u"pdf")
        return Format::Pdf;
    if (n == u"json")
        return Format::Json;
    return std::nullopt;
}

} // namespace bw::report
