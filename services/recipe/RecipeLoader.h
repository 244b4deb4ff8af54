#pragma once

#include "models/Recipe.h"

#include <QString>

#include <vector>

namespace bw::recipe {

// What parsing a recipe gave: the recipe when there was no mistake, and every mistake
// found (not only the first), each with file, line, column and key.
struct RecipeLoad {
    Recipe recipe;
    std::vector<RecipeIssue> issues;

    [[nodiscard]] bool ok() const { return issues.empty(); }
    // One issue per line, for a terminal or a message box.
    [[nodiscard]] QString message() const;
};

// Reads RECIPE.md's TOML with toml++ and validates it: syntax errors, unknown keys
// (with the closest known key suggested), wrong value types, unknown kinds, bad
// durations, missing commands for the chosen kinds, unknown `${variables}`, classify
// rules with unknown stages, outcomes, logs or verdicts, bad regular expressions,
// out-of-range probabilities.
//
// Kinds left out: build is "command" when it has a command and "none" otherwise; deploy
// and wait are "none"; test is "command". Relative paths are kept as written (they are
// expanded at run time, against Recipe::folder); Recipe::file is made absolute.
class RecipeLoader {
public:
    [[nodiscard]] static RecipeLoad loadFile(const QString &path);
    // `file` names the source in messages and decides the folder relative paths use.
    [[nodiscard]] static RecipeLoad parse(const QString &text, const QString &file);
    // A recipe as TOML that parse() reads back to the same Recipe (for the GUI's editor
    // and for the copy a session keeps).
    [[nodiscard]] static QString toToml(const Recipe &recipe);
};

} // namespace bw::recipe
