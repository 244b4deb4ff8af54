#include "services/vm/ConsoleStream.h"

#include "services/ServicesLogging.h"
#include "services/vm/ConsoleLineScanner.h"
#include "services/vm/LibvirtEventLoop.h"
#include "services/vm/LibvirtHandles.h"
#include "services/vm/VmError.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

namespace bw::vm {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// How long a wait keeps reading after the guest stopped or panicked, so the last lines
// (the panic's trace, the final output) are in the tail.
constexpr milliseconds DrainGrace{1500};
// How often the helper thread checks the domain (lifecycle events usually come first).
constexpr milliseconds StateCheckInterval{1000};
// How long close() waits for the helper thread. A libvirt call can block for good when
// the daemon never answers it (seen with libvirt 9.0: a virDomainGetState, and the abort
// of a stream the daemon had dropped); the helper is then left behind, holding only its
// own reference to the state.
constexpr milliseconds HelperJoinLimit{10'000};
// A console silent this long is probed (see supervise()); the probes back off to at most
// one a minute.
constexpr milliseconds ProbeAfterSilence{5'000};
constexpr milliseconds ProbeAtMost{60'000};

QString seconds(Millis ms) {
    return QStringLiteral("%1s").arg(double(ms) / 1000.0, 0, 'f', 1);
}

} // namespace

// What a stream callback gets: weak, so a callback that outlives the console (or a
// context libvirt never frees) keeps nothing alive.
struct ConsoleStreamContext {
    std::weak_ptr<ConsoleStream::State> state;
    int generation;
};

struct ConsoleStream::State {
    State(Options o, Sink s)
        : options(std::move(o))
        , sink(std::move(s))
        , scanner(options.historyLines) {
        if (::pipe2(wake, O_NONBLOCK | O_CLOEXEC) < 0)
            wake[0] = wake[1] = -1;
    }
    ~State() {
        for (int fd : wake)
            if (fd >= 0)
                ::close(fd);
    }

    // Wakes the waiter (poll on the pipe) and the helper thread.
    void notify() {
        if (wake[1] >= 0) {
            const char b = 1;
            [[maybe_unused]] const auto n = ::write(wake[1], &b, 1);
        }
        cv.notify_all();
    }

    // Loop thread: a chunk of stream `gen` arrived.
    void deliver(const char *data, int n, int gen) {
        const QByteArray chunk(data, n);
        {
            std::lock_guard lock(mutex);
            if (gen != generation || closing)
                return;
            bytes += n;
            lastData = Clock::now();
            probeEvery = milliseconds{0};
            const std::vector<QString> lines = scanner.feed(chunk);
            classify(lines);
        }
        {
            // close() takes this lock after retiring the stream, so no chunk reaches the
            // caller's sink once close() has returned.
            std::lock_guard sinkLock(sinkMutex);
            if (sink && gen == sinkGeneration.load())
                sink(chunk);
        }
        notify();
    }

    // Under the mutex: runs the classifiers over lines just added to the scanner.
    void classify(const std::vector<QString> &lines) {
        qint64 number = scanner.lineCount() - qint64(lines.size()) + 1;
        for (const QString &line : lines) {
            for (const ConsoleClassifier &c : options.classifiers) {
                if (!c.pattern.match(line).hasMatch())
                    continue;
                matches.push_back({c.kind, line, number});
                if (c.fatal && !fatal)
                    fatal = matches.back();
                qCInfo(bwVm).noquote()
                    << "console:" << c.kind << "at line" << number << ":" << line;
            }
            ++number;
        }
    }

    // Loop thread: stream `gen` reached its end.
    void ended(int gen) {
        {
            std::lock_guard lock(mutex);
            if (gen != generation)
                return;
            streamEnded = true;
            checkNow = true;
        }
        notify();
    }

    Options options;
    Sink sink;
    std::shared_ptr<DomainCore> domain;

    std::mutex sinkMutex;
    std::atomic<int> sinkGeneration{0};
    mutable std::mutex mutex;
    std::condition_variable cv;
    ConsoleLineScanner scanner;
    std::vector<ConsoleMatch> matches;
    std::optional<ConsoleMatch> fatal;
    qint64 bytes = 0;
    int generation = 0;
    StreamPtr stream;
    ConsoleStreamContext *streamContext = nullptr; // the current stream's callback data
    bool streamEnded = true;
    bool domainStopped = false;
    bool checkNow = false;
    bool closing = false;
    bool closed = false;
    int reopenCount = 0;
    std::optional<Error> failure;
    int lifecycleCallback = -1;
    std::thread helper;
    bool helperDone = false;
    const char *callName = nullptr; // the helper's libvirt call in flight, if any
    Clock::time_point lastData;     // the current stream's last chunk (or its opening)
    Clock::time_point lastProbe;
    milliseconds probeEvery{0};
    int wake[2] = {-1, -1};
};

namespace {

void onStreamEvent(virStreamPtr st, int events, void *opaque) {
    auto *ctx = static_cast<ConsoleStreamContext *>(opaque);
    const std::shared_ptr<ConsoleStream::State> state = ctx->state.lock();
    if (!state) {
        virStreamEventRemoveCallback(st);
        return;
    }
    bool ended = false;
    char buf[16 * 1024];
    for (;;) {
        const int n = virStreamRecv(st, buf, sizeof buf);
        if (n == -2)
            break; // nothing more for now
        if (n <= 0) {
            if (n < 0)
                virResetLastError();
            ended = true; // 0: the end of the stream; -1: an error
            break;
        }
        state->deliver(buf, n, ctx->generation);
    }
    if (events & (VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP))
        ended = true;
    if (ended) {
        virStreamEventRemoveCallback(st);
        state->ended(ctx->generation);
    }
}

// libvirt 9's remote driver never calls a stream callback's free function (its
// remoteStreamCallbackFree only does when cb is unset, which never happens), so the
// context is ours to free: on the loop thread, after any dispatch that may still hold it.
void deleteContextLater(ConsoleStreamContext *ctx) {
    if (!ctx)
        return;
    if (LibvirtEventLoop::isRunning() && virEventAddTimeout(
                                             0,
                                             [](int timer, void *opaque) {
                                                 virEventRemoveTimeout(timer);
                                                 delete static_cast<ConsoleStreamContext *>(opaque);
                                             },
                                             ctx, nullptr) >= 0)
        return;
    delete ctx; // no loop, so no dispatch in flight
}

int onLifecycle(virConnectPtr, virDomainPtr, int event, int, void *opaque) {
    const auto strong = static_cast<std::weak_ptr<ConsoleStream::State> *>(opaque)->lock();
    if (!strong)
        return 0;
    ConsoleStream::State &state = *strong;
    {
        std::lock_guard lock(state.mutex);
        if (event == VIR_DOMAIN_EVENT_STOPPED)
            state.domainStopped = true;
        else if (event == VIR_DOMAIN_EVENT_STARTED)
            state.domainStopped = false;
        state.checkNow = true;
    }
    state.notify();
    return 0;
}

void freeLifecycleContext(void *opaque) {
    delete static_cast<std::weak_ptr<ConsoleStream::State> *>(opaque);
}

bool isFatal(const ConsoleStream::Options &options, const QString &kind) {
    for (const ConsoleClassifier &c : options.classifiers)
        if (c.kind == kind)
            return c.fatal;
    return false;
}

// Stops a stream that is no longer the current one and frees its callback context. An
// ended stream is aborted too: that only forgets it locally when the daemon reported an
// error, and it is how the client lets go of it. Not a stream the daemon dropped without
// a word (`served` false): libvirtd ignores the abort of a stream it does not know and
// the call would wait for good; that stream stays registered in the client (a few bytes).
void retireStream(StreamPtr stream, ConsoleStreamContext *ctx, bool served) {
    if (stream) {
        virStreamEventRemoveCallback(stream.get()); // fails when it removed itself: fine
        if (served)
            virStreamAbort(stream.get());
        virResetLastError();
    }
    deleteContextLater(ctx);
}

// Opens the console into a new stream and makes it the current one. `previousDropped`:
// the current stream is known to be dead at the daemon although it never ended here.
Status openStream(const std::shared_ptr<ConsoleStream::State> &state, bool force,
                  bool previousDropped = false) {
    DomainCore &dom = *state->domain;
    StreamPtr stream(virStreamNew(dom.connection->conn.get(), VIR_STREAM_NONBLOCK));
    if (!stream)
        return lastError(
            QStringLiteral("Cannot create a stream for the console of '%1'").arg(dom.name));
    const QByteArray device = state->options.device.toUtf8();
    if (virDomainOpenConsole(dom.dom.get(), device.isEmpty() ? nullptr : device.constData(),
                             stream.get(), force ? VIR_DOMAIN_CONSOLE_FORCE : 0) < 0)
        return lastError(QStringLiteral("Cannot open the console of domain '%1'").arg(dom.name));
    int gen = 0;
    StreamPtr previous;
    ConsoleStreamContext *previousContext = nullptr;
    bool previousServed = false;
    virStreamPtr current = stream.get();
    auto *ctx = new ConsoleStreamContext{state, 0};
    {
        std::lock_guard lock(state->mutex);
        gen = ++state->generation;
        ctx->generation = gen;
        if (!state->closing)
            state->sinkGeneration.store(gen);
        previous = std::move(state->stream);
        previousContext = state->streamContext;
        previousServed = !previousDropped;
        state->stream = std::move(stream);
        state->streamContext = ctx;
        state->streamEnded = false;
        state->lastData = Clock::now();
    }
    retireStream(std::move(previous), previousContext, previousServed);
    // No free callback: see deleteContextLater(); the context is freed when retired.
    if (virStreamEventAddCallback(
            current, VIR_STREAM_EVENT_READABLE | VIR_STREAM_EVENT_ERROR | VIR_STREAM_EVENT_HANGUP,
            onStreamEvent, ctx, nullptr) < 0) {
        Error e = lastError(
            QStringLiteral("Cannot watch the console stream of domain '%1'").arg(dom.name));
        std::lock_guard lock(state->mutex);
        state->streamEnded = true;
        return e;
    }
    return okStatus();
}

} // namespace

std::vector<ConsoleClassifier> ConsoleStream::defaultClassifiers() {
    return {
        {QStringLiteral("panic"),
         QRegularExpression(QStringLiteral("(?<!end )Kernel panic - not syncing")), true},
        {QStringLiteral("panic-end"), QRegularExpression(QStringLiteral("---\\[ end Kernel panic")),
         true},
        {QStringLiteral("oops"), QRegularExpression(QStringLiteral("\\bOops\\b")), false},
        {QStringLiteral("bug"), QRegularExpression(QStringLiteral("\\bBUG:")), false},
    };
}

namespace {

// The console's own connection to the domain's daemon: its stream, its probes and its
// state checks never queue behind (or tangle with) the step's other libvirt calls. In
// CI a console sharing the domain's connection once waited for good on a reply to
// virDomainGetState while the daemon sat idle; the console's traffic is kept apart
// since. An in-process driver (test://) has its state per connection, so it shares the
// domain's; so does a console whose second connection cannot be made.
std::shared_ptr<DomainCore> consoleDomain(const LibvirtDomain &domain) {
    const std::shared_ptr<DomainCore> &shared = domain.core();
    const QString uri = shared->connection->uri;
    if (uri.startsWith(QLatin1String("test:")))
        return shared;
    auto connection = LibvirtConnection::open(uri);
    if (!connection) {
        qCDebug(bwVm).noquote() << "console of" << shared->name << "shares the domain's connection:"
                                << connection.error().message();
        return shared;
    }
    auto own = connection->lookup(shared->name);
    if (!own) {
        qCDebug(bwVm).noquote() << "console of" << shared->name
                                << "shares the domain's connection:" << own.error().message();
        return shared;
    }
    return own->core();
}

void supervise(const std::shared_ptr<ConsoleStream::State> &shared);

// Aborts the current stream and drops the lifecycle callback: the console's last
// libvirt calls.
void releaseLibvirt(ConsoleStream::State &s) {
    StreamPtr stream;
    ConsoleStreamContext *context = nullptr;
    {
        std::lock_guard lock(s.mutex);
        stream = std::move(s.stream);
        context = std::exchange(s.streamContext, nullptr);
        s.streamEnded = true;
    }
    retireStream(std::move(stream), context, true);
    if (s.lifecycleCallback >= 0) {
        virConnectDomainEventDeregisterAny(s.domain->connection->conn.get(), s.lifecycleCallback);
        virResetLastError();
        s.lifecycleCallback = -1;
    }
    s.notify();
}

} // namespace

ConsoleStream::ConsoleStream(LibvirtDomain domain, std::shared_ptr<State> state)
    : m_domain(std::move(domain))
    , m_state(std::move(state)) {}

Result<std::unique_ptr<ConsoleStream>> ConsoleStream::open(const LibvirtDomain &domain,
                                                           const Options &options, Sink sink) {
    if (domain.isNull())
        return infrastructureError(QStringLiteral("No domain to read the console of"));
    auto state = std::make_shared<State>(options, std::move(sink));
    state->domain = consoleDomain(domain);
    if (state->wake[0] < 0)
        return infrastructureError(QStringLiteral("Cannot create the console's wake-up pipe"));

    // Lifecycle events first, so a guest that stops right after the open is noticed.
    auto *ctx = new std::weak_ptr<State>(state);
    state->lifecycleCallback = virConnectDomainEventRegisterAny(
        state->domain->connection->conn.get(), state->domain->dom.get(),
        VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(onLifecycle), ctx,
        freeLifecycleContext);
    if (state->lifecycleCallback < 0) {
        delete ctx;
        // Not fatal: the helper thread's state checks notice a stop within a second.
        const Error e = lastError(QStringLiteral("No lifecycle events for the console"));
        qCDebug(bwVm).noquote() << e.message();
    }

    std::unique_ptr<ConsoleStream> console(new ConsoleStream(domain, state));
    if (Status opened = openStream(state, options.force); !opened) {
        console->close();
        return opened.error();
    }
    console->m_state->helper = std::thread([state = console->m_state] { supervise(state); });
    qCDebug(bwVm).noquote() << "console of" << domain.name() << "open";
    return console;
}

ConsoleStream::~ConsoleStream() {
    close();
}

void ConsoleStream::close() {
    State &s = *m_state;
    {
        std::lock_guard lock(s.mutex);
        if (s.closed)
            return;
        s.closing = true;
        s.closed = true;
        s.sinkGeneration.store(++s.generation); // late chunks of the stream are dropped
        s.classify(s.scanner.flush());
    }
    {
        // deliver() takes this lock around the sink: no chunk reaches the caller's sink
        // once close() has returned.
        std::lock_guard sinkLock(s.sinkMutex);
        s.sink = nullptr;
    }
    s.notify();
    if (!s.helper.joinable()) { // open() failed before the helper started
        releaseLibvirt(s);
        return;
    }
    // The helper thread releases the stream and the lifecycle callback itself (all the
    // console's libvirt calls are its own), so a call libvirt never answers holds up no
    // one but the helper.
    std::unique_lock lock(s.mutex);
    if (s.cv.wait_for(lock, HelperJoinLimit, [&] { return s.helperDone; })) {
        lock.unlock();
        s.helper.join();
        return;
    }
    const QString call = QString::fromLatin1(s.callName ? s.callName : "a libvirt call");
    lock.unlock();
    qCWarning(bwVm).noquote() << QStringLiteral("libvirt has not answered %1 for the console of "
                                                "'%2'; leaving its helper thread behind")
                                     .arg(call, s.domain->name);
    s.helper.detach();
}

namespace {

// Names the helper's libvirt call in flight, for close()'s warning when it never returns.
class CallInFlight {
public:
    CallInFlight(ConsoleStream::State &s, const char *name)
        : m_state(s) {
        std::lock_guard lock(s.mutex);
        s.callName = name;
    }
    ~CallInFlight() {
        std::lock_guard lock(m_state.mutex);
        m_state.callName = nullptr;
    }
    CallInFlight(const CallInFlight &) = delete;
    CallInFlight &operator=(const CallInFlight &) = delete;

private:
    ConsoleStream::State &m_state;
};

// The helper thread: checks the domain's state, re-opens an ended stream, and at the end
// releases what the console holds at libvirt. It owns a reference to the state, so
// close() may leave it behind when libvirt never answers.
void supervise(const std::shared_ptr<ConsoleStream::State> &shared) {
    ConsoleStream::State &s = *shared;
    auto next = Clock::now() + StateCheckInterval;
    std::unique_lock lock(s.mutex);
    while (!s.closing) {
        s.cv.wait_until(lock, next, [&] { return s.closing || s.checkNow; });
        if (s.closing)
            break;
        s.checkNow = false;
        lock.unlock();

        int state = 0;
        int reason = 0;
        bool active = false;
        std::optional<Error> failure;
        int got = 0;
        {
            CallInFlight call(s, "virDomainGetState");
            got = virDomainGetState(s.domain->dom.get(), &state, &reason, 0);
        }
        if (got < 0) {
            int number = 0;
            Error e = lastError(
                QStringLiteral("Cannot ask libvirt about domain '%1'").arg(s.domain->name),
                &number);
            if (number != VIR_ERR_NO_DOMAIN) // a transient domain that stopped is gone
                failure = e;
        } else {
            active = state != VIR_DOMAIN_SHUTOFF;
        }

        lock.lock();
        if (failure) {
            s.failure = failure;
        } else {
            s.failure.reset();
            s.domainStopped = !active;
        }
        const bool canOpen = !failure && active && s.options.reopen && !s.closing;
        const bool reopen = canOpen && s.streamEnded;
        // A stream can be dropped without a word: when another client takes the console
        // with FORCE, libvirt 9.0's daemon sometimes closes our stream without telling
        // us. A console silent for a while is therefore probed with an open that fails
        // while our stream holds it; when it succeeds, ours was gone. The probes back off
        // (5 s, 10 s, … 60 s) while the console stays quiet, and start over at the next
        // chunk of output.
        const auto now = Clock::now();
        const milliseconds every = s.probeEvery.count() ? s.probeEvery : ProbeAfterSilence;
        const bool probe = canOpen && !s.streamEnded && now - s.lastData >= ProbeAfterSilence &&
                           now - s.lastProbe >= every;
        if (probe) {
            s.lastProbe = now;
            s.probeEvery = std::min(every * 2, ProbeAtMost);
        }
        lock.unlock();

        if (reopen || probe) {
            // Without FORCE: when another client holds the console we wait for it to let
            // go instead of fighting over it.
            Status st = okStatus();
            {
                CallInFlight call(s, "virDomainOpenConsole");
                st = openStream(shared, false, probe);
            }
            if (st) {
                lock.lock();
                ++s.reopenCount;
                lock.unlock();
                qCInfo(bwVm).noquote()
                    << "console of" << s.domain->name
                    << (probe ? "re-opened (its stream had been dropped without notice)"
                              : "re-opened");
            } else {
                qCDebug(bwVm).noquote() << st.error().message();
            }
        }
        s.notify();
        lock.lock();
        next = Clock::now() + StateCheckInterval;
    }
    lock.unlock();
    {
        CallInFlight call(s, "virStreamAbort");
        releaseLibvirt(s);
    }
    lock.lock();
    s.helperDone = true;
    lock.unlock();
    s.cv.notify_all();
}

} // namespace

ConsoleWaitResult ConsoleStream::waitForPattern(const QRegularExpression &pattern, Millis timeoutMs,
                                                const process::CancelToken *cancel,
                                                qint64 afterLine) {
    State &s = *m_state;
    const auto start = Clock::now();
    const auto deadline =
        timeoutMs > 0 ? start + milliseconds(timeoutMs) : Clock::time_point::max();
    std::optional<Clock::time_point> stopSeen;
    std::optional<Clock::time_point> fatalSeen;
    ConsoleWaitResult result;
    auto finish = [&](ConsoleWaitResult::Outcome outcome, QString line = {}) {
        result.outcome = outcome;
        result.line = std::move(line);
        result.tail = s.scanner.tail(50);
        result.elapsedMs = std::chrono::duration_cast<milliseconds>(Clock::now() - start).count();
        return result;
    };

    std::unique_lock lock(s.mutex);
    qint64 cursor = std::max(afterLine + 1, s.scanner.firstRetained());
    for (;;) {
        cursor = std::max(cursor, s.scanner.firstRetained());
        // The first fatal line of this wait's range; lines after it do not count.
        const ConsoleMatch *fatal = nullptr;
        if (s.fatal)
            for (const ConsoleMatch &m : s.matches)
                if (m.lineNumber > afterLine && isFatal(s.options, m.kind)) {
                    fatal = &m;
                    break;
                }
        const qint64 last = fatal ? fatal->lineNumber - 1 : s.scanner.lineCount();
        for (; cursor <= last; ++cursor) {
            const QString &line = s.scanner.line(cursor);
            if (pattern.match(line).hasMatch())
                return finish(ConsoleWaitResult::Outcome::Matched, line);
        }
        if (!fatal) {
            const QString partial = s.scanner.partial();
            if (!partial.isEmpty() && pattern.match(partial).hasMatch())
                return finish(ConsoleWaitResult::Outcome::Matched, partial);
        }
        const auto now = Clock::now();
        if (s.failure) {
            result.error = s.failure;
            return finish(ConsoleWaitResult::Outcome::Error, s.failure->message());
        }
        if (fatal) {
            if (!fatalSeen)
                fatalSeen = now;
            if (now - *fatalSeen >= DrainGrace || (s.domainStopped && s.streamEnded))
                return finish(ConsoleWaitResult::Outcome::Panicked, fatal->line);
        }
        if (s.domainStopped) {
            if (!stopSeen)
                stopSeen = now;
            if ((s.streamEnded || now - *stopSeen >= DrainGrace) && !fatal)
                return finish(ConsoleWaitResult::Outcome::DomainStopped);
        }
        if (s.closed && !s.domainStopped && !fatal)
            return finish(ConsoleWaitResult::Outcome::Error,
                          QStringLiteral("the console was closed"));
        if (cancel && cancel->isCancelled())
            return finish(ConsoleWaitResult::Outcome::Cancelled);
        if (now >= deadline)
            return finish(ConsoleWaitResult::Outcome::Timeout);

        auto until = std::min(deadline, now + StateCheckInterval);
        if (fatalSeen)
            until = std::min(until, *fatalSeen + DrainGrace);
        if (stopSeen)
            until = std::min(until, *stopSeen + DrainGrace);
        const int cancelFd = cancel ? cancel->wakeFd() : -1;
        if (cancel && cancelFd < 0)
            until = std::min(until, now + milliseconds(100));
        lock.unlock();
        pollfd fds[2] = {{s.wake[0], POLLIN, 0}, {cancelFd, POLLIN, 0}};
        const auto ms = std::chrono::duration_cast<milliseconds>(until - now).count();
        ::poll(fds, cancelFd >= 0 ? 2 : 1, int(std::clamp<qint64>(ms + 1, 0, 60'000)));
        char drain[256];
        while (::read(s.wake[0], drain, sizeof drain) > 0) {
        }
        lock.lock();
    }
}

QStringList ConsoleStream::tail(int lines) const {
    std::lock_guard lock(m_state->mutex);
    return m_state->scanner.tail(lines);
}

std::vector<ConsoleMatch> ConsoleStream::classifications() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->matches;
}

qint64 ConsoleStream::bytesReceived() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->bytes;
}

qint64 ConsoleStream::lineCount() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->scanner.lineCount();
}

bool ConsoleStream::domainStopped() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->domainStopped;
}

int ConsoleStream::reopenCount() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->reopenCount;
}

QString ConsoleWaitResult::describe() const {
    switch (outcome) {
    case Outcome::Matched:
        return QStringLiteral("console matched after %1: %2").arg(seconds(elapsedMs), line);
    case Outcome::Timeout:
        return QStringLiteral("console pattern not seen, timed out after %1")
            .arg(formatDuration(elapsedMs));
    case Outcome::DomainStopped:
        return QStringLiteral("the domain stopped after %1 before the console pattern appeared")
            .arg(seconds(elapsedMs));
    case Outcome::Panicked:
        return QStringLiteral("the guest panicked after %1: %2").arg(seconds(elapsedMs), line);
    case Outcome::Cancelled:
        return QStringLiteral("cancelled");
    case Outcome::Error:
        return error ? error->message() : line;
    }
    return {};
}

} // namespace bw::vm
