#pragma once

#include "core/common/Result.h"
#include "core/lifecycle/AccessToken.h"
#include "core/vault/VaultTypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace mailkey {

// The callers waiting for one account's tokens, in the order they asked: the single-flight part
// of TokenManager, without timers, locks, the vault or the network, so that its rules can be
// tested on their own.
//
// The callers are served one resource at a time ("default", "imap", "smtp"), the resource of the
// oldest caller first. With the stored token of that resource in hand, takeSatisfied() hands out
// whoever it is good enough for; whoever is left needs the one refresh, and everyone of the
// resource gets its result (takeResource()). takeAll() ends everything (a failure of the account
// as a whole, a cancellation).
class RefreshQueue {
public:
    enum class Mode {
        OnDemand,  // accessToken(): a token valid for at least minValiditySeconds
        Scheduled, // the scheduler's refresh: respects the account's back-off
        Forced     // the user's "Refresh now": ignores the back-off
    };
    struct Waiter {
        QString resource;
        int minValiditySeconds = 0;
        Mode mode = Mode::OnDemand;
        QByteArray staleTokenHash; // Scheduled / Forced: the access token's hash when asked
        QString actor;             // OnDemand: who asked (audited with the hand-out)
        std::function<void(Result<AccessToken>)> done;
    };

    bool isEmpty() const { return m_waiters.isEmpty(); }
    qsizetype size() const { return m_waiters.size(); }
    void push(Waiter waiter) { m_waiters.append(std::move(waiter)); }
    // The resource of the oldest caller; empty when nobody waits.
    QString nextResource() const;
    // Whether any caller of `resource` waits.
    bool contains(const QString &resource) const;
    // Whether a caller of `resource` forced the refresh (Mode::Forced).
    bool anyForced(const QString &resource) const;

    // Takes out the callers of `resource` that `token` serves, in order.
    QList<Waiter> takeSatisfied(const QString &resource, const std::optional<TokenRecord> &token, const QDateTime &now);
    // Takes out every caller of `resource`, in order.
    QList<Waiter> takeResource(const QString &resource);
    // Takes out everyone, in order.
    QList<Waiter> takeAll();

    // Whether the stored `token` serves `waiter` now: OnDemand callers need it valid for their
    // minimum time; Scheduled and Forced ones are served once the token is no longer the one they
    // saw when they asked (another caller or process refreshed it) and is still valid.
    static bool satisfies(const Waiter &waiter, const std::optional<TokenRecord> &token, const QDateTime &now);
    // SHA-256 of an access token (empty for an empty one): what a waiter remembers of it.
    static QByteArray tokenHash(const SecretString &token);

private:
    template <class Pred>
    QList<Waiter> takeIf(Pred pred);

    QList<Waiter> m_waiters;
};

} // namespace mailkey
