// Widgets of the main window that do not need the account service: text safety, the row
// delegate, banners for keychain/vault errors, the empty state, details, settings, single instance.
#include "core/common/Clock.h"
#include "core/common/Result.h"
#include "core/oauth/DeviceAuthorization.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/service/AppSettings.h"
#include "core/vault/VaultTypes.h"
#include "tests/support/TestUtil.h"
#include "tests/ui/QrReader.h"
#include "ui/AccountDelegate.h"
#include "ui/AccountDetails.h"
#include "ui/AccountModel.h"
#include "ui/Avatar.h"
#include "ui/Banner.h"
#include "ui/ConnectPanel.h"
#include "ui/ElidedLabel.h"
#include "ui/EmptyState.h"
#include "ui/QrCode.h"
#include "ui/SafeText.h"
#include "ui/SettingsDialog.h"
#include "ui/SingleInstance.h"
#include "ui/VaultErrorAdvice.h"

#include <QAccessible>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QToolButton>
#include <QTreeWidget>
#include <QUrl>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace mailkey;
using mailkey::test::decodeQr;
using mailkey::test::waitFor;

namespace {

Account account(qint64 id, const QString &email, const QString &name)
{
    Account a;
    a.id = id;
    a.provider = QStringLiteral("microsoft");
    a.email = email;
    a.displayName = name;
    return a;
}

// Every QLabel under `root` shows plain text only.
void expectAllLabelsPlain(QWidget *root)
{
    const auto labels = root->findChildren<QLabel *>();
    for (QLabel *l : labels) {
        if (l->objectName().startsWith(QLatin1String("clientIdLink-")))
            continue; // MailKey's own fixed link (checked in EmptyState.HelpHasRealLinksAndDoesNotRepeatItself)
        EXPECT_EQ(l->textFormat(), Qt::PlainText) << "label " << l->objectName().toStdString() << " is not plain text";
    }
}

QAccessibleInterface *accessible(QObject *o)
{
    return QAccessible::queryAccessibleInterface(o);
}

const QString Hostile = QStringLiteral("<b>Boss</b><img src=\"http://evil.example/x.png\"><a href=\"x\">click</a>");

} // namespace

// SafeText -------------------------------------------------------------------------------

TEST(SafeText, StripsBidiControlsAndControlCharacters)
{
    for (char16_t c : {u'\u202A', u'\u202B', u'\u202C', u'\u202D', u'\u202E', u'\u2066', u'\u2067', u'\u2068',
                       u'\u2069', u'\u200E', u'\u200F', u'\u061C', u'\uFEFF'}) {
        const QString in = QStringLiteral("abc") + QChar(c) + QStringLiteral("def");
        EXPECT_EQ(SafeText::clean(in), QStringLiteral("abcdef")) << int(c);
    }
    EXPECT_EQ(SafeText::clean(QStringLiteral("a\nb\r\nc\td\x01\x7f"
                                             "e")),
              QStringLiteral("a b c d e"));
    EXPECT_EQ(SafeText::clean(QStringLiteral("  many    spaces  ")), QStringLiteral("many spaces"));
    EXPECT_EQ(SafeText::clean(QString(QChar(0x85)) + QStringLiteral("x") + QChar(0x2028) + QStringLiteral("y")),
              QStringLiteral("x y"));
    // Tag characters (U+E0001...) are invisible: removed.
    EXPECT_EQ(SafeText::clean(QStringLiteral("a") + QString::fromUcs4(U"\U000E0041") + QStringLiteral("b")),
              QStringLiteral("ab"));
}

TEST(SafeText, KeepsHtmlLiteral)
{
    EXPECT_EQ(SafeText::clean(Hostile), Hostile);
    const QString tip = SafeText::toolTip(Hostile);
    EXPECT_FALSE(tip.contains(QStringLiteral("<img")));
    EXPECT_FALSE(tip.contains(QStringLiteral("<b>")));
    EXPECT_TRUE(tip.contains(QStringLiteral("&lt;img")));
    EXPECT_TRUE(SafeText::toolTip(QString()).isEmpty());
}

TEST(SafeText, CapsLengthWithoutSplittingCharacters)
{
    const QString huge(10000, QLatin1Char('x'));
    const QString c = SafeText::clean(huge);
    EXPECT_EQ(c.size(), SafeText::MaxLength);
    EXPECT_EQ(c.back(), QChar(0x2026));
    // Emoji (surrogate pairs) are never cut in half.
    QString emoji;
    for (int i = 0; i < 300; ++i)
        emoji += QString::fromUcs4(U"\U0001F600");
    const QString e = SafeText::clean(emoji, 11);
    EXPECT_EQ(e.toUcs4().size(), 11);
    for (qsizetype i = 0; i + 1 < e.size(); ++i) {
        if (e.at(i).isHighSurrogate()) {
            EXPECT_TRUE(e.at(i + 1).isLowSurrogate());
        }
    }
    // A lone surrogate becomes U+FFFD.
    const QString lone = QStringLiteral("a") + QChar(0xD800) + QStringLiteral("b");
    EXPECT_EQ(SafeText::clean(lone), QStringLiteral("a") + QChar(0xFFFD) + QStringLiteral("b"));
    // Short text is untouched.
    EXPECT_EQ(SafeText::clean(QStringLiteral("Zoë Ölund")), QStringLiteral("Zoë Ölund"));
}

TEST(SafeText, LimitsCombiningMarks)
{
    QString zalgo = QStringLiteral("Z");
    for (int i = 0; i < 50; ++i)
        zalgo += QChar(0x0301);
    zalgo += QStringLiteral("a");
    const QString c = SafeText::clean(zalgo);
    EXPECT_EQ(c.size(), 1 + SafeText::MaxCombiningMarks + 1);
    // Legitimate marks stay (e + combining acute).
    EXPECT_EQ(SafeText::clean(QStringLiteral("e\u0301")), QStringLiteral("e\u0301"));
}

TEST(SafeText, MultilineAndLongWords)
{
    EXPECT_EQ(SafeText::cleanMultiline(QStringLiteral("first\u202E line\nsecond\x01line\n\n")),
              QStringLiteral("first line\nsecond line"));
    const QString broken = SafeText::breakLongWords(QString(100, QLatin1Char('a')), 32);
    EXPECT_EQ(broken.count(QChar(0x200B)), 3);
    EXPECT_EQ(SafeText::breakLongWords(QStringLiteral("short words only"), 32), QStringLiteral("short words only"));
}

TEST(SafeText, LabelsArePlainText)
{
    QLabel label;
    label.setTextFormat(Qt::AutoText);
    SafeText::setLabelText(&label, Hostile);
    EXPECT_EQ(label.textFormat(), Qt::PlainText);
    EXPECT_EQ(label.text(), Hostile);
    SafeText::setLabelText(&label, QString(10000, QLatin1Char('y')));
    EXPECT_LE(label.text().size(), SafeText::MaxLength);
    EXPECT_TRUE(label.toolTip().startsWith(QStringLiteral("<p"))); // escaped rich text, see toolTip()
}

// Avatar -------------------------------------------------------------------------------------

TEST(Avatar, Initials)
{
    EXPECT_EQ(Avatar::initials(QStringLiteral("Alice Example"), QStringLiteral("a@x.org")), QStringLiteral("AE"));
    EXPECT_EQ(Avatar::initials(QStringLiteral("alice  van der berg"), QString()), QStringLiteral("AB"));
    EXPECT_EQ(Avatar::initials(QString(), QStringLiteral("zoe@x.org")), QStringLiteral("Z"));
    EXPECT_EQ(Avatar::initials(QStringLiteral("<b>"), QStringLiteral("!!@x")), QStringLiteral("B"));
    EXPECT_EQ(Avatar::initials(QStringLiteral("\u202E"), QStringLiteral("")), QStringLiteral("?"));
    EXPECT_EQ(Avatar::initials(QStringLiteral("Émile Zola"), QString()), QStringLiteral("ÉZ"));
}

TEST(Avatar, ColoursAreStableAndReadable)
{
    EXPECT_EQ(Avatar::color(QStringLiteral("alice@example.com")), Avatar::color(QStringLiteral(" Alice@Example.com")));
    // Different addresses spread over the palette.
    QSet<QRgb> seen;
    for (int i = 0; i < 60; ++i)
        seen.insert(Avatar::color(QStringLiteral("user%1@example.com").arg(i)).rgb());
    EXPECT_GE(seen.size(), 8);
    // White initials/badge text on every colour: WCAG AA (4.5:1).
    for (const QColor &c : Avatar::colors())
        EXPECT_GE(Avatar::contrastRatio(c, Qt::white), 4.5) << c.name().toStdString();
    for (const char *p : {"microsoft", "google", "fake", "example"})
        EXPECT_GE(Avatar::contrastRatio(Avatar::providerColor(QString::fromLatin1(p)), Qt::white), 4.5) << p;
}

