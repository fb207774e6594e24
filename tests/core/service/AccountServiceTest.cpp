// AccountService, the facade of the window and the CLI: the vault unlocked through a real Secret
// Service (KEYRING), sign-ins against the fake authorization server, folders from its Graph- and
// Gmail-style endpoints, and the token lifecycle wired through it: folders with an expired token
// (refreshed first), refresh now with rotation, removal with and without revocation, sign out
// everywhere (wipe, key rotation, incident), live account states and the alerts.
#include "core/service/AccountService.h"
#include "core/common/Clock.h"
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/RefreshScheduler.h"
#include "core/lifecycle/Revoker.h"
#include "core/lifecycle/TokenManager.h"
#include "core/oauth/ConnectSession.h"
#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountServiceTestAccess.h"
#include "core/service/VaultConnectionStore.h"
#include "core/vault/AuditReader.h"
#include "core/vault/Vault.h"
#include "core/vault/VaultAccess.h"
#include "tests/support/TestUtil.h"
#include "tests/support/fakeidp/FakeAuthServer.h"
#include "tests/support/fakeidp/FakeBrowser.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
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
        m_server.setUser({QStringLiteral("sub-dana"), QStringLiteral("dana@example.com"), QStringLiteral("Dana"),
                          QStringLiteral("dana@example.com")});
        m_server.setMailFolders({{QStringLiteral("Inbox"), 3, 10},
                                 {QStringLiteral("Receipts"), 1, 4},
                                 {QStringLiteral("Sent Items"), 0, 7}});
        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));

        // Built-ins with their mail APIs pointed at the fake server; custom providers from a file.
        const QString base = m_server.baseUrl().toString();
        ProviderRegistry::Settings settings;
        settings.insert(QStringLiteral("provider/microsoft/mail_api_base"), base + QStringLiteral("v1.0"));
        settings.insert(QStringLiteral("provider/google/mail_api_base"), base + QStringLiteral("gmail/v1"));
        // A Microsoft-kind provider takes its client id from the settings (like the built-in one).
        settings.insert(QStringLiteral("provider/fake-ms/client_id"), kClient);
        settings.insert(QStringLiteral("provider/fake-ms/client_secret"), kSecret);
        m_registry = std::make_unique<ProviderRegistry>(settings, QProcessEnvironment());
        ASSERT_TRUE(m_dir.isValid());
        const QString path = m_dir.filePath(QStringLiteral("providers.json"));
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(
                    R"({"providers": [{"id": "example", "name": "Example Mail", "issuer": "%1",
                      "authorization_endpoint": "%1/authorize", "token_endpoint": "%1/token",
                      "userinfo_endpoint": "%1/userinfo", "revocation_endpoint": "%1/revoke",
                      "client_id": "%2",
                      "client_secret": "%3",
                      "scopes": ["openid", "email", "offline_access"]}]})")
                    .arg(m_server.issuer(), kClient, kSecret)
                    .toUtf8());
        f.close();
        ASSERT_TRUE(m_registry->loadCustomProviders(path).ok());

        // "fake-ms": a Microsoft-kind provider (no revocation endpoint, Graph folders) whose
        // token endpoint is the fake server, so its tokens can really be refreshed here.
        Provider ms;
        ms.id = QStringLiteral("fake-ms");
        ms.displayName = QStringLiteral("Fake Microsoft");
        ms.kind = Provider::Kind::Microsoft;
        ms.issuer = m_server.issuer();
        ms.authorizationEndpoint = m_server.authorizeUrl();
        ms.tokenEndpoint = m_server.tokenUrl();
        ms.mailApi = Provider::MailApi::MicrosoftGraph;
        ms.setMailApiBase(QUrl(base + QStringLiteral("v1.0")));
        ms.clientId = kClient;
        ms.clientSecret = kSecret;
        ms.scopes = {QStringLiteral("openid"),         QStringLiteral("profile"),   QStringLiteral("email"),
                     QStringLiteral("offline_access"), QStringLiteral("User.Read"), QStringLiteral("Mail.Read")};
        ms.redirectPath = QStringLiteral("/oauth/fake-ms");
        ProviderFile::Contents contents;
        contents.providers = {m_registry->provider(QStringLiteral("example")), ms};
        m_registry->setCustomProviders(contents);
        ASSERT_TRUE(m_registry->provider(QStringLiteral("fake-ms")).isValid());
        ASSERT_FALSE(m_registry->provider(QStringLiteral("example")).revocationEndpoint.isEmpty());
        // One clock for the service and the server: an expired token is expired at both ends.
        m_server.setClock(&m_clock);

        m_service = std::make_unique<AccountService>(Profile(test::uniqueName(QStringLiteral("svc"))), &m_nam,
                                                     m_registry.get());
        ConnectSession::Options options;
        options.openBrowser = false; // the test is the user: it opens the URL itself
        options.profileRetry = RetryPolicy::fast();
        m_service->setConnectOptions(options);
        m_service->setClock(&m_clock);
    }

    void TearDown() override
    {
        QList<QByteArray> secrets{kSecret.toUtf8(), m_server.lastIssuedAccessToken().toUtf8(),
                                  m_server.lastIssuedRefreshToken().toUtf8(), m_server.lastIssuedCode().toUtf8()};
        for (const auto &t : m_server.tokenRequests()) {
            secrets.append(t.value(QStringLiteral("refresh_token")).toUtf8());
            secrets.append(t.value(QStringLiteral("code_verifier")).toUtf8());
        }
        secrets.removeAll(QByteArray());
        test::expectNotLogged(secrets);
        m_service.reset();
    }

    // A connection through the service (the registry's provider), waited for.
    Account connectVia(const QString &providerId)
    {
        const Outcome outcome = drive(m_service->connectAccount(providerId));
        EXPECT_EQ(outcome.successes, 1) << outcome.error.message.toStdString();
        return outcome.account;
    }

    std::optional<TokenRecord> storedToken(qint64 accountId)
    {
        auto t = AccountServiceTestAccess::vault(*m_service)->token(accountId, QString::fromLatin1(DefaultResource));
        EXPECT_TRUE(t.ok());
        return t.ok() ? std::move(*t) : std::nullopt;
    }

    int auditCount(const QString &action, const QString &outcome = QString())
    {
        int n = 0;
        for (const AuditEntry &e : m_service->auditFor(0, 1000)) {
            if (e.action == action && (outcome.isEmpty() || e.outcome == outcome))
                ++n;
        }
        return n;
    }

    void startService()
    {
        m_service->start();
        ASSERT_TRUE(waitFor(
            [&] {
                return m_service->vaultState() == VaultState::Ready || m_service->vaultState() == VaultState::Failed;
            },
            20000));
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
        ConnectSession session(p, std::make_shared<VaultConnectionStore>(AccountServiceTestAccess::vault(*m_service)),
                               &m_nam);
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
    EXPECT_EQ(AccountServiceTestAccess::vault(*m_service), nullptr);
    startService();
    EXPECT_GE(stateChanges.count(), 2); // Unlocking, Ready
    EXPECT_NE(AccountServiceTestAccess::vault(*m_service), nullptr);
    EXPECT_TRUE(QFileInfo::exists(m_service->vaultPath()));
    EXPECT_FALSE(m_service->cipherVersion().isEmpty());
    EXPECT_TRUE(m_service->accounts().isEmpty());
    // The token lifecycle runs from here on.
    ASSERT_NE(AccountServiceTestAccess::tokens(*m_service), nullptr);
    EXPECT_EQ(AccountServiceTestAccess::tokens(*m_service)->vault(), AccountServiceTestAccess::vault(*m_service));
    EXPECT_EQ(AccountServiceTestAccess::tokens(*m_service)->clock(), &m_clock);
    ASSERT_NE(AccountServiceTestAccess::scheduler(*m_service), nullptr);
    EXPECT_TRUE(AccountServiceTestAccess::scheduler(*m_service)->isRunning());
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
    EXPECT_EQ(m_server.authorizeRequests().last().queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded),
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
    EXPECT_TRUE(noClient.error.message.contains(QStringLiteral("Desktop app"))) << noClient.error.message.toStdString();

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

// Folders asked for while every page of the vault is still checked (Verifying: the window shows
// the list and the first mailbox then) are fetched once the vault is Ready, not refused.
TEST_F(AccountServiceTest, FoldersAskedWhileTheVaultIsCheckedLoadOnceItIsReady)
{
    startService();
    const Account account = connectBuiltIn(QStringLiteral("microsoft"));
    ASSERT_GT(account.id, 0);
    const Profile profile = m_service->profile();
    m_service = std::make_unique<AccountService>(profile, &m_nam, m_registry.get());
    m_service->setClock(&m_clock);
    QSignalSpy loaded(m_service.get(), &AccountService::foldersLoaded);
    QSignalSpy failed(m_service.get(), &AccountService::foldersFailed);
    bool askedWhileVerifying = false;
    QObject::connect(m_service.get(), &AccountService::vaultStateChanged, m_service.get(), [&] {
        if (m_service->vaultState() == VaultState::Verifying && !askedWhileVerifying) {
            askedWhileVerifying = true;
            m_service->fetchFolders(account.id);
        }
    });
    startService();
    ASSERT_TRUE(askedWhileVerifying);
    ASSERT_TRUE(waitFor([&] { return loaded.count() + failed.count() > 0; }));
    ASSERT_EQ(failed.count(), 0) << failed.first().at(1).value<Error>().message.toStdString();
    ASSERT_EQ(loaded.count(), 1);
    EXPECT_EQ(loaded.first().at(1).value<QList<MailFolder>>().size(), 3);
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
    EXPECT_EQ(folders.at(1).name, QStringLiteral("Sent"));     // then system labels
    EXPECT_EQ(folders.at(2).name, QStringLiteral("Receipts")); // then the user's
    EXPECT_EQ(folders.at(2).total, 4);
}

TEST_F(AccountServiceTest, FolderFailures)
{
    m_service->setAutoRefresh(false);
    startService();
    // A provider without a mail API.
    Outcome custom = drive(m_service->connectAccount(QStringLiteral("example")));
    ASSERT_EQ(custom.successes, 1) << custom.error.message.toStdString();
    QSignalSpy failed(m_service.get(), &AccountService::foldersFailed);
    m_service->fetchFolders(custom.account.id);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 1; }));
    EXPECT_TRUE(failed.last().at(1).value<Error>().message.contains(QStringLiteral("no mail folder API")));

    // Access revoked at the provider: the API says 401, MailKey renews the token once to be
    // sure, the provider refuses (invalid_grant): "sign in again", and the account shows it.
    const Account ms = connectVia(QStringLiteral("fake-ms"));
    ASSERT_GT(ms.id, 0);
    m_server.revokeAllGrants();
    const int folderRequests = m_server.requestCount(FakeAuthServer::Endpoint::MailFolders);
    const int tokenRequests = m_server.requestCount(FakeAuthServer::Endpoint::Token);
    m_service->fetchFolders(ms.id);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 2; }));
    EXPECT_EQ(failed.last().at(1).value<Error>().code, ErrorCode::NeedsSignIn);
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::MailFolders), folderRequests + 1); // no second try
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::Token), tokenRequests + 1);        // one renewal
    ASSERT_TRUE(m_service->account(ms.id).has_value());
    EXPECT_EQ(m_service->account(ms.id)->status, AccountStatus::NeedsSignIn);
    EXPECT_FALSE(m_service->account(ms.id)->statusReason.isEmpty());

    // While it needs a sign-in nothing is sent at all.
    m_service->fetchFolders(ms.id);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 3; }));
    EXPECT_EQ(failed.last().at(1).value<Error>().code, ErrorCode::NeedsSignIn);
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::Token), tokenRequests + 1);

    m_service->fetchFolders(999999);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 4; }));
    EXPECT_EQ(failed.last().at(1).value<Error>().code, ErrorCode::NotFound);
}

