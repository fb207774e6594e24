#include "core/oauth/TokenReply.h"

#include "core/common/Redactor.h"
#include "core/common/SecureBytes.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QTimeZone>

#include <cmath>
#include <optional>

namespace mailkey {

// --- TokenSet ------------------------------------------------------------------------------

void TokenSet::wipe()
{
    accessToken.clear();
    refreshToken.clear();
    idToken.clear();
    tokenType.clear();
    expiresIn = 0;
    expiresAt = QDateTime();
    scopes.clear();
    refreshTokenRotated = false;
    scopesFromRequest = false;
}

// --- parseTokenReply -----------------------------------------------------------------------

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::TokenReply)
};

OAuthError malformed(int httpStatus, const QString &detail)
{
    OAuthError e;
    e.httpStatus = httpStatus;
    e.kind = OAuthErrorKind::Malformed;
    e.description = detail;
    e.userMessage = Text::tr("The sign-in server sent a reply MailKey cannot use (%1). Try again; if it "
                             "keeps happening, check the token address in the provider settings, and "
                             "whether a proxy or a Wi-Fi login page is in the way.")
                        .arg(detail);
    return e;
}

bool looksLikeHtml(const QByteArray &contentType, const QByteArray &body)
{
    const QByteArray ct = contentType.trimmed().toLower();
    if (ct.startsWith("text/html") || ct.startsWith("application/xhtml"))
        return true;
    return body.trimmed().startsWith('<');
}

// A short, redacted description of a body that is not an OAuth JSON reply (for the error's
// description, never the raw body). HTML: only its <title>.
QString describeForeignBody(const QByteArray &contentType, const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return QStringLiteral("an empty reply");
    // Redact before cutting (a token cut in half would no longer look like one), and never more
    // than the first 64 KB.
    const QString text = QString::fromUtf8(body.left(64 * 1024));
    if (looksLikeHtml(contentType, body)) {
        static const QRegularExpression title(QStringLiteral("<title[^>]*>([^<]*)</title>"),
                                              QRegularExpression::CaseInsensitiveOption);
        const QRegularExpressionMatch m = title.match(text);
        const QString t = m.hasMatch() ? OAuthErrorCatalog::sanitize(m.captured(1), 80) : QString();
        return t.isEmpty() ? QStringLiteral("a web page instead of a token reply")
                           : QStringLiteral("a web page titled \"%1\" instead of a token reply").arg(t);
    }
    return QStringLiteral("\"%1\"").arg(OAuthErrorCatalog::sanitize(text, 120));
}

OAuthError fromNonOAuthReply(int httpStatus, const QByteArray &contentType, const QByteArray &body)
{
    const QString what = describeForeignBody(contentType, body);
    OAuthError e;
    e.httpStatus = httpStatus;
    e.description = what;
    if (httpStatus == 429 || httpStatus >= 500) {
        e.kind = OAuthErrorKind::Transient;
        e.userMessage = OAuthErrorCatalog::message(QString(), QString(), 0, httpStatus);
        return e;
    }
    if ((httpStatus >= 300 && httpStatus < 400) || httpStatus == 404 || httpStatus == 405 || httpStatus == 410) {
        e.kind = OAuthErrorKind::Configuration;
        e.userMessage = Text::tr("The token address in the provider settings does not answer like an "
                                 "OAuth token endpoint (HTTP %1). Check the token URL in the provider "
                                 "settings.")
                            .arg(httpStatus);
        return e;
    }
    if (httpStatus == 401 || httpStatus == 403) {
        e.kind = OAuthErrorKind::Configuration;
        e.userMessage = Text::tr("The provider refused the app (HTTP %1) without saying why. Check the "
                                 "client ID and client secret in the provider settings.")
                            .arg(httpStatus);
        return e;
    }
    return malformed(httpStatus, QStringLiteral("HTTP %1, %2").arg(httpStatus).arg(what));
}

QString shortString(const QJsonObject &obj, const char *key, int maxChars)
{
    const QJsonValue v = obj.value(QLatin1String(key));
    return v.isString() ? OAuthErrorCatalog::sanitize(v.toString(), maxChars) : QString();
}

OAuthError fromErrorObject(int httpStatus, const QJsonObject &obj)
{
    OAuthError e;
    e.httpStatus = httpStatus;
    const QJsonValue err = obj.value(QLatin1String("error"));
    if (err.isObject()) {
        // Not RFC 6749, but some gateways answer {"error":{"code":...,"message":...}}.
        const QJsonObject inner = err.toObject();
        e.error = shortString(inner, "code", 80);
        e.description = shortString(inner, "message", 600);
    } else {
        e.error = OAuthErrorCatalog::sanitize(err.toString(), 80);
        e.description = shortString(obj, "error_description", 600);
    }
    e.subError = shortString(obj, "suberror", 80);
    e.traceId = shortString(obj, "trace_id", 80);
    e.correlationId = shortString(obj, "correlation_id", 80);
    const QJsonArray codes = obj.value(QLatin1String("error_codes")).toArray();
    for (const QJsonValue &c : codes) {
        if (c.isDouble() && c.toDouble() >= 0 && c.toDouble() < 1e9)
            e.errorCodes.append(c.toInt());
        else if (c.isString()) {
            bool ok = false;
            const int n = c.toString().toInt(&ok);
            if (ok && n >= 0)
                e.errorCodes.append(n);
        }
    }
    OAuthErrorCatalog::describe(e, OAuthErrorCatalog::Endpoint::Token);
    return e;
}

