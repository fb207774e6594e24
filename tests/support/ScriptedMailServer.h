#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSslConfiguration>
#include <QTcpServer>

#include <functional>

namespace mailkey::test {

// A scripted IMAP or SMTP server on 127.0.0.1 for MailCheck tests: it greets, answers each line
// the client sends with what `respond` returns, and speaks TLS from the first byte or after a
// STARTTLS answer. It records every line it received and whether TLS protected it, so a test can
// show what reached the server (and what did not). Tests only; one connection at a time.
class ScriptedMailServer : public QTcpServer {
public:
    enum class Tls {
        Implicit,
        StartTls
    };
    struct Answer {
        QByteArray reply;      // sent as is (CRLFs included)
        bool startTls = false; // begin the server side of TLS after sending the reply
        bool close = false;    // close the connection after sending the reply
    };
    struct Line {
        QByteArray text; // without CRLF
        bool encrypted = false;
    };

    ScriptedMailServer(Tls tls, const QSslConfiguration &config, QObject *parent = nullptr);
    bool start(); // listens on 127.0.0.1, a free port

    QByteArray greeting; // sent first (after the handshake with implicit TLS); empty: nothing
    std::function<Answer(const QByteArray &line)> respond;

    QList<Line> received;
    int handshakes = 0; // finished TLS handshakes

protected:
    void incomingConnection(qintptr handle) override;

private:
    void onData(class QSslSocket *socket);

    Tls m_tls;
    QSslConfiguration m_config;
    QByteArray m_buffer;
};

// Scripts for it. The tag of an IMAP command line ("a3").
QByteArray tagOf(const QByteArray &line);
using Respond = std::function<ScriptedMailServer::Answer(const QByteArray &line)>;
// An IMAP server's answer to `line`: STARTTLS, CAPABILITY (`caps`), EXAMINE (by `onExamine`,
// else an OK) and LOGOUT; anything else (AUTHENTICATE and what follows it) by `onAuth`.
ScriptedMailServer::Answer imapAnswer(const QByteArray &line, const QByteArray &caps, const Respond &onAuth,
                                      const Respond &onExamine = {});
// An OK to an AUTHENTICATE line.
ScriptedMailServer::Answer imapAuthOk(const QByteArray &line);
// An SMTP server with STARTTLS and AUTH XOAUTH2: EHLO, STARTTLS, MAIL FROM (`mailFromReply`),
// RSET and QUIT; anything else (AUTH and what follows it) by `onAuth`.
Respond smtpServer(Respond onAuth, QByteArray mailFromReply = "250 2.1.0 Sender OK\r\n");

} // namespace mailkey::test
