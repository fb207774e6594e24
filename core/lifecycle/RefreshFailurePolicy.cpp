#include "core/lifecycle/RefreshFailurePolicy.h"

#include "core/lifecycle/Backoff.h"
#include "core/oauth/TokenReply.h"

#include <QLocale>

namespace mailkey {

namespace {

QString timeText(const QDateTime &t)
{
    return QLocale().toString(t.toLocalTime(), QLocale::ShortFormat);
}

bool is(const QString &error, const char *code)
{
    return error.compare(QLatin1String(code), Qt::CaseInsensitive) == 0;
}

} // namespace

QString RefreshFailurePolicy::offlineReason(const QString &why, const QDateTime &retryAt)
{
    QString text = tr("Offline, will retry");
    if (retryAt.isValid())
        text += tr(" at %1").arg(timeText(retryAt));
    text += QLatin1Char('.');
    if (!why.isEmpty())
        text += QLatin1Char(' ') + why;
    return text;
}

RefreshFailurePolicy::Decision RefreshFailurePolicy::decide(const Failure &failure) const
{
    const OAuthError &error = failure.error;
    OAuthErrorKind kind = error.kind;
    QString message = error.userMessage;
    const bool deadGrant = is(error.error, "invalid_grant");
    const bool narrowed = is(error.error, "invalid_scope");
    if ((deadGrant && kind != OAuthErrorKind::NeedsSignIn) || narrowed) {
        kind = OAuthErrorKind::NeedsSignIn;
        message = OAuthErrorCatalog::message(error.error, error.description, 0, failure.httpStatus,
                                             OAuthErrorCatalog::Endpoint::Refresh);
        if (error.aadsts > 0)
            message += QStringLiteral(" (Microsoft error AADSTS%1)").arg(error.aadsts);
    }
    if (kind == OAuthErrorKind::Malformed)
        kind = OAuthErrorKind::Transient;
    if (message.isEmpty())
        message = tr("The provider's reply could not be used.");

    Decision d;
    d.message = message;
    d.failures = qMax(0, failure.failuresBefore) + 1;
    if (kind == OAuthErrorKind::NeedsSignIn) {
        d.needsSignIn = true;
        d.status = AccountStatus::NeedsSignIn;
        d.code = ErrorCode::NeedsSignIn;
        d.reason = message;
        return d;
    }

    QDateTime next = failure.now.addMSecs(m_backoff.delayMs(d.failures));
    const int http = failure.httpStatus;
    if (!failure.retryAfterHeader.isEmpty() && (http == 429 || http >= 500)) {
        d.holdHostUntil = parseRetryAfter(failure.retryAfterHeader, failure.now);
        if (d.holdHostUntil.isValid() && d.holdHostUntil > next)
            next = d.holdHostUntil;
    }
    d.nextAttempt = next;
    const bool transient = kind == OAuthErrorKind::Transient;
    d.status = transient ? AccountStatus::Offline : AccountStatus::Error;
    d.code = transient ? ErrorCode::Network
                       : (kind == OAuthErrorKind::Configuration ? ErrorCode::Config : ErrorCode::Provider);
    d.reason = transient ? offlineReason(message, next)
                         : message + QLatin1Char(' ') + tr("MailKey will try again at %1.").arg(timeText(next));
    return d;
}

std::optional<Error> RefreshFailurePolicy::backoffError(const Account &account, const QDateTime &now)
{
    const bool waiting = account.failureCount > 0 && account.nextRefreshAt.isValid() && account.nextRefreshAt > now;
    if (!waiting)
        return std::nullopt;
    if (account.status == AccountStatus::Offline)
        return Error(ErrorCode::Network, account.statusReason.isEmpty()
                                             ? offlineReason(QString(), account.nextRefreshAt)
                                             : account.statusReason);
    if (account.status == AccountStatus::Error)
        return Error(ErrorCode::Provider, account.statusReason.isEmpty()
                                              ? offlineReason(QString(), account.nextRefreshAt)
                                              : account.statusReason);
    return std::nullopt;
}

} // namespace mailkey
