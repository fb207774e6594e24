#include "ui/AccountModel.h"
#include "core/common/Clock.h"
#include "core/vault/VaultTypes.h"
#include "tests/support/TestUtil.h"
#include "ui/AccountDelegate.h"
#include "ui/AccountFilterModel.h"
#include "ui/ElidedLabel.h"
#include "ui/SafeText.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QFontMetrics>
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
    EXPECT_EQ(model.statusText(a), QStringLiteral("Connected · renews in 42 min"));
    a.nextRefreshAt = clock.now().addSecs(3 * 3600 + 5 * 60);
    EXPECT_EQ(model.statusText(a), QStringLiteral("Connected · renews in 3 h 5 min"));
    a.nextRefreshAt = clock.now().addSecs(-10);
    EXPECT_EQ(model.statusText(a), QStringLiteral("Connected · renewal due"));
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
              QStringLiteral("Connected · renews in 42 min"));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    clock.advance(40 * 60);
    model.refreshRelativeTimes();
    EXPECT_EQ(changed.count(), 1);
    EXPECT_EQ(model.index(0).data(AccountModel::StatusTextRole).toString(),
              QStringLiteral("Connected · renews in 2 min"));
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

// Issue 16 point 5: offline is not a problem while the token is valid.
TEST_F(ModelFixture, OfflineWithAValidTokenIsQuietAndSaysUntilWhen)
{
    Account a = makeAccount(1, QStringLiteral("a@x.org"));
    a.status = AccountStatus::Offline;
    a.failureCount = 1;
    a.nextRefreshAt = clock.now().addSecs(60);
    const QDateTime expiry = clock.now().addSecs(40 * 60);
    model.setAccounts({a}, {{1, expiry}});
    const QModelIndex i = model.index(0);
    const QString until = AccountModel::shortTime(expiry, clock.now());
    EXPECT_FALSE(until.contains(QLatin1Char(':')) && until.count(QLatin1Char(':')) > 1) << "no seconds";
    EXPECT_EQ(i.data(AccountModel::StatusTextRole).toString(),
              QStringLiteral("Offline · works until %1, will retry").arg(until));
    EXPECT_EQ(i.data(AccountModel::SeverityRole).toInt(), int(AccountModel::Severity::Quiet));
    EXPECT_EQ(i.data(AccountModel::AttentionRole).toInt(), 2);
    const QPalette palette = QApplication::palette();
    EXPECT_EQ(AccountDelegate::severityColor(int(AccountModel::Severity::Quiet), int(AccountStatus::Offline), palette),
              AccountDelegate::statusColor(int(AccountStatus::Offline), palette));

    // The token expires while still offline: now it is a problem, and said so.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    clock.advance(41 * 60);
    model.refreshRelativeTimes();
    ASSERT_EQ(changed.count(), 1);
    EXPECT_TRUE(changed.first().at(2).value<QList<int>>().contains(AccountModel::SeverityRole));
    EXPECT_EQ(i.data(AccountModel::StatusTextRole).toString(),
              QStringLiteral("Offline · access expired at %1, will retry").arg(until));
    EXPECT_EQ(i.data(AccountModel::SeverityRole).toInt(), int(AccountModel::Severity::Problem));
    EXPECT_EQ(i.data(AccountModel::AttentionRole).toInt(), 3);
    EXPECT_EQ(
        AccountDelegate::severityColor(int(AccountModel::Severity::Problem), int(AccountStatus::Offline), palette),
        AccountDelegate::statusColor(int(AccountStatus::Error), palette));
}

