#include "core/oauth/OAuthState.h"

namespace mailkey {

namespace {
SecureBytes randomToken()
{
    const SecureBytes raw = SecureBytes::random(OAuthState::kRandomBytes);
    return SecureBytes(raw.bytes().toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}
} // namespace

SecureBytes OAuthState::generate()
{
    return randomToken();
}

SecureBytes OAuthState::generateNonce()
{
    return randomToken();
}

bool OAuthState::matches(const QByteArray &expected, const QByteArray &received)
{
    if (expected.isEmpty() || received.isEmpty())
        return false;
    return constantTimeEquals(expected, received);
}

} // namespace mailkey
