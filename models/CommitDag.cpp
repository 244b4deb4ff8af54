#include "models/CommitDag.h"

#include <algorithm>
#include <queue>

namespace bw {

std::optional<CommitDag> CommitDag::build(Input in) {
    const std::size_t n = in.oids.size();
    if (in.times.size() != n || in.parentOffsets.size() != n + 1 ||
        in.parentOffsets[n] != in.parents.size() || in.parentOffsets[0] != 0)
        return std::nullopt;
    for (std::size_t i = 0; i < n; ++i)
        if (in.parentOffsets[i] > in.parentOffsets[i + 1])
            return std::nullopt;

    // Count children so that a commit is emitted only after all of its children
    // (Kahn's algorithm from the tips), newest committer date first among the ready
    // ones: the order `git log --date-order` shows, good for drawing lanes.
    std::vector<std::uint32_t> pendingChildren(n, 0);
    for (std::uint32_t p : in.parents) {
        if (p >= n)
            return std::nullopt;
        ++pendingChildren[p];
    }
    struct Ready {
        std::int64_t time;
        std::uint32_t index;
        bool operator<(const Ready &o) const {
            return time != o.time ? time < o.time : index > o.index;
        }
    };
    std::priority_queue<Ready> ready;
    for (std::uint32_t i = 0; i < n; ++i)
        if (pendingChildren[i] == 0)
            ready.push({in.times[i], i});

    std::vector<Id> newId(n, None);
    std::vector<std::uint32_t> order;
    order.reserve(n);
    while (!ready.empty()) {
        const std::uint32_t c = ready.top().index;
        ready.pop();
        newId[c] = static_cast<Id>(order.size());
        order.push_back(c);
        for (std::uint32_t k = in.parentOffsets[c]; k < in.parentOffsets[c + 1]; ++k) {
            const std::uint32_t p = in.parents[k];
            if (--pendingChildren[p] == 0)
                ready.push({in.times[p], p});
        }
    }
    if (order.size() != n)
        return std::nullopt; // a cycle

    CommitDag dag;
    dag.m_oids.resize(n);
    dag.m_times.resize(n);
    dag.m_parentOffsets.resize(n + 1);
    dag.m_parents.resize(in.parents.size());
    std::uint32_t edge = 0;
    for (std::size_t id = 0; id < n; ++id) {
        const std::uint32_t c = order[id];
        dag.m_oids[id] = in.oids[c];
        dag.m_times[id] = in.times[c];
        dag.m_parentOffsets[id] = edge;
        for (std::uint32_t k = in.parentOffsets[c]; k < in.parentOffsets[c + 1]; ++k)
            dag.m_parents[edge++] = newId[in.parents[k]];
    }
    dag.m_parentOffsets[n] = edge;

    // Sort ids by oid: on the first 8 bytes as one integer (cheap, nearly always
    // decisive), then the full oid for the rare ties.
    std::vector<std::pair<std::uint64_t, Id>> keyed(n);
    for (std::size_t id = 0; id < n; ++id) {
        std::uint64_t key = 0;
        for (int b = 0; b < 8; ++b)
            key = key << 8 | dag.m_oids[id].bytes[b];
        keyed[id] = {key, static_cast<Id>(id)};
    }
    std::sort(keyed.begin(), keyed.end(), [&](const auto &a, const auto &b) {
        if (a.first != b.first)
            return a.first < b.first;
        return dag.m_oids[a.second] < dag.m_oids[b.second];
    });
    dag.m_byOid.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        dag.m_byOid[i] = keyed[i].second;
    // Duplicate oids would make lookups ambiguous.
    for (std::size_t i = 1; i < n; ++i)
        if (dag.m_oids[dag.m_byOid[i - 1]] == dag.m_oids[dag.m_byOid[i]])
            return std::nullopt;
    return dag;
}

CommitDag::Id CommitDag::find(const Oid &oid) const {
    auto it = std::lower_bound(m_byOid.begin(), m_byOid.end(), oid,
                               [&](Id a, const Oid &o) { return m_oids[a] < o; });
    if (it != m_byOid.end() && m_oids[*it] == oid)
        return *it;
    return None;
}

std::vector<CommitDag::Id> CommitDag::findPrefix(std::string_view hexPrefix, int limit) const {
    std::vector<Id> out;
    if (hexPrefix.empty() || hexPrefix.size() > Oid::HexSize)
        return out;
    // Lowest oid with this prefix: pad with '0'.
    std::string padded(hexPrefix);
    for (auto &ch : padded)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    padded.resize(Oid::HexSize, '0');
    const auto low = Oid::fromHex(padded);
    if (!low)
        return out;
    auto it = std::lower_bound(m_byOid.begin(), m_byOid.end(), *low,
                               [&](Id a, const Oid &o) { return m_oids[a] < o; });
    const QByteArray prefix = QByteArray(padded.data(), static_cast<int>(hexPrefix.size()));
    for (; it != m_byOid.end() && static_cast<int>(out.size()) < limit; ++it) {
        if (!m_oids[*it].toHex().startsWith(prefix))
            break;
        out.push_back(*it);
    }
    return out;
}

std::size_t CommitDag::memoryBytes() const {
    return m_oids.capacity() * sizeof(Oid) + m_times.capacity() * sizeof(std::int64_t) +
           m_parentOffsets.capacity() * sizeof(std::uint32_t) + m_parents.capacity() * sizeof(Id) +
           m_byOid.capacity() * sizeof(Id);
}

} // namespace bw
