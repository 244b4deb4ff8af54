// Fuzzes the terminal escape parser of the log views (ui/AnsiParser): build and test
// output with colours, cursor movement, OSC titles and hyperlinks, broken UTF-8, cut
// into chunks anywhere. It needs QtGui only (colours, character formats), no widgets.
//
// Input: byte 0 sets the maximum line length (0: none), byte 1 seeds the chunk sizes,
// the rest is the terminal output.
//
// Invariants: the segments do not depend on where the chunks were cut; their text holds
// no escape sequence, no control but '\t' '\n' '\r' and no character QTextDocument
// takes as structure; no line is longer than the maximum; the text is no longer than
// the input plus the forced breaks; skip() leaves the style (and so what follows) as
// feed() would; reset() really starts over; every style has a colour and a format.

#include "FuzzCheck.h"

#include "ui/AnsiParser.h"

using namespace bw;
using bw::fuzz::show;

namespace {

void checkText(const QList<AnsiSegment> &segments, int maxLine) {
    int column = 0;
    for (const AnsiSegment &s : segments) {
        FUZZ_CHECK(!s.text.isEmpty());
        for (QChar ch : s.text) {
            const char16_t c = ch.unicode();
            FUZZ_CHECK_MSG(c >= 0x20 || c == u'\t' || c == u'\n' || c == u'\r', show(s.text));
            FUZZ_CHECK_MSG(c < 0x7f || c >= 0xa0, show(s.text));
            FUZZ_CHECK(c != 0x2028 && c != 0x2029 && c != 0xfdd0 && c != 0xfdd1);
            if (c == u'\n' || c == u'\r') {
                column = 0;
            } else if (!ch.isLowSurrogate()) {
                ++column;
                FUZZ_CHECK_MSG(maxLine == 0 || column <= maxLine,
                               QStringLiteral("column %1 > %2 in ").arg(column).arg(maxLine) +
                                   show(s.text));
            }
        }
    }
}

bool sameSegments(const QList<AnsiSegment> &a, const QList<AnsiSegment> &b) {
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i)
        if (a[i].text != b[i].text || !(a[i].style == b[i].style))
            return false;
    return true;
}

QString describe(const QList<AnsiSegment> &segments) {
    QString out;
    for (const AnsiSegment &s : segments)
        out += show(s.text) + u' ';
    return out;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    bw::fuzz::quietQtMessages();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size < 2)
        return 0;
    const int maxLine = data[0] % 64;
    quint32 seed = data[1];
    const QByteArray input = bw::fuzz::bytes(data + 2, size - 2);

    AnsiParser whole;
    whole.setMaxLineLength(maxLine);
    const QList<AnsiSegment> segments = whole.parse(input);
    checkText(segments, maxLine);
    qsizetype total = 0;
    for (const AnsiSegment &s : segments)
        total += s.text.size();
    FUZZ_CHECK(total <= input.size() + whole.forcedBreaks());

    // The same bytes in chunks of 1..32.
    AnsiParser chunked;
    chunked.setMaxLineLength(maxLine);
    QList<AnsiSegment> pieces;
    for (qsizetype pos = 0; pos < input.size();) {
        seed = seed * 1103515245u + 12345u;
        const qsizetype n = std::min<qsizetype>(1 + (seed >> 16) % 32, input.size() - pos);
        chunked.feed(QByteArrayView(input).sliced(pos, n), pieces);
        pos += n;
    }
    FUZZ_CHECK_MSG(sameSegments(segments, pieces),
                   describe(segments) + QStringLiteral("\n  in chunks: ") + describe(pieces));
    FUZZ_CHECK(whole.style() == chunked.style());
    FUZZ_CHECK(whole.forcedBreaks() == chunked.forcedBreaks());

    // skip() up to a line boundary, then the rest, matches feeding all of it.
    const qsizetype cut = input.lastIndexOf('\n') + 1;
    if (cut > 0) {
        AnsiParser skipped;
        skipped.setMaxLineLength(maxLine);
        skipped.skip(QByteArrayView(input).first(cut));
        AnsiParser fed;
        fed.setMaxLineLength(maxLine);
        (void)fed.parse(QByteArrayView(input).first(cut));
        FUZZ_CHECK(skipped.style() == fed.style());
        const QList<AnsiSegment> a = skipped.parse(QByteArrayView(input).sliced(cut));
        const QList<AnsiSegment> b = fed.parse(QByteArrayView(input).sliced(cut));
        FUZZ_CHECK_MSG(sameSegments(a, b), describe(a) + QStringLiteral("\n  fed: ") + describe(b));
    }

    // reset() starts over: the same input gives the same segments.
    whole.reset();
    FUZZ_CHECK(whole.style().isDefault() && whole.forcedBreaks() == 0);
    FUZZ_CHECK(sameSegments(whole.parse(input), segments));

    // Every style renders: colours of the 256-colour table, a character format.
    const QPalette palette(QColor(0x20, 0x20, 0x20), QColor(0x10, 0x10, 0x10));
    const AnsiParser::ColorTable table = AnsiParser::colorTable(palette);
    for (const AnsiSegment &s : segments) {
        for (const AnsiColor &c : {s.style.fg, s.style.bg})
            FUZZ_CHECK(AnsiParser::color(c, table).isValid() ==
                       (c.kind != AnsiColor::Kind::Default));
        (void)AnsiParser::format(s.style, table, palette);
    }
    return 0;
}
