#include "ui/NewSessionDialog.h"
#include "ui/Palette.h"

#include "models/BisectTypes.h"
#include "services/git/GitBisectFiles.h"
#include "services/git/Repository.h"
#include "services/pipeline/StepRunner.h"
#include "ui/RecipeEditor.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemModel>
#include <QFontDatabase>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStringListModel>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace bw {

namespace {

enum Field { BadField = 0, GoodField = 1 };

enum class Tone { Neutral, Ok, Error };

// An inline status line under a field: green for an answer, red for a mistake, the
// palette's muted text for a hint or "checking…".
void showStatus(QLabel *label, const QString &text, Tone tone) {
    QPalette p = label->parentWidget() ? label->parentWidget()->palette() : label->palette();
    switch (tone) {
    case Tone::Ok:
        p.setColor(QPalette::WindowText, palette::okColor(p));
        break;
    case Tone::Error:
        p.setColor(QPalette::WindowText, palette::errorColor(p));
        break;
    case Tone::Neutral:
        p.setColor(QPalette::WindowText, p.color(QPalette::PlaceholderText));
        break;
    }
    label->setPalette(p);
    label->setText(text);
}

QString shortCommit(const git::Repository &repo, const Oid &oid) {
    return oid.toString().left(8) + u' ' + repo.subject(oid);
}

QStringList words(const QString &text) {
    return text.split(u' ', Qt::SkipEmptyParts);
}

RepositoryProbe probe(const QString &path) {
    RepositoryProbe p;
    if (path.trimmed().isEmpty()) {
        p.error = NewSessionDialog::tr("Choose a repository.");
        return p;
    }
    auto repo = git::Repository::open(QDir::cleanPath(path.trimmed()));
    if (!repo) {
        p.error = NewSessionDialog::tr("Not a git repository: %1").arg(repo.error().message());
        return p;
    }
    p.workDir = repo->workDir().isEmpty() ? repo->gitDir() : repo->workDir();
    if (p.workDir.endsWith(u'/') && p.workDir.size() > 1)
        p.workDir.chop(1);
    const std::pair<QString, QString> globs[] = {
        {QStringLiteral("refs/heads/*"), QStringLiteral("refs/heads/")},
        {QStringLiteral("refs/tags/*"), QStringLiteral("refs/tags/")},
        {QStringLiteral("refs/remotes/*"), QStringLiteral("refs/remotes/")},
    };
    p.refNames << QStringLiteral("HEAD");
    for (const auto &[glob, prefix] : globs) {
        auto refs = repo->references(glob);
        if (!refs)
            continue; // completion is a help; a broken ref must not block the dialog
        for (const auto &ref : *refs) {
            const QString name = ref.first.mid(prefix.size());
            if (!name.endsWith(QLatin1String("/HEAD")))
                p.refNames << name;
        }
    }
    p.refNames.removeDuplicates();

    git::GitBisectFiles files(*repo);
    auto state = files.read();
    if (state && state->inProgress) {
        p.bisectInProgress = true;
        p.termBad = state->terms.bad;
        p.termGood = state->terms.good;
        p.marks = int(state->goods.size() + state->skips.size()) + (state->bad ? 1 : 0);
        if (state->bad)
            p.badText = shortCommit(*repo, *state->bad);
        for (const Oid &good : state->goods)
            p.goodTexts << shortCommit(*repo, good);
    }
    return p;
}

RevisionCheck resolve(const QString &workDir, const QStringList &revs) {
    RevisionCheck check;
    auto repo = git::Repository::open(workDir);
    if (!repo) {
        check.error = repo.error().message();
        return check;
    }
    for (const QString &rev : revs) {
        auto oid = repo->resolveCommit(rev);
        if (!oid) {
            check.error = NewSessionDialog::tr("not a commit: %1").arg(rev);
            check.commits.clear();
            return check;
        }
        check.commits << shortCommit(*repo, *oid);
    }
    return check;
}

// The recipe of a `git bisect run` script, as the headless `script` command builds it.
Recipe scriptRecipe(const QString &script, const QString &folder, Millis timeout) {
    Recipe recipe;
    const QString absolute = QFileInfo(script).absoluteFilePath();
    recipe.name =
        QStringLiteral("git bisect run %1").arg(CommandSpec::fromArgv({script}).display());
    recipe.folder = folder;
    recipe.checkout = CheckoutMode::Worktree;
    recipe.test.kind = TestKind::Script;
    recipe.test.command = CommandSpec::fromArgv({absolute});
    recipe.test.timeout = timeout;
    return recipe;
}

QFrame *noticeFrame(QWidget *parent) {
    auto *frame = new QFrame(parent);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setAutoFillBackground(true);
    QPalette p = frame->palette();
    const QColor base = p.color(QPalette::Base), hl = p.color(QPalette::Highlight);
    p.setColor(QPalette::Window,
               QColor((base.red() * 4 + hl.red()) / 5, (base.green() * 4 + hl.green()) / 5,
                      (base.blue() * 4 + hl.blue()) / 5));
    frame->setPalette(p);
    return frame;
}

} // namespace

