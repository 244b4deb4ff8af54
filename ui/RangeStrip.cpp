#include "ui/RangeStrip.h"

#include "ui/CommitGraphDelegate.h"

#include <QMouseEvent>
#include <QPainter>

namespace bw {

namespace {
// Which state wins when several rows share one pixel.
int rank(CommitStates s) {
    if (s & CommitState::UnderTest)
        return 6;
    if (s & (CommitState::FirstBad | CommitState::PossibleFirstBad | CommitState::Bad))
        return 5;
    if (s & CommitState::Good)
        return 4;
    if (s & CommitState::Skipped)
        return 3;
    if (s & CommitState::Candidate)
        return 2;
    return s & CommitState::Eliminated ? 1 : 0;
}
} // namespace

RangeStrip::RangeStrip(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("rangeStrip"));
    setFixedWidth(14);
    setToolTip(tr("Where the remaining commits lie in the whole history; click to jump"));
    setCursor(Qt::PointingHandCursor);
}

void RangeStrip::setAnnotations(const BisectAnnotations &annotations, int rowCount) {
    m_rows = rowCount;
    const int height = std::clamp(rowCount, 1, 2048);
    std::vector<int> best(static_cast<std::size_t>(height), 0);
    for (int row = 0; row < rowCount; ++row) {
        const int y = static_cast<int>(static_cast<qint64>(row) * height / rowCount);
        best[static_cast<std::size_t>(y)] =
            std::max(best[static_cast<std::size_t>(y)],
                     rank(annotations.states(static_cast<CommitDag::Id>(row))));
    }
    const QColor colors[] = {palette().color(QPalette::Window),    palette().color(QPalette::Mid),
                             palette().color(QPalette::Highlight), CommitGraphDelegate::skipColor(),
                             CommitGraphDelegate::goodColor(),     CommitGraphDelegate::badColor(),
                             CommitGraphDelegate::testColor()};
    m_picture = QImage(1, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y)
        m_picture.setPixelColor(0, y, colors[best[static_cast<std::size_t>(y)]]);
    update();
}

void RangeStrip::paintEvent(QPaintEvent *) {
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Window));
    if (!m_picture.isNull())
        p.drawImage(rect().adjusted(3, 0, -3, 0), m_picture);
}

void RangeStrip::mousePressEvent(QMouseEvent *event) {
    if (m_rows <= 0 || height() <= 0)
        return;
    const int row =
        static_cast<int>(static_cast<qint64>(event->position().y()) * m_rows / height());
    emit rowClicked(std::clamp(row, 0, m_rows - 1));
}

} // namespace bw
