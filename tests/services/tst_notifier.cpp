// The notifier against real components: a webhook receiver on 127.0.0.1 (QTcpServer)
// and a private D-Bus daemon with a fake notification server registered by this test
// (there is no notification daemon on the build machines).

#include "services/notify/Notifier.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using bw::notify::Notifier;
using bw::notify::NotifyEvent;

namespace {

// Plays org.freedesktop.Notifications on the private bus and remembers every call.
class FakeNotificationServer : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call {
        QString appName;
        uint replacesId = 0;
        QString summary;
        QString body;
        QVariantMap hints;
        int expireTimeout = 0;
    };
    QList<Call> calls;

public slots:
    uint Notify(const QString &appName, uint replacesId, const QString &appIcon,
                const QString &summary, const QString &body, const QStringList &actions,
                const QVariantMap &hints, int expireTimeout) {
        Q_UNUSED(appIcon);
        Q_UNUSED(actions);
        calls.append(Call{appName, replacesId, summary, body, hints, expireTimeout});
        return 40 + calls.size();
    }
    QStringList GetCapabilities() { return {QStringLiteral("body")}; }
};

// One HTTP request as the receiver saw it.
struct HttpRequest {
    QByteArray method;
    QByteArray target;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

// A minimal HTTP/1.1 webhook receiver: reads one request per connection, answers with
// `status` (or never, when `silent`).
class WebhookReceiver : public QObject {
    Q_OBJECT
public:
    explicit WebhookReceiver(int status = 200, bool silent = false)
        : m_status(status)
        , m_silent(silent) {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                m_sockets.append(s);
                connect(s, &QTcpSocket::readyRead, this, [this, s] { read(s); });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost); }
    quint16 port() const { return m_server.serverPort(); }
    QList<HttpRequest> requests;

signals:
    void received();

private:
    void read(QTcpSocket *s) {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        HttpRequest r;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        r.method = first.value(0);
        r.target = first.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                r.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                 lines[i].mid(colon + 1).trimmed());
        }
        const int length = r.headers.value("content-length").toInt();
        if (buf.size() < end + 4 + length)
            return; // the body is still coming
        r.body = buf.mid(end + 4, length);
        requests.append(r);
        if (!m_silent) {
            s->write("HTTP/1.1 " + QByteArray::number(m_status) +
                     (m_status == 200 ? " OK" : " Internal Server Error") +
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            s->disconnectFromHost();
        }
        emit received();
    }

    QTcpServer m_server;
    QList<QTcpSocket *> m_sockets;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    int m_status;
    bool m_silent;
};

NotifyEvent sampleEvent() {
    NotifyEvent e;
    e.kind = NotifyEvent::Kind::Finished;
    e.title = QStringLiteral("First bad commit found");
    e.body = QStringLiteral("6 steps, <42 min> & done");
    e.sessionDir = QStringLiteral("/tmp/sessions/demo-20260101-120000");
    e.culprit = bw::Oid::fromHex(QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
    return e;
}

// Every message logged while it lives, to prove secrets stay out of the log.
struct LogCapture {
    static inline QStringList lines;
    static inline QtMessageHandler previous = nullptr;
    LogCapture() {
        lines.clear();
        previous = qInstallMessageHandler(
            [](QtMsgType type, const QMessageLogContext &ctx, const QString &msg) {
                lines.append(msg);
                if (previous)
                    previous(type, ctx, msg);
            });
    }
    ~LogCapture() { qInstallMessageHandler(previous); }
    static bool contains(const QString &s) {
        for (const QString &l : lines)
            if (l.contains(s))
                return true;
        return false;
    }
};

} // namespace

class TestNotifier : public QObject {
    Q_OBJECT

