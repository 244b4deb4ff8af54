#include "services/git/CommitDetails.h"

#include "services/git/RepositoryPrivate.h"

#include <algorithm>

namespace bw::git {

namespace {

char statusLetter(git_delta_t status) {
    switch (status) {
    case GIT_DELTA_ADDED:
        return 'A';
    case GIT_DELTA_DELETED:
        return 'D';
    case GIT_DELTA_RENAMED:
        return 'R';
    case GIT_DELTA_COPIED:
        return 'C';
    case GIT_DELTA_TYPECHANGE:
        return 'T';
    default:
        return 'M';
    }
}

QString abbrev(const Oid &oid) {
    return oid.toString().left(12);
}

// Branches, remote branches and tags whose commit is `target`. A broken or non-commit
// ref is skipped: it must not hide the commit itself.
Status collectRefs(git_repository *r, const git_oid &target, CommitDetails &d) {
    ReferenceIteratorPtr it;
    if (int rc = git_reference_iterator_new(out(it), r); rc < 0)
        return lastError(QStringLiteral("cannot list references"), rc);
    QStringList heads, remotes, tags;
    for (;;) {
        git_reference *next = nullptr;
        const int rc = git_reference_next(&next, it.get());
        ReferencePtr ref(next);
        if (rc == GIT_ITEROVER)
            break;
        if (rc < 0)
            return lastError(QStringLiteral("cannot list references"), rc);
        if (git_reference_type(ref.get()) != GIT_REFERENCE_DIRECT)
            continue; // origin/HEAD and friends: the branch they name is listed already
        const bool isHead = git_reference_is_branch(ref.get()) == 1;
        const bool isRemote = git_reference_is_remote(ref.get()) == 1;
        const bool isTag = git_reference_is_tag(ref.get()) == 1;
        if (!isHead && !isRemote && !isTag)
            continue;
        if (isTag) {
            ObjectPtr peeled;
            if (git_reference_peel(out(peeled), ref.get(), GIT_OBJECT_COMMIT) < 0)
                continue;
            if (!git_oid_equal(git_object_id(peeled.get()), &target))
                continue;
        } else if (const git_oid *id = git_reference_target(ref.get());
                   !id || !git_oid_equal(id, &target)) {
            continue;
        }
        const QString name = QString::fromUtf8(git_reference_shorthand(ref.get()));
        (isHead ? heads : isRemote ? remotes : tags).append(name);
    }
    heads.sort();
    remotes.sort();
    tags.sort();
    d.refs = heads + remotes + tags;
    d.remoteBranches = remotes;
    d.tags = tags;
    return okStatus();
}

// What the diffstat needs beyond CommitDetails::FileChange.
struct StatExtra {
    quint32 oldMode = 0, newMode = 0;
    qint64 oldSize = 0, newSize = 0;
    int similarity = 0;
};

// git's rename display: "a => b", or "dir/{a => b}/tail" around the common parts that
// end and start at a '/'.
QString renameDisplay(const QString &a, const QString &b) {
    qsizetype prefix = 0;
    for (qsizetype i = 0; i < a.size() && i < b.size() && a[i] == b[i]; ++i)
        if (a[i] == u'/')
            prefix = i + 1;
    qsizetype suffix = 0;
    for (qsizetype i = a.size() - 1, j = b.size() - 1;
         i >= prefix - (prefix ? 1 : 0) && j >= prefix - (prefix ? 1 : 0) && a[i] == b[j]; --i, --j)
        if (a[i] == u'/')
            suffix = a.size() - i;
    const qsizetype aMid = std::max<qsizetype>(0, a.size() - prefix - suffix);
    const qsizetype bMid = std::max<qsizetype>(0, b.size() - prefix - suffix);
    const QString middle = a.mid(prefix, aMid) + QStringLiteral(" => ") + b.mid(prefix, bMid);
    if (prefix + suffix == 0)
        return middle;
    return a.left(prefix) + u'{' + middle + u'}' + a.right(suffix);
}

int decimalWidth(qint64 n) {
    return int(QString::number(n).size());
}

// `git diff --stat=80 --summary` of the files, computed here because libgit2's own
// formatter counts a type change twice and has no "mode change" summary.
QString gitStat(const std::vector<CommitDetails::FileChange> &files,
                const std::vector<StatExtra> &extra) {
    if (files.empty())
        return {};
    const int width = 80;
    QStringList names;
    int maxName = 0, maxChange = 0, binWidth = 0, numberWidth = 0;
    qint64 insertions = 0, deletions = 0;
    for (size_t i = 0; i < files.size(); ++i) {
        const CommitDetails::FileChange &f = files[i];
        names << (f.oldPath.isEmpty() ? f.path : renameDisplay(f.oldPath, f.path));
        maxName = std::max(maxName, int(names.back().size()));
        if (f.binary) {
            numberWidth = 3; // "Bin"
            binWidth = std::max(binWidth, 14 + decimalWidth(extra[i].oldSize) +
                                              decimalWidth(extra[i].newSize));
        } else {
            maxChange = std::max(maxChange, f.additions + f.deletions);
            insertions += f.additions;
            deletions += f.deletions;
        }
    }
    numberWidth = std::max(numberWidth, decimalWidth(maxChange));
    int graphWidth = maxChange + 4 > binWidth ? maxChange : binWidth - 4;
    int nameWidth = maxName;
    if (nameWidth + numberWidth + 6 + graphWidth > width) {
        if (graphWidth > width * 3 / 8 - numberWidth - 6)
            graphWidth = std::max(6, width * 3 / 8 - numberWidth - 6);
        if (nameWidth > width - numberWidth - 6 - graphWidth)
            nameWidth = width - numberWidth - 6 - graphWidth;
        else
            graphWidth = width - numberWidth - 6 - nameWidth;
    }
    const auto scale = [&](int n) {
        return n == 0 ? 0 : 1 + int(qint64(n) * (graphWidth - 1) / maxChange);
    };

    QString text;
    for (size_t i = 0; i < files.size(); ++i) {
        const CommitDetails::FileChange &f = files[i];
        QString name = names[qsizetype(i)];
        if (name.size() > nameWidth) { // "...tail", cut at a directory when possible
            name = name.right(std::max(0, nameWidth - 3));
            if (const qsizetype slash = name.indexOf(u'/'); slash >= 0)
                name = name.mid(slash);
            name = QStringLiteral("...") + name;
        }
        text += u' ' + name.leftJustified(nameWidth) + QStringLiteral(" |");
        if (f.binary) {
            text += QStringLiteral(" %1 %2 -> %3 bytes\n")
                        .arg(QStringLiteral("Bin"), numberWidth)
                        .arg(extra[i].oldSize)
                        .arg(extra[i].newSize);
            continue;
        }
        const int changed = f.additions + f.deletions;
        text += QStringLiteral(" %1").arg(changed, numberWidth);
        int add = f.additions, del = f.deletions;
        if (graphWidth <= maxChange) {
            int total = scale(changed);
            if (total < 2 && add && del)
                total = 2;
            if (add < del) {
                add = scale(add);
                del = total - add;
            } else {
                del = scale(del);
                add = total - del;
            }
        }
        if (changed)
            text += u' ' + QString(add, u'+') + QString(del, u'-');
        text += u'\n';
    }
    const qsizetype n = qsizetype(files.size());
    text += QStringLiteral(" %1 file%2 changed").arg(n).arg(n == 1 ? "" : "s");
    if (insertions || !deletions)
        text +=
            QStringLiteral(", %1 insertion%2(+)").arg(insertions).arg(insertions == 1 ? "" : "s");
    if (deletions || !insertions)
        text += QStringLiteral(", %1 deletion%2(-)").arg(deletions).arg(deletions == 1 ? "" : "s");
    text += u'\n';

    for (size_t i = 0; i < files.size(); ++i) {
        const CommitDetails::FileChange &f = files[i];
        const StatExtra &e = extra[i];
        const QString mode = QString::number(f.status == 'D' ? e.oldMode : e.newMode, 8);
        if (f.status == 'A')
            text += QStringLiteral(" create mode %1 %2\n").arg(mode, f.path);
        else if (f.status == 'D')
            text += QStringLiteral(" delete mode %1 %2\n").arg(mode, f.path);
        else if (f.status == 'R' || f.status == 'C')
            text += QStringLiteral(" %1 %2 (%3%)\n")
                        .arg(f.status == 'R' ? QStringLiteral("rename") : QStringLiteral("copy"),
                             renameDisplay(f.oldPath, f.path))
                        .arg(e.similarity);
        if (f.status != 'A' && f.status != 'D' && e.oldMode != e.newMode)
            text += QStringLiteral(" mode change %1 => %2 %3\n")
                        .arg(QString::number(e.oldMode, 8), QString::number(e.newMode, 8), f.path);
    }
    return text;
}

} // namespace

Result<CommitDetails> loadCommitDetails(const Repository &repo, const Oid &oid,
                                        qsizetype maxPatchBytes) {
    auto info = repo.commitInfo(oid);
    if (!info)
        return info.error();
    CommitDetails d;
    d.info = std::move(info).value();

    git_repository *r = raw(repo);
    const git_oid id = toGit(oid);
    CommitPtr c;
    if (int rc = git_commit_lookup(out(c), r, &id); rc < 0)
        return lastError(QStringLiteral("cannot read commit %1").arg(oid.toString()), rc);
    if (Status refs = collectRefs(r, id, d); !refs)
        return refs.error();

    TreePtr tree;
    if (int rc = git_commit_tree(out(tree), c.get()); rc < 0)
        return lastError(QStringLiteral("cannot read the tree of %1").arg(oid.toString()), rc);
    TreePtr baseTree; // stays null for a root commit: the diff is against the empty tree
    const unsigned parents = git_commit_parentcount(c.get());
    if (parents > 0) {
        CommitPtr first;
        if (int rc = git_commit_parent(out(first), c.get(), 0); rc < 0)
            return lastError(
                QStringLiteral("cannot read the first parent of %1").arg(oid.toString()), rc);
        if (int rc = git_commit_tree(out(baseTree), first.get()); rc < 0)
            return lastError(QStringLiteral("cannot read the tree of the first parent of %1")
                                 .arg(oid.toString()),
                             rc);
        const QString firstParent = abbrev(d.info.parents.front());
        d.diffBase = parents == 1 ? QStringLiteral("parent %1").arg(firstParent)
                                  : QStringLiteral("first parent %1 of a merge of %2 parents")
                                        .arg(firstParent)
                                        .arg(parents);
    } else {
        d.diffBase = QStringLiteral("empty tree (root commit)");
    }

    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    // No GIT_DIFF_INCLUDE_TYPECHANGE: libgit2 then splits a type change into a deletion
    // and an addition, which is the patch git prints; the file list merges them into 'T'.
    DiffPtr diff;
    if (int rc = git_diff_tree_to_tree(out(diff), r, baseTree.get(), tree.get(), &opts); rc < 0)
        return lastError(QStringLiteral("cannot diff %1").arg(oid.toString()), rc);
    git_diff_find_options find = GIT_DIFF_FIND_OPTIONS_INIT;
    find.flags = GIT_DIFF_FIND_RENAMES; // what `git diff -M` does
    if (int rc = git_diff_find_similar(diff.get(), &find); rc < 0)
        return lastError(QStringLiteral("cannot detect renames in %1").arg(oid.toString()), rc);

    const size_t deltas = git_diff_num_deltas(diff.get());
    QByteArray patch;
    qsizetype patchLines = 0; // lines in `patch` so far
    qint64 omittedBytes = 0;
    int omittedFiles = 0;
    d.files.reserve(deltas);
    std::vector<StatExtra> extra;
    extra.reserve(deltas);
    // libgit2 lists a type change as the addition, then the deletion; git prints the
    // deletion first.
    std::vector<size_t> order(deltas);
    for (size_t i = 0; i < deltas; ++i)
        order[i] = i;
    for (size_t i = 0; i + 1 < deltas; ++i) {
        const git_diff_delta *a = git_diff_get_delta(diff.get(), i);
        const git_diff_delta *b = git_diff_get_delta(diff.get(), i + 1);
        if (a->status == GIT_DELTA_ADDED && b->status == GIT_DELTA_DELETED &&
            qstrcmp(a->new_file.path, b->old_file.path) == 0)
            std::swap(order[i], order[i + 1]);
    }
    for (size_t i : order) {
        PatchPtr p;
        if (int rc = git_patch_from_diff(out(p), diff.get(), i); rc < 0)
            return lastError(QStringLiteral("cannot build the patch of %1").arg(oid.toString()),
                             rc);
        // The patch's own delta knows whether the content turned out to be binary.
        const git_diff_delta *delta =
            p ? git_patch_get_delta(p.get()) : git_diff_get_delta(diff.get(), i);
        CommitDetails::FileChange f;
        f.status = statusLetter(delta->status);
        const bool deleted = delta->status == GIT_DELTA_DELETED;
        f.path = QString::fromUtf8(deleted ? delta->old_file.path : delta->new_file.path);
        if (delta->status == GIT_DELTA_RENAMED || delta->status == GIT_DELTA_COPIED)
            f.oldPath = QString::fromUtf8(delta->old_file.path);
        f.binary = (delta->flags & GIT_DIFF_FLAG_BINARY) != 0;
        if (p && !f.binary) {
            size_t context = 0, additions = 0, deletions = 0;
            if (int rc = git_patch_line_stats(&context, &additions, &deletions, p.get()); rc < 0)
                return lastError(QStringLiteral("cannot count the lines of %1").arg(f.path), rc);
            f.additions = static_cast<int>(additions);
            f.deletions = static_cast<int>(deletions);
        }
        const bool typeChange = !d.files.empty() && d.files.back().path == f.path &&
                                d.files.back().status == 'D' && f.status == 'A';
        if (typeChange) {
            CommitDetails::FileChange &previous = d.files.back();
            previous.status = 'T';
            previous.additions += f.additions;
            previous.deletions += f.deletions;
            previous.binary = previous.binary || f.binary;
            extra.back().newMode = delta->new_file.mode;
            extra.back().newSize = qint64(delta->new_file.size);
        } else {
            extra.push_back({delta->old_file.mode, delta->new_file.mode,
                             qint64(delta->old_file.size), qint64(delta->new_file.size),
                             delta->similarity});
            if (!d.patchTruncated && p)
                f.patchLine = int(patchLines);
            d.files.push_back(std::move(f));
        }
        if (!p)
            continue;

        GitBuf text;
        if (int rc = git_patch_to_buf(&text.buf, p.get()); rc < 0)
            return lastError(QStringLiteral("cannot print the patch of %1").arg(oid.toString()),
                             rc);
        const QByteArrayView bytes = text.view();
        if (d.patchTruncated) {
            omittedBytes += bytes.size();
            ++omittedFiles;
        } else if (maxPatchBytes < 0 || patch.size() + bytes.size() <= maxPatchBytes) {
            patch += bytes;
            patchLines += bytes.count('\n');
        } else {
            // Keep whole lines only, so the text stays valid UTF-8 and a valid diff prefix.
            const qsizetype room = std::max<qsizetype>(0, maxPatchBytes - patch.size());
            const qsizetype keep = bytes.first(room).lastIndexOf('\n') + 1;
            patch += bytes.first(keep);
            patchLines += bytes.first(keep).count('\n');
            omittedBytes += bytes.size() - keep;
            ++omittedFiles;
            d.patchTruncated = true;
        }
    }
    d.diffstat = gitStat(d.files, extra);
    d.patch = QString::fromUtf8(patch);
    if (d.patchTruncated) {
        d.patchBytesOmitted = omittedBytes;
        d.patch += QStringLiteral("%1 %2 more bytes in %3 file(s) not shown, the limit is %4 "
                                  "bytes]\n")
                       .arg(QLatin1String(PatchTruncatedMarker))
                       .arg(omittedBytes)
                       .arg(omittedFiles)
                       .arg(maxPatchBytes);
    }
    return d;
}

} // namespace bw::git
