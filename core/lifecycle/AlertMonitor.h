#pragma once

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>

namespace mailkey {

class Clock;
class Vault;

enum class AlertKind {
    FailedSignIns,    // more than 5 failed sign-ins within one hour
    RefreshFailures,  // more than 3 refresh failures in a row for one account
    RejectedCallback, // a sign-in callback was rejected (wrong state, forged request ...)
};

QString alertKindToString(AlertKind kind); // "failed-sign-ins", "refresh-failures", "rejected-callback"

// Watches for the signs of an attack or a broken setup that the seed names, raises a visible
// alert (alertRaised) and writes an audit entry ("alert.<kind>", outcome "raised"):
//  - failed sign-ins: the 6th failure within a sliding hour raises the alert, the 5th does not.
//    It is raised once when the threshold is crossed, and again only after the count in the
//    window has dropped back to 5 or fewer;
//  - refresh failures: the 4th consecutive failure of one account raises it, the 3rd does not;
//    TokenManager does not report a provider it could not reach while the access token is still
//    valid (the mailbox works; RefreshFailurePolicy::Decision::stillWorks);
//    once per streak (a success ends the streak);
//  - every rejected callback raises it (a possible forgery attempt).
// Inputs come from the connect flow (recordFailedSignIn, recordRejectedCallback) and from
// TokenManager (recordRefreshFailure / recordRefreshSuccess). Works without a vault (no audit).
class AlertMonitor : public QObject {
    Q_OBJECT
public:
    static constexpr int FailedSignInThreshold = 5;           // alert when more than this ...
    static constexpr qint64 FailedSignInWindowSeconds = 3600; // ... within this window
    static constexpr int RefreshFailureThreshold = 3;         // alert when more than this in a row

    AlertMonitor(std::shared_ptr<Vault> vault, const Clock *clock, QObject *parent = nullptr);
    ~AlertMonitor() override;

    void setVault(std::shared_ptr<Vault> vault);

    // accountId 0 when the sign-in did not get as far as an account.
    void recordFailedSignIn(qint64 accountId, const QString &reason);
    void recordRejectedCallback(const QString &reason);
    // consecutiveFailures: the caller's own count including this failure (TokenManager passes the
    // count kept in the vault, shared by every MailKey process); 0 = count here.
    void recordRefreshFailure(qint64 accountId, const QString &reason, int consecutiveFailures = 0);
    void recordRefreshSuccess(qint64 accountId);

    int failedSignInsInWindow() const;
    int consecutiveRefreshFailures(qint64 accountId) const;

Q_SIGNALS:
    void alertRaised(mailkey::AlertKind kind, qint64 accountId, const QString &message);

private:
    void raise(AlertKind kind, qint64 accountId, const QString &message, const QString &detail);
    void prune() const;

    std::shared_ptr<Vault> m_vault;
    const Clock *m_clock;
    mutable QList<QDateTime> m_failedSignIns;
    bool m_signInAlertArmed = true;
    QHash<qint64, int> m_refreshFailures;
    QHash<qint64, bool> m_refreshAlerted;
};

} // namespace mailkey
