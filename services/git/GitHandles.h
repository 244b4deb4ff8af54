#pragma once

// Private to services/: RAII ownership of libgit2 handles. Never include this from a
// public header of bw_services.

#include "models/Oid.h"
#include "models/Result.h"

#include <git2.h>

#include <QByteArrayView>

#include <memory>

namespace bw::git {

template <typename T, void (*Free)(T *)> struct Deleter {
    void operator()(T *p) const noexcept {
        if (p)
            Free(p);
    }
};

using RepositoryPtr = std::unique_ptr<git_repository, Deleter<git_repository, git_repository_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, Deleter<git_revwalk, git_revwalk_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;
using DiffPtr = std::unique_ptr<git_diff, Deleter<git_diff, git_diff_free>>;
using DiffStatsPtr = std::unique_ptr<git_diff_stats, Deleter<git_diff_stats, git_diff_stats_free>>;
using PatchPtr = std::unique_ptr<git_patch, Deleter<git_patch, git_patch_free>>;
using ReferenceIteratorPtr =
    std::unique_ptr<git_reference_iterator,
                    Deleter<git_reference_iterator, git_reference_iterator_free>>;

// A libgit2 output buffer, disposed of with its owner.
struct GitBuf {
    git_buf buf = GIT_BUF_INIT;
    GitBuf() = default;
    GitBuf(const GitBuf &) = delete;
    GitBuf &operator=(const GitBuf &) = delete;
    ~GitBuf() { git_buf_dispose(&buf); }
    [[nodiscard]] QByteArrayView view() const {
        return QByteArrayView(buf.ptr, static_cast<qsizetype>(buf.size));
    }
};

// Keeps libgit2 initialised while alive (git_libgit2_init is reference counted).
class LibGit2 {
public:
    LibGit2() { git_libgit2_init(); }
    ~LibGit2() { git_libgit2_shutdown(); }
    LibGit2(const LibGit2 &) = delete;
    LibGit2 &operator=(const LibGit2 &) = delete;
};

// Builds an Error from libgit2's thread-local last error; call on the failing thread.
Error lastError(const QString &what, int code = -1);

// Puts an out-parameter straight into a handle: `check(git_x(out(ptr), ...))`.
template <typename Ptr> class OutParam {
public:
    explicit OutParam(Ptr &p)
        : m_ptr(p) {}
    ~OutParam() { m_ptr.reset(m_raw); }
    operator typename Ptr::pointer *() { return &m_raw; }

private:
    Ptr &m_ptr;
    typename Ptr::pointer m_raw = nullptr;
};
template <typename Ptr> OutParam<Ptr> out(Ptr &p) {
    return OutParam<Ptr>(p);
}

inline git_oid toGit(const Oid &oid) {
    git_oid g;
    std::memcpy(g.id, oid.bytes.data(), Oid::RawSize);
    return g;
}
inline Oid fromGit(const git_oid *g) {
    return Oid::fromRaw(g->id);
}

} // namespace bw::git
