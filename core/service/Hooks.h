#pragma once

// Hooks: commands of the user's (settings.ini, group [hooks]) that MailKey runs on account events,
// like pizauth's auth_notify_cmd / token_event_cmd.
//
//   - The command line is split into a program and its arguments (QProcess::splitCommand: quotes
//     group, no shell). Shell syntax (pipes, redirections, $VARS) needs `sh -c "..."`.
//   - What happened goes in environment variables, never a token: MAILKEY_EVENT, MAILKEY_ACCOUNT
//     (the address), MAILKEY_PROVIDER, MAILKEY_PROFILE, MAILKEY_REASON (plain words, where there is
//     one), MAILKEY_EXPIRES_AT (ISO 8601 UTC, where it applies). The child inherits MailKey's
//     environment less every MAILKEY_* variable and every variable whose name says it holds a
//     secret (TOKEN, SECRET, PASSWORD, PASSPHRASE); stdin is /dev/null; its output is discarded.
//     MailKey's own files and sockets are opened close-on-exec (Qt, SQLite, D-Bus); on Qt 6.6 and
//     later QProcess also closes every other descriptor in the child.
//   - Each run has a time limit (hooks/timeout_seconds, default 30): then SIGTERM, and SIGKILL two
//     seconds later. Nothing waits for a hook: start() and the checks are asynchronous, on the
//     thread of the Hooks object.
//   - At most maxConcurrent runs at a time; later ones wait in a queue of maxQueued; beyond that a
//     run is dropped (and audited as dropped).
//   - Every run ends in one audit entry "hook.run": the event, the program's file name only (not
//     its arguments), and the exit code / "timed out" / "could not start", with the duration.
//
// The events, and when AccountService raises each (once per occurrence):
//   token_refreshed  every successful refresh
//   refresh_failed   a refresh failed while the account was Connected (it becomes Offline or
//                    Error, MailKey retries with back-off): once per failing streak, not per retry;
//                    raised again only after the account has been healthy again
//   needs_sign_in    the account became "Needs sign-in" (its refresh token is dead): once, until
//                    the account is connected again
//   account_removed  the account was removed
//   expiring_soon    the sign-in is predicted to end soon (AccountService::notifyExpiringSoon):
//                    once per account and predicted date
// Each event runs its own command (hooks/<event>) and the catch-all (hooks/any), where set.

#include "core/vault/VaultTypes.h"

#include <QDateTime>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>

#include <deque>
#include <functional>

namespace mailkey {

enum class HookEvent {
    NeedsSignIn,
    RefreshFailed,
    TokenRefreshed,
    AccountRemoved,
    ExpiringSoon
};

// "needs_sign_in", "refresh_failed", "token_refreshed", "account_removed", "expiring_soon": the
// settings key (hooks/<name>) and the value of MAILKEY_EVENT.
QString hookEventName(HookEvent event);
QList<HookEvent> allHookEvents();

struct HookSettings {
    QMap<HookEvent, QString> commands; // command lines; empty = none
    QString any;                       // runs on every event, after the event's own command
    int timeoutSeconds = 30;
    int maxConcurrent = 4;
    int maxQueued = 32;

    bool isEmpty() const;
    // The command lines to run for an event (its own, then the catch-all).
    QStringList commandsFor(HookEvent event) const;
};

// What a hook is told about the event (all of it safe to show; no token).
struct HookContext {
    HookEvent event = HookEvent::TokenRefreshed;
    qint64 accountId = 0;
    QString account; // the address
    QString provider;
    QString profile;
    QString reason;
    QDateTime expiresAt;
};

class Hooks : public QObject {
    Q_OBJECT
public:
    using AuditSink = std::function<void(const AuditEntry &)>;

    explicit Hooks(QObject *parent = nullptr);
    ~Hooks() override;

    void setSettings(const HookSettings &settings);
    const HookSettings &settings() const { return m_settings; }
    // Where the audit entries go (AccountService: its vault). None: not recorded.
    void setAuditSink(AuditSink sink);

    // Starts (or queues) the event's hooks and returns at once.
    void fire(const HookContext &context);

    int runningCount() const { return m_running; }
    int queuedCount() const { return int(m_queue.size()); }

    // The environment a hook gets (tests).
    static QStringList environmentFor(const HookContext &context);

Q_SIGNALS:
    // A run ended (after its audit entry): "ok", "failed", "timed-out", "not-started", "dropped".
    void runFinished(mailkey::HookEvent event, const QString &program, const QString &outcome);

private:
    struct Run {
        HookContext context;
        QString command;
    };
    void startNext();
    void launch(const Run &run);
    void record(const HookContext &context, const QString &program, const QString &outcome, const QString &detail);

    HookSettings m_settings;
    AuditSink m_sink;
    std::deque<Run> m_queue;
    int m_running = 0;
    bool m_destroying = false;
};

} // namespace mailkey
