// The vault on its own: SQLCipher files, errors as values, accounts, tokens, audit chain.
#include "core/vault/Vault.h"
#include "core/common/Clock.h"
#include "tests/support/SqlCipherPages.h"
#include "tests/support/TestUtil.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <sys/stat.h>
#include <unistd.h>

#include <sqlcipher/sqlite3.h>

using namespace mailkey;

namespace {

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

TokenRecord sampleTokens(const QString &access, const QString &refresh)
{
    TokenRecord t;
    t.accessToken = SecretString(access);
    t.refreshToken = SecretString(refresh);
    t.expiresAt = QDateTime::currentDateTimeUtc().addSecs(3600);
    t.scopes = {QStringLiteral("openid"), QStringLiteral("Mail.ReadWrite")};
    return t;
}

AccountInfo sampleAccount(const QString &email, const QString &provider = QStringLiteral("microsoft"))
{
    return AccountInfo{provider, email, QStringLiteral("Alex Example"), QStringLiteral("tenant-1"),
                       QStringLiteral("sub-1")};
}

// A recognisable, token-shaped value that appears nowhere else.
QString uniqueToken(const char *tag)
{
    return QStringLiteral("TOKEN%1-").arg(QString::fromLatin1(tag)) + test::uniqueName(QStringLiteral("v"))
           + QStringLiteral("-ZZZZ");
}

class VaultTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_path = m_dir.path() + QStringLiteral("/profiles/p/vault.db");
        m_key = SecureBytes::random(32);
    }

    std::unique_ptr<Vault> create()
    {
        auto v = Vault::open(m_path, m_key, Vault::OpenMode::Create);
        EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().message.toStdString());
        return v.ok() ? std::move(v).value() : nullptr;
    }

    QTemporaryDir m_dir;
    QString m_path;
    SecureBytes m_key;
};

TEST_F(VaultTest, CreatesAnEncryptedFileWithPrivatePermissions)
{
    auto v = create();
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->cipherVersion().isEmpty());
    EXPECT_EQ(v->cipherVersion(), Vault::linkedCipherVersion());
    v.reset();

    QFile f(m_path);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    EXPECT_FALSE(f.read(16).startsWith("SQLite format 3"));
    EXPECT_EQ(QFileInfo(m_path).permissions() & 0x7777,
              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser);
    const auto dirPerms = QFileInfo(QFileInfo(m_path).absolutePath()).permissions();
    EXPECT_FALSE(dirPerms
                 & (QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther
                    | QFileDevice::WriteOther | QFileDevice::ExeOther));
    EXPECT_TRUE(dirPerms & QFileDevice::ExeOwner);
    EXPECT_FALSE(QFileInfo::exists(m_path + QStringLiteral(".new")));
}

TEST_F(VaultTest, CreateRefusesToOverwriteAnExistingFile)
{
    ASSERT_TRUE(create());
    const QByteArray before = fileHash(m_path);
    auto again = Vault::open(m_path, SecureBytes::random(32), Vault::OpenMode::Create);
    EXPECT_FALSE(again.ok());
    EXPECT_EQ(fileHash(m_path), before);
}

TEST_F(VaultTest, StoredTokensNeverAppearInFileBytesButDoInDecryptedPages)
{
    const QString access = uniqueToken("A");
    const QString refresh = uniqueToken("R");
    auto v = create();
    ASSERT_TRUE(v);
    ASSERT_TRUE(v->saveConnection(sampleAccount(QStringLiteral("a@example.com")), sampleTokens(access, refresh),
                                  QDateTime::currentDateTimeUtc())
                    .ok());
    // Bytes on disk while the vault is open (WAL in use) and after closing.
    const QByteArray rawOpen = test::rawVaultBytes(m_path);
    EXPECT_FALSE(rawOpen.contains(access.toUtf8()));
    EXPECT_FALSE(rawOpen.contains(refresh.toUtf8()));
    // Positive control: the token really is in the file, encrypted.
    const QByteArray plain = test::decryptDatabasePages(m_path, m_key.bytes())
                             + test::decryptWalPages(m_path + QStringLiteral("-wal"), m_key.bytes());
    EXPECT_TRUE(plain.contains(refresh.toUtf8()));
    v.reset();
    const QByteArray rawClosed = test::rawVaultBytes(m_path);
    EXPECT_FALSE(rawClosed.contains(access.toUtf8()));
    EXPECT_FALSE(rawClosed.contains(refresh.toUtf8()));
}

TEST_F(VaultTest, ReopensWithTheSameKeyAndKeepsData)
{
    {
        auto v = create();
        ASSERT_TRUE(v);
        ASSERT_TRUE(v->saveConnection(sampleAccount(QStringLiteral("a@example.com")),
                                      sampleTokens(uniqueToken("A"), uniqueToken("R")), QDateTime::currentDateTimeUtc())
                        .ok());
    }
    auto v = Vault::open(m_path, m_key, Vault::OpenMode::OpenExisting);
    ASSERT_TRUE(v.ok());
    auto count = (*v)->accountCount();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, 1);
}

TEST_F(VaultTest, WrongKeyIsCannotUnlockAndLeavesTheFileUnchanged)
{
    ASSERT_TRUE(create());
    const QByteArray before = fileHash(m_path);
    auto v = Vault::open(m_path, SecureBytes::random(32), Vault::OpenMode::OpenExisting);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, ErrorCode::VaultWrongKey);
    EXPECT_TRUE(v.error().message.contains(QLatin1String("cannot unlock")));
    EXPECT_EQ(fileHash(m_path), before);
    EXPECT_FALSE(QFileInfo::exists(m_path + QStringLiteral("-wal"))
                 && QFileInfo(m_path + QStringLiteral("-wal")).size() > 0);
}