TEST_F(AccountServiceTest, FoldersWorkWithAnExpiredAccessToken)
{
    m_service->setAutoRefresh(false); // only the folder request may cause the refresh
    startService();
    const Account ms = connectVia(QStringLiteral("fake-ms"));
    ASSERT_GT(ms.id, 0);
    const std::optional<TokenRecord> before = storedToken(ms.id);
    ASSERT_TRUE(before.has_value());
    const QString oldAccess = before->accessToken.reveal();

    m_clock.advance(2 * 3600); // the access token expired an hour ago, at both ends
    EXPECT_FALSE(m_server.isAccessTokenValid(oldAccess));
    const int refreshes = m_server.refreshCount();
    QSignalSpy loaded(m_service.get(), &AccountService::foldersLoaded);
    QSignalSpy failed(m_service.get(), &AccountService::foldersFailed);
    m_service->fetchFolders(ms.id);
    EXPECT_EQ(loaded.count() + failed.count(), 0); // asynchronous
    ASSERT_TRUE(waitFor([&] { return loaded.count() + failed.count() > 0; }));
    ASSERT_EQ(loaded.count(), 1) << (failed.isEmpty() ? std::string()
                                                      : failed.first().at(1).value<Error>().message.toStdString());
    EXPECT_EQ(loaded.first().at(1).value<QList<MailFolder>>().size(), 3);
    EXPECT_EQ(m_server.refreshCount(), refreshes + 1); // refreshed first, once

    const std::optional<TokenRecord> after = storedToken(ms.id);
    ASSERT_TRUE(after.has_value());
    EXPECT_FALSE(after->accessToken.reveal() == oldAccess);
    EXPECT_TRUE(m_server.isAccessTokenValid(after->accessToken.reveal()));
    EXPECT_GT(after->expiresAt, m_clock.now().addSecs(3000));
    EXPECT_EQ(auditCount(QStringLiteral("token.refreshed"), QStringLiteral("ok")), 1);
    bool handedOut = false;
    for (const AuditEntry &e : m_service->auditFor(ms.id)) {
        if (e.action == QLatin1String("token.handed-out"))
            handedOut = handedOut || e.actor == QLatin1String("mailkey");
    }
    EXPECT_TRUE(handedOut);

    // A valid token is used as it is: no second refresh.
    m_service->fetchFolders(ms.id);
    ASSERT_TRUE(waitFor([&] { return loaded.count() == 2; }));
    EXPECT_EQ(m_server.refreshCount(), refreshes + 1);
}

