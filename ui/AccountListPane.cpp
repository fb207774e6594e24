#include "ui/AccountListPane.h"

#include "ui/AccountDelegate.h"
#include "ui/AccountModel.h"
#include "ui/SafeText.h"

#include <QAction>
#include <QActionGroup>
#include <QEvent>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QPushButton>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace mailkey {

AccountListPane::AccountListPane(AccountModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_proxy(new AccountFilterModel(this))
{
    setObjectName(QStringLiteral("accountListPane"));
    m_proxy->setAccountModel(model);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);

    auto *top = new QHBoxLayout;
    top->setSpacing(4);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("accountSearch"));
    m_search->setPlaceholderText(tr("Search mailboxes"));
    m_search->setAccessibleName(tr("Search mailboxes"));
    m_search->setAccessibleDescription(tr("Filters the list by address, name and provider."));
    m_search->setClearButtonEnabled(true);
    m_search->installEventFilter(this);
    connect(m_search, &QLineEdit::textChanged, this, &AccountListPane::applySearch);
    top->addWidget(m_search, 1);

    m_sortButton = new QToolButton(this);
    m_sortButton->setObjectName(QStringLiteral("sortButton"));
    m_sortButton->setText(tr("Sort"));
    m_sortButton->setAccessibleName(tr("Sort mailboxes"));
    m_sortButton->setToolTip(tr("Choose the order of the list"));
    m_sortButton->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_sortButton);
    auto *group = new QActionGroup(menu);
    m_orderAttention = menu->addAction(tr("Needs attention first"));
    m_orderAttention->setObjectName(QStringLiteral("orderAttention"));
    m_orderAttention->setStatusTip(
        tr("Mailboxes that need a sign-in, have errors, are offline or failed a mail login come first"));
    m_orderByName = menu->addAction(tr("Name (A–Z)"));
    m_orderByName->setObjectName(QStringLiteral("orderByName"));
    for (QAction *a : {m_orderAttention, m_orderByName}) {
        a->setCheckable(true);
        group->addAction(a);
    }
    m_orderAttention->setChecked(true);
    connect(group, &QActionGroup::triggered, this, [this](QAction *a) {
        setOrder(a == m_orderByName ? AccountFilterModel::Order::ByName
                                    : AccountFilterModel::Order::NeedsAttentionFirst);
    });
    m_sortButton->setMenu(menu);
    top->addWidget(m_sortButton);
    layout->addLayout(top);

    m_stack = new QStackedWidget(this);
    m_list = new QListView(m_stack);
    m_list->setObjectName(QStringLiteral("accountList"));
    m_list->setAccessibleName(tr("Connected mailboxes"));
    m_list->setModel(m_proxy);
    m_list->setItemDelegate(new AccountDelegate(m_list));
    m_list->setUniformItemSizes(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->setMouseTracking(true);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_list->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
    m_stack->addWidget(m_list);

    m_noMatchPage = new QWidget(m_stack);
    m_noMatchPage->setObjectName(QStringLiteral("noMatchPage"));
    {
        auto *l = new QVBoxLayout(m_noMatchPage);
        m_noMatchLabel = new QLabel(m_noMatchPage);
        m_noMatchLabel->setObjectName(QStringLiteral("noMatchLabel"));
        m_noMatchLabel->setTextFormat(Qt::PlainText);
        m_noMatchLabel->setWordWrap(true);
        m_noMatchLabel->setAlignment(Qt::AlignCenter);
        auto *clear = new QPushButton(tr("Clear search"), m_noMatchPage);
        clear->setObjectName(QStringLiteral("clearSearchButton"));
        connect(clear, &QPushButton::clicked, this, [this] {
            clearSearch();
            m_list->setFocus();
        });
        l->addStretch(1);
        l->addWidget(m_noMatchLabel);
        l->addWidget(clear, 0, Qt::AlignHCenter);
        l->addStretch(2);
    }
    m_stack->addWidget(m_noMatchPage);
    layout->addWidget(m_stack, 1);

    // Ctrl+F from anywhere in the window.
    m_findAction = new QAction(tr("Find mailbox"), this);
    m_findAction->setObjectName(QStringLiteral("findMailboxAction"));
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    addAction(m_findAction);

    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        if (!m_adjusting) {
            if (const qint64 id = currentAccountId())
                m_chosen = id;
        }
    });
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &AccountListPane::updateNoMatch);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &AccountListPane::updateNoMatch);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &AccountListPane::updateNoMatch);
}

