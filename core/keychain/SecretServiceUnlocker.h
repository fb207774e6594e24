#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace mailkey {

// Asks the freedesktop Secret Service to unlock the collection that holds one entry (QtKeychain's
// attributes user=KEY, server=SERVICE), or the default collection when the entry cannot be found
// while locked. The keyring daemon then shows its own password prompt (gnome-keyring: gcr-prompter);
// MailKey never sees the password.
//
// Everything is asynchronous (QtDBus, no blocking call, no nested event loop): Unlock(objects) ->
// (unlocked, prompt); when prompt is not "/", Prompt(window-id) and wait for Completed(dismissed,
// result). The wait for the person has no time limit; it ends when the daemon leaves the bus.
// Linux only (other platforms: supported() is false and unlock() answers Unavailable).
class SecretServiceUnlocker : public QObject {
    Q_OBJECT
public:
    enum class Outcome {
        Unlocked,    // unlocked now (or was already)
        Dismissed,   // the person closed the prompt
        Unavailable, // no Secret Service on the bus
        Failed       // the service answered with an error, or left the bus while prompting
    };
    Q_ENUM(Outcome)
    using Callback = std::function<void(Outcome)>;

    explicit SecretServiceUnlocker(QObject *parent = nullptr);
    // Tests: another bus name than org.freedesktop.secrets.
    explicit SecretServiceUnlocker(const QString &busName, QObject *parent = nullptr);
    // A prompt still open stays with the person (its callback is not called). It is never
    // dismissed over D-Bus: Prompt.Dismiss of an unlock prompt aborts gnome-keyring 42.
    ~SecretServiceUnlocker() override;

    // Whether unlocking can be offered at all on this build and session: Linux with a session bus.
    // Cheap and non-blocking; whether a service is there is answered by checkAvailable().
    static bool supported();
    // Whether a Secret Service owns its bus name or can be started. `done` is called once, from
    // the event loop.
    void checkAvailable(std::function<void(bool)> done);

    // Unlocks the collection holding (service, key). `windowId` is the prompt's parent window as
    // the Secret Service expects it (X11: the window id in decimal; empty when unknown). One at
    // a time: a second call while one runs answers Failed. `done` is called exactly once, from
    // the event loop.
    void unlock(const QString &service, const QString &key, const QString &windowId, Callback done);
    bool isRunning() const;
    // The prompt object path while the daemon's prompt is shown, else empty.
    QString promptPath() const;

Q_SIGNALS:
    // The daemon was asked to show its prompt (at `path`).
    void prompting(const QString &path);

private:
    struct Run;
    void unlockObjects(const QStringList &objects);
    void showPrompt(const QString &path);
    void promptCompleted(bool dismissed);
    void finish(Outcome outcome);
    void dropPrompt();

    QString m_busName;
    std::unique_ptr<Run> m_run;
};

} // namespace mailkey
