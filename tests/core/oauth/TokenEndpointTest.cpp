// TokenEndpointClient against the fake authorization server on a loopback port: the code
// exchange, refresh and revocation forms it posts, client authentication, error replies,
// Retry-After, timeouts, dropped replies, and that the form is wiped once the reply is gone.
// Token values are compared with EXPECT_TRUE(a == b), never printed.
#include "core/common/NetworkReplies.h"
#include "core/oauth/FormEncoder.h"
#include "core/oauth/TokenEndpointClient.h"
#include "tests/support/HttpTestServer.h"
#include "tests/support/TestTls.h"
#include "tests/support/TestUtil.h"
#include "tests/support/fakeidp/FakeAuthServer.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QUrlQuery>

#include <gtest/gtest.h>

#include <optional>
#include <vector>

using namespace mailkey;
using mailkey::test::FakeAuthServer;
using mailkey::test::HttpTestServer;
using mailkey::test::waitFor;

namespace {

const char *const kPublicClient = "endpoint-public";
const char *const kConfidentialClient = "endpoint-confidential";
// What a form encoder that forgot to escape would break: '+' read as a space, '&' and '='
// splitting the field, '%' starting an escape.
const char *const kSecret = "s3cr+t/&=%x";
const char *const kRedirect = "http://127.0.0.1:9/cb";

QString S(const char *s)
{
    return QString::fromUtf8(s);
}

QString randomString(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char &c : raw)
        c = char(QRandomGenerator::system()->bounded(256));
    return QString::fromLatin1(raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

std::vector<std::pair<qsizetype, bool>> g_wiped; // size, all zeros

void recordWipe(const char *data, qsizetype size)
{
    bool zero = true;
    for (qsizetype i = 0; i < size; ++i)
        zero = zero && data[i] == 0;
    g_wiped.emplace_back(size, zero);
}

struct Tokens {
    QString access;
    QString refresh;
};

class TokenEndpointClientTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        ASSERT_TRUE(m_server.listen());
        m_server.addClient({S(kPublicClient), QString(), {}});
        m_server.addClient({S(kConfidentialClient), S(kSecret), {}});
        m_server.setUser({S("sub-1"), S("user@example.org"), S("Test User"), S("user@example.org")});
    }

    TokenEndpointClient::ClientCredentials credentials(bool confidential) const
    {
        if (confidential)
            return {S(kConfidentialClient), S(kSecret)};
        return {S(kPublicClient), QString()};
    }

    // Posts and waits for the answer; nullopt when none came.
    std::optional<TokenEndpointReply> send(const QUrl &endpoint, FormEncoder form, bool confidential,
                                           int timeoutMs = 10000)
    {
        TokenEndpointClient::Request request;
        request.endpoint = endpoint;
        request.form = std::move(form);
        request.client = credentials(confidential);
        request.transferTimeoutMs = timeoutMs;
        std::optional<TokenEndpointReply> answer;
        const TokenEndpointClient client(&m_nam);
        client.post(std::move(request), &m_receiver, [&answer](const TokenEndpointReply &r) { answer = r; });
        EXPECT_TRUE(waitFor([&] { return answer.has_value(); }, 15000));
        return answer;
    }

    // /authorize with PKCE (a plain GET, the redirect not followed), then the code exchange
    // through the client: what a sign-in does, with a refresh token (offline_access).
    Tokens signIn(bool confidential)
    {
        const QString verifier = randomString(32);
        const QByteArray challenge = QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)
                                         .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        QUrlQuery query;
        query.addQueryItem(S("client_id"), credentials(confidential).clientId);
        query.addQueryItem(S("redirect_uri"), S(kRedirect));
        query.addQueryItem(S("response_type"), S("code"));
        query.addQueryItem(S("state"), randomString(16));
        query.addQueryItem(S("code_challenge"), QString::fromLatin1(challenge));
        query.addQueryItem(S("code_challenge_method"), S("S256"));
        query.addQueryItem(S("scope"), S("openid offline_access"));
        QUrl url = m_server.authorizeUrl();
        url.setQuery(query);
        QNetworkRequest authorize(url);
        authorize.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        QNetworkReply *reply = m_nam.get(authorize);
        EXPECT_TRUE(waitFor([&] { return reply->isFinished(); }));
        const QString code
            = QUrlQuery(QUrl::fromEncoded(reply->rawHeader("Location"))).queryItemValue(S("code"), QUrl::FullyDecoded);
        reply->deleteLater();
        EXPECT_FALSE(code.isEmpty()) << "the fake server gave no code";

