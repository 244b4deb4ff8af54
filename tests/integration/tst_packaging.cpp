// The Debian package as a user gets it: CPack builds it from this build tree, dpkg-deb
// unpacks it into a scratch root (the machine is left alone), and the files are where a
// desktop looks for them, valid (appstreamcli, desktop-file-validate where installed),
// the dependencies are real Debian packages, and the packaged binary runs.

#include "tests/support/TestRepo.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using bw::test::RunResult;

namespace {

const QString appId = QStringLiteral("io.github.bisectworkbench.BisectWorkbench");

QString text(const RunResult &r) {
    return QString::fromUtf8(r.out + r.err);
}

} // namespace

class TestPackaging : public QObject {
    Q_OBJECT

    QTemporaryDir m_scratch;
    QString m_deb;
    QString m_root;

private slots:
    void initTestCase() {
        QVERIFY(m_scratch.isValid());
        const QString binary = bw::test::TestRepo::workbenchBinary();
        QVERIFY2(QFile::exists(binary), "BW_BINARY not set");
        // BW_BINARY is <build>/app/bisect-workbench
        const QString build =
            QFileInfo(binary).absoluteDir().absoluteFilePath(QStringLiteral(".."));
        const QString config = QDir(build).absoluteFilePath(QStringLiteral("CPackConfig.cmake"));
        QVERIFY2(QFile::exists(config), qPrintable(config));
        const QString out = m_scratch.path() + QStringLiteral("/cpack");
        const RunResult cpack =
            bw::test::run(QStringLiteral("cpack"),
                          {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("--config"),
                           config, QStringLiteral("-B"), out},
                          build, QProcessEnvironment::systemEnvironment(), {}, 240000);
        QVERIFY2(cpack.exitCode == 0, qPrintable(text(cpack)));
        const QStringList debs = QDir(out).entryList({QStringLiteral("*.deb")}, QDir::Files);
        QVERIFY2(debs.size() == 1, qPrintable(text(cpack)));
        m_deb = out + u'/' + debs.first();
        m_root = m_scratch.path() + QStringLiteral("/root");
        const RunResult x =
            bw::test::run(QStringLiteral("dpkg-deb"), {QStringLiteral("-x"), m_deb, m_root});
        QVERIFY2(x.exitCode == 0, qPrintable(text(x)));
    }

    void filesAreInTheirStandardPlaces() {
        const QFileInfo bin(m_root + QStringLiteral("/usr/bin/bisect-workbench"));
        QVERIFY(bin.isFile());
        QVERIFY(bin.isExecutable());
        QVERIFY(QFileInfo::exists(m_root + QStringLiteral("/usr/share/applications/") + appId +
                                  QStringLiteral(".desktop")));
        QVERIFY(QFileInfo::exists(m_root +
                                  QStringLiteral("/usr/share/icons/hicolor/scalable/apps/") +
                                  appId + QStringLiteral(".svg")));
        QVERIFY(QFileInfo::exists(m_root + QStringLiteral("/usr/share/metainfo/") + appId +
                                  QStringLiteral(".metainfo.xml")));
    }

    void desktopEntryAndIconAgree() {
        QFile desktop(m_root + QStringLiteral("/usr/share/applications/") + appId +
                      QStringLiteral(".desktop"));
        QVERIFY(desktop.open(QIODevice::ReadOnly));
        const QString entry = QString::fromUtf8(desktop.readAll());
        QVERIFY(entry.contains(QStringLiteral("\nIcon=") + appId + u'\n'));
        QVERIFY(entry.contains(QStringLiteral("\nExec=bisect-workbench")));
        QVERIFY(entry.contains(QStringLiteral("Exec=bisect-workbench --demo")));
        const QString validator =
            QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
        if (validator.isEmpty()) {
            qInfo("desktop-file-validate is not installed (desktop-file-utils): not run");
        } else {
            const RunResult v = bw::test::run(validator, {desktop.fileName()});
            QVERIFY2(v.exitCode == 0 && v.out.trimmed().isEmpty(), qPrintable(text(v)));
        }
        // the icon is well-formed SVG
        QFile icon(m_root + QStringLiteral("/usr/share/icons/hicolor/scalable/apps/") + appId +
                   QStringLiteral(".svg"));
        QVERIFY(icon.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&icon);
        QVERIFY(xml.readNextStartElement());
        QCOMPARE(xml.name().toString(), QStringLiteral("svg"));
        while (!xml.atEnd())
            xml.readNext();
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    }

    void metainfoValidates() {
        const QString appstream = QStandardPaths::findExecutable(QStringLiteral("appstreamcli"));
        if (appstream.isEmpty())
            QSKIP("appstreamcli is not installed (appstream)");
        const RunResult v =
            bw::test::run(appstream, {QStringLiteral("validate"), QStringLiteral("--no-net"),
                                      m_root + QStringLiteral("/usr/share/metainfo/") + appId +
                                          QStringLiteral(".metainfo.xml")});
        QVERIFY2(v.exitCode == 0, qPrintable(text(v)));
    }

    // Every package named in Depends (alternatives included) exists in the archive.
    void dependenciesAreRealDebianPackages() {
        const RunResult f = bw::test::run(QStringLiteral("dpkg-deb"),
                                          {QStringLiteral("-f"), m_deb, QStringLiteral("Depends")});
        QVERIFY2(f.exitCode == 0, qPrintable(text(f)));
        const QString depends = QString::fromUtf8(f.out).trimmed();
        QVERIFY(depends.contains(QStringLiteral("libgit2-1.5")));
        QVERIFY(depends.contains(QStringLiteral("libqt6widgets6")));
        QStringList names;
        for (const QString &clause : depends.split(u',', Qt::SkipEmptyParts))
            for (const QString &alternative : clause.split(u'|', Qt::SkipEmptyParts))
                names << alternative.trimmed().section(u' ', 0, 0);
        QVERIFY(names.size() >= 10);
        const RunResult show =
            bw::test::run(QStringLiteral("apt-cache"), QStringList{QStringLiteral("show")} + names);
        QVERIFY2(show.exitCode == 0, qPrintable(text(show).right(2000)));
        for (const QString &n : names)
            QVERIFY2(show.out.contains("Package: " + n.toUtf8() + '\n'), qPrintable(n));
    }

    void packagedBinaryRuns() {
        const RunResult r = bw::test::run(m_root + QStringLiteral("/usr/bin/bisect-workbench"),
                                          {QStringLiteral("--version")});
        QVERIFY2(r.exitCode == 0, qPrintable(text(r)));
        QVERIFY2(r.out.startsWith("bisect-workbench "), r.out.constData());
        const RunResult help =
            bw::test::run(m_root + QStringLiteral("/usr/bin/bisect-workbench"),
                          {QStringLiteral("demo-repo"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestPackaging)
#include "tst_packaging.moc"
