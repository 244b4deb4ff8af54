#pragma once

#include <QColor>

#include <QStyledItemDelegate>
#include <array>

namespace bw {

// Paints the commit graph's rows only from model roles: lanes in the Graph column, and
// the bisect state of every row (marks, the remaining range, the commit under test, the
// first bad commit) as colours. Pens and colours are built once, never in paint().
class CommitGraphDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    static constexpr int LaneWidth = 14;

    explicit CommitGraphDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    [[nodiscard]] QSize sizeHint(const QStyleOptionViewItem &option,
                                 const QModelIndex &index) const override;

    // Colours of the states, shared with the legend.
    static QColor goodColor() { return QColor(0x2e, 0x9d, 0x4b); }
    static QColor badColor() { return QColor(0xd0, 0x36, 0x36); }
    static QColor skipColor() { return QColor(0xd8, 0x8a, 0x1c); }
    static QColor testColor() { return QColor(0x2f, 0x6f, 0xdb); }

private:
    void paintLanes(QPainter *painter, const QStyleOptionViewItem &option,
                    const QModelIndex &index) const;
    // Ref badges at the left of the subject; returns the width they took.
    int paintBadges(QPainter *painter, const QStyleOptionViewItem &option,
                    const QStringList &refs) const;
    std::array<QColor, 8> m_laneColors;
};

} // namespace bw
