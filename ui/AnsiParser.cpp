#include "ui/AnsiParser.h"

#include <QFont>
#include <QVarLengthArray>

#include <algorithm>
#include <cstring>

namespace bw {

namespace {

constexpr char16_t Esc = 0x1b;
constexpr char16_t Bel = 0x07;
constexpr qsizetype MaxCsiParams = 64;

// Characters QTextCursor::insertText() turns into blocks or frames.
constexpr bool isStructural(char16_t c) {
    return c == 0x2028 || c == 0x2029 || c == 0xfdd0 || c == 0xfdd1;
}

// Dropped in text: C0 controls except \t \n \r (and ESC, which starts a sequence), DEL
// and the C1 range.
constexpr bool isDroppedControl(char16_t c) {
    return (c < 0x20 && c != u'\t' && c != u'\n' && c != u'\r') || (c >= 0x7f && c < 0xa0);
}

QColor mix(const QColor &a, const QColor &b, qreal t) {
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

// How many bytes at the end of `s` are the start of a UTF-8 sequence that the next chunk
// completes: a lead byte followed by fewer continuation bytes than it announces.
qsizetype incompleteUtf8Tail(QByteArrayView s) {
    const qsizetype n = s.size();
    for (qsizetype back = 1; back <= std::min<qsizetype>(n, 4); ++back) {
        const auto c = uchar(s[n - back]);
        if ((c & 0xc0) == 0x80)
            continue; // a continuation byte: its lead is further back
        const qsizetype length = c >= 0xf0 && c <= 0xf7   ? 4
                                 : c >= 0xe0 && c <= 0xef ? 3
                                 : c >= 0xc0 && c <= 0xdf ? 2
                                                          : 1;
        return back < length ? back : 0;
    }
    return 0; // only continuation bytes: strays, each replaced on its own
}

QStringDecoder utf8Decoder() {
    // Stateless, and a BOM is a character like any other: every chunk decodes the same
    // way wherever the stream was cut.
    return QStringDecoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless |
                                                    QStringDecoder::Flag::ConvertInitialBom);
}

using SubParams = QVarLengthArray<int, 6>; // one ';'-separated parameter and its ':' parts

int clampByte(int v) {
    return std::clamp(v, 0, 255);
}

} // namespace

AnsiParser::AnsiParser()
    : m_decoder(utf8Decoder()) {}

void AnsiParser::reset() {
    m_partial.clear();
    m_state = State::Ground;
    m_style = AnsiStyle();
    m_params.clear();
    m_csiPrivate = m_csiIntermediate = m_csiOverflow = false;
    m_column = 0;
    m_forcedBreaks = 0;
}

QList<AnsiSegment> AnsiParser::parse(QByteArrayView bytes) {
    QList<AnsiSegment> out;
    feed(bytes, out);
    return out;
}

void AnsiParser::feed(QByteArrayView bytes, QList<AnsiSegment> &out) {
    if (bytes.isEmpty())
        return;
    // A multibyte character cut by the chunk boundary is kept for the next call, so it
    // decodes whole instead of as U+FFFD. This is done here rather than with the
    // decoder's own state: Qt 6.4's stateful UTF-8 decoder drops the byte after a
    // sequence that the next chunk does not complete ("\xd0" then "`" loses the "`").
    QByteArrayView text = bytes;
    if (!m_partial.isEmpty()) {
        m_partial.append(bytes);
        text = m_partial;
    }
    const qsizetype keep = incompleteUtf8Tail(text);
    const QByteArrayView complete = text.first(text.size() - keep);
    // Decode into a reused buffer.
    m_decoded.resize(m_decoder.requiredSpace(complete.size()));
    const QChar *end = m_decoder.appendToBuffer(m_decoded.data(), complete);
    m_partial = text.last(keep).toByteArray();
    feedText(QStringView(m_decoded.constData(), end - m_decoded.constData()), out);
}

void AnsiParser::skip(QByteArrayView bytes) {
    m_partial.clear();
    const char *p = bytes.data();
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    // Only what follows the last full reset matters: an ESC ends any sequence in
    // progress, and "ESC[m" / "ESC[0m" then sets the default style whatever came before.
    // Compilers end every coloured span with one, so this skips nearly all the work.
    const qsizetype reset = std::max(bytes.lastIndexOf(QByteArrayView("\x1b[m")),
                                     bytes.lastIndexOf(QByteArrayView("\x1b[0m")));
    if (reset >= 0) {
        m_state = State::Ground;
        m_style = AnsiStyle();
        i = bytes.at(reset + 2) == 'm' ? reset + 3 : reset + 4;
    }
    while (i < n) {
        if (m_state == State::Ground) {
            const void *esc = std::memchr(p + i, Esc, size_t(n - i));
            if (!esc)
                break;
            i = static_cast<const char *>(esc) - p;
        }
        step(char16_t(uchar(p[i])), nullptr);
        ++i;
    }
    m_column = 0;
}

void AnsiParser::emitText(QStringView text, QList<AnsiSegment> &out) {
    if (text.isEmpty())
        return;
    if (!out.isEmpty() && out.last().style == m_style)
        out.last().text.append(text);
    else
        out.append(AnsiSegment{text.toString(), m_style});
}

void AnsiParser::breakIfFull(QList<AnsiSegment> &out) {
    if (m_maxLineLength <= 0 || m_column < m_maxLineLength)
        return;
    emitText(u"\n", out);
    ++m_forcedBreaks;
    m_column = 0;
}

void AnsiParser::feedText(QStringView text, QList<AnsiSegment> &out) {
    const char16_t *p = text.utf16();
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        if (m_state != State::Ground) {
            step(p[i], &out);
            ++i;
            continue;
        }
        // The fast path: a run of text up to the next control character or ESC.
        qsizetype start = i;
        while (i < n) {
            const char16_t c = p[i];
            if (c == u'\n' || c == u'\r') {
                m_column = 0;
                ++i;
                continue;
            }
            if (c == Esc || isDroppedControl(c) || isStructural(c))
                break;
            if (m_maxLineLength > 0 && m_column >= m_maxLineLength && !QChar::isLowSurrogate(c)) {
                emitText(QStringView(p + start, i - start), out);
                breakIfFull(out);
                start = i;
            }
            ++m_column;
            ++i;
        }
        emitText(QStringView(p + start, i - start), out);
        if (i == n)
            break;
        const char16_t c = p[i++];
        if (c == Esc) {
            m_state = State::Escape;
        } else if (isStructural(c)) {
            breakIfFull(out);
            ++m_column;
            emitText(u"\uFFFD", out);
        }
        // other controls: dropped
    }
}

