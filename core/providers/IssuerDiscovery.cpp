#include "core/providers/IssuerDiscovery.h"

#include "core/providers/OidcDiscovery.h"

#include <QNetworkAccessManager>
#include <QTimer>
#include <QUrl>

namespace mailkey {

IssuerDiscovery::IssuerDiscovery(QNetworkAccessManager *nam, QObject *parent) : QObject(parent)
{
    if (!nam) {
        m_ownNam = std::make_unique<QNetworkAccessManager>();
        nam = m_ownNam.get();
    }
    m_discovery = new OidcDiscovery(nam, this);
    connect(m_discovery, &OidcDiscovery::finished, this, &IssuerDiscovery::finished);
    // OidcDiscovery's messages say what failed and what to do. Its advice names providers.json;
    // here the person is in the editor, where the issuer and the endpoints are fields.
    connect(m_discovery, &OidcDiscovery::failed, this, [this](const Error &error) {
        QString message = error.message;
        const QString fileAdvice = OidcDiscovery::providersFileAdvice();
        if (message.endsWith(fileAdvice)) {
            message.chop(fileAdvice.size());
            message += tr("Check the issuer address, or fill in the endpoints below by hand.");
        }
        Q_EMIT failed(message);
    });
}

IssuerDiscovery::~IssuerDiscovery()
{
    delete m_discovery; // before the network access it uses
    m_discovery = nullptr;
}

void IssuerDiscovery::setTimeout(int ms)
{
    m_discovery->setTimeout(ms);
}

void IssuerDiscovery::start(const QString &issuer)
{
    const QString why = Provider::issuerProblem(issuer);
    if (!why.isEmpty()) {
        m_discovery->cancel();
        const QString message = tr("The issuer %1. Enter the provider's issuer address, such as "
                                   "https://id.example.com.")
                                    .arg(why);
        QTimer::singleShot(0, this, [this, message] { Q_EMIT failed(message); });
        return;
    }
    Provider p;
    p.kind = Provider::Kind::Custom;
    p.id = QStringLiteral("discovery");
    p.displayName = QUrl(issuer).host();
    p.issuer = issuer;
    p.needsDiscovery = true;
    m_discovery->start(p);
}

void IssuerDiscovery::cancel()
{
    m_discovery->cancel();
}

bool IssuerDiscovery::isRunning() const
{
    return m_discovery->isRunning();
}

} // namespace mailkey
