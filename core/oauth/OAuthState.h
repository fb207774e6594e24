#pragma once

#include "core/common/SecureBytes.h"

#include <QByteArray>

namespace mailkey {

// The OAuth "state" (RFC 6749 10.12, CSRF and mix-up protection) and the OIDC "nonce"
// (OIDC Core 3.1.2.1, binds the id_token to this sign-in). Both are 256 bits from the OS CSPRNG
// (QRandomGenerator::system()), base64url without padding: 43 characters. Qt 6.4's own state is
// 8 characters from a clock-seeded mt19937 (CVE-2024-36048) and must not be used.
class OAuthState {
public:
    static SecureBytes generate();
    static SecureBytes generateNonce();

    // Constant-time comparison of the state we sent with the one that came back. An empty
    // expected or received value never matches.
    static bool matches(const QByteArray &expected, const QByteArray &received);

    static constexpr int kRandomBytes = 32;
};

} // namespace mailkey