void AnsiParser::step(char16_t c, QList<AnsiSegment> *out) {
    // A newline ends any sequence and stays in the text: an unterminated sequence never
    // swallows more than the rest of its line.
    if (c == u'\n' && m_state != State::Ground) {
        m_state = State::Ground;
        m_column = 0;
        if (out)
            emitText(u"\n", *out);
        return;
    }
    switch (m_state) {
    case State::Ground:
        if (c == Esc)
            m_state = State::Escape;
        return;
    case State::Escape:
        if (c == u'[') {
            m_state = State::Csi;
            m_params.clear();
            m_csiPrivate = m_csiIntermediate = m_csiOverflow = false;
        } else if (c == u']' || c == u'P' || c == u'X' || c == u'^' || c == u'_') {
            m_state = State::String; // OSC, DCS, SOS, PM, APC: up to BEL or ST
        } else if (c >= 0x20 && c <= 0x2f) {
            m_state = State::EscIntermediate; // e.g. ESC ( B
        } else if (c == Esc || c < 0x20) {
            // stays: ESC ESC restarts, controls inside are ignored
        } else {
            m_state = State::Ground; // a final byte (ESC 7, ESC M, ESC c …) or junk
        }
        return;
    case State::EscIntermediate:
        if (c == Esc)
            m_state = State::Escape;
        else if (c >= 0x20 && c <= 0x2f)
            return;
        else if (c >= 0x20)
            m_state = State::Ground;
        return;
    case State::Csi:
        if (c >= 0x30 && c <= 0x3f) {
            if (c == u'<' || c == u'=' || c == u'>' || c == u'?')
                m_csiPrivate = true;
            else if (m_params.size() < MaxCsiParams)
                m_params.append(QChar(c));
            else
                m_csiOverflow = true;
        } else if (c >= 0x20 && c <= 0x2f) {
            m_csiIntermediate = true;
        } else if (c >= 0x40 && c <= 0x7e) {
            m_state = State::Ground;
            dispatchCsi(c);
        } else if (c == Esc) {
            m_state = State::Escape;
        } else if (c >= 0x20) {
            m_state = State::Ground; // not a CSI after all: drop it
        }
        return;
    case State::String:
        if (c == Bel)
            m_state = State::Ground;
        else if (c == Esc)
            m_state = State::StringEsc;
        return;
    case State::StringEsc:
        if (c == u'\\') {
            m_state = State::Ground; // ST
        } else {
            m_state = State::Escape; // a new sequence cut the string short
            step(c, out);
        }
        return;
    }
}

