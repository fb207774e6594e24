#include "ui/AccountDelegate.h"

#include "core/vault/VaultTypes.h"
#include "ui/AccountModel.h"
#include "ui/Avatar.h"
#include "ui/SafeText.h"

#include <QApplication>
#include <QPainter>
#include <QStyle>

namespace mailkey {

namespace {

int padding(const QFontMetrics &fm)
{
    return qMax(5, fm.height() * 4 / 10);
}
int lineGap(const QFontMetrics &fm)
{
    return qMax(1, fm.height() / 8);
}

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

QFont smallerFont(const QFont &base)
{
    QFont f = base;
    if (f.pointSizeF() > 0)
        f.setPointSizeF(f.pointSizeF() * 0.85);
    else if (f.pixelSize() > 0)
        f.setPixelSize(qMax(6, f.pixelSize() * 85 / 100));
    return f;
}

QRect mirrored(const QRect &r, const QRect &outer, bool rtl)
{
    return rtl ? QStyle::visualRect(Qt::RightToLeft, outer, r) : r;
}

} // namespace

AccountDelegate::AccountDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

int AccountDelegate::rowHeight(const QFontMetrics &fm)
{
    return 2 * padding(fm) + 3 * fm.height() + 2 * lineGap(fm);
}

AccountDelegate::Layout AccountDelegate::layoutFor(const QRect &rect, const QFontMetrics &fm, int badgeWidth, bool rtl)
{
    Layout l;
    const int pad = padding(fm);
    const int gap = lineGap(fm);
    const int line = fm.height();
    const int avatarSize = qMin(rect.height() - 2 * pad, line * 5 / 2);
    const QRect inner = rect.adjusted(pad, pad, -pad, -pad);
    l.avatar = QRect(inner.left(), rect.top() + (rect.height() - avatarSize) / 2, avatarSize, avatarSize);
    const int textLeft = l.avatar.right() + 1 + pad;
    const int textWidth = qMax(0, inner.right() + 1 - textLeft);
    const int bw = qMin(badgeWidth, maxBadgeWidth(fm, textWidth));
    l.badge = QRect(inner.right() + 1 - bw, inner.top(), bw, line);
    l.name = QRect(textLeft, inner.top(), qMax(0, textWidth - bw - (bw > 0 ? pad / 2 : 0)), line);
    l.email = QRect(textLeft, inner.top() + line + gap, textWidth, line);
    const int dot = qMax(4, line / 2);
    l.statusDot = QRect(textLeft, inner.top() + 2 * (line + gap) + (line - dot) / 2, dot, dot);
    l.status
        = QRect(textLeft + dot + pad / 2, inner.top() + 2 * (line + gap), qMax(0, textWidth - dot - pad / 2), line);
    if (rtl) {
        l.avatar = mirrored(l.avatar, rect, true);
        l.badge = mirrored(l.badge, rect, true);
        l.name = mirrored(l.name, rect, true);
        l.email = mirrored(l.email, rect, true);
        l.statusDot = mirrored(l.statusDot, rect, true);
        l.status = mirrored(l.status, rect, true);
    }
    return l;
}

int AccountDelegate::maxBadgeWidth(const QFontMetrics &fm, int textWidth)
{
    // About 16 characters ("Outlook / Microsoft 365" elides), and never more than a third of the line.
    return qMin(fm.averageCharWidth() * 16, textWidth / 3);
}

QString AccountDelegate::elidedName(const QString &displayName, const QString &email, const QFontMetrics &fm, int width)
{
    if (SafeText::clean(displayName).isEmpty())
        return elidedEmail(email, fm, width);
    return SafeText::elided(displayName, fm, width);
}

QString AccountDelegate::elidedEmail(const QString &email, const QFontMetrics &fm, int width)
{
    return SafeText::elidedAddress(email, fm, width);
}

QColor AccountDelegate::severityColor(int severity, int status, const QPalette &palette)
{
    switch (AccountModel::Severity(severity)) {
    case AccountModel::Severity::Fine:
        return statusColor(status, palette);
    case AccountModel::Severity::Quiet:
        return statusColor(int(AccountStatus::Offline), palette);
    case AccountModel::Severity::Warning:
        return statusColor(int(AccountStatus::NeedsSignIn), palette);
    case AccountModel::Severity::Problem:
        return statusColor(int(AccountStatus::Error), palette);
    }
    return statusColor(status, palette);
}

QColor AccountDelegate::statusColor(int status, const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    switch (AccountStatus(status)) {
    case AccountStatus::Connected:
        return dark ? QColor(0x66, 0xBB, 0x6A) : QColor(0x2E, 0x7D, 0x32);
    case AccountStatus::Refreshing:
        return dark ? QColor(0x64, 0xB5, 0xF6) : QColor(0x15, 0x65, 0xC0);
    case AccountStatus::NeedsSignIn:
        return dark ? QColor(0xFF, 0xB7, 0x4D) : QColor(0xE6, 0x51, 0x00);
    case AccountStatus::Offline:
        return dark ? QColor(0xB0, 0xBE, 0xC5) : QColor(0x75, 0x75, 0x75);
    case AccountStatus::Error:
        return dark ? QColor(0xEF, 0x53, 0x50) : QColor(0xC6, 0x28, 0x28);
    }
    return palette.color(QPalette::Text);
}

QSize AccountDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    // Independent of the row's text: a 10,000-character name is elided, never measured.
    const QFontMetrics &fm = option.fontMetrics;
    return QSize(fm.averageCharWidth() * 30, rowHeight(fm));
}

void AccountDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();

    // Background (selection, hover) from the style; no text from the base class.
    opt.text.clear();
    opt.icon = QIcon();
    opt.features &= ~QStyleOptionViewItem::HasDisplay;
    opt.features &= ~QStyleOptionViewItem::HasDecoration;
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &opt, painter, widget);

    const bool selected = opt.state & QStyle::State_Selected;
    const QPalette::ColorGroup group = !(opt.state & QStyle::State_Enabled) ? QPalette::Disabled
                                       : (opt.state & QStyle::State_Active) ? QPalette::Active
                                                                            : QPalette::Inactive;
    const QColor text = opt.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
    const QColor background = opt.palette.color(group, selected ? QPalette::Highlight : QPalette::Base);
    const QColor secondary = mix(text, background, 0.3);

    const QFont baseFont = opt.font;
    QFont bold = baseFont;
    bold.setBold(true);
    const QFont badgeFont = smallerFont(baseFont);
    const QFontMetrics fm(baseFont);
    const QFontMetrics boldFm(bold);
    const QFontMetrics badgeFm(badgeFont);

    const QString providerName = SafeText::clean(index.data(AccountModel::ProviderNameRole).toString(), 40);
    const int badgePad = qMax(4, badgeFm.height() / 2);
    const int badgeWidth = providerName.isEmpty() ? 0 : badgeFm.horizontalAdvance(providerName) + 2 * badgePad + 2;
    const bool rtl = opt.direction == Qt::RightToLeft;
    const Layout l = layoutFor(opt.rect, fm, badgeWidth, rtl);

    painter->save();
    painter->setClipRect(opt.rect);

    Avatar::paint(painter, QRectF(l.avatar), index.data(AccountModel::InitialsRole).toString(),
                  Avatar::forBackground(index.data(AccountModel::AvatarColorRole).value<QColor>(),
                                        opt.palette.color(QPalette::Base)));

    const int align = int(Qt::AlignVCenter | Qt::TextSingleLine) | int(rtl ? Qt::AlignRight : Qt::AlignLeft);

    // Name (falls back to the address), bold.
    const QString name = index.data(AccountModel::DisplayNameRole).toString();
    const QString email = index.data(AccountModel::EmailRole).toString();
    painter->setFont(bold);
    painter->setPen(text);
    painter->drawText(l.name, align, elidedName(name, email, boldFm, l.name.width()));

    // Address: its domain stays whole.
    painter->setFont(baseFont);
    painter->setPen(secondary);
    painter->drawText(l.email, align, elidedEmail(email, fm, l.email.width()));

    // Provider badge.
    if (l.badge.width() > 0) {
        const QString provider = index.data(AccountModel::ProviderRole).toString();
        const QRect pill = QRect(l.badge.left(), l.badge.top() + (l.badge.height() - badgeFm.height() - 2) / 2,
                                 l.badge.width(), badgeFm.height() + 2);
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->setPen(Qt::NoPen);
        painter->setBrush(Avatar::providerColor(provider));
        painter->drawRoundedRect(QRectF(pill), pill.height() / 2.0, pill.height() / 2.0);
        painter->setFont(badgeFont);
        painter->setPen(Qt::white);
        painter->drawText(pill.adjusted(badgePad, 0, -badgePad, 0), int(Qt::AlignCenter | Qt::TextSingleLine),
                          SafeText::elided(providerName, badgeFm, pill.width() - 2 * badgePad + 1));
    }

    // Status. Its severity gives the colour: a mailbox whose last mail login failed is a warning,
    // one that is offline but still works is quiet (grey, secondary text).
    const int status = index.data(AccountModel::StatusRole).toInt();
    const auto severity = AccountModel::Severity(index.data(AccountModel::SeverityRole).toInt());
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(Qt::NoPen);
    painter->setBrush(severityColor(int(severity), status, opt.palette));
    if (AccountStatus(status) == AccountStatus::Refreshing) {
        painter->setBrush(Qt::NoBrush);
        painter->setPen(QPen(statusColor(status, opt.palette), qMax(1.5, l.statusDot.width() / 4.0)));
        painter->drawArc(QRectF(l.statusDot), 90 * 16, 270 * 16);
    } else {
        painter->drawEllipse(QRectF(l.statusDot));
    }
    painter->setFont(baseFont);
    const bool calm = severity == AccountModel::Severity::Fine || severity == AccountModel::Severity::Quiet;
    painter->setPen(calm ? secondary : text);
    painter->drawText(l.status, align,
                      SafeText::elided(index.data(AccountModel::StatusTextRole).toString(), fm, l.status.width()));

    painter->restore();

    if (opt.state & QStyle::State_HasFocus) {
        QStyleOptionFocusRect focus;
        focus.QStyleOption::operator=(opt);
        focus.rect = opt.rect.adjusted(1, 1, -1, -1);
        focus.state |= QStyle::State_KeyboardFocusChange | QStyle::State_Item;
        focus.backgroundColor = background;
        style->drawPrimitive(QStyle::PE_FrameFocusRect, &focus, painter, widget);
    }
}

} // namespace mailkey
