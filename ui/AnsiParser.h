#pragma once

#include <QByteArrayView>
#include <QColor>
#include <QList>
#include <QPalette>
#include <QString>
#include <QStringDecoder>
#include <QStringView>
#include <QTextCharFormat>

#include <array>

namespace bw {

// One colour as SGR named it: the terminal default, an index into the 256-colour table
// (0–15 are the themeable ANSI colours), or a 24-bit value.
struct AnsiColor {
    enum class Kind : quint8 { Default, Indexed, Rgb };
    Kind kind = Kind::Default;
    quint8 index = 0;
    QRgb rgb = 0;

    [[nodiscard]] static AnsiColor indexed(int i) { return {Kind::Indexed, quint8(i), 0}; }
    [[nodiscard]] static AnsiColor fromRgb(int r, int g, int b) {
        return {Kind::Rgb, 0, qRgb(r, g, b)};
    }
    friend bool operator==(const AnsiColor &, const AnsiColor &) = default;
};

// The graphic rendition in effect: what SGR (`ESC [ … m`) sets.
struct AnsiStyle {
    AnsiColor fg, bg;
    bool bold = false, faint = false, italic = false, underline = false, inverse = false,
         strike = false;

    [[nodiscard]] bool isDefault() const { return *this == AnsiStyle(); }
    friend bool operator==(const AnsiStyle &, const AnsiStyle &) = default;
};

// A run of text in one style. The text keeps '\n', '\r' and '\t'; every other control
// character and every escape sequence is gone.
struct AnsiSegment {
    QString text;
    AnsiStyle style;
};

// A streaming parser for terminal output, for a log view: SGR sequences become styles;
// all other escape sequences (cursor movement, erase, OSC titles and hyperlinks, DCS,
// `CSI ?25l`, charset selection …) and C0/C1 controls are dropped, never shown. State —
// a UTF-8 character or an escape sequence split across chunks, the current style —
// carries over between feed() calls, so a stream can be cut anywhere. Pure: no I/O, no
// widgets, so it is unit-testable and fuzzable.
//
// Robustness rules (so a stray ESC never eats a log): a '\n' inside an escape sequence
// ends the sequence and is kept; a CSI longer than 64 characters is dropped whole.
// Characters QTextDocument treats as structure (U+2028, U+2029, U+FDD0, U+FDD1) become
// U+FFFD, so one '\n' is one line. With setMaxLineLength(n), a line longer than n
// characters is broken with an inserted '\n' (counted in forcedBreaks()): one huge line
// would otherwise stall text layout.
class AnsiParser {
public:
    AnsiParser();

    // Decodes UTF-8 (incrementally) and parses; appends segments to `out`, merging with
    // its last segment when the style is the same.
    void feed(QByteArrayView bytes, QList<AnsiSegment> &out);
    // Parses already-decoded text.
    void feedText(QStringView text, QList<AnsiSegment> &out);
    // Convenience for tests and one-shot use.
    [[nodiscard]] QList<AnsiSegment> parse(QByteArrayView bytes);

    // Follows the escape sequences in `bytes` without producing text: the style after
    // them is what feed() would have left. For output that is dropped unseen. Restarts
    // the UTF-8 decoder (call it at a line boundary).
    void skip(QByteArrayView bytes);

    // Back to the initial state (default style, no partial character or sequence).
    void reset();

    [[nodiscard]] const AnsiStyle &style() const { return m_style; }
    void setMaxLineLength(int chars) { m_maxLineLength = chars; }
    [[nodiscard]] qint64 forcedBreaks() const { return m_forcedBreaks; }

    // The 16 themeable colours (0–7 normal, 8–15 bright), chosen to stay readable on
    // the palette's Base colour: a dark table when Base is dark, a light one otherwise.
    using ColorTable = std::array<QColor, 16>;
    [[nodiscard]] static ColorTable colorTable(const QPalette &palette);
    // A colour of the 256-colour table (16–231 the 6×6×6 cube, 232–255 the grey ramp).
    [[nodiscard]] static QColor color(const AnsiColor &color, const ColorTable &table);
    // The character format for a style; default colours stay unset (the view's own).
    [[nodiscard]] static QTextCharFormat format(const AnsiStyle &style, const ColorTable &table,
                                                const QPalette &palette);

private:
    enum class State : quint8 { Ground, Escape, EscIntermediate, Csi, String, StringEsc };

    void step(char16_t c, QList<AnsiSegment> *out);
    void emitText(QStringView text, QList<AnsiSegment> &out);
    void breakIfFull(QList<AnsiSegment> &out);
    void dispatchCsi(char16_t final);
    void applySgr();

    QStringDecoder m_decoder; // stateless: m_partial carries a cut character instead
    QByteArray m_partial;     // an incomplete UTF-8 sequence at the end of the last feed()
    QString m_decoded;        // scratch buffer for feed()
    State m_state = State::Ground;
    AnsiStyle m_style;
    QString m_params; // of the CSI being read
    bool m_csiPrivate = false;
    bool m_csiIntermediate = false;
    bool m_csiOverflow = false;
    int m_column = 0;
    int m_maxLineLength = 0; // 0: unlimited
    qint64 m_forcedBreaks = 0;
};

} // namespace bw
