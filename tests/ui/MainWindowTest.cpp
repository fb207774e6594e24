// The main window end to end: a real AccountService (real vault under a real Secret Service),
// the strict fake authorization server, and a URL handler standing in for the browser.
// Connect through the UI, reconnect, remove, cancel while waiting, folders, hostile names, and the
// keychain / vault banners (no keychain, locked keychain, key missing, damaged vault); the token
// lifecycle as the window shows it: live status (Refreshing…, Needs sign-in after a revoked
// grant), Refresh now, alerts, revoked-or-not on removal, sign out everywhere's real result.
#include "ui/MainWindow.h"
#include "core/backup/BackupFile.h"
#include "core/common/Profile.h"
#include "core/keychain/KeyStore.h"
#include "core/oauth/ConnectSession.h"
#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderRegistry.h"
#include "core/providers/ProvidersFileWatcher.h"
#include "core/service/AccountService.h"
#include "core/service/AccountServiceTestAccess.h"
#include "core/service/AppSettings.h"
#include "core/service/Autostart.h"
#include "core/vault/AuditReader.h"
#include "core/vault/Vault.h"
#include "tests/support/ReplaceFile.h"
#include "tests/support/ScriptedMailServer.h"
#include "tests/support/TestTls.h"
#include "tests/support/TestUtil.h"
#include "tests/support/fakeidp/BrowserPool.h"
#include "tests/support/fakeidp/FakeAuthServer.h"
#include "tests/support/fakeidp/FakeBrowser.h"
#include "tests/ui/QrReader.h"
#include "ui/AccountDelegate.h"
#include "ui/AccountDetails.h"
#include "ui/AccountFilterModel.h"
#include "ui/AccountListPane.h"
#include "ui/AccountModel.h"
#include "ui/ActivityView.h"
#include "ui/BackupDialog.h"
#include "ui/Banner.h"
#include "ui/ConnectPanel.h"
#include "ui/ElidedLabel.h"
#include "ui/EmptyState.h"
#include "ui/MailCheckPanel.h"
#include "ui/ProviderEditor.h"
#include "ui/SettingsDialog.h"

#include <QAbstractSpinBox>
#include <QAccessible>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTextDocument>
#include <QThread>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>

#include <gtest/gtest.h>

#include <atomic>

#include <memory>
#include <optional>

using namespace mailkey;
using mailkey::test::FakeAuthServer;
using mailkey::test::FakeBrowser;
using mailkey::test::waitFor;

namespace {

const QString kClient = QStringLiteral("mailkey-ui-test-client");
// A confidential client: the fake server signs its id_tokens (HS256); "alg":"none" is refused.
const QString kSecret = QStringLiteral("ui-test-secret+/value");
const QString kHostileName = QStringLiteral("<b>Eve</b> <img src=\"http://evil.example/x.png\"> \u202Eevil");
const QString kHostileFolder = QStringLiteral("<i>Inbox</i><script>alert(1)</script>");

FakeAuthServer::User user(const QString &email, const QString &name)
{
    return {QStringLiteral("sub-") + email, email, name, email};
}

void expectAllLabelsPlain(QWidget *root)
{
    const auto labels = root->findChildren<QLabel *>();
    for (QLabel *l : labels) {
        if (l->objectName().startsWith(QLatin1String("clientIdLink-")))
            continue; // MailKey's own fixed link to a registration site (WidgetsTest checks its text)
        EXPECT_EQ(l->textFormat(), Qt::PlainText) << "label " << l->objectName().toStdString();
    }
}

// Saves what the window looks like, for a person to look at (MAILKEY_UI_DUMP_DIR).
void dump(QWidget *w, const QString &name)
{
    if (qEnvironmentVariableIsSet("MAILKEY_UI_DUMP_DIR"))
        w->grab().save(qEnvironmentVariable("MAILKEY_UI_DUMP_DIR") + QLatin1Char('/') + name);
}

// Every visible word-wrapped label under `root` has the height its text needs at its width.
void expectNothingClipped(QWidget *root, const char *where)
{
    const auto labels = root->findChildren<QLabel *>();
    for (QLabel *l : labels) {
        if (!l->isVisible() || !l->wordWrap() || l->text().isEmpty())
            continue;
        EXPECT_GE(l->height(), l->heightForWidth(l->width()))
            << where << ": " << l->objectName().toStdString() << " is clipped: " << l->text().left(40).toStdString();
    }
    const auto elided = root->findChildren<ElidedLabel *>();
    for (ElidedLabel *l : elided) {
        if (l->isVisible()) {
            EXPECT_GE(l->height(), l->fontMetrics().height()) << where << ": " << l->objectName().toStdString();
        }
    }
}

QAction *menuAction(QMenu *menu, const QString &objectName)
{
    const auto actions = menu->actions();
    for (QAction *a : actions) {
        if (a->objectName() == objectName)
            return a;
    }
    return nullptr;
}

template <typename T>
T *waitForChild(QWidget *parent, const QString &name, int ms = 5000)
{
    T *found = nullptr;
    waitFor(
        [&] {
            found = parent->findChild<T *>(name);
            return found && found->isVisible();
        },
        ms);
    return found;
}

// A test that runs in a child process with its own environment (no D-Bus, its own keyring).
bool isChild(const char *which)
{
    return qEnvironmentVariable("MAILKEY_UI_TEST_CHILD") == QLatin1String(which);
}

struct ChildResult {
    int exitCode = -1;
    QString output;
};

ChildResult runChild(const char *which, const QStringList &programAndArgs, const QProcessEnvironment &env)
{
    QProcess p;
    QProcessEnvironment e = env;
    e.insert(QStringLiteral("MAILKEY_UI_TEST_CHILD"), QString::fromLatin1(which));
    p.setProcessEnvironment(e);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(programAndArgs.first(), programAndArgs.mid(1));
    if (!p.waitForFinished(120000)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromLocal8Bit(p.readAll())};
}

// Every control a keyboard or screen-reader user can reach in `root` has an accessible name (its
// own or its label's, as Qt's accessibility bridge reports it to AT-SPI), and no name or
// description is markup. Returns what is wrong, one line per control.
QStringList unnamedControls(QWidget *root)
{
    QStringList problems;
    const auto widgets = root->findChildren<QWidget *>();
    for (QWidget *w : widgets) {
        if (!w->isVisibleTo(root) || w->focusPolicy() == Qt::NoFocus || !w->isEnabled())
            continue;
        const QWidget *parent = w->parentWidget();
        const bool part
            = parent && (qobject_cast<const QComboBox *>(parent) || qobject_cast<const QAbstractSpinBox *>(parent));
        if (qobject_cast<QScrollBar *>(w) || part)
            continue; // parts of another control, named by it
        QAccessibleInterface *i = QAccessible::queryAccessibleInterface(w);
        if (!i) {
            problems << QStringLiteral("%1 (%2): no accessible interface")
                            .arg(w->objectName(), QString::fromLatin1(w->metaObject()->className()));
            continue;
        }
        const QString name = i->text(QAccessible::Name).trimmed();
        bool labelled = !name.isEmpty();
        if (!labelled) {
            const auto labels = i->relations(QAccessible::Label);
            for (const auto &rel : labels)
                labelled = labelled || (rel.first && !rel.first->text(QAccessible::Name).trimmed().isEmpty());
        }
        if (!labelled)
            problems << QStringLiteral("%1 (%2): no accessible name")
                            .arg(w->objectName(), QString::fromLatin1(w->metaObject()->className()));
        for (const QString &t : {name, i->text(QAccessible::Description)}) {
            if (t.contains(QLatin1Char('<')) && t.contains(QLatin1Char('>')) && Qt::mightBeRichText(t))
                problems << QStringLiteral("%1: markup in \"%2\"").arg(w->objectName(), t);
        }
    }
    return problems;
}

// Locks the private keyring's login collection over D-Bus (as PLATFORM-NOTES shows).
bool lockLoginKeyring()
{
    return QProcess::execute(QStringLiteral("gdbus"),
                             {QStringLiteral("call"), QStringLiteral("--session"), QStringLiteral("--dest"),
                              QStringLiteral("org.freedesktop.secrets"), QStringLiteral("--object-path"),
                              QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("--method"),
                              QStringLiteral("org.freedesktop.Secret.Service.Lock"),
                              QStringLiteral("['/org/freedesktop/secrets/collection/login']")})
           == 0;
}

// xdotool on $DISPLAY, the event loop running meanwhile; its output (e.g. a window id).
QString xdotool(const QStringList &args, int timeoutMs = 20000)
{
    QProcess p;
    p.start(QStringLiteral("xdotool"), args);
    if (!p.waitForStarted(10000))
        return {};
    waitFor([&] { return p.state() == QProcess::NotRunning; }, timeoutMs);
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished(2000);
        return {};
    }
    return QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed().section(QLatin1Char('\n'), 0, 0);
}

// gnome-keyring's own password window (gcr-prompter), once it is mapped.
QString keyringPromptWindow()
{
    return xdotool({QStringLiteral("search"), QStringLiteral("--sync"), QStringLiteral("--onlyvisible"),
                    QStringLiteral("--class"), QStringLiteral("gcr-prompter")},
                   30000);
}

} // namespace

// ------------------------------------------------------------------------------------------

class MainWindowTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        if (qEnvironmentVariableIsSet("MAILKEY_UI_TEST_CHILD"))
            GTEST_SKIP() << "parent-only test";
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        ASSERT_TRUE(m_dir.isValid());
        qputenv("MAILKEY_DATA_DIR", QFile::encodeName(m_dir.filePath(QStringLiteral("data"))));
        qputenv("MAILKEY_CONFIG_DIR", QFile::encodeName(m_dir.filePath(QStringLiteral("config"))));
        QDir().mkpath(m_dir.filePath(QStringLiteral("config")));

        ASSERT_TRUE(m_server.listen());
        m_server.addClient({kClient, kSecret, {}});
        m_server.setUser(user(QStringLiteral("alice@example.com"), QStringLiteral("Alice Example")));
        m_server.setMailFolders({{kHostileFolder, 3, 12}, {QStringLiteral("Sent Items"), 0, 40}});
        writeProvidersFile();

        m_settings = std::make_unique<AppSettings>(m_dir.filePath(QStringLiteral("config/settings.ini")));
        m_settings->setProviderValue(QStringLiteral("microsoft"), QStringLiteral("client_id"),
                                     QStringLiteral("ms-ui-test"));
        m_settings->setProviderValue(QStringLiteral("microsoft"), QStringLiteral("mail_api_base"),
                                     m_server.baseUrl().toString() + QStringLiteral("v1.0"));

        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        m_desktop = std::make_unique<test::BrowserPool>(&m_nam);
        QDesktopServices::setUrlHandler(QStringLiteral("http"), m_desktop.get(), "open");
        m_registry = std::make_unique<ProviderRegistry>(ProviderRegistry::Settings{}, QProcessEnvironment());
    }

    void TearDown() override
    {
        if (qEnvironmentVariableIsSet("MAILKEY_UI_TEST_CHILD"))
            return;
        QDesktopServices::unsetUrlHandler(QStringLiteral("http"));
        QList<QByteArray> secrets{kSecret.toUtf8(), m_server.lastIssuedAccessToken().toUtf8(),
                                  m_server.lastIssuedRefreshToken().toUtf8(), m_server.lastIssuedCode().toUtf8(),
                                  m_server.lastIssuedIdToken().toUtf8()};
        for (const QUrlQuery &q : m_server.authorizeRequests())
            secrets.append(q.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded).toUtf8());
        for (const auto &t : m_server.tokenRequests())
            secrets.append(t.value(QStringLiteral("code_verifier")).toUtf8());
        secrets.removeAll(QByteArray());
        test::expectNotLogged(secrets);
        m_window.reset();
        m_service.reset();
        qunsetenv("MAILKEY_DATA_DIR");
        qunsetenv("MAILKEY_CONFIG_DIR");
    }

    void writeProvidersFile(const QJsonObject &extra = {})
    {
        QJsonObject provider{
            {QStringLiteral("id"), QStringLiteral("fake")},
            {QStringLiteral("name"), QStringLiteral("Fake IdP")},
            {QStringLiteral("issuer"), m_server.issuer()},
            {QStringLiteral("authorization_endpoint"), m_server.authorizeUrl().toString()},
            {QStringLiteral("token_endpoint"), m_server.tokenUrl().toString()},
            {QStringLiteral("userinfo_endpoint"), m_server.userinfoUrl().toString()},
            {QStringLiteral("revocation_endpoint"), m_server.revokeUrl().toString()},
            {QStringLiteral("client_id"), kClient},
            {QStringLiteral("client_secret"), kSecret},
            {QStringLiteral("scopes"), QJsonArray{QStringLiteral("openid"), QStringLiteral("email"),
                                                  QStringLiteral("profile"), QStringLiteral("offline_access")}},
        };
        for (auto it = extra.begin(); it != extra.end(); ++it)
            provider.insert(it.key(), it.value());
        QFile f(m_dir.filePath(QStringLiteral("config/providers.json")));
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{QStringLiteral("providers"), QJsonArray{provider}}}).toJson());
    }

    // The service and the window, shown; waits for the vault.
    void open(bool waitReady = true)
    {
        m_service = std::make_unique<AccountService>(m_profile, &m_nam, m_registry.get());
        ConnectSession::Options o;
        o.profileRetry = RetryPolicy::fast();
        o.device.intervalScale = 0.02; // the device flow's 5 s polls every 100 ms
        m_service->setConnectOptions(o);
        m_window = std::make_unique<MainWindow>(m_service.get(), m_settings.get());
        m_window->show();
        if (waitReady) {
            ASSERT_TRUE(waitFor([&] { return m_service->vaultState() == VaultState::Ready; }, 30000));
        }
    }

    // Connects through the UI: the "Connect account" menu, the browser, the callback.
    Account connectThroughUi(const QString &providerAction = QStringLiteral("connect-fake"))
    {
        QAction *action = menuAction(m_window->connectMenu(), providerAction);
        EXPECT_TRUE(action);
        if (!action)
            return Account();
        EXPECT_TRUE(m_window->connectButton()->isEnabled());
        const int rows = m_window->model()->rowCount();
        action->trigger();
        EXPECT_TRUE(m_window->connectPanel()->isVisible());
        EXPECT_FALSE(m_window->connectButton()->isEnabled());
        EXPECT_TRUE(waitFor([&] { return m_window->messageBanner()->isVisible(); }, 30000));
        EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Success)
            << m_window->messageBanner()->message().toStdString();
        EXPECT_FALSE(m_window->connectPanel()->isVisible());
        EXPECT_TRUE(m_window->connectButton()->isEnabled());
        EXPECT_GE(m_window->model()->rowCount(), rows);
        const qint64 id = m_window->selectedAccountId();
        EXPECT_NE(id, 0);
        return m_window->model()->accountAt(m_window->model()->indexOfId(id));
    }

    // More mailboxes, written through the real vault with copies of `from`'s tokens (a real
    // sign-in), then listed by the window. Returns their ids in the order given.
    QList<qint64> seedAccounts(const Account &from, const QList<AccountInfo> &infos)
    {
        const std::shared_ptr<Vault> vault = AccountServiceTestAccess::vault(*m_service);
        const auto token = vault->token(from.id, QStringLiteral("default"));
        EXPECT_TRUE(token.ok() && token.value().has_value());
        QList<qint64> ids;
        if (!token.ok() || !token.value().has_value())
            return ids;
        for (const AccountInfo &info : infos) {
            TokenRecord record = (*token)->clone();
            const auto saved = vault->saveConnection(info, record, QDateTime::currentDateTimeUtc());
            EXPECT_TRUE(saved.ok());
            ids.append(saved.ok() ? saved->accountId : 0);
        }
        return ids;
    }

    QList<qint64> shownIds() const
    {
        QList<qint64> ids;
        const AccountFilterModel *rows = m_window->listModel();
        for (int r = 0; r < rows->rowCount(); ++r)
            ids.append(rows->index(r, 0).data(AccountModel::IdRole).toLongLong());
        return ids;
    }

    QTemporaryDir m_dir;
    Profile m_profile{test::uniqueName(QStringLiteral("ui"))};
    FakeAuthServer m_server;
    QNetworkAccessManager m_nam;
    std::unique_ptr<test::BrowserPool> m_desktop; // QDesktopServices::openUrl("http://...") lands here
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<ProviderRegistry> m_registry;
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<MainWindow> m_window;
};

TEST_F(MainWindowTest, AppearsAtOnceThenShowsTheEmptyState)
{
    open(false);
    // Before the event loop ran: the window is there, the vault is not open yet.
    EXPECT_TRUE(m_window->isVisible());
    EXPECT_EQ(m_window->windowTitle(), QStringLiteral("MailKey — ") + m_profile.name());
    EXPECT_TRUE(QFile::exists(QStringLiteral(":/icons/mailkey.svg")));
    EXPECT_FALSE(m_window->windowIcon().isNull());
    EXPECT_EQ(m_window->currentPage(), m_window->loadingPage());
    EXPECT_NE(m_service->vaultState(), VaultState::Ready);
    EXPECT_FALSE(m_window->connectButton()->isEnabled());

    ASSERT_TRUE(waitFor([&] { return m_service->vaultState() == VaultState::Ready; }, 30000));
    EXPECT_EQ(m_window->currentPage(), m_window->emptyState());
    EXPECT_TRUE(m_window->vaultBanner()->isHidden());
    EXPECT_TRUE(m_window->connectButton()->isEnabled());
    // The configured providers, and "Add a provider…".
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-microsoft")));
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-google")));
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-fake")));
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("addProvider")));
    // Google has no client id in this test: the empty state says how to get one.
    EXPECT_TRUE(m_window->emptyState()->findChild<QLabel *>(QStringLiteral("clientIdHint-google")));
    EXPECT_FALSE(m_window->emptyState()->findChild<QLabel *>(QStringLiteral("clientIdHint-fake")));
    expectAllLabelsPlain(m_window.get());
}

