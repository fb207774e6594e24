// ProviderRegistry: built-ins plus custom providers, client id precedence (environment, then
// settings, then providers.json), Microsoft tenant/authority from configuration, the
// "how to register an app" messages.
#include "core/providers/ProviderRegistry.h"

#include "tests/support/TestUtil.h"

#include <QFile>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using mailkey::ErrorCode;
using mailkey::Provider;
using mailkey::ProviderFile;
using mailkey::ProviderProblem;
using mailkey::ProviderRegistry;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

ProviderFile::Contents customFile()
{
    auto r = ProviderFile::parse(QByteArray(R"({"providers": [
      {"id": "example", "name": "Example", "issuer": "https://id.example.com",
       "authorization_endpoint": "https://id.example.com/authorize",
       "token_endpoint": "https://id.example.com/token",
       "client_id": "file-id", "client_secret": "file-secret-xyz"},
      {"id": "my-idp", "name": "My IdP", "issuer": "https://my.example.com"},
      {"id": "broken", "issuer": "http://broken.example.com"}]})"));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ProviderFile::Contents();
}

QProcessEnvironment env(std::initializer_list<std::pair<const char *, const char *>> vars)
{
    QProcessEnvironment e;
    for (const auto &v : vars)
        e.insert(s(v.first), s(v.second));
    return e;
}

bool hasProblem(const QList<ProviderProblem> &problems, const char *id, const char *field, const char *reasonPart)
{
    for (const ProviderProblem &p : problems) {
        if (p.id == s(id) && p.field == s(field) && p.reason.contains(s(reasonPart)))
            return true;
    }
    return false;
}

} // namespace

TEST(ProviderRegistry, BuiltInsAndCustomProviders)
{
    ProviderRegistry reg{ProviderRegistry::Settings(), QProcessEnvironment()};
    EXPECT_EQ(reg.ids(), (QStringList{s("microsoft"), s("google")}));
    EXPECT_TRUE(reg.problems().isEmpty());

    reg.setCustomProviders(customFile());
    EXPECT_EQ(reg.ids(), (QStringList{s("microsoft"), s("google"), s("example"), s("my-idp")}));
    EXPECT_TRUE(reg.contains(s("example")));
    EXPECT_FALSE(reg.contains(s("broken")));
    EXPECT_FALSE(reg.provider(s("nope")).isValid());
    EXPECT_EQ(reg.providers().size(), 4);
    // The bad provider's problem is kept for the UI.
    EXPECT_TRUE(hasProblem(reg.problems(), "broken", "issuer", "https"));

    auto unknown = reg.providerForSignIn(s("nope"));
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.error().code, ErrorCode::NotFound);
    EXPECT_TRUE(unknown.error().message.contains(s("microsoft, google, example, my-idp")));
}

TEST(ProviderRegistry, ClientIdPrecedence)
{
    ProviderRegistry::Settings settings{{s("provider/example/client_id"), s("settings-id")},
                                        {s("provider/example/client_secret"), s("settings-secret")}};
    ProviderRegistry reg(
        settings, env({{"MAILKEY_EXAMPLE_CLIENT_ID", "env-id"}, {"MAILKEY_EXAMPLE_CLIENT_SECRET", "env-secret"}}));
    reg.setCustomProviders(customFile());

    Provider p = reg.provider(s("example"));
    EXPECT_EQ(p.clientId, s("env-id"));
    EXPECT_TRUE(p.clientSecret == s("env-secret"));
    EXPECT_EQ(p.credentialSource, Provider::CredentialSource::Environment);

    // The secret comes from the same place as the id: env id without env secret -> no secret.
    reg.setEnvironment(env({{"MAILKEY_EXAMPLE_CLIENT_ID", "env-id"}}));
    p = reg.provider(s("example"));
    EXPECT_EQ(p.clientId, s("env-id"));
    EXPECT_TRUE(p.clientSecret.isEmpty());

    // An empty variable does not count.
    reg.setEnvironment(env({{"MAILKEY_EXAMPLE_CLIENT_ID", "  "}, {"MAILKEY_EXAMPLE_CLIENT_SECRET", "env-secret"}}));
    p = reg.provider(s("example"));
    EXPECT_EQ(p.clientId, s("settings-id"));
    EXPECT_TRUE(p.clientSecret == s("settings-secret"));
    EXPECT_EQ(p.credentialSource, Provider::CredentialSource::Settings);

    reg.setSettings({});
    p = reg.provider(s("example"));
    EXPECT_EQ(p.clientId, s("file-id"));
    EXPECT_TRUE(p.clientSecret == s("file-secret-xyz"));
    EXPECT_EQ(p.credentialSource, Provider::CredentialSource::File);
    auto ready = reg.providerForSignIn(s("example"));
    ASSERT_TRUE(ready.ok());
    EXPECT_EQ(ready->clientId, s("file-id"));

    // Settings without a secret override the file's id and secret together.
    reg.setSettings({{s("provider/example/client_id"), s("settings-id")}});
    p = reg.provider(s("example"));
    EXPECT_EQ(p.clientId, s("settings-id"));
    EXPECT_TRUE(p.clientSecret.isEmpty());
}

