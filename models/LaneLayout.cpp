#include "models/LaneLayout.h"

#include <algorithm>

namespace bw {

namespace {

using Id = CommitDag::Id;
using Kind = LaneSegment::Kind;

constexpr Id Free = CommitDag::None;

// What happens to each lane in the row being laid out (scratch, reset per row).
enum LaneMark : std::uint8_t { Untouched = 0, IsNode = 1, IsMergeIn = 2, IsForkNew = 4 };

} // namespace

LaneLayout LaneLayout::compute(const CommitDag &dag, int maxLanes) {
    maxLanes = std::clamp(maxLanes, 1, MaxLanes);
    const int n = dag.size();
    LaneLayout out;
    out.m_rowOffsets.reserve(static_cast<std::size_t>(n) + 1);
    out.m_rowOffsets.push_back(0);
    out.m_segments.reserve(static_cast<std::size_t>(n) * 2);

    std::vector<Id> waiting; // per lane: the commit it waits for, or Free
    std::vector<std::uint8_t> marks;
    std::vector<LaneSegment> edges; // this row's MergeIn/ForkOut, in lane order

    // The lowest free lane, growing the vector when all are taken; -1 past maxLanes.
    auto allocate = [&]() -> int {
        for (std::size_t l = 0; l < waiting.size(); ++l)
            if (waiting[l] == Free && !(marks[l] & IsNode))
                return static_cast<int>(l);
        if (static_cast<int>(waiting.size()) >= maxLanes)
            return -1;
        waiting.push_back(Free);
        marks.push_back(Untouched);
        return static_cast<int>(waiting.size()) - 1;
    };

    for (Id r = 0; r < static_cast<Id>(n); ++r) {
        std::fill(marks.begin(), marks.end(), Untouched);
        edges.clear();

        // The lanes waiting for r merge into the leftmost, which carries the node.
        int node = -1;
        for (std::size_t l = 0; l < waiting.size(); ++l) {
            if (waiting[l] != r)
                continue;
            waiting[l] = Free;
            if (node < 0) {
                node = static_cast<int>(l);
            } else {
                marks[l] = IsMergeIn;
                edges.push_back({static_cast<std::uint16_t>(l), Kind::MergeIn, 0, 0});
            }
        }
        std::uint8_t nodeFlags = 0;
        if (node >= 0) {
            nodeFlags |= LaneSegment::NodeAbove;
        } else if ((node = allocate()) < 0) {
            out.m_truncated = true;
            break;
        }
        marks[node] = IsNode;

        // The first parent continues in the node's lane; the others join a lane already
        // waiting for them or start in a free one.
        const auto parents = dag.parents(r);
        if (!parents.empty()) {
            waiting[node] = parents[0];
            nodeFlags |= LaneSegment::NodeBelow;
        }
        bool overflow = false;
        for (std::size_t k = 1; k < parents.size() && !overflow; ++k) {
            const Id p = parents[k];
            const auto it = std::find(waiting.begin(), waiting.end(), p);
            if (it != waiting.end()) {
                const int l = static_cast<int>(it - waiting.begin());
                if (l != node) // not a repeated first parent
                    edges.push_back({static_cast<std::uint16_t>(l), Kind::ForkOut, 0, 0});
                continue;
            }
            const int l = allocate();
            if (l < 0) {
                overflow = true;
                break;
            }
            waiting[l] = p;
            marks[l] |= IsForkNew;
            edges.push_back(
                {static_cast<std::uint16_t>(l), Kind::ForkOut, LaneSegment::ForkNewLane, 0});
        }
        if (overflow) {
            out.m_truncated = true;
            break;
        }

        // Emit: the node, the runs of pass-through lanes, then the edges by lane.
        const auto nodeLane = static_cast<std::uint16_t>(node);
        out.m_segments.push_back({nodeLane, Kind::Node, nodeFlags, nodeLane});
        bool runOpen = false;
        for (std::size_t l = 0; l < waiting.size(); ++l) {
            const bool pass = waiting[l] != Free && marks[l] == Untouched;
            if (pass && runOpen) {
                out.m_segments.back().other = static_cast<std::uint16_t>(l);
            } else if (pass) {
                out.m_segments.push_back(
                    {static_cast<std::uint16_t>(l), Kind::Pass, 0, static_cast<std::uint16_t>(l)});
            }
            runOpen = pass;
        }
        std::sort(edges.begin(), edges.end(), [](const LaneSegment &a, const LaneSegment &b) {
            return a.lane != b.lane ? a.lane < b.lane : a.kind < b.kind;
        });
        int width = node + 1;
        for (LaneSegment e : edges) {
            e.other = nodeLane;
            width = std::max(width, e.lane + 1);
            out.m_segments.push_back(e);
        }
        while (!waiting.empty() && waiting.back() == Free) {
            waiting.pop_back();
            marks.pop_back();
        }
        width = std::max(width, static_cast<int>(waiting.size()));
        out.m_laneCount = std::max(out.m_laneCount, width);
        out.m_rowOffsets.push_back(static_cast<std::uint32_t>(out.m_segments.size()));
    }
    out.m_segments.shrink_to_fit();
    out.m_rowOffsets.shrink_to_fit();
    return out;
}

int LaneLayout::rowWidth(int row) const {
    int width = 0;
    for (const LaneSegment &s : this->row(row))
        width = std::max({width, s.lane + 1, s.other + 1});
    return width;
}

std::size_t LaneLayout::memoryBytes() const {
    return sizeof(*this) + m_rowOffsets.capacity() * sizeof(std::uint32_t) +
           m_segments.capacity() * sizeof(LaneSegment);
}

} // namespace bw
