#include "core/ipc/IpcServer.h"

#include "core/common/SecureBytes.h"
#include "core/ipc/IpcMessages.h"
#include "core/ipc/IpcProtocol.h"
#include "core/ipc/PeerCredentials.h"
#include "core/service/AccountService.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QTimer>

namespace mailkey {

Q_LOGGING_CATEGORY(lcIpcServer, "mailkey.ipc.server")

namespace {

// Printable, bounded: the actor lands in the audit log and in the window.
QString cleanActor(const QString &actor)
{
    QString out;
    for (const QChar c : actor) {
        if (out.size() >= 200)
            break;
        if (c.isPrint())
            out += c;
    }
    return out.trimmed();
}

} // namespace

// One accepted client: reassembles requests, answers them one at a time, enforces the limits.
class IpcServer::Connection : public QObject {
public:
    Connection(QLocalSocket *socket, const Limits &limits, IpcServer *server)
        : QObject(server), m_socket(socket), m_reader(limits.maxRequestBytes), m_server(server)
    {
        socket->setParent(this);
        m_requestTimer.setSingleShot(true);
        m_requestTimer.setInterval(limits.requestTimeoutMs);
        m_idleTimer.setSingleShot(true);
        m_idleTimer.setInterval(limits.idleTimeoutMs);
        connect(&m_requestTimer, &QTimer::timeout, this, [this] { drop("request timeout"); });
        connect(&m_idleTimer, &QTimer::timeout, this, [this] { drop("idle"); });
        connect(socket, &QLocalSocket::readyRead, this, [this] { onReadyRead(); });
        connect(socket, &QLocalSocket::disconnected, this, [this] { drop(nullptr); });
        m_idleTimer.start();
    }

    bool busy() const { return m_busy; }

    void send(QByteArray frame)
    {
        m_busy = false;
        if (m_socket && m_socket->state() == QLocalSocket::ConnectedState) {
            m_socket->write(frame);
            m_socket->flush();
        }
        secureWipe(frame);
        m_idleTimer.start();
        // A request that arrived while this one was handled is looked at now.
        QTimer::singleShot(0, this, [this] { process(); });
    }

    void drop(const char *why)
    {
        if (m_dropped)
            return;
        m_dropped = true;
        if (why)
            qCDebug(lcIpcServer, "connection closed: %s", why);
        m_requestTimer.stop();
        m_idleTimer.stop();
        m_server->m_connections.removeOne(this);
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
        deleteLater();
    }

private:
    void onReadyRead()
    {
        if (m_dropped)
            return;
        QByteArray bytes = m_socket->readAll();
        if (!bytes.isEmpty() && !m_requestTimer.isActive() && m_reader.buffered() == 0)
            m_requestTimer.start();
        m_reader.append(bytes);
        secureWipe(bytes);
        process();
    }

    void process()
    {
        if (m_dropped || m_busy)
            return;
        QJsonObject request;
        switch (m_reader.next(&request)) {
        case ipc::FrameReader::State::NeedMore:
            if (m_reader.buffered() == 0)
                m_requestTimer.stop();
            return;
        case ipc::FrameReader::State::TooLarge:
            drop("request too large");
            return;
        case ipc::FrameReader::State::Malformed:
            drop("malformed request");
            return;
        case ipc::FrameReader::State::Frame:
            break;
        }
        m_requestTimer.stop();
        if (m_reader.buffered() > 0)
            m_requestTimer.start();
        m_idleTimer.stop();
        m_busy = true;
        m_server->handle(this, request);
    }

