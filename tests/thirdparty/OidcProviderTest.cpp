// MailKey against node's oidc-provider, an OpenID-certified authorization server nobody here
// wrote (tests/thirdparty/oidc-provider, started on loopback per test): sign-in with PKCE through
// AccountService / ConnectSession (OpenID discovery from the issuer alone, the devInteractions
// login and consent pages filled in by a scripted browser, the loopback callback), refresh,
// rotation with reuse detection, revocation, introspection, and grants narrower than what was
// asked. The vault is a real SQLCipher file keyed from a real Secret Service (KEYRING).
//
// node or node_modules missing is a failure (see OidcProviderServer), never a skip. Token values
// are compared with EXPECT_TRUE(a == b) and never printed.
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/TokenManager.h"
#include "core/oauth/ConnectSession.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/service/AccountServiceTestAccess.h"
#include "core/vault/Vault.h"
#include "tests/support/TestUtil.h"
#include "tests/thirdparty/InteractionBrowser.h"
#include "tests/thirdparty/OidcProviderServer.h"

#include <QFile>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QProcessEnvironment>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUrlQuery>

#include <gtest/gtest.h>

#include <memory>
#include <optional>

using namespace mailkey;
using mailkey::test::InteractionBrowser;
using mailkey::test::OidcProviderServer;
using mailkey::test::waitFor;

namespace {

const QString kProvider = QStringLiteral("oidc-provider");
const QString kEmail = QStringLiteral("dana@example.com");

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QStringList scopeOf(const QJsonObject &introspection)
{
    return sorted(introspection.value(QStringLiteral("scope")).toString().split(QLatin1Char(' '), Qt::SkipEmptyParts));
}

} // namespace

class OidcProviderTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        ASSERT_TRUE(m_dir.isValid());
        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    }

    void TearDown() override
    {
        QList<QByteArray> secrets;
        for (const QString &t : std::as_const(m_seenTokens))
            secrets.append(t.toUtf8());
        secrets.removeAll(QByteArray());
        test::expectNotLogged(secrets);
        m_service.reset();
        m_server.stop();
    }

    // The server, then a service whose providers.json names only the issuer and MailKey's client:
    // the endpoints come from OpenID discovery.
    void startAll(const QStringList &serverOptions = {})
    {
        const QString why = m_server.start(serverOptions);
        ASSERT_TRUE(why.isEmpty()) << why.toStdString();

        const QString path = m_dir.filePath(QStringLiteral("providers.json"));
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(QStringLiteral(R"({"providers": [{"id": "%1", "name": "oidc-provider", "issuer": "%2",
                                   "client_id": "%3", "scopes": ["openid", "email", "profile", "offline_access"]}]})")
                    .arg(kProvider, m_server.issuer(), QString::fromLatin1(OidcProviderServer::PublicClientId))
                    .toUtf8());
        f.close();
        m_registry = std::make_unique<ProviderRegistry>(ProviderRegistry::Settings{}, QProcessEnvironment());
        ASSERT_TRUE(m_registry->loadCustomProviders(path).ok());
        ASSERT_TRUE(m_registry->problems().isEmpty());
        ASSERT_EQ(m_registry->provider(kProvider).redirectPath, QString::fromLatin1(OidcProviderServer::RedirectPath));

        m_service = std::make_unique<AccountService>(Profile(test::uniqueName(QStringLiteral("oidc"))), &m_nam,
                                                     m_registry.get());
        ConnectSession::Options options;
        options.openBrowser = false; // the scripted browser is the user
        options.profileRetry = RetryPolicy::fast();
        m_service->setConnectOptions(options);
        m_service->setAutoRefresh(false); // refreshes happen when a test asks for them
        m_service->start();
        ASSERT_TRUE(waitFor(
            [&] {
                return m_service->vaultState() == VaultState::Ready || m_service->vaultState() == VaultState::Failed;
            },
            20000));
        ASSERT_EQ(m_service->vaultState(), VaultState::Ready) << m_service->vaultError().message.toStdString();
    }

    // One sign-in through the service, the browser following the authorization URL.
    std::optional<Account> signIn()
    {
        struct Outcome {
            std::optional<Account> account;
            std::optional<Error> error;
            QString browserProblem;
            bool done() const { return account || error || !browserProblem.isEmpty(); }
        };
        auto outcome = std::make_shared<Outcome>();
        ConnectSession *session = m_service->connectAccount(kProvider);
        QObject::connect(session, &ConnectSession::authorizationUrlReady, &m_browser,
                         [this](const QUrl &url) { m_browser.open(url); });
        QObject::connect(session, &ConnectSession::succeeded, session,
                         [outcome](const Account &a, bool, const QString &) { outcome->account = a; });
        QObject::connect(session, &ConnectSession::failed, session, [outcome](const Error &e) { outcome->error = e; });
        const QMetaObject::Connection browserFailed
            = QObject::connect(&m_browser, &InteractionBrowser::failed, session,
                               [outcome](const QString &why) { outcome->browserProblem = why; });
        EXPECT_TRUE(waitFor([&] { return outcome->done(); }, 30000)) << "the sign-in did not end";
        QObject::disconnect(browserFailed);
        EXPECT_TRUE(outcome->browserProblem.isEmpty()) << "browser: " << outcome->browserProblem.toStdString();
        EXPECT_FALSE(outcome->error) << (outcome->error ? outcome->error->message.toStdString() : std::string());
        if (outcome->account) {
            EXPECT_TRUE(waitFor([&] { return !m_browser.isBusy(); }));
            EXPECT_EQ(m_browser.lastStatus(), 200) << "MailKey's loopback page";
            EXPECT_EQ(m_browser.lastUrl().path(), QString::fromLatin1(OidcProviderServer::RedirectPath));
            remember(outcome->account->id);
        }
        return outcome->account;
    }

    std::optional<TokenRecord> stored(qint64 accountId, const QString &resource = QString::fromLatin1(DefaultResource))
    {
        auto t = AccountServiceTestAccess::vault(*m_service)->token(accountId, resource);
        EXPECT_TRUE(t.ok());
        return t.ok() ? std::move(*t) : std::nullopt;
    }

    // Every token value that reached the vault, for the log check at the end.
    void remember(qint64 accountId)
    {
        auto all = AccountServiceTestAccess::vault(*m_service)->tokens(accountId);
        if (!all.ok())
            return;
        for (const TokenRecord &t : *all)
            m_seenTokens << t.accessToken.reveal() << t.refreshToken.reveal();
    }

    Status refresh(qint64 accountId)
    {
        std::optional<Status> result;
        AccountServiceTestAccess::tokens(*m_service)
            ->refreshNow(accountId, QString::fromLatin1(DefaultResource), [&](Status s) { result.emplace(s); });
        EXPECT_TRUE(waitFor([&] { return result.has_value(); }, 20000)) << "no answer";
        remember(accountId);
        return result.value_or(Status(Error(ErrorCode::Internal, QStringLiteral("timeout"))));
    }

    // A token as a mail program gets it (mailkey-cli token / the IPC server).
    Result<AccessToken> handOut(qint64 accountId, const QString &resource, const QString &program)
    {
        std::optional<Result<AccessToken>> result;
        AccountServiceTestAccess::tokens(*m_service)
            ->accessToken(accountId, resource, 60, program,
                          [&](Result<AccessToken> r) { result.emplace(std::move(r)); });
        EXPECT_TRUE(waitFor([&] { return result.has_value(); }, 20000)) << "no answer";
        remember(accountId);
        if (!result)
            return Error(ErrorCode::Internal, QStringLiteral("timeout"));
        if (result->ok())
            m_seenTokens << (*result)->token.reveal();
        return std::move(*result);
    }

    bool active(const QString &token, const QString &hint = QString())
    {
        return m_server.introspect(token, hint).value(QStringLiteral("active")).toBool();
    }

    QStringList authorizationParameter(const char *name) const
    {
        return QUrlQuery(m_browser.authorizationUrl())
            .allQueryItemValues(QString::fromLatin1(name), QUrl::FullyDecoded);
    }

    QTemporaryDir m_dir;
    OidcProviderServer m_server;
    QNetworkAccessManager m_nam;
    InteractionBrowser m_browser;
    std::unique_ptr<ProviderRegistry> m_registry;
    std::unique_ptr<AccountService> m_service;
    QStringList m_seenTokens;
};

