#pragma once

#include "core/common/Clock.h"
#include "core/vault/VaultTypes.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QTimer>

namespace mailkey {

// The connected mailboxes, one row each, fed from AccountService's signals. No network code and
// no secrets. Every text role returns text cleaned by SafeText (names and addresses come from
// providers); accountAt() returns the Account as core gave it.
class AccountModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        IdRole = Qt::UserRole + 1,
        EmailRole,
        DisplayNameRole,
        ProviderRole,     // provider id
        ProviderNameRole, // "Outlook / Microsoft 365", "Gmail", the custom name
        StatusRole,       // int(AccountStatus)
        StatusTextRole,   // "Connected · renews in 42 min", "Offline · works until 15:40, will retry"
        StatusReasonRole,
        ExpiryRole, // token expiry (QDateTime), when known (setTokenExpiry)
        LastRefreshRole,
        NextRefreshRole,
        ConnectedSinceRole,
        TenantRole,
        InitialsRole,
        AvatarColorRole,     // QColor
        MailLoginFailedRole, // QString: "SMTP", "IMAP and SMTP" when the last mail check failed, else ""
        SeverityRole,        // int(Severity): how the status is shown (colour of the dot and the text)
        AttentionRole,       // int: 0 = fine; higher = needs attention more urgently (the list's order)
    };
    Q_ENUM(Roles)

    // How alarming a row's status is. Offline while the access token is still valid is Quiet: the
    // mailbox works (mail programs get their token), MailKey only could not renew it yet. It turns
    // into a Problem once that token has expired.
    enum class Severity {
        Fine,    // connected, refreshing
        Quiet,   // offline, the token still valid
        Warning, // needs sign-in, the last mail login failed
        Problem, // error, offline with an expired token
    };
    Q_ENUM(Severity)

    explicit AccountModel(QObject *parent = nullptr);

    void setClock(const Clock *clock); // nullptr = system clock
    // The person's statement that the Google app is in Testing status (AppSettings), for the
    // health clock in each row's tooltip (core/lifecycle/HealthClock).
    void setGoogleTestingStatus(bool testing) { m_googleTesting = testing; }
    // Provider id -> the name shown on the badge.
    void setProviderNames(const QHash<QString, QString> &names);
    QString providerName(const QString &providerId) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    Account accountAt(const QModelIndex &index) const;
    QModelIndex indexOfId(qint64 id) const;
    QList<Account> accounts() const { return m_accounts; }

    // "Connected · renews in 42 min", "Needs sign-in: ...": the status line of one account.
    QString statusText(const Account &account) const;
    // `expiry`: the access token's expiry, when known (the offline wording says until when it works).
    static QString describeStatus(const Account &account, const QDateTime &now, const QDateTime &expiry = {});
    static Severity severity(const Account &account, const QDateTime &now, const QDateTime &expiry,
                             bool mailLoginFailed = false);
    static int attention(const Account &account, const QDateTime &now, const QDateTime &expiry,
                         bool mailLoginFailed = false);
    static QString humanDuration(qint64 seconds);
    // "15:40" today, else the short date and time.
    static QString shortTime(const QDateTime &when, const QDateTime &now);

public Q_SLOTS:
    // Rows of accounts that stay keep their place (and the selection); gone ones are removed,
    // new ones appended in the given order.
    // With the token expiry of each (as setTokenExpiry), in the same update.
    void setAccounts(const QList<mailkey::Account> &accounts, const QHash<qint64, QDateTime> &expiries = {});
    // Updates the row with that id, or appends it.
    void updateAccount(const mailkey::Account &account);
    void removeAccount(qint64 id);
    void setTokenExpiry(qint64 id, const QDateTime &expiresAt);
    // Which mail logins failed at the account's last check ("SMTP"); "" clears the mark. The
    // status line says so after the account's state.
    void setMailLoginFailure(qint64 id, const QString &failed);
    void setMailLoginFailures(const QHash<qint64, QString> &failed); // every row at once
    // Re-evaluates "in 42 min" texts (called by an internal timer every 30 s).
    void refreshRelativeTimes();

private:
    QDateTime now() const;
    void reindex(int fromRow = 0);

    QList<Account> m_accounts;
    QHash<qint64, int> m_rowOf; // account id -> row in m_accounts
    QHash<qint64, QDateTime> m_expiry;
    QHash<qint64, QString> m_mailFailed;
    QHash<QString, QString> m_providerNames;
    bool m_googleTesting = false;
    const Clock *m_clock = nullptr;
    QTimer m_tick;
};

} // namespace mailkey
