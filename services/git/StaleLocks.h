#pragma once

#include <QString>
#include <QStringList>

#include <chrono>
#include <utility>
#include <vector>

namespace bw::git {

// A process killed while git's files were being written (by git, libgit2 or us) leaves a
// `<file>.lock` beside the file, and every later write of that file fails on it. A live
// writer holds its lock for milliseconds; one still there `staleAfter` after it was made
// is stale. Only the (directory, glob pattern) places given are looked at: callers name
// the files that are theirs. A lock younger than `staleAfter` is waited for (at most
// `staleAfter`) and removed only if it is still there then. Returns the removed paths.
[[nodiscard]] QStringList
removeStaleLocks(const std::vector<std::pair<QString, QString>> &places,
                 std::chrono::milliseconds staleAfter = std::chrono::seconds(3));

} // namespace bw::git
