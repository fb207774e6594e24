#pragma once

#include "core/common/SecretString.h"
#include "core/vault/VaultTypes.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>
#include <vector>

namespace mailkey {

// The OAuth client an account's refresh token belongs to, when it is not the provider's client of
// this MailKey (an account imported from mutt_oauth2.py carries the user's own app registration:
// its refresh token works with that client only). Absent for accounts MailKey signed in itself;
// a new sign-in (Vault::saveConnection) drops it, since the new tokens belong to MailKey's client.
struct AccountClient {
    QString clientId;
    SecretString clientSecret; // optional; never logged

    AccountClient clone() const { return {clientId, clientSecret.clone()}; }
};

// One account of a VaultSnapshot with everything that belongs to it. Move-only (the tokens are).
struct SnapshotAccount {
    AccountInfo info;
    AccountStatus status = AccountStatus::Connected;
    QString statusReason;
    QDateTime createdAt;
    std::vector<TokenRecord> tokens; // accountId is meaningless here
    std::optional<AccountClient> client;
};

// What a backup holds of a vault (Vault::snapshot) and what an import merges into one
// (Vault::importSnapshot): accounts with their tokens and clients, the settings (never the
// audit.* keys), and on request the audit log (newest last).
struct VaultSnapshot {
    std::vector<SnapshotAccount> accounts;
    QList<std::pair<QString, QString>> settings;
    QList<AuditEntry> audit;
};

// What Vault::importSnapshot did, by address ("email (provider)").
struct ImportReport {
    QStringList added;
    QStringList updated;
    QStringList keptNewer; // the vault's sign-in was newer than the imported one: left as it was
    int settingsAdded = 0;
    int auditEntries = 0;      // appended to this vault's audit log
    int auditAlreadyThere = 0; // the same entry was already in it: not appended again
};

} // namespace mailkey
