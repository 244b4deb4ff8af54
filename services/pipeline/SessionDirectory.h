#pragma once

#include "models/BisectTypes.h"
#include "models/Result.h"
#include "models/StepRecord.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace bw::store {
class SessionStore;
}

namespace bw::pipeline {

// What a session is about, kept in session.json.
struct SessionInfo {
    QString repository;    // the user's work tree
    QString recipeFile;    // the session's own copy of the recipe
    QStringList startArgs; // what `git bisect start` was given
    QString status;        // running | paused | finished | failed | stopped
    QString message;       // why it ended or paused
    QString worktree;      // where the steps check commits out
    qint64 createdMs = 0;
};

// One line of the step journal: a finished step and the mark it led to.
struct JournalEntry {
    StepRecord step;
    std::optional<MarkKind> mark; // the verdict recorded into git's bisect state
};

// The files of one session:
//   session.sqlite      the SessionStore: what the session is about, how it stands, and
//                       every finished step with its verdict, committed (synchronous,
//                       WAL) before the verdict goes into git's state — so a crash never
//                       loses a verdict and never records one twice: resume re-applies
//                       what git is missing
//   recipe.toml         the recipe as the session runs it
//   bisect.log          a copy of git's BISECT_LOG when the session starts, resumes,
//                       pauses or ends (for reports after a `git bisect reset`)
//   steps/NNNN/*.log    each step's logs, streamed
//   worktree/           the session's git worktree
// Everything is created owner-only (0700 / 0600). Used on one thread.
class SessionDirectory {
public:
    [[nodiscard]] static Result<SessionDirectory> open(const QString &directory);
    SessionDirectory(SessionDirectory &&) noexcept;
    SessionDirectory &operator=(SessionDirectory &&) noexcept;
    ~SessionDirectory();
    // True when `directory` holds a session (without opening or creating anything).
    [[nodiscard]] static bool holdsSession(const QString &directory);

    [[nodiscard]] QString path() const { return m_dir; }
    [[nodiscard]] bool hasSession() const;
    [[nodiscard]] Result<SessionInfo> readInfo() const;
    [[nodiscard]] Status writeInfo(const SessionInfo &info);
    [[nodiscard]] Status appendStep(const StepRecord &step, std::optional<MarkKind> mark) const;
    [[nodiscard]] Result<std::vector<JournalEntry>> readJournal() const;
    [[nodiscard]] QString stepLogDir(int number, int attempt) const;
    [[nodiscard]] QString recipePath() const { return m_dir + QStringLiteral("/recipe.toml"); }
    [[nodiscard]] QString worktreePath() const { return m_dir + QStringLiteral("/worktree"); }
    [[nodiscard]] Status writeRecipe(const QString &toml) const;
    [[nodiscard]] Status writeBisectLog(const QString &log) const;
    [[nodiscard]] QString bisectLogPath() const { return m_dir + QStringLiteral("/bisect.log"); }
    [[nodiscard]] Status setCulprit(const Oid &culprit) const;
    [[nodiscard]] store::SessionStore &store() const { return *m_store; }
    [[nodiscard]] qint64 sessionId() const { return m_id; }

    [[nodiscard]] static QJsonObject toJson(const StepRecord &step);
    [[nodiscard]] static std::optional<StepRecord> stepFromJson(const QJsonObject &o);

private:
    SessionDirectory(QString dir, std::unique_ptr<store::SessionStore> store, qint64 id);
    QString m_dir;
    std::unique_ptr<store::SessionStore> m_store;
    qint64 m_id = 0; // 0 until writeInfo() created the session
};

} // namespace bw::pipeline