TEST(ProviderRegistry, EnvironmentNamesAndBuiltIns)
{
    EXPECT_EQ(ProviderRegistry::clientIdVariable(s("my-idp")), s("MAILKEY_MY_IDP_CLIENT_ID"));
    EXPECT_EQ(ProviderRegistry::clientSecretVariable(s("google")), s("MAILKEY_GOOGLE_CLIENT_SECRET"));

    ProviderRegistry reg(
        {{s("provider/google/client_id"), s("g-settings")},
         {s("provider/google/client_secret"), s("g-settings-secret")}},
        env({{"MAILKEY_MY_IDP_CLIENT_ID", "my-env-id"}, {"MAILKEY_MICROSOFT_CLIENT_ID", "ms-env-id"}}));
    reg.setCustomProviders(customFile());
    EXPECT_EQ(reg.provider(s("my-idp")).clientId, s("my-env-id"));
    EXPECT_EQ(reg.provider(s("microsoft")).clientId, s("ms-env-id"));
    EXPECT_EQ(reg.provider(s("microsoft")).credentialSource, Provider::CredentialSource::Environment);
    EXPECT_EQ(reg.provider(s("google")).clientId, s("g-settings"));
    EXPECT_TRUE(reg.provider(s("google")).clientSecret == s("g-settings-secret"));
    EXPECT_EQ(reg.provider(s("google")).credentialSource, Provider::CredentialSource::Settings);
}

TEST(ProviderRegistry, MicrosoftTenantAndAuthorityFromConfiguration)
{
    ProviderRegistry reg({{s("provider/microsoft/tenant"), s("contoso.onmicrosoft.com")},
                          {s("provider/microsoft/authority_host"), s("login.microsoftonline.us")}},
                         QProcessEnvironment());
    Provider ms = reg.provider(s("microsoft"));
    EXPECT_EQ(ms.authorizationEndpoint.toString(),
              s("https://login.microsoftonline.us/contoso.onmicrosoft.com/oauth2/v2.0/authorize"));
    EXPECT_TRUE(reg.problems().isEmpty());

    // The environment wins over settings.
    reg.setEnvironment(env({{"MAILKEY_MICROSOFT_TENANT", "organizations"}}));
    ms = reg.provider(s("microsoft"));
    EXPECT_EQ(ms.tokenEndpoint.toString(), s("https://login.microsoftonline.us/organizations/oauth2/v2.0/token"));

    // A bad tenant is reported and the default is used.
    reg.setEnvironment(QProcessEnvironment());
    reg.setSettings(
        {{s("provider/microsoft/tenant"), s("../evil")}, {s("provider/microsoft/authority_host"), s("evil.com/x")}});
    ms = reg.provider(s("microsoft"));
    EXPECT_EQ(ms.authorizationEndpoint.toString(), s("https://login.microsoftonline.com/common/oauth2/v2.0/authorize"));
    EXPECT_TRUE(hasProblem(reg.problems(), "microsoft", "provider/microsoft/tenant", "not a valid tenant"));
    EXPECT_TRUE(hasProblem(reg.problems(), "microsoft", "provider/microsoft/authority_host", "not a valid host"));
    for (const ProviderProblem &p : reg.problems())
        EXPECT_FALSE(p.message().contains(s("evil.com/x/"))); // no endpoint built from it

    reg.setEnvironment(env({{"MAILKEY_MICROSOFT_TENANT", "x?y"}}));
    reg.setSettings({});
    EXPECT_TRUE(hasProblem(reg.problems(), "microsoft", "MAILKEY_MICROSOFT_TENANT", "not a valid tenant"));
    EXPECT_EQ(reg.provider(s("microsoft")).tenant, s("common"));
}

