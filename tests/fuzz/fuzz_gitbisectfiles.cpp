// Fuzzes the reader of git's own bisect state (services/git/GitBisectFiles): the
// BISECT_* files, refs/bisect/* and packed-refs that a `git bisect` on the command line
// (or anything else) left in a repository the user opens.
//
// Input: sections, each a line "### <name>" followed by the file's content up to the
// next such line. Names: BISECT_START, BISECT_TERMS, BISECT_NAMES, BISECT_LOG,
// BISECT_EXPECTED_REV, BISECT_HEAD, BISECT_FIRST_PARENT, BISECT_ANCESTORS_OK,
// BISECT_RUN, head-name, packed-refs, refs/bisect/<name>. They are written into a
// scratch repository (on /dev/shm when there is one), which is then read.
//
// Invariants: read() fails or gives a consistent state (valid terms, sorted unique
// goods and skips, a one-line BISECT_NAMES); reset() then clears it completely; writing
// that state back with start() & co. and reading it again gives the same state.

#include "FuzzCheck.h"

#include "services/git/GitBisectFiles.h"
#include "services/git/Repository.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <algorithm>
#include <memory>

using namespace bw;
using bw::fuzz::show;
using bw::git::BisectFilesState;
using bw::git::GitBisectFiles;
using bw::git::Repository;

namespace {

struct Scratch {
    std::unique_ptr<QTemporaryDir> dir;
    QString gitDir;                     // with '/'
    std::unique_ptr<Repository> keeper; // keeps libgit2 initialised between inputs
};

Scratch &scratch() {
    static Scratch s = [] {
        Scratch s;
        const QString shm = QStringLiteral("/dev/shm");
        const QString base = QFileInfo(shm).isWritable() ? shm : QDir::tempPath();
        s.dir = std::make_unique<QTemporaryDir>(base + QStringLiteral("/bw-fuzz-XXXXXX"));
        if (!s.dir->isValid())
            bw::fuzz::fail(__FILE__, __LINE__, "scratch directory", s.dir->errorString());
        s.gitDir = s.dir->filePath(QStringLiteral(".git/"));
        QDir().mkpath(s.gitDir + QStringLiteral("objects/info"));
        QDir().mkpath(s.gitDir + QStringLiteral("objects/pack"));
        QDir().mkpath(s.gitDir + QStringLiteral("refs/heads"));
        QDir().mkpath(s.gitDir + QStringLiteral("refs/tags"));
        QFile head(s.gitDir + QStringLiteral("HEAD"));
        if (head.open(QIODevice::WriteOnly))
            head.write("ref: refs/heads/main\n");
        head.close();
        QFile config(s.gitDir + QStringLiteral("config"));
        if (config.open(QIODevice::WriteOnly))
            config.write("[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n"
                         "\tbare = false\n");
        config.close();
        auto repo = Repository::open(s.dir->path());
        if (!repo)
            bw::fuzz::fail(__FILE__, __LINE__, "scratch repository", repo.error().message());
        s.keeper = std::make_unique<Repository>(std::move(*repo));
        return s;
    }();
    return s;
}

bool isFileName(const QString &name) {
    static const QStringList files = {
        QStringLiteral("BISECT_START"),        QStringLiteral("BISECT_TERMS"),
        QStringLiteral("BISECT_NAMES"),        QStringLiteral("BISECT_LOG"),
        QStringLiteral("BISECT_EXPECTED_REV"), QStringLiteral("BISECT_HEAD"),
        QStringLiteral("BISECT_FIRST_PARENT"), QStringLiteral("BISECT_ANCESTORS_OK"),
        QStringLiteral("BISECT_RUN"),          QStringLiteral("head-name"),
        QStringLiteral("packed-refs")};
    if (files.contains(name))
        return true;
    // refs/bisect/<path>: no empty, "." or ".." component, so it stays in refs/bisect.
    static const QRegularExpression ref(QStringLiteral("^refs/bisect/[A-Za-z0-9._@{}^~-]+"
                                                       "(/[A-Za-z0-9._@{}^~-]+)*$"));
    if (!ref.match(name).hasMatch())
        return false;
    const QStringList parts = name.split(u'/');
    return std::none_of(parts.begin(), parts.end(),
                        [](const QString &p) { return p == u"." || p == u".."; });
}

void clearState(const QString &gitDir) {
    QDir(gitDir + QStringLiteral("refs/bisect")).removeRecursively();
    QDir(gitDir + QStringLiteral("logs")).removeRecursively();
    const QDir dir(gitDir);
    for (const QString &name : dir.entryList(QDir::Files | QDir::Hidden)) {
        if (name.startsWith(u"BISECT_") || name == u"head-name" || name == u"packed-refs" ||
            name.endsWith(u".lock"))
            QFile::remove(gitDir + name);
    }
}

void writeSections(const QByteArray &input, const QString &gitDir) {
    int files = 0;
    qsizetype pos = input.startsWith("### ") ? 0 : input.indexOf("\n### ");
    while (pos >= 0 && files < 24) {
        if (input[pos] == '\n')
            ++pos;
        const qsizetype eol = input.indexOf('\n', pos);
        const QString name = QString::fromUtf8(input.mid(pos + 4, eol < 0 ? -1 : eol - pos - 4));
        const qsizetype start = eol < 0 ? input.size() : eol + 1;
        const qsizetype next = input.indexOf("\n### ", start - 1);
        const qsizetype end = next < 0 ? input.size() : next + 1;
        pos = next;
        if (!isFileName(name))
            continue;
        const QString path = gitDir + name;
        if (!QDir().mkpath(QFileInfo(path).path()) || QFileInfo(path).isDir())
            continue;
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(input.constData() + start, end - start);
        ++files;
    }
}

void checkConsistent(const BisectFilesState &s) {
    if (s.hasTermsFile)
        FUZZ_CHECK(Terms::validate(s.terms.bad, s.terms.good).isEmpty());
    else
        FUZZ_CHECK(s.terms == Terms());
    FUZZ_CHECK(std::is_sorted(s.goods.begin(), s.goods.end()));
    FUZZ_CHECK(std::adjacent_find(s.goods.begin(), s.goods.end()) == s.goods.end());
    FUZZ_CHECK(std::is_sorted(s.skips.begin(), s.skips.end()));
    FUZZ_CHECK(std::adjacent_find(s.skips.begin(), s.skips.end()) == s.skips.end());
    FUZZ_CHECK(!s.namesLine.contains(u'\n'));
    // Trimmed as git trims it (strbuf_trim: space, \t, \n, \r), and nothing else.
    for (const QChar c : {s.start.isEmpty() ? QChar(u'x') : s.start.front(),
                          s.start.isEmpty() ? QChar(u'x') : s.start.back()})
        FUZZ_CHECK(c != u' ' && c != u'\t' && c != u'\n' && c != u'\r');
}

void checkCleared(GitBisectFiles &files) {
    auto after = files.read();
    FUZZ_CHECK_MSG(after.ok(), after.error().message());
    FUZZ_CHECK(!after->inProgress && after->start.isEmpty() && !after->hasTermsFile);
    FUZZ_CHECK(!after->bad && after->goods.empty() && after->skips.empty());
    FUZZ_CHECK(after->log.isEmpty() && after->namesLine.isEmpty() && !after->firstParent);
    FUZZ_CHECK(!after->expectedRev && !after->bisectHead && !after->ancestorsOk);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    bw::fuzz::quietQtMessages();
    (void)scratch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size > 64 * 1024)
        return 0;
    const QByteArray input = bw::fuzz::bytes(data, size);
    Scratch &sc = scratch();
    clearState(sc.gitDir);
    writeSections(input, sc.gitDir);
    const bool packed = QFileInfo::exists(sc.gitDir + QStringLiteral("packed-refs"));

