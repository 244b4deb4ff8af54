#include "services/git/CommitGraphFile.h"
#include "services/git/DagLoader.h"
#include "services/git/Repository.h"
#include "tests/support/TestRepo.h"

#include <QDir>
#include <QFile>
#include <QFutureWatcher>
#include <QHash>
#include <QSignalSpy>
#include <QTest>
#include <QtEndian>

#include <random>

using namespace bw;
using bw::git::CommitGraphFile;
using bw::git::DagLoader;
using bw::git::DagLoadOptions;
using bw::git::DagLoadStats;
using bw::git::Repository;
using bw::test::TestRepo;

namespace {

const QString kMain = QStringLiteral("main");

QStringList args(std::initializer_list<const char *> list) {
    QStringList out;
    for (const char *s : list)
        out << QString::fromLatin1(s);
    return out;
}

std::vector<Oid> resolve(const TestRepo &r, const QStringList &revs) {
    std::vector<Oid> out;
    for (const QString &rev : revs)
        out.push_back(Oid::fromHex(r.gitOut({QStringLiteral("rev-parse"), rev})).value_or(Oid{}));
    return out;
}

// Compares the DAG with `git rev-list --parents` and `git log --format=%ct`; returns
// what differs, or an empty string.
// With `gitReadsGraph` false, git ignores the commit-graph (for damaged ones).
QString compareWithGit(const TestRepo &r, const QStringList &tips, const CommitDag &dag,
                       bool gitReadsGraph = true) {
    const QStringList config{QStringLiteral("-c"), gitReadsGraph
                                                       ? QStringLiteral("core.commitGraph=true")
                                                       : QStringLiteral("core.commitGraph=false")};
    const auto revList =
        r.git(config + QStringList{QStringLiteral("rev-list"), QStringLiteral("--parents")} + tips);
    const auto log = r.git(
        config + QStringList{QStringLiteral("log"), QStringLiteral("--format=%H %ct")} + tips);
    if (revList.exitCode != 0 || log.exitCode != 0)
        return QStringLiteral("git failed: ") + QString::fromUtf8(revList.err + log.err);
    QHash<QString, QStringList> parents;
    for (const QByteArray &line : revList.out.split('\n')) {
        if (line.isEmpty())
            continue;
        QStringList fields = QString::fromLatin1(line).split(u' ');
        const QString c = fields.takeFirst();
        parents.insert(c, fields);
    }
    QHash<QString, qint64> times;
    for (const QByteArray &line : log.out.split('\n')) {
        const QList<QByteArray> f = line.split(' ');
        if (f.size() == 2)
            times.insert(QString::fromLatin1(f[0]), f[1].toLongLong());
    }
    if (dag.size() != parents.size())
        return QStringLiteral("%1 commits loaded, git lists %2")
            .arg(dag.size())
            .arg(parents.size());
    for (CommitDag::Id c = 0; c < static_cast<CommitDag::Id>(dag.size()); ++c) {
        const QString hex = dag.oid(c).toString();
        if (!parents.contains(hex))
            return QStringLiteral("%1 is not listed by git").arg(hex);
        QStringList loaded;
        for (CommitDag::Id p : dag.parents(c)) {
            if (p <= c)
                return QStringLiteral("%1: a parent comes before its child").arg(hex);
            loaded << dag.oid(p).toString();
        }
        if (loaded != parents.value(hex))
            return QStringLiteral("%1: parents %2, git says %3")
                .arg(hex, loaded.join(u' '), parents.value(hex).join(u' '));
        if (dag.time(c) != times.value(hex, -1))
            return QStringLiteral("%1: time %2, git says %3")
                .arg(hex)
                .arg(dag.time(c))
                .arg(times.value(hex, -1));
    }
    return {};
}

// The chunk ids of a commit-graph file, in table order.
QList<QByteArray> chunkIds(const QString &path) {
    QFile f(path);
    QList<QByteArray> ids;
    if (!f.open(QIODevice::ReadOnly))
        return ids;
    const QByteArray d = f.readAll();
    if (d.size() < 8)
        return ids;
    const int n = static_cast<unsigned char>(d[6]);
    for (int i = 0; i < n && 8 + 12 * i + 4 <= d.size(); ++i)
        ids << d.mid(8 + 12 * i, 4);
    return ids;
}

QString graphFile(const TestRepo &r) {
    return r.path() + QStringLiteral("/.git/objects/info/commit-graph");
}
QString chainDir(const TestRepo &r) {
    return r.path() + QStringLiteral("/.git/objects/info/commit-graphs");
}
QString objectsDir(const TestRepo &r) {
    return r.path() + QStringLiteral("/.git/objects");
}

// Three roots, merges, an octopus merge, an unrelated-history merge, equal dates, a
// branch that is never merged. Returns the tips to load.
QStringList buildHistory(TestRepo &r) {
    r.setStep(10);
    r.commit(QStringLiteral("a"));
    r.commit(QStringLiteral("b"));
    r.git(args({"checkout", "-q", "-b", "side"}));
    r.commit(QStringLiteral("s1"));
    r.setStep(0); // equal dates
    r.commit(QStringLiteral("s2"));
    r.commit(QStringLiteral("s3"));
    r.setStep(10);
    r.git(args({"checkout", "-q", "main"}));
    r.commit(QStringLiteral("c"));
    r.merge(QStringLiteral("m1"), QStringLiteral("side"));
    for (const char *t : {"t1", "t2", "t3"}) {
        r.git(args({"checkout", "-q", "-b"}) << QString::fromLatin1(t) << QStringLiteral("b"));
        r.commit(QString::fromLatin1(t) + QStringLiteral("-1"));
        r.commit(QString::fromLatin1(t) + QStringLiteral("-2"));
    }
    r.git(args({"checkout", "-q", "main"}));
    r.tick(10);
    r.git(args({"merge", "-q", "--no-ff", "-m", "octopus", "t1", "t2", "t3"}));
    r.git(args({"checkout", "-q", "--orphan", "root2"}));
    r.commit(QStringLiteral("r1"));
    r.commit(QStringLiteral("r2"));
    r.git(args({"checkout", "-q", "main"}));
    r.tick(10);
    r.git(args({"merge", "-q", "--no-ff", "--allow-unrelated-histories", "-m", "join", "root2"}));
    r.setTime(5); // a commit dated before its parents (clock skew)
    r.commit(QStringLiteral("skewed"));
    r.setTime(1000);
    r.commit(QStringLiteral("d"));
    r.git(args({"checkout", "-q", "--orphan", "root3"}));
    r.commit(QStringLiteral("q1"));
    r.commit(QStringLiteral("q2"));
    r.git(args({"checkout", "-q", "main"}));
    return {kMain, QStringLiteral("root3")};
}

// A fast-import stream: `n` commits of a mainline with topic merges, octopus merges, a
// second root merged in, a never-merged branch, equal and skewed dates, and a date
// past 2^32 seconds (the commit-graph stores 34 bits).
QByteArray fastImportStream(int n, unsigned seed) {
    std::mt19937 rng(seed);
    QByteArray s;
    int mark = 0;
    qint64 clock = 946684800;
    auto commit = [&](const char *ref, int from, const std::vector<int> &merges, qint64 time) {
        ++mark;
        const QByteArray msg = "commit " + QByteArray::number(mark) + "\n";
        s += "commit " + QByteArray(ref) + "\nmark :" + QByteArray::number(mark) +
             "\ncommitter T <t@example.com> " + QByteArray::number(time) + " +0000\ndata " +
             QByteArray::number(msg.size()) + "\n" + msg;
        if (from > 0)
            s += "from :" + QByteArray::number(from) + "\n";
        for (int m : merges)
            s += "merge :" + QByteArray::number(m) + "\n";
        s += "\n";
        return mark;
    };
    auto nextTime = [&]() {
        clock += static_cast<qint64>(rng() % 3); // many equal dates
        return rng() % 50 == 0 ? clock - 5000 : clock;
    };
    std::vector<int> mainline{commit("refs/heads/main", 0, {}, nextTime())};
    int otherRoot = commit("refs/heads/other", 0, {}, nextTime());
    for (int i = 0; i < 30; ++i)
        otherRoot = commit("refs/heads/other", otherRoot, {}, nextTime());
    bool otherMerged = false;
    while (mark < n - 2) {
        const unsigned kind = rng() % 100;
        auto topic = [&]() {
            const int back = static_cast<int>(rng() % std::min<std::size_t>(10, mainline.size()));
            int tip = mainline[mainline.size() - 1 - static_cast<std::size_t>(back)];
            const int len = 1 + static_cast<int>(rng() % 5);
            for (int k = 0; k < len; ++k)
                tip = commit("refs/heads/topic", tip, {}, nextTime());
            return tip;
        };
        if (kind < 65) {
            mainline.push_back(commit("refs/heads/main", mainline.back(), {}, nextTime()));
        } else if (kind < 92) {
            const int t = topic();
            mainline.push_back(commit("refs/heads/main", mainline.back(), {t}, nextTime()));
        } else if (kind < 97) {
            std::vector<int> tips;
            const int ways = 2 + static_cast<int>(rng() % 3);
            for (int k = 0; k < ways; ++k)
                tips.push_back(topic());
            mainline.push_back(commit("refs/heads/main", mainline.back(), tips, nextTime()));
        } else if (!otherMerged && mainline.size() > 100) {
            mainline.push_back(commit("refs/heads/main", mainline.back(), {otherRoot}, nextTime()));
            otherMerged = true;
        }
    }
    commit("refs/heads/dangling", mainline[mainline.size() / 2], {}, nextTime());
    commit("refs/heads/main", mainline.back(), {}, (qint64(1) << 32) + 12345);
    return s;
}

Result<CommitDag> loadRepo(const TestRepo &r, const QStringList &tips, DagLoadStats *stats,
                           const DagLoadOptions &options = {}) {
    auto repo = Repository::open(r.path());
    if (!repo)
        return repo.error();
    return DagLoader::load(*repo, resolve(r, tips), options, {}, stats);
}

int revCount(const TestRepo &r, const QStringList &tips) {
    return r.gitOut(QStringList{QStringLiteral("rev-list"), QStringLiteral("--count")} + tips)
        .toInt();
}

} // namespace

