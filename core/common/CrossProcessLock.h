#pragma once

#include "core/common/Result.h"

#include <QString>

namespace mailkey {

// An exclusive lock shared by every MailKey process of a user (the window, mailkey-cli, the
// token helper), one per (profile, account): the lock file lives next to the vault
// (Profile::lockPath()) and each account locks its own byte range in it.
//
//  - Linux: open-file-description locks (fcntl F_OFD_SETLK) on one byte at offset = slot. They
//    belong to this object's file descriptor, so two objects in one process exclude each other
//    too, and the kernel releases them when the process dies (SIGKILL included): a crash never
//    leaves a stale lock behind.
//  - Other Unix systems: flock() on "<path>.<slot>" (also released by the kernel on exit).
//  - Windows: LockFileEx on one byte at offset = slot, LOCKFILE_FAIL_IMMEDIATELY (released by the
//    system when the handle closes or the process ends).
//
// tryLock() never blocks; callers poll it from a timer (TokenManager does, so the GUI thread
// never waits on another process). The lock file holds no data and is never deleted.
class CrossProcessLock {
public:
    CrossProcessLock(QString path, qint64 slot);
    ~CrossProcessLock();
    CrossProcessLock(const CrossProcessLock &) = delete;
    CrossProcessLock &operator=(const CrossProcessLock &) = delete;

    // true: the lock is now held by this object (also when it already was); false: another
    // holder has it. An error when the lock file cannot be opened or locked at all.
    Result<bool> tryLock();
    void unlock();
    bool isLocked() const { return m_locked; }

    QString path() const { return m_path; }
    qint64 slot() const { return m_slot; }

private:
    Status openFile();
    void closeFile();

    QString m_path;
    qint64 m_slot = 0;
    bool m_locked = false;
#ifdef Q_OS_WIN
    void *m_handle = nullptr;
#else
    int m_fd = -1;
#endif
};

} // namespace mailkey
