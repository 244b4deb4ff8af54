#pragma once

#include "services/report/ReportData.h"

#include <functional>
#include <optional>

// Internal to the report writers: the wording and numbers that every format shares, so
// the Markdown, the HTML, the PDF and the JSON never disagree about a count.

namespace bw::report::detail {

[[nodiscard]] QString shortSha(const Oid &oid); // 12 hex digits, as the kernel quotes them
// ISO 8601 with an offset: "2024-03-01T12:00:00+01:00".
[[nodiscard]] QString isoTime(qint64 secs, int offsetMinutes);
// Epoch milliseconds as ISO 8601 in UTC with milliseconds ("…T12:00:00.250Z").
[[nodiscard]] QString isoUtcMs(qint64 ms);
[[nodiscard]] QString authorDate(const CommitRef &c);
// "850 ms", "12.3 s", "3 min 12 s", "2 h 05 min".
[[nodiscard]] QString formatDuration(qint64 ms);

// How the session went, counted once.
struct Tally {
    int runs = 0;         // every step, including retries and confirmations
    int marked = 0;       // bisect steps whose verdict became a mark
    int skipped = 0;      // of those, marked skip
    int retries = 0;      // steps whose verdict was retry (infrastructure faults)
    int confirmRuns = 0;  // confirm_culprit re-tests run
    int endpointRuns = 0; // check_endpoints tests
    int goodChecks = 0;   // git's 126/127 double-checks
    qint64 durationMs = 0;
};
[[nodiscard]] Tally tally(const ReportData &data);

// The mark a step produced, if any (stepMarks may be shorter than steps).
[[nodiscard]] std::optional<MarkKind> stepMark(const ReportData &data, std::size_t index);
// The word for a step's verdict in the user's terms: the mark's term, or the verdict's
// name where no mark was made (a confirmation's good/bad still speaks in terms).
[[nodiscard]] QString verdictWord(const ReportData &data, std::size_t index);
// The colour class of a step's verdict: good bad skip retry abort ask.
[[nodiscard]] QString verdictClass(const ReportData &data, std::size_t index);
// "7", "7 (attempt 2)", "8 (confirm)".
[[nodiscard]] QString stepLabel(const StepRecord &step);
// The subject of a commit known to the report (culprit, range, steps), or empty.
[[nodiscard]] QString subjectOf(const ReportData &data, const Oid &oid);

// Text in some markup: `text` escapes for the target, `code` sets a literal.
struct Markup {
    std::function<QString(const QString &)> text;
    std::function<QString(const QString &)> code;
};
// The summary paragraph (without its block markup): the culprit sentence, the list of
// possible culprits when only skipped commits are left, or where an unfinished session
// stands.
[[nodiscard]] QString summary(const ReportData &data, const Markup &m);
// The "how sure we are" points, one sentence each (plain text).
[[nodiscard]] QStringList certainty(const ReportData &data);

[[nodiscard]] QString htmlEscape(const QString &text);
// Escapes what would turn inline Markdown text into markup: backslash, backtick, `*`,
// `[`, `]`, `<`, and `_` at a word boundary (an intraword `_` such as page_alloc is
// literal in CommonMark and stays readable in plain-text mail).
[[nodiscard]] QString markdownEscape(const QString &text);
// A fence of backticks longer than any run of backticks inside `text` (at least 3).
[[nodiscard]] QString fenceFor(const QString &text);

} // namespace bw::report::detail
