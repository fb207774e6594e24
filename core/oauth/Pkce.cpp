#include "core/oauth/Pkce.h"

#include <QCryptographicHash>

namespace mailkey {

namespace {
constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
}

PkcePair Pkce::generate()
{
    const SecureBytes raw = SecureBytes::random(kVerifierBytes);
    PkcePair pair;
    pair.verifier = SecureBytes(raw.bytes().toBase64(kBase64Url));
    pair.challenge = challengeS256(pair.verifier.bytes());
    return pair;
}

QByteArray Pkce::challengeS256(const QByteArray &verifier)
{
    return QCryptographicHash::hash(verifier, QCryptographicHash::Sha256).toBase64(kBase64Url);
}

bool Pkce::isValidVerifier(const QByteArray &verifier)
{
    if (verifier.size() < 43 || verifier.size() > 128)
        return false;
    for (const char c : verifier) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '.' || c == '_' || c == '~';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace mailkey
