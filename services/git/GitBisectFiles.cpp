#include "services/git/GitBisectFiles.h"

#include "models/BisectLog.h"
#include "services/ServicesLogging.h"
#include "services/git/Repository.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>
#include <utility>

namespace bw::git {

namespace {

const QString StartFile = QStringLiteral("BISECT_START");
const QString TermsFile = QStringLiteral("BISECT_TERMS");
const QString NamesFile = QStringLiteral("BISECT_NAMES");
const QString LogFile = QStringLiteral("BISECT_LOG");
const QString FirstParentFile = QStringLiteral("BISECT_FIRST_PARENT");
const QString ExpectedRevFile = QStringLiteral("BISECT_EXPECTED_REV");
const QString AncestorsOkFile = QStringLiteral("BISECT_ANCESTORS_OK");
const QString HeadFile = QStringLiteral("BISECT_HEAD");
const QString RunFile = QStringLiteral("BISECT_RUN");
const QString HeadNameFile = QStringLiteral("head-name");
const QString RefPrefix = QStringLiteral("refs/bisect/");

// The file contents, or nothing when the file does not exist.
Result<std::optional<QByteArray>> readFile(const QString &path) {
    QFile f(path);
    if (!f.exists())
        return std::optional<QByteArray>();
    if (!f.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("cannot read %1").arg(path), 1, f.errorString()};
    return std::optional<QByteArray>(f.readAll());
}

// Replaces a file atomically. git creates its files 0666 & ~umask; the marker file
// BISECT_ANCESTORS_OK is the exception (0600).
Status writeFile(const QString &path, const QByteArray &data, bool ownerOnly = false) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Error{QStringLiteral("cannot write %1").arg(path), 1, f.errorString()};
    if (ownerOnly)
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (f.write(data) != data.size()) {
        const QString why = f.errorString();
        f.cancelWriting();
        return Error{QStringLiteral("cannot write %1").arg(path), 1, why};
    }
    if (!f.commit())
        return Error{QStringLiteral("cannot write %1").arg(path), 1, f.errorString()};
    return okStatus();
}

Status removeFile(const QString &path) {
    QFile f(path);
    if (!QFileInfo::exists(path) && !QFileInfo(path).isSymLink())
        return okStatus();
    if (!f.remove())
        return Error{QStringLiteral("cannot delete %1").arg(path), 1, f.errorString()};
    return okStatus();
}

// A pseudo-ref file git wrote: "<sha>\n".
Result<std::optional<Oid>> readOidFile(const QString &path) {
    auto content = readFile(path);
    if (!content)
        return content.error();
    if (!*content)
        return std::optional<Oid>();
    const QByteArray hex = content->value().trimmed();
    auto oid = Oid::fromHex(std::string_view(hex.constData(), hex.size()));
    if (!oid)
        return Error{QStringLiteral("%1 is corrupt: it does not hold an object id").arg(path)};
    return std::optional<Oid>(*oid);
}

bool isNonEmptyFile(const QString &path) {
    const QFileInfo fi(path);
    return fi.isFile() && fi.size() > 0;
}

// git's strbuf_trim: only git's isspace characters (space, \t, \n, \r), so that what
// start() writes and read() reads back is the same name, as it is for git.
QString gitTrimmed(const QString &text) {
    const auto isGitSpace = [](QChar c) {
        return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r';
    };
    qsizetype begin = 0, end = text.size();
    while (begin < end && isGitSpace(text[begin]))
        ++begin;
    while (end > begin && isGitSpace(text[end - 1]))
        --end;
    return text.sliced(begin, end - begin);
}

QString ensureNewline(const QString &text) {
    return text.isEmpty() || text.endsWith(u'\n') ? text : text + u'\n';
}

struct BisectRef {
    QString name;
    Oid oid;
    QString loosePath; // empty for a packed ref
};

bool isLinkedWorktree(const Repository &repo) {
    return QDir(repo.gitDir()) != QDir(repo.commonDir());
}

// refs/bisect/* of this work tree. git keeps them per worktree: loose files under the
// work tree's own git dir, plus packed-refs in the main work tree (git 2.39 never packs
// them, older versions and other tools do). They are read by hand because libgit2 1.5
// neither lists a linked worktree's own refs nor reports a corrupt loose ref.
Result<std::vector<BisectRef>> bisectRefs(const Repository &repo, const QString &stateDir) {
    std::vector<BisectRef> refs;
    const QString root = stateDir + RefPrefix;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString name = RefPrefix + QDir(root).relativeFilePath(path);
        if (name.endsWith(u".lock"))
            continue;
        auto content = readFile(path);
        if (!content)
            return content.error();
        const QByteArray value = content->value_or(QByteArray()).trimmed();
        std::optional<Oid> oid = Oid::fromHex(std::string_view(value.constData(), value.size()));
        if (!oid && value.startsWith("ref: ")) {
            if (auto target = repo.resolveCommit(name))
                oid = *target;
        }
        if (!oid)
            return Error{QStringLiteral("reference %1 is broken").arg(name), 1,
                         QStringLiteral("%1 does not hold an object id").arg(path)};
        refs.push_back({name, *oid, path});
    }
    if (!isLinkedWorktree(repo)) {
        auto all = repo.references(RefPrefix + u'*');
        if (!all)
            return all.error();
        for (const auto &packed : *all) {
            // Not a structured binding: clang 14 cannot capture one in a lambda.
            const QString &name = packed.first;
            const bool loose = std::any_of(refs.begin(), refs.end(),
                                           [&](const BisectRef &r) { return r.name == name; });
            if (!loose)
                refs.push_back({name, packed.second, QString()});
        }
    }
    std::sort(refs.begin(), refs.end(),
              [](const BisectRef &a, const BisectRef &b) { return a.name < b.name; });
    return refs;
}

} // namespace

