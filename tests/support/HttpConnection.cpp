#include "tests/support/HttpConnection.h"

#include <QTcpSocket>

#include <utility>

namespace mailkey::test {

namespace {

constexpr qsizetype kMaxRequestBytes = 64 * 1024;

} // namespace

QList<QByteArray> HttpRequest::headerValues(const QByteArray &name) const
{
    const QByteArray lower = name.toLower();
    QList<QByteArray> values;
    for (const auto &h : headers) {
        if (h.first == lower)
            values.append(h.second);
    }
    return values;
}

QByteArray HttpRequest::header(const QByteArray &name) const
{
    const QList<QByteArray> v = headerValues(name);
    return v.isEmpty() ? QByteArray() : v.first();
}

QByteArray httpReasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Status";
    }
}

HttpResponse htmlResponse(int status, const QString &title, const QString &text)
{
    HttpResponse r;
    r.status = status;
    r.headers.emplaceBack("Content-Type", "text/html; charset=utf-8");
    r.headers.emplaceBack("Cache-Control", "no-store");
    r.body = QStringLiteral("<!DOCTYPE html>\n<html><head><title>%1</title></head><body><h1>%1</h1>"
                            "<p>%2</p></body></html>\n")
                 .arg(title.toHtmlEscaped(), text.toHtmlEscaped())
                 .toUtf8();
    return r;
}

