#pragma once

#include "models/Recipe.h"
#include "models/Result.h"
#include "services/process/CancelToken.h"
#include "services/vm/LibvirtConnection.h"

#include <QByteArray>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace bw::vm {

// A line of the console that a classifier matched ("panic", "oops", …).
struct ConsoleMatch {
    QString kind;
    QString line;
    qint64 lineNumber = 0; // 1-based, in the stream's line numbering
};

struct ConsoleClassifier {
    QString kind;
    QRegularExpression pattern;
    bool fatal = false; // the guest cannot go on (a panic): waits end at once
};

struct ConsoleWaitResult {
    enum class Outcome {
        Matched,       // the pattern was seen
        Timeout,       // not seen in time
        DomainStopped, // the guest stopped (powered off, crashed, destroyed) first
        Panicked,      // a fatal classifier (kernel panic) matched first
        Cancelled,
        Error, // libvirt failed (connection lost): an infrastructure error
    };
    Outcome outcome = Outcome::Timeout;
    QString line;     // Matched: the matching line; Panicked: the panic line
    QStringList tail; // the console's last lines when the wait ended
    Millis elapsedMs = 0;
    std::optional<Error> error; // Outcome::Error

    [[nodiscard]] bool matched() const { return outcome == Outcome::Matched; }
    // One line for a stage message: "matched 'login:' after 6.1s", "timed out after 2m", …
    [[nodiscard]] QString describe() const;
};

// A domain's serial console, read from the first byte to the end: virDomainOpenConsole
// into a non-blocking virStream whose events arrive on the libvirt event loop's thread.
// Raw chunks go to the sink as they arrive; lines are cleaned (ConsoleLineScanner),
// kept for the tail and the waits, and scanned by the classifiers. When the stream ends
// while the domain still runs (another client took the console, a daemon hiccup) the
// console is opened again — a guest reboot therefore never loses the log. A helper
// thread watches the domain's state (lifecycle events, plus a check every second).
// The console talks to libvirt over a connection of its own (to the domain's URI), and
// only its helper thread calls libvirt once it is open. A stream the daemon drops
// without a word (libvirt 9.0 does, when another client takes the console by force) is
// noticed by probing a silent console; see supervise().
class ConsoleStream {
public:
    // Called on the event loop's thread for every chunk, in order; it must be quick and
    // thread-safe (append to a file, post to the GUI) and must not call back into this.
    using Sink = std::function<void(const QByteArray &chunk)>;

    struct Options {
        QString device; // a console alias ("serial0"); empty: the first console
        int historyLines = 20000;
        bool reopen = true; // re-open when the stream ends while the domain runs
        bool force = true;  // the first open takes the console from another client
        std::vector<ConsoleClassifier> classifiers = defaultClassifiers();
    };

    // Kernel panic (fatal), the end-of-panic marker (fatal), Oops, BUG:.
    [[nodiscard]] static std::vector<ConsoleClassifier> defaultClassifiers();

    // Opens the console now. For output from the first byte, start the domain paused, open
    // the console, then resume it (VmDeployer does).
    [[nodiscard]] static Result<std::unique_ptr<ConsoleStream>>
    open(const LibvirtDomain &domain, const Options &options, Sink sink = {});
    ~ConsoleStream();
    ConsoleStream(const ConsoleStream &) = delete;
    ConsoleStream &operator=(const ConsoleStream &) = delete;

    // Stops reading (idempotent; the destructor does it): no chunk reaches the sink after
    // it returns. Waits at most 10 s for the helper thread to release the stream; one
    // stuck in a libvirt call that never returns is left behind.
    void close();

    // Blocks until a line (or the unterminated last line, for prompts) matches `pattern`,
    // including the lines that arrived before the call (those after line `afterLine` when
    // given, see lineCount()). timeoutMs <= 0: no limit. Ends early when the domain stops,
    // a fatal classifier matches, or `cancel` is cancelled. One waiter at a time.
    [[nodiscard]] ConsoleWaitResult waitForPattern(const QRegularExpression &pattern,
                                                   Millis timeoutMs,
                                                   const process::CancelToken *cancel = nullptr,
                                                   qint64 afterLine = 0);

    [[nodiscard]] QStringList tail(int lines = 50) const;
    [[nodiscard]] std::vector<ConsoleMatch> classifications() const;
    [[nodiscard]] qint64 bytesReceived() const;
    [[nodiscard]] qint64 lineCount() const;
    [[nodiscard]] bool domainStopped() const;
    // How often the console was opened again after its stream ended.
    [[nodiscard]] int reopenCount() const;
    [[nodiscard]] const LibvirtDomain &domain() const { return m_domain; }

    struct State;

private:
    ConsoleStream(LibvirtDomain domain, std::shared_ptr<State> state);

    LibvirtDomain m_domain;
    std::shared_ptr<State> m_state;
};

} // namespace bw::vm
