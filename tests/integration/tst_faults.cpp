// Fault injection against the real components, through the real binary (`bisect-workbench
// run`): each fault must end in the documented outcome (RECIPE.md) — a retry that
// recovers, a pause with a message that says what broke, or the verdict the recipe's
// rules give — and never in a wrong verdict or a lost step.
//
// - sshd killed (the listener and every session process) during an upload;
// - the network dropping the SSH connection in the middle of a remote command (a TCP
//   proxy in this test, between the workbench and sshd, resets the connection);
// - a build filling the disk, under the session directory or in a build directory
//   elsewhere (a small tmpfs mounted by this test);
// - the workbench killed (-9) while it waits for SSH and while a remote command runs
//   (the other phases are in tst_pipeline and tst_remote_pipeline);
// - libvirtd killed while a guest boots (a private libvirtd in its own mount namespace,
//   so no other test's daemon is touched);
// - the guest kernel panicking while the step waits for SSH.
//
// Nothing is skipped: a missing component fails the test and says which.

#include "services/pipeline/SessionDirectory.h"
#include "tests/support/SessionProbe.h"
#include "tests/support/Sshd.h"
#include "tests/support/TestRepo.h"
#include "tests/support/TestTools.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <csignal>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using bw::test::culpritIn;
using bw::test::journal;
using bw::test::markLines;
using bw::test::RunResult;
using bw::test::Sshd;
using bw::test::TestRepo;

using bw::test::freePort;
using bw::test::readBytes;
using bw::test::readText;
using bw::test::sourceDir;
using bw::test::tool;
using bw::test::vmScript;

namespace {

constexpr int RunTimeoutMs = 180'000;
constexpr int VmRunTimeoutMs = 300'000;

bool waitFor(const std::function<bool()> &condition, int timeoutMs) {
    return QTest::qWaitFor(condition, timeoutMs);
}

bool processGone(qint64 pid) {
    if (::kill(static_cast<pid_t>(pid), 0) != 0)
        return true;
    const QString stat = readText(QStringLiteral("/proc/%1/stat").arg(pid));
    return stat.section(u')', 1).trimmed().startsWith(u'Z');
}

// Every process whose parent chain leads to `root` (not `root` itself).
QList<pid_t> descendants(pid_t root) {
    QMap<pid_t, pid_t> parent;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool ok = false;
        const pid_t pid = entry.toInt(&ok);
        if (!ok)
            continue;
        const QString stat = readText(QStringLiteral("/proc/%1/stat").arg(pid));
        const QStringList fields = stat.section(u')', 1).trimmed().split(u' ');
        if (fields.size() > 1)
            parent.insert(pid, fields.at(1).toInt());
    }
    QList<pid_t> out;
    for (auto it = parent.begin(); it != parent.end(); ++it)
        for (pid_t p = it.value(), hops = 0; p > 1 && hops < 64; p = parent.value(p, 0), ++hops)
            if (p == root) {
                out << it.key();
                break;
            }
    return out;
}

struct OurRun {
    int exitCode = -1;
    QString out, err;
    QString culprit;
    QStringList marks;
    qint64 ms = 0;
    QString all() const { return out + QStringLiteral("\n--- stderr ---\n") + err; }
};

OurRun runWorkbench(const TestRepo &repo, const QStringList &args, int timeoutMs = RunTimeoutMs) {
    OurRun o;
    QElapsedTimer t;
    t.start();
    const RunResult r =
        bw::test::run(TestRepo::workbenchBinary(), args, repo.path(), repo.env(), {}, timeoutMs);
    o.ms = t.elapsed();
    o.exitCode = r.exitCode;
    o.out = QString::fromUtf8(r.out);
    o.err = QString::fromUtf8(r.err);
    o.culprit = culpritIn(o.out);
    o.marks = markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
    return o;
}

OurRun runBisect(const TestRepo &repo, const QString &recipe, const QString &good,
                 const QString &bad, const QString &session, int timeoutMs = RunTimeoutMs) {
    return runWorkbench(repo,
                        {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                         QStringLiteral("--good"), good, QStringLiteral("--bad"), bad,
                         QStringLiteral("--session"), session},
                        timeoutMs);
}

OurRun resume(const TestRepo &repo, const QString &session, int timeoutMs = RunTimeoutMs) {
    return runWorkbench(repo, {QStringLiteral("run"), QStringLiteral("--session"), session},
                        timeoutMs);
}

QJsonObject stageOf(const QJsonObject &step, const QString &name) {
    for (const QJsonValue &v : step.value(u"stages").toArray())
        if (v.toObject().value(u"stage").toString() == name)
            return v.toObject();
    return {};
}

QString describe(const QList<QJsonObject> &steps) {
    QStringList lines;
    for (const QJsonObject &s : steps)
        lines << QString::fromUtf8(QJsonDocument(s).toJson(QJsonDocument::Compact));
    return lines.join(u'\n');
}

QString sessionStatus(const QString &session) {
    auto dir = bw::pipeline::SessionDirectory::open(session);
    if (!dir)
        return {};
    auto info = dir->readInfo();
    return info ? info->status : QString();
}

// Commits c0 … c{n-1}; from c{culprit} on, `state` says "bug" (else "ok").
QStringList makeHistory(TestRepo &repo, int n, int culprit) {
    QStringList ids;
    for (int i = 0; i < n; ++i) {
        repo.writeFile(QStringLiteral("state"), i >= culprit ? "bug\n" : "ok\n");
        repo.git({QStringLiteral("add"), QStringLiteral("-A")});
        ids << repo.commit(QStringLiteral("c%1").arg(i));
    }
    return ids;
}

// The verdicts of a journal, and a check that no commit got two of them (retries and
// interrupted runs carry "retry", which is no verdict).
QStringList verdictsOf(const QList<QJsonObject> &steps) {
    QStringList v;
    for (const QJsonObject &s : steps)
        v << s.value(u"verdict").toString();
    return v;
}

bool eachCommitJudgedOnce(const QList<QJsonObject> &steps) {
    QStringList judged;
    for (const QJsonObject &s : steps) {
        const QString v = s.value(u"verdict").toString();
        if (v == u"good" || v == u"bad" || v == u"skip")
            judged << s.value(u"commit").toString();
    }
    return judged.removeDuplicates() == 0;
}

// A loopback TCP proxy on its own thread: forwards every connection to `target`, and
// resets all of them on cut() (SO_LINGER 0: an RST both ways, as a router that drops
// the connection would leave it).
class TcpProxy {
public:
    ~TcpProxy() { stop(); }

