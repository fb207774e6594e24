// `mailkey-cli serve` as a real background process against the fake authorization server and a
// real Secret Service: it refreshes ahead of expiry with no window, answers `mailkey-cli token`,
// commits a refresh in flight when SIGTERM comes, hands over to the real MailKey window (the
// `mailkey` program on the offscreen platform) and back, in either order, and only one of two
// services started at once serves.
#include "cli/ExitCode.h"
#include "core/keychain/KeyStore.h"
#include "tests/cli/CliHarness.h"
#include "tests/support/TestUtil.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <csignal>
#include <memory>

#include <signal.h>

using namespace mailkey;
using mailkey::test::args;
using mailkey::test::CliHarness;
using mailkey::test::CliRun;
using mailkey::test::FakeAuthServer;
using mailkey::test::waitFor;

class CliServeTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        h = std::make_unique<CliHarness>();
        ASSERT_TRUE(h->ok());
    }

    void TearDown() override
    {
        for (auto &p : m_processes) {
            if (p->state() != QProcess::NotRunning) {
                p->kill();
                p->waitForFinished(5000);
            }
        }
        if (h) {
            for (const QByteArray &text : std::as_const(m_output))
                EXPECT_TRUE(h->containsNoSecret(text)) << "a process printed a secret";
        }
    }

    void connectAlice(int accessTokenLifetime)
    {
        h->server().setAccessTokenLifetime(accessTokenLifetime);
        const CliRun r = h->connect();
        ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    }

    // A process of this test, killed at the end if still running; its output is kept (stderr
    // read as it comes) and checked for secrets.
    QProcess *start(std::unique_ptr<QProcess> p)
    {
        QProcess *raw = p.get();
        const qsizetype slot = m_output.size();
        m_output.append(QByteArray());
        QObject::connect(raw, &QProcess::readyReadStandardError, raw,
                         [this, raw, slot] { m_output[slot] += raw->readAllStandardError(); });
        QObject::connect(raw, &QProcess::readyReadStandardOutput, raw,
                         [this, raw, slot] { m_output[slot] += raw->readAllStandardOutput(); });
        m_processes.push_back(std::move(p));
        m_slots.insert(raw, slot);
        return raw;
    }
    QProcess *serve() { return start(h->start({QStringLiteral("serve")})); }
    QProcess *window()
    {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = h->environment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        p->setProcessEnvironment(env);
        p->start(qEnvironmentVariable("MAILKEY_GUI"), {QStringLiteral("--profile"), h->profileName()});
        return start(std::move(p));
    }
    QString output(QProcess *p) const { return QString::fromUtf8(m_output.value(m_slots.value(p))); }
    bool said(QProcess *p, const QString &text, int timeoutMs = 20000)
    {
        return waitFor([&] { return output(p).contains(text); }, timeoutMs);
    }
    int countOf(QProcess *p, const QString &text) const { return int(output(p).count(text)); }
    int exitCode(QProcess *p, int timeoutMs = 20000)
    {
        if (!waitFor([&] { return p->state() == QProcess::NotRunning; }, timeoutMs))
            return -3;
        return p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -2;
    }

    // Who answers the profile's socket, as `status --json` sees it: "window", "service" or "".
    QString servedBy(qint64 *pid = nullptr)
    {
        const CliRun r = h->run(args({"status", "--json"}));
        m_output.append(r.out + r.err);
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        if (pid)
            *pid = o.value(QStringLiteral("served_by_pid")).toInteger();
        return o.value(QStringLiteral("served_by")).toString();
    }

    CliRun token()
    {
        CliRun r = h->run({QStringLiteral("token"), CliHarness::Email});
        m_output.append(r.err); // stdout holds the token, asked for
        return r;
    }

    std::unique_ptr<CliHarness> h;
    std::vector<std::unique_ptr<QProcess>> m_processes;
    QHash<QProcess *, qsizetype> m_slots;
    QList<QByteArray> m_output;
};

// With only the service running, the token is refreshed before it expires, and `token` is
// answered by the service from that refresh.
TEST_F(CliServeTest, RefreshesAheadOfExpiryWithNoWindowAndAnswersTokens)
{
    constexpr int Lifetime = 50; // seconds: the scheduler refreshes at most half-way
    ASSERT_NO_FATAL_FAILURE(connectAlice(Lifetime));
    QElapsedTimer issued;
    issued.start();
    const QString first = h->server().lastIssuedAccessToken();
    QProcess *service = serve();
    ASSERT_TRUE(said(service, QStringLiteral("serving profile"))) << output(service).toStdString();
    qint64 pid = 0;
    EXPECT_EQ(servedBy(&pid), QStringLiteral("service"));
    EXPECT_EQ(pid, service->processId());

    ASSERT_TRUE(waitFor([&] { return h->server().refreshCount() >= 1; }, (Lifetime + 10) * 1000))
        << output(service).toStdString();
    EXPECT_LT(issued.elapsed(), Lifetime * 1000) << "refreshed only after the token had expired";
    const QString refreshed = h->server().lastIssuedAccessToken();
    EXPECT_NE(refreshed, first);
    EXPECT_TRUE(h->server().isAccessTokenValid(refreshed));
    EXPECT_EQ(countOf(service, QStringLiteral("failed")), 0) << output(service).toStdString();
    EXPECT_EQ(service->state(), QProcess::Running);
}

