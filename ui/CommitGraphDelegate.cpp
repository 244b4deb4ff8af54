#include "ui/CommitGraphDelegate.h"

#include "models/CommitGraphModel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace bw {

namespace {
constexpr int role(CommitGraphModel::Role r) {
    return static_cast<int>(r);
}
} // namespace

CommitGraphDelegate::CommitGraphDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
    , m_laneColors{QColor(0x4c, 0x72, 0xb0), QColor(0x55, 0xa8, 0x68), QColor(0x81, 0x72, 0xb2),
                   QColor(0xcc, 0xb9, 0x74), QColor(0x64, 0xb5, 0xcd), QColor(0xc4, 0x4e, 0x52),
                   QColor(0x8c, 0x61, 0x3c), QColor(0xda, 0x8b, 0xc3)} {}

QSize CommitGraphDelegate::sizeHint(const QStyleOptionViewItem &option,
                                    const QModelIndex &index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() == static_cast<int>(CommitGraphModel::Column::Graph)) {
        const auto lanes = index.data(role(CommitGraphModel::Role::LanesRole)).value<LaneRow>();
        size.setWidth((lanes.width() + 1) * LaneWidth);
    }
    return size;
}

void CommitGraphDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                const QModelIndex &index) const {
    const auto states =
        CommitStates::fromInt(index.data(role(CommitGraphModel::Role::StateRole)).toInt());
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);

    // Row backgrounds: the commit under test, the first bad, the remaining range.
    QColor background;
    if (states & CommitState::UnderTest)
        background = testColor();
    else if (states & (CommitState::FirstBad | CommitState::PossibleFirstBad))
        background = badColor();
    else if (states & CommitState::Candidate)
        background = opt.palette.color(QPalette::Highlight);
    if (background.isValid() && !(opt.state & QStyle::State_Selected)) {
        background.setAlpha(
            states & CommitState::Candidate && !(states & CommitState::UnderTest) ? 28 : 70);
        painter->fillRect(opt.rect, background);
    }
    if (states & CommitState::Eliminated) {
        // Out of the range: dimmed, but still readable.
        QColor text = opt.palette.color(QPalette::Text);
        text.setAlpha(110);
        opt.palette.setColor(QPalette::Text, text);
    }
    if (states & (CommitState::UnderTest | CommitState::FirstBad))
        opt.font.setBold(true);

    if (index.column() == static_cast<int>(CommitGraphModel::Column::Subject)) {
        const QStringList refs = index.data(role(CommitGraphModel::Role::RefsRole)).toStringList();
        if (!refs.isEmpty()) {
            // Selection and background first, then the badges, then the text after them.
            QStyleOptionViewItem background = opt;
            background.text.clear();
            QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &background, painter,
                                               opt.widget);
            const int shift = paintBadges(painter, opt, refs);
            opt.rect.adjust(shift, 0, 0, 0);
            opt.backgroundBrush = Qt::NoBrush;
            opt.state &= ~QStyle::State_Selected;
            if (option.state & QStyle::State_Selected)
                opt.palette.setColor(QPalette::Text, opt.palette.color(QPalette::HighlightedText));
        }
    }
    if (index.column() != static_cast<int>(CommitGraphModel::Column::Graph)) {
        QStyledItemDelegate::paint(painter, opt, index);
        return;
    }
    // Selection background only, then the lanes.
    opt.text.clear();
    QApplication::style()->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);
    paintLanes(painter, opt, index);
}

int CommitGraphDelegate::paintBadges(QPainter *painter, const QStyleOptionViewItem &option,
                                     const QStringList &refs) const {
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    QFont font = option.font;
    if (font.pixelSize() > 0)
        font.setPixelSize(std::max(1, font.pixelSize() * 85 / 100));
    else
        font.setPointSizeF(font.pointSizeF() * 0.85);
    painter->setFont(font);
    const QFontMetrics fm(font);
    int x = option.rect.left() + 4;
    const int height = fm.height() + 2;
    const int y = option.rect.center().y() - height / 2 + 1;
    for (const QString &ref : refs) {
        const int width = fm.horizontalAdvance(ref) + 10;
        const QRectF box(x, y, width, height);
        const bool tag = ref.startsWith(u'v') && ref.size() > 1 && ref[1].isDigit();
        const QColor color = ref == u"HEAD" ? testColor()
                             : tag          ? QColor(0x8a, 0x6d, 0x1f)
                                            : QColor(0x3b, 0x7d, 0x3b);
        QColor fill = color;
        fill.setAlpha(40);
        painter->setPen(QPen(color, 1));
        painter->setBrush(fill);
        painter->drawRoundedRect(box, 4, 4);
        painter->setPen(option.palette.color(QPalette::Text));
        painter->drawText(box, Qt::AlignCenter, ref);
        x += width + 4;
    }
    painter->restore();
    return x - option.rect.left();
}