TEST_F(ModelFixture, SeverityAndAttentionOfEachStatus)
{
    const QDateTime later = clock.now().addSecs(3600);
    Account a = makeAccount(1, QStringLiteral("a@x.org"));
    using S = AccountModel::Severity;
    EXPECT_EQ(AccountModel::severity(a, clock.now(), later), S::Fine);
    EXPECT_EQ(AccountModel::attention(a, clock.now(), later), 0);
    EXPECT_EQ(AccountModel::severity(a, clock.now(), later, true), S::Warning); // mail login failed
    EXPECT_EQ(AccountModel::attention(a, clock.now(), later, true), 1);
    a.status = AccountStatus::NeedsSignIn;
    EXPECT_EQ(AccountModel::severity(a, clock.now(), later), S::Warning);
    EXPECT_EQ(AccountModel::attention(a, clock.now(), later), 4);
    a.status = AccountStatus::Error;
    EXPECT_EQ(AccountModel::severity(a, clock.now(), later), S::Problem);
    EXPECT_EQ(AccountModel::attention(a, clock.now(), later), 3);
    a.status = AccountStatus::Refreshing;
    EXPECT_EQ(AccountModel::attention(a, clock.now(), later), 0);
    a.failureCount = 2; // the retry of a failing mailbox keeps its place
    EXPECT_EQ(AccountModel::attention(a, clock.now(), later), 2);
}

