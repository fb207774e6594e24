// Built-in providers: endpoint construction per tenant and cloud, tenant validation, scope sets,
// the issuer check and the URL rules shared with providers.json and discovery.
#include "core/providers/Provider.h"

#include "tests/support/TestUtil.h"

#include <gtest/gtest.h>

using mailkey::ErrorCode;
using mailkey::Provider;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

Provider microsoft(const char *tenant, const char *host = "login.microsoftonline.com")
{
    auto r = Provider::microsoft(s(tenant), s(host));
    EXPECT_TRUE(r.ok()) << tenant << " " << host;
    return r.ok() ? *r : Provider();
}

} // namespace

TEST(Provider, MicrosoftCommonDefaults)
{
    auto r = Provider::microsoft();
    ASSERT_TRUE(r.ok());
    const Provider &p = *r;
    EXPECT_EQ(p.id, s("microsoft"));
    EXPECT_EQ(p.displayName, s("Outlook / Microsoft 365"));
    EXPECT_EQ(p.kind, Provider::Kind::Microsoft);
    EXPECT_EQ(p.tenant, s("common"));
    EXPECT_EQ(p.authorityHost, s("login.microsoftonline.com"));
    EXPECT_EQ(p.authorizationEndpoint.toString(), s("https://login.microsoftonline.com/common/oauth2/v2.0/authorize"));
    EXPECT_EQ(p.tokenEndpoint.toString(), s("https://login.microsoftonline.com/common/oauth2/v2.0/token"));
    EXPECT_TRUE(p.revocationEndpoint.isEmpty());
    EXPECT_EQ(p.profileEndpoint.toString(), s("https://graph.microsoft.com/v1.0/me"));
    EXPECT_EQ(p.mailApi, Provider::MailApi::MicrosoftGraph);
    EXPECT_EQ(p.mailApiBase.toString(), s("https://graph.microsoft.com/v1.0"));
    // `common`: the issuer names the user's tenant, unknown in advance.
    EXPECT_TRUE(p.issuer.isEmpty());
    EXPECT_FALSE(p.issRequired);
    EXPECT_FALSE(p.needsDiscovery);
    EXPECT_EQ(p.scopes.join(QLatin1Char(' ')),
              s("openid profile email offline_access User.Read Mail.ReadWrite Mail.Send"));
    EXPECT_EQ(p.redirectHost, s("localhost"));
    EXPECT_EQ(p.redirectPath, s("/oauth/microsoft"));
    ASSERT_EQ(p.extraAuthorizationParameters.size(), 1);
    EXPECT_EQ(p.extraAuthorizationParameters.at(0).first, s("prompt"));
    EXPECT_EQ(p.extraAuthorizationParameters.at(0).second, s("select_account"));
    EXPECT_TRUE(p.clientId.isEmpty());
}

TEST(Provider, MicrosoftScopesPerResource)
{
    const Provider p = microsoft("common");
    EXPECT_EQ(p.scopesFor(s("graph")), p.scopes);
    EXPECT_EQ(p.scopesFor(s("default")), p.scopes);
    EXPECT_EQ(p.scopesFor(QString()), p.scopes);
    EXPECT_EQ(p.scopesFor(s("imap")).join(QLatin1Char(' ')),
              s("https://outlook.office.com/IMAP.AccessAsUser.All offline_access"));
    EXPECT_EQ(p.scopesFor(s("smtp")).join(QLatin1Char(' ')), s("https://outlook.office.com/SMTP.Send offline_access"));
    // An unknown resource never silently gets the Graph scopes.
    EXPECT_TRUE(p.scopesFor(s("imap4")).isEmpty());
}

TEST(Provider, MicrosoftTenants)
{
    struct Case {
        const char *tenant;
        const char *expectedTenant;
        const char *expectedIssuer;
    };
    const Case cases[] = {
        {"common", "common", ""},
        {"organizations", "organizations", ""},
        {"consumers", "consumers", "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"},
        {"72F988BF-86F1-41AF-91AB-2D7CD011DB47", "72f988bf-86f1-41af-91ab-2d7cd011db47",
         "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"},
        {"contoso.onmicrosoft.com", "contoso.onmicrosoft.com", ""},
        {"Contoso.COM", "contoso.com", ""},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(c.tenant);
        const Provider p = microsoft(c.tenant);
        EXPECT_EQ(p.tenant, s(c.expectedTenant));
        EXPECT_EQ(p.authorizationEndpoint.toString(),
                  s("https://login.microsoftonline.com/") + s(c.expectedTenant) + s("/oauth2/v2.0/authorize"));
        EXPECT_EQ(p.tokenEndpoint.toString(),
                  s("https://login.microsoftonline.com/") + s(c.expectedTenant) + s("/oauth2/v2.0/token"));
        EXPECT_EQ(p.issuer, s(c.expectedIssuer));
        EXPECT_FALSE(p.issRequired);
    }
}

