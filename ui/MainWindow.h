#pragma once

#include "core/common/Clock.h"
#include "core/common/Result.h"
#include "core/service/AccountService.h"
#include "ui/Banner.h"
#include "ui/ConnectPanel.h"

#include <QHash>
#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <QSet>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QListView;
class QMenu;
class QMessageBox;
class QSplitter;
class QStackedWidget;
class QSystemTrayIcon;
class QToolButton;
class QLabel;

namespace mailkey {

class AccountDetails;
class ActivityView;
class AccountFilterModel;
class AccountListPane;
class BackupDialog;
class AccountModel;
class AppSettings;
class ConnectSession;
class EmptyState;
class IssuerDiscovery;
class KeyringUnlock;
class ProvidersFileWatcher;

// The double-click GUI: connected mailboxes in a list, their details, connect / reconnect /
// remove, settings, and the startup and keychain/vault banners. Talks only to AccountService.
//
// It appears at once; if the service has not started yet it is started from the event loop and
// the list fills in when the vault is ready. A failed vault is a banner with core's message, the
// next steps, Retry and (for a lost key or a damaged file) a confirmed "Reset vault…".
//
// Banners (top to bottom), and what clears each (the general rule is in Banner.h):
//  - vault: while the vault is not open; cleared when it opens. Not dismissible.
//  - config: provider settings that were not used; cleared by a reload that finds none.
//  - alert: core's alerts, newest replaces older. "Token refreshes keep failing" for a mailbox is
//    cleared by that mailbox's next successful refresh (Refresh now or scheduled), a successful
//    sign-in to it, or its removal; "Repeated failed sign-ins" by any successful sign-in;
//    "A sign-in response was rejected" stays until dismissed (nothing the person did failed).
//  - message: the outcome of the last action, by topic: sign-in attempts ("signin": a new
//    attempt clears the last one's outcome), a mailbox's refresh and removal ("account:ID":
//    cleared by its success), sign out everywhere, vault reset. A less severe outcome on another
//    topic goes to the status bar instead of covering a failure; Info/Success time out.
//
// Size: the window never grows by itself. Banners, the sign-in panel and the pages share one
// vertical scroll area, and the details scroll inside, so new content scrolls instead of raising
// the minimum size; nothing is squeezed below the height its text needs. The first size (and a
// restored geometry) fits the available geometry of the screen (fitToScreen()).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // `settings`: nullptr = the default settings file (Profile::configRoot()/settings.ini).
    explicit MainWindow(AccountService *service, AppSettings *settings = nullptr, QWidget *parent = nullptr);
    ~MainWindow() override;

    void setClock(const Clock *clock);

    // For tests and the single-instance hand-over.
    AccountModel *model() const { return m_model; }   // every mailbox, in the vault's order
    QListView *accountList() const { return m_list; } // over listModel(): map rows with its indexOfId()
    AccountFilterModel *listModel() const;            // the list's rows: searched and sorted
    AccountListPane *accountListPane() const { return m_listPane; }
    AccountDetails *details() const { return m_details; }
    EmptyState *emptyState() const { return m_empty; }
    ConnectPanel *connectPanel() const { return m_connectPanel; }
    Banner *vaultBanner() const { return m_vaultBanner; }
    Banner *messageBanner() const { return m_messageBanner; }
    Banner *alertBanner() const { return m_alertBanner; }
    ActivityView *activityView() const;
    Banner *configBanner() const { return m_configBanner; }
    QToolButton *connectButton() const { return m_connectButton; }
    QAction *refreshNowAction() const { return m_refreshAction; }
    QAction *testMailAction() const { return m_testMailAction; }
    QAction *signOutEverywhereAction() const { return m_signOutAction; }
    QAction *backupAction() const { return m_backupAction; }
    QAction *restoreAction() const { return m_restoreAction; }
    QAction *eraseAction() const { return m_eraseAction; }
    QMenu *connectMenu() const { return m_connectMenu; }
    ConnectSession *currentSession() const { return m_session; }
    QWidget *currentPage() const;
    QWidget *loadingPage() const { return m_loadingPage; }
    QWidget *unavailablePage() const { return m_unavailablePage; }
    QSplitter *accountsPage() const { return m_accountsPage; }

