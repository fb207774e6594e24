#pragma once

#include "core/common/SecureBytes.h"

#include <QAbstractOAuthReplyHandler>
#include <QByteArray>
#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QNetworkReply>
#include <QString>
#include <QVariantMap>

#include <memory>
#include <unordered_map>

QT_BEGIN_NAMESPACE
class QTcpServer;
class QTcpSocket;
class QTimer;
QT_END_NAMESPACE

namespace mailkey {

class Clock;

// MailKey's RFC 8252 loopback redirect listener for the authorization code flow. Replaces Qt's
// QOAuthHttpServerReplyHandler (see PLATFORM-NOTES): it listens on loopback only, serves exactly
// `GET <path>?<query>`, checks Host, bounds every request, checks `state` before anything else,
// is used once, and stops listening as soon as the attempt has an answer.
//
// Per request (none of the refusals below touch the sign-in attempt):
//   - garbage, bare LF, HTTP/0.9, bad header syntax, missing/duplicate/foreign Host -> 400
//   - request line longer than MaxHeaderBytes -> 414; headers over MaxHeaderBytes or
//     MaxHeaderCount -> 431
//   - method other than GET -> 405 (Allow: GET); Content-Length > 0 -> 413; Transfer-Encoding
//     or bytes after the header block -> 400
//   - any path other than exactly redirectPath (prefixes, favicon, ...) -> 404
//   - not complete within requestTimeout (slowloris) -> 408 and close
//   - connection slots: maxConnections for this user's connections (and those whose owner
//     cannot be told: outside Linux); when they are full the oldest one still sending its
//     request is dropped for the new one. Connections of other local users (Linux: the owner
//     of the peer socket in /proc/net/tcp, see LoopbackPeer.h) get MaxForeignConnections
//     slots of their own and are closed at once beyond that, so they can never crowd out the
//     browser's callback.
// Host header: "<host>:<port>" (case-insensitive). For host "localhost" the loopback literals
// "127.0.0.1:<port>" and "[::1]:<port>" are accepted too: an IP literal cannot be a DNS
// rebinding name, and browsers may show either. For host "127.0.0.1" only "127.0.0.1:<port>".
//
// On a GET of the exact path, in this order:
//   1. state missing / wrong / already used -> 400 "not valid" page, callbackRejected(), and the
//      listener keeps waiting (a forged `?error=access_denied` cannot end the attempt).
//   2. deadline passed -> "took too long" page, callbackRejected(Expired) + expired().
//   3. RFC 9207 iss wrong, or missing while required -> callbackRejected(WrongIssuer /
//      MissingIssuer).
//   4. error=... -> failure page, callbackError(error, description).
//   5. code=... -> success page, callbackReceived({code, state, iss, ...}).
//   6. neither code nor error -> 400, callbackRejected(MalformedCallback), keeps waiting.
// Steps 2-5 use the state up (it is refused as ReusedState afterwards) and close the listener
// (close()) before the signal is emitted. Values in callbackReceived are percent-decoded once.
//
// Nothing that came in a request (query, code, state) is ever logged. Signals are emitted from
// inside the socket handling: a receiver that wants to destroy the handler uses deleteLater().
class LoopbackReplyHandler : public QAbstractOAuthReplyHandler {
    Q_OBJECT

public:
    enum class RejectReason {
        MissingState,
        WrongState,
        ReusedState,
        WrongIssuer,
        MissingIssuer,
        Expired,
        MalformedCallback, // right state, but no code and no error (or one of them repeated)
    };
    Q_ENUM(RejectReason)

    static constexpr int DefaultRequestTimeoutMs = 10000;
    static constexpr int DefaultMaxConnections = 16;
    static constexpr int MaxForeignConnections = 4;
    static constexpr int MaxHeaderBytes = 8192; // request line + headers + blank line
    static constexpr int MaxHeaderCount = 100;
    static constexpr int MaxErrorDescriptionChars = 300;

    // redirectHost: "127.0.0.1" (RFC 8252, default) or "localhost" (Microsoft Entra).
    // redirectPath: absolute path, distinct per provider (mix-up defence), e.g. "/oauth/google".
    LoopbackReplyHandler(const QString &redirectHost, const QString &redirectPath, QObject *parent = nullptr);
    ~LoopbackReplyHandler() override;

