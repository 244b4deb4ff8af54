// LogInspectorDialog offscreen: a log written by git, opened with and without its
// repository; the slider publishes each replayed state for the graph.

#include "ui/LogInspectorDialog.h"

#include "services/git/BisectLogInspection.h"
#include "tests/support/TestRepo.h"

#include <QLabel>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {} // namespace

class TestLogInspectorDialog : public QObject {
    Q_OBJECT

    TestRepo m_repo;
    QString m_logPath;
    QStringList m_gitTexts; // what git printed after start and after each mark
    QStringList m_subjects; // the subjects of the marked commits, in log order
    int m_steps = 0;

    static QString selection(const QByteArray &out) {
        static const QRegularExpression re(
            QStringLiteral("^Bisecting: .*\\n\\[[0-9a-f]{40}\\] .*$"),
            QRegularExpression::MultilineOption);
        return re.match(QString::fromUtf8(out)).captured(0);
    }

private slots:
    void initTestCase() {
        QVERIFY(m_repo.isValid());
        for (int i = 0; i < 40; ++i)
            QVERIFY(!m_repo.commit(QStringLiteral("c%1").arg(i)).isEmpty());
        RunResult r = m_repo.git({QStringLiteral("bisect"), QStringLiteral("start"),
                                  QStringLiteral("c39"), QStringLiteral("c0")});
        QCOMPARE(r.exitCode, 0);
        m_gitTexts << selection(r.out);
        m_subjects << QStringLiteral("c39") << QStringLiteral("c0");
        // The first bad commit is c25: three marks, each following git's choice.
        for (int i = 0; i < 3; ++i) {
            const QString head = m_repo.gitOut(
                {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%s")});
            const bool bad = head.mid(1).toInt() >= 25;
            r = m_repo.git(
                {QStringLiteral("bisect"), bad ? QStringLiteral("bad") : QStringLiteral("good")});
            QCOMPARE(r.exitCode, 0);
            m_gitTexts << selection(r.out);
            m_subjects << head;
        }
        for (const QString &t : m_gitTexts)
            QVERIFY2(t.startsWith(QStringLiteral("Bisecting: ")), qPrintable(t));
        m_steps = 5;
        m_logPath = m_repo.path() + QStringLiteral("/.git/session.log");
        QVERIFY(writeFile(m_logPath,
                          m_repo.git({QStringLiteral("bisect"), QStringLiteral("log")}).out));
        QCOMPARE(m_repo.git({QStringLiteral("bisect"), QStringLiteral("reset")}).exitCode, 0);
    }

    void replaysWithTheRepository() {
        LogInspectorDialog dialog;
        dialog.show();
        QSignalSpy finished(&dialog, &LogInspectorDialog::inspectionFinished);
        QSignalSpy annotations(&dialog, &LogInspectorDialog::stepAnnotations);
        QSignalSpy graph(&dialog, &LogInspectorDialog::graphReady);
        QVERIFY(dialog.openLog(m_logPath, m_repo.path()));
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("logStepsTable"));
        auto *slider = dialog.findChild<QSlider *>(QStringLiteral("stepSlider"));
        auto *spin = dialog.findChild<QSpinBox *>(QStringLiteral("stepSpinBox"));
        auto *text = dialog.findChild<QLabel *>(QStringLiteral("stepTextLabel"));
        auto *needsRepo = dialog.findChild<QLabel *>(QStringLiteral("needsRepositoryLabel"));
        QVERIFY(table && slider && spin && text && needsRepo);
        QCOMPARE(table->rowCount(), m_steps); // filled before the replay is done

        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().toBool(), true);
        QVERIFY(!needsRepo->isVisible());
        QVERIFY(dialog.hasReplay());
        QCOMPARE(slider->maximum(), m_steps);
        QCOMPARE(slider->value(), m_steps);
        QVERIFY(slider->isEnabled());
        for (int row = 0; row < m_steps; ++row) {
            QCOMPARE(table->item(row, 3)->text(), m_subjects[row]);
            QCOMPARE(table->item(row, 2)->text().size(), 12);
        }
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("bad"));
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("good"));
        QVERIFY(table->item(0, 1)->foreground().color() != table->item(1, 1)->foreground().color());
        // The last state was shown and published on arrival.
        QCOMPARE(annotations.count(), 1);
        QCOMPARE(text->text() + u'\n', m_gitTexts.last() + u'\n');

        // Each step after start: git's own text, and the commit git chose is under test.
        const git::LogInspection *in = dialog.inspection();
        QVERIFY(in);
        QCOMPARE(graph.count(), 1);
        const auto dag = graph.first().first().value<std::shared_ptr<const CommitDag>>();
        QCOMPARE(dag.get(), in->dag.get());
        QCOMPARE(dag->size(), 40);
        for (int step = 2; step <= m_steps; ++step) {
            annotations.clear();
            slider->setValue(step == m_steps ? 2 : step); // always a change
            if (step == m_steps)
                slider->setValue(step);
            QVERIFY(annotations.count() >= 1);
            const auto args = annotations.last();
            const auto states = args.at(0).value<BisectAnnotations>();
            const auto focus = args.at(1).value<Oid>();
            QCOMPARE(spin->value(), step);
            QCOMPARE(text->text(), m_gitTexts[step - 2]);
            QVERIFY(m_gitTexts[step - 2].contains(focus.toString()));
            const CommitDag::Id id = in->dag->find(focus);
            QVERIFY(id != CommitDag::None);
            QVERIFY(states.states(id).testFlag(CommitState::UnderTest));
            QVERIFY(states.states(id).testFlag(CommitState::Candidate));
            QVERIFY(states.hasRange());
            QCOMPARE(table->currentRow(), step - 1);
        }

        // Step 0: nothing marked yet, nothing under test; the spin box drives the slider.
        annotations.clear();
        spin->setValue(0);
        QCOMPARE(slider->value(), 0);
        QCOMPARE(annotations.count(), 1);
        QVERIFY(annotations.last().at(1).value<Oid>().isNull());
        QCOMPARE(text->text(), QStringLiteral("status: waiting for both good and bad commits"));
    }

    void tableWithoutTheRepository() {
        LogInspectorDialog dialog;
        dialog.show();
        QSignalSpy annotations(&dialog, &LogInspectorDialog::stepAnnotations);
        QVERIFY(dialog.openLog(m_logPath, QString()));
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("logStepsTable"));
        auto *needsRepo = dialog.findChild<QLabel *>(QStringLiteral("needsRepositoryLabel"));
        auto *slider = dialog.findChild<QSlider *>(QStringLiteral("stepSlider"));
        QVERIFY(table && needsRepo && slider);
        QVERIFY(needsRepo->isVisible());
        QVERIFY(needsRepo->text().startsWith(QStringLiteral("The graph needs the repository")));
        QCOMPARE(table->rowCount(), m_steps);
        // Subjects and shas from the log's own comment lines.
        for (int row = 0; row < m_steps; ++row) {
            QCOMPARE(table->item(row, 3)->text(), m_subjects[row]);
            QCOMPARE(table->item(row, 2)->text().size(), 12);
        }
        QVERIFY(!slider->isEnabled());
        QVERIFY(!dialog.hasReplay());
        QCOMPARE(annotations.count(), 0);
    }

    // A repository that lacks the log's commits: the table stays, the reason is shown.
    void foreignRepository() {
        TestRepo other;
        other.commit(QStringLiteral("unrelated"));
        LogInspectorDialog dialog;
        dialog.show();
        QSignalSpy finished(&dialog, &LogInspectorDialog::inspectionFinished);
        QVERIFY(dialog.openLog(m_logPath, other.path()));
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().toBool(), false);
        auto *needsRepo = dialog.findChild<QLabel *>(QStringLiteral("needsRepositoryLabel"));
        auto *table = dialog.findChild<QTableWidget *>(QStringLiteral("logStepsTable"));
        QVERIFY(needsRepo->isVisible());
        QVERIFY2(needsRepo->text().contains(QStringLiteral("unknown commit")),
                 qPrintable(needsRepo->text()));
        QCOMPARE(table->rowCount(), m_steps);
        QVERIFY(!dialog.hasReplay());
    }

    void unreadableAndInvalidLogs() {
        LogInspectorDialog dialog;
        dialog.show();
        auto *error = dialog.findChild<QLabel *>(QStringLiteral("logErrorLabel"));
        QVERIFY(error);
        QVERIFY(!dialog.openLog(m_repo.path() + QStringLiteral("/missing.log"), m_repo.path()));
        QVERIFY(error->isVisible());
        QVERIFY(error->text().contains(QStringLiteral("missing.log")));

        const QString junk = m_repo.path() + QStringLiteral("/.git/junk.log");
        QVERIFY(writeFile(junk, "hello\n"));
        QVERIFY(!dialog.openLog(junk, QString()));
        QVERIFY(error->text().contains(QStringLiteral("no 'git bisect start'")));

        // A good log afterwards clears the error.
        QVERIFY(dialog.openLog(m_logPath, QString()));
        QVERIFY(!error->isVisible());
    }
};

QTEST_MAIN(TestLogInspectorDialog)
#include "tst_loginspectordialog.moc"