    qint64 selectedAccountId() const;
    void selectAccount(qint64 accountId);

    // The window was closed with "Keep MailKey running when the window is closed" on: hidden, the
    // program goes on (the tray icon, where there is a tray, shows it again).
    bool keepsRunningInBackground() const;
    // `mailkey --background` (login autostart): the service starts, the window is not shown (the
    // tray icon is, where there is a tray); starting MailKey again shows it.
    void startInBackground();

public Q_SLOTS:
    void raiseAndActivate();
    // File → Quit and the tray's Quit: ends the program even when closing would keep it running.
    void quitApplication();
    void connectProvider(const QString &providerId);
    // The same on another device (RFC 8628): the panel shows the address, the code and a QR code.
    void connectProviderWithCode(const QString &providerId);
    void reconnectAccount(qint64 accountId);
    void confirmRemoveAccount(qint64 accountId); // asks first (window-modal, objectName "confirmRemove")
    void copyAddress(qint64 accountId);
    void reloadFolders(qint64 accountId);
    void refreshNow(qint64 accountId); // renew the access token now; the row shows Refreshing…
    // "Test mail connection": logs in to the account's IMAP and SMTP servers (AccountService::
    // checkMail) and shows the progress and the result in the details' "Mail login" tab.
    void testMailConnection(qint64 accountId);
    void openSettings();
    // "Add a provider…": the provider editor (objectName "providerEditor") for the providers file
    // in use, over `parent` (nullptr: this window); a saved change reloads the providers.
    void openProviderEditor(QWidget *parent = nullptr);
    void confirmSignOutEverywhere(); // objectName "confirmSignOutEverywhere"
    void confirmResetVault();        // objectName "confirmResetVault"
    // File → Back up to a file… / Restore from a backup… (BackupDialog, objectNames "backupDialog",
    // "restoreDialog"); the outcome goes to the message banner (topic "backup").
    void openBackupDialog();
    void openRestoreDialog();
    // File → Erase everything… (objectName "confirmEraseEverything", with "I understand"); then
    // AccountService::eraseEverything, and a report (objectName "erasedReport") whose only way on
    // is to quit: nothing of MailKey is left to work with.
    void confirmEraseEverything();
    void retryVault();
    void reloadProviders();
    // `mailkey --providers FILE`: FILE is the custom providers file of this run (not saved).
    void setProvidersFileOverride(const QString &path);

public:
    // The watch on the providers file in use (tests: its delay).
    ProvidersFileWatcher *providersWatcher() const { return m_providersWatcher; }

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildUi();
    void buildMenus();
    void rebuildConnectMenu();
    void updateForVaultState();
    void refillAccounts();
    void refreshExpiry(qint64 accountId);
    // The expiry the list shows: the default resource's token, else the first one.
    static QDateTime expiryOf(const QList<TokenSummary> &tokens);
    void updatePage();
    void showDetailsFor(qint64 accountId, bool fetchFolders);
    void onMailCheckStarted(qint64 accountId, MailDoctor *doctor);
    void onMailCheckFinished(qint64 accountId, const MailDoctor::Summary &summary);
    // Which of the account's mail logins failed at their last check ("SMTP", "IMAP and SMTP"), or "".
    static QString failedMailLogins(const QList<MailCheckRecord> &checks);
    void onSelectionChanged();
    void startSession(ConnectSession *session, const QString &title, const QString &providerId, qint64 reconnectId,
                      ConnectPanel::Mode mode = ConnectPanel::Mode::Browser);
    void addDeviceSignInMenu(QMenu *menu, ProviderRegistry *registry);
    bool readyToSignIn(const QString &providerId, ConnectPanel::Mode mode);
    void endSession();
    void onAccountChanged(qint64 accountId);
    void onAccountRemoved(qint64 accountId, const RemovalReport &report);
    void onPendingRevocationFinished(qint64 accountId, const QString &email, bool revoked, const QString &message);
    void onRemoveFailed(qint64 accountId, const Error &error);
    void onFoldersLoaded(qint64 accountId, const QList<MailFolder> &folders);
    void onFoldersFailed(qint64 accountId, const Error &error);
    // View → Activity log: the whole log, filtered to a mailbox (ActivityView::AllMailboxes: all).
    void showActivity(qint64 mailbox);
    void onAlert(const Alert &alert);
    void onSignedOutEverywhere(const Status &result);
    void onRefreshFinished(qint64 accountId, const Status &result);
    void notifyDesktop(const QString &title, const QString &message);
    // Shrinks the window to the available geometry of its screen (minus room for the frame) and
    // moves it inside; `centre`: a first size, placed in the middle.
    void fitToScreen(bool centre);
    // The message banner's rule (Banner::offer); returns false when the outcome went to the status
    // bar because a more severe message about something else is shown (then add no buttons).
    bool showOutcome(Banner::Kind kind, const QString &topic, const QString &title, const QString &message);
    // Success of a mailbox's refresh or sign-in, or its removal: its failure messages are over.
    void clearAccountTrouble(qint64 accountId);
    void updateActions();
    QString providerName(const QString &providerId) const;
    // A window-modal confirmation whose button (objectName "confirmButton") is enabled only by its
    // "I understand" check box (objectName "understandCheck"); `confirmed` runs on that button.
    void understandingBox(const QString &objectName, const QString &title, const QString &text,
                          const QString &understandText, const QString &confirmText, std::function<void()> confirmed);
    QMessageBox *confirmBox(const QString &objectName, const QString &title, const QString &text,
                            const QString &informative, const QString &confirmText);

