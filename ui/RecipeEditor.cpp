#include "ui/RecipeEditor.h"
#include "ui/Palette.h"

#include "services/recipe/RecipeLoader.h"
#include "ui/TomlHighlighter.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBlock>
#include <QVBoxLayout>

namespace bw {

namespace {

constexpr int LineRole = Qt::UserRole;
constexpr int ColumnRole = Qt::UserRole + 1;

// The form shows a command as one line: an argv shell-quoted, a script as written.
QString commandText(const CommandSpec &c) {
    return c.display();
}

// A line typed in the form back into a command: unchanged text keeps the command as it
// was; shell syntax runs under /bin/sh -c; plain words become an argv (no shell involved).
CommandSpec commandFromText(const QString &text, const CommandSpec &previous) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return {};
    if (previous.isSet() && previous.display() == text)
        return previous;
    static const QString shellChars = QStringLiteral("|&;<>()`*?\n");
    bool shell = std::any_of(trimmed.cbegin(), trimmed.cend(),
                             [](QChar c) { return shellChars.contains(c); });
    // `$NAME` and `$(…)` are the shell's; `${name}` is a recipe variable either way.
    for (qsizetype i = trimmed.indexOf(u'$'); i >= 0 && !shell; i = trimmed.indexOf(u'$', i + 1))
        shell = i + 1 >= trimmed.size() || trimmed[i + 1] != u'{';
    if (shell)
        return CommandSpec::fromShell(trimmed);
    return CommandSpec::fromArgv(QProcess::splitCommand(trimmed));
}

QString durationText(Millis ms) {
    return ms > 0 ? formatDuration(ms) : QString();
}

// Marks a field whose text does not read; returns whether it reads.
bool markField(QLineEdit *field, bool ok, const QString &why) {
    QPalette p = field->parentWidget() ? field->parentWidget()->palette() : field->palette();
    if (!ok) {
        const QColor base = p.color(QPalette::Base);
        const QColor red = palette::errorColor(p);
        p.setColor(QPalette::Base,
                   QColor((base.red() * 3 + red.red()) / 4, (base.green() * 3 + red.green()) / 4,
                          (base.blue() * 3 + red.blue()) / 4));
    }
    field->setPalette(p);
    field->setToolTip(ok ? QString() : why);
    return ok;
}

bool readDuration(QLineEdit *field, Millis &into) {
    const QString text = field->text().trimmed();
    if (text.isEmpty()) {
        into = 0;
        return markField(field, true, {});
    }
    const auto d = parseDuration(text);
    if (!d || *d < 0)
        return markField(field, false,
                         RecipeEditor::tr("Not a duration: write 90s, 3m, 1h30m or seconds."));
    into = *d;
    return markField(field, true, {});
}

template <typename Enum>
QComboBox *kindCombo(QWidget *parent, const QString &objectName, std::initializer_list<Enum> kinds,
                     QString (*name)(Enum)) {
    auto *combo = new QComboBox(parent);
    combo->setObjectName(objectName);
    for (Enum k : kinds)
        combo->addItem(name(k), QVariant::fromValue(int(k)));
    return combo;
}

template <typename Enum> Enum comboKind(const QComboBox *combo) {
    return Enum(combo->currentData().toInt());
}
template <typename Enum> void setComboKind(QComboBox *combo, Enum kind) {
    combo->setCurrentIndex(qMax(0, combo->findData(int(kind))));
}

QLineEdit *lineEdit(QWidget *parent, const QString &objectName, const QString &placeholder = {}) {
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(false);
    return edit;
}

} // namespace

RecipeEditor::RecipeEditor(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("recipeSplitter"));
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter);

    auto *formSide = new QWidget(splitter);
    buildForm(formSide);
    auto *tomlSide = new QWidget(splitter);
    buildTomlSide(tomlSide);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    m_validateTimer.setSingleShot(true);
    m_validateTimer.setInterval(250);
    connect(&m_validateTimer, &QTimer::timeout, this, &RecipeEditor::validateNow);

    setRecipe(Recipe{});
}

RecipeEditor::~RecipeEditor() = default;

