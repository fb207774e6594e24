// mutt_oauth2.py token files, in the shape the script writes them: json.dumps(token) of the dict it
// builds (keys in its insertion order, ", " and ": " separators, no newline at the end).
#include "core/backup/MuttOAuth2Token.h"

#include "core/common/Clock.h"
#include "tests/support/TestUtil.h"

#include <gtest/gtest.h>

using namespace mailkey;

namespace {

// neomutt's contrib/oauth2/mutt_oauth2.py after an authorization and a refresh.
const QByteArray kGoogle
    = R"({"registration": "google", "authflow": "localhostauthcode", "email": "ann@gmail.example", )"
      R"("access_token": "ya29.fake-access", "access_token_expiration": "2026-12-07T13:45:12.345678", )"
      R"("refresh_token": "1//fake-refresh", "client_id": "123-abc.apps.googleusercontent.example", )"
      R"("client_secret": "GOCSPX-fake"})";

const QDateTime kNow = QDateTime::fromMSecsSinceEpoch(1765100000000, utcZone());

} // namespace

TEST(MuttOAuth2TokenTest, GoogleFile)
{
    EXPECT_EQ(MuttOAuth2Token::registrationOf(kGoogle), QStringLiteral("google"));
    EXPECT_EQ(MuttOAuth2Token::providerFor(QStringLiteral("google")), QStringLiteral("google"));
    EXPECT_EQ(MuttOAuth2Token::providerFor(QStringLiteral("microsoft")), QStringLiteral("microsoft"));
    EXPECT_TRUE(MuttOAuth2Token::providerFor(QStringLiteral("fastmail")).isEmpty());
    Result<SnapshotAccount> a = MuttOAuth2Token::parse(kGoogle, QStringLiteral("google"), false, kNow);
    ASSERT_TRUE(a.ok()) << a.error().message.toStdString();
    EXPECT_EQ(a->info.provider, QStringLiteral("google"));
    EXPECT_EQ(a->info.email, QStringLiteral("ann@gmail.example"));
    ASSERT_TRUE(a->client.has_value());
    EXPECT_EQ(a->client->clientId, QStringLiteral("123-abc.apps.googleusercontent.example"));
    EXPECT_TRUE(a->client->clientSecret.equals(QStringLiteral("GOCSPX-fake")));
    ASSERT_EQ(a->tokens.size(), 1u);
    const TokenRecord &t = a->tokens.front();
    EXPECT_EQ(t.resource, QStringLiteral("default"));
    EXPECT_TRUE(t.accessToken.equals(QStringLiteral("ya29.fake-access")));
    EXPECT_TRUE(t.refreshToken.equals(QStringLiteral("1//fake-refresh")));
    EXPECT_EQ(t.scopes, QStringList{QStringLiteral("https://mail.google.com/")});
    // Local time of the machine that wrote it.
    EXPECT_EQ(t.expiresAt, QDateTime(QDate(2026, 12, 7), QTime(13, 45, 12, 345)).toUTC());
}

TEST(MuttOAuth2TokenTest, MicrosoftFileGoesToTheImapResource)
{
    QByteArray file = kGoogle;
    file.replace("\"google\"", "\"microsoft\"");
    file.replace("\"localhostauthcode\"", "\"devicecode\"");
    Result<SnapshotAccount> a = MuttOAuth2Token::parse(file, QStringLiteral("microsoft"), true, kNow);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->tokens.front().resource, QStringLiteral("imap"));
    EXPECT_TRUE(a->tokens.front().scopes.contains(QStringLiteral("https://outlook.office.com/SMTP.Send")));
}

TEST(MuttOAuth2TokenTest, NeverAuthorizedOrExpiredAccessToken)
{
    // As the script writes it before --authorize: empty strings.
    const QByteArray fresh = R"({"registration": "google", "authflow": "authcode", "email": "a@b.example", )"
                             R"("access_token": "", "access_token_expiration": "", "refresh_token": "", )"
                             R"("client_id": "c", "client_secret": ""})";
    Result<SnapshotAccount> none = MuttOAuth2Token::parse(fresh, QStringLiteral("google"), false, kNow);
    ASSERT_FALSE(none.ok());
    EXPECT_TRUE(none.error().message.contains(QStringLiteral("--authorize")));
    QByteArray noAccess = fresh;
    noAccess.replace(R"("refresh_token": "")", R"("refresh_token": "r")");
    Result<SnapshotAccount> a = MuttOAuth2Token::parse(noAccess, QStringLiteral("google"), false, kNow);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->tokens.front().expiresAt, kNow); // refreshed at first use
}

TEST(MuttOAuth2TokenTest, OlderScriptWithoutClientIdIsExplained)
{
    // Debian 12's mutt example keeps client_id in the script, not in the file.
    const QByteArray old = R"({"registration": "google", "authflow": "authcode", "email": "a@b.example", )"
                           R"("access_token": "x", "access_token_expiration": "2026-12-07T13:45:12.345678", )"
                           R"("refresh_token": "secret-refresh"})";
    Result<SnapshotAccount> a = MuttOAuth2Token::parse(old, QStringLiteral("google"), false, kNow);
    ASSERT_FALSE(a.ok());
    EXPECT_TRUE(a.error().message.contains(QStringLiteral("client_id")));
    EXPECT_FALSE(a.error().message.contains(QStringLiteral("secret-refresh")));
}

TEST(MuttOAuth2TokenTest, NotATokenFile)
{
    for (const QByteArray &bad : {QByteArray("gpg: decryption failed: No secret key"), QByteArray("[]"),
                                  QByteArray(R"({"email": "a@b.example"})"),
                                  QByteArray(R"({"registration": "google", "email": "not an address", )"
                                             R"("refresh_token": "r", "client_id": "c"})")}) {
        Result<SnapshotAccount> a = MuttOAuth2Token::parse(bad, QStringLiteral("google"), false, kNow);
        EXPECT_FALSE(a.ok()) << bad.toStdString();
    }
}
