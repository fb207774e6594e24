#include "ui/Avatar.h"

#include "ui/SafeText.h"

#include <QCryptographicHash>
#include <QFont>
#include <QPainter>
#include <QPainterPath>
#include <QRectF>

#include <cmath>

namespace mailkey {

namespace {

QString firstLetter(const QString &word)
{
    const QList<uint> ucs = word.toUcs4();
    for (const uint c : ucs) {
        if (QChar::isLetterOrNumber(char32_t(c))) {
            const char32_t cp = char32_t(c);
            return QString::fromUcs4(&cp, 1).toUpper();
        }
    }
    return QString();
}

double channel(double c)
{
    c /= 255.0;
    return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

double luminance(const QColor &c)
{
    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue());
}

quint32 stableHash(const QString &text)
{
    const QByteArray h = QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha256);
    return (quint32(quint8(h[0])) << 24) | (quint32(quint8(h[1])) << 16) | (quint32(quint8(h[2])) << 8)
           | quint32(quint8(h[3]));
}

} // namespace

QString Avatar::initials(const QString &displayName, const QString &email)
{
    const QString name = SafeText::clean(displayName, 128);
    const QStringList words = name.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    QStringList letters;
    for (const QString &w : words) {
        const QString l = firstLetter(w);
        if (!l.isEmpty())
            letters.append(l);
    }
    if (letters.size() >= 2)
        return letters.first() + letters.last();
    if (letters.size() == 1)
        return letters.first();
    const QString local = SafeText::clean(email, 128).section(QLatin1Char('@'), 0, 0);
    const QString l = firstLetter(local);
    return l.isEmpty() ? QStringLiteral("?") : l;
}

const QList<QColor> &Avatar::colors()
{
    static const QList<QColor> palette = {
        QColor(0x15, 0x65, 0xC0), // blue
        QColor(0x2E, 0x7D, 0x32), // green
        QColor(0xC6, 0x28, 0x28), // red
        QColor(0x6A, 0x1B, 0x9A), // purple
        QColor(0xAD, 0x14, 0x57), // pink
        QColor(0x00, 0x69, 0x5C), // teal
        QColor(0x4E, 0x34, 0x2E), // brown
        QColor(0x28, 0x35, 0x93), // indigo
        QColor(0xBF, 0x36, 0x0C), // deep orange
        QColor(0x37, 0x47, 0x4F), // blue grey
        QColor(0x00, 0x6A, 0x85), // cyan
        QColor(0x55, 0x6B, 0x2F), // olive
    };
    return palette;
}

const QList<QColor> &Avatar::darkColors()
{
    static const QList<QColor> palette = {
        QColor(0x64, 0xB5, 0xF6), // blue
        QColor(0x81, 0xC7, 0x84), // green
        QColor(0xE5, 0x73, 0x73), // red
        QColor(0xBA, 0x68, 0xC8), // purple
        QColor(0xF0, 0x62, 0x92), // pink
        QColor(0x4D, 0xB6, 0xAC), // teal
        QColor(0xA1, 0x88, 0x7F), // brown
        QColor(0x79, 0x86, 0xCB), // indigo
        QColor(0xFF, 0x8A, 0x65), // deep orange
        QColor(0x90, 0xA4, 0xAE), // blue grey
        QColor(0x4D, 0xD0, 0xE1), // cyan
        QColor(0xAE, 0xD5, 0x81), // olive
    };
    return palette;
}

QColor Avatar::forBackground(const QColor &fill, const QColor &background)
{
    // Dark: white text would have less contrast on it than black (luminance below ~0.18).
    if (luminance(background) >= 0.18)
        return fill;
    const qsizetype i = colors().indexOf(fill);
    return i >= 0 ? darkColors().at(i) : fill;
}

QColor Avatar::initialsColor(const QColor &fill)
{
    return contrastRatio(fill, Qt::white) >= contrastRatio(fill, Qt::black) ? QColor(Qt::white) : QColor(Qt::black);
}

QColor Avatar::color(const QString &email)
{
    const QList<QColor> &c = colors();
    return c.at(int(stableHash(email.trimmed().toLower()) % quint32(c.size())));
}

QColor Avatar::providerColor(const QString &providerId)
{
    if (providerId == QLatin1String("microsoft"))
        return QColor(0x0F, 0x5C, 0xA8);
    if (providerId == QLatin1String("google"))
        return QColor(0xB3, 0x1E, 0x14);
    return color(QStringLiteral("provider:") + providerId);
}

void Avatar::paint(QPainter *painter, const QRectF &rect, const QString &initials, const QColor &color)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawEllipse(rect);
    QFont f = painter->font();
    f.setBold(true);
    f.setPixelSize(qMax(6, int(rect.height() * 0.38)));
    painter->setFont(f);
    painter->setPen(initialsColor(color));
    painter->drawText(rect, Qt::AlignCenter, initials.left(4));
    painter->restore();
}

double Avatar::contrastRatio(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

} // namespace mailkey
