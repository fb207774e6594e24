// The administrator's managed policy (ManagedPolicy) and what it does to ProviderRegistry: each
// setting read and applied (client ids over the environment and settings, the Microsoft tenant,
// the allowed providers, custom providers turned off), malformed values reported without hiding
// the rest, a file that is not JSON, where the file is looked for (never the user's own config),
// and the client ids a distributor built in (the last fallback).
#include "core/providers/ManagedPolicy.h"
#include "core/providers/ProviderRegistry.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using mailkey::ErrorCode;
using mailkey::ManagedPolicy;
using mailkey::Provider;
using mailkey::ProviderFile;
using mailkey::ProviderRegistry;
using Feature = ManagedPolicy::Feature;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QProcessEnvironment env(std::initializer_list<std::pair<const char *, const char *>> vars)
{
    QProcessEnvironment e;
    for (const auto &[k, v] : vars)
        e.insert(QString::fromUtf8(k), QString::fromUtf8(v));
    return e;
}

const QByteArray kPolicy = R"({
  "providers": {
    "microsoft": {"client_id": "11111111-2222-3333-4444-555555555555", "tenant": "contoso.onmicrosoft.com"},
    "google": {"client_id": "1234-abc.apps.googleusercontent.com", "client_secret": "GOCSPX-policy"},
    "example": {"client_id": "policy-example-id"}
  },
  "allowed_providers": ["microsoft", "example"],
  "disabled_features": ["mail_check"]
})";

ProviderFile::Contents customFile()
{
    auto r = ProviderFile::parse(QByteArray(R"({"providers": [
      {"id": "example", "name": "Example", "issuer": "https://id.example.com",
       "authorization_endpoint": "https://id.example.com/authorize",
       "token_endpoint": "https://id.example.com/token", "client_id": "file-id"}]})"));
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : ProviderFile::Contents();
}

// Sets an environment variable for one scope.
struct ScopedEnv {
    QByteArray name;
    QByteArray old;
    bool had;
    ScopedEnv(const char *n, const QByteArray &value) : name(n), old(qgetenv(n)), had(qEnvironmentVariableIsSet(n))
    {
        qputenv(n, value);
    }
    ~ScopedEnv()
    {
        if (had)
            qputenv(name.constData(), old);
        else
            qunsetenv(name.constData());
    }
};

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

} // namespace

TEST(ManagedPolicy, EverySettingIsRead)
{
    const ManagedPolicy p = ManagedPolicy::fromJson(kPolicy, s("/etc/xdg/MailKey/policy.json"));
    EXPECT_FALSE(p.isEmpty());
    EXPECT_TRUE(p.problems.isEmpty()) << p.problems.join(QLatin1Char('\n')).toStdString();
    EXPECT_EQ(p.providers.value(s("microsoft")).clientId, s("11111111-2222-3333-4444-555555555555"));
    EXPECT_EQ(p.providers.value(s("microsoft")).tenant, s("contoso.onmicrosoft.com"));
    EXPECT_EQ(p.providers.value(s("google")).clientSecret, s("GOCSPX-policy"));
    ASSERT_TRUE(p.allowedProviders);
    EXPECT_EQ(*p.allowedProviders, (QStringList{s("microsoft"), s("example")}));
    EXPECT_TRUE(p.allowsProvider(s("microsoft")));
    EXPECT_FALSE(p.allowsProvider(s("google")));
    EXPECT_TRUE(p.disables(Feature::MailCheck));
    EXPECT_FALSE(p.disables(Feature::CustomProviders));
    // What the Settings dialog shows: each setting, never the client secret itself.
    const QString described = p.describe().join(QLatin1Char('\n'));
    EXPECT_TRUE(described.contains(s("contoso.onmicrosoft.com")));
    EXPECT_TRUE(described.contains(s("1234-abc.apps.googleusercontent.com (with a client secret)")));
    EXPECT_TRUE(described.contains(s("only these providers may be connected: microsoft, example")));
    EXPECT_TRUE(described.contains(s("mail connection test is turned off")));
    EXPECT_FALSE(described.contains(s("GOCSPX-policy")));
}

