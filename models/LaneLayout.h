#pragma once

#include "models/CommitDag.h"

#include <cstdint>
#include <span>
#include <vector>

namespace bw {

// One thing to draw in one lane of one row. Rows are DAG ids (row r = commit r, newest
// first); a row is drawn from its top edge to its bottom edge, the commit node at the
// centre of its lane.
struct LaneSegment {
    enum class Kind : std::uint8_t {
        // Lanes `lane`..`other` (inclusive) pass straight through the row: each carries
        // an edge from a child above to a parent below that does not touch this commit.
        Pass,
        // The commit node in `lane` (== `other`); `flags` say whether the lane comes in
        // from the row above (a child waited here) and goes on below (the first parent
        // continues here). Neither: a lone commit; no NodeAbove: a tip (the lane starts);
        // no NodeBelow: a root or a boundary commit (the lane ends).
        Node,
        // Lane `lane` comes in from the row above and merges into the node in lane
        // `other`: another child of this commit. The lane ends here.
        MergeIn,
        // An edge from the node in lane `other` out to lane `lane`, which goes on below
        // towards another parent of this merge. With ForkNewLane the lane starts here;
        // without it the lane already waited for that parent (and also has a Pass).
        ForkOut,
    };
    enum Flag : std::uint8_t {
        NodeAbove = 1,
        NodeBelow = 2,
        ForkNewLane = 4,
    };

    std::uint16_t lane = 0;
    Kind kind = Kind::Pass;
    std::uint8_t flags = 0;
    std::uint16_t other = 0;

    friend bool operator==(const LaneSegment &, const LaneSegment &) = default;
};
static_assert(sizeof(LaneSegment) == 6);

// Graph lanes for a CommitDag, computed once and then immutable, so it can be built on
// a worker thread and shared (std::shared_ptr<const LaneLayout>) with the GUI.
//
// The classic QGit algorithm: a vector of active lanes, each waiting for one commit id.
// When a row's commit arrives, the lanes waiting for it merge into the leftmost one,
// which carries the node; the first parent continues in that lane; each other parent
// goes to a lane already waiting for it, or to the lowest free lane (freed lanes are
// reused). Cost O(commits x active lanes); no row ever looks at earlier rows.
//
// Encoding: per row, a span of LaneSegments in one shared vector, the Node first, then
// the others sorted by lane; runs of pass-through lanes are one segment. Memory is
// 4 bytes per row + 6 bytes per segment.
class LaneLayout {
public:
    // Lanes are 16-bit. A history that needs more lanes than `maxLanes` at once is laid
    // out up to the row before the first that would overflow: isTruncated() is then true
    // and rowCount() < dag.size().
    static constexpr int MaxLanes = 65535;

    LaneLayout() = default;

    [[nodiscard]] static LaneLayout compute(const CommitDag &dag, int maxLanes = MaxLanes);

    [[nodiscard]] int rowCount() const {
        return m_rowOffsets.empty() ? 0 : static_cast<int>(m_rowOffsets.size()) - 1;
    }
    // The widest row, in lanes.
    [[nodiscard]] int laneCount() const { return m_laneCount; }
    [[nodiscard]] bool isTruncated() const { return m_truncated; }

    // What to draw in `row`: the Node first, then the other segments by lane.
    [[nodiscard]] std::span<const LaneSegment> row(int row) const {
        return {m_segments.data() + m_rowOffsets[row], m_segments.data() + m_rowOffsets[row + 1]};
    }
    // The commit's lane.
    [[nodiscard]] int lane(int row) const { return m_segments[m_rowOffsets[row]].lane; }
    // Lanes a row needs to draw (highest lane used + 1).
    [[nodiscard]] int rowWidth(int row) const;

    [[nodiscard]] std::size_t memoryBytes() const;

private:
    std::vector<std::uint32_t> m_rowOffsets; // rowCount() + 1
    std::vector<LaneSegment> m_segments;
    int m_laneCount = 0;
    bool m_truncated = false;
};

} // namespace bw
