// Soak benchmark: one long session through the real pipeline (bw::pipeline::Orchestrator
// in-process, its SessionStore journal, git's bisect state, a worktree checkout and a test
// process per step) with verdict overrides mixed in, so that a range of --commits commits
// keeps re-opening until --steps steps have run. Then every wrong mark is taken back and
// the session must find the planted culprit.
//
//   bench_soak [--steps N] [--commits N] [--seed N] [--test-ms N] [--no-racing-overrides]
//              [--max-heap-growth KiB] [--max-rss-growth KiB] [--keep]
//
// It prints, and checks (exit status 1 when one fails):
//   - memory: VmRSS and the malloc heap in use at step 1, 20 %, 50 % and 100 % of --steps
//     (1/100/250/500 by default), split into what steps(), SQLite and the benchmark keep
//     and the rest; the growth per 100 steps after the warm-up, flagged above
//     --max-rss-growth (RSS) / --max-heap-growth (the rest of the heap): see kDefault*
//     (checked from --steps 500 on: the first ~100 steps are the caches' warm-up);
//   - every step recorded exactly once: Orchestrator::steps(), the session's SQLite
//     journal (SessionDirectory::readJournal over SessionStore, and SessionProbe's
//     journal()) and the stepStarted / stepFinished signals agree one for one; numbers
//     1..max without gaps or duplicates; each bisect verdict journaled with its mark (and
//     as a Provenance::Step mark row), nothing marked for a cancelled step; every override
//     that changed a mark is in the store, in order, with its before/after and reason, and
//     announced once;
//   - no override lost, no stale verdict: a step whose commit an override marked, or took
//     out of the range, while it ran must be cancelled with nothing marked (what
//     Orchestrator::overrideMark promises), not marked with the step's own verdict;
//   - the result: Ending::Found, the planted commit, recorded as the session's culprit;
//   - timing: steps/s, per-step time percentiles (wall time between two finished steps,
//     overrides included, and the worker's own step time), overrideMark() call times, and
//     steps/s per 100 steps (a per-step cost growing with the session shows there).
//
// The recipe: no build, worktree checkout, test `sleep 0.05; test ! -e bug` (--test-ms:
// long enough for overrides made while a step runs to land during its test). The history
// is linear: commit i adds file f<i>, the commit at 2/3 adds `bug`.
//
// Overrides, driven from the orchestrator's signals like a user's clicks (queued, so they
// land while the next step runs), by the count k of finished steps:
//   k % 4 == 0   take a random mark back (good, bad or skip; never the two endpoints)
//   k % 6 == 3   take a wrong mark back
//   k % 15 == 7  mark a random unmarked commit of the range skip
//   k % 9 == 0   mark a random unmarked commit of the range with the wrong verdict; with
//                --no-racing-overrides between steps (pause after the step, override,
//                resume) and never on the commit under test
//   k % 10 == 5  when the next step's test stage has ended, mark the commit under test
//                with the opposite verdict (a user disagreeing with the step that is just
//                ending); --no-racing-overrides leaves this out
// A session that finishes early is re-opened by taking back its bad and its two highest
// goods (or its skips), then resumed. A session that fails because a step's verdict
// contradicts an override (the bug the racing overrides find) is counted as a failure, the
// stale commit's marks are taken back, and the soak goes on, so all figures still come out.
// From step --steps on, every wrong mark is taken back and the session runs to its end.

#include "services/git/GitBisectFiles.h"
#include "services/git/Repository.h"
#include "services/pipeline/Orchestrator.h"
#include "services/pipeline/SessionDirectory.h"
#include "services/store/SessionStore.h"
#include "tests/support/SessionProbe.h"
#include "tests/support/TestRepo.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QMetaEnum>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <malloc.h>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#define BW_SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BW_SOAK_ASAN 1
#endif
#endif
#ifdef BW_SOAK_ASAN
// From <sanitizer/allocator_interface.h> (not installed with every compiler).
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif
#ifdef BW_SOAK_SQLITE
#include <sqlite3.h>
#endif

using namespace bw;
using bw::pipeline::Orchestrator;

namespace {

// Memory growth allowed per 100 steps once warmed up (from the 20 % sample to the last).
// The heap figure checked is what is left after taking out what is kept by design:
// Orchestrator::steps() (~0.55 KiB a step, estimated from the records), SQLite's own
// allocations (its page cache follows the database, ~0.9 KiB a step, and stops at
// cache_size, 2000 KiB), and this benchmark's bookkeeping (~0.75 KiB a step). Measured on
// 500 steps over 512 commits, the rest grows ~50-65 KiB per 100 steps (libgit2's object
// cache filling with the commits visited, bounded by the repository). 256 KiB per 100 steps
// (2.5 KiB a step) is 4-5x that, and far below any per-step leak worth finding: a CommitDag
// of the range (--commits 512: ~32 KiB), a step's log buffers, a QFile, a QProcess or a
// QThread (tens of KiB), a SQLite connection (hundreds of KiB).
constexpr qint64 kDefaultMaxHeapGrowthKiB = 256;
// RSS is page-granular, includes SQLite's page cache and moves with malloc's arenas (a
// worker thread's arena, fragmentation): measured ~280 KiB per 100 steps; 1 MiB allowed.
constexpr qint64 kDefaultMaxRssGrowthKiB = 1024;

qint64 rssKiB() {
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    // procfs files have no size: atEnd() is true before the first read.
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').front().toLongLong();
    return -1;
}

// Bytes handed out by malloc and not freed (all arenas, mmapped chunks included); under
// ASan its own allocator's figure (glibc's arenas are not used then).
qint64 heapBytes() {
#ifdef BW_SOAK_ASAN
    return static_cast<qint64>(__sanitizer_get_current_allocated_bytes());
#else
    const struct mallinfo2 m = mallinfo2();
    return static_cast<qint64>(m.uordblks + m.hblkhd);
#endif
}

struct MemSample {
    int step = 0;
    qint64 rssKiB = 0;
    qint64 heapBytes = 0;
    qint64 retained = 0; // what Orchestrator::steps() keeps by design, estimated
    qint64 sqlite = 0;   // SQLite's own heap (page cache, schema, statements); -1 unknown
    qint64 bench = 0;    // this benchmark's bookkeeping, estimated
};

qint64 sqliteBytes() {
#ifdef BW_SOAK_SQLITE
    return static_cast<qint64>(sqlite3_memory_used());
#else
    return -1;
#endif
}

// Heap bytes of a QString / QByteArray payload (header + capacity), 0 when shared-null.
qint64 bytesOf(const QString &s) {
    return s.capacity() ? 16 + 2 * static_cast<qint64>(s.capacity() + 1) : 0;
}

// A step as Orchestrator::steps() keeps it, roughly (malloc's own overhead not counted).
qint64 bytesOf(const StepRecord &r) {
    qint64 n = sizeof(StepRecord) + bytesOf(r.subject) + bytesOf(r.logDir) +
               bytesOf(r.classification.reason) +
               static_cast<qint64>(r.stages.capacity() * sizeof(StageResult));
    for (const StageResult &s : r.stages) {
        n += bytesOf(s.message);
        if (!s.facts.isEmpty())
            n += 64;
        for (auto it = s.facts.cbegin(); it != s.facts.cend(); ++it)
            n += 48 + bytesOf(it.key()) + bytesOf(it.value());
    }
    return n;
}

// One line of fast-import per commit: commit i adds f<i>; from `bugAt` on `bug` exists.
QByteArray linearHistory(int commits, int bugAt) {
    QByteArray s;
    for (int i = 0; i < commits; ++i) {
        const QByteArray n = QByteArray::number(i);
        s += "commit refs/heads/main\nmark :" + QByteArray::number(i + 1) + "\n";
        s += "committer T <t@example.com> " + QByteArray::number(946684800 + i * 60) + " +0000\n";
        const QByteArray msg = "c" + n;
        s += "data " + QByteArray::number(msg.size()) + "\n" + msg + "\n";
        if (i > 0)
            s += "from :" + n + "\n";
        const QByteArray content = "file " + n + "\n";
        s += "M 100644 inline f" + n + "\ndata " + QByteArray::number(content.size()) + "\n" +
             content + "\n";
        if (i == bugAt)
            s += "M 100644 inline bug\ndata 4\nbug\n\n";
    }
    return s;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const double rank = p / 100.0 * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(rank));
    const auto hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (rank - static_cast<double>(lo));
}

