#pragma once

#include "models/Oid.h"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bw {

// The commits that matter, as integers. Ids are dense and topologically ordered with
// children first: every parent has a larger id than each of its children, so id 0 is a
// tip and a scan by increasing id meets a commit before its ancestors. Parents are kept
// in CSR arrays in the commit's stored parent order; parents outside the loaded set
// (a shallow or partial boundary) are simply absent.
//
// Memory: 20 (oid) + 8 (time) + 4 (offset) + 4 (oid index) + 4 per parent edge, about
// 41 bytes for a typical history.
class CommitDag {
public:
    using Id = std::uint32_t;
    static constexpr Id None = UINT32_MAX;

    // One commit as a loader sees it, in any order; parent indices refer to positions
    // in the same input vector.
    struct Input {
        std::vector<Oid> oids;
        std::vector<std::int64_t> times;
        std::vector<std::uint32_t> parentOffsets; // size oids.size() + 1
        std::vector<std::uint32_t> parents;       // indices into oids
    };

    CommitDag() = default;

    // Builds the DAG from commits in any order (a date-ordered topological sort is done
    // here, newest first). Returns nullopt if the input has a cycle or bad indices.
    [[nodiscard]] static std::optional<CommitDag> build(Input input);

    [[nodiscard]] int size() const { return static_cast<int>(m_oids.size()); }
    [[nodiscard]] bool isEmpty() const { return m_oids.empty(); }

    [[nodiscard]] std::span<const Id> parents(Id c) const {
        return {m_parents.data() + m_parentOffsets[c], m_parents.data() + m_parentOffsets[c + 1]};
    }
    [[nodiscard]] int parentCount(Id c) const {
        return static_cast<int>(m_parentOffsets[c + 1] - m_parentOffsets[c]);
    }
    [[nodiscard]] const Oid &oid(Id c) const { return m_oids[c]; }
    [[nodiscard]] std::int64_t time(Id c) const { return m_times[c]; }

    // Exact lookup; None when the commit is not loaded.
    [[nodiscard]] Id find(const Oid &oid) const;
    // All loaded commits whose lowercase hex starts with `prefix` (at most `limit`).
    [[nodiscard]] std::vector<Id> findPrefix(std::string_view hexPrefix, int limit = 2) const;

    [[nodiscard]] std::size_t memoryBytes() const;

private:
    std::vector<Oid> m_oids;
    std::vector<std::int64_t> m_times;
    std::vector<std::uint32_t> m_parentOffsets;
    std::vector<Id> m_parents;
    std::vector<Id> m_byOid; // ids sorted by oid, for lookups
};

} // namespace bw
