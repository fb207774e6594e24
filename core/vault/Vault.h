#pragma once

#include "core/common/Result.h"
#include "core/common/SecureBytes.h"
#include "core/vault/VaultSnapshot.h"
#include "core/vault/VaultTypes.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

struct sqlite3;

namespace mailkey {

// The encrypted vault: one SQLCipher database per profile, opened with a raw 256-bit key. All SQL
// is prepared with bound values. All writes are transactions (BEGIN IMMEDIATE, so two processes
// wait for each other through the busy timeout instead of failing). Errors are values; no error
// path recreates, truncates or overwrites the file.
//
// A Vault is used from one thread at a time.
class Vault {
public:
    enum class OpenMode {
        OpenExisting, // the file must exist; it is never created
        Create,       // the file must not exist; it is created atomically (temp file + rename)
        // A second, read-only connection to a vault another connection has opened (and upgraded):
        // SQLITE_OPEN_READONLY, nothing written (no pragma that writes, no migration; a schema
        // other than SchemaVersion is refused). Only IntegrityCheck::Header applies.
        ReadOnly,
    };

    // How much of the file is verified when it is opened. Full reads every page (PRAGMA
    // quick_check) and finds damage anywhere at once; Header only proves the key and the schema
    // page, and damage elsewhere surfaces as VaultDamaged when that page is read. The window checks
    // fully once at start-up; mailkey-cli's token hand-out, called at every mail login, does not.
    enum class IntegrityCheck {
        Full,
        Header
    };

    static constexpr int SchemaVersion = 5;
    static constexpr int BusyTimeoutMs = 10000;

    ~Vault();
    Vault(const Vault &) = delete;
    Vault &operator=(const Vault &) = delete;

    static Result<std::unique_ptr<Vault>> open(const QString &path, const SecureBytes &key, OpenMode mode,
                                               IntegrityCheck check = IntegrityCheck::Full);

    // Creates the folder 0700 if needed. Returns false (with error) if that is impossible.
    static Status ensurePrivateDirectory(const QString &dir);

    QString path() const { return m_path; }
    QString cipherVersion() const { return m_cipherVersion; }
    // The SQLCipher library version this program was built against ("3.4.1", "4.6.0" ...).
    static QString linkedCipherVersion();

    // Accounts ---------------------------------------------------------------------------
    // Adds the account, or updates it in place when (provider, email) exists, and replaces its
    // tokens; one transaction.
    Result<UpsertResult> saveConnection(const AccountInfo &info, const TokenRecord &tokens, const QDateTime &now);
    Result<QList<Account>> accounts();
    Result<std::optional<Account>> account(qint64 id);
    Result<std::optional<Account>> findAccount(const QString &provider, const QString &email);
    Result<QList<Account>> findAccountsByEmail(const QString &email);
    Result<int> accountCount();
    // Removes the account and all its tokens; leaves no token bytes in the database or WAL.
    Status removeAccount(qint64 id);
    Status setAccountStatus(qint64 id, AccountStatus status, const QString &reason, const QDateTime &now);
    Status setRefreshSchedule(qint64 id, const QDateTime &next, int failureCount);
    // Several setRefreshSchedule calls in one transaction (one sync instead of one per account);
    // all or none. An empty list writes nothing.
    struct RefreshSchedule {
        qint64 accountId = 0;
        QDateTime next;
        int failureCount = 0;
    };
    Status setRefreshSchedules(const QList<RefreshSchedule> &schedules);

    // Tokens -----------------------------------------------------------------------------
    Result<std::optional<TokenRecord>> token(qint64 accountId, const QString &resource);
    Result<std::vector<TokenRecord>> tokens(qint64 accountId);
    // Every account, in the order of accounts(), with the timing of each of its tokens (no token
    // value is read): one statement for the whole vault, not one per account.
    Result<QList<AccountTokens>> accountsWithTokens();
    // The timing of each of one account's tokens, by resource, without reading a token value (the
    // details pane and the estimate of a next refresh).
    Result<QList<TokenTiming>> tokenTimings(qint64 accountId);
    // Stores a refreshed access token for `resource`. If newRefreshToken is not empty, it replaces
    // the refresh token of every resource of this account, in the same transaction (rotation).
    Status commitRefresh(qint64 accountId, const QString &resource, const SecretString &accessToken,
                         const SecretString &newRefreshToken, const QDateTime &expiresAt, const QStringList &scopes,
                         const QDateTime &now);
    // Deletes every token of every account (sign out everywhere). Accounts stay, as NeedsSignIn.
    Status wipeAllTokens(const QString &reason, const QDateTime &now);

