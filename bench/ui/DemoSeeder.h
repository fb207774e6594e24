#pragma once

// Helpers for the window benchmark and the screenshot script (not product code): sign in
// against a fake authorization server through AccountService, and write the configuration that
// points a custom provider (and the Graph / Gmail APIs) at it.

#include "core/common/Result.h"
#include "core/service/AccountService.h"
#include "core/vault/VaultTypes.h"

#include <QString>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

namespace mailkey::bench {

// Runs the event loop until pred() or the timeout (tools only; product code never spins).
bool spinUntil(const std::function<bool()> &pred, int timeoutMs);

// providers.json with one custom provider "fake" (name "Fake IdP") at `issuer` (http://127.0.0.1:PORT).
// The fake server signs id_tokens only for confidential clients (HS256 with the secret; "alg":
// "none" otherwise, which MailKey rightly refuses): without a secret, "openid" is left out of the
// scopes and the mailbox comes from the userinfo endpoint.
Status writeProvidersFile(const QString &path, const QString &issuer, const QString &clientId,
                          const QString &clientSecret = QString());

// Starts the service and waits for the vault.
Status openVault(AccountService *service, int timeoutMs = 30000);

// One sign-in with `providerId` through a ConnectSession of the service; the authorization URL
// goes to a FakeBrowser (no desktop browser). Returns the stored account.
Result<Account> signIn(AccountService *service, QNetworkAccessManager *nam, const QString &providerId,
                       int timeoutMs = 30000);

} // namespace mailkey::bench
