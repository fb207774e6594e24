// RefreshScheduler with a ManualClock: refresh ahead of expiry (with jitter), keep-alive of idle
// accounts, sleep/resume (wall-clock jumps), network coming back, accounts that need sign-in.
#include "core/lifecycle/RefreshScheduler.h"
#include "core/lifecycle/TokenManager.h"
#include "tests/core/lifecycle/LifecycleFixture.h"
#include "tests/support/TestUtil.h"

#include <QSignalSpy>

#include <sqlcipher/sqlite3.h>

using namespace mailkey;
using namespace mailkey::test;
using Endpoint = FakeAuthServer::Endpoint;
using Fault = FakeAuthServer::Fault;

class SchedulerTest : public LifecycleFixture {
protected:
    void SetUp() override
    {
        LifecycleFixture::SetUp();
        m_manager = std::make_unique<TokenManager>(m_vault, &m_registry, &m_nam, m_profile, &m_clock);
        TokenManager::Options o;
        o.lockRetryMs = 10;
        o.rateLimits = {100, 1000.0};
        m_manager->setOptions(o);
        m_scheduler = std::make_unique<RefreshScheduler>(m_manager.get());
        m_options.jitterSeconds = 0;
        m_options.heartbeatMs = 20;
        m_options.minIntervalMs = 5;
        m_options.watchNetwork = false;
        m_options.watchSleep = false;
        m_options.clockJumpToleranceMs = 5000;
        m_scheduler->setOptions(m_options);
    }
    void TearDown() override
    {
        m_scheduler.reset();
        m_manager.reset();
        LifecycleFixture::TearDown();
    }
    RefreshScheduler::Options m_options;
    std::unique_ptr<TokenManager> m_manager;
    std::unique_ptr<RefreshScheduler> m_scheduler;
};

TEST_F(SchedulerTest, RefreshesFiveMinutesBeforeExpiry)
{
    Grant g;
    const QDateTime t0 = m_clock.now();
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    m_server.resetCounters();
    m_scheduler->start();
    spin(150);
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 0);
    // The due time is stored in the vault.
    ASSERT_TRUE(waitFor([&] { return account(id).nextRefreshAt.isValid(); }));
    EXPECT_EQ(account(id).nextRefreshAt, g.expiresAt.addSecs(-300));

    m_clock.set(g.expiresAt.addSecs(-302));
    spin(150);
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 0) << "not yet";

    m_clock.set(g.expiresAt.addSecs(-299));
    ASSERT_TRUE(waitFor([&] { return m_server.refreshCount() == 1; }, 5000));
    ASSERT_TRUE(waitFor([&] { return !m_manager->isRefreshing(id); }));
    auto t = stored(id);
    EXPECT_FALSE(t->accessToken.reveal() == g.accessToken);
    EXPECT_TRUE(m_clock.now() < g.expiresAt) << "refreshed before the old token expired";
    EXPECT_TRUE(m_server.isRefreshTokenValid(t->refreshToken.reveal()));
    // Next round is planned from the new token, and nothing else happens meanwhile.
    spin(150);
    EXPECT_EQ(m_server.refreshCount(), 1);
    EXPECT_EQ(m_scheduler->dueAt(id), t->expiresAt.addSecs(-300));
    EXPECT_EQ(account(id).nextRefreshAt, t->expiresAt.addSecs(-300));
    Q_UNUSED(t0)
}

TEST_F(SchedulerTest, JitterSpreadsAccountsWithinTheWindow)
{
    m_options.jitterSeconds = 120;
    m_scheduler->setOptions(m_options);
    QList<qint64> ids;
    for (int i = 0; i < 8; ++i)
        ids.append(connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("u%1@example.com").arg(i)));
    m_scheduler->start();
    ASSERT_TRUE(waitFor([&] { return m_scheduler->dueAt(ids.last()).isValid(); }));
    QSet<qint64> distinct;
    for (qint64 id : ids) {
        const auto t = stored(id);
        const qint64 before = m_scheduler->dueAt(id).secsTo(t->expiresAt);
        EXPECT_GE(before, 300);
        EXPECT_LE(before, 420);
        distinct.insert(before);
    }
    EXPECT_GE(distinct.size(), 3) << "due times are spread";
}

