#include "models/StepListModel.h"

#include <QDateTime>
#include <QFont>

namespace bw {

namespace {

QString stagesText(const StepRecord &s, std::optional<StageKind> current) {
    QStringList parts;
    for (const StageResult &r : s.stages) {
        QString part =
            QStringLiteral("%1 %2").arg(stageName(r.stage), formatDuration(r.durationMs));
        if (r.outcome != StageOutcome::Passed)
            part += QStringLiteral(" (%1)").arg(outcomeName(r.outcome));
        parts << part;
    }
    if (current)
        parts << QStringLiteral("%1…").arg(stageName(*current));
    return parts.join(QStringLiteral(" · "));
}

QString purposeLabel(StepPurpose p) {
    switch (p) {
    case StepPurpose::Bisect:
        return {};
    case StepPurpose::Endpoint:
        return QStringLiteral("endpoint check");
    case StepPurpose::Confirm:
        return QStringLiteral("confirmation");
    case StepPurpose::GoodCheck:
        return QStringLiteral("good-revision check");
    }
    return {};
}

} // namespace

StepListModel::StepListModel(QObject *parent)
    : QAbstractTableModel(parent) {}

QColor StepListModel::verdictColor(Verdict verdict) {
    switch (verdict) {
    case Verdict::Good:
        return QColor(0x2e, 0x9d, 0x4f);
    case Verdict::Bad:
        return QColor(0xd6, 0x3a, 0x3a);
    case Verdict::Skip:
        return QColor(0x9a, 0x86, 0x2b);
    case Verdict::Retry:
        return QColor(0x3f, 0x7f, 0xd6);
    case Verdict::Abort:
    case Verdict::Ask:
        return QColor(0xb8, 0x4f, 0xc9);
    }
    return {};
}

void StepListModel::setSteps(const std::vector<StepRecord> &steps) {
    beginResetModel();
    m_rows.clear();
    for (const StepRecord &s : steps)
        m_rows.push_back(Row{s, false, std::nullopt, 0, {}});
    endResetModel();
}

void StepListModel::clear() {
    setSteps({});
}

void StepListModel::stepStarted(int number, const Oid &commit, const QString &subject,
                                StepPurpose purpose) {
    // A running row of the same step left over (a run that never finished) is closed
    // first. Other running rows stay: several workers run steps at once.
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].running && m_rows[i].step.number == number) {
            m_rows[i].running = false;
            m_rows[i].currentStage.reset();
            changed(static_cast<int>(i));
        }
    const int row = static_cast<int>(m_rows.size());
    beginInsertRows({}, row, row);
    Row r;
    r.step.number = number;
    r.step.commit = commit;
    r.step.subject = subject;
    r.step.purpose = purpose;
    r.step.startedMs = QDateTime::currentMSecsSinceEpoch();
    r.running = true;
    m_rows.push_back(std::move(r));
    endInsertRows();
}

void StepListModel::stageStarted(int number, StageKind stage) {
    const int row = rowOfStep(number);
    if (row < 0 || !m_rows[row].running)
        return;
    m_rows[row].currentStage = stage;
    m_rows[row].stageStartedMs = QDateTime::currentMSecsSinceEpoch();
    changed(row);
}

void StepListModel::stageFinished(int number, const StageResult &result) {
    const int row = rowOfStep(number);
    if (row < 0 || !m_rows[row].running)
        return;
    m_rows[row].step.stages.push_back(result);
    m_rows[row].currentStage.reset();
    changed(row);
}

void StepListModel::stepFinished(const StepRecord &step) {
    int row = rowOfStep(step.number);
    if (row >= 0 && m_rows[row].running) {
        m_rows[row].step = step;
        m_rows[row].running = false;
        m_rows[row].currentStage.reset();
        changed(row);
        return;
    }
    row = static_cast<int>(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.push_back(Row{step, false, std::nullopt, 0, {}});
    endInsertRows();
}

void StepListModel::setOverride(const Oid &commit, const QString &description) {
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].step.commit == commit) {
            m_rows[i].override = description;
            changed(static_cast<int>(i));
        }
}

int StepListModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int StepListModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : static_cast<int>(Column::Count);
}

QVariant StepListModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows[static_cast<std::size_t>(index.row())];
    const StepRecord &s = r.step;
    const auto column = static_cast<Column>(index.column());
    const bool decided = !r.running && !s.cancelled();
    switch (role) {
    case StepNumberRole:
        return s.number;
    case CommitRole:
        return s.commit.toString();
    case VerdictRole:
        return decided ? static_cast<int>(s.classification.verdict) : -1;
    case RunningRole:
        return r.running;
    case Qt::DisplayRole:
        switch (column) {
        case Column::Number:
            return s.attempt > 1 ? QStringLiteral("%1 (try %2)").arg(s.number).arg(s.attempt)
                                 : QString::number(s.number);
        case Column::Commit: {
            QString text = QStringLiteral("%1  %2").arg(s.commit.toString().left(10), s.subject);
            const QString purpose = purposeLabel(s.purpose);
            return purpose.isEmpty() ? text : QStringLiteral("%1  [%2]").arg(text, purpose);
        }
        case Column::Stages:
            return stagesText(s, r.running ? r.currentStage : std::nullopt);
        case Column::Duration: {
            const qint64 end = r.running ? QDateTime::currentMSecsSinceEpoch() : s.finishedMs;
            return s.startedMs > 0 && end >= s.startedMs ? formatDuration(end - s.startedMs)
                                                         : QString();
        }
        case Column::Verdict: {
            QString v = r.running       ? QStringLiteral("running")
                        : s.cancelled() ? QStringLiteral("cancelled")
                                        : verdictName(s.classification.verdict);
            if (!r.override.isEmpty())
                v += QStringLiteral(" (overridden)");
            return v;
        }
        case Column::Reason:
            if (!r.override.isEmpty())
                return QStringLiteral("%1 — override: %2").arg(s.classification.reason, r.override);
            return r.running ? QString() : s.classification.reason;
        case Column::Count:
            break;
        }
        return {};
    case Qt::ToolTipRole:
        if (column == Column::Reason || column == Column::Verdict)
            return data(index.siblingAtColumn(static_cast<int>(Column::Reason)), Qt::DisplayRole);
        if (column == Column::Commit)
            return QStringLiteral("%1\n%2").arg(s.commit.toString(), s.subject);
        return {};
    case Qt::ForegroundRole:
        if (column == Column::Verdict && decided)
            return verdictColor(s.classification.verdict);
        return {};
    case Qt::FontRole:
        if (column == Column::Verdict || r.running) {
            QFont f;
            f.setBold(column == Column::Verdict);
            f.setItalic(r.running);
            return f;
        }
        return {};
    case Qt::BackgroundRole:
        if (decided) {
            QColor c = verdictColor(s.classification.verdict);
            c.setAlpha(38);
            return c;
        }
        return {};
    default:
        return {};
    }
}

QVariant StepListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case Column::Number:
        return tr("Step");
    case Column::Commit:
        return tr("Commit");
    case Column::Stages:
        return tr("Stages");
    case Column::Duration:
        return tr("Duration");
    case Column::Verdict:
        return tr("Verdict");
    case Column::Reason:
        return tr("Why");
    case Column::Count:
        break;
    }
    return {};
}

const StepRecord *StepListModel::step(int row) const {
    return row >= 0 && row < rowCount() ? &m_rows[static_cast<std::size_t>(row)].step : nullptr;
}

int StepListModel::rowOfRunning() const {
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].running)
            return static_cast<int>(i);
    return -1;
}

std::vector<StepRecord> StepListModel::finishedSteps() const {
    std::vector<StepRecord> out;
    for (const Row &r : m_rows)
        if (!r.running)
            out.push_back(r.step);
    return out;
}

int StepListModel::rowOfStep(int number) const {
    for (int i = static_cast<int>(m_rows.size()) - 1; i >= 0; --i)
        if (m_rows[static_cast<std::size_t>(i)].step.number == number)
            return i;
    return -1;
}

void StepListModel::changed(int row) {
    emit dataChanged(index(row, 0), index(row, columnCount() - 1));
}

} // namespace bw
