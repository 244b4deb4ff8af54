#include "services/report/ReportText.h"
#include "services/report/ReportWriter.h"

#include <algorithm>

namespace bw::report {

using namespace detail;

namespace {

// A table cell: inline text with `|` escaped and no line breaks.
QString cell(const QString &text) {
    QString s = markdownEscape(text);
    s.replace(u'|', QStringLiteral("\\|"));
    s.replace(u'\n', u' ');
    s.replace(u'\r', u' ');
    return s;
}

QString codeBlock(const QString &text, const QString &info = {}) {
    const QString fence = fenceFor(text);
    QString out = fence + info + u'\n' + text;
    if (!text.isEmpty() && !text.endsWith(u'\n'))
        out += u'\n';
    return out + fence + u'\n';
}

// A code span whose delimiter is longer than any run of backticks inside.
QString inlineCode(const QString &text) {
    int longest = 0, run = 0;
    for (QChar c : text) {
        run = c == u'`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    const QString fence(longest + 1, u'`');
    const bool pad = text.startsWith(u'`') || text.endsWith(u'`');
    return pad ? fence + u' ' + text + u' ' + fence : fence + text + fence;
}

QString commitLine(const QString &term, const CommitRef &c) {
    QString s = QStringLiteral("- **%1**: `%2`").arg(markdownEscape(term), shortSha(c.oid));
    if (!c.subject.isEmpty())
        s += QStringLiteral(" (\"%1\")").arg(markdownEscape(c.subject));
    return s + u'\n';
}

} // namespace

QString toMarkdown(const ReportData &data) {
    const Markup md{markdownEscape, inlineCode};
    QString out;
    out += QStringLiteral("# %1\n\n").arg(markdownEscape(data.title));
    out += summary(data, md) + QStringLiteral("\n\n");

    out += QStringLiteral("## Range tested\n\n");
    if (!data.repository.isEmpty())
        out += QStringLiteral("- **repository**: %1\n").arg(inlineCode(data.repository));
    out += commitLine(data.terms.bad, data.bad);
    for (const CommitRef &g : data.goods)
        out += commitLine(data.terms.good, g);
    out += QStringLiteral("- **candidates at the start**: %1\n\n").arg(data.candidatesAtStart);

    if (data.culprit) {
        const CommitRef &c = *data.culprit;
        out += QStringLiteral("## First %1 commit\n\n").arg(markdownEscape(data.terms.bad));
        const QString header = QStringLiteral("commit %1\nAuthor: %2\nDate:   %3\n\n    %4\n")
                                   .arg(c.oid.toString(), c.author, authorDate(c), c.subject);
        out += codeBlock(header) + u'\n';
    } else if (!data.possibleCulprits.empty()) {
        out +=
            QStringLiteral("## Possible first %1 commits\n\n").arg(markdownEscape(data.terms.bad));
        for (const Oid &oid : data.possibleCulprits)
            out += QStringLiteral("- `%1` (\"%2\")\n")
                       .arg(oid.toString(), markdownEscape(subjectOf(data, oid)));
        out += u'\n';
    }

    out += QStringLiteral("## How sure we are\n\n");
    for (const QString &point : certainty(data))
        out += QStringLiteral("- %1\n").arg(markdownEscape(point));
    out += u'\n';

    out += QStringLiteral("## Steps\n\n| # | commit | verdict | duration | reason |\n"
                          "|---:|---|---|---:|---|\n");
    for (std::size_t i = 0; i < data.steps.size(); ++i) {
        const StepRecord &s = data.steps[i];
        out += QStringLiteral("| %1 | `%2` | %3 | %4 | %5 |\n")
                   .arg(cell(stepLabel(s)), shortSha(s.commit), cell(verdictWord(data, i)),
                        formatDuration(s.durationMs()), cell(s.classification.reason));
    }
    out += u'\n';

    out += QStringLiteral("## `git bisect log`\n\n") + codeBlock(data.bisectLog) + u'\n';
    if (!data.reproduceCommand.isEmpty())
        out += QStringLiteral("## Reproduce\n\n") +
               codeBlock(data.reproduceCommand, QStringLiteral("sh")) + u'\n';

    if (!data.environment.empty()) {
        out += QStringLiteral("## Environment\n\n");
        for (const auto &[name, value] : data.environment)
            out +=
                QStringLiteral("- **%1**: %2\n").arg(markdownEscape(name), markdownEscape(value));
        out += u'\n';
    }

    out += QStringLiteral("## Recipe\n\n");
    if (!data.recipeHash.isEmpty())
        out += QStringLiteral("sha256: `%1`\n\n").arg(data.recipeHash);
    out += codeBlock(data.recipeToml, QStringLiteral("toml"));

    if (data.culprit)
        out += QStringLiteral("\n#regzbot introduced: %1\n").arg(shortSha(data.culprit->oid));
    return out;
}

} // namespace bw::report
