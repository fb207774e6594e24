// The token-endpoint reply parser (parseTokenReply, core/oauth/TokenReply.h), fed the body of
// an HTTP reply under a status chosen by the first input byte.
//
// Invariants checked:
//  - success only for 2xx and a JSON object without "error";
//  - a parsed token set never has a field it was not given: access/id/refresh token are the
//    body's strings (or the previous refresh token when none came), the scopes are the body's
//    or, only when "scope" was absent, the requested ones;
//  - expires_in within 1 .. kMaxExpiresIn and expiresAt = now + expires_in;
//  - an error always has a user message, and its texts are bounded.
#include "FuzzSupport.h"

#include "core/common/Clock.h"

#include "core/oauth/TokenReply.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace mailkey;

namespace {

const int kStatuses[] = {200, 200, 200, 201, 400, 401, 403, 404, 429, 500, 503, 0, 302, 204, 299, 418};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024)
        return -1;
    const int status = kStatuses[data[0] & 0x0f];
    const bool havePrevious = data[0] & 0x10;
    const QByteArray contentType
        = (data[0] & 0x20) ? QByteArrayLiteral("text/html") : QByteArrayLiteral("application/json; charset=utf-8");
    const QByteArray body = fuzz::bytes(data + 1, size - 1);
    const QDateTime now(QDate(2026, 12, 2), QTime(6, 0), utcZone());
    const QStringList requested{QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("offline_access"),
                                QStringLiteral("https://mail.google.com/")};
    const QString previous = havePrevious ? QStringLiteral("1//0previous-refresh-token") : QString();

    const TokenReplyResult r = parseTokenReply(status, contentType, body, now, requested, SecretString(previous));
    if (r.ok()) {
        const TokenSet &t = r.tokens();
        fuzz::check(status >= 200 && status < 300, "success for a non-2xx status");
        QJsonParseError err{};
        const QJsonDocument doc = QJsonDocument::fromJson(body, &err);
        fuzz::check(err.error == QJsonParseError::NoError && doc.isObject(),
                    "success for a body that is not a JSON object");
        const QJsonObject o = doc.object();
        fuzz::check(!o.contains(QStringLiteral("error")), "success for a body with \"error\"");
        fuzz::check(!t.accessToken.isEmpty()
                        && o.value(QStringLiteral("access_token")).toString() == t.accessToken.reveal(),
                    "access token not the body's");
        fuzz::check(t.tokenType.compare(QLatin1String("Bearer"), Qt::CaseInsensitive) == 0, "token type not Bearer");
        const QString refresh = o.value(QStringLiteral("refresh_token")).toString();
        if (!refresh.isEmpty()) {
            fuzz::check(t.refreshToken.reveal() == refresh && t.refreshTokenRotated, "refresh token not the body's");
        } else {
            fuzz::check(t.refreshToken.reveal() == previous && !t.refreshTokenRotated, "refresh token invented");
        }
        if (o.value(QStringLiteral("id_token")).isString())
            fuzz::check(t.idToken.reveal() == o.value(QStringLiteral("id_token")).toString(),
                        "id_token not the body's");
        else
            fuzz::check(t.idToken.isEmpty(), "id_token invented");
        fuzz::check(t.expiresIn >= 1 && t.expiresIn <= kMaxExpiresIn, "expires_in out of range");
        fuzz::check(t.expiresAt == now.addSecs(t.expiresIn), "expiresAt not now + expires_in");
        if (o.contains(QStringLiteral("scope"))) {
            fuzz::check(!t.scopesFromRequest, "scopes from the request although the body had scope");
            const QStringList granted = o.value(QStringLiteral("scope")).toString().split(QLatin1Char(' '));
            for (const QString &s : t.scopes)
                fuzz::check(granted.contains(s), "a scope the body did not grant");
        } else {
            fuzz::check(t.scopesFromRequest && t.scopes == requested, "scopes invented");
        }
    } else {
        const OAuthError &e = r.oauthError();
        fuzz::check(!e.userMessage.isEmpty(), "error without a user message");
        fuzz::check(e.error.size() <= 600 && e.description.size() <= 600 && e.subError.size() <= 600
                        && e.traceId.size() <= 600 && e.correlationId.size() <= 600,
                    "error text not shortened");
        fuzz::check(e.userMessage.size() <= 4000, "user message unbounded");
        const Error err = r.error();
        fuzz::check(!err.message.isEmpty(), "Error without a message");
    }
    return 0;
}