void RecipeEditor::buildForm(QWidget *host) {
    auto *outer = new QVBoxLayout(host);
    outer->setContentsMargins(0, 0, 0, 0);
    m_formLocked = new QLabel(host);
    m_formLocked->setObjectName(QStringLiteral("formLockedLabel"));
    m_formLocked->setWordWrap(true);
    {
        QPalette p = m_formLocked->palette();
        p.setColor(QPalette::WindowText, palette::errorColor(p));
        m_formLocked->setPalette(p);
    }
    m_formLocked->setText(tr("The form follows the TOML again once its mistakes are fixed; "
                             "editing the form now would drop what it cannot read."));
    m_formLocked->hide();
    outer->addWidget(m_formLocked);

    auto *scroll = new QScrollArea(host);
    scroll->setObjectName(QStringLiteral("recipeFormScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    outer->addWidget(scroll, 1);
    m_form = new QWidget(scroll);
    m_form->setObjectName(QStringLiteral("recipeForm"));
    auto *column = new QVBoxLayout(m_form);
    scroll->setWidget(m_form);

    const auto group = [&](const QString &title, QFormLayout *&form) {
        auto *box = new QGroupBox(title, m_form);
        form = new QFormLayout(box);
        form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        column->addWidget(box);
        return box;
    };

    group(tr("General"), m_generalForm);
    m_name = lineEdit(m_form, QStringLiteral("recipeName"), tr("shown in reports"));
    m_generalForm->addRow(tr("&Name:"), m_name);
    m_checkout = kindCombo(m_form, QStringLiteral("checkoutMode"),
                           {CheckoutMode::Worktree, CheckoutMode::InPlace, CheckoutMode::None},
                           &checkoutModeName);
    m_checkout->setToolTip(tr("worktree: a persistent worktree per session (incremental "
                              "builds, your work tree untouched); in-place: like git bisect"));
    m_generalForm->addRow(tr("Chec&kout:"), m_checkout);

    group(tr("Build"), m_buildForm);
    m_buildKind = kindCombo(m_form, QStringLiteral("buildKind"),
                            {BuildKind::None, BuildKind::Command, BuildKind::Make, BuildKind::Nix},
                            &buildKindName);
    m_buildForm->addRow(tr("Build:"), m_buildKind);
    m_buildCommand = lineEdit(m_form, QStringLiteral("buildCommand"), tr("make -j2"));
    m_buildForm->addRow(tr("Command:"), m_buildCommand);
    m_makeTarget = lineEdit(m_form, QStringLiteral("makeTarget"), tr("bzImage"));
    m_buildForm->addRow(tr("Make target:"), m_makeTarget);
    m_makeJobs = new QSpinBox(m_form);
    m_makeJobs->setObjectName(QStringLiteral("makeJobs"));
    m_makeJobs->setRange(0, 1024);
    m_makeJobs->setSpecialValueText(tr("make's default"));
    m_buildForm->addRow(tr("Jobs:"), m_makeJobs);
    m_nixFlake = lineEdit(m_form, QStringLiteral("nixFlake"), QStringLiteral(".#qemuImage"));
    m_buildForm->addRow(tr("Flake output:"), m_nixFlake);
    m_buildTimeout = lineEdit(m_form, QStringLiteral("buildTimeout"), tr("none, e.g. 30m"));
    m_buildForm->addRow(tr("Timeout:"), m_buildTimeout);

    group(tr("Deploy"), m_deployForm);
    m_deployKind = kindCombo(m_form, QStringLiteral("deployKind"),
                             {DeployKind::None, DeployKind::LibvirtKernel, DeployKind::LibvirtDisk,
                              DeployKind::SshInstall},
                             &deployKindName);
    m_deployForm->addRow(tr("Deploy:"), m_deployKind);
    m_deployUri = lineEdit(m_form, QStringLiteral("deployUri"), QStringLiteral("qemu:///system"));
    m_deployForm->addRow(tr("libvirt URI:"), m_deployUri);
    m_deployDomain = lineEdit(m_form, QStringLiteral("deployDomain"), tr("an existing domain"));
    m_deployForm->addRow(tr("Domain:"), m_deployDomain);
    m_deployXml = lineEdit(m_form, QStringLiteral("deployXml"), tr("or a domain XML template"));
    m_deployForm->addRow(tr("Domain XML:"), m_deployXml);
    m_deployKernel = lineEdit(m_form, QStringLiteral("deployKernel"),
                              QStringLiteral("${worktree}/arch/x86/boot/bzImage"));
    m_deployForm->addRow(tr("Kernel:"), m_deployKernel);
    m_deployCmdline =
        lineEdit(m_form, QStringLiteral("deployCmdline"), QStringLiteral("console=ttyS0"));
    m_deployForm->addRow(tr("Command line:"), m_deployCmdline);
    m_deployImage =
        lineEdit(m_form, QStringLiteral("deployImage"), QStringLiteral("${result}/nixos.qcow2"));
    m_deployForm->addRow(tr("New image:"), m_deployImage);
    m_deployDisk = lineEdit(m_form, QStringLiteral("deployDisk"), tr("the domain's disk"));
    m_deployForm->addRow(tr("Disk to replace:"), m_deployDisk);
    m_deployCommand = lineEdit(m_form, QStringLiteral("deployCommand"), tr("install command"));
    m_deployForm->addRow(tr("Install command:"), m_deployCommand);
    m_deployTimeout = lineEdit(m_form, QStringLiteral("deployTimeout"), tr("none, e.g. 5m"));
    m_deployForm->addRow(tr("Timeout:"), m_deployTimeout);

    group(tr("Wait"), m_waitForm);
    m_waitKind = kindCombo(m_form, QStringLiteral("waitKind"),
                           {WaitKind::None, WaitKind::Ssh, WaitKind::Console}, &waitKindName);
    m_waitForm->addRow(tr("Wait for:"), m_waitKind);
    m_waitHost = lineEdit(m_form, QStringLiteral("waitHost"), QStringLiteral("127.0.0.1"));
    m_waitForm->addRow(tr("Host:"), m_waitHost);
    m_waitPort = new QSpinBox(m_form);
    m_waitPort->setObjectName(QStringLiteral("waitPort"));
    m_waitPort->setRange(1, 65535);
    m_waitForm->addRow(tr("Port:"), m_waitPort);
    m_waitUser = lineEdit(m_form, QStringLiteral("waitUser"), QStringLiteral("root"));
    m_waitForm->addRow(tr("User:"), m_waitUser);
    m_waitPattern = lineEdit(m_form, QStringLiteral("waitPattern"), QStringLiteral("login:"));
    m_waitForm->addRow(tr("Console pattern:"), m_waitPattern);
    m_waitTimeout = lineEdit(m_form, QStringLiteral("waitTimeout"), tr("none, e.g. 2m"));
    m_waitForm->addRow(tr("Timeout:"), m_waitTimeout);

    group(tr("Test"), m_testForm);
    m_testKind = kindCombo(
        m_form, QStringLiteral("testKind"),
        {TestKind::Command, TestKind::RemoteCommand, TestKind::Transfer, TestKind::Script},
        &testKindName);
    m_testForm->addRow(tr("Test:"), m_testKind);
    m_testCommand = lineEdit(m_form, QStringLiteral("testCommand"), tr("./run-test"));
    m_testCommand->setToolTip(tr("Plain words run directly; shell syntax (pipes, $VAR, …) runs "
                                 "under /bin/sh -c. ${commit}, ${worktree}, … are replaced."));
    m_testForm->addRow(tr("Co&mmand:"), m_testCommand);
    m_testFile = lineEdit(m_form, QStringLiteral("testFile"), tr("local file to upload"));
    m_testForm->addRow(tr("File:"), m_testFile);
    m_testDestination = lineEdit(m_form, QStringLiteral("testDestination"), tr("/dev/null"));
    m_testForm->addRow(tr("Destination:"), m_testDestination);
    m_testRepeat = new QSpinBox(m_form);
    m_testRepeat->setObjectName(QStringLiteral("testRepeat"));
    m_testRepeat->setRange(1, 1000000);
    m_testRepeat->setSuffix(tr(" ×"));
    m_testForm->addRow(tr("Repe&at:"), m_testRepeat);
    m_testTimeout = lineEdit(m_form, QStringLiteral("testTimeout"), tr("none, e.g. 3m"));
    m_testForm->addRow(tr("Timeout each:"), m_testTimeout);

    group(tr("Bisect"), m_bisectForm);
    m_mode = kindCombo(m_form, QStringLiteral("bisectMode"),
                       {BisectMode::Classic, BisectMode::Flaky}, &bisectModeName);
    m_mode->setToolTip(tr("flaky: for intermittent failures, a posterior over the culprit"));
    m_bisectForm->addRow(tr("Mode:"), m_mode);
    m_detection = new QDoubleSpinBox(m_form);
    m_detection->setObjectName(QStringLiteral("detection"));
    m_detection->setRange(0.001, 1.0);
    m_detection->setDecimals(3);
    m_detection->setSingleStep(0.05);
    m_detection->setToolTip(tr("P(the test fails | the commit is bad)"));
    m_bisectForm->addRow(tr("Detection:"), m_detection);
    m_confidence = new QDoubleSpinBox(m_form);
    m_confidence->setObjectName(QStringLiteral("confidence"));
    m_confidence->setRange(0.5, 0.999);
    m_confidence->setDecimals(3);
    m_confidence->setSingleStep(0.01);
    m_confidence->setToolTip(tr("Stop when one commit holds this posterior"));
    m_bisectForm->addRow(tr("Confidence:"), m_confidence);
    m_confirm = new QSpinBox(m_form);
    m_confirm->setObjectName(QStringLiteral("confirmCulprit"));
    m_confirm->setRange(0, 100);
    m_confirm->setSpecialValueText(tr("no"));
    m_confirm->setSuffix(tr(" × each"));
    m_confirm->setToolTip(tr("At the end, re-test the culprit and its parent N times each"));
    m_bisectForm->addRow(tr("Confirm culprit:"), m_confirm);
    m_checkEndpoints = new QCheckBox(tr("Test the good and bad commits first"), m_form);
    m_checkEndpoints->setObjectName(QStringLiteral("checkEndpoints"));
    m_bisectForm->addRow(QString(), m_checkEndpoints);
    column->addStretch(1);

    // One label column for all groups, so the fields line up from group to group.
    int labelWidth = 0;
    const QFormLayout *forms[] = {m_generalForm, m_buildForm, m_deployForm,
                                  m_waitForm,    m_testForm,  m_bisectForm};
    for (const QFormLayout *form : forms)
        for (int row = 0; row < form->rowCount(); ++row)
            if (QLayoutItem *item = form->itemAt(row, QFormLayout::LabelRole))
                labelWidth = qMax(labelWidth, item->sizeHint().width());
    for (const QFormLayout *form : forms)
        for (int row = 0; row < form->rowCount(); ++row)
            if (QLayoutItem *item = form->itemAt(row, QFormLayout::LabelRole))
                if (QWidget *label = item->widget())
                    label->setMinimumWidth(labelWidth);

    // Every field reports a user edit (setText from fillForm is guarded by m_fillingForm).
    for (QLineEdit *edit : m_form->findChildren<QLineEdit *>()) {
        if (qobject_cast<QSpinBox *>(edit->parentWidget()) ||
            qobject_cast<QDoubleSpinBox *>(edit->parentWidget()))
            continue;
        connect(edit, &QLineEdit::textEdited, this, &RecipeEditor::formEdited);
    }
    for (QComboBox *combo : m_form->findChildren<QComboBox *>())
        connect(combo, &QComboBox::currentIndexChanged, this, &RecipeEditor::formEdited);
    for (QSpinBox *spin : m_form->findChildren<QSpinBox *>())
        connect(spin, &QSpinBox::valueChanged, this, &RecipeEditor::formEdited);
    for (QDoubleSpinBox *spin : m_form->findChildren<QDoubleSpinBox *>())
        connect(spin, &QDoubleSpinBox::valueChanged, this, &RecipeEditor::formEdited);
    connect(m_checkEndpoints, &QCheckBox::toggled, this, &RecipeEditor::formEdited);
}

void RecipeEditor::buildTomlSide(QWidget *host) {
    auto *layout = new QVBoxLayout(host);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *title = new QLabel(tr("TOML (ed&it either side):"), host);
    layout->addWidget(title);
    m_text = new QPlainTextEdit(host);
    m_text->setObjectName(QStringLiteral("recipeToml"));
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setTabChangesFocus(true);
    m_text->setTabStopDistance(4 * m_text->fontMetrics().horizontalAdvance(u' '));
    title->setBuddy(m_text);
    layout->addWidget(m_text, 1);
    m_highlighter = new TomlHighlighter(m_text->document(), palette());

    auto *statusRow = new QHBoxLayout;
    m_status = new QLabel(host);
    m_status->setObjectName(QStringLiteral("recipeStatus"));
    m_status->setWordWrap(true);
    statusRow->addWidget(m_status, 1);
    m_saveAs = new QPushButton(tr("Sa&ve as…"), host);
    m_saveAs->setObjectName(QStringLiteral("recipeSaveAs"));
    m_saveAs->setAutoDefault(false);
    statusRow->addWidget(m_saveAs);
    layout->addLayout(statusRow);

    m_issueList = new QListWidget(host);
    m_issueList->setObjectName(QStringLiteral("recipeIssues"));
    m_issueList->setMaximumHeight(6 * m_issueList->fontMetrics().height());
    m_issueList->setWordWrap(true);
    m_issueList->setResizeMode(QListView::Adjust);
    m_issueList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_issueList->setToolTip(tr("Click an issue to go to it"));
    m_issueList->hide();
    layout->addWidget(m_issueList);

    connect(m_text, &QPlainTextEdit::textChanged, this, &RecipeEditor::textEdited);
    connect(m_issueList, &QListWidget::itemClicked, this, &RecipeEditor::jumpTo);
    connect(m_issueList, &QListWidget::itemActivated, this, &RecipeEditor::jumpTo);
    connect(m_saveAs, &QPushButton::clicked, this, &RecipeEditor::chooseSaveFile);
}

Recipe RecipeEditor::recipe() const {
    return m_recipe;
}

QString RecipeEditor::tomlText() const {
    return m_text->toPlainText();
}

void RecipeEditor::setTomlText(const QString &text) {
    replaceText(text);
    validateNow();
}

void RecipeEditor::setRecipe(const Recipe &recipe) {
    replaceText(recipe::RecipeLoader::toToml(recipe));
    validateNow();
}

void RecipeEditor::setBaseFolder(const QString &folder) {
    m_baseFolder = folder;
    if (m_file.isEmpty())
        m_recipe.folder = folder;
}

void RecipeEditor::setFileName(const QString &path) {
    m_file = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    validateNow();
}

bool RecipeEditor::saveAs(const QString &path, QString *error) {
    QSaveFile file(path);
    const QByteArray bytes = tomlText().toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        const QString why = tr("Cannot write %1: %2").arg(path, file.errorString());
        if (error)
            *error = why;
        m_status->setText(why);
        return false;
    }
    setFileName(path);
    emit saved(m_file);
    return true;
}

void RecipeEditor::chooseSaveFile() {
    const QString start = !m_file.isEmpty()
                              ? m_file
                              : QDir(m_baseFolder.isEmpty() ? QDir::homePath() : m_baseFolder)
                                    .filePath(QStringLiteral("recipe.toml"));
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the recipe"), start,
                                                      tr("Recipes (*.toml);;All files (*)"));
    if (!path.isEmpty())
        (void)saveAs(path);
}

