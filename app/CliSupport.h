#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <cstdio>

namespace bw::app {

// What every headless command prints with, and how it parses its options.

inline void write(FILE *stream, const QString &text) {
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, bytes.size(), stream);
    std::fflush(stream);
}

inline int fail(const QString &message) {
    write(stderr, QStringLiteral("bisect-workbench: %1\n").arg(message));
    return 1;
}

// Parses `arguments` for a command; on --help or an error prints and returns an exit
// code through `exitCode`.
inline bool parse(QCommandLineParser &p, const QString &command, const QStringList &arguments,
                  int &exitCode) {
    p.setApplicationDescription(QStringLiteral("bisect-workbench %1").arg(command));
    p.addHelpOption();
    QStringList argv = {QStringLiteral("bisect-workbench %1").arg(command)};
    argv += arguments;
    if (!p.parse(argv)) {
        exitCode = fail(p.errorText());
        return false;
    }
    if (p.isSet(QStringLiteral("help"))) {
        write(stdout, p.helpText());
        exitCode = 0;
        return false;
    }
    return true;
}

} // namespace bw::app