// SIGTERM while a refresh request is at the provider (which rotates the refresh token): the
// service waits for the answer and commits it before it ends, so the next refresh works. Ending
// at once would keep the old refresh token, which the provider has revoked by then.
TEST_F(CliServeTest, SigtermDuringARefreshLosesNothing)
{
    ASSERT_NO_FATAL_FAILURE(connectAlice(50)); // under the 60 s a `token` needs: it refreshes
    QProcess *service = serve();
    ASSERT_TRUE(said(service, QStringLiteral("serving profile"))) << output(service).toStdString();

    FakeAuthServer::Fault slow;
    slow.kind = FakeAuthServer::Fault::SlowAnswer;
    slow.delayMs = 3000;
    h->server().injectFault(FakeAuthServer::Endpoint::Token, slow);
    const int before = h->server().requestCount(FakeAuthServer::Endpoint::Token);
    QProcess *client = start(h->start({QStringLiteral("token"), CliHarness::Email}));
    ASSERT_TRUE(waitFor([&] { return h->server().requestCount(FakeAuthServer::Endpoint::Token) > before; }, 20000));
    ::kill(pid_t(service->processId()), SIGTERM);

    EXPECT_EQ(exitCode(service, 60000), cli::Ok) << output(service).toStdString();
    EXPECT_TRUE(output(service).contains(QStringLiteral("stopping"))) << output(service).toStdString();
    EXPECT_EQ(exitCode(client), cli::Ok) << "the token request in flight was answered: " << output(client).toStdString()
                                         << output(service).toStdString();
    const int refreshes = h->server().refreshCount();
    EXPECT_GE(refreshes, 1); // the scheduler may have refreshed the 50-second token too

    // On its own now (no service): refreshes with the refresh token the service committed.
    const CliRun after = token();
    EXPECT_EQ(after.exitCode, cli::Ok) << after.errForMessage();
    EXPECT_EQ(h->server().refreshCount(), refreshes + 1);
    EXPECT_TRUE(h->server().isGrantActive(CliHarness::Email)) << "a rotated refresh token was presented again";
}

// The service first, then the window: the service hands over and stands by; when the window has
// gone, it serves again.
TEST_F(CliServeTest, TheWindowTakesOverFromTheServiceAndHandsBack)
{
    ASSERT_NO_FATAL_FAILURE(connectAlice(3600));
    QProcess *service = serve();
    ASSERT_TRUE(said(service, QStringLiteral("serving profile"))) << output(service).toStdString();
    EXPECT_EQ(servedBy(), QStringLiteral("service"));

    QProcess *gui = window();
    ASSERT_TRUE(said(service, QStringLiteral("keeps the tokens fresh"))) << output(service).toStdString();
    ASSERT_TRUE(waitFor([&] { return servedBy() == QLatin1String("window"); }, 20000));
    EXPECT_EQ(token().exitCode, cli::Ok);

    ::kill(pid_t(gui->processId()), SIGTERM);
    exitCode(gui);
    ASSERT_TRUE(waitFor([&] { return countOf(service, QStringLiteral("serving profile")) == 2; }, 20000))
        << output(service).toStdString();
    qint64 pid = 0;
    EXPECT_EQ(servedBy(&pid), QStringLiteral("service"));
    EXPECT_EQ(pid, service->processId());
    EXPECT_EQ(token().exitCode, cli::Ok);
}

// The window first, then the service: the service stands by until the window has gone.
TEST_F(CliServeTest, AServiceStartedUnderTheWindowWaitsForIt)
{
    ASSERT_NO_FATAL_FAILURE(connectAlice(3600));
    QProcess *gui = window();
    ASSERT_TRUE(waitFor([&] { return servedBy() == QLatin1String("window"); }, 20000));
    QProcess *service = serve();
    ASSERT_TRUE(said(service, QStringLiteral("keeps the tokens fresh"))) << output(service).toStdString();
    EXPECT_FALSE(output(service).contains(QStringLiteral("serving profile")));
    EXPECT_EQ(servedBy(), QStringLiteral("window"));

    ::kill(pid_t(gui->processId()), SIGTERM);
    exitCode(gui);
    ASSERT_TRUE(said(service, QStringLiteral("serving profile"))) << output(service).toStdString();
    EXPECT_EQ(servedBy(), QStringLiteral("service"));
}

// Two services started at the same moment: one serves, the other says so and ends.
TEST_F(CliServeTest, OfTwoServicesStartedAtOnceOneServes)
{
    ASSERT_NO_FATAL_FAILURE(connectAlice(3600));
    QProcess *a = serve();
    QProcess *b = serve();
    ASSERT_TRUE(
        waitFor([&] { return a->state() == QProcess::NotRunning || b->state() == QProcess::NotRunning; }, 20000));
    QProcess *ended = a->state() == QProcess::NotRunning ? a : b;
    QProcess *running = ended == a ? b : a;
    EXPECT_EQ(exitCode(ended), cli::Failure);
    EXPECT_TRUE(output(ended).contains(QStringLiteral("already running"))) << output(ended).toStdString();
    ASSERT_TRUE(said(running, QStringLiteral("serving profile"))) << output(running).toStdString();
    qint64 pid = 0;
    EXPECT_EQ(servedBy(&pid), QStringLiteral("service"));
    EXPECT_EQ(pid, running->processId());
    EXPECT_EQ(running->state(), QProcess::Running);
}
