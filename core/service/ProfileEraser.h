#pragma once

#include "core/common/Profile.h"
#include "core/common/Result.h"
#include "core/service/TokenBroker.h"
#include "core/vault/VaultTypes.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace mailkey {

class KeyStore;

// What erasing removed, line by line, and what it could not remove.
struct EraseReport {
    QStringList removed;
    QStringList problems;
};

// The steps of "erase everything" (the person's right to have their data erased), shared by
// `mailkey-cli erase-all` and the window's File → Erase everything (AccountService::eraseEverything):
//   1. checkKeychain: the keyring is not locked and the profile's key entry answers (present or not
//      there). A keychain that cannot be reached stops the erase before anything is deleted.
//   2. revokeAll: each account's grant revoked where the provider allows it (the removal path of the
//      vault's owner), reported per account.
//   3. the vault is closed by its owner, then removeFiles deletes the profile's folder with
//      everything in it (the vault, its WAL, SHM and lock files, every vault reset-vault moved
//      aside), after keychainEntries were taken from its names;
//   4. removeKeychainEntries: the key, a pending rotation key, the keys kept for moved-aside vaults;
//   5. removeSharedFiles (when no profile is left): settings.ini, the providers file and the empty
//      folders MailKey made.
namespace ProfileEraser {

using Remover = std::function<void(const QString &email, const QString &provider,
                                   std::function<void(Result<TokenBroker::RemovalAnswer>)> done)>;

void checkKeychain(KeyStore *store, const Profile &profile, std::function<void(std::optional<Error>)> done);
void revokeAll(QList<Account> accounts, Remover remove, std::shared_ptr<EraseReport> report,
               std::function<void()> done);
void removeFiles(const Profile &profile, EraseReport &report);
void removeKeychainEntries(KeyStore *store, QStringList entries, std::shared_ptr<EraseReport> report,
                           std::function<void()> done);
void removeSharedFiles(EraseReport &report);
// True when no other profile has a folder of its own: erasing this one leaves nothing of MailKey
// but the shared files, which then go too (the window's Erase everything).
bool isLastProfile(const Profile &profile);

} // namespace ProfileEraser

} // namespace mailkey
