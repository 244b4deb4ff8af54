#pragma once

#include "models/StepRecord.h"

#include <QAbstractTableModel>
#include <QColor>

#include <optional>
#include <vector>

namespace bw {

// The steps timeline: one row per run of a step (a retried step has a row per attempt),
// in the order they ran, including the one running now. Rows carry the stages with their
// durations, the verdict with its reason, and whether an override changed the commit's
// mark since. Fed from the orchestrator's signals (live) or from a stored session.
class StepListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum class Column { Number, Commit, Verdict, Duration, Stages, Reason, Count };
    enum Role {
        StepNumberRole = Qt::UserRole + 1, // int
        CommitRole,                        // QString, the full sha
        VerdictRole,                       // int (Verdict), -1 while running or cancelled
        RunningRole,                       // bool
    };

    explicit StepListModel(QObject *parent = nullptr);

    // Replaces everything (a reopened session).
    void setSteps(const std::vector<StepRecord> &steps);
    void clear();

    // Live updates, in the order the orchestrator signals them.
    void stepStarted(int number, const Oid &commit, const QString &subject, StepPurpose purpose);
    void stageStarted(int number, StageKind stage);
    void stageFinished(int number, const StageResult &result);
    void stepFinished(const StepRecord &step);
    // A commit's mark was changed by hand: its rows say so.
    void setOverride(const Oid &commit, const QString &description);

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index, int role) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role) const override;

    [[nodiscard]] const StepRecord *step(int row) const;
    [[nodiscard]] int rowOfRunning() const; // -1 when nothing runs
    [[nodiscard]] std::vector<StepRecord> finishedSteps() const;

    // The colour a verdict is drawn with (readable on light and dark bases).
    [[nodiscard]] static QColor verdictColor(Verdict verdict);

private:
    struct Row {
        StepRecord step;
        bool running = false;
        std::optional<StageKind> currentStage;
        qint64 stageStartedMs = 0;
        QString override;
    };
    [[nodiscard]] int rowOfStep(int number) const; // the last row with that number
    void changed(int row);

    std::vector<Row> m_rows;
};

} // namespace bw
