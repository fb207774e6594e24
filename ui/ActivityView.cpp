#include "ui/ActivityView.h"

#include "core/service/AccountService.h"
#include "ui/AccountDetails.h"
#include "ui/SafeText.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMap>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace mailkey {

namespace {
enum Column {
    When,
    Mailbox,
    Event,
    Outcome,
    Detail
};
constexpr int IdRole = Qt::UserRole + 1;
constexpr int ActionRole = Qt::UserRole + 2;
} // namespace

ActivityView::ActivityView(AccountService *service, QWidget *parent) : QDialog(parent), m_service(service)
{
    setObjectName(QStringLiteral("activityView"));
    setWindowTitle(tr("Activity log"));
    auto *layout = new QVBoxLayout(this);

    auto *filters = new QHBoxLayout;
    m_mailbox = new QComboBox(this);
    m_mailbox->setObjectName(QStringLiteral("activityMailbox"));
    m_mailbox->setAccessibleName(tr("Mailbox"));
    m_event = new QComboBox(this);
    m_event->setObjectName(QStringLiteral("activityEvent"));
    m_event->setAccessibleName(tr("Event"));
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("activitySearch"));
    m_search->setPlaceholderText(tr("Search the activity"));
    m_search->setAccessibleName(tr("Search the activity"));
    m_search->setClearButtonEnabled(true);
    auto *mailboxLabel = new QLabel(tr("&Mailbox:"), this);
    mailboxLabel->setBuddy(m_mailbox);
    auto *eventLabel = new QLabel(tr("&Event:"), this);
    eventLabel->setBuddy(m_event);
    filters->addWidget(mailboxLabel);
    filters->addWidget(m_mailbox, 1);
    filters->addWidget(eventLabel);
    filters->addWidget(m_event, 1);
    filters->addWidget(m_search, 2);
    layout->addLayout(filters);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("activityTree"));
    m_tree->setAccessibleName(tr("Activity log"));
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setHeaderLabels({tr("When"), tr("Mailbox"), tr("Event"), tr("Outcome"), tr("Detail")});
    m_tree->header()->setStretchLastSection(true);
    layout->addWidget(m_tree, 1);

    auto *bottom = new QHBoxLayout;
    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("activityCount"));
    bottom->addWidget(m_count, 1);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *reloadButton = buttons->addButton(tr("&Reload"), QDialogButtonBox::ActionRole);
    reloadButton->setObjectName(QStringLiteral("activityReload"));
    connect(reloadButton, &QPushButton::clicked, this, &ActivityView::reload);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    bottom->addWidget(buttons);
    layout->addLayout(bottom);

    connect(m_mailbox, &QComboBox::currentIndexChanged, this, [this] { m_wantedMailbox.reset(); });
    connect(m_mailbox, &QComboBox::currentIndexChanged, this, &ActivityView::applyFilter);
    connect(m_event, &QComboBox::currentIndexChanged, this, &ActivityView::applyFilter);
    connect(m_search, &QLineEdit::textChanged, this, &ActivityView::applyFilter);

    m_loadingDelay = new QTimer(this);
    m_loadingDelay->setSingleShot(true);
    m_loadingDelay->setInterval(AccountDetails::ActivityLoadingDelayMs);
    connect(m_loadingDelay, &QTimer::timeout, this, [this] {
        if (m_loading)
            m_count->setText(tr("Loading…"));
    });

    const QFontMetrics fm = fontMetrics();
    resize(fm.averageCharWidth() * 140, fm.height() * 32);
    fill(); // the filters, with the mailboxes, before the log comes
    reload();
}

void ActivityView::reload()
{
    m_loading = true;
    if (m_entries.isEmpty())
        m_count->setText(tr("Loading…"));
    else
        m_loadingDelay->start();
    m_service->readAudit(0, Limit, this, [this](QList<AuditEntry> entries) {
        m_loading = false;
        m_loadingDelay->stop();
        m_entries = std::move(entries);
        fill();
    });
}

