#include "core/providers/OidcDiscovery.h"

#include "core/common/NetworkReplies.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace mailkey {

namespace {

QString shortened(const QString &s, int max = 120)
{
    QString out;
    for (QChar c : s.left(max)) {
        if (c.isPrint())
            out.append(c);
    }
    if (s.size() > max)
        out.append(QStringLiteral("..."));
    return out;
}

Error configError(const Provider &p, const QString &what)
{
    return Error(ErrorCode::Config, OidcDiscovery::tr("MailKey cannot use the OpenID configuration of %1 (%2): %3.")
                                            .arg(p.displayName.isEmpty() ? p.id : p.displayName, p.issuer, what)
                                        + QLatin1Char(' ') + OidcDiscovery::providersFileAdvice());
}

bool arrayContains(const QJsonValue &v, const QString &needle)
{
    const QJsonArray arr = v.toArray();
    for (const QJsonValue &item : arr) {
        if (item.isString() && item.toString() == needle)
            return true;
    }
    return false;
}

} // namespace

OidcDiscovery::OidcDiscovery(QNetworkAccessManager *nam, QObject *parent) : QObject(parent), m_nam(nam)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &OidcDiscovery::onTimeout);
}

OidcDiscovery::~OidcDiscovery()
{
    dropReply();
}

QString OidcDiscovery::providersFileAdvice()
{
    return tr("Check the issuer of this provider in providers.json, or set its endpoints there.");
}

QUrl OidcDiscovery::discoveryUrl(const QString &issuer)
{
    QString base = issuer;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return QUrl(base + QStringLiteral("/.well-known/openid-configuration"), QUrl::StrictMode);
}

QString OidcDiscovery::where() const
{
    return discoveryUrl(m_provider.issuer).toString();
}

void OidcDiscovery::start(const Provider &provider)
{
    cancel();
    m_provider = provider;
    m_body.clear();

    const QString issuerWhy = Provider::issuerProblem(provider.issuer);
    if (!issuerWhy.isEmpty() || m_nam == nullptr) {
        const Error err = configError(provider, m_nam == nullptr ? QStringLiteral("no network access")
                                                                 : QStringLiteral("the issuer ") + issuerWhy);
        // Always asynchronous, like a network failure.
        QMetaObject::invokeMethod(
            this, [this, err]() { Q_EMIT failed(err); }, Qt::QueuedConnection);
        return;
    }

    QNetworkRequest request(discoveryUrl(provider.issuer));
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setMaximumRedirectsAllowed(3);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    m_reply = m_nam->get(request);
    connect(m_reply, &QNetworkReply::metaDataChanged, this, &OidcDiscovery::onMetaDataChanged);
    connect(m_reply, &QNetworkReply::readyRead, this, &OidcDiscovery::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &OidcDiscovery::onReplyFinished);
    m_timer.start(m_timeoutMs);
}

void OidcDiscovery::cancel()
{
    m_timer.stop();
    dropReply();
    m_body.clear();
}

void OidcDiscovery::dropReply()
{
    mailkey::dropReply(m_reply, this);
}

void OidcDiscovery::onMetaDataChanged()
{
    if (!m_reply)
        return;
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() > m_maxBodySize) {
        finishWith(configError(m_provider, QStringLiteral("the answer from %1 is larger than %2 KiB")
                                               .arg(where(), QString::number(m_maxBodySize / 1024))));
    }
}

void OidcDiscovery::onReadyRead()
{
    if (!m_reply)
        return;
    m_body += m_reply->read(m_maxBodySize + 1 - m_body.size());
    if (m_body.size() > m_maxBodySize) {
        finishWith(configError(m_provider, QStringLiteral("the answer from %1 is larger than %2 KiB")
                                               .arg(where(), QString::number(m_maxBodySize / 1024))));
    }
}

void OidcDiscovery::onTimeout()
{
    if (!m_reply)
        return;
    finishWith(
        Error(ErrorCode::Network, tr("%1 did not answer within %2 seconds (%3). Check your connection and try again.")
                                      .arg(m_provider.displayName, QString::number(m_timeoutMs / 1000.0), where())));
}

