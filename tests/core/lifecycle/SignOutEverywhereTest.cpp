// "Sign out everywhere" with the real keychain (private gnome-keyring, see with-keyring.sh):
// revoke what can be revoked, wipe every token, rotate the vault key, record the incident.
#include "core/lifecycle/SignOutEverywhere.h"
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/TokenManager.h"
#include "core/vault/VaultAccess.h"
#include "tests/core/lifecycle/LifecycleFixture.h"
#include "tests/support/SqlCipherPages.h"
#include "tests/support/TestUtil.h"

#include <QSignalSpy>

using namespace mailkey;
using namespace mailkey::test;
using Endpoint = FakeAuthServer::Endpoint;

namespace {

Result<SecureBytes> readKey(KeyStore &store, const QString &key)
{
    std::optional<Result<SecureBytes>> result;
    store.read(key, [&](Result<SecureBytes> r) { result.emplace(std::move(r)); });
    EXPECT_TRUE(waitFor([&] { return result.has_value(); }, 20000));
    return result ? std::move(*result) : Result<SecureBytes>(Error(ErrorCode::Internal, QStringLiteral("timeout")));
}

} // namespace

class SignOutEverywhereTest : public LifecycleFixture {
protected:
    void SetUp() override
    {
        LifecycleFixture::SetUp();
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run this test through tests/support/with-keyring.sh";
        // A profile whose key lives in the keychain.
        m_vault.reset();
        m_profile = Profile(test::uniqueName(QStringLiteral("incident")));
        std::optional<Result<OpenedVault>> opened;
        VaultAccess::unlock(m_profile, &m_store, [&](Result<OpenedVault> r) { opened.emplace(std::move(r)); });
        ASSERT_TRUE(waitFor([&] { return opened.has_value(); }, 20000));
        ASSERT_TRUE(opened->ok()) << opened->error().message.toStdString();
        m_vault = (*opened)->vault;
        auto key = readKey(m_store, m_profile.keychainKey());
        ASSERT_TRUE(key.ok());
        m_key = std::move(key).value();
    }
    void TearDown() override
    {
        m_vault.reset();
        std::optional<Status> removed;
        m_store.remove(m_profile.keychainKey(), [&](Status s) { removed.emplace(s); });
        waitFor([&] { return removed.has_value(); }, 20000);
        LifecycleFixture::TearDown();
    }
    QByteArray plaintextWith(const QByteArray &rawKey)
    {
        const QString db = m_profile.databasePath();
        return decryptDatabasePages(db, rawKey) + decryptWalPages(db + QStringLiteral("-wal"), rawKey);
    }
    KeyStore m_store;
};

