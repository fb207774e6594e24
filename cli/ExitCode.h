#pragma once

#include "core/common/Result.h"

namespace mailkey::cli {

// mailkey-cli's documented exit codes (README, man page, --help).
enum ExitCode : int {
    Ok = 0,
    Failure = 1, // anything not listed below
    Usage = 2,   // bad command line: unknown command or flag, malformed address
    AccountNotFound = 3,
    NeedsSignIn = 4,      // the account must be connected again
    VaultUnavailable = 5, // no keychain, keyring locked, key missing, vault damaged or unreadable
    Network = 6,          // the provider (or, for check, a mail server) could not be reached
    LoginRefused = 7,     // check: a mail server refused the login or the command after it
    Untrusted = 8,        // check: a mail server's certificate is not trusted (nothing was sent)
    BackupPassphrase = 9, // import: the passphrase does not open the backup (nothing was changed)
    BadBackup = 10,       // import: not a backup, damaged or truncated, or from a newer MailKey
    Cancelled = 130,      // Ctrl-C
};

ExitCode exitCodeFor(ErrorCode code);

} // namespace mailkey::cli
