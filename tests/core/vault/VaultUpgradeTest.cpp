// SQLCipher 3 -> 4: vault files made by the Debian 12 build (SQLCipher 3.4.1) and exported to
// SQLCipher 4's defaults (tests/core/vault/fixtures/make-fixtures.sh) read back row for row on
// every build, or are refused with a clear message and left unchanged.
#include "core/common/Clock.h"
#include "core/common/Result.h"
#include "core/vault/Vault.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <sqlcipher/sqlite3.h>

using namespace mailkey;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString fixture(const char *name)
{
    return QStringLiteral(MAILKEY_VAULT_FIXTURES "/") + QString::fromLatin1(name);
}

struct HelperResult {
    int exitCode = -1;
    QString output;
};

class VaultUpgradeTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        ASSERT_TRUE(QFile::setPermissions(m_dir.path(),
                                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
        m_key = readAll(fixture("test-key.hex")).trimmed();
        ASSERT_EQ(m_key.size(), 64);
    }

    // A private copy of a fixture, as vault.db of a profile would be.
    QString copy(const char *name)
    {
        const QString path = m_dir.filePath(QString::fromLatin1(name));
        EXPECT_TRUE(QFile::copy(fixture(name), path)) << name;
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return path;
    }

    HelperResult helper(const QStringList &args, const QByteArray &key)
    {
        QProcess p;
        p.start(QCoreApplication::applicationDirPath() + QStringLiteral("/vault_helper"), args);
        p.write(key + '\n');
        p.closeWriteChannel();
        EXPECT_TRUE(p.waitForFinished(30000));
        // stdout only: SQLCipher 4 logs its own decryption failures on stderr.
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput())};
    }

    QStringList files() const { return QDir(m_dir.path()).entryList(QDir::Files, QDir::Name); }

    QTemporaryDir m_dir;
    QByteArray m_key;
};

bool cipher4()
{
    return Vault::linkedCipherVersion().section(QLatin1Char('.'), 0, 0).toInt() >= 4;
}

// Runs statements on a 3.x-format vault file outside Vault (no migration), and returns the
// first column of the last one's first row.
QString rawQuery(const QString &path, const QByteArray &keyHex, const QList<QByteArray> &sqls)
{
    sqlite3 *db = nullptr;
    QString result = QStringLiteral("<open failed>");
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        const QByteArray spec = "x'" + keyHex + "'";
        sqlite3_key(db, spec.constData(), int(spec.size()));
        if (cipher4())
            sqlite3_exec(db, "PRAGMA cipher_compatibility = 3", nullptr, nullptr, nullptr);
        for (const QByteArray &sql : sqls) {
            sqlite3_stmt *st = nullptr;
            result = QStringLiteral("<error>");
            if (sqlite3_prepare_v2(db, sql.constData(), -1, &st, nullptr) != SQLITE_OK)
                break;
            const int rc = sqlite3_step(st);
            result = rc == SQLITE_ROW    ? QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, 0)))
                     : rc == SQLITE_DONE ? QString()
                                         : QStringLiteral("<error>");
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(db);
    return result;
}

const QByteArray kAuditIndexes
    = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'index'"
      " AND tbl_name = 'audit' AND name NOT LIKE 'sqlite_%' ORDER BY name)";

} // namespace

TEST_F(VaultUpgradeTest, ASqlCipher3VaultReadsBackEveryAccountTokenAndAuditRow)
{
    const QString path = copy("vault-sqlcipher3.db");
    const HelperResult r = helper({QStringLiteral("dump"), path}, m_key);
    ASSERT_EQ(r.exitCode, 0) << r.output.toStdString();
    EXPECT_EQ(r.output, QString::fromUtf8(readAll(fixture("vault-sqlcipher3.dump"))));
    EXPECT_TRUE(r.output.contains(QStringLiteral("audit-verify intact=1 rows=3")));
    // Still the 3.x format: a second read (as a Debian 12 build would do after a downgrade)
    // gives the same rows.
    EXPECT_EQ(helper({QStringLiteral("dump"), path}, m_key).output, r.output);
}

TEST_F(VaultUpgradeTest, ASqlCipher4VaultOpensOnSqlCipher4AndIsRefusedUnchangedOnSqlCipher3)
{
    const QString path = copy("vault-sqlcipher4.db");
    if (cipher4()) {
        const HelperResult r = helper({QStringLiteral("dump"), path}, m_key);
        ASSERT_EQ(r.exitCode, 0) << r.output.toStdString();
        EXPECT_EQ(r.output, QString::fromUtf8(readAll(fixture("vault-sqlcipher3.dump"))));
        return;
    }
    const QByteArray before = QCryptographicHash::hash(readAll(path), QCryptographicHash::Sha256);
    const QStringList filesBefore = files();
    const HelperResult r = helper({QStringLiteral("open"), path}, m_key);
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_TRUE(r.output.startsWith(QString::number(int(ErrorCode::VaultNewerFormat)) + QLatin1Char(' ')))
        << r.output.toStdString();
    EXPECT_TRUE(r.output.contains(QStringLiteral("SQLCipher 4 format"))) << r.output.toStdString();
    EXPECT_TRUE(r.output.contains(QStringLiteral("not changed"))) << r.output.toStdString();
    EXPECT_EQ(QCryptographicHash::hash(readAll(path), QCryptographicHash::Sha256), before);
    EXPECT_EQ(files(), filesBefore); // no -wal, -shm or -journal either
}

