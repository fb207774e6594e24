// RefreshQueue on its own: who waits, who is served by a stored token, who needs the refresh, in
// which order. The timers, the cross-process lock and the network around it stay covered by
// TokenManagerTest and CrossProcessTest.
#include "core/lifecycle/RefreshQueue.h"

#include <gtest/gtest.h>

#include <QTimeZone>

using namespace mailkey;

namespace {

const QDateTime kNow(QDate(2026, 12, 7), QTime(12, 0), QTimeZone::utc());

RefreshQueue::Waiter waiter(const QString &resource, RefreshQueue::Mode mode = RefreshQueue::Mode::OnDemand,
                            int minValidity = 60, const QString &actor = QStringLiteral("test"))
{
    RefreshQueue::Waiter w;
    w.resource = resource;
    w.mode = mode;
    w.minValiditySeconds = minValidity;
    w.actor = actor;
    return w;
}

std::optional<TokenRecord> stored(const QString &accessToken, const QDateTime &expiresAt)
{
    TokenRecord t;
    t.accessToken = SecretString(accessToken);
    t.expiresAt = expiresAt;
    return t;
}

QStringList actors(const QList<RefreshQueue::Waiter> &waiters)
{
    QStringList names;
    for (const auto &w : waiters)
        names.append(w.actor);
    return names;
}

} // namespace

TEST(RefreshQueue, ServesTheOldestCallersResourceFirst)
{
    RefreshQueue q;
    EXPECT_TRUE(q.isEmpty());
    EXPECT_TRUE(q.nextResource().isEmpty());
    q.push(waiter(QStringLiteral("imap")));
    q.push(waiter(QStringLiteral("default")));
    EXPECT_EQ(q.nextResource(), QStringLiteral("imap"));
    EXPECT_EQ(q.size(), 2);
    EXPECT_TRUE(q.contains(QStringLiteral("default")));
    EXPECT_FALSE(q.contains(QStringLiteral("smtp")));
}

TEST(RefreshQueue, AStoredTokenServesOnlyCallersWhoseMinimumItMeets)
{
    RefreshQueue q;
    q.push(waiter(QStringLiteral("default"), RefreshQueue::Mode::OnDemand, 60, QStringLiteral("mutt")));
    q.push(waiter(QStringLiteral("default"), RefreshQueue::Mode::OnDemand, 600, QStringLiteral("msmtp")));
    q.push(waiter(QStringLiteral("imap"), RefreshQueue::Mode::OnDemand, 0, QStringLiteral("mbsync")));
    q.push(waiter(QStringLiteral("default"), RefreshQueue::Mode::OnDemand, 300, QStringLiteral("aerc")));

    // Valid for 5 more minutes: enough for 60 s and 300 s, not for 600 s; imap is another token.
    const auto served
        = q.takeSatisfied(QStringLiteral("default"), stored(QStringLiteral("at"), kNow.addSecs(300)), kNow);
    EXPECT_EQ(actors(served), (QStringList{QStringLiteral("mutt"), QStringLiteral("aerc")}));
    EXPECT_EQ(q.size(), 2);
    EXPECT_TRUE(q.contains(QStringLiteral("default")));
    EXPECT_EQ(q.nextResource(), QStringLiteral("default")) << "msmtp still waits, and was first";
}

TEST(RefreshQueue, NoUsableStoredTokenServesNobody)
{
    RefreshQueue q;
    q.push(waiter(QStringLiteral("default"), RefreshQueue::Mode::OnDemand, 0));
    EXPECT_TRUE(q.takeSatisfied(QStringLiteral("default"), std::nullopt, kNow).isEmpty());
    EXPECT_TRUE(q.takeSatisfied(QStringLiteral("default"), stored(QString(), kNow.addSecs(3600)), kNow).isEmpty());
    EXPECT_TRUE(q.takeSatisfied(QStringLiteral("default"), stored(QStringLiteral("at"), QDateTime()), kNow).isEmpty());
    EXPECT_EQ(q.size(), 1);
}

