// MailDoctor, the connection doctor of `mailkey-cli check` and the window's "Test mail connection",
// against scripted IMAP and SMTP servers on loopback ports (tests/support/ScriptedMailServer) with
// a token source in the test: IMAP then SMTP each with a token for its own resource, Microsoft's
// SMTP AUTH refusal explained with the admin command, the records and audit entries it hands back
// (no token in them), a server the provider does not name, a token that cannot be had, abort, and
// a token that arrives after the doctor is gone.
#include "core/service/MailDoctor.h"
#include "core/providers/ProviderRegistry.h"
#include "tests/support/ScriptedMailServer.h"
#include "tests/support/TestTls.h"
#include "tests/support/TestUtil.h"

#include <QPointer>
#include <QSslCertificate>
#include <QTimer>

#include <gtest/gtest.h>

#include <memory>
#include <optional>

using namespace mailkey;
using mailkey::test::imapAnswer;
using mailkey::test::imapAuthOk;
using mailkey::test::ScriptedMailServer;
using mailkey::test::smtpServer;
using mailkey::test::waitFor;
using Answer = ScriptedMailServer::Answer;
using Protocol = MailServer::Protocol;

namespace {

const QByteArray kImapToken = "imap-tok-71c2-SECRET";
const QByteArray kSmtpToken = "smtp-tok-9d04-SECRET";
const QString kEmail = QStringLiteral("adele@contoso.example");

struct Servers {
    QByteArray certPem;
    std::unique_ptr<ScriptedMailServer> imap;
    std::unique_ptr<ScriptedMailServer> smtp;

    Servers()
    {
        const std::optional<QSslConfiguration> config = mailkey::test::selfSignedServerTls(&certPem);
        if (!config)
            return;
        imap = std::make_unique<ScriptedMailServer>(ScriptedMailServer::Tls::Implicit, *config);
        smtp = std::make_unique<ScriptedMailServer>(ScriptedMailServer::Tls::StartTls, *config);
        if (!imap->start() || !smtp->start()) {
            imap.reset();
            smtp.reset();
            return;
        }
        imap->greeting = "* OK IMAP4rev1 ready\r\n";
        imap->respond
            = [](const QByteArray &line) { return imapAnswer(line, "IMAP4rev1 AUTH=XOAUTH2 SASL-IR", imapAuthOk); };
        smtp->greeting = "220 smtp.test ESMTP ready\r\n";
    }

    MailDoctor::Request request(const QString &provider = QStringLiteral("microsoft")) const
    {
        MailDoctor::Request r;
        r.email = kEmail;
        r.provider = provider;
        r.actor = QStringLiteral("test");
        r.imap = *MailServer::parse(Protocol::Imap, QStringLiteral("imaps://127.0.0.1:%1").arg(imap->serverPort()));
        r.smtp = *MailServer::parse(Protocol::Smtp, QStringLiteral("smtp://127.0.0.1:%1").arg(smtp->serverPort()));
        r.check.caCertificates = QSslCertificate::fromData(certPem, QSsl::Pem);
        r.check.connectTimeoutMs = 5000;
        r.check.replyTimeoutMs = 5000;
        return r;
    }
};

// Hands out a token per resource, later (from the event loop), and records what was asked.
struct TokenSource {
    QStringList asked;
    std::optional<Error> fail;

    MailDoctor::TokenSource source()
    {
        return [this](const TokenBroker::TokenQuery &q, MailDoctor::TokenCallback done) {
            asked << q.resource;
            QTimer::singleShot(0, [this, q, done = std::move(done)] {
                if (fail) {
                    done(*fail);
                    return;
                }
                TokenBroker::TokenAnswer a;
                a.email = q.email;
                a.provider = q.provider.isEmpty() ? QStringLiteral("microsoft") : q.provider;
                a.resource = q.resource;
                a.token = SecretString::fromLatin1(q.resource == QLatin1String("imap") ? kImapToken : kSmtpToken);
                done(std::move(a));
            });
        };
    }
};

std::optional<MailDoctor::Summary> run(MailDoctor &doctor, QList<MailDoctor::ServerResult> *servers = nullptr)
{
    std::optional<MailDoctor::Summary> summary;
    QObject::connect(&doctor, &MailDoctor::finished, [&summary](const MailDoctor::Summary &s) { summary = s; });
    if (servers)
        QObject::connect(&doctor, &MailDoctor::serverFinished,
                         [servers](const MailDoctor::ServerResult &r) { servers->append(r); });
    doctor.start();
    EXPECT_TRUE(waitFor([&summary] { return summary.has_value(); }, 30000));
    return summary;
}

// The admin-consent URL needs the app's client id and one organization (not "common").
ProviderRegistry::Settings withClientId()
{
    return {{QStringLiteral("provider/microsoft/client_id"), QStringLiteral("11111111-2222-3333-4444-555555555555")},
            {QStringLiteral("provider/microsoft/tenant"), QStringLiteral("contoso.onmicrosoft.com")}};
}

bool mentionsAToken(const QString &text)
{
    return text.contains(QString::fromLatin1(kImapToken)) || text.contains(QString::fromLatin1(kSmtpToken));
}

} // namespace

