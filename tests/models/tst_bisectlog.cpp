#include "models/BisectLog.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace bw;

namespace {

// Captured from `git bisect log` (git 2.39.5): default terms, marks before start,
// skips, status lines, a subject with ' and !, and the closing first-bad line.
const char *const DefaultTermsLog = R"(git bisect start
# status: waiting for both good and bad commits
# good: [f25711030f067ded81c073b8ef6defa57763171b] c1
git bisect good f25711030f067ded81c073b8ef6defa57763171b
# status: waiting for bad commit, 1 good commit known
# skip: [0d97fe321ff56ce9c5650d5a3a56c07107eb3cf6] c2
git bisect skip 0d97fe321ff56ce9c5650d5a3a56c07107eb3cf6
# status: waiting for bad commit, 1 good commit known
# bad: [1f6c66dc6952b4107680772fa1631a9501441009] it's c9!
git bisect bad 1f6c66dc6952b4107680772fa1631a9501441009
# skip: [650fce5c6d2087eb1ba41dc8094dacf80910c92a] c5
git bisect skip 650fce5c6d2087eb1ba41dc8094dacf80910c92a
# good: [0e9449cc6bfd40149e5dad3e75959da643ff7c0e] c6
git bisect good 0e9449cc6bfd40149e5dad3e75959da643ff7c0e
# bad: [0abe1b3e1402ee847a5fda9b622d345e44a3c479] c8
git bisect bad 0abe1b3e1402ee847a5fda9b622d345e44a3c479
# bad: [a51d2a150605b49e4bf570a2102e014028ad54c1] c7
git bisect bad a51d2a150605b49e4bf570a2102e014028ad54c1
# first bad commit: [a51d2a150605b49e4bf570a2102e014028ad54c1] c7
)";

// Captured from `git bisect start --term-new=broken --term-old fine c8 c1 -- f`, then
// marks with the custom terms (git 2.39.5).
const char *const CustomTermsLog = R"(# broken: [40ca748f7fb8e84a088f6b572650b22924518f84] c8
# fine: [ae5094aaa2b9c9bfc456391d68bb4c74fbe8502a] c1
git bisect start '--term-new=broken' '--term-old' 'fine' 'c8' 'c1' '--' 'f'
# fine: [b728c3afe22ccab1a5676e6631468795b0e15dc0] c4
git bisect fine b728c3afe22ccab1a5676e6631468795b0e15dc0
# skip: [9e19b0ce50f5fb7b49aa3bec243c80e96ba21fb5] c6
git bisect skip 9e19b0ce50f5fb7b49aa3bec243c80e96ba21fb5
# broken: [47fbda0596d025e0cec941d4b6df8f0054e27fa2] c7
git bisect broken 47fbda0596d025e0cec941d4b6df8f0054e27fa2
)";

Oid oid(const char *hex) {
    return *Oid::fromHex(std::string_view(hex));
}

// Revisions of the start-argument tests: c1…c9 and shas.
bool isRevision(const QString &word) {
    static const QRegularExpression rev(QStringLiteral("^(c[0-9]|[0-9a-f]{40}|HEAD(~[0-9]+)?)$"));
    return rev.match(word).hasMatch();
}

} // namespace

class TestBisectLog : public QObject {
    Q_OBJECT

private slots:
    void quote_data();
    void quote();
    void quoteArgsRoundTrip();
    void dequoteErrors_data();
    void dequoteErrors();
    void dequoteAcceptsGitSeparators();

    void parseDefaultTermsLog();
    void parseCustomTermsLog();
    void parseIgnoresCommentsAndForeignLines();
    void parseLineForms();
    void parseUnknownCommand_data();
    void parseUnknownCommand();
    void parseMarkNeedsRevision();
    void parseBadStartQuoting();
    void parseCorruptInputNeverCrashes();
    void parseHugeLine();

    void startArgs_data();
    void startArgs();
    void startArgErrors_data();
    void startArgErrors();

    void writers();
    void writtenLogParsesBack();
};

