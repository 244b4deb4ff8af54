// bench_logview: streams a synthetic kernel build + console log (ANSI-coloured compiler
// diagnostics, make errors, panics and oopses, UTF-8 quotes) into a shown LogView as fast
// as a producer can send it, and measures what the user feels: the event loop's longest
// stall, seen as the largest gap between the ticks of a 1 ms heartbeat timer.
//
//   QT_QPA_PLATFORM=offscreen bench_logview [--mb 100] [--producer thread|timer]
//       [--chunk-min 4096] [--chunk-max 65536] [--lines 200000] [--budget 10]
//       [--no-highlight] [--rate MBps]
//   xvfb-run -a bench_logview …   (real X11 rendering)
//
// Prints one table row per run; exits 1 when the view lost or misplaced a line (the last
// line must be shown, shown + dropped lines must equal the lines sent).

#include "ui/LogView.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QHash>
#include <QPlainTextEdit>
#include <QRandomGenerator>
#include <QTextBlock>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

using namespace bw;

namespace {

// CPU time of the calling thread: what the GUI thread itself spent, apart from the time
// the scheduler gave to other processes (on a loaded machine, wall-clock gaps measure the
// neighbours as much as the view).
qint64 threadCpuNs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// About `bytes` of log, every line '\n'-terminated; the last line is "BENCH-END <n>".
QByteArray makeLog(qint64 bytes, qint64 *lines) {
    static const char *const dirs[] = {"drivers/net/ethernet/intel/e1000e",
                                       "fs/btrfs",
                                       "drivers/gpu/drm/i915/gem",
                                       "net/ipv4",
                                       "kernel/sched",
                                       "mm",
                                       "arch/x86/kvm",
                                       "sound/soc/codecs"};
    static const char *const files[] = {
        "netdev", "inode", "i915_gem_shmem", "tcp_input", "fair", "page_alloc", "vmx", "rt5640"};
    QRandomGenerator rng(42);
    QByteArray out;
    out.reserve(bytes + 4096);
    qint64 n = 0;
    double timestamp = 0.0;
    while (out.size() < bytes) {
        const int r = int(rng.bounded(10000));
        const char *dir = dirs[rng.bounded(8)];
        const char *file = files[rng.bounded(8)];
        if (r < 150) { // gcc -fdiagnostics-color warning
            out += QByteArray("\x1b[01m\x1b[K") + dir + '/' + file +
                   ".c:" + QByteArray::number(rng.bounded(4000)) +
                   ":17:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: \x1b[m\x1b[Kunused variable "
                   "\xe2\x80\x98\x1b[01m\x1b[Kret\x1b[m\x1b[K\xe2\x80\x99 "
                   "[\x1b[01;35m\x1b[K-Wunused-variable\x1b[m\x1b[K]\n";
        } else if (r < 165) {
            out +=
                QByteArray("\x1b[01m\x1b[K") + dir + '/' + file +
                ".c:88:5:\x1b[m\x1b[K \x1b[01;31m\x1b[Kerror: \x1b[m\x1b[Kimplicit "
                "declaration of function \xe2\x80\x98\x1b[01m\x1b[Kfoo\x1b[m\x1b[K\xe2\x80\x99\n";
            out += QByteArray("make[3]: *** [scripts/Makefile.build:250: ") + dir + '/' + file +
                   ".o] Error 1\n";
            n += 1;
        } else if (r < 170) { // a console splat
            timestamp += 0.5;
            const QByteArray ts =
                "[" + QByteArray::number(timestamp, 'f', 6).rightJustified(12) + "] ";
            out += ts + "BUG: kernel NULL pointer dereference, address: 0000000000000008\n";
            out += ts + "Oops: 0000 [#1] PREEMPT SMP NOPTI\n";
            out += ts + "WARNING: CPU: 2 PID: 1 at net/core/dev.c:4321 __dev_queue_xmit\n";
            out += ts + "Call Trace:\n";
            out += ts + " <TASK>\n";
            out += ts + " e1000_xmit_frame+0x5a/0x120 [e1000e]\n";
            out += ts + "Kernel panic - not syncing: Fatal exception in interrupt\n";
            n += 6;
        } else if (r < 400) {
            out += QByteArray("  \x1b[32mLD [M]\x1b[0m  ") + dir + '/' + file + ".ko\n";
        } else if (r < 420) {
            out += QByteArray("test_") + file + " ... FAILED\n";
        } else if (r < 440) {
            out += "  [ 42%] progress\r  [ 43%] progress\r  [ 44%] progress\n";
        } else {
            out += QByteArray(r & 1 ? "  CC [M]  " : "  CC      ") + dir + '/' + file + ".o\n";
        }
        ++n;
    }
    out += "BENCH-END " + QByteArray::number(n + 1) + '\n';
    *lines = n + 1;
    return out;
}

// With BW_BENCH_SLOW_EVENTS set, names every top-level event that took over 30 ms: where
// a stall comes from.
class TimedApplication : public QApplication {
public:
    using QApplication::QApplication;
    bool notify(QObject *receiver, QEvent *event) override {
        if (!m_trace || m_depth > 0)
            return QApplication::notify(receiver, event);
        ++m_depth;
        QElapsedTimer t;
        t.start();
        const qint64 cpu = threadCpuNs();
        const int type = event->type();
        const bool r = QApplication::notify(receiver, event);
        const qint64 ms = t.elapsed();
        if (ms > 30)
            std::fprintf(stderr, "slow event: %lld ms (cpu %.1f ms), type %d, receiver %s (%s)\n",
                         ms, double(threadCpuNs() - cpu) / 1e6, type,
                         receiver->metaObject()->className(), qPrintable(receiver->objectName()));
        --m_depth;
        m_cpuByType[type] += threadCpuNs() - cpu;
        m_countByType[type] += 1;
        return r;
    }
    // Where the GUI thread's time went since the last call (BW_BENCH_SLOW_EVENTS only).
    QString takeBreakdown() {
        QString out;
        for (auto it = m_cpuByType.cbegin(); it != m_cpuByType.cend(); ++it)
            if (it.value() > 1'000'000)
                out += QStringLiteral(" type %1: %2 ms in %3 events;")
                           .arg(it.key())
                           .arg(double(it.value()) / 1e6, 0, 'f', 1)
                           .arg(m_countByType.value(it.key()));
        m_cpuByType.clear();
        m_countByType.clear();
        return out;
    }
    bool tracing() const { return m_trace; }

private:
    QHash<int, qint64> m_cpuByType;
    QHash<int, int> m_countByType;
    bool m_trace = qEnvironmentVariableIsSet("BW_BENCH_SLOW_EVENTS");
    int m_depth = 0;
};

struct Options {
    qint64 megabytes = 100;
    bool threadProducer = true;
    int chunkMin = 4096;
    int chunkMax = 65536;
    int lines = LogView::DefaultMaxLines;
    int budgetMs = 10;
    bool highlight = true;
    double rateMBps = 0; // 0: as fast as possible
};

// Sends the log in random-sized chunks, as fast as allowed, from its own thread.
class Producer : public QObject {
    Q_OBJECT
public:
    Producer(const QByteArray &data, const Options &o)
        : m_data(data)
        , m_options(o) {}

