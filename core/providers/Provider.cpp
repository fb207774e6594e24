#include "core/providers/Provider.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrlQuery>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::Provider)
};
} // namespace

namespace {

// The tenant id of all personal Microsoft accounts: `consumers` always signs in there, so its
// issuer is known in advance.
constexpr const char *ConsumerTenantId = "9188040d-6c67-4c5b-b112-36a304b66dad";

struct MicrosoftCloud {
    const char *authorityHost;
    const char *graphHost;   // Microsoft Graph
    const char *outlookHost; // Exchange Online (IMAP / SMTP scopes)
};

// National clouds whose service hosts differ from the global ones. An authority host not listed
// here gets the global Graph and Outlook hosts; a different Graph host can still be set with the
// setting provider/microsoft/mail_api_base.
constexpr MicrosoftCloud KnownClouds[] = {
    {"login.microsoftonline.com", "graph.microsoft.com", "outlook.office.com"},
    {"login.microsoftonline.us", "graph.microsoft.us", "outlook.office365.us"},                    // US Government
    {"login.partner.microsoftonline.cn", "microsoftgraph.chinacloudapi.cn", "partner.outlook.cn"}, // 21Vianet
    {"login.chinacloudapi.cn", "microsoftgraph.chinacloudapi.cn", "partner.outlook.cn"},
};

MicrosoftCloud cloudFor(const QString &authorityHost)
{
    for (const MicrosoftCloud &c : KnownClouds) {
        if (authorityHost == QLatin1String(c.authorityHost))
            return c;
    }
    return {nullptr, KnownClouds[0].graphHost, KnownClouds[0].outlookHost};
}

bool isDnsName(const QString &s)
{
    if (s.isEmpty() || s.size() > 253)
        return false;
    static const QRegularExpression label(QStringLiteral("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"));
    const QStringList labels = s.split(QLatin1Char('.'));
    if (labels.size() < 2)
        return false;
    for (const QString &l : labels) {
        if (!label.match(l).hasMatch())
            return false;
    }
    // The top-level label is never all digits (that would be an IPv4 address).
    static const QRegularExpression digits(QStringLiteral("^[0-9]+$"));
    return !digits.match(labels.last()).hasMatch();
}

QUrl httpsUrl(const QString &host, const QString &path)
{
    QUrl u;
    u.setScheme(QStringLiteral("https"));
    u.setHost(host);
    u.setPath(path);
    return u;
}

} // namespace

QStringList Provider::scopesFor(const QString &resource) const
{
    if (resource.isEmpty() || resource == QLatin1String(ResourceDefault) || resource == QLatin1String(ResourceGraph))
        return scopes;
    return resourceScopes.value(resource);
}

QStringList Provider::authorizationScopes() const
{
    QStringList out;
    out.reserve(scopes.size() + consentScopes.size());
    for (const QStringList *list : {&scopes, &consentScopes}) {
        for (const QString &s : *list) {
            if (!s.isEmpty() && !out.contains(s))
                out.append(s);
        }
    }
    return out;
}

bool Provider::acceptsIssuer(const QString &iss) const
{
    if (iss.isEmpty())
        return false;
    if (!issuer.isEmpty())
        return iss == issuer; // RFC 9207 section 2.4: simple string comparison
    if (kind != Kind::Microsoft || authorityHost.isEmpty())
        return false;
    // Tenant not fixed: https://{authorityHost}/{tid}/v2.0 with any tenant GUID.
    const QString prefix = QStringLiteral("https://") + authorityHost + QLatin1Char('/');
    const QString suffix = QStringLiteral("/v2.0");
    if (!iss.startsWith(prefix) || !iss.endsWith(suffix))
        return false;
    const QString tid = iss.mid(prefix.size(), iss.size() - prefix.size() - suffix.size());
    if (!isGuid(tid) || tid != tid.toLower())
        return false;
    if (tenant == QLatin1String("organizations") && tid == QLatin1String(ConsumerTenantId))
        return false;
    return true;
}

QString Provider::redirectUriWithoutPort() const
{
    const QString host = redirectHost.contains(QLatin1Char(':'))
                             ? QString(QLatin1Char('[') + redirectHost + QLatin1Char(']'))
                             : redirectHost;
    return QStringLiteral("http://") + host + redirectPath;
}

