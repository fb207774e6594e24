#include "core/oauth/LoopbackReplyHandler.h"

#include "core/common/Clock.h"
#include "core/common/SecureBytes.h"
#include "core/oauth/CallbackPage.h"
#include "core/oauth/LoopbackPeer.h"
#include "core/oauth/LoopbackRequest.h"

#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcLoopback, "mailkey.oauth.loopback")

// How long an answered connection may stay open so the browser can read the page.
constexpr int kMaxLingerMs = 2000;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return QByteArrayLiteral("OK");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 413:
        return QByteArrayLiteral("Content Too Large");
    case 414:
        return QByteArrayLiteral("URI Too Long");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    default:
        return QByteArrayLiteral("Error");
    }
}

const char *reasonName(LoopbackReplyHandler::RejectReason reason)
{
    switch (reason) {
    case LoopbackReplyHandler::RejectReason::MissingState:
        return "missing state";
    case LoopbackReplyHandler::RejectReason::WrongState:
        return "wrong state";
    case LoopbackReplyHandler::RejectReason::ReusedState:
        return "state already used";
    case LoopbackReplyHandler::RejectReason::WrongIssuer:
        return "wrong issuer";
    case LoopbackReplyHandler::RejectReason::MissingIssuer:
        return "missing issuer";
    case LoopbackReplyHandler::RejectReason::Expired:
        return "expired";
    case LoopbackReplyHandler::RejectReason::MalformedCallback:
        return "no code and no error";
    }
    return "unknown";
}

} // namespace

LoopbackReplyHandler::LoopbackReplyHandler(const QString &redirectHost, const QString &redirectPath, QObject *parent)
    : QAbstractOAuthReplyHandler(parent), m_host(redirectHost.toLower()), m_path(redirectPath)
{}

LoopbackReplyHandler::~LoopbackReplyHandler()
{
    close();
    // Answered connections still draining: drop them now, without signals into a dead object.
    while (!m_connections.empty())
        dropConnection(m_connections.begin()->first, true);
}

bool LoopbackReplyHandler::listen()
{
    close();
    if (m_host != QLatin1String("127.0.0.1") && m_host != QLatin1String("localhost")) {
        qCWarning(lcLoopback, "refusing to listen: redirect host must be 127.0.0.1 or localhost");
        return false;
    }
    if (!m_path.startsWith(QLatin1Char('/')) || m_path.contains(QLatin1Char('?')) || m_path.contains(QLatin1Char('#'))
        || m_path.contains(QLatin1Char(' '))) {
        qCWarning(lcLoopback, "refusing to listen: redirect path must be an absolute path");
        return false;
    }

    auto *v4 = new QTcpServer(this);
    // Not QHostAddress::LocalHost alone: that enum would pick the quint16 overload elsewhere.
    if (!v4->listen(QHostAddress(QHostAddress::LocalHost), 0)) {
        qCWarning(lcLoopback) << "could not listen on 127.0.0.1:" << v4->errorString();
        delete v4;
        return false;
    }
    m_port = v4->serverPort();
    m_servers.append(v4);

    if (m_host == QLatin1String("localhost")) {
        // Browsers may resolve localhost to ::1. Optional: 127.0.0.1 alone is fine.
        auto *v6 = new QTcpServer(this);
        if (v6->listen(QHostAddress(QHostAddress::LocalHostIPv6), m_port))
            m_servers.append(v6);
        else
            delete v6;
    }
    for (QTcpServer *server : std::as_const(m_servers)) {
        connect(server, &QTcpServer::newConnection, this, [this, server] { onNewConnection(server); });
    }
    qCInfo(lcLoopback, "listening for the sign-in redirect on loopback port %u (%d address(es))", unsigned(m_port),
           int(m_servers.size()));
    return true;
}

void LoopbackReplyHandler::close()
{
    closeListener();
}

bool LoopbackReplyHandler::isListening() const
{
    return !m_servers.isEmpty();
}

quint16 LoopbackReplyHandler::port() const
{
    return m_port;
}

QList<QHostAddress> LoopbackReplyHandler::listenAddresses() const
{
    QList<QHostAddress> out;
    for (const QTcpServer *server : m_servers)
        out.append(server->serverAddress());
    return out;
}