NewSessionDialog::NewSessionDialog(const QStringList &recentRepositories, QWidget *parent)
    : QDialog(parent) {
    setObjectName(QStringLiteral("NewSessionDialog"));
    setWindowTitle(tr("New bisect session"));
    auto *layout = new QVBoxLayout(this);

    auto *top = new QHBoxLayout;
    top->addWidget(buildRepositorySection(), 1);
    top->addWidget(buildRangeSection(), 1);
    layout->addLayout(top);
    layout->addWidget(buildRecipeSection(), 1);

    auto *bottom = new QHBoxLayout;
    m_reason = new QLabel(this);
    m_reason->setObjectName(QStringLiteral("incompleteReason"));
    m_reason->setWordWrap(true);
    bottom->addWidget(m_reason, 1);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_start = m_buttons->addButton(tr("&Start"), QDialogButtonBox::AcceptRole);
    m_start->setObjectName(QStringLiteral("startButton"));
    m_start->setDefault(true);
    m_start->setEnabled(false);
    bottom->addWidget(m_buttons);
    layout->addLayout(bottom);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        m_editor->validateNow();
        updateComplete();
        if (isComplete())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    m_repo->addItems(recentRepositories);
    restoreSettings();
    sourceChanged();
    if (!recentRepositories.isEmpty())
        m_repo->setCurrentIndex(0);
    probeRepository();
    resize(1080, 820);
}

NewSessionDialog::~NewSessionDialog() = default;

QWidget *NewSessionDialog::buildRepositorySection() {
    auto *box = new QGroupBox(tr("Repository"), this);
    auto *layout = new QVBoxLayout(box);
    auto *row = new QHBoxLayout;
    m_repo = new QComboBox(box);
    m_repo->setObjectName(QStringLiteral("repositoryCombo"));
    m_repo->setEditable(true);
    m_repo->setInsertPolicy(QComboBox::NoInsert);
    m_repo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_repo->setMinimumContentsLength(24);
    m_repo->lineEdit()->setPlaceholderText(tr("a git work tree"));
    auto *fsModel = new QFileSystemModel(m_repo);
    fsModel->setFilter(QDir::AllDirs | QDir::NoDotAndDotDot);
    fsModel->setRootPath(QString());
    auto *pathCompleter = new QCompleter(fsModel, m_repo);
    m_repo->setCompleter(pathCompleter);
    auto *label = new QLabel(tr("&Path:"), box);
    label->setBuddy(m_repo);
    row->addWidget(label);
    row->addWidget(m_repo, 1);
    auto *browse = new QPushButton(tr("Br&owse…"), box);
    browse->setObjectName(QStringLiteral("browseRepository"));
    browse->setAutoDefault(false);
    row->addWidget(browse);
    layout->addLayout(row);

    m_repoStatus = new QLabel(box);
    m_repoStatus->setObjectName(QStringLiteral("repositoryStatus"));
    m_repoStatus->setWordWrap(true);
    m_repoStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_repoStatus);

    auto *notice = noticeFrame(box);
    notice->setObjectName(QStringLiteral("bisectInProgressNotice"));
    auto *noticeLayout = new QVBoxLayout(notice);
    m_bisectText = new QLabel(notice);
    m_bisectText->setObjectName(QStringLiteral("bisectInProgressLabel"));
    m_bisectText->setWordWrap(true);
    m_bisectText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    noticeLayout->addWidget(m_bisectText);
    m_adopt = new QCheckBox(tr("&Continue it (its marks and terms are kept)"), notice);
    m_adopt->setObjectName(QStringLiteral("adoptCheck"));
    m_adopt->setChecked(true);
    m_adopt->setToolTip(tr("Unchecked, starting the session ends the bisect in progress and "
                           "starts anew with the range below."));
    noticeLayout->addWidget(m_adopt);
    notice->hide();
    m_bisectNotice = notice;
    layout->addWidget(notice);
    layout->addStretch(1);

    m_repoTimer.setSingleShot(true);
    m_repoTimer.setInterval(300);
    connect(&m_repoTimer, &QTimer::timeout, this, &NewSessionDialog::probeRepository);
    connect(m_repo, &QComboBox::currentTextChanged, this, [this] {
        ++m_repoGeneration;
        m_probe.reset();
        showStatus(m_repoStatus, tr("Checking…"), Tone::Neutral);
        m_repoTimer.start();
        updateComplete();
    });
    connect(&m_repoWatcher, &QFutureWatcherBase::finished, this,
            [this] { repositoryProbed(m_repoWatcher.property("generation").toULongLong()); });
    connect(browse, &QPushButton::clicked, this, &NewSessionDialog::chooseRepository);
    connect(m_adopt, &QCheckBox::toggled, this, &NewSessionDialog::adoptToggled);
    return box;
}

