#include "ui/RunCharts.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QRegularExpression>
#include <QStackedBarSeries>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bw {

namespace {

// More lines than this and the legend would hide the chart.
constexpr int kMaxLegendEntries = 10;

int stackIndex(StageKind kind) {
    const auto &s = RunCharts::StackedStages;
    const auto it = std::find(s.begin(), s.end(), kind);
    return it == s.end() ? -1 : int(it - s.begin());
}

QString stageTitle(StageKind kind) {
    switch (kind) {
    case StageKind::Checkout:
        return RunCharts::tr("checkout");
    case StageKind::Build:
        return RunCharts::tr("build");
    case StageKind::Deploy:
        return RunCharts::tr("deploy");
    case StageKind::Wait:
        return RunCharts::tr("wait");
    case StageKind::Test:
        return RunCharts::tr("test");
    case StageKind::Any:
        break;
    }
    return {};
}

// An integer axis over [0, max] (or [1, max]) with at most ~10 labelled ticks.
void setIntegerRange(QValueAxis *axis, double min, double max) {
    max = std::max(max, min + 1);
    axis->setRange(min, max);
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(min);
    axis->setTickInterval(std::max(1.0, std::ceil((max - min) / 10)));
}

// The largest power of `base` at or above `v`.
double ceilPower(double v, double base) {
    return std::pow(base, std::ceil(std::log(std::max(v, 1.0)) / std::log(base)));
}

} // namespace

RunCharts::RunCharts(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("runCharts"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("runChartTabs"));
    m_tabs->setDocumentMode(true);
    layout->addWidget(m_tabs);

    // Remaining candidates: a line with its points, on a log axis.
    m_remainingChart = new QChart;
    m_remainingChart->setTitle(tr("Candidates left after each step"));
    m_remaining = new QLineSeries(m_remainingChart);
    m_remaining->setName(tr("remaining"));
    m_remaining->setPointsVisible(true);
    m_remainingChart->addSeries(m_remaining);
    m_remainingX = new QValueAxis(m_remainingChart);
    m_remainingX->setTitleText(tr("step"));
    m_remainingX->setLabelFormat(QStringLiteral("%d"));
    m_remainingY = new QLogValueAxis(m_remainingChart);
    m_remainingY->setTitleText(tr("candidates (log scale)"));
    m_remainingY->setBase(10);
    m_remainingY->setLabelFormat(QStringLiteral("%g"));
    m_remainingY->setMinorTickCount(8);
    // Minor ticks on the axis only: 8 grid lines per decade would bury the line.
    m_remainingY->setMinorGridLineVisible(false);
    m_remainingChart->addAxis(m_remainingX, Qt::AlignBottom);
    m_remainingChart->addAxis(m_remainingY, Qt::AlignLeft);
    m_remaining->attachAxis(m_remainingX);
    m_remaining->attachAxis(m_remainingY);
    m_remainingChart->legend()->hide();
    m_tabs->addTab(makeView(m_remainingChart, QStringLiteral("remainingChart")), tr("Remaining"));

    // Stage durations: one stacked bar per step, one set per stage kind.
    m_durationsChart = new QChart;
    m_durationsChart->setTitle(tr("Stage durations per step"));
    m_durations = new QStackedBarSeries(m_durationsChart);
    for (std::size_t i = 0; i < StackedStages.size(); ++i) {
        m_stageSets[i] = new QBarSet(stageTitle(StackedStages[i]));
        m_durations->append(m_stageSets[i]);
    }
    m_durationsChart->addSeries(m_durations);
    m_durationsX = new QBarCategoryAxis(m_durationsChart);
    m_durationsX->setTitleText(tr("step"));
    m_durationsY = new QValueAxis(m_durationsChart);
    m_durationsY->setLabelFormat(QStringLiteral("%.3g"));
    m_durationsChart->addAxis(m_durationsX, Qt::AlignBottom);
    m_durationsChart->addAxis(m_durationsY, Qt::AlignLeft);
    m_durations->attachAxis(m_durationsX);
    m_durations->attachAxis(m_durationsY);
    m_durationsChart->legend()->setAlignment(Qt::AlignBottom);
    m_tabs->addTab(makeView(m_durationsChart, QStringLiteral("durationsChart")),
                   tr("Stage durations"));

    // Throughput: one line per step over its iterations.
    m_throughputChart = new QChart;
    m_throughputChart->setTitle(tr("Transfer throughput per iteration"));
    m_throughputX = new QValueAxis(m_throughputChart);
    m_throughputX->setTitleText(tr("iteration"));
    m_throughputX->setLabelFormat(QStringLiteral("%d"));
    m_throughputY = new QValueAxis(m_throughputChart);
    m_throughputY->setLabelFormat(QStringLiteral("%.3g"));
    m_throughputChart->addAxis(m_throughputX, Qt::AlignBottom);
    m_throughputChart->addAxis(m_throughputY, Qt::AlignLeft);
    m_throughputChart->legend()->setAlignment(Qt::AlignRight);
    m_tabs->addTab(makeView(m_throughputChart, QStringLiteral("throughputChart")),
                   tr("Throughput"));

    clear();
    applyPalette();
}