TEST_F(MainWindowTest, ConnectThroughTheUiShowsTheNewRowSelected)
{
    m_server.setUser(user(QStringLiteral("eve@example.com"), kHostileName));
    open();
    const Account a = connectThroughUi();
    EXPECT_EQ(a.email, QStringLiteral("eve@example.com"));
    ASSERT_EQ(m_window->model()->rowCount(), 1);
    EXPECT_EQ(m_window->currentPage(), static_cast<QWidget *>(m_window->accountsPage()));
    EXPECT_EQ(m_desktop->opened.size(), 1);
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("Mailbox connected"));

    // The hostile display name is shown literally, cleaned of its bidi override, everywhere.
    const QModelIndex row = m_window->model()->index(0);
    EXPECT_TRUE(row.data(Qt::DisplayRole).toString().startsWith(QStringLiteral("<b>Eve</b> <img")));
    EXPECT_FALSE(row.data(Qt::DisplayRole).toString().contains(QChar(0x202E)));
    auto *name = m_window->details()->findChild<ElidedLabel *>(QStringLiteral("detailsName"));
    ASSERT_TRUE(name);
    EXPECT_TRUE(name->text().startsWith(QStringLiteral("<b>Eve</b>")));
    expectAllLabelsPlain(m_window.get());

    // Details: provider, scopes, expiry; a provider without a mail API says so in place.
    EXPECT_TRUE(m_window->details()
                    ->findChild<QLabel *>(QStringLiteral("detailsProvider"))
                    ->text()
                    .contains(QStringLiteral("Fake IdP")));
    EXPECT_TRUE(m_window->details()
                    ->findChild<QLabel *>(QStringLiteral("detailsScopes"))
                    ->text()
                    .contains(QStringLiteral("offline_access")));
    auto *folderError = m_window->details()->findChild<QLabel *>(QStringLiteral("folderError"));
    ASSERT_TRUE(waitFor([&] { return folderError->isVisible(); }, 10000));
    EXPECT_TRUE(folderError->text().contains(QStringLiteral("no mail folder API")));
    // Activity: the mailbox's audit entries (the sign-in added it), read off the GUI thread: the
    // same entries the vault's own connection reads.
    QTreeWidget *activity = m_window->details()->activityList();
    ASSERT_TRUE(waitFor([&] { return !m_window->details()->isActivityLoading(); }, 10000));
    const QList<AuditEntry> stored = m_service->auditFor(a.id, AccountDetails::ActivityLimit);
    ASSERT_GE(stored.size(), 1);
    ASSERT_EQ(activity->topLevelItemCount(), stored.size());
    for (int i = 0; i < stored.size(); ++i)
        EXPECT_EQ(activity->topLevelItem(i)->text(1), AccountDetails::actionText(stored.at(i).action));
    EXPECT_EQ(activity->topLevelItem(0)->text(1), QStringLiteral("Mailbox added"));

    // Copy address.
    m_window->copyAddress(a.id);
    EXPECT_EQ(QGuiApplication::clipboard()->text(), QStringLiteral("eve@example.com"));
}

// "Test mail connection": the Mailbox menu's action logs in to the provider's IMAP and SMTP servers
// (scripted servers on loopback ports, named by imap_host / smtp_host in providers.json), the
// "Mail login" tab shows each server and its steps as they come, then what failed, what to do, and
// what the administrator must do (copyable); the list marks the mailbox; the result is kept in the
// vault and shown again by a new window.
TEST_F(MainWindowTest, TestMailConnectionShowsEachServerWhatToDoAndMarksTheRow)
{
    using mailkey::test::ScriptedMailServer;
    QByteArray certPem;
    const std::optional<QSslConfiguration> tls = mailkey::test::selfSignedServerTls(&certPem);
    ASSERT_TRUE(tls);
    ScriptedMailServer imap(ScriptedMailServer::Tls::Implicit, *tls);
    ScriptedMailServer smtp(ScriptedMailServer::Tls::StartTls, *tls);
    ASSERT_TRUE(imap.start() && smtp.start());
    imap.greeting = "* OK IMAP4rev1 ready\r\n";
    imap.respond = [](const QByteArray &line) {
        return mailkey::test::imapAnswer(line, "IMAP4rev1 AUTH=XOAUTH2 SASL-IR", mailkey::test::imapAuthOk);
    };
    smtp.greeting = "220 smtp.test ESMTP ready\r\n";
    smtp.respond = mailkey::test::smtpServer([](const QByteArray &) {
        return ScriptedMailServer::Answer{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                                          "disabled for the Mailbox.\r\n"};
    });
    writeProvidersFile({{QStringLiteral("imap_host"), QStringLiteral("imaps://127.0.0.1:%1").arg(imap.serverPort())},
                        {QStringLiteral("smtp_host"), QStringLiteral("smtp://127.0.0.1:%1").arg(smtp.serverPort())}});
    open();
    MailCheck::Options options;
    options.caCertificates = QSslCertificate::fromData(certPem, QSsl::Pem);
    options.connectTimeoutMs = 5000;
    options.replyTimeoutMs = 5000;
    m_service->setMailCheckOptions(options);
    const Account a = connectThroughUi();
    ASSERT_NE(a.id, 0);

    MailCheckPanel *panel = m_window->details()->mailCheckPanel();
    EXPECT_TRUE(panel->summaryText().startsWith(QStringLiteral("Not tested yet")))
        << panel->summaryText().toStdString();
    QAction *test = m_window->testMailAction();
    ASSERT_TRUE(test->isEnabled());
    test->trigger();
    EXPECT_TRUE(panel->isVisible()); // the "Mail login" tab came to the front
    EXPECT_TRUE(panel->isRunning());
    EXPECT_FALSE(panel->testButton()->isEnabled());
    EXPECT_TRUE(panel->summaryText().startsWith(QStringLiteral("Testing")));
    ASSERT_TRUE(waitFor([&] { return !panel->isRunning(); }, 30000));

    // A result per server, with its steps.
    QTreeWidget *results = panel->resultList();
    ASSERT_EQ(results->topLevelItemCount(), 2);
    QTreeWidgetItem *imapRow = results->topLevelItem(0);
    QTreeWidgetItem *smtpRow = results->topLevelItem(1);
    EXPECT_TRUE(imapRow->text(0).startsWith(QStringLiteral("IMAP imaps://127.0.0.1:")))
        << imapRow->text(0).toStdString();
    EXPECT_EQ(imapRow->text(1), QStringLiteral("Works (XOAUTH2)"));
    EXPECT_GE(imapRow->childCount(), 5); // connect, tls, greeting, capabilities, authenticate, ...
    EXPECT_TRUE(smtpRow->text(0).startsWith(QStringLiteral("SMTP smtp://127.0.0.1:")));
    EXPECT_EQ(smtpRow->text(1), QStringLiteral("Login refused"));
    EXPECT_TRUE(smtpRow->isExpanded());
    bool failedStepShown = false;
    for (int i = 0; i < smtpRow->childCount(); ++i)
        failedStepShown = failedStepShown || smtpRow->child(i)->text(1).startsWith(QStringLiteral("Failed"));
    EXPECT_TRUE(failedStepShown);

    // What it means, what to do, what the administrator must do (copyable).
    EXPECT_TRUE(panel->summaryText().contains(QStringLiteral("would not get in")))
        << panel->summaryText().toStdString();
    EXPECT_TRUE(panel->adviceText().contains(QStringLiteral("SMTP AUTH"))) << panel->adviceText().toStdString();
    EXPECT_TRUE(panel->adviceText().contains(QStringLiteral("What to do:")));
    const QString adminCommand
        = QStringLiteral("Set-CASMailbox -Identity %1 -SmtpClientAuthenticationDisabled $false").arg(a.email);
    EXPECT_TRUE(panel->adminText().contains(adminCommand)) << panel->adminText().toStdString();
    ASSERT_TRUE(panel->copyAdminButton()->isVisible());
    if (qEnvironmentVariableIsSet("MAILKEY_UI_DUMP_DIR")) // to look at: the tab as a person sees it
    {
        const QString dir = qEnvironmentVariable("MAILKEY_UI_DUMP_DIR");
        m_window->grab().save(dir + QStringLiteral("/mail-check.png"));
        // The whole tab, scrolled or not.
        if (auto *scroll = panel->findChild<QScrollArea *>())
            scroll->widget()->grab().save(dir + QStringLiteral("/mail-check-tab.png"));
    }
    panel->copyAdminButton()->click();
    EXPECT_TRUE(QGuiApplication::clipboard()->text().contains(adminCommand));
    EXPECT_TRUE(panel->testButton()->isEnabled());
    expectAllLabelsPlain(m_window.get());

    // The list marks the mailbox; the audit log and the vault have the check, without the token.
    const QModelIndex row = m_window->model()->indexOfId(a.id);
    EXPECT_EQ(row.data(AccountModel::MailLoginFailedRole).toString(), QStringLiteral("SMTP"));
    EXPECT_TRUE(row.data(AccountModel::StatusTextRole).toString().startsWith(QStringLiteral("SMTP login failed")))
        << row.data(AccountModel::StatusTextRole).toString().toStdString();
    const QList<MailCheckRecord> checks = m_service->mailChecks(a.id);
    ASSERT_EQ(checks.size(), 2);
    EXPECT_TRUE(checks.at(0).ok());
    EXPECT_EQ(checks.at(1).outcome, QStringLiteral("refused"));
    int auditChecks = 0;
    for (const AuditEntry &e : m_service->auditFor(a.id)) {
        if (e.action != QLatin1String("mail.check"))
            continue;
        ++auditChecks;
        EXPECT_EQ(e.actor, QStringLiteral("mailkey"));
        EXPECT_FALSE(e.detail.contains(m_server.lastIssuedAccessToken()));
    }
    EXPECT_EQ(auditChecks, 2);

    // A new window shows the last check, and the mark, from the vault.
    m_window.reset();
    m_window = std::make_unique<MainWindow>(m_service.get(), m_settings.get());
    m_window->show();
    ASSERT_TRUE(waitFor([&] { return m_window->model()->rowCount() == 1; }, 10000));
    m_window->selectAccount(a.id);
    panel = m_window->details()->mailCheckPanel();
    EXPECT_TRUE(panel->summaryText().startsWith(QStringLiteral("Last tested just now: IMAP works, SMTP failed")))
        << panel->summaryText().toStdString();
    EXPECT_TRUE(panel->adviceText().contains(QStringLiteral("SMTP AUTH")));
    EXPECT_EQ(m_window->model()->indexOfId(a.id).data(AccountModel::MailLoginFailedRole).toString(),
              QStringLiteral("SMTP"));

    // SMTP AUTH turned on: the next test clears the mark.
    smtp.respond = mailkey::test::smtpServer(
        [](const QByteArray &) { return ScriptedMailServer::Answer{"235 2.7.0 Authentication successful\r\n"}; });
    panel->testButton()->click();
    ASSERT_TRUE(waitFor([&] { return panel->isRunning(); }, 5000));
    ASSERT_TRUE(waitFor([&] { return !panel->isRunning(); }, 30000));
    EXPECT_TRUE(panel->summaryText().startsWith(QStringLiteral("Every login works")))
        << panel->summaryText().toStdString();
    EXPECT_FALSE(panel->copyAdminButton()->isVisible());
    EXPECT_TRUE(m_window->model()->indexOfId(a.id).data(AccountModel::MailLoginFailedRole).toString().isEmpty());
}

// The administrator's policy: only the allowed providers are offered, "Add a provider…" and the
// mail connection test are gone, and what of the policy was ignored is shown.
TEST_F(MainWindowTest, ThePolicyLimitsWhatTheWindowOffers)
{
    m_settings->setPolicy(ManagedPolicy::fromJson(
        R"({"allowed_providers": ["microsoft"], "disabled_features": ["custom_providers", "mail_check", "x"]})",
        QStringLiteral("/etc/xdg/MailKey/policy.json")));
    open();
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-microsoft")));
    EXPECT_FALSE(menuAction(m_window->connectMenu(), QStringLiteral("connect-google")));
    EXPECT_FALSE(menuAction(m_window->connectMenu(), QStringLiteral("connect-fake"))); // custom providers are off
    EXPECT_FALSE(menuAction(m_window->connectMenu(), QStringLiteral("addProvider")));
    EXPECT_FALSE(m_window->testMailAction()->isVisible());
    EXPECT_TRUE(m_window->configBanner()->isVisible());
    EXPECT_TRUE(m_window->configBanner()->message().contains(QStringLiteral("\"x\" is not a feature")))
        << m_window->configBanner()->message().toStdString();
}

// Issue 16.1: "Add a provider…" leads straight to the provider editor; what it saves is offered
// at once. Settings has the same editor behind "Add or edit providers…".
TEST_F(MainWindowTest, AddAProviderOpensTheEditorAndTheSavedProviderIsOffered)
{
    open();
    QAction *add = menuAction(m_window->connectMenu(), QStringLiteral("addProvider"));
    ASSERT_TRUE(add);
    add->trigger();
    auto *editor = waitForChild<ProviderEditor>(m_window.get(), QStringLiteral("providerEditor"));
    ASSERT_TRUE(editor);
    EXPECT_EQ(QFileInfo(editor->path()), QFileInfo(m_dir.filePath(QStringLiteral("config/providers.json"))));
    EXPECT_EQ(editor->providerChoice()->count(), 2); // New provider, Fake IdP
    editor->field(QStringLiteral("name"))->setText(QStringLiteral("Second IdP"));
    Q_EMIT editor->field(QStringLiteral("name"))->textEdited(QStringLiteral("Second IdP"));
    EXPECT_EQ(editor->field(QStringLiteral("id"))->text(), QStringLiteral("second-idp"));
    editor->field(QStringLiteral("issuer"))->setText(m_server.issuer());
    editor->field(QStringLiteral("authorization_endpoint"))->setText(m_server.authorizeUrl().toString());
    editor->field(QStringLiteral("token_endpoint"))->setText(m_server.tokenUrl().toString());
    editor->field(QStringLiteral("client_id"))->setText(kClient);
    ASSERT_TRUE(editor->canSave());
    QTest::qWait(100); // the layout settles (a reason shown, then hidden again)
    EXPECT_TRUE(editor->problemLabel(QStringLiteral("token_endpoint"))->isHidden());
    dump(editor, QStringLiteral("provider-editor-window.png"));
    editor->saveButton()->click();
    ASSERT_TRUE(waitFor([&] { return menuAction(m_window->connectMenu(), QStringLiteral("connect-second-idp")); }));
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-fake"))); // the other one is kept
    EXPECT_TRUE(m_window->configBanner()->isHidden()) << m_window->configBanner()->message().toStdString();
    EXPECT_TRUE(waitFor([&] { return !m_window->findChild<ProviderEditor *>(); }));

    // Settings → Add or edit providers… opens the editor over the Settings dialog.
    m_window->openSettings();
    auto *settings = waitForChild<SettingsDialog>(m_window.get(), QStringLiteral("settingsDialog"));
    ASSERT_TRUE(settings);
    auto *editButton = settings->findChild<QPushButton *>(QStringLiteral("editProviders"));
    ASSERT_TRUE(editButton);
    editButton->click();
    editor = waitForChild<ProviderEditor>(settings, QStringLiteral("providerEditor"));
    ASSERT_TRUE(editor);
    ASSERT_TRUE(editor->removeProvider(QStringLiteral("second-idp")));
    EXPECT_TRUE(waitFor([&] { return !menuAction(m_window->connectMenu(), QStringLiteral("connect-second-idp")); }));
    // The Settings dialog's client id rows follow the file.
    EXPECT_FALSE(settings->field(QStringLiteral("customClientId-second-idp")));
    EXPECT_TRUE(settings->field(QStringLiteral("customClientId-fake")));
    editor->reject();
    settings->reject();
}

// A providers.json changed outside MailKey is used without Save or a restart; a broken one says
// what is wrong and keeps the providers read before.
TEST_F(MainWindowTest, AProvidersFileChangedOutsideIsPickedUpAndABrokenOneKeepsItsProviders)
{
    open();
    ASSERT_TRUE(m_window->providersWatcher());
    EXPECT_EQ(QFileInfo(m_window->providersWatcher()->path()),
              QFileInfo(m_dir.filePath(QStringLiteral("config/providers.json"))));
    m_window->providersWatcher()->setDelay(50);
    const QString path = m_dir.filePath(QStringLiteral("config/providers.json"));
    QJsonObject doc = QJsonDocument::fromJson([&] {
                          QFile f(path);
                          return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
                      }())
                          .object();
    QJsonArray list = doc.value(QStringLiteral("providers")).toArray();
    list.append(QJsonObject{{QStringLiteral("id"), QStringLiteral("third")},
                            {QStringLiteral("name"), QStringLiteral("Third")},
                            {QStringLiteral("issuer"), QStringLiteral("https://third.example.com")}});
    doc.insert(QStringLiteral("providers"), list);
    ASSERT_TRUE(test::replaceFileByRename(path, QJsonDocument(doc).toJson()));
    ASSERT_TRUE(waitFor([&] { return menuAction(m_window->connectMenu(), QStringLiteral("connect-third")); }));

    ASSERT_TRUE(test::replaceFileByRename(path, R"({"providers": [{"id": "third", )"));
    ASSERT_TRUE(waitFor([&] { return m_window->configBanner()->isVisible(); }));
    EXPECT_TRUE(m_window->configBanner()->message().contains(QStringLiteral("not valid JSON")))
        << m_window->configBanner()->message().toStdString();
    EXPECT_TRUE(m_window->configBanner()->message().contains(QStringLiteral("still used")));
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-fake")));
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-third")));
    dump(m_window.get(), QStringLiteral("providers-file-broken.png"));

    writeProvidersFile(); // fixed: only the fake provider again
    ASSERT_TRUE(waitFor([&] { return !menuAction(m_window->connectMenu(), QStringLiteral("connect-third")); }));
    EXPECT_TRUE(waitFor([&] { return m_window->configBanner()->isHidden(); }));
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-fake")));
}

