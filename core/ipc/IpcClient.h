#pragma once

#include "core/ipc/IpcMessages.h"
#include "core/ipc/IpcProtocol.h"

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>
#include <utility>

class QLocalSocket;

namespace mailkey {

// mailkey-cli's side of the local socket to the MailKey window (protocol: IpcProtocol.h).
// Asynchronous, one request at a time. Before anything is sent, the peer's user id is checked
// (SO_PEERCRED / getpeereid): a socket of that name owned by another user is never talked to.
class IpcClient : public QObject {
    Q_OBJECT
public:
    struct Reply {
        bool answered = false;    // the window answered: `body` is its reply
        bool sent = false;        // the request was written (it may have been acted on)
        bool foreignPeer = false; // the socket belongs to another user; it was ignored
        QJsonObject body;
        QString problem; // why there is no answer (no secrets)
    };
    using Callback = std::function<void(Reply)>;

    explicit IpcClient(QString serverName, QObject *parent = nullptr);
    ~IpcClient() override;

    void setConnectTimeout(int ms) { m_connectTimeoutMs = ms; }

    // Connects if needed and sends `request` (a "v" is added). `done` runs exactly once: with the
    // reply, or with answered = false when nobody listens, the connection breaks, or no reply
    // came within timeoutMs (measured from the connection).
    void send(QJsonObject request, int timeoutMs, Callback done);
    // The same for a request of IpcMessages.h; read the answer with ipc::parseReply<Request::Reply>().
    template <ipc::RequestMessage Request>
    void send(const Request &request, int timeoutMs, Callback done)
    {
        send(request.toJson(), timeoutMs, std::move(done));
    }

    bool isConnected() const;
    void close();
    QString serverName() const { return m_name; }

private:
    void onConnected();
    void onReadyRead();
    void finish(Reply reply);
    void fail(const QString &problem);

    QString m_name;
    QLocalSocket *m_socket = nullptr;
    int m_connectTimeoutMs = 2000;
    QTimer m_timer;
    std::unique_ptr<ipc::FrameReader> m_reader;
    QByteArray m_pendingFrame;
    int m_timeoutMs = 0;
    bool m_sent = false;
    Callback m_done;
};

} // namespace mailkey
