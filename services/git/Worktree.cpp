#include "services/git/Worktree.h"

#include "services/ServicesLogging.h"
#include "services/git/GitHandles.h"
#include "services/git/StaleLocks.h"
#include "services/process/ProcessRunner.h"

#include <QDir>

#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QStringList>
#include <algorithm>

namespace bw::git {

struct Worktree::Private {
    LibGit2 lib; // first: outlives the handles below
    RepositoryPtr repo;
    bool inPlace = false;
    QString path;
    QStringList removedLocks;
};

namespace {

using WorktreePtr = std::unique_ptr<git_worktree, Deleter<git_worktree, git_worktree_free>>;
using StatusListPtr =
    std::unique_ptr<git_status_list, Deleter<git_status_list, git_status_list_free>>;

// How many locally modified files a refused in-place checkout names.
constexpr int NamedFiles = 3;

QString decodeDir(const char *p) {
    QString s = p ? QFile::decodeName(p) : QString();
    while (s.size() > 1 && s.endsWith(u'/'))
        s.chop(1);
    return s;
}

// Symlinks resolved when the path exists, so that paths libgit2 or git wrote compare equal.
QString canonical(const QString &p) {
    const QFileInfo fi(p);
    const QString c = fi.canonicalFilePath();
    return c.isEmpty() ? QDir::cleanPath(fi.absoluteFilePath()) : c;
}

enum class PathState { Missing, EmptyDirectory, Occupied };

PathState pathState(const QString &p) {
    const QFileInfo fi(p);
    if (!fi.exists() && !fi.isSymLink())
        return PathState::Missing;
    if (fi.isDir() && !fi.isSymLink() &&
        QDir(p).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System))
        return PathState::EmptyDirectory;
    return PathState::Occupied;
}

// The name becomes a directory under `<commondir>/worktrees/`.
bool isValidName(const QString &name) {
    return !name.isEmpty() && !name.startsWith(u'.') && !name.contains(u'/') &&
           !name.contains(u'\\') && !name.contains(u'\n');
}

Result<RepositoryPtr> openRepository(const QString &path) {
    RepositoryPtr repo;
    const QByteArray native = QFile::encodeName(path);
    int rc = git_repository_open_ext(out(repo), native.constData(), 0, nullptr);
    if (rc == GIT_ENOTFOUND)
        return Error{QStringLiteral("%1 is not a git repository (or any of its parent directories)")
                         .arg(path),
                     rc};
    if (rc < 0)
        return lastError(QStringLiteral("cannot open the repository at %1").arg(path), rc);
    return repo;
}

// The repository of `dir` itself (its `.git` file, no search upwards) when that is the
// linked worktree administered in `adminDir`; null otherwise.
RepositoryPtr openLinkedAt(const QString &dir, const QString &adminDir) {
    RepositoryPtr r;
    const QByteArray native = QFile::encodeName(dir);
    if (git_repository_open_ext(out(r), native.constData(), GIT_REPOSITORY_OPEN_NO_SEARCH,
                                nullptr) < 0) {
        git_error_clear();
        return {};
    }
    if (git_repository_is_worktree(r.get()) != 1 ||
        canonical(decodeDir(git_repository_path(r.get()))) != canonical(adminDir) ||
        canonical(decodeDir(git_repository_workdir(r.get()))) != canonical(dir))
        return {};
    return r;
}

// Whether `dir/.git` names `adminDir`: the directory is the one git_worktree_add made.
bool linksTo(const QString &dir, const QString &adminDir) {
    QFile f(dir + QStringLiteral("/.git"));
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = f.readLine().trimmed();
    static constexpr QByteArrayView prefix("gitdir: ");
    return line.startsWith(prefix) &&
           canonical(QFile::decodeName(line.mid(prefix.size()))) == canonical(adminDir);
}

// Deletes the temporary branch and its reflog. Not git_branch_delete: it has no config
// section to remove, and libgit2 1.5.1 leaks pcre2 match data while looking for one.
int deleteBranch(git_repository *repo, git_reference *branch) {
    const QByteArray name = git_reference_name(branch);
    if (int rc = git_reference_delete(branch); rc < 0)
        return rc;
    return git_reflog_delete(repo, name.constData());
}

// Creates the worktree at `dir` (absent) as `name` (unused), at the commit of HEAD and
// with its own HEAD detached. libgit2 1.5 sets a new worktree's HEAD to a branch, so the
// worktree is made on a temporary branch, detached, and the branch deleted.
Result<RepositoryPtr> addWorktree(git_repository *repo, const QString &dir, const QString &name,
                                  const QString &adminDir) {
    const QString what = QStringLiteral("cannot create the worktree %1").arg(dir);
    ReferencePtr head;
    if (int rc = git_repository_head(out(head), repo); rc < 0) {
        if (rc == GIT_EUNBORNBRANCH)
            return Error{what + QStringLiteral(": the repository has no commit yet"), rc};
        return lastError(what, rc);
    }
    ObjectPtr headCommit;
    if (int rc = git_reference_peel(out(headCommit), head.get(), GIT_OBJECT_COMMIT); rc < 0)
        return lastError(what, rc);
    const auto *commit = reinterpret_cast<const git_commit *>(headCommit.get());

    const QByteArray branchName =
        QStringLiteral("bisect-workbench-tmp-%1")
            .arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'))
            .toUtf8();
    ReferencePtr branch;
    if (int rc = git_branch_create(out(branch), repo, branchName.constData(), commit, 0); rc < 0)
        return lastError(what, rc);

    git_worktree_add_options opts = GIT_WORKTREE_ADD_OPTIONS_INIT;
    opts.ref = branch.get();
    // The directory is new: write every file (a safe checkout would see them as deleted).
    opts.checkout_options.checkout_strategy = GIT_CHECKOUT_FORCE;
    WorktreePtr wt;
    RepositoryPtr wtRepo;
    const QByteArray nativeName = name.toUtf8(), nativeDir = QFile::encodeName(dir);
    int rc = git_worktree_add(out(wt), repo, nativeName.constData(), nativeDir.constData(), &opts);
    if (rc >= 0)
        rc = git_repository_open_from_worktree(out(wtRepo), wt.get());
    if (rc >= 0)
        rc = git_repository_set_head_detached(wtRepo.get(), git_commit_id(commit));
    if (rc < 0) {
        Error error = lastError(what, rc);
        // Undo what was made: nothing of either existed before (checked by the caller).
        wtRepo.reset();
        wt.reset();
        if (linksTo(dir, adminDir))
            QDir(dir).removeRecursively();
        else if (pathState(dir) == PathState::EmptyDirectory)
            QDir().rmdir(dir);
        QDir(adminDir).removeRecursively();
        if (deleteBranch(repo, branch.get()) < 0)
            qCWarning(bwGit) << "cannot delete the temporary branch" << branchName;
        return error;
    }
    if (deleteBranch(repo, branch.get()) < 0) {
        // The worktree is usable; leave the user a trace of the leftover instead of failing.
        qCWarning(bwGit) << "cannot delete the temporary branch" << branchName << ":"
                         << lastError(what).detail;
    }
    qCInfo(bwGit) << "created the worktree" << dir << "as" << name;
    return wtRepo;
}

// Refuses, like `git bisect`, to overwrite local changes to tracked files (staged or not).
Status refuseLocalChanges(git_repository *repo, const QString &commit, const QString &dir) {
    git_status_options so = GIT_STATUS_OPTIONS_INIT;
    so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    so.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES; // neither untracked nor ignored files
    StatusListPtr list;
    if (int rc = git_status_list_new(out(list), repo, &so); rc < 0)
        return lastError(
            QStringLiteral("cannot check out %1: cannot read the status of %2").arg(commit, dir),
            rc);
    QStringList files;
    const size_t n = git_status_list_entrycount(list.get());
    for (size_t i = 0; i < n; ++i) {
        const git_status_entry *e = git_status_byindex(list.get(), i);
        if (!e || e->status == GIT_STATUS_CURRENT)
            continue;
        const git_diff_delta *delta = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
        if (delta)
            files.append(QString::fromUtf8(delta->new_file.path ? delta->new_file.path
                                                                : delta->old_file.path));
    }
    if (files.isEmpty())
        return okStatus();
    QString named = QStringList(files.mid(0, NamedFiles)).join(QStringLiteral(", "));
    if (files.size() > NamedFiles)
        named += QStringLiteral(" (and %1 more)").arg(files.size() - NamedFiles);
    return Error{QStringLiteral("cannot check out %1 in %2: your local changes to %3 would be "
                                "overwritten; commit or stash them first")
                     .arg(commit, dir, named)};
}

} // namespace