void CommitGraphDelegate::paintLanes(QPainter *painter, const QStyleOptionViewItem &option,
                                     const QModelIndex &index) const {
    const auto lanes = index.data(role(CommitGraphModel::Role::LanesRole)).value<LaneRow>();
    if (lanes.isNull())
        return;
    const auto states =
        CommitStates::fromInt(index.data(role(CommitGraphModel::Role::StateRole)).toInt());
    const QRect r = option.rect;
    const qreal top = r.top(), bottom = r.bottom() + 1, mid = r.center().y() + 0.5;
    auto x = [&](int lane) { return r.left() + lane * LaneWidth + LaneWidth / 2.0; };
    const bool dim = states & CommitState::Eliminated;
    auto pen = [&](int lane) {
        QColor c = m_laneColors[static_cast<std::size_t>(lane) % m_laneColors.size()];
        if (dim)
            c.setAlpha(90);
        return QPen(c, 1.6);
    };

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setClipRect(r);
    const int node = lanes.nodeLane();
    for (const LaneSegment &s : lanes.segments()) {
        switch (s.kind) {
        case LaneSegment::Kind::Pass:
            for (int l = s.lane; l <= s.other; ++l) {
                painter->setPen(pen(l));
                painter->drawLine(QPointF(x(l), top), QPointF(x(l), bottom));
            }
            break;
        case LaneSegment::Kind::Node:
            painter->setPen(pen(s.lane));
            if (s.flags & LaneSegment::NodeAbove)
                painter->drawLine(QPointF(x(s.lane), top), QPointF(x(s.lane), mid));
            if (s.flags & LaneSegment::NodeBelow)
                painter->drawLine(QPointF(x(s.lane), mid), QPointF(x(s.lane), bottom));
            break;
        case LaneSegment::Kind::MergeIn: {
            painter->setPen(pen(s.lane));
            QPainterPath path(QPointF(x(s.lane), top));
            path.quadTo(QPointF(x(s.lane), mid), QPointF(x(s.other), mid));
            painter->drawPath(path);
            break;
        }
        case LaneSegment::Kind::ForkOut: {
            painter->setPen(pen(s.lane));
            QPainterPath path(QPointF(x(s.other), mid));
            path.quadTo(QPointF(x(s.lane), mid), QPointF(x(s.lane), bottom));
            painter->drawPath(path);
            break;
        }
        }
    }

    // The commit itself: its colour says its mark; a ring marks the commit under test.
    QColor fill = option.palette.color(QPalette::Base);
    QColor ring = m_laneColors[static_cast<std::size_t>(node) % m_laneColors.size()];
    if (states & CommitState::Good)
        fill = ring = goodColor();
    else if (states & (CommitState::Bad | CommitState::FirstBad))
        fill = ring = badColor();
    else if (states & CommitState::Skipped)
        fill = ring = skipColor();
    else if (states & CommitState::Candidate)
        fill = ring;
    if (dim) {
        fill.setAlpha(110);
        ring.setAlpha(110);
    }
    const qreal radius = states & (CommitState::UnderTest | CommitState::FirstBad) ? 5.0 : 3.6;
    painter->setPen(QPen(ring, 1.5));
    painter->setBrush(fill);
    painter->drawEllipse(QPointF(x(node), mid), radius, radius);
    if (states & CommitState::UnderTest) {
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(testColor(), 2));
        painter->drawEllipse(QPointF(x(node), mid), radius + 3, radius + 3);
    }
    painter->restore();
}

} // namespace bw
