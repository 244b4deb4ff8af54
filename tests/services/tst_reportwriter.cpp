// The report writers on a realistic session: a real repository, a real `git bisect` whose
// BISECT_LOG goes into the report, and the outputs checked by the tools people use on
// them: `git bisect replay` for the Markdown's log, a JSON Schema validator, poppler for
// the PDF, and a headless Chromium for the HTML page.

#include "services/report/ReportWriter.h"

#include "models/Recipe.h"
#include "tests/support/TestRepo.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QXmlStreamReader>

using namespace bw;
using namespace bw::report;
using namespace bw::test;

namespace {

const QString kHostile = QStringLiteral("net: <script>alert(1)</script> fix | pipe & \"quotes\"");

QString readText(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

Oid oidOf(const QString &hex) {
    return Oid::fromHex(hex).value_or(Oid{});
}

// The text of the fenced block that follows `heading` in `md`, and its fence.
std::pair<QString, QString> fencedBlockAfter(const QString &md, const QString &heading) {
    const qsizetype h = md.indexOf(heading);
    if (h < 0)
        return {};
    const qsizetype f = md.indexOf(QStringLiteral("\n`"), h + heading.size()) + 1; // a fence line
    qsizetype e = f;
    while (e < md.size() && md[e] == u'`')
        ++e;
    const QString fence = md.mid(f, e - f);
    const qsizetype bodyStart = md.indexOf(u'\n', e) + 1;
    const qsizetype close = md.indexOf(u'\n' + fence + u'\n', bodyStart - 1);
    if (bodyStart <= 0 || close < 0)
        return {};
    return {md.mid(bodyStart, close + 1 - bodyStart), fence};
}

// A Python with jsonschema: Debian's (python3-jsonschema) first, then the PATH's.
QString pythonWithJsonschema() {
    QStringList candidates{QStringLiteral("/usr/bin/python3"),
                           QStandardPaths::findExecutable(QStringLiteral("python3"))};
    for (const QString &py : candidates) {
        if (py.isEmpty() || !QFile::exists(py))
            continue;
        if (run(py, {QStringLiteral("-c"), QStringLiteral("import jsonschema")}).exitCode == 0)
            return py;
    }
    return {};
}

const char *const kValidate = R"py(
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = list(cls(schema).iter_errors(doc))
for e in errors:
    print(list(e.absolute_path), e.message)
sys.exit(1 if errors else 0)
)py";

int countOf(const QString &text, const QString &what) {
    return int(text.count(what));
}

} // namespace

class TestReportWriter : public QObject {
    Q_OBJECT

private:
    TestRepo m_repo;
    QString m_culprit;      // full sha
    QString m_bisectLog;    // .git/BISECT_LOG after the session
    QString m_gitBisectLog; // `git bisect log`
    QString m_bisectRefs;   // refs/bisect/*
    ReportData m_data;
    QTemporaryDir m_out;

    QString schemaPath() const {
        const QString dir = qEnvironmentVariable("BW_SOURCE_DIR");
        return dir.isEmpty() ? QFINDTESTDATA("../../docs/report.schema.json")
                             : dir + QStringLiteral("/docs/report.schema.json");
    }

    QString commitOn(const QString &subject) {
        m_repo.tick(3600);
        if (m_repo
                .git({QStringLiteral("commit"), QStringLiteral("-q"),
                      QStringLiteral("--allow-empty"), QStringLiteral("-m"), subject})
                .exitCode != 0)
            return {};
        return m_repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
    }

    CommitRef refOf(const QString &sha) const {
        CommitRef c;
        c.oid = oidOf(sha);
        const QStringList f = m_repo
                                  .gitOut({QStringLiteral("show"), QStringLiteral("-s"),
                                           QStringLiteral("--format=%at%n%an <%ae>%n%s"), sha})
                                  .split(u'\n');
        c.authorTime = f.value(0).toLongLong();
        c.author = f.value(1);
        c.subject = f.value(2);
        c.authorOffsetMinutes = 60;
        return c;
    }

    static StageResult stage(StageKind kind, Millis ms, StageOutcome outcome = StageOutcome::Passed,
                             std::optional<int> exit = 0) {
        StageResult s;
        s.stage = kind;
        s.durationMs = ms;
        s.outcome = outcome;
        s.exitCode = exit;
        s.message = outcome == StageOutcome::Passed ? QString() : outcomeName(outcome);
        return s;
    }