Worktree::Worktree(std::unique_ptr<Private> d)
    : d(std::move(d)) {}
Worktree::Worktree(Worktree &&) noexcept = default;
Worktree &Worktree::operator=(Worktree &&) noexcept = default;
Worktree::~Worktree() = default;

Result<Worktree> Worktree::linked(const QString &repositoryPath, const QString &path,
                                  const QString &name) {
    auto d = std::make_unique<Private>();
    if (!isValidName(name))
        return Error{QStringLiteral("'%1' is not a valid worktree name").arg(name)};
    if (path.isEmpty())
        return Error{QStringLiteral("no directory given for the worktree '%1'").arg(name)};
    auto opened = openRepository(repositoryPath);
    if (!opened)
        return opened.error();
    git_repository *repo = opened->get();

    const QString dir = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    const QString adminDir =
        decodeDir(git_repository_commondir(repo)) + QStringLiteral("/worktrees/") + name;
    const QString what =
        QStringLiteral("cannot use %1 as a worktree of %2").arg(dir, repositoryPath);

    WorktreePtr wt;
    const QByteArray nativeName = name.toUtf8();
    // libgit2 1.5 reports a missing entry as a generic error: look first.
    int rc = GIT_ENOTFOUND;
    if (QFileInfo(adminDir).isDir())
        rc = git_worktree_lookup(out(wt), repo, nativeName.constData());
    if (rc < 0 && rc != GIT_ENOTFOUND)
        return lastError(
            QStringLiteral("%1: its entry %2 is damaged (`git worktree prune` may remove it)")
                .arg(what, adminDir),
            rc);
    if (rc == 0) {
        const QString registered = decodeDir(git_worktree_path(wt.get()));
        const bool valid = git_worktree_validate(wt.get()) == 0;
        git_error_clear();
        if (valid && canonical(registered) == canonical(dir)) {
            if (RepositoryPtr existing = openLinkedAt(dir, adminDir)) {
                // The entry is ours: a lock in it (HEAD.lock, index.lock) was left by a
                // run killed in a checkout, and would fail every checkout from now on.
                d->removedLocks = removeStaleLocks({{adminDir, QStringLiteral("*.lock")}});
                d->repo = std::move(existing);
                d->path = decodeDir(git_repository_workdir(d->repo.get()));
                return Worktree(std::move(d));
            }
        } else if (valid) {
            return Error{QStringLiteral("%1: the worktree name '%2' is already used by %3")
                             .arg(what, name, registered)};
        }
        // A leftover entry: its directory is gone, or is no longer that worktree.
        if (pathState(dir) == PathState::Occupied)
            return Error{QStringLiteral("%1: the directory is not empty and is not that worktree")
                             .arg(what)};
        if (git_worktree_is_locked(nullptr, wt.get()) > 0)
            return Error{QStringLiteral("%1: the stale worktree entry %2 is locked (`git worktree "
                                        "unlock %3` releases it)")
                             .arg(what, adminDir, registered)};
        git_worktree_prune_options prune = GIT_WORKTREE_PRUNE_OPTIONS_INIT;
        // Also when its directory still exists, empty: libgit2 would call that valid.
        prune.flags = GIT_WORKTREE_PRUNE_VALID;
        if (rc = git_worktree_prune(wt.get(), &prune); rc < 0)
            return lastError(
                QStringLiteral("%1: cannot prune the stale entry %2").arg(what, adminDir), rc);
        qCInfo(bwGit) << "pruned the stale worktree entry" << adminDir;
    }

    switch (pathState(dir)) {
    case PathState::Occupied:
        return Error{QStringLiteral("%1: the directory exists, is not empty and is not a worktree "
                                    "named '%2'")
                         .arg(what, name)};
    case PathState::EmptyDirectory:
        // git_worktree_add makes the directory itself.
        if (!QDir().rmdir(dir))
            return Error{QStringLiteral("%1: cannot replace the empty directory").arg(what)};
        break;
    case PathState::Missing:
        if (!QDir().mkpath(QFileInfo(dir).absolutePath()))
            return Error{QStringLiteral("%1: cannot create its parent directory").arg(what)};
        break;
    }
    auto created = addWorktree(repo, dir, name, adminDir);
    if (!created)
        return created.error();
    d->repo = std::move(created).value();
    d->path = decodeDir(git_repository_workdir(d->repo.get()));
    return Worktree(std::move(d));
}

