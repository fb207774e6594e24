// AccountService, the facade of the window and the CLI: the vault unlocked through a real Secret
// Service (KEYRING), sign-ins against the fake authorization server, folders from its Graph- and
// Gmail-style endpoints, local removal, and the lifecycle operations that are not wired yet.
#include "core/common/Clock.h"
#include "core/keychain/KeyStore.h"
#include "core/oauth/ConnectSession.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/vault/Vault.h"
#include "tests/support/TestUtil.h"
#include "tests/support/fakeidp/FakeAuthServer.h"
#include "tests/support/fakeidp/FakeBrowser.h"

#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUrlQuery>

#include <gtest/gtest.h>

#include <memory>

using namespace mailkey;
using mailkey::test::FakeAuthServer;
using mailkey::test::FakeBrowser;
using mailkey::test::waitFor;

namespace {

// With a secret: the fake server signs id_tokens only for such clients (public ones get
// "alg":"none", which MailKey refuses).
const QString kClient = QStringLiteral("service-test-client");
const QString kSecret = QStringLiteral("service-test-secret");

struct Outcome {
    int successes = 0;
    int failures = 0;
    Account account;
    bool created = false;
    QString message;
    Error error;
    bool done() const { return successes + failures > 0; }
};

} // namespace

class AccountServiceTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        ASSERT_TRUE(m_server.listen());
        m_server.addClient({kClient, kSecret, {}});
        m_server.setUser({QStringLiteral("sub-dana"), QStringLiteral("dana@example.com"),
                          QStringLiteral("Dana"), QStringLiteral("dana@example.com")});
        m_server.setMailFolders({{QStringLiteral("Inbox"), 3, 10},
                                 {QStringLiteral("Receipts"), 1, 4},
                                 {QStringLiteral("Sent Items"), 0, 7}});
        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));

        // Built-ins with their mail APIs pointed at the fake server; custom providers from a file.
        const QString base = m_server.baseUrl().toString();
        ProviderRegistry::Settings settings;
        settings.insert(QStringLiteral("provider/microsoft/mail_api_base"), base + QStringLiteral("v1.0"));
        settings.insert(QStringLiteral("provider/google/mail_api_base"), base + QStringLiteral("gmail/v1"));
        m_registry = std::make_unique<ProviderRegistry>(settings, QProcessEnvironment());
        ASSERT_TRUE(m_dir.isValid());
        const QString path = m_dir.filePath(QStringLiteral("providers.json"));
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(
                    R"({"providers": [{"id": "example", "name": "Example Mail", "issuer": "%1",
                      "authorization_endpoint": "%1/authorize", "token_endpoint": "%1/token",
                      "userinfo_endpoint": "%1/userinfo", "client_id": "%2",
                      "client_secret": "%3",
                      "scopes": ["openid", "email", "offline_access"]}]})")
                    .arg(m_server.issuer(), kClient, kSecret)
                    .toUtf8());
        f.close();
        ASSERT_TRUE(m_registry->loadCustomProviders(path).ok());

        m_service = std::make_unique<AccountService>(Profile(test::uniqueName(QStringLiteral("svc"))),
                                                     &m_nam, m_registry.get());
        ConnectSession::Options options;
        options.openBrowser = false; // the test is the user: it opens the URL itself
        options.profileRetry = RetryPolicy::fast();
        m_service->setConnectOptions(options);
        m_service->setClock(&m_clock);
    }

    void TearDown() override
    {
        test::expectNotLogged({m_server.lastIssuedAccessToken().toUtf8(),
                               m_server.lastIssuedRefreshToken().toUtf8(),
                               m_server.lastIssuedCode().toUtf8()});
        m_service.reset();
    }

    void startService()
    {
        m_service->start();
        ASSERT_TRUE(waitFor([&] {
            return m_service->vaultState() == VaultState::Ready
                || m_service->vaultState() == VaultState::Failed;
        }, 20000));
        ASSERT_EQ(m_service->vaultState(), VaultState::Ready) << m_service->vaultError().message.toStdString();
    }

    // Follows a session's authorization URL with a stand-in browser and waits for the end.
    Outcome drive(ConnectSession *session, bool openUrl = true)
    {
        auto outcome = std::make_shared<Outcome>();
        QObject::connect(session, &ConnectSession::succeeded, session,
                         [outcome](const Account &a, bool created, const QString &m) {
                             outcome->account = a;
                             outcome->created = created;
                             outcome->message = m;
                             ++outcome->successes;
                         });
        QObject::connect(session, &ConnectSession::failed, session, [outcome](const Error &e) {
            outcome->error = e;
            ++outcome->failures;
        });
        if (openUrl) {
            QObject::connect(session, &ConnectSession::authorizationUrlReady, &m_browser,
                             [this](const QUrl &url) { m_browser.open(url); });
        }
        EXPECT_TRUE(waitFor([outcome] { return outcome->done(); }, 20000));
        return *outcome;
    }

    // A Microsoft / Google account whose tokens come from the fake server (the built-in
    // providers' sign-in endpoints are fixed to the real services, so this sign-in runs with
    // endpoints pointed at the fake server, into the service's vault).
    Account connectBuiltIn(const QString &id)
    {
        Provider p = m_registry->provider(id);
        p.authorizationEndpoint = m_server.authorizeUrl();
        p.tokenEndpoint = m_server.tokenUrl();
        p.userinfoEndpoint = m_server.userinfoUrl();
        if (p.mailApi != Provider::MailApi::MicrosoftGraph)
            p.profileEndpoint = m_server.userinfoUrl();
        p.issuer = m_server.issuer();
        p.clientId = kClient;
        p.clientSecret = kSecret;
        ConnectSession session(p, m_service->vault(), &m_nam);
        ConnectSession::Options o;
        o.openBrowser = false;
        o.profileRetry = RetryPolicy::fast();
        session.setOptions(o);
        QMetaObject::invokeMethod(&session, &ConnectSession::start, Qt::QueuedConnection);
        const Outcome outcome = drive(&session);
        EXPECT_EQ(outcome.successes, 1) << outcome.error.message.toStdString();
        return outcome.account;
    }

    FakeAuthServer m_server;
    QNetworkAccessManager m_nam;
    FakeBrowser m_browser{&m_nam};
    QTemporaryDir m_dir;
    std::unique_ptr<ProviderRegistry> m_registry;
    std::unique_ptr<AccountService> m_service;
    ManualClock m_clock{QDateTime::currentDateTimeUtc()};
};

