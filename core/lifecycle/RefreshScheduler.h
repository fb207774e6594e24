#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>

class QTimer;

namespace mailkey {

class TokenManager;
struct Account;
struct TokenTiming;

// Runs the refresh work of every account at the right time, through TokenManager (so single
// flight, pacing, back-off and failure handling apply):
//  - ahead of expiry: each stored access token (per resource) is refreshed leadSeconds (default
//    5 minutes) before it expires, minus a per-token jitter of up to jitterSeconds (stable for a
//    given token, so hundreds of accounts do not all fire in the same second). For short-lived
//    tokens the lead is at most half the lifetime, and no account is refreshed again within
//    minSpacingSeconds of its last refresh, so a provider issuing 60-second tokens cannot cause a
//    refresh loop;
//  - keep-alive: an idle account is refreshed every keepAliveSeconds (default 14 days), well
//    inside Microsoft's 90-day inactivity window and Google's 6 months;
//  - failing accounts (Offline / Error) run at the back-off time TokenManager stored in the vault
//    (Vault::setRefreshSchedule); accounts that need sign-in are left alone;
//  - the next due time of each healthy account is stored, for all accounts in one transaction
//    (Vault::setRefreshSchedules) and only where it differs from what the vault holds; the
//    accounts and the timing of their tokens are read in one statement (Vault::accountsWithTokens,
//    no token value read), not one per account.
// Time: due times are wall-clock (the injectable Clock). A single-shot timer is armed for the
// next due time but never longer than heartbeatMs, and each tick compares the wall-clock time that
// passed with a monotonic timer: a jump (sleep/resume, clock change) is reported
// (wallClockJumped) and due work runs at once. On Linux the logind PrepareForSleep signal also
// triggers a check right after resume. When QNetworkInformation is available (loading its backend
// can fail, e.g. on Qt 6.4 without NetworkManager; then only the timers are used), work is held
// while the network is known to be down, and when it comes back every Offline account is retried
// promptly (at most once per networkRetrySpacingMs).
class RefreshScheduler : public QObject {
    Q_OBJECT
public:
    struct Options {
        int leadSeconds = 300;
        int jitterSeconds = 120;
        qint64 keepAliveSeconds = 14LL * 24 * 3600;
        int minSpacingSeconds = 30;
        int heartbeatMs = 30000;
        int minIntervalMs = 1000;            // never evaluate more often than this
        qint64 clockJumpToleranceMs = 60000; // wall vs monotonic difference that counts as a jump
        int networkRetrySpacingMs = 60000;
        bool watchNetwork = true; // QNetworkInformation
        bool watchSleep = true;   // logind PrepareForSleep (Linux)
    };

    explicit RefreshScheduler(TokenManager *manager, QObject *parent = nullptr);
    ~RefreshScheduler() override;

    void setOptions(const Options &options);
    const Options &options() const { return m_options; }

    void start();
    void stop();
    bool isRunning() const { return m_running; }

    // When the account is due next (as last computed); invalid when nothing is scheduled.
    QDateTime dueAt(qint64 accountId) const { return m_due.value(accountId); }
    bool networkReachable() const { return m_networkReachable; }

public Q_SLOTS:
    // Looks at every account now and starts what is due.
    void poll();
    // The network went away / came back (wired to QNetworkInformation; tests call it directly).
    void setNetworkReachable(bool reachable);
    // The machine resumed from sleep (logind; tests may call it directly).
    void onResumed();

Q_SIGNALS:
    void wallClockJumped(qint64 seconds);
    void refreshDue(qint64 accountId, const QString &resource);

private Q_SLOTS:
    void onPrepareForSleep(bool sleeping);

private:
    void onTimer();
    void arm(qint64 ms);
    void evaluate();
    void retryOffline();
    void setupNetworkInformation();
    void setupSleepWatch();
    QDateTime computeDue(const Account &account, const QList<TokenTiming> &tokens, const QDateTime &now,
                         QStringList *resourcesDue) const;
    qint64 jitterSecondsFor(qint64 accountId, const QString &resource, const QDateTime &expiresAt, qint64 cap) const;

    TokenManager *m_manager;
    Options m_options;
    bool m_running = false;
    QTimer *m_timer = nullptr;
    QElapsedTimer m_monotonic;
    QDateTime m_lastWall;
    QElapsedTimer m_sinceEvaluate;
    QHash<qint64, QDateTime> m_due;
    QHash<qint64, QDateTime> m_persistedDue;
    bool m_networkReachable = true;
    QElapsedTimer m_sinceNetworkRetry;
    bool m_networkWatched = false;
};

} // namespace mailkey