TEST(RefreshQueue, AForcedRefreshIsServedOnlyByAChangedToken)
{
    RefreshQueue::Waiter forced = waiter(QStringLiteral("default"), RefreshQueue::Mode::Forced);
    forced.staleTokenHash = RefreshQueue::tokenHash(SecretString(QStringLiteral("old")));
    const auto same = stored(QStringLiteral("old"), kNow.addSecs(3600));
    const auto changed = stored(QStringLiteral("new"), kNow.addSecs(3600));
    EXPECT_FALSE(RefreshQueue::satisfies(forced, same, kNow)) << "still the token the user wanted replaced";
    EXPECT_TRUE(RefreshQueue::satisfies(forced, changed, kNow)) << "another process refreshed it meanwhile";
    EXPECT_FALSE(RefreshQueue::satisfies(forced, stored(QStringLiteral("new"), kNow), kNow)) << "expired";

    RefreshQueue q;
    q.push(forced);
    EXPECT_TRUE(q.anyForced(QStringLiteral("default")));
    EXPECT_FALSE(q.anyForced(QStringLiteral("imap")));
    EXPECT_TRUE(q.takeSatisfied(QStringLiteral("default"), same, kNow).isEmpty());
    EXPECT_EQ(q.takeSatisfied(QStringLiteral("default"), changed, kNow).size(), 1);
}

TEST(RefreshQueue, AScheduledRefreshWithNoTokenBeforeIsServedByAnyValidOne)
{
    const RefreshQueue::Waiter scheduled = waiter(QStringLiteral("smtp"), RefreshQueue::Mode::Scheduled);
    EXPECT_TRUE(RefreshQueue::satisfies(scheduled, stored(QStringLiteral("t"), kNow.addSecs(1)), kNow));
    EXPECT_FALSE(RefreshQueue::satisfies(scheduled, stored(QStringLiteral("t"), kNow.addSecs(-1)), kNow));
}

TEST(RefreshQueue, TakeResourceAndTakeAllKeepTheOrder)
{
    RefreshQueue q;
    q.push(waiter(QStringLiteral("default"), RefreshQueue::Mode::OnDemand, 60, QStringLiteral("a")));
    q.push(waiter(QStringLiteral("imap"), RefreshQueue::Mode::OnDemand, 60, QStringLiteral("b")));
    q.push(waiter(QStringLiteral("default"), RefreshQueue::Mode::Scheduled, 0, QStringLiteral("c")));
    q.push(waiter(QStringLiteral("smtp"), RefreshQueue::Mode::OnDemand, 60, QStringLiteral("d")));

    EXPECT_EQ(actors(q.takeResource(QStringLiteral("default"))),
              (QStringList{QStringLiteral("a"), QStringLiteral("c")}));
    EXPECT_EQ(q.nextResource(), QStringLiteral("imap"));
    EXPECT_TRUE(q.takeResource(QStringLiteral("default")).isEmpty());
    EXPECT_EQ(actors(q.takeAll()), (QStringList{QStringLiteral("b"), QStringLiteral("d")}));
    EXPECT_TRUE(q.isEmpty());
}

TEST(RefreshQueue, CallbacksTravelWithTheirCallers)
{
    RefreshQueue q;
    QStringList heard;
    for (const QString &name : {QStringLiteral("first"), QStringLiteral("second")}) {
        RefreshQueue::Waiter w = waiter(QStringLiteral("default"));
        w.done = [&heard, name](Result<AccessToken> r) {
            heard.append(name + (r.ok() ? QLatin1String("+") : QLatin1String("-")));
        };
        q.push(std::move(w));
    }
    for (const auto &w : q.takeAll())
        w.done(Error(ErrorCode::Cancelled, QStringLiteral("cancelled")));
    EXPECT_EQ(heard, (QStringList{QStringLiteral("first-"), QStringLiteral("second-")}));
}

TEST(RefreshQueue, TokenHashIsSha256AndEmptyForNoToken)
{
    EXPECT_TRUE(RefreshQueue::tokenHash(SecretString()).isEmpty());
    EXPECT_EQ(RefreshQueue::tokenHash(SecretString(QStringLiteral("abc"))).toHex(),
              QByteArray("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}
