#include "core/oauth/LoopbackReplyHandler.h"

#include "core/common/Clock.h"
#include "core/common/SecureBytes.h"
#include "core/oauth/CallbackPage.h"
#include "core/oauth/LoopbackPeer.h"

#include <QByteArrayView>
#include <QCryptographicHash>
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
// Longest method token accepted (then 405); anything longer is garbage.
constexpr int kMaxMethodLength = 16;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200: return QByteArrayLiteral("OK");
    case 400: return QByteArrayLiteral("Bad Request");
    case 404: return QByteArrayLiteral("Not Found");
    case 405: return QByteArrayLiteral("Method Not Allowed");
    case 408: return QByteArrayLiteral("Request Timeout");
    case 413: return QByteArrayLiteral("Content Too Large");
    case 414: return QByteArrayLiteral("URI Too Long");
    case 431: return QByteArrayLiteral("Request Header Fields Too Large");
    default: return QByteArrayLiteral("Error");
    }
}

// RFC 9110 tchar.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

enum class LineCheck { Ok, Incomplete, Bad };

// Checks a request line, or the beginning of one that has not fully arrived yet, so that
// garbage is refused as soon as it is recognisable.
LineCheck checkRequestLine(QByteArrayView line, bool complete)
{
    const qsizetype sp1 = line.indexOf(' ');
    const QByteArrayView method = sp1 < 0 ? line : line.first(sp1);
    if (method.size() > kMaxMethodLength)
        return LineCheck::Bad;
    for (const char c : method) {
        if (!isTokenChar(c))
            return LineCheck::Bad;
    }
    if (sp1 < 0)
        return complete ? LineCheck::Bad : LineCheck::Incomplete;
    if (sp1 == 0)
        return LineCheck::Bad;

    const QByteArrayView rest = line.sliced(sp1 + 1);
    const qsizetype sp2 = rest.indexOf(' ');
    const QByteArrayView target = sp2 < 0 ? rest : rest.first(sp2);
    if (!target.isEmpty() && target.front() != '/')
        return LineCheck::Bad; // absolute-form, authority-form, '*', garbage
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '#')
            return LineCheck::Bad;
    }
    if (sp2 < 0)
        return complete ? LineCheck::Bad : LineCheck::Incomplete; // HTTP/0.9 has no version
    if (target.isEmpty())
        return LineCheck::Bad;

    const QByteArrayView version = rest.sliced(sp2 + 1);
    const QByteArrayView http11("HTTP/1.1");
    const QByteArrayView http10("HTTP/1.0");
    if (complete)
        return (version == http11 || version == http10) ? LineCheck::Ok : LineCheck::Bad;
    if (version.size() > http11.size())
        return LineCheck::Bad;
    if (http11.startsWith(version) || http10.startsWith(version))
        return LineCheck::Incomplete;
    return LineCheck::Bad;
}

// Byte-level check of the request head: CR only before LF, LF only after CR, no control
// characters, no DEL; bytes >= 0x80 only in header values (obs-text), never in the request line.
bool headBytesValid(QByteArrayView head)
{
    bool inRequestLine = true;
    for (qsizetype i = 0; i < head.size(); ++i) {
        const auto c = static_cast<unsigned char>(head[i]);
        if (c == '\n') {
            if (i == 0 || head[i - 1] != '\r')
                return false;
            inRequestLine = false;
        } else if (c == '\r') {
            if (i + 1 < head.size() && head[i + 1] != '\n')
                return false;
        } else if (c == '\t') {
            if (inRequestLine)
                return false;
        } else if (c < 0x20 || c == 0x7f) {
            return false;
        } else if (c >= 0x80 && inRequestLine) {
            return false;
        }
    }
    return true;
}

QByteArray formDecode(QByteArray text)
{
    text.replace('+', ' ');
    return QByteArray::fromPercentEncoding(text);
}

QByteArray stateHash(const QByteArray &state)
{
    return QCryptographicHash::hash(state, QCryptographicHash::Sha256);
}

