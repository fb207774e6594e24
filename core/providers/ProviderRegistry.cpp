#include "core/providers/ProviderRegistry.h"

#include "core/common/TextSafety.h"

#include <QCoreApplication>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::ProviderRegistry)
};
} // namespace

ProviderRegistry::ProviderRegistry() : ProviderRegistry(Settings()) {}

ProviderRegistry::ProviderRegistry(const Settings &settings, const QProcessEnvironment &environment)
    : m_settings(settings), m_env(environment)
{
    rebuild();
}

void ProviderRegistry::setSettings(const Settings &settings)
{
    m_settings = settings;
    rebuild();
}

void ProviderRegistry::setEnvironment(const QProcessEnvironment &environment)
{
    m_env = environment;
    rebuild();
}

Status ProviderRegistry::loadCustomProviders(const QString &path)
{
    Result<ProviderFile::Contents> r = path.isEmpty() ? ProviderFile::loadDefault() : ProviderFile::load(path);
    if (!r) {
        setCustomProviders(ProviderFile::Contents());
        return r.error();
    }
    setCustomProviders(*r);
    return {};
}

void ProviderRegistry::setCustomProviders(const ProviderFile::Contents &contents)
{
    m_customPath = contents.path;
    m_custom = contents.providers;
    m_fileProblems = contents.problems;
    rebuild();
}

QString ProviderRegistry::environmentPrefix(const QString &id)
{
    QString up = id.toUpper();
    up.replace(QLatin1Char('-'), QLatin1Char('_'));
    return QStringLiteral("MAILKEY_") + up + QLatin1Char('_');
}

QString ProviderRegistry::clientIdVariable(const QString &id)
{
    return environmentPrefix(id) + QStringLiteral("CLIENT_ID");
}

QString ProviderRegistry::clientSecretVariable(const QString &id)
{
    return environmentPrefix(id) + QStringLiteral("CLIENT_SECRET");
}

QString ProviderRegistry::settingsKey(const QString &id, const QString &name)
{
    return QStringLiteral("provider/") + id + QLatin1Char('/') + name;
}

void ProviderRegistry::setPolicy(const ManagedPolicy &policy)
{
    m_policy = policy;
    rebuild();
}

QString ProviderRegistry::builtInClientId(const QString &id)
{
    if (id == QLatin1String(Provider::MicrosoftId))
        return QStringLiteral(MAILKEY_BUILTIN_MICROSOFT_CLIENT_ID);
    if (id == QLatin1String(Provider::GoogleId))
        return QStringLiteral(MAILKEY_BUILTIN_GOOGLE_CLIENT_ID);
    return QString();
}

QString ProviderRegistry::builtInClientSecret(const QString &id)
{
    if (id == QLatin1String(Provider::GoogleId))
        return QStringLiteral(MAILKEY_BUILTIN_GOOGLE_CLIENT_SECRET);
    return QString();
}

ProviderRegistry::BuiltInIds ProviderRegistry::compiledInClientIds()
{
    BuiltInIds ids;
    for (const char *id : {Provider::MicrosoftId, Provider::GoogleId}) {
        const QString name = QString::fromLatin1(id);
        if (!builtInClientId(name).isEmpty())
            ids.insert(name, {builtInClientId(name), builtInClientSecret(name)});
    }
    return ids;
}

void ProviderRegistry::setBuiltInClientIds(const BuiltInIds &ids)
{
    m_builtIn = ids;
    rebuild();
}

QStringList ProviderRegistry::builtInClientIdLines()
{
    QStringList lines;
    for (const char *id : {Provider::MicrosoftId, Provider::GoogleId}) {
        const QString clientId = builtInClientId(QString::fromLatin1(id));
        lines << Text::tr("Built-in client id for %1: %2")
                     .arg(QString::fromLatin1(id), clientId.isEmpty() ? Text::tr("none (set your own)") : clientId);
    }
    return lines;
}