    // A fresh handle for each input, so nothing libgit2 cached from the last one counts.
    auto repo = Repository::open(sc.dir->path());
    FUZZ_CHECK_MSG(repo.ok(), repo.error().message());
    GitBisectFiles files(*repo);
    FUZZ_CHECK(files.stateDir() == sc.gitDir);

    auto state = files.read();
    if (!state) {
        FUZZ_CHECK(!state.error().message().isEmpty());
        // Whatever broke the state, reset() clears it: the way out git offers too. (A
        // corrupt packed-refs is the exception: git itself cannot get past one.)
        const Status reset = files.reset();
        if (!packed) {
            FUZZ_CHECK_MSG(reset.ok(), reset.error().message());
            checkCleared(files);
        }
        return 0;
    }
    const BisectFilesState s = std::move(state).value();
    checkConsistent(s);

    const Status reset = files.reset();
    FUZZ_CHECK_MSG(reset.ok(), reset.error().message());
    checkCleared(files);

    // Write the state back the way the workbench does, and read it again.
    if (s.start.isEmpty() || s.start.contains(u'\n'))
        return 0;
    const Status started =
        files.start(s.start, s.hasTermsFile ? std::optional<Terms>(s.terms) : std::nullopt,
                    s.firstParent, s.namesLine, s.bisectHead, QString(), s.log);
    FUZZ_CHECK_MSG(started.ok(), show(s.start) + u' ' + started.error().message());
    FUZZ_CHECK(files.setExpectedRev(s.expectedRev).ok());
    FUZZ_CHECK(files.setAncestorsOk(s.ancestorsOk).ok());
    auto back = files.read();
    FUZZ_CHECK_MSG(back.ok(), back.error().message());
    FUZZ_CHECK(back->inProgress);
    FUZZ_CHECK_MSG(back->start == s.start,
                   show(s.start) + QStringLiteral(" became ") + show(back->start));
    FUZZ_CHECK(back->terms == s.terms && back->hasTermsFile == s.hasTermsFile);
    FUZZ_CHECK_MSG(back->namesLine == s.namesLine, show(s.namesLine));
    FUZZ_CHECK(back->firstParent == s.firstParent && back->ancestorsOk == s.ancestorsOk);
    FUZZ_CHECK(back->expectedRev == s.expectedRev && back->bisectHead == s.bisectHead);
    const QString log = s.log.isEmpty() || s.log.endsWith(u'\n') ? s.log : s.log + u'\n';
    FUZZ_CHECK_MSG(back->log == log, show(s.log));
    FUZZ_CHECK(!back->bad && back->goods.empty() && back->skips.empty());
    return 0;
}
