// OidcDiscovery against the shared HTTP test server on 127.0.0.1 (HttpTestServer): endpoints
// filled in, issuer mismatch refused, http endpoints on public hosts refused, PKCE S256 checks,
// HTTP errors, timeout, body size limit, cancel.
#include "core/providers/OidcDiscovery.h"

#include "tests/support/HttpTestServer.h"
#include "tests/support/TestUtil.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QTcpServer>

#include <gtest/gtest.h>

#include <optional>

using mailkey::Error;
using mailkey::ErrorCode;
using mailkey::OidcDiscovery;
using mailkey::Provider;
using mailkey::test::HttpTestServer;
using Reply = HttpTestServer::Reply;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

struct Outcome {
    std::optional<Provider> provider;
    std::optional<Error> error;
    int count = 0;
};

class OidcDiscoveryTest : public ::testing::Test {
protected:
    Provider customProvider(const QString &issuer)
    {
        Provider p;
        p.id = s("example");
        p.displayName = s("Example");
        p.kind = Provider::Kind::Custom;
        p.issuer = issuer;
        p.needsDiscovery = true;
        p.redirectPath = s("/oauth/example");
        p.scopes = QStringList{s("openid"), s("email"), s("offline_access")};
        return p;
    }

    QJsonObject goodDocument(const QString &issuer)
    {
        const QString b = server.baseUrl();
        return QJsonObject{
            {s("issuer"), issuer},
            {s("authorization_endpoint"), QString(b + s("/authorize"))},
            {s("token_endpoint"), QString(b + s("/token"))},
            {s("userinfo_endpoint"), QString(b + s("/userinfo"))},
            {s("revocation_endpoint"), QString(b + s("/revoke"))},
            {s("device_authorization_endpoint"), QString(b + s("/device/code"))},
            {s("jwks_uri"), QString(b + s("/jwks"))},
            {s("response_types_supported"), QJsonArray{s("code"), s("id_token")}},
            {s("code_challenge_methods_supported"), QJsonArray{s("plain"), s("S256")}},
            {s("authorization_response_iss_parameter_supported"), true},
        };
    }

    void serve(const QByteArray &path, const QJsonObject &doc)
    {
        server.on("GET", QString::fromLatin1(path),
                  Reply::json(200, QJsonDocument(doc).toJson(QJsonDocument::Compact)));
    }

    Outcome run(const Provider &p, OidcDiscovery *discovery = nullptr)
    {
        OidcDiscovery local(&nam);
        OidcDiscovery *d = discovery ? discovery : &local;
        Outcome out;
        QObject::connect(d, &OidcDiscovery::finished, d, [&out](const Provider &result) {
            out.provider = result;
            ++out.count;
        });
        QObject::connect(d, &OidcDiscovery::failed, d, [&out](const Error &e) {
            out.error = e;
            ++out.count;
        });
        d->start(p);
        EXPECT_TRUE(mailkey::test::waitFor([&out]() { return out.count > 0; }, 10000));
        // Exactly one signal, and nothing after it.
        mailkey::test::waitFor([]() { return false; }, 50);
        EXPECT_EQ(out.count, 1);
        EXPECT_FALSE(d->isRunning());
        d->disconnect(d);
        return out;
    }

    Error runExpectingFailure(const Provider &p)
    {
        const Outcome o = run(p);
        EXPECT_FALSE(o.provider.has_value());
        EXPECT_TRUE(o.error.has_value());
        return o.error.value_or(Error());
    }

    void SetUp() override
    {
        nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        ASSERT_TRUE(server.listen());
    }

    HttpTestServer server;
    QNetworkAccessManager nam;
};

} // namespace

