#include "services/demo/DemoRepository.h"

#include "services/demo/DemoHistory.h"
#include "services/demo/DemoRecipes.h"
#include "services/git/GitHandles.h"

#include <git2/sys/mempack.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QStandardPaths>

#include <map>
#include <optional>
#include <set>

Q_LOGGING_CATEGORY(bwDemo, "bw.demo", QtInfoMsg)

namespace bw::demo {

namespace {

using git::Deleter;
using git::lastError;
using git::out;
using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using TreeBuilderPtr =
    std::unique_ptr<git_treebuilder, Deleter<git_treebuilder, git_treebuilder_free>>;

// In the git dir: what made this demo, and what the tests and the GUI want to know of it.
const char StampName[] = "bisect-workbench-demo";

Status writeFile(const QString &path, const QByteArray &content, bool executable) {
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Error(QStringLiteral("cannot create the folder of %1").arg(path));
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(content) != content.size() || !f.commit())
        return Error(QStringLiteral("cannot write %1").arg(path), 1, f.errorString());
    if (executable)
        QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ExeOwner |
                                        QFileDevice::ExeGroup | QFileDevice::ExeOther);
    return okStatus();
}

// Writes the planned history into a new repository with libgit2.
class Writer {
public:
    explicit Writer(QString dir)
        : m_dir(std::move(dir)) {}
    Result<DemoInfo> write();

private:
    Status check(int code, const QString &what) {
        if (code < 0)
            return lastError(what, code);
        return okStatus();
    }
    Result<git_oid> blob(const QByteArray &content);
    Result<git_oid> tree(const std::vector<ProjectFile> &files, const QString &prefix);
    Result<SignaturePtr> signature(int who, qint64 time);
    Status writePack(git_odb *odb, git_odb_backend *mempack);

    QString m_dir;
    git::LibGit2 m_lib;
    git::RepositoryPtr m_repo;
    std::map<QByteArray, git_oid> m_blobs; // content → blob: most files do not change
};

Result<git_oid> Writer::blob(const QByteArray &content) {
    if (const auto it = m_blobs.find(content); it != m_blobs.end())
        return it->second;
    git_oid oid;
    if (Status s = check(git_blob_create_from_buffer(&oid, m_repo.get(), content.constData(),
                                                     size_t(content.size())),
                         QStringLiteral("cannot write a blob"));
        !s)
        return s.error();
    m_blobs.emplace(content, oid);
    return oid;
}

// The tree of the files under `prefix` ("" or "src/").
Result<git_oid> Writer::tree(const std::vector<ProjectFile> &files, const QString &prefix) {
    TreeBuilderPtr builder;
    if (Status s = check(git_treebuilder_new(out(builder), m_repo.get(), nullptr),
                         QStringLiteral("cannot build a tree"));
        !s)
        return s.error();
    std::map<QString, bool> subdirs;
    for (const ProjectFile &f : files) {
        if (!f.path.startsWith(prefix))
            continue;
        const QString rest = f.path.mid(prefix.size());
        const qsizetype slash = rest.indexOf(u'/');
        if (slash >= 0) {
            subdirs[rest.left(slash)] = true;
            continue;
        }
        auto oid = blob(f.content);
        if (!oid)
            return oid.error();
        if (Status s = check(git_treebuilder_insert(
                                 nullptr, builder.get(), rest.toUtf8().constData(), &*oid,
                                 f.executable ? GIT_FILEMODE_BLOB_EXECUTABLE : GIT_FILEMODE_BLOB),
                             QStringLiteral("cannot add %1 to a tree").arg(f.path));
            !s)
            return s.error();
    }
    for (const auto &[name, unused] : subdirs) {
        auto sub = tree(files, prefix + name + u'/');
        if (!sub)
            return sub.error();
        if (Status s =
                check(git_treebuilder_insert(nullptr, builder.get(), name.toUtf8().constData(),
                                             &*sub, GIT_FILEMODE_TREE),
                      QStringLiteral("cannot add %1 to a tree").arg(name));
            !s)
            return s.error();
    }
    git_oid oid;
    if (Status s = check(git_treebuilder_write(&oid, builder.get()),
                         QStringLiteral("cannot write a tree"));
        !s)
        return s.error();
    return oid;
}

