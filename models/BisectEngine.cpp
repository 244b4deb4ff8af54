#include "models/BisectEngine.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <queue>

namespace bw {

using Id = CommitDag::Id;

int BisectOutcome::steps() const {
    return BisectEngine::estimateSteps(all);
}

namespace BisectEngine {

int estimateSteps(int all) {
    if (all < 3)
        return 0;
    const int n = std::bit_width(static_cast<unsigned>(all)) - 1; // floor(log2(all))
    const int e = 1 << n;
    const int x = all - e;
    return e < 3 * x ? n : n - 1;
}

int skipIndex(int count) {
    // git's skip_away: a fixed pseudo-random pick seeded by the count, in unsigned
    // 32-bit arithmetic, then int arithmetic (wrapping like git's int on x86-64).
    const std::uint32_t next = static_cast<std::uint32_t>(count) * 1103515245u + 12345u;
    const int prn = static_cast<int>((next / 65536u) % 32768u);
    // isqrt(x) = floor(sqrt(x)); isqrt(32768) = 181
    auto isqrt = [](int v) {
        int r = 0;
        while ((r + 1) * (r + 1) <= v)
            ++r;
        return r;
    };
    const std::int32_t product = static_cast<std::int32_t>(static_cast<std::uint32_t>(count) *
                                                           static_cast<std::uint32_t>(prn));
    const int index = (product / 32768) * isqrt(prn) / 181;
    return index;
}

bool halfway(int weight, int all) {
    const int diff = 2 * weight - all;
    if (diff >= -1 && diff <= 1)
        return true;
    return std::abs(diff) < all / 1024;
}

std::vector<std::uint8_t> ancestors(const CommitDag &dag, const std::vector<Id> &from) {
    std::vector<std::uint8_t> mark(dag.size(), 0);
    Id lowest = CommitDag::None;
    for (Id c : from) {
        if (c < static_cast<Id>(dag.size())) {
            mark[c] = 1;
            lowest = std::min(lowest, c);
        }
    }
    if (lowest == CommitDag::None)
        return mark;
    // Ids are topological (children first): one forward scan propagates to parents.
    for (Id c = lowest; c < static_cast<Id>(dag.size()); ++c) {
        if (!mark[c])
            continue;
        for (Id p : dag.parents(c))
            mark[p] = 1;
    }
    return mark;
}

namespace {

// The candidates in L order (git's walk reversed) with their candidate parents, as
// indices into L.
struct Candidates {
    std::vector<Id> L;                   // L[i] = dag id
    std::vector<std::uint32_t> cpOffset; // size L.size() + 1
    std::vector<std::uint32_t> cp;       // candidate parents as L indices
    [[nodiscard]] int size() const { return static_cast<int>(L.size()); }
    [[nodiscard]] int parentCount(int i) const {
        return static_cast<int>(cpOffset[i + 1] - cpOffset[i]);
    }
};

// Returns false when bad is reachable from a good (empty candidate set).
bool collect(const CommitDag &dag, const BisectQuery &q, Candidates &out) {
    const std::vector<std::uint8_t> fromGood = ancestors(dag, q.goods);
    if (q.bad >= static_cast<Id>(dag.size()) || fromGood[q.bad])
        return false;

    // git's limited walk: a priority queue on committer date, FIFO among equal dates.
    struct Item {
        std::int64_t time;
        std::uint64_t seq;
        Id id;
        bool operator<(const Item &o) const { return time != o.time ? time < o.time : seq > o.seq; }
    };
    std::priority_queue<Item> queue;
    std::vector<std::int32_t> index(dag.size(), -1); // -1 unseen, -2 queued, >= 0 walk position
    std::vector<Id> walk;
    std::uint64_t seq = 0;
    queue.push({dag.time(q.bad), seq++, q.bad});
    index[q.bad] = -2;
    while (!queue.empty()) {
        const Id c = queue.top().id;
        queue.pop();
        walk.push_back(c);
        for (Id p : dag.parents(c)) {
            if (!fromGood[p] && index[p] == -1) {
                index[p] = -2;
                queue.push({dag.time(p), seq++, p});
            }
            if (q.firstParent)
                break;
        }
    }

    const int n = static_cast<int>(walk.size());
    out.L.assign(walk.rbegin(), walk.rend());
    for (int i = 0; i < n; ++i)
        index[out.L[i]] = i;
    out.cpOffset.assign(n + 1, 0);
    out.cp.clear();
    for (int i = 0; i < n; ++i) {
        out.cpOffset[i] = static_cast<std::uint32_t>(out.cp.size());
        for (Id p : dag.parents(out.L[i])) {
            if (index[p] >= 0)
                out.cp.push_back(static_cast<std::uint32_t>(index[p]));
            if (q.firstParent)
                break;
        }
    }
    out.cpOffset[n] = static_cast<std::uint32_t>(out.cp.size());
    return true;
}

// The bit-parallel kernel: for every commit (parents-first positions 0..n-1, parent
// lists by position in off/par), count[t] += how many commits t reaches. 256 target
// commits per pass; a pass sweeps the commits that can reach them (positions >= the
// block's first) once. A commit whose mask is full passes "full" on to its children
// without touching the words. Compiled twice on x86-64 so that a CPU with POPCNT uses
// it (nearly every one since 2008).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) &&                             \
    !defined(__SANITIZE_ADDRESS__)
__attribute__((target_clones("popcnt", "default")))
#endif
void countAncestorsBitParallel(int n, const std::vector<std::uint32_t> &off,
                               const std::vector<std::uint32_t> &par, std::vector<int> &count)
{
    constexpr int Words = 4;
    constexpr int Block = 64 * Words;
    std::vector<std::uint64_t> mask(static_cast<std::size_t>(n) * Words);
    std::vector<std::uint8_t> full(n);
    for (int start = 0; start < n; start += Block) {
        const int end = std::min(n, start + Block);
        const int blockSize = end - start;
        for (int t = start; t < n; ++t) {
            if (t >= end && blockSize == Block) {
                // Fast path: a full parent makes this commit full.
                bool isFull = false;
                for (std::uint32_t k = off[t]; k < off[t + 1] && !isFull; ++k)
                    isFull = par[k] >= static_cast<std::uint32_t>(start) && full[par[k]];
                if (isFull) {
                    full[t] = 1;
                    count[t] += Block;
                    continue;
                }
            }
            std::uint64_t acc[Words] = {};
            if (t < end) {
                const int bit = t - start;
                acc[bit / 64] = std::uint64_t(1) << (bit % 64);
            }
            for (std::uint32_t k = off[t]; k < off[t + 1]; ++k) {
                const std::uint32_t p = par[k];
                if (static_cast<int>(p) < start)
                    continue; // reaches nothing of this block
                const std::uint64_t *pm = &mask[static_cast<std::size_t>(p) * Words];
                for (int x = 0; x < Words; ++x)
                    acc[x] |= pm[x];
            }
            std::uint64_t *m = &mask[static_cast<std::size_t>(t) * Words];
            int bits = 0;
            for (int x = 0; x < Words; ++x) {
                m[x] = acc[x];
                bits += std::popcount(acc[x]);
            }
            full[t] = bits == Block;
            count[t] += bits;
        }
    }
}

// w(c) = number of candidates reachable from c, c included. Chains are "parent + 1";
// merges need the size of an ancestor set, which is computed for all candidates at
// once with bit-parallel reachability: 256 target commits per pass, each pass a single
// sweep in parents-first order over the commits that can reach them. O(N²/256) word
// operations instead of git's O(merges × N) depth-first counts.
std::vector<int> computeWeights(const Candidates &c) {
    const int n = c.size();
    std::vector<int> w(n, 0);
    bool anyMerge = false;
    for (int i = 0; i < n; ++i)
        anyMerge |= c.parentCount(i) >= 2;

    // Parents-first order: dag ids are children-first, so sort by descending id.
    std::vector<std::uint32_t> topo(n);
    for (int i = 0; i < n; ++i)
        topo[i] = static_cast<std::uint32_t>(i);
    std::sort(topo.begin(), topo.end(),
              [&](std::uint32_t a, std::uint32_t b) { return c.L[a] > c.L[b]; });

    if (!anyMerge) {
        for (std::uint32_t i : topo)
            w[i] = c.parentCount(i) == 0 ? 1 : w[c.cp[c.cpOffset[i]]] + 1;
        return w;
    }

    std::vector<std::uint32_t> rank(n); // L index -> position in topo
    for (int t = 0; t < n; ++t)
        rank[topo[t]] = static_cast<std::uint32_t>(t);
    // Candidate parents by topo position, so the inner loop touches contiguous memory.
    std::vector<std::uint32_t> off(n + 1), par;
    par.reserve(c.cp.size());
    for (int t = 0; t < n; ++t) {
        off[t] = static_cast<std::uint32_t>(par.size());
        const std::uint32_t i = topo[t];
        for (std::uint32_t k = c.cpOffset[i]; k < c.cpOffset[i + 1]; ++k)
            par.push_back(rank[c.cp[k]]);
    }
    off[n] = static_cast<std::uint32_t>(par.size());

    std::vector<int> count(n, 0);
    countAncestorsBitParallel(n, off, par, count);
    for (int t = 0; t < n; ++t)
        w[topo[t]] = count[t];
    return w;
}

} // namespace

std::vector<Id> candidates(const CommitDag &dag, const BisectQuery &q) {
    Candidates c;
    if (!collect(dag, q, c))
        return {};
    return {c.L.rbegin(), c.L.rend()};
}

Weighted weights(const CommitDag &dag, const BisectQuery &q) {
    Candidates c;
    if (!collect(dag, q, c))
        return {};
    std::vector<int> w = computeWeights(c);
    return {{c.L.rbegin(), c.L.rend()}, {w.rbegin(), w.rend()}};
}

BisectOutcome select(const CommitDag &dag, const BisectQuery &q) {
    BisectOutcome out;
    Candidates c;
    if (!collect(dag, q, c)) {
        out.kind = BisectOutcome::Kind::BothGoodAndBad;
        out.commit = q.bad;
        return out;
    }
    const int n = c.size();
    out.all = n;
    const std::vector<int> w = computeWeights(c);

    auto result = [&](int i, int reaches) {
        out.commit = c.L[i];
        out.reaches = reaches;
        out.kind = out.commit == q.bad ? BisectOutcome::Kind::FirstBad : BisectOutcome::Kind::Next;
        return out;
    };

    if (!q.skipMode) {
        // Pass B: merges in L order, each tested as soon as its weight is known.
        for (int i = 0; i < n; ++i)
            if (c.parentCount(i) >= 2 && halfway(w[i], n))
                return result(i, w[i]);
        // Pass C: repeated sweeps filling chains; the order in which weights become
        // known decides which commit passes the halfway test first.
        std::vector<std::uint8_t> known(n, 0);
        int unknown = 0;
        for (int i = 0; i < n; ++i) {
            known[i] = c.parentCount(i) != 1;
            unknown += !known[i];
        }
        while (unknown > 0) {
            int progressed = 0;
            for (int i = 0; i < n; ++i) {
                if (known[i] || !known[c.cp[c.cpOffset[i]]])
                    continue;
                known[i] = 1;
                ++progressed;
                if (halfway(w[i], n))
                    return result(i, w[i]);
            }
            unknown -= progressed;
            if (progressed == 0)
                break; // cannot happen in a DAG; guards against an endless loop
        }
        // No exact midpoint: the first best distance in L order.
        int best = -1, bestDistance = -1;
        for (int i = 0; i < n; ++i) {
            const int distance = std::min(w[i], n - w[i]);
            if (distance > bestDistance) {
                best = i;
                bestDistance = distance;
            }
        }
        return result(best, w[best]);
    }

    // Skip mode: all candidates by distance (descending), then oid (ascending).
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        const int da = std::min(w[a], n - w[a]), db = std::min(w[b], n - w[b]);
        if (da != db)
            return da > db;
        return dag.oid(c.L[a]) < dag.oid(c.L[b]);
    });
    std::vector<std::uint8_t> skipped(dag.size(), 0);
    for (Id s : q.skips)
        if (s < static_cast<Id>(dag.size()))
            skipped[s] = 1;