// `mailkey --providers FILE`: that file for this run (watched, not saved in the settings); a
// missing file is said on stderr, exit 2.
TEST_F(MainWindowTest, TheProvidersOptionUsesThatFileForThisRun)
{
    const QString other = m_dir.filePath(QStringLiteral("elsewhere.json"));
    {
        QFile f(other);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(R"({"providers": [{"id": "elsewhere", "issuer": "https://elsewhere.example.com"}]})");
    }
    open();
    m_window->setProvidersFileOverride(other);
    EXPECT_TRUE(menuAction(m_window->connectMenu(), QStringLiteral("connect-elsewhere")));
    EXPECT_FALSE(menuAction(m_window->connectMenu(), QStringLiteral("connect-fake")));
    EXPECT_EQ(m_window->providersWatcher()->path(), other);
    EXPECT_TRUE(m_settings->customProvidersFile().isEmpty());
    m_window->openSettings();
    auto *settings = waitForChild<SettingsDialog>(m_window.get(), QStringLiteral("settingsDialog"));
    ASSERT_TRUE(settings);
    EXPECT_EQ(settings->field(QStringLiteral("providersFile"))->text(), other);
    EXPECT_TRUE(settings->field(QStringLiteral("providersFile"))->isReadOnly());
    settings->accept();
    EXPECT_TRUE(AppSettings(m_settings->path()).customProvidersFile().isEmpty());
    // The editor edits that file.
    menuAction(m_window->connectMenu(), QStringLiteral("addProvider"))->trigger();
    auto *editor = waitForChild<ProviderEditor>(m_window.get(), QStringLiteral("providerEditor"));
    ASSERT_TRUE(editor);
    EXPECT_EQ(editor->path(), other);
    editor->reject();

    // The program itself.
    QProcess help;
    help.start(QStringLiteral(MAILKEY_GUI_BINARY), {QStringLiteral("--help")});
    ASSERT_TRUE(help.waitForFinished(30000));
    EXPECT_TRUE(help.readAllStandardOutput().contains("--providers <FILE>"));
    QProcess missing;
    missing.start(QStringLiteral(MAILKEY_GUI_BINARY),
                  {QStringLiteral("--providers"), m_dir.filePath(QStringLiteral("no-such.json")),
                   QStringLiteral("--profile"), test::uniqueName(QStringLiteral("opt"))});
    ASSERT_TRUE(missing.waitForFinished(30000));
    EXPECT_EQ(missing.exitStatus(), QProcess::NormalExit);
    EXPECT_EQ(missing.exitCode(), 2);
    const QByteArray err = missing.readAllStandardError();
    EXPECT_TRUE(err.contains("no-such.json") && err.contains("does not exist")) << err.toStdString();
}

TEST_F(MainWindowTest, FoldersLoadWithProgressAndShowLiterally)
{
    open();
    // A Microsoft mailbox whose Graph API is the fake server: its token comes from a real sign-in.
    const Account fake = connectThroughUi();
    const auto token = AccountServiceTestAccess::vault(*m_service)->token(fake.id, QStringLiteral("default"));
    ASSERT_TRUE(token.ok() && token.value().has_value());
    AccountInfo info{QStringLiteral("microsoft"), QStringLiteral("ms@contoso.example"), QStringLiteral("Megan Bowen"),
                     QStringLiteral("contoso.onmicrosoft.com"), QStringLiteral("sub-ms")};
    TokenRecord record = (*token)->clone();
    const auto saved
        = AccountServiceTestAccess::vault(*m_service)->saveConnection(info, record, QDateTime::currentDateTimeUtc());
    ASSERT_TRUE(saved.ok());
    Q_EMIT m_service->accountsChanged();
    ASSERT_TRUE(waitFor([&] { return m_window->model()->rowCount() == 2; }));

    m_window->selectAccount(saved->accountId);
    QTreeWidget *folders = m_window->details()->folderList();
    ASSERT_TRUE(waitFor([&] { return folders->isVisible() && folders->topLevelItemCount() == 2; }, 15000));
    EXPECT_EQ(folders->topLevelItem(0)->text(0), kHostileFolder);
    EXPECT_EQ(folders->topLevelItem(0)->text(1), QStringLiteral("3"));
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::MailFolders), 1);
    EXPECT_TRUE(m_window->details()
                    ->findChild<QLabel *>(QStringLiteral("detailsTenant"))
                    ->text()
                    .contains(QStringLiteral("contoso")));

    // Reload: a progress indicator while it runs, then the folders again.
    m_server.setLatency(300);
    m_window->reloadFolders(saved->accountId);
    EXPECT_TRUE(m_window->details()->findChild<QWidget *>(QStringLiteral("folderProgress"))->isVisible());
    ASSERT_TRUE(waitFor([&] { return folders->isVisible(); }, 15000));
    // An error is shown in place.
    m_server.setLatency(0);
    FakeAuthServer::Fault fault;
    fault.kind = FakeAuthServer::Fault::ServerError;
    fault.count = -1;
    m_server.injectFault(FakeAuthServer::Endpoint::MailFolders, fault);
    m_window->reloadFolders(saved->accountId);
    auto *folderError = m_window->details()->findChild<QLabel *>(QStringLiteral("folderError"));
    ASSERT_TRUE(waitFor([&] { return folderError->isVisible(); }, 60000));
    EXPECT_FALSE(folderError->text().isEmpty());
    m_server.clearFaults();
}

TEST_F(MainWindowTest, HostileNamesDoNotChangeTheLayout)
{
    open();
    connectThroughUi();
    m_window->resize(900, 600);
    waitFor([] { return false; }, 50);
    const QSize minimum = m_window->minimumSizeHint();
    const int rowHeight = m_window->accountList()->sizeHintForRow(0);
    const int width = m_window->width();

    // The longest address MailKey accepts (a longer one is refused at sign-in, as is one with
    // control or bidi characters; those are dropped from the display name).
    m_server.setUser(user(QString(64, QLatin1Char('x')) + QLatin1Char('@') + QString(177, QLatin1Char('y'))
                              + QStringLiteral(".example.com"),
                          QString(10000, QLatin1Char('W')) + QStringLiteral("\u202E\u2066")));
    connectThroughUi();
    ASSERT_EQ(m_window->model()->rowCount(), 2);
    waitFor([] { return false; }, 50);
    EXPECT_EQ(m_window->accountList()->sizeHintForRow(1), rowHeight);
    EXPECT_EQ(m_window->minimumSizeHint(), minimum);
    EXPECT_EQ(m_window->width(), width);
    EXPECT_LE(m_window->details()->sizeHint().width(), 1200);
}

TEST_F(MainWindowTest, KeyboardMovesAndActsOnTheSelection)
{
    open();
    const Account first = connectThroughUi();
    m_server.setUser(user(QStringLiteral("bob@example.com"), QStringLiteral("Bob")));
    const Account second = connectThroughUi();
    QListView *list = m_window->accountList();
    m_window->activateWindow();
    list->setFocus();
    m_window->selectAccount(first.id);
    QTest::keyClick(list, Qt::Key_Down);
    EXPECT_EQ(m_window->selectedAccountId(), second.id);
    EXPECT_EQ(m_window->details()->accountId(), second.id);
    QTest::keyClick(list, Qt::Key_Up);
    EXPECT_EQ(m_window->selectedAccountId(), first.id);
    // The rows speak: name and address, provider and status.
    const QModelIndex current = list->currentIndex();
    EXPECT_EQ(current.data(Qt::AccessibleTextRole).toString(), QStringLiteral("Alice Example, alice@example.com"));
    EXPECT_TRUE(
        current.data(Qt::AccessibleDescriptionRole).toString().startsWith(QStringLiteral("Fake IdP, Connected")));
    EXPECT_FALSE(list->accessibleName().isEmpty());
    // Delete in the list asks to remove the selected mailbox.
    QAction *remove = nullptr;
    for (QAction *a : list->actions()) {
        if (a->shortcut() == QKeySequence(QKeySequence::Delete))
            remove = a;
    }
    ASSERT_TRUE(remove);
    remove->trigger();
    auto *box = waitForChild<QMessageBox>(m_window.get(), QStringLiteral("confirmRemove"));
    ASSERT_TRUE(box);
    EXPECT_TRUE(box->text().contains(QStringLiteral("alice@example.com")));
    // Escape (the default button too) is Cancel: a stray Enter removes nothing.
    EXPECT_EQ(box->defaultButton(), box->button(QMessageBox::Cancel));
    box->button(QMessageBox::Cancel)->click();
    waitFor([] { return false; }, 50);
    EXPECT_EQ(m_window->model()->rowCount(), 2);
}

TEST_F(MainWindowTest, ReconnectKeepsTheRow)
{
    open();
    const Account first = connectThroughUi();
    m_server.setUser(user(QStringLiteral("bob@example.com"), QStringLiteral("Bob")));
    const Account second = connectThroughUi();
    ASSERT_EQ(m_window->model()->rowCount(), 2);
    m_server.setUser(user(QStringLiteral("alice@example.com"), QStringLiteral("Alice Example")));

    m_window->selectAccount(first.id);
    auto *reconnect = m_window->details()->findChild<QPushButton *>(QStringLiteral("reconnectButton"));
    ASSERT_TRUE(reconnect);
    reconnect->click();
    EXPECT_TRUE(m_window->connectPanel()->isVisible());
    ASSERT_TRUE(waitFor([&] { return !m_window->connectPanel()->isVisible(); }, 30000));
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Success)
        << m_window->messageBanner()->message().toStdString();
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("Signed in again"));
    ASSERT_EQ(m_window->model()->rowCount(), 2);
    EXPECT_EQ(m_window->model()->index(0).data(AccountModel::IdRole).toLongLong(), first.id);
    EXPECT_EQ(m_window->model()->index(1).data(AccountModel::IdRole).toLongLong(), second.id);
    EXPECT_EQ(m_window->selectedAccountId(), first.id);
    // The sign-in asked for that mailbox.
    EXPECT_EQ(m_server.authorizeRequests().last().queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded),
              QStringLiteral("alice@example.com"));
}

// The details' Activity tab and the Activity log read the log off the GUI thread (AccountService::
// readAudit). With slow reads (a pause on the reader's worker): changing the row quickly shows the
// last row's activity only (the answers for the rows passed over are dropped), "Loading activity…"
// shows once a read takes longer than 150 ms, and the Activity log keeps its rows while it reloads.
TEST_F(MainWindowTest, TheActivityIsReadOffTheGuiThreadAndStaleAnswersAreDropped)
{
    open();
    const Account first = connectThroughUi();
    m_server.setUser(user(QStringLiteral("bob@example.com"), QStringLiteral("Bob")));
    const Account second = connectThroughUi();
    ASSERT_EQ(m_window->model()->rowCount(), 2);
    AuditEntry marker;
    marker.accountId = second.id;
    marker.accountEmail = second.email;
    marker.action = QStringLiteral("token.refreshed");
    marker.outcome = QStringLiteral("ok");
    marker.detail = QStringLiteral("only in the second mailbox");
    ASSERT_TRUE(AccountServiceTestAccess::vault(*m_service)->appendAudit(marker).ok());

    AccountDetails *details = m_window->details();
    auto *tabs = details->findChild<QTabWidget *>();
    ASSERT_TRUE(tabs);
    tabs->setCurrentIndex(1);
    auto *loading = details->findChild<QLabel *>(QStringLiteral("activityLoading"));
    ASSERT_TRUE(loading);
    QTreeWidget *activity = details->activityList();

    AuditReader *reader = AccountServiceTestAccess::auditReader(*m_service);
    ASSERT_TRUE(reader);
    std::atomic<int> queries{0};
    reader->setBeforeQueryForTests([&queries] {
        ++queries;
        QThread::msleep(400);
    });
    m_window->selectAccount(second.id);
    m_window->selectAccount(first.id);
    m_window->selectAccount(second.id);
    EXPECT_TRUE(details->isActivityLoading());
    EXPECT_FALSE(loading->isVisible()); // not before 150 ms
    ASSERT_TRUE(waitFor([&] { return loading->isVisible(); }, 5000));
    EXPECT_TRUE(details->isActivityLoading());
    dump(m_window.get(), QStringLiteral("activity-loading.png"));
    reader->setBeforeQueryForTests({}); // the reads already queued keep their pause
    ASSERT_TRUE(waitFor([&] { return !details->isActivityLoading(); }, 10000));
    waitFor([] { return false; }, 1000); // any older answer would have come by now
    ASSERT_TRUE(waitFor([&] { return !details->isActivityLoading(); }, 10000));
    EXPECT_EQ(details->accountId(), second.id);
    EXPECT_FALSE(loading->isVisible());
    EXPECT_TRUE(activity->isVisible());
    const QList<AuditEntry> expected = m_service->auditFor(second.id, AccountDetails::ActivityLimit);
    ASSERT_EQ(activity->topLevelItemCount(), expected.size());
    EXPECT_TRUE(activity->topLevelItem(0)->text(3).contains(marker.detail));
    EXPECT_GE(queries.load(), 1);
    dump(m_window.get(), QStringLiteral("activity-second.png"));

    // The Activity log: its rows stay while it reloads, and the count says Loading meanwhile.
    reader->setBeforeQueryForTests({});
    m_window->findChild<QAction *>(QStringLiteral("activityAction"))->trigger();
    ActivityView *view = m_window->activityView();
    ASSERT_TRUE(view);
    ASSERT_TRUE(waitFor([&] { return !view->isLoading(); }, 10000));
    const int all = view->entryCount();
    EXPECT_EQ(all, int(m_service->auditFor(0, ActivityView::Limit).size()));
    auto *count = view->findChild<QLabel *>(QStringLiteral("activityCount"));
    ASSERT_TRUE(count);
    reader->setBeforeQueryForTests([] { QThread::msleep(400); });
    view->reload();
    EXPECT_TRUE(view->isLoading());
    EXPECT_EQ(view->visibleCount(), all);
    ASSERT_TRUE(waitFor([&] { return count->text() == QStringLiteral("Loading…"); }, 5000));
    EXPECT_EQ(view->visibleCount(), all);
    ASSERT_TRUE(waitFor([&] { return !view->isLoading(); }, 10000));
    EXPECT_EQ(view->entryCount(), all);
    EXPECT_NE(count->text(), QStringLiteral("Loading…"));
    reader->setBeforeQueryForTests({});
    view->close();
}

TEST_F(MainWindowTest, RemoveAsksThenSaysWhatHappened)
{
    open();
    const Account a = connectThroughUi();
    auto *remove = m_window->details()->findChild<QPushButton *>(QStringLiteral("removeButton"));
    ASSERT_TRUE(remove);

    // Cancel first: nothing happens.
    remove->click();
    auto *box = waitForChild<QMessageBox>(m_window.get(), QStringLiteral("confirmRemove"));
    ASSERT_TRUE(box);
    EXPECT_TRUE(box->text().contains(QStringLiteral("alice@example.com")));
    expectAllLabelsPlain(box);
    box->button(QMessageBox::Cancel)->click();
    waitFor([] { return false; }, 50);
    EXPECT_EQ(m_window->model()->rowCount(), 1);

    remove->click();
    box = waitForChild<QMessageBox>(m_window.get(), QStringLiteral("confirmRemove"));
    ASSERT_TRUE(box);
    box->findChild<QPushButton *>(QStringLiteral("confirmButton"))->click();
    ASSERT_TRUE(waitFor([&] { return m_window->model()->rowCount() == 0; }, 30000));
    EXPECT_TRUE(m_window->messageBanner()->isVisible());
    EXPECT_TRUE(m_window->messageBanner()->title().contains(QStringLiteral("alice@example.com")));
    EXPECT_FALSE(m_window->messageBanner()->message().isEmpty());
    // The provider has a revocation endpoint: it was asked, and the banner says it confirmed.
    EXPECT_EQ(m_server.revocationCount(), 1);
    EXPECT_FALSE(m_server.isGrantActive(QStringLiteral("alice@example.com")));
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Success);
    EXPECT_TRUE(
        m_window->messageBanner()->message().contains(QStringLiteral("confirmed that MailKey's access was revoked")))
        << m_window->messageBanner()->message().toStdString();
    EXPECT_EQ(m_window->currentPage(), m_window->emptyState());
    EXPECT_FALSE(m_service->account(a.id).has_value());
}

TEST_F(MainWindowTest, RemovingAMicrosoftMailboxSaysItWasOnlyDeletedHere)
{
    open();
    // A Microsoft mailbox (tokens copied from a real sign-in at the fake server).
    const Account fake = connectThroughUi();
    const auto token = AccountServiceTestAccess::vault(*m_service)->token(fake.id, QStringLiteral("default"));
    ASSERT_TRUE(token.ok() && token.value().has_value());
    TokenRecord record = (*token)->clone();
    const auto saved
        = AccountServiceTestAccess::vault(*m_service)
              ->saveConnection(AccountInfo{QStringLiteral("microsoft"), QStringLiteral("megan@contoso.example"),
                                           QStringLiteral("Megan Bowen"), QStringLiteral("contoso.onmicrosoft.com"),
                                           QStringLiteral("sub-megan")},
                               record, QDateTime::currentDateTimeUtc());
    ASSERT_TRUE(saved.ok());
    Q_EMIT m_service->accountsChanged();
    ASSERT_TRUE(waitFor([&] { return m_window->model()->rowCount() == 2; }));

    m_window->selectAccount(saved->accountId);
    m_window->confirmRemoveAccount(saved->accountId);
    auto *box = waitForChild<QMessageBox>(m_window.get(), QStringLiteral("confirmRemove"));
    ASSERT_TRUE(box);
    box->findChild<QPushButton *>(QStringLiteral("confirmButton"))->click();
    ASSERT_TRUE(waitFor([&] { return m_window->model()->rowCount() == 1; }, 30000));
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::Revoke), 0); // nothing to call at Microsoft
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Info);
    EXPECT_TRUE(m_window->messageBanner()->title().contains(QStringLiteral("megan@contoso.example")));
    const QString message = m_window->messageBanner()->message();
    EXPECT_TRUE(message.contains(QStringLiteral("Microsoft does not let desktop apps revoke")))
        << message.toStdString();
    EXPECT_TRUE(message.contains(QStringLiteral("myapps.microsoft.com"))
                || message.contains(QStringLiteral("account.live.com")));
    EXPECT_TRUE(m_server.isGrantActive(QStringLiteral("alice@example.com"))); // the other mailbox is untouched
}

