#include "services/notify/Notifier.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusError>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QUuid>

namespace bw::notify {

namespace {

Q_LOGGING_CATEGORY(bwNotify, "bw.notify")

const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");

// The notification spec's urgency hint: 0 low, 1 normal, 2 critical.
uchar urgency(NotifyEvent::Kind kind) {
    return kind == NotifyEvent::Kind::Finished ? 1 : 2;
}

// Notification servers may render the body as a subset of HTML.
QString escapedBody(const NotifyEvent &event) {
    QString body = event.body.toHtmlEscaped();
    if (event.culprit && !body.contains(event.culprit->toString().left(12)))
        body += (body.isEmpty() ? QString() : QStringLiteral("\n")) +
                QCoreApplication::translate("bw::notify::Notifier", "First bad commit: %1")
                    .arg(event.culprit->toString().left(12));
    return body;
}

} // namespace

QString kindName(NotifyEvent::Kind kind) {
    switch (kind) {
    case NotifyEvent::Kind::Finished:
        return QStringLiteral("finished");
    case NotifyEvent::Kind::Failed:
        return QStringLiteral("failed");
    case NotifyEvent::Kind::NeedsHuman:
        return QStringLiteral("needs-human");
    }
    return QStringLiteral("finished");
}

Notifier::Notifier(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this)) {}

Notifier::~Notifier() {
    if (!m_busName.isEmpty())
        QDBusConnection::disconnectFromBus(m_busName);
}

void Notifier::setSpec(const NotifySpec &spec) {
    m_spec = spec;
}

void Notifier::setBusAddress(const QString &address) {
    if (!m_busName.isEmpty())
        QDBusConnection::disconnectFromBus(m_busName);
    m_busName.clear();
    m_busAddress = address;
    if (!address.isEmpty())
        m_busName =
            QStringLiteral("bw-notify-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

void Notifier::notify(const NotifyEvent &event) {
    qCInfo(bwNotify) << "notify" << kindName(event.kind) << event.title;
    if (m_spec.desktop)
        notifyDesktop(event);
    if (!m_spec.webhook.trimmed().isEmpty())
        postWebhook(event);
}

void Notifier::notifyDesktop(const NotifyEvent &event) {
    QDBusConnection bus = m_busAddress.isEmpty()
                              ? QDBusConnection::sessionBus()
                              : QDBusConnection::connectToBus(m_busAddress, m_busName);
    if (!bus.isConnected()) {
        const QString reason =
            tr("No desktop notification: no session bus (%1).")
                .arg(bus.lastError().message().isEmpty() ? tr("not connected")
                                                         : bus.lastError().message());
        qCWarning(bwNotify) << reason;
        emit desktopUnavailable(reason);
        return;
    }
    QDBusMessage call =
        QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    QVariantMap hints;
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue(urgency(event.kind)));
    hints.insert(QStringLiteral("desktop-entry"), QStringLiteral("bisect-workbench"));
    hints.insert(QStringLiteral("category"), event.kind == NotifyEvent::Kind::Finished
                                                 ? QStringLiteral("transfer.complete")
                                                 : QStringLiteral("transfer.error"));
    call << QStringLiteral("Bisect Workbench") // app_name
         << uint(0)                            // replaces_id
         << QStringLiteral("bisect-workbench") // app_icon
         << event.title << escapedBody(event)  // summary, body
         << QStringList{}                      // actions
         << hints << int(-1);                  // expire_timeout: the server's default
    // Asynchronous: a hung server must not block the window; the reply comes back later.
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call, 10000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            const QString reason =
                reply.error().type() == QDBusError::ServiceUnknown
                    ? tr("No desktop notification: no notification server is running on the "
                         "session bus.")
                    : tr("No desktop notification: %1").arg(reply.error().message());
            qCWarning(bwNotify) << reason << reply.error().name();
            emit desktopUnavailable(reason);
            return;
        }
        emit desktopNotified(reply.value());
    });
}

QByteArray Notifier::webhookPayload(const NotifyEvent &event) {
    QJsonObject o;
    o.insert(u"source", QStringLiteral("bisect-workbench"));
    o.insert(u"event", kindName(event.kind));
    o.insert(u"title", event.title);
    o.insert(u"body", event.body);
    o.insert(u"culprit", event.culprit ? QJsonValue(event.culprit->toString()) : QJsonValue());
    o.insert(u"session", event.sessionDir);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString Notifier::redactedUrl(const QUrl &url) {
    if (!url.isValid() || url.host().isEmpty())
        return tr("(the webhook)");
    QString s = url.scheme() + QStringLiteral("://") + url.host(QUrl::FullyEncoded);
    if (url.port() != -1)
        s += u':' + QString::number(url.port());
    if (!url.path().isEmpty() && url.path() != u"/")
        s += QStringLiteral("/…");
    return s;
}

void Notifier::postWebhook(const NotifyEvent &event) {
    const QUrl url(m_spec.webhook.trimmed(), QUrl::StrictMode);
    const QString shown = redactedUrl(url);
    if (!url.isValid() || (url.scheme() != u"http" && url.scheme() != u"https")) {
        const QString error = tr("Webhook %1: not an http(s) URL").arg(shown);
        qCWarning(bwNotify) << error;
        emit webhookFailed(error);
        return;
    }
    QUrl target = url;
    QNetworkRequest request;
    if (!url.userInfo().isEmpty()) {
        // Credentials in the URL: sent as Basic authorization up front (a webhook does not
        // challenge), and kept out of the request line.
        const QByteArray pair = (url.userName() + u':' + url.password()).toUtf8();
        request.setRawHeader("Authorization", "Basic " + pair.toBase64());
        target.setUserInfo({});
    }
    request.setUrl(target);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setHeader(
        QNetworkRequest::UserAgentHeader,
        QStringLiteral("bisect-workbench/%1").arg(QCoreApplication::applicationVersion()));
    request.setTransferTimeout(m_webhookTimeoutMs);
    // A redirect could carry the payload somewhere else: a webhook answers directly.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = m_network->post(request, webhookPayload(event));
    connect(reply, &QNetworkReply::finished, this, [this, reply, shown, url] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300) {
            qCInfo(bwNotify) << "webhook" << shown << "answered" << status;
            emit webhookDelivered(status);
            return;
        }
        QString why;
        if (reply->error() == QNetworkReply::OperationCanceledError)
            why = tr("no answer within %1 s").arg(m_webhookTimeoutMs / 1000.0);
        else if (status != 0)
            why = tr("HTTP %1 %2")
                      .arg(status)
                      .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
        else
            // Qt's message can quote the whole URL: replace it with the redacted form.
            why = reply->errorString()
                      .replace(url.toString(), shown)
                      .replace(url.toString(QUrl::FullyEncoded), shown)
                      .replace(reply->url().toString(), shown)
                      .replace(reply->url().toString(QUrl::FullyEncoded), shown);
        const QString error = tr("Webhook %1: %2").arg(shown, why.trimmed());
        qCWarning(bwNotify) << error;
        emit webhookFailed(error);
    });
}

} // namespace bw::notify