TEST_F(VaultTest, ZeroLengthFileIsDamagedNotANewDatabase)
{
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QFile f(m_path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.close();
    auto v = Vault::open(m_path, m_key, Vault::OpenMode::OpenExisting);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error().code, ErrorCode::VaultDamaged);
    EXPECT_EQ(QFileInfo(m_path).size(), 0);
}

TEST_F(VaultTest, TruncatedFileIsDamaged)
{
    {
        auto v = create();
        ASSERT_TRUE(v);
        for (int i = 0; i < 20; ++i)
            ASSERT_TRUE(v->saveConnection(sampleAccount(QStringLiteral("u%1@example.com").arg(i)),
                                          sampleTokens(uniqueToken("A"), uniqueToken("R")),
                                          QDateTime::currentDateTimeUtc())
                            .ok());
    }
    for (int cut : {1024 + 100, 3000, 512}) {
        QTemporaryDir copyDir;
        const QString copy = copyDir.path() + QStringLiteral("/vault.db");
        ASSERT_TRUE(QFile::copy(m_path, copy));
        QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        ASSERT_TRUE(QFile::resize(copy, cut));
        const QByteArray before = fileHash(copy);
        auto v = Vault::open(copy, m_key, Vault::OpenMode::OpenExisting);
        ASSERT_FALSE(v.ok()) << "cut at " << cut;
        EXPECT_TRUE(v.error().code == ErrorCode::VaultDamaged || v.error().code == ErrorCode::VaultWrongKey)
            << "cut at " << cut << ": " << v.error().message.toStdString();
        EXPECT_EQ(fileHash(copy), before);
    }
}

TEST_F(VaultTest, FlippedByteIsDetectedAndTheFileIsUnchanged)
{
    {
        auto v = create();
        ASSERT_TRUE(v);
        for (int i = 0; i < 40; ++i)
            ASSERT_TRUE(v->saveConnection(sampleAccount(QStringLiteral("u%1@example.com").arg(i)),
                                          sampleTokens(uniqueToken("A"), uniqueToken("R")),
                                          QDateTime::currentDateTimeUtc())
                            .ok());
    }
    const qint64 size = QFileInfo(m_path).size();
    ASSERT_GT(size, 4 * 1024);
    // Page 1 (the salt / header page) and a data page further in.
    for (qint64 offset : {qint64(100), qint64(2 * 1024 + 300), size - 700}) {
        QTemporaryDir copyDir;
        const QString copy = copyDir.path() + QStringLiteral("/vault.db");
        ASSERT_TRUE(QFile::copy(m_path, copy));
        QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        {
            QFile f(copy);
            ASSERT_TRUE(f.open(QIODevice::ReadWrite));
            f.seek(offset);
            char c = 0;
            f.getChar(&c);
            f.seek(offset);
            f.putChar(char(c ^ 0x5a));
        }
        const QByteArray before = fileHash(copy);
        auto v = Vault::open(copy, m_key, Vault::OpenMode::OpenExisting);
        ASSERT_FALSE(v.ok()) << "flip at " << offset;
        // A flip on page 1 cannot be told apart from a wrong key (the HMAC of that page fails);
        // anywhere else it is damage.
        if (offset < 1024)
            EXPECT_EQ(v.error().code, ErrorCode::VaultWrongKey);
        else
            EXPECT_EQ(v.error().code, ErrorCode::VaultDamaged) << v.error().message.toStdString();
        EXPECT_EQ(fileHash(copy), before);
    }
}

TEST_F(VaultTest, HeaderCheckOpensButDamageStillSurfacesAsDamaged)
{
    {
        auto v = create();
        ASSERT_TRUE(v);
        for (int i = 0; i < 40; ++i)
            ASSERT_TRUE(v->saveConnection(sampleAccount(QStringLiteral("u%1@example.com").arg(i)),
                                          sampleTokens(uniqueToken("A"), uniqueToken("R")),
                                          QDateTime::currentDateTimeUtc())
                            .ok());
    }
    const qint64 offset = QFileInfo(m_path).size() - 700;
    {
        QFile f(m_path);
        ASSERT_TRUE(f.open(QIODevice::ReadWrite));
        f.seek(offset);
        char c = 0;
        f.getChar(&c);
        f.seek(offset);
        f.putChar(char(c ^ 0x5a));
    }
    const QByteArray before = fileHash(m_path);
    auto full = Vault::open(m_path, m_key, Vault::OpenMode::OpenExisting, Vault::IntegrityCheck::Full);
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().code, ErrorCode::VaultDamaged);
    auto quick = Vault::open(m_path, m_key, Vault::OpenMode::OpenExisting, Vault::IntegrityCheck::Header);
    ASSERT_TRUE(quick.ok()) << quick.error().message.toStdString();
    const Status check = (*quick)->checkIntegrity();
    ASSERT_FALSE(check.ok());
    EXPECT_EQ(check.error().code, ErrorCode::VaultDamaged);
    quick->reset();
    EXPECT_EQ(fileHash(m_path), before);
}

