// RefreshFailurePolicy on its own: what a failed refresh means for the account, with no server,
// vault or clock. The end-to-end behaviour (status stored, audit written, callers failed) stays
// covered by TokenManagerTest against the fake server.
#include "core/lifecycle/RefreshFailurePolicy.h"
#include "core/lifecycle/Backoff.h"

#include <gtest/gtest.h>

#include <QTimeZone>

using namespace mailkey;

namespace {

const QDateTime kNow(QDate(2026, 12, 7), QTime(12, 0), QTimeZone::utc());

// No jitter: the back-off is exactly its base sequence (30 s, 1 min, 2 min ...).
Backoff exactBackoff()
{
    return Backoff(BackoffPolicy{}, [] { return 0.5; });
}

RefreshFailurePolicy::Failure failure(const QString &error, int http, const QString &description = QString(),
                                      int failuresBefore = 0)
{
    RefreshFailurePolicy::Failure f;
    f.error.error = error;
    f.error.description = description;
    f.error.httpStatus = http;
    f.error.aadsts = OAuthErrorCatalog::aadstsFromDescription(description);
    OAuthErrorCatalog::describe(f.error, OAuthErrorCatalog::Endpoint::Refresh);
    f.httpStatus = http;
    f.failuresBefore = failuresBefore;
    f.now = kNow;
    return f;
}

} // namespace

TEST(RefreshFailurePolicy, InvalidGrantAlwaysNeedsSignInWhateverTheAadstsNumber)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    // AADSTS7000218 (a loop detected) alone would be classified otherwise; at a refresh,
    // invalid_grant still means the refresh token is dead.
    for (const QString &description :
         {QStringLiteral("AADSTS70008: The refresh token has expired."),
          QStringLiteral("AADSTS7000218: The request body must contain client_assertion or client_secret."),
          QString()}) {
        const auto d = policy.decide(failure(QStringLiteral("invalid_grant"), 400, description, 2));
        EXPECT_TRUE(d.needsSignIn) << qPrintable(description);
        EXPECT_EQ(d.status, AccountStatus::NeedsSignIn);
        EXPECT_EQ(d.code, ErrorCode::NeedsSignIn);
        EXPECT_EQ(d.failures, 3);
        EXPECT_FALSE(d.nextAttempt.isValid()) << "no automatic retry after a dead grant";
        EXPECT_FALSE(d.holdHostUntil.isValid());
        EXPECT_FALSE(d.message.isEmpty());
        EXPECT_EQ(d.reason, d.message);
    }
}

TEST(RefreshFailurePolicy, AadstsNumberIsNamedInTheMessageOfADeadGrant)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    const auto d = policy.decide(
        failure(QStringLiteral("invalid_grant"), 400,
                QStringLiteral("AADSTS7000218: The request body must contain client_assertion or client_secret.")));
    EXPECT_TRUE(d.message.contains(QStringLiteral("AADSTS7000218"))) << qPrintable(d.message);
}

TEST(RefreshFailurePolicy, InvalidScopeAtARefreshMeansTheGrantWasNarrowedNotTheSettings)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    const auto d = policy.decide(failure(QStringLiteral("invalid_scope"), 400));
    EXPECT_TRUE(d.needsSignIn);
    EXPECT_EQ(d.code, ErrorCode::NeedsSignIn);
    const QString configMessage = OAuthErrorCatalog::message(QStringLiteral("invalid_scope"), QString(), 0, 400,
                                                             OAuthErrorCatalog::Endpoint::Token);
    EXPECT_NE(d.message, configMessage) << "the sign-in wording blames the settings";
}

TEST(RefreshFailurePolicy, TransientFailuresGoOfflineAndRetryAfterTheBackoff)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    for (const auto &[error, http] :
         {std::pair{QStringLiteral("temporarily_unavailable"), 400}, std::pair{QStringLiteral("server_error"), 500},
          std::pair{QString(), 503}, std::pair{QString(), 429}}) {
        const auto d = policy.decide(failure(error, http));
        EXPECT_FALSE(d.needsSignIn) << qPrintable(error) << " " << http;
        EXPECT_EQ(d.status, AccountStatus::Offline) << qPrintable(error) << " " << http;
        EXPECT_EQ(d.code, ErrorCode::Network);
        EXPECT_EQ(d.failures, 1);
        EXPECT_EQ(d.nextAttempt, kNow.addSecs(30));
        EXPECT_TRUE(d.reason.startsWith(QStringLiteral("Offline, will retry at "))) << qPrintable(d.reason);
    }
}