    void run() {
        QRandomGenerator rng(7);
        QElapsedTimer clock;
        clock.start();
        qsizetype pos = 0;
        while (pos < m_data.size()) {
            const int size = int(rng.bounded(m_options.chunkMin, m_options.chunkMax + 1));
            const QByteArray chunk = m_data.mid(pos, size);
            pos += chunk.size();
            emit chunkReady(chunk);
            if (m_options.rateMBps > 0) {
                const qint64 due = qint64(double(pos) / (m_options.rateMBps * 1e6) * 1e9);
                const qint64 ahead = due - clock.nsecsElapsed();
                if (ahead > 0)
                    QThread::usleep(quint64(ahead / 1000));
            }
        }
        emit done();
    }

signals:
    void chunkReady(const QByteArray &chunk);
    void done();

private:
    QByteArray m_data;
    Options m_options;
};

} // namespace

int main(int argc, char **argv) {
    TimedApplication app(argc, argv);
    QCommandLineParser cli;
    cli.addHelpOption();
    cli.addOptions({
        {"mb", "Megabytes to stream.", "n", "100"},
        {"producer", "thread (queued signals) or timer (GUI-thread 0 ms timer).", "kind", "thread"},
        {"chunk-min", "Smallest chunk, bytes.", "n", "4096"},
        {"chunk-max", "Largest chunk, bytes.", "n", "65536"},
        {"lines", "The view's line cap.", "n", QString::number(LogView::DefaultMaxLines)},
        {"budget", "The view's flush budget, ms.", "n", "10"},
        {"no-highlight", "Without LogHighlighter."},
        {"rate", "Producer rate limit, MB/s (0: none).", "n", "0"},
    });
    cli.process(app);
    Options o;
    o.megabytes = cli.value("mb").toLongLong();
    o.threadProducer = cli.value("producer") != QLatin1String("timer");
    o.chunkMin = cli.value("chunk-min").toInt();
    o.chunkMax = std::max(o.chunkMin, cli.value("chunk-max").toInt());
    o.lines = cli.value("lines").toInt();
    o.budgetMs = cli.value("budget").toInt();
    o.highlight = !cli.isSet("no-highlight");
    o.rateMBps = cli.value("rate").toDouble();

    qint64 totalLines = 0;
    const QByteArray data = makeLog(o.megabytes * 1000 * 1000, &totalLines);
    const QByteArray lastLine = "BENCH-END " + QByteArray::number(totalLines);

    LogView view;
    view.setMaxLines(o.lines);
    view.setFlushBudgetMs(o.budgetMs);
    view.setHighlighting(o.highlight);
    view.resize(1200, 800);
    view.show();

    // The heartbeat: the longest gap between two 1 ms ticks is the longest stall.
    std::vector<qint64> gaps;
    gaps.reserve(200000);
    QElapsedTimer clock;
    qint64 lastTick = -1;
    qint64 lastCpu = 0;
    qint64 maxCpuGap = 0; // the longest stretch of GUI-thread work between two ticks
    QTimer heartbeat;
    heartbeat.setTimerType(Qt::PreciseTimer);
    heartbeat.setInterval(1);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const qint64 cpu = threadCpuNs();
        if (lastTick >= 0) {
            gaps.push_back(now - lastTick);
            maxCpuGap = std::max(maxCpuGap, cpu - lastCpu);
            if (app.tracing() && cpu - lastCpu > 25'000'000)
                std::fprintf(stderr, "busy gap: %.1f ms cpu, %.1f ms wall:%s\n",
                             double(cpu - lastCpu) / 1e6, double(now - lastTick) / 1e6,
                             qPrintable(app.takeBreakdown()));
        }
        if (app.tracing())
            app.takeBreakdown();
        lastTick = now;
        lastCpu = cpu;
    });

    bool produced = false;
    qint64 producedAtNs = 0;
    QThread thread;
    Producer producer(data, o);
    QTimer feeder; // the GUI-thread producer
    qsizetype feedPos = 0;
    QRandomGenerator rng(7);
    if (o.threadProducer) {
        producer.moveToThread(&thread);
        QObject::connect(&producer, &Producer::chunkReady, &view, &LogView::append,
                         Qt::QueuedConnection);
        QObject::connect(
            &producer, &Producer::done, &view,
            [&] {
                produced = true;
                producedAtNs = clock.nsecsElapsed();
            },
            Qt::QueuedConnection);
        QObject::connect(&thread, &QThread::started, &producer, &Producer::run);
    } else {
        feeder.setInterval(0);
        QObject::connect(&feeder, &QTimer::timeout, [&] {
            const int size = int(rng.bounded(o.chunkMin, o.chunkMax + 1));
            view.append(data.mid(feedPos, size));
            feedPos += size;
            if (feedPos >= data.size()) {
                feeder.stop();
                produced = true;
                producedAtNs = clock.nsecsElapsed();
            }
        });
    }

    qint64 finishedNs = 0;
    QTimer done;
    done.setInterval(5);
    QObject::connect(&done, &QTimer::timeout, [&] {
        if (produced && !view.hasPending()) {
            finishedNs = clock.nsecsElapsed();
            app.quit();
        }
    });

    QTimer::singleShot(200, [&] { // let the window settle first
        clock.start();
        lastCpu = threadCpuNs();
        heartbeat.start();
        done.start();
        if (o.threadProducer)
            thread.start();
        else
            feeder.start();
    });
    app.exec();
    thread.quit();
    thread.wait();

    std::vector<qint64> sorted = gaps;
    std::sort(sorted.begin(), sorted.end());
    auto pct = [&](double p) {
        return sorted.empty() ? 0.0 : double(sorted[size_t(p * double(sorted.size() - 1))]) / 1e6;
    };
    const double maxStallMs = sorted.empty() ? 0.0 : double(sorted.back()) / 1e6;
    const qint64 over16 =
        std::count_if(gaps.begin(), gaps.end(), [](qint64 g) { return g > 16'000'000; });

    const QString shownLast = view.textEdit()->document()->lastBlock().text();
    const bool lastOk = shownLast == QString::fromLatin1(lastLine);
    const bool countOk = view.lineCount() == std::min<qint64>(totalLines, o.lines) &&
                         view.lineCount() + view.droppedLines() == totalLines;
    const LogView::FlushStats &s = view.flushStats();

    std::printf("| platform | producer | MB | chunk KiB | cap lines | highlight | lines sent | "
                "produced s | total s | MB/s | longest stall ms | longest stall, GUI CPU ms | p99 "
                "gap ms | p50 gap ms | "
                "gaps >16 ms | flushes | max flush ms | mean flush ms | shown | dropped | ok |\n");
    std::printf(
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    std::printf(
        "| %s | %s | %lld | %d–%d | %d | %s | %lld | %.2f | %.2f | %.1f | %.1f | %.1f | %.2f | "
        "%.2f | %lld | %lld | %.1f | %.1f | %d | %lld | %s |\n",
        qPrintable(QGuiApplication::platformName()), o.threadProducer ? "thread" : "timer",
        o.megabytes, o.chunkMin / 1024, o.chunkMax / 1024, o.lines, o.highlight ? "on" : "off",
        totalLines, double(producedAtNs) / 1e9, double(finishedNs) / 1e9,
        double(data.size()) / 1e6 / (double(finishedNs) / 1e9), maxStallMs, double(maxCpuGap) / 1e6,
        pct(0.99), pct(0.5), over16, s.flushes, double(s.maxNs) / 1e6,
        s.flushes ? double(s.totalNs) / double(s.flushes) / 1e6 : 0.0, view.lineCount(),
        view.droppedLines(), lastOk && countOk ? "yes" : "NO");
    if (!lastOk || !countOk) {
        std::fprintf(stderr, "last shown line: %s\nshown %d + dropped %lld != sent %lld\n",
                     qPrintable(shownLast), view.lineCount(), view.droppedLines(), totalLines);
        return 1;
    }
    return 0;
}

#include "bench_logview.moc"