class TestDagLoader : public QObject {
    Q_OBJECT

private slots:
    void configurations_data() {
        QTest::addColumn<QString>("mode");
        QTest::newRow("no commit-graph") << QStringLiteral("none");
        QTest::newRow("commit-graph (GDA2)") << QStringLiteral("default");
        QTest::newRow("commit-graph generation v1") << QStringLiteral("v1");
        QTest::newRow("split chain + newer commits") << QStringLiteral("split");
    }

    void configurations() {
        QFETCH(QString, mode);
        TestRepo r;
        QVERIFY(r.isValid());
        const QStringList tips = buildHistory(r);
        int inGraph = 0;
        if (mode == u"default") {
            QCOMPARE(r.git(args({"commit-graph", "write", "--reachable"})).exitCode, 0);
            const auto ids = chunkIds(graphFile(r));
            QVERIFY2(ids.contains("GDA2"), "git 2.39 writes generation data by default");
            QVERIFY2(ids.contains("EDGE"), "the octopus merge needs the extra edges chunk");
            inGraph = revCount(r, {QStringLiteral("--all")});
        } else if (mode == u"v1") {
            QCOMPARE(r.git(args({"-c", "commitGraph.generationVersion=1", "commit-graph", "write",
                                 "--reachable"}))
                         .exitCode,
                     0);
            const auto ids = chunkIds(graphFile(r));
            QVERIFY(!ids.contains("GDA2") && !ids.contains("GDAT"));
            QVERIFY(ids.contains("CDAT"));
            inGraph = revCount(r, {QStringLiteral("--all")});
        } else if (mode == u"split") {
            QCOMPARE(
                r.git(args({"commit-graph", "write", "--reachable", "--split=no-merge"})).exitCode,
                0);
            // A second layer: commits whose parents are in the first one.
            r.git(args({"checkout", "-q", "-b", "late", "side"}));
            r.commit(QStringLiteral("late1"));
            r.git(args({"checkout", "-q", "main"}));
            r.merge(QStringLiteral("m2"), QStringLiteral("late"));
            r.commit(QStringLiteral("e"));
            QCOMPARE(
                r.git(args({"commit-graph", "write", "--reachable", "--split=no-merge"})).exitCode,
                0);
            inGraph = revCount(r, {QStringLiteral("--all")});
            // Newer than the graph: a merge whose parents are in different layers, an
            // octopus with a parent outside the graph, and a new root.
            r.git(args({"checkout", "-q", "-b", "newer", "m1"}));
            r.commit(QStringLiteral("n1"));
            r.git(args({"checkout", "-q", "main"}));
            r.commit(QStringLiteral("f"));
            r.tick(10);
            QCOMPARE(r.git(args({"merge", "-q", "--no-ff", "-m", "oct2", "newer", "late", "t2"}))
                         .exitCode,
                     0);
            r.git(args({"checkout", "-q", "--orphan", "root4"}));
            r.commit(QStringLiteral("z1"));
            r.git(args({"checkout", "-q", "main"}));
            QVERIFY(!QFile::exists(graphFile(r)));
            QFile chain(chainDir(r) + QStringLiteral("/commit-graph-chain"));
            QVERIFY(chain.open(QIODevice::ReadOnly));
            QCOMPARE(chain.readAll().trimmed().split('\n').size(), 2);
        }
        QStringList allTips = tips;
        if (mode == u"split")
            allTips << QStringLiteral("root4");

        DagLoadStats stats;
        auto dag = loadRepo(r, allTips, &stats);
        QVERIFY2(dag, dag ? "" : qPrintable(dag.error().message()));
        const QString diff = compareWithGit(r, allTips, *dag);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QVERIFY2(stats.graphProblem.isEmpty(), qPrintable(stats.graphProblem));
        QCOMPARE(stats.fromGraph, inGraph);
        QCOMPARE(stats.fromObjects, dag->size() - inGraph);
        QCOMPARE(stats.graphLayers, mode == u"none" ? 0 : (mode == u"split" ? 2 : 1));
        if (mode == u"split")
            QCOMPARE(stats.fromObjects, 4); // n1, f, oct2, z1
        QVERIFY(dag->memoryBytes() <= std::size_t(64) * static_cast<std::size_t>(dag->size()));

        // The libgit2 path gives the same commits whatever the graph says.
        DagLoadStats objStats;
        auto fromObjects = loadRepo(r, allTips, &objStats, DagLoadOptions{false, 65536});
        QVERIFY(fromObjects);
        QCOMPARE(objStats.fromGraph, 0);
        QCOMPARE(objStats.fromObjects, dag->size());
        const QString diff2 = compareWithGit(r, allTips, *fromObjects);
        QVERIFY2(diff2.isEmpty(), qPrintable(diff2));

        // A single tip inside the history loads only its ancestors.
        auto partial = loadRepo(r, {QStringLiteral("m1")}, nullptr);
        QVERIFY(partial);
        const QString diff3 = compareWithGit(r, {QStringLiteral("m1")}, *partial);
        QVERIFY2(diff3.isEmpty(), qPrintable(diff3));
    }

