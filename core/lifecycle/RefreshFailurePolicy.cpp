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
    const QString text
        = retryAt.isValid() ? tr("Offline, will retry at %1.").arg(timeText(retryAt)) : tr("Offline, will retry.");
    // Two whole sentences side by side: the status, then what the provider or network said.
    return why.isEmpty() ? text : QStringLiteral("%1 %2").arg(text, why);
}

QString RefreshFailurePolicy::transportText(int httpStatus)
{
    // Untranslated: the audit log is read by support as much as by the person.
    return httpStatus > 0 ? QStringLiteral("HTTP %1").arg(httpStatus) : QStringLiteral("could not reach the provider");
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
            message = tr("%1 (Microsoft error AADSTS%2)").arg(message, QString::number(error.aadsts));
    }
    if (kind == OAuthErrorKind::Malformed)
        kind = OAuthErrorKind::Transient;
    const bool unreachable = failure.httpStatus <= 0 && kind == OAuthErrorKind::Transient;
    if (unreachable)
        message = tr("MailKey could not reach the provider.");
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
    d.stillWorks = unreachable && failure.accessValidUntil.isValid() && failure.accessValidUntil > failure.now;
    if (d.stillWorks)
        d.reason = tr("Offline: %1 The mailbox keeps working until %2; MailKey will try again at %3.")
                       .arg(message, timeText(failure.accessValidUntil), timeText(next));
    else
        d.reason = transient ? offlineReason(message, next)
                             : tr("%1 MailKey will try again at %2.").arg(message, timeText(next));
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
