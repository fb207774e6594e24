// "Connect a mailbox" end to end, in one process, with real parts: a ConnectSession drives
// QOAuth2AuthorizationCodeFlow with MailKey's loopback listener; the session's URL opener hands
// the authorization URL to a stand-in browser (a real QNetworkAccessManager) that follows the strict
// fake authorization server back to the loopback port; the account lands in a real SQLCipher
// vault keyed from a real Secret Service (KEYRING).
//
// Secrets are never printed: they are compared with EXPECT_TRUE(a == b), and every test ends by
// checking that no value the fake server issued (code, tokens) or the client sent (state,
// verifier, nonce, client secret) appears in the captured Qt log.
#include "core/common/Clock.h"
#include "core/keychain/KeyStore.h"
#include "core/oauth/ConnectSession.h"
#include "core/oauth/Pkce.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/VaultConnectionStore.h"
#include "core/vault/Vault.h"
#include "core/vault/VaultAccess.h"
#include "tests/support/TestUtil.h"
#include "tests/support/VaultTestUtil.h"
#include "tests/support/fakeidp/BrowserPool.h"
#include "tests/support/fakeidp/FakeAuthServer.h"
#include "tests/support/fakeidp/FakeBrowser.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <gtest/gtest.h>

#include <memory>

using namespace mailkey;
using mailkey::test::auditActions;
using mailkey::test::BrowserPool;
using mailkey::test::FakeAuthServer;
using mailkey::test::FakeBrowser;
using mailkey::test::waitFor;
using Reason = LoopbackReplyHandler::RejectReason;
using Endpoint = FakeAuthServer::Endpoint;
using Fault = FakeAuthServer::Fault;

namespace {

// The fake server signs id_tokens (HS256) only for clients with a secret and sends "alg":"none"
// to public clients, which IdToken rightly refuses (see UnsignedIdTokenIsRefused). So the
// OpenID providers of these tests use a client with a secret; a public client is tested with a
// provider that asks for no id_token.
const QString kClient = QStringLiteral("mailkey-test-client");
const QString kSecret = QStringLiteral("test-client-secret");
const QString kPublicClient = QStringLiteral("mailkey-public-client");
const QString kGoogleClient = QStringLiteral("123-mailkey.apps.googleusercontent.com");
// A Google "Desktop app" secret; '+' and '/' prove it is form-encoded exactly once.
const QString kGoogleSecret = QStringLiteral("GOCSPX-test+secret/value");

FakeAuthServer::User alice()
{
    return {QStringLiteral("sub-alice-0001"), QStringLiteral("alice@example.com"), QStringLiteral("Alice Example"),
            QStringLiteral("alice@example.com")};
}

FakeAuthServer::User bob()
{
    return {QStringLiteral("sub-bob-0002"), QStringLiteral("bob@contoso.example"), QStringLiteral("Bob Contoso"),
            QStringLiteral("bob@contoso.example")};
}

QString queryValue(const QUrl &url, const char *key)
{
    return QUrlQuery(url).queryItemValue(QString::fromLatin1(key), QUrl::FullyDecoded);
}

QUrl withQueryValue(const QUrl &url, const char *key, const QString *value)
{
    QUrlQuery q(url);
    q.removeAllQueryItems(QString::fromLatin1(key));
    if (value)
        q.addQueryItem(QString::fromLatin1(key), QString::fromLatin1(QUrl::toPercentEncoding(*value)));
    QUrl out = url;
    out.setQuery(q);
    return out;
}

bool portAccepts(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    const bool ok = socket.waitForConnected(1000);
    socket.abort();
    return ok;
}

// Records every signal of one session.
struct SessionWatch {
    explicit SessionWatch(ConnectSession *s) : session(s)
    {
        QObject::connect(s, &ConnectSession::authorizationUrlReady, s, [this](const QUrl &u) { urls.append(u); });
        QObject::connect(s, &ConnectSession::succeeded, s, [this](const Account &a, bool c, const QString &m) {
            account = a;
            created = c;
            message = m;
            ++successes;
        });
        QObject::connect(s, &ConnectSession::failed, s, [this](const Error &e) {
            error = e;
            ++failures;
        });
        QObject::connect(s, &ConnectSession::cancelled, s, [this] { ++cancels; });
        QObject::connect(s, &ConnectSession::rejectedCallback, s, [this](Reason r) { rejected.append(r); });
        QObject::connect(s, &ConnectSession::finished, s, [this] { ++finishes; });
    }
    int terminal() const { return successes + failures + cancels; }

    ConnectSession *session;
    QList<QUrl> urls;
    Account account;
    bool created = false;
    QString message;
    Error error;
    QList<Reason> rejected;
    int successes = 0;
    int failures = 0;
    int cancels = 0;
    int finishes = 0;
};

// A ConnectionStore in memory: the sign-in flow needs no vault and no keychain.
class MemoryStore final : public ConnectionStore {
public:
    void audit(const AuditEntry &entry) override { entries.append(entry); }
    Result<Saved> save(const AccountInfo &info, const TokenRecord &tokens, const QDateTime &at) override
    {
        if (refuse)
            return *refuse;
        savedTokens = tokens.clone();
        Saved s;
        s.created = true;
        s.account.id = 42;
        s.account.provider = info.provider;
        s.account.email = info.email;
        s.account.displayName = info.displayName;
        s.account.subject = info.subject;
        s.account.createdAt = at;
        return s;
    }
    QStringList actions() const
    {
        QStringList names;
        for (const AuditEntry &e : entries)
            names.append(e.action);
        return names;
    }

    QList<AuditEntry> entries;
    TokenRecord savedTokens;
    std::optional<Error> refuse;
};

} // namespace

class ConnectFlowTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        m_profile = Profile(test::uniqueName(QStringLiteral("connect")));
        m_vault = test::unlockVault(m_profile, &m_keyStore);
        ASSERT_TRUE(m_vault);

        ASSERT_TRUE(m_server.listen());
        m_server.addClient({kClient, kSecret, {}});
        m_server.addClient({kPublicClient, QString(), {}});
        m_server.addClient({kGoogleClient, kGoogleSecret, {QStringLiteral("/oauth/google")}});
        m_server.setUser(alice());
        m_server.setMailFolders({{QStringLiteral("Inbox"), 2, 10}});

        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        m_pool = std::make_unique<BrowserPool>(&m_nam);
    }

    void TearDown() override
    {
        QList<QByteArray> secrets{m_server.lastIssuedAccessToken().toUtf8(),
                                  m_server.lastIssuedRefreshToken().toUtf8(),
                                  m_server.lastIssuedCode().toUtf8(),
                                  m_server.lastIssuedIdToken().toUtf8(),
                                  kGoogleSecret.toUtf8(),
                                  kSecret.toUtf8()};
        for (const QUrlQuery &q : m_server.authorizeRequests()) {
            secrets.append(q.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded).toUtf8());
            secrets.append(q.queryItemValue(QStringLiteral("nonce"), QUrl::FullyDecoded).toUtf8());
        }
        for (const auto &t : m_server.tokenRequests()) {
            secrets.append(t.value(QStringLiteral("code")).toUtf8());
            secrets.append(t.value(QStringLiteral("code_verifier")).toUtf8());
        }
        for (const QUrl &u : std::as_const(m_pool->opened))
            secrets.append(queryValue(u, "state").toUtf8());
        secrets.removeAll(QByteArray());
        test::expectNotLogged(secrets);
        m_sessions.clear();
    }

    Provider microsoft() const
    {
        Provider p = Provider::microsoft().value();
        p.authorizationEndpoint = m_server.authorizeUrl();
        p.tokenEndpoint = m_server.tokenUrl();
        p.issuer = m_server.issuer();
        p.setMailApiBase(QUrl(m_server.baseUrl().toString() + QStringLiteral("v1.0")));
        p.clientId = kClient;
        p.clientSecret = kSecret;
        return p;
    }

    Provider google() const
    {
        Provider p = Provider::google();
        p.authorizationEndpoint = m_server.authorizeUrl();
        p.tokenEndpoint = m_server.tokenUrl();
        p.userinfoEndpoint = m_server.userinfoUrl();
        p.profileEndpoint = m_server.userinfoUrl();
        p.revocationEndpoint = m_server.revokeUrl();
        p.issuer = m_server.issuer();
        p.mailApiBase = QUrl(m_server.baseUrl().toString() + QStringLiteral("gmail/v1"));
        p.clientId = kGoogleClient;
        p.clientSecret = kGoogleSecret;
        return p;
    }

    // A custom provider (OAuth, endpoints given) at the fake server; scopes are up to the test.
    Provider custom(const QString &id, const QString &clientId) const
    {
        Provider p;
        p.id = id;
        p.displayName = id;
        p.issuer = m_server.issuer();
        p.authorizationEndpoint = m_server.authorizeUrl();
        p.tokenEndpoint = m_server.tokenUrl();
        p.userinfoEndpoint = m_server.userinfoUrl();
        p.profileEndpoint = m_server.userinfoUrl();
        p.clientId = clientId;
        p.redirectPath = QStringLiteral("/oauth/") + id;
        return p;
    }

    ConnectSession::Options fastOptions() const
    {
        ConnectSession::Options o;
        o.profileRetry = RetryPolicy::fast();
        return o;
    }

    // A session whose signals are recorded; not started yet.
    std::pair<ConnectSession *, SessionWatch *> make(const Provider &p, ConnectSession::Options o = {},
                                                     bool fast = true)
    {
        return make(p, std::make_shared<VaultConnectionStore>(m_vault), std::move(o), fast);
    }
    std::pair<ConnectSession *, SessionWatch *> make(const Provider &p, std::shared_ptr<ConnectionStore> store,
                                                     ConnectSession::Options o = {}, bool fast = true)
    {
        if (fast)
            o.profileRetry = RetryPolicy::fast();
        if (!o.urlOpener) {
            o.urlOpener = [pool = m_pool.get()](const QUrl &url) {
                pool->open(url);
                return true;
            };
        }
        auto session = std::make_unique<ConnectSession>(p, std::move(store), &m_nam);
        session->setOptions(o);
        session->setClock(&m_clock);
        auto *raw = session.get();
        m_watches.push_back(std::make_unique<SessionWatch>(raw));
        m_sessions.push_back(std::move(session));
        return {raw, m_watches.back().get()};
    }

    // Runs one complete sign-in through the URL handler and waits for its end.
    SessionWatch *connectOnce(const Provider &p, ConnectSession::Options o = {})
    {
        auto [session, watch] = make(p, o);
        session->start();
        EXPECT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
        return watch;
    }

    int accountCount()
    {
        auto n = m_vault->accountCount();
        return n.ok() ? n.value() : -1;
    }

    Profile m_profile;
    KeyStore m_keyStore;
    std::shared_ptr<Vault> m_vault;
    FakeAuthServer m_server;
    QNetworkAccessManager m_nam;
    std::unique_ptr<BrowserPool> m_pool;
    ManualClock m_clock{QDateTime::currentDateTimeUtc()};
    std::vector<std::unique_ptr<SessionWatch>> m_watches;
    std::vector<std::unique_ptr<ConnectSession>> m_sessions;
};

// --- the happy path ----------------------------------------------------------------------------

TEST_F(ConnectFlowTest, MicrosoftEndToEndStoresAccountInVault)
{
    auto [session, watch] = make(microsoft());
    QSignalSpy phases(session, &ConnectSession::phaseChanged);
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(watch->finishes, 1);
    EXPECT_TRUE(watch->created);
    EXPECT_EQ(watch->account.email, QStringLiteral("alice@example.com"));
    EXPECT_EQ(watch->account.displayName, QStringLiteral("Alice Example"));
    EXPECT_EQ(watch->account.provider, QStringLiteral("microsoft"));
    EXPECT_EQ(watch->account.subject, QStringLiteral("sub-alice-0001"));
    EXPECT_TRUE(watch->message.contains(QStringLiteral("alice@example.com")));
    EXPECT_EQ(session->phase(), ConnectSession::Phase::Succeeded);
    EXPECT_GE(phases.count(), 4);

    // The URL went through the opener and was also emitted for the UI / CLI.
    ASSERT_EQ(m_pool->opened.size(), 1);
    ASSERT_EQ(watch->urls.size(), 1);
    EXPECT_EQ(m_pool->opened.first(), watch->urls.first());
    EXPECT_EQ(session->authorizationUrl(), watch->urls.first());

    // The browser got the clean success page.
    ASSERT_EQ(m_pool->browsers.size(), 1);
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(m_pool->browsers.first()); }));
    EXPECT_EQ(m_pool->browsers.first()->lastStatus(), 200);
    EXPECT_TRUE(m_pool->browsers.first()->lastBody().contains("You can close this tab"));

    // Stored in the real vault: tokens equal what the server issued.
    ASSERT_EQ(accountCount(), 1);
    auto token = m_vault->token(watch->account.id, QString::fromLatin1(DefaultResource));
    ASSERT_TRUE(token.ok());
    ASSERT_TRUE(token.value().has_value());
    EXPECT_TRUE(token.value()->accessToken.reveal() == m_server.lastIssuedAccessToken());
    EXPECT_TRUE(token.value()->refreshToken.reveal() == m_server.lastIssuedRefreshToken());
    EXPECT_FALSE(token.value()->refreshToken.isEmpty());
    EXPECT_TRUE(token.value()->scopes.contains(QStringLiteral("Mail.ReadWrite")));
    EXPECT_TRUE(token.value()->expiresAt.isValid());
    EXPECT_TRUE(m_server.isAccessTokenValid(token.value()->accessToken.reveal()));

    // The listener closed after the answer.
    EXPECT_FALSE(session->isListening());
    EXPECT_FALSE(portAccepts(session->listenPort()));

    // Every step audited, in order.
    const QStringList actions = auditActions(*m_vault);
    EXPECT_EQ(actions, (QStringList{QStringLiteral("connect.started"), QStringLiteral("callback.accepted"),
                                    QStringLiteral("tokens.issued"), QStringLiteral("account.added")}));
}

