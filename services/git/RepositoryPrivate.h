#pragma once

// Private to services/: gives other libgit2-using code of this library the handle.

#include "services/git/GitHandles.h"
#include "services/git/Repository.h"

namespace bw::git {

struct Repository::Private {
    LibGit2 lib;
    RepositoryPtr repo;
};

inline git_repository *raw(const Repository &r) {
    return r.d()->repo.get();
}

} // namespace bw::git
