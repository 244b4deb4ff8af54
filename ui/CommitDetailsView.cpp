#include "ui/CommitDetailsView.h"
#include "ui/Palette.h"

#include "services/git/CommitDetails.h"
#include "services/git/CommitSummary.h"
#include "services/git/Repository.h"
#include "ui/DiffHighlighter.h"
#include "ui/UiLogging.h"

#include <QAction>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBlock>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace bw {

namespace {
using LoadResult = Result<git::CommitDetails>;

enum FileColumn { StatusColumn, PathColumn, AddedColumn, RemovedColumn };

QPlainTextEdit *makeReadOnlyText(const QString &name, QWidget *parent) {
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(name);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    return edit;
}

QString badge(const QString &text, const QColor &bg, const QColor &fg) {
    return QStringLiteral("<span style=\"background-color:%1; color:%2;\">&nbsp;%3&nbsp;</span>")
        .arg(bg.name(), fg.name(), text.toHtmlEscaped());
}
} // namespace

CommitDetailsView::CommitDetailsView(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("CommitDetailsView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("status"));
    m_status->setWordWrap(true);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);

    m_content = new QWidget(this);
    m_content->setObjectName(QStringLiteral("content"));
    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_content, 1);

    auto *headerRow = new QHBoxLayout;
    m_header = new QLabel(m_content);
    m_header->setObjectName(QStringLiteral("header"));
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextBrowserInteraction);
    m_header->setOpenExternalLinks(false);
    connect(m_header, &QLabel::linkActivated, this, [this](const QString &link) {
        if (!link.startsWith(QLatin1String("parent:")))
            return;
        if (const auto oid = Oid::fromHex(link.mid(7)))
            emit parentActivated(*oid);
    });
    headerRow->addWidget(m_header, 1);
    auto *copyAction =
        new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("Copy SHA"), this);
    copyAction->setObjectName(QStringLiteral("actionCopySha"));
    copyAction->setToolTip(tr("Copy the full commit id to the clipboard"));
    connect(copyAction, &QAction::triggered, this, &CommitDetailsView::copySha);
    m_copy = new QToolButton(m_content);
    m_copy->setObjectName(QStringLiteral("copySha"));
    m_copy->setDefaultAction(copyAction);
    m_copy->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    headerRow->addWidget(m_copy, 0, Qt::AlignTop);
    contentLayout->addLayout(headerRow);

    auto *vertical = new QSplitter(Qt::Vertical, m_content);
    vertical->setObjectName(QStringLiteral("detailsSplitter"));
    m_message = makeReadOnlyText(QStringLiteral("message"), vertical);
    auto *horizontal = new QSplitter(Qt::Horizontal, vertical);
    horizontal->setObjectName(QStringLiteral("patchSplitter"));
    m_files = new QTreeWidget(horizontal);
    m_files->setObjectName(QStringLiteral("files"));
    m_files->setRootIsDecorated(false);
    m_files->setUniformRowHeights(true);
    m_files->setHeaderLabels({QString(), tr("File"), QStringLiteral("+"), QStringLiteral("−")});
    m_files->header()->setStretchLastSection(false);
    m_files->header()->setSectionResizeMode(PathColumn, QHeaderView::Stretch);
    for (int c : {StatusColumn, AddedColumn, RemovedColumn})
        m_files->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    connect(m_files, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item)
            scrollPatchToFile(item->data(PathColumn, Qt::UserRole).toInt());
    });
    m_patch = makeReadOnlyText(QStringLiteral("patch"), horizontal);
    m_highlighter = DiffHighlighter::create(m_patch->document(), m_patch->palette());
    horizontal->addWidget(m_files);
    horizontal->addWidget(m_patch);
    horizontal->setStretchFactor(0, 1);
    horizontal->setStretchFactor(1, 3);
    horizontal->setSizes({220, 660});
    vertical->addWidget(m_message);
    vertical->addWidget(horizontal);
    vertical->setStretchFactor(0, 1);
    vertical->setStretchFactor(1, 4);
    contentLayout->addWidget(vertical, 1);

    clear();
}

CommitDetailsView::~CommitDetailsView() = default;

