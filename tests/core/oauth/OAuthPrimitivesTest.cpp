// PKCE, state/nonce, token-reply parsing, the error catalog, Retry-After and id_token checks.
// Secrets are compared with EXPECT_TRUE(a == b) and never streamed into failure messages.
#include "core/oauth/IdToken.h"
#include "core/oauth/OAuthErrorCatalog.h"
#include "core/oauth/OAuthState.h"
#include "core/oauth/Pkce.h"
#include "core/oauth/TokenReply.h"

#include "tests/support/TestUtil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <QTimeZone>
#include <type_traits>

#include <gtest/gtest.h>

using namespace mailkey;

namespace {

QString S(const char *s)
{
    return QString::fromUtf8(s);
}

QByteArray B(const QString &s)
{
    return s.toUtf8();
}

bool isBase64UrlNoPad(const QByteArray &s)
{
    for (const char c : s) {
        const bool ok
            = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok)
            return false;
    }
    return true;
}

const QDateTime kNow(QDate(2024, 5, 14), QTime(9, 12, 33), QTimeZone::utc());
const QStringList kScopes = {S("offline_access"), S("https://outlook.office.com/IMAP.AccessAsUser.All")};

// Fake but realistically shaped token values.
const QString kAccess = S("EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAbzmX3aNlkeq2yoHa8wjeZ5cCq9HcT3V1"
                          "+Wu9QOc1DrYoR1L8yA4cE9gI1lO6nP0rU5tW3yB8dF2hK7mQ");
const QString kRefresh = S("M.C507_BAY.0.U.-CrW8vN7!kHh3mXo9*Zq2LtP1sDfGhJkLzXcVbNm5$aSdFgHjKlQwE"
                           "rTyUiOp0zXcVbNm5aSdFgHjKl");
const QString kOldRefresh = S("1//0gHdP9kX2mQ7vLCgYIARAAGBASNwF-L9IrT4uW6yZ1bD5fH0jN3kM8qS2vX7zA4c"
                              "E9gI1lO6nP0rU5tW3yB8dF2hK7m");
const QString kIdToken = S("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlc2lnbmF0dXJl");

QByteArray msBody(const char *error, int aadsts, const char *text, const char *extra = "")
{
    return QByteArray("{\"error\":\"") + error + "\",\"error_description\":\"AADSTS" + QByteArray::number(aadsts) + ": "
           + text
           + " Trace ID: 0d6c3a5e-2f4b-4c1d-9a8e-7b6f5e4d3c2b Correlation ID: "
             "8f7e6d5c-4b3a-4910-8f7e-6d5c4b3a2910 Timestamp: 2024-05-14 09:12:33Z\","
             "\"error_codes\":["
           + QByteArray::number(aadsts)
           + "],\"timestamp\":\"2024-05-14 09:12:33Z\",\"trace_id\":\"0d6c3a5e-2f4b-4c1d-9a8e-"
             "7b6f5e4d3c2b\",\"correlation_id\":\"8f7e6d5c-4b3a-4910-8f7e-6d5c4b3a2910\","
             "\"error_uri\":\"https://login.microsoftonline.com/error?code="
           + QByteArray::number(aadsts) + "\"" + extra + "}";
}

const QByteArray kJson = "application/json; charset=utf-8";

TokenReplyResult parse(int status, const QByteArray &body, const QByteArray &ct = kJson, const QString &previous = {})
{
    return parseTokenReply(status, ct, body, kNow, kScopes, SecretString(previous));
}

// Every text of an error, for "no secret in here" checks.
QString allText(const OAuthError &e)
{
    return e.error + e.description + e.subError + e.traceId + e.correlationId + e.userMessage;
}

} // namespace

// --- PKCE ----------------------------------------------------------------------------------

