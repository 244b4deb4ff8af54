// LogView, AnsiParser, LogHighlighter and LogTabs, offscreen: streaming split anywhere
// (UTF-8, escape sequences, "\r\n"), SGR formats, the cap and its indicator, following the
// tail, pause, search, save, past logs, and a 20 MB stream with every line accounted for.
// With BW_LOGVIEW_SCREENSHOT=/path.png, also saves a light and a dark rendering there.

#include "ui/AnsiParser.h"
#include "ui/LogHighlighter.h"
#include "ui/LogTabs.h"
#include "ui/LogView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStyleFactory>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QThreadPool>
#include <QToolButton>

using namespace bw;

namespace {

QByteArray numberedLines(int first, int count, const QByteArray &prefix = "line ") {
    QByteArray out;
    for (int i = first; i < first + count; ++i)
        out += prefix + QByteArray::number(i) + '\n';
    return out;
}

QString plain(const QList<AnsiSegment> &segments) {
    QString s;
    for (const AnsiSegment &seg : segments)
        s += seg.text;
    return s;
}

// Each fragment of the document as (text, foreground or invalid).
QList<QPair<QString, QColor>> fragments(const QTextDocument *doc) {
    QList<QPair<QString, QColor>> out;
    for (QTextBlock b = doc->begin(); b.isValid(); b = b.next())
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            const QTextFragment f = it.fragment();
            const QTextCharFormat fmt = f.charFormat();
            out.append({f.text(), fmt.hasProperty(QTextFormat::ForegroundBrush)
                                      ? fmt.foreground().color()
                                      : QColor()});
        }
    return out;
}

QColor foregroundOfText(const QTextDocument *doc, const QString &text) {
    for (const auto &[t, color] : fragments(doc))
        if (t == text)
            return color;
    return QColor(Qt::transparent); // "not found", distinct from "no colour"
}

QPalette darkPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x20, 0x22, 0x26));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xed, 0xf3));
    p.setColor(QPalette::Base, QColor(0x0d, 0x11, 0x17));
    p.setColor(QPalette::Text, QColor(0xe6, 0xed, 0xf3));
    p.setColor(QPalette::Button, QColor(0x30, 0x33, 0x38));
    p.setColor(QPalette::ButtonText, QColor(0xe6, 0xed, 0xf3));
    p.setColor(QPalette::Highlight, QColor(0x1f, 0x6f, 0xeb));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

QPalette lightPalette() {
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xf6, 0xf8, 0xfa));
    p.setColor(QPalette::WindowText, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::Text, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::Button, QColor(0xf6, 0xf8, 0xfa));
    p.setColor(QPalette::ButtonText, QColor(0x1f, 0x23, 0x28));
    p.setColor(QPalette::Highlight, QColor(0x09, 0x69, 0xda));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