QWidget *NewSessionDialog::buildRangeSection() {
    auto *box = new QGroupBox(tr("Range"), this);
    auto *grid = new QGridLayout(box);
    grid->setColumnStretch(1, 1);
    m_refModel = new QStringListModel(this);
    const QString labels[] = {tr("&Bad revision:"), tr("&Good revisions:")};
    const QString placeholders[] = {tr("e.g. HEAD"), tr("e.g. v5.10 (several: space-separated)")};
    for (int i : {BadField, GoodField}) {
        RevisionField &f = m_fields[i];
        f.edit = new QLineEdit(box);
        f.edit->setObjectName(i == BadField ? QStringLiteral("badRevision")
                                            : QStringLiteral("goodRevisions"));
        f.edit->setPlaceholderText(placeholders[i]);
        f.edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        auto *label = new QLabel(labels[i], box);
        label->setObjectName(i == BadField ? QStringLiteral("badLabel")
                                           : QStringLiteral("goodLabel"));
        label->setBuddy(f.edit);
        f.status = new QLabel(box);
        f.status->setObjectName(i == BadField ? QStringLiteral("badStatus")
                                              : QStringLiteral("goodStatus"));
        f.status->setTextInteractionFlags(Qt::TextSelectableByMouse);
        f.status->setWordWrap(true);
        grid->addWidget(label, i * 2, 0);
        grid->addWidget(f.edit, i * 2, 1, 1, 3);
        grid->addWidget(f.status, i * 2 + 1, 1, 1, 3);

        // Completion of the word under the cursor, so several goods can be completed.
        auto *completer = new QCompleter(m_refModel, this);
        completer->setObjectName(i == BadField ? QStringLiteral("badCompleter")
                                               : QStringLiteral("goodCompleter"));
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        completer->setFilterMode(Qt::MatchStartsWith);
        completer->setWidget(f.edit);
        completer->setCompletionMode(QCompleter::PopupCompletion);
        QLineEdit *edit = f.edit;
        connect(edit, &QLineEdit::textEdited, completer, [edit, completer] {
            const QString before = edit->text().left(edit->cursorPosition());
            const QString word = before.mid(before.lastIndexOf(u' ') + 1);
            if (word.isEmpty()) {
                completer->popup()->hide();
                return;
            }
            completer->setCompletionPrefix(word);
            if (completer->completionCount() > 0 &&
                !(completer->completionCount() == 1 && completer->currentCompletion() == word))
                completer->complete();
            else
                completer->popup()->hide();
        });
        connect(completer, qOverload<const QString &>(&QCompleter::activated), edit,
                [edit](const QString &name) {
                    const QString text = edit->text();
                    const int cursor = edit->cursorPosition();
                    const qsizetype start = text.left(cursor).lastIndexOf(u' ') + 1;
                    qsizetype end = text.indexOf(u' ', cursor);
                    if (end < 0)
                        end = text.size();
                    edit->setText(text.left(start) + name + text.mid(end));
                    edit->setCursorPosition(int(start + name.size()));
                });

        f.timer.setSingleShot(true);
        f.timer.setInterval(200);
        connect(&f.timer, &QTimer::timeout, this, [this, i] { checkRevisions(i); });
        connect(f.edit, &QLineEdit::textChanged, this, [this, i] {
            RevisionField &field = m_fields[i];
            ++field.generation;
            field.check.reset();
            field.timer.start();
            updateComplete();
        });
        connect(&f.watcher, &QFutureWatcherBase::finished, this, [this, i] {
            revisionsResolved(i, m_fields[i].watcher.property("generation").toULongLong());
        });
    }
    m_fields[BadField].edit->setText(QStringLiteral("HEAD"));

    auto *termsLabel = new QLabel(tr("&Terms:"), box);
    m_termOld = new QLineEdit(QStringLiteral("good"), box);
    m_termOld->setObjectName(QStringLiteral("termOld"));
    m_termOld->setToolTip(tr("The term for the old state (git's default: good)"));
    m_termNew = new QLineEdit(QStringLiteral("bad"), box);
    m_termNew->setObjectName(QStringLiteral("termNew"));
    m_termNew->setToolTip(tr("The term for the new state (git's default: bad)"));
    termsLabel->setBuddy(m_termOld);
    auto *termsRow = new QHBoxLayout;
    termsRow->addWidget(new QLabel(tr("old:"), box));
    termsRow->addWidget(m_termOld, 1);
    termsRow->addWidget(new QLabel(tr("new:"), box));
    termsRow->addWidget(m_termNew, 1);
    grid->addWidget(termsLabel, 4, 0);
    grid->addLayout(termsRow, 4, 1, 1, 3);
    m_termsStatus = new QLabel(box);
    m_termsStatus->setObjectName(QStringLiteral("termsStatus"));
    m_termsStatus->setWordWrap(true);
    m_termsStatus->hide();
    grid->addWidget(m_termsStatus, 5, 1, 1, 3);
    m_firstParent = new QCheckBox(tr("&First parent only (treat merges as single commits)"), box);
    m_firstParent->setObjectName(QStringLiteral("firstParentCheck"));
    grid->addWidget(m_firstParent, 6, 1, 1, 3);
    grid->setRowStretch(7, 1);
    connect(m_termOld, &QLineEdit::textEdited, this, [this] {
        m_termsEdited = true;
        termsEdited();
    });
    connect(m_termNew, &QLineEdit::textEdited, this, [this] {
        m_termsEdited = true;
        termsEdited();
    });
    return box;
}

