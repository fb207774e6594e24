// MailCheck against a scripted IMAP / SMTP server on a loopback port (tests/support/
// ScriptedMailServer): the steps of a good login, TLS from the first byte and STARTTLS, a
// certificate that does not verify (nothing reaches the server), STARTTLS refused or followed by
// injected bytes, Microsoft's replies (accept-then-fail, 535 5.7.139, the XOAUTH2 error challenge),
// the OAUTHBEARER error challenge, and timeouts. Tokens are compared, never printed.
#include "core/mailcheck/MailCheck.h"
#include "tests/support/ScriptedMailServer.h"
#include "tests/support/TestTls.h"
#include "tests/support/TestUtil.h"

#include <QSslCertificate>

#include <gtest/gtest.h>

#include <memory>
#include <optional>

using namespace mailkey;
using mailkey::test::imapAnswer;
using mailkey::test::imapAuthOk;
using mailkey::test::ScriptedMailServer;
using mailkey::test::smtpServer;
using mailkey::test::tagOf;
using mailkey::test::waitFor;
using Answer = ScriptedMailServer::Answer;
using Outcome = MailCheck::Outcome;
using Step = MailCheck::Step;

namespace {

const QByteArray kToken = "tok-3e1f-SECRET-8a9b";
const QString kEmail = QStringLiteral("you@example.com");

struct Fixture {
    std::unique_ptr<ScriptedMailServer> server;
    QByteArray certPem;

    Fixture(ScriptedMailServer::Tls tls)
    {
        std::optional<QSslConfiguration> config = mailkey::test::selfSignedServerTls(&certPem);
        if (!config)
            return;
        server = std::make_unique<ScriptedMailServer>(tls, *config);
        if (!server->start())
            server.reset();
    }

    MailServer target(MailServer::Protocol protocol, MailServer::Security security) const
    {
        MailServer s;
        s.protocol = protocol;
        s.host = QStringLiteral("127.0.0.1");
        s.port = server->serverPort();
        s.security = security;
        return s;
    }

    // Runs a check with the server's certificate as the only CA (trusted = true) or with the
    // system trust store (false).
    MailCheck::Report run(MailServer target, bool trusted = true, QString mechanism = QString(),
                          QList<MailCheck::StepReport> *steps = nullptr, int replyTimeoutMs = 5000)
    {
        MailCheck::Options options;
        options.mechanism = std::move(mechanism);
        options.replyTimeoutMs = replyTimeoutMs;
        options.connectTimeoutMs = 5000;
        if (trusted)
            options.caCertificates = QSslCertificate::fromData(certPem, QSsl::Pem);
        MailCheck check(std::move(target), kEmail, options);
        std::optional<MailCheck::Report> report;
        QObject::connect(&check, &MailCheck::finished, [&report](const MailCheck::Report &r) { report = r; });
        if (steps)
            QObject::connect(&check, &MailCheck::stepFinished,
                             [steps](const MailCheck::StepReport &s) { steps->append(s); });
        check.start(SecretString::fromLatin1(kToken));
        EXPECT_TRUE(waitFor([&report] { return report.has_value(); }, 20000));
        return report.value_or(MailCheck::Report{});
    }

