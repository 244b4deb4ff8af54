#include "ui/TomlHighlighter.h"

#include <QPalette>

namespace bw {

namespace {

// A hue at a lightness that stands out on the palette's base colour.
QColor tone(const QPalette &palette, int hue, int saturation) {
    const bool dark = palette.color(QPalette::Base).lightnessF() < 0.5;
    return QColor::fromHsl(hue, saturation, dark ? 170 : 90);
}

bool isBareKeyChar(QChar c) {
    return c.isLetterOrNumber() || c == u'_' || c == u'-' || c == u'.';
}

} // namespace

TomlHighlighter::TomlHighlighter(QTextDocument *document, const QPalette &palette)
    : QSyntaxHighlighter(document) {
    refreshColors(palette);
}

void TomlHighlighter::refreshColors(const QPalette &palette) {
    m_table = {};
    m_table.setForeground(tone(palette, 275, 140));
    m_table.setFontWeight(QFont::Bold);
    m_key = {};
    m_key.setForeground(palette.color(QPalette::Link));
    m_string = {};
    m_string.setForeground(tone(palette, 120, 150));
    m_number = {};
    m_number.setForeground(tone(palette, 28, 200));
    m_comment = {};
    m_comment.setForeground(palette.color(QPalette::PlaceholderText));
    m_comment.setFontItalic(true);
    rehighlight();
}

qsizetype TomlHighlighter::string(const QString &text, qsizetype i) {
    const QChar quote = text[i];
    const QString triple(3, quote);
    if (text.mid(i, 3) == triple) {
        const qsizetype end = text.indexOf(triple, i + 3);
        if (end < 0) {
            setFormat(int(i), int(text.size() - i), m_string);
            setCurrentBlockState(quote == u'"' ? InBasic : InLiteral);
            return text.size();
        }
        setFormat(int(i), int(end + 3 - i), m_string);
        return end + 3;
    }
    qsizetype j = i + 1;
    while (j < text.size() && text[j] != quote) {
        if (quote == u'"' && text[j] == u'\\')
            ++j;
        ++j;
    }
    j = qMin(j + 1, text.size());
    setFormat(int(i), int(j - i), m_string);
    return j;
}

qsizetype TomlHighlighter::value(const QString &text, qsizetype i) {
    while (i < text.size()) {
        const QChar c = text[i];
        if (c == u'#') {
            setFormat(int(i), int(text.size() - i), m_comment);
            return text.size();
        }
        if (c == u'"' || c == u'\'') {
            i = string(text, i);
            if (currentBlockState() != Normal)
                return text.size();
            continue;
        }
        if (c.isDigit() ||
            ((c == u'-' || c == u'+') && i + 1 < text.size() && text[i + 1].isDigit())) {
            qsizetype j = i + 1;
            while (j < text.size() && (text[j].isLetterOrNumber() || text[j] == u'.' ||
                                       text[j] == u'_' || text[j] == u':' || text[j] == u'-'))
                ++j;
            setFormat(int(i), int(j - i), m_number);
            i = j;
            continue;
        }
        if (c.isLetter()) {
            qsizetype j = i;
            while (j < text.size() && isBareKeyChar(text[j]))
                ++j;
            const QStringView word = QStringView(text).mid(i, j - i);
            // Inside an inline table `{ KEY = value }` a word before '=' is a key.
            qsizetype k = j;
            while (k < text.size() && text[k].isSpace())
                ++k;
            if (k < text.size() && text[k] == u'=')
                setFormat(int(i), int(j - i), m_key);
            else if (word == u"true" || word == u"false" || word == u"inf" || word == u"nan")
                setFormat(int(i), int(j - i), m_number);
            i = j;
            continue;
        }
        ++i;
    }
    return i;
}

void TomlHighlighter::highlightBlock(const QString &text) {
    setCurrentBlockState(Normal);
    qsizetype i = 0;
    // The rest of a multi-line string opened on an earlier line.
    if (previousBlockState() == InBasic || previousBlockState() == InLiteral) {
        const QString triple =
            previousBlockState() == InBasic ? QStringLiteral("\"\"\"") : QStringLiteral("'''");
        const qsizetype end = text.indexOf(triple);
        if (end < 0) {
            setFormat(0, int(text.size()), m_string);
            setCurrentBlockState(previousBlockState());
            return;
        }
        setFormat(0, int(end + 3), m_string);
        value(text, end + 3);
        return;
    }
    while (i < text.size() && text[i].isSpace())
        ++i;
    if (i >= text.size())
        return;
    if (text[i] == u'#') {
        setFormat(int(i), int(text.size() - i), m_comment);
        return;
    }
    if (text[i] == u'[') {
        const qsizetype close = text.lastIndexOf(u']');
        const qsizetype end = close > i ? close + 1 : text.size();
        setFormat(int(i), int(end - i), m_table);
        value(text, end); // a trailing comment
        return;
    }
    // key = value (keys may be dotted or quoted)
    qsizetype j = i;
    while (j < text.size() && text[j] != u'=') {
        if (text[j] == u'"' || text[j] == u'\'') {
            const qsizetype close = text.indexOf(text[j], j + 1);
            j = close < 0 ? text.size() : close + 1;
            continue;
        }
        ++j;
    }
    if (j >= text.size()) {
        value(text, i); // a continuation line of an array
        return;
    }
    setFormat(int(i), int(j - i), m_key);
    value(text, j + 1);
}

} // namespace bw