QWidget *NewSessionDialog::buildRecipeSection() {
    auto *box = new QGroupBox(tr("Recipe: how one commit is tested"), this);
    auto *layout = new QVBoxLayout(box);
    auto *choices = new QHBoxLayout;
    m_sourceFile = new QRadioButton(tr("A recipe fi&le"), box);
    m_sourceFile->setObjectName(QStringLiteral("sourceFile"));
    m_sourceScript = new QRadioButton(tr("A `git bisect r&un` script"), box);
    m_sourceScript->setObjectName(QStringLiteral("sourceScript"));
    m_sourceEditor = new QRadioButton(tr("&Write a recipe"), box);
    m_sourceEditor->setObjectName(QStringLiteral("sourceEditor"));
    m_sourceGroup = new QButtonGroup(this);
    m_sourceGroup->addButton(m_sourceFile, int(RecipeSource::File));
    m_sourceGroup->addButton(m_sourceScript, int(RecipeSource::Script));
    m_sourceGroup->addButton(m_sourceEditor, int(RecipeSource::Editor));
    m_sourceEditor->setChecked(true);
    choices->addWidget(m_sourceFile);
    choices->addWidget(m_sourceScript);
    choices->addWidget(m_sourceEditor);
    choices->addStretch(1);
    layout->addLayout(choices);

    m_sourcePages = new QStackedWidget(box);
    layout->addWidget(m_sourcePages, 1);

    // A recipe file
    auto *filePage = new QWidget(m_sourcePages);
    auto *fileLayout = new QVBoxLayout(filePage);
    fileLayout->setContentsMargins(0, 0, 0, 0);
    auto *fileRow = new QHBoxLayout;
    m_recipeFile = new QLineEdit(filePage);
    m_recipeFile->setObjectName(QStringLiteral("recipeFile"));
    m_recipeFile->setPlaceholderText(tr("a recipe .toml file"));
    fileRow->addWidget(m_recipeFile, 1);
    auto *browseFile = new QPushButton(tr("Brows&e…"), filePage);
    browseFile->setAutoDefault(false);
    fileRow->addWidget(browseFile);
    m_editFile = new QPushButton(tr("Edit a cop&y"), filePage);
    m_editFile->setObjectName(QStringLiteral("editRecipeCopy"));
    m_editFile->setAutoDefault(false);
    m_editFile->setToolTip(tr("Open the file's text in the recipe editor"));
    m_editFile->setEnabled(false);
    fileRow->addWidget(m_editFile);
    fileLayout->addLayout(fileRow);
    m_recipeFileStatus = new QLabel(filePage);
    m_recipeFileStatus->setObjectName(QStringLiteral("recipeFileStatus"));
    m_recipeFileStatus->setWordWrap(true);
    fileLayout->addWidget(m_recipeFileStatus);
    m_recipeFileIssues = new QListWidget(filePage);
    m_recipeFileIssues->setObjectName(QStringLiteral("recipeFileIssues"));
    m_recipeFileIssues->setWordWrap(true);
    m_recipeFileIssues->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_recipeFileIssues->hide();
    fileLayout->addWidget(m_recipeFileIssues, 1);
    fileLayout->addStretch(0);
    m_sourcePages->addWidget(filePage);

    // A script
    auto *scriptPage = new QWidget(m_sourcePages);
    auto *scriptForm = new QFormLayout(scriptPage);
    scriptForm->setContentsMargins(0, 0, 0, 0);
    auto *scriptRow = new QHBoxLayout;
    m_script = new QLineEdit(scriptPage);
    m_script->setObjectName(QStringLiteral("scriptPath"));
    m_script->setPlaceholderText(tr("an executable, e.g. ~/bisect.sh"));
    scriptRow->addWidget(m_script, 1);
    auto *browseScript = new QPushButton(tr("B&rowse…"), scriptPage);
    browseScript->setAutoDefault(false);
    scriptRow->addWidget(browseScript);
    scriptForm->addRow(tr("Script:"), scriptRow);
    m_scriptStatus = new QLabel(scriptPage);
    m_scriptStatus->setObjectName(QStringLiteral("scriptStatus"));
    m_scriptStatus->setWordWrap(true);
    scriptForm->addRow(QString(), m_scriptStatus);
    m_scriptTimeout = new QLineEdit(scriptPage);
    m_scriptTimeout->setObjectName(QStringLiteral("scriptTimeout"));
    m_scriptTimeout->setPlaceholderText(tr("none, e.g. 10m (a run that takes longer is bad)"));
    scriptForm->addRow(tr("Timeout:"), m_scriptTimeout);
    auto *scriptHelp = new QLabel(
        tr("Run in a worktree of the commit under test, with git bisect run's exit codes: "
           "0 good, 125 skip, 1–127 bad, anything else stops the session."),
        scriptPage);
    scriptHelp->setWordWrap(true);
    scriptForm->addRow(QString(), scriptHelp);
    m_sourcePages->addWidget(scriptPage);

    // Written here
    m_editor = new RecipeEditor(m_sourcePages);
    m_editor->setObjectName(QStringLiteral("recipeEditor"));
    m_sourcePages->addWidget(m_editor);

    m_recipeProblem = new QLabel(box);
    m_recipeProblem->setObjectName(QStringLiteral("recipeProblem"));
    m_recipeProblem->setWordWrap(true);
    m_recipeProblem->hide();
    layout->addWidget(m_recipeProblem);

    connect(m_sourceGroup, &QButtonGroup::idToggled, this, [this](int, bool checked) {
        if (checked)
            sourceChanged();
    });
    m_fileTimer.setSingleShot(true);
    m_fileTimer.setInterval(200);
    connect(&m_fileTimer, &QTimer::timeout, this, &NewSessionDialog::loadRecipeFile);
    connect(m_recipeFile, &QLineEdit::textChanged, this, [this] {
        ++m_fileGeneration;
        m_fileLoad.reset();
        m_fileTimer.start();
        updateComplete();
    });
    connect(&m_fileWatcher, &QFutureWatcherBase::finished, this,
            [this] { recipeFileLoaded(m_fileWatcher.property("generation").toULongLong()); });
    connect(browseFile, &QPushButton::clicked, this, &NewSessionDialog::chooseRecipeFile);
    connect(m_editFile, &QPushButton::clicked, this, [this] {
        QFile file(m_fileLoadedPath);
        if (!file.open(QIODevice::ReadOnly))
            return;
        // A copy: saved only where the user says; relative paths still mean the original's.
        m_editor->setFileName(QString());
        m_editor->setBaseFolder(QFileInfo(m_fileLoadedPath).absolutePath());
        m_editor->setTomlText(QString::fromUtf8(file.readAll()));
        setRecipeSource(RecipeSource::Editor);
        m_editor->setFocus();
    });
    connect(m_script, &QLineEdit::textChanged, this, &NewSessionDialog::checkScript);
    connect(m_scriptTimeout, &QLineEdit::textChanged, this, &NewSessionDialog::checkScript);
    connect(browseScript, &QPushButton::clicked, this, &NewSessionDialog::chooseScript);
    connect(m_editor, &RecipeEditor::validated, this, &NewSessionDialog::updateComplete);
    return box;
}