QString markName(std::optional<MarkKind> m) {
    if (!m)
        return QStringLiteral("unmarked");
    switch (*m) {
    case MarkKind::Good:
        return QStringLiteral("good");
    case MarkKind::Bad:
        return QStringLiteral("bad");
    case MarkKind::Skip:
        return QStringLiteral("skip");
    }
    return {};
}

std::optional<MarkKind> markFor(const StepRecord &s) {
    if (s.cancelled() || s.purpose != StepPurpose::Bisect)
        return std::nullopt;
    switch (s.classification.verdict) {
    case Verdict::Good:
        return MarkKind::Good;
    case Verdict::Bad:
        return MarkKind::Bad;
    case Verdict::Skip:
        return MarkKind::Skip;
    default:
        return std::nullopt;
    }
}

struct Config {
    int steps = 500;
    int commits = 512;
    unsigned seed = 1;
    bool racing = true;
    int testMs = 50;
    qint64 maxHeapGrowthKiB = kDefaultMaxHeapGrowthKiB;
    qint64 maxRssGrowthKiB = kDefaultMaxRssGrowthKiB;
    bool keep = false;
};

// An override as the benchmark asked for it (only those that changed a mark).
struct OverrideAsked {
    int seq = 0;
    Oid commit;
    std::optional<MarkKind> before, after;
    QString reason;
    int afterStep = 0; // finished steps when it was made
};

class Soak : public QObject {
public:
    Soak(const Config &config, test::TestRepo &repo, std::vector<Oid> commits, int bugAt,
         QString sessionDir)
        : m_cfg(config)
        , m_repo(repo)
        , m_commits(std::move(commits))
        , m_bugAt(bugAt)
        , m_sessionDir(std::move(sessionDir))
        , m_rng(config.seed) {
        for (int i = 0; i < static_cast<int>(m_commits.size()); ++i)
            m_index[m_commits[static_cast<std::size_t>(i)]] = i;
        const int s = m_cfg.steps;
        m_sampleAt = {1, std::max(2, s / 5), std::max(3, s / 2), s};
    }

    int run() {
        auto gitRepo = git::Repository::open(m_repo.path());
        if (!gitRepo) {
            fail(QStringLiteral("cannot open the repository: %1").arg(gitRepo.error().message()));
            return 1;
        }
        m_gitRepo.emplace(std::move(gitRepo).value());

        connect(&m_o, &Orchestrator::stepStarted, this,
                [this](int number, const Oid &commit) { onStepStarted(number, commit); });
        connect(&m_o, &Orchestrator::stageFinished, this,
                [this](int number, const StageResult &r) { onStageFinished(number, r); });
        connect(&m_o, &Orchestrator::stepFinished, this,
                [this](const StepRecord &s) { onStepFinished(s); });
        connect(&m_o, &Orchestrator::finished, this,
                [this](Orchestrator::Ending e, const QString &m) { onFinished(e, m); });
        connect(&m_o, &Orchestrator::paused, this, [this](const QString &why) { onPaused(why); });
        connect(&m_o, &Orchestrator::overridden, this, [this] { ++m_overriddenSignals; });
        // A step whose commit an override made pointless after its test had ended: its
        // verdict is journaled without a mark (announced before its stepFinished).
        connect(&m_o, &Orchestrator::progress, this, [this](const QString &text) {
            static const QRegularExpression re(
                QStringLiteral("^step (\\d+)'s verdict \\(\\w+\\) is not applied"));
            if (const auto m = re.match(text); m.hasMatch())
                m_notApplied.insert(m.captured(1).toInt());
        });

        pipeline::SessionOptions o;
        o.repositoryPath = m_repo.path();
        o.bad = m_commits.back().toString();
        o.goods = {m_commits.front().toString()};
        o.sessionDir = m_sessionDir;
        o.recipe.test.kind = TestKind::Command;
        // A test that takes --test-ms, so that overrides made while a step runs can land
        // during its test (and cancel it) rather than always after it.
        const QString test =
            m_cfg.testMs > 0
                ? QStringLiteral("sleep %1; test ! -e bug").arg(m_cfg.testMs / 1000.0, 0, 'f', 3)
                : QStringLiteral("test ! -e bug");
        o.recipe.test.command =
            CommandSpec::fromArgv({QStringLiteral("sh"), QStringLiteral("-c"), test});

        // A watchdog: a soak that hangs fails (10 s a step is 100x what a step takes).
        QTimer watchdog;
        watchdog.setSingleShot(true);
        connect(&watchdog, &QTimer::timeout, this, [this] {
            fail(QStringLiteral("watchdog: no end after %1 steps").arg(m_finishedSignals));
            m_o.stop();
            QTimer::singleShot(10000, qApp, [] { QCoreApplication::exit(1); });
        });
        watchdog.start(std::max(600000, m_cfg.steps * 10000));

        m_clock.start();
        m_memBaseline = {0, rssKiB(), heapBytes(), 0, sqliteBytes(), 0};
        if (Status s = m_o.start(o); !s) {
            fail(QStringLiteral("start: %1").arg(s.error().message()));
            return 1;
        }
        QCoreApplication::exec();
        m_totalMs = m_clock.elapsed();
        verify();
        report();
        return m_failures.isEmpty() ? 0 : 1;
    }

private:
    [[nodiscard]] qint64 retainedBytes() const {
        qint64 n = static_cast<qint64>(m_o.steps().capacity() * sizeof(StepRecord));
        for (const StepRecord &r : m_o.steps())
            n += bytesOf(r) - static_cast<qint64>(sizeof(StepRecord));
        return n;
    }