void ProviderRegistry::rebuild()
{
    m_configProblems.clear();
    m_resolved.clear();

    // Microsoft: tenant and authority host, environment before settings.
    const QString msId = QString::fromLatin1(Provider::MicrosoftId);
    auto pick = [this, &msId](const QString &name, QString &source) -> QString {
        if (name == QLatin1String("tenant")) {
            const QString policyValue = m_policy.providers.value(msId).tenant;
            if (!policyValue.isEmpty()) {
                source = m_policy.source;
                return policyValue;
            }
        }
        const QString var = environmentPrefix(msId) + name.toUpper();
        const QString envValue = m_env.value(var).trimmed();
        if (!envValue.isEmpty()) {
            source = var;
            return envValue;
        }
        const QString key = settingsKey(msId, name);
        const QString setValue = m_settings.value(key).trimmed();
        if (!setValue.isEmpty()) {
            source = key;
            return setValue;
        }
        return QString();
    };
    QString tenantSource;
    QString hostSource;
    QString tenant = pick(QStringLiteral("tenant"), tenantSource);
    QString host = pick(QStringLiteral("authority_host"), hostSource);
    if (!tenant.isEmpty() && !Provider::isValidMicrosoftTenant(tenant.toLower())) {
        m_configProblems.append(ProviderProblem{
            -1, msId, tenantSource,
            QStringLiteral("is not a valid tenant (use common, organizations, consumers, a tenant id or a "
                           "domain); using \"common\"")});
        tenant.clear();
    }
    if (!host.isEmpty() && !Provider::isValidAuthorityHost(host)) {
        m_configProblems.append(ProviderProblem{
            -1, msId, hostSource, QStringLiteral("is not a valid host name; using login.microsoftonline.com")});
        host.clear();
    }
    if (tenant.isEmpty())
        tenant = QString::fromLatin1(Provider::DefaultMicrosoftTenant);
    if (host.isEmpty())
        host = QString::fromLatin1(Provider::DefaultMicrosoftAuthorityHost);
    Result<Provider> ms = Provider::microsoft(tenant, host);
    // Both values were validated above, so this cannot fail; stay safe anyway.
    if (!ms)
        ms = Provider::microsoft();

    m_resolved.append(resolve(*ms));
    m_resolved.append(resolve(Provider::google()));
    if (m_policy.disables(ManagedPolicy::Feature::CustomProviders))
        return; // providers.json stays unread as far as sign-ins are concerned
    for (const Provider &p : std::as_const(m_custom))
        m_resolved.append(resolve(p));
}

Provider ProviderRegistry::resolve(const Provider &base)
{
    Provider p = base;

    // Client id and secret: the first source with a client id provides both.
    const ManagedPolicy::ProviderPreset preset = m_policy.providers.value(p.id);
    const QString envId = m_env.value(clientIdVariable(p.id)).trimmed();
    const QString setId = m_settings.value(settingsKey(p.id, QStringLiteral("client_id"))).trimmed();
    const std::pair<QString, QString> builtIn
        = p.kind == Provider::Kind::Custom ? std::pair<QString, QString>() : m_builtIn.value(p.id);
    if (!preset.clientId.isEmpty()) {
        p.clientId = preset.clientId;
        p.clientSecret = preset.clientSecret;
        p.credentialSource = Provider::CredentialSource::Policy;
    } else if (!envId.isEmpty()) {
        p.clientId = envId;
        p.clientSecret = m_env.value(clientSecretVariable(p.id)).trimmed();
        p.credentialSource = Provider::CredentialSource::Environment;
    } else if (!setId.isEmpty()) {
        p.clientId = setId;
        p.clientSecret = m_settings.value(settingsKey(p.id, QStringLiteral("client_secret"))).trimmed();
        p.credentialSource = Provider::CredentialSource::Settings;
    } else if (p.kind == Provider::Kind::Custom && !base.clientId.isEmpty()) {
        p.credentialSource = Provider::CredentialSource::File; // as loaded from providers.json
    } else if (!builtIn.first.isEmpty()) {
        p.clientId = builtIn.first;
        p.clientSecret = builtIn.second;
        p.credentialSource = Provider::CredentialSource::BuiltIn;
    } else {
        p.clientId.clear();
        p.clientSecret.clear();
        p.credentialSource = Provider::CredentialSource::None;
    }

    // Mail API base override (tests, proxies, sovereign Graph hosts).
    const QString baseKey = settingsKey(p.id, QStringLiteral("mail_api_base"));
    const QString baseText = m_settings.value(baseKey).trimmed();
    if (!baseText.isEmpty()) {
        const QUrl url(baseText, QUrl::StrictMode);
        QString why = Provider::endpointProblem(url);
        if (why.isEmpty() && p.mailApi == Provider::MailApi::None)
            why = QStringLiteral("this provider has no mail API");
        if (why.isEmpty())
            p.setMailApiBase(url);
        else
            m_configProblems.append(ProviderProblem{-1, p.id, baseKey, why});
    }
    return p;
}