void RecipeEditor::replaceText(const QString &text) {
    if (text == m_text->toPlainText())
        return;
    // Through a cursor, not setPlainText: the change stays undoable in the TOML.
    m_writingText = true;
    const int scroll = m_text->verticalScrollBar()->value();
    QTextCursor cursor(m_text->document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(text);
    cursor.endEditBlock();
    m_text->verticalScrollBar()->setValue(scroll);
    m_writingText = false;
}

void RecipeEditor::textEdited() {
    if (m_writingText)
        return;
    m_validateTimer.start();
}

bool RecipeEditor::formCanFollow() const {
    // Missing values are what the form is for; anything else (a typo, a syntax error)
    // would be lost when the form writes the TOML again.
    return std::all_of(m_issues.cbegin(), m_issues.cend(), [](const RecipeIssue &i) {
        return i.message.startsWith(QLatin1String("missing:")) ||
               i.message.startsWith(QLatin1String("must not be empty"));
    });
}

void RecipeEditor::validateNow() {
    m_validateTimer.stop();
    recipe::RecipeLoad load = recipe::RecipeLoader::parse(tomlText(), m_file);
    m_issues = std::move(load.issues);
    m_recipe = std::move(load.recipe);
    if (m_file.isEmpty())
        m_recipe.folder = m_baseFolder;
    const bool follow = formCanFollow();
    if (follow)
        fillForm(m_recipe);
    m_form->setEnabled(follow);
    m_formLocked->setVisible(!follow);
    m_formErrors = false;
    showIssues();
    setValid(m_issues.empty());
    emit validated();
}

void RecipeEditor::formEdited() {
    if (m_fillingForm)
        return;
    if (m_validateTimer.isActive()) {
        // The TOML was typed in and not read yet: it wins over this form edit, which would
        // otherwise overwrite it with the older recipe.
        validateNow();
        return;
    }
    updateKindRows();
    Recipe r = m_recipe;
    if (!readForm(r)) {
        m_formErrors = true;
        m_status->setText(tr("A field of the form holds a value that does not read."));
        setValid(false);
        return;
    }
    m_formErrors = false;
    replaceText(recipe::RecipeLoader::toToml(r));
    // Validate the new text, but leave the form as the user is typing it.
    recipe::RecipeLoad load = recipe::RecipeLoader::parse(tomlText(), m_file);
    m_issues = std::move(load.issues);
    m_recipe = std::move(load.recipe);
    if (m_file.isEmpty())
        m_recipe.folder = m_baseFolder;
    showIssues();
    setValid(m_issues.empty());
    emit validated();
}

void RecipeEditor::fillForm(const Recipe &r) {
    m_fillingForm = true;
    const auto set = [](QLineEdit *edit, const QString &text) {
        if (edit->text() != text)
            edit->setText(text);
        markField(edit, true, {});
    };
    set(m_name, r.name);
    setComboKind(m_checkout, r.checkout);
    setComboKind(m_buildKind, r.build.kind);
    // A field the kind does not use keeps what it held, so switching kinds back and forth
    // loses nothing.
    if (r.build.kind == BuildKind::Command)
        set(m_buildCommand, commandText(r.build.command));
    if (r.build.kind == BuildKind::Make) {
        set(m_makeTarget, r.build.target);
        m_makeJobs->setValue(r.build.jobs);
    }
    if (r.build.kind == BuildKind::Nix)
        set(m_nixFlake, r.build.flake);
    set(m_buildTimeout, durationText(r.build.timeout));

    const DeploySpec &d = r.deploy;
    setComboKind(m_deployKind, d.kind);
    set(m_deployUri, d.uri);
    set(m_deployDomain, d.domain);
    set(m_deployXml, d.xml);
    if (d.kind == DeployKind::LibvirtKernel) {
        set(m_deployKernel, d.kernel);
        set(m_deployCmdline, d.cmdline);
    }
    if (d.kind == DeployKind::LibvirtDisk) {
        set(m_deployImage, d.image);
        set(m_deployDisk, d.disk);
    }
    if (d.kind == DeployKind::SshInstall)
        set(m_deployCommand, commandText(d.command));
    set(m_deployTimeout, durationText(d.timeout));

    const WaitSpec &w = r.wait;
    setComboKind(m_waitKind, w.kind);
    set(m_waitHost, w.host);
    m_waitPort->setValue(w.port);
    set(m_waitUser, w.user);
    set(m_waitPattern, w.pattern);
    set(m_waitTimeout, durationText(w.timeout));

    const TestSpec &t = r.test;
    setComboKind(m_testKind, t.kind);
    if (t.kind != TestKind::Transfer)
        set(m_testCommand, commandText(t.command));
    else {
        set(m_testFile, t.file);
        set(m_testDestination, t.destination);
    }
    m_testRepeat->setValue(t.repeat);
    set(m_testTimeout, durationText(t.timeout));

    setComboKind(m_mode, r.bisect.mode);
    m_detection->setValue(r.bisect.detection);
    m_confidence->setValue(r.bisect.confidence);
    m_confirm->setValue(r.bisect.confirmCulprit);
    m_checkEndpoints->setChecked(r.bisect.checkEndpoints);
    updateKindRows();
    m_fillingForm = false;
}

bool RecipeEditor::readForm(Recipe &r) {
    const Recipe defaults;
    bool ok = true;
    r.name = m_name->text().trimmed();
    r.checkout = comboKind<CheckoutMode>(m_checkout);

    BuildSpec &b = r.build;
    b.kind = comboKind<BuildKind>(m_buildKind);
    b.command = b.kind == BuildKind::Command ? commandFromText(m_buildCommand->text(), b.command)
                                             : CommandSpec{};
    b.target = b.kind == BuildKind::Make ? m_makeTarget->text().trimmed() : QString();
    b.jobs = b.kind == BuildKind::Make ? m_makeJobs->value() : 0;
    b.flake = b.kind == BuildKind::Nix ? m_nixFlake->text().trimmed() : QString();
    ok &= readDuration(m_buildTimeout, b.timeout);
    if (b.kind == BuildKind::None)
        b.timeout = 0;

    DeploySpec &d = r.deploy;
    d.kind = comboKind<DeployKind>(m_deployKind);
    const bool libvirt = d.kind == DeployKind::LibvirtKernel || d.kind == DeployKind::LibvirtDisk;
    const auto text = [](QLineEdit *e, bool used, const QString &fallback) {
        const QString t = e->text().trimmed();
        return used && !t.isEmpty() ? t : fallback;
    };
    d.uri = text(m_deployUri, libvirt, defaults.deploy.uri);
    d.domain = text(m_deployDomain, libvirt, {});
    d.xml = text(m_deployXml, libvirt, {});
    d.kernel = text(m_deployKernel, d.kind == DeployKind::LibvirtKernel, {});
    d.cmdline = text(m_deployCmdline, d.kind == DeployKind::LibvirtKernel, {});
    d.image = text(m_deployImage, d.kind == DeployKind::LibvirtDisk, {});
    d.disk = text(m_deployDisk, d.kind == DeployKind::LibvirtDisk, {});
    d.command = d.kind == DeployKind::SshInstall
                    ? commandFromText(m_deployCommand->text(), d.command)
                    : CommandSpec{};
    ok &= readDuration(m_deployTimeout, d.timeout);
    if (d.kind == DeployKind::None)
        d = defaults.deploy;

    WaitSpec &w = r.wait;
    w.kind = comboKind<WaitKind>(m_waitKind);
    w.host = text(m_waitHost, w.kind == WaitKind::Ssh, defaults.wait.host);
    w.port = w.kind == WaitKind::Ssh ? m_waitPort->value() : defaults.wait.port;
    w.user = text(m_waitUser, w.kind == WaitKind::Ssh, defaults.wait.user);
    w.pattern = text(m_waitPattern, w.kind == WaitKind::Console, {});
    ok &= readDuration(m_waitTimeout, w.timeout);
    if (w.kind == WaitKind::None)
        w = defaults.wait;

    TestSpec &t = r.test;
    t.kind = comboKind<TestKind>(m_testKind);
    const bool transfer = t.kind == TestKind::Transfer;
    t.command = transfer ? CommandSpec{} : commandFromText(m_testCommand->text(), t.command);
    t.file = text(m_testFile, transfer, {});
    t.destination = text(m_testDestination, transfer, defaults.test.destination);
    t.repeat = m_testRepeat->value();
    ok &= readDuration(m_testTimeout, t.timeout);

    r.bisect.mode = comboKind<BisectMode>(m_mode);
    const bool flaky = r.bisect.mode == BisectMode::Flaky;
    r.bisect.detection = flaky ? m_detection->value() : r.bisect.detection;
    r.bisect.confidence = flaky ? m_confidence->value() : r.bisect.confidence;
    r.bisect.confirmCulprit = m_confirm->value();
    r.bisect.checkEndpoints = m_checkEndpoints->isChecked();
    return ok;
}

void RecipeEditor::updateKindRows() {
    const auto build = comboKind<BuildKind>(m_buildKind);
    m_buildForm->setRowVisible(m_buildCommand, build == BuildKind::Command);
    m_buildForm->setRowVisible(m_makeTarget, build == BuildKind::Make);
    m_buildForm->setRowVisible(m_makeJobs, build == BuildKind::Make);
    m_buildForm->setRowVisible(m_nixFlake, build == BuildKind::Nix);
    m_buildForm->setRowVisible(m_buildTimeout, build != BuildKind::None);

    const auto deploy = comboKind<DeployKind>(m_deployKind);
    const bool libvirt = deploy == DeployKind::LibvirtKernel || deploy == DeployKind::LibvirtDisk;
    m_deployForm->setRowVisible(m_deployUri, libvirt);
    m_deployForm->setRowVisible(m_deployDomain, libvirt);
    m_deployForm->setRowVisible(m_deployXml, libvirt);
    m_deployForm->setRowVisible(m_deployKernel, deploy == DeployKind::LibvirtKernel);
    m_deployForm->setRowVisible(m_deployCmdline, deploy == DeployKind::LibvirtKernel);
    m_deployForm->setRowVisible(m_deployImage, deploy == DeployKind::LibvirtDisk);
    m_deployForm->setRowVisible(m_deployDisk, deploy == DeployKind::LibvirtDisk);
    m_deployForm->setRowVisible(m_deployCommand, deploy == DeployKind::SshInstall);
    m_deployForm->setRowVisible(m_deployTimeout, deploy != DeployKind::None);

    const auto wait = comboKind<WaitKind>(m_waitKind);
    m_waitForm->setRowVisible(m_waitHost, wait == WaitKind::Ssh);
    m_waitForm->setRowVisible(m_waitPort, wait == WaitKind::Ssh);
    m_waitForm->setRowVisible(m_waitUser, wait == WaitKind::Ssh);
    m_waitForm->setRowVisible(m_waitPattern, wait == WaitKind::Console);
    m_waitForm->setRowVisible(m_waitTimeout, wait != WaitKind::None);

    const bool transfer = comboKind<TestKind>(m_testKind) == TestKind::Transfer;
    m_testForm->setRowVisible(m_testCommand, !transfer);
    m_testForm->setRowVisible(m_testFile, transfer);
    m_testForm->setRowVisible(m_testDestination, transfer);

    const bool flaky = comboKind<BisectMode>(m_mode) == BisectMode::Flaky;
    m_bisectForm->setRowVisible(m_detection, flaky);
    m_bisectForm->setRowVisible(m_confidence, flaky);
}

void RecipeEditor::showIssues() {
    m_issueList->clear();
    const QPalette p = palette();
    for (const RecipeIssue &issue : m_issues) {
        QString where = issue.line > 0 ? QString::number(issue.line) : QString();
        if (issue.line > 0 && issue.column > 0)
            where += u':' + QString::number(issue.column);
        QString text = where.isEmpty() ? QString() : where + QStringLiteral("  ");
        if (!issue.key.isEmpty())
            text += issue.key + QStringLiteral(": ");
        text += issue.message;
        auto *item = new QListWidgetItem(text, m_issueList);
        item->setData(LineRole, issue.line);
        item->setData(ColumnRole, issue.column);
        item->setForeground(palette::errorColor(p));
        item->setToolTip(issue.toString());
    }
    m_issueList->setVisible(!m_issues.empty());
    QPalette statusPalette = m_status->palette();
    if (m_issues.empty()) {
        m_status->setText(tr("✓ The recipe reads."));
        statusPalette.setColor(QPalette::WindowText, palette::okColor(p));
    } else {
        m_status->setText(m_issues.size() == 1
                              ? tr("1 issue in the recipe:")
                              : tr("%1 issues in the recipe:").arg(m_issues.size()));
        statusPalette.setColor(QPalette::WindowText, palette::errorColor(p));
    }
    m_status->setPalette(statusPalette);
}

void RecipeEditor::jumpTo(QListWidgetItem *item) {
    const int line = item->data(LineRole).toInt();
    if (line <= 0)
        return;
    const QTextBlock block = m_text->document()->findBlockByNumber(line - 1);
    if (!block.isValid())
        return;
    const int column = qMax(1, item->data(ColumnRole).toInt());
    QTextCursor cursor(block);
    cursor.setPosition(block.position() + qMin(column - 1, qMax(0, block.length() - 1)));
    m_text->setTextCursor(cursor);
    m_text->centerCursor();
    m_text->setFocus(Qt::OtherFocusReason);
}

void RecipeEditor::changeEvent(QEvent *event) {
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && m_highlighter) {
        m_highlighter->refreshColors(palette());
        showIssues();
    }
}

void RecipeEditor::setValid(bool valid) {
    if (m_valid == valid)
        return;
    m_valid = valid;
    emit validityChanged(valid);
}

} // namespace bw
