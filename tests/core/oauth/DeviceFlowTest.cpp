// The device authorization grant (RFC 8628) against the strict fake authorization server: the
// user on "the other device" is scripted by FakeAuthServer::setDeviceFlow (pending polls,
// slow_down, denial, expiry), polling runs on real timers scaled down (intervalScale), and a
// finished sign-in goes through ConnectSession into a real SQLCipher vault keyed from a real
// Secret Service (KEYRING), like a browser sign-in: profile, storage, duplicate check, audit.
//
// Secrets (device code, tokens, client secret) are never printed, and every test ends by
// checking that none of them reached the captured Qt log.
#include "core/common/Clock.h"
#include "core/keychain/KeyStore.h"
#include "core/oauth/ConnectSession.h"
#include "core/oauth/DeviceAuthorization.h"
#include "core/service/VaultConnectionStore.h"
#include "core/vault/Vault.h"
#include "tests/support/TestUtil.h"
#include "tests/support/VaultTestUtil.h"
#include "tests/support/fakeidp/FakeAuthServer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>
#include <optional>

using namespace mailkey;
using mailkey::test::auditActions;
using mailkey::test::FakeAuthServer;
using mailkey::test::waitFor;
using Endpoint = FakeAuthServer::Endpoint;

namespace {

const QString kClient = QStringLiteral("mailkey-device-client");
const QString kSecret = QStringLiteral("device-client+secret/value");
const QString kEmail = QStringLiteral("alice@example.com");

// Every wait of the client is 1/100 of what the server asked (5 s -> 50 ms).
constexpr double kScale = 0.01;

// Records what one DeviceAuthorization emitted.
struct DeviceWatch {
    explicit DeviceWatch(DeviceAuthorization *d)
    {
        QObject::connect(d, &DeviceAuthorization::promptReady, d, [this](const DeviceCodePrompt &p) { prompt = p; });
        QObject::connect(d, &DeviceAuthorization::pending, d,
                         [this](int, int interval) { pendingIntervals.append(interval); });
        QObject::connect(d, &DeviceAuthorization::tokensReady, d, [this] { ++successes; });
        QObject::connect(d, &DeviceAuthorization::failed, d, [this](const Error &e, const QString &) {
            error = e;
            ++failures;
        });
    }
    int terminal() const { return successes + failures; }

    std::optional<DeviceCodePrompt> prompt;
    QList<int> pendingIntervals;
    std::optional<Error> error;
    int successes = 0;
    int failures = 0;
};

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject validReply()
{
    return QJsonObject{{QStringLiteral("device_code"), QStringLiteral("dc-secret")},
                       {QStringLiteral("user_code"), QStringLiteral("WDJB-MJHT")},
                       {QStringLiteral("verification_uri"), QStringLiteral("https://example.com/device")},
                       {QStringLiteral("expires_in"), 900}};
}

int intervalFor(const QJsonValue &interval)
{
    QJsonObject o = validReply();
    if (!interval.isUndefined())
        o.insert(QStringLiteral("interval"), interval);
    Result<DeviceAuthorizationReply> r
        = DeviceAuthorization::parseReply(200, "application/json", json(o), QDateTime::currentDateTimeUtc());
    return r ? r->prompt.intervalSeconds : -1;
}

} // namespace

// --- parsing without sockets -------------------------------------------------------------------

TEST(DeviceReplyParse, AcceptsBothVerificationFieldNamesAndTheCompleteUri)
{
    QJsonObject o = validReply();
    o.insert(QStringLiteral("verification_uri_complete"), QStringLiteral("https://example.com/device?code=WDJB-MJHT"));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Result<DeviceAuthorizationReply> r = DeviceAuthorization::parseReply(200, "application/json", json(o), now);
    ASSERT_TRUE(r.ok()) << r.error().message.toStdString();
    EXPECT_EQ(r->prompt.userCode, QStringLiteral("WDJB-MJHT"));
    EXPECT_EQ(r->prompt.verificationUri, QUrl(QStringLiteral("https://example.com/device")));
    EXPECT_EQ(r->prompt.verificationUriComplete, QUrl(QStringLiteral("https://example.com/device?code=WDJB-MJHT")));
    EXPECT_EQ(r->prompt.expiresAt, now.addSecs(900));
    EXPECT_TRUE(r->deviceCode.equals(QStringLiteral("dc-secret")));

    // Google's (pre-RFC) name.
    QJsonObject g = validReply();
    g.remove(QStringLiteral("verification_uri"));
    g.insert(QStringLiteral("verification_url"), QStringLiteral("https://www.google.com/device"));
    Result<DeviceAuthorizationReply> rg = DeviceAuthorization::parseReply(200, "application/json", json(g), now);
    ASSERT_TRUE(rg.ok());
    EXPECT_EQ(rg->prompt.verificationUri, QUrl(QStringLiteral("https://www.google.com/device")));
    EXPECT_TRUE(rg->prompt.verificationUriComplete.isEmpty());
}

