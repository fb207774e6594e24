// The OpenID discovery document parser (OidcDiscovery::applyDocument, core/providers), fed the
// body of https://<issuer>/.well-known/openid-configuration.
//
// Invariants checked on every accepted document: its issuer is exactly the configured one;
// authorization and token endpoints are set and pass Provider::endpointProblem (https, or http on
// loopback only; no user info, no fragment); so do userinfo / revocation when set; endpoints the
// provider had configured are kept as they were; the provider stays valid.
#include "FuzzSupport.h"

#include "core/providers/OidcDiscovery.h"
#include "core/providers/Provider.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace mailkey;

namespace {

Provider customProvider(bool withToken)
{
    Provider p;
    p.id = QStringLiteral("example");
    p.displayName = QStringLiteral("Example");
    p.kind = Provider::Kind::Custom;
    p.issuer = QStringLiteral("https://id.example.com");
    p.clientId = QStringLiteral("mailkey-desktop");
    p.scopes = {QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("offline_access")};
    p.redirectPath = QStringLiteral("/oauth/example");
    p.needsDiscovery = true;
    if (withToken)
        p.tokenEndpoint = QUrl(QStringLiteral("https://id.example.com/configured/token"));
    return p;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return -1;
    const QByteArray json = fuzz::bytes(data, size);
    for (const bool withToken : {false, true}) {
        const Provider before = customProvider(withToken);
        const Result<Provider> r = OidcDiscovery::applyDocument(before, json);
        if (!r) {
            fuzz::check(!r.error().message.isEmpty(), "refused without a message");
            continue;
        }
        const Provider &p = r.value();
        const QJsonObject doc = QJsonDocument::fromJson(json).object();
        fuzz::check(doc.value(QStringLiteral("issuer")).toString() == before.issuer, "accepted another issuer");
        fuzz::check(p.issuer == before.issuer && p.id == before.id && p.isValid(), "provider identity changed");
        fuzz::check(Provider::endpointProblem(p.authorizationEndpoint).isEmpty(), "bad authorization endpoint");
        fuzz::check(Provider::endpointProblem(p.tokenEndpoint).isEmpty(), "bad token endpoint");
        if (!p.userinfoEndpoint.isEmpty())
            fuzz::check(Provider::endpointProblem(p.userinfoEndpoint).isEmpty(), "bad userinfo endpoint");
        if (!p.revocationEndpoint.isEmpty())
            fuzz::check(Provider::endpointProblem(p.revocationEndpoint).isEmpty(), "bad revocation endpoint");
        if (withToken)
            fuzz::check(p.tokenEndpoint == before.tokenEndpoint, "configured token endpoint replaced");
        fuzz::check(p.clientId == before.clientId, "client id changed");
    }
    return 0;
}
