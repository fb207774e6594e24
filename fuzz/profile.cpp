// The account profile answer (ProfileFetcher::readProfile, core/oauth/ProfileFetcher.h): Microsoft
// Graph /me or an OpenID userinfo answer, as a provider (or whoever answers at its address) sends
// it. Byte 0: bit 0 = Microsoft Graph (else OIDC userinfo), bit 1 = an id_token was validated
// first; the rest is the body.
//
// Invariants checked on every accepted answer: the address passes MailAddress::isPlausible (so
// no control, bidi or format character reaches the vault or a terminal) and came from the answer
// (or, for OIDC, the id_token); subject and tenant hold no unsafe character; the display name
// holds none and is never empty; with an id_token the userinfo subject is the id_token's.
#include "FuzzSupport.h"

#include "core/common/MailAddress.h"
#include "core/common/TextSafety.h"
#include "core/oauth/ProfileFetcher.h"
#include "core/providers/Provider.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace mailkey;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024)
        return -1;
    const bool graph = data[0] & 1;
    const bool withClaims = data[0] & 2;
    const QByteArray body = fuzz::bytes(data + 1, size - 1);

    const Provider provider = graph ? Provider::microsoft().value() : Provider::google();
    std::optional<IdTokenClaims> claims;
    if (withClaims) {
        IdTokenClaims c;
        c.issuer = QStringLiteral("https://accounts.google.com");
        c.subject = QStringLiteral("110169484474386276334");
        c.email = QStringLiteral("jane.doe@gmail.com");
        c.name = QStringLiteral("Jane Doe");
        c.tenantId = graph ? QStringLiteral("9188040d-6c67-4c5b-b112-36a304b66dad") : QString();
        claims = c;
    }
    const Result<AccountInfo> r = ProfileFetcher::readProfile(provider, claims, body);
    if (!r) {
        fuzz::check(!r.error().message.isEmpty(), "refused without a message");
        return 0;
    }
    const AccountInfo &a = r.value();
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    fuzz::check(a.provider == provider.id, "another provider id");
    fuzz::check(MailAddress::isPlausible(a.email), "accepted an implausible address");
    fuzz::check(!TextSafety::containsUnsafe(a.subject) && !TextSafety::containsUnsafe(a.tenant),
                "unsafe character in subject or tenant");
    fuzz::check(!TextSafety::containsUnsafe(a.displayName) && !a.displayName.isEmpty(), "unsafe or empty display name");
    if (graph) {
        const QString mail = o.value(QStringLiteral("mail")).toString().trimmed();
        const QString upn = o.value(QStringLiteral("userPrincipalName")).toString().trimmed();
        fuzz::check(a.email == mail || a.email == upn, "address not from the answer");
    } else {
        const QString email = o.value(QStringLiteral("email")).toString().trimmed();
        fuzz::check(a.email == email || (claims && a.email == claims->email), "address not from the answer");
        if (claims)
            fuzz::check(a.subject == claims->subject, "userinfo subject is not the id_token's");
    }
    return 0;
}
