// Self-tests of the fake authorization server: it is the only OAuth peer the app is tested
// against, so its strictness is itself under test. Tokens are compared with EXPECT_TRUE(a == b)
// so that no value is ever printed.
#include "tests/support/fakeidp/FakeAuthServer.h"
#include "tests/support/HttpTestServer.h"
#include "tests/support/TestUtil.h"
#include "tests/support/fakeidp/FakeBrowser.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>

#include <algorithm>
#include <memory>

using mailkey::test::FakeAuthServer;
using mailkey::test::FakeBrowser;
using mailkey::test::HttpTestServer;
using mailkey::test::waitFor;
using Endpoint = FakeAuthServer::Endpoint;
using Fault = FakeAuthServer::Fault;
using Params = QList<QPair<QString, QString>>;

namespace {

const QString kClient = QStringLiteral("test-client");
const QString kRedirectPath = QStringLiteral("/oauth/fake");
const QString kScope = QStringLiteral("openid email profile offline_access");
const QString kState = QStringLiteral("st-0123456789abcdefXYZ");
// RFC 7636 Appendix B.
const QString kVerifier = QStringLiteral("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
const QString kChallenge = QStringLiteral("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");

QString s(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

QByteArray encode(const Params &params)
{
    QByteArray out;
    for (const auto &p : params) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(p.first) + '=' + QUrl::toPercentEncoding(p.second);
    }
    return out;
}

QUrl withQuery(const QUrl &base, const Params &params)
{
    return QUrl::fromEncoded(QByteArray(base.toEncoded() + '?' + encode(params)));
}

QString randomVerifier()
{
    QByteArray bytes;
    for (int i = 0; i < 8; ++i) {
        const quint32 v = QRandomGenerator::system()->generate();
        bytes.append(reinterpret_cast<const char *>(&v), sizeof v);
    }
    return QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QString challengeFor(const QString &verifier)
{
    return QString::fromLatin1(QCryptographicHash::hash(verifier.toLatin1(), QCryptographicHash::Sha256)
                                   .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QJsonObject jwtClaims(const QString &jwt)
{
    const QStringList parts = jwt.split(QLatin1Char('.'));
    if (parts.size() != 3)
        return {};
    return QJsonDocument::fromJson(QByteArray::fromBase64(parts.at(1).toLatin1(), QByteArray::Base64UrlEncoding))
        .object();
}

struct HttpResult {
    int status = 0;
    QByteArray body;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QList<QNetworkReply::RawHeaderPair> headers;
    qint64 elapsedMs = 0;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QString str(const char *key) const { return json().value(QLatin1String(key)).toString(); }
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
    QUrlQuery locationQuery() const { return QUrlQuery(QUrl::fromEncoded(header("Location"))); }
    QString locationItem(const char *key) const
    {
        return locationQuery().queryItemValue(QLatin1String(key), QUrl::FullyDecoded);
    }
};

class FakeIdpTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        server = std::make_unique<FakeAuthServer>();
        ASSERT_TRUE(server->listen());
        server->addClient({kClient, QString(), {kRedirectPath}});
        nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        mailkey::test::clearCapturedLog();
    }
    void TearDown() override
    {
        // The server never logs, so no token or code can be in the log.
        mailkey::test::expectNotLogged({server->lastIssuedAccessToken().toUtf8(),
                                        server->lastIssuedRefreshToken().toUtf8(), server->lastIssuedCode().toUtf8()});
    }

    QNetworkReply *start(const QByteArray &verb, const QUrl &url, const QByteArray &body = {},
                         const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QNetworkRequest request(url);
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        for (const auto &h : headers)
            request.setRawHeader(h.first, h.second);
        return nam.sendCustomRequest(request, verb, body);
    }

    static HttpResult collect(QNetworkReply *reply, qint64 elapsedMs = 0)
    {
        HttpResult r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.error = reply->error();
        r.headers = reply->rawHeaderPairs();
        r.elapsedMs = elapsedMs;
        reply->deleteLater();
        return r;
    }

    HttpResult send(const QByteArray &verb, const QUrl &url, const QByteArray &body = {},
                    const QList<QPair<QByteArray, QByteArray>> &headers = {})
    {
        QElapsedTimer timer;
        timer.start();
        QNetworkReply *reply = start(verb, url, body, headers);
        EXPECT_TRUE(waitFor([reply] { return reply->isFinished(); }, 10000));
        return collect(reply, timer.elapsed());
    }

    HttpResult get(const QUrl &url, const QString &bearer = QString())
    {
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!bearer.isNull())
            headers.append({"Authorization", "Bearer " + bearer.toLatin1()});
        return send("GET", url, {}, headers);
    }

    HttpResult postForm(const QUrl &url, const Params &params, QList<QPair<QByteArray, QByteArray>> headers = {})
    {
        headers.append({QByteArray("Content-Type"), QByteArray("application/x-www-form-urlencoded")});
        return send("POST", url, encode(params), headers);
    }

    QString redirectUri() const { return QStringLiteral("http://127.0.0.1:49152") + kRedirectPath; }

    Params authorizeParams(const QString &challenge = kChallenge) const
    {
        return {{s("response_type"), s("code")},
                {s("client_id"), kClient},
                {s("redirect_uri"), redirectUri()},
                {s("code_challenge"), challenge},
                {s("code_challenge_method"), s("S256")},
                {s("state"), kState},
                {s("scope"), kScope},
                {s("nonce"), s("nonce-42")},
                {s("login_hint"), s("alice@example.com")}};
    }

    HttpResult authorize(const Params &params) { return get(withQuery(server->authorizeUrl(), params)); }

    // Runs /authorize and returns the code (empty on failure).
    QString obtainCode(const QString &challenge = kChallenge)
    {
        const HttpResult r = authorize(authorizeParams(challenge));
        EXPECT_EQ(r.status, 302);
        return r.locationItem("code");
    }

    HttpResult redeem(const QString &code, const QString &verifier = kVerifier, Params extra = {})
    {
        Params p{{s("grant_type"), s("authorization_code")},
                 {s("client_id"), kClient},
                 {s("code"), code},
                 {s("redirect_uri"), redirectUri()},
                 {s("code_verifier"), verifier}};
        p += extra;
        return postForm(server->tokenUrl(), p);
    }

    HttpResult refresh(const QString &refreshToken, const QString &scope = QString())
    {
        Params p{{s("grant_type"), s("refresh_token")}, {s("client_id"), kClient}, {s("refresh_token"), refreshToken}};
        if (!scope.isNull())
            p.append({s("scope"), scope});
        return postForm(server->tokenUrl(), p);
    }

    // A complete sign-in; returns the token response.
    HttpResult signIn()
    {
        const HttpResult r = redeem(obtainCode());
        EXPECT_EQ(r.status, 200) << r.body.constData();
        return r;
    }

    std::unique_ptr<FakeAuthServer> server;
    QNetworkAccessManager nam;
};

// Discovery ---------------------------------------------------------------------------------------

TEST_F(FakeIdpTest, DiscoveryAdvertisesEndpointsAndIssuer)
{
    EXPECT_FALSE(server->issuer().endsWith(QLatin1Char('/')));
    EXPECT_EQ(server->baseUrl().toString(), server->issuer() + QLatin1Char('/'));
    HttpResult r = get(server->discoveryUrl());
    ASSERT_EQ(r.status, 200);
    const QJsonObject doc = r.json();
    EXPECT_EQ(doc.value(s("issuer")).toString(), server->issuer());
    EXPECT_EQ(doc.value(s("authorization_endpoint")).toString(), server->authorizeUrl().toString());
    EXPECT_EQ(doc.value(s("token_endpoint")).toString(), server->tokenUrl().toString());
    EXPECT_EQ(doc.value(s("userinfo_endpoint")).toString(), server->userinfoUrl().toString());
    EXPECT_EQ(doc.value(s("revocation_endpoint")).toString(), server->revokeUrl().toString());
    EXPECT_EQ(doc.value(s("introspection_endpoint")).toString(), server->introspectUrl().toString());
    EXPECT_EQ(doc.value(s("code_challenge_methods_supported")).toArray(), QJsonArray{s("S256")});
    EXPECT_TRUE(doc.value(s("authorization_response_iss_parameter_supported")).toBool());
    server->setSendIss(false);
    r = get(server->discoveryUrl());
    EXPECT_FALSE(r.json().value(s("authorization_response_iss_parameter_supported")).toBool(true));
    EXPECT_EQ(server->requestCount(Endpoint::Discovery), 2);
}

// /authorize --------------------------------------------------------------------------------------

TEST_F(FakeIdpTest, AuthorizeRedirectsWithCodeStateAndIss)
{
    const HttpResult r = authorize(authorizeParams());
    ASSERT_EQ(r.status, 302);
    const QUrl location = QUrl::fromEncoded(r.header("Location"));
    EXPECT_EQ(location.host(), s("127.0.0.1"));
    EXPECT_EQ(location.port(), 49152);
    EXPECT_EQ(location.path(), kRedirectPath);
    EXPECT_EQ(r.locationItem("state"), kState);
    EXPECT_EQ(r.locationItem("iss"), server->issuer());
    const QString code = r.locationItem("code");
    EXPECT_GE(code.size(), 64);
    EXPECT_TRUE(code.contains(QLatin1Char('+')) && code.contains(QLatin1Char('/')));
    EXPECT_TRUE(code == server->lastIssuedCode());

    const QList<QUrlQuery> seen = server->authorizeRequests();
    ASSERT_EQ(seen.size(), 1);
    EXPECT_EQ(seen.first().queryItemValue(s("code_challenge_method")), s("S256"));
    EXPECT_EQ(seen.first().queryItemValue(s("login_hint"), QUrl::FullyDecoded), s("alice@example.com"));
    EXPECT_EQ(seen.first().queryItemValue(s("scope"), QUrl::FullyDecoded), kScope);

    server->setSendIss(false);
    EXPECT_FALSE(authorize(authorizeParams()).locationQuery().hasQueryItem(s("iss")));
}

TEST_F(FakeIdpTest, AuthorizeAcceptsAnyLoopbackPortAndHost)
{
    for (const char *uri :
         {"http://127.0.0.1:1/oauth/fake", "http://[::1]:65535/oauth/fake", "http://localhost:8080/oauth/fake"}) {
        Params p = authorizeParams();
        p[2].second = s(uri);
        EXPECT_EQ(authorize(p).status, 302) << uri;
    }
}

TEST_F(FakeIdpTest, BadClientOrRedirectIsAnErrorPageNeverARedirect)
{
    const char *badUris[] = {"http://example.com:8080/oauth/fake",
                             "https://127.0.0.1:8080/oauth/fake",
                             "http://127.0.0.1:8080/other",
                             "http://127.0.0.1:8080/oauth/fake#x",
                             "http://user@127.0.0.1:8080/oauth/fake",
                             "not a url",
                             ""};
    for (const char *uri : badUris) {
        Params p = authorizeParams();
        p[2].second = s(uri);
        const HttpResult r = authorize(p);
        EXPECT_EQ(r.status, 400) << uri;
        EXPECT_TRUE(r.header("Location").isEmpty()) << uri;
        EXPECT_TRUE(r.header("Content-Type").startsWith("text/html")) << uri;
    }
    Params p = authorizeParams();
    p[1].second = s("unknown-client");
    EXPECT_EQ(authorize(p).status, 400);
    p[1].second.clear();
    EXPECT_EQ(authorize(p).status, 400);
    Params twice = authorizeParams();
    twice.append({s("redirect_uri"), redirectUri()});
    EXPECT_EQ(authorize(twice).status, 400);
}

TEST_F(FakeIdpTest, PlainOrMissingPkceIsRefusedWithRedirect)
{
    struct Case {
        const char *name;
        const char *value; // nullptr = remove the parameter
    };
    const Case cases[] = {{"code_challenge_method", "plain"},
                          {"code_challenge_method", nullptr},
                          {"code_challenge_method", "s256"},
                          {"code_challenge", nullptr},
                          {"code_challenge", "tooShort"},
                          {"response_type", "token"},
                          {"scope", nullptr}};
    for (const Case &c : cases) {
        Params p;
        for (const auto &item : authorizeParams()) {
            if (item.first != QLatin1String(c.name))
                p.append(item);
            else if (c.value)
                p.append({item.first, s(c.value)});
        }
        const HttpResult r = authorize(p);
        ASSERT_EQ(r.status, 302) << c.name;
        EXPECT_FALSE(r.locationQuery().hasQueryItem(s("code"))) << c.name;
        EXPECT_FALSE(r.locationItem("error").isEmpty()) << c.name;
        EXPECT_FALSE(r.locationItem("error_description").isEmpty()) << c.name;
        EXPECT_EQ(r.locationItem("state"), kState) << c.name;
        EXPECT_EQ(r.locationItem("iss"), server->issuer()) << c.name;
    }
}

TEST_F(FakeIdpTest, StateIsRequiredAndMustBeLongEnough)
{
    Params p = authorizeParams();
    p.removeAt(5);
    HttpResult r = authorize(p);
    ASSERT_EQ(r.status, 302);
    EXPECT_EQ(r.locationItem("error"), s("invalid_request"));
    EXPECT_FALSE(r.locationQuery().hasQueryItem(s("state")));
    p.append({s("state"), s("12345678")}); // Qt 6.4's default 8-character state
    r = authorize(p);
    EXPECT_EQ(r.locationItem("error"), s("invalid_request"));
    EXPECT_EQ(r.locationItem("state"), s("12345678"));
}

TEST_F(FakeIdpTest, NextAuthorizeErrorCarriesTheState)
{
    server->setNextAuthorizeError(s("access_denied"), s("The user declined."));
    HttpResult r = authorize(authorizeParams());
    ASSERT_EQ(r.status, 302);
    EXPECT_EQ(r.locationItem("error"), s("access_denied"));
    EXPECT_EQ(r.locationItem("error_description"), s("The user declined."));
    EXPECT_EQ(r.locationItem("state"), kState);
    EXPECT_FALSE(r.locationQuery().hasQueryItem(s("code")));
    r = authorize(authorizeParams()); // one-shot
    EXPECT_FALSE(r.locationItem("code").isEmpty());
}

// /token: authorization_code ----------------------------------------------------------------------

TEST_F(FakeIdpTest, FullCodeFlowWithCorrectVerifier)
{
    const QString code = obtainCode();
    const HttpResult r = redeem(code);
    ASSERT_EQ(r.status, 200) << r.body.constData();
    EXPECT_EQ(r.header("Cache-Control"), QByteArray("no-store"));
    EXPECT_TRUE(r.header("Content-Type").startsWith("application/json"));
    const QJsonObject t = r.json();
    EXPECT_EQ(t.value(s("token_type")).toString(), s("Bearer"));
    EXPECT_EQ(t.value(s("expires_in")).toInt(), 3600);
    EXPECT_EQ(t.value(s("scope")).toString(), kScope);
    const QString access = t.value(s("access_token")).toString();
    const QString refreshToken = t.value(s("refresh_token")).toString();
    EXPECT_GE(access.size(), 150);
    EXPECT_GE(refreshToken.size(), 100);
    EXPECT_TRUE(access == server->lastIssuedAccessToken());
    EXPECT_TRUE(refreshToken == server->lastIssuedRefreshToken());
    EXPECT_TRUE(server->isAccessTokenValid(access));
    EXPECT_TRUE(server->isRefreshTokenValid(refreshToken));
    EXPECT_TRUE(server->isGrantActive(s("alice@example.com")));

    const QString idToken = t.value(s("id_token")).toString();
    EXPECT_FALSE(idToken.endsWith(QLatin1Char('.'))); // signed even for a public client, like a real provider
    const QJsonObject claims = jwtClaims(idToken);
    EXPECT_EQ(claims.value(s("iss")).toString(), server->issuer());
    EXPECT_EQ(claims.value(s("aud")).toString(), kClient);
    EXPECT_EQ(claims.value(s("sub")).toString(), server->user().subject);
    EXPECT_EQ(claims.value(s("nonce")).toString(), s("nonce-42"));
    EXPECT_EQ(claims.value(s("email")).toString(), s("alice@example.com"));
    EXPECT_EQ(claims.value(s("name")).toString(), s("Alice Example"));
    EXPECT_GT(claims.value(s("exp")).toInteger(), claims.value(s("iat")).toInteger());

    const HttpResult me = get(server->meUrl(), access);
    ASSERT_EQ(me.status, 200);
    EXPECT_EQ(me.str("mail"), s("alice@example.com"));
    EXPECT_EQ(me.str("displayName"), s("Alice Example"));
    EXPECT_EQ(me.str("id"), server->user().subject);
    EXPECT_EQ(me.str("userPrincipalName"), s("alice@example.com"));
    const HttpResult info = get(server->userinfoUrl(), access);
    ASSERT_EQ(info.status, 200);
    EXPECT_EQ(info.str("sub"), server->user().subject);
    EXPECT_EQ(info.str("email"), s("alice@example.com"));
    EXPECT_TRUE(info.json().value(s("email_verified")).toBool());
}

TEST_F(FakeIdpTest, FakeBrowserFollowsRedirectToTheLoopbackCallback)
{
    // The app's loopback listener, reduced to: answer 200 and remember the request target.
    HttpTestServer app;
    ASSERT_TRUE(app.listen());
    app.on("GET", kRedirectPath, HttpTestServer::Reply::text(200, "signed in"));
    const QString appRedirectUri = app.baseUrl() + kRedirectPath;
    Params p = authorizeParams();
    p[2].second = appRedirectUri;
    FakeBrowser browser;
    int status = 0;
    QByteArray body;
    QUrl finalUrl;
    QObject::connect(&browser, &FakeBrowser::finished, &browser, [&](int st, const QByteArray &b, const QUrl &u) {
        status = st;
        body = b;
        finalUrl = u;
    });
    browser.open(withQuery(server->authorizeUrl(), p));
    ASSERT_TRUE(waitFor([&] { return status != 0; }));
    EXPECT_EQ(status, 200);
    EXPECT_EQ(body, QByteArray("signed in"));
    EXPECT_EQ(finalUrl.port(), QUrl(appRedirectUri).port());
    ASSERT_EQ(app.requestedTargets().size(), 1);
    const QUrlQuery callback(QUrl::fromEncoded(app.requestedTargets().first()));
    EXPECT_EQ(callback.queryItemValue(s("state"), QUrl::FullyDecoded), kState);
    const QString code = callback.queryItemValue(s("code"), QUrl::FullyDecoded);
    EXPECT_TRUE(code == server->lastIssuedCode());
    EXPECT_EQ(browser.visitedUrls().size(), 2);

    // The code from the callback works with the loopback redirect URI the app used.
    Params redeemParams{{s("grant_type"), s("authorization_code")},
                        {s("client_id"), kClient},
                        {s("code"), code},
                        {s("redirect_uri"), appRedirectUri},
                        {s("code_verifier"), kVerifier}};
    EXPECT_EQ(postForm(server->tokenUrl(), redeemParams).status, 200);

    // Tampering with the callback: the app receives what the rewrite made of it.
    browser.setRewriteRedirect([](const QUrl &u) {
        QUrlQuery q(u);
        q.removeAllQueryItems(QStringLiteral("state"));
        q.removeAllQueryItems(QStringLiteral("iss"));
        QUrl out = u;
        out.setQuery(q);
        return out;
    });
    status = 0;
    browser.open(withQuery(server->authorizeUrl(), p));
    ASSERT_TRUE(waitFor([&] { return status != 0; }));
    ASSERT_EQ(app.requestedTargets().size(), 2);
    const QUrlQuery tampered(QUrl::fromEncoded(app.requestedTargets().last()));
    EXPECT_FALSE(tampered.hasQueryItem(s("state")));
    EXPECT_FALSE(tampered.hasQueryItem(s("iss")));
    EXPECT_TRUE(tampered.hasQueryItem(s("code")));
}

TEST_F(FakeIdpTest, FakeBrowserReportsTheErrorPageAndNetworkFailures)
{
    FakeBrowser browser;
    int status = 0;
    QUrl finalUrl;
    QString failure;
    QObject::connect(&browser, &FakeBrowser::finished, &browser, [&](int st, const QByteArray &, const QUrl &u) {
        status = st;
        finalUrl = u;
    });
    QObject::connect(&browser, &FakeBrowser::failed, &browser, [&](const QString &reason) { failure = reason; });
    Params p = authorizeParams();
    p[2].second = s("http://evil.example:80/oauth/fake");
    browser.open(withQuery(server->authorizeUrl(), p));
    ASSERT_TRUE(waitFor([&] { return status != 0; }));
    EXPECT_EQ(status, 400);
    EXPECT_EQ(finalUrl.path(), s("/authorize"));
    EXPECT_EQ(browser.visitedUrls().size(), 1);

    // A redirect to a loopback port where nobody listens: the browser fails.
    quint16 deadPort = 0;
    {
        QTcpServer probe;
        ASSERT_TRUE(probe.listen(QHostAddress(QHostAddress::LocalHost), 0));
        deadPort = probe.serverPort();
    }
    p = authorizeParams();
    p[2].second = QStringLiteral("http://127.0.0.1:%1/oauth/fake").arg(deadPort);
    browser.open(withQuery(server->authorizeUrl(), p));
    ASSERT_TRUE(waitFor([&] { return !failure.isEmpty(); }));
}

TEST_F(FakeIdpTest, WrongVerifierIsRefusedAndBurnsTheCode)
{
    const QString code = obtainCode();
    HttpResult r = redeem(code, randomVerifier());
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.str("error"), s("invalid_grant"));
    EXPECT_EQ(r.header("Cache-Control"), QByteArray("no-store"));
    EXPECT_EQ(r.json().value(s("error_codes")).toArray().first().toInt(), 501481);
    EXPECT_TRUE(r.str("error_description").startsWith(QLatin1String("AADSTS501481:")));
    EXPECT_FALSE(r.str("trace_id").isEmpty());
    EXPECT_FALSE(r.str("correlation_id").isEmpty());
    EXPECT_FALSE(r.str("timestamp").isEmpty());
    // Single use even after a failed attempt.
    EXPECT_EQ(redeem(code).str("error"), s("invalid_grant"));
    // Missing verifier.
    EXPECT_EQ(redeem(obtainCode(), QString()).str("error"), s("invalid_grant"));
    // A verifier for another challenge.
    const QString verifier = randomVerifier();
    EXPECT_EQ(redeem(obtainCode(challengeFor(verifier)), kVerifier).status, 400);
    EXPECT_EQ(redeem(obtainCode(challengeFor(verifier)), verifier).status, 200);
    EXPECT_EQ(server->issuedAccessTokenCount(), 1);
}

TEST_F(FakeIdpTest, RedirectUriAndClientMustMatchTheAuthorizeRequest)
{
    HttpResult r = postForm(server->tokenUrl(), {{s("grant_type"), s("authorization_code")},
                                                 {s("client_id"), kClient},
                                                 {s("code"), obtainCode()},
                                                 {s("redirect_uri"), s("http://127.0.0.1:49153/oauth/fake")},
                                                 {s("code_verifier"), kVerifier}});
    EXPECT_EQ(r.str("error"), s("invalid_grant"));
    r = postForm(server->tokenUrl(), {{s("grant_type"), s("authorization_code")},
                                      {s("client_id"), kClient},
                                      {s("code"), obtainCode()},
                                      {s("code_verifier"), kVerifier}});
    EXPECT_EQ(r.str("error"), s("invalid_request"));

    server->addClient({s("other-client"), QString(), {}});
    const QString code = obtainCode();
    r = postForm(server->tokenUrl(), {{s("grant_type"), s("authorization_code")},
                                      {s("client_id"), s("other-client")},
                                      {s("code"), code},
                                      {s("redirect_uri"), redirectUri()},
                                      {s("code_verifier"), kVerifier}});
    EXPECT_EQ(r.str("error"), s("invalid_grant"));
    EXPECT_EQ(redeem(code).status, 200); // another client's attempt does not burn the code
}

TEST_F(FakeIdpTest, UnencodedPlusInTheCodeFails)
{
    const QString code = obtainCode();
    ASSERT_TRUE(code.contains(QLatin1Char('+')));
    // A client that forgets to percent-encode '+' sends a space.
    QByteArray body = "grant_type=authorization_code&client_id=" + kClient.toLatin1() + "&code=" + code.toLatin1()
                      + "&redirect_uri=" + QUrl::toPercentEncoding(redirectUri())
                      + "&code_verifier=" + kVerifier.toLatin1();
    HttpResult r = send("POST", server->tokenUrl(), body, {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(r.str("error"), s("invalid_grant"));
}

TEST_F(FakeIdpTest, CodeReuseIsRefusedAndRevokesItsTokens)
{
    const QString code = obtainCode();
    const HttpResult first = redeem(code);
    ASSERT_EQ(first.status, 200);
    const QString access = first.str("access_token");
    const QString refreshToken = first.str("refresh_token");
    EXPECT_EQ(get(server->meUrl(), access).status, 200);

    const HttpResult second = redeem(code);
    EXPECT_EQ(second.status, 400);
    EXPECT_EQ(second.str("error"), s("invalid_grant"));
    EXPECT_EQ(second.json().value(s("error_codes")).toArray().first().toInt(), 54005);
    EXPECT_FALSE(second.json().contains(s("access_token")));

    EXPECT_EQ(get(server->meUrl(), access).status, 401);
    EXPECT_EQ(refresh(refreshToken).str("error"), s("invalid_grant"));
    EXPECT_FALSE(server->isGrantActive(s("alice@example.com")));
}

TEST_F(FakeIdpTest, ExpiredCodeIsRefused)
{
    mailkey::ManualClock clock;
    server->setClock(&clock);
    server->setCodeLifetime(60);
    QString code = obtainCode();
    clock.advance(59);
    EXPECT_EQ(redeem(code).status, 200);
    code = obtainCode();
    clock.advance(60);
    const HttpResult r = redeem(code);
    EXPECT_EQ(r.str("error"), s("invalid_grant"));
    EXPECT_EQ(r.json().value(s("error_codes")).toArray().first().toInt(), 70008);
    server->setClock(nullptr);
}

TEST_F(FakeIdpTest, AccessTokenExpiresByTheClock)
{
    mailkey::ManualClock clock;
    server->setClock(&clock);
    server->setAccessTokenLifetime(600);
    const HttpResult t = signIn();
    EXPECT_EQ(t.json().value(s("expires_in")).toInt(), 600);
    const QString access = t.str("access_token");
    clock.advance(599);
    EXPECT_EQ(get(server->meUrl(), access).status, 200);
    clock.advance(1);
    const HttpResult r = get(server->meUrl(), access);
    EXPECT_EQ(r.status, 401);
    EXPECT_TRUE(r.header("WWW-Authenticate").contains("invalid_token"));
    EXPECT_EQ(refresh(t.str("refresh_token")).status, 200); // the refresh token still works
    server->setClock(nullptr);
}

TEST_F(FakeIdpTest, NoRefreshTokenWithoutOfflineAccessAndNoIdTokenWithoutOpenid)
{
    Params p = authorizeParams();
    p[6].second = s("User.Read Mail.Read");
    const QString code = authorize(p).locationItem("code");
    const HttpResult r = redeem(code);
    ASSERT_EQ(r.status, 200);
    EXPECT_FALSE(r.json().contains(s("refresh_token")));
    EXPECT_FALSE(r.json().contains(s("id_token")));
    p[6].second = s("openid email https://mail.google.com/");
    p.append({s("access_type"), s("offline")});
    EXPECT_TRUE(redeem(authorize(p).locationItem("code")).json().contains(s("refresh_token")));
}

// /token: refresh_token ---------------------------------------------------------------------------

TEST_F(FakeIdpTest, RefreshRotatesTheRefreshToken)
{
    const HttpResult t = signIn();
    const QString rt1 = t.str("refresh_token");
    const HttpResult r = refresh(rt1);
    ASSERT_EQ(r.status, 200) << r.body.constData();
    const QString rt2 = r.str("refresh_token");
    EXPECT_FALSE(rt2.isEmpty());
    EXPECT_FALSE(rt1 == rt2);
    EXPECT_FALSE(r.str("access_token") == t.str("access_token"));
    EXPECT_FALSE(server->isRefreshTokenValid(rt1));
    EXPECT_TRUE(server->isRefreshTokenValid(rt2));
    EXPECT_EQ(r.str("scope"), kScope);
    EXPECT_EQ(server->refreshCount(), 1);
    EXPECT_EQ(get(server->meUrl(), r.str("access_token")).status, 200);
    EXPECT_EQ(refresh(rt2).status, 200);
    EXPECT_EQ(server->refreshCount(), 2);
}

TEST_F(FakeIdpTest, RefreshForAnotherResourceScope)
{
    const QString imap = s("https://outlook.office.com/IMAP.AccessAsUser.All");
    // Consent to the Outlook scope at /authorize, redeem the code for the sign-in scopes only.
    Params p = authorizeParams();
    p.removeIf([](const QPair<QString, QString> &kv) { return kv.first == QLatin1String("scope"); });
    p.append({s("scope"), kScope + QLatin1Char(' ') + imap});
    const HttpResult t = redeem(authorize(p).locationItem("code"), kVerifier, {{s("scope"), kScope}});
    ASSERT_EQ(t.status, 200) << t.body.constData();
    EXPECT_EQ(t.str("scope"), kScope);
    const HttpResult r = refresh(t.str("refresh_token"), imap + s(" offline_access"));
    ASSERT_EQ(r.status, 200) << r.body.constData();
    EXPECT_EQ(r.str("scope"), imap + s(" offline_access"));
    EXPECT_TRUE(server->accessTokenScope(r.str("access_token")).contains(imap));
    EXPECT_FALSE(r.str("refresh_token").isEmpty());
    // An Outlook-audience token is refused by Graph.
    EXPECT_EQ(get(server->meUrl(), r.str("access_token")).status, 401);
    // One resource per request; no new bare scopes.
    EXPECT_EQ(refresh(r.str("refresh_token"), imap + s(" User.Read")).str("error"), s("invalid_scope"));
    EXPECT_EQ(refresh(r.str("refresh_token"), s("Mail.Send")).str("error"), s("invalid_scope"));
    EXPECT_EQ(refresh(r.str("refresh_token"), s("openid email")).status, 200); // a subset is fine
}

TEST_F(FakeIdpTest, AuthorizeConsentsToSeveralResourcesTokenRequestsTargetOne)
{
    const QString imap = s("https://outlook.office.com/IMAP.AccessAsUser.All");
    const QString smtp = s("https://outlook.office.com/SMTP.Send");
    const QString graph = kScope + s(" User.Read Mail.ReadWrite");
    const auto authorizeFor = [&](const QString &scope) {
        Params p = authorizeParams();
        p.removeIf([](const QPair<QString, QString> &kv) { return kv.first == QLatin1String("scope"); });
        p.append({s("scope"), scope});
        const HttpResult r = authorize(p);
        EXPECT_EQ(r.status, 302);
        return r.locationItem("code");
    };
    const QString all = graph + QLatin1Char(' ') + imap + QLatin1Char(' ') + smtp;

    // A redemption without scope after a multi-resource /authorize would mix resources.
    HttpResult r = redeem(authorizeFor(all));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.str("error"), s("invalid_scope"));
    EXPECT_TRUE(r.str("error_description").startsWith(s("AADSTS28000")));
    // So does one naming both resources.
    r = redeem(authorizeFor(all), kVerifier, {{s("scope"), graph + QLatin1Char(' ') + imap}});
    EXPECT_EQ(r.str("error"), s("invalid_scope"));

    // Redeemed for Graph; the one refresh token then serves IMAP and SMTP.
    r = redeem(authorizeFor(all), kVerifier, {{s("scope"), graph}});
    ASSERT_EQ(r.status, 200) << r.body.constData();
    EXPECT_EQ(r.str("scope"), graph);
    EXPECT_EQ(get(server->meUrl(), r.str("access_token")).status, 200);
    HttpResult i = refresh(r.str("refresh_token"), imap + s(" offline_access"));
    ASSERT_EQ(i.status, 200) << i.body.constData();
    HttpResult m = refresh(i.str("refresh_token"), smtp + s(" offline_access"));
    ASSERT_EQ(m.status, 200) << m.body.constData();
    const HttpResult back = refresh(m.str("refresh_token"), graph);
    ASSERT_EQ(back.status, 200) << back.body.constData();
    // A refresh without scope gets the resource the code was redeemed for, not a mix.
    const HttpResult plain = refresh(back.str("refresh_token"));
    ASSERT_EQ(plain.status, 200) << plain.body.constData();
    EXPECT_EQ(plain.str("scope"), graph);
}

TEST_F(FakeIdpTest, RefreshForAResourceNotConsentedIsConsentRequired)
{
    const QString imap = s("https://outlook.office.com/IMAP.AccessAsUser.All");
    const QString smtp = s("https://outlook.office.com/SMTP.Send");
    const HttpResult t = signIn(); // consented to kScope only
    const HttpResult r = refresh(t.str("refresh_token"), imap + s(" offline_access"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.str("error"), s("invalid_grant"));
    EXPECT_EQ(r.str("suberror"), s("consent_required"));
    EXPECT_TRUE(r.str("error_description")
                    .startsWith(s("AADSTS65001: The user or administrator has not consented to use the application")))
        << r.str("error_description").toStdString();
    EXPECT_EQ(r.json().value(s("error_codes")).toArray(), QJsonArray{65001});
    // Nothing was consumed: the refresh token still works for what was consented.
    EXPECT_EQ(refresh(t.str("refresh_token")).status, 200);

    // Consent is per scope: IMAP consented does not cover SMTP.
    Params p = authorizeParams();
    p.removeIf([](const QPair<QString, QString> &kv) { return kv.first == QLatin1String("scope"); });
    p.append({s("scope"), kScope + QLatin1Char(' ') + imap});
    const HttpResult g = redeem(authorize(p).locationItem("code"), kVerifier, {{s("scope"), kScope}});
    ASSERT_EQ(g.status, 200) << g.body.constData();
    EXPECT_EQ(refresh(g.str("refresh_token"), smtp).str("suberror"), s("consent_required"));
    // A code redemption asking for an unconsented resource is refused the same way.
    const HttpResult c = redeem(obtainCode(), kVerifier, {{s("scope"), imap}});
    EXPECT_EQ(c.str("error"), s("invalid_grant"));
    EXPECT_EQ(c.str("suberror"), s("consent_required"));
}

TEST_F(FakeIdpTest, RotatedRefreshTokenReuseRevokesTheFamily)
{
    const HttpResult t = signIn();
    const QString rt1 = t.str("refresh_token");
    const HttpResult r2 = refresh(rt1);
    ASSERT_EQ(r2.status, 200);
    const QString rt2 = r2.str("refresh_token");
    const QString at2 = r2.str("access_token");
    EXPECT_EQ(get(server->meUrl(), at2).status, 200);

    const HttpResult reuse = refresh(rt1);
    EXPECT_EQ(reuse.status, 400);
    EXPECT_EQ(reuse.str("error"), s("invalid_grant"));
    // The whole family is gone: the newest refresh token and every access token.
    EXPECT_EQ(refresh(rt2).str("error"), s("invalid_grant"));
    EXPECT_EQ(get(server->meUrl(), at2).status, 401);
    EXPECT_EQ(get(server->meUrl(), t.str("access_token")).status, 401);
    EXPECT_FALSE(server->isGrantActive(s("alice@example.com")));
    EXPECT_EQ(server->activeGrantCount(), 0);
    EXPECT_EQ(server->refreshCount(), 1);
}

TEST_F(FakeIdpTest, RefreshTokenLifetimeAndRevokeAllGrants)
{
    mailkey::ManualClock clock;
    server->setClock(&clock);
    server->setRefreshTokenLifetime(7 * 24 * 3600);
    const HttpResult t = signIn();
    clock.advance(7 * 24 * 3600);
    EXPECT_EQ(refresh(t.str("refresh_token")).str("error"), s("invalid_grant"));
    server->setClock(nullptr);

    const HttpResult u = signIn();
    EXPECT_TRUE(server->isGrantActive(s("ALICE@example.com")));
    server->revokeAllGrants();
    EXPECT_FALSE(server->isGrantActive(s("alice@example.com")));
    EXPECT_EQ(refresh(u.str("refresh_token")).str("error"), s("invalid_grant"));
    EXPECT_EQ(get(server->meUrl(), u.str("access_token")).status, 401);
}

TEST_F(FakeIdpTest, TokenEndpointIsStrictAboutTheRequest)
{
    // GET is not allowed.
    EXPECT_EQ(get(server->tokenUrl()).status, 405);
    // JSON is not form encoding.
    HttpResult r = send("POST", server->tokenUrl(), "{\"grant_type\":\"refresh_token\"}",
                        {{"Content-Type", "application/json"}});
    EXPECT_EQ(r.str("error"), s("invalid_request"));
    // Repeated parameter.
    r = postForm(
        server->tokenUrl(),
        {{s("grant_type"), s("refresh_token")}, {s("grant_type"), s("refresh_token")}, {s("client_id"), kClient}});
    EXPECT_EQ(r.str("error"), s("invalid_request"));
    // Unknown grant type, unknown client, no client.
    r = postForm(server->tokenUrl(), {{s("grant_type"), s("password")}, {s("client_id"), kClient}});
    EXPECT_EQ(r.str("error"), s("unsupported_grant_type"));
    r = postForm(server->tokenUrl(),
                 {{s("grant_type"), s("refresh_token")}, {s("client_id"), s("nope")}, {s("refresh_token"), s("x")}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.str("error"), s("invalid_client"));
    r = postForm(server->tokenUrl(), {{s("grant_type"), s("refresh_token")}, {s("refresh_token"), s("x")}});
    EXPECT_EQ(r.status, 401);
    // Parameters in the URL.
    r = postForm(withQuery(server->tokenUrl(), {{s("client_id"), kClient}}),
                 {{s("grant_type"), s("refresh_token")}, {s("refresh_token"), s("x")}});
    EXPECT_EQ(r.str("error"), s("invalid_request"));
    // A public client must not send a secret; an empty one (Qt 6.4 habit) is ignored.
    r = postForm(server->tokenUrl(), {{s("grant_type"), s("refresh_token")},
                                      {s("client_id"), kClient},
                                      {s("client_secret"), s("guess")},
                                      {s("refresh_token"), s("x")}});
    EXPECT_EQ(r.str("error"), s("invalid_client"));
    r = postForm(server->tokenUrl(), {{s("grant_type"), s("refresh_token")},
                                      {s("client_id"), kClient},
                                      {s("client_secret"), QString()},
                                      {s("refresh_token"), s("x")}});
    EXPECT_EQ(r.str("error"), s("invalid_grant"));
}

TEST_F(FakeIdpTest, ConfidentialClientAuthentication)
{
    const QString id = s("conf-client");
    const QString secret = s("s3cr+t/with:colon");
    server->addClient({id, secret, {}});
    Params ap = authorizeParams();
    ap[1].second = id;
    const auto basic = [](const QString &user, const QString &password) {
        return QByteArray(
            "Basic " + QByteArray(QUrl::toPercentEncoding(user) + ':' + QUrl::toPercentEncoding(password)).toBase64());
    };
    const auto redeemAs = [&](const Params &extra, const QList<QPair<QByteArray, QByteArray>> &h) {
        Params p{{s("grant_type"), s("authorization_code")},
                 {s("code"), authorize(ap).locationItem("code")},
                 {s("redirect_uri"), redirectUri()},
                 {s("code_verifier"), kVerifier}};
        return postForm(server->tokenUrl(), p + extra, h);
    };
    // HTTP Basic.
    HttpResult r = redeemAs({}, {{"Authorization", basic(id, secret)}});
    ASSERT_EQ(r.status, 200) << r.body.constData();
    // HS256 id_token keyed with the client secret.
    const QStringList parts = r.str("id_token").split(QLatin1Char('.'));
    ASSERT_EQ(parts.size(), 3);
    const QByteArray mac = QMessageAuthenticationCode::hash((parts.at(0) + QLatin1Char('.') + parts.at(1)).toLatin1(),
                                                            secret.toUtf8(), QCryptographicHash::Sha256);
    EXPECT_EQ(parts.at(2).toLatin1(), mac.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    // client_secret_post.
    EXPECT_EQ(redeemAs({{s("client_id"), id}, {s("client_secret"), secret}}, {}).status, 200);
    // Wrong secret, missing secret, both methods at once.
    r = redeemAs({}, {{"Authorization", basic(id, s("wrong"))}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.str("error"), s("invalid_client"));
    EXPECT_TRUE(r.header("WWW-Authenticate").startsWith("Basic"));
    EXPECT_EQ(redeemAs({{s("client_id"), id}}, {}).status, 401);
    EXPECT_EQ(redeemAs({{s("client_secret"), secret}}, {{"Authorization", basic(id, secret)}}).status, 400);
}

TEST_F(FakeIdpTest, NextTokenErrorIsMicrosoftShapedAndConsumesNothing)
{
    const QString code = obtainCode();
    server->setNextTokenError(400, s("invalid_grant"),
                              s("AADSTS70008: The provided authorization code or refresh token has "
                                "expired."),
                              2);
    for (int i = 0; i < 2; ++i) {
        const HttpResult r = redeem(code);
        EXPECT_EQ(r.status, 400);
        EXPECT_EQ(r.str("error"), s("invalid_grant"));
        EXPECT_EQ(r.json().value(s("error_codes")).toArray(), QJsonArray{70008});
        EXPECT_TRUE(r.str("error_description").startsWith(QLatin1String("AADSTS70008:")));
        EXPECT_FALSE(r.str("trace_id").isEmpty());
    }
    EXPECT_EQ(redeem(code).status, 200);
    server->setNextTokenError(503, s("temporarily_unavailable"), s("Try again later."));
    EXPECT_EQ(refresh(server->lastIssuedRefreshToken()).status, 503);
    EXPECT_EQ(refresh(server->lastIssuedRefreshToken()).status, 200);
}

// /revoke -----------------------------------------------------------------------------------------

TEST_F(FakeIdpTest, RevokeEndpoint)
{
    const auto revoke = [&](const QString &token, const QString &hint = QString()) {
        Params p{{s("token"), token}, {s("client_id"), kClient}};
        if (!hint.isEmpty())
            p.append({s("token_type_hint"), hint});
        return postForm(server->revokeUrl(), p);
    };
    // Unknown tokens: 200 (RFC 7009 2.2).
    EXPECT_EQ(revoke(s("no-such-token")).status, 200);
    EXPECT_EQ(server->revocationCount(), 1);

    // An access token alone: the refresh token survives.
    HttpResult t = signIn();
    EXPECT_EQ(revoke(t.str("access_token"), s("access_token")).status, 200);
    EXPECT_EQ(get(server->meUrl(), t.str("access_token")).status, 401);
    HttpResult r = refresh(t.str("refresh_token"));
    ASSERT_EQ(r.status, 200);

    // A refresh token (with a wrong hint): its whole grant.
    EXPECT_EQ(revoke(r.str("refresh_token"), s("access_token")).status, 200);
    EXPECT_EQ(get(server->meUrl(), r.str("access_token")).status, 401);
    EXPECT_EQ(refresh(r.str("refresh_token")).str("error"), s("invalid_grant"));
    EXPECT_FALSE(server->isGrantActive(s("alice@example.com")));
    EXPECT_EQ(server->revocationCount(), 3);

    // Client authentication and method.
    EXPECT_EQ(postForm(server->revokeUrl(), {{s("token"), s("x")}}).status, 401);
    EXPECT_EQ(postForm(server->revokeUrl(), {{s("client_id"), kClient}}).status, 400);
    EXPECT_EQ(get(server->revokeUrl()).status, 405);
    EXPECT_EQ(server->revocationCount(), 3);
    EXPECT_EQ(server->requestCount(Endpoint::Revoke), 6);
}

// /introspect -------------------------------------------------------------------------------------

TEST_F(FakeIdpTest, IntrospectEndpoint)
{
    const QString rs = s("mail-server");
    const QString secret = s("rs-secret");
    server->addClient({rs, secret, {}});
    const QByteArray basic = "Basic " + QByteArray(rs.toUtf8() + ':' + secret.toUtf8()).toBase64();
    const auto introspect = [&](const QString &token) {
        return postForm(server->introspectUrl(), {{s("token"), token}}, {{"Authorization", basic}});
    };
    HttpResult t = signIn();
    const QString access = t.str("access_token");
    HttpResult r = introspect(access);
    ASSERT_EQ(r.status, 200) << r.body.constData();
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    const QJsonObject active = r.json();
    EXPECT_EQ(active.value(s("active")), QJsonValue(true));
    EXPECT_EQ(active.value(s("email")).toString(), s("alice@example.com"));
    EXPECT_EQ(active.value(s("username")).toString(), s("alice@example.com"));
    EXPECT_EQ(active.value(s("client_id")).toString(), kClient);
    EXPECT_EQ(active.value(s("scope")).toString(), server->accessTokenScope(access));
    EXPECT_EQ(active.value(s("iss")).toString(), server->issuer());
    EXPECT_GT(active.value(s("exp")).toInteger(), QDateTime::currentSecsSinceEpoch());

    // Unknown, refresh and revoked tokens are inactive, with nothing else said (RFC 7662 2.2).
    for (const QString &token : {s("garbage"), t.str("refresh_token")}) {
        r = introspect(token);
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(r.json(), (QJsonObject{{s("active"), false}}));
    }
    EXPECT_EQ(postForm(server->revokeUrl(), {{s("token"), access}, {s("client_id"), kClient}}).status, 200);
    EXPECT_EQ(introspect(access).json(), (QJsonObject{{s("active"), false}}));

    // Only a confidential client may ask; the same strict form rules as /revoke.
    EXPECT_EQ(postForm(server->introspectUrl(), {{s("token"), access}, {s("client_id"), kClient}}).status, 401);
    EXPECT_EQ(postForm(server->introspectUrl(), {{s("token"), access}}).status, 401);
    EXPECT_EQ(postForm(server->introspectUrl(), {}, {{"Authorization", basic}}).status, 400);
    EXPECT_EQ(get(server->introspectUrl()).status, 405);
    EXPECT_EQ(server->requestCount(Endpoint::Introspect), 8);
}

// Resources ---------------------------------------------------------------------------------------

TEST_F(FakeIdpTest, ResourcesRequireAValidBearer)
{
    const QString access = signIn().str("access_token");
    for (const QUrl &url :
         {server->meUrl(), server->userinfoUrl(), server->mailFoldersUrl(), server->gmailLabelsUrl()}) {
        HttpResult r = get(url);
        EXPECT_EQ(r.status, 401) << url.path().toStdString();
        EXPECT_TRUE(r.header("WWW-Authenticate").startsWith("Bearer")) << url.path().toStdString();
        EXPECT_FALSE(r.json().isEmpty()) << url.path().toStdString();
        r = get(url, s("garbage"));
        EXPECT_EQ(r.status, 401);
        EXPECT_TRUE(r.header("WWW-Authenticate").contains("error=\"invalid_token\""));
        r = send("GET", url, {}, {{"Authorization", "Basic " + access.toLatin1()}});
        EXPECT_EQ(r.status, 401);
        EXPECT_EQ(get(url, access).status, 200) << url.path().toStdString();
        // Not in the URL.
        EXPECT_EQ(get(withQuery(url, {{s("access_token"), access}})).status, 400);
    }
    const HttpResult me = get(server->meUrl(), access);
    EXPECT_EQ(me.json().value(s("error")).toObject().value(s("code")).toString(), QString());
    const HttpResult bad = get(server->meUrl(), s("garbage"));
    EXPECT_EQ(bad.json().value(s("error")).toObject().value(s("code")).toString(), s("InvalidAuthenticationToken"));
}

TEST_F(FakeIdpTest, MeHasNullMailWhenTheUserHasNone)
{
    server->setUser({s("sub-2"), QString(), s("No Mail"), s("nomail@tenant.onmicrosoft.com")});
    const HttpResult t = signIn();
    const HttpResult me = get(server->meUrl(), t.str("access_token"));
    ASSERT_EQ(me.status, 200);
    EXPECT_TRUE(me.json().value(s("mail")).isNull());
    EXPECT_EQ(me.str("userPrincipalName"), s("nomail@tenant.onmicrosoft.com"));
    const HttpResult info = get(server->userinfoUrl(), t.str("access_token"));
    EXPECT_FALSE(info.json().contains(s("email")));
    EXPECT_FALSE(info.json().value(s("email_verified")).toBool(true));
    EXPECT_FALSE(jwtClaims(t.str("id_token")).contains(s("email")));
}

TEST_F(FakeIdpTest, MailFoldersAndGmailLabels)
{
    server->setMailFolders({{s("Inbox"), 5, 50}, {s("Projects"), 2, 9}});
    const QString access = signIn().str("access_token");
    HttpResult r = get(server->mailFoldersUrl(), access);
    ASSERT_EQ(r.status, 200);
    const QJsonArray folders = r.json().value(s("value")).toArray();
    ASSERT_EQ(folders.size(), 2);
    EXPECT_EQ(folders.at(0).toObject().value(s("displayName")).toString(), s("Inbox"));
    EXPECT_EQ(folders.at(0).toObject().value(s("unreadItemCount")).toInt(), 5);
    EXPECT_EQ(folders.at(1).toObject().value(s("totalItemCount")).toInt(), 9);
    r = get(QUrl(server->mailFoldersUrl().toString() + s("/inbox")), access);
    EXPECT_EQ(r.json().value(s("unreadItemCount")).toInt(), 5);

    r = get(server->gmailLabelsUrl(), access);
    ASSERT_EQ(r.status, 200);
    const QJsonArray labels = r.json().value(s("labels")).toArray();
    ASSERT_EQ(labels.size(), 2);
    EXPECT_EQ(labels.at(0).toObject().value(s("id")).toString(), s("INBOX"));
    EXPECT_EQ(labels.at(0).toObject().value(s("messagesUnread")).toInt(), 5);
    EXPECT_EQ(labels.at(1).toObject().value(s("id")).toString(), s("Label_1"));
    EXPECT_EQ(labels.at(1).toObject().value(s("name")).toString(), s("Projects"));
    r = get(QUrl(server->gmailLabelsUrl().toString() + s("/INBOX")), access);
    EXPECT_EQ(r.json().value(s("messagesTotal")).toInt(), 50);
    EXPECT_EQ(server->requestCount(Endpoint::Labels), 2);
    EXPECT_EQ(server->requestCount(Endpoint::MailFolders), 2);
}

// Faults ------------------------------------------------------------------------------------------

TEST_F(FakeIdpTest, FaultServerErrorAndCount)
{
    server->injectFault(Endpoint::Token, Fault{Fault::ServerError, 2, 503, 0, 0});
    const QString code = obtainCode();
    EXPECT_EQ(redeem(code).status, 503);
    const HttpResult r = redeem(code);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.str("error"), s("temporarily_unavailable"));
    EXPECT_EQ(redeem(code).status, 200); // the faults consumed nothing
    EXPECT_EQ(server->requestCount(Endpoint::Token), 3);
    server->injectFault(Endpoint::Me, Fault{Fault::ServerError, 1, 0, 0, 0});
    EXPECT_EQ(get(server->meUrl(), server->lastIssuedAccessToken()).status, 500);
    EXPECT_EQ(get(server->meUrl(), server->lastIssuedAccessToken()).status, 200);
}

TEST_F(FakeIdpTest, FaultRateLimitedUntilCleared)
{
    const QString access = signIn().str("access_token");
    server->injectFault(Endpoint::MailFolders, Fault{Fault::RateLimited, -1, 0, 7, 0});
    for (int i = 0; i < 3; ++i) {
        const HttpResult r = get(server->mailFoldersUrl(), access);
        EXPECT_EQ(r.status, 429);
        EXPECT_EQ(r.header("Retry-After"), QByteArray("7"));
    }
    server->clearFaults();
    EXPECT_EQ(get(server->mailFoldersUrl(), access).status, 200);
}

TEST_F(FakeIdpTest, FaultMalformedJsonAndHtmlBody)
{
    server->injectFault(Endpoint::Token, Fault{Fault::MalformedJson, 1, 0, 0, 0});
    server->injectFault(Endpoint::Token, Fault{Fault::HtmlBody, 1, 502, 0, 0});
    const QString code = obtainCode();
    HttpResult r = redeem(code);
    EXPECT_EQ(r.status, 200);
    QJsonParseError error{};
    QJsonDocument::fromJson(r.body, &error);
    EXPECT_NE(error.error, QJsonParseError::NoError);
    r = redeem(code);
    EXPECT_EQ(r.status, 502);
    EXPECT_TRUE(r.header("Content-Type").startsWith("text/html"));
    EXPECT_TRUE(r.body.contains("<html>"));
    EXPECT_EQ(redeem(code).status, 200);
}

TEST_F(FakeIdpTest, FaultDropConnection)
{
    // count 1 = one failure seen by the client, although Qt silently re-sends the request.
    server->injectFault(Endpoint::Discovery, Fault{Fault::DropConnection, 1, 0, 0, 0});
    HttpResult r = get(server->discoveryUrl());
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error, QNetworkReply::NoError);
    EXPECT_GE(server->requestCount(Endpoint::Discovery), 1);
    EXPECT_EQ(get(server->discoveryUrl()).status, 200);

    // A dropped token request: nothing consumed, the retry works.
    const QString code = obtainCode();
    server->injectFault(Endpoint::Token, Fault{Fault::DropConnection, 1, 0, 0, 0});
    r = redeem(code);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error, QNetworkReply::NoError);
    EXPECT_EQ(redeem(code).status, 200);

    // Until cleared.
    server->injectFault(Endpoint::Discovery, Fault{Fault::DropConnection, -1, 0, 0, 0});
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(get(server->discoveryUrl()).status, 0);
    server->clearFaults();
    EXPECT_EQ(get(server->discoveryUrl()).status, 200);
}

TEST_F(FakeIdpTest, FaultTruncatedResponse)
{
    const QString code = obtainCode();
    server->injectFault(Endpoint::Token, Fault{Fault::Truncated, 1, 0, 0, 0});
    const HttpResult r = redeem(code);
    EXPECT_NE(r.error, QNetworkReply::NoError);
    EXPECT_TRUE(r.json().isEmpty());
    EXPECT_EQ(server->requestCount(Endpoint::Token), 1); // not re-sent
    EXPECT_EQ(redeem(code).status, 200);                 // nothing was consumed
}

TEST_F(FakeIdpTest, FaultDropAfterProcessingStillRotates)
{
    const HttpResult t = signIn();
    server->injectFault(Endpoint::Token, Fault{Fault::DropAfterProcessing, 1, 0, 0, 0});
    const HttpResult lost = refresh(t.str("refresh_token"));
    EXPECT_NE(lost.status, 200); // the new tokens never reached the client
    EXPECT_EQ(server->refreshCount(), 1);
    // Whoever presents the old refresh token again (Qt's silent re-send already did) is
    // reusing it, and the grant dies.
    EXPECT_EQ(refresh(t.str("refresh_token")).str("error"), s("invalid_grant"));
    EXPECT_FALSE(server->isGrantActive(s("alice@example.com")));
}

TEST_F(FakeIdpTest, FaultDelayAndLatency)
{
    server->injectFault(Endpoint::Discovery, Fault{Fault::Delay, 1, 0, 0, 300});
    HttpResult r = get(server->discoveryUrl());
    EXPECT_EQ(r.status, 200);
    EXPECT_GE(r.elapsedMs, 290);
    r = get(server->discoveryUrl());
    EXPECT_LT(r.elapsedMs, 290);

    server->setLatency(150);
    r = get(server->discoveryUrl());
    EXPECT_EQ(r.status, 200);
    EXPECT_GE(r.elapsedMs, 140);
    // A delayed fault adds to the latency: a slow 500.
    server->injectFault(Endpoint::Discovery, Fault{Fault::ServerError, 1, 0, 0, 200});
    r = get(server->discoveryUrl());
    EXPECT_EQ(r.status, 500);
    EXPECT_GE(r.elapsedMs, 340);
}

// Concurrency and HTTP ----------------------------------------------------------------------------

TEST_F(FakeIdpTest, TwentyParallelTokenRequestsComplete)
{
    QStringList codes;
    for (int i = 0; i < 20; ++i)
        codes.append(obtainCode());
    server->setLatency(200);
    QElapsedTimer timer;
    timer.start();
    QList<QNetworkReply *> replies;
    for (const QString &code : std::as_const(codes)) {
        replies.append(start("POST", server->tokenUrl(),
                             encode({{s("grant_type"), s("authorization_code")},
                                     {s("client_id"), kClient},
                                     {s("code"), code},
                                     {s("redirect_uri"), redirectUri()},
                                     {s("code_verifier"), kVerifier}}),
                             {{"Content-Type", "application/x-www-form-urlencoded"}}));
    }
    ASSERT_TRUE(waitFor(
        [&] { return std::all_of(replies.begin(), replies.end(), [](QNetworkReply *r) { return r->isFinished(); }); },
        15000));
    const qint64 elapsed = timer.elapsed();
    QSet<QString> tokens;
    for (QNetworkReply *reply : std::as_const(replies)) {
        const HttpResult r = collect(reply);
        EXPECT_EQ(r.status, 200);
        tokens.insert(r.str("access_token"));
    }
    EXPECT_EQ(tokens.size(), 20);
    EXPECT_EQ(server->activeGrantCount(), 20);
    EXPECT_LT(elapsed, 20 * 200 * 3 / 4); // not served one after another
}

TEST_F(FakeIdpTest, DestroyedWithResponsesPending)
{
    server->injectFault(Endpoint::Discovery, Fault{Fault::Delay, -1, 0, 0, 5000});
    QList<QNetworkReply *> replies;
    for (int i = 0; i < 5; ++i)
        replies.append(start("GET", server->discoveryUrl()));
    ASSERT_TRUE(waitFor([&] { return server->requestCount(Endpoint::Discovery) >= 5; }, 5000));
    server.reset(); // closes the connections; the pending timers must not fire
    ASSERT_TRUE(waitFor(
        [&] { return std::all_of(replies.begin(), replies.end(), [](QNetworkReply *r) { return r->isFinished(); }); },
        5000));
    for (QNetworkReply *reply : std::as_const(replies))
        EXPECT_EQ(collect(reply).status, 0);
    server = std::make_unique<FakeAuthServer>(); // for TearDown
}

TEST_F(FakeIdpTest, RawHttpKeepAliveLimitsAndIdleTimeout)
{
    server->setIdleTimeout(300);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), server->port());
    ASSERT_TRUE(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }));
    const QByteArray host = "Host: 127.0.0.1:" + QByteArray::number(server->port()) + "\r\n";
    // Two pipelined requests on one connection.
    socket.write("GET /jwks HTTP/1.1\r\n" + host + "\r\nGET /jwks HTTP/1.1\r\n" + host + "\r\n");
    QByteArray got;
    ASSERT_TRUE(waitFor([&] {
        got += socket.readAll();
        return got.count("HTTP/1.1 200 OK") == 2;
    }));
    EXPECT_EQ(socket.state(), QAbstractSocket::ConnectedState);
    // The idle connection is closed by the server.
    EXPECT_TRUE(waitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; }, 3000));

    const auto rawExchange = [&](const QByteArray &request) {
        QTcpSocket s2;
        s2.connectToHost(QHostAddress(QHostAddress::LocalHost), server->port());
        EXPECT_TRUE(waitFor([&] { return s2.state() == QAbstractSocket::ConnectedState; }));
        s2.write(request);
        QByteArray answer;
        EXPECT_TRUE(waitFor(
            [&] {
                answer += s2.readAll();
                return s2.state() == QAbstractSocket::UnconnectedState;
            },
            5000));
        return QByteArray(answer + s2.readAll());
    };
    // Over 64 KiB.
    const QByteArray big(70 * 1024, 'a');
    QByteArray answer = rawExchange("POST /token HTTP/1.1\r\n" + host
                                    + "Content-Type: application/x-www-form-urlencoded\r\n"
                                      "Content-Length: "
                                    + QByteArray::number(big.size()) + "\r\n\r\n" + big);
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 413")) << answer.left(40).constData();
    answer = rawExchange("GET /jwks HTTP/1.1\r\nX-Big: " + big + "\r\n\r\n");
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 431")) << answer.left(40).constData();
    answer = rawExchange("GARBAGE\r\n\r\n");
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 400")) << answer.left(40).constData();
    answer = rawExchange("GET /jwks HTTP/1.1\r\n\r\n"); // no Host
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 400")) << answer.left(40).constData();
    answer = rawExchange("POST /token HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 501")) << answer.left(40).constData();
    answer = rawExchange("GET /nowhere HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n");
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 404")) << answer.left(40).constData();
    // The server still works.
    EXPECT_EQ(get(server->discoveryUrl()).status, 200);
}

} // namespace
