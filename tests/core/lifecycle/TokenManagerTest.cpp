// TokenManager against the strict fake server: hand-out, refresh, rotation (a reuse bug makes the
// server revoke the grant, so it fails these tests), per-resource tokens, single flight, failure
// classification, back-off, Retry-After and pacing. Token values are compared with
// EXPECT_TRUE(a == b) and never printed.
#include "core/lifecycle/TokenManager.h"
#include "core/lifecycle/AlertMonitor.h"
#include "tests/core/lifecycle/LifecycleFixture.h"
#include "tests/support/HttpTestServer.h"
#include "tests/support/TestUtil.h"

#include "core/providers/ProviderFile.h"

#include <QElapsedTimer>
#include <QNetworkProxy>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QThread>

#include <atomic>
#include <thread>

using namespace mailkey;
using namespace mailkey::test;
using Endpoint = FakeAuthServer::Endpoint;
using Fault = FakeAuthServer::Fault;

namespace {

// Waits for one accessToken() result.
Result<AccessToken> fetch(TokenManager &m, qint64 id, const QString &resource = QStringLiteral("default"),
                          int minValidity = 60, const QString &actor = QStringLiteral("test"))
{
    std::optional<Result<AccessToken>> result;
    m.accessToken(id, resource, minValidity, actor, [&](Result<AccessToken> r) { result.emplace(std::move(r)); });
    EXPECT_TRUE(waitFor([&] { return result.has_value(); }, 20000)) << "no answer";
    if (!result)
        return Error(ErrorCode::Internal, QStringLiteral("timeout"));
    return std::move(*result);
}

} // namespace

class TokenManagerTest : public LifecycleFixture {
protected:
    // The Microsoft provider's token endpoint on a port nobody listens on: connection refused
    // (closing the fake server would leave kept-alive connections open).
    void moveTokenEndpointToADeadPort()
    {
        QTcpServer probe;
        ASSERT_TRUE(probe.listen(QHostAddress(QHostAddress::LocalHost), 0));
        const quint16 deadPort = probe.serverPort();
        probe.close();
        Provider p = m_registry.provider(QString::fromLatin1(kMsProvider));
        p.tokenEndpoint = QUrl(QStringLiteral("http://127.0.0.1:%1/token").arg(deadPort));
        ProviderFile::Contents c;
        c.providers = {p};
        m_registry.setCustomProviders(c);
    }

    void SetUp() override
    {
        LifecycleFixture::SetUp();
        m_manager = std::make_unique<TokenManager>(m_vault, &m_registry, &m_nam, m_profile, &m_clock);
        TokenManager::Options o;
        o.lockRetryMs = 10;
        o.rateLimits = {100, 1000.0}; // pacing has its own tests
        m_manager->setOptions(o);
    }
    void TearDown() override
    {
        m_manager.reset();
        LifecycleFixture::TearDown();
    }
    // Every refresh token ever sent was sent once: the strict server would have revoked the grant
    // otherwise, and this also catches a client that resends one to a lenient server.
    void expectNoRefreshTokenReused()
    {
        QSet<QString> seen;
        for (const auto &req : m_server.tokenRequests()) {
            if (req.value(QStringLiteral("grant_type")) != QLatin1String("refresh_token"))
                continue;
            const QString rt = req.value(QStringLiteral("refresh_token"));
            EXPECT_FALSE(seen.contains(rt)) << "a refresh token was sent twice";
            seen.insert(rt);
        }
    }
    std::unique_ptr<TokenManager> m_manager;
};

TEST_F(TokenManagerTest, HandsOutAValidStoredTokenWithoutARefreshAndAuditsTheRequester)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    m_server.resetCounters();
    auto r = fetch(*m_manager, id, QStringLiteral("default"), 600, QStringLiteral("mutt"));
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_TRUE(r->token.reveal() == g.accessToken);
    EXPECT_FALSE(r->refreshed);
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 0);
    const auto handed = auditOf(QStringLiteral("token.handed-out"));
    ASSERT_EQ(handed.size(), 1);
    EXPECT_EQ(handed.first().actor, QStringLiteral("mutt"));
    EXPECT_EQ(handed.first().outcome, QStringLiteral("ok"));
    expectNotLogged({g.accessToken.toUtf8(), g.refreshToken.toUtf8()});
}

