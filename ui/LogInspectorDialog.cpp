#include "ui/LogInspectorDialog.h"

#include "models/BisectLogSteps.h"
#include "services/git/BisectLogInspection.h"
#include "services/git/Repository.h"
#include "ui/UiLogging.h"

#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace bw {

namespace {

enum Column { StepColumn, VerdictColumn, ShaColumn, SubjectColumn, ColumnCount };

QColor verdictColor(std::optional<MarkKind> kind) {
    switch (kind.value_or(MarkKind::Skip)) {
    case MarkKind::Good:
        return QColor(0x2e, 0x8b, 0x3e);
    case MarkKind::Bad:
        return QColor(0xc6, 0x28, 0x28);
    case MarkKind::Skip:
        break;
    }
    return QColor(0xe0, 0x7b, 0x00);
}

QTableWidgetItem *readOnlyItem(const QString &text) {
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    return item;
}

} // namespace

LogInspectorDialog::LogInspectorDialog(QWidget *parent)
    : QDialog(parent) {
    setModal(false);
    setWindowTitle(tr("Bisect log"));
    auto *layout = new QVBoxLayout(this);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("logTitleLabel"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_title);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("logErrorLabel"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    layout->addWidget(m_error);

    m_needsRepo = new QLabel(this);
    m_needsRepo->setObjectName(QStringLiteral("needsRepositoryLabel"));
    m_needsRepo->setWordWrap(true);
    m_needsRepo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_needsRepo->hide();
    layout->addWidget(m_needsRepo);

    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("logStepsTable"));
    m_table->setHorizontalHeaderLabels({tr("Step"), tr("Verdict"), tr("Commit"), tr("Subject")});
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    layout->addWidget(m_table, 1);

    auto *stepRow = new QHBoxLayout;
    m_stepLabel = new QLabel(tr("Step:"), this);
    stepRow->addWidget(m_stepLabel);
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setObjectName(QStringLiteral("stepSlider"));
    m_slider->setRange(0, 0);
    m_slider->setEnabled(false);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setTickInterval(1);
    m_slider->setPageStep(1);
    stepRow->addWidget(m_slider, 1);
    m_spin = new QSpinBox(this);
    m_spin->setObjectName(QStringLiteral("stepSpinBox"));
    m_spin->setRange(0, 0);
    m_spin->setEnabled(false);
    stepRow->addWidget(m_spin);
    layout->addLayout(stepRow);

    m_stepText = new QLabel(this);
    m_stepText->setObjectName(QStringLiteral("stepTextLabel"));
    m_stepText->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_stepText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stepText->setWordWrap(true);
    layout->addWidget(m_stepText);

    connect(m_slider, &QSlider::valueChanged, m_spin, &QSpinBox::setValue);
    connect(m_spin, &QSpinBox::valueChanged, m_slider, &QSlider::setValue);
    connect(m_slider, &QSlider::valueChanged, this, &LogInspectorDialog::showStep);
    // Selecting a row of the table shows the state after that step.
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (m_inspection)
            m_slider->setValue(row + 1);
    });
    resize(760, 480);
}

LogInspectorDialog::~LogInspectorDialog() = default;

int LogInspectorDialog::currentStep() const {
    return m_inspection ? m_slider->value() : -1;
}