TEST_F(ConnectFlowTest, TheFlowWritesNothingItselfAndHandsItsResultToItsStore)
{
    auto store = std::make_shared<MemoryStore>();
    auto [session, watch] = make(microsoft(), store);
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(watch->account.id, 42) << "the account is the one the store saved";
    EXPECT_EQ(watch->account.email, QStringLiteral("alice@example.com"));
    EXPECT_TRUE(store->savedTokens.accessToken.reveal() == m_server.lastIssuedAccessToken());
    EXPECT_TRUE(store->savedTokens.refreshToken.reveal() == m_server.lastIssuedRefreshToken());
    EXPECT_EQ(store->savedTokens.resource, QString::fromLatin1(DefaultResource));
    EXPECT_EQ(store->actions(), (QStringList{QStringLiteral("connect.started"), QStringLiteral("callback.accepted"),
                                             QStringLiteral("tokens.issued"), QStringLiteral("account.added")}));
    EXPECT_EQ(accountCount(), 0) << "nothing reached the vault the test also has open";
}

TEST_F(ConnectFlowTest, AStoreThatCannotSaveFailsTheSignInWithItsReason)
{
    auto store = std::make_shared<MemoryStore>();
    store->refuse
        = Error(ErrorCode::DiskFull, QStringLiteral("The disk is full. Free some space, then connect again."));
    auto [session, watch] = make(microsoft(), store);
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
    EXPECT_EQ(watch->successes, 0);
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::DiskFull);
    EXPECT_EQ(watch->error.message, store->refuse->message);
    EXPECT_EQ(store->actions().last(), QStringLiteral("connect.failed"));
    EXPECT_EQ(session->phase(), ConnectSession::Phase::Failed);
}

TEST_F(ConnectFlowTest, NoStoreMeansTheVaultIsNotOpen)
{
    auto [session, watch] = make(microsoft(), nullptr);
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 5000));
    ASSERT_EQ(watch->failures, 1);
    EXPECT_TRUE(watch->error.message.contains(QStringLiteral("vault is not open"))) << qPrintable(watch->error.message);
    EXPECT_TRUE(m_server.authorizeRequests().isEmpty()) << "no sign-in started without a place to keep it";
}

TEST_F(ConnectFlowTest, PkceS256StateAndScopesInTheAuthorizationRequest)
{
    SessionWatch *watch = connectOnce(microsoft());
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();

    ASSERT_EQ(m_server.authorizeRequests().size(), 1);
    const QUrlQuery authorize = m_server.authorizeRequests().last();
    const auto all
        = [&](const char *key) { return authorize.allQueryItemValues(QString::fromLatin1(key), QUrl::FullyDecoded); };
    ASSERT_EQ(all("code_challenge").size(), 1); // never twice, whatever Qt adds
    ASSERT_EQ(all("code_challenge_method"), QStringList{QStringLiteral("S256")});
    ASSERT_EQ(all("state").size(), 1);
    EXPECT_GE(all("state").first().size(), 43); // >= 256 bits, base64url
    EXPECT_EQ(all("nonce").size(), 1);          // OIDC scope
    // The sign-in scopes, then the Outlook scopes to consent to now (IMAP/SMTP tokens later).
    ASSERT_EQ(all("scope").size(), 1);
    EXPECT_EQ(all("scope").first(),
              QStringLiteral("openid profile email offline_access User.Read Mail.ReadWrite Mail.Send "
                             "https://outlook.office.com/IMAP.AccessAsUser.All "
                             "https://outlook.office.com/SMTP.Send"));
    EXPECT_EQ(all("prompt"), QStringList{QStringLiteral("select_account")});
    EXPECT_EQ(all("response_type"), QStringList{QStringLiteral("code")});
    const QUrl redirect(all("redirect_uri").value(0));
    EXPECT_EQ(redirect.host(), QStringLiteral("localhost"));
    EXPECT_EQ(redirect.path(), QStringLiteral("/oauth/microsoft"));

    // The verifier sent with the code matches the challenge (the server checked it too).
    ASSERT_EQ(m_server.tokenRequests().size(), 1);
    const auto tokenRequest = m_server.tokenRequests().last();
    const QByteArray verifier = tokenRequest.value(QStringLiteral("code_verifier")).toLatin1();
    EXPECT_TRUE(Pkce::isValidVerifier(verifier));
    EXPECT_TRUE(Pkce::challengeS256(verifier) == all("code_challenge").first().toLatin1());
    EXPECT_TRUE(tokenRequest.value(QStringLiteral("client_secret")) == kSecret);
    EXPECT_EQ(tokenRequest.value(QStringLiteral("grant_type")), QStringLiteral("authorization_code"));
    // The code is redeemed for Graph only: one resource per token request (Qt 6.4 itself sends
    // no scope here; the server refuses a repeated parameter, so it was sent once).
    EXPECT_EQ(tokenRequest.value(QStringLiteral("scope")),
              QStringLiteral("openid profile email offline_access User.Read Mail.ReadWrite Mail.Send"));
    // The token is the Graph one (Graph accepts it), from a grant that also covers Outlook.
    EXPECT_FALSE(m_server.accessTokenScope(m_server.lastIssuedAccessToken()).contains(QStringLiteral("outlook")));
    EXPECT_EQ(m_server.requestCount(Endpoint::Me), 1);
}

