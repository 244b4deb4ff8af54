#pragma once

#include "models/BisectTypes.h"
#include "models/Oid.h"
#include "models/Result.h"

#include <QString>

#include <optional>
#include <vector>

namespace bw::git {

class Repository;

// git's own bisect state as it is on disk (git 2.39's files backend).
struct BisectFilesState {
    bool inProgress = false; // BISECT_START is not empty
    QString start;           // BISECT_START: the branch to return to, or a sha
    Terms terms;             // BISECT_TERMS, or bad/good when it is missing
    bool hasTermsFile = false;
    QString namesLine; // BISECT_NAMES without its newline: " 'a' 'b'" or empty
    bool firstParent = false;
    std::optional<Oid> expectedRev; // BISECT_EXPECTED_REV
    bool ancestorsOk = false;       // BISECT_ANCESTORS_OK
    std::optional<Oid> bisectHead;  // BISECT_HEAD: set in --no-checkout mode
    std::optional<Oid> bad;         // refs/bisect/<term_bad>
    std::vector<Oid> goods;         // refs/bisect/<term_good>-*, sorted by oid
    std::vector<Oid> skips;         // refs/bisect/skip-*, sorted by oid
    QString log;                    // BISECT_LOG
};

// Reads and writes the bisect state where git keeps it, so that a session can move
// between `git bisect` in a terminal and the workbench at any step. Like git, the
// BISECT_* files live in the work tree's own git dir (a linked worktree has its own
// bisect) and refs/bisect/* are per-worktree refs.
//
// Every file is replaced atomically (temporary file + rename); nothing here checks a
// commit out or selects one.
class GitBisectFiles {
public:
    explicit GitBisectFiles(Repository &repo);

    [[nodiscard]] Result<BisectFilesState> read() const;

    // Clears any old state like git's bisect_clean_state, then writes a new one:
    // BISECT_TERMS (none when `terms` is empty: git then takes the terms from the first
    // mark), BISECT_NAMES, BISECT_FIRST_PARENT, BISECT_HEAD (no-checkout mode) and
    // BISECT_LOG = `preStartLogLines` + `startLogLine`; BISECT_START last, so a failure
    // leaves no bisect in progress. The refs of the revisions given to start are the
    // caller's (see mark() for their log form).
    [[nodiscard]] Status start(const QString &startHead, const std::optional<Terms> &terms,
                               bool firstParent, const QString &namesLine,
                               std::optional<Oid> bisectHead, const QString &startLogLine,
                               const QString &preStartLogLines);

    // git's bisect_write (what `git bisect <term> <rev>` and replay record): the ref and
    // the `# <term>: [<sha>] <subject>` + `git bisect <term> <sha>` lines. Writes
    // BISECT_TERMS first when it is missing (and the mark is not a skip); fails like git
    // when the file holds other terms. Does not touch BISECT_EXPECTED_REV. A non-empty
    // `revAsWritten` goes into the command line instead of the sha, as replay does.
    [[nodiscard]] Status mark(MarkKind kind, const Oid &oid, const QString &subject,
                              const Terms &terms, const QString &revAsWritten = {});

    // Appends text to BISECT_LOG, keeping what is there.
    [[nodiscard]] Status appendLog(const QString &text);
    [[nodiscard]] Status setExpectedRev(std::optional<Oid> oid); // empty: delete the file
    [[nodiscard]] Status setAncestorsOk(bool ok);
    [[nodiscard]] Status setBisectHead(const Oid &oid);

    // Deletes refs/bisect/*, BISECT_HEAD and every BISECT_* file, BISECT_START last
    // (like `git bisect reset` without the checkout, which is the caller's).
    [[nodiscard]] Status reset();

    // The directory holding the BISECT_* files (the repository's git dir), with '/'.
    [[nodiscard]] QString stateDir() const;

private:
    [[nodiscard]] Status cleanState(const QStringList &keep);

    Repository &m_repo;
};

} // namespace bw::git
