#include "core/ipc/ServingLock.h"

#include "core/ipc/IpcClient.h"
#include "core/ipc/IpcMessages.h"
#include "core/vault/Vault.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace mailkey {

namespace {
Q_LOGGING_CATEGORY(lcServing, "mailkey.serving")
constexpr int PollMs = 50;
} // namespace

ServingLock::ServingLock(const Profile &profile)
    : m_profile(profile), m_serving(profile.lockPath(), ServingSlot), m_window(profile.lockPath(), WindowSlot)
{}

Status ServingLock::ensureFolder()
{
    // The lock file lives beside the vault, whose folder a first run has not made yet.
    return Vault::ensurePrivateDirectory(m_profile.dataDir());
}

Result<bool> ServingLock::tryServe()
{
    if (Status s = ensureFolder(); !s)
        return s.error();
    return m_serving.tryLock();
}

void ServingLock::stopServing()
{
    m_serving.unlock();
}

Result<bool> ServingLock::tryHoldWindow()
{
    if (Status s = ensureFolder(); !s)
        return s.error();
    return m_window.tryLock();
}

Result<bool> ServingLock::windowRunning()
{
    if (m_window.isLocked())
        return false; // this process is the window: no other one
    if (Status s = ensureFolder(); !s)
        return s.error();
    const Result<bool> got = m_window.tryLock();
    if (!got)
        return got.error();
    if (*got) {
        m_window.unlock();
        return false;
    }
    return true;
}

void takeOverFromService(QObject *context, ServingLock *lock, const Profile &profile, int waitMs,
                         std::function<void(bool)> done)
{
    // The window lock first: a service in standby looks at it to know when to come back. A
    // service that checks it at this very instant holds it for a moment: try again shortly.
    auto waited = std::make_shared<QElapsedTimer>();
    waited->start();
    auto poll = std::make_shared<std::function<void()>>();
    // The poll refers to itself (it re-arms itself): let go of it once done.
    const auto finish = [poll, done = std::move(done)](bool serving) {
        done(serving);
        QTimer::singleShot(0, [poll] { *poll = nullptr; });
    };
    auto asked = std::make_shared<bool>(false);
    const QPointer<QObject> guard(context);
    *poll = [=] {
        if (!guard)
            return;
        if (!lock->holdsWindow()) {
            const Result<bool> held = lock->tryHoldWindow();
            if (!held)
                qCWarning(lcServing, "%s", qPrintable(held.error().message));
        }
        const Result<bool> serving = lock->tryServe();
        if (!serving) {
            qCWarning(lcServing, "%s", qPrintable(serving.error().message));
            finish(false);
            return;
        }
        if (*serving && lock->holdsWindow()) {
            finish(true);
            return;
        }
        if (waited->elapsed() >= waitMs) {
            qCWarning(lcServing, "mailkey-cli serve did not hand over in time; the window works beside it.");
            finish(lock->isServing());
            return;
        }
        if (!*serving && !*asked) {
            // A `mailkey-cli serve` serves: ask it to step aside. Its answer comes after its
            // refreshes in flight were committed; the lock is free soon after.
            *asked = true;
            auto *client = new IpcClient(profile.ipcSocketName(), guard);
            client->setConnectTimeout(1000);
            client->send(ipc::HandOverRequest{}, waitMs, [client, poll](IpcClient::Reply reply) {
                if (reply.answered && !ipc::replySucceeded(reply.body))
                    qCWarning(lcServing, "hand-over refused: %s", qPrintable(ipc::errorFromReply(reply.body).message));
                client->deleteLater();
                (*poll)();
            });
            return;
        }
        QTimer::singleShot(PollMs, guard, [poll] { (*poll)(); });
    };
    QTimer::singleShot(0, context, [poll] { (*poll)(); });
}

} // namespace mailkey
