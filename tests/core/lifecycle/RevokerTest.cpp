// Removal: revocation where the provider has an endpoint (and only there), always a local wipe,
// honest messages for Microsoft, background retries after a 503.
#include "core/lifecycle/Revoker.h"
#include "core/lifecycle/TokenManager.h"
#include "tests/core/lifecycle/LifecycleFixture.h"
#include "tests/support/SqlCipherPages.h"
#include "tests/support/TestUtil.h"

#include <QSignalSpy>

using namespace mailkey;
using namespace mailkey::test;
using Endpoint = FakeAuthServer::Endpoint;
using Fault = FakeAuthServer::Fault;

namespace {
const QString kPersonalTenant = QStringLiteral("9188040d-6c67-4c5b-b112-36a304b66dad");
const QString kWorkTenant = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
} // namespace

class RevokerTest : public LifecycleFixture {
protected:
    void SetUp() override
    {
        LifecycleFixture::SetUp();
        m_manager = std::make_unique<TokenManager>(m_vault, &m_registry, &m_nam, m_profile, &m_clock);
        Revoker::Options ro;
        ro.retry.initialMs = 50;
        ro.retry.minimumMs = 10;
        ro.retry.jitter = 0;
        m_manager->revoker()->setOptions(ro);
    }
    void TearDown() override
    {
        m_manager.reset();
        LifecycleFixture::TearDown();
    }
    Result<RevocationOutcome> remove(qint64 id)
    {
        std::optional<Result<RevocationOutcome>> out;
        m_manager->removeAccount(id, [&](Result<RevocationOutcome> r) { out.emplace(std::move(r)); });
        EXPECT_TRUE(waitFor([&] { return out.has_value(); }, 20000));
        return out ? std::move(*out) : Result<RevocationOutcome>(Error(ErrorCode::Internal, QStringLiteral("timeout")));
    }
    bool vaultContains(const QString &secret)
    {
        const QString db = m_profile.databasePath();
        const QByteArray plain = decryptDatabasePages(db, m_key.bytes())
                                 + decryptWalPages(db + QStringLiteral("-wal"), m_key.bytes()) + rawVaultBytes(db);
        return plain.contains(secret.toUtf8());
    }
    std::unique_ptr<TokenManager> m_manager;
};

TEST_F(RevokerTest, GoogleIsRevokedAtTheProviderAndWipedLocally)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kGoogleProvider), QStringLiteral("gail@gmail.example"), &g);
    EXPECT_TRUE(vaultContains(g.refreshToken)) << "positive control: the page decryption finds stored tokens";
    auto r = remove(id);
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_TRUE(r->revokedAtProvider);
    EXPECT_FALSE(r->pending);
    EXPECT_TRUE(r->message.contains(QLatin1String("revoked"))) << r->message.toStdString();
    EXPECT_EQ(m_server.revocationCount(), 1);
    EXPECT_FALSE(m_server.isGrantActive(QStringLiteral("gail@gmail.example")));
    EXPECT_FALSE(m_server.isRefreshTokenValid(g.refreshToken));
    // Local wipe.
    EXPECT_FALSE(m_vault->account(id)->has_value());
    EXPECT_FALSE(vaultContains(g.refreshToken));
    EXPECT_FALSE(vaultContains(g.accessToken));
    ASSERT_EQ(auditOf(QStringLiteral("account.removed")).size(), 1);
    const auto revoked = auditOf(QStringLiteral("token.revoked"));
    ASSERT_EQ(revoked.size(), 1);
    EXPECT_EQ(revoked.first().outcome, QStringLiteral("ok"));
    expectNotLogged({g.refreshToken.toUtf8(), g.accessToken.toUtf8()});
}

