#include "services/vm/LibvirtEventLoop.h"

#include "services/ServicesLogging.h"
#include "services/vm/LibvirtHandles.h"
#include "services/vm/VmError.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <vector>

namespace bw::vm {

namespace {

using Clock = std::chrono::steady_clock;

struct Handle {
    int watch;
    int fd;
    int events; // VIR_EVENT_HANDLE_*
    virEventHandleCallback cb;
    void *opaque;
    virFreeCallback ff;
    bool deleted = false;
};

struct Timeout {
    int timer;
    int frequency; // ms; -1 disabled, 0 every iteration
    Clock::time_point expires;
    virEventTimeoutCallback cb;
    void *opaque;
    virFreeCallback ff;
    bool deleted = false;
};

short toPoll(int events) {
    short e = 0;
    if (events & VIR_EVENT_HANDLE_READABLE)
        e |= POLLIN;
    if (events & VIR_EVENT_HANDLE_WRITABLE)
        e |= POLLOUT;
    return e; // POLLERR and POLLHUP are always reported
}

int fromPoll(short revents) {
    int e = 0;
    if (revents & POLLIN)
        e |= VIR_EVENT_HANDLE_READABLE;
    if (revents & POLLOUT)
        e |= VIR_EVENT_HANDLE_WRITABLE;
    if (revents & (POLLERR | POLLNVAL))
        e |= VIR_EVENT_HANDLE_ERROR;
    if (revents & POLLHUP)
        e |= VIR_EVENT_HANDLE_HANGUP;
    return e;
}

// libvirt's event implementation contract (virEventRegisterImpl): the add/update/remove
// functions may be called from any thread, including from inside a callback; callbacks
// run without our lock held; a removed handle's free callback runs later, on the loop
// thread, never inside remove (callers may hold their own locks there).
class PollLoop {
public:
    PollLoop() {
        if (::pipe2(m_wake, O_NONBLOCK | O_CLOEXEC) < 0)
            m_wake[0] = m_wake[1] = -1;
    }
    ~PollLoop() { stop(); }

    Status start() {
        std::lock_guard control(m_control);
        if (m_thread.joinable()) {
            if (m_alive.load())
                return okStatus();
            m_thread.join(); // the runner ended on an error: start a new one
        }
        if (m_wake[0] < 0)
            return infrastructureError(QStringLiteral("Cannot start libvirt's event loop"),
                                       QStringLiteral("no wake-up pipe"));
        initializeLibvirt();
        static std::once_flag registered;
        // Once per process, before the first virConnectOpen.
        std::call_once(registered, [] {
            virEventRegisterImpl(&PollLoop::addHandle, &PollLoop::updateHandle,
                                 &PollLoop::removeHandle, &PollLoop::addTimeout,
                                 &PollLoop::updateTimeout, &PollLoop::removeTimeout);
        });
        m_quit.store(false);
        m_alive.store(true);
        m_thread = std::thread([this] { run(); });
        m_id.store(m_thread.get_id());
        qCDebug(bwVm) << "libvirt event loop started";
        return okStatus();
    }

    void stop() {
        std::lock_guard control(m_control);
        if (!m_thread.joinable())
            return;
        m_quit.store(true);
        wake();
        m_thread.join();
        m_id.store(std::thread::id{});
        qCDebug(bwVm) << "libvirt event loop stopped";
    }

    bool alive() const { return m_alive.load(); }
    std::thread::id id() const { return m_id.load(); }

    static PollLoop &instance() {
        static PollLoop loop;
        return loop;
    }

private:
    void wake() {
        if (m_wake[1] >= 0 && std::this_thread::get_id() != m_id.load()) {
            const char b = 1;
            [[maybe_unused]] const auto n = ::write(m_wake[1], &b, 1);
        }
    }

    void run() {
        while (!m_quit.load())
            iterate();
        cleanup(); // free callbacks of what was removed during the last iteration
        m_alive.store(false);
    }

    void iterate() {
        std::vector<pollfd> fds;
        std::vector<int> watches;
        int timeoutMs = -1;
        {
            std::lock_guard lock(m_mutex);
            fds.push_back({m_wake[0], POLLIN, 0});
            watches.push_back(-1);
            for (const Handle &h : m_handles) {
                if (h.deleted || h.events == 0)
                    continue;
                fds.push_back({h.fd, toPoll(h.events), 0});
                watches.push_back(h.watch);
            }
            const auto now = Clock::now();
            for (const Timeout &t : m_timeouts) {
                if (t.deleted || t.frequency < 0)
                    continue;
                const auto ms =
                    std::chrono::duration_cast<std::chrono::milliseconds>(t.expires - now).count();
                const int wait = int(std::max<qint64>(0, ms));
                timeoutMs = timeoutMs < 0 ? wait : std::min(timeoutMs, wait);
            }
        }
        const int n = ::poll(fds.data(), nfds_t(fds.size()), timeoutMs);
        if (n < 0 && errno != EINTR) {
            qCWarning(bwVm) << "libvirt event loop: poll failed:" << std::strerror(errno);
            return;
        }
        if (fds[0].revents & POLLIN) {
            char drain[64];
            while (::read(m_wake[0], drain, sizeof drain) > 0) {
            }
        }
        dispatchTimeouts();
        for (size_t i = 1; i < fds.size() && n > 0; ++i)
            if (fds[i].revents)
                dispatchHandle(watches[i], fds[i].revents);
        cleanup();
    }

