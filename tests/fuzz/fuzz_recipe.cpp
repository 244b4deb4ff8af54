// Fuzzes the recipe parser (services/recipe/RecipeLoader): TOML from a file the user
// chose, validated into a Recipe.
//
// Invariants: parsing never crashes or throws; every issue has a message and a sane
// place; an accepted recipe survives toToml() → parse() unchanged, and writing that
// again gives the same text; its commands expand with values for every variable.

#include "FuzzCheck.h"

#include "models/RecipeVariables.h"
#include "services/recipe/RecipeLoader.h"

using namespace bw;
using bw::fuzz::show;
using bw::recipe::RecipeLoader;

namespace {

const QString File = QStringLiteral("/fuzz/recipe.toml");

void checkCommand(const RecipeVariables &vars, const CommandSpec &command) {
    if (!command.isSet())
        return;
    auto argv = vars.argv(command);
    FUZZ_CHECK_MSG(argv.ok(), argv.error().message());
    FUZZ_CHECK(!argv->isEmpty());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    bw::fuzz::quietQtMessages();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size > 64 * 1024)
        return 0; // recipes are small; keeps one input from being all the time
    const QString text = QString::fromUtf8(bw::fuzz::bytes(data, size));
    const int lines = int(text.count(u'\n')) + 1;
    const auto load = RecipeLoader::parse(text, File);
    for (const RecipeIssue &i : load.issues) {
        FUZZ_CHECK(!i.message.isEmpty());
        FUZZ_CHECK(i.line >= 0 && i.line <= lines && i.column >= 0);
        FUZZ_CHECK(i.file == File);
    }
    FUZZ_CHECK(load.ok() == load.message().isEmpty());
    if (!load.ok())
        return 0;

    // An accepted recipe writes out and reads back as the same recipe.
    const QString toml = RecipeLoader::toToml(load.recipe);
    const auto again = RecipeLoader::parse(toml, File);
    FUZZ_CHECK_MSG(again.ok(), show(toml) + QStringLiteral("\n  ") + again.message());
    FUZZ_CHECK_MSG(again.recipe == load.recipe, show(toml));
    FUZZ_CHECK_MSG(RecipeLoader::toToml(again.recipe) == toml, show(toml));

    // Validation promised that every command expands once every variable has a value.
    RecipeVariables vars;
    for (const QString &name : RecipeVariables::knownNames())
        vars.set(name, QStringLiteral("0"));
    checkCommand(vars, load.recipe.build.command);
    checkCommand(vars, load.recipe.deploy.command);
    checkCommand(vars, load.recipe.test.command);
    return 0;
}
