// Fuzzes the commit-graph reader (services/git/CommitGraphFile): git's binary
// `objects/info/commit-graph` and split chains, which the DAG loader maps and trusts
// after validation.
//
// Input: one graph file, or the layers of a chain (base first) separated by the 8 bytes
// "BWLAYER!". The layers are read from memory (fromData) and, written as files with
// git's names, through open() (a single file, or a commit-graph-chain).
//
// Invariants: a corrupt graph is an Error with ErrorCorrupt, never a crash or a read
// outside the data; in an accepted graph every commit is found again by its oid, its
// parents are commits of the graph, its time fits in 34 bits; open() and fromData()
// agree.

#include "FuzzCheck.h"

#include "services/git/CommitGraphFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <memory>
#include <vector>

using namespace bw;
using bw::git::CommitGraphFile;

namespace {

constexpr std::uint32_t MaxChecked = 4096; // commits checked per input, for speed

QString scratchDir() {
    static const std::unique_ptr<QTemporaryDir> dir = [] {
        const QString shm = QStringLiteral("/dev/shm");
        const QString base = QFileInfo(shm).isWritable() ? shm : QDir::tempPath();
        auto d = std::make_unique<QTemporaryDir>(base + QStringLiteral("/bw-fuzz-XXXXXX"));
        if (!d->isValid())
            bw::fuzz::fail(__FILE__, __LINE__, "scratch directory", d->errorString());
        return d;
    }();
    return dir->path();
}

void writeFile(const QString &path, const QByteArray &data) {
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(data);
}

void checkGraph(const CommitGraphFile &g, const QByteArray &input) {
    std::vector<std::uint32_t> parents;
    const std::uint32_t n = std::min(g.count(), MaxChecked);
    for (std::uint32_t pos = 0; pos < n; ++pos) {
        const Oid oid = g.oid(pos);
        const auto found = g.position(oid);
        FUZZ_CHECK(found.has_value());
        FUZZ_CHECK(*found < g.count() && g.oid(*found) == oid);
        const std::int64_t time = g.commitTime(pos);
        FUZZ_CHECK(time >= 0 && time < (std::int64_t(1) << 34));
        g.parents(pos, parents);
        for (std::uint32_t p : parents)
            FUZZ_CHECK(p < g.count());
    }
    // Lookups of oids that may or may not be there: the 20-byte windows of the input.
    for (qsizetype i = 0; i + Oid::RawSize <= input.size() && i < 4096; i += 7) {
        const Oid probe = Oid::fromRaw(reinterpret_cast<const uchar *>(input.constData() + i));
        if (const auto pos = g.position(probe))
            FUZZ_CHECK(*pos < g.count() && g.oid(*pos) == probe);
    }
}

bool sameGraph(const CommitGraphFile &a, const CommitGraphFile &b) {
    if (a.count() != b.count() || a.layerCount() != b.layerCount())
        return false;
    std::vector<std::uint32_t> pa, pb;
    for (std::uint32_t pos = 0; pos < std::min(a.count(), MaxChecked); ++pos) {
        a.parents(pos, pa);
        b.parents(pos, pb);
        if (a.oid(pos) != b.oid(pos) || a.commitTime(pos) != b.commitTime(pos) || pa != pb)
            return false;
    }
    return true;
}

// The layers as files under a fresh objects directory, named as git names them: a
// single commit-graph, or graph-<checksum>.graph files listed in commit-graph-chain.
QString writeObjects(const std::vector<QByteArray> &layers, int serial) {
    const QString objects = scratchDir() + QStringLiteral("/objects-%1").arg(serial % 2);
    QDir(objects).removeRecursively();
    const QString info = objects + QStringLiteral("/info");
    QDir().mkpath(info + QStringLiteral("/commit-graphs"));
    if (layers.size() == 1) {
        writeFile(info + QStringLiteral("/commit-graph"), layers[0]);
        return objects;
    }
    QByteArray chain;
    for (const QByteArray &layer : layers) {
        QByteArray checksum = layer.right(Oid::RawSize);
        checksum.prepend(QByteArray(Oid::RawSize - checksum.size(), '\0'));
        const QByteArray hex = checksum.toHex();
        writeFile(info + QStringLiteral("/commit-graphs/graph-%1.graph").arg(QLatin1String(hex)),
                  layer);
        chain += hex + '\n';
    }
    writeFile(info + QStringLiteral("/commit-graphs/commit-graph-chain"), chain);
    return objects;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    bw::fuzz::quietQtMessages();
    (void)scratchDir();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    static int serial = 0;
    const QByteArray input = bw::fuzz::bytes(data, size);
    std::vector<QByteArray> layers;
    for (qsizetype pos = 0;;) {
        const qsizetype sep = input.indexOf("BWLAYER!", pos);
        // Copies: each layer gets its own exactly-sized buffer for ASan.
        layers.emplace_back(input.constData() + pos, (sep < 0 ? input.size() : sep) - pos);
        if (sep < 0 || layers.size() >= 8)
            break;
        pos = sep + 8;
    }

    auto memory = CommitGraphFile::fromData(layers);
    if (memory) {
        FUZZ_CHECK(memory->layerCount() == int(layers.size()));
        FUZZ_CHECK(memory->paths().isEmpty());
        checkGraph(*memory, input);
    } else {
        FUZZ_CHECK(memory.error().code == CommitGraphFile::ErrorCorrupt);
    }

    // The same through the files (all but empty layers: git never writes those).
    if (std::any_of(layers.begin(), layers.end(), [](const QByteArray &l) { return l.isEmpty(); }))
        return 0;
    const QString objects = writeObjects(layers, serial++);
    auto opened = CommitGraphFile::open(objects);
    if (!opened) {
        FUZZ_CHECK(opened.error().code == CommitGraphFile::ErrorCorrupt);
        return 0;
    }
    FUZZ_CHECK(opened->paths().size() == qsizetype(layers.size()));
    checkGraph(*opened, input);
    // A file may be refused where memory was not (its name must match its base
    // hashes), never the other way round.
    FUZZ_CHECK(memory.ok());
    FUZZ_CHECK(sameGraph(*memory, *opened));
    return 0;
}
