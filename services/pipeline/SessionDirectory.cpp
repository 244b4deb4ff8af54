#include "services/pipeline/SessionDirectory.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <unistd.h>

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

QString purposeName(StepPurpose p) {
    switch (p) {
    case StepPurpose::Bisect:
        return QStringLiteral("bisect");
    case StepPurpose::Endpoint:
        return QStringLiteral("endpoint");
    case StepPurpose::Confirm:
        return QStringLiteral("confirm");
    case StepPurpose::GoodCheck:
        return QStringLiteral("good-check");
    }
    return {};
}

std::optional<StepPurpose> purposeFromName(const QString &s) {
    for (StepPurpose p :
         {StepPurpose::Bisect, StepPurpose::Endpoint, StepPurpose::Confirm, StepPurpose::GoodCheck})
        if (purposeName(p) == s)
            return p;
    return std::nullopt;
}

std::optional<StageOutcome> outcomeFromName(const QString &s) {
    for (StageOutcome o : {StageOutcome::Passed, StageOutcome::Failed, StageOutcome::Timeout,
                           StageOutcome::Error, StageOutcome::Cancelled})
        if (outcomeName(o) == s)
            return o;
    return std::nullopt;
}

QString markName(MarkKind k) {
    return k == MarkKind::Good  ? QStringLiteral("good")
           : k == MarkKind::Bad ? QStringLiteral("bad")
                                : QStringLiteral("skip");
}

} // namespace

Result<SessionDirectory> SessionDirectory::open(const QString &directory) {
    const QString dir = QDir(directory).absolutePath();
    if (!QDir().mkpath(dir))
        return Error{QStringLiteral("cannot create the session directory %1").arg(dir)};
    QFile::setPermissions(dir, OwnerOnly | QFileDevice::ExeOwner);
    QFileInfo info(dir);
    if (!info.isWritable())
        return Error{QStringLiteral("the session directory %1 is not writable").arg(dir)};
    return SessionDirectory(dir);
}

bool SessionDirectory::hasSession() const {
    return QFile::exists(m_dir + QStringLiteral("/session.json"));
}

Result<SessionInfo> SessionDirectory::readInfo() const {
    QFile f(m_dir + QStringLiteral("/session.json"));
    if (!f.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("cannot read %1").arg(f.fileName()), 1, f.errorString()};
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (!doc.isObject())
        return Error{QStringLiteral("%1 is not a session file").arg(f.fileName()), 1,
                     pe.errorString()};
    const QJsonObject o = doc.object();
    SessionInfo info;
    info.repository = o.value(u"repository").toString();
    info.recipeFile = o.value(u"recipe").toString();
    for (const QJsonValue &v : o.value(u"start_args").toArray())
        info.startArgs << v.toString();
    info.status = o.value(u"status").toString();
    info.message = o.value(u"message").toString();
    info.worktree = o.value(u"worktree").toString();
    info.createdMs = static_cast<qint64>(o.value(u"created_ms").toDouble());
    if (info.repository.isEmpty() || info.status.isEmpty())
        return Error{QStringLiteral("%1 lacks the repository or the status").arg(f.fileName())};
    return info;
}

Status SessionDirectory::writeInfo(const SessionInfo &info) const {
    QJsonObject o;
    o.insert(u"format", 1);
    o.insert(u"repository", info.repository);
    o.insert(u"recipe", info.recipeFile);
    o.insert(u"start_args", QJsonArray::fromStringList(info.startArgs));
    o.insert(u"status", info.status);
    o.insert(u"message", info.message);
    o.insert(u"worktree", info.worktree);
    o.insert(u"created_ms", static_cast<double>(info.createdMs));
    return writeAtomically(m_dir + QStringLiteral("/session.json"),
                           QJsonDocument(o).toJson(QJsonDocument::Indented));
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
    QJsonObject o = toJson(step);
    o.insert(u"mark", mark ? QJsonValue(markName(*mark)) : QJsonValue());
    QByteArray line = QJsonDocument(o).toJson(QJsonDocument::Compact);
    line += '\n';
    QFile f(m_dir + QStringLiteral("/journal.jsonl"));
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
        return Error{QStringLiteral("cannot write the step journal %1").arg(f.fileName()), 1,
                     f.errorString()};
    f.setPermissions(OwnerOnly);
    if (f.write(line) != line.size() || !f.flush() || ::fsync(f.handle()) != 0)
        return Error{QStringLiteral("cannot write the step journal %1").arg(f.fileName()), 1,
                     f.errorString()};
    return okStatus();
}

Result<std::vector<JournalEntry>> SessionDirectory::readJournal() const {
    std::vector<JournalEntry> entries;
    QFile f(m_dir + QStringLiteral("/journal.jsonl"));
    if (!f.exists())
        return entries;
    if (!f.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("cannot read %1").arg(f.fileName()), 1, f.errorString()};
    int lineNo = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine();
        ++lineNo;
        if (!line.endsWith('\n'))
            break; // a line cut short by a crash: that step was never recorded
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        auto step = doc.isObject() ? stepFromJson(doc.object()) : std::nullopt;
        if (!step)
            return Error{
                QStringLiteral("%1, line %2: not a step record").arg(f.fileName()).arg(lineNo)};
        JournalEntry e{*step, std::nullopt};
        const QString mark = doc.object().value(u"mark").toString();
        if (mark == u"good")
            e.mark = MarkKind::Good;
        else if (mark == u"bad")
            e.mark = MarkKind::Bad;
        else if (mark == u"skip")
            e.mark = MarkKind::Skip;
        entries.push_back(std::move(e));
    }
    return entries;
}

} // namespace bw::pipeline