TEST(RefreshFailurePolicy, NoConnectionIsTransient)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    RefreshFailurePolicy::Failure f;
    f.error.kind = OAuthErrorKind::Transient; // as TokenEndpointReply::parse says of a refused connection
    f.error.userMessage = QStringLiteral("The provider could not be reached.");
    f.now = kNow;
    const auto d = policy.decide(f);
    EXPECT_EQ(d.status, AccountStatus::Offline);
    EXPECT_EQ(d.code, ErrorCode::Network);
    // Said as what happened, not as advice about the internet connection (issue 16 point 5).
    EXPECT_EQ(d.message, QStringLiteral("MailKey could not reach the provider."));
    EXPECT_TRUE(d.reason.endsWith(QStringLiteral(". MailKey could not reach the provider."))) << qPrintable(d.reason);
    EXPECT_FALSE(d.stillWorks); // the token's expiry is not known
    EXPECT_EQ(RefreshFailurePolicy::transportText(0), QStringLiteral("could not reach the provider"));
    EXPECT_EQ(RefreshFailurePolicy::transportText(503), QStringLiteral("HTTP 503"));
}

TEST(RefreshFailurePolicy, NoConnectionWhileTheTokenIsValidSaysTheMailboxStillWorks)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    RefreshFailurePolicy::Failure f;
    f.error.kind = OAuthErrorKind::Transient;
    f.error.userMessage = QStringLiteral("The sign-in server did not answer. Check your internet connection.");
    f.now = kNow;
    f.accessValidUntil = kNow.addSecs(1800);
    const auto d = policy.decide(f);
    EXPECT_EQ(d.status, AccountStatus::Offline);
    EXPECT_TRUE(d.stillWorks);
    EXPECT_TRUE(d.reason.contains(QStringLiteral("The mailbox keeps working until"))) << qPrintable(d.reason);
    EXPECT_FALSE(d.reason.contains(QStringLiteral("internet connection"))) << qPrintable(d.reason);
    // Expired: no longer "still works".
    f.accessValidUntil = kNow.addSecs(-1);
    EXPECT_FALSE(policy.decide(f).stillWorks);
    EXPECT_FALSE(policy.decide(f).reason.contains(QStringLiteral("keeps working")));
    // An HTTP answer (a 503) is not "could not reach", whatever the token.
    f.accessValidUntil = kNow.addSecs(1800);
    f.httpStatus = 503;
    EXPECT_FALSE(policy.decide(f).stillWorks);
}

TEST(RefreshFailurePolicy, TheBackoffGrowsWithTheFailuresInARow)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    EXPECT_EQ(policy.decide(failure(QString(), 503, QString(), 0)).nextAttempt, kNow.addSecs(30));
    EXPECT_EQ(policy.decide(failure(QString(), 503, QString(), 1)).nextAttempt, kNow.addSecs(60));
    EXPECT_EQ(policy.decide(failure(QString(), 503, QString(), 3)).nextAttempt, kNow.addSecs(240));
    EXPECT_EQ(policy.decide(failure(QString(), 503, QString(), 50)).nextAttempt, kNow.addSecs(30 * 60));
    EXPECT_EQ(policy.decide(failure(QString(), 503, QString(), -4)).failures, 1);
}

TEST(RefreshFailurePolicy, AReplyThatIsNotOAuthCountsAsTransient)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    RefreshFailurePolicy::Failure f;
    f.error.kind = OAuthErrorKind::Malformed; // a captive portal's HTML page
    f.httpStatus = 200;
    f.now = kNow;
    const auto d = policy.decide(f);
    EXPECT_EQ(d.status, AccountStatus::Offline);
    EXPECT_EQ(d.code, ErrorCode::Network);
    EXPECT_TRUE(d.message.contains(QStringLiteral("could not be used"))) << qPrintable(d.message);
}

