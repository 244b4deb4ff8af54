#include "services/git/CommitGraphFile.h"

#include <QFile>
#include <QtEndian>

#include <algorithm>
#include <cstring>

namespace bw::git {

namespace {

constexpr std::uint32_t Signature = 0x43475048;       // "CGPH"
constexpr std::uint32_t ChunkOidFanout = 0x4f494446;  // "OIDF"
constexpr std::uint32_t ChunkOidLookup = 0x4f49444c;  // "OIDL"
constexpr std::uint32_t ChunkCommitData = 0x43444154; // "CDAT"
constexpr std::uint32_t ChunkExtraEdges = 0x45444745; // "EDGE"
constexpr std::uint32_t ChunkBaseGraphs = 0x42415345; // "BASE"

constexpr int HashLen = Oid::RawSize;
constexpr int HeaderSize = 8;
constexpr int ChunkEntrySize = 12;
constexpr int FanoutSize = 256 * 4;
constexpr int CommitDataWidth = HashLen + 16;

constexpr std::uint32_t ParentNone = 0x70000000;
constexpr std::uint32_t ExtraEdges = 0x80000000;
constexpr std::uint32_t EdgeMask = 0x7fffffff;
constexpr std::uint32_t LastEdge = 0x80000000;
// Positions must stay below the parent-field markers to be unambiguous.
constexpr std::uint64_t MaxCommits = ParentNone;

inline std::uint32_t be32(const uchar *p) {
    return qFromBigEndian<quint32>(p);
}
inline std::uint64_t be64(const uchar *p) {
    return qFromBigEndian<quint64>(p);
}

Error corrupt(const QString &what, const QString &why) {
    return Error{QStringLiteral("the commit-graph %1 is corrupt").arg(what),
                 CommitGraphFile::ErrorCorrupt, why};
}

} // namespace

struct CommitGraphFile::Layer {
    QString path;                // empty for in-memory data
    std::unique_ptr<QFile> file; // owns the mapping
    QByteArray bytes;            // or the data itself
    const uchar *data = nullptr;
    std::uint64_t size = 0;

    std::uint32_t base = 0;  // commits in the layers below
    std::uint32_t count = 0; // commits in this layer
    const uchar *fanout = nullptr;
    const uchar *oids = nullptr;
    const uchar *commitData = nullptr;
    const uchar *edges = nullptr;
    std::uint32_t edgeCount = 0;
    const uchar *baseHashes = nullptr;
    int baseCount = 0;