    QPointer<QLocalSocket> m_socket;
    ipc::FrameReader m_reader;
    IpcServer *m_server;
    QTimer m_requestTimer;
    QTimer m_idleTimer;
    bool m_busy = false;
    bool m_dropped = false;
};

IpcServer::IpcServer(AccountService *service, QObject *parent) : QObject(parent), m_service(service)
{
    if (service)
        m_profile = service->profile();
}

IpcServer::~IpcServer()
{
    close();
}

IpcServer *IpcServer::attach(AccountService *service)
{
    auto *ipc = new IpcServer(service, service);
    ipc->listen(service->profile(), [](Status s) {
        if (!s)
            qCWarning(lcIpcServer, "%s", qPrintable(s.error().message));
    });
    return ipc;
}

bool IpcServer::vaultReady() const
{
    return m_service && m_service->vaultState() == VaultState::Ready;
}

void IpcServer::listen(const Profile &profile, std::function<void(Status)> done)
{
    m_profile = profile;
    listen(profile.ipcSocketName(), std::move(done));
}

void IpcServer::listen(const QString &name, std::function<void(Status)> done)
{
    close();
    // Is somebody answering on that name? Then another window of this profile runs: leave it.
    auto *probe = new QLocalSocket(this);
    auto finished = std::make_shared<bool>(false);
    auto conclude = [this, probe, name, finished, done = std::move(done)](bool someoneAnswers) {
        if (*finished)
            return;
        *finished = true;
        const std::optional<bool> sameUser
            = someoneAnswers ? ipc::peerIsCurrentUser(probe->socketDescriptor()) : std::optional<bool>();
        probe->disconnect(this);
        probe->abort();
        probe->deleteLater();
        if (someoneAnswers) {
            if (done)
                done(Error(ErrorCode::Internal,
                           sameUser.has_value() && !*sameUser
                               ? tr("A local socket named %1 belongs to another user; mailkey-cli will open the vault "
                                    "itself.")
                                     .arg(name)
                               : tr("Another MailKey window of this profile already answers mailkey-cli.")));
            return;
        }
        startListening(name, done);
    };
    connect(probe, &QLocalSocket::connected, this, [conclude] { conclude(true); });
    connect(probe, &QLocalSocket::errorOccurred, this, [conclude](QLocalSocket::LocalSocketError) { conclude(false); });
    QTimer::singleShot(2000, probe, [conclude] { conclude(false); });
    probe->connectToServer(name);
}

void IpcServer::startListening(const QString &name, std::function<void(Status)> done)
{
    // A socket file left behind by a crashed window (nobody answered above).
    QLocalServer::removeServer(name);
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    m_server->setMaxPendingConnections(m_limits.maxConnections);
    connect(m_server, &QLocalServer::newConnection, this, &IpcServer::onNewConnection);
    if (!m_server->listen(name)) {
        const QString why = m_server->errorString();
        delete m_server;
        m_server = nullptr;
        qCWarning(lcIpcServer, "mailkey-cli cannot reach this window: %s", qPrintable(why));
        if (done)
            done(Error(ErrorCode::Internal, tr("mailkey-cli cannot reach this window: %1").arg(why)));
        return;
    }
    if (done)
        done(Status());
}

void IpcServer::close()
{
    stopListening();
    const QList<Connection *> connections = m_connections;
    for (Connection *c : connections)
        c->drop("server closed");
}

void IpcServer::stopListening()
{
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
}

bool IpcServer::isListening() const
{
    return m_server && m_server->isListening();
}

QString IpcServer::fullServerName() const
{
    return m_server ? m_server->fullServerName() : QString();
}

int IpcServer::connectionCount() const
{
    return int(m_connections.size());
}

void IpcServer::onNewConnection()
{
    while (m_server && m_server->hasPendingConnections()) {
        QLocalSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            return;
        const std::optional<bool> sameUser = ipc::peerIsCurrentUser(socket->socketDescriptor());
        if (sameUser.has_value() && !*sameUser) {
            ++m_rejectedPeers;
            qCWarning(lcIpcServer, "refused a connection from a process of another user");
            socket->abort();
            socket->deleteLater();
            continue;
        }
        if (connectionCount() >= m_limits.maxConnections) {
            qCWarning(lcIpcServer, "too many connections from mailkey-cli; refused one");
            socket->abort();
            socket->deleteLater();
            continue;
        }
        m_connections.append(new Connection(socket, m_limits, this));
    }
}

void IpcServer::reply(Connection *connection, const QString &op, QJsonObject message)
{
    const bool ok = message.value(QStringLiteral("ok")).toBool();
    qCDebug(lcIpcServer, "%s: %s", qPrintable(op.left(32)), ok ? "ok" : "failed");
    QByteArray frame = ipc::encodeFrame(message);
    message = QJsonObject();
    connection->send(std::move(frame));
    Q_EMIT requestHandled(op, ok);
}

struct IpcServer::Route {
    Needs needs;
    // Reads the request's fields (a malformed one is answered BadRequestCode) and serves it.
    void (*serve)(IpcServer *server, Connection *connection, const QJsonObject &request);
};

template <class Request, void (IpcServer::*Serve)(IpcServer::Connection *, const Request &)>
std::pair<QString, IpcServer::Route> IpcServer::route(Needs needs)
{
    static_assert(ipc::RequestMessage<Request>);
    const auto serve = [](IpcServer *server, Connection *connection, const QJsonObject &json) {
        const Result<Request> request = Request::fromJson(json);
        if (!request) {
            server->reply(connection, QString::fromLatin1(Request::Op),
                          ipc::errorReply(QString::fromLatin1(ipc::BadRequestCode), request.error().message));
            return;
        }
        (server->*Serve)(connection, *request);
    };
    return {QString::fromLatin1(Request::Op), Route{needs, serve}};
}

const QHash<QString, IpcServer::Route> &IpcServer::routes()
{
    static const QHash<QString, Route> table = {
        route<ipc::HelloRequest, &IpcServer::serveHello>(Needs::Nothing),
        route<ipc::AccountsChangedRequest, &IpcServer::serveAccountsChanged>(Needs::Nothing),
        route<ipc::HandOverRequest, &IpcServer::serveHandOver>(Needs::Nothing),
        route<ipc::TokenRequest, &IpcServer::serveToken>(Needs::OpenVault),
        route<ipc::RemoveRequest, &IpcServer::serveRemove>(Needs::OpenVault),
        route<ipc::SignOutEverywhereRequest, &IpcServer::serveSignOutEverywhere>(Needs::OpenVault),
        route<ipc::RotateKeyRequest, &IpcServer::serveRotateKey>(Needs::OpenVault),
        route<ipc::ListRequest, &IpcServer::serveList>(Needs::OpenVault),
    };
    return table;
}

void IpcServer::handle(Connection *connection, const QJsonObject &request)
{
    const ipc::RequestHeader header = ipc::requestHeader(request);
    if (header.version != ipc::ProtocolVersion) {
        reply(connection, header.op,
              ipc::errorReply(QString::fromLatin1(ipc::UnsupportedVersionCode),
                              tr("This MailKey window speaks protocol version %1.").arg(ipc::ProtocolVersion)));
        return;
    }
    const auto route = routes().constFind(header.op);
    if (route == routes().cend()) {
        reply(connection, header.op,
              ipc::errorReply(QString::fromLatin1(ipc::UnknownOpCode), tr("Unknown request \"%1\".").arg(header.op)));
        return;
    }
    if (route->needs == Needs::OpenVault && !vaultReady()) {
        reply(connection, header.op,
              ipc::errorReply(QString::fromLatin1(ipc::NotReadyCode),
                              tr("The MailKey window has not opened the vault.")));
        return;
    }
    route->serve(this, connection, request);
}

template <class T, class MakeReply>
void IpcServer::answer(const QPointer<Connection> &connection, const QString &op, Result<T> result, MakeReply makeReply)
{
    if (!connection)
        return;
    if (!result) {
        reply(connection, op, ipc::errorReply(result.error()));
        return;
    }
    reply(connection, op, makeReply(std::move(*result)).toJson()); // by move: a token is not copied
}

void IpcServer::serveHello(Connection *connection, const ipc::HelloRequest &)
{
    ipc::HelloReply r;
    r.app = QStringLiteral("mailkey");
    r.version = QCoreApplication::applicationVersion();
    r.protocol = ipc::ProtocolVersion;
    r.profile = m_service ? m_service->profile().name() : m_profile.name();
    r.ready = vaultReady();
    r.pid = QCoreApplication::applicationPid();
    r.role = m_role;
    reply(connection, QString::fromLatin1(ipc::HelloRequest::Op), r.toJson());
}

void IpcServer::serveHandOver(Connection *connection, const ipc::HandOverRequest &)
{
    const QString op = QString::fromLatin1(ipc::HandOverRequest::Op);
    if (!m_handOver) {
        reply(connection, op,
              ipc::errorReply(QString::fromLatin1(ipc::UnknownOpCode), tr("The MailKey window does not hand over.")));
        return;
    }
    const QPointer<Connection> conn(connection);
    m_handOver([this, self = QPointer<IpcServer>(this), conn, op](Status done) {
        if (!self)
            return;
        answer(conn, op, done ? Result<bool>(true) : Result<bool>(done.error()),
               [](bool) { return ipc::HandOverReply(); });
    });
}

void IpcServer::serveAccountsChanged(Connection *connection, const ipc::AccountsChangedRequest &)
{
    reply(connection, QString::fromLatin1(ipc::AccountsChangedRequest::Op), ipc::AccountsChangedReply().toJson());
    if (m_service)
        m_service->vaultChangedElsewhere();
    Q_EMIT accountsChanged();
}

void IpcServer::serveToken(Connection *connection, const ipc::TokenRequest &request)
{
    const QPointer<Connection> conn(connection);
    const QString op = QString::fromLatin1(ipc::TokenRequest::Op);
    TokenBroker::TokenQuery q;
    q.email = request.email;
    q.provider = request.provider;
    q.resource = request.resource;
    q.actor = cleanActor(request.actor);
    q.minValiditySeconds = request.minValiditySeconds;
    m_service->issueToken(q, [this, self = QPointer<IpcServer>(this), conn, op](Result<TokenBroker::TokenAnswer> r) {
        if (!self)
            return;
        answer(conn, op, std::move(r), [](TokenBroker::TokenAnswer a) {
            ipc::TokenReply o;
            o.email = a.email;
            o.provider = a.provider;
            o.resource = a.resource;
            o.token = std::move(a.token);
            o.expiresAt = a.expiresAt;
            o.refreshed = a.refreshed;
            return o;
        });
    });
}

void IpcServer::serveRemove(Connection *connection, const ipc::RemoveRequest &request)
{
    const QPointer<Connection> conn(connection);
    const QString op = QString::fromLatin1(ipc::RemoveRequest::Op);
    m_service->removeAccount(request.email, request.provider,
                             [this, self = QPointer<IpcServer>(this), conn, op](Result<TokenBroker::RemovalAnswer> r) {
                                 if (!self)
                                     return;
                                 if (r)
                                     Q_EMIT accountsChanged();
                                 answer(conn, op, std::move(r), [](const TokenBroker::RemovalAnswer &a) {
                                     ipc::RemoveReply o;
                                     o.email = a.email;
                                     o.provider = a.provider;
                                     o.revokedAtProvider = a.outcome.revokedAtProvider;
                                     o.pending = a.outcome.pending;
                                     o.supported = a.outcome.supported;
                                     o.message = a.outcome.message;
                                     return o;
                                 });
                             });
}

void IpcServer::serveSignOutEverywhere(Connection *connection, const ipc::SignOutEverywhereRequest &)
{
    const QPointer<Connection> conn(connection);
    const QString op = QString::fromLatin1(ipc::SignOutEverywhereRequest::Op);
    m_service->signOutEverywhere([this, self = QPointer<IpcServer>(this), conn, op](Result<SignOutReport> r) {
        if (!self)
            return;
        Q_EMIT accountsChanged();
        answer(conn, op, std::move(r), [](const SignOutReport &report) {
            ipc::SignOutEverywhereReply o;
            o.accounts = report.accounts;
            o.revoked = report.revoked;
            o.pending = report.pending;
            o.notRevocable = report.notRevocable;
            o.failed = report.failed;
            o.tokensWiped = report.tokensWiped;
            o.keyRotated = report.keyRotated;
            o.summary = report.summary();
            o.messages = report.messages;
            return o;
        });
    });
}

void IpcServer::serveList(Connection *connection, const ipc::ListRequest &)
{
    ipc::ListReply list;
    for (const AccountTokens &row : m_service->accountsWithTokens()) {
        ipc::ListReply::Row r{row.account.email,         row.account.provider,
                              row.account.displayName,   accountStatusToString(row.account.status),
                              row.account.statusReason,  QDateTime(),
                              row.account.lastRefreshAt, row.account.createdAt};
        for (const TokenTiming &t : row.tokens) {
            if (t.resource == QLatin1String(DefaultResource))
                r.expiresAt = t.expiresAt;
        }
        list.accounts.append(std::move(r));
    }
    QJsonObject json = list.toJson();
    if (QJsonDocument(json).toJson(QJsonDocument::Compact).size() > ipc::MaxReplyBytes - 1024)
        json = ipc::errorReply(Error(ErrorCode::InvalidInput,
                                     tr("The list of %n account(s) is too long to pass through the MailKey window; "
                                        "unlock your keyring and run the command again.",
                                        nullptr, int(list.accounts.size()))));
    reply(connection, QString::fromLatin1(ipc::ListRequest::Op), json);
}

void IpcServer::serveRotateKey(Connection *connection, const ipc::RotateKeyRequest &)
{
    const QPointer<Connection> conn(connection);
    const QString op = QString::fromLatin1(ipc::RotateKeyRequest::Op);
    m_service->rotateKey([this, self = QPointer<IpcServer>(this), conn, op](Status s) {
        if (!self)
            return;
        if (s)
            Q_EMIT accountsChanged();
        if (!conn)
            return;
        reply(conn, op, s ? ipc::RotateKeyReply().toJson() : ipc::errorReply(s.error()));
    });
}

} // namespace mailkey
