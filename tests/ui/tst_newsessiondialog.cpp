// NewSessionDialog and RecipeEditor offscreen, on real git repositories: revisions are
// resolved as they are typed, refs are completed, a bisect started with the git binary is
// offered for adoption, the three recipe sources give the recipe they should, and the
// recipe editor keeps its form and its TOML in step without clobbering typed text.
// With BW_SCREENSHOT_DIR set, the filled-in dialog is saved there as PNG files.

#include "ui/NewSessionDialog.h"
#include "ui/RecipeEditor.h"

#include "services/recipe/RecipeLoader.h"
#include "tests/support/TestRepo.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;
using namespace bw::test;

namespace {

constexpr int Timeout = 20000;

template <typename T> T *child(const QObject *parent, const char *name) {
    return parent->findChild<T *>(QLatin1String(name));
}

// A recipe that this build can run, so only the range decides whether Start is enabled.
const char *const RunnableRecipe = "name = \"unit tests\"\n"
                                   "\n"
                                   "[build]\n"
                                   "kind = \"command\"\n"
                                   "command = [\"make\", \"-j2\"]\n"
                                   "timeout = \"30m\"\n"
                                   "\n"
                                   "[test]\n"
                                   "kind = \"command\"\n"
                                   "command = \"./run-tests --quick\"\n"
                                   "repeat = 3\n"
                                   "timeout = \"3m\"\n";

} // namespace

class TestNewSessionDialog : public QObject {
    Q_OBJECT

    QTemporaryDir m_config;
    QTemporaryDir m_files;
    TestRepo m_repo;
    QString m_c3;

    bool idle(const NewSessionDialog &dialog) {
        return QTest::qWaitFor([&] { return !dialog.isChecking(); }, Timeout);
    }

    // A dialog on m_repo with a runnable recipe written in the editor.
    void prepare(NewSessionDialog &dialog) {
        dialog.setRepositoryPath(m_repo.path());
        dialog.setRecipeSource(NewSessionDialog::RecipeSource::Editor);
        dialog.recipeEditor()->setTomlText(QString::fromUtf8(RunnableRecipe));
        QVERIFY(idle(dialog));
    }

    static void shoot(QWidget &widget, const QString &name) {
        static QTemporaryDir scratch; // without BW_SCREENSHOT_DIR: rendered and saved all the same
        QString dir = qEnvironmentVariable("BW_SCREENSHOT_DIR");
        if (dir.isEmpty())
            dir = scratch.path();
        QDir().mkpath(dir);
        widget.show();
        QVERIFY(QTest::qWaitForWindowExposed(&widget));
        QVERIFY(widget.grab().save(dir + u'/' + name));
    }

private slots:
    void initTestCase() {
        // QSettings must not touch the user's configuration.
        QVERIFY(m_config.isValid() && m_files.isValid());
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("bw-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_newsessiondialog"));