TEST_F(AccountServiceTest, RefreshNowRotatesAndNeverReusesTheOldRefreshToken)
{
    m_service->setAutoRefresh(false);
    startService();
    const Account ms = connectVia(QStringLiteral("fake-ms"));
    ASSERT_GT(ms.id, 0);
    const QString firstRefresh = storedToken(ms.id)->refreshToken.reveal();
    ASSERT_FALSE(firstRefresh.isEmpty());

    // The rows follow the refresh: Refreshing while it runs, Connected with the next time after.
    QList<AccountStatus> seen;
    QObject::connect(m_service.get(), &AccountService::accountChanged, m_service.get(), [&](qint64 id) {
        if (id == ms.id)
            seen.append(m_service->account(id)->status);
    });
    QSignalSpy finished(m_service.get(), &AccountService::refreshFinished);
    m_server.setLatency(100);
    const int refreshes = m_server.refreshCount();
    m_service->refreshNow(ms.id);
    ASSERT_TRUE(waitFor([&] { return finished.count() == 1; }));
    EXPECT_TRUE(finished.first().at(1).value<Status>().ok());
    EXPECT_EQ(finished.first().at(0).toLongLong(), ms.id);
    EXPECT_EQ(m_server.refreshCount(), refreshes + 1);
    EXPECT_TRUE(seen.contains(AccountStatus::Refreshing));
    EXPECT_FALSE(m_service->isRefreshing(ms.id));
    const Account now = *m_service->account(ms.id);
    EXPECT_EQ(now.status, AccountStatus::Connected);
    ASSERT_TRUE(now.nextRefreshAt.isValid());
    EXPECT_GT(now.nextRefreshAt, m_clock.now().addSecs(3000)); // ~5 min before the new expiry
    EXPECT_LT(now.nextRefreshAt, m_clock.now().addSecs(3600));

    // Rotated: a new refresh token is stored, the old one is dead at the server.
    const QString secondRefresh = storedToken(ms.id)->refreshToken.reveal();
    EXPECT_FALSE(secondRefresh == firstRefresh);
    EXPECT_FALSE(m_server.isRefreshTokenValid(firstRefresh));
    EXPECT_TRUE(m_server.isRefreshTokenValid(secondRefresh));
    // The audit entry is written from the event loop right after the commit (TokenManager::audit),
    // so it may follow refreshFinished by a turn of the loop.
    EXPECT_TRUE(waitFor([&] { return auditCount(QStringLiteral("token.rotated")) >= 1; }, 5000));

    // Again: the server revokes the whole grant if a rotated token is ever presented again.
    m_service->refreshNow(ms.id);
    ASSERT_TRUE(waitFor([&] { return finished.count() == 2; }));
    EXPECT_TRUE(finished.last().at(1).value<Status>().ok());
    EXPECT_EQ(m_server.refreshCount(), refreshes + 2);
    EXPECT_TRUE(m_server.isGrantActive(QStringLiteral("dana@example.com")));
    int uses = 0;
    for (const auto &request : m_server.tokenRequests()) {
        if (request.value(QStringLiteral("refresh_token")) == firstRefresh)
            ++uses;
    }
    EXPECT_EQ(uses, 1); // sent once, never again
    EXPECT_FALSE(storedToken(ms.id)->refreshToken.reveal() == secondRefresh);
}

