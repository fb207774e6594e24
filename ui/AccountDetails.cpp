#include "ui/AccountDetails.h"

#include "core/lifecycle/HealthClock.h"

#include "ui/AccountModel.h"
#include "ui/AvatarWidget.h"
#include "ui/ElidedLabel.h"
#include "ui/MailCheckPanel.h"
#include "ui/SafeText.h"
#include "ui/WrappingContent.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace mailkey {

namespace {

QLabel *plainLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setTextFormat(Qt::PlainText);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    l->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    return l;
}

void setPlain(QLabel *label, const QString &text)
{
    SafeText::setLabelMultiline(label, text, 1024);
}

} // namespace

AccountDetails::AccountDetails(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("accountDetails"));
    // Everything scrolls vertically: with banners above, the window may leave little height, and
    // the facts must then scroll rather than be squeezed until their letters are clipped.
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("detailsScroll"));
    m_scroll->setAccessibleName(tr("Mailbox details"));
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    outer->addWidget(m_scroll);
    auto *content = new WrappingContent(m_scroll);
    content->setObjectName(QStringLiteral("detailsContent"));
    m_content = content;
    m_scroll->setWidget(content);
    auto *layout = new QVBoxLayout(content);

    // Header: avatar, name, address, status; actions.
    auto *header = new QHBoxLayout;
    m_avatar = new AvatarWidget(content);
    header->addWidget(m_avatar, 0, Qt::AlignTop);
    auto *who = new QVBoxLayout;
    who->setSpacing(2);
    m_name = new ElidedLabel(content);
    m_name->setObjectName(QStringLiteral("detailsName"));
    QFont big = m_name->font();
    big.setBold(true);
    if (big.pointSizeF() > 0)
        big.setPointSizeF(big.pointSizeF() * 1.25);
    m_name->setFont(big);
    m_email = new ElidedLabel(content);
    m_email->setObjectName(QStringLiteral("detailsEmail"));
    m_email->setAddressElision(true);
    m_status = plainLabel(content);
    m_status->setObjectName(QStringLiteral("detailsStatus"));
    who->addWidget(m_name);
    who->addWidget(m_email);
    who->addWidget(m_status);
    header->addLayout(who, 1);
    layout->addLayout(header);

    // Created in the order they are drawn: the tab order follows creation.
    auto *actions = new QHBoxLayout;
    m_refresh = new QPushButton(tr("Refresh now"), content);
    m_refresh->setObjectName(QStringLiteral("refreshNowButton"));
    m_refresh->setToolTip(
        tr("Renew this mailbox's access token now instead of waiting for the next scheduled refresh."));
    m_reconnect = new QPushButton(tr("Reconnect"), content);
    m_reconnect->setObjectName(QStringLiteral("reconnectButton"));
    m_reconnect->setToolTip(tr("Sign in again for this mailbox; it keeps its place in the list."));
    m_remove = new QPushButton(tr("Remove…"), content);
    m_remove->setObjectName(QStringLiteral("removeButton"));
    m_remove->setToolTip(tr("Revoke MailKey's access where the provider allows it and delete the tokens."));
    m_copy = new QPushButton(tr("Copy address"), content);
    m_copy->setObjectName(QStringLiteral("copyAddressButton"));
    actions->addWidget(m_refresh);
    actions->addWidget(m_reconnect);
    actions->addWidget(m_remove);
    actions->addWidget(m_copy);
    m_busyBar = new QProgressBar(content);
    m_busyBar->setRange(0, 0);
    m_busyBar->setTextVisible(false);
    m_busyBar->setMaximumWidth(80);
    m_busyBar->setMaximumHeight(fontMetrics().height() / 2 + 4);
    m_busyBar->hide();
    m_busyLabel = new QLabel(content);
    m_busyLabel->setTextFormat(Qt::PlainText);
    m_busyLabel->hide();
    actions->addWidget(m_busyBar);
    actions->addWidget(m_busyLabel);
    actions->addStretch(1);
    layout->addLayout(actions);

    connect(m_refresh, &QPushButton::clicked, this, [this] { Q_EMIT refreshRequested(m_account.id); });
    connect(m_reconnect, &QPushButton::clicked, this, [this] { Q_EMIT reconnectRequested(m_account.id); });
    connect(m_remove, &QPushButton::clicked, this, [this] { Q_EMIT removeRequested(m_account.id); });
    connect(m_copy, &QPushButton::clicked, this, [this] { Q_EMIT copyAddressRequested(m_account.id); });

    // Facts.
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    m_provider = addRow(form, tr("Provider"), QStringLiteral("detailsProvider"));
    m_tenant = addRow(form, tr("Tenant"), QStringLiteral("detailsTenant"));
    m_scopes = addRow(form, tr("Granted scopes"), QStringLiteral("detailsScopes"));
    m_expiry = addRow(form, tr("Token expires"), QStringLiteral("detailsExpiry"));
    m_lastRefresh = addRow(form, tr("Last refresh"), QStringLiteral("detailsLastRefresh"));
    m_nextRefresh = addRow(form, tr("Next refresh"), QStringLiteral("detailsNextRefresh"));
    m_since = addRow(form, tr("Connected since"), QStringLiteral("detailsSince"));
    m_signInNeededBy = addRow(form, tr("Sign-in needed by"), QStringLiteral("detailsSignInNeededBy"));
    layout->addLayout(form);

    // Folders and activity.
    m_tabs = new QTabWidget(content);
    m_tabs->setAccessibleName(tr("Folders and activity"));
    auto *folderPage = new QWidget(m_tabs);
    auto *folderLayout = new QVBoxLayout(folderPage);
    m_folderStack = new QStackedWidget(folderPage);

    auto *loadingPage = new QWidget(m_folderStack);
    auto *loadingLayout = new QVBoxLayout(loadingPage);
    auto *loadingText = new QLabel(tr("Loading folders…"), loadingPage);
    loadingText->setTextFormat(Qt::PlainText);
    m_folderProgress = new QProgressBar(loadingPage);
    m_folderProgress->setObjectName(QStringLiteral("folderProgress"));
    m_folderProgress->setRange(0, 0);
    m_folderProgress->setTextVisible(false);
    m_folderProgress->setAccessibleName(tr("Loading folders"));
    loadingLayout->addWidget(loadingText);
    loadingLayout->addWidget(m_folderProgress);
    loadingLayout->addStretch(1);

    m_folders = new QTreeWidget(m_folderStack);
    m_folders->setObjectName(QStringLiteral("folderList"));
    m_folders->setAccessibleName(tr("Mail folders"));
    m_folders->setColumnCount(3);
    m_folders->setHeaderLabels({tr("Folder"), tr("Unread"), tr("Total")});
    m_folders->setRootIsDecorated(false);
    m_folders->setUniformRowHeights(true);
    m_folders->setTextElideMode(Qt::ElideRight);
    m_folders->setWordWrap(false);
    m_folders->header()->setStretchLastSection(false);
    m_folders->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_folders->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_folders->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_folders->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *errorPage = new QWidget(m_folderStack);
    auto *errorLayout = new QVBoxLayout(errorPage);
    m_folderError = plainLabel(errorPage);
    m_folderError->setObjectName(QStringLiteral("folderError"));
    errorLayout->addWidget(m_folderError);
    errorLayout->addStretch(1);

    m_folderStack->addWidget(loadingPage);
    m_folderStack->addWidget(m_folders);
    m_folderStack->addWidget(errorPage);
    folderLayout->addWidget(m_folderStack, 1);
    m_reloadFolders = new QPushButton(tr("Reload folders"), folderPage);
    m_reloadFolders->setObjectName(QStringLiteral("reloadFoldersButton"));
    connect(m_reloadFolders, &QPushButton::clicked, this, [this] { Q_EMIT reloadFoldersRequested(m_account.id); });
    auto *reloadRow = new QHBoxLayout;
    reloadRow->addStretch(1);
    reloadRow->addWidget(m_reloadFolders);
    folderLayout->addLayout(reloadRow);
    m_tabs->addTab(folderPage, tr("Folders"));

    m_activityStack = new QStackedWidget(m_tabs);
    m_activity = new QTreeWidget(m_activityStack);
    m_activity->setObjectName(QStringLiteral("activityList"));
    m_activity->setAccessibleName(tr("Activity"));
    m_activity->setColumnCount(4);
    m_activity->setHeaderLabels({tr("When"), tr("What"), tr("Result"), tr("Details")});
    m_activity->setRootIsDecorated(false);
    m_activity->setUniformRowHeights(true);
    m_activity->setWordWrap(false);
    m_activity->setTextElideMode(Qt::ElideRight);
    m_activity->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_activity->header()->setSectionResizeMode(1, QHeaderView::Interactive);
    m_activity->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_activity->header()->setStretchLastSection(true);
    m_activity->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto *activityLoading = new QWidget(m_activityStack);
    auto *activityLoadingLayout = new QVBoxLayout(activityLoading);
    auto *activityLoadingText = new QLabel(tr("Loading activity…"), activityLoading);
    activityLoadingText->setObjectName(QStringLiteral("activityLoading"));
    activityLoadingText->setTextFormat(Qt::PlainText);
    activityLoadingLayout->addWidget(activityLoadingText);
    activityLoadingLayout->addStretch(1);
    m_activityStack->addWidget(m_activity);
    m_activityStack->addWidget(activityLoading);
    m_tabs->addTab(m_activityStack, tr("Activity"));
    // An answer within this time replaces the old rows without a "Loading" in between.
    m_activityLoadingDelay.setSingleShot(true);
    m_activityLoadingDelay.setInterval(ActivityLoadingDelayMs);
    connect(&m_activityLoadingDelay, &QTimer::timeout, this, [this, activityLoading] {
        if (m_activityLoading)
            m_activityStack->setCurrentWidget(activityLoading);
    });
    m_mailCheck = new MailCheckPanel(m_tabs);
    m_tabs->addTab(m_mailCheck, tr("Mail login"));
    layout->addWidget(m_tabs, 1);

    // Never narrower than the action row: horizontal scrolling is for the unforeseen only.
    m_scroll->setMinimumWidth(content->minimumSizeHint().width() + m_scroll->verticalScrollBar()->sizeHint().width());
    clearAccount();
    m_tick.setInterval(30 * 1000);
    connect(&m_tick, &QTimer::timeout, this, &AccountDetails::refreshRelativeTimes);
    m_tick.start();
}

