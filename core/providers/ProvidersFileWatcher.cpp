#include "core/providers/ProvidersFileWatcher.h"

#include "core/providers/ProviderFile.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace mailkey {

ProvidersFileWatcher::ProvidersFileWatcher(QObject *parent) : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(DefaultDelayMs);
    connect(&m_timer, &QTimer::timeout, this, &ProvidersFileWatcher::check);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &ProvidersFileWatcher::onEvent);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &ProvidersFileWatcher::onEvent);
}

void ProvidersFileWatcher::setPath(const QString &path)
{
    const QString absolute = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    if (absolute == m_path)
        return;
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    if (!m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());
    m_timer.stop();
    m_path = absolute;
    m_seen = fingerprint();
    rewatch();
}

void ProvidersFileWatcher::onEvent()
{
    rewatch(); // a file replaced by rename is no longer watched
    m_timer.start();
}

void ProvidersFileWatcher::check()
{
    rewatch();
    const QByteArray now = fingerprint();
    if (now == m_seen)
        return;
    m_seen = now;
    Q_EMIT changed();
}

void ProvidersFileWatcher::rewatch()
{
    if (m_path.isEmpty())
        return;
    const QFileInfo info(m_path);
    // The folder, or while it does not exist (a first run) the nearest one above it that does, so
    // that creating the folder and then the file is seen.
    QDir dir = info.absoluteDir();
    while (!dir.exists() && !dir.isRoot())
        dir.setPath(QFileInfo(dir.absolutePath()).absolutePath());
    const QStringList watched = m_watcher.directories();
    for (const QString &d : watched) {
        if (d != dir.absolutePath())
            m_watcher.removePath(d);
    }
    if (dir.exists() && !m_watcher.directories().contains(dir.absolutePath()))
        m_watcher.addPath(dir.absolutePath());
    if (info.exists() && !m_watcher.files().contains(m_path))
        m_watcher.addPath(m_path);
}

QByteArray ProvidersFileWatcher::fingerprint() const
{
    if (m_path.isEmpty())
        return {};
    const QFileInfo info(m_path);
    if (!info.exists())
        return QByteArrayLiteral("missing");
    QByteArray out
        = QByteArray::number(info.size()) + ' ' + QByteArray::number(info.lastModified().toMSecsSinceEpoch()) + ' ';
    // Only a regular file of a sensible size is read (never a FIFO or a device).
    if (info.isFile() && info.size() <= ProviderFile::MaxFileSize) {
        QFile f(m_path);
        if (f.open(QIODevice::ReadOnly))
            out += QCryptographicHash::hash(f.read(ProviderFile::MaxFileSize + 1), QCryptographicHash::Sha256).toHex();
    }
    return out;
}

} // namespace mailkey
