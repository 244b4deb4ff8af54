#pragma once

// Private to services/demo: the demo's history as plain data (no libgit2), in the order
// the commits are written, so DemoRepository only has to store it.

#include "services/demo/DemoProject.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace bw::demo {

struct PlannedCommit {
    std::vector<int> parents; // indices of earlier commits; the first parent first
    Knobs knobs;              // what the tree is rendered from
    QByteArray message;       // subject, blank line, body
    int author = 0;           // into contributors()
    int committer = 0;
    qint64 time = 0; // seconds since the epoch, author and committer alike
};

struct PlannedTag {
    QString name;
    int commit = 0;
    QByteArray message;
    qint64 time = 0;
};

struct PlannedBranch {
    QString name;
    int commit = 0;
};

struct DemoHistory {
    std::vector<PlannedCommit> commits;
    std::vector<PlannedTag> tags;
    std::vector<PlannedBranch> branches; // "main" first
    int culprit = -1;
};

// The same history on every call.
[[nodiscard]] DemoHistory planHistory();

} // namespace bw::demo
