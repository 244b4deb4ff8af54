#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace bw {

// A small TOML colouring for the recipe editor: [tables], keys, strings (multi-line ones
// included), numbers and booleans, comments. Colours come from the palette, so it reads
// on light and dark themes alike; call refreshColors() when the palette changes.
class TomlHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    explicit TomlHighlighter(QTextDocument *document, const QPalette &palette);

    void refreshColors(const QPalette &palette);

protected:
    void highlightBlock(const QString &text) override;

private:
    // Block states: inside a multi-line basic ("""), or literal (''') string.
    enum State { Normal = -1, InBasic = 1, InLiteral = 2 };

    // Colours one value starting at `i`; returns where it ends.
    qsizetype value(const QString &text, qsizetype i);
    // A quoted string starting at `i` (on its opening quote); returns the index after it.
    qsizetype string(const QString &text, qsizetype i);

    QTextCharFormat m_table;
    QTextCharFormat m_key;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_comment;
};

} // namespace bw