TEST_F(TokenManagerTest, RefreshesAnExpiringTokenAndCommitsTheRotatedRefreshTokenBeforeHandingOut)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    m_server.resetCounters();
    m_clock.advance(3600 - 30); // 30 s left; the caller wants 60

    // The vault must hold the new pair at the moment the caller receives the token.
    bool committedBeforeHandOut = false;
    std::optional<Result<AccessToken>> result;
    m_manager->accessToken(id, QStringLiteral("default"), 60, QStringLiteral("test"), [&](Result<AccessToken> r) {
        auto t = stored(id);
        committedBeforeHandOut = r.ok() && t && t->accessToken.reveal() == r->token.reveal()
                                 && t->refreshToken.reveal() == m_server.lastIssuedRefreshToken();
        result.emplace(std::move(r));
    });
    ASSERT_TRUE(waitFor([&] { return result.has_value(); }));
    ASSERT_TRUE(result->ok()) << result->error().message.toStdString();
    EXPECT_TRUE(committedBeforeHandOut);
    EXPECT_TRUE((*result)->refreshed);
    EXPECT_FALSE((*result)->token.reveal() == g.accessToken);
    EXPECT_TRUE(m_server.isAccessTokenValid((*result)->token.reveal()));
    EXPECT_EQ(m_server.refreshCount(), 1);

    auto t = stored(id);
    ASSERT_TRUE(t.has_value());
    EXPECT_FALSE(t->refreshToken.reveal() == g.refreshToken) << "the rotated refresh token is stored";
    EXPECT_TRUE(m_server.isRefreshTokenValid(t->refreshToken.reveal()));
    EXPECT_FALSE(m_server.isRefreshTokenValid(g.refreshToken));

    // The request: a form-encoded refresh_token grant of a public client, with the scopes.
    const auto req = m_server.tokenRequests().last();
    EXPECT_EQ(req.value(QStringLiteral("grant_type")), QStringLiteral("refresh_token"));
    EXPECT_EQ(req.value(QStringLiteral("client_id")), QString::fromLatin1(kClientId));
    EXPECT_EQ(req.value(QStringLiteral("scope")),
              m_registry.provider(QString::fromLatin1(kMsProvider)).scopes.join(QLatin1Char(' ')));
    EXPECT_FALSE(req.contains(QStringLiteral("client_secret")));
    EXPECT_FALSE(req.contains(QStringLiteral("redirect_uri")));

    // Three more rounds: each uses the newest refresh token. A reuse would revoke the grant.
    for (int round = 0; round < 3; ++round) {
        m_clock.advance(3600);
        auto again = fetch(*m_manager, id);
        ASSERT_TRUE(again.ok()) << "round " << round << ": " << again.error().message.toStdString();
        EXPECT_TRUE(again->refreshed);
    }
    EXPECT_EQ(m_server.refreshCount(), 4);
    EXPECT_TRUE(m_server.isGrantActive(QStringLiteral("ann@example.com")));
    expectNoRefreshTokenReused();
    EXPECT_EQ(auditOf(QStringLiteral("token.refreshed")).size(), 4);
    EXPECT_EQ(auditOf(QStringLiteral("token.rotated")).size(), 4);
    EXPECT_EQ(account(id).status, AccountStatus::Connected);
    expectNotLogged({g.accessToken.toUtf8(), g.refreshToken.toUtf8(), t->refreshToken.toUtf8().bytes()});
}

TEST_F(TokenManagerTest, AReuseBugWouldBeCaughtByTheStrictServer)
{
    // Positive control for the rotation tests: sending an old refresh token revokes the grant.
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    m_clock.advance(3600);
    ASSERT_TRUE(fetch(*m_manager, id).ok());
    // Put the old refresh token back, as a client that failed to store the rotation would have it.
    auto t = stored(id);
    ASSERT_TRUE(m_vault
                    ->commitRefresh(id, QStringLiteral("default"), t->accessToken, SecretString(g.refreshToken),
                                    m_clock.now().addSecs(-1), t->scopes, m_clock.now())
                    .ok());
    auto r = fetch(*m_manager, id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::NeedsSignIn);
    EXPECT_FALSE(m_server.isGrantActive(QStringLiteral("ann@example.com")));
    EXPECT_EQ(account(id).status, AccountStatus::NeedsSignIn);
}

