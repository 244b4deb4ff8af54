#include "services/store/SessionStore.h"

#include "services/ServicesLogging.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace bw::store {

namespace {

// "BWSS" in the database header: `file` and other tools can tell our files apart, and we
// refuse a SQLite file some other program marked as its own.
constexpr int kApplicationId = 0x42575353;
constexpr int kBusyTimeoutMs = 10000;
constexpr int kSqliteConstraint = 19; // SQLITE_CONSTRAINT, the low byte of extended codes
// The first 16 bytes of every SQLite 3 database, NUL included.
constexpr char kSqliteMagic[] = "SQLite format 3";

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

QString errnoText(int error) {
    return QString::fromLocal8Bit(std::strerror(error));
}

// ---- names of the enums that have none in models/ ---------------------------------------

template <typename Enum, std::size_t N>
std::optional<Enum> fromNames(const std::array<Enum, N> &values, QString (*name)(Enum),
                              const QString &text) {
    for (Enum v : values) {
        if (name(v) == text)
            return v;
    }
    return std::nullopt;
}

QString markKindName(MarkKind kind) {
    switch (kind) {
    case MarkKind::Good:
        return QStringLiteral("good");
    case MarkKind::Bad:
        return QStringLiteral("bad");
    case MarkKind::Skip:
        return QStringLiteral("skip");
    }
    return {};
}

QString provenanceName(Provenance provenance) {
    switch (provenance) {
    case Provenance::Manual:
        return QStringLiteral("manual");
    case Provenance::Step:
        return QStringLiteral("step");
    case Provenance::Override:
        return QStringLiteral("override");
    case Provenance::Imported:
        return QStringLiteral("imported");
    }
    return {};
}

std::optional<MarkKind> markKindFromName(const QString &text) {
    return fromNames(std::array{MarkKind::Good, MarkKind::Bad, MarkKind::Skip}, markKindName, text);
}

std::optional<Provenance> provenanceFromName(const QString &text) {
    return fromNames(std::array{Provenance::Manual, Provenance::Step, Provenance::Override,
                                Provenance::Imported},
                     provenanceName, text);
}

std::optional<StageOutcome> outcomeFromName(const QString &text) {
    return fromNames(std::array{StageOutcome::Passed, StageOutcome::Failed, StageOutcome::Timeout,
                                StageOutcome::Error, StageOutcome::Cancelled},
                     outcomeName, text);
}

const QStringList &statuses() {
    static const QStringList names{QStringLiteral("running"), QStringLiteral("paused"),
                                   QStringLiteral("finished"), QStringLiteral("failed"),
                                   QStringLiteral("stopped")};
    return names;
}

QVariant nullable(const std::optional<MarkKind> &kind) {
    return kind ? QVariant(markKindName(*kind)) : QVariant();
}

QString factsJson(const QMap<QString, QString> &facts) {
    QJsonObject o;
    for (auto it = facts.begin(); it != facts.end(); ++it)
        o.insert(it.key(), it.value());
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

std::optional<QMap<QString, QString>> factsFromJson(const QString &text) {
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (!doc.isObject())
        return std::nullopt;
    QMap<QString, QString> facts;
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString())
            return std::nullopt;
        facts.insert(it.key(), it.value().toString());
    }
    return facts;
}

QString argsJson(const QStringList &args) {
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(args)).toJson(QJsonDocument::Compact));
}

std::optional<QStringList> argsFromJson(const QString &text) {
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (!doc.isArray())
        return std::nullopt;
    QStringList args;
    for (const QJsonValue &v : doc.array()) {
        if (!v.isString())
            return std::nullopt;
        args.push_back(v.toString());
    }
    return args;
}

QString sha256Hex(const QString &text) {
    return QString::fromLatin1(
        QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256).toHex());
}

// ---- SQL plumbing ------------------------------------------------------------------------

Error sqlError(const QString &what, const QSqlError &error) {
    const QString detail = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    const int native = error.nativeErrorCode().toInt();
    return Error{what, native ? native : 1, detail};
}

// Qt binds a null QString as SQL NULL; our text columns are NOT NULL and a null string is
// just an empty one. Only an invalid QVariant means NULL.
QVariant bindable(const QVariant &value) {
    if (value.typeId() == QMetaType::QString && value.toString().isNull())
        return QStringLiteral("");
    return value;
}

// Binds `args` to the prepared `q` and runs it.
Status execPrepared(QSqlQuery &q, std::initializer_list<QVariant> args, const QString &what) {
    int col = 0;
    for (const QVariant &a : args)
        q.bindValue(col++, bindable(a));
    if (!q.exec())
        return sqlError(what, q.lastError());
    return okStatus();
}

Status exec(QSqlQuery &q, const QString &sql, std::initializer_list<QVariant> args,
            const QString &what) {
    if (!q.prepare(sql))
        return sqlError(what, q.lastError());
    return execPrepared(q, args, what);
}