TEST_F(VaultTest, ReadOnlyFileIsSaidPlainly)
{
    ASSERT_TRUE(create());
    const QString dir = QFileInfo(m_path).absolutePath();
    if (::geteuid() != 0) {
        QFile::setPermissions(m_path, QFileDevice::ReadOwner);
        auto v = Vault::open(m_path, m_key, Vault::OpenMode::OpenExisting);
        ASSERT_FALSE(v.ok());
        EXPECT_EQ(v.error().code, ErrorCode::VaultReadOnly);
        EXPECT_TRUE(v.error().message.contains(QLatin1String("read-only")));
        return;
    }
    // Root may write anything: open the vault as "nobody", who owns it but only with read rights.
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    ASSERT_FALSE(setpriv.isEmpty()) << "setpriv (util-linux) is needed to test permissions as root";
    for (QString d = dir; d.startsWith(m_dir.path()); d = QFileInfo(d).absolutePath()) {
        ASSERT_EQ(::chown(QFile::encodeName(d).constData(), 65534, 65534), 0);
        QFile::setPermissions(d, QFileDevice::ReadOwner | QFileDevice::ExeOwner);
    }
    // The vault's side files (the WAL and its index stay beside it) belong to the same user.
    for (const char *suffix : {"", "-wal", "-shm"}) {
        const QString file = m_path + QString::fromLatin1(suffix);
        if (!QFile::exists(file))
            continue;
        ASSERT_EQ(::chown(QFile::encodeName(file).constData(), 65534, 65534), 0);
        QFile::setPermissions(file, QFileDevice::ReadOwner);
    }
    const QByteArray before = fileHash(m_path);

    QProcess p;
    p.start(setpriv,
            {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
             QCoreApplication::applicationDirPath() + QStringLiteral("/vault_helper"), QStringLiteral("open"), m_path});
    ASSERT_TRUE(p.waitForStarted(10000));
    p.write(m_key.bytes().toHex() + '\n');
    p.closeWriteChannel();
    ASSERT_TRUE(p.waitForFinished(30000));
    const QString out = QString::fromUtf8(p.readAllStandardOutput());
    EXPECT_EQ(p.exitCode(), 1) << out.toStdString() << p.readAllStandardError().toStdString();
    EXPECT_TRUE(out.startsWith(QString::number(int(ErrorCode::VaultReadOnly)) + QLatin1Char(' '))) << out.toStdString();
    EXPECT_TRUE(out.contains(QLatin1String("read-only"))) << out.toStdString();
    EXPECT_EQ(fileHash(m_path), before);
    // Give the folders back so QTemporaryDir can remove them.
    for (QString d = dir; d.startsWith(m_dir.path()); d = QFileInfo(d).absolutePath())
        QFile::setPermissions(d, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

TEST_F(VaultTest, DuplicateProviderAndEmailUpdatesInPlace)
{
    auto v = create();
    ASSERT_TRUE(v);
    const auto now = QDateTime::currentDateTimeUtc();
    auto first = v->saveConnection(sampleAccount(QStringLiteral("a@example.com")),
                                   sampleTokens(uniqueToken("A"), uniqueToken("R")), now);
    ASSERT_TRUE(first.ok());
    EXPECT_TRUE(first->created);
    AccountInfo renamed = sampleAccount(QStringLiteral("A@Example.com"));
    renamed.displayName = QStringLiteral("New Name");
    const QString newRefresh = uniqueToken("R2");
    auto second = v->saveConnection(renamed, sampleTokens(uniqueToken("A2"), newRefresh), now.addSecs(5));
    ASSERT_TRUE(second.ok());
    EXPECT_FALSE(second->created);
    EXPECT_EQ(second->accountId, first->accountId);
    auto all = v->accounts();
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 1);
    EXPECT_EQ(all->at(0).displayName, QStringLiteral("New Name"));
    // The health clock's "last sign-in" moves with each sign-in; createdAt stays the first.
    EXPECT_EQ(all->at(0).createdAt, now);
    EXPECT_EQ(all->at(0).signedInAt, now.addSecs(5));
    auto tok = v->token(first->accountId, QString::fromLatin1(DefaultResource));
    ASSERT_TRUE(tok.ok() && tok->has_value());
    EXPECT_TRUE((*tok)->refreshToken.reveal() == newRefresh);
    // A refresh is not a sign-in.
    ASSERT_TRUE(v->commitRefresh(first->accountId, QString::fromLatin1(DefaultResource),
                                 SecretString(uniqueToken("A3")), SecretString(uniqueToken("R3")), now.addSecs(3600),
                                 {}, now.addSecs(60))
                    .ok());
    EXPECT_EQ((*v->account(first->accountId))->signedInAt, now.addSecs(5));

    // Same address at another provider is another account.
    auto other = v->saveConnection(sampleAccount(QStringLiteral("a@example.com"), QStringLiteral("google")),
                                   sampleTokens(uniqueToken("A"), uniqueToken("R")), now);
    ASSERT_TRUE(other.ok());
    EXPECT_TRUE(other->created);
}

TEST_F(VaultTest, RemovalLeavesNoTokenBytesInDatabaseWalOrFreePages)
{
    auto v = create();
    ASSERT_TRUE(v);
    const QString access = uniqueToken("A");
    const QString refresh = uniqueToken("R");
    const QString keepRefresh = uniqueToken("K");
    auto added = v->saveConnection(sampleAccount(QStringLiteral("gone@example.com")), sampleTokens(access, refresh),
                                   QDateTime::currentDateTimeUtc());
    ASSERT_TRUE(added.ok());
    ASSERT_TRUE(v->saveConnection(sampleAccount(QStringLiteral("kept@example.com")),
                                  sampleTokens(uniqueToken("B"), keepRefresh), QDateTime::currentDateTimeUtc())
                    .ok());
    // Rotate once so an older value also existed.
    ASSERT_TRUE(v->commitRefresh(added->accountId, QString::fromLatin1(DefaultResource),
                                 SecretString(uniqueToken("A3")), SecretString(uniqueToken("R3")),
                                 QDateTime::currentDateTimeUtc().addSecs(3600), {}, QDateTime::currentDateTimeUtc())
                    .ok());
    ASSERT_TRUE(v->removeAccount(added->accountId).ok());

    const QByteArray plain = test::decryptDatabasePages(m_path, m_key.bytes())
                             + test::decryptWalPages(m_path + QStringLiteral("-wal"), m_key.bytes());
    EXPECT_TRUE(plain.contains(keepRefresh.toUtf8())) << "positive control: decryption works";
    EXPECT_FALSE(plain.contains(access.toUtf8()));
    EXPECT_FALSE(plain.contains(refresh.toUtf8()));
    EXPECT_FALSE(plain.contains("TOKENA3-"));
    EXPECT_FALSE(plain.contains("TOKENR3-"));
    auto count = v->accountCount();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, 1);
    EXPECT_EQ(v->removeAccount(added->accountId).error().code, ErrorCode::NotFound);
}

