#pragma once

#include <QPalette>
#include <QStringView>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

#include <array>

class QTextDocument;

namespace bw {

// Marks the lines of a build log or a serial console a bisecter looks for: compiler
// `error:` / `warning:`, `make: *** … Error`, `FAILED`, and kernel and process crashes
// (`Kernel panic`, `Oops:`, `BUG:`, `WARNING: CPU:`, `Call Trace:`, `Segmentation
// fault`). The whole line gets a faint tint and the keyword a strong colour; the tint
// only sets a background, so ANSI colours in the line still show. Colours derive from
// the palette (Base lightness), so light and dark themes both read.
//
// classify() and formats() are public so a streaming view can apply the same marks at
// insert time: LogView does, because a QSyntaxHighlighter gives every block of a
// 200,000-line document a QTextLayout (memory) and re-runs on every insert (bench_logview:
// it cut throughput about in half). This class serves static documents.
//
// Cost of classify(): plain substring tests, no regular expressions, no block state.
class LogHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    enum class Severity { None, Warning, Error, Crash };

    struct Match {
        Severity severity = Severity::None;
        qsizetype start = 0;  // of the keyword
        qsizetype length = 0; // 0: no keyword
    };

    // The line tint and the keyword format per Severity (index by int(severity)); empty
    // for None.
    struct Formats {
        std::array<QTextCharFormat, 4> line, keyword;
    };

    explicit LogHighlighter(QTextDocument *document, const QPalette &palette = QPalette());

    // The classification of one line; pure, for tests and other users (a tab marker).
    [[nodiscard]] static Match classify(QStringView line);

    // Re-derives the colours (call on QEvent::PaletteChange) and re-highlights.
    void setPalette(const QPalette &palette);

    [[nodiscard]] static Formats formats(const QPalette &palette);

protected:
    void highlightBlock(const QString &text) override;

private:
    Formats m_formats;
};

} // namespace bw