TEST(Pkce, Rfc7636AppendixBVector)
{
    EXPECT_EQ(Pkce::challengeS256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
              QByteArray("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
    EXPECT_TRUE(Pkce::isValidVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
}

TEST(Pkce, GeneratedPairIsValidAndConsistent)
{
    const PkcePair p = Pkce::generate();
    EXPECT_EQ(p.verifier.size(), 43);
    EXPECT_TRUE(Pkce::isValidVerifier(p.verifier.bytes()));
    EXPECT_TRUE(isBase64UrlNoPad(p.verifier.bytes()));
    EXPECT_TRUE(p.challenge == Pkce::challengeS256(p.verifier.bytes()));
    EXPECT_EQ(p.challenge.size(), 43);
    EXPECT_TRUE(isBase64UrlNoPad(p.challenge));
    EXPECT_FALSE(p.challenge == p.verifier.bytes());
    EXPECT_STREQ(Pkce::kMethod, "S256");
}

TEST(Pkce, VerifiersAreUniqueAndUseTheWholeAlphabet)
{
    QSet<QByteArray> seen;
    QSet<char> alphabet;
    for (int i = 0; i < 300; ++i) {
        const PkcePair p = Pkce::generate();
        seen.insert(p.verifier.bytes());
        for (const char c : p.verifier.bytes().left(42)) // the 43rd char carries only 4 bits
            alphabet.insert(c);
    }
    EXPECT_EQ(seen.size(), 300);
    // 300 * 42 characters of a uniform 64-symbol alphabet: every symbol shows up (a hex or
    // otherwise narrowed generator would not).
    EXPECT_EQ(alphabet.size(), 64);
}

TEST(Pkce, VerifierValidation)
{
    EXPECT_FALSE(Pkce::isValidVerifier(QByteArray(42, 'a')));
    EXPECT_TRUE(Pkce::isValidVerifier(QByteArray(43, 'a')));
    EXPECT_TRUE(Pkce::isValidVerifier(QByteArray(128, '~')));
    EXPECT_FALSE(Pkce::isValidVerifier(QByteArray(129, 'a')));
    EXPECT_FALSE(Pkce::isValidVerifier(QByteArray(42, 'a') + '+'));
    EXPECT_FALSE(Pkce::isValidVerifier(QByteArray(42, 'a') + '='));
    EXPECT_FALSE(Pkce::isValidVerifier(QByteArray(42, 'a') + ' '));
    EXPECT_TRUE(Pkce::isValidVerifier(QByteArray(40, 'a') + "-._"));
}

// --- state and nonce -----------------------------------------------------------------------

TEST(OAuthState, StateHas256BitsOfBase64Url)
{
    const SecureBytes s = OAuthState::generate();
    EXPECT_EQ(s.size(), 43);
    EXPECT_TRUE(isBase64UrlNoPad(s.bytes()));
    const auto decoded = QByteArray::fromBase64Encoding(s.bytes(), QByteArray::Base64UrlEncoding
                                                                       | QByteArray::AbortOnBase64DecodingErrors);
    EXPECT_EQ(decoded.decodingStatus, QByteArray::Base64DecodingStatus::Ok);
    EXPECT_EQ(decoded.decoded.size(), 32);

    QSet<QByteArray> seen;
    for (int i = 0; i < 300; ++i) {
        seen.insert(OAuthState::generate().bytes());
        seen.insert(OAuthState::generateNonce().bytes());
    }
    EXPECT_EQ(seen.size(), 600);
    EXPECT_EQ(OAuthState::generateNonce().size(), 43);
}

TEST(OAuthState, Matches)
{
    const SecureBytes s = OAuthState::generate();
    QByteArray copy = s.bytes();
    copy.detach();
    EXPECT_TRUE(OAuthState::matches(s.bytes(), copy));

    QByteArray lastDiffers = copy;
    lastDiffers[42] = lastDiffers[42] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(OAuthState::matches(s.bytes(), lastDiffers));
    QByteArray firstDiffers = copy;
    firstDiffers[0] = firstDiffers[0] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(OAuthState::matches(s.bytes(), firstDiffers));
    EXPECT_FALSE(OAuthState::matches(s.bytes(), copy.left(42)));
    EXPECT_FALSE(OAuthState::matches(s.bytes(), copy + 'x'));
    EXPECT_FALSE(OAuthState::matches(s.bytes(), QByteArray()));
    EXPECT_FALSE(OAuthState::matches(QByteArray(), s.bytes()));
    EXPECT_FALSE(OAuthState::matches(QByteArray(), QByteArray()));
    EXPECT_FALSE(OAuthState::matches(QByteArray(""), QByteArray("")));
}

// --- token reply: success ------------------------------------------------------------------

TEST(TokenReply, MicrosoftSuccess)
{
    const QByteArray body = "{\"token_type\":\"Bearer\",\"scope\":\"https://outlook.office.com/"
                            "IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send\","
                            "\"expires_in\":4307,\"ext_expires_in\":4307,\"access_token\":\""
                            + B(kAccess) + "\",\"refresh_token\":\"" + B(kRefresh) + "\",\"id_token\":\"" + B(kIdToken)
                            + "\"}";
    TokenReplyResult r = parse(200, body, kJson, kOldRefresh);
    ASSERT_TRUE(r.ok());
    const TokenSet &t = r.tokens();
    EXPECT_TRUE(t.accessToken.reveal() == kAccess);
    EXPECT_TRUE(t.refreshToken.reveal() == kRefresh);
    EXPECT_TRUE(t.idToken.reveal() == kIdToken);
    EXPECT_TRUE(t.refreshTokenRotated);
    EXPECT_EQ(t.tokenType, S("Bearer"));
    EXPECT_EQ(t.expiresIn, 4307);
    EXPECT_EQ(t.expiresAt, kNow.addSecs(4307));
    EXPECT_EQ(t.scopes, (QStringList{S("https://outlook.office.com/IMAP.AccessAsUser.All"),
                                     S("https://outlook.office.com/SMTP.Send")}));
    EXPECT_FALSE(t.scopesFromRequest);
}

TEST(TokenReply, GoogleRefreshWithoutNewRefreshTokenKeepsTheOldOne)
{
    const QByteArray body = "{\n  \"access_token\": \"ya29.a0AfB_byC3xK9mQ7vL2pR8sT4uW6yZ1bD5\",\n"
                            "  \"expires_in\": 3599,\n  \"scope\": \"https://mail.google.com/\",\n"
                            "  \"token_type\": \"Bearer\"\n}";
    TokenReplyResult r = parse(200, body, kJson, kOldRefresh);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.tokens().refreshToken.reveal() == kOldRefresh);
    EXPECT_FALSE(r.tokens().refreshTokenRotated);
    EXPECT_TRUE(r.tokens().idToken.isEmpty());
    EXPECT_EQ(r.tokens().scopes, QStringList{S("https://mail.google.com/")});
    EXPECT_EQ(r.tokens().expiresAt, kNow.addSecs(3599));

    // An empty refresh_token is "none", not "rotate to empty".
    const QByteArray empty = "{\"access_token\":\"abc\",\"token_type\":\"bearer\",\"expires_in\":60,"
                             "\"refresh_token\":\"\"}";
    TokenReplyResult r2 = parse(200, empty, kJson, kOldRefresh);
    ASSERT_TRUE(r2.ok());
    EXPECT_TRUE(r2.tokens().refreshToken.reveal() == kOldRefresh);
    EXPECT_FALSE(r2.tokens().refreshTokenRotated);
}

TEST(TokenReply, MissingScopeMeansTheRequestedScopes)
{
    TokenReplyResult r = parse(200, "{\"access_token\":\"abc\",\"token_type\":\"BEARER\",\"expires_in\":60}");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.tokens().scopes, kScopes);
    EXPECT_TRUE(r.tokens().scopesFromRequest);
    EXPECT_EQ(r.tokens().tokenType, S("Bearer"));
}

TEST(TokenReply, ExpiresInForms)
{
    const auto withExpires = [](const QByteArray &value) {
        return parse(200, "{\"access_token\":\"abc\",\"token_type\":\"Bearer\",\"expires_in\":" + value + "}");
    };
    {
        TokenReplyResult r = withExpires("\"3599\""); // Microsoft used to send strings
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.tokens().expiresIn, 3599);
    }
    {
        TokenReplyResult r = withExpires("3600.0");
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.tokens().expiresIn, 3600);
    }
    {
        TokenReplyResult r = withExpires("31536000"); // exactly one year is accepted
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.tokens().expiresAt, kNow.addSecs(31536000));
    }
    for (const QByteArray &v : {QByteArray("0"), QByteArray("-1"), QByteArray("31536001"), QByteArray("\"0\""),
                                QByteArray("\"abc\""), QByteArray("\"3599s\""), QByteArray("3599.5"),
                                QByteArray("null"), QByteArray("true"), QByteArray("[3599]"), QByteArray("1e300")}) {
        TokenReplyResult r = withExpires(v);
        ASSERT_FALSE(r.ok()) << v.constData();
        EXPECT_EQ(r.oauthError().kind, OAuthErrorKind::Malformed) << v.constData();
        EXPECT_TRUE(r.oauthError().userMessage.contains(S("expires_in"))) << v.constData();
    }
    TokenReplyResult missing = parse(200, "{\"access_token\":\"abc\",\"token_type\":\"Bearer\"}");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.oauthError().kind, OAuthErrorKind::Malformed);
    EXPECT_TRUE(missing.oauthError().userMessage.contains(S("\"expires_in\" is missing")));
}

