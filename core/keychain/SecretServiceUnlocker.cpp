#include "core/keychain/SecretServiceUnlocker.h"

#include <QStringList>
#include <QTimer>

#ifdef MAILKEY_SECRET_SERVICE_READER
#include <QDBusConnection>
#include <QDBusError>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QDBusVariant>
#include <QMap>
#include <QPointer>
#endif

namespace mailkey {

#ifdef MAILKEY_SECRET_SERVICE_READER
namespace {

const char *const ServicePath = "/org/freedesktop/secrets";
const char *const ServiceInterface = "org.freedesktop.Secret.Service";
const char *const PromptInterface = "org.freedesktop.Secret.Prompt";
constexpr int CallTimeoutMs = 10000;

using Attributes = QMap<QString, QString>;

bool noService(const QDBusError &error)
{
    return error.type() == QDBusError::ServiceUnknown || error.type() == QDBusError::Disconnected
           || error.name() == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner");
}

// Receives org.freedesktop.Secret.Prompt.Completed (QDBusConnection::connect needs a slot).
class PromptReceiver : public QObject {
    Q_OBJECT
public:
    explicit PromptReceiver(std::function<void(bool)> completed, QObject *parent)
        : QObject(parent), m_completed(std::move(completed))
    {}

public Q_SLOTS:
    void completed(bool dismissed, const QDBusVariant &result)
    {
        Q_UNUSED(result) // the unlocked objects; the collection's state is what Retry reads anyway
        if (m_completed)
            m_completed(dismissed);
    }

private:
    std::function<void(bool)> m_completed;
};

} // namespace

struct SecretServiceUnlocker::Run {
    Callback done;
    QString windowId;
    QString promptPath;
    QPointer<PromptReceiver> receiver;
    QPointer<QDBusServiceWatcher> ownerWatch;
};

#else

struct SecretServiceUnlocker::Run {
    Callback done;
    QString promptPath;
};

#endif

SecretServiceUnlocker::SecretServiceUnlocker(QObject *parent)
    : SecretServiceUnlocker(QStringLiteral("org.freedesktop.secrets"), parent)
{}

SecretServiceUnlocker::SecretServiceUnlocker(const QString &busName, QObject *parent)
    : QObject(parent), m_busName(busName)
{}

SecretServiceUnlocker::~SecretServiceUnlocker()
{
    if (m_run)
        dropPrompt(); // the callback is not called: its owner is going away
}

bool SecretServiceUnlocker::isRunning() const
{
    return m_run != nullptr;
}

QString SecretServiceUnlocker::promptPath() const
{
    return m_run ? m_run->promptPath : QString();
}

void SecretServiceUnlocker::finish(Outcome outcome)
{
    if (!m_run)
        return;
    std::unique_ptr<Run> run = std::move(m_run);
#ifdef MAILKEY_SECRET_SERVICE_READER
    if (!run->promptPath.isEmpty() && run->receiver)
        QDBusConnection::sessionBus().disconnect(m_busName, run->promptPath, QLatin1String(PromptInterface),
                                                 QStringLiteral("Completed"), run->receiver,
                                                 SLOT(completed(bool, QDBusVariant)));
    delete run->receiver;
    delete run->ownerWatch;
#endif
    if (run->done)
        run->done(outcome);
}

#ifndef MAILKEY_SECRET_SERVICE_READER

bool SecretServiceUnlocker::supported()
{
    return false;
}

void SecretServiceUnlocker::checkAvailable(std::function<void(bool)> done)
{
    QTimer::singleShot(0, this, [done = std::move(done)] { done(false); });
}

void SecretServiceUnlocker::unlock(const QString &, const QString &, const QString &, Callback done)
{
    QTimer::singleShot(0, this, [done = std::move(done)] { done(Outcome::Unavailable); });
}

void SecretServiceUnlocker::unlockObjects(const QStringList &) {}
void SecretServiceUnlocker::showPrompt(const QString &) {}
void SecretServiceUnlocker::promptCompleted(bool) {}
void SecretServiceUnlocker::dropPrompt()
{
    m_run.reset();
}

#else

bool SecretServiceUnlocker::supported()
{
    return QDBusConnection::sessionBus().isConnected();
}

void SecretServiceUnlocker::checkAvailable(std::function<void(bool)> done)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        QTimer::singleShot(0, this, [done = std::move(done)] { done(false); });
        return;
    }
    auto call = [](const char *method) {
        return QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.DBus"),
                                              QStringLiteral("/org/freedesktop/DBus"),
                                              QStringLiteral("org.freedesktop.DBus"), QLatin1String(method));
    };
    QDBusMessage hasOwner = call("NameHasOwner");
    hasOwner << m_busName;
    auto *w = new QDBusPendingCallWatcher(bus.asyncCall(hasOwner, CallTimeoutMs), this);
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w, call, done = std::move(done)]() mutable {
        w->deleteLater();
        const QDBusPendingReply<bool> owned = *w;
        if (!owned.isError() && owned.value()) {
            done(true);
            return;
        }
        auto *w2 = new QDBusPendingCallWatcher(
            QDBusConnection::sessionBus().asyncCall(call("ListActivatableNames"), CallTimeoutMs), this);
        connect(w2, &QDBusPendingCallWatcher::finished, this, [this, w2, done = std::move(done)] {
            w2->deleteLater();
            const QDBusPendingReply<QStringList> names = *w2;
            done(!names.isError() && names.value().contains(m_busName));
        });
    });
}