QLabel *AccountDetails::addRow(QFormLayout *form, const QString &label, const QString &objectName)
{
    // The name first, so it precedes its value in the accessibility tree; the buddy makes it the
    // value's QAccessible::Label.
    auto *name = new QLabel(label, m_content);
    name->setTextFormat(Qt::PlainText);
    name->setObjectName(objectName + QStringLiteral("Label"));
    QLabel *value = plainLabel(m_content);
    value->setObjectName(objectName);
    name->setBuddy(value);
    form->addRow(name, value);
    return value;
}

void AccountDetails::setClock(const Clock *clock)
{
    m_clock = clock;
    m_mailCheck->setClock(clock);
}

void AccountDetails::setGoogleTestingStatus(bool testing)
{
    m_googleTesting = testing;
    refreshRelativeTimes();
}

void AccountDetails::showMailCheckTab()
{
    m_tabs->setCurrentWidget(m_mailCheck);
}

QString AccountDetails::formatTime(const QDateTime &when) const
{
    if (!when.isValid())
        return tr("—");
    const QString absolute = QLocale().toString(when.toLocalTime(), QLocale::ShortFormat);
    const qint64 secs = (m_clock ? m_clock : Clock::system())->now().secsTo(when);
    if (secs >= 0)
        return tr("%1 (in %2)").arg(absolute, AccountModel::humanDuration(secs));
    return tr("%1 (%2 ago)").arg(absolute, AccountModel::humanDuration(-secs));
}

