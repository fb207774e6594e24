#pragma once

#include "core/common/Result.h"
#include "core/providers/ManagedPolicy.h"
#include "core/providers/Provider.h"
#include "core/providers/ProviderFile.h"

#include <QList>
#include <QMap>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <utility>

namespace mailkey {

// All providers MailKey knows: the built-in Microsoft and Google ones, then the custom ones from
// providers.json, each resolved with the user's configuration.
//
// Client id (and secret) precedence, per provider, first match wins:
//   1. policy:      the administrator's managed policy (ManagedPolicy: providers.<id>.client_id)
//   2. environment: MAILKEY_<ID>_CLIENT_ID / MAILKEY_<ID>_CLIENT_SECRET (id upper-cased, '-' -> '_')
//   3. settings:    provider/<id>/client_id / provider/<id>/client_secret
//   4. providers.json: client_id / client_secret (custom providers only)
//   5. built in:    the distributor's registered ids (CMake MAILKEY_MICROSOFT_CLIENT_ID,
//                   MAILKEY_GOOGLE_CLIENT_ID, MAILKEY_GOOGLE_CLIENT_SECRET), if this build has them
// The policy also sets the Microsoft tenant (before the environment), limits the providers that
// may be connected (providerForSignIn refuses the others; isAllowed()), and can turn custom
// providers off (providers.json is then not used).
// The secret always comes from the same place as the client id (a secret set elsewhere belongs
// to another client and is ignored).
//
// Microsoft: tenant from MAILKEY_MICROSOFT_TENANT, else setting provider/microsoft/tenant, else
// "common"; authority host from MAILKEY_MICROSOFT_AUTHORITY_HOST, else
// provider/microsoft/authority_host, else login.microsoftonline.com. An invalid value is reported
// in problems() and the default is used instead.
// Mail API base (Graph / Gmail), e.g. for a local fake server: setting provider/<id>/mail_api_base
// (https, or http on loopback only).
class ProviderRegistry {
public:
    using Settings = QMap<QString, QString>;

    // Built-ins only, system environment, no settings.
    ProviderRegistry();
    explicit ProviderRegistry(const Settings &settings,
                              const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

    void setSettings(const Settings &settings);
    void setEnvironment(const QProcessEnvironment &environment);
    // The administrator's policy (ManagedPolicy::load() in the programs; tests give their own).
    void setPolicy(const ManagedPolicy &policy);
    const ManagedPolicy &policy() const { return m_policy; }
    // The policy lets people connect this provider.
    bool isAllowed(const QString &id) const { return m_policy.allowsProvider(id); }

    // The built-in client ids resolve() falls back to: this build's (below) unless replaced
    // (tests: a build with and without them). By provider id: {client id, client secret}.
    using BuiltInIds = QMap<QString, std::pair<QString, QString>>;
    void setBuiltInClientIds(const BuiltInIds &ids);
    static BuiltInIds compiledInClientIds();

    // The client id (and secret) this build has for a built-in provider, or "".
    static QString builtInClientId(const QString &id);
    static QString builtInClientSecret(const QString &id);
    // "microsoft 1111-..., google none": what `--version` and About say about the built-in ids.
    static QStringList builtInClientIdLines();

    // Custom providers. loadCustomProviders(): an empty path means the default file
    // (<config>/providers.json, absent = none). A whole-file error is returned and the custom
    // providers are cleared; per-provider problems go to problems().
    Status loadCustomProviders(const QString &path = QString());
    void setCustomProviders(const ProviderFile::Contents &contents);
    // What setCustomProviders() / loadCustomProviders() last gave (unresolved), so a window can
    // keep it when a changed file turns out to be broken.
    ProviderFile::Contents customProviders() const { return {m_customPath, m_custom, m_fileProblems}; }

    bool contains(const QString &id) const;
    // A resolved copy; an invalid Provider (isValid() false) for an unknown id.
    Provider provider(const QString &id) const;
    // Built-ins first, then custom providers in file order.
    QList<Provider> providers() const;
    QStringList ids() const;
    // Problems of providers.json (left-out providers) and of settings / environment values.
    QList<ProviderProblem> problems() const;

    // The provider ready for sign-in: NotFound for an unknown id; Config, with every problem of
    // the entry (field and reason), for an id whose providers.json entry was left out;
    // missingClientIdError() when no client id is set. (A provider with needsDiscovery still needs OidcDiscovery first.)
    Result<Provider> providerForSignIn(const QString &id) const;

    // Keeps what OidcDiscovery found for a custom provider, so later lookups have its endpoints.
    // Returns false if `discovered` is not a known custom provider or still needs discovery.
    bool applyDiscovery(const Provider &discovered);

    static QString environmentPrefix(const QString &id); // MAILKEY_<ID>_
    static QString clientIdVariable(const QString &id);  // MAILKEY_<ID>_CLIENT_ID
    static QString clientSecretVariable(const QString &id);
    static QString settingsKey(const QString &id, const QString &name); // provider/<id>/<name>

    // What to register with the provider, without the port (MailKey picks a free port per
    // sign-in): http://localhost/oauth/microsoft, http://127.0.0.1/oauth/google,
    // http://127.0.0.1/oauth/<id>.
    static QString redirectUriToRegister(const Provider &provider);
    // ErrorCode::Config; says how to register an app with this provider and where to put the id:
    // "MailKey has no client id for NAME." and missingClientIdSteps(), one a line (each line a
    // sentence or a numbered step, so a terminal shows it without one 900-character line).
    static Error missingClientIdError(const Provider &provider);
    // The steps alone (for a window that already says the client id is missing). Plain text: they
    // quote the provider's name and issuer.
    static QStringList missingClientIdSteps(const Provider &provider);
    // The provider's app-registration site (a fixed MailKey address: Entra admin center, Google
    // Cloud console); empty for custom providers.
    static QUrl registrationUrl(const Provider &provider);

private:
    void rebuild();
    Provider resolve(const Provider &base);

    Settings m_settings;
    QProcessEnvironment m_env;
    ManagedPolicy m_policy;
    BuiltInIds m_builtIn = compiledInClientIds();
    QString m_customPath; // the providers file m_custom came from (empty: none, or parsed text)
    QList<Provider> m_custom;
    QList<ProviderProblem> m_fileProblems;
    QList<ProviderProblem> m_configProblems;
    QList<Provider> m_resolved;
};

} // namespace mailkey