TEST(Avatar, ContrastOnLightAndDarkBackgrounds)
{
    // Initials >= 4.5:1 against the fill (text), the fill >= 3:1 against the background (a
    // graphical object), computed for every colour on light and dark window and base colours.
    const QList<QColor> backgrounds{Qt::white,
                                    QColor(0xFA, 0xFA, 0xFA),
                                    QColor(0xF0, 0xF0, 0xF0),
                                    Qt::black,
                                    QColor(0x1E, 0x1E, 0x1E),
                                    QColor(0x2D, 0x2D, 0x2D),
                                    QColor(0x35, 0x35, 0x35)};
    for (const QColor &bg : backgrounds) {
        for (const QColor &c : Avatar::colors()) {
            const QColor fill = Avatar::forBackground(c, bg);
            const QColor text = Avatar::initialsColor(fill);
            EXPECT_GE(Avatar::contrastRatio(text, fill), 4.5)
                << fill.name().toStdString() << " on " << bg.name().toStdString();
            EXPECT_GE(Avatar::contrastRatio(fill, bg), 3.0)
                << fill.name().toStdString() << " on " << bg.name().toStdString();
        }
    }
    // The hue stays: the dark twin of a colour is the same entry of the other list.
    ASSERT_EQ(Avatar::colors().size(), Avatar::darkColors().size());
    EXPECT_EQ(Avatar::forBackground(Avatar::colors().at(6), QColor(0x35, 0x35, 0x35)), Avatar::darkColors().at(6));
    EXPECT_EQ(Avatar::forBackground(Avatar::colors().at(6), Qt::white), Avatar::colors().at(6));
    EXPECT_EQ(Avatar::initialsColor(Avatar::colors().at(6)), QColor(Qt::white));
    EXPECT_EQ(Avatar::initialsColor(Avatar::darkColors().at(6)), QColor(Qt::black));
}

// Delegate -----------------------------------------------------------------------------------

TEST(AccountDelegate, RowSizeDoesNotDependOnText)
{
    AccountModel model;
    Account normal = account(1, QStringLiteral("alice@example.com"), QStringLiteral("Alice"));
    Account huge = account(2, QString(10000, QLatin1Char('m')) + QStringLiteral("@example.com"),
                           QString(10000, QLatin1Char('W')));
    Account rtl = account(3, QStringLiteral("moc.elpmaxe@\u202Eevil"),
                          QStringLiteral("\u202Eevil\u2067name\u2069 with\nnewlines\n\n\nand more"));
    Account html = account(4, QStringLiteral("x@example.com"), Hostile);
    model.setAccounts({normal, huge, rtl, html});

    QListView view;
    view.setModel(&model);
    auto *delegate = new AccountDelegate(&view);
    view.setItemDelegate(delegate);
    view.setUniformItemSizes(false); // measure every row
    view.resize(420, 600);
    view.show();
    ASSERT_TRUE(waitFor([&] { return view.isVisible(); }));

    const int h = view.sizeHintForRow(0);
    EXPECT_GT(h, 0);
    for (int row = 1; row < model.rowCount(); ++row)
        EXPECT_EQ(view.sizeHintForRow(row), h) << row;
    const int w = view.sizeHintForColumn(0);
    EXPECT_LT(w, 1000);
    QStyleOptionViewItem option;
    option.initFrom(&view);
    for (int row = 0; row < model.rowCount(); ++row)
        EXPECT_EQ(delegate->sizeHint(option, model.index(row)), delegate->sizeHint(option, model.index(0)));

    // Painting a hostile row stays inside it.
    QImage image(420, h * 4, QImage::Format_ARGB32);
    image.fill(Qt::white);
    {
        QPainter p(&image);
        for (int row = 0; row < model.rowCount(); ++row) {
            option.rect = QRect(0, row * h, 420, h);
            delegate->paint(&p, option, model.index(row));
        }
    }
    // The row of the huge name painted pixels (it was elided, not dropped).
    bool painted = false;
    for (int y = h; y < 2 * h && !painted; ++y)
        for (int x = 0; x < 420 && !painted; ++x)
            painted = image.pixel(x, y) != qRgb(255, 255, 255);
    EXPECT_TRUE(painted);
}

TEST(AccountDelegate, LayoutFitsTheRowAndMirrors)
{
    const QFontMetrics fm(QApplication::font());
    const QRect rect(0, 0, 400, AccountDelegate::rowHeight(fm));
    const auto l = AccountDelegate::layoutFor(rect, fm, 120, false);
    for (const QRect &r : {l.avatar, l.name, l.badge, l.email, l.status})
        EXPECT_TRUE(rect.contains(r)) << r.x() << "," << r.y() << " " << r.width() << "x" << r.height();
    EXPECT_LT(l.avatar.right(), l.name.left());
    EXPECT_LE(l.name.right(), l.badge.left());
    const auto m = AccountDelegate::layoutFor(rect, fm, 120, true);
    EXPECT_GT(m.avatar.left(), m.name.left()); // avatar on the right in RTL
    // A narrow row never gives the badge more than 3/5 of the text column.
    const auto n = AccountDelegate::layoutFor(QRect(0, 0, 150, rect.height()), fm, 5000, false);
    EXPECT_LE(n.badge.width(), (150 - n.name.left()) * 3 / 5 + 1);
    EXPECT_GT(n.name.width(), 0);
}

TEST(AccountDelegate, PaintsWithThePaletteInLightAndDark)
{
    AccountModel model;
    model.setAccounts({account(1, QStringLiteral("alice@example.com"), QStringLiteral("Alice Example"))});
    AccountDelegate delegate;
    const auto render = [&](const QPalette &palette) {
        QListView view;
        view.setPalette(palette);
        view.setModel(&model);
        QStyleOptionViewItem option;
        option.initFrom(&view);
        option.palette = palette;
        option.state = QStyle::State_Enabled | QStyle::State_Active;
        option.widget = &view;
        const int h = AccountDelegate::rowHeight(option.fontMetrics);
        option.rect = QRect(0, 0, 420, h);
        QImage image(420, h, QImage::Format_ARGB32);
        image.fill(palette.color(QPalette::Base));
        QPainter p(&image);
        delegate.paint(&p, option, model.index(0));
        p.end();
        if (qEnvironmentVariableIsSet("MAILKEY_UI_DUMP_DIR"))
            image.save(qEnvironmentVariable("MAILKEY_UI_DUMP_DIR")
                       + QStringLiteral("/row-%1.png").arg(palette.color(QPalette::Base).lightness()));
        // The name's pixels: the lightest and darkest in its rect.
        const auto l = AccountDelegate::layoutFor(option.rect, option.fontMetrics, 120, false);
        int darkest = 255;
        int lightest = 0;
        for (int y = l.name.top(); y <= l.name.bottom(); ++y) {
            for (int x = l.name.left(); x <= l.name.left() + 60; ++x) {
                const int v = QColor(image.pixel(x, y)).lightness();
                darkest = std::min(darkest, v);
                lightest = std::max(lightest, v);
            }
        }
        return std::make_pair(darkest, lightest);
    };
    QPalette light;
    light.setColor(QPalette::Base, Qt::white);
    light.setColor(QPalette::Text, Qt::black);
    light.setColor(QPalette::Window, QColor(240, 240, 240));
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(30, 30, 30));
    dark.setColor(QPalette::Text, QColor(235, 235, 235));
    dark.setColor(QPalette::Window, QColor(45, 45, 45));
    const auto [lightDarkest, lightLightest] = render(light);
    const auto [darkDarkest, darkLightest] = render(dark);
    EXPECT_LT(lightDarkest, 80); // dark text on white
    EXPECT_GT(lightLightest, 200);
    EXPECT_GT(darkLightest, 180); // light text on dark
    EXPECT_LT(darkDarkest, 60);
}

