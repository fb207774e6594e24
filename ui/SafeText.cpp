#include "ui/SafeText.h"

#include <QChar>
#include <QFontMetrics>
#include <QLabel>
#include <QStringList>

namespace mailkey {

namespace {

bool isInvisibleFormat(char32_t c)
{
    return c == 0x200E || c == 0x200F || c == 0x061C // LRM, RLM, ALM
           || c == 0xFEFF                            // BOM / zero-width no-break space
           || (c >= 0xFFF9 && c <= 0xFFFB)           // interlinear annotation
           || (c >= 0xE0000 && c <= 0xE007F)         // tag characters
           || c == 0x180E;                           // Mongolian vowel separator (format)
}

bool isControlLike(char32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || c == 0x85;
}

} // namespace

bool SafeText::isBidiControl(char32_t c)
{
    return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

QString SafeText::clean(const QString &untrusted, int maxLength)
{
    if (maxLength < 1)
        maxLength = 1;
    QString out;
    // Never look at more input than could possibly be shown (a 10 MB name costs nothing).
    const qsizetype scanLimit = qMin<qsizetype>(untrusted.size(), qsizetype(maxLength) * 8 + 64);
    out.reserve(qMin<qsizetype>(scanLimit, maxLength + 1));
    bool pendingSpace = false;
    int marks = 0;
    int codePoints = 0;
    bool truncated = scanLimit < untrusted.size();
    const QChar *data = untrusted.constData();
    for (qsizetype i = 0; i < scanLimit; ++i) {
        char32_t c = data[i].unicode();
        if (QChar::isHighSurrogate(c)) {
            if (i + 1 < scanLimit && QChar::isLowSurrogate(data[i + 1].unicode())) {
                c = QChar::surrogateToUcs4(data[i].unicode(), data[i + 1].unicode());
                ++i;
            } else {
                c = 0xFFFD;
            }
        } else if (QChar::isLowSurrogate(c)) {
            c = 0xFFFD;
        }

        if (isBidiControl(c) || isInvisibleFormat(c))
            continue;
        if (isControlLike(c) || QChar::isSpace(c)) {
            pendingSpace = !out.isEmpty();
            continue;
        }
        const QChar::Category cat = QChar::category(c);
        const bool isMark
            = cat == QChar::Mark_NonSpacing || cat == QChar::Mark_SpacingCombining || cat == QChar::Mark_Enclosing;
        if (isMark) {
            if (out.isEmpty() || marks >= MaxCombiningMarks)
                continue;
            ++marks;
        } else {
            marks = 0;
        }
        if (pendingSpace) {
            if (codePoints >= maxLength) {
                truncated = true;
                break;
            }
            out.append(QLatin1Char(' '));
            ++codePoints;
            pendingSpace = false;
        }
        if (!isMark && codePoints >= maxLength) {
            truncated = true;
            break;
        }
        if (QChar::requiresSurrogates(c)) {
            out.append(QChar(QChar::highSurrogate(c)));
            out.append(QChar(QChar::lowSurrogate(c)));
        } else {
            out.append(QChar(static_cast<char16_t>(c)));
        }
        if (!isMark)
            ++codePoints;
    }
    if (truncated) {
        // Leave room for the ellipsis, never splitting a surrogate pair.
        while (codePoints >= maxLength && !out.isEmpty()) {
            if (out.size() >= 2 && out.at(out.size() - 1).isLowSurrogate())
                out.chop(2);
            else
                out.chop(1);
            --codePoints;
        }
        out = out.trimmed();
        out.append(QChar(0x2026));
    }
    return out;
}

QString SafeText::cleanMultiline(const QString &text, int maxLength)
{
    const QStringList lines = text.left(qsizetype(maxLength) * 8 + 64).split(QLatin1Char('\n'));
    QStringList cleaned;
    int left = maxLength;
    for (const QString &line : lines) {
        if (left <= 0)
            break;
        const QString c = clean(line, left);
        left -= int(c.size()) + 1;
        cleaned.append(c);
    }
    while (!cleaned.isEmpty() && cleaned.constLast().isEmpty())
        cleaned.removeLast();
    return cleaned.join(QLatin1Char('\n'));
}

QString SafeText::elided(const QString &untrusted, const QFontMetrics &metrics, int width, Qt::TextElideMode mode)
{
    return metrics.elidedText(clean(untrusted), mode, qMax(0, width), Qt::TextSingleLine);
}

QString SafeText::elidedAddress(const QString &untrusted, const QFontMetrics &metrics, int width)
{
    const QString text = clean(untrusted);
    width = qMax(0, width);
    if (metrics.horizontalAdvance(text) <= width)
        return text;
    const qsizetype at = text.lastIndexOf(QLatin1Char('@'));
    if (at <= 0 || at == text.size() - 1)
        return metrics.elidedText(text, Qt::ElideRight, width, Qt::TextSingleLine);
    const QString domain = text.mid(at);
    const QString local = text.left(at);
    // At least one character of the local part before the ellipsis.
    const int room = width - metrics.horizontalAdvance(domain);
    const QString ellipsis(QChar(0x2026));
    const int firstWidth = metrics.horizontalAdvance(local.left(local.at(0).isHighSurrogate() ? 2 : 1) + ellipsis);
    // (Below: the local part loses its end; the domain stays whole.)
    if (room < firstWidth) {
        // Too narrow for the whole domain: its start is what tells addresses apart.
        const QString prefix = local.left(local.at(0).isHighSurrogate() ? 2 : 1) + ellipsis;
        const QString shortDomain
            = metrics.elidedText(domain, Qt::ElideRight, width - metrics.horizontalAdvance(prefix), Qt::TextSingleLine);
        return shortDomain.isEmpty() ? metrics.elidedText(text, Qt::ElideRight, width, Qt::TextSingleLine)
                                     : prefix + shortDomain;
    }
    const QString shortLocal = metrics.elidedText(local, Qt::ElideRight, room, Qt::TextSingleLine);
    return (shortLocal.isEmpty() ? local.left(1) + ellipsis : shortLocal) + domain;
}

void SafeText::setLabelText(QLabel *label, const QString &untrusted, int maxLength)
{
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(label->textInteractionFlags() & ~Qt::LinksAccessibleByMouse
                                   & ~Qt::LinksAccessibleByKeyboard);
    label->setOpenExternalLinks(false);
    const QString full = clean(untrusted, 4096);
    const QString shown = clean(untrusted, maxLength);
    label->setText(shown);
    label->setToolTip(shown == full ? QString() : toolTip(full));
    // Without this, screen readers get the tooltip's markup as the description.
    label->setAccessibleDescription(shown == full ? QString() : full);
}

void SafeText::setLabelMultiline(QLabel *label, const QString &text, int maxLength)
{
    label->setTextFormat(Qt::PlainText);
    label->setOpenExternalLinks(false);
    label->setText(breakLongWords(cleanMultiline(text, maxLength)));
}

QString SafeText::toolTip(const QString &untrusted, int maxLength)
{
    const QString text = clean(untrusted, maxLength);
    if (text.isEmpty())
        return QString();
    return QStringLiteral("<p style=\"white-space:pre-wrap\">") + breakLongWords(text).toHtmlEscaped()
           + QStringLiteral("</p>");
}

QString SafeText::breakLongWords(const QString &text, int run)
{
    QString out;
    out.reserve(text.size() + text.size() / qMax(1, run));
    int current = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar ch = text.at(i);
        if (ch.isSpace()) {
            current = 0;
        } else if (current >= run && !ch.isLowSurrogate() && ch.category() != QChar::Mark_NonSpacing) {
            out.append(QChar(0x200B));
            current = 0;
        }
        out.append(ch);
        if (!ch.isSpace() && !ch.isLowSurrogate())
            ++current;
    }
    return out;
}

} // namespace mailkey
