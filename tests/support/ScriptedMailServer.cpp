#include "tests/support/ScriptedMailServer.h"

#include <QSslSocket>

namespace mailkey::test {

ScriptedMailServer::ScriptedMailServer(Tls tls, const QSslConfiguration &config, QObject *parent)
    : QTcpServer(parent), m_tls(tls), m_config(config)
{}

bool ScriptedMailServer::start()
{
    return listen(QHostAddress(QHostAddress::LocalHost), 0);
}

void ScriptedMailServer::incomingConnection(qintptr handle)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(handle)) {
        delete socket;
        return;
    }
    m_buffer.clear();
    socket->setSslConfiguration(m_config);
    connect(socket, &QSslSocket::encrypted, this, [this, socket] {
        ++handshakes;
        if (m_tls == Tls::Implicit && !greeting.isEmpty())
            socket->write(greeting);
    });
    connect(socket, &QSslSocket::readyRead, this, [this, socket] { onData(socket); });
    connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
    if (m_tls == Tls::Implicit)
        socket->startServerEncryption();
    else if (!greeting.isEmpty())
        socket->write(greeting);
}

void ScriptedMailServer::onData(QSslSocket *socket)
{
    m_buffer += socket->readAll();
    qsizetype end = 0;
    while ((end = m_buffer.indexOf("\r\n")) >= 0) {
        const QByteArray line = m_buffer.left(end);
        m_buffer.remove(0, end + 2);
        received << Line{line, socket->isEncrypted()};
        if (!respond)
            continue;
        const Answer answer = respond(line);
        if (!answer.reply.isEmpty())
            socket->write(answer.reply);
        if (answer.startTls) {
            socket->flush();
            m_buffer.clear();
            socket->startServerEncryption();
            return;
        }
        if (answer.close) {
            socket->flush();
            socket->disconnectFromHost();
            return;
        }
    }
}

} // namespace mailkey::test
