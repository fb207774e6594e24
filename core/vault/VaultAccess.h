#pragma once

#include "core/common/Profile.h"
#include "core/common/Result.h"
#include "core/vault/Vault.h"

#include <functional>
#include <memory>

namespace mailkey {

class KeyStore;

struct OpenedVault {
    std::shared_ptr<Vault> vault;
    bool created = false;       // first run: a new key and a new vault were made
    bool keyPromoted = false;   // an interrupted key rotation was completed
};

// Unlocks (or on first run creates) a profile's vault with the key held in the keychain.
// Asynchronous: the keychain is asked through KeyStore; the callback runs on the event loop.
//
//  key found, vault exists   -> open with the key; if it does not open, try the pending key of an
//                               interrupted rotation and promote it
//  key found, no vault       -> create the vault with that key
//  key missing, no vault     -> first run: new random key, written to the keychain first; the
//                               vault is created only after the keychain has it
//  key missing, vault exists -> never a new key (that would orphan the vault): KeychainLocked if
//                               the keyring says it is locked, else KeyMissing
class VaultAccess {
public:
    using OpenCallback = std::function<void(Result<OpenedVault>)>;
    static void unlock(const Profile &profile, KeyStore *store, OpenCallback done,
                       Vault::IntegrityCheck check = Vault::IntegrityCheck::Full);

    // Steps of a key rotation, in order. A test hook may stop the process at any of them.
    enum class RotationStep { Start, PendingWritten, Rekeyed, CurrentWritten, Done };
    using StepHook = std::function<void(RotationStep)>;

    // New random key; pending entry written first, PRAGMA rekey, current entry replaced, pending
    // removed. A crash at any point leaves a vault that opens with what the keychain holds.
    static void rotateKey(const std::shared_ptr<Vault> &vault, const Profile &profile, KeyStore *store,
                          std::function<void(Status)> done, StepHook hook = {});

    // The explicit, confirmed way out when the key is gone for good: moves the vault files aside
    // (never deletes them) so a new vault can be made. Returns the new location.
    static Result<QString> moveVaultAside(const Profile &profile);
};

} // namespace mailkey
