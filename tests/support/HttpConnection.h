#pragma once

// The one HTTP/1.x server-side parser of the tests: one connection of a test server, reading
// requests (request line, headers, Content-Length body, requests split across reads or
// pipelined) and writing answers. FakeAuthServer and HttpTestServer both serve through it.
//
// It is strict on purpose (FakeAuthServer's self-tests hold it to this): lines end with CRLF, a
// request line of three parts whose target starts with '/', HTTP/1.0 or HTTP/1.1 only (505),
// exactly one Host header for HTTP/1.1, no Transfer-Encoding (501), one well-formed
// Content-Length, requests > 64 KiB refused (413/431), keep-alive and pipelining, and a
// per-connection idle timeout. A malformed request gets an HTML error page and a close.

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QTimer>

#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace mailkey::test {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

struct HttpRequest {
    QByteArray method;
    QByteArray target;   // the request target as sent: path and query, not decoded
    QString path;        // the target without the query, not decoded
    QByteArray query;    // raw, without '?'
    HttpHeaders headers; // lower-case names
    QByteArray body;

    // Every value of a header; the name is matched without regard to case.
    QList<QByteArray> headerValues(const QByteArray &name) const;
    QByteArray header(const QByteArray &name) const; // the first value, or empty
};

struct HttpResponse {
    int status = 200;
    HttpHeaders headers; // Content-Length and Connection are added when it is sent
    QByteArray body;
    bool drop = false;     // close the connection without an answer
    bool close = false;    // answer, then close
    bool truncate = false; // promise more body than is sent, then close
};

QByteArray httpReasonPhrase(int status);
// An HTML page that never echoes request values (no reflected input).
HttpResponse htmlResponse(int status, const QString &title, const QString &text);

class HttpConnection : public QObject {
public:
    struct Handlers {
        // A complete request. The connection reads nothing more until send() is called (never
        // calling it leaves the client hanging).
        std::function<void(HttpConnection *, const HttpRequest &)> request;
        // Optional: the size of every chunk read from the socket, parsed or not.
        std::function<void(qsizetype)> bytesRead;
    };

    // Takes over the socket (it becomes a child of the connection); parent owns the connection.
    // The connection deletes itself once the socket is closed.
    HttpConnection(QTcpSocket *socket, QObject *parent, int idleTimeoutMs, Handlers handlers);

    void send(const HttpResponse &response);

private:
    void closeGracefully();
    void fail(int status, const char *text);
    void onReadyRead();
    void tryParse();

    QTcpSocket *m_socket;
    Handlers m_handlers;
    QByteArray m_buffer;
    QTimer m_idle;
    bool m_busy = false;
    bool m_closing = false;
    bool m_keepAlive = true;
};

} // namespace mailkey::test