TEST_F(ConnectFlowTest, ConsentScopesGoToTheAuthorizationRequestOnlyAndWithoutDuplicates)
{
    // A consent scope that is also a sign-in scope is asked for once.
    Provider p = microsoft();
    p.consentScopes.prepend(QStringLiteral("offline_access"));
    p.consentScopes.append(QStringLiteral("https://outlook.office.com/SMTP.Send"));
    SessionWatch *watch = connectOnce(p);
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    const QStringList scope = m_server.authorizeRequests()
                                  .last()
                                  .queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded)
                                  .split(QLatin1Char(' '));
    EXPECT_EQ(scope.count(QStringLiteral("offline_access")), 1);
    EXPECT_EQ(scope.count(QStringLiteral("https://outlook.office.com/SMTP.Send")), 1);
    EXPECT_EQ(scope.size(), 9);

    // Google has no consent scopes: the authorization and token requests are as before (no
    // scope in the code redemption).
    m_server.setUser(bob());
    SessionWatch *g = connectOnce(google());
    ASSERT_EQ(g->successes, 1) << g->error.message.toStdString();
    EXPECT_EQ(m_server.authorizeRequests().last().queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded),
              QStringLiteral("openid email profile https://mail.google.com/"));
    EXPECT_FALSE(m_server.tokenRequests().last().contains(QStringLiteral("scope")));
}

TEST_F(ConnectFlowTest, OfflineAccessAtACustomProviderAsksForConsent)
{
    // OpenID Connect Core section 11: offline_access needs prompt=consent, or the server leaves
    // it out of the grant. Custom OpenID providers get it; a prompt of their own is kept.
    Provider example = custom(QStringLiteral("example"), kClient);
    example.clientSecret = kSecret;
    example.scopes = {QStringLiteral("openid"), QStringLiteral("email"), QStringLiteral("offline_access")};
    const auto prompts = [&] {
        return m_server.authorizeRequests().last().allQueryItemValues(QStringLiteral("prompt"), QUrl::FullyDecoded);
    };

    SessionWatch *watch = connectOnce(example);
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(prompts(), QStringList{QStringLiteral("consent")});

    example.extraAuthorizationParameters = {{QStringLiteral("prompt"), QStringLiteral("login")}};
    watch = connectOnce(example);
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(prompts(), QStringList{QStringLiteral("login consent")});

    // Without offline_access there is nothing to consent to ahead of time.
    example.extraAuthorizationParameters.clear();
    example.scopes.removeAll(QStringLiteral("offline_access"));
    watch = connectOnce(example);
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_TRUE(prompts().isEmpty());

    // Google (access_type=offline + its own prompt=consent) and Microsoft (select_account; it
    // issues refresh tokens for offline_access without a consent prompt) are left as they are.
    m_server.setUser(bob());
    watch = connectOnce(google());
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(prompts(), QStringList{QStringLiteral("consent")});
    watch = connectOnce(microsoft());
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(prompts(), QStringList{QStringLiteral("select_account")});
}

TEST_F(ConnectFlowTest, GoogleWithSecretNonceLoginHintAndUserinfo)
{
    m_server.setUser(bob());
    ConnectSession::Options o;
    o.loginHint = QStringLiteral("bob+tag@contoso.example"); // '+' must survive the URL
    SessionWatch *watch = connectOnce(google(), o);
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(watch->account.email, QStringLiteral("bob@contoso.example"));
    EXPECT_EQ(watch->account.provider, QStringLiteral("google"));
    EXPECT_EQ(watch->account.subject, QStringLiteral("sub-bob-0002"));

    const QUrlQuery authorize = m_server.authorizeRequests().last();
    EXPECT_EQ(authorize.queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded),
              QStringLiteral("bob+tag@contoso.example"));
    EXPECT_EQ(authorize.queryItemValue(QStringLiteral("access_type")), QStringLiteral("offline"));
    EXPECT_EQ(authorize.queryItemValue(QStringLiteral("prompt")), QStringLiteral("consent"));
    EXPECT_GE(authorize.queryItemValue(QStringLiteral("nonce")).size(), 43);
    const QUrl redirect(authorize.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
    EXPECT_EQ(redirect.host(), QStringLiteral("127.0.0.1"));
    // The confidential-looking desktop secret reached the server intact.
    EXPECT_TRUE(m_server.tokenRequests().last().value(QStringLiteral("client_secret")) == kGoogleSecret);
    EXPECT_EQ(m_server.requestCount(Endpoint::UserInfo), 1);
    EXPECT_EQ(accountCount(), 1);
}

// --- state ---------------------------------------------------------------------------------------

TEST_F(ConnectFlowTest, WrongStateIsRefusedAndTheRealCallbackStillWorks)
{
    QUrl genuine;
    m_pool->rewrite = [&](const QUrl &target) {
        if (target.port() == m_server.port())
            return target;
        genuine = target;
        const QString forged = QStringLiteral("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        return withQueryValue(target, "state", &forged);
    };
    auto [session, watch] = make(microsoft());
    session->start();
    ASSERT_TRUE(waitFor([&] { return !m_pool->browsers.isEmpty() && BrowserPool::done(m_pool->browsers.last()); }));
    EXPECT_EQ(m_pool->browsers.last()->lastStatus(), 400);
    EXPECT_EQ(watch->rejected, QList<Reason>{Reason::WrongState});
    EXPECT_EQ(watch->terminal(), 0);
    EXPECT_EQ(session->phase(), ConnectSession::Phase::WaitingForBrowser);
    EXPECT_TRUE(session->isListening());
    EXPECT_EQ(m_server.tokenRequests().size(), 0);

    m_pool->rewrite = nullptr;
    ASSERT_TRUE(genuine.isValid());
    m_pool->visit(genuine);
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
    EXPECT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(accountCount(), 1);
    EXPECT_TRUE(auditActions(*m_vault).contains(QStringLiteral("callback.rejected")));
}

TEST_F(ConnectFlowTest, MissingStateIsRefusedAndTheRealCallbackStillWorks)
{
    QUrl genuine;
    m_pool->rewrite = [&](const QUrl &target) {
        if (target.port() == m_server.port())
            return target;
        genuine = target;
        return withQueryValue(target, "state", nullptr);
    };
    auto [session, watch] = make(microsoft());
    session->start();
    ASSERT_TRUE(waitFor([&] { return !m_pool->browsers.isEmpty() && BrowserPool::done(m_pool->browsers.last()); }));
    EXPECT_EQ(m_pool->browsers.last()->lastStatus(), 400);
    EXPECT_EQ(watch->rejected, QList<Reason>{Reason::MissingState});
    EXPECT_EQ(watch->terminal(), 0);

    m_pool->rewrite = nullptr;
    m_pool->visit(genuine);
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
    EXPECT_EQ(watch->successes, 1) << watch->error.message.toStdString();
}

TEST_F(ConnectFlowTest, ForgedErrorWithoutStateIsIgnoredAndTheFlowKeepsWaiting)
{
    m_pool->hold = true;
    auto [session, watch] = make(microsoft());
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return !w->urls.isEmpty(); }));

    QUrl forged(session->redirectUri());
    forged.setQuery(QStringLiteral("error=access_denied&error_description=forged"));
    FakeBrowser *attacker = m_pool->visit(forged);
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(attacker); }));
    EXPECT_EQ(attacker->lastStatus(), 400);
    EXPECT_EQ(watch->rejected, QList<Reason>{Reason::MissingState});
    EXPECT_EQ(watch->terminal(), 0);
    EXPECT_TRUE(session->isListening());

    m_pool->visit(watch->urls.first());
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
    EXPECT_EQ(watch->successes, 1) << watch->error.message.toStdString();
}

