#include "models/BisectTypes.h"

#include <QRegularExpression>

#include <algorithm>

namespace bw {

QString Terms::validate(const QString &bad, const QString &good) {
    static const QStringList subcommands = {
        QStringLiteral("help"), QStringLiteral("start"),  QStringLiteral("skip"),
        QStringLiteral("next"), QStringLiteral("reset"),  QStringLiteral("visualize"),
        QStringLiteral("view"), QStringLiteral("replay"), QStringLiteral("log"),
        QStringLiteral("run"),  QStringLiteral("terms")};
    // A subset of git's check_refname_format, enough for a single path component.
    static const QRegularExpression refComponent(QStringLiteral(
        R"(^(?!\.)(?!.*\.\.)(?!.*@\{)(?!.*\.lock$)[^\x00-\x20\x7f~^:?*\[\\/]+(?<!\.)$)"));
    for (const QString &term : {bad, good}) {
        if (!refComponent.match(term).hasMatch() || term == u"@")
            return QStringLiteral("'%1' is not a valid term").arg(term);
        if (subcommands.contains(term))
            return QStringLiteral("can't use the builtin command '%1' as a term").arg(term);
    }
    if (bad == good)
        return QStringLiteral("please use two different terms");
    if (bad == u"good" || bad == u"old")
        return QStringLiteral("can't change the meaning of the term '%1'").arg(bad);
    if (good == u"bad" || good == u"new")
        return QStringLiteral("can't change the meaning of the term '%1'").arg(good);
    return {};
}

QString Terms::termFor(MarkKind kind) const {
    switch (kind) {
    case MarkKind::Good:
        return good;
    case MarkKind::Bad:
        return bad;
    case MarkKind::Skip:
        break;
    }
    return QStringLiteral("skip");
}

std::optional<MarkKind> Terms::kindFor(const QString &word) const {
    if (word == bad)
        return MarkKind::Bad;
    if (word == good)
        return MarkKind::Good;
    if (word == u"skip")
        return MarkKind::Skip;
    return std::nullopt;
}

int BisectState::clearMarks(const Oid &commit) {
    const auto before = m_marks.size();
    std::erase_if(m_marks, [&](const Mark &m) { return m.commit == commit; });
    return static_cast<int>(before - m_marks.size());
}

std::optional<Oid> BisectState::bad() const {
    for (auto it = m_marks.rbegin(); it != m_marks.rend(); ++it)
        if (it->kind == MarkKind::Bad)
            return it->commit;
    return std::nullopt;
}

namespace {
std::vector<Oid> collect(const std::vector<Mark> &marks, MarkKind kind) {
    std::vector<Oid> out;
    for (const Mark &m : marks)
        if (m.kind == kind)
            out.push_back(m.commit);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}
} // namespace

std::vector<Oid> BisectState::goods() const {
    return collect(m_marks, MarkKind::Good);
}
std::vector<Oid> BisectState::skips() const {
    return collect(m_marks, MarkKind::Skip);
}

} // namespace bw