TEST(TokenReply, MalformedSuccessRepliesNeverQuoteTheBody)
{
    const QByteArray tok = B(kAccess);
    struct Case {
        const char *name;
        QByteArray body;
        QByteArray contentType;
        const char *mentions;
    };
    const Case cases[] = {
        {"no access_token", "{\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"" + B(kRefresh) + "\"}",
         kJson, "access_token"},
        {"empty access_token", "{\"access_token\":\"\",\"token_type\":\"Bearer\",\"expires_in\":3600}", kJson,
         "access_token"},
        {"numeric access_token", "{\"access_token\":12345,\"token_type\":\"Bearer\",\"expires_in\":3600}", kJson,
         "access_token"},
        {"no token_type", "{\"access_token\":\"" + tok + "\",\"expires_in\":3600}", kJson, "token_type"},
        {"MAC token", "{\"access_token\":\"" + tok + "\",\"token_type\":\"mac\",\"expires_in\":3600}", kJson, "Bearer"},
        {"numeric refresh_token",
         "{\"access_token\":\"" + tok + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":5}", kJson,
         "refresh_token"},
        {"array scope",
         "{\"access_token\":\"" + tok + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"scope\":[\"a\"]}", kJson,
         "scope"},
        {"object id_token",
         "{\"access_token\":\"" + tok + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"id_token\":{}}", kJson,
         "id_token"},
        {"truncated JSON", "{\"access_token\":\"" + tok + "\",\"token_type\":\"Bea", kJson, "not valid JSON"},
        {"JSON array", "[\"" + tok + "\"]", kJson, "not an object"},
        {"plain text", "access_token=" + tok + "&token_type=bearer&expires_in=3600", "text/plain", "not valid JSON"},
        {"empty", "", kJson, "empty"},
        {"captive portal",
         "<!DOCTYPE html><html><head><title>Hotel WiFi Login</title></head><body>"
         "<form action=\"/login?next="
             + tok + "\"></form></body></html>",
         "text/html; charset=UTF-8", "Hotel WiFi Login"},
    };
    for (const Case &c : cases) {
        TokenReplyResult r = parse(200, c.body, c.contentType);
        ASSERT_FALSE(r.ok()) << c.name;
        const OAuthError &e = r.oauthError();
        EXPECT_EQ(e.kind, OAuthErrorKind::Malformed) << c.name;
        EXPECT_EQ(e.httpStatus, 200) << c.name;
        EXPECT_TRUE(e.userMessage.contains(S(c.mentions))) << c.name;
        EXPECT_FALSE(allText(e).contains(kAccess)) << c.name;
        EXPECT_FALSE(allText(e).contains(kAccess.left(12))) << c.name;
        EXPECT_FALSE(allText(e).contains(kRefresh.left(12))) << c.name;
        EXPECT_EQ(r.error().code, ErrorCode::Provider) << c.name;
    }
}

TEST(TokenReply, TokenSetWipe)
{
    TokenReplyResult r = parse(200, "{\"access_token\":\"" + B(kAccess)
                                        + "\",\"token_type\":\"Bearer\","
                                          "\"expires_in\":60,\"refresh_token\":\""
                                        + B(kRefresh) + "\"}");
    ASSERT_TRUE(r.ok());
    static_assert(!std::is_copy_constructible_v<TokenSet>, "a token set is never copied by accident");
    // A move hands the tokens over and leaves none behind.
    TokenSet moved = std::move(r.tokens());
    EXPECT_TRUE(r.tokens().accessToken.isEmpty()); // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(moved.accessToken.reveal() == kAccess);
    EXPECT_TRUE(moved.refreshToken.reveal() == kRefresh);
    moved.wipe();
    EXPECT_TRUE(moved.accessToken.isEmpty());
    EXPECT_TRUE(moved.refreshToken.isEmpty());
    EXPECT_EQ(moved.expiresIn, 0);
}

// --- token reply: errors -------------------------------------------------------------------

TEST(TokenReply, MicrosoftExpiredGrant)
{
    TokenReplyResult r = parse(400, msBody("invalid_grant", 70008,
                                           "The provided authorization code or refresh token has "
                                           "expired due to inactivity. Send a new interactive "
                                           "authorization request for this user and resource."));
    ASSERT_FALSE(r.ok());
    const OAuthError &e = r.oauthError();
    EXPECT_EQ(e.httpStatus, 400);
    EXPECT_EQ(e.error, S("invalid_grant"));
    EXPECT_EQ(e.aadsts, 70008);
    EXPECT_EQ(e.errorCodes, QList<int>{70008});
    EXPECT_EQ(e.traceId, S("0d6c3a5e-2f4b-4c1d-9a8e-7b6f5e4d3c2b"));
    EXPECT_EQ(e.correlationId, S("8f7e6d5c-4b3a-4910-8f7e-6d5c4b3a2910"));
    EXPECT_TRUE(e.description.startsWith(S("AADSTS70008: The provided authorization code")));
    EXPECT_EQ(e.kind, OAuthErrorKind::NeedsSignIn);
    EXPECT_TRUE(e.userMessage.contains(S("Sign in again")));
    EXPECT_TRUE(e.userMessage.contains(S("AADSTS70008")));
    EXPECT_EQ(r.error().code, ErrorCode::NeedsSignIn);
    EXPECT_EQ(r.error().message, e.userMessage);
}