void AccountDetails::showAccount(const Account &account, const QString &providerName, const QList<TokenSummary> &tokens)
{
    const bool same = account.id == m_account.id;
    m_account = account;
    setEnabled(true);
    m_avatar->setPerson(account.displayName, account.email);
    m_name->setText(account.displayName.trimmed().isEmpty() ? account.email : account.displayName);
    m_email->setText(account.email);
    setPlain(m_provider, providerName);
    setPlain(m_tenant, account.tenant.isEmpty() ? tr("—") : account.tenant);

    QStringList scopeLines;
    QDateTime expiry;
    for (const TokenSummary &t : tokens) {
        const QString scopes = t.scopes.join(QLatin1Char(' '));
        if (tokens.size() > 1)
            scopeLines.append(tr("%1: %2").arg(t.resource, scopes));
        else
            scopeLines.append(scopes);
        if (t.resource == QLatin1String(DefaultResource) || !expiry.isValid())
            expiry = t.expiresAt;
    }
    m_tokenExpiry = expiry;
    setPlain(m_scopes, scopeLines.isEmpty() ? tr("No tokens stored") : scopeLines.join(QLatin1Char('\n')));
    refreshRelativeTimes();
    if (!same) {
        m_folders->clear();
        m_activity->clear();
        m_tabs->setTabText(1, tr("Activity")); // not the count of the mailbox shown before
        clearBusy();
    }
    updateActionButtons();
}