    // Binds a fresh ephemeral port on 127.0.0.1 (and on [::1] with the same port for
    // "localhost", when available). Never binds any other interface. Calling it again closes
    // the previous listener first. Returns false if the host/path are invalid or binding fails.
    bool listen();
    // Stops listening and drops every connection still sending its request. A response that is
    // already written is allowed to reach the browser (bounded by requestTimeout).
    void close();
    bool isListening() const;
    quint16 port() const; // the last bound port (kept after close() so callback() stays stable)
    QList<QHostAddress> listenAddresses() const;

    // "http://<host>:<port><path>" on every Qt version; unchanged after close().
    QString callback() const override;
    QString redirectHost() const { return m_host; }
    QString redirectPath() const { return m_path; }

    // The state sent in the authorization request. Each new attempt needs a new state.
    void setExpectedState(const QByteArray &state);
    // RFC 9207. An empty issuer disables the check of a present `iss`.
    void setExpectedIssuer(const QString &issuer, bool issRequired);
    // A callback arriving after the deadline is refused. clock may be null (system clock).
    void setDeadline(const QDateTime &deadline, const Clock *clock);
    void setRequestTimeout(int ms); // per-connection limit for the whole request (tests)
    int requestTimeout() const { return m_requestTimeoutMs; }
    void setMaxConnections(int count);
    int connectionCount() const { return int(m_connections.size()); }

    // The connect flow parses token replies itself and hands the result back here, which
    // emits tokensReceived() for a QOAuth2AuthorizationCodeFlow using this handler.
    void deliverTokens(const QVariantMap &tokens);

public Q_SLOTS:
    // Does not parse: emits tokenReplyReceived() with the raw reply.
    void networkReplyFinished(QNetworkReply *reply) override;

Q_SIGNALS:
    void callbackRejected(mailkey::LoopbackReplyHandler::RejectReason reason);
    void callbackError(const QString &error, const QString &description);
    void expired();
    void tokenReplyReceived(int httpStatus, const QByteArray &contentType, const QByteArray &body,
                            const QByteArray &retryAfter, QNetworkReply::NetworkError error);

private:
    struct Connection {
        QByteArray buffer;
        QTimer *timer = nullptr;
        bool responded = false;
        bool foreign = false; // opened by another local user
        quint64 serial = 0;   // order of arrival
    };
    struct Response {
        int status = 400;
        QString title;
        QString message;
        bool success = false;
        bool allowGet = false;
    };

    void onNewConnection(QTcpServer *server);
    bool admit(QTcpSocket *socket); // makes room if needed; false: close the new connection
    void onReadyRead(QTcpSocket *socket);
    void onTimeout(QTcpSocket *socket);
    void dropConnection(QTcpSocket *socket, bool abort);
    void finishWriting(QTcpSocket *socket);
    void processBuffer(QTcpSocket *socket, Connection &conn);
    void handleCallback(QTcpSocket *socket, Connection &conn, const QByteArray &query);
    void respond(QTcpSocket *socket, Connection &conn, const Response &response);
    void refuse(QTcpSocket *socket, Connection &conn, int status);
    void reject(QTcpSocket *socket, Connection &conn, RejectReason reason);
    void consumeState();
    void closeListener();

    QString m_host;
    QString m_path;
    QList<QTcpServer *> m_servers;
    // Node-based map: entries stay put while others are removed during a callback.
    std::unordered_map<QTcpSocket *, std::unique_ptr<Connection>> m_connections;
    quint16 m_port = 0;

    SecureBytes m_expectedState;
    QList<QByteArray> m_usedStateHashes; // SHA-256 of states already used
    QString m_issuer;
    bool m_issRequired = false;
    QDateTime m_deadline;
    const Clock *m_clock = nullptr;
    int m_requestTimeoutMs = DefaultRequestTimeoutMs;
    int m_maxConnections = DefaultMaxConnections;
    quint64 m_serial = 0;
    bool m_admittingForeign = false; // set by admit() for the connection being accepted
};

} // namespace mailkey
