#pragma once

#include "models/Oid.h"
#include "models/Result.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace bw::git {

// Where a step's commit is checked out. Opened on the thread that uses it (it holds its
// own libgit2 repository).
//
// - Linked: a persistent worktree of the session (`git worktree` compatible, detached
//   HEAD, no branch left behind), so build outputs, untracked and ignored files survive
//   from one step to the next and `make` stays incremental. The user's own work tree,
//   index and HEAD are never touched.
// - InPlace: the repository's own work tree, like `git bisect` itself; refused when it
//   has local changes to tracked files.
class Worktree {
public:
    // Opens the linked worktree at `path` when it exists (and belongs to the repository),
    // or creates it there, named `name` in `<gitdir>/worktrees/`, detached at the
    // repository's HEAD. A stale entry under `name` (its directory deleted or emptied) is
    // pruned and the worktree made again; a non-empty `path` that is not that worktree,
    // or a `name` in use by a worktree elsewhere, is refused. Reopening removes stale
    // locks from the worktree's entry (see removedLocks()).
    [[nodiscard]] static Result<Worktree> linked(const QString &repositoryPath, const QString &path,
                                                 const QString &name);
    [[nodiscard]] static Result<Worktree> inPlace(const QString &repositoryPath);

    Worktree(Worktree &&) noexcept;
    Worktree &operator=(Worktree &&) noexcept;
    ~Worktree();

    // Makes the files those of `commit` with HEAD detached at it: tracked files are
    // forced to the commit's content, untracked and ignored files stay. InPlace refuses,
    // naming the files, when tracked files have local (staged or unstaged) changes.
    [[nodiscard]] Status checkout(const Oid &commit);
    [[nodiscard]] QString path() const; // the work tree's directory, no trailing '/'
    // The stale locks (removeStaleLocks) that opening an existing linked worktree removed
    // from its entry: left there by a process killed in the middle of a checkout.
    [[nodiscard]] QStringList removedLocks() const;

private:
    struct Private;
    explicit Worktree(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace bw::git