TEST_F(ConnectFlowTest, ReplayedCallbackAfterSuccessIsRefused)
{
    SessionWatch *watch = connectOnce(microsoft());
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    const QUrl used = m_pool->browsers.first()->callbackUrl();
    ASSERT_TRUE(used.isValid());

    // Same listener: closed, nobody answers. The code is never redeemed twice.
    FakeBrowser *replay = m_pool->visit(used);
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(replay); }));
    EXPECT_EQ(replay->lastStatus(), 0);
    EXPECT_EQ(watch->successes, 1);
    EXPECT_EQ(m_server.tokenRequests().size(), 1);

    // Another attempt's listener refuses the used state as not its own.
    m_pool->hold = true;
    auto [second, watch2] = make(microsoft());
    second->start();
    ASSERT_TRUE(waitFor([w = watch2] { return !w->urls.isEmpty(); }));
    QUrl crossed = used;
    crossed.setPort(second->listenPort());
    FakeBrowser *cross = m_pool->visit(crossed);
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(cross); }));
    EXPECT_EQ(cross->lastStatus(), 400);
    EXPECT_EQ(watch2->rejected, QList<Reason>{Reason::WrongState});
    EXPECT_EQ(watch2->terminal(), 0);
    EXPECT_EQ(m_server.tokenRequests().size(), 1);
    second->cancel();
    EXPECT_EQ(accountCount(), 1);
}

// --- issuer (RFC 9207) ---------------------------------------------------------------------------

TEST_F(ConnectFlowTest, WrongIssuerEndsTheAttemptWithoutRedeemingTheCode)
{
    m_pool->rewrite = [&](const QUrl &target) {
        if (target.port() == m_server.port())
            return target;
        const QString evil = QStringLiteral("https://evil.example");
        return withQueryValue(target, "iss", &evil);
    };
    SessionWatch *watch = connectOnce(google());
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::Provider);
    EXPECT_TRUE(watch->error.message.contains(QStringLiteral("did not come from")));
    EXPECT_EQ(watch->rejected, QList<Reason>{Reason::WrongIssuer});
    EXPECT_EQ(m_server.tokenRequests().size(), 0);
    EXPECT_EQ(accountCount(), 0);
}

TEST_F(ConnectFlowTest, MicrosoftMultiTenantIssuerOutsideTheAuthorityIsRefused)
{
    // tenant "common": the issuer is not known in advance; the fake server's iss is not a
    // https://login.microsoftonline.com/<tenant>/v2.0 issuer.
    Provider p = microsoft();
    p.issuer.clear();
    SessionWatch *watch = connectOnce(p);
    ASSERT_EQ(watch->failures, 1);
    EXPECT_TRUE(watch->error.message.contains(QStringLiteral("did not come from")));
    EXPECT_EQ(watch->rejected, QList<Reason>{Reason::WrongIssuer});
    EXPECT_EQ(m_server.tokenRequests().size(), 0); // the flow never redeemed the code
    EXPECT_EQ(accountCount(), 0);
}

// --- expiry ----------------------------------------------------------------------------------------

TEST_F(ConnectFlowTest, ExpiresAfterTenMinutesAndALateCallbackIsRefused)
{
    m_pool->hold = true;
    ConnectSession::Options o;
    o.expiryCheckMs = 20;
    auto [session, watch] = make(microsoft(), o);
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return !w->urls.isEmpty(); }));
    const quint16 port = session->listenPort();

    m_clock.advance(9 * 60);
    QTest::qWait(100);
    EXPECT_EQ(watch->terminal(), 0);

    m_clock.advance(61);
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 5000));
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::Expired);
    EXPECT_EQ(watch->error.message,
              QStringLiteral("This sign-in took too long and has expired. Please connect again."));
    EXPECT_FALSE(session->isListening());
    EXPECT_FALSE(portAccepts(port));

    // The user comes back from the coffee break and finishes in the browser: refused.
    FakeBrowser *late = m_pool->visit(watch->urls.first());
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(late); }));
    EXPECT_EQ(late->lastStatus(), 0); // nobody listens any more
    EXPECT_EQ(m_server.tokenRequests().size(), 0);
    EXPECT_EQ(accountCount(), 0);
    EXPECT_EQ(auditActions(*m_vault).last(), QStringLiteral("connect.failed"));
}

TEST_F(ConnectFlowTest, CallbackAfterTheDeadlineShowsTheExpiredMessage)
{
    m_pool->hold = true;
    ConnectSession::Options o;
    o.expiryCheckMs = 3600 * 1000; // the listener's own deadline check catches it first
    auto [session, watch] = make(microsoft(), o);
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return !w->urls.isEmpty(); }));
    m_clock.advance(10 * 60 + 1);

    FakeBrowser *late = m_pool->visit(watch->urls.first());
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 10000));
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.message,
              QStringLiteral("This sign-in took too long and has expired. Please connect again."));
    EXPECT_EQ(watch->rejected, QList<Reason>{Reason::Expired});
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(late); }));
    EXPECT_TRUE(late->lastBody().contains("took too long"));
    EXPECT_EQ(m_server.tokenRequests().size(), 0);
    EXPECT_EQ(accountCount(), 0);
}

// --- token endpoint --------------------------------------------------------------------------------