TEST_F(MainWindowTest, StatusIsLiveAndARevokedGrantTurnsIntoNeedsSignInThenReconnectKeepsTheRow)
{
    open();
    const Account a = connectThroughUi();
    m_server.setUser(user(QStringLiteral("bob@example.com"), QStringLiteral("Bob")));
    const Account other = connectThroughUi();
    m_server.setUser(user(QStringLiteral("alice@example.com"), QStringLiteral("Alice Example")));
    m_window->selectAccount(a.id);
    const auto statusText = [&] {
        return m_window->model()
            ->index(m_window->model()->indexOfId(a.id).row())
            .data(AccountModel::StatusTextRole)
            .toString();
    };
    auto *detailsStatus = m_window->details()->findChild<QLabel *>(QStringLiteral("detailsStatus"));
    ASSERT_TRUE(detailsStatus);
    auto *refreshButton = m_window->details()->findChild<QPushButton *>(QStringLiteral("refreshNowButton"));
    ASSERT_TRUE(refreshButton);
    // Connected, with the time of the next (scheduled) refresh.
    EXPECT_TRUE(statusText().startsWith(QStringLiteral("Connected · renews in"))) << statusText().toStdString();

    // Refresh now: "Refreshing…" while the request runs, then Connected again.
    QAction *refresh = m_window->refreshNowAction();
    ASSERT_TRUE(refresh);
    ASSERT_TRUE(refresh->isEnabled());
    const int refreshes = m_server.refreshCount();
    m_server.setLatency(400);
    refreshButton->click();
    ASSERT_TRUE(waitFor([&] { return statusText() == QStringLiteral("Refreshing…"); }, 5000))
        << statusText().toStdString();
    EXPECT_EQ(detailsStatus->text(), QStringLiteral("Refreshing…"));
    EXPECT_FALSE(refresh->isEnabled()); // not twice at once
    ASSERT_TRUE(waitFor([&] { return statusText().startsWith(QStringLiteral("Connected")); }, 15000));
    EXPECT_EQ(m_server.refreshCount(), refreshes + 1);
    ASSERT_TRUE(waitFor([&] { return refresh->isEnabled(); }, 5000));
    m_server.setLatency(0);

    // The user removes MailKey's access at the provider; the next refresh is refused.
    m_server.revokeAllGrants();
    refresh->trigger();
    ASSERT_TRUE(waitFor([&] { return statusText().startsWith(QStringLiteral("Needs sign-in")); }, 15000))
        << statusText().toStdString();
    EXPECT_TRUE(detailsStatus->text().startsWith(QStringLiteral("Needs sign-in")));
    EXPECT_FALSE(refreshButton->isEnabled()); // only a new sign-in helps
    EXPECT_FALSE(refresh->isEnabled());
    ASSERT_TRUE(waitFor([&] { return m_window->messageBanner()->isVisible(); }, 5000));
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Warning);
    EXPECT_TRUE(m_window->messageBanner()->title().contains(QStringLiteral("alice@example.com")));
    QPushButton *reconnect = m_window->messageBanner()->button(QStringLiteral("Reconnect"));
    ASSERT_TRUE(reconnect);
    // The other mailbox's row did not change by itself (its grant is dead too, but it was not asked).
    EXPECT_NE(m_window->model()->indexOfId(other.id).data(AccountModel::StatusRole).toInt(),
              int(AccountStatus::Refreshing));

    // Reconnect from the banner: the same row, connected again.
    reconnect->click();
    ASSERT_TRUE(waitFor([&] { return m_window->messageBanner()->title() == QStringLiteral("Signed in again"); }, 30000))
        << m_window->messageBanner()->title().toStdString();
    ASSERT_EQ(m_window->model()->rowCount(), 2);
    EXPECT_EQ(m_window->model()->index(0).data(AccountModel::IdRole).toLongLong(), a.id);
    EXPECT_TRUE(statusText().startsWith(QStringLiteral("Connected"))) << statusText().toStdString();
    EXPECT_TRUE(refreshButton->isEnabled());
}

// Issue 16 point 6: a sign-in page that cannot be reached is said in the panel within seconds,
// not left as "Waiting for you to sign in…" until the attempt expires.
TEST_F(MainWindowTest, ASignInPageThatCannotBeReachedIsSaidInThePanel)
{
    quint16 deadPort = 0;
    {
        QTcpServer probe;
        ASSERT_TRUE(probe.listen(QHostAddress::LocalHost));
        deadPort = probe.serverPort();
    }
    writeProvidersFile(
        {{QStringLiteral("authorization_endpoint"), QStringLiteral("http://127.0.0.1:%1/authorize").arg(deadPort)}});
    open();
    QAction *action = menuAction(m_window->connectMenu(), QStringLiteral("connect-fake"));
    ASSERT_TRUE(action);
    action->trigger();
    ASSERT_TRUE(m_window->connectPanel()->isVisible());
    ASSERT_TRUE(waitFor([&] { return !m_window->connectPanel()->problem().isEmpty(); }, 20000));
    const QString problem = m_window->connectPanel()->problem();
    EXPECT_TRUE(problem.contains(QStringLiteral("cannot reach 127.0.0.1"))) << problem.toStdString();
    EXPECT_TRUE(problem.contains(QStringLiteral("connection was refused"))) << problem.toStdString();
    EXPECT_FALSE(m_window->connectPanel()->findChild<QLabel *>(QStringLiteral("waitingLabel"))->isVisible());
    EXPECT_TRUE(m_window->connectPanel()->cancelButton()->isEnabled());
    dump(m_window.get(), QStringLiteral("sign-in-unreachable.png"));
    m_window->connectPanel()->cancelButton()->click();
    EXPECT_TRUE(waitFor([&] { return !m_window->connectPanel()->isVisible(); }, 10000));
}

TEST_F(MainWindowTest, CancelWhileWaitingClosesTheSignIn)
{
    open();
    m_desktop->hold = true; // the user never signs in
    QAction *action = menuAction(m_window->connectMenu(), QStringLiteral("connect-fake"));
    ASSERT_TRUE(action);
    action->trigger();
    ConnectPanel *panel = m_window->connectPanel();
    EXPECT_TRUE(panel->isVisible());
    EXPECT_TRUE(panel->findChild<QLabel *>(QStringLiteral("waitingLabel"))
                    ->text()
                    .contains(QStringLiteral("Waiting for you to sign in")));
    ASSERT_TRUE(waitFor([&] { return panel->url().isValid(); }, 10000));
    ASSERT_EQ(m_desktop->opened.size(), 1);
    EXPECT_EQ(panel->url(), m_desktop->opened.first());
    EXPECT_TRUE(panel->findChild<QLineEdit *>(QStringLiteral("signInUrl"))
                    ->text()
                    .startsWith(m_server.authorizeUrl().toString()));

    // Open again: the same URL goes to the browser again.
    panel->openButton()->click();
    EXPECT_EQ(m_desktop->opened.size(), 2);
    EXPECT_EQ(m_desktop->opened.last(), m_desktop->opened.first());

    QPointer<ConnectSession> session = m_window->currentSession();
    ASSERT_TRUE(session);
    const quint16 port = session->listenPort();
    EXPECT_NE(port, 0);
    panel->cancelButton()->click();
    ASSERT_TRUE(waitFor([&] { return !panel->isVisible(); }, 5000));
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("Sign-in cancelled"));
    EXPECT_TRUE(m_window->connectButton()->isEnabled());
    EXPECT_EQ(m_window->currentSession(), nullptr);

    // The user signs in after all, too late: the listener is gone, nothing is added.
    FakeBrowser *late = m_desktop->visit(m_desktop->opened.first());
    ASSERT_TRUE(waitFor([&] { return !late->isBusy(); }, 10000));
    waitFor([] { return false; }, 100);
    EXPECT_EQ(m_window->model()->rowCount(), 0);
    EXPECT_EQ(m_window->currentPage(), m_window->emptyState());
}

TEST_F(MainWindowTest, SignInOnAnotherDeviceShowsTheCodeAndAQrCodeThenConnects)
{
    writeProvidersFile(
        {{QStringLiteral("device_authorization_endpoint"), m_server.deviceAuthorizationUrl().toString()}});
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 1000000; // the person on the other device takes their time
    m_server.setDeviceFlow(flow);
    open();

    // The menu offers it for the providers that can, and says why Gmail is not among them.
    QMenu *deviceMenu = m_window->connectMenu()->findChild<QMenu *>(QStringLiteral("deviceSignInMenu"));
    ASSERT_TRUE(deviceMenu);
    QAction *action = menuAction(deviceMenu, QStringLiteral("device-fake"));
    ASSERT_TRUE(action);
    EXPECT_TRUE(menuAction(deviceMenu, QStringLiteral("device-microsoft")));
    EXPECT_FALSE(menuAction(deviceMenu, QStringLiteral("device-google")));
    QAction *googleNote = menuAction(deviceMenu, QStringLiteral("deviceGoogleNote"));
    ASSERT_TRUE(googleNote);
    EXPECT_FALSE(googleNote->isEnabled());

    action->trigger();
    ConnectPanel *panel = m_window->connectPanel();
    EXPECT_TRUE(panel->isVisible());
    EXPECT_EQ(panel->mode(), ConnectPanel::Mode::Device);
    EXPECT_FALSE(m_window->connectButton()->isEnabled());
    ASSERT_TRUE(waitFor([&] { return !panel->userCode().isEmpty(); }, 10000));
    EXPECT_EQ(panel->userCode(), m_server.lastUserCode());
    EXPECT_TRUE(m_desktop->opened.isEmpty()) << "no browser is opened here for a sign-in on another device";
    const QUrl complete(m_server.deviceVerificationUrl().toString() + QStringLiteral("?user_code=")
                        + m_server.lastUserCode());
    EXPECT_EQ(panel->qrUrl(), complete);
    EXPECT_EQ(test::decodeQr(panel->qrLabel()->pixmap().toImage()), complete.toString());
    // It keeps polling while the person has not finished.
    const int pollsBefore = int(m_server.devicePollTimes().size());
    ASSERT_TRUE(waitFor([&] { return m_server.devicePollTimes().size() >= pollsBefore + 2; }, 10000));
    EXPECT_TRUE(panel->isVisible());
    expectAllLabelsPlain(m_window.get());
    expectNothingClipped(m_window.get(), "device sign-in panel");
    dump(m_window.get(), QStringLiteral("device-sign-in.png"));

    // The person approves on the other device: the mailbox arrives as after a browser sign-in.
    m_server.setDeviceFlow(FakeAuthServer::DeviceFlow{});
    ASSERT_TRUE(waitFor([&] { return m_window->messageBanner()->isVisible(); }, 30000));
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Success)
        << m_window->messageBanner()->message().toStdString();
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("Mailbox connected"));
    EXPECT_FALSE(panel->isVisible());
    EXPECT_TRUE(panel->userCode().isEmpty());
    ASSERT_EQ(m_window->model()->rowCount(), 1);
    const Account account = m_window->model()->accountAt(m_window->model()->index(0, 0));
    EXPECT_EQ(account.email, QStringLiteral("alice@example.com"));
    // Audited like a browser sign-in: the code (before there is a mailbox), then the mailbox.
    QStringList actions;
    for (const AuditEntry &e : m_service->auditFor(0))
        actions.append(e.action + QLatin1Char('@') + QString::number(e.accountId));
    EXPECT_TRUE(actions.contains(QStringLiteral("device.code_issued@0"))) << actions.join(u' ').toStdString();
    EXPECT_FALSE(m_service->auditFor(account.id).isEmpty());
}

TEST_F(MainWindowTest, CancellingASignInOnAnotherDeviceStopsPollingAndTryAgainUsesACodeAgain)
{
    writeProvidersFile(
        {{QStringLiteral("device_authorization_endpoint"), m_server.deviceAuthorizationUrl().toString()}});
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 1000000;
    m_server.setDeviceFlow(flow);
    open();
    QMenu *deviceMenu = m_window->connectMenu()->findChild<QMenu *>(QStringLiteral("deviceSignInMenu"));
    ASSERT_TRUE(deviceMenu);
    menuAction(deviceMenu, QStringLiteral("device-fake"))->trigger();
    ConnectPanel *panel = m_window->connectPanel();
    ASSERT_TRUE(waitFor([&] { return !panel->userCode().isEmpty(); }, 10000));
    panel->cancelButton()->click();
    ASSERT_TRUE(waitFor([&] { return !panel->isVisible(); }, 5000));
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("Sign-in cancelled"));
    EXPECT_TRUE(m_window->messageBanner()->message().contains(QStringLiteral("other device")));
    const qsizetype polls = m_server.devicePollTimes().size();
    waitFor([] { return false; }, 400);
    EXPECT_EQ(m_server.devicePollTimes().size(), polls) << "no polling after Cancel";

    // The code expires on the provider's side: the failure says so, and Try again asks for a
    // new code rather than opening a browser.
    flow.expiresIn = 0;
    m_server.setDeviceFlow(flow);
    menuAction(deviceMenu, QStringLiteral("device-fake"))->trigger();
    ASSERT_TRUE(waitFor(
        [&] {
            return m_window->messageBanner()->isVisible() && m_window->messageBanner()->kind() == Banner::Kind::Error;
        },
        30000));
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("The sign-in expired"));
    QPushButton *again = m_window->messageBanner()->findChild<QPushButton *>(QStringLiteral("tryAgainButton"));
    ASSERT_TRUE(again);
    const QString firstCode = m_server.lastUserCode();
    flow.expiresIn = 600;
    m_server.setDeviceFlow(flow);
    again->click();
    ASSERT_TRUE(waitFor([&] { return !panel->userCode().isEmpty(); }, 10000));
    EXPECT_EQ(panel->mode(), ConnectPanel::Mode::Device);
    EXPECT_NE(m_server.lastUserCode(), firstCode);
    EXPECT_TRUE(m_desktop->opened.isEmpty());
    panel->cancelButton()->click();
    ASSERT_TRUE(waitFor([&] { return !panel->isVisible(); }, 5000));
}

TEST_F(MainWindowTest, EveryControlOfTheNewViewsHasAnAccessibleName)
{
    writeProvidersFile(
        {{QStringLiteral("device_authorization_endpoint"), m_server.deviceAuthorizationUrl().toString()}});
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 1000000;
    m_server.setDeviceFlow(flow);
    open();
    connectThroughUi();

    // The list with its search and order, and the details.
    EXPECT_EQ(unnamedControls(m_window.get()).join(u'\n').toStdString(), std::string());

    // The device sign-in panel.
    QMenu *deviceMenu = m_window->connectMenu()->findChild<QMenu *>(QStringLiteral("deviceSignInMenu"));
    ASSERT_TRUE(deviceMenu);
    menuAction(deviceMenu, QStringLiteral("device-fake"))->trigger();
    ASSERT_TRUE(waitFor([&] { return !m_window->connectPanel()->userCode().isEmpty(); }, 10000));
    EXPECT_EQ(unnamedControls(m_window->connectPanel()).join(u'\n').toStdString(), std::string());
    QAccessibleInterface *code = QAccessible::queryAccessibleInterface(
        m_window->connectPanel()->findChild<QLabel *>(QStringLiteral("userCodeLabel")));
    ASSERT_TRUE(code);
    EXPECT_EQ(code->role(), QAccessible::StaticText);
    EXPECT_EQ(code->text(QAccessible::Name), m_server.lastUserCode()) << "a screen reader reads the code itself";
    QAccessibleInterface *qr = QAccessible::queryAccessibleInterface(m_window->connectPanel()->qrLabel());
    ASSERT_TRUE(qr);
    EXPECT_FALSE(qr->text(QAccessible::Name).isEmpty());
    m_window->connectPanel()->cancelButton()->click();
    ASSERT_TRUE(waitFor([&] { return !m_window->connectPanel()->isVisible(); }, 5000));

    // The Activity log.
    QAction *activity = m_window->findChild<QAction *>(QStringLiteral("activityAction"));
    ASSERT_TRUE(activity);
    activity->trigger();
    ASSERT_TRUE(m_window->activityView());
    ASSERT_TRUE(waitFor([&] { return m_window->activityView()->isVisible(); }, 5000));
    EXPECT_EQ(unnamedControls(m_window->activityView()).join(u'\n').toStdString(), std::string());
    m_window->activityView()->close();

    // Settings and the provider editor.
    m_window->openSettings();
    auto *settings = m_window->findChild<SettingsDialog *>();
    ASSERT_TRUE(settings);
    EXPECT_EQ(unnamedControls(settings).join(u'\n').toStdString(), std::string());
    m_window->openProviderEditor(settings);
    auto *editor = m_window->findChild<ProviderEditor *>();
    ASSERT_TRUE(editor);
    ASSERT_TRUE(editor->editProvider(QStringLiteral("fake")));
    EXPECT_EQ(unnamedControls(editor).join(u'\n').toStdString(), std::string());
    // A field is named by its label, as a screen reader announces it.
    QAccessibleInterface *issuer = QAccessible::queryAccessibleInterface(editor->field(QStringLiteral("issuer")));
    ASSERT_TRUE(issuer);
    EXPECT_EQ(issuer->text(QAccessible::Name).remove(u'&'), QStringLiteral("Issuer"));
    delete editor;
    delete settings;
}

TEST_F(MainWindowTest, FailedSignInSaysWhatHappenedAndWhatToDo)
{
    open();
    m_server.setNextAuthorizeError(QStringLiteral("access_denied"), QStringLiteral("The user declined consent."));
    QAction *action = menuAction(m_window->connectMenu(), QStringLiteral("connect-fake"));
    ASSERT_TRUE(action);
    action->trigger();
    ASSERT_TRUE(waitFor([&] { return m_window->messageBanner()->isVisible(); }, 30000));
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Error);
    EXPECT_FALSE(m_window->messageBanner()->message().isEmpty());
    EXPECT_TRUE(m_window->messageBanner()->button(QStringLiteral("Try again")));
    EXPECT_FALSE(m_window->connectPanel()->isVisible());
    EXPECT_EQ(m_window->model()->rowCount(), 0);

    // A provider without a client id: how to set one, and a way to the settings; no browser.
    const int opened = m_desktop->opened.size();
    QAction *google = menuAction(m_window->connectMenu(), QStringLiteral("connect-google"));
    ASSERT_TRUE(google);
    EXPECT_TRUE(google->text().contains(QStringLiteral("needs a client id")));
    google->trigger();
    EXPECT_TRUE(m_window->messageBanner()->isVisible());
    EXPECT_TRUE(m_window->messageBanner()->message().contains(QStringLiteral("console.cloud.google.com")));
    EXPECT_TRUE(m_window->messageBanner()->button(QStringLiteral("Open settings…")));
    EXPECT_EQ(m_desktop->opened.size(), opened);
}

TEST_F(MainWindowTest, ARejectedSignInResponseShowsTheAlertBanner)
{
    open();
    m_desktop->hold = true; // the browser is open, the user has not signed in yet
    QAction *action = menuAction(m_window->connectMenu(), QStringLiteral("connect-fake"));
    ASSERT_TRUE(action);
    action->trigger();
    ASSERT_TRUE(waitFor([&] { return m_window->connectPanel()->url().isValid(); }, 10000));
    QPointer<ConnectSession> session = m_window->currentSession();
    ASSERT_TRUE(session);
    EXPECT_TRUE(m_window->alertBanner()->isHidden());

    // A request with someone else's state reaches the loopback listener.
    QUrl forged(session->redirectUri());
    forged.setQuery(QStringLiteral("code=forged&state=not-the-state-of-this-attempt"));
    QNetworkReply *reply = m_nam.get(QNetworkRequest(forged));
    ASSERT_TRUE(waitFor([&] { return reply->isFinished(); }, 10000));
    reply->deleteLater();
    ASSERT_TRUE(waitFor([&] { return m_window->alertBanner()->isVisible(); }, 10000));
    EXPECT_EQ(m_window->alertBanner()->kind(), Banner::Kind::Warning);
    EXPECT_EQ(m_window->alertBanner()->title(), QStringLiteral("A sign-in response was rejected"));
    EXPECT_FALSE(m_window->alertBanner()->message().isEmpty());
    EXPECT_FALSE(m_window->alertBanner()->message().contains(QStringLiteral("not-the-state")));
    // The attempt is still waiting for the real browser.
    EXPECT_TRUE(m_window->connectPanel()->isVisible());

    // "Check the activity log": the alert leads there, to the entries about no mailbox.
    QPushButton *showActivity = m_window->alertBanner()->button(QStringLiteral("Show activity"));
    ASSERT_TRUE(showActivity);
    showActivity->click();
    ActivityView *activity = m_window->activityView();
    ASSERT_TRUE(activity);
    EXPECT_TRUE(activity->isVisible());
    ASSERT_TRUE(waitFor([&] { return !activity->isLoading(); }, 10000));
    EXPECT_EQ(activity->mailboxFilter(), ActivityView::NoMailbox);
    auto *tree = activity->findChild<QTreeWidget *>(QStringLiteral("activityTree"));
    ASSERT_TRUE(tree);
    QStringList shown;
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (!tree->topLevelItem(i)->isHidden())
            shown << tree->topLevelItem(i)->text(2);
    }
    EXPECT_TRUE(shown.contains(QStringLiteral("Alert: callback rejected")))
        << shown.join(QLatin1String(", ")).toStdString();
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        for (int c = 0; c < tree->columnCount(); ++c)
            EXPECT_FALSE(tree->topLevelItem(i)->text(c).contains(QStringLiteral("not-the-state")));
    }
    dump(activity, QStringLiteral("activity-rejected-callback.png"));
    activity->close();

    m_window->connectPanel()->cancelButton()->click();
    ASSERT_TRUE(waitFor([&] { return !m_window->connectPanel()->isVisible(); }, 5000));
}

