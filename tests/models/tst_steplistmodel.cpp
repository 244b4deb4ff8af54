// The steps timeline's model: live rows from the orchestrator's signals, final records,
// retries as their own rows, overrides shown on every row of the commit; checked by
// QAbstractItemModelTester throughout.

#include "models/StepListModel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace bw;

namespace {

Oid oid(char c) {
    return *Oid::fromHex(QString(40, QLatin1Char(c)));
}

StepRecord finished(int number, char commit, Verdict verdict, const QString &reason,
                    int attempt = 1) {
    StepRecord s;
    s.number = number;
    s.attempt = attempt;
    s.commit = oid(commit);
    s.subject = QStringLiteral("subject %1").arg(QLatin1Char(commit));
    s.startedMs = 1000;
    s.finishedMs = 1000 + 90000;
    StageResult build;
    build.stage = StageKind::Build;
    build.durationMs = 60000;
    StageResult test;
    test.stage = StageKind::Test;
    test.durationMs = 30000;
    test.outcome = verdict == Verdict::Bad ? StageOutcome::Failed : StageOutcome::Passed;
    s.stages = {build, test};
    s.classification.verdict = verdict;
    s.classification.reason = reason;
    return s;
}

QString cell(const StepListModel &m, int row, StepListModel::Column c) {
    return m.data(m.index(row, static_cast<int>(c)), Qt::DisplayRole).toString();
}

} // namespace

class TestStepListModel : public QObject {
    Q_OBJECT
private slots:
    void liveRowsBecomeFinalRecords() {
        StepListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.stepStarted(1, oid('a'), QStringLiteral("subject a"), StepPurpose::Bisect);
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.rowOfRunning(), 0);
        QCOMPARE(cell(m, 0, StepListModel::Column::Verdict), QStringLiteral("running"));
        m.stageStarted(1, StageKind::Build);
        QVERIFY(cell(m, 0, StepListModel::Column::Stages).contains(QStringLiteral("build…")));
        StageResult b;
        b.stage = StageKind::Build;
        b.durationMs = 60000;
        m.stageFinished(1, b);
        QCOMPARE(cell(m, 0, StepListModel::Column::Stages), QStringLiteral("build 1m"));
        m.stepFinished(finished(1, 'a', Verdict::Bad, QStringLiteral("test exited 1")));
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.rowOfRunning(), -1);
        QCOMPARE(cell(m, 0, StepListModel::Column::Verdict), QStringLiteral("bad"));
        QCOMPARE(cell(m, 0, StepListModel::Column::Reason), QStringLiteral("test exited 1"));
        QCOMPARE(cell(m, 0, StepListModel::Column::Duration), QStringLiteral("90s"));
        QCOMPARE(cell(m, 0, StepListModel::Column::Stages),
                 QStringLiteral("build 1m · test 30s (failed)"));
        QCOMPARE(m.data(m.index(0, 0), StepListModel::VerdictRole).toInt(),
                 static_cast<int>(Verdict::Bad));
        QCOMPARE(
            m.data(m.index(0, static_cast<int>(StepListModel::Column::Verdict)), Qt::ForegroundRole)
                .value<QColor>(),
            StepListModel::verdictColor(Verdict::Bad));
    }

    void retriesGetTheirOwnRowsAndOverridesMarkEveryRow() {
        StepListModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setSteps({finished(1, 'a', Verdict::Good, QStringLiteral("ok"))});
        m.stepStarted(2, oid('b'), QStringLiteral("subject b"), StepPurpose::Bisect);
        m.stepFinished(finished(2, 'b', Verdict::Retry, QStringLiteral("libvirtd down")));
        m.stepStarted(2, oid('b'), QStringLiteral("subject b"), StepPurpose::Bisect);
        QCOMPARE(m.rowCount(), 3);
        m.stepFinished(finished(2, 'b', Verdict::Skip, QStringLiteral("build failed"), 2));
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(cell(m, 1, StepListModel::Column::Verdict), QStringLiteral("retry"));
        QCOMPARE(cell(m, 2, StepListModel::Column::Number), QStringLiteral("2 (try 2)"));
        QSignalSpy changed(&m, &QAbstractItemModel::dataChanged);
        m.setOverride(oid('b'), QStringLiteral("skip → bad (known build break)"));
        QCOMPARE(changed.size(), 2);
        QVERIFY(
            cell(m, 2, StepListModel::Column::Verdict).endsWith(QStringLiteral("(overridden)")));
        QVERIFY(cell(m, 2, StepListModel::Column::Reason)
                    .contains(QStringLiteral("known build break")));
        QVERIFY(!cell(m, 0, StepListModel::Column::Verdict).contains(QStringLiteral("overridden")));
        QCOMPARE(m.finishedSteps().size(), std::size_t(3));
    }

    void aCancelledStepHasNoVerdict() {
        StepListModel m;
        m.stepStarted(1, oid('c'), QStringLiteral("subject c"), StepPurpose::Confirm);
        StepRecord s = finished(1, 'c', Verdict::Skip, {});
        s.purpose = StepPurpose::Confirm;
        s.stages.back().outcome = StageOutcome::Cancelled;
        m.stepFinished(s);
        QCOMPARE(cell(m, 0, StepListModel::Column::Verdict), QStringLiteral("cancelled"));
        QCOMPARE(m.data(m.index(0, 0), StepListModel::VerdictRole).toInt(), -1);
        QVERIFY(
            cell(m, 0, StepListModel::Column::Commit).contains(QStringLiteral("[confirmation]")));
    }
};

QTEST_GUILESS_MAIN(TestStepListModel)
#include "tst_steplistmodel.moc"
