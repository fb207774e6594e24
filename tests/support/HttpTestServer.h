#pragma once

// A small HTTP server for tests, on 127.0.0.1 only (any free port): a test registers a canned or
// computed reply per method and path, and asserts on the requests it recorded. Requests are
// parsed by the same HttpConnection as FakeAuthServer's (strict HTTP/1.x, Content-Length bodies,
// requests split across reads). Optionally TLS, with a certificate the test provides.
//
// For an OAuth peer with state (codes, grants, rotation, fault injection) use FakeAuthServer;
// this one is for replies FakeAuthServer never sends and for endpoints it does not have.

#include "tests/support/HttpConnection.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

QT_BEGIN_NAMESPACE
class QSslConfiguration;
class QTcpServer;
QT_END_NAMESPACE

namespace mailkey::test {

class HttpTestServer : public QObject {
public:
    struct Reply {
        enum class Action {
            Answer, // status, headers and body (after delayMs)
            Close,  // close the connection without answering (after delayMs)
            Hang,   // never answer; the client has to give up
        };
        int status = 200;
        HttpHeaders headers; // Content-Length and Connection are added
        QByteArray body;
        int delayMs = 0;
        Action action = Action::Answer;
        bool keepAlive = false; // false: "Connection: close" and close after the answer

        static Reply json(int status, const QByteArray &body, const HttpHeaders &extraHeaders = {});
        static Reply text(int status, const QByteArray &body);
        static Reply close(int delayMs = 0);
        static Reply hang();
    };
    using Handler = std::function<Reply(const HttpRequest &)>;

    explicit HttpTestServer(QObject *parent = nullptr);
    ~HttpTestServer() override;

    bool listen();                                   // plain HTTP on 127.0.0.1, any free port
    bool listenTls(const QSslConfiguration &config); // HTTPS with the config's certificate and key
    quint16 port() const;
    QString baseUrl() const;                     // http(s)://127.0.0.1:PORT, no trailing slash
    QUrl url(const QString &pathAndQuery) const; // baseUrl() + pathAndQuery

    // The reply to method + path (the path without the query); a later call replaces it.
    void on(const QByteArray &method, const QString &path, const Reply &reply);
    void on(const QByteArray &method, const QString &path, Handler handler);
    // For every method and path without a reply of its own; default: 404 with a JSON error.
    void setFallback(const Reply &reply);

    QList<HttpRequest> requests() const { return m_requests; } // every request, oldest first
    QList<QByteArray> requestedTargets() const;                // their targets (path and query)
    qint64 bytesReceived() const { return m_bytesReceived; }   // every byte read, parsed or not
    // Forgets the requests and the bytes received so far.
    void clearRequests()
    {
        m_requests.clear();
        m_bytesReceived = 0;
    }

private:
    bool start(QTcpServer *server);
    void onRequest(HttpConnection *connection, const HttpRequest &request);

    QTcpServer *m_server = nullptr;
    bool m_tls = false;
    QHash<QByteArray, Handler> m_routes; // "METHOD path"
    Reply m_fallback;
    QList<HttpRequest> m_requests;
    qint64 m_bytesReceived = 0;
};

} // namespace mailkey::test
