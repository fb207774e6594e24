#pragma once

#include "core/common/Result.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace mailkey {

// What the caller should do about an OAuth error.
enum class OAuthErrorKind {
    Transient,     // retry later with back-off: 5xx, 429, server_error, temporarily_unavailable
    NeedsSignIn,   // stop refreshing; the user must sign in again (invalid_grant, consent, MFA...)
    Configuration, // signing in again will not help: client id, redirect URI, tenant, scopes,
                   // admin consent or an organisation policy must change
    Provider,      // the provider refused for a reason we do not know; show its message
    Malformed,     // the reply was not a valid OAuth reply (HTML page, bad JSON, missing fields)
};

// An error from the token endpoint or from the authorization redirect. Every text field is
// already redacted (Redactor) and shortened: safe to log and show.
struct OAuthError {
    int httpStatus = 0;    // 0 for authorization-redirect errors or when there was no reply
    QString error;         // RFC 6749 "error" ("invalid_grant")
    QString description;   // "error_description"
    QString subError;      // Microsoft "suberror" ("consent_required", "bad_token", ...)
    int aadsts = 0;        // Microsoft AADSTS number, 0 if none
    QList<int> errorCodes; // Microsoft "error_codes"
    QString traceId;       // Microsoft "trace_id" (a GUID, kept for support requests)
    QString correlationId; // Microsoft "correlation_id"
    OAuthErrorKind kind = OAuthErrorKind::Provider;
    QString userMessage;  // what happened and what to do, with the AADSTS number as a hint
    QDateTime retryAfter; // not before (from Retry-After, set by the caller); may be invalid
};

// Turns (error, description, AADSTS number) into a kind and a plain-language message.
// Covers RFC 6749 5.2 (token endpoint) and 4.1.2.1 (authorization redirect) codes, the OIDC
// codes, Google's codes and the Microsoft AADSTS numbers people actually meet.
class OAuthErrorCatalog {
public:
    // Token: the code exchange of a sign-in; Refresh: the token endpoint answering a refresh
    // (MailKey asked for no more than was granted, so a scope error is not the settings' fault);
    // Device: the device authorization endpoint and the token endpoint polled for a sign-in on
    // another device (RFC 8628).
    enum class Endpoint {
        Token,
        Authorization,
        Refresh,
        Device
    };

    // Fills kind and userMessage of e from its error, description, aadsts and httpStatus.
    static void describe(OAuthError &e, Endpoint where = Endpoint::Token);

    // An "error=..." redirect from the authorization endpoint (the loopback callback).
    // error and description are redacted and shortened here.
    static OAuthError fromAuthorizationResponse(const QString &error, const QString &description);

    static OAuthErrorKind classify(const QString &error, int aadsts, int httpStatus);
    static QString message(const QString &error, const QString &description, int aadsts, int httpStatus,
                           Endpoint where = Endpoint::Token);

    // Redacts text, collapses white space and cuts it to maxChars (redaction happens before the
    // cut, so a token cut in half cannot slip through).
    static QString sanitize(const QString &text, int maxChars = 600);

    // The first "AADSTS<digits>" in a Microsoft error_description, or 0.
    static int aadstsFromDescription(const QString &description);

    // The project-wide Error for an OAuthError: code from the kind (access_denied at sign-in
    // becomes ErrorCode::Cancelled), message = userMessage.
    static Error toError(const OAuthError &e);
};

} // namespace mailkey
