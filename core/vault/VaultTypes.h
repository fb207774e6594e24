#pragma once

#include "core/common/SecretString.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace mailkey {

enum class AccountStatus {
    Connected,
    Refreshing,
    NeedsSignIn,
    Offline,
    Error
};

QString accountStatusToString(AccountStatus status);
AccountStatus accountStatusFromString(const QString &text);

// A connected mailbox. No secrets here: tokens live in TokenRecord.
struct Account {
    qint64 id = 0;
    QString provider; // provider id: "microsoft", "google", or a custom id
    QString email;    // the mailbox address (the duplicate check is (provider, email))
    QString displayName;
    QString tenant;  // Microsoft tenant id, if any
    QString subject; // the provider's stable user id (sub / Graph id)
    AccountStatus status = AccountStatus::Connected;
    QString statusReason;
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime lastRefreshAt;
    QDateTime nextRefreshAt;
    int failureCount = 0;
    QDateTime signedInAt; // the last sign-in (saveConnection); invalid: before schema 5, unknown
};

// What a sign-in learned about the mailbox (input of Vault::saveConnection).
struct AccountInfo {
    QString provider;
    QString email;
    QString displayName;
    QString tenant;
    QString subject;
};

// The resource a token is for. The primary token of a sign-in is "default" (Graph for
// Microsoft); Microsoft can mint others from the same refresh token ("imap", "smtp").
inline constexpr const char *DefaultResource = "default";

struct TokenRecord {
    qint64 accountId = 0;
    QString resource = QString::fromLatin1(DefaultResource);
    SecretString accessToken;
    SecretString refreshToken;
    QDateTime expiresAt;
    QDateTime issuedAt;
    QStringList scopes;

    // Move-only (the tokens are): clone() is the visible second copy.
    TokenRecord clone() const;
};

// What is known about a stored token without reading its values (Vault::accountsWithTokens):
// safe to show and to schedule by.
struct TokenTiming {
    QString resource;
    QDateTime expiresAt;
    QDateTime issuedAt;
    QStringList scopes;
    bool refreshable = false; // a refresh token is stored
};

// The last mail-login check of one account and protocol (`mailkey-cli check`, the window's
// "Test mail connection"): what the person sees later in the details and the list. No server
// text beyond the short summary MailKey wrote, no token.
struct MailCheckRecord {
    qint64 accountId = 0;
    QString protocol; // "imap", "smtp"
    QDateTime at;
    QString server;  // "imap.example.com:993"
    QString outcome; // MailCheck::outcomeName: "ok", "refused", "untrusted", "network", ...
    QString summary; // plain words: what failed and why ("" when ok)
    bool ok() const { return outcome == QLatin1String("ok"); }
};

// An account with the timing of each of its tokens, ordered by resource, and its last mail-login
// checks (by protocol).
struct AccountTokens {
    Account account;
    QList<TokenTiming> tokens;
    QList<MailCheckRecord> mailChecks;
};

struct UpsertResult {
    qint64 accountId = 0;
    bool created = false;
};

struct AuditEntry {
    qint64 id = 0;
    QDateTime at;
    qint64 accountId = 0; // 0: not about one account
    QString accountEmail;
    QString action;  // e.g. "connect.started", "token.refreshed", "token.handed-out"
    QString outcome; // "ok", "failed", "rejected", ...
    QString detail;  // redacted before storage
    QString actor;   // requesting program (CLI hand-outs), "mailkey" for the app
};

struct AuditVerification {
    bool intact = true;
    qint64 rows = 0;
    qint64 firstBadId = 0; // 0 when intact
    QString problem;       // human-readable, e.g. "row 12 was modified"
};

} // namespace mailkey
