#pragma once

#include "models/CommitGraphModel.h"

#include <QImage>
#include <QWidget>

namespace bw {

// A thin bar beside the graph: the whole history top to bottom, with the remaining
// range, the marks and the commit under test drawn where they lie. Clicking jumps
// there. The picture is built once per verdict (one pass over the rows), not in paint.
class RangeStrip : public QWidget {
    Q_OBJECT
public:
    explicit RangeStrip(QWidget *parent = nullptr);

    void setAnnotations(const BisectAnnotations &annotations, int rowCount);
    [[nodiscard]] QSize sizeHint() const override { return {14, 200}; }
    [[nodiscard]] const QImage &picture() const { return m_picture; }

signals:
    void rowClicked(int row);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    QImage m_picture;
    int m_rows = 0;
};

} // namespace bw
