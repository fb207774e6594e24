#include "core/common/Profile.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

namespace mailkey {

Profile::Profile(QString name) : m_name(std::move(name)) {}

bool Profile::isValidName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"));
    return re.match(name).hasMatch() && !name.contains(QLatin1String(".."));
}

QString Profile::dataRoot()
{
    const QByteArray env = qgetenv("MAILKEY_DATA_DIR");
    if (!env.isEmpty())
        return QDir::cleanPath(QString::fromLocal8Bit(env));
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    return QDir::cleanPath(base + QStringLiteral("/MailKey"));
}

QString Profile::configRoot()
{
    const QByteArray env = qgetenv("MAILKEY_CONFIG_DIR");
    if (!env.isEmpty())
        return QDir::cleanPath(QString::fromLocal8Bit(env));
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    return QDir::cleanPath(base + QStringLiteral("/MailKey"));
}

QString Profile::dataDir() const
{
    return dataRoot() + QStringLiteral("/profiles/") + m_name;
}

QString Profile::databasePath() const
{
    return dataDir() + QStringLiteral("/vault.db");
}

QString Profile::lockPath() const
{
    return dataDir() + QStringLiteral("/vault.lock");
}

QString Profile::keychainKey() const
{
    return QStringLiteral("vault-key:") + m_name;
}

QString Profile::pendingKeychainKey() const
{
    return keychainKey() + QStringLiteral(":pending");
}

QString Profile::ipcSocketName() const
{
    // Local socket names are global on some platforms: derive one from the data folder so two
    // users, or two data roots, never meet.
    const QByteArray h = QCryptographicHash::hash(dataDir().toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    const QString name = QStringLiteral("mailkey-") + QString::fromLatin1(h);
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    // A bare name would be a socket in /tmp, where another user could take the name first. The
    // per-user runtime folder (XDG_RUNTIME_DIR, 0700, checked by Qt) cannot be squatted.
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (!runtime.isEmpty() && QFileInfo(runtime).isDir())
        return runtime + QLatin1Char('/') + name;
#endif
    return name;
}

} // namespace mailkey
