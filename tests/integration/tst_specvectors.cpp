// The verified vectors of git-bisect-spec.md §12, run with the real git binary; after
// every git command, `bisect-workbench next` must print what git printed.

#include "tests/support/TestRepo.h"

#include <QTest>

using bw::test::RunResult;
using bw::test::TestRepo;

class TestSpecVectors : public QObject {
    Q_OBJECT

    // Runs `git bisect args…`, then our `next` on the resulting state, and checks that
    // both printed the same (stdout) and exited alike. Returns git's stdout.
    QString step(TestRepo &repo, const QStringList &args, int expectedExit = 0) {
        const RunResult git = repo.git(QStringList{QStringLiteral("bisect")} + args);
        const RunResult ours =
            repo.workbench({QStringLiteral("next"), QStringLiteral("--repo"), repo.path()});
        const QString where = QStringLiteral("git bisect %1").arg(args.join(u' '));
        if (git.exitCode != expectedExit)
            qWarning().noquote() << where << "stderr:" << git.err;
        [&] { QCOMPARE(git.exitCode, expectedExit); }();
        if (QString::fromUtf8(ours.out) != QString::fromUtf8(git.out))
            qWarning().noquote() << where << "\n git:\n"
                                 << git.out << "\n ours:\n"
                                 << ours.out << "\n our stderr:\n"
                                 << ours.err;
        [&] { QCOMPARE(QString::fromUtf8(ours.out), QString::fromUtf8(git.out)); }();
        [&] { QCOMPARE(ours.exitCode, git.exitCode); }();
        return QString::fromUtf8(git.out);
    }

    static QString expectNext(int left, int steps, const QString &shaPrefix) {
        return QStringLiteral("Bisecting: %1 %2 left to test after this (roughly %3 %4)\n[%5")
            .arg(left)
            .arg(left == 1 ? "revision" : "revisions")
            .arg(steps)
            .arg(steps == 1 ? "step" : "steps")
            .arg(shaPrefix);
    }

private slots:
    void initTestCase() {
        QVERIFY2(QFile::exists(TestRepo::workbenchBinary()), "BW_BINARY not set");
    }

    void v1LinearChain() {
        TestRepo r;
        QVERIFY(r.isValid());
        r.commit("g"), r.commit("x1"), r.commit("x2"), r.commit("x3");
        QVERIFY(step(r, {"start", "x3", "g"}).startsWith(expectNext(0, 1, "6477302e")));
        QVERIFY(step(r, {"bad"}).startsWith(expectNext(0, 0, "")));
        QCOMPARE(
            step(r, {"good"}),
            QStringLiteral("6477302e28af92287f32a75e9906ce5d2928eda4 is the first bad commit\n"));
    }

    void v2MergeTieByDate_data() {
        QTest::addColumn<int>("stepSize");
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        QTest::newRow("increasing dates") << 1 << "da814780"
                                          << "c45789eb";
        QTest::newRow("equal dates") << 0 << "c212bbfd"
                                     << "0e79f679";
    }
    void v2MergeTieByDate() {
        QFETCH(int, stepSize);
        QFETCH(QString, first);
        QFETCH(QString, second);
        TestRepo r;
        r.setStep(stepSize);
        r.commit("g"), r.commit("a1"), r.commit("a2");
        r.git({"checkout", "-q", "-b", "side", "g"});
        r.commit("b1"), r.commit("b2");
        r.git({"checkout", "-q", "main"});
        r.merge("M", "side");
        QVERIFY(step(r, {"start", "M", "g"}).startsWith(expectNext(2, 1, first)));
        QVERIFY(step(r, {"good"}).startsWith(expectNext(0, 1, second)));
    }

    void v3MergesFirst() {
        TestRepo r;
        r.commit("g"), r.commit("a1"), r.commit("a2"), r.commit("a3"), r.commit("a4");
        r.git({"checkout", "-q", "-b", "b", "g"});
        r.commit("b1"), r.commit("b2");
        r.git({"checkout", "-q", "-b", "x", "g"});
        r.commit("x1");
        r.git({"checkout", "-q", "b"});
        r.merge("M", "x");
        r.git({"checkout", "-q", "main"});
        r.merge("T", "b");
        QVERIFY(step(r, {"start", "T", "g"}).startsWith(expectNext(4, 2, "60fd4775")));
        QVERIFY(step(r, {"good"}).startsWith(expectNext(2, 1, "da814780")));
        QVERIFY(step(r, {"bad"}).startsWith(expectNext(0, 0, "1b89a6ff")));
    }

