#include "models/FlakyRange.h"

#include <algorithm>
#include <functional>
#include <queue>

namespace bw {

namespace {

// Candidate parents of a candidate, as indices, in stored parent order.
template <typename F>
void forEachCandidateParent(const CommitDag &dag, const std::vector<int> &index, bool firstParent,
                            CommitDag::Id c, F &&f) {
    for (CommitDag::Id p : dag.parents(c)) {
        if (index[p] >= 0)
            f(index[p]);
        if (firstParent)
            break;
    }
}

} // namespace

std::shared_ptr<const FlakyRange> FlakyRange::build(std::shared_ptr<const CommitDag> dag,
                                                    const BisectQuery &query, long workBudget) {
    std::shared_ptr<FlakyRange> r(new FlakyRange);
    r->m_dag = std::move(dag);
    r->m_query = query;
    const CommitDag &g = *r->m_dag;
    r->m_index.assign(g.size(), -1);
    r->m_fromGood = BisectEngine::ancestors(g, query.goods);
    const std::vector<Id> walk = BisectEngine::candidates(g, query); // bad first
    const int n = static_cast<int>(walk.size());
    r->m_commits = walk;
    std::sort(r->m_commits.begin(), r->m_commits.end());
    for (int i = 0; i < n; ++i)
        r->m_index[r->m_commits[i]] = i;
    r->m_walkRank.assign(n, 0);
    for (int p = 0; p < n; ++p)
        r->m_walkRank[r->m_index[walk[p]]] = n - 1 - p; // L is the walk reversed

    r->m_mainParent.assign(n, -1);
    r->m_exact.assign(n, 1);
    std::vector<std::uint8_t> isMerge(n, 0);
    for (int i = 0; i < n; ++i) {
        int count = 0;
        forEachCandidateParent(g, r->m_index, query.firstParent, r->m_commits[i], [&](int p) {
            if (count++ == 0)
                r->m_mainParent[i] = p;
        });
        isMerge[i] = count >= 2;
    }

    // Exclusive sets: paint from the main parent ("M") and the other parents ("O"),
    // children first (ascending index), until no node reached only from the others is
    // waiting. A node popped with only "O" is not an ancestor of the main parent: every
    // path from the main parent to it runs through smaller indices, all popped already.
    // Only candidates are walked: outside first-parent mode an ancestor of a
    // non-candidate is never a candidate.
    r->m_exclusiveOffset.assign(n + 1, 0);
    long budget = workBudget > 0 ? workBudget : 64L * n + 4096;
    constexpr std::uint8_t Main = 1, Other = 2;
    std::vector<std::uint8_t> flag(n, 0);
    std::vector<int> touched;
    std::priority_queue<int, std::vector<int>, std::greater<>> heap;
    for (int i = 0; i < n; ++i) {
        r->m_exclusiveOffset[i] = static_cast<std::uint32_t>(r->m_exclusive.size());
        if (!isMerge[i])
            continue;
        if (budget <= 0) {
            r->m_exact[i] = 0;
            ++r->m_inexactMerges;
            continue;
        }
        const std::size_t start = r->m_exclusive.size();
        int pending = 0;
        auto paint = [&](int q, std::uint8_t with) {
            const std::uint8_t old = flag[q];
            const std::uint8_t now = old | with;
            if (old == now)
                return;
            flag[q] = now;
            if (old == 0) {
                touched.push_back(q);
                heap.push(q);
                pending += now == Other;
            } else if (old == Other) {
                --pending; // now also reached from the main parent
            }
        };
        bool first = true;
        forEachCandidateParent(g, r->m_index, false, r->m_commits[i], [&](int p) {
            paint(p, first ? Main : Other);
            first = false;
        });
        while (pending > 0 && budget > 0) {
            const int x = heap.top();
            heap.pop();
            --budget;
            const std::uint8_t f = flag[x];
            if (f == Other) {
                --pending;
                r->m_exclusive.push_back(x);
            }
            const std::uint8_t with = (f & Main) ? Main : Other;
            forEachCandidateParent(g, r->m_index, false, r->m_commits[x],
                                   [&](int p) { paint(p, with); });
        }
        if (pending > 0) { // over budget: give up on this merge
            r->m_exclusive.resize(start);
            r->m_exact[i] = 0;
            ++r->m_inexactMerges;
        }
        for (int t : touched)
            flag[t] = 0;
        touched.clear();
        heap = {};
    }
    r->m_exclusiveOffset[n] = static_cast<std::uint32_t>(r->m_exclusive.size());
    return r;
}

std::vector<int> FlakyRange::candidateAncestors(Id c) const {
    std::vector<int> out;
    const int start = indexOf(c);
    if (start >= 0) {
        bool ok = true;
        for (int x = start; x >= 0 && ok; x = m_mainParent[x]) {
            ok = m_exact[x] != 0;
            out.push_back(x);
            const auto e = exclusive(x);
            out.insert(out.end(), e.begin(), e.end());
        }
        if (ok)
            return out;
        out.clear();
    }
    if (c >= static_cast<Id>(m_dag->size()))
        return out;
    // General case: every ancestor that no good reaches (their ancestors never hold a
    // candidate), all parents followed even in first-parent mode.
    std::vector<std::uint8_t> seen(m_dag->size(), 0);
    std::vector<Id> stack;
    if (!m_fromGood[c]) {
        stack.push_back(c);
        seen[c] = 1;
    }
    while (!stack.empty()) {
        const Id x = stack.back();
        stack.pop_back();
        if (m_index[x] >= 0)
            out.push_back(m_index[x]);
        for (Id p : m_dag->parents(x)) {
            if (!seen[p] && !m_fromGood[p]) {
                seen[p] = 1;
                stack.push_back(p);
            }
        }
    }
    return out;
}

void FlakyRange::belowSums(std::span<const double> weight, std::span<double> out) const {
    for (int i = size() - 1; i >= 0; --i) {
        double s = weight[i];
        if (m_exact[i]) {
            if (m_mainParent[i] >= 0)
                s += out[m_mainParent[i]];
            for (int e : exclusive(i))
                s += weight[e];
        } else {
            double best = 0;
            forEachCandidateParent(*m_dag, m_index, m_query.firstParent, m_commits[i],
                                   [&](int p) { best = std::max(best, out[p]); });
            s += best;
        }
        out[i] = s;
    }
}

} // namespace bw