TEST(TokenReply, MicrosoftErrorsByAadsts)
{
    struct Case {
        const char *error;
        int aadsts;
        const char *text;
        OAuthErrorKind kind;
        const char *mentions;
    };
    const Case cases[] = {
        {"invalid_request", 50011,
         "The redirect URI 'http://localhost:53127/' specified in the request does not match the "
         "redirect URIs configured for the application '6731de76-14a6-49ae-97bc-6eba6914391e'.",
         OAuthErrorKind::Configuration, "Mobile and desktop applications"},
        {"invalid_grant", 65001,
         "The user or administrator has not consented to use the application with ID "
         "'6731de76-14a6-49ae-97bc-6eba6914391e' named 'MailKey'.",
         OAuthErrorKind::NeedsSignIn, "permission"},
        {"invalid_client", 7000218,
         "The request body must contain the following parameter: 'client_assertion' or "
         "'client_secret'.",
         OAuthErrorKind::Configuration, "\"Web\""},
        {"invalid_grant", 700082,
         "The refresh token has expired due to inactivity. The token was issued on "
         "2024-01-01T10:00:00.0000000Z and was inactive for 90.00:00:00.",
         OAuthErrorKind::NeedsSignIn, "Sign in again"},
        {"invalid_grant", 54005,
         "OAuth2 Authorization code was already redeemed, please retry "
         "with a new valid code or use an existing refresh token.",
         OAuthErrorKind::NeedsSignIn, "already used"},
        {"invalid_grant", 90094, "The grant requires admin permission.", OAuthErrorKind::Configuration,
         "administrator"},
        {"unauthorized_client", 700016,
         "Application with identifier '6731de76-14a6-49ae-97bc-6eba6914391e' was not found in "
         "the directory 'Contoso'.",
         OAuthErrorKind::Configuration, "client ID"},
        {"invalid_grant", 50076,
         "Due to a configuration change made by your administrator, or because you moved to a "
         "new location, you must use multi-factor authentication to access "
         "'00000002-0000-0ff1-ce00-000000000000'.",
         OAuthErrorKind::NeedsSignIn, "multi-factor"},
        {"invalid_grant", 53003, "Access has been blocked by Conditional Access policies.", OAuthErrorKind::NeedsSignIn,
         "Conditional Access"},
        {"invalid_request", 9002313, "Invalid request. Request is malformed or invalid.", OAuthErrorKind::Configuration,
         "provider settings"},
        {"temporarily_unavailable", 50196,
         "The server terminated an operation because it encountered a client request loop.", OAuthErrorKind::Transient,
         "try again"},
    };
    for (const Case &c : cases) {
        TokenReplyResult r = parse(400, msBody(c.error, c.aadsts, c.text, ",\"suberror\":\"bad_token\""));
        ASSERT_FALSE(r.ok()) << c.aadsts;
        const OAuthError &e = r.oauthError();
        EXPECT_EQ(e.aadsts, c.aadsts);
        EXPECT_EQ(e.kind, c.kind) << c.aadsts;
        EXPECT_EQ(e.subError, S("bad_token"));
        EXPECT_TRUE(e.userMessage.contains(S(c.mentions), Qt::CaseInsensitive))
            << c.aadsts << ": " << e.userMessage.toStdString();
        EXPECT_TRUE(e.userMessage.contains(S("AADSTS") + QString::number(c.aadsts))) << c.aadsts;
    }
}

TEST(TokenReply, GoogleErrors)
{
    {
        TokenReplyResult r = parse(400, "{\n  \"error\": \"invalid_grant\",\n  \"error_description\": "
                                        "\"Token has been expired or revoked.\"\n}");
        ASSERT_FALSE(r.ok());
        const OAuthError &e = r.oauthError();
        EXPECT_EQ(e.kind, OAuthErrorKind::NeedsSignIn);
        EXPECT_EQ(e.aadsts, 0);
        EXPECT_EQ(e.description, S("Token has been expired or revoked."));
        EXPECT_TRUE(e.userMessage.contains(S("Testing")));
        EXPECT_TRUE(e.userMessage.contains(S("7 days")));
        EXPECT_TRUE(e.userMessage.contains(S("Sign in again")));
    }
    struct Case {
        const char *error;
        OAuthErrorKind kind;
    };
    const Case cases[] = {
        {"redirect_uri_mismatch", OAuthErrorKind::Configuration},
        {"invalid_client", OAuthErrorKind::Configuration},
        {"unauthorized_client", OAuthErrorKind::Configuration},
        {"invalid_scope", OAuthErrorKind::Configuration},
        {"unsupported_grant_type", OAuthErrorKind::Configuration},
        {"invalid_request", OAuthErrorKind::Configuration},
        {"admin_policy_enforced", OAuthErrorKind::Configuration},
        {"org_internal", OAuthErrorKind::Configuration},
        {"interaction_required", OAuthErrorKind::NeedsSignIn},
        {"consent_required", OAuthErrorKind::NeedsSignIn},
        {"login_required", OAuthErrorKind::NeedsSignIn},
        {"temporarily_unavailable", OAuthErrorKind::Transient},
        {"server_error", OAuthErrorKind::Transient},
        {"something_new", OAuthErrorKind::Provider},
    };
    QSet<QString> messages;
    for (const Case &c : cases) {
        TokenReplyResult r
            = parse(400, QByteArray("{\"error\":\"") + c.error + "\",\"error_description\":\"Bad Request\"}");
        ASSERT_FALSE(r.ok()) << c.error;
        EXPECT_EQ(r.oauthError().kind, c.kind) << c.error;
        EXPECT_TRUE(r.oauthError().userMessage.contains(S(c.error))) << c.error;
        messages.insert(r.oauthError().userMessage);
    }
    EXPECT_EQ(messages.size(), int(std::size(cases))) << "each error has its own message";
}

TEST(TokenReply, ErrorKindMapsToErrorCode)
{
    EXPECT_EQ(parse(400, "{\"error\":\"invalid_grant\"}").error().code, ErrorCode::NeedsSignIn);
    EXPECT_EQ(parse(401, "{\"error\":\"invalid_client\"}").error().code, ErrorCode::Config);
    EXPECT_EQ(parse(503, "{\"error\":\"temporarily_unavailable\"}").error().code, ErrorCode::Network);
    EXPECT_EQ(parse(400, "{\"error\":\"weird\"}").error().code, ErrorCode::Provider);
}

TEST(TokenReply, TransientAndHttpLevelFailures)
{
    {
        TokenReplyResult r = parse(503,
                                   "<html><head><title>503 Service Unavailable</title></head>"
                                   "<body>upstream connect error</body></html>",
                                   "text/html");
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.oauthError().kind, OAuthErrorKind::Transient);
        EXPECT_EQ(r.oauthError().httpStatus, 503);
        EXPECT_TRUE(r.oauthError().userMessage.contains(S("try again later")));
        EXPECT_TRUE(r.oauthError().description.contains(S("503 Service Unavailable")));
    }
    {
        TokenReplyResult r = parse(429, "{\"message\":\"Too many requests\"}");
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.oauthError().kind, OAuthErrorKind::Transient);
        EXPECT_TRUE(r.oauthError().userMessage.contains(S("too many requests")));
    }
    {
        TokenReplyResult r = parse(502, "", "");
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.oauthError().kind, OAuthErrorKind::Transient);
    }
    {
        TokenReplyResult r = parse(0, "", "");
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.oauthError().kind, OAuthErrorKind::Transient);
        EXPECT_EQ(r.error().code, ErrorCode::Network);
    }
    {
        TokenReplyResult r = parse(404, "<html><title>404 Not Found</title></html>", "text/html");
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.oauthError().kind, OAuthErrorKind::Configuration);
        EXPECT_TRUE(r.oauthError().userMessage.contains(S("token URL")));
    }
    {
        // 200 with an "error" member is an error.
        TokenReplyResult r = parse(200, "{\"error\":\"invalid_grant\",\"error_description\":\"Bad Request\"}");
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.oauthError().kind, OAuthErrorKind::NeedsSignIn);
    }
    {
        // A known error wins over a 5xx status.
        TokenReplyResult r = parse(500, "{\"error\":\"invalid_client\"}");
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.oauthError().kind, OAuthErrorKind::Configuration);
    }
}