    // Mail-login checks ------------------------------------------------------------------
    // Keeps each check as the account's last one for its protocol and appends `audit` (one entry
    // per check, or more), all in one transaction. A record of an account that no longer exists
    // is skipped (the account was removed while the check ran); its audit entry is still kept.
    Status recordMailChecks(const QList<MailCheckRecord> &checks, const QList<AuditEntry> &audit);
    // The last check of each protocol of one account, ordered by protocol.
    Result<QList<MailCheckRecord>> mailChecks(qint64 accountId);

    // Audit log (append-only, hash-chained) ---------------------------------------------
    Status appendAudit(const AuditEntry &entry);
    // Newest first. accountId 0 = all accounts.
    Result<QList<AuditEntry>> audit(qint64 accountId = 0, const QDateTime &since = {}, int limit = -1);
    // verifyAudit() also proves a pruned log: it starts at the checkpoint ("audit.checkpoint", the
    // id and hash of the last pruned entry) instead of the first entry, and checks that checkpoint
    // against the "audit.pruned" entry that recorded it, so a changed or removed checkpoint shows.
    Result<AuditVerification> verifyAudit();
    // Audit retention: deletes the entries older than `before` (all but the newest, which stays),
    // in one transaction under a hash checkpoint, then appends an "audit.pruned" entry that names
    // it. Returns how many entries were removed (0: nothing was changed). secure_delete zeroes
    // their bytes.
    Result<qint64> pruneAudit(const QDateTime &before, const QString &actor);

    // Settings (non-secret) -------------------------------------------------------------
    Result<std::optional<QString>> setting(const QString &key);
    Status setSetting(const QString &key, const QString &value);

    // Backup and import ---------------------------------------------------------------
    // The OAuth client of an account imported with its own app registration (see AccountClient);
    // nullopt for accounts that use the provider's client of this MailKey.
    Result<std::optional<AccountClient>> accountClient(qint64 accountId);
    // Everything a backup holds, read in one transaction (a consistent view).
    Result<VaultSnapshot> snapshot(bool withAudit);
    // Merges a snapshot in ONE transaction: all of it or, on any error, nothing. Accounts are matched
    // by (provider, email) as saveConnection matches a sign-in, and an existing one is updated the
    // same way (its tokens replaced), except when the vault's tokens were issued after the
    // imported ones (a refresh token that rotated since the backup would be lost): then the vault's
    // are kept. Settings are added where the key is not set; audit entries not already in the log
    // are appended to the chain (new ids), followed by one "vault.imported" entry.
    Result<ImportReport> importSnapshot(const VaultSnapshot &snapshot, const QDateTime &now,
                                        const QString &auditDetail);
    // Tests (mailkey-cli's fault injection, cli/FaultInjection.h): called inside importSnapshot's
    // transaction after the n-th account is written (1, 2, ...) and with 0 right before COMMIT.
    using ImportObserver = void (*)(int accountsWritten);
    static void setImportObserver(ImportObserver observer);

    // Re-encrypts the whole database with a new key (PRAGMA rekey, one transaction).
    Status rekey(const SecureBytes &newKey);

    // Moves WAL content into the database and truncates the WAL, so deleted bytes do not linger.
    Status checkpoint();

    // Runs PRAGMA quick_check.
    Status checkIntegrity();

    // For tests and diagnostics: the raw handle. Never use it to bypass bound statements.
    sqlite3 *handle() const { return m_db; }

private:
    Vault() = default;
    class Transaction;
    friend class Transaction;

    Status exec(const char *sql);
    static Result<std::unique_ptr<Vault>> openReadOnly(const QString &path, const SecureBytes &key);
    Status openCipherConnection(const QByteArray &nativePath, int flags, const SecureBytes &key);
    static bool fileInSqlCipher4Format(const QString &path, const SecureBytes &key);
    Status migrate();
    Status applyPragmas();
    Error sqliteError(int rc, const char *what) const;
    Status appendAuditLocked(const AuditEntry &entry);
    Result<UpsertResult> upsertAccountLocked(const AccountInfo &info, const QDateTime &now);
    Status replaceTokensLocked(qint64 accountId, const std::vector<const TokenRecord *> &tokens, const QDateTime &now);

    sqlite3 *m_db = nullptr;
    QString m_path;
    QString m_cipherVersion;
};

QString vaultErrorMessage(ErrorCode code, const QString &path);

} // namespace mailkey