TEST(AccountDelegate, StatusColoursFollowThePalette)
{
    QPalette light;
    light.setColor(QPalette::Base, Qt::white);
    QPalette dark;
    dark.setColor(QPalette::Base, QColor(30, 30, 30));
    for (int s = 0; s <= int(AccountStatus::Error); ++s) {
        EXPECT_GE(Avatar::contrastRatio(AccountDelegate::statusColor(s, light), Qt::white), 3.0) << s;
        EXPECT_GE(Avatar::contrastRatio(AccountDelegate::statusColor(s, dark), QColor(30, 30, 30)), 3.0) << s;
    }
}

// ElidedLabel ---------------------------------------------------------------------------------

TEST(ElidedLabel, HugeTextDoesNotGrowTheWidget)
{
    ElidedLabel small(QStringLiteral("Alice"));
    ElidedLabel huge(QString(10000, QLatin1Char('W')));
    EXPECT_LE(huge.sizeHint().width(), 320 + 2 * huge.frameWidth());
    EXPECT_EQ(huge.minimumSizeHint(), small.minimumSizeHint());
    EXPECT_EQ(huge.sizeHint().height(), small.sizeHint().height());
    huge.resize(200, huge.sizeHint().height());
    EXPECT_TRUE(huge.shownText().endsWith(QChar(0x2026)));
    EXPECT_FALSE(huge.toolTip().isEmpty());
    ElidedLabel html(Hostile);
    html.resize(2000, 30);
    EXPECT_EQ(html.shownText(), Hostile);
    EXPECT_EQ(html.accessibleName(), Hostile);
    ElidedLabel bidi(QStringLiteral("\u202Eevil\u2066"));
    EXPECT_EQ(bidi.text(), QStringLiteral("evil"));
}

TEST(ElidedLabel, IsAStaticTextToAssistiveTechnology)
{
    QWidget parent;
    auto *label = new ElidedLabel(QStringLiteral("Alice <b>Example</b> with a rather long name"), &parent);
    label->resize(60, label->sizeHint().height());
    parent.show();
    ASSERT_TRUE(label->shownText().endsWith(QChar(0x2026)));
    QAccessibleInterface *iface = accessible(label);
    ASSERT_TRUE(iface);
    EXPECT_EQ(iface->role(), QAccessible::StaticText);
    EXPECT_EQ(iface->text(QAccessible::Name), QStringLiteral("Alice <b>Example</b> with a rather long name"));
    // The tooltip is rich text (for Qt): it must not become the description.
    EXPECT_TRUE(label->toolTip().contains(QStringLiteral("<p")));
    EXPECT_TRUE(iface->text(QAccessible::Description).isEmpty());
}

// Banners -------------------------------------------------------------------------------------

TEST(Banner, ClearingRules)
{
    QWidget parent;
    Banner banner(&parent);
    banner.setInfoTimeout(0);
    // Hidden: anything is shown.
    EXPECT_TRUE(
        banner.offer(Banner::Kind::Info, QStringLiteral("signin"), QStringLiteral("Sign-in cancelled"), QString()));
    // A newer message of equal or higher severity replaces an older one.
    EXPECT_TRUE(
        banner.offer(Banner::Kind::Error, QStringLiteral("account:1"), QStringLiteral("Refresh failed"), QString()));
    EXPECT_EQ(banner.title(), QStringLiteral("Refresh failed"));
    // A less severe one about something else does not cover the failure.
    EXPECT_FALSE(
        banner.offer(Banner::Kind::Success, QStringLiteral("signin"), QStringLiteral("Mailbox connected"), QString()));
    EXPECT_EQ(banner.title(), QStringLiteral("Refresh failed"));
    EXPECT_FALSE(
        banner.offer(Banner::Kind::Warning, QStringLiteral("signin"), QStringLiteral("Needs a client id"), QString()));
    // The same topic always replaces: the success of the thing that failed.
    EXPECT_TRUE(banner.offer(Banner::Kind::Success, QStringLiteral("account:1"), QStringLiteral("Renewed"), QString()));
    EXPECT_EQ(banner.kind(), Banner::Kind::Success);
    EXPECT_EQ(banner.topic(), QStringLiteral("account:1"));
    // clearTopic hides only its own topic.
    EXPECT_TRUE(
        banner.offer(Banner::Kind::Error, QStringLiteral("account:2"), QStringLiteral("Removal failed"), QString()));
    banner.clearTopic(QStringLiteral("account:1"));
    EXPECT_FALSE(banner.isHidden());
    banner.clearTopic(QStringLiteral("account:2"));
    EXPECT_TRUE(banner.isHidden());
    EXPECT_TRUE(banner.topic().isEmpty());
}

TEST(Banner, InfoAndSuccessTimeOutWarningsAndErrorsStay)
{
    QWidget parent;
    Banner banner(&parent);
    parent.show();
    banner.setInfoTimeout(150);
    banner.offer(Banner::Kind::Info, QStringLiteral("signin"), QStringLiteral("Sign-in cancelled"), QString());
    EXPECT_FALSE(banner.isHidden());
    EXPECT_TRUE(waitFor([&] { return banner.isHidden(); }, 3000));

    banner.showMessage(Banner::Kind::Success, QStringLiteral("Connected"), QString());
    EXPECT_TRUE(waitFor([&] { return banner.isHidden(); }, 3000));

    // With something to do, or while busy, it stays.
    banner.showMessage(Banner::Kind::Info, QStringLiteral("Set aside"), QString());
    banner.addButton(QStringLiteral("Open folder"));
    banner.setBusy(false);
    waitFor([] { return false; }, 400);
    EXPECT_FALSE(banner.isHidden());
    banner.showMessage(Banner::Kind::Info, QStringLiteral("Signing out everywhere…"), QString());
    banner.setBusy(true);
    waitFor([] { return false; }, 400);
    EXPECT_FALSE(banner.isHidden());

    for (const Banner::Kind kind : {Banner::Kind::Warning, Banner::Kind::Error}) {
        banner.showMessage(kind, QStringLiteral("Failed"), QString());
        waitFor([] { return false; }, 400);
        EXPECT_FALSE(banner.isHidden());
    }
}

TEST(VaultErrorAdvice, EachKeychainAndVaultErrorHasTitleStepsAndButtons)
{
    const auto noKeychain
        = VaultErrorAdvice::forError(Error(ErrorCode::NoKeychain, QStringLiteral("No Secret Service.")));
    EXPECT_TRUE(noKeychain.title.contains(QStringLiteral("No keychain")));
    EXPECT_TRUE(noKeychain.fullText().startsWith(QStringLiteral("No Secret Service.")));
    EXPECT_TRUE(noKeychain.canRetry);
    EXPECT_FALSE(noKeychain.offerReset);

    const auto locked = VaultErrorAdvice::forError(Error(ErrorCode::KeychainLocked, QStringLiteral("Locked.")));
    EXPECT_EQ(locked.title, QStringLiteral("Your keyring is locked"));
    // Core's message says how to unlock it; the next step only what to press then.
    EXPECT_TRUE(locked.nextSteps.contains(QStringLiteral("Retry")));
    EXPECT_FALSE(locked.nextSteps.contains(QStringLiteral("Unlock")));
    EXPECT_FALSE(locked.offerReset);
    EXPECT_FALSE(locked.offerUnlock);
    // Where the window can ask the keyring to unlock, the next step names that button.
    const auto unlockable
        = VaultErrorAdvice::forError(Error(ErrorCode::KeychainLocked, QStringLiteral("Locked.")), true);
    EXPECT_TRUE(unlockable.offerUnlock);
    EXPECT_TRUE(unlockable.canRetry);
    EXPECT_TRUE(unlockable.nextSteps.contains(QStringLiteral("Press Unlock")));
    EXPECT_EQ(unlockable.fullText().count(QStringLiteral("Locked.")), 1);
    // Only a locked keyring offers it.
    EXPECT_FALSE(VaultErrorAdvice::forError(Error(ErrorCode::NoKeychain, QStringLiteral("None.")), true).offerUnlock);

    const auto missing = VaultErrorAdvice::forError(Error(ErrorCode::KeyMissing, QStringLiteral("Key missing.")));
    EXPECT_TRUE(missing.offerReset);
    EXPECT_TRUE(missing.canRetry);

    const auto damaged = VaultErrorAdvice::forError(Error(ErrorCode::VaultDamaged, QStringLiteral("Damaged.")));
    EXPECT_TRUE(damaged.title.contains(QStringLiteral("damaged")));
    EXPECT_TRUE(damaged.offerReset);

    const auto nocipher = VaultErrorAdvice::forError(Error(ErrorCode::NotACipherBuild, QString()));
    EXPECT_FALSE(nocipher.canRetry);
    EXPECT_FALSE(nocipher.message.isEmpty());
}