// WCAG contrast ratio.
double contrast(const QColor &a, const QColor &b) {
    auto lum = [](const QColor &c) {
        auto ch = [](double v) {
            return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF());
    };
    const double la = lum(a), lb = lum(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QByteArray colourfulSample() {
    return QByteArray(
        "  CC      drivers/net/ethernet/intel/e1000e/netdev.o\n"
        "  \x1b[32mLD [M]\x1b[0m  fs/btrfs/btrfs.ko\n"
        "\x1b[01m\x1b[Kdrivers/gpu/drm/i915/gem/i915_gem_shmem.c:123:17:\x1b[m\x1b[K "
        "\x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[Kunused variable "
        "\xe2\x80\x98\x1b[01m\x1b[Kret\x1b[m\x1b[K\xe2\x80\x99 [-Wunused-variable]\n"
        "\x1b[01m\x1b[Knet/ipv4/tcp_input.c:88:5:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: "
        "\x1b[m\x1b[Kimplicit declaration of function \xe2\x80\x98"
        "foo\xe2\x80\x99\n"
        "make[3]: *** [scripts/Makefile.build:250: net/ipv4/tcp_input.o] Error 1\n"
        "\x1b[31mred\x1b[0m \x1b[32mgreen\x1b[0m \x1b[33myellow\x1b[0m \x1b[34mblue\x1b[0m "
        "\x1b[35mmagenta\x1b[0m \x1b[36mcyan\x1b[0m \x1b[37mwhite\x1b[0m \x1b[90mgrey\x1b[0m "
        "\x1b[1mbold\x1b[0m \x1b[38;5;208m256-orange\x1b[0m \x1b[38;2;0;160;160mtruecolor\x1b[0m "
        "\x1b[41;97m on red \x1b[0m\n"
        "test_tcp_input ... FAILED\n"
        "[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
        "[   12.345690] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
        "[   12.345702] WARNING: CPU: 2 PID: 1 at net/core/dev.c:4321 __dev_queue_xmit\n"
        "[   12.345720] Call Trace:\n"
        "[   12.345731]  e1000_xmit_frame+0x5a/0x120 [e1000e]\n"
        "[   12.345800] Kernel panic - not syncing: Fatal exception in interrupt\n"
        "./test.sh: line 3: 4242 Segmentation fault      (core dumped) ./stress\n"
        "  [ 42%] copying\r  [ 87%] copying\r  [100%] copying done\n"
        "Kernel 5.15.0 booted \xe2\x9c\x93 \xe2\x80\x94 all tests passed\n");
}

bool waitFlushed(LogView &view, int timeoutMs = 5000) {
    return QTest::qWaitFor([&] { return !view.hasPending(); }, timeoutMs);
}

} // namespace

class TestLogView : public QObject {
    Q_OBJECT

private slots:
    // --- AnsiParser ------------------------------------------------------------------

    void parserSgrFormats_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<AnsiStyle>("style");
        auto fg = [](int i) {
            AnsiStyle s;
            s.fg = AnsiColor::indexed(i);
            return s;
        };
        AnsiStyle boldRed = fg(1);
        boldRed.bold = true;
        AnsiStyle onGreen;
        onGreen.bg = AnsiColor::indexed(2);
        AnsiStyle brightBg;
        brightBg.bg = AnsiColor::indexed(8 + 4);
        AnsiStyle rgb;
        rgb.fg = AnsiColor::fromRgb(1, 2, 3);
        AnsiStyle rgbBg;
        rgbBg.bg = AnsiColor::fromRgb(255, 128, 0);
        AnsiStyle inv;
        inv.inverse = true;
        inv.underline = true;
        inv.italic = true;
        QTest::newRow("31") << QByteArray("\x1b[31mX") << fg(1);
        QTest::newRow("37") << QByteArray("\x1b[37mX") << fg(7);
        QTest::newRow("90") << QByteArray("\x1b[90mX") << fg(8);
        QTest::newRow("97") << QByteArray("\x1b[97mX") << fg(15);
        QTest::newRow("1;31") << QByteArray("\x1b[1;31mX") << boldRed;
        QTest::newRow("01;31 split sgr") << QByteArray("\x1b[01m\x1b[31mX") << boldRed;
        QTest::newRow("42") << QByteArray("\x1b[42mX") << onGreen;
        QTest::newRow("104") << QByteArray("\x1b[104mX") << brightBg;
        QTest::newRow("38;5;196") << QByteArray("\x1b[38;5;196mX") << fg(196);
        QTest::newRow("38:5:196") << QByteArray("\x1b[38:5:196mX") << fg(196);
        QTest::newRow("38;2;r;g;b") << QByteArray("\x1b[38;2;1;2;3mX") << rgb;
        QTest::newRow("38:2::r:g:b") << QByteArray("\x1b[38:2::1:2:3mX") << rgb;
        QTest::newRow("48;2 clamps") << QByteArray("\x1b[48;2;999;128;0mX") << rgbBg;
        QTest::newRow("reset") << QByteArray("\x1b[1;31;42m\x1b[0mX") << AnsiStyle();
        QTest::newRow("empty reset") << QByteArray("\x1b[31m\x1b[mX") << AnsiStyle();
        QTest::newRow("39/49") << QByteArray("\x1b[31;42m\x1b[39;49mX") << AnsiStyle();
        QTest::newRow("22 ends bold") << QByteArray("\x1b[1;31m\x1b[22mX") << fg(1);
        QTest::newRow("3;4;7") << QByteArray("\x1b[3;4;7mX") << inv;
        QTest::newRow("38;5 then 1") << QByteArray("\x1b[38;5;9;1mX") << [] {
            AnsiStyle s;
            s.fg = AnsiColor::indexed(9);
            s.bold = true;
            return s;
        }();
    }

    void parserSgrFormats() {
        QFETCH(QByteArray, input);
        QFETCH(AnsiStyle, style);
        AnsiParser parser;
        const QList<AnsiSegment> segments = parser.parse(input);
        QCOMPARE(segments.size(), 1);
        QCOMPARE(segments[0].text, QStringLiteral("X"));
        QVERIFY(segments[0].style == style);
    }

    void parserColoursToFormats() {
        const QPalette light = lightPalette();
        const AnsiParser::ColorTable table = AnsiParser::colorTable(light);
        AnsiStyle s;
        s.fg = AnsiColor::indexed(1);
        s.bold = true;
        QTextCharFormat f = AnsiParser::format(s, table, light);
        QCOMPARE(f.foreground().color(), table[1]);
        QCOMPARE(f.fontWeight(), int(QFont::Bold));
        QVERIFY(!f.hasProperty(QTextFormat::BackgroundBrush));
        s = AnsiStyle();
        s.fg = AnsiColor::indexed(196); // cube: r=5 → 255, g=b=0
        QCOMPARE(AnsiParser::format(s, table, light).foreground().color(), QColor(255, 0, 0));
        s.fg = AnsiColor::indexed(244); // grey ramp: 8 + 10 * 12
        QCOMPARE(AnsiParser::format(s, table, light).foreground().color(), QColor(128, 128, 128));
        s.fg = AnsiColor::fromRgb(1, 2, 3);
        QCOMPARE(AnsiParser::format(s, table, light).foreground().color(), QColor(1, 2, 3));
        // Inverse with default colours: the palette's, swapped.
        s = AnsiStyle();
        s.inverse = true;
        f = AnsiParser::format(s, table, light);
        QCOMPARE(f.foreground().color(), light.color(QPalette::Base));
        QCOMPARE(f.background().color(), light.color(QPalette::Text));
        // Every themeable colour stays readable on its theme's background (black on dark
        // and white on light included): WCAG's 3:1 for large/bold text at least.
        for (const QPalette &pal : {lightPalette(), darkPalette()}) {
            const AnsiParser::ColorTable t = AnsiParser::colorTable(pal);
            for (int i = 0; i < 16; ++i)
                QVERIFY2(contrast(t[size_t(i)], pal.color(QPalette::Base)) >= 3.0,
                         qPrintable(QStringLiteral("colour %1 on %2")
                                        .arg(i)
                                        .arg(pal.color(QPalette::Base).name())));
        }
    }

    void parserStripsOtherSequences_data() {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("expected");
        QTest::newRow("erase, cursor")
            << QByteArray("\x1b[2K\x1b[1Gabc\x1b[3A\x1b[10;20Hdef") << QStringLiteral("abcdef");
        QTest::newRow("private modes")
            << QByteArray("\x1b[?25lhide\x1b[?25h\x1b[?1049h") << QStringLiteral("hide");
        QTest::newRow("OSC title BEL") << QByteArray("a\x1b]0;my title\x07"
                                                     "b")
                                       << QStringLiteral("ab");
        QTest::newRow("OSC hyperlink ST")
            << QByteArray("\x1b]8;;http://x.org\x1b\\link\x1b]8;;\x1b\\!")
            << QStringLiteral("link!");
        QTest::newRow("charset, keypad, save") << QByteArray("\x1b(Bx\x1b=y\x1b"
                                                             "7z\x1b"
                                                             "8")
                                               << QStringLiteral("xyz");
        QTest::newRow("DCS") << QByteArray("a\x1bPq#0;2;0;0;0\x1b\\b") << QStringLiteral("ab");
        QTest::newRow("C0 and DEL dropped, tab kept")
            << QByteArray("a\x01\x07\x08\x7f\tb\x0c") << QStringLiteral("a\tb");
        QTest::newRow("newline ends an unterminated OSC")
            << QByteArray("a\x1b]0;never ends\nb") << QStringLiteral("a\nb");
        QTest::newRow("newline ends a CSI") << QByteArray("a\x1b[12\nb") << QStringLiteral("a\nb");
        QTest::newRow("huge CSI dropped")
            << QByteArray("a\x1b[" + QByteArray(500, '1') + "mb") << QStringLiteral("ab");
        QTest::newRow("ESC ESC [") << QByteArray("a\x1b\x1b[31mb") << QStringLiteral("ab");
        QTest::newRow("C1 dropped") << QByteArray("a\xc2\x85\xc2\x9b"
                                                  "b")
                                    << QStringLiteral("ab");
        QTest::newRow("structural chars") << QByteArray("a\xe2\x80\xa8"
                                                        "b\xe2\x80\xa9"
                                                        "c")
                                          << QStringLiteral("a\uFFFDb\uFFFDc");
    }

    void parserStripsOtherSequences() {
        QFETCH(QByteArray, input);
        QFETCH(QString, expected);
        AnsiParser parser;
        QCOMPARE(plain(parser.parse(input)), expected);
        // Split at every position: the same text.
        for (qsizetype cut = 1; cut < input.size(); ++cut) {
            AnsiParser p;
            QList<AnsiSegment> out;
            p.feed(QByteArrayView(input).first(cut), out);
            p.feed(QByteArrayView(input).sliced(cut), out);
            QVERIFY2(plain(out) == expected, qPrintable(QStringLiteral("cut at %1").arg(cut)));
        }
    }

    void parserSplitAnywhere() {
        // A mixed stream fed byte by byte, and in random pieces, parses exactly like the
        // stream fed whole: the UTF-8 decoder and the escape state carry over.
        const QByteArray input = colourfulSample() + "\xf0\x9f\x98\x80 \xc3\xa9t\xc3\xa9\n";
        AnsiParser whole;
        const QList<AnsiSegment> expected = whole.parse(input);
        QVERIFY(plain(expected).contains(QStringLiteral("\U0001F600 été")));
        QVERIFY(!plain(expected).contains(QChar(0x1b)));
        QVERIFY(!plain(expected).contains(QChar::ReplacementCharacter));

        AnsiParser bytewise;
        QList<AnsiSegment> out;
        for (char c : input)
            bytewise.feed(QByteArrayView(&c, 1), out);
        QCOMPARE(out.size(), expected.size());
        for (qsizetype i = 0; i < out.size(); ++i) {
            QCOMPARE(out[i].text, expected[i].text);
            QVERIFY(out[i].style == expected[i].style);
        }

        QRandomGenerator rng(1234);
        for (int round = 0; round < 50; ++round) {
            AnsiParser p;
            QList<AnsiSegment> pieces;
            for (qsizetype at = 0; at < input.size();) {
                const qsizetype n = std::min<qsizetype>(rng.bounded(1, 9), input.size() - at);
                p.feed(QByteArrayView(input).sliced(at, n), pieces);
                at += n;
            }
            QCOMPARE(plain(pieces), plain(expected));
        }
    }

    void parserSkipKeepsStyle() {
        AnsiParser p;
        p.skip("lots of dropped text\n\x1b[1;3");
        p.skip("4mmore\n");
        const QList<AnsiSegment> out = p.parse("kept");
        QCOMPARE(out.size(), 1);
        QCOMPARE(out[0].style.fg, AnsiColor::indexed(4));
        QVERIFY(out[0].style.bold);
    }

    void parserBreaksLongLines() {
        AnsiParser p;
        p.setMaxLineLength(10);
        QCOMPARE(plain(p.parse(QByteArray(25, 'x') + "\nshort\n")),
                 QString(10, u'x') + u'\n' + QString(10, u'x') + u'\n' + QString(5, u'x') +
                     QStringLiteral("\nshort\n"));
        QCOMPARE(p.forcedBreaks(), 2);
    }

    // --- LogView: text --------------------------------------------------------------

    void viewSplitUtf8AndEscapes() {
        LogView view;
        const QByteArray input = "\x1b[31mr\xc3\xa9"
                                 "d\x1b[0m \xe2\x82\xac \xf0\x9f\x98\x80\n"
                                 "\x1b[38;5;46mgreen\x1b[0m plain\n";
        for (char c : input) // every chunk boundary inside a character or a sequence
            view.append(QByteArray(1, c));
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.text(), QStringLiteral("réd € \U0001F600\ngreen plain\n"));
        const AnsiParser::ColorTable table = AnsiParser::colorTable(view.textEdit()->palette());
        QTextDocument *doc = view.textEdit()->document();
        QCOMPARE(foregroundOfText(doc, QStringLiteral("réd")), table[1]);
        QCOMPARE(foregroundOfText(doc, QStringLiteral("green")), QColor(0, 255, 0));
        QVERIFY(!foregroundOfText(doc, QStringLiteral(" plain")).isValid()); // default colour
        QCOMPARE(view.lineCount(), 2);
        QCOMPARE(view.droppedLines(), 0);
    }

    void viewCarriageReturns() {
        LogView view;
        view.append("copying 10%\rcopying 55%\rcopying done\n");
        view.append("dos line\r");
        view.append("\nnext\r\n");    // "\r" | "\n" across chunks: one newline
        view.append("half\r");        // a bare '\r' at a chunk's end ...
        view.append("overwritten\n"); // ... and what replaces the line
        view.append("\r\r\nafter\n");
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.text(),
                 QStringLiteral("copying done\ndos line\nnext\noverwritten\n\nafter\n"));
        QCOMPARE(view.droppedLines(), 0);
    }

    void viewBreaksHugeLines() {
        LogView view;
        view.setMaxLineLength(100);
        view.append(QByteArray(250, 'x') + "\nend\n");
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.lineCount(), 4);
        QCOMPARE(view.textEdit()->document()->lastBlock().text(), QStringLiteral("end"));
        QCOMPARE(view.droppedLines(), 0);
    }

    // --- LogView: cap, follow, pause ---------------------------------------------------

    void capDropsOldLines() {
        LogView view;
        view.setMaxLines(100);
        view.append(numberedLines(1, 60));
        QVERIFY(waitFlushed(view));
        auto *dropped = view.findChild<QLabel *>(QStringLiteral("logDropped"));
        QVERIFY(dropped);
        QVERIFY(dropped->isHidden());
        view.append(numberedLines(61, 190));
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.lineCount(), 100);
        QCOMPARE(view.textEdit()->document()->firstBlock().text(), QStringLiteral("line 151"));
        QCOMPARE(view.textEdit()->document()->lastBlock().text(), QStringLiteral("line 250"));
        QCOMPARE(view.droppedLines(), 150);
        QVERIFY(!dropped->isHidden());
        QVERIFY2(dropped->text().contains(QStringLiteral("150 lines dropped")),
                 qPrintable(dropped->text()));
        view.clear();
        QCOMPARE(view.lineCount(), 0);
        QCOMPARE(view.droppedLines(), 0);
        QVERIFY(dropped->isHidden());
    }

    void capBoundsTheQueue() {
        // Paused, far more than the cap arrives: the queue keeps only what the cap would
        // keep, and on resume exactly the last lines show, in their colours.
        LogView view;
        view.setMaxLines(1000);
        view.setPaused(true);
        for (int i = 0; i < 50; ++i)
            view.append("\x1b[32m" + numberedLines(i * 200 + 1, 200));
        QVERIFY(view.pendingBytes() < 3 * 1000 * 20);
        QCOMPARE(view.lineCount(), 0);
        view.setPaused(false);
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.lineCount(), 1000);
        QCOMPARE(view.droppedLines(), 9000);
        QCOMPARE(view.textEdit()->document()->firstBlock().text(), QStringLiteral("line 9001"));
        QCOMPARE(view.textEdit()->document()->lastBlock().text(), QStringLiteral("line 10000"));
        const AnsiParser::ColorTable table = AnsiParser::colorTable(view.textEdit()->palette());
        QCOMPARE(foregroundOfText(view.textEdit()->document(), QStringLiteral("line 9001")),
                 table[2]); // the colour set in a dropped chunk still applies
    }

    void capWithPartialLine() {
        // The document's last line is unfinished when the queue is trimmed: it ends there,
        // and the kept text starts a line of its own.
        LogView view;
        view.setMaxLines(10);
        view.append("partial");
        QVERIFY(waitFlushed(view));
        view.setPaused(true);
        view.append(" rest\n" + numberedLines(1, 5000));
        view.setPaused(false);
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.lineCount(), 10);
        QCOMPARE(view.textEdit()->document()->firstBlock().text(), QStringLiteral("line 4991"));
        QCOMPARE(view.droppedLines(), 4991); // "partial rest" and lines 1..4990
    }

    void followsTailAtBottom() {
        LogView view;
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QScrollBar *bar = view.textEdit()->verticalScrollBar();
        view.append(numberedLines(1, 500));
        QVERIFY(waitFlushed(view));
        QVERIFY(bar->maximum() > 0);
        QCOMPARE(bar->value(), bar->maximum());
        for (int round = 0; round < 3; ++round) {
            view.append(numberedLines(501 + round * 100, 100));
            QVERIFY(waitFlushed(view));
            QCOMPARE(bar->value(), bar->maximum());
        }
        QVERIFY(view.isAtBottom());
    }

    void keepsPositionWhenScrolledUp() {
        LogView view;
        view.setMaxLines(1000);
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QScrollBar *bar = view.textEdit()->verticalScrollBar();
        view.append(numberedLines(1, 800));
        QVERIFY(waitFlushed(view));
        bar->setValue(300);
        const QString topLine = view.textEdit()->cursorForPosition(QPoint(0, 0)).block().text();
        QCOMPARE(topLine, QStringLiteral("line 301"));
        view.append(numberedLines(801, 100)); // no trim
        QVERIFY(waitFlushed(view));
        QCOMPARE(bar->value(), 300);
        view.append(numberedLines(901, 250)); // 150 lines trimmed above the reader
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.droppedLines(), 150);
        QCOMPARE(view.textEdit()->cursorForPosition(QPoint(0, 0)).block().text(), topLine);
        QVERIFY(!view.isAtBottom());
    }

    void pauseHoldsOutputUntilResume() {
        LogView view;
        QSignalSpy paused(&view, &LogView::pausedChanged);
        auto *button = view.findChild<QToolButton *>(QStringLiteral("logPause"));
        QVERIFY(button);
        view.append("before\n");
        QVERIFY(waitFlushed(view));
        button->click();
        QVERIFY(view.isPaused());
        QCOMPARE(paused.size(), 1);
        view.append(numberedLines(1, 300));
        // A view that is not paused, given the same lines at the same time, shows them:
        // by then the paused view's flush would have run too, and nothing new may show.
        LogView control;
        control.append(numberedLines(1, 300));
        QVERIFY(waitFlushed(control));
        QCOMPARE(control.lineCount(), 300);
        QCOMPARE(view.text(), QStringLiteral("before\n"));
        QVERIFY(view.hasPending());
        button->click();
        QVERIFY(!view.isPaused());
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.text(),
                 QStringLiteral("before\n") + QString::fromLatin1(numberedLines(1, 300)));
    }

    // --- LogView: search, save, files ---------------------------------------------------

    void searchCountsAndMoves() {
        LogView view;
        view.resize(600, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QByteArray text;
        for (int i = 1; i <= 200; ++i)
            text += (i % 12 == 0 ? "cc: Error: broken " : "ok ") + QByteArray::number(i) + '\n';
        view.append(text); // 16 lines with "error"
        view.append("an error and another ERROR\n");
        QVERIFY(waitFlushed(view));
        auto *field = view.findChild<QLineEdit *>(QStringLiteral("logSearch"));
        auto *label = view.findChild<QLabel *>(QStringLiteral("logMatches"));
        QVERIFY(field && label);
        field->setText(QStringLiteral("error"));
        QCOMPARE(view.matchCount(), 18);
        QCOMPARE(view.currentMatch(), 0);
        QCOMPARE(label->text(), QStringLiteral("18"));
        QVERIFY(!view.textEdit()->extraSelections().isEmpty()); // matches in view highlighted

        view.textEdit()->moveCursor(QTextCursor::Start);
        QTest::keyClick(field, Qt::Key_Return);
        QCOMPARE(view.currentMatch(), 1);
        QCOMPARE(view.textEdit()->textCursor().selectedText(), QStringLiteral("Error"));
        QCOMPARE(view.textEdit()->textCursor().block().text(),
                 QStringLiteral("cc: Error: broken 12"));
        QTest::keyClick(field, Qt::Key_Return);
        QTest::keyClick(field, Qt::Key_Return);
        QCOMPARE(view.currentMatch(), 3);
        QCOMPARE(label->text(), QStringLiteral("3/18"));
        QCOMPARE(view.textEdit()->textCursor().block().text(),
                 QStringLiteral("cc: Error: broken 36"));
        QTest::keyClick(field, Qt::Key_Return, Qt::ShiftModifier);
        QCOMPARE(view.currentMatch(), 2);
        // Wraps around both ways.
        QVERIFY(view.findPrevious());
        QVERIFY(view.findPrevious());
        QCOMPARE(view.currentMatch(), 18);
        QCOMPARE(view.textEdit()->textCursor().selectedText(), QStringLiteral("ERROR"));
        QVERIFY(view.findNext());
        QCOMPARE(view.currentMatch(), 1);
        view.setSearchText(QStringLiteral("no such text"));
        QCOMPARE(view.matchCount(), 0);
        QVERIFY(!view.findNext());
        QVERIFY(view.textEdit()->extraSelections().isEmpty());
    }

    void ctrlFFocusesSearch() {
        LogView view;
        view.show();
        QApplication::setActiveWindow(&view);
        QVERIFY(QTest::qWaitForWindowActive(&view));
        view.textEdit()->setFocus();
        QVERIFY(QTest::qWaitFor([&] { return view.textEdit()->hasFocus(); }));
        QTest::keyClick(view.textEdit(), Qt::Key_F, Qt::ControlModifier);
        QVERIFY(view.findChild<QLineEdit *>(QStringLiteral("logSearch"))->hasFocus());
    }

    void saveWritesExactText() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        LogView view;
        const QByteArray input = "\x1b[1;31mbold red\x1b[0m caf\xc3\xa9\n"
                                 "tab\there\xc2\xa0nbsp\n"
                                 "\n"
                                 "progress 1\rprogress 2\n"
                                 "last line without newline";
        view.append(input);
        QVERIFY(waitFlushed(view));
        const QString path = dir.filePath(QStringLiteral("out.log"));
        QString error;
        QVERIFY2(view.saveTo(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("bold red caf\xc3\xa9\n"
                                            "tab\there\xc2\xa0nbsp\n"
                                            "\n"
                                            "progress 2\n"
                                            "last line without newline"));
        file.close();
        view.append("\n");
        QVERIFY(waitFlushed(view));
        QVERIFY(view.saveTo(path));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().endsWith("last line without newline\n"));
        QVERIFY(!view.saveTo(dir.filePath(QStringLiteral("no/such/dir/x.log")), &error));
        QVERIFY(!error.isEmpty());
    }

    void loadsPastLog() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("build.log"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("\x1b[33mstep 3\x1b[0m\n" + numberedLines(1, 1000));
        file.close();

        LogView view;
        view.append("live text that goes away\n");
        QSignalSpy loaded(&view, &LogView::fileLoaded);
        view.loadFile(path);
        QTRY_COMPARE(loaded.size(), 1); // may come before loadFile() returns
        QCOMPARE(loaded.first().at(1).toBool(), true);
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.text(),
                 QStringLiteral("step 3\n") + QString::fromLatin1(numberedLines(1, 1000)));

        // Only the tail of a big file, from a line start, with a note.
        view.loadFile(path, 100);
        QTRY_COMPARE(loaded.size(), 2);
        QVERIFY(waitFlushed(view));
        QVERIFY(view.text().endsWith(QStringLiteral("line 1000\n")));
        QVERIFY(view.text().startsWith(QStringLiteral("line ")));
        QVERIFY(view.lineCount() >= 8 && view.lineCount() <= 10);
        auto *note = view.findChild<QLabel *>(QStringLiteral("logDropped"));
        QVERIFY(!note->isHidden());
        QVERIFY2(note->text().contains(QStringLiteral("not shown")), qPrintable(note->text()));

        const qsizetype before = loaded.size();
        view.loadFile(dir.filePath(QStringLiteral("missing.log")));
        QTRY_COMPARE(loaded.size(), before + 1); // may come before loadFile() returns
        QCOMPARE(loaded.last().at(1).toBool(), false);
        QVERIFY(!loaded.last().at(2).toString().isEmpty());
        QVERIFY(!view.hasPending());
        QCOMPARE(view.lineCount(), 0);

        // A load replaced before it finished never shows.
        view.loadFile(path);
        view.clear();
        view.append("after clear\n");
        // The replaced load's read ends, and its result reaches the view (which drops it).
        QVERIFY(QThreadPool::globalInstance()->waitForDone(5000));
        QCoreApplication::sendPostedEvents();
        QVERIFY(waitFlushed(view));
        QCOMPARE(view.text(), QStringLiteral("after clear\n"));
    }

    // --- LogHighlighter ------------------------------------------------------------------

    void highlighterClassifies_data() {
        QTest::addColumn<QString>("line");
        QTest::addColumn<int>("severity");
        using S = LogHighlighter::Severity;
        QTest::newRow("gcc error")
            << QStringLiteral("foo.c:1:2: error: expected ';'") << int(S::Error);
        QTest::newRow("fatal error")
            << QStringLiteral("foo.c:1: fatal error: x.h: No such file") << int(S::Error);
        QTest::newRow("gcc warning")
            << QStringLiteral("foo.c:3:4: warning: unused variable") << int(S::Warning);
        QTest::newRow("make") << QStringLiteral("make[2]: *** [Makefile:12: foo.o] Error 1")
                              << int(S::Error);
        QTest::newRow("make top") << QStringLiteral("make: *** [Makefile:1234: vmlinux] Error 2")
                                  << int(S::Error);
        QTest::newRow("FAILED") << QStringLiteral("test_foo ... FAILED") << int(S::Error);
        QTest::newRow("panic") << QStringLiteral("[ 1.2] Kernel panic - not syncing: VFS")
                               << int(S::Crash);
        QTest::newRow("oops") << QStringLiteral("[ 1.2] Oops: 0002 [#1] SMP") << int(S::Crash);
        QTest::newRow("BUG") << QStringLiteral("[ 1.2] BUG: unable to handle page fault")
                             << int(S::Crash);
        QTest::newRow("WARN") << QStringLiteral("[ 1.2] WARNING: CPU: 3 PID: 7 at mm/slub.c:1")
                              << int(S::Crash);
        QTest::newRow("trace") << QStringLiteral("[ 1.2] Call Trace:") << int(S::Crash);
        QTest::newRow("segv") << QStringLiteral("sh: line 1: 42 Segmentation fault ./a.out")
                              << int(S::Crash);
        QTest::newRow("plain") << QStringLiteral("  CC      kernel/fork.o") << int(S::None);
        QTest::newRow("Werror flag")
            << QStringLiteral("  gcc -Werror=implicit foo.c") << int(S::None);
        QTest::newRow("make no error")
            << QStringLiteral("make[1]: Leaving directory '/src'") << int(S::None);
    }

    void highlighterClassifies() {
        QFETCH(QString, line);
        QFETCH(int, severity);
        QCOMPARE(int(LogHighlighter::classify(line).severity), severity);
    }

    void highlighterFormatsReadableInBothThemes() {
        // LogView marks lines at insert time: a tint on the whole line (over any ANSI
        // colour), the keyword in a strong colour; readable on light and dark themes.
        for (const QPalette &pal : {lightPalette(), darkPalette()}) {
            LogView view;
            view.setPalette(pal);
            view.append("fine line\nfoo.c:1:2: \x1b[31merror:\x1b[0m bad\n"
                        "[ 1.0] Kernel panic - not syncing\nwarn");
            view.append("ing: split across chunks\n");
            QVERIFY(waitFlushed(view));
            QTextDocument *doc = view.textEdit()->document();
            const QColor base = pal.color(QPalette::Base);
            const QColor text = pal.color(QPalette::Text);
            for (int n = 0; n < 4; ++n) {
                const QTextBlock block = doc->findBlockByNumber(n);
                bool keyword = false;
                for (auto it = block.begin(); !it.atEnd(); ++it) {
                    const QTextCharFormat f = it.fragment().charFormat();
                    if (n == 0) {
                        QVERIFY(!f.hasProperty(QTextFormat::BackgroundBrush));
                        continue;
                    }
                    QVERIFY2(f.hasProperty(QTextFormat::BackgroundBrush),
                             qPrintable(it.fragment().text()));
                    const QColor bg = f.background().color();
                    QVERIFY(bg != base);
                    QVERIFY2(contrast(text, bg) >= 7.0, qPrintable(bg.name()));
                    if (f.fontWeight() == QFont::Bold) {
                        keyword = true;
                        QVERIFY2(contrast(f.foreground().color(), bg) >= 4.5,
                                 qPrintable(f.foreground().color().name()));
                    }
                }
                QCOMPARE(keyword, n > 0);
            }
        }
    }

    void syntaxHighlighterForStaticText() {
        QTextDocument doc;
        doc.setPlainText(QStringLiteral("ok\n[ 2.0] Oops: 0002 [#1] SMP\nok"));
        auto *h = new LogHighlighter(&doc, darkPalette());
        h->rehighlight();
        QVERIFY(doc.findBlockByNumber(0).layout()->formats().isEmpty());
        const QList<QTextLayout::FormatRange> ranges = doc.findBlockByNumber(1).layout()->formats();
        QVERIFY(!ranges.isEmpty());
        QCOMPARE(ranges.first().format.background().color(),
                 LogHighlighter::formats(darkPalette())
                     .line[size_t(LogHighlighter::Severity::Crash)]
                     .background()
                     .color());
    }

    // --- LogTabs ------------------------------------------------------------------------

    void tabsMarkAndShowSteps() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString buildLog = dir.filePath(QStringLiteral("build.log"));
        QFile f(buildLog);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("past build output\n");
        f.close();

        LogTabs tabs;
        tabs.show();
        QCOMPARE(tabs.count(), 4);
        QCOMPARE(tabs.tabText(0), QStringLiteral("Build"));
        QCOMPARE(tabs.tabText(3), QStringLiteral("Pipeline"));
        tabs.setCurrentIndex(0);
        tabs.append(LogKind::Build, "building\n");
        QVERIFY(!tabs.hasMarker(LogKind::Build)); // seen
        tabs.append(LogKind::Console, "[ 0.0] booting\n");
        QVERIFY(tabs.hasMarker(LogKind::Console));
        QVERIFY(tabs.tabText(1) != QStringLiteral("Console"));
        tabs.setCurrentIndex(1);
        QVERIFY(!tabs.hasMarker(LogKind::Console));
        QCOMPARE(tabs.tabText(1), QStringLiteral("Console"));

        QSignalSpy live(&tabs, &LogTabs::liveChanged);
        tabs.showStep({{LogKind::Build, buildLog}}, QStringLiteral("Step 3"));
        QVERIFY(!tabs.isLive());
        QCOMPARE(live.size(), 1);
        QVERIFY(waitFlushed(*tabs.stepView(LogKind::Build)));
        QCOMPARE(tabs.view(LogKind::Build)->text(), QStringLiteral("past build output\n"));
        QCOMPARE(tabs.view(LogKind::Console)->lineCount(), 0);
        QVERIFY(tabs.view(LogKind::Build)->isVisibleTo(&tabs) || tabs.currentIndex() != 0);
        // The live stream goes on meanwhile, unseen: marked.
        tabs.append(LogKind::Console, "[ 1.0] login:\n");
        QVERIFY(tabs.hasMarker(LogKind::Console));
        QVERIFY(waitFlushed(*tabs.liveView(LogKind::Console)));
        QCOMPARE(tabs.liveView(LogKind::Console)->lineCount(), 2);

        tabs.followLive();
        QVERIFY(tabs.isLive());
        QCOMPARE(live.size(), 2);
        QVERIFY(!tabs.hasMarker(LogKind::Console)); // the current tab
        QCOMPARE(tabs.view(LogKind::Console), tabs.liveView(LogKind::Console));
        QVERIFY(tabs.liveView(LogKind::Console)->isVisible());
        QCOMPARE(tabs.view(LogKind::Build)->text(), QStringLiteral("building\n"));
    }

    // --- volume -------------------------------------------------------------------------

    void streamTwentyMegabytes() {
        // 20 MB in 4–64 KiB chunks from a GUI-thread producer at full speed. Asserts that
        // every line is accounted for; the event loop's longest stall is reported, not
        // asserted (bench_logview measures performance).
        constexpr int Cap = LogView::DefaultMaxLines;
        LogView view;
        view.setMaxLines(Cap);
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));

        QByteArray data;
        data.reserve(21 * 1000 * 1000);
        qint64 lines = 0;
        while (data.size() < 20 * 1000 * 1000) {
            ++lines;
            if (lines % 97 == 0)
                data += "\x1b[01;35mwarning:\x1b[0m line " + QByteArray::number(lines) + '\n';
            else
                data += "  CC [M]  drivers/net/ethernet/intel/e1000e/netdev.o line " +
                        QByteArray::number(lines) + " \xe2\x80\x94 ok\n";
        }
        const QString last = QStringLiteral("  CC [M]  drivers/net/ethernet/intel/e1000e/netdev.o "
                                            "line %1 \u2014 ok")
                                 .arg(lines);

        QElapsedTimer clock;
        clock.start();
        qint64 lastBeat = 0, maxGap = 0;
        QTimer heartbeat;
        heartbeat.setTimerType(Qt::PreciseTimer);
        heartbeat.setInterval(1);
        connect(&heartbeat, &QTimer::timeout, this, [&] {
            const qint64 now = clock.nsecsElapsed();
            maxGap = std::max(maxGap, now - lastBeat);
            lastBeat = now;
        });
        QRandomGenerator rng(99);
        qsizetype at = 0;
        qint64 producedNs = 0;
        QTimer producer;
        producer.setInterval(0);
        connect(&producer, &QTimer::timeout, this, [&] {
            const qsizetype n = std::min<qsizetype>(rng.bounded(4096, 65537), data.size() - at);
            view.append(data.mid(at, n));
            at += n;
            if (at == data.size()) {
                producer.stop();
                producedNs = clock.nsecsElapsed();
            }
        });
        // A real event loop (QTest::qWaitFor sleeps between its rounds, which would pace
        // the producer and distort the heartbeat).
        QEventLoop loop;
        QTimer check;
        check.setInterval(5);
        connect(&check, &QTimer::timeout, this, [&] {
            if (at == data.size() && !view.hasPending())
                loop.exit(0);
        });
        QTimer::singleShot(60000, &loop, [&] { loop.exit(1); });
        heartbeat.start();
        producer.start();
        check.start();
        const bool finished = loop.exec() == 0;
        QVERIFY2(finished, qPrintable(QStringLiteral("sent %1 of %2 bytes, %3 queued, %4 flushes")
                                          .arg(at)
                                          .arg(data.size())
                                          .arg(view.pendingBytes())
                                          .arg(view.flushStats().flushes)));
        heartbeat.stop();

        QCOMPARE(view.textEdit()->document()->lastBlock().text(), last);
        QCOMPARE(view.lineCount(), int(std::min<qint64>(lines, Cap)));
        QCOMPARE(view.droppedLines(), lines - view.lineCount());
        const LogView::FlushStats &s = view.flushStats();
        qInfo("20 MB, %lld lines, cap %d: sent in %.2f s, shown after %.2f s; longest "
              "event-loop stall %.1f ms; %lld flushes (longest %.1f ms)",
              lines, Cap, double(producedNs) / 1e9, double(clock.nsecsElapsed()) / 1e9,
              double(maxGap) / 1e6, s.flushes, double(s.maxNs) / 1e6);
    }

    // --- screenshot (on request) ---------------------------------------------------------

    void screenshot() {
        QTemporaryDir scratch; // without BW_LOGVIEW_SCREENSHOT: rendered and saved all the same
        QString path = qEnvironmentVariable("BW_LOGVIEW_SCREENSHOT");
        if (path.isEmpty())
            path = scratch.filePath(QStringLiteral("logview.png"));
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QList<QImage> shots;
        for (const QPalette &pal : {lightPalette(), darkPalette()}) {
            LogView view;
            view.setPalette(pal);
            view.resize(1000, 440);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            view.append(colourfulSample());
            QVERIFY(waitFlushed(view));
            view.setSearchText(QStringLiteral("e1000"));
            QTRY_VERIFY(view.matchCount() > 0); // the matches are highlighted
            shots.append(view.grab().toImage());
        }
        QImage out(shots[0].width(), shots[0].height() * 2, QImage::Format_ARGB32);
        QPainter painter(&out);
        painter.drawImage(0, 0, shots[0]);
        painter.drawImage(0, shots[0].height(), shots[1]);
        painter.end();
        QVERIFY(out.save(path));
    }
};

QTEST_MAIN(TestLogView)
#include "tst_logview.moc"
