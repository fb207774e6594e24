#include "ui/AccountModel.h"

#include "core/lifecycle/HealthClock.h"

#include "ui/Avatar.h"
#include "ui/SafeText.h"

#include <QLocale>
#include <QSet>

#include <algorithm>

namespace mailkey {

AccountModel::AccountModel(QObject *parent) : QAbstractListModel(parent)
{
    m_tick.setInterval(30 * 1000);
    connect(&m_tick, &QTimer::timeout, this, &AccountModel::refreshRelativeTimes);
    m_tick.start();
}

void AccountModel::setClock(const Clock *clock)
{
    m_clock = clock;
    refreshRelativeTimes();
}

void AccountModel::setProviderNames(const QHash<QString, QString> &names)
{
    m_providerNames = names;
    if (!m_accounts.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_accounts.size()) - 1));
}

QString AccountModel::providerName(const QString &providerId) const
{
    const QString name = m_providerNames.value(providerId);
    if (!name.isEmpty())
        return SafeText::clean(name, 64);
    if (providerId == QLatin1String("microsoft"))
        return tr("Outlook / Microsoft 365");
    if (providerId == QLatin1String("google"))
        return tr("Gmail");
    return SafeText::clean(providerId, 64);
}

QDateTime AccountModel::now() const
{
    return (m_clock ? m_clock : Clock::system())->now();
}

int AccountModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_accounts.size());
}

Qt::ItemFlags AccountModel::flags(const QModelIndex &index) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QString AccountModel::humanDuration(qint64 seconds)
{
    if (seconds < 60)
        return tr("less than a minute");
    const qint64 minutes = (seconds + 30) / 60;
    if (minutes < 60)
        return tr("%n min", nullptr, int(minutes));
    const qint64 hours = minutes / 60;
    if (hours < 48) {
        const qint64 rest = minutes % 60;
        return rest ? tr("%1 h %2 min").arg(hours).arg(rest) : tr("%n h", nullptr, int(hours));
    }
    return tr("%n days", nullptr, int(hours / 24));
}

QString AccountModel::shortTime(const QDateTime &when, const QDateTime &now)
{
    // Minutes are enough for a status line: the locale's short formats without seconds.
    const QDateTime local = when.toLocalTime();
    const QLocale locale;
    QString time = locale.timeFormat(QLocale::ShortFormat);
    time.remove(QLatin1String(":ss"));
    if (local.date() == now.toLocalTime().date())
        return locale.toString(local.time(), time);
    QString date = locale.dateTimeFormat(QLocale::ShortFormat);
    date.remove(QLatin1String(":ss"));
    return locale.toString(local, date);
}

QString AccountModel::statusText(const Account &a) const
{
    const QString status = describeStatus(a, now(), m_expiry.value(a.id));
    const QString failed = m_mailFailed.value(a.id);
    // First, so that eliding a narrow row does not hide it.
    return failed.isEmpty() ? status : tr("%1 login failed · %2").arg(failed, status);
}

QString AccountModel::describeStatus(const Account &a, const QDateTime &now, const QDateTime &expiry)
{
    // Short: the row has room for about 30 characters at the first window size, and the status
    // and its time come first so that eliding takes the least important words.
    const QString reason = SafeText::clean(a.statusReason, 120);
    switch (a.status) {
    case AccountStatus::Connected:
        if (a.nextRefreshAt.isValid()) {
            const qint64 secs = now.secsTo(a.nextRefreshAt);
            if (secs > 0)
                return tr("Connected · renews in %1").arg(humanDuration(secs));
            return tr("Connected · renewal due");
        }
        return tr("Connected");
    case AccountStatus::Refreshing:
        return tr("Refreshing…");
    case AccountStatus::NeedsSignIn:
        return reason.isEmpty() ? tr("Needs sign-in") : tr("Needs sign-in: %1").arg(reason);
    case AccountStatus::Offline:
        // The provider could not be reached. The mailbox keeps working while its token is valid.
        if (expiry.isValid() && expiry > now)
            return tr("Offline · works until %1, will retry").arg(shortTime(expiry, now));
        if (expiry.isValid())
            return tr("Offline · access expired at %1, will retry").arg(shortTime(expiry, now));
        if (a.nextRefreshAt.isValid()) {
            const qint64 secs = now.secsTo(a.nextRefreshAt);
            if (secs > 0)
                return tr("Offline · will retry in %1").arg(humanDuration(secs));
        }
        return tr("Offline · will retry");
    case AccountStatus::Error:
        return reason.isEmpty() ? tr("Error") : tr("Error: %1").arg(reason);
    }
    return QString();
}