TEST(Banner, ShowsMessagesLiterallyWithButtons)
{
    QWidget parent;
    Banner banner(&parent);
    EXPECT_TRUE(banner.isHidden());
    banner.showMessage(Banner::Kind::Error, QStringLiteral("Title <i>x</i>"),
                       Hostile + QStringLiteral("\nsecond line"));
    EXPECT_FALSE(banner.isHidden());
    EXPECT_EQ(banner.kind(), Banner::Kind::Error);
    EXPECT_EQ(banner.title(), QStringLiteral("Title <i>x</i>"));
    EXPECT_EQ(banner.message(), Hostile + QStringLiteral("\nsecond line"));
    expectAllLabelsPlain(&banner);
    QPushButton *retry = banner.addButton(QStringLiteral("Retry"));
    EXPECT_EQ(banner.button(QStringLiteral("Retry")), retry);
    QSignalSpy clicked(retry, &QPushButton::clicked);
    retry->click();
    EXPECT_EQ(clicked.count(), 1);
    banner.setBusy(true);
    EXPECT_FALSE(retry->isEnabled());
    // A new message replaces the buttons.
    banner.showMessage(Banner::Kind::Info, QStringLiteral("t"), QStringLiteral("m"));
    EXPECT_TRUE(banner.buttons().isEmpty());
    QSignalSpy dismissed(&banner, &Banner::dismissed);
    banner.dismiss();
    EXPECT_TRUE(banner.isHidden());
    EXPECT_EQ(dismissed.count(), 1);
}

TEST(Banner, TintsFromThePalette)
{
    QWidget lightParent;
    QPalette lp = lightParent.palette();
    lp.setColor(QPalette::Window, QColor(250, 250, 250));
    lightParent.setPalette(lp);
    Banner light(&lightParent);
    light.showMessage(Banner::Kind::Error, QStringLiteral("t"), QStringLiteral("m"));
    QWidget darkParent;
    QPalette dp = darkParent.palette();
    dp.setColor(QPalette::Window, QColor(35, 35, 35));
    darkParent.setPalette(dp);
    Banner dark(&darkParent);
    dark.showMessage(Banner::Kind::Error, QStringLiteral("t"), QStringLiteral("m"));
    EXPECT_GT(light.palette().color(QPalette::Window).lightness(), 160);
    EXPECT_LT(dark.palette().color(QPalette::Window).lightness(), 100);
}

// Empty state ---------------------------------------------------------------------------------

TEST(EmptyState, NothingOverlapsAtTheDefaultWindowSizeEvenWithHelpOpen)
{
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    EmptyState empty;
    empty.setProviders(registry.providers());
    empty.resize(780, 480);
    empty.show();
    QCoreApplication::processEvents();
    const auto expectNoOverlap = [&empty](const char *when) {
        QList<QWidget *> visible;
        for (QLabel *label : empty.findChildren<QLabel *>())
            if (label->isVisible())
                visible << label;
        for (QPushButton *button : empty.findChildren<QPushButton *>())
            if (button->isVisible())
                visible << button;
        ASSERT_GE(visible.size(), 4) << when;
        QWidget *content = &empty;
        for (int i = 0; i < visible.size(); ++i) {
            const QRect a(visible[i]->mapTo(content, QPoint(0, 0)), visible[i]->size());
            // A wrapped label gets at least the height its text needs at its width.
            if (auto *label = qobject_cast<QLabel *>(visible[i]); label && label->wordWrap()) {
                EXPECT_GE(label->height(), label->heightForWidth(label->width()))
                    << when << ": " << label->objectName().toStdString() << " is clipped";
            }
            for (int j = i + 1; j < visible.size(); ++j) {
                if (visible[i]->isAncestorOf(visible[j]) || visible[j]->isAncestorOf(visible[i]))
                    continue;
                const QRect b(visible[j]->mapTo(content, QPoint(0, 0)), visible[j]->size());
                EXPECT_FALSE(a.intersects(b)) << when << ": " << visible[i]->objectName().toStdString() << " overlaps "
                                              << visible[j]->objectName().toStdString();
            }
        }
    };
    expectNoOverlap("help closed");
    for (QToolButton *toggle : empty.findChildren<QToolButton *>())
        toggle->setChecked(true);
    QCoreApplication::processEvents();
    expectNoOverlap("help open");
    auto *msHint = empty.findChild<QLabel *>(QStringLiteral("clientIdHint-microsoft"));
    ASSERT_TRUE(msHint);
    EXPECT_TRUE(msHint->isVisible());
}

TEST(EmptyState, ExplainsAndOffersProvidersWithClientIdHelp)
{
    ProviderRegistry registry(
        ProviderRegistry::Settings{{QStringLiteral("provider/google/client_id"), QStringLiteral("g-client")}},
        QProcessEnvironment());
    EmptyState empty;
    empty.setProviders(registry.providers());
    expectAllLabelsPlain(&empty);
    auto *explanation = empty.findChild<QLabel *>(QStringLiteral("emptyExplanation"));
    ASSERT_TRUE(explanation);
    EXPECT_EQ(explanation->text().count(QLatin1Char('\n')), 1); // two lines
    // Microsoft has no client id: how to get one. Google has one: no hint.
    auto *msHint = empty.findChild<QLabel *>(QStringLiteral("clientIdHint-microsoft"));
    ASSERT_TRUE(msHint);
    EXPECT_TRUE(msHint->text().contains(QStringLiteral("entra.microsoft.com")));
    EXPECT_FALSE(empty.findChild<QLabel *>(QStringLiteral("clientIdHint-google")));
    EXPECT_TRUE(empty.findChild<QPushButton *>(QStringLiteral("emptySettingsButton")));

    auto *google = empty.findChild<QPushButton *>(QStringLiteral("emptyConnect-google"));
    ASSERT_TRUE(google);
    QSignalSpy requested(&empty, &EmptyState::connectRequested);
    google->click();
    ASSERT_EQ(requested.count(), 1);
    EXPECT_EQ(requested.at(0).at(0).toString(), QStringLiteral("google"));
}

TEST(EmptyState, HelpHasRealLinksAndDoesNotRepeatItself)
{
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    Provider custom;
    custom.id = QStringLiteral("evil");
    custom.kind = Provider::Kind::Custom;
    custom.displayName = QStringLiteral("<a href=\"https://evil.example\">Evil</a>");
    custom.issuer = QStringLiteral("https://evil.example/<b>");
    QList<Provider> providers = registry.providers();
    providers.append(custom);
    EmptyState empty;
    empty.setProviders(providers);
    expectAllLabelsPlain(&empty);
    for (const char *id : {"microsoft", "google", "evil"}) {
        const QString pid = QString::fromLatin1(id);
        auto *summary = empty.findChild<QLabel *>(QStringLiteral("clientIdSummary-") + pid);
        auto *hint = empty.findChild<QLabel *>(QStringLiteral("clientIdHint-") + pid);
        ASSERT_TRUE(summary && hint) << id;
        EXPECT_TRUE(summary->text().contains(QStringLiteral("needs a client ID"))) << id;
        // The help gives the steps; it does not say again that the client id is missing.
        EXPECT_FALSE(hint->text().contains(QStringLiteral("no client id"), Qt::CaseInsensitive)) << id;
        EXPECT_TRUE(hint->text().startsWith(QStringLiteral("1. "))) << id;
        EXPECT_EQ(hint->textFormat(), Qt::PlainText);
    }
    // The registration sites are real links, to fixed addresses, in labels holding nothing else.
    const QList<QLabel *> links = empty.findChildren<QLabel *>(QRegularExpression(QStringLiteral("^clientIdLink-")));
    ASSERT_EQ(links.size(), 2); // Microsoft and Google; the custom provider's issuer is not a link
    const QHash<QString, QString> expected{
        {QStringLiteral("clientIdLink-microsoft"), QStringLiteral("https://entra.microsoft.com")},
        {QStringLiteral("clientIdLink-google"), QStringLiteral("https://console.cloud.google.com")}};
    for (QLabel *link : links) {
        ASSERT_TRUE(expected.contains(link->objectName())) << link->objectName().toStdString();
        const QString url = expected.value(link->objectName());
        EXPECT_EQ(link->textFormat(), Qt::RichText);
        EXPECT_TRUE(link->openExternalLinks());
        EXPECT_TRUE(link->textInteractionFlags().testFlag(Qt::LinksAccessibleByKeyboard));
        EXPECT_EQ(link->text(), QStringLiteral("<a href=\"%1\" style=\"color:%2\">Open %3 in your browser</a>")
                                    .arg(url, empty.palette().color(QPalette::Link).name(), QUrl(url).host()));
    }
    // Opening the help shows the steps and the link.
    auto *toggle = empty.findChild<QToolButton *>(QStringLiteral("clientIdHowTo-microsoft"));
    ASSERT_TRUE(toggle);
    toggle->setChecked(true);
    auto *link = empty.findChild<QLabel *>(QStringLiteral("clientIdLink-microsoft"));
    EXPECT_FALSE(link->isHidden());
    EXPECT_FALSE(empty.findChild<QLabel *>(QStringLiteral("clientIdHint-microsoft"))->isHidden());

    // On a dark palette (set after the text) the link is drawn in the palette's link colour.
    empty.resize(780, 600);
    empty.show();
    QPalette dark = empty.palette();
    dark.setColor(QPalette::Window, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::WindowText, QColor(0xEE, 0xEE, 0xEE));
    dark.setColor(QPalette::Link, QColor(0x64, 0xB5, 0xF6));
    empty.setPalette(dark);
    const QImage image = link->grab().toImage();
    double best = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            best = std::max(best, Avatar::contrastRatio(QColor(image.pixel(x, y)), QColor(0x35, 0x35, 0x35)));
    }
    EXPECT_GE(best, 4.5) << "the link is unreadable on the dark palette";
}

