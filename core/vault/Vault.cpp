#include "core/vault/Vault.h"

#include "core/common/Clock.h"
#include "core/common/Redactor.h"
#include "core/vault/PrivateLocation.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QObject>
#include <QtEndian>

#include <sqlcipher/sqlite3.h>

#include <cerrno>

#ifdef MAILKEY_VAULT_FORMAT_PROBE
#include <openssl/crypto.h>
#include <openssl/evp.h>
#endif

#include <cstdint>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::Vault)
};
} // namespace

namespace {

const sqlite3_destructor_type kTransient = reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));

qint64 toMs(const QDateTime &t)
{
    return t.toMSecsSinceEpoch();
}

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, utcZone());
}

// A prepared statement with bound values. Finalized on destruction.
class Stmt {
public:
    Stmt(sqlite3 *db, const char *sql) { m_rc = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr); }
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(const Stmt &) = delete;
    Stmt &operator=(const Stmt &) = delete;

    bool prepared() const { return m_rc == SQLITE_OK && m_stmt; }
    int prepareCode() const { return m_rc; }

    void bind(int i, const QString &v)
    {
        const QByteArray u = v.toUtf8();
        sqlite3_bind_text(m_stmt, i, u.constData(), int(u.size()), kTransient);
    }
    void bind(int i, const SecretString &v)
    {
        const SecureBytes u = v.toUtf8(); // SQLite keeps its own copy (transient); ours is wiped
        sqlite3_bind_text(m_stmt, i, u.bytes().constData(), int(u.size()), kTransient);
    }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind(int i, int v) { sqlite3_bind_int(m_stmt, i, v); }
    void bind(int i, const QByteArray &v) { sqlite3_bind_blob(m_stmt, i, v.constData(), int(v.size()), kTransient); }
    void bind(int i, const QDateTime &v)
    {
        if (v.isValid())
            sqlite3_bind_int64(m_stmt, i, toMs(v));
        else
            sqlite3_bind_null(m_stmt, i);
    }
    int step() { return sqlite3_step(m_stmt); }
    // Ready to step again with new bindings.
    void reset() { sqlite3_reset(m_stmt); }

    QString text(int c) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, c));
        return p ? QString::fromUtf8(p, sqlite3_column_bytes(m_stmt, c)) : QString();
    }
    SecretString secret(int c) const
    {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, c));
        return p ? SecretString::fromUtf8(QByteArrayView(p, sqlite3_column_bytes(m_stmt, c))) : SecretString();
    }
    qint64 int64(int c) const { return sqlite3_column_int64(m_stmt, c); }
    bool isNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }
    QDateTime time(int c) const { return isNull(c) ? QDateTime() : fromMs(int64(c)); }
    QByteArray blob(int c) const
    {
        const void *p = sqlite3_column_blob(m_stmt, c);
        return p ? QByteArray(static_cast<const char *>(p), sqlite3_column_bytes(m_stmt, c)) : QByteArray();
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
    int m_rc = SQLITE_ERROR;
};

// A full disk (or quota): SQLite says SQLITE_FULL when a page write fails, but SQLITE_IOERR when it
// cannot grow the shared-memory index (-shm) or sync; the OS error of the failing call tells.
bool isDiskFull(int systemErrno)
{
#if defined(EDQUOT)
    if (systemErrno == EDQUOT)
        return true;
#endif
    return systemErrno == ENOSPC;
}

ErrorCode codeFor(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
        return ErrorCode::VaultWrongKey;
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
    case SQLITE_RANGE:
        return ErrorCode::VaultDamaged;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
        return ErrorCode::VaultReadOnly;
    case SQLITE_FULL:
        return ErrorCode::DiskFull;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return ErrorCode::VaultBusy;
    case SQLITE_IOERR:
        return ErrorCode::VaultIo;
    default:
        return ErrorCode::Internal;
    }
}

// "x'<64 hex>'": SQLCipher's raw key form, which skips PBKDF2. Wiped by the caller.
QByteArray rawKeySpec(const SecureBytes &key)
{
    QByteArray hex = key.bytes().toHex();
    QByteArray spec;
    spec.reserve(hex.size() + 3);
    spec.append("x'").append(hex).append('\'');
    secureWipe(hex);
    return spec;
}

void appendField(QByteArray &buf, const QByteArray &field)
{
    char len[4];
    qToBigEndian<quint32>(quint32(field.size()), len);
    buf.append(len, 4).append(field);
}

void appendInt(QByteArray &buf, qint64 v)
{
    char b[8];
    qToBigEndian<qint64>(v, b);
    buf.append(b, 8);
}

QByteArray auditHash(const QByteArray &prevHash, const AuditEntry &e)
{
    QByteArray buf;
    buf.append(prevHash);
    appendInt(buf, e.id);
    appendInt(buf, toMs(e.at));
    appendInt(buf, e.accountId);
    appendField(buf, e.accountEmail.toUtf8());
    appendField(buf, e.action.toUtf8());
    appendField(buf, e.outcome.toUtf8());
    appendField(buf, e.detail.toUtf8());
    appendField(buf, e.actor.toUtf8());
    return QCryptographicHash::hash(buf, QCryptographicHash::Sha256);
}

const QByteArray kGenesis(32, '\0');

const char *kSchemaV1[] = {
    "CREATE TABLE accounts ("
    " id INTEGER PRIMARY KEY,"
    " provider TEXT NOT NULL,"
    " email TEXT NOT NULL COLLATE NOCASE,"
    " display_name TEXT NOT NULL DEFAULT '',"
    " tenant TEXT NOT NULL DEFAULT '',"
    " subject TEXT NOT NULL DEFAULT '',"
    " status TEXT NOT NULL DEFAULT 'connected',"
    " status_reason TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " last_refresh_at INTEGER,"
    " next_refresh_at INTEGER,"
    " failure_count INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE (provider, email))",
    "CREATE TABLE tokens ("
    " account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    " resource TEXT NOT NULL,"
    " access_token TEXT NOT NULL DEFAULT '',"
    " refresh_token TEXT NOT NULL DEFAULT '',"
    " expires_at INTEGER,"
    " scopes TEXT NOT NULL DEFAULT '',"
    " issued_at INTEGER NOT NULL,"
    " PRIMARY KEY (account_id, resource))",
    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " account_id INTEGER NOT NULL DEFAULT 0,"
    " account_email TEXT NOT NULL DEFAULT '',"
    " action TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " detail TEXT NOT NULL DEFAULT '',"
    " actor TEXT NOT NULL DEFAULT '',"
    " prev_hash BLOB NOT NULL,"
    " hash BLOB NOT NULL)",
    "CREATE INDEX audit_by_account ON audit (account_id, id)",
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
};

// Schema 2: indexes for the audit queries by time (Vault::audit names them in INDEXED BY, so a
// vault without them fails loudly instead of scanning the whole log). IF NOT EXISTS: a copy made
// with sqlcipher_export keeps the indexes but not the schema version.
const char *kSchemaV2[] = {
    "CREATE INDEX IF NOT EXISTS audit_by_account_time ON audit (account_id, at)",
    "CREATE INDEX IF NOT EXISTS audit_by_time ON audit (at)",
};

// Schema 3: the last mail-login check of each account and protocol (mailkey-cli check, the
// window's "Test mail connection"). Removed with its account.
const char *kSchemaV3[] = {
    "CREATE TABLE IF NOT EXISTS mail_checks ("
    " account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"
    " protocol TEXT NOT NULL,"
    " at INTEGER NOT NULL,"
    " server TEXT NOT NULL DEFAULT '',"
    " outcome TEXT NOT NULL,"
    " summary TEXT NOT NULL DEFAULT '',"
    " PRIMARY KEY (account_id, protocol))",
};

// Columns 0-5 of readMailCheck, spliced into literals like MAILKEY_ACCOUNT_SELECT below.
#define MAILKEY_MAIL_CHECK_SELECT "SELECT account_id, protocol, at, server, outcome, summary FROM mail_checks"

MailCheckRecord readMailCheck(const Stmt &s)
{
    MailCheckRecord r;
    r.accountId = s.int64(0);
    r.protocol = s.text(1);
    r.at = s.time(2);
    r.server = s.text(3);
    r.outcome = s.text(4);
    r.summary = s.text(5);
    return r;
}

// Schema 4: the OAuth client of an account imported with the user's own app registration
// (mutt_oauth2.py): its refresh token works with that client only. A row only for such accounts.
const char *kSchemaV4[] = {
    "CREATE TABLE IF NOT EXISTS account_clients ("
    " account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,"
    " client_id TEXT NOT NULL,"
    " client_secret TEXT NOT NULL DEFAULT '')",
};