    [[nodiscard]] QString name(int index) const {
        return path.isEmpty() ? QStringLiteral("layer %1").arg(index) : path;
    }
    // Validates the whole layer; on success every pointer above is usable.
    [[nodiscard]] Status parse(int index, std::uint32_t commitsBelow);
};

Status CommitGraphFile::Layer::parse(int index, std::uint32_t commitsBelow) {
    const QString what = name(index);
    auto fail = [&](const QString &why) -> Status { return corrupt(what, why); };

    if (!data || size < HeaderSize + ChunkEntrySize + HashLen)
        return fail(QStringLiteral("the file is too short (%1 bytes)").arg(size));
    if (be32(data) != Signature)
        return fail(QStringLiteral("bad signature"));
    if (data[4] != 1)
        return fail(QStringLiteral("unsupported version %1").arg(data[4]));
    if (data[5] != 1)
        return fail(
            QStringLiteral("unsupported hash version %1 (only SHA-1 is supported)").arg(data[5]));
    const int chunkCount = data[6];
    baseCount = data[7];
    if (baseCount != index)
        return fail(QStringLiteral("it names %1 base graphs but is layer %2 of its chain")
                        .arg(baseCount)
                        .arg(index));

    // The chunk table: chunkCount entries plus a terminating one, whose offset is the
    // end of the last chunk. Chunks lie between the table and the trailing checksum.
    const std::uint64_t tableEnd =
        HeaderSize + static_cast<std::uint64_t>(chunkCount + 1) * ChunkEntrySize;
    const std::uint64_t dataEnd = size - HashLen;
    if (tableEnd > dataEnd)
        return fail(QStringLiteral("the chunk table does not fit in the file"));
    if (be32(data + HeaderSize + chunkCount * ChunkEntrySize) != 0)
        return fail(QStringLiteral("the chunk table is not terminated"));

    std::uint64_t fanoutSize = 0, oidsSize = 0, commitDataSize = 0, edgesSize = 0, basesSize = 0;
    std::uint64_t previous = tableEnd;
    std::vector<std::uint32_t> seen;
    for (int i = 0; i < chunkCount; ++i) {
        const uchar *entry = data + HeaderSize + i * ChunkEntrySize;
        const std::uint32_t id = be32(entry);
        const std::uint64_t offset = be64(entry + 4);
        const std::uint64_t next = be64(entry + 4 + ChunkEntrySize);
        if (id == 0)
            return fail(QStringLiteral("chunk %1 has a zero id").arg(i));
        if (offset < previous || next < offset || next > dataEnd)
            return fail(
                QStringLiteral("chunk %1 lies outside the file or overlaps another").arg(i));
        previous = offset;
        if (std::find(seen.begin(), seen.end(), id) != seen.end())
            return fail(QStringLiteral("chunk %1 appears twice").arg(i));
        seen.push_back(id);
        const uchar *chunk = data + offset;
        const std::uint64_t chunkSize = next - offset;
        switch (id) {
        case ChunkOidFanout:
            fanout = chunk;
            fanoutSize = chunkSize;
            break;
        case ChunkOidLookup:
            oids = chunk;
            oidsSize = chunkSize;
            break;
        case ChunkCommitData:
            commitData = chunk;
            commitDataSize = chunkSize;
            break;
        case ChunkExtraEdges:
            edges = chunk;
            edgesSize = chunkSize;
            break;
        case ChunkBaseGraphs:
            baseHashes = chunk;
            basesSize = chunkSize;
            break;
        default: // generation data (GDAT/GDA2/GDOV/GDO2), Bloom filters, future chunks
            break;
        }
    }
    const std::uint64_t lastEnd = be64(data + HeaderSize + chunkCount * ChunkEntrySize + 4);
    if (lastEnd < previous || lastEnd > dataEnd)
        return fail(QStringLiteral("the chunk table ends outside the file"));

    if (!fanout || fanoutSize != FanoutSize)
        return fail(QStringLiteral("the OID fanout chunk is missing or has the wrong size"));
    std::uint32_t prev = 0;
    for (int b = 0; b < 256; ++b) {
        const std::uint32_t v = be32(fanout + 4 * b);
        if (v < prev)
            return fail(QStringLiteral("the OID fanout is not monotonic"));
        prev = v;
    }
    count = prev;
    base = commitsBelow;
    if (static_cast<std::uint64_t>(base) + count >= MaxCommits)
        return fail(QStringLiteral("too many commits (%1)").arg(count));
    if (!oids || oidsSize != static_cast<std::uint64_t>(count) * HashLen)
        return fail(QStringLiteral("the OID lookup chunk is missing or has the wrong size"));
    if (!commitData || commitDataSize != static_cast<std::uint64_t>(count) * CommitDataWidth)
        return fail(QStringLiteral("the commit data chunk is missing or has the wrong size"));
    if (edgesSize % 4 != 0)
        return fail(QStringLiteral("the extra edges chunk has the wrong size"));
    edgeCount = static_cast<std::uint32_t>(std::min<std::uint64_t>(edgesSize / 4, EdgeMask));
    if (baseCount > 0 &&
        (!baseHashes || basesSize != static_cast<std::uint64_t>(baseCount) * HashLen))
        return fail(QStringLiteral("the base graphs chunk is missing or has the wrong size"));

    // Lookups binary-search within a fanout bucket: the oids must be strictly sorted and
    // each must sit in the bucket of its first byte.
    for (std::uint32_t i = 0; i < count; ++i) {
        const uchar *o = oids + static_cast<std::size_t>(i) * HashLen;
        if (i > 0 && std::memcmp(o - HashLen, o, HashLen) >= 0)
            return fail(QStringLiteral("the OID lookup is not sorted"));
        const int b = o[0];
        const std::uint32_t lo = b == 0 ? 0 : be32(fanout + 4 * (b - 1));
        if (i < lo || i >= be32(fanout + 4 * b))
            return fail(QStringLiteral("the OID fanout does not match the OID lookup"));
    }

    // Every parent reference must name a commit of this layer or a layer below, and
    // every extra-edge list must end inside the chunk.
    const std::uint64_t limit = static_cast<std::uint64_t>(base) + count;
    for (std::uint32_t i = 0; i < edgeCount; ++i)
        if ((be32(edges + 4 * i) & EdgeMask) >= limit)
            return fail(QStringLiteral("extra edge %1 names a commit that does not exist").arg(i));
    if (edgeCount > 0 && !(be32(edges + 4 * (edgeCount - 1)) & LastEdge))
        return fail(QStringLiteral("the extra edges list is not terminated"));
    for (std::uint32_t i = 0; i < count; ++i) {
        const uchar *c = commitData + static_cast<std::size_t>(i) * CommitDataWidth + HashLen;
        const std::uint32_t p1 = be32(c), p2 = be32(c + 4);
        if (p1 != ParentNone && p1 >= limit)
            return fail(QStringLiteral("commit %1 has a parent that does not exist").arg(i));
        if (p2 == ParentNone)
            continue;
        if (p2 & ExtraEdges) {
            if ((p2 & EdgeMask) >= edgeCount)
                return fail(QStringLiteral("commit %1 points outside the extra edges").arg(i));
        } else if (p2 >= limit) {
            return fail(QStringLiteral("commit %1 has a parent that does not exist").arg(i));
        }
    }
    return okStatus();
}

CommitGraphFile::CommitGraphFile() = default;
CommitGraphFile::CommitGraphFile(CommitGraphFile &&) noexcept = default;
CommitGraphFile &CommitGraphFile::operator=(CommitGraphFile &&) noexcept = default;
CommitGraphFile::~CommitGraphFile() = default;

int CommitGraphFile::layerCount() const {
    return static_cast<int>(m_layers.size());
}

QStringList CommitGraphFile::paths() const {
    QStringList out;
    for (const Layer &l : m_layers)
        if (!l.path.isEmpty())
            out << l.path;
    return out;
}

Result<CommitGraphFile> CommitGraphFile::fromLayers(std::vector<Layer> layers) {
    if (layers.empty())
        return Error{QStringLiteral("there is no commit-graph"), ErrorAbsent};
    std::uint32_t below = 0;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        if (i > 255)
            return corrupt(layers[i].name(static_cast<int>(i)),
                           QStringLiteral("the chain has too many layers"));
        if (Status s = layers[i].parse(static_cast<int>(i), below); !s)
            return s.error();
        // A layer lists the hashes of all layers below it; they must be the ones we read
        // (only known for files, whose names carry the hash).
        for (std::size_t k = 0; k < i; ++k) {
            const QString fileName = layers[k].path.section(u'/', -1);
            if (!fileName.startsWith(QLatin1String("graph-")))
                continue;
            const auto expected = Oid::fromHex(fileName.mid(6, Oid::HexSize));
            if (expected && std::memcmp(expected->bytes.data(), layers[i].baseHashes + k * HashLen,
                                        HashLen) != 0)
                return corrupt(layers[i].name(static_cast<int>(i)),
                               QStringLiteral("its base graphs do not match the chain"));
        }
        below += layers[i].count;
    }
    CommitGraphFile g;
    g.m_layers = std::move(layers);
    g.m_count = below;
    return g;
}

