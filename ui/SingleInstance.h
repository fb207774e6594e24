#pragma once

#include <QObject>
#include <QString>

class QLocalServer;
class QLocalSocket;

namespace mailkey {

// One window per user and profile. start() connects to the local socket `name`: if another
// instance answers, it is asked to raise its window and alreadyRunning() is emitted; otherwise
// this instance listens (owner-only socket) and primary() is emitted. Asynchronous: no waits.
// Local IPC only (QLocalServer), not network code. The name must differ from the CLI's IPC
// socket (Profile::ipcSocketName()); MainWindow uses Profile::ipcSocketName() + "-gui".
class SingleInstance : public QObject {
    Q_OBJECT
public:
    explicit SingleInstance(QString name, QObject *parent = nullptr);
    ~SingleInstance() override;

    void start();
    bool isPrimary() const { return m_primary; }
    QString name() const { return m_name; }

    static QString socketNameFor(const QString &ipcSocketName) { return ipcSocketName + QStringLiteral("-gui"); }

Q_SIGNALS:
    void primary();
    void alreadyRunning();
    void activationRequested(); // another launch asked this instance to show itself

private:
    void becomePrimary();
    void onNewConnection();

    QString m_name;
    QLocalSocket *m_probe = nullptr;
    QLocalServer *m_server = nullptr;
    bool m_primary = false;
    bool m_decided = false;
    bool m_connected = false;
};

} // namespace mailkey