// When the mailbox was last signed in to (a browser or device sign-in, saveConnection), for the
// health clock: Google ends the sign-ins of apps in Testing status 7 days after each one.
// NULL for accounts of an older vault until their next sign-in.
const char *kSchemaV5[] = {
    "ALTER TABLE accounts ADD COLUMN signed_in_at INTEGER",
};

Account readAccount(const Stmt &s)
{
    Account a;
    a.id = s.int64(0);
    a.provider = s.text(1);
    a.email = s.text(2);
    a.displayName = s.text(3);
    a.tenant = s.text(4);
    a.subject = s.text(5);
    a.status = accountStatusFromString(s.text(6));
    a.statusReason = s.text(7);
    a.createdAt = s.time(8);
    a.updatedAt = s.time(9);
    a.lastRefreshAt = s.time(10);
    a.nextRefreshAt = s.time(11);
    a.failureCount = int(s.int64(12));
    a.signedInAt = s.time(13);
    return a;
}

// Spliced into literals at compile time, so every statement stays a constant string.
#define MAILKEY_ACCOUNT_SELECT                                                                                         \
    "SELECT id, provider, email, display_name, tenant, subject, status, status_reason, created_at,"                    \
    " updated_at, last_refresh_at, next_refresh_at, failure_count, signed_in_at FROM accounts"

// Columns 0-7 of "SELECT id, at, account_id, account_email, action, outcome, detail, actor".
AuditEntry readAudit(const Stmt &s)
{
    AuditEntry e;
    e.id = s.int64(0);
    e.at = s.time(1);
    e.accountId = s.int64(2);
    e.accountEmail = s.text(3);
    e.action = s.text(4);
    e.outcome = s.text(5);
    e.detail = s.text(6);
    e.actor = s.text(7);
    return e;
}

TokenRecord readToken(const Stmt &s)
{
    TokenRecord t;
    t.accountId = s.int64(0);
    t.resource = s.text(1);
    t.accessToken = s.secret(2);
    t.refreshToken = s.secret(3);
    t.expiresAt = s.time(4);
    t.scopes = s.text(5).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    t.issuedAt = s.time(6);
    return t;
}

// Steps `s` to the end, appending read(s) for each row. Returns SQLITE_DONE on success.
template <typename List, typename Read>
int collectRows(Stmt &s, List &out, Read read)
{
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        out.push_back(read(s));
    return rc;
}

// Reads at most one row into `out`. Returns SQLITE_DONE on success (found or not).
template <typename T, typename Read>
int readOptional(Stmt &s, std::optional<T> &out, Read read)
{
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
        out = read(s);
        return SQLITE_DONE;
    }
    return rc;
}

} // namespace

// ---------------------------------------------------------------------------------------------

QString accountStatusToString(AccountStatus status)
{
    switch (status) {
    case AccountStatus::Connected:
        return QStringLiteral("connected");
    case AccountStatus::Refreshing:
        return QStringLiteral("refreshing");
    case AccountStatus::NeedsSignIn:
        return QStringLiteral("needs-sign-in");
    case AccountStatus::Offline:
        return QStringLiteral("offline");
    case AccountStatus::Error:
        return QStringLiteral("error");
    }
    return QStringLiteral("error");
}

AccountStatus accountStatusFromString(const QString &text)
{
    if (text == QLatin1String("connected"))
        return AccountStatus::Connected;
    if (text == QLatin1String("refreshing"))
        return AccountStatus::Refreshing;
    if (text == QLatin1String("needs-sign-in"))
        return AccountStatus::NeedsSignIn;
    if (text == QLatin1String("offline"))
        return AccountStatus::Offline;
    return AccountStatus::Error;
}

TokenRecord TokenRecord::clone() const
{
    TokenRecord t;
    t.accountId = accountId;
    t.resource = resource;
    t.accessToken = accessToken.clone();
    t.refreshToken = refreshToken.clone();
    t.expiresAt = expiresAt;
    t.issuedAt = issuedAt;
    t.scopes = scopes;
    return t;
}

QString vaultErrorMessage(ErrorCode code, const QString &path)
{
    const QString where = QDir::toNativeSeparators(path);
    switch (code) {
    case ErrorCode::VaultWrongKey:
        return Text::tr("MailKey cannot unlock its vault (%1): the key in your keychain does not open it, "
                        "or the start of the file is damaged. If you copied the vault from another "
                        "computer or profile, its keychain entry must come with it. The file was not changed.")
            .arg(where);
    case ErrorCode::VaultDamaged:
        return Text::tr("The vault file (%1) is damaged and cannot be read. It was not changed. Restore it "
                        "from a backup, or move it aside and connect your accounts again.")
            .arg(where);
    case ErrorCode::VaultReadOnly:
        return Text::tr("The vault (%1) cannot be written: the file or its folder is read-only or not "
                        "yours. Check its permissions (it should be yours, mode 0600, in a 0700 folder).")
            .arg(where);
    case ErrorCode::DiskFull:
        return Text::tr("The disk that holds the vault (%1) is full. Free some space and try again; "
                        "nothing was lost.")
            .arg(where);
    case ErrorCode::VaultBusy:
        return Text::tr("The vault (%1) is busy in another MailKey process. Try again in a moment.").arg(where);
    case ErrorCode::VaultIo:
        return Text::tr("The vault file (%1) could not be read or written (input/output error). Check the "
                        "disk, then try again.")
            .arg(where);
    case ErrorCode::VaultNewerFormat:
        return Text::tr("The vault (%1) was written in the SQLCipher 4 format (by a MailKey built with "
                        "SQLCipher 4, such as the Debian 13, Windows or macOS packages), which this build "
                        "(SQLCipher %2) cannot read. Open it with that MailKey; the file was not changed.")
            .arg(where, Vault::linkedCipherVersion());
    case ErrorCode::NotACipherBuild:
        return Text::tr("This MailKey build is linked against a SQLite without encryption. It refuses to "
                        "open or write the vault. Install a build linked with SQLCipher.");
    default:
        return Text::tr("The vault (%1) reported an unexpected error.").arg(where);
    }
}

class Vault::Transaction {
public:
    explicit Transaction(Vault *v) : m_vault(v) { m_status = v->exec("BEGIN IMMEDIATE"); }
    ~Transaction()
    {
        if (m_status.ok() && !m_done)
            m_vault->exec("ROLLBACK").ok();
    }
    const Status &begun() const { return m_status; }
    Status commit()
    {
        m_done = true;
        Status s = m_vault->exec("COMMIT");
        if (!s.ok())
            m_vault->exec("ROLLBACK").ok();
        return s;
    }

private:
    Vault *m_vault;
    Status m_status;
    bool m_done = false;
};

Vault::~Vault()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

QString Vault::linkedCipherVersion()
{
    sqlite3 *db = nullptr;
    QString version;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, nullptr) == SQLITE_OK) {
        sqlite3_stmt *st = nullptr;
        if (sqlite3_prepare_v2(db, "PRAGMA cipher_version", -1, &st, nullptr) == SQLITE_OK
            && sqlite3_step(st) == SQLITE_ROW) {
            const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(st, 0));
            version = p ? QString::fromUtf8(p) : QString();
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return version;
}

Status Vault::ensurePrivateDirectory(const QString &dir)
{
    return PrivateLocation::secureFolder(dir, true);
}

Error Vault::sqliteError(int rc, const char *what) const
{
    ErrorCode code = codeFor(rc);
    if (code == ErrorCode::VaultIo && m_db && isDiskFull(sqlite3_system_errno(m_db)))
        code = ErrorCode::DiskFull;
    if (code == ErrorCode::Internal) {
        // SQLite's own message names the failing SQL construct, never bound values.
        const QString detail = m_db ? redact(QString::fromUtf8(sqlite3_errmsg(m_db))) : QString();
        return {code,
                Text::tr("The vault reported an unexpected error while %1: %2").arg(QString::fromLatin1(what), detail)};
    }
    return {code, vaultErrorMessage(code, m_path)};
}

Status Vault::exec(const char *sql)
{
    const int rc = sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return sqliteError(rc, "running a statement");
    return {};
}