void SecretServiceUnlocker::unlock(const QString &service, const QString &key, const QString &windowId, Callback done)
{
    static const bool registered = [] {
        qDBusRegisterMetaType<Attributes>();
        return true;
    }();
    Q_UNUSED(registered)

    if (m_run) {
        QTimer::singleShot(0, this, [done = std::move(done)] { done(Outcome::Failed); });
        return;
    }
    m_run = std::make_unique<Run>();
    m_run->done = std::move(done);
    m_run->windowId = windowId;
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        QTimer::singleShot(0, this, [this] { finish(Outcome::Unavailable); });
        return;
    }

    // The collection that holds the entry (either type QtKeychain writes): its locked items name it.
    QDBusMessage search = QDBusMessage::createMethodCall(
        m_busName, QLatin1String(ServicePath), QLatin1String(ServiceInterface), QStringLiteral("SearchItems"));
    search << QVariant::fromValue(Attributes{{QStringLiteral("user"), key}, {QStringLiteral("server"), service}});
    auto *w = new QDBusPendingCallWatcher(bus.asyncCall(search, CallTimeoutMs), this);
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w] {
        w->deleteLater();
        if (!m_run)
            return;
        const QDBusPendingReply<QList<QDBusObjectPath>, QList<QDBusObjectPath>> reply = *w;
        if (reply.isError() && noService(reply.error())) {
            finish(Outcome::Unavailable);
            return;
        }
        QStringList collections;
        if (!reply.isError()) {
            for (const QDBusObjectPath &item : reply.argumentAt<1>()) {
                const QString collection = item.path().section(QLatin1Char('/'), 0, -2);
                if (!collection.isEmpty() && !collections.contains(collection))
                    collections.append(collection);
            }
            if (collections.isEmpty() && !reply.argumentAt<0>().isEmpty()) {
                finish(Outcome::Unlocked); // the entry is readable already
                return;
            }
        }
        if (!collections.isEmpty()) {
            unlockObjects(collections);
            return;
        }
        // Not found while locked: the default collection, where QtKeychain writes.
        QDBusMessage alias = QDBusMessage::createMethodCall(
            m_busName, QLatin1String(ServicePath), QLatin1String(ServiceInterface), QStringLiteral("ReadAlias"));
        alias << QStringLiteral("default");
        auto *aw = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(alias, CallTimeoutMs), this);
        connect(aw, &QDBusPendingCallWatcher::finished, this, [this, aw] {
            aw->deleteLater();
            if (!m_run)
                return;
            const QDBusPendingReply<QDBusObjectPath> path = *aw;
            if (path.isError()) {
                finish(noService(path.error()) ? Outcome::Unavailable : Outcome::Failed);
                return;
            }
            if (path.value().path() == QLatin1String("/")) {
                finish(Outcome::Failed); // no default collection: nothing to unlock
                return;
            }
            unlockObjects({path.value().path()});
        });
    });
}

