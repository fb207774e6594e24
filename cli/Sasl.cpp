#include "cli/Sasl.h"

namespace mailkey::cli {

SaslServer defaultSaslServer(const QString &providerId, const QString &resource)
{
    const bool imap = resource == QLatin1String("imap");
    const bool smtp = resource == QLatin1String("smtp");
    if (providerId == QLatin1String("microsoft")) {
        if (imap)
            return {QStringLiteral("outlook.office365.com"), 993};
        if (smtp)
            return {QStringLiteral("smtp.office365.com"), 587};
    } else if (providerId == QLatin1String("google")) {
        if (imap)
            return {QStringLiteral("imap.gmail.com"), 993};
        if (smtp)
            return {QStringLiteral("smtp.gmail.com"), 587};
    }
    return {};
}

} // namespace mailkey::cli
