#pragma once

#include "core/common/Result.h"
#include "core/common/SecretString.h"
#include "core/common/SecureBytes.h"
#include "core/mailcheck/MailServer.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QMetaType>
#include <QObject>
#include <QSslCertificate>
#include <QSslError>
#include <QString>
#include <QStringList>

#include <initializer_list>

class QSslSocket;
class QTimer;

namespace mailkey {

// Does a mail program get in? Logs in to one IMAP or SMTP server with an OAuth access token
// (SASL XOAUTH2 or OAUTHBEARER), runs one more command to catch a server that accepts the login
// and then refuses to work (IMAP EXAMINE INBOX; SMTP MAIL FROM and RSET: nothing is sent, nothing
// is changed), and logs out. Each step is reported by stepFinished() with its time, the end by
// finished() (once, always, also after abort()).
//
// Security:
// - TLS is verified against the system trust store, or only against `Options::caCertificates`
//   when given (for a local server). Errors are never ignored: an untrusted certificate ends the
//   check with Outcome::Untrusted.
// - Nothing is written before the certificate verifies with implicit TLS (993, 465). With
//   STARTTLS (143, 587) only the negotiation goes out in plain text (IMAP "a1 STARTTLS"; SMTP
//   "EHLO" and "STARTTLS"); a server that does not offer STARTTLS ends the check, there is no
//   plain-text fallback, and bytes the server sent after its STARTTLS answer (an injection) end it
//   too.
// - The token is handed in once, to start(); it is kept in one QByteArray that is wiped as soon
//   as the SASL string is built, and the SASL line is wiped after it was written. Neither goes
//   into a signal, a log line or a report. Server text in reports is made safe to print
//   (TextSafety) and cut to 300 characters; it stays untrusted text.
//
// Threading: the object's thread, no blocking call, no nested event loop. Every wait has a timeout.
class MailCheck : public QObject {
    Q_OBJECT
public:
    enum class Step {
        Connect,      // TCP connection
        Greeting,     // the server's first line
        StartTls,     // STARTTLS accepted (STARTTLS servers only)
        Tls,          // TLS handshake and certificate verification
        Capabilities, // IMAP CAPABILITY / SMTP EHLO over TLS
        Authenticate, // AUTHENTICATE / AUTH with the token
        Command,      // IMAP EXAMINE INBOX; SMTP MAIL FROM + RSET
        Logout        // IMAP LOGOUT / SMTP QUIT
    };
    Q_ENUM(Step)
    enum class Outcome {
        Ok,          // logged in and the command after the login worked
        Refused,     // the server refused the login or the command after it
        Untrusted,   // the server's certificate did not verify
        Network,     // no connection, the connection broke, or a step timed out
        Unsupported, // no STARTTLS, no XOAUTH2/OAUTHBEARER, or replies that are not IMAP/SMTP
        Aborted      // abort()
    };
    Q_ENUM(Outcome)

    struct Options {
        QString mechanism;                     // "XOAUTH2", "OAUTHBEARER", or "" for the server's (XOAUTH2 first)
        QList<QSslCertificate> caCertificates; // empty: the system trust store
        int connectTimeoutMs = 20000;          // TCP connection and TLS handshake, each
        int replyTimeoutMs = 30000;            // each reply
        int logoutTimeoutMs = 5000;
    };

    struct StepReport {
        Step step = Step::Connect;
        bool ok = false;
        qint64 ms = 0;
        QString detail; // what was done or answered (server text made safe to print)
    };

    struct Report {
        MailServer server;
        Outcome outcome = Outcome::Aborted;
        Step failedStep = Step::Connect; // when outcome != Ok
        QString mechanism;               // the SASL mechanism used ("" when no login was tried)
        bool authSent = false;           // the token (in the SASL string) went to the server
        QString problem;                 // what went wrong, in plain words ("" when Ok)
        QString serverReply;             // the server's failing reply, made safe to print, or ""
        QByteArray status;               // SMTP: "535 5.7.139"; IMAP: "NO AUTHENTICATIONFAILED"; "" else
        QByteArray challenge;            // the decoded SASL error challenge (JSON), raw, or ""
        QStringList sslErrors;
        QList<StepReport> steps;
        qint64 totalMs = 0;
    };

    MailCheck(MailServer server, QString email, Options options, QObject *parent = nullptr);
    ~MailCheck() override;

    // Starts the check; `token` is the access token (moved in, wiped here). Call once.
    void start(SecretString token);
    // Stops: finished() follows with Outcome::Aborted unless it already came.
    void abort();

    // Reads a PEM file of CA certificates for Options::caCertificates. InvalidInput when the file
    // cannot be read or holds no certificate.
    static Result<QList<QSslCertificate>> loadCaFile(const QString &path);
    static QString stepName(Step step); // "connect", "greeting", ... (JSON, audit)
    static QString outcomeName(Outcome outcome);

Q_SIGNALS:
    void stepFinished(const mailkey::MailCheck::StepReport &step);
    void finished(const mailkey::MailCheck::Report &report);

private:
    enum class Wait {
        Nothing,
        Greeting,
        StartTls,
        Ehlo,
        Capabilities,
        AuthContinue, // IMAP without SASL-IR: the empty "+" before the initial response
        Auth,
        Examine,
        MailFrom,
        Rset,
        Logout
    };

    void onConnected();
    void onEncrypted();
    void onReadyRead();
    void onSocketError();
    void onTimeout();

    void beginStep(Step step, int timeoutMs);
    void stepOk(const QString &detail);
    void fail(Outcome outcome, const QString &problem, const QString &serverReply = QString());
    void logoutThenFinish();
    void finish();

    void sendLine(const QByteArray &line);
    // Writes the parts as one line in one buffer, wiped after the write (the SASL response).
    void sendSecretLine(std::initializer_list<QByteArrayView> parts);
    void sendImap(const QByteArray &command);
    QByteArray nextTag();

    void handleImapResponse();
    void handleSmtpReply();
    void startTlsAccepted(const QString &said);
    void sendEhlo();
    void authenticate(const QStringList &mechanisms, bool imapSaslIr);
    SecureBytes initialResponse();
    void answerErrorChallenge(const QByteArray &challengeBase64);
    void loggedIn();

    MailServer m_server;
    QString m_email;
    Options m_options;
    SecretString m_token; // wiped once the SASL string is built

    QSslSocket *m_socket = nullptr;
    QTimer *m_timer = nullptr;
    QByteArray m_buffer;
    Wait m_wait = Wait::Nothing;
    Step m_step = Step::Connect;
    bool m_stepOpen = false;
    QElapsedTimer m_stepClock;
    QElapsedTimer m_totalClock;
    int m_tagCounter = 0;
    QByteArray m_tag;
    QStringList m_capabilities;
    bool m_inTls = false;
    bool m_started = false;
    bool m_finished = false;
    bool m_loggedIn = false;
    bool m_challengeAnswered = false;
    Report m_report;
    QList<QSslError> m_sslErrors;
};

} // namespace mailkey

Q_DECLARE_METATYPE(mailkey::MailCheck::StepReport)
Q_DECLARE_METATYPE(mailkey::MailCheck::Report)