// Repository ------------------------------------------------------------------------

void NewSessionDialog::setRepositoryPath(const QString &path) {
    m_repo->setCurrentText(path);
    m_repoTimer.stop();
    probeRepository();
}

void NewSessionDialog::chooseRepository() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Choose a repository"),
        m_probe && m_probe->error.isEmpty() ? m_probe->workDir : QDir::homePath());
    if (!dir.isEmpty())
        setRepositoryPath(dir);
}

void NewSessionDialog::probeRepository() {
    m_repoTimer.stop();
    m_probe.reset();
    const QString path = m_repo->currentText();
    showStatus(m_repoStatus, tr("Checking %1…").arg(path), Tone::Neutral);
    // The worker opens its own repository: one native handle, one owning thread.
    m_repoWatcher.setProperty("generation", m_repoGeneration);
    m_repoPending = true;
    m_repoWatcher.setFuture(QtConcurrent::run([path] { return probe(path); }));
    updateComplete();
}

void NewSessionDialog::repositoryProbed(quint64 generation) {
    m_repoPending = false;
    if (generation != m_repoGeneration)
        return; // the path changed since
    m_probe = m_repoWatcher.result();
    const RepositoryProbe &p = *m_probe;
    if (!p.error.isEmpty()) {
        showStatus(m_repoStatus, p.error,
                   m_repo->currentText().trimmed().isEmpty() ? Tone::Neutral : Tone::Error);
        m_refModel->setStringList({});
        m_bisectNotice->hide();
    } else {
        showStatus(m_repoStatus,
                   p.refNames.size() == 2
                       ? tr("✓ %1 — 1 branch or tag").arg(QDir::toNativeSeparators(p.workDir))
                       : tr("✓ %1 — %2 branches and tags")
                             .arg(QDir::toNativeSeparators(p.workDir))
                             .arg(p.refNames.size() - 1),
                   Tone::Ok);
        m_refModel->setStringList(p.refNames);
        m_editor->setBaseFolder(p.workDir);
        if (p.bisectInProgress) {
            QString text = tr("<b>A bisect is in progress here</b> (started on the command "
                              "line: %1")
                               .arg(p.marks == 1 ? tr("1 mark") : tr("%1 marks").arg(p.marks));
            if (!p.badText.isEmpty())
                text += tr(", %1 %2").arg(p.termBad.toHtmlEscaped(), p.badText.toHtmlEscaped());
            for (const QString &good : p.goodTexts)
                text += tr(", %1 %2").arg(p.termGood.toHtmlEscaped(), good.toHtmlEscaped());
            text += u')';
            m_bisectText->setText(text);
        }
        m_bisectNotice->setVisible(p.bisectInProgress);
    }
    adoptToggled(); // checks the revisions against this repository
    emit repositoryChecked();
}