void AnsiParser::dispatchCsi(char16_t final) {
    if (final == u'm' && !m_csiPrivate && !m_csiIntermediate && !m_csiOverflow)
        applySgr();
    // Everything else (cursor movement, erase, modes) has no meaning in a log.
}

void AnsiParser::applySgr() {
    QVarLengthArray<SubParams, 16> params;
    params.append(SubParams());
    int value = -1; // -1: empty
    for (QChar ch : std::as_const(m_params)) {
        const char16_t c = ch.unicode();
        if (c >= u'0' && c <= u'9') {
            value = std::min((value < 0 ? 0 : value) * 10 + (c - u'0'), 99999);
        } else if (c == u':') {
            params.last().append(value);
            value = -1;
        } else if (c == u';') {
            params.last().append(value);
            params.append(SubParams());
            value = -1;
        }
    }
    params.last().append(value);

    auto numberAt = [&](qsizetype i) { return i < params.size() ? std::max(params[i][0], 0) : -1; };
    // 38/48 with ';' (38;5;n, 38;2;r;g;b) or ':' (38:5:n, 38:2::r:g:b, 38:2:r:g:b).
    auto extendedColor = [&](qsizetype &i, AnsiColor &target) {
        const SubParams &sub = params[i];
        if (sub.size() > 1) {
            const int mode = sub[1];
            if (mode == 5 && sub.size() >= 3)
                target = AnsiColor::indexed(clampByte(sub[2]));
            else if (mode == 2 && sub.size() >= 6)
                target =
                    AnsiColor::fromRgb(clampByte(sub[3]), clampByte(sub[4]), clampByte(sub[5]));
            else if (mode == 2 && sub.size() == 5)
                target =
                    AnsiColor::fromRgb(clampByte(sub[2]), clampByte(sub[3]), clampByte(sub[4]));
            return;
        }
        const int mode = numberAt(i + 1);
        if (mode == 5) {
            if (numberAt(i + 2) >= 0)
                target = AnsiColor::indexed(clampByte(numberAt(i + 2)));
            i += 2;
        } else if (mode == 2) {
            if (numberAt(i + 4) >= 0)
                target = AnsiColor::fromRgb(clampByte(numberAt(i + 2)), clampByte(numberAt(i + 3)),
                                            clampByte(numberAt(i + 4)));
            i += 4;
        } else if (mode >= 0) {
            i += 1;
        }
    };

    AnsiStyle &s = m_style;
    for (qsizetype i = 0; i < params.size(); ++i) {
        const int code = std::max(params[i][0], 0);
        switch (code) {
        case 0:
            s = AnsiStyle();
            break;
        case 1:
            s.bold = true;
            break;
        case 2:
            s.faint = true;
            break;
        case 3:
            s.italic = true;
            break;
        case 4:
            s.underline = true;
            break;
        case 7:
            s.inverse = true;
            break;
        case 9:
            s.strike = true;
            break;
        case 21:
            s.underline = true;
            break; // doubly underlined
        case 22:
            s.bold = s.faint = false;
            break;
        case 23:
            s.italic = false;
            break;
        case 24:
            s.underline = false;
            break;
        case 27:
            s.inverse = false;
            break;
        case 29:
            s.strike = false;
            break;
        case 38:
            extendedColor(i, s.fg);
            break;
        case 39:
            s.fg = AnsiColor();
            break;
        case 48:
            extendedColor(i, s.bg);
            break;
        case 49:
            s.bg = AnsiColor();
            break;
        case 58: {
            AnsiColor ignored; // underline colour: parsed so its arguments are skipped
            extendedColor(i, ignored);
            break;
        }
        default:
            if (code >= 30 && code <= 37)
                s.fg = AnsiColor::indexed(code - 30);
            else if (code >= 40 && code <= 47)
                s.bg = AnsiColor::indexed(code - 40);
            else if (code >= 90 && code <= 97)
                s.fg = AnsiColor::indexed(code - 90 + 8);
            else if (code >= 100 && code <= 107)
                s.bg = AnsiColor::indexed(code - 100 + 8);
            break; // blink, fonts, frames …: ignored
        }
    }
}