AccountModel::Severity AccountModel::severity(const Account &a, const QDateTime &now, const QDateTime &expiry,
                                              bool mailLoginFailed)
{
    switch (a.status) {
    case AccountStatus::NeedsSignIn:
        return Severity::Warning;
    case AccountStatus::Error:
        return Severity::Problem;
    case AccountStatus::Offline:
        // An unknown expiry is not assumed to be a problem: the token is checked before use.
        return expiry.isValid() && expiry <= now ? Severity::Problem : Severity::Quiet;
    case AccountStatus::Connected:
    case AccountStatus::Refreshing:
        break;
    }
    return mailLoginFailed ? Severity::Warning : Severity::Fine;
}

int AccountModel::attention(const Account &a, const QDateTime &now, const QDateTime &expiry, bool mailLoginFailed)
{
    switch (a.status) {
    case AccountStatus::NeedsSignIn:
        return 4;
    case AccountStatus::Error:
        return 3;
    case AccountStatus::Offline:
        return severity(a, now, expiry) == Severity::Problem ? 3 : 2;
    case AccountStatus::Refreshing:
        // A retry of a failing mailbox keeps its place while it runs.
        if (a.failureCount > 0)
            return 2;
        break;
    case AccountStatus::Connected:
        break;
    }
    return mailLoginFailed ? 1 : 0;
}

QVariant AccountModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const Account &a = m_accounts.at(index.row());
    switch (role) {
    case Qt::DisplayRole: {
        const QString name = SafeText::clean(a.displayName);
        return name.isEmpty() ? SafeText::clean(a.email) : name;
    }
    case Qt::ToolTipRole:
        // The health clock on a second line: when a new sign-in is expected to be needed, and why.
        return SafeText::toolTip(SafeText::clean(a.displayName) + QLatin1Char(' ') + SafeText::clean(a.email)
                                 + QLatin1String(" — ") + statusText(a) + QLatin1Char('\n')
                                 + HealthClock::forecast(a, m_googleTesting, now()).text);
    case Qt::AccessibleTextRole: {
        const QString name = SafeText::clean(a.displayName);
        const QString email = SafeText::clean(a.email);
        return name.isEmpty() || name == email ? email : tr("%1, %2").arg(name, email);
    }
    case Qt::AccessibleDescriptionRole:
        return tr("%1, %2").arg(providerName(a.provider), statusText(a));
    case IdRole:
        return a.id;
    case EmailRole:
        return SafeText::clean(a.email);
    case DisplayNameRole:
        return SafeText::clean(a.displayName);
    case ProviderRole:
        return a.provider;
    case ProviderNameRole:
        return providerName(a.provider);
    case StatusRole:
        return int(a.status);
    case StatusTextRole:
        return statusText(a);
    case StatusReasonRole:
        return SafeText::clean(a.statusReason);
    case ExpiryRole:
        return m_expiry.value(a.id);
    case LastRefreshRole:
        return a.lastRefreshAt;
    case NextRefreshRole:
        return a.nextRefreshAt;
    case ConnectedSinceRole:
        return a.createdAt;
    case TenantRole:
        return SafeText::clean(a.tenant);
    case InitialsRole:
        return Avatar::initials(a.displayName, a.email);
    case AvatarColorRole:
        return Avatar::color(a.email);
    case MailLoginFailedRole:
        return m_mailFailed.value(a.id);
    case SeverityRole:
        return int(severity(a, now(), m_expiry.value(a.id), m_mailFailed.contains(a.id)));
    case AttentionRole:
        return attention(a, now(), m_expiry.value(a.id), m_mailFailed.contains(a.id));
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> AccountModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(IdRole, "accountId");
    names.insert(EmailRole, "email");
    names.insert(DisplayNameRole, "displayName");
    names.insert(ProviderRole, "provider");
    names.insert(ProviderNameRole, "providerName");
    names.insert(StatusRole, "status");
    names.insert(StatusTextRole, "statusText");
    names.insert(StatusReasonRole, "statusReason");
    names.insert(MailLoginFailedRole, "mailLoginFailed");
    names.insert(ExpiryRole, "expiry");
    names.insert(LastRefreshRole, "lastRefresh");
    names.insert(NextRefreshRole, "nextRefresh");
    names.insert(ConnectedSinceRole, "connectedSince");
    names.insert(TenantRole, "tenant");
    names.insert(InitialsRole, "initials");
    names.insert(AvatarColorRole, "avatarColor");
    names.insert(SeverityRole, "severity");
    names.insert(AttentionRole, "attention");
    return names;
}

Account AccountModel::accountAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.row() < 0 || index.row() >= m_accounts.size())
        return Account();
    return m_accounts.at(index.row());
}

QModelIndex AccountModel::indexOfId(qint64 id) const
{
    const auto it = m_rowOf.constFind(id);
    return it == m_rowOf.constEnd() ? QModelIndex() : index(*it);
}

void AccountModel::reindex(int fromRow)
{
    for (int row = fromRow; row < m_accounts.size(); ++row)
        m_rowOf.insert(m_accounts.at(row).id, row);
}