    void dispatchTimeouts() {
        std::vector<int> due;
        {
            std::lock_guard lock(m_mutex);
            const auto now = Clock::now();
            for (Timeout &t : m_timeouts)
                if (!t.deleted && t.frequency >= 0 && t.expires <= now) {
                    t.expires = now + std::chrono::milliseconds(t.frequency);
                    due.push_back(t.timer);
                }
        }
        for (int timer : due) {
            virEventTimeoutCallback cb = nullptr;
            void *opaque = nullptr;
            {
                std::lock_guard lock(m_mutex);
                for (const Timeout &t : m_timeouts)
                    if (t.timer == timer && !t.deleted) {
                        cb = t.cb;
                        opaque = t.opaque;
                    }
            }
            if (cb)
                cb(timer, opaque);
        }
    }

    void dispatchHandle(int watch, short revents) {
        virEventHandleCallback cb = nullptr;
        void *opaque = nullptr;
        int fd = -1;
        int events = 0;
        {
            std::lock_guard lock(m_mutex);
            for (const Handle &h : m_handles)
                if (h.watch == watch && !h.deleted) {
                    cb = h.cb;
                    opaque = h.opaque;
                    fd = h.fd;
                    // only what is still asked for (it may have changed since poll)
                    events = fromPoll(revents) &
                             (h.events | VIR_EVENT_HANDLE_ERROR | VIR_EVENT_HANDLE_HANGUP);
                }
        }
        if (cb && events)
            cb(watch, fd, events, opaque);
    }

    void cleanup() {
        std::vector<std::pair<virFreeCallback, void *>> frees;
        {
            std::lock_guard lock(m_mutex);
            std::erase_if(m_handles, [&](const Handle &h) {
                if (h.deleted && h.ff)
                    frees.emplace_back(h.ff, h.opaque);
                return h.deleted;
            });
            std::erase_if(m_timeouts, [&](const Timeout &t) {
                if (t.deleted && t.ff)
                    frees.emplace_back(t.ff, t.opaque);
                return t.deleted;
            });
        }
        for (const auto &[ff, opaque] : frees)
            ff(opaque);
    }

    // ---- the virEventRegisterImpl functions ----

    static int addHandle(int fd, int events, virEventHandleCallback cb, void *opaque,
                         virFreeCallback ff) {
        PollLoop &l = instance();
        int watch = 0;
        {
            std::lock_guard lock(l.m_mutex);
            watch = ++l.m_nextWatch;
            l.m_handles.push_back({watch, fd, events, cb, opaque, ff});
        }
        l.wake();
        return watch;
    }

    static void updateHandle(int watch, int events) {
        PollLoop &l = instance();
        {
            std::lock_guard lock(l.m_mutex);
            for (Handle &h : l.m_handles)
                if (h.watch == watch && !h.deleted)
                    h.events = events;
        }
        l.wake();
    }

    static int removeHandle(int watch) {
        PollLoop &l = instance();
        bool found = false;
        {
            std::lock_guard lock(l.m_mutex);
            for (Handle &h : l.m_handles)
                if (h.watch == watch && !h.deleted) {
                    h.deleted = true;
                    found = true;
                }
        }
        l.wake();
        return found ? 0 : -1;
    }

    static int addTimeout(int frequency, virEventTimeoutCallback cb, void *opaque,
                          virFreeCallback ff) {
        PollLoop &l = instance();
        int timer = 0;
        {
            std::lock_guard lock(l.m_mutex);
            timer = ++l.m_nextTimer;
            l.m_timeouts.push_back(
                {timer, frequency, Clock::now() + std::chrono::milliseconds(std::max(0, frequency)),
                 cb, opaque, ff});
        }
        l.wake();
        return timer;
    }

    static void updateTimeout(int timer, int frequency) {
        PollLoop &l = instance();
        {
            std::lock_guard lock(l.m_mutex);
            for (Timeout &t : l.m_timeouts)
                if (t.timer == timer && !t.deleted) {
                    t.frequency = frequency;
                    t.expires = Clock::now() + std::chrono::milliseconds(std::max(0, frequency));
                }
        }
        l.wake();
    }

    static int removeTimeout(int timer) {
        PollLoop &l = instance();
        bool found = false;
        {
            std::lock_guard lock(l.m_mutex);
            for (Timeout &t : l.m_timeouts)
                if (t.timer == timer && !t.deleted) {
                    t.deleted = true;
                    found = true;
                }
        }
        l.wake();
        return found ? 0 : -1;
    }

    std::mutex m_control; // start/stop
    std::mutex m_mutex;   // the handle and timeout tables
    std::vector<Handle> m_handles;
    std::vector<Timeout> m_timeouts;
    int m_nextWatch = 0;
    int m_nextTimer = 0;
    int m_wake[2] = {-1, -1};
    std::thread m_thread;
    std::atomic<bool> m_quit{false};
    std::atomic<bool> m_alive{false};
    std::atomic<std::thread::id> m_id{};
};

} // namespace

Status LibvirtEventLoop::ensureRunning() {
    return PollLoop::instance().start();
}

void LibvirtEventLoop::shutdown() {
    PollLoop::instance().stop();
}

bool LibvirtEventLoop::isRunning() {
    return PollLoop::instance().alive();
}

std::thread::id LibvirtEventLoop::threadId() {
    return PollLoop::instance().id();
}

} // namespace bw::vm
