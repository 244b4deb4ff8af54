#include "services/store/SessionStore.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <tuple>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace bw;
using namespace bw::store;

// QVERIFY2 evaluates its message even when the check passes.
#define QVERIFY_OK(result)                                                                         \
    QVERIFY2((result).ok(), (result).ok() ? "" : qPrintable((result).error().message()))

namespace {

// The crash test runs this binary again with these set: it records a step and waits to
// be killed.
constexpr char kCrashChildEnv[] = "BW_STORE_CRASH_CHILD";
constexpr char kCrashSessionEnv[] = "BW_STORE_CRASH_SESSION";
constexpr int kChildTimeoutMs = 60000;
constexpr uid_t kNobody = 65534;

Oid oid(int n) {
    const QByteArray hex =
        QCryptographicHash::hash(QByteArray::number(n), QCryptographicHash::Sha1).toHex();
    return *Oid::fromHex(QString::fromLatin1(hex));
}

// A step with every field set; the purpose decides a few of them so steps differ.
StepRecord sampleStep(int number, int attempt = 1, StepPurpose purpose = StepPurpose::Bisect) {
    StepRecord s;
    s.number = number;
    s.attempt = attempt;
    s.purpose = purpose;
    s.commit = oid(number * 10 + attempt);
    s.subject = QStringLiteral("mm: fix the \"frobnicator\" — step %1 ✓").arg(number);

    StageResult checkout;
    checkout.stage = StageKind::Checkout;
    checkout.exitCode = 0;
    checkout.durationMs = 120;
    StageResult build;
    build.stage = StageKind::Build;
    build.exitCode = 0;
    build.durationMs = 93000 + number;
    build.timeoutMs = 1800000;
    build.message = QStringLiteral("exit 0");
    build.facts = {{QStringLiteral("version"), QStringLiteral("6.1.0-rc%1").arg(number)}};
    StageResult deploy;
    deploy.stage = StageKind::Deploy;
    deploy.outcome = StageOutcome::Error;
    deploy.signal = 9; // killed, not by our timeout: no exit code
    deploy.durationMs = 5;
    deploy.message = QStringLiteral("cannot run virsh: killed by signal 9");
    StageResult test;
    test.stage = StageKind::Test;
    test.outcome = number % 2 ? StageOutcome::Failed : StageOutcome::Timeout;
    test.exitCode = number % 2 ? std::optional<int>(127) : std::nullopt;
    test.durationMs = 180000;
    test.timeoutMs = 180000;
    test.iteration = 3;
    test.iterations = 15;
    test.message = QStringLiteral("test iteration 3/15 timed out after 3m");
    test.facts = {{QStringLiteral("result"), QStringLiteral("line 1\nline \"2\"\t{}")},
                  {QStringLiteral("result_hash"), QStringLiteral("ab12")},
                  {QStringLiteral("ünïcode"), QStringLiteral("✓")}};
    s.stages = {checkout, build, deploy, test};

    s.classification.verdict = purpose == StepPurpose::GoodCheck ? Verdict::Good : Verdict::Bad;
    s.classification.reason = QStringLiteral("test iteration 3/15 failed (exit 127)");
    s.classification.ruleLine = 40 + number;
    s.classification.needsGoodCheck = purpose == StepPurpose::Bisect;
    s.startedMs = 1700000000000 + number * 1000;
    s.finishedMs = s.startedMs + 273125;
    s.logDir = QStringLiteral("/sessions/s1/steps/%1-%2").arg(number).arg(attempt);
    return s;
}

QString describe(const StageResult &r) {
    QStringList facts;
    for (auto it = r.facts.begin(); it != r.facts.end(); ++it)
        facts << it.key() + u'=' + it.value();
    return QStringLiteral("%1/%2 exit=%3 sig=%4 dur=%5 to=%6 it=%7/%8 msg=%9 facts=%10")
        .arg(stageName(r.stage), outcomeName(r.outcome),
             r.exitCode ? QString::number(*r.exitCode) : QStringLiteral("none"))
        .arg(r.signal)
        .arg(r.durationMs)
        .arg(r.timeoutMs)
        .arg(r.iteration)
        .arg(r.iterations)
        .arg(r.message, facts.join(u'|'));
}

// Every field of a step as one string, so QCOMPARE shows what differs.
QString describe(const StepRecord &s) {
    QStringList parts{
        QStringLiteral("#%1.%2 purpose=%3").arg(s.number).arg(s.attempt).arg(int(s.purpose)),
        s.commit.toString(), s.subject,
        QStringLiteral("verdict=%1 reason=%2 line=%3 goodcheck=%4")
            .arg(verdictName(s.classification.verdict), s.classification.reason)
            .arg(s.classification.ruleLine)
            .arg(s.classification.needsGoodCheck),
        QStringLiteral("%1..%2 logs=%3").arg(s.startedMs).arg(s.finishedMs).arg(s.logDir)};
    for (const StageResult &r : s.stages)
        parts << describe(r);
    return parts.join(u'\n');
}

QString describe(const Mark &m) {
    return QStringLiteral("%1 kind=%2 prov=%3 step=%4 reason=%5")
        .arg(m.commit.toString())
        .arg(int(m.kind))
        .arg(int(m.provenance))
        .arg(m.step)
        .arg(m.reason);
}

QString describe(const SessionRow &r) {
    return QStringList{QString::number(r.id),
                       r.repository,
                       r.recipeToml,
                       r.recipeHash,
                       r.startArgs.join(u'|'),
                       r.terms.bad + u'/' + r.terms.good,
                       r.status,
                       r.message,
                       r.worktree,
                       r.culprit ? r.culprit->toString() : QStringLiteral("no culprit"),
                       QString::number(r.createdMs),
                       QString::number(r.updatedMs)}
        .join(u'\n');
}

SessionRow sampleSession(qint64 createdMs = 1700000000000) {
    SessionRow row;
    row.repository = QStringLiteral("/home/ada/src/linux");
    row.recipeToml = QStringLiteral("name = \"boot\"\n[test]\ncommand = \"./t.sh\"\n");
    row.recipeHash = QString::fromLatin1(
        QCryptographicHash::hash(row.recipeToml.toUtf8(), QCryptographicHash::Sha256).toHex());
    row.startArgs = {QStringLiteral("v6.2"), QStringLiteral("v6.1"), QStringLiteral("--"),
                     QStringLiteral("mm/ with space")};
    row.terms = {QStringLiteral("broken"), QStringLiteral("fixed")};
    row.status = QStringLiteral("running");
    row.message = QStringLiteral("step 3 of ~12");
    row.worktree = QStringLiteral("/home/ada/.local/share/bw/s1/worktree");
    row.createdMs = createdMs;
    row.updatedMs = createdMs + 5;
    return row;
}

QByteArray readBytes(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

int modeOf(const QString &path) {
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

// Raw SQL on a connection of its own, as another program (or an older build) would.
class RawDb {
public:
    explicit RawDb(const QString &path)
        : m_name(QStringLiteral("raw.%1").arg(++s_count)) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        m_ok = db.open();
    }
    ~RawDb() {
        QSqlDatabase::database(m_name, false).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    RawDb(const RawDb &) = delete;
    RawDb &operator=(const RawDb &) = delete;

    // Empty when it worked, the error otherwise.
    QString run(const QString &sql) {
        if (!m_ok)
            return QStringLiteral("not open");
        QSqlQuery q(QSqlDatabase::database(m_name));
        return q.exec(sql) ? QString() : q.lastError().text() + QStringLiteral(" in ") + sql;
    }
    QVariant value(const QString &sql) {
        QSqlQuery q(QSqlDatabase::database(m_name));
        return q.exec(sql) && q.next() ? q.value(0) : QVariant();
    }

private:
    static inline int s_count = 0;
    QString m_name;
    bool m_ok = false;
};

// Version 1 exactly as the first release wrote it (a frozen copy: the store's own
// migrations must cope with it).
const QStringList kVersion1Schema{
    QStringLiteral("PRAGMA journal_mode = WAL"),
    QStringLiteral(R"(CREATE TABLE sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, repository TEXT NOT NULL,
        recipe_toml TEXT NOT NULL, start_args TEXT NOT NULL DEFAULT '[]',
        term_bad TEXT NOT NULL, term_good TEXT NOT NULL, status TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '', worktree TEXT NOT NULL DEFAULT '',
        created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL))"),
    QStringLiteral(R"(CREATE TABLE marks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        commit_hex TEXT NOT NULL, kind TEXT NOT NULL, provenance TEXT NOT NULL,
        step INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '',
        created_ms INTEGER NOT NULL))"),
    QStringLiteral("CREATE INDEX marks_session ON marks(session_id)"),
    QStringLiteral(R"(CREATE TABLE steps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        number INTEGER NOT NULL, attempt INTEGER NOT NULL, purpose TEXT NOT NULL,
        commit_hex TEXT NOT NULL, subject TEXT NOT NULL, verdict TEXT NOT NULL,
        reason TEXT NOT NULL, rule_line INTEGER NOT NULL, needs_good_check INTEGER NOT NULL,
        started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL, log_dir TEXT NOT NULL,
        mark TEXT, UNIQUE (session_id, number, attempt)))"),
    QStringLiteral(R"(CREATE TABLE stage_results (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL, stage TEXT NOT NULL, outcome TEXT NOT NULL,
        exit_code INTEGER, signal INTEGER NOT NULL, duration_ms INTEGER NOT NULL,
        timeout_ms INTEGER NOT NULL, iteration INTEGER NOT NULL, iterations INTEGER NOT NULL,
        message TEXT NOT NULL, facts TEXT NOT NULL DEFAULT '{}', UNIQUE (step_id, ordinal)))"),
    QStringLiteral("PRAGMA user_version = 1"),
};

