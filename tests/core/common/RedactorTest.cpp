// Redactor: every secret shape is masked, useful text survives. Failure messages never print a
// secret: EXPECT_FALSE(out.contains(secret)) prints only "false", and the redacted output (which
// by then contains no secret, or the test already failed on a contains() check) is printed only
// through leak-free helpers.
#include "core/common/Redactor.h"

#include "tests/support/TestUtil.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <gtest/gtest.h>

using mailkey::redact;

namespace {

QString S(const char *s)
{
    return QString::fromUtf8(s);
}

// For failure messages: the text with every 8-character window of any known secret starred
// out, so a failing test shows where redaction went wrong without showing a secret.
QStringList &knownSecrets();

std::string safe(QString text, const QStringList &extra = {})
{
    for (const QString &secret : knownSecrets() + extra) {
        const qsizetype w = std::min<qsizetype>(8, secret.size());
        for (qsizetype i = 0; i + w <= secret.size(); ++i)
            text.replace(secret.mid(i, w), QString(w, QLatin1Char('*')));
    }
    return text.toStdString();
}

std::string safe(const QByteArray &text)
{
    return safe(QString::fromLatin1(text));
}

// Fails (without printing it) if the secret survived; returns the redacted text.
QString expectMasked(const QString &input, const QStringList &secrets)
{
    const QString out = redact(input);
    for (int i = 0; i < secrets.size(); ++i)
        EXPECT_FALSE(out.contains(secrets[i])) << "secret #" << i << " survived redaction: " << safe(out, secrets);
    EXPECT_TRUE(out.contains(QLatin1String(mailkey::kRedacted))) << "no [redacted] marker";
    return out;
}

QString randomBase64Url(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char &c : raw)
        c = char(QRandomGenerator::global()->bounded(256));
    const QString t = QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    knownSecrets().append(t);
    return t;
}

// Realistic (fake) token shapes.
const QString kJwt = S("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IjFMVE16YWtpaGlSbGFfOHoyQkVK"
                       "VkFvZ0lWYyJ9.eyJhdWQiOiI2NzMxZGU3Ni0xNGE2LTQ5YWUtOTdiYy02ZWJhNjkxNDM5MWUi"
                       "LCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vIn0.ZmFrZXNpZ25hd"
                       "HVyZWZha2VzaWduYXR1cmVmYWtlc2lnbmF0dXJl");
const QString kGoogleAccess = S("ya29.a0AfB_byC3xK9mQ7vL2pR8sT4uW6yZ1bD5fH0jN3kM8qS2vX7zA4cE9gI1"
                                "lO6nP0rU5tW3yB8dF2hK7mQ4sV9xZ1cE6gJ0");
const QString kGoogleRefresh = S("1//0gHdP9kX2mQ7vLCgYIARAAGBASNwF-L9IrT4uW6yZ1bD5fH0jN3kM8qS2vX7z"
                                 "A4cE9gI1lO6nP0rU5tW3yB8dF2hK7m");
const QString kGoogleCode = S("4/0AfJohXnK2mQ7vL9pR8sT4uW6yZ1bD5fH0jN3kM8qS2vX7zA4cE9gI1lO6nP0r"
                              "U5tW3yB8dF2hK7mQ");
const QString kMsaRefresh = S("M.C507_BAY.0.U.-CrW8vN7!kHh3mXo9*Zq2LtP1sDfGhJkLzXcVbNm5$aSdFgHjKl"
                              "QwErTyUiOp0");
const QString kMsaAccess = S("EwBwA8l6BAAUO9chh8cJscQLmU+LSWpbnr0vmwwAAbzmX3aNlkeq2yoHa8wjeZ5cCq9Hc"
                             "T3V1+Wu9QOc1DrYoR1L8y");
const QString kEntraRefresh = S("0.AXoAlDq3pEx2pkqbdfXfCQhZrHbeMWemFK5Jl7xuumkUOR56AJo.AgABAAEAAADn"
                                "fUoPDcYCZ9xsqrA7JZ2iAgDs_wUA9P9R-aX3kKv2nW");