TEST_F(AccountServiceTest, RevokedGrantMeansNeedsSignInAndRepeatedOutagesRaiseAnAlert)
{
    m_service->setAutoRefresh(false);
    startService();
    QSignalSpy alerts(m_service.get(), &AccountService::alertRaised);
    QSignalSpy finished(m_service.get(), &AccountService::refreshFinished);

    // A provider outage: Offline, will retry; the 4th failure in a row raises one alert.
    const Account ms = connectVia(QStringLiteral("fake-ms"));
    ASSERT_GT(ms.id, 0);
    FakeAuthServer::Fault outage;
    outage.kind = FakeAuthServer::Fault::ServerError;
    outage.httpStatus = 503;
    outage.count = 4;
    m_server.injectFault(FakeAuthServer::Endpoint::Token, outage);
    for (int i = 1; i <= 4; ++i) {
        m_service->refreshNow(ms.id);
        ASSERT_TRUE(waitFor([&] { return finished.count() == i; }));
        EXPECT_FALSE(finished.last().at(1).value<Status>().ok());
        EXPECT_EQ(m_service->account(ms.id)->status, AccountStatus::Offline);
        EXPECT_EQ(alerts.count(), i == 4 ? 1 : 0) << "after failure " << i;
    }
    const auto alert = alerts.first().at(0).value<Alert>();
    EXPECT_EQ(alert.kind, Alert::Kind::RefreshFailures);
    EXPECT_EQ(alert.accountId, ms.id);
    EXPECT_FALSE(alert.message.isEmpty());
    EXPECT_TRUE(AccountServiceTest::storedToken(ms.id).has_value()); // tokens kept

    // Back, then the user removes the app's access at the provider: Needs sign-in, with the reason.
    m_service->refreshNow(ms.id);
    ASSERT_TRUE(waitFor([&] { return finished.count() == 5; }));
    EXPECT_TRUE(finished.last().at(1).value<Status>().ok());
    EXPECT_EQ(m_service->account(ms.id)->status, AccountStatus::Connected);
    m_server.revokeAllGrants();
    m_service->refreshNow(ms.id);
    ASSERT_TRUE(waitFor([&] { return finished.count() == 6; }));
    EXPECT_EQ(finished.last().at(1).value<Status>().error().code, ErrorCode::NeedsSignIn);
    const Account needs = *m_service->account(ms.id);
    EXPECT_EQ(needs.status, AccountStatus::NeedsSignIn);
    EXPECT_FALSE(needs.statusReason.isEmpty());

    // Reconnect: the same account, connected again.
    const Outcome again = drive(m_service->reconnect(ms.id));
    ASSERT_EQ(again.successes, 1) << again.error.message.toStdString();
    EXPECT_EQ(again.account.id, ms.id);
    EXPECT_EQ(m_service->account(ms.id)->status, AccountStatus::Connected);
    EXPECT_EQ(m_service->accounts().size(), 1);
}

