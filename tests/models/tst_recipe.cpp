#include "models/Recipe.h"
#include "models/RecipeVariables.h"

#include <QDir>
#include <QTest>

#include <algorithm>
#include <limits>

using namespace bw;

namespace {

int digits(qint64 n) {
    return int(QString::number(n).size());
}

// The length of the shortest unit spelling of `ms`, by trying every split (small values).
// Whole seconds are never shorter with "ms" (1000 × k ms is three digits longer than k s),
// so for them only splits into h, m and s are tried.
int bruteForceShortest(qint64 ms) {
    int best = std::numeric_limits<int>::max();
    for (qint64 h = 0; h * 3'600'000 <= ms; ++h) {
        for (qint64 m = 0; h * 3'600'000 + m * 60'000 <= ms; ++m) {
            const qint64 rest = ms - h * 3'600'000 - m * 60'000;
            const qint64 fewestSeconds = ms % 1000 == 0 ? rest / 1000 : 0;
            for (qint64 s = fewestSeconds; s * 1000 <= rest; ++s) {
                const qint64 milli = rest - s * 1000;
                int length = 0;
                length += h ? digits(h) + 1 : 0;
                length += m ? digits(m) + 1 : 0;
                length += s ? digits(s) + 1 : 0;
                length += milli ? digits(milli) + 2 : 0;
                best = std::min(best, length);
            }
        }
    }
    return best;
}

RecipeVariables hostileVariables(const QString &subject) {
    RecipeVariables vars;
    vars.set(QStringLiteral("commit"), QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
    vars.set(QStringLiteral("subject"), subject);
    vars.set(QStringLiteral("worktree"), QStringLiteral("/work trees/w 1"));
    return vars;
}

} // namespace

class Test_recipe : public QObject {
    Q_OBJECT

private slots:
    void parseDuration_data();
    void parseDuration();
    void formatDuration_data();
    void formatDuration();
    void formatDurationIsShortestAndReadsBack();
    void commandDisplay();
    void issueToString();
    void names();
    void outcomeMatches_data();
    void outcomeMatches();
    void closestName();

    void expandArgvElementsVerbatim();
    void expandForShell_data();
    void expandForShell();
    void shellContexts_data();
    void shellContexts();
    void shellUnsafePlaces_data();
    void shellUnsafePlaces();
    void arithmeticNeedsANumber();
    void dollarDollarBraceEscape();
    void unknownAndMalformedReferences_data();
    void unknownAndMalformedReferences();
    void missingValue();
    void referencedNames();
    void environmentNames();
    void expandPath_data();
    void expandPath();
    void argvForms();
};

void Test_recipe::parseDuration_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("ms");