Result<CommitGraphFile> CommitGraphFile::fromData(std::vector<QByteArray> data) {
    std::vector<Layer> layers(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
        layers[i].bytes = std::move(data[i]);
        layers[i].data = reinterpret_cast<const uchar *>(layers[i].bytes.constData());
        layers[i].size = static_cast<std::uint64_t>(layers[i].bytes.size());
    }
    return fromLayers(std::move(layers));
}

Result<CommitGraphFile> CommitGraphFile::open(const QString &objectsDir) {
    const QString single = objectsDir + QStringLiteral("/info/commit-graph");
    const QString chainDir = objectsDir + QStringLiteral("/info/commit-graphs/");
    const QString chainFile = chainDir + QStringLiteral("commit-graph-chain");

    QStringList paths;
    if (QFile::exists(single)) {
        paths << single;
    } else {
        QFile chain(chainFile);
        if (!chain.exists())
            return Error{QStringLiteral("%1 has no commit-graph").arg(objectsDir), ErrorAbsent};
        if (!chain.open(QIODevice::ReadOnly))
            return corrupt(chainFile, chain.errorString());
        // One hash per line, base layer first.
        const QByteArray text = chain.read(1 << 20);
        for (const QByteArray &line : text.split('\n')) {
            const QByteArray hash = line.trimmed();
            if (hash.isEmpty())
                continue;
            if (hash.size() != Oid::HexSize ||
                !Oid::fromHex(std::string_view(hash.constData(), hash.size())))
                return corrupt(chainFile, QStringLiteral("a line is not a hash"));
            paths << chainDir + QStringLiteral("graph-%1.graph").arg(QString::fromLatin1(hash));
        }
        if (paths.isEmpty())
            return corrupt(chainFile, QStringLiteral("the chain is empty"));
    }

    std::vector<Layer> layers(static_cast<std::size_t>(paths.size()));
    for (int i = 0; i < paths.size(); ++i) {
        Layer &l = layers[static_cast<std::size_t>(i)];
        l.path = paths[i];
        l.file = std::make_unique<QFile>(paths[i]);
        if (!l.file->open(QIODevice::ReadOnly))
            return corrupt(paths[i], l.file->errorString());
        l.size = static_cast<std::uint64_t>(l.file->size());
        if (l.size < HeaderSize + ChunkEntrySize + HashLen)
            return corrupt(paths[i],
                           QStringLiteral("the file is too short (%1 bytes)").arg(l.size));
        l.data = l.file->map(0, l.file->size());
        if (!l.data)
            return corrupt(paths[i],
                           QStringLiteral("cannot map it: %1").arg(l.file->errorString()));
    }
    return fromLayers(std::move(layers));
}