    void v4Skips() {
        TestRepo r;
        for (const char *n : {"g", "c1", "c2", "c3", "c4", "c5", "c6", "c7"})
            r.commit(n);
        QVERIFY(step(r, {"start", "c7", "g"}).startsWith(expectNext(3, 2, "4012467e")));
        QVERIFY(step(r, {"skip"}).startsWith(expectNext(2, 2, "111f8504")));
        QVERIFY(step(r, {"skip"}).startsWith(expectNext(2, 2, "c36b51f6")));
        QVERIFY(step(r, {"good"}).startsWith(expectNext(0, 0, "b7dcea39")));
        QCOMPARE(step(r, {"skip"}, 2),
                 QStringLiteral("There are only 'skip'ped commits left to test.\n"
                                "The first bad commit could be any of:\n"
                                "b7dcea39840e91f8c7178025ac77bd23163d4df2\n"
                                "6c3947807c74061dc92cae4f9bcfa8396224fae7\n"
                                "We cannot bisect more!\n"));
    }

    void v5FirstParent_data() {
        QTest::addColumn<bool>("firstParent");
        QTest::newRow("all parents") << false;
        QTest::newRow("first parent") << true;
    }
    void v5FirstParent() {
        QFETCH(bool, firstParent);
        TestRepo r;
        r.commit("g"), r.commit("m1");
        r.git({"checkout", "-q", "-b", "side", "g"});
        r.commit("s1"), r.commit("s2"), r.commit("s3");
        r.git({"checkout", "-q", "main"});
        r.merge("M", "side");
        r.commit("m2");
        QStringList args{"start"};
        if (firstParent)
            args << "--first-parent";
        args << "m2"
             << "g";
        const QString out = step(r, args);
        if (firstParent)
            QVERIFY(out.startsWith(expectNext(0, 1, "0c355868")));
        else
            QVERIFY(out.startsWith(expectNext(2, 2, "8e35099e")));
    }

    void v6MergeBase_data() {
        QTest::addColumn<QString>("answer");
        QTest::newRow("good") << "good";
        QTest::newRow("bad") << "bad";
        QTest::newRow("skip") << "skip";
    }
    void v6MergeBase() {
        QFETCH(QString, answer);
        TestRepo r;
        r.commit("base"), r.commit("a1"), r.commit("a2"), r.commit("a3");
        r.git({"checkout", "-q", "-b", "topic", "base"});
        r.commit("t1"), r.commit("t2");
        r.git({"checkout", "-q", "main"});
        QVERIFY(step(r, {"start", "a3", "t2"})
                    .startsWith("Bisecting: a merge base must be tested\n[0e45b6a7"));
        if (answer == "good") {
            QVERIFY(step(r, {"good"}).startsWith(expectNext(0, 1, "ae4c3ae5")));
        } else if (answer == "bad") {
            const RunResult git = r.git({"bisect", "bad"});
            QCOMPARE(git.exitCode, 3);
            const RunResult ours = r.workbench({"next", "--repo", r.path()});
            QCOMPARE(ours.exitCode, 3);
            QCOMPARE(QString::fromUtf8(ours.err), QString::fromUtf8(git.err));
            QVERIFY(ours.err.startsWith("The merge base 0e45b6a7"));
        } else {
            const RunResult git = r.git({"bisect", "skip"});
            const RunResult ours = r.workbench({"next", "--repo", r.path()});
            QCOMPARE(ours.exitCode, git.exitCode);
            QCOMPARE(QString::fromUtf8(ours.out), QString::fromUtf8(git.out));
            QVERIFY(git.err.contains("warning: the merge base between"));
            // The check ran and passed: git wrote BISECT_ANCESTORS_OK. Without it, both
            // check again and warn again about the skipped merge base.
            const QString ok = r.path() + "/.git/BISECT_ANCESTORS_OK";
            QVERIFY(QFile::remove(ok));
            const RunResult ours2 = r.workbench({"next", "--repo", r.path()});
            const RunResult git2 = r.git({"bisect", "next"});
            QCOMPARE(QString::fromUtf8(ours2.out), QString::fromUtf8(git2.out));
            QVERIFY(ours2.err.startsWith("warning: the merge base between"));
            QVERIFY2(git2.err.contains(ours2.err), git2.err.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestSpecVectors)
#include "tst_specvectors.moc"