TEST_F(TokenManagerTest, AReplyWithoutARefreshTokenKeepsTheOldOne)
{
    // A token endpoint with a reply the strict fake server never sends: no refresh_token.
    HttpTestServer scripted;
    ASSERT_TRUE(scripted.listen());
    scripted.on(
        "POST", QStringLiteral("/token"),
        HttpTestServer::Reply::json(
            200,
            R"({"access_token":"EwAnewaccess0123456789","token_type":"Bearer","expires_in":3600,"scope":"openid"})"));
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    // Point the provider at the scripted server.
    Provider p = m_registry.provider(QString::fromLatin1(kMsProvider));
    p.tokenEndpoint = scripted.url(QStringLiteral("/token"));
    ProviderFile::Contents c;
    c.providers = {p};
    m_registry.setCustomProviders(c);

    m_clock.advance(3600);
    auto r = fetch(*m_manager, id);
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_TRUE(r->token.reveal() == QStringLiteral("EwAnewaccess0123456789"));
    auto t = stored(id);
    EXPECT_TRUE(t->refreshToken.reveal() == g.refreshToken) << "no refresh_token in the reply: the old one stays";
    EXPECT_TRUE(t->accessToken.reveal() == QStringLiteral("EwAnewaccess0123456789"));
    EXPECT_TRUE(auditOf(QStringLiteral("token.rotated")).isEmpty());
    // The body was percent-encoded ('+' and '/' of the token survive).
    const QList<HttpRequest> requests = scripted.requests();
    ASSERT_EQ(requests.size(), 1);
    EXPECT_EQ(requests.first().method, QByteArray("POST"));
    EXPECT_EQ(requests.first().path, QStringLiteral("/token"));
    EXPECT_FALSE(requests.first().body.contains('+'));
    EXPECT_TRUE(requests.first().body.contains(QUrl::toPercentEncoding(g.refreshToken)));
}

TEST_F(TokenManagerTest, MintsAndStoresPerResourceTokensFromOneRefreshToken)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    auto imap = fetch(*m_manager, id, QStringLiteral("imap"));
    ASSERT_TRUE(imap.ok()) << imap.error().message.toStdString();
    EXPECT_TRUE(m_server.accessTokenScope(imap->token.reveal())
                    .contains(QLatin1String("https://outlook.office.com/IMAP.AccessAsUser.All")));
    EXPECT_EQ(m_server.tokenRequests().last().value(QStringLiteral("scope")),
              QStringLiteral("https://outlook.office.com/IMAP.AccessAsUser.All offline_access"));
    auto smtp = fetch(*m_manager, id, QStringLiteral("smtp"));
    ASSERT_TRUE(smtp.ok()) << smtp.error().message.toStdString();
    EXPECT_TRUE(m_server.accessTokenScope(smtp->token.reveal()).contains(QLatin1String("SMTP.Send")));

    // Stored per (account, resource); the default token is untouched, and every row carries the
    // current refresh token.
    auto def = stored(id);
    auto imapRow = stored(id, QStringLiteral("imap"));
    auto smtpRow = stored(id, QStringLiteral("smtp"));
    ASSERT_TRUE(def && imapRow && smtpRow);
    EXPECT_TRUE(def->accessToken.reveal() == g.accessToken);
    EXPECT_TRUE(imapRow->accessToken.reveal() == imap->token.reveal());
    EXPECT_TRUE(smtpRow->accessToken.reveal() == smtp->token.reveal());
    EXPECT_TRUE(def->refreshToken.reveal() == m_server.lastIssuedRefreshToken());
    EXPECT_TRUE(imapRow->refreshToken.reveal() == def->refreshToken.reveal());

    // A second call for imap is served from the vault.
    const int before = m_server.requestCount(Endpoint::Token);
    auto imap2 = fetch(*m_manager, id, QStringLiteral("imap"));
    ASSERT_TRUE(imap2.ok());
    EXPECT_TRUE(imap2->token.reveal() == imap->token.reveal());
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), before);

    // The default token refreshes with the rotated refresh token (no reuse).
    m_clock.advance(3600);
    ASSERT_TRUE(fetch(*m_manager, id).ok());
    expectNoRefreshTokenReused();
    // An unknown resource is refused without a request.
    auto bad = fetch(*m_manager, id, QStringLiteral("pop3"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
}

TEST_F(TokenManagerTest, ARefreshAsksForNoMoreThanTheUserGranted)
{
    // The user unticked "email" on the consent screen: the grant has openid and mail only, and a
    // refresh that names email is refused (RFC 6749 section 6). Google-kind: the refresh of the
    // sign-in scopes sends no scope at all, the narrower IMAP scope only what was granted.
    m_server.setDeclinedScopes({QStringLiteral("email")});
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kGoogleProvider), QStringLiteral("gail@gmail.example"), &g);
    EXPECT_EQ(g.scopes, (QStringList{QStringLiteral("openid"), QStringLiteral("https://mail.google.com/")}));
    m_clock.advance(3600);
    auto r = fetch(*m_manager, id);
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_TRUE(r->refreshed);
    EXPECT_FALSE(m_server.tokenRequests().last().contains(QStringLiteral("scope")));
    EXPECT_EQ(stored(id)->scopes, g.scopes) << "the grant is still what the user allowed";

    auto imap = fetch(*m_manager, id, QStringLiteral("imap"));
    ASSERT_TRUE(imap.ok()) << imap.error().message.toStdString();
    EXPECT_EQ(m_server.tokenRequests().last().value(QStringLiteral("scope")),
              QStringLiteral("https://mail.google.com/"));
    EXPECT_EQ(account(id).status, AccountStatus::Connected);
    expectNoRefreshTokenReused();
}

