#pragma once

#include "models/BisectTypes.h"
#include "models/Result.h"
#include "models/StepRecord.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

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

// The files of a headless session (the SQLite store replaces the journal in the GUI):
//   session.json        what the session is about and how it stands (atomic rewrites)
//   recipe.toml         the recipe as the session runs it
//   journal.jsonl       one line per finished step, appended and fsync'ed before the
//                       verdict goes into git's state (so a crash never loses a verdict
//                       and never records one twice: resume re-applies what is missing)
//   steps/NNNN/*.log    each step's logs, streamed
//   worktree/           the session's git worktree
// Everything is created owner-only (0700 / 0600).
class SessionDirectory {
public:
    [[nodiscard]] static Result<SessionDirectory> open(const QString &directory);

    [[nodiscard]] QString path() const { return m_dir; }
    [[nodiscard]] bool hasSession() const;
    [[nodiscard]] Result<SessionInfo> readInfo() const;
    [[nodiscard]] Status writeInfo(const SessionInfo &info) const;
    [[nodiscard]] Status appendStep(const StepRecord &step, std::optional<MarkKind> mark) const;
    [[nodiscard]] Result<std::vector<JournalEntry>> readJournal() const;
    [[nodiscard]] QString stepLogDir(int number, int attempt) const;
    [[nodiscard]] QString recipePath() const { return m_dir + QStringLiteral("/recipe.toml"); }
    [[nodiscard]] QString worktreePath() const { return m_dir + QStringLiteral("/worktree"); }
    [[nodiscard]] Status writeRecipe(const QString &toml) const;

    [[nodiscard]] static QJsonObject toJson(const StepRecord &step);
    [[nodiscard]] static std::optional<StepRecord> stepFromJson(const QJsonObject &o);

private:
    explicit SessionDirectory(QString dir)
        : m_dir(std::move(dir)) {}
    QString m_dir;
};

} // namespace bw::pipeline
