#pragma once

#include "core/common/Result.h"
#include "core/providers/Provider.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace mailkey {

// Completes a provider that has only an issuer from its OpenID Provider metadata
// (<issuer>/.well-known/openid-configuration, OpenID Connect Discovery 1.0 section 4).
//
// Refuses the document when:
//  - its "issuer" is not exactly the configured issuer (section 4.3; prevents impersonation),
//  - any *_endpoint or jwks_uri in it is not https (http only on loopback hosts), or has user
//    info or a fragment (Provider::endpointProblem),
//  - it has no authorization or token endpoint (and the provider has none configured),
//  - code_challenge_methods_supported is present without "S256" (absent: proceed, many providers
//    omit it), or response_types_supported is present without "code",
//  - the answer is not HTTP 200, not a JSON object, larger than maxBodySize(), or takes longer
//    than timeout() in total.
// Endpoints already configured are kept; missing ones are filled in. issRequired is set from
// authorization_response_iss_parameter_supported (RFC 9207).
//
// Asynchronous; emits exactly one of finished() / failed() per start() (none after cancel()).
// The QNetworkAccessManager is owned by the caller.
class OidcDiscovery : public QObject {
    Q_OBJECT
public:
    static constexpr int DefaultTimeoutMs = 15000;
    static constexpr qint64 DefaultMaxBodySize = 256 * 1024;

    explicit OidcDiscovery(QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~OidcDiscovery() override;

    void setTimeout(int ms) { m_timeoutMs = ms; }
    int timeout() const { return m_timeoutMs; }
    void setMaxBodySize(qint64 bytes) { m_maxBodySize = bytes; }
    qint64 maxBodySize() const { return m_maxBodySize; }

    // Starts discovery for `provider` (its issuer must be set). A running discovery is cancelled.
    // The advice that ends every "cannot use the OpenID configuration" message, for a provider
    // of providers.json; a caller with another place to fix it (the provider editor) replaces it.
    static QString providersFileAdvice();
    void start(const Provider &provider);
    void cancel();
    bool isRunning() const { return !m_reply.isNull(); }

    // <issuer without trailing "/">/.well-known/openid-configuration
    static QUrl discoveryUrl(const QString &issuer);
    // The checks and the merge, on a document already fetched.
    static Result<Provider> applyDocument(const Provider &provider, const QByteArray &json);

Q_SIGNALS:
    void finished(const mailkey::Provider &provider);
    void failed(const mailkey::Error &error);

private:
    void onMetaDataChanged();
    void onReadyRead();
    void onReplyFinished();
    void onTimeout();
    void finishWith(const Result<Provider> &result);
    void dropReply();
    QString where() const;

    QNetworkAccessManager *m_nam;
    QPointer<QNetworkReply> m_reply;
    QTimer m_timer;
    QByteArray m_body;
    Provider m_provider;
    int m_timeoutMs = DefaultTimeoutMs;
    qint64 m_maxBodySize = DefaultMaxBodySize;
};

} // namespace mailkey
