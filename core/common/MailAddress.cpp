#include "core/common/MailAddress.h"

#include "core/common/TextSafety.h"

namespace mailkey {

bool MailAddress::isPlausible(const QString &email)
{
    // RFC 5321: a path of at most 256 octets including "<>", a local part of at most 64.
    const qsizetype at = email.indexOf(QLatin1Char('@'));
    if (email.isEmpty() || email.size() > MaxLength || at < 1 || at > MaxLocalPart || at == email.size() - 1
        || email.indexOf(QLatin1Char('@'), at + 1) >= 0)
        return false;
    // Nothing that could drive a terminal or reorder text, no whitespace, no double quote, path or list.
    if (TextSafety::containsUnsafe(email))
        return false;
    static const QString forbidden = QStringLiteral("\"\\/<>()[],;:");
    for (const QChar c : email) {
        if (c.isSpace() || forbidden.contains(c))
            return false;
    }
    const QString domain = email.mid(at + 1);
    return !domain.startsWith(QLatin1Char('.')) && !domain.endsWith(QLatin1Char('.'))
           && !domain.contains(QLatin1String(".."));
}

} // namespace mailkey
