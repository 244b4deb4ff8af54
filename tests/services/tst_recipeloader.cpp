#include "models/RecipeVariables.h"
#include "services/recipe/RecipeLoader.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace bw;
using bw::recipe::RecipeLoad;
using bw::recipe::RecipeLoader;

Q_DECLARE_METATYPE(bw::Recipe)

namespace {

// RECIPE.md's "Keys" block, copied verbatim with its comments: the contract must parse.
// (The TOML texts here are ordinary literals: moc does not follow raw strings, and a
// "//" inside one hides the test class from it.)
// clang-format off
const char *const kRecipeMdExample =
    "name = \"virtio-net hang\"                 # optional, shown in the GUI and reports\n"
    "\n"
    "[bisect]\n"
    "terms = [\"good\", \"bad\"]                  # [old, new]; e.g. [\"fast\", \"slow\"] or [\"broken\", \"fixed\"]\n"
    "first_parent = false\n"
    "check_endpoints = false                  # test the good and bad commits first\n"
    "confirm_culprit = 0                      # at the end, re-test the culprit and its parent N times each\n"
    "mode = \"classic\"                         # \"classic\" | \"flaky\"\n"
    "detection = 0.9                          # flaky: P(test fails | commit is bad)\n"
    "false_alarm = 0.0                        # flaky: P(test fails | commit is good)\n"
    "confidence = 0.95                        # flaky: stop when one commit holds this posterior\n"
    "\n"
    "[checkout]\n"
    "mode = \"worktree\"                        # \"worktree\" (default; persistent, incremental builds) | \"in-place\" | \"none\"\n"
    "\n"
    "[build]\n"
    "kind = \"command\"                         # \"command\" | \"make\" | \"nix\" | \"none\"\n"
    "command = [\"make\", \"-j2\"]                # command: what to run, in ${worktree}\n"
    "timeout = \"30m\"\n"
    "env = { CC = \"ccache gcc\" }\n"
    "# make:  target = \"bzImage\", jobs = 2, args = [\"O=build\"]\n"
    "# nix:   flake = \".#qemuImage\", args = [\"--override-input\", \"linux\", \"path:${worktree}\"], result = \"result\"\n"
    "\n"
    "[deploy]\n"
    "kind = \"none\"                            # \"none\" | \"libvirt-kernel\" | \"libvirt-disk\" | \"ssh-install\"\n"
    "uri = \"qemu:///system\"\n"
    "xml = \"vm.xml\"                           # domain XML template; ${kernel}, ${initrd}, ${cmdline}, ${disk}, ${port} substituted XML-escaped\n"
    "domain = \"bisect-vm\"                     # or an existing domain to redefine instead of a template\n"
    "kernel = \"${worktree}/arch/x86/boot/bzImage\"   # libvirt-kernel\n"
    "initrd = \"\"                              # libvirt-kernel, optional\n"
    "cmdline = \"console=ttyS0 panic=-1\"       # libvirt-kernel\n"
    "image = \"${result}/nixos.qcow2\"          # libvirt-disk: the new image\n"
    "disk = \"/var/lib/libvirt/images/repro.raw\"     # libvirt-disk: the domain's disk to replace\n"
    "format = \"raw\"                           # libvirt-disk: target format\n"
    "resize = \"10G\"                           # libvirt-disk: optional\n"
    "timeout = \"5m\"\n"
    "\n"
    "[wait]\n"
    "kind = \"none\"                            # \"none\" | \"ssh\" | \"console\"\n"
    "host = \"127.0.0.1\"\n"
    "port = 22\n"
    "user = \"root\"\n"
    "identity = \"~/.ssh/id_ed25519\"           # or the ssh-agent when absent\n"
    "known_hosts = \"~/.ssh/known_hosts\"       # host keys are always verified\n"
    "pattern = \"login:\"                       # console: a regular expression to wait for\n"
    "expect_version = false                   # ssh: check `uname -r` against ${version}\n"
    "timeout = \"2m\"\n"
    "\n"
    "[test]\n"
    "kind = \"command\"                         # \"command\" | \"remote-command\" | \"transfer\" | \"script\"\n"
    "command = [\"./run-test\"]                 # command/remote-command/script\n"
    "file = \"~/Downloads/nixos.iso\"           # transfer: local file to upload each iteration\n"
    "destination = \"/dev/null\"                # transfer: remote path\n"
    "repeat = 1                               # iterations; the first failure decides \"bad\" in classic mode\n"
    "timeout = \"3m\"                           # per iteration\n"
    "\n"
    "[[classify]]                             # ordered rules, first match wins; the defaults follow them\n"
    "stage = \"build\"                          # checkout | build | deploy | wait | test | any\n"
    "outcome = \"failed\"                       # passed | failed | timeout | error (infrastructure) | exit:N | exit:A-B\n"
    "log = \"console\"                          # optional: build | console | test; with pattern\n"
    "pattern = \"Kernel panic|BUG:\"            # optional regular expression over that log\n"
    "verdict = \"skip\"                         # good | bad | skip | retry | abort | ask\n"
    "\n"
    "[notify]\n"
    "desktop = true\n"
    "webhook = \"http://127.0.0.1:8080/hook\"   # POST a JSON summary when the session ends or needs a human\n";

// Every key, none left at its default.
const char *const kFullRecipe =
    "name = \"full recipe\"\n"
    "\n"
    "[bisect]\n"
    "terms = [\"fast\", \"slow\"]\n"
    "first_parent = true\n"
    "check_endpoints = true\n"
    "confirm_culprit = 2\n"
    "mode = \"flaky\"\n"
    "detection = 0.8\n"
    "false_alarm = 0.05\n"
    "confidence = 0.99\n"
    "\n"
    "[checkout]\n"
    "mode = \"in-place\"\n"
    "\n"
    "[build]\n"
    "kind = \"nix\"\n"
    "command = \"make -j2 && echo ${short}\"\n"
    "timeout = \"1h30m\"\n"
    "env = { CC = \"ccache gcc\", NIX_PATH = \"nixpkgs=${repo}\" }\n"
    "target = \"bzImage\"\n"
    "jobs = 4\n"
    "args = [\"--override-input\", \"linux\", \"path:${worktree}\"]\n"
    "flake = \".#qemuImage\"\n"
    "result = \"out\"\n"
    "\n"
    "[deploy]\n"
    "kind = \"libvirt-disk\"\n"
    "uri = \"qemu+ssh://host/system\"\n"
    "xml = \"vm.xml\"\n"
    "domain = \"bisect-vm\"\n"
    "kernel = \"${worktree}/arch/x86/boot/bzImage\"\n"
    "initrd = \"initrd.img\"\n"
    "cmdline = \"console=ttyS0 panic=-1\"\n"
    "image = \"${result}/nixos.qcow2\"\n"
    "disk = \"/var/lib/libvirt/images/repro.raw\"\n"
    "format = \"qcow2\"\n"
    "resize = \"10G\"\n"
    "command = [\"sudo\", \"install-kernel\", \"${version}\"]\n"
    "timeout = 300\n"
    "\n"
    "[wait]\n"
    "kind = \"ssh\"\n"
    "host = \"192.168.122.50\"\n"
    "port = 2222\n"
    "user = \"tester\"\n"
    "identity = \"~/.ssh/id_ed25519\"\n"
    "known_hosts = \"known_hosts\"\n"
    "pattern = \"login:\"\n"
    "expect_version = true\n"
    "timeout = \"2m\"\n"
    "\n"
    "[test]\n"
    "kind = \"remote-command\"\n"
    "command = [\"./run-test\", \"--iterations\", \"15\"]\n"
    "env = { ISO = \"/tmp/x.iso\" }\n"
    "file = \"~/Downloads/nixos.iso\"\n"
    "destination = \"/tmp/upload\"\n"
    "repeat = 15\n"
    "timeout = \"3m\"\n"
    "\n"
    "[[classify]]\n"
    "stage = \"build\"\n"
    "outcome = \"failed\"\n"
    "verdict = \"skip\"\n"
    "\n"
    "[[classify]]\n"
    "stage = \"test\"\n"
    "outcome = \"exit:1-127\"\n"
    "log = \"console\"\n"
    "pattern = \"Kernel panic|BUG:\"\n"
    "verdict = \"slow\"\n"
    "\n"
    "[[classify]]\n"
    "outcome = \"error\"\n"
    "verdict = \"ask\"\n"
    "\n"
    "[notify]\n"
    "desktop = false\n"
    "webhook = \"https://example.org/hook\"\n";

// One of every kind of mistake; the line numbers matter (see everyMistake()).
const char *const kMistakes =
    "name = 5\n"
    "\n"
    "[bisect]\n"
    "terms = [\"good\", \"good\"]\n"
    "confirm_culprit = -1\n"
    "mode = \"bayes\"\n"
    "detection = 1.5\n"
    "false_alarm = 1.0\n"
    "confidence = 1\n"
    "\n"
    "[checkout]\n"
    "mode = \"copy\"\n"
    "\n"
    "[build]\n"
    "kind = \"command\"\n"
    "timout = \"3m\"\n"
    "timeout = true\n"
    "env = { CC = 1, \"bad name\" = \"x\" }\n"
    "jobs = -2\n"
    "args = \"O=build\"\n"
    "\n"
    "[deploy]\n"
    "kind = \"docker\"\n"
    "timeout = \"3 minutes\"\n"
    "\n"
    "[wait]\n"
    "kind = \"console\"\n"
    "port = 70000\n"
    "expect_version = \"yes\"\n"
    "\n"
    "[test]\n"
    "kind = \"command\"\n"
    "command = [\"./run\", \"${comit}\"]\n"
    "repeat = 0\n"
    "timeout = \"-5s\"\n"
    "env = \"X=1\"\n"
    "\n"
    "[[classify]]\n"
    "stage = \"tests\"\n"
    "outcome = \"exit:5-2\"\n"
    "verdict = \"good\"\n"
    "\n"
    "[[classify]]\n"
    "stage = \"any\"\n"
    "pattern = \"panic\"\n"
    "verdict = \"maybe\"\n"
    "\n"
    "[[classify]]\n"
    "stage = \"build\"\n"
    "log = \"console\"\n"
    "\n"
    "[[classify]]\n"
    "stage = \"test\"\n"
    "pattern = \"(unclosed\"\n"
    "verdict = \"bad\"\n"
    "\n"
    "[notify]\n"
    "webhook = \"ftp:/nowhere\"\n"
    "colour = true\n"
    "\n"
    "[extra]\n"
    "x = 1\n";

// clang-format on

struct Expected {
    int line;
    QString key;
    QString message;
};

QString describe(const RecipeLoad &load) {
    return load.message();
}

RecipeLoad parse(const QString &text) {
    return RecipeLoader::parse(text, QStringLiteral("/recipes/r.toml"));
}

Recipe minimalRecipe() {
    Recipe r;
    r.file = QStringLiteral("/recipes/r.toml");
    r.folder = QStringLiteral("/recipes");
    r.test.command = CommandSpec::fromArgv({"./run-test"});
    return r;
}

} // namespace

