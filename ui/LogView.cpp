#include "ui/LogView.h"

#include "ui/UiLogging.h"

#include <QElapsedTimer>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QScrollBar>
#include <QShortcut>
#include <QTextBlock>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <bit>
#include <cstring>
#include <ctime>

namespace bw {

namespace {

constexpr qsizetype CoalesceBytes = 64 * 1024;
constexpr qint64 MinFlushBytes = 16 * 1024;
constexpr qint64 MaxFlushBytes = 8 * 1024 * 1024;

// append() runs per chunk on the GUI thread: count 8 bytes at a time (a byte is '\n'
// when it XORs to zero; the 0x7f trick flags zero bytes without false positives).
qsizetype countNewlines(const char *data, qsizetype size) {
    constexpr quint64 Newlines = 0x0a0a0a0a0a0a0a0aULL;
    constexpr quint64 Low7 = 0x7f7f7f7f7f7f7f7fULL;
    qsizetype n = 0;
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 word;
        std::memcpy(&word, data + i, 8);
        const quint64 x = word ^ Newlines;
        const quint64 nonZero = ((x & Low7) + Low7) | x;
        n += std::popcount(~nonZero & ~Low7);
    }
    for (; i < size; ++i)
        n += data[i] == '\n';
    return n;
}

// The GUI thread's own CPU time: what a flush costs, undistorted by the time the scheduler
// gives other processes on a loaded machine (measuring wall time there shrank the budget
// to nothing and the backlog drained at a crawl). Wall time where there is no such clock.
qint64 threadCpuNs() {
#if defined(Q_OS_UNIX) && defined(CLOCK_THREAD_CPUTIME_ID)
    timespec ts{};
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
#endif
    static QElapsedTimer wall;
    if (!wall.isValid())
        wall.start();
    return wall.nsecsElapsed();
}

struct TailRead {
    QByteArray data;
    qint64 skipped = 0; // bytes of the file before `data`
    QString error;
};

// The last `maxBytes` of a file, starting at a line start when it had to cut.
TailRead readTail(const QString &path, qint64 maxBytes) {
    TailRead r;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        r.error = file.errorString();
        return r;
    }
    const qint64 size = file.size();
    if (size > maxBytes && file.seek(size - maxBytes)) {
        r.data = file.read(maxBytes);
        const qsizetype nl = r.data.indexOf('\n');
        const qsizetype cut = nl < 0 ? 0 : nl + 1;
        r.data.remove(0, cut);
        r.skipped = size - maxBytes + cut;
    } else {
        r.data = file.readAll();
    }
    if (file.error() != QFileDevice::NoError)
        r.error = file.errorString();
    return r;
}

// Enter/Shift+Enter in the search field: next/previous match; Escape: back to the text.
class SearchKeys : public QObject {
public:
    SearchKeys(QObject *parent, std::function<void(bool)> find, std::function<void()> escape)
        : QObject(parent)
        , m_find(std::move(find))
        , m_escape(std::move(escape)) {}

protected:
    bool eventFilter(QObject *watched, QEvent *event) override {
        if (event->type() == QEvent::KeyPress) {
            auto *key = static_cast<QKeyEvent *>(event);
            if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
                m_find(key->modifiers() & Qt::ShiftModifier);
                return true;
            }
            if (key->key() == Qt::Key_Escape) {
                m_escape();
                return true;
            }
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<void(bool)> m_find;
    std::function<void()> m_escape;
};

QToolButton *toolButton(QWidget *parent, const QString &name, const QString &text,
                        const QString &tip, bool checkable = false) {
    auto *b = new QToolButton(parent);
    b->setObjectName(name);
    b->setText(text);
    b->setToolTip(tip);
    b->setCheckable(checkable);
    b->setAutoRaise(true);
    return b;
}

} // namespace