    bool anyLineHas(const QByteArray &needle) const
    {
        for (const ScriptedMailServer::Line &l : server->received) {
            if (l.text.contains(needle))
                return true;
        }
        return false;
    }
};

QByteArray decodedIr(const QByteArray &authLine)
{
    return QByteArray::fromBase64(authLine.mid(authLine.lastIndexOf(' ') + 1));
}

TEST(MailCheck, ImapImplicitTlsXoauth2GoodLogin)
{
    Fixture f(ScriptedMailServer::Tls::Implicit);
    ASSERT_TRUE(f.server);
    f.server->greeting = "* OK IMAP4rev1 ready\r\n";
    f.server->respond = [](const QByteArray &line) {
        return imapAnswer(line, "IMAP4rev1 AUTH=XOAUTH2 AUTH=OAUTHBEARER SASL-IR", imapAuthOk);
    };
    QList<MailCheck::StepReport> steps;
    const MailCheck::Report r
        = f.run(f.target(MailServer::Protocol::Imap, MailServer::Security::ImplicitTls), true, QString(), &steps);
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.problem.toStdString();
    EXPECT_EQ(r.mechanism, QStringLiteral("XOAUTH2"));
    EXPECT_TRUE(r.authSent);
    QList<Step> names;
    for (const MailCheck::StepReport &s : std::as_const(steps)) {
        names << s.step;
        EXPECT_TRUE(s.ok);
        EXPECT_GE(s.ms, 0);
        EXPECT_FALSE(s.detail.contains(QString::fromLatin1(kToken)));
    }
    EXPECT_EQ(names, (QList<Step>{Step::Connect, Step::Tls, Step::Greeting, Step::Capabilities, Step::Authenticate,
                                  Step::Command, Step::Logout}));
    ASSERT_GE(f.server->received.size(), 4);
    for (const ScriptedMailServer::Line &l : std::as_const(f.server->received))
        EXPECT_TRUE(l.encrypted);
    const QByteArray auth = f.server->received.at(1).text;
    EXPECT_TRUE(auth.startsWith("a2 AUTHENTICATE XOAUTH2 "));
    EXPECT_TRUE(decodedIr(auth)
                == QByteArray("user=you@example.com\x01"
                              "auth=Bearer "
                              + kToken + "\x01\x01"));
    EXPECT_TRUE(f.anyLineHas("EXAMINE INBOX"));
    EXPECT_TRUE(f.anyLineHas("LOGOUT"));
}

TEST(MailCheck, ImapStartTlsOauthbearerWithoutSaslIr)
{
    Fixture f(ScriptedMailServer::Tls::StartTls);
    ASSERT_TRUE(f.server);
    f.server->greeting = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n";
    QByteArray authTag;
    f.server->respond = [&authTag](const QByteArray &line) {
        return imapAnswer(line, "IMAP4rev1 AUTH=OAUTHBEARER", [&authTag](const QByteArray &l) -> Answer {
            if (l.toUpper().contains(" AUTHENTICATE ")) {
                authTag = tagOf(l);
                return {"+ \r\n"};
            }
            return {authTag + " OK Logged in.\r\n"}; // the initial response
        });
    };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Imap, MailServer::Security::StartTls));
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.problem.toStdString();
    EXPECT_EQ(r.mechanism, QStringLiteral("OAUTHBEARER"));
    ASSERT_GE(f.server->received.size(), 4);
    // Only STARTTLS went out before TLS.
    EXPECT_EQ(f.server->received.at(0).text, QByteArray("a1 STARTTLS"));
    EXPECT_FALSE(f.server->received.at(0).encrypted);
    for (qsizetype i = 1; i < f.server->received.size(); ++i)
        EXPECT_TRUE(f.server->received.at(i).encrypted);
    EXPECT_EQ(f.server->received.at(2).text, QByteArray("a3 AUTHENTICATE OAUTHBEARER"));
    const QByteArray ir = QByteArray::fromBase64(f.server->received.at(3).text);
    EXPECT_TRUE(ir.startsWith("n,a=you@example.com,\x01host=127.0.0.1\x01port="));
    EXPECT_TRUE(ir.endsWith(QByteArray("auth=Bearer " + kToken + "\x01\x01")));
}

TEST(MailCheck, UntrustedCertificateImplicitTlsSendsNothing)
{
    Fixture f(ScriptedMailServer::Tls::Implicit);
    ASSERT_TRUE(f.server);
    f.server->greeting = "* OK ready\r\n";
    f.server->respond
        = [](const QByteArray &line) { return imapAnswer(line, "IMAP4rev1 AUTH=XOAUTH2 SASL-IR", imapAuthOk); };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Imap, MailServer::Security::ImplicitTls), false);
    EXPECT_EQ(r.outcome, Outcome::Untrusted);
    EXPECT_EQ(r.failedStep, Step::Tls);
    EXPECT_FALSE(r.authSent);
    EXPECT_FALSE(r.sslErrors.isEmpty());
    EXPECT_TRUE(r.problem.contains(QStringLiteral("not trusted")));
    waitFor([] { return false; }, 300); // anything still on its way arrives
    EXPECT_TRUE(f.server->received.isEmpty());
    EXPECT_EQ(f.server->handshakes, 0);
}