void ActivityView::fill()
{
    const qint64 mailbox = m_wantedMailbox.value_or(mailboxFilter());
    if (!m_loading)
        m_wantedMailbox.reset();
    const QString event = m_event->currentData().toString();

    // The mailboxes and events the log has, for the filters (kept across a reload).
    QMap<QString, qint64> mailboxes; // address -> id (sorted by address)
    QMap<QString, QString> events;   // shown name -> action
    for (const AuditEntry &e : std::as_const(m_entries)) {
        if (e.accountId > 0 && !e.accountEmail.isEmpty())
            mailboxes.insert(SafeText::clean(e.accountEmail, 120), e.accountId);
        events.insert(AccountDetails::actionText(e.action), e.action);
    }
    for (const Account &a : m_service->accounts())
        mailboxes.insert(SafeText::clean(a.email, 120), a.id);
    const QSignalBlocker blockMailbox(m_mailbox);
    const QSignalBlocker blockEvent(m_event);
    m_mailbox->clear();
    m_mailbox->addItem(tr("All mailboxes"), AllMailboxes);
    m_mailbox->addItem(tr("Not about one mailbox"), NoMailbox);
    for (auto it = mailboxes.cbegin(); it != mailboxes.cend(); ++it)
        m_mailbox->addItem(it.key(), it.value());
    m_mailbox->setCurrentIndex(qMax(0, m_mailbox->findData(mailbox)));
    m_event->clear();
    m_event->addItem(tr("All events"), QString());
    for (auto it = events.cbegin(); it != events.cend(); ++it)
        m_event->addItem(it.key(), it.value());
    m_event->setCurrentIndex(qMax(0, m_event->findData(event)));

    m_tree->clear();
    QList<QTreeWidgetItem *> items;
    items.reserve(m_entries.size());
    const QLocale locale;
    for (const AuditEntry &e : std::as_const(m_entries)) {
        auto *item = new QTreeWidgetItem;
        item->setText(When, locale.toString(e.at.toLocalTime(), QLocale::ShortFormat));
        item->setText(Mailbox, e.accountId > 0 ? SafeText::clean(e.accountEmail, 120) : tr("—"));
        item->setToolTip(Mailbox, SafeText::toolTip(e.accountEmail));
        item->setText(Event, AccountDetails::actionText(e.action));
        item->setText(Outcome, SafeText::clean(e.outcome, 32));
        item->setText(Detail, AccountDetails::detailText(e));
        item->setToolTip(Detail, SafeText::toolTip(e.detail));
        item->setData(0, IdRole, e.accountId);
        item->setData(0, ActionRole, e.action);
        items.append(item);
    }
    m_tree->addTopLevelItems(items);
    for (int c = When; c < Detail; ++c)
        m_tree->resizeColumnToContents(c);
    applyFilter();
}

void ActivityView::showMailbox(qint64 accountId)
{
    const int index = m_mailbox->findData(accountId);
    m_mailbox->setCurrentIndex(index >= 0 ? index : 0);
    if (m_loading)
        m_wantedMailbox = accountId; // it may be known from the log only
}

qint64 ActivityView::mailboxFilter() const
{
    return m_mailbox->count() ? m_mailbox->currentData().toLongLong() : AllMailboxes;
}

int ActivityView::visibleCount() const
{
    int n = 0;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        n += m_tree->topLevelItem(i)->isHidden() ? 0 : 1;
    return n;
}

void ActivityView::applyFilter()
{
    const qint64 mailbox = mailboxFilter();
    const QString event = m_event->currentData().toString();
    const QString words = m_search->text().trimmed();
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        bool show = mailbox == AllMailboxes || item->data(0, IdRole).toLongLong() == mailbox;
        show = show && (event.isEmpty() || item->data(0, ActionRole).toString() == event);
        if (show && !words.isEmpty()) {
            bool found = false;
            for (int c = When; c <= Detail && !found; ++c)
                found = item->text(c).contains(words, Qt::CaseInsensitive);
            show = found;
        }
        item->setHidden(!show);
    }
    const int shown = visibleCount();
    if (m_loading && m_entries.isEmpty())
        return; // "Loading…" stays
    m_count->setText(shown == int(m_entries.size()) ? tr("%n entries", "", shown)
                                                    : tr("%1 of %n entries", "", int(m_entries.size())).arg(shown));
}

} // namespace mailkey
