#pragma once

// The one facade the window (ui/) and the local IPC server talk to. It owns the vault of one
// profile, the provider registry, the sign-in sessions and the token lifecycle. Everything is
// asynchronous: methods return at once and report through signals on the GUI thread.
//
// CONTRACT (written before the implementation; keep it stable, extend rather than change):
//   start()                    unlock or create the vault; vaultStateChanged() when known:
//                              Verifying (accounts() works, accountsChanged()) as soon as it is
//                              open, Ready once every page was checked, or Failed
//   accounts()                 snapshot, no secrets
//   connectAccount(provider)   returns a ConnectSession (owned by the service) that emits
//                              authorizationUrlReady(QUrl), succeeded(Account, bool created),
//                              failed(Error), cancelled(); accountsChanged() follows a success
//   reconnect(accountId)       the same, with login_hint = the account's address
//   removeAccount(id)          revokes where the provider can, always wipes locally;
//                              accountRemoved(id, RemovalReport)
//   fetchFolders(id)           foldersLoaded(id, folders) or foldersFailed(id, Error)
//   auditFor(id)               newest first; readAudit() the same off the GUI thread
//   signOutEverywhere()        revoke what can be, wipe all tokens, rotate the vault key,
//                              incident in the audit log; signedOutEverywhere(Status)
//   checkMail(id)              "Test mail connection": a MailDoctor (owned by the service) that
//                              logs in to the account's IMAP and SMTP servers with fresh tokens;
//                              its result goes to the audit log and the account's last checks
//                              (mailChecks(id)), then mailCheckFinished(id, summary)
//
// The service is the one owner, in the window's process, of the vault, its key (the one KeyStore)
// and the token lifecycle; it hands none of them out. The IPC server (core/ipc) answers mailkey-cli
// through the methods below marked "mailkey-cli", and the window resets the vault with resetVault().
// Tests reach the inside through AccountServiceTestAccess.h only.
//
// Token lifecycle (core/lifecycle): once the vault is Ready the service owns a TokenManager
// and a RefreshScheduler (started unless setAutoRefresh(false)). Every
// access token the service uses (folders) comes from TokenManager::accessToken, which refreshes
// an expired one first. refreshNow / removeAccount / signOutEverywhere go through it too.
// Account snapshots (accounts(), account()) show the live state: Refreshing while a refresh is
// in flight, and for a Connected account nextRefreshAt is when it will be refreshed.
// accountChanged(id) is emitted whenever that state changes (started, finished, failed,
// offline, needs sign-in). Alerts of the AlertMonitor (failed sign-ins, refresh failures,
// rejected callbacks) are forwarded as alertRaised().
//
// Hooks (core/service/Hooks, set with setHooks): the user's commands run on token_refreshed (a
// refresh succeeded), refresh_failed (a refresh of a Connected account failed: once per failing
// streak, not per retry), needs_sign_in (the account became Needs sign-in: once, until it is
// connected again), account_removed, and expiring_soon (notifyExpiringSoon, by the health
// warnings: setHealthWarnings). Each run is audited
// ("hook.run") in this vault; none is waited for.

#include "core/common/Profile.h"
#include "core/common/Result.h"
#include "core/lifecycle/RefreshScheduler.h"
#include "core/lifecycle/SignOutEverywhere.h"
#include "core/mailcheck/MailCheck.h"
#include "core/oauth/ConnectSession.h"
#include "core/service/Backups.h"
#include "core/service/Hooks.h"
#include "core/service/MailDoctor.h"
#include "core/service/ProfileEraser.h"
#include "core/service/TokenBroker.h"
#include "core/vault/VaultAccess.h"
#include "core/vault/VaultTypes.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace mailkey {

class Clock;
class ConnectSession;
class KeyStore;
class ProviderRegistry;
class TokenManager;
class Vault;

enum class VaultState {
    Locked /* not yet unlocked */,
    Unlocking,
    // Open (its key and schema proven), its accounts readable, while every page is checked on a
    // second connection in the background (VaultAccess::verify); the token lifecycle starts when
    // the check passes. Nothing is written to the vault in this state.
    Verifying,
    Ready,
    Failed
};

struct MailFolder {
    QString name;
    int unread = 0;
    int total = 0;
};

// Token facts that are safe to show (no token values).
using TokenSummary = TokenTiming;

struct RemovalReport {
    bool revokedAtProvider = false;
    QString message; // says honestly what happened (e.g. where to remove app access at Microsoft)
};

struct Alert {
    enum class Kind {
        FailedSignIns,
        RefreshFailures,
        RejectedCallback,
        SignInExpiring // the health clock: a new sign-in is expected to be needed soon
    } kind;
    qint64 accountId = 0;
    QString message;
    bool desktopNotified = false; // the service already sent a desktop notification for it
};

class AccountService : public QObject {
    Q_OBJECT
public:
    AccountService(Profile profile, QNetworkAccessManager *network, ProviderRegistry *providers,
                   QObject *parent = nullptr);
    ~AccountService() override;

