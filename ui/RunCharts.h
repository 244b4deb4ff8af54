#pragma once

#include "models/StepRecord.h"

#include <QMap>
#include <QPointF>
#include <QVector>
#include <QWidget>

#include <array>
#include <vector>

class QBarCategoryAxis;
class QBarSet;
class QChart;
class QChartView;
class QLineSeries;
class QLogValueAxis;
class QStackedBarSeries;
class QTabWidget;
class QValueAxis;

namespace bw {

// The run at a glance, in three tabs: the remaining candidates after each step (log
// scale: a healthy bisect is a straight line down), the stage durations of each step
// (stacked: checkout, build, deploy, wait, test), and the throughput of each iteration of
// a transfer test (one line per step: a hang shows as a drop to zero). Cheap to update
// after every step; follows the palette (light or dark).
class RunCharts : public QWidget {
    Q_OBJECT
public:
    enum class Tab { Remaining, Durations, Throughput };

    explicit RunCharts(QWidget *parent = nullptr);
    ~RunCharts() override;

    // Every step so far (replaces what was shown): the stage durations chart.
    void setSteps(const std::vector<StepRecord> &steps);
    // One more finished step: appended without redrawing the others.
    void addStep(const StepRecord &step);
    // (step number, candidates left after it); step 0 is the start. Values below 1 are
    // drawn as 1 (the log scale has no zero).
    void setRemaining(const QVector<QPointF> &stepToRemaining);
    void addRemaining(int step, double remaining);
    // The throughput of each iteration of step `step`'s transfer test, in bytes/s
    // (replaces what that step had).
    // Non-finite values are iterations without a measurement (not drawn).
    void setThroughput(int step, const QVector<double> &bytesPerSecond);
    // The throughput a step's test stage recorded as `throughput_mbps_<n>` facts
    // (megabits per second, iteration n), in bytes/s by iteration; empty when none.
    // setSteps() and addStep() pass these to setThroughput() by themselves.
    [[nodiscard]] static QVector<double> throughputFromFacts(const StepRecord &step);
    void clear();

    void showTab(Tab tab);

    // For tests and the window's layout.
    [[nodiscard]] QTabWidget *tabs() const { return m_tabs; }
    [[nodiscard]] QChart *remainingChart() const { return m_remainingChart; }
    [[nodiscard]] QChart *durationsChart() const { return m_durationsChart; }
    [[nodiscard]] QChart *throughputChart() const { return m_throughputChart; }

    // The stage kinds stacked in the durations chart, bottom to top.
    static constexpr std::array<StageKind, 5> StackedStages{
        StageKind::Checkout, StageKind::Build, StageKind::Deploy, StageKind::Wait, StageKind::Test};

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyPalette();
    void updateRemainingAxes();
    void rescaleDurations();
    void rescaleThroughput();
    QChartView *makeView(QChart *chart, const QString &objectName);

    QTabWidget *m_tabs = nullptr;

    QChart *m_remainingChart = nullptr;
    QLineSeries *m_remaining = nullptr;
    QValueAxis *m_remainingX = nullptr;
    QLogValueAxis *m_remainingY = nullptr;

    QChart *m_durationsChart = nullptr;
    QStackedBarSeries *m_durations = nullptr;
    std::array<QBarSet *, 5> m_stageSets{};
    QBarCategoryAxis *m_durationsX = nullptr;
    QValueAxis *m_durationsY = nullptr;
    std::vector<std::array<qint64, 5>> m_stageMs; // per step, per stacked stage
    double m_durationUnitMs = 1000;

    QChart *m_throughputChart = nullptr;
    QMap<int, QLineSeries *> m_throughput;        // by step number
    QMap<int, QVector<double>> m_throughputBytes; // by step number, bytes/s
    double m_throughputUnit = 1024.0 * 1024.0;
    QValueAxis *m_throughputX = nullptr;
    QValueAxis *m_throughputY = nullptr;
    bool m_applyingPalette = false;
};

} // namespace bw