TEST_F(RevokerTest, WithoutAClientIdTheTokensAreWipedAndTheMessageSaysWhyTheyWereNotRevoked)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kGoogleProvider), QStringLiteral("gail@gmail.example"), &g);
    // The client id is taken out of the settings after the sign-in (e.g. the user cleared it).
    ProviderRegistry::Settings settings = providerSettings();
    settings.remove(ProviderRegistry::settingsKey(QString::fromLatin1(kGoogleProvider), QStringLiteral("client_id")));
    m_registry.setSettings(settings);
    ASSERT_TRUE(m_registry.provider(QString::fromLatin1(kGoogleProvider)).clientId.isEmpty());
    auto r = remove(id);
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_FALSE(r->revokedAtProvider);
    EXPECT_TRUE(r->message.contains(QLatin1String("no client id"))) << r->message.toStdString();
    EXPECT_FALSE(r->message.contains(QLatin1String("held no tokens"))) << r->message.toStdString();
    EXPECT_EQ(m_server.revocationCount(), 0);
    EXPECT_TRUE(m_server.isGrantActive(QStringLiteral("gail@gmail.example"))) << "nothing was revoked";
    EXPECT_FALSE(m_vault->account(id)->has_value());
    EXPECT_FALSE(vaultContains(g.refreshToken));
}

TEST_F(RevokerTest, MicrosoftHasNoRevocationSoItIsWipedLocallyWithAnHonestMessage)
{
    Grant personal;
    Grant work;
    const qint64 p = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("pat@outlook.example"), &personal,
                                    kPersonalTenant);
    const qint64 w
        = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("wes@contoso.example"), &work, kWorkTenant);
    auto rp = remove(p);
    auto rw = remove(w);
    ASSERT_TRUE(rp.ok() && rw.ok());
    EXPECT_FALSE(rp->revokedAtProvider);
    EXPECT_FALSE(rp->supported);
    EXPECT_TRUE(rp->message.contains(QLatin1String("https://account.live.com/consent/Manage")))
        << rp->message.toStdString();
    EXPECT_FALSE(rp->message.contains(QLatin1String("myapps")));
    EXPECT_TRUE(rw->message.contains(QLatin1String("https://myapps.microsoft.com"))) << rw->message.toStdString();
    EXPECT_TRUE(rw->message.contains(QLatin1String("administrator")));
    EXPECT_EQ(m_server.requestCount(Endpoint::Revoke), 0) << "no revocation call without an endpoint";
    EXPECT_FALSE(m_vault->account(p)->has_value());
    EXPECT_FALSE(m_vault->account(w)->has_value());
    EXPECT_FALSE(vaultContains(personal.refreshToken));
    EXPECT_FALSE(vaultContains(work.refreshToken));
    const auto revoked = auditOf(QStringLiteral("token.revoked"));
    ASSERT_EQ(revoked.size(), 2);
    EXPECT_EQ(revoked.first().outcome, QStringLiteral("not-supported"));
}

TEST_F(RevokerTest, AnUnknownMicrosoftAccountTypeGetsBothPlaces)
{
    Account a;
    a.email = QStringLiteral("someone@example.org");
    const QString msg = Revoker::microsoftMessage(a);
    EXPECT_TRUE(msg.contains(QLatin1String("account.live.com/consent/Manage")));
    EXPECT_TRUE(msg.contains(QLatin1String("myapps.microsoft.com")));
    a.email = QStringLiteral("someone@hotmail.com");
    EXPECT_FALSE(Revoker::microsoftMessage(a).contains(QLatin1String("myapps")));
}