TEST_F(OidcProviderTest, SignInWithPkceAndConsentToOfflineAccess)
{
    ASSERT_NO_FATAL_FAILURE(startAll());
    const std::optional<Account> account = signIn();
    ASSERT_TRUE(account);
    EXPECT_EQ(account->email, kEmail);
    EXPECT_EQ(account->provider, kProvider);
    EXPECT_EQ(account->subject, kEmail);
    EXPECT_EQ(m_browser.loginPages(), 1);
    EXPECT_EQ(m_browser.consentPages(), 1);

    // PKCE S256, state, nonce, and the consent prompt OpenID Connect Core section 11 requires
    // for offline_access.
    EXPECT_EQ(authorizationParameter("code_challenge_method"), QStringList{QStringLiteral("S256")});
    EXPECT_EQ(authorizationParameter("code_challenge").size(), 1);
    EXPECT_EQ(authorizationParameter("state").size(), 1);
    EXPECT_EQ(authorizationParameter("nonce").size(), 1);
    EXPECT_EQ(authorizationParameter("prompt"), QStringList{QStringLiteral("consent")});
    EXPECT_EQ(authorizationParameter("client_id"),
              QStringList{QString::fromLatin1(OidcProviderServer::PublicClientId)});

    // So offline_access was granted and a refresh token issued.
    const std::optional<TokenRecord> t = stored(account->id);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->refreshToken.isEmpty());
    EXPECT_EQ(sorted(t->scopes), sorted({QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("profile"),
                                         QStringLiteral("offline_access")}));

    // The server knows the token as MailKey's, for this user.
    const QJsonObject info = m_server.introspect(t->accessToken.reveal());
    EXPECT_TRUE(info.value(QStringLiteral("active")).toBool());
    EXPECT_EQ(info.value(QStringLiteral("client_id")).toString(),
              QString::fromLatin1(OidcProviderServer::PublicClientId));
    EXPECT_EQ(info.value(QStringLiteral("email")).toString(), kEmail);
    EXPECT_EQ(scopeOf(info), sorted(t->scopes));
    EXPECT_TRUE(active(t->refreshToken.reveal(), QStringLiteral("refresh_token")));
}

TEST_F(OidcProviderTest, RefreshRotatesAndAReplayedRefreshTokenRevokesTheGrant)
{
    ASSERT_NO_FATAL_FAILURE(startAll());
    const std::optional<Account> account = signIn();
    ASSERT_TRUE(account);
    const std::optional<TokenRecord> first = stored(account->id);
    ASSERT_TRUE(first && !first->refreshToken.isEmpty());

    const Status refreshed = refresh(account->id);
    ASSERT_TRUE(refreshed.ok()) << refreshed.error().message.toStdString();
    const std::optional<TokenRecord> second = stored(account->id);
    ASSERT_TRUE(second);
    EXPECT_FALSE(second->accessToken.reveal() == first->accessToken.reveal());
    EXPECT_FALSE(second->refreshToken.reveal() == first->refreshToken.reveal()) << "the refresh token rotates";
    EXPECT_TRUE(active(second->accessToken.reveal()));
    EXPECT_TRUE(active(second->refreshToken.reveal(), QStringLiteral("refresh_token")));
    EXPECT_FALSE(active(first->refreshToken.reveal(), QStringLiteral("refresh_token"))) << "the old one is used up";

    // A second round uses the newest refresh token (a reuse would revoke the grant here).
    ASSERT_TRUE(refresh(account->id).ok());
    const std::optional<TokenRecord> third = stored(account->id);
    ASSERT_TRUE(third);
    EXPECT_TRUE(active(third->accessToken.reveal()));

    // An attacker replays the first refresh token: the server refuses it and revokes the grant.
    const auto [status, reply] = m_server.refresh(first->refreshToken.reveal());
    EXPECT_EQ(status, 400);
    EXPECT_EQ(reply.value(QStringLiteral("error")).toString(), QStringLiteral("invalid_grant"));
    EXPECT_FALSE(active(third->accessToken.reveal()));
    EXPECT_FALSE(active(third->refreshToken.reveal(), QStringLiteral("refresh_token")));

    // MailKey's next refresh is refused: the account needs a new sign-in, and says so.
    const Status after = refresh(account->id);
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, ErrorCode::NeedsSignIn);
    const std::optional<Account> now = m_service->account(account->id);
    ASSERT_TRUE(now);
    EXPECT_EQ(now->status, AccountStatus::NeedsSignIn);
    EXPECT_TRUE(now->statusReason.contains(QLatin1String("Sign in again"))) << now->statusReason.toStdString();

    // A new sign-in brings it back.
    const std::optional<Account> again = signIn();
    ASSERT_TRUE(again);
    EXPECT_EQ(again->id, account->id);
    EXPECT_TRUE(refresh(account->id).ok());
}

