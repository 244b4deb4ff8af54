// The export dialog, the session list (and its model) and the run charts, against real
// sessions made by the workbench binary (`run` on a generated repository).
// With BW_SCREENSHOT_DIR set, screenshots of each in a light and a dark palette.

#include "services/pipeline/SessionDirectory.h"
#include "tests/support/TestRepo.h"
#include "ui/ExportDialog.h"
#include "ui/RunCharts.h"
#include "ui/SessionListDialog.h"
#include "ui/SessionListModel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QStyleFactory>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

Q_DECLARE_METATYPE(bw::ExportFormat)

using bw::ExportDialog;
using bw::ExportFormat;
using bw::RunCharts;
using bw::SessionListDialog;
using bw::SessionListModel;
using bw::test::TestRepo;

namespace {

QByteArray readAll(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1e, 0x1f, 0x22), text(0xdf, 0xe1, 0xe5);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x28, 0x2b));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x3c, 0x3f, 0x41));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8b, 0xfd));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8c, 0x8f, 0x94));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x50));
    p.setColor(QPalette::Midlight, QColor(0x3f, 0x42, 0x45));
    p.setColor(QPalette::Mid, QColor(0x33, 0x35, 0x38));
    p.setColor(QPalette::Dark, QColor(0x1a, 0x1b, 0x1d));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x70, 0x73, 0x78));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x70, 0x73, 0x78));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x70, 0x73, 0x78));
    return p;
}

// A bisect of a real length, for the charts: stage times in minutes, a 60,000-commit range.
std::vector<bw::StepRecord> syntheticSteps(int count) {
    std::vector<bw::StepRecord> steps;
    for (int i = 1; i <= count; ++i) {
        bw::StepRecord s;
        s.number = i;
        auto stage = [&s](bw::StageKind kind, qint64 ms) {
            bw::StageResult r;
            r.stage = kind;
            r.durationMs = ms;
            s.stages.push_back(r);
        };
        stage(bw::StageKind::Checkout, 4000 + 900 * (i % 3));
        stage(bw::StageKind::Build, (i == 1 ? 38 : 6 + (i * 7) % 11) * 60000);
        stage(bw::StageKind::Deploy, 70000);
        stage(bw::StageKind::Wait, 35000 + 5000 * (i % 4));
        stage(bw::StageKind::Test, (i % 2 ? 45 : 9) * 60000);
        steps.push_back(s);
    }
    return steps;
}

} // namespace

class TestReporting : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;
    std::unique_ptr<TestRepo> m_repo;
    QString m_root;    // the sessions directory
    QString m_session; // a finished session
    QString m_short;   // a finished session over a shorter range
    QString m_culprit;
    int m_steps = 0;
    QString m_shots;
    QTemporaryDir m_shotScratch;

    void shoot(QWidget *w, const QString &name) {
        if (m_shots.isEmpty())
            return;
        QVERIFY(QDir().mkpath(m_shots));
        const QString path = m_shots + u'/' + name + QStringLiteral(".png");
        QVERIFY2(w->grab().save(path), qPrintable(path));
        qInfo("screenshot: %s", qPrintable(path));
    }

    // Switches the application palette and waits until `w` shows it.
    static bool usePalette(QWidget *w, const QPalette &p) {
        QApplication::setPalette(p);
        return QTest::qWaitFor(
            [&] { return w->palette().color(QPalette::Window) == p.color(QPalette::Window); },
            5000);
    }

    static void commitFiles(TestRepo &repo, const QString &name, bool bug) {
        repo.writeFile(QStringLiteral("f-") + name, name.toUtf8());
        if (bug)
            repo.writeFile(QStringLiteral("bug"), "1\n");
        repo.git({QStringLiteral("add"), QStringLiteral("-A")});
        repo.commit(name);
    }

    QString runSession(const QString &name, const QString &recipe, const QString &good,
                       bool mustSucceed = true) {
        const QString dir = m_root + u'/' + name;
        const auto r =
            m_repo->workbench({QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                               QStringLiteral("--bad"), QStringLiteral("m23"),
                               QStringLiteral("--good"), good, QStringLiteral("--session"), dir});
        m_repo->git({QStringLiteral("bisect"), QStringLiteral("reset")});
        if (mustSucceed && r.exitCode != 0)
            qWarning("run failed: %s %s", r.out.constData(), r.err.constData());
        return (mustSucceed && r.exitCode != 0) ? QString() : dir;
    }

