#include "services/git/Repository.h"

#include "services/ServicesLogging.h"
#include "services/git/RepositoryPrivate.h"

#include <QDir>

namespace bw::git {

Repository::Repository(std::unique_ptr<Private> d)
    : m_d(std::move(d)) {}
Repository::Repository(Repository &&) noexcept = default;
Repository &Repository::operator=(Repository &&) noexcept = default;
Repository::~Repository() = default;

Result<Repository> Repository::open(const QString &path) {
    auto d = std::make_unique<Private>();
    const QByteArray native = QFile::encodeName(path);
    int rc = git_repository_open_ext(out(d->repo), native.constData(), 0, nullptr);
    if (rc == GIT_ENOTFOUND)
        return Error{QStringLiteral("%1 is not a git repository (or any of its parent directories)")
                         .arg(path),
                     rc};
    if (rc < 0)
        return lastError(QStringLiteral("cannot open the repository at %1").arg(path), rc);
    return Repository(std::move(d));
}

QString Repository::gitDir() const {
    return QFile::decodeName(git_repository_path(m_d->repo.get()));
}
QString Repository::commonDir() const {
    return QFile::decodeName(git_repository_commondir(m_d->repo.get()));
}

QString Repository::workDir() const {
    const char *wd = git_repository_workdir(m_d->repo.get());
    return wd ? QFile::decodeName(wd) : QString();
}

bool Repository::isBare() const {
    return git_repository_is_bare(m_d->repo.get()) == 1;
}
bool Repository::isShallow() const {
    return git_repository_is_shallow(m_d->repo.get()) == 1;
}

Result<Oid> Repository::resolveCommit(const QString &rev) const {
    if (rev.trimmed().isEmpty())
        return Error{QStringLiteral("an empty revision is not a commit")};
    ObjectPtr obj;
    const QByteArray spec = rev.toUtf8();
    int rc = git_revparse_single(out(obj), m_d->repo.get(), spec.constData());
    if (rc == GIT_EAMBIGUOUS)
        return Error{QStringLiteral("short object ID %1 is ambiguous").arg(rev), rc};
    if (rc < 0)
        return Error{QStringLiteral("bad revision '%1'").arg(rev), rc};
    ObjectPtr peeled;
    rc = git_object_peel(out(peeled), obj.get(), GIT_OBJECT_COMMIT);
    if (rc < 0)
        return Error{QStringLiteral("'%1' does not name a commit").arg(rev), rc};
    return fromGit(git_object_id(peeled.get()));
}

Result<CommitInfo> Repository::commitInfo(const Oid &oid) const {
    CommitPtr c;
    const git_oid g = toGit(oid);
    if (int rc = git_commit_lookup(out(c), m_d->repo.get(), &g); rc < 0)
        return lastError(QStringLiteral("cannot read commit %1").arg(oid.toString()), rc);
    CommitInfo info;
    info.oid = oid;
    const unsigned n = git_commit_parentcount(c.get());
    for (unsigned i = 0; i < n; ++i)
        info.parents.push_back(fromGit(git_commit_parent_id(c.get(), i)));
    const char *summary = git_commit_summary(c.get());
    info.subject = summary ? QString::fromUtf8(summary) : QString();
    info.message = QString::fromUtf8(git_commit_message(c.get()));
    if (const git_signature *a = git_commit_author(c.get())) {
        info.authorName = QString::fromUtf8(a->name);
        info.authorEmail = QString::fromUtf8(a->email);
        info.authorTime = a->when.time;
        info.authorOffsetMinutes = a->when.offset;
    }
    if (const git_signature *cm = git_commit_committer(c.get())) {
        info.committerName = QString::fromUtf8(cm->name);
        info.committerEmail = QString::fromUtf8(cm->email);
        info.commitOffsetMinutes = cm->when.offset;
    }
    info.commitTime = git_commit_time(c.get());
    return info;
}

QString Repository::subject(const Oid &oid) const {
    auto info = commitInfo(oid);
    return info ? info->subject : QString();
}

Result<std::vector<std::pair<QString, Oid>>> Repository::references(const QString &glob) const {
    ReferenceIteratorPtr it;
    const QByteArray g = glob.toUtf8();
    if (int rc = git_reference_iterator_glob_new(out(it), m_d->repo.get(), g.constData()); rc < 0)
        return lastError(QStringLiteral("cannot list references %1").arg(glob), rc);
    std::vector<std::pair<QString, Oid>> refs;
    for (;;) {
        git_reference *raw = nullptr;
        int rc = git_reference_next(&raw, it.get());
        ReferencePtr ref(raw);
        if (rc == GIT_ITEROVER)
            break;
        if (rc < 0)
            return lastError(QStringLiteral("cannot list references %1").arg(glob), rc);
        ObjectPtr target;
        if (git_reference_peel(out(target), ref.get(), GIT_OBJECT_ANY) < 0)
            return lastError(QStringLiteral("reference %1 is broken")
                                 .arg(QString::fromUtf8(git_reference_name(ref.get()))));
        refs.emplace_back(QString::fromUtf8(git_reference_name(ref.get())),
                          fromGit(git_object_id(target.get())));
    }
    std::sort(refs.begin(), refs.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    return refs;
}

Status Repository::setReference(const QString &name, const Oid &oid, const QString &logMessage) {
    ReferencePtr ref;
    const git_oid g = toGit(oid);
    const QByteArray n = name.toUtf8(), msg = logMessage.toUtf8();
    if (int rc =
            git_reference_create(out(ref), m_d->repo.get(), n.constData(), &g, 1, msg.constData());
        rc < 0)
        return lastError(QStringLiteral("cannot write reference %1").arg(name), rc);
    return okStatus();
}

Status Repository::deleteReference(const QString &name) {
    ReferencePtr ref;
    const QByteArray n = name.toUtf8();
    int rc = git_reference_lookup(out(ref), m_d->repo.get(), n.constData());
    if (rc == GIT_ENOTFOUND)
        return okStatus();
    if (rc < 0 || (rc = git_reference_delete(ref.get())) < 0)
        return lastError(QStringLiteral("cannot delete reference %1").arg(name), rc);
    return okStatus();
}

Result<QString> Repository::headForBisectStart() const {
    ReferencePtr head;
    int rc = git_repository_head(out(head), m_d->repo.get());
    if (rc == GIT_EUNBORNBRANCH)
        return Error{QStringLiteral("HEAD points to an unborn branch"), rc};
    if (rc < 0)
        return lastError(QStringLiteral("cannot read HEAD"), rc);
    if (git_repository_head_detached(m_d->repo.get()) == 1)
        return QString::fromLatin1(fromGit(git_reference_target(head.get())).toHex());
    return QString::fromUtf8(git_reference_shorthand(head.get()));
}

Status Repository::checkoutDetached(const Oid &oid) {
    CommitPtr c;
    const git_oid g = toGit(oid);
    if (int rc = git_commit_lookup(out(c), m_d->repo.get(), &g); rc < 0)
        return lastError(QStringLiteral("cannot read commit %1").arg(oid.toString()), rc);
    // git_checkout_options_init rather than GIT_CHECKOUT_OPTIONS_INIT: the macro leaves
    // fields to zero-initialisation, which clang's -Wmissing-field-initializers rejects.
    git_checkout_options opts;
    if (int rc = git_checkout_options_init(&opts, GIT_CHECKOUT_OPTIONS_VERSION); rc < 0)
        return lastError(QStringLiteral("cannot set up a checkout"), rc);
    opts.checkout_strategy = GIT_CHECKOUT_SAFE;
    if (int rc = git_checkout_tree(m_d->repo.get(), reinterpret_cast<git_object *>(c.get()), &opts);
        rc < 0)
        return lastError(QStringLiteral("cannot check out %1 (local changes would be overwritten?)")
                             .arg(oid.toString()),
                         rc);
    if (int rc = git_repository_set_head_detached(m_d->repo.get(), &g); rc < 0)
        return lastError(QStringLiteral("cannot move HEAD to %1").arg(oid.toString()), rc);
    return okStatus();
}

} // namespace bw::git