TEST_F(VaultUpgradeTest, AWrongKeyIsStillAWrongKeyForEitherFormat)
{
    QByteArray other = m_key;
    other[0] = other[0] == 'a' ? 'b' : 'a';
    for (const char *name : {"vault-sqlcipher3.db", "vault-sqlcipher4.db"}) {
        const QString path = copy(name);
        const QByteArray before = QCryptographicHash::hash(readAll(path), QCryptographicHash::Sha256);
        const HelperResult r = helper({QStringLiteral("open"), path}, other);
        EXPECT_EQ(r.exitCode, 1) << name;
        EXPECT_TRUE(r.output.startsWith(QString::number(int(ErrorCode::VaultWrongKey)) + QLatin1Char(' ')))
            << name << ": " << r.output.toStdString();
        EXPECT_EQ(QCryptographicHash::hash(readAll(path), QCryptographicHash::Sha256), before) << name;
    }
}

// Schema 1 -> 2 (the audit indexes) in place, on the file a Debian 12 build wrote: every row
// reads back, the hash chain still verifies, and it is still the 3.x format (the dump test above).
TEST_F(VaultUpgradeTest, ASchema1VaultGetsTheAuditIndexesInPlaceAndKeepsItsChain)
{
    const QString path = copy("vault-sqlcipher3.db");
    EXPECT_EQ(rawQuery(path, m_key, {"PRAGMA user_version"}), QStringLiteral("1"));
    EXPECT_EQ(rawQuery(path, m_key, {kAuditIndexes}), QStringLiteral("audit_by_account"));
    {
        auto opened = Vault::open(path, SecureBytes(QByteArray::fromHex(m_key)), Vault::OpenMode::OpenExisting);
        ASSERT_TRUE(opened.ok()) << opened.error().message.toStdString();
        auto verified = (*opened)->verifyAudit();
        ASSERT_TRUE(verified.ok());
        EXPECT_TRUE(verified->intact) << verified->problem.toStdString();
        EXPECT_EQ(verified->rows, 3);
        auto all = (*opened)->audit();
        auto since = (*opened)->audit(0, QDateTime::fromSecsSinceEpoch(0, utcZone()));
        auto byAccount = (*opened)->audit(1, QDateTime::fromSecsSinceEpoch(0, utcZone()));
        ASSERT_TRUE(all.ok() && since.ok() && byAccount.ok());
        EXPECT_EQ(all->size(), 3);
        EXPECT_EQ(since->size(), 3);
        EXPECT_GE(byAccount->size(), 1);
        // Schema 5's last sign-in is unknown for the accounts of an older vault, not made up.
        auto accounts = (*opened)->accounts();
        ASSERT_TRUE(accounts.ok());
        ASSERT_FALSE(accounts->isEmpty());
        for (const Account &a : *accounts) {
            EXPECT_FALSE(a.signedInAt.isValid());
            EXPECT_TRUE(a.createdAt.isValid());
        }
    }
    EXPECT_EQ(rawQuery(path, m_key, {"PRAGMA user_version"}), QString::number(Vault::SchemaVersion));
    EXPECT_EQ(rawQuery(path, m_key, {kAuditIndexes}),
              QStringLiteral("audit_by_account,audit_by_account_time,audit_by_time"));
    // Opening it again changes nothing more.
    const HelperResult r = helper({QStringLiteral("dump"), path}, m_key);
    ASSERT_EQ(r.exitCode, 0) << r.output.toStdString();
    EXPECT_EQ(r.output, QString::fromUtf8(readAll(fixture("vault-sqlcipher3.dump"))));
}

// The upgrade is one transaction: when a step of it fails (here a table already has the name of
// the second index), nothing of it stays, the version stays 1, and the open says so.
TEST_F(VaultUpgradeTest, AFailedSchemaUpgradeLeavesTheVaultAsItWas)
{
    const QString path = copy("vault-sqlcipher3.db");
    ASSERT_EQ(rawQuery(path, m_key, {"CREATE TABLE audit_by_time (x)", "PRAGMA user_version"}), QStringLiteral("1"));
    EXPECT_FALSE(Vault::open(path, SecureBytes(QByteArray::fromHex(m_key)), Vault::OpenMode::OpenExisting).ok());
    EXPECT_EQ(rawQuery(path, m_key, {"PRAGMA user_version"}), QStringLiteral("1"));
    EXPECT_EQ(rawQuery(path, m_key, {kAuditIndexes}), QStringLiteral("audit_by_account"));
}
