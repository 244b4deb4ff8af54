#pragma once

#include "models/Oid.h"
#include "models/Result.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <utility>
#include <vector>

namespace bw::git {

struct CommitInfo {
    Oid oid;
    std::vector<Oid> parents;
    QString subject; // first paragraph, lines joined with spaces (git's %s)
    QString message;
    QString authorName;
    QString authorEmail;
    qint64 authorTime = 0;
    int authorOffsetMinutes = 0;
    QString committerName;
    QString committerEmail;
    qint64 commitTime = 0;
    int commitOffsetMinutes = 0;
};

// A libgit2 repository, owned by the thread that opened it (one native handle, one
// owning thread: workers open their own).
class Repository {
public:
    // Opens the repository containing `path` (searches upwards like git does).
    [[nodiscard]] static Result<Repository> open(const QString &path);

    Repository(Repository &&) noexcept;
    Repository &operator=(Repository &&) noexcept;
    ~Repository();

    [[nodiscard]] QString gitDir() const;    // with a trailing '/'
    [[nodiscard]] QString commonDir() const; // shared git dir of worktrees, trailing '/'
    [[nodiscard]] QString workDir() const;   // empty for a bare repository
    [[nodiscard]] bool isBare() const;
    [[nodiscard]] bool isShallow() const;

    // `rev^{commit}`: full or short shas, refs, tags (peeled), `HEAD~3`, `v5.10^2`.
    [[nodiscard]] Result<Oid> resolveCommit(const QString &rev) const;
    [[nodiscard]] Result<CommitInfo> commitInfo(const Oid &oid) const;
    [[nodiscard]] QString subject(const Oid &oid) const;

    // References whose names match a glob such as "refs/bisect/*", peeled to their
    // target oid, sorted by name.
    [[nodiscard]] Result<std::vector<std::pair<QString, Oid>>>
    references(const QString &glob) const;
    [[nodiscard]] Status setReference(const QString &name, const Oid &oid,
                                      const QString &logMessage);
    [[nodiscard]] Status deleteReference(const QString &name);

    // What `git bisect start` records in BISECT_START: the branch short name, or the
    // sha when HEAD is detached.
    [[nodiscard]] Result<QString> headForBisectStart() const;
    // Moves HEAD (detached) to `oid` and updates the work tree safely (no local change
    // is overwritten).
    [[nodiscard]] Status checkoutDetached(const Oid &oid);

    struct Private;
    [[nodiscard]] Private *d() const { return m_d.get(); }

private:
    explicit Repository(std::unique_ptr<Private> d);
    std::unique_ptr<Private> m_d;
};

} // namespace bw::git