    AccountService *m_service;
    std::unique_ptr<AppSettings> m_ownSettings;
    AppSettings *m_settings;
    const Clock *m_clock = nullptr;

    AccountModel *m_model = nullptr;
    AccountListPane *m_listPane = nullptr;
    QListView *m_list = nullptr;
    AccountDetails *m_details = nullptr;
    EmptyState *m_empty = nullptr;
    QStackedWidget *m_pages = nullptr;
    QWidget *m_loadingPage = nullptr;
    QWidget *m_unavailablePage = nullptr;
    QLabel *m_unavailableText = nullptr;
    QSplitter *m_accountsPage = nullptr;
    ConnectPanel *m_connectPanel = nullptr;
    Banner *m_vaultBanner = nullptr;
    KeyringUnlock *m_keyringUnlock = nullptr; // the locked keyring's Unlock button
    Banner *m_messageBanner = nullptr;
    Banner *m_alertBanner = nullptr;
    Banner *m_configBanner = nullptr;
    QToolButton *m_connectButton = nullptr;
    QMenu *m_connectMenu = nullptr;
    QMenu *m_menuConnect = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QPointer<ActivityView> m_activityView;
    QLabel *m_statusLabel = nullptr;

    QAction *m_reconnectAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_reloadFoldersAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_testMailAction = nullptr;
    bool m_listedWhileVerifying = false; // the list was filled in VaultState::Verifying
    QAction *m_signOutAction = nullptr;
    QAction *m_backupAction = nullptr;
    QAction *m_restoreAction = nullptr;
    QAction *m_eraseAction = nullptr;
    bool m_backupRunning = false;
    bool m_erasing = false;
    bool m_quitting = false;
    bool m_backgroundClosed = false; // hidden by a close, running on
    void showTrayIcon();             // Erase everything runs: its removals are in its report, not banners
    QToolButton *m_settingsButton = nullptr;
    QAction *m_settingsAction = nullptr;
    void showEraseReport(const EraseReport &report);
    // The end of a backup or restore: true when it worked (the dialog is closed); otherwise the
    // dialog, or the banner once the dialog is gone, says why.
    bool endBackupWork(const QPointer<BackupDialog> &dialog, const std::optional<Error> &failure,
                       const QString &failureTitle);

    ProvidersFileWatcher *m_providersWatcher = nullptr;
    IssuerDiscovery *m_discovery = nullptr; // made when the provider editor first needs it

    QPointer<ConnectSession> m_session;
    QString m_sessionProvider;
    qint64 m_sessionAccount = 0;
    QSet<qint64> m_removing;
    QSet<qint64> m_refreshRequested; // "Refresh now" clicked, outcome not shown yet
    QHash<qint64, QList<MailFolder>> m_folderCache;
    QDateTime m_alertShownAt; // when the last "refreshes keep failing" alert came
    bool m_startRequested = false;
    bool m_fittedOnShow = false;
    bool m_signingOut = false;
};

} // namespace mailkey
