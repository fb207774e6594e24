#pragma once

#include "core/common/Result.h"

#include <QString>

namespace mailkey {

// What the startup banner says for a keychain or vault error: a title, core's message (already
// written for the user), the next steps, and which buttons make sense.
struct VaultErrorAdvice {
    QString title;
    QString message;   // core's message
    QString nextSteps; // what to do now
    bool canRetry = true;
    bool offerReset = false;  // "Reset vault…" (moves the old files aside, after a confirmation)
    bool offerUnlock = false; // "Unlock" (the keyring's own password prompt; KeyringUnlock)

    QString fullText() const; // message + blank line + next steps

    // `canUnlock`: the window can ask the keyring to unlock itself (KeyringUnlock::offered()); the
    // next steps of a locked keyring then name the Unlock button.
    static VaultErrorAdvice forError(const Error &error, bool canUnlock = false);
};

} // namespace mailkey
