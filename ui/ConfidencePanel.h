#pragma once

#include "models/Oid.h"
#include "models/StepRecord.h"
#include "services/pipeline/Orchestrator.h"

#include <QWidget>

#include <optional>

class QAreaSeries;
class QChart;
class QLineSeries;
class QValueAxis;
class QChartView;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace bw {

// A flaky session's belief at a glance: the leading candidate with its posterior against
// the recipe's goal, the posterior over the most likely candidates as a bar chart, what
// the runs say about the detection rate, and "stop now and report with X %".
class ConfidencePanel : public QWidget {
    Q_OBJECT
public:
    explicit ConfidencePanel(QWidget *parent = nullptr);

    // Empty: no flaky session (the panel says so).
    void setStatus(const std::optional<pipeline::FlakyStatus> &status);
    // Whether "stop now" can be offered (a flaky session that runs or is paused).
    void setConcludable(bool concludable);

    [[nodiscard]] QChart *chart() const { return m_chart; }
    [[nodiscard]] QTableWidget *leaders() const { return m_leaders; }
    [[nodiscard]] QString leadingText() const;
    [[nodiscard]] QPushButton *concludeButton() const { return m_conclude; }

signals:
    void concludeRequested();

private:
    QLabel *m_leading = nullptr;
    QProgressBar *m_goal = nullptr;
    QLabel *m_details = nullptr;
    QTableWidget *m_leaders = nullptr;
    QChart *m_chart = nullptr;
    QChartView *m_view = nullptr;
    QLineSeries *m_curve = nullptr;
    QAreaSeries *m_area = nullptr;
    QValueAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    QPushButton *m_conclude = nullptr;
    bool m_concludable = false;
    bool m_hasStatus = false;
};

// Each worker's step: its commit and the stage it is in, one row per worker.
class WorkersView : public QWidget {
    Q_OBJECT
public:
    explicit WorkersView(QWidget *parent = nullptr);

    void setWorkers(const QStringList &names);
    void workerChanged(int worker, int number, const Oid &commit, const QString &subject);
    void stageStarted(int number, StageKind stage);
    [[nodiscard]] QTableWidget *table() const { return m_table; }

private:
    QTableWidget *m_table = nullptr;
};

} // namespace bw
