#pragma once

#include <QString>

namespace mailkey {

// The rules for a mailbox address, wherever one enters MailKey: from a provider's profile answer at
// sign-in (ProfileFetcher), from the command line and from the window's socket (TokenBroker).
class MailAddress {
public:
    static constexpr int MaxLength = 254;
    static constexpr int MaxLocalPart = 64;

    // A plausible mailbox address: local@domain, a local part of at most 64 and an address of at
    // most 254 characters, no whitespace, no control, bidi or other format character (see
    // TextSafety), no quote, backslash, slash, brackets, comma, semicolon or colon, no empty label
    // at either end of the domain or between its dots.
    static bool isPlausible(const QString &email);
};

} // namespace mailkey