// SQLCipher 3 -> 4 (Debian 12's 3.4.1 -> Debian 13's 4.6.1, and the Windows/macOS packages):
// every build keeps writing the SQLCipher 3 format, and no file is ever migrated.
// - A SQLCipher 4 build reads a 3.x file with `PRAGMA cipher_compatibility = 3` set right after
//   the key (before the first read). Nothing is rewritten, so a kill -9 at any moment leaves
//   the file exactly as the last committed transaction did; the same file still opens when the
//   person goes back to a 3.x build (a shared home folder, a downgrade, a backup).
// - What the 4.x defaults would add is PBKDF2-HMAC-SHA512 with 256,000 rounds (the vault uses a
//   raw 256-bit key: no key derivation at all) and HMAC-SHA512 page MACs instead of HMAC-SHA1
//   (HMAC-SHA1 is not broken as a MAC). Not worth a rewrite of the whole file.
// - A 4.x build also opens a file in SQLCipher 4's own defaults (made by another program or a
//   later MailKey): it tries them when the 3.x settings do not read the file.
// - A 3.x build cannot read a 4.x file. It recognises one by decrypting the start of its header
//   with the key (fileInSqlCipher4Format) and says so; the file is never written to.
Status Vault::openCipherConnection(const QByteArray &nativePath, int flags, const SecureBytes &key)
{
    const QString linked = linkedCipherVersion();
    if (linked.isEmpty())
        return Error(ErrorCode::NotACipherBuild, vaultErrorMessage(ErrorCode::NotACipherBuild, m_path));
    const bool cipher4 = linked.section(QLatin1Char('.'), 0, 0).toInt() >= 4;
    // 0: the build's own defaults (3.x builds); 3 and 4: cipher_compatibility on 4.x builds.
    const QList<int> settings = cipher4 ? QList<int>{3, 4} : QList<int>{0};
    int rc = SQLITE_OK;
    for (const int compatibility : settings) {
        if (m_db) {
            sqlite3_close(m_db);
            m_db = nullptr;
        }
        rc = sqlite3_open_v2(nativePath.constData(), &m_db, flags, nullptr);
        if (rc != SQLITE_OK)
            return sqliteError(rc, "opening the file");
        sqlite3_extended_result_codes(m_db, 0);
        sqlite3_busy_timeout(m_db, BusyTimeoutMs);

        QByteArray spec = rawKeySpec(key);
        rc = sqlite3_key(m_db, spec.constData(), int(spec.size()));
        secureWipe(spec);
        if (rc != SQLITE_OK)
            return sqliteError(rc, "setting the key");
        {
            Stmt s(m_db, "PRAGMA cipher_version");
            if (s.prepared() && s.step() == SQLITE_ROW)
                m_cipherVersion = s.text(0);
        }
        if (m_cipherVersion.isEmpty())
            return Error(ErrorCode::NotACipherBuild, vaultErrorMessage(ErrorCode::NotACipherBuild, m_path));
        // Must follow the key and precede the first read.
        if (compatibility == 3) {
            if (Status s = exec("PRAGMA cipher_compatibility = 3"); !s)
                return s;
        } else if (compatibility == 4) {
            if (Status s = exec("PRAGMA cipher_compatibility = 4"); !s)
                return s;
        }
        // The first real read tells a wrong key (SQLITE_NOTADB) apart. Nothing is written before
        // the key is known to be right and the file is known to be intact.
        Stmt s(m_db, "SELECT count(*) FROM sqlite_master");
        rc = s.prepared() ? s.step() : s.prepareCode();
        if (rc == SQLITE_ROW)
            return {};
        if ((rc & 0xff) != SQLITE_NOTADB)
            return sqliteError(rc, "reading the vault");
    }
    if (!cipher4 && fileInSqlCipher4Format(QFile::decodeName(nativePath), key))
        return Error(ErrorCode::VaultNewerFormat, vaultErrorMessage(ErrorCode::VaultNewerFormat, m_path));
    return sqliteError(rc, "reading the vault");
}

// Whether PATH is a SQLCipher 4 file (its default settings: 4096-byte pages, 80 reserved bytes
// for the IV and an HMAC-SHA512) keyed with KEY. Page 1 holds a 16-byte salt, then the
// AES-256-CBC encrypted rest of the SQLite header, whose IV is the first 16 of the reserved
// bytes at the end of the page. The first decrypted block is bytes 16..31 of the SQLite header:
// page size 4096, format versions 1 or 2, 80 reserved bytes, then the fixed 64, 32, 32. Reads
// only; a wrong key or any other format gives false.
bool Vault::fileInSqlCipher4Format(const QString &path, const SecureBytes &key)
{
#ifdef MAILKEY_VAULT_FORMAT_PROBE
    constexpr int PageSize = 4096;
    constexpr int Reserve = 80;
    QFile f(path);
    if (key.size() != 32 || !f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray page = f.read(PageSize);
    if (page.size() != PageSize)
        return false;
    const auto *iv = reinterpret_cast<const unsigned char *>(page.constData() + PageSize - Reserve);
    const auto *in = reinterpret_cast<const unsigned char *>(page.constData() + 16);
    unsigned char out[32] = {};
    int outLen = 0;
    bool decrypted = false;
    if (EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new()) {
        decrypted = EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr,
                                       reinterpret_cast<const unsigned char *>(key.bytes().constData()), iv)
                        == 1
                    && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 && EVP_DecryptUpdate(ctx, out, &outLen, in, 16) == 1
                    && outLen == 16;
        EVP_CIPHER_CTX_free(ctx);
    }
    const bool match = decrypted && out[0] == 0x10 && out[1] == 0x00 && (out[2] == 1 || out[2] == 2)
                       && (out[3] == 1 || out[3] == 2) && out[4] == Reserve && out[5] == 64 && out[6] == 32
                       && out[7] == 32;
    OPENSSL_cleanse(out, sizeof out);
    return match;
#else
    Q_UNUSED(path);
    Q_UNUSED(key);
    return false;
#endif
}

namespace {

// What every open of an existing vault checks before SQLite sees the file (the read-write open
// and the read-only reader's alike).
Status checkExistingFile(const QString &path, const QFileInfo &info)
{
    if (!info.exists())
        return Error(ErrorCode::NotFound, Text::tr("There is no vault at %1.").arg(QDir::toNativeSeparators(path)));
    // Before anything is opened: nobody else can change the folder, and no file in it is a
    // link or someone else's (SQLite would follow a planted vault.db-wal link and write there).
    if (Status s = PrivateLocation::secureVaultFiles(path); !s)
        return s;
    // An empty or truncated file is damage, not a new database: SQLite would happily start
    // writing a fresh database into a zero-length file.
    if (info.size() == 0 || info.size() % 512 != 0)
        return Error(ErrorCode::VaultDamaged, vaultErrorMessage(ErrorCode::VaultDamaged, path));
    return {};
}

} // namespace

