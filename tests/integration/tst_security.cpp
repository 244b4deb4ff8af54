// Security properties of the real binary (`bisect-workbench run` and `report`):
//
// - recipe values reach commands only as argv elements or shell-quoted words: hostile
//   commit subjects, ref and branch names, file names and session paths are never
//   executed — locally, through a shell string, in an argv, over SSH, or pasted from a
//   report's reproduce command — and arrive intact;
// - what the workbench writes (the session directory and its parents, the database and
//   its WAL, logs, the recipe copy, a PDF report) is owner-only, whatever the umask;
// - the private key a recipe names is used, never copied into the session or a report;
//   a webhook token stays out of every log and report;
// - a host key that changed is refused in a run, explained, and nothing is marked.
//
// (libvirt XML escaping is covered by tst_libvirt at the unit level and by tst_faults,
// whose panicking guest boots from a session path full of XML metacharacters.)

#include "services/pipeline/SessionDirectory.h"
#include "tests/support/SessionProbe.h"
#include "tests/support/Sshd.h"
#include "tests/support/TestRepo.h"
#include "tests/support/TestTools.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

using bw::test::culpritIn;
using bw::test::journal;
using bw::test::markLines;
using bw::test::RunResult;
using bw::test::Sshd;
using bw::test::TestRepo;

using bw::test::freePort;
using bw::test::readBytes;
using bw::test::readText;

namespace {

QString describe(const QList<QJsonObject> &steps) {
    QStringList lines;
    for (const QJsonObject &s : steps)
        lines << QString::fromUtf8(QJsonDocument(s).toJson(QJsonDocument::Compact));
    return lines.join(u'\n');
}

QJsonObject stageOf(const QJsonObject &step, const QString &name) {
    for (const QJsonValue &v : step.value(u"stages").toArray())
        if (v.toObject().value(u"stage").toString() == name)
            return v.toObject();
    return {};
}

// Every regular file under `dir` (hidden ones too), optionally leaving out a subtree.
QStringList filesUnder(const QString &dir, const QString &except = {}) {
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString f = it.next();
        if (!except.isEmpty() && f.startsWith(except + u'/'))
            continue;
        files << f;
    }
    return files;
}

QStringList dirsUnder(const QString &dir, const QString &except = {}) {
    QStringList dirs{dir};
    QDirIterator it(dir, QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString f = it.next();
        if (!except.isEmpty() && (f == except || f.startsWith(except + u'/')))
            continue;
        dirs << f;
    }
    return dirs;
}

mode_t modeOf(const QString &path) {
    struct stat st {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return 07777;
    return st.st_mode & 07777;
}

// The files among `files` that contain `needle`.
QStringList containing(const QStringList &files, const QByteArray &needle) {
    QStringList hits;
    for (const QString &f : files)
        if (readBytes(f).contains(needle))
            hits << f;
    return hits;
}

} // namespace

