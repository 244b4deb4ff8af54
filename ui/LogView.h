#pragma once

#include "ui/AnsiParser.h"
#include "ui/LogHighlighter.h"

#include <QByteArray>
#include <QList>
#include <QTextCursor>
#include <QTimer>
#include <QWidget>

#include <deque>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QToolButton;

namespace bw {

// A live log: a read-only, capped QPlainTextEdit with a slim toolbar (search with "3/17"
// and highlighted matches, Pause, Wrap, Clear, Save as…, a "N lines dropped" note).
//
// Streaming (ARCHITECTURE.md, Threading): append() only queues the bytes (and counts their
// newlines); a timer flushes at most every FlushIntervalMs, inserting in one QTextCursor
// edit block. Each flush takes a byte budget that adapts to the measured CPU cost per
// byte (parsing, insertion, highlighting) so it takes about flushBudgetMs(); the rest
// waits for the next flush. When the cap must make room, the trim runs as its own turn of
// the event loop just before the insertion (QTextDocument may compact its whole text
// buffer after a removal). The cap is enforced here, not with
// QTextDocument::setMaximumBlockCount(), whose trim lays out every removed block.
// The queue is bounded too: once it holds more than maxLines() lines, its oldest lines
// are dropped — the cap would have dropped them right after showing them. The view
// follows the tail only when its scrollbar was at the bottom before a flush; a reader
// scrolled up keeps the lines they are reading (compensated when the cap trims above).
//
// Text: UTF-8 decoded incrementally (a character split across chunks stays whole); ANSI
// SGR colours rendered, other escape sequences dropped (AnsiParser); "\r\n" is a newline
// and a bare '\r' returns to the start of the line, whose old text the next character
// replaces (progress counters show their last state, as on a terminal; '\r' at a chunk
// end waits to see whether '\n' follows). Lines longer than maxLineLength() characters
// are broken (one huge line would stall text layout). A final '\n' is kept back until
// more text comes, so the document holds no empty last line and maxLines() lines are
// exactly maxLines() lines. Errors, warnings, panics and oopses are marked at insert time
// with LogHighlighter's classification and colours (see there why not as a
// QSyntaxHighlighter); the rest of a line keeps its ANSI colours.
class LogView : public QWidget {
    Q_OBJECT
public:
    static constexpr int DefaultMaxLines = 200'000;
    static constexpr int DefaultMaxLineLength = 32'768;
    static constexpr qint64 DefaultLoadBytes = 32LL * 1024 * 1024;
    static constexpr int FlushIntervalMs = 30;

    explicit LogView(QWidget *parent = nullptr);
    ~LogView() override;

    // Streaming, GUI thread only. Cheap: queues the chunk and arms the flush timer.
    void append(const QByteArray &chunk);
    // Replaces the content with `text` (shown progressively, like a stream).
    void setText(const QByteArray &text);
    // Shows a past log: the last `maxBytes` of the file (from a line start), read off the
    // GUI thread and then flushed like a stream. fileLoaded() reports the outcome.
    void loadFile(const QString &path, qint64 maxBytes = DefaultLoadBytes);
    // Empties the view, the queue and the parser state; cancels a loadFile().
    void clear();
    // Writes the shown text (UTF-8, '\n' line ends, exactly as shown) to `path`
    // atomically. The toolbar's Save as… asks for the path and calls this.
    bool saveTo(const QString &path, QString *error = nullptr) const;
    // The shown text, as saveTo() writes it.
    [[nodiscard]] QString text() const;

    void setMaxLines(int lines);
    [[nodiscard]] int maxLines() const { return m_maxLines; }
    void setMaxLineLength(int chars);
    [[nodiscard]] int maxLineLength() const { return m_maxLineLength; }
    void setFlushBudgetMs(int ms) { m_flushBudgetNs = qint64(ms) * 1'000'000; }
    [[nodiscard]] int flushBudgetMs() const { return int(m_flushBudgetNs / 1'000'000); }

    void setPaused(bool paused);
    [[nodiscard]] bool isPaused() const { return m_paused; }
    void setWrap(bool wrap);
    [[nodiscard]] bool wraps() const;
    // Marks for new text (what is shown keeps its marks).
    void setHighlighting(bool on) { m_highlight = on; }
    [[nodiscard]] bool highlighting() const { return m_highlight; }