LogView::LogView(QWidget *parent)
    : QWidget(parent) {
    m_edit = new QPlainTextEdit(this);
    m_edit->setObjectName(QStringLiteral("logText"));
    m_edit->setReadOnly(true);
    m_edit->setUndoRedoEnabled(false);
    m_edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_edit->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_edit->setFont(mono);
    m_edit->setTabStopDistance(QFontMetricsF(mono).horizontalAdvance(u' ') * 8);
    m_cursor = QTextCursor(m_edit->document());
    m_parser.setMaxLineLength(m_maxLineLength);

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("logSearch"));
    m_search->setPlaceholderText(tr("Search (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setMaximumWidth(260);
    m_search->installEventFilter(new SearchKeys(
        m_search, [this](bool backward) { find(backward); }, [this] { m_edit->setFocus(); }));
    m_matchLabel = new QLabel(this);
    m_matchLabel->setObjectName(QStringLiteral("logMatches"));
    m_matchLabel->setMinimumWidth(
        m_matchLabel->fontMetrics().horizontalAdvance(QStringLiteral("00000/00000")));
    auto *previous = toolButton(this, QStringLiteral("logPrevious"), QStringLiteral("▲"),
                                tr("Previous match (Shift+Enter)"));
    auto *next =
        toolButton(this, QStringLiteral("logNext"), QStringLiteral("▼"), tr("Next match (Enter)"));
    m_droppedLabel = new QLabel(this);
    m_droppedLabel->setObjectName(QStringLiteral("logDropped"));
    m_droppedLabel->setVisible(false);
    m_pauseButton = toolButton(this, QStringLiteral("logPause"), tr("Pause"),
                               tr("Stop showing new output; it is kept (up to the line cap) "
                                  "and appears on resume"),
                               true);
    m_wrapButton =
        toolButton(this, QStringLiteral("logWrap"), tr("Wrap"), tr("Wrap long lines"), true);
    auto *clearButton =
        toolButton(this, QStringLiteral("logClear"), tr("Clear"), tr("Clear the view"));
    auto *saveButton = toolButton(this, QStringLiteral("logSave"), tr("Save as…"),
                                  tr("Save the shown text to a file"));

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(2, 2, 2, 2);
    bar->setSpacing(4);
    bar->addWidget(m_search);
    bar->addWidget(previous);
    bar->addWidget(next);
    bar->addWidget(m_matchLabel);
    bar->addStretch(1);
    bar->addWidget(m_droppedLabel);
    bar->addWidget(m_pauseButton);
    bar->addWidget(m_wrapButton);
    bar->addWidget(clearButton);
    bar->addWidget(saveButton);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_edit, 1);

    auto *focusSearch = new QShortcut(QKeySequence::Find, this);
    focusSearch->setContext(Qt::WidgetWithChildrenShortcut);
    connect(focusSearch, &QShortcut::activated, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    connect(m_search, &QLineEdit::textChanged, this, &LogView::setSearchText);
    connect(previous, &QToolButton::clicked, this, &LogView::findPrevious);
    connect(next, &QToolButton::clicked, this, &LogView::findNext);
    connect(m_pauseButton, &QToolButton::toggled, this, &LogView::setPaused);
    connect(m_wrapButton, &QToolButton::toggled, this, &LogView::setWrap);
    connect(clearButton, &QToolButton::clicked, this, &LogView::clear);
    connect(saveButton, &QToolButton::clicked, this, &LogView::saveAs);

    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &LogView::flush);
    m_matchTimer.setSingleShot(true);
    m_matchTimer.setInterval(0);
    connect(&m_matchTimer, &QTimer::timeout, this, &LogView::updateMatches);
    connect(m_edit->verticalScrollBar(), &QScrollBar::valueChanged, this, [this] {
        if (!m_searchText.isEmpty())
            m_matchTimer.start();
    });

    applyPalette();
}

LogView::~LogView() = default;

// --- streaming ----------------------------------------------------------------------

void LogView::append(const QByteArray &chunk) {
    enqueue(chunk);
}

void LogView::enqueue(const QByteArray &chunk) {
    if (chunk.isEmpty())
        return;
    const qsizetype newlines = countNewlines(chunk.constData(), chunk.size());
    if (chunk.size() < CoalesceBytes / 16 && !m_pending.empty() &&
        m_pending.back().bytes.size() < CoalesceBytes) { // many tiny chunks: merge them
        m_pending.back().bytes.append(chunk);
        m_pending.back().newlines += newlines;
    } else {
        m_pending.push_back(Chunk{chunk, 0, newlines});
    }
    m_pendingBytes += chunk.size();
    m_pendingNewlines += newlines;
    m_receivedNewlines += newlines;
    // Bound the queue (a paused view, a producer faster than the view): drop what the cap
    // would drop anyway, in steps of a quarter cap so the scan is amortised.
    if (m_pendingNewlines > m_maxLines + std::max(1024, m_maxLines / 4))
        dropQueuedLines(m_pendingNewlines - m_maxLines);
    scheduleFlush();
}

