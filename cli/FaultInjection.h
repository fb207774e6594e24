#pragma once

namespace mailkey::cli {

// Test builds only (CMake option MAILKEY_FAULT_INJECTION, on with the test suite; off in the
// packages): reads the environment and hooks the keychain so tests can stop mailkey-cli at a
// chosen keychain operation, not by timing luck.
//   MAILKEY_FAULT_KEYCHAIN_TRACE=FILE      appends "N before|after read|write|remove ENTRY" for
//                                          each operation (entry names only, never values)
//   MAILKEY_FAULT_KEYCHAIN_KILL=N:before   SIGKILL right before the N-th operation starts
//   MAILKEY_FAULT_KEYCHAIN_KILL=N:after    SIGKILL right after the keychain answered it
//   MAILKEY_FAULT_IMPORT_KILL=N            import: SIGKILL inside the vault transaction, after the
//                                          N-th account is written; "commit": right before COMMIT
// Without the option this does nothing.
void installFaultInjection();

} // namespace mailkey::cli
