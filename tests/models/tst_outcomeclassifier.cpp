#include "models/OutcomeClassifier.h"

#include <QTest>

using namespace bw;

namespace {

StageResult stage(StageKind kind, StageOutcome outcome, std::optional<int> exit = std::nullopt) {
    StageResult r;
    r.stage = kind;
    r.outcome = outcome;
    r.exitCode = exit;
    if (exit)
        r.message = QStringLiteral("exit %1").arg(*exit);
    return r;
}

StepRecord step(std::vector<StageResult> stages) {
    StepRecord s;
    s.stages = std::move(stages);
    return s;
}

const StageResult checkoutOk = stage(StageKind::Checkout, StageOutcome::Passed);
const StageResult buildOk = stage(StageKind::Build, StageOutcome::Passed, 0);

ClassifyRule rule(StageKind stage, OutcomeMatch::Kind outcome, Verdict verdict, int line,
                  QString pattern = {}, std::optional<LogKind> log = std::nullopt) {
    ClassifyRule r;
    r.stage = stage;
    r.outcome.kind = outcome;
    r.verdict = verdict;
    r.line = line;
    r.pattern = std::move(pattern);
    r.log = log;
    return r;
}

} // namespace

class TestOutcomeClassifier : public QObject {
    Q_OBJECT

private slots:
    void defaults_data() {
        QTest::addColumn<int>("buildOutcome"); // -1: no build stage
        QTest::addColumn<int>("testOutcome");  // -1: no test stage
        QTest::addColumn<int>("verdict");
        QTest::newRow("all passed")
            << int(StageOutcome::Passed) << int(StageOutcome::Passed) << int(Verdict::Good);
        QTest::newRow("test failed")
            << int(StageOutcome::Passed) << int(StageOutcome::Failed) << int(Verdict::Bad);
        QTest::newRow("test timed out")
            << int(StageOutcome::Passed) << int(StageOutcome::Timeout) << int(Verdict::Bad);
        QTest::newRow("build failed") << int(StageOutcome::Failed) << -1 << int(Verdict::Skip);
        QTest::newRow("build timed out") << int(StageOutcome::Timeout) << -1 << int(Verdict::Skip);
        QTest::newRow("build infrastructure error")
            << int(StageOutcome::Error) << -1 << int(Verdict::Retry);
        QTest::newRow("test infrastructure error")
            << int(StageOutcome::Passed) << int(StageOutcome::Error) << int(Verdict::Retry);
        QTest::newRow("cancelled is never a verdict")
            << int(StageOutcome::Passed) << int(StageOutcome::Cancelled) << int(Verdict::Retry);
    }
    void defaults() {
        QFETCH(int, buildOutcome);
        QFETCH(int, testOutcome);
        QFETCH(int, verdict);
        std::vector<StageResult> stages{checkoutOk};
        stages.push_back(stage(StageKind::Build, StageOutcome(buildOutcome), 0));
        if (testOutcome >= 0)
            stages.push_back(stage(StageKind::Test, StageOutcome(testOutcome), 1));
        const OutcomeClassifier c({}, TestKind::Command);
        const Classification got = c.classify(step(stages), {});
        QCOMPARE(int(got.verdict), verdict);
        QVERIFY(!got.reason.isEmpty());
        QCOMPARE(got.ruleLine, 0);
    }

    void deployAndWaitFailuresSkip() {
        const OutcomeClassifier c({}, TestKind::Command);
        for (StageKind k : {StageKind::Deploy, StageKind::Wait})
            for (StageOutcome o : {StageOutcome::Failed, StageOutcome::Timeout}) {
                const auto got = c.classify(step({checkoutOk, buildOk, stage(k, o)}), {});
                QCOMPARE(got.verdict, Verdict::Skip);
            }
    }