HttpConnection::HttpConnection(QTcpSocket *socket, QObject *parent, int idleTimeoutMs, Handlers handlers)
    : QObject(parent), m_socket(socket), m_handlers(std::move(handlers))
{
    m_socket->setParent(this);
    m_idle.setSingleShot(true);
    m_idle.setInterval(idleTimeoutMs);
    connect(&m_idle, &QTimer::timeout, this, [this] {
        if (!m_busy)
            closeGracefully();
    });
    connect(m_socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
    connect(m_socket, &QTcpSocket::disconnected, this, [this] { deleteLater(); });
    connect(m_socket, &QAbstractSocket::errorOccurred, this, [this] {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            deleteLater();
    });
    m_idle.start();
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

void HttpConnection::send(const HttpResponse &response)
{
    if (m_closing)
        return;
    if (response.drop) {
        m_closing = true;
        m_socket->abort();
        deleteLater();
        return;
    }
    const bool keepAlive = m_keepAlive && !response.close && !response.truncate;
    QByteArray out
        = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + httpReasonPhrase(response.status) + "\r\n";
    for (const auto &h : response.headers)
        out += h.first + ": " + h.second + "\r\n";
    const qsizetype length = response.truncate ? response.body.size() + 512 : response.body.size();
    out += "Content-Length: " + QByteArray::number(length) + "\r\n";
    out += keepAlive ? QByteArray("Connection: keep-alive\r\n") : QByteArray("Connection: close\r\n");
    out += "\r\n";
    out += response.body;
    m_socket->write(out);
    if (!keepAlive) {
        closeGracefully();
        return;
    }
    m_busy = false;
    m_idle.start();
    QMetaObject::invokeMethod(
        this, [this] { tryParse(); }, Qt::QueuedConnection);
}

void HttpConnection::closeGracefully()
{
    m_closing = true;
    m_idle.stop();
    m_socket->disconnectFromHost();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        deleteLater();
}

void HttpConnection::fail(int status, const char *text)
{
    m_keepAlive = false;
    HttpResponse r = htmlResponse(status, QString::fromLatin1(httpReasonPhrase(status)), QString::fromLatin1(text));
    r.close = true;
    send(r);
}

void HttpConnection::onReadyRead()
{
    const QByteArray data = m_socket->readAll();
    if (m_handlers.bytesRead && !data.isEmpty())
        m_handlers.bytesRead(data.size());
    if (m_closing)
        return;
    m_buffer += data;
    if (!m_busy)
        m_idle.start();
    // A client that pipelines far more than one request while we are busy is abusive.
    if (m_buffer.size() > 4 * kMaxRequestBytes) {
        m_closing = true;
        m_socket->abort();
        deleteLater();
        return;
    }
    tryParse();
}

void HttpConnection::tryParse()
{
    if (m_busy || m_closing || m_buffer.isEmpty())
        return;
    const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (m_buffer.size() > kMaxRequestBytes)
            fail(431, "The request header is too large.");
        return;
    }
    if (headerEnd > kMaxRequestBytes) {
        fail(431, "The request header is too large.");
        return;
    }
    const QList<QByteArray> lines = m_buffer.left(headerEnd).split('\n');
    QList<QByteArray> clean;
    for (const QByteArray &line : lines) {
        if (!line.endsWith('\r') && &line != &lines.last()) {
            fail(400, "Lines must end with CRLF.");
            return;
        }
        clean.append(line.endsWith('\r') ? line.chopped(1) : line);
    }
    const QList<QByteArray> requestLine = clean.first().split(' ');
    if (requestLine.size() != 3 || requestLine.at(0).isEmpty() || !requestLine.at(1).startsWith('/')) {
        fail(400, "Malformed request line.");
        return;
    }
    const QByteArray version = requestLine.at(2);
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
        fail(505, "Only HTTP/1.0 and HTTP/1.1 are supported.");
        return;
    }
    HttpRequest request;
    request.method = requestLine.at(0);
    for (char c : std::as_const(request.method)) {
        if (c < 'A' || c > 'Z') {
            fail(400, "Malformed method.");
            return;
        }
    }
    for (qsizetype i = 1; i < clean.size(); ++i) {
        const QByteArray &line = clean.at(i);
        const qsizetype colon = line.indexOf(':');
        if (line.isEmpty() || line.at(0) == ' ' || line.at(0) == '\t' || colon <= 0) {
            fail(400, "Malformed header line.");
            return;
        }
        const QByteArray name = line.left(colon);
        if (name.contains(' ') || name.contains('\t')) {
            fail(400, "Malformed header name.");
            return;
        }
        request.headers.append({name.toLower(), line.mid(colon + 1).trimmed()});
    }
    const bool http11 = version == "HTTP/1.1";
    if (http11 && request.headerValues("host").size() != 1) {
        fail(400, "HTTP/1.1 requests need exactly one Host header.");
        return;
    }
    if (!request.headerValues("transfer-encoding").isEmpty()) {
        fail(501, "Transfer-Encoding is not supported; send Content-Length.");
        return;
    }
    const QList<QByteArray> lengths = request.headerValues("content-length");
    qsizetype length = 0;
    if (lengths.size() > 1) {
        fail(400, "More than one Content-Length header.");
        return;
    }
    if (lengths.size() == 1) {
        const QByteArray &v = lengths.first();
        bool ok = !v.isEmpty() && v.size() <= 9;
        for (char c : v)
            ok = ok && c >= '0' && c <= '9';
        if (!ok) {
            fail(400, "Malformed Content-Length.");
            return;
        }
        length = v.toLongLong();
    }
    const qsizetype total = headerEnd + 4 + length;
    if (total > kMaxRequestBytes) {
        fail(413, "The request is too large.");
        return;
    }
    if (m_buffer.size() < total)
        return; // wait for the rest of the body
    request.body = m_buffer.mid(headerEnd + 4, length);
    m_buffer.remove(0, total);

    request.target = requestLine.at(1);
    const qsizetype q = request.target.indexOf('?');
    request.path = QString::fromLatin1(q < 0 ? request.target : request.target.left(q));
    request.query = q < 0 ? QByteArray() : request.target.mid(q + 1);
    const QByteArray connection = request.header("connection").toLower();
    m_keepAlive = http11 ? !connection.contains("close") : connection.contains("keep-alive");

    m_busy = true;
    m_idle.stop();
    m_handlers.request(this, request);
}

} // namespace mailkey::test