TEST(Provider, MicrosoftNationalClouds)
{
    const Provider us = microsoft("organizations", "login.microsoftonline.us");
    EXPECT_EQ(us.authorizationEndpoint.toString(),
              s("https://login.microsoftonline.us/organizations/oauth2/v2.0/authorize"));
    EXPECT_EQ(us.tokenEndpoint.toString(), s("https://login.microsoftonline.us/organizations/oauth2/v2.0/token"));
    EXPECT_EQ(us.profileEndpoint.toString(), s("https://graph.microsoft.us/v1.0/me"));
    EXPECT_EQ(us.scopesFor(s("imap")).value(0), s("https://outlook.office365.us/IMAP.AccessAsUser.All"));

    const Provider cn = microsoft("72f988bf-86f1-41af-91ab-2d7cd011db47", "LOGIN.partner.microsoftonline.cn");
    EXPECT_EQ(cn.authorityHost, s("login.partner.microsoftonline.cn"));
    EXPECT_EQ(cn.tokenEndpoint.toString(),
              s("https://login.partner.microsoftonline.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token"));
    EXPECT_EQ(cn.issuer, s("https://login.partner.microsoftonline.cn/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"));
    EXPECT_EQ(cn.profileEndpoint.toString(), s("https://microsoftgraph.chinacloudapi.cn/v1.0/me"));
    EXPECT_EQ(cn.scopesFor(s("smtp")).value(0), s("https://partner.outlook.cn/SMTP.Send"));
}

