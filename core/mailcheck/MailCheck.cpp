#include "core/mailcheck/MailCheck.h"

#include "core/common/Redactor.h"
#include "core/common/SecureBytes.h"
#include "core/common/TextSafety.h"
#include "core/mailcheck/MailProtocol.h"
#include "core/mailcheck/Sasl.h"

#include <QFile>
#include <QHostAddress>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTimer>

namespace mailkey {

using namespace mailprotocol;

namespace {

constexpr qsizetype MaxBuffer = 1024 * 1024;

// Text from the server, safe to print: no control or format characters, no secret pattern the
// redactor knows, at most 300 characters. Still untrusted: it is quoted, never obeyed.
QString safeServerText(const QByteArray &text)
{
    QString s = TextSafety::replaced(QString::fromUtf8(text.left(2000)), u"?");
    s = redact(s).simplified();
    if (s.size() > 300)
        s = s.left(299) + QChar(0x2026);
    return s;
}

bool isSafeAddress(const QString &email)
{
    if (email.isEmpty() || email.size() > 320)
        return false;
    for (const QChar c : email) {
        if (c.unicode() <= 0x20 || c == QLatin1Char('<') || c == QLatin1Char('>') || c.unicode() == 0x7f
            || TextSafety::isUnsafe(c.unicode()))
            return false;
    }
    return true;
}

} // namespace

MailCheck::MailCheck(MailServer server, QString email, Options options, QObject *parent)
    : QObject(parent), m_server(std::move(server)), m_email(std::move(email)), m_options(std::move(options))
{
    m_report.server = m_server;
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &MailCheck::onTimeout);
}

MailCheck::~MailCheck() = default;

QString MailCheck::stepName(Step step)
{
    switch (step) {
    case Step::Connect:
        return QStringLiteral("connect");
    case Step::Greeting:
        return QStringLiteral("greeting");
    case Step::StartTls:
        return QStringLiteral("starttls");
    case Step::Tls:
        return QStringLiteral("tls");
    case Step::Capabilities:
        return QStringLiteral("capabilities");
    case Step::Authenticate:
        return QStringLiteral("authenticate");
    case Step::Command:
        return QStringLiteral("command");
    case Step::Logout:
        return QStringLiteral("logout");
    }
    return QStringLiteral("unknown");
}

QString MailCheck::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Ok:
        return QStringLiteral("ok");
    case Outcome::Refused:
        return QStringLiteral("refused");
    case Outcome::Untrusted:
        return QStringLiteral("untrusted");
    case Outcome::Network:
        return QStringLiteral("network");
    case Outcome::Unsupported:
        return QStringLiteral("unsupported");
    case Outcome::Aborted:
        return QStringLiteral("aborted");
    }
    return QStringLiteral("unknown");
}

Result<QList<QSslCertificate>> MailCheck::loadCaFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput,
                     tr("The CA file %1 cannot be read (%2).").arg(TextSafety::replaced(path), f.errorString()));
    const QByteArray pem = f.read(4 * 1024 * 1024);
    const QList<QSslCertificate> certs = QSslCertificate::fromData(pem, QSsl::Pem);
    if (certs.isEmpty())
        return Error(ErrorCode::InvalidInput,
                     tr("The CA file %1 holds no PEM certificate (-----BEGIN CERTIFICATE-----).")
                         .arg(TextSafety::replaced(path)));
    return certs;
}