    QTest::newRow("90s") << "90s" << true << qint64(90'000);
    QTest::newRow("3m") << "3m" << true << qint64(180'000);
    QTest::newRow("1h30m") << "1h30m" << true << qint64(5'400'000);
    QTest::newRow("250ms") << "250ms" << true << qint64(250);
    QTest::newRow("2h") << "2h" << true << qint64(7'200'000);
    QTest::newRow("1h2m3s") << "1h2m3s" << true << qint64(3'723'000);
    QTest::newRow("1h2m3s4ms") << "1h2m3s4ms" << true << qint64(3'723'004);
    QTest::newRow("1m500ms") << "1m500ms" << true << qint64(60'500);
    QTest::newRow("plain seconds") << "45" << true << qint64(45'000);
    QTest::newRow("zero") << "0" << true << qint64(0);
    QTest::newRow("zero seconds") << "0s" << true << qint64(0);
    QTest::newRow("90m") << "90m" << true << qint64(5'400'000);
    QTest::newRow("leading zeros") << "007s" << true << qint64(7'000);
    QTest::newRow("largest") << "9223372036854775807ms" << true
                             << std::numeric_limits<qint64>::max();

    QTest::newRow("empty") << "" << false << qint64(0);
    QTest::newRow("negative") << "-5" << false << qint64(0);
    QTest::newRow("negative unit") << "-5s" << false << qint64(0);
    QTest::newRow("plus") << "+5s" << false << qint64(0);
    QTest::newRow("garbage") << "soon" << false << qint64(0);
    QTest::newRow("unit only") << "ms" << false << qint64(0);
    QTest::newRow("unknown unit") << "1d" << false << qint64(0);
    QTest::newRow("upper case") << "5S" << false << qint64(0);
    QTest::newRow("fraction") << "1.5h" << false << qint64(0);
    QTest::newRow("exponent") << "1e3" << false << qint64(0);
    QTest::newRow("space inside") << "5 s" << false << qint64(0);
    QTest::newRow("space before") << " 5s" << false << qint64(0);
    QTest::newRow("space after") << "5s " << false << qint64(0);
    QTest::newRow("wrong order") << "1m1h" << false << qint64(0);
    QTest::newRow("unit twice") << "1m1m" << false << qint64(0);
    QTest::newRow("trailing number") << "1h30" << false << qint64(0);
    QTest::newRow("overflow digits") << "99999999999999999999" << false << qint64(0);
    QTest::newRow("overflow seconds") << "9223372036854775807" << false << qint64(0);
    QTest::newRow("overflow hours") << "3000000000000000h" << false << qint64(0);
    QTest::newRow("overflow sum") << "2562047788015h9223372036854775807ms" << false << qint64(0);
}

void Test_recipe::parseDuration() {
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, ms);
    const auto parsed = bw::parseDuration(text);
    QCOMPARE(parsed.has_value(), valid);
    if (valid)
        QCOMPARE(*parsed, ms);
}

void Test_recipe::formatDuration_data() {
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");

    QTest::newRow("zero") << qint64(0) << "0s";
    QTest::newRow("250ms") << qint64(250) << "250ms";
    QTest::newRow("90s") << qint64(90'000) << "90s";
    QTest::newRow("3m") << qint64(180'000) << "3m";
    QTest::newRow("1h") << qint64(3'600'000) << "1h";
    QTest::newRow("2h") << qint64(7'200'000) << "2h";
    // "90m" is shorter than "1h30m"; both read back the same.
    QTest::newRow("90 minutes") << qint64(5'400'000) << "90m";
    QTest::newRow("62m3s") << qint64(3'723'000) << "62m3s"; // not "1h2m3s", nor "3723s" (a tie)
    QTest::newRow("1h2m") << qint64(3'720'000) << "62m";
    QTest::newRow("10h1m3s") << qint64(36'063'000) << "601m3s";
    QTest::newRow("1500ms") << qint64(1'500) << "1500ms";
    QTest::newRow("61s") << qint64(61'000) << "61s";
    QTest::newRow("10m5s") << qint64(605'000) << "605s";
    // A tie ("3h5m" and "185m") goes to the larger units.
    QTest::newRow("tie") << qint64(11'100'000) << "3h5m";
    QTest::newRow("a day") << qint64(86'400'000) << "24h";
    QTest::newRow("negative, for messages") << qint64(-90'000) << "-90s";
}

void Test_recipe::formatDuration() {
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(bw::formatDuration(ms), text);
    if (ms >= 0)
        QCOMPARE(bw::parseDuration(text), std::optional<Millis>(ms));
}

void Test_recipe::formatDurationIsShortestAndReadsBack() {
    // Whole seconds up to three hours, against every possible split.
    for (qint64 s = 1; s <= 3 * 3600; s += 7) {
        const qint64 ms = s * 1000;
        const QString text = bw::formatDuration(ms);
        QVERIFY2(bw::parseDuration(text) == std::optional<Millis>(ms), qPrintable(text));
        QVERIFY2(text.size() == bruteForceShortest(ms), qPrintable(text));
    }
    // With milliseconds.
    for (qint64 s = 0; s <= 200; s += 3) {
        for (qint64 milli : {1, 7, 250, 999}) {
            const qint64 ms = s * 1000 + milli;
            const QString text = bw::formatDuration(ms);
            QVERIFY2(bw::parseDuration(text) == std::optional<Millis>(ms), qPrintable(text));
            QVERIFY2(text.size() == bruteForceShortest(ms), qPrintable(text));
        }
    }
    // Large values still read back.
    for (qint64 ms : {std::numeric_limits<qint64>::max(), qint64(1) << 50, qint64(999'999'999'999),
                      qint64(3'600'000) * 1'000'000}) {
        const QString text = bw::formatDuration(ms);
        QVERIFY2(bw::parseDuration(text) == std::optional<Millis>(ms), qPrintable(text));
    }
}

void Test_recipe::commandDisplay() {
    QCOMPARE(CommandSpec().display(), QString());
    QCOMPARE(CommandSpec::fromArgv({"make", "-j2", "O=build"}).display(),
             QStringLiteral("make -j2 O=build"));
    QCOMPARE(CommandSpec::fromArgv({"echo", "it's here", ""}).display(),
             QStringLiteral("echo 'it'\\''s here' ''"));
    QCOMPARE(CommandSpec::fromArgv({"echo", "$(rm -rf ~)"}).display(),
             QStringLiteral("echo '$(rm -rf ~)'"));
    QCOMPARE(CommandSpec::fromShell("make && ./run-test \"${short}\"").display(),
             QStringLiteral("make && ./run-test \"${short}\""));
    QVERIFY(!CommandSpec().isSet());
    QVERIFY(CommandSpec::fromShell("true").isSet());
}

void Test_recipe::issueToString() {
    RecipeIssue i;
    i.message = QStringLiteral("bad");
    QCOMPARE(i.toString(), QStringLiteral("bad"));
    i.key = QStringLiteral("build.timeout");
    QCOMPARE(i.toString(), QStringLiteral("build.timeout: bad"));
    i.file = QStringLiteral("r.toml");
    QCOMPARE(i.toString(), QStringLiteral("r.toml: build.timeout: bad"));
    i.line = 3;
    QCOMPARE(i.toString(), QStringLiteral("r.toml:3: build.timeout: bad"));
    i.column = 11;
    QCOMPARE(i.toString(), QStringLiteral("r.toml:3:11: build.timeout: bad"));
    i.key.clear();
    QCOMPARE(i.toString(), QStringLiteral("r.toml:3:11: bad"));
    i.file.clear();
    QCOMPARE(i.toString(), QStringLiteral("3:11: bad"));
}

void Test_recipe::names() {
    for (StageKind s : {StageKind::Checkout, StageKind::Build, StageKind::Deploy, StageKind::Wait,
                        StageKind::Test, StageKind::Any})
        QCOMPARE(stageFromName(stageName(s)), std::optional(s));
    for (Verdict v :
         {Verdict::Good, Verdict::Bad, Verdict::Skip, Verdict::Retry, Verdict::Abort, Verdict::Ask})
        QCOMPARE(verdictFromName(verdictName(v)), std::optional(v));
    for (LogKind l : {LogKind::Build, LogKind::Console, LogKind::Test, LogKind::Pipeline})
        QCOMPARE(logFromName(logName(l)), std::optional(l));
    for (BuildKind k : {BuildKind::None, BuildKind::Command, BuildKind::Make, BuildKind::Nix})
        QCOMPARE(buildKindFromName(buildKindName(k)), std::optional(k));
    for (DeployKind k : {DeployKind::None, DeployKind::LibvirtKernel, DeployKind::LibvirtDisk,
                         DeployKind::SshInstall})
        QCOMPARE(deployKindFromName(deployKindName(k)), std::optional(k));
    for (WaitKind k : {WaitKind::None, WaitKind::Ssh, WaitKind::Console})
        QCOMPARE(waitKindFromName(waitKindName(k)), std::optional(k));
    for (TestKind k :
         {TestKind::Command, TestKind::RemoteCommand, TestKind::Transfer, TestKind::Script})
        QCOMPARE(testKindFromName(testKindName(k)), std::optional(k));
    for (CheckoutMode m : {CheckoutMode::Worktree, CheckoutMode::InPlace, CheckoutMode::None})
        QCOMPARE(checkoutModeFromName(checkoutModeName(m)), std::optional(m));
    for (BisectMode m : {BisectMode::Classic, BisectMode::Flaky})
        QCOMPARE(bisectModeFromName(bisectModeName(m)), std::optional(m));

    QCOMPARE(stageName(StageKind::Deploy), QStringLiteral("deploy"));
    QCOMPARE(outcomeName(StageOutcome::Timeout), QStringLiteral("timeout"));
    QCOMPARE(outcomeName(StageOutcome::Cancelled), QStringLiteral("cancelled"));
    QCOMPARE(deployKindName(DeployKind::LibvirtKernel), QStringLiteral("libvirt-kernel"));
    QCOMPARE(testKindName(TestKind::RemoteCommand), QStringLiteral("remote-command"));
    QCOMPARE(checkoutModeName(CheckoutMode::InPlace), QStringLiteral("in-place"));
    QCOMPARE(verdictFromName("Good"), std::nullopt);
    QCOMPARE(stageFromName("tests"), std::nullopt);
}

void Test_recipe::outcomeMatches_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("low");
    QTest::addColumn<int>("high");
    using K = OutcomeMatch::Kind;
    QTest::newRow("passed") << "passed" << true << int(K::Passed) << 0 << 0;
    QTest::newRow("failed") << "failed" << true << int(K::Failed) << 0 << 0;
    QTest::newRow("timeout") << "timeout" << true << int(K::Timeout) << 0 << 0;
    QTest::newRow("error") << "error" << true << int(K::Error) << 0 << 0;
    QTest::newRow("exit:0") << "exit:0" << true << int(K::Exit) << 0 << 0;
    QTest::newRow("exit:125") << "exit:125" << true << int(K::Exit) << 125 << 125;
    QTest::newRow("exit:1-127") << "exit:1-127" << true << int(K::Exit) << 1 << 127;
    QTest::newRow("exit:3-3") << "exit:3-3" << true << int(K::Exit) << 3 << 3;
    QTest::newRow("reversed") << "exit:5-2" << false << 0 << 0 << 0;
    QTest::newRow("no code") << "exit:" << false << 0 << 0 << 0;
    QTest::newRow("too big") << "exit:256" << false << 0 << 0 << 0;
    QTest::newRow("negative") << "exit:-1" << false << 0 << 0 << 0;
    QTest::newRow("leading zero") << "exit:01" << false << 0 << 0 << 0;
    QTest::newRow("open range") << "exit:1-" << false << 0 << 0 << 0;
    QTest::newRow("spaces") << "exit: 1" << false << 0 << 0 << 0;
    QTest::newRow("unknown") << "fail" << false << 0 << 0 << 0;
    QTest::newRow("any") << "any" << false << 0 << 0 << 0;
}

void Test_recipe::outcomeMatches() {
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(int, kind);
    QFETCH(int, low);
    QFETCH(int, high);
    const auto m = outcomeMatchFromName(text);
    QCOMPARE(m.has_value(), valid);
    if (!valid)
        return;
    QCOMPARE(int(m->kind), kind);
    QCOMPARE(m->exitLow, low);
    QCOMPARE(m->exitHigh, high);
    QCOMPARE(outcomeMatchName(*m), text == u"exit:3-3" ? QStringLiteral("exit:3") : text);
}

void Test_recipe::closestName() {
    const QStringList keys = {"kind", "command", "timeout", "env", "target", "jobs"};
    QCOMPARE(bw::closestName("timout", keys), QStringLiteral("timeout"));
    QCOMPARE(bw::closestName("Timeout", keys), QStringLiteral("timeout"));
    QCOMPARE(bw::closestName("comand", keys), QStringLiteral("command"));
    QCOMPARE(bw::closestName("jbos", keys), QStringLiteral("jobs"));
    QCOMPARE(bw::closestName("kidn", keys), QStringLiteral("kind"));
    QCOMPARE(bw::closestName("xyz", keys), QString());
    QCOMPARE(bw::closestName("completely-different", keys), QString());
}

void Test_recipe::expandArgvElementsVerbatim() {
    const QString hostile = QStringLiteral("$(touch pwned) `touch pwned` '\"; x");
    const RecipeVariables vars = hostileVariables(hostile);
    const auto argv =
        vars.argv(CommandSpec::fromArgv({"./run", "--subject=${subject}", "${worktree}/out"}));
    QVERIFY(argv.ok());
    QCOMPARE(*argv, QStringList({"./run", "--subject=" + hostile, "/work trees/w 1/out"}));
    QCOMPARE(*vars.expand("${commit}:${subject}"),
             QStringLiteral("0123456789abcdef0123456789abcdef01234567:") + hostile);
}

void Test_recipe::expandForShell_data() {
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QString>("quoted");
    QTest::newRow("plain") << "fix it"
                           << "'fix it'";
    QTest::newRow("empty") << ""
                           << "''";
    QTest::newRow("command substitution") << "$(touch pwned)"
                                          << "'$(touch pwned)'";
    QTest::newRow("backquotes") << "`touch pwned`"
                                << "'`touch pwned`'";
    QTest::newRow("single quote") << "'; touch x; '"
                                  << "''\\''; touch x; '\\'''";
    QTest::newRow("double quote") << "\"; touch x; \""
                                  << "'\"; touch x; \"'";
    QTest::newRow("newline") << "a\ntouch x"
                             << "'a\ntouch x'";
    QTest::newRow("semicolon") << "a; touch x"
                               << "'a; touch x'";
    QTest::newRow("variable") << "$HOME ${HOME}"
                              << "'$HOME ${HOME}'";
    QTest::newRow("backslash") << "a\\'b"
                               << "'a\\'\\''b'";
    QTest::newRow("history") << "!x"
                             << "''\\!'x'";
    QTest::newRow("glob") << "*"
                          << "'*'";
}

void Test_recipe::expandForShell() {
    QFETCH(QString, subject);
    QFETCH(QString, quoted);
    const RecipeVariables vars = hostileVariables(subject);
    const auto script = vars.expandForShell(QStringLiteral("echo ${subject}"));
    QVERIFY2(script.ok(), script.ok() ? "" : qPrintable(script.error().message()));
    QCOMPARE(*script, QStringLiteral("echo ") + quoted);
    // The argv form of a shell command.
    const auto argv = vars.argv(CommandSpec::fromShell(QStringLiteral("echo ${subject}")));
    QVERIFY(argv.ok());
    QCOMPARE(*argv, QStringList({"/bin/sh", "-c", "echo " + quoted}));
}

void Test_recipe::shellContexts_data() {
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("expanded");
    // subject = it's $(x)  →  sq: 'it'\''s $(x)'
    const QString sq = QStringLiteral("'it'\\''s $(x)'");
    QTest::newRow("unquoted") << "echo ${subject}"
                              << "echo " + sq;
    QTest::newRow("double quotes") << "echo \"s: ${subject}.\""
                                   << "echo \"s: \"" + sq + "\".\"";
    QTest::newRow("single quotes") << "echo 's: ${subject}.'"
                                   << "echo 's: '" + sq + "'.'";
    QTest::newRow("after a closed quote") << "echo \"a\"${subject}"
                                          << "echo \"a\"" + sq;
    QTest::newRow("escaped quote in double quotes") << "echo \"\\\" ${subject}\""
                                                    << "echo \"\\\" \"" + sq + "\"\"";
    QTest::newRow("command substitution in double quotes") << "echo \"$(echo ${subject})\""
                                                           << "echo \"$(echo " + sq + ")\"";
    QTest::newRow("double quotes in command substitution") << "echo \"$(echo \"${subject}\")\""
                                                           << "echo \"$(echo \"\"" + sq + "\"\")\"";
    QTest::newRow("apostrophe in a comment") << "# don't\necho ${subject}"
                                             << "# don't\necho " + sq;
    QTest::newRow("hash inside a word") << "echo a#'b ${subject}'"
                                        << "echo a#'b '" + sq + "''";
    QTest::newRow("after a here-document") << "cat <<EOF\nit's\nEOF\necho ${subject}"
                                           << "cat <<EOF\nit's\nEOF\necho " + sq;
    QTest::newRow("after a quoted here-document") << "cat <<-'END'\n\tit's\n\tEND\necho ${subject}"
                                                  << "cat <<-'END'\n\tit's\n\tEND\necho " + sq;
    QTest::newRow("arithmetic") << "echo $(( ${step} + 1 )) ${subject}"
                                << "echo $(( 41 + 1 )) " + sq;
    QTest::newRow("after arithmetic") << "echo $((1)) $(echo ${subject})"
                                      << "echo $((1)) $(echo " + sq + ")";
    QTest::newRow("escaped dollar brace") << "echo \"$${HOME}\" ${subject}"
                                          << "echo \"${HOME}\" " + sq;
}

void Test_recipe::shellContexts() {
    QFETCH(QString, script);
    QFETCH(QString, expanded);
    RecipeVariables vars;
    vars.set(QStringLiteral("subject"), QStringLiteral("it's $(x)"));
    vars.set(QStringLiteral("step"), QStringLiteral("41"));
    const auto out = vars.expandForShell(script);
    QVERIFY2(out.ok(), out.ok() ? "" : qPrintable(out.error().message()));
    QCOMPARE(*out, expanded);
    QVERIFY(RecipeVariables::checkShell(script).ok());
}

void Test_recipe::shellUnsafePlaces_data() {
    QTest::addColumn<QString>("script");
    QTest::addColumn<QString>("mention");
    QTest::newRow("backquotes") << "echo `echo ${subject}`"
                                << "backquotes";
    QTest::newRow("backquotes in double quotes") << "echo \"`echo ${subject}`\""
                                                 << "backquotes";
    QTest::newRow("here-document") << "cat <<EOF\n${subject}\nEOF"
                                   << "$BW_SUBJECT";
    QTest::newRow("quoted here-document") << "cat <<'EOF'\n${subject}\nEOF"
                                          << "here-document";
    QTest::newRow("backslash") << "echo \\${subject}"
                               << "backslash";
    QTest::newRow("backslash in double quotes") << "echo \"\\${subject}\""
                                                << "backslash";
}

void Test_recipe::shellUnsafePlaces() {
    QFETCH(QString, script);
    QFETCH(QString, mention);
    RecipeVariables vars;
    vars.set(QStringLiteral("subject"), QStringLiteral("x"));
    const auto out = vars.expandForShell(script);
    QVERIFY(!out.ok());
    QVERIFY2(out.error().message().contains(mention), qPrintable(out.error().message()));
    QVERIFY2(out.error().message().contains(QStringLiteral("${subject}")),
             qPrintable(out.error().message()));
    const Status check = RecipeVariables::checkShell(script);
    QVERIFY(!check.ok());
    QCOMPARE(check.error().message(), out.error().message());
    // As argv elements nothing is interpreted, so the same text is fine.
    QVERIFY(vars.expand(script).ok());
    QVERIFY(RecipeVariables::check(script).ok());
}

void Test_recipe::arithmeticNeedsANumber() {
    RecipeVariables vars;
    vars.set(QStringLiteral("step"), QStringLiteral("1)); touch x; (("));
    const auto out = vars.expandForShell("echo $(( ${step} + 1 ))");
    QVERIFY(!out.ok());
    QCOMPARE(out.error().message(),
             QStringLiteral("${step} is used in $((…)) but its value '1)); touch x; ((' is not a "
                            "number"));
    QVERIFY(RecipeVariables::checkShell("echo $(( ${step} + 1 ))").ok());
}

void Test_recipe::dollarDollarBraceEscape() {
    RecipeVariables vars;
    vars.set(QStringLiteral("commit"), QStringLiteral("abc"));
    QCOMPARE(*vars.expand("$${commit} ${commit}"), QStringLiteral("${commit} abc"));
    QCOMPARE(*vars.expandForShell("echo $${HOME} ${commit}"), QStringLiteral("echo ${HOME} 'abc'"));
    QCOMPARE(*vars.expand("cost: $5, pid $$, $${"), QStringLiteral("cost: $5, pid $$, ${"));
    QVERIFY(RecipeVariables::check("$${unknown} $${").ok());
    QVERIFY(RecipeVariables::referencedNames("$${commit}").isEmpty());
}

void Test_recipe::unknownAndMalformedReferences_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("typo") << "make ${comit}"
                          << "unknown variable ${comit}; did you mean ${commit}?";
    QTest::newRow("unknown") << "${HOME}/x"
                             << "unknown variable ${HOME}; known variables: commit, "
                                "short, subject, repo, worktree, session, step, "
                                "result, version, port, kernel, initrd, cmdline, "
                                "disk";
    QTest::newRow("unterminated")
        << "echo ${commit"
        << "unterminated \"${commit\": a variable is written ${name}, and $${ "
           "is a literal ${";
    QTest::newRow("bare") << "cost ${"
                          << "unterminated \"${\": a variable is written ${name}, "
                             "and $${ is a literal ${";
    QTest::newRow("malformed") << "${a b}"
                               << "\"${a b}\" is not a variable name; $${ is a literal ${";
    QTest::newRow("empty") << "${}"
                           << "\"${}\" is not a variable name; $${ is a literal ${";
    QTest::newRow("shell default") << "${HOME:-/root}"
                                   << "\"${HOME:-/root}\" is not a variable name; $${ is a literal "
                                      "${";
}

void Test_recipe::unknownAndMalformedReferences() {
    QFETCH(QString, text);
    QFETCH(QString, message);
    const Status s = RecipeVariables::check(text);
    QVERIFY(!s.ok());
    QCOMPARE(s.error().message(), message);
    // Expanding says the same, even with every variable set.
    RecipeVariables vars;
    for (const QString &name : RecipeVariables::knownNames())
        vars.set(name, name);
    const auto expanded = vars.expand(text);
    QVERIFY(!expanded.ok());
    QCOMPARE(expanded.error().message(), message);
    QCOMPARE(vars.expandForShell(text).error().message(), message);
}

void Test_recipe::missingValue() {
    RecipeVariables vars;
    vars.set(QStringLiteral("worktree"), QStringLiteral("/w"));
    QVERIFY(RecipeVariables::check("${result}/nixos.qcow2").ok());
    const auto r = vars.expand("${result}/nixos.qcow2");
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message(), QStringLiteral("${result} has no value yet"));
    QVERIFY(!vars.argv(CommandSpec::fromArgv({"cp", "${result}", "/tmp"})).ok());
}

void Test_recipe::referencedNames() {
    QCOMPARE(RecipeVariables::referencedNames("${commit} ${short} ${commit} $${repo} ${worktree"),
             QStringList({"commit", "short"}));
    QVERIFY(RecipeVariables::referencedNames("plain").isEmpty());
    QCOMPARE(RecipeVariables::knownNames().size(), 14);
}

void Test_recipe::environmentNames() {
    RecipeVariables vars;
    vars.set(QStringLiteral("commit"), QStringLiteral("abc"));
    vars.set(QStringLiteral("worktree"), QStringLiteral("/w"));
    vars.set(QStringLiteral("subject"), QStringLiteral("$(x)"));
    const QMap<QString, QString> env = vars.environment();
    QCOMPARE(env.size(), 3);
    QCOMPARE(env.value("BW_COMMIT"), QStringLiteral("abc"));
    QCOMPARE(env.value("BW_WORKTREE"), QStringLiteral("/w"));
    QCOMPARE(env.value("BW_SUBJECT"), QStringLiteral("$(x)"));
    QVERIFY(vars.has("commit"));
    QVERIFY(!vars.has("result"));
}

void Test_recipe::expandPath_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("folder");
    QTest::addColumn<QString>("path");
    const QString home = QDir::homePath();
    QTest::newRow("tilde") << "~"
                           << "/recipes" << home;
    QTest::newRow("tilde slash") << "~/.ssh/id_ed25519"
                                 << "/recipes" << home + "/.ssh/id_ed25519";
    QTest::newRow("relative") << "vm.xml"
                              << "/recipes/r1"
                              << "/recipes/r1/vm.xml";
    QTest::newRow("relative up") << "../vm.xml"
                                 << "/recipes/r1"
                                 << "/recipes/vm.xml";
    QTest::newRow("absolute") << "/var/lib/x.raw"
                              << "/recipes"
                              << "/var/lib/x.raw";
    QTest::newRow("variable") << "${worktree}/arch/x86/boot/bzImage"
                              << "/recipes"
                              << "/w/arch/x86/boot/bzImage";
    QTest::newRow("tilde not first") << "a/~/b"
                                     << "/r"
                                     << "/r/a/~/b";
    QTest::newRow("tilde user") << "~user/x"
                                << "/r"
                                << "/r/~user/x";
    QTest::newRow("empty stays empty") << ""
                                       << "/recipes"
                                       << "";
    QTest::newRow("no folder") << "vm.xml"
                               << ""
                               << "vm.xml";
}

void Test_recipe::expandPath() {
    QFETCH(QString, text);
    QFETCH(QString, folder);
    QFETCH(QString, path);
    RecipeVariables vars;
    vars.set(QStringLiteral("worktree"), QStringLiteral("/w"));
    const auto r = vars.expandPath(text, folder);
    QVERIFY(r.ok());
    QCOMPARE(*r, path);
}

void Test_recipe::argvForms() {
    RecipeVariables vars;
    QVERIFY(!vars.argv(CommandSpec()).ok());
    QVERIFY(!vars.argv(CommandSpec::fromArgv({})).ok());
    QVERIFY(!vars.argv(CommandSpec::fromArgv({"${nope}"})).ok());
    QCOMPARE(*vars.argv(CommandSpec::fromShell("exit 3")),
             QStringList({"/bin/sh", "-c", "exit 3"}));
    QVERIFY(!vars.expandPath("${subject}", "/r").ok());
}

QTEST_GUILESS_MAIN(Test_recipe)
#include "tst_recipe.moc"