    void graphFileAccessors() {
        TestRepo r;
        QVERIFY(r.isValid());
        buildHistory(r);
        auto absent = CommitGraphFile::open(objectsDir(r));
        QVERIFY(!absent);
        QVERIFY(CommitGraphFile::isAbsent(absent.error()));

        QCOMPARE(r.git(args({"commit-graph", "write", "--reachable"})).exitCode, 0);
        auto graph = CommitGraphFile::open(objectsDir(r));
        QVERIFY2(graph, graph ? "" : qPrintable(graph.error().message()));
        QCOMPARE(int(graph->count()), revCount(r, {QStringLiteral("--all")}));
        QCOMPARE(graph->paths(), QStringList{graphFile(r)});
        const Oid octopus = resolve(r, {QStringLiteral("main~3")}).front();
        QCOMPARE(r.gitOut(args({"log", "-1", "--format=%s", "main~3"})), QStringLiteral("octopus"));
        auto pos = graph->position(octopus);
        QVERIFY(pos);
        QCOMPARE(graph->oid(*pos), octopus);
        std::vector<std::uint32_t> parents;
        graph->parents(*pos, parents);
        QCOMPARE(parents.size(), std::size_t(4));
        const auto expected = resolve(r, {QStringLiteral("main~3^1"), QStringLiteral("t1"),
                                          QStringLiteral("t2"), QStringLiteral("t3")});
        for (std::size_t i = 0; i < parents.size(); ++i)
            QCOMPARE(graph->oid(parents[i]), expected[i]);
        QCOMPARE(graph->commitTime(*pos),
                 r.gitOut(args({"log", "-1", "--format=%ct", "main~3"})).toLongLong());
        // Every position round-trips; oids not in the graph are not found.
        for (std::uint32_t p = 0; p < graph->count(); ++p)
            QVERIFY(graph->position(graph->oid(p)) == p);
        QVERIFY(!graph->position(Oid{}));
        Oid high;
        high.bytes.fill(0xff);
        QVERIFY(!graph->position(high));
    }

