#include "core/oauth/IdToken.h"

#include "core/common/Clock.h"
#include "core/common/Redactor.h"
#include "core/common/SecureBytes.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cmath>
#include <optional>

namespace mailkey {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::IdToken)
};

Error fail(IdTokenFailure reason, IdTokenFailure *out, ErrorCode code, const QString &message)
{
    if (out)
        *out = reason;
    return Error(code, message);
}

Error malformed(IdTokenFailure *out, const QString &detail)
{
    return fail(IdTokenFailure::Malformed, out, ErrorCode::Provider,
                Text::tr("The sign-in reply contained an identity token MailKey cannot read (%1). Sign "
                         "in again; if it keeps happening, check the provider settings.")
                    .arg(detail));
}

std::optional<QJsonObject> decodeSegment(const QByteArray &part)
{
    static const QRegularExpression base64url(QStringLiteral("^[A-Za-z0-9_-]+$"));
    if (part.isEmpty() || !base64url.match(QString::fromLatin1(part)).hasMatch())
        return std::nullopt;
    const QByteArray::FromBase64Result decoded
        = QByteArray::fromBase64Encoding(part, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (decoded.decodingStatus != QByteArray::Base64DecodingStatus::Ok)
        return std::nullopt;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(decoded.decoded, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// NumericDate (RFC 7519 2): seconds since the epoch, possibly fractional.
std::optional<QDateTime> numericDate(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < 0 || d > 253402300799.0) // up to 9999-12-31
        return std::nullopt;
    return QDateTime::fromSecsSinceEpoch(static_cast<qint64>(std::floor(d)), utcZone());
}

// Optional string claim: absent is fine, another type is an error.
bool optionalString(const QJsonObject &o, const char *name, QString &out)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString())
        return false;
    out = v.toString();
    return true;
}

struct Decoded {
    QJsonObject header;
    IdTokenClaims claims;
    std::optional<QDateTime> notBefore;
    bool hasNonce = false;
    QByteArray nonce;
};

Result<Decoded> decode(const QByteArray &jwt, IdTokenFailure *failure)
{
    const QList<QByteArray> parts = jwt.trimmed().split('.');
    if (parts.size() == 5)
        return malformed(failure, QStringLiteral("it is encrypted, which is not supported"));
    if (parts.size() != 3)
        return malformed(failure, QStringLiteral("it is not a JSON Web Token"));
    const std::optional<QJsonObject> header = decodeSegment(parts[0]);
    const std::optional<QJsonObject> payload = decodeSegment(parts[1]);
    if (!header || !payload)
        return malformed(failure, QStringLiteral("its header or claims are not base64url-encoded JSON"));

    Decoded d;
    d.header = *header;
    const QJsonObject &p = *payload;
    IdTokenClaims &c = d.claims;

    const QJsonValue iss = p.value(QLatin1String("iss"));
    const QJsonValue sub = p.value(QLatin1String("sub"));
    if (!iss.isString() || iss.toString().isEmpty())
        return malformed(failure, QStringLiteral("the \"iss\" claim is missing"));
    if (!sub.isString() || sub.toString().isEmpty())
        return malformed(failure, QStringLiteral("the \"sub\" claim is missing"));
    c.issuer = iss.toString();
    c.subject = sub.toString();

    const QJsonValue aud = p.value(QLatin1String("aud"));
    if (aud.isString()) {
        c.audience = QStringList{aud.toString()};
    } else if (aud.isArray()) {
        for (const QJsonValue &a : aud.toArray()) {
            if (!a.isString())
                return malformed(failure, QStringLiteral("the \"aud\" claim is not a list of strings"));
            c.audience.append(a.toString());
        }
    }
    if (c.audience.isEmpty())
        return malformed(failure, QStringLiteral("the \"aud\" claim is missing"));

    const std::optional<QDateTime> exp = numericDate(p.value(QLatin1String("exp")));
    if (!exp)
        return malformed(failure, QStringLiteral("the \"exp\" claim is missing or not a date"));
    c.expiresAt = *exp;
    if (p.contains(QLatin1String("iat"))) {
        const std::optional<QDateTime> iat = numericDate(p.value(QLatin1String("iat")));
        if (!iat)
            return malformed(failure, QStringLiteral("the \"iat\" claim is not a date"));
        c.issuedAt = *iat;
    }
    if (p.contains(QLatin1String("nbf"))) {
        d.notBefore = numericDate(p.value(QLatin1String("nbf")));
        if (!d.notBefore)
            return malformed(failure, QStringLiteral("the \"nbf\" claim is not a date"));
    }

    if (!optionalString(p, "azp", c.authorizedParty) || !optionalString(p, "email", c.email)
        || !optionalString(p, "name", c.name) || !optionalString(p, "preferred_username", c.preferredUsername)
        || !optionalString(p, "tid", c.tenantId) || !optionalString(p, "oid", c.objectId))
        return malformed(failure, QStringLiteral("a claim has the wrong type"));

    const QJsonValue verified = p.value(QLatin1String("email_verified"));
    if (verified.isBool())
        c.emailVerified = verified.toBool();
    else if (verified.isString()) // some providers send "true"
        c.emailVerified = verified.toString().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;

    const QJsonValue nonce = p.value(QLatin1String("nonce"));
    if (!nonce.isUndefined() && !nonce.isNull()) {
        if (!nonce.isString())
            return malformed(failure, QStringLiteral("the \"nonce\" claim is not a string"));
        d.hasNonce = true;
        d.nonce = nonce.toString().toUtf8();
    }
    return d;
}