TEST_F(MainWindowTest, TheActivityLogFiltersByMailboxEventAndWords)
{
    open();
    const Account a = connectThroughUi();
    ASSERT_NE(a.id, 0);
    m_window->refreshNow(a.id);
    ASSERT_TRUE(waitFor([&] { return m_server.refreshCount() >= 1 && !m_service->isRefreshing(a.id); }, 20000));
    // The log is read while the event loop runs (off the GUI thread): let the entries that follow
    // the sign-in and the refresh (the folder fetch) land first, so the counts below stay put.
    qsizetype settled = -1;
    ASSERT_TRUE(waitFor(
        [&] {
            const qsizetype now = m_service->auditFor(0, ActivityView::Limit).size();
            const bool same = now == settled;
            settled = now;
            waitFor([] { return false; }, 300);
            return same;
        },
        10000));

    QAction *action = m_window->findChild<QAction *>(QStringLiteral("activityAction"));
    ASSERT_TRUE(action);
    action->trigger();
    ActivityView *activity = m_window->activityView();
    ASSERT_TRUE(activity);
    ASSERT_TRUE(waitFor([&] { return !activity->isLoading(); }, 10000));
    EXPECT_EQ(activity->mailboxFilter(), ActivityView::AllMailboxes);
    const int all = activity->visibleCount();
    EXPECT_EQ(all, activity->entryCount());
    EXPECT_EQ(all, int(m_service->auditFor(0, ActivityView::Limit).size()));
    EXPECT_GE(all, 2);

    activity->showMailbox(a.id);
    EXPECT_EQ(activity->visibleCount(), int(m_service->auditFor(a.id, ActivityView::Limit).size()));

    auto *event = activity->findChild<QComboBox *>(QStringLiteral("activityEvent"));
    ASSERT_TRUE(event);
    const int refreshed = event->findText(QStringLiteral("Token refreshed"));
    ASSERT_GE(refreshed, 0);
    event->setCurrentIndex(refreshed);
    int expected = 0;
    for (const AuditEntry &e : m_service->auditFor(a.id, ActivityView::Limit))
        expected += e.action == QLatin1String("token.refreshed") ? 1 : 0;
    EXPECT_GE(expected, 1);
    EXPECT_EQ(activity->visibleCount(), expected);

    auto *search = activity->findChild<QLineEdit *>(QStringLiteral("activitySearch"));
    ASSERT_TRUE(search);
    event->setCurrentIndex(0);
    search->setText(QStringLiteral("no such words anywhere"));
    EXPECT_EQ(activity->visibleCount(), 0);
    search->clear();
    EXPECT_EQ(activity->visibleCount(), int(m_service->auditFor(a.id, ActivityView::Limit).size()));
    dump(activity, QStringLiteral("activity-mailbox.png"));
}

TEST_F(MainWindowTest, AlertsShowAsABanner)
{
    open();
    const Account a = connectThroughUi();
    Alert alert{Alert::Kind::RefreshFailures, a.id, QStringLiteral("Refreshing <b>alice</b> failed 5 times.")};
    Q_EMIT m_service->alertRaised(alert);
    EXPECT_TRUE(m_window->alertBanner()->isVisible());
    EXPECT_EQ(m_window->alertBanner()->kind(), Banner::Kind::Warning);
    EXPECT_EQ(m_window->alertBanner()->message(), QStringLiteral("Refreshing <b>alice</b> failed 5 times."));
    EXPECT_TRUE(m_window->alertBanner()->button(QStringLiteral("Show mailbox")));
}

TEST_F(MainWindowTest, AlertsClearWhenWhatFailedSucceeds)
{
    open();
    const Account a = connectThroughUi();
    const Alert alert{Alert::Kind::RefreshFailures, a.id, QStringLiteral("Refreshing alice failed 5 times.")};

    // A successful Refresh now ends "refreshes keep failing".
    Q_EMIT m_service->alertRaised(alert);
    ASSERT_TRUE(m_window->alertBanner()->isVisible());
    EXPECT_EQ(m_window->alertBanner()->title(), QStringLiteral("Token refreshes keep failing"));
    m_window->refreshNow(a.id);
    EXPECT_TRUE(waitFor([&] { return m_window->alertBanner()->isHidden(); }, 30000));

    // So does a successful Reconnect of that mailbox.
    Q_EMIT m_service->alertRaised(alert);
    ASSERT_TRUE(m_window->alertBanner()->isVisible());
    m_window->reconnectAccount(a.id);
    ASSERT_TRUE(waitFor([&] { return !m_window->connectPanel()->isVisible(); }, 30000));
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("Signed in again"));
    EXPECT_TRUE(m_window->alertBanner()->isHidden());

    // An alert about another mailbox stays.
    Q_EMIT m_service->alertRaised(Alert{Alert::Kind::RefreshFailures, a.id + 1000, QStringLiteral("Other.")});
    m_window->refreshNow(a.id);
    waitFor([] { return false; }, 1500);
    EXPECT_TRUE(m_window->alertBanner()->isVisible());
}

// The health warning: the alert banner shows it with "Show mailbox"; the details show the row.
TEST_F(MainWindowTest, AHealthWarningShowsInTheAlertBanner)
{
    open();
    const Account a = connectThroughUi();
    Q_EMIT m_service->alertRaised(
        Alert{Alert::Kind::SignInExpiring, a.id,
              a.email
                  + QStringLiteral(": Sign-in needed by 09/12/2026 if MailKey does not run before (Microsoft ends "
                                   "sign-ins unused for 90 days; MailKey refreshes every 14 days while it runs)"),
              true});
    ASSERT_TRUE(m_window->alertBanner()->isVisible());
    EXPECT_EQ(m_window->alertBanner()->title(), QStringLiteral("A sign-in will be needed soon"));
    auto *row = m_window->details()->findChild<QLabel *>(QStringLiteral("detailsSignInNeededBy"));
    ASSERT_TRUE(row);
    EXPECT_FALSE(row->text().isEmpty());
    waitFor([] { return false; }, 300);
    dump(m_window.get(), QStringLiteral("health-warning.png"));
}

TEST_F(MainWindowTest, ACancelledSignInGivesWayAndTimesOut)
{
    open();
    m_window->messageBanner()->setInfoTimeout(0);
    m_desktop->hold = true;
    QAction *action = menuAction(m_window->connectMenu(), QStringLiteral("connect-fake"));
    ASSERT_TRUE(action);
    action->trigger();
    ASSERT_TRUE(waitFor([&] { return m_window->connectPanel()->url().isValid(); }, 10000));
    m_window->connectPanel()->cancelButton()->click();
    ASSERT_TRUE(waitFor([&] { return m_window->messageBanner()->isVisible(); }, 10000));
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("Sign-in cancelled"));
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Info);

    // A newer failure replaces it.
    m_desktop->hold = false;
    m_server.setNextAuthorizeError(QStringLiteral("access_denied"), QStringLiteral("The user declined consent."));
    action->trigger();
    ASSERT_TRUE(waitFor([&] { return !m_window->connectPanel()->isVisible(); }, 30000));
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Error);
    EXPECT_EQ(m_window->messageBanner()->title(), QStringLiteral("Sign-in failed"));

    // Left alone, a cancellation goes away by itself; the failure before it did not.
    m_window->messageBanner()->setInfoTimeout(300);
    EXPECT_FALSE(m_window->messageBanner()->isHidden()); // an error with "Try again": stays
    m_desktop->hold = true;
    action->trigger();
    ASSERT_TRUE(waitFor([&] { return m_window->connectPanel()->url().isValid(); }, 10000));
    m_window->connectPanel()->cancelButton()->click();
    ASSERT_TRUE(
        waitFor([&] { return m_window->messageBanner()->title() == QStringLiteral("Sign-in cancelled"); }, 10000));
    EXPECT_TRUE(waitFor([&] { return m_window->messageBanner()->isHidden(); }, 5000));
}

TEST_F(MainWindowTest, TheWindowNeverGrowsAndNothingIsClipped)
{
    open();
    connectThroughUi();
    m_window->resize(780, 532);
    waitFor([] { return false; }, 200);
    const QSize before = m_window->size();
    expectNothingClipped(m_window->details(), "no banners");

    // Two banners with long text, and a sign-in panel naming a long address.
    Q_EMIT m_service->alertRaised(
        Alert{Alert::Kind::FailedSignIns, 0,
              QStringLiteral("Sign-ins failed 6 times in 10 minutes. If that was not you, someone may be trying "
                             "to connect a mailbox with MailKey on this computer. Check the activity.")});
    Q_EMIT m_service->pendingRevocationFinished(
        99, QStringLiteral("gail@gmail.example"), false,
        QStringLiteral("Google still could not revoke MailKey's access after several attempts. Remove it by hand at "
                       "https://myaccount.google.com/connections, then this message will not come back."));
    ASSERT_TRUE(m_window->alertBanner()->isVisible());
    ASSERT_TRUE(m_window->messageBanner()->isVisible());
    const QString longAddress = QString(120, QLatin1Char('a')) + QStringLiteral("@") + QString(60, QLatin1Char('b'))
                                + QStringLiteral(".example");
    m_window->connectPanel()->start(QStringLiteral("Signing in again as ") + longAddress);
    waitFor([] { return false; }, 300);
    dump(m_window.get(), QStringLiteral("two-banners.png"));

    EXPECT_EQ(m_window->height(), before.height()) << "the window grew by itself";
    EXPECT_EQ(m_window->width(), before.width()) << "the window grew by itself";
    expectNothingClipped(m_window->details(), "two banners");
    expectNothingClipped(m_window->alertBanner(), "alert");
    expectNothingClipped(m_window->messageBanner(), "message");
    expectNothingClipped(m_window->connectPanel(), "sign-in panel");
    m_window->connectPanel()->finish();
}

TEST_F(MainWindowTest, AccessibleDescriptionsAreNotMarkup)
{
    open();
    connectThroughUi();
    auto *status = m_window->statusBar()->findChild<QLabel *>(QStringLiteral("vaultStatusLabel"));
    ASSERT_TRUE(status);
    EXPECT_FALSE(status->toolTip().isEmpty());
    QAccessibleInterface *si = QAccessible::queryAccessibleInterface(status);
    ASSERT_TRUE(si);
    // The vault's path, as plain text (the tooltip is rich text for Qt's sake).
    EXPECT_EQ(si->text(QAccessible::Description), m_service->vaultPath());
    const auto widgets = m_window->findChildren<QWidget *>();
    for (QWidget *w : widgets) {
        QAccessibleInterface *i = QAccessible::queryAccessibleInterface(w);
        if (!i)
            continue;
        const QString d = i->text(QAccessible::Description);
        EXPECT_FALSE(d.contains(QStringLiteral("<p")) || d.contains(QStringLiteral("</")))
            << w->metaObject()->className() << " " << w->objectName().toStdString() << ": " << d.toStdString();
    }
}

TEST_F(MainWindowTest, FirstRunAndDarkPaletteScreenshots)
{
    open();
    // First run: Google has no client id here; its help open.
    auto *toggle = m_window->emptyState()->findChild<QToolButton *>(QStringLiteral("clientIdHowTo-google"));
    ASSERT_TRUE(toggle);
    toggle->setChecked(true);
    auto *link = m_window->emptyState()->findChild<QLabel *>(QStringLiteral("clientIdLink-google"));
    ASSERT_TRUE(link);
    EXPECT_TRUE(link->isVisible());
    waitFor([] { return false; }, 100);
    dump(m_window.get(), QStringLiteral("first-run.png"));

    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::WindowText, QColor(0xEE, 0xEE, 0xEE));
    dark.setColor(QPalette::Base, QColor(0x2A, 0x2A, 0x2A));
    dark.setColor(QPalette::AlternateBase, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::Text, QColor(0xEE, 0xEE, 0xEE));
    dark.setColor(QPalette::Button, QColor(0x45, 0x45, 0x45));
    dark.setColor(QPalette::ButtonText, QColor(0xEE, 0xEE, 0xEE));
    dark.setColor(QPalette::Highlight, QColor(0x2A, 0x82, 0xDA));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::Link, QColor(0x64, 0xB5, 0xF6));
    m_window->setPalette(dark);
    waitFor([] { return false; }, 100);
    dump(m_window.get(), QStringLiteral("first-run-dark.png"));
    // Brown (the darkest light-theme colour) is the avatar of this address... whatever it is, the
    // window shows its dark-theme twin.
    m_server.setUser(user(QStringLiteral("dora@example.com"), QStringLiteral("Dora Dark")));
    connectThroughUi();
    Q_EMIT m_service->alertRaised(
        Alert{Alert::Kind::FailedSignIns, 0, QStringLiteral("Sign-ins failed 6 times in 10 minutes.")});
    waitFor([] { return false; }, 200);
    dump(m_window.get(), QStringLiteral("dark.png"));
    expectAllLabelsPlain(m_window.get());
}

TEST_F(MainWindowTest, TheFirstSizeFitsASmallHiDpiScreen)
{
    // A 1920×1000 screen at QT_SCALE_FACTOR=2 (960×500 logical), in a child process.
    const QString config = m_dir.filePath(QStringLiteral("screen.json"));
    QFile f(config);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"screens": [{"name": "small", "x": 0, "y": 0, "width": 1920, "height": 1000, "logicalDpi": 96}]})");
    f.close();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen:configfile=") + config);
    env.insert(QStringLiteral("QT_SCALE_FACTOR"), QStringLiteral("2"));
    const ChildResult r = runChild(
        "smallscreen",
        {QCoreApplication::applicationFilePath(), QStringLiteral("--gtest_filter=ChildOnly.SmallScreen")}, env);
    EXPECT_EQ(r.exitCode, 0) << r.output.toStdString();
    EXPECT_TRUE(r.output.contains(QStringLiteral("[  PASSED  ] 1 test"))) << r.output.toStdString();
}

TEST_F(MainWindowTest, AQueuedRevocationsOutcomeIsShown)
{
    // The service reports the end of a revocation that was queued when the mailbox was removed
    // (AccountServiceTest drives the real one); the window tells the user either way.
    open();
    Q_EMIT m_service->pendingRevocationFinished(
        7, QStringLiteral("gail@gmail.example"), true,
        QStringLiteral("Google has now confirmed that MailKey's access to gail@gmail.example was revoked."));
    EXPECT_TRUE(m_window->messageBanner()->isVisible());
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Success);
    EXPECT_TRUE(m_window->messageBanner()->title().contains(QStringLiteral("gail@gmail.example")));
    EXPECT_TRUE(m_window->messageBanner()->message().contains(QStringLiteral("confirmed")));

    Q_EMIT m_service->pendingRevocationFinished(
        7, QStringLiteral("gail@gmail.example"), false,
        QStringLiteral("Google still could not revoke ... at https://myaccount.google.com/connections."));
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Warning);
    EXPECT_TRUE(m_window->messageBanner()->title().contains(QStringLiteral("may still be active")));
    EXPECT_TRUE(m_window->messageBanner()->message().contains(QStringLiteral("https://myaccount.google.com")));
}

TEST_F(MainWindowTest, GeometryIsRemembered)
{
    open();
    m_window->resize(777, 555);
    m_window->close();
    m_window.reset();
    EXPECT_FALSE(m_settings->windowGeometry().isEmpty());
    m_window = std::make_unique<MainWindow>(m_service.get(), m_settings.get());
    EXPECT_EQ(m_window->size(), QSize(777, 555));
}

// Issue 14: the resident window. Both options are off by default and shown in Settings; with "keep
// running" a close hides the window and the service goes on; "start at login" writes the XDG
// autostart entry (mailkey --background) and removes it when turned off.
TEST_F(MainWindowTest, KeepRunningWhenClosedAndStartAtLoginFromSettings)
{
    open();
    connectThroughUi();
    ASSERT_FALSE(QFileInfo::exists(Autostart::entryPath()));
    m_window->openSettings();
    auto *settings = waitForChild<SettingsDialog>(m_window.get(), QString());
    ASSERT_TRUE(settings);
    ASSERT_FALSE(settings->keepRunningCheck()->isChecked()); // off by default
    ASSERT_FALSE(settings->startAtLoginCheck()->isChecked());
    settings->keepRunningCheck()->setChecked(true);
    settings->startAtLoginCheck()->setChecked(true);
    if (auto *scroll = settings->findChild<QScrollArea *>()) // to look at: the new box is at the end
        scroll->verticalScrollBar()->setValue(scroll->verticalScrollBar()->maximum());
    dump(settings, QStringLiteral("settings-background.png"));
    QPointer<SettingsDialog> first(settings);
    settings->accept();
    ASSERT_TRUE(waitFor([&] { return !first; }, 5000)); // deleted on close
    EXPECT_TRUE(m_settings->keepRunningWhenClosed());
    EXPECT_TRUE(m_settings->startAtLogin());
    QFile entry(Autostart::entryPath());
    ASSERT_TRUE(entry.open(QIODevice::ReadOnly)) << Autostart::entryPath().toStdString();
    const QString text = QString::fromUtf8(entry.readAll());
    EXPECT_TRUE(text.startsWith(QStringLiteral("[Desktop Entry]\n"))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("Exec=\"") + QCoreApplication::applicationFilePath()
                              + QStringLiteral("\" --background\n")))
        << text.toStdString();

    // Closed: hidden, and MailKey goes on (its vault open, its service answering).
    m_window->close();
    EXPECT_FALSE(m_window->isVisible());
    EXPECT_TRUE(m_window->keepsRunningInBackground());
    EXPECT_EQ(m_service->vaultState(), VaultState::Ready);
    EXPECT_EQ(m_service->accounts().size(), 1);
    m_window->raiseAndActivate();
    EXPECT_TRUE(m_window->isVisible());

    // Both off again: the entry goes, and a close closes.
    m_window->openSettings();
    settings = waitForChild<SettingsDialog>(m_window.get(), QString());
    ASSERT_TRUE(settings);
    EXPECT_TRUE(settings->keepRunningCheck()->isChecked());
    EXPECT_TRUE(settings->startAtLoginCheck()->isChecked());
    settings->keepRunningCheck()->setChecked(false);
    settings->startAtLoginCheck()->setChecked(false);
    settings->accept();
    EXPECT_FALSE(QFileInfo::exists(Autostart::entryPath()));
    EXPECT_FALSE(m_settings->keepRunningWhenClosed());
}