    void largeRepository() {
        TestRepo r;
        QVERIFY(r.isValid());
        QVERIFY(r.fastImport(fastImportStream(20000, 42)));
        const QStringList tips{kMain, QStringLiteral("dangling")};
        const int total = revCount(r, tips);
        QVERIFY(total >= 19900);

        DagLoadStats stats;
        auto dag = loadRepo(r, tips, &stats);
        QVERIFY2(dag, dag ? "" : qPrintable(dag.error().message()));
        QCOMPARE(dag->size(), total);
        QCOMPARE(stats.fromObjects, total);
        QString diff = compareWithGit(r, tips, *dag);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        const CommitDag::Id tip = dag->find(resolve(r, {kMain}).front());
        QCOMPARE(dag->time(tip), (qint64(1) << 32) + 12345);

        QCOMPARE(r.git(args({"commit-graph", "write", "--reachable"})).exitCode, 0);
        stats = {};
        dag = loadRepo(r, tips, &stats);
        QVERIFY2(dag, dag ? "" : qPrintable(dag.error().message()));
        QCOMPARE(stats.fromGraph, total);
        QCOMPARE(stats.fromObjects, 0);
        diff = compareWithGit(r, tips, *dag);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(dag->time(dag->find(resolve(r, {kMain}).front())), (qint64(1) << 32) + 12345);
        QVERIFY(dag->memoryBytes() <= std::size_t(64) * static_cast<std::size_t>(total));
        qInfo("20k commits: %.3f s with the commit-graph", stats.seconds);
    }