TEST_F(TokenManagerTest, AResourceWhoseScopeWasNotGrantedIsNotAskedFor)
{
    // The user unticked mail access: an IMAP token cannot be had from this grant. MailKey says so
    // without a request the provider would refuse, and the default token keeps working.
    m_server.setDeclinedScopes({QStringLiteral("https://mail.google.com/")});
    const qint64 id = connectAccount(QString::fromLatin1(kGoogleProvider), QStringLiteral("gail@gmail.example"));
    const int requests = m_server.requestCount(Endpoint::Token);
    auto imap = fetch(*m_manager, id, QStringLiteral("imap"));
    ASSERT_FALSE(imap.ok());
    EXPECT_EQ(imap.error().code, ErrorCode::NeedsSignIn);
    EXPECT_TRUE(imap.error().message.contains(QLatin1String("https://mail.google.com/")))
        << imap.error().message.toStdString();
    EXPECT_TRUE(imap.error().message.contains(QLatin1String("Sign in again"))) << imap.error().message.toStdString();
    EXPECT_FALSE(imap.error().message.contains(QLatin1String("settings"))) << imap.error().message.toStdString();
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), requests);
    m_clock.advance(3600);
    EXPECT_TRUE(fetch(*m_manager, id).ok());
}

TEST_F(TokenManagerTest, AnInvalidScopeAnswerToARefreshDoesNotBlameTheSettings)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_clock.advance(3600);
    m_server.setNextTokenError(400, QStringLiteral("invalid_scope"),
                               QStringLiteral("refresh token missing requested scope"));
    auto r = fetch(*m_manager, id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::NeedsSignIn);
    const QString reason = account(id).statusReason;
    EXPECT_EQ(account(id).status, AccountStatus::NeedsSignIn);
    EXPECT_FALSE(reason.contains(QLatin1String("provider settings"))) << reason.toStdString();
    EXPECT_TRUE(reason.contains(QLatin1String("granted at sign-in"))) << reason.toStdString();
    EXPECT_TRUE(reason.contains(QLatin1String("Sign in again"))) << reason.toStdString();
    EXPECT_TRUE(reason.contains(QLatin1String("refresh token missing requested scope"))) << reason.toStdString();
}

TEST_F(TokenManagerTest, ConcurrentCallersShareOneRefresh)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    m_clock.advance(3600);
    m_server.resetCounters();
    m_server.injectFault(Endpoint::Token, Fault{Fault::Delay, 1, 0, 1, 300});
    QSignalSpy started(m_manager.get(), &TokenManager::refreshStarted);
    QSignalSpy finished(m_manager.get(), &TokenManager::refreshFinished);

    std::vector<std::optional<Result<AccessToken>>> results(12);
    for (int i = 0; i < 8; ++i)
        m_manager->accessToken(id, QStringLiteral("default"), 60, QStringLiteral("caller"),
                               [&results, i](Result<AccessToken> r) { results[i].emplace(std::move(r)); });
    // Callers on other threads join the same flight.
    std::atomic<int> fromThreads{0};
    std::vector<std::thread> threads;
    for (int i = 8; i < 12; ++i) {
        threads.emplace_back([this, &results, &fromThreads, id, i] {
            m_manager->accessToken(id, QStringLiteral("default"), 60, QStringLiteral("thread"),
                                   [&results, &fromThreads, i](Result<AccessToken> r) {
                                       results[i].emplace(std::move(r));
                                       ++fromThreads;
                                   });
        });
    }
    for (auto &t : threads)
        t.join();
    ASSERT_TRUE(waitFor([&] {
        for (const auto &r : results) {
            if (!r)
                return false;
        }
        return true;
    }));
    for (int i = 0; i < 12; ++i) {
        ASSERT_TRUE(results[i]->ok()) << "caller " << i;
        EXPECT_TRUE((*results[i])->token.reveal() == (*results[0])->token.reveal())
            << "caller " << i << " got the shared result";
    }
    EXPECT_EQ(fromThreads.load(), 4);
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 1);
    EXPECT_EQ(m_server.refreshCount(), 1);
    EXPECT_EQ(started.count(), 1);
    ASSERT_EQ(finished.count(), 1);
    EXPECT_TRUE(finished.at(0).at(1).value<Status>().ok());
}