Result<Provider> Provider::microsoft(const QString &tenantIn, const QString &authorityHostIn)
{
    const QString tenantId = tenantIn.trimmed().toLower();
    const QString host = authorityHostIn.trimmed().toLower();
    if (!isValidMicrosoftTenant(tenantId)) {
        return Error(ErrorCode::Config,
                     Text::tr("The Microsoft tenant \"%1\" is not valid. Use common, organizations, "
                              "consumers, a tenant id (GUID) or a domain such as contoso.onmicrosoft.com.")
                         .arg(tenantIn.left(80)));
    }
    if (!isValidAuthorityHost(host)) {
        return Error(ErrorCode::Config,
                     Text::tr("The Microsoft authority host \"%1\" is not valid. Use a host name such as "
                              "login.microsoftonline.com (or login.microsoftonline.us, "
                              "login.partner.microsoftonline.cn for national clouds).")
                         .arg(authorityHostIn.left(80)));
    }
    const MicrosoftCloud cloud = cloudFor(host);
    const QString graphHost = QString::fromLatin1(cloud.graphHost);
    const QString outlook = QStringLiteral("https://") + QString::fromLatin1(cloud.outlookHost);

    Provider p;
    p.id = QString::fromLatin1(MicrosoftId);
    p.displayName = QStringLiteral("Outlook / Microsoft 365");
    p.kind = Kind::Microsoft;
    p.tenant = tenantId;
    p.authorityHost = host;
    const QString base = QLatin1Char('/') + tenantId + QStringLiteral("/oauth2/v2.0/");
    p.authorizationEndpoint = httpsUrl(host, base + QStringLiteral("authorize"));
    p.tokenEndpoint = httpsUrl(host, base + QStringLiteral("token"));
    p.deviceAuthorizationEndpoint = httpsUrl(host, base + QStringLiteral("devicecode"));
    p.userinfoEndpoint = httpsUrl(graphHost, QStringLiteral("/oidc/userinfo"));
    // Microsoft's issuer names the tenant id: known only for a GUID tenant and for `consumers`.
    if (isGuid(tenantId))
        p.issuer = QStringLiteral("https://") + host + QLatin1Char('/') + tenantId + QStringLiteral("/v2.0");
    else if (tenantId == QLatin1String("consumers"))
        p.issuer = QStringLiteral("https://") + host + QLatin1Char('/') + QLatin1String(ConsumerTenantId)
                   + QStringLiteral("/v2.0");
    p.issRequired = false;
    p.mailApi = MailApi::MicrosoftGraph;
    p.setMailApiBase(httpsUrl(graphHost, QStringLiteral("/v1.0")));
    p.scopes
        = QStringList{QStringLiteral("openid"),         QStringLiteral("profile"),   QStringLiteral("email"),
                      QStringLiteral("offline_access"), QStringLiteral("User.Read"), QStringLiteral("Mail.ReadWrite"),
                      QStringLiteral("Mail.Send")};
    p.resourceScopes.insert(QString::fromLatin1(ResourceImap),
                            {outlook + QStringLiteral("/IMAP.AccessAsUser.All"), QStringLiteral("offline_access")});
    p.resourceScopes.insert(QString::fromLatin1(ResourceSmtp),
                            {outlook + QStringLiteral("/SMTP.Send"), QStringLiteral("offline_access")});
    // Consent to IMAP and SMTP at sign-in, or their later token requests fail with AADSTS65001.
    p.consentScopes = {outlook + QStringLiteral("/IMAP.AccessAsUser.All"), outlook + QStringLiteral("/SMTP.Send")};
    p.imapServer = QStringLiteral("outlook.office365.com:993");
    p.smtpServer = QStringLiteral("smtp.office365.com:587");
    p.redirectHost = QStringLiteral("localhost"); // the Entra portal accepts only http://localhost
    p.redirectPath = QStringLiteral("/oauth/microsoft");
    p.extraAuthorizationParameters = {{QStringLiteral("prompt"), QStringLiteral("select_account")}};
    return p;
}

Provider Provider::google()
{
    Provider p;
    p.id = QString::fromLatin1(GoogleId);
    p.displayName = QStringLiteral("Gmail");
    p.kind = Kind::Google;
    p.issuer = QStringLiteral("https://accounts.google.com");
    p.authorizationEndpoint = QUrl(QStringLiteral("https://accounts.google.com/o/oauth2/v2/auth"));
    p.tokenEndpoint = QUrl(QStringLiteral("https://oauth2.googleapis.com/token"));
    p.userinfoEndpoint = QUrl(QStringLiteral("https://openidconnect.googleapis.com/v1/userinfo"));
    p.revocationEndpoint = QUrl(QStringLiteral("https://oauth2.googleapis.com/revoke"));
    p.profileEndpoint = p.userinfoEndpoint;
    p.mailApi = MailApi::Gmail;
    p.mailApiBase = QUrl(QStringLiteral("https://gmail.googleapis.com/gmail/v1"));
    p.scopes = QStringList{QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("profile"),
                           QStringLiteral("https://mail.google.com/")};
    // One scope covers IMAP, SMTP and the Gmail API.
    p.resourceScopes.insert(QString::fromLatin1(ResourceImap), {QStringLiteral("https://mail.google.com/")});
    p.resourceScopes.insert(QString::fromLatin1(ResourceSmtp), {QStringLiteral("https://mail.google.com/")});
    p.imapServer = QStringLiteral("imap.gmail.com:993");
    p.smtpServer = QStringLiteral("smtp.gmail.com:587");
    p.redirectHost = QStringLiteral("127.0.0.1");
    p.redirectPath = QStringLiteral("/oauth/google");
    // offline + consent: Google issues a refresh token only on a consented offline request.
    p.extraAuthorizationParameters = {{QStringLiteral("access_type"), QStringLiteral("offline")},
                                      {QStringLiteral("prompt"), QStringLiteral("consent")}};
    return p;
}