    void checkoutFailureRetries() {
        const OutcomeClassifier c({}, TestKind::Command);
        const auto got = c.classify(step({stage(StageKind::Checkout, StageOutcome::Error)}), {});
        QCOMPARE(got.verdict, Verdict::Retry);
    }

    void scriptCodes_data() {
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("verdict");
        QTest::addColumn<bool>("goodCheck");
        QTest::newRow("0") << 0 << int(Verdict::Good) << false;
        QTest::newRow("1") << 1 << int(Verdict::Bad) << false;
        QTest::newRow("124") << 124 << int(Verdict::Bad) << false;
        QTest::newRow("125") << 125 << int(Verdict::Skip) << false;
        QTest::newRow("126") << 126 << int(Verdict::Bad) << true;
        QTest::newRow("127") << 127 << int(Verdict::Bad) << true;
        QTest::newRow("128") << 128 << int(Verdict::Abort) << false;
        QTest::newRow("200") << 200 << int(Verdict::Abort) << false;
        QTest::newRow("255") << 255 << int(Verdict::Abort) << false;
    }
    void scriptCodes() {
        QFETCH(int, code);
        QFETCH(int, verdict);
        QFETCH(bool, goodCheck);
        const OutcomeClassifier c({}, TestKind::Script);
        const auto got = c.classify(
            step({checkoutOk, stage(StageKind::Test,
                                    code ? StageOutcome::Failed : StageOutcome::Passed, code)}),
            {});
        QCOMPARE(int(got.verdict), verdict);
        QCOMPARE(got.needsGoodCheck, goodCheck);
        if (verdict == int(Verdict::Abort))
            QVERIFY2(got.reason.contains(QString::number(code)), qPrintable(got.reason));
    }

    void scriptKilledBySignalAborts() {
        StageResult t = stage(StageKind::Test, StageOutcome::Failed);
        t.signal = 9;
        t.message = QStringLiteral("killed by signal 9 (SIGKILL)");
        const OutcomeClassifier c({}, TestKind::Script);
        QCOMPARE(c.classify(step({checkoutOk, t}), {}).verdict, Verdict::Abort);
    }

    void iterationReason() {
        StageResult t = stage(StageKind::Test, StageOutcome::Timeout);
        t.iteration = 3;
        t.iterations = 15;
        t.timeoutMs = 180000;
        const OutcomeClassifier c({}, TestKind::Command);
        const auto got = c.classify(step({checkoutOk, buildOk, t}), {});
        QCOMPARE(got.verdict, Verdict::Bad);
        QCOMPARE(got.reason, QStringLiteral("test iteration 3/15 timed out after 3m"));

        StageResult passed = stage(StageKind::Test, StageOutcome::Passed, 0);
        passed.iteration = passed.iterations = 15;
        QCOMPARE(c.classify(step({checkoutOk, buildOk, passed}), {}).reason,
                 QStringLiteral("test passed all 15 iterations"));
    }

    void userRulesComeFirstInOrder() {
        // The user's rules win over the defaults, and the first match wins.
        std::vector<ClassifyRule> rules{
            rule(StageKind::Build, OutcomeMatch::Kind::Failed, Verdict::Bad, 10),
            rule(StageKind::Build, OutcomeMatch::Kind::Any, Verdict::Abort, 15),
        };
        const OutcomeClassifier c(rules, TestKind::Command);
        const auto got =
            c.classify(step({checkoutOk, stage(StageKind::Build, StageOutcome::Failed, 2)}), {});
        QCOMPARE(got.verdict, Verdict::Bad);
        QCOMPARE(got.ruleLine, 10);
        QVERIFY2(got.reason.contains(QStringLiteral("line 10")), qPrintable(got.reason));
        // A timeout does not match "failed": the second rule takes it.
        QCOMPARE(c.classify(step({checkoutOk, stage(StageKind::Build, StageOutcome::Timeout)}), {})
                     .ruleLine,
                 15);
        // A rule for another stage does not apply; the defaults do.
        const auto passed = c.classify(
            step({checkoutOk, buildOk, stage(StageKind::Test, StageOutcome::Passed, 0)}), {});
        QCOMPARE(passed.verdict, Verdict::Good);
        QCOMPARE(passed.ruleLine, 0);
    }

