#include "core/common/CrossProcessLock.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QObject>

#ifdef Q_OS_WIN
#include <windows.h>
#else
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::CrossProcessLock)
};
} // namespace

namespace {

Error lockError(const QString &path, const QString &why)
{
    return Error(ErrorCode::VaultIo, Text::tr("MailKey cannot use its lock file %1 (%2). Check that the folder "
                                              "exists and that you can write to it.")
                                         .arg(QDir::toNativeSeparators(path), why));
}

#if !defined(Q_OS_WIN) && !defined(Q_OS_LINUX)
QString slotPath(const QString &path, qint64 slot)
{
    return path + QLatin1Char('.') + QString::number(slot);
}
#endif

} // namespace

CrossProcessLock::CrossProcessLock(QString path, qint64 slot) : m_path(std::move(path)), m_slot(slot) {}

CrossProcessLock::~CrossProcessLock()
{
    unlock();
    closeFile();
}

#ifdef Q_OS_WIN

Status CrossProcessLock::openFile()
{
    if (m_handle)
        return {};
    const std::wstring native = QDir::toNativeSeparators(m_path).toStdWString();
    HANDLE h = CreateFileW(native.c_str(), GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return lockError(m_path, QStringLiteral("error %1").arg(GetLastError()));
    m_handle = h;
    return {};
}

void CrossProcessLock::closeFile()
{
    if (m_handle) {
        CloseHandle(static_cast<HANDLE>(m_handle));
        m_handle = nullptr;
    }
}

Result<bool> CrossProcessLock::tryLock()
{
    if (m_locked)
        return true;
    if (Status s = openFile(); !s)
        return s.error();
    OVERLAPPED ov = {};
    ov.Offset = DWORD(quint64(m_slot) & 0xffffffffu);
    ov.OffsetHigh = DWORD(quint64(m_slot) >> 32);
    if (LockFileEx(static_cast<HANDLE>(m_handle), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ov)) {
        m_locked = true;
        return true;
    }
    const DWORD err = GetLastError();
    if (err == ERROR_LOCK_VIOLATION || err == ERROR_IO_PENDING)
        return false;
    return lockError(m_path, QStringLiteral("error %1").arg(err));
}

void CrossProcessLock::unlock()
{
    if (!m_locked)
        return;
    OVERLAPPED ov = {};
    ov.Offset = DWORD(quint64(m_slot) & 0xffffffffu);
    ov.OffsetHigh = DWORD(quint64(m_slot) >> 32);
    UnlockFileEx(static_cast<HANDLE>(m_handle), 0, 1, 0, &ov);
    m_locked = false;
}

#else // Unix

Status CrossProcessLock::openFile()
{
    if (m_fd >= 0)
        return {};
#ifdef Q_OS_LINUX
    const QByteArray native = QFile::encodeName(m_path);
#else
    const QByteArray native = QFile::encodeName(slotPath(m_path, m_slot));
#endif
    int fd;
    do {
        // Never through a link another user may have put there (issue 18).
        fd = ::open(native.constData(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, S_IRUSR | S_IWUSR);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return lockError(m_path, QString::fromLocal8Bit(std::strerror(errno)));
    m_fd = fd;
    return {};
}

void CrossProcessLock::closeFile()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

Result<bool> CrossProcessLock::tryLock()
{
    if (m_locked)
        return true;
    if (Status s = openFile(); !s)
        return s.error();
#ifdef Q_OS_LINUX
    struct flock fl = {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = off_t(m_slot);
    fl.l_len = 1;
    fl.l_pid = 0; // required for OFD locks
    int rc;
    do {
        rc = ::fcntl(m_fd, F_OFD_SETLK, &fl);
    } while (rc < 0 && errno == EINTR);
#else
    int rc;
    do {
        rc = ::flock(m_fd, LOCK_EX | LOCK_NB);
    } while (rc < 0 && errno == EINTR);
#endif
    if (rc == 0) {
        m_locked = true;
        return true;
    }
    if (errno == EAGAIN || errno == EACCES || errno == EWOULDBLOCK)
        return false;
    return lockError(m_path, QString::fromLocal8Bit(std::strerror(errno)));
}

void CrossProcessLock::unlock()
{
    if (!m_locked)
        return;
#ifdef Q_OS_LINUX
    struct flock fl = {};
    fl.l_type = F_UNLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = off_t(m_slot);
    fl.l_len = 1;
    fl.l_pid = 0;
    ::fcntl(m_fd, F_OFD_SETLK, &fl);
#else
    ::flock(m_fd, LOCK_UN);
#endif
    m_locked = false;
}

#endif

} // namespace mailkey