TEST_F(ConnectFlowTest, TokenErrorBodiesBecomePlainMessagesAndNothingIsStored)
{
    struct Case {
        int status;
        const char *error;
        const char *description;
        ErrorCode code;
        const char *expectText;
        const char *expectHint;
    };
    const Case cases[] = {
        {400, "invalid_grant",
         "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.",
         ErrorCode::NeedsSignIn, "The sign-in has expired", "AADSTS70008"},
        {400, "invalid_request",
         "AADSTS50011: The redirect URI 'http://localhost:1234/x' specified in the request does not match.",
         ErrorCode::Config, "redirect address MailKey uses is not registered", "AADSTS50011"},
        {401, "invalid_client", "Client authentication failed.", ErrorCode::Config,
         "does not recognise the app's client ID", "invalid_client"},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(c.expectHint);
        m_server.setNextTokenError(c.status, QString::fromLatin1(c.error), QString::fromLatin1(c.description));
        SessionWatch *watch = connectOnce(microsoft());
        ASSERT_EQ(watch->failures, 1);
        EXPECT_EQ(watch->error.code, c.code);
        EXPECT_TRUE(watch->error.message.contains(QString::fromLatin1(c.expectText)))
            << watch->error.message.toStdString();
        EXPECT_TRUE(watch->error.message.contains(QString::fromLatin1(c.expectHint)))
            << watch->error.message.toStdString();
        EXPECT_EQ(accountCount(), 0);
    }
    EXPECT_EQ(auditActions(*m_vault).count(QStringLiteral("connect.failed")), 3);
    EXPECT_EQ(auditActions(*m_vault).count(QStringLiteral("tokens.issued")), 0);
}

TEST_F(ConnectFlowTest, HtmlOrMalformedTokenReplyIsAnErrorAndNothingIsStored)
{
    for (Fault::Kind kind : {Fault::HtmlBody, Fault::MalformedJson}) {
        SCOPED_TRACE(int(kind));
        Fault f;
        f.kind = kind;
        m_server.injectFault(Endpoint::Token, f);
        SessionWatch *watch = connectOnce(microsoft());
        ASSERT_EQ(watch->failures, 1);
        EXPECT_EQ(watch->error.code, ErrorCode::Provider);
        EXPECT_FALSE(watch->error.message.isEmpty());
        EXPECT_EQ(accountCount(), 0);
        EXPECT_EQ(m_server.requestCount(Endpoint::Me), 0);
    }
    // A dropped connection: a network error, nothing stored.
    Fault drop;
    drop.kind = Fault::DropConnection;
    m_server.injectFault(Endpoint::Token, drop);
    SessionWatch *watch = connectOnce(microsoft());
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::Network);
    EXPECT_EQ(accountCount(), 0);
}

TEST_F(ConnectFlowTest, AuthorizationErrorFromTheProvider)
{
    m_server.setNextAuthorizeError(QStringLiteral("access_denied"), QStringLiteral("The user declined to consent."));
    SessionWatch *watch = connectOnce(microsoft());
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::Cancelled);
    EXPECT_TRUE(watch->error.message.contains(QStringLiteral("declined")));
    EXPECT_EQ(m_server.tokenRequests().size(), 0);
    EXPECT_EQ(accountCount(), 0);
}

// --- which mailbox is it --------------------------------------------------------------------------

TEST_F(ConnectFlowTest, ProfileFetchIsRetriedOn503And429HonouringRetryAfter)
{
    Fault unavailable;
    unavailable.kind = Fault::ServerError;
    unavailable.httpStatus = 503;
    m_server.injectFault(Endpoint::Me, unavailable);
    Fault limited;
    limited.kind = Fault::RateLimited;
    limited.retryAfterSeconds = 1;
    m_server.injectFault(Endpoint::Me, limited);

    QElapsedTimer elapsed;
    elapsed.start();
    SessionWatch *watch = connectOnce(microsoft());
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(m_server.requestCount(Endpoint::Me), 3);
    EXPECT_GE(elapsed.elapsed(), 950); // Retry-After: 1 was honoured (back-off alone is ~50 ms)
    EXPECT_EQ(accountCount(), 1);
}

TEST_F(ConnectFlowTest, ProfileFetchGivesUpWithinItsBounds)
{
    Fault down;
    down.kind = Fault::ServerError;
    down.httpStatus = 502;
    down.count = -1;
    m_server.injectFault(Endpoint::Me, down);
    SessionWatch *watch = connectOnce(microsoft());
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::Network);
    EXPECT_EQ(m_server.requestCount(Endpoint::Me), RetryPolicy::fast().maxAttempts);
    EXPECT_EQ(accountCount(), 0);
    m_server.clearFaults();
}

TEST_F(ConnectFlowTest, Profile401IsReportedNotRetried)
{
    Fault unauthorized;
    unauthorized.kind = Fault::ServerError;
    unauthorized.httpStatus = 401;
    unauthorized.count = -1;
    m_server.injectFault(Endpoint::Me, unauthorized);
    SessionWatch *watch = connectOnce(microsoft());
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::NeedsSignIn);
    EXPECT_TRUE(watch->error.message.contains(QStringLiteral("HTTP 401")));
    EXPECT_EQ(m_server.requestCount(Endpoint::Me), 1);
    EXPECT_EQ(accountCount(), 0);
    m_server.clearFaults();
}

TEST_F(ConnectFlowTest, GraphMailNullFallsBackToUserPrincipalName)
{
    m_server.setUser({QStringLiteral("sub-upn-0003"), QString(), QStringLiteral("No Mail"),
                      QStringLiteral("nomail@contoso.onmicrosoft.com")});
    SessionWatch *watch = connectOnce(microsoft());
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(watch->account.email, QStringLiteral("nomail@contoso.onmicrosoft.com"));
    EXPECT_EQ(watch->account.displayName, QStringLiteral("No Mail"));
}

// --- storing --------------------------------------------------------------------------------------

TEST_F(ConnectFlowTest, SecondConnectOfTheSameAccountUpdatesInPlace)
{
    SessionWatch *first = connectOnce(microsoft());
    ASSERT_EQ(first->successes, 1) << first->error.message.toStdString();
    const QString firstAccess = m_server.lastIssuedAccessToken();

    SessionWatch *second = connectOnce(microsoft());
    ASSERT_EQ(second->successes, 1) << second->error.message.toStdString();
    EXPECT_FALSE(second->created);
    EXPECT_TRUE(second->message.contains(QStringLiteral("already connected; sign-in renewed")));
    EXPECT_EQ(second->account.id, first->account.id);
    EXPECT_EQ(accountCount(), 1);

    auto token = m_vault->token(first->account.id, QString::fromLatin1(DefaultResource));
    ASSERT_TRUE(token.ok() && token.value().has_value());
    EXPECT_TRUE(token.value()->accessToken.reveal() == m_server.lastIssuedAccessToken());
    EXPECT_FALSE(token.value()->accessToken.reveal() == firstAccess);
    EXPECT_TRUE(auditActions(*m_vault).contains(QStringLiteral("account.updated")));
}

