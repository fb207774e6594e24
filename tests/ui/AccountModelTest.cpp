#include "ui/AccountModel.h"
#include "core/common/Clock.h"
#include "core/vault/VaultTypes.h"
#include "tests/support/TestUtil.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>

#include <gtest/gtest.h>

using namespace mailkey;

namespace {

Account makeAccount(qint64 id, const QString &email, const QString &name = QString(),
                    AccountStatus status = AccountStatus::Connected)
{
    Account a;
    a.id = id;
    a.provider = QStringLiteral("microsoft");
    a.email = email;
    a.displayName = name;
    a.status = status;
    a.createdAt = QDateTime::fromString(QStringLiteral("2025-01-01T10:00:00Z"), Qt::ISODate);
    return a;
}

struct ModelFixture : ::testing::Test {
    ManualClock clock{QDateTime::fromString(QStringLiteral("2025-03-01T12:00:00Z"), Qt::ISODate)};
    AccountModel model;
    QAbstractItemModelTester tester{&model, QAbstractItemModelTester::FailureReportingMode::Fatal};
    ModelFixture() { model.setClock(&clock); }
};

} // namespace

TEST_F(ModelFixture, EmptyAndRoles)
{
    EXPECT_EQ(model.rowCount(), 0);
    const auto names = model.roleNames();
    EXPECT_EQ(names.value(AccountModel::EmailRole), QByteArray("email"));
    EXPECT_EQ(names.value(AccountModel::StatusTextRole), QByteArray("statusText"));
    EXPECT_EQ(names.value(Qt::DisplayRole), QByteArray("display"));
}

TEST_F(ModelFixture, SetAccountsFillsRows)
{
    model.setAccounts({makeAccount(1, QStringLiteral("alice@example.com"), QStringLiteral("Alice Example")),
                       makeAccount(2, QStringLiteral("bob@example.com"))});
    ASSERT_EQ(model.rowCount(), 2);
    const QModelIndex a = model.index(0);
    EXPECT_EQ(a.data(AccountModel::IdRole).toLongLong(), 1);
    EXPECT_EQ(a.data(Qt::DisplayRole).toString(), QStringLiteral("Alice Example"));
    EXPECT_EQ(a.data(AccountModel::EmailRole).toString(), QStringLiteral("alice@example.com"));
    EXPECT_EQ(a.data(AccountModel::ProviderNameRole).toString(), QStringLiteral("Outlook / Microsoft 365"));
    EXPECT_EQ(a.data(AccountModel::InitialsRole).toString(), QStringLiteral("AE"));
    // No display name: the address is what the row shows.
    EXPECT_EQ(model.index(1).data(Qt::DisplayRole).toString(), QStringLiteral("bob@example.com"));
    EXPECT_EQ(model.accountAt(model.index(1)).id, 2);
    EXPECT_EQ(model.accountAt(QModelIndex()).id, 0);
    EXPECT_EQ(model.indexOfId(2).row(), 1);
    EXPECT_FALSE(model.indexOfId(99).isValid());
}

TEST_F(ModelFixture, SetAccountsKeepsRowsThatStay)
{
    model.setAccounts({makeAccount(1, QStringLiteral("a@x.org")), makeAccount(2, QStringLiteral("b@x.org")),
                       makeAccount(3, QStringLiteral("c@x.org"))});
    QPersistentModelIndex second(model.index(1));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    Account b = makeAccount(2, QStringLiteral("b@x.org"), QStringLiteral("Bee"));
    model.setAccounts({b, makeAccount(3, QStringLiteral("c@x.org")), makeAccount(4, QStringLiteral("d@x.org"))});

    EXPECT_EQ(reset.count(), 0);
    EXPECT_EQ(removed.count(), 1);
    EXPECT_EQ(inserted.count(), 1);
    ASSERT_EQ(model.rowCount(), 3);
    ASSERT_TRUE(second.isValid());
    EXPECT_EQ(second.data(AccountModel::IdRole).toLongLong(), 2);
    EXPECT_EQ(second.data(Qt::DisplayRole).toString(), QStringLiteral("Bee"));
    EXPECT_EQ(model.index(2).data(AccountModel::IdRole).toLongLong(), 4);
}

TEST_F(ModelFixture, UpdateAndRemove)
{
    model.updateAccount(makeAccount(5, QStringLiteral("e@x.org")));
    ASSERT_EQ(model.rowCount(), 1);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    Account e = makeAccount(5, QStringLiteral("e@x.org"), QString(), AccountStatus::NeedsSignIn);
    e.statusReason = QStringLiteral("The password was changed.");
    model.updateAccount(e);
    EXPECT_EQ(model.rowCount(), 1);
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(model.index(0).data(AccountModel::StatusRole).toInt(), int(AccountStatus::NeedsSignIn));
    EXPECT_EQ(model.index(0).data(AccountModel::StatusTextRole).toString(),
              QStringLiteral("Needs sign-in: The password was changed."));
    model.removeAccount(42); // unknown: nothing
    EXPECT_EQ(model.rowCount(), 1);
    model.removeAccount(5);
    EXPECT_EQ(model.rowCount(), 0);
}