Result<std::unique_ptr<Vault>> Vault::open(const QString &path, const SecureBytes &key, OpenMode mode,
                                           IntegrityCheck check)
{
    if (key.size() != 32)
        return Error(ErrorCode::Internal, Text::tr("The vault key has the wrong size."));

    QString target = path;
    const QFileInfo info(path);
    if (mode == OpenMode::ReadOnly)
        return openReadOnly(path, key);
    if (mode == OpenMode::OpenExisting) {
        if (Status s = checkExistingFile(path, info); !s)
            return s.error();
        if (!info.isWritable() || !QFileInfo(info.absolutePath()).isWritable())
            return Error(ErrorCode::VaultReadOnly, vaultErrorMessage(ErrorCode::VaultReadOnly, path));
    } else {
        if (info.exists())
            return Error(ErrorCode::Internal,
                         Text::tr("A vault already exists at %1.").arg(QDir::toNativeSeparators(path)));
        if (Status s = ensurePrivateDirectory(info.absolutePath()); !s)
            return s.error();
        if (Status s = PrivateLocation::secureVaultFiles(path); !s)
            return s.error();
        // Build the new vault beside the target and rename it into place once complete, so a
        // crash never leaves a half-made vault.db behind.
        target = path + QStringLiteral(".new");
        for (const char *suffix : {"", "-wal", "-shm", "-journal"})
            QFile::remove(target + QString::fromLatin1(suffix));
    }

    std::unique_ptr<Vault> v(new Vault);
    v->m_path = path;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_PRIVATECACHE
                      | (mode == OpenMode::Create ? SQLITE_OPEN_CREATE : 0);
    const QByteArray nativePath = QFile::encodeName(target);
    if (Status s = v->openCipherConnection(nativePath, flags, key); !s)
        return s.error();
    if (mode == OpenMode::OpenExisting && check == IntegrityCheck::Full) {
        if (Status s = v->checkIntegrity(); !s)
            return s.error();
    }
    if (Status s = v->applyPragmas(); !s)
        return s.error();
    if (Status s = v->migrate(); !s)
        return s.error();

    if (mode == OpenMode::Create) {
        // Fold the WAL into the file, close, then move into place and reopen.
        v->exec("PRAGMA wal_checkpoint(TRUNCATE)").ok();
        v.reset();
        QFile::setPermissions(target, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        for (const char *suffix : {"-wal", "-shm"})
            QFile::remove(target + QString::fromLatin1(suffix));
        if (!QFile::rename(target, path)) {
            QFile::remove(target);
            return Error(ErrorCode::VaultIo, vaultErrorMessage(ErrorCode::VaultIo, path));
        }
        return open(path, key, OpenMode::OpenExisting, check);
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return v;
}

Result<std::unique_ptr<Vault>> Vault::openReadOnly(const QString &path, const SecureBytes &key)
{
    if (Status s = checkExistingFile(path, QFileInfo(path)); !s)
        return s.error();
    std::unique_ptr<Vault> v(new Vault);
    v->m_path = path;
    const int flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_PRIVATECACHE;
    if (Status s = v->openCipherConnection(QFile::encodeName(path), flags, key); !s)
        return s.error();
    // A small page cache: it reads a few index pages per query, and the window's memory counts.
    for (const char *sql : {"PRAGMA query_only = ON", "PRAGMA cache_size = -1024"}) {
        if (Status s = v->exec(sql); !s)
            return s.error();
    }
    Stmt s(v->m_db, "PRAGMA user_version");
    const int rc = s.prepared() ? s.step() : s.prepareCode();
    if (rc != SQLITE_ROW)
        return v->sqliteError(rc, "reading the schema version");
    if (s.int64(0) != SchemaVersion)
        return Error(ErrorCode::Internal,
                     Text::tr("The vault has schema %1, not %2, so it cannot be read without changing it.")
                         .arg(s.int64(0))
                         .arg(SchemaVersion));
    return v;
}

Status Vault::applyPragmas()
{
    {
        Stmt s(m_db, "PRAGMA journal_mode = WAL");
        if (!s.prepared())
            return sqliteError(s.prepareCode(), "enabling write-ahead logging");
        const int rc = s.step();
        if (rc != SQLITE_ROW)
            return sqliteError(rc, "enabling write-ahead logging");
    }
    // Keep the -wal and -shm files when the last connection closes (the WAL emptied to 0 bytes by
    // journal_size_limit, so no old frame stays behind): a reading command on a full disk then
    // finds its shared-memory index in place, where it would otherwise have to allocate a new
    // one and fail. Writing still needs space and says so (DiskFull).
    int persistWal = 1;
    sqlite3_file_control(m_db, "main", SQLITE_FCNTL_PERSIST_WAL, &persistWal);
    for (const char *sql : {"PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON", "PRAGMA synchronous = FULL",
                            "PRAGMA journal_size_limit = 0"}) {
        if (Status s = exec(sql); !s)
            return s;
    }
    return {};
}

Status Vault::checkIntegrity()
{
    Stmt s(m_db, "PRAGMA quick_check");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "checking the vault");
    const int rc = s.step();
    if (rc != SQLITE_ROW)
        return sqliteError(rc, "checking the vault");
    if (s.text(0) != QLatin1String("ok"))
        return Error(ErrorCode::VaultDamaged, vaultErrorMessage(ErrorCode::VaultDamaged, m_path));
    return {};
}

Status Vault::migrate()
{
    const auto readVersion = [this]() -> Result<int> {
        Stmt s(m_db, "PRAGMA user_version");
        const int rc = s.prepared() ? s.step() : s.prepareCode();
        if (rc != SQLITE_ROW)
            return sqliteError(rc, "reading the schema version");
        return int(s.int64(0));
    };
    Result<int> version = readVersion();
    if (!version)
        return version.error();
    if (*version > SchemaVersion)
        return Error(ErrorCode::Internal,
                     Text::tr("This vault was written by a newer version of MailKey (schema %1). Update "
                              "MailKey to open it; the file was not changed.")
                         .arg(*version));
    if (*version == SchemaVersion)
        return {};

    // One transaction: an older vault is upgraded completely or not at all. The version is read
    // again under the write lock, as another process may have upgraded it in the meantime.
    Transaction tx(this);
    if (!tx.begun())
        return tx.begun();
    version = readVersion();
    if (!version)
        return version.error();
    if (*version >= SchemaVersion)
        return {};
    if (*version < 1) {
        for (const char *sql : kSchemaV1) {
            if (Status s = exec(sql); !s)
                return s;
        }
    }
    if (*version < 2) {
        for (const char *sql : kSchemaV2) {
            if (Status s = exec(sql); !s)
                return s;
        }
    }
    if (*version < 3) {
        for (const char *sql : kSchemaV3) {
            if (Status s = exec(sql); !s)
                return s;
        }
    }
    if (*version < 4) {
        for (const char *sql : kSchemaV4) {
            if (Status s = exec(sql); !s)
                return s;
        }
    }
    if (*version < 5) {
        for (const char *sql : kSchemaV5) {
            if (Status s = exec(sql); !s)
                return s;
        }
    }
    // Future migrations: if (*version < 6) { ... }
    static_assert(SchemaVersion == 5, "add the migration and the version below");
    if (Status s = exec("PRAGMA user_version = 5"); !s)
        return s;
    return tx.commit();
}

Status Vault::checkpoint()
{
    Stmt s(m_db, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "checkpointing");
    const int rc = s.step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqliteError(rc, "checkpointing");
    return {};
}

// Accounts -------------------------------------------------------------------------------------

Result<UpsertResult> Vault::saveConnection(const AccountInfo &info, const TokenRecord &tokens, const QDateTime &now)
{
    if (info.provider.isEmpty() || info.email.isEmpty())
        return Error(ErrorCode::InvalidInput, Text::tr("An account needs a provider and an e-mail address."));
    Transaction tx(this);
    if (!tx.begun())
        return tx.begun().error();
    Result<UpsertResult> result = upsertAccountLocked(info, now);
    if (!result)
        return result;
    // A new sign-in replaces every token of the account (other resources are minted again from the
    // new refresh token on demand), and its tokens belong to this MailKey's client.
    if (Status s = replaceTokensLocked(result->accountId, {&tokens}, now); !s)
        return s.error();
    {
        Stmt s(m_db, "DELETE FROM account_clients WHERE account_id = ?1");
        s.bind(1, result->accountId);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "replacing tokens");
    }
    if (Status s = tx.commit(); !s)
        return s.error();
    return result;
}

// The duplicate rule of a sign-in: (provider, email), the address compared without case. An
// existing account is updated in place and becomes Connected.
Result<UpsertResult> Vault::upsertAccountLocked(const AccountInfo &info, const QDateTime &now)
{
    UpsertResult result;
    {
        Stmt s(m_db, "SELECT id FROM accounts WHERE provider = ?1 AND email = ?2");
        s.bind(1, info.provider);
        s.bind(2, info.email);
        const int rc = s.step();
        if (rc == SQLITE_ROW)
            result.accountId = s.int64(0);
        else if (rc != SQLITE_DONE)
            return sqliteError(rc, "looking up the account");
    }
    if (result.accountId) {
        Stmt s(m_db, "UPDATE accounts SET display_name = ?1, tenant = ?2, subject = ?3, email = ?4, status = ?5,"
                     " status_reason = '', updated_at = ?6, last_refresh_at = ?6, signed_in_at = ?6, failure_count = 0"
                     " WHERE id = ?7");
        s.bind(1, info.displayName);
        s.bind(2, info.tenant);
        s.bind(3, info.subject);
        s.bind(4, info.email);
        s.bind(5, accountStatusToString(AccountStatus::Connected));
        s.bind(6, now);
        s.bind(7, result.accountId);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "updating the account");
    } else {
        Stmt s(m_db, "INSERT INTO accounts (provider, email, display_name, tenant, subject, status, created_at,"
                     " updated_at, last_refresh_at, signed_in_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?7, ?7)");
        s.bind(1, info.provider);
        s.bind(2, info.email);
        s.bind(3, info.displayName);
        s.bind(4, info.tenant);
        s.bind(5, info.subject);
        s.bind(6, accountStatusToString(AccountStatus::Connected));
        s.bind(7, now);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "adding the account");
        result.accountId = sqlite3_last_insert_rowid(m_db);
        result.created = true;
    }
    return result;
}

