#pragma once

#include "models/Oid.h"
#include "models/Result.h"
#include "services/git/Repository.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace bw::git {

// Everything the commit details pane shows about one commit, as plain values (built
// on a worker thread, handed to the GUI thread).
struct CommitDetails {
    CommitInfo info;
    // Short names of the branches, remote-tracking branches and tags that point at the
    // commit (annotated tags peeled): local branches first, then remote ones, then tags.
    QStringList refs;
    QStringList remoteBranches; // the subset of `refs` that are remote-tracking branches
    QStringList tags;           // the subset of `refs` that are tags

    struct FileChange {
        QString path;      // the new path (the old one for a deleted file)
        QString oldPath;   // only for renames and copies, empty otherwise
        char status = 'M'; // A M D R C T, like `git diff --name-status`
        int additions = 0;
        int deletions = 0;
        bool binary = false;
        int patchLine = -1; // where its diff starts in `patch`; -1 when cut off or absent
    };
    std::vector<FileChange> files; // in the order of the patch

    // What the diff is against, in words: "parent 1a2b3c4", "first parent 1a2b3c4 of a
    // merge of 2 parents", "empty tree (root commit)".
    QString diffBase;
    QString diffstat; // git-like `--stat --summary` text, empty when nothing changed
    // The unified diff against the first parent (a root commit: against the empty
    // tree), cut at a line boundary once it reaches `maxPatchBytes` of UTF-8, followed by
    // a last line "[patch truncated: …]" saying how much was left out.
    QString patch;
    bool patchTruncated = false;
    qint64 patchBytesOmitted = 0;
};

// Reads a commit, its refs, its per-file changes, diffstat and patch. A negative
// `maxPatchBytes` means no limit. Call on the thread that owns `repo`.
[[nodiscard]] Result<CommitDetails> loadCommitDetails(const Repository &repo, const Oid &oid,
                                                      qsizetype maxPatchBytes = 4 * 1024 * 1024);

// The first line of a truncated patch's note, recognised by the highlighter.
inline constexpr char PatchTruncatedMarker[] = "[patch truncated:";

} // namespace bw::git