TEST(MailCheck, UntrustedCertificateStartTlsSendsOnlyTheNegotiation)
{
    Fixture f(ScriptedMailServer::Tls::StartTls);
    ASSERT_TRUE(f.server);
    f.server->greeting = "220 smtp.example.com ESMTP\r\n";
    f.server->respond = [](const QByteArray &line) -> Answer {
        if (line.startsWith("EHLO"))
            return {"250-smtp.example.com\r\n250-STARTTLS\r\n250 AUTH XOAUTH2\r\n"};
        if (line == "STARTTLS")
            return {"220 2.0.0 go ahead\r\n", true};
        return {"500 what\r\n"};
    };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Smtp, MailServer::Security::StartTls), false);
    EXPECT_EQ(r.outcome, Outcome::Untrusted);
    EXPECT_FALSE(r.authSent);
    ASSERT_EQ(f.server->received.size(), 2);
    EXPECT_TRUE(f.server->received.at(0).text.startsWith("EHLO [127.0.0.1]"));
    EXPECT_EQ(f.server->received.at(1).text, QByteArray("STARTTLS"));
    EXPECT_FALSE(f.anyLineHas("AUTH"));
}

TEST(MailCheck, SmtpStartTlsGoodLoginSendsNoMessage)
{
    Fixture f(ScriptedMailServer::Tls::StartTls);
    ASSERT_TRUE(f.server);
    f.server->greeting = "220 smtp.example.com Microsoft ESMTP MAIL Service ready\r\n";
    f.server->respond
        = smtpServer([](const QByteArray &) { return Answer{"235 2.7.0 Authentication successful\r\n"}; });
    QList<MailCheck::StepReport> steps;
    const MailCheck::Report r
        = f.run(f.target(MailServer::Protocol::Smtp, MailServer::Security::StartTls), true, QString(), &steps);
    EXPECT_EQ(r.outcome, Outcome::Ok) << r.problem.toStdString();
    EXPECT_EQ(r.mechanism, QStringLiteral("XOAUTH2"));
    QList<QByteArray> lines;
    for (const ScriptedMailServer::Line &l : std::as_const(f.server->received))
        lines << (l.text.startsWith("AUTH ") ? QByteArray("AUTH ...") : l.text);
    ASSERT_EQ(lines.size(), 7);
    EXPECT_TRUE(lines.at(2).startsWith("EHLO"));
    EXPECT_EQ(lines.at(3), QByteArray("AUTH ..."));
    EXPECT_EQ(lines.at(4), QByteArray("MAIL FROM:<you@example.com>"));
    EXPECT_EQ(lines.at(5), QByteArray("RSET"));
    EXPECT_EQ(lines.at(6), QByteArray("QUIT"));
    EXPECT_FALSE(f.anyLineHas("RCPT"));
    EXPECT_FALSE(f.anyLineHas("DATA"));
    QList<Step> names;
    for (const MailCheck::StepReport &s : std::as_const(steps))
        names << s.step;
    EXPECT_EQ(names, (QList<Step>{Step::Connect, Step::Greeting, Step::StartTls, Step::Tls, Step::Capabilities,
                                  Step::Authenticate, Step::Command, Step::Logout}));
}

TEST(MailCheck, MicrosoftSmtpAuthDisabled5_7_139)
{
    Fixture f(ScriptedMailServer::Tls::StartTls);
    ASSERT_TRUE(f.server);
    f.server->greeting = "220 smtp.office365.com ready\r\n";
    f.server->respond = smtpServer([](const QByteArray &) {
        return Answer{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
                      "Visit https://aka.ms/smtp_auth_disabled for more information.\r\n"};
    });
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Smtp, MailServer::Security::StartTls));
    EXPECT_EQ(r.outcome, Outcome::Refused);
    EXPECT_EQ(r.failedStep, Step::Authenticate);
    EXPECT_EQ(r.status, QByteArray("535 5.7.139"));
    EXPECT_TRUE(r.serverReply.contains(QStringLiteral("SmtpClientAuthentication is disabled")));
    EXPECT_TRUE(f.anyLineHas("QUIT")); // a polite goodbye after the refusal
    EXPECT_FALSE(f.anyLineHas("MAIL FROM"));
}

