#include "core/keychain/KeyStore.h"

#include "core/common/Profile.h"
#include "core/keychain/SecretServiceReader.h"

#include <QTimer>
#include <qt6keychain/keychain.h>

#ifdef MAILKEY_HAVE_QTDBUS
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#endif

namespace mailkey {

namespace {

Error classify(QKeychain::Error error, const QString &detail)
{
    Q_UNUSED(detail) // QtKeychain's text can name the entry but never the secret; we do not show it
    switch (error) {
    case QKeychain::NoError:
        return {ErrorCode::Internal, QString()};
    case QKeychain::EntryNotFound:
        return {ErrorCode::NotFound, KeyStore::tr("The entry was not found in the keychain.")};
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        return {ErrorCode::KeychainLocked,
                KeyStore::tr("Your keyring is locked or denied access to MailKey. Unlock your keyring "
                             "(for example by logging in to your desktop session, or with your "
                             "keyring manager such as Seahorse or KWalletManager) and try again.")};
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return KeyStore::noKeychainError();
    case QKeychain::OtherError:
        if (!KeyStore::sessionBusAvailable() || detail.contains(QLatin1String("D-Bus"), Qt::CaseInsensitive)
            || detail.contains(QLatin1String("DBus"), Qt::CaseInsensitive))
            return KeyStore::noKeychainError();
        return {ErrorCode::KeychainFailed,
                KeyStore::tr("The keychain reported an error. Check that your keyring service (%1) "
                             "is running and try again.")
                    .arg(KeyStore::backendName())};
    case QKeychain::CouldNotDeleteEntry:
        return {ErrorCode::KeychainFailed,
                KeyStore::tr("MailKey could not delete an entry from your keychain. Check that your "
                             "keyring is unlocked and try again.")};
    }
    return {ErrorCode::KeychainFailed, KeyStore::tr("The keychain reported an unknown error.")};
}

KeyStore::OperationObserver g_observer = nullptr;

} // namespace

void KeyStore::setOperationObserver(OperationObserver observer)
{
    g_observer = observer;
}

struct KeyStore::Job {
    enum class Kind {
        Read,
        Write,
        Remove
    } kind;
    QString key;
    QByteArray value; // wiped after the job
    ReadCallback readDone;
    WriteCallback writeDone;
};

KeyStore::KeyStore(QObject *parent) : QObject(parent), m_queue(std::make_unique<QQueue<Job>>()) {}

KeyStore::~KeyStore()
{
    for (Job &job : *m_queue)
        secureWipe(job.value);
}

QString KeyStore::backendName()
{
#if defined(Q_OS_MACOS)
    return tr("macOS Keychain");
#elif defined(Q_OS_WIN)
    return tr("Windows Credential Manager");
#else
    return tr("Secret Service (GNOME Keyring or KWallet)");
#endif
}

bool KeyStore::sessionBusAvailable()
{
#ifdef MAILKEY_HAVE_QTDBUS
    return QDBusConnection::sessionBus().isConnected();
#else
    return true;
#endif
}

Error KeyStore::noKeychainError()
{
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    return {ErrorCode::NoKeychain,
            tr("No secure storage is available. MailKey keeps its vault key in a keyring that "
               "implements the Secret Service (GNOME Keyring, KeePassXC) or in KWallet, reached "
               "through your desktop session's D-Bus. Log in to a desktop session, or install and "
               "start gnome-keyring, then try again. Nothing was written.")};
#else
    return {ErrorCode::NoKeychain,
            tr("No secure storage is available: %1 could not be reached. Nothing was written.").arg(backendName())};
#endif
}

void KeyStore::read(const QString &key, ReadCallback done)
{
    enqueue(Job{Job::Kind::Read, key, {}, std::move(done), {}});
}

void KeyStore::write(const QString &key, const QByteArray &value, WriteCallback done)
{
    QByteArray copy(value.constData(), value.size()); // deep copy we can wipe
    enqueue(Job{Job::Kind::Write, key, std::move(copy), {}, std::move(done)});
}

void KeyStore::remove(const QString &key, WriteCallback done)
{
    enqueue(Job{Job::Kind::Remove, key, {}, {}, std::move(done)});
}

void KeyStore::enqueue(Job job)
{
    m_queue->append(std::move(job));
    if (!m_busy) {
        m_busy = true;
        QTimer::singleShot(0, this, &KeyStore::startNext);
    }
}

void KeyStore::finishAndContinue(const std::function<void()> &callback)
{
    // Queue the next job on the event loop; never from inside this finished handler.
    QTimer::singleShot(0, this, &KeyStore::startNext);
    if (g_observer)
        g_observer(m_currentOp, m_currentEntry, Phase::After);
    callback();
}

void KeyStore::readWithQtKeychain(Job job)
{
    const QString service = QString::fromLatin1(KeychainService);
    auto *kj = new QKeychain::ReadPasswordJob(service);
    kj->setInsecureFallback(false);
    kj->setAutoDelete(true);
    kj->setKey(job.key);
    connect(kj, &QKeychain::Job::finished, this, [this, kj, done = std::move(job.readDone)](QKeychain::Job *) {
        if (kj->error() == QKeychain::NoError) {
            QByteArray data = kj->binaryData();
            SecureBytes secret(QByteArray(data.constData(), data.size()));
            secureWipe(data);
            finishAndContinue([&] { done(std::move(secret)); });
        } else {
            const Error e = classify(kj->error(), kj->errorString());
            finishAndContinue([&] { done(e); });
        }
    });
    kj->start();
}

void KeyStore::removeWithQtKeychain(Job job)
{
    const QString service = QString::fromLatin1(KeychainService);
    auto *kj = new QKeychain::DeletePasswordJob(service);
    kj->setInsecureFallback(false);
    kj->setAutoDelete(true);
    kj->setKey(job.key);
    connect(kj, &QKeychain::Job::finished, this, [this, kj, done = std::move(job.writeDone)](QKeychain::Job *) {
        if (kj->error() == QKeychain::NoError || kj->error() == QKeychain::EntryNotFound)
            finishAndContinue([&] { done(Status()); });
        else {
            const Error e = classify(kj->error(), kj->errorString());
            finishAndContinue([&] { done(e); });
        }
    });
    kj->start();
}

void KeyStore::startNext()
{
    if (m_queue->isEmpty()) {
        m_busy = false;
        return;
    }
    Job job = m_queue->dequeue();
    const QString service = QString::fromLatin1(KeychainService);
    m_currentOp = job.kind == Job::Kind::Read    ? Operation::Read
                  : job.kind == Job::Kind::Write ? Operation::Write
                                                 : Operation::Remove;
    m_currentEntry = job.key;
    if (g_observer)
        g_observer(m_currentOp, m_currentEntry, Phase::Before);
    // Jobs have no parent: one still in flight when this store goes away finishes on its own
    // and deletes itself (its finished() connection dies with the store). Destroying it early
    // would leave the keychain backend calling back into freed memory.

    if (!sessionBusAvailable()) {
        // QtKeychain would try to autolaunch D-Bus; answer now and never touch any other storage.
        secureWipe(job.value);
        const Error e = noKeychainError();
        finishAndContinue([&] {
            if (job.readDone)
                job.readDone(e);
            else if (job.writeDone)
                job.writeDone(e);
        });
        return;
    }

    switch (job.kind) {
    case Job::Kind::Read: {
        if (SecretServiceReader::usable()) {
            if (!m_direct)
                m_direct = new SecretServiceReader(this);
            // std::function needs a copyable callable: the job waits in a shared holder.
            auto pending = std::make_shared<Job>(std::move(job));
            m_direct->lookup(service, pending->key, [this, pending](SecretServiceReader::Answer answer) {
                // Only a found value is taken from here. "Absent" is left to QtKeychain too: a
                // missing key is rare (first run, an interrupted rotation) and decides whether
                // a new key is made, so QtKeychain's own answer is the one that counts.
                if (answer.state != SecretServiceReader::State::Found) {
                    readWithQtKeychain(std::move(*pending));
                    return;
                }
                ReadCallback done = std::move(pending->readDone);
                finishAndContinue([&] { done(std::move(answer.value)); });
            });
            break;
        }
        readWithQtKeychain(std::move(job));
        break;
    }
    case Job::Kind::Write: {
        auto *kj = new QKeychain::WritePasswordJob(service);
        kj->setInsecureFallback(false);
        kj->setAutoDelete(true);
        kj->setKey(job.key);
        kj->setBinaryData(job.value);
        secureWipe(job.value);
        connect(kj, &QKeychain::Job::finished, this, [this, kj, done = std::move(job.writeDone)](QKeychain::Job *) {
            if (kj->error() == QKeychain::NoError)
                finishAndContinue([&] { done(Status()); });
            else {
                const Error e = classify(kj->error(), kj->errorString());
                finishAndContinue([&] { done(e); });
            }
        });
        kj->start();
        break;
    }
    case Job::Kind::Remove: {
        if (SecretServiceReader::usable()) {
            if (!m_direct)
                m_direct = new SecretServiceReader(this);
            // Nothing to remove (the common case: no key rotation was interrupted) is settled
            // without QtKeychain.
            auto pending = std::make_shared<Job>(std::move(job));
            m_direct->probe(service, pending->key, [this, pending](SecretServiceReader::Answer answer) {
                if (answer.state != SecretServiceReader::State::Absent) {
                    removeWithQtKeychain(std::move(*pending));
                    return;
                }
                WriteCallback done = std::move(pending->writeDone);
                finishAndContinue([&] { done(Status()); });
            });
            break;
        }
        removeWithQtKeychain(std::move(job));
        break;
    }
    }
}

void KeyStore::probeLocked(std::function<void(std::optional<bool>)> done)
{
#ifdef MAILKEY_HAVE_QTDBUS
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected()) {
        QTimer::singleShot(0, this, [done = std::move(done)] { done(std::nullopt); });
        return;
    }
    const QString service = QStringLiteral("org.freedesktop.secrets");
    QDBusMessage alias
        = QDBusMessage::createMethodCall(service, QStringLiteral("/org/freedesktop/secrets"),
                                         QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("ReadAlias"));
    alias << QStringLiteral("default");
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(alias, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this,
            [this, watcher, service, done = std::move(done)]() mutable {
                watcher->deleteLater();
                QDBusPendingReply<QDBusObjectPath> reply = *watcher;
                if (reply.isError() || reply.value().path() == QLatin1String("/")) {
                    done(std::nullopt);
                    return;
                }
                QDBusMessage get = QDBusMessage::createMethodCall(service, reply.value().path(),
                                                                  QStringLiteral("org.freedesktop.DBus.Properties"),
                                                                  QStringLiteral("Get"));
                get << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
                auto *w2 = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(get, 5000), this);
                connect(w2, &QDBusPendingCallWatcher::finished, this, [w2, done = std::move(done)]() {
                    w2->deleteLater();
                    QDBusPendingReply<QDBusVariant> r = *w2;
                    if (r.isError())
                        done(std::nullopt);
                    else
                        done(r.value().variant().toBool());
                });
            });
#else
    QTimer::singleShot(0, this, [done = std::move(done)] { done(std::nullopt); });
#endif
}

} // namespace mailkey