QString LoopbackReplyHandler::callback() const
{
    return QStringLiteral("http://") + m_host + QLatin1Char(':') + QString::number(m_port) + m_path;
}

void LoopbackReplyHandler::setExpectedState(const QByteArray &state)
{
    m_expectedState = SecureBytes(QByteArray(state.constData(), state.size())); // our own copy, wiped by us
}

void LoopbackReplyHandler::setExpectedIssuer(const QString &issuer, bool issRequired)
{
    m_issuer = issuer;
    m_issRequired = issRequired;
}

void LoopbackReplyHandler::setDeadline(const QDateTime &deadline, const Clock *clock)
{
    m_deadline = deadline;
    m_clock = clock;
}

void LoopbackReplyHandler::setRequestTimeout(int ms)
{
    m_requestTimeoutMs = qMax(1, ms);
}

void LoopbackReplyHandler::setMaxConnections(int count)
{
    m_maxConnections = qMax(1, count);
}

void LoopbackReplyHandler::deliverTokens(const QVariantMap &tokens)
{
    Q_EMIT tokensReceived(tokens);
}

void LoopbackReplyHandler::networkReplyFinished(QNetworkReply *reply)
{
    if (!reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray contentType = reply->rawHeader(QByteArrayLiteral("Content-Type"));
    const QByteArray retryAfter = reply->rawHeader(QByteArrayLiteral("Retry-After"));
    QByteArray body = reply->readAll();
    Q_EMIT tokenReplyReceived(status, contentType, body, retryAfter, reply->error());
    secureWipe(body); // only our reference if a receiver kept a copy
}

// --- connections -------------------------------------------------------------------------------

void LoopbackReplyHandler::onNewConnection(QTcpServer *server)
{
    while (server->hasPendingConnections()) {
        QTcpSocket *socket = server->nextPendingConnection();
        if (!socket)
            break;
        if (!admit(socket)) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        socket->setParent(this);
        auto conn = std::make_unique<Connection>();
        conn->foreign = m_admittingForeign;
        conn->serial = ++m_serial;
        conn->timer = new QTimer(socket);
        conn->timer->setSingleShot(true);
        conn->timer->start(m_requestTimeoutMs);
        connect(conn->timer, &QTimer::timeout, this, [this, socket] { onTimeout(socket); });
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::bytesWritten, this, [this, socket] { finishWriting(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] { dropConnection(socket, false); });
        connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] {
            // A reset while a response drains is normal; anything else ends the connection too.
            dropConnection(socket, true);
        });
        m_connections.emplace(socket, std::move(conn));
        if (socket->bytesAvailable() > 0)
            onReadyRead(socket);
    }
}

bool LoopbackReplyHandler::admit(QTcpSocket *socket)
{
    // Other users of this computer can see the port (/proc/net/tcp) and connect to it; the
    // browser runs as this user. Connections of another user share a small budget of their own,
    // so however many they open, or however slowly they send, the browser still gets in.
    const std::optional<uint> uid
        = loopbackPeerUid(socket->peerAddress(), socket->peerPort(), socket->localAddress(), socket->localPort());
#ifdef Q_OS_UNIX
    m_admittingForeign = uid && *uid != uint(::geteuid());
#else
    m_admittingForeign = false;
#endif
    int own = 0, foreign = 0;
    QTcpSocket *oldest = nullptr;
    quint64 oldestSerial = 0;
    for (const auto &[s, c] : m_connections) {
        (c->foreign ? foreign : own)++;
        if (!c->foreign && !c->responded && (!oldest || c->serial < oldestSerial)) {
            oldest = s;
            oldestSerial = c->serial;
        }
    }
    if (m_admittingForeign) {
        if (foreign < MaxForeignConnections)
            return true;
        qCDebug(lcLoopback, "too many connections from other users: closing a new one");
        return false;
    }
    if (own < m_maxConnections)
        return true;
    // Full with this user's own (or unattributable) connections: drop the oldest one still
    // sending its request. The browser sends its whole request at once, so a connection that
    // is slow to finish is the one to go, and a new one always gets its chance.
    if (!oldest)
        return false;
    qCDebug(lcLoopback, "too many connections: dropping the oldest unfinished one");
    dropConnection(oldest, true);
    return true;
}