// Runs `sql` and reads the first column of its first row (pragmas, counts).
Result<QVariant> scalar(QSqlDatabase &db, const QString &sql, const QString &what) {
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(sql))
        return sqlError(what, q.lastError());
    if (!q.next())
        return Error{what, 1, QStringLiteral("no result for %1").arg(sql)};
    return q.value(0);
}

// One transaction; rolled back unless commit() succeeded. Writers take the write lock up
// front (BEGIN IMMEDIATE) so a concurrent writer waits in busy_timeout instead of failing
// halfway; readers get one consistent snapshot for their several queries.
class Transaction {
public:
    explicit Transaction(QSqlDatabase &db)
        : m_db(db) {}
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    ~Transaction() {
        if (m_active)
            rollback();
    }

    Status begin(const QString &what, bool write = true) {
        QSqlQuery q(m_db);
        if (!q.exec(write ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN")))
            return sqlError(what, q.lastError());
        m_active = true;
        return okStatus();
    }

    Status commit(const QString &what) {
        QSqlQuery q(m_db);
        if (q.exec(QStringLiteral("COMMIT"))) {
            m_active = false;
            return okStatus();
        }
        Error error = sqlError(what, q.lastError());
        q.finish();
        rollback();
        return error;
    }

private:
    void rollback() {
        m_active = false;
        // After a failed COMMIT (a full disk) SQLite may have rolled back already; a
        // ROLLBACK then fails harmlessly with "no transaction is active".
        QSqlQuery q(m_db);
        q.exec(QStringLiteral("ROLLBACK"));
    }

    QSqlDatabase &m_db;
    bool m_active = false;
};

// ---- schema ------------------------------------------------------------------------------

// Version 1, as the first release wrote it. Never edit: later versions are migrations.
Status createVersion1(QSqlDatabase &db, const QString &what) {
    static const char *const statements[] = {
        R"(CREATE TABLE sessions (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             repository TEXT NOT NULL,
             recipe_toml TEXT NOT NULL,
             start_args TEXT NOT NULL DEFAULT '[]',
             term_bad TEXT NOT NULL,
             term_good TEXT NOT NULL,
             status TEXT NOT NULL,
             message TEXT NOT NULL DEFAULT '',
             worktree TEXT NOT NULL DEFAULT '',
             created_ms INTEGER NOT NULL,
             updated_ms INTEGER NOT NULL))",
        R"(CREATE TABLE marks (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
             commit_hex TEXT NOT NULL,
             kind TEXT NOT NULL,
             provenance TEXT NOT NULL,
             step INTEGER NOT NULL DEFAULT 0,
             reason TEXT NOT NULL DEFAULT '',
             created_ms INTEGER NOT NULL))",         "CREATE INDEX marks_session ON marks(session_id)",
        R"(CREATE TABLE steps (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
             number INTEGER NOT NULL,
             attempt INTEGER NOT NULL,
             purpose TEXT NOT NULL,
             commit_hex TEXT NOT NULL,
             subject TEXT NOT NULL,
             verdict TEXT NOT NULL,
             reason TEXT NOT NULL,
             rule_line INTEGER NOT NULL,
             needs_good_check INTEGER NOT NULL,
             started_ms INTEGER NOT NULL,
             finished_ms INTEGER NOT NULL,
             log_dir TEXT NOT NULL,
             mark TEXT,
             UNIQUE (session_id, number, attempt)))",
        R"(CREATE TABLE stage_results (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
             ordinal INTEGER NOT NULL,
             stage TEXT NOT NULL,
             outcome TEXT NOT NULL,
             exit_code INTEGER,
             signal INTEGER NOT NULL,
             duration_ms INTEGER NOT NULL,
             timeout_ms INTEGER NOT NULL,
             iteration INTEGER NOT NULL,
             iterations INTEGER NOT NULL,
             message TEXT NOT NULL,
             facts TEXT NOT NULL DEFAULT '{}',
             UNIQUE (step_id, ordinal)))",
    };
    QSqlQuery q(db);
    for (const char *sql : statements) {
        if (!q.exec(QString::fromLatin1(sql)))
            return sqlError(what, q.lastError());
    }
    return okStatus();
}

