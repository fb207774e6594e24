// The OAuth error side: the authorization redirect's error=... (fromAuthorizationResponse), the
// text sanitizer every provider message passes through, the AADSTS reader and Retry-After.
// Input: <error> NUL <error_description> NUL <Retry-After value>.
//
// Invariants checked:
//  - sanitize() never exceeds its limit (control characters are kept: the sinks escape them,
//    CliSupport / ui SafeText);
//  - an error from the redirect has a user message and bounded texts;
//  - aadstsFromDescription() is 0 or a number that appears after "AADSTS" in the text;
//  - Retry-After is invalid or between now and now + 1 day.
#include "FuzzSupport.h"

#include "core/common/Clock.h"

#include "core/oauth/OAuthErrorCatalog.h"
#include "core/oauth/TokenReply.h"

using namespace mailkey;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16 * 1024)
        return -1;
    QByteArray rest = fuzz::bytes(data, size);
    const QString error = QString::fromUtf8(fuzz::takePart(rest));
    const QString description = QString::fromUtf8(fuzz::takePart(rest));
    const QByteArray retryAfter = fuzz::takePart(rest);

    for (const int limit : {80, 300, 600}) {
        const QString s = OAuthErrorCatalog::sanitize(description, limit);
        fuzz::check(s.size() <= limit, "sanitize() over its limit");
    }

    const OAuthError e = OAuthErrorCatalog::fromAuthorizationResponse(error, description);
    fuzz::check(!e.userMessage.isEmpty(), "no user message");
    fuzz::check(e.error.size() <= 600 && e.description.size() <= 600, "redirect error texts not shortened");
    const Error err = OAuthErrorCatalog::toError(e);
    fuzz::check(!err.message.isEmpty(), "Error without message");
    for (const auto where : {OAuthErrorCatalog::Endpoint::Token, OAuthErrorCatalog::Endpoint::Authorization,
                             OAuthErrorCatalog::Endpoint::Refresh}) {
        const QString m = OAuthErrorCatalog::message(error, description, e.aadsts, 400, where);
        fuzz::check(!m.isEmpty(), "empty catalog message");
    }

    const int aadsts = OAuthErrorCatalog::aadstsFromDescription(description);
    fuzz::check(aadsts >= 0, "negative AADSTS number");
    if (aadsts > 0)
        fuzz::check(description.contains(QStringLiteral("AADSTS") + QString::number(aadsts))
                        || description.contains(QStringLiteral("AADSTS0")),
                    "AADSTS number not in the text");

    const QDateTime now(QDate(2026, 12, 2), QTime(6, 0), utcZone());
    const QDateTime at = parseRetryAfter(retryAfter, now);
    if (at.isValid())
        fuzz::check(at >= now && at <= now.addSecs(24 * 60 * 60), "Retry-After outside now .. now + 1 day");
    return 0;
}