TEST(TokenReply, ErrorTextsAreRedactedAndShort)
{
    // A provider that echoes the request in its error text.
    const QByteArray body = "{\"error\":\"invalid_request\",\"error_description\":\"Invalid parameter "
                            "refresh_token="
                            + B(kRefresh)
                            + " and code=4/0AfJohXnK2mQ7vL9pR8sT4uW6yZ1b"
                              "D5fH0jN3kM8qS2vX7zA4cE9\",\"suberror\":\"Bearer "
                            + B(kAccess) + "\"}";
    TokenReplyResult r = parse(400, body);
    ASSERT_FALSE(r.ok());
    const QString all = allText(r.oauthError());
    EXPECT_FALSE(all.contains(kRefresh.left(12)));
    EXPECT_FALSE(all.contains(kAccess.left(12)));
    EXPECT_FALSE(all.contains(S("4/0AfJohXnK2")));
    EXPECT_TRUE(r.oauthError().description.contains(S("refresh_token=[redacted]")));

    // A huge text body on an error status: described briefly, secret-free.
    QByteArray big = "Internal failure while handling access_token=" + B(kAccess) + " ";
    big += QByteArray(200000, 'x');
    TokenReplyResult r2 = parse(400, big, "text/plain");
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.oauthError().kind, OAuthErrorKind::Malformed);
    EXPECT_LT(r2.oauthError().description.size(), 200);
    EXPECT_LT(r2.oauthError().userMessage.size(), 600);
    EXPECT_FALSE(allText(r2.oauthError()).contains(kAccess.left(12)));

    // Bodies over the size limit are not parsed at all.
    TokenReplyResult r3 = parse(200, QByteArray(kMaxTokenReplySize + 1, ' '));
    ASSERT_FALSE(r3.ok());
    EXPECT_EQ(r3.oauthError().kind, OAuthErrorKind::Malformed);

    mailkey::test::expectNotLogged({B(kAccess), B(kRefresh), B(kOldRefresh)});
}

// --- Retry-After ---------------------------------------------------------------------------

TEST(RetryAfter, DeltaSecondsAndHttpDates)
{
    EXPECT_EQ(parseRetryAfter("120", kNow), kNow.addSecs(120));
    EXPECT_EQ(parseRetryAfter("  0 ", kNow), kNow);
    EXPECT_EQ(parseRetryAfter("99999999999999999999", kNow), kNow.addSecs(86400));
    EXPECT_EQ(parseRetryAfter("172800", kNow), kNow.addSecs(86400));

    const QDateTime before(QDate(1994, 11, 6), QTime(8, 40, 0), QTimeZone::utc());
    const QDateTime expected(QDate(1994, 11, 6), QTime(8, 49, 37), QTimeZone::utc());
    EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", before), expected);
    EXPECT_EQ(parseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", before), expected);
    EXPECT_EQ(parseRetryAfter("Sun Nov  6 08:49:37 1994", before), expected);
    // A non-UTC "now" gives the same instant.
    EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", before.toOffsetFromUtc(3600)), expected);

    // In the past: retry now.
    EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kNow), kNow);
    // In the future, realistic: Tue, 14 May 2024 09:15:00 GMT.
    EXPECT_EQ(parseRetryAfter("Tue, 14 May 2024 09:15:00 GMT", kNow),
              QDateTime(QDate(2024, 5, 14), QTime(9, 15, 0), QTimeZone::utc()));
    EXPECT_EQ(parseRetryAfter("Tuesday, 14-May-24 09:15:00 GMT", kNow),
              QDateTime(QDate(2024, 5, 14), QTime(9, 15, 0), QTimeZone::utc()));

    for (const QByteArray &bad : {QByteArray(""), QByteArray("soon"), QByteArray("-5"), QByteArray("1.5"),
                                  QByteArray("Sun, 31 Feb 2024 08:49:37 GMT"),
                                  QByteArray("Sun, 06 Foo 1994 08:49:37 GMT"), QByteArray("2024-05-14T09:15:00Z")})
        EXPECT_FALSE(parseRetryAfter(bad, kNow).isValid()) << bad.constData();
}

// --- error catalog -------------------------------------------------------------------------

TEST(OAuthErrorCatalog, EveryListedAadstsHasASpecificMessage)
{
    struct Case {
        int code;
        OAuthErrorKind kind;
        const char *mentions;
    };
    const Case cases[] = {
        {50011, OAuthErrorKind::Configuration, "http://localhost"},
        {70008, OAuthErrorKind::NeedsSignIn, "Sign in again"},
        {700082, OAuthErrorKind::NeedsSignIn, "Sign in again"},
        {54005, OAuthErrorKind::NeedsSignIn, "already used"},
        {65001, OAuthErrorKind::NeedsSignIn, "accept"},
        {90094, OAuthErrorKind::Configuration, "administrator"},
        {90008, OAuthErrorKind::Configuration, "administrator"},
        {700016, OAuthErrorKind::Configuration, "tenant"},
        {50076, OAuthErrorKind::NeedsSignIn, "multi-factor"},
        {50079, OAuthErrorKind::NeedsSignIn, "multi-factor"},
        {7000218, OAuthErrorKind::Configuration, "Mobile and desktop applications"},
        {53003, OAuthErrorKind::NeedsSignIn, "administrator"},
        {50020, OAuthErrorKind::NeedsSignIn, "organisation"},
        {50034, OAuthErrorKind::NeedsSignIn, "does not exist"},
        {9002313, OAuthErrorKind::Configuration, "malformed"},
    };
    QSet<QString> messages;
    for (const Case &c : cases) {
        // Whatever "error" comes with it, the AADSTS number decides.
        const QString m = OAuthErrorCatalog::message(S("invalid_grant"), QString(), c.code, 400);
        EXPECT_TRUE(m.contains(S(c.mentions))) << c.code << ": " << m.toStdString();
        EXPECT_TRUE(m.contains(S("(Microsoft error AADSTS") + QString::number(c.code) + S(")"))) << c.code;
        EXPECT_FALSE(m.contains(S("refused the request"))) << "generic fallback for " << c.code;
        EXPECT_EQ(OAuthErrorCatalog::classify(S("invalid_grant"), c.code, 400), c.kind) << c.code;
        messages.insert(m);
    }
    EXPECT_EQ(messages.size(), int(std::size(cases)));
}