void TestBisectLog::quote_data() {
    QTest::addColumn<QString>("word");
    QTest::addColumn<QString>("quoted");
    QTest::newRow("plain") << "c8"
                           << "'c8'";
    QTest::newRow("empty") << ""
                           << "''";
    QTest::newRow("space") << "a b"
                           << "'a b'";
    QTest::newRow("apostrophe") << "it's"
                                << R"('it'\''s')";
    QTest::newRow("bang") << "wow!"
                          << R"('wow'\!'')";
    QTest::newRow("both") << "'!"
                          << R"(''\'''\!'')";
    QTest::newRow("newline") << "a\nb"
                             << "'a\nb'";
    QTest::newRow("backslash and dollar") << R"(a\$b)"
                                          << R"('a\$b')";
    QTest::newRow("unicode") << QStringLiteral("caf\u00e9") << QStringLiteral("'caf\u00e9'");
}

void TestBisectLog::quote() {
    QFETCH(QString, word);
    QFETCH(QString, quoted);
    QCOMPARE(shellQuote(word), quoted);
    auto back = shellDequote(quoted);
    QVERIFY2(back.ok(), qPrintable(back.ok() ? QString() : back.error().message()));
    QCOMPARE(*back, QStringList{word});
}

void TestBisectLog::quoteArgsRoundTrip() {
    const QStringList words = {QStringLiteral("--term-new=it's"),
                               QString(),
                               QStringLiteral(" x "),
                               QStringLiteral("!!''!"),
                               QStringLiteral("line\nbreak\ttab"),
                               QStringLiteral("--")};
    const QString quoted = shellQuoteArgs(words);
    QVERIFY(quoted.startsWith(u' '));
    auto back = shellDequote(quoted.mid(1));
    QVERIFY(back.ok());
    QCOMPARE(*back, words);
    QCOMPARE(shellQuoteArgs({}), QString());
    QCOMPARE(*shellDequote(QString()), QStringList());
}

void TestBisectLog::dequoteErrors_data() {
    QTest::addColumn<QString>("text");
    QTest::newRow("unquoted") << "abc";
    QTest::newRow("unterminated") << "'abc";
    QTest::newRow("unterminated after escape") << R"('a'\''b)";
    QTest::newRow("leading space") << " 'a'";
    QTest::newRow("trailing space") << "'a' ";
    QTest::newRow("glued words") << "'a''b'";
    QTest::newRow("unquoted tail") << "'a'b";
    QTest::newRow("bad escape") << R"('a'\x'b')";
    QTest::newRow("escape at end") << R"('a'\')";
    QTest::newRow("second word unquoted") << "'a' b";
    QTest::newRow("lone quote") << "'";
}

void TestBisectLog::dequoteErrors() {
    QFETCH(QString, text);
    auto r = shellDequote(text);
    QVERIFY(!r.ok());
    QVERIFY(r.error().message().contains(QStringLiteral("quot")));
}