    void setClock(const Clock *clock); // tests; before start()
    // Tests: false keeps the RefreshScheduler from starting when the vault is ready (on-demand
    // refreshes still happen). Before start().
    void setAutoRefresh(bool enabled);
    void setSchedulerOptions(const RefreshScheduler::Options &options); // before start()
    // Options for every ConnectSession made from now on (CLI: openBrowser = false for
    // --no-browser; tests: short retries). The login hint is set per session.
    void setConnectOptions(const ConnectSession::Options &options);
    // Opens sign-in addresses in the browser for every ConnectSession made from now on, unless
    // the connect options bring their own (the window: QDesktopServices). Kept apart from
    // setConnectOptions so that one does not undo the other.
    void setUrlOpener(std::function<bool(const QUrl &)> opener);
    QList<ConnectSession *> activeSessions() const;
    // Options of every mail check from now on (tests: a local CA, short timeouts). The servers are
    // the provider's (imap_host / smtp_host), unless setMailServers() names others (tests).
    void setMailCheckOptions(const MailCheck::Options &options);
    // Audit retention applied at start, on the checking connection once every page was checked:
    // entries older than `days` are pruned under a hash checkpoint (Vault::pruneAudit). 0 keeps
    // the log forever (the default here; the window passes its setting, 365 unless changed).
    void setAuditRetentionDays(int days);
    // The hooks to run on account events (the window passes AppSettings::hookSettings()). Any time;
    // hooks already running keep going.
    void setHooks(const HookSettings &hooks);
    // The sign-in of the account is predicted to end at `signInNeededBy`, for `reason` (plain
    // words): runs the expiring_soon hook, once per account and predicted date in this process.
    // The health warnings call it (setHealthWarnings).
    void notifyExpiringSoon(qint64 accountId, const QDateTime &signInNeededBy, const QString &reason);
    // Health warnings (core/service/HealthWatch, off until the window calls this with its
    // AppSettings): when accounts change and once a day, an account whose sign-in is expected to
    // be needed within warnDays days gets, once per account and date, notifyExpiringSoon(), an
    // alertRaised(SignInExpiring) and a desktop notification. warnDays <= 0: off.
    void setHealthWarnings(bool googleTestingStatus, int warnDays);
    // Tests: replaces the desktop notification (default: org.freedesktop.Notifications over the
    // session bus on Linux, asynchronous; none elsewhere). Returns whether one was sent.
    void setDesktopNotifier(std::function<bool(const QString &title, const QString &body)> notifier);

    void start();
    // Stops starting refreshes (the scheduler) and calls `done` once no refresh is queued, waiting
    // for the cross-process lock or in flight any more, or after maxWaitMs: a refresh whose
    // request left is allowed to come back and be committed, and the callers queued behind it are
    // served, so a rotated refresh token is never lost to a shutdown (`mailkey-cli serve` on
    // SIGTERM and when it hands over to the window). `done` gets false when it gave up waiting.
    // Nothing else is cancelled; stop taking new requests first (IpcServer::stopListening), and
    // destroy the service afterwards.
    void drain(int maxWaitMs, std::function<void(bool drained)> done);
    // The window's "Reset vault": VaultAccess::resetUnreadable (only for a vault that could not be
    // opened; the old file and its key are kept), then the new, empty vault is used as after
    // start(). When the reset is refused the state goes back to Failed with the reason.
    void resetVault(std::function<void(Result<VaultAccess::ResetOutcome>)> done);
    VaultState vaultState() const;
    Error vaultError() const;
    QString vaultPath() const;
    QString cipherVersion() const;
    const Profile &profile() const;
    ProviderRegistry *providers() const;
    // What the last signOutEverywhere() did (per-provider messages included); empty before.
    std::optional<SignOutReport> lastSignOutReport() const;
    bool isRefreshing(qint64 accountId) const; // a refresh request is in flight

    QList<Account> accounts() const;
    // accounts(), each with its token summary, from one read of the vault (the window's list).
    QList<AccountTokens> accountsWithTokens() const;
    std::optional<Account> account(qint64 id) const;
    QList<TokenSummary> tokenSummary(qint64 accountId) const;
    QList<AuditEntry> auditFor(qint64 accountId, int limit = 200) const;
    // auditFor() off the GUI thread (AuditReader: a worker thread with its own read-only
    // connection). `done` runs later on the GUI thread, only for the latest read of `context`
    // (an older answer is dropped) and never after `context` is destroyed. An empty list when the
    // vault is not open. While the vault key changes (sign out everywhere, rotateKey) the vault's
    // own connection answers.
    void readAudit(qint64 accountId, int limit, QObject *context, std::function<void(QList<AuditEntry>)> done);

