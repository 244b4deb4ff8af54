#pragma once

#include "models/Oid.h"
#include "models/Recipe.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace bw::notify {

// Something the user wants to hear about without watching the window.
struct NotifyEvent {
    enum class Kind { Finished, Failed, NeedsHuman };
    Kind kind = Kind::Finished;
    QString title;      // one line: "First bad commit found: 1a2b3c4d5e6f"
    QString body;       // a few lines of plain text
    QString sessionDir; // the session it is about
    std::optional<Oid> culprit;
};

// "finished", "failed", "needs-human": how the webhook's JSON spells a kind.
[[nodiscard]] QString kindName(NotifyEvent::Kind kind);

// Tells the user when a session finishes, fails or needs a human: a desktop notification
// (org.freedesktop.Notifications over the session D-Bus) and the recipe's [notify]
// webhook (an HTTP POST of a small JSON document). Both are asynchronous: notify() never
// blocks, and a missing bus, a missing notification server or an unreachable webhook is
// reported through a signal (and the bw.notify log), never as a crash or a dialog.
// Lives on the GUI thread (or any thread with an event loop).
class Notifier : public QObject {
    Q_OBJECT
public:
    explicit Notifier(QObject *parent = nullptr);
    ~Notifier() override;

    // The recipe's [notify] section: desktop on/off, the webhook URL (empty: none).
    void setSpec(const NotifySpec &spec);
    [[nodiscard]] NotifySpec spec() const { return m_spec; }
    // How long a webhook request may take in all (default 10 s).
    void setWebhookTimeout(int ms) { m_webhookTimeoutMs = ms; }
    // The D-Bus to send desktop notifications on: empty (the default) is the session bus;
    // otherwise a bus address such as "unix:path=/run/…" (tests run a private bus).
    void setBusAddress(const QString &address);

    // Sends the event to every enabled channel.
    void notify(const NotifyEvent &event);

    // The webhook's body: {"event", "title", "body", "culprit" (or null), "session",
    // "source": "bisect-workbench"}, compact UTF-8 JSON.
    [[nodiscard]] static QByteArray webhookPayload(const NotifyEvent &event);
    // A URL as it may appear in a log or a message: scheme, host and port only; the user
    // info, path, query and fragment can carry tokens and are never shown.
    [[nodiscard]] static QString redactedUrl(const QUrl &url);

signals:
    // The notification server accepted the notification and gave it this id.
    void desktopNotified(uint id);
    // No desktop notification could be shown (no session bus, no notification server,
    // the server refused): the window shows `reason` in its status area instead.
    void desktopUnavailable(const QString &reason);
    // The webhook answered with a 2xx status.
    void webhookDelivered(int httpStatus);
    // The webhook could not be reached, timed out or answered with an error; `error`
    // names the webhook by redactedUrl() only.
    void webhookFailed(const QString &error);

private:
    void notifyDesktop(const NotifyEvent &event);
    void postWebhook(const NotifyEvent &event);

    NotifySpec m_spec;
    QString m_busAddress;
    QString m_busName; // our own connection to m_busAddress, when one is set
    int m_webhookTimeoutMs = 10000;
    QNetworkAccessManager *m_network = nullptr;
};

} // namespace bw::notify
