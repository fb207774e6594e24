#include "tests/support/fakeidp/FakeAuthServer.h"
#include "tests/support/HttpConnection.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QPointer>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUuid>

#include <utility>

namespace mailkey::test {

namespace {

constexpr int kMaxConnections = 512;
constexpr int kMaxRecorded = 100;

QPair<QByteArray, QByteArray> header(const char *name, const QByteArray &value)
{
    return {QByteArray(name), value};
}

QString str(const char *latin1)
{
    return QString::fromLatin1(latin1);
}

QByteArray randomBytes(int n)
{
    QByteArray out;
    out.reserve(n);
    while (out.size() < n) {
        quint32 v = QRandomGenerator::system()->generate();
        for (int i = 0; i < 4 && out.size() < n; ++i) {
            out.append(static_cast<char>(v & 0xffU));
            v >>= 8;
        }
    }
    return out;
}

// Standard base64 (with '+' and '/'), so clients must percent-encode what they send back.
QString chunk(int bytes)
{
    return QString::fromLatin1(randomBytes(bytes).toBase64(QByteArray::OmitTrailingEquals));
}

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

bool constantTimeEqual(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return diff == 0;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded decoding: '+' is a space, %XX an octet. False if malformed.
bool formDecode(const QByteArray &in, QString *out)
{
    QByteArray bytes;
    bytes.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const char c = in.at(i);
        if (c == '+') {
            bytes.append(' ');
        } else if (c == '%') {
            if (i + 2 >= in.size())
                return false;
            const int hi = hexValue(in.at(i + 1));
            const int lo = hexValue(in.at(i + 2));
            if (hi < 0 || lo < 0)
                return false;
            bytes.append(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            bytes.append(c);
        }
    }
    *out = QString::fromUtf8(bytes);
    return true;
}

using ParamList = QList<QPair<QString, QString>>;

bool parseForm(const QByteArray &data, ParamList *out)
{
    if (data.isEmpty())
        return true;
    const QList<QByteArray> parts = data.split('&');
    for (const QByteArray &part : parts) {
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf('=');
        QString key;
        QString value;
        if (!formDecode(eq < 0 ? part : part.left(eq), &key))
            return false;
        if (eq >= 0 && !formDecode(part.mid(eq + 1), &value))
            return false;
        out->append({key, value});
    }
    return true;
}

// Fills `map`; returns the name of a repeated parameter, or an empty string.
QString toMap(const ParamList &list, QMap<QString, QString> *map)
{
    QString repeated;
    for (const auto &p : list) {
        if (map->contains(p.first) && repeated.isEmpty())
            repeated = p.first;
        map->insert(p.first, p.second);
    }
    return repeated;
}

QStringList splitScope(const QString &scope)
{
    return scope.split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

bool isOidcScope(const QString &s)
{
    return s == QLatin1String("openid") || s == QLatin1String("email") || s == QLatin1String("profile")
           || s == QLatin1String("offline_access");
}

bool isOutlookScope(const QString &s)
{
    return s.startsWith(QLatin1String("https://outlook.office.com/"));
}

// Microsoft: the scopes of one token request must all belong to one resource.
bool mixesResources(const QStringList &scopes)
{
    bool outlook = false;
    bool other = false;
    for (const QString &s : scopes) {
        if (isOutlookScope(s))
            outlook = true;
        else if (!isOidcScope(s))
            other = true;
    }
    return outlook && other;
}

bool hasOutlookAudience(const QString &scope)
{
    const QStringList scopes = splitScope(scope);
    for (const QString &s : scopes) {
        if (isOutlookScope(s))
            return true;
    }
    return false;
}

const QRegularExpression &pkceRe()
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9._~-]{43,128}$"));
    return re;
}

QString gmailLabelId(const QString &name, int index, bool *system)
{
    const QString n = name.toLower();
    *system = true;
    if (n == QLatin1String("inbox"))
        return str("INBOX");
    if (n == QLatin1String("sent") || n == QLatin1String("sent items"))
        return str("SENT");
    if (n == QLatin1String("drafts"))
        return str("DRAFT");
    if (n == QLatin1String("trash") || n == QLatin1String("deleted items"))
        return str("TRASH");
    if (n == QLatin1String("spam") || n == QLatin1String("junk email"))
        return str("SPAM");
    *system = false;
    return QStringLiteral("Label_%1").arg(index);
}

QString graphFolderId(const QString &name)
{
    return QStringLiteral("AAMkAG") + QString::fromLatin1(base64Url(name.toUtf8()));
}

QString graphWellKnownName(const QString &name)
{
    const QString n = name.toLower();
    if (n == QLatin1String("inbox"))
        return str("inbox");
    if (n == QLatin1String("sent items") || n == QLatin1String("sent"))
        return str("sentitems");
    if (n == QLatin1String("drafts"))
        return str("drafts");
    if (n == QLatin1String("deleted items") || n == QLatin1String("trash"))
        return str("deleteditems");
    if (n == QLatin1String("junk email") || n == QLatin1String("spam"))
        return str("junkemail");
    if (n == QLatin1String("archive"))
        return str("archive");
    return QString();
}

} // namespace

// HTTP replies --------------------------------------------------------------------------------

namespace {

HttpResponse jsonResponse(int status, const QJsonObject &obj, HttpHeaders headers = {})
{
    HttpResponse r;
    r.status = status;
    r.headers = std::move(headers);
    r.headers.append(header("Content-Type", "application/json; charset=utf-8"));
    r.body = QJsonDocument(obj).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse noStore(HttpResponse r)
{
    r.headers.append(header("Cache-Control", "no-store"));
    r.headers.append(header("Pragma", "no-cache"));
    return r;
}

HttpResponse methodNotAllowed(const QByteArray &allow)
{
    HttpResponse r = jsonResponse(405, QJsonObject{{str("error"), str("invalid_request")},
                                                   {str("error_description"), str("HTTP method not allowed here.")}});
    r.headers.append(header("Allow", allow));
    return r;
}

} // namespace

// Server ----------------------------------------------------------------------------------------

FakeAuthServer::FakeAuthServer(QObject *parent)
    : QObject(parent), m_server(new QTcpServer(this)), m_clock(mailkey::Clock::system())
{
    m_user = User{str("00000000-0000-0000-66de-7e57a11ce000"), str("alice@example.com"), str("Alice Example"),
                  str("alice@example.com")};
    m_folders
        = {MailFolder{str("Inbox"), 3, 42}, MailFolder{str("Sent Items"), 0, 17}, MailFolder{str("Archive"), 1, 250}};
    m_server->setMaxPendingConnections(256);
    connect(m_server, &QTcpServer::newConnection, this, [this] { onNewConnection(); });
}

FakeAuthServer::~FakeAuthServer()
{
    // Connections count themselves down in their destructor: delete them while this is whole.
    m_server->close();
    const QObjectList kids = children();
    for (QObject *kid : kids) {
        if (kid != m_server)
            delete kid;
    }
}

bool FakeAuthServer::listen(quint16 port)
{
    return m_server->listen(QHostAddress(QHostAddress::LocalHost), port);
}

bool FakeAuthServer::isListening() const
{
    return m_server->isListening();
}

quint16 FakeAuthServer::port() const
{
    return m_server->serverPort();
}

void FakeAuthServer::close()
{
    m_server->close();
}

QUrl FakeAuthServer::baseUrl() const
{
    return QUrl(issuer() + QLatin1Char('/'));
}

QString FakeAuthServer::issuer() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

QUrl FakeAuthServer::authorizeUrl() const
{
    return QUrl(issuer() + QStringLiteral("/authorize"));
}
QUrl FakeAuthServer::tokenUrl() const
{
    return QUrl(issuer() + QStringLiteral("/token"));
}
QUrl FakeAuthServer::meUrl() const
{
    return QUrl(issuer() + QStringLiteral("/v1.0/me"));
}
QUrl FakeAuthServer::mailFoldersUrl() const
{
    return QUrl(issuer() + QStringLiteral("/v1.0/me/mailFolders"));
}
QUrl FakeAuthServer::gmailLabelsUrl() const
{
    return QUrl(issuer() + QStringLiteral("/gmail/v1/users/me/labels"));
}
QUrl FakeAuthServer::userinfoUrl() const
{
    return QUrl(issuer() + QStringLiteral("/userinfo"));
}
QUrl FakeAuthServer::deviceAuthorizationUrl() const
{
    return QUrl(issuer() + QStringLiteral("/devicecode"));
}

QUrl FakeAuthServer::deviceVerificationUrl() const
{
    return QUrl(issuer() + QStringLiteral("/device"));
}

QUrl FakeAuthServer::revokeUrl() const
{
    return QUrl(issuer() + QStringLiteral("/revoke"));
}
QUrl FakeAuthServer::introspectUrl() const
{
    return QUrl(issuer() + QStringLiteral("/introspect"));
}
QUrl FakeAuthServer::discoveryUrl() const
{
    return QUrl(issuer() + QStringLiteral("/.well-known/openid-configuration"));
}
QUrl FakeAuthServer::jwksUrl() const
{
    return QUrl(issuer() + QStringLiteral("/jwks"));
}

void FakeAuthServer::addClient(const Client &client)
{
    m_clients.insert(client.clientId, client);
}
void FakeAuthServer::setUser(const User &user)
{
    m_user = user;
}
FakeAuthServer::User FakeAuthServer::user() const
{
    return m_user;
}
void FakeAuthServer::setMailFolders(const QList<MailFolder> &folders)
{
    m_folders = folders;
}
void FakeAuthServer::setAccessTokenLifetime(int seconds)
{
    m_accessLifetime = seconds;
}
void FakeAuthServer::setRefreshTokenLifetime(int seconds)
{
    m_refreshLifetime = seconds;
}
void FakeAuthServer::setCodeLifetime(int seconds)
{
    m_codeLifetime = seconds;
}
void FakeAuthServer::setClock(const mailkey::Clock *clock)
{
    m_clock = clock ? clock : mailkey::Clock::system();
}
void FakeAuthServer::setSendIss(bool send)
{
    m_sendIss = send;
}
void FakeAuthServer::setMinStateLength(int chars)
{
    m_minStateLength = qMax(1, chars);
}
void FakeAuthServer::setNextAuthorizeError(const QString &error, const QString &description)
{
    m_nextAuthorizeError = error;
    m_nextAuthorizeErrorDescription = description;
}
void FakeAuthServer::setNextTokenError(int httpStatus, const QString &error, const QString &description, int count)
{
    m_tokenErrorStatus = httpStatus;
    m_tokenError = error;
    m_tokenErrorDescription = description;
    m_tokenErrorCount = count;
}
void FakeAuthServer::setLatency(int ms)
{
    m_latencyMs = qMax(0, ms);
}
void FakeAuthServer::setIdleTimeout(int ms)
{
    m_idleTimeoutMs = qMax(1, ms);
}
void FakeAuthServer::injectFault(Endpoint endpoint, const Fault &fault)
{
    if (fault.count != 0)
        m_faults[endpoint].append(fault);
}
void FakeAuthServer::clearFaults()
{
    m_faults.clear();
    m_replaySignature.clear();
}

int FakeAuthServer::requestCount(Endpoint endpoint) const
{
    return m_requestCounts.value(endpoint);
}
int FakeAuthServer::refreshCount() const
{
    return m_refreshCount;
}
int FakeAuthServer::revocationCount() const
{
    return m_revocationCount;
}
int FakeAuthServer::issuedAccessTokenCount() const
{
    return m_issuedAccessTokens;
}

bool FakeAuthServer::isGrantActive(const QString &email) const
{
    for (const GrantRecord &g : m_grants) {
        if (!g.revoked && g.user.email.compare(email, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

int FakeAuthServer::activeGrantCount() const
{
    int n = 0;
    for (const GrantRecord &g : m_grants)
        n += g.revoked ? 0 : 1;
    return n;
}

bool FakeAuthServer::isAccessTokenValid(const QString &token) const
{
    const auto it = m_access.constFind(token);
    return it != m_access.constEnd() && accessValid(*it);
}

bool FakeAuthServer::isRefreshTokenValid(const QString &token) const
{
    const auto it = m_refresh.constFind(token);
    if (it == m_refresh.constEnd() || it->rotated)
        return false;
    if (it->expires.isValid() && now() >= it->expires)
        return false;
    const auto g = m_grants.constFind(it->grantId);
    return g != m_grants.constEnd() && !g->revoked;
}

QString FakeAuthServer::accessTokenScope(const QString &token) const
{
    return m_access.value(token).scope;
}

QList<QUrlQuery> FakeAuthServer::authorizeRequests() const
{
    return m_authorizeRequests;
}
QList<QMap<QString, QString>> FakeAuthServer::tokenRequests() const
{
    return m_tokenRequests;
}

void FakeAuthServer::revokeAllGrants()
{
    for (auto it = m_grants.begin(); it != m_grants.end(); ++it)
        revokeGrant(it.key());
}

QString FakeAuthServer::lastIssuedAccessToken() const
{
    return m_lastAccessToken;
}
QString FakeAuthServer::lastIssuedRefreshToken() const
{
    return m_lastRefreshToken;
}
QString FakeAuthServer::lastIssuedCode() const
{
    return m_lastCode;
}
QString FakeAuthServer::lastIssuedIdToken() const
{
    return m_lastIdToken;
}

void FakeAuthServer::resetCounters()
{
    m_requestCounts.clear();
    m_refreshCount = 0;
    m_revocationCount = 0;
    m_issuedAccessTokens = 0;
    m_authorizeRequests.clear();
    m_tokenRequests.clear();
}

QDateTime FakeAuthServer::now() const
{
    return m_clock->now();
}

bool FakeAuthServer::accessValid(const AccessRecord &record) const
{
    if (record.revoked || now() >= record.expires)
        return false;
    const auto g = m_grants.constFind(record.grantId);
    return g != m_grants.constEnd() && !g->revoked;
}

void FakeAuthServer::revokeGrant(int grantId)
{
    auto g = m_grants.find(grantId);
    if (g == m_grants.end())
        return;
    g->revoked = true;
    for (auto it = m_access.begin(); it != m_access.end(); ++it) {
        if (it->grantId == grantId)
            it->revoked = true;
    }
}

void FakeAuthServer::onNewConnection()
{
    while (m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        if (m_connections >= kMaxConnections) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        HttpConnection::Handlers handlers;
        handlers.request
            = [this](HttpConnection *connection, const HttpRequest &request) { handleRequest(connection, request); };
        // Owned by this (QObject parent); counts itself down when it goes.
        auto *connection = new HttpConnection(socket, this, m_idleTimeoutMs, std::move(handlers));
        ++m_connections;
        connect(connection, &QObject::destroyed, this, [this] { --m_connections; });
    }
}

bool FakeAuthServer::endpointFor(const QString &path, Endpoint *endpoint) const
{
    if (path == QLatin1String("/authorize"))
        *endpoint = Endpoint::Authorize;
    else if (path == QLatin1String("/token"))
        *endpoint = Endpoint::Token;
    else if (path == QLatin1String("/v1.0/me"))
        *endpoint = Endpoint::Me;
    else if (path == QLatin1String("/v1.0/me/mailFolders") || path.startsWith(QLatin1String("/v1.0/me/mailFolders/")))
        *endpoint = Endpoint::MailFolders;
    else if (path == QLatin1String("/gmail/v1/users/me/labels")
             || path.startsWith(QLatin1String("/gmail/v1/users/me/labels/")))
        *endpoint = Endpoint::Labels;
    else if (path == QLatin1String("/userinfo"))
        *endpoint = Endpoint::UserInfo;
    else if (path == QLatin1String("/revoke"))
        *endpoint = Endpoint::Revoke;
    else if (path == QLatin1String("/devicecode"))
        *endpoint = Endpoint::DeviceAuthorization;
    else if (path == QLatin1String("/introspect"))
        *endpoint = Endpoint::Introspect;
    else if (path == QLatin1String("/.well-known/openid-configuration")
             || path == QLatin1String("/.well-known/oauth-authorization-server") || path == QLatin1String("/jwks"))
        *endpoint = Endpoint::Discovery;
    else
        return false;
    return true;
}

void FakeAuthServer::handleRequest(HttpConnection *connection, const HttpRequest &request)
{
    Endpoint endpoint = Endpoint::Discovery;
    const bool known = endpointFor(request.path, &endpoint);
    bool hasFault = false;
    Fault fault;
    QByteArray signature;
    if (known) {
        m_requestCounts[endpoint] += 1;
        QCryptographicHash hash(QCryptographicHash::Sha256);
        for (const QByteArray &part :
             {request.method, request.path.toLatin1(), request.query, request.header("authorization"), request.body}) {
            hash.addData(QByteArray(QByteArray::number(part.size()) + ':'));
            hash.addData(part);
        }
        signature = hash.result();
        if (!m_replaySignature.isEmpty() && !m_replayDeadline.hasExpired() && signature == m_replaySignature) {
            // QNetworkAccessManager's silent re-send of the request just dropped.
            m_replaySignature.clear();
            HttpResponse drop;
            drop.drop = true;
            Q_EMIT requestHandled(QString::fromLatin1(request.method), request.path, 0);
            connection->send(drop);
            return;
        }
        auto it = m_faults.find(endpoint);
        if (it != m_faults.end() && !it->isEmpty()) {
            hasFault = true;
            fault = it->first();
            if (it->first().count > 0 && --(*it)[0].count == 0)
                it->removeFirst();
        }
    }
    const int delay = m_latencyMs + (hasFault ? qMax(0, fault.delayMs) : 0);
    QPointer<HttpConnection> conn(connection);
    if (hasFault && fault.kind == Fault::SlowAnswer && known) {
        const HttpResponse response = respond(endpoint, request);
        QTimer::singleShot(delay, connection, [this, conn, request, response] {
            Q_EMIT requestHandled(QString::fromLatin1(request.method), request.path, response.status);
            if (conn)
                conn->send(response);
        });
        return;
    }
    auto finish = [this, conn, request, endpoint, known, hasFault, fault, signature] {
        if (!conn)
            return;
        HttpResponse response;
        if (!known) {
            response = jsonResponse(404, QJsonObject{{str("error"), str("not_found")}});
        } else if (hasFault && fault.kind != Fault::Delay && fault.kind != Fault::DropAfterProcessing) {
            response = faultResponse(fault);
            if (fault.kind == Fault::DropConnection) {
                m_replaySignature = signature;
                m_replayDeadline = QDeadlineTimer(200);
            }
        } else {
            response = respond(endpoint, request);
            if (hasFault && fault.kind == Fault::DropAfterProcessing)
                response.drop = true;
        }
        Q_EMIT requestHandled(QString::fromLatin1(request.method), request.path, response.drop ? 0 : response.status);
        conn->send(response);
    };
    if (delay > 0)
        QTimer::singleShot(delay, connection, finish);
    else
        finish();
}

HttpResponse FakeAuthServer::faultResponse(const Fault &fault) const
{
    HttpResponse r;
    switch (fault.kind) {
    case Fault::ServerError: {
        const int status = fault.httpStatus > 0 ? fault.httpStatus : 500;
        r = jsonResponse(
            status, QJsonObject{{str("error"), status == 503 ? str("temporarily_unavailable") : str("server_error")},
                                {str("error_description"), str("Injected fault: the server failed.")}});
        break;
    }
    case Fault::RateLimited:
        r = jsonResponse(fault.httpStatus > 0 ? fault.httpStatus : 429,
                         QJsonObject{{str("error"), str("too_many_requests")},
                                     {str("error_description"), str("Injected fault: too many requests.")}},
                         {header("Retry-After", QByteArray::number(qMax(0, fault.retryAfterSeconds)))});
        break;
    case Fault::MalformedJson:
        r.status = fault.httpStatus > 0 ? fault.httpStatus : 200;
        r.headers.append(header("Content-Type", "application/json; charset=utf-8"));
        r.body = "{\"access_token\":\"EwA\",\"token_type\":\"Bearer\",\"expires_in\":36";
        break;
    case Fault::HtmlBody:
        r = htmlResponse(fault.httpStatus > 0 ? fault.httpStatus : 200, str("Service Unavailable"),
                         str("Injected fault: a captive portal or proxy answered instead."));
        break;
    case Fault::Truncated:
        r.status = fault.httpStatus > 0 ? fault.httpStatus : 200;
        r.headers.append(header("Content-Type", "application/json; charset=utf-8"));
        r.body = "{\"access_token\":\"EwA";
        r.truncate = true;
        break;
    case Fault::DropConnection:
    case Fault::DropAfterProcessing:
        r.drop = true;
        break;
    case Fault::Delay:
    case Fault::SlowAnswer:
        break;
    }
    return r;
}

HttpResponse FakeAuthServer::respond(Endpoint endpoint, const HttpRequest &request)
{
    switch (endpoint) {
    case Endpoint::Authorize:
        return handleAuthorize(request);
    case Endpoint::Token:
        return handleToken(request);
    case Endpoint::Revoke:
        return handleRevoke(request);
    case Endpoint::Introspect:
        return handleIntrospect(request);
    case Endpoint::Discovery:
        return handleDiscovery(request);
    case Endpoint::DeviceAuthorization:
        return handleDeviceAuthorization(request);
    case Endpoint::Me:
    case Endpoint::MailFolders:
    case Endpoint::Labels:
    case Endpoint::UserInfo:
        return handleResource(endpoint, request);
    }
    return jsonResponse(404, QJsonObject{{str("error"), str("not_found")}});
}

// /authorize ------------------------------------------------------------------------------------

namespace {

QByteArray buildRedirect(const QString &redirectUri, const QList<QPair<QString, QString>> &params)
{
    QByteArray out = redirectUri.toUtf8();
    out += redirectUri.contains(QLatin1Char('?')) ? '&' : '?';
    bool first = true;
    for (const auto &p : params) {
        if (!first)
            out += '&';
        first = false;
        out += QUrl::toPercentEncoding(p.first) + '=' + QUrl::toPercentEncoding(p.second);
    }
    return out;
}

HttpResponse redirectResponse(const QByteArray &location)
{
    HttpResponse r;
    r.status = 302;
    r.headers.append(header("Location", location));
    r.headers.append(header("Cache-Control", "no-store"));
    r.headers.append(header("Content-Type", "text/html; charset=utf-8"));
    r.body = "<!DOCTYPE html>\n<html><body>Redirecting...</body></html>\n";
    return r;
}

} // namespace

HttpResponse FakeAuthServer::handleAuthorize(const HttpRequest &request)
{
    if (request.method != "GET")
        return methodNotAllowed("GET");
    m_authorizeRequests.append(QUrlQuery(QString::fromUtf8(request.query)));
    while (m_authorizeRequests.size() > kMaxRecorded)
        m_authorizeRequests.removeFirst();

    const auto page = [](const QString &error, const QString &text) {
        return htmlResponse(400, QStringLiteral("Sign-in error: ") + error, text);
    };
    ParamList list;
    if (!parseForm(request.query, &list))
        return page(str("invalid_request"), str("The request URL is malformed."));
    QMap<QString, QString> params;
    const QString repeated = toMap(list, &params);
    if (repeated == QLatin1String("client_id") || repeated == QLatin1String("redirect_uri"))
        return page(str("invalid_request"), str("A parameter was sent more than once."));

    // RFC 6749 4.1.2.1: a bad client_id or redirect_uri is never redirected to.
    const QString clientId = params.value(str("client_id"));
    if (clientId.isEmpty())
        return page(str("invalid_request"), str("The request has no client_id."));
    const auto client = m_clients.constFind(clientId);
    if (client == m_clients.constEnd())
        return page(str("unauthorized_client"),
                    str("AADSTS700016: The application was not found. Check the client ID."));
    const QString redirectUri = params.value(str("redirect_uri"));
    if (redirectUri.isEmpty())
        return page(str("invalid_request"), str("The request has no redirect_uri."));
    const QUrl redirect(redirectUri, QUrl::StrictMode);
    const QString host = redirect.host();
    const bool loopback
        = host == QLatin1String("127.0.0.1") || host == QLatin1String("::1") || host == QLatin1String("localhost");
    if (!redirect.isValid() || redirect.scheme() != QLatin1String("http") || !loopback || redirect.hasFragment()
        || !redirect.userInfo().isEmpty() || redirectUri.contains(QLatin1Char('#'))) {
        return page(str("invalid_request"), str("AADSTS50011: The redirect URI must be http on a loopback address "
                                                "(127.0.0.1, [::1] or localhost) without a fragment."));
    }
    if (!client->allowedRedirectPaths.isEmpty()
        && !client->allowedRedirectPaths.contains(redirect.path(QUrl::FullyEncoded))) {
        return page(str("invalid_request"), str("AADSTS50011: The redirect URI does not match the redirect URIs "
                                                "registered for the application."));
    }

    const QString state = params.value(str("state"));
    const auto fail = [&](const QString &error, const QString &description) {
        QList<QPair<QString, QString>> out{{str("error"), error}, {str("error_description"), description}};
        if (params.contains(str("state")))
            out.append({str("state"), state});
        if (m_sendIss)
            out.append({str("iss"), issuer()});
        return redirectResponse(buildRedirect(redirectUri, out));
    };

    if (!repeated.isEmpty())
        return fail(str("invalid_request"), str("AADSTS90015: A parameter was sent more than once: ") + repeated);
    const QString responseType = params.value(str("response_type"));
    if (responseType.isEmpty())
        return fail(str("invalid_request"), str("AADSTS900144: The request has no response_type."));
    if (responseType != QLatin1String("code"))
        return fail(str("unsupported_response_type"), str("AADSTS70005: Only response_type=code is supported."));
    if (state.isEmpty())
        return fail(str("invalid_request"), str("The request has no state (CSRF protection)."));
    if (state.size() < m_minStateLength)
        return fail(str("invalid_request"), str("The state is too short to be unguessable."));
    const QString challenge = params.value(str("code_challenge"));
    if (challenge.isEmpty())
        return fail(str("invalid_request"),
                    str("AADSTS9002325: Proof Key for Code Exchange is required (code_challenge)."));
    if (params.value(str("code_challenge_method")) != QLatin1String("S256"))
        return fail(str("invalid_request"), str("AADSTS501491: Transform algorithm not supported: only "
                                                "code_challenge_method=S256 is accepted."));
    if (!pkceRe().match(challenge).hasMatch())
        return fail(str("invalid_request"), str("The code_challenge must be 43 to 128 unreserved characters."));
    const QString scope = params.value(str("scope")).simplified();
    if (scope.isEmpty())
        return fail(str("invalid_scope"), str("AADSTS900144: The request has no scope."));
    if (!m_nextAuthorizeError.isEmpty()) {
        const QString error = std::exchange(m_nextAuthorizeError, QString());
        const QString description = std::exchange(m_nextAuthorizeErrorDescription, QString());
        return fail(error, description);
    }

    CodeRecord record;
    record.clientId = clientId;
    record.redirectUri = redirectUri;
    record.challenge = challenge;
    QStringList granted = splitScope(scope);
    for (const QString &declined : std::as_const(m_declinedScopes))
        granted.removeAll(declined);
    record.scope = granted.join(QLatin1Char(' '));
    record.nonce = params.value(str("nonce"));
    record.offline
        = granted.contains(str("offline_access")) || params.value(str("access_type")) == QLatin1String("offline");
    record.user = m_user;
    record.expires = now().addSecs(m_codeLifetime);
    const QString code = str("M.C5") + chunk(30) + QLatin1Char('+') + chunk(15) + QLatin1Char('/') + chunk(15);
    m_codes.insert(code, record);
    m_lastCode = code;

    QList<QPair<QString, QString>> out{{str("code"), code}, {str("state"), state}};
    if (m_sendIss)
        out.append({str("iss"), issuer()});
    return redirectResponse(buildRedirect(redirectUri, out));
}

// /token ----------------------------------------------------------------------------------------

HttpResponse FakeAuthServer::tokenError(int status, const QString &error, int aadsts, const QString &description,
                                        bool basicChallenge, const QString &subError) const
{
    const QString traceId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString correlationId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString timestamp = now().toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + str("Z");
    QString text = description;
    QJsonArray codes;
    if (aadsts > 0) {
        text = QStringLiteral("AADSTS%1: %2").arg(aadsts).arg(description);
        codes.append(aadsts);
    } else {
        static const QRegularExpression re(QStringLiteral("^AADSTS(\\d+)"));
        const auto m = re.match(description);
        if (m.hasMatch())
            codes.append(m.captured(1).toInt());
    }
    text += QStringLiteral(" Trace ID: %1 Correlation ID: %2 Timestamp: %3").arg(traceId, correlationId, timestamp);
    HttpHeaders headers;
    // RFC 6749 5.2: a client that tried HTTP Basic gets the Basic challenge back.
    if (status == 401 && basicChallenge)
        headers.append(header("WWW-Authenticate", "Basic realm=\"fakeidp\""));
    QJsonObject body{{str("error"), error},       {str("error_description"), text},
                     {str("error_codes"), codes}, {str("timestamp"), timestamp},
                     {str("trace_id"), traceId},  {str("correlation_id"), correlationId}};
    if (!subError.isEmpty())
        body.insert(str("suberror"), subError);
    return noStore(jsonResponse(status, body, std::move(headers)));
}

bool FakeAuthServer::authenticateClient(const HttpRequest &request, const QMap<QString, QString> &params,
                                        QString *clientId, HttpResponse *error) const
{
    const QList<QByteArray> auths = request.headerValues("authorization");
    if (auths.size() > 1) {
        *error = tokenError(400, str("invalid_request"), 900144, str("More than one Authorization header."));
        return false;
    }
    bool basic = false;
    QString basicId;
    QString basicSecret;
    if (auths.size() == 1) {
        const QByteArray value = auths.first().trimmed();
        const qsizetype sp = value.indexOf(' ');
        if (sp <= 0 || value.left(sp).toLower() != "basic") {
            *error = tokenError(401, str("invalid_client"), 7000218, str("Unsupported client authentication scheme."),
                                true);
            return false;
        }
        const auto decoded
            = QByteArray::fromBase64Encoding(value.mid(sp + 1).trimmed(), QByteArray::AbortOnBase64DecodingErrors);
        const qsizetype colon = decoded ? decoded.decoded.indexOf(':') : -1;
        if (colon < 0 || !formDecode(decoded.decoded.left(colon), &basicId)
            || !formDecode(decoded.decoded.mid(colon + 1), &basicSecret)) {
            *error = tokenError(401, str("invalid_client"), 7000218, str("Malformed HTTP Basic client credentials."),
                                true);
            return false;
        }
        basic = true;
    }
    const bool bodySecretSent = params.contains(str("client_secret"));
    const QString bodySecret = params.value(str("client_secret"));
    if (basic && bodySecretSent) {
        *error = tokenError(400, str("invalid_request"), 90014,
                            str("The client used more than one authentication method "
                                "(RFC 6749 2.3)."));
        return false;
    }
    if (basic && params.contains(str("client_id")) && params.value(str("client_id")) != basicId) {
        *error = tokenError(401, str("invalid_client"), 700016,
                            str("client_id in the body differs from the HTTP Basic user."), true);
        return false;
    }
    const QString id = basic ? basicId : params.value(str("client_id"));
    if (id.isEmpty()) {
        *error = tokenError(401, str("invalid_client"), 900144,
                            str("The request body must contain the following parameter: "
                                "'client_id'."));
        return false;
    }
    const auto client = m_clients.constFind(id);
    if (client == m_clients.constEnd()) {
        *error = tokenError(401, str("invalid_client"), 700016, str("Application not found in the directory."), basic);
        return false;
    }
    const QString provided = basic ? basicSecret : bodySecret;
    if (!client->clientSecret.isEmpty()) {
        if (!basic && !bodySecretSent) {
            *error = tokenError(401, str("invalid_client"), 7000218,
                                str("The request body must contain the following parameter: "
                                    "'client_assertion' or 'client_secret'."));
            return false;
        }
        if (!constantTimeEqual(provided.toUtf8(), client->clientSecret.toUtf8())) {
            *error = tokenError(401, str("invalid_client"), 7000215, str("Invalid client secret provided."), basic);
            return false;
        }
    } else if (!provided.isEmpty()) {
        *error = tokenError(401, str("invalid_client"), 700025,
                            str("Client is public so neither 'client_assertion' nor "
                                "'client_secret' should be presented."),
                            basic);
        return false;
    }
    *clientId = id;
    return true;
}

namespace {

// Why a token request's scope is refused; empty error = accepted.
struct ScopeProblem {
    QString error;       // "invalid_scope" or "invalid_grant"
    QString description; // starts with the AADSTS number
    QString subError;    // Microsoft "suberror"
    bool isEmpty() const { return error.isEmpty(); }
};

// Microsoft's rules for the scope of one token request (code redemption or refresh), given the
// scopes `consented` at /authorize (which may span several resources):
//  - all scopes belong to one resource (AADSTS28000, invalid_scope);
//  - a resource's URL scope (https://...) that was not consented at /authorize:
//    AADSTS65001, invalid_grant with suberror consent_required (what Entra answers when a
//    refresh token is used for a permission the user never accepted);
//  - any other scope that was not consented: AADSTS70011, invalid_scope.
// A subset of the consented scopes is fine.
ScopeProblem checkRequestedScope(const QString &requested, const QString &consented, const QString &clientId)
{
    const QStringList scopes = splitScope(requested);
    if (scopes.isEmpty())
        return {str("invalid_scope"), str("The scope parameter is empty."), QString()};
    if (mixesResources(scopes))
        return {str("invalid_scope"),
                str("AADSTS28000: Provided value for the input parameter scope is not valid "
                    "because it contains more than one resource."),
                QString()};
    const QStringList consentedScopes = splitScope(consented);
    for (const QString &s : scopes) {
        if (consentedScopes.contains(s))
            continue;
        if (s.startsWith(QLatin1String("https://")))
            return {str("invalid_grant"),
                    str("AADSTS65001: The user or administrator has not consented to use the "
                        "application with ID '%1' named '%1'. Send an interactive authorization "
                        "request for this user and resource.")
                        .arg(clientId),
                    str("consent_required")};
        return {str("invalid_scope"),
                str("AADSTS70011: The requested scope exceeds the scope granted by the "
                    "resource owner."),
                QString()};
    }
    return {};
}

} // namespace

HttpResponse FakeAuthServer::handleToken(const HttpRequest &request)
{
    if (request.method != "POST")
        return noStore(methodNotAllowed("POST"));
    if (!request.query.isEmpty())
        return tokenError(400, str("invalid_request"), 900144,
                          str("Parameters must be in the request body, not in the URL."));
    const QByteArray contentType = request.header("content-type").split(';').first().trimmed().toLower();
    if (contentType != "application/x-www-form-urlencoded")
        return tokenError(400, str("invalid_request"), 900144,
                          str("The request body must be application/x-www-form-urlencoded."));
    ParamList list;
    if (!parseForm(request.body, &list))
        return tokenError(400, str("invalid_request"), 900144, str("The request body is not valid form encoding."));
    QMap<QString, QString> params;
    const QString repeated = toMap(list, &params);
    m_tokenRequests.append(params);
    while (m_tokenRequests.size() > kMaxRecorded)
        m_tokenRequests.removeFirst();
    if (!repeated.isEmpty())
        return tokenError(400, str("invalid_request"), 90015, str("A parameter was sent more than once: ") + repeated);
    if (m_tokenErrorCount != 0) {
        if (m_tokenErrorCount > 0)
            --m_tokenErrorCount;
        return tokenError(m_tokenErrorStatus, m_tokenError, 0, m_tokenErrorDescription);
    }
    QString clientId;
    HttpResponse error;
    if (!authenticateClient(request, params, &clientId, &error))
        return error;
    const QString grantType = params.value(str("grant_type"));
    if (grantType.isEmpty())
        return tokenError(400, str("invalid_request"), 900144,
                          str("The request body must contain the following parameter: "
                              "'grant_type'."));
    if (grantType == QLatin1String("authorization_code"))
        return handleAuthorizationCodeGrant(params, clientId);
    if (grantType == QLatin1String("refresh_token"))
        return handleRefreshGrant(params, clientId);
    if (grantType == QLatin1String("urn:ietf:params:oauth:grant-type:device_code"))
        return handleDeviceCodeGrant(params, clientId);
    return tokenError(400, str("unsupported_grant_type"), 70003, str("The app requested an unsupported grant type."));
}

HttpResponse FakeAuthServer::handleDeviceAuthorization(const HttpRequest &request)
{
    QMap<QString, QString> params;
    QString clientId;
    HttpResponse error;
    if (!readClientForm(request, &params, &clientId, &error, "scope"))
        return error;
    DeviceRecord record;
    record.clientId = clientId;
    record.scope = params.value(str("scope")).simplified();
    record.user = m_user;
    record.expires = now().addSecs(m_deviceFlow.expiresIn);
    const QString deviceCode = str("DC") + chunk(30) + QLatin1Char('+') + chunk(12) + QLatin1Char('/') + chunk(12);
    static const char letters[] = "BCDFGHJKLMNPQRSTVWXZ";
    QString userCode;
    for (int i = 0; i < 8; ++i) {
        if (i == 4)
            userCode += QLatin1Char('-');
        userCode += QLatin1Char(letters[QRandomGenerator::global()->bounded(int(sizeof(letters) - 1))]);
    }
    m_devices.insert(deviceCode, record);
    m_lastDeviceCode = deviceCode;
    m_lastUserCode = userCode;
    m_devicePollTimes.clear();

    QJsonObject body{
        {str("device_code"), deviceCode}, {str("user_code"), userCode}, {str("expires_in"), m_deviceFlow.expiresIn}};
    body.insert(m_deviceFlow.legacyVerificationUrl ? str("verification_url") : str("verification_uri"),
                deviceVerificationUrl().toString());
    if (m_deviceFlow.sendComplete)
        body.insert(str("verification_uri_complete"),
                    QString(deviceVerificationUrl().toString() + QStringLiteral("?user_code=") + userCode));
    if (!m_deviceFlow.interval.isUndefined())
        body.insert(str("interval"), m_deviceFlow.interval);
    return noStore(jsonResponse(200, body));
}

HttpResponse FakeAuthServer::handleDeviceCodeGrant(const QMap<QString, QString> &params, const QString &clientId)
{
    static QElapsedTimer monotonic;
    if (!monotonic.isValid())
        monotonic.start();
    const QString deviceCode = params.value(str("device_code"));
    if (deviceCode.isEmpty())
        return tokenError(400, str("invalid_request"), 900144,
                          str("The request body must contain the following parameter: 'device_code'."));
    auto it = m_devices.find(deviceCode);
    if (it == m_devices.end())
        return tokenError(400, str("invalid_grant"), 70000, str("The device code is unknown."));
    if (it->clientId != clientId)
        return tokenError(400, str("invalid_grant"), 70000, str("The device code was issued to another client."));
    if (it->done)
        return tokenError(400, str("invalid_grant"), 70000, str("The device code was already used."));
    m_devicePollTimes.append(monotonic.elapsed());
    if (now() >= it->expires) {
        it->done = true;
        return tokenError(400, str("expired_token"), 70019, str("The device code has expired."));
    }
    ++it->polls;
    if (it->polls <= m_deviceFlow.slowDownPolls)
        return tokenError(400, str("slow_down"), 0, str("Polling too often."));
    if (it->polls <= m_deviceFlow.slowDownPolls + m_deviceFlow.pendingPolls)
        return tokenError(400, str("authorization_pending"), 70016,
                          str("The user has not yet finished the sign-in on the other device."));
    it->done = true;
    if (m_deviceFlow.deny)
        return tokenError(400, str("access_denied"), 70000, str("The user declined the sign-in."));
    GrantRecord grant;
    grant.clientId = clientId;
    grant.user = it->user;
    grant.consented = it->scope;
    grant.scope = it->scope;
    grant.offline = splitScope(it->scope).contains(str("offline_access"));
    const int grantId = m_nextGrantId++;
    m_grants.insert(grantId, grant);
    return issueTokens(grantId, it->scope, grant.offline);
}

HttpResponse FakeAuthServer::handleAuthorizationCodeGrant(const QMap<QString, QString> &params, const QString &clientId)
{
    const QString code = params.value(str("code"));
    if (code.isEmpty())
        return tokenError(400, str("invalid_request"), 900144,
                          str("The request body must contain the following parameter: 'code'."));
    if (!params.contains(str("redirect_uri")))
        return tokenError(400, str("invalid_request"), 900144,
                          str("The request body must contain the following parameter: "
                              "'redirect_uri'."));
    auto it = m_codes.find(code);
    if (it == m_codes.end())
        return tokenError(400, str("invalid_grant"), 9002313,
                          str("Invalid request: the authorization code is malformed or unknown."));
    if (it->clientId != clientId)
        return tokenError(400, str("invalid_grant"), 700005,
                          str("The authorization code was issued to another client."));
    if (it->used) {
        // RFC 6749 10.5: revoke every token already issued from this code.
        if (it->grantId >= 0)
            revokeGrant(it->grantId);
        return tokenError(400, str("invalid_grant"), 54005,
                          str("OAuth2 Authorization code was already redeemed, please retry with "
                              "a new valid code or use an existing refresh token."));
    }
    it->used = true; // consumed by this attempt, whatever its outcome
    if (now() >= it->expires)
        return tokenError(400, str("invalid_grant"), 70008,
                          str("The provided authorization code or refresh token has expired due "
                              "to inactivity. Send a new interactive authorization request."));
    if (params.value(str("redirect_uri")) != it->redirectUri)
        return tokenError(400, str("invalid_grant"), 50011,
                          str("The redirect URI does not match the one of the authorization "
                              "request."));
    const QString verifier = params.value(str("code_verifier"));
    if (verifier.isEmpty())
        return tokenError(400, str("invalid_grant"), 9002325,
                          str("Proof Key for Code Exchange is required: code_verifier is "
                              "missing."));
    const QByteArray computed = base64Url(QCryptographicHash::hash(verifier.toUtf8(), QCryptographicHash::Sha256));
    if (!pkceRe().match(verifier).hasMatch() || !constantTimeEqual(computed, it->challenge.toLatin1()))
        return tokenError(400, str("invalid_grant"), 501481,
                          str("The Code_Verifier does not match the code_challenge supplied in "
                              "the authorization request."));
    // No scope: the token is for everything consented at /authorize, which must then be one
    // resource (a client that asked for consent to several resources names one here).
    const QString scope = params.contains(str("scope")) ? params.value(str("scope")).simplified() : it->scope;
    const ScopeProblem problem = checkRequestedScope(scope, it->scope, clientId);
    if (!problem.isEmpty())
        return tokenError(400, problem.error, 0, problem.description, false, problem.subError);
    GrantRecord grant;
    grant.clientId = clientId;
    grant.user = it->user;
    grant.consented = it->scope;
    // A refresh without scope gets what was consented if that is one resource (RFC 6749 6),
    // else the resource the code was redeemed for.
    grant.scope = mixesResources(splitScope(it->scope)) ? scope : it->scope;
    grant.nonce = it->nonce;
    grant.offline = it->offline;
    const int grantId = m_nextGrantId++;
    m_grants.insert(grantId, grant);
    it->grantId = grantId;
    return issueTokens(grantId, scope, grant.offline);
}

HttpResponse FakeAuthServer::handleRefreshGrant(const QMap<QString, QString> &params, const QString &clientId)
{
    const QString token = params.value(str("refresh_token"));
    if (token.isEmpty())
        return tokenError(400, str("invalid_request"), 900144,
                          str("The request body must contain the following parameter: "
                              "'refresh_token'."));
    auto it = m_refresh.find(token);
    if (it == m_refresh.end())
        return tokenError(400, str("invalid_grant"), 9002313, str("The refresh token is malformed or not valid."));
    const GrantRecord grant = m_grants.value(it->grantId);
    if (grant.clientId != clientId)
        return tokenError(400, str("invalid_grant"), 700005, str("The refresh token was issued to another client."));
    if (grant.revoked)
        return tokenError(400, str("invalid_grant"), 50173,
                          str("The provided grant has expired due to it being revoked, a fresh "
                              "auth token is needed."));
    if (it->rotated) {
        // RFC 9700 4.14.2: a rotated refresh token came back; revoke the whole grant family.
        revokeGrant(it->grantId);
        return tokenError(400, str("invalid_grant"), 70000,
                          str("The refresh token was already used; the grant has been revoked "
                              "(refresh token reuse)."));
    }
    if (it->expires.isValid() && now() >= it->expires)
        return tokenError(400, str("invalid_grant"), 700082, str("The refresh token has expired due to inactivity."));
    QString scope = grant.scope;
    if (params.contains(str("scope"))) {
        const ScopeProblem problem = checkRequestedScope(params.value(str("scope")), grant.consented, clientId);
        if (!problem.isEmpty())
            return tokenError(400, problem.error, 0, problem.description, false, problem.subError);
        scope = params.value(str("scope")).simplified();
    }
    it->rotated = true;
    ++m_refreshCount;
    return issueTokens(it->grantId, scope, true);
}

QString FakeAuthServer::makeIdToken(const GrantRecord &grant) const
{
    // Always signed, like a real provider's RS256 tokens: with the client's secret for a
    // confidential client, else with a key of the server's own that the client cannot know.
    static const QByteArray serverKey = QByteArray::number(QRandomGenerator::system()->generate64(), 36)
                                        + QByteArray::number(QRandomGenerator::system()->generate64(), 36);
    const QString clientSecret = m_clients.value(grant.clientId).clientSecret;
    const QByteArray secret = clientSecret.isEmpty() ? serverKey : clientSecret.toUtf8();
    const QJsonObject header{{str("alg"), m_unsignedIdTokens ? str("none") : str("HS256")}, {str("typ"), str("JWT")}};
    const qint64 iat = now().toSecsSinceEpoch();
    QJsonObject claims{{str("iss"), issuer()},
                       {str("sub"), grant.user.subject},
                       {str("aud"), grant.clientId},
                       {str("iat"), iat},
                       {str("nbf"), iat},
                       {str("exp"), iat + m_accessLifetime},
                       {str("name"), grant.user.displayName},
                       {str("preferred_username"),
                        grant.user.userPrincipalName.isEmpty() ? grant.user.email : grant.user.userPrincipalName}};
    if (!grant.nonce.isEmpty())
        claims.insert(str("nonce"), grant.nonce);
    if (!grant.user.email.isEmpty()) {
        claims.insert(str("email"), grant.user.email);
        claims.insert(str("email_verified"), true);
    }
    const QByteArray signingInput = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
                                    + base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature
        = m_unsignedIdTokens
              ? QByteArray()
              : base64Url(QMessageAuthenticationCode::hash(signingInput, secret, QCryptographicHash::Sha256));
    return QString::fromLatin1(signingInput + '.' + signature);
}

HttpResponse FakeAuthServer::issueTokens(int grantId, const QString &scope, bool withRefresh)
{
    GrantRecord &grant = m_grants[grantId];
    const QString access = str("EwA") + chunk(90) + QLatin1Char('+') + chunk(30) + QLatin1Char('/') + chunk(30);
    m_access.insert(access, AccessRecord{grantId, grant.clientId, scope, now().addSecs(m_accessLifetime), false});
    m_lastAccessToken = access;
    ++m_issuedAccessTokens;
    QJsonObject body{{str("access_token"), access},
                     {str("token_type"), str("Bearer")},
                     {str("expires_in"), m_accessLifetime},
                     {str("ext_expires_in"), m_accessLifetime},
                     {str("scope"), scope}};
    if (withRefresh && grant.offline) {
        const QString refresh = str("1//0") + chunk(60) + QLatin1Char('+') + chunk(30);
        m_refresh.insert(
            refresh,
            RefreshRecord{grantId, false, m_refreshLifetime > 0 ? now().addSecs(m_refreshLifetime) : QDateTime()});
        grant.currentRefreshToken = refresh;
        m_lastRefreshToken = refresh;
        body.insert(str("refresh_token"), refresh);
    }
    if (splitScope(scope).contains(str("openid"))) {
        const QString idToken = makeIdToken(grant);
        m_lastIdToken = idToken;
        body.insert(str("id_token"), idToken);
    }
    return noStore(jsonResponse(200, body));
}

// /revoke ---------------------------------------------------------------------------------------

bool FakeAuthServer::readClientForm(const HttpRequest &request, QMap<QString, QString> *params, QString *clientId,
                                    HttpResponse *error, const char *requiredParameter) const
{
    const auto fail = [error](HttpResponse response) {
        *error = std::move(response);
        return false;
    };
    if (request.method != "POST")
        return fail(noStore(methodNotAllowed("POST")));
    if (!request.query.isEmpty())
        return fail(tokenError(400, str("invalid_request"), 900144,
                               str("Parameters must be in the request body, not in the URL.")));
    const QByteArray contentType = request.header("content-type").split(';').first().trimmed().toLower();
    if (contentType != "application/x-www-form-urlencoded")
        return fail(tokenError(400, str("invalid_request"), 900144,
                               str("The request body must be application/x-www-form-urlencoded.")));
    ParamList list;
    if (!parseForm(request.body, &list))
        return fail(
            tokenError(400, str("invalid_request"), 900144, str("The request body is not valid form encoding.")));
    const QString repeated = toMap(list, params);
    if (!repeated.isEmpty())
        return fail(
            tokenError(400, str("invalid_request"), 90015, str("A parameter was sent more than once: ") + repeated));
    if (!authenticateClient(request, *params, clientId, error))
        return false;
    if (params->value(str(requiredParameter)).isEmpty())
        return fail(tokenError(
            400, str("invalid_request"), 900144,
            str("The request body must contain the following parameter: '%1'.").arg(str(requiredParameter))));
    return true;
}

HttpResponse FakeAuthServer::handleIntrospect(const HttpRequest &request)
{
    QMap<QString, QString> params;
    QString clientId;
    HttpResponse error;
    if (!readClientForm(request, &params, &clientId, &error))
        return error;
    // RFC 7662 2.1: only a protected resource with credentials of its own may ask.
    if (m_clients.value(clientId).clientSecret.isEmpty())
        return tokenError(401, str("invalid_client"), 7000218,
                          str("Introspection needs a confidential client (client_secret)."));
    // 2.2: anything not a valid access token (refresh tokens too) is just inactive.
    const auto it = m_access.constFind(params.value(str("token")));
    if (it == m_access.constEnd() || !accessValid(*it))
        return noStore(jsonResponse(200, QJsonObject{{str("active"), false}}));
    const User u = m_grants.value(it->grantId).user;
    QJsonObject body{{str("active"), true},
                     {str("scope"), it->scope},
                     {str("client_id"), it->clientId},
                     {str("token_type"), str("Bearer")},
                     {str("exp"), it->expires.toSecsSinceEpoch()},
                     {str("sub"), u.subject},
                     {str("iss"), issuer()}};
    if (!u.email.isEmpty()) {
        body.insert(str("email"), u.email);
        body.insert(str("username"), u.email);
    }
    return noStore(jsonResponse(200, body));
}

HttpResponse FakeAuthServer::handleRevoke(const HttpRequest &request)
{
    QMap<QString, QString> params;
    QString clientId;
    HttpResponse error;
    if (!readClientForm(request, &params, &clientId, &error))
        return error;
    const QString token = params.value(str("token"));
    // token_type_hint is only a hint (RFC 7009 2.1): both kinds are searched whatever it says.
    const auto rt = m_refresh.constFind(token);
    if (rt != m_refresh.constEnd()) {
        if (m_grants.value(rt->grantId).clientId != clientId)
            return tokenError(400, str("unauthorized_client"), 700005, str("The token was issued to another client."));
        revokeGrant(rt->grantId); // a refresh token takes its whole grant with it
    } else {
        auto at = m_access.find(token);
        if (at != m_access.end()) {
            if (at->clientId != clientId)
                return tokenError(400, str("unauthorized_client"), 700005,
                                  str("The token was issued to another client."));
            at->revoked = true;
        }
    }
    ++m_revocationCount;
    HttpResponse ok;
    ok.status = 200;
    return noStore(ok);
}

// Resources -------------------------------------------------------------------------------------

HttpResponse FakeAuthServer::handleResource(Endpoint endpoint, const HttpRequest &request)
{
    const bool graph = endpoint == Endpoint::Me || endpoint == Endpoint::MailFolders;
    if (request.method != "GET" && !(endpoint == Endpoint::UserInfo && request.method == "POST"))
        return methodNotAllowed(endpoint == Endpoint::UserInfo ? "GET, POST" : "GET");

    const auto unauthorized = [&](int status, const char *oauthError, const QString &message) {
        QByteArray challenge = "Bearer realm=\"fakeidp\"";
        if (oauthError) {
            challenge += ", error=\"" + QByteArray(oauthError) + "\", error_description=\""
                         + message.toUtf8().replace('"', '\'') + '"';
        }
        QJsonObject body;
        if (graph) {
            body = QJsonObject{{str("error"), QJsonObject{{str("code"), str("InvalidAuthenticationToken")},
                                                          {str("message"), message}}}};
        } else if (endpoint == Endpoint::Labels) {
            body = QJsonObject{{str("error"), QJsonObject{{str("code"), status},
                                                          {str("message"), message},
                                                          {str("status"), status == 401 ? str("UNAUTHENTICATED")
                                                                                        : str("INVALID_ARGUMENT")}}}};
        } else {
            body = QJsonObject{{str("error"), QString::fromLatin1(oauthError ? oauthError : "invalid_token")},
                               {str("error_description"), message}};
        }
        return jsonResponse(status, body, {header("WWW-Authenticate", challenge)});
    };

    ParamList query;
    if (parseForm(request.query, &query)) {
        for (const auto &p : std::as_const(query)) {
            if (p.first == QLatin1String("access_token"))
                return unauthorized(400, "invalid_request",
                                    str("Access tokens in the URL are not accepted; send an "
                                        "Authorization: Bearer header."));
        }
    }
    const QList<QByteArray> auths = request.headerValues("authorization");
    if (auths.isEmpty())
        return unauthorized(401, nullptr, str("Access token is empty."));
    if (auths.size() > 1)
        return unauthorized(400, "invalid_request", str("More than one Authorization header."));
    const QByteArray value = auths.first();
    const qsizetype sp = value.indexOf(' ');
    if (sp <= 0 || value.left(sp).toLower() != "bearer")
        return unauthorized(401, "invalid_token", str("The Authorization header is not Bearer."));
    const QString token = QString::fromLatin1(value.mid(sp + 1).trimmed());
    const auto it = m_access.constFind(token);
    if (it == m_access.constEnd())
        return unauthorized(401, "invalid_token", str("IDX14100: JWT is not well formed."));
    if (it->revoked || m_grants.value(it->grantId).revoked)
        return unauthorized(401, "invalid_token", str("The access token has been revoked."));
    if (now() >= it->expires)
        return unauthorized(401, "invalid_token",
                            str("Lifetime validation failed, the token is "
                                "expired."));
    if (hasOutlookAudience(it->scope))
        return unauthorized(401, "invalid_token", str("Access token validation failure. Invalid audience."));
    const User u = m_grants.value(it->grantId).user;

    switch (endpoint) {
    case Endpoint::Me:
        return jsonResponse(
            200, QJsonObject{{str("@odata.context"), QString(issuer() + str("/v1.0/$metadata#users/$entity"))},
                             {str("id"), u.subject},
                             {str("displayName"), u.displayName},
                             {str("mail"), u.email.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(u.email)},
                             {str("userPrincipalName"), u.userPrincipalName}});
    case Endpoint::UserInfo: {
        QJsonObject body{
            {str("sub"), u.subject}, {str("name"), u.displayName}, {str("email_verified"), !u.email.isEmpty()}};
        if (!u.email.isEmpty())
            body.insert(str("email"), u.email);
        return jsonResponse(200, body);
    }
    case Endpoint::MailFolders: {
        const auto folderJson = [](const MailFolder &f) {
            return QJsonObject{{str("id"), graphFolderId(f.name)},
                               {str("displayName"), f.name},
                               {str("parentFolderId"), str("AAMkAGroot")},
                               {str("childFolderCount"), 0},
                               {str("unreadItemCount"), f.unread},
                               {str("totalItemCount"), f.total},
                               {str("isHidden"), false}};
        };
        const QString prefix = str("/v1.0/me/mailFolders/");
        if (request.path.startsWith(prefix)) {
            const QString key = request.path.mid(prefix.size());
            for (const MailFolder &f : std::as_const(m_folders)) {
                if (graphFolderId(f.name) == key
                    || (!graphWellKnownName(f.name).isEmpty()
                        && graphWellKnownName(f.name).compare(key, Qt::CaseInsensitive) == 0))
                    return jsonResponse(200, folderJson(f));
            }
            return jsonResponse(
                404, QJsonObject{{str("error"), QJsonObject{{str("code"), str("ErrorItemNotFound")},
                                                            {str("message"), str("The specified object was not "
                                                                                 "found in the store.")}}}});
        }
        QJsonArray folders;
        for (const MailFolder &f : std::as_const(m_folders))
            folders.append(folderJson(f));
        return jsonResponse(200, QJsonObject{{str("@odata.context"), QString(issuer() + str("/v1.0/$metadata#users('")
                                                                             + u.subject + str("')/mailFolders"))},
                                             {str("value"), folders}});
    }
    case Endpoint::Labels: {
        QJsonArray labels;
        const QString prefix = str("/gmail/v1/users/me/labels/");
        const QString wanted = request.path.startsWith(prefix) ? request.path.mid(prefix.size()) : QString();
        for (int i = 0; i < m_folders.size(); ++i) {
            const MailFolder &f = m_folders.at(i);
            bool system = false;
            const QString id = gmailLabelId(f.name, i, &system);
            QJsonObject label{{str("id"), id},
                              {str("name"), system ? id : f.name},
                              {str("type"), system ? str("system") : str("user")},
                              {str("messagesTotal"), f.total},
                              {str("messagesUnread"), f.unread},
                              {str("threadsTotal"), f.total},
                              {str("threadsUnread"), f.unread}};
            if (!system) {
                label.insert(str("messageListVisibility"), str("show"));
                label.insert(str("labelListVisibility"), str("labelShow"));
            }
            if (!wanted.isEmpty() && wanted == id)
                return jsonResponse(200, label);
            labels.append(label);
        }
        if (!wanted.isEmpty())
            return jsonResponse(404,
                                QJsonObject{{str("error"), QJsonObject{{str("code"), 404},
                                                                       {str("message"), str("Requested entity was not "
                                                                                            "found.")},
                                                                       {str("status"), str("NOT_FOUND")}}}});
        return jsonResponse(200, QJsonObject{{str("labels"), labels}});
    }
    default:
        break;
    }
    return jsonResponse(404, QJsonObject{{str("error"), str("not_found")}});
}

// Discovery -------------------------------------------------------------------------------------

HttpResponse FakeAuthServer::handleDiscovery(const HttpRequest &request)
{
    if (request.method != "GET")
        return methodNotAllowed("GET");
    if (request.path == QLatin1String("/jwks"))
        return jsonResponse(200, QJsonObject{{str("keys"), QJsonArray()}});
    const QString base = issuer();
    QJsonObject doc{
        {str("issuer"), base},
        {str("authorization_endpoint"), authorizeUrl().toString()},
        {str("token_endpoint"), tokenUrl().toString()},
        {str("userinfo_endpoint"), userinfoUrl().toString()},
        {str("revocation_endpoint"), revokeUrl().toString()},
        {str("device_authorization_endpoint"), deviceAuthorizationUrl().toString()},
        {str("introspection_endpoint"), introspectUrl().toString()},
        {str("jwks_uri"), jwksUrl().toString()},
        {str("response_types_supported"), QJsonArray{str("code")}},
        {str("response_modes_supported"), QJsonArray{str("query")}},
        {str("grant_types_supported"), QJsonArray{str("authorization_code"), str("refresh_token")}},
        {str("subject_types_supported"), QJsonArray{str("public")}},
        {str("id_token_signing_alg_values_supported"), QJsonArray{str("HS256")}},
        {str("scopes_supported"), QJsonArray{str("openid"), str("email"), str("profile"), str("offline_access")}},
        {str("claims_supported"),
         QJsonArray{str("iss"), str("sub"), str("aud"), str("exp"), str("iat"), str("nonce"), str("email"),
                    str("email_verified"), str("name"), str("preferred_username")}},
        {str("token_endpoint_auth_methods_supported"),
         QJsonArray{str("none"), str("client_secret_post"), str("client_secret_basic")}},
        {str("revocation_endpoint_auth_methods_supported"),
         QJsonArray{str("none"), str("client_secret_post"), str("client_secret_basic")}},
        {str("introspection_endpoint_auth_methods_supported"),
         QJsonArray{str("client_secret_post"), str("client_secret_basic")}},
        {str("code_challenge_methods_supported"), QJsonArray{str("S256")}},
        {str("authorization_response_iss_parameter_supported"), m_sendIss},
    };
    return jsonResponse(200, doc);
}

} // namespace mailkey::test
