#include "core/oauth/DeviceAuthorization.h"

#include "core/common/Clock.h"
#include "core/common/NetworkReplies.h"
#include "core/oauth/OAuthErrorCatalog.h"
#include "core/providers/Provider.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <algorithm>
#include <cmath>

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcDevice, "mailkey.device")

struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::DeviceAuthorization)
};

constexpr int kMaxDeviceCodeChars = 4096;
constexpr int kMaxUserCodeChars = 64;

bool isError(const QString &error, const char *code)
{
    return error.compare(QLatin1String(code), Qt::CaseInsensitive) == 0;
}

Error malformedReply(const QString &detail)
{
    return Error(ErrorCode::Provider,
                 Text::tr("The sign-in server sent a reply MailKey cannot use to start a sign-in on another "
                          "device (%1). Try again; if it keeps happening, check the device authorization "
                          "address in the provider settings.")
                     .arg(detail));
}

Error unreachable(int httpStatus)
{
    return Error(ErrorCode::Network, httpStatus > 0
                                         ? Text::tr("The sign-in service is unavailable right now (HTTP %1), so the "
                                                    "sign-in on another device could not be completed. Start again "
                                                    "in a few minutes.")
                                               .arg(httpStatus)
                                         : Text::tr("The sign-in service could not be reached, so the sign-in on "
                                                    "another device could not be completed. Check the network "
                                                    "connection and start again."));
}

// An error reply of either endpoint (RFC 8628 uses the token endpoint's format for both),
// described for the device flow. Microsoft names a declined sign-in authorization_declined
// (RFC 8628: access_denied); either is the user's choice, whatever AADSTS number comes with it.
Error deviceError(OAuthError e)
{
    const bool declined = isError(e.error, "access_denied") || isError(e.error, "authorization_declined");
    if (declined)
        e.error = QStringLiteral("access_denied");
    if (!e.error.isEmpty())
        OAuthErrorCatalog::describe(e, OAuthErrorCatalog::Endpoint::Device);
    if (e.kind == OAuthErrorKind::Transient)
        return unreachable(e.httpStatus);
    Error error = OAuthErrorCatalog::toError(e);
    if (declined)
        error.code = ErrorCode::Cancelled;
    if (isError(e.error, "expired_token"))
        error.code = ErrorCode::Expired;
    return error;
}

// expires_in as a whole number of seconds (a number, or a numeric string as older Microsoft
// endpoints sent); 0 when it is neither.
qint64 wholeSeconds(const QJsonValue &v)
{
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (std::isfinite(d) && d >= 1 && d <= 1e9 && d == std::floor(d))
            return qint64(d);
        return 0;
    }
    if (v.isString()) {
        bool ok = false;
        const qint64 n = v.toString().trimmed().toLongLong(&ok);
        return ok && n >= 1 && n <= 1000000000 ? n : 0;
    }
    return 0;
}

} // namespace

DeviceAuthorization::DeviceAuthorization(QNetworkAccessManager *nam, QObject *parent)
    : QObject(parent), m_nam(nam), m_client(nam)
{
    qRegisterMetaType<mailkey::DeviceCodePrompt>();
    m_pollTimer.setSingleShot(true);
    connect(&m_pollTimer, &QTimer::timeout, this, &DeviceAuthorization::poll);
}

DeviceAuthorization::~DeviceAuthorization()
{
    stop();
}

void DeviceAuthorization::setOptions(const Options &options)
{
    m_options = options;
    m_options.maxIntervalSeconds = qBound(1, m_options.maxIntervalSeconds, 600);
    if (!(m_options.intervalScale > 0))
        m_options.intervalScale = 1.0;
    m_options.requestTimeoutMs = qMax(1, m_options.requestTimeoutMs);
    m_options.maxTransientFailures = qMax(0, m_options.maxTransientFailures);
}

void DeviceAuthorization::setClock(const Clock *clock)
{
    m_clock = clock;
}

QDateTime DeviceAuthorization::now() const
{
    return (m_clock ? m_clock : Clock::system())->now();
}

TokenSet DeviceAuthorization::takeTokens()
{
    TokenSet t = std::move(m_tokens);
    m_tokens = TokenSet();
    return t;
}

std::optional<Error> DeviceAuthorization::unavailableReason(const Provider &provider)
{
    if (provider.kind == Provider::Kind::Google) {
        // developers.google.com/identity/protocols/oauth2/limited-input-device#allowedscopes:
        // the device flow accepts only a short list of scopes (OpenID Connect, some Drive and
        // YouTube scopes); https://mail.google.com/ (IMAP, SMTP, the Gmail API) is not one of them.
        return Error(ErrorCode::Config,
                     Text::tr("Gmail cannot be connected by signing in on another device: Google's sign-in for "
                              "devices without a browser allows only a few permissions (basic profile, some "
                              "Drive and YouTube access), and mail access (https://mail.google.com/) is not "
                              "one of them. Connect the account with \"mailkey-cli connect google\" on a "
                              "computer with a browser, save it there with \"mailkey-cli export\", and bring "
                              "it here with \"mailkey-cli import\"."));
    }
    if (provider.deviceAuthorizationEndpoint.isEmpty() && !provider.needsDiscovery) {
        return Error(ErrorCode::Config,
                     Text::tr("The provider \"%1\" has no device authorization endpoint, so MailKey cannot "
                              "sign in to it on another device. If the provider supports the device "
                              "authorization grant (RFC 8628), add \"device_authorization_endpoint\" to its "
                              "entry in providers.json; otherwise connect it with a browser.")
                         .arg(provider.displayName));
    }
    return std::nullopt;
}