TEST(DeviceReplyParse, IntervalIsClamped)
{
    EXPECT_EQ(intervalFor(QJsonValue(QJsonValue::Undefined)), 5); // RFC 8628 default
    EXPECT_EQ(intervalFor(7), 7);
    EXPECT_EQ(intervalFor(QStringLiteral("7")), 7);
    EXPECT_EQ(intervalFor(0), 5); // zero would hammer the server
    EXPECT_EQ(intervalFor(-3), 5);
    EXPECT_EQ(intervalFor(2.5), 5); // not a whole number
    EXPECT_EQ(intervalFor(QStringLiteral("soon")), 5);
    EXPECT_EQ(intervalFor(1e9), 60); // would outlive the code
    EXPECT_EQ(intervalFor(61), 60);
    EXPECT_EQ(intervalFor(60), 60);
}

TEST(DeviceReplyParse, RefusesRepliesMissingWhatTheUserNeeds)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const char *field : {"device_code", "user_code", "verification_uri"}) {
        QJsonObject o = validReply();
        o.remove(QString::fromLatin1(field));
        Result<DeviceAuthorizationReply> r = DeviceAuthorization::parseReply(200, "application/json", json(o), now);
        EXPECT_FALSE(r.ok()) << field;
    }
    // A plain-http verification address off loopback is not shown to the user.
    QJsonObject o = validReply();
    o.insert(QStringLiteral("verification_uri"), QStringLiteral("http://evil.example/device"));
    EXPECT_FALSE(DeviceAuthorization::parseReply(200, "application/json", json(o), now).ok());
    // An error reply is described for the device flow.
    Result<DeviceAuthorizationReply> e
        = DeviceAuthorization::parseReply(400, "application/json", R"({"error":"unauthorized_client"})", now);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, ErrorCode::Config);
    EXPECT_TRUE(e.error().message.contains(QLatin1String("Allow public client flows")))
        << e.error().message.toStdString();
}

TEST(DeviceReplyParse, GoogleIsRefusedWithTheReasonAndWhatToDo)
{
    const std::optional<Error> why = DeviceAuthorization::unavailableReason(Provider::google());
    ASSERT_TRUE(why.has_value());
    EXPECT_EQ(why->code, ErrorCode::Config);
    EXPECT_TRUE(why->message.contains(QLatin1String("https://mail.google.com/")));
    EXPECT_TRUE(why->message.contains(QLatin1String("mailkey-cli export")));
    EXPECT_TRUE(why->message.contains(QLatin1String("mailkey-cli import")));
    // Microsoft: the tenant's /devicecode.
    const Provider ms = Provider::microsoft(QStringLiteral("organizations")).value();
    EXPECT_FALSE(DeviceAuthorization::unavailableReason(ms).has_value());
    EXPECT_EQ(ms.deviceAuthorizationEndpoint,
              QUrl(QStringLiteral("https://login.microsoftonline.com/organizations/oauth2/v2.0/devicecode")));
}

// --- against the fake server ------------------------------------------------------------------

class DeviceFlowTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_server.listen());
        m_server.addClient({kClient, kSecret, {}});
        m_server.setUser({QStringLiteral("sub-alice-0001"), kEmail, QStringLiteral("Alice Example"), kEmail});
        m_server.setMailFolders({{QStringLiteral("Inbox"), 2, 10}});
        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    }

    void TearDown() override
    {
        QList<QByteArray> secrets{m_server.lastIssuedAccessToken().toUtf8(), m_server.lastIssuedRefreshToken().toUtf8(),
                                  m_server.lastIssuedIdToken().toUtf8(), m_server.lastDeviceCode().toUtf8(),
                                  kSecret.toUtf8()};
        for (const auto &t : m_server.tokenRequests())
            secrets.append(t.value(QStringLiteral("device_code")).toUtf8());
        secrets.removeAll(QByteArray());
        test::expectNotLogged(secrets);
    }

    Provider microsoft() const
    {
        Provider p = Provider::microsoft().value();
        p.authorizationEndpoint = m_server.authorizeUrl();
        p.tokenEndpoint = m_server.tokenUrl();
        p.deviceAuthorizationEndpoint = m_server.deviceAuthorizationUrl();
        p.issuer = m_server.issuer();
        p.setMailApiBase(QUrl(m_server.baseUrl().toString() + QStringLiteral("v1.0")));
        p.clientId = kClient;
        p.clientSecret = kSecret;
        return p;
    }

    std::unique_ptr<DeviceAuthorization> startDevice(DeviceWatch **watch, const Clock *clock = nullptr)
    {
        auto device = std::make_unique<DeviceAuthorization>(&m_nam);
        DeviceAuthorization::Options o;
        o.intervalScale = kScale;
        device->setOptions(o);
        device->setClock(clock);
        m_deviceWatches.push_back(std::make_unique<DeviceWatch>(device.get()));
        *watch = m_deviceWatches.back().get();
        device->start({m_server.deviceAuthorizationUrl(), m_server.tokenUrl()}, {kClient, kSecret},
                      {QStringLiteral("openid"), QStringLiteral("offline_access")});
        return device;
    }

    FakeAuthServer m_server;
    QNetworkAccessManager m_nam;
    std::vector<std::unique_ptr<DeviceWatch>> m_deviceWatches;
};

TEST_F(DeviceFlowTest, PendingSeveralTimesThenTokens)
{
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 3;
    m_server.setDeviceFlow(flow);
    DeviceWatch *watch = nullptr;
    auto device = startDevice(&watch);
    ASSERT_TRUE(waitFor([&] { return watch->terminal() > 0; }, 10000));
    ASSERT_EQ(watch->successes, 1) << (watch->error ? watch->error->message.toStdString() : std::string());
    ASSERT_TRUE(watch->prompt.has_value());
    EXPECT_EQ(watch->prompt->userCode, m_server.lastUserCode());
    EXPECT_EQ(watch->prompt->verificationUri, m_server.deviceVerificationUrl());
    EXPECT_FALSE(watch->prompt->verificationUriComplete.isEmpty());
    EXPECT_EQ(watch->pendingIntervals, (QList<int>{5, 5, 5}));
    EXPECT_EQ(device->pollCount(), 4);
    TokenSet tokens = device->takeTokens();
    EXPECT_TRUE(tokens.accessToken.equals(m_server.lastIssuedAccessToken()));
    EXPECT_FALSE(tokens.refreshToken.isEmpty());
    // The polls carried the grant type, the device code and the client's credentials.
    const auto requests = m_server.tokenRequests();
    ASSERT_EQ(requests.size(), 4);
    EXPECT_EQ(requests.last().value(QStringLiteral("grant_type")),
              QStringLiteral("urn:ietf:params:oauth:grant-type:device_code"));
    EXPECT_TRUE(requests.last().value(QStringLiteral("device_code")) == m_server.lastDeviceCode());
    EXPECT_TRUE(requests.last().value(QStringLiteral("client_secret")) == kSecret);
}

TEST_F(DeviceFlowTest, SlowDownAddsFiveSecondsToEveryLaterPoll)
{
    FakeAuthServer::DeviceFlow flow;
    flow.interval = 1;
    flow.slowDownPolls = 2;
    flow.pendingPolls = 1;
    m_server.setDeviceFlow(flow);
    DeviceWatch *watch = nullptr;
    auto device = startDevice(&watch);
    ASSERT_TRUE(waitFor([&] { return watch->terminal() > 0; }, 10000));
    ASSERT_EQ(watch->successes, 1);
    EXPECT_EQ(watch->pendingIntervals, (QList<int>{6, 11, 11}));
    EXPECT_EQ(device->currentIntervalSeconds(), 11);
    // The waits really grew: 1 s, then 6 s, then 11 s (scaled by 1/100).
    const QList<qint64> t = m_server.devicePollTimes();
    ASSERT_EQ(t.size(), 4);
    EXPECT_GE(t[1] - t[0], 55);
    EXPECT_GE(t[2] - t[1], 105);
    EXPECT_GE(t[3] - t[2], 105);
}

