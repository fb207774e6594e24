#include "core/oauth/ConnectSession.h"

#include "core/common/Clock.h"
#include "core/common/NetworkReplies.h"
#include "core/oauth/FormEncoder.h"
#include "core/oauth/OAuthErrorCatalog.h"
#include "core/oauth/OAuthState.h"
#include "core/oauth/Pkce.h"
#include "core/providers/OidcDiscovery.h"
#include "core/providers/ProviderRegistry.h"

#include <QLoggingCategory>
#include <QMultiMap>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QOAuth2AuthorizationCodeFlow>
#include <QVariant>
#include <QtGlobal>

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcConnect, "mailkey.connect")

// Parameter values go into the URL query / form body through QUrlQuery, which leaves '+', '&'
// and '=' of a plain value alone. Every value we add ourselves is percent-encoded exactly once,
// by the encoder of every token-endpoint form, so a '+' in a login hint or client secret is not
// read as a space by the server. The temporary encoded bytes are wiped (the verifier and the
// client secret pass here); Qt keeps its own copy in the parameter map.
template <typename Value>
QVariant encoded(const Value &value)
{
    QByteArray bytes = FormEncoder::encode(value);
    QVariant v = QString::fromLatin1(bytes);
    secureWipe(bytes);
    return v;
}

void replaceParameter(QMultiMap<QString, QVariant> *params, const char *key, const QVariant &value)
{
    const QString k = QString::fromLatin1(key);
    params->remove(k);
    params->insert(k, value);
}

// OpenID Connect Core 1.0 section 11: a request for offline_access must carry prompt=consent, or
// the server ignores offline_access (node's oidc-provider then leaves it out of the grant).
// Custom providers only: Microsoft issues refresh tokens for offline_access without a consent
// prompt (and takes a single prompt value, select_account); Google has no offline_access scope
// and asks with its own access_type=offline + prompt=consent. A prompt from the provider's
// settings is kept and consent added to it, except prompt=none, which allows no other value.
void requireConsentForOfflineAccess(const Provider &provider, QMultiMap<QString, QVariant> *params)
{
    if (provider.kind != Provider::Kind::Custom
        || !provider.authorizationScopes().contains(QLatin1String("offline_access")))
        return;
    const QString key = QStringLiteral("prompt");
    QStringList prompt
        = QUrl::fromPercentEncoding(params->value(key).toString().toUtf8()).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (prompt.contains(QLatin1String("consent")) || prompt.contains(QLatin1String("none")))
        return;
    prompt.append(QStringLiteral("consent"));
    params->remove(key);
    params->insert(key, encoded(prompt.join(QLatin1Char(' '))));
}

// Parameters of the authorization request that belong to the protocol: a provider's extra
// parameters (providers.json, built-ins) may not replace them.
bool isProtocolParameter(const QString &name)
{
    static const char *const reserved[]
        = {"response_type",         "client_id", "redirect_uri", "scope",         "state",        "code_challenge",
           "code_challenge_method", "nonce",     "login_hint",   "code_verifier", "client_secret"};
    for (const char *r : reserved) {
        if (name == QLatin1String(r))
            return true;
    }
    return false;
}

// Qt NetworkAuth logs the whole authorization URL (state, nonce, PKCE challenge) at debug
// level ("qt.networkauth.oauth2: Generated URL: ..."), which anyone can switch on with
// QT_LOGGING_RULES. A category filter keeps debug and info output of qt.networkauth* off,
// whatever the rules say; warnings stay. Installed once, chained to the previous filter.
QLoggingCategory::CategoryFilter g_previousFilter = nullptr;

void networkAuthLogFilter(QLoggingCategory *category)
{
    if (g_previousFilter)
        g_previousFilter(category);
    if (qstrncmp(category->categoryName(), "qt.networkauth", 14) == 0) {
        category->setEnabled(QtDebugMsg, false);
        category->setEnabled(QtInfoMsg, false);
    }
}

void silenceNetworkAuthDebugLog()
{
    static const bool installed = [] {
        g_previousFilter = QLoggingCategory::installFilter(networkAuthLogFilter);
        return true;
    }();
    Q_UNUSED(installed)
}

} // namespace

const char *const ConnectSession::ExpiredMessage
    = QT_TRANSLATE_NOOP("mailkey::ConnectSession", "This sign-in took too long and has expired. Please connect again.");

