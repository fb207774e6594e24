#include "core/ipc/BackgroundService.h"

#include "core/ipc/IpcClient.h"
#include "core/ipc/IpcMessages.h"
#include "core/ipc/IpcServer.h"
#include "core/service/AccountService.h"

#include <QTimer>

namespace mailkey {

BackgroundService::BackgroundService(Profile profile, QNetworkAccessManager *network, QObject *parent)
    : QObject(parent), m_profile(std::move(profile)), m_network(network), m_lock(m_profile)
{
    m_standbyTimer = new QTimer(this);
    m_standbyTimer->setSingleShot(true);
    connect(m_standbyTimer, &QTimer::timeout, this, &BackgroundService::checkWindow);
}

BackgroundService::~BackgroundService()
{
    tearDown();
}

void BackgroundService::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void BackgroundService::start()
{
    const Result<bool> serving = m_lock.tryServe();
    if (!serving) {
        Q_EMIT problem(serving.error().message);
        setState(State::Stopped);
        return;
    }
    if (*serving) {
        serve();
        return;
    }
    const Result<bool> window = m_lock.windowRunning();
    if (window && *window) {
        standby();
        return;
    }
    reportDuplicate();
}

void BackgroundService::reportDuplicate()
{
    // Ask the one that serves for its pid, for the message; it may be gone by then.
    auto *client = new IpcClient(m_profile.ipcSocketName(), this);
    client->setConnectTimeout(1000);
    client->send(ipc::HelloRequest{}, 2000, [this, client](IpcClient::Reply reply) {
        client->deleteLater();
        qint64 pid = 0;
        if (reply.answered) {
            if (const Result<ipc::HelloReply> hello = ipc::parseReply<ipc::HelloReply>(reply.body))
                pid = hello->pid;
        }
        setState(State::Stopped);
        Q_EMIT alreadyServed(pid);
    });
}

void BackgroundService::serve()
{
    m_service = std::make_unique<AccountService>(m_profile, m_network, &m_providers);
    if (m_configure) {
        if (const Status s = m_configure(&m_providers, m_service.get()); !s)
            Q_EMIT problem(s.error().message);
    }
    m_ipc = new IpcServer(m_service.get(), m_service.get());
    m_ipc->setRole(QStringLiteral("service"));
    m_ipc->setHandOverHandler([this](std::function<void(Status)> answer) { handOver(std::move(answer)); });
    m_ipc->listen(m_profile, [this, ipc = m_ipc](Status s) {
        if (!s && ipc)
            Q_EMIT problem(s.error().message);
    });
    setState(State::Serving);
    m_service->start();
}

void BackgroundService::handOver(std::function<void(Status)> answer)
{
    if (m_state != State::Serving || !m_service) {
        answer(Error(ErrorCode::Internal, tr("MailKey's background service is not serving.")));
        return;
    }
    setState(State::HandingOver);
    if (m_ipc)
        m_ipc->stopListening(); // new requests go elsewhere; those taken are answered first
    m_service->drain(m_options.drainMs, [this, answer = std::move(answer)](bool drained) {
        if (!drained)
            Q_EMIT problem(tr("A token refresh was still running when the window took over."));
        // The answer first (the window waits for it), then the socket, the vault and the lock.
        answer(Status());
        QTimer::singleShot(100, this, [this] {
            if (m_state != State::HandingOver)
                return;
            tearDown();
            standby();
        });
    });
}

void BackgroundService::tearDown()
{
    m_standbyTimer->stop();
    if (m_ipc)
        m_ipc->close();
    m_ipc = nullptr;
    m_service.reset(); // closes the vault; the IPC server is its child
    m_lock.stopServing();
}

void BackgroundService::standby()
{
    setState(State::Standby);
    m_standbyTimer->start(m_options.standbyPollMs);
}

void BackgroundService::checkWindow()
{
    if (m_state != State::Standby)
        return;
    const Result<bool> window = m_lock.windowRunning();
    if (!window) {
        Q_EMIT problem(window.error().message);
    } else if (!*window) {
        // The window has gone: serve, unless another service was quicker.
        const Result<bool> serving = m_lock.tryServe();
        if (serving && *serving) {
            serve();
            return;
        }
        if (serving) {
            reportDuplicate();
            return;
        }
        Q_EMIT problem(serving.error().message);
    }
    m_standbyTimer->start(m_options.standbyPollMs);
}

void BackgroundService::stop(std::function<void(bool)> done)
{
    if (!m_service || (m_state != State::Serving && m_state != State::HandingOver)) {
        tearDown();
        setState(State::Stopped);
        done(true);
        return;
    }
    // No new clients; those connected get their answers while the refreshes finish.
    if (m_ipc) {
        m_ipc->setHandOverHandler({});
        m_ipc->stopListening();
    }
    m_service->drain(m_options.drainMs, [this, done = std::move(done)](bool drained) {
        tearDown();
        setState(State::Stopped);
        done(drained);
    });
}

} // namespace mailkey
