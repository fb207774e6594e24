#include "ui/SingleInstance.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QTimer>

namespace mailkey {

namespace {
constexpr char Raise[] = "raise\n";
constexpr int MaxMessage = 64;
} // namespace

SingleInstance::SingleInstance(QString name, QObject *parent) : QObject(parent), m_name(std::move(name)) {}

SingleInstance::~SingleInstance()
{
    if (m_server)
        m_server->close();
}

void SingleInstance::start()
{
    m_probe = new QLocalSocket(this);
    connect(m_probe, &QLocalSocket::connected, this, [this] {
        m_connected = true;
        m_probe->write(Raise, qint64(sizeof(Raise) - 1));
        m_probe->flush();
        m_probe->disconnectFromServer();
    });
    connect(m_probe, &QLocalSocket::disconnected, this, [this] {
        if (m_decided)
            return;
        m_decided = true;
        Q_EMIT alreadyRunning();
    });
    connect(m_probe, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError) {
        if (m_decided)
            return;
        if (m_connected)
            return; // a write error after connecting: handled by disconnected()
        m_decided = true;
        // Queued, so the probe finishes its own signal first.
        QTimer::singleShot(0, this, &SingleInstance::becomePrimary);
    });
    // A hung instance must not keep this one waiting forever.
    QTimer::singleShot(3000, this, [this] {
        if (m_decided)
            return;
        m_decided = true;
        Q_EMIT alreadyRunning();
    });
    m_probe->connectToServer(m_name);
}

void SingleInstance::becomePrimary()
{
    if (m_probe) {
        m_probe->abort();
        m_probe->deleteLater();
        m_probe = nullptr;
    }
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    if (!m_server->listen(m_name)) {
        // Nobody answered above, so a leftover socket file is stale: remove it and listen again.
        QLocalServer::removeServer(m_name);
        if (!m_server->listen(m_name))
            qWarning("MailKey: cannot listen for other launches; a second window may open.");
    }
    connect(m_server, &QLocalServer::newConnection, this, &SingleInstance::onNewConnection);
    m_primary = true;
    Q_EMIT primary();
}

void SingleInstance::onNewConnection()
{
    while (QLocalSocket *client = m_server->nextPendingConnection()) {
        connect(client, &QLocalSocket::disconnected, client, &QObject::deleteLater);
        connect(client, &QLocalSocket::readyRead, this, [this, client] {
            const QByteArray data = client->read(MaxMessage);
            if (data.startsWith(QByteArray(Raise, int(sizeof(Raise) - 1))))
                Q_EMIT activationRequested();
            client->disconnectFromServer();
        });
        QTimer::singleShot(2000, client, [client] { client->abort(); });
    }
}

} // namespace mailkey