void MailCheck::start(SecretString token)
{
    m_token = std::move(token);
    if (m_started)
        return;
    m_started = true;
    m_totalClock.start();
    if (!m_server.isValid()) {
        beginStep(Step::Connect, m_options.connectTimeoutMs);
        fail(Outcome::Unsupported, tr("No server to check."));
        return;
    }
    if (!isSafeAddress(m_email)) {
        beginStep(Step::Connect, m_options.connectTimeoutMs);
        fail(Outcome::Unsupported, tr("The address cannot be used in a mail command."));
        return;
    }

    m_socket = new QSslSocket(this);
    QSslConfiguration conf = QSslConfiguration::defaultConfiguration();
    conf.setPeerVerifyMode(QSslSocket::VerifyPeer);
    conf.setProtocol(QSsl::TlsV1_2OrLater);
    if (!m_options.caCertificates.isEmpty())
        conf.setCaCertificates(m_options.caCertificates);
    m_socket->setSslConfiguration(conf);
    m_socket->setPeerVerifyName(m_server.host);

    connect(m_socket, &QSslSocket::connected, this, &MailCheck::onConnected);
    connect(m_socket, &QSslSocket::encrypted, this, &MailCheck::onEncrypted);
    connect(m_socket, &QSslSocket::readyRead, this, &MailCheck::onReadyRead);
    connect(m_socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        // Never ignored: recorded for the report; the handshake then fails.
        m_sslErrors += errors;
    });
    connect(m_socket, &QSslSocket::errorOccurred, this, [this] { onSocketError(); });
    connect(m_socket, &QSslSocket::disconnected, this, [this] { onSocketError(); });

    beginStep(Step::Connect, m_options.connectTimeoutMs);
    if (m_server.security == MailServer::Security::ImplicitTls)
        m_socket->connectToHostEncrypted(m_server.host, quint16(m_server.port), m_server.host);
    else
        m_socket->connectToHost(m_server.host, quint16(m_server.port));
}

void MailCheck::abort()
{
    if (m_finished)
        return;
    m_report.outcome = Outcome::Aborted;
    m_report.failedStep = m_step;
    m_report.problem = tr("The check was stopped.");
    finish();
}

void MailCheck::beginStep(Step step, int timeoutMs)
{
    m_step = step;
    m_stepOpen = true;
    m_stepClock.start();
    m_timer->start(timeoutMs);
}

void MailCheck::stepOk(const QString &detail)
{
    if (!m_stepOpen)
        return;
    m_stepOpen = false;
    m_timer->stop();
    const StepReport r{m_step, true, m_stepClock.elapsed(), detail};
    m_report.steps << r;
    Q_EMIT stepFinished(r);
}

void MailCheck::fail(Outcome outcome, const QString &problem, const QString &serverReply)
{
    if (m_finished || m_wait == Wait::Logout)
        return;
    m_report.outcome = outcome;
    m_report.failedStep = m_step;
    m_report.problem = problem;
    m_report.serverReply = serverReply;
    if (m_stepOpen) {
        m_stepOpen = false;
        QString detail = problem;
        if (!serverReply.isEmpty())
            detail = tr("%1 The server said: %2").arg(problem, serverReply);
        const StepReport r{m_step, false, m_stepClock.elapsed(), detail};
        m_report.steps << r;
        Q_EMIT stepFinished(r);
    }
    // A refusal inside a working TLS session: say goodbye. Anything else: drop the connection.
    if (outcome == Outcome::Refused && m_inTls && m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        logoutThenFinish();
    else
        finish();
}

void MailCheck::logoutThenFinish()
{
    beginStep(Step::Logout, m_options.logoutTimeoutMs);
    m_wait = Wait::Logout;
    if (m_server.protocol == MailServer::Protocol::Imap)
        sendImap("LOGOUT");
    else
        sendLine("QUIT");
}

void MailCheck::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_timer->stop();
    m_token.clear();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    m_report.totalMs = m_totalClock.isValid() ? m_totalClock.elapsed() : 0;
    for (const QSslError &e : std::as_const(m_sslErrors))
        m_report.sslErrors << TextSafety::replaced(e.errorString());
    Q_EMIT finished(m_report);
}

QByteArray MailCheck::nextTag()
{
    return "a" + QByteArray::number(++m_tagCounter);
}

void MailCheck::sendLine(const QByteArray &line)
{
    m_socket->write(line + "\r\n");
}

void MailCheck::sendSecretLine(std::initializer_list<QByteArrayView> parts)
{
    qsizetype size = 2;
    for (const QByteArrayView part : parts)
        size += part.size();
    QByteArray line;
    line.reserve(size); // one buffer: no reallocation leaves a copy of the token behind
    for (const QByteArrayView part : parts)
        line.append(part);
    line.append("\r\n");
    m_socket->write(line);
    secureWipe(line);
}

void MailCheck::sendImap(const QByteArray &command)
{
    m_tag = nextTag();
    sendLine(m_tag + ' ' + command);
}

