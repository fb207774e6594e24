#include "ui/MainWindow.h"

#include "core/oauth/ConnectSession.h"
#include "core/oauth/DeviceAuthorization.h"
#include "core/providers/IssuerDiscovery.h"
#include "core/providers/ProviderRegistry.h"
#include "core/providers/ProvidersFileWatcher.h"
#include "core/service/AppSettings.h"
#include "core/vault/VaultAccess.h"
#include "ui/AccountDelegate.h"
#include "ui/AccountDetails.h"
#include "ui/AccountFilterModel.h"
#include "ui/AccountListPane.h"
#include "ui/AccountModel.h"
#include "ui/ActivityView.h"
#include "ui/BackupDialog.h"
#include "ui/Banner.h"
#include "ui/ConnectPanel.h"
#include "ui/EmptyState.h"
#include "ui/KeyringUnlock.h"
#include "ui/MailCheckPanel.h"
#include "ui/ProviderEditor.h"
#include "ui/SafeText.h"
#include "ui/ScreenFit.h"
#include "ui/SettingsDialog.h"
#include "ui/VaultErrorAdvice.h"
#include "ui/WrappingContent.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QDate>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QShowEvent>
#include <QSplitter>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace mailkey {

namespace {
const char *const IconPath = ":/icons/mailkey.svg";

// Banner topics (the rule in Banner.h): what a message is about.
QString signInTopic()
{
    return QStringLiteral("signin"); // connect / reconnect attempts and their outcome
}
QString signOutTopic()
{
    return QStringLiteral("signout");
}
QString vaultTopic()
{
    return QStringLiteral("vault");
}
QString failedSignInsTopic()
{
    return QStringLiteral("signins"); // alert: repeated failed sign-ins; any successful sign-in ends it
}
QString accountTopic(qint64 accountId)
{
    return QStringLiteral("account:%1").arg(accountId); // refresh / removal of one mailbox
}
QString refreshAlertTopic(qint64 accountId)
{
    return QStringLiteral("refresh:%1").arg(accountId); // alert: refreshes keep failing
}

} // namespace

MainWindow::MainWindow(AccountService *service, AppSettings *settings, QWidget *parent)
    : QMainWindow(parent), m_service(service), m_settings(settings)
{
    if (!m_settings) {
        m_ownSettings = std::make_unique<AppSettings>();
        m_settings = m_ownSettings.get();
    }
    setWindowTitle(tr("MailKey"));
    if (m_service->profile().name() != QLatin1String(Profile::DefaultName))
        setWindowTitle(tr("MailKey — %1").arg(m_service->profile().name()));
    setObjectName(QStringLiteral("mainWindow"));
    m_service->setAuditRetentionDays(m_settings->auditRetentionDays());
    m_service->setHooks(m_settings->hookSettings());
    m_service->setHealthWarnings(m_settings->googleTestingStatus(), m_settings->healthWarnDays());
    // Sign-ins started from this window open in the user's default browser.
    m_service->setUrlOpener([](const QUrl &url) { return QDesktopServices::openUrl(url); });
    if (QFile::exists(QString::fromLatin1(IconPath)))
        setWindowIcon(QIcon(QString::fromLatin1(IconPath)));

    buildUi();
    m_details->setGoogleTestingStatus(m_settings->googleTestingStatus());
    m_model->setGoogleTestingStatus(m_settings->googleTestingStatus());
    buildMenus();
    // A providers file changed outside MailKey (an editor, a script) is used at once.
    m_providersWatcher = new ProvidersFileWatcher(this);
    connect(m_providersWatcher, &ProvidersFileWatcher::changed, this, &MainWindow::reloadProviders);
    reloadProviders();

    connect(m_service, &AccountService::vaultStateChanged, this, &MainWindow::updateForVaultState);
    connect(m_service, &AccountService::accountsChanged, this, &MainWindow::refillAccounts);
    connect(m_service, &AccountService::accountChanged, this, &MainWindow::onAccountChanged);
    connect(m_service, &AccountService::accountRemoved, this, &MainWindow::onAccountRemoved);
    connect(m_service, &AccountService::removeFailed, this, &MainWindow::onRemoveFailed);
    connect(m_service, &AccountService::pendingRevocationFinished, this, &MainWindow::onPendingRevocationFinished);
    connect(m_service, &AccountService::foldersLoaded, this, &MainWindow::onFoldersLoaded);
    connect(m_service, &AccountService::foldersFailed, this, &MainWindow::onFoldersFailed);
    connect(m_service, &AccountService::alertRaised, this, &MainWindow::onAlert);
    connect(m_service, &AccountService::signedOutEverywhere, this, &MainWindow::onSignedOutEverywhere);
    connect(m_service, &AccountService::refreshFinished, this, &MainWindow::onRefreshFinished);
    connect(m_service, &AccountService::mailCheckStarted, this, &MainWindow::onMailCheckStarted);
    connect(m_service, &AccountService::mailCheckFinished, this, &MainWindow::onMailCheckFinished);

    const QByteArray geometry = m_settings->windowGeometry();
    const bool restored = !geometry.isEmpty() && restoreGeometry(geometry);
    if (!restored) {
        const QFontMetrics fm = fontMetrics();
        resize(fm.averageCharWidth() * 130, fm.height() * 38);
    }
    fitToScreen(!restored);
    const QByteArray splitter = m_settings->splitterState();
    if (!splitter.isEmpty())
        m_accountsPage->restoreState(splitter);

    // A locked keyring: Unlock asks it for its password; once unlocked, the vault opens by itself.
    m_keyringUnlock
        = new KeyringUnlock(this, QString::fromLatin1(KeychainService), m_service->profile().keychainKey(), this);
    connect(m_keyringUnlock, &KeyringUnlock::unlocked, this, [this] {
        if (m_service->vaultState() == VaultState::Failed) // not if Retry opened it meanwhile
            retryVault();
    });
    connect(m_keyringUnlock, &KeyringUnlock::changed, this, [this] {
        if (m_service->vaultState() == VaultState::Failed)
            updateForVaultState();
    });

    updateForVaultState();
    if (m_service->vaultState() == VaultState::Locked) {
        // The window first, the vault from the event loop.
        m_startRequested = true;
        QTimer::singleShot(0, m_service, &AccountService::start);
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::setClock(const Clock *clock)
{
    m_clock = clock;
    m_model->setClock(clock);
    m_details->setClock(clock);
}

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setSpacing(6);

    // Header: what this is, and the main action.
    auto *header = new QHBoxLayout;
    auto *title = new QLabel(tr("Mailboxes"), central);
    title->setTextFormat(Qt::PlainText);
    QFont titleFont = title->font();
    titleFont.setBold(true);
    if (titleFont.pointSizeF() > 0)
        titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    title->setFont(titleFont);
    header->addWidget(title);
    header->addStretch(1);
    m_connectButton = new QToolButton(central);
    m_connectButton->setObjectName(QStringLiteral("connectButton"));
    m_connectButton->setText(tr("Connect account"));
    m_connectButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_connectButton->setPopupMode(QToolButton::InstantPopup);
    m_connectButton->setAccessibleName(tr("Connect account"));
    m_connectMenu = new QMenu(m_connectButton);
    m_connectMenu->setObjectName(QStringLiteral("connectMenu"));
    m_connectButton->setMenu(m_connectMenu);
    connect(m_connectMenu, &QMenu::triggered, this, [this](QAction *action) {
        const QString id = action->data().toString();
        if (id.isEmpty())
            return;
        if (id == QLatin1String("#addProvider"))
            openProviderEditor();
        else
            connectProvider(id);
    });
    header->addWidget(m_connectButton);
    auto *settingsButton = new QToolButton(central);
    m_settingsButton = settingsButton;
    settingsButton->setText(tr("Settings"));
    settingsButton->setObjectName(QStringLiteral("settingsButton"));
    connect(settingsButton, &QToolButton::clicked, this, &MainWindow::openSettings);
    header->addWidget(settingsButton);
    layout->addLayout(header);

    // Banners, the sign-in panel and the pages share one vertical scroll area: what appears there
    // scrolls instead of raising the window's minimum size (which would make the window grow).
    auto *scroll = new QScrollArea(central);
    scroll->setObjectName(QStringLiteral("mainScroll"));
    scroll->setAccessibleName(tr("Mailboxes"));
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidgetResizable(true);
    auto *content = new WrappingContent(scroll);
    content->setObjectName(QStringLiteral("mainContent"));
    scroll->setWidget(content);
    // Banners: the vault (startup), configuration problems, alerts, the last action's outcome.
    m_vaultBanner = new Banner(content);
    m_vaultBanner->setObjectName(QStringLiteral("vaultBanner"));
    m_vaultBanner->setDismissible(false);
    m_configBanner = new Banner(content);
    m_configBanner->setObjectName(QStringLiteral("configBanner"));
    m_alertBanner = new Banner(content);
    m_alertBanner->setObjectName(QStringLiteral("alertBanner"));
    m_messageBanner = new Banner(content);
    m_messageBanner->setObjectName(QStringLiteral("messageBanner"));
    auto *body = new QVBoxLayout(content);
    body->setContentsMargins(0, 0, 0, 0);
    body->setSpacing(layout->spacing());
    for (Banner *b : {m_vaultBanner, m_configBanner, m_alertBanner, m_messageBanner})
        body->addWidget(b);

    m_connectPanel = new ConnectPanel(content);
    body->addWidget(m_connectPanel);
    connect(m_connectPanel, &ConnectPanel::cancelRequested, this, [this] {
        if (m_session)
            m_session->cancel();
    });
    connect(m_connectPanel, &ConnectPanel::openAgainRequested, this,
            [](const QUrl &url) { QDesktopServices::openUrl(url); });
    connect(m_connectPanel, &ConnectPanel::urlCopied, this,
            [this] { statusBar()->showMessage(tr("Sign-in address copied"), 4000); });
    connect(m_connectPanel, &ConnectPanel::codeCopied, this,
            [this] { statusBar()->showMessage(tr("Sign-in code copied"), 4000); });

    // Pages.
    m_pages = new QStackedWidget(content);

    m_loadingPage = new QWidget(m_pages);
    m_loadingPage->setObjectName(QStringLiteral("loadingPage"));
    {
        auto *l = new QVBoxLayout(m_loadingPage);
        l->addStretch(1);
        auto *text = new QLabel(tr("Opening your vault…"), m_loadingPage);
        text->setTextFormat(Qt::PlainText);
        text->setAlignment(Qt::AlignCenter);
        auto *bar = new QProgressBar(m_loadingPage);
        bar->setRange(0, 0);
        bar->setTextVisible(false);
        bar->setMaximumWidth(fontMetrics().averageCharWidth() * 30);
        bar->setAccessibleName(tr("Opening your vault"));
        l->addWidget(text);
        l->addWidget(bar, 0, Qt::AlignHCenter);
        l->addStretch(2);
    }

    m_unavailablePage = new QWidget(m_pages);
    m_unavailablePage->setObjectName(QStringLiteral("unavailablePage"));
    {
        auto *l = new QVBoxLayout(m_unavailablePage);
        l->addStretch(1);
        m_unavailableText = new QLabel(m_unavailablePage);
        m_unavailableText->setTextFormat(Qt::PlainText);
        m_unavailableText->setWordWrap(true);
        m_unavailableText->setAlignment(Qt::AlignCenter);
        l->addWidget(m_unavailableText);
        l->addStretch(2);
    }

    m_empty = new EmptyState(m_pages);
    connect(m_empty, &EmptyState::connectRequested, this, &MainWindow::connectProvider);
    connect(m_empty, &EmptyState::settingsRequested, this, &MainWindow::openSettings);

    m_accountsPage = new QSplitter(Qt::Horizontal, m_pages);
    m_accountsPage->setObjectName(QStringLiteral("accountsPage"));
    m_accountsPage->setChildrenCollapsible(false);
    m_model = new AccountModel(this);
    // The list with its search and sort; its rows are the pane's proxy, not m_model's.
    m_listPane = new AccountListPane(m_model, m_accountsPage);
    m_listPane->setOrder(m_settings->accountOrder() == AppSettings::AccountOrder::ByName
                             ? AccountFilterModel::Order::ByName
                             : AccountFilterModel::Order::NeedsAttentionFirst);
    connect(m_listPane, &AccountListPane::orderChanged, this, [this](AccountFilterModel::Order order) {
        m_settings->setAccountOrder(order == AccountFilterModel::Order::ByName
                                        ? AppSettings::AccountOrder::ByName
                                        : AppSettings::AccountOrder::NeedsAttentionFirst);
        m_settings->sync();
    });
    m_listPane->setMinimumWidth(fontMetrics().averageCharWidth() * 34);
    m_list = m_listPane->list();
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::onSelectionChanged);
    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::onSelectionChanged);
    m_details = new AccountDetails(m_accountsPage);
    m_details->setMinimumWidth(fontMetrics().averageCharWidth() * 40);
    m_accountsPage->addWidget(m_listPane);
    m_accountsPage->addWidget(m_details);
    // Half each at first: the rows need the width for their status and time (issue 16).
    m_accountsPage->setStretchFactor(0, 1);
    m_accountsPage->setStretchFactor(1, 1);
    m_accountsPage->setSizes({1000, 1000});
    connect(m_details, &AccountDetails::reconnectRequested, this, &MainWindow::reconnectAccount);
    connect(m_details, &AccountDetails::removeRequested, this, &MainWindow::confirmRemoveAccount);
    connect(m_details, &AccountDetails::copyAddressRequested, this, &MainWindow::copyAddress);
    connect(m_details, &AccountDetails::reloadFoldersRequested, this, &MainWindow::reloadFolders);
    connect(m_details, &AccountDetails::refreshRequested, this, &MainWindow::refreshNow);
    connect(m_details->mailCheckPanel(), &MailCheckPanel::testRequested, this, &MainWindow::testMailConnection);
    connect(m_details->mailCheckPanel(), &MailCheckPanel::copyRequested, this,
            [this](const QString &text, const QString &what) {
                QGuiApplication::clipboard()->setText(text);
                statusBar()->showMessage(tr("Copied: %1").arg(what), 4000);
            });

    m_pages->addWidget(m_loadingPage);
    m_pages->addWidget(m_unavailablePage);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_accountsPage);
    body->addWidget(m_pages, 1);
    layout->addWidget(scroll, 1);
    setCentralWidget(central);
    // Wide enough for the pages without a horizontal scroll bar; fixed once, never grown.
    scroll->setMinimumWidth(content->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("vaultStatusLabel"));
    m_statusLabel->setTextFormat(Qt::PlainText);
    statusBar()->addPermanentWidget(m_statusLabel);

    connect(m_model, &QAbstractItemModel::rowsInserted, this, &MainWindow::updatePage);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updatePage);
    connect(m_model, &QAbstractItemModel::modelReset, this, &MainWindow::updatePage);
}

