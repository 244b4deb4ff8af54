#include "ui/CommitDetailsView.h"

#include "services/git/Repository.h"
#include "tests/support/TestRepo.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFutureWatcher>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QTreeWidget>

using namespace bw;
using namespace bw::test;

namespace {

QString commitAll(TestRepo &repo, const QStringList &extra) {
    repo.tick(3600);
    if (repo.git({QStringLiteral("add"), QStringLiteral("-A")}).exitCode != 0)
        return {};
    if (repo.git(QStringList{QStringLiteral("commit"), QStringLiteral("-q")} + extra).exitCode != 0)
        return {};
    return repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
}

QByteArray lines(const QString &prefix, int count) {
    QByteArray out;
    for (int i = 1; i <= count; ++i)
        out += QStringLiteral("%1 line %2\n").arg(prefix).arg(i).toUtf8();
    return out;
}

// The foreground the highlighter gave to the first character of the block `line`, or the
// editor's text colour when it set none.
QColor foregroundOf(QPlainTextEdit *edit, const QString &line) {
    for (QTextBlock b = edit->document()->begin(); b.isValid(); b = b.next()) {
        if (b.text() != line)
            continue;
        for (const QTextLayout::FormatRange &r : b.layout()->formats())
            if (r.start == 0 && r.length > 0 && r.format.hasProperty(QTextFormat::ForegroundBrush))
                return r.format.foreground().color();
        return edit->palette().color(QPalette::Text);
    }
    return {};
}

} // namespace

class TestCommitDetailsView : public QObject {
    Q_OBJECT

    TestRepo m_repo;
    Oid m_first, m_second;

    static QLabel *header(CommitDetailsView &v) {
        return v.findChild<QLabel *>(QStringLiteral("header"));
    }
    static QPlainTextEdit *patch(CommitDetailsView &v) {
        return v.findChild<QPlainTextEdit *>(QStringLiteral("patch"));
    }
    // Every load finished (its watcher deleted itself): nothing can arrive later.
    static bool idle(CommitDetailsView &v) {
        return v.findChildren<QFutureWatcherBase *>().isEmpty();
    }

private slots:
    void initTestCase() {
        QVERIFY(m_repo.isValid());
        QVERIFY(m_repo.writeFile(QStringLiteral("a.txt"), lines(QStringLiteral("a"), 6)));
        const QString first =
            commitAll(m_repo, {QStringLiteral("-m"), QStringLiteral("First subject")});
        QVERIFY(!first.isEmpty());
        QByteArray a = lines(QStringLiteral("a"), 6);
        a.replace("a line 4\n", "a line 4\nbrand new line\n");
        QVERIFY(m_repo.writeFile(QStringLiteral("a.txt"), a));
        QVERIFY(m_repo.writeFile(QStringLiteral("b.txt"), lines(QStringLiteral("b"), 300)));
        QVERIFY(m_repo.writeFile(QStringLiteral("z.txt"), lines(QStringLiteral("z"), 3)));
        const QString second =
            commitAll(m_repo, {QStringLiteral("--author=Ada Lovelace <ada@example.com>"),
                               QStringLiteral("-m"), QStringLiteral("Second subject"),
                               QStringLiteral("-m"), QStringLiteral("The body explains why.")});
        QVERIFY(!second.isEmpty());
        QCOMPARE(m_repo.git({QStringLiteral("tag"), QStringLiteral("v1")}).exitCode, 0);
        m_first = *Oid::fromHex(first);
        m_second = *Oid::fromHex(second);
    }