// expires_in as an integer: a JSON number or a numeric string.
std::optional<qint64> readInteger(const QJsonValue &v)
{
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 1e15)
            return std::nullopt;
        return static_cast<qint64>(d);
    }
    if (v.isString()) {
        static const QRegularExpression digits(QStringLiteral("^\\s*-?\\d{1,15}\\s*$"));
        const QString s = v.toString();
        if (!digits.match(s).hasMatch())
            return std::nullopt;
        return s.trimmed().toLongLong();
    }
    return std::nullopt;
}

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("missing");
}

} // namespace

TokenReplyResult parseTokenReply(int httpStatus, const QByteArray &contentType, const QByteArray &body,
                                 const QDateTime &now, const QStringList &requestedScopes,
                                 const SecretString &previousRefreshToken)
{
    if (httpStatus <= 0) {
        OAuthError e;
        e.kind = OAuthErrorKind::Transient;
        e.description = QStringLiteral("no HTTP reply");
        e.userMessage = Text::tr("The sign-in server did not answer. Check your internet connection; "
                                 "MailKey will try again later.");
        return e;
    }
    if (body.size() > kMaxTokenReplySize)
        return malformed(
            httpStatus,
            QStringLiteral("HTTP %1, the reply is unexpectedly large (%2 bytes)").arg(httpStatus).arg(body.size()));

    const bool success = httpStatus >= 200 && httpStatus < 300;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        if (!success)
            return fromNonOAuthReply(httpStatus, contentType, body);
        // A 2xx body might hold tokens: describe it without quoting it (only an HTML title).
        if (looksLikeHtml(contentType, body))
            return malformed(httpStatus,
                             QStringLiteral("HTTP %1, %2").arg(httpStatus).arg(describeForeignBody(contentType, body)));
        if (body.trimmed().isEmpty())
            return malformed(httpStatus, QStringLiteral("HTTP %1, an empty reply").arg(httpStatus));
        if (parseError.error != QJsonParseError::NoError)
            return malformed(httpStatus, QStringLiteral("HTTP %1, the reply is not valid JSON: %2 at byte %3")
                                             .arg(httpStatus)
                                             .arg(parseError.errorString())
                                             .arg(parseError.offset));
        return malformed(httpStatus, QStringLiteral("HTTP %1, the reply is JSON but not an object").arg(httpStatus));
    }

    const QJsonObject obj = doc.object();
    if (obj.contains(QLatin1String("error")))
        return fromErrorObject(httpStatus, obj);
    if (!success)
        return fromNonOAuthReply(httpStatus, contentType, body);

    const auto field = [&](const char *name) { return obj.value(QLatin1String(name)); };
    const auto bad = [&](const char *name, const QString &problem) {
        return malformed(httpStatus,
                         QStringLiteral("HTTP %1, \"%2\" %3").arg(httpStatus).arg(QLatin1String(name), problem));
    };

    TokenSet t;

    const QJsonValue access = field("access_token");
    if (!access.isString())
        return bad("access_token", access.isUndefined() ? QStringLiteral("is missing")
                                                        : QStringLiteral("is %1, not a string").arg(typeName(access)));
    t.accessToken = SecretString(access.toString());
    if (t.accessToken.isEmpty())
        return bad("access_token", QStringLiteral("is empty"));

    const QJsonValue type = field("token_type");
    if (!type.isString())
        return bad("token_type", type.isUndefined() ? QStringLiteral("is missing")
                                                    : QStringLiteral("is %1, not a string").arg(typeName(type)));
    if (type.toString().compare(QLatin1String("Bearer"), Qt::CaseInsensitive) != 0)
        return bad("token_type", QStringLiteral("is \"%1\"; only Bearer tokens are supported")
                                     .arg(OAuthErrorCatalog::sanitize(type.toString(), 20)));
    t.tokenType = QStringLiteral("Bearer");

    const QJsonValue expires = field("expires_in");
    if (expires.isUndefined())
        return bad("expires_in", QStringLiteral("is missing"));
    const std::optional<qint64> seconds = readInteger(expires);
    if (!seconds)
        return bad("expires_in", QStringLiteral("is %1, not a whole number of seconds").arg(typeName(expires)));
    if (*seconds <= 0 || *seconds > kMaxExpiresIn)
        return bad("expires_in", QStringLiteral("is %1 seconds; expected 1 second to 1 year").arg(*seconds));
    t.expiresIn = *seconds;
    t.expiresAt = now.toUTC().addSecs(*seconds);

    const QJsonValue scope = field("scope");
    if (!scope.isUndefined() && !scope.isString())
        return bad("scope", QStringLiteral("is %1, not a string").arg(typeName(scope)));
    t.scopes = scope.toString().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (t.scopes.isEmpty()) {
        t.scopes = requestedScopes;
        t.scopesFromRequest = true;
    }

    const QJsonValue refresh = field("refresh_token");
    if (!refresh.isUndefined() && !refresh.isNull() && !refresh.isString())
        return bad("refresh_token", QStringLiteral("is %1, not a string").arg(typeName(refresh)));
    if (!refresh.toString().isEmpty()) {
        t.refreshToken = SecretString(refresh.toString());
        t.refreshTokenRotated = true;
    } else {
        t.refreshToken = previousRefreshToken.clone();
    }

    const QJsonValue id = field("id_token");
    if (!id.isUndefined() && !id.isNull() && !id.isString())
        return bad("id_token", QStringLiteral("is %1, not a string").arg(typeName(id)));
    t.idToken = SecretString(id.toString());

    return TokenReplyResult(std::move(t));
}

