#pragma once

#include "core/common/Profile.h"
#include "core/common/Result.h"
#include "core/vault/Vault.h"

#include <QStringList>

#include <functional>
#include <memory>

namespace mailkey {

class CrossProcessLock;
class KeyStore;

struct OpenedVault {
    std::shared_ptr<Vault> vault;
    bool created = false;     // first run: a new key and a new vault were made
    bool keyPromoted = false; // an interrupted key rotation was completed
};

// Unlocks (or on first run creates) a profile's vault with the key held in the keychain.
// Asynchronous: the keychain is asked through KeyStore, and the file is opened (and checked) on a
// pool thread; the callback runs on the calling thread's event loop.
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

    // The full integrity check (PRAGMA quick_check, every page) of the profile's vault, on a
    // second connection opened on a pool thread with the key read from the keychain again; the
    // connection is closed afterwards. For a vault already opened with IntegrityCheck::Header:
    // the window shows its accounts at once and checks every page meanwhile (WAL: the check reads
    // a snapshot and blocks neither readers nor the writer). VaultDamaged when a page is damaged;
    // other errors (keychain unavailable meanwhile) say the check could not run. `afterCheck`, if
    // given, runs on that connection and thread once the check passed (the window's audit
    // retention); its error is reported as the result.
    static void verify(const Profile &profile, KeyStore *store, std::function<void(Status)> done,
                       std::function<Status(Vault &)> afterCheck = {});

    // Steps of a key rotation, in order. A test hook may stop the process at any of them.
    enum class RotationStep {
        Start,
        PendingWritten,
        Rekeyed,
        CurrentWritten,
        Done
    };
    using StepHook = std::function<void(RotationStep)>;

    // New random key; pending entry written first, PRAGMA rekey, current entry replaced, pending
    // removed. A crash at any point leaves a vault that opens with what the keychain holds.
    // Holds the profile's rotation lock throughout: a rotation already running in another
    // process makes this one fail with VaultBusy before anything is changed.
    static void rotateKey(const std::shared_ptr<Vault> &vault, const Profile &profile, KeyStore *store,
                          std::function<void(Status)> done, StepHook hook = {});

    // The explicit, confirmed way out when the key is gone for good (reset-vault, Reset in the
    // window). Acts only on a vault that provably cannot be opened with what the keychain holds:
    // it first unlocks as usual (current key, then the pending one) and goes on only when that
    // fails with KeyMissing (the keyring is unlocked and has no key), VaultWrongKey or
    // VaultDamaged. Any other outcome is returned unchanged and nothing is touched: a vault
    // that opens (InvalidInput: nothing to reset), a locked or missing keychain, a busy,
    // read-only or full disk. Then, in this order, each step safe to interrupt:
    //   1. every key entry of the profile is copied to "<entry>:aside-<stamp>" (never deleted:
    //      a damaged file may still be salvaged with its own key),
    //   2. the vault files are moved to "<vault>.unreadable-<stamp>" (never deleted),
    //   3. the current and pending entries are removed, and a first-run unlock makes a new key
    //      and an empty vault.
    struct ResetOutcome {
        QString asidePath;            // where the old vault file is now
        QStringList keptKeyEntries;   // keychain entries that now hold the old keys
        std::shared_ptr<Vault> vault; // the new, empty vault
    };
    static void resetUnreadable(const Profile &profile, KeyStore *store,
                                std::function<void(Result<ResetOutcome>)> done);
    // Step 2 alone: moves the vault files aside (never deletes them). Returns the new location.
    static Result<QString> moveVaultAside(const Profile &profile);
    // Every keychain entry MailKey may hold for the profile: its key, a pending rotation key, and
    // the copies resetUnreadable() kept for each vault it moved aside (found from the moved-aside
    // files' names). For erasing everything (mailkey-cli erase-all).
    static QStringList keychainEntries(const Profile &profile);

    // The cross-process lock that key rotations (and resets) hold: slot 0 of the profile's lock
    // file (accounts use their id, which is never 0). VaultBusy when another process holds it.
    static constexpr qint64 RotationLockSlot = 0;
    static Result<std::shared_ptr<CrossProcessLock>> lockForRotation(const Profile &profile);
};

} // namespace mailkey
