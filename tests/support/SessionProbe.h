#pragma once

// What the pipeline tests read back from a bisect: the culprit `run` printed, the marks in
// a BISECT_LOG, and a session's steps as the store keeps them. Header-only: for tests
// that link bw_services.

#include "services/pipeline/SessionDirectory.h"

#include <QDebug>
#include <QJsonObject>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace bw::test {

// The sha of "<sha> is the first bad commit" (any term), or empty.
inline QString culpritIn(const QString &out) {
    static const QRegularExpression re(QStringLiteral("([0-9a-f]{40}) is the first \\S+ commit"));
    const auto m = re.match(out);
    return m.hasMatch() ? m.captured(1) : QString();
}

// The mark lines of a `git bisect log` (every command but start).
inline QStringList markLines(const QString &log) {
    static const QRegularExpression re(QStringLiteral("^git bisect (?!start)\\S+ [0-9a-f]{40}$"),
                                       QRegularExpression::MultilineOption);
    QStringList lines;
    auto it = re.globalMatch(log);
    while (it.hasNext())
        lines << it.next().captured(0);
    return lines;
}

// The session's steps as the store has them, one JSON object each.
inline QList<QJsonObject> journal(const QString &session) {
    QList<QJsonObject> steps;
    auto dir = bw::pipeline::SessionDirectory::open(session);
    if (!dir) {
        qWarning().noquote() << "journal:" << dir.error().message();
        return steps;
    }
    auto entries = dir->readJournal();
    if (!entries) {
        qWarning().noquote() << "journal:" << entries.error().message();
        return steps;
    }
    for (const bw::pipeline::JournalEntry &e : *entries)
        steps << bw::pipeline::SessionDirectory::toJson(e.step);
    return steps;
}

} // namespace bw::test
