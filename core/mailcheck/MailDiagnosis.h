#pragma once

#include "core/mailcheck/MailCheck.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace mailkey {

// What a failed mail login means, in plain words, and what to do: pure functions over what
// MailCheck saw and what the access token says about itself. No network, no secrets kept: the
// token is only read, its claims are copied, the token itself is not.
//
// Everything quoted from a server or a token is untrusted text: it is made safe to print
// (TextSafety) and cut short before it goes into a message.

// A SASL error challenge: the JSON of XOAUTH2's error (Google, Microsoft:
// {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}) or RFC 7628's OAUTHBEARER
// error ({"status":"invalid_token","scope":"...","openid-configuration":"..."}), base64-decoded.
struct SaslErrorChallenge {
    bool valid = false; // the challenge is a JSON object
    QString status;     // "401", "400", "invalid_token", "insufficient_scope", "invalid_request", ...
    QString schemes;
    QString scope;
    QString openidConfiguration;
};
SaslErrorChallenge decodeSaslErrorChallenge(const QByteArray &json);

// The claims of an access token that is a JWT (Microsoft Entra work and school accounts), read
// from its payload WITHOUT checking its signature: for explaining a failure, never for trusting.
// Google's access tokens (ya29...), Microsoft's for personal accounts and most others are opaque:
// jwt = false, nothing can be read.
struct AccessTokenClaims {
    bool jwt = false;
    QStringList audiences; // aud
    QStringList scopes;    // scp, split at spaces
    QStringList roles;     // roles (application permissions)
    QString user;          // upn, else preferred_username, else unique_name, else email
    QString userClaim;     // which of those it was
    QString tenant;        // tid
    QDateTime expires;     // exp (UTC), invalid if absent
};
AccessTokenClaims decodeAccessToken(const QByteArray &token);

struct MailDiagnosis {
    QString id;    // stable name for --json and tests: "smtp-auth-disabled", "token-wrong-user", ...
    QString what;  // what happened, in plain words
    QString fix;   // what the person can do
    QString admin; // what an administrator must do (an exact command where there is one), or ""
};

// What the server's answer means. `providerId` is "microsoft", "google" or a custom id; `email`
// the address that logged in. Empty for Outcome::Ok.
QList<MailDiagnosis> diagnoseFailure(const MailCheck::Report &report, const QString &providerId, const QString &email);

// What the token says about itself that would make `protocol`'s login fail: another resource
// (aud), a missing scope (scp), another user (upn). For an opaque token, one entry
// "token-opaque" that says so plainly (Google: always). Empty when nothing is wrong.
QList<MailDiagnosis> diagnoseToken(const AccessTokenClaims &claims, const QString &providerId,
                                   MailServer::Protocol protocol, const QString &email);

} // namespace mailkey
