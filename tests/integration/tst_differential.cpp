// Differential test against the git binary: on generated repositories (merges, octopus
// merges, several roots, equal and skewed dates), a simulated culprit drives a whole
// `git bisect` session — several goods, skips, --first-parent, custom terms — and after
// every command `bisect-workbench next` must print exactly what git printed, with the
// same exit code. The commit marked next is the one our output names, so both drive the
// session to the same end in the same steps.
//
// BW_DIFF_REPOS sets the number of repositories (default 300), BW_DIFF_SEED the first seed.

#include "tests/support/RandomHistory.h"
#include "tests/support/TestRepo.h"

#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <random>
#include <set>

using bw::test::RunResult;
using bw::test::TestRepo;
using namespace bw::test;

class TestDifferential : public QObject {
    Q_OBJECT

    int m_failedStarts = 0;
    int m_sessions = 0, m_comparisons = 0, m_firstBad = 0, m_onlySkipped = 0, m_mergeBase = 0,
        m_skipsMade = 0;

private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
    }

    void sessions_data() {
        QTest::addColumn<int>("seed");
        const int count = qEnvironmentVariableIsSet("BW_DIFF_REPOS")
                              ? qEnvironmentVariableIntValue("BW_DIFF_REPOS")
                              : 300;
        const int first = qEnvironmentVariableIntValue("BW_DIFF_SEED");
        for (int s = first; s < first + count; ++s)
            QTest::addRow("seed%d", s) << s;
    }

    void sessions() {
        QFETCH(int, seed);
        std::mt19937 rng(static_cast<unsigned>(seed) * 2654435761u);
        TestRepo repo;
        QVERIFY(repo.isValid());
        Generated g;
        QVERIFY(generate(repo, rng, g));
        const int n = static_cast<int>(g.sha.size());

        // bad: a commit with history; goods: 1-3 commits, usually ancestors of bad.
        const int bad = n - 1 - static_cast<int>(rng() % std::max(1, n / 4));
        const std::set<int> fromBad = ancestorsOf(g, bad);
        std::vector<int> goods;
        const int goodCount = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < goodCount; ++k) {
            int c = static_cast<int>(rng() % n);
            if (rng() % 6 != 0) { // mostly ancestors of bad
                std::vector<int> pool(fromBad.begin(), fromBad.end());
                c = pool[rng() % pool.size()];
            }
            if (c != bad && std::find(goods.begin(), goods.end(), c) == goods.end())
                goods.push_back(c);
        }
        if (goods.empty())
            goods.push_back(*fromBad.begin());
        std::set<int> fromGoods;
        for (int gd : goods)
            for (int a : ancestorsOf(g, gd))
                fromGoods.insert(a);
        std::vector<int> candidates;
        for (int c : fromBad)
            if (!fromGoods.count(c))
                candidates.push_back(c);
        // The culprit: a candidate (the oracle then keeps every good truly good).
        const int culprit = candidates.empty() ? bad : candidates[rng() % candidates.size()];
        const bool firstParent = rng() % 5 == 0;
        const int termsKind = static_cast<int>(rng() % 6); // 0-3 bad/good, 4 new/old, 5 custom
        QString termBad = QStringLiteral("bad"), termGood = QStringLiteral("good");
        QStringList start{QStringLiteral("start")};
        if (termsKind == 4) {
            termBad = QStringLiteral("new"), termGood = QStringLiteral("old");
            start << QStringLiteral("--term-new=new") << QStringLiteral("--term-old=old");
        }
        if (termsKind == 5) {
            termBad = QStringLiteral("broken"), termGood = QStringLiteral("works");
            start << QStringLiteral("--term-new=broken") << QStringLiteral("--term-old=works");
        }
        if (firstParent)
            start << QStringLiteral("--first-parent");
        start << g.sha[bad];
        for (int gd : goods)
            start << g.sha[gd];
        const double skipRate = rng() % 3 == 0 ? 0.3 : 0.0;
        std::uniform_real_distribution<double> coin(0, 1);

        QStringList history;
        auto compare = [&](const QStringList &args) -> RunResult {
            RunResult git = repo.git(QStringList{QStringLiteral("bisect")} + args);
            if (args.first() == u"start" && git.exitCode != 0) {
                // A start whose selection fails wipes the state again (bad == good, …):
                // what is left to compare is git's `next` on the empty state.
                ++m_failedStarts;
                git = repo.git({QStringLiteral("bisect"), QStringLiteral("next")});
            }
            history << QStringLiteral("git bisect ") + args.join(u' ');
            const RunResult ours =
                repo.workbench({QStringLiteral("next"), QStringLiteral("--repo"), repo.path()});
            ++m_comparisons;
            const QString context =
                QStringLiteral("seed %1, after:\n  %2\ngit (exit %3):\n%4%5\nours (exit %6):\n%7%8")
                    .arg(seed)
                    .arg(history.join(QStringLiteral("\n  ")))
                    .arg(git.exitCode)
                    .arg(QString::fromUtf8(git.out), QString::fromUtf8(git.err))
                    .arg(ours.exitCode)
                    .arg(QString::fromUtf8(ours.out), QString::fromUtf8(ours.err));
            if (git.out != ours.out || git.exitCode != ours.exitCode)
                QTest::qFail(qPrintable(context), __FILE__, __LINE__);
            return ours;
        };

        RunResult r = compare(start);
        if (QTest::currentTestFailed())
            return;
        ++m_sessions;
        static const QRegularExpression shaLine(QStringLiteral("^\\[([0-9a-f]{40})\\] "),
                                                QRegularExpression::MultilineOption);
        std::set<QString> skipped;
        for (int stepNo = 0; stepNo < 60; ++stepNo) {
            const QString out = QString::fromUtf8(r.out);
            if (out.startsWith(QStringLiteral("Bisecting: a merge base")))
                ++m_mergeBase;
            const auto m = shaLine.match(out);
            if (!m.hasMatch() || r.exitCode != 0)
                break;
            const QString sha = m.captured(1);
            const int c =
                static_cast<int>(std::find(g.sha.begin(), g.sha.end(), sha) - g.sha.begin());
            QVERIFY(c < n);
            QString verdict;
            if (skipRate > 0 && coin(rng) < skipRate && !skipped.count(sha)) {
                verdict = QStringLiteral("skip");
                skipped.insert(sha);
                ++m_skipsMade;
            } else {
                verdict = ancestorsOf(g, c).count(culprit) ? termBad : termGood;
            }
            r = compare({verdict, sha});
            if (QTest::currentTestFailed())
                return;
        }
        const QString out = QString::fromUtf8(r.out);
        if (out.contains(QStringLiteral("is the first")))
            ++m_firstBad;
        if (r.exitCode == 2)
            ++m_onlySkipped;
        // Without skips and without first-parent the culprit itself must be found.
        if (skipped.empty() && !firstParent && r.exitCode == 0 && !candidates.empty()) {
            QVERIFY2(out.startsWith(g.sha[culprit] + QStringLiteral(" is the first ")),
                     qPrintable(history.join('\n')));
        }
    }

    void cleanupTestCase() {
        qInfo("differential: %d sessions, %d comparisons with git, %d first-bad, %d only-skipped, "
              "%d merge-base steps, %d skips",
              m_sessions, m_comparisons, m_firstBad, m_onlySkipped, m_mergeBase, m_skipsMade);
        if (m_sessions >= 100) {
            // The generator must really exercise the interesting paths.
            QVERIFY(m_firstBad > 0);
            QVERIFY(m_onlySkipped > 0);
            QVERIFY(m_mergeBase > 0);
        }
    }
};

QTEST_GUILESS_MAIN(TestDifferential)
#include "tst_differential.moc"