TEST_F(SchedulerTest, IdleAccountsGetAKeepAliveRefreshEvery14Days)
{
    m_server.setAccessTokenLifetime(60 * 24 * 3600); // long-lived tokens: only the keep-alive is due
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_server.resetCounters();
    m_scheduler->start();
    m_clock.advance(13 * 24 * 3600);
    spin(150);
    EXPECT_EQ(m_server.refreshCount(), 0);
    m_clock.advance(24 * 3600 - 2 * 3600); // 14 days minus 2 hours
    spin(150);
    EXPECT_EQ(m_server.refreshCount(), 0);
    m_clock.advance(2 * 3600);
    ASSERT_TRUE(waitFor([&] { return m_server.refreshCount() == 1; }, 5000));
    ASSERT_TRUE(waitFor([&] { return !m_manager->isRefreshing(id); }));
    EXPECT_EQ(account(id).status, AccountStatus::Connected);
    // The next keep-alive is 14 days after this one.
    spin(100);
    EXPECT_EQ(m_server.refreshCount(), 1);
    const qint64 days = m_clock.now().secsTo(m_scheduler->dueAt(id)) / 3600;
    EXPECT_GE(days, 14 * 24 - 2);
    EXPECT_LE(days, 14 * 24);
}

TEST_F(SchedulerTest, AfterSleepDueWorkRunsAtOnce)
{
    m_options.heartbeatMs = 60000; // only the jump detection / resume can make it prompt
    m_scheduler->setOptions(m_options);
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    m_scheduler->start();
    ASSERT_TRUE(waitFor([&] { return m_scheduler->dueAt(id).isValid(); }));
    QSignalSpy jumped(m_scheduler.get(), &RefreshScheduler::wallClockJumped);
    m_server.resetCounters();
    // The machine slept for 5 hours: the wall clock jumped, the monotonic clock did not.
    m_clock.advance(5 * 3600);
    m_scheduler->onResumed();
    ASSERT_TRUE(waitFor([&] { return m_server.refreshCount() == 1; }, 3000));
    ASSERT_EQ(jumped.count(), 1);
    EXPECT_GE(jumped.at(0).at(0).toLongLong(), 5 * 3600 - 10);
    ASSERT_TRUE(waitFor([&] { return !m_manager->isRefreshing(id); }));
    EXPECT_EQ(account(id).status, AccountStatus::Connected);
}

TEST_F(SchedulerTest, AClockJumpIsNoticedByTheHeartbeat)
{
    m_options.heartbeatMs = 100;
    m_scheduler->setOptions(m_options);
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_scheduler->start();
    QSignalSpy jumped(m_scheduler.get(), &RefreshScheduler::wallClockJumped);
    m_server.resetCounters();
    m_clock.advance(2 * 3600);
    ASSERT_TRUE(waitFor([&] { return m_server.refreshCount() == 1 && jumped.count() >= 1; }, 3000));
    ASSERT_TRUE(waitFor([&] { return !m_manager->isRefreshing(id); }));
}

TEST_F(SchedulerTest, FailingAccountsWaitForTheirBackoffAndRetryWhenTheNetworkReturns)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_server.resetCounters();
    m_server.injectFault(Endpoint::Token, Fault{Fault::ServerError, -1, 503, 1, 0});
    m_scheduler->start();
    m_clock.advance(3600 - 200);
    ASSERT_TRUE(waitFor([&] { return account(id).status == AccountStatus::Offline; }, 3000));
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 1);
    // During the back-off: nothing, however long we wait in real time.
    spin(300);
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 1) << "no retry storm";

    // The network goes away and comes back: the offline account is retried at once, once.
    m_server.clearFaults();
    m_scheduler->setNetworkReachable(false);
    m_scheduler->setNetworkReachable(true);
    ASSERT_TRUE(waitFor([&] { return account(id).status == AccountStatus::Connected; }, 3000));
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 2);
    EXPECT_EQ(account(id).failureCount, 0);
}

TEST_F(SchedulerTest, WorkIsHeldWhileTheNetworkIsDown)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_server.resetCounters();
    m_scheduler->start();
    m_scheduler->setNetworkReachable(false);
    m_clock.advance(3600 - 100);
    spin(200);
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 0) << "no attempt that can only fail";
    EXPECT_EQ(account(id).failureCount, 0) << "and no back-off burnt";
    m_scheduler->setNetworkReachable(true);
    ASSERT_TRUE(waitFor([&] { return m_server.refreshCount() == 1; }, 3000));
}