TEST_F(AccountServiceTest, StartUnlocksOrCreatesTheVault)
{
    QSignalSpy stateChanges(m_service.get(), &AccountService::vaultStateChanged);
    EXPECT_EQ(m_service->vaultState(), VaultState::Locked);
    EXPECT_EQ(m_service->vault(), nullptr);
    startService();
    EXPECT_GE(stateChanges.count(), 2); // Unlocking, Ready
    EXPECT_NE(m_service->vault(), nullptr);
    EXPECT_TRUE(QFileInfo::exists(m_service->vaultPath()));
    EXPECT_FALSE(m_service->cipherVersion().isEmpty());
    EXPECT_TRUE(m_service->accounts().isEmpty());
    EXPECT_EQ(m_service->tokens(), nullptr); // TODO(lifecycle)
}

TEST_F(AccountServiceTest, BeforeTheVaultIsReadyNothingIsConnected)
{
    Outcome outcome = drive(m_service->connectAccount(QStringLiteral("example")), false);
    ASSERT_EQ(outcome.failures, 1);
    EXPECT_TRUE(outcome.error.message.contains(QStringLiteral("not unlocked")));
    QSignalSpy failed(m_service.get(), &AccountService::foldersFailed);
    m_service->fetchFolders(1);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 1; }));
}

