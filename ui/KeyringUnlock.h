#pragma once

#include "core/common/Result.h"

#include <QObject>
#include <QPointer>
#include <QString>

#include <optional>

class QPushButton;
class QWidget;

namespace mailkey {

class Banner;
class SecretServiceUnlocker;

// The Unlock button of the "keyring is locked" banner: asks the Secret Service to unlock the
// collection that holds the vault key (SecretServiceUnlocker), which brings up the keyring's own
// password prompt; unlocked() then lets the window open the vault without a second click.
// Offered only where it can work: Linux with a session bus, and (checked once, asynchronously)
// a Secret Service on it. What the last attempt came to is kept as a short note for the banner.
class KeyringUnlock : public QObject {
    Q_OBJECT
public:
    // `window`: the prompt's parent (its X11 window id is passed along); `service`, `key`: the
    // vault key's keychain entry.
    KeyringUnlock(QWidget *window, const QString &service, const QString &key, QObject *parent = nullptr);
    ~KeyringUnlock() override;

    // Whether Unlock is offered for `error` (a locked keyring, and not known to be unreachable).
    bool offered(const Error &error);
    // Adds the Unlock button to `banner` (disabled while the keyring's prompt is open).
    void addButton(Banner *banner);
    bool isPrompting() const { return m_running; }
    // The outcome of the last attempt for the banner ("" when none), and forgetting it (Retry).
    QString note() const { return m_note; }
    void clearNote() { m_note.clear(); }

Q_SIGNALS:
    void unlocked(); // the keyring was unlocked: open the vault now
    void changed();  // offered() or note() changed: show the banner again

private:
    void start();
    QString windowId() const;

    QPointer<QWidget> m_window;
    QString m_service;
    QString m_key;
    SecretServiceUnlocker *m_unlocker = nullptr; // child
    std::optional<bool> m_available;             // the Secret Service is on the bus (asked once)
    bool m_checking = false;
    bool m_running = false;
    QString m_note;
};

} // namespace mailkey