TEST(MailCheck, Xoauth2ErrorChallengeIsAnsweredAndKept)
{
    Fixture f(ScriptedMailServer::Tls::StartTls);
    ASSERT_TRUE(f.server);
    const QByteArray json = R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})";
    f.server->greeting = "220 smtp.gmail.com ESMTP\r\n";
    int authLines = 0;
    f.server->respond = smtpServer([&json, &authLines](const QByteArray &line) {
        ++authLines;
        if (line.startsWith("AUTH "))
            return Answer{"334 " + json.toBase64() + "\r\n"};
        EXPECT_TRUE(line.isEmpty()); // XOAUTH2: an empty response to the error challenge
        return Answer{"535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com\r\n"};
    });
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Smtp, MailServer::Security::StartTls));
    EXPECT_EQ(r.outcome, Outcome::Refused);
    EXPECT_EQ(authLines, 2);
    EXPECT_EQ(r.challenge, json);
    EXPECT_EQ(r.status, QByteArray("535 5.7.8"));
}

TEST(MailCheck, OauthbearerErrorChallengeGetsTheDummyResponse)
{
    Fixture f(ScriptedMailServer::Tls::Implicit);
    ASSERT_TRUE(f.server);
    const QByteArray json
        = R"({"status":"invalid_token","scope":"imap","openid-configuration":"https://x/.well-known"})";
    f.server->greeting = "* OK ready\r\n";
    QByteArray authTag;
    QByteArray dummy;
    f.server->respond = [&](const QByteArray &line) {
        return imapAnswer(line, "IMAP4rev1 AUTH=OAUTHBEARER AUTH=XOAUTH2 SASL-IR", [&](const QByteArray &l) -> Answer {
            if (l.contains(" AUTHENTICATE ")) {
                authTag = tagOf(l);
                return {"+ " + json.toBase64() + "\r\n"};
            }
            dummy = l;
            return {authTag + " NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"};
        });
    };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Imap, MailServer::Security::ImplicitTls), true,
                                      QStringLiteral("oauthbearer"));
    EXPECT_EQ(r.outcome, Outcome::Refused);
    EXPECT_EQ(r.mechanism, QStringLiteral("OAUTHBEARER"));
    EXPECT_EQ(dummy, QByteArray("AQ==")); // RFC 7628 3.2.3: %x01
    EXPECT_EQ(r.challenge, json);
    EXPECT_EQ(r.status, QByteArray("NO AUTHENTICATIONFAILED"));
    EXPECT_TRUE(f.anyLineHas("LOGOUT"));
}

TEST(MailCheck, MicrosoftAuthenticatedButNotConnected)
{
    Fixture f(ScriptedMailServer::Tls::Implicit);
    ASSERT_TRUE(f.server);
    f.server->greeting = "* OK The Microsoft Exchange IMAP4 service is ready.\r\n";
    f.server->respond = [](const QByteArray &line) {
        return imapAnswer(
            line, "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS", imapAuthOk,
            [](const QByteArray &l) { return Answer{tagOf(l) + " BAD User is authenticated but not connected.\r\n"}; });
    };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Imap, MailServer::Security::ImplicitTls));
    EXPECT_EQ(r.outcome, Outcome::Refused);
    EXPECT_EQ(r.failedStep, Step::Command);
    EXPECT_EQ(r.status, QByteArray("BAD"));
    EXPECT_TRUE(r.serverReply.contains(QStringLiteral("User is authenticated but not connected")));
}