int DeviceAuthorization::clampInterval(const QJsonValue &value, int maxIntervalSeconds, QString *note)
{
    auto say = [note](const QString &why) {
        if (note)
            *note = why;
    };
    if (value.isUndefined() || value.isNull())
        return DefaultIntervalSeconds; // RFC 8628 3.2: absent means 5 s
    const qint64 n = wholeSeconds(value);
    if (n < 1) {
        say(QStringLiteral("the server's interval was not a positive whole number; polling every %1 s")
                .arg(DefaultIntervalSeconds));
        return DefaultIntervalSeconds;
    }
    if (n > maxIntervalSeconds) {
        say(QStringLiteral("the server's interval of %1 s is longer than %2 s; polling every %2 s")
                .arg(n)
                .arg(maxIntervalSeconds));
        return maxIntervalSeconds;
    }
    return int(n);
}

Result<DeviceAuthorizationReply> DeviceAuthorization::parseReply(int httpStatus, const QByteArray &contentType,
                                                                 const QByteArray &body, const QDateTime &now,
                                                                 int maxIntervalSeconds)
{
    if (body.size() > kMaxTokenReplySize)
        return malformedReply(QStringLiteral("the reply is larger than %1 bytes").arg(kMaxTokenReplySize));
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    const bool success = httpStatus >= 200 && httpStatus < 300;
    if (!success || (doc.isObject() && doc.object().contains(QLatin1String("error")))) {
        // The error format of the token endpoint (RFC 8628 3.2): the token reply parser reads it.
        TokenReplyResult r = parseTokenReply(httpStatus, contentType, body, now, {});
        if (r.ok()) {
            r.tokens().wipe();
            return malformedReply(QStringLiteral("tokens instead of a device code"));
        }
        return deviceError(r.oauthError());
    }
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return malformedReply(QStringLiteral("not a JSON object"));
    const QJsonObject obj = doc.object();

    DeviceAuthorizationReply reply;
    const QJsonValue deviceCode = obj.value(QLatin1String("device_code"));
    if (!deviceCode.isString() || deviceCode.toString().isEmpty() || deviceCode.toString().size() > kMaxDeviceCodeChars)
        return malformedReply(QStringLiteral("no usable device_code"));
    reply.deviceCode = SecretString(deviceCode.toString());

    const QString userCode = obj.value(QLatin1String("user_code")).toString();
    if (userCode.trimmed().isEmpty() || userCode.size() > kMaxUserCodeChars
        || std::any_of(userCode.cbegin(), userCode.cend(), [](QChar c) { return !c.isPrint(); }))
        return malformedReply(QStringLiteral("no usable user_code"));
    reply.prompt.userCode = userCode.trimmed();

    // RFC 8628 names it verification_uri; Google (and drafts before the RFC) verification_url.
    QJsonValue uri = obj.value(QLatin1String("verification_uri"));
    if (!uri.isString())
        uri = obj.value(QLatin1String("verification_url"));
    if (!uri.isString())
        return malformedReply(QStringLiteral("no verification_uri"));
    const QUrl verification(uri.toString(), QUrl::StrictMode);
    if (const QString why = Provider::endpointProblem(verification); !why.isEmpty())
        return malformedReply(QStringLiteral("the verification address %1").arg(why));
    reply.prompt.verificationUri = verification;

    // Optional; one that is not a safe address is left out rather than shown.
    const QJsonValue complete = obj.value(QLatin1String("verification_uri_complete"));
    if (complete.isString()) {
        const QUrl url(complete.toString(), QUrl::StrictMode);
        if (Provider::endpointProblem(url).isEmpty())
            reply.prompt.verificationUriComplete = url;
    }

    qint64 expiresIn = wholeSeconds(obj.value(QLatin1String("expires_in")));
    if (expiresIn < 1)
        expiresIn = DefaultExpiresInSeconds;
    reply.expiresInSeconds = int(qMin<qint64>(expiresIn, MaxExpiresInSeconds));
    reply.prompt.expiresAt = now.addSecs(reply.expiresInSeconds);
    reply.prompt.intervalSeconds
        = clampInterval(obj.value(QLatin1String("interval")), maxIntervalSeconds, &reply.intervalNote);
    return reply;
}

// --- the flow ----------------------------------------------------------------------------------

