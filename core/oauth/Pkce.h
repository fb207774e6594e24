#pragma once

#include "core/common/SecureBytes.h"

#include <QByteArray>

namespace mailkey {

// RFC 7636 Proof Key for Code Exchange, S256 only (RFC 9700 2.1.1: "plain" is not used).
struct PkcePair {
    SecureBytes verifier; // code_verifier: secret until the token request, wiped on destruction
    QByteArray challenge; // code_challenge = BASE64URL(SHA256(verifier)), sent in the browser URL
};

class Pkce {
public:
    // 32 bytes from QRandomGenerator::system(), base64url without padding: a 43-character
    // verifier of the unreserved set [A-Za-z0-9-._~] with 256 bits of entropy (RFC 7636 4.1).
    static PkcePair generate();

    // BASE64URL-ENCODE(SHA256(ASCII(verifier))) without padding (RFC 7636 4.2).
    static QByteArray challengeS256(const QByteArray &verifier);

    // 43..128 characters of [A-Za-z0-9-._~] (RFC 7636 4.1).
    static bool isValidVerifier(const QByteArray &verifier);

    static constexpr int kVerifierBytes = 32;
    static constexpr const char *kMethod = "S256";
};

} // namespace mailkey
