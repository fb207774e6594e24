#pragma once

#include "core/backup/BackupFile.h"
#include "core/common/Result.h"
#include "core/common/SecureBytes.h"
#include "core/vault/VaultSnapshot.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>
#include <utility>

class QObject;

namespace mailkey {

// What `mailkey-cli export` / `import` and the window's File → Back up / Restore share: the files
// a backup carries besides the vault (settings.ini, the custom providers file), how they come back,
// the atomic 0600 write, and the key derivation run off the calling thread (scrypt with 128 MiB
// takes about half a second: never on the GUI thread). The file format is BackupFile's.
namespace Backups {

constexpr qint64 MaxBackupBytes = 512LL * 1024 * 1024;
constexpr int MinPassphraseChars = 8;

// The custom providers file in use (the configured one, else <config>/providers.json).
QString providersPath();

// settings.ini and the providers file, where they exist, by their names in a backup.
QList<std::pair<QString, QByteArray>> collectFiles();

// The backup's contents of this computer's vault snapshot.
BackupFile::Contents contentsOf(VaultSnapshot snapshot, const QString &profileName);

// Brings a backup's files back: provider settings this computer does not set yet are added to
// settings.ini (window positions and the providers file's path belong to the old computer); the
// providers file is written where this computer has none, else beside it as
// "<file>.from-backup". Returns one sentence per thing done (or not done), for the person.
QStringList restoreFiles(const QList<std::pair<QString, QByteArray>> &files);

// Writes `bytes` to `path` atomically (a temporary file beside it, synced, renamed over it), mode
// 0600. On failure nothing is written there, and the message says so.
Status writeAtomically(const QString &path, const QByteArray &bytes);

// Reads a backup file of at most MaxBackupBytes.
Result<QByteArray> readFile(const QString &path);

// Why `file` (its first bytes suffice) cannot be read by this MailKey, known before any passphrase
// is asked for: not a backup, or written by a newer version; nullopt when it can be tried.
// `problem` says which.
std::optional<Error> refusal(const QByteArray &file, BackupFile::Problem *problem = nullptr);

// "3 added, 1 updated, 0 kept as they were." and the lines before it, for the person.
QStringList describe(const ImportReport &report);

// BackupFile::write, and readFile + refusal + BackupFile::read of `path`, on a pool thread; `done`
// runs on the event loop of `context`'s thread, and not at all if `context` is gone. The passphrase
// is wiped on the pool thread after use. `Problem` says why a file was refused (None for other
// failures).
void writeAsync(BackupFile::Contents contents, SecureBytes passphrase, QObject *context,
                std::function<void(Result<QByteArray>)> done);
void readAsync(const QString &path, SecureBytes passphrase, QObject *context,
               std::function<void(Result<BackupFile::Contents>, BackupFile::Problem)> done);

} // namespace Backups

} // namespace mailkey