ConnectSession::ConnectSession(const Provider &provider, std::shared_ptr<ConnectionStore> store,
                               QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent), m_provider(provider), m_store(std::move(store)), m_nam(nam)
{
    silenceNetworkAuthDebugLog();
    m_expiryTimer.setSingleShot(false);
    connect(&m_expiryTimer, &QTimer::timeout, this, &ConnectSession::checkExpiry);
    m_probeTimer.setSingleShot(true);
    connect(&m_probeTimer, &QTimer::timeout, this, &ConnectSession::probeSignInPage);
    m_tokenTimer.setSingleShot(true);
    connect(&m_tokenTimer, &QTimer::timeout, this, [this] {
        if (m_phase != Phase::ExchangingCode)
            return;
        fail(
            Error(ErrorCode::Network,
                  tr("%1 did not answer the token request in time. Please connect again.").arg(m_provider.displayName)),
            QStringLiteral("the token request timed out"));
    });
}

ConnectSession::~ConnectSession()
{
    teardown();
}

void ConnectSession::setOptions(const Options &options)
{
    m_options = options;
    m_options.expirySeconds = qMax(1, m_options.expirySeconds);
    m_options.expiryCheckMs = qMax(1, m_options.expiryCheckMs);
    m_options.tokenTimeoutMs = qMax(1, m_options.tokenTimeoutMs);
}

void ConnectSession::setClock(const Clock *clock)
{
    m_clock = clock;
}

void ConnectSession::setPreflightError(const Error &error)
{
    m_preflightError = error;
}

QDateTime ConnectSession::now() const
{
    return (m_clock ? m_clock : Clock::system())->now();
}

bool ConnectSession::isFinished() const
{
    return m_phase == Phase::Succeeded || m_phase == Phase::Failed || m_phase == Phase::Cancelled;
}

QString ConnectSession::redirectUri() const
{
    return m_handler ? m_handler->callback() : QString();
}

quint16 ConnectSession::listenPort() const
{
    return m_handler ? m_handler->port() : 0;
}

bool ConnectSession::isListening() const
{
    return m_handler && m_handler->isListening();
}

QString ConnectSession::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Idle:
        return QStringLiteral("idle");
    case Phase::Discovering:
        return QStringLiteral("discovering");
    case Phase::WaitingForBrowser:
        return QStringLiteral("waiting for the browser");
    case Phase::WaitingForDevice:
        return QStringLiteral("waiting for the sign-in on another device");
    case Phase::ExchangingCode:
        return QStringLiteral("exchanging the code");
    case Phase::FetchingProfile:
        return QStringLiteral("fetching the profile");
    case Phase::Storing:
        return QStringLiteral("storing");
    case Phase::Succeeded:
        return QStringLiteral("succeeded");
    case Phase::Failed:
        return QStringLiteral("failed");
    case Phase::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QString();
}

QString ConnectSession::rejectReasonText(LoopbackReplyHandler::RejectReason reason)
{
    using R = LoopbackReplyHandler::RejectReason;
    switch (reason) {
    case R::MissingState:
        return QStringLiteral("the callback had no state");
    case R::WrongState:
        return QStringLiteral("the callback's state did not match this sign-in");
    case R::ReusedState:
        return QStringLiteral("the callback's state was already used");
    case R::WrongIssuer:
        return QStringLiteral("the callback came from another issuer (RFC 9207 iss)");
    case R::MissingIssuer:
        return QStringLiteral("the callback had no issuer (RFC 9207 iss) although the provider sends one");
    case R::Expired:
        return QStringLiteral("the callback came after the sign-in had expired");
    case R::MalformedCallback:
        return QStringLiteral("the callback had neither a code nor an error");
    }
    return QStringLiteral("the callback was not valid");
}

void ConnectSession::setPhase(Phase phase)
{
    if (m_phase == phase)
        return;
    m_phase = phase;
    Q_EMIT phaseChanged(phase);
}

void ConnectSession::audit(const QString &action, const QString &outcome, const QString &detail, qint64 accountId,
                           const QString &email)
{
    if (!m_store)
        return;
    AuditEntry e;
    e.at = now();
    e.accountId = accountId;
    e.accountEmail = email;
    e.action = action;
    e.outcome = outcome;
    e.detail = detail; // the store redacts it before storing
    e.actor = QStringLiteral("mailkey");
    m_store->audit(e);
}