void MainWindow::buildMenus()
{
    QMenu *app = menuBar()->addMenu(tr("&File"));
    m_menuConnect = app->addMenu(tr("&Connect account"));
    connect(m_menuConnect, &QMenu::triggered, this, [this](QAction *action) {
        const QString id = action->data().toString();
        if (id == QLatin1String("#addProvider"))
            openProviderEditor();
        else if (!id.isEmpty())
            connectProvider(id);
    });
    QAction *settings = app->addAction(tr("&Settings…"), this, &MainWindow::openSettings);
    m_settingsAction = settings;
    settings->setShortcut(QKeySequence::Preferences);
    settings->setMenuRole(QAction::PreferencesRole);
    app->addSeparator();
    m_signOutAction = app->addAction(tr("Sign out &everywhere…"), this, &MainWindow::confirmSignOutEverywhere);
    m_signOutAction->setObjectName(QStringLiteral("signOutEverywhereAction"));
    app->addSeparator();
    m_backupAction = app->addAction(tr("&Back up to a file…"), this, &MainWindow::openBackupDialog);
    m_backupAction->setObjectName(QStringLiteral("backupAction"));
    m_restoreAction = app->addAction(tr("&Restore from a backup…"), this, &MainWindow::openRestoreDialog);
    m_restoreAction->setObjectName(QStringLiteral("restoreAction"));
    m_eraseAction = app->addAction(tr("Erase e&verything…"), this, &MainWindow::confirmEraseEverything);
    m_eraseAction->setObjectName(QStringLiteral("eraseAction"));
    app->addSeparator();
    QAction *quit = app->addAction(tr("&Quit"), this, &MainWindow::quitApplication);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *mailbox = menuBar()->addMenu(tr("Mail&box"));
    m_reconnectAction = mailbox->addAction(tr("&Reconnect"), this, [this] { reconnectAccount(selectedAccountId()); });
    m_reconnectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_copyAction = mailbox->addAction(tr("&Copy address"), this, [this] { copyAddress(selectedAccountId()); });
    m_copyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_reloadFoldersAction
        = mailbox->addAction(tr("Reload &folders"), this, [this] { reloadFolders(selectedAccountId()); });
    m_reloadFoldersAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction = mailbox->addAction(tr("Refresh &now"), this, [this] { refreshNow(selectedAccountId()); });
    m_refreshAction->setObjectName(QStringLiteral("refreshNowAction"));
    m_refreshAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_refreshAction->setStatusTip(tr("Renew the selected mailbox's access token now"));
    m_testMailAction
        = mailbox->addAction(tr("&Test mail connection"), this, [this] { testMailConnection(selectedAccountId()); });
    m_testMailAction->setObjectName(QStringLiteral("testMailAction"));
    m_testMailAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
    m_testMailAction->setStatusTip(
        tr("Log in to the selected mailbox's IMAP and SMTP servers as a mail program would"));
    mailbox->addSeparator();
    m_removeAction = mailbox->addAction(tr("Re&move…"), this, [this] { confirmRemoveAccount(selectedAccountId()); });
    m_removeAction->setShortcut(QKeySequence::Delete);
    // Delete only where it cannot mean "delete text": in the list.
    m_removeAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_list->addAction(m_removeAction);

    connect(m_list, &QListView::customContextMenuRequested, this, [this, mailbox](const QPoint &pos) {
        const QModelIndex index = m_list->indexAt(pos);
        if (!index.isValid())
            return;
        m_list->setCurrentIndex(index);
        mailbox->popup(m_list->viewport()->mapToGlobal(pos));
    });

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *activity
        = view->addAction(tr("&Activity log"), this, [this] { showActivity(ActivityView::AllMailboxes); });
    activity->setObjectName(QStringLiteral("activityAction"));
    activity->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    activity->setStatusTip(tr("Everything MailKey did with your mailboxes and their tokens"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About MailKey"), this, [this] {
        QString text = tr("MailKey %1\nConnects mailboxes with OAuth 2.0 and keeps their tokens in an "
                          "encrypted vault (SQLCipher %2), keyed from your system keychain.")
                           .arg(QStringLiteral(MAILKEY_VERSION), m_service->cipherVersion());
        // What this build brings, and what an administrator set: the first things support asks.
        text += QStringLiteral("\n\n") + ProviderRegistry::builtInClientIdLines().join(QLatin1Char('\n'));
        if (!m_settings->policy().isEmpty())
            text += QStringLiteral("\n\n") + tr("Managed by your administrator: %1").arg(m_settings->policy().source);
        QMessageBox::about(this, tr("About MailKey"), text);
    });
    about->setMenuRole(QAction::AboutRole);
    updateActions();
}