Status Vault::replaceTokensLocked(qint64 accountId, const std::vector<const TokenRecord *> &tokens,
                                  const QDateTime &now)
{
    {
        Stmt s(m_db, "DELETE FROM tokens WHERE account_id = ?1");
        s.bind(1, accountId);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "replacing tokens");
    }
    Stmt s(m_db, "INSERT INTO tokens (account_id, resource, access_token, refresh_token, expires_at, scopes,"
                 " issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "storing tokens");
    for (const TokenRecord *t : tokens) {
        s.bind(1, accountId);
        s.bind(2, t->resource.isEmpty() ? QString::fromLatin1(DefaultResource) : t->resource);
        s.bind(3, t->accessToken);
        s.bind(4, t->refreshToken);
        s.bind(5, t->expiresAt);
        s.bind(6, t->scopes.join(QLatin1Char(' ')));
        s.bind(7, t->issuedAt.isValid() ? t->issuedAt : now);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "storing tokens");
        s.reset();
    }
    return {};
}

Result<QList<Account>> Vault::accounts()
{
    Stmt s(m_db, MAILKEY_ACCOUNT_SELECT " ORDER BY lower(email), provider");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "listing accounts");
    QList<Account> list;
    if (const int rc = collectRows(s, list, readAccount); rc != SQLITE_DONE)
        return sqliteError(rc, "listing accounts");
    return list;
}

Result<std::optional<Account>> Vault::account(qint64 id)
{
    Stmt s(m_db, MAILKEY_ACCOUNT_SELECT " WHERE id = ?1");
    s.bind(1, id);
    std::optional<Account> found;
    if (const int rc = readOptional(s, found, readAccount); rc != SQLITE_DONE)
        return sqliteError(rc, "reading an account");
    return found;
}

Result<std::optional<Account>> Vault::findAccount(const QString &provider, const QString &email)
{
    Stmt s(m_db, MAILKEY_ACCOUNT_SELECT " WHERE provider = ?1 AND email = ?2");
    s.bind(1, provider);
    s.bind(2, email);
    std::optional<Account> found;
    if (const int rc = readOptional(s, found, readAccount); rc != SQLITE_DONE)
        return sqliteError(rc, "reading an account");
    return found;
}

Result<QList<Account>> Vault::findAccountsByEmail(const QString &email)
{
    Stmt s(m_db, MAILKEY_ACCOUNT_SELECT " WHERE email = ?1 ORDER BY provider");
    s.bind(1, email);
    QList<Account> list;
    if (const int rc = collectRows(s, list, readAccount); rc != SQLITE_DONE)
        return sqliteError(rc, "reading accounts");
    return list;
}

Result<int> Vault::accountCount()
{
    Stmt s(m_db, "SELECT count(*) FROM accounts");
    const int rc = s.prepared() ? s.step() : s.prepareCode();
    if (rc != SQLITE_ROW)
        return sqliteError(rc, "counting accounts");
    return int(s.int64(0));
}

Status Vault::removeAccount(qint64 id)
{
    {
        Transaction tx(this);
        if (!tx.begun())
            return tx.begun();
        for (const char *sql : {"DELETE FROM tokens WHERE account_id = ?1", "DELETE FROM accounts WHERE id = ?1"}) {
            Stmt s(m_db, sql);
            s.bind(1, id);
            if (const int rc = s.step(); rc != SQLITE_DONE)
                return sqliteError(rc, "removing the account");
        }
        if (sqlite3_changes(m_db) == 0)
            return Error(ErrorCode::NotFound, Text::tr("That account is not in the vault."));
        if (Status s = tx.commit(); !s)
            return s;
    }
    // secure_delete zeroed the freed cells; the checkpoint removes the old page images from the WAL.
    return checkpoint();
}

Status Vault::setAccountStatus(qint64 id, AccountStatus status, const QString &reason, const QDateTime &now)
{
    Stmt s(m_db, "UPDATE accounts SET status = ?1, status_reason = ?2, updated_at = ?3 WHERE id = ?4");
    s.bind(1, accountStatusToString(status));
    s.bind(2, redact(reason));
    s.bind(3, now);
    s.bind(4, id);
    if (const int rc = s.step(); rc != SQLITE_DONE)
        return sqliteError(rc, "updating the account status");
    if (sqlite3_changes(m_db) == 0)
        return Error(ErrorCode::NotFound, Text::tr("That account is not in the vault."));
    return {};
}

Status Vault::setRefreshSchedule(qint64 id, const QDateTime &next, int failureCount)
{
    Stmt s(m_db, "UPDATE accounts SET next_refresh_at = ?1, failure_count = ?2 WHERE id = ?3");
    s.bind(1, next);
    s.bind(2, failureCount);
    s.bind(3, id);
    if (const int rc = s.step(); rc != SQLITE_DONE)
        return sqliteError(rc, "scheduling a refresh");
    return {};
}

Status Vault::setRefreshSchedules(const QList<RefreshSchedule> &schedules)
{
    if (schedules.isEmpty())
        return {};
    Transaction tx(this);
    if (!tx.begun())
        return tx.begun();
    Stmt s(m_db, "UPDATE accounts SET next_refresh_at = ?1, failure_count = ?2 WHERE id = ?3");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "scheduling refreshes");
    for (const RefreshSchedule &r : schedules) {
        s.bind(1, r.next);
        s.bind(2, r.failureCount);
        s.bind(3, r.accountId);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "scheduling refreshes");
        s.reset();
    }
    return tx.commit();
}

// Tokens ---------------------------------------------------------------------------------------

namespace {
// resource, expires_at, issued_at, scopes, refresh_token <> '' from column `first` on.
TokenTiming readTokenTiming(Stmt &s, int first)
{
    TokenTiming t;
    t.resource = s.text(first);
    t.expiresAt = s.time(first + 1);
    t.issuedAt = s.time(first + 2);
    t.scopes = s.text(first + 3).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    t.refreshable = s.int64(first + 4) != 0;
    return t;
}
} // namespace

Result<QList<TokenTiming>> Vault::tokenTimings(qint64 accountId)
{
    Stmt s(m_db, "SELECT resource, expires_at, issued_at, scopes, refresh_token <> ''"
                 " FROM tokens WHERE account_id = ?1 ORDER BY resource");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "reading token times");
    s.bind(1, accountId);
    QList<TokenTiming> list;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        list.append(readTokenTiming(s, 0));
    if (rc != SQLITE_DONE)
        return sqliteError(rc, "reading token times");
    return list;
}

Result<QList<AccountTokens>> Vault::accountsWithTokens()
{
    // Columns 0-13 as in MAILKEY_ACCOUNT_SELECT, then the token's; NULL token columns for an
    // account without tokens. Of the refresh token only whether there is one.
    Stmt s(m_db, "SELECT a.id, a.provider, a.email, a.display_name, a.tenant, a.subject, a.status, a.status_reason,"
                 " a.created_at, a.updated_at, a.last_refresh_at, a.next_refresh_at, a.failure_count,"
                 " a.signed_in_at, t.resource, t.expires_at, t.issued_at, t.scopes, t.refresh_token <> ''"
                 " FROM accounts a LEFT JOIN tokens t ON t.account_id = a.id"
                 " ORDER BY lower(a.email), a.provider, a.id, t.resource");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "listing accounts");
    QList<AccountTokens> list;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        const qint64 id = s.int64(0);
        if (list.isEmpty() || list.last().account.id != id)
            list.append(AccountTokens{readAccount(s), {}, {}});
        if (s.isNull(14))
            continue;
        list.last().tokens.append(readTokenTiming(s, 14));
    }
    if (rc != SQLITE_DONE)
        return sqliteError(rc, "listing accounts");

    // The last mail-login checks: one more statement for the whole vault, matched by account id.
    Stmt c(m_db, MAILKEY_MAIL_CHECK_SELECT " ORDER BY account_id, protocol");
    if (!c.prepared())
        return sqliteError(c.prepareCode(), "listing mail checks");
    QHash<qint64, qsizetype> index;
    index.reserve(list.size());
    for (qsizetype i = 0; i < list.size(); ++i)
        index.insert(list.at(i).account.id, i);
    while ((rc = c.step()) == SQLITE_ROW) {
        const auto found = index.constFind(c.int64(0));
        if (found != index.constEnd())
            list[*found].mailChecks.append(readMailCheck(c));
    }
    if (rc != SQLITE_DONE)
        return sqliteError(rc, "listing mail checks");
    return list;
}

// Mail-login checks ----------------------------------------------------------------------------