GitBisectFiles::GitBisectFiles(Repository &repo)
    : m_repo(repo) {}

QString GitBisectFiles::stateDir() const {
    QString dir = m_repo.gitDir();
    if (!dir.endsWith(u'/'))
        dir += u'/';
    return dir;
}

Result<BisectFilesState> GitBisectFiles::read() const {
    const QString dir = stateDir();
    if (!QFileInfo(dir).isDir())
        return Error{QStringLiteral("the git directory %1 does not exist").arg(dir)};

    BisectFilesState s;
    auto start = readFile(dir + StartFile);
    if (!start)
        return start.error();
    s.start = gitTrimmed(QString::fromUtf8(start->value_or(QByteArray())));
    s.inProgress = start->has_value() && !start->value().isEmpty();

    auto terms = readFile(dir + TermsFile);
    if (!terms)
        return terms.error();
    if (*terms && !terms->value().isEmpty()) {
        const QList<QByteArray> lines = terms->value().split('\n');
        const bool twoLines = lines.size() >= 2 && !lines[0].isEmpty() && !lines[1].isEmpty() &&
                              std::all_of(lines.begin() + 2, lines.end(),
                                          [](const QByteArray &l) { return l.isEmpty(); });
        if (!twoLines)
            return Error{QStringLiteral("%1 is corrupt: it must hold two lines, the %2 term "
                                        "and the %3 term")
                             .arg(dir + TermsFile, QStringLiteral("bad"), QStringLiteral("good"))};
        s.terms.bad = QString::fromUtf8(lines[0]);
        s.terms.good = QString::fromUtf8(lines[1]);
        if (const QString problem = Terms::validate(s.terms.bad, s.terms.good); !problem.isEmpty())
            return Error{QStringLiteral("%1 is corrupt").arg(dir + TermsFile), 1, problem};
        s.hasTermsFile = true;
    }

    auto names = readFile(dir + NamesFile);
    if (!names)
        return names.error();
    if (*names) {
        const QByteArray &n = names->value();
        const qsizetype eol = n.indexOf('\n');
        s.namesLine = QString::fromUtf8(eol < 0 ? n : n.left(eol));
    }

    s.firstParent = QFileInfo::exists(dir + FirstParentFile);
    s.ancestorsOk = QFileInfo::exists(dir + AncestorsOkFile);
    auto expected = readOidFile(dir + ExpectedRevFile);
    if (!expected)
        return expected.error();
    s.expectedRev = *expected;
    auto head = readOidFile(dir + HeadFile);
    if (!head)
        return head.error();
    s.bisectHead = *head;

    auto refs = bisectRefs(m_repo, dir);
    if (!refs)
        return refs.error();
    const QString badRef = RefPrefix + s.terms.bad;
    const QString goodPrefix = RefPrefix + s.terms.good + u'-';
    const QString skipPrefix = RefPrefix + QStringLiteral("skip-");
    for (const BisectRef &ref : *refs) {
        const QString &name = ref.name;
        const Oid &oid = ref.oid;
        if (name == badRef)
            s.bad = oid;
        else if (name.startsWith(goodPrefix))
            s.goods.push_back(oid);
        else if (name.startsWith(skipPrefix))
            s.skips.push_back(oid);
    }
    for (auto *list : {&s.goods, &s.skips}) {
        std::sort(list->begin(), list->end());
        list->erase(std::unique(list->begin(), list->end()), list->end());
    }

    auto log = readFile(dir + LogFile);
    if (!log)
        return log.error();
    s.log = QString::fromUtf8(log->value_or(QByteArray()));
    return s;
}