class Test_recipeloader : public QObject {
    Q_OBJECT

private slots:
    void fullRecipe();
    void recipeMdExample();
    void defaultsFromAMinimalRecipe();
    void everyMistake();
    void syntaxError();
    void unknownKeySuggestion();
    void kindRequirements_data();
    void kindRequirements();
    void commandForms_data();
    void commandForms();
    void classifyRules();
    void durationsAsIntegersAndStrings();
    void loadFile();
    void loadUnreadableFile();
    void roundTrip_data();
    void workersAndAutoDetection();
    void roundTrip();
    void roundTripOfParsedTexts_data();
    void roundTripOfParsedTexts();
    void hostileSubjectThroughRealShell_data();
    void hostileSubjectThroughRealShell();
};

void Test_recipeloader::fullRecipe() {
    const RecipeLoad load = parse(QString::fromUtf8(kFullRecipe));
    QVERIFY2(load.ok(), qPrintable(describe(load)));
    const Recipe &r = load.recipe;
    QCOMPARE(r.name, QStringLiteral("full recipe"));
    QCOMPARE(r.file, QStringLiteral("/recipes/r.toml"));
    QCOMPARE(r.folder, QStringLiteral("/recipes"));

    QCOMPARE(r.bisect.termOld, QStringLiteral("fast"));
    QCOMPARE(r.bisect.termNew, QStringLiteral("slow"));
    QCOMPARE(r.bisect.firstParent, true);
    QCOMPARE(r.bisect.checkEndpoints, true);
    QCOMPARE(r.bisect.confirmCulprit, 2);
    QCOMPARE(r.bisect.mode, BisectMode::Flaky);
    QCOMPARE(r.bisect.detection, 0.8);
    QCOMPARE(r.bisect.falseAlarm, 0.05);
    QCOMPARE(r.bisect.confidence, 0.99);

    QCOMPARE(r.checkout, CheckoutMode::InPlace);

    QCOMPARE(r.build.kind, BuildKind::Nix);
    QCOMPARE(r.build.command, CommandSpec::fromShell("make -j2 && echo ${short}"));
    QCOMPARE(r.build.timeout, Millis(90 * 60 * 1000));
    QCOMPARE(r.build.env,
             (QMap<QString, QString>{{"CC", "ccache gcc"}, {"NIX_PATH", "nixpkgs=${repo}"}}));
    QCOMPARE(r.build.target, QStringLiteral("bzImage"));
    QCOMPARE(r.build.jobs, 4);
    QCOMPARE(r.build.args, QStringList({"--override-input", "linux", "path:${worktree}"}));
    QCOMPARE(r.build.flake, QStringLiteral(".#qemuImage"));
    QCOMPARE(r.build.result, QStringLiteral("out"));

    QCOMPARE(r.deploy.kind, DeployKind::LibvirtDisk);
    QCOMPARE(r.deploy.uri, QStringLiteral("qemu+ssh://host/system"));
    QCOMPARE(r.deploy.xml, QStringLiteral("vm.xml")); // kept as written
    QCOMPARE(r.deploy.domain, QStringLiteral("bisect-vm"));
    QCOMPARE(r.deploy.kernel, QStringLiteral("${worktree}/arch/x86/boot/bzImage"));
    QCOMPARE(r.deploy.initrd, QStringLiteral("initrd.img"));
    QCOMPARE(r.deploy.cmdline, QStringLiteral("console=ttyS0 panic=-1"));
    QCOMPARE(r.deploy.image, QStringLiteral("${result}/nixos.qcow2"));
    QCOMPARE(r.deploy.disk, QStringLiteral("/var/lib/libvirt/images/repro.raw"));
    QCOMPARE(r.deploy.format, QStringLiteral("qcow2"));
    QCOMPARE(r.deploy.resize, QStringLiteral("10G"));
    QCOMPARE(r.deploy.command, CommandSpec::fromArgv({"sudo", "install-kernel", "${version}"}));
    QCOMPARE(r.deploy.timeout, Millis(300'000));

    QCOMPARE(r.wait.kind, WaitKind::Ssh);
    QCOMPARE(r.wait.host, QStringLiteral("192.168.122.50"));
    QCOMPARE(r.wait.port, 2222);
    QCOMPARE(r.wait.user, QStringLiteral("tester"));
    QCOMPARE(r.wait.identity, QStringLiteral("~/.ssh/id_ed25519"));
    QCOMPARE(r.wait.knownHosts, QStringLiteral("known_hosts"));
    QCOMPARE(r.wait.pattern, QStringLiteral("login:"));
    QCOMPARE(r.wait.expectVersion, true);
    QCOMPARE(r.wait.timeout, Millis(120'000));

    QCOMPARE(r.test.kind, TestKind::RemoteCommand);
    QCOMPARE(r.test.command, CommandSpec::fromArgv({"./run-test", "--iterations", "15"}));
    QCOMPARE(r.test.env, (QMap<QString, QString>{{"ISO", "/tmp/x.iso"}}));
    QCOMPARE(r.test.file, QStringLiteral("~/Downloads/nixos.iso"));
    QCOMPARE(r.test.destination, QStringLiteral("/tmp/upload"));
    QCOMPARE(r.test.repeat, 15);
    QCOMPARE(r.test.timeout, Millis(180'000));

    QCOMPARE(r.classify.size(), std::size_t(3));
    const ClassifyRule &first = r.classify[0];
    QCOMPARE(first.stage, StageKind::Build);
    QCOMPARE(first.outcome.kind, OutcomeMatch::Kind::Failed);
    QCOMPARE(first.log, std::nullopt);
    QCOMPARE(first.pattern, QString());
    QCOMPARE(first.verdict, Verdict::Skip);
    QCOMPARE(first.line, 62);
    const ClassifyRule &second = r.classify[1];
    QCOMPARE(second.stage, StageKind::Test);
    QCOMPARE(second.outcome.kind, OutcomeMatch::Kind::Exit);
    QCOMPARE(second.outcome.exitLow, 1);
    QCOMPARE(second.outcome.exitHigh, 127);
    QCOMPARE(second.log, std::optional(LogKind::Console));
    QCOMPARE(second.pattern, QStringLiteral("Kernel panic|BUG:"));
    QCOMPARE(second.verdict, Verdict::Bad); // "slow" is this recipe's new term
    QCOMPARE(second.line, 67);
    const ClassifyRule &third = r.classify[2];
    QCOMPARE(third.stage, StageKind::Any);
    QCOMPARE(third.outcome.kind, OutcomeMatch::Kind::Error);
    QCOMPARE(third.verdict, Verdict::Ask);
    QCOMPARE(third.line, 74);

    QCOMPARE(r.notify.desktop, false);
    QCOMPARE(r.notify.webhook, QStringLiteral("https://example.org/hook"));
}

void Test_recipeloader::recipeMdExample() {
    const RecipeLoad load = parse(QString::fromUtf8(kRecipeMdExample));
    QVERIFY2(load.ok(), qPrintable(describe(load)));
    const Recipe &r = load.recipe;
    QCOMPARE(r.name, QStringLiteral("virtio-net hang"));
    QCOMPARE(r.bisect.termOld, QStringLiteral("good"));
    QCOMPARE(r.bisect.termNew, QStringLiteral("bad"));
    QCOMPARE(r.checkout, CheckoutMode::Worktree);
    QCOMPARE(r.build.kind, BuildKind::Command);
    QCOMPARE(r.build.command, CommandSpec::fromArgv({"make", "-j2"}));
    QCOMPARE(r.build.timeout, Millis(30 * 60 * 1000));
    QCOMPARE(r.build.env.value("CC"), QStringLiteral("ccache gcc"));
    QCOMPARE(r.deploy.kind, DeployKind::None);
    QCOMPARE(r.deploy.kernel, QStringLiteral("${worktree}/arch/x86/boot/bzImage"));
    QCOMPARE(r.deploy.resize, QStringLiteral("10G"));
    QCOMPARE(r.deploy.timeout, Millis(5 * 60 * 1000));
    QCOMPARE(r.wait.kind, WaitKind::None);
    QCOMPARE(r.wait.port, 22);
    QCOMPARE(r.wait.knownHosts, QStringLiteral("~/.ssh/known_hosts"));
    QCOMPARE(r.test.kind, TestKind::Command);
    QCOMPARE(r.test.command, CommandSpec::fromArgv({"./run-test"}));
    QCOMPARE(r.test.destination, QStringLiteral("/dev/null"));
    QCOMPARE(r.test.timeout, Millis(3 * 60 * 1000));
    QCOMPARE(r.classify.size(), std::size_t(1));
    QCOMPARE(r.classify[0].stage, StageKind::Build);
    QCOMPARE(r.classify[0].log, std::optional(LogKind::Console));
    QCOMPARE(r.classify[0].verdict, Verdict::Skip);
    QCOMPARE(r.classify[0].line, 57);
    QCOMPARE(r.notify.webhook, QStringLiteral("http://127.0.0.1:8080/hook"));
}

void Test_recipeloader::defaultsFromAMinimalRecipe() {
    const RecipeLoad load = parse(QStringLiteral("[test]\ncommand = [\"./run-test\"]\n"));
    QVERIFY2(load.ok(), qPrintable(describe(load)));
    QCOMPARE(load.recipe, minimalRecipe());
    QCOMPARE(load.recipe.build.kind, BuildKind::None);
    QCOMPARE(load.recipe.wait.host, QStringLiteral("127.0.0.1"));

    // A build given a command and no kind runs that command.
    const RecipeLoad build = parse(QStringLiteral("[build]\ncommand = 'make -j2'\ntimeout = 5\n"
                                                  "[test]\ncommand = [\"./run-test\"]\n"));
    QVERIFY2(build.ok(), qPrintable(describe(build)));
    QCOMPARE(build.recipe.build.kind, BuildKind::Command);
    QCOMPARE(build.recipe.build.command, CommandSpec::fromShell("make -j2"));
    const RecipeLoad none = parse(QStringLiteral("[build]\ntimeout = 5\n"
                                                 "[test]\ncommand = [\"./run-test\"]\n"));
    QVERIFY2(none.ok(), qPrintable(describe(none)));
    QCOMPARE(none.recipe.build.kind, BuildKind::None);
}

void Test_recipeloader::everyMistake() {
    const RecipeLoad load = parse(QString::fromUtf8(kMistakes));
    const QList<Expected> expected = {
        {1, "name", "expected a string, not an integer"},
        {4, "bisect.terms", "please use two different terms"},
        {5, "bisect.confirm_culprit", "expected a number of re-tests (at least 0), got -1"},
        {6, "bisect.mode", "unknown mode \"bayes\"; expected one of: classic, flaky"},
        {7, "bisect.detection", "expected a probability in (0, 1], got 1.5"},
        {8, "bisect.false_alarm", "expected a probability in [0, 1), got 1"},
        {9, "bisect.confidence", "expected a probability in (0, 1), got 1"},
        {12, "checkout.mode", "unknown mode \"copy\"; expected one of: worktree, in-place, none"},
        {15, "build.command", "missing: build kind \"command\" needs a command to run"},
        {16, "build.timout", "unknown key 'timout'; did you mean 'timeout'?"},
        {17, "build.timeout",
         "expected a duration like \"3m\" or a number of seconds, not a boolean"},
        {18, "build.env.CC", "expected a string, not an integer"},
        {18, "build.env.bad name", "'bad name' is not an environment variable name"},
        {19, "build.jobs", "expected a number of jobs (at least 0), got -2"},
        {20, "build.args", "expected an array of strings, not a string"},
        {23, "deploy.kind",
         "unknown kind \"docker\"; expected one of: none, libvirt-kernel, libvirt-disk, "
         "ssh-install"},
        {24, "deploy.timeout",
         "\"3 minutes\" is not a duration; expected a duration like \"3m\" or a number of "
         "seconds"},
        {27, "wait.pattern", "missing: wait kind \"console\" needs a pattern to wait for"},
        {28, "wait.port", "expected a port number (1 to 65535), got 70000"},
        {29, "wait.expect_version", "expected true or false, not a string"},
        {33, "test.command", "unknown variable ${comit}; did you mean ${commit}?"},
        {34, "test.repeat", "expected a number of iterations (at least 1), got 0"},
        {35, "test.timeout", "a duration can't be negative"},
        {36, "test.env", "expected a table of strings like { CC = \"gcc\" }, not a string"},
        {39, "classify[1].stage",
         "unknown stage \"tests\"; expected one of: checkout, build, deploy, wait, test, any"},
        {40, "classify[1].outcome",
         "\"exit:5-2\" is not an exit code or range: expected exit:N or exit:A-B with 0 <= A "
         "<= B <= 255"},
        {43, "classify[2].log",
         "missing: a pattern on stage \"any\" needs log = \"build\", \"console\" or \"test\" to "
         "say which log to search"},
        {46, "classify[2].verdict",
         "unknown verdict \"maybe\"; expected one of: good, bad, skip, retry, abort, ask"},
        {48, "classify[3].verdict",
         "missing: a rule needs a verdict (good, bad, skip, retry, abort or ask)"},
        {50, "classify[3].log", "log only applies with a pattern"},
        {54, "classify[4].pattern",
         "invalid regular expression: missing closing parenthesis at offset 9"},
        {58, "notify.webhook", "expected an http:// or https:// URL, got \"ftp:/nowhere\""},
        {59, "notify.colour", "unknown key 'colour'; known keys: desktop, webhook"},
        {61, "extra",
         "unknown key 'extra'; known keys: name, bisect, checkout, build, deploy, wait, test, "
         "classify, notify, worker"},
    };
    QVERIFY(!load.ok());
    for (qsizetype i = 0; i < std::min(qsizetype(load.issues.size()), expected.size()); ++i) {
        const RecipeIssue &got = load.issues[std::size_t(i)];
        const Expected &want = expected[i];
        const QByteArray where = QByteArray::number(i) + ": " + got.toString().toUtf8();
        QVERIFY2(got.line == want.line, where.constData());
        QVERIFY2(got.key == want.key, where.constData());
        QVERIFY2(got.message == want.message, where.constData());
        QCOMPARE(got.file, QStringLiteral("/recipes/r.toml"));
        QVERIFY2(got.column > 0, where.constData());
    }
    QVERIFY2(qsizetype(load.issues.size()) == expected.size(), qPrintable(describe(load)));

    // Columns point at the value, or at the key when the key is the mistake.
    QCOMPARE(load.issues[9].column, 1);   // timout = …
    QCOMPARE(load.issues[10].column, 11); // timeout = true
    // And the one-line form names file, line, column and key.
    QCOMPARE(load.issues[9].toString(),
             QStringLiteral("/recipes/r.toml:16:1: build.timout: unknown key 'timout'; did you "
                            "mean 'timeout'?"));
    QCOMPARE(load.message().count(u'\n'), expected.size() - 1);
}

void Test_recipeloader::syntaxError() {
    const RecipeLoad load =
        parse(QStringLiteral("[build]\nkind = \"command\ncommand = [\"make\"]\n"));
    QCOMPARE(load.issues.size(), std::size_t(1));
    const RecipeIssue &i = load.issues.front();
    QCOMPARE(i.file, QStringLiteral("/recipes/r.toml"));
    QCOMPARE(i.line, 2);
    QCOMPARE(i.column, 16);
    QVERIFY2(i.message.contains(QStringLiteral("string")), qPrintable(i.message));
    QVERIFY(i.key.isEmpty());

    const RecipeLoad duplicate =
        parse(QStringLiteral("[test]\ncommand = [\"a\"]\n\n[test]\nrepeat = 2\n"));
    QCOMPARE(duplicate.issues.size(), std::size_t(1));
    QCOMPARE(duplicate.issues.front().line, 4);
}

void Test_recipeloader::unknownKeySuggestion() {
    const RecipeLoad load = parse(QStringLiteral("[test]\n"
                                                 "command = [\"./t\"]\n"
                                                 "timout = \"3m\"\n"
                                                 "Repeat = 3\n"
                                                 "\n"
                                                 "[build]\n"
                                                 "repeat = 2\n"
                                                 "\n"
                                                 "[bisect]\n"
                                                 "pattern = \"x\"\n"));
    QCOMPARE(load.issues.size(), std::size_t(4));
    QCOMPARE(load.issues[0].toString(),
             QStringLiteral("/recipes/r.toml:3:1: test.timout: unknown key 'timout'; did you mean "
                            "'timeout'?"));
    QCOMPARE(load.issues[1].toString(),
             QStringLiteral("/recipes/r.toml:4:1: test.Repeat: unknown key 'Repeat'; did you mean "
                            "'repeat'?"));
    QCOMPARE(load.issues[2].toString(),
             QStringLiteral("/recipes/r.toml:7:1: build.repeat: unknown key 'repeat'; it belongs "
                            "in [test]"));
    QCOMPARE(load.issues[3].toString(),
             QStringLiteral("/recipes/r.toml:10:1: bisect.pattern: unknown key 'pattern'; it "
                            "belongs in [wait] or [[classify]]"));
}

void Test_recipeloader::kindRequirements_data() {
    QTest::addColumn<QString>("toml");
    QTest::addColumn<QStringList>("keys");
    const QString test = QStringLiteral("[test]\ncommand = [\"t\"]\n");
    QTest::newRow("build command")
        << "[build]\nkind = \"command\"\n" + test << QStringList{"build.command"};
    QTest::newRow("build make") << "[build]\nkind = \"make\"\n" + test << QStringList{};
    QTest::newRow("build nix") << "[build]\nkind = \"nix\"\n" + test << QStringList{"build.flake"};
    QTest::newRow("build nix with an empty flake")
        << "[build]\nkind = \"nix\"\nflake = \"\"\n" + test << QStringList{"build.flake"};
    QTest::newRow("build none") << "[build]\nkind = \"none\"\n" + test << QStringList{};
    QTest::newRow("libvirt-kernel") << "[deploy]\nkind = \"libvirt-kernel\"\n" + test
                                    << QStringList{"deploy.kernel", "deploy.xml"};
    QTest::newRow("libvirt-kernel with domain")
        << "[deploy]\nkind = \"libvirt-kernel\"\ndomain = \"vm\"\n" + test
        << QStringList{"deploy.kernel"};
    QTest::newRow("libvirt-kernel complete")
        << "[deploy]\nkind = \"libvirt-kernel\"\nxml = \"vm.xml\"\nkernel = \"bzImage\"\n" + test
        << QStringList{};
    QTest::newRow("libvirt-disk") << "[deploy]\nkind = \"libvirt-disk\"\n" + test
                                  << QStringList{"deploy.image", "deploy.disk", "deploy.xml"};
    QTest::newRow("libvirt-disk complete")
        << "[deploy]\nkind = \"libvirt-disk\"\ndomain = \"d\"\nimage = \"i\"\ndisk = \"d\"\n" + test
        << QStringList{};
    QTest::newRow("ssh-install") << "[deploy]\nkind = \"ssh-install\"\n" + test
                                 << QStringList{"deploy.command"};
    QTest::newRow("wait ssh (default host)") << "[wait]\nkind = \"ssh\"\n" + test << QStringList{};
    QTest::newRow("wait ssh, empty host")
        << "[wait]\nkind = \"ssh\"\nhost = \"\"\n" + test << QStringList{"wait.host"};
    QTest::newRow("wait console") << "[wait]\nkind = \"console\"\n" + test
                                  << QStringList{"wait.pattern"};
    QTest::newRow("no test") << "" << QStringList{"test.command"};
    QTest::newRow("test command") << "[test]\nkind = \"command\"\n" << QStringList{"test.command"};
    QTest::newRow("test remote-command") << "[test]\nkind = \"remote-command\"\n"
                                         << QStringList{"test.command"};
    QTest::newRow("test script") << "[test]\nkind = \"script\"\n" << QStringList{"test.command"};
    QTest::newRow("test transfer") << "[test]\nkind = \"transfer\"\n" << QStringList{"test.file"};
    QTest::newRow("test transfer, empty destination")
        << "[test]\nkind = \"transfer\"\nfile = \"f\"\ndestination = \"\"\n"
        << QStringList{"test.destination"};
    QTest::newRow("test transfer complete") << "[test]\nkind = \"transfer\"\nfile = \"x.iso\"\n"
                                            << QStringList{};
    QTest::newRow("section of the wrong type") << "test = 3\n" << QStringList{"test"};
}

void Test_recipeloader::kindRequirements() {
    QFETCH(QString, toml);
    QFETCH(QStringList, keys);
    const RecipeLoad load = parse(toml);
    QStringList got;
    for (const RecipeIssue &i : load.issues)
        got.append(i.key);
    QVERIFY2(got == keys, qPrintable(describe(load)));
}

void Test_recipeloader::commandForms_data() {
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("message"); // empty: valid
    QTest::newRow("argv") << "[\"make\", \"-j2\", \"${worktree}\"]"
                          << "";
    QTest::newRow("shell") << "\"make -j2 && ./t ${short}\""
                           << "";
    QTest::newRow("multi-line shell") << "\"\"\"\nset -e\nmake\n\"\"\""
                                      << "";
    QTest::newRow("empty string") << "\"\""
                                  << "the command is empty";
    QTest::newRow("blank string") << "\"  \""
                                  << "the command is empty";
    QTest::newRow("empty array") << "[]"
                                 << "the command is empty";
    QTest::newRow("empty program") << "[\"\", \"x\"]"
                                   << "the program to run is empty";
    QTest::newRow("number") << "3"
                            << "expected a command: an array of strings like [\"make\", \"-j2\"] "
                               "or a string for /bin/sh -c, not an integer";
    QTest::newRow("number element") << "[\"make\", 2]"
                                    << "expected each word of the command to be a string, not an "
                                       "integer";
    QTest::newRow("unknown variable in an element")
        << "[\"make\", \"${worktre}\"]"
        << "unknown variable ${worktre}; did you mean ${worktree}?";
    QTest::newRow("unterminated variable")
        << "\"echo ${short\""
        << "unterminated \"${short\": a variable is written ${name}, and "
           "$${ is a literal ${";
    QTest::newRow("variable in backquotes")
        << "\"echo `echo ${subject}`\""
        << "${subject} inside backquotes can't be quoted safely; write $(…) instead of `…`";
    QTest::newRow("backquotes are fine in argv") << "[\"echo\", \"`${subject}`\"]"
                                                 << "";
}

void Test_recipeloader::commandForms() {
    QFETCH(QString, value);
    QFETCH(QString, message);
    const RecipeLoad load = parse(QStringLiteral("[test]\ncommand = ") + value + u'\n');
    if (message.isEmpty()) {
        QVERIFY2(load.ok(), qPrintable(describe(load)));
        QVERIFY(load.recipe.test.command.isSet());
        return;
    }
    QCOMPARE(load.issues.size(), std::size_t(1));
    QCOMPARE(load.issues[0].key, QStringLiteral("test.command"));
    QCOMPARE(load.issues[0].line, 2);
    QCOMPARE(load.issues[0].message, message);
}

void Test_recipeloader::classifyRules() {
    const RecipeLoad load = parse(QStringLiteral("[test]\n"
                                                 "command = [\"t\"]\n"
                                                 "[[classify]]\n"
                                                 "stage = \"build\"\n"
                                                 "pattern = \"error:\"\n"
                                                 "verdict = \"skip\"\n"
                                                 "[[classify]]\n"
                                                 "stage = \"deploy\"\n"
                                                 "pattern = \"panic\"\n"
                                                 "verdict = \"retry\"\n"
                                                 "[[classify]]\n"
                                                 "stage = \"any\"\n"
                                                 "log = \"test\"\n"
                                                 "pattern = \"OOM\"\n"
                                                 "outcome = \"exit:137\"\n"
                                                 "verdict = \"abort\"\n"
                                                 "[[classify]]\n"
                                                 "verdict = \"good\"\n"
                                                 "[[classify]]\n"
                                                 "pattern = \"x\"\n"
                                                 "verdict = \"bad\"\n"
                                                 "[[classify]]\n"
                                                 "stage = \"test\"\n"
                                                 "log = \"pipeline\"\n"
                                                 "pattern = \"x\"\n"
                                                 "verdict = \"bad\"\n"
                                                 "[classify]\n"));
    // The last line redefines classify as a table: a syntax error, reported alone.
    QCOMPARE(load.issues.size(), std::size_t(1));
    QCOMPARE(load.issues[0].line, 27);

    const RecipeLoad good = parse(QStringLiteral("[test]\n"
                                                 "command = [\"t\"]\n"
                                                 "[[classify]]\n"
                                                 "stage = \"build\"\n"
                                                 "pattern = \"error:\"\n"
                                                 "verdict = \"skip\"\n"
                                                 "[[classify]]\n"
                                                 "stage = \"deploy\"\n"
                                                 "pattern = \"panic\"\n"
                                                 "verdict = \"retry\"\n"
                                                 "[[classify]]\n"
                                                 "stage = \"any\"\n"
                                                 "log = \"test\"\n"
                                                 "pattern = \"OOM\"\n"
                                                 "outcome = \"exit:137\"\n"
                                                 "verdict = \"abort\"\n"
                                                 "[[classify]]\n"
                                                 "verdict = \"good\"\n"
                                                 "[[classify]]\n"
                                                 "pattern = \"x\"\n"
                                                 "verdict = \"bad\"\n"
                                                 "[[classify]]\n"
                                                 "stage = \"test\"\n"
                                                 "log = \"pipeline\"\n"
                                                 "pattern = \"x\"\n"
                                                 "verdict = \"bad\"\n"));
    QCOMPARE(good.recipe.classify.size(), std::size_t(6));
    const auto &rules = good.recipe.classify;
    QCOMPARE(rules[0].log, std::nullopt); // searches the build log, the stage's own
    QCOMPARE(rules[1].log, std::nullopt);
    QCOMPARE(rules[2].log, std::optional(LogKind::Test));
    QCOMPARE(rules[2].outcome.kind, OutcomeMatch::Kind::Exit);
    QCOMPARE(rules[2].outcome.exitLow, 137);
    QCOMPARE(rules[3].stage, StageKind::Any);
    QCOMPARE(rules[3].outcome.kind, OutcomeMatch::Kind::Any);
    QCOMPARE(rules[3].line, 17);
    // A pattern with neither stage nor log has no log to search; "pipeline" is not a
    // log a rule may name.
    QCOMPARE(good.issues.size(), std::size_t(2));
    QCOMPARE(good.issues[0].key, QStringLiteral("classify[5].log"));
    QCOMPARE(good.issues[0].line, 19);
    QCOMPARE(good.issues[1].key, QStringLiteral("classify[6].log"));
    QCOMPARE(good.issues[1].line, 24);
    QCOMPARE(good.issues[1].message,
             QStringLiteral("unknown log \"pipeline\"; expected one of: build, console, test"));

    const RecipeLoad notArray = parse(QStringLiteral("classify = 3\n[test]\ncommand = [\"t\"]\n"));
    QCOMPARE(notArray.issues.size(), std::size_t(1));
    QCOMPARE(notArray.issues[0].key, QStringLiteral("classify"));
    QCOMPARE(notArray.issues[0].message,
             QStringLiteral("expected [[classify]] rules (an array of tables), not an integer"));
}

void Test_recipeloader::durationsAsIntegersAndStrings() {
    const RecipeLoad load = parse(QStringLiteral("[build]\nkind = \"make\"\ntimeout = 90\n"
                                                 "[deploy]\ntimeout = \"250ms\"\n"
                                                 "[wait]\ntimeout = \"45\"\n"
                                                 "[test]\ncommand = [\"t\"]\ntimeout = "
                                                 "\"1h2m3s\"\n"));
    QVERIFY2(load.ok(), qPrintable(describe(load)));
    QCOMPARE(load.recipe.build.timeout, Millis(90'000));
    QCOMPARE(load.recipe.deploy.timeout, Millis(250));
    QCOMPARE(load.recipe.wait.timeout, Millis(45'000));
    QCOMPARE(load.recipe.test.timeout, Millis(3'723'000));

    const RecipeLoad bad = parse(QStringLiteral("[test]\ncommand = [\"t\"]\ntimeout = -3\n"
                                                "[build]\ntimeout = 1.5\n"
                                                "[wait]\ntimeout = 9223372036854775807\n"));
    QCOMPARE(bad.issues.size(), std::size_t(3));
    QCOMPARE(bad.issues[0].message, QStringLiteral("a duration can't be negative"));
    QCOMPARE(bad.issues[1].message,
             QStringLiteral("expected a duration like \"3m\" or a number of seconds, not a "
                            "floating-point number"));
    QCOMPARE(bad.issues[2].message, QStringLiteral("9223372036854775807 seconds is too long"));
}

void Test_recipeloader::loadFile() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("sub/recipe.toml"));
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("sub"))));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("name = \"Grüße\"\n[test]\ncommand = [\"./t\"]\n");
    f.close();
    const RecipeLoad load = RecipeLoader::loadFile(path);
    QVERIFY2(load.ok(), qPrintable(describe(load)));
    QCOMPARE(load.recipe.name, QStringLiteral("Grüße"));
    QCOMPARE(load.recipe.file, QFileInfo(path).absoluteFilePath());
    QCOMPARE(load.recipe.folder, QFileInfo(path).absolutePath());

    // A relative name is made absolute against the working directory.
    const RecipeLoad relative =
        RecipeLoader::parse(QStringLiteral("[test]\ncommand = \"t\"\n"), QStringLiteral("r.toml"));
    QCOMPARE(relative.recipe.file, QDir::current().absoluteFilePath(QStringLiteral("r.toml")));
    QCOMPARE(relative.recipe.folder, QDir::currentPath());
}

void Test_recipeloader::loadUnreadableFile() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("missing.toml"));
    const RecipeLoad load = RecipeLoader::loadFile(path);
    QCOMPARE(load.issues.size(), std::size_t(1));
    QCOMPARE(load.issues[0].file, path);
    QCOMPARE(load.issues[0].line, 0);
    QCOMPARE(load.issues[0].message,
             QStringLiteral("cannot read the recipe: No such file or directory"));
    QCOMPARE(load.message(), path + QStringLiteral(": cannot read the recipe: No such file or "
                                                   "directory"));
}

void Test_recipeloader::roundTrip_data() {
    QTest::addColumn<Recipe>("recipe");

    QTest::newRow("minimal") << minimalRecipe();

    Recipe full = parse(QString::fromUtf8(kFullRecipe)).recipe;
    QTest::newRow("full") << full;
    QTest::newRow("RECIPE.md example") << parse(QString::fromUtf8(kRecipeMdExample)).recipe;

    Recipe tricky = minimalRecipe();
    tricky.name = QStringLiteral("\"quoted\" \\ back\\slash\ttab\nnewline é 漢字 \x01");
    tricky.test.kind = TestKind::Script;
    tricky.test.command = CommandSpec::fromShell(
        QStringLiteral("set -e\n# it's \"\"\" here\nprintf '%s\\n' \"${subject}\" \\\n  "
                       "done\n\necho $${HOME}\n"));
    tricky.test.env = {{"A_1", "x = \"y\""}, {"B", ""}};
    tricky.test.timeout = 1'500;
    tricky.test.repeat = 3;
    tricky.bisect.detection = 1.0 / 3.0;
    tricky.bisect.falseAlarm = 1e-5;
    tricky.bisect.confidence = 0.999999;
    tricky.bisect.mode = BisectMode::Flaky;
    tricky.build.kind = BuildKind::Make;
    tricky.build.args = {"O=build", "", "a b"};
    tricky.build.jobs = 2;
    tricky.build.timeout = 3'723'004;
    tricky.deploy.kind = DeployKind::SshInstall;
    tricky.deploy.command = CommandSpec::fromShell(QStringLiteral("sudo make install"));
    tricky.deploy.uri = QString();
    tricky.deploy.format = QString();
    tricky.wait.kind = WaitKind::Console;
    tricky.wait.pattern = QStringLiteral("login:\\s*$");
    tricky.wait.user = QString();
    tricky.notify.desktop = false;
    QTest::newRow("tricky strings and numbers") << tricky;

    Recipe rules = minimalRecipe();
    rules.bisect.termOld = QStringLiteral("broken");
    rules.bisect.termNew = QStringLiteral("fixed");
    rules.checkout = CheckoutMode::None;
    ClassifyRule r1;
    r1.stage = StageKind::Test;
    r1.outcome = {OutcomeMatch::Kind::Exit, 125, 125};
    r1.verdict = Verdict::Skip;
    ClassifyRule r2;
    r2.stage = StageKind::Any;
    r2.outcome = {OutcomeMatch::Kind::Exit, 1, 127};
    r2.log = LogKind::Console;
    r2.pattern = QStringLiteral("BUG: .*");
    r2.verdict = Verdict::Bad;
    ClassifyRule r3;
    r3.stage = StageKind::Checkout;
    r3.outcome = {OutcomeMatch::Kind::Timeout, 0, 0};
    r3.pattern = QStringLiteral("lock");
    r3.verdict = Verdict::Retry;
    ClassifyRule r4;
    r4.verdict = Verdict::Ask;
    rules.classify = {r1, r2, r3, r4};
    QTest::newRow("classify rules and terms") << rules;

    Recipe nix = minimalRecipe();
    nix.build.kind = BuildKind::Nix;
    nix.build.flake = QStringLiteral(".#qemuImage");
    nix.build.args = {"--override-input", "linux", "path:${worktree}"};
    nix.build.result = QStringLiteral("result-vm");
    nix.deploy.kind = DeployKind::LibvirtDisk;
    nix.deploy.image = QStringLiteral("${result}/nixos.qcow2");
    nix.deploy.disk = QStringLiteral("/var/lib/libvirt/images/repro.raw");
    nix.deploy.xml = QStringLiteral("vm.xml");
    nix.wait.kind = WaitKind::Ssh;
    nix.wait.port = 2222;
    nix.test.kind = TestKind::Transfer;
    nix.test.command = CommandSpec();
    nix.test.file = QStringLiteral("~/Downloads/nixos.iso");
    nix.test.repeat = 15;
    nix.test.timeout = 180'000;
    QTest::newRow("the nix story") << nix;

    Recipe workers = minimalRecipe();
    workers.bisect.mode = BisectMode::Flaky;
    workers.bisect.detectionAuto = true;
    WorkerSpec vm1;
    vm1.name = QStringLiteral("vm one");
    vm1.uri = QStringLiteral("qemu+ssh://host/system");
    vm1.domain = QStringLiteral("bisect-1");
    vm1.host = QStringLiteral("10.0.0.2");
    vm1.port = 2201;
    vm1.user = QStringLiteral("tester");
    workers.workers = {vm1, WorkerSpec{}};
    QTest::newRow("workers and an unknown detection rate") << workers;
}

void Test_recipeloader::workersAndAutoDetection() {
    const RecipeLoad load = parse(QStringLiteral("[bisect]\nmode = \"flaky\"\n"
                                                 "detection = \"auto\"\n"
                                                 "[deploy]\nkind = \"libvirt-kernel\"\n"
                                                 "domain = \"bisect\"\nkernel = \"k\"\n"
                                                 "[wait]\nkind = \"ssh\"\nport = 2222\n"
                                                 "[test]\ncommand = [\"t\"]\n"
                                                 "[[worker]]\nname = \"a\"\n"
                                                 "[[worker]]\ndomain = \"bisect-b\"\n"
                                                 "port = 2223\nhost = \"h\"\n"));
    QVERIFY2(load.ok(), qPrintable(describe(load)));
    QVERIFY(load.recipe.bisect.detectionAuto);
    QCOMPARE(load.recipe.workers.size(), std::size_t(2));
    // A worker's values replace the recipe's; empty ones keep them.
    const Recipe a = load.recipe.forWorker(0);
    QCOMPARE(a.deploy.domain, QStringLiteral("bisect"));
    QCOMPARE(a.wait.port, 2222);
    const Recipe b = load.recipe.forWorker(1);
    QCOMPARE(b.deploy.domain, QStringLiteral("bisect-b"));
    QCOMPARE(b.wait.port, 2223);
    QCOMPARE(b.wait.host, QStringLiteral("h"));
    QCOMPARE(b.deploy.kernel, QStringLiteral("k"));

    // Mistakes, each located.
    const RecipeLoad bad = parse(QStringLiteral("[bisect]\ndetection = \"sometimes\"\n"
                                                "[test]\ncommand = [\"t\"]\n"
                                                "[[worker]]\nport = 70000\n"
                                                "[[worker]]\nhots = \"x\"\n"));
    QCOMPARE(bad.issues.size(), std::size_t(3));
    QCOMPARE(bad.issues[0].key, QStringLiteral("bisect.detection"));
    QVERIFY(bad.issues[0].message.contains(QStringLiteral("\"auto\"")));
    QCOMPARE(bad.issues[1].key, QStringLiteral("worker[1].port"));
    QCOMPARE(bad.issues[1].line, 6);
    QVERIFY2(bad.issues[2].message.contains(QStringLiteral("host")),
             qPrintable(bad.issues[2].message));
    const RecipeLoad notTables = parse(QStringLiteral("worker = 3\n[test]\ncommand = [\"t\"]\n"));
    QCOMPARE(notTables.issues.size(), std::size_t(1));
    QVERIFY(notTables.issues[0].message.contains(QStringLiteral("[[worker]]")));
}

void Test_recipeloader::roundTrip() {
    QFETCH(Recipe, recipe);
    const QString toml = RecipeLoader::toToml(recipe);
    const RecipeLoad load = RecipeLoader::parse(toml, recipe.file);
    QVERIFY2(load.ok(), qPrintable(describe(load) + u'\n' + toml));
    QVERIFY2(load.recipe == recipe, qPrintable(toml));
    // Writing is stable.
    QCOMPARE(RecipeLoader::toToml(load.recipe), toml);
}

void Test_recipeloader::roundTripOfParsedTexts_data() {
    QTest::addColumn<QString>("toml");
    QTest::newRow("full") << QString::fromUtf8(kFullRecipe);
    QTest::newRow("RECIPE.md example") << QString::fromUtf8(kRecipeMdExample);
    QTest::newRow("shell") << QStringLiteral("[test]\nkind = \"script\"\ncommand = '''\n"
                                             "echo \"it's ${short}\" \\\n  && exit 125\n'''\n");
}

void Test_recipeloader::roundTripOfParsedTexts() {
    QFETCH(QString, toml);
    const RecipeLoad first = parse(toml);
    QVERIFY2(first.ok(), qPrintable(describe(first)));
    const QString written = RecipeLoader::toToml(first.recipe);
    const RecipeLoad second = parse(written);
    QVERIFY2(second.ok(), qPrintable(describe(second) + u'\n' + written));
    QVERIFY2(second.recipe == first.recipe, qPrintable(written));
}

void Test_recipeloader::hostileSubjectThroughRealShell_data() {
    QTest::addColumn<QString>("subject");
    QTest::newRow("command substitution") << "$(touch pwned1)";
    QTest::newRow("backquotes") << "`touch pwned2`";
    QTest::newRow("single quotes") << "'; touch pwned3; '";
    QTest::newRow("double quotes") << "\"; touch pwned4; \"";
    QTest::newRow("newline") << "fix\ntouch pwned5";
    QTest::newRow("semicolon and ampersand") << "x; touch pwned6 & touch pwned7 |";
    QTest::newRow("backslash quote") << "\\'; touch pwned8; echo \\";
    QTest::newRow("variables and globs") << "$HOME ${PATH} * ?";
    QTest::newRow("history and hash") << "!! #x";
    QTest::newRow("all of them") << "a'b\"c`touch pwned9`$(touch pwned10)\\\n$((1+1)) ;|&<>";
}

void Test_recipeloader::hostileSubjectThroughRealShell() {
    QFETCH(QString, subject);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    // The commands as a recipe writes them, through the loader.
    const RecipeLoad load = parse(QStringLiteral("[test]\n"
                                                 "command = '''\n"
                                                 "printf '[%s]' ${subject}\n"
                                                 "printf '[%s]' \"double ${subject}\"\n"
                                                 "printf '[%s]' 'single ${subject}'\n"
                                                 "printf '[%s]' \"$(printf '%s' ${subject})\"\n"
                                                 "printf '[%s]' \"$BW_SUBJECT\"\n"
                                                 "printf '[%s]' $(( ${step} + 1 ))\n"
                                                 "'''\n"));
    QVERIFY2(load.ok(), qPrintable(describe(load)));

    RecipeVariables vars;
    vars.set(QStringLiteral("subject"), subject);
    vars.set(QStringLiteral("step"), QStringLiteral("2"));
    vars.set(QStringLiteral("commit"), QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
    const auto argv = vars.argv(load.recipe.test.command);
    QVERIFY2(argv.ok(), argv.ok() ? "" : qPrintable(argv.error().message()));
    QCOMPARE(argv->first(), QStringLiteral("/bin/sh"));

    QProcess sh;
    sh.setWorkingDirectory(dir.path());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QMap<QString, QString> bw = vars.environment();
    for (auto it = bw.cbegin(); it != bw.cend(); ++it)
        env.insert(it.key(), it.value());
    sh.setProcessEnvironment(env);
    sh.start(argv->first(), argv->mid(1));
    QVERIFY(sh.waitForFinished(10'000));
    const QString err = QString::fromUtf8(sh.readAllStandardError());
    QVERIFY2(sh.exitStatus() == QProcess::NormalExit && sh.exitCode() == 0, qPrintable(err));
    QVERIFY2(err.isEmpty(), qPrintable(err));

    const QString out = QString::fromUtf8(sh.readAllStandardOutput());
    const QString expected = u'[' + subject + QStringLiteral("][double ") + subject +
                             QStringLiteral("][single ") + subject + QStringLiteral("][") +
                             subject + QStringLiteral("][") + subject + QStringLiteral("][3]");
    QCOMPARE(out, expected);
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
             QStringList());
}

QTEST_GUILESS_MAIN(Test_recipeloader)
#include "tst_recipeloader.moc"