TEST_F(ModelFixture, StatusTexts)
{
    Account a = makeAccount(1, QStringLiteral("a@x.org"));
    a.nextRefreshAt = clock.now().addSecs(42 * 60);
    EXPECT_EQ(model.statusText(a), QStringLiteral("Connected · refreshes in 42 min"));
    a.nextRefreshAt = clock.now().addSecs(3 * 3600 + 5 * 60);
    EXPECT_EQ(model.statusText(a), QStringLiteral("Connected · refreshes in 3 h 5 min"));
    a.nextRefreshAt = clock.now().addSecs(-10);
    EXPECT_EQ(model.statusText(a), QStringLiteral("Connected · refresh due"));
    a.status = AccountStatus::Refreshing;
    EXPECT_EQ(model.statusText(a), QStringLiteral("Refreshing…"));
    a.status = AccountStatus::Offline;
    a.nextRefreshAt = clock.now().addSecs(120);
    EXPECT_EQ(model.statusText(a), QStringLiteral("Offline · will retry in 2 min"));
    a.nextRefreshAt = QDateTime();
    EXPECT_EQ(model.statusText(a), QStringLiteral("Offline · will retry"));
    a.status = AccountStatus::Error;
    a.statusReason = QStringLiteral("AADSTS700016: app not found");
    EXPECT_EQ(model.statusText(a), QStringLiteral("Error: AADSTS700016: app not found"));
    a.status = AccountStatus::NeedsSignIn;
    a.statusReason.clear();
    EXPECT_EQ(model.statusText(a), QStringLiteral("Needs sign-in"));
}

TEST_F(ModelFixture, RelativeTimesFollowTheClock)
{
    Account a = makeAccount(1, QStringLiteral("a@x.org"));
    a.nextRefreshAt = clock.now().addSecs(42 * 60);
    model.setAccounts({a});
    EXPECT_EQ(model.index(0).data(AccountModel::StatusTextRole).toString(),
              QStringLiteral("Connected · refreshes in 42 min"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    clock.advance(40 * 60);
    model.refreshRelativeTimes();
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(model.index(0).data(AccountModel::StatusTextRole).toString(),
              QStringLiteral("Connected · refreshes in 2 min"));
}

TEST_F(ModelFixture, AccessibleRoles)
{
    Account a = makeAccount(1, QStringLiteral("alice@example.com"), QStringLiteral("Alice"));
    a.provider = QStringLiteral("google");
    model.setAccounts({a});
    const QModelIndex i = model.index(0);
    EXPECT_EQ(i.data(Qt::AccessibleTextRole).toString(), QStringLiteral("Alice, alice@example.com"));
    EXPECT_EQ(i.data(Qt::AccessibleDescriptionRole).toString(), QStringLiteral("Gmail, Connected"));
}

TEST_F(ModelFixture, CustomProviderNamesAndExpiry)
{
    Account a = makeAccount(1, QStringLiteral("a@x.org"));
    a.provider = QStringLiteral("fake");
    model.setAccounts({a});
    EXPECT_EQ(model.index(0).data(AccountModel::ProviderNameRole).toString(), QStringLiteral("fake"));
    model.setProviderNames({{QStringLiteral("fake"), QStringLiteral("Fake IdP")}});
    EXPECT_EQ(model.index(0).data(AccountModel::ProviderNameRole).toString(), QStringLiteral("Fake IdP"));
    const QDateTime when = clock.now().addSecs(3600);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setTokenExpiry(1, when);
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(model.index(0).data(AccountModel::ExpiryRole).toDateTime(), when);
}

TEST_F(ModelFixture, UntrustedTextIsCleaned)
{
    // A display name with a right-to-left override, control characters and HTML.
    Account a = makeAccount(1, QStringLiteral("evil@example.com"), QStringLiteral("<b>Boss</b>\u202Egnp.exe\n\x01"));
    model.setAccounts({a});
    const QString shown = model.index(0).data(Qt::DisplayRole).toString();
    EXPECT_FALSE(shown.contains(QChar(0x202E)));
    EXPECT_FALSE(shown.contains(QLatin1Char('\n')));
    EXPECT_FALSE(shown.contains(QChar(1)));
    EXPECT_TRUE(shown.startsWith(QStringLiteral("<b>Boss</b>"))); // literal, cleaned, not interpreted
    // accountAt() gives core's value unchanged.
    EXPECT_EQ(model.accountAt(model.index(0)).displayName, a.displayName);
    // 10,000 characters: capped.
    a.displayName = QString(10000, QLatin1Char('W'));
    model.updateAccount(a);
    EXPECT_LE(model.index(0).data(Qt::DisplayRole).toString().size(), 257);
}