Result<Worktree> Worktree::inPlace(const QString &repositoryPath) {
    auto d = std::make_unique<Private>();
    auto opened = openRepository(repositoryPath);
    if (!opened)
        return opened.error();
    if (git_repository_is_bare(opened->get()) == 1)
        return Error{QStringLiteral("%1 is a bare repository: it has no work tree to check "
                                    "commits out in (use a linked worktree)")
                         .arg(repositoryPath)};
    d->repo = std::move(opened).value();
    d->inPlace = true;
    d->path = decodeDir(git_repository_workdir(d->repo.get()));
    return Worktree(std::move(d));
}

namespace {

// git's own checkout writes a big jump's files 2-4x faster than libgit2 1.5's
// git_checkout_tree (0.27 s against 0.5-1.2 s for 1,500 changed files, measured with
// tests/bench/bench_pipeline), but starting it costs ~20 ms, more than libgit2 needs for
// a small change. So a jump that changes more than BW_GIT_CLI_MIN_CHANGES files (64 by
// default; 0: always) goes through the `git` binary when it is installed
// (BW_NO_GIT_CLI=1: never), the rest through libgit2 — with the same meaning: tracked
// files forced, untracked and ignored ones kept, HEAD detached.
int gitCliMinChanges() {
    bool ok = false;
    const int n = qEnvironmentVariableIntValue("BW_GIT_CLI_MIN_CHANGES", &ok);
    return ok ? n : 64;
}

// How many files differ between HEAD's tree and `target` (counting stops at `limit`).
int changedFiles(git_repository *repo, const git_commit *target, int limit) {
    git_object *headObj = nullptr;
    if (git_revparse_single(&headObj, repo, "HEAD^{tree}") < 0)
        return limit; // no HEAD yet: treat as a big change
    TreePtr head(reinterpret_cast<git_tree *>(headObj));
    TreePtr tree;
    if (git_commit_tree(out(tree), target) < 0)
        return limit;
    DiffPtr diff;
    if (git_diff_tree_to_tree(out(diff), repo, head.get(), tree.get(), nullptr) < 0)
        return limit;
    return static_cast<int>(std::min<size_t>(git_diff_num_deltas(diff.get()), limit));
}

QString gitBinary() {
    static const QString git = qEnvironmentVariableIsSet("BW_NO_GIT_CLI")
                                   ? QString()
                                   : QStandardPaths::findExecutable(QStringLiteral("git"));
    return git;
}

Status checkoutWithGit(const QString &git, const QString &dir, const QString &id,
                       const QString &what) {
    process::ProcessSpec spec;
    spec.argv = {git,
                 QStringLiteral("-C"),
                 dir,
                 QStringLiteral("checkout"),
                 QStringLiteral("--quiet"),
                 QStringLiteral("--force"),
                 QStringLiteral("--detach"),
                 id};
    // The repository is the one in `dir`, whatever the caller's environment says.
    spec.inheritEnvironment = false;
    const QProcessEnvironment system = QProcessEnvironment::systemEnvironment();
    for (const QString &key : system.keys())
        if (!key.startsWith(QStringLiteral("GIT_")))
            spec.environment.insert(key, system.value(key));
    QByteArray out, err;
    const process::ProcessResult r = process::ProcessRunner::capture(spec, out, &err);
    if (!r.succeeded())
        return Error{what, 1,
                     QStringLiteral("git checkout: %1: %2")
                         .arg(r.describe(), QString::fromUtf8(err).trimmed())};
    return okStatus();
}

} // namespace