        QVERIFY(m_repo.isValid());
        QVERIFY(!m_repo.commit(QStringLiteral("v1.0")).isEmpty());
        for (int i = 1; i < 8; ++i) {
            const QString sha = m_repo.commit(QStringLiteral("c%1").arg(i));
            QVERIFY(!sha.isEmpty());
            if (i == 3)
                m_c3 = sha;
        }
        QVERIFY(!m_repo.commit(QStringLiteral("v1.1")).isEmpty());
        QCOMPARE(m_repo.git({QStringLiteral("branch"), QStringLiteral("feature-net")}).exitCode, 0);
    }

    void init() { QSettings().clear(); }

    void wrongRevisionShowsErrorAndDisablesStart() {
        NewSessionDialog dialog({m_repo.path()});
        prepare(dialog);
        auto *good = child<QLineEdit>(&dialog, "goodRevisions");
        auto *goodStatus = child<QLabel>(&dialog, "goodStatus");
        auto *start = child<QPushButton>(&dialog, "startButton");
        QVERIFY(good && goodStatus && start);
        QCOMPARE(child<QLineEdit>(&dialog, "badRevision")->text(), QStringLiteral("HEAD"));
        QVERIFY(start->isDefault());

        good->setFocus();
        QTest::keyClicks(good, QStringLiteral("v1.0 no-such-rev"));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return goodStatus->text().contains(QStringLiteral("not a commit: no-such-rev"));
            },
            Timeout));
        QVERIFY(!start->isEnabled());
        QVERIFY(!dialog.isComplete());
        QVERIFY(dialog.incompleteReason().contains(QStringLiteral("no-such-rev")));

        // A right one shows its sha and subject, and Start comes on.
        good->clear();
        QTest::keyClicks(good, m_c3.left(10));
        QVERIFY(QTest::qWaitFor([&] { return start->isEnabled(); }, Timeout));
        QCOMPARE(goodStatus->text(), QStringLiteral("✓ %1 c3").arg(m_c3.left(8)));
        QVERIFY(child<QLabel>(&dialog, "badStatus")->text().endsWith(QStringLiteral(" v1.1")));

        const pipeline::SessionOptions o = dialog.options();
        QCOMPARE(o.bad, QStringLiteral("HEAD"));
        QCOMPARE(o.goods, QStringList{m_c3.left(10)});
        QVERIFY(!o.adopt);
        QCOMPARE(QDir(o.repositoryPath).canonicalPath(), QDir(m_repo.path()).canonicalPath());
        QCOMPARE(o.recipe.test.repeat, 3);

        // Several goods: each is resolved; one bad word among them is named.
        good->setText(QStringLiteral("v1.0 c2"));
        QVERIFY(QTest::qWaitFor([&] { return start->isEnabled(); }, Timeout));
        QCOMPARE(goodStatus->text().count(QStringLiteral("✓")), 2);
        QCOMPARE(dialog.options().goods,
                 (QStringList{QStringLiteral("v1.0"), QStringLiteral("c2")}));
    }

    void notARepository() {
        NewSessionDialog dialog({});
        dialog.setRepositoryPath(m_files.path());
        QVERIFY(idle(dialog));
        QVERIFY(child<QLabel>(&dialog, "repositoryStatus")
                    ->text()
                    .contains(QStringLiteral("Not a git repository")));
        QVERIFY(!child<QPushButton>(&dialog, "startButton")->isEnabled());
    }

    void completionOffersBranchesAndTags() {
        NewSessionDialog dialog({m_repo.path()});
        dialog.show();
        prepare(dialog);
        const QStringList names = dialog.completionNames();
        QVERIFY2(names.contains(QStringLiteral("feature-net")), qPrintable(names.join(u',')));
        QVERIFY(names.contains(QStringLiteral("v1.0")));
        QVERIFY(names.contains(QStringLiteral("c5")));

        // The word being typed is completed, also after an earlier good.
        auto *good = child<QLineEdit>(&dialog, "goodRevisions");
        auto *completer = child<QCompleter>(&dialog, "goodCompleter");
        QVERIFY(good && completer);
        good->setFocus();
        QTest::keyClicks(good, QStringLiteral("v1.0 feat"));
        QCOMPARE(completer->completionPrefix(), QStringLiteral("feat"));
        QCOMPARE(completer->completionCount(), 1);
        QCOMPARE(completer->currentCompletion(), QStringLiteral("feature-net"));
        QVERIFY(completer->popup()->isVisible());
        emit completer->activated(completer->currentCompletion());
        QCOMPARE(good->text(), QStringLiteral("v1.0 feature-net"));
        QTest::keyClicks(good, QStringLiteral(" v1."));
        QCOMPARE(completer->completionCount(), 2); // v1.0 and v1.1
    }

    void bisectInProgressIsOfferedForAdoption() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        for (int i = 0; i < 10; ++i)
            QVERIFY(!repo.commit(QStringLiteral("r%1").arg(i)).isEmpty());
        const RunResult r = repo.git({QStringLiteral("bisect"), QStringLiteral("start"),
                                      QStringLiteral("r9"), QStringLiteral("r0")});
        QCOMPARE(r.exitCode, 0);

        NewSessionDialog dialog({repo.path()});
        dialog.setRecipeSource(NewSessionDialog::RecipeSource::Editor);
        dialog.recipeEditor()->setTomlText(QString::fromUtf8(RunnableRecipe));
        QVERIFY(idle(dialog));
        auto *notice = child<QWidget>(&dialog, "bisectInProgressNotice");
        auto *text = child<QLabel>(&dialog, "bisectInProgressLabel");
        auto *adopt = child<QCheckBox>(&dialog, "adoptCheck");
        QVERIFY(notice && text && adopt);
        QVERIFY(!notice->isHidden());
        QVERIFY2(text->text().contains(QStringLiteral("A bisect is in progress here")),
                 qPrintable(text->text()));
        QVERIFY2(text->text().contains(QStringLiteral("2 marks")), qPrintable(text->text()));
        QVERIFY(text->text().contains(
            QStringLiteral("bad ") +
            repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("r9")}).left(8)));
        QVERIFY(text->text().contains(QStringLiteral(" r0")));
        QVERIFY(adopt->isChecked());
        QVERIFY(!child<QLineEdit>(&dialog, "badRevision")->isEnabled());
        QVERIFY(!child<QLineEdit>(&dialog, "goodRevisions")->isEnabled());
        // The revisions are unused when adopting: Start is on without a good one.
        QVERIFY(child<QPushButton>(&dialog, "startButton")->isEnabled());
        QVERIFY(dialog.options().adopt);
        shoot(dialog, QStringLiteral("newsession-adopt.png"));

        adopt->setChecked(false);
        QVERIFY(!dialog.options().adopt);
        QVERIFY(child<QLineEdit>(&dialog, "goodRevisions")->isEnabled());
        QVERIFY(QTest::qWaitFor([&] { return !dialog.isChecking(); }, Timeout));
        QVERIFY(!child<QPushButton>(&dialog, "startButton")->isEnabled()); // no good yet
    }

    void scriptBecomesAScriptRecipe() {
        const QString script = m_files.filePath(QStringLiteral("bisect.sh"));
        QVERIFY(writeFile(script, "#!/bin/sh\nexit 0\n"));
        NewSessionDialog dialog({m_repo.path()});
        dialog.setRecipeSource(NewSessionDialog::RecipeSource::Script);
        dialog.setScriptPath(script);
        child<QLineEdit>(&dialog, "goodRevisions")->setText(QStringLiteral("v1.0"));
        QVERIFY(idle(dialog));
        // Not executable yet: said inline, and Start stays off.
        QVERIFY(child<QLabel>(&dialog, "scriptStatus")->text().contains(QStringLiteral("chmod")));
        QVERIFY(!child<QPushButton>(&dialog, "startButton")->isEnabled());

        QVERIFY(QFile::setPermissions(script, QFile::permissions(script) | QFile::ExeOwner));
        dialog.setScriptPath(QString());
        dialog.setScriptPath(script);
        child<QLineEdit>(&dialog, "scriptTimeout")->setText(QStringLiteral("10m"));
        QVERIFY(child<QPushButton>(&dialog, "startButton")->isEnabled());
        const Recipe recipe = dialog.options().recipe;
        QCOMPARE(recipe.test.kind, TestKind::Script);
        QCOMPARE(recipe.test.command, CommandSpec::fromArgv({script}));
        QCOMPARE(recipe.test.timeout, Millis(10 * 60 * 1000));
        QCOMPARE(recipe.checkout, CheckoutMode::Worktree);
        QCOMPARE(recipe.build.kind, BuildKind::None);
        QVERIFY(recipe.name.contains(QStringLiteral("bisect.sh")));
    }

    void recipeFileIsLoadedAndValidated() {
        const QString path = m_files.filePath(QStringLiteral("slow.toml"));
        QVERIFY(writeFile(path, "[bisect]\nterms = [\"fast\", \"slow\"]\n[test]\ncommand = "
                                "[\"./bench\"]\nrepet = 2\n"));
        NewSessionDialog dialog({m_repo.path()});
        dialog.setRecipeSource(NewSessionDialog::RecipeSource::File);
        dialog.setRecipeFile(path);
        child<QLineEdit>(&dialog, "goodRevisions")->setText(QStringLiteral("v1.0"));
        QVERIFY(idle(dialog));
        auto *issues = child<QListWidget>(&dialog, "recipeFileIssues");
        QCOMPARE(issues->count(), 1);
        QVERIFY2(issues->item(0)->text().contains(QStringLiteral(":5:1: test.repet")),
                 qPrintable(issues->item(0)->text()));
        QVERIFY(!child<QPushButton>(&dialog, "startButton")->isEnabled());

        QVERIFY(writeFile(path, "[bisect]\nterms = [\"fast\", \"slow\"]\n[test]\ncommand = "
                                "[\"./bench\"]\nrepeat = 2\n"));
        dialog.setRecipeFile(path);
        QVERIFY(idle(dialog));
        QVERIFY2(child<QPushButton>(&dialog, "startButton")->isEnabled(),
                 qPrintable(dialog.incompleteReason()));
        // The recipe's terms fill the (untouched) term fields and the labels speak them.
        QCOMPARE(child<QLineEdit>(&dialog, "termNew")->text(), QStringLiteral("slow"));
        QCOMPARE(child<QLabel>(&dialog, "badLabel")->text(), QStringLiteral("slow revision:"));
        const pipeline::SessionOptions o = dialog.options();
        QCOMPARE(o.recipe.test.repeat, 2);
        QCOMPARE(o.recipe.bisect.termOld, QStringLiteral("fast"));
        QCOMPARE(o.recipe.file, QFileInfo(path).absoluteFilePath());

        // "Edit a copy" puts the file's text in the editor, relative paths still the file's.
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QTest::mouseClick(child<QPushButton>(&dialog, "editRecipeCopy"), Qt::LeftButton);
        QVERIFY(child<QWidget>(&dialog, "recipeEditor")->isVisibleTo(&dialog));
        QCOMPARE(dialog.recipeEditor()->tomlText(), QString::fromUtf8(file.readAll()));
        QVERIFY(dialog.recipeEditor()->isValid());
        QCOMPARE(dialog.options().recipe.folder, QFileInfo(path).absolutePath());
        QCOMPARE(dialog.options().recipe.test.repeat, 2);
    }

    void unsupportedRecipeIsSaidInline() {
        NewSessionDialog dialog({m_repo.path()});
        prepare(dialog);
        child<QLineEdit>(&dialog, "goodRevisions")->setText(QStringLiteral("v1.0"));
        QVERIFY(idle(dialog));
        QVERIFY(child<QPushButton>(&dialog, "startButton")->isEnabled());
        dialog.recipeEditor()->setTomlText(QStringLiteral(
            "[wait]\nkind = \"console\"\npattern = \"login:\"\n[test]\ncommand = [\"t\"]\n"));
        auto *problem = child<QLabel>(&dialog, "recipeProblem");
        QVERIFY(!problem->isHidden());
        QVERIFY2(problem->text().contains(QStringLiteral("console")), qPrintable(problem->text()));
        QVERIFY(!child<QPushButton>(&dialog, "startButton")->isEnabled());
    }

    void formEditWritesTheToml() {
        RecipeEditor editor;
        editor.show();
        auto *command = child<QLineEdit>(&editor, "testCommand");
        auto *repeat = child<QSpinBox>(&editor, "testRepeat");
        auto *toml = child<QPlainTextEdit>(&editor, "recipeToml");
        QVERIFY(command && repeat && toml);
        QVERIFY(!editor.isValid()); // a new recipe has no test command yet
        QSignalSpy validity(&editor, &RecipeEditor::validityChanged);

        command->setFocus();
        QTest::keyClicks(command, QStringLiteral("./check.sh ${short}"));
        QVERIFY2(
            editor.tomlText().contains(QStringLiteral("command = [\"./check.sh\", \"${short}\"]")),
            qPrintable(editor.tomlText()));
        QVERIFY(editor.isValid());
        QVERIFY(!validity.isEmpty() && validity.last().constFirst().toBool());
        // Typing goes on undisturbed: the field is not rewritten from the TOML.
        QCOMPARE(command->text(), QStringLiteral("./check.sh ${short}"));

        repeat->setValue(15);
        QVERIFY(editor.tomlText().contains(QStringLiteral("repeat = 15")));
        QCOMPARE(editor.recipe().test.repeat, 15);

        // Shell syntax runs under sh -c.
        command->clear();
        QTest::keyClicks(command, QStringLiteral("make check | tee log"));
        QCOMPARE(editor.recipe().test.command,
                 CommandSpec::fromShell(QStringLiteral("make check | tee log")));

        // A bad duration is marked in the form and makes the recipe invalid.
        auto *timeout = child<QLineEdit>(&editor, "testTimeout");
        QTest::keyClicks(timeout, QStringLiteral("3 minutes"));
        QVERIFY(!editor.isValid());
        QVERIFY(!timeout->toolTip().isEmpty());
        timeout->clear();
        QTest::keyClicks(timeout, QStringLiteral("3m"));
        QVERIFY(editor.isValid());
        QVERIFY(editor.tomlText().contains(QStringLiteral("timeout = \"3m\"")));

        // Kind-specific rows follow the kind.
        auto *buildKind = child<QComboBox>(&editor, "buildKind");
        auto *target = child<QLineEdit>(&editor, "makeTarget");
        QVERIFY(!target->isVisible());
        buildKind->setCurrentIndex(buildKind->findText(QStringLiteral("make")));
        QVERIFY(target->isVisible());
        QTest::keyClicks(target, QStringLiteral("bzImage"));
        QVERIFY(editor.tomlText().contains(QStringLiteral("kind = \"make\"")));
        QVERIFY(editor.tomlText().contains(QStringLiteral("target = \"bzImage\"")));
    }

    void typoInTheTomlShowsItsLineAndDisablesStart() {
        NewSessionDialog dialog({m_repo.path()});
        dialog.show();
        prepare(dialog);
        child<QLineEdit>(&dialog, "goodRevisions")->setText(QStringLiteral("v1.0"));
        QVERIFY(idle(dialog));
        auto *start = child<QPushButton>(&dialog, "startButton");
        QVERIFY(start->isEnabled());

        RecipeEditor *editor = dialog.recipeEditor();
        auto *toml = child<QPlainTextEdit>(editor, "recipeToml");
        auto *issues = child<QListWidget>(editor, "recipeIssues");
        QVERIFY(toml && issues);
        // Typed by hand at the end: `repet = 3` in [test] (line 13).
        toml->moveCursor(QTextCursor::End);
        toml->setFocus();
        QTest::keyClicks(toml, QStringLiteral("repet = 3"));
        QVERIFY(QTest::qWaitFor([&] { return !editor->isValid(); }, Timeout));
        QVERIFY(QTest::qWaitFor([&] { return !start->isEnabled(); }, Timeout));
        QCOMPARE(issues->count(), 1);
        QVERIFY2(issues->item(0)->text().startsWith(QStringLiteral("13:1  test.repet")),
                 qPrintable(issues->item(0)->text()));
        QVERIFY(issues->item(0)->text().contains(QStringLiteral("repeat")));
        // The form is locked rather than dropping the typo on its next edit.
        QVERIFY(!child<QWidget>(editor, "recipeForm")->isEnabled());
        QVERIFY(editor->tomlText().endsWith(QStringLiteral("repet = 3")));
        shoot(dialog, QStringLiteral("newsession-issue.png"));

        // Clicking the issue puts the cursor on it.
        toml->moveCursor(QTextCursor::Start);
        const QRect rect = issues->visualItemRect(issues->item(0));
        QTest::mouseClick(issues->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(toml->textCursor().blockNumber(), 12);
        QCOMPARE(toml->textCursor().positionInBlock(), 0);

        // A broken table header is a syntax error with its line.
        editor->setTomlText(QStringLiteral("[tset]\ncommand = [\"x\"]\n"));
        QVERIFY(!editor->isValid());
        QVERIFY(issues->count() >= 1);
        QVERIFY2(issues->item(0)->text().startsWith(QStringLiteral("1:")),
                 qPrintable(issues->item(0)->text()));
        QVERIFY(!start->isEnabled());
    }

    void validTomlUpdatesTheForm() {
        RecipeEditor editor;
        editor.show();
        auto *toml = child<QPlainTextEdit>(&editor, "recipeToml");
        const QString text = QStringLiteral("# by hand\n"
                                            "name = \"net hang\"\n"
                                            "[build]\n"
                                            "kind = \"make\"\n"
                                            "target = \"bzImage\"\n"
                                            "jobs = 8\n"
                                            "[test]\n"
                                            "command = [\"./copy-iso\", \"${worktree}\"]\n"
                                            "repeat = 15   # as in the seed script\n"
                                            "timeout = \"3m\"\n"
                                            "[bisect]\n"
                                            "mode = \"flaky\"\n"
                                            "detection = 0.7\n");
        toml->setPlainText(text); // as if pasted: through the debounced path
        QVERIFY(QTest::qWaitFor([&] { return editor.isValid(); }, Timeout));
        QCOMPARE(child<QLineEdit>(&editor, "recipeName")->text(), QStringLiteral("net hang"));
        QCOMPARE(child<QComboBox>(&editor, "buildKind")->currentText(), QStringLiteral("make"));
        QCOMPARE(child<QLineEdit>(&editor, "makeTarget")->text(), QStringLiteral("bzImage"));
        QCOMPARE(child<QSpinBox>(&editor, "makeJobs")->value(), 8);
        QCOMPARE(
            child<QLineEdit>(&editor, "testCommand")->text(),
            CommandSpec::fromArgv({QStringLiteral("./copy-iso"), QStringLiteral("${worktree}")})
                .display());
        QCOMPARE(child<QSpinBox>(&editor, "testRepeat")->value(), 15);
        QCOMPARE(child<QLineEdit>(&editor, "testTimeout")->text(), QStringLiteral("3m"));
        QCOMPARE(child<QComboBox>(&editor, "bisectMode")->currentText(), QStringLiteral("flaky"));
        QVERIFY(child<QWidget>(&editor, "detection")->isVisible());
        // The user's text (comments and all) is left as typed.
        QCOMPARE(editor.tomlText(), text);
        QCOMPARE(editor.recipe().bisect.detection, 0.7);
    }

    void saveAsWritesAFileThatReadsBackEqual() {
        RecipeEditor editor;
        editor.setBaseFolder(m_repo.path());
        editor.setTomlText(QString::fromUtf8(RunnableRecipe));
        QVERIFY(editor.isValid());
        child<QSpinBox>(&editor, "confirmCulprit")->setValue(2);
        QVERIFY(editor.isValid());
        QSignalSpy saved(&editor, &RecipeEditor::saved);
        const QString path = m_files.filePath(QStringLiteral("saved/recipe.toml"));
        QString error;
        QVERIFY(!editor.saveAs(path, &error)); // the folder does not exist
        QVERIFY(!error.isEmpty());
        QVERIFY(QDir().mkpath(m_files.filePath(QStringLiteral("saved"))));
        QVERIFY2(editor.saveAs(path, &error), qPrintable(error));
        QCOMPARE(saved.count(), 1);
        const recipe::RecipeLoad load = recipe::RecipeLoader::loadFile(path);
        QVERIFY2(load.ok(), qPrintable(load.message()));
        QCOMPARE(load.recipe, editor.recipe());
        QCOMPARE(load.recipe.bisect.confirmCulprit, 2);
        QCOMPARE(editor.fileName(), QFileInfo(path).absoluteFilePath());
    }

    void recipeTextIsRemembered() {
        const QString text = QStringLiteral("# remembered\n[test]\ncommand = [\"./t\"]\n");
        {
            NewSessionDialog dialog({m_repo.path()});
            dialog.setRecipeSource(NewSessionDialog::RecipeSource::Editor);
            dialog.recipeEditor()->setTomlText(text);
            child<QCheckBox>(&dialog, "firstParentCheck")->setChecked(true);
            dialog.reject(); // cancelled: still not lost
        }
        NewSessionDialog dialog({m_repo.path()});
        QCOMPARE(dialog.recipeEditor()->tomlText(), text);
        QVERIFY(dialog.recipeEditor()->isValid());
        QVERIFY(child<QCheckBox>(&dialog, "firstParentCheck")->isChecked());
        QVERIFY(child<QWidget>(&dialog, "recipeEditor")->isVisibleTo(&dialog));
        QVERIFY(dialog.options().firstParent);
    }

    void screenshotFilledIn() {
        {
            NewSessionDialog fresh({});
            fresh.show();
            QVERIFY(idle(fresh));
            shoot(fresh, QStringLiteral("newsession-fresh.png"));
        }
        NewSessionDialog dialog({m_repo.path(), QStringLiteral("/src/linux")});
        dialog.show();
        prepare(dialog);
        child<QLineEdit>(&dialog, "goodRevisions")->setText(QStringLiteral("v1.0 c2"));
        QVERIFY(idle(dialog));
        QVERIFY(child<QPushButton>(&dialog, "startButton")->isEnabled());
        shoot(dialog, QStringLiteral("newsession.png"));
    }
};

QTEST_MAIN(TestNewSessionDialog)
#include "tst_newsessiondialog.moc"