void LogView::scheduleFlush() {
    if (!m_paused && (m_pendingBytes > 0 || m_parsed) && !m_flushTimer.isActive())
        m_flushTimer.start(FlushIntervalMs);
}

void LogView::dropQueuedLines(qint64 lines) {
    qint64 left = lines;
    while (left > 0 && !m_pending.empty()) {
        Chunk &c = m_pending.front();
        const char *data = c.bytes.constData() + c.offset;
        const qsizetype size = c.bytes.size() - c.offset;
        qsizetype cut = size;
        qsizetype dropped = c.newlines;
        if (c.newlines >= left) {
            // After the left-th newline of this chunk.
            const char *p = data;
            for (qint64 n = 0; n < left; ++n)
                p = static_cast<const char *>(std::memchr(p, '\n', size_t(data + size - p))) + 1;
            cut = p - data;
            dropped = left;
        }
        // The dropped text may change the colour in effect for what follows.
        m_parser.skip(QByteArrayView(data, cut));
        m_pendingBytes -= cut;
        m_pendingNewlines -= dropped;
        left -= dropped;
        if (cut == size) {
            m_pending.pop_front();
        } else {
            c.offset += cut;
            c.newlines -= dropped;
        }
    }
    // The last line before the queue (parsed and waiting, or in the document) lost its
    // rest and its '\n' with the dropped text: end it there, so the kept text starts a
    // line of its own.
    if (m_parsed && !m_segments.isEmpty()) {
        if (!m_segments.last().text.endsWith(u'\n')) {
            m_segments.append(AnsiSegment{QStringLiteral("\n"), AnsiStyle()});
            ++m_parsedNewlines;
        }
    } else {
        if (!m_newlinePending && m_edit->document()->lastBlock().length() > 1)
            m_newlinePending = true;
        m_crPending = false;
    }
    updateDroppedLabel();
}

void LogView::flush() {
    // A flush is two turns of the event loop when the cap must make room: first the trim
    // (removal, and the text-buffer compaction QTextDocument may run after it, which
    // copies the whole text), then the insertion. Each stays within its own bound and the
    // loop runs in between; without trimming, one turn.
    if (m_paused || (m_pendingBytes == 0 && !m_parsed))
        return;
    QElapsedTimer timer;
    timer.start();
    const qint64 cpuStart = threadCpuNs();
    QScrollBar *bar = m_edit->verticalScrollBar();
    QTextDocument *doc = m_edit->document();

    if (!m_parsed) {
        if (m_pendingNewlines > m_maxLines)
            dropQueuedLines(m_pendingNewlines - m_maxLines);
        parseBudget();
        const qint64 incoming = newBlocks(m_segments);
        const int excess =
            int(std::min<qint64>(doc->blockCount() + incoming - m_maxLines, doc->blockCount() - 1));
        if (excess > 0) {
            const bool follow = isAtBottom();
            const int oldValue = bar->value();
            trimToCap(incoming);
            if (follow)
                bar->setValue(bar->maximum());
            else
                bar->setValue(std::max(0, oldValue - excess)); // keep the same lines
            m_stats.maxNs = std::max(m_stats.maxNs, timer.nsecsElapsed());
            m_stats.totalNs += timer.nsecsElapsed();
            m_flushTimer.start(0);
            return;
        }
    }

    // Insert in one edit block: one layout update, one highlight pass.
    const bool follow = isAtBottom();
    const int oldValue = bar->value();
    const int blocksBefore = doc->blockCount();
    m_insertedBlocks = 0;
    m_cursor.movePosition(QTextCursor::End);
    const int firstTouched = m_cursor.blockNumber(); // the last line may grow
    m_cursor.beginEditBlock();
    insertSegments(m_segments);
    if (m_highlight)
        highlightFrom(firstTouched);
    m_cursor.endEditBlock();
    m_parsed = false;
    m_parsedNewlines = 0;
    m_segments.clear();
    trimToCap(0); // what one flush inserted beyond the cap (a cap below the flush size)
    const qint64 trimmed = blocksBefore + m_insertedBlocks - doc->blockCount();
    if (follow)
        bar->setValue(bar->maximum());
    else if (trimmed > 0)
        bar->setValue(int(std::max<qint64>(0, oldValue - trimmed)));

    const qint64 elapsed = timer.nsecsElapsed();
    const qint64 cpu = threadCpuNs() - cpuStart;
    if (m_parsedBytes >= MinFlushBytes) {
        // Follow a dearer flush quickly, a cheaper one slowly.
        const double sample = double(cpu) / double(m_parsedBytes);
        m_nsPerByte =
            sample > m_nsPerByte ? 0.5 * (m_nsPerByte + sample) : 0.8 * m_nsPerByte + 0.2 * sample;
    }
    ++m_stats.flushes;
    m_stats.bytes += m_parsedBytes;
    m_stats.totalNs += elapsed;
    m_stats.maxNs = std::max(m_stats.maxNs, elapsed);
    m_parsedBytes = 0;
    updateDroppedLabel();
    if (!m_searchText.isEmpty())
        m_matchTimer.start();
    // The next flush FlushIntervalMs after this one began: a backlog drains at the
    // budget's share of the interval, and input never flushes more often.
    if (m_pendingBytes > 0 && !m_paused)
        m_flushTimer.start(std::max(1, FlushIntervalMs - int(elapsed / 1'000'000)));
    emit flushed();
}

