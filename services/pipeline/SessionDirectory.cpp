#include "services/pipeline/SessionDirectory.h"

#include "services/pipeline/StepLogs.h"
#include "services/store/SessionStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace bw::pipeline {

namespace {

constexpr auto OwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

Status writeAtomically(const QString &path, const QByteArray &bytes) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("cannot write %1").arg(path), 1, f.errorString()};
    f.setPermissions(OwnerOnly);
    if (f.write(bytes) != bytes.size() || !f.commit())
        return Error{QStringLiteral("cannot write %1").arg(path), 1, f.errorString()};
    return okStatus();
}

std::optional<StageOutcome> outcomeFromName(const QString &s) {
    for (StageOutcome o : {StageOutcome::Passed, StageOutcome::Failed, StageOutcome::Timeout,
                           StageOutcome::Error, StageOutcome::Cancelled})
        if (outcomeName(o) == s)
            return o;
    return std::nullopt;
}

} // namespace

SessionDirectory::SessionDirectory(QString dir, std::unique_ptr<store::SessionStore> store,
                                   qint64 id)
    : m_dir(std::move(dir))
    , m_store(std::move(store))
    , m_id(id) {}
SessionDirectory::SessionDirectory(SessionDirectory &&) noexcept = default;
SessionDirectory &SessionDirectory::operator=(SessionDirectory &&) noexcept = default;
SessionDirectory::~SessionDirectory() = default;

bool SessionDirectory::holdsSession(const QString &directory) {
    return QFile::exists(directory + QStringLiteral("/session.sqlite"));
}

Result<SessionDirectory> SessionDirectory::open(const QString &directory) {
    const QString dir = QDir(directory).absolutePath();
    if (!makePrivateDirectory(dir))
        return Error{QStringLiteral("cannot create the session directory %1").arg(dir)};
    QFile::setPermissions(dir, OwnerOnly | QFileDevice::ExeOwner);
    QFileInfo info(dir);
    if (!info.isWritable())
        return Error{QStringLiteral("the session directory %1 is not writable").arg(dir)};
    auto opened = store::SessionStore::open(dir + QStringLiteral("/session.sqlite"));
    if (!opened)
        return opened.error();
    auto st = std::make_unique<store::SessionStore>(std::move(opened).value());
    auto sessions = st->sessions();
    if (!sessions)
        return sessions.error();
    const qint64 id = sessions->empty() ? 0 : sessions->back().id; // the directory's first
    return SessionDirectory(dir, std::move(st), id);
}

bool SessionDirectory::hasSession() const {
    return m_id != 0;
}

Result<SessionInfo> SessionDirectory::readInfo() const {
    if (!m_id)
        return Error{QStringLiteral("%1 holds no session yet").arg(m_dir)};
    auto row = m_store->session(m_id);
    if (!row)
        return row.error();
    SessionInfo info;
    info.repository = row->repository;
    info.recipeFile = recipePath();
    info.startArgs = row->startArgs;
    info.status = row->status;
    info.message = row->message;
    info.worktree = row->worktree;
    info.createdMs = row->createdMs;
    return info;
}

Status SessionDirectory::writeInfo(const SessionInfo &info) {
    if (m_id)
        return m_store->updateStatus(m_id, info.status, info.message);
    store::SessionRow row;
    row.repository = info.repository;
    QFile recipe(recipePath());
    if (recipe.open(QIODevice::ReadOnly))
        row.recipeToml = QString::fromUtf8(recipe.readAll());
    row.recipeHash = QString::fromLatin1(
        QCryptographicHash::hash(row.recipeToml.toUtf8(), QCryptographicHash::Sha256).toHex());
    row.startArgs = info.startArgs;
    row.status = info.status;
    row.message = info.message;
    row.worktree = info.worktree;
    row.createdMs = info.createdMs;
    row.updatedMs = info.createdMs;
    auto id = m_store->createSession(row);
    if (!id)
        return id.error();
    m_id = *id;
    return okStatus();
}

Status SessionDirectory::setCulprit(const Oid &culprit) const {
    auto row = m_store->session(m_id);
    if (!row)
        return row.error();
    return m_store->updateStatus(m_id, row->status, row->message, culprit);
}

Status SessionDirectory::writeBisectLog(const QString &log) const {
    return writeAtomically(bisectLogPath(), log.toUtf8());
}

Status SessionDirectory::writeRecipe(const QString &toml) const {
    return writeAtomically(recipePath(), toml.toUtf8());
}

QString SessionDirectory::stepLogDir(int number, int attempt) const {
    QString name = QStringLiteral("%1").arg(number, 4, 10, QLatin1Char('0'));
    if (attempt > 1)
        name += QStringLiteral("-%1").arg(attempt);
    return m_dir + QStringLiteral("/steps/") + name;
}

