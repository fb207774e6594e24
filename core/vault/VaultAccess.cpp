#include "core/vault/VaultAccess.h"

#include "core/common/CrossProcessLock.h"
#include "core/keychain/KeyStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMetaObject>
#include <QObject>
#include <QThreadPool>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::VaultAccess)
};
} // namespace

namespace {

constexpr int KeySize = 32;

Error keyMissingError(const Profile &profile)
{
    return {ErrorCode::KeyMissing,
            Text::tr("MailKey's vault for profile \"%1\" exists, but its key is not in your keychain. "
                     "If your keyring is locked, unlock it and try again. If the key was deleted, the "
                     "vault cannot be opened; MailKey will not replace the key on its own, because that "
                     "would make the vault unreadable for good. To start over, reset the vault "
                     "(mailkey-cli --profile %1 reset-vault --yes, or Reset in the window): the old file "
                     "is kept aside, not deleted.")
                .arg(profile.name())};
}

using OpenedCallback = std::function<void(Result<std::shared_ptr<Vault>>)>;

// Vault::open on a pool thread, the result delivered on the calling thread's event loop: opening
// reads every page for the integrity check, and may upgrade the schema or rewrite a SQLCipher 3
// file, which takes seconds on a large vault and must not stall the window. The connection is
// opened with SQLITE_OPEN_FULLMUTEX, so the calling thread may use it afterwards. The key stays
// with the caller (it is only read, and the caller waits for the result before touching it).
void openOffThread(const QString &path, std::shared_ptr<const SecureBytes> key, Vault::OpenMode mode,
                   Vault::IntegrityCheck check, OpenedCallback done)
{
    auto *context = new QObject; // in the calling thread; deleted once the result is delivered
    QThreadPool::globalInstance()->start(
        [path, key = std::move(key), mode, check, context, done = std::move(done)]() mutable {
            auto opened = Vault::open(path, *key, mode, check);
            auto result = std::make_shared<Result<std::shared_ptr<Vault>>>(
                opened ? Result<std::shared_ptr<Vault>>(std::shared_ptr<Vault>(std::move(opened).value()))
                       : Result<std::shared_ptr<Vault>>(opened.error()));
            QMetaObject::invokeMethod(
                context,
                [context, result, done = std::move(done)]() {
                    delete context;
                    done(std::move(*result));
                },
                Qt::QueuedConnection);
        });
}

void openExisting(const Profile &profile, KeyStore *store, SecureBytes key, VaultAccess::OpenCallback done,
                  Vault::IntegrityCheck check);

void createFirstRun(const Profile &profile, KeyStore *store, VaultAccess::OpenCallback done)
{
    // The key goes into the keychain before any file exists: a failed write leaves nothing behind.
    SecureBytes key = SecureBytes::random(KeySize);
    const QByteArray copy(key.bytes().constData(), key.size());
    auto shared = std::make_shared<SecureBytes>(std::move(key));
    store->write(profile.keychainKey(), copy, [profile, shared, done = std::move(done)](Status written) {
        if (!written) {
            done(written.error());
            return;
        }
        openOffThread(profile.databasePath(), shared, Vault::OpenMode::Create, Vault::IntegrityCheck::Full,
                      [shared, done](Result<std::shared_ptr<Vault>> opened) {
                          shared->clear();
                          if (!opened) {
                              done(opened.error());
                              return;
                          }
                          done(OpenedVault{*opened, true, false});
                      });
    });
    QByteArray wipe = copy;
    secureWipe(wipe);
}

void promotePending(const Profile &profile, KeyStore *store, const std::shared_ptr<Vault> &vault,
                    const SecureBytes &pending, VaultAccess::OpenCallback done);

void tryPending(const Profile &profile, KeyStore *store, Error firstError, VaultAccess::OpenCallback done,
                Vault::IntegrityCheck check)
{
    store->read(profile.pendingKeychainKey(),
                [profile, store, firstError, done = std::move(done), check](Result<SecureBytes> pending) mutable {
                    if (!pending) {
                        done(firstError);
                        return;
                    }
                    auto key = std::make_shared<SecureBytes>(std::move(pending).value());
                    openOffThread(profile.databasePath(), key, Vault::OpenMode::OpenExisting, check,
                                  [profile, store, firstError, key,
                                   done = std::move(done)](Result<std::shared_ptr<Vault>> opened) mutable {
                                      if (!opened) {
                                          done(firstError);
                                          return;
                                      }
                                      promotePending(profile, store, *opened, *key, std::move(done));
                                  });
                });
}

// The rotation was interrupted after the rekey: finish it (promote, then drop the pending entry).
void promotePending(const Profile &profile, KeyStore *store, const std::shared_ptr<Vault> &vault,
                    const SecureBytes &pending, VaultAccess::OpenCallback done)
{
    const QByteArray bytes(pending.bytes().constData(), pending.size());
    store->write(profile.keychainKey(), bytes, [profile, store, vault, done = std::move(done)](Status promoted) {
        if (!promoted) {
            done(promoted.error());
            return;
        }
        store->remove(profile.pendingKeychainKey(), [vault, done](Status) {
            AuditEntry e;
            e.action = QStringLiteral("vault.key-rotation-completed");
            e.outcome = QStringLiteral("ok");
            e.detail = QStringLiteral("an interrupted key rotation was completed at startup");
            e.actor = QStringLiteral("mailkey");
            vault->appendAudit(e).ok();
            done(OpenedVault{vault, false, true});
        });
    });
    QByteArray wipe = bytes;
    secureWipe(wipe);
}

void openExisting(const Profile &profile, KeyStore *store, SecureBytes key, VaultAccess::OpenCallback done,
                  Vault::IntegrityCheck check)
{
    auto shared = std::make_shared<SecureBytes>(std::move(key));
    openOffThread(
        profile.databasePath(), shared, Vault::OpenMode::OpenExisting, check,
        [profile, store, shared, check, done = std::move(done)](Result<std::shared_ptr<Vault>> opened) mutable {
            shared->clear();
            if (!opened) {
                if (opened.error().code == ErrorCode::VaultWrongKey) {
                    tryPending(profile, store, opened.error(), std::move(done), check);
                    return;
                }
                done(opened.error());
                return;
            }
            // A pending entry next to a working current key is either left over from a
            // rotation that was interrupted before its rekey (it never encrypted
            // anything) or belongs to a rotation running right now in another process or
            // in this one. Removing it here could drop the only key of a vault that is
            // being re-encrypted, so it is left alone: the next rotation overwrites it
            // first thing, under the rotation lock.
            done(OpenedVault{*opened, false, false});
        });
}

} // namespace

