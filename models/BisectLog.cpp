#include "models/BisectLog.h"

#include "models/BisectTypes.h"

namespace bw {

namespace {

// A command line longer than this is not something git or we ever wrote; refusing it
// keeps a corrupt log from turning into a huge argument list.
constexpr qsizetype MaxCommandLineLength = 1 << 20;

// git's isspace (sane-ctype.h): only these four.
bool isGitSpace(QChar c) {
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r';
}
bool isBlank(QChar c) {
    return c == u' ' || c == u'\t';
}
bool needsBackslash(QChar c) {
    return c == u'\'' || c == u'!';
}

qsizetype skipBlanks(QStringView s, qsizetype i) {
    while (i < s.size() && isBlank(s[i]))
        ++i;
    return i;
}

// A word the replay could apply as a mark: "skip", or anything that could be a term
// of some bisect (the applier checks it against the real terms).
bool couldBeMarkWord(const QString &word) {
    if (word == u"skip")
        return true;
    // Terms::validate checks a pair; pair the word with a harmless partner on either
    // side, so that only rules about the word itself can reject it.
    for (const QString &other : {QStringLiteral("term-a"), QStringLiteral("term-b")}) {
        if (other == word)
            continue;
        if (Terms::validate(word, other).isEmpty() || Terms::validate(other, word).isEmpty())
            return true;
    }
    return false;
}

QString lineError(int line, const QString &what) {
    return QStringLiteral("line %1: %2").arg(line).arg(what);
}

} // namespace

QString shellQuote(const QString &word) {
    QString out;
    out.reserve(word.size() + 2);
    out += u'\'';
    for (QChar c : word) {
        if (needsBackslash(c)) {
            out += QStringLiteral("'\\");
            out += c;
            out += u'\'';
        } else {
            out += c;
        }
    }
    out += u'\'';
    return out;
}

QString shellQuoteArgs(const QStringList &words) {
    QString out;
    for (const QString &w : words) {
        out += u' ';
        out += shellQuote(w);
    }
    return out;
}

Result<QStringList> shellDequote(const QString &text) {
    // Mirrors sq_dequote_step/sq_dequote_to_argv_internal in git's quote.c.
    QStringList words;
    const qsizetype n = text.size();
    qsizetype i = 0;
    if (n == 0)
        return words;
    for (;;) {
        if (i >= n || text[i] != u'\'')
            return Error{QStringLiteral("malformed quoting at character %1: a word must start "
                                        "with a single quote")
                             .arg(i + 1)};
        ++i;
        QString word;
        bool more = false;
        for (;;) {
            if (i >= n)
                return Error{QStringLiteral("malformed quoting: unterminated quote")};
            const QChar c = text[i++];
            if (c != u'\'') {
                word += c;
                continue;
            }
            // Stepped out of the quotes: the end, an escaped ' or !, or a separator.
            if (i >= n)
                break;
            if (text[i] == u'\\' && i + 2 < n && needsBackslash(text[i + 1]) &&
                text[i + 2] == u'\'') {
                word += text[i + 1];
                i += 3;
                continue;
            }
            if (!isGitSpace(text[i]))
                return Error{QStringLiteral("malformed quoting at character %1: "
                                            "no whitespace after a quoted word")
                                 .arg(i + 1)};
            while (i < n && isGitSpace(text[i]))
                ++i;
            more = true;
            break;
        }
        words << word;
        if (!more)
            return words;
    }
}

Result<std::vector<BisectLogEntry>> parseBisectLog(const QString &text) {
    std::vector<BisectLogEntry> entries;
    const QStringView all(text);
    qsizetype pos = 0;
    int lineNo = 0;
    while (pos < all.size()) {
        qsizetype end = all.indexOf(u'\n', pos);
        if (end < 0)
            end = all.size();
        QStringView line = all.sliced(pos, end - pos);
        pos = end + 1;
        ++lineNo;

        // strbuf_getline drops a CR before the LF; git's C strings end at a NUL.
        if (line.endsWith(u'\r'))
            line.chop(1);
        if (const qsizetype nul = line.indexOf(QChar(0)); nul >= 0)
            line.truncate(nul);

        qsizetype i = skipBlanks(line, 0);
        const QStringView rest = line.sliced(i);
        if (!rest.startsWith(u"git bisect") && !rest.startsWith(u"git-bisect"))
            continue;
        i += 10;
        if (i >= line.size() || !isGitSpace(line[i]))
            continue;
        if (line.size() > MaxCommandLineLength)
            return Error{lineError(
                lineNo, QStringLiteral("the line is too long (%1 characters)").arg(line.size()))};
        i = skipBlanks(line, i);
        qsizetype wordEnd = i;
        while (wordEnd < line.size() && !isBlank(line[wordEnd]))
            ++wordEnd;
        const QString word = line.sliced(i, wordEnd - i).toString();
        QStringView argument = line.sliced(skipBlanks(line, wordEnd));

        BisectLogEntry e;
        e.line = lineNo;
        if (word == u"start" || word == u"terms") {
            // git ignores a dequoting failure after the last complete word, which in
            // practice means trailing blanks; anything worse is reported.
            while (!argument.isEmpty() && isBlank(argument.back()))
                argument.chop(1);
            auto args = shellDequote(argument.toString());
            if (!args)
                return Error{lineError(lineNo, QStringLiteral("cannot read the arguments of "
                                                              "'git bisect %1'")
                                                   .arg(word)),
                             1, args.error().message()};
            e.kind = word == u"start" ? BisectLogEntry::Kind::Start : BisectLogEntry::Kind::Terms;
            e.startArgs = std::move(args).value();
        } else {
            if (!couldBeMarkWord(word))
                return Error{lineError(
                    lineNo, QStringLiteral("'%1'?? what are you talking about?").arg(word))};
            if (argument.isEmpty())
                return Error{lineError(
                    lineNo, QStringLiteral("'git bisect %1' needs a revision").arg(word))};
            e.kind = BisectLogEntry::Kind::Mark;
            e.term = word;
            e.rev = argument.toString();
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

Result<BisectStartArgs> parseStartArgs(const QStringList &args,
                                       const std::function<bool(const QString &)> &isRevision) {
    // bisect_start() in git 2.39's builtin/bisect--helper.c.
    BisectStartArgs out;
    const bool hasDoubleDash = args.contains(QStringLiteral("--"));
    const qsizetype n = args.size();
    qsizetype i = 0;
    for (; i < n; ++i) {
        const QString &arg = args[i];
        if (arg == u"--")
            break;
        if (arg == u"--no-checkout") {
            out.noCheckout = true;
        } else if (arg == u"--first-parent") {
            out.firstParent = true;
        } else if (arg == u"--term-good" || arg == u"--term-old") {
            if (++i >= n)
                return Error{QStringLiteral("'' is not a valid term")};
            out.termGood = args[i];
        } else if (arg.startsWith(u"--term-good=") || arg.startsWith(u"--term-old=")) {
            out.termGood = arg.mid(arg.indexOf(u'=') + 1);
        } else if (arg == u"--term-bad" || arg == u"--term-new") {
            if (++i >= n)
                return Error{QStringLiteral("'' is not a valid term")};
            out.termBad = args[i];
        } else if (arg.startsWith(u"--term-bad=") || arg.startsWith(u"--term-new=")) {
            out.termBad = arg.mid(arg.indexOf(u'=') + 1);
        } else if (arg.startsWith(u"--")) {
            return Error{QStringLiteral("unrecognized option: '%1'").arg(arg)};
        } else if (isRevision && isRevision(arg)) {
            out.revs << arg;
        } else if (hasDoubleDash) {
            return Error{QStringLiteral("'%1' does not appear to be a valid revision").arg(arg)};
        } else {
            break;
        }
    }
    // git's quirk: `pathspec_pos < argc - 1`, so a single trailing word is dropped.
    if (i < n - 1)
        out.pathspec = args.mid(i);

    const QString bad = out.termBad.value_or(QStringLiteral("bad"));
    const QString good = out.termGood.value_or(QStringLiteral("good"));
    if (const QString problem = Terms::validate(bad, good); !problem.isEmpty())
        return Error{problem};
    return out;
}

QString markCommentLine(const QString &term, const Oid &oid, const QString &subject) {
    return QStringLiteral("# %1: [%2] %3\n").arg(term, oid.toString(), subject);
}

QString markLogLines(const QString &term, const Oid &oid, const QString &subject) {
    return markCommentLine(term, oid, subject) +
           QStringLiteral("git bisect %1 %2\n").arg(term, oid.toString());
}

QString startLogLine(const QStringList &args) {
    return QStringLiteral("git bisect start") + shellQuoteArgs(args) + u'\n';
}

QString statusMessage(bool hasBad, int goodCount) {
    // bisect_print_status(): the words are fixed in 2.39.5, whatever the terms.
    if (!hasBad && goodCount == 0)
        return QStringLiteral("status: waiting for both good and bad commits\n");
    if (goodCount > 0 && !hasBad)
        return QStringLiteral("status: waiting for bad commit, %1 %2 known\n")
            .arg(goodCount)
            .arg(goodCount == 1 ? QStringLiteral("good commit") : QStringLiteral("good commits"));
    if (goodCount == 0)
        return QStringLiteral("status: waiting for good commit(s), bad commit known\n");
    return {};
}

QString statusLogLine(bool hasBad, int goodCount) {
    const QString message = statusMessage(hasBad, goodCount);
    return message.isEmpty() ? QString() : QStringLiteral("# ") + message;
}

QString firstBadLogLine(const QString &termBad, const Oid &oid, const QString &subject) {
    return QStringLiteral("# first %1 commit: [%2] %3\n").arg(termBad, oid.toString(), subject);
}

QString onlySkippedLogLines(const QString &termBad,
                            const std::vector<std::pair<Oid, QString>> &possible) {
    QString out = QStringLiteral("# only skipped commits left to test\n");
    for (const auto &[oid, subject] : possible)
        out += QStringLiteral("# possible first %1 commit: [%2] %3\n")
                   .arg(termBad, oid.toString(), subject);
    return out;
}

} // namespace bw
