#include "core/lifecycle/AlertMonitor.h"

#include "core/common/Clock.h"
#include "core/common/Redactor.h"
#include "core/vault/Vault.h"

#include <QLoggingCategory>

namespace mailkey {

Q_LOGGING_CATEGORY(lcAlerts, "mailkey.alerts")

QString alertKindToString(AlertKind kind)
{
    switch (kind) {
    case AlertKind::FailedSignIns:
        return QStringLiteral("failed-sign-ins");
    case AlertKind::RefreshFailures:
        return QStringLiteral("refresh-failures");
    case AlertKind::RejectedCallback:
        return QStringLiteral("rejected-callback");
    }
    return QStringLiteral("unknown");
}

AlertMonitor::AlertMonitor(std::shared_ptr<Vault> vault, const Clock *clock, QObject *parent)
    : QObject(parent), m_vault(std::move(vault)), m_clock(clock ? clock : Clock::system())
{}

AlertMonitor::~AlertMonitor() = default;

void AlertMonitor::setVault(std::shared_ptr<Vault> vault)
{
    m_vault = std::move(vault);
}

void AlertMonitor::prune() const
{
    const QDateTime cutoff = m_clock->now().addSecs(-FailedSignInWindowSeconds);
    while (!m_failedSignIns.isEmpty() && m_failedSignIns.first() <= cutoff)
        m_failedSignIns.removeFirst();
}

int AlertMonitor::failedSignInsInWindow() const
{
    prune();
    return int(m_failedSignIns.size());
}

void AlertMonitor::recordFailedSignIn(qint64 accountId, const QString &reason)
{
    prune();
    if (m_failedSignIns.size() <= FailedSignInThreshold)
        m_signInAlertArmed = true;
    m_failedSignIns.append(m_clock->now());
    const int count = int(m_failedSignIns.size());
    if (count > FailedSignInThreshold && m_signInAlertArmed) {
        m_signInAlertArmed = false;
        raise(AlertKind::FailedSignIns, accountId,
              tr("%1 sign-in attempts failed within the last hour. If you did not try to sign in "
                 "this often, someone may be trying to connect a mailbox on this computer: check "
                 "the activity log and your accounts.")
                  .arg(count),
              tr("%1 failed sign-ins within one hour; last: %2").arg(count).arg(redact(reason).left(300)));
    }
}

void AlertMonitor::recordRejectedCallback(const QString &reason)
{
    raise(AlertKind::RejectedCallback, 0,
          tr("MailKey rejected a sign-in reply that it did not expect (%1). This can be a leftover "
             "browser tab, or an attempt to slip someone else's sign-in into MailKey. If you did "
             "not just sign in, check the activity log.")
              .arg(redact(reason).left(200)),
          redact(reason).left(300));
}

void AlertMonitor::recordRefreshFailure(qint64 accountId, const QString &reason, int consecutiveFailures)
{
    const int count = consecutiveFailures > 0 ? consecutiveFailures : m_refreshFailures.value(accountId) + 1;
    m_refreshFailures.insert(accountId, count);
    if (count <= RefreshFailureThreshold) {
        m_refreshAlerted.remove(accountId);
        return;
    }
    if (m_refreshAlerted.value(accountId))
        return;
    m_refreshAlerted.insert(accountId, true);
    raise(AlertKind::RefreshFailures, accountId,
          tr("Renewing this account's access failed %1 times in a row. MailKey keeps retrying with "
             "longer pauses; last reason: %2")
              .arg(count)
              .arg(redact(reason).left(300)),
          tr("%1 consecutive refresh failures; last: %2").arg(count).arg(redact(reason).left(300)));
}

void AlertMonitor::recordRefreshSuccess(qint64 accountId)
{
    m_refreshFailures.remove(accountId);
    m_refreshAlerted.remove(accountId);
}

int AlertMonitor::consecutiveRefreshFailures(qint64 accountId) const
{
    return m_refreshFailures.value(accountId);
}

void AlertMonitor::raise(AlertKind kind, qint64 accountId, const QString &message, const QString &detail)
{
    qCWarning(lcAlerts, "alert raised: %s", qUtf8Printable(alertKindToString(kind)));
    if (m_vault) {
        AuditEntry e;
        e.at = m_clock->now();
        e.accountId = accountId;
        e.action = QStringLiteral("alert.") + alertKindToString(kind);
        e.outcome = QStringLiteral("raised");
        e.detail = detail;
        e.actor = QStringLiteral("mailkey");
        if (Status s = m_vault->appendAudit(e); !s)
            qCWarning(lcAlerts, "could not record the alert in the audit log: %s", qUtf8Printable(s.error().message));
    }
    Q_EMIT alertRaised(kind, accountId, message);
}

} // namespace mailkey