void TestBisectLog::dequoteAcceptsGitSeparators() {
    // sq_dequote_to_argv separates words by any run of isspace().
    auto r = shellDequote(QStringLiteral("'a'\t\r\n 'b'"));
    QVERIFY(r.ok());
    QCOMPARE(*r, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
}

void TestBisectLog::parseDefaultTermsLog() {
    auto r = parseBisectLog(QString::fromUtf8(DefaultTermsLog));
    QVERIFY(r.ok());
    const auto &e = *r;
    QCOMPARE(e.size(), std::size_t(8));
    QCOMPARE(e[0].kind, BisectLogEntry::Kind::Start);
    QCOMPARE(e[0].line, 1);
    QVERIFY(e[0].startArgs.isEmpty());
    const std::pair<const char *, const char *> marks[] = {
        {"good", "f25711030f067ded81c073b8ef6defa57763171b"},
        {"skip", "0d97fe321ff56ce9c5650d5a3a56c07107eb3cf6"},
        {"bad", "1f6c66dc6952b4107680772fa1631a9501441009"},
        {"skip", "650fce5c6d2087eb1ba41dc8094dacf80910c92a"},
        {"good", "0e9449cc6bfd40149e5dad3e75959da643ff7c0e"},
        {"bad", "0abe1b3e1402ee847a5fda9b622d345e44a3c479"},
        {"bad", "a51d2a150605b49e4bf570a2102e014028ad54c1"}};
    const int lines[] = {4, 7, 10, 12, 14, 16, 18};
    for (int i = 0; i < 7; ++i) {
        QCOMPARE(e[i + 1].kind, BisectLogEntry::Kind::Mark);
        QCOMPARE(e[i + 1].term, QString::fromLatin1(marks[i].first));
        QCOMPARE(e[i + 1].rev, QString::fromLatin1(marks[i].second));
        QCOMPARE(e[i + 1].line, lines[i]);
    }
}

void TestBisectLog::parseCustomTermsLog() {
    auto r = parseBisectLog(QString::fromUtf8(CustomTermsLog));
    QVERIFY(r.ok());
    QCOMPARE(r->size(), std::size_t(4));
    const BisectLogEntry &start = r->at(0);
    QCOMPARE(start.kind, BisectLogEntry::Kind::Start);
    QCOMPARE(start.line, 3);
    QCOMPARE(start.startArgs,
             (QStringList{"--term-new=broken", "--term-old", "fine", "c8", "c1", "--", "f"}));
    QCOMPARE(r->at(1).term, QStringLiteral("fine"));
    QCOMPARE(r->at(2).term, QStringLiteral("skip"));
    QCOMPARE(r->at(3).term, QStringLiteral("broken"));
    QCOMPARE(r->at(3).rev, QStringLiteral("47fbda0596d025e0cec941d4b6df8f0054e27fa2"));

    // The start arguments of that log classify as git classified them.
    auto args = parseStartArgs(start.startArgs, isRevision);
    QVERIFY(args.ok());
    QCOMPARE(args->termBad, std::optional<QString>(QStringLiteral("broken")));
    QCOMPARE(args->termGood, std::optional<QString>(QStringLiteral("fine")));
    QCOMPARE(args->revs, (QStringList{"c8", "c1"}));
    QCOMPARE(args->pathspec, (QStringList{"--", "f"}));
}

void TestBisectLog::parseIgnoresCommentsAndForeignLines() {
    const QString log = QStringLiteral("# git bisect bad c1\n"
                                       "gitbisect bad c2\n"
                                       "git bisectbad c3\n"
                                       "git  bisect bad c4\n"
                                       "git bisect\n"
                                       "echo git bisect bad c5\n"
                                       "\n"
                                       "git bisect skip c6\n");
    auto r = parseBisectLog(log);
    QVERIFY(r.ok());
    QCOMPARE(r->size(), std::size_t(1));
    QCOMPARE(r->front().term, QStringLiteral("skip"));
    QCOMPARE(r->front().rev, QStringLiteral("c6"));
    QCOMPARE(r->front().line, 8);
}

void TestBisectLog::parseLineForms() {
    // Verified with `git bisect replay` (2.39.5): leading blanks, the dashed form,
    // tabs between words and CRLF line ends are all accepted; trailing blanks after
    // the start arguments are harmless; the rest of a mark line is one revision.
    const QString log = QStringLiteral("  \tgit-bisect start 'c8' 'c1' \r\n"
                                       "git bisect\tbad \t c7\r\n"
                                       "git bisect good :/fix the bug\n"
                                       "git bisect terms '--term-good'\n"
                                       "git bisect new c2"); // no final newline
    auto r = parseBisectLog(log);
    QVERIFY(r.ok());
    QCOMPARE(r->size(), std::size_t(5));
    QCOMPARE(r->at(0).startArgs, (QStringList{"c8", "c1"}));
    QCOMPARE(r->at(1).term, QStringLiteral("bad"));
    QCOMPARE(r->at(1).rev, QStringLiteral("c7"));
    QCOMPARE(r->at(2).rev, QStringLiteral(":/fix the bug"));
    QCOMPARE(r->at(3).kind, BisectLogEntry::Kind::Terms);
    QCOMPARE(r->at(3).startArgs, QStringList{"--term-good"});
    QCOMPARE(r->at(4).term, QStringLiteral("new"));
    QCOMPARE(r->at(4).line, 5);

    // git keeps trailing blanks of a mark in the revision (and then fails to resolve it).
    auto trailing = parseBisectLog(QStringLiteral("git bisect good c5 \n"));
    QVERIFY(trailing.ok());
    QCOMPARE(trailing->front().rev, QStringLiteral("c5 "));
}

void TestBisectLog::parseUnknownCommand_data() {
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("word");
    QTest::newRow("subcommand") << "git bisect next x"
                                << "next";
    QTest::newRow("replay") << "git bisect replay file"
                            << "replay";
    QTest::newRow("not a ref name") << "git bisect fo..o c1"
                                    << "fo..o";
    QTest::newRow("glob char") << "git bisect ba*d c1"
                               << "ba*d";
    QTest::newRow("empty word") << "git bisect   "
                                << "";
}

void TestBisectLog::parseUnknownCommand() {
    QFETCH(QString, line);
    QFETCH(QString, word);
    auto r = parseBisectLog(QStringLiteral("# a comment\ngit bisect start\n") + line + u'\n');
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message(),
             QStringLiteral("line 3: '%1'?? what are you talking about?").arg(word));
}

