// The backup file format (core/backup/BackupFile.h, docs/backup-format.md): what is written comes
// back; every kind of bad input is told apart and gives nothing; scrypt's cost is measured.
#include "core/backup/BackupFile.h"

#include "core/common/Clock.h"
#include "tests/support/TestUtil.h"

#include <QElapsedTimer>
#include <QtEndian>

#include <gtest/gtest.h>

using namespace mailkey;

namespace {

// Weak parameters for the many cases below; the default ones are measured separately.
const BackupKdfParams kFast{10, 8, 1};

SecureBytes pass(const char *text)
{
    return SecureBytes(QByteArray(text));
}

BackupFile::Contents sample()
{
    BackupFile::Contents c;
    c.createdAt = QDateTime::fromMSecsSinceEpoch(1765100000000, utcZone());
    c.writer = QStringLiteral("MailKey test");
    c.profile = QStringLiteral("work");
    SnapshotAccount a;
    a.info = AccountInfo{QStringLiteral("google"), QStringLiteral("ann@example.com"), QStringLiteral("Ann Ü"),
                         QString(), QStringLiteral("sub-1")};
    a.status = AccountStatus::NeedsSignIn;
    a.statusReason = QStringLiteral("why");
    a.createdAt = c.createdAt.addDays(-3);
    a.client = AccountClient{QStringLiteral("own-client"), SecretString(QStringLiteral("own-secret"))};
    TokenRecord t;
    t.resource = QStringLiteral("default");
    t.accessToken = SecretString(QStringLiteral("ACCESS-1"));
    t.refreshToken = SecretString(QStringLiteral("REFRESH-1"));
    t.expiresAt = c.createdAt.addSecs(3600);
    t.issuedAt = c.createdAt;
    t.scopes = {QStringLiteral("a"), QStringLiteral("b")};
    a.tokens.push_back(std::move(t));
    TokenRecord imap;
    imap.resource = QStringLiteral("imap");
    imap.accessToken = SecretString(QStringLiteral("ACCESS-2"));
    imap.refreshToken = SecretString(QStringLiteral("REFRESH-1"));
    a.tokens.push_back(std::move(imap));
    c.vault.accounts.push_back(std::move(a));
    SnapshotAccount b;
    b.info = AccountInfo{QStringLiteral("fake"), QStringLiteral("bob@example.com"), {}, {}, {}};
    c.vault.accounts.push_back(std::move(b));
    c.vault.settings = {{QStringLiteral("k"), QStringLiteral("v")}};
    AuditEntry e;
    e.at = c.createdAt;
    e.accountEmail = QStringLiteral("ann@example.com");
    e.action = QStringLiteral("token.refreshed");
    e.outcome = QStringLiteral("ok");
    e.detail = QStringLiteral("d");
    e.actor = QStringLiteral("mutt");
    c.vault.audit = {e};
    c.files = {{QStringLiteral("providers.json"), QByteArray("{\"providers\": []}\n")}};
    return c;
}

QByteArray written(const BackupKdfParams &params = kFast)
{
    Result<QByteArray> bytes = BackupFile::write(sample(), pass("correct horse"), params);
    EXPECT_TRUE(bytes.ok());
    return bytes ? *bytes : QByteArray();
}

BackupFile::Problem problemOf(const QByteArray &file, const char *passphrase = "correct horse")
{
    BackupFile::Problem problem = BackupFile::Problem::None;
    Result<BackupFile::Contents> r = BackupFile::read(file, pass(passphrase), &problem);
    EXPECT_FALSE(r.ok());
    if (!r.ok()) {
        // No secret of the payload, nor the passphrase, in the message.
        for (const char *secret : {"ACCESS-1", "REFRESH-1", "own-secret", "correct horse"})
            EXPECT_FALSE(r.error().message.contains(QLatin1String(secret)));
    }
    return problem;
}

} // namespace

