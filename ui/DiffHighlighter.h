#pragma once

#include <QPalette>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

class QTextDocument;

namespace bw {

// Highlights what `git show --stat -p` prints: commit headers, the diffstat (its +/-
// bars), file headers, hunk headers, added and removed lines and "\ No newline" notes.
// Colours derive from the palette (dark when QPalette::Base is dark) so both themes read.
class DiffHighlighter : public QSyntaxHighlighter {
    Q_OBJECT
public:
    explicit DiffHighlighter(QTextDocument *document, const QPalette &palette = QPalette());

    // The best highlighter available for `document`: KSyntaxHighlighting's "Diff"
    // definition when the build has it, this class otherwise. Owned by `document`.
    static QSyntaxHighlighter *create(QTextDocument *document, const QPalette &palette);

    // Re-derives the colours (call on QEvent::PaletteChange) and re-highlights.
    void setPalette(const QPalette &palette);

protected:
    void highlightBlock(const QString &text) override;

private:
    enum class BlockState { Header = 0, Diff = 1 };

    void highlightHeaderLine(const QString &text);
    void highlightDiffLine(const QString &text);

    QTextCharFormat m_commit, m_headerKey, m_fileHeader, m_meta, m_hunk, m_added, m_removed,
        m_statAdded, m_statRemoved, m_note;
};

} // namespace bw
