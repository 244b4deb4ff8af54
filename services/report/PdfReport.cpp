#include "services/ServicesLogging.h"
#include "services/report/ReportFigures.h"
#include "services/report/ReportHtml.h"
#include "services/report/ReportWriter.h"

#include <QAbstractTextDocumentLayout>
#include <QColor>
#include <QFont>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QImage>
#include <QPageLayout>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>
#include <QUrl>

#include <algorithm>

namespace bw::report {

using namespace detail;

namespace {
constexpr double kLayoutDpi = 96;
constexpr double kFooterHeight = 24; // layout pixels below each page's text
} // namespace

Status writePdf(const ReportData &data, const QString &path) {
    // Fonts and the text layout need a QGuiApplication; without one Qt would abort.
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return Error{QStringLiteral("cannot write the PDF report %1").arg(path), 1,
                     QStringLiteral("writing a PDF needs a QGuiApplication")};

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("cannot write the PDF report %1").arg(path), 1,
                     file.errorString()};
    // Owner-only until the user shares it: a report names hosts, paths and commits.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    std::vector<Figure> figures{graphFigure(data)};
    for (Figure &f : chartFigures(data))
        figures.push_back(std::move(f));

    QPdfWriter writer(&file);
    writer.setTitle(data.title);
    writer.setCreator(QStringLiteral("Bisect Workbench"));
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait,
                                     QMarginsF(15, 15, 15, 12), QPageLayout::Millimeter));
    writer.setResolution(300);

    // The document is laid out in 96-dpi pixels on the printable area less a footer,
    // against a reference device so the layout does not depend on the screen, then
    // painted page by page scaled to the writer's resolution.
    const QRectF printable = writer.pageLayout().paintRect(QPageLayout::Inch);
    const QSizeF page(printable.width() * kLayoutDpi,
                      printable.height() * kLayoutDpi - kFooterHeight);
    QImage reference(1, 1, QImage::Format_RGB32);
    reference.setDotsPerMeterX(qRound(kLayoutDpi / 0.0254));
    reference.setDotsPerMeterY(qRound(kLayoutDpi / 0.0254));

    QTextDocument doc;
    doc.documentLayout()->setPaintDevice(&reference);
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPointSizeF(9);
    // No ligatures: text copied out of the PDF must read "first", not "ﬁrst".
    font.setStyleStrategy(QFont::PreferNoShaping);
    doc.setDefaultFont(font);
    doc.setDefaultStyleSheet(
        QStringLiteral("pre, code { font-family: 'DejaVu Sans Mono', monospace; font-size: 8pt; }"
                       "h1 { font-size: 16pt; } h2 { font-size: 12pt; } h3 { font-size: 10pt; }"
                       "th { background-color: #f0f2f4; text-align: left; }"
                       "pre { background-color: #f6f8fa; }"));
    for (const Figure &f : figures) {
        // Twice the printed size for sharp lines, bounded so a huge graph stays a sane image.
        const QSizeF shown = printedSize(f);
        const double scale = std::min(2.0 * shown.width() / f.size.width(),
                                      4000.0 / std::max(f.size.width(), f.size.height()));
        doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("figure:") + f.id),
                        toImage(f, scale));
    }
    doc.setHtml(reportHtml(data, HtmlFlavor::TextDocument, figures));
    doc.setDocumentMargin(0);
    doc.setPageSize(page);

    QPainter painter;
    if (!painter.begin(&writer))
        return Error{QStringLiteral("cannot write the PDF report %1").arg(path), 1,
                     QStringLiteral("the PDF writer did not start")};
    painter.scale(writer.logicalDpiX() / kLayoutDpi, writer.logicalDpiY() / kLayoutDpi);
    QFont footerFont(QStringLiteral("DejaVu Sans"));
    footerFont.setPixelSize(10);
    const int pages = doc.pageCount();
    for (int i = 0; i < pages; ++i) {
        if (i > 0)
            writer.newPage();
        painter.save();
        painter.translate(0, -i * page.height());
        doc.drawContents(&painter, QRectF(0, i * page.height(), page.width(), page.height()));
        painter.restore();
        painter.setFont(footerFont);
        painter.setPen(QColor(0x59, 0x63, 0x6e));
        const QRectF footer(0, page.height() + 8, page.width(), kFooterHeight - 8);
        const QString number = QStringLiteral("page %1 of %2").arg(i + 1).arg(pages);
        painter.drawText(footer, Qt::AlignRight | Qt::AlignVCenter, number);
        painter.drawText(
            footer.adjusted(0, 0, -90, 0), Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetricsF(footerFont).elidedText(data.title, Qt::ElideRight, footer.width() - 100));
    }
    painter.end(); // writes the PDF's trailer
    if (file.error() != QFileDevice::NoError || !file.commit())
        return Error{QStringLiteral("cannot write the PDF report %1").arg(path), 1,
                     file.errorString()};
    qCDebug(bwReport) << "wrote" << path;
    return okStatus();
}

} // namespace bw::report
