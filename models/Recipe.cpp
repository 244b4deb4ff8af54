#include "models/Recipe.h"

#include "models/BisectLog.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace bw {

namespace {

// A word that means itself to the shell is shown bare; anything else single-quoted.
bool isPlainWord(const QString &word) {
    if (word.isEmpty())
        return false;
    for (QChar c : word) {
        const bool plain = (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') ||
                           (c >= u'0' && c <= u'9') || QStringView(u"_@%+=:,./-").contains(c);
        if (!plain)
            return false;
    }
    return true;
}

template <typename Enum, std::size_t N>
std::optional<Enum> fromTable(const std::array<std::pair<Enum, const char16_t *>, N> &table,
                              const QString &name) {
    for (const auto &[value, spelling] : table) {
        if (name == QStringView(spelling))
            return value;
    }
    return std::nullopt;
}

template <typename Enum, std::size_t N>
QString toName(const std::array<std::pair<Enum, const char16_t *>, N> &table, Enum value) {
    for (const auto &[v, spelling] : table) {
        if (v == value)
            return QString::fromUtf16(spelling);
    }
    return {};
}

constexpr std::array<std::pair<StageKind, const char16_t *>, 6> kStages{{
    {StageKind::Checkout, u"checkout"},
    {StageKind::Build, u"build"},
    {StageKind::Deploy, u"deploy"},
    {StageKind::Wait, u"wait"},
    {StageKind::Test, u"test"},
    {StageKind::Any, u"any"},
}};
constexpr std::array<std::pair<StageOutcome, const char16_t *>, 5> kOutcomes{{
    {StageOutcome::Passed, u"passed"},
    {StageOutcome::Failed, u"failed"},
    {StageOutcome::Timeout, u"timeout"},
    {StageOutcome::Error, u"error"},
    {StageOutcome::Cancelled, u"cancelled"},
}};
constexpr std::array<std::pair<Verdict, const char16_t *>, 6> kVerdicts{{
    {Verdict::Good, u"good"},
    {Verdict::Bad, u"bad"},
    {Verdict::Skip, u"skip"},
    {Verdict::Retry, u"retry"},
    {Verdict::Abort, u"abort"},
    {Verdict::Ask, u"ask"},
}};
constexpr std::array<std::pair<LogKind, const char16_t *>, 4> kLogs{{
    {LogKind::Build, u"build"},
    {LogKind::Console, u"console"},
    {LogKind::Test, u"test"},
    {LogKind::Pipeline, u"pipeline"},
}};
constexpr std::array<std::pair<BisectMode, const char16_t *>, 2> kBisectModes{{
    {BisectMode::Classic, u"classic"},
    {BisectMode::Flaky, u"flaky"},
}};
constexpr std::array<std::pair<CheckoutMode, const char16_t *>, 3> kCheckoutModes{{
    {CheckoutMode::Worktree, u"worktree"},
    {CheckoutMode::InPlace, u"in-place"},
    {CheckoutMode::None, u"none"},
}};
constexpr std::array<std::pair<BuildKind, const char16_t *>, 4> kBuildKinds{{
    {BuildKind::Command, u"command"},
    {BuildKind::Make, u"make"},
    {BuildKind::Nix, u"nix"},
    {BuildKind::None, u"none"},
}};
constexpr std::array<std::pair<DeployKind, const char16_t *>, 4> kDeployKinds{{
    {DeployKind::None, u"none"},
    {DeployKind::LibvirtKernel, u"libvirt-kernel"},
    {DeployKind::LibvirtDisk, u"libvirt-disk"},
    {DeployKind::SshInstall, u"ssh-install"},
}};
constexpr std::array<std::pair<WaitKind, const char16_t *>, 3> kWaitKinds{{
    {WaitKind::None, u"none"},
    {WaitKind::Ssh, u"ssh"},
    {WaitKind::Console, u"console"},
}};
constexpr std::array<std::pair<TestKind, const char16_t *>, 4> kTestKinds{{
    {TestKind::Command, u"command"},
    {TestKind::RemoteCommand, u"remote-command"},
    {TestKind::Transfer, u"transfer"},
    {TestKind::Script, u"script"},
}};

constexpr int kMaxExitCode = 255;

// A decimal exit code 0..255 with no sign, spaces or leading zeros.
std::optional<int> parseExitCode(QStringView text) {
    if (text.isEmpty() || text.size() > 3 || (text.size() > 1 && text[0] == u'0'))
        return std::nullopt;
    int value = 0;
    for (QChar c : text) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        value = value * 10 + (c.unicode() - u'0');
    }
    if (value > kMaxExitCode)
        return std::nullopt;
    return value;
}

struct DurationUnit {
    const char16_t *suffix;
    Millis ms;
};
// Largest first: the order a duration must be written in.
constexpr std::array<DurationUnit, 4> kUnits{{
    {u"h", 3'600'000},
    {u"m", 60'000},
    {u"s", 1'000},
    {u"ms", 1},
}};

int decimalDigits(Millis n) {
    int digits = 1;
    while (n >= 10) {
        n /= 10;
        ++digits;
    }
    return digits;
}

// The shortest spelling of `ms` from the units at `unit` on: how many of each unit
// (zero: left out). Candidates for each unit are "none", "as many as fit" and up to two
// fewer, which is enough because giving a unit fewer than that only moves at least
// 2 × 60 (or 2 × 1000) of the next unit down, which never writes shorter.
struct Spelling {
    int length = std::numeric_limits<int>::max();
    std::array<Millis, 4> counts{};
};

// Every unit after the first one used stays below the size of the unit above it.
bool isClockLike(const Spelling &s) {
    constexpr std::array<Millis, 4> limit{0, 60, 60, 1000};
    bool started = false;
    for (std::size_t u = 0; u < s.counts.size(); ++u) {
        if (started && s.counts[u] >= limit[u])
            return false;
        started = started || s.counts[u] > 0;
    }
    return true;
}

void shortest(Millis rest, std::size_t unit, Spelling &current, int length, Spelling &best) {
    if (unit == kUnits.size() - 1) {
        // The last unit takes what is left, exactly.
        current.counts[unit] = rest;
        int total = length;
        if (rest > 0)
            total += decimalDigits(rest) + 2;
        // Ties go to the spelling that reads like a clock ("601m3s" over "10h63s"), then
        // to the larger units ("3h5m" over "185m").
        const auto key = [](const Spelling &s) { return std::pair(isClockLike(s), s.counts); };
        const bool better =
            total < best.length || (total == best.length && key(current) > key(best));
        if (total > 0 && better) {
            best = current;
            best.length = total;
        }
        return;
    }
    const Millis size = kUnits[unit].ms;
    const Millis most = rest / size;
    std::array<Millis, 4> tried{};
    int triedCount = 0;
    for (Millis count : {most, most - 1, most - 2, Millis(0)}) {
        if (count < 0 || std::find(tried.begin(), tried.begin() + triedCount, count) !=
                             tried.begin() + triedCount)
            continue;
        tried[triedCount++] = count;
        current.counts[unit] = count;
        const int added = count > 0 ? decimalDigits(count) + 1 : 0;
        shortest(rest - count * size, unit + 1, current, length + added, best);
    }
    current.counts[unit] = 0;
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
// neighbours each cost one.
int editDistance(const QString &a, const QString &b) {
    const qsizetype n = a.size();
    const qsizetype m = b.size();
    std::vector<std::vector<int>> d(n + 1, std::vector<int>(m + 1, 0));
    for (qsizetype i = 0; i <= n; ++i)
        d[i][0] = int(i);
    for (qsizetype j = 0; j <= m; ++j)
        d[0][j] = int(j);
    for (qsizetype i = 1; i <= n; ++i) {
        for (qsizetype j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

} // namespace

QString CommandSpec::display() const {
    switch (form) {
    case Form::None:
        return {};
    case Form::Shell:
        return shell;
    case Form::Argv:
        break;
    }
    QStringList words;
    words.reserve(argv.size());
    for (const QString &word : argv)
        words.append(isPlainWord(word) ? word : shellQuote(word));
    return words.join(u' ');
}

QString formatPercent(double p) {
    int decimals = 1;
    // Close to certainty the nines are what matter: 1 - p = 1e-6 shows as 99.9999 %.
    if (p < 1.0 && p >= 0.999)
        decimals = std::min(8, int(std::ceil(-std::log10(1.0 - p))) - 2);
    return QStringLiteral("%1 %").arg(p * 100.0, 0, 'f', decimals);
}

Recipe Recipe::forWorker(int index) const {
    Recipe r = *this;
    if (index < 0 || index >= int(workers.size()))
        return r;
    const WorkerSpec &w = workers[std::size_t(index)];
    if (!w.uri.isEmpty())
        r.deploy.uri = w.uri;
    if (!w.domain.isEmpty())
        r.deploy.domain = w.domain;
    if (!w.host.isEmpty())
        r.wait.host = w.host;
    if (w.port > 0)
        r.wait.port = w.port;
    if (!w.user.isEmpty())
        r.wait.user = w.user;
    return r;
}

QString RecipeIssue::toString() const {
    QString location = file;
    if (line > 0) {
        if (!location.isEmpty())
            location += u':';
        location += QString::number(line);
        if (column > 0)
            location += u':' + QString::number(column);
    }
    QString out;
    if (!location.isEmpty())
        out += location + QStringLiteral(": ");
    if (!key.isEmpty())
        out += key + QStringLiteral(": ");
    out += message;
    return out;
}

QString stageName(StageKind stage) {
    return toName(kStages, stage);
}
QString outcomeName(StageOutcome outcome) {
    return toName(kOutcomes, outcome);
}
QString verdictName(Verdict verdict) {
    return toName(kVerdicts, verdict);
}
QString logName(LogKind log) {
    return toName(kLogs, log);
}
std::optional<StageKind> stageFromName(const QString &name) {
    return fromTable(kStages, name);
}
std::optional<Verdict> verdictFromName(const QString &name) {
    return fromTable(kVerdicts, name);
}
std::optional<LogKind> logFromName(const QString &name) {
    return fromTable(kLogs, name);
}

QString bisectModeName(BisectMode mode) {
    return toName(kBisectModes, mode);
}
QString checkoutModeName(CheckoutMode mode) {
    return toName(kCheckoutModes, mode);
}
QString buildKindName(BuildKind kind) {
    return toName(kBuildKinds, kind);
}
QString deployKindName(DeployKind kind) {
    return toName(kDeployKinds, kind);
}
QString waitKindName(WaitKind kind) {
    return toName(kWaitKinds, kind);
}
QString testKindName(TestKind kind) {
    return toName(kTestKinds, kind);
}
std::optional<BisectMode> bisectModeFromName(const QString &name) {
    return fromTable(kBisectModes, name);
}
std::optional<CheckoutMode> checkoutModeFromName(const QString &name) {
    return fromTable(kCheckoutModes, name);
}
std::optional<BuildKind> buildKindFromName(const QString &name) {
    return fromTable(kBuildKinds, name);
}
std::optional<DeployKind> deployKindFromName(const QString &name) {
    return fromTable(kDeployKinds, name);
}
std::optional<WaitKind> waitKindFromName(const QString &name) {
    return fromTable(kWaitKinds, name);
}
std::optional<TestKind> testKindFromName(const QString &name) {
    return fromTable(kTestKinds, name);
}

QString outcomeMatchName(const OutcomeMatch &match) {
    switch (match.kind) {
    case OutcomeMatch::Kind::Any:
        return {};
    case OutcomeMatch::Kind::Passed:
        return QStringLiteral("passed");
    case OutcomeMatch::Kind::Failed:
        return QStringLiteral("failed");
    case OutcomeMatch::Kind::Timeout:
        return QStringLiteral("timeout");
    case OutcomeMatch::Kind::Error:
        return QStringLiteral("error");
    case OutcomeMatch::Kind::Exit:
        break;
    }
    if (match.exitLow == match.exitHigh)
        return QStringLiteral("exit:%1").arg(match.exitLow);
    return QStringLiteral("exit:%1-%2").arg(match.exitLow).arg(match.exitHigh);
}

std::optional<OutcomeMatch> outcomeMatchFromName(const QString &name) {
    using Kind = OutcomeMatch::Kind;
    static const std::array<std::pair<Kind, QString>, 4> plain{{
        {Kind::Passed, QStringLiteral("passed")},
        {Kind::Failed, QStringLiteral("failed")},
        {Kind::Timeout, QStringLiteral("timeout")},
        {Kind::Error, QStringLiteral("error")},
    }};
    for (const auto &[kind, spelling] : plain) {
        if (name == spelling)
            return OutcomeMatch{kind, 0, 0};
    }
    if (!name.startsWith(u"exit:"))
        return std::nullopt;
    const QStringView codes = QStringView(name).mid(5);
    const qsizetype dash = codes.indexOf(u'-');
    const auto low = parseExitCode(dash < 0 ? codes : codes.left(dash));
    const auto high = dash < 0 ? low : parseExitCode(codes.mid(dash + 1));
    if (!low || !high || *low > *high)
        return std::nullopt;
    return OutcomeMatch{Kind::Exit, *low, *high};
}

QString closestName(const QString &word, const QStringList &candidates) {
    const QString lower = word.toLower();
    const int allowed = lower.size() <= 3 ? 1 : lower.size() <= 6 ? 2 : 3;
    QString best;
    int bestDistance = allowed + 1;
    for (const QString &candidate : candidates) {
        const int distance = editDistance(lower, candidate.toLower());
        if (distance < bestDistance && distance < lower.size()) {
            best = candidate;
            bestDistance = distance;
        }
    }
    return best;
}

std::optional<Millis> parseDuration(const QString &text) {
    if (text.isEmpty())
        return std::nullopt;
    constexpr Millis kMax = std::numeric_limits<Millis>::max();
    Millis total = 0;
    qsizetype i = 0;
    std::size_t nextUnit = 0; // units must come largest first, each at most once
    bool sawUnit = false;
    while (i < text.size()) {
        Millis number = 0;
        const qsizetype start = i;
        while (i < text.size() && text[i] >= u'0' && text[i] <= u'9') {
            const int digit = text[i].unicode() - u'0';
            if (number > (kMax - digit) / 10)
                return std::nullopt;
            number = number * 10 + digit;
            ++i;
        }
        if (i == start)
            return std::nullopt; // a unit without a number, a sign, or garbage
        if (i == text.size() && !sawUnit) {
            // Plain seconds: "45".
            if (number > kMax / 1000)
                return std::nullopt;
            return number * 1000;
        }
        std::optional<std::size_t> unit;
        for (std::size_t u = nextUnit; u < kUnits.size(); ++u) {
            const QStringView suffix(kUnits[u].suffix);
            // "ms" before "m": the longer suffix wins when it is there.
            if (QStringView(text).mid(i).startsWith(suffix) &&
                !(suffix == u"m" && QStringView(text).mid(i).startsWith(u"ms"))) {
                unit = u;
                break;
            }
        }
        if (!unit)
            return std::nullopt;
        i += QStringView(kUnits[*unit].suffix).size();
        const Millis size = kUnits[*unit].ms;
        if (number > kMax / size || total > kMax - number * size)
            return std::nullopt;
        total += number * size;
        nextUnit = *unit + 1;
        sawUnit = true;
    }
    return total;
}

QString formatDuration(Millis ms) {
    if (ms == 0)
        return QStringLiteral("0s");
    if (ms < 0) {
        // Not a duration a recipe can hold; spelled for messages only.
        if (ms == std::numeric_limits<Millis>::min())
            return QStringLiteral("-") + formatDuration(std::numeric_limits<Millis>::max());
        return QStringLiteral("-") + formatDuration(-ms);
    }
    Spelling current;
    Spelling best;
    shortest(ms, 0, current, 0, best);
    QString out;
    for (std::size_t u = 0; u < kUnits.size(); ++u) {
        if (best.counts[u] > 0)
            out += QString::number(best.counts[u]) + QString::fromUtf16(kUnits[u].suffix);
    }
    return out;
}

} // namespace bw
