#pragma once

#include "core/common/Profile.h"
#include "core/common/Result.h"
#include "core/lifecycle/AccessToken.h"
#include "core/lifecycle/Backoff.h"
#include "core/lifecycle/RateLimiter.h"
#include "core/lifecycle/RefreshFailurePolicy.h"
#include "core/lifecycle/RefreshQueue.h"
#include "core/oauth/TokenEndpointClient.h"
#include "core/vault/VaultTypes.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

namespace mailkey {

class AlertMonitor;
class Clock;
class CrossProcessLock;
class KeyStore;
class ProviderRegistry;
class Revoker;
class Vault;
struct OAuthError;
struct Provider;
struct RevocationOutcome;
struct SignOutReport;

// The token lifecycle of every connected account: hands out access tokens, refreshes them,
// rotates refresh tokens, classifies failures, and paces the calls to the providers.
//
// accessToken() returns the stored token when it is valid for at least minValiditySeconds, and
// refreshes it otherwise:
//  - Rotation: the reply's new refresh token is committed together with the new access token in
//    one vault transaction (Vault::commitRefresh) BEFORE either is handed out; a reply without a
//    refresh_token keeps the old one; a refresh token that was rotated is never sent again
//    (every refresh reads the current one from the vault, under the lock below).
//  - Per resource: Microsoft's refresh token mints tokens for other resources (imap, smtp) with
//    scope = Provider::scopesFor(resource); the vault keeps one access token per (account, resource).
//  - Scope: a refresh never asks for more than was granted (RFC 6749 section 6). Other providers'
//    refreshes of the sign-in scopes send no scope (= the scope originally granted), so a grant
//    narrower than the request keeps working; a narrower resource scope (Google imap) is sent
//    less what the stored grant lacks. An invalid_scope answer to a refresh is NeedsSignIn, with a
//    message that says the provider narrowed the access (not that the settings are wrong).
//  - Single flight: at most one refresh per account at a time. In this process, callers for an
//    account queue (RefreshQueue) behind the refresh in flight and get its result; across processes (the window
//    and mailkey-cli share the vault) a CrossProcessLock per (profile, account) is taken first, by
//    polling from a timer (the GUI thread never blocks), bounded by lockTimeoutMs. With the lock
//    held, the token is read from the vault again: another process may just have refreshed it.
//  - Failures (decided by RefreshFailurePolicy, carried out here): transient (no connection, timeout, 5xx, 429, temporarily_unavailable, a reply that
//    is not OAuth at all such as a captive portal page) -> status Offline ("Offline, will retry"),
//    tokens kept, next attempt after Backoff (bounded), Retry-After honoured for the whole
//    provider host. Permanent (invalid_grant, interaction_required, consent_required, revoked) ->
//    status NeedsSignIn with the catalogue's plain-language reason; no automatic retries until the
//    account is connected again. Configuration problems (client id, scopes) -> status Error, retried
//    only at the back-off cap. While an account waits for its back-off, accessToken() fails at once
//    with the reason and the retry time; refreshNow() (a user's explicit request) ignores it.
//  - Pacing: every request to a token endpoint goes through the RateLimiter of its host, and is
//    posted by TokenEndpointClient (the form, client authentication, headers, timeout).
//  - Audit: token.refreshed (ok / failed with the reason), token.rotated, token.handed-out (with
//    the requesting program), account.removed, token.revoked, incident.sign-out-everywhere.
//
// Threads: the manager lives on one thread (the GUI thread). accessToken() and refreshNow() may be
// called from any thread; the call is forwarded to the manager's thread and the callback runs
// there.
class TokenManager : public QObject {
    Q_OBJECT
public:
    struct Options {
        int lockTimeoutMs = 45000;     // give up waiting for another process's refresh after this
        int lockRetryMs = 50;          // poll interval of the cross-process lock
        int transferTimeoutMs = 30000; // one token request
        RateLimiter::Limits rateLimits;
        Backoff::Policy backoff;
    };

    // Stages of one refresh, for tests (crash injection) and diagnostics.
    enum class Stage {
        LockAcquired,  // the cross-process lock is held, the token has been re-read
        RequestSent,   // the refresh request left
        ReplyReceived, // a successful reply was parsed, nothing committed yet
        Committed,     // the new tokens are in the vault
    };
    using StageHook = std::function<void(qint64 accountId, Stage stage)>;

    using AccessTokenCallback = std::function<void(Result<AccessToken>)>;
    using StatusCallback = std::function<void(Status)>;

    TokenManager(std::shared_ptr<Vault> vault, ProviderRegistry *providers, QNetworkAccessManager *network,
                 Profile profile, const Clock *clock = nullptr, QObject *parent = nullptr);
    ~TokenManager() override;

    void setOptions(const Options &options);
    const Options &options() const { return m_options; }
    // Swaps the vault (after the service re-opened it); in-flight work is cancelled first.
    void setVault(std::shared_ptr<Vault> vault);
    std::shared_ptr<Vault> vault() const { return m_vault; }
    const Clock *clock() const { return m_clock; }
    const Profile &profile() const { return m_profile; }

    RateLimiter *rateLimiter() { return &m_rateLimiter; }
    const Backoff &backoff() const { return m_backoff; }
    AlertMonitor *alerts() const { return m_alerts; }
    Revoker *revoker() const { return m_revoker; }

    // A token for `resource` ("default", "imap", "smtp") valid for at least minValiditySeconds.
    // `actor` names the program that asked (recorded in the audit log: "mailkey", "mailkey-cli",
    // "mutt" ...). The callback runs exactly once, on the manager's thread.
    void accessToken(qint64 accountId, const QString &resource, int minValiditySeconds, const QString &actor,
                     AccessTokenCallback done);
    // Overload for callers without an actor ("mailkey").
    void accessToken(qint64 accountId, const QString &resource, int minValiditySeconds, AccessTokenCallback done);

