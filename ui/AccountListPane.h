#pragma once

#include "ui/AccountFilterModel.h"

#include <QWidget>

class QAction;
class QLabel;
class QLineEdit;
class QListView;
class QPushButton;
class QStackedWidget;
class QToolButton;

namespace mailkey {

class AccountModel;

// The list of mailboxes with its search field and sort menu, over AccountFilterModel.
//
//  - The search filters as you type (address, display name, provider name). Ctrl+F (Find) focuses
//    it from anywhere in the window; Esc clears it, and Esc in an empty field goes back to the
//    list; Down moves into the list. When nothing matches, "No mailbox matches …" replaces the
//    list, with a button that clears the search.
//  - Selection: the mailbox the person chose stays selected while it matches. When a search hides
//    it, the first match is selected (and the details follow); clearing the search selects the
//    chosen one again. With no match nothing is selected.
//  - Sort: "Needs attention first" or "Name (A–Z)"; orderChanged() lets the window remember it.
//
// Rows are the proxy's: map ids with selectAccount()/currentAccountId(), never with the source's
// rows.
class AccountListPane : public QWidget {
    Q_OBJECT
public:
    explicit AccountListPane(AccountModel *model, QWidget *parent = nullptr);

    QListView *list() const { return m_list; }
    AccountFilterModel *proxy() const { return m_proxy; }
    QLineEdit *searchField() const { return m_search; }
    QToolButton *sortButton() const { return m_sortButton; }
    QAction *findAction() const { return m_findAction; }
    QLabel *noMatchLabel() const { return m_noMatchLabel; }
    bool showsNoMatch() const;

    void setOrder(AccountFilterModel::Order order);
    AccountFilterModel::Order order() const { return m_proxy->order(); }
    void setSearchText(const QString &text); // as if typed
    void clearSearch();

    // The selected mailbox (0: none); selecting one that the search hides clears the search.
    qint64 currentAccountId() const;
    void selectAccount(qint64 accountId);
    // Selects the first row shown, if any.
    void selectFirst();

Q_SIGNALS:
    void orderChanged(mailkey::AccountFilterModel::Order order);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applySearch(const QString &text);
    void updateNoMatch();
    void select(const QModelIndex &proxyIndex);

    AccountModel *m_model;
    AccountFilterModel *m_proxy;
    QLineEdit *m_search = nullptr;
    QToolButton *m_sortButton = nullptr;
    QAction *m_orderAttention = nullptr;
    QAction *m_orderByName = nullptr;
    QAction *m_findAction = nullptr;
    QStackedWidget *m_stack = nullptr;
    QListView *m_list = nullptr;
    QWidget *m_noMatchPage = nullptr;
    QLabel *m_noMatchLabel = nullptr;
    qint64 m_chosen = 0;      // the mailbox the person selected last
    bool m_adjusting = false; // the selection is being moved by a search, not by the person
};

} // namespace mailkey