// --- start -------------------------------------------------------------------------------------

void ConnectSession::start()
{
    if (m_started || isFinished())
        return;
    m_started = true;

    if (m_preflightError) {
        audit(QStringLiteral("connect.started"), QStringLiteral("ok"),
              QStringLiteral("provider %1").arg(m_provider.id));
        fail(*m_preflightError);
        return;
    }
    if (!m_store) {
        fail(Error(ErrorCode::Internal, tr("The vault is not open, so MailKey cannot store a new account. Unlock the "
                                           "vault first, then connect again.")));
        return;
    }
    if (!m_provider.isValid()) {
        fail(Error(ErrorCode::NotFound, tr("This provider is not known to MailKey.")));
        return;
    }
    const bool device = m_options.method == Method::DeviceCode;
    audit(
        QStringLiteral("connect.started"), QStringLiteral("ok"),
        QStringLiteral("provider %1%2%3")
            .arg(m_provider.id,
                 m_options.loginHint.isEmpty() ? QString() : QStringLiteral(", login hint %1").arg(m_options.loginHint),
                 device ? QStringLiteral(", sign-in on another device") : QString()));
    if (m_provider.clientId.isEmpty()) {
        fail(ProviderRegistry::missingClientIdError(m_provider), QStringLiteral("no client id is set"));
        return;
    }
    if (device) {
        if (const std::optional<Error> why = DeviceAuthorization::unavailableReason(m_provider)) {
            fail(*why, QStringLiteral("the provider cannot sign in on another device"));
            return;
        }
    }
    if (m_provider.needsDiscovery) {
        setPhase(Phase::Discovering);
        auto *discovery = new OidcDiscovery(m_nam, this);
        m_discovery = discovery;
        connect(discovery, &OidcDiscovery::finished, this, [this](const Provider &p) {
            if (m_phase != Phase::Discovering)
                return;
            m_provider = p;
            m_provider.needsDiscovery = false;
            Q_EMIT providerDiscovered(m_provider);
            if (m_phase == Phase::Discovering)
                beginAuthorization();
        });
        connect(discovery, &OidcDiscovery::failed, this, [this](const Error &error) {
            if (m_phase == Phase::Discovering)
                fail(error, QStringLiteral("OpenID discovery failed: ") + error.message);
        });
        discovery->start(m_provider);
        return;
    }
    beginAuthorization();
}

