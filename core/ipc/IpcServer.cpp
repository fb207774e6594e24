#include "core/ipc/IpcServer.h"

#include "core/common/SecureBytes.h"
#include "core/ipc/IpcProtocol.h"
#include "core/ipc/PeerCredentials.h"
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/TokenManager.h"
#include "core/service/AccountService.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLocalServer>
#include <QLocalSocket>
#include <QLoggingCategory>
#include <QTimer>

namespace mailkey {

Q_LOGGING_CATEGORY(lcIpcServer, "mailkey.ipc.server")

namespace {

QString str(const char *text)
{
    return QCoreApplication::translate("IpcServer", text);
}

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

QString stringField(const QJsonObject &o, const char *name, int maxChars, bool *ok)
{
    const QJsonValue v = o.value(QLatin1String(name));
    if (v.isUndefined() || v.isNull())
        return QString();
    if (!v.isString() || v.toString().size() > maxChars) {
        *ok = false;
        return QString();
    }
    return v.toString();
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

IpcServer::IpcServer(TokenManager *tokens, ProviderRegistry *providers, QObject *parent)
    : QObject(parent), m_broker(tokens, providers)
{
}

IpcServer::~IpcServer()
{
    close();
}

IpcServer *IpcServer::attach(AccountService *service)
{
    auto *ipc = new IpcServer(service->tokens(), service->providers(), service);
    connect(service, &AccountService::vaultStateChanged, ipc, [ipc, service] { ipc->setTokenManager(service->tokens()); });
    connect(ipc, &IpcServer::accountsChanged, service, &AccountService::accountsChanged);
    ipc->listen(service->profile(), [](Status s) {
        if (!s)
            qCWarning(lcIpcServer, "%s", qPrintable(s.error().message));
    });
    return ipc;
}

void IpcServer::setTokenManager(TokenManager *tokens)
{
    m_broker.setTokenManager(tokens);
}

void IpcServer::setKeyStore(KeyStore *keyStore)
{
    m_keyStore = keyStore;
}

KeyStore *IpcServer::keyStore()
{
    if (m_keyStore)
        return m_keyStore;
    if (!m_ownKeyStore)
        m_ownKeyStore = new KeyStore(this);
    return m_ownKeyStore;
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
        const std::optional<bool> sameUser =
            someoneAnswers ? ipc::peerIsCurrentUser(probe->socketDescriptor()) : std::optional<bool>();
        probe->disconnect(this);
        probe->abort();
        probe->deleteLater();
        if (someoneAnswers) {
            if (done)
                done(Error(ErrorCode::Internal,
                           sameUser.has_value() && !*sameUser
                               ? str("A local socket named %1 belongs to another user; mailkey-cli will open the vault "
                                     "itself.")
                                     .arg(name)
                               : str("Another MailKey window of this profile already answers mailkey-cli.")));
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
            done(Error(ErrorCode::Internal, str("mailkey-cli cannot reach this window: %1").arg(why)));
        return;
    }
    if (done)
        done(Status());
}

void IpcServer::close()
{
    if (m_server) {
        m_server->close();
        delete m_server;
        m_server = nullptr;
    }
    const QList<Connection *> connections = m_connections;
    for (Connection *c : connections)
        c->drop("server closed");
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

void IpcServer::handle(Connection *connection, const QJsonObject &request)
{
    const QPointer<Connection> conn(connection);
    const QString op = request.value(QStringLiteral("op")).toString().left(32);
    const int version = request.value(QStringLiteral("v")).toInt(-1);
    if (version != ipc::ProtocolVersion) {
        reply(connection, op,
              ipc::errorReply(QString::fromLatin1(ipc::UnsupportedVersionCode),
                              str("This MailKey window speaks protocol version %1.").arg(ipc::ProtocolVersion)));
        return;
    }
    TokenManager *tm = m_broker.tokenManager();
    const bool ready = tm && tm->vault();

    if (op == QLatin1String("hello")) {
        QJsonObject r = ipc::okReply();
        r.insert(QStringLiteral("app"), QStringLiteral("mailkey"));
        r.insert(QStringLiteral("version"), QCoreApplication::applicationVersion());
        r.insert(QStringLiteral("protocol"), ipc::ProtocolVersion);
        r.insert(QStringLiteral("profile"), tm ? tm->profile().name() : m_profile.name());
        r.insert(QStringLiteral("ready"), ready);
        r.insert(QStringLiteral("pid"), QCoreApplication::applicationPid());
        reply(connection, op, r);
        return;
    }
    if (op == QLatin1String("accounts-changed")) {
        reply(connection, op, ipc::okReply());
        Q_EMIT accountsChanged();
        return;
    }
    const bool knownOp = op == QLatin1String("token") || op == QLatin1String("remove")
        || op == QLatin1String("sign-out-everywhere") || op == QLatin1String("rotate-key");
    if (!knownOp) {
        reply(connection, op,
              ipc::errorReply(QString::fromLatin1(ipc::UnknownOpCode), str("Unknown request \"%1\".").arg(op)));
        return;
    }
    if (!ready) {
        reply(connection, op,
              ipc::errorReply(QString::fromLatin1(ipc::NotReadyCode), str("The MailKey window has not opened the vault.")));
        return;
    }

    bool valid = true;
    const QString email = stringField(request, "email", 320, &valid);
    const QString provider = stringField(request, "provider", 64, &valid);
    if (!valid) {
        reply(connection, op, ipc::errorReply(QString::fromLatin1(ipc::BadRequestCode), str("Malformed request.")));
        return;
    }

    if (op == QLatin1String("token")) {
        TokenBroker::TokenQuery q;
        q.email = email;
        q.provider = provider;
        q.resource = stringField(request, "resource", 16, &valid);
        q.actor = cleanActor(stringField(request, "actor", 400, &valid));
        q.minValiditySeconds = qBound(0, request.value(QStringLiteral("min_validity")).toInt(60), 3600);
        if (!valid) {
            reply(connection, op, ipc::errorReply(QString::fromLatin1(ipc::BadRequestCode), str("Malformed request.")));
            return;
        }
        m_broker.token(q, [this, conn, op](Result<TokenBroker::TokenAnswer> r) {
            if (!conn)
                return; // the client went away; the answer is dropped (and wiped)
            if (!r) {
                reply(conn, op, ipc::errorReply(r.error()));
                return;
            }
            QJsonObject o = ipc::okReply();
            o.insert(QStringLiteral("email"), r->email);
            o.insert(QStringLiteral("provider"), r->provider);
            o.insert(QStringLiteral("resource"), r->resource);
            o.insert(QStringLiteral("token"), r->token);
            o.insert(QStringLiteral("expires_at"), r->expiresAt.toUTC().toString(Qt::ISODate));
            o.insert(QStringLiteral("refreshed"), r->refreshed);
            reply(conn, op, std::move(o));
        });
        return;
    }
    if (op == QLatin1String("remove")) {
        m_broker.remove(email, provider, [this, self = QPointer<IpcServer>(this), conn, op](Result<TokenBroker::RemovalAnswer> r) {
            if (!self)
                return;
            if (r)
                Q_EMIT accountsChanged();
            if (!conn)
                return;
            if (!r) {
                reply(conn, op, ipc::errorReply(r.error()));
                return;
            }
            QJsonObject o = ipc::okReply();
            o.insert(QStringLiteral("email"), r->email);
            o.insert(QStringLiteral("provider"), r->provider);
            o.insert(QStringLiteral("revoked_at_provider"), r->outcome.revokedAtProvider);
            o.insert(QStringLiteral("pending"), r->outcome.pending);
            o.insert(QStringLiteral("supported"), r->outcome.supported);
            o.insert(QStringLiteral("message"), r->outcome.message);
            reply(conn, op, std::move(o));
        });
        return;
    }
    if (op == QLatin1String("sign-out-everywhere")) {
        m_broker.signOutEverywhere(keyStore(), [this, self = QPointer<IpcServer>(this), conn, op](Result<SignOutReport> r) {
            if (!self)
                return;
            Q_EMIT accountsChanged();
            if (!conn)
                return;
            if (!r) {
                reply(conn, op, ipc::errorReply(r.error()));
                return;
            }
            QJsonObject o = ipc::okReply();
            o.insert(QStringLiteral("accounts"), r->accounts);
            o.insert(QStringLiteral("revoked"), r->revoked);
            o.insert(QStringLiteral("pending"), r->pending);
            o.insert(QStringLiteral("not_revocable"), r->notRevocable);
            o.insert(QStringLiteral("failed"), r->failed);
            o.insert(QStringLiteral("tokens_wiped"), r->tokensWiped);
            o.insert(QStringLiteral("key_rotated"), r->keyRotated);
            o.insert(QStringLiteral("summary"), r->summary());
            o.insert(QStringLiteral("messages"), QJsonArray::fromStringList(r->messages));
            reply(conn, op, std::move(o));
        });
        return;
    }
    // rotate-key
    VaultAccess::rotateKey(tm->vault(), tm->profile(), keyStore(), [this, self = QPointer<IpcServer>(this), conn, op](Status s) {
        if (!self)
            return;
        if (s)
            Q_EMIT accountsChanged();
        if (!conn)
            return;
        reply(conn, op, s ? ipc::okReply() : ipc::errorReply(s.error()));
    });
}

} // namespace mailkey