// A provider named by its issuer alone: the sign-in discovered its endpoints, but another process
// (mailkey-cli token, the window started later) has only providers.json. Its refresh runs the
// discovery itself first; it used to fail with "The token address of ... is not known yet".
TEST_F(OidcProviderTest, AnotherProcessRefreshesAProviderKnownOnlyByItsIssuer)
{
    ASSERT_NO_FATAL_FAILURE(startAll());
    const std::optional<Account> account = signIn();
    ASSERT_TRUE(account);
    const std::optional<TokenRecord> before = stored(account->id);
    ASSERT_TRUE(before);

    ProviderRegistry fresh(ProviderRegistry::Settings{}, QProcessEnvironment());
    ASSERT_TRUE(fresh.loadCustomProviders(m_dir.filePath(QStringLiteral("providers.json"))).ok());
    ASSERT_TRUE(fresh.provider(kProvider).needsDiscovery);
    TokenManager other(AccountServiceTestAccess::vault(*m_service), &fresh, &m_nam, m_service->profile());
    std::optional<Status> result;
    other.refreshNow(account->id, QString::fromLatin1(DefaultResource), [&](Status s) { result.emplace(s); });
    ASSERT_TRUE(waitFor([&] { return result.has_value(); }, 20000));
    remember(account->id);
    ASSERT_TRUE(result->ok()) << result->error().message.toStdString();
    const std::optional<TokenRecord> after = stored(account->id);
    ASSERT_TRUE(after);
    EXPECT_FALSE(after->accessToken.reveal() == before->accessToken.reveal());
    EXPECT_TRUE(active(after->accessToken.reveal()));
    EXPECT_FALSE(fresh.provider(kProvider).needsDiscovery) << "the discovery is kept for the next refresh";
}

TEST_F(OidcProviderTest, AHandedOutTokenIsActiveForItsUserAtIntrospection)
{
    ASSERT_NO_FATAL_FAILURE(startAll());
    const std::optional<Account> account = signIn();
    ASSERT_TRUE(account);

    // IMAP and SMTP tokens, as mutt and msmtp get them, minted from the refresh token.
    for (const QString &resource : {QStringLiteral("imap"), QStringLiteral("smtp")}) {
        const Result<AccessToken> token = handOut(account->id, resource, QStringLiteral("mutt"));
        ASSERT_TRUE(token.ok()) << resource.toStdString() << ": " << token.error().message.toStdString();
        const QJsonObject info = m_server.introspect(token->token.reveal());
        EXPECT_TRUE(info.value(QStringLiteral("active")).toBool()) << resource.toStdString();
        // What Dovecot's passdb oauth2 reads (username_attribute = email).
        EXPECT_EQ(info.value(QStringLiteral("email")).toString(), kEmail);
        EXPECT_EQ(info.value(QStringLiteral("sub")).toString(), kEmail);
        EXPECT_EQ(info.value(QStringLiteral("client_id")).toString(),
                  QString::fromLatin1(OidcProviderServer::PublicClientId));
        EXPECT_EQ(info.value(QStringLiteral("token_type")).toString(), QStringLiteral("Bearer"));
        EXPECT_GT(qint64(info.value(QStringLiteral("exp")).toDouble()), QDateTime::currentSecsSinceEpoch());
    }
    // A token the server never issued is not active.
    EXPECT_FALSE(active(QStringLiteral("not-a-token-of-this-server")));
}