TEST(ProviderRegistry, MailApiBaseOverride)
{
    ProviderRegistry reg({{s("provider/microsoft/mail_api_base"), s("http://127.0.0.1:4567/v1.0")},
                          {s("provider/google/mail_api_base"), s("http://gmail.example.com/gmail/v1")}},
                         QProcessEnvironment());
    const Provider ms = reg.provider(s("microsoft"));
    EXPECT_EQ(ms.mailApiBase.toString(), s("http://127.0.0.1:4567/v1.0"));
    EXPECT_EQ(ms.profileEndpoint.toString(), s("http://127.0.0.1:4567/v1.0/me"));
    // Plain http on a public host is refused and reported.
    const Provider g = reg.provider(s("google"));
    EXPECT_EQ(g.mailApiBase.toString(), s("https://gmail.googleapis.com/gmail/v1"));
    EXPECT_TRUE(hasProblem(reg.problems(), "google", "provider/google/mail_api_base", "https"));
}

TEST(ProviderRegistry, MissingClientIdMessages)
{
    ProviderRegistry reg{ProviderRegistry::Settings(), QProcessEnvironment()};
    reg.setCustomProviders(customFile());

    auto ms = reg.providerForSignIn(s("microsoft"));
    ASSERT_FALSE(ms.ok());
    EXPECT_EQ(ms.error().code, ErrorCode::Config);
    const QString msMsg = ms.error().message;
    for (const char *part :
         {"Microsoft Entra", "App registrations", "New registration", "Mobile and desktop applications",
          "http://localhost/oauth/microsoft", "ignores the port", "MAILKEY_MICROSOFT_CLIENT_ID", "settings"}) {
        EXPECT_TRUE(msMsg.contains(s(part))) << part;
    }
    EXPECT_EQ(ProviderRegistry::redirectUriToRegister(reg.provider(s("microsoft"))),
              s("http://localhost/oauth/microsoft"));

    auto g = reg.providerForSignIn(s("google"));
    ASSERT_FALSE(g.ok());
    const QString gMsg = g.error().message;
    for (const char *part : {"Google Cloud", "Credentials", "OAuth client ID", "Desktop app", "Gmail API",
                             "http://127.0.0.1", "MAILKEY_GOOGLE_CLIENT_ID", "MAILKEY_GOOGLE_CLIENT_SECRET"}) {
        EXPECT_TRUE(gMsg.contains(s(part))) << part;
    }
    EXPECT_EQ(ProviderRegistry::redirectUriToRegister(reg.provider(s("google"))), s("http://127.0.0.1/oauth/google"));

    auto c = reg.providerForSignIn(s("my-idp"));
    ASSERT_FALSE(c.ok());
    const QString cMsg = c.error().message;
    for (const char *part : {"My IdP", "http://127.0.0.1/oauth/my-idp", "http://127.0.0.1:<any port>/oauth/my-idp",
                             "MAILKEY_MY_IDP_CLIENT_ID", "providers.json", "PKCE"}) {
        EXPECT_TRUE(cMsg.contains(s(part))) << part;
    }
}

