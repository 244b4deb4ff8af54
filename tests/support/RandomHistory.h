#pragma once

#include "tests/support/TestRepo.h"

#include <random>
#include <set>
#include <vector>

namespace bw::test {

// A random history for differential tests: merges, octopus merges, extra roots, equal
// and backwards-moving commit dates; empty trees so each commit is cheap.
struct Generated {
    std::vector<std::vector<int>> parents; // by commit index, in stored order
    std::vector<QString> sha;
};

// Writes a random history of 3 to 122 commits with one `git fast-import` into `repo`
// (branch main at the last commit, checked out).
bool generate(TestRepo &repo, std::mt19937 &rng, Generated &g);

// Every commit reachable from c (c included).
std::set<int> ancestorsOf(const Generated &g, int c);

// Every commit reachable from c but c itself, ascending: where goods and culprits of a
// bisect with bad = c come from.
std::vector<int> strictAncestorsOf(const Generated &g, int c);

} // namespace bw::test
