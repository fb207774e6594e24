#pragma once

#include "core/common/Result.h"
#include "core/lifecycle/Backoff.h"
#include "core/oauth/TokenEndpointClient.h"
#include "core/providers/Provider.h"
#include "core/vault/VaultSnapshot.h"
#include "core/vault/VaultTypes.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QNetworkAccessManager;
class QTimer;

namespace mailkey {

class Clock;
class ProviderRegistry;
class RateLimiter;
class Vault;

// What removing an account (or revoking its tokens) achieved, in words the user can act on.
struct RevocationOutcome {
    bool revokedAtProvider = false; // the provider confirmed (200), or said the token was already invalid
    bool pending = false;           // the provider was unavailable (5xx, 429, no connection): MailKey
                                    // retries in the background while it runs
    bool supported = true;          // the provider has a revocation endpoint MailKey can use
    QString message;                // what happened and, where needed, where to remove access by hand
};

// Removes accounts: ALWAYS wipes the account and its tokens from the vault first (Vault::removeAccount,
// no token bytes left behind), then revokes the grant at the provider from a copy held only in
// memory (RFC 7009: token=<refresh token>, token_type_hint=refresh_token, client_id, and
// client_secret only when the provider has one).
//
//  - A provider with a revocation endpoint (Google, custom providers that list one): 200 means done;
//    400 invalid_token means the token was already dead (also done); 5xx, 429 and network failures
//    are retried later: the revocation is queued IN MEMORY and retried with back-off (30 s, 1 min,
//    2 min ... at most maxAttempts) while the program runs. It is deliberately not persisted: that
//    would keep a secret in the vault after the user asked for it to be removed. The message says
//    so and names the page where the user can remove the access by hand.
//  - Microsoft has no revocation endpoint for public clients: the tokens are wiped locally and the
//    message says honestly where to remove MailKey's access: account.live.com/consent/Manage for
//    personal accounts, myapps.microsoft.com (or the organisation's administrator) for work and
//    school accounts.
// Every outcome is audited (account.removed, token.revoked with ok / pending / failed /
// not-supported). Calls go through the shared RateLimiter, honour Retry-After, and are posted by
// TokenEndpointClient.
class Revoker : public QObject {
    Q_OBJECT
public:
    struct Options {
        int transferTimeoutMs = 15000;
        Backoff::Policy retry; // default: 30 s, 1 min, 2 min ... capped at 30 min
        int maxAttempts = 6;   // the first try included
    };

    Revoker(std::shared_ptr<Vault> vault, ProviderRegistry *providers, QNetworkAccessManager *network,
            RateLimiter *rateLimiter, const Clock *clock, QObject *parent = nullptr);
    ~Revoker() override;

    void setVault(std::shared_ptr<Vault> vault) { m_vault = std::move(vault); }
    void setOptions(const Options &options);
    const Options &options() const { return m_options; }

    using Callback = std::function<void(RevocationOutcome)>;

    // Wipes the account locally (an error only when that fails), then revokes at the provider.
    void removeAccount(qint64 accountId, std::function<void(Result<RevocationOutcome>)> done);

    // The tokens of one account that revocation needs, taken out of its vault records: each
    // distinct refresh token, and the access tokens.
    struct Revocable {
        std::vector<SecretString> refresh;
        std::vector<SecretString> access;
        // The account's own OAuth client (imported from mutt_oauth2.py), which its tokens belong
        // to: revocation authenticates as that client. Absent: the provider's client.
        std::optional<AccountClient> client;
        bool isEmpty() const { return refresh.empty() && access.empty(); }
    };
    static Revocable revocable(std::vector<TokenRecord> records);

    // Revokes tokens of an account whose tokens are already gone from the vault (sign out
    // everywhere). The refresh tokens are revoked (each takes its grant with it); the access
    // tokens only when there is no refresh token.
    void revoke(const Account &account, Revocable tokens, Callback done);

    int pendingCount() const { return int(m_pending.size()); }

    // The honest Microsoft message (no per-token revocation for public clients).
    static QString microsoftMessage(const Account &account);
    // Where a user removes MailKey's access by hand, or empty when not known.
    static QString manualRemovalUrl(const Provider &provider, const Account &account);

Q_SIGNALS:
    // A revocation that was queued after a temporary failure finished: revoked, or given up.
    // `message` says which, in words for the user (given up: where to remove the access by hand).
    void pendingRevocationFinished(qint64 accountId, const QString &email, bool revoked, const QString &message);

private:
    // The token outlives its request only while a retry may need it: shared between the request
    // and the retry queue, wiped when the last of them lets go.
    using SharedSecret = std::shared_ptr<const SecretString>;
    struct Pending {
        qint64 accountId = 0;
        QString email;
        Provider provider;
        SharedSecret token;
        QString hint;
        int attempts = 0;
        QDateTime notBefore;
    };
    enum class Answer {
        Revoked,
        AlreadyInvalid,
        Retry,
        Refused
    };
    using AnswerCallback = std::function<void(Answer, QString detail, QDateTime retryAfter)>;

    void post(const Provider &provider, SharedSecret token, const QString &hint, AnswerCallback done);
    void queuePending(Pending p, const QDateTime &retryAfter);
    void armPendingTimer();
    void runPending();
    void audit(const Account &account, const QString &action, const QString &outcome, const QString &detail);

    std::shared_ptr<Vault> m_vault;
    ProviderRegistry *m_providers;
    TokenEndpointClient m_endpoint;
    RateLimiter *m_rateLimiter;
    const Clock *m_clock;
    Options m_options;
    Backoff m_backoff;
    QList<Pending> m_pending;
    QTimer *m_pendingTimer = nullptr;
};

} // namespace mailkey