TEST_F(VaultTest, RotationReplacesTheRefreshTokenOfEveryResourceInOneTransaction)
{
    auto v = create();
    ASSERT_TRUE(v);
    const auto now = QDateTime::currentDateTimeUtc();
    auto added = v->saveConnection(sampleAccount(QStringLiteral("a@example.com")),
                                   sampleTokens(uniqueToken("A"), QStringLiteral("old-refresh")), now);
    ASSERT_TRUE(added.ok());
    const qint64 id = added->accountId;
    // IMAP token minted without a new refresh token: keeps the old one.
    ASSERT_TRUE(v->commitRefresh(id, QStringLiteral("imap"), SecretString(QStringLiteral("imap-access")),
                                 SecretString(), now.addSecs(3600), {}, now)
                    .ok());
    auto imap = v->token(id, QStringLiteral("imap"));
    ASSERT_TRUE(imap.ok() && imap->has_value());
    EXPECT_TRUE((*imap)->refreshToken.reveal() == QStringLiteral("old-refresh"));
    // A rotated refresh token replaces it everywhere.
    ASSERT_TRUE(v->commitRefresh(id, QString::fromLatin1(DefaultResource), SecretString(QStringLiteral("new-access")),
                                 SecretString(QStringLiteral("new-refresh")), now.addSecs(3600), {}, now)
                    .ok());
    auto all = v->tokens(id);
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 2);
    for (const TokenRecord &t : *all)
        EXPECT_TRUE(t.refreshToken.reveal() == QStringLiteral("new-refresh")) << t.resource.toStdString();
}

TEST_F(VaultTest, WipeAllTokensLeavesAccountsNeedingSignIn)
{
    auto v = create();
    ASSERT_TRUE(v);
    const QString refresh = uniqueToken("R");
    ASSERT_TRUE(v->saveConnection(sampleAccount(QStringLiteral("a@example.com")),
                                  sampleTokens(uniqueToken("A"), refresh), QDateTime::currentDateTimeUtc())
                    .ok());
    ASSERT_TRUE(v->wipeAllTokens(QStringLiteral("signed out everywhere"), QDateTime::currentDateTimeUtc()).ok());
    auto all = v->accounts();
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 1);
    EXPECT_EQ(all->at(0).status, AccountStatus::NeedsSignIn);
    const QByteArray plain = test::decryptDatabasePages(m_path, m_key.bytes())
                             + test::decryptWalPages(m_path + QStringLiteral("-wal"), m_key.bytes());
    EXPECT_TRUE(plain.contains("a@example.com")) << "positive control";
    EXPECT_FALSE(plain.contains(refresh.toUtf8()));
}

class AuditChainTest : public VaultTest {
protected:
    void fill(Vault &v, int n)
    {
        for (int i = 0; i < n; ++i) {
            AuditEntry e;
            e.action = QStringLiteral("token.refreshed");
            e.outcome = QStringLiteral("ok");
            e.accountId = 1;
            e.accountEmail = QStringLiteral("a@example.com");
            e.detail = QStringLiteral("entry %1").arg(i);
            ASSERT_TRUE(v.appendAudit(e).ok());
        }
    }
    static void execRaw(Vault &v, const char *sql)
    {
        ASSERT_EQ(sqlite3_exec(v.handle(), sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(v.handle());
    }
};

TEST_F(AuditChainTest, IntactChainVerifies)
{
    auto v = create();
    ASSERT_TRUE(v);
    fill(*v, 10);
    auto r = v->verifyAudit();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->intact) << r->problem.toStdString();
    EXPECT_EQ(r->rows, 10);
    auto list = v->audit();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 10);
    EXPECT_EQ(list->first().detail, QStringLiteral("entry 9")) << "newest first";
}

TEST_F(AuditChainTest, TheLogIsAppendOnlyThroughSql)
{
    auto v = create();
    ASSERT_TRUE(v);
    fill(*v, 3);
    EXPECT_NE(sqlite3_exec(v->handle(), "UPDATE audit SET outcome = 'ok'", nullptr, nullptr, nullptr), SQLITE_OK);
    EXPECT_NE(sqlite3_exec(v->handle(), "DELETE FROM audit", nullptr, nullptr, nullptr), SQLITE_OK);
}

TEST_F(AuditChainTest, DetectsAnEditedRow)
{
    auto v = create();
    ASSERT_TRUE(v);
    fill(*v, 10);
    execRaw(*v, "DROP TRIGGER audit_no_update");
    execRaw(*v, "UPDATE audit SET outcome = 'failed' WHERE id = 4");
    auto r = v->verifyAudit();
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->intact);
    EXPECT_EQ(r->firstBadId, 4);
}

TEST_F(AuditChainTest, DetectsADeletedRowInTheMiddleAndAtTheEnd)
{
    auto v = create();
    ASSERT_TRUE(v);
    fill(*v, 10);
    execRaw(*v, "DROP TRIGGER audit_no_delete");
    execRaw(*v, "DELETE FROM audit WHERE id = 10");
    auto r = v->verifyAudit();
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->intact);
    execRaw(*v, "DELETE FROM audit WHERE id = 5");
    r = v->verifyAudit();
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->intact);
    EXPECT_EQ(r->firstBadId, 5);
}

TEST_F(AuditChainTest, DetailsAreRedactedBeforeStorage)
{
    auto v = create();
    ASSERT_TRUE(v);
    AuditEntry e;
    e.action = QStringLiteral("token.refresh");
    e.outcome = QStringLiteral("failed");
    e.detail = QStringLiteral("POST body refresh_token=0.AXYAsecretsecretsecretsecretsecret1234567890&client_id=x");
    ASSERT_TRUE(v->appendAudit(e).ok());
    auto list = v->audit();
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1);
    EXPECT_FALSE(list->first().detail.contains(QLatin1String("secretsecret")));
    EXPECT_TRUE(list->first().detail.contains(QLatin1String("refresh_token=")));
}