TEST_F(AccountServiceTest, RemovalRevokesWhereTheProviderCanAndSaysSoHonestly)
{
    startService();
    // A custom provider with a revocation endpoint: revoked there, wiped here.
    const Account custom = connectVia(QStringLiteral("example"));
    ASSERT_GT(custom.id, 0);
    QSignalSpy removed(m_service.get(), &AccountService::accountRemoved);
    QSignalSpy changed(m_service.get(), &AccountService::accountsChanged);
    EXPECT_EQ(m_server.revocationCount(), 0);
    m_service->removeAccount(custom.id);
    EXPECT_EQ(removed.count(), 0); // reported from the event loop
    ASSERT_TRUE(waitFor([&] { return removed.count() == 1; }));
    EXPECT_EQ(removed.first().at(0).toLongLong(), custom.id);
    auto report = removed.first().at(1).value<RemovalReport>();
    EXPECT_TRUE(report.revokedAtProvider);
    EXPECT_EQ(m_server.revocationCount(), 1);
    EXPECT_FALSE(m_server.isGrantActive(QStringLiteral("dana@example.com")));
    EXPECT_TRUE(report.message.contains(QStringLiteral("confirmed"))) << report.message.toStdString();
    EXPECT_GE(changed.count(), 1);
    EXPECT_TRUE(m_service->accounts().isEmpty());
    EXPECT_TRUE(m_service->tokenSummary(custom.id).isEmpty());
    EXPECT_EQ(auditCount(QStringLiteral("token.revoked"), QStringLiteral("ok")), 1);

    // Microsoft: no revocation for public clients; deleted here, and the message says where to
    // remove MailKey's access by hand. Nothing is sent to /revoke.
    const Account ms = connectBuiltIn(QStringLiteral("microsoft"));
    ASSERT_GT(ms.id, 0);
    const int revokeRequests = m_server.requestCount(FakeAuthServer::Endpoint::Revoke);
    m_service->removeAccount(ms.id);
    ASSERT_TRUE(waitFor([&] { return removed.count() == 2; }));
    report = removed.last().at(1).value<RemovalReport>();
    EXPECT_FALSE(report.revokedAtProvider);
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::Revoke), revokeRequests);
    EXPECT_EQ(m_server.revocationCount(), 1);
    EXPECT_TRUE(report.message.contains(QStringLiteral("Microsoft does not let desktop apps revoke")))
        << report.message.toStdString();
    EXPECT_TRUE(report.message.contains(QStringLiteral("account.live.com/consent/Manage"))
                || report.message.contains(QStringLiteral("myapps.microsoft.com")));
    EXPECT_FALSE(m_service->account(ms.id).has_value());
    EXPECT_TRUE(m_service->tokenSummary(ms.id).isEmpty());
    EXPECT_EQ(auditCount(QStringLiteral("token.revoked"), QStringLiteral("not-supported")), 1);

    QSignalSpy removeFailed(m_service.get(), &AccountService::removeFailed);
    m_service->removeAccount(ms.id);
    ASSERT_TRUE(waitFor([&] { return removeFailed.count() == 1; }));
    EXPECT_EQ(removeFailed.first().at(1).value<Error>().code, ErrorCode::NotFound);
}

