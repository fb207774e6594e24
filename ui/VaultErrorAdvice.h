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
    bool offerReset = false; // "Reset vault…" (moves the old files aside, after a confirmation)

    QString fullText() const; // message + blank line + next steps

    static VaultErrorAdvice forError(const Error &error);
};

} // namespace mailkey