// File permission bits do not stop root: the tests that need a file root could write
// anyway run as nobody for a while (the saved set-user-ID brings root back).
class Unprivileged {
public:
    Unprivileged() {
        if (::geteuid() == 0)
            m_dropped = ::seteuid(kNobody) == 0;
    }
    ~Unprivileged() {
        if (m_dropped && ::seteuid(0) != 0)
            qFatal("cannot become root again: %s", std::strerror(errno));
    }
    Unprivileged(const Unprivileged &) = delete;
    Unprivileged &operator=(const Unprivileged &) = delete;
    [[nodiscard]] bool ok() const { return ::geteuid() != 0; }

private:
    bool m_dropped = false;
};

// A small tmpfs, unmounted (lazily, so it never fails) when the test ends.
class SmallTmpfs {
public:
    SmallTmpfs(const QString &dir, const QByteArray &size)
        : m_dir(QFile::encodeName(dir)) {
        const QByteArray options = "size=" + size + ",mode=0700";
        if (::mount("tmpfs", m_dir.constData(), "tmpfs", MS_NOSUID | MS_NODEV,
                    options.constData()) == 0)
            m_mounted = true;
        else
            m_error = QString::fromLocal8Bit(std::strerror(errno));
    }
    ~SmallTmpfs() {
        if (m_mounted)
            ::umount2(m_dir.constData(), MNT_DETACH);
    }
    SmallTmpfs(const SmallTmpfs &) = delete;
    SmallTmpfs &operator=(const SmallTmpfs &) = delete;
    [[nodiscard]] bool mounted() const { return m_mounted; }
    [[nodiscard]] QString error() const { return m_error; }

private:
    QByteArray m_dir;
    bool m_mounted = false;
    QString m_error;
};

