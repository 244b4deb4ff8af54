#pragma once

#include "models/Oid.h"
#include "models/Result.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <utility>
#include <vector>

// git bisect's text formats: shell quoting, BISECT_LOG lines (as git 2.39.5 writes
// them), the parse `git bisect replay` does, and the argument rules of `git bisect
// start`. Pure text: no file I/O, no repository.

namespace bw {

// git's sq_quote_buf: `'…'`, with `'` written as `'\''` and `!` as `'\!'`.
[[nodiscard]] QString shellQuote(const QString &word);
// git's sq_quote_argv: every word quoted and preceded by one space (" 'a' 'b'"), the
// form BISECT_NAMES holds; empty for no words.
[[nodiscard]] QString shellQuoteArgs(const QStringList &words);
// git's sq_dequote_to_argv: quoted words separated by whitespace. Empty text is no
// words; anything else that shellQuote could not have produced (an unquoted
// character, an unterminated quote, leading or trailing whitespace) is an Error.
[[nodiscard]] Result<QStringList> shellDequote(const QString &text);

// One command line of a bisect log, as `git bisect replay` reads it.
struct BisectLogEntry {
    enum class Kind { Start, Mark, Terms };
    Kind kind = Kind::Mark;
    int line = 0;          // 1-based line number in the log
    QStringList startArgs; // Start: the dequoted arguments; Terms: its dequoted arguments
    QString term;          // Mark: the command word, a term or "skip" (checked by the applier)
    QString rev;           // Mark: the rest of the line, which git takes as one revision
};

// Parses a log the way `git bisect replay` does: lines that do not start with
// `git bisect ` or `git-bisect ` are ignored (comments included); `start` and `terms`
// arguments are shell-dequoted. A word that can never be a command or a term gives
// git's `'<word>'?? what are you talking about?`, naming the line.
[[nodiscard]] Result<std::vector<BisectLogEntry>> parseBisectLog(const QString &text);

// `git bisect start` arguments, classified as git 2.39 does it.
struct BisectStartArgs {
    QStringList revs; // as given: the first is bad, the rest are good
    std::optional<QString> termBad, termGood;
    bool noCheckout = false;
    bool firstParent = false;
    // What git stores in BISECT_NAMES: the words from the first non-revision (or the
    // `--`, which is kept) to the end, but only when at least two words remain.
    QStringList pathspec;

    // The BISECT_NAMES line without its newline: " 'a' 'b'" or empty.
    [[nodiscard]] QString namesLine() const { return shellQuoteArgs(pathspec); }
};

// `isRevision(word)` tells whether `word^{commit}` resolves. Errors carry git's
// messages (an unknown option, a non-revision before `--`, a missing or invalid term).
[[nodiscard]] Result<BisectStartArgs>
parseStartArgs(const QStringList &args, const std::function<bool(const QString &)> &isRevision);

// ---- BISECT_LOG lines, byte for byte as git 2.39.5 writes them (each ends in '\n').

// `# <term>: [<sha>] <subject>` (alone before the start line for revisions given to
// `start`).
[[nodiscard]] QString markCommentLine(const QString &term, const Oid &oid, const QString &subject);
// The comment line, then `git bisect <term> <sha>`.
[[nodiscard]] QString markLogLines(const QString &term, const Oid &oid, const QString &subject);
// `git bisect start 'a' 'b'`, or `git bisect start` without arguments.
[[nodiscard]] QString startLogLine(const QStringList &args);
// What git prints while it cannot select yet (2.39.5 says good/bad whatever the
// terms): "status: waiting for …\n"; empty once a bad and a good are known.
[[nodiscard]] QString statusMessage(bool hasBad, int goodCount);
// The same as a log comment: "# status: waiting for …\n"; empty when not waiting.
[[nodiscard]] QString statusLogLine(bool hasBad, int goodCount);
// `# first <term_bad> commit: [<sha>] <subject>`
[[nodiscard]] QString firstBadLogLine(const QString &termBad, const Oid &oid,
                                      const QString &subject);
// `# only skipped commits left to test`, then one
// `# possible first <term_bad> commit: [<sha>] <subject>` per commit, in the given order.
[[nodiscard]] QString onlySkippedLogLines(const QString &termBad,
                                          const std::vector<std::pair<Oid, QString>> &possible);

} // namespace bw
