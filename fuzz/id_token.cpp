// The id_token reader and validator (IdToken, core/oauth/IdToken.h).
// First byte: bit 0 set = the rest is the whole compact JWT as received; clear = the rest is
// the claims JSON, wrapped here in a JWT with an RS256 header (reaches the claim checks more
// often). Bit 1 selects Google-style or Microsoft multi-tenant expectations.
//
// Invariants checked on every accepted token: alg present and not "none"; iss exactly the
// expected issuer (tid substituted for Microsoft's {tenantid}, tid a GUID); aud contains the
// client id; azp, if any, is the client id, and present when there are several audiences;
// exp + skew after now; nbf / iat not beyond now + skew; the nonce matched; sub present.
// A rejected token always says why (failure != None) and has a message.
#include "FuzzSupport.h"

#include "core/common/Clock.h"

#include "core/oauth/IdToken.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace mailkey;

namespace {

QJsonObject segment(const QByteArray &part)
{
    const QByteArray raw = QByteArray::fromBase64(part, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return QJsonDocument::fromJson(raw).object();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 32 * 1024)
        return -1;
    const bool raw = data[0] & 1;
    const bool microsoft = data[0] & 2;
    const QByteArray rest = fuzz::bytes(data + 1, size - 1);
    QByteArray jwt;
    if (raw) {
        jwt = rest;
    } else {
        jwt = QByteArrayLiteral("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.")
              + rest.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
              + QByteArrayLiteral(".c2lnbmF0dXJl");
    }

    IdTokenExpectations expect;
    expect.issuer = microsoft ? QStringLiteral("https://login.microsoftonline.com/{tenantid}/v2.0")
                              : QStringLiteral("https://accounts.google.com");
    expect.clientId = QStringLiteral("1234567890-abc.apps.googleusercontent.com");
    expect.nonce = (data[0] & 4) ? QByteArrayLiteral("n-0S6_WzA2Mj") : QByteArray();
    expect.now = QDateTime(QDate(2026, 12, 2), QTime(6, 0), utcZone());
    expect.clockSkewSeconds = 300;

    IdTokenFailure failure = IdTokenFailure::None;
    const Result<IdTokenClaims> r = IdToken::validate(jwt, expect, &failure);
    IdTokenFailure unverifiedFailure = IdTokenFailure::None;
    const Result<IdTokenClaims> u = IdToken::decodeUnverified(jwt, &unverifiedFailure);
    if (!u)
        fuzz::check(!r, "validated a token that does not decode");

    if (!r) {
        fuzz::check(failure != IdTokenFailure::None, "rejected without a failure kind");
        fuzz::check(!r.error().message.isEmpty(), "rejected without a message");
        return 0;
    }
    fuzz::check(failure == IdTokenFailure::None, "accepted with a failure kind");
    const IdTokenClaims &c = r.value();
    const QList<QByteArray> parts = jwt.trimmed().split('.');
    fuzz::check(parts.size() == 3, "accepted something that is not three parts");
    const QJsonObject header = segment(parts[0]);
    const QString alg = header.value(QStringLiteral("alg")).toString();
    fuzz::check(!alg.isEmpty() && alg.compare(QLatin1String("none"), Qt::CaseInsensitive) != 0, "accepted alg none");
    if (microsoft) {
        static const QRegularExpression guid(
            QStringLiteral("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
        fuzz::check(guid.match(c.tenantId).hasMatch(), "accepted a tid that is not a GUID");
        fuzz::check(c.issuer
                        == QStringLiteral("https://login.microsoftonline.com/") + c.tenantId + QStringLiteral("/v2.0"),
                    "accepted another issuer");
    } else {
        fuzz::check(c.issuer == expect.issuer, "accepted another issuer");
    }
    fuzz::check(!c.subject.isEmpty(), "accepted without sub");
    fuzz::check(c.audience.contains(expect.clientId), "accepted for another audience");
    if (c.audience.size() > 1)
        fuzz::check(c.authorizedParty == expect.clientId, "several audiences without our azp");
    if (!c.authorizedParty.isEmpty())
        fuzz::check(c.authorizedParty == expect.clientId, "accepted another azp");
    fuzz::check(c.expiresAt.isValid() && expect.now < c.expiresAt.addSecs(300), "accepted an expired token");
    if (c.issuedAt.isValid())
        fuzz::check(c.issuedAt <= expect.now.addSecs(300), "accepted a token issued in the future");
    const QJsonObject claims = segment(parts[1]);
    if (!expect.nonce.isEmpty())
        fuzz::check(claims.value(QStringLiteral("nonce")).toString().toUtf8() == expect.nonce,
                    "accepted another nonce");
    if (claims.contains(QStringLiteral("nbf")) && claims.value(QStringLiteral("nbf")).isDouble())
        fuzz::check(claims.value(QStringLiteral("nbf")).toDouble() <= double(expect.now.toSecsSinceEpoch() + 300),
                    "accepted a token not valid yet");
    return 0;
}
