// The window's side: an AccountService and its IpcServer in this process (standing in for the
// MailKey window) with their own vault, TokenManager and providers. mailkey-cli must ask it, and must answer exactly as it
// does on its own when the window is gone.
#include "cli/ExitCode.h"
#include "core/ipc/IpcServer.h"
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/TokenManager.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/service/AccountServiceTestAccess.h"
#include "tests/cli/CliHarness.h"
#include "tests/support/TestUtil.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>

using namespace mailkey;
using mailkey::test::args;
using mailkey::test::CliHarness;
using mailkey::test::CliRun;
using mailkey::test::waitFor;

class CliDelegationTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        h = std::make_unique<CliHarness>();
        ASSERT_TRUE(h->ok());
        // The "window": its service (vault connection, key, token manager), providers and socket.
        ASSERT_TRUE(m_registry.loadCustomProviders(h->providersFile()).ok());
        m_service = std::make_unique<AccountService>(h->profile(), &m_nam, &m_registry);
        m_service->setAutoRefresh(false);
        m_service->start();
        ASSERT_TRUE(waitFor([&] { return m_service->vaultState() != VaultState::Unlocking; }, 20000));
        ASSERT_EQ(m_service->vaultState(), VaultState::Ready) << m_service->vaultError().message.toStdString();
        m_vault = AccountServiceTestAccess::vault(*m_service);
        m_tokens = AccountServiceTestAccess::tokens(*m_service);
        m_server = std::make_unique<IpcServer>(m_service.get());
        startWindow();
    }

    void TearDown() override
    {
        if (h)
            test::expectNotLogged(h->secrets());
        m_server.reset();
        m_tokens = nullptr;
        m_vault.reset();
        m_service.reset();
    }

    void startWindow()
    {
        std::optional<Status> listening;
        m_server->listen(h->profile(), [&](Status s) { listening.emplace(s); });
        ASSERT_TRUE(waitFor([&] { return listening.has_value(); }, 5000));
        ASSERT_TRUE(listening->ok()) << listening->error().message.toStdString();
    }

    void connectAlice()
    {
        const CliRun r = h->connect();
        ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
        ASSERT_EQ(r.outText(), CliHarness::Email + QLatin1Char('\n'));
    }

    std::unique_ptr<CliHarness> h;
    ProviderRegistry m_registry;
    QNetworkAccessManager m_nam;
    std::unique_ptr<AccountService> m_service;
    std::shared_ptr<Vault> m_vault;   // the service's
    TokenManager *m_tokens = nullptr; // the service's
    std::unique_ptr<IpcServer> m_server;
};

TEST_F(CliDelegationTest, StatusSeesTheWindowAndAConnectTellsItToReload)
{
    const CliRun status = h->run(args({"status"}));
    ASSERT_EQ(status.exitCode, cli::Ok) << status.errForMessage();
    EXPECT_TRUE(status.outText().contains(QStringLiteral("App:       running (pid %1); token requests go through it")
                                              .arg(QCoreApplication::applicationPid())))
        << status.out.toStdString();

    QSignalSpy changed(m_server.get(), &IpcServer::accountsChanged);
    connectAlice();
    EXPECT_TRUE(waitFor([&] { return changed.count() >= 1; }, 3000));
}

TEST_F(CliDelegationTest, DelegatedAndStandaloneAnswersAreTheSame)
{
    connectAlice();
    const QList<QStringList> commands = {
        args({"token", "alice@example.com"}),
        args({"token", "alice@example.com", "--resource", "imap"}),
        args({"token", "alice@example.com", "--sasl", "xoauth2"}),
        args({"token", "alice@example.com", "--sasl", "oauthbearer", "--resource", "smtp"}),
        args({"token", "ALICE@example.com", "--provider", "fake"}),
        args({"token", "nobody@example.com"}),
        args({"token", "alice@example.com", "--provider", "nosuch"}),
        args({"token", "alice@example.com", "--provider", "google"}),
        args({"token", "bad@@address"}),
    };
    QSignalSpy handled(m_server.get(), &IpcServer::requestHandled);
    QList<CliRun> delegated;
    for (const QStringList &c : commands)
        delegated << h->run(c);
    // Every well-formed request went through the window ("bad@@address" is refused before asking).
    EXPECT_EQ(handled.count(), commands.size() - 1);

    m_server->close();
    for (int i = 0; i < commands.size(); ++i) {
        const CliRun alone = h->run(commands[i]);
        const std::string which = commands[i].join(QLatin1Char(' ')).toStdString();
        EXPECT_EQ(alone.exitCode, delegated[i].exitCode) << which;
        EXPECT_TRUE(alone.out == delegated[i].out) << which;
        EXPECT_TRUE(alone.err == delegated[i].err) << which;
        EXPECT_TRUE(h->containsNoSecret(alone.err)) << which;
    }
    EXPECT_EQ(handled.count(), commands.size() - 1) << "nothing reached the closed window";
    EXPECT_EQ(delegated[0].exitCode, cli::Ok);
    EXPECT_EQ(delegated[5].exitCode, cli::AccountNotFound);
    EXPECT_EQ(delegated[6].exitCode, cli::Usage);
    EXPECT_EQ(delegated[7].exitCode, cli::AccountNotFound);

    // Both hand-outs are in the audit log with the requesting program.
    int handouts = 0;
    const auto entries = m_vault->audit();
    ASSERT_TRUE(entries.ok());
    for (const AuditEntry &e : *entries)
        handouts += e.action == QLatin1String("token.handed-out") && e.actor == QLatin1String("test_cli") ? 1 : 0;
    EXPECT_EQ(handouts, 2 * 5);
}

