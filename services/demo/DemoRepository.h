#pragma once

#include "models/Oid.h"
#include "models/Result.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace bw::demo {

// What a generated demo repository holds, for the command line's message and for tests.
struct DemoInfo {
    QString path;                 // the work tree
    Oid head;                     // the tip of main
    Oid good;                     // v0.1: the recipes' good end
    Oid culprit;                  // the planted regression (on a topic branch)
    std::vector<Oid> buildBroken; // the commits where `make` fails (skipped when tested)
    QStringList tags;             // v0.1 … v0.4
    QStringList branches;         // main and the merged topic branches
    int commits = 0;              // every commit, merges included
    int merges = 0;
    QStringList recipes; // the recipe files written beside the project (absolute paths)
};

// The embedded demo: `netsim`, a small C program that simulates bulk transfers through a
// NIC descriptor ring, with a history of about 300 commits written with libgit2 (no
// network, no `git` process): topic branches merged with merge commits, annotated tags
// v0.1 … v0.4, a stretch of commits that do not build, and one planted regression that
// makes the stress test hang now and then after a few GiB of simulated traffic (each
// run of `netsim --stress 10` hangs with probability 1 - 0.933^10 ≈ 0.50).
//
// Everything is fixed (content, authors, dates), so the commit ids are the same on every
// machine and every run. Beside the project, excluded from git through .git/info/exclude,
// the recipes: local.toml (make + the stress test repeated with a timeout), flaky.toml
// (the same in the flaky mode) and vm.toml (the test inside a QEMU guest booted through
// libvirt from Debian's kernel and a busybox initramfs, with vm/domain.xml,
// vm/build-initramfs.sh, vm/check-vm.sh and vm/prepare-vm.sh).
class DemoRepository {
public:
    // Bumped whenever the generated history or the recipes change; ensure() regenerates
    // an older demo.
    static constexpr int FormatVersion = 2;

    // Creates the demo in `dir`, which must not exist or be empty.
    [[nodiscard]] static Result<DemoInfo> create(const QString &dir);
    // The demo in `dir` as it is, when it was made by this FormatVersion (missing recipe
    // files are written again); otherwise (absent or outdated) creates it. A non-empty
    // `dir` that is not a demo is an error and is left alone.
    [[nodiscard]] static Result<DemoInfo> ensure(const QString &dir);
    // Where the GUI's --demo keeps it: $XDG_DATA_HOME/bisect-workbench/demo.
    [[nodiscard]] static QString defaultLocation();
    // The recipe files' names, relative to the demo's work tree.
    [[nodiscard]] static QStringList recipeFiles();
};

} // namespace bw::demo