void TestBisectLog::parseMarkNeedsRevision() {
    auto r = parseBisectLog(QStringLiteral("git bisect start\ngit bisect bad\t \n"));
    QVERIFY(!r.ok());
    QVERIFY(r.error().message().startsWith(QStringLiteral("line 2: ")));
    QVERIFY(r.error().message().contains(QStringLiteral("needs a revision")));
}

void TestBisectLog::parseBadStartQuoting() {
    auto r = parseBisectLog(QStringLiteral("\n\ngit bisect start 'c8' 'c1\n"));
    QVERIFY(!r.ok());
    QVERIFY(r.error().message().startsWith(QStringLiteral("line 3: ")));
    QVERIFY(r.error().message().contains(QStringLiteral("unterminated")));
    QVERIFY(!parseBisectLog(QStringLiteral("git bisect start c8 c1\n")).ok());
}

void TestBisectLog::parseCorruptInputNeverCrashes() {
    // Binary garbage, with and without bisect-looking lines mixed in: the parse ends
    // with a value or an Error, and every entry it returns is well formed.
    QRandomGenerator rng(20240229);
    const QByteArray seeds[] = {QByteArray("git bisect start '"),
                                QByteArray("git bisect "),
                                QByteArray("git-bisect skip "),
                                QByteArray("'\\''"),
                                QByteArray("\n"),
                                QByteArray("\r\n"),
                                QByteArray("\0", 1)};
    int errors = 0, values = 0;
    for (int round = 0; round < 2000; ++round) {
        QByteArray bytes;
        const int parts = rng.bounded(1, 30);
        for (int p = 0; p < parts; ++p) {
            if (rng.bounded(3) == 0) {
                bytes += seeds[rng.bounded(int(std::size(seeds)))];
            } else {
                const int n = rng.bounded(0, 12);
                for (int i = 0; i < n; ++i)
                    bytes += char(rng.bounded(256));
            }
        }
        auto r = parseBisectLog(QString::fromUtf8(bytes));
        if (!r.ok()) {
            QVERIFY(r.error().message().startsWith(QStringLiteral("line ")));
            ++errors;
            continue;
        }
        ++values;
        for (const BisectLogEntry &e : *r) {
            QVERIFY(e.line >= 1);
            if (e.kind == BisectLogEntry::Kind::Mark)
                QVERIFY(!e.rev.isEmpty() && !e.term.isEmpty());
        }
    }
    // Both outcomes happen, so neither path goes untested.
    QVERIFY(errors > 0);
    QVERIFY(values > 0);
    QVERIFY(!parseBisectLog(QStringLiteral("git bisect start 'a\0b'")).ok());
}

void TestBisectLog::parseHugeLine() {
    const QString huge = QStringLiteral("git bisect start '") + QString(2 << 20, u'x') + u'\'';
    auto r = parseBisectLog(QStringLiteral("git bisect start\n") + huge);
    QVERIFY(!r.ok());
    QVERIFY(r.error().message().startsWith(QStringLiteral("line 2: ")));
    QVERIFY(r.error().message().contains(QStringLiteral("too long")));
    // A long comment (a commit subject, say) is not a command and is fine.
    QVERIFY(parseBisectLog(QStringLiteral("# ") + QString(2 << 20, u'y') + u'\n').ok());
}