    void exitRanges() {
        ClassifyRule r = rule(StageKind::Test, OutcomeMatch::Kind::Exit, Verdict::Skip, 3);
        r.outcome.exitLow = 2;
        r.outcome.exitHigh = 4;
        const OutcomeClassifier c({r}, TestKind::Command);
        for (int code : {1, 2, 3, 4, 5}) {
            const auto got = c.classify(
                step({checkoutOk, buildOk, stage(StageKind::Test, StageOutcome::Failed, code)}),
                {});
            QCOMPARE(got.verdict, code >= 2 && code <= 4 ? Verdict::Skip : Verdict::Bad);
        }
        // A timeout has no exit code, so no exit rule matches it.
        QCOMPARE(
            c.classify(step({checkoutOk, buildOk, stage(StageKind::Test, StageOutcome::Timeout)}),
                       {})
                .verdict,
            Verdict::Bad);
    }

    void logPatterns() {
        // A panic on the console during a passing test makes the commit bad; the log is
        // read only for rules that need it.
        std::vector<ClassifyRule> rules{rule(StageKind::Test, OutcomeMatch::Kind::Any, Verdict::Bad,
                                             7, QStringLiteral("Kernel panic|BUG:"),
                                             LogKind::Console)};
        const OutcomeClassifier c(rules, TestKind::Command);
        int reads = 0;
        QString console = QStringLiteral("booting\n[  1.0] BUG: unable to handle page fault\nok\n");
        auto logs = [&](LogKind k) {
            ++reads;
            return k == LogKind::Console ? console : QString();
        };
        const auto got = c.classify(
            step({checkoutOk, buildOk, stage(StageKind::Test, StageOutcome::Passed, 0)}), logs);
        QCOMPARE(got.verdict, Verdict::Bad);
        QVERIFY2(got.reason.contains(QStringLiteral("BUG: unable to handle page fault")),
                 qPrintable(got.reason));
        QCOMPARE(reads, 1);

        console = QStringLiteral("all quiet\n");
        QCOMPARE(
            c.classify(step({checkoutOk, buildOk, stage(StageKind::Test, StageOutcome::Passed, 0)}),
                       logs)
                .verdict,
            Verdict::Good);
    }

    void patternWithoutLogUsesTheStagesLog() {
        std::vector<ClassifyRule> rules{rule(StageKind::Build, OutcomeMatch::Kind::Failed,
                                             Verdict::Abort, 4,
                                             QStringLiteral("No space left on device"))};
        const OutcomeClassifier c(rules, TestKind::Command);
        LogKind asked = LogKind::Pipeline;
        const auto got = c.classify(
            step({checkoutOk, stage(StageKind::Build, StageOutcome::Failed, 2)}), [&](LogKind k) {
                asked = k;
                return QStringLiteral("cc1: fatal: No space left on device\n");
            });
        QCOMPARE(asked, LogKind::Build);
        QCOMPARE(got.verdict, Verdict::Abort);
    }

    void decidingStage() {
        StepRecord s = step({checkoutOk, stage(StageKind::Build, StageOutcome::Failed, 1)});
        QCOMPARE(s.decidingStage()->stage, StageKind::Build);
        s = step({checkoutOk, buildOk});
        QCOMPARE(s.decidingStage()->stage, StageKind::Build);
        QVERIFY(!step({}).decidingStage());
        QCOMPARE(OutcomeClassifier({}, TestKind::Command).classify(step({}), {}).verdict,
                 Verdict::Retry);
    }
};

QTEST_GUILESS_MAIN(TestOutcomeClassifier)
#include "tst_outcomeclassifier.moc"