TEST_F(AccountServiceTest, ConnectCustomProviderThenReconnectUpdatesInPlace)
{
    startService();
    QSignalSpy changed(m_service.get(), &AccountService::accountsChanged);
    QSignalSpy created(m_service.get(), &AccountService::sessionCreated);
    ConnectSession *session = m_service->connectAccount(QStringLiteral("example"));
    ASSERT_NE(session, nullptr);
    EXPECT_EQ(created.count(), 1);
    Outcome first = drive(session);
    ASSERT_EQ(first.successes, 1) << first.error.message.toStdString();
    EXPECT_TRUE(first.created);
    EXPECT_GE(changed.count(), 1);

    const QList<Account> accounts = m_service->accounts();
    ASSERT_EQ(accounts.size(), 1);
    EXPECT_EQ(accounts.first().email, QStringLiteral("dana@example.com"));
    EXPECT_EQ(accounts.first().provider, QStringLiteral("example"));
    ASSERT_TRUE(m_service->account(accounts.first().id).has_value());

    const QList<TokenSummary> summary = m_service->tokenSummary(accounts.first().id);
    ASSERT_EQ(summary.size(), 1);
    EXPECT_EQ(summary.first().resource, QString::fromLatin1(DefaultResource));
    EXPECT_TRUE(summary.first().expiresAt.isValid());
    EXPECT_TRUE(summary.first().scopes.contains(QStringLiteral("email")));

    // Reconnect: the same account, with its address as login_hint, updated in place.
    Outcome second = drive(m_service->reconnect(accounts.first().id));
    ASSERT_EQ(second.successes, 1) << second.error.message.toStdString();
    EXPECT_FALSE(second.created);
    EXPECT_TRUE(second.message.contains(QStringLiteral("already connected; sign-in renewed")));
    EXPECT_EQ(m_server.authorizeRequests().last().queryItemValue(QStringLiteral("login_hint"),
                                                                 QUrl::FullyDecoded),
              QStringLiteral("dana@example.com"));
    EXPECT_EQ(m_service->accounts().size(), 1);

    QStringList actions;
    for (const AuditEntry &e : m_service->auditFor(accounts.first().id))
        actions.append(e.action);
    EXPECT_TRUE(actions.contains(QStringLiteral("account.added")));
    EXPECT_TRUE(actions.contains(QStringLiteral("account.updated")));
    EXPECT_TRUE(m_service->activeSessions().isEmpty());
}

TEST_F(AccountServiceTest, UnknownProviderAndMissingClientIdFailWithTheirMessages)
{
    startService();
    Outcome unknown = drive(m_service->connectAccount(QStringLiteral("nope")), false);
    ASSERT_EQ(unknown.failures, 1);
    EXPECT_EQ(unknown.error.code, ErrorCode::NotFound);

    Outcome noClient = drive(m_service->connectAccount(QStringLiteral("google")), false);
    ASSERT_EQ(noClient.failures, 1);
    EXPECT_EQ(noClient.error.code, ErrorCode::Config);
    EXPECT_TRUE(noClient.error.message.contains(QStringLiteral("Desktop app")))
        << noClient.error.message.toStdString();

    Outcome gone = drive(m_service->reconnect(4242), false);
    ASSERT_EQ(gone.failures, 1);
    EXPECT_EQ(gone.error.code, ErrorCode::NotFound);
    EXPECT_TRUE(m_service->accounts().isEmpty());
}

TEST_F(AccountServiceTest, GraphFolders)
{
    startService();
    const Account account = connectBuiltIn(QStringLiteral("microsoft"));
    ASSERT_GT(account.id, 0);
    QSignalSpy loaded(m_service.get(), &AccountService::foldersLoaded);
    QSignalSpy failed(m_service.get(), &AccountService::foldersFailed);
    m_service->fetchFolders(account.id);
    ASSERT_TRUE(waitFor([&] { return loaded.count() + failed.count() > 0; }));
    ASSERT_EQ(loaded.count(), 1) << (failed.isEmpty() ? std::string()
                                                       : failed.first().at(1).value<Error>().message.toStdString());
    EXPECT_EQ(loaded.first().at(0).toLongLong(), account.id);
    const auto folders = loaded.first().at(1).value<QList<MailFolder>>();
    ASSERT_EQ(folders.size(), 3);
    EXPECT_EQ(folders.at(0).name, QStringLiteral("Inbox"));
    EXPECT_EQ(folders.at(0).unread, 3);
    EXPECT_EQ(folders.at(0).total, 10);
    EXPECT_EQ(folders.at(2).name, QStringLiteral("Sent Items"));
    EXPECT_EQ(folders.at(2).total, 7);
}

TEST_F(AccountServiceTest, GmailLabels)
{
    startService();
    const Account account = connectBuiltIn(QStringLiteral("google"));
    ASSERT_GT(account.id, 0);
    QSignalSpy loaded(m_service.get(), &AccountService::foldersLoaded);
    QSignalSpy failed(m_service.get(), &AccountService::foldersFailed);
    m_service->fetchFolders(account.id);
    ASSERT_TRUE(waitFor([&] { return loaded.count() + failed.count() > 0; }));
    ASSERT_EQ(loaded.count(), 1);
    const auto folders = loaded.first().at(1).value<QList<MailFolder>>();
    ASSERT_EQ(folders.size(), 3);
    EXPECT_EQ(folders.at(0).name, QStringLiteral("Inbox")); // INBOX first
    EXPECT_EQ(folders.at(0).unread, 3);
    EXPECT_EQ(folders.at(1).name, QStringLiteral("Sent"));   // then system labels
    EXPECT_EQ(folders.at(2).name, QStringLiteral("Receipts")); // then the user's
    EXPECT_EQ(folders.at(2).total, 4);
}

