#pragma once

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

namespace mailkey {

// Watches a providers.json while the window runs, so a file changed, replaced, created or removed
// outside MailKey is picked up without Save or a restart. Watches the file and its folder: editors
// save by writing a new file and renaming it over the old one, which ends a watch on the file
// itself. While the folder does not exist yet (a first run), the nearest existing folder above it
// is watched instead. Bursts of events are coalesced; changed() is emitted only when what is there
// differs from what was there at setPath() or the last changed() (existence, size, time, content).
class ProvidersFileWatcher : public QObject {
    Q_OBJECT
public:
    static constexpr int DefaultDelayMs = 250;

    explicit ProvidersFileWatcher(QObject *parent = nullptr);

    // The file to watch (absolute or relative to the working directory); "" stops watching.
    void setPath(const QString &path);
    QString path() const { return m_path; }
    void setDelay(int ms) { m_timer.setInterval(ms); }

Q_SIGNALS:
    void changed();

private:
    void onEvent();
    void check();
    void rewatch();
    QByteArray fingerprint() const;

    QFileSystemWatcher m_watcher;
    QTimer m_timer;
    QString m_path;
    QByteArray m_seen;
};

} // namespace mailkey