void TestBisectLog::startArgs_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("revs");
    QTest::addColumn<QString>("termBad");
    QTest::addColumn<QString>("termGood");
    QTest::addColumn<bool>("noCheckout");
    QTest::addColumn<bool>("firstParent");
    QTest::addColumn<QStringList>("pathspec");
    QTest::addColumn<QString>("namesLine");

    QTest::newRow("nothing") << QStringList() << QStringList() << ""
                             << "" << false << false << QStringList() << "";
    QTest::newRow("bad and goods")
        << QStringList{"c9", "c1", "c3"} << QStringList{"c9", "c1", "c3"} << ""
        << "" << false << false << QStringList() << "";
    // The quirk: one trailing word is dropped (`pathspec_pos < argc - 1`).
    QTest::newRow("one path ignored")
        << QStringList{"c9", "c1", "path"} << QStringList{"c9", "c1"} << ""
        << "" << false << false << QStringList() << "";
    QTest::newRow("two paths kept")
        << QStringList{"c9", "c1", "a", "b"} << QStringList{"c9", "c1"} << ""
        << "" << false << false << QStringList{"a", "b"} << " 'a' 'b'";
    QTest::newRow("dash dash kept")
        << QStringList{"c9", "c1", "--", "path"} << QStringList{"c9", "c1"} << ""
        << "" << false << false << QStringList{"--", "path"} << " '--' 'path'";
    QTest::newRow("lone dash dash") << QStringList{"c9", "--"} << QStringList{"c9"} << ""
                                    << "" << false << false << QStringList() << "";
    // Without `--`, the first non-revision starts the pathspec, revisions after it too.
    QTest::newRow("non-revision ends revs")
        << QStringList{"c9", "it's", "c1"} << QStringList{"c9"} << ""
        << "" << false << false << QStringList{"it's", "c1"} << R"( 'it'\''s' 'c1')";
    QTest::newRow("terms joined") << QStringList{"--term-new=broken", "--term-old=fine", "c9"}
                                  << QStringList{"c9"} << "broken"
                                  << "fine" << false << false << QStringList() << "";
    QTest::newRow("terms separate")
        << QStringList{"--term-bad", "new2", "--term-good", "old2"} << QStringList() << "new2"
        << "old2" << false << false << QStringList() << "";
    QTest::newRow("term aliases") << QStringList{"--term-new", "x1", "--term-old", "y1"}
                                  << QStringList() << "x1"
                                  << "y1" << false << false << QStringList() << "";
    QTest::newRow("options anywhere before paths")
        << QStringList{"c9", "--no-checkout", "c1", "--first-parent", "--", "a", "--no-checkout"}
        << QStringList{"c9", "c1"} << ""
        << "" << true << true << QStringList{"--", "a", "--no-checkout"}
        << " '--' 'a' '--no-checkout'";
    QTest::newRow("options after paths are paths")
        << QStringList{"c9", "p", "--first-parent"} << QStringList{"c9"} << ""
        << "" << false << false << QStringList{"p", "--first-parent"} << " 'p' '--first-parent'";
}

void TestBisectLog::startArgs() {
    QFETCH(QStringList, args);
    QFETCH(QStringList, revs);
    QFETCH(QString, termBad);
    QFETCH(QString, termGood);
    QFETCH(bool, noCheckout);
    QFETCH(bool, firstParent);
    QFETCH(QStringList, pathspec);
    QFETCH(QString, namesLine);

    auto r = parseStartArgs(args, isRevision);
    QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message()));
    QCOMPARE(r->revs, revs);
    QCOMPARE(r->termBad.value_or(QString()), termBad);
    QCOMPARE(r->termGood.value_or(QString()), termGood);
    QCOMPARE(r->noCheckout, noCheckout);
    QCOMPARE(r->firstParent, firstParent);
    QCOMPARE(r->pathspec, pathspec);
    QCOMPARE(r->namesLine(), namesLine);
}

void TestBisectLog::startArgErrors_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    // git 2.39.5's messages for the same arguments.
    QTest::newRow("non-revision before --") << QStringList{"c9", "it's", "c1", "--", "x"}
                                            << "'it's' does not appear to be a valid revision";
    QTest::newRow("unknown option") << QStringList{"--foo"} << "unrecognized option: '--foo'";
    QTest::newRow("option after revs")
        << QStringList{"c9", "--bar=1"} << "unrecognized option: '--bar=1'";
    QTest::newRow("term without value") << QStringList{"--term-bad"} << "'' is not a valid term";
    QTest::newRow("old term without value")
        << QStringList{"c1", "--term-old"} << "'' is not a valid term";
    QTest::newRow("same terms") << QStringList{"--term-new=x", "--term-old=x"}
                                << "please use two different terms";
    QTest::newRow("swapped meaning")
        << QStringList{"--term-bad=old"} << "can't change the meaning of the term 'old'";
    QTest::newRow("bad term is good")
        << QStringList{"--term-bad=good"} << "please use two different terms";
    QTest::newRow("builtin as term")
        << QStringList{"--term-good=skip"} << "can't use the builtin command 'skip' as a term";
}

void TestBisectLog::startArgErrors() {
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    auto r = parseStartArgs(args, isRevision);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message(), message);
}