AnsiParser::ColorTable AnsiParser::colorTable(const QPalette &palette) {
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    // Tuned for contrast on the respective background: "black" is a grey on dark
    // themes and "white" a grey on light ones, so neither disappears.
    static const ColorTable light = {
        QColor(0x24, 0x29, 0x2f), QColor(0xcf, 0x22, 0x2e), QColor(0x11, 0x63, 0x29),
        QColor(0x7d, 0x4e, 0x00), QColor(0x09, 0x69, 0xda), QColor(0x82, 0x50, 0xdf),
        QColor(0x1b, 0x7c, 0x83), QColor(0x6e, 0x77, 0x81), QColor(0x57, 0x60, 0x6a),
        QColor(0xa4, 0x0e, 0x26), QColor(0x1a, 0x7f, 0x37), QColor(0x63, 0x3c, 0x01),
        QColor(0x21, 0x8b, 0xff), QColor(0xa4, 0x75, 0xf9), QColor(0x31, 0x92, 0xaa),
        QColor(0x8c, 0x95, 0x9f)};
    static const ColorTable darkTable = {
        QColor(0x6e, 0x76, 0x81), QColor(0xff, 0x7b, 0x72), QColor(0x3f, 0xb9, 0x50),
        QColor(0xd2, 0x99, 0x22), QColor(0x58, 0xa6, 0xff), QColor(0xbc, 0x8c, 0xff),
        QColor(0x39, 0xc5, 0xcf), QColor(0xb1, 0xba, 0xc4), QColor(0x8b, 0x94, 0x9e),
        QColor(0xff, 0xa1, 0x98), QColor(0x56, 0xd3, 0x64), QColor(0xe3, 0xb3, 0x41),
        QColor(0x79, 0xc0, 0xff), QColor(0xd2, 0xa8, 0xff), QColor(0x56, 0xd4, 0xdd),
        QColor(0xff, 0xff, 0xff)};
    return dark ? darkTable : light;
}

QColor AnsiParser::color(const AnsiColor &c, const ColorTable &table) {
    switch (c.kind) {
    case AnsiColor::Kind::Default:
        return {};
    case AnsiColor::Kind::Rgb:
        return QColor(c.rgb);
    case AnsiColor::Kind::Indexed:
        break;
    }
    const int i = c.index;
    if (i < 16)
        return table[size_t(i)];
    if (i < 232) {
        static constexpr int levels[] = {0, 95, 135, 175, 215, 255};
        const int v = i - 16;
        return QColor(levels[v / 36], levels[(v / 6) % 6], levels[v % 6]);
    }
    const int grey = 8 + 10 * (i - 232);
    return QColor(grey, grey, grey);
}

QTextCharFormat AnsiParser::format(const AnsiStyle &style, const ColorTable &table,
                                   const QPalette &palette) {
    QTextCharFormat f;
    QColor fg = color(style.fg, table);
    QColor bg = color(style.bg, table);
    if (style.inverse) {
        const QColor text = fg.isValid() ? fg : palette.color(QPalette::Text);
        const QColor base = bg.isValid() ? bg : palette.color(QPalette::Base);
        fg = base;
        bg = text;
    }
    if (style.faint)
        fg = mix(fg.isValid() ? fg : palette.color(QPalette::Text), palette.color(QPalette::Base),
                 0.4);
    if (fg.isValid())
        f.setForeground(fg);
    if (bg.isValid())
        f.setBackground(bg);
    if (style.bold)
        f.setFontWeight(QFont::Bold);
    if (style.italic)
        f.setFontItalic(true);
    if (style.underline)
        f.setFontUnderline(true);
    if (style.strike)
        f.setFontStrikeOut(true);
    return f;
}

} // namespace bw