void CommitDetailsView::showCommit(const QString &repoPath, const Oid &oid) {
    const quint64 generation = ++m_generation;
    setState(State::Loading, tr("Loading %1…").arg(oid.toString().left(12)));
    // The worker opens its own repository: one native handle, one owning thread. It
    // captures only values, so it may outlive this widget harmlessly.
    QFuture<LoadResult> future =
        QtConcurrent::run([repoPath, oid, max = m_maxPatchBytes]() -> LoadResult {
            auto repo = git::Repository::open(repoPath);
            if (!repo)
                return repo.error();
            return git::loadCommitDetails(*repo, oid, max);
        });
    auto *watcher = new QFutureWatcher<LoadResult>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation)
            return; // superseded by a newer request or a clear()
        const LoadResult result = watcher->result();
        if (result)
            display(*result);
        else
            showFailure(result.error().message());
    });
    watcher->setFuture(future);
}

void CommitDetailsView::clear() {
    ++m_generation; // drops whatever is still loading
    m_shown = Oid();
    m_details.reset();
    m_header->clear();
    m_message->clear();
    m_files->clear();
    m_patch->clear();
    m_fileBlocks.clear();
    m_truncationBlock = -1;
    setState(State::Empty, tr("No commit selected."));
}

void CommitDetailsView::setState(State state, const QString &status) {
    m_state = state;
    m_status->setText(status);
    m_status->setVisible(!status.isEmpty());
    QPalette pal = palette();
    if (state == State::Failed)
        pal.setColor(QPalette::WindowText,
                     palette::isDark(pal) ? QColor(0xff, 0x7b, 0x72) : QColor(0xb3, 0x1d, 0x28));
    m_status->setPalette(pal);
    // While loading, the previous commit stays visible until the new one replaces it.
    if (state != State::Loading)
        m_content->setVisible(state == State::Shown);
    m_copy->defaultAction()->setEnabled(state == State::Shown);
}

void CommitDetailsView::showFailure(const QString &message) {
    qCWarning(bwUi) << "commit details:" << message;
    m_shown = Oid();
    m_details.reset();
    setState(State::Failed, tr("Cannot show the commit: %1").arg(message));
    emit loadFailed(message);
}