// What the memory store holds, written as one pack (and its index) into the repository.
Status Writer::writePack(git_odb *odb, git_odb_backend *mempack) {
    git::GitBuf pack;
    if (Status s = check(git_mempack_dump(&pack.buf, m_repo.get(), mempack),
                         QStringLiteral("cannot pack the new objects"));
        !s)
        return s;
    git_odb_writepack *writer = nullptr;
    if (Status s = check(git_odb_write_pack(&writer, odb, nullptr, nullptr),
                         QStringLiteral("cannot write a pack"));
        !s)
        return s;
    git_indexer_progress stats{};
    int code = writer->append(writer, pack.buf.ptr, pack.buf.size, &stats);
    if (code >= 0)
        code = writer->commit(writer, &stats);
    Status result = check(code, QStringLiteral("cannot write a pack"));
    writer->free(writer);
    if (result)
        git_mempack_reset(mempack);
    return result;
}

Result<SignaturePtr> Writer::signature(int who, qint64 time) {
    const Person &p = contributors()[size_t(who)];
    SignaturePtr sig;
    if (Status s = check(git_signature_new(out(sig), p.name, p.email, time, p.offsetMinutes),
                         QStringLiteral("cannot make a signature"));
        !s)
        return s.error();
    return sig;
}

Result<DemoInfo> Writer::write() {
    git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    opts.flags = GIT_REPOSITORY_INIT_MKPATH;
    opts.initial_head = "main";
    const QByteArray dir = QFile::encodeName(m_dir);
    if (Status s = check(git_repository_init_ext(out(m_repo), dir.constData(), &opts),
                         QStringLiteral("cannot create a repository in %1").arg(m_dir));
        !s)
        return s.error();
    // for the reflogs of the refs written below (commits carry their own identities)
    git_repository_set_ident(m_repo.get(), "Bisect Workbench demo",
                             "demo@bisect-workbench.invalid");

    // Objects go to memory first and to disk as one pack at the end: a few hundred
    // commits as loose objects would be thousands of small files.
    git::OdbPtr odb;
    git_odb_backend *mempack = nullptr; // owned by the odb once added
    if (Status s = check(git_repository_odb(out(odb), m_repo.get()),
                         QStringLiteral("cannot open the object database"));
        !s)
        return s.error();
    if (Status s = check(git_mempack_new(&mempack), QStringLiteral("cannot make a memory store"));
        !s)
        return s.error();
    if (Status s = check(git_odb_add_backend(odb.get(), mempack, 1000),
                         QStringLiteral("cannot add a memory store"));
        !s)
        return s.error();

    const DemoHistory history = planHistory();
    DemoInfo info;
    info.path = QDir(m_dir).absolutePath();
    std::vector<git_oid> ids;
    ids.reserve(history.commits.size());
    for (const PlannedCommit &c : history.commits) {
        auto treeId = tree(renderProject(c.knobs), QString());
        if (!treeId)
            return treeId.error();
        git::TreePtr treeObject;
        if (Status s = check(git_tree_lookup(out(treeObject), m_repo.get(), &*treeId),
                             QStringLiteral("cannot read back a tree"));
            !s)
            return s.error();
        std::vector<git::CommitPtr> parents(c.parents.size());
        std::vector<const git_commit *> parentPointers;
        for (size_t p = 0; p < c.parents.size(); ++p) {
            if (Status s = check(
                    git_commit_lookup(out(parents[p]), m_repo.get(), &ids[size_t(c.parents[p])]),
                    QStringLiteral("cannot read back a commit"));
                !s)
                return s.error();
            parentPointers.push_back(parents[p].get());
        }
        auto author = signature(c.author, c.time);
        auto committer = signature(c.committer, c.time);
        if (!author)
            return author.error();
        if (!committer)
            return committer.error();
        git_oid id;
        if (Status s =
                check(git_commit_create(&id, m_repo.get(), nullptr, author->get(), committer->get(),
                                        nullptr, c.message.constData(), treeObject.get(),
                                        parentPointers.size(), parentPointers.data()),
                      QStringLiteral("cannot write a commit"));
            !s)
            return s.error();
        ids.push_back(id);
        if (c.parents.size() > 1)
            ++info.merges;
        if (buildBreaks(c.knobs))
            info.buildBroken.push_back(git::fromGit(&id));
    }
    info.commits = int(ids.size());
    info.culprit = git::fromGit(&ids[size_t(history.culprit)]);

    // The pack holds the commits with their trees and blobs (not tags: git_mempack_dump
    // leaves them out). The rest goes through a repository without the memory store.
    if (Status s = writePack(odb.get(), mempack); !s)
        return s.error();
    odb.reset();
    m_repo.reset();
    if (Status s = check(git_repository_open(out(m_repo), dir.constData()),
                         QStringLiteral("cannot reopen %1").arg(m_dir));
        !s)
        return s.error();
    git_repository_set_ident(m_repo.get(), "Bisect Workbench demo",
                             "demo@bisect-workbench.invalid");

    for (const PlannedBranch &b : history.branches) {
        git::ReferencePtr ref;
        const QByteArray name = "refs/heads/" + b.name.toUtf8();
        if (Status s = check(git_reference_create(out(ref), m_repo.get(), name.constData(),
                                                  &ids[size_t(b.commit)], 1, "demo: created"),
                             QStringLiteral("cannot write %1").arg(b.name));
            !s)
            return s.error();
        info.branches << b.name;
    }
    info.head = git::fromGit(&ids[size_t(history.branches.front().commit)]);
    for (const PlannedTag &t : history.tags) {
        git::ObjectPtr target;
        if (Status s = check(git_object_lookup(out(target), m_repo.get(), &ids[size_t(t.commit)],
                                               GIT_OBJECT_COMMIT),
                             QStringLiteral("cannot read back a commit"));
            !s)
            return s.error();
        auto tagger = signature(0, t.time);
        if (!tagger)
            return tagger.error();
        git_oid tagId;
        if (Status s = check(git_tag_create(&tagId, m_repo.get(), t.name.toUtf8().constData(),
                                            target.get(), tagger->get(), t.message.constData(), 0),
                             QStringLiteral("cannot write the tag %1").arg(t.name));
            !s)
            return s.error();
        info.tags << t.name;
        if (t.name == u"v0.1")
            info.good = git::fromGit(&ids[size_t(t.commit)]);
    }

    git_checkout_options checkout = GIT_CHECKOUT_OPTIONS_INIT;
    checkout.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (Status s = check(git_checkout_head(m_repo.get(), &checkout),
                         QStringLiteral("cannot check out main"));
        !s)
        return s.error();

    // The recipes live beside the project, not in its history.
    QByteArray exclude = "# Bisect Workbench's demo: the recipes beside the project\n";
    std::set<QByteArray> excluded;
    for (const ProjectFile &f : recipeFilesContent()) {
        const QString path = info.path + u'/' + f.path;
        if (Status s = writeFile(path, f.content, f.executable); !s)
            return s.error();
        if (f.path.endsWith(QLatin1String(".toml")))
            info.recipes << path;
        const QByteArray line =
            "/" + f.path.section(u'/', 0, 0).toUtf8() + (f.path.contains(u'/') ? "/\n" : "\n");
        if (excluded.insert(line).second)
            exclude += line;
    }
    const QString gitDir = QFile::decodeName(git_repository_path(m_repo.get()));
    if (Status s = writeFile(gitDir + QStringLiteral("info/exclude"), exclude, false); !s)
        return s.error();

    QByteArray stamp = "format " + QByteArray::number(DemoRepository::FormatVersion) + "\n";
    stamp += "head " + info.head.toString().toLatin1() + "\n";
    stamp += "good " + info.good.toString().toLatin1() + "\n";
    stamp += "culprit " + info.culprit.toString().toLatin1() + "\n";
    for (const Oid &b : info.buildBroken)
        stamp += "broken " + b.toString().toLatin1() + "\n";
    stamp += "commits " + QByteArray::number(info.commits) + "\n";
    stamp += "merges " + QByteArray::number(info.merges) + "\n";
    for (const QString &t : info.tags)
        stamp += "tag " + t.toUtf8() + "\n";
    for (const QString &b : info.branches)
        stamp += "branch " + b.toUtf8() + "\n";
    if (Status s = writeFile(gitDir + QLatin1String(StampName), stamp, false); !s)
        return s.error();
    return info;
}