TEST_F(AccountServiceTest, SignOutEverywhereWipesRevokesRotatesAndRecordsTheIncident)
{
    m_service->setAutoRefresh(false);
    startService();
    const Account custom = connectVia(QStringLiteral("example"));
    ASSERT_GT(custom.id, 0);
    m_server.setUser({QStringLiteral("sub-eli"), QStringLiteral("eli@example.com"), QStringLiteral("Eli"),
                      QStringLiteral("eli@example.com")});
    const Account ms = connectVia(QStringLiteral("fake-ms"));
    ASSERT_GT(ms.id, 0);
    ASSERT_EQ(m_service->accounts().size(), 2);

    // The key in the keychain before.
    KeyStore store;
    std::optional<QByteArray> keyBefore;
    store.read(m_service->profile().keychainKey(), [&](Result<SecureBytes> k) {
        keyBefore = k ? QCryptographicHash::hash(k->bytes(), QCryptographicHash::Sha256) : QByteArray();
    });
    ASSERT_TRUE(waitFor([&] { return keyBefore.has_value(); }, 20000));
    ASSERT_FALSE(keyBefore->isEmpty());

    QSignalSpy done(m_service.get(), &AccountService::signedOutEverywhere);
    m_service->signOutEverywhere();
    ASSERT_TRUE(waitFor([&] { return done.count() == 1; }, 30000));
    const Status result = done.first().at(0).value<Status>();
    ASSERT_TRUE(result.ok()) << result.error().message.toStdString();
    const std::optional<SignOutReport> report = m_service->lastSignOutReport();
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->accounts, 2);
    EXPECT_EQ(report->revoked, 1);      // example
    EXPECT_EQ(report->notRevocable, 1); // fake-ms (Microsoft)
    EXPECT_TRUE(report->tokensWiped);
    EXPECT_TRUE(report->keyRotated);
    EXPECT_EQ(m_server.revocationCount(), 1);

    // The accounts stay, every one needs a sign-in, no token is left.
    const QList<Account> accounts = m_service->accounts();
    ASSERT_EQ(accounts.size(), 2);
    for (const Account &a : accounts) {
        EXPECT_EQ(a.status, AccountStatus::NeedsSignIn);
        EXPECT_TRUE(m_service->tokenSummary(a.id).isEmpty());
    }
    EXPECT_EQ(auditCount(QStringLiteral("incident.sign-out-everywhere"), QStringLiteral("ok")), 1);

    // A new key is in the keychain and the vault opens with it.
    std::optional<QByteArray> keyAfter;
    store.read(m_service->profile().keychainKey(), [&](Result<SecureBytes> k) {
        keyAfter = k ? QCryptographicHash::hash(k->bytes(), QCryptographicHash::Sha256) : QByteArray();
    });
    ASSERT_TRUE(waitFor([&] { return keyAfter.has_value(); }, 20000));
    EXPECT_FALSE(keyAfter->isEmpty());
    EXPECT_FALSE(*keyAfter == *keyBefore);
    std::optional<Result<OpenedVault>> reopened;
    VaultAccess::unlock(m_service->profile(), &store, [&](Result<OpenedVault> r) { reopened.emplace(std::move(r)); });
    ASSERT_TRUE(waitFor([&] { return reopened.has_value(); }, 20000));
    ASSERT_TRUE(reopened->ok()) << reopened->error().message.toStdString();
    EXPECT_FALSE((*reopened)->created);
    auto list = (*reopened)->vault->accounts();
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 2);

    // Folders now say "sign in again" without a network request.
    const int tokenRequests = m_server.requestCount(FakeAuthServer::Endpoint::Token);
    QSignalSpy failed(m_service.get(), &AccountService::foldersFailed);
    m_service->fetchFolders(ms.id);
    ASSERT_TRUE(waitFor([&] { return failed.count() == 1; }));
    EXPECT_EQ(failed.first().at(1).value<Error>().code, ErrorCode::NeedsSignIn);
    EXPECT_EQ(m_server.requestCount(FakeAuthServer::Endpoint::Token), tokenRequests);
    Q_UNUSED(custom);
}