TEST_F(TokenManagerTest, DifferentResourcesOfOneAccountRefreshOneAfterTheOther)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_clock.advance(3600);
    m_server.injectFault(Endpoint::Token, Fault{Fault::Delay, 3, 0, 1, 150});
    std::optional<Result<AccessToken>> a, b, c;
    m_manager->accessToken(id, QStringLiteral("default"), 60, [&](Result<AccessToken> r) { a.emplace(std::move(r)); });
    m_manager->accessToken(id, QStringLiteral("imap"), 60, [&](Result<AccessToken> r) { b.emplace(std::move(r)); });
    m_manager->accessToken(id, QStringLiteral("smtp"), 60, [&](Result<AccessToken> r) { c.emplace(std::move(r)); });
    ASSERT_TRUE(waitFor([&] { return a && b && c; }));
    EXPECT_TRUE(a->ok() && b->ok() && c->ok()) << "parallel refreshes would have reused a refresh token";
    EXPECT_EQ(m_server.refreshCount(), 3);
    EXPECT_TRUE(m_server.isGrantActive(QStringLiteral("ann@example.com")));
    expectNoRefreshTokenReused();
}

TEST_F(TokenManagerTest, TwoManagersWithTheirOwnVaultConnectionsRefreshOnce)
{
    // Like two processes: separate vault connections, separate lock descriptors.
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    auto second = Vault::open(m_profile.databasePath(), m_key, Vault::OpenMode::OpenExisting);
    ASSERT_TRUE(second.ok());
    std::shared_ptr<Vault> vault2(std::move(second).value());
    QNetworkAccessManager nam2;
    nam2.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    TokenManager other(vault2, &m_registry, &nam2, m_profile, &m_clock);
    TokenManager::Options o = m_manager->options();
    other.setOptions(o);

    m_clock.advance(3600);
    m_server.resetCounters();
    m_server.injectFault(Endpoint::Token, Fault{Fault::Delay, 1, 0, 1, 400});
    std::optional<Result<AccessToken>> a, b;
    m_manager->accessToken(id, QStringLiteral("default"), 60, [&](Result<AccessToken> r) { a.emplace(std::move(r)); });
    other.accessToken(id, QStringLiteral("default"), 60, [&](Result<AccessToken> r) { b.emplace(std::move(r)); });
    ASSERT_TRUE(waitFor([&] { return a && b; }));
    ASSERT_TRUE(a->ok() && b->ok());
    EXPECT_TRUE((*a)->token.reveal() == (*b)->token.reveal()) << "the second re-read the vault after the lock";
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 1);
    EXPECT_EQ(m_server.refreshCount(), 1);
}

struct TransientCase {
    const char *name;
    Fault fault;
};

class TransientFailureTest : public TokenManagerTest, public ::testing::WithParamInterface<TransientCase> {};

TEST_P(TransientFailureTest, GoesOfflineKeepsTheTokensAndBacksOff)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    TokenManager::Options o = m_manager->options();
    o.transferTimeoutMs = 400; // for the hanging server case
    m_manager->setOptions(o);
    m_clock.advance(3600 - 10);
    m_server.resetCounters();
    m_server.injectFault(Endpoint::Token, GetParam().fault);
    QSignalSpy statusSpy(m_manager.get(), &TokenManager::accountStatusChanged);

    auto r = fetch(*m_manager, id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Network) << r.error().message.toStdString();
    const Account a = account(id);
    EXPECT_EQ(a.status, AccountStatus::Offline);
    // "Offline, will retry at …", or with no HTTP reply while the token is still valid (10 s here)
    // "Offline: MailKey could not reach the provider. The mailbox keeps working until …".
    EXPECT_TRUE(a.statusReason.startsWith(QLatin1String("Offline, will retry"))
                || a.statusReason.contains(QLatin1String("keeps working until")))
        << a.statusReason.toStdString();
    EXPECT_EQ(a.failureCount, 1);
    const qint64 wait = m_clock.now().secsTo(a.nextRefreshAt);
    EXPECT_GE(wait, 24);
    EXPECT_LE(wait, 36);
    EXPECT_GE(statusSpy.count(), 1);
    auto t = stored(id);
    EXPECT_TRUE(t->accessToken.reveal() == g.accessToken && t->refreshToken.reveal() == g.refreshToken)
        << "tokens kept";

    // No retry storm: callers during the back-off get the reason at once, without a request.
    const int requests = m_server.requestCount(Endpoint::Token);
    for (int i = 0; i < 5; ++i) {
        auto again = fetch(*m_manager, id);
        EXPECT_FALSE(again.ok());
        EXPECT_EQ(again.error().code, ErrorCode::Network);
    }
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), requests);

    // After the back-off it works again and the account recovers.
    m_server.clearFaults();
    m_clock.advance(wait + 1);
    auto later = fetch(*m_manager, id);
    ASSERT_TRUE(later.ok()) << later.error().message.toStdString();
    EXPECT_EQ(account(id).status, AccountStatus::Connected);
    EXPECT_EQ(account(id).failureCount, 0);
    const auto failed = auditOf(QStringLiteral("token.refreshed"));
    EXPECT_GE(failed.size(), 2);
}