TEST(MailDoctor, BothServersWorkAndEachGetsATokenForItsOwnResource)
{
    Servers s;
    ASSERT_TRUE(s.imap && s.smtp);
    s.smtp->respond = smtpServer([](const QByteArray &) { return Answer{"235 2.7.0 Authentication successful\r\n"}; });
    TokenSource tokens;
    ProviderRegistry registry;
    MailDoctor doctor(s.request(), tokens.source(), &registry);
    QList<MailDoctor::ServerResult> servers;
    const std::optional<MailDoctor::Summary> summary = run(doctor, &servers);
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->verdict, MailDoctor::Verdict::Ok);
    EXPECT_EQ(tokens.asked, (QStringList{QStringLiteral("imap"), QStringLiteral("smtp")}));
    ASSERT_EQ(servers.size(), 2);
    EXPECT_TRUE(servers.at(0).ok());
    EXPECT_TRUE(servers.at(1).ok());
    EXPECT_EQ(servers.at(0).protocol, Protocol::Imap);
    EXPECT_TRUE(servers.at(0).summary().isEmpty());

    // The records and the audit entries: one per server, what and where, never the token.
    ASSERT_EQ(summary->records.size(), 2);
    EXPECT_EQ(summary->records.at(0).protocol, QStringLiteral("imap"));
    EXPECT_EQ(summary->records.at(1).protocol, QStringLiteral("smtp"));
    EXPECT_TRUE(summary->records.at(1).ok());
    EXPECT_TRUE(summary->records.at(0).server.startsWith(QStringLiteral("imaps://127.0.0.1:")));
    ASSERT_EQ(summary->audit.size(), 2);
    for (const AuditEntry &e : summary->audit) {
        EXPECT_EQ(e.action, QStringLiteral("mail.check"));
        EXPECT_EQ(e.outcome, QStringLiteral("ok"));
        EXPECT_EQ(e.actor, QStringLiteral("test"));
        EXPECT_TRUE(e.detail.contains(QStringLiteral("XOAUTH2"))) << e.detail.toStdString();
        EXPECT_FALSE(mentionsAToken(e.detail));
    }
    // The token went to the server it was for, and to no other.
    bool imapGotItsToken = false;
    for (const ScriptedMailServer::Line &l : std::as_const(s.imap->received)) {
        const QByteArray decoded = QByteArray::fromBase64(l.text.mid(l.text.lastIndexOf(' ') + 1));
        imapGotItsToken = imapGotItsToken || decoded.contains(kImapToken);
        EXPECT_FALSE(decoded.contains(kSmtpToken));
    }
    EXPECT_TRUE(imapGotItsToken);
}

TEST(MailDoctor, SmtpAuthTurnedOffIsExplainedWithTheAdminCommand)
{
    Servers s;
    ASSERT_TRUE(s.imap && s.smtp);
    s.smtp->respond = smtpServer([](const QByteArray &) {
        return Answer{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                      "Mailbox.\r\n"};
    });
    TokenSource tokens;
    ProviderRegistry registry(withClientId(), QProcessEnvironment());
    MailDoctor doctor(s.request(), tokens.source(), &registry);
    QList<MailDoctor::ServerResult> servers;
    const std::optional<MailDoctor::Summary> summary = run(doctor, &servers);
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->verdict, MailDoctor::Verdict::Refused);
    ASSERT_EQ(servers.size(), 2);
    const MailDoctor::ServerResult &smtp = servers.at(1);
    EXPECT_FALSE(smtp.ok());
    ASSERT_FALSE(smtp.diagnoses.isEmpty());
    EXPECT_EQ(smtp.diagnoses.first().id, QStringLiteral("smtp-auth-disabled"));
    EXPECT_TRUE(smtp.diagnoses.first().admin.contains(
        QStringLiteral("Set-CASMailbox -Identity %1 -SmtpClientAuthenticationDisabled $false").arg(kEmail)))
        << smtp.diagnoses.first().admin.toStdString();
    // 5.7.139 says the token was fine: no token findings are added to it.
    for (const MailDiagnosis &d : smtp.diagnoses)
        EXPECT_FALSE(d.id.startsWith(QStringLiteral("token-"))) << d.id.toStdString();
    EXPECT_EQ(smtp.summary(), smtp.diagnoses.first().what);
    ASSERT_EQ(summary->records.size(), 2);
    EXPECT_EQ(summary->records.at(1).outcome, QStringLiteral("refused"));
    EXPECT_EQ(summary->records.at(1).summary, smtp.diagnoses.first().what);
    EXPECT_TRUE(summary->audit.at(1).detail.contains(QStringLiteral("535 5.7.139")));
    EXPECT_TRUE(summary->audit.at(1).detail.contains(QStringLiteral("smtp-auth-disabled")));
    // The authorization was refused at the login: the admin-consent URL of the admin kit comes along.
    EXPECT_TRUE(smtp.adminConsentUrl.contains(QStringLiteral("adminconsent"))) << smtp.adminConsentUrl.toStdString();
}

