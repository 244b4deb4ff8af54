#pragma once

#include <QStringList>

namespace bw::app {

// The headless commands (`next`, `replay`, `demo-repo`, …). Each takes the arguments after the
// command word and returns the process exit code.
int runCommand(const QString &command, const QStringList &arguments);

} // namespace bw::app
