#include "ui/DiffHighlighter.h"
#include "ui/Palette.h"

#include "services/git/CommitDetails.h"

#include <QFont>
#include <QRegularExpression>
#include <QTextDocument>

#ifdef BW_HAVE_KSYNTAXHIGHLIGHTING
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Repository>
#include <KSyntaxHighlighting/SyntaxHighlighter>
#include <KSyntaxHighlighting/Theme>
#endif

namespace bw {

namespace {
QTextCharFormat colored(const QColor &fg, const QColor &bg = QColor()) {
    QTextCharFormat f;
    f.setForeground(fg);
    if (bg.isValid())
        f.setBackground(bg);
    return f;
}

QColor mix(const QColor &a, const QColor &b, qreal t) {
    return QColor::fromRgbF(a.redF() * (1 - t) + b.redF() * t,
                            a.greenF() * (1 - t) + b.greenF() * t,
                            a.blueF() * (1 - t) + b.blueF() * t);
}

bool startsWithAny(const QString &text, std::initializer_list<QLatin1String> prefixes) {
    for (QLatin1String p : prefixes)
        if (text.startsWith(p))
            return true;
    return false;
}
} // namespace

DiffHighlighter::DiffHighlighter(QTextDocument *document, const QPalette &palette)
    : QSyntaxHighlighter(document) {
    setObjectName(QStringLiteral("diffHighlighter"));
    setPalette(palette);
}

QSyntaxHighlighter *DiffHighlighter::create(QTextDocument *document, const QPalette &palette) {
#ifdef BW_HAVE_KSYNTAXHIGHLIGHTING
    static KSyntaxHighlighting::Repository repository; // must outlive every highlighter
    const KSyntaxHighlighting::Definition diff =
        repository.definitionForName(QStringLiteral("Diff"));
    if (diff.isValid()) {
        auto *h = new KSyntaxHighlighting::SyntaxHighlighter(document);
        h->setObjectName(QStringLiteral("diffHighlighter"));
        h->setTheme(repository.defaultTheme(palette::isDark(palette)
                                                ? KSyntaxHighlighting::Repository::DarkTheme
                                                : KSyntaxHighlighting::Repository::LightTheme));
        h->setDefinition(diff);
        return h;
    }
#endif
    return new DiffHighlighter(document, palette);
}

void DiffHighlighter::setPalette(const QPalette &palette) {
    const bool dark = palette::isDark(palette);
    const QColor text = palette.color(QPalette::Text);
    const QColor base = palette.color(QPalette::Base);
    // GitHub-like pairs: saturated text on a faint tint, inverted for dark themes.
    const QColor green = dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x11, 0x63, 0x29);
    const QColor red = dark ? QColor(0xff, 0xa1, 0x98) : QColor(0xa4, 0x0e, 0x26);
    const QColor blue = dark ? QColor(0x79, 0xc0, 0xff) : QColor(0x05, 0x50, 0xae);
    const QColor amber = dark ? QColor(0xe3, 0xb3, 0x41) : QColor(0x95, 0x38, 0x00);

    m_added = colored(green, mix(base, green, dark ? 0.18 : 0.12));
    m_removed = colored(red, mix(base, red, dark ? 0.18 : 0.10));
    m_statAdded = colored(green);
    m_statRemoved = colored(red);
    m_hunk = colored(blue, mix(base, blue, dark ? 0.15 : 0.08));
    m_commit = colored(amber);
    m_commit.setFontWeight(QFont::Bold);
    m_headerKey = colored(mix(text, base, 0.35));
    m_fileHeader = colored(text, mix(base, text, 0.08));
    m_fileHeader.setFontWeight(QFont::Bold);
    m_meta = colored(mix(text, base, 0.35));
    m_note = colored(mix(text, base, 0.4));
    m_note.setFontItalic(true);
    rehighlight();
}

void DiffHighlighter::highlightBlock(const QString &text) {
    BlockState state =
        previousBlockState() == int(BlockState::Diff) ? BlockState::Diff : BlockState::Header;
    if (text.startsWith(QLatin1String("diff --git ")) ||
        text.startsWith(QLatin1String("diff --cc ")))
        state = BlockState::Diff;
    else if (text.startsWith(QLatin1String("commit ")))
        state = BlockState::Header; // the next commit of a `git log -p`
    setCurrentBlockState(int(state));
    if (state == BlockState::Diff)
        highlightDiffLine(text);
    else
        highlightHeaderLine(text);
}

void DiffHighlighter::highlightHeaderLine(const QString &text) {
    if (text.startsWith(QLatin1String("commit "))) {
        setFormat(0, int(text.size()), m_commit);
        return;
    }
    if (startsWithAny(text, {QLatin1String("Author:"), QLatin1String("AuthorDate:"),
                             QLatin1String("Commit:"), QLatin1String("CommitDate:"),
                             QLatin1String("Date:"), QLatin1String("Merge:")})) {
        setFormat(0, int(text.indexOf(u':') + 1), m_headerKey);
        return;
    }
    // A diffstat line: " path | 12 +++---" or " path | Bin 10 -> 20 bytes".
    static const QRegularExpression stat(QStringLiteral("^ .*\\|\\s+\\d+ ([+-]+)$"));
    if (const QRegularExpressionMatch m = stat.match(text); m.hasMatch()) {
        const int start = int(m.capturedStart(1));
        for (int i = start; i < text.size(); ++i)
            setFormat(i, 1, text.at(i) == u'+' ? m_statAdded : m_statRemoved);
        return;
    }
    if (startsWithAny(text, {QLatin1String(" create mode "), QLatin1String(" delete mode "),
                             QLatin1String(" rename "), QLatin1String(" mode change "),
                             QLatin1String(" copy ")}) ||
        text.contains(QLatin1String(" changed, ")) || text.endsWith(QLatin1String(" changed")))
        setFormat(0, int(text.size()), m_meta);
}

void DiffHighlighter::highlightDiffLine(const QString &text) {
    if (text.isEmpty())
        return;
    switch (text.at(0).unicode()) {
    case '+':
        setFormat(0, int(text.size()),
                  text.startsWith(QLatin1String("+++ ")) ? m_fileHeader : m_added);
        return;
    case '-':
        setFormat(0, int(text.size()),
                  text.startsWith(QLatin1String("--- ")) ? m_fileHeader : m_removed);
        return;
    case ' ':
        return; // context
    case '\\':
        setFormat(0, int(text.size()), m_note); // "\ No newline at end of file"
        return;
    case '@':
        if (text.startsWith(QLatin1String("@@"))) {
            const qsizetype end = text.indexOf(QLatin1String("@@"), 2);
            setFormat(0, int(end < 0 ? text.size() : end + 2), m_hunk);
            return;
        }
        break;
    case '[':
        if (text.startsWith(QLatin1String(git::PatchTruncatedMarker))) {
            setFormat(0, int(text.size()), m_note);
            return;
        }
        break;
    default:
        break;
    }
    if (text.startsWith(QLatin1String("diff ")))
        setFormat(0, int(text.size()), m_fileHeader);
    else
        setFormat(0, int(text.size()), m_meta); // index, mode, rename, similarity, Binary…
}

} // namespace bw
