#include "tests/support/TestRepo.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QProcess>

namespace bw::test {

RunResult run(const QString &program, const QStringList &args, const QString &workDir,
              const QProcessEnvironment &env, const QByteArray &stdinData, int timeoutMs) {
    RunResult r;
    QProcess p;
    p.setProcessEnvironment(env);
    if (!workDir.isEmpty())
        p.setWorkingDirectory(workDir);
    p.start(program, args);
    if (!p.waitForStarted(timeoutMs))
        return r;
    r.started = true;
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        r.exitCode = -2;
    } else {
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

TestRepo::TestRepo() {
    m_env = QProcessEnvironment::systemEnvironment();
    m_env.insert(QStringLiteral("HOME"), m_dir.path());
    m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_dir.path());
    m_env.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    m_env.insert(QStringLiteral("GIT_AUTHOR_NAME"), QStringLiteral("T"));
    m_env.insert(QStringLiteral("GIT_AUTHOR_EMAIL"), QStringLiteral("t@example.com"));
    m_env.insert(QStringLiteral("GIT_COMMITTER_NAME"), QStringLiteral("T"));
    m_env.insert(QStringLiteral("GIT_COMMITTER_EMAIL"), QStringLiteral("t@example.com"));
    m_env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    m_env.remove(QStringLiteral("GIT_DIR"));
    m_env.remove(QStringLiteral("GIT_WORK_TREE"));
    m_ok = git({QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"),
                QStringLiteral("main"), QStringLiteral(".")})
               .exitCode == 0;
}

RunResult TestRepo::git(const QStringList &args, const QByteArray &stdinData) const {
    QProcessEnvironment env = m_env;
    const QString date = QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::UTC)
                             .addSecs(m_time)
                             .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss +0000"));
    env.insert(QStringLiteral("GIT_AUTHOR_DATE"), date);
    env.insert(QStringLiteral("GIT_COMMITTER_DATE"), date);
    return run(QStringLiteral("git"), args, m_dir.path(), env, stdinData);
}

QString TestRepo::gitOut(const QStringList &args) const {
    const RunResult r = git(args);
    return r.exitCode == 0 ? QString::fromUtf8(r.out).trimmed() : QString();
}

QString TestRepo::commit(const QString &name) {
    tick(m_step);
    git({QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("--allow-empty"),
         QStringLiteral("-m"), name});
    git({QStringLiteral("tag"), name});
    return gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
}

QString TestRepo::merge(const QString &name, const QString &other) {
    tick(m_step);
    git({QStringLiteral("merge"), QStringLiteral("-q"), QStringLiteral("--no-ff"),
         QStringLiteral("-m"), name, other});
    git({QStringLiteral("tag"), name});
    return gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
}

bool TestRepo::fastImport(const QByteArray &stream) {
    return git({QStringLiteral("fast-import"), QStringLiteral("--quiet")}, stream).exitCode == 0;
}

bool writeFile(const QString &path, const QByteArray &content) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

bool TestRepo::writeFile(const QString &name, const QByteArray &content) const {
    return test::writeFile(m_dir.path() + u'/' + name, content);
}

QMap<QString, QString> bisectSnapshot(const TestRepo &repo) {
    QMap<QString, QString> s;
    s.insert(QStringLiteral("refs"),
             repo.gitOut({QStringLiteral("for-each-ref"), QStringLiteral("refs/bisect/")}));
    s.insert(QStringLiteral("HEAD"),
             repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")}));
    const QDir git(repo.path() + QStringLiteral("/.git"));
    for (const QString &name : git.entryList({QStringLiteral("BISECT_*")}, QDir::Files)) {
        QFile f(git.filePath(name));
        if (f.open(QIODevice::ReadOnly))
            s.insert(name, QString::fromUtf8(f.readAll()));
    }
    return s;
}

QString TestRepo::workbenchBinary() {
    return qEnvironmentVariable("BW_BINARY");
}

RunResult TestRepo::workbench(const QStringList &args, const QByteArray &stdinData) const {
    return run(workbenchBinary(), args, m_dir.path(), m_env, stdinData);
}

void commitLinearHistory(TestRepo &repo, int n, int bugAt) {
    for (int i = 0; i < n; ++i) {
        repo.writeFile(QStringLiteral("f%1").arg(i), "x");
        if (i == bugAt)
            repo.writeFile(QStringLiteral("bug"), "x");
        repo.git({QStringLiteral("add"), QStringLiteral("-A")});
        repo.commit(QStringLiteral("c%1").arg(i));
    }
}

} // namespace bw::test
