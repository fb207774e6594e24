#pragma once

#include <QColor>
#include <QList>
#include <QString>

class QPainter;
class QRectF;

namespace mailkey {

// The round picture in front of each mailbox: initials on a colour derived from the address.
// Contrast (WCAG 2.1): the initials have at least 4.5:1 against the fill (text, AA), the fill at
// least 3:1 against the background it is drawn on (a graphical object, 1.4.11), on light and on
// dark palettes: dark fills with white initials on a light background, light fills of the same hue
// with black initials on a dark one (forBackground(), initialsColor()).
class Avatar {
public:
    // Up to two letters: first letters of the first and last word of the name, else of the
    // address's local part; "?" when there is nothing usable.
    static QString initials(const QString &displayName, const QString &email);
    // Stable across runs and machines (not qHash, which is seeded per process). One of colors().
    static QColor color(const QString &email);
    static const QList<QColor> &colors();     // for light backgrounds
    static const QList<QColor> &darkColors(); // the same hues, for dark backgrounds (same order)
    // The fill to draw `fill` (one of colors()) with on `background`: its darkColors() twin when
    // the background is dark. Other colours are returned as they are.
    static QColor forBackground(const QColor &fill, const QColor &background);
    // White or black, whichever has the higher contrast with `fill`.
    static QColor initialsColor(const QColor &fill);
    // Colour of a provider badge (Microsoft blue, Gmail red, custom: derived from the id).
    static QColor providerColor(const QString &providerId);

    static void paint(QPainter *painter, const QRectF &rect, const QString &initials, const QColor &color);

    static double contrastRatio(const QColor &a, const QColor &b);
};

} // namespace mailkey
