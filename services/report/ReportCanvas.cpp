#include "services/report/ReportCanvas.h"

#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QPainter>
#include <QPen>

#include <array>
#include <cmath>

namespace bw::report::detail {

namespace {

struct InkStyle {
    Ink ink;
    const char *name;
    const char *light;
    const char *dark;
};

// GitHub-like palettes: readable on white and on a dark background alike.
constexpr std::array<InkStyle, 18> kInks{{
    {Ink::Text, "text", "#1f2328", "#e6edf3"},
    {Ink::Muted, "muted", "#59636e", "#9198a1"},
    {Ink::Grid, "grid", "#d8dee4", "#30363d"},
    {Ink::Edge, "edge", "#8c959f", "#6e7681"},
    {Ink::Candidate, "candidate", "#0969da", "#4493f8"},
    {Ink::Good, "good", "#1a7f37", "#3fb950"},
    {Ink::Bad, "bad", "#cf222e", "#f85149"},
    {Ink::Skipped, "skip", "#bf8700", "#d29922"},
    {Ink::Eliminated, "eliminated", "#c8d1da", "#484f58"},
    {Ink::Culprit, "culprit", "#a40e26", "#ff7b72"},
    {Ink::Retry, "retry", "#8250df", "#a371f7"},
    {Ink::Abort, "abort", "#57606a", "#8b949e"},
    {Ink::Ask, "ask", "#bc4c00", "#f0883e"},
    {Ink::Checkout, "checkout", "#6e7781", "#8b949e"},
    {Ink::Build, "build", "#0969da", "#4493f8"},
    {Ink::Deploy, "deploy", "#8250df", "#a371f7"},
    {Ink::Wait, "wait", "#d4a72c", "#bb8009"},
    {Ink::Test, "test", "#1a7f37", "#3fb950"},
}};

const InkStyle &style(Ink ink) {
    return kInks[std::size_t(ink)];
}

// Coordinates with at most one decimal: enough for a picture, and keeps big graphs small.
QString num(double v) {
    const double r = std::round(v * 10.0) / 10.0;
    if (r == std::floor(r))
        return QString::number(qint64(r));
    return QString::number(r, 'f', 1);
}

QString titleElement(const QString &title) {
    return title.isEmpty() ? QString()
                           : QStringLiteral("<title>%1</title>").arg(title.toHtmlEscaped());
}

class SvgCanvas final : public Canvas {
public:
    QString body;

    void stroke(const QPainterPath &path, Ink ink, double width, bool dashed) override {
        QString d;
        d.reserve(path.elementCount() * 12);
        for (int i = 0; i < path.elementCount(); ++i) {
            const QPainterPath::Element e = path.elementAt(i);
            switch (e.type) {
            case QPainterPath::MoveToElement:
                d += u'M';
                break;
            case QPainterPath::LineToElement:
                d += u'L';
                break;
            case QPainterPath::CurveToElement:
                d += u'C';
                break;
            case QPainterPath::CurveToDataElement:
                d += u' ';
                break;
            }
            d += num(e.x) + u' ' + num(e.y);
        }
        body +=
            QStringLiteral("<path class=\"s-%1\" stroke-width=\"%2\"%3 fill=\"none\" d=\"%4\"/>")
                .arg(QLatin1String(style(ink).name), num(width),
                     dashed ? QStringLiteral(" stroke-dasharray=\"4 3\"") : QString(), d);
    }

    void rect(const QRectF &r, Ink fill, const QString &title) override {
        body += QStringLiteral("<rect class=\"f-%1\" x=\"%2\" y=\"%3\" width=\"%4\" height=\"%5\"")
                    .arg(QLatin1String(style(fill).name), num(r.x()), num(r.y()), num(r.width()),
                         num(r.height()));
        body += title.isEmpty() ? QStringLiteral("/>")
                                : QStringLiteral(">%1</rect>").arg(titleElement(title));
    }

    void circle(QPointF c, double radius, Ink fill, const QString &title) override {
        body += QStringLiteral("<circle class=\"f-%1\" cx=\"%2\" cy=\"%3\" r=\"%4\"")
                    .arg(QLatin1String(style(fill).name), num(c.x()), num(c.y()), num(radius));
        body += title.isEmpty() ? QStringLiteral("/>")
                                : QStringLiteral(">%1</circle>").arg(titleElement(title));
    }

    void ring(QPointF c, double radius, Ink ink, double width) override {
        body += QStringLiteral("<circle class=\"s-%1\" fill=\"none\" stroke-width=\"%2\" "
                               "cx=\"%3\" cy=\"%4\" r=\"%5\"/>")
                    .arg(QLatin1String(style(ink).name), num(width), num(c.x()), num(c.y()),
                         num(radius));
    }