TEST(ProviderRegistry, SecretsStayOutOfMessagesAndLogs)
{
    mailkey::test::clearCapturedLog();
    ProviderRegistry reg({{s("provider/example/client_secret"), s("settings-secret-abc")},
                          {s("provider/microsoft/tenant"), s("bad/tenant")}},
                         env({{"MAILKEY_GOOGLE_CLIENT_SECRET", "env-secret-def"}}));
    reg.setCustomProviders(customFile());
    for (const Provider &p : reg.providers()) {
        const QString msg = ProviderRegistry::missingClientIdError(p).message;
        EXPECT_FALSE(msg.contains(s("secret-abc")) || msg.contains(s("secret-def")) || msg.contains(s("secret-xyz")));
    }
    for (const ProviderProblem &p : reg.problems())
        EXPECT_FALSE(p.message().contains(s("secret-")));
    mailkey::test::expectNotLogged({"settings-secret-abc", "env-secret-def", "file-secret-xyz"});
}

TEST(ProviderRegistry, LoadCustomProvidersFromFile)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(s("custom.json"));
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(R"({"providers": [{"id": "a", "issuer": "https://a.example.com"}]})");
    }
    ProviderRegistry reg{ProviderRegistry::Settings(), QProcessEnvironment()};
    ASSERT_TRUE(reg.loadCustomProviders(path).ok());
    EXPECT_TRUE(reg.contains(s("a")));

    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("not json");
    }
    const mailkey::Status st = reg.loadCustomProviders(path);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::Config);
    EXPECT_TRUE(st.error().message.contains(path));
    // Built-ins survive a broken file; the old custom providers are gone.
    EXPECT_EQ(reg.ids(), (QStringList{s("microsoft"), s("google")}));
}

TEST(ProviderRegistry, ApplyDiscovery)
{
    ProviderRegistry reg(ProviderRegistry::Settings(), env({{"MAILKEY_MY_IDP_CLIENT_ID", "id-1"}}));
    reg.setCustomProviders(customFile());
    Provider p = reg.provider(s("my-idp"));
    ASSERT_TRUE(p.needsDiscovery);

    p.authorizationEndpoint = QUrl(s("https://my.example.com/auth"));
    p.tokenEndpoint = QUrl(s("https://my.example.com/token"));
    p.issRequired = true;
    EXPECT_FALSE(reg.applyDiscovery(p)); // still marked needsDiscovery
    p.needsDiscovery = false;
    Provider other = p;
    other.issuer = s("https://other.example.com");
    EXPECT_FALSE(reg.applyDiscovery(other)); // issuer must not change
    ASSERT_TRUE(reg.applyDiscovery(p));

    const Provider after = reg.provider(s("my-idp"));
    EXPECT_FALSE(after.needsDiscovery);
    EXPECT_TRUE(after.issRequired);
    EXPECT_EQ(after.tokenEndpoint.toString(), s("https://my.example.com/token"));
    EXPECT_EQ(after.clientId, s("id-1"));
    EXPECT_FALSE(reg.applyDiscovery(Provider::google()));
}

TEST(ProviderRegistry, MissingClientIdHelpIsShortLinesForATerminal)
{
    ProviderRegistry reg({}, env({}));
    reg.setCustomProviders(customFile());
    for (const Provider &p : reg.providers()) {
        const QString msg = ProviderRegistry::missingClientIdError(p).message;
        const QStringList lines = msg.split(QLatin1Char('\n'));
        EXPECT_GE(lines.size(), 4) << p.id.toStdString();
        EXPECT_EQ(lines.first(), s("MailKey has no client id for %1.").arg(p.displayName));
        for (const QString &line : lines)
            EXPECT_LE(line.size(), 240) << p.id.toStdString() << ": " << line.toStdString();
        // The steps alone are the rest, without the first line.
        EXPECT_EQ(ProviderRegistry::missingClientIdSteps(p), lines.mid(1));
        EXPECT_TRUE(lines.at(1).startsWith(s("1. "))) << p.id.toStdString();
    }
    const Provider ms = reg.provider(s("microsoft"));
    EXPECT_EQ(ProviderRegistry::registrationUrl(ms), QUrl(s("https://entra.microsoft.com")));
    EXPECT_TRUE(ProviderRegistry::missingClientIdError(ms).message.contains(s("https://entra.microsoft.com")));
}