void OidcDiscovery::onReplyFinished()
{
    if (!m_reply)
        return;
    onReadyRead();
    if (!m_reply) // the size limit ended it
        return;
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const QNetworkReply::NetworkError netError = m_reply->error();
    const QString netErrorText = m_reply->errorString();
    if (!status.isValid()) {
        finishWith(Error(ErrorCode::Network, tr("Could not reach %1 (%2): %3. Check your connection and try again.")
                                                 .arg(m_provider.displayName, where(), netErrorText)));
        return;
    }
    const int code = status.toInt();
    if (code != 200) {
        const QString what = QStringLiteral("%1 answered HTTP %2").arg(where(), QString::number(code));
        if (code >= 500 || code == 429 || code == 408) {
            finishWith(
                Error(ErrorCode::Network,
                      tr("%1 is not available right now (%2). Try again later.").arg(m_provider.displayName, what)));
        } else {
            finishWith(configError(m_provider, what));
        }
        return;
    }
    if (netError != QNetworkReply::NoError) {
        finishWith(Error(
            ErrorCode::Network,
            tr("The connection to %1 failed (%2): %3. Try again.").arg(m_provider.displayName, where(), netErrorText)));
        return;
    }
    finishWith(applyDocument(m_provider, m_body));
}

void OidcDiscovery::finishWith(const Result<Provider> &result)
{
    m_timer.stop();
    dropReply();
    m_body.clear();
    // Emit last: a slot may delete this object.
    if (result)
        Q_EMIT finished(*result);
    else
        Q_EMIT failed(result.error());
}

Result<Provider> OidcDiscovery::applyDocument(const Provider &provider, const QByteArray &json)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return configError(provider, QStringLiteral("the discovery document is not a JSON object"));
    const QJsonObject meta = doc.object();

    // OIDC Discovery 1.0 section 4.3: exactly the issuer that was asked for.
    const QJsonValue issuer = meta.value(QStringLiteral("issuer"));
    if (!issuer.isString())
        return configError(provider, QStringLiteral("the discovery document has no \"issuer\""));
    if (issuer.toString() != provider.issuer) {
        return configError(provider, QStringLiteral("the discovery document names the issuer \"%1\", not the "
                                                    "configured one; MailKey refuses it (OpenID Connect "
                                                    "Discovery section 4.3)")
                                         .arg(shortened(issuer.toString())));
    }

    // Every endpoint in the document, used or not, must follow the same rules as providers.json.
    for (auto it = meta.begin(); it != meta.end(); ++it) {
        const QString key = it.key();
        if (!key.endsWith(QLatin1String("_endpoint")) && key != QLatin1String("jwks_uri"))
            continue;
        if (!it.value().isString())
            return configError(provider, QStringLiteral("\"%1\" is not a string").arg(shortened(key, 64)));
        const QString why = Provider::endpointProblem(QUrl(it.value().toString(), QUrl::StrictMode));
        if (!why.isEmpty())
            return configError(provider, QStringLiteral("\"%1\" %2").arg(shortened(key, 64), why));
    }

    Provider p = provider;
    auto fill = [&meta](QUrl &target, const char *key) {
        const QJsonValue v = meta.value(QLatin1String(key));
        if (target.isEmpty() && v.isString())
            target = QUrl(v.toString(), QUrl::StrictMode);
    };
    fill(p.authorizationEndpoint, "authorization_endpoint");
    fill(p.tokenEndpoint, "token_endpoint");
    fill(p.userinfoEndpoint, "userinfo_endpoint");
    fill(p.revocationEndpoint, "revocation_endpoint");
    fill(p.deviceAuthorizationEndpoint, "device_authorization_endpoint");
    if (p.authorizationEndpoint.isEmpty())
        return configError(provider, QStringLiteral("the discovery document has no authorization_endpoint"));
    if (p.tokenEndpoint.isEmpty())
        return configError(provider, QStringLiteral("the discovery document has no token_endpoint"));
    if (p.profileEndpoint.isEmpty())
        p.profileEndpoint = p.userinfoEndpoint;

    const QJsonValue issSupported = meta.value(QStringLiteral("authorization_response_iss_parameter_supported"));
    if (!issSupported.isUndefined()) {
        if (!issSupported.isBool())
            return configError(provider,
                               QStringLiteral("authorization_response_iss_parameter_supported is not a boolean"));
        p.issRequired = p.issRequired || issSupported.toBool();
    }

    const QJsonValue pkce = meta.value(QStringLiteral("code_challenge_methods_supported"));
    if (!pkce.isUndefined()) {
        if (!pkce.isArray())
            return configError(provider, QStringLiteral("code_challenge_methods_supported is not an array"));
        if (!arrayContains(pkce, QStringLiteral("S256")))
            return configError(provider, QStringLiteral("the provider does not support PKCE with S256, which MailKey "
                                                        "requires"));
    }
    const QJsonValue responseTypes = meta.value(QStringLiteral("response_types_supported"));
    if (!responseTypes.isUndefined()) {
        if (!responseTypes.isArray())
            return configError(provider, QStringLiteral("response_types_supported is not an array"));
        if (!arrayContains(responseTypes, QStringLiteral("code")))
            return configError(provider, QStringLiteral("the provider does not support the authorization code flow"));
    }

    p.needsDiscovery = false;
    return p;
}

} // namespace mailkey