void VaultAccess::verify(const Profile &profile, KeyStore *store, std::function<void(Status)> done,
                         std::function<Status(Vault &)> afterCheck)
{
    store->read(profile.keychainKey(), [profile, done = std::move(done),
                                        afterCheck = std::move(afterCheck)](Result<SecureBytes> key) mutable {
        if (!key) {
            done(key.error());
            return;
        }
        auto shared = std::make_shared<SecureBytes>(std::move(key).value());
        auto *context = new QObject; // in the calling thread; deleted once the result is delivered
        QThreadPool::globalInstance()->start([path = profile.databasePath(), shared, context, done = std::move(done),
                                              afterCheck = std::move(afterCheck)]() mutable {
            Status result;
            {
                auto opened = Vault::open(path, *shared, Vault::OpenMode::OpenExisting, Vault::IntegrityCheck::Full);
                if (!opened)
                    result = opened.error();
                else if (afterCheck)
                    result = afterCheck(**opened);
            } // the second connection closes here, on this thread
            shared->clear();
            QMetaObject::invokeMethod(
                context,
                [context, result, done = std::move(done)]() {
                    delete context;
                    done(result);
                },
                Qt::QueuedConnection);
        });
    });
}

void VaultAccess::unlock(const Profile &profile, KeyStore *store, OpenCallback done, Vault::IntegrityCheck check)
{
    // Without any keychain the read fails with NoKeychain and nothing is created anywhere.
    store->read(profile.keychainKey(),
                [profile, store, done = std::move(done), check](Result<SecureBytes> key) mutable {
                    const bool vaultExists = QFileInfo::exists(profile.databasePath());
                    if (key) {
                        if (vaultExists) {
                            openExisting(profile, store, std::move(key).value(), std::move(done), check);
                        } else {
                            if (Status dir = Vault::ensurePrivateDirectory(profile.dataDir()); !dir) {
                                done(dir.error());
                                return;
                            }
                            auto shared = std::make_shared<SecureBytes>(std::move(key).value());
                            openOffThread(profile.databasePath(), shared, Vault::OpenMode::Create, check,
                                          [shared, done = std::move(done)](Result<std::shared_ptr<Vault>> opened) {
                                              if (!opened) {
                                                  done(opened.error());
                                                  return;
                                              }
                                              done(OpenedVault{*opened, true, false});
                                          });
                        }
                        return;
                    }
                    if (key.error().code != ErrorCode::NotFound) {
                        done(key.error());
                        return;
                    }
                    if (vaultExists) {
                        // A locked Secret Service reads an existing entry as "not found": ask it.
                        store->probeLocked([profile, done = std::move(done)](std::optional<bool> locked) {
                            if (locked.value_or(false))
                                done(Error(ErrorCode::KeychainLocked,
                                           Text::tr("Your keyring is locked, so MailKey cannot read its vault key. "
                                                    "Unlock your keyring (for example with Seahorse, or by logging in "
                                                    "to your desktop session) and try again.")));
                            else
                                done(keyMissingError(profile));
                        });
                        return;
                    }
                    if (Status dir = Vault::ensurePrivateDirectory(profile.dataDir()); !dir) {
                        done(dir.error());
                        return;
                    }
                    createFirstRun(profile, store, std::move(done));
                });
}

