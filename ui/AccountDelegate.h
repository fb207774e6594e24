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
    static Layout layoutFor(const QRect &rect, const QFontMetrics &fm, int badgeWidth, bool rightToLeft);
    static int rowHeight(const QFontMetrics &fm);
    static QColor statusColor(int status, const QPalette &palette);
};

} // namespace mailkey