TEST_F(OidcProviderTest, RemovingTheAccountRevokesItsGrant)
{
    ASSERT_NO_FATAL_FAILURE(startAll());
    const std::optional<Account> account = signIn();
    ASSERT_TRUE(account);
    const std::optional<TokenRecord> t = stored(account->id);
    ASSERT_TRUE(t && !t->refreshToken.isEmpty());
    ASSERT_TRUE(active(t->accessToken.reveal()));

    QSignalSpy removed(m_service.get(), &AccountService::accountRemoved);
    m_service->removeAccount(account->id);
    ASSERT_TRUE(waitFor([&] { return removed.count() == 1; }, 20000));
    const RemovalReport report = removed.first().at(1).value<RemovalReport>();
    EXPECT_TRUE(report.revokedAtProvider) << report.message.toStdString();
    EXPECT_FALSE(m_service->account(account->id).has_value());

    // Revoking the refresh token ended the grant: neither token is active any more.
    EXPECT_FALSE(active(t->refreshToken.reveal(), QStringLiteral("refresh_token")));
    EXPECT_FALSE(active(t->accessToken.reveal()));
}

TEST_F(OidcProviderTest, OfflineAccessLeftOutOfTheGrantStillRefreshes)
{
    // The server leaves offline_access out when the request has no prompt=consent (OpenID Connect
    // Core section 11), as here, where the prompt is lost on the way; it still hands a refresh
    // token to the native client, as many servers do. The refresh must not ask for offline_access.
    ASSERT_NO_FATAL_FAILURE(startAll({QStringLiteral("--refresh-without-offline-access")}));
    m_browser.rewriteAuthorization = [](const QUrl &url) {
        QUrlQuery q(url);
        q.removeAllQueryItems(QStringLiteral("prompt"));
        QUrl out = url;
        out.setQuery(q);
        return out;
    };
    const std::optional<Account> account = signIn();
    ASSERT_TRUE(account);
    EXPECT_TRUE(authorizationParameter("prompt").isEmpty());
    const std::optional<TokenRecord> t = stored(account->id);
    ASSERT_TRUE(t && !t->refreshToken.isEmpty());
    EXPECT_FALSE(t->scopes.contains(QStringLiteral("offline_access")));
    EXPECT_FALSE(scopeOf(m_server.introspect(t->refreshToken.reveal(), QStringLiteral("refresh_token")))
                     .contains(QStringLiteral("offline_access")));

    const Status refreshed = refresh(account->id);
    ASSERT_TRUE(refreshed.ok()) << refreshed.error().message.toStdString();
    EXPECT_EQ(sorted(stored(account->id)->scopes), sorted(t->scopes));
    const Result<AccessToken> imap = handOut(account->id, QStringLiteral("imap"), QStringLiteral("mbsync"));
    ASSERT_TRUE(imap.ok()) << imap.error().message.toStdString();
    EXPECT_TRUE(active(imap->token.reveal()));
    EXPECT_EQ(m_service->account(account->id)->status, AccountStatus::Connected);
}

TEST_F(OidcProviderTest, AScopeTheUserDidNotGrantIsNotAskedForAgain)
{
    // The user unticks "profile" on the consent page: the grant has the rest, offline_access
    // included, and every refresh must stay within it.
    ASSERT_NO_FATAL_FAILURE(startAll({QStringLiteral("--decline-scope"), QStringLiteral("profile")}));
    const std::optional<Account> account = signIn();
    ASSERT_TRUE(account);
    EXPECT_EQ(account->email, kEmail);
    const std::optional<TokenRecord> t = stored(account->id);
    ASSERT_TRUE(t && !t->refreshToken.isEmpty());
    const QStringList granted
        = sorted({QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("offline_access")});
    EXPECT_EQ(sorted(t->scopes), granted);

    const Status refreshed = refresh(account->id);
    ASSERT_TRUE(refreshed.ok()) << refreshed.error().message.toStdString();
    EXPECT_EQ(sorted(stored(account->id)->scopes), granted);
    const Result<AccessToken> smtp = handOut(account->id, QStringLiteral("smtp"), QStringLiteral("msmtp"));
    ASSERT_TRUE(smtp.ok()) << smtp.error().message.toStdString();
    const QJsonObject info = m_server.introspect(smtp->token.reveal());
    EXPECT_TRUE(info.value(QStringLiteral("active")).toBool());
    EXPECT_EQ(scopeOf(info), granted);
}

