// Units of the token lifecycle that need no server: back-off, token bucket, Retry-After,
// alert thresholds and the cross-process lock.
#include "core/common/Clock.h"
#include "core/common/CrossProcessLock.h"
#include "core/lifecycle/AlertMonitor.h"
#include "core/lifecycle/Backoff.h"
#include "core/lifecycle/RateLimiter.h"
#include "core/vault/Vault.h"
#include "tests/support/TestUtil.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace mailkey;

// ---- Backoff -----------------------------------------------------------------------------------

TEST(Backoff, BaseSequenceIsBoundedAt30Minutes)
{
    Backoff b;
    const QList<qint64> expected = {30'000, 60'000, 120'000, 240'000, 480'000, 960'000, 1'800'000, 1'800'000};
    for (int i = 0; i < expected.size(); ++i)
        EXPECT_EQ(b.baseDelayMs(i + 1), expected.at(i)) << "failure " << (i + 1);
    EXPECT_EQ(b.baseDelayMs(1000), 1'800'000);
    EXPECT_EQ(b.baseDelayMs(0), 30'000);
    EXPECT_EQ(b.baseDelayMs(-5), 30'000);
}

TEST(Backoff, JitterStaysWithinTwentyPercentAndUnderTheCap)
{
    for (double r : {0.0, 0.25, 0.5, 0.999999}) {
        Backoff b(Backoff::Policy(), [r] { return r; });
        for (int n = 1; n <= 40; ++n) {
            const qint64 d = b.delayMs(n);
            EXPECT_GE(d, qint64(double(b.baseDelayMs(n)) * 0.8) - 1) << "failure " << n;
            EXPECT_LE(d, qint64(double(b.baseDelayMs(n)) * 1.2) + 1) << "failure " << n;
            EXPECT_LE(d, 30 * 60 * 1000) << "never beyond the cap";
            EXPECT_GE(d, 24'000) << "never a fast retry";
        }
    }
    // Different draws give different delays (the jitter is real).
    Backoff low(Backoff::Policy(), [] { return 0.0; });
    Backoff high(Backoff::Policy(), [] { return 0.99; });
    EXPECT_LT(low.delayMs(2), high.delayMs(2));
    EXPECT_EQ(low.lowestDelayMs(1), 24'000);
    EXPECT_EQ(high.highestDelayMs(1), 36'000);
    EXPECT_EQ(high.highestDelayMs(20), 1'800'000);
}

// ---- RateLimiter -------------------------------------------------------------------------------

TEST(RateLimiter, BurstThenRefillRate)
{
    qint64 nowMs = 0;
    ManualClock clock;
    RateLimiter limiter(&clock, [&] { return nowMs; });
    limiter.setLimits({6, 6.0});
    const QString host = QStringLiteral("login.example.com:443");
    for (int i = 0; i < 6; ++i)
        EXPECT_EQ(limiter.reserve(host), 0) << "burst permit " << i;
    // The 7th .. 12th wait 1/6 s more each: no burst beyond 6.
    for (int i = 1; i <= 6; ++i) {
        const qint64 wait = limiter.reserve(host);
        EXPECT_NEAR(double(wait), i * 1000.0 / 6.0, 1.0) << "queued call " << i;
    }
    // Other hosts have their own bucket.
    EXPECT_EQ(limiter.reserve(QStringLiteral("oauth2.example.com:443")), 0);
    // After the queue has drained and a second of quiet, the bucket has refilled to the burst, no more.
    nowMs += 1000 + 2000;
    for (int i = 0; i < 6; ++i)
        EXPECT_EQ(limiter.reserve(host), 0);
    EXPECT_GT(limiter.reserve(host), 0);
}

TEST(RateLimiter, ManyAccountsArePacedAtTheRefillRate)
{
    qint64 nowMs = 0;
    ManualClock clock;
    RateLimiter limiter(&clock, [&] { return nowMs; });
    limiter.setLimits({6, 6.0});
    const QString host = QStringLiteral("h:443");
    qint64 last = 0;
    for (int i = 0; i < 300; ++i)
        last = limiter.reserve(host);
    // 300 calls at 6/s after a burst of 6: the last one goes out after (300 - 6) / 6 s.
    EXPECT_NEAR(double(last), (300.0 - 6.0) / 6.0 * 1000.0, 2.0);
}

TEST(RateLimiter, RetryAfterBlocksTheHostUntilThatTime)
{
    ManualClock clock(QDateTime(QDate(2024, 5, 1), QTime(12, 0), mailkey::utcZone()));
    RateLimiter limiter(&clock);
    const QUrl token(QStringLiteral("https://Login.Example.com/tenant/oauth2/v2.0/token"));
    const QString key = RateLimiter::keyFor(token);
    EXPECT_EQ(key, QStringLiteral("login.example.com:443"));
    EXPECT_EQ(RateLimiter::keyFor(QUrl(QStringLiteral("http://127.0.0.1:8080/token"))),
              QStringLiteral("127.0.0.1:8080"));
    EXPECT_FALSE(limiter.isBlocked(key));
    limiter.blockUntil(key, clock.now().addSecs(120));
    EXPECT_TRUE(limiter.isBlocked(key));
    // A shorter Retry-After later does not shorten the block.
    limiter.blockUntil(key, clock.now().addSecs(10));
    clock.advance(119);
    EXPECT_TRUE(limiter.isBlocked(key));
    clock.advance(1);
    EXPECT_FALSE(limiter.isBlocked(key));
}

// ---- AlertMonitor ------------------------------------------------------------------------------

class AlertMonitorTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_key = SecureBytes::random(32);
        auto v = Vault::open(m_dir.path() + QStringLiteral("/p/vault.db"), m_key, Vault::OpenMode::Create);
        ASSERT_TRUE(v.ok());
        m_vault = std::shared_ptr<Vault>(std::move(v).value());
        m_monitor = std::make_unique<AlertMonitor>(m_vault, &m_clock);
        m_spy = std::make_unique<QSignalSpy>(m_monitor.get(), &AlertMonitor::alertRaised);
    }
    int auditCount(const QString &action)
    {
        auto r = m_vault->audit();
        int n = 0;
        for (const AuditEntry &e : *r)
            n += e.action == action ? 1 : 0;
        return n;
    }
    QTemporaryDir m_dir;
    SecureBytes m_key;
    std::shared_ptr<Vault> m_vault;
    ManualClock m_clock{QDateTime(QDate(2024, 5, 1), QTime(9, 0), mailkey::utcZone())};
    std::unique_ptr<AlertMonitor> m_monitor;
    std::unique_ptr<QSignalSpy> m_spy;
};

TEST_F(AlertMonitorTest, SixthFailedSignInWithinAnHourAlertsTheFifthDoesNot)
{
    for (int i = 1; i <= 5; ++i) {
        m_monitor->recordFailedSignIn(0, QStringLiteral("access_denied"));
        m_clock.advance(60);
    }
    EXPECT_EQ(m_spy->count(), 0) << "5 failures are not more than 5";
    m_monitor->recordFailedSignIn(0, QStringLiteral("access_denied"));
    ASSERT_EQ(m_spy->count(), 1) << "the 6th within an hour alerts";
    EXPECT_EQ(m_spy->at(0).at(0).value<AlertKind>(), AlertKind::FailedSignIns);
    EXPECT_EQ(auditCount(QStringLiteral("alert.failed-sign-ins")), 1);
    // The 7th does not alert again while the window stays above the threshold.
    m_monitor->recordFailedSignIn(0, QStringLiteral("access_denied"));
    EXPECT_EQ(m_spy->count(), 1);
    // An hour later the window is empty; a new streak alerts again at its 6th.
    m_clock.advance(3600);
    for (int i = 1; i <= 5; ++i)
        m_monitor->recordFailedSignIn(0, QStringLiteral("x"));
    EXPECT_EQ(m_spy->count(), 1);
    m_monitor->recordFailedSignIn(0, QStringLiteral("x"));
    EXPECT_EQ(m_spy->count(), 2);
}

TEST_F(AlertMonitorTest, FailuresSpreadOverMoreThanAnHourDoNotAlert)
{
    for (int i = 0; i < 12; ++i) {
        m_monitor->recordFailedSignIn(0, QStringLiteral("x"));
        m_clock.advance(13 * 60); // 5 per 65 minutes at most
    }
    EXPECT_EQ(m_spy->count(), 0);
    EXPECT_LE(m_monitor->failedSignInsInWindow(), 5);
}

TEST_F(AlertMonitorTest, FourthConsecutiveRefreshFailureAlertsTheThirdDoesNot)
{
    for (int i = 1; i <= 3; ++i)
        m_monitor->recordRefreshFailure(7, QStringLiteral("HTTP 503"));
    EXPECT_EQ(m_spy->count(), 0) << "3 in a row are not more than 3";
    m_monitor->recordRefreshFailure(7, QStringLiteral("HTTP 503"));
    ASSERT_EQ(m_spy->count(), 1) << "the 4th in a row alerts";
    EXPECT_EQ(m_spy->at(0).at(0).value<AlertKind>(), AlertKind::RefreshFailures);
    EXPECT_EQ(m_spy->at(0).at(1).toLongLong(), 7);
    m_monitor->recordRefreshFailure(7, QStringLiteral("HTTP 503"));
    EXPECT_EQ(m_spy->count(), 1) << "once per streak";
    // Another account has its own count.
    for (int i = 0; i < 3; ++i)
        m_monitor->recordRefreshFailure(8, QStringLiteral("x"));
    EXPECT_EQ(m_spy->count(), 1);
    // A success ends the streak.
    m_monitor->recordRefreshSuccess(7);
    for (int i = 0; i < 3; ++i)
        m_monitor->recordRefreshFailure(7, QStringLiteral("x"));
    EXPECT_EQ(m_spy->count(), 1);
    m_monitor->recordRefreshFailure(7, QStringLiteral("x"));
    EXPECT_EQ(m_spy->count(), 2);
    EXPECT_EQ(auditCount(QStringLiteral("alert.refresh-failures")), 2);
}

TEST_F(AlertMonitorTest, ExternalConsecutiveCountUsesTheSameThreshold)
{
    m_monitor->recordRefreshFailure(3, QStringLiteral("x"), 3);
    EXPECT_EQ(m_spy->count(), 0);
    m_monitor->recordRefreshFailure(3, QStringLiteral("x"), 4);
    EXPECT_EQ(m_spy->count(), 1);
}

TEST_F(AlertMonitorTest, EveryRejectedCallbackAlerts)
{
    m_monitor->recordRejectedCallback(QStringLiteral("state mismatch"));
    m_monitor->recordRejectedCallback(QStringLiteral("unexpected path"));
    ASSERT_EQ(m_spy->count(), 2);
    EXPECT_EQ(m_spy->at(1).at(0).value<AlertKind>(), AlertKind::RejectedCallback);
    EXPECT_EQ(auditCount(QStringLiteral("alert.rejected-callback")), 2);
    EXPECT_TRUE(m_vault->verifyAudit()->intact);
}

// ---- CrossProcessLock --------------------------------------------------------------------------

TEST(CrossProcessLock, ExcludesOtherHoldersPerSlot)
{
    QTemporaryDir dir;
    const QString path = dir.path() + QStringLiteral("/vault.lock");
    CrossProcessLock a(path, 1);
    CrossProcessLock b(path, 1);
    CrossProcessLock c(path, 2);
    ASSERT_TRUE(a.tryLock().ok());
    EXPECT_TRUE(*a.tryLock()) << "re-entrant for the holder";
    auto rb = b.tryLock();
    ASSERT_TRUE(rb.ok());
    EXPECT_FALSE(*rb) << "another holder of the same account must wait";
    auto rc = c.tryLock();
    ASSERT_TRUE(rc.ok());
    EXPECT_TRUE(*rc) << "another account is independent";
    a.unlock();
    EXPECT_TRUE(*b.tryLock());
    EXPECT_EQ(QFileInfo(path).permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther), 0);
}

TEST(CrossProcessLock, AnUnwritableFolderIsAnError)
{
    CrossProcessLock lock(QStringLiteral("/nonexistent-folder-for-mailkey/vault.lock"), 1);
    auto r = lock.tryLock();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::VaultIo);
}

TEST(CrossProcessLock, IsReleasedWhenTheHolderIsKilled)
{
    QTemporaryDir dir;
    const QString path = dir.path() + QStringLiteral("/vault.lock");
    QProcess helper;
    helper.start(QCoreApplication::applicationDirPath() + QStringLiteral("/lifecycle_helper"),
                 {QStringLiteral("hold-lock"), QStringLiteral("--lock"), path, QStringLiteral("--account"),
                  QStringLiteral("5")});
    ASSERT_TRUE(helper.waitForStarted(5000));
    ASSERT_TRUE(test::waitFor([&] { return helper.readAllStandardOutput().contains("LOCKED"); }, 10000));
    CrossProcessLock mine(path, 5);
    EXPECT_FALSE(*mine.tryLock()) << "the other process holds it";
    helper.kill(); // SIGKILL
    ASSERT_TRUE(helper.waitForFinished(5000));
    EXPECT_TRUE(*mine.tryLock()) << "the kernel released the dead holder's lock";
}
