#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

namespace mailkey {

class AccountModel;

// The mailboxes as the list shows them: AccountModel, filtered by a search and sorted.
//
//  - Search: every word of the search must occur (case-insensitively) in the address, the display
//    name or the provider's name. An empty search shows every row.
//  - Order NeedsAttentionFirst (the default): the rows whose AccountModel::AttentionRole is above
//    zero come first, most urgent first (needs sign-in, error, offline, mail login failed), then
//    the rest; alphabetically by name (the address when there is none) within each group.
//    Order ByName: alphabetically only. Ties fall back to the address, then the id, so the order is
//    total and stable.
//
// The order follows live changes (a failing refresh moves its row up); the view keeps its
// selection through that, as through any proxy. Map ids with indexOfId() and rows with
// accountId(), never with the source model's rows.
class AccountFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    enum class Order {
        NeedsAttentionFirst,
        ByName
    };
    Q_ENUM(Order)

    explicit AccountFilterModel(QObject *parent = nullptr);

    void setAccountModel(AccountModel *model);
    AccountModel *accountModel() const { return m_accounts; }

    void setSearchText(const QString &text);
    QString searchText() const { return m_search; }
    void setOrder(Order order);
    Order order() const { return m_order; }

    QModelIndex indexOfId(qint64 id) const; // invalid when the row is filtered out or unknown
    static qint64 accountId(const QModelIndex &index);

    // Whether a row with these texts matches `search` (the rule above).
    static bool matches(const QString &search, const QStringList &texts);

Q_SIGNALS:
    void searchTextChanged(const QString &text);
    void orderChanged(mailkey::AccountFilterModel::Order order);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    AccountModel *m_accounts = nullptr;
    QString m_search;
    Order m_order = Order::NeedsAttentionFirst;
};

} // namespace mailkey