TEST(ManagedPolicy, MalformedValuesAreReportedAndTheRestStillApplies)
{
    const ManagedPolicy p = ManagedPolicy::fromJson(R"({
      "providers": {
        "microsoft": {"client_id": "has space", "tenant": "not a tenant!", "colour": "blue"},
        "google": {"client_id": "1234-abc.apps.googleusercontent.com", "client_secret": "bad secret\u0007"},
        "Bad Id": {"client_id": "x"},
        "example": {"client_secret": "orphan"}
      },
      "allowed_providers": ["microsoft", "not valid!"],
      "disabled_features": ["custom_providers", "teleport"],
      "auto_update": true
    })",
                                                    s("policy.json"));
    const QString problems = p.problems.join(QLatin1Char('\n'));
    // Each problem is named...
    EXPECT_TRUE(problems.contains(s("providers.microsoft.client_id: \"has space\" is not a valid value")))
        << problems.toStdString();
    EXPECT_TRUE(problems.contains(s("providers.microsoft.tenant")));
    EXPECT_TRUE(problems.contains(s("providers.microsoft.colour: unknown setting")));
    EXPECT_TRUE(problems.contains(s("providers.google.client_secret: is not a valid client secret")));
    EXPECT_FALSE(problems.contains(s("bad secret"))); // a secret is never echoed
    EXPECT_TRUE(problems.contains(s("\"Bad Id\" is not a provider id")));
    EXPECT_TRUE(problems.contains(s("providers.example.client_secret: a client secret without a client id")));
    EXPECT_TRUE(problems.contains(s("allowed_providers: \"not valid!\" is not a provider id")));
    EXPECT_TRUE(problems.contains(s("\"teleport\" is not a feature MailKey knows")));
    EXPECT_TRUE(problems.contains(s("\"auto_update\": unknown setting")));
    // ... and the good values next to them still apply.
    EXPECT_FALSE(p.providers.contains(s("microsoft")));
    EXPECT_EQ(p.providers.value(s("google")).clientId, s("1234-abc.apps.googleusercontent.com"));
    EXPECT_TRUE(p.providers.value(s("google")).clientSecret.isEmpty());
    ASSERT_TRUE(p.allowedProviders);
    EXPECT_EQ(*p.allowedProviders, QStringList{s("microsoft")});
    EXPECT_TRUE(p.disables(Feature::CustomProviders));
}

TEST(ManagedPolicy, AFileThatIsNotJsonAppliesNothingAndSaysSo)
{
    for (const QByteArray &text : {QByteArray("{\"providers\": "), QByteArray("[1, 2]")}) {
        const ManagedPolicy p = ManagedPolicy::fromJson(text, s("/etc/xdg/MailKey/policy.json"));
        EXPECT_FALSE(p.isEmpty()); // there is a policy, and it is broken: the user is told
        ASSERT_EQ(p.problems.size(), 1);
        EXPECT_TRUE(p.problems.first().contains(s("nothing of it applies"))) << p.problems.first().toStdString();
        EXPECT_TRUE(p.providers.isEmpty());
        EXPECT_FALSE(p.allowedProviders);
    }
}

TEST(ManagedPolicy, LoadedFromXdgConfigDirsNeverFromTheUsersOwnConfig)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString system1 = dir.filePath(s("etc1"));
    const QString system2 = dir.filePath(s("etc2"));
    const QString home = dir.filePath(s("home-config"));
    // The user's own folder has a policy that would allow everything: it must not count.
    ASSERT_TRUE(writeFile(home + s("/MailKey/policy.json"), R"({"allowed_providers": ["google"]})"));
    ScopedEnv configHome("XDG_CONFIG_HOME", QFile::encodeName(home));
    {
        ScopedEnv dirs("XDG_CONFIG_DIRS", QFile::encodeName(system1 + s(":relative/dir:") + system2));
        EXPECT_EQ(ManagedPolicy::searchPaths(),
                  (QStringList{system1 + s("/MailKey/policy.json"), system2 + s("/MailKey/policy.json")}));
        EXPECT_TRUE(ManagedPolicy::load().isEmpty()); // none of the system folders has one

        ASSERT_TRUE(writeFile(system2 + s("/MailKey/policy.json"), kPolicy));
        ManagedPolicy p = ManagedPolicy::load();
        EXPECT_EQ(p.source, system2 + s("/MailKey/policy.json"));
        EXPECT_TRUE(p.disables(Feature::MailCheck));

        // The first folder wins.
        ASSERT_TRUE(writeFile(system1 + s("/MailKey/policy.json"), R"({"disabled_features": ["custom_providers"]})"));
        p = ManagedPolicy::load();
        EXPECT_EQ(p.source, system1 + s("/MailKey/policy.json"));
        EXPECT_TRUE(p.disables(Feature::CustomProviders));
        EXPECT_FALSE(p.disables(Feature::MailCheck));

        // A file larger than 64 KiB is not read.
        ASSERT_TRUE(writeFile(system1 + s("/MailKey/policy.json"), QByteArray(70 * 1024, ' ') + "{}"));
        p = ManagedPolicy::load();
        ASSERT_EQ(p.problems.size(), 1);
        EXPECT_TRUE(p.problems.first().contains(s("64 KiB")));
    }
    {
        ScopedEnv dirs("XDG_CONFIG_DIRS", QByteArray());
        EXPECT_EQ(ManagedPolicy::searchPaths(), QStringList{s("/etc/xdg/MailKey/policy.json")});
    }
}