    // The per-step and per-override containers of this class, roughly (a map node ~48 B).
    [[nodiscard]] qint64 benchBytes() const {
        qint64 n = static_cast<qint64>(
            (m_intervalsMs.capacity() + m_workerMs.capacity() + m_overrideMs.capacity()) *
            sizeof(double));
        n += static_cast<qint64>(m_signalled.capacity() * sizeof(StepRecord));
        for (const StepRecord &r : m_signalled)
            n += static_cast<qint64>(r.stages.capacity() * sizeof(StageResult));
        n += static_cast<qint64>(m_asked.capacity() * sizeof(OverrideAsked));
        for (const OverrideAsked &a : m_asked)
            n += bytesOf(a.reason);
        n += static_cast<qint64>(m_startedNumbers.size()) * 48 +
             static_cast<qint64>(m_seqAtStart.size()) * 48 +
             static_cast<qint64>(m_startedCommit.size()) * 64 +
             static_cast<qint64>(m_lastOverrideOf.size()) * 64;
        return n;
    }

    // ---- ground truth and git's state --------------------------------------------------
    [[nodiscard]] int indexOf(const Oid &c) const {
        auto it = m_index.find(c);
        return it == m_index.end() ? -1 : it->second;
    }
    [[nodiscard]] MarkKind truth(const Oid &c) const {
        return indexOf(c) >= m_bugAt ? MarkKind::Bad : MarkKind::Good;
    }
    [[nodiscard]] std::optional<git::BisectFilesState> state() {
        git::GitBisectFiles files(*m_gitRepo);
        auto s = files.read();
        if (!s) {
            fail(QStringLiteral("cannot read git's bisect state: %1").arg(s.error().message()));
            return std::nullopt;
        }
        return std::move(s).value();
    }
    static std::optional<MarkKind> markOf(const git::BisectFilesState &s, const Oid &c) {
        if (s.bad == c)
            return MarkKind::Bad;
        if (std::find(s.goods.begin(), s.goods.end(), c) != s.goods.end())
            return MarkKind::Good;
        if (std::find(s.skips.begin(), s.skips.end(), c) != s.skips.end())
            return MarkKind::Skip;
        return std::nullopt;
    }
    [[nodiscard]] bool isEndpoint(const Oid &c) const {
        return c == m_commits.front() || c == m_commits.back();
    }
    // Marks that contradict the planted regression (every skip counts: it hides a commit).
    std::vector<Oid> wrongMarks(const git::BisectFilesState &s) const {
        std::vector<Oid> wrong;
        if (s.bad && truth(*s.bad) != MarkKind::Bad)
            wrong.push_back(*s.bad);
        for (const Oid &g : s.goods)
            if (truth(g) != MarkKind::Good)
                wrong.push_back(g);
        for (const Oid &k : s.skips)
            wrong.push_back(k);
        return wrong;
    }
    // Commits strictly between the highest good and the bad: where a user would click.
    std::vector<Oid> openRange(const git::BisectFilesState &s) const {
        int lo = -1;
        for (const Oid &g : s.goods)
            lo = std::max(lo, indexOf(g));
        const int hi = s.bad ? indexOf(*s.bad) : static_cast<int>(m_commits.size());
        std::vector<Oid> range;
        for (int i = lo + 1; i < hi; ++i)
            range.push_back(m_commits[static_cast<std::size_t>(i)]);
        return range;
    }
    // Unmarked commits of the range; without racing overrides, not the one under test.
    std::vector<Oid> unmarkedInRange(const git::BisectFilesState &s) const {
        const auto running = m_o.runningCommit();
        std::vector<Oid> range;
        for (const Oid &c : openRange(s))
            if (!markOf(s, c) && (m_cfg.racing || c != running))
                range.push_back(c);
        return range;
    }
    template <typename T> const T &pick(const std::vector<T> &v) {
        return v[std::uniform_int_distribution<std::size_t>(0, v.size() - 1)(m_rng)];
    }

    // ---- overrides ---------------------------------------------------------------------
    // Returns true when the orchestrator took it (a refusal with a reason is counted).
    bool override(const Oid &commit, std::optional<MarkKind> mark, const QString &what) {
        auto s = state();
        if (!s)
            return false;
        const std::optional<MarkKind> before = markOf(*s, commit);
        const QString reason = QStringLiteral("soak #%1: %2").arg(m_overrideCalls++).arg(what);
        QElapsedTimer t;
        t.start();
        const Status st = m_o.overrideMark(commit, mark, reason);
        m_overrideMs.push_back(static_cast<double>(t.nsecsElapsed()) / 1e6);
        if (!st) {
            // The one refusal a user can meet here: the only bad commit of the range.
            if (before == MarkKind::Bad && !mark) {
                ++m_overridesRefused;
                return false;
            }
            fail(QStringLiteral("override %1 of %2 (%3 -> %4) failed: %5")
                     .arg(reason, commit.toString().left(12), markName(before), markName(mark),
                          st.error().message()));
            return false;
        }
        if (before != mark) {
            m_asked.push_back({++m_overrideSeq, commit, before, mark, reason, m_finishedSignals});
            m_lastOverrideOf[commit] = m_overrideSeq;
        }
        if (auto after = state(); after && markOf(*after, commit) != mark)
            fail(QStringLiteral("override %1: %2 is %3 in git's state right after, not %4")
                     .arg(reason, commit.toString().left(12), markName(markOf(*after, commit)),
                          markName(mark)));
        return true;
    }