void LogInspectorDialog::showError(const QString &message) {
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void LogInspectorDialog::showNeedsRepository(const QString &reason) {
    m_needsRepo->setText(tr("The graph needs the repository: %1").arg(reason));
    m_needsRepo->show();
}

bool LogInspectorDialog::openLog(const QString &logPath, const QString &repoPath) {
    ++m_generation;
    m_inspection.reset();
    m_table->setRowCount(0);
    m_slider->setRange(0, 0);
    m_slider->setEnabled(false);
    m_spin->setRange(0, 0);
    m_spin->setEnabled(false);
    m_stepText->clear();
    m_needsRepo->hide();
    showError({});
    m_title->setText(QFileInfo(logPath).fileName());

    QFile file(logPath);
    if (!file.open(QIODevice::ReadOnly)) {
        showError(tr("Cannot read %1: %2").arg(logPath, file.errorString()));
        return false;
    }
    const QString text = QString::fromUtf8(file.readAll());
    auto timeline = readLogTimeline(text);
    if (!timeline) {
        showError(tr("Not a bisect log: %1").arg(timeline.error().message()));
        return false;
    }
    fillTable(*timeline);

    if (repoPath.isEmpty()) {
        showNeedsRepository(tr("open the log from a repository to replay it on the graph."));
        return true;
    }
    m_stepText->setText(tr("Replaying the log in %1…").arg(repoPath));
    if (!m_watcher) {
        m_watcher = new QFutureWatcher<Result<git::LogInspection>>(this);
        connect(m_watcher, &QFutureWatcherBase::finished, this,
                [this] { inspectionDone(m_watcher->property("generation").toULongLong()); });
    }
    // The worker opens its own repository: one native handle, one owning thread.
    m_watcher->setProperty("generation", m_generation);
    m_watcher->setFuture(QtConcurrent::run([repoPath, text]() -> Result<git::LogInspection> {
        auto repo = git::Repository::open(repoPath);
        if (!repo)
            return repo.error();
        return git::inspectLog(*repo, text);
    }));
    return true;
}

void LogInspectorDialog::fillTable(const LogTimeline &timeline) {
    m_table->setRowCount(static_cast<int>(timeline.steps.size()));
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const LogStep &step = timeline.steps[static_cast<std::size_t>(row)];
        m_table->setItem(row, StepColumn, readOnlyItem(QString::number(row + 1)));
        auto *verdict = readOnlyItem(step.term);
        verdict->setForeground(verdictColor(timeline.kindOf(step)));
        if (row < timeline.startStepCount())
            verdict->setToolTip(tr("given to 'git bisect start' (line %1)").arg(step.line));
        else
            verdict->setToolTip(tr("line %1").arg(step.line));
        m_table->setItem(row, VerdictColumn, verdict);
        auto *sha = readOnlyItem(step.sha ? step.sha->toString().left(12) : step.rev);
        sha->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        sha->setToolTip(step.sha ? step.sha->toString() : step.rev);
        m_table->setItem(row, ShaColumn, sha);
        m_table->setItem(row, SubjectColumn, readOnlyItem(step.commentSubject));
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
}

void LogInspectorDialog::inspectionDone(quint64 generation) {
    if (generation != m_generation)
        return; // an older log's replay
    Result<git::LogInspection> result = m_watcher->result();
    if (!result) {
        qCInfo(bwUi) << "bisect log replay failed:" << result.error().message();
        m_stepText->clear();
        showNeedsRepository(result.error().message());
        emit inspectionFinished(false);
        return;
    }
    m_inspection = std::make_unique<git::LogInspection>(std::move(result).value());
    // The repository knows every commit: full shas and subjects for rev-only steps.
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const auto i = static_cast<std::size_t>(row);
        if (i >= m_inspection->oids.size())
            break;
        m_table->item(row, ShaColumn)->setText(m_inspection->oids[i].toString().left(12));
        m_table->item(row, ShaColumn)->setToolTip(m_inspection->oids[i].toString());
        m_table->item(row, SubjectColumn)->setText(m_inspection->subjects[i]);
    }
    const int last = static_cast<int>(m_inspection->timeline.steps.size());
    {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(0, last);
        m_spin->setRange(0, last);
        m_slider->setValue(last);
        m_spin->setValue(last);
    }
    m_slider->setEnabled(true);
    m_spin->setEnabled(true);
    emit graphReady(m_inspection->dag);
    showStep(last);
    emit inspectionFinished(true);
}

void LogInspectorDialog::showStep(int step) {
    if (!m_inspection || step < 0 || step >= static_cast<int>(m_inspection->texts.size()))
        return;
    const auto k = static_cast<std::size_t>(step);
    const git::LogInspection &in = *m_inspection;
    m_stepLabel->setText(tr("Step %1 of %2:").arg(step).arg(in.timeline.steps.size()));
    m_stepText->setText(in.texts[k].trimmed());
    if (step > 0)
        m_table->selectRow(step - 1);
    else
        m_table->clearSelection();

    const BisectQuery &q = in.queries[k];
    BisectOutcome outcome;
    if (in.outcomes[k])
        outcome = *in.outcomes[k];
    else
        outcome.kind = BisectOutcome::Kind::Next; // no selection: marks and range only
    BisectAnnotations annotations = BisectAnnotations::compute(*in.dag, q, outcome);
    Oid focus;
    if (in.focus[k] != CommitDag::None) {
        focus = in.dag->oid(in.focus[k]);
        // The merge base git asks for is the commit under test too.
        if (!in.outcomes[k])
            annotations.set(in.focus[k], annotations.states(in.focus[k]) | CommitState::UnderTest);
    }
    emit stepAnnotations(std::move(annotations), focus);
}

} // namespace bw