// Version 2: hand overrides, log file references, the recipe's hash and the culprit.
Status migrateToVersion2(QSqlDatabase &db, const QString &what) {
    static const char *const statements[] = {
        "ALTER TABLE sessions ADD COLUMN recipe_hash TEXT NOT NULL DEFAULT ''",
        "ALTER TABLE sessions ADD COLUMN culprit TEXT",
        R"(CREATE TABLE overrides (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
             commit_hex TEXT NOT NULL,
             before_kind TEXT,
             after_kind TEXT,
             reason TEXT NOT NULL,
             created_ms INTEGER NOT NULL))",
        "CREATE INDEX overrides_session ON overrides(session_id)",
        R"(CREATE TABLE log_files (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
             kind TEXT NOT NULL,
             path TEXT NOT NULL,
             size INTEGER NOT NULL))",
        "CREATE INDEX log_files_step ON log_files(step_id)",
    };
    QSqlQuery q(db);
    for (const char *sql : statements) {
        if (!q.exec(QString::fromLatin1(sql)))
            return sqlError(what, q.lastError());
    }
    // Sessions from version 1 get their recipe's hash now, so every row has one.
    std::vector<std::pair<qint64, QString>> hashes;
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT id, recipe_toml FROM sessions")))
        return sqlError(what, q.lastError());
    while (q.next())
        hashes.emplace_back(q.value(0).toLongLong(), sha256Hex(q.value(1).toString()));
    for (const auto &[id, hash] : hashes) {
        if (auto st = exec(q, QStringLiteral("UPDATE sessions SET recipe_hash = ? WHERE id = ?"),
                           {hash, id}, what);
            !st)
            return st;
    }
    return okStatus();
}

using Migration = Status (*)(QSqlDatabase &, const QString &);
// kMigrations[v] brings a database from version v to v + 1.
constexpr std::array<Migration, SessionStore::SchemaVersion> kMigrations{createVersion1,
                                                                         migrateToVersion2};

// The tables each version has; a database of that version without them is not ours.
QStringList tablesOf(int version) {
    QStringList tables{QStringLiteral("sessions"), QStringLiteral("marks"), QStringLiteral("steps"),
                       QStringLiteral("stage_results")};
    if (version >= 2)
        tables << QStringLiteral("overrides") << QStringLiteral("log_files");
    return tables;
}

// Brings the database to SchemaVersion in one transaction: all of it or nothing.
Status migrate(QSqlDatabase &db, const QString &what) {
    Transaction tx(db);
    if (auto st = tx.begin(what); !st)
        return st;
    // Another process may have set it up while we waited for the write lock.
    auto locked = scalar(db, QStringLiteral("PRAGMA user_version"), what);
    if (!locked)
        return locked.error();
    const int from = locked->toInt();
    if (from > SessionStore::SchemaVersion)
        return Error{what, 1, QStringLiteral("it was upgraded to schema %1 meanwhile").arg(from)};
    for (int v = from; v < SessionStore::SchemaVersion; ++v) {
        if (auto st = kMigrations[std::size_t(v)](db, what); !st)
            return st;
    }
    for (const QString &pragma :
         {QStringLiteral("PRAGMA user_version = %1").arg(SessionStore::SchemaVersion),
          QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId)}) {
        QSqlQuery q(db);
        if (!q.exec(pragma))
            return sqlError(what, q.lastError());
    }
    return tx.commit(what);
}

const QString kSessionColumns = QStringLiteral(
    "id, repository, recipe_toml, recipe_hash, start_args, term_bad, term_good, status, "
    "message, worktree, culprit, created_ms, updated_ms");

} // namespace

// ---- the store ---------------------------------------------------------------------------

struct SessionStore::Private {
    QString path;
    QString connection;
    QSqlDatabase db;

    Private() = default;
    Private(const Private &) = delete;
    Private &operator=(const Private &) = delete;
    ~Private() {
        if (connection.isEmpty())
            return;
        db.close();
        // removeDatabase() wants no QSqlDatabase copy alive: drop ours first. Every
        // QSqlQuery is a local of a member function, gone by now.
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(connection);
    }

    Error corrupt(const QString &what, const QString &detail) const {
        return Error{QStringLiteral("%1 holds an unreadable %2").arg(path, what), 1, detail};
    }

    Status requireSession(qint64 id, const QString &what) {
        QSqlQuery q(db);
        q.setForwardOnly(true);
        if (auto st = exec(q, QStringLiteral("SELECT 1 FROM sessions WHERE id = ?"), {id}, what);
            !st)
            return st;
        if (!q.next())
            return Error{what, 1, QStringLiteral("there is no session %1").arg(id)};
        return okStatus();
    }

    Result<SessionRow> readSession(const QSqlQuery &q) const {
        SessionRow row;
        row.id = q.value(0).toLongLong();
        row.repository = q.value(1).toString();
        row.recipeToml = q.value(2).toString();
        row.recipeHash = q.value(3).toString();
        auto args = argsFromJson(q.value(4).toString());
        if (!args)
            return corrupt(QStringLiteral("session"),
                           QStringLiteral("start_args of session %1").arg(row.id));
        row.startArgs = *args;
        row.terms.bad = q.value(5).toString();
        row.terms.good = q.value(6).toString();
        row.status = q.value(7).toString();
        row.message = q.value(8).toString();
        row.worktree = q.value(9).toString();
        if (!q.value(10).isNull()) {
            row.culprit = Oid::fromHex(q.value(10).toString());
            if (!row.culprit)
                return corrupt(QStringLiteral("session"),
                               QStringLiteral("culprit of session %1").arg(row.id));
        }
        row.createdMs = q.value(11).toLongLong();
        row.updatedMs = q.value(12).toLongLong();
        return row;
    }
};