    // Refreshes `resource` now, even if its token is still valid and even during a back-off (an
    // explicit request of the user, or the scheduler's due work). Skipped if another process
    // refreshed it after this call was made (the token in the vault changed meanwhile).
    void refreshNow(qint64 accountId, const QString &resource = QString::fromLatin1(DefaultResource),
                    StatusCallback done = {});
    // The scheduler's variant: like refreshNow, but respects the back-off and Retry-After times.
    void refreshScheduled(qint64 accountId, const QString &resource, StatusCallback done = {});

    bool isRefreshing(qint64 accountId) const; // a refresh is queued, waiting for the lock or in flight
    int activeRefreshCount() const;
    // Some account has a refresh queued, waiting for the lock or in flight.
    bool hasWork() const { return !m_flights.isEmpty(); }

    // Fails every queued caller of the account with ErrorCode::Cancelled, aborts its request and
    // releases its lock.
    void cancelAccount(qint64 accountId);
    void cancelAll();

    // Removal: cancels the account's work, wipes it from the vault and revokes its grant at the
    // provider where that is possible (see Revoker).
    void removeAccount(qint64 accountId, std::function<void(Result<RevocationOutcome>)> done);
    // Incident response (see SignOutEverywhere).
    void signOutEverywhere(KeyStore *keyStore, std::function<void(Result<SignOutReport>)> done);

    void setStageHook(StageHook hook) { m_stageHook = std::move(hook); }

Q_SIGNALS:
    void accountStatusChanged(qint64 accountId);
    void refreshStarted(qint64 accountId);
    void refreshFinished(qint64 accountId, const mailkey::Status &result);

private:
    using Mode = RefreshQueue::Mode;
    using Waiter = RefreshQueue::Waiter;
    struct Flight {
        RefreshQueue queue; // the callers, served one resource at a time
        std::unique_ptr<CrossProcessLock> lock;
        QTimer *lockTimer = nullptr;
        qint64 lockWaitedMs = 0;
        QPointer<QNetworkReply> reply;
        QTimer *sendTimer = nullptr;
        QString resource;             // the resource being refreshed
        SecretString previousRefresh; // the refresh token sent (to tell parseTokenReply)
        QStringList requestedScopes;  // the refresh's `scope`; empty: none was sent
        QStringList expectedScopes;   // granted when the reply has no `scope`
        QString hostKey;
        bool running = false;    // processNext is scheduled or working
        bool refreshing = false; // refreshStarted was emitted, refreshFinished not yet
        quint64 generation = 0;
    };

    void enqueue(qint64 accountId, Waiter waiter);
    void enqueueRefresh(qint64 accountId, const QString &resource, Mode mode, StatusCallback done);
    void scheduleProcess(qint64 accountId);
    void processNext(qint64 accountId);
    void acquireLock(qint64 accountId);
    void sendRefresh(qint64 accountId, quint64 generation);
    void onReply(qint64 accountId, quint64 generation, const TokenEndpointReply &reply);
    void handleReply(qint64 accountId, const TokenEndpointReply &reply);
    void post(std::function<void()> work);
    void pump();
    void flushWork();
    void succeed(qint64 accountId, const AccessToken &token);
    // Ends the account's current resource group and every other queued caller with `error`.
    void failAll(qint64 accountId, const Error &error);
    void failGroup(qint64 accountId, const QString &resource, const Error &error);
    void deliver(qint64 accountId, const Waiter &w, Result<AccessToken> result);
    void finishFlight(qint64 accountId);
    void endRefresh(qint64 accountId, const Status &result); // refreshFinished, if refreshStarted was emitted
    // Carries out RefreshFailurePolicy's decision: status, schedule, host hold, audit, alerts,
    // then every queued caller gets the error.
    void handleFailure(qint64 accountId, const Account &account, const TokenEndpointReply &reply,
                       const OAuthError &error);
    void recordNeedsSignIn(qint64 accountId, const QString &reason);
    void setStatus(qint64 accountId, AccountStatus previous, AccountStatus status, const QString &reason);
    // Queued as its own work item (see post()); writeAudit() writes at once.
    void audit(qint64 accountId, const QString &email, const QString &action, const QString &outcome,
               const QString &detail, const QString &actor = QString());
    void writeAudit(qint64 accountId, const QString &email, const QString &action, const QString &outcome,
                    const QString &detail, const QString &actor = QString(), const QDateTime &at = QDateTime());
    void stage(qint64 accountId, Stage s);
    Result<Provider> providerFor(const Account &account) const;
    // OpenID discovery for a provider known by its issuer only, then processNext() for every
    // account that waited for it (or failAll() with the discovery's error).
    void discoverThenContinue(qint64 accountId, const Provider &provider);

    std::shared_ptr<Vault> m_vault;
    ProviderRegistry *m_providers;
    QNetworkAccessManager *m_network;
    TokenEndpointClient m_endpoint;
    QHash<QString, QList<qint64>> m_discoveryWaiters; // provider id -> accounts waiting for its discovery
    Profile m_profile;
    const Clock *m_clock;
    Options m_options;
    RateLimiter m_rateLimiter;
    Backoff m_backoff;
    RefreshFailurePolicy m_failurePolicy{m_backoff};
    AlertMonitor *m_alerts = nullptr;
    Revoker *m_revoker = nullptr;
    QHash<qint64, std::shared_ptr<Flight>> m_flights;
    StageHook m_stageHook;
    quint64 m_nextGeneration = 1;
    std::deque<std::function<void()>> m_work;
    bool m_pumpScheduled = false;
};

} // namespace mailkey
