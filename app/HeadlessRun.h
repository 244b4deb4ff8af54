#pragma once

#include <QStringList>

namespace bw::app {

// `bisect-workbench run …` and `bisect-workbench script … -- CMD`: the orchestrator
// without a window, printing git-style progress. Need a QCoreApplication.
int runRecipe(const QStringList &arguments);
int runScript(const QStringList &arguments);

} // namespace bw::app