QString MainWindow::providerName(const QString &providerId) const
{
    return m_model->providerName(providerId);
}

void MainWindow::reloadProviders()
{
    ProviderRegistry *registry = m_service->providers();
    if (!registry)
        return;
    const bool customAllowed = !m_settings->policy().disables(ManagedPolicy::Feature::CustomProviders);
    const QString file = m_settings->effectiveProvidersFile();
    if (m_providersWatcher)
        m_providersWatcher->setPath(customAllowed ? file : QString());
    const ProviderFile::Contents before = registry->customProviders();
    const Status loaded = m_settings->applyTo(registry);
    QStringList problems;
    if (!loaded.ok()) {
        problems.append(loaded.error().message);
        // A file broken while MailKey runs (half saved, a typo) does not take away the providers
        // it had: they stay until the file is fixed.
        if (!before.providers.isEmpty() && QFileInfo(before.path) == QFileInfo(file)) {
            registry->setCustomProviders(before);
            problems.append(tr("The custom providers read from it before are still used."));
        }
    }
    if (!customAllowed && !m_settings->providersFileOverride().isEmpty())
        problems.append(tr("--providers %1 was not used: your administrator turned custom providers off.")
                            .arg(m_settings->providersFileOverride()));
    for (const QString &p : m_settings->policy().problems)
        problems.append(tr("Your administrator's policy (%1): %2").arg(m_settings->policy().source, p));
    for (const ProviderProblem &p : registry->problems())
        problems.append(p.message());
    if (problems.isEmpty()) {
        m_configBanner->hide();
    } else {
        m_configBanner->showMessage(Banner::Kind::Warning, tr("Some provider settings were not used"),
                                    problems.join(QLatin1Char('\n')));
        QPushButton *open = m_configBanner->addButton(tr("Open settings…"));
        connect(open, &QPushButton::clicked, this, &MainWindow::openSettings);
    }
    QHash<QString, QString> names;
    for (const Provider &p : registry->providers())
        names.insert(p.id, p.displayName);
    m_model->setProviderNames(names);
    QList<Provider> allowed;
    for (const Provider &p : registry->providers()) {
        if (registry->isAllowed(p.id))
            allowed.append(p);
    }
    m_empty->setProviders(allowed);
    rebuildConnectMenu();
}

void MainWindow::rebuildConnectMenu()
{
    ProviderRegistry *registry = m_service->providers();
    for (QMenu *menu : {m_connectMenu, m_menuConnect}) {
        menu->clear();
        if (registry) {
            for (const Provider &p : registry->providers()) {
                if (!registry->isAllowed(p.id))
                    continue; // the administrator's policy does not allow it
                QString text = SafeText::clean(p.displayName.isEmpty() ? p.id : p.displayName, 48);
                if (p.clientId.isEmpty())
                    text = tr("%1 (needs a client id)").arg(text);
                QAction *a = menu->addAction(text);
                a->setData(p.id);
                a->setObjectName(QStringLiteral("connect-") + p.id);
            }
            addDeviceSignInMenu(menu, registry);
        }
        if (m_settings->policy().disables(ManagedPolicy::Feature::CustomProviders))
            continue;
        menu->addSeparator();
        QAction *add = menu->addAction(tr("Add a provider…"));
        add->setData(QStringLiteral("#addProvider"));
        add->setObjectName(QStringLiteral("addProvider"));
    }
}

// "Sign in on another device": the providers that can (RFC 8628). Their actions carry no data, so
// the connect menus' own handler leaves them alone; each starts its own sign-in.
void MainWindow::addDeviceSignInMenu(QMenu *menu, ProviderRegistry *registry)
{
    QMenu *device = menu->addMenu(tr("Sign in on another device"));
    device->setObjectName(QStringLiteral("deviceSignInMenu"));
    device->setToolTipsVisible(true);
    bool googleListed = false;
    for (const Provider &p : registry->providers()) {
        if (!registry->isAllowed(p.id))
            continue;
        if (DeviceAuthorization::unavailableReason(p)) {
            googleListed = googleListed || p.kind == Provider::Kind::Google;
            continue;
        }
        QString text = SafeText::clean(p.displayName.isEmpty() ? p.id : p.displayName, 48);
        if (p.clientId.isEmpty())
            text = tr("%1 (needs a client id)").arg(text);
        QAction *a = device->addAction(text);
        a->setObjectName(QStringLiteral("device-") + p.id);
        connect(a, &QAction::triggered, this, [this, id = p.id] { connectProviderWithCode(id); });
    }
    if (device->isEmpty()) {
        QAction *none = device->addAction(tr("No provider here offers it"));
        none->setEnabled(false);
    }
    if (googleListed) {
        // Said where the person looks for it, rather than offering a sign-in that cannot work.
        QAction *note = device->addAction(tr("Gmail: only with a browser"));
        note->setObjectName(QStringLiteral("deviceGoogleNote"));
        note->setEnabled(false);
        note->setToolTip(tr("Google's sign-in for devices without a browser does not allow mail access."));
    }
}

QWidget *MainWindow::currentPage() const
{
    return m_pages->currentWidget();
}

void MainWindow::updateForVaultState()
{
    const VaultState state = m_service->vaultState();
    switch (state) {
    case VaultState::Locked:
        if (m_service->isErased()) {
            m_vaultBanner->hide();
            m_model->setAccounts({});
            m_details->clearAccount();
            m_unavailableText->setText(m_service->vaultError().message);
            m_pages->setCurrentWidget(m_unavailablePage);
            m_statusLabel->setText(tr("Erased"));
            break;
        }
        Q_FALLTHROUGH();
    case VaultState::Unlocking:
        m_pages->setCurrentWidget(m_loadingPage);
        if (m_vaultBanner->isVisible())
            m_vaultBanner->setBusy(true);
        m_statusLabel->setText(tr("Opening the vault…"));
        break;
    case VaultState::Verifying:
        // The accounts show at once; the actions wait until every page has been checked.
        m_vaultBanner->hide();
        refillAccounts();
        m_statusLabel->setText(tr("Checking the vault…"));
        m_statusLabel->setToolTip(SafeText::toolTip(m_service->vaultPath()));
        break;
    case VaultState::Ready:
        m_vaultBanner->hide();
        if (!m_listedWhileVerifying)
            refillAccounts(); // else the list is already there (and the lifecycle updates rows)
        m_listedWhileVerifying = false;
        m_statusLabel->setText(m_service->cipherVersion().isEmpty()
                                   ? QString()
                                   : tr("Encrypted vault (SQLCipher %1)").arg(m_service->cipherVersion()));
        m_statusLabel->setToolTip(SafeText::toolTip(m_service->vaultPath()));
        // Plain text: the accessible description would otherwise be the tooltip's HTML.
        m_statusLabel->setAccessibleDescription(SafeText::clean(m_service->vaultPath(), 1024));
        break;
    case VaultState::Failed: {
        const Error &error = m_service->vaultError();
        const VaultErrorAdvice advice = VaultErrorAdvice::forError(error, m_keyringUnlock->offered(error));
        const QString note = error.code == ErrorCode::KeychainLocked ? m_keyringUnlock->note() : QString();
        m_vaultBanner->showMessage(Banner::Kind::Error, advice.title,
                                   note.isEmpty() ? advice.fullText()
                                                  : note + QStringLiteral("\n\n") + advice.fullText());
        if (advice.offerUnlock)
            m_keyringUnlock->addButton(m_vaultBanner);
        if (advice.canRetry) {
            QPushButton *retry = m_vaultBanner->addButton(tr("Retry"));
            retry->setObjectName(QStringLiteral("retryVaultButton"));
            connect(retry, &QPushButton::clicked, this, &MainWindow::retryVault);
        }
        if (advice.offerReset) {
            QPushButton *reset = m_vaultBanner->addButton(tr("Reset vault…"));
            reset->setObjectName(QStringLiteral("resetVaultButton"));
            connect(reset, &QPushButton::clicked, this, &MainWindow::confirmResetVault);
        }
        m_model->setAccounts({});
        m_details->clearAccount();
        m_unavailableText->setText(
            tr("Your mailboxes are shown here once the vault opens. Nothing has been deleted.\nVault: %1")
                .arg(SafeText::clean(m_service->vaultPath(), 512)));
        m_pages->setCurrentWidget(m_unavailablePage);
        m_statusLabel->setText(tr("Vault not open"));
        break;
    }
    }
    updateActions();
}

