#include "ui/AccountFilterModel.h"

#include "ui/AccountModel.h"

#include <algorithm>

namespace mailkey {

namespace {

QString sortName(const QModelIndex &index)
{
    const QString name = index.data(AccountModel::DisplayNameRole).toString();
    return name.isEmpty() ? index.data(AccountModel::EmailRole).toString() : name;
}

} // namespace

AccountFilterModel::AccountFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setSortLocaleAware(true);
    // A dataChanged that names its roles re-sorts only when it names the sort role; the rows'
    // names and addresses change with an unnamed (every role) dataChanged.
    setSortRole(AccountModel::AttentionRole);
}

void AccountFilterModel::setAccountModel(AccountModel *model)
{
    m_accounts = model;
    setSourceModel(model);
    sort(0);
}

void AccountFilterModel::setSearchText(const QString &text)
{
    const QString simplified = text.simplified();
    if (simplified == m_search)
        return;
    m_search = simplified;
    invalidateFilter();
    Q_EMIT searchTextChanged(m_search);
}

void AccountFilterModel::setOrder(Order order)
{
    if (order == m_order)
        return;
    m_order = order;
    invalidate();
    sort(0);
    Q_EMIT orderChanged(order);
}

QModelIndex AccountFilterModel::indexOfId(qint64 id) const
{
    return m_accounts ? mapFromSource(m_accounts->indexOfId(id)) : QModelIndex();
}

qint64 AccountFilterModel::accountId(const QModelIndex &index)
{
    return index.isValid() ? index.data(AccountModel::IdRole).toLongLong() : 0;
}

bool AccountFilterModel::matches(const QString &search, const QStringList &texts)
{
    const QStringList words = search.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &word : words) {
        const bool found = std::any_of(texts.cbegin(), texts.cend(),
                                       [&](const QString &t) { return t.contains(word, Qt::CaseInsensitive); });
        if (!found)
            return false;
    }
    return true;
}

bool AccountFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_search.isEmpty())
        return true;
    const QModelIndex i = sourceModel()->index(sourceRow, 0, sourceParent);
    return matches(m_search,
                   {i.data(AccountModel::EmailRole).toString(), i.data(AccountModel::DisplayNameRole).toString(),
                    i.data(AccountModel::ProviderNameRole).toString()});
}

bool AccountFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    if (m_order == Order::NeedsAttentionFirst) {
        const int l = left.data(AccountModel::AttentionRole).toInt();
        const int r = right.data(AccountModel::AttentionRole).toInt();
        if (l != r)
            return l > r; // the most urgent first
    }
    const int byName = QString::localeAwareCompare(sortName(left).toCaseFolded(), sortName(right).toCaseFolded());
    if (byName != 0)
        return byName < 0;
    const int byEmail = QString::compare(left.data(AccountModel::EmailRole).toString(),
                                         right.data(AccountModel::EmailRole).toString(), Qt::CaseInsensitive);
    if (byEmail != 0)
        return byEmail < 0;
    return left.data(AccountModel::IdRole).toLongLong() < right.data(AccountModel::IdRole).toLongLong();
}

} // namespace mailkey