void LoopbackReplyHandler::dropConnection(QTcpSocket *socket, bool abort)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    std::unique_ptr<Connection> conn = std::move(it->second);
    m_connections.erase(it);
    secureWipe(conn->buffer);
    if (conn->timer)
        conn->timer->stop();
    QObject::disconnect(socket, nullptr, this, nullptr);
    if (conn->timer)
        QObject::disconnect(conn->timer, nullptr, this, nullptr);
    if (abort)
        socket->abort();
    socket->deleteLater();
}

void LoopbackReplyHandler::onTimeout(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    if (it->second->responded) {
        dropConnection(socket, true); // the browser had its time to read the page
        return;
    }
    qCDebug(lcLoopback, "request not complete in time: 408");
    refuse(socket, *it->second, 408);
}

void LoopbackReplyHandler::onReadyRead(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end())
        return;
    Connection &conn = *it->second;
    if (conn.responded) {
        socket->skip(socket->bytesAvailable()); // read and forget until the browser closes
        return;
    }
    const qint64 room = qint64(MaxHeaderBytes) + 1 - conn.buffer.size();
    if (room > 0)
        conn.buffer.append(socket->read(room));
    if (socket->bytesAvailable() > 0)
        socket->skip(socket->bytesAvailable()); // over the limit anyway: refused below
    processBuffer(socket, conn);
}

void LoopbackReplyHandler::finishWriting(QTcpSocket *socket)
{
    const auto it = m_connections.find(socket);
    if (it == m_connections.end() || !it->second->responded || socket->bytesToWrite() > 0)
        return;
#ifdef Q_OS_UNIX
    // Half-close: the browser gets FIN after the page, while we keep reading (and discarding)
    // whatever it still sends, so closing cannot turn into a reset that loses the page.
    if (socket->socketDescriptor() >= 0 && ::shutdown(int(socket->socketDescriptor()), SHUT_WR) == 0)
        return;
#endif
    socket->disconnectFromHost();
}

// --- HTTP --------------------------------------------------------------------------------------

void LoopbackReplyHandler::processBuffer(QTcpSocket *socket, Connection &conn)
{
    const LoopbackRequestHead head = parseLoopbackRequestHead(conn.buffer, {m_host, m_port, m_path});
    switch (head.verdict) {
    case LoopbackRequestHead::Verdict::NeedMore:
        return; // wait for more (bounded by the size limit and the timer)
    case LoopbackRequestHead::Verdict::Refuse:
        refuse(socket, conn, head.status);
        return;
    case LoopbackRequestHead::Verdict::Callback:
        handleCallback(socket, conn, head.query);
        return;
    }
}

void LoopbackReplyHandler::handleCallback(QTcpSocket *socket, Connection &conn, const QByteArray &query)
{
    LoopbackCallbackExpectations expect;
    expect.expectedState = m_expectedState.bytes(); // shares the buffer m_expectedState wipes
    expect.usedStateHashes = m_usedStateHashes;
    expect.issuer = m_issuer;
    expect.issRequired = m_issRequired;
    expect.deadline = m_deadline;
    expect.clock = m_clock;
    const LoopbackCallback cb = checkLoopbackCallback(query, expect);
    expect.expectedState.clear();

    switch (cb.verdict) {
    case LoopbackCallback::Verdict::Rejected:
        reject(socket, conn, cb.reason);
        return;
    case LoopbackCallback::Verdict::Error: {
        Response page;
        page.status = 200;
        if (cb.error == QLatin1String("access_denied")) {
            page.title = tr("Sign-in cancelled");
            page.message = tr("Access was not granted, so MailKey cannot connect this mailbox. Close this tab "
                              "and connect again in MailKey if you want to try again.");
        } else {
            page.title = tr("Sign-in failed");
            page.message = tr("The provider could not complete the sign-in. Close this tab and return to "
                              "MailKey for what to do next.");
        }
        if (!cb.description.isEmpty())
            page.message += tr(" The provider said: “%1”").arg(cb.description);
        respond(socket, conn, page);
        consumeState();
        closeListener();
        qCInfo(lcLoopback, "the provider reported an error in the redirect");
        Q_EMIT callbackError(cb.error, cb.description);
        return;
    }
    case LoopbackCallback::Verdict::Code: {
        Response page;
        page.status = 200;
        page.success = true;
        page.title = tr("Signed in");
        page.message = tr("You can close this tab and return to MailKey.");
        respond(socket, conn, page);
        consumeState();
        closeListener();
        qCInfo(lcLoopback, "authorization redirect accepted; listener closed");
        Q_EMIT callbackReceived(cb.values);
        return;
    }
    }
}

