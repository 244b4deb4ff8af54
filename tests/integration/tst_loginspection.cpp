// inspectLog against `git bisect replay`: for bisect sessions driven by git on generated
// histories, every prefix of `git bisect log` that ends with a start or mark line is
// replayed by git, and the last thing git prints (the "Bisecting:" lines, the first bad
// commit, the only-skipped block or the status line) must be the inspection's text for
// that step.

#include "services/git/BisectLogInspection.h"
#include "services/git/Repository.h"

#include "tests/support/RandomHistory.h"
#include "tests/support/TestRepo.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

using namespace bw;
using namespace bw::git;
using namespace bw::test;

namespace {

// The last selection block of what `git bisect replay` printed on stdout.
QString lastBlock(const QString &out) {
    static const QRegularExpression firstBad(
        QStringLiteral("^[0-9a-f]{40} is the first \\S+ commit$"));
    const QStringList lines = out.split(u'\n');
    for (int i = static_cast<int>(lines.size()) - 1; i >= 0; --i) {
        const QString &l = lines[i];
        if (l.startsWith(QStringLiteral("Bisecting: ")) && i + 1 < lines.size())
            return l + u'\n' + lines[i + 1] + u'\n';
        if (firstBad.match(l).hasMatch() || l.startsWith(QStringLiteral("status: waiting")) ||
            l.contains(QStringLiteral(" was both ")))
            return l + u'\n';
        if (l == QStringLiteral("There are only 'skip'ped commits left to test.")) {
            QString block;
            for (int j = i; j < lines.size(); ++j) {
                block += lines[j] + u'\n';
                if (lines[j] == QStringLiteral("We cannot bisect more!"))
                    break;
            }
            return block;
        }
    }
    return {};
}

int commitIndex(const Generated &g, const QString &sha) {
    return static_cast<int>(std::find(g.sha.begin(), g.sha.end(), sha) - g.sha.begin());
}

} // namespace

class TestLogInspection : public QObject {
    Q_OBJECT