void writeOut(const QByteArray &line) {
    const QByteArray text = line + '\n';
    [[maybe_unused]] const ssize_t n = ::write(STDOUT_FILENO, text.constData(), text.size());
}

// The crash test's child: records one step, says so, and waits for SIGKILL.
int crashChild(const QString &path, qint64 session) {
    static int argc = 1;
    static char name[] = "tst_sessionstore-child";
    static char *argv[] = {name, nullptr};
    QCoreApplication app(argc, argv);
    auto store = SessionStore::open(path);
    if (!store) {
        writeOut("error: " + store.error().message().toUtf8());
        return 2;
    }
    auto id = store->recordStep(session, sampleStep(7), MarkKind::Bad,
                                {{LogKind::Test, QStringLiteral("/l/test.log"), 4096}});
    if (!id) {
        writeOut("error: " + id.error().message().toUtf8());
        return 2;
    }
    writeOut("recorded");
    for (;;)
        ::pause();
}

} // namespace

class Test_sessionstore : public QObject {
    Q_OBJECT

public:
    // Runs before QTest looks at anything: the crash test's child takes over here.
    static void initMain() {
        const QByteArray path = qgetenv(kCrashChildEnv);
        if (!path.isEmpty())
            ::_exit(crashChild(QFile::decodeName(path), qgetenv(kCrashSessionEnv).toLongLong()));
    }

private:
    std::unique_ptr<QTemporaryDir> m_tmp;

    QString dbPath(const QString &name = QStringLiteral("session.sqlite")) const {
        return m_tmp->filePath(name);
    }

    static SessionStore mustOpen(const QString &path) {
        auto store = SessionStore::open(path);
        if (!store)
            qFatal("cannot open %s: %s", qPrintable(path), qPrintable(store.error().message()));
        return std::move(store).value();
    }

private slots:
    void init() {
        m_tmp = std::make_unique<QTemporaryDir>();
        QVERIFY(m_tmp->isValid());
    }
    void cleanup() { m_tmp.reset(); }

    void createAndReadSession() {
        SessionStore store = mustOpen(dbPath());
        QCOMPARE(store.path(), dbPath());
        QCOMPARE(store.schemaVersion(), SessionStore::SchemaVersion);

        SessionRow row = sampleSession();
        row.culprit = oid(42);
        auto id = store.createSession(row);
        QVERIFY_OK(id);
        QVERIFY(*id > 0);
        row.id = *id;
        auto read = store.session(*id);
        QVERIFY_OK(read);
        QCOMPARE(describe(*read), describe(row));

        // Defaults: the hash is computed, times are now.
        SessionRow bare;
        bare.repository = QStringLiteral("/r");
        bare.recipeToml = QStringLiteral("x = 1\n");
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        auto bareId = store.createSession(bare);
        QVERIFY(bareId);
        auto bareRead = store.session(*bareId);
        QVERIFY(bareRead);
        QCOMPARE(bareRead->recipeHash,
                 QString::fromLatin1(
                     QCryptographicHash::hash("x = 1\n", QCryptographicHash::Sha256).toHex()));
        QVERIFY(bareRead->createdMs >= before);
        QCOMPARE(bareRead->updatedMs, bareRead->createdMs);
        QVERIFY(bareRead->startArgs.isEmpty());
        QVERIFY(bareRead->terms.isDefault());
        QVERIFY(!bareRead->culprit);

        auto missing = store.session(9999);
        QVERIFY(!missing);
        QVERIFY(missing.error().message().contains(u"9999"));

        SessionRow bad = sampleSession();
        bad.status = QStringLiteral("exploded");
        auto refused = store.createSession(bad);
        QVERIFY(!refused);
        QVERIFY(refused.error().message().contains(u"exploded"));
    }

    void sessionsNewestFirst() {
        SessionStore store = mustOpen(dbPath());
        auto empty = store.sessions();
        QVERIFY(empty);
        QVERIFY(empty->empty());
        const qint64 a = *store.createSession(sampleSession(1000));
        const qint64 b = *store.createSession(sampleSession(3000));
        const qint64 c = *store.createSession(sampleSession(2000));
        const qint64 d = *store.createSession(sampleSession(3000)); // same time: later id first
        auto all = store.sessions();
        QVERIFY(all);
        QCOMPARE(all->size(), 4u);
        QCOMPARE((*all)[0].id, d);
        QCOMPARE((*all)[1].id, b);
        QCOMPARE((*all)[2].id, c);
        QCOMPARE((*all)[3].id, a);
        QCOMPARE((*all)[3].repository, sampleSession().repository);
    }

    void updateStatus() {
        SessionStore store = mustOpen(dbPath());
        const qint64 id = *store.createSession(sampleSession());
        const qint64 before = QDateTime::currentMSecsSinceEpoch();

        QVERIFY(store.updateStatus(id, QStringLiteral("paused"), QStringLiteral("needs you")));
        auto row = store.session(id);
        QCOMPARE(row->status, QStringLiteral("paused"));
        QCOMPARE(row->message, QStringLiteral("needs you"));
        QVERIFY(row->updatedMs >= before);
        QCOMPARE(row->createdMs, sampleSession().createdMs);
        QVERIFY(!row->culprit);

        QVERIFY(
            store.updateStatus(id, QStringLiteral("finished"), QStringLiteral("found"), oid(5)));
        QCOMPARE(store.session(id)->culprit, std::optional<Oid>(oid(5)));
        // No culprit given: the recorded one stays.
        QVERIFY(store.updateStatus(id, QStringLiteral("stopped"), QString()));
        row = store.session(id);
        QCOMPARE(row->status, QStringLiteral("stopped"));
        QCOMPARE(row->message, QString());
        QCOMPARE(row->culprit, std::optional<Oid>(oid(5)));

        auto unknown = store.updateStatus(id, QStringLiteral("sleeping"), QString());
        QVERIFY(!unknown);
        QCOMPARE(store.session(id)->status, QStringLiteral("stopped"));
        auto missing = store.updateStatus(id + 100, QStringLiteral("failed"), QString());
        QVERIFY(!missing);
        QVERIFY(missing.error().message().contains(dbPath()));
    }