RunCharts::~RunCharts() = default;

QChartView *RunCharts::makeView(QChart *chart, const QString &objectName) {
    auto *view = new QChartView(chart, m_tabs);
    view->setObjectName(objectName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(320, 220);
    chart->setMargins(QMargins(6, 6, 6, 6));
    return view;
}

void RunCharts::clear() {
    m_remaining->clear();
    updateRemainingAxes();
    m_stageMs.clear();
    for (QBarSet *set : m_stageSets)
        set->remove(0, set->count());
    m_durationsX->clear();
    rescaleDurations();
    for (QLineSeries *s : std::as_const(m_throughput)) {
        m_throughputChart->removeSeries(s);
        delete s;
    }
    m_throughput.clear();
    m_throughputBytes.clear();
    rescaleThroughput();
}

void RunCharts::showTab(Tab tab) {
    m_tabs->setCurrentIndex(int(tab));
}

// --- remaining candidates ---

void RunCharts::setRemaining(const QVector<QPointF> &stepToRemaining) {
    QList<QPointF> points;
    points.reserve(stepToRemaining.size());
    for (const QPointF &p : stepToRemaining)
        points.append(QPointF(p.x(), std::max(1.0, p.y())));
    m_remaining->replace(points);
    updateRemainingAxes();
}

void RunCharts::addRemaining(int step, double remaining) {
    m_remaining->append(step, std::max(1.0, remaining));
    updateRemainingAxes();
}

void RunCharts::updateRemainingAxes() {
    double maxX = 1, maxY = 1;
    for (const QPointF &p : m_remaining->points()) {
        maxX = std::max(maxX, p.x());
        maxY = std::max(maxY, p.y());
    }
    setIntegerRange(m_remainingX, 0, maxX);
    // Down to just under 1 so the last point (one commit left) stays visible.
    m_remainingY->setRange(0.8, std::max(10.0, ceilPower(maxY * 1.05, 10)));
}

// --- stage durations ---

void RunCharts::setSteps(const std::vector<StepRecord> &steps) {
    m_stageMs.clear();
    QStringList categories;
    for (const StepRecord &step : steps) {
        std::array<qint64, 5> ms{};
        for (const StageResult &r : step.stages)
            if (const int i = stackIndex(r.stage); i >= 0)
                ms[std::size_t(i)] += std::max<qint64>(0, r.durationMs);
        m_stageMs.push_back(ms);
        categories.append(step.attempt > 1
                              ? QStringLiteral("%1·%2").arg(step.number).arg(step.attempt)
                              : QString::number(step.number));
    }
    m_durationsX->clear();
    m_durationsX->append(categories);
    rescaleDurations();
    for (const StepRecord &step : steps)
        if (QVector<double> t = throughputFromFacts(step); !t.isEmpty())
            setThroughput(step.number, t);
}

QVector<double> RunCharts::throughputFromFacts(const StepRecord &step) {
    static const QRegularExpression key(QStringLiteral("^throughput_mbps_(\\d+)$"));
    QVector<double> out;
    for (const StageResult &stage : step.stages) {
        if (stage.stage != StageKind::Test)
            continue;
        for (auto it = stage.facts.cbegin(); it != stage.facts.cend(); ++it) {
            const QRegularExpressionMatch m = key.match(it.key());
            bool ok = false;
            const double mbps = it.value().toDouble(&ok);
            const int iteration = m.hasMatch() ? m.captured(1).toInt() : 0;
            if (!ok || iteration < 1 || iteration > 100000 || !std::isfinite(mbps))
                continue;
            if (out.size() < iteration)
                out.resize(iteration, std::numeric_limits<double>::quiet_NaN());
            out[iteration - 1] = mbps * 1e6 / 8;
        }
    }
    return out;
}

void RunCharts::addStep(const StepRecord &step) {
    std::array<qint64, 5> ms{};
    for (const StageResult &r : step.stages)
        if (const int i = stackIndex(r.stage); i >= 0)
            ms[std::size_t(i)] += std::max<qint64>(0, r.durationMs);
    m_stageMs.push_back(ms);
    m_durationsX->append(step.attempt > 1
                             ? QStringLiteral("%1·%2").arg(step.number).arg(step.attempt)
                             : QString::number(step.number));
    if (QVector<double> t = throughputFromFacts(step); !t.isEmpty())
        setThroughput(step.number, t);
    const double before = m_durationUnitMs;
    rescaleDurations();
    if (before == m_durationUnitMs && m_stageSets[0]->count() + 1 == int(m_stageMs.size())) {
        for (std::size_t i = 0; i < m_stageSets.size(); ++i)
            m_stageSets[i]->append(double(ms[i]) / m_durationUnitMs);
    }
}

// Picks seconds, minutes or hours by the longest step and (re)fills the bar sets when
// the unit changed or they are out of step with m_stageMs.
void RunCharts::rescaleDurations() {
    qint64 longest = 0;
    for (const auto &ms : m_stageMs) {
        qint64 sum = 0;
        for (qint64 v : ms)
            sum += v;
        longest = std::max(longest, sum);
    }
    double unit = 1000;
    QString title = tr("seconds");
    if (longest >= 2 * 3600 * 1000) {
        unit = 3600.0 * 1000;
        title = tr("hours");
    } else if (longest >= 120 * 1000) {
        unit = 60.0 * 1000;
        title = tr("minutes");
    }
    const bool refill =
        unit != m_durationUnitMs || m_stageSets[0]->count() != int(m_stageMs.size());
    m_durationUnitMs = unit;
    m_durationsY->setTitleText(title);
    if (refill) {
        for (std::size_t i = 0; i < m_stageSets.size(); ++i) {
            QList<qreal> values;
            values.reserve(qsizetype(m_stageMs.size()));
            for (const auto &ms : m_stageMs)
                values.append(double(ms[i]) / unit);
            m_stageSets[i]->remove(0, m_stageSets[i]->count());
            m_stageSets[i]->append(values);
        }
    }
    m_durationsY->setRange(0, std::max(1.0, double(longest) / unit * 1.08));
    m_durationsY->applyNiceNumbers();
}

// --- throughput ---

void RunCharts::setThroughput(int step, const QVector<double> &bytesPerSecond) {
    m_throughputBytes.insert(step, bytesPerSecond);
    QLineSeries *series = m_throughput.value(step);
    if (!series) {
        series = new QLineSeries(m_throughputChart);
        series->setName(tr("step %1").arg(step));
        series->setPointsVisible(true);
        m_throughputChart->addSeries(series);
        series->attachAxis(m_throughputX);
        series->attachAxis(m_throughputY);
        m_throughput.insert(step, series);
    }
    rescaleThroughput();
}

// Picks KiB/s, MiB/s or GiB/s by the fastest iteration and refills every line.
void RunCharts::rescaleThroughput() {
    double fastest = 0;
    int iterations = 1;
    for (const QVector<double> &v : std::as_const(m_throughputBytes)) {
        for (double b : v)
            if (std::isfinite(b))
                fastest = std::max(fastest, b);
        iterations = std::max(iterations, int(v.size()));
    }
    double unit = 1024;
    QString title = tr("KiB/s");
    if (fastest >= 1024.0 * 1024 * 1024) {
        unit = 1024.0 * 1024 * 1024;
        title = tr("GiB/s");
    } else if (fastest >= 1024.0 * 1024) {
        unit = 1024.0 * 1024;
        title = tr("MiB/s");
    }
    m_throughputUnit = unit;
    m_throughputY->setTitleText(title);
    for (auto it = m_throughput.cbegin(); it != m_throughput.cend(); ++it) {
        const QVector<double> &bytes = m_throughputBytes[it.key()];
        QList<QPointF> points;
        points.reserve(bytes.size());
        for (qsizetype i = 0; i < bytes.size(); ++i)
            if (std::isfinite(bytes[i]))
                points.append(QPointF(double(i + 1), std::max(0.0, bytes[i]) / unit));
        it.value()->replace(points);
    }
    setIntegerRange(m_throughputX, 1, iterations);
    m_throughputY->setRange(0, std::max(1.0, fastest / unit * 1.08));
    m_throughputY->applyNiceNumbers();
    m_throughputChart->legend()->setVisible(!m_throughput.isEmpty() &&
                                            m_throughput.size() <= kMaxLegendEntries);
}

// --- palette ---

void RunCharts::changeEvent(QEvent *event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

// The chart theme that matches the window (dark or light), on the window's own
// background so the charts do not sit in a bright box in a dark window.
void RunCharts::applyPalette() {
    if (m_applyingPalette)
        return;
    m_applyingPalette = true;
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    for (QChart *chart : {m_remainingChart, m_durationsChart, m_throughputChart}) {
        chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
        chart->setBackgroundBrush(pal.color(QPalette::Base));
        chart->setBackgroundPen(Qt::NoPen);
        chart->setTitleBrush(pal.color(QPalette::WindowText));
        chart->legend()->setLabelColor(pal.color(QPalette::WindowText));
        for (QAbstractAxis *axis : chart->axes()) {
            axis->setLabelsColor(pal.color(QPalette::Text));
            axis->setTitleBrush(pal.color(QPalette::Text));
        }
    }
    // The remaining line in the palette's highlight colour: it is the chart's one story.
    QPen pen(pal.color(QPalette::Highlight), 2);
    m_remaining->setPen(pen);
    m_remaining->setColor(pal.color(QPalette::Highlight));
    m_applyingPalette = false;
}

} // namespace bw
