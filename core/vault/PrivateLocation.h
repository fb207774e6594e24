#pragma once

#include "core/common/Result.h"

#include <QString>

namespace mailkey {

// Keeps other users of the computer away from the vault's folder and files (issue 18: in a
// world-writable profile folder another user replaced vault.db-wal with a symlink, and the next
// token hand-out wrote WAL frames into the victim's file). Unix only; elsewhere every check
// passes (the per-user application data folder is private there).
//
// A folder is private when it is a real folder (not a link) owned by this user, with no
// permission bits for group or others (tightened to 0700 when it is ours and nobody else could
// write to it; refused when it could have been written to, since something may already have
// been planted). Every folder above it must be owned by this user or root and not writable by
// others, unless its sticky bit is set (as /tmp): otherwise another user could swap the whole
// folder. A file is private when, if it exists, it is a regular file (not a link), owned by this
// user, with one link, and then it is set to 0600. Refusals are ErrorCode::VaultUnsafe with a
// message that names the path and the command that fixes it; nothing is opened or changed.
namespace PrivateLocation {

// The folder (made with mode 0700 when missing and `create` is true) and its parents.
Status secureFolder(const QString &dir, bool create);
// The folder of `databasePath`, and the database with every file SQLite or MailKey keeps beside
// it (-wal, -shm, -journal, the ".new" of a vault being created, vault.lock).
Status secureVaultFiles(const QString &databasePath);

} // namespace PrivateLocation

} // namespace mailkey