void MainWindow::openBackupDialog()
{
    if (m_backupRunning)
        return;
    const QString suggested
        = QDir(QStandardPaths::writableLocation(QStandardPaths::HomeLocation))
              .filePath(QStringLiteral("mailkey-backup-%1.mkb").arg(QDate::currentDate().toString(Qt::ISODate)));
    auto *dialog = new BackupDialog(BackupDialog::Mode::Export, QDir::toNativeSeparators(suggested), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &BackupDialog::submitted, this, [this, dialog] {
        m_backupRunning = true;
        updateActions();
        dialog->setWorking(tr("Encrypting the backup… (the passphrase is made slow to guess on purpose: this "
                              "takes a moment)"));
        const QString path = dialog->path();
        QPointer<BackupDialog> guard(dialog);
        m_service->exportBackup(path, dialog->takePassphrase(), dialog->withAudit(),
                                [this, guard, path](Result<AccountService::ExportOutcome> done) {
                                    if (!endBackupWork(guard, done ? std::nullopt : std::optional(done.error()),
                                                       tr("The backup was not written")))
                                        return;
                                    const QString where = QDir::toNativeSeparators(path);
                                    showOutcome(Banner::Kind::Success, QStringLiteral("backup"), tr("Backed up"),
                                                done->auditEntries > 0
                                                    ? tr("%n mailbox(es) and the activity log were written to %1, "
                                                         "encrypted. Keep your passphrase safe: the backup cannot be "
                                                         "restored without it.",
                                                         nullptr, done->accounts)
                                                          .arg(where)
                                                    : tr("%n mailbox(es) were written to %1, encrypted. Keep your "
                                                         "passphrase safe: the backup cannot be restored without it.",
                                                         nullptr, done->accounts)
                                                          .arg(where));
                                });
    });
    dialog->open();
}

bool MainWindow::endBackupWork(const QPointer<BackupDialog> &dialog, const std::optional<Error> &failure,
                               const QString &failureTitle)
{
    m_backupRunning = false;
    updateActions();
    if (failure) {
        if (dialog)
            dialog->showFailure(failure->message); // it stays open: a passphrase can be typed again
        else
            showOutcome(Banner::Kind::Error, QStringLiteral("backup"), failureTitle, failure->message);
        return false;
    }
    if (dialog)
        dialog->accept();
    return true;
}

