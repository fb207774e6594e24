#pragma once

#include <QString>

namespace mailkey::cli {

// The program that asked mailkey-cli for a token, for the audit log: the parent process's name
// ("msmtp"). Mail programs often run the helper through a shell (msmtp's passwordeval, mutt's
// *_oauth_refresh_command and mbsync's PassCmd use "sh -c"): then the shell's parent is named too,
// "msmtp (via sh)". Empty where the OS does not tell.
//   Linux: /proc/<pid>/comm, completed from /proc/<pid>/exe or the command line when the kernel
//   cut it to 15 bytes, and /proc/<pid>/stat; macOS: proc_pidpath + proc_pidinfo;
//   Windows: a Toolhelp32 process snapshot. Other systems: empty.
// Informational only: any program of the same user can name itself as it likes, so the name is
// what the requesting program claims to be, never an authorization.
QString requestingProgram();

} // namespace mailkey::cli