Status Vault::recordMailChecks(const QList<MailCheckRecord> &checks, const QList<AuditEntry> &audit)
{
    if (checks.isEmpty() && audit.isEmpty())
        return {};
    Transaction tx(this);
    if (!tx.begun())
        return tx.begun();
    // INSERT ... SELECT: nothing is written for an account that was removed meanwhile. OR REPLACE,
    // not an upsert: SQLCipher 3.4 (Debian 12) is SQLite 3.15, which has no ON CONFLICT DO UPDATE.
    Stmt s(m_db, "INSERT OR REPLACE INTO mail_checks (account_id, protocol, at, server, outcome, summary)"
                 " SELECT id, ?2, ?3, ?4, ?5, ?6 FROM accounts WHERE id = ?1");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "recording a mail check");
    for (const MailCheckRecord &r : checks) {
        s.bind(1, r.accountId);
        s.bind(2, r.protocol.left(16));
        s.bind(3, r.at.isValid() ? r.at : QDateTime::currentDateTimeUtc());
        s.bind(4, r.server.left(300));
        s.bind(5, r.outcome.left(32));
        s.bind(6, redact(r.summary).left(1000));
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "recording a mail check");
        s.reset();
    }
    for (const AuditEntry &e : audit) {
        if (Status st = appendAuditLocked(e); !st)
            return st;
    }
    return tx.commit();
}

Result<QList<MailCheckRecord>> Vault::mailChecks(qint64 accountId)
{
    Stmt s(m_db, MAILKEY_MAIL_CHECK_SELECT " WHERE account_id = ?1 ORDER BY protocol");
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "reading mail checks");
    s.bind(1, accountId);
    QList<MailCheckRecord> list;
    int rc;
    while ((rc = s.step()) == SQLITE_ROW)
        list.append(readMailCheck(s));
    if (rc != SQLITE_DONE)
        return sqliteError(rc, "reading mail checks");
    return list;
}

Result<std::optional<TokenRecord>> Vault::token(qint64 accountId, const QString &resource)
{
    Stmt s(m_db, "SELECT account_id, resource, access_token, refresh_token, expires_at, scopes, issued_at"
                 " FROM tokens WHERE account_id = ?1 AND resource = ?2");
    s.bind(1, accountId);
    s.bind(2, resource);
    std::optional<TokenRecord> found;
    if (const int rc = readOptional(s, found, readToken); rc != SQLITE_DONE)
        return sqliteError(rc, "reading a token");
    return found;
}

Result<std::vector<TokenRecord>> Vault::tokens(qint64 accountId)
{
    Stmt s(m_db, "SELECT account_id, resource, access_token, refresh_token, expires_at, scopes, issued_at"
                 " FROM tokens WHERE account_id = ?1 ORDER BY resource");
    s.bind(1, accountId);
    std::vector<TokenRecord> list;
    if (const int rc = collectRows(s, list, readToken); rc != SQLITE_DONE)
        return sqliteError(rc, "reading tokens");
    return list;
}

Status Vault::commitRefresh(qint64 accountId, const QString &resource, const SecretString &accessToken,
                            const SecretString &newRefreshToken, const QDateTime &expiresAt, const QStringList &scopes,
                            const QDateTime &now)
{
    Transaction tx(this);
    if (!tx.begun())
        return tx.begun();
    SecretString refresh;
    {
        Stmt s(m_db, "SELECT refresh_token FROM tokens WHERE account_id = ?1 AND refresh_token <> ''"
                     " ORDER BY resource = 'default' DESC LIMIT 1");
        s.bind(1, accountId);
        const int rc = s.step();
        if (rc == SQLITE_ROW)
            refresh = s.secret(0);
        else if (rc != SQLITE_DONE)
            return sqliteError(rc, "reading tokens");
    }
    const bool rotated = !newRefreshToken.isEmpty();
    {
        Stmt s(m_db, "DELETE FROM tokens WHERE account_id = ?1 AND resource = ?2");
        s.bind(1, accountId);
        s.bind(2, resource);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "storing tokens");
    }
    {
        Stmt s(m_db, "INSERT INTO tokens (account_id, resource, access_token, refresh_token, expires_at, scopes,"
                     " issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        s.bind(1, accountId);
        s.bind(2, resource);
        s.bind(3, accessToken);
        s.bind(4, rotated ? newRefreshToken : refresh);
        s.bind(5, expiresAt);
        s.bind(6, scopes.join(QLatin1Char(' ')));
        s.bind(7, now);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "storing tokens");
    }
    if (rotated) {
        // Rotation: the old refresh token must never be sent again, for any resource.
        Stmt s(m_db, "UPDATE tokens SET refresh_token = ?1 WHERE account_id = ?2");
        s.bind(1, newRefreshToken);
        s.bind(2, accountId);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "rotating the refresh token");
    }
    {
        Stmt s(m_db, "UPDATE accounts SET status = ?1, status_reason = '', last_refresh_at = ?2, updated_at = ?2,"
                     " failure_count = 0 WHERE id = ?3");
        s.bind(1, accountStatusToString(AccountStatus::Connected));
        s.bind(2, now);
        s.bind(3, accountId);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "updating the account");
    }
    return tx.commit();
}

Status Vault::wipeAllTokens(const QString &reason, const QDateTime &now)
{
    {
        Transaction tx(this);
        if (!tx.begun())
            return tx.begun();
        if (Status s = exec("DELETE FROM tokens"); !s)
            return s;
        Stmt s(m_db, "UPDATE accounts SET status = ?1, status_reason = ?2, updated_at = ?3, next_refresh_at = NULL");
        s.bind(1, accountStatusToString(AccountStatus::NeedsSignIn));
        s.bind(2, reason);
        s.bind(3, now);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "updating accounts");
        if (Status st = tx.commit(); !st)
            return st;
    }
    return checkpoint();
}

// Audit ----------------------------------------------------------------------------------------

Status Vault::appendAudit(const AuditEntry &entry)
{
    Transaction tx(this);
    if (!tx.begun())
        return tx.begun();
    if (Status s = appendAuditLocked(entry); !s)
        return s;
    return tx.commit();
}

Status Vault::appendAuditLocked(const AuditEntry &input)
{
    AuditEntry e = input;
    e.detail = redact(e.detail).left(2000);
    e.actor = e.actor.left(200);
    if (!e.at.isValid())
        e.at = QDateTime::currentDateTimeUtc();
    e.at = fromMs(toMs(e.at)); // stored with millisecond precision; hash what is stored

    QByteArray prev = kGenesis;
    qint64 headId = 0;
    {
        Stmt s(m_db, "SELECT value FROM settings WHERE key = 'audit.head'");
        const int rc = s.step();
        if (rc == SQLITE_ROW) {
            const QStringList parts = s.text(0).split(QLatin1Char(':'));
            if (parts.size() == 2) {
                headId = parts[0].toLongLong();
                prev = QByteArray::fromHex(parts[1].toLatin1());
            }
        } else if (rc != SQLITE_DONE) {
            return sqliteError(rc, "reading the audit log");
        }
    }
    e.id = headId + 1;
    const QByteArray hash = auditHash(prev, e);
    {
        Stmt s(m_db, "INSERT INTO audit (id, at, account_id, account_email, action, outcome, detail, actor,"
                     " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
        s.bind(1, e.id);
        s.bind(2, e.at);
        s.bind(3, e.accountId);
        s.bind(4, e.accountEmail);
        s.bind(5, e.action);
        s.bind(6, e.outcome);
        s.bind(7, e.detail);
        s.bind(8, e.actor);
        s.bind(9, prev);
        s.bind(10, hash);
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "writing the audit log");
    }
    {
        Stmt s(m_db, "INSERT OR REPLACE INTO settings (key, value) VALUES ('audit.head', ?1)");
        s.bind(1, QString::number(e.id) + QLatin1Char(':') + QString::fromLatin1(hash.toHex()));
        if (const int rc = s.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "writing the audit log");
    }
    return {};
}