        FormEncoder form;
        form.add("grant_type", S("authorization_code"))
            .add("code", code)
            .add("redirect_uri", S(kRedirect))
            .add("code_verifier", verifier);
        const std::optional<TokenEndpointReply> answer = send(m_server.tokenUrl(), std::move(form), confidential);
        Tokens tokens;
        if (!answer)
            return tokens;
        EXPECT_EQ(answer->httpStatus, 200);
        TokenReplyResult parsed = answer->parse(QDateTime::currentDateTimeUtc(), {S("openid"), S("offline_access")});
        EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message.toStdString());
        if (parsed.ok()) {
            tokens.access = parsed.tokens().accessToken.reveal();
            tokens.refresh = parsed.tokens().refreshToken.reveal();
        }
        EXPECT_FALSE(tokens.refresh.isEmpty());
        return tokens;
    }

    FakeAuthServer m_server;
    QNetworkAccessManager m_nam;
    QObject m_receiver;
};

} // namespace

TEST_F(TokenEndpointClientTest, ExchangesACodeAndRefreshesAsAPublicClient)
{
    const Tokens first = signIn(false);
    ASSERT_FALSE(first.refresh.isEmpty());
    // The fake server's tokens hold '+' and '/': they only survive an encoder that escapes.
    const std::optional<TokenEndpointReply> answer
        = send(m_server.tokenUrl(), TokenEndpointClient::refreshGrant(SecretString(first.refresh), {}), false);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->httpStatus, 200);
    EXPECT_EQ(answer->networkError, QNetworkReply::NoError);
    EXPECT_TRUE(answer->contentType.startsWith("application/json"));
    TokenReplyResult parsed
        = answer->parse(QDateTime::currentDateTimeUtc(), {S("openid")}, SecretString(first.refresh));
    ASSERT_TRUE(parsed.ok()) << parsed.error().message.toStdString();
    EXPECT_TRUE(parsed.tokens().refreshTokenRotated);
    EXPECT_FALSE(parsed.tokens().refreshToken.reveal() == first.refresh);
    EXPECT_EQ(m_server.refreshCount(), 1);

    const QMap<QString, QString> body = m_server.tokenRequests().constLast();
    EXPECT_EQ(body.value(S("grant_type")), S("refresh_token"));
    EXPECT_TRUE(body.value(S("refresh_token")) == first.refresh);
    EXPECT_EQ(body.value(S("client_id")), S(kPublicClient));
    EXPECT_FALSE(body.contains(S("client_secret"))); // a public client sends none, not an empty one
    EXPECT_FALSE(body.contains(S("scope")));
}

TEST_F(TokenEndpointClientTest, AConfidentialClientSendsItsSecretEncodedOnce)
{
    const Tokens first = signIn(true);
    ASSERT_FALSE(first.refresh.isEmpty());
    const std::optional<TokenEndpointReply> answer = send(
        m_server.tokenUrl(),
        TokenEndpointClient::refreshGrant(SecretString(first.refresh), {S("openid"), S("offline_access")}), true);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->httpStatus, 200);
    const QMap<QString, QString> body = m_server.tokenRequests().constLast();
    EXPECT_EQ(body.value(S("client_id")), S(kConfidentialClient));
    EXPECT_TRUE(body.value(S("client_secret")) == S(kSecret));
    EXPECT_EQ(body.value(S("scope")), S("openid offline_access"));
}