TEST(BackupFileTest, WhatIsWrittenComesBack)
{
    const QByteArray file = written();
    ASSERT_GT(file.size(), BackupFile::HeaderSize + BackupFile::TagSize);
    // Nothing of the payload in the clear.
    for (const char *plain : {"ACCESS-1", "REFRESH-1", "own-secret", "ann@example.com", "providers"})
        EXPECT_FALSE(file.contains(plain)) << plain;
    BackupFile::Problem problem = BackupFile::Problem::Damaged;
    Result<BackupFile::Contents> read = BackupFile::read(file, pass("correct horse"), &problem);
    ASSERT_TRUE(read.ok()) << read.error().message.toStdString();
    EXPECT_EQ(problem, BackupFile::Problem::None);
    const BackupFile::Contents &c = *read;
    EXPECT_EQ(c.writer, QStringLiteral("MailKey test"));
    EXPECT_EQ(c.profile, QStringLiteral("work"));
    EXPECT_EQ(c.createdAt, sample().createdAt);
    ASSERT_EQ(c.vault.accounts.size(), 2u);
    const SnapshotAccount &a = c.vault.accounts[0];
    EXPECT_EQ(a.info.email, QStringLiteral("ann@example.com"));
    EXPECT_EQ(a.info.displayName, QStringLiteral("Ann Ü"));
    EXPECT_EQ(a.info.subject, QStringLiteral("sub-1"));
    EXPECT_EQ(a.status, AccountStatus::NeedsSignIn);
    EXPECT_EQ(a.statusReason, QStringLiteral("why"));
    ASSERT_TRUE(a.client.has_value());
    EXPECT_EQ(a.client->clientId, QStringLiteral("own-client"));
    EXPECT_TRUE(a.client->clientSecret.equals(QStringLiteral("own-secret")));
    ASSERT_EQ(a.tokens.size(), 2u);
    EXPECT_TRUE(a.tokens[0].accessToken.equals(QStringLiteral("ACCESS-1")));
    EXPECT_TRUE(a.tokens[0].refreshToken.equals(QStringLiteral("REFRESH-1")));
    EXPECT_EQ(a.tokens[0].scopes, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    EXPECT_EQ(a.tokens[0].expiresAt, c.createdAt.addSecs(3600));
    EXPECT_EQ(a.tokens[1].resource, QStringLiteral("imap"));
    EXPECT_FALSE(a.tokens[1].expiresAt.isValid());
    EXPECT_FALSE(c.vault.accounts[1].client.has_value());
    EXPECT_TRUE(c.vault.accounts[1].tokens.empty());
    ASSERT_EQ(c.vault.settings.size(), 1);
    EXPECT_EQ(c.vault.settings[0].second, QStringLiteral("v"));
    ASSERT_EQ(c.vault.audit.size(), 1);
    EXPECT_EQ(c.vault.audit[0].actor, QStringLiteral("mutt"));
    ASSERT_EQ(c.files.size(), 1);
    EXPECT_EQ(c.files[0].second, QByteArray("{\"providers\": []}\n"));
}

TEST(BackupFileTest, EveryFileIsDifferent)
{
    // A new salt and nonce each time: the same contents never give the same bytes.
    EXPECT_NE(written(), written());
}

TEST(BackupFileTest, WrongPassphrase)
{
    EXPECT_EQ(problemOf(written(), "correct horsE"), BackupFile::Problem::WrongPassphrase);
    EXPECT_EQ(problemOf(written(), ""), BackupFile::Problem::WrongPassphrase);
}

TEST(BackupFileTest, NotABackup)
{
    EXPECT_EQ(problemOf(QByteArray()), BackupFile::Problem::NotABackup);
    EXPECT_EQ(problemOf(QByteArray("{\"registration\": \"google\"}")), BackupFile::Problem::NotABackup);
    QByteArray sqlite("SQLite format 3");
    sqlite.append(QByteArray(4096, '\0'));
    EXPECT_EQ(problemOf(sqlite), BackupFile::Problem::NotABackup);
    // A transfer in text mode (CR LF -> LF) damages the magic number.
    QByteArray text = written();
    text.replace("\r\n", "\n");
    EXPECT_EQ(problemOf(text), BackupFile::Problem::NotABackup);
}

TEST(BackupFileTest, NewerVersion)
{
    QByteArray file = written();
    qToBigEndian<quint16>(quint16(BackupFile::FormatVersion + 1), file.data() + 8);
    EXPECT_EQ(problemOf(file), BackupFile::Problem::NewerVersion);
    EXPECT_EQ(BackupFile::versionOf(file), BackupFile::FormatVersion + 1);
}

TEST(BackupFileTest, TruncatedAnywhere)
{
    const QByteArray file = written();
    for (const qsizetype keep :
         {qsizetype(9), qsizetype(50), qsizetype(BackupFile::HeaderSize), qsizetype(BackupFile::HeaderSize + 10),
          file.size() - BackupFile::TagSize, file.size() - 1})
        EXPECT_EQ(problemOf(file.left(keep)), BackupFile::Problem::Damaged) << keep;
    // Appended bytes too.
    EXPECT_EQ(problemOf(file + QByteArray("x")), BackupFile::Problem::Damaged);
}

TEST(BackupFileTest, EveryChangedByteIsFound)
{
    const QByteArray file = written();
    int damaged = 0, wrongPassphrase = 0;
    for (qsizetype i = 8; i < file.size(); ++i) {
        QByteArray changed = file;
        changed[i] = char(changed.at(i) ^ 0x01);
        BackupFile::Problem problem = BackupFile::Problem::None;
        Result<BackupFile::Contents> r = BackupFile::read(changed, pass("correct horse"), &problem);
        ASSERT_FALSE(r.ok()) << "byte " << i;
        // The header's check covers it: a changed salt or KDF parameter reads as a wrong passphrase
        // (nobody can tell them apart), a changed version as a newer file; the rest is damage.
        if (problem == BackupFile::Problem::Damaged)
            ++damaged;
        else if (problem == BackupFile::Problem::WrongPassphrase)
            ++wrongPassphrase;
        else
            EXPECT_TRUE(i < 10 && problem == BackupFile::Problem::NewerVersion) << "byte " << i;
    }
    EXPECT_GT(damaged, file.size() - BackupFile::HeaderSize - 1);
    EXPECT_GT(wrongPassphrase, 0);
}

TEST(BackupFileTest, HostileKdfParametersAreRefusedBeforeAnyWork)
{
    QByteArray file = written();
    QByteArray huge = file;
    huge[11] = char(40); // N = 2^40
    QElapsedTimer t;
    t.start();
    EXPECT_EQ(problemOf(huge), BackupFile::Problem::Damaged);
    QByteArray wideR = file;
    qToBigEndian<quint32>(0xffffffffU, wideR.data() + 12);
    EXPECT_EQ(problemOf(wideR), BackupFile::Problem::Damaged);
    QByteArray longPayload = file;
    qToBigEndian<quint64>(quint64(1) << 62, longPayload.data() + 49);
    EXPECT_EQ(problemOf(longPayload), BackupFile::Problem::Damaged);
    EXPECT_LT(t.elapsed(), 1000);
}

// The default parameters, as export uses them: how long scrypt takes here (also on the way back).
TEST(BackupFileTest, DefaultScryptCost)
{
    const BackupKdfParams defaults;
    EXPECT_EQ(defaults.log2N, 17);
    EXPECT_EQ(defaults.r, 8);
    EXPECT_EQ(defaults.p, 1);
    QElapsedTimer t;
    t.start();
    const QByteArray file = written(defaults);
    const qint64 writeMs = t.restart();
    Result<BackupFile::Contents> read = BackupFile::read(file, pass("correct horse"));
    const qint64 readMs = t.elapsed();
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(quint8(file.at(11)), 17);
    std::printf("scrypt N=2^17 r=8 p=1 (128 MiB): write %lld ms, read %lld ms\n", static_cast<long long>(writeMs),
                static_cast<long long>(readMs));
    ::testing::Test::RecordProperty("scrypt_write_ms", int(writeMs));
    ::testing::Test::RecordProperty("scrypt_read_ms", int(readMs));
    // Memory-hard, but not a burden: a person waits for it once per export or import.
    EXPECT_LT(readMs, 10000);
}
