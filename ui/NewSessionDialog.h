#pragma once

#include "models/Recipe.h"
#include "services/pipeline/Orchestrator.h"
#include "services/recipe/RecipeLoader.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QStringList>
#include <QTimer>

#include <optional>
#include <vector>

class QButtonGroup;
class QCheckBox;
class QComboBox;
class QCompleter;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;
class QStackedWidget;
class QStringListModel;

namespace bw {

class RecipeEditor;

// What the dialog learnt about a repository, off the GUI thread.
struct RepositoryProbe {
    QString error;        // not a repository, unreadable…; empty when it opened
    QString workDir;      // the work tree (or git dir of a bare repository)
    QStringList refNames; // branches, tags, remote branches: short names for completion
    bool bisectInProgress = false;
    QString termBad = QStringLiteral("bad"); // the bisect's terms (when in progress)
    QString termGood = QStringLiteral("good");
    int marks = 0;         // bad + goods + skips recorded so far
    QString badText;       // "1a2b3c4d subject"
    QStringList goodTexts; // the same for each good
};

// One revision field's answer: every word resolved, or the first that did not.
struct RevisionCheck {
    QString error;       // "not a commit: foo"; empty when all resolved
    QStringList commits; // "1a2b3c4d subject", one per word
};

// Starting a session: the repository (recently used ones offered; a bisect already in
// progress there can be continued), the range (revisions validated as they are typed,
// branch and tag names completed), terms and first-parent, and the recipe — a file, a
// `git bisect run` script, or one written here with the RecipeEditor. Start stays disabled
// until everything is valid; what is wrong is said under the field it concerns. Slow
// work (opening the repository, resolving revisions, reading a recipe file) runs off the
// GUI thread.
class NewSessionDialog : public QDialog {
    Q_OBJECT
public:
    enum class RecipeSource { File, Script, Editor };
    Q_ENUM(RecipeSource)

    // `recentRepositories`: most recent first; the first one is preselected.
    explicit NewSessionDialog(const QStringList &recentRepositories, QWidget *parent = nullptr);
    ~NewSessionDialog() override;

    // What to start (valid once isComplete()): repository, revisions, recipe with the
    // chosen terms, first-parent, adopt.
    [[nodiscard]] pipeline::SessionOptions options() const;
    [[nodiscard]] bool isComplete() const;
    // Why Start is disabled (the first thing missing), empty when it is enabled.
    [[nodiscard]] QString incompleteReason() const { return m_incomplete; }

    void setRepositoryPath(const QString &path);
    void setRecipeSource(RecipeSource source);
    void setRecipeFile(const QString &path);
    void setScriptPath(const QString &path);
    [[nodiscard]] RecipeEditor *recipeEditor() const { return m_editor; }
    // The names offered for completion in the revision fields.
    [[nodiscard]] QStringList completionNames() const;
    // True while the repository, a revision or the recipe file is being checked.
    [[nodiscard]] bool isChecking() const;

    // The remembered choices (QSettings), for tests and the window.
    static constexpr const char *SettingsGroup = "newSession";

signals:
    // After the repository was probed (refs for completion, bisect state).
    void repositoryChecked();
    // After a revision field was resolved.
    void revisionsChecked();
    // Start became enabled or disabled.
    void completeChanged(bool complete);

public slots:
    void done(int result) override;

private:
    QWidget *buildRepositorySection();
    QWidget *buildRangeSection();
    QWidget *buildRecipeSection();
    void chooseRepository();
    void probeRepository();
    void repositoryProbed(quint64 generation);
    void checkRevisions(int field);
    void revisionsResolved(int field, quint64 generation);
    void showRevision(int field);
    void chooseRecipeFile();
    void loadRecipeFile();
    void recipeFileLoaded(quint64 generation);
    void chooseScript();
    void checkScript();
    void sourceChanged();
    void adoptToggled();
    void termsEdited();
    void updateComplete();
    void restoreSettings();
    void saveSettings() const;
    // The recipe as chosen, without the dialog's terms; empty with the reason when none.
    [[nodiscard]] std::optional<Recipe> chosenRecipe(QString *why = nullptr) const;
    [[nodiscard]] bool adopting() const;

    // Repository
    QComboBox *m_repo = nullptr;
    QLabel *m_repoStatus = nullptr;
    QWidget *m_bisectNotice = nullptr;
    QLabel *m_bisectText = nullptr;
    QCheckBox *m_adopt = nullptr;
    QTimer m_repoTimer;
    QFutureWatcher<RepositoryProbe> m_repoWatcher;
    quint64 m_repoGeneration = 0;
    bool m_repoPending = false; // a probe whose answer is not handled yet
    std::optional<RepositoryProbe> m_probe;

    // Range: field 0 is bad, 1 is goods.
    struct RevisionField {
        QLineEdit *edit = nullptr;
        QLabel *status = nullptr;
        QTimer timer;
        QFutureWatcher<RevisionCheck> watcher;
        quint64 generation = 0;
        bool pending = false;
        std::optional<RevisionCheck> check; // for the text as it is now
    };
    RevisionField m_fields[2];
    QLineEdit *m_termOld = nullptr;
    QLineEdit *m_termNew = nullptr;
    QLabel *m_termsStatus = nullptr;
    bool m_termsEdited = false;
    QCheckBox *m_firstParent = nullptr;
    QStringListModel *m_refModel = nullptr;

    // Recipe
    QButtonGroup *m_sourceGroup = nullptr;
    QRadioButton *m_sourceFile = nullptr;
    QRadioButton *m_sourceScript = nullptr;
    QRadioButton *m_sourceEditor = nullptr;
    QStackedWidget *m_sourcePages = nullptr;
    QLineEdit *m_recipeFile = nullptr;
    QLabel *m_recipeFileStatus = nullptr;
    QListWidget *m_recipeFileIssues = nullptr;
    QPushButton *m_editFile = nullptr;
    QTimer m_fileTimer;
    QFutureWatcher<recipe::RecipeLoad> m_fileWatcher;
    quint64 m_fileGeneration = 0;
    bool m_filePending = false;
    std::optional<recipe::RecipeLoad> m_fileLoad;
    QString m_fileLoadedPath;
    QLineEdit *m_script = nullptr;
    QLabel *m_scriptStatus = nullptr;
    QLineEdit *m_scriptTimeout = nullptr;
    RecipeEditor *m_editor = nullptr;
    QLabel *m_recipeProblem = nullptr;

    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_start = nullptr;
    QLabel *m_reason = nullptr;
    QString m_incomplete = QStringLiteral("?");
};

} // namespace bw