Status Worktree::checkout(const Oid &commit) {
    git_repository *repo = d->repo.get();
    const QString id = commit.toString();
    const QString what = QStringLiteral("cannot check out %1 in %2").arg(id, d->path);
    CommitPtr c;
    const git_oid g = toGit(commit);
    if (int rc = git_commit_lookup(out(c), repo, &g); rc < 0)
        return lastError(what, rc);
    if (d->inPlace) {
        if (Status clean = refuseLocalChanges(repo, id, d->path); !clean)
            return clean;
    }
    if (const QString git = gitBinary(); !git.isEmpty()) {
        const int threshold = gitCliMinChanges();
        if (threshold <= 0 || changedFiles(repo, c.get(), threshold + 1) > threshold)
            return checkoutWithGit(git, d->path, id, what);
    }
    git_checkout_options opts = GIT_CHECKOUT_OPTIONS_INIT;
    // Tracked files become the commit's; untracked and ignored ones (build outputs) stay,
    // as GIT_CHECKOUT_REMOVE_UNTRACKED and GIT_CHECKOUT_REMOVE_IGNORED are not set.
    opts.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (int rc = git_checkout_tree(repo, reinterpret_cast<const git_object *>(c.get()), &opts);
        rc < 0)
        return lastError(what, rc);
    if (int rc = git_repository_set_head_detached(repo, &g); rc < 0)
        return lastError(
            QStringLiteral("checked out the files of %1 but cannot detach HEAD of %2 at it")
                .arg(id, d->path),
            rc);
    return okStatus();
}

QString Worktree::path() const {
    return d->path;
}

QStringList Worktree::removedLocks() const {
    return d->removedLocks;
}

} // namespace bw::git
