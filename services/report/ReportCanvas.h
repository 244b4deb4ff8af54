#pragma once

#include <QImage>
#include <QPainterPath>
#include <QPointF>
#include <QRectF>
#include <QString>

#include <functional>
#include <vector>

class QPainter;

// Internal to the report writers: the graph and the charts are drawn once, against this
// small canvas, and come out as inline SVG for the HTML page or painted into an image
// for the PDF (QTextDocument shows no SVG, and bw_services does not link Qt6::Svg).

namespace bw::report::detail {

// A colour by meaning; SVG gets a class per ink (light and dark themes in CSS), the
// painter the light colour.
enum class Ink {
    Text,
    Muted,
    Grid,
    Edge,
    Candidate,
    Good,
    Bad,
    Skipped,
    Eliminated,
    Culprit,
    Retry,
    Abort,
    Ask,
    Checkout,
    Build,
    Deploy,
    Wait,
    Test,
};

enum class Anchor { Start, Middle, End };

class Canvas {
public:
    virtual ~Canvas() = default;
    // Strokes `path` (no fill).
    virtual void stroke(const QPainterPath &path, Ink ink, double width, bool dashed = false) = 0;
    virtual void rect(const QRectF &r, Ink fill, const QString &title = {}) = 0;
    virtual void circle(QPointF centre, double radius, Ink fill, const QString &title = {}) = 0;
    virtual void ring(QPointF centre, double radius, Ink ink, double width) = 0;
    // `at` is on the baseline; `size` in pixels.
    virtual void text(QPointF at, const QString &text, Ink ink, double size,
                      Anchor anchor = Anchor::Start, bool bold = false) = 0;
};

// A picture: its size in CSS pixels and how to draw it.
struct Figure {
    QString id;      // "graph", "chart-remaining", …
    QString title;   // shown above it
    QString caption; // one line below it
    QSizeF size;
    // Draws from the ReportData the figure was made from: use it while that data lives.
    std::function<void(Canvas &)> draw;
};

// The figure as an <svg> element. `standalone` adds the XML namespace and the ink styles
// so the SVG renders on its own; inside the report page the page's style serves.
[[nodiscard]] QString toSvg(const Figure &figure, bool standalone);
// The figure painted at `scale` × its size, on a white background.
[[nodiscard]] QImage toImage(const Figure &figure, double scale);
// The CSS that colours the ink classes, light and dark (prefers-color-scheme).
[[nodiscard]] QString inkCss();
[[nodiscard]] QString inkName(Ink ink);
// The light theme's colour, "#rrggbb" (for the PDF, which has no dark theme).
[[nodiscard]] QString inkColor(Ink ink);

} // namespace bw::report::detail