void MailCheck::onConnected()
{
    if (m_finished)
        return;
    stepOk(tr("Connected to %1.").arg(m_socket->peerAddress().toString()));
    if (m_server.security == MailServer::Security::ImplicitTls) {
        beginStep(Step::Tls, m_options.connectTimeoutMs); // the handshake runs already
    } else {
        beginStep(Step::Greeting, m_options.replyTimeoutMs);
        m_wait = Wait::Greeting;
    }
}

void MailCheck::startTlsAccepted(const QString &said)
{
    // Bytes after the STARTTLS answer came before TLS and could have been injected on the way
    // (CVE-2011-0411 and its kin): they end the check instead of being read as TLS-protected.
    if (!m_buffer.isEmpty()) {
        fail(Outcome::Unsupported, tr("The server sent more after accepting STARTTLS (bytes that could have "
                                      "been injected on the way). Nothing else was sent."));
        return;
    }
    stepOk(said);
    beginStep(Step::Tls, m_options.connectTimeoutMs);
    m_wait = Wait::Nothing;
    m_socket->startClientEncryption();
}

void MailCheck::onEncrypted()
{
    if (m_finished)
        return;
    m_inTls = true;
    stepOk(
        tr("%1 verified; %2, %3.")
            .arg(TextSafety::replaced(m_socket->peerCertificate().subjectDisplayName()),
                 m_socket->sessionProtocol() == QSsl::TlsV1_3 ? QStringLiteral("TLS 1.3") : QStringLiteral("TLS 1.2"),
                 m_socket->sessionCipher().name()));
    if (m_server.security == MailServer::Security::ImplicitTls) {
        beginStep(Step::Greeting, m_options.replyTimeoutMs);
        m_wait = Wait::Greeting;
        return;
    }
    beginStep(Step::Capabilities, m_options.replyTimeoutMs);
    if (m_server.protocol == MailServer::Protocol::Imap) {
        m_wait = Wait::Capabilities;
        sendImap("CAPABILITY");
    } else {
        sendEhlo();
        m_wait = Wait::Capabilities;
    }
}

void MailCheck::sendEhlo()
{
    // RFC 5321 4.1.4: the client's name, or an address literal of its address.
    const QHostAddress local = m_socket->localAddress();
    const QString literal = local.protocol() == QAbstractSocket::IPv6Protocol
                                ? QStringLiteral("[IPv6:%1]").arg(local.toString())
                                : QStringLiteral("[%1]").arg(local.toString());
    sendLine("EHLO " + literal.toLatin1());
}

void MailCheck::onReadyRead()
{
    if (m_finished)
        return;
    m_buffer += m_socket->readAll();
    if (m_buffer.size() > MaxBuffer) {
        fail(Outcome::Unsupported, tr("The server sent more than MailKey reads without an end of line."));
        return;
    }
    while (!m_finished && !m_buffer.isEmpty()) {
        const qsizetype before = m_buffer.size();
        if (m_server.protocol == MailServer::Protocol::Imap)
            handleImapResponse();
        else
            handleSmtpReply();
        if (m_buffer.size() == before)
            break; // incomplete
    }
}

void MailCheck::onSocketError()
{
    if (m_finished)
        return;
    if (m_wait == Wait::Logout) {
        stepOk(tr("The server closed the connection."));
        finish();
        return;
    }
    const QAbstractSocket::SocketError error = m_socket->error();
    const QString where = QStringLiteral("%1:%2").arg(m_server.host, QString::number(m_server.port));
    if (!m_sslErrors.isEmpty()) {
        QStringList errors;
        for (const QSslError &e : std::as_const(m_sslErrors))
            errors << TextSafety::replaced(e.errorString());
        errors.removeDuplicates();
        fail(Outcome::Untrusted, tr("The certificate of %1 is not trusted (%2). Nothing was sent to the server.")
                                     .arg(where, errors.join(QStringLiteral("; "))));
        return;
    }
    switch (error) {
    case QAbstractSocket::HostNotFoundError:
        fail(Outcome::Network, tr("The host name %1 was not found: check the name and your network.")
                                   .arg(TextSafety::replaced(m_server.host)));
        return;
    case QAbstractSocket::ConnectionRefusedError:
        fail(Outcome::Network,
             tr("%1 refused the connection: no mail server listens on that port, or a firewall blocks it.").arg(where));
        return;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        fail(Outcome::Unsupported, tr("TLS with %1 could not be set up (%2). Nothing was sent to the server.")
                                       .arg(where, TextSafety::replaced(m_socket->errorString())));
        return;
    default:
        break;
    }
    if (m_step == Step::Authenticate || m_step == Step::Command)
        fail(Outcome::Refused, tr("The server closed the connection instead of answering."));
    else
        fail(Outcome::Network,
             tr("The connection to %1 broke (%2).").arg(where, TextSafety::replaced(m_socket->errorString())));
}