void ConnectSession::beginAuthorization()
{
    if (m_options.method == Method::DeviceCode) {
        beginDeviceAuthorization();
        return;
    }
    if (m_provider.authorizationEndpoint.isEmpty() || m_provider.tokenEndpoint.isEmpty()) {
        fail(Error(ErrorCode::Config, tr("The provider \"%1\" has no authorization or token endpoint. Check its "
                                         "settings in providers.json.")
                                          .arg(m_provider.displayName)));
        return;
    }

    // The listener: loopback only, a fresh ephemeral port for this attempt.
    auto *handler = new LoopbackReplyHandler(m_provider.redirectHost, m_provider.redirectPath, this);
    m_handler = handler;
    if (!handler->listen()) {
        fail(Error(ErrorCode::Internal, tr("MailKey could not open a local port to receive the answer of the sign-in "
                                           "page. Check that the redirect host and path of \"%1\" are valid and "
                                           "that local connections are allowed, then connect again.")
                                            .arg(m_provider.displayName)),
             QStringLiteral("could not listen on a loopback port"));
        return;
    }

    // This attempt's secrets: state (256 bits, OS CSPRNG), PKCE S256, and a nonce for OIDC.
    m_state = OAuthState::generate();
    PkcePair pkce = Pkce::generate();
    m_verifier = std::move(pkce.verifier);
    m_challenge = pkce.challenge;
    const bool oidc = m_provider.scopes.contains(QStringLiteral("openid"));
    if (oidc)
        m_nonce = OAuthState::generateNonce();

    handler->setExpectedState(m_state.bytes());
    handler->setExpectedIssuer(m_provider.issuer, m_provider.issRequired);
    m_deadline = now().addSecs(m_options.expirySeconds);
    handler->setDeadline(m_deadline, m_clock);

    // Our slot first: it runs before the flow's own callbackReceived slot (connected in grant()),
    // so a callback refused here never reaches the flow.
    connect(handler, &QAbstractOAuthReplyHandler::callbackReceived, this, &ConnectSession::onCallbackReceived);
    connect(handler, &LoopbackReplyHandler::callbackRejected, this, &ConnectSession::onCallbackRejected);
    connect(handler, &LoopbackReplyHandler::callbackError, this, &ConnectSession::onCallbackError);
    connect(handler, &LoopbackReplyHandler::tokenReplyReceived, this, &ConnectSession::onTokenReply);

    auto *flow = new QOAuth2AuthorizationCodeFlow(m_nam, this);
    m_flow = flow;
    flow->setAuthorizationUrl(m_provider.authorizationEndpoint);
#if QT_VERSION >= QT_VERSION_CHECK(6, 9, 0)
    flow->setTokenUrl(m_provider.tokenEndpoint);
#else
    flow->setAccessTokenUrl(m_provider.tokenEndpoint);
#endif
    flow->setClientIdentifier(m_provider.clientId);
    // The client secret is not given to Qt (6.4 sends it unencoded, and on refresh even empty):
    // it is added below, encoded, only to the token request.
    flow->setReplyHandler(handler);
    // Our state, never Qt's (6.4: 8 characters from a clock-seeded mt19937, CVE-2024-36048). Qt
    // keeps comparing it in its own callback slot, which only runs after the listener checked it
    // in constant time.
    flow->setState(QString::fromLatin1(m_state.bytes()));
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    // Qt 6.8 added PKCE (S256 by default): turn it off so the challenge and verifier are ours,
    // the same on every version, and never sent twice.
    flow->setPkceMethod(QOAuth2AuthorizationCodeFlow::PkceMethod::None);
#endif
#if QT_VERSION >= QT_VERSION_CHECK(6, 9, 0)
    // Qt 6.9 adds its own nonce for "openid": ours is sent instead.
    flow->setNonceMode(QAbstractOAuth2::NonceMode::Disabled);
#endif

    // PKCE, scope, nonce, login_hint and the provider's extra parameters, on every Qt version.
    // Each value is removed first, so nothing is ever sent twice whatever the Qt version adds.
    flow->setModifyParametersFunction([this](QAbstractOAuth::Stage stage, QMultiMap<QString, QVariant> *params) {
        if (stage == QAbstractOAuth::Stage::RequestingAuthorization) {
            // The sign-in scopes plus the other resources' scopes to consent to now
            // (Microsoft: Outlook IMAP/SMTP), so later token requests for them are allowed.
            replaceParameter(params, "scope", encoded(m_provider.authorizationScopes().join(QLatin1Char(' '))));
            replaceParameter(params, "state", encoded(m_state.bytes()));
            replaceParameter(params, "code_challenge", encoded(m_challenge));
            replaceParameter(params, "code_challenge_method", QString::fromLatin1(Pkce::kMethod));
            params->remove(QStringLiteral("code_verifier"));
            params->remove(QStringLiteral("nonce"));
            if (!m_nonce.isEmpty())
                params->insert(QStringLiteral("nonce"), encoded(m_nonce.bytes()));
            params->remove(QStringLiteral("login_hint"));
            if (!m_options.loginHint.isEmpty())
                params->insert(QStringLiteral("login_hint"), encoded(m_options.loginHint));
            for (const auto &extra : std::as_const(m_provider.extraAuthorizationParameters)) {
                if (isProtocolParameter(extra.first))
                    continue;
                params->remove(extra.first);
                params->insert(extra.first, encoded(extra.second));
            }
            requireConsentForOfflineAccess(m_provider, params);
        } else if (stage == QAbstractOAuth::Stage::RequestingAccessToken) {
            replaceParameter(params, "code_verifier", encoded(m_verifier.bytes()));
            // Qt 6.4 sends no scope here; the token would then be for everything the
            // authorization request asked for, which spans two resources with consent
            // scopes and Microsoft refuses (one resource per token request). So the code is
            // redeemed for the sign-in scopes alone: always for Microsoft (its v2.0 token
            // endpoint expects it), else only when consent scopes were added above.
            params->remove(QStringLiteral("scope"));
            if (m_provider.kind == Provider::Kind::Microsoft || m_provider.authorizationScopes() != m_provider.scopes)
                params->insert(QStringLiteral("scope"), encoded(m_provider.scopes.join(QLatin1Char(' '))));
            params->remove(QStringLiteral("client_secret"));
            if (!m_provider.clientSecret.isEmpty())
                params->insert(QStringLiteral("client_secret"), encoded(m_provider.clientSecret));
        }
    });
    connect(flow, &QAbstractOAuth::authorizeWithBrowser, this, &ConnectSession::onAuthorizeWithBrowser);

    setPhase(Phase::WaitingForBrowser);
    qCInfo(lcConnect, "sign-in with provider \"%s\" started; listening on loopback port %u", qPrintable(m_provider.id),
           unsigned(handler->port()));
    m_expiryTimer.start(m_options.expiryCheckMs);
    flow->grant();
    if (m_phase == Phase::WaitingForBrowser && m_authorizationUrl.isEmpty()) {
        fail(Error(ErrorCode::Internal, tr("MailKey could not build the sign-in address for \"%1\". Check the "
                                           "provider settings.")
                                            .arg(m_provider.displayName)));
    }
}