TEST_F(OidcDiscoveryTest, FillsEndpointsFromTheDocument)
{
    const QString issuer = server.baseUrl();
    serve("/.well-known/openid-configuration", goodDocument(issuer));
    const Outcome o = run(customProvider(issuer));
    ASSERT_TRUE(o.provider.has_value()) << (o.error ? o.error->message.toStdString() : std::string());
    const Provider &p = *o.provider;
    EXPECT_FALSE(p.needsDiscovery);
    EXPECT_TRUE(p.issRequired);
    EXPECT_EQ(p.issuer, issuer);
    EXPECT_EQ(p.authorizationEndpoint.toString(), issuer + s("/authorize"));
    EXPECT_EQ(p.tokenEndpoint.toString(), issuer + s("/token"));
    EXPECT_EQ(p.userinfoEndpoint.toString(), issuer + s("/userinfo"));
    EXPECT_EQ(p.profileEndpoint, p.userinfoEndpoint);
    EXPECT_EQ(p.revocationEndpoint.toString(), issuer + s("/revoke"));
    EXPECT_EQ(p.deviceAuthorizationEndpoint.toString(), issuer + s("/device/code"));
    EXPECT_EQ(p.redirectPath, s("/oauth/example"));
    EXPECT_EQ(server.requestedTargets(), QList<QByteArray>{"/.well-known/openid-configuration"});
}

TEST_F(OidcDiscoveryTest, IssuerWithPathAndConfiguredEndpointsKept)
{
    const QString issuer = server.baseUrl() + s("/realms/mail");
    QJsonObject doc = goodDocument(issuer);
    doc.remove(s("authorization_response_iss_parameter_supported"));
    doc.remove(s("code_challenge_methods_supported")); // absent: proceed
    serve("/realms/mail/.well-known/openid-configuration", doc);

    Provider p = customProvider(issuer);
    p.tokenEndpoint = QUrl(server.baseUrl() + s("/configured-token"));
    const Outcome o = run(p);
    ASSERT_TRUE(o.provider.has_value()) << (o.error ? o.error->message.toStdString() : std::string());
    EXPECT_EQ(o.provider->tokenEndpoint.toString(), server.baseUrl() + s("/configured-token"));
    EXPECT_EQ(o.provider->authorizationEndpoint.toString(), server.baseUrl() + s("/authorize"));
    EXPECT_FALSE(o.provider->issRequired);
    EXPECT_EQ(OidcDiscovery::discoveryUrl(issuer + s("/")).toString(), issuer + s("/.well-known/openid-configuration"));
}

TEST_F(OidcDiscoveryTest, IssuerMismatchRefused)
{
    const QString issuer = server.baseUrl();
    for (const QString &claimed :
         {QString(issuer + s("/")), s("https://evil.example.com"), server.baseUrl().toUpper()}) {
        SCOPED_TRACE(claimed.toStdString());
        serve("/.well-known/openid-configuration", goodDocument(claimed));
        const Error e = runExpectingFailure(customProvider(issuer));
        EXPECT_EQ(e.code, ErrorCode::Config);
        EXPECT_TRUE(e.message.contains(s("issuer"))) << e.message.toStdString();
        EXPECT_TRUE(e.message.contains(s("4.3"))) << e.message.toStdString();
    }
    QJsonObject noIssuer = goodDocument(issuer);
    noIssuer.remove(s("issuer"));
    serve("/.well-known/openid-configuration", noIssuer);
    EXPECT_TRUE(runExpectingFailure(customProvider(issuer)).message.contains(s("no \"issuer\"")));
}

TEST_F(OidcDiscoveryTest, HttpEndpointOnPublicHostRefused)
{
    const QString issuer = server.baseUrl();
    for (const char *field :
         {"token_endpoint", "authorization_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"}) {
        SCOPED_TRACE(field);
        QJsonObject doc = goodDocument(issuer);
        doc.insert(s(field), s("http://idp.example.com/x"));
        serve("/.well-known/openid-configuration", doc);
        const Error e = runExpectingFailure(customProvider(issuer));
        EXPECT_EQ(e.code, ErrorCode::Config);
        EXPECT_TRUE(e.message.contains(s(field))) << e.message.toStdString();
        EXPECT_TRUE(e.message.contains(s("https"))) << e.message.toStdString();
    }
    QJsonObject withUser = goodDocument(issuer);
    withUser.insert(s("token_endpoint"), s("https://user:pw@idp.example.com/token"));
    serve("/.well-known/openid-configuration", withUser);
    EXPECT_TRUE(runExpectingFailure(customProvider(issuer)).message.contains(s("user name")));
}

