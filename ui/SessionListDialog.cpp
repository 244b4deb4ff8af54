#include "ui/SessionListDialog.h"

#include "models/BisectLog.h"
#include "ui/ExportDialog.h"
#include "ui/UiLogging.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace bw {

SessionListDialog::SessionListDialog(const QString &sessionsRoot, QWidget *parent)
    : QDialog(parent)
    , m_root(sessionsRoot)
    , m_model(new SessionListModel(this))
    , m_proxy(new QSortFilterProxyModel(this)) {
    setObjectName(QStringLiteral("sessionListDialog"));
    setWindowTitle(tr("Sessions"));
    resize(900, 420);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(SessionListModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    auto *layout = new QVBoxLayout(this);
    auto *where =
        new QLabel(tr("Sessions in %1").arg(QDir::toNativeSeparators(sessionsRoot)), this);
    where->setObjectName(QStringLiteral("sessionsRoot"));
    where->setTextInteractionFlags(Qt::TextSelectableByMouse);
    where->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(where);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("sessionTable"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(SessionListModel::Updated, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setShowGrid(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    QHeaderView *header = m_view->horizontalHeader();
    header->setHighlightSections(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(SessionListModel::Culprit, QHeaderView::Stretch);
    header->resizeSection(SessionListModel::Repository, 150);
    header->resizeSection(SessionListModel::Status, 80);
    header->resizeSection(SessionListModel::Steps, 55);
    header->resizeSection(SessionListModel::Created, 130);
    header->resizeSection(SessionListModel::Updated, 130);
    layout->addWidget(m_view, 1);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("sessionStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_reopen = buttons->addButton(tr("&Reopen"), QDialogButtonBox::AcceptRole);
    m_reopen->setObjectName(QStringLiteral("reopenButton"));
    m_export = buttons->addButton(tr("&Export…"), QDialogButtonBox::ActionRole);
    m_export->setObjectName(QStringLiteral("exportButton"));
    QPushButton *import =
        buttons->addButton(tr("&Import a Bisect Log…"), QDialogButtonBox::ActionRole);
    import->setObjectName(QStringLiteral("importButton"));
    QPushButton *reload = buttons->addButton(tr("Re&fresh"), QDialogButtonBox::ResetRole);
    reload->setObjectName(QStringLiteral("refreshButton"));
    layout->addWidget(buttons);

    // The Reopen button is the accept role: it must not close the dialog by itself.
    disconnect(buttons, &QDialogButtonBox::accepted, this, nullptr);
    connect(m_reopen, &QPushButton::clicked, this, &SessionListDialog::reopenCurrent);
    connect(m_export, &QPushButton::clicked, this, &SessionListDialog::exportCurrent);
    connect(import, &QPushButton::clicked, this, &SessionListDialog::chooseLogToImport);
    connect(reload, &QPushButton::clicked, this, &SessionListDialog::refresh);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_view, &QAbstractItemView::activated, this, &SessionListDialog::reopenCurrent);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &SessionListDialog::updateButtons);
    connect(&m_scan, &QFutureWatcherBase::finished, this, &SessionListDialog::scanned);
    updateButtons();
    refresh();
}

SessionListDialog::~SessionListDialog() {
    m_scan.waitForFinished();
}

void SessionListDialog::refresh() {
    if (m_scan.isRunning()) {
        m_rescan = true;
        return;
    }
    m_rescan = false;
    m_status->setText(tr("Reading the sessions…"));
    m_scan.setFuture(QtConcurrent::run([root = m_root] { return scanSessions(root); }));
}

void SessionListDialog::scanned() {
    if (m_rescan) {
        refresh();
        return;
    }
    const QString selected = currentSessionDir();
    m_model->setSessions(m_scan.result());
    const int count = m_model->rowCount();
    m_status->setText(count == 0   ? tr("No sessions yet: a run's session appears here.")
                      : count == 1 ? tr("1 session.")
                                   : tr("%1 sessions.").arg(count));
    for (int c : {SessionListModel::Status, SessionListModel::Steps, SessionListModel::Created,
                  SessionListModel::Updated})
        m_view->resizeColumnToContents(c);
    if (!selected.isEmpty())
        selectSession(selected);
    else if (count > 0)
        m_view->selectRow(0);
    updateButtons();
    emit loaded();
}

QString SessionListDialog::currentSessionDir() const {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    return rows.first().data(SessionListModel::DirRole).toString();
}

void SessionListDialog::selectSession(const QString &sessionDir) {
    const int row = m_model->rowOf(sessionDir);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_view->selectRow(index.row());
    m_view->scrollTo(index);
}

void SessionListDialog::updateButtons() {
    const bool any = !currentSessionDir().isEmpty();
    m_reopen->setEnabled(any);
    m_export->setEnabled(any);
}

void SessionListDialog::reopenCurrent() {
    const QString dir = currentSessionDir();
    if (dir.isEmpty())
        return;
    qCInfo(bwUi) << "reopen session" << dir;
    emit reopenRequested(dir);
}

void SessionListDialog::exportCurrent() {
    const QString dir = currentSessionDir();
    if (dir.isEmpty())
        return;
    auto *dialog = new ExportDialog(dir, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

bool SessionListDialog::importLog(const QString &logPath) {
    QFile f(logPath);
    if (!f.open(QIODevice::ReadOnly)) {
        m_status->setText(tr("Cannot read %1: %2").arg(logPath, f.errorString()));
        return false;
    }
    // A small file: parsing it here is cheaper than a thread.
    auto entries = parseBisectLog(QString::fromUtf8(f.read(16 * 1024 * 1024)));
    if (!entries || entries->empty()) {
        m_status->setText(
            tr("%1 is not a git bisect log%2")
                .arg(logPath,
                     entries ? QString() : QStringLiteral(": ") + entries.error().message()));
        return false;
    }
    m_status->setText(tr("Importing %1…").arg(logPath));
    emit importRequested(logPath);
    return true;
}

void SessionListDialog::chooseLogToImport() {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Import a Bisect Log"), QDir::homePath(),
                                     tr("Bisect logs (*.log *.txt BISECT_LOG);;All files (*)"));
    if (!path.isEmpty())
        importLog(path);
}

} // namespace bw