// The admin kit: where a tenant's administrator grants consent for everyone.
TEST(Provider, AdminConsentUrl)
{
    mailkey::Result<Provider> common = Provider::microsoft();
    ASSERT_TRUE(common);
    common->clientId = QStringLiteral("11111111-2222-3333-4444-555555555555");
    // No single organization known: nothing, unless the token names one (its tid).
    EXPECT_TRUE(common->adminConsentUrl().isEmpty());
    EXPECT_EQ(common->adminConsentUrl(QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47")).toString(),
              QStringLiteral("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/adminconsent"
                             "?client_id=11111111-2222-3333-4444-555555555555"));
    // Personal accounts have no administrator.
    EXPECT_TRUE(common->adminConsentUrl(QStringLiteral("9188040d-6c67-4c5b-b112-36a304b66dad")).isEmpty());
    EXPECT_TRUE(common->adminConsentUrl(QStringLiteral("organizations")).isEmpty());
    EXPECT_TRUE(common->adminConsentUrl(QStringLiteral("evil/../x?y")).isEmpty());

    mailkey::Result<Provider> contoso = Provider::microsoft(QStringLiteral("contoso.onmicrosoft.com"));
    ASSERT_TRUE(contoso);
    EXPECT_TRUE(contoso->adminConsentUrl().isEmpty()); // no client id
    contoso->clientId = QStringLiteral("abc&x=1");
    EXPECT_EQ(
        contoso->adminConsentUrl().toString(QUrl::FullyEncoded),
        QStringLiteral("https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id=abc%26x%3D1"));

    Provider google = Provider::google();
    google.clientId = QStringLiteral("x.apps.googleusercontent.com");
    EXPECT_TRUE(google.adminConsentUrl(QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47")).isEmpty());
}

TEST(Provider, BadTenantsAndHostsRejected)
{
    const char *badTenants[]
        = {"../evil",   "a/b",      "x?y",   "x#y",          "",   "contoso",         "a b", "%2e%2e", "common/../x",
           "evil.com/", "-bad.com", "x.123", "te\nnant.com", "..", "user@contoso.com"};
    for (const char *t : badTenants) {
        SCOPED_TRACE(t);
        auto r = Provider::microsoft(s(t));
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Config);
        EXPECT_TRUE(r.error().message.contains(s("tenant")));
        EXPECT_FALSE(Provider::isValidMicrosoftTenant(s(t)));
    }
    const char *badHosts[]
        = {"",          "evil.com/path", "login.microsoftonline.com:444",    "127.0.0.1", "user@host.com",
           "localhost", "host.com?x",    "https://login.microsoftonline.com"};
    for (const char *h : badHosts) {
        SCOPED_TRACE(h);
        auto r = Provider::microsoft(s("common"), s(h));
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Config);
        EXPECT_TRUE(r.error().message.contains(s("authority host")));
    }
}

TEST(Provider, GoogleBuiltIn)
{
    const Provider p = Provider::google();
    EXPECT_EQ(p.id, s("google"));
    EXPECT_EQ(p.displayName, s("Gmail"));
    EXPECT_EQ(p.kind, Provider::Kind::Google);
    EXPECT_EQ(p.issuer, s("https://accounts.google.com"));
    EXPECT_EQ(p.authorizationEndpoint.toString(), s("https://accounts.google.com/o/oauth2/v2/auth"));
    EXPECT_EQ(p.tokenEndpoint.toString(), s("https://oauth2.googleapis.com/token"));
    EXPECT_EQ(p.userinfoEndpoint.toString(), s("https://openidconnect.googleapis.com/v1/userinfo"));
    EXPECT_EQ(p.revocationEndpoint.toString(), s("https://oauth2.googleapis.com/revoke"));
    EXPECT_EQ(p.profileEndpoint, p.userinfoEndpoint);
    EXPECT_EQ(p.mailApi, Provider::MailApi::Gmail);
    EXPECT_EQ(p.scopes.join(QLatin1Char(' ')), s("openid email profile https://mail.google.com/"));
    EXPECT_EQ(p.scopesFor(s("imap")), QStringList{s("https://mail.google.com/")});
    EXPECT_EQ(p.scopesFor(s("smtp")), QStringList{s("https://mail.google.com/")});
    EXPECT_EQ(p.redirectHost, s("127.0.0.1"));
    EXPECT_EQ(p.redirectPath, s("/oauth/google"));
    const QList<std::pair<QString, QString>> extra{{s("access_type"), s("offline")}, {s("prompt"), s("consent")}};
    EXPECT_EQ(p.extraAuthorizationParameters, extra);
    EXPECT_EQ(p.redirectUriWithoutPort(), s("http://127.0.0.1/oauth/google"));
}

TEST(Provider, AcceptsIssuer)
{
    const QString tid = s("72f988bf-86f1-41af-91ab-2d7cd011db47");
    const QString consumerTid = s("9188040d-6c67-4c5b-b112-36a304b66dad");
    const QString good = s("https://login.microsoftonline.com/") + tid + s("/v2.0");

    const Provider common = microsoft("common");
    EXPECT_TRUE(common.acceptsIssuer(good));
    EXPECT_TRUE(common.acceptsIssuer(s("https://login.microsoftonline.com/") + consumerTid + s("/v2.0")));
    EXPECT_FALSE(common.acceptsIssuer(s("https://login.microsoftonline.us/") + tid + s("/v2.0")));
    EXPECT_FALSE(common.acceptsIssuer(s("https://login.microsoftonline.com/common/v2.0")));
    EXPECT_FALSE(common.acceptsIssuer(s("https://login.microsoftonline.com/") + tid + s("/x/v2.0")));
    EXPECT_FALSE(common.acceptsIssuer(s("http://login.microsoftonline.com/") + tid + s("/v2.0")));
    EXPECT_FALSE(common.acceptsIssuer(s("https://evil.example/") + tid + s("/v2.0")));
    EXPECT_FALSE(common.acceptsIssuer(QString()));

    const Provider orgs = microsoft("organizations");
    EXPECT_TRUE(orgs.acceptsIssuer(good));
    EXPECT_FALSE(orgs.acceptsIssuer(s("https://login.microsoftonline.com/") + consumerTid + s("/v2.0")));

    const Provider consumers = microsoft("consumers");
    EXPECT_FALSE(consumers.acceptsIssuer(good));
    EXPECT_TRUE(consumers.acceptsIssuer(s("https://login.microsoftonline.com/") + consumerTid + s("/v2.0")));

    const Provider fixed = microsoft("72f988bf-86f1-41af-91ab-2d7cd011db47");
    EXPECT_TRUE(fixed.acceptsIssuer(good));
    EXPECT_FALSE(fixed.acceptsIssuer(s("https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0")));

    const Provider google = Provider::google();
    EXPECT_TRUE(google.acceptsIssuer(s("https://accounts.google.com")));
    EXPECT_FALSE(google.acceptsIssuer(s("https://accounts.google.com/")));
    EXPECT_FALSE(google.acceptsIssuer(s("accounts.google.com")));
}

TEST(Provider, EndpointRules)
{
    const char *ok[] = {"https://id.example.com/token", "https://id.example.com:8443/a?b=c",
                        "http://127.0.0.1:8080/token",  "http://127.1.2.3/x",
                        "http://localhost:1234/",       "http://LOCALHOST/x",
                        "http://[::1]:9999/token"};
    for (const char *u : ok) {
        SCOPED_TRACE(u);
        EXPECT_EQ(Provider::endpointProblem(QUrl(s(u), QUrl::StrictMode)), QString());
    }
    const struct {
        const char *url;
        const char *reason;
    } bad[] = {
        {"http://id.example.com/token", "https"},
        {"http://127.0.0.1.evil.com/token", "https"},
        {"http://10.0.0.1/token", "https"},
        {"http://[::2]/token", "https"},
        {"ftp://id.example.com/token", "https"},
        {"https://user:pw@id.example.com/token", "user name"},
        {"https://user@id.example.com/token", "user name"},
        {"https://id.example.com/token#frag", "fragment"},
        {"/relative/path", "absolute"},
        {"", "empty"},
        {"https://", "absolute"},
    };
    for (const auto &b : bad) {
        SCOPED_TRACE(b.url);
        const QString why = Provider::endpointProblem(QUrl(s(b.url), QUrl::StrictMode));
        EXPECT_TRUE(why.contains(s(b.reason))) << why.toStdString();
    }
    EXPECT_TRUE(Provider::issuerProblem(s("https://id.example.com?x=1")).contains(s("query")));
    EXPECT_EQ(Provider::issuerProblem(s("https://id.example.com/realms/x")), QString());
}

TEST(Provider, RedirectRules)
{
    EXPECT_EQ(Provider::redirectHostProblem(s("127.0.0.1")), QString());
    EXPECT_EQ(Provider::redirectHostProblem(s("localhost")), QString());
    EXPECT_EQ(Provider::redirectHostProblem(s("::1")), QString());
    EXPECT_FALSE(Provider::redirectHostProblem(s("0.0.0.0")).isEmpty());
    EXPECT_FALSE(Provider::redirectHostProblem(s("example.com")).isEmpty());
    EXPECT_FALSE(Provider::redirectHostProblem(s("127.0.0.2")).isEmpty());

    EXPECT_EQ(Provider::redirectPathProblem(s("/oauth/example")), QString());
    EXPECT_TRUE(Provider::redirectPathProblem(s("oauth/x")).contains(s("start with")));
    EXPECT_TRUE(Provider::redirectPathProblem(s("/a?b")).contains(s("\"?\"")));
    EXPECT_TRUE(Provider::redirectPathProblem(s("/a#b")).contains(s("\"#\"")));
    EXPECT_TRUE(Provider::redirectPathProblem(s("/a/../b")).contains(s("\"..\"")));
    EXPECT_FALSE(Provider::redirectPathProblem(s("/a b")).isEmpty());
    EXPECT_FALSE(Provider::redirectPathProblem(s("//evil.com")).isEmpty());
    EXPECT_FALSE(Provider::redirectPathProblem(s("/%2e%2e/x")).isEmpty());

    Provider p;
    p.redirectHost = s("::1");
    p.redirectPath = s("/oauth/x");
    EXPECT_EQ(p.redirectUriWithoutPort(), s("http://[::1]/oauth/x"));
}

TEST(Provider, CustomIdRule)
{
    EXPECT_TRUE(Provider::isValidCustomId(s("example")));
    EXPECT_TRUE(Provider::isValidCustomId(s("my-idp-2")));
    EXPECT_TRUE(Provider::isValidCustomId(QString(32, QLatin1Char('a'))));
    EXPECT_FALSE(Provider::isValidCustomId(QString(33, QLatin1Char('a'))));
    EXPECT_FALSE(Provider::isValidCustomId(s("")));
    EXPECT_FALSE(Provider::isValidCustomId(s("Example")));
    EXPECT_FALSE(Provider::isValidCustomId(s("my_idp")));
    EXPECT_FALSE(Provider::isValidCustomId(s("a/b")));
}