    const int reaches = w[order[0]]; // even when S[0] is skipped (git's quirk)
    if (!skipped[c.L[order[0]]])
        return result(order[0], reaches);

    std::vector<Id> tried, untested;
    for (int i : order)
        (skipped[c.L[i]] ? tried : untested).push_back(c.L[i]);

    auto onlySkipped = [&]() {
        out.kind = BisectOutcome::Kind::OnlySkipped;
        out.commit = q.bad;
        out.reaches = reaches;
        out.possibleFirstBad = tried;
        if (!skipped[q.bad])
            out.possibleFirstBad.push_back(q.bad);
        return out;
    };
    if (untested.empty())
        return onlySkipped();
    const int count = static_cast<int>(untested.size());
    int index = skipIndex(count);
    if (index < 0 || index >= count)
        index = 0; // only reachable through int wrap-around far beyond 65535 commits
    Id chosen = untested[index];
    if (chosen == q.bad)
        chosen = index > 0 ? untested[index - 1] : untested[0];
    if (chosen == q.bad)
        return onlySkipped();
    out.kind = BisectOutcome::Kind::Next;
    out.commit = chosen;
    out.reaches = reaches;
    return out;
}

std::vector<Id> mergeBases(const CommitDag &dag, Id bad, const std::vector<Id> &goods) {
    const auto fromBad = ancestors(dag, {bad});
    const auto fromGoods = ancestors(dag, goods);
    std::vector<std::uint8_t> redundant(dag.size(), 0);
    std::vector<Id> bases;
    // Common ancestors are closed under "parent of"; in children-first order a common
    // ancestor is a merge base unless a common descendant already covered it.
    for (Id c = 0; c < static_cast<Id>(dag.size()); ++c) {
        if (!fromBad[c] || !fromGoods[c])
            continue;
        if (!redundant[c])
            bases.push_back(c);
        for (Id p : dag.parents(c))
            redundant[p] = 1;
    }
    std::stable_sort(bases.begin(), bases.end(),
                     [&](Id a, Id b) { return dag.time(a) > dag.time(b); });
    return bases;
}

MergeBaseCheck checkMergeBases(const CommitDag &dag, const BisectQuery &q,
                               std::optional<Id> expected) {
    MergeBaseCheck check;
    if (q.goods.empty())
        return check;
    const auto fromBad = ancestors(dag, {q.bad});
    const bool allAncestors =
        std::all_of(q.goods.begin(), q.goods.end(), [&](Id g) { return fromBad[g] != 0; });
    if (allAncestors)
        return check;
    for (Id base : mergeBases(dag, q.bad, q.goods)) {
        if (base == q.bad) {
            check.kind = expected && *expected == q.bad ? MergeBaseCheck::Kind::BaseIsBad
                                                        : MergeBaseCheck::Kind::NotAncestors;
            check.base = base;
            return check;
        }
        if (std::find(q.goods.begin(), q.goods.end(), base) != q.goods.end())
            continue;
        if (std::find(q.skips.begin(), q.skips.end(), base) != q.skips.end()) {
            check.skippedBases.push_back(base);
            continue;
        }
        check.kind = MergeBaseCheck::Kind::MustTest;
        check.base = base;
        return check;
    }
    return check;
}

} // namespace BisectEngine
} // namespace bw
