#pragma once

#include "core/common/Profile.h"
#include "core/common/Result.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <utility>

class QLocalServer;
class QLocalSocket;

namespace mailkey {

class AccountService;

namespace ipc {
struct AccountsChangedRequest;
struct HandOverRequest;
struct HelloRequest;
struct RemoveRequest;
struct RotateKeyRequest;
struct ListRequest;
struct SignOutEverywhereRequest;
struct TokenRequest;
} // namespace ipc

// The window's side of the local socket mailkey-cli talks to (protocol: core/ipc/IpcProtocol.h),
// so the window and the CLI share one token cache and one refresh, and so that operations which
// change the open vault under the window's feet (remove, sign out everywhere, rotate the key) run
// in the window.
//
//   IpcServer::attach(service);   // in the window, once the AccountService exists
//
// Every request is answered through the AccountService, the one owner of the vault, its key and
// the token lifecycle in the window: the server holds no vault, no TokenManager and no KeyStore.
//
// Reachable by the same user only: the socket is created with QLocalServer::UserAccessOption, and
// each connection's peer user id is checked (SO_PEERCRED / getpeereid) before a byte is read.
// Limits: MaxRequestBytes per request, one request at a time per connection, a whole request
// within requestTimeoutMs, idle connections closed after idleTimeoutMs, at most maxConnections.
// Nothing is logged but the op name and the outcome; tokens only travel in replies to `token`.
class IpcServer : public QObject {
    Q_OBJECT
public:
    struct Limits {
        int maxConnections = 16;
        int maxRequestBytes = 16 * 1024;
        int requestTimeoutMs = 5000; // from the first byte of a request to its last
        int idleTimeoutMs = 60000;   // a connection with no request in flight
    };

    // Requests that need the vault are answered "not-ready" (and the CLI opens the vault itself)
    // until the service's vault is Ready, and always when `service` is null.
    explicit IpcServer(AccountService *service, QObject *parent = nullptr);
    ~IpcServer() override;

    // The window's one line: a server owned by `service`, listening on its profile's socket.
    static IpcServer *attach(AccountService *service);
    void setLimits(const Limits &limits) { m_limits = limits; }
    // Who this server is, as `hello` tells it: "window" (the default) or "service".
    void setRole(const QString &role) { m_role = role; }
    QString role() const { return m_role; }
    // `mailkey-cli serve` only: how a `hand-over` request is carried out. `done` answers the
    // request; the handler may close this server afterwards. Without a handler the request is
    // answered unknown-op (a window does not hand over).
    using HandOverHandler = std::function<void(std::function<void(Status)> done)>;
    void setHandOverHandler(HandOverHandler handler) { m_handOver = std::move(handler); }
    const Limits &limits() const { return m_limits; }

    // Listens on profile.ipcSocketName(). A socket of that name that nobody answers on (left by a
    // crash) is replaced; one that answers belongs to another running window: that is an error.
    void listen(const Profile &profile, std::function<void(Status)> done = {});
    void listen(const QString &name, std::function<void(Status)> done = {});
    void close();
    // No new connections; those open are still answered (before a service stops).
    void stopListening();
    bool isListening() const;
    QString fullServerName() const;

    int connectionCount() const;
    int rejectedPeerCount() const { return m_rejectedPeers; }

Q_SIGNALS:
    // The vault changed through the socket (an account removed, signed out everywhere, a new key,
    // or a CLI connected an account on its own). The service has told its views already
    // (AccountService::accountsChanged); this is the server's own account of it.
    void accountsChanged();
    void requestHandled(const QString &op, bool ok);

private:
    class Connection;
    friend class Connection;
    // The dispatch table: one route per request type of IpcMessages.h, keyed by its Op.
    struct Route;
    enum class Needs {
        Nothing,
        OpenVault
    };
    static const QHash<QString, Route> &routes();
    template <class Request, void (IpcServer::*Serve)(Connection *, const Request &)>
    static std::pair<QString, Route> route(Needs needs);

    void startListening(const QString &name, std::function<void(Status)> done);
    void onNewConnection();
    void handle(Connection *connection, const QJsonObject &request);
    void serveHello(Connection *connection, const ipc::HelloRequest &request);
    void serveAccountsChanged(Connection *connection, const ipc::AccountsChangedRequest &request);
    void serveHandOver(Connection *connection, const ipc::HandOverRequest &request);
    void serveToken(Connection *connection, const ipc::TokenRequest &request);
    void serveRemove(Connection *connection, const ipc::RemoveRequest &request);
    void serveSignOutEverywhere(Connection *connection, const ipc::SignOutEverywhereRequest &request);
    void serveRotateKey(Connection *connection, const ipc::RotateKeyRequest &request);
    void serveList(Connection *connection, const ipc::ListRequest &request);
    void reply(Connection *connection, const QString &op, QJsonObject message);
    // Replies with the broker's error, or with the reply makeReply makes of its value; nothing
    // when the client has gone away (the answer is dropped, and wiped).
    template <class T, class MakeReply>
    void answer(const QPointer<Connection> &connection, const QString &op, Result<T> result, MakeReply makeReply);
    bool vaultReady() const;

    QLocalServer *m_server = nullptr;
    QList<Connection *> m_connections;
    QPointer<AccountService> m_service;
    Profile m_profile;
    Limits m_limits;
    int m_rejectedPeers = 0;
    QString m_role = QStringLiteral("window");
    HandOverHandler m_handOver;
};

} // namespace mailkey
