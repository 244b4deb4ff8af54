#pragma once

#include "models/Oid.h"
#include "models/Result.h"

#include <QString>

namespace bw::git {

class Repository;

// What `git diff-tree --pretty --stat --summary --cc <commit>` prints inside git ≤ 2.44's
// "is the first bad commit" report: header, indented message, diffstat and summary;
// nothing at all for a root commit or a commit without changes. A merge always shows its
// header (parents abbreviated) and, like --cc --stat, a diffstat against its first parent.
[[nodiscard]] Result<QString> diffTreeSummary(const Repository &repo, const Oid &commit);

// git's default date format: "Sat Jan 1 00:00:03 2000 +0000".
[[nodiscard]] QString gitDefaultDate(qint64 time, int offsetMinutes);

} // namespace bw::git