TEST_F(DeviceFlowTest, ZeroOrHugeIntervalFromTheServerIsClamped)
{
    for (const QJsonValue &interval : {QJsonValue(0), QJsonValue(1e9)}) {
        FakeAuthServer::DeviceFlow flow;
        flow.interval = interval;
        flow.pendingPolls = 1;
        m_server.setDeviceFlow(flow);
        DeviceWatch *watch = nullptr;
        auto device = startDevice(&watch);
        ASSERT_TRUE(waitFor([&] { return watch->terminal() > 0; }, 10000));
        EXPECT_EQ(watch->successes, 1);
        ASSERT_TRUE(watch->prompt.has_value());
        EXPECT_EQ(watch->prompt->intervalSeconds, interval.toDouble() < 1 ? 5 : 60);
        const QList<qint64> t = m_server.devicePollTimes();
        ASSERT_EQ(t.size(), 2);
        EXPECT_GE(t[1] - t[0], interval.toDouble() < 1 ? 45 : 550);
    }
}

TEST_F(DeviceFlowTest, ExpiredTokenFromTheServerEndsWithAnExplanation)
{
    ManualClock serverClock;
    m_server.setClock(&serverClock);
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 100;
    m_server.setDeviceFlow(flow);
    DeviceWatch *watch = nullptr;
    auto device = startDevice(&watch);
    ASSERT_TRUE(waitFor([&] { return watch->pendingIntervals.size() >= 2; }, 10000));
    serverClock.advance(601); // the server's code expired; ours (system clock) has not
    ASSERT_TRUE(waitFor([&] { return watch->terminal() > 0; }, 10000));
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error->code, ErrorCode::Expired);
    EXPECT_TRUE(watch->error->message.contains(QLatin1String("expired before the sign-in was finished")))
        << watch->error->message.toStdString();
    EXPECT_FALSE(device->isRunning());
}

TEST_F(DeviceFlowTest, ExpiryOnOurClockStopsPolling)
{
    ManualClock clock;
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 100;
    m_server.setDeviceFlow(flow);
    DeviceWatch *watch = nullptr;
    auto device = startDevice(&watch, &clock);
    ASSERT_TRUE(waitFor([&] { return watch->pendingIntervals.size() >= 1; }, 10000));
    clock.advance(601);
    ASSERT_TRUE(waitFor([&] { return watch->terminal() > 0; }, 10000));
    EXPECT_EQ(watch->error->code, ErrorCode::Expired);
    const int polls = m_server.devicePollTimes().size();
    QTest::qWait(200);
    EXPECT_EQ(m_server.devicePollTimes().size(), polls) << "polling went on after the code expired";
}

TEST_F(DeviceFlowTest, AccessDeniedOnTheOtherDevice)
{
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 1;
    flow.deny = true;
    m_server.setDeviceFlow(flow);
    DeviceWatch *watch = nullptr;
    auto device = startDevice(&watch);
    ASSERT_TRUE(waitFor([&] { return watch->terminal() > 0; }, 10000));
    ASSERT_EQ(watch->failures, 1);
    EXPECT_EQ(watch->error->code, ErrorCode::Cancelled);
    EXPECT_TRUE(watch->error->message.contains(QLatin1String("declined on the other device")))
        << watch->error->message.toStdString();
}

TEST_F(DeviceFlowTest, ServerErrorsWhilePollingAreRetriedThenGiveUp)
{
    FakeAuthServer::Fault fault;
    fault.kind = FakeAuthServer::Fault::ServerError;
    fault.count = 2;
    m_server.injectFault(Endpoint::Token, fault);
    DeviceWatch *watch = nullptr;
    auto device = startDevice(&watch);
    ASSERT_TRUE(waitFor([&] { return watch->terminal() > 0; }, 10000));
    EXPECT_EQ(watch->successes, 1) << "two 500s in a row are retried";

    fault.count = -1;
    m_server.injectFault(Endpoint::Token, fault);
    DeviceWatch *second = nullptr;
    auto again = startDevice(&second);
    ASSERT_TRUE(waitFor([&] { return second->terminal() > 0; }, 10000));
    ASSERT_EQ(second->failures, 1);
    EXPECT_EQ(second->error->code, ErrorCode::Network);
    EXPECT_EQ(again->pollCount(), 4) << "three retries, then the end";
    m_server.clearFaults();
}

TEST_F(DeviceFlowTest, CancelStopsPolling)
{
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 100;
    m_server.setDeviceFlow(flow);
    DeviceWatch *watch = nullptr;
    auto device = startDevice(&watch);
    ASSERT_TRUE(waitFor([&] { return watch->pendingIntervals.size() >= 1; }, 10000));
    device->cancel();
    const int polls = m_server.devicePollTimes().size();
    QTest::qWait(300);
    EXPECT_EQ(m_server.devicePollTimes().size(), polls);
    EXPECT_EQ(watch->terminal(), 0);
}