void ConnectSession::beginDeviceAuthorization()
{
    // After discovery: the endpoint may have come with it, or not at all.
    if (const std::optional<Error> why = DeviceAuthorization::unavailableReason(m_provider)) {
        fail(*why, QStringLiteral("the provider has no device authorization endpoint"));
        return;
    }
    if (m_provider.tokenEndpoint.isEmpty()) {
        fail(Error(ErrorCode::Config, tr("The provider \"%1\" has no token endpoint. Check its settings in "
                                         "providers.json.")
                                          .arg(m_provider.displayName)));
        return;
    }
    auto *device = new DeviceAuthorization(m_nam, this);
    m_device = device;
    device->setClock(m_clock);
    device->setOptions(m_options.device);
    connect(device, &DeviceAuthorization::promptReady, this, [this](const DeviceCodePrompt &prompt) {
        if (m_phase != Phase::WaitingForDevice)
            return;
        m_deadline = prompt.expiresAt;
        audit(QStringLiteral("device.code_issued"), QStringLiteral("ok"),
              QStringLiteral("enter the code at %1; valid until %2; polling every %3 s")
                  .arg(prompt.verificationUri.toString(QUrl::RemoveQuery | QUrl::RemoveFragment),
                       prompt.expiresAt.toString(Qt::ISODate))
                  .arg(prompt.intervalSeconds));
        Q_EMIT deviceCodeReady(prompt);
    });
    connect(device, &DeviceAuthorization::tokensReady, this, [this] {
        if (m_phase != Phase::WaitingForDevice || !m_device)
            return;
        setPhase(Phase::ExchangingCode);
        onTokens(m_device->takeTokens());
    });
    connect(device, &DeviceAuthorization::failed, this, [this](const Error &error, const QString &detail) {
        if (m_phase == Phase::WaitingForDevice)
            fail(error, detail);
    });
    setPhase(Phase::WaitingForDevice);
    qCInfo(lcConnect, "sign-in on another device with provider \"%s\" started", qPrintable(m_provider.id));
    // One resource per token request (Microsoft): the device code is for the sign-in scopes; the
    // token request of the device flow takes no scope of its own.
    device->start({m_provider.deviceAuthorizationEndpoint, m_provider.tokenEndpoint},
                  {m_provider.clientId, m_provider.clientSecret}, m_provider.scopes);
}

void ConnectSession::onAuthorizeWithBrowser(const QUrl &url)
{
    if (m_phase != Phase::WaitingForBrowser)
        return;
    m_authorizationUrl = url;
    Q_EMIT authorizationUrlReady(url);
    if (m_phase != Phase::WaitingForBrowser)
        return;
    probeSignInPage();
    if (!m_options.openBrowser)
        return;
    if (!m_options.urlOpener || !m_options.urlOpener(url))
        qCInfo(lcConnect, "no browser could be opened; the sign-in address is offered to copy");
}

namespace {
constexpr int ProbeTimeoutMs = 8000;
constexpr int ProbeRetryMs = 5000;
} // namespace

