// What failed mail logins mean (MailDiagnosis): every decoded server reply, the SASL error
// challenges of XOAUTH2 and OAUTHBEARER, and what a JWT access token's aud / scp / upn say, each
// with its plain-language explanation and fix. Pure functions: no sockets.
#include "core/mailcheck/MailDiagnosis.h"
#include "tests/support/TestUtil.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <gtest/gtest.h>

using namespace mailkey;
using Outcome = MailCheck::Outcome;
using Step = MailCheck::Step;

namespace {

const QString kEmail = QStringLiteral("alex@contoso.com");

MailCheck::Report refused(MailServer::Protocol protocol, Step step, const QByteArray &status, const QString &reply,
                          const QByteArray &challenge = QByteArray())
{
    MailCheck::Report r;
    r.server.protocol = protocol;
    r.server.host = protocol == MailServer::Protocol::Imap ? QStringLiteral("outlook.office365.com")
                                                           : QStringLiteral("smtp.office365.com");
    r.server.port = protocol == MailServer::Protocol::Imap ? 993 : 587;
    r.server.security
        = protocol == MailServer::Protocol::Imap ? MailServer::Security::ImplicitTls : MailServer::Security::StartTls;
    r.outcome = Outcome::Refused;
    r.failedStep = step;
    r.mechanism = QStringLiteral("XOAUTH2");
    r.status = status;
    r.serverReply = reply;
    r.challenge = challenge;
    return r;
}

QStringList ids(const QList<MailDiagnosis> &list)
{
    QStringList out;
    for (const MailDiagnosis &d : list)
        out << d.id;
    return out;
}

QByteArray jwt(const QJsonObject &payload)
{
    const auto b64 = [](const QByteArray &b) {
        return b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    return b64(R"({"typ":"JWT","alg":"RS256"})") + '.' + b64(QJsonDocument(payload).toJson(QJsonDocument::Compact))
           + ".c2lnbmF0dXJl";
}

QJsonObject outlookClaims(const QString &scp, const QString &upn = QStringLiteral("alex@contoso.com"))
{
    return QJsonObject{{QStringLiteral("aud"), QStringLiteral("https://outlook.office.com")},
                       {QStringLiteral("scp"), scp},
                       {QStringLiteral("upn"), upn},
                       {QStringLiteral("tid"), QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47")},
                       {QStringLiteral("exp"), 1796601600}};
}

TEST(MailDiagnosis, Smtp5_7_139SmtpAuthDisabledGivesTheAdminCommand)
{
    const QList<MailDiagnosis> d = diagnoseFailure(
        refused(MailServer::Protocol::Smtp, Step::Authenticate, "535 5.7.139",
                QStringLiteral("535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                               "Tenant.")),
        QStringLiteral("microsoft"), kEmail);
    ASSERT_EQ(ids(d), QStringList{QStringLiteral("smtp-auth-disabled")});
    EXPECT_TRUE(d.first().what.contains(QStringLiteral("SMTP AUTH")));
    EXPECT_TRUE(d.first().admin.contains(
        QStringLiteral("Set-CASMailbox -Identity alex@contoso.com -SmtpClientAuthenticationDisabled $false")));
    EXPECT_TRUE(d.first().admin.contains(QStringLiteral("Set-TransportConfig")));
}

TEST(MailDiagnosis, Smtp5_7_3)
{
    const QList<MailDiagnosis> d = diagnoseFailure(refused(MailServer::Protocol::Smtp, Step::Authenticate, "535 5.7.3",
                                                           QStringLiteral("535 5.7.3 Authentication unsuccessful")),
                                                   QStringLiteral("microsoft"), kEmail);
    ASSERT_EQ(ids(d), QStringList{QStringLiteral("smtp-auth-unsuccessful")});
    EXPECT_TRUE(d.first().what.contains(QStringLiteral("SMTP.Send")));
    EXPECT_TRUE(d.first().admin.contains(QStringLiteral("-SmtpClientAuthenticationDisabled $false")));
}

TEST(MailDiagnosis, Smtp5_7_8GoogleWithErrorChallenge)
{
    const QByteArray challenge = R"({"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"})";
    MailCheck::Report r = refused(MailServer::Protocol::Smtp, Step::Authenticate, "535 5.7.8",
                                  QStringLiteral("535 5.7.8 Username and Password not accepted."), challenge);
    r.server.host = QStringLiteral("smtp.gmail.com");
    const QList<MailDiagnosis> d = diagnoseFailure(r, QStringLiteral("google"), QStringLiteral("you@gmail.com"));
    ASSERT_EQ(ids(d),
              (QStringList{QStringLiteral("smtp-credentials-rejected"), QStringLiteral("sasl-error-challenge")}));
    EXPECT_TRUE(d.first().what.contains(QStringLiteral("https://mail.google.com/")));
    EXPECT_TRUE(d.first().fix.contains(QStringLiteral("mailkey-cli connect google --login-hint you@gmail.com")));
    EXPECT_FALSE(d.first().admin.isEmpty());
    EXPECT_TRUE(d.at(1).what.contains(QStringLiteral("malformed")));
    EXPECT_TRUE(d.at(1).what.contains(QStringLiteral("https://mail.google.com/")));
}

TEST(MailDiagnosis, ImapAuthenticationFailed)
{
    const QList<MailDiagnosis> ms
        = diagnoseFailure(refused(MailServer::Protocol::Imap, Step::Authenticate, "NO AUTHENTICATIONFAILED",
                                  QStringLiteral("a2 NO AUTHENTICATE failed.")),
                          QStringLiteral("microsoft"), kEmail);
    ASSERT_EQ(ids(ms), QStringList{QStringLiteral("imap-auth-failed")});
    EXPECT_TRUE(
        ms.first().admin.contains(QStringLiteral("Set-CASMailbox -Identity alex@contoso.com -ImapEnabled $true")));
    EXPECT_TRUE(ms.first().fix.contains(QStringLiteral("IMAP.AccessAsUser.All")));

    const QList<MailDiagnosis> other
        = diagnoseFailure(refused(MailServer::Protocol::Imap, Step::Authenticate, "NO AUTHENTICATIONFAILED",
                                  QStringLiteral("a2 NO [AUTHENTICATIONFAILED] Authentication failed.")),
                          QStringLiteral("work-idp"), kEmail);
    ASSERT_EQ(ids(other), QStringList{QStringLiteral("imap-auth-failed")});
    EXPECT_TRUE(other.first().admin.isEmpty());
    EXPECT_TRUE(other.first().fix.contains(QStringLiteral("mailkey-cli connect work-idp")));
}

TEST(MailDiagnosis, MicrosoftAuthenticatedButNotConnected)
{
    const QList<MailDiagnosis> d
        = diagnoseFailure(refused(MailServer::Protocol::Imap, Step::Command, "BAD",
                                  QStringLiteral("a3 BAD User is authenticated but not connected.")),
                          QStringLiteral("microsoft"), kEmail);
    ASSERT_EQ(ids(d), QStringList{QStringLiteral("authenticated-not-connected")});
    EXPECT_TRUE(d.first().what.contains(QStringLiteral("User is authenticated but not connected")));
    EXPECT_TRUE(d.first().fix.contains(QStringLiteral("--login-hint alex@contoso.com")));
    EXPECT_TRUE(d.first().admin.contains(QStringLiteral("-ImapEnabled $true")));
}

TEST(MailDiagnosis, AcceptThenFailOtherwise)
{
    EXPECT_EQ(ids(diagnoseFailure(refused(MailServer::Protocol::Imap, Step::Command, "NO",
                                          QStringLiteral("a3 NO Mailbox doesn't exist: INBOX")),
                                  QStringLiteral("google"), kEmail)),
              QStringList{QStringLiteral("accepted-then-failed")});
    const QList<MailDiagnosis> send = diagnoseFailure(
        refused(MailServer::Protocol::Smtp, Step::Command, "550 5.7.60",
                QStringLiteral("550 5.7.60 SMTP; Client does not have permissions to send as this sender")),
        QStringLiteral("microsoft"), kEmail);
    ASSERT_EQ(ids(send), QStringList{QStringLiteral("send-refused")});
    EXPECT_TRUE(send.first().admin.contains(QStringLiteral("Send As")));
}

TEST(MailDiagnosis, OtherRefusalsAndNonRefusals)
{
    EXPECT_EQ(ids(diagnoseFailure(refused(MailServer::Protocol::Smtp, Step::Authenticate, "454 4.7.0",
                                          QStringLiteral("454 4.7.0 Temporary authentication failure")),
                                  QStringLiteral("microsoft"), kEmail)),
              QStringList{QStringLiteral("login-refused")});
    MailCheck::Report r = refused(MailServer::Protocol::Imap, Step::Tls, "", QString());
    r.outcome = Outcome::Untrusted;
    const QList<MailDiagnosis> untrusted = diagnoseFailure(r, QStringLiteral("microsoft"), kEmail);
    ASSERT_EQ(ids(untrusted), QStringList{QStringLiteral("certificate-untrusted")});
    EXPECT_TRUE(untrusted.first().fix.contains(QStringLiteral("--ca FILE")));
    r.outcome = Outcome::Network;
    EXPECT_EQ(ids(diagnoseFailure(r, QStringLiteral("microsoft"), kEmail)), QStringList{QStringLiteral("network")});
    r.outcome = Outcome::Unsupported;
    EXPECT_EQ(ids(diagnoseFailure(r, QStringLiteral("microsoft"), kEmail)), QStringList{QStringLiteral("unsupported")});
    r.outcome = Outcome::Ok;
    EXPECT_TRUE(diagnoseFailure(r, QStringLiteral("microsoft"), kEmail).isEmpty());
}

TEST(MailDiagnosis, Xoauth2ErrorChallenge)
{
    const SaslErrorChallenge c
        = decodeSaslErrorChallenge(R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})");
    EXPECT_TRUE(c.valid);
    EXPECT_EQ(c.status, QStringLiteral("401"));
    EXPECT_EQ(c.schemes, QStringLiteral("bearer"));
    EXPECT_EQ(c.scope, QStringLiteral("https://mail.google.com/"));

    const QList<MailDiagnosis> d
        = diagnoseFailure(refused(MailServer::Protocol::Imap, Step::Authenticate, "NO",
                                  QStringLiteral("a2 NO Invalid credentials (Failure)"),
                                  R"({"status":"401","schemes":"bearer","scope":"https://mail.google.com/"})"),
                          QStringLiteral("google"), kEmail);
    ASSERT_EQ(ids(d), (QStringList{QStringLiteral("login-refused"), QStringLiteral("sasl-error-challenge")}));
    EXPECT_TRUE(d.at(1).what.contains(QStringLiteral("invalid, expired or revoked")));
    EXPECT_TRUE(d.at(1).what.contains(QStringLiteral("XOAUTH2")));
}

TEST(MailDiagnosis, OauthbearerErrorRfc7628)
{
    const SaslErrorChallenge c = decodeSaslErrorChallenge(
        R"({"status":"insufficient_scope","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"})");
    EXPECT_TRUE(c.valid);
    EXPECT_EQ(c.status, QStringLiteral("insufficient_scope"));
    EXPECT_EQ(c.openidConfiguration, QStringLiteral("https://example.com/.well-known/openid-configuration"));
    MailCheck::Report r = refused(MailServer::Protocol::Imap, Step::Authenticate, "NO AUTHENTICATIONFAILED", QString(),
                                  R"({"status":"insufficient_scope","scope":"example_scope"})");
    r.mechanism = QStringLiteral("OAUTHBEARER");
    const QList<MailDiagnosis> d = diagnoseFailure(r, QStringLiteral("work-idp"), kEmail);
    ASSERT_EQ(d.size(), 2);
    EXPECT_TRUE(d.at(1).what.contains(QStringLiteral("OAUTHBEARER")));
    EXPECT_TRUE(d.at(1).what.contains(QStringLiteral("lacks a scope")));
    EXPECT_TRUE(d.at(1).what.contains(QStringLiteral("example_scope")));

    MailCheck::Report invalid = r;
    invalid.challenge = R"({"status":"invalid_token"})";
    EXPECT_TRUE(
        diagnoseFailure(invalid, QStringLiteral("work-idp"), kEmail).at(1).what.contains(QStringLiteral("revoked")));
}

TEST(MailDiagnosis, ChallengeThatIsNotJsonOrHostile)
{
    EXPECT_FALSE(decodeSaslErrorChallenge("not json").valid);
    EXPECT_FALSE(decodeSaslErrorChallenge("[1,2]").valid);
    const SaslErrorChallenge c = decodeSaslErrorChallenge("{\"status\":\"401\\u001b[2J\\u202e\",\"scope\":7}");
    EXPECT_TRUE(c.valid);
    EXPECT_FALSE(c.status.contains(QChar(0x1b)));
    EXPECT_FALSE(c.status.contains(QChar(0x202e)));
}

TEST(MailDiagnosis, JwtClaimsAreRead)
{
    QJsonObject payload = outlookClaims(QStringLiteral("IMAP.AccessAsUser.All SMTP.Send"));
    const AccessTokenClaims c = decodeAccessToken(jwt(payload));
    EXPECT_TRUE(c.jwt);
    EXPECT_EQ(c.audiences, QStringList{QStringLiteral("https://outlook.office.com")});
    EXPECT_EQ(c.scopes, (QStringList{QStringLiteral("IMAP.AccessAsUser.All"), QStringLiteral("SMTP.Send")}));
    EXPECT_EQ(c.user, QStringLiteral("alex@contoso.com"));
    EXPECT_EQ(c.userClaim, QStringLiteral("upn"));
    EXPECT_EQ(c.tenant, QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47"));
    EXPECT_EQ(c.expires.toSecsSinceEpoch(), 1796601600);
    EXPECT_TRUE(diagnoseToken(c, QStringLiteral("microsoft"), MailServer::Protocol::Imap, kEmail).isEmpty());
    EXPECT_TRUE(diagnoseToken(c, QStringLiteral("microsoft"), MailServer::Protocol::Smtp, kEmail).isEmpty());
    // The address is compared without regard to case.
    EXPECT_TRUE(
        diagnoseToken(c, QStringLiteral("microsoft"), MailServer::Protocol::Imap, QStringLiteral("Alex@Contoso.com"))
            .isEmpty());
}

TEST(MailDiagnosis, TokenForAnotherResource)
{
    QJsonObject payload = outlookClaims(QStringLiteral("Mail.ReadWrite User.Read"));
    payload.insert(QStringLiteral("aud"), QStringLiteral("00000003-0000-0000-c000-000000000000"));
    const QList<MailDiagnosis> d = diagnoseToken(decodeAccessToken(jwt(payload)), QStringLiteral("microsoft"),
                                                 MailServer::Protocol::Smtp, kEmail);
    ASSERT_EQ(ids(d), QStringList{QStringLiteral("token-wrong-resource")});
    EXPECT_TRUE(d.first().what.contains(QStringLiteral("Microsoft Graph")));
    EXPECT_TRUE(d.first().fix.contains(QStringLiteral("--resource smtp")));

    payload.insert(QStringLiteral("aud"), QStringLiteral("api://something-else"));
    EXPECT_TRUE(
        diagnoseToken(decodeAccessToken(jwt(payload)), QStringLiteral("microsoft"), MailServer::Protocol::Imap, kEmail)
            .first()
            .what.contains(QStringLiteral("api://something-else")));
}

TEST(MailDiagnosis, TokenLacksScope)
{
    const QList<MailDiagnosis> d
        = diagnoseToken(decodeAccessToken(jwt(outlookClaims(QStringLiteral("IMAP.AccessAsUser.All")))),
                        QStringLiteral("microsoft"), MailServer::Protocol::Smtp, kEmail);
    ASSERT_EQ(ids(d), QStringList{QStringLiteral("token-missing-scope")});
    EXPECT_TRUE(d.first().what.contains(QStringLiteral("SMTP.Send")));
    EXPECT_TRUE(d.first().what.contains(QStringLiteral("IMAP.AccessAsUser.All")));
    EXPECT_FALSE(d.first().admin.isEmpty());
}

TEST(MailDiagnosis, TokenNamesAnotherUser)
{
    const QList<MailDiagnosis> d
        = diagnoseToken(decodeAccessToken(jwt(
                            outlookClaims(QStringLiteral("IMAP.AccessAsUser.All"), QStringLiteral("sam@contoso.com")))),
                        QStringLiteral("microsoft"), MailServer::Protocol::Imap, kEmail);
    ASSERT_EQ(ids(d), QStringList{QStringLiteral("token-wrong-user")});
    EXPECT_TRUE(d.first().what.contains(QStringLiteral("upn sam@contoso.com")));
    EXPECT_TRUE(d.first().what.contains(kEmail));

    // preferred_username when there is no upn.
    QJsonObject payload = outlookClaims(QStringLiteral("IMAP.AccessAsUser.All"));
    payload.remove(QStringLiteral("upn"));
    payload.insert(QStringLiteral("preferred_username"), QStringLiteral("other@fabrikam.com"));
    const QList<MailDiagnosis> p = diagnoseToken(decodeAccessToken(jwt(payload)), QStringLiteral("microsoft"),
                                                 MailServer::Protocol::Imap, kEmail);
    ASSERT_EQ(ids(p), QStringList{QStringLiteral("token-wrong-user")});
    EXPECT_TRUE(p.first().what.contains(QStringLiteral("preferred_username")));
}

TEST(MailDiagnosis, OpaqueTokensAreSaidPlainly)
{
    const AccessTokenClaims google = decodeAccessToken("ya29.a0AfB_byC-opaque-google-token");
    EXPECT_FALSE(google.jwt);
    const QList<MailDiagnosis> g = diagnoseToken(google, QStringLiteral("google"), MailServer::Protocol::Imap, kEmail);
    ASSERT_EQ(ids(g), QStringList{QStringLiteral("token-opaque")});
    EXPECT_TRUE(g.first().what.contains(QStringLiteral("Google's access tokens are opaque")));

    const QList<MailDiagnosis> m = diagnoseToken(decodeAccessToken("EwBwA8l6BAAUkj1oP-opaque-msa"),
                                                 QStringLiteral("microsoft"), MailServer::Protocol::Imap, kEmail);
    ASSERT_EQ(ids(m), QStringList{QStringLiteral("token-opaque")});
    EXPECT_TRUE(m.first().what.contains(QStringLiteral("personal Microsoft accounts")));

    EXPECT_FALSE(decodeAccessToken("eyJhbGciOiJub25lIn0.bm90IGpzb24.x").jwt); // payload not JSON
    EXPECT_FALSE(decodeAccessToken("a.b").jwt);
}

TEST(MailDiagnosis, HostileClaimsAreMadeSafe)
{
    QJsonObject payload = outlookClaims(QStringLiteral("IMAP.AccessAsUser.All"),
                                        QStringLiteral("evil\u001b]0;x\u0007@\u202econtoso.com"));
    const AccessTokenClaims c = decodeAccessToken(jwt(payload));
    EXPECT_FALSE(c.user.contains(QChar(0x1b)));
    EXPECT_FALSE(c.user.contains(QChar(0x202e)));
    const QList<MailDiagnosis> d = diagnoseToken(c, QStringLiteral("microsoft"), MailServer::Protocol::Imap, kEmail);
    ASSERT_EQ(d.size(), 1);
    EXPECT_FALSE(d.first().what.contains(QChar(0x07)));
}

} // namespace