    void corruptGraphFallsBack_data() {
        QTest::addColumn<QString>("damage");
        QTest::newRow("truncated") << QStringLiteral("truncate");
        QTest::newRow("chunk offset out of the file") << QStringLiteral("offset");
        QTest::newRow("chunk id wiped") << QStringLiteral("chunkid");
        QTest::newRow("bad signature") << QStringLiteral("signature");
        QTest::newRow("parent out of range") << QStringLiteral("parent");
        QTest::newRow("missing chain layer") << QStringLiteral("chain");
    }

    void corruptGraphFallsBack() {
        QFETCH(QString, damage);
        TestRepo r;
        QVERIFY(r.isValid());
        const QStringList tips = buildHistory(r);
        const bool chain = damage == u"chain";
        QCOMPARE(r.git(chain ? args({"commit-graph", "write", "--reachable", "--split"})
                             : args({"commit-graph", "write", "--reachable"}))
                     .exitCode,
                 0);
        QString path = graphFile(r);
        if (chain) {
            const QStringList layers =
                QDir(chainDir(r)).entryList({QStringLiteral("graph-*.graph")}, QDir::Files);
            QCOMPARE(layers.size(), 1);
            path = chainDir(r) + u'/' + layers.front();
        }
        QFile f(path);
        f.setPermissions(f.permissions() | QFileDevice::WriteOwner);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        QVERIFY(bytes.size() > 200);
        auto setBe32 = [&](qsizetype at, quint32 v) {
            for (int k = 0; k < 4; ++k)
                bytes[at + k] = char((v >> (24 - 8 * k)) & 0xff);
        };
        if (damage == u"truncate") {
            bytes.truncate(bytes.size() / 2);
        } else if (damage == u"offset") {
            bytes[8 + 4] = char(0x7f); // high byte of the first chunk's 64-bit offset
        } else if (damage == u"chunkid") {
            const int n = static_cast<unsigned char>(bytes[6]);
            for (int i = 0; i < n; ++i)
                if (bytes.mid(8 + 12 * i, 4) == "CDAT")
                    setBe32(8 + 12 * i, 0x58585858); // "XXXX": no commit data chunk
        } else if (damage == u"signature") {
            bytes[0] = 'X';
        } else if (damage == u"parent") {
            const int n = static_cast<unsigned char>(bytes[6]);
            for (int i = 0; i < n; ++i)
                if (bytes.mid(8 + 12 * i, 4) == "CDAT") {
                    const qsizetype cdat =
                        qFromBigEndian<quint64>(bytes.constData() + 8 + 12 * i + 4);
                    setBe32(cdat + 20, 0x00ffffff); // first commit's first parent
                }
        } else if (chain) {
            bytes.clear();
            f.close();
            QVERIFY(f.remove());
        }
        if (!chain) {
            QVERIFY(f.seek(0));
            QVERIFY(f.resize(0));
            QCOMPARE(f.write(bytes), bytes.size());
            f.close();
        }

        auto graph = CommitGraphFile::open(objectsDir(r));
        QVERIFY(!graph);
        QCOMPARE(graph.error().code, CommitGraphFile::ErrorCorrupt);
        QVERIFY2(graph.error().message().contains(QLatin1String("corrupt")),
                 qPrintable(graph.error().message()));
        QVERIFY2(graph.error().message().contains(path), qPrintable(graph.error().message()));

        DagLoadStats stats;
        auto dag = loadRepo(r, tips, &stats);
        QVERIFY2(dag, dag ? "" : qPrintable(dag.error().message()));
        QVERIFY(!stats.graphProblem.isEmpty());
        QCOMPARE(stats.fromGraph, 0);
        QCOMPARE(stats.fromObjects, dag->size());
        const QString diff = compareWithGit(r, tips, *dag, false);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    // Every single-byte change and every truncation either fails to open or gives a
    // graph whose every answer stays in range (run under ASan to catch stray reads).
    void damagedBytesNeverEscape() {
        TestRepo r;
        QVERIFY(r.isValid());
        buildHistory(r);
        QCOMPARE(r.git(args({"commit-graph", "write", "--reachable"})).exitCode, 0);
        QFile f(graphFile(r));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray original = f.readAll();
        auto check = [](const QByteArray &bytes) -> bool {
            auto g = CommitGraphFile::fromData({bytes});
            if (!g)
                return g.error().code == CommitGraphFile::ErrorCorrupt;
            std::vector<std::uint32_t> parents;
            for (std::uint32_t p = 0; p < g->count(); ++p) {
                if (g->position(g->oid(p)) != p)
                    return false;
                g->parents(p, parents);
                for (std::uint32_t q : parents)
                    if (q >= g->count())
                        return false;
                if (g->commitTime(p) < 0)
                    return false;
            }
            return true;
        };
        QVERIFY(check(original));
        QVERIFY(CommitGraphFile::fromData({original}));
        int rejected = 0;
        for (qsizetype i = 0; i < original.size(); ++i) {
            for (unsigned char flip : {0x01, 0x80, 0xff}) {
                QByteArray bytes = original;
                bytes[i] = char(bytes[i] ^ flip);
                QVERIFY2(check(bytes), qPrintable(QStringLiteral("byte %1").arg(i)));
                rejected += CommitGraphFile::fromData({bytes}) ? 0 : 1;
            }
        }
        QVERIFY(rejected > 0);
        for (qsizetype len = 0; len < original.size(); ++len)
            QVERIFY(!CommitGraphFile::fromData({original.left(len)}));
        // Two copies of one file are not a chain.
        QVERIFY(!CommitGraphFile::fromData({original, original}));
    }

    void shallowCloneIsRefused() {
        TestRepo src;
        QVERIFY(src.isValid());
        for (int i = 0; i < 6; ++i)
            src.commit(QStringLiteral("c%1").arg(i));
        QTemporaryDir dst;
        QVERIFY(dst.isValid());
        const QString clone = dst.path() + QStringLiteral("/clone");
        const auto rc =
            bw::test::run(QStringLiteral("git"),
                          {QStringLiteral("clone"), QStringLiteral("-q"), QStringLiteral("--depth"),
                           QStringLiteral("3"), QStringLiteral("file://") + src.path(), clone},
                          {}, src.env());
        QCOMPARE(rc.exitCode, 0);
        auto repo = Repository::open(clone);
        QVERIFY(repo);
        QVERIFY(repo->isShallow());
        auto head = repo->resolveCommit(QStringLiteral("HEAD"));
        QVERIFY(head);
        auto dag = DagLoader::load(*repo, {*head});
        QVERIFY(!dag);
        QCOMPARE(dag.error().code, DagLoader::ErrorShallow);
        QVERIFY2(dag.error().message().contains(QLatin1String("shallow clone")),
                 qPrintable(dag.error().message()));
        QVERIFY(dag.error().message().contains(QLatin1String("git fetch --unshallow")));
        QVERIFY(dag.error().message().contains(QLatin1String("clone")));
    }

    void unknownTip() {
        TestRepo r;
        QVERIFY(r.isValid());
        r.commit(QStringLiteral("a"));
        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        const Oid missing =
            *Oid::fromHex(std::string_view("0123456789abcdef0123456789abcdef01234567"));
        auto dag = DagLoader::load(*repo, {missing});
        QVERIFY(!dag);
        QVERIFY2(dag.error().message().contains(missing.toString()),
                 qPrintable(dag.error().message()));
        auto empty = DagLoader::load(*repo, {});
        QVERIFY(empty);
        QCOMPARE(empty->size(), 0);
    }

    void progressAndCancellation_data() {
        QTest::addColumn<bool>("withGraph");
        QTest::newRow("objects") << false;
        QTest::newRow("commit-graph") << true;
    }

    void progressAndCancellation() {
        QFETCH(bool, withGraph);
        TestRepo r;
        QVERIFY(r.isValid());
        QVERIFY(r.fastImport(fastImportStream(500, 7)));
        if (withGraph)
            QCOMPARE(r.git(args({"commit-graph", "write", "--reachable"})).exitCode, 0);
        const int total = revCount(r, {kMain});
        auto repo = Repository::open(r.path());
        QVERIFY(repo);
        const std::vector<Oid> tips = resolve(r, {kMain});
        DagLoadOptions options;
        options.progressInterval = 100;

        std::vector<int> seen;
        DagLoadStats stats;
        auto dag = DagLoader::load(
            *repo, tips, options,
            [&](int loaded) {
                seen.push_back(loaded);
                return true;
            },
            &stats);
        QVERIFY(dag);
        QCOMPARE(dag->size(), total);
        QCOMPARE(stats.fromGraph, withGraph ? total : 0);
        std::vector<int> expected;
        for (int k = 100; k <= total; k += 100)
            expected.push_back(k);
        if (total % 100 != 0)
            expected.push_back(total);
        QCOMPARE(seen, expected);

        seen.clear();
        auto cancelled = DagLoader::load(*repo, tips, options, [&](int loaded) {
            seen.push_back(loaded);
            return seen.size() < 2;
        });
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().code, DagLoader::ErrorCancelled);
        QVERIFY(cancelled.error().message().contains(QLatin1String("cancelled")));
        QCOMPARE(seen, std::vector<int>({100, 200}));
    }

