#include "services/report/ReportFigures.h"
#include "services/report/ReportHtml.h"
#include "services/report/ReportText.h"
#include "services/report/ReportWriter.h"

#include <algorithm>

namespace bw::report {

using namespace detail;

namespace {

QString esc(const QString &text) {
    return htmlEscape(text);
}

// The page's own style; the figures' ink classes come from inkCss().
QString pageCss() {
    return QStringLiteral(R"css(
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--border:#d0d7de;--code:#f6f8fa;--row:#f6f8fa}
@media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--border:#30363d;--code:#161b22;--row:#161b22}}
body{background:var(--bg);color:var(--fg);margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans",sans-serif}
main{max-width:1120px;margin:0 auto;padding:8px 24px 48px}
h1{font-size:26px;margin:24px 0 8px}
h2{font-size:19px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--border)}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px}
pre{background:var(--code);border:1px solid var(--border);border-radius:6px;padding:10px 12px;overflow:auto}
.summary{font-size:17px;background:var(--code);border-left:4px solid var(--i-culprit);padding:10px 14px;border-radius:4px}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid var(--border);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--code)}
table.kv th{width:12em}
table.steps tbody tr:nth-child(even){background:var(--row)}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.stages{font-size:13px;color:var(--i-muted)}
.verdict{font-weight:600}
.v-good{color:var(--i-good)}.v-bad{color:var(--i-bad)}.v-skip{color:var(--i-skip)}
.v-retry{color:var(--i-retry)}.v-abort{color:var(--i-abort)}.v-ask{color:var(--i-ask)}
tr.v-good td:first-child{box-shadow:inset 4px 0 var(--i-good)}
tr.v-bad td:first-child{box-shadow:inset 4px 0 var(--i-bad)}
tr.v-skip td:first-child{box-shadow:inset 4px 0 var(--i-skip)}
tr.v-retry td:first-child{box-shadow:inset 4px 0 var(--i-retry)}
tr.v-abort td:first-child,tr.v-ask td:first-child{box-shadow:inset 4px 0 var(--i-ask)}
table.steps td:not(.verdict):not(.reason){color:var(--fg)}
figure{margin:12px 0}
figcaption{color:var(--i-muted);font-size:13px}
.scroll{max-height:80vh;overflow:auto;border:1px solid var(--border);border-radius:6px}
svg.figure{display:block;max-width:100%;height:auto}
#graph{max-width:none}
footer{margin-top:40px;color:var(--i-muted);font-size:13px}
)css");
}

// A printed page's tables: QTextDocument understands attributes better than CSS.
const char *const kTable =
    "<table border=\"1\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%\">";

struct Writer {
    const ReportData &data;
    HtmlFlavor flavor;
    QString out;

    bool browser() const { return flavor == HtmlFlavor::Browser; }

    QString table(const QString &cls) const {
        return browser() ? QStringLiteral("<table class=\"%1\">").arg(cls)
                         : QString::fromLatin1(kTable);
    }
    // Text in a verdict's colour, for QTextDocument (the browser page uses classes).
    static QString coloured(const QString &cls, const QString &html) {
        return QStringLiteral("<span style=\"color:%1\">%2</span>")
            .arg(inkColor(verdictInk(cls)), html);
    }
    void heading(const QString &text) { out += QStringLiteral("<h2>%1</h2>\n").arg(text); }
    void pre(const QString &text) {
        out +=
            browser()
                ? QStringLiteral("<pre>%1</pre>\n").arg(esc(text))
                : QStringLiteral("<pre style=\"white-space:pre-wrap\">%1</pre>\n").arg(esc(text));
    }
    void kvRow(const QString &key, const QString &valueHtml) {
        out += QStringLiteral("<tr><th>%1</th><td>%2</td></tr>\n").arg(esc(key), valueHtml);
    }
    QString commitHtml(const CommitRef &c) const {
        QString s = QStringLiteral("<code>%1</code>").arg(shortSha(c.oid));
        if (!c.subject.isEmpty())
            s += QStringLiteral(" (&quot;%1&quot;)").arg(esc(c.subject));
        return s;
    }