TEST_F(OidcDiscoveryTest, PkceAndResponseTypeChecks)
{
    const QString issuer = server.baseUrl();
    QJsonObject doc = goodDocument(issuer);
    doc.insert(s("code_challenge_methods_supported"), QJsonArray{s("plain")});
    serve("/.well-known/openid-configuration", doc);
    EXPECT_TRUE(runExpectingFailure(customProvider(issuer)).message.contains(s("S256")));

    doc = goodDocument(issuer);
    doc.insert(s("response_types_supported"), QJsonArray{s("id_token")});
    serve("/.well-known/openid-configuration", doc);
    EXPECT_TRUE(runExpectingFailure(customProvider(issuer)).message.contains(s("authorization code")));

    doc = goodDocument(issuer);
    doc.insert(s("authorization_response_iss_parameter_supported"), s("true"));
    serve("/.well-known/openid-configuration", doc);
    EXPECT_TRUE(runExpectingFailure(customProvider(issuer)).message.contains(s("not a boolean")));

    doc = goodDocument(issuer);
    doc.remove(s("token_endpoint"));
    serve("/.well-known/openid-configuration", doc);
    EXPECT_TRUE(runExpectingFailure(customProvider(issuer)).message.contains(s("no token_endpoint")));
}

TEST_F(OidcDiscoveryTest, HttpErrorsAndBadBodies)
{
    const QString issuer = server.baseUrl();
    // No route: 404.
    Error e = runExpectingFailure(customProvider(issuer));
    EXPECT_EQ(e.code, ErrorCode::Config);
    EXPECT_TRUE(e.message.contains(s("HTTP 404"))) << e.message.toStdString();

    server.on("GET", s("/.well-known/openid-configuration"), Reply::json(503, "{}"));
    e = runExpectingFailure(customProvider(issuer));
    EXPECT_EQ(e.code, ErrorCode::Network);
    EXPECT_TRUE(e.message.contains(s("HTTP 503")));

    server.on("GET", s("/.well-known/openid-configuration"), Reply::json(200, "<html>hello</html>"));
    e = runExpectingFailure(customProvider(issuer));
    EXPECT_EQ(e.code, ErrorCode::Config);
    EXPECT_TRUE(e.message.contains(s("not a JSON object")));
}

TEST_F(OidcDiscoveryTest, SizeLimit)
{
    const QString issuer = server.baseUrl();
    QJsonObject doc = goodDocument(issuer);
    doc.insert(s("padding"), QString(4096, QLatin1Char('x')));
    serve("/.well-known/openid-configuration", doc);
    OidcDiscovery d(&nam);
    d.setMaxBodySize(1024);
    const Outcome o = run(customProvider(issuer), &d);
    ASSERT_TRUE(o.error.has_value());
    EXPECT_TRUE(o.error->message.contains(s("larger than 1 KiB"))) << o.error->message.toStdString();

    // The same document is fine under the default limit.
    const Outcome ok = run(customProvider(issuer));
    EXPECT_TRUE(ok.provider.has_value());
}

TEST_F(OidcDiscoveryTest, APercentInTheIssuerIsNotTakenForAPlaceholder)
{
    // "%2" in the issuer's path (an encoded character, as URLs have) must stay as it is, and the
    // status must still be where the message says it.
    const QString issuer = server.baseUrl() + s("/tenant%2Fmail");
    const Error e = runExpectingFailure(customProvider(issuer));
    EXPECT_TRUE(e.message.contains(s("/tenant%2Fmail/.well-known/openid-configuration answered HTTP 404")))
        << e.message.toStdString();
}

