#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QStringList>

namespace mailkey {

// The claims MailKey uses from an OpenID Connect id_token. None of them is a secret (they are
// the account's identity), but the token itself is never logged.
struct IdTokenClaims {
    QString issuer;          // iss
    QString subject;         // sub: the stable account id at this issuer
    QStringList audience;    // aud
    QString authorizedParty; // azp
    QString email;
    bool emailVerified = false;
    QString name;
    QString preferredUsername; // Microsoft: the sign-in name (usually the e-mail address)
    QString tenantId;          // tid (Microsoft)
    QString objectId;          // oid (Microsoft)
    QDateTime expiresAt;       // exp
    QDateTime issuedAt;        // iat
};

// What the id_token must match.
struct IdTokenExpectations {
    // Exact issuer. For Microsoft's multi-tenant endpoints ("common", "organizations",
    // "consumers") the discovery document's issuer
    // "https://login.microsoftonline.com/{tenantid}/v2.0" may be given as is: {tenantid} is
    // replaced by the token's tid claim (which must be a GUID) before the exact comparison.
    QString issuer;
    QString clientId; // must be in aud; azp, if present, must equal it
    QByteArray nonce; // the nonce sent with the authorization request; empty = not checked
                      // (refresh replies need not carry one)
    QDateTime now;    // injected clock
    qint64 clockSkewSeconds = 300;
};

enum class IdTokenFailure {
    None,
    Malformed, // not three base64url parts of JSON objects, missing/mistyped claims
    Algorithm, // "alg":"none" or missing
    Issuer,
    Audience,
    AuthorizedParty,
    Expired,
    NotYetValid, // nbf / iat in the future beyond the clock skew
    Nonce,
};

// Reads and checks an id_token.
//
// The signature is NOT verified, on purpose: OIDC Core 3.1.3.7 (6) allows a client that received
// the id_token directly from the token endpoint over TLS to use the TLS server validation
// instead of checking the signature. MailKey only ever takes the id_token from the token
// endpoint reply (HTTPS), never from a redirect or another party, so it needs no key download
// (no network here). Do not use this for id_tokens from any other source.
//
// Checked: alg present and not "none"; iss exact; aud contains the client id; with several
// audiences azp is required; azp (if present) equals the client id; exp + skew > now;
// nbf and iat not later than now + skew; nonce (constant time) when expected; sub present.
class IdToken {
public:
    static Result<IdTokenClaims> validate(const QByteArray &jwt, const IdTokenExpectations &expect,
                                          IdTokenFailure *failure = nullptr);
    static Result<IdTokenClaims> validate(const QString &jwt, const IdTokenExpectations &expect,
                                          IdTokenFailure *failure = nullptr);

    // Decodes the claims without checking anything but the format (for diagnostics/tests).
    static Result<IdTokenClaims> decodeUnverified(const QByteArray &jwt, IdTokenFailure *failure = nullptr);
};

} // namespace mailkey