    void loadAsync() {
        TestRepo r;
        QVERIFY(r.isValid());
        const QStringList tips = buildHistory(r);
        QCOMPARE(r.git(args({"commit-graph", "write", "--reachable"})).exitCode, 0);
        DagLoadOptions options;
        options.progressInterval = 5;
        QFutureWatcher<Result<CommitDag>> watcher;
        QSignalSpy finished(&watcher, &QFutureWatcherBase::finished);
        watcher.setFuture(DagLoader::loadAsync(r.path(), resolve(r, tips), options));
        QVERIFY(finished.wait(30000));
        QCOMPARE(watcher.future().resultCount(), 1);
        const Result<CommitDag> dag = watcher.result();
        QVERIFY2(dag, dag ? "" : qPrintable(dag.error().message()));
        const QString diff = compareWithGit(r, tips, *dag);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(watcher.progressValue(), dag->size());

        QTemporaryDir notARepo;
        QVERIFY(notARepo.isValid());
        auto bad = DagLoader::loadAsync(notARepo.path(), resolve(r, tips), {});
        bad.waitForFinished();
        QCOMPARE(bad.resultCount(), 1);
        QVERIFY(!bad.result());
        QVERIFY(bad.result().error().message().contains(QLatin1String("not a git repository")));
    }
};

QTEST_GUILESS_MAIN(TestDagLoader)
#include "tst_dagloader.moc"
