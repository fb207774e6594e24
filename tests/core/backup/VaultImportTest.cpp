// Vault::snapshot and Vault::importSnapshot on real SQLCipher files: the duplicate rule of a
// sign-in, the report, all or nothing, account clients (and a new sign-in dropping them).
#include "core/vault/Vault.h"

#include "core/common/Clock.h"
#include "tests/support/TestUtil.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace mailkey;

namespace {

TokenRecord token(const QString &access, const QString &refresh, const QDateTime &issued,
                  const QString &resource = QStringLiteral("default"))
{
    TokenRecord t;
    t.resource = resource;
    t.accessToken = SecretString(access);
    t.refreshToken = SecretString(refresh);
    t.issuedAt = issued;
    t.expiresAt = issued.addSecs(3600);
    return t;
}

SnapshotAccount account(const QString &provider, const QString &email, TokenRecord t)
{
    SnapshotAccount a;
    a.info = AccountInfo{provider, email, QStringLiteral("Name"), {}, QStringLiteral("sub")};
    a.tokens.push_back(std::move(t));
    return a;
}

class VaultImportTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_key = SecureBytes::random(32);
        m_vault = open(QStringLiteral("/a/vault.db"), Vault::OpenMode::Create);
        ASSERT_TRUE(m_vault);
    }

    std::unique_ptr<Vault> open(const QString &name, Vault::OpenMode mode)
    {
        auto v = Vault::open(m_dir.path() + name, m_key, mode);
        return v ? std::move(*v) : nullptr;
    }

    QTemporaryDir m_dir;
    SecureBytes m_key;
    std::unique_ptr<Vault> m_vault;
    const QDateTime m_t0 = QDateTime::fromMSecsSinceEpoch(1765000000000, utcZone());
};

} // namespace

TEST_F(VaultImportTest, SnapshotIntoAnotherVaultKeepsEverything)
{
    ASSERT_TRUE(m_vault
                    ->saveConnection(AccountInfo{QStringLiteral("google"),
                                                 QStringLiteral("ann@example.com"),
                                                 QStringLiteral("Ann"),
                                                 {},
                                                 QStringLiteral("s1")},
                                     token(QStringLiteral("A1"), QStringLiteral("R1"), m_t0), m_t0)
                    .ok());
    ASSERT_TRUE(m_vault->setSetting(QStringLiteral("ui.k"), QStringLiteral("v")).ok());
    AuditEntry e;
    e.action = QStringLiteral("token.handed-out");
    e.outcome = QStringLiteral("ok");
    e.accountEmail = QStringLiteral("ann@example.com");
    ASSERT_TRUE(m_vault->appendAudit(e).ok());

    Result<VaultSnapshot> snap = m_vault->snapshot(true);
    ASSERT_TRUE(snap.ok());
    ASSERT_EQ(snap->accounts.size(), 1u);
    EXPECT_EQ(snap->audit.size(), 1);
    for (const auto &[key, value] : snap->settings)
        EXPECT_FALSE(key.startsWith(QLatin1String("audit."))) << key.toStdString();
    Result<VaultSnapshot> withoutAudit = m_vault->snapshot(false);
    ASSERT_TRUE(withoutAudit.ok());
    EXPECT_TRUE(withoutAudit->audit.isEmpty());

    auto other = open(QStringLiteral("/b/vault.db"), Vault::OpenMode::Create);
    ASSERT_TRUE(other);
    Result<ImportReport> report = other->importSnapshot(*snap, m_t0.addDays(1), QStringLiteral("test"));
    ASSERT_TRUE(report.ok()) << report.error().message.toStdString();
    EXPECT_EQ(report->added, QStringList{QStringLiteral("ann@example.com (google)")});
    EXPECT_TRUE(report->updated.isEmpty());
    EXPECT_EQ(report->settingsAdded, 1);
    EXPECT_EQ(report->auditEntries, 1);
    auto found = other->findAccount(QStringLiteral("google"), QStringLiteral("ann@example.com"));
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ((*found)->displayName, QStringLiteral("Ann"));
    EXPECT_EQ((*found)->createdAt, m_t0);
    auto t = other->token((*found)->id, QStringLiteral("default"));
    ASSERT_TRUE(t.ok() && t->has_value());
    EXPECT_TRUE((*t)->refreshToken.equals(QStringLiteral("R1")));
    EXPECT_EQ(other->setting(QStringLiteral("ui.k"))->value_or(QString()), QStringLiteral("v"));
    // The chain goes on: the imported entry, then the import itself, both verified.
    auto v = other->verifyAudit();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->intact) << v->problem.toStdString();
    EXPECT_EQ(v->rows, 2);
    auto entries = other->audit(0);
    ASSERT_TRUE(entries.ok());
    EXPECT_EQ(entries->first().action, QStringLiteral("vault.imported"));
    EXPECT_EQ(entries->last().accountId, (*found)->id);
    // The same backup again: its audit entry is already there and is not appended twice.
    Result<ImportReport> again = other->importSnapshot(*snap, m_t0.addDays(2), QStringLiteral("test"));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->auditEntries, 0);
    EXPECT_EQ(again->auditAlreadyThere, 1);
    EXPECT_EQ(other->verifyAudit()->rows, 3); // + the second vault.imported
}