bool NewSessionDialog::adopting() const {
    return m_probe && m_probe->error.isEmpty() && m_probe->bisectInProgress && m_adopt->isChecked();
}

void NewSessionDialog::adoptToggled() {
    const bool adopt = adopting();
    for (RevisionField &f : m_fields)
        f.edit->setEnabled(!adopt);
    m_termOld->setEnabled(!adopt);
    m_termNew->setEnabled(!adopt);
    if (adopt) {
        m_termOld->setText(m_probe->termGood);
        m_termNew->setText(m_probe->termBad);
    }
    for (int i : {BadField, GoodField})
        checkRevisions(i);
    termsEdited();
}

QStringList NewSessionDialog::completionNames() const {
    return m_refModel->stringList();
}

// Range ------------------------------------------------------------------------------

void NewSessionDialog::checkRevisions(int field) {
    RevisionField &f = m_fields[field];
    f.timer.stop();
    const QStringList revs = words(f.edit->text());
    if (adopting()) {
        showStatus(f.status,
                   field == BadField ? tr("The bisect in progress gives the range.") : QString(),
                   Tone::Neutral);
        return;
    }
    if (!m_probe || !m_probe->error.isEmpty()) {
        showStatus(f.status, QString(), Tone::Neutral);
        return;
    }
    if (revs.isEmpty()) {
        f.check = RevisionCheck{field == BadField ? tr("Give the revision where the problem shows.")
                                                  : tr("Give at least one revision where it did "
                                                       "not."),
                                {}};
        showRevision(field);
        updateComplete();
        emit revisionsChecked();
        return;
    }
    if (field == BadField && revs.size() > 1) {
        f.check = RevisionCheck{tr("Only one bad revision, please."), {}};
        showRevision(field);
        updateComplete();
        emit revisionsChecked();
        return;
    }
    showStatus(f.status, tr("Checking…"), Tone::Neutral);
    f.watcher.setProperty("generation", f.generation);
    f.pending = true;
    f.watcher.setFuture(
        QtConcurrent::run([dir = m_probe->workDir, revs] { return resolve(dir, revs); }));
}

void NewSessionDialog::revisionsResolved(int field, quint64 generation) {
    RevisionField &f = m_fields[field];
    f.pending = false;
    if (generation != f.generation)
        return; // typed on since
    f.check = f.watcher.result();
    showRevision(field);
    updateComplete();
    emit revisionsChecked();
}

void NewSessionDialog::showRevision(int field) {
    RevisionField &f = m_fields[field];
    if (!f.check)
        return;
    if (!f.check->error.isEmpty()) {
        const bool typed = !f.edit->text().trimmed().isEmpty();
        showStatus(f.status, f.check->error, typed ? Tone::Error : Tone::Neutral);
        return;
    }
    showStatus(f.status, QStringLiteral("✓ ") + f.check->commits.join(QStringLiteral("\n✓ ")),
               Tone::Ok);
}

void NewSessionDialog::termsEdited() {
    const QString problem =
        Terms::validate(m_termNew->text().trimmed(), m_termOld->text().trimmed());
    m_termsStatus->setVisible(!problem.isEmpty());
    if (!problem.isEmpty())
        showStatus(m_termsStatus, problem, Tone::Error);
    // The labels speak the session's language.
    const QString bad = m_termNew->text().trimmed(), good = m_termOld->text().trimmed();
    if (auto *label = findChild<QLabel *>(QStringLiteral("badLabel")))
        label->setText(bad.isEmpty() || bad == u"bad" ? tr("&Bad revision:")
                                                      : tr("%1 revision:").arg(bad));
    if (auto *label = findChild<QLabel *>(QStringLiteral("goodLabel")))
        label->setText(good.isEmpty() || good == u"good" ? tr("&Good revisions:")
                                                         : tr("%1 revisions:").arg(good));
    updateComplete();
}

// Recipe -----------------------------------------------------------------------------

void NewSessionDialog::setRecipeSource(RecipeSource source) {
    if (QAbstractButton *b = m_sourceGroup->button(int(source)))
        b->setChecked(true);
    sourceChanged();
}

void NewSessionDialog::sourceChanged() {
    const auto source = RecipeSource(m_sourceGroup->checkedId());
    m_sourcePages->setCurrentIndex(source == RecipeSource::File     ? 0
                                   : source == RecipeSource::Script ? 1
                                                                    : 2);
    updateComplete();
}

void NewSessionDialog::setRecipeFile(const QString &path) {
    m_recipeFile->setText(path);
    loadRecipeFile();
}

void NewSessionDialog::chooseRecipeFile() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose a recipe"),
        m_recipeFile->text().isEmpty() ? (m_probe ? m_probe->workDir : QDir::homePath())
                                       : m_recipeFile->text(),
        tr("Recipes (*.toml);;All files (*)"));
    if (!path.isEmpty()) {
        setRecipeSource(RecipeSource::File);
        setRecipeFile(path);
    }
}

