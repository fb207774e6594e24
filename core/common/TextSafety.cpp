#include "core/common/TextSafety.h"

#include <QChar>

namespace mailkey {

namespace {

// Calls `each(codePoint, start, length)` for every code point of `text`; an unpaired surrogate is
// passed as itself (an unsafe value).
template <typename F>
void forEachCodePoint(QStringView text, F each)
{
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t u = text[i].unicode();
        if (QChar::isHighSurrogate(u) && i + 1 < n && QChar::isLowSurrogate(text[i + 1].unicode())) {
            each(QChar::surrogateToUcs4(u, text[i + 1].unicode()), i, qsizetype(2));
            ++i;
        } else {
            each(char32_t(u), i, qsizetype(1));
        }
    }
}

void appendEscape(QString &out, char16_t unit)
{
    static const char hex[] = "0123456789abcdef";
    out += QLatin1String("\\u");
    for (int shift = 12; shift >= 0; shift -= 4)
        out += QLatin1Char(hex[(unit >> shift) & 0xF]);
}

} // namespace

bool TextSafety::isUnsafe(char32_t c)
{
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029)
        return true;
    if (c >= 0xD800 && c <= 0xDFFF) // only reached unpaired
        return true;
    return QChar::category(c) == QChar::Other_Format;
}

bool TextSafety::containsUnsafe(QStringView text)
{
    bool unsafe = false;
    forEachCodePoint(text, [&unsafe](char32_t c, qsizetype, qsizetype) { unsafe = unsafe || isUnsafe(c); });
    return unsafe;
}

QString TextSafety::escaped(const QString &text, QStringView keep)
{
    if (!containsUnsafe(text))
        return text;
    // Room for the worst case up front: the text may be a token that the caller wipes afterwards,
    // and a growing buffer would leave copies behind.
    QString out;
    out.reserve(text.size() * 6);
    forEachCodePoint(text, [&](char32_t c, qsizetype start, qsizetype length) {
        if (!isUnsafe(c) || (c <= 0xFFFF && keep.contains(QChar(char16_t(c))))) {
            out += QStringView(text).mid(start, length);
            return;
        }
        for (qsizetype k = 0; k < length; ++k)
            appendEscape(out, text[start + k].unicode());
    });
    return out;
}

QString TextSafety::replaced(const QString &text, QStringView with)
{
    if (!containsUnsafe(text))
        return text;
    QString out;
    out.reserve(text.size());
    forEachCodePoint(text, [&](char32_t c, qsizetype start, qsizetype length) {
        if (isUnsafe(c))
            out += with;
        else
            out += QStringView(text).mid(start, length);
    });
    return out;
}

} // namespace mailkey