void DeviceAuthorization::start(const Endpoints &endpoints, const TokenEndpointClient::ClientCredentials &client,
                                const QStringList &scopes)
{
    stop();
    m_endpoints = endpoints;
    m_credentials = client;
    m_scopes = scopes;
    m_polls = 0;
    m_transientFailures = 0;
    m_prompt = DeviceCodePrompt();
    m_tokens.wipe();
    m_running = true;

    TokenEndpointClient::Request request;
    request.endpoint = endpoints.deviceAuthorization;
    request.client = client;
    request.transferTimeoutMs = m_options.requestTimeoutMs;
    if (!scopes.isEmpty())
        request.form.add("scope", scopes.join(QLatin1Char(' ')));
    m_reply = m_client.post(std::move(request), this,
                            [this](const TokenEndpointReply &reply) { onAuthorizationReply(reply); });
}

void DeviceAuthorization::onAuthorizationReply(const TokenEndpointReply &reply)
{
    m_reply = nullptr;
    if (!m_running)
        return;
    Result<DeviceAuthorizationReply> parsed
        = parseReply(reply.httpStatus, reply.contentType, reply.body, now(), m_options.maxIntervalSeconds);
    if (!parsed) {
        fail(parsed.error(), QStringLiteral("device authorization request failed (HTTP %1): %2")
                                 .arg(reply.httpStatus)
                                 .arg(parsed.error().message));
        return;
    }
    m_deviceCode = std::move(parsed->deviceCode);
    m_prompt = parsed->prompt;
    m_intervalSeconds = m_prompt.intervalSeconds;
    if (!parsed->intervalNote.isEmpty())
        qCInfo(lcDevice, "%s", qPrintable(parsed->intervalNote));
    qCInfo(lcDevice, "device code issued; valid for %d s, polling every %d s", parsed->expiresInSeconds,
           m_intervalSeconds);
    Q_EMIT promptReady(m_prompt);
    if (m_running)
        schedulePoll();
}

void DeviceAuthorization::schedulePoll()
{
    const double ms = double(m_intervalSeconds) * 1000.0 * m_options.intervalScale;
    m_pollTimer.start(int(qBound(1.0, ms, 24.0 * 3600 * 1000)));
}

Error DeviceAuthorization::expiredError() const
{
    OAuthError e;
    e.error = QStringLiteral("expired_token");
    return deviceError(e);
}

void DeviceAuthorization::poll()
{
    if (!m_running)
        return;
    if (m_prompt.expiresAt.isValid() && now() >= m_prompt.expiresAt) {
        fail(expiredError(), QStringLiteral("the device code expired before the sign-in was finished"));
        return;
    }
    ++m_polls;
    TokenEndpointClient::Request request;
    request.endpoint = m_endpoints.token;
    request.client = m_credentials;
    request.transferTimeoutMs = m_options.requestTimeoutMs;
    request.form.add("grant_type", QByteArray(GrantType));
    request.form.add("device_code", m_deviceCode);
    m_reply = m_client.post(std::move(request), this, [this](const TokenEndpointReply &reply) { onTokenReply(reply); });
}

void DeviceAuthorization::onTokenReply(const TokenEndpointReply &reply)
{
    m_reply = nullptr;
    if (!m_running)
        return;
    TokenReplyResult result = reply.parse(now(), m_scopes);
    if (result) {
        m_tokens = std::move(result.tokens());
        m_deviceCode.clear();
        stop();
        qCInfo(lcDevice, "the sign-in on the other device was completed after %d polls", m_polls);
        Q_EMIT tokensReady();
        return;
    }
    const OAuthError &e = result.oauthError();
    if (isError(e.error, "authorization_pending")) {
        m_transientFailures = 0;
        Q_EMIT pending(m_polls, m_intervalSeconds);
        if (m_running)
            schedulePoll();
        return;
    }
    if (isError(e.error, "slow_down")) {
        m_transientFailures = 0;
        // RFC 8628 3.5: this and every later request waits 5 s longer.
        m_intervalSeconds = qMin(m_intervalSeconds + SlowDownStepSeconds, m_options.maxIntervalSeconds + 60);
        qCInfo(lcDevice, "the server asked to slow down; polling every %d s", m_intervalSeconds);
        Q_EMIT pending(m_polls, m_intervalSeconds);
        if (m_running)
            schedulePoll();
        return;
    }
    if (e.kind == OAuthErrorKind::Transient && ++m_transientFailures <= m_options.maxTransientFailures) {
        qCInfo(lcDevice, "polling failed (HTTP %d); trying again", e.httpStatus);
        schedulePoll();
        return;
    }
    const Error error = deviceError(e);
    fail(error, QStringLiteral("the token endpoint answered %1 (HTTP %2)")
                    .arg(e.error.isEmpty() ? QStringLiteral("without an OAuth error") : e.error)
                    .arg(e.httpStatus));
}

void DeviceAuthorization::fail(const Error &error, const QString &detail)
{
    if (!m_running)
        return;
    stop();
    Q_EMIT failed(error, detail);
}

void DeviceAuthorization::cancel()
{
    stop();
}

void DeviceAuthorization::stop()
{
    m_running = false;
    m_pollTimer.stop();
    dropReply(m_reply, this);
    m_deviceCode.clear();
}

} // namespace mailkey