// Details ---------------------------------------------------------------------------------

// The list's tooltip names the health clock too: when a new sign-in is expected, and why.
TEST(AccountModel, TooltipGivesTheHealthClock)
{
    ManualClock clock(QDateTime(QDate(2026, 12, 7), QTime(12, 0), QTimeZone::utc()));
    AccountModel model;
    model.setClock(&clock);
    Account a = account(1, QStringLiteral("alice@example.com"), QStringLiteral("Alice"));
    a.createdAt = clock.now().addDays(-30);
    a.lastRefreshAt = clock.now().addDays(-1);
    Account g = account(2, QStringLiteral("gail@example.com"), QStringLiteral("Gail"));
    g.provider = QStringLiteral("google");
    g.createdAt = clock.now().addDays(-2);
    model.setAccounts({a, g});
    const QString tipA = model.index(0).data(Qt::ToolTipRole).toString();
    EXPECT_TRUE(tipA.contains(QStringLiteral("unused for 90 days"))) << tipA.toStdString();
    model.setGoogleTestingStatus(true);
    const QString tipG = model.index(1).data(Qt::ToolTipRole).toString();
    EXPECT_TRUE(tipG.contains(QStringLiteral("Testing status"))) << tipG.toStdString();
}

// The health clock's row: the date, why under it and as the tooltip; Google's Testing status
// (the person's setting) changes the rule; a custom provider is unknown.
TEST(AccountDetails, SignInNeededByShowsTheDateAndWhy)
{
    ManualClock clock(QDateTime(QDate(2026, 12, 7), QTime(12, 0), QTimeZone::utc()));
    AccountDetails details;
    details.setClock(&clock);
    details.resize(700, 600);
    details.show();
    auto *row = details.findChild<QLabel *>(QStringLiteral("detailsSignInNeededBy"));
    ASSERT_TRUE(row);

    Account a = account(7, QStringLiteral("alice@example.com"), QStringLiteral("Alice Example"));
    a.createdAt = clock.now().addDays(-100);
    a.lastRefreshAt = clock.now().addDays(-10);
    details.showAccount(a, QStringLiteral("Microsoft"), {});
    const QString due = QLocale().toString(clock.now().addDays(80).toLocalTime(), QLocale::ShortFormat);
    EXPECT_TRUE(row->text().startsWith(due)) << row->text().toStdString();
    EXPECT_TRUE(row->text().contains(QStringLiteral("unused for 90 days"))) << row->text().toStdString();
    EXPECT_TRUE(row->toolTip().contains(QStringLiteral("if MailKey does not run before")))
        << row->toolTip().toStdString();
    waitFor([] { return false; }, 100); // the layout takes the second line
    if (qEnvironmentVariableIsSet("MAILKEY_UI_DUMP_DIR"))
        details.grab().save(qEnvironmentVariable("MAILKEY_UI_DUMP_DIR") + QStringLiteral("/details-health.png"));

    Account g = account(8, QStringLiteral("gail@example.com"), QStringLiteral("Gail"));
    g.provider = QStringLiteral("google");
    g.createdAt = clock.now().addDays(-2);
    details.setGoogleTestingStatus(true);
    details.showAccount(g, QStringLiteral("Google"), {});
    EXPECT_TRUE(row->text().contains(QStringLiteral("Testing status after 7 days"))) << row->text().toStdString();
    details.setGoogleTestingStatus(false);
    EXPECT_TRUE(row->text().contains(QStringLiteral("unused for 6 months"))) << row->text().toStdString();

    Account c = account(9, QStringLiteral("carl@example.com"), QStringLiteral("Carl"));
    c.provider = QStringLiteral("fastmail");
    c.createdAt = clock.now();
    details.showAccount(c, QStringLiteral("Fastmail"), {});
    EXPECT_TRUE(row->text().startsWith(QStringLiteral("Unknown"))) << row->text().toStdString();

    details.clearAccount();
    EXPECT_TRUE(row->text().isEmpty());
    EXPECT_TRUE(row->toolTip().isEmpty());
}

TEST(AccountDetails, AccessibleNamesRolesRelationsAndTabOrder)
{
    AccountDetails details;
    details.resize(700, 600);
    details.show();
    Account a = account(7, QStringLiteral("alice@example.com"), QStringLiteral("Alice Example"));
    a.tenant = QStringLiteral("contoso");
    details.showAccount(a, QStringLiteral("Microsoft"), {});

    // The header's name and address: static text, named by their text.
    for (const auto &[object, text] :
         {std::pair{"detailsName", "Alice Example"}, std::pair{"detailsEmail", "alice@example.com"}}) {
        auto *label = details.findChild<ElidedLabel *>(QString::fromLatin1(object));
        ASSERT_TRUE(label) << object;
        QAccessibleInterface *iface = accessible(label);
        ASSERT_TRUE(iface) << object;
        EXPECT_EQ(iface->role(), QAccessible::StaticText) << object;
        EXPECT_EQ(iface->text(QAccessible::Name), QString::fromLatin1(text)) << object;
    }

    // Each detail value is labelled by its name, which comes first in the tree.
    for (const char *value : {"detailsProvider", "detailsTenant", "detailsScopes", "detailsExpiry",
                              "detailsLastRefresh", "detailsNextRefresh", "detailsSince", "detailsSignInNeededBy"}) {
        auto *v = details.findChild<QLabel *>(QString::fromLatin1(value));
        auto *n = details.findChild<QLabel *>(QString::fromLatin1(value) + QStringLiteral("Label"));
        ASSERT_TRUE(v && n) << value;
        QAccessibleInterface *vi = accessible(v);
        QAccessibleInterface *ni = accessible(n);
        ASSERT_TRUE(vi && ni) << value;
        const auto labels = vi->relations(QAccessible::Label);
        const bool labelled = std::any_of(labels.begin(), labels.end(), [ni](const auto &r) { return r.first == ni; });
        EXPECT_TRUE(labelled) << value << " is not labelled by its name";
        QAccessibleInterface *parent = vi->parent();
        ASSERT_TRUE(parent);
        EXPECT_EQ(ni->parent()->object(), parent->object());
        EXPECT_LT(parent->indexOfChild(ni), parent->indexOfChild(vi)) << value << " comes before its label";
    }

    // Tab order follows the drawing order of the action row.
    QList<QPushButton *> row;
    for (const char *name : {"refreshNowButton", "reconnectButton", "removeButton", "copyAddressButton"})
        row << details.findChild<QPushButton *>(QString::fromLatin1(name));
    ASSERT_EQ(row.size(), 4);
    for (int i = 1; i < row.size(); ++i)
        EXPECT_LT(row[i - 1]->mapTo(&details, QPoint()).x(), row[i]->mapTo(&details, QPoint()).x()) << "drawing order";
    QList<QPushButton *> chain;
    QWidget *w = &details; // from the top of the details, as Tab goes
    for (int guard = 0; guard < 200 && chain.size() < 4; ++guard, w = w->nextInFocusChain()) {
        if (auto *b = qobject_cast<QPushButton *>(w); b && row.contains(b) && !chain.contains(b))
            chain << b;
    }
    EXPECT_EQ(chain, row);
}