void MainWindow::openRestoreDialog()
{
    if (m_backupRunning || m_service->vaultState() != VaultState::Ready)
        return;
    auto *dialog = new BackupDialog(BackupDialog::Mode::Restore, QString(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowModality(Qt::WindowModal);
    connect(dialog, &BackupDialog::submitted, this, [this, dialog] {
        m_backupRunning = true;
        updateActions();
        dialog->setWorking(tr("Decrypting the backup… (this takes a moment)"));
        QPointer<BackupDialog> guard(dialog);
        m_service->importBackup(dialog->path(), dialog->takePassphrase(),
                                [this, guard](Result<AccountService::ImportOutcome> done, BackupFile::Problem) {
                                    if (!endBackupWork(guard, done ? std::nullopt : std::optional(done.error()),
                                                       tr("Nothing was restored")))
                                        return;
                                    showOutcome(Banner::Kind::Success, QStringLiteral("backup"),
                                                tr("Restored from the backup"), done->lines.join(QLatin1Char('\n')));
                                });
    });
    dialog->open();
}

void MainWindow::confirmEraseEverything()
{
    if (m_service->isErased() || m_backupRunning)
        return;
    const bool last = ProfileEraser::isLastProfile(m_service->profile());
    understandingBox(
        QStringLiteral("confirmEraseEverything"), tr("Erase everything"),
        tr("MailKey will ask every provider that supports it to revoke its access, then delete every mailbox and "
           "token, the vault with every copy a reset kept, and its keys in the keychain.%1\n\n"
           "Mail programs that get their passwords from MailKey stop working. This cannot be undone; a backup "
           "(File → Back up to a file…) can be restored later. MailKey quits afterwards.")
            .arg(last ? tr(" Your settings and custom providers are deleted too.") : QString()),
        tr("I understand that everything MailKey holds is deleted"), tr("Erase Everything"), [this, last] {
            if (m_session)
                m_session->cancel();
            m_backupRunning = true;
            m_erasing = true;
            updateActions();
            m_messageBanner->offer(
                Banner::Kind::Info, QStringLiteral("erase"), tr("Erasing everything…"),
                tr("Revoking MailKey's access at the providers, then deleting the vault and its keys."));
            m_service->eraseEverything(last, [this](Result<EraseReport> done) {
                m_backupRunning = false;
                m_erasing = false;
                updateActions();
                if (!done) {
                    m_messageBanner->offer(Banner::Kind::Error, QStringLiteral("erase"), tr("Nothing was erased"),
                                           done.error().message);
                    return;
                }
                m_messageBanner->clearTopic(QStringLiteral("erase"));
                showEraseReport(*done);
            });
        });
}

void MainWindow::showEraseReport(const EraseReport &report)
{
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("erasedReport"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(report.problems.isEmpty() ? QMessageBox::Information : QMessageBox::Warning);
    box->setWindowTitle(tr("Erase everything"));
    box->setTextFormat(Qt::PlainText);
    box->setText(report.problems.isEmpty()
                     ? tr("Everything MailKey held was erased.")
                     : tr("Everything was erased except what is listed under \"Not removed\". Remove it by hand."));
    QStringList lines;
    for (const QString &line : report.problems)
        lines << tr("Not removed: %1").arg(line);
    for (const QString &line : report.removed)
        lines << tr("Removed: %1").arg(line);
    box->setDetailedText(lines.join(QLatin1Char('\n')));
    box->setInformativeText(tr("MailKey quits now. Starting it again begins anew."));
    QPushButton *quit = box->addButton(tr("Quit MailKey"), QMessageBox::AcceptRole);
    quit->setObjectName(QStringLiteral("quitButton"));
    box->setDefaultButton(quit);
    connect(box, &QMessageBox::finished, qApp, &QApplication::quit);
    box->setWindowModality(Qt::WindowModal);
    box->open();
}

void MainWindow::retryVault()
{
    m_keyringUnlock->clearNote();
    m_vaultBanner->setBusy(true);
    m_pages->setCurrentWidget(m_loadingPage);
    m_service->start();
}

void MainWindow::refillAccounts()
{
    const VaultState state = m_service->vaultState();
    if (state != VaultState::Ready && state != VaultState::Verifying) {
        updateActions();
        return;
    }
    const qint64 selected = selectedAccountId();
    // One read of the vault for every row and its token expiry, not one per row.
    const QList<AccountTokens> rows = m_service->accountsWithTokens();
    QList<Account> accounts;
    QHash<qint64, QDateTime> expiries;
    QHash<qint64, QString> mailFailures;
    accounts.reserve(rows.size());
    for (const AccountTokens &row : rows) {
        accounts.append(row.account);
        expiries.insert(row.account.id, expiryOf(row.tokens));
        if (const QString failed = failedMailLogins(row.mailChecks); !failed.isEmpty())
            mailFailures.insert(row.account.id, failed);
    }
    m_model->setAccounts(accounts, expiries);
    m_listedWhileVerifying = state == VaultState::Verifying;
    m_model->setMailLoginFailures(mailFailures);
    updatePage();
    if (m_model->rowCount() > 0 && !m_list->selectionModel()->hasSelection()) {
        m_listPane->selectFirst();
    } else if (selected && m_model->indexOfId(selected).isValid()) {
        showDetailsFor(selected, false);
    }
    updateActions();
}

QDateTime MainWindow::expiryOf(const QList<TokenSummary> &tokens)
{
    QDateTime expiry;
    for (const TokenSummary &t : tokens) {
        if (t.resource == QLatin1String(DefaultResource) || !expiry.isValid())
            expiry = t.expiresAt;
    }
    return expiry;
}

void MainWindow::refreshExpiry(qint64 accountId)
{
    m_model->setTokenExpiry(accountId, expiryOf(m_service->tokenSummary(accountId)));
}

void MainWindow::updatePage()
{
    const VaultState state = m_service->vaultState();
    if (state != VaultState::Ready && state != VaultState::Verifying)
        return;
    m_pages->setCurrentWidget(m_model->rowCount() > 0 ? static_cast<QWidget *>(m_accountsPage)
                                                      : static_cast<QWidget *>(m_empty));
    updateActions();
}

AccountFilterModel *MainWindow::listModel() const
{
    return m_listPane->proxy();
}

qint64 MainWindow::selectedAccountId() const
{
    return m_listPane->currentAccountId();
}

void MainWindow::selectAccount(qint64 accountId)
{
    m_listPane->selectAccount(accountId);
}

void MainWindow::onSelectionChanged()
{
    const qint64 id = selectedAccountId();
    if (id == m_details->accountId() && id != 0)
        return;
    if (id == 0) {
        m_details->clearAccount();
    } else {
        showDetailsFor(id, true);
    }
    updateActions();
}

void MainWindow::showDetailsFor(qint64 accountId, bool fetchFolders)
{
    const std::optional<Account> account = m_service->account(accountId);
    if (!account) {
        m_details->clearAccount();
        return;
    }
    m_details->showAccount(*account, providerName(account->provider), m_service->tokenSummary(accountId));
    m_details->setActivityLoading();
    m_service->readAudit(accountId, AccountDetails::ActivityLimit, m_details, [this, accountId](QList<AuditEntry> e) {
        if (accountId == m_details->accountId())
            m_details->setActivity(e);
    });
    MailCheckPanel *mail = m_details->mailCheckPanel();
    const QList<MailCheckRecord> checks = m_service->mailChecks(accountId);
    mail->showAccount(accountId, checks);
    if (m_service->runningMailCheck(accountId) && !mail->isRunning())
        mail->checkStarted(); // a check started while another mailbox was shown: its end shows here
    if (m_settings->policy().disables(ManagedPolicy::Feature::MailCheck))
        mail->setTestable(false, tr("Your administrator has turned the mail connection test off."));
    else
        mail->setTestable(account->status != AccountStatus::NeedsSignIn,
                          tr("This mailbox needs a new sign-in first: use Reconnect."));
    m_model->setMailLoginFailure(accountId, failedMailLogins(checks));
    if (m_removing.contains(accountId))
        m_details->setBusy(tr("Removing…"));
    if (fetchFolders) {
        const auto cached = m_folderCache.constFind(accountId);
        if (cached != m_folderCache.constEnd())
            m_details->setFolders(*cached);
        else
            m_details->setFoldersLoading();
        m_service->fetchFolders(accountId); // while the vault is checked, it runs once it is Ready
    }
}

void MainWindow::reloadFolders(qint64 accountId)
{
    if (accountId == 0)
        return;
    if (accountId == m_details->accountId())
        m_details->setFoldersLoading();
    m_service->fetchFolders(accountId);
}

void MainWindow::refreshNow(qint64 accountId)
{
    if (accountId == 0 || m_service->vaultState() != VaultState::Ready || m_removing.contains(accountId)
        || m_refreshRequested.contains(accountId))
        return;
    const QModelIndex index = m_model->indexOfId(accountId);
    if (!index.isValid())
        return;
    m_refreshRequested.insert(accountId);
    statusBar()->showMessage(tr("Renewing the access of %1…").arg(index.data(AccountModel::EmailRole).toString()));
    updateActions();
    m_service->refreshNow(accountId);
}

void MainWindow::onRefreshFinished(qint64 accountId, const Status &result)
{
    if (result.ok()) // success of the thing that failed clears its messages
        clearAccountTrouble(accountId);
    if (!m_refreshRequested.remove(accountId))
        return; // not asked for here
    updateActions();
    const QModelIndex index = m_model->indexOfId(accountId);
    const QString email = index.isValid() ? index.data(AccountModel::EmailRole).toString() : QString();
    if (result.ok()) {
        statusBar()->showMessage(tr("The access of %1 was renewed").arg(email), 6000);
        // The folders were listed with the old token; nothing to redo. The details show the new
        // expiry once the row changes (accountChanged).
        return;
    }
    statusBar()->clearMessage();
    const Error &error = result.error();
    if (error.code == ErrorCode::Cancelled)
        return;
    const bool needsSignIn = error.code == ErrorCode::NeedsSignIn;
    // Offline with a token that is still valid: the mailbox works, so this is news, not an error.
    const bool stillWorks
        = index.isValid() && index.data(AccountModel::SeverityRole).toInt() == int(AccountModel::Severity::Quiet);
    const Banner::Kind kind
        = needsSignIn ? Banner::Kind::Warning : (stillWorks ? Banner::Kind::Info : Banner::Kind::Error);
    const bool shown = showOutcome(kind, accountTopic(accountId),
                                   needsSignIn  ? tr("%1 needs to be signed in again").arg(email)
                                   : stillWorks ? tr("%1 could not be renewed now, and still works").arg(email)
                                                : tr("The access of %1 was not renewed").arg(email),
                                   error.message);
    if (shown && needsSignIn && index.isValid()) {
        QPushButton *again = m_messageBanner->addButton(tr("Reconnect"));
        again->setObjectName(QStringLiteral("bannerReconnectButton"));
        connect(again, &QPushButton::clicked, this, [this, accountId] { reconnectAccount(accountId); });
    }
}

void MainWindow::onFoldersLoaded(qint64 accountId, const QList<MailFolder> &folders)
{
    m_folderCache.insert(accountId, folders);
    if (accountId == m_details->accountId())
        m_details->setFolders(folders);
}

void MainWindow::onFoldersFailed(qint64 accountId, const Error &error)
{
    if (accountId == m_details->accountId())
        m_details->setFoldersError(error.message);
}

void MainWindow::onAccountChanged(qint64 accountId)
{
    const std::optional<Account> account = m_service->account(accountId);
    if (!account) {
        m_model->removeAccount(accountId);
        return;
    }
    m_model->updateAccount(*account);
    refreshExpiry(accountId);
    if (accountId == m_details->accountId())
        showDetailsFor(accountId, false);
    // A scheduled refresh that worked after the alert was raised ends "refreshes keep failing".
    if (account->status == AccountStatus::Connected && account->lastRefreshAt.isValid() && m_alertShownAt.isValid()
        && account->lastRefreshAt > m_alertShownAt)
        m_alertBanner->clearTopic(refreshAlertTopic(accountId));
    updateActions();
}

// Connect / reconnect -------------------------------------------------------------------------

// Whether a sign-in with this provider can start (a client id; for a device sign-in, a provider
// that offers it); if not, says why in the message banner, with Open settings.
bool MainWindow::readyToSignIn(const QString &providerId, ConnectPanel::Mode mode)
{
    ProviderRegistry *registry = m_service->providers();
    if (!registry)
        return true;
    const Result<Provider> ready = registry->providerForSignIn(providerId);
    std::optional<Error> problem;
    if (!ready)
        problem = ready.error();
    else if (mode == ConnectPanel::Mode::Device)
        problem = DeviceAuthorization::unavailableReason(ready.value());
    if (!problem)
        return true;
    const QString heading = !ready && problem->code == ErrorCode::Config
                                ? tr("%1 needs a client id first").arg(providerName(providerId))
                            : mode == ConnectPanel::Mode::Device ? tr("Cannot sign in on another device")
                                                                 : tr("Cannot connect");
    if (showOutcome(Banner::Kind::Warning, signInTopic(), heading, problem->message)) {
        QPushButton *open = m_messageBanner->addButton(tr("Open settings…"));
        connect(open, &QPushButton::clicked, this, &MainWindow::openSettings);
    }
    return false;
}

void MainWindow::connectProvider(const QString &providerId)
{
    if (m_session || m_service->vaultState() != VaultState::Ready
        || !readyToSignIn(providerId, ConnectPanel::Mode::Browser))
        return;
    ConnectSession *session = m_service->connectAccount(providerId);
    startSession(session, tr("Connecting to %1").arg(providerName(providerId)), providerId, 0);
}

void MainWindow::connectProviderWithCode(const QString &providerId)
{
    if (m_session || m_service->vaultState() != VaultState::Ready
        || !readyToSignIn(providerId, ConnectPanel::Mode::Device))
        return;
    ConnectSession *session = m_service->connectAccount(providerId, QString(), ConnectSession::Method::DeviceCode);
    startSession(session, tr("Connecting to %1 on another device").arg(providerName(providerId)), providerId, 0,
                 ConnectPanel::Mode::Device);
}

void MainWindow::reconnectAccount(qint64 accountId)
{
    if (accountId == 0 || m_session || m_service->vaultState() != VaultState::Ready)
        return;
    const std::optional<Account> account = m_service->account(accountId);
    if (!account)
        return;
    ConnectSession *session = m_service->reconnect(accountId);
    startSession(session, tr("Signing in again as %1").arg(SafeText::clean(account->email)), account->provider,
                 accountId);
}

void MainWindow::startSession(ConnectSession *session, const QString &title, const QString &providerId,
                              qint64 reconnectId, ConnectPanel::Mode mode)
{
    if (!session) {
        showOutcome(Banner::Kind::Error, signInTopic(), tr("Sign-in could not start"),
                    tr("MailKey could not start the sign-in. Check the provider settings and try again."));
        return;
    }
    m_session = session;
    m_sessionProvider = providerId;
    m_sessionAccount = reconnectId;
    m_messageBanner->clearTopic(signInTopic()); // a new attempt: the last one's outcome is over
    m_connectPanel->start(title, mode);

    connect(session, &ConnectSession::deviceCodeReady, this, [this, session](const DeviceCodePrompt &prompt) {
        if (session == m_session)
            m_connectPanel->setDeviceCode(prompt);
    });
    connect(session, &ConnectSession::authorizationUrlReady, this, [this, session](const QUrl &url) {
        if (session == m_session)
            m_connectPanel->setUrl(url);
    });
    connect(session, &ConnectSession::providerUnreachable, this, [this, session](const Error &error) {
        if (session == m_session)
            m_connectPanel->setProblem(error.message);
    });
    connect(session, &ConnectSession::providerReachable, this, [this, session] {
        if (session == m_session)
            m_connectPanel->setProblem(QString());
    });
    connect(session, &ConnectSession::succeeded, this,
            [this, session](const Account &account, bool created, const QString &message) {
                if (session != m_session)
                    return;
                endSession();
                m_model->updateAccount(account);
                refreshExpiry(account.id);
                m_folderCache.remove(account.id);
                selectAccount(account.id);
                showDetailsFor(account.id, true);
                clearAccountTrouble(account.id);
                m_alertBanner->clearTopic(failedSignInsTopic());
                showOutcome(Banner::Kind::Success, signInTopic(),
                            created ? tr("Mailbox connected") : tr("Signed in again"),
                            message.isEmpty() ? SafeText::clean(account.email) : message);
                QTimer::singleShot(0, this, &MainWindow::updatePage);
            });
    const bool device = mode == ConnectPanel::Mode::Device;
    connect(session, &ConnectSession::failed, this, [this, session, device](const Error &error) {
        if (session != m_session)
            return;
        const QString provider = m_sessionProvider;
        const qint64 account = m_sessionAccount;
        endSession();
        QString heading = tr("Sign-in failed");
        if (error.code == ErrorCode::Expired)
            heading = tr("The sign-in expired");
        else if (error.code == ErrorCode::Config)
            heading = tr("%1 is not set up yet").arg(providerName(provider));
        else if (error.code == ErrorCode::Network)
            heading = tr("Could not reach %1").arg(providerName(provider));
        if (!showOutcome(Banner::Kind::Error, signInTopic(), heading, error.message))
            return;
        QPushButton *again = m_messageBanner->addButton(tr("Try again"));
        again->setObjectName(QStringLiteral("tryAgainButton"));
        connect(again, &QPushButton::clicked, this, [this, provider, account, device] {
            if (account)
                reconnectAccount(account);
            else if (device)
                connectProviderWithCode(provider);
            else
                connectProvider(provider);
        });
        if (error.code == ErrorCode::Config) {
            QPushButton *open = m_messageBanner->addButton(tr("Open settings…"));
            connect(open, &QPushButton::clicked, this, &MainWindow::openSettings);
        }
    });
    connect(session, &ConnectSession::cancelled, this, [this, session, device] {
        if (session != m_session)
            return;
        endSession();
        showOutcome(Banner::Kind::Info, signInTopic(), tr("Sign-in cancelled"),
                    device ? tr("Nothing was changed. The code no longer works; you can close the sign-in "
                                "page on the other device.")
                           : tr("Nothing was changed. You can close the browser tab."));
    });
    connect(session, &QObject::destroyed, this, [this] {
        if (!m_session)
            endSession();
    });

    // The session may already be past these steps (a URL made, or an immediate failure).
    if (session->authorizationUrl().isValid())
        m_connectPanel->setUrl(session->authorizationUrl());
    if (session->isFinished() && session->phase() != ConnectSession::Phase::Succeeded) {
        endSession();
        showOutcome(Banner::Kind::Error, signInTopic(), tr("Sign-in failed"),
                    tr("The sign-in stopped before it began. Check the provider settings and try again."));
    }
    updateActions();
}

void MainWindow::endSession()
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = nullptr;
    m_sessionProvider.clear();
    m_sessionAccount = 0;
    m_connectPanel->finish();
    updateActions();
}

// Remove, copy -------------------------------------------------------------------------------

QMessageBox *MainWindow::confirmBox(const QString &objectName, const QString &title, const QString &text,
                                    const QString &informative, const QString &confirmText)
{
    auto *box = new QMessageBox(this);
    box->setObjectName(objectName);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(QMessageBox::Warning);
    box->setWindowTitle(title);
    box->setTextFormat(Qt::PlainText);
    box->setText(text);
    box->setInformativeText(informative);
    // Both texts may quote values from providers: plain text only.
    const auto labels = box->findChildren<QLabel *>();
    for (QLabel *label : labels)
        label->setTextFormat(Qt::PlainText);
    QPushButton *confirm = box->addButton(confirmText, QMessageBox::DestructiveRole);
    confirm->setObjectName(QStringLiteral("confirmButton"));
    QPushButton *cancel = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(cancel);
    box->setEscapeButton(cancel);
    box->setWindowModality(Qt::WindowModal);
    return box;
}

void MainWindow::confirmRemoveAccount(qint64 accountId)
{
    if (accountId == 0 || m_removing.contains(accountId))
        return;
    const std::optional<Account> account = m_service->account(accountId);
    if (!account)
        return;
    const QString email = SafeText::clean(account->email);
    QMessageBox *box = confirmBox(
        QStringLiteral("confirmRemove"), tr("Remove mailbox"), tr("Remove %1 from MailKey?").arg(email),
        tr("MailKey asks %1 to revoke its access where the provider allows it, and deletes the tokens from this "
           "computer. Mail programs that get their password from MailKey stop working for this mailbox.")
            .arg(providerName(account->provider)),
        tr("Remove"));
    connect(box, &QMessageBox::buttonClicked, this, [this, box, accountId](QAbstractButton *button) {
        if (box->buttonRole(button) != QMessageBox::DestructiveRole)
            return;
        m_removing.insert(accountId);
        if (m_details->accountId() == accountId)
            m_details->setBusy(tr("Removing…"));
        updateActions();
        m_service->removeAccount(accountId);
    });
    box->open();
}

void MainWindow::onAccountRemoved(qint64 accountId, const RemovalReport &report)
{
    m_removing.remove(accountId);
    m_folderCache.remove(accountId);
    const QModelIndex index = m_model->indexOfId(accountId);
    const QString email = index.isValid() ? index.data(AccountModel::EmailRole).toString() : QString();
    const int row = listModel()->indexOfId(accountId).row(); // -1 when not shown
    m_model->removeAccount(accountId);
    if (m_details->accountId() == accountId)
        m_details->clearAccount();
    if (listModel()->rowCount() > 0 && row >= 0)
        m_list->setCurrentIndex(listModel()->index(qMin(row, listModel()->rowCount() - 1), 0));
    clearAccountTrouble(accountId); // nothing left to fix
    if (!m_erasing)
        showOutcome(report.revokedAtProvider ? Banner::Kind::Success : Banner::Kind::Info, accountTopic(accountId),
                    email.isEmpty() ? tr("Mailbox removed") : tr("%1 was removed").arg(email), report.message);
    updatePage();
}

void MainWindow::onPendingRevocationFinished(qint64 accountId, const QString &email, bool revoked,
                                             const QString &message)
{
    // The account is already gone from the list; this closes the story its removal started.
    showOutcome(revoked ? Banner::Kind::Success : Banner::Kind::Warning, accountTopic(accountId),
                revoked ? tr("Access of %1 revoked").arg(email) : tr("The access of %1 may still be active").arg(email),
                message);
}

void MainWindow::onRemoveFailed(qint64 accountId, const Error &error)
{
    m_removing.remove(accountId);
    if (m_details->accountId() == accountId)
        m_details->clearBusy();
    showOutcome(Banner::Kind::Error, accountTopic(accountId), tr("The mailbox was not removed"), error.message);
    updateActions();
}

void MainWindow::testMailConnection(qint64 accountId)
{
    if (accountId == 0)
        return;
    if (accountId != selectedAccountId())
        selectAccount(accountId);
    m_details->showMailCheckTab();
    if (m_service->checkMail(accountId))
        return;
    if (m_settings->policy().disables(ManagedPolicy::Feature::MailCheck))
        statusBar()->showMessage(tr("Your administrator has turned the mail connection test off."), 6000);
    else
        statusBar()->showMessage(tr("The mail connection cannot be tested now: the vault is not open."), 6000);
}

void MainWindow::onMailCheckStarted(qint64 accountId, MailDoctor *doctor)
{
    MailCheckPanel *panel = m_details->mailCheckPanel();
    if (accountId == m_details->accountId())
        panel->checkStarted();
    // Progress goes to the panel only while it shows this account.
    const auto shown = [this, accountId] { return m_details->accountId() == accountId; };
    connect(doctor, &MailDoctor::serverStarted, panel,
            [panel, shown](MailServer::Protocol protocol, const MailServer &server) {
                if (shown())
                    panel->serverStarted(protocol, server);
            });
    connect(doctor, &MailDoctor::stepFinished, panel,
            [panel, shown](MailServer::Protocol protocol, const MailCheck::StepReport &step) {
                if (shown())
                    panel->stepFinished(protocol, step);
            });
    connect(doctor, &MailDoctor::serverFinished, panel, [panel, shown](const MailDoctor::ServerResult &result) {
        if (shown())
            panel->serverFinished(result);
    });
    updateActions();
}

void MainWindow::onMailCheckFinished(qint64 accountId, const MailDoctor::Summary &summary)
{
    const QList<MailCheckRecord> checks = m_service->mailChecks(accountId);
    m_model->setMailLoginFailure(accountId, failedMailLogins(checks));
    if (accountId == m_details->accountId())
        m_details->mailCheckPanel()->checkFinished(summary);
    if (summary.verdict == MailDoctor::Verdict::Ok)
        statusBar()->showMessage(tr("Mail connection of %1 works.").arg(SafeText::clean(summary.email, 200)), 6000);
    updateActions();
}

QString MainWindow::failedMailLogins(const QList<MailCheckRecord> &checks)
{
    QStringList failed;
    for (const MailCheckRecord &c : checks) {
        if (!c.ok())
            failed << c.protocol.toUpper();
    }
    return failed.join(tr(" and "));
}

void MainWindow::copyAddress(qint64 accountId)
{
    const QModelIndex index = m_model->indexOfId(accountId);
    if (!index.isValid())
        return;
    const QString email = index.data(AccountModel::EmailRole).toString();
    QGuiApplication::clipboard()->setText(email);
    statusBar()->showMessage(tr("Copied %1").arg(email), 4000);
}

// Settings, sign out everywhere, vault reset ----------------------------------------------

void MainWindow::openSettings()
{
    if (findChild<SettingsDialog *>() || m_service->isErased() || m_erasing)
        return;
    auto *dialog = new SettingsDialog(m_settings, QProcessEnvironment::systemEnvironment(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, &MainWindow::reloadProviders);
    connect(dialog, &SettingsDialog::editProvidersRequested, this, [this, dialog] { openProviderEditor(dialog); });
    dialog->open();
    mailkey::fitToScreen(dialog, false);
}

void MainWindow::openProviderEditor(QWidget *parent)
{
    if (findChild<ProviderEditor *>() || m_service->isErased() || m_erasing
        || m_settings->policy().disables(ManagedPolicy::Feature::CustomProviders))
        return;
    if (!m_discovery)
        m_discovery = new IssuerDiscovery(nullptr, this);
    // Over Settings: the file its field names now (saved or not).
    QString path = m_settings->effectiveProvidersFile();
    if (auto *settings = qobject_cast<SettingsDialog *>(parent)) {
        const QString typed = settings->field(QStringLiteral("providersFile"))->text().trimmed();
        path = typed.isEmpty() ? ProviderFile::defaultPath() : typed;
    }
    auto *editor = new ProviderEditor(path, m_discovery, parent ? parent : this);
    editor->setAttribute(Qt::WA_DeleteOnClose);
    connect(editor, &ProviderEditor::fileChanged, this, &MainWindow::reloadProviders);
    if (auto *settings = qobject_cast<SettingsDialog *>(parent))
        connect(editor, &ProviderEditor::fileChanged, settings, &SettingsDialog::reloadCustomProviders);
    editor->open();
    mailkey::fitToScreen(editor, false);
}

void MainWindow::setProvidersFileOverride(const QString &path)
{
    m_settings->setProvidersFileOverride(path);
    reloadProviders();
}

void MainWindow::confirmSignOutEverywhere()
{
    if (m_signingOut || m_service->vaultState() != VaultState::Ready)
        return;
    understandingBox(
        QStringLiteral("confirmSignOutEverywhere"), tr("Sign out everywhere"),
        tr("This is for when you think a token or this computer was compromised.\n\n"
           "MailKey will ask every provider that supports it to revoke its access, delete every token from the "
           "vault, give the vault a new key and record the incident in the activity log.\n\n"
           "Every mailbox stays in the list but has to be signed in again, and mail programs that use MailKey "
           "stop working until you do. At Microsoft, also remove MailKey under \"Apps and services\" of your "
           "account to end sessions there."),
        tr("I understand that every mailbox has to be signed in again"), tr("Sign out everywhere"), [this] {
            m_signingOut = true;
            // The person's own action, in progress: shown whatever was up.
            m_messageBanner->showMessage(Banner::Kind::Info, tr("Signing out everywhere…"),
                                         tr("Revoking access and wiping tokens."));
            m_messageBanner->setBusy(true);
            m_alertBanner->dismiss(); // every mailbox signs in anew: old alerts are over
            updateActions();
            m_service->signOutEverywhere();
        });
}

void MainWindow::understandingBox(const QString &objectName, const QString &title, const QString &text,
                                  const QString &understandText, const QString &confirmText,
                                  std::function<void()> confirmed)
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto *layout = new QVBoxLayout(dialog);
    auto *label = new QLabel(text, dialog);
    label->setTextFormat(Qt::PlainText);
    label->setWordWrap(true);
    layout->addWidget(label);
    auto *understand = new QCheckBox(understandText, dialog);
    understand->setObjectName(QStringLiteral("understandCheck"));
    layout->addWidget(understand);
    auto *buttons = new QDialogButtonBox(dialog);
    QPushButton *go = buttons->addButton(confirmText, QDialogButtonBox::DestructiveRole);
    go->setObjectName(QStringLiteral("confirmButton"));
    go->setEnabled(false);
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setDefault(true);
    layout->addWidget(buttons);
    connect(understand, &QCheckBox::toggled, go, &QPushButton::setEnabled);
    connect(cancel, &QPushButton::clicked, dialog, &QDialog::reject);
    connect(go, &QPushButton::clicked, dialog, [dialog, understand, confirmed = std::move(confirmed)] {
        if (!understand->isChecked())
            return;
        dialog->accept();
        confirmed();
    });
    dialog->setWindowModality(Qt::WindowModal);
    dialog->open();
}

void MainWindow::onSignedOutEverywhere(const Status &result)
{
    m_signingOut = false;
    m_folderCache.clear();
    if (!result.ok()) {
        showOutcome(Banner::Kind::Error, signOutTopic(), tr("Sign out everywhere did not finish"),
                    result.error().message);
        refillAccounts();
        return;
    }
    // What really happened, per provider: revoked, still being retried, or to be removed by hand.
    const std::optional<SignOutReport> report = m_service->lastSignOutReport();
    QStringList lines;
    bool byHand = false;
    if (report) {
        lines.append(report->summary());
        lines.append(report->messages);
        byHand = report->pending > 0 || report->notRevocable > 0 || report->failed > 0;
    }
    lines.append(tr("Reconnect each mailbox to use it again."));
    // Replaces its own "Signing out everywhere…" (no topic, Info) in any case.
    showOutcome(byHand ? Banner::Kind::Warning : Banner::Kind::Success, signOutTopic(), tr("Signed out everywhere"),
                lines.join(QLatin1Char('\n')));
    refillAccounts();
}

void MainWindow::confirmResetVault()
{
    if (m_service->vaultState() != VaultState::Failed)
        return;
    QMessageBox *box = confirmBox(
        QStringLiteral("confirmResetVault"), tr("Reset vault"), tr("Set this vault aside and start an empty one?"),
        tr("The vault file %1 is moved aside, not deleted, so it can still be recovered if its key turns up. "
           "A new, empty vault with a new key is created. Every mailbox has to be connected again.")
            .arg(SafeText::clean(m_service->vaultPath(), 512)),
        tr("Reset vault"));
    connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton *button) {
        if (box->buttonRole(button) != QMessageBox::DestructiveRole)
            return;
        m_vaultBanner->setBusy(true);
        m_pages->setCurrentWidget(m_loadingPage);
        QPointer<MainWindow> self(this);
        m_service->resetVault([self](Result<VaultAccess::ResetOutcome> reset) {
            if (!self)
                return;
            if (!reset) {
                self->showOutcome(Banner::Kind::Error, vaultTopic(), tr("The vault was not reset"),
                                  reset.error().message);
                return;
            }
            self->showOutcome(Banner::Kind::Info, vaultTopic(), tr("The old vault was set aside"),
                              tr("It is now at %1, and its key stays in your keychain. A new, empty vault was created.")
                                  .arg(SafeText::clean(QDir::toNativeSeparators(reset->asidePath), 512)));
        });
    });
    box->open();
}