QJsonObject SessionDirectory::toJson(const StepRecord &s) {
    QJsonObject o;
    o.insert(u"number", s.number);
    o.insert(u"purpose", purposeName(s.purpose));
    o.insert(u"attempt", s.attempt);
    o.insert(u"commit", s.commit.toString());
    o.insert(u"subject", s.subject);
    o.insert(u"verdict", verdictName(s.classification.verdict));
    o.insert(u"reason", s.classification.reason);
    o.insert(u"rule_line", s.classification.ruleLine);
    o.insert(u"started_ms", static_cast<double>(s.startedMs));
    o.insert(u"finished_ms", static_cast<double>(s.finishedMs));
    o.insert(u"log_dir", s.logDir);
    QJsonArray stages;
    for (const StageResult &r : s.stages) {
        QJsonObject so;
        so.insert(u"stage", stageName(r.stage));
        so.insert(u"outcome", outcomeName(r.outcome));
        if (r.exitCode)
            so.insert(u"exit", *r.exitCode);
        if (r.signal)
            so.insert(u"signal", r.signal);
        so.insert(u"duration_ms", static_cast<double>(r.durationMs));
        so.insert(u"timeout_ms", static_cast<double>(r.timeoutMs));
        so.insert(u"iteration", r.iteration);
        so.insert(u"iterations", r.iterations);
        so.insert(u"message", r.message);
        QJsonObject facts;
        for (auto it = r.facts.begin(); it != r.facts.end(); ++it)
            facts.insert(it.key(), it.value());
        so.insert(u"facts", facts);
        stages.append(so);
    }
    o.insert(u"stages", stages);
    return o;
}

std::optional<StepRecord> SessionDirectory::stepFromJson(const QJsonObject &o) {
    StepRecord s;
    s.number = o.value(u"number").toInt();
    const auto purpose = purposeFromName(o.value(u"purpose").toString());
    const auto commit = Oid::fromHex(o.value(u"commit").toString());
    const auto verdict = verdictFromName(o.value(u"verdict").toString());
    if (s.number <= 0 || !purpose || !commit || !verdict)
        return std::nullopt;
    s.purpose = *purpose;
    s.attempt = o.value(u"attempt").toInt(1);
    s.commit = *commit;
    s.subject = o.value(u"subject").toString();
    s.classification.verdict = *verdict;
    s.classification.reason = o.value(u"reason").toString();
    s.classification.ruleLine = o.value(u"rule_line").toInt();
    s.startedMs = static_cast<qint64>(o.value(u"started_ms").toDouble());
    s.finishedMs = static_cast<qint64>(o.value(u"finished_ms").toDouble());
    s.logDir = o.value(u"log_dir").toString();
    for (const QJsonValue &v : o.value(u"stages").toArray()) {
        const QJsonObject so = v.toObject();
        StageResult r;
        const auto stage = stageFromName(so.value(u"stage").toString());
        const auto outcome = outcomeFromName(so.value(u"outcome").toString());
        if (!stage || !outcome)
            return std::nullopt;
        r.stage = *stage;
        r.outcome = *outcome;
        if (so.contains(u"exit"))
            r.exitCode = so.value(u"exit").toInt();
        r.signal = so.value(u"signal").toInt();
        r.durationMs = static_cast<qint64>(so.value(u"duration_ms").toDouble());
        r.timeoutMs = static_cast<qint64>(so.value(u"timeout_ms").toDouble());
        r.iteration = so.value(u"iteration").toInt();
        r.iterations = so.value(u"iterations").toInt();
        r.message = so.value(u"message").toString();
        const QJsonObject facts = so.value(u"facts").toObject();
        for (auto it = facts.begin(); it != facts.end(); ++it)
            r.facts.insert(it.key(), it.value().toString());
        s.stages.push_back(r);
    }
    return s;
}

Status SessionDirectory::appendStep(const StepRecord &step, std::optional<MarkKind> mark) const {
    std::vector<store::LogFileRow> logs;
    for (LogKind kind : {LogKind::Build, LogKind::Console, LogKind::Test, LogKind::Pipeline}) {
        const QFileInfo f(step.logDir + u'/' + logName(kind) + QStringLiteral(".log"));
        if (!step.logDir.isEmpty() && f.exists())
            logs.push_back({kind, f.absoluteFilePath(), f.size()});
    }
    auto id = m_store->recordStep(m_id, step, mark, logs);
    if (!id)
        return id.error();
    return okStatus();
}

Result<std::vector<JournalEntry>> SessionDirectory::readJournal() const {
    std::vector<JournalEntry> entries;
    if (!m_id)
        return entries;
    auto rows = m_store->steps(m_id);
    if (!rows)
        return rows.error();
    for (const store::StepRow &r : *rows)
        entries.push_back({r.step, r.mark});
    return entries;
}

} // namespace bw::pipeline
