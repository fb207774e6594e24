// HealthClock on its own: every rule with fixed dates, no vault, no clock.
#include "core/lifecycle/HealthClock.h"

#include <gtest/gtest.h>

#include <QTimeZone>

using namespace mailkey;

namespace {

const QDateTime kNow(QDate(2026, 12, 7), QTime(12, 0), QTimeZone::utc());

Account account(const QString &provider, const QDateTime &created, const QDateTime &lastRefresh = QDateTime())
{
    Account a;
    a.id = 1;
    a.provider = provider;
    a.email = QStringLiteral("someone@example.com");
    a.createdAt = created;
    a.lastRefreshAt = lastRefresh;
    return a;
}

QDateTime utc(int y, int m, int d, int h = 12)
{
    return QDateTime(QDate(y, m, d), QTime(h, 0), QTimeZone::utc());
}

} // namespace

TEST(HealthClock, MicrosoftNinetyDaysAfterTheLastRefresh)
{
    const HealthForecast f
        = HealthClock::forecast(account(QStringLiteral("microsoft"), utc(2026, 1, 1), utc(2026, 12, 1)), false, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::Inactivity);
    EXPECT_EQ(f.signInNeededBy, utc(2027, 3, 1));
    EXPECT_TRUE(f.text.contains(QStringLiteral("90 days"))) << f.text.toStdString();
    EXPECT_TRUE(f.text.contains(QStringLiteral("every 14 days"))) << f.text.toStdString();
    EXPECT_EQ(HealthClock::reasonName(f.reason), QStringLiteral("inactivity"));
}

TEST(HealthClock, MicrosoftNeverRefreshedCountsFromTheSignIn)
{
    const HealthForecast f = HealthClock::forecast(account(QStringLiteral("microsoft"), utc(2026, 11, 1)), false, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::Inactivity);
    EXPECT_EQ(f.signInNeededBy, utc(2027, 1, 30));
}

TEST(HealthClock, GoogleTestingStatusIgnoresMicrosoftAccounts)
{
    const HealthForecast f = HealthClock::forecast(account(QStringLiteral("microsoft"), utc(2026, 12, 1)), true, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::Inactivity);
    EXPECT_EQ(f.signInNeededBy, utc(2027, 3, 1));
}

TEST(HealthClock, GooglePublishedSixMonthsAfterTheLastRefresh)
{
    const HealthForecast f
        = HealthClock::forecast(account(QStringLiteral("google"), utc(2026, 1, 1), utc(2026, 11, 30)), false, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::Inactivity);
    EXPECT_EQ(f.signInNeededBy, utc(2027, 5, 30));
    EXPECT_TRUE(f.text.contains(QStringLiteral("6 months"))) << f.text.toStdString();
}

TEST(HealthClock, GoogleTestingSevenDaysAfterTheSignInWhateverTheRefreshes)
{
    const HealthForecast f
        = HealthClock::forecast(account(QStringLiteral("google"), utc(2026, 12, 3), utc(2026, 12, 6)), true, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::GoogleTesting);
    EXPECT_EQ(f.signInNeededBy, utc(2026, 12, 10));
    EXPECT_TRUE(f.text.contains(QStringLiteral("Testing"))) << f.text.toStdString();
    EXPECT_EQ(HealthClock::reasonName(f.reason), QStringLiteral("google-testing"));
}

TEST(HealthClock, GoogleTestingCountsFromTheLastSignIn)
{
    // First signed in on 1 Nov, refreshed on 30 Nov, signed in again on 5 Dec (schema 5 keeps it).
    Account a = account(QStringLiteral("google"), utc(2026, 11, 1), utc(2026, 11, 30));
    a.signedInAt = utc(2026, 12, 5);
    const HealthForecast f = HealthClock::forecast(a, true, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::GoogleTesting);
    EXPECT_EQ(f.signInNeededBy, utc(2026, 12, 12));
}

TEST(HealthClock, GoogleTestingSignedInAgainAtAnUnknownTimeIsUnknownNotOverdue)
{
    // Refreshed on 30 Nov, after the first sign-in's 7 days (1 to 8 Nov): signed in again since.
    const HealthForecast f
        = HealthClock::forecast(account(QStringLiteral("google"), utc(2026, 11, 1), utc(2026, 11, 30)), true, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::GoogleTesting);
    EXPECT_FALSE(f.signInNeededBy.isValid());
    EXPECT_TRUE(f.text.contains(QStringLiteral("after each sign-in"))) << f.text.toStdString();
}

TEST(HealthClock, MaxAgeErrorNeedsSignInNow)
{
    Account a = account(QStringLiteral("microsoft"), utc(2026, 12, 1), utc(2026, 12, 6));
    a.status = AccountStatus::NeedsSignIn;
    a.statusReason = QStringLiteral("AADSTS70043: The refresh token has expired due to a sign-in frequency policy");
    const HealthForecast f = HealthClock::forecast(a, false, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::MaxAge);
    EXPECT_EQ(f.signInNeededBy, kNow);
    EXPECT_EQ(HealthClock::reasonName(f.reason), QStringLiteral("max-age"));
}

TEST(HealthClock, OtherErrorsKeepTheProviderRule)
{
    Account a = account(QStringLiteral("microsoft"), utc(2026, 12, 1));
    a.statusReason = QStringLiteral("AADSTS700082: expired for inactivity");
    EXPECT_EQ(HealthClock::forecast(a, false, kNow).reason, HealthClock::Reason::Inactivity);
}

TEST(HealthClock, CustomProviderIsUnknown)
{
    const HealthForecast f
        = HealthClock::forecast(account(QStringLiteral("fastmail"), utc(2026, 1, 1), utc(2026, 12, 1)), true, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::Unknown);
    EXPECT_FALSE(f.signInNeededBy.isValid());
    EXPECT_FALSE(f.text.isEmpty());
    EXPECT_EQ(HealthClock::reasonName(f.reason), QStringLiteral("unknown"));
}

TEST(HealthClock, NoDatesIsUnknown)
{
    const HealthForecast f = HealthClock::forecast(account(QStringLiteral("microsoft"), QDateTime()), false, kNow);
    EXPECT_EQ(f.reason, HealthClock::Reason::Unknown);
    EXPECT_FALSE(f.signInNeededBy.isValid());
}
