#pragma once

#include "core/common/CrossProcessLock.h"
#include "core/common/Profile.h"
#include "core/common/Result.h"

#include <functional>

class QObject;

namespace mailkey {

// Who serves a profile: at most one process at a time keeps its tokens fresh and answers
// mailkey-cli on its socket, the MailKey window or `mailkey-cli serve`. Two byte-range locks in
// the profile's lock file (CrossProcessLock, released by the kernel when a process dies, so a
// crash leaves nothing stale), far above any account's slot:
//   serving - held by the process that serves;
//   window  - held by the MailKey window for its whole life (while shown, hidden or in the tray).
//
// The window always wins: a window that starts while `mailkey-cli serve` serves asks it to hand
// over (takeOverFromService: the `hand-over` request), and the service waits in standby until the
// window has gone, then serves again (core/ipc/BackgroundService.h). A second service started
// while one serves ends at once.
class ServingLock {
public:
    static constexpr qint64 ServingSlot = (qint64(1) << 40);
    static constexpr qint64 WindowSlot = (qint64(1) << 40) + 1;

    explicit ServingLock(const Profile &profile);

    // true: this process now serves (also when it already did); false: another one does.
    Result<bool> tryServe();
    void stopServing();
    bool isServing() const { return m_serving.isLocked(); }

    // The window: held from its start to its end.
    Result<bool> tryHoldWindow();
    bool holdsWindow() const { return m_window.isLocked(); }
    // Whether a MailKey window of this profile runs (in another process). Takes the window lock
    // for an instant to find out, and lets it go.
    Result<bool> windowRunning();

private:
    Status ensureFolder();

    Profile m_profile;
    CrossProcessLock m_serving;
    CrossProcessLock m_window;
};

// The window's side of the hand-over, before it opens the vault: takes the window lock, then the
// serving lock; when a `mailkey-cli serve` holds it, asks the service to hand over on the
// profile's socket and waits (polling, never blocking the event loop) until the lock is free, for
// at most waitMs. `done` gets true when this process now serves, false when it gave up waiting
// (the service still serves: the window then works beside it, and mailkey-cli is answered by the
// service). Errors of the lock file are reported as false with a warning: they must not stop the
// window.
void takeOverFromService(QObject *context, ServingLock *lock, const Profile &profile, int waitMs,
                         std::function<void(bool serving)> done);

} // namespace mailkey