const char *reasonName(LoopbackReplyHandler::RejectReason reason)
{
    switch (reason) {
    case LoopbackReplyHandler::RejectReason::MissingState: return "missing state";
    case LoopbackReplyHandler::RejectReason::WrongState: return "wrong state";
    case LoopbackReplyHandler::RejectReason::ReusedState: return "state already used";
    case LoopbackReplyHandler::RejectReason::WrongIssuer: return "wrong issuer";
    case LoopbackReplyHandler::RejectReason::MissingIssuer: return "missing issuer";
    case LoopbackReplyHandler::RejectReason::Expired: return "expired";
    case LoopbackReplyHandler::RejectReason::MalformedCallback: return "no code and no error";
    }
    return "unknown";
}

} // namespace

LoopbackReplyHandler::LoopbackReplyHandler(const QString &redirectHost, const QString &redirectPath,
                                           QObject *parent)
    : QAbstractOAuthReplyHandler(parent), m_host(redirectHost.toLower()), m_path(redirectPath)
{
}

LoopbackReplyHandler::~LoopbackReplyHandler()
{
    close();
    // Answered connections still draining: drop them now, without signals into a dead object.
    while (!m_connections.empty())
        dropConnection(m_connections.begin()->first, true);
    secureWipe(m_expectedState);
}

bool LoopbackReplyHandler::listen()
{
    close();
    if (m_host != QLatin1String("127.0.0.1") && m_host != QLatin1String("localhost")) {
        qCWarning(lcLoopback, "refusing to listen: redirect host must be 127.0.0.1 or localhost");
        return false;
    }
    if (!m_path.startsWith(QLatin1Char('/')) || m_path.contains(QLatin1Char('?'))
        || m_path.contains(QLatin1Char('#')) || m_path.contains(QLatin1Char(' '))) {
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
        connect(server, &QTcpServer::newConnection, this,
                [this, server] { onNewConnection(server); });
    }
    qCInfo(lcLoopback, "listening for the sign-in redirect on loopback port %u (%d address(es))",
           unsigned(m_port), int(m_servers.size()));
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
    secureWipe(m_expectedState);
    m_expectedState = state;
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
        connect(socket, &QTcpSocket::disconnected, this,
                [this, socket] { dropConnection(socket, false); });
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
    const std::optional<uint> uid =
        loopbackPeerUid(socket->peerAddress(), socket->peerPort(), socket->localAddress(), socket->localPort());
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
    if (socket->socketDescriptor() >= 0
        && ::shutdown(int(socket->socketDescriptor()), SHUT_WR) == 0)
        return;
#endif
    socket->disconnectFromHost();
}

// --- HTTP --------------------------------------------------------------------------------------

void LoopbackReplyHandler::processBuffer(QTcpSocket *socket, Connection &conn)
{
    const QByteArray &buf = conn.buffer;
    const qsizetype headEnd = buf.indexOf("\r\n\r\n");
    const qsizetype scanned = headEnd >= 0 ? headEnd + 4 : buf.size();
    if (!headBytesValid(QByteArrayView(buf).first(scanned))) {
        refuse(socket, conn, 400);
        return;
    }

    const qsizetype lineEnd = buf.indexOf("\r\n");
    const bool lineComplete = lineEnd >= 0 && lineEnd <= MaxHeaderBytes;
    const QByteArrayView requestLine = QByteArrayView(buf).first(lineEnd >= 0 ? lineEnd : buf.size());
    const LineCheck lineCheck = checkRequestLine(requestLine, lineEnd >= 0);
    if (lineCheck == LineCheck::Bad) {
        refuse(socket, conn, 400);
        return;
    }
    if (headEnd < 0 || headEnd + 4 > MaxHeaderBytes) {
        if (buf.size() > MaxHeaderBytes)
            refuse(socket, conn, lineComplete ? 431 : 414);
        return; // wait for more (bounded by the size limit and the timer)
    }

    // The whole head is here and within limits.
    const QList<QByteArray> lines = buf.left(headEnd).split('\n');
    if (lines.size() - 1 > MaxHeaderCount) {
        refuse(socket, conn, 431);
        return;
    }
    QByteArray host;
    int hostCount = 0;
    QByteArray contentLength;
    int contentLengthCount = 0;
    bool transferEncoding = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty() || line.front() == ' ' || line.front() == '\t') {
            refuse(socket, conn, 400); // obs-fold or stray empty line
            return;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            refuse(socket, conn, 400);
            return;
        }
        const QByteArray name = line.left(colon).toLower();
        for (const char c : name) {
            if (!isTokenChar(c)) {
                refuse(socket, conn, 400);
                return;
            }
        }
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "host") {
            host = value;
            ++hostCount;
        } else if (name == "content-length") {
            contentLength = value;
            ++contentLengthCount;
        } else if (name == "transfer-encoding") {
            transferEncoding = true;
        }
    }

    if (hostCount != 1 || !hostAllowed(host)) {
        qCDebug(lcLoopback, "missing or foreign Host header: 400");
        refuse(socket, conn, 400);
        return;
    }

    const qsizetype sp1 = requestLine.indexOf(' ');
    const QByteArrayView method = requestLine.first(sp1);
    if (method != QByteArrayView("GET")) {
        refuse(socket, conn, 405);
        return;
    }

    if (transferEncoding || contentLengthCount > 1) {
        refuse(socket, conn, 400);
        return;
    }
    if (contentLengthCount == 1) {
        bool ok = false;
        const qulonglong length = contentLength.toULongLong(&ok);
        if (!ok || contentLength.isEmpty() || contentLength.front() < '0' || contentLength.front() > '9') {
            refuse(socket, conn, 400);
            return;
        }
        if (length > 0) {
            refuse(socket, conn, 413);
            return;
        }
    }
    if (buf.size() > headEnd + 4) {
        refuse(socket, conn, 400); // a body without a length, or a pipelined request
        return;
    }

    const QByteArrayView rest = requestLine.sliced(sp1 + 1);
    const QByteArrayView target = rest.first(rest.indexOf(' '));
    const qsizetype question = target.indexOf('?');
    const QByteArrayView path = question < 0 ? target : target.first(question);
    if (path != QByteArrayView(m_path.toUtf8())) {
        refuse(socket, conn, 404);
        return;
    }
    const QByteArray query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
    handleCallback(socket, conn, query);
}