bool isEmptyDir(const QString &dir) {
    return QDir(dir).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
}

QString stampPath(const QString &dir) {
    return dir + QStringLiteral("/.git/") + QLatin1String(StampName);
}

// The demo's description from its stamp; empty when the stamp is missing or not ours.
std::optional<DemoInfo> readStamp(const QString &dir, int *format) {
    QFile f(stampPath(dir));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    DemoInfo info;
    info.path = QDir(dir).absolutePath();
    *format = -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const qsizetype space = line.indexOf(' ');
        if (space < 0)
            continue;
        const QByteArray key = line.left(space);
        const QByteArray value = line.mid(space + 1);
        auto oid = [&] { return Oid::fromHex(QString::fromLatin1(value)).value_or(Oid()); };
        if (key == "format")
            *format = value.toInt();
        else if (key == "head")
            info.head = oid();
        else if (key == "good")
            info.good = oid();
        else if (key == "culprit")
            info.culprit = oid();
        else if (key == "broken")
            info.buildBroken.push_back(oid());
        else if (key == "commits")
            info.commits = value.toInt();
        else if (key == "merges")
            info.merges = value.toInt();
        else if (key == "tag")
            info.tags << QString::fromUtf8(value);
        else if (key == "branch")
            info.branches << QString::fromUtf8(value);
    }
    for (const ProjectFile &r : recipeFilesContent())
        if (r.path.endsWith(QLatin1String(".toml")))
            info.recipes << info.path + u'/' + r.path;
    return info;
}

} // namespace