    void stepsRoundTrip() {
        SessionStore store = mustOpen(dbPath());
        const qint64 session = *store.createSession(sampleSession());
        const qint64 other = *store.createSession(sampleSession());

        // Recorded out of order; read back by (number, attempt).
        const std::vector<std::tuple<StepRecord, std::optional<MarkKind>, std::vector<LogFileRow>>>
            recorded{
                {sampleStep(3, 2, StepPurpose::Confirm), MarkKind::Skip, {}},
                {sampleStep(1, 1, StepPurpose::Endpoint),
                 MarkKind::Bad,
                 {{LogKind::Build, QStringLiteral("/l/1/build.log"), 123456789012},
                  {LogKind::Console, QStringLiteral("/l/1/console.log"), 0},
                  {LogKind::Test, QStringLiteral("/l/1/test.log"), 77},
                  {LogKind::Pipeline, QStringLiteral("/l/1/pipeline.log"), 5}}},
                {sampleStep(3, 1, StepPurpose::Bisect), std::nullopt, {}},
                {sampleStep(2, 1, StepPurpose::GoodCheck),
                 MarkKind::Good,
                 {{LogKind::Test, QStringLiteral("/l/2/test.log"), 1}}},
            };
        for (const auto &[step, mark, logs] : recorded) {
            auto id = store.recordStep(session, step, mark, logs);
            QVERIFY_OK(id);
        }
        StepRecord bare; // no stages, no facts, nothing optional
        bare.number = 1;
        QVERIFY(store.recordStep(other, bare, std::nullopt));

        auto rows = store.steps(session);
        QVERIFY_OK(rows);
        QCOMPARE(rows->size(), 4u);
        const int order[] = {1, 3, 2, 0}; // indexes into `recorded`
        for (std::size_t i = 0; i < 4; ++i) {
            const auto &[step, mark, logs] = recorded[std::size_t(order[i])];
            const StepRow &row = (*rows)[i];
            QVERIFY(row.id > 0);
            QCOMPARE(describe(row.step), describe(step));
            QCOMPARE(row.mark, mark);
            QCOMPARE(row.logs.size(), logs.size());
            for (std::size_t l = 0; l < logs.size(); ++l) {
                QCOMPARE(row.logs[l].kind, logs[l].kind);
                QCOMPARE(row.logs[l].path, logs[l].path);
                QCOMPARE(row.logs[l].size, logs[l].size);
            }
        }
        QVERIFY(!(*rows)[1].step.stages[3].exitCode); // even number: timed out, no exit code
        QCOMPARE((*rows)[0].step.stages[3].exitCode, std::optional<int>(127));

        auto others = store.steps(other);
        QVERIFY(others);
        QCOMPARE(others->size(), 1u);
        QCOMPARE(describe(others->front().step), describe(bare));
        QVERIFY(others->front().logs.empty());
        QVERIFY(!others->front().mark);
        QVERIFY(store.steps(session + other + 1)->empty());

        // The marks the steps led to, in recorded order, with provenance Step.
        auto marks = store.marks(session);
        QVERIFY(marks);
        QCOMPARE(marks->size(), 3u);
        const auto expectMark = [](const StepRecord &s, MarkKind kind) {
            return describe(
                Mark{s.commit, kind, Provenance::Step, s.number, s.classification.reason});
        };
        QCOMPARE(describe((*marks)[0]), expectMark(std::get<0>(recorded[0]), MarkKind::Skip));
        QCOMPARE(describe((*marks)[1]), expectMark(std::get<0>(recorded[1]), MarkKind::Bad));
        QCOMPARE(describe((*marks)[2]), expectMark(std::get<0>(recorded[3]), MarkKind::Good));
        QVERIFY(store.marks(other)->empty());
    }

    void stepForMissingSessionRefused() {
        SessionStore store = mustOpen(dbPath());
        auto id = store.recordStep(77, sampleStep(1), MarkKind::Bad);
        QVERIFY(!id);
        QVERIFY(id.error().message().contains(u"no session 77"));
        QVERIFY(!store.recordMark(77, Mark{}));
        QVERIFY(!store.recordOverride(77, OverrideRow{}));
        QVERIFY(store.marks(77)->empty());
    }

    void duplicateStepRefused() {
        SessionStore store = mustOpen(dbPath());
        const qint64 session = *store.createSession(sampleSession());
        QVERIFY(store.recordStep(session, sampleStep(1), MarkKind::Bad,
                                 {{LogKind::Test, QStringLiteral("/t.log"), 1}}));

        StepRecord again = sampleStep(1);
        again.subject = QStringLiteral("a different subject");
        auto dup = store.recordStep(session, again, MarkKind::Good,
                                    {{LogKind::Build, QStringLiteral("/b.log"), 2}});
        QVERIFY(!dup);
        QVERIFY2(dup.error().message().contains(u"already recorded"),
                 qPrintable(dup.error().message()));

        // Nothing of the refused step is left, and the store goes on working.
        auto rows = store.steps(session);
        QVERIFY(rows);
        QCOMPARE(rows->size(), 1u);
        QCOMPARE(describe(rows->front().step), describe(sampleStep(1)));
        QCOMPARE(rows->front().logs.size(), 1u);
        QCOMPARE(store.marks(session)->size(), 1u);

        QVERIFY(store.recordStep(session, sampleStep(1, 2), MarkKind::Good));
        QVERIFY(store.recordMark(session,
                                 Mark{oid(3), MarkKind::Skip, Provenance::Manual, 0, QString()}));
        QCOMPARE(store.steps(session)->size(), 2u);
        QCOMPARE(store.marks(session)->size(), 3u);
    }