TEST(RefreshFailurePolicy, ConfigurationAndUnknownProviderErrorsAreErrorsRetriedLater)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    const auto config = policy.decide(failure(QStringLiteral("invalid_client"), 401));
    EXPECT_FALSE(config.needsSignIn);
    EXPECT_EQ(config.status, AccountStatus::Error);
    EXPECT_EQ(config.code, ErrorCode::Config);
    EXPECT_EQ(config.nextAttempt, kNow.addSecs(30));
    EXPECT_TRUE(config.reason.contains(QStringLiteral("MailKey will try again at"))) << qPrintable(config.reason);

    RefreshFailurePolicy::Failure unknown = failure(QStringLiteral("something_new"), 400);
    unknown.error.kind = OAuthErrorKind::Provider;
    const auto provider = policy.decide(unknown);
    EXPECT_EQ(provider.status, AccountStatus::Error);
    EXPECT_EQ(provider.code, ErrorCode::Provider);
}

TEST(RefreshFailurePolicy, RetryAfterHoldsTheHostAndDelaysTheNextAttempt)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    RefreshFailurePolicy::Failure f = failure(QString(), 429);
    f.retryAfterHeader = "600";
    const auto d = policy.decide(f);
    EXPECT_EQ(d.holdHostUntil, kNow.addSecs(600));
    EXPECT_EQ(d.nextAttempt, kNow.addSecs(600)) << "never before the provider allows";
    EXPECT_EQ(d.status, AccountStatus::Offline);

    // Shorter than the back-off: the host is held that long, the account still waits its back-off.
    f.retryAfterHeader = "5";
    f.failuresBefore = 2;
    const auto shortHold = policy.decide(f);
    EXPECT_EQ(shortHold.holdHostUntil, kNow.addSecs(5));
    EXPECT_EQ(shortHold.nextAttempt, kNow.addSecs(120));
}

TEST(RefreshFailurePolicy, RetryAfterCountsOnlyOn429And5xx)
{
    const Backoff backoff = exactBackoff();
    const RefreshFailurePolicy policy(backoff);
    RefreshFailurePolicy::Failure f = failure(QStringLiteral("temporarily_unavailable"), 400);
    f.retryAfterHeader = "600";
    const auto d = policy.decide(f);
    EXPECT_FALSE(d.holdHostUntil.isValid());
    EXPECT_EQ(d.nextAttempt, kNow.addSecs(30));

    f.httpStatus = 503;
    EXPECT_EQ(policy.decide(f).holdHostUntil, kNow.addSecs(600));
    f.retryAfterHeader = "not a date";
    EXPECT_FALSE(policy.decide(f).holdHostUntil.isValid());
}

TEST(RefreshFailurePolicy, BackoffErrorOnlyWhileAFailedAccountWaits)
{
    Account a;
    a.email = QStringLiteral("ada@example.org");
    a.status = AccountStatus::Offline;
    a.failureCount = 2;
    a.nextRefreshAt = kNow.addSecs(60);
    a.statusReason = QStringLiteral("Offline, will retry soon.");

    std::optional<Error> e = RefreshFailurePolicy::backoffError(a, kNow);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code, ErrorCode::Network);
    EXPECT_EQ(e->message, a.statusReason);

    a.status = AccountStatus::Error;
    a.statusReason.clear();
    e = RefreshFailurePolicy::backoffError(a, kNow);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code, ErrorCode::Provider);
    EXPECT_TRUE(e->message.startsWith(QStringLiteral("Offline, will retry at "))) << qPrintable(e->message);

    EXPECT_FALSE(RefreshFailurePolicy::backoffError(a, kNow.addSecs(61))) << "the wait is over";
    a.failureCount = 0;
    EXPECT_FALSE(RefreshFailurePolicy::backoffError(a, kNow)) << "no failure recorded";
    a.failureCount = 1;
    a.status = AccountStatus::Connected;
    EXPECT_FALSE(RefreshFailurePolicy::backoffError(a, kNow)) << "a connected account is not held back";
    a.status = AccountStatus::Offline;
    a.nextRefreshAt = QDateTime();
    EXPECT_FALSE(RefreshFailurePolicy::backoffError(a, kNow)) << "no time set";
}

TEST(RefreshFailurePolicy, OfflineReasonSaysWhenAndWhy)
{
    EXPECT_EQ(RefreshFailurePolicy::offlineReason(QString(), QDateTime()), QStringLiteral("Offline, will retry."));
    const QString r = RefreshFailurePolicy::offlineReason(QStringLiteral("No connection."), kNow);
    EXPECT_TRUE(r.startsWith(QStringLiteral("Offline, will retry at "))) << qPrintable(r);
    EXPECT_TRUE(r.endsWith(QStringLiteral(". No connection."))) << qPrintable(r);
}