    // Search (the toolbar drives these; case-insensitive).
    void setSearchText(const QString &text);
    [[nodiscard]] QString searchText() const { return m_searchText; }
    bool findNext();
    bool findPrevious();
    [[nodiscard]] int matchCount() const { return m_matchCount; }
    [[nodiscard]] int currentMatch() const { return m_currentMatch; } // 1-based; 0: none

    // Lines shown, lines dropped by the cap (shown then trimmed, or never shown), bytes
    // still queued.
    [[nodiscard]] int lineCount() const;
    [[nodiscard]] qint64 droppedLines() const;
    [[nodiscard]] qint64 pendingBytes() const { return m_pendingBytes; }
    [[nodiscard]] bool hasPending() const { return m_pendingBytes > 0 || m_parsed || m_loading; }
    [[nodiscard]] bool isAtBottom() const;
    void scrollToBottom();

    struct FlushStats {
        qint64 flushes = 0;
        qint64 bytes = 0;
        qint64 totalNs = 0;
        qint64 maxNs = 0;
    };
    [[nodiscard]] const FlushStats &flushStats() const { return m_stats; }

    [[nodiscard]] QPlainTextEdit *textEdit() const { return m_edit; }

signals:
    // After each flush; for tests, benches and status bars.
    void flushed();
    void pausedChanged(bool paused);
    // loadFile() finished reading: the text is queued (and flushing), or `error` says why
    // not. May come before loadFile() returns (a file that cannot be opened).
    void fileLoaded(const QString &path, bool ok, const QString &error);

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Chunk {
        QByteArray bytes;
        qsizetype offset = 0;   // bytes before it were consumed
        qsizetype newlines = 0; // in bytes[offset..]
    };

    void enqueue(const QByteArray &chunk);
    void scheduleFlush();
    void flush();
    void parseBudget();
    void dropQueuedLines(qint64 lines);
    qint64 newBlocks(const QList<AnsiSegment> &segments) const;
    void trimToCap(qint64 incoming);
    void insertSegments(const QList<AnsiSegment> &segments);
    void highlightFrom(int blockNumber);
    void insertRun(QStringView text, const QTextCharFormat &format);
    void eraseCurrentLine();
    const QTextCharFormat &formatFor(const AnsiStyle &style);
    void updateDroppedLabel();
    void updateMatches();
    void countMatches();
    bool find(bool backward);
    void applyPalette();
    void saveAs();

    QPlainTextEdit *m_edit = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_matchLabel = nullptr;
    QLabel *m_droppedLabel = nullptr;
    QToolButton *m_pauseButton = nullptr;
    QToolButton *m_wrapButton = nullptr;

    QTimer m_flushTimer;
    QTimer m_matchTimer;  // coalesces match highlighting after scrolls and flushes
    QTextCursor m_cursor; // at the end: where output goes
    AnsiParser m_parser;
    AnsiParser::ColorTable m_colors;
    QList<QPair<AnsiStyle, QTextCharFormat>> m_formats; // small cache, styles are few
    QTextCharFormat m_plainFormat;
    LogHighlighter::Formats m_marks;
    bool m_highlight = true;
    QList<AnsiSegment> m_segments; // parsed, waiting for the insertion turn
    bool m_parsed = false;
    qint64 m_parsedBytes = 0;
    qint64 m_parsedNewlines = 0;

    std::deque<Chunk> m_pending;
    qint64 m_pendingBytes = 0;
    qint64 m_pendingNewlines = 0;
    qint64 m_receivedNewlines = 0; // since the last clear()
    qint64 m_insertedBlocks = 0;   // by the flush in progress
    bool m_newlinePending = false; // a '\n' kept back (see the class comment)
    bool m_crPending = false;      // a bare '\r': the next text replaces the line

    int m_maxLines = DefaultMaxLines;
    int m_maxLineLength = DefaultMaxLineLength;
    qint64 m_flushBudgetNs = 10'000'000;
    double m_nsPerByte = 400.0; // estimated flush cost (pessimistic at first); adapts
    bool m_paused = false;
    FlushStats m_stats;

    bool m_loading = false;
    quint64 m_loadGeneration = 0;
    qint64 m_skippedFileBytes = 0; // loadFile(): the file's head that was not read

    QString m_searchText;
    int m_matchCount = 0;
    int m_currentMatch = 0;
};

} // namespace bw