TEST_F(SignOutEverywhereTest, RevokesWipesEveryTokenRotatesTheKeyAndRecordsTheIncident)
{
    Grant google, microsoft, microsoftImap;
    const qint64 gId
        = connectAccount(QString::fromLatin1(kGoogleProvider), QStringLiteral("gail@gmail.example"), &google);
    const qint64 mId = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("max@outlook.example"),
                                      &microsoft, QStringLiteral("9188040d-6c67-4c5b-b112-36a304b66dad"));
    TokenManager manager(m_vault, &m_registry, &m_nam, m_profile, &m_clock);
    // A second resource, so more than one row per account is wiped.
    std::optional<Result<AccessToken>> imap;
    manager.accessToken(mId, QStringLiteral("imap"), 60, [&](Result<AccessToken> r) { imap.emplace(std::move(r)); });
    ASSERT_TRUE(waitFor([&] { return imap.has_value(); }));
    ASSERT_TRUE(imap->ok());
    const QString imapToken = (*imap)->token.reveal();
    const QString msRefresh = stored(mId)->refreshToken.reveal();
    const QList<QString> secrets
        = {google.accessToken, google.refreshToken, microsoft.accessToken, msRefresh, imapToken};

    // Positive control: with the current key, the decrypted pages show the stored tokens.
    const QByteArray oldKey = m_key.bytes();
    const QByteArray before = plaintextWith(oldKey);
    EXPECT_TRUE(before.contains(google.refreshToken.toUtf8()));
    EXPECT_TRUE(before.contains(msRefresh.toUtf8()));

    QSignalSpy statusSpy(&manager, &TokenManager::accountStatusChanged);
    std::optional<Result<SignOutReport>> report;
    manager.signOutEverywhere(&m_store, [&](Result<SignOutReport> r) { report.emplace(std::move(r)); });
    ASSERT_TRUE(waitFor([&] { return report.has_value(); }, 30000));
    ASSERT_TRUE(report->ok()) << report->error().message.toStdString();
    const SignOutReport &rep = report->value();
    EXPECT_EQ(rep.accounts, 2);
    EXPECT_TRUE(rep.tokensWiped);
    EXPECT_TRUE(rep.keyRotated);
    EXPECT_EQ(rep.revoked, 1) << "Google";
    EXPECT_EQ(rep.notRevocable, 1) << "Microsoft";
    ASSERT_EQ(rep.messages.size(), 1);
    EXPECT_TRUE(rep.messages.first().contains(QLatin1String("account.live.com/consent/Manage")));
    EXPECT_GE(statusSpy.count(), 2);

    // Revoked where possible.
    EXPECT_FALSE(m_server.isGrantActive(QStringLiteral("gail@gmail.example")));
    EXPECT_EQ(m_server.revocationCount(), 1);

    // The key changed, and the vault opens with what the keychain now holds.
    auto newKey = readKey(m_store, m_profile.keychainKey());
    ASSERT_TRUE(newKey.ok());
    EXPECT_FALSE(newKey->bytes() == oldKey);

    // No token bytes anywhere in the files, decrypted with the new key or the old one, or raw.
    const QByteArray afterNew = plaintextWith(newKey->bytes());
    const QByteArray afterOld = plaintextWith(oldKey);
    const QByteArray raw = rawVaultBytes(m_profile.databasePath());
    EXPECT_FALSE(afterNew.isEmpty());
    EXPECT_TRUE(afterNew.contains("gail@gmail.example")) << "positive control: the new key decrypts the pages";
    for (const QString &s : secrets) {
        ASSERT_FALSE(s.isEmpty());
        EXPECT_FALSE(afterNew.contains(s.toUtf8())) << "a token survived (new key)";
        EXPECT_FALSE(afterOld.contains(s.toUtf8())) << "a token survived (old key)";
        EXPECT_FALSE(raw.contains(s.toUtf8())) << "a token survived (raw bytes)";
    }

    // Accounts stay, as "Needs sign-in"; the incident is in the audit log; the chain is intact.
    m_vault.reset();
    manager.setVault(nullptr);
    auto reopened = Vault::open(m_profile.databasePath(), *newKey, Vault::OpenMode::OpenExisting);
    ASSERT_TRUE(reopened.ok()) << reopened.error().message.toStdString();
    m_vault = std::shared_ptr<Vault>(std::move(reopened).value());
    for (qint64 id : {gId, mId}) {
        EXPECT_EQ(account(id).status, AccountStatus::NeedsSignIn);
        EXPECT_TRUE(m_vault->tokens(id)->empty());
    }
    const auto incidents = auditOf(QStringLiteral("incident.sign-out-everywhere"));
    ASSERT_EQ(incidents.size(), 2);
    EXPECT_EQ(incidents.at(0).outcome, QStringLiteral("ok"));
    EXPECT_EQ(incidents.at(1).outcome, QStringLiteral("started"));
    EXPECT_TRUE(m_vault->verifyAudit()->intact);
    QList<QByteArray> needles;
    for (const QString &s : secrets)
        needles.append(s.toUtf8());
    expectNotLogged(needles);
}