TEST_F(AccountServiceTest, AQueuedRevocationThatLaterSucceedsIsReported)
{
    startService();
    const Account custom = connectVia(QStringLiteral("example"));
    ASSERT_GT(custom.id, 0);
    // The revocation endpoint is down once: the account is wiped here at once, the revocation
    // is queued, and when it goes through later the service says so (the window shows it).
    // Retries after tens of milliseconds instead of 30 s (the Revoker is the service's own).
    Revoker::Options ro = AccountServiceTestAccess::tokens(*m_service)->revoker()->options();
    ro.retry.initialMs = 50;
    ro.retry.minimumMs = 10;
    ro.retry.jitter = 0;
    AccountServiceTestAccess::tokens(*m_service)->revoker()->setOptions(ro);
    m_server.injectFault(FakeAuthServer::Endpoint::Revoke,
                         FakeAuthServer::Fault{FakeAuthServer::Fault::ServerError, 1, 503, 1, 0});
    QSignalSpy removed(m_service.get(), &AccountService::accountRemoved);
    QSignalSpy later(m_service.get(), &AccountService::pendingRevocationFinished);
    m_service->removeAccount(custom.id);
    ASSERT_TRUE(waitFor([&] { return removed.count() == 1; }));
    const auto report = removed.first().at(1).value<RemovalReport>();
    EXPECT_FALSE(report.revokedAtProvider);
    EXPECT_TRUE(m_server.isGrantActive(QStringLiteral("dana@example.com")));
    EXPECT_EQ(later.count(), 0);
    for (int i = 0; i < 40 && later.isEmpty(); ++i) {
        m_clock.advance(60);
        waitFor([] { return false; }, 30);
    }
    ASSERT_EQ(later.count(), 1);
    EXPECT_EQ(later.first().at(0).toLongLong(), custom.id);
    EXPECT_EQ(later.first().at(1).toString(), QStringLiteral("dana@example.com"));
    EXPECT_TRUE(later.first().at(2).toBool());
    EXPECT_TRUE(later.first().at(3).toString().contains(QStringLiteral("confirmed")))
        << later.first().at(3).toString().toStdString();
    EXPECT_FALSE(m_server.isGrantActive(QStringLiteral("dana@example.com")));
}

TEST_F(AccountServiceTest, SixFailedSignInsWithinAnHourRaiseExactlyOneAlert)
{
    startService();
    QSignalSpy alerts(m_service.get(), &AccountService::alertRaised);
    for (int i = 1; i <= 7; ++i) {
        m_server.setNextAuthorizeError(QStringLiteral("access_denied"), QStringLiteral("The user declined."));
        const Outcome o = drive(m_service->connectAccount(QStringLiteral("example")));
        ASSERT_EQ(o.failures, 1) << "attempt " << i;
        m_clock.advance(60);
        waitFor([] { return false; }, 20); // the monitor sees the failure in the same turn
        EXPECT_EQ(alerts.count(), i >= 6 ? 1 : 0) << "after attempt " << i;
    }
    const auto alert = alerts.first().at(0).value<Alert>();
    EXPECT_EQ(alert.kind, Alert::Kind::FailedSignIns);
    EXPECT_FALSE(alert.message.isEmpty());
    EXPECT_GE(auditCount(QStringLiteral("alert.failed-sign-ins")), 1);

    // Setup problems are not sign-in attempts: they do not count.
    QSignalSpy alerts2(m_service.get(), &AccountService::alertRaised);
    m_clock.advance(2 * 3600);
    for (int i = 0; i < 7; ++i) {
        const Outcome o = drive(m_service->connectAccount(QStringLiteral("google")), false); // no client id
        ASSERT_EQ(o.failures, 1);
    }
    EXPECT_EQ(alerts2.count(), 0);
}

TEST_F(AccountServiceTest, ARejectedCallbackRaisesAnAlert)
{
    startService();
    QSignalSpy alerts(m_service.get(), &AccountService::alertRaised);
    ConnectSession *session = m_service->connectAccount(QStringLiteral("example"));
    QPointer<ConnectSession> guard(session);
    QSignalSpy urlReady(session, &ConnectSession::authorizationUrlReady);
    ASSERT_TRUE(waitFor([&] { return urlReady.count() == 1; }));

    // Someone else (not the browser with this attempt's state) calls the loopback listener.
    QUrl forged(session->redirectUri());
    forged.setQuery(QStringLiteral("code=forged-code&state=forged-state-0123456789"));
    QNetworkReply *reply = m_nam.get(QNetworkRequest(forged));
    ASSERT_TRUE(waitFor([&] { return reply->isFinished(); }));
    reply->deleteLater();
    ASSERT_TRUE(waitFor([&] { return alerts.count() == 1; }));
    const auto alert = alerts.first().at(0).value<Alert>();
    EXPECT_EQ(alert.kind, Alert::Kind::RejectedCallback);
    EXPECT_FALSE(alert.message.isEmpty());
    EXPECT_FALSE(alert.message.contains(QStringLiteral("forged-state"))); // no values from the request
    EXPECT_GE(auditCount(QStringLiteral("alert.rejected-callback")), 1);

    // The attempt goes on (a forged request does not end it) until the user cancels.
    ASSERT_TRUE(guard);
    EXPECT_FALSE(guard->isFinished());
    guard->cancel();
    ASSERT_TRUE(waitFor([&] { return !guard || guard->isFinished(); }));
}