Result<std::shared_ptr<CrossProcessLock>> VaultAccess::lockForRotation(const Profile &profile)
{
    auto lock = std::make_shared<CrossProcessLock>(profile.lockPath(), RotationLockSlot);
    const Result<bool> held = lock->tryLock();
    if (!held)
        return held.error();
    if (!*held)
        return Error(ErrorCode::VaultBusy,
                     Text::tr("Another MailKey program is changing the vault key right now. Wait a moment "
                              "and try again; nothing was changed."));
    return lock;
}

void VaultAccess::rotateKey(const std::shared_ptr<Vault> &vault, const Profile &profile, KeyStore *store,
                            std::function<void(Status)> done, StepHook hook)
{
    if (!hook)
        hook = [](RotationStep) {};
    hook(RotationStep::Start);
    // Every keychain step below keeps one entry that opens the vault: the pending entry is
    // written before the rekey and removed only after the current entry holds the new key. A
    // second rotation at the same time (another process) would overwrite the pending entry
    // between our rekey and our promotion, so rotations take a lock of their own.
    auto lock = lockForRotation(profile);
    if (!lock) {
        done(lock.error());
        return;
    }
    done = [done = std::move(done), held = *lock](Status s) {
        held->unlock();
        done(std::move(s));
    };
    auto newKey = std::make_shared<SecureBytes>(SecureBytes::random(KeySize));
    const QByteArray bytes(newKey->bytes().constData(), newKey->size());
    auto audit = [vault](const QString &outcome, const QString &detail) {
        AuditEntry e;
        e.action = QStringLiteral("vault.key-rotated");
        e.outcome = outcome;
        e.detail = detail;
        e.actor = QStringLiteral("mailkey");
        vault->appendAudit(e).ok();
    };
    store->write(profile.pendingKeychainKey(), bytes,
                 [vault, profile, store, newKey, done = std::move(done), hook, audit](Status pendingWritten) {
                     if (!pendingWritten) {
                         audit(QStringLiteral("failed"), pendingWritten.error().message);
                         done(pendingWritten);
                         return;
                     }
                     hook(RotationStep::PendingWritten);
                     if (Status rekeyed = vault->rekey(*newKey); !rekeyed) {
                         // The vault still uses the current key; the stale pending entry is removed.
                         store->remove(profile.pendingKeychainKey(), [done, rekeyed, audit](Status) {
                             audit(QStringLiteral("failed"), rekeyed.error().message);
                             done(rekeyed);
                         });
                         return;
                     }
                     hook(RotationStep::Rekeyed);
                     const QByteArray again(newKey->bytes().constData(), newKey->size());
                     newKey->clear();
                     store->write(profile.keychainKey(), again, [profile, store, done, hook, audit](Status current) {
                         if (!current) {
                             // The vault is under the new key, which is safe in the pending entry;
                             // the next unlock promotes it.
                             audit(QStringLiteral("incomplete"), current.error().message);
                             done(current);
                             return;
                         }
                         hook(RotationStep::CurrentWritten);
                         store->remove(profile.pendingKeychainKey(), [done, hook, audit](Status) {
                             audit(QStringLiteral("ok"), QString());
                             hook(RotationStep::Done);
                             done(Status());
                         });
                     });
                     QByteArray wipe = again;
                     secureWipe(wipe);
                 });
    QByteArray wipe = bytes;
    secureWipe(wipe);
}

