#pragma once

#include "models/Recipe.h"

#include <QTimer>
#include <QWidget>

#include <vector>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace bw {

class TomlHighlighter;

// A recipe as a form over RECIPE.md's common keys beside its TOML, kept in sync both ways:
// editing the form regenerates the TOML (RecipeLoader::toToml); editing the TOML by hand
// is validated live (debounced) and, once it reads, updates the form — the user's text is
// never rewritten while they type. Keys the form has no field for (classify rules, env,
// notify) survive a form edit. When the TOML has a mistake the form cannot represent, the
// form is locked rather than dropping what was typed.
class RecipeEditor : public QWidget {
    Q_OBJECT
public:
    explicit RecipeEditor(QWidget *parent = nullptr);
    ~RecipeEditor() override;

    // The recipe as last validated: complete when isValid(), else what could be read.
    // Relative paths resolve against the file's folder (once saved) or baseFolder().
    [[nodiscard]] Recipe recipe() const;
    [[nodiscard]] bool isValid() const { return m_valid; }
    [[nodiscard]] const std::vector<RecipeIssue> &issues() const { return m_issues; }

    [[nodiscard]] QString tomlText() const;
    // Replaces the text (undoable) and validates it at once.
    void setTomlText(const QString &text);
    // Fills the form and the TOML from a recipe.
    void setRecipe(const Recipe &recipe);

    // Where relative paths of an unsaved recipe resolve (the repository's work tree).
    void setBaseFolder(const QString &folder);
    [[nodiscard]] QString baseFolder() const { return m_baseFolder; }
    // The file the text came from or was saved to; empty for a new recipe.
    [[nodiscard]] QString fileName() const { return m_file; }
    void setFileName(const QString &path);

    // Writes the TOML to `path`; on success the editor's file becomes `path`.
    [[nodiscard]] bool saveAs(const QString &path, QString *error = nullptr);

    // Validates now instead of after the typing pause (tests, and before accepting).
    void validateNow();

protected:
    void changeEvent(QEvent *event) override;

signals:
    void validityChanged(bool valid);
    // After every validation (the recipe or the issues may have changed).
    void validated();
    void saved(const QString &path);

private:
    void buildForm(QWidget *host);
    void buildTomlSide(QWidget *host);
    void textEdited();
    void formEdited();
    void fillForm(const Recipe &recipe);
    // Reads the form into `r`; false (with inline marks) when a field holds a bad value.
    bool readForm(Recipe &r);
    void updateKindRows();
    void showIssues();
    void jumpTo(QListWidgetItem *item);
    void chooseSaveFile();
    void setValid(bool valid);
    void replaceText(const QString &text);
    [[nodiscard]] bool formCanFollow() const;

    QString m_baseFolder;
    QString m_file;
    Recipe m_recipe;
    std::vector<RecipeIssue> m_issues;
    bool m_valid = false;
    bool m_formErrors = false;
    bool m_fillingForm = false;
    bool m_writingText = false;
    QTimer m_validateTimer;

    // Form
    QWidget *m_form = nullptr;
    QFormLayout *m_generalForm = nullptr;
    QFormLayout *m_buildForm = nullptr;
    QFormLayout *m_deployForm = nullptr;
    QFormLayout *m_waitForm = nullptr;
    QFormLayout *m_testForm = nullptr;
    QFormLayout *m_bisectForm = nullptr;
    QLabel *m_formLocked = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_checkout = nullptr;
    QComboBox *m_buildKind = nullptr;
    QLineEdit *m_buildCommand = nullptr;
    QLineEdit *m_makeTarget = nullptr;
    QSpinBox *m_makeJobs = nullptr;
    QLineEdit *m_nixFlake = nullptr;
    QLineEdit *m_buildTimeout = nullptr;
    QComboBox *m_deployKind = nullptr;
    QLineEdit *m_deployUri = nullptr;
    QLineEdit *m_deployDomain = nullptr;
    QLineEdit *m_deployXml = nullptr;
    QLineEdit *m_deployKernel = nullptr;
    QLineEdit *m_deployCmdline = nullptr;
    QLineEdit *m_deployImage = nullptr;
    QLineEdit *m_deployDisk = nullptr;
    QLineEdit *m_deployCommand = nullptr;
    QLineEdit *m_deployTimeout = nullptr;
    QComboBox *m_waitKind = nullptr;
    QLineEdit *m_waitHost = nullptr;
    QSpinBox *m_waitPort = nullptr;
    QLineEdit *m_waitUser = nullptr;
    QLineEdit *m_waitPattern = nullptr;
    QLineEdit *m_waitTimeout = nullptr;
    QComboBox *m_testKind = nullptr;
    QLineEdit *m_testCommand = nullptr;
    QLineEdit *m_testFile = nullptr;
    QLineEdit *m_testDestination = nullptr;
    QSpinBox *m_testRepeat = nullptr;
    QLineEdit *m_testTimeout = nullptr;
    QComboBox *m_mode = nullptr;
    QDoubleSpinBox *m_detection = nullptr;
    QDoubleSpinBox *m_confidence = nullptr;
    QSpinBox *m_confirm = nullptr;
    QCheckBox *m_checkEndpoints = nullptr;

    // TOML side
    QPlainTextEdit *m_text = nullptr;
    TomlHighlighter *m_highlighter = nullptr;
    QListWidget *m_issueList = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_saveAs = nullptr;
};

} // namespace bw