// RFC 8628 against oidc-provider's deviceFlow feature: MailKey asks for a device code (the device
// authorization endpoint comes from OpenID discovery), the scripted user opens the verification
// page on "another device", types the code into its form, confirms it, signs in and consents;
// MailKey's polling picks the tokens up and the account is stored and audited as after a
// browser sign-in. The server's interval (5 s) is scaled down to 0.5 s.
TEST_F(OidcProviderTest, DeviceSignInWithTheCodeEnteredOnAnotherDevice)
{
    ASSERT_NO_FATAL_FAILURE(startAll());
    ConnectSession::Options options;
    options.method = ConnectSession::Method::DeviceCode;
    options.device.intervalScale = 0.1;
    options.profileRetry = RetryPolicy::fast();
    m_service->setConnectOptions(options);

    struct Outcome {
        std::optional<DeviceCodePrompt> prompt;
        std::optional<Account> account;
        std::optional<Error> error;
        QString browserProblem;
        bool done() const { return account || error || !browserProblem.isEmpty(); }
    };
    auto outcome = std::make_shared<Outcome>();
    ConnectSession *session = m_service->connectAccount(kProvider);
    QObject::connect(session, &ConnectSession::authorizationUrlReady, session,
                     [outcome](const QUrl &) { outcome->browserProblem = QStringLiteral("a browser sign-in began"); });
    QObject::connect(session, &ConnectSession::deviceCodeReady, &m_browser, [this, outcome](const DeviceCodePrompt &p) {
        outcome->prompt = p;
        m_browser.enterUserCode(p.verificationUri, p.userCode);
    });
    QObject::connect(session, &ConnectSession::succeeded, session,
                     [outcome](const Account &a, bool, const QString &) { outcome->account = a; });
    QObject::connect(session, &ConnectSession::failed, session, [outcome](const Error &e) { outcome->error = e; });
    QObject::connect(&m_browser, &InteractionBrowser::failed, session,
                     [outcome](const QString &why) { outcome->browserProblem = why; });
    ASSERT_TRUE(waitFor([&] { return outcome->done(); }, 60000)) << "the device sign-in did not end";
    ASSERT_TRUE(outcome->browserProblem.isEmpty()) << outcome->browserProblem.toStdString();
    ASSERT_FALSE(outcome->error) << outcome->error->message.toStdString();
    ASSERT_TRUE(outcome->account);
    remember(outcome->account->id);

    // What the user was shown came from the server's device authorization reply.
    ASSERT_TRUE(outcome->prompt);
    EXPECT_EQ(outcome->prompt->verificationUri, m_server.url(QStringLiteral("/device")));
    EXPECT_TRUE(outcome->prompt->verificationUriComplete.toString().startsWith(m_server.issuer()
                                                                               + QStringLiteral("/device?user_code=")));
    EXPECT_EQ(m_browser.deviceFormPages(), 2) << "the code form and the confirmation";
    EXPECT_EQ(m_browser.loginPages(), 1);
    EXPECT_EQ(m_browser.consentPages(), 1);
    EXPECT_TRUE(waitFor([&] { return !m_browser.isBusy(); }));
    EXPECT_EQ(m_browser.lastStatus(), 200);
    EXPECT_TRUE(m_browser.lastBody().contains("Sign-in Success"));

    // Stored like a browser sign-in: the address from the profile, a refresh token that works.
    EXPECT_EQ(outcome->account->email, kEmail);
    EXPECT_EQ(outcome->account->provider, kProvider);
    const std::optional<TokenRecord> t = stored(outcome->account->id);
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->refreshToken.isEmpty()) << "offline_access is granted in the device flow";
    EXPECT_TRUE(active(t->accessToken.reveal()));
    const Status refreshed = refresh(outcome->account->id);
    EXPECT_TRUE(refreshed.ok()) << refreshed.error().message.toStdString();

    // The audit trail of the sign-in.
    auto entries = AccountServiceTestAccess::vault(*m_service)->audit();
    ASSERT_TRUE(entries.ok());
    QStringList actions;
    for (const AuditEntry &e : *entries)
        actions.prepend(e.action);
    const qsizetype started = actions.indexOf(QStringLiteral("connect.started"));
    ASSERT_GE(started, 0);
    EXPECT_EQ(actions.mid(started, 4),
              (QStringList{QStringLiteral("connect.started"), QStringLiteral("device.code_issued"),
                           QStringLiteral("tokens.issued"), QStringLiteral("account.added")}));
}