SessionStore::SessionStore(std::unique_ptr<Private> d_)
    : d(std::move(d_)) {}
SessionStore::SessionStore(SessionStore &&) noexcept = default;
SessionStore &SessionStore::operator=(SessionStore &&) noexcept = default;
SessionStore::~SessionStore() = default;

QString SessionStore::path() const {
    return d->path;
}

Result<SessionStore> SessionStore::open(const QString &path) {
    const QString file = QFileInfo(path).absoluteFilePath();
    const QByteArray native = QFile::encodeName(file);

    // Look before SQLite does: a file that is not SQLite is refused without being touched,
    // and a new file is owner-only from its first moment.
    bool created = false;
    const QFileInfo info(file);
    if (info.exists()) {
        if (info.isDir())
            return Error{QStringLiteral("%1 is a directory, not a session database").arg(file)};
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return Error{QStringLiteral("cannot read the session database %1").arg(file), 1,
                         f.errorString()};
        const QByteArray head = f.read(sizeof kSqliteMagic);
        if (!head.isEmpty() && head != QByteArray(kSqliteMagic, sizeof kSqliteMagic))
            return Error{QStringLiteral("%1 is not a Bisect Workbench session database").arg(file),
                         1, QStringLiteral("not an SQLite file")};
    } else {
        const int fd = ::open(native.constData(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        const int error = errno;
        if (fd < 0 && error != EEXIST)
            return Error{QStringLiteral("cannot create the session database %1").arg(file), error,
                         errnoText(error)};
        if (fd >= 0) {
            ::close(fd);
            created = true;
        }
    }

    static std::atomic<quint64> s_connections{0};
    auto d = std::make_unique<Private>();
    d->path = file;
    d->connection = QStringLiteral("bw.store.%1").arg(++s_connections);
    d->db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d->connection);
    auto fail = [&](Error error) -> Result<SessionStore> {
        d.reset(); // closes and removes the connection before the file goes
        if (created)
            QFile::remove(file);
        return error;
    };
    if (!d->db.isValid())
        return fail(Error{
            QStringLiteral("cannot open %1: Qt's SQLite driver (QSQLITE) is missing").arg(file)});
    d->db.setDatabaseName(file);
    const QString cannotOpen = QStringLiteral("cannot open the session database %1").arg(file);
    if (!d->db.open())
        return fail(sqlError(cannotOpen, d->db.lastError()));

    // Connection settings only: nothing here writes to the file.
    for (const QString &pragma : {QStringLiteral("PRAGMA busy_timeout = %1").arg(kBusyTimeoutMs),
                                  QStringLiteral("PRAGMA foreign_keys = ON")}) {
        QSqlQuery q(d->db);
        if (!q.exec(pragma))
            return fail(sqlError(cannotOpen, q.lastError()));
    }

    // Is it ours, and which version? Still read-only.
    auto version = scalar(d->db, QStringLiteral("PRAGMA user_version"), cannotOpen);
    if (!version)
        return fail(version.error());
    auto appId = scalar(d->db, QStringLiteral("PRAGMA application_id"), cannotOpen);
    if (!appId)
        return fail(appId.error());
    QSet<QString> tables;
    {
        QSqlQuery q(d->db);
        q.setForwardOnly(true);
        if (!q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")))
            return fail(sqlError(cannotOpen, q.lastError()));
        while (q.next())
            tables.insert(q.value(0).toString());
        tables.remove(QStringLiteral("sqlite_sequence"));
    }
    const int current = version->toInt();
    const QString notOurs =
        QStringLiteral("%1 is not a Bisect Workbench session database").arg(file);
    if (appId->toInt() != 0 && appId->toInt() != kApplicationId)
        return fail(
            Error{notOurs, 1,
                  QStringLiteral("it belongs to another application (id %1)").arg(appId->toInt())});
    if (current > SchemaVersion)
        return fail(Error{QStringLiteral("%1 was made by a newer Bisect Workbench (schema %2); "
                                         "this one understands up to %3")
                              .arg(file)
                              .arg(current)
                              .arg(SchemaVersion)});
    if (current < 0 || (current == 0 && !tables.isEmpty()))
        return fail(Error{notOurs, 1, QStringLiteral("it has other tables")});
    if (current > 0) {
        for (const QString &table : tablesOf(current)) {
            if (!tables.contains(table))
                return fail(Error{notOurs, 1, QStringLiteral("it has no %1 table").arg(table)});
        }
    }

    // Ours: from here on we may write.
    if (const int fd = ::open(native.constData(), O_RDWR | O_CLOEXEC); fd >= 0) {
        ::close(fd);
    } else {
        const int error = errno;
        return fail(Error{QStringLiteral("cannot write the session database %1").arg(file), error,
                          errnoText(error)});
    }
    if (::chmod(native.constData(), S_IRUSR | S_IWUSR) != 0) {
        const int error = errno;
        qCWarning(bwStore) << "cannot make" << file << "owner-only:" << errnoText(error);
    }

    const QString cannotSetUp = QStringLiteral("cannot set up the session database %1").arg(file);
    auto mode = scalar(d->db, QStringLiteral("PRAGMA journal_mode = WAL"), cannotSetUp);
    if (!mode)
        return fail(mode.error());
    if (mode->toString().compare(u"wal", Qt::CaseInsensitive) != 0)
        return fail(Error{
            cannotSetUp, 1,
            QStringLiteral("write-ahead logging refused (journal mode %1)").arg(mode->toString())});
    // FULL: in WAL mode NORMAL may lose the last commits on power loss; a recorded fact
    // must survive it.
    {
        QSqlQuery q(d->db);
        if (!q.exec(QStringLiteral("PRAGMA synchronous = FULL")))
            return fail(sqlError(cannotSetUp, q.lastError()));
    }

    if (current < SchemaVersion) {
        const QString what =
            current == 0
                ? cannotSetUp
                : QStringLiteral("cannot upgrade the session database %1 from schema %2 to %3")
                      .arg(file)
                      .arg(current)
                      .arg(SchemaVersion);
        if (auto st = migrate(d->db, what); !st)
            return fail(st.error());
        if (current > 0)
            qCInfo(bwStore) << "upgraded" << file << "from schema" << current << "to"
                            << SchemaVersion;
    }
    // SQLite gives its -wal and -shm files the database's mode, but older ones may remain.
    for (const char *suffix : {"-wal", "-shm"}) {
        const QByteArray side = native + suffix;
        if (::access(side.constData(), F_OK) == 0)
            ::chmod(side.constData(), S_IRUSR | S_IWUSR);
    }
    return SessionStore(std::move(d));
}

Result<QString> SessionStore::pragma(const QString &name) const {
    const QString what = QStringLiteral("cannot read PRAGMA %1 of %2").arg(name, d->path);
    static const QRegularExpression plain(QStringLiteral("^[a-z_]+$"));
    if (!plain.match(name).hasMatch())
        return Error{what, 1, QStringLiteral("not a pragma name")};
    auto value = scalar(d->db, QStringLiteral("PRAGMA %1").arg(name), what);
    if (!value)
        return value.error();
    return value->toString();
}

int SessionStore::schemaVersion() const {
    auto v = scalar(d->db, QStringLiteral("PRAGMA user_version"), {});
    return v ? v->toInt() : 0;
}

// ---- sessions ----------------------------------------------------------------------------

Result<qint64> SessionStore::createSession(const SessionRow &session) {
    const QString what = QStringLiteral("cannot create a session in %1").arg(d->path);
    if (!statuses().contains(session.status))
        return Error{what, 1, QStringLiteral("unknown status '%1'").arg(session.status)};
    const qint64 created = session.createdMs ? session.createdMs : nowMs();
    const qint64 updated = session.updatedMs ? session.updatedMs : created;
    const QString hash =
        session.recipeHash.isEmpty() ? sha256Hex(session.recipeToml) : session.recipeHash;

    Transaction tx(d->db);
    if (auto st = tx.begin(what); !st)
        return st.error();
    qint64 id = 0;
    {
        QSqlQuery q(d->db);
        if (auto st = exec(q,
                           QStringLiteral("INSERT INTO sessions (repository, recipe_toml, "
                                          "recipe_hash, start_args, term_bad, term_good, status, "
                                          "message, worktree, culprit, created_ms, updated_ms) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                           {session.repository, session.recipeToml, hash,
                            argsJson(session.startArgs), session.terms.bad, session.terms.good,
                            session.status, session.message, session.worktree,
                            session.culprit ? QVariant(session.culprit->toString()) : QVariant(),
                            created, updated},
                           what);
            !st)
            return st.error();
        id = q.lastInsertId().toLongLong();
    }
    if (auto st = tx.commit(what); !st)
        return st.error();
    return id;
}

Result<SessionRow> SessionStore::session(qint64 id) const {
    const QString what = QStringLiteral("cannot read session %1 from %2").arg(id).arg(d->path);
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (auto st =
            exec(q, QStringLiteral("SELECT %1 FROM sessions WHERE id = ?").arg(kSessionColumns),
                 {id}, what);
        !st)
        return st.error();
    if (!q.next())
        return Error{what, 1, QStringLiteral("there is no such session")};
    return d->readSession(q);
}

Result<std::vector<SessionRow>> SessionStore::sessions() const {
    const QString what = QStringLiteral("cannot read the sessions in %1").arg(d->path);
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (auto st = exec(q,
                       QStringLiteral("SELECT %1 FROM sessions ORDER BY created_ms DESC, id DESC")
                           .arg(kSessionColumns),
                       {}, what);
        !st)
        return st.error();
    std::vector<SessionRow> rows;
    while (q.next()) {
        auto row = d->readSession(q);
        if (!row)
            return row.error();
        rows.push_back(std::move(row).value());
    }
    return rows;
}

Status SessionStore::updateStatus(qint64 session, const QString &status, const QString &message,
                                  std::optional<Oid> culprit) {
    const QString what = QStringLiteral("cannot update session %1 in %2").arg(session).arg(d->path);
    if (!statuses().contains(status))
        return Error{what, 1, QStringLiteral("unknown status '%1'").arg(status)};
    Transaction tx(d->db);
    if (auto st = tx.begin(what); !st)
        return st;
    {
        QSqlQuery q(d->db);
        const auto st = culprit
                            ? exec(q,
                                   QStringLiteral("UPDATE sessions SET status = ?, message = ?, "
                                                  "culprit = ?, updated_ms = ? WHERE id = ?"),
                                   {status, message, culprit->toString(), nowMs(), session}, what)
                            : exec(q,
                                   QStringLiteral("UPDATE sessions SET status = ?, message = ?, "
                                                  "updated_ms = ? WHERE id = ?"),
                                   {status, message, nowMs(), session}, what);
        if (!st)
            return st;
        if (q.numRowsAffected() != 1)
            return Error{what, 1, QStringLiteral("there is no such session")};
    }
    return tx.commit(what);
}

// ---- steps -------------------------------------------------------------------------------

Result<qint64> SessionStore::recordStep(qint64 session, const StepRecord &step,
                                        std::optional<MarkKind> mark,
                                        const std::vector<LogFileRow> &logs) {
    const QString what = QStringLiteral("cannot record step %1 (attempt %2) of session %3 in %4")
                             .arg(step.number)
                             .arg(step.attempt)
                             .arg(session)
                             .arg(d->path);
    Transaction tx(d->db);
    if (auto st = tx.begin(what); !st)
        return st.error();
    if (auto st = d->requireSession(session, what); !st)
        return st.error();

    qint64 stepId = 0;
    {
        QSqlQuery q(d->db);
        const Classification &c = step.classification;
        if (auto st = exec(
                q,
                QStringLiteral("INSERT INTO steps (session_id, number, attempt, purpose, "
                               "commit_hex, subject, verdict, reason, rule_line, "
                               "needs_good_check, started_ms, finished_ms, log_dir, mark) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                {session, step.number, step.attempt, purposeName(step.purpose),
                 step.commit.toString(), step.subject, verdictName(c.verdict), c.reason, c.ruleLine,
                 c.needsGoodCheck, step.startedMs, step.finishedMs, step.logDir, nullable(mark)},
                what);
            !st) {
            // The session exists and no column is left NULL: the only constraint left
            // is UNIQUE(session_id, number, attempt).
            if ((st.error().code & 0xff) == kSqliteConstraint)
                return Error{what, st.error().code,
                             QStringLiteral("that step is already recorded")};
            return st.error();
        }
        stepId = q.lastInsertId().toLongLong();

        if (!q.prepare(QStringLiteral(
                "INSERT INTO stage_results (step_id, ordinal, stage, outcome, exit_code, "
                "signal, duration_ms, timeout_ms, iteration, iterations, message, facts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")))
            return sqlError(what, q.lastError());
        for (std::size_t i = 0; i < step.stages.size(); ++i) {
            const StageResult &s = step.stages[i];
            if (auto st = execPrepared(
                    q,
                    {stepId, qint64(i), stageName(s.stage), outcomeName(s.outcome),
                     s.exitCode ? QVariant(*s.exitCode) : QVariant(), s.signal, s.durationMs,
                     s.timeoutMs, s.iteration, s.iterations, s.message, factsJson(s.facts)},
                    what);
                !st)
                return st.error();
        }

        if (!q.prepare(QStringLiteral(
                "INSERT INTO log_files (step_id, kind, path, size) VALUES (?, ?, ?, ?)")))
            return sqlError(what, q.lastError());
        for (const LogFileRow &log : logs) {
            if (auto st = execPrepared(q, {stepId, logName(log.kind), log.path, log.size}, what);
                !st)
                return st.error();
        }

        if (mark) {
            if (auto st = exec(q,
                               QStringLiteral("INSERT INTO marks (session_id, commit_hex, kind, "
                                              "provenance, step, reason, created_ms) "
                                              "VALUES (?, ?, ?, ?, ?, ?, ?)"),
                               {session, step.commit.toString(), markKindName(*mark),
                                provenanceName(Provenance::Step), step.number, c.reason,
                                step.finishedMs ? step.finishedMs : nowMs()},
                               what);
                !st)
                return st.error();
        }
    }
    if (auto st = tx.commit(what); !st)
        return st.error();
    return stepId;
}

Result<std::vector<StepRow>> SessionStore::steps(qint64 session) const {
    const QString what =
        QStringLiteral("cannot read the steps of session %1 from %2").arg(session).arg(d->path);
    // One snapshot for the three queries, so a concurrent writer cannot tear a step.
    Transaction tx(d->db);
    if (auto st = tx.begin(what, false); !st)
        return st.error();

    std::vector<StepRow> rows;
    QHash<qint64, std::size_t> index; // step id -> row
    {
        QSqlQuery q(d->db);
        q.setForwardOnly(true);
        if (auto st = exec(q,
                           QStringLiteral("SELECT id, number, attempt, purpose, commit_hex, "
                                          "subject, verdict, reason, rule_line, "
                                          "needs_good_check, started_ms, finished_ms, log_dir, "
                                          "mark FROM steps WHERE session_id = ? "
                                          "ORDER BY number, attempt"),
                           {session}, what);
            !st)
            return st.error();
        while (q.next()) {
            StepRow row;
            row.id = q.value(0).toLongLong();
            StepRecord &s = row.step;
            s.number = q.value(1).toInt();
            s.attempt = q.value(2).toInt();
            const auto purpose = purposeFromName(q.value(3).toString());
            const auto commit = Oid::fromHex(q.value(4).toString());
            const auto verdict = verdictFromName(q.value(6).toString());
            const QVariant markText = q.value(13);
            const auto mark =
                markText.isNull() ? std::nullopt : markKindFromName(markText.toString());
            if (!purpose || !commit || !verdict || (!markText.isNull() && !mark))
                return d->corrupt(QStringLiteral("step"), QStringLiteral("step id %1").arg(row.id));
            s.purpose = *purpose;
            s.commit = *commit;
            s.subject = q.value(5).toString();
            s.classification.verdict = *verdict;
            s.classification.reason = q.value(7).toString();
            s.classification.ruleLine = q.value(8).toInt();
            s.classification.needsGoodCheck = q.value(9).toBool();
            s.startedMs = q.value(10).toLongLong();
            s.finishedMs = q.value(11).toLongLong();
            s.logDir = q.value(12).toString();
            row.mark = mark;
            index.insert(row.id, rows.size());
            rows.push_back(std::move(row));
        }
    }
    {
        QSqlQuery q(d->db);
        q.setForwardOnly(true);
        if (auto st = exec(q,
                           QStringLiteral("SELECT r.step_id, r.stage, r.outcome, r.exit_code, "
                                          "r.signal, r.duration_ms, r.timeout_ms, r.iteration, "
                                          "r.iterations, r.message, r.facts "
                                          "FROM stage_results r JOIN steps s ON s.id = r.step_id "
                                          "WHERE s.session_id = ? ORDER BY r.step_id, r.ordinal"),
                           {session}, what);
            !st)
            return st.error();
        while (q.next()) {
            const qint64 stepId = q.value(0).toLongLong();
            const auto stage = stageFromName(q.value(1).toString());
            const auto outcome = outcomeFromName(q.value(2).toString());
            auto facts = factsFromJson(q.value(10).toString());
            if (!index.contains(stepId) || !stage || !outcome || !facts)
                return d->corrupt(QStringLiteral("stage result"),
                                  QStringLiteral("of step id %1").arg(stepId));
            StageResult r;
            r.stage = *stage;
            r.outcome = *outcome;
            if (!q.value(3).isNull())
                r.exitCode = q.value(3).toInt();
            r.signal = q.value(4).toInt();
            r.durationMs = q.value(5).toLongLong();
            r.timeoutMs = q.value(6).toLongLong();
            r.iteration = q.value(7).toInt();
            r.iterations = q.value(8).toInt();
            r.message = q.value(9).toString();
            r.facts = std::move(*facts);
            rows[index.value(stepId)].step.stages.push_back(std::move(r));
        }
    }
    {
        QSqlQuery q(d->db);
        q.setForwardOnly(true);
        if (auto st = exec(q,
                           QStringLiteral("SELECT l.step_id, l.kind, l.path, l.size "
                                          "FROM log_files l JOIN steps s ON s.id = l.step_id "
                                          "WHERE s.session_id = ? ORDER BY l.id"),
                           {session}, what);
            !st)
            return st.error();
        while (q.next()) {
            const qint64 stepId = q.value(0).toLongLong();
            const auto kind = logFromName(q.value(1).toString());
            if (!index.contains(stepId) || !kind)
                return d->corrupt(QStringLiteral("log file"),
                                  QStringLiteral("of step id %1").arg(stepId));
            rows[index.value(stepId)].logs.push_back(
                {*kind, q.value(2).toString(), q.value(3).toLongLong()});
        }
    }
    if (auto st = tx.commit(what); !st)
        return st.error();
    return rows;
}

// ---- marks and overrides -----------------------------------------------------------------

Status SessionStore::recordMark(qint64 session, const Mark &mark) {
    const QString what = QStringLiteral("cannot record the mark of %1 in session %2 of %3")
                             .arg(mark.commit.toString())
                             .arg(session)
                             .arg(d->path);
    Transaction tx(d->db);
    if (auto st = tx.begin(what); !st)
        return st;
    if (auto st = d->requireSession(session, what); !st)
        return st;
    {
        QSqlQuery q(d->db);
        if (auto st = exec(q,
                           QStringLiteral("INSERT INTO marks (session_id, commit_hex, kind, "
                                          "provenance, step, reason, created_ms) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?)"),
                           {session, mark.commit.toString(), markKindName(mark.kind),
                            provenanceName(mark.provenance), mark.step, mark.reason, nowMs()},
                           what);
            !st)
            return st;
    }
    return tx.commit(what);
}

Result<std::vector<Mark>> SessionStore::marks(qint64 session) const {
    const QString what =
        QStringLiteral("cannot read the marks of session %1 from %2").arg(session).arg(d->path);
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (auto st = exec(q,
                       QStringLiteral("SELECT id, commit_hex, kind, provenance, step, reason "
                                      "FROM marks WHERE session_id = ? ORDER BY id"),
                       {session}, what);
        !st)
        return st.error();
    std::vector<Mark> marks;
    while (q.next()) {
        const auto commit = Oid::fromHex(q.value(1).toString());
        const auto kind = markKindFromName(q.value(2).toString());
        const auto provenance = provenanceFromName(q.value(3).toString());
        if (!commit || !kind || !provenance)
            return d->corrupt(QStringLiteral("mark"),
                              QStringLiteral("mark id %1").arg(q.value(0).toLongLong()));
        marks.push_back({*commit, *kind, *provenance, q.value(4).toInt(), q.value(5).toString()});
    }
    return marks;
}

Result<qint64> SessionStore::recordOverride(qint64 session, const OverrideRow &row) {
    const QString what = QStringLiteral("cannot record the override of %1 in session %2 of %3")
                             .arg(row.commit.toString())
                             .arg(session)
                             .arg(d->path);
    Transaction tx(d->db);
    if (auto st = tx.begin(what); !st)
        return st.error();
    if (auto st = d->requireSession(session, what); !st)
        return st.error();
    qint64 id = 0;
    {
        QSqlQuery q(d->db);
        if (auto st =
                exec(q,
                     QStringLiteral("INSERT INTO overrides (session_id, commit_hex, "
                                    "before_kind, after_kind, reason, created_ms) "
                                    "VALUES (?, ?, ?, ?, ?, ?)"),
                     {session, row.commit.toString(), nullable(row.before), nullable(row.after),
                      row.reason, row.createdMs ? row.createdMs : nowMs()},
                     what);
            !st)
            return st.error();
        id = q.lastInsertId().toLongLong();
    }
    if (auto st = tx.commit(what); !st)
        return st.error();
    return id;
}

Result<std::vector<OverrideRow>> SessionStore::overrides(qint64 session) const {
    const QString what =
        QStringLiteral("cannot read the overrides of session %1 from %2").arg(session).arg(d->path);
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (auto st = exec(q,
                       QStringLiteral("SELECT id, commit_hex, before_kind, after_kind, reason, "
                                      "created_ms FROM overrides WHERE session_id = ? "
                                      "ORDER BY id"),
                       {session}, what);
        !st)
        return st.error();
    std::vector<OverrideRow> rows;
    while (q.next()) {
        OverrideRow row;
        row.id = q.value(0).toLongLong();
        const auto commit = Oid::fromHex(q.value(1).toString());
        bool ok = commit.has_value();
        for (auto [col, target] : {std::pair{2, &row.before}, std::pair{3, &row.after}}) {
            if (q.value(col).isNull())
                continue;
            *target = markKindFromName(q.value(col).toString());
            ok = ok && target->has_value();
        }
        if (!ok)
            return d->corrupt(QStringLiteral("override"),
                              QStringLiteral("override id %1").arg(row.id));
        row.commit = *commit;
        row.reason = q.value(4).toString();
        row.createdMs = q.value(5).toLongLong();
        rows.push_back(std::move(row));
    }
    return rows;
}

} // namespace bw::store
