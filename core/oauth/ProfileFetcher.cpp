#include "core/oauth/ProfileFetcher.h"

#include "core/common/Clock.h"
#include "core/common/MailAddress.h"
#include "core/common/NetworkReplies.h"
#include "core/common/Redactor.h"
#include "core/common/SecureBytes.h"
#include "core/common/TextSafety.h"
#include "core/oauth/TokenReply.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcProfile, "mailkey.profile")

bool isTransientStatus(int status)
{
    return status == 408 || status == 429 || status >= 500;
}

QString jsonString(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isString() ? v.toString().trimmed() : QString();
}

// The identity a provider described, checked before anything is stored or shown: the address must
// be one MailKey can use (MailAddress::isPlausible: no control, bidi or other format character, which
// would otherwise reach terminals and the vault); the subject and tenant, opaque identifiers that
// are compared later, must hold no such character either; the display name is only shown, so
// those characters are dropped from it.
Result<AccountInfo> checkedIdentity(AccountInfo info, const QString &providerName)
{
    info.email = info.email.trimmed();
    if (!MailAddress::isPlausible(info.email)) {
        QString shown = TextSafety::escaped(info.email.left(80), {});
        if (info.email.size() > 80)
            shown += QStringLiteral("... (%1 characters)").arg(info.email.size());
        return Error(
            ErrorCode::Provider,
            ProfileFetcher::tr("%1 gave the account's e-mail address as \"%2\", which is not a mailbox address "
                               "MailKey can use (at most 254 characters, a local part of at most 64, no control, "
                               "bidi or other invisible characters, no spaces, quotes or brackets). Nothing was "
                               "stored. Ask the provider's administrator to correct the address, then connect "
                               "again.")
                .arg(providerName, shown));
    }
    for (const QString *id : {&info.subject, &info.tenant}) {
        if (TextSafety::containsUnsafe(*id) || id->size() > 1024) {
            return Error(
                ErrorCode::Provider,
                ProfileFetcher::tr("%1 described the account with an identifier that holds control or invisible "
                                   "characters, so MailKey did not connect it. Nothing was stored. Please report "
                                   "this to the provider's administrator.")
                    .arg(providerName));
        }
    }
    info.displayName = TextSafety::replaced(info.displayName, {}).simplified();
    if (info.displayName.isEmpty())
        info.displayName = info.email;
    return info;
}

} // namespace

int RetryPolicy::backoffMs(int attempt) const
{
    const int exponent = std::clamp(attempt - 1, 0, 20);
    const qint64 delay = qint64(initialDelayMs) << exponent;
    return int(std::min<qint64>(delay, maxDelayMs));
}

RetryPolicy RetryPolicy::fast()
{
    RetryPolicy p;
    p.initialDelayMs = 10;
    p.maxDelayMs = 40;
    p.totalBudgetMs = 5000;
    p.requestTimeoutMs = 5000;
    return p;
}

ProfileFetcher::ProfileFetcher(QNetworkAccessManager *nam, QObject *parent) : QObject(parent), m_nam(nam)
{
    m_retryTimer.setSingleShot(true);
    m_requestTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ProfileFetcher::sendRequest);
    connect(&m_requestTimer, &QTimer::timeout, this, &ProfileFetcher::onRequestTimeout);
}

ProfileFetcher::~ProfileFetcher()
{
    cancel();
}

void ProfileFetcher::setClock(const Clock *clock)
{
    m_clock = clock;
}

void ProfileFetcher::setRetryPolicy(const RetryPolicy &policy)
{
    m_policy = policy;
    m_policy.maxAttempts = std::max(1, m_policy.maxAttempts);
}

QDateTime ProfileFetcher::now() const
{
    return (m_clock ? m_clock : Clock::system())->now();
}

