#pragma once

#include "models/Oid.h"
#include "models/Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

class QFile;

namespace bw::git {

// A reader of git's commit-graph (Documentation/gitformat-commit-graph.txt): one
// `objects/info/commit-graph` file or a split chain under `objects/info/commit-graphs/`.
// Files are memory-mapped and fully validated when opened, so that every accessor below
// is a bounds-safe array read afterwards: a corrupt file gives an Error, never a crash.
//
// Positions are global across a chain: the commits of a layer come after those of its
// base layers, exactly as git numbers them in parent fields.
class CommitGraphFile {
public:
    // Error::code values of open(): no commit-graph at all (fall back quietly) versus a
    // file that exists but cannot be trusted (fall back and tell someone).
    static constexpr int ErrorAbsent = 404;
    static constexpr int ErrorCorrupt = 422;
    [[nodiscard]] static bool isAbsent(const Error &e) { return e.code == ErrorAbsent; }

    // Reads `objectsDir/info/commit-graph` or, when that does not exist, the chain
    // `objectsDir/info/commit-graphs/commit-graph-chain` (git's order of preference).
    [[nodiscard]] static Result<CommitGraphFile> open(const QString &objectsDir);
    // The layers of a graph from in-memory bytes, base layer first (tests, fuzzing).
    [[nodiscard]] static Result<CommitGraphFile> fromData(std::vector<QByteArray> layers);

    CommitGraphFile(CommitGraphFile &&) noexcept;
    CommitGraphFile &operator=(CommitGraphFile &&) noexcept;
    ~CommitGraphFile();

    [[nodiscard]] std::uint32_t count() const { return m_count; }
    [[nodiscard]] int layerCount() const;
    // The files read, base layer first (empty for fromData()).
    [[nodiscard]] QStringList paths() const;

    // Fanout + binary search in each layer; nullopt when the commit is not in the graph.
    [[nodiscard]] std::optional<std::uint32_t> position(const Oid &oid) const;
    // For pos < count().
    [[nodiscard]] Oid oid(std::uint32_t pos) const;
    [[nodiscard]] std::int64_t commitTime(std::uint32_t pos) const;
    // Replaces `out` with the parents' global positions, in the commit's stored order.
    void parents(std::uint32_t pos, std::vector<std::uint32_t> &out) const;

private:
    struct Layer;
    CommitGraphFile();
    [[nodiscard]] const Layer &layerOf(std::uint32_t pos) const;
    [[nodiscard]] static Result<CommitGraphFile> fromLayers(std::vector<Layer> layers);

    std::vector<Layer> m_layers;
    std::uint32_t m_count = 0;
};

} // namespace bw::git
