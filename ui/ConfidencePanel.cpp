#include "ui/ConfidencePanel.h"

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPen>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

namespace bw {

namespace {

constexpr int kLeaders = 8;

} // namespace

ConfidencePanel::ConfidencePanel(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    m_leading = new QLabel(this);
    m_leading->setObjectName(QStringLiteral("leadingCandidate"));
    m_leading->setWordWrap(true);
    m_leading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_leading->font();
    bold.setBold(true);
    m_leading->setFont(bold);
    layout->addWidget(m_leading);

    auto *row = new QHBoxLayout;
    m_goal = new QProgressBar(this);
    m_goal->setObjectName(QStringLiteral("confidenceGoal"));
    m_goal->setRange(0, 1000);
    m_goal->setTextVisible(true);
    row->addWidget(m_goal, 1);
    m_conclude = new QPushButton(tr("Stop now and report"), this);
    m_conclude->setObjectName(QStringLiteral("concludeNow"));
    m_conclude->setToolTip(tr("End the session now with the leading candidate as the culprit, "
                              "at the confidence it has reached (Ctrl+Shift+F)"));
    m_conclude->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    connect(m_conclude, &QPushButton::clicked, this, &ConfidencePanel::concludeRequested);
    row->addWidget(m_conclude);
    layout->addLayout(row);

    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("flakyDetails"));
    m_details->setWordWrap(true);
    layout->addWidget(m_details);

    m_leaders = new QTableWidget(0, 3, this);
    m_leaders->setObjectName(QStringLiteral("leadingCandidates"));
    m_leaders->setHorizontalHeaderLabels({tr("Commit"), tr("Subject"), tr("Posterior")});
    m_leaders->verticalHeader()->hide();
    m_leaders->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_leaders->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_leaders->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_leaders->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    m_leaders->setMaximumHeight(6 * (fontMetrics().height() + 4) + 4);
    layout->addWidget(m_leaders);