TEST(AccountDetails, ShowsFactsFoldersAndActivityAsPlainText)
{
    ManualClock clock(QDateTime::fromString(QStringLiteral("2025-03-01T12:00:00Z"), Qt::ISODate));
    AccountDetails details;
    details.setClock(&clock);
    details.resize(600, 500);
    details.show();
    EXPECT_FALSE(details.isEnabled()); // nothing selected

    Account a = account(7, QStringLiteral("alice@example.com"), Hostile);
    a.tenant = QStringLiteral("contoso.onmicrosoft.com");
    a.createdAt = clock.now().addDays(-3);
    a.nextRefreshAt = clock.now().addSecs(42 * 60);
    TokenSummary t;
    t.resource = QStringLiteral("default");
    t.expiresAt = clock.now().addSecs(3600);
    t.scopes = {QStringLiteral("openid"), QStringLiteral("Mail.ReadWrite")};
    details.showAccount(a, QStringLiteral("Outlook / Microsoft 365"), {t});
    EXPECT_TRUE(details.isEnabled());
    EXPECT_EQ(details.accountId(), 7);
    expectAllLabelsPlain(&details);
    auto *name = details.findChild<ElidedLabel *>(QStringLiteral("detailsName"));
    ASSERT_TRUE(name);
    EXPECT_EQ(name->text(), Hostile);
    EXPECT_TRUE(details.findChild<QLabel *>(QStringLiteral("detailsScopes"))
                    ->text()
                    .contains(QStringLiteral("Mail.ReadWrite")));
    EXPECT_TRUE(
        details.findChild<QLabel *>(QStringLiteral("detailsExpiry"))->text().contains(QStringLiteral("in 1 h")));
    EXPECT_TRUE(
        details.findChild<QLabel *>(QStringLiteral("detailsTenant"))->text().contains(QStringLiteral("contoso")));
    EXPECT_TRUE(
        details.findChild<QLabel *>(QStringLiteral("detailsStatus"))->text().contains(QStringLiteral("42 min")));

    // Folders: progress, then the list; names literal.
    details.setFoldersLoading();
    auto *progress = details.findChild<QProgressBar *>(QStringLiteral("folderProgress"));
    ASSERT_TRUE(progress);
    EXPECT_TRUE(progress->isVisible());
    const QSize before = details.sizeHint();
    details.setFolders({{QStringLiteral("<i>Inbox</i>"), 3, 10},
                        {QString(10000, QLatin1Char('F')), 0, 1},
                        {QStringLiteral("\u202Etxt.exe"), 0, 0}});
    EXPECT_FALSE(progress->isVisible());
    QTreeWidget *folders = details.folderList();
    ASSERT_EQ(folders->topLevelItemCount(), 3);
    EXPECT_EQ(folders->topLevelItem(0)->text(0), QStringLiteral("<i>Inbox</i>"));
    EXPECT_EQ(folders->topLevelItem(0)->text(1), QStringLiteral("3"));
    EXPECT_LE(folders->topLevelItem(1)->text(0).size(), 129);
    EXPECT_EQ(folders->topLevelItem(2)->text(0), QStringLiteral("txt.exe"));
    EXPECT_EQ(details.sizeHint().width(), before.width());

    details.setFoldersError(QStringLiteral("This provider has no mail API."));
    auto *err = details.findChild<QLabel *>(QStringLiteral("folderError"));
    ASSERT_TRUE(err);
    EXPECT_TRUE(err->isVisible());
    EXPECT_EQ(err->text(), QStringLiteral("This provider has no mail API."));

    AuditEntry newer;
    newer.at = clock.now();
    newer.action = QStringLiteral("token.refreshed");
    newer.outcome = QStringLiteral("ok");
    AuditEntry older;
    older.at = clock.now().addSecs(-3600);
    older.action = QStringLiteral("account.added");
    older.outcome = QStringLiteral("ok");
    older.detail = Hostile;
    details.setActivity({newer, older});
    ASSERT_EQ(details.activityList()->topLevelItemCount(), 2);
    EXPECT_EQ(details.activityList()->topLevelItem(0)->text(1), QStringLiteral("Token refreshed"));
    EXPECT_EQ(details.activityList()->topLevelItem(1)->text(3), Hostile);

    QSignalSpy reconnect(&details, &AccountDetails::reconnectRequested);
    auto *button = details.findChild<QPushButton *>(QStringLiteral("reconnectButton"));
    button->click();
    ASSERT_EQ(reconnect.count(), 1);
    EXPECT_EQ(reconnect.at(0).at(0).toLongLong(), 7);
    details.setBusy(QStringLiteral("Removing…"));
    EXPECT_FALSE(button->isEnabled());
    EXPECT_FALSE(details.findChild<QPushButton *>(QStringLiteral("removeButton"))->isEnabled());
    details.clearBusy();
    EXPECT_TRUE(button->isEnabled());
}

// Connect panel ---------------------------------------------------------------------------

TEST(ConnectPanel, ShowsUrlCopiesAndCancels)
{
    ConnectPanel panel;
    panel.start(QStringLiteral("Connecting to Gmail"));
    EXPECT_FALSE(panel.isHidden());
    EXPECT_FALSE(panel.copyButton()->isEnabled());
    const QUrl url(QStringLiteral("https://accounts.example.com/authorize?client_id=x&state=abc"));
    panel.setUrl(url);
    EXPECT_TRUE(panel.copyButton()->isEnabled());
    EXPECT_EQ(panel.findChild<QLineEdit *>(QStringLiteral("signInUrl"))->text(), url.toString(QUrl::FullyEncoded));
    panel.copyButton()->click();
    EXPECT_EQ(QGuiApplication::clipboard()->text(), url.toString(QUrl::FullyEncoded));
    QSignalSpy open(&panel, &ConnectPanel::openAgainRequested);
    panel.openButton()->click();
    ASSERT_EQ(open.count(), 1);
    EXPECT_EQ(open.at(0).at(0).toUrl(), url);
    QSignalSpy cancel(&panel, &ConnectPanel::cancelRequested);
    panel.cancelButton()->click();
    EXPECT_EQ(cancel.count(), 1);
    panel.finish();
    EXPECT_TRUE(panel.isHidden());
    EXPECT_FALSE(panel.url().isValid());
    expectAllLabelsPlain(&panel);
}

TEST(QrCode, AQrReaderReadsBackWhatWasEncoded)
{
    const QList<QByteArray> inputs{
        "https://microsoft.com/devicelogin",
        "https://login.example.com/device?user_code=BCDF-GHJK",
        // Long enough for a larger version, with every URL-safe character class.
        "https://id.example.org/realms/mail/device?user_code=WXYZ-BCDF&client_id=mailkey-desktop"
        "&ui_locales=de-CH%20fr&x=~_.-!*'()0123456789abcdefghijklmnopqrstuvwxyz",
    };
    for (const QByteArray &data : inputs) {
        for (int px : {1, 3, 4}) {
            const QImage image = qrCodeImage(data, px);
            ASSERT_FALSE(image.isNull()) << data.constData();
            const int modules = qrCodeModules(data);
            EXPECT_GE(modules, 21); // version 1 is 21 x 21
            EXPECT_EQ((modules - 21) % 4, 0) << "a QR code grows 4 modules per version";
            EXPECT_EQ(image.width(), (modules + 8) * px) << "4 modules of quiet zone on each side";
            // The quiet zone is white and the finder pattern's corner is dark.
            EXPECT_EQ(qGray(image.pixel(0, 0)), 255);
            EXPECT_EQ(qGray(image.pixel(4 * px, 4 * px)), 0);
            if (px == 1)
                continue; // one pixel per module is below what zbar reliably reads; shape checked above
            EXPECT_EQ(decodeQr(image), QString::fromLatin1(data)) << "at " << px << " px per module";
        }
    }
    EXPECT_TRUE(qrCodeImage(QByteArray(), 4).isNull());
    EXPECT_TRUE(qrCodeImage(QByteArray(3000, 'a'), 4).isNull()) << "more than a QR code holds";
    EXPECT_EQ(qrCodeModules(QByteArray(3000, 'a')), 0);
}