void LogView::parseBudget() {
    // Takes the budget's worth of bytes from the queue and parses them into m_segments.
    const qint64 budget =
        std::clamp(qint64(double(m_flushBudgetNs) / m_nsPerByte), MinFlushBytes, MaxFlushBytes);
    qint64 taken = 0;
    m_segments.clear();
    while (!m_pending.empty() && taken < budget) {
        Chunk &c = m_pending.front();
        const qsizetype available = c.bytes.size() - c.offset;
        const qsizetype take = qsizetype(std::min<qint64>(available, budget - taken));
        const char *data = c.bytes.constData() + c.offset;
        const qsizetype newlines = take == available ? c.newlines : countNewlines(data, take);
        m_parser.feed(QByteArrayView(data, take), m_segments);
        taken += take;
        m_pendingBytes -= take;
        m_pendingNewlines -= newlines;
        if (take == available) {
            m_pending.pop_front();
        } else {
            c.offset += take;
            c.newlines -= newlines;
        }
    }
    m_parsed = true;
    m_parsedBytes = taken;
    m_parsedNewlines = 0;
    for (const AnsiSegment &segment : std::as_const(m_segments))
        m_parsedNewlines += std::count(segment.text.cbegin(), segment.text.cend(), u'\n');
}

qint64 LogView::newBlocks(const QList<AnsiSegment> &segments) const {
    // The blocks insertSegments() will add: one per '\n', the kept-back one included, a
    // final one kept back in turn.
    qint64 n = m_newlinePending ? 1 : 0;
    for (const AnsiSegment &segment : segments)
        n += std::count(segment.text.cbegin(), segment.text.cend(), u'\n');
    for (auto it = segments.crbegin(); it != segments.crend(); ++it) {
        const QString &t = it->text;
        qsizetype end = t.size();
        while (end > 0 && t.at(end - 1) == u'\r') // "\n\r": the '\n' is still kept back
            --end;
        if (end == 0)
            continue;
        if (t.at(end - 1) == u'\n')
            --n;
        break;
    }
    return std::max<qint64>(0, n);
}

void LogView::trimToCap(qint64 incoming) {
    // Not QTextDocument::setMaximumBlockCount(): its trim walks the removed blocks with
    // QTextCursor::NextBlock, which lays out (shapes) every one of them — the dearest part
    // of a flush. Selecting by position in an edit block lays out nothing. A separate edit
    // block, so the highlighter and the layout see "removed at 0" apart from "added at
    // the end" instead of one change spanning the whole document.
    QTextDocument *doc = m_edit->document();
    const int excess =
        int(std::min<qint64>(doc->blockCount() + incoming - m_maxLines, doc->blockCount() - 1));
    if (excess <= 0)
        return;
    QTextCursor trim(doc);
    trim.beginEditBlock();
    trim.setPosition(doc->findBlockByNumber(excess).position(), QTextCursor::KeepAnchor);
    trim.removeSelectedText();
    trim.endEditBlock();
}