    void marksWithProvenance() {
        SessionStore store = mustOpen(dbPath());
        const qint64 session = *store.createSession(sampleSession());
        const std::vector<Mark> made{
            {oid(1), MarkKind::Bad, Provenance::Manual, 0, QStringLiteral("given bad")},
            {oid(2), MarkKind::Good, Provenance::Imported, 0, QStringLiteral("from BISECT_LOG")},
            {oid(3), MarkKind::Skip, Provenance::Step, 4, QStringLiteral("build failed")},
            {oid(3), MarkKind::Good, Provenance::Override, 4, QStringLiteral("flaky build")},
            {oid(1), MarkKind::Bad, Provenance::Manual, 0, QString()}, // twice: both kept
        };
        for (const Mark &m : made)
            QVERIFY(store.recordMark(session, m));
        auto read = store.marks(session);
        QVERIFY(read);
        QCOMPARE(read->size(), made.size());
        for (std::size_t i = 0; i < made.size(); ++i)
            QCOMPARE(describe((*read)[i]), describe(made[i]));
    }

    void overrides() {
        SessionStore store = mustOpen(dbPath());
        const qint64 session = *store.createSession(sampleSession());
        const qint64 other = *store.createSession(sampleSession());
        std::vector<OverrideRow> made(3);
        made[0] = {0, oid(1), MarkKind::Skip, MarkKind::Good, QStringLiteral("flaky"), 5000};
        made[1] = {0, oid(2), std::nullopt, MarkKind::Bad, QStringLiteral("was untested"), 6000};
        made[2] = {0, oid(1), MarkKind::Good, std::nullopt, QStringLiteral("cleared"), 0};
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        for (OverrideRow &row : made) {
            auto id = store.recordOverride(session, row);
            QVERIFY(id);
            row.id = *id;
        }
        QVERIFY(store.recordOverride(other, made[0]));
        auto read = store.overrides(session);
        QVERIFY(read);
        QCOMPARE(read->size(), 3u);
        for (std::size_t i = 0; i < 3; ++i) {
            QCOMPARE((*read)[i].id, made[i].id);
            QCOMPARE((*read)[i].commit, made[i].commit);
            QCOMPARE((*read)[i].before, made[i].before);
            QCOMPARE((*read)[i].after, made[i].after);
            QCOMPARE((*read)[i].reason, made[i].reason);
        }
        QCOMPARE((*read)[0].createdMs, 5000);
        QVERIFY((*read)[2].createdMs >= before); // zero: now
        QCOMPARE(store.overrides(other)->size(), 1u);
    }

    void pragmas() {
        SessionStore store = mustOpen(dbPath());
        QCOMPARE(*store.pragma(QStringLiteral("journal_mode")), QStringLiteral("wal"));
        QCOMPARE(*store.pragma(QStringLiteral("foreign_keys")), QStringLiteral("1"));
        QCOMPARE(*store.pragma(QStringLiteral("synchronous")), QStringLiteral("2")); // FULL
        QVERIFY(store.pragma(QStringLiteral("busy_timeout"))->toInt() > 0);
        QVERIFY(!store.pragma(QStringLiteral("user_version = 7")));
        QCOMPARE(store.schemaVersion(), 2);
        QCOMPARE(*store.pragma(QStringLiteral("user_version")), QStringLiteral("2"));

        // WAL is a property of the file, not only of the store's connection.
        RawDb raw(dbPath());
        QCOMPARE(raw.value(QStringLiteral("PRAGMA journal_mode")).toString(),
                 QStringLiteral("wal"));
    }

    void permissions() {
        {
            SessionStore store = mustOpen(dbPath());
            QVERIFY(store.createSession(sampleSession()));
            QCOMPARE(modeOf(dbPath()), 0600);
            QCOMPARE(modeOf(dbPath() + QStringLiteral("-wal")), 0600);
            QCOMPARE(modeOf(dbPath() + QStringLiteral("-shm")), 0600);
        }
        // An existing database is made owner-only too.
        QVERIFY(::chmod(QFile::encodeName(dbPath()).constData(), 0644) == 0);
        SessionStore store = mustOpen(dbPath());
        QCOMPARE(modeOf(dbPath()), 0600);
        QCOMPARE(store.sessions()->size(), 1u);
    }

    void reopenKeepsEverything() {
        qint64 session = 0;
        {
            SessionStore store = mustOpen(dbPath());
            session = *store.createSession(sampleSession());
            QVERIFY(store.recordStep(session, sampleStep(1), MarkKind::Bad,
                                     {{LogKind::Build, QStringLiteral("/b"), 9}}));
            QVERIFY(
                store.recordStep(session, sampleStep(2, 1, StepPurpose::GoodCheck), std::nullopt));
            QVERIFY(store.recordMark(
                session, Mark{oid(8), MarkKind::Good, Provenance::Manual, 0, QString()}));
            QVERIFY(store.recordOverride(
                session, {0, oid(8), MarkKind::Good, MarkKind::Bad, QStringLiteral("wrong"), 1}));
            QVERIFY(store.updateStatus(session, QStringLiteral("finished"), QStringLiteral("done"),
                                       oid(1)));
        }
        QVERIFY(!QFile::exists(dbPath() + QStringLiteral("-wal"))); // checkpointed on close

        SessionStore store = mustOpen(dbPath());
        auto row = store.session(session);
        QVERIFY(row);
        QCOMPARE(row->status, QStringLiteral("finished"));
        QCOMPARE(row->culprit, std::optional<Oid>(oid(1)));
        auto rows = store.steps(session);
        QCOMPARE(rows->size(), 2u);
        QCOMPARE(describe((*rows)[0].step), describe(sampleStep(1)));
        QCOMPARE(describe((*rows)[1].step), describe(sampleStep(2, 1, StepPurpose::GoodCheck)));
        QCOMPARE((*rows)[0].logs.size(), 1u);
        QCOMPARE(store.marks(session)->size(), 2u);
        QCOMPARE(store.overrides(session)->size(), 1u);

        // A second store on the same file (its own connection), and a moved store.
        SessionStore second = mustOpen(dbPath());
        QVERIFY(second.recordStep(session, sampleStep(3), MarkKind::Good));
        QCOMPARE(store.steps(session)->size(), 3u);
        SessionStore moved = std::move(second);
        QCOMPARE(moved.steps(session)->size(), 3u);
        moved = std::move(store);
        QCOMPARE(moved.marks(session)->size(), 3u);
    }

