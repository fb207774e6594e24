#include "ui/KeyringUnlock.h"

#include "core/keychain/SecretServiceUnlocker.h"
#include "ui/Banner.h"

#include <QGuiApplication>
#include <QPushButton>
#include <QWidget>

namespace mailkey {

KeyringUnlock::KeyringUnlock(QWidget *window, const QString &service, const QString &key, QObject *parent)
    : QObject(parent), m_window(window), m_service(service), m_key(key), m_unlocker(new SecretServiceUnlocker(this))
{}

KeyringUnlock::~KeyringUnlock() = default;

bool KeyringUnlock::offered(const Error &error)
{
    if (error.code != ErrorCode::KeychainLocked || !SecretServiceUnlocker::supported() || m_available == false)
        return false;
    if (!m_available && !m_checking) {
        m_checking = true;
        m_unlocker->checkAvailable([this](bool available) {
            m_checking = false;
            m_available = available;
            if (!available)
                Q_EMIT changed();
        });
    }
    return true;
}

void KeyringUnlock::addButton(Banner *banner)
{
    QPushButton *unlock = banner->addButton(tr("Unlock"));
    unlock->setObjectName(QStringLiteral("unlockKeyringButton"));
    unlock->setToolTip(tr("Asks your keyring to unlock; it shows its own password window"));
    unlock->setEnabled(!m_running);
    connect(unlock, &QPushButton::clicked, this, &KeyringUnlock::start);
}

QString KeyringUnlock::windowId() const
{
    // The Secret Service takes the parent window as a string: on X11 the window id. Elsewhere
    // (Wayland) there is no id it understands, and the prompt simply has no parent.
    if (!m_window || QGuiApplication::platformName() != QLatin1String("xcb"))
        return {};
    return QString::number(quint64(m_window->window()->winId()));
}

void KeyringUnlock::start()
{
    if (m_running)
        return;
    m_running = true;
    m_note = tr("Your keyring is asking for its password in a window of its own.");
    Q_EMIT changed();
    m_unlocker->unlock(m_service, m_key, windowId(), [this](SecretServiceUnlocker::Outcome outcome) {
        m_running = false;
        switch (outcome) {
        case SecretServiceUnlocker::Outcome::Unlocked:
            m_note.clear();
            Q_EMIT unlocked();
            return;
        case SecretServiceUnlocker::Outcome::Dismissed:
            m_note = tr("The password window was closed, so the keyring stays locked. You can press Unlock "
                        "again at any time.");
            break;
        case SecretServiceUnlocker::Outcome::Unavailable:
            m_available = false;
            m_note = tr("MailKey could not reach your keyring to ask it to unlock.");
            break;
        case SecretServiceUnlocker::Outcome::Failed:
            m_note = tr("The keyring did not unlock: it reported an error.");
            break;
        }
        Q_EMIT changed();
    });
}

} // namespace mailkey