    void text(QPointF at, const QString &text, Ink ink, double size, Anchor anchor,
              bool bold) override {
        static const char *const anchors[] = {"start", "middle", "end"};
        body += QStringLiteral("<text class=\"f-%1\" x=\"%2\" y=\"%3\" font-size=\"%4\"%5%6>%7"
                               "</text>")
                    .arg(QLatin1String(style(ink).name), num(at.x()), num(at.y()), num(size),
                         anchor == Anchor::Start ? QString()
                                                 : QStringLiteral(" text-anchor=\"%1\"")
                                                       .arg(QLatin1String(anchors[int(anchor)])),
                         bold ? QStringLiteral(" font-weight=\"bold\"") : QString(),
                         text.toHtmlEscaped());
    }
};

class PainterCanvas final : public Canvas {
public:
    explicit PainterCanvas(QPainter &p)
        : m_p(p) {}

    void stroke(const QPainterPath &path, Ink ink, double width, bool dashed) override {
        QPen pen(color(ink), width);
        if (dashed)
            pen.setDashPattern({4.0 / width, 3.0 / width});
        m_p.setPen(pen);
        m_p.setBrush(Qt::NoBrush);
        m_p.drawPath(path);
    }
    void rect(const QRectF &r, Ink fill, const QString &) override { m_p.fillRect(r, color(fill)); }
    void circle(QPointF c, double radius, Ink fill, const QString &) override {
        m_p.setPen(Qt::NoPen);
        m_p.setBrush(color(fill));
        m_p.drawEllipse(c, radius, radius);
    }
    void ring(QPointF c, double radius, Ink ink, double width) override {
        m_p.setPen(QPen(color(ink), width));
        m_p.setBrush(Qt::NoBrush);
        m_p.drawEllipse(c, radius, radius);
    }
    void text(QPointF at, const QString &text, Ink ink, double size, Anchor anchor,
              bool bold) override {
        QFont font(QStringLiteral("DejaVu Sans"));
        font.setPixelSize(std::max(1, int(std::lround(size))));
        font.setBold(bold);
        m_p.setFont(font);
        m_p.setPen(color(ink));
        const double w = QFontMetricsF(font).horizontalAdvance(text);
        const double x = anchor == Anchor::Start    ? at.x()
                         : anchor == Anchor::Middle ? at.x() - w / 2
                                                    : at.x() - w;
        m_p.drawText(QPointF(x, at.y()), text);
    }

private:
    static QColor color(Ink ink) { return QColor(QLatin1String(style(ink).light)); }
    QPainter &m_p;
};

} // namespace

QString inkName(Ink ink) {
    return QLatin1String(style(ink).name);
}

QString inkColor(Ink ink) {
    return QLatin1String(style(ink).light);
}

QString inkCss() {
    QString light, dark, classes;
    for (const InkStyle &s : kInks) {
        light += QStringLiteral("--i-%1:%2;").arg(QLatin1String(s.name), QLatin1String(s.light));
        dark += QStringLiteral("--i-%1:%2;").arg(QLatin1String(s.name), QLatin1String(s.dark));
        classes += QStringLiteral(".f-%1{fill:var(--i-%1)}.s-%1{stroke:var(--i-%1)}\n")
                       .arg(QLatin1String(s.name));
    }
    return QStringLiteral(":root{%1}\n@media (prefers-color-scheme: dark){:root{%2}}\n%3"
                          "svg text{font-family:system-ui,'DejaVu Sans',sans-serif}\n")
        .arg(light, dark, classes);
}

QString toSvg(const Figure &figure, bool standalone) {
    SvgCanvas canvas;
    figure.draw(canvas);
    const QString w = num(figure.size.width()), h = num(figure.size.height());
    QString svg = QStringLiteral("<svg");
    if (standalone)
        svg += QStringLiteral(" xmlns=\"http://www.w3.org/2000/svg\"");
    svg += QStringLiteral(" id=\"%1\" class=\"figure\" width=\"%2\" height=\"%3\" "
                          "viewBox=\"0 0 %2 %3\" role=\"img\" aria-label=\"%4\">")
               .arg(figure.id, w, h, figure.title.toHtmlEscaped());
    if (standalone)
        svg += QStringLiteral("<style>%1</style>").arg(inkCss());
    svg += titleElement(figure.title);
    return svg + canvas.body + QStringLiteral("</svg>");
}

QImage toImage(const Figure &figure, double scale) {
    const QSize px(std::max(1, int(std::ceil(figure.size.width() * scale))),
                   std::max(1, int(std::ceil(figure.size.height() * scale))));
    QImage image(px, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    p.scale(scale, scale);
    PainterCanvas canvas(p);
    figure.draw(canvas);
    p.end();
    return image;
}

} // namespace bw::report::detail