Status GitBisectFiles::cleanState(const QStringList &keep) {
    // bisect_clean_state() in git's bisect.c, except that BISECT_START stays when
    // anything else could not be removed, so that a later reset can finish the job.
    const QString dir = stateDir();
    Status first = okStatus();
    auto note = [&](Status s) {
        if (first && !s)
            first = std::move(s);
    };

    auto refs = bisectRefs(m_repo, dir);
    if (!refs) {
        // A broken loose ref must not make the state impossible to clear.
        qCWarning(bwGit) << "removing broken bisect refs:" << refs.error().message();
        QDirIterator it(dir + RefPrefix, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext())
            note(removeFile(it.next()));
        refs = bisectRefs(m_repo, dir);
    }
    if (!refs)
        note(refs.error());
    else
        for (const BisectRef &ref : *refs)
            // libgit2 1.5 deletes a linked worktree's refs from the wrong directory;
            // there they are only ever loose files.
            if (isLinkedWorktree(m_repo)) {
                note(removeFile(ref.loosePath));
                note(removeFile(dir + QStringLiteral("logs/") + ref.name));
            } else {
                note(m_repo.deleteReference(ref.name));
            }

    for (const QString &name : {HeadFile, ExpectedRevFile, AncestorsOkFile, LogFile, NamesFile,
                                RunFile, TermsFile, FirstParentFile, HeadNameFile}) {
        Status removed = removeFile(dir + name);
        if (!keep.contains(name))
            note(std::move(removed));
    }
    if (!first)
        return first;
    Status removed = removeFile(dir + StartFile);
    if (!keep.contains(StartFile))
        return removed;
    return okStatus();
}

Status GitBisectFiles::reset() {
    return cleanState({});
}