// Alerts, desktop manners ------------------------------------------------------------------

void MainWindow::onAlert(const Alert &alert)
{
    QString title;
    QString topic;
    switch (alert.kind) {
    case Alert::Kind::FailedSignIns:
        title = tr("Repeated failed sign-ins");
        topic = failedSignInsTopic();
        break;
    case Alert::Kind::RefreshFailures:
        title = tr("Token refreshes keep failing");
        topic = refreshAlertTopic(alert.accountId);
        break;
    case Alert::Kind::RejectedCallback:
        title = tr("A sign-in response was rejected");
        topic = QStringLiteral("callback");
        break;
    case Alert::Kind::SignInExpiring:
        title = tr("A sign-in will be needed soon");
        topic = QStringLiteral("health:%1").arg(alert.accountId); // alert: a sign-in is needed soon
        break;
    }
    // Alerts are all warnings: a newer one replaces the one shown.
    m_alertBanner->offer(Banner::Kind::Warning, topic, title, alert.message);
    if (alert.kind == Alert::Kind::RefreshFailures)
        m_alertShownAt = (m_clock ? m_clock : Clock::system())->now();
    if (alert.accountId) {
        const qint64 id = alert.accountId;
        QPushButton *show = m_alertBanner->addButton(tr("Show mailbox"));
        connect(show, &QPushButton::clicked, this, [this, id] { selectAccount(id); });
    }
    // The alerts say "check the activity log": this is where it is. An alert about no mailbox
    // (a refused sign-in reply) shows the entries about no mailbox.
    const qint64 mailbox = alert.kind == Alert::Kind::FailedSignIns ? ActivityView::AllMailboxes : alert.accountId;
    QPushButton *activity = m_alertBanner->addButton(tr("Show activity"));
    activity->setObjectName(QStringLiteral("showActivityButton"));
    connect(activity, &QPushButton::clicked, this, [this, mailbox] { showActivity(mailbox); });
    if (!alert.desktopNotified)
        notifyDesktop(title, alert.message);
}

