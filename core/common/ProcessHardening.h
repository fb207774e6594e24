#pragma once

namespace mailkey {

// Disables core dumps and (on Linux) ptrace attach by other processes of the same user, so key
// material in memory does not end up in a crash dump. Call first thing in main().
void hardenProcess();

// Tells libcrypto (used by SQLCipher and the Secret Service session) not to clean up at exit.
// The vault is opened on a pool thread, and Qt's threads are detached: the thread's libcrypto
// state is released by its thread-exit handler, which can still be running when main() returns
// and exit() runs OPENSSL_cleanup, and the two free the same memory (seen as "double free or
// corruption" or a crash in OPENSSL_cleanup at the end of about one `mailkey-cli list` in two
// thousand). The process is ending anyway; the system takes the memory back. Must come before
// anything else uses libcrypto; hardenProcess() calls it. A no-op where libcrypto is not linked.
void keepLibcryptoUntilExit();

// Whether core dumps are disabled for this process (for tests).
bool coreDumpsDisabled();

} // namespace mailkey