void ProfileFetcher::start(const Provider &provider, const SecretString &accessToken, const SecretString &idToken,
                           const QByteArray &nonce)
{
    cancel();
    m_provider = provider;
    m_accessToken = accessToken.clone();
    m_attempts = 0;
    m_claims.reset();
    m_running = true;
    m_elapsed.start();

    // 1. The id_token, when there is one: checked before anything else, without network.
    if (!idToken.isEmpty()) {
        IdTokenExpectations expect;
        expect.issuer = provider.issuer;
        if (expect.issuer.isEmpty() && provider.kind == Provider::Kind::Microsoft)
            expect.issuer = QStringLiteral("https://") + provider.authorityHost + QStringLiteral("/{tenantid}/v2.0");
        expect.clientId = provider.clientId;
        expect.nonce = nonce;
        expect.now = now();
        IdTokenFailure why = IdTokenFailure::None;
        Result<IdTokenClaims> claims = IdToken::validate(idToken.reveal(), expect, &why);
        if (!claims) {
            qCWarning(lcProfile, "the id_token of the sign-in was refused (reason %d)", int(why));
            finishWith(Error(ErrorCode::Provider, tr("MailKey could not verify the sign-in answer of %1: %2")
                                                      .arg(provider.displayName, claims.error().message)));
            return;
        }
        // Microsoft multi-tenant: the tenant must belong to the configured audience
        // (`organizations` excludes personal accounts).
        if (provider.kind == Provider::Kind::Microsoft && provider.issuer.isEmpty()
            && !provider.acceptsIssuer(claims->issuer)) {
            finishWith(Error(ErrorCode::Provider, tr("This account belongs to a Microsoft tenant that the provider "
                                                     "settings do not allow (tenant \"%1\"). Sign in with another "
                                                     "account or change the tenant setting.")
                                                      .arg(provider.tenant)));
            return;
        }
        m_claims = claims.value();
    }

    // 2. Which endpoint to ask.
    if (provider.mailApi == Provider::MailApi::MicrosoftGraph)
        m_url = provider.profileEndpoint;
    else
        m_url = provider.profileEndpoint.isValid() ? provider.profileEndpoint : provider.userinfoEndpoint;

    if (!m_url.isValid() || m_url.isEmpty()) {
        if (m_claims) {
            AccountInfo info;
            info.provider = provider.id;
            info.email = m_claims->email;
            info.displayName = m_claims->name;
            info.subject = m_claims->subject;
            info.tenant = m_claims->tenantId;
            if (info.email.isEmpty()) {
                finishWith(Error(ErrorCode::Provider, tr("%1 did not tell MailKey the e-mail address of the account "
                                                         "(no \"email\" claim and no userinfo endpoint). Add the "
                                                         "\"email\" scope to the provider settings and connect again.")
                                                          .arg(provider.displayName)));
                return;
            }
            finishWith(info);
            return;
        }
        finishWith(Error(ErrorCode::Config, tr("MailKey cannot tell which mailbox this is: %1 has neither a "
                                               "userinfo endpoint nor sent an id_token. Add \"userinfo_endpoint\" "
                                               "or the \"openid\" scope to the provider settings.")
                                                .arg(provider.displayName)));
        return;
    }
    sendRequest();
}

void ProfileFetcher::cancel()
{
    m_retryTimer.stop();
    m_requestTimer.stop();
    dropReply(m_reply, this);
    m_running = false;
    wipe();
}

void ProfileFetcher::wipe()
{
    m_accessToken.clear();
}

void ProfileFetcher::sendRequest()
{
    if (!m_running)
        return;
    ++m_attempts;
    QNetworkReply *reply = m_nam->get(bearerJsonRequest(m_url, m_accessToken));
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onReplyFinished(reply); });
    m_requestTimer.start(std::max(1, m_policy.requestTimeoutMs));
}

void ProfileFetcher::onRequestTimeout()
{
    if (!m_reply)
        return;
    dropReply(m_reply, this);
    qCInfo(lcProfile, "profile request %d timed out", m_attempts);
    scheduleRetry({}, Error(ErrorCode::Network, tr("%1 did not answer in time when MailKey asked which mailbox this "
                                                   "is. Check the connection and connect again.")
                                                    .arg(m_provider.displayName)));
}

void ProfileFetcher::onReplyFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return;
    m_reply = nullptr;
    m_requestTimer.stop();

    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttr.isValid() ? statusAttr.toInt() : 0;
    if (status == 0) {
        qCInfo(lcProfile, "profile request %d failed without an HTTP answer (network error %d)", m_attempts,
               int(reply->error()));
        scheduleRetry(
            {}, Error(ErrorCode::Network, tr("MailKey could not reach %1 to find out which mailbox this is "
                                             "(%2). Check the connection and connect again.")
                                              .arg(m_provider.displayName, redact(reply->errorString()).left(200))));
        return;
    }
    if (reply->bytesAvailable() > MaxBodySize) {
        finishWith(Error(ErrorCode::Provider, tr("%1 sent an unexpectedly large answer for the account profile. "
                                                 "Please connect again later.")
                                                  .arg(m_provider.displayName)));
        return;
    }
    const QByteArray body = reply->readAll();
    if (status == 401) {
        finishWith(
            Error(ErrorCode::NeedsSignIn, tr("%1 did not accept the new sign-in when MailKey asked which mailbox "
                                             "it is (HTTP 401). Please connect again.")
                                              .arg(m_provider.displayName)));
        return;
    }
    if (status == 403) {
        finishWith(Error(ErrorCode::Provider, tr("%1 did not allow MailKey to read the account's profile (HTTP 403). "
                                                 "Make sure the permissions MailKey asks for (User.Read for "
                                                 "Microsoft, email and profile otherwise) are granted, then connect "
                                                 "again.")
                                                  .arg(m_provider.displayName)));
        return;
    }
    if (isTransientStatus(status)) {
        qCInfo(lcProfile, "profile request %d answered HTTP %d", m_attempts, status);
        scheduleRetry(reply->rawHeader("Retry-After"),
                      Error(ErrorCode::Network, tr("%1 is busy or unavailable (HTTP %2), so MailKey could not find "
                                                   "out which mailbox this is. Try connecting again in a few "
                                                   "minutes.")
                                                    .arg(m_provider.displayName, QString::number(status))));
        return;
    }
    if (status < 200 || status > 299) {
        finishWith(Error(ErrorCode::Provider, tr("%1 refused to tell MailKey which mailbox this is (HTTP %2). Please "
                                                 "connect again; if it keeps happening, check the provider settings.")
                                                  .arg(m_provider.displayName, QString::number(status))));
        return;
    }
    finishWith(interpret(m_provider, m_claims, body));
}