namespace {

// Every statement on the audit table that Vault ran while it was installed: its SQL as
// prepared (with parameters, so its plan is the one that ran) and its full-scan step count.
struct AuditStatements {
    QStringList sql;
    QList<int> fullScanSteps;
};

int traceAudit(unsigned type, void *ctx, void *p, void *)
{
    if (type != SQLITE_TRACE_PROFILE)
        return 0;
    auto *stmt = static_cast<sqlite3_stmt *>(p);
    const QString sql = QString::fromUtf8(sqlite3_sql(stmt));
    if (sql.startsWith(QLatin1String("SELECT")) && sql.contains(QLatin1String("FROM audit"))) {
        auto *seen = static_cast<AuditStatements *>(ctx);
        seen->sql << sql;
        seen->fullScanSteps << sqlite3_stmt_status(stmt, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    }
    return 0;
}

// The "detail" column of EXPLAIN QUERY PLAN (column 3 on SQLite 3.15 and 3.45 alike).
QStringList queryPlan(sqlite3 *db, const QString &sql)
{
    QStringList plan;
    sqlite3_stmt *st = nullptr;
    const QByteArray explain = "EXPLAIN QUERY PLAN " + sql.toUtf8();
    if (sqlite3_prepare_v2(db, explain.constData(), -1, &st, nullptr) != SQLITE_OK)
        return {QStringLiteral("prepare failed: ") + QString::fromUtf8(sqlite3_errmsg(db))};
    while (sqlite3_step(st) == SQLITE_ROW)
        plan << QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, 3)));
    sqlite3_finalize(st);
    return plan;
}

} // namespace

// The audit queries the window and `mailkey-cli audit` run (by account, by time, both) search an
// index: none walks the whole audit table ("SCAN TABLE audit" on 3.15, "SCAN audit" on 3.45).
TEST_F(AuditChainTest, FilteredAuditQueriesSearchAnIndexInsteadOfScanningTheLog)
{
    auto v = create();
    ASSERT_TRUE(v);
    const QDateTime t0 = QDateTime::currentDateTimeUtc().addDays(-2);
    for (int i = 0; i < 40; ++i) {
        AuditEntry e;
        e.action = QStringLiteral("token.handed-out");
        e.outcome = QStringLiteral("ok");
        e.accountId = 1 + i % 2;
        e.accountEmail = e.accountId == 1 ? QStringLiteral("a@example.com") : QStringLiteral("b@example.com");
        e.at = t0.addSecs(3600 * i); // one an hour: rows 24.. are within the last day
        e.detail = QStringLiteral("entry %1").arg(i);
        ASSERT_TRUE(v->appendAudit(e).ok());
    }
    const QDateTime since = t0.addSecs(3600 * 30);

    AuditStatements seen;
    ASSERT_EQ(sqlite3_trace_v2(v->handle(), SQLITE_TRACE_PROFILE, traceAudit, &seen), SQLITE_OK);
    auto byAccount = v->audit(1);
    auto bySince = v->audit(0, since);
    auto both = v->audit(2, since);
    auto limited = v->audit(1, QDateTime(), 3);
    sqlite3_trace_v2(v->handle(), 0, nullptr, nullptr);

    // The rows are the same as ever: filtered, newest first, limited.
    ASSERT_TRUE(byAccount.ok() && bySince.ok() && both.ok() && limited.ok());
    ASSERT_EQ(byAccount->size(), 20);
    EXPECT_EQ(byAccount->first().detail, QStringLiteral("entry 38"));
    EXPECT_EQ(byAccount->last().detail, QStringLiteral("entry 0"));
    ASSERT_EQ(bySince->size(), 10);
    EXPECT_EQ(bySince->first().detail, QStringLiteral("entry 39"));
    EXPECT_EQ(bySince->last().detail, QStringLiteral("entry 30"));
    ASSERT_EQ(both->size(), 5);
    EXPECT_EQ(both->first().detail, QStringLiteral("entry 39"));
    EXPECT_EQ(both->last().detail, QStringLiteral("entry 31"));
    ASSERT_EQ(limited->size(), 3);
    EXPECT_EQ(limited->last().detail, QStringLiteral("entry 34"));

    ASSERT_EQ(seen.sql.size(), 4);
    for (int i = 0; i < seen.sql.size(); ++i) {
        const QStringList plan = queryPlan(v->handle(), seen.sql[i]);
        const QString shown = plan.join(QLatin1String(" | "));
        EXPECT_EQ(seen.fullScanSteps[i], 0) << seen.sql[i].toStdString() << "\n  plan: " << shown.toStdString();
        bool searched = false;
        for (const QString &step : plan) {
            EXPECT_FALSE(step.startsWith(QLatin1String("SCAN")))
                << seen.sql[i].toStdString() << "\n  plan: " << shown.toStdString();
            searched = searched || (step.startsWith(QLatin1String("SEARCH")) && step.contains(QLatin1String("INDEX")));
        }
        EXPECT_TRUE(searched) << seen.sql[i].toStdString() << "\n  plan: " << shown.toStdString();
    }
    auto r = v->verifyAudit();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->intact) << r->problem.toStdString();
    EXPECT_EQ(r->rows, 40);
}

TEST_F(VaultTest, SettingsRoundTripAndReservedKeys)
{
    auto v = create();
    ASSERT_TRUE(v);
    ASSERT_TRUE(v->setSetting(QStringLiteral("ui/theme"), QStringLiteral("dark")).ok());
    auto s = v->setting(QStringLiteral("ui/theme"));
    ASSERT_TRUE(s.ok() && s->has_value());
    EXPECT_EQ(**s, QStringLiteral("dark"));
    EXPECT_FALSE(v->setSetting(QStringLiteral("audit.head"), QStringLiteral("0:00")).ok());
}