    // The stages of a step that reached the test: throughput per iteration, a bad commit
    // timing out in its third copy.
    static std::vector<StageResult> fullStages(bool bad, int seed) {
        std::vector<StageResult> st{
            stage(StageKind::Checkout, 1200), stage(StageKind::Build, 150'000 + seed * 17'000),
            stage(StageKind::Deploy, 21'000), stage(StageKind::Wait, 34'000 + seed * 1000)};
        StageResult test = stage(StageKind::Test, bad ? 3 * 180'000 : 15 * 21'000,
                                 bad ? StageOutcome::Timeout : StageOutcome::Passed,
                                 bad ? std::nullopt : std::optional<int>(0));
        test.timeoutMs = 180'000;
        test.iterations = 15;
        test.iteration = bad ? 3 : 15;
        for (int i = 1; i <= test.iteration; ++i)
            test.facts.insert(QStringLiteral("throughput_mbps_%1").arg(i),
                              QString::number(bad && i == 3 ? 3.5 : 900.0 + 10 * ((i + seed) % 5)));
        test.facts.insert(QStringLiteral("version"), QStringLiteral("5.15.0-rc%1").arg(seed));
        st.push_back(test);
        return st;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_repo.isValid());
        QVERIFY(m_out.isValid());
        // The range: a line with a topic branch merged into it, the culprit after it.
        const QString good = commitOn(QStringLiteral("init: first commit"));
        commitOn(QStringLiteral("mm: tidy up page_alloc"));
        const QString fork = commitOn(QStringLiteral("net: prepare the virtio queue"));
        commitOn(QStringLiteral("net: add a ring size knob"));
        commitOn(QStringLiteral("fs: __GFP_NOFAIL in the *fast* path"));
        QVERIFY(m_repo
                    .git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("-b"),
                          QStringLiteral("topic"), fork})
                    .exitCode == 0);
        commitOn(QStringLiteral("topic: one"));
        commitOn(QStringLiteral("topic: two"));
        QVERIFY(
            m_repo.git({QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")})
                .exitCode == 0);
        m_repo.tick(3600);
        QVERIFY(m_repo
                    .git({QStringLiteral("merge"), QStringLiteral("-q"), QStringLiteral("--no-ff"),
                          QStringLiteral("-m"), QStringLiteral("Merge branch 'topic'"),
                          QStringLiteral("topic")})
                    .exitCode == 0);
        m_culprit = commitOn(kHostile);
        for (int i = 1; i <= 5; ++i)
            commitOn(QStringLiteral("drivers: cleanup %1").arg(i));
        const QString bad = m_repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        QVERIFY(!m_culprit.isEmpty() && !bad.isEmpty());
        const QString culpritParent =
            m_repo.gitOut({QStringLiteral("rev-parse"), m_culprit + u'^'});

        // The session, with the real git: one skip, then the truth.
        RunResult r = m_repo.git({QStringLiteral("bisect"), QStringLiteral("start"), bad, good});
        QCOMPARE(r.exitCode, 0);
        static const QRegularExpression left(QStringLiteral("Bisecting: (\\d+) revision"));
        std::vector<std::pair<QString, MarkKind>> marks;
        std::vector<int> remaining;
        bool skipped = false, done = false;
        for (int i = 0; i < 20 && !done; ++i) {
            const QString head =
                m_repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
            MarkKind kind;
            if (!skipped && head != m_culprit && head != culpritParent) {
                kind = MarkKind::Skip;
                skipped = true;
            } else {
                const bool isBad = m_repo
                                       .git({QStringLiteral("merge-base"),
                                             QStringLiteral("--is-ancestor"), m_culprit, head})
                                       .exitCode == 0;
                kind = isBad ? MarkKind::Bad : MarkKind::Good;
            }
            const QString word = kind == MarkKind::Skip  ? QStringLiteral("skip")
                                 : kind == MarkKind::Bad ? QStringLiteral("bad")
                                                         : QStringLiteral("good");
            r = m_repo.git({QStringLiteral("bisect"), word});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            marks.emplace_back(head, kind);
            const QString said = QString::fromUtf8(r.out);
            done = said.contains(QStringLiteral("is the first bad commit"));
            QVERIFY2(!said.contains(QStringLiteral("only 'skip'ped")), r.out.constData());
            const auto m = left.match(said);
            remaining.push_back(done ? 1 : m.hasMatch() ? m.captured(1).toInt() + 1 : 1);
        }
        QVERIFY(done);
        QCOMPARE(m_repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("refs/bisect/bad")}),
                 m_culprit);
        m_bisectLog = readText(m_repo.path() + QStringLiteral("/.git/BISECT_LOG"));
        QVERIFY(m_bisectLog.contains(QStringLiteral("# first bad commit")));
        m_gitBisectLog =
            QString::fromUtf8(m_repo.git({QStringLiteral("bisect"), QStringLiteral("log")}).out);
        m_bisectRefs =
            m_repo.gitOut({QStringLiteral("for-each-ref"), QStringLiteral("refs/bisect/")});

        // The report's data, as the collector would gather it.
        ReportData &d = m_data;
        d.title = QStringLiteral("virtio-net stalls after 3 GiB");
        d.repository = m_repo.path();
        d.status = QStringLiteral("finished");
        d.culprit = refOf(m_culprit);
        d.bad = refOf(bad);
        d.goods.push_back(refOf(good));
        d.candidatesAtStart = m_repo
                                  .gitOut({QStringLiteral("rev-list"), QStringLiteral("--count"),
                                           good + QStringLiteral("..") + bad})
                                  .toInt();
        d.bisectLog = m_bisectLog;
        d.remainingAfterStep = remaining;
        qint64 clock = 1'700'000'000'000;
        d.startedMs = clock;
        const auto addStep = [&](const QString &sha, StepPurpose purpose, int attempt,
                                 std::vector<StageResult> stages, Verdict verdict,
                                 const QString &reason, std::optional<MarkKind> mark) {
            StepRecord s;
            s.number = int(d.steps.size()) + 1;
            s.purpose = purpose;
            s.attempt = attempt;
            s.commit = oidOf(sha);
            s.subject = refOf(sha).subject;
            s.stages = std::move(stages);
            s.classification.verdict = verdict;
            s.classification.reason = reason;
            s.startedMs = clock;
            for (const StageResult &st : s.stages)
                clock += st.durationMs;
            clock += 500;
            s.finishedMs = clock;
            s.logDir = QStringLiteral("/var/lib/bw/session/steps/%1").arg(s.number);
            d.steps.push_back(std::move(s));
            d.stepMarks.push_back(mark);
        };
        // check_endpoints: the given bad commit is tested first.
        addStep(bad, StepPurpose::Endpoint, 1, fullStages(true, 0), Verdict::Bad,
                QStringLiteral("endpoint: test iteration 3/15 timed out after 3m"), std::nullopt);
        int seed = 0;
        bool retried = false;
        for (const auto &[sha, kind] : marks) {
            ++seed;
            if (kind == MarkKind::Skip) {
                addStep(sha, StepPurpose::Bisect, 1,
                        {stage(StageKind::Checkout, 900),
                         stage(StageKind::Build, 95'000, StageOutcome::Failed, 2)},
                        Verdict::Skip, QStringLiteral("build failed: exit 2 | make[2] error"),
                        kind);
                continue;
            }
            const int attempt = retried ? 1 : 2;
            if (!retried) { // an infrastructure fault first, then the same commit again
                retried = true;
                std::vector<StageResult> st{
                    stage(StageKind::Checkout, 800), stage(StageKind::Build, 60'000),
                    stage(StageKind::Deploy, 5000, StageOutcome::Error, std::nullopt)};
                st.back().message = QStringLiteral("cannot connect to qemu:///system");
                addStep(sha, StepPurpose::Bisect, 1, std::move(st), Verdict::Retry,
                        QStringLiteral("deploy: infrastructure error: cannot connect to "
                                       "qemu:///system"),
                        std::nullopt);
            }
            const bool isBad = kind == MarkKind::Bad;
            addStep(sha, StepPurpose::Bisect, attempt, fullStages(isBad, seed),
                    isBad ? Verdict::Bad : Verdict::Good,
                    isBad ? QStringLiteral("test iteration 3/15 timed out after 3m")
                          : QStringLiteral("test passed 15/15"),
                    kind);
        }
        addStep(m_culprit, StepPurpose::Confirm, 1, fullStages(true, 7), Verdict::Bad,
                QStringLiteral("confirm: test iteration 3/15 timed out after 3m"), std::nullopt);
        addStep(culpritParent, StepPurpose::Confirm, 1, fullStages(false, 8), Verdict::Good,
                QStringLiteral("confirm: test passed 15/15"), std::nullopt);
        QVERIFY2(d.steps.size() >= 8, qPrintable(QString::number(d.steps.size())));
        d.confirmations = 2;
        d.finishedMs = clock;
        d.reproduceCommand =
            QStringLiteral("bisect-workbench run --repo '%1' --recipe virtio.toml --bad %2 "
                           "--good %3")
                .arg(m_repo.path(), bad, good);
        d.recipeToml = QStringLiteral("name = \"virtio-net stalls after 3 GiB\"\n\n[bisect]\n"
                                      "confirm_culprit = 1\n\n[build]\nkind = \"make\"\n"
                                      "target = \"bzImage\"\n\n[test]\nkind = \"transfer\"\n"
                                      "file = \"/srv/iso/debian.iso\"\nrepeat = 15\n"
                                      "timeout = \"3m\"\n");
        d.recipeHash = QString::fromLatin1(
            QCryptographicHash::hash(d.recipeToml.toUtf8(), QCryptographicHash::Sha256).toHex());
        d.environment = {{QStringLiteral("Bisect Workbench"), QStringLiteral("0.1.0")},
                         {QStringLiteral("host kernel"), QStringLiteral("5.10.0-28-amd64")},
                         {QStringLiteral("QEMU"), QStringLiteral("7.2.9")},
                         {QStringLiteral("libvirt"), QStringLiteral("9.0.0")},
                         {QStringLiteral("git"), QStringLiteral("2.39.5")}};

        // The graph: the range at the start, newest first, coloured by the end state.
        const QStringList lines =
            m_repo
                .gitOut({QStringLiteral("rev-list"), QStringLiteral("--parents"),
                         good + QStringLiteral("..") + bad})
                .split(u'\n');
        QHash<QString, int> index;
        for (const QString &line : lines)
            index.insert(line.section(u' ', 0, 0), int(index.size()));
        for (const QString &line : lines) {
            const QStringList shas = line.split(u' ');
            GraphNode n;
            n.oid = oidOf(shas.front());
            for (qsizetype i = 1; i < shas.size(); ++i)
                if (index.contains(shas[i]))
                    n.parents.push_back(index.value(shas[i]));
            n.state = GraphNode::State::Eliminated;
            for (const auto &[sha, kind] : marks)
                if (sha == shas.front()) {
                    n.tested = true;
                    n.state = kind == MarkKind::Good  ? GraphNode::State::Good
                              : kind == MarkKind::Bad ? GraphNode::State::Bad
                                                      : GraphNode::State::Skipped;
                }
            if (shas.front() == m_culprit)
                n.state = GraphNode::State::Culprit;
            d.graph.push_back(n);
        }
        QCOMPARE(int(d.graph.size()), d.candidatesAtStart);
    }

    void formatNames() {
        QCOMPARE(formatFromName(QStringLiteral("md")), Format::Markdown);
        QCOMPARE(formatFromName(QStringLiteral("markdown")), Format::Markdown);
        QCOMPARE(formatFromName(QStringLiteral("HTML")), Format::Html);
        QCOMPARE(formatFromName(QStringLiteral("pdf")), Format::Pdf);
        QCOMPARE(formatFromName(QStringLiteral("json")), Format::Json);
        QVERIFY(!formatFromName(QStringLiteral("docx")));
    }

    void markdownHasEveryPiece() {
        const QString md = toMarkdown(m_data);
        writeFile(m_out.filePath(QStringLiteral("report.md")), md.toUtf8());
        if (qEnvironmentVariableIsSet("BW_REPORT_KEEP"))
            writeFile(QStringLiteral("/tmp/report.md"), md.toUtf8());
        const QString sha12 = m_culprit.left(12);
        QVERIFY(md.startsWith(QStringLiteral("# virtio-net stalls after 3 GiB\n")));
        // The summary: sha, subject (made harmless), steps and skips.
        QVERIFY2(md.contains(QStringLiteral("`%1` (\"net: \\<script>alert(1)\\</script> fix | pipe "
                                            "& \"quotes\"\") is the first bad commit, found in ")
                                 .arg(sha12)),
                 qPrintable(md.left(600)));
        QVERIFY(md.contains(QStringLiteral(" (1 skipped) in ")));
        // The range and the culprit's full identity.
        QVERIFY(
            md.contains(QStringLiteral("- **bad**: `%1`").arg(m_data.bad.oid.toString().left(12))));
        QVERIFY(md.contains(QStringLiteral("- **good**: `%1` (\"init: first commit\")")
                                .arg(m_data.goods.front().oid.toString().left(12))));
        QVERIFY(md.contains(
            QStringLiteral("- **candidates at the start**: %1").arg(m_data.candidatesAtStart)));
        QVERIFY(md.contains(QStringLiteral("## First bad commit")));
        QVERIFY(md.contains(QStringLiteral("commit ") + m_culprit + u'\n'));
        QVERIFY(md.contains(QStringLiteral("Author: T <t@example.com>\n")));
        static const QRegularExpression date(
            QStringLiteral("Date:   \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+01:00\n"));
        QVERIFY(date.match(md).hasMatch());
        QVERIFY(md.contains(QStringLiteral("    ") + kHostile + u'\n')); // verbatim in a code block
        // How sure: confirmations and retries.
        QVERIFY(
            md.contains(QStringLiteral("- Confirmation: 2 re-tests at the end (confirm_culprit), "
                                       "2 agreed with the result.\n")));
        QVERIFY(md.contains(QStringLiteral("1 retry after an infrastructure error")));
        // The table: a header and one row per step, `|` escaped inside cells.
        QVERIFY(md.contains(QStringLiteral("| # | commit | verdict | duration | reason |\n")));
        for (const StepRecord &s : m_data.steps)
            QVERIFY2(md.contains(QStringLiteral("`%1` |").arg(s.commit.toString().left(12))),
                     qPrintable(QString::number(s.number)));
        QVERIFY(md.contains(QStringLiteral("build failed: exit 2 \\| make\\[2\\] error |")));
        QVERIFY(md.contains(QStringLiteral(" (attempt 2) | `")));
        QVERIFY(md.contains(QStringLiteral(" (confirm) | `")));
        static const QRegularExpression row(QStringLiteral("^\\| .* \\|$"),
                                            QRegularExpression::MultilineOption);
        int rows = 0;
        for (auto it = row.globalMatch(md); it.hasNext(); it.next())
            ++rows;
        QCOMPARE(rows, int(m_data.steps.size()) + 1); // the header and the steps
        // The log, exactly.
        const auto [log, fence] = fencedBlockAfter(md, QStringLiteral("## `git bisect log`"));
        QCOMPARE(fence, QStringLiteral("```"));
        QCOMPARE(log, m_bisectLog);
        // Reproduce, environment, recipe and its hash.
        QVERIFY(md.contains(QStringLiteral("```sh\n") + m_data.reproduceCommand + u'\n'));
        QVERIFY(md.contains(QStringLiteral("- **host kernel**: 5.10.0-28-amd64\n")));
        QVERIFY(md.contains(QStringLiteral("sha256: `%1`").arg(m_data.recipeHash)));
        QCOMPARE(fencedBlockAfter(md, QStringLiteral("## Recipe")).first, m_data.recipeToml);
        QVERIFY(md.contains(QStringLiteral("```toml\n")));
        // regzbot's line, last.
        QVERIFY(md.endsWith(QStringLiteral("\n#regzbot introduced: %1\n").arg(sha12)));
        QCOMPARE(countOf(md, QStringLiteral("#regzbot")), 1);
    }

    // What a reader does with the log: `git bisect replay` it and get the same bisect.
    void markdownLogReplaysWithGit() {
        const QString md = toMarkdown(m_data);
        const QString log = fencedBlockAfter(md, QStringLiteral("## `git bisect log`")).first;
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString clone = dir.filePath(QStringLiteral("clone"));
        QProcessEnvironment env = m_repo.env();
        RunResult r = run(QStringLiteral("git"),
                          {QStringLiteral("clone"), QStringLiteral("-q"), m_repo.path(), clone},
                          dir.path(), env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString logFile = dir.filePath(QStringLiteral("bisect.log"));
        QVERIFY(writeFile(logFile, log.toUtf8()));
        r = run(QStringLiteral("git"),
                {QStringLiteral("bisect"), QStringLiteral("replay"), logFile}, clone, env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QString::fromUtf8(r.out).contains(m_culprit +
                                                  QStringLiteral(" is the first bad commit")));
        QCOMPARE(
            QString::fromUtf8(run(QStringLiteral("git"),
                                  {QStringLiteral("bisect"), QStringLiteral("log")}, clone, env)
                                  .out),
            m_gitBisectLog);
        QCOMPARE(
            QString::fromUtf8(run(QStringLiteral("git"),
                                  {QStringLiteral("for-each-ref"), QStringLiteral("refs/bisect/")},
                                  clone, env)
                                  .out)
                .trimmed(),
            m_bisectRefs);
    }

    void markdownSpeaksInTerms() {
        ReportData d = m_data;
        d.terms = Terms{QStringLiteral("slow"), QStringLiteral("fast")};
        d.stepMarks[1] = MarkKind::Good;
        const QString md = toMarkdown(d);
        QVERIFY(md.contains(QStringLiteral("is the first slow commit, found in")));
        QVERIFY(md.contains(QStringLiteral("## First slow commit")));
        QVERIFY(md.contains(QStringLiteral("- **slow**: `")));
        QVERIFY(md.contains(QStringLiteral("- **fast**: `")));
        QVERIFY(md.contains(QStringLiteral(" | fast | ")));
        QVERIFY(!md.contains(QStringLiteral("first bad commit, found")));
    }

    void markdownFenceOutgrowsBackticks() {
        ReportData d = m_data;
        d.bisectLog = QStringLiteral("# bad: [%1] docs: ``` and ```` fences\ngit bisect bad %1\n")
                          .arg(m_culprit);
        const QString md = toMarkdown(d);
        const auto [log, fence] = fencedBlockAfter(md, QStringLiteral("## `git bisect log`"));
        QCOMPARE(fence, QStringLiteral("`````"));
        QCOMPARE(log, d.bisectLog);
    }

    void markdownOnlySkippedAndUnfinished() {
        ReportData d = m_data;
        d.culprit.reset();
        d.possibleCulprits = {oidOf(m_culprit), m_data.steps.front().commit};
        QString md = toMarkdown(d);
        QVERIFY(md.contains(QStringLiteral("Only skipped commits are left to test: the first bad "
                                           "commit is one of `%1` (")
                                .arg(m_culprit.left(12))));
        QVERIFY(md.contains(QStringLiteral("## Possible first bad commits")));
        QVERIFY(!md.contains(QStringLiteral("#regzbot")));

        d.possibleCulprits.clear();
        d.status = QStringLiteral("paused");
        d.statusMessage = QStringLiteral("the VM host is unreachable");
        d.remainingAfterStep = {6, 3};
        md = toMarkdown(d);
        QVERIFY(md.contains(QStringLiteral("The bisect is paused: the VM host is unreachable. ")));
        QVERIFY(md.contains(QStringLiteral("3 candidates left to test.")));
        QVERIFY(!md.contains(QStringLiteral("#regzbot")));
    }

    void htmlEscapesAndIsSelfContained() {
        const QString html = toHtml(m_data);
        writeFile(m_out.filePath(QStringLiteral("report.html")), html.toUtf8());
        if (qEnvironmentVariableIsSet("BW_REPORT_KEEP")) // for looking at it by hand
            writeFile(QStringLiteral("/tmp/report.html"), html.toUtf8());
        QVERIFY(html.startsWith(QStringLiteral("<!DOCTYPE html>")));
        QVERIFY(!html.contains(QStringLiteral("<script")));
        QVERIFY(html.contains(QStringLiteral("&lt;script&gt;alert(1)&lt;/script&gt;")));
        QVERIFY(html.contains(QStringLiteral("prefers-color-scheme: dark")));
        // The graph and three charts (remaining, stages, throughput), all inline.
        QCOMPARE(countOf(html, QStringLiteral("<svg")), 4);
        QCOMPARE(countOf(html, QStringLiteral("id=\"graph\"")), 1);
        QCOMPARE(countOf(html, QStringLiteral("id=\"chart-remaining\"")), 1);
        QCOMPARE(countOf(html, QStringLiteral("id=\"chart-stages\"")), 1);
        QCOMPARE(countOf(html, QStringLiteral("id=\"chart-throughput\"")), 1);
        static const QRegularExpression external(
            QStringLiteral(
                "(src|href|xlink:href)\\s*=\\s*[\"']?\\s*(https?:)?//|url\\(|@import|<link"),
            QRegularExpression::CaseInsensitiveOption);
        QVERIFY2(!external.match(html).hasMatch(), qPrintable(external.match(html).captured()));
        // Every SVG is well-formed XML.
        static const QRegularExpression svg(QStringLiteral("<svg.*?</svg>"),
                                            QRegularExpression::DotMatchesEverythingOption);
        for (auto it = svg.globalMatch(html); it.hasNext();) {
            QXmlStreamReader xml(it.next().captured());
            while (!xml.atEnd())
                xml.readNext();
            QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        }
        // The pieces: culprit, the table with verdict colours, the log, the recipe.
        QVERIFY(html.contains(m_culprit));
        QVERIFY(html.contains(QStringLiteral("<td class=\"verdict v-skip\">skip</td>")));
        QVERIFY(html.contains(QStringLiteral("<td class=\"reason v-bad\">test iteration 3/15")));
        QVERIFY(html.contains(QStringLiteral("<pre>") + m_bisectLog.toHtmlEscaped() +
                              QStringLiteral("</pre>")));
        QVERIFY(html.contains(m_data.recipeHash));
        QVERIFY(html.contains(QStringLiteral("#regzbot introduced: ") + m_culprit.left(12)));
    }

    void graphSvgShowsEveryCommit() {
        const QString svg = graphSvg(m_data);
        QVERIFY(svg.startsWith(QStringLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\"")));
        QXmlStreamReader xml(svg);
        int circles = 0;
        QStringList titles;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == u"circle")
                ++circles;
            if (xml.isStartElement() && xml.name() == u"title")
                titles << xml.readElementText();
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        for (const GraphNode &n : m_data.graph)
            QVERIFY(std::any_of(titles.begin(), titles.end(),
                                [&](const QString &t) { return t.startsWith(n.oid.toString()); }));
        QVERIFY(titles.contains(m_culprit + QStringLiteral(" first bad commit")) ||
                std::any_of(titles.begin(), titles.end(), [&](const QString &t) {
                    return t.startsWith(m_culprit + QStringLiteral(" first bad commit"));
                }));
        QVERIFY(svg.contains(QStringLiteral("class=\"s-culprit\""))); // the ring
        QVERIFY(svg.contains(QStringLiteral("&lt;script&gt;")));      // the label, escaped
        QVERIFY(!svg.contains(QStringLiteral("<script")));
    }

    // A range of thousands stays a picture of reasonable size, and well-formed.
    void graphSvgOfAHugeRange() {
        ReportData d = m_data;
        d.graph.clear();
        const int n = 3000;
        for (int i = 0; i < n; ++i) {
            GraphNode g;
            QByteArray hex = QByteArray::number(i, 16).rightJustified(40, '0');
            g.oid = Oid::fromHex(std::string_view(hex.constData(), 40)).value();
            if (i + 1 < n)
                g.parents.push_back(i + 1);
            if (i % 97 == 0 && i + 40 < n) // merges of short topic branches
                g.parents.push_back(i + 40);
            g.state = i < 1400   ? GraphNode::State::Bad
                      : i < 1500 ? GraphNode::State::Candidate
                                 : GraphNode::State::Good;
            if (i % 250 == 0) {
                g.tested = true;
            }
            if (i == 1450)
                g.state = GraphNode::State::Culprit;
            d.graph.push_back(g);
        }
        QElapsedTimer timer;
        timer.start();
        const QString svg = graphSvg(d);
        qInfo() << "3000 commits:" << svg.size() << "characters in" << timer.elapsed() << "ms";
        QVERIFY2(svg.size() < 250'000, qPrintable(QString::number(svg.size())));
        if (qEnvironmentVariableIsSet("BW_REPORT_KEEP"))
            writeFile(QStringLiteral("/tmp/report-huge.svg"), svg.toUtf8());
        QXmlStreamReader xml(svg);
        while (!xml.atEnd())
            xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(svg.contains(QStringLiteral("class=\"s-culprit\"")));
        QVERIFY(svg.contains(QStringLiteral(" commits, bad: ")));
        static const QRegularExpression height(QStringLiteral("height=\"(\\d+)\""));
        QVERIFY(height.match(svg).captured(1).toInt() <= 6100);
    }

    void jsonHasEverything() {
        const QByteArray json = toJson(m_data);
        writeFile(m_out.filePath(QStringLiteral("report.json")), json);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        const QJsonObject o = doc.object();
        QCOMPARE(o.value(QStringLiteral("schema")).toString(),
                 QStringLiteral("bisect-workbench-report"));
        QCOMPARE(o.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(
            o.value(QStringLiteral("culprit")).toObject().value(QStringLiteral("sha")).toString(),
            m_culprit);
        QCOMPARE(o.value(QStringLiteral("culprit"))
                     .toObject()
                     .value(QStringLiteral("subject"))
                     .toString(),
                 kHostile);
        QCOMPARE(o.value(QStringLiteral("bisect_log")).toString(), m_bisectLog);
        QCOMPARE(o.value(QStringLiteral("started_ms")).toInteger(), m_data.startedMs);
        QCOMPARE(o.value(QStringLiteral("started_iso")).toString(),
                 QStringLiteral("2023-11-14T22:13:20.000Z"));
        const QJsonArray steps = o.value(QStringLiteral("steps")).toArray();
        QCOMPARE(steps.size(), qsizetype(m_data.steps.size()));
        QCOMPARE(steps.first().toObject().value(QStringLiteral("purpose")).toString(),
                 QStringLiteral("endpoint"));
        const auto skipStep = std::find_if(steps.begin(), steps.end(), [](const QJsonValue &v) {
            return v.toObject().value(QStringLiteral("mark")).toString() == u"skip";
        });
        QVERIFY(skipStep != steps.end());
        const QJsonObject first = skipStep->toObject();
        QCOMPARE(first.value(QStringLiteral("verdict")).toString(), QStringLiteral("skip"));
        QCOMPARE(first.value(QStringLiteral("mark")).toString(), QStringLiteral("skip"));
        QCOMPARE(first.value(QStringLiteral("commit")).toString().size(), 40);
        const QJsonObject build = first.value(QStringLiteral("stages")).toArray().at(1).toObject();
        QCOMPARE(build.value(QStringLiteral("stage")).toString(), QStringLiteral("build"));
        QCOMPARE(build.value(QStringLiteral("outcome")).toString(), QStringLiteral("failed"));
        QCOMPARE(build.value(QStringLiteral("exit_code")).toInt(), 2);
        bool sawRetry = false, sawTimeout = false, sawConfirm = false;
        for (const QJsonValue &v : steps) {
            const QJsonObject s = v.toObject();
            sawRetry |= s.value(QStringLiteral("verdict")).toString() == u"retry" &&
                        s.value(QStringLiteral("mark")).isNull();
            sawConfirm |= s.value(QStringLiteral("purpose")).toString() == u"confirm";
            for (const QJsonValue &st : s.value(QStringLiteral("stages")).toArray()) {
                const QJsonObject so = st.toObject();
                if (so.value(QStringLiteral("outcome")).toString() == u"timeout") {
                    sawTimeout = true;
                    QVERIFY(so.value(QStringLiteral("exit_code")).isNull());
                    QCOMPARE(so.value(QStringLiteral("timeout_ms")).toInteger(), 180'000);
                    QCOMPARE(so.value(QStringLiteral("iteration")).toInt(), 3);
                    QCOMPARE(so.value(QStringLiteral("facts"))
                                 .toObject()
                                 .value(QStringLiteral("throughput_mbps_3"))
                                 .toString(),
                             QStringLiteral("3.5"));
                }
            }
        }
        QVERIFY(sawRetry && sawTimeout && sawConfirm);
        QCOMPARE(o.value(QStringLiteral("graph")).toArray().size(), qsizetype(m_data.graph.size()));
        QCOMPARE(
            o.value(QStringLiteral("recipe")).toObject().value(QStringLiteral("sha256")).toString(),
            m_data.recipeHash);
    }

    void jsonValidatesAgainstTheSchema() {
        const QString py = pythonWithJsonschema();
        if (py.isEmpty())
            QFAIL("no python3 with jsonschema: install the Debian package python3-jsonschema");
        const QString schema = schemaPath();
        QVERIFY2(QFile::exists(schema), qPrintable(schema));
        const auto validate = [&](const QByteArray &json) {
            const QString path = m_out.filePath(QStringLiteral("check.json"));
            writeFile(path, json);
            return run(py, {QStringLiteral("-c"), QString::fromLatin1(kValidate), schema, path});
        };
        RunResult r = validate(toJson(m_data));
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());

        // Variants: no culprit, flaky confidence, no times.
        ReportData d = m_data;
        d.culprit.reset();
        d.possibleCulprits = {oidOf(m_culprit)};
        d.confidence = 0.973;
        d.finishedMs = 0;
        d.status = QStringLiteral("running");
        r = validate(toJson(d));
        QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());

        // And it rejects what it should.
        QJsonObject o = QJsonDocument::fromJson(toJson(m_data)).object();
        o.insert(QStringLiteral("version"), QStringLiteral("1"));
        r = validate(QJsonDocument(o).toJson());
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.contains("version"));
        o = QJsonDocument::fromJson(toJson(m_data)).object();
        QJsonObject culprit = o.value(QStringLiteral("culprit")).toObject();
        culprit.insert(QStringLiteral("sha"), m_culprit.left(12));
        o.insert(QStringLiteral("culprit"), culprit);
        r = validate(QJsonDocument(o).toJson());
        QCOMPARE(r.exitCode, 1);
        o = QJsonDocument::fromJson(toJson(m_data)).object();
        o.remove(QStringLiteral("steps"));
        QCOMPARE(validate(QJsonDocument(o).toJson()).exitCode, 1);
    }

    // A session that has just started: nothing tested yet, no graph, no times.
    void emptySessionStillMakesEveryFormat() {
        ReportData d;
        d.title = QStringLiteral("Bisect of linux");
        d.status = QStringLiteral("running");
        const QString md = toMarkdown(d);
        QVERIFY(
            md.contains(QStringLiteral("The bisect is running. 0 steps (0 skipped) so far in 0 ms; "
                                       "0 candidates left to test.")));
        QVERIFY(!md.contains(QStringLiteral("#regzbot")));
        const QString html = toHtml(d);
        QCOMPARE(countOf(html, QStringLiteral("<svg")), 1); // the (empty) graph, no charts
        const QString svg = graphSvg(d);
        QXmlStreamReader xml(svg);
        while (!xml.atEnd())
            xml.readNext();
        QVERIFY(!xml.hasError());
        const QByteArray json = toJson(d);
        QVERIFY(QJsonDocument::fromJson(json).isObject());
        const QString py = pythonWithJsonschema();
        if (!py.isEmpty()) {
            const QString path = m_out.filePath(QStringLiteral("empty.json"));
            writeFile(path, json);
            const RunResult r =
                run(py, {QStringLiteral("-c"), QString::fromLatin1(kValidate), schemaPath(), path});
            QVERIFY2(r.exitCode == 0, (r.out + r.err).constData());
        }
        const Status s = writePdf(d, m_out.filePath(QStringLiteral("empty.pdf")));
        QVERIFY(s.ok());
    }

    void pdfIsWrittenAndReadable() {
        const QString path = m_out.filePath(QStringLiteral("report.pdf"));
        const Status s = writePdf(m_data, path);
        QVERIFY2(s.ok(), s.ok() ? "" : qPrintable(s.error().message()));
        if (qEnvironmentVariableIsSet("BW_REPORT_KEEP")) // for looking at it by hand
            QFile::copy(path, QStringLiteral("/tmp/report.pdf"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.read(5) == "%PDF-");
        if (QStandardPaths::findExecutable(QStringLiteral("pdfinfo")).isEmpty())
            QFAIL("pdfinfo not found: install the Debian package poppler-utils");
        RunResult r = run(QStringLiteral("pdfinfo"), {path});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        static const QRegularExpression pages(QStringLiteral("^Pages:\\s+(\\d+)$"),
                                              QRegularExpression::MultilineOption);
        const int pageCount = pages.match(QString::fromUtf8(r.out)).captured(1).toInt();
        QVERIFY2(pageCount >= 1, r.out.constData());
        QVERIFY(QString::fromUtf8(r.out).contains(QStringLiteral("A4")));
        // The text is there: summary, table, log, recipe.
        r = run(QStringLiteral("pdftotext"), {path, QStringLiteral("-")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QString text = QString::fromUtf8(r.out).simplified();
        QVERIFY(text.contains(QStringLiteral("is the first bad commit, found in")));
        QVERIFY(text.contains(QStringLiteral("<script>alert(1)</script>")));
        QVERIFY(text.contains(QStringLiteral("git bisect start")));
        QVERIFY(text.contains(QStringLiteral("# first bad commit: [%1]").arg(m_culprit)));
        QVERIFY(text.contains(QStringLiteral("test iteration 3/15 timed out")));
        QVERIFY(text.contains(QStringLiteral("repeat = 15")));
        QVERIFY(text.contains(m_data.recipeHash));
        // And page 1 renders.
        const QString prefix = m_out.filePath(QStringLiteral("page"));
        r = run(QStringLiteral("pdftoppm"),
                {QStringLiteral("-r"), QStringLiteral("50"), QStringLiteral("-png"),
                 QStringLiteral("-f"), QStringLiteral("1"), QStringLiteral("-l"),
                 QStringLiteral("1"), QStringLiteral("-singlefile"), path, prefix});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(QFileInfo(prefix + QStringLiteral(".png")).size() > 1000);
        QFile::remove(QStringLiteral("/tmp/report-page1.png"));
        QFile::copy(prefix + QStringLiteral(".png"), QStringLiteral("/tmp/report-page1.png"));
    }

    void pdfToAnUnwritablePathIsAnError() {
        const QString file = m_out.filePath(QStringLiteral("plain-file"));
        QVERIFY(writeFile(file, "x"));
        const Status s = writePdf(m_data, file + QStringLiteral("/report.pdf"));
        QVERIFY(!s.ok());
        QVERIFY(s.error().message().contains(QStringLiteral("report.pdf")));
        QVERIFY(!QFile::exists(file + QStringLiteral("/report.pdf")));
    }

    // The page in a real browser: it loads, logs no error, and shows the subject as text.
    void htmlLoadsInChromium() {
        const QString chromium = QStandardPaths::findExecutable(QStringLiteral("chromium"));
        if (chromium.isEmpty())
            QFAIL("chromium is not installed (scripts/install-deps.sh installs the Debian package "
                  "chromium)");
        const QString page = m_out.filePath(QStringLiteral("page.html"));
        QVERIFY(writeFile(page, toHtml(m_data).toUtf8()));
        QTemporaryDir profile;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), profile.path());
        const QStringList common{QStringLiteral("--headless"),
                                 QStringLiteral("--disable-gpu"),
                                 QStringLiteral("--no-sandbox"),
                                 QStringLiteral("--no-first-run"),
                                 QStringLiteral("--disable-extensions"),
                                 QStringLiteral("--user-data-dir=") + profile.path(),
                                 QStringLiteral("--enable-logging=stderr"),
                                 QStringLiteral("--v=0")};
        RunResult r = run(chromium,
                          common + QStringList{QStringLiteral("--dump-dom"),
                                               QUrl::fromLocalFile(page).toString()},
                          {}, env, {}, 180'000);
        QVERIFY2(r.exitCode == 0, r.err.right(2000).constData());
        static const QRegularExpression consoleError(QStringLiteral("Uncaught|ERROR:.*CONSOLE"));
        QVERIFY2(!consoleError.match(QString::fromUtf8(r.err)).hasMatch(), r.err.constData());
        const QString dom = QString::fromUtf8(r.out);
        QVERIFY(dom.contains(QStringLiteral("&lt;script&gt;alert(1)&lt;/script&gt;")));
        QVERIFY(!dom.contains(QStringLiteral("<script>alert(1)")));
        QCOMPARE(countOf(dom, QStringLiteral("<svg")), 4);

        const QString shot = m_out.filePath(QStringLiteral("page.png"));
        r = run(chromium,
                common + QStringList{QStringLiteral("--hide-scrollbars"),
                                     QStringLiteral("--window-size=1200,2400"),
                                     QStringLiteral("--screenshot=") + shot,
                                     QUrl::fromLocalFile(page).toString()},
                {}, env, {}, 180'000);
        QVERIFY2(r.exitCode == 0, r.err.right(2000).constData());
        QVERIFY(QFileInfo(shot).size() > 10'000);
        QFile::remove(QStringLiteral("/tmp/report-html.png"));
        QFile::copy(shot, QStringLiteral("/tmp/report-html.png"));
    }
};

QTEST_MAIN(TestReportWriter)
#include "tst_reportwriter.moc"