class TestSecurity : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;
    QString d;
    Sshd m_sshd;
    QString m_knownHosts;

    QString sshWait(const QString &knownHosts = {}) const {
        return QStringLiteral("[wait]\nkind = \"ssh\"\nhost = \"127.0.0.1\"\nport = %1\n"
                              "user = \"root\"\nidentity = \"%2/id_ed25519\"\n"
                              "known_hosts = \"%3\"\ntimeout = \"20s\"\n")
            .arg(m_sshd.port)
            .arg(d, knownHosts.isEmpty() ? m_knownHosts : knownHosts);
    }

    RunResult run(const TestRepo &repo, const QStringList &args, bool openUmask = false) const {
        if (!openUmask)
            return bw::test::run(TestRepo::workbenchBinary(), args, repo.path(), repo.env(), {},
                                 180'000);
        // umask 000: whatever is owner-only below was made so on purpose.
        return bw::test::run(QStringLiteral("sh"),
                             QStringList{QStringLiteral("-c"),
                                         QStringLiteral("umask 000; exec \"$0\" \"$@\""),
                                         TestRepo::workbenchBinary()} +
                                 args,
                             repo.path(), repo.env(), {}, 180'000);
    }

private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
        QVERIFY(m_scratch.isValid());
        d = m_scratch.path();
        if (qEnvironmentVariableIsSet("BW_KEEP_SCRATCH")) {
            m_scratch.setAutoRemove(false);
            qInfo().noquote() << "scratch kept in" << d;
        }
        QString error;
        QVERIFY2(bw::test::makeSshKeys(d,
                                       {QStringLiteral("hostkey"), QStringLiteral("otherkey"),
                                        QStringLiteral("id_ed25519")},
                                       error),
                 qPrintable(error));
        QVERIFY2(m_sshd.start(d, freePort()), qPrintable(readText(m_sshd.log)));
        m_knownHosts = d + QStringLiteral("/known_hosts");
        QVERIFY(bw::test::writeFile(m_knownHosts, bw::test::knownHostsLine(d, m_sshd.port)));
    }

    void cleanupTestCase() { m_sshd.stop(); }

    // Hostile subjects (with a ${var} that must not be expanded twice), branch names
    // given as --good/--bad and checked out as HEAD, file names with quotes, `;` and a
    // newline, and a session path with all of it: as shell words (build), argv elements
    // (test) and over SSH (a second run with a remote test), nothing runs, everything
    // arrives as it was; the report's reproduce command pastes into a shell as data too.
    void hostileValuesStayData() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList subjects{
            QStringLiteral("$(touch pwned-s1)"),
            QStringLiteral("`touch pwned-s2`"),
            QStringLiteral("'; touch pwned-s3; '"),
            QStringLiteral("x\"; touch pwned-s4; \" ${commit} $BW_COMMIT \\"),
            QStringLiteral("a | touch pwned-s5 & touch pwned-s6 > b"),
        };
        const QStringList fileNames{QStringLiteral("$(touch pwned-f1)"),
                                    QStringLiteral("q'uo\"te;touch pwned-f2"),
                                    QStringLiteral("new\nline `touch pwned-f3`")};
        repo.writeFile(QStringLiteral("base"), "0");
        for (const QString &name : fileNames)
            repo.writeFile(name, "0");
        repo.git({QStringLiteral("add"), QStringLiteral("-A")});
        repo.git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"),
                  QStringLiteral("base")});
        const QString goodRef = QStringLiteral("$(touch${IFS}pwned-good)");
        QCOMPARE(repo.git({QStringLiteral("branch"), goodRef}).exitCode, 0);
        for (int i = 0; i < subjects.size(); ++i) {
            repo.writeFile(fileNames.at(i % fileNames.size()), QByteArray::number(i + 1));
            if (i == 3)
                repo.writeFile(QStringLiteral("bug"), "x");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            QCOMPARE(repo.git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"),
                               subjects.at(i)})
                         .exitCode,
                     0);
        }
        const QString badRef = QStringLiteral("x;touch${IFS}pwned-bad'\"`touch${IFS}pwned-bt`");
        const QString headRef = QStringLiteral("h$(touch${IFS}pwned-head)");
        QCOMPARE(repo.git({QStringLiteral("branch"), badRef}).exitCode, 0);
        QCOMPARE(repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
                           headRef})
                     .exitCode,
                 0);

        const QString hostile = QStringLiteral("s $(touch pwned-dir) `touch pwned-dir2`; '\"&");
        const QString remoteOut = d + QStringLiteral("/remote-seen.txt");
        const QString base =
            QStringLiteral("[build]\ncommand = 'printf \"%s\\n\" ${subject} ${session} >> "
                           "\"$BW_SESSION/shell.txt\"; ls -A >> \"$BW_SESSION/files.txt\"'\n");
        const QString localTest = QStringLiteral(
            "[test]\ncommand = [\"sh\", \"-c\", \"printf '%s\\\\n' \\\"$1\\\" \\\"$2\\\" >> "
            "\\\"$BW_SESSION/argv.txt\\\"; test ! -e bug\", \"sh\", \"${subject}\", "
            "\"${session}\"]\n");
        const QString remoteTest =
            sshWait() + QStringLiteral("[test]\nkind = \"remote-command\"\n"
                                       "command = 'printf \"%s\\n\" ${subject} ${session} >> %1; "
                                       "test ! -e ${worktree}/bug'\n")
                            .arg(remoteOut);
        for (const bool remote : {false, true}) {
            const QString session = d + u'/' + hostile + (remote ? u'R' : u'L');
            const QString recipe = d + (remote ? QStringLiteral("/hostile-remote.toml")
                                               : QStringLiteral("/hostile-local.toml"));
            QVERIFY(
                bw::test::writeFile(recipe, (base + (remote ? remoteTest : localTest)).toUtf8()));
            if (remote) {
                const RunResult reset =
                    repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
                QVERIFY2(reset.exitCode == 0, reset.err.constData());
            }
            const RunResult r =
                run(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                           QStringLiteral("--good"), goodRef, QStringLiteral("--bad"), badRef,
                           QStringLiteral("--session"), session});
            const QString out = QString::fromUtf8(r.out);
            const QList<QJsonObject> steps = journal(session);
            QVERIFY2(r.exitCode == 0,
                     qPrintable(out + QString::fromUtf8(r.err) + u'\n' + describe(steps)));
            QCOMPARE(culpritIn(out),
                     repo.gitOut({QStringLiteral("log"), QStringLiteral("--format=%H"),
                                  QStringLiteral("-1"), QStringLiteral("--grep=pwned-s4"),
                                  QStringLiteral("--fixed-strings"), badRef}));
            QStringList tested;
            for (const QJsonObject &s : steps)
                tested << s.value(u"subject").toString();
            QVERIFY(tested.size() >= 2);
            for (const QString &t : tested)
                QVERIFY2(subjects.contains(t), qPrintable(t));
            QStringList expected;
            for (const QString &t : tested)
                expected << t << session;
            const QStringList shellSeen =
                readText(session + QStringLiteral("/shell.txt")).split(u'\n', Qt::SkipEmptyParts);
            QCOMPARE(shellSeen, expected);
            const QStringList seen =
                readText(remote ? remoteOut : session + QStringLiteral("/argv.txt"))
                    .split(u'\n', Qt::SkipEmptyParts);
            QCOMPARE(seen, expected);
            // The checkout made the hostile file names as they are.
            const QString files = readText(session + QStringLiteral("/files.txt"));
            QVERIFY2(files.contains(fileNames.at(0)) && files.contains(fileNames.at(1)),
                     qPrintable(files));
            QVERIFY(QFileInfo::exists(session + QStringLiteral("/worktree/") + fileNames.at(2)));
            QFile::remove(remoteOut);

            // The report's reproduce command, pasted into a shell, is only data.
            const RunResult json = run(repo, {QStringLiteral("report"), session,
                                              QStringLiteral("--format"), QStringLiteral("json")});
            QVERIFY2(json.exitCode == 0, json.err.constData());
            const QString reproduce =
                QJsonDocument::fromJson(json.out).object().value(u"reproduce_command").toString();
            QVERIFY2(reproduce.startsWith(QStringLiteral("bisect-workbench run")),
                     qPrintable(reproduce));
            const QString sandbox = d + QStringLiteral("/paste");
            QVERIFY(QDir().mkpath(sandbox));
            const RunResult pasted =
                bw::test::run(QStringLiteral("sh"),
                              {QStringLiteral("-c"),
                               QStringLiteral("bisect_workbench() { printf '%s\\n' "
                                              "\"$@\"; }; ") +
                                   reproduce.mid(0, 16).replace(u'-', u'_') + reproduce.mid(16)},
                              sandbox);
            QVERIFY2(pasted.exitCode == 0, pasted.err.constData());
            const QStringList words =
                QString::fromUtf8(pasted.out).split(u'\n', Qt::SkipEmptyParts);
            QVERIFY2(words.contains(session + QStringLiteral("/recipe.toml")),
                     qPrintable(words.join(u'|')));
            QVERIFY2(words.contains(QDir(repo.path()).absolutePath()),
                     qPrintable(words.join(u'|')));
            QVERIFY2(QDir(sandbox).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty(),
                     qPrintable(QDir(sandbox).entryList().join(u' ')));
        }
        // Nothing ran anywhere a command could have run it.
        QStringList places{repo.path(), d, QDir::currentPath(), QDir::homePath(),
                           QStringLiteral("/tmp")};
        for (const QString &dir : QDir(d).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            places << d + u'/' + dir << d + u'/' + dir + QStringLiteral("/worktree");
        for (const QString &place : places)
            for (const QString &f :
                 QDir(place).entryList({QStringLiteral("pwned*")}, QDir::Files | QDir::Hidden))
                QFAIL(
                    qPrintable(QStringLiteral("a hostile value ran as code: %1/%2").arg(place, f)));
        // git's own state kept the branch names as they are.
        QVERIFY(readText(repo.path() + QStringLiteral("/.git/BISECT_START")).trimmed() == headRef);
    }

    // Under umask 000, everything the workbench makes for a session — the directory and
    // the parents it had to create, the database with its WAL and SHM, the recipe copy,
    // the bisect log, every step's directory and log — is owner-only, and so is a PDF
    // report. (The worktree inside is git's checkout; the 0700 session directory guards it.)
    void filesAreOwnerOnly() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        bw::test::commitLinearHistory(repo, 6, 3);
        const QString recipe = d + QStringLiteral("/perm.toml");
        QVERIFY(bw::test::writeFile(
            recipe, "[build]\ncommand = [\"sh\", \"-c\", \"echo building\"]\n"
                    "[test]\ncommand = [\"sh\", \"-c\", \"echo testing; test ! -e bug\"]\n"));
        const QString parents = d + QStringLiteral("/perm-parent/sessions");
        const QString session = parents + QStringLiteral("/one");
        const RunResult r =
            run(repo,
                {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                 QStringLiteral("--good"), QStringLiteral("c0"), QStringLiteral("--bad"),
                 QStringLiteral("c5"), QStringLiteral("--session"), session},
                true);
        QVERIFY2(r.exitCode == 0, qPrintable(QString::fromUtf8(r.out + r.err)));
        const QString worktree = session + QStringLiteral("/worktree");
        const QStringList files = filesUnder(session, worktree);
        const QStringList dirs = dirsUnder(session, worktree);
        QVERIFY2(files.contains(session + QStringLiteral("/session.sqlite")),
                 qPrintable(files.join(u' ')));
        QVERIFY(files.contains(session + QStringLiteral("/recipe.toml")));
        QVERIFY(files.contains(session + QStringLiteral("/bisect.log")));
        QVERIFY(files.contains(session + QStringLiteral("/steps/0001/test.log")));
        QVERIFY(dirs.contains(session + QStringLiteral("/steps/0001")));
        QStringList loose;
        for (const QString &f : files)
            if (modeOf(f) & 077)
                loose << QStringLiteral("%1 %2").arg(modeOf(f), 4, 8, QLatin1Char('0')).arg(f);
        for (const QString &dir : dirs + QStringList{parents, d + QStringLiteral("/perm-parent")})
            if (modeOf(dir) != 0700)
                loose << QStringLiteral("%1 %2").arg(modeOf(dir), 4, 8, QLatin1Char('0')).arg(dir);
        QVERIFY2(loose.isEmpty(), qPrintable(loose.join(u'\n')));

        const QString pdf = d + QStringLiteral("/perm-report.pdf");
        const RunResult report =
            run(repo, {QStringLiteral("report"), session, QStringLiteral("--output"), pdf}, true);
        QVERIFY2(report.exitCode == 0, report.err.constData());
        QCOMPARE(modeOf(pdf), mode_t(0600));
        for (const char *format : {"md", "html", "json", "log"}) {
            const QString out = d + QStringLiteral("/perm-report.") + QLatin1String(format);
            const RunResult text =
                run(repo,
                    {QStringLiteral("report"), session, QStringLiteral("--format"),
                     QLatin1String(format), QStringLiteral("--output"), out},
                    true);
            QVERIFY2(text.exitCode == 0, text.err.constData());
            QCOMPARE(modeOf(out), mode_t(0600));
        }
    }

    // A run that logs in with a private key and names a webhook with a token: neither the
    // key nor the token lands in a log or a report; the token only in the session's copy
    // of the recipe (owner-only: it is what a resumed session notifies with).
    void keysAndTokensStayOut() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        bw::test::commitLinearHistory(repo, 6, 3);
        const QByteArray secretUser = "hookuser";
        const QByteArray secretPass = "pa55-S3CRET-word";
        const QByteArray pathToken = "T0KEN-in-the-path-7f3a";
        const QByteArray queryToken = "Q-T0KEN-9c1d";
        const QString webhook =
            QStringLiteral("http://%1:%2@127.0.0.1:9/hooks/%3?token=%4")
                .arg(QString::fromLatin1(secretUser), QString::fromLatin1(secretPass),
                     QString::fromLatin1(pathToken), QString::fromLatin1(queryToken));
        const QString recipe = d + QStringLiteral("/secrets.toml");
        QVERIFY(bw::test::writeFile(
            recipe,
            (QStringLiteral("[build]\nkind = \"none\"\n") + sshWait() +
             QStringLiteral("[test]\nkind = \"remote-command\"\n"
                            "command = 'echo remote on ${short}; test ! -e ${worktree}/bug'\n"
                            "[notify]\ndesktop = false\nwebhook = \"%1\"\n")
                 .arg(webhook))
                .toUtf8()));
        const QString session = d + QStringLiteral("/secrets");
        const RunResult r =
            run(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                       QStringLiteral("--good"), QStringLiteral("c0"), QStringLiteral("--bad"),
                       QStringLiteral("c5"), QStringLiteral("--session"), session});
        QVERIFY2(r.exitCode == 0, qPrintable(QString::fromUtf8(r.out + r.err)));
        const QList<QJsonObject> steps = journal(session);
        QVERIFY(!steps.isEmpty());
        QVERIFY2(
            readText(steps.first().value(u"log_dir").toString() + QStringLiteral("/pipeline.log"))
                    .contains(QStringLiteral("ssh: connecting")) ||
                readText(steps.first().value(u"log_dir").toString() +
                         QStringLiteral("/pipeline.log"))
                    .contains(QStringLiteral("wait: for SSH")),
            "the run did not use SSH");
        QStringList reports;
        for (const char *format : {"md", "html", "json", "pdf"}) {
            const QString out = d + QStringLiteral("/secrets-report.") + QLatin1String(format);
            const RunResult rep =
                run(repo, {QStringLiteral("report"), session, QStringLiteral("--format"),
                           QLatin1String(format), QStringLiteral("--output"), out});
            QVERIFY2(rep.exitCode == 0, rep.err.constData());
            reports << out;
        }
        // The report still says that a webhook was configured, and where (host only).
        QVERIFY2(readText(reports.first()).contains(QStringLiteral("http://127.0.0.1:9")),
                 qPrintable(readText(reports.first())));

        // The private key: not a line of it, anywhere.
        QList<QByteArray> keyLines;
        for (const QByteArray &l : readBytes(d + QStringLiteral("/id_ed25519")).split('\n'))
            if (l.size() >= 40 && !l.startsWith("-----"))
                keyLines << l;
        QVERIFY(!keyLines.isEmpty());
        const QStringList everything = filesUnder(session) + reports;
        QVERIFY(everything.size() > 8);
        for (const QByteArray &l : keyLines)
            QVERIFY2(containing(everything, l).isEmpty(),
                     qPrintable(containing(everything, l).join(u'\n')));
        QVERIFY2(containing(everything, "PRIVATE KEY").isEmpty(),
                 qPrintable(containing(everything, "PRIVATE KEY").join(u'\n')));

        // The webhook's secrets: in no log, journal or report.
        const QStringList recipeCopies{session + QStringLiteral("/recipe.toml"),
                                       session + QStringLiteral("/session.sqlite"),
                                       session + QStringLiteral("/session.sqlite-wal")};
        for (const QByteArray &secret : {secretPass, pathToken, queryToken}) {
            QStringList hits = containing(everything, secret);
            for (const QString &copy : recipeCopies)
                hits.removeAll(copy);
            QVERIFY2(hits.isEmpty(),
                     qPrintable(QString::fromLatin1(secret) + u'\n' + hits.join(u'\n')));
        }
        QVERIFY(readBytes(session + QStringLiteral("/recipe.toml")).contains(pathToken));
    }

    // known_hosts records another key for the host: the run refuses the connection,
    // names the host, the key type, the fingerprint it was shown and the known_hosts line
    // of the old key, pauses for a human at once, marks nothing, and changes no file.
    void changedHostKeyIsRefusedInARun() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        bw::test::commitLinearHistory(repo, 6, 3);
        const QString other =
            readText(d + QStringLiteral("/otherkey.pub")).section(u' ', 0, 1).trimmed();
        const QString knownHosts = d + QStringLiteral("/known_hosts_changed");
        const QByteArray recorded = QStringLiteral("# the old machine\n[127.0.0.1]:%1 %2\n")
                                        .arg(m_sshd.port)
                                        .arg(other)
                                        .toUtf8();
        QVERIFY(bw::test::writeFile(knownHosts, recorded));
        const RunResult fp =
            bw::test::run(QStringLiteral("ssh-keygen"), {QStringLiteral("-l"), QStringLiteral("-f"),
                                                         d + QStringLiteral("/hostkey.pub")});
        const QString fingerprint = QString::fromUtf8(fp.out).section(u' ', 1, 1);
        QVERIFY2(fingerprint.startsWith(QStringLiteral("SHA256:")), fp.out.constData());
        const QString recipe = d + QStringLiteral("/changed.toml");
        QVERIFY(bw::test::writeFile(
            recipe, (QStringLiteral("[build]\nkind = \"none\"\n") + sshWait(knownHosts) +
                     QStringLiteral("[test]\nkind = \"remote-command\"\ncommand = \"true\"\n"))
                        .toUtf8()));
        const QString session = d + QStringLiteral("/changed");
        const RunResult r =
            run(repo, {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                       QStringLiteral("--good"), QStringLiteral("c0"), QStringLiteral("--bad"),
                       QStringLiteral("c5"), QStringLiteral("--session"), session});
        const QString err = QString::fromUtf8(r.err);
        qInfo().noquote() << err.trimmed();
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(err.contains(QStringLiteral("paused")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("has changed")), qPrintable(err));
        QVERIFY2(err.contains(fingerprint), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("ssh-ed25519")), qPrintable(err));
        QVERIFY2(err.contains(knownHosts + QStringLiteral(":2")), qPrintable(err));
        QVERIFY(culpritIn(QString::fromUtf8(r.out)).isEmpty());
        QVERIFY(markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG"))).isEmpty());
        const QList<QJsonObject> steps = journal(session);
        QCOMPARE(steps.size(), 1); // no retry can fix it
        QCOMPARE(steps.first().value(u"verdict").toString(), QStringLiteral("ask"));
        QCOMPARE(stageOf(steps.first(), QStringLiteral("wait")).value(u"outcome").toString(),
                 QStringLiteral("error"));
        QVERIFY(stageOf(steps.first(), QStringLiteral("test")).isEmpty());
        QCOMPARE(readBytes(knownHosts), recorded);
    }
};

QTEST_GUILESS_MAIN(TestSecurity)
#include "tst_security.moc"