    // The session is a child of the service, started from the event loop (connect first), and
    // deleted a few seconds after its finished() signal: keep it in a QPointer. `method`
    // DeviceCode: the sign-in happens on another device (RFC 8628; the session emits
    // deviceCodeReady), whatever the connect options say; Browser: as the options say.
    ConnectSession *connectAccount(const QString &providerId, const QString &loginHint = {},
                                   ConnectSession::Method method = ConnectSession::Method::Browser);
    ConnectSession *reconnect(qint64 accountId);
    void removeAccount(qint64 accountId);
    void refreshNow(qint64 accountId);
    void fetchFolders(qint64 accountId);
    void signOutEverywhere();
    // Tests the account's mail login (IMAP, then SMTP). Returns the running doctor (a child of the
    // service, deleted after its finished(): keep it in a QPointer), the one already running for
    // this account, or nullptr when the vault is not ready or the account is unknown. Connect to
    // its signals for progress; the service records the result before mailCheckFinished().
    MailDoctor *checkMail(qint64 accountId);
    MailDoctor *runningMailCheck(qint64 accountId) const;
    // The last check of each protocol (imap, smtp), from the vault; empty when never checked.
    QList<MailCheckRecord> mailChecks(qint64 accountId) const;

    // ---- mailkey-cli (through IpcServer), answered as mailkey-cli answers on its own ----------
    // (TokenBroker). Each `done` runs later, on this thread; an error when the vault is not Ready.
    // An access token for the program `query.actor`, refreshed first when it is about to expire.
    void issueToken(const TokenBroker::TokenQuery &query, std::function<void(Result<TokenBroker::TokenAnswer>)> done);
    // removeAccount() by address; accountRemoved() and accountsChanged() follow a removal.
    void removeAccount(const QString &email, const QString &provider,
                       std::function<void(Result<TokenBroker::RemovalAnswer>)> done);
    // signOutEverywhere(), reporting to `done` as well as through signedOutEverywhere().
    void signOutEverywhere(std::function<void(Result<SignOutReport>)> done);
    // A new vault key (VaultAccess::rotateKey with the service's KeyStore); accountsChanged().
    void rotateKey(std::function<void(Status)> done);
    // Another process changed the vault (mailkey-cli connected an account): accountsChanged().
    void vaultChangedElsewhere();

    // ---- the person's data (the window's File menu; mailkey-cli does the same on its own) ------
    // An encrypted backup of this profile (Backups, BackupFile) written atomically to `path`,
    // mode 0600: the accounts with their tokens, the vault's settings, settings.ini and the
    // providers file; the audit log when `withAudit`. The key derivation runs on a pool thread.
    // Works once the vault is open (Verifying or Ready).
    struct ExportOutcome {
        int accounts = 0;
        int auditEntries = 0;
    };
    void exportBackup(const QString &path, SecureBytes passphrase, bool withAudit,
                      std::function<void(Result<ExportOutcome>)> done);
    // Merges a backup into the vault in one transaction (all or nothing; Vault::importSnapshot),
    // then brings back the settings and providers this computer lacks. `problem` says why a file
    // was refused (BackupFile::Problem::None for other failures). Needs the vault Ready.
    struct ImportOutcome {
        ImportReport report;
        QStringList lines; // what was done, sentence by sentence, for the person
    };
    void importBackup(const QString &path, SecureBytes passphrase,
                      std::function<void(Result<ImportOutcome>, BackupFile::Problem problem)> done);
    // Erase everything of this profile (ProfileEraser): the keychain must answer first (else
    // nothing is erased); every account revoked where the provider allows it; then the vault is
    // closed for good (state Locked, nothing works until the program starts again), the profile's
    // folder and keychain entries removed, and, when `sharedFiles`, settings.ini and the providers
    // file too. Not while the vault is being opened or checked.
    void eraseEverything(bool sharedFiles, std::function<void(Result<EraseReport>)> done);
    bool isErased() const;

Q_SIGNALS:
    void vaultStateChanged();
    void accountsChanged();
    void accountChanged(qint64 accountId);
    void accountRemoved(qint64 accountId, const mailkey::RemovalReport &report);
    void removeFailed(qint64 accountId, const mailkey::Error &error);
    // A revocation that was still pending when the account was removed has finished (the
    // provider confirmed it, or MailKey gave up); `message` is for the user.
    void pendingRevocationFinished(qint64 accountId, const QString &email, bool revoked, const QString &message);
    void foldersLoaded(qint64 accountId, const QList<mailkey::MailFolder> &folders);
    void foldersFailed(qint64 accountId, const mailkey::Error &error);
    void alertRaised(const mailkey::Alert &alert);
    void signedOutEverywhere(const mailkey::Status &result);
    // Extensions: a new sign-in attempt (monitoring counts its rejectedCallback()s); the
    // outcome of refreshNow().
    void sessionCreated(mailkey::ConnectSession *session);
    void refreshFinished(qint64 accountId, const mailkey::Status &result);
    void mailCheckStarted(qint64 accountId, mailkey::MailDoctor *doctor);
    void mailCheckFinished(qint64 accountId, const mailkey::MailDoctor::Summary &summary);

private:
    friend class AccountServiceTestAccess;
    void adoptVault(Result<std::shared_ptr<Vault>> opened, bool created);
    void verifyThenAdopt(std::shared_ptr<Vault> vault);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace mailkey