void AccountDetails::refreshRelativeTimes()
{
    if (m_account.id == 0)
        return;
    const QDateTime now = (m_clock ? m_clock : Clock::system())->now();
    setPlain(m_status, AccountModel::describeStatus(m_account, now, m_tokenExpiry));
    setPlain(m_expiry, formatTime(m_tokenExpiry));
    setPlain(m_lastRefresh, m_account.lastRefreshAt.isValid() ? formatTime(m_account.lastRefreshAt) : tr("Not yet"));
    setPlain(m_nextRefresh, formatTime(m_account.nextRefreshAt));
    setPlain(m_since, formatTime(m_account.createdAt));
    // The date on the first line, why on the second (and the whole sentence as the tooltip).
    const HealthForecast health = HealthClock::forecast(m_account, m_googleTesting, now);
    const QString when
        = health.signInNeededBy.isValid()
              ? (health.reason == HealthClock::Reason::MaxAge ? tr("Now") : formatTime(health.signInNeededBy))
              : tr("Unknown");
    setPlain(m_signInNeededBy, when + QLatin1Char('\n') + health.why);
    m_signInNeededBy->setToolTip(health.text); // plain: it is also the accessible description
}

void AccountDetails::clearAccount()
{
    m_account = Account();
    m_tokenExpiry = QDateTime();
    m_avatar->setPerson(QString(), QString());
    m_name->setText(tr("No mailbox selected"));
    m_email->setText(QString());
    for (QLabel *l :
         {m_status, m_provider, m_tenant, m_scopes, m_expiry, m_lastRefresh, m_nextRefresh, m_since, m_signInNeededBy})
        l->clear();
    m_signInNeededBy->setToolTip(QString());
    m_folders->clear();
    m_activity->clear();
    m_tabs->setTabText(1, tr("Activity"));
    m_activityLoading = false;
    m_activityLoadingDelay.stop();
    m_activityStack->setCurrentWidget(m_activity);
    m_folderStack->setCurrentWidget(m_folders);
    m_mailCheck->clearAccount();
    clearBusy();
    setEnabled(false);
}

void AccountDetails::setFoldersLoading()
{
    m_folderStack->setCurrentIndex(0);
    m_reloadFolders->setEnabled(false);
}

void AccountDetails::setFolders(const QList<MailFolder> &folders)
{
    m_folders->clear();
    QList<QTreeWidgetItem *> items;
    for (const MailFolder &f : folders) {
        auto *item = new QTreeWidgetItem;
        const QString name = SafeText::clean(f.name, 128);
        item->setText(0, name);
        item->setToolTip(0, SafeText::toolTip(f.name));
        item->setData(0, Qt::AccessibleTextRole, tr("%1, %n unread", nullptr, f.unread).arg(name));
        item->setText(1, QLocale().toString(f.unread));
        item->setText(2, QLocale().toString(f.total));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        if (f.unread > 0) {
            QFont bold = m_folders->font();
            bold.setBold(true);
            item->setFont(0, bold);
            item->setFont(1, bold);
        }
        items.append(item);
    }
    m_folders->addTopLevelItems(items);
    if (folders.isEmpty()) {
        setPlain(m_folderError, tr("This mailbox has no folders."));
        m_folderStack->setCurrentIndex(2);
    } else {
        m_folderStack->setCurrentWidget(m_folders);
    }
    m_reloadFolders->setEnabled(true);
}

void AccountDetails::setFoldersError(const QString &message)
{
    setPlain(m_folderError, message);
    m_folderStack->setCurrentIndex(2);
    m_reloadFolders->setEnabled(true);
}

