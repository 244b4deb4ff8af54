#pragma once

#include "models/CommitDag.h"

#include <QCryptographicHash>
#include <QHash>
#include <QString>
#include <QStringList>

#include <random>

namespace bw::test {

// Builds small CommitDags by name for engine tests: each commit's oid is the SHA-1 of
// its name, its time given explicitly.
class DagFixture {
public:
    // `parents` by name; they must have been added before.
    void add(const QString &name, qint64 time, const QStringList &parents = {}) {
        const int index = static_cast<int>(m_input.oids.size());
        m_index.insert(name, index);
        m_names.append(name);
        const QByteArray hash = QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha1);
        m_input.oids.push_back(
            Oid::fromRaw(reinterpret_cast<const unsigned char *>(hash.constData())));
        m_input.times.push_back(time);
        if (m_input.parentOffsets.empty())
            m_input.parentOffsets.push_back(0);
        for (const QString &p : parents)
            m_input.parents.push_back(static_cast<std::uint32_t>(m_index.value(p)));
        m_input.parentOffsets.push_back(static_cast<std::uint32_t>(m_input.parents.size()));
    }

    // A random DAG of `n` commits: mostly chains, some merges (up to 3 parents), some
    // extra roots, equal and skewed dates.
    void random(int n, std::mt19937 &rng) {
        for (int i = 0; i < n; ++i) {
            QStringList parents;
            if (i > 0 && rng() % 20 != 0) {
                parents << QStringLiteral("c%1").arg(i - 1 -
                                                     static_cast<int>(rng() % std::min(i, 3)));
                const int extra = rng() % 4 == 0 ? 1 + static_cast<int>(rng() % 2) : 0;
                for (int k = 0; k < extra; ++k) {
                    const QString p = QStringLiteral("c%1").arg(static_cast<int>(rng() % i));
                    if (!parents.contains(p))
                        parents << p;
                }
            }
            const qint64 time =
                rng() % 5 == 0 ? i - static_cast<int>(rng() % 5) : (rng() % 3 == 0 ? 0 : i) * 10;
            add(QStringLiteral("c%1").arg(i), time, parents);
        }
    }

    [[nodiscard]] CommitDag build() const { return *CommitDag::build(m_input); }
    [[nodiscard]] Oid oid(const QString &name) const { return m_input.oids[m_index.value(name)]; }
    [[nodiscard]] CommitDag::Id id(const CommitDag &dag, const QString &name) const {
        return dag.find(oid(name));
    }
    [[nodiscard]] QString name(const CommitDag &dag, CommitDag::Id id) const {
        for (const QString &n : m_names)
            if (dag.find(oid(n)) == id)
                return n;
        return {};
    }
    [[nodiscard]] const QStringList &names() const { return m_names; }

private:
    CommitDag::Input m_input;
    QHash<QString, int> m_index;
    QStringList m_names;
};

} // namespace bw::test