// --- concurrency ----------------------------------------------------------------------------------

TEST_F(ConnectFlowTest, TwoProvidersAtOnceNeverCross)
{
    m_pool->hold = true;
    auto [ms, msWatch] = make(microsoft());
    auto [gg, ggWatch] = make(google());
    ms->start();
    gg->start();
    ASSERT_TRUE(waitFor([&] { return !msWatch->urls.isEmpty() && !ggWatch->urls.isEmpty(); }));
    EXPECT_NE(ms->listenPort(), gg->listenPort());
    EXPECT_FALSE(queryValue(msWatch->urls.first(), "state") == queryValue(ggWatch->urls.first(), "state"));
    EXPECT_FALSE(queryValue(msWatch->urls.first(), "code_challenge")
                 == queryValue(ggWatch->urls.first(), "code_challenge"));

    // Google first (as bob), then Microsoft (as alice).
    m_server.setUser(bob());
    FakeBrowser *b1 = m_pool->visit(ggWatch->urls.first());
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(b1); }));
    m_server.setUser(alice());
    m_pool->visit(msWatch->urls.first());
    ASSERT_TRUE(waitFor([&] { return msWatch->terminal() > 0 && ggWatch->terminal() > 0; }, 20000));
    ASSERT_EQ(msWatch->successes, 1) << msWatch->error.message.toStdString();
    ASSERT_EQ(ggWatch->successes, 1) << ggWatch->error.message.toStdString();
    EXPECT_EQ(msWatch->account.email, QStringLiteral("alice@example.com"));
    EXPECT_EQ(msWatch->account.provider, QStringLiteral("microsoft"));
    EXPECT_EQ(ggWatch->account.email, QStringLiteral("bob@contoso.example"));
    EXPECT_EQ(ggWatch->account.provider, QStringLiteral("google"));
    EXPECT_TRUE(msWatch->rejected.isEmpty());
    EXPECT_TRUE(ggWatch->rejected.isEmpty());
    EXPECT_EQ(accountCount(), 2);
}

TEST_F(ConnectFlowTest, SameProviderTwiceAtOnceNeverCross)
{
    m_pool->hold = true;
    auto [s1, w1] = make(microsoft());
    auto [s2, w2] = make(microsoft());
    s1->start();
    s2->start();
    ASSERT_TRUE(waitFor([&] { return !w1->urls.isEmpty() && !w2->urls.isEmpty(); }));
    ASSERT_NE(s1->listenPort(), s2->listenPort());

    // Attempt 1's answer (alice) is first delivered to attempt 2's listener: refused there.
    QUrl genuine;
    m_pool->rewrite = [&](const QUrl &target) {
        if (target.port() == m_server.port())
            return target;
        genuine = target;
        QUrl crossed = target;
        crossed.setPort(s2->listenPort());
        return crossed;
    };
    m_server.setUser(alice());
    FakeBrowser *crossing = m_pool->visit(w1->urls.first());
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(crossing); }));
    EXPECT_EQ(crossing->lastStatus(), 400);
    EXPECT_EQ(w2->rejected, QList<Reason>{Reason::WrongState});
    EXPECT_EQ(w1->terminal() + w2->terminal(), 0);

    // Then to its own listener: attempt 1 completes; attempt 2 still waits and completes as bob.
    m_pool->rewrite = nullptr;
    m_pool->visit(genuine);
    ASSERT_TRUE(waitFor([&] { return w1->terminal() > 0; }, 20000));
    ASSERT_EQ(w1->successes, 1) << w1->error.message.toStdString();
    EXPECT_EQ(w1->account.email, QStringLiteral("alice@example.com"));
    EXPECT_EQ(w2->terminal(), 0);

    m_server.setUser(bob());
    m_pool->visit(w2->urls.first());
    ASSERT_TRUE(waitFor([&] { return w2->terminal() > 0; }, 20000));
    ASSERT_EQ(w2->successes, 1) << w2->error.message.toStdString();
    EXPECT_EQ(w2->account.email, QStringLiteral("bob@contoso.example"));
    EXPECT_NE(w1->account.id, w2->account.id);
    EXPECT_EQ(accountCount(), 2);
}

// --- cancel ---------------------------------------------------------------------------------------

TEST_F(ConnectFlowTest, CancelClosesTheListenerAtOnce)
{
    m_pool->hold = true;
    auto [session, watch] = make(microsoft());
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return !w->urls.isEmpty(); }));
    const quint16 port = session->listenPort();
    ASSERT_NE(port, 0);
    EXPECT_TRUE(session->isListening());
    EXPECT_TRUE(portAccepts(port));

    session->cancel();
    EXPECT_EQ(watch->cancels, 1);
    EXPECT_EQ(watch->finishes, 1);
    EXPECT_EQ(session->phase(), ConnectSession::Phase::Cancelled);
    EXPECT_FALSE(session->isListening());
    EXPECT_FALSE(portAccepts(port));
    session->cancel(); // idempotent
    EXPECT_EQ(watch->cancels, 1);

    FakeBrowser *late = m_pool->visit(watch->urls.first());
    ASSERT_TRUE(waitFor([&] { return BrowserPool::done(late); }));
    EXPECT_EQ(late->lastStatus(), 0);
    EXPECT_EQ(m_server.tokenRequests().size(), 0);
    EXPECT_EQ(accountCount(), 0);
    EXPECT_EQ(auditActions(*m_vault).last(), QStringLiteral("connect.cancelled"));
}

// --- custom providers -----------------------------------------------------------------------------