void SecretServiceUnlocker::unlockObjects(const QStringList &objects)
{
    QList<QDBusObjectPath> paths;
    for (const QString &o : objects)
        paths.append(QDBusObjectPath(o));
    QDBusMessage unlock = QDBusMessage::createMethodCall(m_busName, QLatin1String(ServicePath),
                                                         QLatin1String(ServiceInterface), QStringLiteral("Unlock"));
    unlock << QVariant::fromValue(paths);
    auto *w = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(unlock, CallTimeoutMs), this);
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w] {
        w->deleteLater();
        if (!m_run)
            return;
        const QDBusPendingReply<QList<QDBusObjectPath>, QDBusObjectPath> reply = *w;
        if (reply.isError()) {
            finish(noService(reply.error()) ? Outcome::Unavailable : Outcome::Failed);
            return;
        }
        const QString prompt = reply.argumentAt<1>().path();
        if (prompt.isEmpty() || prompt == QLatin1String("/")) {
            finish(Outcome::Unlocked); // unlocked without asking (or already unlocked)
            return;
        }
        showPrompt(prompt);
    });
}

void SecretServiceUnlocker::showPrompt(const QString &path)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    m_run->promptPath = path;
    // Subscribed before Prompt is called, so a quick Completed is not missed.
    m_run->receiver = new PromptReceiver([this](bool dismissed) { promptCompleted(dismissed); }, this);
    if (!bus.connect(m_busName, path, QLatin1String(PromptInterface), QStringLiteral("Completed"), m_run->receiver,
                     SLOT(completed(bool, QDBusVariant)))) {
        m_run->promptPath.clear();
        finish(Outcome::Failed);
        return;
    }
    // The daemon leaving the bus would never send Completed.
    m_run->ownerWatch = new QDBusServiceWatcher(m_busName, bus, QDBusServiceWatcher::WatchForUnregistration, this);
    connect(m_run->ownerWatch, &QDBusServiceWatcher::serviceUnregistered, this, [this] {
        if (m_run)
            m_run->promptPath.clear(); // nobody left to dismiss it
        finish(Outcome::Failed);
    });

    QDBusMessage prompt
        = QDBusMessage::createMethodCall(m_busName, path, QLatin1String(PromptInterface), QStringLiteral("Prompt"));
    prompt << m_run->windowId;
    auto *w = new QDBusPendingCallWatcher(bus.asyncCall(prompt, CallTimeoutMs), this);
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w, path] {
        w->deleteLater();
        if (!m_run || m_run->promptPath != path)
            return;
        if (w->isError()) {
            finish(noService(w->error()) ? Outcome::Unavailable : Outcome::Failed);
            return;
        }
        Q_EMIT prompting(path);
    });
}

void SecretServiceUnlocker::promptCompleted(bool dismissed)
{
    if (!m_run)
        return;
    m_run->promptPath.clear(); // completed: nothing left to dismiss
    finish(dismissed ? Outcome::Dismissed : Outcome::Unlocked);
}

void SecretServiceUnlocker::dropPrompt()
{
    // The daemon's window is left to the person (Cancel closes it): Prompt.Dismiss of an unlock
    // prompt aborts gnome-keyring 42 (gkd-secret-unlock.c, assertion '!self->current'), and with
    // it every unlocked collection of the session.
    m_run->done = nullptr;
    m_run->promptPath.clear();
    finish(Outcome::Dismissed);
}

#endif

} // namespace mailkey

#ifdef MAILKEY_SECRET_SERVICE_READER
#include "SecretServiceUnlocker.moc"
#endif