TEST(ManagedPolicy, PolicyClientIdsWinOverTheEnvironmentSettingsAndFile)
{
    ProviderRegistry reg({{s("provider/microsoft/client_id"), s("ms-settings")},
                          {s("provider/microsoft/tenant"), s("fabrikam.onmicrosoft.com")}},
                         env({{"MAILKEY_MICROSOFT_CLIENT_ID", "ms-env"},
                              {"MAILKEY_MICROSOFT_TENANT", "organizations"},
                              {"MAILKEY_EXAMPLE_CLIENT_ID", "example-env"}}));
    reg.setCustomProviders(customFile());
    EXPECT_EQ(reg.provider(s("microsoft")).clientId, s("ms-env"));
    reg.setPolicy(ManagedPolicy::fromJson(kPolicy, s("policy.json")));
    const Provider ms = reg.provider(s("microsoft"));
    EXPECT_EQ(ms.clientId, s("11111111-2222-3333-4444-555555555555"));
    EXPECT_EQ(ms.credentialSource, Provider::CredentialSource::Policy);
    EXPECT_TRUE(ms.authorizationEndpoint.toString().contains(s("/contoso.onmicrosoft.com/")))
        << ms.authorizationEndpoint.toString().toStdString();
    const Provider google = reg.provider(s("google"));
    EXPECT_EQ(google.clientId, s("1234-abc.apps.googleusercontent.com"));
    EXPECT_TRUE(google.clientSecret == s("GOCSPX-policy"));
    EXPECT_EQ(reg.provider(s("example")).clientId, s("policy-example-id"));
}

TEST(ManagedPolicy, OnlyAllowedProvidersCanBeSignedInto)
{
    ProviderRegistry reg({{s("provider/google/client_id"), s("g-settings")}}, QProcessEnvironment());
    reg.setCustomProviders(customFile());
    reg.setPolicy(ManagedPolicy::fromJson(R"({"allowed_providers": ["example"]})", s("/etc/xdg/MailKey/policy.json")));
    EXPECT_TRUE(reg.isAllowed(s("example")));
    EXPECT_FALSE(reg.isAllowed(s("google")));
    auto refused = reg.providerForSignIn(s("google"));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::Config);
    EXPECT_TRUE(refused.error().message.contains(s("administrator does not allow connecting Gmail")))
        << refused.error().message.toStdString();
    EXPECT_TRUE(refused.error().message.contains(s("/etc/xdg/MailKey/policy.json")));
    EXPECT_TRUE(refused.error().message.contains(s("Allowed: example")));
    EXPECT_TRUE(reg.providerForSignIn(s("example")).ok());
    // An existing Gmail account is still known (its tokens can be revoked and removed).
    EXPECT_TRUE(reg.provider(s("google")).isValid());
}

TEST(ManagedPolicy, CustomProvidersTurnedOffLeaveOnlyTheBuiltIns)
{
    ProviderRegistry reg(ProviderRegistry::Settings{}, QProcessEnvironment());
    reg.setCustomProviders(customFile());
    ASSERT_TRUE(reg.contains(s("example")));
    reg.setPolicy(ManagedPolicy::fromJson(R"({"disabled_features": ["custom_providers"]})", s("p.json")));
    EXPECT_FALSE(reg.contains(s("example")));
    EXPECT_EQ(reg.ids(), (QStringList{s("microsoft"), s("google")}));
    reg.setPolicy(ManagedPolicy());
    EXPECT_TRUE(reg.contains(s("example")));
}

TEST(ManagedPolicy, BuiltInClientIdsAreTheLastFallback)
{
    ProviderRegistry reg(ProviderRegistry::Settings{}, QProcessEnvironment());
    // This test build has none built in: nothing is made up.
    EXPECT_TRUE(ProviderRegistry::compiledInClientIds().isEmpty());
    EXPECT_TRUE(reg.provider(s("microsoft")).clientId.isEmpty());
    EXPECT_EQ(reg.providerForSignIn(s("microsoft")).error().code, ErrorCode::Config);
    const QString lines = ProviderRegistry::builtInClientIdLines().join(QLatin1Char('\n'));
    EXPECT_EQ(lines, s("Built-in client id for microsoft: none (set your own)\n"
                       "Built-in client id for google: none (set your own)"));

    // A distributor's build.
    reg.setBuiltInClientIds({{s("microsoft"), {s("99999999-8888-7777-6666-555555555555"), QString()}},
                             {s("google"), {s("42-dist.apps.googleusercontent.com"), s("GOCSPX-dist")}}});
    Provider ms = reg.provider(s("microsoft"));
    EXPECT_EQ(ms.clientId, s("99999999-8888-7777-6666-555555555555"));
    EXPECT_EQ(ms.credentialSource, Provider::CredentialSource::BuiltIn);
    EXPECT_TRUE(reg.providerForSignIn(s("microsoft")).ok());
    EXPECT_TRUE(reg.provider(s("google")).clientSecret == s("GOCSPX-dist"));
    // Anything the person or the administrator sets comes first.
    reg.setSettings({{s("provider/microsoft/client_id"), s("ms-settings")}});
    EXPECT_EQ(reg.provider(s("microsoft")).clientId, s("ms-settings"));
    reg.setPolicy(ManagedPolicy::fromJson(kPolicy, s("p.json")));
    EXPECT_EQ(reg.provider(s("microsoft")).clientId, s("11111111-2222-3333-4444-555555555555"));
}
