#pragma once

#include "models/StepListModel.h"
#include "services/pipeline/Orchestrator.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointF>
#include <QVector>

#include <map>
#include <optional>

namespace bw {

// One automated session as the window runs it: the orchestrator, the steps timeline's
// model, the clock, and the estimate of what is left. The window shows what this says;
// everything that changes the bisect goes through here (and so through the orchestrator,
// which records before it acts).
class SessionController : public QObject {
    Q_OBJECT
public:
    enum class Phase { None, Running, Pausing, Paused, Finished };
    Q_ENUM(Phase)

    explicit SessionController(QObject *parent = nullptr);
    ~SessionController() override;

    [[nodiscard]] Status start(const pipeline::SessionOptions &options);
    // Resumes the unfinished session kept in `sessionDir`.
    [[nodiscard]] Status reopen(const QString &sessionDir, const Recipe &recipe,
                                const QString &repository);
    // Lets go of the session (not while it runs): the window then shows a stored one.
    void close();
    void pauseAfterStep(bool pause);
    void stop();
    void resume();
    void runOneStep();
    [[nodiscard]] Status overrideMark(const Oid &commit, std::optional<MarkKind> mark,
                                      const QString &reason);
    // A flaky session: end now with the leading candidate (see Orchestrator::concludeNow).
    [[nodiscard]] Status concludeNow();
    // The step whose output the live logs show: the latest started one still running.
    [[nodiscard]] int followedStep() const { return m_followed; }

    [[nodiscard]] Phase phase() const { return m_phase; }
    [[nodiscard]] bool hasSession() const { return m_orchestrator != nullptr; }
    [[nodiscard]] pipeline::Orchestrator *orchestrator() const { return m_orchestrator; }
    [[nodiscard]] StepListModel *steps() const { return m_steps; }
    [[nodiscard]] QString sessionDir() const;
    [[nodiscard]] QString repository() const { return m_repository; }
    [[nodiscard]] const Recipe &recipe() const { return m_recipe; }
    [[nodiscard]] QString lastMessage() const { return m_lastMessage; }
    [[nodiscard]] std::optional<pipeline::Orchestrator::Ending> ending() const { return m_ending; }
    [[nodiscard]] std::optional<Oid> culprit() const;

    // The window tells how many candidates are left after each verdict (it reads git's
    // state for the graph anyway): the chart's points and the estimate.
    void setRemaining(int revisionsLeft, int estimatedSteps);
    [[nodiscard]] const QVector<QPointF> &remainingHistory() const { return m_remaining; }

    // "running for 12m · step 4 · ETA 14:32 (≈ 5 steps × 3m)", or empty.
    [[nodiscard]] QString statusLine() const;
    [[nodiscard]] qint64 elapsedMs() const;
    // Mean duration of the steps that reached a verdict; 0 before the first.
    [[nodiscard]] qint64 meanStepMs() const;

signals:
    void phaseChanged(bw::SessionController::Phase phase);
    void marksChanged();
    void output(bw::LogKind log, const QByteArray &chunk);
    void stepStarted(int number, const bw::Oid &commit);
    void stepFinished(const bw::StepRecord &step);
    void message(const QString &text); // progress lines, for the pipeline log
    // Something the user has to see (a pause with its reason, a failure): one place.
    void problem(const QString &title, const QString &details);
    void ended(bw::pipeline::Orchestrator::Ending ending, const QString &message);
    // The orchestrator started (or resumed) a session: workers and mode are known now.
    void sessionStarted();
    void flakyUpdated();
    void workerChanged(int worker, int number, const bw::Oid &commit, const QString &subject);
    void stageStarted(int number, bw::StageKind stage);

private:
    void attach(pipeline::Orchestrator *o);
    void setPhase(Phase phase);

    pipeline::Orchestrator *m_orchestrator = nullptr;
    StepListModel *m_steps = nullptr;
    Phase m_phase = Phase::None;
    QElapsedTimer m_clock;
    qint64 m_elapsedBefore = 0; // time spent before the last pause
    int m_estimatedSteps = 0;
    int m_currentStep = 0;
    int m_followed = 0;                       // the step the live logs show
    std::map<int, QString> m_runningSubjects; // running steps' subjects, by number
    QVector<QPointF> m_remaining;
    QString m_repository;
    Recipe m_recipe;
    QString m_lastMessage;
    std::optional<pipeline::Orchestrator::Ending> m_ending;
};

} // namespace bw