    void showsACommit() {
        CommitDetailsView v;
        v.resize(1000, 700);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QCOMPARE(v.state(), CommitDetailsView::State::Empty);
        QSignalSpy loaded(&v, &CommitDetailsView::loaded);
        v.showCommit(m_repo.path(), m_second);
        QCOMPARE(v.state(), CommitDetailsView::State::Loading);
        auto *status = v.findChild<QLabel *>(QStringLiteral("status"));
        QVERIFY(status && status->text().contains(QStringLiteral("Loading")));
        QTRY_COMPARE(loaded.count(), 1);
        QCOMPARE(loaded.at(0).at(0).value<Oid>(), m_second);
        QCOMPARE(v.state(), CommitDetailsView::State::Shown);
        QCOMPARE(v.currentOid(), m_second);
        QVERIFY(!status->isVisibleTo(&v));

        const QString h = header(v)->text();
        QVERIFY2(h.contains(m_second.toString()), qPrintable(h));
        QVERIFY(h.contains(QStringLiteral("Ada Lovelace &lt;ada@example.com&gt;")));
        QVERIFY(h.contains(QStringLiteral("Second subject")));
        QVERIFY(h.contains(QStringLiteral("v1")));
        QVERIFY(h.contains(QStringLiteral("href=\"parent:%1\"").arg(m_first.toString())));
        QVERIFY(h.contains(QStringLiteral("Sat Jan 1 02:00:00 2000 +0000"))); // 2 ticks of 1 h
        auto *message = v.findChild<QPlainTextEdit *>(QStringLiteral("message"));
        QVERIFY(message);
        QCOMPARE(message->toPlainText(),
                 QStringLiteral("Second subject\n\nThe body explains why."));

        QPlainTextEdit *p = patch(v);
        QVERIFY(p && p->isReadOnly());
        QCOMPARE(p->lineWrapMode(), QPlainTextEdit::NoWrap);
        QVERIFY(p->toPlainText().contains(QStringLiteral("\n+brand new line\n")));
        QVERIFY(p->toPlainText().startsWith(QStringLiteral(" a.txt | "))); // the diffstat
        const QColor added = foregroundOf(p, QStringLiteral("+brand new line"));
        const QColor context = foregroundOf(p, QStringLiteral(" a line 4"));
        QVERIFY(added.isValid() && context.isValid());
        QVERIFY2(added != context, qPrintable(added.name() + u' ' + context.name()));

        // parents are links
        QSignalSpy parent(&v, &CommitDetailsView::parentActivated);
        emit header(v)->linkActivated(QStringLiteral("parent:%1").arg(m_first.toString()));
        QCOMPARE(parent.count(), 1);
        QCOMPARE(parent.at(0).at(0).value<Oid>(), m_first);
    }

    void fileListScrollsThePatch() {
        CommitDetailsView v;
        v.resize(900, 500);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QSignalSpy loaded(&v, &CommitDetailsView::loaded);
        v.showCommit(m_repo.path(), m_second);
        QTRY_COMPARE(loaded.count(), 1);
        auto *files = v.findChild<QTreeWidget *>(QStringLiteral("files"));
        QVERIFY(files);
        QCOMPARE(files->topLevelItemCount(), 3);
        QTreeWidgetItem *b = files->topLevelItem(1);
        QCOMPARE(b->text(1), QStringLiteral("b.txt"));
        QCOMPARE(b->text(2), QStringLiteral("300"));
        QCOMPARE(b->text(3), QStringLiteral("0"));
        QScrollBar *bar = patch(v)->verticalScrollBar();
        QCOMPARE(bar->value(), 0);
        files->setCurrentItem(b);
        QTextBlock block = patch(v)->textCursor().block();
        QVERIFY2(block.text().startsWith(QStringLiteral("diff --git a/b.txt")),
                 qPrintable(block.text()));
        QVERIFY(block.blockNumber() > 5);
        QCOMPARE(bar->value(), block.blockNumber()); // its header is the first visible line

        // The last file's header is near the end: the view scrolls as far as it can.
        QTreeWidgetItem *z = files->topLevelItem(2);
        QCOMPARE(z->text(1), QStringLiteral("z.txt"));
        files->setCurrentItem(z);
        block = patch(v)->textCursor().block();
        QVERIFY2(block.text().startsWith(QStringLiteral("diff --git a/z.txt")),
                 qPrintable(block.text()));
        QVERIFY(block.blockNumber() > 300);
        QCOMPARE(bar->value(), std::min(block.blockNumber(), bar->maximum()));
        QVERIFY(bar->value() > 300 - 60);
    }

    void newerRequestWins_data() {
        QTest::addColumn<bool>("secondLast");
        QTest::newRow("first then second") << true;
        QTest::newRow("second then first") << false;
    }
    void newerRequestWins() {
        QFETCH(bool, secondLast);
        const Oid older = secondLast ? m_first : m_second;
        const Oid newer = secondLast ? m_second : m_first;
        CommitDetailsView v;
        QSignalSpy loaded(&v, &CommitDetailsView::loaded);
        v.showCommit(m_repo.path(), older);
        v.showCommit(m_repo.path(), newer);
        QTRY_VERIFY(idle(v));
        QTRY_COMPARE(loaded.count(), 1); // the older result was dropped, never shown
        QCOMPARE(loaded.at(0).at(0).value<Oid>(), newer);
        QCOMPARE(v.currentOid(), newer);
        QVERIFY(header(v)->text().contains(secondLast ? QStringLiteral("Second subject")
                                                      : QStringLiteral("First subject")));
    }

    void clearDropsALoadInFlight() {
        CommitDetailsView v;
        QSignalSpy loaded(&v, &CommitDetailsView::loaded);
        v.showCommit(m_repo.path(), m_second);
        v.clear();
        QCOMPARE(v.state(), CommitDetailsView::State::Empty);
        QTRY_VERIFY(idle(v));
        QCOMPARE(loaded.count(), 0);
        QCOMPARE(v.state(), CommitDetailsView::State::Empty);
        QVERIFY(patch(v)->toPlainText().isEmpty());
    }