TEST_F(VaultTest, RekeyedVaultOpensOnlyWithTheNewKey)
{
    auto v = create();
    ASSERT_TRUE(v);
    ASSERT_TRUE(v->saveConnection(sampleAccount(QStringLiteral("a@example.com")),
                                  sampleTokens(uniqueToken("A"), uniqueToken("R")), QDateTime::currentDateTimeUtc())
                    .ok());
    SecureBytes newKey = SecureBytes::random(32);
    ASSERT_TRUE(v->rekey(newKey).ok());
    v.reset();
    auto old = Vault::open(m_path, m_key, Vault::OpenMode::OpenExisting);
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.error().code, ErrorCode::VaultWrongKey);
    auto fresh = Vault::open(m_path, newKey, Vault::OpenMode::OpenExisting);
    ASSERT_TRUE(fresh.ok());
    auto count = (*fresh)->accountCount();
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(*count, 1);
}

TEST_F(VaultTest, ErrorMessagesNeverContainTheKey)
{
    ASSERT_TRUE(create());
    auto v = Vault::open(m_path, SecureBytes::random(32), Vault::OpenMode::OpenExisting);
    ASSERT_FALSE(v.ok());
    EXPECT_FALSE(v.error().message.contains(QString::fromLatin1(m_key.bytes().toHex())));
    test::expectNotLogged({m_key.bytes().toHex()});
}

} // namespace

namespace {
int countVaultCommit(void *counter)
{
    ++*static_cast<int *>(counter);
    return 0;
}

// u0@example.com ... with tokens; their ids (fewer when a save fails).
QList<qint64> saveAccounts(Vault &v, int count, const QDateTime &now)
{
    QList<qint64> ids;
    for (int i = 0; i < count; ++i) {
        auto saved = v.saveConnection(sampleAccount(QStringLiteral("u%1@example.com").arg(i)),
                                      sampleTokens(uniqueToken("A"), uniqueToken("R")), now);
        if (!saved.ok())
            break;
        ids.append(saved->accountId);
    }
    return ids;
}
} // namespace

TEST_F(VaultTest, RefreshSchedulesAreStoredInOneTransaction)
{
    auto v = create();
    ASSERT_TRUE(v);
    const auto now = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), utcZone());
    const QList<qint64> ids = saveAccounts(*v, 5, now);
    ASSERT_EQ(ids.size(), 5);
    int commits = 0;
    sqlite3_commit_hook(v->handle(), countVaultCommit, &commits);
    QList<Vault::RefreshSchedule> batch;
    for (int i = 0; i < ids.size(); ++i)
        batch.append({ids[i], now.addSecs(60 * (i + 1)), i == 4 ? 2 : 0});
    batch.append({9999, now, 0}); // an account that is gone: nothing to update, not an error
    ASSERT_TRUE(v->setRefreshSchedules(batch).ok());
    EXPECT_EQ(commits, 1);
    ASSERT_TRUE(v->setRefreshSchedules({}).ok());
    EXPECT_EQ(commits, 1) << "an empty batch writes nothing";
    sqlite3_commit_hook(v->handle(), nullptr, nullptr);
    for (int i = 0; i < ids.size(); ++i) {
        auto a = v->account(ids[i]);
        ASSERT_TRUE(a.ok() && a->has_value());
        EXPECT_EQ((*a)->nextRefreshAt, now.addSecs(60 * (i + 1)));
        EXPECT_EQ((*a)->failureCount, i == 4 ? 2 : 0);
    }
}