void LogView::highlightFrom(int blockNumber) {
    // Classifies each new or grown line; only the rare matching ones get formats merged
    // (a background tint that keeps ANSI colours, and the keyword).
    QTextCursor c(m_edit->document());
    for (QTextBlock b = m_edit->document()->findBlockByNumber(blockNumber); b.isValid();
         b = b.next()) {
        const QString text = b.text();
        const LogHighlighter::Match m = LogHighlighter::classify(text);
        if (m.severity == LogHighlighter::Severity::None)
            continue;
        const int at = b.position();
        c.setPosition(at);
        c.setPosition(at + int(text.size()), QTextCursor::KeepAnchor);
        c.mergeCharFormat(m_marks.line[size_t(m.severity)]);
        if (m.length > 0) {
            c.setPosition(at + int(m.start));
            c.setPosition(at + int(m.start + m.length), QTextCursor::KeepAnchor);
            c.mergeCharFormat(m_marks.keyword[size_t(m.severity)]);
        }
    }
}

void LogView::insertSegments(const QList<AnsiSegment> &segments) {
    for (const AnsiSegment &segment : segments) {
        const QTextCharFormat &format = formatFor(segment.style);
        QStringView text = segment.text;
        while (!text.isEmpty()) {
            if (m_crPending) {
                if (text.front() == u'\r') {
                    text = text.sliced(1);
                    continue;
                }
                if (text.front() != u'\n') // "\r\n" is a plain newline
                    eraseCurrentLine();
                m_crPending = false;
            }
            const qsizetype cr = text.indexOf(u'\r');
            if (cr < 0) {
                insertRun(text, format);
                break;
            }
            insertRun(text.first(cr), format);
            m_crPending = true;
            text = text.sliced(cr + 1);
        }
    }
}

void LogView::insertRun(QStringView text, const QTextCharFormat &format) {
    if (text.isEmpty())
        return;
    const bool endsLine = text.back() == u'\n';
    if (endsLine)
        text.chop(1);
    QString s;
    s.reserve(text.size() + 1);
    if (m_newlinePending) {
        s.append(u'\n');
        m_newlinePending = false;
    }
    s.append(text);
    m_insertedBlocks += std::count(s.cbegin(), s.cend(), u'\n');
    if (!s.isEmpty())
        m_cursor.insertText(s, format);
    m_newlinePending = endsLine;
}

void LogView::eraseCurrentLine() {
    if (m_newlinePending)
        return; // the current line is the one the kept-back '\n' starts: still empty
    m_cursor.movePosition(QTextCursor::StartOfBlock, QTextCursor::KeepAnchor);
    m_cursor.removeSelectedText();
}

const QTextCharFormat &LogView::formatFor(const AnsiStyle &style) {
    if (style.isDefault())
        return m_plainFormat;
    for (const auto &entry : std::as_const(m_formats))
        if (entry.first == style)
            return entry.second;
    if (m_formats.size() >= 256)
        m_formats.clear(); // a stream cycling through true colours: keep the cache small
    m_formats.append({style, AnsiParser::format(style, m_colors, palette())});
    return m_formats.last().second;
}

void LogView::setText(const QByteArray &text) {
    clear();
    enqueue(text);
}

void LogView::loadFile(const QString &path, qint64 maxBytes) {
    clear();
    m_loading = true;
    const quint64 generation = m_loadGeneration;
    QtConcurrent::run([path, maxBytes] {
        return readTail(path, maxBytes);
    }).then(this, [this, generation, path](const TailRead &read) {
        if (generation != m_loadGeneration)
            return; // cleared or replaced meanwhile
        m_loading = false;
        m_skippedFileBytes = read.skipped;
        enqueue(read.data);
        updateDroppedLabel();
        if (!read.error.isEmpty())
            qCWarning(bwUi) << "log view: cannot read" << path << read.error;
        emit fileLoaded(path, read.error.isEmpty(), read.error);
    });
}

