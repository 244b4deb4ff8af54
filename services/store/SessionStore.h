#pragma once

#include "models/BisectTypes.h"
#include "models/Result.h"
#include "models/StepRecord.h"

#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace bw::store {

// One bisect session as the store keeps it.
struct SessionRow {
    qint64 id = 0;
    QString repository; // the user's work tree
    QString recipeToml; // the recipe as the session runs it
    QString recipeHash; // sha256 of recipeToml, hex
    QStringList startArgs;
    Terms terms;
    QString status = QStringLiteral("running"); // running | paused | finished | failed | stopped
    QString message;
    QString worktree;
    std::optional<Oid> culprit;
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
};

// A verdict changed by hand after the fact.
struct OverrideRow {
    qint64 id = 0;
    Oid commit;
    std::optional<MarkKind> before; // empty: the commit had no mark
    std::optional<MarkKind> after;  // empty: the mark was cleared
    QString reason;
    qint64 createdMs = 0;
};

// A step's log file as it was when the step ended.
struct LogFileRow {
    LogKind kind = LogKind::Build;
    QString path;
    qint64 size = 0;
};

// A step as stored: the record, the mark it led to (if any) and its log files.
struct StepRow {
    qint64 id = 0;
    StepRecord step;
    std::optional<MarkKind> mark;
    std::vector<LogFileRow> logs;
};

// Sessions, marks (with provenance), steps, stage results, overrides and log file
// references in one SQLite file through QtSql: WAL journal, foreign keys on, a schema
// version with migrations from every older version. Every record*() call is one
// transaction, committed (and so durable) before it returns: callers show a fact only
// after it is stored. One SessionStore per thread (it owns its connection).
class SessionStore {
public:
    // Opens (creating and migrating as needed) the database at `path`, with owner-only
    // permissions. An Error when the file is not a session database, is newer than this
    // build understands, or cannot be written.
    [[nodiscard]] static Result<SessionStore> open(const QString &path);
    static constexpr int SchemaVersion = 2;

    SessionStore(SessionStore &&) noexcept;
    SessionStore &operator=(SessionStore &&) noexcept;
    ~SessionStore();

    [[nodiscard]] int schemaVersion() const;

    // `status` must be one of SessionRow's; an empty recipeHash is computed, a zero
    // createdMs is now and a zero updatedMs is createdMs. Returns the new session's id.
    [[nodiscard]] Result<qint64> createSession(const SessionRow &session);
    [[nodiscard]] Result<SessionRow> session(qint64 id) const;
    [[nodiscard]] Result<std::vector<SessionRow>> sessions() const; // newest first
    // Sets status, message and updatedMs (now); the culprit only when one is given (an
    // empty one leaves a recorded culprit as it is).
    [[nodiscard]] Status updateStatus(qint64 session, const QString &status, const QString &message,
                                      std::optional<Oid> culprit = std::nullopt);

    // A finished step, its stage results, its log files and the mark it led to, in one
    // transaction. Recording the same (session, number, attempt) twice is refused. A mark
    // also becomes a marks row (Provenance::Step, the step's number, the classification's
    // reason). Returns the step's id.
    [[nodiscard]] Result<qint64> recordStep(qint64 session, const StepRecord &step,
                                            std::optional<MarkKind> mark,
                                            const std::vector<LogFileRow> &logs = {});
    [[nodiscard]] Result<std::vector<StepRow>> steps(qint64 session) const; // by number, attempt

    // Marks as the session made them, with provenance (steps record theirs through
    // recordStep; manual marks, imports and overrides come here).
    [[nodiscard]] Status recordMark(qint64 session, const Mark &mark);
    [[nodiscard]] Result<std::vector<Mark>> marks(qint64 session) const; // in recorded order

    // Only the override itself (a zero createdMs is now): its new mark goes to recordMark.
    [[nodiscard]] Result<qint64> recordOverride(qint64 session, const OverrideRow &row);
    [[nodiscard]] Result<std::vector<OverrideRow>> overrides(qint64 session) const;

    [[nodiscard]] QString path() const;
    // `PRAGMA name` as this store's connection sees it (foreign_keys, journal_mode,
    // synchronous, busy_timeout, …): for diagnostics and tests.
    [[nodiscard]] Result<QString> pragma(const QString &name) const;

private:
    struct Private;
    explicit SessionStore(std::unique_ptr<Private> d);
    std::unique_ptr<Private> d;
};

} // namespace bw::store