TEST_F(MainWindowTest, SignOutEverywhereNeedsAStrongConfirmation)
{
    open();
    connectThroughUi();
    m_window->confirmSignOutEverywhere();
    auto *dialog = waitForChild<QDialog>(m_window.get(), QStringLiteral("confirmSignOutEverywhere"));
    ASSERT_TRUE(dialog);
    auto *go = dialog->findChild<QPushButton *>(QStringLiteral("confirmButton"));
    ASSERT_TRUE(go);
    EXPECT_FALSE(go->isEnabled()); // not before "I understand"
    dialog->reject();
    waitFor([] { return false; }, 50);
    EXPECT_EQ(m_window->model()->index(0).data(AccountModel::StatusRole).toInt(), int(AccountStatus::Connected));

    // Confirmed: the banner says what really happened, and every row needs a sign-in.
    m_window->signOutEverywhereAction()->trigger();
    dialog = waitForChild<QDialog>(m_window.get(), QStringLiteral("confirmSignOutEverywhere"));
    ASSERT_TRUE(dialog);
    dialog->findChild<QCheckBox *>(QStringLiteral("understandCheck"))->setChecked(true);
    go = dialog->findChild<QPushButton *>(QStringLiteral("confirmButton"));
    ASSERT_TRUE(go->isEnabled());
    go->click();
    ASSERT_TRUE(
        waitFor([&] { return m_window->messageBanner()->title() == QStringLiteral("Signed out everywhere"); }, 30000))
        << m_window->messageBanner()->title().toStdString() << ": "
        << m_window->messageBanner()->message().toStdString();
    EXPECT_EQ(m_window->messageBanner()->kind(), Banner::Kind::Success);
    const QString message = m_window->messageBanner()->message();
    EXPECT_TRUE(message.contains(QStringLiteral("revoked at the provider: 1."))) << message.toStdString();
    EXPECT_TRUE(message.contains(QStringLiteral("The vault key was replaced."))) << message.toStdString();
    EXPECT_EQ(m_server.revocationCount(), 1);
    ASSERT_EQ(m_window->model()->rowCount(), 1);
    EXPECT_EQ(m_window->model()->index(0).data(AccountModel::StatusRole).toInt(), int(AccountStatus::NeedsSignIn));
    EXPECT_TRUE(m_service->tokenSummary(m_window->model()->index(0).data(AccountModel::IdRole).toLongLong()).isEmpty());
    EXPECT_TRUE(m_window->signOutEverywhereAction()->isEnabled());
}

// File menu: the person's data ------------------------------------------------------------

namespace {
// Reads a keychain entry the way the service does; true when it is there.
bool keychainHas(const QString &entry)
{
    KeyStore store;
    std::optional<bool> present;
    store.read(entry, [&](Result<SecureBytes> r) { present = bool(r); });
    waitFor([&] { return present.has_value(); }, 15000);
    return present.value_or(true);
}

QStringList filesBelow(const QString &dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    return files;
}
} // namespace

// Back up in one profile, restore in a fresh one: the dialog checks as you type, the key derivation
// leaves the GUI thread free, a wrong passphrase can be typed again, and the restored refresh token
// works at the server.
TEST_F(MainWindowTest, BackUpAndRestoreThroughTheFileMenu)
{
    open();
    const Account a = connectThroughUi();
    ASSERT_TRUE(m_window->backupAction()->isEnabled());
    m_window->backupAction()->trigger();
    auto *dialog = waitForChild<BackupDialog>(m_window.get(), QStringLiteral("backupDialog"));
    ASSERT_TRUE(dialog);
    const QString path = m_dir.filePath(QStringLiteral("moving.mkb"));
    dialog->pathField()->setText(path);
    const QString passphrase = QStringLiteral("correct horse battery");
    dialog->passphraseField()->setText(QStringLiteral("short"));
    dialog->confirmField()->setText(QStringLiteral("short"));
    EXPECT_FALSE(dialog->goButton()->isEnabled());
    EXPECT_TRUE(dialog->problemLabel()->text().contains(QStringLiteral("at least 8 characters")))
        << dialog->problemLabel()->text().toStdString();
    dialog->passphraseField()->setText(passphrase);
    dialog->confirmField()->setText(passphrase + QStringLiteral("x"));
    EXPECT_FALSE(dialog->goButton()->isEnabled());
    EXPECT_EQ(dialog->problemLabel()->text(), QStringLiteral("Type the same passphrase twice."));
    dialog->confirmField()->setText(passphrase);
    ASSERT_TRUE(dialog->goButton()->isEnabled()) << dialog->problemLabel()->text().toStdString();
    dump(dialog, QStringLiteral("backup-dialog.png"));

    // The key derivation (scrypt, 128 MiB) does not run on the GUI thread: the click returns at
    // once and the work finishes later (run there, the click would take about all of it).
    QElapsedTimer clock;
    clock.start();
    dialog->goButton()->click();
    const qint64 clickMs = clock.elapsed();
    EXPECT_FALSE(dialog->goButton()->isEnabled());
    EXPECT_TRUE(dialog->passphraseField()->text().isEmpty()); // taken out of the field
    EXPECT_FALSE(m_window->backupAction()->isEnabled());
    ASSERT_TRUE(waitFor([&] { return m_window->messageBanner()->title() == QStringLiteral("Backed up"); }, 60000))
        << m_window->messageBanner()->message().toStdString();
    const qint64 totalMs = clock.elapsed();
    EXPECT_LT(clickMs * 2, totalMs) << "click " << clickMs << " ms of " << totalMs << " ms";
    EXPECT_TRUE(m_window->backupAction()->isEnabled());
    EXPECT_TRUE(m_window->messageBanner()->message().contains(QDir::toNativeSeparators(path)));
    ASSERT_TRUE(QFileInfo::exists(path));
    EXPECT_EQ(
        QFileInfo(path).permissions()
            & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
        QFileDevice::Permissions());
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::ReadOnly));
        Result<BackupFile::Contents> read = BackupFile::read(f.readAll(), SecureBytes(passphrase.toUtf8()));
        ASSERT_TRUE(read) << read.error().message.toStdString();
        ASSERT_EQ(read->vault.accounts.size(), 1U);
        EXPECT_EQ(read->vault.accounts.front().info.email, a.email);
        EXPECT_TRUE(read->vault.audit.isEmpty()); // only when asked for
    }

    // A new computer: a fresh profile, an empty vault.
    m_window.reset();
    m_service.reset();
    m_profile = Profile(test::uniqueName(QStringLiteral("ui-restored")));
    open();
    ASSERT_EQ(m_window->model()->rowCount(), 0);
    m_window->restoreAction()->trigger();
    dialog = waitForChild<BackupDialog>(m_window.get(), QStringLiteral("restoreDialog"));
    ASSERT_TRUE(dialog);
    // Not a backup: refused before any passphrase.
    const QString notBackup = m_dir.filePath(QStringLiteral("config/providers.json"));
    dialog->pathField()->setText(notBackup);
    dialog->passphraseField()->setText(passphrase);
    EXPECT_FALSE(dialog->goButton()->isEnabled());
    EXPECT_TRUE(dialog->problemLabel()->text().contains(QStringLiteral("not a MailKey backup")))
        << dialog->problemLabel()->text().toStdString();
    // A wrong passphrase: said in the dialog, which stays for another try; nothing changed.
    dialog->pathField()->setText(path);
    dialog->passphraseField()->setText(QStringLiteral("wrong passphrase"));
    ASSERT_TRUE(dialog->goButton()->isEnabled()) << dialog->problemLabel()->text().toStdString();
    dialog->goButton()->click();
    ASSERT_TRUE(waitFor([&] { return dialog->passphraseField()->isEnabled(); }, 60000));
    EXPECT_TRUE(dialog->problemLabel()->text().contains(QStringLiteral("passphrase")))
        << dialog->problemLabel()->text().toStdString();
    EXPECT_TRUE(dialog->isVisible());
    EXPECT_EQ(m_window->model()->rowCount(), 0);
    dialog->passphraseField()->setText(passphrase);
    dialog->goButton()->click();
    ASSERT_TRUE(waitFor(
        [&] { return m_window->messageBanner()->title() == QStringLiteral("Restored from the backup"); }, 60000))
        << dialog->problemLabel()->text().toStdString();
    EXPECT_TRUE(waitFor([&] { return !m_window->findChild<BackupDialog *>(QStringLiteral("restoreDialog")); }, 5000));
    EXPECT_TRUE(m_window->messageBanner()->message().contains(QStringLiteral("Added: ") + a.email))
        << m_window->messageBanner()->message().toStdString();
    ASSERT_EQ(m_window->model()->rowCount(), 1);
    const qint64 restored = m_window->model()->index(0).data(AccountModel::IdRole).toLongLong();

    // Its refresh token works at the server.
    const int refreshes = m_server.refreshCount();
    m_window->selectAccount(restored);
    m_window->refreshNow(restored);
    ASSERT_TRUE(waitFor([&] { return m_server.refreshCount() > refreshes; }, 30000));
    EXPECT_TRUE(waitFor(
        [&] {
            return m_window->model()->index(0).data(AccountModel::StatusRole).toInt() == int(AccountStatus::Connected);
        },
        30000));
}

// Erase everything: confirmed, then every account revoked, the vault, its folder, the keychain entry,
// settings.ini and providers.json gone (the only profile), and the window says so and offers only Quit.
TEST_F(MainWindowTest, EraseEverythingRemovesEveryFileAndKeyAndSaysWhat)
{
    open();
    connectThroughUi();
    const QString dataDir = m_profile.dataDir();
    ASSERT_FALSE(filesBelow(dataDir).isEmpty());
    ASSERT_TRUE(keychainHas(m_profile.keychainKey()));

    m_window->eraseAction()->trigger();
    auto *dialog = waitForChild<QDialog>(m_window.get(), QStringLiteral("confirmEraseEverything"));
    ASSERT_TRUE(dialog);
    auto *go = dialog->findChild<QPushButton *>(QStringLiteral("confirmButton"));
    EXPECT_FALSE(go->isEnabled()); // not before "I understand"
    dialog->findChild<QCheckBox *>(QStringLiteral("understandCheck"))->setChecked(true);
    ASSERT_TRUE(go->isEnabled());
    go->click();

    auto *report = waitForChild<QMessageBox>(m_window.get(), QStringLiteral("erasedReport"), 60000);
    ASSERT_TRUE(report) << m_window->messageBanner()->message().toStdString();
    QObject::disconnect(report, nullptr, qApp, nullptr); // the test goes on after the report
    EXPECT_EQ(report->text(), QStringLiteral("Everything MailKey held was erased."))
        << report->detailedText().toStdString();
    EXPECT_TRUE(report->detailedText().contains(QStringLiteral("revoked at the provider")))
        << report->detailedText().toStdString();
    EXPECT_EQ(m_server.revocationCount(), 1);
    EXPECT_FALSE(QFileInfo::exists(dataDir));
    EXPECT_TRUE(filesBelow(m_dir.filePath(QStringLiteral("data"))).isEmpty())
        << filesBelow(m_dir.filePath(QStringLiteral("data"))).join(QLatin1Char(' ')).toStdString();
    EXPECT_TRUE(filesBelow(m_dir.filePath(QStringLiteral("config"))).isEmpty())
        << filesBelow(m_dir.filePath(QStringLiteral("config"))).join(QLatin1Char(' ')).toStdString();
    EXPECT_FALSE(keychainHas(m_profile.keychainKey()));
    EXPECT_EQ(m_window->currentPage(), m_window->unavailablePage());
    EXPECT_FALSE(m_window->eraseAction()->isEnabled());
    EXPECT_FALSE(m_window->backupAction()->isEnabled());
    EXPECT_FALSE(m_window->connectButton()->isEnabled());
    EXPECT_FALSE(m_window->findChild<QToolButton *>(QStringLiteral("settingsButton"))->isEnabled());
    // The removals are in the report, not one banner per mailbox.
    EXPECT_FALSE(m_window->messageBanner()->isVisible()) << m_window->messageBanner()->title().toStdString();
    dump(m_window.get(), QStringLiteral("erased.png"));
    dump(report, QStringLiteral("erased-report.png"));
    report->done(0);
    // Closing the window does not bring settings.ini back.
    m_window->close();
    EXPECT_TRUE(filesBelow(m_dir.filePath(QStringLiteral("config"))).isEmpty());
}

// Vault and keychain banners ---------------------------------------------------------------

// The list shows as soon as the vault's key and schema are proven; every page is checked next, on a
// second connection. Damage far from the accounts (the last page, in the audit log) is found by
// that check: the window then shows the damage, not a list that would fail later.
TEST_F(MainWindowTest, TheListShowsWhileTheVaultIsCheckedAndLateDamageIsShown)
{
    open();
    const Account a = connectThroughUi();
    // Enough audit rows that the last pages of the file are the audit log's.
    {
        const std::shared_ptr<Vault> vault = AccountServiceTestAccess::vault(*m_service);
        AuditEntry e;
        e.action = QStringLiteral("test.padding");
        e.outcome = QStringLiteral("ok");
        e.detail = QString(200, QLatin1Char('x'));
        for (int i = 0; i < 400; ++i)
            ASSERT_TRUE(vault->appendAudit(e).ok());
    }
    const QString path = m_service->vaultPath();
    m_window.reset();
    m_service.reset();

    // A healthy vault: Unlocking, then Verifying with the list already filled, then Ready.
    QList<std::pair<VaultState, int>> seen;
    const auto watch = [&] {
        QObject::connect(m_service.get(), &AccountService::vaultStateChanged, m_window.get(), [&] {
            seen.append({m_service->vaultState(), m_window->model()->rowCount()});
        });
    };
    open(false);
    watch();
    ASSERT_TRUE(waitFor([&] { return m_service->vaultState() == VaultState::Ready; }, 30000));
    ASSERT_GE(seen.size(), 2);
    EXPECT_EQ(seen.at(seen.size() - 2), std::make_pair(VaultState::Verifying, 1));
    EXPECT_EQ(seen.last(), std::make_pair(VaultState::Ready, 1));
    EXPECT_EQ(m_window->selectedAccountId(), a.id);
    // The folders of the mailbox shown are fetched once the vault is Ready, not refused before
    // ("the vault is not unlocked yet" stayed on screen; this provider has no mail API).
    auto *folderError = m_window->details()->findChild<QLabel *>(QStringLiteral("folderError"));
    ASSERT_TRUE(waitFor([&] { return folderError->isVisible(); }, 10000));
    EXPECT_TRUE(folderError->text().contains(QStringLiteral("no mail folder API")))
        << folderError->text().toStdString();
    m_window.reset();
    m_service.reset();

    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::ReadWrite));
        ASSERT_GT(f.size(), 64 * 1024);
        ASSERT_TRUE(f.seek(f.size() - 700)); // inside the last page
        f.write(QByteArray(64, '\x5a'));
    }
    seen.clear();
    open(false);
    watch();
    ASSERT_TRUE(waitFor([&] { return m_service->vaultState() == VaultState::Failed; }, 30000));
    EXPECT_EQ(m_service->vaultError().code, ErrorCode::VaultDamaged) << m_service->vaultError().message.toStdString();
    ASSERT_GE(seen.size(), 2);
    EXPECT_EQ(seen.at(seen.size() - 2), std::make_pair(VaultState::Verifying, 1)); // the list came first
    EXPECT_EQ(m_window->currentPage(), m_window->unavailablePage());
    EXPECT_EQ(m_window->model()->rowCount(), 0);
    EXPECT_TRUE(m_window->vaultBanner()->isVisible());
    EXPECT_TRUE(m_window->vaultBanner()->button(QStringLiteral("Reset vault…")));
}

// ------------------------------------------------------------------------------------------
// Issue 16 point 2: fifty mailboxes, searched and sorted; point 5: honest offline wording.

