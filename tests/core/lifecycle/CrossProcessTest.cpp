// Real second processes (lifecycle_helper) sharing the vault with this one: single flight across
// processes, and SIGKILL at every point of a refresh.
//
// What is honestly achievable when a process dies during a refresh (RFC 9700 strict server):
//  - killed before the server handled the request: nothing changed anywhere; the old pair is in the
//    vault and still works;
//  - killed after the server rotated but before the commit: the vault still holds the old,
//    consistent pair, but the server has already rotated, so the next refresh presents a "reused"
//    refresh token and the strict server revokes the grant. The account then becomes cleanly
//    "Needs sign-in" (never corrupted, never a half-written pair). No client can do better: the
//    new refresh token existed only in the dead process's memory. Real providers are kinder
//    (Microsoft keeps older refresh tokens valid, Google does not rotate);
//  - killed after the commit: the new pair is in the vault and works.
#include "core/lifecycle/TokenManager.h"
#include "tests/core/lifecycle/LifecycleFixture.h"
#include "tests/support/TestUtil.h"

#include <QCryptographicHash>
#include <QProcess>

using namespace mailkey;
using namespace mailkey::test;
using Endpoint = FakeAuthServer::Endpoint;
using Fault = FakeAuthServer::Fault;

namespace {

QString hashHex(const QString &token)
{
    return QString::fromLatin1(QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex());
}

} // namespace

class CrossProcessTest : public LifecycleFixture {
protected:
    void SetUp() override
    {
        LifecycleFixture::SetUp();
        // The helpers use the system clock; so does the server here.
        m_server.setClock(nullptr);
        m_clock.set(QDateTime::currentDateTimeUtc());
    }

    std::unique_ptr<QProcess> startHelper(qint64 accountId, const QStringList &extra = {})
    {
        auto p = std::make_unique<QProcess>();
        p->setProcessChannelMode(QProcess::SeparateChannels);
        QStringList args{QStringLiteral("refresh"), QStringLiteral("--token-url"), m_server.tokenUrl().toString(),
                         QStringLiteral("--account"), QString::number(accountId)};
        args += extra;
        p->start(QCoreApplication::applicationDirPath() + QStringLiteral("/lifecycle_helper"), args);
        EXPECT_TRUE(p->waitForStarted(5000));
        p->write(keyHex().toLatin1() + '\n');
        p->closeWriteChannel();
        return p;
    }

    // Waits (on the event loop: the fake server runs in this process) for the helper to finish.
    QString finish(QProcess &p, int timeoutMs = 30000)
    {
        QByteArray out;
        EXPECT_TRUE(waitFor(
            [&] {
                out += p.readAllStandardOutput();
                return p.state() == QProcess::NotRunning;
            },
            timeoutMs));
        out += p.readAllStandardOutput();
        return QString::fromUtf8(out).trimmed();
    }

    // Expires the stored token (the helpers then must refresh).
    qint64 expiredAccount(Grant *g)
    {
        const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), g);
        setStoredExpiry(id, QDateTime::currentDateTimeUtc().addSecs(-10));
        m_server.resetCounters();
        return id;
    }

    Result<AccessToken> refreshHere(qint64 id)
    {
        TokenManager manager(m_vault, &m_registry, &m_nam, m_profile, Clock::system());
        std::optional<Result<AccessToken>> r;
        manager.accessToken(id, QStringLiteral("default"), 60, [&](Result<AccessToken> x) { r.emplace(std::move(x)); });
        EXPECT_TRUE(waitFor([&] { return r.has_value(); }, 20000));
        return r ? std::move(*r) : Result<AccessToken>(Error(ErrorCode::Internal, QStringLiteral("timeout")));
    }
};

TEST_F(CrossProcessTest, TwoProcessesAskingAtOnceCauseExactlyOneRefresh)
{
    Grant g;
    const qint64 id = expiredAccount(&g);
    // A slow token endpoint, so both processes are certainly asking at the same time.
    m_server.injectFault(Endpoint::Token, Fault{Fault::Delay, -1, 0, 1, 700});
    auto a = startHelper(id);
    auto b = startHelper(id);
    const QString outA = finish(*a);
    const QString outB = finish(*b);
    ASSERT_TRUE(outA.contains(QLatin1String("OK "))) << outA.toStdString();
    ASSERT_TRUE(outB.contains(QLatin1String("OK "))) << outB.toStdString();
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 1);
    EXPECT_EQ(m_server.refreshCount(), 1);
    // Both got the token now in the vault (the second re-read it after taking the lock).
    auto t = stored(id);
    ASSERT_TRUE(t.has_value());
    const QString expected = QStringLiteral("OK ") + hashHex(t->accessToken.reveal());
    EXPECT_TRUE(outA.endsWith(expected));
    EXPECT_TRUE(outB.endsWith(expected));
    EXPECT_FALSE(t->refreshToken.reveal() == g.refreshToken);
    EXPECT_TRUE(m_server.isRefreshTokenValid(t->refreshToken.reveal()));
    // And this process too: three programs, one refresh.
    auto here = refreshHere(id);
    ASSERT_TRUE(here.ok());
    EXPECT_EQ(m_server.refreshCount(), 1);
    const auto handed = auditOf(QStringLiteral("token.handed-out"));
    int byHelper = 0;
    for (const AuditEntry &e : handed)
        byHelper += e.actor == QLatin1String("lifecycle_helper") ? 1 : 0;
    EXPECT_EQ(byHelper, 2);
}

