// Fuzzes the bisect log parser (models/BisectLog): what `git bisect replay` reads from a
// log file a user hands us, plus git's shell quoting and `git bisect start` arguments.
//
// Invariants: parseBisectLog either fails or gives entries in line order whose
// re-serialisation parses back to the same entries; shellDequote inverts shellQuote,
// and whatever it accepts re-quotes to text it reads back the same; parseStartArgs
// classifies every word once.

#include "FuzzCheck.h"

#include "models/BisectLog.h"

#include <QStringList>

#include <cctype>

using namespace bw;
using bw::fuzz::show;

namespace {

QString entryText(const BisectLogEntry &e) {
    switch (e.kind) {
    case BisectLogEntry::Kind::Start:
        return QStringLiteral("start") + shellQuoteArgs(e.startArgs);
    case BisectLogEntry::Kind::Terms:
        return QStringLiteral("terms") + shellQuoteArgs(e.startArgs);
    case BisectLogEntry::Kind::Mark:
        return e.term + u' ' + e.rev;
    }
    return {};
}

// The log git would write for these entries.
QString serialise(const std::vector<BisectLogEntry> &entries) {
    QString out;
    for (const BisectLogEntry &e : entries) {
        if (e.kind == BisectLogEntry::Kind::Start) {
            out += startLogLine(e.startArgs);
            continue;
        }
        const QString line = QStringLiteral("git bisect ") + entryText(e);
        // The parser drops one CR before the LF, as git's strbuf_getline does; a value
        // that ends in CR keeps it when the line is ended with CR LF.
        out += line + (line.endsWith(u'\r') ? QStringLiteral("\r\n") : QStringLiteral("\n"));
    }
    return out;
}

void checkQuoting(const QStringList &words) {
    const QString quoted = shellQuoteArgs(words);
    FUZZ_CHECK(words.isEmpty() ? quoted.isEmpty() : quoted.startsWith(u' '));
    auto back = shellDequote(quoted.mid(1));
    FUZZ_CHECK_MSG(back.ok(), show(quoted));
    FUZZ_CHECK_MSG(*back == words, show(quoted));
}

void checkLog(const QString &text) {
    auto parsed = parseBisectLog(text);
    if (!parsed) {
        FUZZ_CHECK(!parsed.error().message().isEmpty());
        return;
    }
    const int lines = int(text.count(u'\n')) + 1;
    int previous = 0;
    for (const BisectLogEntry &e : *parsed) {
        FUZZ_CHECK(e.line > previous && e.line <= lines);
        previous = e.line;
        if (e.kind == BisectLogEntry::Kind::Mark) {
            FUZZ_CHECK(!e.term.isEmpty() && !e.rev.isEmpty());
            FUZZ_CHECK(!e.term.contains(u' ') && !e.term.contains(u'\t'));
            FUZZ_CHECK(!e.rev.contains(u'\n') && !e.rev.contains(QChar(0)));
            FUZZ_CHECK(e.startArgs.isEmpty());
        } else {
            FUZZ_CHECK(e.term.isEmpty() && e.rev.isEmpty());
            checkQuoting(e.startArgs);
        }
    }

    // parse → serialise → parse gives the same commands.
    const QString again = serialise(*parsed);
    auto reparsed = parseBisectLog(again);
    FUZZ_CHECK_MSG(reparsed.ok(), show(again) + u' ' + reparsed.error().message());
    FUZZ_CHECK(reparsed->size() == parsed->size());
    for (std::size_t i = 0; i < parsed->size(); ++i) {
        const BisectLogEntry &a = (*parsed)[i], &b = (*reparsed)[i];
        FUZZ_CHECK(b.line == int(i) + 1);
        FUZZ_CHECK_MSG(a.kind == b.kind && a.term == b.term && a.rev == b.rev &&
                           a.startArgs == b.startArgs,
                       show(entryText(a)) + QStringLiteral(" became ") + show(entryText(b)));
    }

    // The start arguments as `git bisect start` classifies them. A "revision" here is
    // any word of 4+ hex digits, so that both branches are taken.
    for (const BisectLogEntry &e : *parsed) {
        if (e.kind != BisectLogEntry::Kind::Start)
            continue;
        const auto isRevision = [](const QString &w) {
            if (w.size() < 4)
                return false;
            for (QChar c : w)
                if (!std::isxdigit(c.unicode() < 0x80 ? int(c.unicode()) : 0))
                    return false;
            return true;
        };
        auto args = parseStartArgs(e.startArgs, isRevision);
        if (!args)
            continue;
        for (const QString &rev : args->revs)
            FUZZ_CHECK(e.startArgs.contains(rev) && isRevision(rev));
        FUZZ_CHECK(args->pathspec.isEmpty() || args->pathspec.size() >= 2);
        FUZZ_CHECK(args->pathspec.isEmpty() ||
                   e.startArgs.mid(e.startArgs.size() - args->pathspec.size()) == args->pathspec);
        auto names = shellDequote(args->namesLine().mid(1));
        FUZZ_CHECK(names.ok() && *names == args->pathspec);
    }
}

void checkDequote(const QString &text) {
    auto words = shellDequote(text);
    if (!words)
        return;
    // What it accepted re-quotes canonically and reads back the same words.
    checkQuoting(*words);
    FUZZ_CHECK(text.isEmpty() == words->isEmpty());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    bw::fuzz::quietQtMessages();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    const QString text = QString::fromUtf8(bw::fuzz::bytes(data, size));
    checkLog(text);
    checkDequote(text);
    // The input's lines as words: any text quotes and dequotes losslessly.
    checkQuoting(text.split(u'\n'));
    return 0;
}
