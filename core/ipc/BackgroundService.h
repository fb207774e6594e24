#pragma once

#include "core/common/Profile.h"
#include "core/common/Result.h"
#include "core/ipc/IpcServer.h"
#include "core/ipc/ServingLock.h"
#include "core/providers/ProviderRegistry.h"

#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QTimer;

namespace mailkey {

class AccountService;

// `mailkey-cli serve`: the token lifecycle of one profile without the window. While it serves it
// owns an AccountService (the same one the window uses: its RefreshScheduler refreshes ahead of
// expiry and keeps idle accounts alive) and the profile's IPC socket (mailkey-cli token is
// answered here, from one cache, with one refresh per account).
//
// One process serves a profile at a time (ServingLock):
//   - started while nothing serves: it serves;
//   - started while the window runs: Standby, until the window has gone, then it serves;
//   - the window starts while it serves: the window asks it to hand over; it lets its refreshes in
//     flight finish and be committed (AccountService::drain), closes its socket and vault, and
//     goes to Standby;
//   - started while another service serves: alreadyServed() and nothing else.
// Standby looks for the window once per standbyPollMs (a lock test, no I/O beyond it).
// stop() (SIGTERM, Ctrl-C) drains the same way before the service is destroyed: a refresh whose
// request left is committed, so a rotated refresh token is never lost.
class BackgroundService : public QObject {
    Q_OBJECT
public:
    enum class State {
        Idle,
        Serving,
        HandingOver,
        Standby,
        Stopped
    };
    struct Options {
        int standbyPollMs = 1000;
        int drainMs = 40000; // longer than one token request's time limit
    };
    // Called at the start of every serving period, before the vault is opened: loads the
    // providers (settings.ini, providers.json: the window may have changed them meanwhile) and
    // sets up the new AccountService (audit retention, scheduler options). An error is reported
    // (problem()) and serving goes on with what could be loaded.
    using Configure = std::function<Status(ProviderRegistry *registry, AccountService *service)>;

    BackgroundService(Profile profile, QNetworkAccessManager *network, QObject *parent = nullptr);
    ~BackgroundService() override;

    void setOptions(const Options &options) { m_options = options; }
    void setConfigure(Configure configure) { m_configure = std::move(configure); }

    void start();
    // Drains and stops; `done` gets false when a refresh was still in flight after drainMs.
    void stop(std::function<void(bool drained)> done);

    State state() const { return m_state; }
    AccountService *service() const { return m_service.get(); }
    IpcServer *ipcServer() const { return m_ipc; }

Q_SIGNALS:
    void stateChanged(mailkey::BackgroundService::State state);
    // Another `mailkey-cli serve` serves this profile (its pid when it said so, else 0).
    void alreadyServed(qint64 pid);
    // A problem worth a line in the log: the lock file, the providers, the socket. No secrets.
    void problem(const QString &message);

private:
    void serve();
    void standby();
    void handOver(std::function<void(Status)> answer);
    void checkWindow();
    void tearDown();
    void setState(State state);
    void reportDuplicate();

    Profile m_profile;
    QNetworkAccessManager *m_network;
    Options m_options;
    Configure m_configure;
    ServingLock m_lock;
    ProviderRegistry m_providers;
    std::unique_ptr<AccountService> m_service;
    QPointer<IpcServer> m_ipc;
    QTimer *m_standbyTimer = nullptr;
    State m_state = State::Idle;
};

} // namespace mailkey