void Provider::setMailApiBase(const QUrl &base)
{
    mailApiBase = base;
    if (mailApi == MailApi::MicrosoftGraph) {
        QUrl me = base;
        QString path = me.path();
        while (path.endsWith(QLatin1Char('/')))
            path.chop(1);
        me.setPath(path + QStringLiteral("/me"));
        profileEndpoint = me;
    }
}

QUrl Provider::adminConsentUrl(const QString &tenantId) const
{
    if (kind != Kind::Microsoft || clientId.isEmpty())
        return {};
    // One organization, with an administrator to ask (not the tenant of personal accounts).
    const auto oneOrganization = [](const QString &t) {
        return isValidMicrosoftTenant(t) && t != QLatin1String("common") && t != QLatin1String("organizations")
               && t != QLatin1String("consumers")
               && t.compare(QLatin1String(ConsumerTenantId), Qt::CaseInsensitive) != 0;
    };
    const QString org = !tenantId.isEmpty() ? tenantId : tenant;
    if (!oneOrganization(org))
        return {};
    QUrl url = httpsUrl(authorityHost.isEmpty() ? QString::fromLatin1(DefaultMicrosoftAuthorityHost) : authorityHost,
                        QStringLiteral("/%1/adminconsent").arg(org));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("client_id"), QString::fromLatin1(QUrl::toPercentEncoding(clientId)));
    url.setQuery(query);
    return url;
}

bool Provider::isGuid(const QString &s)
{
    static const QRegularExpression re(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    return re.match(s).hasMatch();
}

bool Provider::isValidMicrosoftTenant(const QString &tenant)
{
    if (tenant == QLatin1String("common") || tenant == QLatin1String("organizations")
        || tenant == QLatin1String("consumers"))
        return true;
    if (isGuid(tenant))
        return true;
    return isDnsName(tenant.toLower());
}

bool Provider::isValidAuthorityHost(const QString &host)
{
    return isDnsName(host.toLower());
}

bool Provider::isValidCustomId(const QString &id)
{
    static const QRegularExpression re(QStringLiteral("^[a-z0-9-]{1,32}$"));
    return re.match(id).hasMatch();
}

bool Provider::isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    QHostAddress addr;
    if (!addr.setAddress(host))
        return false;
    return addr.isLoopback();
}

QString Provider::endpointProblem(const QUrl &url)
{
    if (url.isEmpty())
        return QStringLiteral("is empty");
    if (!url.isValid())
        return QStringLiteral("is not a valid URL");
    if (url.isRelative() || url.host().isEmpty())
        return QStringLiteral("must be an absolute URL with a host (https://...)");
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("https") && scheme != QLatin1String("http"))
        return QStringLiteral("must use https");
    if (!url.userInfo().isEmpty())
        return QStringLiteral("must not contain a user name or password");
    if (url.hasFragment())
        return QStringLiteral("must not contain a fragment (#...)");
    if (scheme == QLatin1String("http") && !isLoopbackHost(url.host()))
        return QStringLiteral("must use https (http is allowed only on loopback addresses: 127.0.0.1, ::1, localhost)");
    return {};
}

QString Provider::issuerProblem(const QString &issuerText)
{
    if (issuerText.isEmpty())
        return QStringLiteral("is empty");
    const QUrl url(issuerText, QUrl::StrictMode);
    const QString p = endpointProblem(url);
    if (!p.isEmpty())
        return p;
    if (url.hasQuery())
        return QStringLiteral("must not contain a query (?...)");
    return {};
}

QString Provider::redirectHostProblem(const QString &host)
{
    if (host == QLatin1String("127.0.0.1") || host == QLatin1String("localhost") || host == QLatin1String("::1"))
        return {};
    return QStringLiteral("must be 127.0.0.1, localhost or ::1");
}

QString Provider::redirectPathProblem(const QString &path)
{
    if (path.isEmpty())
        return QStringLiteral("is empty");
    if (!path.startsWith(QLatin1Char('/')))
        return QStringLiteral("must start with \"/\"");
    if (path.contains(QLatin1Char('?')) || path.contains(QLatin1Char('#')))
        return QStringLiteral("must not contain \"?\" or \"#\"");
    if (path.contains(QLatin1String("..")))
        return QStringLiteral("must not contain \"..\"");
    if (path.contains(QLatin1String("//")))
        return QStringLiteral("must not contain \"//\"");
    if (path.size() > 128)
        return QStringLiteral("is longer than 128 characters");
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9/._~-]+$"));
    if (!re.match(path).hasMatch())
        return QStringLiteral("may contain only letters, digits and / . _ ~ -");
    return {};
}

} // namespace mailkey
