#pragma once

#include "core/common/Profile.h"

#include <QStringList>

#include <memory>

namespace mailkey {
class KeyStore;
class Vault;
} // namespace mailkey

namespace mailkey::test {

// The profile's vault, created or unlocked through `keyStore` (a real Secret Service: KEYRING
// tests), waiting on the event loop. Adds a gtest failure and returns nullptr when it cannot.
std::shared_ptr<Vault> unlockVault(const Profile &profile, KeyStore *keyStore);

// The actions of the vault's audit log, oldest first ("connect.started", "tokens.issued", ...).
QStringList auditActions(Vault &vault);

} // namespace mailkey::test