Status GitBisectFiles::start(const QString &startHead, const std::optional<Terms> &terms,
                             bool firstParent, const QString &namesLine,
                             std::optional<Oid> bisectHead, const QString &startLogLine,
                             const QString &preStartLogLines) {
    const QString dir = stateDir();
    if (!QFileInfo(dir).isDir())
        return Error{QStringLiteral("the git directory %1 does not exist").arg(dir)};
    if (gitTrimmed(startHead).isEmpty() || startHead.contains(u'\n'))
        return Error{QStringLiteral("cannot start a bisect: '%1' is not a branch or commit to "
                                    "return to")
                         .arg(startHead)};
    if (terms)
        if (const QString problem = Terms::validate(terms->bad, terms->good); !problem.isEmpty())
            return Error{problem};

    // The files about to be written need not be removable: they get replaced anyway.
    QStringList written = {NamesFile, LogFile, StartFile};
    if (terms)
        written << TermsFile;
    if (firstParent)
        written << FirstParentFile;
    if (bisectHead)
        written << HeadFile;
    if (Status s = cleanState(written); !s)
        return s;

    std::vector<std::pair<QString, QByteArray>> files;
    if (terms)
        files.emplace_back(TermsFile, (terms->bad + u'\n' + terms->good + u'\n').toUtf8());
    files.emplace_back(NamesFile, (namesLine + u'\n').toUtf8());
    if (firstParent)
        files.emplace_back(FirstParentFile, QByteArray("\n"));
    if (bisectHead)
        files.emplace_back(HeadFile, bisectHead->toHex() + '\n');
    files.emplace_back(LogFile,
                       (ensureNewline(preStartLogLines) + ensureNewline(startLogLine)).toUtf8());
    // Last: a non-empty BISECT_START is what makes git (and read()) see a bisect.
    files.emplace_back(StartFile, (gitTrimmed(startHead) + u'\n').toUtf8());

    for (const auto &[name, data] : files) {
        if (Status s = writeFile(dir + name, data); !s) {
            for (const auto &f : files)
                if (f.first != StartFile)
                    (void)removeFile(dir + f.first);
            return s;
        }
    }
    return okStatus();
}

Status GitBisectFiles::mark(MarkKind kind, const Oid &oid, const QString &subject,
                            const Terms &terms, const QString &revAsWritten) {
    const QString dir = stateDir();
    if (!isNonEmptyFile(dir + StartFile))
        return Error{QStringLiteral("no bisect is in progress (%1 is missing or empty)")
                         .arg(dir + StartFile)};

    // check_and_set_terms(): the terms file decides; a missing one is written by the
    // first good or bad mark.
    auto state = read();
    if (!state)
        return state.error();
    const QString word = terms.termFor(kind);
    if (state->hasTermsFile) {
        if (kind != MarkKind::Skip && state->terms != terms)
            return Error{QStringLiteral("Invalid command: you're currently in a %1/%2 bisect")
                             .arg(state->terms.bad, state->terms.good)};
    } else if (kind != MarkKind::Skip) {
        if (const QString problem = Terms::validate(terms.bad, terms.good); !problem.isEmpty())
            return Error{problem};
        if (Status s =
                writeFile(dir + TermsFile, (terms.bad + u'\n' + terms.good + u'\n').toUtf8());
            !s)
            return s;
    }

    const QString ref =
        kind == MarkKind::Bad ? RefPrefix + word : RefPrefix + word + u'-' + oid.toString();
    if (Status s = m_repo.setReference(ref, oid, QStringLiteral("bisect: %1").arg(word)); !s)
        return s;
    if (revAsWritten.isEmpty())
        return appendLog(markLogLines(word, oid, subject));
    // `git bisect replay` logs the revision as the log wrote it.
    return appendLog(markCommentLine(word, oid, subject) +
                     QStringLiteral("git bisect %1 %2\n").arg(word, revAsWritten));
}

Status GitBisectFiles::appendLog(const QString &text) {
    const QString path = stateDir() + LogFile;
    auto current = readFile(path);
    if (!current)
        return current.error();
    return writeFile(path, current->value_or(QByteArray()) + text.toUtf8());
}

Status GitBisectFiles::setExpectedRev(std::optional<Oid> oid) {
    const QString path = stateDir() + ExpectedRevFile;
    if (!oid)
        return removeFile(path);
    return writeFile(path, oid->toHex() + '\n');
}

Status GitBisectFiles::setAncestorsOk(bool ok) {
    const QString path = stateDir() + AncestorsOkFile;
    return ok ? writeFile(path, QByteArray(), true) : removeFile(path);
}

Status GitBisectFiles::setBisectHead(const Oid &oid) {
    return writeFile(stateDir() + HeadFile, oid.toHex() + '\n');
}

} // namespace bw::git