void LogView::clear() {
    ++m_loadGeneration;
    m_loading = false;
    m_flushTimer.stop();
    m_pending.clear();
    m_pendingBytes = m_pendingNewlines = m_receivedNewlines = 0;
    m_segments.clear();
    m_parsed = false;
    m_parsedBytes = m_parsedNewlines = 0;
    m_newlinePending = m_crPending = false;
    m_skippedFileBytes = 0;
    m_parser.reset();
    m_edit->clear();
    m_cursor = QTextCursor(m_edit->document());
    m_matchCount = m_currentMatch = 0;
    updateDroppedLabel();
    updateMatches();
}

QString LogView::text() const {
    // toRawText() keeps what toPlainText() would normalise (a no-break space); U+2029 is
    // the block separator (AnsiParser never lets one through from the input).
    QString s = m_edit->document()->toRawText();
    s.replace(QChar::ParagraphSeparator, u'\n');
    if (m_newlinePending)
        s.append(u'\n');
    return s;
}

bool LogView::saveTo(const QString &path, QString *error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text().toUtf8()) < 0 || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void LogView::saveAs() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save log as"), QString(),
                                                      tr("Logs (*.log *.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!saveTo(path, &error)) {
        qCWarning(bwUi) << "log view: cannot save" << path << error;
        m_droppedLabel->setText(tr("Not saved: %1").arg(error));
        m_droppedLabel->setVisible(true);
    }
}

// --- settings -----------------------------------------------------------------------

void LogView::setMaxLines(int lines) {
    m_maxLines = std::max(1, lines);
    trimToCap(0);
    updateDroppedLabel();
}

void LogView::setMaxLineLength(int chars) {
    m_maxLineLength = std::max(0, chars);
    m_parser.setMaxLineLength(m_maxLineLength);
}

void LogView::setPaused(bool paused) {
    if (paused == m_paused)
        return;
    m_paused = paused;
    {
        const QSignalBlocker block(m_pauseButton);
        m_pauseButton->setChecked(paused);
    }
    m_pauseButton->setText(paused ? tr("Resume") : tr("Pause"));
    if (paused)
        m_flushTimer.stop();
    else
        scheduleFlush();
    emit pausedChanged(paused);
}

void LogView::setWrap(bool wrap) {
    m_edit->setLineWrapMode(wrap ? QPlainTextEdit::WidgetWidth : QPlainTextEdit::NoWrap);
    const QSignalBlocker block(m_wrapButton);
    m_wrapButton->setChecked(wrap);
}

bool LogView::wraps() const {
    return m_edit->lineWrapMode() != QPlainTextEdit::NoWrap;
}

