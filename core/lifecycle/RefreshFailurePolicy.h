#pragma once

#include "core/common/Result.h"
#include "core/oauth/OAuthErrorCatalog.h"
#include "core/vault/VaultTypes.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QString>

#include <optional>

namespace mailkey {

class Backoff;

// What one failed refresh means for its account, decided without the vault, the network or a
// clock of its own: TokenManager gathers the facts, asks, and carries the decision out (status,
// schedule, audit, alerts, callers).
//
//  - invalid_grant at the token endpoint of a refresh always means the refresh token is dead
//    (expired, revoked, reused), whatever the AADSTS number says; invalid_scope means the provider
//    narrowed the grant since (a refresh never asks for more than was granted). Both, and every
//    error the catalogue already calls NeedsSignIn, need a new sign-in: no automatic retry.
//  - A reply that is not OAuth at all (a captive portal, a proxy page, a cut-off reply) counts as
//    transient, like no connection, a timeout, 5xx, 429 and temporarily_unavailable: status
//    Offline, the tokens kept, the next attempt after the back-off for this many failures in a row.
//  - No HTTP reply at all (httpStatus 0: the provider could not be reached) says so, not "HTTP 0";
//    while the access token is still valid (accessValidUntil) the reason says that the mailbox
//    keeps working until then: being offline is not a problem until the token expires.
//  - Everything else (a client id or scope the provider refuses) is status Error, retried at the
//    back-off too.
//  - Retry-After (HTTP 429, 503 and other 5xx only) holds the whole provider host, and the next
//    attempt is never before it.
class RefreshFailurePolicy {
    Q_DECLARE_TR_FUNCTIONS(mailkey::RefreshFailurePolicy)
public:
    struct Failure {
        OAuthError error; // as TokenEndpointReply::parse gave it
        int httpStatus = 0;
        QByteArray retryAfterHeader; // as sent; empty when none
        int failuresBefore = 0;      // consecutive failures already recorded for the account
        QDateTime now;
        QDateTime accessValidUntil; // the expiry of the access token in the vault; invalid: unknown
    };
    struct Decision {
        bool needsSignIn = false;
        AccountStatus status = AccountStatus::Error; // NeedsSignIn, Offline or Error
        ErrorCode code = ErrorCode::Provider;        // NeedsSignIn, Network, Provider or Config
        QString message;                             // what happened, in plain language (the audit detail's end)
        QString reason;          // what the account shows: the message and, unless needsSignIn, when next
        int failures = 1;        // consecutive failures including this one
        QDateTime nextAttempt;   // invalid when needsSignIn
        QDateTime holdHostUntil; // from Retry-After: no request to the token endpoint's host before
        // The provider could not be reached but the access token is still valid: the mailbox works.
        // Not a failure to alert about (AlertMonitor) until the token has expired.
        bool stillWorks = false;
    };

    explicit RefreshFailurePolicy(const Backoff &backoff) : m_backoff(backoff) {}

    Decision decide(const Failure &failure) const;

    // The account failed recently and waits for its next attempt: the error a caller that did not
    // force a refresh gets at once, without a request. nullopt: a request may be sent.
    static std::optional<Error> backoffError(const Account &account, const QDateTime &now);

    // "Offline, will retry at <time>. <why>", the status text of an account that waits.
    static QString offlineReason(const QString &why, const QDateTime &retryAt);
    // "could not reach the provider" or "HTTP 503": the transport outcome, for the audit detail.
    static QString transportText(int httpStatus);

private:
    const Backoff &m_backoff;
};

} // namespace mailkey
