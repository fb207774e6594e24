#include "tests/support/HttpTestServer.h"

#include <QHostAddress>
#include <QSslConfiguration>
#include <QSslServer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <utility>

namespace mailkey::test {

namespace {

constexpr int kIdleTimeoutMs = 10000;

QByteArray routeKey(const QByteArray &method, const QString &path)
{
    return method + ' ' + path.toUtf8();
}

} // namespace

HttpTestServer::Reply HttpTestServer::Reply::json(int status, const QByteArray &body, const HttpHeaders &extraHeaders)
{
    Reply r;
    r.status = status;
    r.headers.emplaceBack("Content-Type", "application/json");
    r.headers.append(extraHeaders);
    r.body = body;
    return r;
}

HttpTestServer::Reply HttpTestServer::Reply::text(int status, const QByteArray &body)
{
    Reply r;
    r.status = status;
    r.headers.emplaceBack("Content-Type", "text/plain");
    r.body = body;
    return r;
}

HttpTestServer::Reply HttpTestServer::Reply::close(int delayMs)
{
    Reply r;
    r.action = Action::Close;
    r.delayMs = delayMs;
    return r;
}

HttpTestServer::Reply HttpTestServer::Reply::hang()
{
    Reply r;
    r.action = Action::Hang;
    return r;
}

HttpTestServer::HttpTestServer(QObject *parent)
    : QObject(parent), m_fallback(Reply::json(404, QByteArrayLiteral("{\"error\":\"not found\"}")))
{}

HttpTestServer::~HttpTestServer()
{
    // The connections call back into this: delete them (every child but the listener) while it
    // is whole.
    if (m_server)
        m_server->close();
    const QObjectList kids = children();
    for (QObject *kid : kids) {
        if (kid != m_server)
            delete kid;
    }
}

bool HttpTestServer::listen()
{
    m_tls = false;
    return start(new QTcpServer(this));
}

bool HttpTestServer::listenTls(const QSslConfiguration &config)
{
    auto *server = new QSslServer(this);
    server->setSslConfiguration(config);
    m_tls = true;
    return start(server);
}

bool HttpTestServer::start(QTcpServer *server)
{
    delete m_server;
    m_server = server;
    // A TLS connection becomes pending once its handshake is done.
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            HttpConnection::Handlers handlers;
            handlers.request = [this](HttpConnection *c, const HttpRequest &r) { onRequest(c, r); };
            handlers.bytesRead = [this](qsizetype n) { m_bytesReceived += n; };
            new HttpConnection(socket, this, kIdleTimeoutMs, std::move(handlers)); // owned by this
        }
    });
    return m_server->listen(QHostAddress(QHostAddress::LocalHost), 0);
}

quint16 HttpTestServer::port() const
{
    return m_server ? m_server->serverPort() : 0;
}

QString HttpTestServer::baseUrl() const
{
    return QStringLiteral("%1://127.0.0.1:%2")
        .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"))
        .arg(port());
}

QUrl HttpTestServer::url(const QString &pathAndQuery) const
{
    return QUrl(baseUrl() + pathAndQuery);
}

void HttpTestServer::on(const QByteArray &method, const QString &path, const Reply &reply)
{
    on(method, path, [reply](const HttpRequest &) { return reply; });
}

void HttpTestServer::on(const QByteArray &method, const QString &path, Handler handler)
{
    m_routes.insert(routeKey(method, path), std::move(handler));
}

void HttpTestServer::setFallback(const Reply &reply)
{
    m_fallback = reply;
}

QList<QByteArray> HttpTestServer::requestedTargets() const
{
    QList<QByteArray> targets;
    for (const HttpRequest &r : m_requests)
        targets.append(r.target);
    return targets;
}

void HttpTestServer::onRequest(HttpConnection *connection, const HttpRequest &request)
{
    m_requests.append(request);
    const auto route = m_routes.constFind(routeKey(request.method, request.path));
    const Reply reply = route != m_routes.constEnd() ? (*route)(request) : m_fallback;
    if (reply.action == Reply::Action::Hang)
        return;
    HttpResponse response;
    response.status = reply.status;
    response.headers = reply.headers;
    response.body = reply.body;
    response.drop = reply.action == Reply::Action::Close;
    response.close = !reply.keepAlive;
    if (reply.delayMs <= 0) {
        connection->send(response);
        return;
    }
    // The timer goes with the connection if the client gives up first.
    QTimer::singleShot(reply.delayMs, connection, [connection, response] { connection->send(response); });
}

} // namespace mailkey::test