void LogView::changeEvent(QEvent *event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

void LogView::applyPalette() {
    // New output uses the new colours; what is shown keeps its own (re-colouring 200,000
    // lines would stall). The view's palette, not the editor's: the editor may not have
    // received the change yet.
    m_colors = AnsiParser::colorTable(palette());
    m_marks = LogHighlighter::formats(palette());
    m_formats.clear();
    m_droppedLabel->setStyleSheet(
        QStringLiteral("color: %1").arg(AnsiParser::colorTable(palette())[3].name()));
}

// --- state --------------------------------------------------------------------------

int LogView::lineCount() const {
    const QTextDocument *doc = m_edit->document();
    const bool lastLineOpen = m_newlinePending || doc->lastBlock().length() > 1;
    return doc->blockCount() - (lastLineOpen ? 0 : 1);
}

qint64 LogView::droppedLines() const {
    // Every received '\n' (and every break the parser inserted) is shown, queued, parsed
    // and waiting, or dropped; the document holds blockCount - 1 of them, plus the kept-back one.
    const qint64 shown = m_edit->document()->blockCount() - 1 + (m_newlinePending ? 1 : 0);
    return m_receivedNewlines + m_parser.forcedBreaks() - shown - m_pendingNewlines -
           m_parsedNewlines;
}

bool LogView::isAtBottom() const {
    const QScrollBar *bar = m_edit->verticalScrollBar();
    return bar->value() >= bar->maximum();
}

void LogView::scrollToBottom() {
    m_edit->verticalScrollBar()->setValue(m_edit->verticalScrollBar()->maximum());
}

void LogView::updateDroppedLabel() {
    const qint64 dropped = droppedLines();
    QStringList parts;
    const QLocale locale;
    if (dropped > 0)
        parts << tr("%1 lines dropped").arg(locale.toString(dropped));
    if (m_skippedFileBytes > 0)
        parts << tr("first %1 of the file not shown")
                     .arg(locale.formattedDataSize(m_skippedFileBytes));
    m_droppedLabel->setVisible(!parts.isEmpty());
    const QString text = QStringLiteral("⚠ ") + parts.join(QStringLiteral(", "));
    if (parts.isEmpty() || text == m_droppedLabel->text())
        return;
    m_droppedLabel->setText(text);
    m_droppedLabel->setToolTip(tr("The view keeps the last %1 lines. The step's log file has "
                                  "all of them.")
                                   .arg(locale.toString(m_maxLines)));
}

// --- search -------------------------------------------------------------------------

void LogView::setSearchText(const QString &text) {
    if (text == m_searchText)
        return;
    m_searchText = text;
    if (m_search->text() != text) {
        const QSignalBlocker block(m_search);
        m_search->setText(text);
    }
    m_currentMatch = 0;
    countMatches();
    updateMatches();
}

bool LogView::findNext() {
    return find(false);
}

bool LogView::findPrevious() {
    return find(true);
}

bool LogView::find(bool backward) {
    if (m_searchText.isEmpty())
        return false;
    QTextDocument *doc = m_edit->document();
    const QTextDocument::FindFlags flags =
        backward ? QTextDocument::FindBackward : QTextDocument::FindFlags();
    QTextCursor found = doc->find(m_searchText, m_edit->textCursor(), flags);
    if (found.isNull()) { // wrap around
        QTextCursor from(doc);
        if (backward)
            from.movePosition(QTextCursor::End);
        found = doc->find(m_searchText, from, flags);
    }
    if (found.isNull()) {
        countMatches();
        updateMatches();
        return false;
    }
    m_edit->setTextCursor(found);
    m_edit->centerCursor();
    countMatches();
    updateMatches();
    return true;
}

void LogView::countMatches() {
    // One pass over the blocks: the total and the ordinal of the selected match. Only on
    // a user action (typing, Enter), never per flush: it is linear in the document.
    m_matchCount = 0;
    m_currentMatch = 0;
    if (m_searchText.isEmpty())
        return;
    const QTextCursor current = m_edit->textCursor();
    const bool onMatch = current.hasSelection() &&
                         current.selectedText().compare(m_searchText, Qt::CaseInsensitive) == 0;
    const int selectionStart = current.selectionStart();
    for (QTextBlock b = m_edit->document()->begin(); b.isValid(); b = b.next()) {
        const QString text = b.text();
        qsizetype at = 0;
        while ((at = text.indexOf(m_searchText, at, Qt::CaseInsensitive)) >= 0) {
            ++m_matchCount;
            if (onMatch && b.position() + at == selectionStart)
                m_currentMatch = m_matchCount;
            at += m_searchText.size();
        }
    }
}

void LogView::updateMatches() {
    if (m_searchText.isEmpty()) {
        m_matchLabel->clear();
        m_edit->setExtraSelections({});
        return;
    }
    m_matchLabel->setText(m_currentMatch > 0
                              ? QStringLiteral("%1/%2").arg(m_currentMatch).arg(m_matchCount)
                              : QStringLiteral("%1").arg(m_matchCount));
    // Highlight the matches in view only: cheap whatever the document's size.
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Base).lightness() < 128;
    QTextCharFormat match;
    match.setBackground(dark ? QColor(0x6b, 0x55, 0x00) : QColor(0xff, 0xe5, 0x6b));
    QList<QTextEdit::ExtraSelection> selections;
    const QRect view = m_edit->viewport()->rect();
    QTextBlock block = m_edit->cursorForPosition(view.topLeft()).block();
    const QTextBlock last = m_edit->cursorForPosition(view.bottomLeft()).block();
    for (; block.isValid(); block = block.next()) {
        const QString text = block.text();
        qsizetype at = 0;
        while ((at = text.indexOf(m_searchText, at, Qt::CaseInsensitive)) >= 0) {
            QTextCursor c(block);
            c.setPosition(block.position() + int(at));
            c.setPosition(block.position() + int(at + m_searchText.size()),
                          QTextCursor::KeepAnchor);
            selections.append({c, match});
            at += m_searchText.size();
        }
        if (block == last)
            break;
    }
    m_edit->setExtraSelections(selections);
}

} // namespace bw