TEST_F(RevokerTest, Google503IsRetriedInTheBackgroundAfterTheLocalWipe)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kGoogleProvider), QStringLiteral("gail@gmail.example"), &g);
    m_server.injectFault(Endpoint::Revoke, Fault{Fault::ServerError, 2, 503, 1, 0});
    QSignalSpy finished(m_manager->revoker(), &Revoker::pendingRevocationFinished);
    auto r = remove(id);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->revokedAtProvider);
    EXPECT_TRUE(r->pending);
    EXPECT_TRUE(r->message.contains(QLatin1String("keep trying"))) << r->message.toStdString();
    EXPECT_TRUE(r->message.contains(QLatin1String("https://myaccount.google.com")));
    // Wiped locally at once.
    EXPECT_FALSE(m_vault->account(id)->has_value());
    EXPECT_FALSE(vaultContains(g.refreshToken));
    EXPECT_TRUE(m_server.isGrantActive(QStringLiteral("gail@gmail.example")));
    EXPECT_EQ(m_manager->revoker()->pendingCount(), 1);

    // The clock moves on; the queued revocation is retried (a second 503), then succeeds.
    for (int i = 0; i < 40 && finished.isEmpty(); ++i) {
        m_clock.advance(60);
        spin(30);
    }
    ASSERT_EQ(finished.count(), 1);
    EXPECT_TRUE(finished.at(0).at(2).toBool());
    const QString done = finished.at(0).at(3).toString();
    EXPECT_TRUE(done.contains(QLatin1String("confirmed"))) << done.toStdString();
    EXPECT_TRUE(done.contains(QLatin1String("gail@gmail.example"))) << done.toStdString();
    EXPECT_EQ(m_server.requestCount(Endpoint::Revoke), 3);
    EXPECT_EQ(m_server.revocationCount(), 1);
    EXPECT_FALSE(m_server.isGrantActive(QStringLiteral("gail@gmail.example")));
    EXPECT_EQ(m_manager->revoker()->pendingCount(), 0);
    const auto revoked = auditOf(QStringLiteral("token.revoked"));
    ASSERT_EQ(revoked.size(), 2);
    EXPECT_EQ(revoked.at(0).outcome, QStringLiteral("ok")); // newest first
    EXPECT_EQ(revoked.at(1).outcome, QStringLiteral("pending"));
}

TEST_F(RevokerTest, BackgroundRetriesAreBounded)
{
    Revoker::Options ro = m_manager->revoker()->options();
    ro.maxAttempts = 3;
    m_manager->revoker()->setOptions(ro);
    const qint64 id = connectAccount(QString::fromLatin1(kGoogleProvider), QStringLiteral("gail@gmail.example"));
    m_server.injectFault(Endpoint::Revoke, Fault{Fault::ServerError, -1, 503, 1, 0});
    QSignalSpy finished(m_manager->revoker(), &Revoker::pendingRevocationFinished);
    ASSERT_TRUE(remove(id)->pending);
    for (int i = 0; i < 60 && finished.isEmpty(); ++i) {
        m_clock.advance(120);
        spin(20);
    }
    ASSERT_EQ(finished.count(), 1);
    EXPECT_FALSE(finished.at(0).at(2).toBool());
    const QString gaveUp = finished.at(0).at(3).toString();
    EXPECT_TRUE(gaveUp.contains(QLatin1String("stopped trying"))) << gaveUp.toStdString();
    EXPECT_TRUE(gaveUp.contains(QLatin1String("https://myaccount.google.com"))) << gaveUp.toStdString();
    for (int i = 0; i < 10; ++i) {
        m_clock.advance(3600);
        spin(10);
    }
    EXPECT_EQ(m_server.requestCount(Endpoint::Revoke), 3) << "gave up after maxAttempts";
    EXPECT_EQ(auditOf(QStringLiteral("token.revoked")).first().outcome, QStringLiteral("failed"));
}

TEST_F(RevokerTest, RemovingAnAccountCancelsItsRefreshInFlight)
{
    const qint64 id = connectAccount(QString::fromLatin1(kGoogleProvider), QStringLiteral("gail@gmail.example"));
    m_clock.advance(3600);
    m_server.injectFault(Endpoint::Token, Fault{Fault::Delay, 1, 0, 1, 1500});
    std::optional<Result<AccessToken>> pendingToken;
    m_manager->accessToken(id, QStringLiteral("default"), 60,
                           [&](Result<AccessToken> r) { pendingToken.emplace(std::move(r)); });
    ASSERT_TRUE(waitFor([&] { return m_manager->activeRefreshCount() == 1; }));
    auto r = remove(id);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(pendingToken.has_value());
    EXPECT_EQ(pendingToken->error().code, ErrorCode::Cancelled);
    EXPECT_FALSE(m_vault->account(id)->has_value());
    spin(1700);
    EXPECT_FALSE(m_vault->account(id)->has_value()) << "nothing is written back for a removed account";
}