TEST(OAuthErrorCatalog, AadstsFromDescription)
{
    EXPECT_EQ(OAuthErrorCatalog::aadstsFromDescription(S("AADSTS7000218: The request body must ...")), 7000218);
    EXPECT_EQ(OAuthErrorCatalog::aadstsFromDescription(S("xx AADSTS50011: y AADSTS70008")), 50011);
    EXPECT_EQ(OAuthErrorCatalog::aadstsFromDescription(S("Token has been expired or revoked.")), 0);
    // Without error_codes the number comes from the description.
    OAuthError e;
    e.error = S("invalid_grant");
    e.description = S("AADSTS700082: The refresh token has expired due to inactivity.");
    OAuthErrorCatalog::describe(e);
    EXPECT_EQ(e.aadsts, 700082);
    EXPECT_TRUE(e.userMessage.contains(S("AADSTS700082")));
}

TEST(OAuthErrorCatalog, AuthorizationRedirectErrors)
{
    // RFC 6749 4.1.2.1 plus the OIDC and Google codes.
    {
        const OAuthError e
            = OAuthErrorCatalog::fromAuthorizationResponse(S("access_denied"), S("The user denied access"));
        EXPECT_TRUE(e.userMessage.startsWith(S("You declined access")));
        EXPECT_EQ(e.kind, OAuthErrorKind::NeedsSignIn);
        EXPECT_EQ(OAuthErrorCatalog::toError(e).code, ErrorCode::Cancelled);
        EXPECT_EQ(e.httpStatus, 0);
    }
    {
        // Microsoft: declined consent is a cancel too; a Conditional Access block is not.
        const OAuthError declined = OAuthErrorCatalog::fromAuthorizationResponse(
            S("access_denied"), S("AADSTS65004: User declined to consent to access the app."));
        EXPECT_EQ(declined.aadsts, 65004);
        EXPECT_EQ(OAuthErrorCatalog::toError(declined).code, ErrorCode::Cancelled);
        const OAuthError blocked = OAuthErrorCatalog::fromAuthorizationResponse(
            S("access_denied"), S("AADSTS53003: Access has been blocked by Conditional Access policies."));
        EXPECT_EQ(blocked.aadsts, 53003);
        EXPECT_NE(OAuthErrorCatalog::toError(blocked).code, ErrorCode::Cancelled);
        EXPECT_TRUE(blocked.userMessage.contains(S("Conditional Access")));
    }
    struct Case {
        const char *error;
        OAuthErrorKind kind;
        const char *mentions;
    };
    const Case cases[] = {
        {"invalid_request", OAuthErrorKind::Configuration, "malformed"},
        {"unauthorized_client", OAuthErrorKind::Configuration, "not allowed"},
        {"unsupported_response_type", OAuthErrorKind::Configuration, "authorization code"},
        {"invalid_scope", OAuthErrorKind::Configuration, "scopes"},
        {"server_error", OAuthErrorKind::Transient, "internal error"},
        {"temporarily_unavailable", OAuthErrorKind::Transient, "temporarily unavailable"},
        {"interaction_required", OAuthErrorKind::NeedsSignIn, "Sign in again"},
        {"login_required", OAuthErrorKind::NeedsSignIn, "sign in again"},
        {"consent_required", OAuthErrorKind::NeedsSignIn, "permission"},
        {"admin_policy_enforced", OAuthErrorKind::Configuration, "administrator"},
        {"org_internal", OAuthErrorKind::Configuration, "organisation"},
        {"redirect_uri_mismatch", OAuthErrorKind::Configuration, "Desktop app"},
        {"invalid_client", OAuthErrorKind::Configuration, "client ID"},
    };
    for (const Case &c : cases) {
        const OAuthError e = OAuthErrorCatalog::fromAuthorizationResponse(S(c.error), QString());
        EXPECT_EQ(e.kind, c.kind) << c.error;
        EXPECT_TRUE(e.userMessage.contains(S(c.mentions))) << c.error << ": " << e.userMessage.toStdString();
    }
    // Unknown codes quote the (redacted) description.
    const OAuthError odd = OAuthErrorCatalog::fromAuthorizationResponse(
        S("registration_not_supported"),
        S("Dynamic registration is off; state=Xq3vR7tY9uI2oP5aS8dF1gH4jK6lZ0xC3vB7nM9qW2e"));
    EXPECT_EQ(odd.kind, OAuthErrorKind::Provider);
    EXPECT_TRUE(odd.userMessage.contains(S("Dynamic registration is off")));
    EXPECT_FALSE(odd.userMessage.contains(S("Xq3vR7tY9uI2")));
    EXPECT_FALSE(odd.description.contains(S("Xq3vR7tY9uI2")));
}

// --- id_token ------------------------------------------------------------------------------

