#pragma once

#include "models/Oid.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace bw {

enum class MarkKind { Good, Bad, Skip };

// Where a mark came from, so reports and the timeline can say why a commit is marked.
enum class Provenance { Manual, Step, Override, Imported };

struct Mark {
    Oid commit;
    MarkKind kind = MarkKind::Good;
    Provenance provenance = Provenance::Manual;
    int step = 0;   // the pipeline step that produced it (Provenance::Step)
    QString reason; // why, in one line
};

// The two words of a bisect: `bad`/`good` by default, `new`/`old`, or custom ones.
struct Terms {
    QString bad = QStringLiteral("bad");
    QString good = QStringLiteral("good");

    // Checks a pair the way `git bisect start --term-new/--term-old` does; returns the
    // message git would give, or an empty string when the pair is acceptable.
    [[nodiscard]] static QString validate(const QString &bad, const QString &good);
    [[nodiscard]] bool isDefault() const { return bad == u"bad" && good == u"good"; }
    [[nodiscard]] QString termFor(MarkKind kind) const;
    [[nodiscard]] std::optional<MarkKind> kindFor(const QString &word) const;

    friend bool operator==(const Terms &, const Terms &) = default;
};

// The single source of truth of a bisect: the marks in the order they were made. The
// sets the engine works on (one bad, the goods, the skips) are derived from it, so
// overriding an old mark is just editing this list and recomputing.
class BisectState {
public:
    Terms terms;
    bool firstParent = false;
    QStringList pathspec;

    void addMark(Mark mark) { m_marks.push_back(std::move(mark)); }
    // Removes every mark of `commit`; returns how many were removed.
    int clearMarks(const Oid &commit);
    [[nodiscard]] const std::vector<Mark> &marks() const { return m_marks; }

    // git's refs: the latest bad mark wins; goods and skips accumulate. Sorted by oid,
    // which is git's refname order.
    [[nodiscard]] std::optional<Oid> bad() const;
    [[nodiscard]] std::vector<Oid> goods() const;
    [[nodiscard]] std::vector<Oid> skips() const;

private:
    std::vector<Mark> m_marks;
};

} // namespace bw
