#pragma once

#include <QStyledItemDelegate>

namespace mailkey {

// Paints one mailbox of AccountModel: avatar, display name, address, provider badge, status.
// Sizes follow the font (so high DPI and large fonts work), colours come from the palette (light
// and dark), except the avatar/badge colours, which have >= 4.5:1 contrast with their white text.
// All text is drawn as plain text, elided to the row; the row's size never depends on the text.
class AccountDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit AccountDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The parts of a row, for painting and for tests.
    struct Layout {
        QRect avatar;
        QRect name;
        QRect badge;
        QRect email;
        QRect statusDot;
        QRect status;
    };
    // `badgeWidth`: what the provider's name needs; the badge gets at most maxBadgeWidth() and
    // elides its text beyond, so the name keeps most of the line.
    static Layout layoutFor(const QRect &rect, const QFontMetrics &fm, int badgeWidth, bool rightToLeft);
    static int maxBadgeWidth(const QFontMetrics &fm, int textWidth);
    static int rowHeight(const QFontMetrics &fm);
    static QColor statusColor(int status, const QPalette &palette);
    // The dot's colour for an AccountModel::Severity (quiet: the offline grey).
    static QColor severityColor(int severity, int status, const QPalette &palette);
    // The texts as painted, elided to `width`: the address keeps its domain
    // (SafeText::elidedAddress); the name falls back to the address.
    static QString elidedName(const QString &displayName, const QString &email, const QFontMetrics &fm, int width);
    static QString elidedEmail(const QString &email, const QFontMetrics &fm, int width);
};

} // namespace mailkey