TEST(ConnectPanel, DeviceFormShowsTheCodeTheAddressAndAQrCodeAPhoneCanRead)
{
    ConnectPanel panel;
    panel.resize(720, 260);
    panel.start(QStringLiteral("Connecting to Fake IdP on another device"), ConnectPanel::Mode::Device);
    EXPECT_EQ(panel.mode(), ConnectPanel::Mode::Device);
    EXPECT_FALSE(panel.isHidden());
    EXPECT_FALSE(panel.copyCodeButton()->isEnabled()) << "nothing to copy before the provider answered";
    EXPECT_TRUE(panel.qrLabel()->isHidden());
    EXPECT_EQ(panel.cancelButton()->objectName(), QStringLiteral("cancelDeviceSignInButton"));

    DeviceCodePrompt prompt;
    prompt.userCode = QStringLiteral("BCDF-GHJK");
    prompt.verificationUri = QUrl(QStringLiteral("https://login.example.com/device"));
    prompt.verificationUriComplete = QUrl(QStringLiteral("https://login.example.com/device?user_code=BCDF-GHJK"));
    prompt.expiresAt = QDateTime::currentDateTimeUtc().addSecs(900);
    prompt.intervalSeconds = 5;
    panel.setDeviceCode(prompt);
    panel.show();

    EXPECT_EQ(panel.userCode(), QStringLiteral("BCDF-GHJK"));
    EXPECT_EQ(panel.findChild<QLabel *>(QStringLiteral("userCodeLabel"))->text(), QStringLiteral("BCDF-GHJK"));
    EXPECT_EQ(panel.findChild<QLabel *>(QStringLiteral("verificationAddress"))->text(),
              QStringLiteral("https://login.example.com/device"));
    const QString until = QLocale().toString(prompt.expiresAt.toLocalTime().time(), QLocale::ShortFormat);
    EXPECT_TRUE(panel.findChild<QLabel *>(QStringLiteral("deviceExpiryLabel"))->text().contains(until));
    ASSERT_TRUE(panel.copyCodeButton()->isEnabled());
    QSignalSpy copied(&panel, &ConnectPanel::codeCopied);
    panel.copyCodeButton()->click();
    EXPECT_EQ(QGuiApplication::clipboard()->text(), QStringLiteral("BCDF-GHJK"));
    EXPECT_EQ(copied.count(), 1);

    // The QR code holds the address with the code in it, and a real reader reads exactly that.
    EXPECT_FALSE(panel.qrLabel()->isHidden());
    EXPECT_EQ(panel.qrUrl(), prompt.verificationUriComplete);
    const QImage shown = panel.qrLabel()->pixmap().toImage();
    ASSERT_FALSE(shown.isNull());
    EXPECT_EQ(decodeQr(shown), prompt.verificationUriComplete.toString());

    // Without verification_uri_complete it holds the address alone (the code is typed in).
    prompt.verificationUriComplete = QUrl();
    panel.setDeviceCode(prompt);
    EXPECT_EQ(decodeQr(panel.qrLabel()->pixmap().toImage()), QStringLiteral("https://login.example.com/device"));

    // Markup from the provider is shown as text, never rendered.
    prompt.userCode = QStringLiteral("<b>X</b>");
    panel.setDeviceCode(prompt);
    EXPECT_EQ(panel.findChild<QLabel *>(QStringLiteral("userCodeLabel"))->text(), QStringLiteral("<b>X</b>"));
    expectAllLabelsPlain(&panel);

    QSignalSpy cancel(&panel, &ConnectPanel::cancelRequested);
    panel.cancelButton()->click();
    EXPECT_EQ(cancel.count(), 1);
    panel.finish();
    EXPECT_TRUE(panel.isHidden());
    EXPECT_TRUE(panel.userCode().isEmpty());

    // The next browser sign-in shows the browser form again.
    panel.start(QStringLiteral("Connecting to Fake IdP"));
    EXPECT_EQ(panel.cancelButton()->objectName(), QStringLiteral("cancelSignInButton"));
    EXPECT_TRUE(panel.findChild<QWidget *>(QStringLiteral("browserSignInPage"))->isVisible());
}

// Settings ----------------------------------------------------------------------------------

TEST(AppSettings, RoundTripsProviderSettingsAndGeometry)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    {
        AppSettings s(path);
        s.setProviderValue(QStringLiteral("microsoft"), QStringLiteral("client_id"), QStringLiteral(" abc "));
        s.setProviderValue(QStringLiteral("microsoft"), QStringLiteral("tenant"), QStringLiteral("organizations"));
        s.setCustomProvidersFile(QStringLiteral("/tmp/p.json"));
        s.setWindowGeometry(QByteArray("geo"));
        s.sync();
    }
    AppSettings s(path);
    const auto map = s.providerSettings();
    EXPECT_EQ(map.value(QStringLiteral("provider/microsoft/client_id")), QStringLiteral("abc"));
    EXPECT_EQ(map.value(QStringLiteral("provider/microsoft/tenant")), QStringLiteral("organizations"));
    EXPECT_EQ(s.customProvidersFile(), QStringLiteral("/tmp/p.json"));
    EXPECT_EQ(s.windowGeometry(), QByteArray("geo"));
    s.setProviderValue(QStringLiteral("microsoft"), QStringLiteral("client_id"), QString());
    EXPECT_FALSE(s.providerSettings().contains(QStringLiteral("provider/microsoft/client_id")));
    EXPECT_EQ(QFile::permissions(path) & (QFileDevice::ReadOther | QFileDevice::ReadGroup), QFileDevice::Permissions());

    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    s.setCustomProvidersFile(QString());
    s.setProviderValue(QStringLiteral("google"), QStringLiteral("client_id"), QStringLiteral("gid"));
    qputenv("MAILKEY_CONFIG_DIR", dir.path().toUtf8()); // the default providers.json: absent
    EXPECT_TRUE(s.applyTo(&registry).ok());
    qunsetenv("MAILKEY_CONFIG_DIR");
    EXPECT_EQ(registry.provider(QStringLiteral("google")).clientId, QStringLiteral("gid"));
}

TEST(SettingsDialog, ValidatesInlineAndSaves)
{
    EXPECT_TRUE(SettingsDialog::tenantProblem(QStringLiteral("organizations")).isEmpty());
    EXPECT_TRUE(SettingsDialog::tenantProblem(QStringLiteral("contoso.onmicrosoft.com")).isEmpty());
    EXPECT_FALSE(SettingsDialog::tenantProblem(QStringLiteral("common/../x?y")).isEmpty());
    EXPECT_TRUE(SettingsDialog::authorityHostProblem(QStringLiteral("login.microsoftonline.us")).isEmpty());
    EXPECT_FALSE(SettingsDialog::authorityHostProblem(QStringLiteral("https://login.microsoftonline.com/")).isEmpty());
    EXPECT_FALSE(SettingsDialog::clientIdProblem(QStringLiteral("abc def")).isEmpty());
    EXPECT_TRUE(SettingsDialog::clientIdProblem(QStringLiteral("00000000-0000-0000-0000-000000000000")).isEmpty());

    QTemporaryDir dir;
    qputenv("MAILKEY_CONFIG_DIR", dir.path().toUtf8());
    const QString json = dir.filePath(QStringLiteral("custom.json"));
    {
        QFile f(json);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(R"({"providers":[{"id":"good","name":"Good","issuer":"https://id.example.com",
                   "authorization_endpoint":"https://id.example.com/a","token_endpoint":"https://id.example.com/t"},
                  {"id":"bad","issuer":"https://bad.example.com","token_endpoint":"http://bad.example.com/t",
                   "authorization_endpoint":"https://bad.example.com/a"}]})");
    }
    AppSettings settings(dir.filePath(QStringLiteral("settings.ini")));
    SettingsDialog dialog(&settings, QProcessEnvironment());
    expectAllLabelsPlain(&dialog);
    EXPECT_FALSE(dialog.hasProblems());

    dialog.field(QStringLiteral("microsoftTenant"))->setText(QStringLiteral("not a tenant/"));
    EXPECT_TRUE(dialog.hasProblems());
    EXPECT_FALSE(dialog.problemLabel(QStringLiteral("microsoftTenant"))->isHidden());
    EXPECT_TRUE(
        dialog.problemLabel(QStringLiteral("microsoftTenant"))->text().contains(QStringLiteral("organizations")));
    dialog.field(QStringLiteral("microsoftTenant"))->setText(QStringLiteral("Organizations"));
    EXPECT_FALSE(dialog.hasProblems());
    EXPECT_TRUE(dialog.problemLabel(QStringLiteral("microsoftTenant"))->isHidden());

    // A providers file with one bad provider: its problem is shown, the good one gets a client id field.
    dialog.field(QStringLiteral("providersFile"))->setText(json);
    Q_EMIT dialog.field(QStringLiteral("providersFile"))->editingFinished();
    QLabel *fileProblem = dialog.problemLabel(QStringLiteral("providersFile"));
    EXPECT_FALSE(fileProblem->isHidden());
    EXPECT_TRUE(fileProblem->text().contains(QStringLiteral("bad")));
    ASSERT_TRUE(dialog.field(QStringLiteral("customClientId-good")));
    dialog.field(QStringLiteral("customClientId-good"))->setText(QStringLiteral("good-client"));
    EXPECT_FALSE(dialog.hasProblems()); // per-provider problems do not block saving

    // A missing file blocks saving.
    dialog.field(QStringLiteral("providersFile"))->setText(dir.filePath(QStringLiteral("missing.json")));
    EXPECT_TRUE(dialog.hasProblems());
    dialog.field(QStringLiteral("providersFile"))->setText(json);

    dialog.field(QStringLiteral("microsoftClientId"))->setText(QStringLiteral("ms-client"));
    dialog.field(QStringLiteral("googleClientId"))->setText(QStringLiteral("g-client"));
    dialog.field(QStringLiteral("googleClientSecret"))->setText(QStringLiteral("g-secret-value"));
    EXPECT_EQ(dialog.field(QStringLiteral("googleClientSecret"))->echoMode(), QLineEdit::PasswordEchoOnEdit);
    dialog.accept();
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
    EXPECT_EQ(settings.providerValue(QStringLiteral("microsoft"), QStringLiteral("client_id")),
              QStringLiteral("ms-client"));
    EXPECT_EQ(settings.providerValue(QStringLiteral("microsoft"), QStringLiteral("tenant")),
              QStringLiteral("organizations"));
    EXPECT_EQ(settings.providerValue(QStringLiteral("good"), QStringLiteral("client_id")),
              QStringLiteral("good-client"));
    EXPECT_EQ(settings.customProvidersFile(), json);
    EXPECT_TRUE(settings.providerValue(QStringLiteral("google"), QStringLiteral("client_secret"))
                == QStringLiteral("g-secret-value"));
    mailkey::test::expectNotLogged({QByteArray("g-secret-value")});
    qunsetenv("MAILKEY_CONFIG_DIR");
}