    bool start(int target) {
        m_target = target;
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (m_listen < 0 || ::pipe2(m_wake, O_CLOEXEC | O_NONBLOCK) != 0)
            return false;
        const int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (::bind(m_listen, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
            ::listen(m_listen, 16) != 0 ||
            ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
            return false;
        m_port = ntohs(addr.sin_port);
        m_thread = std::thread([this] { loop(); });
        return true;
    }
    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] int accepted() const { return m_accepted.load(); }
    [[nodiscard]] int resets() const { return m_resets.load(); }
    // Resets every open connection (new ones are forwarded again).
    void cut() { poke('c'); }
    void stop() {
        if (m_thread.joinable()) {
            poke('q');
            m_thread.join();
        }
        for (int fd : {m_listen, m_wake[0], m_wake[1]})
            if (fd >= 0)
                ::close(fd);
        m_listen = m_wake[0] = m_wake[1] = -1;
    }

private:
    struct Pair {
        int a, b; // client, server
    };
    void poke(char c) {
        if (m_wake[1] >= 0)
            (void)!::write(m_wake[1], &c, 1);
    }
    static void closePair(const Pair &p, bool reset) {
        for (int fd : {p.a, p.b}) {
            if (reset) {
                const linger l{1, 0};
                ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
            }
            ::close(fd);
        }
    }
    static bool writeAll(int fd, const char *data, ssize_t n) {
        while (n > 0) {
            const ssize_t w = ::send(fd, data, size_t(n), MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0 && errno == EAGAIN) {
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, 1000);
                continue;
            }
            if (w <= 0)
                return false;
            data += w;
            n -= w;
        }
        return true;
    }
    void loop() {
        std::vector<Pair> pairs;
        char buf[64 * 1024];
        for (;;) {
            std::vector<pollfd> fds{{m_wake[0], POLLIN, 0}, {m_listen, POLLIN, 0}};
            for (const Pair &p : pairs) {
                fds.push_back({p.a, POLLIN, 0});
                fds.push_back({p.b, POLLIN, 0});
            }
            if (::poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR)
                break;
            if (fds[0].revents) {
                char c = 0;
                while (::read(m_wake[0], &c, 1) == 1) {
                    if (c == 'q') {
                        for (const Pair &p : pairs)
                            closePair(p, false);
                        return;
                    }
                    if (c == 'c') {
                        for (const Pair &p : pairs)
                            closePair(p, true);
                        m_resets += int(pairs.size());
                        pairs.clear();
                    }
                }
                continue; // the descriptors changed
            }
            const size_t polled = pairs.size(); // pairs accepted below were not polled yet
            if (fds[1].revents & POLLIN) {
                const int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
                if (client >= 0) {
                    const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                    sockaddr_in addr{};
                    addr.sin_family = AF_INET;
                    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                    addr.sin_port = htons(uint16_t(m_target));
                    if (server >= 0 &&
                        ::connect(server, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
                        pairs.push_back({client, server});
                        ++m_accepted;
                    } else {
                        ::close(client);
                        if (server >= 0)
                            ::close(server);
                    }
                }
            }
            std::vector<Pair> alive(pairs.begin() + long(polled), pairs.end());
            for (size_t i = 0; i < polled; ++i) {
                const Pair &p = pairs[i];
                bool ok = true;
                for (int side = 0; side < 2 && ok; ++side) {
                    const pollfd &f = fds[2 + 2 * i + side];
                    if (!(f.revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                    const int from = side == 0 ? p.a : p.b;
                    const int to = side == 0 ? p.b : p.a;
                    const ssize_t n = ::recv(from, buf, sizeof buf, 0);
                    ok = n > 0 && writeAll(to, buf, n);
                }
                if (ok)
                    alive.push_back(p);
                else
                    closePair(p, false);
            }
            pairs = std::move(alive);
        }
    }

    int m_target = 0;
    int m_port = 0;
    int m_listen = -1;
    int m_wake[2] = {-1, -1};
    std::atomic<int> m_accepted{0};
    std::atomic<int> m_resets{0};
    std::thread m_thread;
};

// Reads a FIFO again and again (each opening is one "session"), as the far end of an
// upload. Holds the first session after `holdAfter` bytes until release(), so a fault
// lands while the upload is certainly in flight, then drops that session.
class FifoReader {
public:
    FifoReader(QString path, qint64 holdAfter)
        : m_path(std::move(path))
        , m_holdAfter(holdAfter) {}
    ~FifoReader() { stop(); }

    bool start() {
        ::unlink(QFile::encodeName(m_path).constData()); // a previous run's
        if (::mkfifo(QFile::encodeName(m_path).constData(), 0600) != 0)
            return false;
        m_thread = std::thread([this] { loop(); });
        return true;
    }
    [[nodiscard]] bool holding() const { return m_holding.load(); }
    void release() {
        std::lock_guard lock(m_mutex);
        m_released = true;
        m_cv.notify_all();
    }
    [[nodiscard]] std::vector<qint64> sessions() const {
        std::lock_guard lock(m_mutex);
        return m_sessions;
    }
    // The held upload's writer still had the FIFO open 20 s after release().
    [[nodiscard]] bool writerLingered() const {
        std::lock_guard lock(m_mutex);
        return m_writerLingered;
    }
    void stop() {
        if (!m_thread.joinable())
            return;
        m_stop = true;
        release();
        // A reader blocked in open() needs a writer to come and go.
        const int fd = ::open(QFile::encodeName(m_path).constData(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0)
            ::close(fd);
        m_thread.join();
    }

private:
    void loop() {
        char buf[64 * 1024];
        while (!m_stop.load()) {
            int fd = ::open(QFile::encodeName(m_path).constData(), O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                return;
            qint64 total = 0;
            {
                std::lock_guard lock(m_mutex);
                m_sessions.push_back(0);
            }
            for (;;) {
                const ssize_t n = ::read(fd, buf, sizeof buf);
                if (n <= 0)
                    break;
                total += n;
                {
                    std::lock_guard lock(m_mutex);
                    m_sessions.back() = total;
                }
                if (!m_heldOnce && total >= m_holdAfter) {
                    // Held mid-upload until the fault is in place; then this upload is
                    // abandoned (its writer is gone) and the next one starts clean.
                    m_heldOnce = true;
                    m_holding = true;
                    std::unique_lock lock(m_mutex);
                    m_cv.wait(lock, [this] { return m_released; });
                    m_holding = false;
                    lock.unlock();
                    ::close(fd);
                    // The next opening must start a new pipe: wait until the broken
                    // upload's writer has let go too, or its buffered bytes would be
                    // counted as the next upload's.
                    bool alone = false;
                    for (int i = 0; i < 400 && !(alone = openers() == 0); ++i)
                        std::this_thread::sleep_for(std::chrono::milliseconds(50));
                    std::lock_guard held(m_mutex);
                    m_writerLingered = !alone;
                    fd = -1;
                    break;
                }
            }
            if (fd >= 0)
                ::close(fd);
        }
    }

    // How many descriptors of any process have the FIFO open.
    int openers() const {
        const QString target = QFileInfo(m_path).canonicalFilePath();
        int n = 0;
        for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
            for (const QFileInfo &f : fds.entryInfoList(QDir::System | QDir::NoDotAndDotDot))
                if (f.symLinkTarget() == target)
                    ++n;
        }
        return n;
    }

    QString m_path;
    qint64 m_holdAfter;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_released = false;
    bool m_heldOnce = false;
    bool m_writerLingered = false;
    std::atomic<bool> m_holding{false};
    std::atomic<bool> m_stop{false};
    std::vector<qint64> m_sessions;
};

// A tmpfs of `size` mounted on a fresh directory, unmounted (lazily) on destruction.
struct SmallDisk {
    QTemporaryDir dir;
    bool mounted = false;
    QString error;
    explicit SmallDisk(const QString &size) {
        const RunResult r = bw::test::run(QStringLiteral("mount"),
                                          {QStringLiteral("-t"), QStringLiteral("tmpfs"),
                                           QStringLiteral("-o"), QStringLiteral("size=") + size,
                                           QStringLiteral("bw-faults"), dir.path()});
        mounted = r.exitCode == 0;
        error = QString::fromUtf8(r.err);
    }
    ~SmallDisk() {
        if (mounted)
            bw::test::run(QStringLiteral("umount"), {QStringLiteral("-l"), dir.path()});
    }
    QString path() const { return dir.path(); }
};

// Direct kernel boot under TCG, serial console, no network.
const char *GuestTemplate =
    R"(<domain type='qemu'>
  <name>${domain}</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>${kernel}</kernel>
    <initrd>${initrd}</initrd>
    <cmdline>${cmdline}</cmdline>
  </os>
  <features><acpi/></features>
  <cpu mode='maximum'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
)";

// Starts libvirtd (and virtlogd, the first time) in a mount namespace of their own: /run
// is a private tmpfs and libvirt's state, cache, log and domain-config directories are
// this test's, so killing this daemon touches no other test's libvirtd or guests. The
// socket is reachable from outside at `dir`/run/libvirt-sock.
const char *PrivateLibvirtd = R"SH(#!/bin/sh
set -eu
P=$1
mount -t tmpfs bw-faults-run /run
mkdir -p /run/libvirt /run/lock
mount --bind "$P/run" /run/libvirt
mount --bind "$P/lib" /var/lib/libvirt
mount --bind "$P/cache" /var/cache/libvirt
mount --bind "$P/log" /var/log/libvirt
if [ -d /etc/libvirt/qemu ]; then mount --bind "$P/etc-qemu" /etc/libvirt/qemu; fi
if ! { [ -s "$P/virtlogd.pid" ] && kill -0 "$(cat "$P/virtlogd.pid")" 2 > / dev / null;
}; then
  virtlogd >>"$P/virtlogd.out" 2>&1 &
  echo $! >"$P/virtlogd.pid"
fi
exec libvirtd >>"$P/libvirtd.out" 2>&1
)SH";

} // namespace

class TestFaults : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;
    QString d;
    QString m_remote;
    Sshd m_sshd;
    QString m_knownHosts; // one line per port that reaches m_sshd's host key
    QString m_hostKey;
    QElapsedTimer m_total;