Result<QList<AuditEntry>> Vault::audit(qint64 accountId, const QDateTime &since, int limit)
{
    // One constant statement per filter, each with an index (schema 2). A single statement with
    // "(?1 = 0 OR account_id = ?1) AND at >= ?2" cannot use any and reads the whole log. The time
    // filters name their index: without statistics the planner prefers walking the whole table
    // in id order (no sort) over a range of the time index plus a sort of what it finds.
    // Only the unfiltered listing reads the whole log, as it returns it.
    const bool byAccount = accountId != 0;
    const bool bySince = since.isValid();
    const char *sql = nullptr;
    if (byAccount && bySince)
        sql = "SELECT id, at, account_id, account_email, action, outcome, detail, actor FROM audit"
              " INDEXED BY audit_by_account_time WHERE account_id = ?1 AND at >= ?2 ORDER BY id DESC LIMIT ?3";
    else if (byAccount)
        sql = "SELECT id, at, account_id, account_email, action, outcome, detail, actor FROM audit"
              " WHERE account_id = ?1 ORDER BY id DESC LIMIT ?3";
    else if (bySince)
        sql = "SELECT id, at, account_id, account_email, action, outcome, detail, actor FROM audit"
              " INDEXED BY audit_by_time WHERE at >= ?2 ORDER BY id DESC LIMIT ?3";
    else
        sql = "SELECT id, at, account_id, account_email, action, outcome, detail, actor FROM audit"
              " ORDER BY id DESC LIMIT ?3";
    Stmt s(m_db, sql);
    if (!s.prepared())
        return sqliteError(s.prepareCode(), "reading the audit log");
    if (byAccount)
        s.bind(1, accountId);
    if (bySince)
        s.bind(2, toMs(since));
    s.bind(3, qint64(limit));
    QList<AuditEntry> list;
    if (const int rc = collectRows(s, list, readAudit); rc != SQLITE_DONE)
        return sqliteError(rc, "reading the audit log");
    return list;
}

Result<AuditVerification> Vault::verifyAudit()
{
    AuditVerification v;
    // A pruned log starts after its checkpoint.
    QByteArray prev = kGenesis;
    qint64 expectedId = 1;
    QString checkpoint;
    qint64 expectedIdAtStart = 1;
    {
        Stmt c(m_db, "SELECT value FROM settings WHERE key = 'audit.checkpoint'");
        const int crc = c.step();
        if (crc == SQLITE_ROW) {
            checkpoint = c.text(0);
            const QStringList parts = checkpoint.split(QLatin1Char(':'));
            bool ok = parts.size() == 2;
            const qint64 id = ok ? parts[0].toLongLong(&ok) : 0;
            const QByteArray hash = ok ? QByteArray::fromHex(parts[1].toLatin1()) : QByteArray();
            if (!ok || hash.size() != kGenesis.size()) {
                v.intact = false;
                v.problem = Text::tr("the checkpoint of the pruned log is malformed");
            } else {
                prev = hash;
                expectedId = id + 1;
                expectedIdAtStart = expectedId;
            }
        } else if (crc != SQLITE_DONE) {
            return sqliteError(crc, "reading the audit log");
        }
    }
    QString lastPruned; // the detail of the newest "audit.pruned" entry
    Stmt s(m_db, "SELECT id, at, account_id, account_email, action, outcome, detail, actor, prev_hash, hash"
                 " FROM audit ORDER BY id");
    int rc;
    while ((rc = s.step()) == SQLITE_ROW) {
        const AuditEntry e = readAudit(s);
        const QByteArray storedPrev = s.blob(8);
        const QByteArray storedHash = s.blob(9);
        ++v.rows;
        if (e.action == QLatin1String("audit.pruned"))
            lastPruned = e.detail;
        if (v.intact) {
            if (e.id != expectedId) {
                v.intact = false;
                v.firstBadId = expectedId;
                v.problem = Text::tr("entry %1 is missing (deleted)").arg(expectedId);
            } else if (storedPrev != prev) {
                v.intact = false;
                v.firstBadId = e.id;
                v.problem = Text::tr("entry %1 does not follow the entry before it").arg(e.id);
            } else if (auditHash(prev, e) != storedHash) {
                v.intact = false;
                v.firstBadId = e.id;
                v.problem = Text::tr("entry %1 was modified").arg(e.id);
            }
        }
        prev = storedHash;
        expectedId = e.id + 1;
    }
    if (rc != SQLITE_DONE)
        return sqliteError(rc, "reading the audit log");
    if (v.intact) {
        Stmt h(m_db, "SELECT value FROM settings WHERE key = 'audit.head'");
        const int hrc = h.step();
        QString head = hrc == SQLITE_ROW ? h.text(0) : QString();
        const QString expected
            = v.rows ? QString::number(expectedId - 1) + QLatin1Char(':') + QString::fromLatin1(prev.toHex())
                     : QString();
        if (head != expected) {
            v.intact = false;
            v.firstBadId = expectedId;
            v.problem = Text::tr("the newest entries were removed (the log ends before its recorded head)");
        } else if (!checkpoint.isEmpty()
                   && !lastPruned.endsWith(QStringLiteral("checkpoint entry ")
                                           + QString::number(expectedIdAtStart - 1))) {
            // The chain fits the checkpoint, but no pruning recorded it: it was set by hand.
            v.intact = false;
            v.problem = Text::tr("the checkpoint of the pruned log does not match the pruning that made it");
        }
    }
    return v;
}

Result<qint64> Vault::pruneAudit(const QDateTime &before, const QString &actor)
{
    Transaction tx(this);
    if (!tx.begun())
        return tx.begun().error();
    // A prefix of the chain goes: every entry before the first one at or after the cut (an entry
    // written later with an older time is kept with the ones around it). The newest entry always
    // stays: the chain's head keeps an entry to end on.
    qint64 lastId = 0;
    QByteArray lastHash;
    qint64 count = 0;
    {
        Stmt s(m_db, "SELECT a.id, a.hash, (SELECT count(*) FROM audit WHERE id <= a.id) FROM audit a"
                     " WHERE a.id < coalesce((SELECT min(id) FROM audit INDEXED BY audit_by_time WHERE at >= ?1),"
                     " (SELECT max(id) FROM audit))"
                     " ORDER BY a.id DESC LIMIT 1");
        s.bind(1, before);
        const int rc = s.step();
        if (rc == SQLITE_ROW) {
            lastId = s.int64(0);
            lastHash = s.blob(1);
            count = s.int64(2);
        } else if (rc != SQLITE_DONE) {
            return sqliteError(rc, "pruning the audit log");
        }
    }
    if (lastId == 0)
        return qint64(0);
    const QString checkpoint = QString::number(lastId) + QLatin1Char(':') + QString::fromLatin1(lastHash.toHex());
    // The log is append-only (a trigger): lifted for this one deletion, in this transaction.
    if (Status st = exec("DROP TRIGGER audit_no_delete"); !st)
        return st.error();
    {
        Stmt del(m_db, "DELETE FROM audit WHERE id <= ?1");
        del.bind(1, lastId);
        if (const int rc = del.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "pruning the audit log");
    }
    if (Status st = exec("CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
                         " BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END");
        !st)
        return st.error();
    {
        Stmt cp(m_db, "INSERT OR REPLACE INTO settings (key, value) VALUES ('audit.checkpoint', ?1)");
        cp.bind(1, checkpoint);
        if (const int rc = cp.step(); rc != SQLITE_DONE)
            return sqliteError(rc, "pruning the audit log");
    }
    AuditEntry e;
    e.action = QStringLiteral("audit.pruned");
    e.outcome = QStringLiteral("ok");
    e.actor = actor;
    // The entry's id, not its hash: the redactor would mask a long hex string, and the chain
    // itself proves the hash (the first entry kept must follow it).
    e.detail = QStringLiteral("%1 entries before %2 removed; checkpoint entry %3")
                   .arg(count)
                   .arg(before.toUTC().toString(Qt::ISODate))
                   .arg(lastId);
    if (Status st = appendAuditLocked(e); !st)
        return st.error();
    if (Status st = tx.commit(); !st)
        return st.error();
    return count;
}

// Backup and import ----------------------------------------------------------------------------

namespace {
Vault::ImportObserver g_importObserver = nullptr;
} // namespace

void Vault::setImportObserver(ImportObserver observer)
{
    g_importObserver = observer;
}

Result<std::optional<AccountClient>> Vault::accountClient(qint64 accountId)
{
    Stmt s(m_db, "SELECT client_id, client_secret FROM account_clients WHERE account_id = ?1");
    s.bind(1, accountId);
    std::optional<AccountClient> found;
    const auto read = [](const Stmt &row) { return AccountClient{row.text(0), row.secret(1)}; };
    if (const int rc = readOptional(s, found, read); rc != SQLITE_DONE)
        return sqliteError(rc, "reading an account's client");
    return found;
}

