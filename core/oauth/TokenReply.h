#pragma once

#include "core/common/Result.h"
#include "core/common/SecretString.h"
#include "core/oauth/OAuthErrorCatalog.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

#include <variant>

namespace mailkey {

// The tokens of one successful token-endpoint reply. Move-only: the token strings are wiped when
// the set is destroyed or wipe() is called.
struct TokenSet {
    SecretString accessToken;
    SecretString refreshToken;        // the new one, or previousRefreshToken when the reply had none
    SecretString idToken;             // empty when the provider sent none
    QString tokenType;                // "Bearer"
    qint64 expiresIn = 0;             // seconds, as sent (1 .. kMaxExpiresIn)
    QDateTime expiresAt;              // now + expiresIn (UTC)
    QStringList scopes;               // granted scopes; the requested ones when the reply had no "scope"
    bool refreshTokenRotated = false; // the reply carried a (new) refresh token
    bool scopesFromRequest = false;   // "scope" was absent (RFC 6749 5.1: same as requested)

    // Forgets everything (the tokens are wiped).
    void wipe();
};

// Either the tokens or the OAuth error of a token-endpoint reply.
class [[nodiscard]] TokenReplyResult {
public:
    TokenReplyResult(TokenSet tokens) : m_data(std::in_place_index<0>, std::move(tokens)) {}
    TokenReplyResult(OAuthError error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    TokenSet &tokens() { return std::get<0>(m_data); }
    const TokenSet &tokens() const { return std::get<0>(m_data); }
    const OAuthError &oauthError() const { return std::get<1>(m_data); }
    // The project-wide Error (code from the kind, message = userMessage). Only when !ok().
    Error error() const { return OAuthErrorCatalog::toError(oauthError()); }

private:
    std::variant<TokenSet, OAuthError> m_data;
};

// expires_in above this (one year) is treated as a broken reply: no provider issues access
// tokens for that long, and a huge value would keep a dead token "valid" forever.
inline constexpr qint64 kMaxExpiresIn = 365LL * 24 * 60 * 60;
// Replies larger than this are not parsed (token replies are a few KB).
inline constexpr qsizetype kMaxTokenReplySize = 1024 * 1024;

// Parses the token endpoint's HTTP reply (authorization_code and refresh_token grants) in the
// project's own code, the same on every Qt version (Qt 6.4 swallows token-endpoint errors).
//
// Success (2xx, JSON object, no "error" member) requires:
//  - access_token: a non-empty string;
//  - token_type: a string equal to "Bearer" (case-insensitive, RFC 6749 7.1);
//  - expires_in: a number or a numeric string (Microsoft used to send strings), an integer
//    1 .. kMaxExpiresIn. RFC 6749 only RECOMMENDS it, but both supported providers always send
//    it and a token of unknown lifetime cannot be refreshed on time, so a missing one is an error;
//  - scope: optional, a space-separated string; absent = the requested scopes (RFC 6749 5.1);
//  - refresh_token, id_token: optional strings; an absent or empty refresh_token keeps
//    previousRefreshToken.
// Anything else is an OAuthError with kind Malformed. Error replies (RFC 6749 5.2 JSON with an
// "error" member, any status) are classified by OAuthErrorCatalog. Non-JSON replies: 429/5xx are
// Transient, 3xx/404/405/410 and 401/403 Configuration (wrong token URL or client), others
// Malformed. httpStatus 0 (no HTTP reply) is Transient.
//
// Nothing of a success body ever reaches a message; error texts are redacted and shortened.
TokenReplyResult parseTokenReply(int httpStatus, const QByteArray &contentType, const QByteArray &body,
                                 const QDateTime &now, const QStringList &requestedScopes,
                                 const SecretString &previousRefreshToken = SecretString());

// Retry-After (RFC 9110 10.2.3): delta-seconds or an HTTP-date (IMF-fixdate, RFC 850 and
// asctime forms). Returns the UTC time before which not to retry, never earlier than now;
// an invalid QDateTime when the header is empty or unreadable. Delays are capped at one day.
QDateTime parseRetryAfter(const QByteArray &headerValue, const QDateTime &now);

} // namespace mailkey
