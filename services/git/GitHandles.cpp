#include "services/git/GitHandles.h"

namespace bw::git {

Error lastError(const QString &what, int code) {
    const git_error *e = git_error_last();
    return Error{what, code, e && e->message ? QString::fromUtf8(e->message) : QString()};
}

} // namespace bw::git