    void takeBackRandomMark() {
        auto s = state();
        if (!s)
            return;
        std::vector<Oid> marked;
        if (s->bad && !isEndpoint(*s->bad))
            marked.push_back(*s->bad);
        for (const auto *list : {&s->goods, &s->skips})
            for (const Oid &c : *list)
                if (!isEndpoint(c))
                    marked.push_back(c);
        if (!marked.empty())
            (void) override(pick(marked), std::nullopt, QStringLiteral("take back"));
    }
    void flipRandomInRange() {
        auto s = state();
        if (!s)
            return;
        const std::vector<Oid> range = unmarkedInRange(*s);
        if (range.empty())
            return;
        const Oid c = pick(range);
        const MarkKind wrong = truth(c) == MarkKind::Bad ? MarkKind::Good : MarkKind::Bad;
        (void) override(c, wrong, QStringLiteral("wrong verdict"));
    }
    void skipRandomInRange() {
        auto s = state();
        if (!s)
            return;
        const std::vector<Oid> range = unmarkedInRange(*s);
        if (!range.empty())
            (void) override(pick(range), MarkKind::Skip, QStringLiteral("skip"));
    }
    void takeBackOneWrongMark() {
        auto s = state();
        if (!s)
            return;
        std::vector<Oid> wrong = wrongMarks(*s);
        if (!wrong.empty())
            (void) override(pick(wrong), std::nullopt, QStringLiteral("take back a wrong mark"));
    }
    // Converging: every wrong mark goes (taking back the bad falls back to an earlier one,
    // at worst the endpoint, which is right).
    int takeBackAllWrongMarks() {
        int n = 0;
        for (int guard = 0; guard < 1000; ++guard) {
            auto s = state();
            if (!s)
                return n;
            const std::vector<Oid> wrong = wrongMarks(*s);
            if (wrong.empty())
                return n;
            if (!override(wrong.front(), std::nullopt, QStringLiteral("converge"))) {
                fail(QStringLiteral("cannot take back the wrong mark of %1")
                         .arg(wrong.front().toString().left(12)));
                return n;
            }
            ++n;
        }
        return n;
    }
    // A finished session before the end of the soak: open the range again.
    void reopen(Orchestrator::Ending ending) {
        auto s = state();
        if (!s)
            return;
        if (ending == Orchestrator::Ending::OnlySkipped) {
            for (const Oid &k : s->skips)
                (void) override(k, std::nullopt, QStringLiteral("reopen: take back a skip"));
        } else {
            // The bad and the two highest goods: the range opens on both sides, by a few
            // steps' worth (taking back only the bad would re-test just the culprit).
            int changed = 0;
            if (s->bad && !isEndpoint(*s->bad) &&
                override(*s->bad, std::nullopt, QStringLiteral("reopen: take back the bad")))
                ++changed;
            std::vector<Oid> goods;
            for (const Oid &g : s->goods)
                if (!isEndpoint(g))
                    goods.push_back(g);
            std::sort(goods.begin(), goods.end(),
                      [this](const Oid &a, const Oid &b) { return indexOf(a) > indexOf(b); });
            for (std::size_t i = 0; i < std::min<std::size_t>(2, goods.size()); ++i)
                changed +=
                    override(goods[i], std::nullopt, QStringLiteral("reopen: take back a good"));
            if (changed == 0) {
                fail(QStringLiteral("the finished session has nothing to take back"));
                QCoreApplication::exit(1);
                return;
            }
        }
        ++m_reopened;
    }

    // ---- signals -----------------------------------------------------------------------
    void onStepStarted(int number, const Oid &commit) {
        ++m_startedSignals;
        if (!m_startedNumbers.insert(number).second)
            fail(QStringLiteral("stepStarted for step %1 twice").arg(number));
        m_seqAtStart[number] = m_overrideSeq;
        m_startedCommit[number] = commit;
    }

    void onStageFinished(int number, const StageResult &r) {
        if (r.stage != StageKind::Test || !m_racingNext || converging())
            return;
        m_racingNext = false;
        // The user disagrees with the step whose test has just ended (its verdict is not
        // in yet): the opposite mark on the commit under test.
        const auto running = m_o.runningCommit();
        const Oid commit = running ? *running : m_startedCommit[number];
        auto s = state();
        if (!s || markOf(*s, commit))
            return;
        const MarkKind wrong = truth(commit) == MarkKind::Bad ? MarkKind::Good : MarkKind::Bad;
        if (override(commit, wrong, QStringLiteral("commit under test, step %1").arg(number)))
            ++m_racingOverrides;
    }

    void onStepFinished(const StepRecord &step) {
        ++m_finishedSignals;
        const qint64 now = m_clock.nsecsElapsed();
        m_intervalsMs.push_back(static_cast<double>(now - m_lastFinishedNs) / 1e6);
        m_lastFinishedNs = now;
        m_workerMs.push_back(static_cast<double>(step.durationMs()));
        // A slim copy (the strings the comparison does not need dropped), so that the
        // benchmark's own bookkeeping stays out of the memory figures.
        StepRecord slim = step;
        slim.subject.clear();
        slim.logDir.clear();
        slim.classification.reason.clear();
        for (StageResult &r : slim.stages) {
            r.message.clear();
            r.facts.clear();
        }
        slim.stages.shrink_to_fit();
        m_signalled.push_back(std::move(slim));
        if (step.cancelled())
            ++m_cancelled;
        if (std::find(m_sampleAt.begin(), m_sampleAt.end(), m_finishedSignals) != m_sampleAt.end())
            m_mem.push_back({m_finishedSignals, rssKiB(), heapBytes(), retainedBytes(),
                             sqliteBytes(), benchBytes()});
        if (m_finishedSignals % 100 == 0)
            m_hundredsMs.push_back(m_clock.elapsed());

        // Orchestrator::overrideMark's promise: a running step whose commit an override
        // made not worth testing (marked it, or took it out of the range) is cancelled and
        // nothing is recorded for it. Its verdict is not marked yet when stepFinished is
        // emitted, so the commit must still be an unmarked commit of the range here.
        if (const auto mark = markFor(step);
            mark && m_overrideSeq > m_seqAtStart[step.number] && !m_notApplied.count(step.number)) {
            auto it = m_lastOverrideOf.find(step.commit);
            auto st = state();
            if (it != m_lastOverrideOf.end() && it->second > m_seqAtStart[step.number]) {
                const OverrideAsked &o = m_asked[static_cast<std::size_t>(it->second - 1)];
                m_lastStale = step.commit;
                if (++m_lostOverrides <= 5)
                    fail(QStringLiteral("override lost: %1 (%2 -> %3) was made while step %4 "
                                        "tested that commit, and the step's verdict (%5) was "
                                        "journaled and marked after it")
                             .arg(o.reason, markName(o.before), markName(o.after))
                             .arg(step.number)
                             .arg(markName(mark)));
            } else if (st) {
                const std::vector<Oid> range = openRange(*st);
                const bool stale =
                    std::find(range.begin(), range.end(), step.commit) == range.end();
                if (stale)
                    m_lastStale = step.commit;
                if (stale && ++m_staleVerdicts <= 5)
                    fail(QStringLiteral("stale verdict: an override took %1 out of the range "
                                        "while step %2 tested it, and the step's verdict (%3) "
                                        "was journaled and marked after it")
                             .arg(step.commit.toString().left(12))
                             .arg(step.number)
                             .arg(markName(mark)));
            }
        }

        // A verdict is dropped only when an override came while its step ran.
        if (m_notApplied.count(step.number) && !(m_overrideSeq > m_seqAtStart[step.number]))
            fail(QStringLiteral("step %1's verdict was dropped, but no override came while it ran")
                     .arg(step.number));

        if (converging()) {
            if (!m_convergeStarted) {
                m_convergeStarted = true;
                QTimer::singleShot(0, this, [this] { (void)takeBackAllWrongMarks(); });
            }
            return;
        }
        const int k = m_finishedSignals;
        QTimer::singleShot(0, this, [this, k] {
            if (m_o.state() == Orchestrator::State::Finished || converging())
                return; // onFinished re-opens it
            // Widening the range never makes the running step pointless: these land while
            // it runs.
            if (k % 4 == 0)
                takeBackRandomMark();
            if (k % 6 == 3)
                takeBackOneWrongMark();
            if (k % 15 == 7)
                skipRandomInRange();
            if (k % 9 == 0) {
                // Narrowing it can: with racing overrides while the step runs, else between
                // steps (pause after this step, override, resume).
                if (m_cfg.racing) {
                    flipRandomInRange();
                } else {
                    m_flipWhenPaused = true;
                    m_o.setPauseAfterStep(true);
                }
            }
            if (k % 10 == 5 && m_cfg.racing)
                m_racingNext = true;
        });
    }

