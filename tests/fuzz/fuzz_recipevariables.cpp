// Fuzzes the recipe variable substitution (models/RecipeVariables): `${name}`
// references in recipe values and shell scripts, filled with values that come from the
// repository (commit subjects, ref names, paths) and so are hostile by assumption.
//
// Input: the template, then optionally NUL and the values, NUL-separated, given to the
// known variables in order (the rest get "v<i>").
//
// Invariants: check() accepts exactly what expand() can expand once every variable has
// a value; a literal escaped with "$${" expands back to itself; expandForShell() puts
// each value in shell-quoted, never raw (outside $((…))), and agrees with checkShell();
// argv() of an argv command expands word by word.

#include "FuzzCheck.h"

#include "models/BisectLog.h"
#include "models/RecipeVariables.h"

using namespace bw;
using bw::fuzz::show;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    bw::fuzz::quietQtMessages();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size > 16 * 1024)
        return 0;
    const QByteArray input = bw::fuzz::bytes(data, size);
    const qsizetype nul = input.indexOf('\0');
    const QString text = QString::fromUtf8(nul < 0 ? input : input.left(nul));
    const QList<QByteArray> given = nul < 0 ? QList<QByteArray>() : input.mid(nul + 1).split('\0');

    const QStringList &names = RecipeVariables::knownNames();
    RecipeVariables vars;
    for (qsizetype i = 0; i < names.size(); ++i)
        vars.set(names[i],
                 i < given.size() ? QString::fromUtf8(given[i]) : QStringLiteral("v%1").arg(i));

    // Referenced names come from the text; check() accepts only known ones.
    const Status checked = RecipeVariables::check(text);
    for (const QString &name : RecipeVariables::referencedNames(text)) {
        FUZZ_CHECK(text.contains(QStringLiteral("${") + name + u'}'));
        if (checked)
            FUZZ_CHECK(names.contains(name));
    }

    // With every value set, expansion fails exactly when check() does.
    auto expanded = vars.expand(text);
    FUZZ_CHECK_MSG(expanded.ok() == checked.ok(), show(text));
    if (expanded && RecipeVariables::referencedNames(text).isEmpty() &&
        !text.contains(QStringLiteral("$${")))
        FUZZ_CHECK(*expanded == text);

    // Escaping a literal with $${ is lossless, in plain and in shell expansion.
    QString escaped = text;
    escaped.replace(QStringLiteral("${"), QStringLiteral("$${"));
    FUZZ_CHECK(RecipeVariables::referencedNames(escaped).isEmpty());
    auto literal = vars.expand(escaped);
    FUZZ_CHECK_MSG(literal.ok() && *literal == text, show(escaped));
    auto literalShell = vars.expandForShell(escaped);
    FUZZ_CHECK_MSG(literalShell.ok() && *literalShell == text, show(escaped));

    // Shell expansion: checkShell() (placeholder values) and expandForShell() agree, up to
    // values that are not numbers inside $((…)).
    const Status shellChecked = RecipeVariables::checkShell(text);
    FUZZ_CHECK(!shellChecked || checked);
    auto shell = vars.expandForShell(text);
    if (shell) {
        FUZZ_CHECK_MSG(shellChecked.ok(), show(text));
    } else if (shellChecked) {
        FUZZ_CHECK_MSG(shell.error().message().contains(QStringLiteral("is not a number")),
                       show(text) + u' ' + shell.error().message());
    }
    // A value never reaches the script raw: with one distinctive value the script holds
    // it only inside single quotes (or as a bare number inside $((…))).
    if (shellChecked) {
        RecipeVariables marked;
        for (const QString &name : names)
            marked.set(name, QStringLiteral("a b;'c'$(d)`e`\"f\"\n"));
        auto script = marked.expandForShell(text);
        if (script) {
            const QString quoted = shellQuote(QStringLiteral("a b;'c'$(d)`e`\"f\"\n"));
            QString rest = *script;
            rest.replace(quoted, QString());
            const qsizetype references = RecipeVariables::referencedNames(text).size();
            FUZZ_CHECK_MSG(references == 0 || script->contains(quoted), show(text));
            FUZZ_CHECK_MSG(!rest.contains(QStringLiteral("a b;")) || text.contains(u"a b;"),
                           show(*script));
        }
    }

    // argv(): the lines of the input as the words of an argv command.
    CommandSpec command = CommandSpec::fromArgv(text.split(u'\n'));
    auto argv = vars.argv(command);
    FUZZ_CHECK(argv.ok() == checked.ok());
    if (argv)
        FUZZ_CHECK(argv->size() == command.argv.size());

    // environment(): BW_<NAME> for every value.
    FUZZ_CHECK(vars.environment().size() == names.size());

    (void)vars.expandPath(text, QStringLiteral("/fuzz"));
    return 0;
}
