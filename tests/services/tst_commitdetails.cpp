#include "services/git/CommitDetails.h"
#include "services/git/Repository.h"
#include "tests/support/TestRepo.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>

using namespace bw;
using namespace bw::test;

namespace {

// One changed file as git reports it (numstat + name-status), or as we do.
struct Change {
    QString path, oldPath;
    char status = '?';
    int additions = -1, deletions = -1;
    bool binary = false;
    bool operator==(const Change &) const = default;
};

// One line per change, so that QCOMPARE shows what differs.
QStringList describe(const std::vector<Change> &changes) {
    QStringList out;
    for (const Change &c : changes)
        out << QStringLiteral("%1 %2 <- '%3' +%4 -%5%6")
                   .arg(QLatin1Char(c.status))
                   .arg(c.path, c.oldPath)
                   .arg(c.additions)
                   .arg(c.deletions)
                   .arg(c.binary ? QStringLiteral(" binary") : QString());
    return out;
}

QString commitAll(TestRepo &repo, const QString &message) {
    repo.tick(60);
    if (repo.git({QStringLiteral("add"), QStringLiteral("-A")}).exitCode != 0)
        return {};
    if (repo.git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), message})
            .exitCode != 0)
        return {};
    return repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
}

QByteArray lines(const QString &prefix, int count) {
    QByteArray out;
    for (int i = 1; i <= count; ++i)
        out += QStringLiteral("%1 line %2\n").arg(prefix).arg(i).toUtf8();
    return out;
}

// `git show --numstat` and `--name-status` (-z, renames on, merges against their first
// parent), merged into one sorted list.
std::vector<Change> gitChanges(const TestRepo &repo, const QString &sha) {
    const QStringList common = {QStringLiteral("show"), QStringLiteral("--format="),
                                QStringLiteral("-M"), QStringLiteral("-z"),
                                QStringLiteral("--diff-merges=first-parent")};
    const QList<QByteArray> numstat =
        repo.git(common + QStringList{QStringLiteral("--numstat"), sha}).out.split('\0');
    const QList<QByteArray> names =
        repo.git(common + QStringList{QStringLiteral("--name-status"), sha}).out.split('\0');
    std::vector<Change> changes;
    for (qsizetype i = 0; i + 1 < names.size();) {
        Change c;
        const QByteArray status = names[i++].trimmed();
        if (status.isEmpty())
            continue;
        c.status = status.at(0);
        if (c.status == 'R' || c.status == 'C')
            c.oldPath = QString::fromUtf8(names[i++]);
        c.path = QString::fromUtf8(names[i++]);
        changes.push_back(c);
    }
    for (qsizetype i = 0; i < numstat.size();) {
        QByteArray record = numstat[i++];
        while (record.startsWith('\n'))
            record.remove(0, 1);
        const QList<QByteArray> fields = record.split('\t'); // a rename ends in an empty field
        if (fields.size() < 3)
            continue;
        QString path = QString::fromUtf8(fields[2]);
        if (path.isEmpty()) { // a rename: "+\t-\t\0old\0new\0"
            i++;
            path = QString::fromUtf8(numstat[i++]);
        }
        for (Change &c : changes) {
            if (c.path != path)
                continue;
            c.binary = fields[0] == "-";
            c.additions = c.binary ? 0 : fields[0].toInt();
            c.deletions = c.binary ? 0 : fields[1].toInt();
        }
    }
    std::sort(changes.begin(), changes.end(),
              [](const Change &a, const Change &b) { return a.path < b.path; });
    return changes;
}

std::vector<Change> ourChanges(const git::CommitDetails &d) {
    std::vector<Change> changes;
    for (const auto &f : d.files)
        changes.push_back({f.path, f.oldPath, f.status, f.additions, f.deletions, f.binary});
    std::sort(changes.begin(), changes.end(),
              [](const Change &a, const Change &b) { return a.path < b.path; });
    return changes;
}

