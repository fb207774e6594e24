#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

namespace mailkey {

// The one function every error message and log line passes through before it leaves the
// process (log, dialog, audit, CLI stderr).
//
// It masks secret VALUES and keeps their NAMES, so a message stays useful:
//   "refresh_token=1//0gAbc..."                  -> "refresh_token=[redacted]"
//   {"access_token":"eyJ0eXAi..."}               -> {"access_token":"[redacted]"}
//   "Authorization: Bearer ya29.a0Af..."         -> "Authorization: Bearer [redacted]"
//   PRAGMA key = "x'2DD2...'"                    -> PRAGMA key = [redacted]
//
// What is masked:
//  - named fields in JSON (also JSON inside a JSON string), form bodies, URL queries/fragments
//    and "name: value" log text: access/refresh/id tokens, authorization codes, PKCE verifier
//    and challenge, state, nonce, client secrets and assertions, passwords, token=, vault keys;
//  - HTTP Authorization / Proxy-Authorization / Cookie headers, bare "Bearer <token>" and
//    "Basic <base64>" values, SASL XOAUTH2 / OAUTHBEARER / PLAIN arguments (raw and base64);
//  - SQLCipher keys: PRAGMA key/rekey values and x'<hex>' blobs;
//  - passwords in URLs (scheme://user:password@host);
//  - token shapes without a name: JWT/JWE (eyJ...), Google ya29. access tokens, 1// refresh
//    tokens, 4/0 authorization codes, GOCSPX- client secrets, AIza API keys; Microsoft
//    M.C.../M.R... codes and refresh tokens, EwA/EwB/EwC access tokens, 0.A/1.A tokens and
//    AQAB... v1 refresh tokens; and any unbroken base64/base64url run of 32+ characters with
//    letters and digits, or any 32+ hex run.
//
// What is kept: AADSTS numbers and their descriptions, error codes (invalid_grant), error_codes
// arrays, GUIDs (trace and correlation ids, client ids, tenant ids), timestamps, e-mail
// addresses, URL schemes, hosts and paths (only path segments that look like a token are
// masked), numeric codes such as error?code=70008, and identifier-like JSON "code" values such
// as "InvalidAuthenticationToken".
//
// It errs on the side of masking. It does not shorten its input; callers that show a reply
// body should cut it first.
QString redact(const QString &text);

// Byte version (bodies, raw protocol lines). Bytes are processed as Latin-1, so bytes that are
// not valid UTF-8 are kept exactly.
QByteArray redact(const QByteArray &text);

namespace detail {
// For tests. Whether `text` takes the fast path (it provably contains nothing any pattern would
// mask, so redact() returns it as it is without compiling a regular expression), and the full
// pass of every pattern without that fast path.
bool redactFastPathApplies(QStringView text);
QString redactAllPatterns(const QString &text);
} // namespace detail

// The placeholder that replaces a secret value.
inline constexpr char kRedacted[] = "[redacted]";

} // namespace mailkey