void MailCheck::onTimeout()
{
    if (m_finished)
        return;
    if (m_wait == Wait::Logout) {
        finish();
        return;
    }
    const QString where = QStringLiteral("%1:%2").arg(m_server.host, QString::number(m_server.port));
    const int ms
        = m_step == Step::Connect || m_step == Step::Tls ? m_options.connectTimeoutMs : m_options.replyTimeoutMs;
    fail(Outcome::Network, tr("%1 did not answer within %2 seconds (%3).")
                               .arg(where, QString::number((ms + 999) / 1000), stepName(m_step)));
}

// ---- IMAP ------------------------------------------------------------------------------------

void MailCheck::handleImapResponse()
{
    ImapResponse r;
    switch (takeImapResponse(m_buffer, r)) {
    case Take::Incomplete:
        return;
    case Take::TooLong:
        fail(Outcome::Unsupported, tr("The server sent a line longer than MailKey reads."));
        return;
    case Take::Taken:
        break;
    }
    const bool tagged = r.kind == ImapResponse::Kind::Tagged && r.tag == m_tag;
    const bool continuation = r.kind == ImapResponse::Kind::Continuation;
    const QString said = safeServerText(r.line);
    if (r.kind == ImapResponse::Kind::Untagged) {
        const QStringList caps = imapCapabilities(r);
        if (!caps.isEmpty())
            m_capabilities = caps;
    }
    if (r.kind == ImapResponse::Kind::Untagged && r.status == "BYE" && m_wait != Wait::Logout
        && m_wait != Wait::Greeting) {
        fail(m_loggedIn ? Outcome::Refused : Outcome::Network, tr("The server ended the session."), said);
        return;
    }
    const auto refusedStatus
        = [&r] { return r.code.isEmpty() ? r.status : r.status + ' ' + r.code.split(' ').first().toUpper(); };

    switch (m_wait) {
    case Wait::Greeting:
        if (r.kind != ImapResponse::Kind::Untagged)
            break;
        if (r.status == "OK") {
            stepOk(said);
            if (m_server.security == MailServer::Security::StartTls) {
                beginStep(Step::StartTls, m_options.replyTimeoutMs);
                m_wait = Wait::StartTls;
                sendImap("STARTTLS");
            } else {
                beginStep(Step::Capabilities, m_options.replyTimeoutMs);
                m_wait = Wait::Capabilities;
                sendImap("CAPABILITY");
            }
        } else if (r.status == "BYE") {
            fail(Outcome::Network, tr("The server turned the connection away."), said);
        } else {
            fail(Outcome::Unsupported, tr("The server's greeting is not an IMAP greeting."), said);
        }
        return;
    case Wait::StartTls:
        if (!tagged)
            return;
        if (r.status != "OK") {
            fail(Outcome::Unsupported,
                 tr("The server refused STARTTLS. MailKey never logs in without TLS: use TLS from the first byte "
                    "(port 993) if the server offers it."),
                 said);
            return;
        }
        startTlsAccepted(said);
        return;
    case Wait::Capabilities:
        if (!tagged)
            return;
        if (r.status != "OK") {
            fail(Outcome::Unsupported, tr("The server refused the CAPABILITY command."), said);
            return;
        }
        {
            QStringList mechanisms;
            for (const QString &c : std::as_const(m_capabilities)) {
                if (c.startsWith(QLatin1String("AUTH=")))
                    mechanisms << c.mid(5);
            }
            stepOk(m_capabilities.join(QLatin1Char(' ')).left(300));
            authenticate(mechanisms, m_capabilities.contains(QLatin1String("SASL-IR")));
        }
        return;
    case Wait::AuthContinue:
        if (continuation) {
            m_wait = Wait::Auth;
            m_report.authSent = true;
            sendSecretLine({initialResponse().bytes()});
            return;
        }
        if (tagged) {
            m_report.status = refusedStatus();
            fail(Outcome::Refused, tr("The server refused the login."), said);
        }
        return;
    case Wait::Auth:
        if (continuation) {
            answerErrorChallenge(r.text);
            return;
        }
        if (!tagged)
            return;
        if (r.status == "OK") {
            loggedIn();
        } else {
            m_report.status = refusedStatus();
            fail(Outcome::Refused, tr("The server refused the login."), said);
        }
        return;
    case Wait::Examine:
        if (!tagged)
            return;
        if (r.status == "OK") {
            stepOk(tr("EXAMINE INBOX: the INBOX opened (read-only)."));
            m_report.outcome = Outcome::Ok;
            logoutThenFinish();
        } else {
            m_report.status = refusedStatus();
            fail(Outcome::Refused, tr("The server accepted the login, then refused to open the INBOX."), said);
        }
        return;
    case Wait::Logout:
        if (tagged) {
            stepOk(said);
            finish();
        }
        return;
    case Wait::Nothing:
    case Wait::Ehlo:
    case Wait::MailFrom:
    case Wait::Rset:
        return;
    }
}