ActivityView *MainWindow::activityView() const
{
    return m_activityView;
}

void MainWindow::showActivity(qint64 mailbox)
{
    const VaultState state = m_service->vaultState();
    if (state != VaultState::Ready && state != VaultState::Verifying)
        return;
    if (!m_activityView) {
        m_activityView = new ActivityView(m_service, this);
        m_activityView->setAttribute(Qt::WA_DeleteOnClose);
    } else {
        m_activityView->reload();
    }
    m_activityView->showMailbox(mailbox);
    m_activityView->show();
    mailkey::fitToScreen(m_activityView, false);
    m_activityView->raise();
    m_activityView->activateWindow();
}

void MainWindow::notifyDesktop(const QString &title, const QString &message)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages())
        return;
    showTrayIcon();
    m_tray->showMessage(SafeText::clean(title, 120), SafeText::cleanMultiline(message, 400), QSystemTrayIcon::Warning,
                        10000);
}

void MainWindow::raiseAndActivate()
{
    if (isMinimized())
        setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    show();
    raise();
    activateWindow();
}

void MainWindow::updateActions()
{
    const bool ready = m_service->vaultState() == VaultState::Ready;
    const qint64 id = selectedAccountId();
    const bool idle = !m_session;
    m_connectButton->setEnabled(ready && idle);
    if (m_menuConnect)
        m_menuConnect->setEnabled(ready && idle);
    m_empty->setEnabled(ready && idle);
    if (m_reconnectAction) {
        m_reconnectAction->setEnabled(ready && idle && id != 0 && !m_removing.contains(id));
        m_removeAction->setEnabled(ready && id != 0 && !m_removing.contains(id));
        m_copyAction->setEnabled(id != 0);
        m_reloadFoldersAction->setEnabled(ready && id != 0);
        // A mailbox that needs a new sign-in cannot be refreshed (Reconnect), nor one already refreshing.
        const int status = id != 0 ? m_model->indexOfId(id).data(AccountModel::StatusRole).toInt() : -1;
        m_refreshAction->setEnabled(ready && id != 0 && !m_removing.contains(id) && !m_refreshRequested.contains(id)
                                    && !m_signingOut && status != int(AccountStatus::NeedsSignIn)
                                    && status != int(AccountStatus::Refreshing));
        m_testMailAction->setVisible(!m_settings->policy().disables(ManagedPolicy::Feature::MailCheck));
        m_testMailAction->setEnabled(ready && id != 0 && !m_removing.contains(id) && !m_signingOut
                                     && status != int(AccountStatus::NeedsSignIn) && !m_service->runningMailCheck(id));
        m_signOutAction->setEnabled(ready && !m_signingOut);
    }
    if (m_backupAction) {
        const VaultState state = m_service->vaultState();
        const bool open = state == VaultState::Ready || state == VaultState::Verifying;
        const bool erased = m_service->isErased();
        m_backupAction->setEnabled(open && !m_backupRunning);
        m_restoreAction->setEnabled(ready && !m_backupRunning && !m_signingOut);
        m_eraseAction->setEnabled(!erased && !m_backupRunning && !m_signingOut
                                  && (ready || state == VaultState::Failed || state == VaultState::Locked));
        // Saved settings would bring settings.ini back after an erase.
        m_settingsAction->setEnabled(!erased && !m_erasing);
        m_settingsButton->setEnabled(!erased && !m_erasing);
    }
}