// A batch that fails on its third row (a trigger refuses it) leaves every row as it was: the two
// rows written before the failure are rolled back with it, and the vault takes the next batch.
TEST_F(VaultTest, RefreshSchedulesThatFailMidwayWriteNothing)
{
    auto v = create();
    ASSERT_TRUE(v);
    const auto now = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), utcZone());
    const QList<qint64> ids = saveAccounts(*v, 5, now);
    ASSERT_EQ(ids.size(), 5);
    QList<Vault::RefreshSchedule> before;
    for (qint64 id : std::as_const(ids))
        before.append({id, now.addSecs(60), 0});
    ASSERT_TRUE(v->setRefreshSchedules(before).ok());

    ASSERT_EQ(sqlite3_exec(v->handle(),
                           "CREATE TEMP TRIGGER refuse_schedule BEFORE UPDATE ON main.accounts"
                           " WHEN NEW.failure_count = 77 BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(v->handle());
    QList<Vault::RefreshSchedule> batch;
    for (int i = 0; i < ids.size(); ++i)
        batch.append({ids[i], now.addSecs(600 + i), i == 2 ? 77 : 1});
    EXPECT_FALSE(v->setRefreshSchedules(batch).ok());
    for (qint64 id : std::as_const(ids)) {
        auto a = v->account(id);
        ASSERT_TRUE(a.ok() && a->has_value());
        EXPECT_EQ((*a)->nextRefreshAt, now.addSecs(60)) << "account " << id;
        EXPECT_EQ((*a)->failureCount, 0) << "account " << id;
    }

    ASSERT_EQ(sqlite3_exec(v->handle(), "DROP TRIGGER temp.refuse_schedule", nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_TRUE(v->setRefreshSchedules(batch).ok()) << "no transaction was left open";
    for (int i = 0; i < ids.size(); ++i) {
        auto a = v->account(ids[i]);
        ASSERT_TRUE(a.ok() && a->has_value());
        EXPECT_EQ((*a)->nextRefreshAt, now.addSecs(600 + i));
    }
}

// accountsWithTokens: the accounts in the order of accounts(), each with the timing of every one of
// its tokens as token() reads it, and accounts without tokens too (after sign out everywhere).
TEST_F(VaultTest, AccountsWithTheirTokenTimingsInOneStatement)
{
    auto v = create();
    ASSERT_TRUE(v);
    const auto now = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), utcZone());
    auto b = v->saveConnection(sampleAccount(QStringLiteral("b@example.com")),
                               sampleTokens(uniqueToken("A"), uniqueToken("R")), now);
    auto a = v->saveConnection(sampleAccount(QStringLiteral("a@example.com")),
                               sampleTokens(uniqueToken("A"), uniqueToken("R")), now);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(v->commitRefresh(b->accountId, QStringLiteral("imap"), SecretString(uniqueToken("I")), SecretString(),
                                 now.addSecs(99), {}, now)
                    .ok());
    auto rows = v->accountsWithTokens();
    ASSERT_TRUE(rows.ok());
    auto accounts = v->accounts();
    ASSERT_TRUE(accounts.ok());
    ASSERT_EQ(rows->size(), accounts->size());
    ASSERT_EQ(rows->size(), 2);
    for (int i = 0; i < rows->size(); ++i) {
        const AccountTokens &row = rows->at(i);
        EXPECT_EQ(row.account.id, accounts->at(i).id);
        EXPECT_EQ(row.account.email, accounts->at(i).email);
        auto tokens = v->tokens(row.account.id);
        ASSERT_TRUE(tokens.ok());
        ASSERT_EQ(size_t(row.tokens.size()), tokens->size());
        // One account's timings alone read the same.
        auto one = v->tokenTimings(row.account.id);
        ASSERT_TRUE(one.ok());
        ASSERT_EQ(one->size(), row.tokens.size());
        for (int j = 0; j < one->size(); ++j) {
            EXPECT_EQ(one->at(j).resource, row.tokens.at(j).resource);
            EXPECT_EQ(one->at(j).expiresAt, row.tokens.at(j).expiresAt);
            EXPECT_EQ(one->at(j).issuedAt, row.tokens.at(j).issuedAt);
            EXPECT_EQ(one->at(j).scopes, row.tokens.at(j).scopes);
            EXPECT_EQ(one->at(j).refreshable, row.tokens.at(j).refreshable);
        }
        for (int j = 0; j < row.tokens.size(); ++j) {
            const TokenTiming &t = row.tokens.at(j);
            EXPECT_EQ(t.resource, tokens->at(size_t(j)).resource);
            EXPECT_EQ(t.expiresAt, tokens->at(size_t(j)).expiresAt);
            EXPECT_EQ(t.issuedAt, tokens->at(size_t(j)).issuedAt);
            EXPECT_EQ(t.scopes, tokens->at(size_t(j)).scopes);
            EXPECT_EQ(t.refreshable, !tokens->at(size_t(j)).refreshToken.isEmpty());
        }
    }
    EXPECT_EQ(rows->at(0).account.id, a->accountId);
    ASSERT_EQ(rows->at(1).tokens.size(), 2);
    EXPECT_EQ(rows->at(1).tokens.at(1).resource, QStringLiteral("imap"));
    EXPECT_EQ(rows->at(1).tokens.at(1).expiresAt, now.addSecs(99));

    ASSERT_TRUE(v->wipeAllTokens(QStringLiteral("test"), now).ok());
    rows = v->accountsWithTokens();
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 2) << "accounts without tokens are listed too";
    EXPECT_TRUE(rows->at(0).tokens.isEmpty());
    EXPECT_TRUE(rows->at(1).tokens.isEmpty());
    auto none = v->tokenTimings(a->accountId);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->isEmpty());
}

// The last mail-login check per account and protocol: replaced by the next one, written with its
// audit entries in one transaction, listed with the accounts, skipped for an account removed
// while the check ran, and removed with its account.
TEST_F(VaultTest, MailChecksAreTheLastPerProtocolAndGoWithTheirAccount)
{
    auto v = create();
    ASSERT_TRUE(v);
    const auto now = QDateTime::fromMSecsSinceEpoch(QDateTime::currentMSecsSinceEpoch(), utcZone());
    auto a = v->saveConnection(sampleAccount(QStringLiteral("a@example.com")),
                               sampleTokens(uniqueToken("A"), uniqueToken("R")), now);
    auto b = v->saveConnection(sampleAccount(QStringLiteral("b@example.com")),
                               sampleTokens(uniqueToken("A"), uniqueToken("R")), now);
    ASSERT_TRUE(a.ok() && b.ok());
    const auto check = [&](qint64 id, const char *protocol, const char *outcome, qint64 secs) {
        MailCheckRecord r;
        r.accountId = id;
        r.protocol = QString::fromLatin1(protocol);
        r.at = now.addSecs(secs);
        r.server = QStringLiteral("imaps://imap.example.com:993");
        r.outcome = QString::fromLatin1(outcome);
        r.summary = r.outcome == QLatin1String("ok") ? QString() : QStringLiteral("The server refused the token.");
        return r;
    };
    AuditEntry e;
    e.accountId = a->accountId;
    e.action = QStringLiteral("mail.check");
    e.outcome = QStringLiteral("refused");
    const auto auditRows = [&v] { return v->audit()->size(); };
    const qsizetype before = auditRows();
    ASSERT_TRUE(
        v->recordMailChecks({check(a->accountId, "imap", "refused", 1), check(a->accountId, "smtp", "ok", 1)}, {e, e})
            .ok());
    EXPECT_EQ(auditRows(), before + 2);
    ASSERT_TRUE(v->recordMailChecks({check(a->accountId, "imap", "ok", 2)}, {}).ok()); // the next check replaces it
    auto checks = v->mailChecks(a->accountId);
    ASSERT_TRUE(checks.ok());
    ASSERT_EQ(checks->size(), 2);
    EXPECT_EQ(checks->at(0).protocol, QStringLiteral("imap"));
    EXPECT_TRUE(checks->at(0).ok());
    EXPECT_EQ(checks->at(0).at, now.addSecs(2));
    EXPECT_EQ(checks->at(1).protocol, QStringLiteral("smtp"));
    EXPECT_TRUE(v->mailChecks(b->accountId)->isEmpty());

    auto rows = v->accountsWithTokens();
    ASSERT_TRUE(rows.ok());
    for (const AccountTokens &row : *rows)
        EXPECT_EQ(row.mailChecks.size(), row.account.id == a->accountId ? 2 : 0) << row.account.email.toStdString();

    // Removed while the check ran: no record, the audit entry is still kept.
    ASSERT_TRUE(v->removeAccount(b->accountId).ok());
    const qsizetype beforeGone = auditRows();
    ASSERT_TRUE(v->recordMailChecks({check(b->accountId, "imap", "ok", 3)}, {e}).ok());
    EXPECT_TRUE(v->mailChecks(b->accountId)->isEmpty());
    EXPECT_EQ(auditRows(), beforeGone + 1);

    // Removed with the account.
    ASSERT_TRUE(v->removeAccount(a->accountId).ok());
    EXPECT_TRUE(v->mailChecks(a->accountId)->isEmpty());
    sqlite3_stmt *stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(v->handle(), "SELECT count(*) FROM mail_checks", -1, &stmt, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(stmt, 0), 0);
    sqlite3_finalize(stmt);
    EXPECT_TRUE(v->verifyAudit()->intact);
}