bool isGuid(const QString &s)
{
    static const QRegularExpression guid(
        QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    return guid.match(s).hasMatch();
}

} // namespace

Result<IdTokenClaims> IdToken::decodeUnverified(const QByteArray &jwt, IdTokenFailure *failure)
{
    if (failure)
        *failure = IdTokenFailure::None;
    Result<Decoded> d = decode(jwt, failure);
    if (!d)
        return d.error();
    return std::move(d).value().claims;
}

Result<IdTokenClaims> IdToken::validate(const QString &jwt, const IdTokenExpectations &expect, IdTokenFailure *failure)
{
    QByteArray bytes = jwt.toLatin1();
    Result<IdTokenClaims> r = validate(bytes, expect, failure);
    secureWipe(bytes);
    return r;
}

Result<IdTokenClaims> IdToken::validate(const QByteArray &jwt, const IdTokenExpectations &expect,
                                        IdTokenFailure *failure)
{
    if (failure)
        *failure = IdTokenFailure::None;
    if (expect.issuer.isEmpty() || expect.clientId.isEmpty() || !expect.now.isValid())
        return Error(ErrorCode::Internal,
                     Text::tr("The identity token cannot be checked: the expected issuer, client ID or "
                              "time is missing."));

    Result<Decoded> decoded = decode(jwt, failure);
    if (!decoded)
        return decoded.error();
    Decoded &d = decoded.value();
    IdTokenClaims &c = d.claims;

    // The signature is not checked (see IdToken.h, OIDC Core 3.1.3.7), but an unsigned token
    // is never acceptable.
    const QJsonValue alg = d.header.value(QLatin1String("alg"));
    if (!alg.isString() || alg.toString().isEmpty()
        || alg.toString().compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
        return fail(IdTokenFailure::Algorithm, failure, ErrorCode::Provider,
                    Text::tr("The sign-in reply contained an unsigned identity token. Sign in again; "
                             "if it keeps happening, the provider settings may point to the wrong "
                             "server."));

    // iss: exact match (with Microsoft's {tenantid} template filled from tid).
    QString expectedIssuer = expect.issuer;
    const QString tenantTemplate = QStringLiteral("{tenantid}");
    if (expectedIssuer.contains(tenantTemplate)) {
        if (!isGuid(c.tenantId))
            return fail(IdTokenFailure::Issuer, failure, ErrorCode::Provider,
                        Text::tr("The identity token does not name its organisation (tid). Sign in "
                                 "again; if it keeps happening, check the provider settings."));
        expectedIssuer.replace(tenantTemplate, c.tenantId);
    }
    if (c.issuer != expectedIssuer)
        return fail(IdTokenFailure::Issuer, failure, ErrorCode::Provider,
                    Text::tr("The identity token was issued by \"%1\", not by the expected \"%2\". "
                             "Sign in again; if it keeps happening, check the issuer in the provider "
                             "settings.")
                        .arg(redact(c.issuer).left(200), redact(expectedIssuer).left(200)));

    // aud / azp (OIDC Core 3.1.3.7 (3)-(5)).
    if (!c.audience.contains(expect.clientId))
        return fail(IdTokenFailure::Audience, failure, ErrorCode::Provider,
                    Text::tr("The identity token was issued for a different app. Sign in again; if it "
                             "keeps happening, check the client ID in the provider settings."));
    if (c.audience.size() > 1 && c.authorizedParty.isEmpty())
        return fail(IdTokenFailure::AuthorizedParty, failure, ErrorCode::Provider,
                    Text::tr("The identity token names several apps but not which one it was issued "
                             "to. Sign in again."));
    if (!c.authorizedParty.isEmpty() && c.authorizedParty != expect.clientId)
        return fail(IdTokenFailure::AuthorizedParty, failure, ErrorCode::Provider,
                    Text::tr("The identity token was issued to a different app. Sign in again; if it "
                             "keeps happening, check the client ID in the provider settings."));

    // Time: exp, nbf, iat with the allowed clock skew.
    const QDateTime now = expect.now.toUTC();
    const qint64 skew = std::max<qint64>(0, expect.clockSkewSeconds);
    if (now >= c.expiresAt.addSecs(skew))
        return fail(IdTokenFailure::Expired, failure, ErrorCode::Expired,
                    Text::tr("The identity token has already expired. Check that this computer's date "
                             "and time are correct, then sign in again."));
    const QDateTime latest = now.addSecs(skew);
    if ((d.notBefore && *d.notBefore > latest) || (c.issuedAt.isValid() && c.issuedAt > latest))
        return fail(IdTokenFailure::NotYetValid, failure, ErrorCode::Provider,
                    Text::tr("The identity token is dated in the future. Check that this computer's "
                             "date and time are correct, then sign in again."));

    // nonce (constant time).
    if (!expect.nonce.isEmpty()) {
        const bool ok = d.hasNonce && constantTimeEquals(expect.nonce, d.nonce);
        secureWipe(d.nonce);
        if (!ok)
            return fail(IdTokenFailure::Nonce, failure, ErrorCode::Provider,
                        Text::tr("The sign-in reply does not belong to this sign-in attempt. Sign in "
                                 "again."));
    }
    return std::move(c);
}

} // namespace mailkey