void MainWindow::fitToScreen(bool centre)
{
    mailkey::fitToScreen(this, centre);
}

bool MainWindow::showOutcome(Banner::Kind kind, const QString &topic, const QString &title, const QString &message)
{
    if (m_messageBanner->offer(kind, topic, title, message))
        return true;
    // A more severe message about something else is up: it stays, this one passes by.
    statusBar()->showMessage(SafeText::clean(title, 200), Banner::InfoTimeoutMs);
    return false;
}

void MainWindow::clearAccountTrouble(qint64 accountId)
{
    m_messageBanner->clearTopic(accountTopic(accountId));
    m_alertBanner->clearTopic(refreshAlertTopic(accountId));
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // restoreGeometry() may be applied only now, on some platforms adjusted by Qt: check again.
    if (!m_fittedOnShow) {
        m_fittedOnShow = true;
        fitToScreen(false);
    }
}

void MainWindow::quitApplication()
{
    m_quitting = true;
    QApplication::quit();
}

void MainWindow::showTrayIcon()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(this);
        QIcon icon = windowIcon();
        if (icon.isNull())
            icon = style()->standardIcon(QStyle::SP_MessageBoxWarning);
        m_tray->setIcon(icon);
        m_tray->setToolTip(tr("MailKey"));
        // A click shows the window; the right button opens the icon's menu (Qt shows it) and
        // must not also bring the window up over it.
        connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
                raiseAndActivate();
        });
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &MainWindow::raiseAndActivate);
    }
    if (!m_tray->contextMenu()) {
        auto *menu = new QMenu(this);
        menu->addAction(tr("Show MailKey"), this, &MainWindow::raiseAndActivate);
        menu->addAction(tr("Quit MailKey"), this, &MainWindow::quitApplication);
        m_tray->setContextMenu(menu);
    }
    m_tray->show();
}

void MainWindow::startInBackground()
{
    m_backgroundClosed = true;
    showTrayIcon(); // the constructor has asked the service to start
}

bool MainWindow::keepsRunningInBackground() const
{
    return m_backgroundClosed;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // "Keep MailKey running when the window is closed": the window hides, the service (refreshes,
    // mail programs' tokens) goes on. Quit (menu, tray) and an erase end the program.
    if (m_settings->keepRunningWhenClosed() && !m_quitting && !m_service->isErased()) {
        m_settings->setWindowGeometry(saveGeometry());
        m_settings->setSplitterState(m_accountsPage->saveState());
        m_settings->sync();
        showTrayIcon();
        if (m_tray && !m_backgroundClosed)
            m_tray->showMessage(tr("MailKey keeps running"),
                                tr("Your mail programs still get fresh tokens. Open MailKey from here, or quit it "
                                   "from this icon's menu."),
                                QSystemTrayIcon::Information, 5000);
        m_backgroundClosed = true;
        hide();
        event->ignore();
        return;
    }
    if (!m_service->isErased()) { // else settings.ini would come back
        m_settings->setWindowGeometry(saveGeometry());
        m_settings->setSplitterState(m_accountsPage->saveState());
        m_settings->sync();
    }
    if (m_session)
        m_session->cancel();
    QMainWindow::closeEvent(event);
}

} // namespace mailkey