void NewSessionDialog::loadRecipeFile() {
    m_fileTimer.stop();
    m_fileLoad.reset();
    m_recipeFileIssues->clear();
    m_recipeFileIssues->hide();
    const QString path = QDir::fromNativeSeparators(m_recipeFile->text().trimmed());
    if (path.isEmpty()) {
        showStatus(m_recipeFileStatus, tr("Choose a recipe file."), Tone::Neutral);
        updateComplete();
        return;
    }
    showStatus(m_recipeFileStatus, tr("Reading…"), Tone::Neutral);
    m_fileLoadedPath = path;
    m_fileWatcher.setProperty("generation", m_fileGeneration);
    m_filePending = true;
    m_fileWatcher.setFuture(
        QtConcurrent::run([path] { return recipe::RecipeLoader::loadFile(path); }));
}

void NewSessionDialog::recipeFileLoaded(quint64 generation) {
    m_filePending = false;
    if (generation != m_fileGeneration)
        return;
    m_fileLoad = m_fileWatcher.result();
    const recipe::RecipeLoad &load = *m_fileLoad;
    if (load.ok()) {
        const QString name =
            load.recipe.name.isEmpty() ? QFileInfo(m_fileLoadedPath).fileName() : load.recipe.name;
        showStatus(m_recipeFileStatus,
                   tr("✓ %1 — build: %2, test: %3")
                       .arg(name, buildKindName(load.recipe.build.kind),
                            testKindName(load.recipe.test.kind)),
                   Tone::Ok);
        // The recipe's terms, unless the user chose some already.
        if (!m_termsEdited && !adopting()) {
            m_termOld->setText(load.recipe.bisect.termOld);
            m_termNew->setText(load.recipe.bisect.termNew);
            termsEdited();
        }
    } else {
        showStatus(m_recipeFileStatus,
                   load.issues.size() == 1 ? tr("1 issue in the recipe:")
                                           : tr("%1 issues in the recipe:").arg(load.issues.size()),
                   Tone::Error);
        for (const RecipeIssue &issue : load.issues) {
            auto *item = new QListWidgetItem(issue.toString(), m_recipeFileIssues);
            item->setForeground(palette::errorColor(palette()));
        }
        m_recipeFileIssues->show();
    }
    m_editFile->setEnabled(QFileInfo::exists(m_fileLoadedPath));
    updateComplete();
}

void NewSessionDialog::setScriptPath(const QString &path) {
    m_script->setText(path);
}

void NewSessionDialog::chooseScript() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose a git bisect run script"),
        m_script->text().isEmpty() ? (m_probe ? m_probe->workDir : QDir::homePath())
                                   : m_script->text());
    if (!path.isEmpty()) {
        setRecipeSource(RecipeSource::Script);
        m_script->setText(path);
    }
}

void NewSessionDialog::checkScript() {
    const QString path = m_script->text().trimmed();
    const QFileInfo info(path);
    if (path.isEmpty())
        showStatus(m_scriptStatus, tr("Choose the script git bisect run would run."),
                   Tone::Neutral);
    else if (!info.isFile())
        showStatus(m_scriptStatus, tr("No such file."), Tone::Error);
    else if (!info.isExecutable())
        showStatus(m_scriptStatus, tr("Not executable (chmod +x %1).").arg(info.fileName()),
                   Tone::Error);
    else
        showStatus(m_scriptStatus,
                   tr("✓ %1").arg(QDir::toNativeSeparators(info.absoluteFilePath())), Tone::Ok);
    updateComplete();
}

std::optional<Recipe> NewSessionDialog::chosenRecipe(QString *why) const {
    const auto fail = [why](const QString &reason) -> std::optional<Recipe> {
        if (why)
            *why = reason;
        return std::nullopt;
    };
    switch (RecipeSource(m_sourceGroup->checkedId())) {
    case RecipeSource::File:
        if (m_recipeFile->text().trimmed().isEmpty())
            return fail(tr("Choose a recipe file."));
        if (!m_fileLoad)
            return fail(tr("Reading the recipe…"));
        if (!m_fileLoad->ok())
            return fail(tr("Fix the recipe file's issues."));
        return m_fileLoad->recipe;
    case RecipeSource::Script: {
        const QString path = m_script->text().trimmed();
        const QFileInfo info(path);
        if (path.isEmpty())
            return fail(tr("Choose a script."));
        if (!info.isFile() || !info.isExecutable())
            return fail(tr("The script is not an executable file."));
        Millis timeout = 0;
        if (!m_scriptTimeout->text().trimmed().isEmpty()) {
            const auto t = parseDuration(m_scriptTimeout->text().trimmed());
            if (!t || *t <= 0)
                return fail(tr("The script's timeout is not a duration (90s, 3m, 1h30m)."));
            timeout = *t;
        }
        return scriptRecipe(path, m_probe ? m_probe->workDir : QString(), timeout);
    }
    case RecipeSource::Editor:
        if (!m_editor->isValid())
            return fail(tr("Fix the recipe's issues."));
        return m_editor->recipe();
    }
    return fail(tr("Choose a recipe."));
}