TEST_F(MainWindowTest, FiftyMailboxesSearchSortAndTheOrderIsRemembered)
{
    open();
    const Account alice = connectThroughUi(); // "Alice Example", Fake IdP
    QList<AccountInfo> infos;
    const QStringList names
        = {QStringLiteral("Zeta"),   QStringLiteral("yannick"), QStringLiteral("Xavier"), QStringLiteral("Wendy"),
           QStringLiteral("victor"), QStringLiteral("Ursula"),  QStringLiteral("Tom"),    QStringLiteral("sarah"),
           QStringLiteral("Rita"),   QStringLiteral("Quinn")};
    for (int i = 0; i < 49; ++i) {
        const QString name = names.at(i % names.size()) + QStringLiteral(" %1").arg(i, 2, 10, QLatin1Char('0'));
        const bool ms = i % 3 == 0;
        infos.append(AccountInfo{ms ? QStringLiteral("microsoft") : QStringLiteral("fake"),
                                 name.toLower().replace(QLatin1Char(' '), QLatin1Char('.'))
                                     + (ms ? QStringLiteral("@contoso.example") : QStringLiteral("@example.org")),
                                 name, QString(), QStringLiteral("sub-%1").arg(i)});
    }
    infos[7].email = QStringLiteral("averyveryverylongname.averyveryverylongname@department.example.com");
    const QList<qint64> ids = seedAccounts(alice, infos);
    ASSERT_EQ(ids.size(), 49);
    // Some need attention: two need a sign-in, one has an error, one is offline, one failed its mail login.
    const std::shared_ptr<Vault> vault = AccountServiceTestAccess::vault(*m_service);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    ASSERT_TRUE(vault->setAccountStatus(ids.at(40), AccountStatus::NeedsSignIn, QStringLiteral("Revoked."), now).ok());
    ASSERT_TRUE(vault->setAccountStatus(ids.at(11), AccountStatus::NeedsSignIn, QStringLiteral("Revoked."), now).ok());
    ASSERT_TRUE(vault->setAccountStatus(ids.at(25), AccountStatus::Error, QStringLiteral("Bad client."), now).ok());
    ASSERT_TRUE(vault->setAccountStatus(ids.at(33), AccountStatus::Offline, QString(), now).ok());
    Q_EMIT m_service->accountsChanged();
    ASSERT_TRUE(waitFor([&] { return m_window->model()->rowCount() == 50; }));
    m_window->model()->setMailLoginFailure(ids.at(2), QStringLiteral("SMTP"));
    m_window->resize(780, 532); // the first size a person sees
    m_window->selectAccount(alice.id);
    waitFor([] { return false; }, 200);
    dump(m_window.get(), QStringLiteral("fifty.png"));

    // Needs attention first (the default): sign-in (A–Z), error, offline, mail login; then A–Z.
    AccountListPane *pane = m_window->accountListPane();
    EXPECT_EQ(pane->order(), AccountFilterModel::Order::NeedsAttentionFirst);
    const QList<qint64> shown = shownIds();
    ASSERT_EQ(shown.size(), 50);
    // "yannick 11", "Zeta 40" (sign-in), "Ursula 25" (error), "Wendy 33" (offline), "Xavier 02" (SMTP).
    EXPECT_EQ(shown.mid(0, 5), (QList<qint64>{ids.at(11), ids.at(40), ids.at(25), ids.at(33), ids.at(2)}));
    const auto nameAt = [&](int row) {
        const QModelIndex i = m_window->listModel()->index(row, 0);
        const QString n = i.data(AccountModel::DisplayNameRole).toString();
        return (n.isEmpty() ? i.data(AccountModel::EmailRole).toString() : n).toCaseFolded();
    };
    for (int r = 6; r < 50; ++r)
        EXPECT_LE(QString::localeAwareCompare(nameAt(r - 1), nameAt(r)), 0) << "row " << r;
    EXPECT_EQ(shown.at(5), alice.id); // "Alice Example" is first of the rest

    // At the first size, more than six rows show, and a connected row's status and time fit.
    QListView *list = m_window->accountList();
    const int rowHeight = list->sizeHintForRow(0);
    EXPECT_GE(list->viewport()->height() / rowHeight, 6) << list->viewport()->height() << " / " << rowHeight;
    const QModelIndex aliceRow = m_window->listModel()->indexOfId(alice.id);
    const QString status = aliceRow.data(AccountModel::StatusTextRole).toString();
    EXPECT_TRUE(status.startsWith(QStringLiteral("Connected · renews in"))) << status.toStdString();
    const AccountDelegate::Layout layout
        = AccountDelegate::layoutFor(list->visualRect(aliceRow), list->fontMetrics(), 1000, false);
    EXPECT_GE(layout.status.width(), list->fontMetrics().horizontalAdvance(status))
        << "the status line is elided: " << status.toStdString();
    // The long address keeps its domain in the row.
    const QString painted = AccountDelegate::elidedEmail(infos.at(7).email, list->fontMetrics(), layout.email.width());
    EXPECT_TRUE(painted.endsWith(QStringLiteral("@department.example.com"))) << painted.toStdString();
    EXPECT_TRUE(painted.contains(QChar(0x2026))) << painted.toStdString();

    // Ctrl+F focuses the search from the list.
    m_window->activateWindow();
    ASSERT_TRUE(QTest::qWaitForWindowActive(m_window.get()));
    list->setFocus();
    QLineEdit *search = pane->searchField();
    EXPECT_FALSE(search->accessibleName().isEmpty());
    QTest::keyClick(list, Qt::Key_F, Qt::ControlModifier);
    EXPECT_TRUE(search->hasFocus());

    // By name, case-insensitively: the chosen mailbox is hidden, the first match is selected.
    QTest::keyClicks(search, QStringLiteral("ZETA"));
    EXPECT_EQ(m_window->listModel()->rowCount(), 5);
    EXPECT_FALSE(pane->showsNoMatch());
    const qint64 firstZeta = m_window->selectedAccountId();
    ASSERT_NE(firstZeta, 0);
    EXPECT_TRUE(m_service->account(firstZeta)->displayName.startsWith(QStringLiteral("Zeta")));
    EXPECT_EQ(m_window->details()->accountId(), firstZeta);
    waitFor([] { return false; }, 100);
    dump(m_window.get(), QStringLiteral("search.png"));
    // Every word must match somewhere: the name and the provider's name.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("zeta outlook"));
    for (int r = 0; r < m_window->listModel()->rowCount(); ++r)
        EXPECT_EQ(m_window->listModel()->index(r, 0).data(AccountModel::ProviderRole).toString(),
                  QStringLiteral("microsoft"));
    EXPECT_GT(m_window->listModel()->rowCount(), 0);
    EXPECT_LT(m_window->listModel()->rowCount(), 5);
    // By address (the domain).
    search->clear();
    QTest::keyClicks(search, QStringLiteral("DEPARTMENT.example"));
    EXPECT_EQ(shownIds(), QList<qint64>{ids.at(7)});

    // Nothing matches: said in place of the list, nothing selected, the details are empty.
    search->clear();
    QTest::keyClicks(search, QStringLiteral("nobody-here"));
    EXPECT_EQ(m_window->listModel()->rowCount(), 0);
    EXPECT_TRUE(pane->showsNoMatch());
    EXPECT_TRUE(pane->noMatchLabel()->isVisible());
    EXPECT_EQ(pane->noMatchLabel()->text(), QStringLiteral("No mailbox matches “nobody-here”."));
    EXPECT_EQ(m_window->selectedAccountId(), 0);
    EXPECT_EQ(m_window->details()->accountId(), 0);

    // Esc clears it: every row again, and the mailbox chosen before the search is selected again.
    QTest::keyClick(search, Qt::Key_Escape);
    EXPECT_TRUE(search->text().isEmpty());
    EXPECT_EQ(m_window->listModel()->rowCount(), 50);
    EXPECT_FALSE(pane->showsNoMatch());
    EXPECT_EQ(m_window->selectedAccountId(), alice.id);
    EXPECT_EQ(m_window->details()->accountId(), alice.id);
    // Esc again (empty field) goes back to the list.
    QTest::keyClick(search, Qt::Key_Escape);
    EXPECT_TRUE(list->hasFocus());

    // A mailbox asked for by id (an alert's "Show mailbox") is shown even when a search hides it.
    QTest::keyClick(list, Qt::Key_F, Qt::ControlModifier);
    QTest::keyClicks(search, QStringLiteral("zeta"));
    m_window->selectAccount(ids.at(11)); // "yannick 11"
    EXPECT_TRUE(search->text().isEmpty());
    EXPECT_EQ(m_window->selectedAccountId(), ids.at(11));

    // Switch to A–Z with the sort menu: plain alphabetical order, the selection kept, remembered.
    QAction *byName = m_window->findChild<QAction *>(QStringLiteral("orderByName"));
    ASSERT_TRUE(byName);
    byName->trigger();
    EXPECT_EQ(pane->order(), AccountFilterModel::Order::ByName);
    for (int r = 1; r < 50; ++r)
        EXPECT_LE(QString::localeAwareCompare(nameAt(r - 1), nameAt(r)), 0) << "row " << r;
    EXPECT_EQ(shownIds().first(), alice.id);
    EXPECT_EQ(m_window->selectedAccountId(), ids.at(11));
    EXPECT_EQ(AppSettings(m_settings->path()).accountOrder(), AppSettings::AccountOrder::ByName);
    m_window->close();
    m_window = std::make_unique<MainWindow>(m_service.get(), m_settings.get());
    m_window->show();
    ASSERT_TRUE(waitFor([&] { return m_window->model()->rowCount() == 50; }));
    EXPECT_EQ(m_window->accountListPane()->order(), AccountFilterModel::Order::ByName);
    EXPECT_TRUE(m_window->findChild<QAction *>(QStringLiteral("orderByName"))->isChecked());
    EXPECT_EQ(shownIds().first(), alice.id);
    // And back.
    m_window->findChild<QAction *>(QStringLiteral("orderAttention"))->trigger();
    EXPECT_EQ(shownIds().first(), ids.at(11));
    EXPECT_EQ(AppSettings(m_settings->path()).accountOrder(), AppSettings::AccountOrder::NeedsAttentionFirst);
}

TEST_F(MainWindowTest, AnUnreachableProviderWithAValidTokenIsNotAnError)
{
    open();
    ManualClock clock(QDateTime::currentDateTimeUtc());
    m_window->setClock(&clock);
    const Account a = connectThroughUi();
    m_server.setUser(user(QStringLiteral("bob@example.com"), QStringLiteral("Bob")));
    connectThroughUi();
    m_window->selectAccount(a.id);
    const auto row = [&] { return m_window->listModel()->indexOfId(a.id); };
    const QDateTime expiry = row().data(AccountModel::ExpiryRole).toDateTime();
    ASSERT_TRUE(expiry.isValid());
    ASSERT_GT(expiry, clock.now());

    // The token endpoint moves to a port nobody listens on: connection refused.
    QTcpServer probe;
    ASSERT_TRUE(probe.listen(QHostAddress(QHostAddress::LocalHost), 0));
    const quint16 deadPort = probe.serverPort();
    probe.close();
    writeProvidersFile({{QStringLiteral("token_endpoint"), QStringLiteral("http://127.0.0.1:%1/token").arg(deadPort)}});
    m_window->reloadProviders();
    m_window->messageBanner()->dismiss();
    m_window->refreshNow(a.id);
    ASSERT_TRUE(
        waitFor([&] { return row().data(AccountModel::StatusRole).toInt() == int(AccountStatus::Offline); }, 15000));
    ASSERT_TRUE(waitFor([&] { return m_window->refreshNowAction()->isEnabled(); }, 5000));

    // The row: it still works, until when; the quiet colour, not the error's.
    const QString until = AccountModel::shortTime(expiry, clock.now());
    EXPECT_EQ(row().data(AccountModel::StatusTextRole).toString(),
              QStringLiteral("Offline · works until %1, will retry").arg(until));
    EXPECT_EQ(row().data(AccountModel::SeverityRole).toInt(), int(AccountModel::Severity::Quiet));
    const QPalette palette = m_window->accountList()->palette();
    EXPECT_NE(AccountDelegate::severityColor(row().data(AccountModel::SeverityRole).toInt(),
                                             int(AccountStatus::Offline), palette),
              AccountDelegate::statusColor(int(AccountStatus::Error), palette));
    // Needs attention, but after the mailboxes that are broken; first of the list here.
    EXPECT_EQ(row().data(AccountModel::AttentionRole).toInt(), 2);
    EXPECT_EQ(row().row(), 0);
    // The details and the outcome of Refresh now say the same, without alarm.
    auto *detailsStatus = m_window->details()->findChild<QLabel *>(QStringLiteral("detailsStatus"));
    ASSERT_TRUE(waitFor([&] { return detailsStatus->text().startsWith(QStringLiteral("Offline · works until")); }))
        << detailsStatus->text().toStdString();
    EXPECT_NE(m_window->messageBanner()->kind(), Banner::Kind::Error)
        << m_window->messageBanner()->title().toStdString();
    EXPECT_FALSE(m_window->messageBanner()->message().contains(QStringLiteral("internet connection")))
        << m_window->messageBanner()->message().toStdString();
    EXPECT_TRUE(m_window->messageBanner()->message().contains(QStringLiteral("keeps working until")))
        << m_window->messageBanner()->message().toStdString();
    // Activity: what happened in words, not "HTTP 0".
    QTreeWidget *activity = m_window->details()->activityList();
    ASSERT_TRUE(waitFor([&] {
        m_window->selectAccount(a.id);
        for (int i = 0; i < activity->topLevelItemCount(); ++i) {
            if (activity->topLevelItem(i)->text(2) == QStringLiteral("failed"))
                return true;
        }
        return false;
    }));
    bool sawUnreachable = false;
    for (int i = 0; i < activity->topLevelItemCount(); ++i) {
        const QString detail = activity->topLevelItem(i)->text(3);
        EXPECT_FALSE(detail.contains(QStringLiteral("HTTP 0"))) << detail.toStdString();
        sawUnreachable = sawUnreachable || detail.contains(QStringLiteral("could not reach the provider"));
    }
    EXPECT_TRUE(sawUnreachable);
    // No "refreshes keep failing" alert for a mailbox that works.
    EXPECT_FALSE(m_window->alertBanner()->isVisible());
    waitFor([] { return false; }, 100);
    dump(m_window.get(), QStringLiteral("offline.png"));

    // Once the token has expired it is a problem: said so, in the error colour.
    clock.set(expiry.addSecs(60));
    m_window->model()->refreshRelativeTimes();
    // Formatted against the new "now": a run just before midnight has the expiry on another day
    // before the clock moves and on the same day after.
    EXPECT_EQ(
        row().data(AccountModel::StatusTextRole).toString(),
        QStringLiteral("Offline · access expired at %1, will retry").arg(AccountModel::shortTime(expiry, clock.now())));
    EXPECT_EQ(row().data(AccountModel::SeverityRole).toInt(), int(AccountModel::Severity::Problem));
    EXPECT_EQ(AccountDelegate::severityColor(row().data(AccountModel::SeverityRole).toInt(),
                                             int(AccountStatus::Offline), palette),
              AccountDelegate::statusColor(int(AccountStatus::Error), palette));
    EXPECT_EQ(row().data(AccountModel::AttentionRole).toInt(), 3);
    m_window->details()->refreshRelativeTimes(); // its 30-s timer
    EXPECT_TRUE(detailsStatus->text().startsWith(QStringLiteral("Offline · access expired at")))
        << detailsStatus->text().toStdString();
    dump(m_window.get(), QStringLiteral("offline-expired.png"));
    m_window->setClock(nullptr);
}

// Audit retention (Settings, default 365 days): applied at start on the checking connection; the
// pruned log still verifies.
TEST_F(MainWindowTest, AuditRetentionPrunesAtStartAndTheRestVerifies)
{
    open();
    {
        const std::shared_ptr<Vault> vault = AccountServiceTestAccess::vault(*m_service);
        for (int i = 0; i < 4; ++i) {
            AuditEntry e;
            e.action = QStringLiteral("token.refreshed");
            e.outcome = QStringLiteral("ok");
            e.at = QDateTime::currentDateTimeUtc().addDays(-90 + i);
            ASSERT_TRUE(vault->appendAudit(e).ok());
        }
    }
    const Account a = connectThroughUi();
    m_window.reset();
    m_service.reset();

    m_settings->setAuditRetentionDays(30);
    open();
    const std::shared_ptr<Vault> vault = AccountServiceTestAccess::vault(*m_service);
    const auto log = vault->audit();
    ASSERT_TRUE(log.ok());
    int old = 0;
    bool prunedEntry = false;
    for (const AuditEntry &e : *log) {
        old += e.at < QDateTime::currentDateTimeUtc().addDays(-30) ? 1 : 0;
        if (e.action == QLatin1String("audit.pruned")) {
            prunedEntry = true;
            EXPECT_EQ(e.actor, QStringLiteral("mailkey"));
            EXPECT_TRUE(e.detail.startsWith(QStringLiteral("4 entries"))) << e.detail.toStdString();
        }
    }
    EXPECT_EQ(old, 0);
    EXPECT_TRUE(prunedEntry);
    EXPECT_TRUE(vault->verifyAudit()->intact);
    EXPECT_EQ(m_window->model()->rowCount(), 1);
    EXPECT_EQ(m_window->selectedAccountId(), a.id);
}

TEST_F(MainWindowTest, DamagedVaultShowsABannerAndCanBeResetOnlyWhenConfirmed)
{
    open();
    connectThroughUi();
    const QString path = m_service->vaultPath();
    m_window.reset();
    m_service.reset();
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::ReadWrite));
        QByteArray junk(4096, '\x5a');
        ASSERT_TRUE(f.seek(0));
        f.write(junk);
    }
    open(false);
    ASSERT_TRUE(waitFor([&] { return m_service->vaultState() == VaultState::Failed; }, 30000));
    Banner *banner = m_window->vaultBanner();
    EXPECT_TRUE(banner->isVisible());
    EXPECT_EQ(banner->kind(), Banner::Kind::Error);
    EXPECT_FALSE(banner->title().isEmpty());
    EXPECT_TRUE(banner->message().contains(m_service->vaultError().message));
    EXPECT_EQ(m_window->currentPage(), m_window->unavailablePage()); // not a silent empty list
    EXPECT_EQ(m_window->model()->rowCount(), 0);
    EXPECT_FALSE(m_window->connectButton()->isEnabled());
    QPushButton *retry = banner->button(QStringLiteral("Retry"));
    QPushButton *reset = banner->button(QStringLiteral("Reset vault…"));
    ASSERT_TRUE(retry);
    ASSERT_TRUE(reset);

    // Retry: still damaged, still a banner.
    retry->click();
    ASSERT_TRUE(waitFor([&] { return m_service->vaultState() == VaultState::Failed; }, 30000));
    EXPECT_TRUE(m_window->vaultBanner()->isVisible());
    EXPECT_TRUE(QFile::exists(path));

    // Reset, cancelled: the file stays where it is.
    m_window->vaultBanner()->button(QStringLiteral("Reset vault…"))->click();
    auto *box = waitForChild<QMessageBox>(m_window.get(), QStringLiteral("confirmResetVault"));
    ASSERT_TRUE(box);
    box->button(QMessageBox::Cancel)->click();
    waitFor([] { return false; }, 50);
    EXPECT_EQ(m_service->vaultState(), VaultState::Failed);
    const QByteArray damaged = [&] {
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }();

    // Reset, confirmed: moved aside (kept), a new empty vault.
    m_window->vaultBanner()->button(QStringLiteral("Reset vault…"))->click();
    box = waitForChild<QMessageBox>(m_window.get(), QStringLiteral("confirmResetVault"));
    ASSERT_TRUE(box);
    box->findChild<QPushButton *>(QStringLiteral("confirmButton"))->click();
    ASSERT_TRUE(waitFor([&] { return m_service->vaultState() == VaultState::Ready; }, 30000));
    EXPECT_TRUE(m_window->vaultBanner()->isHidden());
    EXPECT_EQ(m_window->currentPage(), m_window->emptyState());
    bool keptAside = false;
    const auto entries = QDir(QFileInfo(path).absolutePath()).entryInfoList(QDir::Files);
    for (const QFileInfo &fi : entries) {
        if (fi.absoluteFilePath() == QFileInfo(path).absoluteFilePath())
            continue;
        QFile f(fi.absoluteFilePath());
        if (f.open(QIODevice::ReadOnly) && f.readAll() == damaged)
            keptAside = true;
    }
    EXPECT_TRUE(keptAside);
}