bool ProviderRegistry::contains(const QString &id) const
{
    for (const Provider &p : m_resolved) {
        if (p.id == id)
            return true;
    }
    return false;
}

Provider ProviderRegistry::provider(const QString &id) const
{
    for (const Provider &p : m_resolved) {
        if (p.id == id)
            return p;
    }
    return Provider();
}

QList<Provider> ProviderRegistry::providers() const
{
    return m_resolved;
}

QStringList ProviderRegistry::ids() const
{
    QStringList out;
    for (const Provider &p : m_resolved)
        out.append(p.id);
    return out;
}

QList<ProviderProblem> ProviderRegistry::problems() const
{
    return m_fileProblems + m_configProblems;
}

Result<Provider> ProviderRegistry::providerForSignIn(const QString &id) const
{
    const Provider p = provider(id);
    if (!p.isValid()) {
        // An entry of providers.json with this id was left out: say why, field by field.
        QStringList why;
        for (const ProviderProblem &problem : m_fileProblems) {
            if (problem.id == id)
                why.append(problem.message());
        }
        if (!why.isEmpty()) {
            return Error(ErrorCode::Config,
                         Text::tr("The provider \"%1\" in %2 was left out: %3. Fix the entry and try again.")
                             .arg(id.left(40),
                                  m_customPath.isEmpty() ? QString::fromLatin1(ProviderFile::FileName) : m_customPath,
                                  why.join(QStringLiteral("; "))));
        }
        return Error(ErrorCode::NotFound, Text::tr("There is no provider \"%1\". Known providers: %2.")
                                              .arg(id.left(40), ids().join(QStringLiteral(", "))));
    }
    if (!isAllowed(id))
        return Error(ErrorCode::Config,
                     Text::tr("Your administrator does not allow connecting %1 accounts with MailKey (policy: %2). "
                              "Allowed: %3.")
                         .arg(p.displayName, m_policy.source,
                              m_policy.allowedProviders->isEmpty()
                                  ? Text::tr("none")
                                  : m_policy.allowedProviders->join(QStringLiteral(", "))));
    if (p.clientId.isEmpty())
        return missingClientIdError(p);
    return p;
}

bool ProviderRegistry::applyDiscovery(const Provider &discovered)
{
    if (discovered.needsDiscovery || discovered.kind != Provider::Kind::Custom)
        return false;
    for (Provider &p : m_custom) {
        if (p.id != discovered.id)
            continue;
        if (p.issuer != discovered.issuer)
            return false;
        p.authorizationEndpoint = discovered.authorizationEndpoint;
        p.tokenEndpoint = discovered.tokenEndpoint;
        p.userinfoEndpoint = discovered.userinfoEndpoint;
        p.revocationEndpoint = discovered.revocationEndpoint;
        p.deviceAuthorizationEndpoint = discovered.deviceAuthorizationEndpoint;
        p.profileEndpoint = discovered.profileEndpoint;
        p.issRequired = discovered.issRequired;
        p.needsDiscovery = false;
        rebuild();
        return true;
    }
    return false;
}

QString ProviderRegistry::redirectUriToRegister(const Provider &provider)
{
    return provider.redirectUriWithoutPort();
}