    QTemporaryDir m_busDir;
    std::unique_ptr<QProcess> m_daemon;
    QString m_busAddress;

private slots:
    void initTestCase() {
        // A private session bus, so the test neither needs nor disturbs a desktop's. It
        // must exist before anything asks Qt for the session bus.
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
        if (daemon.isEmpty())
            QSKIP("dbus-daemon is not installed (package dbus-daemon)");
        QVERIFY(m_busDir.isValid());
        const QString config = m_busDir.filePath(QStringLiteral("bus.conf"));
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // No service directories: nothing on this bus can be activated behind our back.
        f.write(QStringLiteral(
                    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
                    "1.0//EN\" \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                    "<busconfig><type>session</type><listen>unix:path=%1</listen>"
                    "<auth>EXTERNAL</auth><policy context=\"default\">"
                    "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                    "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n")
                    .arg(m_busDir.filePath(QStringLiteral("bus")))
                    .toUtf8());
        f.close();
        m_daemon = std::make_unique<QProcess>();
        m_daemon->start(daemon, {QStringLiteral("--config-file=") + config,
                                 QStringLiteral("--print-address"), QStringLiteral("--nofork")});
        QVERIFY2(m_daemon->waitForStarted(10000), qPrintable(m_daemon->errorString()));
        QTRY_VERIFY_WITH_TIMEOUT(m_daemon->canReadLine() || m_daemon->state() != QProcess::Running,
                                 10000);
        m_busAddress = QString::fromUtf8(m_daemon->readLine()).trimmed();
        QVERIFY2(m_busAddress.startsWith(u"unix:"), m_daemon->readAllStandardError().constData());
        qputenv("DBUS_SESSION_BUS_ADDRESS", m_busAddress.toUtf8());
    }

    void cleanupTestCase() {
        if (m_daemon && m_daemon->state() != QProcess::NotRunning) {
            m_daemon->terminate(); // SIGTERM to this process id only
            if (!m_daemon->waitForFinished(5000))
                m_daemon->kill();
        }
    }

    void payloadAndRedaction() {
        const QJsonObject o =
            QJsonDocument::fromJson(Notifier::webhookPayload(sampleEvent())).object();
        QCOMPARE(o.value(u"event").toString(), QStringLiteral("finished"));
        QCOMPARE(o.value(u"culprit").toString(),
                 QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
        QCOMPARE(o.value(u"session").toString(),
                 QStringLiteral("/tmp/sessions/demo-20260101-120000"));
        NotifyEvent failed = sampleEvent();
        failed.kind = NotifyEvent::Kind::NeedsHuman;
        failed.culprit.reset();
        const QJsonObject f = QJsonDocument::fromJson(Notifier::webhookPayload(failed)).object();
        QCOMPARE(f.value(u"event").toString(), QStringLiteral("needs-human"));
        QVERIFY(f.value(u"culprit").isNull());

        QCOMPARE(Notifier::redactedUrl(QUrl(QStringLiteral(
                     "https://user:pw@hooks.example.com:8443/services/T1/B2/s3cr3t?token=abc#x"))),
                 QStringLiteral("https://hooks.example.com:8443/…"));
        QCOMPARE(Notifier::redactedUrl(QUrl(QStringLiteral("http://127.0.0.1:8080"))),
                 QStringLiteral("http://127.0.0.1:8080"));
    }

    void webhookPostsJson() {
        WebhookReceiver receiver;
        QVERIFY(receiver.listen());
        Notifier n;
        n.setSpec(bw::NotifySpec{false, QStringLiteral("http://hooker:s3cr3t@127.0.0.1:%1/hook/"
                                                       "T0K3N?token=secret")
                                            .arg(receiver.port())});
        QSignalSpy delivered(&n, &Notifier::webhookDelivered);
        QSignalSpy failed(&n, &Notifier::webhookFailed);
        QSignalSpy desktop(&n, &Notifier::desktopNotified);
        LogCapture log;
        n.notify(sampleEvent());
        QVERIFY(delivered.wait(10000));
        QCOMPARE(delivered.first().first().toInt(), 200);
        QCOMPARE(failed.size(), 0);
        QCOMPARE(desktop.size(), 0); // desktop = false
        QCOMPARE(receiver.requests.size(), 1);
        const HttpRequest &r = receiver.requests.first();
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.target, QByteArray("/hook/T0K3N?token=secret"));
        QCOMPARE(r.headers.value("content-type"), QByteArray("application/json"));
        QVERIFY(r.headers.value("authorization").startsWith("Basic ")); // the URL's user info
        const QJsonObject o = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(o.value(u"event").toString(), QStringLiteral("finished"));
        QCOMPARE(o.value(u"title").toString(), QStringLiteral("First bad commit found"));
        QCOMPARE(o.value(u"body").toString(), QStringLiteral("6 steps, <42 min> & done"));
        QCOMPARE(o.value(u"culprit").toString(),
                 QStringLiteral("0123456789abcdef0123456789abcdef01234567"));
        QCOMPARE(o.value(u"session").toString(),
                 QStringLiteral("/tmp/sessions/demo-20260101-120000"));
        for (const QString &secret :
             {QStringLiteral("secret"), QStringLiteral("T0K3N"), QStringLiteral("s3cr3t")})
            QVERIFY2(!LogCapture::contains(secret), qPrintable(LogCapture::lines.join(u'\n')));
    }

    void webhookHttpErrorIsReportedRedacted() {
        WebhookReceiver receiver(500);
        QVERIFY(receiver.listen());
        Notifier n;
        n.setSpec(bw::NotifySpec{
            false, QStringLiteral("http://127.0.0.1:%1/hook?token=secret").arg(receiver.port())});
        QSignalSpy failed(&n, &Notifier::webhookFailed);
        LogCapture log;
        n.notify(sampleEvent());
        QVERIFY(failed.wait(10000));
        const QString error = failed.first().first().toString();
        QVERIFY2(error.contains(QStringLiteral("HTTP 500")), qPrintable(error));
        QVERIFY2(!error.contains(QStringLiteral("secret")), qPrintable(error));
        QVERIFY(!LogCapture::contains(QStringLiteral("secret")));
    }

    void unreachableWebhookFailsFast() {
        quint16 port = 0;
        {
            QTcpServer probe; // a port that was free a moment ago and is closed now
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            port = probe.serverPort();
        }
        Notifier n;
        n.setSpec(bw::NotifySpec{
            false, QStringLiteral("http://127.0.0.1:%1/hook?token=secret").arg(port)});
        QSignalSpy failed(&n, &Notifier::webhookFailed);
        QElapsedTimer t;
        t.start();
        n.notify(sampleEvent());
        QVERIFY(failed.wait(10000));
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        const QString error = failed.first().first().toString();
        QVERIFY2(error.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(error));
        QVERIFY2(!error.contains(QStringLiteral("secret")), qPrintable(error));
    }

    void silentWebhookTimesOut() {
        WebhookReceiver receiver(200, /*silent=*/true);
        QVERIFY(receiver.listen());
        Notifier n;
        n.setWebhookTimeout(400);
        n.setSpec(
            bw::NotifySpec{false, QStringLiteral("http://127.0.0.1:%1/hook").arg(receiver.port())});
        QSignalSpy failed(&n, &Notifier::webhookFailed);
        QElapsedTimer t;
        t.start();
        n.notify(sampleEvent());
        QVERIFY(failed.wait(10000));
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("no answer")),
                 qPrintable(failed.first().first().toString()));
        QCOMPARE(receiver.requests.size(), 1); // it did arrive; the answer never came
    }

    void invalidWebhookUrl() {
        Notifier n;
        n.setSpec(bw::NotifySpec{false, QStringLiteral("ftp://example.org/x")});
        QSignalSpy failed(&n, &Notifier::webhookFailed);
        n.notify(sampleEvent());
        QCOMPARE(failed.size(), 1);
    }

    // On the private session bus with no notification server: the fallback signal.
    void desktopWithoutServer() {
        Notifier n;
        n.setSpec(bw::NotifySpec{true, {}});
        QSignalSpy unavailable(&n, &Notifier::desktopUnavailable);
        QSignalSpy shown(&n, &Notifier::desktopNotified);
        n.notify(sampleEvent());
        QVERIFY(unavailable.wait(10000));
        QCOMPARE(shown.size(), 0);
        QVERIFY2(unavailable.first().first().toString().contains(QStringLiteral("notification")),
                 qPrintable(unavailable.first().first().toString()));
    }

    void desktopThroughFakeServer() {
        FakeNotificationServer fake;
        // The server on its own connection, like a real notification daemon.
        QDBusConnection server =
            QDBusConnection::connectToBus(m_busAddress, QStringLiteral("fake-notification-server"));
        QVERIFY2(server.isConnected(), qPrintable(server.lastError().message()));
        QVERIFY(server.registerObject(QStringLiteral("/org/freedesktop/Notifications"), &fake,
                                      QDBusConnection::ExportAllSlots));
        QVERIFY2(server.registerService(QStringLiteral("org.freedesktop.Notifications")),
                 qPrintable(server.lastError().message()));

        // Through the session bus (DBUS_SESSION_BUS_ADDRESS) and through an explicit one.
        for (const bool explicitBus : {false, true}) {
            Notifier n;
            if (explicitBus)
                n.setBusAddress(m_busAddress);
            n.setSpec(bw::NotifySpec{true, {}});
            QSignalSpy shown(&n, &Notifier::desktopNotified);
            QSignalSpy unavailable(&n, &Notifier::desktopUnavailable);
            NotifyEvent e = sampleEvent();
            e.kind = explicitBus ? NotifyEvent::Kind::NeedsHuman : NotifyEvent::Kind::Finished;
            n.notify(e);
            QVERIFY(shown.wait(10000));
            QCOMPARE(unavailable.size(), 0);
            QCOMPARE(shown.first().first().toUInt(), uint(40 + fake.calls.size()));
        }
        QCOMPARE(fake.calls.size(), 2);
        const FakeNotificationServer::Call &c = fake.calls.first();
        QCOMPARE(c.appName, QStringLiteral("Bisect Workbench"));
        QCOMPARE(c.replacesId, 0u);
        QCOMPARE(c.summary, QStringLiteral("First bad commit found"));
        // the body is escaped for servers that render markup, and names the culprit
        QVERIFY2(c.body.contains(QStringLiteral("&lt;42 min&gt; &amp; done")), qPrintable(c.body));
        QVERIFY2(c.body.contains(QStringLiteral("0123456789ab")), qPrintable(c.body));
        QCOMPARE(c.expireTimeout, -1);
        QCOMPARE(c.hints.value(QStringLiteral("urgency")).toInt(), 1);
        QCOMPARE(fake.calls.at(1).hints.value(QStringLiteral("urgency")).toInt(), 2);

        server.unregisterService(QStringLiteral("org.freedesktop.Notifications"));
        server.unregisterObject(QStringLiteral("/org/freedesktop/Notifications"));
        QDBusConnection::disconnectFromBus(QStringLiteral("fake-notification-server"));
    }

    // No bus at all (the address leads nowhere): the fallback signal, at once.
    void desktopWithoutBus() {
        Notifier n;
        n.setBusAddress(QStringLiteral("unix:path=") + m_busDir.filePath(QStringLiteral("none")));
        n.setSpec(bw::NotifySpec{true, {}});
        QSignalSpy unavailable(&n, &Notifier::desktopUnavailable);
        QElapsedTimer t;
        t.start();
        n.notify(sampleEvent());
        QTRY_COMPARE_WITH_TIMEOUT(unavailable.size(), 1, 5000);
        QVERIFY(t.elapsed() < 5000);
        QVERIFY2(unavailable.first().first().toString().contains(QStringLiteral("bus")),
                 qPrintable(unavailable.first().first().toString()));
    }
};

QTEST_GUILESS_MAIN(TestNotifier)
#include "tst_notifier.moc"