TEST_F(AccountServiceTest, BeforeTheVaultIsOpenLifecycleOperationsFailClearly)
{
    QSignalSpy refreshed(m_service.get(), &AccountService::refreshFinished);
    QSignalSpy signedOut(m_service.get(), &AccountService::signedOutEverywhere);
    QSignalSpy removeFailed(m_service.get(), &AccountService::removeFailed);
    m_service->refreshNow(1);
    m_service->signOutEverywhere();
    m_service->removeAccount(1);
    EXPECT_EQ(refreshed.count() + signedOut.count() + removeFailed.count(), 0); // from the event loop
    ASSERT_TRUE(waitFor([&] { return refreshed.count() == 1 && signedOut.count() == 1 && removeFailed.count() == 1; }));
    EXPECT_TRUE(refreshed.first().at(1).value<Status>().error().message.contains(QStringLiteral("not unlocked")));
    EXPECT_FALSE(signedOut.first().at(0).value<Status>().ok());
    EXPECT_EQ(AccountServiceTestAccess::tokens(*m_service), nullptr);
    EXPECT_FALSE(m_service->lastSignOutReport().has_value());
}

// readAudit: the audit log read on the AuditReader's worker thread, with a connection of its own
// opened with the key from the keychain. The same entries as auditFor; only the latest answer of a
// context; a new connection after sign out everywhere rotated the key; the service destroyed with
// a read in flight calls back nobody.
TEST_F(AccountServiceTest, AuditReadsOffTheGuiThreadMatchAuditForAndSurviveKeyRotationAndShutdown)
{
    m_service->setAutoRefresh(false);
    startService();
    const Account account = connectVia(QStringLiteral("example"));
    ASSERT_GT(account.id, 0);
    AuditReader *reader = AccountServiceTestAccess::auditReader(*m_service);
    ASSERT_NE(reader, nullptr);
    const auto sameAs = [](const QList<AuditEntry> &a, const QList<AuditEntry> &b) {
        if (a.size() != b.size())
            return false;
        for (int i = 0; i < a.size(); ++i) {
            if (a.at(i).id != b.at(i).id || a.at(i).action != b.at(i).action || a.at(i).detail != b.at(i).detail)
                return false;
        }
        return true;
    };

    QObject context;
    QList<int> answers; // 1: the mailbox's read, 2: the whole log's
    QList<AuditEntry> got;
    m_service->readAudit(account.id, 200, &context, [&](QList<AuditEntry> e) {
        answers.append(1);
        got = e;
    });
    m_service->readAudit(0, 1000, &context, [&](QList<AuditEntry> e) {
        answers.append(2);
        got = e;
    });
    ASSERT_TRUE(waitFor([&] { return !answers.isEmpty(); }));
    waitFor([] { return false; }, 100);
    EXPECT_EQ(answers, QList<int>{2});
    EXPECT_GE(got.size(), 2);
    EXPECT_TRUE(sameAs(got, m_service->auditFor(0, 1000)));
    EXPECT_EQ(reader->connectionsOpened(), 1);

    // Sign out everywhere rotates the vault key: reads meanwhile are answered all the same, and
    // the next connection opens with the new key.
    QSignalSpy done(m_service.get(), &AccountService::signedOutEverywhere);
    m_service->signOutEverywhere();
    std::optional<QList<AuditEntry>> during;
    m_service->readAudit(account.id, 200, &context, [&](QList<AuditEntry> e) { during = e; });
    ASSERT_TRUE(waitFor([&] { return done.count() == 1; }, 30000));
    ASSERT_TRUE(done.first().at(0).value<Status>().ok());
    ASSERT_TRUE(waitFor([&] { return during.has_value(); }));
    EXPECT_FALSE(during->isEmpty());
    std::optional<QList<AuditEntry>> after;
    m_service->readAudit(0, 1000, &context, [&](QList<AuditEntry> e) { after = e; });
    ASSERT_TRUE(waitFor([&] { return after.has_value(); }, 20000));
    EXPECT_TRUE(sameAs(*after, m_service->auditFor(0, 1000)));
    bool incident = false;
    for (const AuditEntry &e : *after)
        incident = incident || e.action == QLatin1String("vault.key-rotated");
    EXPECT_TRUE(incident);
    EXPECT_EQ(reader->connectionsOpened(), 2);

    // Destroyed while a read runs: the read is waited for, and nobody is called back.
    std::atomic<bool> inQuery{false};
    reader->setBeforeQueryForTests([&inQuery] {
        inQuery = true;
        QThread::msleep(200);
    });
    bool called = false;
    m_service->readAudit(0, 1000, &context, [&](QList<AuditEntry>) { called = true; });
    ASSERT_TRUE(waitFor([&] { return inQuery.load(); }));
    m_service.reset();
    waitFor([] { return false; }, 300);
    EXPECT_FALSE(called);
}
