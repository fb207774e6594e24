#pragma once

#include "core/common/Result.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <utility>

namespace mailkey {

// One identity provider MailKey can sign in with: the built-in Microsoft and Google ones, or a
// custom one from providers.json. A plain value type; ProviderRegistry hands out fully resolved
// copies (client id, tenant, overrides applied).
//
// clientSecret is never logged and never put into an error message. (A Google "Desktop app"
// client secret is not confidential, but it is still treated like a secret.)
struct Provider {
    enum class Kind {
        Microsoft,
        Google,
        Custom
    };
    enum class MailApi {
        None,
        MicrosoftGraph,
        Gmail
    };
    // Where clientId (and clientSecret, which always comes from the same place) came from.
    enum class CredentialSource {
        None,
        Environment,
        Settings,
        File,
        Policy, // the administrator's managed policy (ManagedPolicy)
        BuiltIn // built into this build by its distributor (CMake MAILKEY_<ID>_CLIENT_ID)
    };

    // Resource names for scopesFor().
    static constexpr const char *ResourceDefault = "default"; // the sign-in / mail API scopes
    static constexpr const char *ResourceGraph = "graph";     // = default for Microsoft
    static constexpr const char *ResourceImap = "imap";
    static constexpr const char *ResourceSmtp = "smtp";

    static constexpr const char *MicrosoftId = "microsoft";
    static constexpr const char *GoogleId = "google";
    static constexpr const char *DefaultMicrosoftTenant = "common";
    static constexpr const char *DefaultMicrosoftAuthorityHost = "login.microsoftonline.com";

    QString id;          // "microsoft", "google", or the custom id ([a-z0-9-]{1,32})
    QString displayName; // "Outlook / Microsoft 365", "Gmail", the custom name
    Kind kind = Kind::Custom;

    // The issuer identifier, kept as the exact string it was configured with: RFC 9207 and
    // OIDC Discovery 4.3 compare it as a string, and QUrl would normalise it. Empty for
    // Microsoft when the tenant is not fixed in advance (see acceptsIssuer()).
    QString issuer;
    QUrl authorizationEndpoint;
    QUrl tokenEndpoint;
    QUrl userinfoEndpoint;
    QUrl revocationEndpoint; // empty if none (Microsoft has none for public clients)
    // RFC 8628 device authorization endpoint (sign-in on another device): Microsoft
    // /oauth2/v2.0/devicecode on the tenant's authority; custom providers from discovery or
    // providers.json "device_authorization_endpoint"; empty if none (Google: see
    // DeviceAuthorization::unavailableReason).
    QUrl deviceAuthorizationEndpoint;
    QUrl profileEndpoint; // Microsoft: Graph <mailApiBase>/me; others: userinfo

    MailApi mailApi = MailApi::None;
    QUrl mailApiBase; // Graph "https://graph.microsoft.com/v1.0", Gmail "https://gmail.googleapis.com/gmail/v1"

    QString clientId;
    QString clientSecret; // optional; never logged
    CredentialSource credentialSource = CredentialSource::None;

    QStringList scopes; // the scopes of the sign-in request (resource "default")
    // Per-resource scope sets (Microsoft: one resource per token request). Resources not listed
    // here, other than default/graph, have no scopes: scopesFor() returns an empty list.
    QMap<QString, QStringList> resourceScopes;
    // Scopes of other resources the user is asked to consent to at sign-in, so that later token
    // requests for them (scopesFor("imap"), "smtp") with the same refresh token are allowed
    // (MSAL's "extra scopes to consent"). They go into the authorization request only: the code
    // redemption asks for `scopes` alone, since one token request targets one resource.
    // Microsoft: the Outlook IMAP and SMTP scopes. Others (and providers.json): empty.
    QStringList consentScopes;

    QString redirectHost = QStringLiteral("127.0.0.1"); // RFC 8252; "localhost" for Microsoft
    QString redirectPath;                               // "/oauth/<id>", distinct per provider

    // The authorization response must carry `iss` (RFC 9207): discovery said
    // authorization_response_iss_parameter_supported. If false, an `iss` that is present is
    // still checked with acceptsIssuer().
    bool issRequired = false;
    // Only the issuer is known: run OidcDiscovery before using the endpoints.
    bool needsDiscovery = false;

    // Extra query parameters of the authorization request, in order.
    QList<std::pair<QString, QString>> extraAuthorizationParameters;

