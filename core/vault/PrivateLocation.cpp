#include "core/vault/PrivateLocation.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QObject>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#endif

namespace mailkey::PrivateLocation {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::PrivateLocation)
};
} // namespace

#ifdef Q_OS_UNIX
namespace {

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

QString modeText(mode_t mode)
{
    return QStringLiteral("%1").arg(uint(mode & 07777), 4, 8, QLatin1Char('0'));
}

Error unsafe(const QString &text)
{
    return {ErrorCode::VaultUnsafe, text};
}

Error notPrivateFolder(const QString &dir, const struct stat &st)
{
    return unsafe(Text::tr("MailKey will not use the folder %1: other users of this computer can change it "
                           "(mode %2), so they could have replaced the vault's files. Check what is in it, "
                           "then make it private (chmod 700 \"%1\") and try again. Nothing was opened.")
                      .arg(native(dir), modeText(st.st_mode)));
}

Error foreignOwner(const QString &path, const struct stat &st)
{
    return unsafe(Text::tr("MailKey will not use %1: it belongs to another user (uid %2), who could change "
                           "or replace it. It must belong to you. Nothing was opened.")
                      .arg(native(path), QString::number(qulonglong(st.st_uid))));
}

bool writableByOthers(const struct stat &st)
{
    if (st.st_mode & S_IWOTH)
        return true;
    // A group-writable folder is fine when the group is the user's own (user private groups).
    return (st.st_mode & S_IWGRP) && st.st_gid != getgid();
}

// Each folder above `dir`: owned by us or root, and nobody else can rename what is in it.
Status checkParents(const QString &dir)
{
    const uid_t me = geteuid();
    QString path = QFileInfo(dir).canonicalFilePath(); // no links left in the chain
    if (path.isEmpty())
        return {};
    for (path = QFileInfo(path).absolutePath();; path = QFileInfo(path).absolutePath()) {
        struct stat st {};
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
            return {};
        if (st.st_uid != me && st.st_uid != 0)
            return foreignOwner(path, st);
        if (writableByOthers(st) && !(st.st_mode & S_ISVTX))
            return unsafe(Text::tr("MailKey will not use its data folder below %1: other users of this computer "
                                   "can rename what is in %1 (mode %2), so they could swap the vault's folder. "
                                   "Remove their write permission (chmod o-w,g-w \"%1\"), or set MAILKEY_DATA_DIR "
                                   "to a private folder, and try again. Nothing was opened.")
                              .arg(native(path), modeText(st.st_mode)));
        if (path == QLatin1String("/"))
            return {};
    }
}

Status checkFile(const QString &path)
{
    struct stat st {};
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return {}; // does not exist (yet): SQLite creates it in a folder only we can write to
    if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode))
        return unsafe(Text::tr("MailKey will not open %1: it is a link or not a regular file, which MailKey "
                               "never makes. Someone may have put it there to make MailKey write elsewhere. "
                               "Check it, remove it, and try again. Nothing was opened.")
                          .arg(native(path)));
    if (st.st_uid != geteuid())
        return foreignOwner(path, st);
    if (st.st_nlink != 1)
        return unsafe(Text::tr("MailKey will not open %1: it has more than one name (a hard link), which MailKey "
                               "never makes. Check it, remove the other name, and try again. Nothing was opened.")
                          .arg(native(path)));
    if ((st.st_mode & 077) != 0)
        ::chmod(QFile::encodeName(path).constData(), S_IRUSR | S_IWUSR);
    return {};
}

} // namespace

Status secureFolder(const QString &dir, bool create)
{
    const QByteArray path = QFile::encodeName(dir);
    struct stat st {};
    if (::lstat(path.constData(), &st) != 0) {
        if (!create || errno != ENOENT)
            return Error(ErrorCode::VaultReadOnly, Text::tr("MailKey cannot reach its data folder %1: %2.")
                                                       .arg(native(dir), QString::fromLocal8Bit(std::strerror(errno))));
        // Parents first (they may be new too), then this folder, private from its first instant.
        if (!QDir().mkpath(QFileInfo(dir).absolutePath())
            || (::mkdir(path.constData(), S_IRWXU) != 0 && errno != EEXIST))
            return Error(ErrorCode::VaultReadOnly,
                         Text::tr("MailKey could not create its data folder %1. Check that your home folder "
                                  "is writable and not full.")
                             .arg(native(dir)));
        if (::lstat(path.constData(), &st) != 0)
            return Error(ErrorCode::VaultReadOnly,
                         Text::tr("MailKey could not create its data folder %1.").arg(native(dir)));
    }
    if (S_ISLNK(st.st_mode)) {
        // A link the user made on purpose (the data on another disk) is followed: what it points
        // to must itself be private.
        if (::stat(path.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
            return unsafe(Text::tr("MailKey's data folder %1 is a link that does not lead to a folder. Nothing was "
                                   "opened.")
                              .arg(native(dir)));
    }
    if (!S_ISDIR(st.st_mode))
        return unsafe(Text::tr("MailKey's data folder %1 is not a folder. Nothing was opened.").arg(native(dir)));
    if (st.st_uid != geteuid())
        return foreignOwner(dir, st);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return notPrivateFolder(dir, st);
    if ((st.st_mode & 077) != 0)
        ::chmod(path.constData(), S_IRWXU); // readable by others, writable by nobody else: tighten
    return checkParents(dir);
}

Status secureVaultFiles(const QString &databasePath)
{
    const QFileInfo info(databasePath);
    if (Status s = secureFolder(info.absolutePath(), false); !s)
        return s;
    for (const QString &base : {databasePath, QString(databasePath + QStringLiteral(".new"))}) {
        for (const char *suffix : {"", "-wal", "-shm", "-journal"}) {
            if (Status s = checkFile(base + QString::fromLatin1(suffix)); !s)
                return s;
        }
    }
    return checkFile(info.absolutePath() + QStringLiteral("/vault.lock"));
}

#else

Status secureFolder(const QString &dir, bool create)
{
    if (!QDir(dir).exists() && (!create || !QDir().mkpath(dir)))
        return Error(ErrorCode::VaultReadOnly,
                     Text::tr("MailKey could not create its data folder %1. Check that your home folder "
                              "is writable and not full.")
                         .arg(QDir::toNativeSeparators(dir)));
    return {};
}

Status secureVaultFiles(const QString &)
{
    return {};
}

#endif

} // namespace mailkey::PrivateLocation