INSTANTIATE_TEST_SUITE_P(Kinds, TransientFailureTest,
                         ::testing::Values(TransientCase{"http500", Fault{Fault::ServerError, 1, 500, 1, 0}},
                                           TransientCase{"http503", Fault{Fault::ServerError, 1, 503, 1, 0}},
                                           TransientCase{"http429", Fault{Fault::RateLimited, 1, 429, 1, 0}},
                                           TransientCase{"dropped", Fault{Fault::DropConnection, 1, 0, 1, 0}},
                                           TransientCase{"captivePortal", Fault{Fault::HtmlBody, 1, 200, 1, 0}},
                                           TransientCase{"truncatedJson", Fault{Fault::MalformedJson, 1, 200, 1, 0}},
                                           TransientCase{"timeout", Fault{Fault::Delay, 1, 0, 1, 3000}}),
                         [](const ::testing::TestParamInfo<TransientCase> &p) { return std::string(p.param.name); });

TEST_F(TokenManagerTest, ConnectionRefusedIsTransient)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_clock.advance(3600);
    moveTokenEndpointToADeadPort();
    auto r = fetch(*m_manager, id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Network);
    EXPECT_EQ(account(id).status, AccountStatus::Offline);
}

// Issue 16 point 5: a provider that cannot be reached while the access token is valid is no
// alarm: the reason says until when the mailbox works, the audit says what happened (not
// "HTTP 0"), and no "refreshes keep failing" alert comes until the token has expired.
TEST_F(TokenManagerTest, AnUnreachableProviderWhileTheTokenIsValidIsNoAlarm)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    moveTokenEndpointToADeadPort();
    QSignalSpy alerts(m_manager->alerts(), &AlertMonitor::alertRaised);
    for (int i = 1; i <= 5; ++i) {
        std::optional<Status> s;
        m_manager->refreshNow(id, QStringLiteral("default"), [&](Status st) { s.emplace(st); });
        ASSERT_TRUE(waitFor([&] { return s.has_value(); }));
        ASSERT_FALSE(s->ok());
        EXPECT_EQ(s->error().code, ErrorCode::Network);
        EXPECT_TRUE(s->error().message.contains(QStringLiteral("keeps working until")))
            << s->error().message.toStdString();
    }
    EXPECT_EQ(account(id).status, AccountStatus::Offline);
    EXPECT_EQ(alerts.count(), 0);
    const auto failed = auditOf(QStringLiteral("token.refreshed"));
    ASSERT_FALSE(failed.isEmpty());
    for (const AuditEntry &e : failed) {
        if (e.outcome != QStringLiteral("failed"))
            continue;
        EXPECT_FALSE(e.detail.contains(QStringLiteral("HTTP 0"))) << e.detail.toStdString();
        EXPECT_TRUE(e.detail.contains(QStringLiteral("could not reach the provider"))) << e.detail.toStdString();
    }
    // The token has expired: the next failure is an alarm (the streak of failures is long).
    m_clock.advance(3600);
    std::optional<Status> s;
    m_manager->refreshNow(id, QStringLiteral("default"), [&](Status st) { s.emplace(st); });
    ASSERT_TRUE(waitFor([&] { return s.has_value(); }));
    EXPECT_FALSE(s->error().message.contains(QStringLiteral("keeps working"))) << s->error().message.toStdString();
    EXPECT_EQ(alerts.count(), 1);
}

struct PermanentCase {
    const char *name;
    const char *error;
    const char *description;
};

class PermanentFailureTest : public TokenManagerTest, public ::testing::WithParamInterface<PermanentCase> {};