const QString kVerifier = S("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
const QString kChallenge = S("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
const QString kState = S("Xq3vR7tY9uI2oP5aS8dF1gH4jK6lZ0xC3vB7nM9qW2e");

const QString kHex = S("2DD29CA851E7B56E4697B0E1F08507293D761A05CE4D1B628663F411A8086D99");

QStringList &knownSecrets()
{
    static QStringList list = {kJwt,
                               kGoogleAccess,
                               kGoogleRefresh,
                               kGoogleCode,
                               kMsaRefresh,
                               kMsaAccess,
                               kEntraRefresh,
                               kVerifier,
                               kChallenge,
                               kState,
                               kHex,
                               kHex.toLower(),
                               QString::fromLatin1(QByteArray("user=bob@gmail.com\x01"
                                                              "auth=Bearer ")
                                                       .append(kGoogleAccess.toLatin1())
                                                       .append("\x01\x01")
                                                       .toBase64()),
                               S("M.C105_BL2.2.U.0e1c2d3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f"),
                               S("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"),
                               S("YWxpY2VAZXhhbXBsZS5jb206aHVudGVyMg=="),
                               S("AQABAAAAAAD--DLA3VO7QrddgJg7WevrAgDs_wQA9P8xYz1234abcdEFGH"),
                               S("M.R3_BAY.-CfHS3kW0x!pZ*7qL2m$NvB8cX4zQ9"),
                               S("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
                               S("q2Xv9+Lk/3mP8sT4uW6yZ1bD5fH0jN3kM8qS2vX7zA4="),
                               S("AGJvYkBleGFtcGxlLmNvbQBodW50ZXIy"),
                               S("hunter2"),
                               S("s3cr3t"),
                               S("abc123xyz"),
                               S("my old passphrase"),
                               S("correct horse battery staple"),
                               S("abc123secret"),
                               S("7dG3kq9LmZ2x"),
                               S("8Q~abcdEFGhijkLMNopqRSTuvwXYZ0123456789ab")};
    return list;
}

} // namespace

// Compares without ever printing a known secret.
#define EXPECT_REDACTED_EQ(actual, expected)                                                                           \
    do {                                                                                                               \
        const auto a_ = (actual);                                                                                      \
        const auto e_ = (expected);                                                                                    \
        EXPECT_TRUE(a_ == e_) << "got: " << safe(a_);                                                                  \
    } while (0)

TEST(Redactor, MicrosoftErrorBodiesKeepEverythingUseful)
{
    const QString bodies[]
        = {
            S(R"({"error":"invalid_grant","error_description":"AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource. Trace ID: 0d6c3a5e-2f4b-4c1d-9a8e-7b6f5e4d3c2b Correlation ID: 8f7e6d5c-4b3a-4910-8f7e-6d5c4b3a2910 Timestamp: 2024-05-14 09:12:33Z","error_codes":[70008],"timestamp":"2024-05-14 09:12:33Z","trace_id":"0d6c3a5e-2f4b-4c1d-9a8e-7b6f5e4d3c2b","correlation_id":"8f7e6d5c-4b3a-4910-8f7e-6d5c4b3a2910","error_uri":"https://login.microsoftonline.com/error?code=70008"})"),
            S(R"({"error":"invalid_request","error_description":"AADSTS50011: The redirect URI 'http://localhost:53127/' specified in the request does not match the redirect URIs configured for the application '6731de76-14a6-49ae-97bc-6eba6914391e'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this. Trace ID: 1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d Correlation ID: 2b3c4d5e-6f7a-4b9c-8d1e-2f3a4b5c6d7e Timestamp: 2024-05-14 09:13:01Z","error_codes":[50011],"error_uri":"https://login.microsoftonline.com/error?code=50011"})"),
            S(R"({"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application with ID '6731de76-14a6-49ae-97bc-6eba6914391e' named 'MailKey'. Send an interactive authorization request for this user and resource. Trace ID: 3c4d5e6f-7a8b-4c0d-9e2f-3a4b5c6d7e8f Correlation ID: 4d5e6f7a-8b9c-4d1e-8f3a-4b5c6d7e8f9a Timestamp: 2024-05-14 09:14:10Z","error_codes":[65001],"suberror":"consent_required"})"),
            S(R"({"error":"invalid_client","error_description":"AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'. Trace ID: 5e6f7a8b-9c0d-4e2f-9a4b-5c6d7e8f9a0b Correlation ID: 6f7a8b9c-0d1e-4f3a-8b5c-6d7e8f9a0b1c Timestamp: 2024-05-14 09:15:22Z","error_codes":[7000218]})"),
        };
    for (const QString &body : bodies) {
        // Nothing in these bodies is a secret: they must come back unchanged.
        EXPECT_REDACTED_EQ(redact(body), body);
    }
}

TEST(Redactor, GoogleErrorBodyUnchanged)
{
    const QString body = S(R"({"error":"invalid_grant","error_description":"Token has been expired or revoked."})");
    EXPECT_REDACTED_EQ(redact(body), body);
    const QString body2 = S(R"({
  "error": "redirect_uri_mismatch",
  "error_description": "Bad Request"
})");
    EXPECT_REDACTED_EQ(redact(body2), body2);
}

TEST(Redactor, TextWithoutSecretsUnchanged)
{
    const QString texts[] = {
        S("Refreshing the token for alice.example@contoso.onmicrosoft.com at "
          "https://login.microsoftonline.com/common/oauth2/v2.0/token failed: invalid_grant"),
        S("GET https://graph.microsoft.com/v1.0/users/2e1f4b2c-9d6e-4a1b-8f6a-3c2b1a0d9e8f/"
          "mailFolders/inbox/messages?$top=10 returned 401 InvalidAuthenticationToken"),
        S("Connecting to imap.gmail.com:993 as bob@gmail.com with XOAUTH2"),
        S("The Bearer token has expired; WWW-Authenticate: Bearer realm=\"\", "
          "error=\"invalid_token\""),
        S("Basic authentication is disabled for this tenant."),
        S("grant_type=refresh_token&client_id=6731de76-14a6-49ae-97bc-6eba6914391e&scope=offline_access"
          "%20https%3A%2F%2Foutlook.office.com%2FIMAP.AccessAsUser.All"),
        S("Vault opened in 3 ms, cipher_version 3.4.1, session_state unaffected, 42 accounts"),
        S("{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Access token has "
          "expired or is not yet valid.\",\"innerError\":{\"request-id\":"
          "\"9b0d7a4e-8c2f-4e1a-b3d5-6f7a8b9c0d1e\"}}}"),
        S("token_type=Bearer expires_in=3599 scope=openid email"),
        S("https://accounts.google.com/o/oauth2/v2/auth?client_id=123456789012-abcdefghijklmnopqrs"
          "tuvwxyz012345.apps.googleusercontent.com&response_type=code"),
        S("Failed to refresh token: invalid_grant (refresh_token: null)"),
        S("Saved refresh token for account 3 (rotated); the access token expires at 10:42"),
        S(""),
    };
    for (const QString &t : texts)
        EXPECT_REDACTED_EQ(redact(t), t);
}

TEST(Redactor, LoggedTokenRequestBody)
{
    const QString code = kGoogleCode;
    const QString body = S("grant_type=authorization_code&code=") + code
                         + S("&redirect_uri=http%3A%2F%2F127.0.0.1%3A53127%2F&client_id=123456789012-abc.apps."
                             "googleusercontent.com&code_verifier=")
                         + kVerifier + S("&client_secret=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");
    const QString out = expectMasked(body, {code, kVerifier, S("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")});
    EXPECT_TRUE(out.contains(S("grant_type=authorization_code")));
    EXPECT_TRUE(out.contains(S("code=[redacted]&")));
    EXPECT_TRUE(out.contains(S("code_verifier=[redacted]")));
    EXPECT_TRUE(out.contains(S("client_secret=[redacted]")));
    EXPECT_TRUE(out.contains(S("redirect_uri=http%3A%2F%2F127.0.0.1%3A53127%2F")));
    EXPECT_TRUE(out.contains(S("client_id=123456789012-abc.apps.googleusercontent.com")));

    const QString refresh = S("grant_type=refresh_token&refresh_token=") + kEntraRefresh
                            + S("&client_id=6731de76-14a6-49ae-97bc-6eba6914391e&client_secret=&scope=offline_access");
    const QString out2 = expectMasked(refresh, {kEntraRefresh});
    EXPECT_TRUE(out2.contains(S("grant_type=refresh_token&refresh_token=[redacted]&")));
    EXPECT_TRUE(out2.contains(S("client_id=6731de76-14a6-49ae-97bc-6eba6914391e")));
    EXPECT_TRUE(out2.contains(S("client_secret=&"))) << "an empty value stays visibly empty";
}

TEST(Redactor, CallbackUrlWithCodeAndState)
{
    const QString msCode = S("M.C105_BL2.2.U.0e1c2d3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f");
    const QString url = S("http://127.0.0.1:53127/callback?code=") + msCode + S("&state=") + kState
                        + S("&session_state=9b0d7a4e-8c2f-4e1a-b3d5-6f7a8b9c0d1e");
    const QString out = expectMasked(url, {msCode, kState, S("BL2.2.U")});
    EXPECT_TRUE(out.startsWith(S("http://127.0.0.1:53127/callback?code=[redacted]&state=[redacted]")));
    EXPECT_TRUE(out.contains(S("session_state=9b0d7a4e-8c2f-4e1a-b3d5-6f7a8b9c0d1e")));

    const QString google = S("GET /?state=") + kState + S("&code=") + kGoogleCode
                           + S("&scope=email%20https://mail.google.com/ HTTP/1.1");
    const QString out2 = expectMasked(google, {kState, kGoogleCode});
    EXPECT_TRUE(out2.contains(S("&scope=email%20https://mail.google.com/ HTTP/1.1")));

    // Fragment form (implicit-style) and an error redirect.
    const QString frag = S("https://app.example/#access_token=") + kJwt + S("&token_type=bearer");
    const QString out3 = expectMasked(frag, {kJwt.left(40)});
    EXPECT_TRUE(out3.contains(S("#access_token=[redacted]&token_type=bearer")));
    const QString err = S("http://127.0.0.1:53127/?error=access_denied&error_description="
                          "AADSTS65004%3A+User+declined+to+consent&state=")
                        + kState;
    const QString out4 = expectMasked(err, {kState});
    EXPECT_TRUE(out4.contains(S("error=access_denied&error_description=AADSTS65004%3A+User+declined")));
}

TEST(Redactor, JsonTokenReply)
{
    const QString body = S("{\"token_type\":\"Bearer\",\"scope\":\"https://outlook.office.com/"
                           "IMAP.AccessAsUser.All\",\"expires_in\":4307,\"ext_expires_in\":4307,"
                           "\"access_token\":\"")
                         + kMsaAccess + S("\",\"refresh_token\":\"") + kMsaRefresh + S("\",\"id_token\":\"") + kJwt
                         + S("\"}");
    const QString out = expectMasked(body, {kMsaAccess, kMsaRefresh, kJwt, kJwt.mid(60, 40)});
    EXPECT_TRUE(out.contains(S("\"access_token\":\"[redacted]\"")));
    EXPECT_TRUE(out.contains(S("\"refresh_token\":\"[redacted]\"")));
    EXPECT_TRUE(out.contains(S("\"id_token\":\"[redacted]\"")));
    EXPECT_TRUE(out.contains(S("\"expires_in\":4307")));
    EXPECT_TRUE(out.contains(S("\"token_type\":\"Bearer\"")));
    EXPECT_TRUE(out.contains(S("https://outlook.office.com/IMAP.AccessAsUser.All")));

    // Pretty-printed, camelCase, and JSON inside a JSON string.
    const QString pretty = S("{\n  \"accessToken\" : \"") + kGoogleAccess
                           + S("\",\n  \"password\": \"correct horse battery staple\"\n}");
    expectMasked(pretty, {kGoogleAccess, S("correct horse")});
    const QString nested = S("{\"log\":\"{\\\"refresh_token\\\":\\\"") + kGoogleRefresh + S("\\\",\\\"state\\\":\\\"")
                           + kState + S("\\\"}\"}");
    const QString out3 = expectMasked(nested, {kGoogleRefresh, kState});
    EXPECT_TRUE(out3.contains(S("\\\"refresh_token\\\":\\\"[redacted]\\\"")));
}

TEST(Redactor, AuthorizationHeaders)
{
    const QString bearer = S("Authorization: Bearer ") + kJwt;
    EXPECT_REDACTED_EQ(expectMasked(bearer, {kJwt.left(30)}), S("Authorization: Bearer [redacted]"));
    const QString lower = S("authorization: bearer ") + kGoogleAccess + S("\r\nHost: imap.gmail.com");
    const QString out = expectMasked(lower, {kGoogleAccess.mid(5, 30)});
    EXPECT_TRUE(out.contains(S("\r\nHost: imap.gmail.com")));
    const QString basic = S("Authorization: Basic YWxpY2VAZXhhbXBsZS5jb206aHVudGVyMg==");
    EXPECT_REDACTED_EQ(expectMasked(basic, {S("YWxpY2VAZXhhbXBsZS5jb206aHVudGVyMg")}),
                       S("Authorization: Basic [redacted]"));
    // Headers printed as JSON / Qt debug, and a bare Bearer in prose.
    const QString json = S("{\"Authorization\":\"Bearer ") + kMsaAccess + S("\",\"Accept\":\"application/json\"}");
    const QString out2 = expectMasked(json, {kMsaAccess.left(24)});
    EXPECT_TRUE(out2.contains(S("\"Accept\":\"application/json\"")));
    const QString prose = S("retrying with Bearer ") + kGoogleAccess + S(" after 401");
    EXPECT_REDACTED_EQ(expectMasked(prose, {kGoogleAccess.mid(5, 20)}), S("retrying with Bearer [redacted] after 401"));
    const QString cookie = S("Cookie: ESTSAUTH=") + randomBase64Url(40) + S("; x-ms-gateway-slice=estsfd");
    expectMasked(cookie, {cookie.mid(17, 30)});
}

TEST(Redactor, SaslXoauth2)
{
    const QByteArray raw = "user=bob@gmail.com\x01"
                           "auth=Bearer "
                           + kGoogleAccess.toLatin1() + "\x01\x01";
    const QByteArray b64 = raw.toBase64();
    // Raw form: the user stays, the token goes.
    const QByteArray outRaw = redact(raw);
    EXPECT_FALSE(outRaw.contains(kGoogleAccess.toLatin1()));
    EXPECT_TRUE(outRaw.startsWith("user=bob@gmail.com\x01"
                                  "auth=Bearer [redacted]"));
    // IMAP command line and a bare base64 continuation line.
    const QByteArray cmd = "A1 AUTHENTICATE XOAUTH2 " + b64 + "\r\n";
    const QByteArray outCmd = redact(cmd);
    EXPECT_FALSE(outCmd.contains(b64.left(20)));
    EXPECT_REDACTED_EQ(outCmd, QByteArray("A1 AUTHENTICATE XOAUTH2 [redacted]\r\n"));
    const QByteArray outLine = redact(QByteArray("C: " + b64));
    EXPECT_FALSE(outLine.contains(b64.left(12)));
    // OAUTHBEARER (RFC 7628), SMTP AUTH PLAIN.
    const QByteArray ob = QByteArray("n,a=bob@gmail.com,\x01host=imap.gmail.com\x01port=993\x01"
                                     "auth=Bearer "
                                     + kGoogleAccess.toLatin1() + "\x01\x01")
                              .toBase64();
    EXPECT_FALSE(redact(QByteArray("S: + \r\nC: " + ob)).contains(ob.left(16)));
    EXPECT_REDACTED_EQ(redact(QByteArray("AUTH PLAIN AGJvYkBleGFtcGxlLmNvbQBodW50ZXIy")),
                       QByteArray("AUTH PLAIN [redacted]"));
}

TEST(Redactor, BareTokenShapes)
{
    const QString tokens[] = {kJwt,
                              kGoogleAccess,
                              kGoogleRefresh,
                              kGoogleCode,
                              kMsaRefresh,
                              kMsaAccess,
                              kEntraRefresh,
                              S("AQABAAAAAAD--DLA3VO7QrddgJg7WevrAgDs_wQA9P8xYz1234abcdEFGH"),
                              S("M.R3_BAY.-CfHS3kW0x!pZ*7qL2m$NvB8cX4zQ9"),
                              S("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"),
                              S("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q")};
    for (int i = 0; i < int(std::size(tokens)); ++i) {
        const QString text = S("token for bob@example.com: ") + tokens[i] + S(" (stored)");
        const QString out = redact(text);
        EXPECT_FALSE(out.contains(tokens[i])) << "shape #" << i;
        EXPECT_TRUE(out == S("token for bob@example.com: [redacted] (stored)")) << "shape #" << i << ": " << safe(out);
    }
}

TEST(Redactor, LongRandomRunsAndHex)
{
    for (int i = 0; i < 50; ++i) {
        const QString t = randomBase64Url(32); // 43 characters
        EXPECT_REDACTED_EQ(redact(S("value ") + t + S(" end")), S("value [redacted] end"));
    }
    const QString sha = QString::fromLatin1(QCryptographicHash::hash("x", QCryptographicHash::Sha256).toHex());
    EXPECT_REDACTED_EQ(redact(S("key=") + sha), S("key=[redacted]"));
    // Standard base64 with '+', '/' and padding.
    const QString b64 = S("q2Xv9+Lk/3mP8sT4uW6yZ1bD5fH0jN3kM8qS2vX7zA4=");
    EXPECT_REDACTED_EQ(redact(S("blob ") + b64), S("blob [redacted]"));
    // A token inside a URL path is masked, the rest of the path kept.
    const QString path = S("https://example.com/reset/") + randomBase64Url(32) + S("/confirm");
    const QString out = redact(path);
    EXPECT_REDACTED_EQ(out, S("https://example.com/reset/[redacted]/confirm"));
}

TEST(Redactor, VaultKeys)
{
    const QString hex = kHex;
    const QString pragma = S("PRAGMA key = \"x'") + hex + S("'\";");
    EXPECT_REDACTED_EQ(expectMasked(pragma, {hex, hex.left(16)}), S("PRAGMA key = [redacted];"));
    EXPECT_REDACTED_EQ(redact(S("PRAGMA rekey = 'my old passphrase';")), S("PRAGMA rekey = [redacted];"));
    EXPECT_REDACTED_EQ(redact(S("pragma main.key='hunter2'")), S("pragma main.key=[redacted]"));
    const QString blob = S("rekey to x'") + hex.toLower() + S("' failed: SQLITE_NOTADB");
    EXPECT_REDACTED_EQ(expectMasked(blob, {hex.toLower()}), S("rekey to x'[redacted]' failed: SQLITE_NOTADB"));
    EXPECT_REDACTED_EQ(redact(S("PRAGMA cipher_version")), S("PRAGMA cipher_version"));
}

TEST(Redactor, NamedFieldsInLooseText)
{
    EXPECT_REDACTED_EQ(redact(S("password: hunter2 for imap")), S("password: [redacted] for imap"));
    EXPECT_REDACTED_EQ(redact(S("client_secret = abc123xyz, tenant common")),
                       S("client_secret = [redacted], tenant common"));
    EXPECT_REDACTED_EQ(redact(S("revoking token=abc.def-ghi")), S("revoking token=[redacted]"));
    EXPECT_REDACTED_EQ(redact(S("imaps://bob:s3cr3t@imap.example.com:993/INBOX")),
                       S("imaps://bob:[redacted]@imap.example.com:993/INBOX"));
    EXPECT_REDACTED_EQ(redact(S("assertion=") + kJwt + S("&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer")),
                       S("assertion=[redacted]&grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer"));
    EXPECT_REDACTED_EQ(redact(S("nonce=abc&code_challenge=") + kChallenge + S("&code_challenge_method=S256")),
                       S("nonce=[redacted]&code_challenge=[redacted]&code_challenge_method=S256"));
    // Python / JavaScript style, loose short names with secret-looking values, and a query that
    // was percent-encoded into another parameter.
    EXPECT_REDACTED_EQ(redact(S("{'access_token': 'abc123secret', 'expires_in': 3599}")),
                       S("{'access_token': '[redacted]', 'expires_in': 3599}"));
    EXPECT_REDACTED_EQ(redact(S("token: 7dG3kq9LmZ2x")), S("token: [redacted]"));
    EXPECT_REDACTED_EQ(redact(S("state: Granted")), S("state: Granted"));
    EXPECT_REDACTED_EQ(redact(S("return_to=%2Fcb%3Fstate%3D") + kState + S("%26code%3D") + kGoogleCode),
                       S("return_to=%2Fcb%3Fstate%3D[redacted]%26code%3D[redacted]"));
    EXPECT_REDACTED_EQ(redact(S("Client secret value: 8Q~abcdEFGhijkLMNopqRSTuvwXYZ0123456789ab")),
                       S("Client secret value: [redacted]"));
}

TEST(Redactor, ByteVersionKeepsNonUtf8Bytes)
{
    const QByteArray in
        = QByteArray("\xff\xfe caf\xc3\xa9 refresh_token=") + kGoogleRefresh.toLatin1() + QByteArray(" \x80\x81");
    const QByteArray out = redact(in);
    EXPECT_REDACTED_EQ(out, QByteArray("\xff\xfe caf\xc3\xa9 refresh_token=[redacted] \x80\x81"));
    EXPECT_TRUE(redact(QByteArray()).isEmpty());
}

TEST(Redactor, Idempotent)
{
    const QString text = S("Authorization: Bearer ") + kJwt + S("\ncode=") + kGoogleCode;
    const QString once = redact(text);
    EXPECT_REDACTED_EQ(redact(once), once);
}

// The fast path (no regular expression for text that cannot hold a secret) is taken by the
// details MailKey builds from known fields, such as the audit row of every token hand-out.
TEST(Redactor, DetailsBuiltFromKnownFieldsTakeTheFastPathUnchanged)
{
    const QString texts[] = {
        S("resource=default; valid until 2026-12-02T07:00:00Z"),
        S("resource=imap; valid until 2026-12-02T07:00:00Z"),
        S("resource=smtp; valid until 2026-12-02T07:00:00.123Z"),
        S("provider microsoft"),
        S("entry 42"),
    };
    for (const QString &t : texts) {
        EXPECT_TRUE(mailkey::detail::redactFastPathApplies(t)) << t.toStdString();
        EXPECT_REDACTED_EQ(redact(t), t);
        EXPECT_REDACTED_EQ(redact(t.toLatin1()), t.toLatin1());
    }
}

// A token-shaped value in such a detail leaves the fast path and is masked.
TEST(Redactor, ATokenInAKnownFieldDetailIsStillRedacted)
{
    const QString shapes[] = {kJwt,
                              kGoogleAccess,
                              kGoogleRefresh,
                              kGoogleCode,
                              kMsaRefresh,
                              kMsaAccess,
                              kEntraRefresh,
                              kVerifier,
                              kChallenge,
                              kState,
                              kHex,
                              kHex.toLower(),
                              S("AQABAAAAAAD--DLA3VO7QrddgJg7WevrAgDs_wQA9P8xYz1234abcdEFGH"),
                              S("M.R3_BAY.-CfHS3kW0x!pZ*7qL2m$NvB8cX4zQ9"),
                              S("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"),
                              S("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
                              S("8Q~abcdEFGhijkLMNopqRSTuvwXYZ0123456789ab")};
    for (int i = 0; i < int(std::size(shapes)); ++i) {
        for (const QString &text :
             QStringList{S("resource=") + shapes[i] + S("; valid until 2026-12-02T07:00:00Z"),
                         S("resource=default; valid until ") + shapes[i], S("provider ") + shapes[i]}) {
            EXPECT_FALSE(mailkey::detail::redactFastPathApplies(text)) << "shape #" << i;
            const QString out = redact(text);
            EXPECT_FALSE(out.contains(shapes[i])) << "shape #" << i << ": " << safe(out);
            EXPECT_TRUE(out.contains(QLatin1String(mailkey::kRedacted))) << "shape #" << i;
            EXPECT_FALSE(QString::fromLatin1(redact(text.toLatin1())).contains(shapes[i])) << "shape #" << i;
        }
    }
    // Every secret of this file that the full pass masks in a plain detail takes the full path.
    int masked = 0;
    for (int i = 0; i < knownSecrets().size(); ++i) {
        const QString text = S("detail ") + knownSecrets()[i] + S(" end");
        if (mailkey::detail::redactAllPatterns(text) == text)
            continue; // a secret only in context ("hunter2" after "password:")
        ++masked;
        EXPECT_FALSE(mailkey::detail::redactFastPathApplies(text)) << "secret #" << i;
        EXPECT_TRUE(redact(text) != text) << "secret #" << i;
    }
    EXPECT_GE(masked, 15);
}

// The shortest text each pattern masks, without the long runs that most tokens have: each one
// is changed by the full pass, and none takes the fast path (one feature each, so a fast path
// that missed a pattern fails here).
TEST(Redactor, TheSmallestMatchOfEveryPatternLeavesTheFastPath)
{
    const QString texts[] = {
        S("PRAGMA key = abc"),
        S("x'0123456789abcdef'"),
        S("imaps://bob:pw@host"),
        S("Cookie: a b"),
        S("Proxy-Authorization: a"),
        S("AUTH PLAIN abc"),
        S("Bearer abc.def"),
        S("Basic Zm9v"),
        S("{\"code\":\"a.b\"}"),
        S("{\\\"nonce\\\":\\\"a\\\"}"),
        S("{'state': 'x'}"),
        S("nonce=x"),
        S("password: x"),
        S("api-key = x"),
        S("token: ab12cd34ef56"),
        S("secret: ab12cd34ef56"),
        S("%3Fstate%3Dx"),
        S("r=%2Fcb%3Fcode%3Dx"),
        S("eyJ.a.b"),
        S("ya29.x"),
        S("1//abcdefghij"),
        S("GOCSPX-a"),
        S("M.C5_B.abcdefgh"),
        S("EwAa.b.c.d.e.f.g.h.i.j.k"),
        S("0.Aa.b.c.d.e.f.g.h.i.j.k"),
        S("1.Aa.b.c.d.e.f.g.h.i.j.k"),
        S("AQABa.b.c.d.e.f.g.h.i.j.k"),
        S("4/abcdefghij0123456789"),
        S("biwsabcdefgh1234"),
        S("a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"),
    };
    for (const QString &t : texts) {
        EXPECT_TRUE(mailkey::detail::redactAllPatterns(t) != t) << "not a match of the full pass: " << t.toStdString();
        EXPECT_FALSE(mailkey::detail::redactFastPathApplies(t)) << t.toStdString();
    }
    // Outside ASCII, caseless matching folds U+212A KELVIN SIGN to k: such text never takes the
    // fast path, whatever the full pass makes of it.
    EXPECT_FALSE(mailkey::detail::redactFastPathApplies(S("api_\u212aey=abc")));
    EXPECT_FALSE(mailkey::detail::redactFastPathApplies(S("caf\u00e9")));
}

// The fast path against the full pass, on text generated from fragments of every pattern: where
// the fast path is taken, the full pass changes nothing (and redact() always equals the full pass).
TEST(Redactor, TheFastPathNeverSkipsTextTheFullPassWouldChange)
{
    const QStringList fragments = {
        S("resource"),
        S("default"),
        S("imap"),
        S("valid until"),
        S("refresh"),
        S("failed"),
        S("provider"),
        S("microsoft"),
        S("account"),
        S("ok"),
        S("2026-12-02T07:00:00Z"),
        S("42"),
        S("entry"),
        S(" "),
        S("="),
        S(";"),
        S(":"),
        S(","),
        S("."),
        S("-"),
        S("/"),
        S("("),
        S(")"),
        S("["),
        S("]"),
        S("\""),
        S("\\\""),
        S("'"),
        S("%3D"),
        S("%26"),
        S("&"),
        S("@"),
        S("_"),
        S("+"),
        S("~"),
        S("!"),
        S("*"),
        S("$"),
        S("ya29."),
        S("1//"),
        S("4/"),
        S("GOCSPX-"),
        S("AIza"),
        S("M.C5_B."),
        S("M.R3_X."),
        S("EwB"),
        S("EwA"),
        S("0.A"),
        S("1.A"),
        S("AQAB"),
        S("eyJ"),
        S("x'"),
        S("Bearer "),
        S("basic "),
        S("AUTH PLAIN "),
        S("AUTHENTICATE XOAUTH2 "),
        S("PRAGMA key = "),
        S("pragma rekey("),
        S("token"),
        S("Token"),
        S("state"),
        S("code"),
        S("nonce"),
        S("secret"),
        S("password"),
        S("api_key"),
        S("assertion"),
        S("Authorization: "),
        S("Cookie="),
        S("https://"),
        S("u:p@h"),
        S("bixh"),
        S("dXNlcj0"),
        S("biws"),
        S("\u00e9"),
        S("\u212a"),
        S("\u017f"),
        S("abcdefgh"),
        S("A1b2C3d4"),
        S("0123456789"),
        S("ABCDEF"),
        S("xyz"),
        S("Zq9"),
        S("\n"),
        S("\t"),
        S("a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6"),
        S("dGVzdA=="),
        S("a.b"),
        S(".c"),
        S("abcdefghij"),
        S("C5_B"),
    };
    auto *rng = QRandomGenerator::global();
    int fast = 0;
    for (int n = 0; n < 20000; ++n) {
        QString text;
        const int parts = 1 + int(rng->bounded(12));
        for (int p = 0; p < parts; ++p)
            text += fragments[int(rng->bounded(fragments.size()))];
        const QString full = mailkey::detail::redactAllPatterns(text);
        if (mailkey::detail::redactFastPathApplies(text)) {
            ++fast;
            ASSERT_TRUE(full == text) << "the fast path skipped: " << safe(text);
        }
        ASSERT_TRUE(redact(text) == full) << safe(text);
    }
    EXPECT_GT(fast, 1000) << "the generated text should often take the fast path";
}