// Audit retention: the entries older than the cut are deleted under a hash checkpoint, the rest
// still verifies, the pruning is itself in the chain, and a checkpoint that was changed, moved or
// removed afterwards is detected.
TEST_F(VaultTest, PrunedAuditLogStillVerifiesAndATamperedCheckpointShows)
{
    auto v = create();
    ASSERT_TRUE(v);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < 30; ++i) {
        AuditEntry e;
        e.action = QStringLiteral("token.refreshed");
        e.outcome = QStringLiteral("ok");
        e.at = now.addDays(-(30 - i) * 20); // 600 days ago up to 20 days ago
        ASSERT_TRUE(v->appendAudit(e).ok());
    }
    ASSERT_TRUE(v->verifyAudit()->intact);
    // Nothing older than the cut: nothing changes.
    auto none = v->pruneAudit(now.addDays(-1000), QStringLiteral("test"));
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(*none, 0);
    EXPECT_EQ(v->audit()->size(), 30);

    auto pruned = v->pruneAudit(now.addDays(-365), QStringLiteral("test"));
    ASSERT_TRUE(pruned.ok()) << pruned.error().message.toStdString();
    EXPECT_EQ(*pruned, 12); // 600, 580, ..., 380 days ago
    auto left = v->audit();
    ASSERT_TRUE(left.ok());
    EXPECT_EQ(left->size(), 30 - 12 + 1);
    EXPECT_EQ(left->first().action, QStringLiteral("audit.pruned"));
    EXPECT_TRUE(left->first().detail.contains(QStringLiteral("12 entries"))) << left->first().detail.toStdString();
    auto verified = v->verifyAudit();
    ASSERT_TRUE(verified.ok());
    EXPECT_TRUE(verified->intact) << verified->problem.toStdString();
    EXPECT_EQ(verified->rows, 19);
    // New entries chain on; a second pruning moves the checkpoint.
    AuditEntry later;
    later.action = QStringLiteral("token.handed-out");
    later.outcome = QStringLiteral("ok");
    ASSERT_TRUE(v->appendAudit(later).ok());
    ASSERT_TRUE(v->pruneAudit(now.addDays(-100), QStringLiteral("test")).ok());
    EXPECT_TRUE(v->verifyAudit()->intact) << v->verifyAudit()->problem.toStdString();
    // Still append-only outside pruning.
    EXPECT_NE(sqlite3_exec(v->handle(), "DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);

    // Test-only raw SQL, as an attacker with the key would write it.
    const auto setting = [&v](const QByteArray &sql) {
        ASSERT_EQ(sqlite3_exec(v->handle(), sql.constData(), nullptr, nullptr, nullptr), SQLITE_OK) << sql.constData();
    };
    const auto checkpoint = [&v]() -> QString {
        auto value = v->setting(QStringLiteral("audit.checkpoint"));
        return value.ok() && value->has_value() ? **value : QString();
    };
    const QString original = checkpoint();
    ASSERT_FALSE(original.isEmpty());
    // A changed hash: the first entry kept no longer follows it.
    QString changed = original;
    changed[changed.size() - 1] = changed.endsWith(QLatin1Char('0')) ? QLatin1Char('1') : QLatin1Char('0');
    setting(QStringLiteral("UPDATE settings SET value = '%1' WHERE key = 'audit.checkpoint'").arg(changed).toUtf8());
    EXPECT_FALSE(v->verifyAudit()->intact);
    // Removed: the log seems to start with a missing entry.
    setting("DELETE FROM settings WHERE key = 'audit.checkpoint'");
    auto removed = v->verifyAudit();
    EXPECT_FALSE(removed->intact);
    EXPECT_TRUE(removed->problem.contains(QStringLiteral("missing"))) << removed->problem.toStdString();
    // Restored: intact again.
    setting(
        QStringLiteral("INSERT INTO settings (key, value) VALUES ('audit.checkpoint', '%1')").arg(original).toUtf8());
    EXPECT_TRUE(v->verifyAudit()->intact);
    // Malformed.
    setting("UPDATE settings SET value = 'nonsense' WHERE key = 'audit.checkpoint'");
    auto malformed = v->verifyAudit();
    EXPECT_FALSE(malformed->intact);
    EXPECT_TRUE(malformed->problem.contains(QStringLiteral("malformed")));
}