void LoopbackReplyHandler::reject(QTcpSocket *socket, Connection &conn, RejectReason reason)
{
    Response page;
    page.status = 400;
    bool endsAttempt = false;
    switch (reason) {
    case RejectReason::MissingState:
    case RejectReason::WrongState:
    case RejectReason::ReusedState:
    case RejectReason::MalformedCallback:
        page.title = tr("Sign-in link not valid");
        page.message = tr("This sign-in link is not valid for the current attempt. Return to MailKey and "
                          "connect again if you are still signing in.");
        break;
    case RejectReason::WrongIssuer:
    case RejectReason::MissingIssuer:
        page.title = tr("Sign-in not accepted");
        page.message = tr("This sign-in answer did not come from the expected provider, so MailKey did not "
                          "use it. Please connect again.");
        endsAttempt = true;
        break;
    case RejectReason::Expired:
        page.title = tr("Sign-in expired");
        page.message = tr("This sign-in took too long and has expired. Please connect again.");
        endsAttempt = true;
        break;
    }
    respond(socket, conn, page);
    qCWarning(lcLoopback, "sign-in redirect refused: %s", reasonName(reason));
    if (endsAttempt) {
        consumeState();
        closeListener();
    }
    Q_EMIT callbackRejected(reason);
    if (reason == RejectReason::Expired)
        Q_EMIT expired();
}

void LoopbackReplyHandler::refuse(QTcpSocket *socket, Connection &conn, int status)
{
    Response page;
    page.status = status;
    page.title = QStringLiteral("MailKey");
    switch (status) {
    case 404:
        page.message = tr("There is nothing here.");
        break;
    case 405:
        page.allowGet = true;
        page.message = tr("This request is not supported here.");
        break;
    case 408:
        page.message = tr("The request took too long.");
        break;
    default:
        page.message = tr("The request could not be handled.");
        break;
    }
    qCDebug(lcLoopback, "refused a request with HTTP %d", status);
    respond(socket, conn, page);
}

void LoopbackReplyHandler::respond(QTcpSocket *socket, Connection &conn, const Response &response)
{
    const QByteArray body = CallbackPage::render(response.title, response.message, response.success);
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    head += "Content-Type: text/html; charset=utf-8\r\n"
            "Content-Length: "
            + QByteArray::number(body.size())
            + "\r\n"
              "Cache-Control: no-store\r\n"
              "Pragma: no-cache\r\n"
              "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
              "X-Content-Type-Options: nosniff\r\n"
              "X-Frame-Options: DENY\r\n"
              "Referrer-Policy: no-referrer\r\n";
    if (response.allowGet)
        head += "Allow: GET\r\n";
    head += "Connection: close\r\n\r\n";

    conn.responded = true;
    secureWipe(conn.buffer);
    conn.timer->start(qMin(m_requestTimeoutMs, kMaxLingerMs));
    socket->write(head + body);
}

void LoopbackReplyHandler::consumeState()
{
    if (m_expectedState.isEmpty())
        return;
    m_usedStateHashes.append(loopbackStateHash(m_expectedState.bytes()));
    m_expectedState.clear();
}

void LoopbackReplyHandler::closeListener()
{
    for (QTcpServer *server : std::as_const(m_servers)) {
        QObject::disconnect(server, nullptr, this, nullptr);
        server->close();
        server->deleteLater();
    }
    m_servers.clear();

    // Drop every connection still sending its request; answered ones finish on their own.
    QList<QTcpSocket *> pending;
    for (const auto &entry : m_connections) {
        if (!entry.second->responded)
            pending.append(entry.first);
    }
    for (QTcpSocket *socket : std::as_const(pending))
        dropConnection(socket, true);
}

} // namespace mailkey