    m_chart = new QChart;
    m_chart->setTitle(tr("Posterior over the candidates, oldest → newest"));
    m_chart->legend()->hide();
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    QFont small = m_chart->titleFont();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_chart->setTitleFont(small);
    m_view = new QChartView(m_chart, this);
    m_view->setObjectName(QStringLiteral("posteriorChart"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(200);
    layout->addWidget(m_view, 1);
    // One area series and two axes for the panel's life; updates only replace points.
    m_curve = new QLineSeries(this);
    m_area = new QAreaSeries(m_curve);
    QColor fill = palette().highlight().color();
    m_area->setPen(QPen(fill, 1.5));
    fill.setAlpha(110);
    m_area->setBrush(fill);
    m_chart->addSeries(m_area);
    m_axisX = new QValueAxis;
    m_axisX->setLabelFormat(QStringLiteral("%d"));
    m_chart->addAxis(m_axisX, Qt::AlignBottom);
    m_area->attachAxis(m_axisX);
    m_axisY = new QValueAxis;
    m_axisY->setLabelFormat(QStringLiteral("%.0f %%"));
    m_chart->addAxis(m_axisY, Qt::AlignLeft);
    m_area->attachAxis(m_axisY);
    setStatus(std::nullopt);
}

void ConfidencePanel::setConcludable(bool concludable) {
    m_concludable = concludable;
    m_conclude->setEnabled(m_concludable && m_hasStatus);
}

QString ConfidencePanel::leadingText() const {
    return m_leading->text();
}

void ConfidencePanel::setStatus(const std::optional<pipeline::FlakyStatus> &status) {
    m_hasStatus = status && !status->top.empty();
    m_conclude->setEnabled(m_concludable && m_hasStatus);
    m_curve->clear();
    if (!m_hasStatus) {
        m_leading->setText(status ? tr("No candidate explains the runs")
                                  : tr("Not a flaky session: the classic bisect's range is "
                                       "in the graph"));
        m_goal->setValue(0);
        m_goal->setFormat(QString());
        m_details->clear();
        m_leaders->setRowCount(0);
        m_conclude->setText(tr("Stop now and report"));
        return;
    }
    const pipeline::FlakyCandidate &lead = status->top.front();
    m_leading->setText(
        tr("Most likely first bad commit: %1 %2 — %3")
            .arg(lead.commit.toString().left(12), lead.subject, formatPercent(lead.probability)));
    m_goal->setValue(int(std::min(1.0, lead.probability / status->confidence) * 1000));
    m_goal->setFormat(formatPercent(lead.probability));
    m_goal->setToolTip(
        tr("%1 of the %2 the recipe asks for")
            .arg(formatPercent(lead.probability), formatPercent(status->confidence)));
    m_conclude->setText(tr("Stop now and report with %1").arg(formatPercent(lead.probability)));
    m_details->setText(tr("Goal: %1 · %n candidate(s) left · %2 test runs, %3 failed · %4", nullptr,
                          status->candidates)
                           .arg(formatPercent(status->confidence))
                           .arg(status->runs)
                           .arg(status->fails)
                           .arg(status->detection));

    const int rows = std::min<int>(kLeaders, int(status->top.size()));
    m_leaders->setRowCount(rows);
    for (int i = 0; i < rows; ++i) {
        const pipeline::FlakyCandidate &c = status->top[std::size_t(i)];
        m_leaders->setItem(i, 0, new QTableWidgetItem(c.commit.toString().left(12)));
        m_leaders->setItem(i, 1, new QTableWidgetItem(c.subject));
        auto *p = new QTableWidgetItem(formatPercent(c.probability));
        p->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_leaders->setItem(i, 2, p);
    }
    m_leaders->resizeColumnToContents(0);
    m_leaders->resizeColumnToContents(2);

    // The whole posterior as an area over the candidates in history order.
    QList<QPointF> points;
    double top = 0;
    for (std::size_t i = 0; i < status->curve.size(); ++i) {
        const double x = double(i) * status->curveBucket;
        points << QPointF(x, status->curve[i] * 100.0)
               << QPointF(x + status->curveBucket, status->curve[i] * 100.0);
        top = std::max(top, status->curve[i] * 100.0);
    }
    m_curve->replace(points);
    m_axisX->setRange(0, std::max<double>(1, double(status->curve.size()) * status->curveBucket));
    m_axisX->setTitleText(tr("candidate (%n per point)", nullptr, status->curveBucket));
    m_axisY->setRange(0, std::min(100.0, std::max(1.0, top * 1.1)));
}

WorkersView::WorkersView(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(QStringLiteral("workersTable"));
    m_table->setHorizontalHeaderLabels({tr("Worker"), tr("Step"), tr("Commit"), tr("Stage")});
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    layout->addWidget(m_table);
}

void WorkersView::setWorkers(const QStringList &names) {
    m_table->setRowCount(int(names.size()));
    for (int i = 0; i < names.size(); ++i) {
        m_table->setItem(i, 0, new QTableWidgetItem(names[i]));
        m_table->setItem(i, 1, new QTableWidgetItem);
        m_table->setItem(i, 2, new QTableWidgetItem(tr("idle")));
        m_table->setItem(i, 3, new QTableWidgetItem);
    }
    m_table->resizeColumnToContents(0);
}

void WorkersView::workerChanged(int worker, int number, const Oid &commit, const QString &subject) {
    if (worker < 0 || worker >= m_table->rowCount())
        return;
    m_table->item(worker, 1)->setText(number > 0 ? QString::number(number) : QString());
    m_table->item(worker, 1)->setData(Qt::UserRole, number);
    m_table->item(worker, 2)->setText(
        number > 0 ? QStringLiteral("%1 %2").arg(commit.toString().left(12), subject) : tr("idle"));
    m_table->item(worker, 3)->setText(number > 0 ? tr("starting") : QString());
}

void WorkersView::stageStarted(int number, StageKind stage) {
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (m_table->item(row, 1)->data(Qt::UserRole).toInt() == number)
            m_table->item(row, 3)->setText(stageName(stage));
}

} // namespace bw