TEST_F(VaultImportTest, MergesByProviderAndAddressAsConnectDoes)
{
    ASSERT_TRUE(
        m_vault
            ->saveConnection(AccountInfo{QStringLiteral("google"), QStringLiteral("Ann@Example.com"), {}, {}, {}},
                             token(QStringLiteral("OLD"), QStringLiteral("ROLD"), m_t0), m_t0)
            .ok());
    ASSERT_TRUE(
        m_vault
            ->saveConnection(AccountInfo{QStringLiteral("microsoft"), QStringLiteral("newer@example.com"), {}, {}, {}},
                             token(QStringLiteral("HERE"), QStringLiteral("RHERE"), m_t0.addDays(5)), m_t0.addDays(5))
            .ok());
    VaultSnapshot snap;
    // Same provider, address in another case: the same account (updated).
    snap.accounts.push_back(account(QStringLiteral("google"), QStringLiteral("ann@example.com"),
                                    token(QStringLiteral("NEW"), QStringLiteral("RNEW"), m_t0.addDays(1))));
    // Same address, another provider: another account (added).
    snap.accounts.push_back(account(QStringLiteral("microsoft"), QStringLiteral("ann@example.com"),
                                    token(QStringLiteral("MS"), QStringLiteral("RMS"), m_t0.addDays(1))));
    // The vault's sign-in is newer than the backup's: kept.
    snap.accounts.push_back(account(QStringLiteral("microsoft"), QStringLiteral("newer@example.com"),
                                    token(QStringLiteral("STALE"), QStringLiteral("RSTALE"), m_t0.addDays(1))));
    Result<ImportReport> report = m_vault->importSnapshot(snap, m_t0.addDays(6), QStringLiteral("test"));
    ASSERT_TRUE(report.ok()) << report.error().message.toStdString();
    EXPECT_EQ(report->updated, QStringList{QStringLiteral("ann@example.com (google)")});
    EXPECT_EQ(report->added, QStringList{QStringLiteral("ann@example.com (microsoft)")});
    EXPECT_EQ(report->keptNewer, QStringList{QStringLiteral("newer@example.com (microsoft)")});
    EXPECT_EQ(*m_vault->accountCount(), 3);
    auto ann = m_vault->findAccount(QStringLiteral("google"), QStringLiteral("ann@example.com"));
    ASSERT_TRUE(ann.ok() && ann->has_value());
    auto t = m_vault->token((*ann)->id, QStringLiteral("default"));
    EXPECT_TRUE((*t)->refreshToken.equals(QStringLiteral("RNEW")));
    auto kept = m_vault->findAccount(QStringLiteral("microsoft"), QStringLiteral("newer@example.com"));
    auto k = m_vault->token((*kept)->id, QStringLiteral("default"));
    EXPECT_TRUE((*k)->refreshToken.equals(QStringLiteral("RHERE")));
}

