#pragma once

#include "core/common/Result.h"
#include "core/providers/Provider.h"

#include <QObject>
#include <QString>

#include <memory>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
QT_END_NAMESPACE

namespace mailkey {

class OidcDiscovery;

// The provider editor's "Discover": OidcDiscovery for an issuer the person typed, on its own
// network access (so the window's widgets never touch the network). Asynchronous; exactly one of
// finished() / failed() per start() (none after cancel() or a newer start()). Failures are
// explained for a person filling in a form: what went wrong and what to do.
class IssuerDiscovery : public QObject {
    Q_OBJECT
public:
    // `nam`: the network access to use; nullptr = one of its own.
    explicit IssuerDiscovery(QNetworkAccessManager *nam = nullptr, QObject *parent = nullptr);
    ~IssuerDiscovery() override;

    void setTimeout(int ms);
    // Checks the issuer (Provider::issuerProblem) before any request: a bad one fails at once
    // (queued), e.g. "not https".
    void start(const QString &issuer);
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    // The discovered endpoints in `provider` (issuer, authorization, token, userinfo, revocation,
    // device authorization endpoints, issRequired).
    void finished(const mailkey::Provider &provider);
    void failed(const QString &message);

private:
    std::unique_ptr<QNetworkAccessManager> m_ownNam;
    OidcDiscovery *m_discovery;
};

} // namespace mailkey
