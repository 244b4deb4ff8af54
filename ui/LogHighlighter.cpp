#include "ui/LogHighlighter.h"
#include "ui/Palette.h"

#include <QFont>
#include <QTextDocument>

namespace bw {

namespace {

QColor mix(const QColor &a, const QColor &b, qreal t) {
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

struct Pattern {
    QLatin1StringView text;
    LogHighlighter::Severity severity;
};

using S = LogHighlighter::Severity;

// Ordered: the first hit decides, so the crash markers come before the generic words
// (a panic line may also say "error").
constexpr Pattern kPatterns[] = {
    {QLatin1StringView("Kernel panic"), S::Crash},
    {QLatin1StringView("Oops:"), S::Crash},
    {QLatin1StringView("BUG:"), S::Crash},
    {QLatin1StringView("WARNING: CPU:"), S::Crash},
    {QLatin1StringView("Call Trace:"), S::Crash},
    {QLatin1StringView("Segmentation fault"), S::Crash},
    {QLatin1StringView("error:"), S::Error}, // also "fatal error:"
    {QLatin1StringView("Error:"), S::Error},
    {QLatin1StringView("ERROR:"), S::Error},
    {QLatin1StringView("FAILED"), S::Error},
    {QLatin1StringView("warning:"), S::Warning},
};

} // namespace

LogHighlighter::LogHighlighter(QTextDocument *document, const QPalette &palette)
    : QSyntaxHighlighter(document) {
    setObjectName(QStringLiteral("logHighlighter"));
    setPalette(palette);
}

LogHighlighter::Match LogHighlighter::classify(QStringView line) {
    for (const Pattern &p : kPatterns) {
        const qsizetype at = line.indexOf(p.text);
        if (at >= 0)
            return {p.severity, at, p.text.size()};
    }
    // make: "make[2]: *** [Makefile:12: foo.o] Error 1"
    if (const qsizetype at = line.indexOf(QLatin1StringView(": *** ")); at >= 0) {
        if (line.indexOf(QLatin1StringView("Error"), at) >= 0)
            return {S::Error, 0, at + 5};
    }
    return {};
}

LogHighlighter::Formats LogHighlighter::formats(const QPalette &palette) {
    const bool dark = palette::isDark(palette);
    const QColor base = palette.color(QPalette::Base);
    const QColor red = dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xb3, 0x1d, 0x28);
    const QColor amber = dark ? QColor(0xe3, 0xb3, 0x41) : QColor(0x8a, 0x46, 0x00);
    const QColor magenta = dark ? QColor(0xff, 0x9b, 0xce) : QColor(0x9e, 0x1b, 0x66);

    Formats f;
    auto set = [&](Severity s, const QColor &c, qreal lightTint, qreal darkTint) {
        QTextCharFormat &line = f.line[size_t(s)];
        line.setBackground(mix(base, c, dark ? darkTint : lightTint));
        QTextCharFormat &key = f.keyword[size_t(s)];
        key.setForeground(c);
        key.setFontWeight(QFont::Bold);
    };
    set(Severity::Warning, amber, 0.10, 0.14);
    set(Severity::Error, red, 0.10, 0.18);
    set(Severity::Crash, magenta, 0.14, 0.24);
    f.keyword[size_t(Severity::Crash)].setFontUnderline(true);
    return f;
}

void LogHighlighter::setPalette(const QPalette &palette) {
    m_formats = formats(palette);
    rehighlight();
}

void LogHighlighter::highlightBlock(const QString &text) {
    const Match m = classify(text);
    if (m.severity == Severity::None)
        return;
    const QTextCharFormat &line = m_formats.line[size_t(m.severity)];
    setFormat(0, int(text.size()), line);
    if (m.length > 0) {
        QTextCharFormat key = line;
        key.merge(m_formats.keyword[size_t(m.severity)]);
        setFormat(int(m.start), int(m.length), key);
    }
}

} // namespace bw