    void errorsShowInline_data() {
        QTest::addColumn<bool>("badRepo");
        QTest::newRow("unknown commit") << false;
        QTest::newRow("not a repository") << true;
    }
    void errorsShowInline() {
        QFETCH(bool, badRepo);
        QTemporaryDir empty;
        const Oid missing =
            *Oid::fromHex(QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
        CommitDetailsView v;
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QSignalSpy loaded(&v, &CommitDetailsView::loaded);
        QSignalSpy failed(&v, &CommitDetailsView::loadFailed);
        v.showCommit(badRepo ? empty.path() : m_repo.path(), badRepo ? m_second : missing);
        QTRY_COMPARE(failed.count(), 1);
        QCOMPARE(loaded.count(), 0);
        QCOMPARE(v.state(), CommitDetailsView::State::Failed);
        auto *status = v.findChild<QLabel *>(QStringLiteral("status"));
        QVERIFY(status->isVisible());
        QVERIFY2(status->text().contains(badRepo ? QStringLiteral("not a git repository")
                                                 : missing.toString()),
                 qPrintable(status->text()));
        QVERIFY(!v.findChild<QWidget *>(QStringLiteral("content"))->isVisible());
        QVERIFY(QApplication::activeModalWidget() == nullptr);
        QVERIFY(v.currentOid().isNull());
    }

    void copiesTheSha() {
        CommitDetailsView v;
        QVERIFY(!v.findChild<QAction *>(QStringLiteral("actionCopySha"))->isEnabled());
        QSignalSpy loaded(&v, &CommitDetailsView::loaded);
        v.showCommit(m_repo.path(), m_first);
        QTRY_COMPARE(loaded.count(), 1);
        QGuiApplication::clipboard()->setText(QStringLiteral("something else"));
        auto *copy = v.findChild<QAction *>(QStringLiteral("actionCopySha"));
        QVERIFY(copy && copy->isEnabled());
        copy->trigger();
        QCOMPARE(QGuiApplication::clipboard()->text(), m_first.toString());
    }

    void followsADarkPalette() {
        CommitDetailsView v;
        v.resize(1000, 700);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QSignalSpy loaded(&v, &CommitDetailsView::loaded);
        v.showCommit(m_repo.path(), m_second);
        QTRY_COMPARE(loaded.count(), 1);
        const QColor lightAdded = foregroundOf(patch(v), QStringLiteral("+brand new line"));
        saveScreenshot(v, QStringLiteral("details-light.png"));

        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x20, 0x22, 0x25));
        dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Base, QColor(0x16, 0x18, 0x1b));
        dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Button, QColor(0x30, 0x33, 0x36));
        dark.setColor(QPalette::ButtonText, QColor(0xe0, 0xe0, 0xe0));
        dark.setColor(QPalette::Link, QColor(0x79, 0xc0, 0xff));
        v.setPalette(dark);
        const QColor darkAdded = foregroundOf(patch(v), QStringLiteral("+brand new line"));
        QVERIFY(darkAdded.isValid());
        QVERIFY(darkAdded != lightAdded);
        QVERIFY(darkAdded.lightness() > 128); // light text on the dark base
        QVERIFY(lightAdded.lightness() < 128);
        saveScreenshot(v, QStringLiteral("details-dark.png"));
    }

    // A picture for a human: this repository's commit, or BW_SCREENSHOT_REPO at
    // BW_SCREENSHOT_REV when both are set.
    void screenshotOfACommit() {
        QString path = m_repo.path();
        Oid oid = m_second;
        if (qEnvironmentVariableIsSet("BW_SCREENSHOT_REPO")) {
            path = qEnvironmentVariable("BW_SCREENSHOT_REPO");
            auto repo = git::Repository::open(path);
            QVERIFY2(repo.ok(), repo ? "" : qPrintable(repo.error().message()));
            auto rev = repo->resolveCommit(qEnvironmentVariable("BW_SCREENSHOT_REV", "HEAD"));
            QVERIFY2(rev.ok(), rev ? "" : qPrintable(rev.error().message()));
            oid = *rev;
        }
        CommitDetailsView v;
        v.resize(1100, 800);
        v.show();
        QVERIFY(QTest::qWaitForWindowExposed(&v));
        QSignalSpy loaded(&v, &CommitDetailsView::loaded);
        v.showCommit(path, oid);
        QTRY_COMPARE(loaded.count(), 1);
        saveScreenshot(v, QStringLiteral("details.png"));
    }

private:
    // Set BW_SCREENSHOT_DIR to keep pictures of the view for a human to look at.
    static void saveScreenshot(CommitDetailsView &v, const QString &name) {
        const QPixmap shot = v.grab();
        QVERIFY(!shot.isNull());
        const QString dir = qEnvironmentVariable("BW_SCREENSHOT_DIR");
        if (!dir.isEmpty())
            QVERIFY(shot.save(QDir(dir).filePath(name)));
    }
};

QTEST_MAIN(TestCommitDetailsView)
#include "tst_commitdetailsview.moc"