Result<VaultSnapshot> Vault::snapshot(bool withAudit)
{
    Transaction tx(this); // one consistent view: no refresh commits in between
    if (!tx.begun())
        return tx.begun().error();
    VaultSnapshot snap;
    Result<QList<Account>> list = accounts();
    if (!list)
        return list.error();
    for (const Account &a : std::as_const(*list)) {
        SnapshotAccount item;
        item.info = AccountInfo{a.provider, a.email, a.displayName, a.tenant, a.subject};
        item.status = a.status;
        item.statusReason = a.statusReason;
        item.createdAt = a.createdAt;
        Result<std::vector<TokenRecord>> held = tokens(a.id);
        if (!held)
            return held.error();
        item.tokens = std::move(*held);
        Result<std::optional<AccountClient>> client = accountClient(a.id);
        if (!client)
            return client.error();
        item.client = std::move(*client);
        snap.accounts.push_back(std::move(item));
    }
    {
        Stmt s(m_db, "SELECT key, value FROM settings WHERE substr(key, 1, 6) <> 'audit.' ORDER BY key");
        int rc;
        while ((rc = s.step()) == SQLITE_ROW)
            snap.settings.append({s.text(0), s.text(1)});
        if (rc != SQLITE_DONE)
            return sqliteError(rc, "reading settings");
    }
    if (withAudit) {
        Stmt s(m_db, "SELECT id, at, account_id, account_email, action, outcome, detail, actor FROM audit ORDER BY id");
        if (const int rc = collectRows(s, snap.audit, readAudit); rc != SQLITE_DONE)
            return sqliteError(rc, "reading the audit log");
    }
    if (Status s = tx.commit(); !s)
        return s.error();
    return snap;
}

Result<ImportReport> Vault::importSnapshot(const VaultSnapshot &snap, const QDateTime &now, const QString &auditDetail)
{
    Transaction tx(this);
    if (!tx.begun())
        return tx.begun().error();
    ImportReport report;
    QHash<QString, qint64> idByEmail; // for the imported audit entries
    for (const SnapshotAccount &item : snap.accounts) {
        const AccountInfo &info = item.info;
        if (info.provider.isEmpty() || info.email.isEmpty())
            return Error(ErrorCode::InvalidInput, Text::tr("An account needs a provider and an e-mail address."));
        const QString label = QStringLiteral("%1 (%2)").arg(info.email, info.provider);
        QDateTime importedIssued;
        for (const TokenRecord &t : item.tokens) {
            if (!importedIssued.isValid() || t.issuedAt > importedIssued)
                importedIssued = t.issuedAt;
        }
        {
            // The newest token of the same account already here, if any.
            Stmt s(m_db, "SELECT a.id, max(t.issued_at) FROM accounts a LEFT JOIN tokens t ON t.account_id = a.id"
                         " WHERE a.provider = ?1 AND a.email = ?2 GROUP BY a.id");
            s.bind(1, info.provider);
            s.bind(2, info.email);
            const int rc = s.step();
            if (rc == SQLITE_ROW && !s.isNull(1) && importedIssued.isValid() && s.time(1) > importedIssued) {
                report.keptNewer << label;
                idByEmail.insert(info.email.toLower(), s.int64(0));
                continue;
            }
            if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                return sqliteError(rc, "looking up the account");
        }
        Result<UpsertResult> up = upsertAccountLocked(info, now);
        if (!up)
            return up.error();
        (up->created ? report.added : report.updated) << label;
        idByEmail.insert(info.email.toLower(), up->accountId);
        {
            // The backup does not say when its tokens' sign-in was: unknown here (not the import's
            // time, which would move the health clock's Google Testing date past the real one).
            Stmt s(m_db, "UPDATE accounts SET status = ?1, status_reason = ?2, created_at = coalesce(?3, created_at),"
                         " signed_in_at = NULL WHERE id = ?4");
            s.bind(1, accountStatusToString(item.status == AccountStatus::Refreshing ? AccountStatus::Connected
                                                                                     : item.status));
            s.bind(2, item.statusReason);
            s.bind(3, up->created ? item.createdAt : QDateTime());
            s.bind(4, up->accountId);
            if (const int rc = s.step(); rc != SQLITE_DONE)
                return sqliteError(rc, "updating the account");
        }
        std::vector<const TokenRecord *> held;
        for (const TokenRecord &t : item.tokens)
            held.push_back(&t);
        if (Status s = replaceTokensLocked(up->accountId, held, now); !s)
            return s.error();
        {
            Stmt s(m_db, "DELETE FROM account_clients WHERE account_id = ?1");
            s.bind(1, up->accountId);
            if (const int rc = s.step(); rc != SQLITE_DONE)
                return sqliteError(rc, "storing the account's client");
        }
        if (item.client && !item.client->clientId.isEmpty()) {
            Stmt s(m_db, "INSERT INTO account_clients (account_id, client_id, client_secret) VALUES (?1, ?2, ?3)");
            s.bind(1, up->accountId);
            s.bind(2, item.client->clientId);
            s.bind(3, item.client->clientSecret);
            if (const int rc = s.step(); rc != SQLITE_DONE)
                return sqliteError(rc, "storing the account's client");
        }
        if (g_importObserver)
            g_importObserver(int(report.added.size() + report.updated.size()));
    }
    {
        Stmt s(m_db, "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)");
        for (const auto &[key, value] : snap.settings) {
            if (key.startsWith(QLatin1String("audit.")))
                continue;
            s.bind(1, key);
            s.bind(2, value);
            if (const int rc = s.step(); rc != SQLITE_DONE)
                return sqliteError(rc, "writing a setting");
            report.settingsAdded += sqlite3_changes(m_db);
            s.reset();
        }
    }
    {
        // An entry already in this log (the same backup imported twice, or two backups of one
        // vault) is not appended again.
        Stmt seen(m_db, "SELECT 1 FROM audit INDEXED BY audit_by_time WHERE at = ?1 AND action = ?2"
                        " AND account_email = ?3 AND outcome = ?4 AND detail = ?5 AND actor = ?6 LIMIT 1");
        if (!seen.prepared() && !snap.audit.isEmpty())
            return sqliteError(seen.prepareCode(), "reading the audit log");
        for (AuditEntry e : snap.audit) {
            seen.bind(1, e.at);
            seen.bind(2, e.action);
            seen.bind(3, e.accountEmail);
            seen.bind(4, e.outcome);
            seen.bind(5, e.detail);
            seen.bind(6, e.actor);
            const int rc = seen.step();
            seen.reset();
            if (rc == SQLITE_ROW) {
                ++report.auditAlreadyThere;
                continue;
            }
            if (rc != SQLITE_DONE)
                return sqliteError(rc, "reading the audit log");
            e.accountId = e.accountEmail.isEmpty() ? 0 : idByEmail.value(e.accountEmail.toLower(), 0);
            if (Status s = appendAuditLocked(e); !s)
                return s.error();
            ++report.auditEntries;
        }
    }
    AuditEntry done;
    done.at = now;
    done.action = QStringLiteral("vault.imported");
    done.outcome = QStringLiteral("ok");
    done.detail = auditDetail;
    done.actor = QStringLiteral("mailkey-cli");
    if (Status s = appendAuditLocked(done); !s)
        return s.error();
    if (g_importObserver)
        g_importObserver(0);
    if (Status s = tx.commit(); !s)
        return s.error();
    return report;
}

// Settings -------------------------------------------------------------------------------------

Result<std::optional<QString>> Vault::setting(const QString &key)
{
    Stmt s(m_db, "SELECT value FROM settings WHERE key = ?1");
    s.bind(1, key);
    const int rc = s.step();
    if (rc == SQLITE_ROW)
        return std::optional<QString>(s.text(0));
    if (rc == SQLITE_DONE)
        return std::optional<QString>();
    return sqliteError(rc, "reading a setting");
}

Status Vault::setSetting(const QString &key, const QString &value)
{
    if (key.startsWith(QLatin1String("audit.")))
        return Error(ErrorCode::InvalidInput, Text::tr("That setting is reserved."));
    Stmt s(m_db, "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)");
    s.bind(1, key);
    s.bind(2, value);
    if (const int rc = s.step(); rc != SQLITE_DONE)
        return sqliteError(rc, "writing a setting");
    return {};
}

Status Vault::rekey(const SecureBytes &newKey)
{
    if (newKey.size() != 32)
        return Error(ErrorCode::Internal, Text::tr("The new vault key has the wrong size."));
    QByteArray spec = rawKeySpec(newKey);
    const int rc = sqlite3_rekey(m_db, spec.constData(), int(spec.size()));
    secureWipe(spec);
    if (rc != SQLITE_OK)
        return sqliteError(rc, "re-encrypting the vault");
    // Old-key page images must not stay in the WAL.
    return checkpoint();
}

} // namespace mailkey