TEST_F(CliDelegationTest, TheWindowRefreshesOnceForTheCli)
{
    h->server().setAccessTokenLifetime(45);
    connectAlice();
    QSignalSpy refreshed(m_tokens, &TokenManager::refreshFinished);
    const int before = h->server().refreshCount();
    const CliRun r = h->run(args({"token", "alice@example.com"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_EQ(refreshed.count(), 1) << "the window's TokenManager did the refresh";
    EXPECT_EQ(h->server().refreshCount(), before + 1);
    const QString printed = r.outText().trimmed();
    EXPECT_TRUE(printed == h->server().lastIssuedAccessToken());
    auto accounts = m_vault->findAccountsByEmail(CliHarness::Email);
    ASSERT_TRUE(accounts.ok() && !accounts->isEmpty());
    auto stored = m_vault->token(accounts->first().id, QStringLiteral("default"));
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_TRUE((*stored)->accessToken.reveal() == printed) << "committed before it was printed";
}

TEST_F(CliDelegationTest, RemoveAndRotateKeyRunInTheWindow)
{
    connectAlice();
    QSignalSpy changed(m_server.get(), &IpcServer::accountsChanged);

    // The window keeps its vault open: a key rotation must happen on its connection.
    const CliRun rotate = h->run(args({"rotate-key"}));
    ASSERT_EQ(rotate.exitCode, cli::Ok) << rotate.errForMessage();
    EXPECT_TRUE(rotate.errText().contains(QLatin1String("window"))) << rotate.errForMessage();
    EXPECT_TRUE(m_vault->accounts().ok()) << "the window can still read its vault";
    EXPECT_EQ(h->run(args({"list"})).exitCode, cli::Ok) << "and a new process opens it with the new key";

    const CliRun removed = h->run(args({"remove", "alice@example.com"}));
    ASSERT_EQ(removed.exitCode, cli::Ok) << removed.errForMessage();
    EXPECT_TRUE(removed.errText().contains(QLatin1String("confirmed"))) << removed.errForMessage();
    EXPECT_GE(changed.count(), 2);
    auto left = m_vault->findAccountsByEmail(CliHarness::Email);
    ASSERT_TRUE(left.ok());
    EXPECT_TRUE(left->isEmpty());

    const CliRun reset = h->run(args({"reset-vault", "--yes"}));
    EXPECT_EQ(reset.exitCode, cli::Failure) << "never under a running window";
    EXPECT_TRUE(reset.errText().contains(QLatin1String("Quit it first")));

    // Nor erase-all: it names the window's own way, and erases nothing.
    const CliRun erase = h->run(args({"erase-all", "--yes"}));
    EXPECT_EQ(erase.exitCode, cli::Failure) << erase.errForMessage();
    EXPECT_TRUE(erase.errText().contains(QStringLiteral("File → Erase everything"))) << erase.errForMessage();
    EXPECT_TRUE(erase.errText().contains(QLatin1String("Nothing was erased"))) << erase.errForMessage();
    EXPECT_TRUE(m_vault->accounts().ok()) << "the window's vault is still there";
}

TEST_F(CliDelegationTest, SignOutEverywhereRunsInTheWindow)
{
    connectAlice();
    const CliRun r = h->run(args({"sign-out-everywhere", "--yes"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(QLatin1String("Signed out everywhere")));
    EXPECT_FALSE(h->server().isGrantActive(CliHarness::Email));
    EXPECT_TRUE(m_vault->accounts().ok()) << "the window can still read its vault after the new key";
    const CliRun token = h->run(args({"token", "alice@example.com"}));
    EXPECT_EQ(token.exitCode, cli::NeedsSignIn);
}

// The window's real wiring: IpcServer::attach() on an AccountService (app/gui/main.cpp does this).
TEST(CliAttachedToTheAccountService, TheServiceAnswersOnceItsVaultIsOpen)
{
    ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
    CliHarness h;
    ASSERT_TRUE(h.ok());
    const CliRun connected = h.connect();
    ASSERT_EQ(connected.exitCode, cli::Ok) << connected.errForMessage();

    QNetworkAccessManager nam;
    ProviderRegistry registry;
    ASSERT_TRUE(registry.loadCustomProviders(h.providersFile()).ok());
    AccountService service(h.profile(), &nam, &registry);
    service.setAutoRefresh(false);
    IpcServer *ipc = IpcServer::attach(&service);
    service.start();
    ASSERT_TRUE(waitFor([&] { return service.vaultState() == VaultState::Ready && ipc->isListening(); }, 20000));

    QSignalSpy handled(ipc, &IpcServer::requestHandled);
    QSignalSpy changed(&service, &AccountService::accountsChanged);
    const CliRun token = h.run(args({"token", "alice@example.com"}));
    ASSERT_EQ(token.exitCode, cli::Ok) << token.errForMessage();
    EXPECT_TRUE(token.outText().trimmed() == h.server().lastIssuedAccessToken());
    EXPECT_EQ(handled.count(), 1) << "answered by the service's TokenManager";

    const CliRun removed = h.run(args({"remove", "alice@example.com"}));
    ASSERT_EQ(removed.exitCode, cli::Ok) << removed.errForMessage();
    EXPECT_GE(changed.count(), 1) << "the window re-reads the vault";
    EXPECT_TRUE(service.accounts().isEmpty());
    test::expectNotLogged(h.secrets());
}