// Issue 16 point 2: search and order.
struct FilterFixture : ModelFixture {
    AccountFilterModel proxy;
    std::unique_ptr<QAbstractItemModelTester> proxyTester;
    FilterFixture()
    {
        proxy.setAccountModel(&model);
        proxyTester
            = std::make_unique<QAbstractItemModelTester>(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    }
    QList<qint64> ids() const
    {
        QList<qint64> out;
        for (int r = 0; r < proxy.rowCount(); ++r)
            out.append(AccountFilterModel::accountId(proxy.index(r, 0)));
        return out;
    }
};

TEST_F(FilterFixture, NeedsAttentionFirstThenAlphabetical)
{
    Account broken = makeAccount(1, QStringLiteral("zed@x.org"), QStringLiteral("Zed"), AccountStatus::Error);
    Account signIn = makeAccount(2, QStringLiteral("yve@x.org"), QStringLiteral("yve"), AccountStatus::NeedsSignIn);
    Account offline = makeAccount(3, QStringLiteral("xi@x.org"), QStringLiteral("Xi"), AccountStatus::Offline);
    Account mail = makeAccount(4, QStringLiteral("wu@x.org"), QStringLiteral("Wu"));
    Account bob = makeAccount(5, QStringLiteral("bob@x.org"), QStringLiteral("bob"));
    Account anna = makeAccount(6, QStringLiteral("anna@x.org"), QStringLiteral("Anna"));
    Account noName = makeAccount(7, QStringLiteral("carl@x.org"));
    model.setAccounts({broken, signIn, offline, mail, bob, anna, noName});
    model.setMailLoginFailure(4, QStringLiteral("SMTP"));
    EXPECT_EQ(ids(), (QList<qint64>{2, 1, 3, 4, 6, 5, 7}));

    proxy.setOrder(AccountFilterModel::Order::ByName);
    // Anna, bob, carl@x.org (no name: the address), Wu, Xi, yve, Zed.
    EXPECT_EQ(ids(), (QList<qint64>{6, 5, 7, 4, 3, 2, 1}));
}

TEST_F(FilterFixture, TheOrderFollowsLiveChanges)
{
    model.setAccounts({makeAccount(1, QStringLiteral("a@x.org"), QStringLiteral("Anna")),
                       makeAccount(2, QStringLiteral("b@x.org"), QStringLiteral("Bob"))});
    EXPECT_EQ(ids(), (QList<qint64>{1, 2}));
    Account b = makeAccount(2, QStringLiteral("b@x.org"), QStringLiteral("Bob"), AccountStatus::NeedsSignIn);
    model.updateAccount(b);
    EXPECT_EQ(ids(), (QList<qint64>{2, 1}));
    model.setMailLoginFailure(1, QStringLiteral("IMAP")); // below a sign-in
    EXPECT_EQ(ids(), (QList<qint64>{2, 1}));
    b.status = AccountStatus::Connected;
    model.updateAccount(b);
    EXPECT_EQ(ids(), (QList<qint64>{1, 2})); // the failed mail login comes first now
    EXPECT_EQ(proxy.indexOfId(2).row(), 1);
}

TEST_F(FilterFixture, SearchMatchesAddressNameAndProviderCaseInsensitively)
{
    Account g = makeAccount(1, QStringLiteral("alice@gmail.example"), QStringLiteral("Alice Liddell"));
    g.provider = QStringLiteral("google");
    model.setAccounts({g, makeAccount(2, QStringLiteral("bob@contoso.example"), QStringLiteral("Bob Builder")),
                       makeAccount(3, QStringLiteral("carol@contoso.example"))});
    proxy.setSearchText(QStringLiteral("CONTOSO"));
    EXPECT_EQ(ids(), (QList<qint64>{2, 3}));
    proxy.setSearchText(QStringLiteral("builder"));
    EXPECT_EQ(ids(), QList<qint64>{2});
    proxy.setSearchText(QStringLiteral("gmail")); // the provider's name (and here the domain)
    EXPECT_EQ(ids(), QList<qint64>{1});
    proxy.setSearchText(QStringLiteral("outlook carol")); // every word, anywhere
    EXPECT_EQ(ids(), QList<qint64>{3});
    proxy.setSearchText(QStringLiteral("nobody"));
    EXPECT_TRUE(ids().isEmpty());
    EXPECT_FALSE(proxy.indexOfId(1).isValid());
    proxy.setSearchText(QStringLiteral("  "));
    EXPECT_EQ(ids().size(), 3);
}

// Issue 16 point 2: eliding keeps the domain; the badge does not crowd out the name.
TEST(AccountDelegateText, ElidingAnAddressKeepsItsDomain)
{
    const QFontMetrics fm(QApplication::font());
    const QString address = QStringLiteral("averyveryverylongname@department.example.com");
    const QString domain = QStringLiteral("@department.example.com");
    const int width = fm.horizontalAdvance(QStringLiteral("aver…") + domain) + 1;
    const QString shown = AccountDelegate::elidedEmail(address, fm, width);
    EXPECT_TRUE(shown.endsWith(domain)) << shown.toStdString();
    EXPECT_TRUE(shown.startsWith(QStringLiteral("a"))) << shown.toStdString();
    EXPECT_TRUE(shown.contains(QChar(0x2026))) << shown.toStdString();
    EXPECT_LE(fm.horizontalAdvance(shown), width);
    // Wide enough: unchanged. No display name: the name line is the address, elided the same way.
    EXPECT_EQ(AccountDelegate::elidedEmail(address, fm, 10000), address);
    EXPECT_EQ(AccountDelegate::elidedName(QString(), address, fm, width), shown);
    // Narrower than the domain: the domain's start stays, after the local part's first letter.
    const QString narrow
        = AccountDelegate::elidedEmail(address, fm, fm.horizontalAdvance(QStringLiteral("a…@departm")));
    EXPECT_TRUE(narrow.startsWith(QStringLiteral("a…@dep"))) << narrow.toStdString();
    // The details' address label does the same.
    ElidedLabel label(address);
    label.setAddressElision(true);
    label.resize(width + label.contentsMargins().left() + label.contentsMargins().right(), label.sizeHint().height());
    EXPECT_TRUE(label.shownText().endsWith(domain)) << label.shownText().toStdString();
}

TEST(AccountDelegateText, ALongProviderBadgeElidesInsteadOfCrowdingOutTheName)
{
    const QFontMetrics fm(QApplication::font());
    const QRect row(0, 0, 360, AccountDelegate::rowHeight(fm));
    const AccountDelegate::Layout l = AccountDelegate::layoutFor(row, fm, 5000, false);
    const int textWidth = l.email.width();
    EXPECT_LE(l.badge.width(), AccountDelegate::maxBadgeWidth(fm, textWidth));
    EXPECT_LE(l.badge.width(), textWidth / 3);
    EXPECT_GE(l.name.width(), textWidth / 2);
    // A short badge keeps its width.
    EXPECT_EQ(AccountDelegate::layoutFor(row, fm, 40, false).badge.width(), 40);
}