void TestBisectLog::writers() {
    const Oid a = oid("1f6c66dc6952b4107680772fa1631a9501441009");
    QCOMPARE(markLogLines(QStringLiteral("bad"), a, QStringLiteral("it's c9!")),
             QStringLiteral("# bad: [1f6c66dc6952b4107680772fa1631a9501441009] it's c9!\n"
                            "git bisect bad 1f6c66dc6952b4107680772fa1631a9501441009\n"));
    QCOMPARE(markCommentLine(QStringLiteral("fine"), a, QStringLiteral("%1 %2")),
             QStringLiteral("# fine: [1f6c66dc6952b4107680772fa1631a9501441009] %1 %2\n"));
    QCOMPARE(startLogLine({}), QStringLiteral("git bisect start\n"));
    QCOMPARE(startLogLine({QStringLiteral("--term-new=broken"), QStringLiteral("--term-old"),
                           QStringLiteral("fine"), QStringLiteral("c8"), QStringLiteral("c1"),
                           QStringLiteral("--"), QStringLiteral("f")}),
             QStringLiteral("git bisect start '--term-new=broken' '--term-old' 'fine' 'c8' 'c1' "
                            "'--' 'f'\n"));

    // Wording verified with git 2.39.5, including the custom-terms bisects above.
    QCOMPARE(statusLogLine(false, 0),
             QStringLiteral("# status: waiting for both good and bad commits\n"));
    QCOMPARE(statusLogLine(true, 0),
             QStringLiteral("# status: waiting for good commit(s), bad commit known\n"));
    QCOMPARE(statusLogLine(false, 1),
             QStringLiteral("# status: waiting for bad commit, 1 good commit known\n"));
    QCOMPARE(statusLogLine(false, 2),
             QStringLiteral("# status: waiting for bad commit, 2 good commits known\n"));
    QCOMPARE(statusMessage(false, 2),
             QStringLiteral("status: waiting for bad commit, 2 good commits known\n"));
    QCOMPARE(statusLogLine(true, 1), QString());

    QCOMPARE(
        firstBadLogLine(QStringLiteral("broken"), a, QStringLiteral("c7")),
        QStringLiteral("# first broken commit: [1f6c66dc6952b4107680772fa1631a9501441009] c7\n"));
    const Oid b = oid("0abe1b3e1402ee847a5fda9b622d345e44a3c479");
    QCOMPARE(onlySkippedLogLines(QStringLiteral("bad"),
                                 {{a, QStringLiteral("c9")}, {b, QStringLiteral("c8")}}),
             QStringLiteral(
                 "# only skipped commits left to test\n"
                 "# possible first bad commit: [1f6c66dc6952b4107680772fa1631a9501441009] c9\n"
                 "# possible first bad commit: [0abe1b3e1402ee847a5fda9b622d345e44a3c479] c8\n"));
}

void TestBisectLog::writtenLogParsesBack() {
    // Reassemble the captured log from the writers: the same bytes.
    const auto sha = [](const char *hex) { return oid(hex); };
    QString log = startLogLine({}) + statusLogLine(false, 0);
    log += markLogLines(QStringLiteral("good"), sha("f25711030f067ded81c073b8ef6defa57763171b"),
                        QStringLiteral("c1"));
    log += statusLogLine(false, 1);
    log += markLogLines(QStringLiteral("skip"), sha("0d97fe321ff56ce9c5650d5a3a56c07107eb3cf6"),
                        QStringLiteral("c2"));
    log += statusLogLine(false, 1);
    log += markLogLines(QStringLiteral("bad"), sha("1f6c66dc6952b4107680772fa1631a9501441009"),
                        QStringLiteral("it's c9!"));
    log += markLogLines(QStringLiteral("skip"), sha("650fce5c6d2087eb1ba41dc8094dacf80910c92a"),
                        QStringLiteral("c5"));
    log += markLogLines(QStringLiteral("good"), sha("0e9449cc6bfd40149e5dad3e75959da643ff7c0e"),
                        QStringLiteral("c6"));
    log += markLogLines(QStringLiteral("bad"), sha("0abe1b3e1402ee847a5fda9b622d345e44a3c479"),
                        QStringLiteral("c8"));
    const Oid first = sha("a51d2a150605b49e4bf570a2102e014028ad54c1");
    log += markLogLines(QStringLiteral("bad"), first, QStringLiteral("c7"));
    log += firstBadLogLine(QStringLiteral("bad"), first, QStringLiteral("c7"));
    QCOMPARE(log, QString::fromUtf8(DefaultTermsLog));
}

QTEST_GUILESS_MAIN(TestBisectLog)
#include "tst_bisectlog.moc"