TEST_F(AccountServiceTest, FolderFailures)
{
    startService();
    // A provider without a mail API.
    Outcome custom = drive(m_service->connectAccount(QStringLiteral("example")));
    ASSERT_EQ(custom.successes, 1) << custom.error.message.toStdString();
    QSignalSpy failed(m_service.get(), &AccountService::foldersFailed);
    m_service->fetchFolders(custom.account.id);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 1; }));
    EXPECT_TRUE(failed.last().at(1).value<Error>().message.contains(QStringLiteral("no mail folder API")));

    // Access revoked at the provider: 401, reported as "sign in again".
    const Account ms = connectBuiltIn(QStringLiteral("microsoft"));
    m_server.revokeAllGrants();
    m_service->fetchFolders(ms.id);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 2; }));
    EXPECT_EQ(failed.last().at(1).value<Error>().code, ErrorCode::NeedsSignIn);

    // The stored access token has expired (no refresh here yet): reported, nothing sent.
    const int before = m_server.requestCount(FakeAuthServer::Endpoint::MailFolders);
    m_clock.advance(2 * 3600);
    m_service->fetchFolders(ms.id);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 3; }));
    EXPECT_EQ(failed.last().at(1).value<Error>().code, ErrorCode::Expired);
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::MailFolders), before);

    m_service->fetchFolders(999999);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 4; }));
    EXPECT_EQ(failed.last().at(1).value<Error>().code, ErrorCode::NotFound);
}

TEST_F(AccountServiceTest, RemoveAccountWipesLocallyAndSaysItWasNotRevoked)
{
    startService();
    const Account account = connectBuiltIn(QStringLiteral("google"));
    ASSERT_GT(account.id, 0);
    QSignalSpy removed(m_service.get(), &AccountService::accountRemoved);
    QSignalSpy changed(m_service.get(), &AccountService::accountsChanged);
    m_service->removeAccount(account.id);
    EXPECT_EQ(removed.count(), 0); // reported from the event loop
    ASSERT_TRUE(waitFor([&] { return removed.count() == 1; }));
    EXPECT_EQ(removed.first().at(0).toLongLong(), account.id);
    const auto report = removed.first().at(1).value<RemovalReport>();
    EXPECT_FALSE(report.revokedAtProvider);
    EXPECT_TRUE(report.message.contains(QStringLiteral("not revoked")));
    EXPECT_TRUE(report.message.contains(QStringLiteral("myaccount.google.com/permissions")));
    EXPECT_GE(changed.count(), 1);
    EXPECT_TRUE(m_service->accounts().isEmpty());
    EXPECT_TRUE(m_service->tokenSummary(account.id).isEmpty());

    bool audited = false;
    for (const AuditEntry &e : m_service->auditFor(account.id)) {
        if (e.action == QLatin1String("account.removed"))
            audited = e.detail.contains(QStringLiteral("not revoked at the provider"));
    }
    EXPECT_TRUE(audited);

    QSignalSpy removeFailed(m_service.get(), &AccountService::removeFailed);
    m_service->removeAccount(account.id);
    ASSERT_TRUE(waitFor([&] { return removeFailed.count() == 1; }));
    EXPECT_EQ(removeFailed.first().at(1).value<Error>().code, ErrorCode::NotFound);
}

TEST_F(AccountServiceTest, LifecycleOperationsSayTheyAreNotAvailableYet)
{
    startService();
    QSignalSpy refreshed(m_service.get(), &AccountService::refreshFinished);
    QSignalSpy signedOut(m_service.get(), &AccountService::signedOutEverywhere);
    m_service->refreshNow(1);
    m_service->signOutEverywhere();
    ASSERT_TRUE(waitFor([&] { return refreshed.count() == 1 && signedOut.count() == 1; }));
    EXPECT_FALSE(refreshed.first().at(1).value<Status>().ok());
    EXPECT_TRUE(refreshed.first().at(1).value<Status>().error().message.contains(QStringLiteral("not available yet")));
    EXPECT_FALSE(signedOut.first().at(0).value<Status>().ok());
}