const CommitGraphFile::Layer &CommitGraphFile::layerOf(std::uint32_t pos) const {
    std::size_t i = m_layers.size() - 1;
    while (i > 0 && pos < m_layers[i].base)
        --i;
    return m_layers[i];
}

std::optional<std::uint32_t> CommitGraphFile::position(const Oid &oid) const {
    const int b = oid.bytes[0];
    for (const Layer &l : m_layers) {
        std::uint32_t lo = b == 0 ? 0 : be32(l.fanout + 4 * (b - 1));
        std::uint32_t hi = be32(l.fanout + 4 * b);
        while (lo < hi) {
            const std::uint32_t mid = lo + (hi - lo) / 2;
            const int cmp = std::memcmp(l.oids + static_cast<std::size_t>(mid) * HashLen,
                                        oid.bytes.data(), HashLen);
            if (cmp == 0)
                return l.base + mid;
            if (cmp < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return std::nullopt;
}

Oid CommitGraphFile::oid(std::uint32_t pos) const {
    const Layer &l = layerOf(pos);
    return Oid::fromRaw(l.oids + static_cast<std::size_t>(pos - l.base) * HashLen);
}

std::int64_t CommitGraphFile::commitTime(std::uint32_t pos) const {
    const Layer &l = layerOf(pos);
    const uchar *c =
        l.commitData + static_cast<std::size_t>(pos - l.base) * CommitDataWidth + HashLen + 8;
    // 34 bits: the low two bits of the first word (above them: generation v1), then the
    // second word.
    return (static_cast<std::int64_t>(be32(c) & 0x3) << 32) | be32(c + 4);
}

void CommitGraphFile::parents(std::uint32_t pos, std::vector<std::uint32_t> &out) const {
    out.clear();
    const Layer &l = layerOf(pos);
    const uchar *c =
        l.commitData + static_cast<std::size_t>(pos - l.base) * CommitDataWidth + HashLen;
    const std::uint32_t p1 = be32(c);
    if (p1 == ParentNone)
        return;
    out.push_back(p1);
    const std::uint32_t p2 = be32(c + 4);
    if (p2 == ParentNone)
        return;
    if (!(p2 & ExtraEdges)) {
        out.push_back(p2);
        return;
    }
    // Validated when opened: the index is inside the chunk and the list is terminated.
    for (std::uint32_t i = p2 & EdgeMask; i < l.edgeCount; ++i) {
        const std::uint32_t e = be32(l.edges + 4 * i);
        out.push_back(e & EdgeMask);
        if (e & LastEdge)
            break;
    }
}

} // namespace bw::git
