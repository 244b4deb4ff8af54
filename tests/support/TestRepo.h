#pragma once

#include <QMap>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace bw::test {

struct RunResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    bool started = false;
};

class TestRepo;

// Writes `content` to `path` (replacing it); false when it could not be written whole.
bool writeFile(const QString &path, const QByteArray &content);

// The bisect state as git sees it, to compare two ways of reaching it: the refs under
// refs/bisect/, HEAD, and every BISECT_* file with its content.
QMap<QString, QString> bisectSnapshot(const TestRepo &repo);

// Runs a program to completion (with a deadline) and captures its output.
RunResult run(const QString &program, const QStringList &args, const QString &workDir = {},
              const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
              const QByteArray &stdinData = {}, int timeoutMs = 120000);

// A scratch git repository driven by the real `git` binary, with a reproducible
// environment (fixed identity, no user or system config) so commit ids are stable.
class TestRepo {
public:
    TestRepo();
    [[nodiscard]] bool isValid() const { return m_dir.isValid() && m_ok; }
    [[nodiscard]] QString path() const { return m_dir.path(); }
    [[nodiscard]] QProcessEnvironment env() const { return m_env; }

    // `git args…` in the repository; returns the result.
    RunResult git(const QStringList &args, const QByteArray &stdinData = {}) const;
    // stdout of a successful `git args…`, trimmed; empty on failure.
    QString gitOut(const QStringList &args) const;

    // Sets the commit date used by commit()/merge() (seconds after 2000-01-01).
    void setTime(qint64 seconds) { m_time = seconds; }
    void tick(qint64 step) { m_time += step; }
    // How far commit()/merge() move the clock first (0 gives every commit one date).
    void setStep(qint64 step) { m_step = step; }

    // Spec-style helpers: an empty commit tagged `name`, and a --no-ff merge.
    QString commit(const QString &name);
    QString merge(const QString &name, const QString &other);

    // writeFile() for a file of the work tree.
    bool writeFile(const QString &name, const QByteArray &content) const;

    // Feeds a fast-import stream (much faster than one process per commit).
    bool fastImport(const QByteArray &stream);

    // The path to the workbench binary under test (BW_BINARY from CTest).
    static QString workbenchBinary();
    // Runs the workbench binary with `args` in this repository's environment.
    RunResult workbench(const QStringList &args, const QByteArray &stdinData = {}) const;

private:
    QTemporaryDir m_dir;
    QProcessEnvironment m_env;
    qint64 m_time = 0;
    qint64 m_step = 1;
    bool m_ok = false;
};

// Commits c0 … c<n-1>, one new file each; from c<bugAt> on a file named `bug` exists (the
// planted regression a test command looks for).
void commitLinearHistory(TestRepo &repo, int n, int bugAt);

} // namespace bw::test