    QMap<QString, int> m_kinds; // which kinds of git output were compared, over all seeds

private slots:
    void everyStepMatchesGit_data() {
        QTest::addColumn<int>("seed");
        for (int s = 0; s < 25; ++s)
            QTest::addRow("seed%d", s) << s;
    }
    void everyStepMatchesGit() {
        QFETCH(int, seed);
        std::mt19937 rng(static_cast<unsigned>(seed) * 104729u + 17);
        TestRepo repo;
        Generated g;
        QVERIFY(generate(repo, rng, g));
        const int n = static_cast<int>(g.sha.size());
        const int bad = n - 1;
        // A good anywhere but bad: an ancestor (most of the time), or a commit on another
        // branch, which makes git test a merge base first.
        std::vector<int> pool = strictAncestorsOf(g, bad);
        int good = pool.empty() ? 0 : pool[rng() % pool.size()];
        if (rng() % 4 == 0 || pool.empty())
            good = static_cast<int>(rng() % std::max(1, n - 1));
        const int culprit = static_cast<int>(rng() % n);

        QString termBad = QStringLiteral("bad"), termGood = QStringLiteral("good");
        QStringList start{QStringLiteral("bisect"), QStringLiteral("start")};
        if (seed % 4 == 1) {
            start << QStringLiteral("--term-new=broken") << QStringLiteral("--term-old=fine");
            termBad = QStringLiteral("broken"), termGood = QStringLiteral("fine");
        } else if (seed % 4 == 3) {
            start << QStringLiteral("--term-new=new") << QStringLiteral("--term-old=old");
            termBad = QStringLiteral("new"), termGood = QStringLiteral("old");
        }
        if (seed % 5 == 2)
            start << QStringLiteral("--first-parent");
        // Revisions given to start, or marked afterwards (git checks the merge bases at
        // a different moment then).
        const int startMode = seed % 3;
        if (startMode == 0)
            start << g.sha[bad] << g.sha[good];
        else if (startMode == 1)
            start << g.sha[bad];
        QCOMPARE(repo.git(start).exitCode, 0);
        if (startMode == 2)
            QCOMPARE(repo.git({QStringLiteral("bisect"), termBad, g.sha[bad]}).exitCode, 0);
        if (startMode != 0)
            QCOMPARE(repo.git({QStringLiteral("bisect"), termGood, g.sha[good]}).exitCode, 0);

        static const QRegularExpression shaLine(QStringLiteral("^\\[([0-9a-f]{40})\\] "),
                                                QRegularExpression::MultilineOption);
        for (int i = 0; i < 8; ++i) {
            const QString head = repo.gitOut({QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
            int c = commitIndex(g, head);
            if (c >= n)
                break;
            QStringList mark{QStringLiteral("bisect")};
            if (rng() % 6 == 0) // another commit than the one git asked for
                c = pool.empty() ? c : pool[rng() % pool.size()];
            const QString verdict = rng() % 4 == 0
                                        ? QStringLiteral("skip")
                                        : (ancestorsOf(g, c).count(culprit) ? termBad : termGood);
            mark << verdict << g.sha[c];
            const RunResult r = repo.git(mark);
            if (!shaLine.match(QString::fromUtf8(r.out)).hasMatch())
                break;
        }
        const QByteArray log = repo.git({QStringLiteral("bisect"), QStringLiteral("log")}).out;
        QVERIFY(log.contains("git bisect start"));

        auto opened = Repository::open(repo.path());
        QVERIFY(opened.ok());
        auto inspection = inspectLog(*opened, QString::fromUtf8(log));
        QVERIFY2(inspection.ok(),
                 qPrintable(inspection.ok() ? QString() : inspection.error().message()));
        const std::size_t steps = inspection->timeline.steps.size();
        QCOMPARE(inspection->texts.size(), steps + 1);
        QCOMPARE(inspection->queries.size(), steps + 1);
        QCOMPARE(inspection->outcomes.size(), steps + 1);
        QCOMPARE(inspection->oids.size(), steps);

        const QString file = repo.path() + QStringLiteral("/.git/prefix.log");
        const QList<QByteArray> lines = log.split('\n');
        int compared = 0;
        for (int i = 0; i < lines.size(); ++i) {
            const QByteArray &l = lines[i];
            if (!l.startsWith("git bisect "))
                continue;
            QByteArray prefix;
            for (int j = 0; j <= i; ++j)
                prefix += lines[j] + '\n';
            QVERIFY(writeFile(file, prefix));
            repo.git({QStringLiteral("bisect"), QStringLiteral("reset")});
            const RunResult git =
                repo.git({QStringLiteral("bisect"), QStringLiteral("replay"), file});
            // When git refuses the merge bases, its last words are on stderr.
            const QString err = QString::fromUtf8(git.err);
            const qsizetype refusal = std::max(err.lastIndexOf(QStringLiteral("Some ")),
                                               err.lastIndexOf(QStringLiteral("The merge base ")));
            const QString expected = git.exitCode != 0 && refusal >= 0 &&
                                             err.contains(QRegularExpression(QStringLiteral(
                                                 "cannot work properly|The merge base \\S+ is ")))
                                         ? err.mid(refusal)
                                         : lastBlock(QString::fromUtf8(git.out));
            // The state after the steps written up to this line.
            std::size_t k = 0;
            while (k < steps && inspection->timeline.steps[k].line <= i + 1)
                ++k;
            const QString ours = inspection->texts[k];
            if (ours != expected)
                qWarning().noquote()
                    << "seed" << seed << "line" << i + 1 << "step" << k << "\nlog:\n"
                    << log << "\ngit stdout:\n"
                    << git.out << "git stderr:\n"
                    << git.err;
            QVERIFY2(!expected.isEmpty(), git.out.constData());
            QCOMPARE(ours, expected);
            m_kinds[expected.startsWith(QStringLiteral("Bisecting: a merge base"))
                        ? QStringLiteral("merge base")
                        : expected.section(u' ', 0, 0).left(12)] += 1;
            ++compared;
        }
        QVERIFY(compared >= 1);
    }

    // The comparisons above covered what they claim to: several kinds of git output.
    void coverage() {
        if (m_kinds.isEmpty())
            QSKIP("run together with everyStepMatchesGit");
        qInfo() << "compared outputs by first word:" << m_kinds;
        QVERIFY(m_kinds.value(QStringLiteral("merge base")) > 0);
        QVERIFY(m_kinds.value(QStringLiteral("There")) > 0);
        QVERIFY(m_kinds.value(QStringLiteral("Bisecting:")) > 25);
        QVERIFY(m_kinds.value(QStringLiteral("status:")) > 0);
        int firstBad = 0;
        for (auto it = m_kinds.begin(); it != m_kinds.end(); ++it)
            if (it.key().size() == 12 &&
                it.key().contains(QRegularExpression(QStringLiteral("^[0-9a-f]+$"))))
                firstBad += it.value();
        QVERIFY(firstBad > 0);
    }

    void unknownCommitNamesTheLine() {
        TestRepo repo;
        for (int i = 0; i < 6; ++i)
            repo.commit(QStringLiteral("c%1").arg(i));
        auto opened = Repository::open(repo.path());
        QVERIFY(opened.ok());
        const QString log =
            QStringLiteral("git bisect start 'c5' 'c0'\n"
                           "# good: [0123456789012345678901234567890123456789] gone\n"
                           "git bisect good 0123456789012345678901234567890123456789\n");
        auto r = inspectLog(*opened, log);
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message().contains(QStringLiteral("line 3")),
                 qPrintable(r.error().message()));
        QVERIFY(r.error().message().contains(
            QStringLiteral("0123456789012345678901234567890123456789")));

        auto badStart = inspectLog(*opened, QStringLiteral("git bisect start 'c5' 'nope'\n"));
        QVERIFY(!badStart.ok());
        QVERIFY2(badStart.error().message().contains(QStringLiteral("line 1")) &&
                     badStart.error().message().contains(QStringLiteral("nope")),
                 qPrintable(badStart.error().message()));

        // The same log without the unknown line inspects fine.
        auto fine = inspectLog(*opened, log.section(u'\n', 0, 0) + u'\n');
        QVERIFY(fine.ok());
        QCOMPARE(fine->texts.size(), std::size_t(3));
        QVERIFY(fine->texts[2].startsWith(QStringLiteral("Bisecting: ")));
        QCOMPARE(fine->texts[0], QStringLiteral("status: waiting for both good and bad commits\n"));
    }
};

QTEST_GUILESS_MAIN(TestLogInspection)
#include "tst_loginspection.moc"