private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
        QVERIFY(m_scratch.isValid());
        m_shots = qEnvironmentVariable("BW_SCREENSHOT_DIR");
        if (m_shots.isEmpty()) // rendered and saved all the same, into the scratch directory
            m_shots = m_shotScratch.path();
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QElapsedTimer t;
        t.start();
        m_repo = std::make_unique<TestRepo>();
        QVERIFY(m_repo->isValid());
        for (int i = 0; i < 24; ++i)
            commitFiles(*m_repo, QStringLiteral("m%1").arg(i), i == 13);
        m_culprit = m_repo->gitOut({QStringLiteral("rev-parse"), QStringLiteral("m13")});
        QVERIFY(!m_culprit.isEmpty());
        m_root = m_scratch.filePath(QStringLiteral("sessions"));
        QVERIFY(QDir().mkpath(m_root + QStringLiteral("/not-a-session")));

        const QString recipe = m_scratch.filePath(QStringLiteral("recipe.toml"));
        QVERIFY(bw::test::writeFile(recipe, "name = \"reporting test\"\n[test]\ncommand = "
                                            "[\"sh\", \"-c\", \"test ! -e bug\"]\n"));
        m_session =
            runSession(QStringLiteral("repo-20260101-120000"), recipe, QStringLiteral("m0"));
        QVERIFY(!m_session.isEmpty());
        m_short = runSession(QStringLiteral("repo-20260102-090000"), recipe, QStringLiteral("m10"));
        QVERIFY(!m_short.isEmpty());
        // A session that cannot run its test: it stops without a culprit.
        const QString broken = m_scratch.filePath(QStringLiteral("broken.toml"));
        QVERIFY(bw::test::writeFile(broken, "[test]\ncommand = [\"/nonexistent/run-test\"]\n"));
        runSession(QStringLiteral("repo-20260103-080000"), broken, QStringLiteral("m0"), false);

        auto dir = bw::pipeline::SessionDirectory::open(m_session);
        QVERIFY(dir);
        auto journal = dir->readJournal();
        QVERIFY(journal);
        m_steps = int(journal->size());
        QVERIFY(m_steps >= 4);
        qInfo("sessions made in %lld ms", qint64(t.elapsed()));
    }

    void sessionListShowsSessions() {
        SessionListDialog dialog(m_root);
        QSignalSpy loaded(&dialog, &SessionListDialog::loaded);
        QVERIFY(loaded.wait(20000));
        SessionListModel *model = dialog.model();
        QCOMPARE(model->rowCount(), 3); // not-a-session is not listed
        const int row = model->rowOf(m_session);
        QVERIFY(row >= 0);
        auto cell = [&](int column, int role = Qt::DisplayRole) {
            return model->index(row, column).data(role);
        };
        QCOMPARE(cell(SessionListModel::Status).toString(), QStringLiteral("finished"));
        QVERIFY2(cell(SessionListModel::Culprit).toString().startsWith(m_culprit.left(12)),
                 qPrintable(cell(SessionListModel::Culprit).toString()));
        QVERIFY(cell(SessionListModel::Culprit).toString().endsWith(QStringLiteral("m13")));
        QCOMPARE(cell(SessionListModel::Steps).toInt(), m_steps);
        QCOMPARE(cell(SessionListModel::Repository).toString(),
                 QFileInfo(m_repo->path()).fileName());
        QVERIFY(!cell(SessionListModel::Created).toString().isEmpty());
        QCOMPARE(cell(0, SessionListModel::DirRole).toString(), m_session);
        const int shortRow = model->rowOf(m_short);
        QVERIFY(model->index(shortRow, SessionListModel::Steps).data().toInt() < m_steps);

        // Sorted by steps, ascending: the shortest session first.
        dialog.view()->sortByColumn(SessionListModel::Steps, Qt::AscendingOrder);
        QCOMPARE(dialog.view()->model()->index(2, 0).data(SessionListModel::DirRole).toString(),
                 m_session);

        // Double-click reopens; so does the Reopen button.
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QSignalSpy reopen(&dialog, &SessionListDialog::reopenRequested);
        const QModelIndex shown = dialog.view()->model()->index(2, SessionListModel::Status);
        const QRect rect = dialog.view()->visualRect(shown);
        QTest::mouseClick(dialog.view()->viewport(), Qt::LeftButton, {}, rect.center());
        QTest::mouseDClick(dialog.view()->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(reopen.size(), 1);
        QCOMPARE(reopen.first().first().toString(), m_session);
        QCOMPARE(dialog.currentSessionDir(), m_session);
        dialog.findChild<QPushButton *>(QStringLiteral("reopenButton"))->click();
        QCOMPARE(reopen.size(), 2);
        QVERIFY(dialog.isVisible()); // Reopen asks; the window decides whether to close it

        // Import: a bisect log is passed on, anything else is refused in the status line.
        QSignalSpy import(&dialog, &SessionListDialog::importRequested);
        QVERIFY(dialog.importLog(m_session + QStringLiteral("/bisect.log")));
        QCOMPARE(import.size(), 1);
        QCOMPARE(import.first().first().toString(), m_session + QStringLiteral("/bisect.log"));
        const QString junk = m_scratch.filePath(QStringLiteral("junk.log"));
        QVERIFY(bw::test::writeFile(junk, "hello\nworld\n"));
        QVERIFY(!dialog.importLog(junk));
        QVERIFY(!dialog.importLog(m_scratch.filePath(QStringLiteral("missing.log"))));
        QCOMPARE(import.size(), 1);

        // Refresh reads again (a new session appears).
        dialog.refresh();
        QVERIFY(loaded.wait(20000));
        QCOMPARE(model->rowCount(), 3);
        QCOMPARE(dialog.currentSessionDir(), m_session); // the selection survives

        dialog.view()->sortByColumn(SessionListModel::Updated, Qt::DescendingOrder);
        dialog.selectSession(m_session);
        dialog.resize(980, 300);
        shoot(&dialog, QStringLiteral("sessions-light"));
        QVERIFY(usePalette(&dialog, darkPalette()));
        shoot(&dialog, QStringLiteral("sessions-dark"));
        QVERIFY(usePalette(&dialog, QApplication::style()->standardPalette()));
    }

    void sessionListModelPassesTester() {
        SessionListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        std::vector<bw::SessionSummary> sessions = bw::scanSessions(m_root);
        QCOMPARE(int(sessions.size()), 3);
        model.setSessions(sessions);
        QCOMPARE(model.rowCount(), 3);
        for (int r = 0; r < model.rowCount(); ++r)
            for (int c = 0; c < model.columnCount(); ++c)
                for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole),
                                 int(SessionListModel::SortRole), int(Qt::ForegroundRole)})
                    (void)model.index(r, c).data(role);
        model.setSessions({});
        QCOMPARE(model.rowCount(), 0);
        bw::SessionSummary unreadable;
        unreadable.dir = m_scratch.filePath(QStringLiteral("gone"));
        unreadable.error = QStringLiteral("no session here");
        model.setSessions({unreadable});
        QCOMPARE(model.index(0, SessionListModel::Status).data().toString(),
                 QStringLiteral("unreadable"));
        // An empty directory lists nothing.
        QVERIFY(bw::scanSessions(m_scratch.filePath(QStringLiteral("nowhere"))).empty());
    }

    void exportPreviewFollowsFormatAndOptions() {
        ExportDialog dialog(m_session);
        QSignalSpy preview(&dialog, &ExportDialog::previewUpdated);
        QVERIFY(preview.wait(30000));
        QVERIFY(dialog.isPreviewCurrent());
        QCOMPARE(dialog.format(), ExportFormat::Markdown);
        const QString markdown = dialog.previewText();
        QVERIFY2(markdown.contains(m_culprit), qPrintable(markdown.left(500)));
        QVERIFY(markdown.contains(QStringLiteral("#regzbot introduced: ") + m_culprit.left(12)));
        auto *text = dialog.findChild<QPlainTextEdit *>(QStringLiteral("previewText"));
        QVERIFY(text);
        QCOMPARE(text->toPlainText(), markdown);
        QVERIFY(dialog.findChild<QPushButton *>(QStringLiteral("copyButton"))->isEnabled());

        dialog.resize(900, 620);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        shoot(&dialog, QStringLiteral("export-markdown-light"));
        QVERIFY(usePalette(&dialog, darkPalette()));
        shoot(&dialog, QStringLiteral("export-markdown-dark"));
        QVERIFY(usePalette(&dialog, QApplication::style()->standardPalette()));

        // JSON through the combo box, as a user would pick it.
        auto *combo = dialog.findChild<QComboBox *>(QStringLiteral("formatCombo"));
        combo->setCurrentIndex(combo->findData(int(ExportFormat::Json)));
        QVERIFY(preview.wait(30000));
        QCOMPARE(dialog.format(), ExportFormat::Json);
        const QString json = dialog.previewText();
        QVERIFY(json != markdown);
        const QJsonObject doc = QJsonDocument::fromJson(json.toUtf8()).object();
        QCOMPARE(doc.value(u"schema").toString(), QStringLiteral("bisect-workbench-report"));
        QVERIFY(json.contains(m_culprit));
        QCOMPARE(text->toPlainText(), json);

        // Redaction: with the home directory above the session, every path under it
        // becomes ~/… in the preview.
        const QByteArray oldHome = qgetenv("HOME");
        const QString home = QFileInfo(m_scratch.path()).absolutePath();
        qputenv("HOME", home.toUtf8());
        QVERIFY(json.contains(m_scratch.path()) || json.contains(m_repo->path()));
        dialog.setRedactHome(true);
        QVERIFY(preview.wait(30000));
        const QString redacted = dialog.previewText();
        QVERIFY2(!redacted.contains(home + u'/'), qPrintable(redacted.left(2000)));
        QVERIFY(redacted.contains(QStringLiteral("~/") + QFileInfo(m_scratch.path()).fileName()));
        QVERIFY(QJsonDocument::fromJson(redacted.toUtf8()).isObject());
        qputenv("HOME", oldHome);
        dialog.setRedactHome(false);
        QVERIFY(preview.wait(30000));

        dialog.setFormat(ExportFormat::BisectLog);
        QVERIFY(preview.wait(30000));
        QVERIFY2(dialog.previewText().contains(QStringLiteral("\ngit bisect start ")),
                 qPrintable(dialog.previewText()));
        QCOMPARE(dialog.previewText(), QString::fromUtf8(readAll(m_session + "/bisect.log")));

        dialog.setFormat(ExportFormat::Pdf);
        QVERIFY(preview.wait(30000));
        QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("copyButton"))->isEnabled());
        shoot(&dialog, QStringLiteral("export-pdf-light"));
        QVERIFY(usePalette(&dialog, darkPalette()));
        shoot(&dialog, QStringLiteral("export-pdf-dark"));
        QVERIFY(usePalette(&dialog, QApplication::style()->standardPalette()));
        dialog.setFormat(ExportFormat::Html);
        QVERIFY(preview.wait(30000));
        QVERIFY(dialog.previewText().contains(QStringLiteral("<html")));
    }

    void redactionIsExact() {
        using bw::exporting::redactHome;
        QCOMPARE(redactHome(QStringLiteral("/home/ann/src and /home/ann"), "/home/ann"),
                 QStringLiteral("~/src and ~"));
        QCOMPARE(redactHome(QStringLiteral("/home/anna/src \"/home/ann\""), "/home/ann"),
                 QStringLiteral("/home/anna/src \"~\""));
        QCOMPARE(redactHome(QStringLiteral("/x"), "/"), QStringLiteral("/x"));
    }

    void exportWritesEveryFormat_data() {
        QTest::addColumn<ExportFormat>("format");
        QTest::addColumn<QByteArray>("start");
        QTest::newRow("md") << ExportFormat::Markdown << QByteArray("# ");
        QTest::newRow("html") << ExportFormat::Html << QByteArray("<!DOCTYPE html>");
        QTest::newRow("pdf") << ExportFormat::Pdf << QByteArray("%PDF");
        QTest::newRow("json") << ExportFormat::Json << QByteArray("{");
        QTest::newRow("log") << ExportFormat::BisectLog << QByteArray("# bad: [");
    }
    void exportWritesEveryFormat() {
        QFETCH(ExportFormat, format);
        QFETCH(QByteArray, start);
        // Straight after construction: the export waits for the report itself.
        ExportDialog dialog(m_session);
        dialog.setFormat(format);
        QSignalSpy exported(&dialog, &ExportDialog::exported);
        const QString path =
            m_scratch.filePath(QStringLiteral("report.") + bw::exporting::fileSuffix(format));
        QFuture<bw::ExportResult> f = dialog.exportTo(path);
        QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 60000);
        QVERIFY2(f.result().ok(), qPrintable(f.result().error));
        QTRY_COMPARE(exported.size(), 1);
        const QByteArray bytes = readAll(path);
        QVERIFY2(bytes.startsWith(start), bytes.left(80).constData());
        if (format != ExportFormat::Pdf && format != ExportFormat::BisectLog)
            QVERIFY(bytes.contains(m_culprit.toUtf8()));
        if (format == ExportFormat::BisectLog)
            QVERIFY(bytes.contains("\ngit bisect bad " + m_culprit.toUtf8() + '\n'));
        if (format == ExportFormat::Markdown)
            QVERIFY(bytes.contains("#regzbot introduced: " + m_culprit.left(12).toUtf8()));
        // A path that cannot be written: an error, no crash.
        QSignalSpy failed(&dialog, &ExportDialog::exportFailed);
        QFuture<bw::ExportResult> bad = dialog.exportTo(m_scratch.filePath(
            QStringLiteral("missing-dir/x.") + bw::exporting::fileSuffix(format)));
        QTRY_VERIFY_WITH_TIMEOUT(bad.isFinished(), 60000);
        QVERIFY(!bad.result().ok());
        QTRY_COMPARE(failed.size(), 1);
    }

    void exportOfAMissingSessionSaysSo() {
        ExportDialog dialog(m_scratch.filePath(QStringLiteral("no-such-session")));
        QSignalSpy loaded(&dialog, &ExportDialog::reportLoaded);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(loaded.first().first().toBool(), false);
        QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("saveButton"))->isEnabled());
        QFuture<bw::ExportResult> f = dialog.exportTo(m_scratch.filePath(QStringLiteral("x.md")));
        QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 20000);
        QVERIFY(!f.result().ok());
    }

    void runChartsFromASession() {
        auto dir = bw::pipeline::SessionDirectory::open(m_session);
        QVERIFY(dir);
        auto journal = dir->readJournal();
        QVERIFY(journal);
        std::vector<bw::StepRecord> steps;
        for (const auto &e : *journal)
            steps.push_back(e.step);

        RunCharts charts;
        charts.setSteps(steps);
        QVector<QPointF> remaining{{0, 24}, {1, 12}, {2, 6}, {3, 3}, {4, 1}};
        charts.setRemaining(remaining);

        auto *line = qobject_cast<QLineSeries *>(charts.remainingChart()->series().value(0));
        QVERIFY(line);
        QCOMPARE(line->count(), 5);
        const auto vertical = charts.remainingChart()->axes(Qt::Vertical, line);
        QCOMPARE(vertical.size(), 1);
        auto *log = qobject_cast<QLogValueAxis *>(vertical.first());
        QVERIFY2(log, "the remaining candidates are on a log axis");
        QVERIFY(log->min() > 0 && log->min() <= 1);
        QVERIFY(log->max() >= 24);

        auto *bars = qobject_cast<QStackedBarSeries *>(charts.durationsChart()->series().value(0));
        QVERIFY(bars);
        QCOMPARE(bars->count(), 5); // checkout, build, deploy, wait, test
        for (QBarSet *set : bars->barSets())
            QCOMPARE(set->count(), int(steps.size()));
        QCOMPARE(bars->barSets().at(0)->label(), QStringLiteral("checkout"));

        // After another step: one more bar and one more point, nothing else rebuilt.
        bw::StepRecord extra = steps.back();
        extra.number = steps.back().number + 1;
        charts.addStep(extra);
        charts.addRemaining(5, 0); // drawn as 1 on the log axis
        QCOMPARE(line->count(), 6);
        QCOMPARE(line->at(5).y(), 1.0);
        for (QBarSet *set : bars->barSets())
            QCOMPARE(set->count(), int(steps.size()) + 1);

        QVERIFY(charts.throughputChart()->series().isEmpty());
        charts.setThroughput(2, {100e6, 110e6, 95e6});
        charts.setThroughput(3, {100e6, 0, 0, 0});
        QCOMPARE(charts.throughputChart()->series().size(), 2);
        auto *t3 = qobject_cast<QLineSeries *>(charts.throughputChart()->series().at(1));
        QCOMPARE(t3->count(), 4);
        charts.setThroughput(3, {100e6, 90e6}); // replaced, not added
        QCOMPARE(charts.throughputChart()->series().size(), 2);
        QCOMPARE(t3->count(), 2);

        charts.clear();
        QCOMPARE(line->count(), 0);
        QCOMPARE(bars->barSets().at(0)->count(), 0);
        QVERIFY(charts.throughputChart()->series().isEmpty());

        // A transfer test's throughput facts (Mbit/s by iteration) become a line by
        // themselves; an iteration without a number is a gap, not a zero.
        bw::StepRecord transfer;
        transfer.number = 7;
        bw::StageResult test;
        test.stage = bw::StageKind::Test;
        test.facts.insert(QStringLiteral("throughput_mbps_1"), QStringLiteral("800"));
        test.facts.insert(QStringLiteral("throughput_mbps_3"), QStringLiteral("400"));
        test.facts.insert(QStringLiteral("version"), QStringLiteral("6.1.0"));
        transfer.stages.push_back(test);
        const QVector<double> bytes = RunCharts::throughputFromFacts(transfer);
        QCOMPARE(bytes.size(), 3);
        QCOMPARE(bytes[0], 100e6);
        QVERIFY(std::isnan(bytes[1]));
        QCOMPARE(bytes[2], 50e6);
        charts.addStep(transfer);
        QCOMPARE(charts.throughputChart()->series().size(), 1);
        auto *fromFacts = qobject_cast<QLineSeries *>(charts.throughputChart()->series().first());
        QCOMPARE(fromFacts->count(), 2);
        QCOMPARE(fromFacts->name(), QStringLiteral("step 7"));
    }

    void runChartsFollowThePalette() {
        RunCharts charts;
        charts.setPalette(darkPalette());
        QCOMPARE(charts.remainingChart()->theme(), QChart::ChartThemeDark);
        charts.setPalette(QApplication::style()->standardPalette());
        QCOMPARE(charts.remainingChart()->theme(), QChart::ChartThemeLight);
    }

    void runChartsScreenshots() {
        const auto steps = syntheticSteps(16);
        for (const bool dark : {false, true}) {
            QApplication::setPalette(dark ? darkPalette()
                                          : QApplication::style()->standardPalette());
            RunCharts charts;
            charts.resize(760, 420);
            charts.setSteps(steps);
            double left = 60000;
            charts.addRemaining(0, left);
            for (int i = 1; i <= 16; ++i)
                charts.addRemaining(i, left = std::floor(left / 2));
            for (int s = 12; s <= 16; ++s) {
                QVector<double> v;
                for (int it = 0; it < 15; ++it)
                    v << ((s % 2 && it >= 6) ? 0.0 : (105 + 7 * ((s + it) % 5)) * 1024.0 * 1024);
                charts.setThroughput(s, v);
            }
            charts.show();
            QVERIFY(QTest::qWaitForWindowExposed(&charts));
            const QString suffix = dark ? QStringLiteral("-dark") : QStringLiteral("-light");
            for (auto [tab, name] : {std::pair{RunCharts::Tab::Remaining, "charts-remaining"},
                                     std::pair{RunCharts::Tab::Durations, "charts-durations"},
                                     std::pair{RunCharts::Tab::Throughput, "charts-throughput"}}) {
                charts.showTab(tab);
                shoot(&charts, QString::fromLatin1(name) + suffix);
            }
        }
        QApplication::setPalette(QApplication::style()->standardPalette());
    }
};

QTEST_MAIN(TestReporting)
#include "tst_reporting.moc"