TEST(MailDoctor, AServerTheProviderDoesNotNameIsSkippedAndTheCheckIsIncomplete)
{
    Servers s;
    ASSERT_TRUE(s.imap && s.smtp);
    TokenSource tokens;
    // A custom provider without imap_host / smtp_host: only IMAP is given.
    ProviderFile::Contents contents;
    Provider custom;
    custom.id = QStringLiteral("corp");
    custom.displayName = QStringLiteral("Corp");
    custom.kind = Provider::Kind::Custom;
    contents.providers.append(custom);
    ProviderRegistry registry;
    registry.setCustomProviders(contents);
    MailDoctor::Request request = s.request(QStringLiteral("corp"));
    request.smtp.reset();
    MailDoctor doctor(request, tokens.source(), &registry);
    QList<MailDoctor::ServerResult> servers;
    const std::optional<MailDoctor::Summary> summary = run(doctor, &servers);
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->verdict, MailDoctor::Verdict::Incomplete);
    ASSERT_EQ(servers.size(), 2);
    EXPECT_TRUE(servers.at(0).ok());
    EXPECT_FALSE(servers.at(1).checked);
    EXPECT_TRUE(servers.at(1).skipped.contains(QStringLiteral("smtp_host"))) << servers.at(1).skipped.toStdString();
    EXPECT_EQ(summary->records.size(), 1); // no record for a server that was not checked
    EXPECT_TRUE(s.smtp->received.isEmpty());
}

TEST(MailDoctor, NoTokenMeansNothingIsCheckedAndTheErrorIsKept)
{
    Servers s;
    ASSERT_TRUE(s.imap && s.smtp);
    TokenSource tokens;
    tokens.fail = Error(ErrorCode::NeedsSignIn, QStringLiteral("AADSTS65001: The user or administrator has not "
                                                               "consented to use the application."));
    ProviderRegistry registry(withClientId(), QProcessEnvironment());
    MailDoctor doctor(s.request(), tokens.source(), &registry);
    const std::optional<MailDoctor::Summary> summary = run(doctor);
    ASSERT_TRUE(summary);
    EXPECT_EQ(summary->verdict, MailDoctor::Verdict::NoToken);
    ASSERT_TRUE(summary->tokenError);
    EXPECT_EQ(summary->tokenError->code, ErrorCode::NeedsSignIn);
    // Consent missing: the admin kit says where an administrator grants it.
    EXPECT_TRUE(summary->tokenErrorConsentUrl.contains(QStringLiteral("adminconsent")));
    EXPECT_TRUE(summary->records.isEmpty());
    EXPECT_TRUE(summary->audit.isEmpty());
    EXPECT_EQ(s.imap->handshakes, 0);
    EXPECT_EQ(tokens.asked, QStringList{QStringLiteral("imap")});
}

TEST(MailDoctor, AbortWhileWaitingForATokenFinishesOnceAndTheLateTokenIsDropped)
{
    Servers s;
    ASSERT_TRUE(s.imap && s.smtp);
    // A source that answers only when told.
    MailDoctor::TokenCallback pending;
    const auto source
        = [&pending](const TokenBroker::TokenQuery &, MailDoctor::TokenCallback done) { pending = std::move(done); };
    ProviderRegistry registry;
    auto doctor = std::make_unique<MailDoctor>(s.request(), source, &registry);
    int finished = 0;
    std::optional<MailDoctor::Summary> summary;
    QObject::connect(doctor.get(), &MailDoctor::finished, [&](const MailDoctor::Summary &sum) {
        ++finished;
        summary = sum;
    });
    doctor->start();
    ASSERT_TRUE(waitFor([&pending] { return bool(pending); }, 5000));
    doctor->abort();
    ASSERT_EQ(finished, 1);
    EXPECT_EQ(summary->verdict, MailDoctor::Verdict::Incomplete);
    TokenBroker::TokenAnswer late;
    late.provider = QStringLiteral("microsoft");
    late.token = SecretString::fromLatin1(kImapToken);
    pending(std::move(late)); // after finished: ignored
    EXPECT_EQ(finished, 1);
    // And after the doctor is gone.
    doctor.reset();
    TokenBroker::TokenAnswer later;
    later.token = SecretString::fromLatin1(kImapToken);
    pending(std::move(later));
    QTimer::singleShot(50, [] {});
    EXPECT_FALSE(waitFor([&s] { return s.imap->handshakes > 0; }, 300));
}