// Whether the browser can reach the sign-in page: a HEAD of the authorization endpoint without the
// request's parameters (nothing of the attempt is sent). A provider that cannot be reached would
// otherwise leave the panel waiting until the attempt expires while the browser shows an error.
void ConnectSession::probeSignInPage()
{
    if (m_phase != Phase::WaitingForBrowser || m_probe || !m_nam)
        return;
    QUrl page = m_provider.authorizationEndpoint;
    page.setQuery(QString());
    page.setFragment(QString());
    QNetworkRequest request(page);
    request.setTransferTimeout(ProbeTimeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    m_probe = m_nam->head(request);
    connect(m_probe, &QNetworkReply::finished, this, [this, reply = m_probe.data(), host = page.host()] {
        reply->deleteLater();
        if (m_phase != Phase::WaitingForBrowser)
            return;
        const QNetworkReply::NetworkError error = reply->error();
        const bool answered = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid();
        const bool unreachable = !answered && error != QNetworkReply::NoError;
        if (unreachable) {
            QString why;
            switch (error) {
            case QNetworkReply::ConnectionRefusedError:
                why = tr("the connection was refused");
                break;
            case QNetworkReply::HostNotFoundError:
                why = tr("the name %1 was not found").arg(host);
                break;
            case QNetworkReply::TimeoutError:
            case QNetworkReply::OperationCanceledError:
                why = tr("it did not answer");
                break;
            case QNetworkReply::SslHandshakeFailedError:
                why = tr("its certificate is not trusted");
                break;
            default:
                why = tr("the connection failed");
                break;
            }
            qCInfo(lcConnect, "the sign-in page's server cannot be reached (network error %d)", int(error));
            if (!m_unreachable) {
                m_unreachable = true;
                Q_EMIT providerUnreachable(
                    Error(ErrorCode::Network,
                          tr("MailKey cannot reach %1, the sign-in page of %2: %3. The browser cannot show the sign-in "
                             "page either. Check your internet connection (and the provider's address, for a custom "
                             "provider); MailKey keeps trying, or cancel and try again later.")
                              .arg(host, m_provider.displayName, why)));
            }
        } else if (m_unreachable) {
            m_unreachable = false;
            qCInfo(lcConnect, "the sign-in page's server answers again");
            Q_EMIT providerReachable();
        }
        if (unreachable)
            m_probeTimer.start(ProbeRetryMs); // until it answers; once it does, no more probes
    });
}

// --- the callback ------------------------------------------------------------------------------

void ConnectSession::onCallbackReceived(const QVariantMap &values)
{
    if (m_phase != Phase::WaitingForBrowser)
        return;
    // RFC 9207 for Microsoft's multi-tenant endpoints: the handler cannot know the tenant in
    // advance (issuer empty), the provider can tell whether an `iss` belongs to it.
    const QString iss = values.value(QStringLiteral("iss")).toString();
    if (!iss.isEmpty() && m_provider.issuer.isEmpty() && !m_provider.acceptsIssuer(iss)) {
        if (m_flow)
            QObject::disconnect(m_handler, &QAbstractOAuthReplyHandler::callbackReceived, m_flow,
                                nullptr); // the flow must not redeem this code
        Q_EMIT rejectedCallback(LoopbackReplyHandler::RejectReason::WrongIssuer);
        audit(QStringLiteral("callback.rejected"), QStringLiteral("rejected"),
              rejectReasonText(LoopbackReplyHandler::RejectReason::WrongIssuer));
        fail(Error(ErrorCode::Provider, tr("The sign-in answer did not come from %1, so MailKey did not use it. "
                                           "Please connect again.")
                                            .arg(m_provider.displayName)),
             QStringLiteral("wrong issuer"));
        return;
    }
    m_expiryTimer.stop();
    audit(QStringLiteral("callback.accepted"), QStringLiteral("ok"),
          QStringLiteral("authorization code received on port %1").arg(listenPort()));
    setPhase(Phase::ExchangingCode);
    m_tokenTimer.start(m_options.tokenTimeoutMs);
    // The flow's own slot runs next and posts the token request (code_verifier added by the
    // modify-parameters function).
}

void ConnectSession::onCallbackRejected(LoopbackReplyHandler::RejectReason reason)
{
    using R = LoopbackReplyHandler::RejectReason;
    if (isFinished())
        return;
    Q_EMIT rejectedCallback(reason);
    if (isFinished())
        return;
    // Bounded, so a flood of forged requests cannot flood the audit log.
    if (m_rejectedAudits < 20) {
        ++m_rejectedAudits;
        audit(QStringLiteral("callback.rejected"), QStringLiteral("rejected"), rejectReasonText(reason));
    }
    switch (reason) {
    case R::Expired:
        fail(Error(ErrorCode::Expired, tr(ExpiredMessage)), QStringLiteral("the sign-in expired"));
        break;
    case R::WrongIssuer:
    case R::MissingIssuer:
        fail(Error(ErrorCode::Provider, tr("The sign-in answer did not come from %1, so MailKey did not use it. "
                                           "Please connect again.")
                                            .arg(m_provider.displayName)),
             rejectReasonText(reason));
        break;
    case R::MissingState:
    case R::WrongState:
    case R::ReusedState:
    case R::MalformedCallback:
        // Not for this attempt (or forged): keep waiting for the real answer.
        qCInfo(lcConnect, "a request to the sign-in listener was refused; still waiting");
        break;
    }
}

void ConnectSession::onCallbackError(const QString &error, const QString &description)
{
    if (m_phase != Phase::WaitingForBrowser)
        return;
    const OAuthError e = OAuthErrorCatalog::fromAuthorizationResponse(error, description);
    audit(QStringLiteral("callback.accepted"), QStringLiteral("error"),
          QStringLiteral("the provider answered with the error \"%1\"").arg(e.error));
    fail(OAuthErrorCatalog::toError(e), QStringLiteral("sign-in refused by the provider: ") + e.userMessage);
}

// --- tokens ------------------------------------------------------------------------------------

void ConnectSession::onTokenReply(int httpStatus, const QByteArray &contentType, const QByteArray &body,
                                  const QByteArray &retryAfter, QNetworkReply::NetworkError error)
{
    Q_UNUSED(retryAfter)
    if (m_phase != Phase::ExchangingCode)
        return;
    m_tokenTimer.stop();
    // A reply without an HTTP status (error set, status 0) is a network failure, which
    // parseTokenReply reports as Transient.
    Q_UNUSED(error)
    const int status = httpStatus;
    TokenReplyResult result = parseTokenReply(status, contentType, body, now(), m_provider.scopes);
    if (!result) {
        const OAuthError &e = result.oauthError();
        Error err = result.error();
        if (e.kind == OAuthErrorKind::Transient) {
            // The catalogue's "MailKey will try again later" is for refreshes; a code is
            // single-use, so a sign-in has to start again.
            err = Error(ErrorCode::Network,
                        tr("%1 could not be reached or is unavailable right now%2, so the "
                           "sign-in could not be completed. Please connect again in a few "
                           "minutes.")
                            .arg(m_provider.displayName, status > 0 ? tr(" (HTTP %1)").arg(status) : QString()));
        }
        qCInfo(lcConnect, "the token request of provider \"%s\" failed (HTTP %d)", qPrintable(m_provider.id), status);
        fail(err, QStringLiteral("token request failed: ") + err.message);
        return;
    }
    // The code is redeemed; the verifier, state and the flow have served their purpose.
    m_verifier.clear();
    m_state.clear();
    onTokens(std::move(result.tokens()));
}

// The tokens of either method: from here on a device sign-in is a browser sign-in.
void ConnectSession::onTokens(TokenSet tokens)
{
    m_tokens = std::move(tokens);
    audit(QStringLiteral("tokens.issued"), QStringLiteral("ok"),
          QStringLiteral("scopes: %1; access token valid for %2 s; refresh token: %3")
              .arg(m_tokens.scopes.join(QLatin1Char(' ')))
              .arg(m_tokens.expiresIn)
              .arg(m_tokens.refreshToken.isEmpty() ? QStringLiteral("no") : QStringLiteral("yes")));

    setPhase(Phase::FetchingProfile);
    auto *fetcher = new ProfileFetcher(m_nam, this);
    m_profile = fetcher;
    fetcher->setClock(m_clock);
    fetcher->setRetryPolicy(m_options.profileRetry);
    connect(fetcher, &ProfileFetcher::finished, this, &ConnectSession::onProfile);
    connect(fetcher, &ProfileFetcher::failed, this, [this](const Error &e) {
        if (m_phase == Phase::FetchingProfile)
            fail(e, QStringLiteral("account profile not received: ") + e.message);
    });
    fetcher->start(m_provider, m_tokens.accessToken, m_tokens.idToken, m_nonce.bytes());
}

// --- store -------------------------------------------------------------------------------------

void ConnectSession::onProfile(const AccountInfo &profile)
{
    if (m_phase != Phase::FetchingProfile)
        return;
    setPhase(Phase::Storing);
    AccountInfo info = profile;
    info.provider = m_provider.id;
    info.email = info.email.trimmed();

    TokenRecord record;
    record.resource = QString::fromLatin1(DefaultResource);
    record.accessToken = std::move(m_tokens.accessToken);
    record.refreshToken = std::move(m_tokens.refreshToken);
    record.expiresAt = m_tokens.expiresAt;
    record.issuedAt = now();
    record.scopes = m_tokens.scopes;
    const QDateTime at = now();
    Result<ConnectionStore::Saved> saved = m_store->save(info, record, at);
    m_tokens.wipe(); // the ID token and the rest; the record wipes its own tokens
    if (!saved) {
        fail(saved.error(), QStringLiteral("the account could not be stored: ") + saved.error().message);
        return;
    }
    const Account account = saved->account;
    const bool created = saved->created;
    audit(created ? QStringLiteral("account.added") : QStringLiteral("account.updated"), QStringLiteral("ok"),
          created ? QStringLiteral("connected with %1").arg(m_provider.displayName)
                  : QStringLiteral("already connected; sign-in renewed"),
          account.id, account.email);
    const QString message = created ? tr("%1 is now connected (%2).").arg(account.email, m_provider.displayName)
                                    : tr("%1 is already connected; sign-in renewed.").arg(account.email);
    qCInfo(lcConnect, "sign-in with provider \"%s\" completed (%s)", qPrintable(m_provider.id),
           created ? "new account" : "existing account renewed");
    setPhase(Phase::Succeeded);
    teardown();
    Q_EMIT succeeded(account, created, message);
    Q_EMIT finished();
}

// --- endings -----------------------------------------------------------------------------------

void ConnectSession::checkExpiry()
{
    if (m_phase != Phase::WaitingForBrowser) {
        m_expiryTimer.stop();
        return;
    }
    if (m_deadline.isValid() && now() > m_deadline) {
        if (m_handler)
            m_handler->close(); // a late callback finds nobody listening
        fail(Error(ErrorCode::Expired, tr(ExpiredMessage)), QStringLiteral("the sign-in expired"));
    }
}

void ConnectSession::cancel()
{
    if (isFinished())
        return;
    const bool wasStarted = m_started;
    setPhase(Phase::Cancelled);
    teardown();
    if (wasStarted)
        audit(QStringLiteral("connect.cancelled"), QStringLiteral("cancelled"),
              QStringLiteral("provider %1").arg(m_provider.id));
    qCInfo(lcConnect, "sign-in with provider \"%s\" cancelled", qPrintable(m_provider.id));
    Q_EMIT cancelled();
    Q_EMIT finished();
}

void ConnectSession::fail(const Error &error, const QString &auditDetail)
{
    if (isFinished())
        return;
    setPhase(Phase::Failed);
    teardown();
    audit(QStringLiteral("connect.failed"), QStringLiteral("failed"),
          QStringLiteral("provider %1: %2").arg(m_provider.id, auditDetail.isEmpty() ? error.message : auditDetail));
    qCInfo(lcConnect, "sign-in with provider \"%s\" failed", qPrintable(m_provider.id));
    Q_EMIT failed(error);
    Q_EMIT finished();
}

void ConnectSession::teardown()
{
    m_expiryTimer.stop();
    m_tokenTimer.stop();
    m_probeTimer.stop();
    dropReply(m_probe, this);
    if (m_handler) {
        m_handler->close();
        m_handler->disconnect(this);
        if (m_flow)
            m_handler->disconnect(m_flow);
        m_handler->setExpectedState({});
    }
    if (m_discovery) {
        m_discovery->disconnect(this);
        m_discovery->cancel();
    }
    if (m_profile) {
        m_profile->disconnect(this);
        m_profile->cancel();
    }
    if (m_device) {
        m_device->disconnect(this);
        m_device->cancel();
    }
    if (m_flow) {
        m_flow->disconnect(this);
        // The flow keeps a copy of our state; drop it.
        m_flow->setState(QString());
        m_flow->setModifyParametersFunction({});
    }
    m_state.clear();
    m_verifier.clear();
    m_nonce.clear();
    m_tokens.wipe();
}

} // namespace mailkey
