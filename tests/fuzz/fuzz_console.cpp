// Fuzzes the serial console line scanner (services/vm/ConsoleLineScanner): raw bytes
// from a guest's console, full of ANSI sequences, firmware resets and kernel panics,
// cut into chunks wherever the stream happened to split them.
//
// Input: the first byte seeds the chunk sizes; the rest is the console output.
//
// Invariants: the lines do not depend on where the chunks were cut; a line holds no
// '\n', '\r', ESC or other C0 control except tab, and is never longer than the
// scanner's cut (16 KiB) nor the input; in total the lines hold no more characters
// than the input had bytes; feed() returns exactly the lines it added; history,
// line() and tail() agree with what was returned; clean() never gives an empty list.

#include "FuzzCheck.h"

#include "services/vm/ConsoleLineScanner.h"

#include <vector>

using bw::fuzz::show;
using bw::vm::ConsoleLineScanner;

namespace {

// ConsoleLineScanner's cut for a line without '\n' (MaxLineBytes in its .cpp).
constexpr qsizetype MaxLine = 16 * 1024;
constexpr int History = 7;

struct Run {
    std::vector<QString> lines;
    QString partial;
};

void checkLine(const QString &line, qsizetype inputSize) {
    FUZZ_CHECK_MSG(line.size() <= MaxLine, QString::number(line.size()));
    FUZZ_CHECK(line.size() <= inputSize);
    for (QChar c : line) {
        const char16_t u = c.unicode();
        FUZZ_CHECK_MSG(u == u'\t' || (u >= 0x20 && u != 0x7f), show(line));
    }
}

// Feeds `input` in one chunk (wholeInput) or in chunks of 1..256 bytes drawn from `seed`.
Run scan(const QByteArray &input, bool wholeInput, quint32 seed) {
    ConsoleLineScanner s(History);
    Run run;
    qsizetype pos = 0;
    int feeds = 0;
    while (pos < input.size()) {
        seed = seed * 1103515245u + 12345u; // a small linear congruential generator
        const qsizetype n = wholeInput
                                ? input.size()
                                : std::min<qsizetype>(1 + (seed >> 16) % 256, input.size() - pos);
        const qint64 before = s.lineCount();
        const std::vector<QString> lines = s.feed(QByteArrayView(input).sliced(pos, n));
        pos += n;
        FUZZ_CHECK(s.lineCount() == before + qint64(lines.size()));
        for (const QString &l : lines) {
            checkLine(l, input.size());
            run.lines.push_back(l);
        }
        // The history holds the last lines returned.
        FUZZ_CHECK(s.firstRetained() >= 1 && s.firstRetained() <= s.lineCount() + 1);
        FUZZ_CHECK(s.lineCount() - s.firstRetained() + 1 <= History);
        for (qint64 k = s.firstRetained(); k <= s.lineCount(); ++k)
            FUZZ_CHECK(s.line(k) == run.lines[std::size_t(k - 1)]);
        FUZZ_CHECK(s.line(s.lineCount() + 1).isNull());
        // partial() and tail() clean the pending line again: now and then, or a long
        // line fed in small chunks would take most of the time.
        if (++feeds % 16 == 0 || pos == input.size()) {
            const QString partial = s.partial();
            FUZZ_CHECK(!partial.contains(u'\n') && !partial.contains(u'\r'));
            const QStringList tail = s.tail(3);
            FUZZ_CHECK(tail.size() <= 3 + (partial.isEmpty() ? 0 : 1));
        }
    }
    run.partial = s.partial();
    for (const QString &l : s.flush()) {
        checkLine(l, input.size());
        run.lines.push_back(l);
    }
    FUZZ_CHECK(s.partial().isEmpty());
    FUZZ_CHECK(s.lineCount() == qint64(run.lines.size()));
    return run;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    bw::fuzz::quietQtMessages();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0)
        return 0;
    const quint32 seed = data[0];
    const QByteArray input = bw::fuzz::bytes(data + 1, size - 1);

    const Run whole = scan(input, true, 0);
    const Run chunked = scan(input, false, seed);
    FUZZ_CHECK_MSG(whole.lines.size() == chunked.lines.size(),
                   QStringLiteral("%1 lines in one chunk, %2 in pieces")
                       .arg(whole.lines.size())
                       .arg(chunked.lines.size()));
    for (std::size_t i = 0; i < whole.lines.size(); ++i)
        FUZZ_CHECK_MSG(whole.lines[i] == chunked.lines[i],
                       show(whole.lines[i]) + QStringLiteral(" vs ") + show(chunked.lines[i]));
    FUZZ_CHECK(whole.partial == chunked.partial);

    qsizetype total = 0;
    for (const QString &l : whole.lines)
        total += l.size();
    FUZZ_CHECK(total <= input.size());

    const QStringList cleaned = ConsoleLineScanner::clean(input.left(input.indexOf('\n')));
    FUZZ_CHECK(!cleaned.isEmpty());
    for (const QString &l : cleaned)
        FUZZ_CHECK(!l.contains(u'\r') && !l.contains(QChar(0x1b)));
    return 0;
}