void CommitDetailsView::display(const git::CommitDetails &details) {
    m_details = std::make_shared<const git::CommitDetails>(details);
    m_shown = details.info.oid;
    m_header->setText(headerHtml(details));

    QString message = details.info.message;
    while (message.endsWith(u'\n'))
        message.chop(1);
    m_message->setPlainText(message);

    m_files->clear();
    QList<QTreeWidgetItem *> items;
    for (int i = 0; i < int(details.files.size()); ++i) {
        const git::CommitDetails::FileChange &f = details.files[size_t(i)];
        auto *item = new QTreeWidgetItem;
        item->setText(StatusColumn, QString(QLatin1Char(f.status)));
        item->setText(PathColumn, f.oldPath.isEmpty()
                                      ? f.path
                                      : QStringLiteral("%1 → %2").arg(f.oldPath, f.path));
        item->setToolTip(PathColumn, item->text(PathColumn));
        item->setData(PathColumn, Qt::UserRole, i);
        if (f.binary) {
            item->setText(AddedColumn, tr("bin"));
        } else {
            item->setText(AddedColumn, QString::number(f.additions));
            item->setText(RemovedColumn, QString::number(f.deletions));
        }
        item->setTextAlignment(AddedColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(RemovedColumn, Qt::AlignRight | Qt::AlignVCenter);
        items.append(item);
    }
    m_files->addTopLevelItems(items);

    QString text = details.diffstat;
    if (!text.isEmpty() && !text.endsWith(u'\n'))
        text += u'\n';
    if (!text.isEmpty() && !details.patch.isEmpty())
        text += u'\n';
    // Without wrapping a block is a line: the patch's line numbers shifted by the diffstat.
    const int patchStart = int(text.count(u'\n'));
    text += details.patch;
    m_patch->setPlainText(text);
    m_fileBlocks.clear();
    for (const git::CommitDetails::FileChange &f : details.files)
        m_fileBlocks.push_back(f.patchLine < 0 ? -1 : patchStart + f.patchLine);
    m_truncationBlock = details.patchTruncated ? m_patch->document()->blockCount() - 2 : -1;

    setState(State::Shown);
    emit loaded(m_shown);
}

void CommitDetailsView::scrollPatchToFile(int fileIndex) {
    if (fileIndex < 0 || size_t(fileIndex) >= m_fileBlocks.size())
        return;
    const int block =
        m_fileBlocks[size_t(fileIndex)] >= 0 ? m_fileBlocks[size_t(fileIndex)] : m_truncationBlock;
    if (block < 0)
        return;
    m_patch->setTextCursor(QTextCursor(m_patch->document()->findBlockByNumber(block)));
    // Without wrapping a block is one line and the scroll bar counts lines: put the
    // file header at the top.
    m_patch->verticalScrollBar()->setValue(block);
}

void CommitDetailsView::copySha() {
    if (!m_shown.isNull())
        QGuiApplication::clipboard()->setText(m_shown.toString());
}

QString CommitDetailsView::headerHtml(const git::CommitDetails &d) const {
    const QPalette pal = palette();
    const bool dark = palette::isDark(pal);
    const QColor fg = pal.color(QPalette::Text);
    const QColor branchBg = dark ? QColor(0x1f, 0x6f, 0x3b) : QColor(0xc8, 0xf0, 0xd0);
    const QColor remoteBg = dark ? QColor(0x1f, 0x4f, 0x8f) : QColor(0xcc, 0xe0, 0xff);
    const QColor tagBg = dark ? QColor(0x7a, 0x5a, 0x10) : QColor(0xff, 0xe9, 0xb0);
    // Explicit: a label's links keep the colour of the palette it had when the text was set.
    const QString link = pal.color(QPalette::Link).name();
    const git::CommitInfo &info = d.info;

    QString refs;
    for (const QString &ref : d.refs) {
        const bool tag = d.tags.contains(ref);
        const bool remote = d.remoteBranches.contains(ref);
        refs += u' ' + badge(tag ? tr("tag: %1").arg(ref) : ref,
                             tag      ? tagBg
                             : remote ? remoteBg
                                      : branchBg,
                             fg);
    }
    QString parents;
    for (const Oid &p : info.parents)
        parents += QStringLiteral("<a href=\"parent:%1\" style=\"color:%3\"><tt>%2</tt></a> ")
                       .arg(p.toString(), p.toString().left(12), link);
    if (parents.isEmpty())
        parents = tr("none (root commit)");

    const auto row = [](const QString &key, const QString &value) {
        return QStringLiteral("<tr><td style=\"padding-right:8px\"><b>%1</b></td><td>%2</td></tr>")
            .arg(key, value);
    };
    QString html = QStringLiteral("<p style=\"margin:0\"><b style=\"font-size:large\">%1</b></p>")
                       .arg(info.subject.toHtmlEscaped());
    html += QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    html += row(tr("Commit"), QStringLiteral("<tt>%1</tt>%2").arg(info.oid.toString(), refs));
    html += row(tr("Author"),
                QStringLiteral("%1 &lt;%2&gt;")
                    .arg(info.authorName.toHtmlEscaped(), info.authorEmail.toHtmlEscaped()));
    html += row(tr("Author date"),
                git::gitDefaultDate(info.authorTime, info.authorOffsetMinutes).toHtmlEscaped());
    if (info.committerName != info.authorName || info.committerEmail != info.authorEmail)
        html += row(tr("Committer"), QStringLiteral("%1 &lt;%2&gt;")
                                         .arg(info.committerName.toHtmlEscaped(),
                                              info.committerEmail.toHtmlEscaped()));
    html += row(tr("Commit date"),
                git::gitDefaultDate(info.commitTime, info.commitOffsetMinutes).toHtmlEscaped());
    html += row(info.parents.size() > 1 ? tr("Parents") : tr("Parent"), parents);
    html += row(tr("Diff against"), d.diffBase.toHtmlEscaped());
    html += QStringLiteral("</table>");
    return html;
}

void CommitDetailsView::changeEvent(QEvent *event) {
    QWidget::changeEvent(event);
    if (event->type() != QEvent::PaletteChange || !m_patch)
        return;
    // Our palette, not the editor's: children hear of the change after us.
    if (auto *ours = qobject_cast<DiffHighlighter *>(m_highlighter)) {
        ours->setPalette(palette());
    } else {
        delete m_highlighter; // a KSyntaxHighlighting theme is chosen once: make a new one
        m_highlighter = DiffHighlighter::create(m_patch->document(), palette());
    }
    if (m_details)
        m_header->setText(headerHtml(*m_details));
}

} // namespace bw