TEST_P(PermanentFailureTest, NeedsSignInWithAReasonAndNoMoreAutomaticRetries)
{
    Grant g;
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"), &g);
    m_clock.advance(3600);
    m_server.resetCounters();
    if (QByteArray(GetParam().error) == "revoked")
        m_server.revokeAllGrants();
    else
        m_server.setNextTokenError(400, QString::fromLatin1(GetParam().error),
                                   QString::fromLatin1(GetParam().description), 1);

    auto r = fetch(*m_manager, id);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::NeedsSignIn);
    const Account a = account(id);
    EXPECT_EQ(a.status, AccountStatus::NeedsSignIn);
    EXPECT_FALSE(a.statusReason.isEmpty());
    EXPECT_TRUE(a.statusReason.contains(QLatin1String("Sign in again"), Qt::CaseInsensitive)
                || a.statusReason.contains(QLatin1String("sign in", Qt::CaseInsensitive)))
        << a.statusReason.toStdString();
    EXPECT_FALSE(a.nextRefreshAt.isValid()) << "nothing scheduled";

    // No more automatic attempts, even much later and even on explicit requests of programs.
    m_clock.advance(7 * 24 * 3600);
    const int requests = m_server.requestCount(Endpoint::Token);
    EXPECT_FALSE(fetch(*m_manager, id).ok());
    std::optional<Status> scheduled;
    m_manager->refreshScheduled(id, QStringLiteral("default"), [&](Status s) { scheduled.emplace(s); });
    ASSERT_TRUE(waitFor([&] { return scheduled.has_value(); }));
    EXPECT_FALSE(scheduled->ok());
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), requests);
    const auto audit = auditOf(QStringLiteral("token.refreshed"));
    ASSERT_FALSE(audit.isEmpty());
    EXPECT_EQ(audit.first().outcome, QStringLiteral("failed"));

    // Reconnecting (a new sign-in) brings it back.
    m_server.clearFaults();
    const qint64 again = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    EXPECT_EQ(again, id) << "the account is kept";
    m_clock.advance(3600);
    auto ok = fetch(*m_manager, id);
    EXPECT_TRUE(ok.ok()) << ok.error().message.toStdString();
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, PermanentFailureTest,
    ::testing::Values(PermanentCase{"invalidGrant", "invalid_grant",
                                    "AADSTS70008: The refresh token has expired due to inactivity."},
                      PermanentCase{"invalidGrantUnknownToken", "invalid_grant", "AADSTS9002313: Invalid request."},
                      PermanentCase{"interactionRequired", "interaction_required", "AADSTS50076: MFA required."},
                      PermanentCase{"consentRequired", "consent_required", "AADSTS65001: The user has not consented."},
                      PermanentCase{"invalidScope", "invalid_scope",
                                    "AADSTS70011: The provided value for the input parameter 'scope' is not valid."},
                      PermanentCase{"revoked", "revoked", ""}),
    [](const ::testing::TestParamInfo<PermanentCase> &p) { return std::string(p.param.name); });

TEST_F(TokenManagerTest, BackoffSequenceIsBoundedAndEachDueTimeCostsOneRequest)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    TokenManager::Options o = m_manager->options();
    o.backoff.jitter = 0; // exact sequence
    m_manager->setOptions(o);
    m_clock.advance(3600);
    m_server.resetCounters();
    m_server.injectFault(Endpoint::Token, Fault{Fault::ServerError, -1, 503, 1, 0});
    QSignalSpy alerts(m_manager->alerts(), &AlertMonitor::alertRaised);

    const QList<qint64> expected = {30, 60, 120, 240, 480, 960, 1800, 1800, 1800, 1800};
    for (int i = 0; i < expected.size(); ++i) {
        std::optional<Status> s;
        m_manager->refreshScheduled(id, QStringLiteral("default"), [&](Status st) { s.emplace(st); });
        ASSERT_TRUE(waitFor([&] { return s.has_value(); }));
        EXPECT_FALSE(s->ok());
        const Account a = account(id);
        EXPECT_EQ(a.failureCount, i + 1);
        EXPECT_EQ(m_clock.now().secsTo(a.nextRefreshAt), expected.at(i)) << "failure " << (i + 1);
        EXPECT_EQ(m_server.requestCount(Endpoint::Token), i + 1) << "exactly one request per attempt";
        // The 4th consecutive failure raises the alert, not the 3rd.
        EXPECT_EQ(alerts.count(), i + 1 >= 4 ? 1 : 0) << "failure " << (i + 1);
        // Asking before the due time sends nothing.
        EXPECT_FALSE(fetch(*m_manager, id).ok());
        EXPECT_EQ(m_server.requestCount(Endpoint::Token), i + 1);
        m_clock.set(a.nextRefreshAt);
    }
    EXPECT_EQ(account(id).status, AccountStatus::Offline);
}