TEST_F(TokenEndpointClientTest, RevokesAGrant)
{
    const Tokens first = signIn(false);
    ASSERT_TRUE(m_server.isRefreshTokenValid(first.refresh));
    const std::optional<TokenEndpointReply> answer = send(
        m_server.revokeUrl(), TokenEndpointClient::revocation(SecretString(first.refresh), S("refresh_token")), false);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->httpStatus, 200);
    EXPECT_EQ(m_server.revocationCount(), 1);
    EXPECT_FALSE(m_server.isRefreshTokenValid(first.refresh));
    EXPECT_FALSE(m_server.isAccessTokenValid(first.access));
}

TEST_F(TokenEndpointClientTest, HandsAnErrorReplyToTheParser)
{
    const Tokens first = signIn(false);
    m_server.setNextTokenError(400, S("invalid_grant"), S("AADSTS70008: The refresh token has expired."));
    const std::optional<TokenEndpointReply> answer
        = send(m_server.tokenUrl(), TokenEndpointClient::refreshGrant(SecretString(first.refresh), {}), false);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->httpStatus, 400);
    TokenReplyResult parsed = answer->parse(QDateTime::currentDateTimeUtc(), {});
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.oauthError().error, S("invalid_grant"));
    EXPECT_EQ(parsed.oauthError().kind, OAuthErrorKind::NeedsSignIn);
}

TEST_F(TokenEndpointClientTest, ReportsRetryAfter)
{
    FakeAuthServer::Fault fault;
    fault.kind = FakeAuthServer::Fault::RateLimited;
    fault.retryAfterSeconds = 7;
    m_server.injectFault(FakeAuthServer::Endpoint::Token, fault);
    const std::optional<TokenEndpointReply> answer
        = send(m_server.tokenUrl(), TokenEndpointClient::refreshGrant(SecretString(S("whatever")), {}), false);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->httpStatus, 429);
    EXPECT_EQ(answer->retryAfter, QByteArray("7"));
}

TEST_F(TokenEndpointClientTest, TimesOutWithoutAnHttpStatus)
{
    FakeAuthServer::Fault fault;
    fault.kind = FakeAuthServer::Fault::Delay;
    fault.delayMs = 3000;
    m_server.injectFault(FakeAuthServer::Endpoint::Token, fault);
    QElapsedTimer timer;
    timer.start();
    const std::optional<TokenEndpointReply> answer
        = send(m_server.tokenUrl(), TokenEndpointClient::refreshGrant(SecretString(S("whatever")), {}), false, 300);
    ASSERT_TRUE(answer.has_value());
    EXPECT_LT(timer.elapsed(), 2500);
    EXPECT_EQ(answer->httpStatus, 0);
    EXPECT_NE(answer->networkError, QNetworkReply::NoError);
    TokenReplyResult parsed = answer->parse(QDateTime::currentDateTimeUtc(), {});
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.oauthError().kind, OAuthErrorKind::Transient);
}

TEST_F(TokenEndpointClientTest, ADroppedReplyNeverCallsBack)
{
    FakeAuthServer::Fault fault;
    fault.kind = FakeAuthServer::Fault::Delay;
    fault.delayMs = 200;
    m_server.injectFault(FakeAuthServer::Endpoint::Token, fault);
    TokenEndpointClient::Request request;
    request.endpoint = m_server.tokenUrl();
    request.form = TokenEndpointClient::refreshGrant(SecretString(S("whatever")), {});
    request.client = credentials(false);
    bool called = false;
    const TokenEndpointClient client(&m_nam);
    QPointer<QNetworkReply> reply
        = client.post(std::move(request), &m_receiver, [&called](const TokenEndpointReply &) { called = true; });
    ASSERT_TRUE(reply);
    EXPECT_TRUE(waitFor([&] { return m_server.requestCount(FakeAuthServer::Endpoint::Token) == 1; }));
    dropReply(reply, &m_receiver);
    EXPECT_FALSE(waitFor([&] { return called; }, 800));
}