// ---- SMTP ------------------------------------------------------------------------------------

void MailCheck::handleSmtpReply()
{
    SmtpReply reply;
    switch (takeSmtpReply(m_buffer, reply)) {
    case SmtpTake::Incomplete:
        return;
    case SmtpTake::TooLong:
        fail(Outcome::Unsupported, tr("The server sent a reply longer than MailKey reads."));
        return;
    case SmtpTake::Malformed:
        m_buffer.clear();
        fail(Outcome::Unsupported, tr("The server's reply is not an SMTP reply."));
        return;
    case SmtpTake::Taken:
        break;
    }
    const QByteArray firstLine = reply.text.isEmpty() ? QByteArray() : reply.text.first();
    const QString said = safeServerText(QByteArray::number(reply.code) + ' ' + reply.joined());
    const auto status = [&reply, &firstLine] {
        const QByteArray enhanced = enhancedStatus(firstLine);
        return enhanced.isEmpty() ? QByteArray::number(reply.code) : QByteArray::number(reply.code) + ' ' + enhanced;
    };

    switch (m_wait) {
    case Wait::Greeting:
        if (reply.code == 220) {
            stepOk(said);
            beginStep(m_server.security == MailServer::Security::StartTls ? Step::StartTls : Step::Capabilities,
                      m_options.replyTimeoutMs);
            m_wait = m_server.security == MailServer::Security::StartTls ? Wait::Ehlo : Wait::Capabilities;
            sendEhlo();
        } else {
            m_report.status = status();
            fail(Outcome::Network, tr("The server turned the connection away."), said);
        }
        return;
    case Wait::Ehlo: // before STARTTLS
        if (reply.code != 250) {
            fail(Outcome::Unsupported, tr("The server refused EHLO."), said);
            return;
        }
        if (!smtpExtensions(reply).contains(QLatin1String("STARTTLS"))) {
            fail(Outcome::Unsupported, tr("The server does not offer STARTTLS. MailKey never logs in without TLS: "
                                          "use TLS from the first byte (port 465) if the server offers it."));
            return;
        }
        m_wait = Wait::StartTls;
        sendLine("STARTTLS");
        return;
    case Wait::StartTls:
        if (reply.code != 220) {
            fail(Outcome::Unsupported, tr("The server refused STARTTLS. MailKey never logs in without TLS."), said);
            return;
        }
        startTlsAccepted(said);
        return;
    case Wait::Capabilities:
        if (reply.code != 250) {
            fail(Outcome::Unsupported, tr("The server refused EHLO."), said);
            return;
        }
        m_capabilities = smtpExtensions(reply);
        stepOk(m_capabilities.join(QStringLiteral(", ")).left(300));
        authenticate(smtpAuthMechanisms(reply), true);
        return;
    case Wait::Auth:
        if (reply.code == 235) {
            loggedIn();
        } else if (reply.code == 334) {
            answerErrorChallenge(firstLine);
        } else {
            m_report.status = status();
            fail(Outcome::Refused, tr("The server refused the login."), said);
        }
        return;
    case Wait::MailFrom:
        if (reply.code == 250) {
            m_wait = Wait::Rset;
            sendLine("RSET");
        } else {
            m_report.status = status();
            fail(Outcome::Refused, tr("The server accepted the login, then refused MAIL FROM (no mail can be sent)."),
                 said);
        }
        return;
    case Wait::Rset:
        if (reply.code == 250) {
            stepOk(tr("MAIL FROM:<%1> accepted, then RSET: nothing was sent.").arg(m_email));
            m_report.outcome = Outcome::Ok;
            logoutThenFinish();
        } else {
            m_report.status = status();
            fail(Outcome::Refused, tr("The server refused RSET after MAIL FROM."), said);
        }
        return;
    case Wait::Logout:
        stepOk(said);
        finish();
        return;
    case Wait::Nothing:
    case Wait::AuthContinue:
    case Wait::Examine:
        fail(Outcome::Unsupported, tr("The server sent a reply nobody asked for."), said);
        return;
    }
}