TEST_F(CrossProcessTest, SigkillWhileTheRequestIsAtTheServerLeavesTheOldPairWhichStillWorks)
{
    Grant g;
    const qint64 id = expiredAccount(&g);
    m_server.injectFault(Endpoint::Token, Fault{Fault::Delay, 1, 0, 1, 1500});
    auto p = startHelper(id);
    ASSERT_TRUE(waitFor([&] { return m_server.requestCount(Endpoint::Token) == 1; }, 10000));
    p->kill();
    ASSERT_TRUE(waitFor([&] { return p->state() == QProcess::NotRunning; }));
    spin(1700); // the server's delayed answer finds the connection gone

    ASSERT_TRUE(m_vault->checkIntegrity().ok());
    auto t = stored(id);
    ASSERT_TRUE(t.has_value());
    if (m_server.refreshCount() == 0) {
        EXPECT_TRUE(t->accessToken.reveal() == g.accessToken && t->refreshToken.reveal() == g.refreshToken)
            << "the old pair";
        auto r = refreshHere(id);
        ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
        EXPECT_EQ(m_server.refreshCount(), 1);
        EXPECT_EQ(account(id).status, AccountStatus::Connected);
    } else {
        // The server processed it anyway: same as the next test.
        auto r = refreshHere(id);
        EXPECT_FALSE(r.ok());
        EXPECT_EQ(account(id).status, AccountStatus::NeedsSignIn);
    }
}

TEST_F(CrossProcessTest, SigkillAfterTheServerRotatedButBeforeTheCommitEndsCleanlyInNeedsSignIn)
{
    Grant g;
    const qint64 id = expiredAccount(&g);
    auto p = startHelper(id, {QStringLiteral("--crash-at"), QStringLiteral("reply-received")});
    const QString out = finish(*p);
    EXPECT_EQ(p->exitStatus(), QProcess::CrashExit) << out.toStdString();
    EXPECT_EQ(m_server.refreshCount(), 1) << "the server rotated";

    // The vault holds the old, consistent pair.
    ASSERT_TRUE(m_vault->checkIntegrity().ok());
    auto t = stored(id);
    ASSERT_TRUE(t.has_value());
    EXPECT_TRUE(t->accessToken.reveal() == g.accessToken);
    EXPECT_TRUE(t->refreshToken.reveal() == g.refreshToken);
    EXPECT_EQ(account(id).status, AccountStatus::Connected);

    // Its refresh token was rotated at the server: presenting it again is "reuse", the strict
    // server revokes the grant, and the account is cleanly "Needs sign-in".
    auto r = refreshHere(id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::NeedsSignIn);
    const Account a = account(id);
    EXPECT_EQ(a.status, AccountStatus::NeedsSignIn);
    EXPECT_FALSE(a.statusReason.isEmpty());
    EXPECT_FALSE(m_server.isGrantActive(QStringLiteral("ann@example.com")));
    // Still consistent, and a new sign-in brings it back.
    ASSERT_TRUE(m_vault->checkIntegrity().ok());
    connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    setStoredExpiry(id, QDateTime::currentDateTimeUtc().addSecs(-10));
    EXPECT_TRUE(refreshHere(id).ok());
}

TEST_F(CrossProcessTest, SigkillAfterTheCommitLeavesTheNewPairWhichWorks)
{
    Grant g;
    const qint64 id = expiredAccount(&g);
    auto p = startHelper(id, {QStringLiteral("--crash-at"), QStringLiteral("committed")});
    finish(*p);
    EXPECT_EQ(p->exitStatus(), QProcess::CrashExit);
    ASSERT_TRUE(m_vault->checkIntegrity().ok());
    auto t = stored(id);
    ASSERT_TRUE(t.has_value());
    EXPECT_TRUE(t->accessToken.reveal() == m_server.lastIssuedAccessToken()) << "the new pair";
    EXPECT_TRUE(t->refreshToken.reveal() == m_server.lastIssuedRefreshToken());
    EXPECT_TRUE(m_server.isRefreshTokenValid(t->refreshToken.reveal()));
    // The dead process's lock was released by the kernel: this process refreshes without waiting.
    setStoredExpiry(id, QDateTime::currentDateTimeUtc().addSecs(-10));
    QElapsedTimer timer;
    timer.start();
    auto r = refreshHere(id);
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_LT(timer.elapsed(), 5000);
    EXPECT_EQ(m_server.refreshCount(), 2);
    EXPECT_EQ(account(id).status, AccountStatus::Connected);
}

TEST_F(CrossProcessTest, AProcessWaitingForTheLockGivesUpAfterItsBound)
{
    Grant g;
    const qint64 id = expiredAccount(&g);
    QProcess holder;
    holder.start(QCoreApplication::applicationDirPath() + QStringLiteral("/lifecycle_helper"),
                 {QStringLiteral("hold-lock"), QStringLiteral("--lock"), m_profile.lockPath(),
                  QStringLiteral("--account"), QString::number(id)});
    ASSERT_TRUE(holder.waitForStarted(5000));
    ASSERT_TRUE(waitFor([&] { return holder.readAllStandardOutput().contains("LOCKED"); }, 10000));

    TokenManager manager(m_vault, &m_registry, &m_nam, m_profile, Clock::system());
    TokenManager::Options o;
    o.lockTimeoutMs = 300;
    o.lockRetryMs = 20;
    manager.setOptions(o);
    std::optional<Result<AccessToken>> r;
    QElapsedTimer timer;
    timer.start();
    manager.accessToken(id, QStringLiteral("default"), 60, [&](Result<AccessToken> x) { r.emplace(std::move(x)); });
    ASSERT_TRUE(waitFor([&] { return r.has_value(); }, 5000));
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->error().code, ErrorCode::VaultBusy);
    EXPECT_GE(timer.elapsed(), 250);
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 0);
    holder.kill();
    holder.waitForFinished(5000);
}