namespace {

QByteArray b64url(const QByteArray &raw)
{
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray makeJwt(const QJsonObject &claims,
                   const QJsonObject &header = {{S("alg"), S("RS256")}, {S("kid"), S("k1")}, {S("typ"), S("JWT")}})
{
    return b64url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
           + b64url(QJsonDocument(claims).toJson(QJsonDocument::Compact)) + '.'
           + b64url("not-a-real-signature-but-the-right-shape");
}

const QString kGoogleClient = S("123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com");
const QByteArray kNonce = "n0nce-Zq2LtP1sDfGhJkLzXcVbNm5aSdFgHjKlQwErTy";

QJsonObject googleClaims()
{
    return QJsonObject{
        {S("iss"), S("https://accounts.google.com")},
        {S("azp"), kGoogleClient},
        {S("aud"), kGoogleClient},
        {S("sub"), S("110169484474386276334")},
        {S("email"), S("bob@gmail.com")},
        {S("email_verified"), true},
        {S("nonce"), QString::fromLatin1(kNonce)},
        {S("name"), S("Bob Example")},
        {S("iat"), double(kNow.toSecsSinceEpoch() - 5)},
        {S("exp"), double(kNow.toSecsSinceEpoch() + 3595)},
    };
}

IdTokenExpectations googleExpect()
{
    IdTokenExpectations x;
    x.issuer = S("https://accounts.google.com");
    x.clientId = kGoogleClient;
    x.nonce = kNonce;
    x.now = kNow;
    return x;
}

const QString kMsClient = S("6731de76-14a6-49ae-97bc-6eba6914391e");
const QString kConsumersTenant = S("9188040d-6c67-4c5b-b112-36a304b66dad");

QJsonObject microsoftClaims()
{
    return QJsonObject{
        {S("ver"), S("2.0")},
        {S("iss"), QString(S("https://login.microsoftonline.com/") + kConsumersTenant + S("/v2.0"))},
        {S("sub"), S("AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ")},
        {S("aud"), kMsClient},
        {S("exp"), double(kNow.toSecsSinceEpoch() + 3600)},
        {S("iat"), double(kNow.toSecsSinceEpoch())},
        {S("nbf"), double(kNow.toSecsSinceEpoch())},
        {S("name"), S("Alice Example")},
        {S("preferred_username"), S("alice@outlook.com")},
        {S("oid"), S("00000000-0000-0000-66f3-3332eca7ea81")},
        {S("email"), S("alice@outlook.com")},
        {S("tid"), kConsumersTenant},
        {S("nonce"), QString::fromLatin1(kNonce)},
        {S("aio"), S("Dh8ZYNO1hPp3nR1UKQi7l8tBDi!P!xaxh!xv3uqV3XKOHRpkOEq6PQ")},
    };
}

IdTokenExpectations microsoftExpect()
{
    IdTokenExpectations x;
    x.issuer = S("https://login.microsoftonline.com/{tenantid}/v2.0");
    x.clientId = kMsClient;
    x.nonce = kNonce;
    x.now = kNow;
    return x;
}

IdTokenFailure check(const QJsonObject &claims, const IdTokenExpectations &x,
                     const QJsonObject &header = {{S("alg"), S("RS256")}})
{
    IdTokenFailure f = IdTokenFailure::None;
    const QByteArray jwt = makeJwt(claims, header);
    const Result<IdTokenClaims> r = IdToken::validate(jwt, x, &f);
    EXPECT_EQ(r.ok(), f == IdTokenFailure::None);
    if (!r.ok()) {
        EXPECT_FALSE(r.error().message.contains(QString::fromLatin1(jwt.left(20))));
        EXPECT_FALSE(r.error().message.contains(QString::fromLatin1(kNonce)));
        EXPECT_FALSE(r.error().message.isEmpty());
    }
    return f;
}

} // namespace

TEST(IdToken, GoogleValid)
{
    IdTokenFailure f = IdTokenFailure::Malformed;
    const Result<IdTokenClaims> r = IdToken::validate(makeJwt(googleClaims()), googleExpect(), &f);
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_EQ(f, IdTokenFailure::None);
    EXPECT_EQ(r->subject, S("110169484474386276334"));
    EXPECT_EQ(r->email, S("bob@gmail.com"));
    EXPECT_TRUE(r->emailVerified);
    EXPECT_EQ(r->name, S("Bob Example"));
    EXPECT_EQ(r->issuer, S("https://accounts.google.com"));
    EXPECT_EQ(r->audience, QStringList{kGoogleClient});
    EXPECT_EQ(r->expiresAt, kNow.addSecs(3595));
    EXPECT_EQ(r->issuedAt, kNow.addSecs(-5));
    // The QString overload gives the same.
    const Result<IdTokenClaims> r2 = IdToken::validate(QString::fromLatin1(makeJwt(googleClaims())), googleExpect());
    ASSERT_TRUE(r2.ok());
    EXPECT_EQ(r2->subject, r->subject);
}

TEST(IdToken, MicrosoftTenantTemplate)
{
    const Result<IdTokenClaims> r = IdToken::validate(makeJwt(microsoftClaims()), microsoftExpect());
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_EQ(r->tenantId, kConsumersTenant);
    EXPECT_EQ(r->preferredUsername, S("alice@outlook.com"));
    EXPECT_EQ(r->objectId, S("00000000-0000-0000-66f3-3332eca7ea81"));
    EXPECT_FALSE(r->emailVerified);

    // An exact tenant issuer works too.
    IdTokenExpectations exact = microsoftExpect();
    exact.issuer = S("https://login.microsoftonline.com/") + kConsumersTenant + S("/v2.0");
    EXPECT_EQ(check(microsoftClaims(), exact), IdTokenFailure::None);

    // tid and iss disagree: the template is filled from tid, so iss no longer matches.
    QJsonObject other = microsoftClaims();
    other[S("tid")] = S("72f988bf-86f1-41af-91ab-2d7cd011db47");
    EXPECT_EQ(check(other, microsoftExpect()), IdTokenFailure::Issuer);
    // No tid, or a tid that is not a GUID (path tricks), cannot fill the template.
    QJsonObject noTid = microsoftClaims();
    noTid.remove(S("tid"));
    EXPECT_EQ(check(noTid, microsoftExpect()), IdTokenFailure::Issuer);
    QJsonObject trick = microsoftClaims();
    trick[S("tid")] = S("evil.example/x");
    trick[S("iss")] = S("https://login.microsoftonline.com/evil.example/x/v2.0");
    EXPECT_EQ(check(trick, microsoftExpect()), IdTokenFailure::Issuer);
}

TEST(IdToken, IssuerIsExact)
{
    for (const char *iss :
         {"https://accounts.google.com/", "accounts.google.com", "https://accounts.google.com.evil.example",
          "https://ACCOUNTS.google.com", "http://accounts.google.com"}) {
        QJsonObject c = googleClaims();
        c[S("iss")] = S(iss);
        EXPECT_EQ(check(c, googleExpect()), IdTokenFailure::Issuer) << iss;
    }
}

TEST(IdToken, AudienceAndAuthorizedParty)
{
    QJsonObject wrongAud = googleClaims();
    wrongAud[S("aud")] = S("999-other.apps.googleusercontent.com");
    wrongAud.remove(S("azp"));
    EXPECT_EQ(check(wrongAud, googleExpect()), IdTokenFailure::Audience);

    QJsonObject multiNoAzp = googleClaims();
    multiNoAzp[S("aud")] = QJsonArray{kGoogleClient, S("https://other.example")};
    multiNoAzp.remove(S("azp"));
    EXPECT_EQ(check(multiNoAzp, googleExpect()), IdTokenFailure::AuthorizedParty);

    QJsonObject multiAzp = googleClaims();
    multiAzp[S("aud")] = QJsonArray{S("https://other.example"), kGoogleClient};
    EXPECT_EQ(check(multiAzp, googleExpect()), IdTokenFailure::None);

    QJsonObject wrongAzp = googleClaims();
    wrongAzp[S("azp")] = S("999-other.apps.googleusercontent.com");
    EXPECT_EQ(check(wrongAzp, googleExpect()), IdTokenFailure::AuthorizedParty);

    QJsonObject substring = googleClaims();
    substring[S("aud")] = QString(kGoogleClient + S("x"));
    substring.remove(S("azp"));
    EXPECT_EQ(check(substring, googleExpect()), IdTokenFailure::Audience);
}

TEST(IdToken, ExpiryWithFiveMinutesOfClockSkew)
{
    const QJsonObject c = googleClaims(); // exp = kNow + 3595
    IdTokenExpectations x = googleExpect();
    x.now = kNow.addSecs(3595 + 299);
    EXPECT_EQ(check(c, x), IdTokenFailure::None);
    x.now = kNow.addSecs(3595 + 300);
    EXPECT_EQ(check(c, x), IdTokenFailure::Expired);
    x.now = kNow.addSecs(3595 + 301);
    EXPECT_EQ(check(c, x), IdTokenFailure::Expired);
    {
        IdTokenFailure f = IdTokenFailure::None;
        const Result<IdTokenClaims> r = IdToken::validate(makeJwt(c), x, &f);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Expired);
    }
    x.clockSkewSeconds = 0;
    x.now = kNow.addSecs(3595);
    EXPECT_EQ(check(c, x), IdTokenFailure::Expired);