void ProfileFetcher::scheduleRetry(const QByteArray &retryAfter, const Error &why)
{
    if (m_attempts >= m_policy.maxAttempts) {
        finishWith(why);
        return;
    }
    const double factor = 1.0 + std::max(0.0, m_policy.jitter) * QRandomGenerator::global()->generateDouble();
    qint64 delay = qint64(std::llround(m_policy.backoffMs(m_attempts) * factor));
    const QDateTime current = now();
    const QDateTime notBefore = parseRetryAfter(retryAfter, current);
    if (notBefore.isValid())
        delay = std::max(delay, current.msecsTo(notBefore));
    if (m_elapsed.elapsed() + delay > m_policy.totalBudgetMs) {
        qCInfo(lcProfile, "not retrying: the next try would start after the time budget");
        finishWith(why);
        return;
    }
    qCInfo(lcProfile, "retrying the profile request in %lld ms", static_cast<long long>(delay));
    m_retryTimer.start(int(delay));
}

Result<AccountInfo> ProfileFetcher::readProfile(const Provider &provider, const std::optional<IdTokenClaims> &claims,
                                                const QByteArray &body)
{
    const Result<AccountInfo> result = interpret(provider, claims, body);
    return result ? checkedIdentity(result.value(), provider.displayName) : result;
}

Result<AccountInfo> ProfileFetcher::interpret(const Provider &provider, const std::optional<IdTokenClaims> &claims,
                                              const QByteArray &body)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        return Error(ErrorCode::Provider, tr("%1 sent an answer MailKey could not read when asked which mailbox this "
                                             "is. Please connect again later.")
                                              .arg(provider.displayName));
    }
    const QJsonObject o = doc.object();
    AccountInfo info;
    info.provider = provider.id;
    if (provider.mailApi == Provider::MailApi::MicrosoftGraph) {
        info.email = jsonString(o, "mail");
        if (info.email.isEmpty())
            info.email = jsonString(o, "userPrincipalName");
        info.displayName = jsonString(o, "displayName");
        info.subject = jsonString(o, "id");
        if (claims)
            info.tenant = claims->tenantId;
    } else {
        info.subject = jsonString(o, "sub");
        info.email = jsonString(o, "email");
        info.displayName = jsonString(o, "name");
        if (claims) {
            // OIDC Core 5.3.2: the userinfo sub must be the id_token's.
            if (info.subject != claims->subject) {
                return Error(ErrorCode::Provider, tr("%1 described a different account than the one that signed in, "
                                                     "so MailKey did not connect it. Please connect again.")
                                                      .arg(provider.displayName));
            }
            if (info.email.isEmpty())
                info.email = claims->email;
            if (info.displayName.isEmpty())
                info.displayName = claims->name;
            info.tenant = claims->tenantId;
        }
    }
    if (info.email.isEmpty()) {
        return Error(ErrorCode::Provider, tr("%1 did not tell MailKey the e-mail address of this account. Make sure "
                                             "the account has a mailbox and that the \"email\" permission is "
                                             "granted, then connect again.")
                                              .arg(provider.displayName));
    }
    if (info.displayName.isEmpty())
        info.displayName = info.email;
    return info;
}

void ProfileFetcher::finishWith(const Result<AccountInfo> &result)
{
    m_retryTimer.stop();
    m_requestTimer.stop();
    m_running = false;
    wipe();
    const Result<AccountInfo> checked = result ? checkedIdentity(result.value(), m_provider.displayName) : result;
    if (checked) {
        qCInfo(lcProfile, "account profile received after %d request(s)", m_attempts);
        Q_EMIT finished(checked.value());
    } else {
        qCInfo(lcProfile, "account profile %s after %d request(s)",
               result ? "refused (malformed identity)" : "not received", m_attempts);
        Q_EMIT failed(checked.error());
    }
}

} // namespace mailkey