    void figure(const Figure &f) {
        if (f.id != u"graph") // the graph sits under its own section heading
            out += QStringLiteral("<h3>%1</h3>\n").arg(esc(f.title));
        if (browser()) {
            const bool scroll = f.id == u"graph";
            out += QStringLiteral("<figure>%1%2%3<figcaption>%4</figcaption></figure>\n")
                       .arg(scroll ? QStringLiteral("<div class=\"scroll\">") : QString(),
                            toSvg(f, f.id == u"graph"),
                            scroll ? QStringLiteral("</div>") : QString(), esc(f.caption));
        } else {
            const QSizeF s = printedSize(f);
            out += QStringLiteral("<p><img src=\"figure:%1\" width=\"%2\" height=\"%3\"></p>\n"
                                  "<p><i>%4</i></p>\n")
                       .arg(f.id)
                       .arg(int(s.width()))
                       .arg(int(s.height()))
                       .arg(esc(f.caption));
        }
    }

    void head() {
        out += QStringLiteral(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out += QStringLiteral("<title>%1</title>\n").arg(esc(data.title));
        if (browser()) {
            out += QStringLiteral("<meta name=\"viewport\" content=\"width=device-width, "
                                  "initial-scale=1\">\n<meta name=\"color-scheme\" "
                                  "content=\"light dark\">\n<meta name=\"generator\" "
                                  "content=\"Bisect Workbench\">\n");
            out += QStringLiteral("<style>%1%2</style>\n").arg(inkCss(), pageCss());
        }
        out += QStringLiteral("</head>\n<body>\n<main>\n");
    }

    void summaryAndRange() {
        out += QStringLiteral("<h1>%1</h1>\n").arg(esc(data.title));
        const Markup html{
            esc, [](const QString &t) { return QStringLiteral("<code>%1</code>").arg(esc(t)); }};
        out += browser() ? QStringLiteral("<p class=\"summary\">%1</p>\n").arg(summary(data, html))
                         : QStringLiteral("<p><b>%1</b></p>\n").arg(summary(data, html));

        heading(QStringLiteral("Range tested"));
        out += table(QStringLiteral("kv"));
        if (!data.repository.isEmpty())
            kvRow(QStringLiteral("repository"),
                  QStringLiteral("<code>%1</code>").arg(esc(data.repository)));
        kvRow(data.terms.bad, commitHtml(data.bad));
        for (const CommitRef &g : data.goods)
            kvRow(data.terms.good, commitHtml(g));
        kvRow(QStringLiteral("candidates at the start"), QString::number(data.candidatesAtStart));
        out += QStringLiteral("</table>\n");

        if (data.culprit) {
            const CommitRef &c = *data.culprit;
            heading(QStringLiteral("First %1 commit").arg(esc(data.terms.bad)));
            out += table(QStringLiteral("kv"));
            kvRow(QStringLiteral("commit"),
                  QStringLiteral("<code>%1</code>").arg(c.oid.toString()));
            kvRow(QStringLiteral("subject"), esc(c.subject));
            kvRow(QStringLiteral("author"), esc(c.author));
            kvRow(QStringLiteral("date"), authorDate(c));
            out += QStringLiteral("</table>\n");
        } else if (!data.possibleCulprits.empty()) {
            heading(QStringLiteral("Possible first %1 commits").arg(esc(data.terms.bad)));
            out += QStringLiteral("<ul>\n");
            for (const Oid &oid : data.possibleCulprits)
                out += QStringLiteral("<li><code>%1</code> (&quot;%2&quot;)</li>\n")
                           .arg(oid.toString(), esc(subjectOf(data, oid)));
            out += QStringLiteral("</ul>\n");
        }

        heading(QStringLiteral("How sure we are"));
        out += QStringLiteral("<ul>\n");
        for (const QString &point : certainty(data))
            out += QStringLiteral("<li>%1</li>\n").arg(esc(point));
        out += QStringLiteral("</ul>\n");
    }

    void steps() {
        heading(QStringLiteral("Steps"));
        out += table(QStringLiteral("steps"));
        out += browser()
                   ? QStringLiteral("<thead><tr><th>#</th><th>commit</th><th>subject</th>"
                                    "<th>verdict</th><th>duration</th><th>stages</th>"
                                    "<th>reason</th></tr></thead>\n<tbody>\n")
                   // Paper is narrow: the stages are in the chart below.
                   : QStringLiteral("<thead><tr><th width=\"12%\">#</th><th width=\"14%\">"
                                    "commit</th><th width=\"24%\">subject</th><th width=\"9%\">"
                                    "verdict</th><th width=\"12%\">duration</th>"
                                    "<th width=\"29%\">reason</th></tr></thead>\n<tbody>\n");
        for (std::size_t i = 0; i < data.steps.size(); ++i) {
            const StepRecord &s = data.steps[i];
            const QString cls = verdictClass(data, i);
            const QString verdict = esc(verdictWord(data, i));
            const QString reason = esc(s.classification.reason);
            const QString duration = formatDuration(s.durationMs());
            if (!browser()) {
                out += QStringLiteral("<tr><td>%1</td><td><code>%2</code></td><td>%3</td>"
                                      "<td>%4</td><td align=\"right\">%5</td><td>%6</td></tr>\n")
                           .arg(esc(stepLabel(s)), shortSha(s.commit), esc(s.subject),
                                coloured(cls, QStringLiteral("<b>%1</b>").arg(verdict)), duration,
                                coloured(cls, reason));
                continue;
            }
            QStringList stages;
            for (const StageResult &st : s.stages) {
                QString part = stageName(st.stage) + u' ' + formatDuration(st.durationMs);
                if (st.outcome != StageOutcome::Passed)
                    part += QStringLiteral(" (%1)").arg(outcomeName(st.outcome));
                stages << esc(part);
            }
            out += QStringLiteral("<tr class=\"v-%1\"><td class=\"num\">%2</td><td><code>%3</code>"
                                  "</td><td>%4</td><td class=\"verdict v-%1\">%5</td>"
                                  "<td class=\"num\">%6</td><td class=\"stages\">%7</td>"
                                  "<td class=\"reason v-%1\">%8</td></tr>\n")
                       .arg(cls, esc(stepLabel(s)), shortSha(s.commit), esc(s.subject), verdict,
                            duration, stages.join(QStringLiteral(" · ")), reason);
        }
        out += QStringLiteral("</tbody></table>\n");
    }

    void rest() {
        heading(QStringLiteral("<code>git bisect log</code>"));
        pre(data.bisectLog);
        if (!data.reproduceCommand.isEmpty()) {
            heading(QStringLiteral("Reproduce"));
            pre(data.reproduceCommand);
        }
        if (!data.environment.empty()) {
            heading(QStringLiteral("Environment"));
            out += table(QStringLiteral("kv"));
            for (const auto &[name, value] : data.environment)
                kvRow(name, esc(value));
            out += QStringLiteral("</table>\n");
        }
        heading(QStringLiteral("Recipe"));
        if (!data.recipeHash.isEmpty())
            out += QStringLiteral("<p>sha256: <code>%1</code></p>\n").arg(esc(data.recipeHash));
        pre(data.recipeToml);
        if (data.culprit)
            out += QStringLiteral("<p><code>#regzbot introduced: %1</code></p>\n")
                       .arg(shortSha(data.culprit->oid));
        out += QStringLiteral("<footer>Generated by Bisect Workbench.</footer>\n</main>\n</body>\n"
                              "</html>\n");
    }
};

} // namespace

namespace detail {

QSizeF printedSize(const Figure &figure) {
    const double w = figure.size.width(), h = figure.size.height();
    const double scale = std::min({1.0, 640.0 / std::max(1.0, w), 860.0 / std::max(1.0, h)});
    return QSizeF(std::max(1.0, w * scale), std::max(1.0, h * scale));
}

QString reportHtml(const ReportData &data, HtmlFlavor flavor, const std::vector<Figure> &figures) {
    Writer w{data, flavor, {}};
    w.head();
    w.summaryAndRange();
    if (!figures.empty()) {
        w.heading(QStringLiteral("Tested range"));
        w.figure(figures.front());
    }
    w.steps();
    if (figures.size() > 1) {
        w.heading(QStringLiteral("Charts"));
        for (std::size_t i = 1; i < figures.size(); ++i)
            w.figure(figures[i]);
    }
    w.rest();
    return w.out;
}

} // namespace detail

QString toHtml(const ReportData &data) {
    std::vector<Figure> figures{graphFigure(data)};
    for (Figure &f : chartFigures(data))
        figures.push_back(std::move(f));
    return reportHtml(data, HtmlFlavor::Browser, figures);
}

} // namespace bw::report
