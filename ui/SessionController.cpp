#include "ui/SessionController.h"

#include "ui/UiLogging.h"

#include <QDateTime>
#include <QLocale>

namespace bw {

SessionController::SessionController(QObject *parent)
    : QObject(parent)
    , m_steps(new StepListModel(this)) {}

SessionController::~SessionController() = default;

void SessionController::attach(pipeline::Orchestrator *o) {
    delete m_orchestrator;
    m_orchestrator = o;
    m_steps->clear();
    m_remaining.clear();
    m_ending.reset();
    m_lastMessage.clear();
    m_currentStep = 0;
    m_followed = 0;
    m_runningSubjects.clear();
    m_elapsedBefore = 0;
    using O = pipeline::Orchestrator;
    connect(o, &O::stepStarted, this,
            [this](int number, const Oid &commit, const QString &subject, StepPurpose purpose) {
                m_currentStep = number;
                m_followed = number;
                m_runningSubjects[number] = subject;
                m_steps->stepStarted(number, commit, subject, purpose);
                emit stepStarted(number, commit);
            });
    connect(o, &O::stageStarted, m_steps, &StepListModel::stageStarted);
    connect(o, &O::stageStarted, this, &SessionController::stageStarted);
    connect(o, &O::workerChanged, this, [this](int worker, int number, const Oid &commit) {
        const auto it = m_runningSubjects.find(number);
        emit workerChanged(worker, number, commit,
                           it == m_runningSubjects.end() ? QString() : it->second);
    });
    connect(o, &O::flakyUpdated, this, &SessionController::flakyUpdated);
    connect(o, &O::stageFinished, m_steps, &StepListModel::stageFinished);
    // With several workers the live logs follow one step (the latest started); the
    // others' logs are in their files, shown when their row is selected.
    connect(o, &O::output, this, [this](int number, LogKind log, const QByteArray &chunk) {
        if (number == m_followed)
            emit output(log, chunk);
    });
    connect(o, &O::stepFinished, this, [this](const StepRecord &step) {
        m_runningSubjects.erase(step.number);
        if (step.number == m_followed && !m_runningSubjects.empty())
            m_followed = m_runningSubjects.rbegin()->first;
        m_steps->stepFinished(step);
        emit stepFinished(step);
    });
    connect(o, &O::progress, this, [this](const QString &text) {
        if (!text.trimmed().isEmpty())
            m_lastMessage = text.trimmed().section(u'\n', -1);
        emit message(text);
    });
    connect(o, &O::marksChanged, this, &SessionController::marksChanged);
    connect(o, &O::overridden, this, [this](const Oid &commit, const QString &description) {
        m_steps->setOverride(commit, description);
    });
    connect(o, &O::paused, this, [this](const QString &why) {
        m_lastMessage = why;
        setPhase(Phase::Paused);
        // "paused after step N, as asked" is what the user wanted: not a problem.
        if (!why.endsWith(QLatin1String("as asked")))
            emit problem(tr("The session is paused"), why);
    });
    connect(o, &O::finished, this, [this](O::Ending ending, const QString &text) {
        m_lastMessage = text;
        m_ending = ending;
        setPhase(Phase::Finished);
        if (ending != O::Ending::Found && ending != O::Ending::Stopped)
            emit problem(ending == O::Ending::OnlySkipped ? tr("Only skipped commits are left")
                                                          : tr("The session ended without a "
                                                               "result"),
                         text);
        emit ended(ending, text);
    });
}

Status SessionController::start(const pipeline::SessionOptions &options) {
    if (m_phase == Phase::Running || m_phase == Phase::Pausing)
        return Error{tr("a session is running: stop it first")};
    auto *o = new pipeline::Orchestrator(this);
    attach(o);
    m_repository = options.repositoryPath;
    m_recipe = options.recipe;
    m_clock.start();
    setPhase(Phase::Running);
    if (Status s = o->start(options); !s) {
        setPhase(Phase::None);
        m_orchestrator = nullptr;
        o->deleteLater();
        return s;
    }
    qCInfo(bwUi) << "session started in" << o->sessionDir();
    emit sessionStarted();
    return okStatus();
}

Status SessionController::reopen(const QString &sessionDir, const Recipe &recipe,
                                 const QString &repository) {
    pipeline::SessionOptions options;
    options.repositoryPath = repository;
    options.recipe = recipe;
    options.sessionDir = sessionDir;
    options.resume = true;
    return start(options);
}

void SessionController::close() {
    if (m_phase == Phase::Running || m_phase == Phase::Pausing)
        return;
    delete m_orchestrator;
    m_orchestrator = nullptr;
    m_steps->clear();
    m_remaining.clear();
    m_ending.reset();
    m_lastMessage.clear();
    m_currentStep = 0;
    m_followed = 0;
    m_runningSubjects.clear();
    m_elapsedBefore = 0;
    setPhase(Phase::None);
}

void SessionController::pauseAfterStep(bool pause) {
    if (!m_orchestrator)
        return;
    m_orchestrator->setPauseAfterStep(pause);
    if (m_phase == Phase::Running && pause)
        setPhase(Phase::Pausing);
    else if (m_phase == Phase::Pausing && !pause)
        setPhase(Phase::Running);
}

void SessionController::stop() {
    if (m_orchestrator)
        m_orchestrator->stop();
}

void SessionController::resume() {
    if (!m_orchestrator || m_phase != Phase::Paused)
        return;
    m_clock.start();
    setPhase(Phase::Running);
    m_orchestrator->resume();
}

void SessionController::runOneStep() {
    if (!m_orchestrator)
        return;
    if (m_phase == Phase::Paused) {
        m_clock.start();
        setPhase(Phase::Pausing);
        m_orchestrator->resume(true);
    } else if (m_phase == Phase::Running) {
        pauseAfterStep(true);
    }
}

Status SessionController::overrideMark(const Oid &commit, std::optional<MarkKind> mark,
                                       const QString &reason) {
    if (!m_orchestrator)
        return Error{tr("no session is open")};
    return m_orchestrator->overrideMark(commit, mark, reason);
}

Status SessionController::concludeNow() {
    if (!m_orchestrator)
        return Error{tr("no session is open")};
    return m_orchestrator->concludeNow();
}

QString SessionController::sessionDir() const {
    return m_orchestrator ? m_orchestrator->sessionDir() : QString();
}

std::optional<Oid> SessionController::culprit() const {
    return m_orchestrator ? m_orchestrator->culprit() : std::nullopt;
}

void SessionController::setRemaining(int revisionsLeft, int estimatedSteps) {
    m_estimatedSteps = estimatedSteps;
    const double x = m_currentStep;
    if (!m_remaining.isEmpty() && m_remaining.back().x() == x)
        m_remaining.back().setY(revisionsLeft);
    else
        m_remaining.append(QPointF(x, revisionsLeft));
}

qint64 SessionController::elapsedMs() const {
    const bool ticking = m_phase == Phase::Running || m_phase == Phase::Pausing;
    return m_elapsedBefore + (ticking && m_clock.isValid() ? m_clock.elapsed() : 0);
}

qint64 SessionController::meanStepMs() const {
    qint64 total = 0;
    int n = 0;
    for (const StepRecord &s : m_steps->finishedSteps())
        if (!s.cancelled() && s.durationMs() > 0) {
            total += s.durationMs();
            ++n;
        }
    return n ? total / n : 0;
}

QString SessionController::statusLine() const {
    if (!m_orchestrator)
        return {};
    QString phase;
    switch (m_phase) {
    case Phase::None:
        return {};
    case Phase::Running:
        phase = tr("Running");
        break;
    case Phase::Pausing:
        phase = tr("Pausing after this step");
        break;
    case Phase::Paused:
        phase = tr("Paused");
        break;
    case Phase::Finished:
        phase = tr("Finished");
        break;
    }
    QStringList parts{phase};
    parts << tr("%1 elapsed").arg(formatDuration(elapsedMs() / 1000 * 1000));
    if (m_currentStep > 0)
        parts << tr("step %1").arg(m_currentStep);
    const qint64 mean = meanStepMs();
    if ((m_phase == Phase::Running || m_phase == Phase::Pausing) && mean > 0 &&
        m_estimatedSteps > 0) {
        // The step running now counts as one of those left.
        const qint64 left = mean * m_estimatedSteps;
        const QDateTime eta = QDateTime::currentDateTime().addMSecs(left);
        parts << tr("ETA %1 (≈ %2 steps × %3)")
                     .arg(QLocale().toString(eta.time(), QLocale::ShortFormat))
                     .arg(m_estimatedSteps)
                     .arg(formatDuration(mean / 1000 * 1000));
    }
    return parts.join(QStringLiteral(" · "));
}

void SessionController::setPhase(Phase phase) {
    if (phase == m_phase)
        return;
    const bool wasTicking = m_phase == Phase::Running || m_phase == Phase::Pausing;
    const bool ticking = phase == Phase::Running || phase == Phase::Pausing;
    if (wasTicking && !ticking && m_clock.isValid()) {
        m_elapsedBefore += m_clock.elapsed();
        m_clock.invalidate();
    } else if (!wasTicking && ticking && !m_clock.isValid()) {
        m_clock.start();
    }
    m_phase = phase;
    emit phaseChanged(phase);
}

} // namespace bw
