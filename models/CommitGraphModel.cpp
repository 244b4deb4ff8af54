#include "models/CommitGraphModel.h"

#include "models/ModelsLogging.h"

#include <algorithm>

namespace bw {

using Id = CommitDag::Id;

// ---- BisectAnnotations ----------------------------------------------------------------

BisectAnnotations BisectAnnotations::compute(const CommitDag &dag, const BisectQuery &q,
                                             const BisectOutcome &outcome) {
    const int n = dag.size();
    BisectAnnotations a(n);
    const auto loaded = [n](Id c) { return c < static_cast<Id>(n); };
    auto add = [&a, &loaded](Id c, CommitState s) {
        if (loaded(c))
            a.m_states[c] |= static_cast<std::uint8_t>(s);
    };

    std::vector<Id> goods;
    std::copy_if(q.goods.begin(), q.goods.end(), std::back_inserter(goods), loaded);
    if (loaded(q.bad)) {
        if (outcome.kind != BisectOutcome::Kind::BothGoodAndBad) {
            const std::vector<Id> candidates = BisectEngine::candidates(dag, q);
            if (!candidates.empty()) {
                for (auto &s : a.m_states)
                    s = static_cast<std::uint8_t>(CommitState::Eliminated);
                for (Id c : candidates)
                    a.m_states[c] = static_cast<std::uint8_t>(CommitState::Candidate);
                a.m_hasRange = true;
            }
        }
    } else if (!goods.empty()) {
        const std::vector<std::uint8_t> old = BisectEngine::ancestors(dag, goods);
        for (int c = 0; c < n; ++c)
            if (old[c])
                a.m_states[c] = static_cast<std::uint8_t>(CommitState::Eliminated);
        a.m_hasRange = true;
    }

    add(q.bad, CommitState::Bad);
    for (Id c : goods)
        add(c, CommitState::Good);
    for (Id c : q.skips)
        add(c, CommitState::Skipped);
    switch (outcome.kind) {
    case BisectOutcome::Kind::Next:
        add(outcome.commit, CommitState::UnderTest);
        break;
    case BisectOutcome::Kind::FirstBad:
        add(outcome.commit, CommitState::FirstBad);
        break;
    case BisectOutcome::Kind::OnlySkipped:
        for (Id c : outcome.possibleFirstBad)
            add(c, CommitState::PossibleFirstBad);
        break;
    case BisectOutcome::Kind::BothGoodAndBad:
        break;
    }
    return a;
}

int BisectAnnotations::candidateCount() const {
    const auto candidate = static_cast<std::uint8_t>(CommitState::Candidate);
    return static_cast<int>(std::count_if(m_states.begin(), m_states.end(),
                                          [&](std::uint8_t s) { return s & candidate; }));
}

void BisectAnnotations::set(Id c, CommitStates states) {
    if (c >= m_states.size())
        return;
    m_states[c] = static_cast<std::uint8_t>(states.toInt());
    if (states & (CommitState::Candidate | CommitState::Eliminated))
        m_hasRange = true;
}

// ---- CommitGraphModel -----------------------------------------------------------------

CommitGraphModel::CommitGraphModel(QObject *parent)
    : QAbstractTableModel(parent) {}

CommitGraphModel::CommitGraphModel(std::shared_ptr<const CommitDag> dag,
                                   std::shared_ptr<const LaneLayout> lanes, QObject *parent)
    : QAbstractTableModel(parent)
    , m_dag(std::move(dag))
    , m_lanes(std::move(lanes)) {}

void CommitGraphModel::setGraph(std::shared_ptr<const CommitDag> dag,
                                std::shared_ptr<const LaneLayout> lanes) {
    beginResetModel();
    m_dag = std::move(dag);
    m_lanes = std::move(lanes);
    m_texts.clear();
    m_provider = {}; // texts by id belong to the old graph
    m_annotations = {};
    endResetModel();
}

void CommitGraphModel::setLanes(std::shared_ptr<const LaneLayout> lanes) {
    m_lanes = std::move(lanes);
    const int rows = rowCount();
    if (rows > 0) {
        const int graph = static_cast<int>(Column::Graph);
        emit dataChanged(index(0, graph), index(rows - 1, graph),
                         {static_cast<int>(Role::LanesRole)});
    }
}

void CommitGraphModel::setCommitTexts(std::vector<CommitText> texts) {
    m_texts = std::move(texts);
    textsChanged();
}

void CommitGraphModel::setTextProvider(TextProvider provider) {
    m_provider = std::move(provider);
    textsChanged();
}

void CommitGraphModel::textsChanged() {
    const int rows = rowCount();
    if (rows > 0)
        emit dataChanged(index(0, static_cast<int>(Column::Subject)),
                         index(rows - 1, static_cast<int>(Column::Date)),
                         {Qt::DisplayRole, Qt::ToolTipRole});
}

void CommitGraphModel::setAnnotations(BisectAnnotations annotations) {
    const int rows = rowCount();
    if (!annotations.isEmpty() && annotations.size() != rows) {
        qCWarning(bwModels) << "annotations for" << annotations.size() << "commits, graph has"
                            << rows << "- ignored";
        annotations = {};
    }
    // One signal over the span of changed rows: a bisect step changes a few scattered
    // rows or a large block, and views repaint only what is visible anyway.
    int first = -1, last = -1;
    for (int r = 0; r < rows; ++r) {
        const auto id = static_cast<Id>(r);
        if (m_annotations.states(id) != annotations.states(id)) {
            if (first < 0)
                first = r;
            last = r;
        }
    }
    // Filters treat "no range" as "show everything": a change of that repaints all.
    if (rows > 0 && m_annotations.hasRange() != annotations.hasRange()) {
        first = 0;
        last = rows - 1;
    }
    m_annotations = std::move(annotations);
    if (first >= 0)
        emit dataChanged(index(first, 0), index(last, ColumnCount - 1),
                         {static_cast<int>(Role::StateRole)});
}

CommitText CommitGraphModel::text(Id c) const {
    if (m_provider)
        return m_provider(c);
    return c < m_texts.size() ? m_texts[c] : CommitText{};
}

int CommitGraphModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() || !m_dag ? 0 : m_dag->size();
}

int CommitGraphModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CommitGraphModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || !m_dag || index.row() >= m_dag->size())
        return {};
    const auto c = static_cast<Id>(index.row());
    const auto column = static_cast<Column>(index.column());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (column) {
        case Column::Graph:
            return {};
        case Column::Subject:
            return text(c).subject;
        case Column::Author:
            return text(c).author;
        case Column::Date: {
            const QDateTime date = text(c).date;
            const QDateTime shown =
                date.isValid() ? date : QDateTime::fromSecsSinceEpoch(m_dag->time(c), Qt::UTC);
            return shown.toString(QStringLiteral("yyyy-MM-dd hh:mm"));
        }
        case Column::Sha: {
            const QString hex = m_dag->oid(c).toString();
            return role == Qt::ToolTipRole ? hex : hex.left(ShortShaLength);
        }
        }
        return {};
    case static_cast<int>(Role::LanesRole):
        if (m_lanes && index.row() < m_lanes->rowCount())
            return QVariant::fromValue(LaneRow(m_lanes, index.row()));
        return {};
    case static_cast<int>(Role::StateRole):
        return static_cast<int>(states(index.row()).toInt());
    case static_cast<int>(Role::OidRole):
        return QVariant::fromValue(m_dag->oid(c));
    case static_cast<int>(Role::ShaRole):
        return m_dag->oid(c).toString();
    case static_cast<int>(Role::CommitIdRole):
        return static_cast<uint>(c);
    case static_cast<int>(Role::TimeRole):
        return static_cast<qint64>(m_dag->time(c));
    case static_cast<int>(Role::RefsRole):
        return text(c).refs;
    default:
        return {};
    }
}

QVariant CommitGraphModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 ||
        section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (static_cast<Column>(section)) {
    case Column::Graph:
        return tr("Graph");
    case Column::Subject:
        return tr("Subject");
    case Column::Author:
        return tr("Author");
    case Column::Date:
        return tr("Date");
    case Column::Sha:
        return tr("SHA");
    }
    return {};
}

Qt::ItemFlags CommitGraphModel::flags(const QModelIndex &index) const {
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QHash<int, QByteArray> CommitGraphModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(static_cast<int>(Role::LanesRole), "lanes");
    names.insert(static_cast<int>(Role::StateRole), "state");
    names.insert(static_cast<int>(Role::OidRole), "oid");
    names.insert(static_cast<int>(Role::ShaRole), "sha");
    names.insert(static_cast<int>(Role::CommitIdRole), "commitId");
    names.insert(static_cast<int>(Role::TimeRole), "time");
    names.insert(static_cast<int>(Role::RefsRole), "refs");
    return names;
}

// ---- RemainingOnlyFilterModel ---------------------------------------------------------

RemainingOnlyFilterModel::RemainingOnlyFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent) {
    setFilterRole(static_cast<int>(CommitGraphModel::Role::StateRole));
    setDynamicSortFilter(true);
}

void RemainingOnlyFilterModel::setRemainingOnly(bool on) {
    if (on == m_remainingOnly)
        return;
    m_remainingOnly = on;
    invalidateRowsFilter();
}

bool RemainingOnlyFilterModel::isRemaining(CommitStates states) {
    constexpr CommitStates keep = CommitState::Candidate | CommitState::Good | CommitState::Bad |
                                  CommitState::Skipped | CommitState::UnderTest |
                                  CommitState::FirstBad | CommitState::PossibleFirstBad;
    return states & keep;
}

bool RemainingOnlyFilterModel::filterAcceptsRow(int sourceRow,
                                                const QModelIndex &sourceParent) const {
    if (!m_remainingOnly || sourceParent.isValid())
        return true;
    // The fast path reads the annotations directly: no QVariant per row.
    if (const auto *graph = qobject_cast<const CommitGraphModel *>(sourceModel())) {
        if (!graph->annotations().hasRange())
            return true;
        return isRemaining(graph->states(sourceRow));
    }
    const QVariant v = sourceModel()
                           ->index(sourceRow, 0)
                           .data(static_cast<int>(CommitGraphModel::Role::StateRole));
    return isRemaining(CommitStates::fromInt(v.toInt()));
}

} // namespace bw