bool AccountListPane::showsNoMatch() const
{
    return m_stack->currentWidget() == m_noMatchPage;
}

void AccountListPane::setOrder(AccountFilterModel::Order order)
{
    (order == AccountFilterModel::Order::ByName ? m_orderByName : m_orderAttention)->setChecked(true);
    if (order == m_proxy->order())
        return;
    m_proxy->setOrder(order);
    if (m_list->currentIndex().isValid())
        m_list->scrollTo(m_list->currentIndex());
    Q_EMIT orderChanged(order);
}

void AccountListPane::setSearchText(const QString &text)
{
    m_search->setText(text); // applySearch() through textChanged
}

void AccountListPane::clearSearch()
{
    m_search->clear();
}

void AccountListPane::applySearch(const QString &text)
{
    if (text.simplified() == m_proxy->searchText())
        return;
    m_adjusting = true;
    m_proxy->setSearchText(text);
    const QModelIndex chosen = m_proxy->indexOfId(m_chosen);
    if (chosen.isValid())
        select(chosen);
    else if (m_proxy->rowCount() > 0)
        select(m_proxy->index(0, 0));
    else
        select(QModelIndex());
    m_adjusting = false;
    updateNoMatch();
}

void AccountListPane::select(const QModelIndex &proxyIndex)
{
    QItemSelectionModel *selection = m_list->selectionModel();
    if (!proxyIndex.isValid()) {
        selection->clear(); // current and selection: the details show no mailbox
        return;
    }
    selection->setCurrentIndex(proxyIndex, QItemSelectionModel::ClearAndSelect);
    m_list->scrollTo(proxyIndex);
}

qint64 AccountListPane::currentAccountId() const
{
    const QItemSelectionModel *selection = m_list->selectionModel();
    const QModelIndex current = selection->currentIndex();
    if (!current.isValid() || !selection->isSelected(current))
        return 0;
    return AccountFilterModel::accountId(current);
}

void AccountListPane::selectAccount(qint64 accountId)
{
    if (!m_model->indexOfId(accountId).isValid())
        return;
    m_chosen = accountId;
    if (!m_proxy->indexOfId(accountId).isValid())
        clearSearch(); // asked for by name (an alert, a sign-in): show it
    select(m_proxy->indexOfId(accountId));
}

void AccountListPane::selectFirst()
{
    if (m_proxy->rowCount() > 0)
        select(m_proxy->index(0, 0));
}

void AccountListPane::updateNoMatch()
{
    const bool none = m_proxy->rowCount() == 0 && m_model->rowCount() > 0 && !m_proxy->searchText().isEmpty();
    if (none) {
        m_noMatchLabel->setText(tr("No mailbox matches “%1”.").arg(SafeText::clean(m_proxy->searchText(), 80)));
        m_stack->setCurrentWidget(m_noMatchPage);
    } else if (m_stack->currentWidget() != m_list) {
        const bool hadFocus = m_noMatchPage->isAncestorOf(focusWidget());
        m_stack->setCurrentWidget(m_list);
        if (hadFocus)
            m_list->setFocus();
    }
}

bool AccountListPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_search && event->type() == QEvent::ShortcutOverride) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier) {
            event->accept(); // Esc is the field's, whatever else listens for it
            return true;
        }
    }
    if (watched == m_search && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Escape && key->modifiers() == Qt::NoModifier) {
            if (!m_search->text().isEmpty())
                clearSearch();
            else
                m_list->setFocus(Qt::ShortcutFocusReason);
            return true;
        }
        if ((key->key() == Qt::Key_Down || key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter)
            && m_proxy->rowCount() > 0) {
            m_list->setFocus(Qt::TabFocusReason);
            if (!m_list->currentIndex().isValid())
                selectFirst();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace mailkey
