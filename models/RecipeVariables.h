#pragma once

#include "models/Recipe.h"
#include "models/Result.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace bw {

// The `${name}` variables of RECIPE.md and how their values reach commands: inside an
// argv element as plain text, inside a shell string shell-quoted, and always as the
// environment variable BW_<NAME>. A value is data and never code.
class RecipeVariables {
public:
    // Every variable a recipe may use: commit short subject repo worktree session step
    // result version port, plus the deploy template's kernel initrd cmdline disk.
    [[nodiscard]] static const QStringList &knownNames();
    // The names `${…}` references in `text` (in order, repeated ones once), "$${" being a
    // literal "${". Unterminated references are reported by check().
    [[nodiscard]] static QStringList referencedNames(const QString &text);
    // An error naming the first unknown variable or malformed reference in `text`.
    [[nodiscard]] static Status check(const QString &text);
    // check() for a `/bin/sh -c` string, and also an error where a value could not be
    // quoted safely: inside backquotes, inside a here-document, or after a backslash.
    [[nodiscard]] static Status checkShell(const QString &script);

    void set(const QString &name, const QString &value) { m_values.insert(name, value); }
    [[nodiscard]] bool has(const QString &name) const { return m_values.contains(name); }
    [[nodiscard]] QString value(const QString &name) const { return m_values.value(name); }
    [[nodiscard]] const QMap<QString, QString> &values() const { return m_values; }

    // Replaces each `${name}` with its value. An error when a variable has no value yet
    // (for example ${result} before the build), naming it.
    [[nodiscard]] Result<QString> expand(const QString &text) const;
    // The same with every value shell-quoted (for `/bin/sh -c` strings), the way git's
    // sq_quote does: `it's` becomes 'it'\''s'. A reference written inside '…' or "…" has
    // the quotes closed around the value ("a ${x}" becomes "a "'value'""), so a value is
    // one word of data wherever it is written; where that cannot be done (backquotes,
    // here-documents, after a backslash) this is an error that names the variable. Inside
    // $((…)) a value goes in bare, and must be an integer.
    [[nodiscard]] Result<QString> expandForShell(const QString &text) const;
    // A path value: expanded, `~` at the start made the home directory, and made
    // absolute against `folder` when relative.
    [[nodiscard]] Result<QString> expandPath(const QString &text, const QString &folder) const;
    // The argv to run: an Argv command expanded element by element, a Shell command as
    // {"/bin/sh", "-c", expandForShell(script)}.
    [[nodiscard]] Result<QStringList> argv(const CommandSpec &command) const;
    // BW_COMMIT, BW_WORKTREE, … for every variable that has a value.
    [[nodiscard]] QMap<QString, QString> environment() const;

private:
    [[nodiscard]] Result<QString> expandImpl(const QString &text, bool quote) const;

    QMap<QString, QString> m_values;
};

} // namespace bw