TEST_F(SchedulerTest, AccountsThatNeedSignInAreLeftAlone)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_server.revokeAllGrants();
    m_scheduler->start();
    m_clock.advance(3600 - 100);
    ASSERT_TRUE(waitFor([&] { return account(id).status == AccountStatus::NeedsSignIn; }, 3000));
    const int requests = m_server.requestCount(Endpoint::Token);
    for (int i = 0; i < 5; ++i) {
        m_clock.advance(24 * 3600);
        spin(60);
    }
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), requests);
    EXPECT_FALSE(m_scheduler->dueAt(id).isValid());
}

TEST_F(SchedulerTest, ShortLivedTokensDoNotCauseARefreshLoop)
{
    m_server.setAccessTokenLifetime(60);
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_server.resetCounters();
    m_scheduler->start();
    m_clock.advance(31); // half of the lifetime has passed
    ASSERT_TRUE(waitFor([&] { return m_server.refreshCount() == 1; }, 3000));
    // The clock stands still: the fresh 60 s token is not refreshed again and again.
    spin(400);
    EXPECT_EQ(m_server.refreshCount(), 1);
    EXPECT_GE(m_clock.now().secsTo(m_scheduler->dueAt(id)), 29);
}

namespace {
int countCommit(void *counter)
{
    ++*static_cast<int *>(counter);
    return 0; // let it commit
}
} // namespace

// The due times of all accounts are stored in one transaction (one sync), and a due time that
// is already stored is not written again: not by this scheduler, and not by a new one (a restart)
// that finds it in the vault.
TEST_F(SchedulerTest, DueTimesAreStoredInOneTransactionAndOnlyWhenTheyChange)
{
    QList<qint64> ids;
    for (int i = 0; i < 6; ++i)
        ids.append(connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("u%1@example.com").arg(i)));
    m_server.resetCounters();
    int commits = 0;
    sqlite3_commit_hook(m_vault->handle(), countCommit, &commits);
    m_scheduler->start();
    ASSERT_TRUE(waitFor([&] {
        for (qint64 id : ids)
            if (!account(id).nextRefreshAt.isValid())
                return false;
        return true;
    }));
    spin(150); // several heartbeats (20 ms): nothing changed, nothing is written
    EXPECT_EQ(commits, 1);
    for (qint64 id : ids)
        EXPECT_EQ(account(id).nextRefreshAt, m_scheduler->dueAt(id));

    // A new scheduler on the same vault finds every due time stored.
    m_scheduler.reset();
    commits = 0;
    m_scheduler = std::make_unique<RefreshScheduler>(m_manager.get());
    m_scheduler->setOptions(m_options);
    m_scheduler->start();
    ASSERT_TRUE(waitFor([&] { return m_scheduler->dueAt(ids.last()).isValid(); }));
    spin(100);
    EXPECT_EQ(commits, 0);
    sqlite3_commit_hook(m_vault->handle(), nullptr, nullptr);
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 0);
}

// When storing the due times fails (here a trigger refuses the third account), none of them is
// stored, the scheduler still starts no refresh early, and it stores them all on a later pass.
TEST_F(SchedulerTest, AFailedScheduleWriteLeavesNothingHalfWrittenAndIsRetried)
{
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i)
        ids.append(connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("u%1@example.com").arg(i)));
    m_server.resetCounters();
    ASSERT_EQ(sqlite3_exec(m_vault->handle(),
                           "CREATE TEMP TRIGGER refuse_schedule BEFORE UPDATE OF next_refresh_at ON main.accounts"
                           " WHEN NEW.email = 'u2@example.com' BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(m_vault->handle());
    m_scheduler->start();
    ASSERT_TRUE(waitFor([&] { return m_scheduler->dueAt(ids.last()).isValid(); }));
    spin(100); // several passes, each failing as a whole
    for (qint64 id : std::as_const(ids))
        EXPECT_FALSE(account(id).nextRefreshAt.isValid()) << "account " << id;

    ASSERT_EQ(sqlite3_exec(m_vault->handle(), "DROP TRIGGER temp.refuse_schedule", nullptr, nullptr, nullptr),
              SQLITE_OK);
    ASSERT_TRUE(waitFor([&] {
        for (qint64 id : ids)
            if (!account(id).nextRefreshAt.isValid())
                return false;
        return true;
    }));
    for (qint64 id : std::as_const(ids))
        EXPECT_EQ(account(id).nextRefreshAt, m_scheduler->dueAt(id));
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 0);
}