bool LoopbackReplyHandler::hostAllowed(const QByteArray &hostHeader) const
{
    const QByteArray value = hostHeader.toLower();
    const QByteArray portSuffix = ':' + QByteArray::number(m_port);
    if (value == m_host.toLatin1() + portSuffix)
        return true;
    if (m_host == QLatin1String("localhost")) {
        if (value == QByteArrayLiteral("127.0.0.1") + portSuffix)
            return true;
        if (value == QByteArrayLiteral("[::1]") + portSuffix)
            return true;
    }
    return false;
}

bool LoopbackReplyHandler::stateWasUsed(const QByteArray &state) const
{
    const QByteArray hash = stateHash(state);
    bool used = false;
    for (const QByteArray &h : m_usedStateHashes)
        used = constantTimeEquals(h, hash) || used; // no early exit
    return used;
}

void LoopbackReplyHandler::handleCallback(QTcpSocket *socket, Connection &conn,
                                          const QByteArray &query)
{
    // Decode each name and value exactly once (application/x-www-form-urlencoded).
    QList<QPair<QByteArray, QByteArray>> params;
    for (const QByteArray &piece : query.split('&')) {
        if (piece.isEmpty())
            continue;
        const qsizetype eq = piece.indexOf('=');
        params.append({formDecode(eq < 0 ? piece : piece.left(eq)),
                       eq < 0 ? QByteArray() : formDecode(piece.mid(eq + 1))});
    }
    const auto count = [&params](const char *key) {
        int n = 0;
        for (const auto &p : std::as_const(params))
            n += p.first == key ? 1 : 0;
        return n;
    };
    const auto value = [&params](const char *key) {
        for (const auto &p : std::as_const(params)) {
            if (p.first == key)
                return p.second;
        }
        return QByteArray();
    };

    // 1. state, before anything else. None of these end the attempt.
    const int stateCount = count("state");
    QByteArray state = value("state");
    if (stateCount == 0 || state.isEmpty()) {
        reject(socket, conn, RejectReason::MissingState);
        return;
    }
    if (stateCount > 1) {
        reject(socket, conn, RejectReason::WrongState);
        return;
    }
    if (stateWasUsed(state)) {
        reject(socket, conn, RejectReason::ReusedState);
        return;
    }
    if (m_expectedState.isEmpty() || !constantTimeEquals(state, m_expectedState)) {
        reject(socket, conn, RejectReason::WrongState);
        return;
    }

    // 2. deadline.
    const Clock *clock = m_clock ? m_clock : Clock::system();
    if (m_deadline.isValid() && clock->now() > m_deadline) {
        reject(socket, conn, RejectReason::Expired);
        return;
    }

    // 3. RFC 9207 issuer.
    const int issCount = count("iss");
    if (issCount > 1) {
        reject(socket, conn, RejectReason::WrongIssuer);
        return;
    }
    if (issCount == 1) {
        if (!m_issuer.isEmpty() && QString::fromUtf8(value("iss")) != m_issuer) {
            reject(socket, conn, RejectReason::WrongIssuer);
            return;
        }
    } else if (m_issRequired) {
        reject(socket, conn, RejectReason::MissingIssuer);
        return;
    }

    // 4. the provider's error.
    const int errorCount = count("error");
    const int codeCount = count("code");
    if (errorCount > 1 || (errorCount == 0 && (codeCount != 1 || value("code").isEmpty()))) {
        reject(socket, conn, RejectReason::MalformedCallback);
        return;
    }
    if (errorCount == 1) {
        const QString error = CallbackPage::limitText(QString::fromUtf8(value("error")), 100);
        const QString description = CallbackPage::limitText(
            QString::fromUtf8(value("error_description")), MaxErrorDescriptionChars);
        Response page;
        page.status = 200;
        if (error == QLatin1String("access_denied")) {
            page.title = QStringLiteral("Sign-in cancelled");
            page.message = QStringLiteral(
                "Access was not granted, so MailKey cannot connect this mailbox. Close this tab "
                "and connect again in MailKey if you want to try again.");
        } else {
            page.title = QStringLiteral("Sign-in failed");
            page.message = QStringLiteral(
                "The provider could not complete the sign-in. Close this tab and return to "
                "MailKey for what to do next.");
        }
        if (!description.isEmpty())
            page.message += QStringLiteral(" The provider said: \u201c") + description + QChar(0x201d);
        respond(socket, conn, page);
        consumeState();
        closeListener();
        qCInfo(lcLoopback, "the provider reported an error in the redirect");
        Q_EMIT callbackError(error, description);
        return;
    }

    // 5. success.
    QVariantMap values;
    for (const auto &p : std::as_const(params)) {
        const QString key = QString::fromUtf8(p.first);
        if (!values.contains(key))
            values.insert(key, QString::fromUtf8(p.second));
    }
    Response page;
    page.status = 200;
    page.success = true;
    page.title = QStringLiteral("Signed in");
    page.message = QStringLiteral("You can close this tab and return to MailKey.");
    respond(socket, conn, page);
    consumeState();
    closeListener();
    secureWipe(state);
    qCInfo(lcLoopback, "authorization redirect accepted; listener closed");
    Q_EMIT callbackReceived(values);
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
        page.title = QStringLiteral("Sign-in link not valid");
        page.message = QStringLiteral(
            "This sign-in link is not valid for the current attempt. Return to MailKey and "
            "connect again if you are still signing in.");
        break;
    case RejectReason::WrongIssuer:
    case RejectReason::MissingIssuer:
        page.title = QStringLiteral("Sign-in not accepted");
        page.message = QStringLiteral(
            "This sign-in answer did not come from the expected provider, so MailKey did not "
            "use it. Please connect again.");
        endsAttempt = true;
        break;
    case RejectReason::Expired:
        page.title = QStringLiteral("Sign-in expired");
        page.message = QStringLiteral(
            "This sign-in took too long and has expired. Please connect again.");
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
        page.message = QStringLiteral("There is nothing here.");
        break;
    case 405:
        page.allowGet = true;
        page.message = QStringLiteral("This request is not supported here.");
        break;
    case 408:
        page.message = QStringLiteral("The request took too long.");
        break;
    default:
        page.message = QStringLiteral("The request could not be handled.");
        break;
    }
    qCDebug(lcLoopback, "refused a request with HTTP %d", status);
    respond(socket, conn, page);
}

void LoopbackReplyHandler::respond(QTcpSocket *socket, Connection &conn, const Response &response)
{
    const QByteArray body = CallbackPage::render(response.title, response.message, response.success);
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' '
        + reasonPhrase(response.status) + "\r\n";
    head += "Content-Type: text/html; charset=utf-8\r\n"
            "Content-Length: " + QByteArray::number(body.size()) + "\r\n"
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
    m_usedStateHashes.append(stateHash(m_expectedState));
    secureWipe(m_expectedState);
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
