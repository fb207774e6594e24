#pragma once

#include "core/common/Clock.h"
#include "core/service/AccountService.h"
#include "core/vault/VaultTypes.h"

#include <QDateTime>
#include <QList>
#include <QTimer>
#include <QWidget>

class QFormLayout;
class QLabel;
class QProgressBar;
class QScrollArea;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTreeWidget;

namespace mailkey {

class ElidedLabel;
class AvatarWidget;
class MailCheckPanel;

// The selected mailbox: who it is, its provider and tenant, granted scopes, token expiry, last and
// next refresh, connected since, the health clock (sign-in needed by, and why); its folders (loaded asynchronously, errors in place) and its
// activity (audit entries, newest first); its mail login (MailCheckPanel: the last IMAP and SMTP
// checks, "Test mail connection"); actions Refresh now, Reconnect, Remove and Copy address.
// Data comes in through setters (MainWindow asks AccountService); this widget has no service.
// It scrolls vertically when the window leaves it less height than its text needs.
class AccountDetails : public QWidget {
    Q_OBJECT
public:
    explicit AccountDetails(QWidget *parent = nullptr);

    void setClock(const Clock *clock);
    // The person's statement that the Google app is in Testing status (AppSettings), for the
    // "Sign-in needed by" row (core/lifecycle/HealthClock).
    void setGoogleTestingStatus(bool testing);

    void showAccount(const Account &account, const QString &providerName, const QList<TokenSummary> &tokens);
    void clearAccount();
    qint64 accountId() const { return m_account.id; }
    const Account &account() const { return m_account; }

    void setFoldersLoading();
    void setFolders(const QList<MailFolder> &folders);
    void setFoldersError(const QString &message);
    // The activity is being read (off the GUI thread): the rows shown stay until setActivity(),
    // and "Loading activity…" shows only when the answer takes longer than ActivityLoadingDelayMs.
    static constexpr int ActivityLimit = 200; // newest entries shown
    static constexpr int ActivityLoadingDelayMs = 150;
    void setActivityLoading();
    bool isActivityLoading() const { return m_activityLoading; }
    void setActivity(const QList<AuditEntry> &entries);

    // A running action on this account ("Removing…"): the actions are disabled meanwhile.
    void setBusy(const QString &what);
    void clearBusy();

    QString formatTime(const QDateTime &when) const; // "12 Mar 2025 14:03 (in 42 min)"
    // Re-evaluates the status and the "in 42 min" times against the clock (an internal timer
    // calls it every 30 s): an offline mailbox whose token expires meanwhile says so.
    void refreshRelativeTimes();

    QTreeWidget *folderList() const { return m_folders; }
    QTreeWidget *activityList() const { return m_activity; }
    MailCheckPanel *mailCheckPanel() const { return m_mailCheck; }
    // Brings the "Mail login" tab to the front.
    void showMailCheckTab();
    // The name of an audit action for people ("token.refreshed" -> "Token refreshed"); also the
    // window-wide ActivityView's.
    static QString actionText(const QString &action);
    // An entry's detail for display, cleaned, with the program that asked when not MailKey.
    static QString detailText(const AuditEntry &entry);

Q_SIGNALS:
    void reconnectRequested(qint64 accountId);
    void removeRequested(qint64 accountId);
    void copyAddressRequested(qint64 accountId);
    void reloadFoldersRequested(qint64 accountId);
    void refreshRequested(qint64 accountId);

private:
    QLabel *addRow(QFormLayout *form, const QString &label, const QString &objectName);
    void updateActionButtons();

    const Clock *m_clock = nullptr;
    Account m_account;
    QDateTime m_tokenExpiry; // of the default resource's token, else the first one

    QScrollArea *m_scroll = nullptr;
    QWidget *m_content = nullptr;
    AvatarWidget *m_avatar = nullptr;
    ElidedLabel *m_name = nullptr;
    ElidedLabel *m_email = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_busyLabel = nullptr;
    QProgressBar *m_busyBar = nullptr;
    QPushButton *m_reconnect = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_refresh = nullptr;
    bool m_busy = false;

    QLabel *m_provider = nullptr;
    QLabel *m_tenant = nullptr;
    QLabel *m_scopes = nullptr;
    QLabel *m_expiry = nullptr;
    QLabel *m_lastRefresh = nullptr;
    QLabel *m_nextRefresh = nullptr;
    QLabel *m_since = nullptr;
    QLabel *m_signInNeededBy = nullptr;
    bool m_googleTesting = false;

    QTabWidget *m_tabs = nullptr;
    QStackedWidget *m_folderStack = nullptr;
    QProgressBar *m_folderProgress = nullptr;
    QTreeWidget *m_folders = nullptr;
    QLabel *m_folderError = nullptr;
    QPushButton *m_reloadFolders = nullptr;
    QStackedWidget *m_activityStack = nullptr;
    QTreeWidget *m_activity = nullptr;
    QTimer m_activityLoadingDelay;
    bool m_activityLoading = false;
    MailCheckPanel *m_mailCheck = nullptr;
    QTimer m_tick;
};

} // namespace mailkey
