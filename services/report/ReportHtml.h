#pragma once

#include "services/report/ReportCanvas.h"
#include "services/report/ReportData.h"

#include <vector>

// Internal to the report writers: the HTML page, for a browser or for QTextDocument.

namespace bw::report::detail {

enum class HtmlFlavor {
    // One self-contained page: inline CSS with light and dark themes, figures as SVG.
    Browser,
    // The subset QTextDocument renders (for the PDF): plain table attributes, light colours,
    // figures as <img src="figure:<id>"> whose images the caller adds as resources.
    TextDocument,
};

// `figures`: the graph first, then the charts.
[[nodiscard]] QString reportHtml(const ReportData &data, HtmlFlavor flavor,
                                 const std::vector<Figure> &figures);
// The size a figure is shown at in the TextDocument flavour (fits an A4 page).
[[nodiscard]] QSizeF printedSize(const Figure &figure);

} // namespace bw::report::detail
