#include "ui/CommitGraphView.h"

#include "models/CommitGraphModel.h"
#include "ui/CommitGraphDelegate.h"

#include <QContextMenuEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>
#include <QRegularExpression>

namespace bw {

CommitGraphView::CommitGraphView(QWidget *parent)
    : QTableView(parent)
    , m_filter(new RemainingOnlyFilterModel(this)) {
    setObjectName(QStringLiteral("commitGraph"));
    setItemDelegate(new CommitGraphDelegate(this));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setShowGrid(false);
    setWordWrap(false);
    setAlternatingRowColors(false);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    verticalHeader()->hide();
    // Uniform rows: the view never asks a million rows for their height.
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    horizontalHeader()->setHighlightSections(false);
    horizontalHeader()->setStretchLastSection(false);
    QTableView::setModel(m_filter);
}

void CommitGraphView::setGraphModel(CommitGraphModel *model) {
    m_model = model;
    m_filter->setSourceModel(model);
    auto *header = horizontalHeader();
    using C = CommitGraphModel::Column;
    header->setSectionResizeMode(static_cast<int>(C::Graph), QHeaderView::Interactive);
    header->setSectionResizeMode(static_cast<int>(C::Subject), QHeaderView::Stretch);
    header->setSectionResizeMode(static_cast<int>(C::Author), QHeaderView::Interactive);
    header->setSectionResizeMode(static_cast<int>(C::Date), QHeaderView::Interactive);
    header->setSectionResizeMode(static_cast<int>(C::Sha), QHeaderView::Interactive);
    setColumnWidth(static_cast<int>(C::Graph), 6 * CommitGraphDelegate::LaneWidth);
    setColumnWidth(static_cast<int>(C::Author), 150);
    setColumnWidth(static_cast<int>(C::Date), 150);
    setColumnWidth(static_cast<int>(C::Sha), fontMetrics().horizontalAdvance(QString(13, u'0')));
    connect(selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (auto oid = current.data(static_cast<int>(CommitGraphModel::Role::OidRole));
                    oid.isValid())
                    emit currentCommitChanged(oid.value<Oid>());
            });
}

std::optional<Oid> CommitGraphView::currentCommit() const {
    const QVariant oid = currentIndex().data(static_cast<int>(CommitGraphModel::Role::OidRole));
    if (!oid.isValid())
        return std::nullopt;
    return oid.value<Oid>();
}

bool CommitGraphView::goToCommit(const Oid &oid) {
    if (!m_model || !m_model->dag())
        return false;
    const CommitDag::Id id = m_model->dag()->find(oid);
    if (id == CommitDag::None)
        return false;
    const QModelIndex index = m_filter->mapFromSource(m_model->index(static_cast<int>(id), 1));
    if (!index.isValid())
        return false;
    setCurrentIndex(index);
    scrollTo(index, QAbstractItemView::PositionAtCenter);
    return true;
}

bool CommitGraphView::reveal(const Oid &oid) {
    if (goToCommit(oid))
        return true;
    if (!m_filter->remainingOnly())
        return false;
    // Eliminated commits are hidden: show everything to show this one.
    setRemainingOnly(false);
    emit remainingOnlyChanged(false);
    return goToCommit(oid);
}

void CommitGraphView::setRemainingOnly(bool on) {
    const auto keep = currentCommit();
    m_filter->setRemainingOnly(on);
    if (keep)
        goToCommit(*keep);
}

QString CommitGraphView::find(const QString &text) {
    const QString needle = text.trimmed();
    if (needle.isEmpty() || !m_model || !m_model->dag())
        return tr("Nothing to find");
    const CommitDag &dag = *m_model->dag();
    auto show = [this](const Oid &oid) { reveal(oid); };
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]{4,40}$"));
    if (hex.match(needle).hasMatch()) {
        const QByteArray latin = needle.toLatin1();
        const auto hits = dag.findPrefix(std::string_view(latin.constData(), latin.size()), 2);
        if (hits.size() == 1) {
            show(dag.oid(hits.front()));
            return {};
        }
        if (hits.size() > 1)
            return tr("%1 is ambiguous: several commits start with it").arg(needle);
    }
    const int rows = m_model->rowCount();
    const int refsRole = static_cast<int>(CommitGraphModel::Role::RefsRole);
    for (int row = 0; row < rows; ++row) {
        if (m_model->index(row, 0).data(refsRole).toStringList().contains(needle)) {
            show(dag.oid(static_cast<CommitDag::Id>(row)));
            return {};
        }
    }
    const QModelIndex current = m_filter->mapToSource(currentIndex());
    const int start = current.isValid() ? current.row() + 1 : 0;
    const int subject = static_cast<int>(CommitGraphModel::Column::Subject);
    for (int i = 0; i < rows; ++i) {
        const int row = (start + i) % rows;
        if (m_model->index(row, subject).data().toString().contains(needle, Qt::CaseInsensitive)) {
            show(dag.oid(static_cast<CommitDag::Id>(row)));
            return {};
        }
    }
    return tr("No commit matches \"%1\"").arg(needle);
}

void CommitGraphView::requestMark(MarkKind kind) {
    if (auto oid = currentCommit())
        emit markRequested(kind, *oid);
}

void CommitGraphView::keyPressEvent(QKeyEvent *event) {
    if (event->modifiers() == Qt::NoModifier) {
        switch (event->key()) {
        case Qt::Key_G:
            requestMark(MarkKind::Good);
            return;
        case Qt::Key_B:
            requestMark(MarkKind::Bad);
            return;
        case Qt::Key_S:
            requestMark(MarkKind::Skip);
            return;
        case Qt::Key_C:
            if (auto oid = currentCommit())
                emit clearMarksRequested(*oid);
            return;
        default:
            break;
        }
    }
    QTableView::keyPressEvent(event);
}

void CommitGraphView::contextMenuEvent(QContextMenuEvent *event) {
    const QModelIndex index = indexAt(event->pos());
    if (!index.isValid())
        return;
    setCurrentIndex(index);
    QMenu menu(this);
    menu.addAction(tr("Mark &good"), this, [this] { requestMark(MarkKind::Good); })
        ->setShortcut(Qt::Key_G);
    menu.addAction(tr("Mark &bad"), this, [this] { requestMark(MarkKind::Bad); })
        ->setShortcut(Qt::Key_B);
    menu.addAction(tr("&Skip"), this, [this] { requestMark(MarkKind::Skip); })
        ->setShortcut(Qt::Key_S);
    menu.addSeparator();
    QAction *clear = menu.addAction(tr("&Clear Mark"), this, [this] {
        if (auto oid = currentCommit())
            emit clearMarksRequested(*oid);
    });
    clear->setShortcut(Qt::Key_C);
    const auto states = CommitStates::fromInt(
        index.data(static_cast<int>(CommitGraphModel::Role::StateRole)).toInt());
    clear->setEnabled(states & (CommitState::Good | CommitState::Bad | CommitState::Skipped));
    menu.exec(event->globalPos());
}

} // namespace bw