TEST_F(VaultImportTest, AllOrNothing)
{
    ASSERT_TRUE(
        m_vault
            ->saveConnection(AccountInfo{QStringLiteral("google"), QStringLiteral("ann@example.com"), {}, {}, {}},
                             token(QStringLiteral("OLD"), QStringLiteral("ROLD"), m_t0), m_t0)
            .ok());
    const auto before = m_vault->verifyAudit();
    VaultSnapshot snap;
    snap.accounts.push_back(account(QStringLiteral("google"), QStringLiteral("ann@example.com"),
                                    token(QStringLiteral("NEW"), QStringLiteral("RNEW"), m_t0.addDays(1))));
    snap.accounts.push_back(account(QStringLiteral("fake"), QStringLiteral("bob@example.com"),
                                    token(QStringLiteral("B"), QStringLiteral("RB"), m_t0.addDays(1))));
    // The third is invalid: the whole import fails, the first two are not there.
    snap.accounts.push_back(account(QStringLiteral("fake"), QString(), token({}, {}, m_t0)));
    Result<ImportReport> report = m_vault->importSnapshot(snap, m_t0.addDays(2), QStringLiteral("test"));
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(*m_vault->accountCount(), 1);
    auto ann = m_vault->findAccount(QStringLiteral("google"), QStringLiteral("ann@example.com"));
    auto t = m_vault->token((*ann)->id, QStringLiteral("default"));
    EXPECT_TRUE((*t)->refreshToken.equals(QStringLiteral("ROLD")));
    EXPECT_EQ(m_vault->verifyAudit()->rows, before->rows);
}

TEST_F(VaultImportTest, AccountClientIsKeptUntilTheNextSignIn)
{
    VaultSnapshot snap;
    SnapshotAccount a = account(QStringLiteral("google"), QStringLiteral("ann@example.com"),
                                token(QStringLiteral("A"), QStringLiteral("R"), m_t0));
    a.client = AccountClient{QStringLiteral("mutt-client"), SecretString(QStringLiteral("mutt-secret"))};
    snap.accounts.push_back(std::move(a));
    ASSERT_TRUE(m_vault->importSnapshot(snap, m_t0, QStringLiteral("test")).ok());
    auto ann = m_vault->findAccount(QStringLiteral("google"), QStringLiteral("ann@example.com"));
    const qint64 id = (*ann)->id;
    auto client = m_vault->accountClient(id);
    ASSERT_TRUE(client.ok() && client->has_value());
    EXPECT_EQ((*client)->clientId, QStringLiteral("mutt-client"));
    EXPECT_TRUE((*client)->clientSecret.equals(QStringLiteral("mutt-secret")));
    // In the next backup too.
    auto again = m_vault->snapshot(false);
    ASSERT_TRUE(again.ok() && again->accounts.front().client.has_value());
    // A sign-in with MailKey's own client: the account's client goes with the old tokens.
    ASSERT_TRUE(
        m_vault
            ->saveConnection(AccountInfo{QStringLiteral("google"), QStringLiteral("ann@example.com"), {}, {}, {}},
                             token(QStringLiteral("A2"), QStringLiteral("R2"), m_t0.addDays(1)), m_t0.addDays(1))
            .ok());
    client = m_vault->accountClient(id);
    ASSERT_TRUE(client.ok());
    EXPECT_FALSE(client->has_value());
    // An older backup does not bring it back over the newer sign-in.
    Result<ImportReport> old = m_vault->importSnapshot(snap, m_t0.addDays(2), QStringLiteral("test"));
    ASSERT_TRUE(old.ok());
    EXPECT_EQ(old->keptNewer.size(), 1);
    EXPECT_FALSE(m_vault->accountClient(id)->has_value());
    // Removing an account removes its client (foreign key, ON DELETE CASCADE).
    VaultSnapshot other;
    SnapshotAccount b = account(QStringLiteral("fake"), QStringLiteral("bob@example.com"),
                                token(QStringLiteral("B"), QStringLiteral("RB"), m_t0));
    b.client = AccountClient{QStringLiteral("c"), SecretString()};
    other.accounts.push_back(std::move(b));
    ASSERT_TRUE(m_vault->importSnapshot(other, m_t0, QStringLiteral("test")).ok());
    const qint64 bob = (*m_vault->findAccount(QStringLiteral("fake"), QStringLiteral("bob@example.com")))->id;
    ASSERT_TRUE(m_vault->accountClient(bob)->has_value());
    ASSERT_TRUE(m_vault->removeAccount(bob).ok());
    EXPECT_FALSE(m_vault->accountClient(bob)->has_value());
}