    [[nodiscard]] bool converging() const { return m_finishedSignals >= m_cfg.steps; }

    void onPaused(const QString &why) {
        if (why.startsWith(QLatin1String("paused after step")) && m_flipWhenPaused) {
            m_flipWhenPaused = false;
            ++m_pausedForOverride;
            QTimer::singleShot(0, this, [this] {
                if (!converging())
                    flipRandomInRange();
                m_o.resume();
            });
            return;
        }
        if (!why.startsWith(QLatin1String("an override changed the range"))) {
            fail(QStringLiteral("unexpected pause: %1").arg(why));
            m_o.stop();
            return;
        }
        QTimer::singleShot(0, this, [this] { m_o.resume(); });
    }

    void onFinished(Orchestrator::Ending ending, const QString &message) {
        ++m_endings;
        if (ending == Orchestrator::Ending::Failed && m_lastStale &&
            (message.contains(QLatin1String(" was both good and bad")) ||
             message.contains(QLatin1String("not ancestors of the bad rev")))) {
            // What a lost override or a stale verdict leads to: the user's mark and the
            // step's verdict contradict each other. Counted as a failure; the soak takes the
            // stale commit's marks back (as a user would) and goes on, so the other figures
            // still come out.
            if (++m_failedEndings <= 5)
                fail(QStringLiteral("the session ended Failed after %1 steps: %2")
                         .arg(m_finishedSignals)
                         .arg(message));
            const std::optional<Oid> commit = m_lastStale;
            m_lastStale.reset();
            QTimer::singleShot(0, this, [this, commit] {
                if (!commit ||
                    !override(*commit, std::nullopt, QStringLiteral("recover: both good and bad")))
                    QCoreApplication::exit(1);
            });
            return;
        }
        if (ending != Orchestrator::Ending::Found && ending != Orchestrator::Ending::OnlySkipped) {
            fail(
                QStringLiteral("the session ended %1 after %2 steps: %3")
                    .arg(QString::fromLatin1(QMetaEnum::fromType<Orchestrator::Ending>().valueToKey(
                        static_cast<int>(ending))))
                    .arg(m_finishedSignals)
                    .arg(message));
            m_ending = ending;
            m_message = message;
            QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(1); });
            return;
        }
        QTimer::singleShot(0, this, [this, ending, message] {
            // An override queued earlier may have re-opened it already: a later
            // finished() decides then.
            if (m_o.state() != Orchestrator::State::Finished)
                return;
            if (!converging()) {
                reopen(ending);
                return;
            }
            if (!m_convergeStarted)
                m_convergeStarted = true;
            if (++m_convergeRounds > 20) {
                fail(QStringLiteral("no convergence after 20 rounds"));
                QCoreApplication::exit(1);
                return;
            }
            // Done when nothing wrong is left; else take it back (that pauses) and go on.
            if (takeBackAllWrongMarks() == 0 && ending == Orchestrator::Ending::Found) {
                m_ending = ending;
                m_message = message;
                QCoreApplication::exit(0);
                return;
            }
            if (m_o.state() == Orchestrator::State::Finished) {
                // OnlySkipped with no skip left cannot happen; nothing left to do.
                fail(QStringLiteral("converging: the session stays finished: %1").arg(message));
                QCoreApplication::exit(1);
            }
        });
    }

    // ---- the checks after the run ------------------------------------------------------
    void verify() {
        const std::vector<StepRecord> &steps = m_o.steps();
        auto dir = pipeline::SessionDirectory::open(m_o.sessionDir());
        if (!dir) {
            fail(QStringLiteral("cannot open the session: %1").arg(dir.error().message()));
            return;
        }
        auto journal = dir->readJournal();
        if (!journal) {
            fail(QStringLiteral("cannot read the journal: %1").arg(journal.error().message()));
            return;
        }
        m_journalSize = static_cast<int>(journal->size());
        m_probeSize = static_cast<int>(test::journal(m_o.sessionDir()).size());

        // The same count everywhere.
        const auto n = static_cast<int>(steps.size());
        if (n != m_finishedSignals || n != m_journalSize || n != m_startedSignals ||
            n != m_probeSize)
            fail(QStringLiteral("step counts differ: steps() %1, stepFinished %2, stepStarted %3, "
                                "journal %4 (SessionProbe %5)")
                     .arg(n)
                     .arg(m_finishedSignals)
                     .arg(m_startedSignals)
                     .arg(m_journalSize)
                     .arg(m_probeSize));

        // Numbers: each (number, attempt) once, numbers 1..max with attempt 1 each.
        auto checkNumbers = [this](const QString &where, const std::vector<StepRecord> &v) {
            std::set<std::pair<int, int>> seen;
            int max = 0;
            for (const StepRecord &s : v) {
                if (!seen.insert({s.number, s.attempt}).second)
                    fail(QStringLiteral("%1: step %2 attempt %3 twice")
                             .arg(where)
                             .arg(s.number)
                             .arg(s.attempt));
                max = std::max(max, s.number);
            }
            for (int i = 1; i <= max; ++i)
                if (!seen.count({i, 1}))
                    fail(QStringLiteral("%1: step %2 is missing").arg(where).arg(i));
            return max;
        };
        std::vector<StepRecord> journalSteps;
        for (const pipeline::JournalEntry &e : *journal)
            journalSteps.push_back(e.step);
        m_maxNumber = checkNumbers(QStringLiteral("steps()"), steps);
        checkNumbers(QStringLiteral("journal"), journalSteps);
        checkNumbers(QStringLiteral("stepFinished"), m_signalled);

        // One for one, in order: the orchestrator's list, the signals and the journal.
        auto same = [](const StepRecord &a, const StepRecord &b) {
            return a.number == b.number && a.attempt == b.attempt && a.commit == b.commit &&
                   a.purpose == b.purpose && a.cancelled() == b.cancelled() &&
                   a.classification.verdict == b.classification.verdict &&
                   a.startedMs == b.startedMs && a.finishedMs == b.finishedMs;
        };
        int mismatches = 0;
        for (int i = 0; i < n; ++i) {
            const StepRecord &s = steps[static_cast<std::size_t>(i)];
            const bool sig = i < static_cast<int>(m_signalled.size()) &&
                             same(s, m_signalled[static_cast<std::size_t>(i)]);
            const bool jou =
                i < m_journalSize && same(s, journalSteps[static_cast<std::size_t>(i)]);
            if ((!sig || !jou) && ++mismatches <= 5)
                fail(QStringLiteral("step %1 (#%2) differs between steps() and %3")
                         .arg(s.number)
                         .arg(i)
                         .arg(!sig ? QStringLiteral("stepFinished")
                                   : QStringLiteral("the journal")));
            if (m_startedCommit.count(s.number) && m_startedCommit[s.number] != s.commit)
                fail(QStringLiteral("step %1 started on %2 but finished on %3")
                         .arg(s.number)
                         .arg(m_startedCommit[s.number].toString().left(12),
                              s.commit.toString().left(12)));
        }

        // Marks: a bisect verdict is journaled with its mark (and a Provenance::Step mark
        // row), a cancelled step with none.
        int withMark = 0;
        for (const pipeline::JournalEntry &e : *journal) {
            const std::optional<MarkKind> want =
                m_notApplied.count(e.step.number) ? std::nullopt : markFor(e.step);
            if (e.mark != want)
                fail(QStringLiteral("step %1 is journaled with mark %2, its verdict says %3")
                         .arg(e.step.number)
                         .arg(markName(e.mark), markName(want)));
            withMark += e.mark.has_value();
            // Every step's verdict is right (the test cannot lie in this recipe).
            if (want && *want != MarkKind::Skip && *want != truth(e.step.commit))
                fail(QStringLiteral("step %1 judged %2 %3")
                         .arg(e.step.number)
                         .arg(e.step.commit.toString().left(12), markName(want)));
        }
        m_stepsWithMark = withMark;
        auto marks = dir->store().marks(dir->sessionId());
        if (!marks) {
            fail(QStringLiteral("cannot read the marks: %1").arg(marks.error().message()));
        } else {
            std::multiset<int> stepMarks;
            for (const Mark &m : *marks)
                if (m.provenance == Provenance::Step)
                    stepMarks.insert(m.step);
            std::multiset<int> want;
            for (const pipeline::JournalEntry &e : *journal)
                if (e.mark)
                    want.insert(e.step.number);
            if (stepMarks != want)
                fail(QStringLiteral("mark rows from steps: %1, steps with a mark: %2")
                         .arg(stepMarks.size())
                         .arg(want.size()));
        }

        // Overrides: each one that changed a mark is stored once, in order, as asked.
        auto rows = dir->store().overrides(dir->sessionId());
        if (!rows) {
            fail(QStringLiteral("cannot read the overrides: %1").arg(rows.error().message()));
        } else {
            m_overrideRows = static_cast<int>(rows->size());
            if (rows->size() != m_asked.size() ||
                m_overriddenSignals != static_cast<int>(m_asked.size()))
                fail(QStringLiteral("overrides: %1 made, %2 stored, %3 announced")
                         .arg(m_asked.size())
                         .arg(rows->size())
                         .arg(m_overriddenSignals));
            for (std::size_t i = 0; i < std::min(rows->size(), m_asked.size()); ++i) {
                const store::OverrideRow &r = (*rows)[i];
                const OverrideAsked &a = m_asked[i];
                if (r.commit != a.commit || r.before != a.before || r.after != a.after ||
                    r.reason != a.reason) {
                    fail(QStringLiteral("override %1 stored as %2 %3 -> %4 (%5)")
                             .arg(a.reason, r.commit.toString().left(12), markName(r.before),
                                  markName(r.after), r.reason));
                    break;
                }
            }
        }

        // The result.
        const Oid planted = m_commits[static_cast<std::size_t>(m_bugAt)];
        if (m_ending != Orchestrator::Ending::Found)
            fail(QStringLiteral("the soak did not end with the culprit found"));
        else if (m_o.culprit() != planted)
            fail(QStringLiteral("culprit %1, planted %2")
                     .arg(m_o.culprit() ? m_o.culprit()->toString() : QStringLiteral("none"),
                          planted.toString()));
        if (auto row = dir->store().session(dir->sessionId()); !row)
            fail(QStringLiteral("cannot read the session row: %1").arg(row.error().message()));
        else if (m_ending == Orchestrator::Ending::Found &&
                 (row->culprit != planted || row->status != u"finished"))
            fail(QStringLiteral("the store says %1 with culprit %2")
                     .arg(row->status,
                          row->culprit ? row->culprit->toString() : QStringLiteral("none")));
        if (m_finishedSignals < m_cfg.steps)
            fail(QStringLiteral("only %1 of %2 steps ran").arg(m_finishedSignals).arg(m_cfg.steps));

            // Memory, after the warm-up (the first sample after step 1).
#ifndef BW_SOAK_ASAN
        if (m_mem.size() >= 3) {
            const MemSample &a = m_mem[1];
            const MemSample &b = m_mem.back();
            const double per100 = 100.0 / (b.step - a.step);
            m_heapPer100KiB = static_cast<double>(b.heapBytes - a.heapBytes) / 1024.0 * per100;
            m_unexplainedPer100KiB =
                static_cast<double>(unexplained(b) - unexplained(a)) / 1024.0 * per100;
            m_rssPer100KiB = static_cast<double>(b.rssKiB - a.rssKiB) * per100;
            // The first ~100 steps fill caches (libgit2, Qt, SQLite's schema): shorter runs
            // measure the warm-up, not a leak, and are not checked.
            m_memChecked = a.step >= 100;
            if (m_memChecked &&
                m_unexplainedPer100KiB > static_cast<double>(m_cfg.maxHeapGrowthKiB))
                fail(QStringLiteral("the heap grows %1 KiB per 100 steps beyond what steps(), "
                                    "SQLite and the benchmark keep (limit %2)")
                         .arg(m_unexplainedPer100KiB, 0, 'f', 1)
                         .arg(m_cfg.maxHeapGrowthKiB));
            if (m_memChecked && m_rssPer100KiB > static_cast<double>(m_cfg.maxRssGrowthKiB))
                fail(QStringLiteral("RSS grows %1 KiB per 100 steps (limit %2)")
                         .arg(m_rssPer100KiB, 0, 'f', 1)
                         .arg(m_cfg.maxRssGrowthKiB));
        }
#endif
    }

    // Heap in use that neither steps() (kept by design), SQLite's own allocations (its
    // page cache is bounded by cache_size) nor this benchmark's bookkeeping explain.
    static qint64 unexplained(const MemSample &m) {
        return m.heapBytes - m.retained - std::max<qint64>(0, m.sqlite) - m.bench;
    }

    void report() const {
        const Oid planted = m_commits[static_cast<std::size_t>(m_bugAt)];
        std::printf("soak: %d steps (asked %d) over %d commits, planted culprit c%d %s\n",
                    m_finishedSignals, m_cfg.steps, static_cast<int>(m_commits.size()), m_bugAt,
                    qPrintable(planted.toString().left(12)));
        std::printf("  ending: %s%s%s\n",
                    m_ending ? QMetaEnum::fromType<Orchestrator::Ending>().valueToKey(
                                   static_cast<int>(*m_ending))
                             : "none",
                    m_message.isEmpty() ? "" : " — ", qPrintable(m_message));
        std::printf("  session: %s\n", qPrintable(m_o.sessionDir()));
        std::printf("  steps: %d finished signals, %d started, steps() %zu, journal %d, max number "
                    "%d, cancelled by overrides %d, with a mark %d\n",
                    m_finishedSignals, m_startedSignals, m_o.steps().size(), m_journalSize,
                    m_maxNumber, m_cancelled, m_stepsWithMark);
        std::printf(
            "  overrides: %d effective (%d stored, %d announced), %d calls, %d refused, "
            "%d on the commit under test, %d lost, %d stale verdicts; %d pauses to override; "
            "re-opened %d times, %d endings (%d failed)\n",
            static_cast<int>(m_asked.size()), m_overrideRows, m_overriddenSignals, m_overrideCalls,
            m_overridesRefused, m_racingOverrides, m_lostOverrides, m_staleVerdicts,
            m_pausedForOverride, m_reopened, m_endings, m_failedEndings);
        std::printf("  memory%s:\n"
                    "      step   VmRSS KiB    heap KiB  steps() KiB  SQLite KiB   bench KiB  "
                    "rest KiB\n",
#ifdef BW_SOAK_ASAN
                    " (heap: ASan allocator)"
#else
                    " (heap: mallinfo2 uordblks + hblkhd)"
#endif
        );
        std::printf("     start %11lld %11lld %12s %11lld %11s %9s\n",
                    static_cast<long long>(m_memBaseline.rssKiB),
                    static_cast<long long>(m_memBaseline.heapBytes / 1024), "-",
                    static_cast<long long>(m_memBaseline.sqlite / 1024), "-", "-");
        for (const MemSample &m : m_mem)
            std::printf(
                "    %6d %11lld %11lld %12lld %11lld %11lld %9lld\n", m.step,
                static_cast<long long>(m.rssKiB), static_cast<long long>(m.heapBytes / 1024),
                static_cast<long long>(m.retained / 1024), static_cast<long long>(m.sqlite / 1024),
                static_cast<long long>(m.bench / 1024),
                static_cast<long long>(unexplained(m) / 1024));
        auto kib = [](qint64 bytes, double per100) {
            return static_cast<double>(bytes) / 1024.0 * per100;
        };
        for (std::size_t i = 1; i < m_mem.size(); ++i) {
            const MemSample &a = m_mem[i - 1], &b = m_mem[i];
            const double per100 = 100.0 / std::max(1, b.step - a.step);
            std::printf("    steps %d-%d, per 100 steps: RSS %+.1f KiB, heap %+.1f KiB (steps() "
                        "%+.1f, SQLite %+.1f, bench %+.1f, rest %+.1f)\n",
                        a.step, b.step, static_cast<double>(b.rssKiB - a.rssKiB) * per100,
                        kib(b.heapBytes - a.heapBytes, per100),
                        kib(b.retained - a.retained, per100), kib(b.sqlite - a.sqlite, per100),
                        kib(b.bench - a.bench, per100),
                        kib(unexplained(b) - unexplained(a), per100));
        }
#ifndef BW_SOAK_ASAN
        std::printf("    after warm-up, per 100 steps: RSS %+.1f KiB (limit %lld), heap %+.1f KiB, "
                    "rest of the heap %+.1f KiB (limit %lld)\n",
                    m_rssPer100KiB, static_cast<long long>(m_cfg.maxRssGrowthKiB), m_heapPer100KiB,
                    m_unexplainedPer100KiB, static_cast<long long>(m_cfg.maxHeapGrowthKiB));
        if (!m_memChecked)
            std::printf("    (not checked: the 20 %% sample is before step 100, still the "
                        "warm-up; use --steps 500)\n");
#else
        std::printf("    (ASan: quarantine and shadow memory make growth figures meaningless; "
                    "no memory limit is checked, LeakSanitizer reports at exit)\n");
#endif
        const double seconds = static_cast<double>(m_totalMs) / 1000.0;
        std::printf("  time: %.1f s, %.2f steps/s\n", seconds,
                    seconds > 0 ? m_finishedSignals / seconds : 0.0);
        std::printf("    per step, wall (finished to finished, overrides included): p50 %.1f ms, "
                    "p90 %.1f, p99 %.1f, max %.1f\n",
                    percentile(m_intervalsMs, 50), percentile(m_intervalsMs, 90),
                    percentile(m_intervalsMs, 99), percentile(m_intervalsMs, 100));
        std::printf("    per step, worker (checkout + test): p50 %.1f ms, p90 %.1f, p99 %.1f, max "
                    "%.1f\n",
                    percentile(m_workerMs, 50), percentile(m_workerMs, 90),
                    percentile(m_workerMs, 99), percentile(m_workerMs, 100));
        std::printf("    overrideMark() call: p50 %.1f ms, p90 %.1f, max %.1f (%zu calls)\n",
                    percentile(m_overrideMs, 50), percentile(m_overrideMs, 90),
                    percentile(m_overrideMs, 100), m_overrideMs.size());
        QStringList rates;
        qint64 prev = 0;
        for (qint64 t : m_hundredsMs) {
            rates << QString::number(100000.0 / static_cast<double>(std::max<qint64>(1, t - prev)),
                                     'f', 1);
            prev = t;
        }
        std::printf("    steps/s per 100 steps: %s\n", qPrintable(rates.join(u' ')));
        if (m_failures.isEmpty()) {
            std::printf("soak: OK\n");
        } else {
            std::printf("soak: FAILED (%lld)\n", static_cast<long long>(m_failures.size()));
            for (const QString &f : m_failures)
                std::printf("  - %s\n", qPrintable(f));
        }
        std::fflush(stdout);
    }

    void fail(const QString &what) {
        if (!m_failures.contains(what))
            m_failures << what;
        std::fprintf(stderr, "soak: %s\n", qPrintable(what));
    }

    Config m_cfg;
    test::TestRepo &m_repo;
    std::vector<Oid> m_commits;
    int m_bugAt;
    QString m_sessionDir;
    std::mt19937 m_rng;
    std::map<Oid, int> m_index;
    std::optional<git::Repository> m_gitRepo;
    Orchestrator m_o;
    QElapsedTimer m_clock;
    qint64 m_totalMs = 0;
    qint64 m_lastFinishedNs = 0;

    std::vector<int> m_sampleAt;
    std::vector<MemSample> m_mem;
    MemSample m_memBaseline;
    double m_heapPer100KiB = 0, m_rssPer100KiB = 0, m_unexplainedPer100KiB = 0;
    bool m_memChecked = false;
    std::vector<double> m_intervalsMs, m_workerMs, m_overrideMs;
    std::vector<qint64> m_hundredsMs;

    int m_startedSignals = 0, m_finishedSignals = 0, m_overriddenSignals = 0;
    std::set<int> m_notApplied; // steps whose verdict the orchestrator did not apply
    std::set<int> m_startedNumbers;
    std::map<int, Oid> m_startedCommit;
    std::map<int, int> m_seqAtStart;
    std::vector<StepRecord> m_signalled;
    int m_cancelled = 0, m_endings = 0, m_failedEndings = 0, m_reopened = 0, m_convergeRounds = 0;
    bool m_convergeStarted = false, m_racingNext = false, m_flipWhenPaused = false;
    int m_staleVerdicts = 0, m_pausedForOverride = 0;
    std::optional<Oid> m_lastStale; // the commit of the last lost override or stale verdict

    std::vector<OverrideAsked> m_asked;
    std::map<Oid, int> m_lastOverrideOf;
    int m_overrideSeq = 0, m_overrideCalls = 0, m_overridesRefused = 0, m_racingOverrides = 0,
        m_lostOverrides = 0;

    std::optional<Orchestrator::Ending> m_ending;
    QString m_message;
    int m_journalSize = 0, m_probeSize = 0, m_maxNumber = 0, m_stepsWithMark = 0,
        m_overrideRows = 0;
    QStringList m_failures;
};

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Soak: a long session of the real pipeline with overrides."));
    p.addHelpOption();
    p.addOption({QStringLiteral("steps"), QStringLiteral("Steps to run (500)."),
                 QStringLiteral("N"), QStringLiteral("500")});
    p.addOption({QStringLiteral("commits"), QStringLiteral("Commits in the history (512)."),
                 QStringLiteral("N"), QStringLiteral("512")});
    p.addOption({QStringLiteral("seed"), QStringLiteral("Seed of the override choices (1)."),
                 QStringLiteral("N"), QStringLiteral("1")});
    p.addOption({QStringLiteral("test-ms"),
                 QStringLiteral("How long the test command sleeps before it looks, ms (50)."),
                 QStringLiteral("ms"), QStringLiteral("50")});
    p.addOption({QStringLiteral("no-racing-overrides"),
                 QStringLiteral("Never override the commit under test as its test ends.")});
    p.addOption(
        {QStringLiteral("max-heap-growth"),
         QStringLiteral(
             "Heap growth per 100 steps after warm-up, beyond steps(), SQLite and the benchmark's "
             "own, allowed, KiB (256)."),
         QStringLiteral("KiB"), QString::number(kDefaultMaxHeapGrowthKiB)});
    p.addOption({QStringLiteral("max-rss-growth"),
                 QStringLiteral("RSS growth allowed per 100 steps after warm-up, KiB (1024)."),
                 QStringLiteral("KiB"), QString::number(kDefaultMaxRssGrowthKiB)});
    p.addOption({QStringLiteral("keep"), QStringLiteral("Keep the repository and the session.")});
    p.process(app);

    Config cfg;
    bool ok1 = false, ok2 = false, ok3 = false, ok4 = false, ok5 = false;
    cfg.steps = p.value(QStringLiteral("steps")).toInt(&ok1);
    cfg.commits = p.value(QStringLiteral("commits")).toInt(&ok2);
    cfg.seed = p.value(QStringLiteral("seed")).toUInt(&ok3);
    cfg.maxHeapGrowthKiB = p.value(QStringLiteral("max-heap-growth")).toLongLong(&ok4);
    cfg.maxRssGrowthKiB = p.value(QStringLiteral("max-rss-growth")).toLongLong(&ok5);
    bool ok6 = false;
    cfg.testMs = p.value(QStringLiteral("test-ms")).toInt(&ok6);
    cfg.racing = !p.isSet(QStringLiteral("no-racing-overrides"));
    cfg.keep = p.isSet(QStringLiteral("keep"));
    if (!ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || cfg.testMs < 0 || cfg.steps < 10 ||
        cfg.commits < 16) {
        std::fprintf(stderr, "bench_soak: --steps must be >= 10 and --commits >= 16\n");
        return 2;
    }

    test::TestRepo repo;
    QTemporaryDir sessions;
    if (!repo.isValid() || !sessions.isValid()) {
        std::fprintf(stderr, "bench_soak: cannot create the scratch directories\n");
        return 1;
    }
    repo.git({QStringLiteral("config"), QStringLiteral("gc.auto"), QStringLiteral("0")});
    const int bugAt = cfg.commits * 2 / 3;
    if (!repo.fastImport(linearHistory(cfg.commits, bugAt)) ||
        repo.git({QStringLiteral("reset"), QStringLiteral("-q"), QStringLiteral("--hard")})
                .exitCode != 0) {
        std::fprintf(stderr, "bench_soak: cannot create the history\n");
        return 1;
    }
    std::vector<Oid> commits;
    for (const QString &line : repo.gitOut({QStringLiteral("rev-list"), QStringLiteral("--reverse"),
                                            QStringLiteral("main")})
                                   .split(u'\n', Qt::SkipEmptyParts))
        if (auto oid = Oid::fromHex(line.trimmed()))
            commits.push_back(*oid);
    if (static_cast<int>(commits.size()) != cfg.commits) {
        std::fprintf(stderr, "bench_soak: %zu commits in the history, not %d\n", commits.size(),
                     cfg.commits);
        return 1;
    }
    int rc = 0;
    {
        Soak soak(cfg, repo, std::move(commits), bugAt,
                  sessions.path() + QStringLiteral("/session"));
        rc = soak.run();
    }
    if (cfg.keep) {
        sessions.setAutoRemove(false);
        std::printf("kept: the session under %s (the scratch repository is removed)\n",
                    qPrintable(sessions.path()));
    }
    return rc;
}