    // The mail servers `mailkey-cli check` logs in to unless told otherwise, as MailServer::parse
    // reads them ("outlook.office365.com:993", "smtps://mail.example.com:465"); "" when not known.
    // Microsoft outlook.office365.com:993 and smtp.office365.com:587, Google imap.gmail.com:993 and
    // smtp.gmail.com:587; custom providers: providers.json "imap_host" and "smtp_host".
    QString imapServer;
    QString smtpServer;

    // Microsoft only.
    QString tenant;        // "common", "organizations", "consumers", a tenant GUID or a domain
    QString authorityHost; // "login.microsoftonline.com", or a national cloud's host

    bool isValid() const { return !id.isEmpty(); }

    // The scopes for one token request for `resource` ("default"/"graph"/"" = scopes, "imap",
    // "smtp"). Empty for a resource this provider does not know.
    QStringList scopesFor(const QString &resource) const;
    // The scope of the authorization request: scopes, then consentScopes, without duplicates.
    QStringList authorizationScopes() const;

    // RFC 9207 mix-up defence: does an `iss` value from an authorization response belong to this
    // provider? Custom and Google: exact string comparison with `issuer`. Microsoft: with a tenant
    // GUID (or `consumers`, whose tenant id is fixed) the exact issuer
    // https://{authorityHost}/{tid}/v2.0; with `common`, `organizations` or a domain the tenant id
    // is not known in advance, so any https://{authorityHost}/{GUID}/v2.0 from the configured
    // authority host is accepted (`organizations` excludes the consumer tenant). issRequired is
    // false for Microsoft; the check applies when `iss` is present.
    bool acceptsIssuer(const QString &iss) const;

    // Microsoft: where an administrator of a work or school organization grants consent to this
    // app for all its users (the admin kit of `mailkey-cli check`):
    // https://{authorityHost}/{tenant}/adminconsent?client_id={clientId}. `tenantId` is the
    // organization the token names (its tid) when known; else this provider's tenant when it
    // names one organization (a GUID or a domain). Empty for other providers, without a client
    // id, and when no single organization is known ("common", "organizations", "consumers", or
    // the tenant of personal accounts).
    QUrl adminConsentUrl(const QString &tenantId = QString()) const;

    // The redirect URI without its port (MailKey adds a fresh ephemeral port per attempt),
    // e.g. "http://localhost/oauth/microsoft", "http://127.0.0.1/oauth/google".
    QString redirectUriWithoutPort() const;

    // ---- Built-ins --------------------------------------------------------------------------
    // Microsoft Entra (v2.0 endpoints). Fails with ErrorCode::Config for a tenant or authority
    // host that is not valid (see isValidMicrosoftTenant / isValidAuthorityHost).
    static Result<Provider> microsoft(const QString &tenant = QString::fromLatin1(DefaultMicrosoftTenant),
                                      const QString &authorityHost
                                      = QString::fromLatin1(DefaultMicrosoftAuthorityHost));
    static Provider google();

    // "common", "organizations", "consumers", a GUID, or a DNS name (contoso.onmicrosoft.com):
    // nothing that could add path segments, a query or a fragment to the endpoint URLs.
    static bool isValidMicrosoftTenant(const QString &tenant);
    // A DNS name with at least two labels, no port, no path.
    static bool isValidAuthorityHost(const QString &host);
    static bool isGuid(const QString &s);
    static bool isValidCustomId(const QString &id); // [a-z0-9-]{1,32}

    // Sets mailApiBase and, for Microsoft, the profile endpoint <base>/me that derives from it.
    void setMailApiBase(const QUrl &base);

    // ---- URL rules shared by providers.json, settings overrides and discovery ---------------
    // An empty string if `url` is acceptable as an endpoint: absolute, https (http only when the
    // host is a loopback address: 127.0.0.0/8, ::1 or "localhost"), a host, no user info, no
    // fragment. Otherwise the reason, for the user.
    static QString endpointProblem(const QUrl &url);
    // Same as endpointProblem, and no query either (RFC 8414 section 2).
    static QString issuerProblem(const QString &issuer);
    static bool isLoopbackHost(const QString &host);
    // "127.0.0.1", "localhost" or "::1".
    static QString redirectHostProblem(const QString &host);
    // Starts with "/", only [A-Za-z0-9/._~-], no "..", no "?" or "#".
    static QString redirectPathProblem(const QString &path);
};

} // namespace mailkey
