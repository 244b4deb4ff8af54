#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

// Shared by every fuzz target: an invariant check that stops the process (libFuzzer
// saves the input as a crash artifact; the corpus replay fails its ctest), and a Qt
// message handler that keeps qWarning noise out of the fuzzing loop.

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::bw::fuzz::fail(__FILE__, __LINE__, #cond, {});                                       \
    } while (false)

#define FUZZ_CHECK_MSG(cond, message)                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::bw::fuzz::fail(__FILE__, __LINE__, #cond, (message));                                \
    } while (false)

namespace bw::fuzz {

[[noreturn]] inline void fail(const char *file, int line, const char *cond,
                              const QString &message) {
    std::fprintf(stderr, "\n%s:%d: fuzz invariant violated: %s\n", file, line, cond);
    if (!message.isEmpty())
        std::fprintf(stderr, "  %s\n", qPrintable(message));
    std::fflush(stderr);
    std::abort();
}

inline void quietQtMessages() {
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &text) {
        if (type == QtCriticalMsg || type == QtFatalMsg)
            std::fprintf(stderr, "%s\n", qPrintable(text));
        if (type == QtFatalMsg)
            std::abort();
    });
}

// The input as raw bytes (no copy).
inline QByteArray bytes(const std::uint8_t *data, std::size_t size) {
    return QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
}

// Debug text for a message: printable, cut to a reasonable length.
inline QString show(const QString &text) {
    QString out;
    for (QChar c : text.left(200))
        out += c.unicode() < 0x20 || c.unicode() == 0x7f
                   ? QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'))
                   : QString(c);
    return u'"' + out + (text.size() > 200 ? QStringLiteral("\"…") : QStringLiteral("\""));
}

} // namespace bw::fuzz