// --- through ConnectSession into a real vault -----------------------------------------------

class DeviceConnectTest : public DeviceFlowTest {
protected:
    void SetUp() override
    {
        DeviceFlowTest::SetUp();
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        m_profile = Profile(test::uniqueName(QStringLiteral("device")));
        m_vault = test::unlockVault(m_profile, &m_keyStore);
        ASSERT_TRUE(m_vault);
    }

    struct Outcome {
        std::optional<DeviceCodePrompt> prompt;
        std::optional<Account> account;
        bool created = false;
        std::optional<Error> error;
        bool done() const { return account || error; }
    };

    std::shared_ptr<Outcome> connectWithDevice(const Provider &provider)
    {
        auto outcome = std::make_shared<Outcome>();
        auto *session = new ConnectSession(provider, std::make_shared<VaultConnectionStore>(m_vault), &m_nam, &m_owner);
        ConnectSession::Options o;
        o.method = ConnectSession::Method::DeviceCode;
        o.device.intervalScale = kScale;
        o.profileRetry = RetryPolicy::fast();
        session->setOptions(o);
        QObject::connect(session, &ConnectSession::deviceCodeReady, session,
                         [outcome](const DeviceCodePrompt &p) { outcome->prompt = p; });
        QObject::connect(session, &ConnectSession::succeeded, session,
                         [outcome](const Account &a, bool created, const QString &) {
                             outcome->account = a;
                             outcome->created = created;
                         });
        QObject::connect(session, &ConnectSession::failed, session, [outcome](const Error &e) { outcome->error = e; });
        session->start();
        EXPECT_TRUE(waitFor([&] { return outcome->done(); }, 20000));
        return outcome;
    }

    Profile m_profile;
    KeyStore m_keyStore;
    std::shared_ptr<Vault> m_vault;
    QObject m_owner;
};

TEST_F(DeviceConnectTest, MicrosoftDeviceSignInStoresTheAccountLikeABrowserSignIn)
{
    FakeAuthServer::DeviceFlow flow;
    flow.pendingPolls = 2;
    m_server.setDeviceFlow(flow);
    auto first = connectWithDevice(microsoft());
    ASSERT_FALSE(first->error) << first->error->message.toStdString();
    ASSERT_TRUE(first->account);
    ASSERT_TRUE(first->prompt);
    EXPECT_EQ(first->prompt->userCode, m_server.lastUserCode());
    EXPECT_EQ(first->account->email, kEmail);
    EXPECT_TRUE(first->created);
    EXPECT_EQ(m_vault->accountCount().value(), 1);
    EXPECT_EQ(m_server.requestCount(Endpoint::Authorize), 0) << "no browser sign-in";
    EXPECT_EQ(m_server.requestCount(Endpoint::Me), 1) << "the profile came from Graph /me";
    auto token = m_vault->token(first->account->id, QString::fromLatin1(DefaultResource));
    ASSERT_TRUE(token.ok() && token->has_value());
    EXPECT_TRUE((*token)->accessToken.equals(m_server.lastIssuedAccessToken()));
    EXPECT_EQ(auditActions(*m_vault),
              (QStringList{QStringLiteral("connect.started"), QStringLiteral("device.code_issued"),
                           QStringLiteral("tokens.issued"), QStringLiteral("account.added")}));

    // The same mailbox again: the duplicate check updates it in place.
    auto second = connectWithDevice(microsoft());
    ASSERT_TRUE(second->account);
    EXPECT_FALSE(second->created);
    EXPECT_EQ(second->account->id, first->account->id);
    EXPECT_EQ(m_vault->accountCount().value(), 1);
    EXPECT_TRUE(auditActions(*m_vault).contains(QStringLiteral("account.updated")));
}

TEST_F(DeviceConnectTest, GoogleIsRefusedBeforeAnyRequest)
{
    Provider google = Provider::google();
    google.clientId = kClient;
    google.deviceAuthorizationEndpoint = m_server.deviceAuthorizationUrl();
    auto outcome = connectWithDevice(google);
    ASSERT_TRUE(outcome->error);
    EXPECT_EQ(outcome->error->code, ErrorCode::Config);
    EXPECT_TRUE(outcome->error->message.contains(QLatin1String("https://mail.google.com/")));
    EXPECT_EQ(m_server.requestCount(Endpoint::DeviceAuthorization), 0);
    EXPECT_EQ(m_vault->accountCount().value(), 0);
    EXPECT_TRUE(auditActions(*m_vault).contains(QStringLiteral("connect.failed")));
}