// What the administrator set: shown at the top, its fields read-only with the policy's value and
// not saved into the person's settings; custom providers turned off; a malformed entry reported
// next to the rest.
TEST(SettingsDialog, ShowsWhatTheAdministratorSetAndDoesNotSaveIt)
{
    QTemporaryDir dir;
    qputenv("MAILKEY_CONFIG_DIR", dir.path().toUtf8());
    AppSettings settings(dir.filePath(QStringLiteral("settings.ini")));
    settings.setProviderValue(QStringLiteral("microsoft"), QStringLiteral("client_id"), QStringLiteral("mine"));
    settings.setPolicy(mailkey::ManagedPolicy::fromJson(
        R"({"providers": {"microsoft": {"client_id": "11111111-2222-3333-4444-555555555555",
                                        "tenant": "contoso.onmicrosoft.com"}},
            "allowed_providers": ["microsoft"],
            "disabled_features": ["custom_providers", "mail_check"],
            "colour": "blue"})",
        QStringLiteral("/etc/xdg/MailKey/policy.json")));
    SettingsDialog dialog(&settings, QProcessEnvironment());
    expectAllLabelsPlain(&dialog);

    auto *box = dialog.findChild<QWidget *>(QStringLiteral("policyBox"));
    ASSERT_TRUE(box);
    auto *what = dialog.findChild<QLabel *>(QStringLiteral("policySettings"));
    ASSERT_TRUE(what);
    EXPECT_TRUE(what->text().contains(QStringLiteral("/etc/xdg/MailKey/policy.json"))) << what->text().toStdString();
    EXPECT_TRUE(what->text().contains(QStringLiteral("tenant contoso.onmicrosoft.com")));
    EXPECT_TRUE(what->text().contains(QStringLiteral("only these providers may be connected: microsoft")));
    EXPECT_TRUE(what->text().contains(QStringLiteral("mail connection test is turned off")));
    auto *problems = dialog.findChild<QLabel *>(QStringLiteral("policyProblems"));
    ASSERT_TRUE(problems);
    EXPECT_TRUE(problems->text().contains(QStringLiteral("\"colour\": unknown setting")));

    QLineEdit *id = dialog.field(QStringLiteral("microsoftClientId"));
    EXPECT_TRUE(id->isReadOnly());
    EXPECT_EQ(id->text(), QStringLiteral("11111111-2222-3333-4444-555555555555"));
    EXPECT_TRUE(dialog.isLocked(QStringLiteral("microsoftClientId")));
    EXPECT_TRUE(dialog.field(QStringLiteral("microsoftTenant"))->isReadOnly());
    EXPECT_FALSE(dialog.field(QStringLiteral("googleClientId"))->isReadOnly());
    EXPECT_FALSE(dialog.field(QStringLiteral("providersFile"))->isEnabled()); // custom providers are off

    dialog.field(QStringLiteral("googleClientId"))->setText(QStringLiteral("g-mine"));
    dialog.accept();
    EXPECT_EQ(dialog.result(), QDialog::Accepted);
    // The person's own value stays theirs; the policy's is not copied in.
    EXPECT_EQ(settings.providerValue(QStringLiteral("microsoft"), QStringLiteral("client_id")), QStringLiteral("mine"));
    EXPECT_TRUE(settings.providerValue(QStringLiteral("microsoft"), QStringLiteral("tenant")).isEmpty());
    EXPECT_EQ(settings.providerValue(QStringLiteral("google"), QStringLiteral("client_id")), QStringLiteral("g-mine"));

    // And the registry the window uses follows the policy, not the person's value.
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    ASSERT_TRUE(settings.applyTo(&registry).ok());
    EXPECT_EQ(registry.provider(QStringLiteral("microsoft")).clientId,
              QStringLiteral("11111111-2222-3333-4444-555555555555"));
    EXPECT_FALSE(registry.providerForSignIn(QStringLiteral("google")).ok());
    qunsetenv("MAILKEY_CONFIG_DIR");
}

// Single instance --------------------------------------------------------------------------

TEST(SingleInstance, SecondLaunchRaisesTheFirst)
{
    const QString name = mailkey::test::uniqueName(QStringLiteral("mailkey-test-gui-"));
    SingleInstance first(name);
    QSignalSpy firstPrimary(&first, &SingleInstance::primary);
    QSignalSpy activation(&first, &SingleInstance::activationRequested);
    first.start();
    ASSERT_TRUE(waitFor([&] { return firstPrimary.count() == 1; }, 5000));
    EXPECT_TRUE(first.isPrimary());

    SingleInstance second(name);
    QSignalSpy secondPrimary(&second, &SingleInstance::primary);
    QSignalSpy running(&second, &SingleInstance::alreadyRunning);
    second.start();
    ASSERT_TRUE(waitFor([&] { return running.count() == 1 && activation.count() == 1; }, 5000));
    EXPECT_EQ(secondPrimary.count(), 0);
    EXPECT_FALSE(second.isPrimary());
    EXPECT_EQ(SingleInstance::socketNameFor(QStringLiteral("mailkey-abc")), QStringLiteral("mailkey-abc-gui"));
}

TEST(SingleInstance, StaleSocketIsTakenOver)
{
    // What a crashed instance leaves behind: a socket file nobody listens on.
    const QString name = mailkey::test::uniqueName(QStringLiteral("mailkey-test-gui-"));
    const QByteArray path = QFile::encodeName(QDir::tempPath() + QLatin1Char('/') + name);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    ASSERT_LT(size_t(path.size()), sizeof(addr.sun_path));
    memcpy(addr.sun_path, path.constData(), size_t(path.size()));
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
    ::close(fd);
    ASSERT_TRUE(QFile::exists(QString::fromLocal8Bit(path)));

    SingleInstance next(name);
    QSignalSpy p(&next, &SingleInstance::primary);
    QSignalSpy running(&next, &SingleInstance::alreadyRunning);
    next.start();
    ASSERT_TRUE(waitFor([&] { return p.count() == 1; }, 5000));
    EXPECT_EQ(running.count(), 0);

    // And it answers the next launch.
    SingleInstance again(name);
    QSignalSpy againRunning(&again, &SingleInstance::alreadyRunning);
    again.start();
    EXPECT_TRUE(waitFor([&] { return againRunning.count() == 1; }, 5000));
}
