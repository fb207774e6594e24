#pragma once

#include "core/common/SecureBytes.h"
#include "core/oauth/FormEncoder.h"
#include "core/oauth/TokenReply.h"

#include <QByteArray>
#include <QNetworkReply>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QObject;
QT_END_NAMESPACE

namespace mailkey {

// The raw answer of a token endpoint (or revocation endpoint) to one form POST. The body is
// wiped when the last copy is destroyed (copies share it until written to).
struct TokenEndpointReply {
    const QNetworkReply *reply = nullptr; // the finished reply (deleted later): which request
    int httpStatus = 0;                   // 0: no HTTP answer (no connection, timeout, TLS failure)
    QNetworkReply::NetworkError networkError = QNetworkReply::NoError;
    QString errorString; // Qt's text for networkError; names the host, never a form value
    QByteArray contentType;
    QByteArray retryAfter; // the Retry-After header as sent (parseRetryAfter reads it)
    QByteArray body;       // at most Request::maxReplyBytes

    TokenEndpointReply() = default;
    TokenEndpointReply(const TokenEndpointReply &) = default;
    TokenEndpointReply(TokenEndpointReply &&) noexcept = default;
    TokenEndpointReply &operator=(const TokenEndpointReply &) = default;
    TokenEndpointReply &operator=(TokenEndpointReply &&) noexcept = default;
    ~TokenEndpointReply() { secureWipe(body); }

    // The body read as a token reply (code exchange, refresh; later the device flow).
    TokenReplyResult parse(const QDateTime &now, const QStringList &requestedScopes,
                           const SecretString &previousRefreshToken = SecretString()) const;
};

// The one way MailKey talks to an OAuth token endpoint and to a revocation endpoint (RFC 7009):
// refresh (TokenManager), revocation (Revoker), and whatever else posts a form there (the device
// authorization of RFC 8628, a connection check). The code exchange of a sign-in is posted by
// QOAuth2AuthorizationCodeFlow, whose parameters are encoded by FormEncoder::encode().
//
// One request:
//  - the caller's form (FormEncoder), then client authentication: client_id, and client_secret
//    only when the provider has one (client_secret_post, RFC 6749 2.3.1; a public client sends
//    no secret at all);
//  - POST with Content-Type application/x-www-form-urlencoded and Accept application/json;
//    redirects are not followed (a form with a token never goes to another address), nothing is
//    read from or written to an HTTP cache; the transfer times out after transferTimeoutMs;
//  - TLS as QNetworkAccessManager does it by default: the certificate chain and the host name
//    are verified, and SSL errors are never ignored, so a server whose certificate does not
//    verify receives nothing of the form (the handshake fails first; httpStatus 0).
//  - The form's buffer is held by the request until the reply is finished, then wiped.
//
// The client keeps no state besides the network access manager: the caller owns the reply it
// gets back (dropReply() to abandon it, which also means `done` is never called) and does its
// own pacing (RateLimiter) and failure policy.
class TokenEndpointClient {
public:
    struct ClientCredentials {
        QString clientId;
        QString clientSecret; // empty: a public client
    };
    struct Request {
        QUrl endpoint;
        FormEncoder form; // the grant's own parameters, client authentication is added
        ClientCredentials client;
        int transferTimeoutMs = 30000;
        qsizetype maxReplyBytes = kMaxTokenReplySize + 1; // one more: an oversized reply is seen
    };
    using Callback = std::function<void(const TokenEndpointReply &reply)>;

    explicit TokenEndpointClient(QNetworkAccessManager *network) : m_network(network) {}

    // Posts the request. `done` runs once, in `receiver`'s thread, when the reply is finished;
    // never when `receiver` is gone or the reply was dropped with dropReply(reply, receiver).
    QNetworkReply *post(Request request, const QObject *receiver, Callback done) const;

    // The forms MailKey sends (the grant's parameters, in this order; client authentication
    // follows when posted).
    static FormEncoder refreshGrant(const SecretString &refreshToken, const QStringList &scopes);
    static FormEncoder revocation(const SecretString &token, const QString &tokenTypeHint);

private:
    QNetworkAccessManager *m_network;
};

} // namespace mailkey