Result<DemoInfo> DemoRepository::create(const QString &dir) {
    const QFileInfo fi(dir);
    const bool existed = fi.exists();
    if (existed && !fi.isDir())
        return Error(QStringLiteral("%1 is not a folder").arg(dir));
    if (existed && !isEmptyDir(dir))
        return Error(
            QStringLiteral("%1 is not empty: the demo needs a new or empty folder").arg(dir));
    QElapsedTimer timer;
    timer.start();
    auto info = Writer(dir).write();
    if (!info) {
        // leave nothing half-made behind
        if (existed) {
            const QDir d(dir);
            for (const QString &e :
                 d.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
                QFileInfo(d.filePath(e)).isDir() ? (void)QDir(d.filePath(e)).removeRecursively()
                                                 : (void)QFile::remove(d.filePath(e));
        } else {
            QDir(dir).removeRecursively();
        }
        return info.error();
    }
    qCDebug(bwDemo) << "demo repository created in" << dir << "with" << info->commits
                    << "commits in" << timer.elapsed() << "ms";
    return info;
}

Result<DemoInfo> DemoRepository::ensure(const QString &dir) {
    if (!QFileInfo::exists(dir) || (QFileInfo(dir).isDir() && isEmptyDir(dir)))
        return create(dir);
    int format = -1;
    const std::optional<DemoInfo> stamped = readStamp(dir, &format);
    if (!stamped)
        return Error(QStringLiteral("%1 exists and is not a Bisect Workbench demo; it was left as "
                                    "it is")
                         .arg(dir));
    if (format == FormatVersion) {
        // the recipes are the user's to edit: only missing ones are written again
        for (const ProjectFile &f : recipeFilesContent()) {
            const QString path = dir + u'/' + f.path;
            if (!QFileInfo::exists(path))
                if (Status s = writeFile(path, f.content, f.executable); !s)
                    return s.error();
        }
        return *stamped;
    }
    // An older demo, made by this program: replace it.
    if (!QDir(dir).removeRecursively())
        return Error(QStringLiteral("cannot remove the outdated demo in %1").arg(dir));
    return create(dir);
}

QString DemoRepository::defaultLocation() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
           QStringLiteral("/bisect-workbench/demo");
}

QStringList DemoRepository::recipeFiles() {
    QStringList names;
    for (const ProjectFile &f : recipeFilesContent())
        if (f.path.endsWith(QLatin1String(".toml")))
            names << f.path;
    return names;
}

} // namespace bw::demo