    // Issued in the future beyond the skew (a wrong clock or a forged token).
    QJsonObject future = googleClaims();
    future[S("iat")] = double(kNow.toSecsSinceEpoch() + 301);
    EXPECT_EQ(check(future, googleExpect()), IdTokenFailure::NotYetValid);
    future[S("iat")] = double(kNow.toSecsSinceEpoch() + 299);
    EXPECT_EQ(check(future, googleExpect()), IdTokenFailure::None);
    QJsonObject nbf = microsoftClaims();
    nbf[S("nbf")] = double(kNow.toSecsSinceEpoch() + 600);
    EXPECT_EQ(check(nbf, microsoftExpect()), IdTokenFailure::NotYetValid);
}

TEST(IdToken, Nonce)
{
    QJsonObject wrong = googleClaims();
    QByteArray n = kNonce;
    n[n.size() - 1] = n.back() == 'y' ? 'z' : 'y';
    wrong[S("nonce")] = QString::fromLatin1(n);
    EXPECT_EQ(check(wrong, googleExpect()), IdTokenFailure::Nonce);

    QJsonObject missing = googleClaims();
    missing.remove(S("nonce"));
    EXPECT_EQ(check(missing, googleExpect()), IdTokenFailure::Nonce);

    // Refresh replies: no nonce expected, none (or the old one) present.
    IdTokenExpectations refresh = googleExpect();
    refresh.nonce.clear();
    EXPECT_EQ(check(missing, refresh), IdTokenFailure::None);
    EXPECT_EQ(check(googleClaims(), refresh), IdTokenFailure::None);
}

TEST(IdToken, AlgorithmNoneIsRejected)
{
    EXPECT_EQ(check(googleClaims(), googleExpect(), {{S("alg"), S("none")}}), IdTokenFailure::Algorithm);
    EXPECT_EQ(check(googleClaims(), googleExpect(), {{S("alg"), S("NONE")}}), IdTokenFailure::Algorithm);
    EXPECT_EQ(check(googleClaims(), googleExpect(), {{S("typ"), S("JWT")}}), IdTokenFailure::Algorithm);
}

TEST(IdToken, Malformed)
{
    const IdTokenExpectations x = googleExpect();
    const QByteArray good = makeJwt(googleClaims());
    const QList<QByteArray> parts = good.split('.');
    const QList<QByteArray> bad = {
        QByteArray(),
        parts[0] + '.' + parts[1],                             // two parts
        good + ".x.y",                                         // JWE shape
        parts[0] + ".!!!!." + parts[2],                        // not base64url
        parts[0] + '.' + b64url("not json") + '.' + parts[2],  // not JSON
        parts[0] + '.' + b64url("[1,2]") + '.' + parts[2],     // not an object
        parts[0] + '.' + parts[1].toBase64() + '.' + parts[2], // padded std base64
    };
    for (int i = 0; i < bad.size(); ++i) {
        IdTokenFailure f = IdTokenFailure::None;
        const Result<IdTokenClaims> r = IdToken::validate(bad[i], x, &f);
        EXPECT_FALSE(r.ok()) << "case " << i;
        EXPECT_EQ(f, IdTokenFailure::Malformed) << "case " << i;
    }
    const char *required[] = {"sub", "iss", "aud", "exp"};
    for (const char *claim : required) {
        QJsonObject c = googleClaims();
        c.remove(S(claim));
        EXPECT_EQ(check(c, x), IdTokenFailure::Malformed) << claim;
    }
    QJsonObject stringExp = googleClaims();
    stringExp[S("exp")] = S("1715681553");
    EXPECT_EQ(check(stringExp, x), IdTokenFailure::Malformed);
    QJsonObject numericEmail = googleClaims();
    numericEmail[S("email")] = 5;
    EXPECT_EQ(check(numericEmail, x), IdTokenFailure::Malformed);
    QJsonObject badAud = googleClaims();
    badAud[S("aud")] = QJsonArray{kGoogleClient, 5};
    EXPECT_EQ(check(badAud, x), IdTokenFailure::Malformed);
}

TEST(IdToken, DecodeUnverifiedAndStringEmailVerified)
{
    QJsonObject c = googleClaims();
    c[S("email_verified")] = S("true");
    // Different claim lengths exercise every base64url padding remainder.
    for (int extra = 0; extra < 4; ++extra) {
        c[S("pad")] = QString(extra, QLatin1Char('p'));
        const Result<IdTokenClaims> r = IdToken::decodeUnverified(makeJwt(c));
        ASSERT_TRUE(r.ok()) << extra;
        EXPECT_TRUE(r->emailVerified);
        EXPECT_EQ(r->email, S("bob@gmail.com"));
    }
    IdTokenExpectations incomplete = googleExpect();
    incomplete.clientId.clear();
    EXPECT_FALSE(IdToken::validate(makeJwt(c), incomplete).ok());
}