// The body Qt sent is the encoder's own buffer, wiped once the reply is deleted.
TEST_F(TokenEndpointClientTest, WipesTheFormOnceTheReplyIsGone)
{
    const QString secretToken = S("refresh+token/with=odd&chars");
    FormEncoder expected = TokenEndpointClient::revocation(SecretString(secretToken), S("refresh_token"));
    expected.add("client_id", S(kPublicClient));
    const qsizetype sent = expected.bytes().size();

    FormEncoder::setWipeProbe(recordWipe);
    g_wiped.clear();
    TokenEndpointClient::Request request;
    request.endpoint = m_server.revokeUrl();
    request.form = TokenEndpointClient::revocation(SecretString(secretToken), S("refresh_token"));
    request.client = credentials(false);
    bool done = false;
    const TokenEndpointClient client(&m_nam);
    QPointer<QNetworkReply> reply
        = client.post(std::move(request), &m_receiver, [&done](const TokenEndpointReply &) { done = true; });
    ASSERT_TRUE(waitFor([&] { return done; }));
    EXPECT_TRUE(waitFor([&] { return reply.isNull(); }));
    FormEncoder::setWipeProbe(nullptr);

    bool wipedBody = false;
    bool allZero = true;
    for (const auto &[size, zero] : g_wiped) {
        wipedBody = wipedBody || size == sent;
        allZero = allZero && zero;
    }
    EXPECT_TRUE(wipedBody) << "the " << sent << "-byte form was not wiped";
    EXPECT_TRUE(allZero);
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::Revoke), 1);
}

// TLS as QNetworkAccessManager does it: a server whose certificate does not verify gets nothing
// of the form. The same server does receive a request from a client that ignores the errors,
// so the test would see a form that was sent.
TEST_F(TokenEndpointClientTest, SendsNothingToAServerWhoseCertificateDoesNotVerify)
{
    ASSERT_TRUE(QSslSocket::supportsSsl()) << "no TLS backend: this test cannot check anything";
    const std::optional<QSslConfiguration> config = mailkey::test::selfSignedServerTls();
    ASSERT_TRUE(config.has_value());
    HttpTestServer tls; // records what it received after a handshake
    ASSERT_TRUE(tls.listenTls(*config));
    tls.on("POST", S("/control"), HttpTestServer::Reply::hang());

    // Its own manager: Qt would reuse the connection whose errors were ignored.
    QNetworkAccessManager carelessNam;
    carelessNam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    QNetworkRequest careless(tls.url(S("/control")));
    careless.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    QNetworkReply *control = carelessNam.post(careless, QByteArray("control=1"));
    QObject::connect(control, &QNetworkReply::sslErrors, control, [control] { control->ignoreSslErrors(); });
    ASSERT_TRUE(waitFor([&] { return !tls.requests().isEmpty() && tls.requests().constLast().body == "control=1"; }));
    control->abort();
    control->deleteLater();
    tls.clearRequests();

    const std::optional<TokenEndpointReply> answer = send(
        tls.url(S("/token")), TokenEndpointClient::refreshGrant(SecretString(S("secret-refresh-token")), {}), true);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(answer->httpStatus, 0);
    EXPECT_EQ(answer->networkError, QNetworkReply::SslHandshakeFailedError);
    (void)waitFor([] { return false; }, 200); // anything late would arrive now
    EXPECT_EQ(tls.bytesReceived(), 0) << tls.bytesReceived() << " bytes reached the server";
    EXPECT_TRUE(tls.requests().isEmpty());
    TokenReplyResult parsed = answer->parse(QDateTime::currentDateTimeUtc(), {});
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.oauthError().kind, OAuthErrorKind::Transient);
}
