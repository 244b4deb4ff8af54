#pragma once

#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace bw {

// How one commit is tested: the declarative pipeline of RECIPE.md as plain data. The
// parser (services/recipe) fills it and reports every mistake with file, line and key;
// nothing here reads a file.

using Millis = qint64;

// A command as the recipe wrote it: an array runs that argv directly, a string runs
// under `/bin/sh -c` (variables inside it are shell-quoted when substituted).
struct CommandSpec {
    enum class Form { None, Argv, Shell };
    Form form = Form::None;
    QStringList argv; // Form::Argv
    QString shell;    // Form::Shell

    [[nodiscard]] bool isSet() const { return form != Form::None; }
    [[nodiscard]] static CommandSpec fromArgv(QStringList argv) {
        return {Form::Argv, std::move(argv), {}};
    }
    [[nodiscard]] static CommandSpec fromShell(QString script) {
        return {Form::Shell, {}, std::move(script)};
    }
    // For messages and reports: the argv shell-quoted, or the script as written.
    [[nodiscard]] QString display() const;

    friend bool operator==(const CommandSpec &, const CommandSpec &) = default;
};

enum class BisectMode { Classic, Flaky };
enum class CheckoutMode { Worktree, InPlace, None };
enum class BuildKind { None, Command, Make, Nix };
enum class DeployKind { None, LibvirtKernel, LibvirtDisk, SshInstall };
enum class WaitKind { None, Ssh, Console };
enum class TestKind { Command, RemoteCommand, Transfer, Script };

// The stages of one step, in order; Any only appears in classification rules.
enum class StageKind { Checkout, Build, Deploy, Wait, Test, Any };
// How a stage ended. Error is an infrastructure fault (libvirt or SSH unreachable, disk
// full, a command that could not be started): never evidence about the commit.
enum class StageOutcome { Passed, Failed, Timeout, Error, Cancelled };
enum class Verdict { Good, Bad, Skip, Retry, Abort, Ask };
enum class LogKind { Build, Console, Test, Pipeline };

struct RecipeBisect {
    QString termOld = QStringLiteral("good");
    QString termNew = QStringLiteral("bad");
    bool firstParent = false;
    bool checkEndpoints = false;
    int confirmCulprit = 0;
    BisectMode mode = BisectMode::Classic;
    double detection = 0.9;
    bool detectionAuto = false; // detection = "auto": estimated from the runs
    double falseAlarm = 0.0;
    double confidence = 0.95;

    friend bool operator==(const RecipeBisect &, const RecipeBisect &) = default;
};

struct BuildSpec {
    BuildKind kind = BuildKind::None;
    CommandSpec command; // command
    Millis timeout = 0;  // 0: none
    QMap<QString, QString> env;
    QString target;                            // make
    int jobs = 0;                              // make: 0 = make's default
    QStringList args;                          // make, nix
    QString flake;                             // nix
    QString result = QStringLiteral("result"); // nix: the out-link's name

    friend bool operator==(const BuildSpec &, const BuildSpec &) = default;
};

struct DeploySpec {
    DeployKind kind = DeployKind::None;
    QString uri = QStringLiteral("qemu:///system");
    QString xml; // template path
    QString domain;
    QString kernel;
    QString initrd;
    QString cmdline;
    QString image;
    QString disk;
    QString format = QStringLiteral("raw");
    QString resize;
    CommandSpec command; // ssh-install: the install command run on the target
    Millis timeout = 0;

    friend bool operator==(const DeploySpec &, const DeploySpec &) = default;
};

struct WaitSpec {
    WaitKind kind = WaitKind::None;
    QString host = QStringLiteral("127.0.0.1");
    int port = 22;
    QString user = QStringLiteral("root");
    QString identity;   // empty: the ssh-agent
    QString knownHosts; // empty: ~/.ssh/known_hosts
    QString pattern;    // console: a regular expression
    bool expectVersion = false;
    Millis timeout = 0;

    friend bool operator==(const WaitSpec &, const WaitSpec &) = default;
};

struct TestSpec {
    TestKind kind = TestKind::Command;
    CommandSpec command;
    QMap<QString, QString> env;
    QString file;
    QString destination = QStringLiteral("/dev/null");
    int repeat = 1;
    Millis timeout = 0; // per iteration; 0: none

    friend bool operator==(const TestSpec &, const TestSpec &) = default;
};

// Which stage outcomes a rule matches: one outcome, or an exit code range.
struct OutcomeMatch {
    enum class Kind { Any, Passed, Failed, Timeout, Error, Exit };
    Kind kind = Kind::Any;
    int exitLow = 0; // Exit: inclusive range
    int exitHigh = 0;

    friend bool operator==(const OutcomeMatch &, const OutcomeMatch &) = default;
};

struct ClassifyRule {
    StageKind stage = StageKind::Any;
    OutcomeMatch outcome;
    std::optional<LogKind> log; // with pattern: the log the pattern is searched in
    QString pattern;            // a regular expression; empty: none
    Verdict verdict = Verdict::Skip;
    int line = 0; // where the rule is in the recipe file, for reasons and messages