// --- parseRetryAfter -----------------------------------------------------------------------

namespace {

int monthNumber(QStringView name)
{
    static const char *const months[]
        = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i)
        if (name.compare(QLatin1String(months[i]), Qt::CaseInsensitive) == 0)
            return i + 1;
    return 0;
}

QDateTime makeUtc(int year, int month, int day, int h, int m, int s)
{
    const QDate date(year, month, day);
    const QTime time(h, m, s);
    if (!date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, QTimeZone::utc());
}

QDateTime parseHttpDate(const QString &v, const QDateTime &now)
{
    // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
    static const QRegularExpression imf(
        QStringLiteral("^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ([A-Za-z]{3}) (\\d{4}) "
                       "(\\d{2}):(\\d{2}):(\\d{2}) GMT$"));
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    static const QRegularExpression rfc850(
        QStringLiteral("^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-([A-Za-z]{3})-"
                       "(\\d{2}) (\\d{2}):(\\d{2}):(\\d{2}) GMT$"));
    // asctime: Sun Nov  6 08:49:37 1994
    static const QRegularExpression asctime(QStringLiteral("^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Za-z]{3}) ([ \\d]\\d) "
                                                           "(\\d{2}):(\\d{2}):(\\d{2}) (\\d{4})$"));

    QRegularExpressionMatch m = imf.match(v);
    if (m.hasMatch())
        return makeUtc(m.captured(3).toInt(), monthNumber(m.capturedView(2)), m.captured(1).toInt(),
                       m.captured(4).toInt(), m.captured(5).toInt(), m.captured(6).toInt());
    m = rfc850.match(v);
    if (m.hasMatch()) {
        // RFC 9110 5.6.7: a two-digit year more than 50 years in the future is in the past.
        const int yy = m.captured(3).toInt();
        const int nowYear = now.toUTC().date().year();
        int year = (nowYear / 100) * 100 + yy;
        if (year > nowYear + 50)
            year -= 100;
        return makeUtc(year, monthNumber(m.capturedView(2)), m.captured(1).toInt(), m.captured(4).toInt(),
                       m.captured(5).toInt(), m.captured(6).toInt());
    }
    m = asctime.match(v);
    if (m.hasMatch())
        return makeUtc(m.captured(6).toInt(), monthNumber(m.capturedView(1)), m.captured(2).trimmed().toInt(),
                       m.captured(3).toInt(), m.captured(4).toInt(), m.captured(5).toInt());
    return {};
}

} // namespace

QDateTime parseRetryAfter(const QByteArray &headerValue, const QDateTime &now)
{
    constexpr qint64 kMaxDelay = 24 * 60 * 60;
    const QString v = QString::fromLatin1(headerValue.trimmed());
    if (v.isEmpty() || !now.isValid())
        return {};
    const QDateTime base = now.toUTC();

    static const QRegularExpression delta(QStringLiteral("^\\d+$"));
    if (delta.match(v).hasMatch()) {
        bool ok = false;
        qint64 secs = v.size() > 12 ? kMaxDelay : v.toLongLong(&ok);
        if (v.size() <= 12 && !ok)
            return {};
        return base.addSecs(std::min(secs, kMaxDelay));
    }
    const QDateTime date = parseHttpDate(v, now);
    if (!date.isValid())
        return {};
    if (date < base)
        return base;
    return std::min(date, base.addSecs(kMaxDelay));
}

} // namespace mailkey