// ---- the login -------------------------------------------------------------------------------

void MailCheck::authenticate(const QStringList &mechanisms, bool imapSaslIr)
{
    beginStep(Step::Authenticate, m_options.replyTimeoutMs);
    QString mechanism = m_options.mechanism.toUpper();
    const QString offered = mechanisms.isEmpty() ? tr("none") : mechanisms.join(QLatin1Char(' ')).left(200);
    if (!mechanism.isEmpty() && !mechanisms.contains(mechanism)) {
        fail(Outcome::Unsupported, tr("The server does not offer %1 (it offers: %2).").arg(mechanism, offered));
        return;
    }
    if (mechanism.isEmpty()) {
        if (mechanisms.contains(QLatin1String("XOAUTH2")))
            mechanism = QStringLiteral("XOAUTH2");
        else if (mechanisms.contains(QLatin1String("OAUTHBEARER")))
            mechanism = QStringLiteral("OAUTHBEARER");
    }
    if (mechanism.isEmpty()) {
        fail(Outcome::Unsupported,
             tr("The server offers no OAuth login (XOAUTH2 or OAUTHBEARER); it offers: %1.").arg(offered));
        return;
    }
    m_report.mechanism = mechanism;
    if (m_server.protocol == MailServer::Protocol::Imap) {
        if (imapSaslIr) {
            m_tag = nextTag();
            m_wait = Wait::Auth;
            m_report.authSent = true;
            const QByteArray command = m_tag + " AUTHENTICATE " + mechanism.toLatin1() + ' ';
            sendSecretLine({command, initialResponse().bytes()});
        } else {
            m_wait = Wait::AuthContinue;
            sendImap("AUTHENTICATE " + mechanism.toLatin1());
        }
    } else {
        m_wait = Wait::Auth;
        m_report.authSent = true;
        const QByteArray command = "AUTH " + mechanism.toLatin1() + ' ';
        sendSecretLine({command, initialResponse().bytes()});
    }
}

SecureBytes MailCheck::initialResponse()
{
    SecureBytes ir = m_report.mechanism == QLatin1String("XOAUTH2")
                         ? xoauth2(m_email, m_token)
                         : oauthBearer(m_email, m_token, m_server.host, m_server.port);
    m_token.clear();
    return ir;
}

void MailCheck::answerErrorChallenge(const QByteArray &challengeBase64)
{
    if (m_challengeAnswered) {
        fail(Outcome::Unsupported, tr("The server sent a second SASL challenge."));
        return;
    }
    m_challengeAnswered = true;
    m_report.challenge = QByteArray::fromBase64(challengeBase64.trimmed()).left(4096);
    // XOAUTH2: an empty response; OAUTHBEARER (RFC 7628 3.2.3): the single byte 0x01. The server
    // then sends its final failure.
    sendLine(m_report.mechanism == QLatin1String("XOAUTH2") ? QByteArray() : QByteArray("AQ=="));
}

void MailCheck::loggedIn()
{
    m_loggedIn = true;
    stepOk(tr("Logged in with %1.").arg(m_report.mechanism));
    beginStep(Step::Command, m_options.replyTimeoutMs);
    if (m_server.protocol == MailServer::Protocol::Imap) {
        m_wait = Wait::Examine;
        sendImap("EXAMINE INBOX");
    } else {
        m_wait = Wait::MailFrom;
        sendLine("MAIL FROM:<" + m_email.toUtf8() + '>');
    }
}

} // namespace mailkey