TEST_F(ConnectFlowTest, CustomProviderFromProvidersJson)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("providers.json"));
    const QString base = m_server.issuer();
    QFile f(path);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral(
                R"({"providers": [
                 {"id": "example", "name": "Example Mail", "issuer": "%1",
                  "authorization_endpoint": "%1/authorize", "token_endpoint": "%1/token",
                  "userinfo_endpoint": "%1/userinfo", "client_id": "%2", "client_secret": "%3",
                  "scopes": ["openid", "email", "offline_access"],
                  "redirect_host": "127.0.0.1", "redirect_path": "/oauth/example"},
                 {"id": "discovered", "name": "Discovered", "issuer": "%1", "client_id": "%2",
                  "client_secret": "%3"}]})")
                .arg(base, kClient, kSecret)
                .toUtf8());
    f.close();

    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    ASSERT_TRUE(registry.loadCustomProviders(path).ok());
    EXPECT_TRUE(registry.problems().isEmpty());

    Result<Provider> example = registry.providerForSignIn(QStringLiteral("example"));
    ASSERT_TRUE(example.ok()) << example.error().message.toStdString();
    SessionWatch *watch = connectOnce(example.value());
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(watch->account.provider, QStringLiteral("example"));
    EXPECT_EQ(watch->account.email, QStringLiteral("alice@example.com"));
    EXPECT_EQ(
        QUrl(m_server.authorizeRequests().last().queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded))
            .path(),
        QStringLiteral("/oauth/example"));

    // Only an issuer: the endpoints come from OpenID discovery first.
    Result<Provider> discovered = registry.providerForSignIn(QStringLiteral("discovered"));
    ASSERT_TRUE(discovered.ok()) << discovered.error().message.toStdString();
    ASSERT_TRUE(discovered->needsDiscovery);
    m_server.setUser(bob());
    auto [session, watch2] = make(discovered.value());
    QSignalSpy found(session, &ConnectSession::providerDiscovered);
    session->start();
    ASSERT_TRUE(waitFor([w = watch2] { return w->terminal() > 0; }, 20000));
    ASSERT_EQ(watch2->successes, 1) << watch2->error.message.toStdString();
    EXPECT_EQ(found.count(), 1);
    EXPECT_EQ(watch2->account.provider, QStringLiteral("discovered"));
    EXPECT_EQ(watch2->account.email, QStringLiteral("bob@contoso.example"));
    EXPECT_EQ(accountCount(), 2);
}

TEST_F(ConnectFlowTest, MissingClientIdSaysHowToRegister)
{
    Provider p = microsoft();
    p.clientId.clear();
    SessionWatch *watch = connectOnce(p);
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::Config);
    EXPECT_TRUE(watch->error.message.contains(QStringLiteral("http://localhost")))
        << watch->error.message.toStdString();
    EXPECT_TRUE(m_pool->opened.isEmpty());
}

TEST_F(ConnectFlowTest, NoBrowserOptionOnlyEmitsTheUrl)
{
    ConnectSession::Options o;
    o.openBrowser = false;
    auto [session, watch] = make(microsoft(), o);
    session->start();
    ASSERT_TRUE(waitFor([w = watch] { return !w->urls.isEmpty(); }));
    EXPECT_TRUE(m_pool->opened.isEmpty());
    m_pool->visit(watch->urls.first()); // the user pasted it into a browser
    ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
    EXPECT_EQ(watch->successes, 1) << watch->error.message.toStdString();
}

TEST_F(ConnectFlowTest, WhenNoBrowserOpensTheUrlIsStillOfferedAndTheSignInStillWorks)
{
    // No desktop (no opener) or an opener that fails: the attempt keeps waiting with the URL
    // offered (the window's panel copies it), and finishes when the user pastes it by hand.
    for (const bool withFailingOpener : {false, true}) {
        SCOPED_TRACE(withFailingOpener ? "failing opener" : "no opener");
        int calls = 0;
        ConnectSession::Options o;
        o.urlOpener = [&calls](const QUrl &) {
            ++calls;
            return false;
        };
        auto [session, watch] = make(microsoft(), o);
        if (!withFailingOpener) {
            ConnectSession::Options none = session->options();
            none.urlOpener = nullptr;
            session->setOptions(none);
        }
        session->start();
        ASSERT_TRUE(waitFor([w = watch] { return !w->urls.isEmpty(); }));
        EXPECT_EQ(calls, withFailingOpener ? 1 : 0);
        EXPECT_EQ(session->phase(), ConnectSession::Phase::WaitingForBrowser);
        EXPECT_TRUE(m_pool->opened.isEmpty());
        m_pool->visit(watch->urls.first());
        ASSERT_TRUE(waitFor([w = watch] { return w->terminal() > 0; }, 20000));
        EXPECT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    }
}

TEST_F(ConnectFlowTest, PublicClientSendsNoSecret)
{
    // A custom provider without "openid": who signed in comes from userinfo alone.
    Provider p = custom(QStringLiteral("plain"), kPublicClient);
    p.scopes = {QStringLiteral("email"), QStringLiteral("offline_access")};
    SessionWatch *watch = connectOnce(p);
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_EQ(watch->account.email, QStringLiteral("alice@example.com"));
    EXPECT_FALSE(m_server.tokenRequests().last().contains(QStringLiteral("client_secret")));
    EXPECT_TRUE(m_server.authorizeRequests().last().queryItemValue(QStringLiteral("nonce")).isEmpty());
    EXPECT_EQ(m_server.requestCount(Endpoint::UserInfo), 1);
}

TEST_F(ConnectFlowTest, MicrosoftAsAPublicClientConnects)
{
    // What MailKey really is at Microsoft: a public client, no secret, signed id_token.
    Provider p = microsoft();
    p.clientId = kPublicClient;
    p.clientSecret.clear();
    SessionWatch *watch = connectOnce(p);
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_FALSE(m_server.tokenRequests().last().contains(QStringLiteral("client_secret")));
    EXPECT_EQ(accountCount(), 1);
}

TEST_F(ConnectFlowTest, UnsignedIdTokenIsRefused)
{
    m_server.setUnsignedIdTokens(true); // "alg":"none"
    Provider p = microsoft();
    p.clientId = kPublicClient;
    p.clientSecret.clear();
    SessionWatch *watch = connectOnce(p);
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error.code, ErrorCode::Provider);
    EXPECT_TRUE(watch->error.message.contains(QStringLiteral("could not verify")));
    EXPECT_EQ(m_server.requestCount(Endpoint::Me), 0);
    EXPECT_EQ(accountCount(), 0);
}

TEST_F(ConnectFlowTest, NothingSecretInTheLog)
{
    // The whole flow with Qt's and MailKey's debug output switched on.
    QLoggingCategory::setFilterRules(QStringLiteral("mailkey.*.debug=true\nqt.networkauth*.debug=true"));
    SessionWatch *watch = connectOnce(google());
    QLoggingCategory::setFilterRules(QString());
    ASSERT_EQ(watch->successes, 1) << watch->error.message.toStdString();
    EXPECT_FALSE(test::capturedLog().isEmpty());
    // TearDown checks every issued / sent secret against the captured log.
}