TEST_F(OidcDiscoveryTest, Timeout)
{
    server.on("GET", s("/.well-known/openid-configuration"), Reply::hang());
    OidcDiscovery d(&nam);
    d.setTimeout(300);
    QElapsedTimer t;
    t.start();
    const Outcome o = run(customProvider(server.baseUrl()), &d);
    ASSERT_TRUE(o.error.has_value());
    EXPECT_EQ(o.error->code, ErrorCode::Network);
    EXPECT_TRUE(o.error->message.contains(s("did not answer"))) << o.error->message.toStdString();
    EXPECT_LT(t.elapsed(), 5000);
}

TEST_F(OidcDiscoveryTest, ConnectionRefused)
{
    QTcpServer closed;
    ASSERT_TRUE(closed.listen(QHostAddress(QHostAddress::LocalHost), 0));
    const quint16 port = closed.serverPort();
    closed.close();
    const Error e = runExpectingFailure(customProvider(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    EXPECT_EQ(e.code, ErrorCode::Network);
}

TEST_F(OidcDiscoveryTest, BadIssuerFailsAsynchronously)
{
    OidcDiscovery d(&nam);
    int failures = 0;
    QObject::connect(&d, &OidcDiscovery::failed, &d, [&failures](const Error &) { ++failures; });
    d.start(customProvider(s("http://id.example.com")));
    EXPECT_EQ(failures, 0); // not from inside start()
    EXPECT_TRUE(mailkey::test::waitFor([&failures]() { return failures == 1; }, 2000));
    EXPECT_TRUE(server.requestedTargets().isEmpty());
}

TEST_F(OidcDiscoveryTest, CancelEmitsNothing)
{
    server.on("GET", s("/.well-known/openid-configuration"), Reply::hang());
    OidcDiscovery d(&nam);
    int signalCount = 0;
    QObject::connect(&d, &OidcDiscovery::failed, &d, [&signalCount](const Error &) { ++signalCount; });
    QObject::connect(&d, &OidcDiscovery::finished, &d, [&signalCount](const Provider &) { ++signalCount; });
    d.start(customProvider(server.baseUrl()));
    ASSERT_TRUE(mailkey::test::waitFor([this]() { return !server.requestedTargets().isEmpty(); }, 5000));
    EXPECT_TRUE(d.isRunning());
    d.cancel();
    EXPECT_FALSE(d.isRunning());
    mailkey::test::waitFor([]() { return false; }, 200);
    EXPECT_EQ(signalCount, 0);
}

TEST(OidcDiscoveryDocument, ApplyDocumentDirectly)
{
    Provider p;
    p.id = s("x");
    p.displayName = s("X");
    p.issuer = s("https://id.example.com");
    p.needsDiscovery = true;
    const QByteArray doc = R"({"issuer": "https://id.example.com",
        "authorization_endpoint": "https://id.example.com/a", "token_endpoint": "https://id.example.com/t"})";
    auto r = OidcDiscovery::applyDocument(p, doc);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->tokenEndpoint.toString(), s("https://id.example.com/t"));
    EXPECT_TRUE(r->userinfoEndpoint.isEmpty());
    EXPECT_TRUE(r->revocationEndpoint.isEmpty());
    EXPECT_FALSE(r->issRequired);
    EXPECT_FALSE(r->needsDiscovery);

    auto notString = OidcDiscovery::applyDocument(
        p,
        R"({"issuer": "https://id.example.com", "authorization_endpoint": 5, "token_endpoint": "https://id.example.com/t"})");
    ASSERT_FALSE(notString.ok());
    EXPECT_TRUE(notString.error().message.contains(s("authorization_endpoint")));
}