QStringList ProviderRegistry::missingClientIdSteps(const Provider &provider)
{
    // The steps are printed one a line: a name or issuer from providers.json must not start a line.
    const auto oneLine = [](const QString &untrusted) { return TextSafety::replaced(untrusted, u" "); };
    const QString idVar = clientIdVariable(provider.id);
    const QString secretVar = clientSecretVariable(provider.id);
    const QString redirect = redirectUriToRegister(provider);
    // One sentence or step a line: short enough for a terminal, and a label keeps the breaks.
    switch (provider.kind) {
    case Provider::Kind::Microsoft:
        return {
            Text::tr("1. In the Microsoft Entra admin center (https://entra.microsoft.com), open App registrations → "
                     "New registration."),
            Text::tr("2. Under Redirect URI choose the \"Public client/native (mobile & desktop)\" platform (shown as "
                     "\"Mobile and desktop applications\" under Authentication → Add a platform) and enter %1.")
                .arg(redirect),
            Text::tr("   MailKey adds a free port at each sign-in; Entra ignores the port for http://localhost, but "
                     "the path must match."),
            Text::tr("   Do not use the \"Web\" platform (AADSTS7000218)."),
            Text::tr("3. Copy the Application (client) ID and set it in the environment variable %1, in MailKey's "
                     "settings (Providers), or as the setting %2.")
                .arg(idVar, settingsKey(provider.id, QStringLiteral("client_id"))),
        };
    case Provider::Kind::Google:
        return {
            Text::tr("1. In the Google Cloud console (https://console.cloud.google.com), enable the Gmail API "
                     "(APIs & Services → Library)."),
            Text::tr("2. Set up the OAuth consent screen."),
            Text::tr("3. APIs & Services → Credentials → Create credentials → OAuth client ID → application type "
                     "\"Desktop app\"."),
            Text::tr("   Desktop clients accept the loopback redirect http://127.0.0.1 on any port, so there is no "
                     "redirect URI to register (MailKey uses %1 with a free port).")
                .arg(redirect),
            Text::tr("4. Copy the client id and client secret (a desktop client's secret is not confidential, but "
                     "Google asks for it)."),
            Text::tr("   Set them in the environment variables %1 and %2, or in MailKey's settings (Providers).")
                .arg(idVar, secretVar),
            Text::tr("While the app is in \"Testing\" mode, add your address as a test user; its sign-ins then "
                     "expire after 7 days."),
        };
    case Provider::Kind::Custom: {
        QString portExample = redirect;
        const QString hostPart = QStringLiteral("http://")
                                 + (provider.redirectHost.contains(QLatin1Char(':'))
                                        ? QString(QLatin1Char('[') + provider.redirectHost + QLatin1Char(']'))
                                        : provider.redirectHost);
        portExample.insert(hostPart.size(), QStringLiteral(":<any port>"));
        return {
            Text::tr("1. Register MailKey with %1 (issuer %2) as a public (native) client using the authorization "
                     "code flow with PKCE.")
                .arg(oneLine(provider.displayName), oneLine(provider.issuer)),
            Text::tr("2. Register the redirect URI %1.").arg(redirect),
            Text::tr("   MailKey picks a free port at each sign-in, so the server must accept %1, as RFC 8252 "
                     "section 7.3 requires for loopback redirects.")
                .arg(portExample),
            Text::tr("3. Set the client id in the environment variable %1, in MailKey's settings (Providers),")
                .arg(idVar),
            Text::tr("   or as \"client_id\" of provider \"%1\" in %2.").arg(provider.id, ProviderFile::defaultPath()),
        };
    }
    }
    return {};
}

QUrl ProviderRegistry::registrationUrl(const Provider &provider)
{
    switch (provider.kind) {
    case Provider::Kind::Microsoft:
        return QUrl(QStringLiteral("https://entra.microsoft.com"));
    case Provider::Kind::Google:
        return QUrl(QStringLiteral("https://console.cloud.google.com"));
    case Provider::Kind::Custom:
        break;
    }
    return QUrl();
}

Error ProviderRegistry::missingClientIdError(const Provider &provider)
{
    QStringList lines{
        Text::tr("MailKey has no client id for %1.").arg(TextSafety::replaced(provider.displayName, u" "))};
    lines += missingClientIdSteps(provider);
    return Error(ErrorCode::Config, lines.join(QLatin1Char('\n')));
}

} // namespace mailkey