void AccountModel::setAccounts(const QList<Account> &accounts, const QHash<qint64, QDateTime> &expiries)
{
    QSet<qint64> keep;
    for (const Account &a : accounts)
        keep.insert(a.id);
    // Remove rows that are gone, from the bottom up, in contiguous runs.
    for (int row = int(m_accounts.size()) - 1; row >= 0;) {
        if (keep.contains(m_accounts.at(row).id)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !keep.contains(m_accounts.at(first - 1).id))
            --first;
        beginRemoveRows(QModelIndex(), first, row);
        for (int r = row; r >= first; --r) {
            m_expiry.remove(m_accounts.at(r).id);
            m_rowOf.remove(m_accounts.at(r).id);
        }
        m_accounts.remove(first, row - first + 1);
        reindex(first);
        endRemoveRows();
        row = first - 1;
    }
    for (auto it = expiries.constBegin(); it != expiries.constEnd(); ++it)
        m_expiry.insert(it.key(), it.value());
    // Update the rows that stay (one dataChanged over them, not one per row), append the new ones.
    QList<Account> added;
    QSet<qint64> addedIds;
    int firstChanged = -1;
    int lastChanged = -1;
    for (const Account &a : accounts) {
        const auto row = m_rowOf.constFind(a.id);
        if (row != m_rowOf.constEnd()) {
            m_accounts[*row] = a;
            firstChanged = firstChanged < 0 ? *row : std::min(firstChanged, *row);
            lastChanged = std::max(lastChanged, *row);
        } else if (!addedIds.contains(a.id)) {
            addedIds.insert(a.id);
            added.append(a);
        }
    }
    if (firstChanged >= 0)
        Q_EMIT dataChanged(index(firstChanged), index(lastChanged));
    if (!added.isEmpty()) {
        const int first = int(m_accounts.size());
        beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
        m_accounts.append(added);
        reindex(first);
        endInsertRows();
    }
}

void AccountModel::updateAccount(const Account &account)
{
    const QModelIndex idx = indexOfId(account.id);
    if (idx.isValid()) {
        m_accounts[idx.row()] = account;
        Q_EMIT dataChanged(idx, idx);
        return;
    }
    const int row = int(m_accounts.size());
    beginInsertRows(QModelIndex(), row, row);
    m_accounts.append(account);
    m_rowOf.insert(account.id, row);
    endInsertRows();
}

void AccountModel::removeAccount(qint64 id)
{
    const QModelIndex idx = indexOfId(id);
    if (!idx.isValid())
        return;
    beginRemoveRows(QModelIndex(), idx.row(), idx.row());
    m_accounts.removeAt(idx.row());
    m_expiry.remove(id);
    m_mailFailed.remove(id);
    m_rowOf.remove(id);
    reindex(idx.row());
    endRemoveRows();
}

void AccountModel::setTokenExpiry(qint64 id, const QDateTime &expiresAt)
{
    if (m_expiry.value(id) == expiresAt)
        return;
    m_expiry.insert(id, expiresAt);
    const QModelIndex idx = indexOfId(id);
    if (idx.isValid())
        Q_EMIT dataChanged(
            idx, idx,
            {ExpiryRole, StatusTextRole, SeverityRole, AttentionRole, Qt::AccessibleDescriptionRole, Qt::ToolTipRole});
}

void AccountModel::setMailLoginFailure(qint64 id, const QString &failed)
{
    if (m_mailFailed.value(id) == failed)
        return;
    if (failed.isEmpty())
        m_mailFailed.remove(id);
    else
        m_mailFailed.insert(id, failed);
    const QModelIndex idx = indexOfId(id);
    if (idx.isValid())
        Q_EMIT dataChanged(idx, idx,
                           {MailLoginFailedRole, StatusTextRole, SeverityRole, AttentionRole,
                            Qt::AccessibleDescriptionRole, Qt::ToolTipRole});
}

void AccountModel::setMailLoginFailures(const QHash<qint64, QString> &failed)
{
    if (m_mailFailed == failed)
        return;
    m_mailFailed = failed;
    if (!m_accounts.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_accounts.size()) - 1),
                           {MailLoginFailedRole, StatusTextRole, SeverityRole, AttentionRole,
                            Qt::AccessibleDescriptionRole, Qt::ToolTipRole});
}

void AccountModel::refreshRelativeTimes()
{
    if (m_accounts.isEmpty())
        return;
    // An offline mailbox's token may have expired meanwhile: its severity and place change too.
    Q_EMIT dataChanged(index(0), index(int(m_accounts.size()) - 1),
                       {StatusTextRole, SeverityRole, AttentionRole, Qt::AccessibleDescriptionRole, Qt::ToolTipRole});
}

} // namespace mailkey