QString AccountDetails::actionText(const QString &action)
{
    static const QHash<QString, QString> names = {
        {QStringLiteral("connect.started"), tr("Sign-in started")},
        {QStringLiteral("connect.callback"), tr("Browser returned")},
        {QStringLiteral("connect.callback-rejected"), tr("Callback rejected")},
        {QStringLiteral("connect.tokens-issued"), tr("Tokens issued")},
        {QStringLiteral("connect.failed"), tr("Sign-in failed")},
        {QStringLiteral("connect.cancelled"), tr("Sign-in cancelled")},
        {QStringLiteral("account.added"), tr("Mailbox added")},
        {QStringLiteral("account.updated"), tr("Sign-in renewed")},
        {QStringLiteral("account.removed"), tr("Mailbox removed")},
        {QStringLiteral("token.refreshed"), tr("Token refreshed")},
        {QStringLiteral("token.refresh-failed"), tr("Refresh failed")},
        {QStringLiteral("token.handed-out"), tr("Token handed out")},
        {QStringLiteral("token.revoked"), tr("Tokens revoked")},
        {QStringLiteral("token.rotated"), tr("Refresh token rotated")},
        {QStringLiteral("incident.sign-out-everywhere"), tr("Signed out everywhere")},
        {QStringLiteral("alert.failed-sign-ins"), tr("Alert: failed sign-ins")},
        {QStringLiteral("alert.refresh-failures"), tr("Alert: refreshes failing")},
        {QStringLiteral("alert.rejected-callback"), tr("Alert: callback rejected")},
        {QStringLiteral("hook.run"), tr("Hook run")},
        {QStringLiteral("callback.accepted"), tr("Sign-in reply accepted")},
        {QStringLiteral("callback.rejected"), tr("Sign-in reply rejected")},
        {QStringLiteral("mail.check"), tr("Mail login checked")},
        {QStringLiteral("audit.pruned"), tr("Old activity removed")},
        {QStringLiteral("vault.imported"), tr("Backup restored")},
        {QStringLiteral("vault.key-rotated"), tr("New vault key")},
        {QStringLiteral("vault.key-rotation-completed"), tr("New vault key in use")},
    };
    const QString known = names.value(action);
    return known.isEmpty() ? SafeText::clean(action, 64) : known;
}

QString AccountDetails::detailText(const AuditEntry &e)
{
    const QString detail = SafeText::clean(e.detail, 300);
    const QString actor = SafeText::clean(e.actor, 64);
    if (actor.isEmpty() || actor == QLatin1String("mailkey"))
        return detail;
    return detail.isEmpty() ? tr("by %1").arg(actor) : tr("%1 (by %2)").arg(detail, actor);
}

void AccountDetails::setActivityLoading()
{
    m_activityLoading = true;
    m_activityLoadingDelay.start();
}

void AccountDetails::setActivity(const QList<AuditEntry> &entries)
{
    m_activityLoading = false;
    m_activityLoadingDelay.stop();
    m_activityStack->setCurrentWidget(m_activity);
    m_activity->clear();
    QList<QTreeWidgetItem *> items;
    for (const AuditEntry &e : entries) {
        auto *item = new QTreeWidgetItem;
        item->setText(0, QLocale().toString(e.at.toLocalTime(), QLocale::ShortFormat));
        item->setText(1, actionText(e.action));
        item->setText(2, SafeText::clean(e.outcome, 32));
        item->setText(3, detailText(e));
        item->setToolTip(3, SafeText::toolTip(e.detail));
        items.append(item);
    }
    m_activity->addTopLevelItems(items);
    m_tabs->setTabText(1, entries.isEmpty() ? tr("Activity") : tr("Activity (%1)").arg(entries.size()));
}

void AccountDetails::setBusy(const QString &what)
{
    m_busyLabel->setText(SafeText::clean(what, 80));
    m_busyLabel->show();
    m_busyBar->show();
    m_busy = true;
    updateActionButtons();
}

void AccountDetails::clearBusy()
{
    m_busyLabel->hide();
    m_busyBar->hide();
    m_busy = false;
    updateActionButtons();
}

void AccountDetails::updateActionButtons()
{
    // A mailbox that needs a new sign-in cannot be refreshed: Reconnect is the way out, and
    // it is emphasised; a refresh already in flight is not asked for twice.
    const bool needsSignIn = m_account.id != 0 && m_account.status == AccountStatus::NeedsSignIn;
    m_reconnect->setEnabled(!m_busy);
    m_remove->setEnabled(!m_busy);
    m_refresh->setEnabled(!m_busy && m_account.id != 0 && !needsSignIn
                          && m_account.status != AccountStatus::Refreshing);
    QFont f = m_reconnect->font();
    if (f.bold() != needsSignIn) {
        f.setBold(needsSignIn);
        m_reconnect->setFont(f);
    }
}

} // namespace mailkey
