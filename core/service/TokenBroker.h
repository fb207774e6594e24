#pragma once

#include "core/common/Result.h"
#include "core/lifecycle/AccessToken.h"
#include "core/lifecycle/Revoker.h"
#include "core/lifecycle/SignOutEverywhere.h"
#include "core/vault/VaultTypes.h"

#include <QDateTime>
#include <QPointer>
#include <QString>

#include <functional>

namespace mailkey {

class KeyStore;
class ProviderRegistry;
class TokenManager;
class Vault;
struct Provider;

// What mailkey-cli asks for, answered the same way by the CLI on its own and by the window
// over the local socket (IpcServer): both run this class against a TokenManager, so the two
// paths give the same answers and the same errors.
class TokenBroker {
public:
    struct TokenQuery {
        QString email;
        QString provider;                           // optional: only needed when the address is
                                                    // connected with more than one provider
        QString resource = QStringLiteral("graph"); // graph (= the vault's "default"), imap, smtp
        int minValiditySeconds = kMinTokenValiditySeconds;
        QString actor; // the requesting program, for the audit log
    };
    struct TokenAnswer {
        QString email;
        QString provider;
        QString resource;   // as asked (graph, imap, smtp)
        SecretString token; // move-only, wiped with the answer
        QDateTime expiresAt;
        bool refreshed = false;
    };
    struct RemovalAnswer {
        QString email;
        QString provider;
        RevocationOutcome outcome;
    };

    TokenBroker(TokenManager *tokens, ProviderRegistry *providers);

    ProviderRegistry *providers() const { return m_providers; }

    void token(const TokenQuery &query, std::function<void(Result<TokenAnswer>)> done) const;
    void remove(const QString &email, const QString &provider, std::function<void(Result<RemovalAnswer>)> done) const;
    void signOutEverywhere(KeyStore *keyStore, std::function<void(Result<SignOutReport>)> done) const;

    // ---- Shared rules -------------------------------------------------------------------------
    // The account for an address (exact match first, then ignoring case), optionally of one
    // provider. InvalidInput for a malformed address, an unknown provider or an address connected
    // with several providers (the message lists them); NotFound when nothing matches.
    static Result<Account> findAccount(Vault *vault, const ProviderRegistry *providers, const QString &email,
                                       const QString &provider);
    // The vault resource that serves `resource`: graph -> "default"; imap / smtp -> "default" when
    // the sign-in token already carries their scopes (Google: https://mail.google.com/; custom
    // providers: one token for everything), else the resource itself (Microsoft: Outlook IMAP and
    // SMTP are separate token requests). InvalidInput for anything but graph|imap|smtp|default.
    static Result<QString> vaultResource(const Provider &provider, const QString &resource);

private:
    QPointer<TokenManager> m_tokens;
    ProviderRegistry *m_providers;
};

} // namespace mailkey
