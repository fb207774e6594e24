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

QByteArray tagOf(const QByteArray &line)
{
    return line.left(line.indexOf(' '));
}

ScriptedMailServer::Answer imapAnswer(const QByteArray &line, const QByteArray &caps, const Respond &onAuth,
                                      const Respond &onExamine)
{
    using Answer = ScriptedMailServer::Answer;
    const QByteArray tag = tagOf(line);
    const QByteArray rest = line.mid(tag.size() + 1).toUpper();
    if (rest == "STARTTLS")
        return {tag + " OK Begin TLS negotiation now.\r\n", true};
    if (rest == "CAPABILITY")
        return {"* CAPABILITY " + caps + "\r\n" + tag + " OK CAPABILITY completed.\r\n"};
    if (rest.startsWith("EXAMINE"))
        return onExamine ? onExamine(line) : Answer{"* 0 EXISTS\r\n" + tag + " OK [READ-ONLY] EXAMINE completed.\r\n"};
    if (rest == "LOGOUT")
        return {"* BYE bye\r\n" + tag + " OK LOGOUT completed.\r\n", false, true};
    return onAuth(line);
}

ScriptedMailServer::Answer imapAuthOk(const QByteArray &line)
{
    return {tagOf(line) + " OK AUTHENTICATE completed.\r\n"};
}

Respond smtpServer(Respond onAuth, QByteArray mailFromReply)
{
    return [onAuth = std::move(onAuth), mailFromReply](const QByteArray &line) -> ScriptedMailServer::Answer {
        if (line.startsWith("EHLO"))
            return {"250-smtp.example.com Hello\r\n250-SIZE 157286400\r\n250-STARTTLS\r\n"
                    "250-AUTH LOGIN XOAUTH2\r\n250 8BITMIME\r\n"};
        if (line == "STARTTLS")
            return {"220 2.0.0 SMTP server ready\r\n", true};
        if (line.startsWith("MAIL FROM:"))
            return {mailFromReply};
        if (line == "RSET")
            return {"250 2.0.0 Resetting\r\n"};
        if (line == "QUIT")
            return {"221 2.0.0 Service closing transmission channel\r\n", false, true};
        return onAuth(line);
    };
}

} // namespace mailkey::test