// The added and removed lines of a patch, without the ---/+++ file headers.
QStringList changedLines(const QString &patch) {
    QStringList out;
    for (const QString &line : patch.split(u'\n'))
        if ((line.startsWith(u'+') && !line.startsWith(QLatin1String("+++ "))) ||
            (line.startsWith(u'-') && !line.startsWith(QLatin1String("--- "))))
            out << line;
    return out;
}

} // namespace

class TestCommitDetails : public QObject {
    Q_OBJECT

    TestRepo m_repo;
    QString m_root, m_second, m_sideTip, m_merge, m_big;

    git::CommitDetails load(const QString &sha, qsizetype max = 4 * 1024 * 1024) {
        auto repo = git::Repository::open(m_repo.path());
        if (!repo)
            qFatal("cannot open the test repository: %s", qPrintable(repo.error().message()));
        auto d = git::loadCommitDetails(*repo, *Oid::fromHex(sha), max);
        if (!d)
            qFatal("loadCommitDetails(%s) failed: %s", qPrintable(sha),
                   qPrintable(d.error().message()));
        return std::move(d).value();
    }

    void compareWithGit(const QString &sha) {
        const git::CommitDetails d = load(sha);
        const std::vector<Change> expected = gitChanges(m_repo, sha);
        QVERIFY(!expected.empty());
        QCOMPARE(describe(ourChanges(d)), describe(expected));
        const QString gitPatch = QString::fromUtf8(
            m_repo
                .git({QStringLiteral("show"), QStringLiteral("--format="), QStringLiteral("-M"),
                      QStringLiteral("--diff-merges=first-parent"), sha})
                .out);
        QCOMPARE(changedLines(d.patch), changedLines(gitPatch));
        QVERIFY(!d.patchTruncated);
        // Each file's diff starts where patchLine says, in file order.
        const QStringList patchLines = d.patch.split(u'\n');
        int previous = -1;
        for (const auto &f : d.files) {
            QVERIFY(f.patchLine > previous && f.patchLine < patchLines.size());
            const QString header = patchLines[f.patchLine];
            QVERIFY2(header.startsWith(QStringLiteral("diff --git ")) &&
                         header.endsWith(QStringLiteral(" b/") + f.path),
                     qPrintable(header + u' ' + f.path));
            previous = f.patchLine;
        }
        const QString stat = QString::fromUtf8(
            m_repo
                .git({QStringLiteral("show"), QStringLiteral("--format="), QStringLiteral("-M"),
                      QStringLiteral("--stat=80"), QStringLiteral("--summary"),
                      QStringLiteral("--diff-merges=first-parent"), sha})
                .out);
        // libgit2 scores similarity its own way: the rename percentage may differ.
        static const QRegularExpression score(QStringLiteral("\\(\\d+%\\)$"),
                                              QRegularExpression::MultilineOption);
        QCOMPARE(QString(d.diffstat).replace(score, QStringLiteral("(N%)")).split(u'\n'),
                 QString(stat).replace(score, QStringLiteral("(N%)")).split(u'\n'));
        const QString shortstat = m_repo.gitOut(
            {QStringLiteral("show"), QStringLiteral("--format="), QStringLiteral("-M"),
             QStringLiteral("--diff-merges=first-parent"), QStringLiteral("--shortstat"), sha});
        QVERIFY(!shortstat.isEmpty());
        QVERIFY2(d.diffstat.contains(shortstat), qPrintable(d.diffstat + u'|' + shortstat));
    }

private slots:
    void initTestCase() {
        QVERIFY(m_repo.isValid());
        TestRepo &r = m_repo;
        QVERIFY(r.writeFile(QStringLiteral("a.txt"), lines(QStringLiteral("a"), 10)));
        QVERIFY(r.writeFile(QStringLiteral("b.txt"), "bee\n"));
        QVERIFY(r.writeFile(QStringLiteral("c.txt"), lines(QStringLiteral("c"), 20)));
        QVERIFY(r.writeFile(QStringLiteral("bin.dat"), QByteArray("\x00\x01\x02zz\x00", 6)));
        QVERIFY(r.writeFile(QStringLiteral("f.txt"), "x\ny\n"));
        QVERIFY(r.writeFile(QStringLiteral("noeol.txt"), "no newline"));
        m_root = commitAll(r, QStringLiteral("Root commit\n\nWith a body."));
        QVERIFY(!m_root.isEmpty());
        QCOMPARE(r.git({QStringLiteral("tag"), QStringLiteral("root")}).exitCode, 0);

        QByteArray a = lines(QStringLiteral("a"), 10);
        a.replace("a line 3\n", "a line three\n");
        a += "appended 1\nappended 2\n";
        QVERIFY(r.writeFile(QStringLiteral("a.txt"), a));
        QVERIFY(QFile::remove(r.path() + QStringLiteral("/b.txt")));
        QByteArray c = lines(QStringLiteral("c"), 20);
        c.replace("c line 20\n", "c line twenty\n");
        QVERIFY(QFile::remove(r.path() + QStringLiteral("/c.txt")));
        QVERIFY(r.writeFile(QStringLiteral("d.txt"), c));
        QVERIFY(r.writeFile(QStringLiteral("e.txt"), "+line one ünïcode\nline two\n"));
        QVERIFY(r.writeFile(QStringLiteral("bin.dat"), QByteArray("\x00\x01\x03zz\x00\x07", 7)));
        QVERIFY(QFile::remove(r.path() + QStringLiteral("/f.txt")));
        QVERIFY(QFile::link(QStringLiteral("target"), r.path() + QStringLiteral("/f.txt")));
        QVERIFY(r.writeFile(QStringLiteral("noeol.txt"), "no newline\nnow with one\n"));
        m_second = commitAll(r, QStringLiteral("Change everything"));
        QVERIFY(!m_second.isEmpty());
        QCOMPARE(r.git({QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("v2"),
                        QStringLiteral("-m"), QStringLiteral("version 2")})
                     .exitCode,
                 0);
        QCOMPARE(r.git({QStringLiteral("branch"), QStringLiteral("topic")}).exitCode, 0);

        QCOMPARE(r.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
                        QStringLiteral("side")})
                     .exitCode,
                 0);
        QVERIFY(r.writeFile(QStringLiteral("s.txt"), lines(QStringLiteral("side"), 4)));
        m_sideTip = commitAll(r, QStringLiteral("Side work"));
        QCOMPARE(r.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")})
                     .exitCode,
                 0);
        a.replace("a line 1\n", "a line one\n");
        QVERIFY(r.writeFile(QStringLiteral("a.txt"), a));
        QVERIFY(!commitAll(r, QStringLiteral("Main work")).isEmpty());
        m_merge = r.merge(QStringLiteral("merged"), QStringLiteral("side"));
        QVERIFY(!m_merge.isEmpty());

        QVERIFY(r.writeFile(QStringLiteral("big.txt"), lines(QStringLiteral("big"), 2000)));
        QVERIFY(r.writeFile(QStringLiteral("z.txt"), lines(QStringLiteral("z"), 50)));
        m_big = commitAll(r, QStringLiteral("Big"));
        QVERIFY(!m_big.isEmpty());
    }

    void rootCommitMatchesGit() {
        compareWithGit(m_root);
        if (QTest::currentTestFailed())
            return;
        const git::CommitDetails d = load(m_root);
        QVERIFY(d.info.parents.empty());
        QCOMPARE(d.info.subject, QStringLiteral("Root commit"));
        QCOMPARE(d.info.message, QStringLiteral("Root commit\n\nWith a body.\n"));
        QVERIFY(d.diffBase.contains(QStringLiteral("root commit")));
        QCOMPARE(d.refs, QStringList{QStringLiteral("root")});
        QCOMPARE(d.tags, QStringList{QStringLiteral("root")});
        QVERIFY(d.patch.contains(QStringLiteral("\\ No newline at end of file")));
        QCOMPARE(d.files.size(), size_t(6));
    }

    void everyKindOfChangeMatchesGit() {
        compareWithGit(m_second);
        if (QTest::currentTestFailed())
            return;
        const git::CommitDetails d = load(m_second);
        QCOMPARE(d.info.parents.size(), size_t(1));
        QCOMPARE(d.info.parents.front().toString(), m_root);
        QCOMPARE(d.diffBase, QStringLiteral("parent %1").arg(m_root.left(12)));
        // Branches first, annotated tags peeled to the commit.
        QCOMPARE(d.refs, (QStringList{QStringLiteral("topic"), QStringLiteral("v2")}));
        QCOMPARE(d.tags, QStringList{QStringLiteral("v2")});
        QString statuses;
        for (const auto &f : d.files)
            statuses += QLatin1Char(f.status);
        std::sort(statuses.begin(), statuses.end());
        QCOMPARE(statuses, QStringLiteral("ADMMMRT"));
        const auto rename = std::find_if(d.files.begin(), d.files.end(),
                                         [](const auto &f) { return f.status == 'R'; });
        QCOMPARE(rename->oldPath, QStringLiteral("c.txt"));
        QCOMPARE(rename->path, QStringLiteral("d.txt"));
        QVERIFY(d.patch.contains(QStringLiteral("Binary files")));
        QVERIFY(d.patch.contains(QStringLiteral("\n++line one ünïcode\n")));
        QVERIFY(d.diffstat.contains(QStringLiteral("a.txt")));
    }

    void mergeIsShownAgainstItsFirstParent() {
        compareWithGit(m_merge);
        if (QTest::currentTestFailed())
            return;
        const git::CommitDetails d = load(m_merge);
        QCOMPARE(d.info.parents.size(), size_t(2));
        QCOMPARE(d.info.parents[1].toString(), m_sideTip);
        QCOMPARE(d.diffBase, QStringLiteral("first parent %1 of a merge of 2 parents")
                                 .arg(d.info.parents[0].toString().left(12)));
        QCOMPARE(d.files.size(), size_t(1));
        QCOMPARE(d.files[0].path, QStringLiteral("s.txt"));
        QCOMPARE(d.refs, QStringList{QStringLiteral("merged")});
    }

    void patchIsCutAtALineAndSaysHowMuchIsMissing() {
        const git::CommitDetails full = load(m_big, -1);
        QVERIFY(!full.patchTruncated);
        QCOMPARE(full.patchBytesOmitted, 0);
        compareWithGit(m_big);
        if (QTest::currentTestFailed())
            return;

        const qsizetype limit = 3000;
        const git::CommitDetails cut = load(m_big, limit);
        QVERIFY(cut.patchTruncated);
        QVERIFY(cut.patch.endsWith(u'\n'));
        QStringList parts = cut.patch.split(u'\n');
        parts.removeLast();
        const QString note = parts.takeLast();
        const QString kept = parts.join(u'\n') + u'\n';
        QVERIFY(note.startsWith(QLatin1String(git::PatchTruncatedMarker)));
        QVERIFY(kept.toUtf8().size() <= limit);
        QVERIFY(kept.toUtf8().size() > limit - 100); // cut at the last line that fits
        QVERIFY(full.patch.startsWith(kept));
        const qint64 omitted = full.patch.toUtf8().size() - kept.toUtf8().size();
        QCOMPARE(cut.patchBytesOmitted, omitted);
        QVERIFY2(note.contains(QStringLiteral(" %1 more bytes in 2 file(s)").arg(omitted)),
                 qPrintable(note));
        // The file list and the statistics stay complete.
        QCOMPARE(describe(ourChanges(cut)), describe(ourChanges(full)));
        QCOMPARE(cut.diffstat, full.diffstat);
    }

    void unknownCommitIsAnError() {
        auto repo = git::Repository::open(m_repo.path());
        QVERIFY(repo.ok());
        const Oid missing =
            *Oid::fromHex(QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
        const auto d = git::loadCommitDetails(*repo, missing);
        QVERIFY(!d.ok());
        QVERIFY(d.error().message().contains(missing.toString()));
    }
};

QTEST_GUILESS_MAIN(TestCommitDetails)
#include "tst_commitdetails.moc"
