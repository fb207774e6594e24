#pragma once

#include <QString>

namespace mailkey::cli {

// The program that asked mailkey-cli for a token, for the audit log: the parent process's name
// ("msmtp"). Mail programs often run the helper through a shell (msmtp's passwordeval, mutt's
// *_oauth_refresh_command and mbsync's PassCmd use "sh -c"): then the shell's parent is named too,
// "msmtp (via sh)". Empty where the OS does not tell.
//   Linux: /proc/<pid>/comm and /proc/<pid>/stat; macOS: proc_pidpath + proc_pidinfo;
//   Windows: a Toolhelp32 process snapshot. Other systems: empty.
QString requestingProgram();

} // namespace mailkey::cli
