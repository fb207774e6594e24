#include "core/ipc/IpcClient.h"

#include "core/common/SecureBytes.h"
#include "core/ipc/PeerCredentials.h"

#include <QLocalSocket>

namespace mailkey {

IpcClient::IpcClient(QString serverName, QObject *parent) : QObject(parent), m_name(std::move(serverName))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        fail(m_sent ? QStringLiteral("the MailKey window did not answer in time")
                    : QStringLiteral("the MailKey window did not accept the connection in time"));
    });
}

IpcClient::~IpcClient()
{
    secureWipe(m_pendingFrame);
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

bool IpcClient::isConnected() const
{
    return m_socket && m_socket->state() == QLocalSocket::ConnectedState;
}

void IpcClient::close()
{
    if (!m_socket)
        return;
    m_socket->disconnect(this);
    m_socket->abort();
    m_socket->deleteLater();
    m_socket = nullptr;
}

void IpcClient::send(QJsonObject request, int timeoutMs, Callback done)
{
    if (m_done) {
        Reply r;
        r.problem = QStringLiteral("a request is already in flight");
        done(r);
        return;
    }
    request.insert(QStringLiteral("v"), ipc::ProtocolVersion);
    secureWipe(m_pendingFrame);
    m_pendingFrame = ipc::encodeFrame(request);
    m_done = std::move(done);
    m_timeoutMs = timeoutMs;
    m_sent = false;
    m_reader = std::make_unique<ipc::FrameReader>(ipc::MaxReplyBytes);
    if (isConnected()) {
        onConnected();
        return;
    }
    close();
    m_socket = new QLocalSocket(this);
    connect(m_socket, &QLocalSocket::connected, this, &IpcClient::onConnected);
    connect(m_socket, &QLocalSocket::readyRead, this, &IpcClient::onReadyRead);
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
        if (error == QLocalSocket::ServerNotFoundError)
            fail(QStringLiteral("the MailKey window is not running"));
        else if (error == QLocalSocket::ConnectionRefusedError)
            fail(QStringLiteral("the MailKey window is not running (stale socket)"));
        else if (error == QLocalSocket::PeerClosedError)
            fail(QStringLiteral("the MailKey window closed the connection"));
        else
            fail(QStringLiteral("the MailKey window could not be reached: ") + m_socket->errorString());
    });
    m_timer.start(m_connectTimeoutMs);
    m_socket->connectToServer(m_name);
}

void IpcClient::onConnected()
{
    if (!m_done || !m_socket)
        return;
    const std::optional<bool> same = ipc::peerIsCurrentUser(m_socket->socketDescriptor());
    if (same.has_value() && !*same) {
        Reply r;
        r.foreignPeer = true;
        r.problem = QStringLiteral("the local socket %1 belongs to another user; it was ignored").arg(m_name);
        close();
        finish(r);
        return;
    }
    m_socket->write(m_pendingFrame);
    m_socket->flush();
    secureWipe(m_pendingFrame);
    m_pendingFrame.clear();
    m_sent = true;
    m_timer.start(m_timeoutMs);
}

void IpcClient::onReadyRead()
{
    if (!m_socket)
        return;
    QByteArray bytes = m_socket->readAll();
    if (!m_done || !m_reader) {
        secureWipe(bytes);
        return;
    }
    m_reader->append(bytes);
    secureWipe(bytes);
    QJsonObject body;
    switch (m_reader->next(&body)) {
    case ipc::FrameReader::State::NeedMore:
        return;
    case ipc::FrameReader::State::TooLarge:
        fail(QStringLiteral("the MailKey window sent a reply that is too large"));
        return;
    case ipc::FrameReader::State::Malformed:
        fail(QStringLiteral("the MailKey window sent a malformed reply"));
        return;
    case ipc::FrameReader::State::Frame:
        break;
    }
    Reply r;
    r.answered = true;
    r.sent = true;
    r.body = std::move(body);
    m_timer.stop();
    finish(std::move(r));
}

void IpcClient::fail(const QString &problem)
{
    if (!m_done)
        return;
    Reply r;
    r.sent = m_sent;
    r.problem = problem;
    close();
    finish(std::move(r));
}

void IpcClient::finish(Reply reply)
{
    m_timer.stop();
    secureWipe(m_pendingFrame);
    m_pendingFrame.clear();
    Callback done = std::move(m_done);
    m_done = nullptr;
    if (done)
        done(std::move(reply));
}

} // namespace mailkey