// Completeness -----------------------------------------------------------------------

void NewSessionDialog::updateComplete() {
    if (!m_start)
        return; // still being built
    QString reason;
    QString recipeWhy;
    const std::optional<Recipe> recipe = chosenRecipe(&recipeWhy);
    // What this build cannot run, said under the recipe whichever way it was chosen.
    QString unsupported;
    if (recipe) {
        const Status s = pipeline::StepRunner::supports(*recipe);
        if (!s)
            unsupported = tr("This build cannot run the recipe: %1").arg(s.error().message());
    }
    m_recipeProblem->setVisible(!unsupported.isEmpty());
    if (!unsupported.isEmpty())
        showStatus(m_recipeProblem, unsupported, Tone::Error);

    if (!m_probe)
        reason = tr("Checking the repository…");
    else if (!m_probe->error.isEmpty())
        reason = m_probe->error;
    else if (!adopting()) {
        for (int i : {BadField, GoodField}) {
            const RevisionField &f = m_fields[i];
            if (!f.check) {
                reason = tr("Checking the revisions…");
                break;
            }
            if (!f.check->error.isEmpty()) {
                reason = f.check->error;
                break;
            }
        }
        if (reason.isEmpty()) {
            const QString terms =
                Terms::validate(m_termNew->text().trimmed(), m_termOld->text().trimmed());
            if (!terms.isEmpty())
                reason = terms;
        }
    }
    if (reason.isEmpty() && !recipe)
        reason = recipeWhy;
    if (reason.isEmpty() && !unsupported.isEmpty())
        reason = unsupported;

    const bool was = m_incomplete.isEmpty();
    m_incomplete = reason;
    m_start->setEnabled(reason.isEmpty());
    showStatus(m_reason, reason, Tone::Neutral);
    if (was != reason.isEmpty())
        emit completeChanged(reason.isEmpty());
}

bool NewSessionDialog::isComplete() const {
    return m_incomplete.isEmpty();
}

bool NewSessionDialog::isChecking() const {
    // Pending until the answer was handled (a future is finished before its signal is).
    if (m_repoTimer.isActive() || m_repoPending || m_fileTimer.isActive() || m_filePending)
        return true;
    return std::any_of(std::begin(m_fields), std::end(m_fields),
                       [](const RevisionField &f) { return f.timer.isActive() || f.pending; });
}

pipeline::SessionOptions NewSessionDialog::options() const {
    pipeline::SessionOptions o;
    o.repositoryPath =
        m_probe && m_probe->error.isEmpty() ? m_probe->workDir : m_repo->currentText().trimmed();
    o.recipe = chosenRecipe().value_or(Recipe{});
    o.adopt = adopting();
    if (!o.adopt) {
        o.recipe.bisect.termOld = m_termOld->text().trimmed();
        o.recipe.bisect.termNew = m_termNew->text().trimmed();
        o.bad = m_fields[BadField].edit->text().trimmed();
        o.goods = words(m_fields[GoodField].edit->text());
    }
    o.firstParent = m_firstParent->isChecked();
    return o;
}

// Settings ---------------------------------------------------------------------------

void NewSessionDialog::restoreSettings() {
    QSettings s;
    s.beginGroup(QLatin1String(SettingsGroup));
    const QString text = s.value(QStringLiteral("recipeText")).toString();
    if (!text.isEmpty())
        m_editor->setTomlText(text);
    m_recipeFile->setText(s.value(QStringLiteral("recipeFile")).toString());
    m_script->setText(s.value(QStringLiteral("script")).toString());
    m_scriptTimeout->setText(s.value(QStringLiteral("scriptTimeout")).toString());
    m_firstParent->setChecked(s.value(QStringLiteral("firstParent"), false).toBool());
    const int source = s.value(QStringLiteral("recipeSource"), int(RecipeSource::Editor)).toInt();
    if (QAbstractButton *b = m_sourceGroup->button(source))
        b->setChecked(true);
    if (!m_recipeFile->text().isEmpty())
        loadRecipeFile();
    checkScript();
}

void NewSessionDialog::saveSettings() const {
    QSettings s;
    s.beginGroup(QLatin1String(SettingsGroup));
    s.setValue(QStringLiteral("recipeText"), m_editor->tomlText());
    s.setValue(QStringLiteral("recipeFile"), m_recipeFile->text().trimmed());
    s.setValue(QStringLiteral("script"), m_script->text().trimmed());
    s.setValue(QStringLiteral("scriptTimeout"), m_scriptTimeout->text().trimmed());
    s.setValue(QStringLiteral("firstParent"), m_firstParent->isChecked());
    s.setValue(QStringLiteral("recipeSource"), m_sourceGroup->checkedId());
}

void NewSessionDialog::done(int result) {
    // Cancelled or not, nothing typed is lost.
    saveSettings();
    QDialog::done(result);
}

} // namespace bw