namespace {

// The names resetUnreadable() gives what it keeps: "vault.db.unreadable-<stamp>" for the file,
// "<entry>:aside-<stamp>" for each keychain entry.
constexpr const char *kAsideSuffix = ".unreadable-";
constexpr const char *kAsideKeySuffix = ":aside-";

QString asideStamp()
{
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
}

Result<QString> moveAside(const Profile &profile, const QString &stamp)
{
    const QString db = profile.databasePath();
    if (!QFileInfo::exists(db))
        return Error(ErrorCode::NotFound,
                     Text::tr("There is no vault to reset for profile \"%1\".").arg(profile.name()));
    const QString aside = db + QString::fromLatin1(kAsideSuffix) + stamp;
    for (const char *suffix : {"-wal", "-shm"}) {
        const QString from = db + QString::fromLatin1(suffix);
        if (QFileInfo::exists(from) && !QFile::rename(from, aside + QString::fromLatin1(suffix)))
            return Error(ErrorCode::VaultIo, Text::tr("MailKey could not move %1 aside.").arg(from));
    }
    if (!QFile::rename(db, aside))
        return Error(ErrorCode::VaultIo, Text::tr("MailKey could not move %1 aside.").arg(db));
    return aside;
}

// Copies each entry that exists to "<entry>:aside-<stamp>", one after the other.
void keepKeys(KeyStore *store, QStringList entries, const QString &stamp, QStringList kept,
              std::function<void(Result<QStringList>)> done)
{
    if (entries.isEmpty()) {
        done(kept);
        return;
    }
    const QString entry = entries.takeFirst();
    store->read(entry, [store, entry, entries, stamp, kept, done = std::move(done)](Result<SecureBytes> key) mutable {
        if (!key) {
            if (key.error().code != ErrorCode::NotFound) {
                done(key.error());
                return;
            }
            keepKeys(store, entries, stamp, kept, std::move(done));
            return;
        }
        const QString copy = entry + QString::fromLatin1(kAsideKeySuffix) + stamp;
        QByteArray bytes(key->bytes().constData(), key->size());
        store->write(copy, bytes, [store, copy, entries, stamp, kept, done = std::move(done)](Status written) mutable {
            if (!written) {
                done(written.error());
                return;
            }
            kept << copy;
            keepKeys(store, entries, stamp, kept, std::move(done));
        });
        secureWipe(bytes);
    });
}

} // namespace

Result<QString> VaultAccess::moveVaultAside(const Profile &profile)
{
    return moveAside(profile, asideStamp());
}

QStringList VaultAccess::keychainEntries(const Profile &profile)
{
    QStringList entries{profile.keychainKey(), profile.pendingKeychainKey()};
    const QString prefix = QFileInfo(profile.databasePath()).fileName() + QString::fromLatin1(kAsideSuffix);
    for (const QString &name : QDir(profile.dataDir()).entryList({prefix + QLatin1Char('*')}, QDir::Files)) {
        const QString stamp = name.mid(prefix.size()).section(QLatin1Char('-'), 0, 1); // "-wal" / "-shm" files too
        for (const QString &entry : {profile.keychainKey(), profile.pendingKeychainKey()}) {
            const QString kept = entry + QString::fromLatin1(kAsideKeySuffix) + stamp;
            if (!entries.contains(kept))
                entries << kept;
        }
    }
    return entries;
}

void VaultAccess::resetUnreadable(const Profile &profile, KeyStore *store,
                                  std::function<void(Result<ResetOutcome>)> done)
{
    if (!QFileInfo::exists(profile.databasePath())) {
        // Checked first: the unlock below would make a new vault on a first run.
        done(
            Error(ErrorCode::NotFound, Text::tr("There is no vault to reset for profile \"%1\".").arg(profile.name())));
        return;
    }
    auto lock = lockForRotation(profile);
    if (!lock) {
        done(lock.error());
        return;
    }
    unlock(profile, store, [profile, store, held = *lock, done = std::move(done)](Result<OpenedVault> opened) mutable {
        if (opened) {
            opened->vault.reset();
            done(Error(ErrorCode::InvalidInput,
                       Text::tr("The vault of profile \"%1\" opens with the key in your keychain, so there is "
                                "nothing to reset and nothing was changed. To remove accounts, remove them one "
                                "by one or sign out everywhere.")
                           .arg(profile.name())));
            return;
        }
        const ErrorCode code = opened.error().code;
        if (code != ErrorCode::KeyMissing && code != ErrorCode::VaultWrongKey && code != ErrorCode::VaultDamaged) {
            // Not provably unreadable: locked or missing keychain, busy, read-only or full disk,
            // or no vault at all. The reason is the unlock's own message; nothing was touched.
            done(opened.error());
            return;
        }
        const QString stamp = asideStamp();
        keepKeys(store, {profile.keychainKey(), profile.pendingKeychainKey()}, stamp, {},
                 [profile, store, held, stamp, done = std::move(done)](Result<QStringList> kept) mutable {
                     if (!kept) {
                         done(kept.error());
                         return;
                     }
                     auto aside = moveAside(profile, stamp);
                     if (!aside) {
                         done(aside.error());
                         return;
                     }
                     ResetOutcome outcome{*aside, *kept, {}};
                     store->remove(profile.pendingKeychainKey(), [profile, store, held, outcome,
                                                                  done = std::move(done)](Status) mutable {
                         store->remove(profile.keychainKey(), [profile, store, held, outcome,
                                                               done = std::move(done)](Status removed) mutable {
                             if (!removed) {
                                 done(removed.error());
                                 return;
                             }
                             unlock(profile, store,
                                    [held, outcome, done = std::move(done)](Result<OpenedVault> fresh) mutable {
                                        held->unlock();
                                        if (!fresh) {
                                            done(fresh.error());
                                            return;
                                        }
                                        outcome.vault = fresh->vault;
                                        done(outcome);
                                    });
                         });
                     });
                 });
    });
}

} // namespace mailkey