TEST_F(TokenManagerTest, RetryAfterIsHonouredForEveryAccountOfThatProvider)
{
    const qint64 a = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    const qint64 b = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("bob@example.com"));
    m_clock.advance(3600);
    m_server.resetCounters();
    m_server.injectFault(Endpoint::Token, Fault{Fault::RateLimited, 1, 429, 300, 0});
    auto r = fetch(*m_manager, a);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Network);
    EXPECT_GE(m_clock.now().secsTo(account(a).nextRefreshAt), 300) << "Retry-After beats the 30 s back-off";
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 1);

    // The other account, even a forced refresh, waits for the provider's time.
    EXPECT_FALSE(fetch(*m_manager, b).ok());
    std::optional<Status> forced;
    m_manager->refreshNow(b, QStringLiteral("default"), [&](Status s) { forced.emplace(s); });
    ASSERT_TRUE(waitFor([&] { return forced.has_value(); }));
    EXPECT_FALSE(forced->ok());
    m_clock.advance(299);
    EXPECT_FALSE(fetch(*m_manager, b).ok());
    EXPECT_EQ(m_server.requestCount(Endpoint::Token), 1) << "nothing sent before Retry-After";
    m_clock.advance(2);
    m_manager->refreshNow(b); // the user insists: the back-off of b is skipped, Retry-After has passed
    auto ok = fetch(*m_manager, a);
    EXPECT_TRUE(ok.ok()) << ok.error().message.toStdString();
    ASSERT_TRUE(waitFor([&] { return account(b).status == AccountStatus::Connected && m_server.refreshCount() == 2; }));
}

TEST_F(TokenManagerTest, TheTokenBucketLimitsBursts)
{
    TokenManager::Options o = m_manager->options();
    o.rateLimits = {2, 10.0}; // 2 at once, then one per 100 ms
    m_manager->setOptions(o);
    QList<qint64> ids;
    for (int i = 0; i < 6; ++i)
        ids.append(connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("user%1@example.com").arg(i)));
    m_clock.advance(3600);
    m_server.resetCounters();
    QElapsedTimer timer;
    QList<qint64> arrivals;
    QObject receiver;
    QObject::connect(&m_server, &FakeAuthServer::requestHandled, &receiver,
                     [&](const QString &, const QString &path, int) {
                         if (path == QLatin1String("/token"))
                             arrivals.append(timer.elapsed());
                     });
    timer.start();
    int done = 0;
    for (qint64 id : ids)
        m_manager->accessToken(id, QStringLiteral("default"), 60, [&](Result<AccessToken> r) {
            EXPECT_TRUE(r.ok());
            ++done;
        });
    ASSERT_TRUE(waitFor([&] { return done == 6; }));
    ASSERT_EQ(arrivals.size(), 6);
    std::sort(arrivals.begin(), arrivals.end());
    // 2 immediately, then 4 more at 100 ms intervals: the last cannot be earlier than ~400 ms.
    EXPECT_GE(arrivals.last() - arrivals.first(), 350);
    EXPECT_LT(arrivals.at(1) - arrivals.first(), 90) << "the burst goes out at once";
}

TEST_F(TokenManagerTest, AlertAfterTheFourthConsecutiveRefreshFailure)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    QSignalSpy alerts(m_manager->alerts(), &AlertMonitor::alertRaised);
    m_server.injectFault(Endpoint::Token, Fault{Fault::ServerError, -1, 500, 1, 0});
    m_clock.advance(3600);
    for (int i = 1; i <= 4; ++i) {
        std::optional<Status> s;
        m_manager->refreshNow(id, QStringLiteral("default"), [&](Status st) { s.emplace(st); });
        ASSERT_TRUE(waitFor([&] { return s.has_value(); }));
        EXPECT_EQ(alerts.count(), i == 4 ? 1 : 0) << "failure " << i;
    }
    EXPECT_EQ(auditOf(QStringLiteral("alert.refresh-failures")).size(), 1);
}

TEST_F(TokenManagerTest, CancelledCallersAreToldSo)
{
    const qint64 id = connectAccount(QString::fromLatin1(kMsProvider), QStringLiteral("ann@example.com"));
    m_clock.advance(3600);
    m_server.injectFault(Endpoint::Token, Fault{Fault::Delay, 1, 0, 1, 2000});
    std::optional<Result<AccessToken>> r;
    m_manager->accessToken(id, QStringLiteral("default"), 60, [&](Result<AccessToken> x) { r.emplace(std::move(x)); });
    ASSERT_TRUE(waitFor([&] { return m_manager->activeRefreshCount() == 1; }));
    m_manager->cancelAccount(id);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->error().code, ErrorCode::Cancelled);
    EXPECT_FALSE(m_manager->isRefreshing(id));
}
