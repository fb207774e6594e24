#pragma once

#include <QColor>
#include <QList>
#include <QString>

class QPainter;
class QRectF;

namespace mailkey {

// The round picture in front of each mailbox: initials on a colour derived from the address.
// The colours all have at least 4.5:1 contrast with white text (WCAG AA) in light and dark themes.
class Avatar {
public:
    // Up to two letters: first letters of the first and last word of the name, else of the
    // address's local part; "?" when there is nothing usable.
    static QString initials(const QString &displayName, const QString &email);
    // Stable across runs and machines (not qHash, which is seeded per process).
    static QColor color(const QString &email);
    static const QList<QColor> &colors();
    // Colour of a provider badge (Microsoft blue, Gmail red, custom: derived from the id).
    static QColor providerColor(const QString &providerId);

    static void paint(QPainter *painter, const QRectF &rect, const QString &initials, const QColor &color);

    static double contrastRatio(const QColor &a, const QColor &b);
};

} // namespace mailkey
