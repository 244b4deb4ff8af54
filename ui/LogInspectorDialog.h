#pragma once

#include "models/CommitGraphModel.h"
#include "models/Oid.h"
#include "models/Result.h"

#include <QDialog>

#include <memory>
#include <optional>

class QLabel;
class QSlider;
class QSpinBox;
class QTableWidget;
template <typename T> class QFutureWatcher;

namespace bw {

namespace git {
struct LogInspection;
}
struct LogTimeline;

// Visual inspection of a `git bisect log` file. The steps always show as a table
// (verdict, sha, subject); with the repository, the log is replayed off the GUI thread
// and a slider walks through the states: step k shows git's "Bisecting: …" text after k
// marks and publishes the state's annotations for the main window's graph. Non-modal;
// errors show inline.
class LogInspectorDialog : public QDialog {
    Q_OBJECT
public:
    explicit LogInspectorDialog(QWidget *parent = nullptr);
    ~LogInspectorDialog() override;

    // Reads and shows the log; with a non-empty `repoPath`, starts replaying it there.
    // False when the file cannot be read or is no bisect log (said in the dialog).
    bool openLog(const QString &logPath, const QString &repoPath);

    // The state shown (0 .. number of steps); -1 while there is no replay.
    [[nodiscard]] int currentStep() const;
    [[nodiscard]] bool hasReplay() const { return m_inspection != nullptr; }
    [[nodiscard]] const git::LogInspection *inspection() const { return m_inspection.get(); }

public slots:
    void showStep(int step);

signals:
    // The replay's DAG (every ancestor of the log's commits), before its first
    // stepAnnotations: the annotations are indexed by this DAG's ids, so a graph showing
    // another DAG must switch to it (or map by oid).
    void graphReady(std::shared_ptr<const bw::CommitDag> dag);
    // A replayed state for the graph: its annotations and the commit to bring into view
    // (the one under test, or the first bad; null when there is none).
    void stepAnnotations(bw::BisectAnnotations annotations, bw::Oid focus);
    // The replay finished (successfully or not); for tests and status bars.
    void inspectionFinished(bool ok);

private:
    void fillTable(const LogTimeline &timeline);
    void inspectionDone(quint64 generation);
    void showNeedsRepository(const QString &reason);
    void showError(const QString &message);

    QLabel *m_title = nullptr;
    QLabel *m_error = nullptr;
    QLabel *m_needsRepo = nullptr;
    QTableWidget *m_table = nullptr;
    QSlider *m_slider = nullptr;
    QSpinBox *m_spin = nullptr;
    QLabel *m_stepLabel = nullptr;
    QLabel *m_stepText = nullptr;
    std::unique_ptr<git::LogInspection> m_inspection;
    QFutureWatcher<Result<git::LogInspection>> *m_watcher = nullptr;
    quint64 m_generation = 0; // the newest openLog(); older results are dropped
};

} // namespace bw