    // The VM parts, set up by the first VM test.
    bool m_vmReady = false;
    QString m_kernel, m_template;
    QString m_domain = QStringLiteral("bw-faults-%1").arg(QCoreApplication::applicationPid());
    QString m_libvirtDir; // the private libvirtd's directories
    pid_t m_libvirtd = -1;
    QSet<QByteArray> m_namespaces; // the mount namespaces the private daemons run in

    static QByteArray mountNamespaceOf(pid_t pid) {
        char buf[128] = {};
        const QByteArray link = QFile::encodeName(QStringLiteral("/proc/%1/ns/mnt").arg(pid));
        const ssize_t n = ::readlink(link.constData(), buf, sizeof buf - 1);
        return n > 0 ? QByteArray(buf, int(n)) : QByteArray();
    }

    // The processes living in this test's private mount namespaces: libvirtd, virtlogd,
    // the QEMU they started.
    QList<pid_t> privateProcesses() const {
        QList<pid_t> out;
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            bool ok = false;
            const pid_t pid = entry.toInt(&ok);
            if (ok && m_namespaces.contains(mountNamespaceOf(pid)) && !processGone(pid))
                out << pid;
        }
        return out;
    }

    void trustPort(int port) {
        QFile f(m_knownHosts);
        QVERIFY(f.open(QIODevice::Append));
        f.write(QStringLiteral("[127.0.0.1]:%1 %2\n").arg(port).arg(m_hostKey).toUtf8());
    }

    QString sshWait(int port, const QString &timeout = QStringLiteral("20s")) const {
        return QStringLiteral("[wait]\nkind = \"ssh\"\nhost = \"127.0.0.1\"\nport = %1\n"
                              "user = \"root\"\nidentity = \"%2/id_ed25519\"\n"
                              "known_hosts = \"%3\"\ntimeout = \"%4\"\n")
            .arg(port)
            .arg(d, m_knownHosts, timeout);
    }

    QString writeRecipe(const QString &name, const QString &text) {
        const QString path = d + u'/' + name + QStringLiteral(".toml");
        return bw::test::writeFile(path, text.toUtf8()) ? path : QString();
    }

    // Kills an sshd the way a crash would: the listener and every session process at once.
    static void killSshdTree(Sshd &sshd) {
        const pid_t root = sshd.pid;
        const QList<pid_t> children = descendants(root);
        ::kill(root, SIGKILL);
        for (pid_t p : children)
            ::kill(p, SIGKILL);
        sshd.stop(); // reaps it
        // Gone for good (their descriptors closed), before anything else goes on.
        for (pid_t p : children)
            (void)QTest::qWaitFor([p] { return processGone(p); }, 10'000);
    }

    QString libvirtUri() const {
        return QStringLiteral("qemu:///system?socket=%1/run/libvirt-sock").arg(m_libvirtDir);
    }

    bool virsh(const QStringList &args, QByteArray &out, QString &why, int timeoutMs = 20'000) {
        return tool(QStringLiteral("virsh"), QStringList{QStringLiteral("-c"), libvirtUri()} + args,
                    out, why, timeoutMs);
    }

    bool startLibvirtd(QString &why) {
        const QString script = m_libvirtDir + QStringLiteral("/start.sh");
        const QByteArray scriptPath = QFile::encodeName(script);
        const QByteArray dir = QFile::encodeName(m_libvirtDir);
        const char *argv[] = {"unshare",       "--mount", "--propagation",
                              "private",       "sh",      scriptPath.constData(),
                              dir.constData(), nullptr};
        if (::posix_spawnp(&m_libvirtd, argv[0], nullptr, nullptr, const_cast<char **>(argv),
                           environ) != 0) {
            why = QStringLiteral("cannot start unshare");
            m_libvirtd = -1;
            return false;
        }
        QElapsedTimer t;
        t.start();
        QByteArray out;
        while (t.elapsed() < 90'000) {
            int status = 0;
            if (::waitpid(m_libvirtd, &status, WNOHANG) == m_libvirtd) {
                m_libvirtd = -1;
                why = QStringLiteral("the private libvirtd exited: ") +
                      readText(m_libvirtDir + QStringLiteral("/libvirtd.out")).right(2000);
                return false;
            }
            QString ignored;
            if (virsh({QStringLiteral("version")}, out, ignored, 10'000)) {
                m_namespaces.insert(mountNamespaceOf(m_libvirtd));
                qInfo() << "private libvirtd" << m_libvirtd << "ready in" << t.elapsed() << "ms";
                return true;
            }
            QTest::qWait(100);
        }
        why = QStringLiteral("the private libvirtd did not answer within 90 s");
        return false;
    }

    void killLibvirtd() {
        if (m_libvirtd <= 0)
            return;
        ::kill(m_libvirtd, SIGKILL);
        ::waitpid(m_libvirtd, nullptr, 0);
        m_libvirtd = -1;
    }

    // QEMU processes of this test's guests (by the domain name on their command line).
    QList<pid_t> guestProcesses() const {
        QList<pid_t> out;
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            bool ok = false;
            const pid_t pid = entry.toInt(&ok);
            if (!ok)
                continue;
            const QByteArray cmd = readBytes(QStringLiteral("/proc/%1/cmdline").arg(pid));
            if (cmd.startsWith("/usr/bin/qemu-system") &&
                cmd.contains(("guest=" + m_domain + u',').toUtf8()))
                out << pid;
        }
        return out;
    }

    bool prepareVm(QString &why) {
        if (m_vmReady)
            return true;
        QByteArray out;
        if (!tool(QStringLiteral("bash"), {vmScript("guest-kernel.sh")}, out, why, 600'000)) {
            why = QStringLiteral("cannot get Debian's guest kernel: ") + why;
            return false;
        }
        m_kernel = QString::fromUtf8(out.trimmed().split('\n').last());
        if (!QFile::exists(m_kernel)) {
            why = QStringLiteral("guest-kernel.sh gave %1, which is missing").arg(m_kernel);
            return false;
        }
        m_template = d + QStringLiteral("/guest.xml");
        if (!bw::test::writeFile(m_template, GuestTemplate)) {
            why = QStringLiteral("cannot write the domain template");
            return false;
        }
        // The one-time system setup (libvirt-qemu user, qemu.conf) the shared fixture does.
        if (!tool(QStringLiteral("bash"),
                  {vmScript("libvirtd-fixture.sh"), QStringLiteral("prepare")}, out, why, 60'000))
            return false;
        m_libvirtDir = d + QStringLiteral("/libvirt");
        for (const char *sub : {"run", "lib", "cache", "log", "etc-qemu"})
            if (!QDir().mkpath(m_libvirtDir + u'/' + QLatin1String(sub))) {
                why = QStringLiteral("cannot create %1/%2").arg(m_libvirtDir, QLatin1String(sub));
                return false;
            }
        // A warm capability cache spares the private daemon the cold QEMU probe (4-5 s).
        (void)tool(QStringLiteral("cp"),
                   {QStringLiteral("-a"), QStringLiteral("/var/cache/libvirt/."),
                    m_libvirtDir + QStringLiteral("/cache/")},
                   out, why);
        if (!bw::test::writeFile(m_libvirtDir + QStringLiteral("/start.sh"), PrivateLibvirtd)) {
            why = QStringLiteral("cannot write the libvirtd launcher");
            return false;
        }
        if (!startLibvirtd(why))
            return false;
        m_vmReady = true;
        return true;
    }

    // A build script: packs an initramfs at $1 whose init prints BW-GUEST-READY, then
    // ticks on the console forever — or, when the commit has a file `panic`, lets init
    // exit (the kernel panics: "Attempted to kill init!").
    QString writeGuestBuild(const QString &name) {
        const QString text =
            QStringLiteral("#!/bin/sh\nset -eu\nTHEN=tick\n[ -e panic ] && THEN=panic\n"
                           "exec bash '%1' \"$1\" --marker BW-GUEST-READY --then \"$THEN\"\n")
                .arg(vmScript("make-initramfs.sh"));
        const QString path = d + u'/' + name;
        return bw::test::writeFile(path, text.toUtf8()) ? path : QString();
    }

    QString guestDeploy(const QString &build) const {
        return QStringLiteral("[build]\nkind = \"command\"\n"
                              "command = [\"sh\", \"%1\", \"${session}/initrd-${short}.img\"]\n"
                              "timeout = \"2m\"\n"
                              "[deploy]\nkind = \"libvirt-kernel\"\nuri = \"%2\"\n"
                              "xml = \"%3\"\ndomain = \"%4\"\nkernel = \"%5\"\n"
                              "initrd = \"${session}/initrd-${short}.img\"\n"
                              "cmdline = \"console=ttyS0 panic=-1\"\ntimeout = \"2m\"\n")
            .arg(build, libvirtUri(), m_template, m_domain, m_kernel);
    }

    // Three commits whose stress.sh passes, passes, then fails: the last is the culprit.
    static QStringList passPassFail(TestRepo &repo) {
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            repo.writeFile(QStringLiteral("stress.sh"), i < 2 ? "true\n" : "false\n");
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            ids << repo.commit(QStringLiteral("c%1").arg(i));
        }
        return ids;
    }

    // Starts `bisect-workbench run` over `ids` on a guest recipe named `name`: the guest
    // build, the private libvirtd's deploy, the [wait] table `wait`, and stress.sh as the
    // test. Returns the session directory, empty when the run could not start.
    QString startGuestRun(QProcess &p, const TestRepo &repo, const QStringList &ids,
                          const QString &name, const QString &wait) {
        const QString build = writeGuestBuild(QStringLiteral("build-%1.sh").arg(name));
        if (build.isEmpty())
            return {};
        const QString recipe = writeRecipe(
            name,
            guestDeploy(build) + wait +
                QStringLiteral("[test]\nkind = \"command\"\ncommand = [\"sh\", \"stress.sh\"]\n"));
        const QString session = d + QStringLiteral("/s-") + name;
        p.setProcessEnvironment(repo.env());
        p.setWorkingDirectory(repo.path());
        p.start(TestRepo::workbenchBinary(),
                {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                 QStringLiteral("--good"), ids.first(), QStringLiteral("--bad"), ids.last(),
                 QStringLiteral("--session"), session});
        return p.waitForStarted() ? session : QString();
    }

private slots:
    void initTestCase() {
        m_total.start();
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
        QVERIFY2(!sourceDir().isEmpty(), "BW_SOURCE_DIR not set");
        QVERIFY(m_scratch.isValid());
        d = m_scratch.path();
        if (qEnvironmentVariableIsSet("BW_KEEP_SCRATCH")) {
            m_scratch.setAutoRemove(false);
            qInfo().noquote() << "scratch kept in" << d;
        }
        m_remote = d + QStringLiteral("/remote");
        QVERIFY(QDir().mkpath(m_remote));
        QString error;
        QVERIFY2(bw::test::makeSshKeys(d, {QStringLiteral("hostkey"), QStringLiteral("id_ed25519")},
                                       error),
                 qPrintable(error));
        // No SFTP subsystem: uploads go through `cat > path` on an exec channel (as with
        // dropbear), so an upload can be read at the far end from a FIFO.
        QVERIFY2(m_sshd.start(d, freePort(), false), qPrintable(readText(m_sshd.log)));
        m_hostKey = bw::test::hostKeyOf(d);
        QVERIFY(m_hostKey.startsWith(QStringLiteral("ssh-ed25519 ")));
        m_knownHosts = d + QStringLiteral("/known_hosts");
        QVERIFY(bw::test::writeFile(m_knownHosts, {}));
        trustPort(m_sshd.port);
    }

    void cleanupTestCase() {
        m_sshd.stop();
        if (m_vmReady) {
            QByteArray out;
            QString why;
            (void)virsh({QStringLiteral("destroy"), m_domain}, out, why);
            killLibvirtd();
            for (pid_t p : guestProcesses())
                ::kill(p, SIGKILL);
            // virtlogd and anything else left in the private namespaces, by pid.
            for (pid_t p : privateProcesses())
                ::kill(p, SIGTERM);
            if (!waitFor([this] { return privateProcesses().isEmpty(); }, 10'000))
                for (pid_t p : privateProcesses())
                    ::kill(p, SIGKILL);
            if (!waitFor([this] { return privateProcesses().isEmpty(); }, 5'000))
                qWarning() << "processes of the private libvirtd survived:" << privateProcesses();
        }
        qInfo() << "tst_faults total" << m_total.elapsed() << "ms";
    }

    // sshd dies (listener and sessions, SIGKILL) while an upload is in flight: the lost
    // connection is an infrastructure error, never a verdict; the step is retried, its
    // [wait] finds sshd back, the upload completes and the commit gets its real verdict.
    void sshdKilledDuringTransfer() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 3, 2);
        QByteArray payload(8 * 1024 * 1024, '\0');
        for (int i = 0; i < payload.size(); ++i)
            payload[i] = char((i * 131) & 0xff);
        const QString file = d + QStringLiteral("/payload.bin");
        QVERIFY(bw::test::writeFile(file, payload));
        const QString fifo = m_remote + QStringLiteral("/upload.fifo");
        FifoReader reader(fifo, 1024 * 1024);
        QVERIFY(reader.start());
        const QString recipe =
            writeRecipe(QStringLiteral("sshd-kill"),
                        QStringLiteral("[build]\nkind = \"none\"\n") + sshWait(m_sshd.port) +
                            QStringLiteral("[test]\nkind = \"transfer\"\nfile = \"%1\"\n"
                                           "destination = \"%2\"\ntimeout = \"60s\"\n")
                                .arg(file, fifo));
        const QString session = d + QStringLiteral("/s-sshd-kill");
        QProcess p;
        p.setProcessEnvironment(repo.env());
        p.setWorkingDirectory(repo.path());
        p.start(TestRepo::workbenchBinary(),
                {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                 QStringLiteral("--good"), ids.first(), QStringLiteral("--bad"), ids.last(),
                 QStringLiteral("--session"), session});
        QVERIFY(p.waitForStarted());
        QVERIFY2(waitFor([&] { return reader.holding(); }, 60'000),
                 p.readAllStandardError().constData());
        const int port = m_sshd.port;
        killSshdTree(m_sshd);
        // The broken upload's far end goes too (its writer is dead: nothing of it is left
        // in the FIFO for the next upload's reader).
        reader.release();
        // sshd comes back (as a supervisor would restart it) on the same port.
        QVERIFY2(m_sshd.start(d, port, false), qPrintable(readText(m_sshd.log)));
        QVERIFY(p.waitForFinished(RunTimeoutMs));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        const QList<QJsonObject> steps = journal(session);
        QVERIFY2(p.exitCode() == 0, qPrintable(out + err + u'\n' + describe(steps)));
        QCOMPARE(culpritIn(out), ids.at(2));
        QVERIFY2(out.contains(QStringLiteral("trying again")), qPrintable(out));
        // attempt 1: the upload broke off, an error and no verdict; attempt 2: good
        QCOMPARE(steps.size(), 2);
        QCOMPARE(verdictsOf(steps), (QStringList{QStringLiteral("retry"), QStringLiteral("good")}));
        for (const QJsonObject &s : steps)
            QCOMPARE(s.value(u"commit").toString(), ids.at(1));
        const QJsonObject broken = stageOf(steps.at(0), QStringLiteral("test"));
        QCOMPARE(broken.value(u"outcome").toString(), QStringLiteral("error"));
        QVERIFY2(broken.value(u"message")
                     .toString()
                     .contains(QStringLiteral("connection"), Qt::CaseInsensitive),
                 qPrintable(describe(steps)));
        QCOMPARE(steps.at(1).value(u"attempt").toInt(), 2);
        QCOMPARE(stageOf(steps.at(1), QStringLiteral("test")).value(u"outcome").toString(),
                 QStringLiteral("passed"));
        // The first upload was cut off mid-way, and nothing of it lived on at the far end;
        // the retry's arrived whole.
        QVERIFY2(!reader.writerLingered(), "the broken upload's remote writer outlived sshd");
        const std::vector<qint64> sessions = reader.sessions();
        QVERIFY2(sessions.size() == 2 && sessions.front() < payload.size() &&
                     sessions.back() == payload.size(),
                 qPrintable(QStringLiteral("bytes per upload: %1")
                                .arg(QStringList([&] {
                                         QStringList l;
                                         for (qint64 n : sessions)
                                             l << QString::number(n);
                                         return l;
                                     }())
                                         .join(u' '))));
        QCOMPARE(markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG"))).size(), 1);
        reader.stop();
    }

    // The network drops the SSH connection (RST) while a remote command runs: an
    // infrastructure error, retried; the retry's command runs to its end and decides.
    void networkDropsConnectionMidCommand() {
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 8, 5);
        TcpProxy proxy;
        QVERIFY(proxy.start(m_sshd.port));
        trustPort(proxy.port());
        const QString dir = m_remote + QStringLiteral("/drop");
        const QString gate = d + QStringLiteral("/drop.gate");
        QVERIFY(bw::test::writeFile(gate, "1"));
        // The command says it began, then waits at the gate while the test cuts the line.
        const QString recipe = writeRecipe(
            QStringLiteral("drop"),
            QStringLiteral("[build]\nkind = \"command\"\n"
                           "command = 'mkdir -p %1 && cp state %1/state-${short}'\n")
                    .arg(dir) +
                sshWait(proxy.port()) +
                QStringLiteral("[test]\nkind = \"remote-command\"\n"
                               "command = 'echo \"remote begins ${short}\"; "
                               "while [ -e %1 ]; do sleep 0.05; done; "
                               "test \"$(cat %2/state-${short})\" = ok'\ntimeout = \"60s\"\n")
                    .arg(gate, dir));
        const QString session = d + QStringLiteral("/s-drop");
        QProcess p;
        p.setProcessEnvironment(repo.env());
        p.setWorkingDirectory(repo.path());
        p.start(TestRepo::workbenchBinary(),
                {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                 QStringLiteral("--good"), ids.first(), QStringLiteral("--bad"), ids.last(),
                 QStringLiteral("--session"), session});
        QVERIFY(p.waitForStarted());
        const QString firstLog = session + QStringLiteral("/steps/0001/test.log");
        QVERIFY2(
            waitFor([&] { return readText(firstLog).contains(QStringLiteral("remote begins")); },
                    60'000),
            p.readAllStandardError().constData());
        proxy.cut();
        QVERIFY(waitFor([&] { return proxy.resets() > 0; }, 10'000));
        QFile::remove(gate);
        QVERIFY(p.waitForFinished(RunTimeoutMs));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        const QList<QJsonObject> steps = journal(session);
        QVERIFY2(p.exitCode() == 0, qPrintable(out + err + u'\n' + describe(steps)));
        QCOMPARE(culpritIn(out), ids.at(5));
        QVERIFY(proxy.accepted() >= 2);
        QVERIFY2(steps.size() >= 2, qPrintable(describe(steps)));
        const QJsonObject first = steps.first();
        QCOMPARE(first.value(u"verdict").toString(), QStringLiteral("retry"));
        const QJsonObject cut = stageOf(first, QStringLiteral("test"));
        QCOMPARE(cut.value(u"outcome").toString(), QStringLiteral("error"));
        QVERIFY2(cut.value(u"message")
                         .toString()
                         .contains(QStringLiteral("connection"), Qt::CaseInsensitive) ||
                     cut.value(u"message")
                         .toString()
                         .contains(QStringLiteral("lost"), Qt::CaseInsensitive),
                 qPrintable(describe({first})));
        QCOMPARE(steps.at(1).value(u"commit").toString(), first.value(u"commit").toString());
        QCOMPARE(steps.at(1).value(u"attempt").toInt(), 2);
        QVERIFY(eachCommitJudgedOnce(steps));
        for (const QJsonObject &s : steps) {
            const QString v = s.value(u"verdict").toString();
            if (v == u"retry")
                continue;
            const int index = ids.indexOf(s.value(u"commit").toString());
            QCOMPARE(v, index >= 5 ? QStringLiteral("bad") : QStringLiteral("good"));
        }
        QStringList marks = markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
        QCOMPARE(marks.removeDuplicates(), 0);
    }

    // A build fills the disk — the session's own, or a build directory elsewhere. That is
    // the machine's problem: no verdict (a "build failed → skip" would hide the culprit),
    // retried, then the session pauses saying the disk is full. Space freed, it resumes
    // to the right culprit.
    void buildFillingTheDiskPauses_data() {
        QTest::addColumn<bool>("sessionOnSmallDisk");
        QTest::newRow("the session's disk") << true;
        QTest::newRow("a build directory's disk") << false;
    }
    void buildFillingTheDiskPauses() {
        QFETCH(bool, sessionOnSmallDisk);
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 8, 5);
        SmallDisk disk(QStringLiteral("4m"));
        QVERIFY2(disk.mounted,
                 qPrintable(QStringLiteral("mounting a 4 MB tmpfs (needs root): ") + disk.error));
        const QString session = sessionOnSmallDisk ? disk.path() + QStringLiteral("/session")
                                                   : d + QStringLiteral("/s-full-builddir");
        const QString out = sessionOnSmallDisk ? QStringLiteral("${session}/build")
                                               : disk.path() + QStringLiteral("/build");
        const QString flood = d + (sessionOnSmallDisk ? QStringLiteral("/flood-session")
                                                      : QStringLiteral("/flood-builddir"));
        QVERIFY(bw::test::writeFile(flood, "1"));
        // Every build leaves an 8 MB "vmlinux" while `flood` exists: more than the disk has.
        const QString recipe = writeRecipe(
            QStringLiteral("full-%1").arg(sessionOnSmallDisk),
            QStringLiteral("[build]\nkind = \"command\"\n"
                           "command = 'mkdir -p %1 && if [ -e %2 ]; then head -c 8000000 "
                           "/dev/zero >%1/vmlinux-${short}; else echo small "
                           ">%1/vmlinux-${short}; fi'\n"
                           "[test]\nkind = \"command\"\ncommand = [\"sh\", \"-c\", "
                           "\"test $(cat state) = ok\"]\n")
                .arg(out, flood));
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session);
        const QList<QJsonObject> steps = journal(session);
        qInfo() << "full disk:" << steps.size() << "steps recorded;" << o.err.trimmed();
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.err.contains(QStringLiteral("paused")), qPrintable(o.all()));
        QVERIFY2(o.err.contains(QStringLiteral("full")) ||
                     o.err.contains(QStringLiteral("No space left")) ||
                     o.err.contains(QStringLiteral("could not be written")),
                 qPrintable(o.all()));
        QVERIFY2(o.marks.isEmpty(), qPrintable(o.marks.join(u'\n')));
        QVERIFY(o.culprit.isEmpty());
        for (const QJsonObject &s : steps) {
            QVERIFY2(s.value(u"verdict").toString() == u"retry" ||
                         s.value(u"verdict").toString() == u"ask",
                     qPrintable(describe({s})));
            const QJsonObject build = stageOf(s, QStringLiteral("build"));
            QCOMPARE(build.value(u"outcome").toString(), QStringLiteral("error"));
        }
        if (!sessionOnSmallDisk) {
            // The journal is on a healthy disk: three tries, each said why.
            QCOMPARE(steps.size(), 3);
            for (const QJsonObject &s : steps)
                QVERIFY2(stageOf(s, QStringLiteral("build"))
                             .value(u"facts")
                             .toObject()
                             .contains(QStringLiteral("disk_full")),
                         qPrintable(describe({s})));
            QVERIFY2(o.err.contains(QStringLiteral("failed 3 times")), qPrintable(o.err));
        }
        QVERIFY(sessionStatus(session) != u"finished");

        // Space freed: the session resumes where it was and finds the culprit.
        QFile::remove(flood);
        QDir(sessionOnSmallDisk ? session + QStringLiteral("/build")
                                : disk.path() + QStringLiteral("/build"))
            .removeRecursively();
        const OurRun r = resume(repo, session);
        const QList<QJsonObject> after = journal(session);
        QVERIFY2(r.exitCode == 0, qPrintable(r.all() + u'\n' + describe(after)));
        QCOMPARE(r.culprit, ids.at(5));
        QVERIFY(eachCommitJudgedOnce(after));
        for (const QJsonObject &s : after) {
            const QString v = s.value(u"verdict").toString();
            if (v == u"retry" || v == u"ask")
                continue;
            QCOMPARE(v, ids.indexOf(s.value(u"commit").toString()) >= 5 ? QStringLiteral("bad")
                                                                        : QStringLiteral("good"));
        }
        QStringList marks = markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
        QCOMPARE(marks.removeDuplicates(), 0);
    }

    // kill -9 of the workbench while it waits for SSH (nobody listens yet) and while a
    // remote command runs: `run --session` resumes, re-runs that step only, and ends at
    // the same culprit with every commit marked once; the remote command did not outlive
    // the connection.
    void killedDuringRemotePhases_data() {
        QTest::addColumn<QString>("phase");
        QTest::newRow("during the SSH wait") << QStringLiteral("wait");
        QTest::newRow("during a remote command") << QStringLiteral("remote");
    }
    void killedDuringRemotePhases() {
        QFETCH(QString, phase);
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = makeHistory(repo, 8, 5);
        const QString dir = m_remote + QStringLiteral("/kill-") + phase;
        const QString gate = d + QStringLiteral("/kill-%1.gate").arg(phase);
        QVERIFY(bw::test::writeFile(gate, "1"));
        // "wait": a port where sshd is started only after the kill; "remote": the command
        // records its pid and waits at the gate on step 2.
        Sshd late;
        const int port = phase == u"wait" ? freePort() : m_sshd.port;
        if (phase == u"wait")
            trustPort(port);
        // "wait": step 2's build says it runs, then holds until sshd is gone.
        const QString waitGate =
            phase == u"wait"
                ? QStringLiteral("if [ \"$BW_STEP\" = 2 ] && [ -e %1 ]; then touch %1.step2; "
                                 "while [ -e %1.hold ]; do sleep 0.05; done; fi; ")
                      .arg(gate)
                : QString();
        QVERIFY(bw::test::writeFile(gate + QStringLiteral(".hold"), "1"));
        const QString recipe = writeRecipe(
            QStringLiteral("kill-") + phase,
            QStringLiteral("[build]\nkind = \"command\"\n"
                           "command = '%2mkdir -p %1 && cp state %1/state-${short}'\n")
                    .arg(dir, waitGate) +
                sshWait(phase == u"wait" ? port : m_sshd.port, QStringLiteral("2m")) +
                QStringLiteral("[test]\nkind = \"remote-command\"\n"
                               "command = 'if [ \"$BW_STEP\" = 2 ] && [ -e %1 ]; then echo $$ "
                               ">%1.pid; while [ -e %1 ]; do sleep 0.05; done; fi; "
                               "test \"$(cat %2/state-${short})\" = ok'\ntimeout = \"2m\"\n")
                    .arg(gate, dir));
        const QString session = d + QStringLiteral("/s-kill-") + phase;
        QProcess p;
        p.setProcessEnvironment(repo.env());
        p.setWorkingDirectory(repo.path());
        if (phase == u"wait") {
            // step 1 needs an sshd: the late one starts for it and stops before step 2
            QVERIFY2(late.start(d, port, false, QStringLiteral("late")),
                     qPrintable(readText(late.log)));
        }
        p.start(TestRepo::workbenchBinary(),
                {QStringLiteral("run"), QStringLiteral("--recipe"), recipe,
                 QStringLiteral("--good"), ids.first(), QStringLiteral("--bad"), ids.last(),
                 QStringLiteral("--session"), session});
        QVERIFY(p.waitForStarted());
        if (phase == u"wait") {
            // step 2's build runs: take sshd away, then kill during step 2's wait
            QVERIFY2(
                waitFor([&] { return QFile::exists(gate + QStringLiteral(".step2")); }, 60'000),
                p.readAllStandardError().constData());
            late.stop();
            QFile::remove(gate + QStringLiteral(".hold"));
            const QString pipeline = session + QStringLiteral("/steps/0002/pipeline.log");
            QVERIFY2(
                waitFor(
                    [&] { return readText(pipeline).contains(QStringLiteral("wait: for SSH")); },
                    30'000),
                qPrintable(readText(pipeline)));
        } else {
            QVERIFY2(waitFor([&] { return QFile::exists(gate + QStringLiteral(".pid")); }, 60'000),
                     p.readAllStandardError().constData());
        }
        ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished());
        QCOMPARE(journal(session).size(), 1);
        if (phase == u"remote") {
            // The connection went with the workbench; so did the remote command.
            const qint64 pid = readText(gate + QStringLiteral(".pid")).trimmed().toLongLong();
            QVERIFY(pid > 0);
            QVERIFY2(waitFor([pid] { return processGone(pid); }, 15'000),
                     qPrintable(QStringLiteral("remote command %1 survived").arg(pid)));
        }
        QFile::remove(gate);
        if (phase == u"wait")
            QVERIFY2(late.start(d, port, false, QStringLiteral("late")),
                     qPrintable(readText(late.log)));

        const OurRun r = resume(repo, session);
        const QList<QJsonObject> steps = journal(session);
        QVERIFY2(r.exitCode == 0, qPrintable(r.all() + u'\n' + describe(steps)));
        QVERIFY(r.out.contains(QStringLiteral("Resuming")));
        QCOMPARE(r.culprit, ids.at(5));
        QStringList commits;
        for (const QJsonObject &s : steps)
            commits << s.value(u"commit").toString();
        QCOMPARE(commits.removeDuplicates(), 0);
        QVERIFY(eachCommitJudgedOnce(steps));
        QStringList marks = markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
        QCOMPARE(marks.size(), steps.size());
        QCOMPARE(marks.removeDuplicates(), 0);
        const QString interrupted = session + QStringLiteral("/steps/0002.interrupted/");
        QVERIFY2(QFileInfo::exists(interrupted + QStringLiteral("pipeline.log")),
                 qPrintable(QDir(session + QStringLiteral("/steps")).entryList().join(u' ')));
        QVERIFY(readText(interrupted + QStringLiteral("pipeline.log"))
                    .contains(phase == u"wait" ? QStringLiteral("wait: for SSH")
                                               : QStringLiteral("test: on")));
    }

    // libvirtd is killed while the guest boots: the console and the connection are lost
    // (an infrastructure error), the retries cannot reach libvirt either, and the session
    // pauses saying so — no verdict. With libvirtd back, the session resumes and the
    // commit is judged on a clean boot.
    void libvirtdKilledDuringBoot() {
        QString why;
        QVERIFY2(prepareVm(why), qPrintable(why));
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = passPassFail(repo);
        QProcess p;
        const QString session = startGuestRun(
            p, repo, ids, QStringLiteral("libvirtd-kill"),
            QStringLiteral("[wait]\nkind = \"console\"\npattern = \"BW-TICK [0-9]+\"\n"
                           "timeout = \"3m\"\n"));
        QVERIFY(!session.isEmpty());
        const QString console = session + QStringLiteral("/steps/0001/console.log");
        QVERIFY2(
            waitFor([&] { return readText(console).contains(QStringLiteral("Linux version")); },
                    VmRunTimeoutMs),
            p.readAllStandardError().constData());
        QVERIFY(!readText(console).contains(QStringLiteral("BW-GUEST-READY"))); // still booting
        QElapsedTimer sincekill;
        sincekill.start();
        killLibvirtd();
        QVERIFY(p.waitForFinished(VmRunTimeoutMs));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        const QList<QJsonObject> steps = journal(session);
        qInfo() << "libvirtd killed: the run ended" << sincekill.elapsed() << "ms later;"
                << err.trimmed();
        QVERIFY2(p.exitCode() == 1, qPrintable(out + err + u'\n' + describe(steps)));
        QVERIFY2(err.contains(QStringLiteral("paused")), qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("libvirt"), Qt::CaseInsensitive), qPrintable(err));
        QVERIFY(culpritIn(out).isEmpty());
        QVERIFY2(markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG"))).isEmpty(),
                 qPrintable(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG"))));
        QCOMPARE(steps.size(), 3);
        for (const QJsonObject &s : steps) {
            QCOMPARE(s.value(u"commit").toString(), ids.at(1));
            QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("retry"));
        }
        // The first attempt broke during the boot, on the deploy or the console wait.
        const QJsonObject first = steps.first();
        const QJsonObject broke = stageOf(first, QStringLiteral("wait")).isEmpty()
                                      ? stageOf(first, QStringLiteral("deploy"))
                                      : stageOf(first, QStringLiteral("wait"));
        QCOMPARE(broke.value(u"outcome").toString(), QStringLiteral("error"));
        QCOMPARE(sessionStatus(session), QStringLiteral("paused"));

        // libvirtd is back; the guest of the killed boot may still run (QEMU outlives
        // libvirtd): the resumed step replaces it.
        QVERIFY2(startLibvirtd(why), qPrintable(why));
        const OurRun r = resume(repo, session, VmRunTimeoutMs);
        const QList<QJsonObject> after = journal(session);
        QVERIFY2(r.exitCode == 0, qPrintable(r.all() + u'\n' + describe(after)));
        QCOMPARE(r.culprit, ids.at(2));
        QCOMPARE(after.size(), 4);
        QCOMPARE(after.last().value(u"commit").toString(), ids.at(1));
        QCOMPARE(after.last().value(u"verdict").toString(), QStringLiteral("good"));
        QCOMPARE(markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG"))).size(), 1);
        QByteArray list;
        QVERIFY2(virsh({QStringLiteral("list"), QStringLiteral("--name")}, list, why),
                 qPrintable(why));
        QVERIFY2(waitFor(
                     [&] {
                         QString ignored;
                         return virsh({QStringLiteral("list"), QStringLiteral("--name")}, list,
                                      ignored) &&
                                !list.contains(m_domain.toUtf8());
                     },
                     20'000),
                 list.constData());
        QVERIFY2(waitFor([&] { return guestProcesses().isEmpty(); }, 20'000),
                 "a QEMU of this test outlived its step");
    }

    // libvirtd stops answering (SIGSTOP: alive, its socket open, no replies) while the
    // step waits for a console line. The console goes silent with it, so the wait must
    // end as a fault of the machinery that names libvirt, never run into its timeout and
    // call the guest hung (a "bad" verdict for a commit that never failed). Once the
    // daemon answers again, the retry judges the commit on a clean boot.
    void libvirtdFrozenDuringConsoleWait() {
        QString why;
        QVERIFY2(prepareVm(why), qPrintable(why));
        TestRepo repo;
        QVERIFY(repo.isValid());
        const QStringList ids = passPassFail(repo);
        // The guest ticks once a second: "BW-TICK 12" comes about 12 s after it is ready,
        // and the 60 s timeout would only be reached by a guest that never ticks.
        QProcess p;
        const QString session =
            startGuestRun(p, repo, ids, QStringLiteral("libvirtd-frozen"),
                          QStringLiteral("[wait]\nkind = \"console\"\npattern = \"BW-TICK 12\"\n"
                                         "timeout = \"60s\"\n"));
        QVERIFY(!session.isEmpty());
        const QString console = session + QStringLiteral("/steps/0001/console.log");
        const QString pipeline = session + QStringLiteral("/steps/0001/pipeline.log");
        QVERIFY2(
            waitFor([&] { return readText(console).contains(QStringLiteral("BW-GUEST-READY")); },
                    VmRunTimeoutMs),
            p.readAllStandardError().constData());
        QVERIFY(m_libvirtd > 0);
        QVERIFY(::kill(m_libvirtd, SIGSTOP) == 0);
        QElapsedTimer frozen;
        frozen.start();
        bool thawed = false;
        auto thaw = qScopeGuard([&] {
            if (!thawed)
                ::kill(m_libvirtd, SIGCONT);
        });
        // The wait ends on its own, with the daemon still stopped.
        QRegularExpression waitLine(QStringLiteral("\\] wait: (.*) after "));
        QString waitEnded;
        QVERIFY2(waitFor(
                     [&] {
                         const auto m = waitLine.match(readText(pipeline));
                         waitEnded = m.captured(1);
                         return m.hasMatch();
                     },
                     120'000),
                 qPrintable(readText(pipeline)));
        const qint64 noticedMs = frozen.elapsed();
        qInfo() << "libvirtd frozen: the wait ended" << noticedMs << "ms later:" << waitEnded;
        QVERIFY2(!readText(console).contains(QStringLiteral("BW-TICK 12")),
                 "the console went on while libvirtd was stopped");
        ::kill(m_libvirtd, SIGCONT);
        thawed = true;

        QVERIFY(p.waitForFinished(VmRunTimeoutMs));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        const QList<QJsonObject> steps = journal(session);
        QVERIFY2(p.exitCode() == 0, qPrintable(out + err + u'\n' + describe(steps)));
        QCOMPARE(culpritIn(out), ids.at(2));
        // The frozen attempt is a retry whose wait failed as an error; the commit was
        // judged once, by a later attempt, and judged right.
        QVERIFY2(steps.size() >= 2, qPrintable(describe(steps)));
        QCOMPARE(steps.first().value(u"commit").toString(), ids.at(1));
        QCOMPARE(steps.first().value(u"verdict").toString(), QStringLiteral("retry"));
        const QJsonObject wait = stageOf(steps.first(), QStringLiteral("wait"));
        QCOMPARE(wait.value(u"outcome").toString(), QStringLiteral("error"));
        QVERIFY2(wait.value(u"message")
                     .toString()
                     .contains(QStringLiteral("libvirt"), Qt::CaseInsensitive),
                 qPrintable(describe(steps)));
        QCOMPARE(steps.last().value(u"commit").toString(), ids.at(1));
        QCOMPARE(steps.last().value(u"verdict").toString(), QStringLiteral("good"));
        const QStringList marks =
            markLines(readText(repo.path() + QStringLiteral("/.git/BISECT_LOG")));
        QCOMPARE(marks.size(), 1);
        QVERIFY2(waitFor([&] { return guestProcesses().isEmpty(); }, 20'000),
                 "a QEMU of this test outlived its step");
    }

    // The commit's kernel panics during boot while the step waits for SSH: the wait ends
    // at the panic (not at its 3-minute timeout), the console's last lines are kept, and
    // the recipe's rule (a console panic is "bad") gives the verdict. The session
    // directory's name carries XML metacharacters: the initrd path reaches the domain XML
    // escaped, or the guest would not boot at all.
    void guestKernelPanicIsClassified() {
        QString why;
        QVERIFY2(prepareVm(why), qPrintable(why));
        TestRepo repo;
        QVERIFY(repo.isValid());
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            if (i == 1)
                repo.writeFile(QStringLiteral("panic"), "1\n");
            repo.writeFile(QStringLiteral("n"), QByteArray::number(i));
            repo.git({QStringLiteral("add"), QStringLiteral("-A")});
            ids << repo.commit(QStringLiteral("p%1").arg(i));
        }
        const QString build = writeGuestBuild(QStringLiteral("build-panic.sh"));
        const int nobody = freePort(); // the guest has no network: SSH never answers
        trustPort(nobody);
        const QString recipe =
            writeRecipe(QStringLiteral("panic"),
                        guestDeploy(build) + sshWait(nobody, QStringLiteral("3m")) +
                            QStringLiteral("[test]\nkind = \"remote-command\"\ncommand = \"true\"\n"
                                           "[[classify]]\nstage = \"wait\"\noutcome = \"failed\"\n"
                                           "log = \"console\"\npattern = \"Kernel panic\"\n"
                                           "verdict = \"bad\"\n"));
        const QString session = d + QStringLiteral("/s-panic &'\"<x>");
        const OurRun o = runBisect(repo, recipe, ids.first(), ids.last(), session, VmRunTimeoutMs);
        const QList<QJsonObject> steps = journal(session);
        qInfo() << "guest panic:" << steps.size() << "steps in" << o.ms << "ms";
        QVERIFY2(o.exitCode == 0, qPrintable(o.all() + u'\n' + describe(steps)));
        QCOMPARE(o.culprit, ids.at(1));
        QCOMPARE(steps.size(), 1);
        const QJsonObject &s = steps.first();
        QCOMPARE(s.value(u"commit").toString(), ids.at(1));
        QCOMPARE(s.value(u"verdict").toString(), QStringLiteral("bad"));
        QVERIFY2(s.value(u"reason").toString().contains(QStringLiteral("rule at line")),
                 qPrintable(describe({s})));
        const QJsonObject wait = stageOf(s, QStringLiteral("wait"));
        QCOMPARE(wait.value(u"outcome").toString(), QStringLiteral("failed"));
        QVERIFY2(wait.value(u"message").toString().contains(QStringLiteral("panic")),
                 qPrintable(describe({s})));
        QVERIFY2(wait.value(u"duration_ms").toDouble() < 120'000, qPrintable(describe({s})));
        QVERIFY2(wait.value(u"message")
                     .toString()
                     .contains(QStringLiteral("Kernel panic - not syncing")),
                 qPrintable(describe({s})));
        // What the console said last is kept (the panic's own lines may have scrolled past
        // the tail's 30 lines by then; the whole console is in console.log).
        QVERIFY2(!wait.value(u"facts").toObject().value(u"console_tail").toString().isEmpty(),
                 qPrintable(describe({s})));
        QVERIFY(stageOf(s, QStringLiteral("test")).isEmpty());
        const QString console =
            readText(s.value(u"log_dir").toString() + QStringLiteral("/console.log"));
        QVERIFY(console.indexOf(QStringLiteral("BW-GUEST-READY")) >= 0);
        QVERIFY(console.indexOf(QStringLiteral("Kernel panic - not syncing")) >
                console.indexOf(QStringLiteral("BW-GUEST-READY")));
        QVERIFY2(waitFor([&] { return guestProcesses().isEmpty(); }, 20'000),
                 "the panicked guest's QEMU outlived its step");
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