    // Equal when they mean the same: `line` is where the rule was written, not what it says.
    friend bool operator==(const ClassifyRule &a, const ClassifyRule &b) {
        return a.stage == b.stage && a.outcome == b.outcome && a.log == b.log &&
               a.pattern == b.pattern && a.verdict == b.verdict;
    }
};

struct NotifySpec {
    bool desktop = true;
    QString webhook;

    friend bool operator==(const NotifySpec &, const NotifySpec &) = default;
};

// One place a step can run ([[worker]]): a local slot, or another VM or host. Empty
// values (0 for the port) keep the recipe's [deploy] and [wait] values.
struct WorkerSpec {
    QString name;   // shown in the GUI; "worker N" when empty
    QString uri;    // deploy.uri
    QString domain; // deploy.domain
    QString host;   // wait.host
    int port = 0;   // wait.port
    QString user;   // wait.user

    friend bool operator==(const WorkerSpec &, const WorkerSpec &) = default;
};

struct Recipe {
    QString name;
    QString file;   // the recipe file, absolute; empty for a recipe built in code
    QString folder; // relative paths are relative to this
    RecipeBisect bisect;
    CheckoutMode checkout = CheckoutMode::Worktree;
    BuildSpec build;
    DeploySpec deploy;
    WaitSpec wait;
    TestSpec test;
    std::vector<ClassifyRule> classify; // the user's rules, in order
    NotifySpec notify;
    std::vector<WorkerSpec> workers; // [[worker]]: empty means one local slot

    // The recipe as worker `index` runs it (its [[worker]] values in place).
    [[nodiscard]] Recipe forWorker(int index) const;

    friend bool operator==(const Recipe &, const Recipe &) = default;
};

// One mistake in a recipe, located.
struct RecipeIssue {
    QString file;
    int line = 0; // 1-based; 0 when unknown
    int column = 0;
    QString key; // dotted: "build.timeout", "classify[2].verdict"
    QString message;

    // "file:line:column: key: message", parts left out when unknown.
    [[nodiscard]] QString toString() const;

    friend bool operator==(const RecipeIssue &, const RecipeIssue &) = default;
};

// Names as the recipe spells them.
[[nodiscard]] QString stageName(StageKind stage);
[[nodiscard]] QString outcomeName(StageOutcome outcome);
[[nodiscard]] QString verdictName(Verdict verdict);
[[nodiscard]] QString logName(LogKind log);
[[nodiscard]] std::optional<StageKind> stageFromName(const QString &name);
[[nodiscard]] std::optional<Verdict> verdictFromName(const QString &name);
[[nodiscard]] std::optional<LogKind> logFromName(const QString &name);
[[nodiscard]] QString bisectModeName(BisectMode mode);
[[nodiscard]] QString checkoutModeName(CheckoutMode mode);
[[nodiscard]] QString buildKindName(BuildKind kind);
[[nodiscard]] QString deployKindName(DeployKind kind);
[[nodiscard]] QString waitKindName(WaitKind kind);
[[nodiscard]] QString testKindName(TestKind kind);
[[nodiscard]] std::optional<BisectMode> bisectModeFromName(const QString &name);
[[nodiscard]] std::optional<CheckoutMode> checkoutModeFromName(const QString &name);
[[nodiscard]] std::optional<BuildKind> buildKindFromName(const QString &name);
[[nodiscard]] std::optional<DeployKind> deployKindFromName(const QString &name);
[[nodiscard]] std::optional<WaitKind> waitKindFromName(const QString &name);
[[nodiscard]] std::optional<TestKind> testKindFromName(const QString &name);
// A classify rule's `outcome`: "passed", "failed", "timeout", "error", "exit:N" or
// "exit:A-B" (A <= B, codes 0..255); Kind::Any has no spelling (the key is left out).
[[nodiscard]] QString outcomeMatchName(const OutcomeMatch &match);
[[nodiscard]] std::optional<OutcomeMatch> outcomeMatchFromName(const QString &name);

// The candidate closest to `word` by edit distance (case ignored, a swap of two neighbours
// counting as one edit) when it is close enough to be a likely typo; empty otherwise. For
// "did you mean …?" in messages.
[[nodiscard]] QString closestName(const QString &word, const QStringList &candidates);

// "90s", "3m", "1h30m", "250ms", or an integer number of seconds; empty on a bad value.
[[nodiscard]] std::optional<Millis> parseDuration(const QString &text);
// The shortest spelling that parseDuration reads back: "3m", "90s", "250ms", "90m" (not
// "1h30m"), "62m3s"; ties go to the clock-like spelling, then the larger units ("3h5m",
// not "185m"). "0s" for zero; negative values get a "-" (messages only).
[[nodiscard]] QString formatDuration(Millis ms);
// A probability as a percentage with the digits that matter: "47.1 %", "99.9999 %".
[[nodiscard]] QString formatPercent(double p);

} // namespace bw