    void migratesVersion1() {
        {
            RawDb v1(dbPath());
            for (const QString &sql : kVersion1Schema)
                QCOMPARE(v1.run(sql), QString());
            const QString t = oid(1).toString();
            const QStringList data{
                QStringLiteral("INSERT INTO sessions VALUES (1, '/src/linux', 'name = \"old\"', "
                               "'[\"v6.1\",\"v6.0\"]', 'new', 'old', 'finished', 'found it', "
                               "'/w', 1000, 2000)"),
                QStringLiteral("INSERT INTO steps VALUES (1, 1, 1, 1, 'bisect', '%1', 'subject "
                               "one', 'bad', 'exit 1', 7, 0, 1100, 1200, '/l/1', 'bad')")
                    .arg(t),
                QStringLiteral("INSERT INTO steps VALUES (2, 1, 2, 1, 'good-check', '%1', 'two', "
                               "'skip', 'exit 127', 0, 1, 1300, 1400, '/l/2', NULL)")
                    .arg(oid(2).toString()),
                QStringLiteral("INSERT INTO stage_results VALUES (1, 1, 0, 'checkout', 'passed', "
                               "0, 0, 10, 0, 0, 0, '', '{}')"),
                QStringLiteral("INSERT INTO stage_results VALUES (2, 1, 1, 'test', 'failed', 1, "
                               "0, 20, 60000, 1, 1, 'exit 1', '{\"result\":\"FAIL\"}')"),
                QStringLiteral("INSERT INTO stage_results VALUES (3, 2, 0, 'wait', 'timeout', "
                               "NULL, 9, 30, 30, 0, 0, 'timed out', '{}')"),
                QStringLiteral("INSERT INTO marks VALUES (1, 1, '%1', 'bad', 'step', 1, 'exit 1', "
                               "1200)")
                    .arg(t),
                QStringLiteral("INSERT INTO marks VALUES (2, 1, '%1', 'good', 'manual', 0, '', "
                               "900)")
                    .arg(oid(9).toString()),
            };
            for (const QString &sql : data)
                QCOMPARE(v1.run(sql), QString());
            QCOMPARE(v1.value(QStringLiteral("PRAGMA user_version")).toInt(), 1);
        }

        {
            auto opened = SessionStore::open(dbPath());
            QVERIFY_OK(opened);
            SessionStore &store = *opened;
            QCOMPARE(store.schemaVersion(), 2);

            auto row = store.session(1);
            QVERIFY_OK(row);
            QCOMPARE(row->repository, QStringLiteral("/src/linux"));
            QCOMPARE(row->startArgs, (QStringList{QStringLiteral("v6.1"), QStringLiteral("v6.0")}));
            QCOMPARE(row->terms, (Terms{QStringLiteral("new"), QStringLiteral("old")}));
            QCOMPARE(row->status, QStringLiteral("finished"));
            QCOMPARE(row->createdMs, 1000);
            QCOMPARE(row->updatedMs, 2000);
            QCOMPARE(row->recipeHash,
                     QString::fromLatin1(
                         QCryptographicHash::hash("name = \"old\"", QCryptographicHash::Sha256)
                             .toHex()));
            QVERIFY(!row->culprit);

            StepRecord one;
            one.number = 1;
            one.commit = oid(1);
            one.subject = QStringLiteral("subject one");
            one.classification = {Verdict::Bad, QStringLiteral("exit 1"), 7, false};
            one.startedMs = 1100;
            one.finishedMs = 1200;
            one.logDir = QStringLiteral("/l/1");
            StageResult checkout;
            checkout.exitCode = 0;
            checkout.durationMs = 10;
            StageResult test;
            test.stage = StageKind::Test;
            test.outcome = StageOutcome::Failed;
            test.exitCode = 1;
            test.durationMs = 20;
            test.timeoutMs = 60000;
            test.iteration = test.iterations = 1;
            test.message = QStringLiteral("exit 1");
            test.facts = {{QStringLiteral("result"), QStringLiteral("FAIL")}};
            one.stages = {checkout, test};
            StepRecord two;
            two.number = 2;
            two.purpose = StepPurpose::GoodCheck;
            two.commit = oid(2);
            two.subject = QStringLiteral("two");
            two.classification = {Verdict::Skip, QStringLiteral("exit 127"), 0, true};
            two.startedMs = 1300;
            two.finishedMs = 1400;
            two.logDir = QStringLiteral("/l/2");
            StageResult wait;
            wait.stage = StageKind::Wait;
            wait.outcome = StageOutcome::Timeout;
            wait.signal = 9;
            wait.durationMs = wait.timeoutMs = 30;
            wait.message = QStringLiteral("timed out");
            two.stages = {wait};

            auto rows = store.steps(1);
            QVERIFY_OK(rows);
            QCOMPARE(rows->size(), 2u);
            QCOMPARE(describe((*rows)[0].step), describe(one));
            QCOMPARE((*rows)[0].mark, std::optional<MarkKind>(MarkKind::Bad));
            QVERIFY((*rows)[0].logs.empty());
            QCOMPARE(describe((*rows)[1].step), describe(two));
            QVERIFY(!(*rows)[1].mark);

            auto marks = store.marks(1);
            QCOMPARE(marks->size(), 2u);
            QCOMPARE(describe((*marks)[0]), describe(Mark{oid(1), MarkKind::Bad, Provenance::Step,
                                                          1, QStringLiteral("exit 1")}));
            QCOMPARE(describe((*marks)[1]),
                     describe(Mark{oid(9), MarkKind::Good, Provenance::Manual, 0, QString()}));

            // What version 2 added works on the migrated file.
            QVERIFY(store.recordOverride(
                1, {0, oid(1), MarkKind::Bad, MarkKind::Good, QStringLiteral("flaky"), 3000}));
            QCOMPARE(store.overrides(1)->size(), 1u);
            QVERIFY(store.recordStep(1, sampleStep(3), MarkKind::Good,
                                     {{LogKind::Console, QStringLiteral("/c.log"), 3}}));
            QCOMPARE(store.steps(1)->back().logs.size(), 1u);
            QVERIFY(store.updateStatus(1, QStringLiteral("finished"), QString(), oid(1)));
            QCOMPARE(store.session(1)->culprit, std::optional<Oid>(oid(1)));
            QVERIFY(store.createSession(sampleSession()));
        }
        RawDb raw(dbPath());
        QCOMPARE(raw.value(QStringLiteral("PRAGMA user_version")).toInt(), 2);
        QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM steps")).toInt(), 3);
    }