TEST_F(MainWindowTest, MissingKeyOffersAConfirmedReset)
{
    open();
    m_window.reset();
    m_service.reset();
    KeyStore store;
    std::optional<Status> removed;
    store.remove(m_profile.keychainKey(), [&](Status s) { removed.emplace(s); });
    ASSERT_TRUE(waitFor([&] { return removed.has_value(); }, 20000));
    ASSERT_TRUE(removed->ok());

    open(false);
    ASSERT_TRUE(waitFor([&] { return m_service->vaultState() == VaultState::Failed; }, 30000));
    EXPECT_EQ(m_service->vaultError().code, ErrorCode::KeyMissing);
    EXPECT_TRUE(m_window->vaultBanner()->isVisible());
    EXPECT_TRUE(m_window->vaultBanner()->title().contains(QStringLiteral("key")));
    EXPECT_TRUE(m_window->vaultBanner()->button(QStringLiteral("Reset vault…")));
    EXPECT_TRUE(m_window->vaultBanner()->button(QStringLiteral("Retry")));
    EXPECT_TRUE(QFile::exists(m_profile.databasePath())); // never silently replaced
}

TEST_F(MainWindowTest, NoKeychainShowsABanner)
{
    // A child process without a session bus (and without X11 for D-Bus autolaunch).
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_dir.filePath(QStringLiteral("no-bus")));
    QDir().mkpath(m_dir.filePath(QStringLiteral("no-bus")));
    const ChildResult r = runChild(
        "nokeychain", {QCoreApplication::applicationFilePath(), QStringLiteral("--gtest_filter=ChildOnly.NoKeychain")},
        env);
    EXPECT_EQ(r.exitCode, 0) << r.output.toStdString();
    EXPECT_TRUE(r.output.contains(QStringLiteral("[  PASSED  ] 1 test"))) << r.output.toStdString();
}

TEST_F(MainWindowTest, LockedKeychainShowsABanner)
{
    // A child process with a keyring of its own (it gets locked).
    const QString script = QString::fromLocal8Bit(MAILKEY_WITH_KEYRING_SCRIPT);
    // No display: with one (xvfb-run), the keychain read at start would bring up the keyring's own
    // prompt (libsecret) and wait for a person; KeyringUnlockFromTheBanner... covers that.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    const ChildResult r = runChild("locked",
                                   {QStringLiteral("sh"), script, QCoreApplication::applicationFilePath(),
                                    QStringLiteral("--gtest_filter=ChildOnly.LockedKeychain")},
                                   env);
    EXPECT_EQ(r.exitCode, 0) << r.output.toStdString();
    EXPECT_TRUE(r.output.contains(QStringLiteral("[  PASSED  ] 1 test"))) << r.output.toStdString();
}

// Needs Xvfb (a display for gnome-keyring's prompter) and xdotool: its own ctest entry,
// test_ui_window_keyring_unlock, skips (77) only when one of them is not installed.
TEST_F(MainWindowTest, KeyringUnlockFromTheBannerOpensTheVaultByItself)
{
    ASSERT_FALSE(QStandardPaths::findExecutable(QStringLiteral("Xvfb")).isEmpty());
    ASSERT_FALSE(QStandardPaths::findExecutable(QStringLiteral("xdotool")).isEmpty());
    QProcess xvfb;
    xvfb.start(QStringLiteral("Xvfb"),
               {QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"), QStringLiteral("0"),
                QStringLiteral("1280x900x24"), QStringLiteral("-nolisten"), QStringLiteral("tcp")});
    ASSERT_TRUE(xvfb.waitForStarted(10000));
    ASSERT_TRUE(waitFor([&] { return xvfb.canReadLine(); }, 20000)) << "Xvfb gave no display number";
    const QString display = QLatin1Char(':') + QString::fromLatin1(xvfb.readLine().trimmed());
    // The child's own keyring (with-keyring.sh), whose session bus starts gcr-prompter on `display`.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DISPLAY"), display);
    env.insert(QStringLiteral("NO_AT_BRIDGE"), QStringLiteral("1"));
    const QString script = QString::fromLocal8Bit(MAILKEY_WITH_KEYRING_SCRIPT);
    const ChildResult r = runChild("keyringunlock",
                                   {QStringLiteral("sh"), script, QCoreApplication::applicationFilePath(),
                                    QStringLiteral("--gtest_filter=ChildOnly.KeyringUnlock")},
                                   env);
    xvfb.terminate();
    xvfb.waitForFinished(5000);
    EXPECT_EQ(r.exitCode, 0) << r.output.toStdString();
    EXPECT_TRUE(r.output.contains(QStringLiteral("[  PASSED  ] 1 test"))) << r.output.toStdString();
}

// Run only as children of the tests above.
TEST(ChildOnly, NoKeychain)
{
    if (!isChild("nokeychain"))
        GTEST_SKIP() << "runs as a child of MainWindowTest.NoKeychainShowsABanner";
    ASSERT_FALSE(KeyStore::sessionBusAvailable());
    QTemporaryDir dir;
    qputenv("MAILKEY_DATA_DIR", QFile::encodeName(dir.filePath(QStringLiteral("data"))));
    qputenv("MAILKEY_CONFIG_DIR", QFile::encodeName(dir.filePath(QStringLiteral("config"))));
    QNetworkAccessManager nam;
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    AppSettings settings(dir.filePath(QStringLiteral("config/settings.ini")));
    AccountService service(Profile(QStringLiteral("nokeychain")), &nam, &registry);
    MainWindow window(&service, &settings);
    window.show();
    ASSERT_TRUE(waitFor([&] { return service.vaultState() == VaultState::Failed; }, 30000));
    EXPECT_EQ(service.vaultError().code, ErrorCode::NoKeychain);
    EXPECT_TRUE(window.vaultBanner()->isVisible());
    EXPECT_EQ(window.vaultBanner()->title(), QStringLiteral("No keychain is available"));
    EXPECT_TRUE(window.vaultBanner()->message().contains(service.vaultError().message));
    EXPECT_TRUE(window.vaultBanner()->button(QStringLiteral("Retry")));
    EXPECT_FALSE(window.vaultBanner()->button(QStringLiteral("Reset vault…")));
    EXPECT_FALSE(window.vaultBanner()->button(QStringLiteral("Unlock"))) << "no Secret Service to ask";
    EXPECT_EQ(window.currentPage(), window.unavailablePage());
    // Nothing was written without a keychain.
    EXPECT_FALSE(QFile::exists(Profile(QStringLiteral("nokeychain")).databasePath()));
    window.vaultBanner()->button(QStringLiteral("Retry"))->click();
    ASSERT_TRUE(waitFor([&] { return service.vaultState() == VaultState::Failed; }, 30000));
    EXPECT_TRUE(window.vaultBanner()->isVisible());
}

TEST(ChildOnly, LockedKeychain)
{
    if (!isChild("locked"))
        GTEST_SKIP() << "runs as a child of MainWindowTest.LockedKeychainShowsABanner";
    ASSERT_TRUE(KeyStore::sessionBusAvailable());
    QTemporaryDir dir;
    qputenv("MAILKEY_DATA_DIR", QFile::encodeName(dir.filePath(QStringLiteral("data"))));
    qputenv("MAILKEY_CONFIG_DIR", QFile::encodeName(dir.filePath(QStringLiteral("config"))));
    QNetworkAccessManager nam;
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    AppSettings settings(dir.filePath(QStringLiteral("config/settings.ini")));
    const Profile profile(QStringLiteral("locked"));
    {
        AccountService first(profile, &nam, &registry);
        first.start();
        ASSERT_TRUE(waitFor([&] { return first.vaultState() == VaultState::Ready; }, 30000));
    }
    ASSERT_TRUE(lockLoginKeyring());

    AccountService service(profile, &nam, &registry);
    MainWindow window(&service, &settings);
    window.show();
    ASSERT_TRUE(waitFor([&] { return service.vaultState() == VaultState::Failed; }, 30000));
    EXPECT_EQ(service.vaultError().code, ErrorCode::KeychainLocked);
    EXPECT_TRUE(window.vaultBanner()->isVisible());
    EXPECT_EQ(window.vaultBanner()->title(), QStringLiteral("Your keyring is locked"));
    // One word for it, and the advice once.
    const QString text = window.vaultBanner()->message();
    EXPECT_FALSE(text.contains(QStringLiteral("keychain"))) << text.toStdString();
    EXPECT_EQ(text.count(QStringLiteral("Unlock your keyring")), 1) << text.toStdString();
    EXPECT_TRUE(window.vaultBanner()->button(QStringLiteral("Retry")));
    EXPECT_FALSE(window.vaultBanner()->button(QStringLiteral("Reset vault…"))); // never offered for a lock
    EXPECT_EQ(window.currentPage(), window.unavailablePage());
    EXPECT_TRUE(QFile::exists(profile.databasePath()));
    // The Secret Service is there: Unlock is offered next to Retry, and the text names it.
    QPushButton *unlock = window.vaultBanner()->button(QStringLiteral("Unlock"));
    ASSERT_TRUE(unlock);
    EXPECT_TRUE(unlock->isEnabled());
    EXPECT_TRUE(text.contains(QStringLiteral("Press Unlock"))) << text.toStdString();
    waitFor([] { return false; }, 300); // the availability answer must not take it away
    ASSERT_TRUE(window.vaultBanner()->button(QStringLiteral("Unlock")));
    EXPECT_TRUE(window.vaultBanner()->button(QStringLiteral("Unlock"))->isVisible());
    dump(&window, QStringLiteral("keyring-locked.png"));
}

// Unlock in the banner, for real: gnome-keyring's own prompt (gcr-prompter) on the display given
// by the parent, driven with xdotool. Cancel keeps Unlock and Retry and says so; the password
// opens the vault with no other click.
TEST(ChildOnly, KeyringUnlock)
{
    if (!isChild("keyringunlock"))
        GTEST_SKIP() << "runs as a child of MainWindowTest.KeyringUnlockFromTheBannerOpensTheVaultByItself";
    ASSERT_TRUE(KeyStore::sessionBusAvailable());
    ASSERT_FALSE(qEnvironmentVariable("DISPLAY").isEmpty());
    QTemporaryDir dir;
    qputenv("MAILKEY_DATA_DIR", QFile::encodeName(dir.filePath(QStringLiteral("data"))));
    qputenv("MAILKEY_CONFIG_DIR", QFile::encodeName(dir.filePath(QStringLiteral("config"))));
    QNetworkAccessManager nam;
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    AppSettings settings(dir.filePath(QStringLiteral("config/settings.ini")));
    const Profile profile(QStringLiteral("keyringunlock"));
    {
        AccountService first(profile, &nam, &registry);
        first.start();
        ASSERT_TRUE(waitFor([&] { return first.vaultState() == VaultState::Ready; }, 30000));
    }
    ASSERT_TRUE(lockLoginKeyring());

    AccountService service(profile, &nam, &registry);
    MainWindow window(&service, &settings);
    window.show();
    // With a display, the keychain read at start may itself bring up the keyring's prompt
    // (libsecret, through QtKeychain): a person who cancels it gets the locked banner.
    if (!waitFor([&] { return service.vaultState() == VaultState::Failed; }, 5000)) {
        const QString first = keyringPromptWindow();
        ASSERT_FALSE(first.isEmpty()) << "the vault neither failed nor did the keyring prompt";
        xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), first});
        xdotool({QStringLiteral("key"), QStringLiteral("Escape")});
        std::cout << "the read at start prompted; cancelled" << std::endl;
    }
    ASSERT_TRUE(waitFor([&] { return service.vaultState() == VaultState::Failed; }, 30000));
    ASSERT_EQ(service.vaultError().code, ErrorCode::KeychainLocked);
    Banner *banner = window.vaultBanner();
    ASSERT_TRUE(banner->button(QStringLiteral("Unlock")));

    // Unlock: the keyring's window appears; the banner says where the password is asked.
    banner->button(QStringLiteral("Unlock"))->click();
    const QString prompt = keyringPromptWindow();
    ASSERT_FALSE(prompt.isEmpty()) << "gnome-keyring showed no password window";
    EXPECT_TRUE(banner->message().contains(QStringLiteral("window of its own"))) << banner->message().toStdString();
    ASSERT_TRUE(banner->button(QStringLiteral("Unlock")));
    EXPECT_FALSE(banner->button(QStringLiteral("Unlock"))->isEnabled()) << "one prompt at a time";
    EXPECT_TRUE(banner->button(QStringLiteral("Retry")));
    dump(&window, QStringLiteral("keyring-unlock-prompting.png"));

    // Cancel in the keyring's window: said calmly, both buttons stay.
    xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), prompt});
    xdotool({QStringLiteral("key"), QStringLiteral("Escape")});
    ASSERT_TRUE(waitFor([&] { return banner->message().contains(QStringLiteral("window was closed")); }, 30000))
        << banner->message().toStdString();
    EXPECT_EQ(service.vaultState(), VaultState::Failed);
    EXPECT_EQ(banner->title(), QStringLiteral("Your keyring is locked"));
    EXPECT_FALSE(banner->message().contains(QStringLiteral("keychain"))) << banner->message().toStdString();
    EXPECT_EQ(banner->message().count(QStringLiteral("Unlock your keyring")), 1) << banner->message().toStdString();
    ASSERT_TRUE(banner->button(QStringLiteral("Unlock")));
    EXPECT_TRUE(banner->button(QStringLiteral("Unlock"))->isEnabled());
    EXPECT_TRUE(banner->button(QStringLiteral("Retry")));
    EXPECT_EQ(banner->buttons().size(), 2); // Unlock and Retry, once each
    dump(&window, QStringLiteral("keyring-unlock-dismissed.png"));

    // Unlock again and the keyring's password (with-keyring.sh's): the vault opens by itself.
    banner->button(QStringLiteral("Unlock"))->click();
    const QString again = keyringPromptWindow();
    ASSERT_FALSE(again.isEmpty()) << "gnome-keyring showed no password window the second time";
    xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), again});
    xdotool({QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("40"), QStringLiteral("pw")});
    xdotool({QStringLiteral("key"), QStringLiteral("Return")});
    ASSERT_TRUE(waitFor([&] { return service.vaultState() == VaultState::Ready; }, 30000))
        << "state " << int(service.vaultState()) << ": " << banner->message().toStdString();
    EXPECT_TRUE(banner->isHidden());
    EXPECT_NE(window.currentPage(), window.unavailablePage());
    dump(&window, QStringLiteral("keyring-unlocked.png"));
}

TEST(ChildOnly, SmallScreen)
{
    if (!isChild("smallscreen"))
        GTEST_SKIP() << "runs as a child of MainWindowTest.TheFirstSizeFitsASmallHiDpiScreen";
    QScreen *screen = QGuiApplication::primaryScreen();
    ASSERT_TRUE(screen);
    ASSERT_EQ(screen->devicePixelRatio(), 2.0);
    const QRect available = screen->availableGeometry();
    ASSERT_EQ(available.height(), 500) << "the screen of this test: 1000 px at scale 2";
    QTemporaryDir dir;
    qputenv("MAILKEY_DATA_DIR", QFile::encodeName(dir.filePath(QStringLiteral("data"))));
    qputenv("MAILKEY_CONFIG_DIR", QFile::encodeName(dir.filePath(QStringLiteral("config"))));
    QNetworkAccessManager nam;
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    AppSettings settings(dir.filePath(QStringLiteral("config/settings.ini")));
    AccountService service(Profile(test::uniqueName(QStringLiteral("small"))), &nam, &registry);
    const auto fits = [&](MainWindow &window, const char *what) {
        window.show();
        const QRect frame = window.frameGeometry();
        EXPECT_TRUE(available.contains(frame))
            << what << ": " << frame.width() << "x" << frame.height() << "+" << frame.x() << "+" << frame.y()
            << " state " << int(window.windowState()) << " min " << window.minimumWidth() << " "
            << window.minimumSizeHint().width();
        QStatusBar *bar = window.statusBar();
        const QRect barOnScreen(bar->mapToGlobal(QPoint(0, 0)), bar->size());
        EXPECT_TRUE(available.contains(barOnScreen)) << what << ": the status bar is off screen";
    };
    {
        MainWindow window(&service, &settings);
        fits(window, "first size");
        waitFor([&] { return service.vaultState() == VaultState::Ready; }, 30000);
        waitFor([] { return false; }, 200);
        dump(&window, QStringLiteral("small-screen-2x.png"));
        // A geometry saved on a bigger screen.
        window.resize(1560, 1064);
        window.move(300, 200);
        settings.setWindowGeometry(window.saveGeometry());
    }
    MainWindow restored(&service, &settings);
    fits(restored, "restored geometry");

    // The windows it opens fit too (their first sizes come from the font: 32 to 40 lines).
    waitFor([&] { return service.vaultState() == VaultState::Ready; }, 30000);
    const auto dialogFits = [&](QWidget *w, const char *what, const QString &shot) {
        ASSERT_TRUE(w) << what;
        ASSERT_TRUE(waitFor([&] { return w->isVisible(); }, 5000)) << what;
        waitFor([] { return false; }, 100);
        const QRect frame = w->frameGeometry();
        EXPECT_TRUE(available.contains(frame))
            << what << ": " << frame.width() << "x" << frame.height() << "+" << frame.x() << "+" << frame.y()
            << ", minimum " << w->minimumSizeHint().width() << "x" << w->minimumSizeHint().height();
        for (QPushButton *b : w->findChildren<QPushButton *>()) {
            if (!b->isVisibleTo(w) || b->window() != w)
                continue;
            const QRect onScreen(b->mapToGlobal(QPoint(0, 0)), b->size());
            EXPECT_TRUE(available.contains(onScreen))
                << what << ": the button \"" << b->text().toStdString() << "\" is off screen";
        }
        dump(w, shot);
    };
    restored.openSettings();
    auto *settingsDialog = restored.findChild<SettingsDialog *>();
    dialogFits(settingsDialog, "Settings", QStringLiteral("small-screen-2x-settings.png"));
    restored.openProviderEditor(settingsDialog);
    dialogFits(restored.findChild<ProviderEditor *>(), "the provider editor",
               QStringLiteral("small-screen-2x-provider-editor.png"));
    delete restored.findChild<ProviderEditor *>();
    delete settingsDialog;
    QAction *activityAction = restored.findChild<QAction *>(QStringLiteral("activityAction"));
    ASSERT_TRUE(activityAction);
    activityAction->trigger();
    dialogFits(restored.activityView(), "the Activity log", QStringLiteral("small-screen-2x-activity.png"));
}
