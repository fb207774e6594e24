#pragma once

namespace mailkey {

// Disables core dumps and (on Linux) ptrace attach by other processes of the same user, so key
// material in memory does not end up in a crash dump. Call first thing in main().
void hardenProcess();

// Whether core dumps are disabled for this process (for tests).
bool coreDumpsDisabled();

} // namespace mailkey