TEST(MailCheck, NoStartTlsOfferedMeansNoLogin)
{
    Fixture f(ScriptedMailServer::Tls::StartTls);
    ASSERT_TRUE(f.server);
    f.server->greeting = "220 old.example.com ESMTP\r\n";
    f.server->respond = [](const QByteArray &line) -> Answer {
        if (line.startsWith("EHLO"))
            return {"250-old.example.com\r\n250 AUTH PLAIN XOAUTH2\r\n"};
        return {"500 no\r\n"};
    };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Smtp, MailServer::Security::StartTls));
    EXPECT_EQ(r.outcome, Outcome::Unsupported);
    EXPECT_FALSE(r.authSent);
    EXPECT_TRUE(r.problem.contains(QStringLiteral("STARTTLS")));
    EXPECT_EQ(f.server->received.size(), 1);
}

TEST(MailCheck, BytesInjectedAfterStartTlsEndTheCheck)
{
    Fixture f(ScriptedMailServer::Tls::StartTls);
    ASSERT_TRUE(f.server);
    f.server->greeting = "220 mitm.example.com ESMTP\r\n";
    f.server->respond = [](const QByteArray &line) -> Answer {
        if (line.startsWith("EHLO"))
            return {"250-mitm\r\n250-STARTTLS\r\n250 AUTH XOAUTH2\r\n"};
        return {"220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n", true};
    };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Smtp, MailServer::Security::StartTls));
    EXPECT_EQ(r.outcome, Outcome::Unsupported);
    EXPECT_TRUE(r.problem.contains(QStringLiteral("injected")));
    EXPECT_FALSE(r.authSent);
}

TEST(MailCheck, NoOAuthMechanismOffered)
{
    Fixture f(ScriptedMailServer::Tls::Implicit);
    ASSERT_TRUE(f.server);
    f.server->greeting = "* OK ready\r\n";
    f.server->respond
        = [](const QByteArray &line) { return imapAnswer(line, "IMAP4rev1 AUTH=PLAIN SASL-IR", imapAuthOk); };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Imap, MailServer::Security::ImplicitTls));
    EXPECT_EQ(r.outcome, Outcome::Unsupported);
    EXPECT_EQ(r.failedStep, Step::Authenticate);
    EXPECT_FALSE(r.authSent);
    EXPECT_TRUE(r.problem.contains(QStringLiteral("PLAIN")));
}

TEST(MailCheck, SilentServerTimesOut)
{
    Fixture f(ScriptedMailServer::Tls::Implicit);
    ASSERT_TRUE(f.server);
    f.server->greeting = QByteArray(); // never greets
    const MailCheck::Report r
        = f.run(f.target(MailServer::Protocol::Imap, MailServer::Security::ImplicitTls), true, QString(), nullptr, 300);
    EXPECT_EQ(r.outcome, Outcome::Network);
    EXPECT_EQ(r.failedStep, Step::Greeting);
    EXPECT_TRUE(r.problem.contains(QStringLiteral("did not answer")));
}

TEST(MailCheck, ConnectionRefusedIsNetwork)
{
    Fixture f(ScriptedMailServer::Tls::Implicit);
    ASSERT_TRUE(f.server);
    MailServer target = f.target(MailServer::Protocol::Imap, MailServer::Security::ImplicitTls);
    f.server->close();
    const MailCheck::Report r = f.run(target);
    EXPECT_EQ(r.outcome, Outcome::Network);
    EXPECT_EQ(r.failedStep, Step::Connect);
}

TEST(MailCheck, ServerTextIsMadeSafeToPrint)
{
    Fixture f(ScriptedMailServer::Tls::Implicit);
    ASSERT_TRUE(f.server);
    f.server->greeting = "* OK ready\r\n";
    f.server->respond = [](const QByteArray &line) {
        return imapAnswer(line, "IMAP4rev1 AUTH=XOAUTH2 SASL-IR", [](const QByteArray &l) {
            return Answer{tagOf(l) + " NO \x1b]0;pwned\x07 \xe2\x80\xae evil\r\n"};
        });
    };
    const MailCheck::Report r = f.run(f.target(MailServer::Protocol::Imap, MailServer::Security::ImplicitTls));
    EXPECT_EQ(r.outcome, Outcome::Refused);
    EXPECT_FALSE(r.serverReply.contains(QChar(0x1b)));
    EXPECT_FALSE(r.serverReply.contains(QChar(0x202e)));
    EXPECT_FALSE(r.serverReply.contains(QChar(0x07)));
}

} // namespace
