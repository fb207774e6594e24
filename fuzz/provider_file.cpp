// The providers.json parser (ProviderFile::parse, core/providers), fed the whole file.
//
// Invariants checked: every provider it returns is valid, has a distinct id of [a-z0-9-]{1,32}
// that is not a built-in one, a redirect host and path that pass Provider's own checks and are
// distinct per provider (mix-up defence), an issuer that passes issuerProblem, and endpoints
// that pass endpointProblem when set; a problem always has a reason.
#include "FuzzSupport.h"

#include "core/providers/Provider.h"
#include "core/providers/ProviderFile.h"

#include <QRegularExpression>
#include <QSet>

using namespace mailkey;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > size_t(ProviderFile::MaxFileSize))
        return -1;
    const QByteArray json = fuzz::bytes(data, size);
    const Result<ProviderFile::Contents> r = ProviderFile::parse(json, QStringLiteral("providers.json"));
    if (!r) {
        fuzz::check(!r.error().message.isEmpty(), "refused without a message");
        return 0;
    }
    static const QRegularExpression idRe(QStringLiteral("^[a-z0-9-]{1,32}$"));
    QSet<QString> ids;
    QSet<QString> paths;
    for (const Provider &p : r.value().providers) {
        fuzz::check(p.isValid(), "invalid provider returned");
        fuzz::check(idRe.match(p.id).hasMatch(), "provider id outside [a-z0-9-]{1,32}");
        fuzz::check(p.id != QLatin1String(Provider::MicrosoftId) && p.id != QLatin1String(Provider::GoogleId),
                    "a custom provider took a built-in id");
        fuzz::check(!ids.contains(p.id), "duplicate provider id");
        ids.insert(p.id);
        fuzz::check(Provider::redirectHostProblem(p.redirectHost).isEmpty(), "bad redirect host");
        fuzz::check(Provider::redirectPathProblem(p.redirectPath).isEmpty(), "bad redirect path");
        fuzz::check(!paths.contains(p.redirectPath), "two providers share a redirect path");
        paths.insert(p.redirectPath);
        fuzz::check(Provider::issuerProblem(p.issuer).isEmpty(), "bad issuer");
        for (const QUrl *u : {&p.authorizationEndpoint, &p.tokenEndpoint, &p.userinfoEndpoint, &p.revocationEndpoint}) {
            if (!u->isEmpty())
                fuzz::check(Provider::endpointProblem(*u).isEmpty(), "bad endpoint");
        }
        if (!p.needsDiscovery) {
            fuzz::check(!p.authorizationEndpoint.isEmpty() && !p.tokenEndpoint.isEmpty(),
                        "no endpoints and no discovery");
        }
    }
    for (const ProviderProblem &problem : r.value().problems)
        fuzz::check(!problem.reason.isEmpty(), "problem without a reason");
    return 0;
}