    // A migration that fails halfway leaves the version-1 database as it was.
    void failedMigrationRollsBack() {
        {
            RawDb v1(dbPath());
            for (const QString &sql : kVersion1Schema)
                QCOMPARE(v1.run(sql), QString());
            QCOMPARE(v1.run(QStringLiteral("INSERT INTO sessions VALUES (1, '/r', 'x', '[]', "
                                           "'bad', 'good', 'running', '', '', 1, 1)")),
                     QString());
            // Something in the way of version 2's new table.
            QCOMPARE(v1.run(QStringLiteral("CREATE TABLE log_files (x)")), QString());
        }
        auto opened = SessionStore::open(dbPath());
        QVERIFY(!opened);
        QVERIFY2(opened.error().message().contains(u"from schema 1 to 2"),
                 qPrintable(opened.error().message()));
        QVERIFY(opened.error().message().contains(dbPath()));

        RawDb raw(dbPath());
        QCOMPARE(raw.value(QStringLiteral("PRAGMA user_version")).toInt(), 1);
        QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM pragma_table_info('sessions') "
                                          "WHERE name = 'recipe_hash'"))
                     .toInt(),
                 0);
        QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM sqlite_master "
                                          "WHERE name = 'overrides'"))
                     .toInt(),
                 0);
        QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM sessions")).toInt(), 1);
    }

    void refusedUnmodified_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("newer schema") << QStringLiteral("newer")
                                      << QStringLiteral("was made by a newer Bisect Workbench "
                                                        "(schema 3); this one understands up to 2");
        QTest::newRow("text file") << QStringLiteral("text")
                                   << QStringLiteral("is not a Bisect Workbench session database");
        QTest::newRow("corrupt SQLite") << QStringLiteral("corrupt") << QString();
        QTest::newRow("other tables") << QStringLiteral("foreign")
                                      << QStringLiteral("is not a Bisect Workbench session "
                                                        "database: it has other tables");
        QTest::newRow("other application")
            << QStringLiteral("appid") << QStringLiteral("belongs to another application");
        QTest::newRow("version 2 without tables")
            << QStringLiteral("hollow") << QStringLiteral("it has no overrides table");
    }

    void refusedUnmodified() {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        if (kind == u"text" || kind == u"corrupt") {
            QFile f(dbPath());
            QVERIFY(f.open(QIODevice::WriteOnly));
            if (kind == u"corrupt")
                f.write(QByteArray("SQLite format 3\0", 16));
            f.write(QByteArray(4000, 'x'));
        } else {
            RawDb raw(dbPath());
            QCOMPARE(raw.run(QStringLiteral("PRAGMA journal_mode = WAL")), QString());
            QStringList sql;
            if (kind == u"newer")
                sql = kVersion1Schema.mid(1, kVersion1Schema.size() - 2)
                      << QStringLiteral("PRAGMA user_version = 3");
            else if (kind == u"foreign")
                sql << QStringLiteral("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
                    << QStringLiteral("INSERT INTO notes VALUES (1, 'keep me')");
            else if (kind == u"appid")
                sql << QStringLiteral("PRAGMA application_id = 1234");
            else if (kind == u"hollow")
                sql = kVersion1Schema.mid(1, kVersion1Schema.size() - 2)
                      << QStringLiteral("PRAGMA user_version = 2");
            for (const QString &s : sql)
                QCOMPARE(raw.run(s), QString());
        }
        QVERIFY(::chmod(QFile::encodeName(dbPath()).constData(), 0644) == 0);
        const QByteArray before = readBytes(dbPath());

        auto opened = SessionStore::open(dbPath());
        QVERIFY(!opened);
        const QString message = opened.error().message();
        QVERIFY2(message.contains(dbPath()), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
        QCOMPARE(readBytes(dbPath()), before);
        QCOMPARE(modeOf(dbPath()), 0644);
    }

    void readOnlyFile() {
        {
            SessionStore store = mustOpen(dbPath());
            QVERIFY(store.createSession(sampleSession()));
        }
        // Readable by everyone, writable by nobody; the directory is open to all, so only
        // the file itself is in the way.
        QVERIFY(::chmod(QFile::encodeName(m_tmp->path()).constData(), 0777) == 0);
        QVERIFY(::chmod(QFile::encodeName(dbPath()).constData(), 0444) == 0);
        const QByteArray before = readBytes(dbPath());
        {
            Unprivileged nobody;
            QVERIFY(nobody.ok());
            auto opened = SessionStore::open(dbPath());
            QVERIFY(!opened);
            QVERIFY2(opened.error().message().contains(
                         QStringLiteral("cannot write the session database ") + dbPath()),
                     qPrintable(opened.error().message()));
        }
        QCOMPARE(readBytes(dbPath()), before);
    }

    void unwritableDirectory() {
        const QString dir = m_tmp->filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkdir(dir));
        QVERIFY(::chmod(QFile::encodeName(m_tmp->path()).constData(), 0755) == 0);
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0555) == 0);
        const QString path = dir + QStringLiteral("/session.sqlite");
        {
            Unprivileged nobody;
            QVERIFY(nobody.ok());
            auto opened = SessionStore::open(path);
            QVERIFY(!opened);
            QVERIFY2(opened.error().message().contains(
                         QStringLiteral("cannot create the session database ") + path),
                     qPrintable(opened.error().message()));
        }
        QVERIFY(!QFile::exists(path));
        auto missing = SessionStore::open(m_tmp->filePath(QStringLiteral("no/such/dir/s.sqlite")));
        QVERIFY(!missing);
        QVERIFY(missing.error().message().contains(u"no/such/dir/s.sqlite"));
    }

    // A step is durable once recordStep returns: a process killed with SIGKILL right after
    // leaves it in the WAL, and the next open finds it.
    void survivesKill() {
        qint64 session = 0;
        {
            SessionStore store = mustOpen(dbPath());
            session = *store.createSession(sampleSession());
        }
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kCrashChildEnv), dbPath());
        env.insert(QString::fromLatin1(kCrashSessionEnv), QString::number(session));
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY2(child.waitForStarted(kChildTimeoutMs), qPrintable(child.errorString()));
        QByteArray said;
        while (!said.contains('\n') && child.waitForReadyRead(kChildTimeoutMs))
            said += child.readAllStandardOutput();
        QVERIFY2(said == "recorded\n", (said + child.readAllStandardError()).constData());
        QCOMPARE(::kill(pid_t(child.processId()), SIGKILL), 0);
        QVERIFY(child.waitForFinished(kChildTimeoutMs));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        // Nobody checkpointed: the step is only in the write-ahead log.
        QVERIFY(QFileInfo(dbPath() + QStringLiteral("-wal")).size() > 0);
        SessionStore store = mustOpen(dbPath());
        auto rows = store.steps(session);
        QVERIFY(rows);
        QCOMPARE(rows->size(), 1u);
        QCOMPARE(describe(rows->front().step), describe(sampleStep(7)));
        QCOMPARE(rows->front().mark, std::optional<MarkKind>(MarkKind::Bad));
        QCOMPARE(rows->front().logs.size(), 1u);
        QCOMPARE(store.marks(session)->size(), 1u);
    }

    // A full disk fails the transaction that needed the space; what was recorded before
    // stays, and the store works again once there is room.
    void diskFull() {
        const QString dir = m_tmp->filePath(QStringLiteral("small"));
        QVERIFY(QDir().mkdir(dir));
        SmallTmpfs tmpfs(dir, "2m");
        if (!tmpfs.mounted())
            QSKIP(qPrintable(QStringLiteral("cannot mount a tmpfs to fill (%1): this test needs "
                                            "root with mount privileges")
                                 .arg(tmpfs.error())));
        const QString path = dir + QStringLiteral("/session.sqlite");
        const QString filler = dir + QStringLiteral("/filler");
        {
            SessionStore store = mustOpen(path);
            const qint64 session = *store.createSession(sampleSession());
            QVERIFY(store.recordStep(session, sampleStep(1), MarkKind::Bad));

            {
                QFile fill(filler);
                QVERIFY(fill.open(QIODevice::WriteOnly));
                const QByteArray chunk(4096, 'f');
                while (fill.write(chunk) == chunk.size() && fill.flush()) {
                }
            }
            // Bigger than anything the write-ahead log has room for.
            StepRecord big = sampleStep(2);
            big.stages[3].facts.insert(QStringLiteral("dmesg"), QString(300000, u'x'));
            auto failed = store.recordStep(session, big, MarkKind::Good);
            QVERIFY(!failed);
            QVERIFY2(failed.error().message().contains(path), qPrintable(failed.error().message()));
            QVERIFY2(failed.error().message().contains(u"full"),
                     qPrintable(failed.error().message()));

            auto rows = store.steps(session);
            QVERIFY_OK(rows);
            QCOMPARE(rows->size(), 1u);
            QCOMPARE(describe(rows->front().step), describe(sampleStep(1)));
            QCOMPARE(store.marks(session)->size(), 1u);

            QVERIFY(QFile::remove(filler));
            auto retried = store.recordStep(session, big, MarkKind::Good);
            QVERIFY_OK(retried);
            QCOMPARE(store.steps(session)->size(), 2u);
        }
        SessionStore reopened = mustOpen(path);
        auto rows = reopened.steps(1);
        QVERIFY(rows);
        QCOMPARE(rows->size(), 2u);
        QCOMPARE(rows->back().step.stages[3].facts.value(QStringLiteral("dmesg")).size(), 300000);
        QCOMPARE(reopened.marks(1)->size(), 2u);
    }
};

QTEST_GUILESS_MAIN(Test_sessionstore)
#include "tst_sessionstore.moc"
