// mailkey-cli as a subprocess, against the in-process fake authorization server and the real
// Secret Service of tests/support/with-keyring.sh: each command's stdout, stderr and exit code.
// Token values are compared with EXPECT_TRUE(a == b) and never printed.
#include "cli/ExitCode.h"
#include "core/common/SecureBytes.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/VaultAccess.h"
#include "tests/cli/CliHarness.h"
#include "tests/support/TestUtil.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <algorithm>
#include <csignal>
#include <optional>

using namespace mailkey;
using mailkey::test::args;
using mailkey::test::CliHarness;
using mailkey::test::CliRun;
using mailkey::test::FakeAuthServer;
using mailkey::test::waitFor;

namespace {

bool portAccepts(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    const bool ok = socket.waitForConnected(1000);
    socket.abort();
    return ok;
}

quint16 redirectPort(const QUrl &signInUrl)
{
    const QUrl redirect(QUrlQuery(signInUrl).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
    return quint16(redirect.port());
}

// One line on stderr, nothing on stdout, no crash text.
void expectOneLineError(const CliRun &r, int code)
{
    EXPECT_EQ(r.exitCode, code) << r.errForMessage();
    EXPECT_TRUE(r.out.isEmpty());
    EXPECT_EQ(r.err.count('\n'), 1) << r.errForMessage();
    EXPECT_TRUE(r.err.startsWith("mailkey-cli")) << r.errForMessage();
    for (const char *crash : {"terminate called", "Aborted", "Segmentation", "ASSERT", "qFatal"})
        EXPECT_FALSE(r.err.contains(crash)) << r.errForMessage();
}

QByteArray decoded(const CliRun &r)
{
    return QByteArray::fromBase64(r.out.trimmed());
}

// Ctrl-C to a running mailkey-cli: exit 130, nothing on stdout, "cancelled" on stderr. Returns
// the run with its whole stderr (`errSoFar`, read while it ran, then the rest).
CliRun interruptExpectingCancel(QProcess &p, const QByteArray &errSoFar)
{
    EXPECT_EQ(::kill(pid_t(p.processId()), SIGINT), 0);
    CliRun r = CliHarness::finish(p);
    r.err.prepend(errSoFar);
    EXPECT_EQ(r.exitCode, cli::Cancelled) << r.errForMessage();
    EXPECT_TRUE(r.out.isEmpty());
    EXPECT_TRUE(r.errText().contains(QLatin1String("cancelled")));
    return r;
}

} // namespace

class CliTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        ASSERT_FALSE(qEnvironmentVariableIsEmpty("MAILKEY_CLI"));
        h = std::make_unique<CliHarness>();
        ASSERT_TRUE(h->ok());
    }
    void TearDown() override
    {
        if (h) {
            test::expectNotLogged(h->secrets());
            m_vault.reset();
            h.reset();
        }
    }

    void connectAlice()
    {
        const CliRun r = h->connect();
        ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
        ASSERT_EQ(r.outText(), CliHarness::Email + QLatin1Char('\n'));
    }

    // The vault as this process sees it (same folders, same keyring).
    std::shared_ptr<Vault> vault()
    {
        if (!m_vault)
            m_vault = h->openVault(&m_keyStore);
        return m_vault;
    }

    QString vaultToken(const QString &field)
    {
        auto v = vault();
        if (!v)
            return QString();
        auto accounts = v->findAccountsByEmail(CliHarness::Email);
        if (!accounts || accounts->isEmpty())
            return QString();
        auto t = v->token(accounts->first().id, QStringLiteral("default"));
        if (!t || !t->has_value())
            return QString();
        return field == QLatin1String("refresh") ? (*t)->refreshToken.reveal() : (*t)->accessToken.reveal();
    }

    std::unique_ptr<CliHarness> h;
    KeyStore m_keyStore;
    std::shared_ptr<Vault> m_vault;
};

// ---- connect -------------------------------------------------------------------------------------

TEST_F(CliTest, ConnectNoBrowserPrintsTheSignInAddressAndThenOnlyTheMailbox)
{
    const CliRun r = h->connect();
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_EQ(r.outText(), CliHarness::Email + QLatin1Char('\n'));
    const QUrl url = CliHarness::signInUrl(r.err);
    ASSERT_TRUE(url.isValid());
    EXPECT_EQ(url.port(), h->server().port());
    EXPECT_TRUE(QUrlQuery(url).hasQueryItem(QStringLiteral("code_challenge")));
    EXPECT_FALSE(portAccepts(redirectPort(url))) << "the loopback listener is closed after the sign-in";
    EXPECT_TRUE(h->containsNoSecret(r.err));

    const CliRun list = h->run(args({"list"}));
    EXPECT_EQ(list.exitCode, cli::Ok);
    EXPECT_TRUE(list.outText().contains(CliHarness::Email));
    EXPECT_TRUE(list.outText().contains(QLatin1String("fake")));
    EXPECT_TRUE(list.outText().contains(QLatin1String("connected")));
    // A header row, then the address padded to its column, then the provider.
    EXPECT_TRUE(list.outText().startsWith(QStringLiteral("ADDRESS")));
    EXPECT_EQ(list.outText().section(QLatin1Char('\n'), 1, 1).left(CliHarness::Email.size() + 7),
              CliHarness::Email + QStringLiteral("  fake "))
        << list.outText().toStdString();
    EXPECT_TRUE(h->containsNoSecret(list.out));
    EXPECT_TRUE(h->containsNoSecret(list.err));

    // Connecting again renews the sign-in in place.
    const CliRun again = h->connect();
    ASSERT_EQ(again.exitCode, cli::Ok) << again.errForMessage();
    EXPECT_EQ(again.outText(), CliHarness::Email + QLatin1Char('\n'));
    const CliRun json = h->run(args({"list", "--json"}));
    const QJsonArray accounts = QJsonDocument::fromJson(json.out).array();
    ASSERT_EQ(accounts.size(), 1);
    // The health clock: the fake provider is a custom one, whose rules MailKey does not know.
    const QJsonObject account = accounts.at(0).toObject();
    ASSERT_TRUE(account.contains(QStringLiteral("sign_in_needed_by"))) << json.outText().toStdString();
    EXPECT_TRUE(account.value(QStringLiteral("sign_in_needed_by")).isNull());
    EXPECT_EQ(account.value(QStringLiteral("sign_in_needed_reason")).toString(), QStringLiteral("unknown"));
}

TEST_F(CliTest, ConnectOpensTheBrowserThroughXdgOpenWithoutTouchingStdout)
{
    QTemporaryDir bin;
    ASSERT_TRUE(bin.isValid());
    const QString opened = bin.path() + QStringLiteral("/opened-url");
    QFile script(bin.path() + QStringLiteral("/xdg-open"));
    ASSERT_TRUE(script.open(QIODevice::WriteOnly));
    // A noisy "browser": whatever it prints must not reach mailkey-cli's stdout.
    script.write("#!/bin/sh\necho browser-noise-on-stdout\necho browser-noise-on-stderr >&2\nprintf '%s' \"$1\" > \""
                 + opened.toUtf8() + ".tmp\"\nmv \"" + opened.toUtf8() + ".tmp\" \"" + opened.toUtf8() + "\"\n");
    script.close();
    script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    QProcessEnvironment env = h->environment();
    env.insert(QStringLiteral("PATH"), bin.path() + QLatin1Char(':') + env.value(QStringLiteral("PATH")));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("DISPLAY"));
    h->setEnvironment(env);

    // No graphical session: no browser is started (xdg-open would pick an invisible text browser).
    {
        std::unique_ptr<QProcess> p = h->start(args({"connect", "fake"}));
        QByteArray err;
        ASSERT_TRUE(waitFor(
            [&] {
                err += p->readAllStandardError();
                return err.contains("no graphical session");
            },
            20000))
            << err.toStdString();
        p->kill();
        p->waitForFinished(5000);
        EXPECT_FALSE(QFile::exists(opened));
    }

    env.insert(QStringLiteral("DISPLAY"), QStringLiteral(":42"));
    h->setEnvironment(env);
    std::unique_ptr<QProcess> p = h->start(args({"connect", "fake"}));
    ASSERT_TRUE(waitFor([&] { return QFile::exists(opened); }, 20000)) << "xdg-open was not started";
    QFile f(opened);
    ASSERT_TRUE(f.open(QIODevice::ReadOnly));
    const QUrl url(QString::fromUtf8(f.readAll()), QUrl::StrictMode);
    ASSERT_TRUE(url.isValid());
    test::FakeBrowser browser;
    browser.open(url);
    const CliRun r = CliHarness::finish(*p);
    EXPECT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_EQ(r.outText(), CliHarness::Email + QLatin1Char('\n'));
    EXPECT_TRUE(r.errText().contains(QLatin1String("browser was asked to open it")));
    EXPECT_FALSE(r.err.contains("browser-noise"));
}

TEST_F(CliTest, ConnectCtrlCCancelsCleanlyAndClosesTheListener)
{
    std::unique_ptr<QProcess> p = h->start(args({"connect", "fake", "--no-browser"}));
    QByteArray err;
    QUrl url;
    ASSERT_TRUE(waitFor(
        [&] {
            err += p->readAllStandardError();
            url = CliHarness::signInUrl(err);
            return url.isValid();
        },
        20000));
    const quint16 port = redirectPort(url);
    ASSERT_TRUE(portAccepts(port));
    const CliRun r = interruptExpectingCancel(*p, err);
    EXPECT_FALSE(portAccepts(port));
    const CliRun list = h->run(args({"list", "--json"}));
    EXPECT_EQ(QJsonDocument::fromJson(list.out).array().size(), 0);
}

// connect --device (RFC 8628) against the fake server: the address and the code on stderr, the
// mailbox on stdout once the scripted user on "the other device" has signed in; nothing secret
// (device code, tokens) in either.
TEST_F(CliTest, ConnectDevicePrintsTheAddressAndTheCodeThenTheMailbox)
{
    FakeAuthServer::DeviceFlow flow;
    flow.interval = 1;
    flow.pendingPolls = 2;
    h->server().setDeviceFlow(flow);
    const CliRun r = h->run(args({"connect", "fake", "--device"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_EQ(r.outText(), CliHarness::Email + QLatin1Char('\n'));
    const QString verification = h->server().deviceVerificationUrl().toString();
    EXPECT_TRUE(r.errText().contains(QStringLiteral("To sign in to Fake IdP, open %1 on any device (a phone or another "
                                                    "computer) and enter the code %2\n")
                                         .arg(verification, h->server().lastUserCode())))
        << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(verification + QStringLiteral("?user_code=") + h->server().lastUserCode()))
        << "verification_uri_complete";
    EXPECT_FALSE(r.errText().contains(QLatin1String("127.0.0.1/oauth"))) << "no loopback redirect in a device sign-in";
    EXPECT_EQ(h->server().requestCount(FakeAuthServer::Endpoint::Authorize), 0);
    EXPECT_EQ(h->server().devicePollTimes().size(), 3);
    EXPECT_TRUE(h->containsNoSecret(r.out));
    EXPECT_TRUE(h->containsNoSecret(r.err));

    const CliRun audit = h->run(args({"audit"}));
    EXPECT_TRUE(audit.outText().contains(QLatin1String("device.code_issued"))) << audit.outText().toStdString();
    EXPECT_TRUE(audit.outText().contains(QLatin1String("account.added")));
    EXPECT_TRUE(h->containsNoSecret(audit.out));
}

TEST_F(CliTest, ConnectDeviceCtrlCCancelsWhilePolling)
{
    FakeAuthServer::DeviceFlow flow;
    flow.interval = 1;
    flow.pendingPolls = 1000;
    h->server().setDeviceFlow(flow);
    std::unique_ptr<QProcess> p = h->start(args({"connect", "fake", "--device"}));
    QByteArray err;
    ASSERT_TRUE(waitFor(
        [&] {
            err += p->readAllStandardError();
            return err.contains("Ctrl-C cancels") && !h->server().devicePollTimes().isEmpty();
        },
        20000))
        << err.toStdString();
    const CliRun r = interruptExpectingCancel(*p, err);
    const qsizetype polls = h->server().devicePollTimes().size();
    QTest::qWait(1500);
    EXPECT_EQ(h->server().devicePollTimes().size(), polls) << "nobody polls after Ctrl-C";
    EXPECT_TRUE(h->containsNoSecret(r.err));
}

TEST_F(CliTest, ConnectDeviceRefusesGoogleAndSaysWhatToDoInstead)
{
    QProcessEnvironment env = h->environment();
    env.insert(QStringLiteral("MAILKEY_GOOGLE_CLIENT_ID"), QStringLiteral("123-test.apps.googleusercontent.com"));
    h->setEnvironment(env);
    const CliRun r = h->run(args({"connect", "google", "--device"}));
    EXPECT_EQ(r.exitCode, cli::Failure) << r.errForMessage();
    EXPECT_TRUE(r.out.isEmpty());
    EXPECT_TRUE(r.errText().contains(QLatin1String("https://mail.google.com/"))) << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(QLatin1String("mailkey-cli export"))) << r.errForMessage();

    expectOneLineError(h->run(args({"connect", "fake", "--device", "--no-browser"})), cli::Usage);
    expectOneLineError(h->run(args({"connect", "fake", "--device", "--login-hint", "a@example.com"})), cli::Usage);
}

TEST_F(CliTest, MissingClientIdHelpIsShortLinesInTheTerminal)
{
    // Google has no client id here: the help comes one step a line, not as one 900-character line.
    const CliRun r = h->run(args({"connect", "google", "--no-browser"}));
    EXPECT_NE(r.exitCode, cli::Ok);
    EXPECT_TRUE(r.out.isEmpty());
    const QStringList lines = r.errText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    ASSERT_GE(lines.size(), 5) << r.errForMessage();
    EXPECT_EQ(lines.first(), QStringLiteral("mailkey-cli: MailKey has no client id for Gmail.")) << r.errForMessage();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        EXPECT_TRUE(lines.at(i).startsWith(QLatin1String("  "))) << lines.at(i).toStdString();
        EXPECT_LE(lines.at(i).size(), 240) << lines.at(i).toStdString();
    }
    EXPECT_TRUE(r.errText().contains(QLatin1String("  1. In the Google Cloud console"))) << r.errForMessage();
}

TEST_F(CliTest, ConnectBadInputIsOneLineAndTheRightCode)
{
    expectOneLineError(h->run(args({"connect", "nosuchprovider", "--no-browser"})), cli::Usage);
    expectOneLineError(h->run(args({"connect", "fake", "--login-hint", "not an address"})), cli::Usage);
    expectOneLineError(h->run(args({"connect", "fake", "--frobnicate"})), cli::Usage);
    expectOneLineError(h->run(args({"connect"})), cli::Usage);
    expectOneLineError(
        h->run(QStringList{QStringLiteral("connect"), QStringLiteral("fake"), QStringLiteral("--providers"),
                           h->configDir() + QStringLiteral("/missing.json")}),
        cli::Usage);
}

TEST_F(CliTest, AMistypedCommandGetsADidYouMeanAndHelpTakesACommand)
{
    const struct {
        const char *typed;
        const char *meant;
    } typos[] = {{"lsit", "list"},     {"conect", "connect"}, {"tokne", "token"},
                 {"statsu", "status"}, {"Token", "token"},    {"rotate", "rotate-key"}};
    for (const auto &t : typos) {
        CliRun r = h->run(args({t.typed}));
        expectOneLineError(r, cli::Usage);
        EXPECT_TRUE(r.errText().contains(QStringLiteral("Did you mean 'mailkey-cli %1'?").arg(QLatin1String(t.meant))))
            << t.typed << ": " << r.errForMessage();
    }
    CliRun far = h->run(args({"xyzzy"}));
    expectOneLineError(far, cli::Usage);
    EXPECT_FALSE(far.errText().contains(QLatin1String("Did you mean"))) << far.errForMessage();

    CliRun help = h->run(args({"help", "check"}));
    ASSERT_EQ(help.exitCode, cli::Ok) << help.errForMessage();
    CliRun dashHelp = h->run(args({"check", "--help"}));
    ASSERT_EQ(dashHelp.exitCode, cli::Ok);
    EXPECT_TRUE(help.outText().startsWith(QLatin1String("Usage: mailkey-cli [--profile NAME] check EMAIL")));
    EXPECT_EQ(help.outText(), dashHelp.outText());
    CliRun all = h->run(args({"help"}));
    ASSERT_EQ(all.exitCode, cli::Ok);
    EXPECT_TRUE(all.outText().contains(QLatin1String("mailkey-cli help COMMAND")));
    CliRun helpTypo = h->run(args({"help", "lsit"}));
    expectOneLineError(helpTypo, cli::Usage);
    EXPECT_TRUE(helpTypo.errText().contains(QLatin1String("'mailkey-cli list'"))) << helpTypo.errForMessage();
    expectOneLineError(h->run(args({"help", "list", "token"})), cli::Usage);
}

TEST_F(CliTest, ProfileAndProvidersWorkBeforeOrAfterTheCommand)
{
    connectAlice();
    const QString issued = h->server().lastIssuedAccessToken();
    // --providers before the command, and after it.
    CliRun before = h->run(QStringList{QStringLiteral("--providers"), h->providersFile(), QStringLiteral("token"),
                                       QStringLiteral("alice@example.com")});
    ASSERT_EQ(before.exitCode, cli::Ok) << before.errForMessage();
    EXPECT_TRUE(before.outText() == issued + QLatin1Char('\n'));
    CliRun after = h->run(QStringList{QStringLiteral("token"), QStringLiteral("alice@example.com"),
                                      QStringLiteral("--providers=") + h->providersFile()});
    ASSERT_EQ(after.exitCode, cli::Ok) << after.errForMessage();
    EXPECT_TRUE(after.outText() == issued + QLatin1Char('\n'));
    // A --profile after the command wins over the harness's one before it: another, empty vault.
    const QString other = test::uniqueName(QStringLiteral("other"));
    CliRun list
        = h->run(QStringList{QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--profile"), other});
    ASSERT_EQ(list.exitCode, cli::Ok) << list.errForMessage();
    EXPECT_EQ(list.outText().simplified(), QStringLiteral("[ ]"));
    expectOneLineError(h->run(QStringList{QStringLiteral("list"), QStringLiteral("--profile"), QStringLiteral("../x")}),
                       cli::Usage);
    expectOneLineError(h->run(QStringList{QStringLiteral("list"), QStringLiteral("--profile")}), cli::Usage);
}

// ---- token ---------------------------------------------------------------------------------------

TEST_F(CliTest, TokenPrintsTheCachedTokenAndAuditsTheRequestingProgram)
{
    connectAlice();
    const QString issued = h->server().lastIssuedAccessToken();
    const int refreshes = h->server().refreshCount();
    const CliRun r = h->run(args({"token", "alice@example.com"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_TRUE(r.outText() == issued + QLatin1Char('\n')) << "stdout is exactly the token and a newline";
    EXPECT_TRUE(r.err.isEmpty());
    EXPECT_EQ(h->server().refreshCount(), refreshes);

    // Through a shell, as mail programs run it: the shell's parent is named.
    QProcess sh;
    sh.setProcessEnvironment(h->environment());
    sh.start(QStringLiteral("/bin/sh"),
             {QStringLiteral("-c"), QStringLiteral("\"$0\" --profile \"$1\" token alice@example.com >/dev/null; true"),
              qEnvironmentVariable("MAILKEY_CLI"), h->profileName()});
    const CliRun viaShell = CliHarness::finish(sh);
    EXPECT_EQ(viaShell.exitCode, 0);

    const CliRun audit = h->run(args({"audit", "alice@example.com", "--json"}));
    ASSERT_EQ(audit.exitCode, cli::Ok);
    QStringList actors;
    const QJsonArray entries = QJsonDocument::fromJson(audit.out).array();
    for (const QJsonValue &v : entries) {
        if (v.toObject().value(QStringLiteral("action")).toString() == QLatin1String("token.handed-out"))
            actors << v.toObject().value(QStringLiteral("actor")).toString();
    }
    EXPECT_EQ(actors, QStringList({QStringLiteral("test_cli (via sh)"), QStringLiteral("test_cli")}));
    EXPECT_TRUE(h->containsNoSecret(audit.out));
}

TEST_F(CliTest, TokenRefreshesATokenThatExpiresWithinAMinuteAndCommitsItFirst)
{
    h->server().setAccessTokenLifetime(45); // < 60 s: every request must refresh
    connectAlice();
    const QString first = h->server().lastIssuedAccessToken();
    const QString firstRefresh = h->server().lastIssuedRefreshToken();
    const int refreshes = h->server().refreshCount();

    const CliRun r = h->run(args({"token", "alice@example.com"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_EQ(h->server().refreshCount(), refreshes + 1);
    const QString printed = r.outText().trimmed();
    EXPECT_FALSE(printed == first) << "an expiring token is not handed out";
    EXPECT_TRUE(printed == h->server().lastIssuedAccessToken());
    EXPECT_TRUE(h->server().isAccessTokenValid(printed));
    // Committed: the vault holds the printed token and the rotated refresh token.
    EXPECT_TRUE(vaultToken(QStringLiteral("access")) == printed);
    EXPECT_TRUE(vaultToken(QStringLiteral("refresh")) == h->server().lastIssuedRefreshToken());
    EXPECT_FALSE(vaultToken(QStringLiteral("refresh")) == firstRefresh);
    EXPECT_TRUE(h->containsNoSecret(r.err));

    // The next one refreshes again with the rotated refresh token (a reuse would kill the grant).
    const CliRun again = h->run(args({"token", "alice@example.com", "--resource", "imap"}));
    ASSERT_EQ(again.exitCode, cli::Ok) << again.errForMessage();
    EXPECT_EQ(h->server().refreshCount(), refreshes + 2);
    EXPECT_TRUE(h->server().isGrantActive(CliHarness::Email));
}

TEST_F(CliTest, SaslStringsAreExactlyTheDocumentedBytes)
{
    connectAlice();
    const QByteArray token = h->server().lastIssuedAccessToken().toUtf8();

    const CliRun xo = h->run(args({"token", "alice@example.com", "--sasl", "xoauth2"}));
    ASSERT_EQ(xo.exitCode, cli::Ok) << xo.errForMessage();
    EXPECT_EQ(xo.out.count('\n'), 1);
    EXPECT_TRUE(decoded(xo)
                == "user=alice@example.com\x01"
                   "auth=Bearer "
                       + token + "\x01\x01");

    const CliRun ob = h->run(args({"token", "alice@example.com", "--sasl", "oauthbearer"}));
    ASSERT_EQ(ob.exitCode, cli::Ok) << ob.errForMessage();
    EXPECT_TRUE(decoded(ob)
                == "n,a=alice@example.com,\x01"
                   "auth=Bearer "
                       + token + "\x01\x01");

    const CliRun hp = h->run(args({"token", "alice@example.com", "--sasl", "oauthbearer", "--resource", "smtp",
                                   "--host", "smtp.example.com", "--port", "587"}));
    ASSERT_EQ(hp.exitCode, cli::Ok) << hp.errForMessage();
    EXPECT_TRUE(decoded(hp)
                == "n,a=alice@example.com,\x01host=smtp.example.com\x01port=587\x01"
                   "auth=Bearer "
                       + token + "\x01\x01");

    // A custom provider's sign-in token serves IMAP and SMTP: no extra token request.
    const int refreshes = h->server().refreshCount();
    const CliRun smtp = h->run(args({"token", "alice@example.com", "--resource", "smtp"}));
    EXPECT_TRUE(smtp.out.trimmed() == token);
    EXPECT_EQ(h->server().refreshCount(), refreshes);

    expectOneLineError(h->run(args({"token", "alice@example.com", "--sasl", "plain"})), cli::Usage);
    expectOneLineError(h->run(args({"token", "alice@example.com", "--host", "x.example"})), cli::Usage);
    expectOneLineError(h->run(args({"token", "alice@example.com", "--sasl", "oauthbearer", "--port", "x"})),
                       cli::Usage);
}

TEST_F(CliTest, TokenBadInputGetsOneLineAndTheRightCode)
{
    connectAlice();
    expectOneLineError(h->run(args({"token", "nobody@example.com"})), cli::AccountNotFound);
    expectOneLineError(h->run(args({"token", "not-an-address"})), cli::Usage);
    expectOneLineError(h->run(args({"token", "alice@@example.com"})), cli::Usage);
    expectOneLineError(h->run(args({"token", "alice@example.com", "--provider", "nosuch"})), cli::Usage);
    expectOneLineError(h->run(args({"token", "alice@example.com", "--provider", "google"})), cli::AccountNotFound);
    expectOneLineError(h->run(args({"token", "alice@example.com", "--resource", "pop3"})), cli::Usage);
    expectOneLineError(h->run(args({"token", "alice@example.com", "--verbose"})), cli::Usage);
    expectOneLineError(h->run(args({"token", "alice@example.com", "bob@example.com"})), cli::Usage);
    expectOneLineError(h->run(args({"token"})), cli::Usage);
    // An echoed argument cannot break the line or reach the terminal as an escape sequence.
    const CliRun nasty = h->run({QStringLiteral("token"), QStringLiteral("a\nb\x1b[31m@example.com")});
    expectOneLineError(nasty, cli::Usage);
    EXPECT_FALSE(nasty.err.contains('\x1b'));
    expectOneLineError(h->run({QStringLiteral("--profile"), QStringLiteral("x\ny")}), cli::Usage);
    expectOneLineError(h->run({QStringLiteral("status"), QStringLiteral("--\x1b]0;x")}), cli::Usage);
    expectOneLineError(h->run(args({"tokens", "alice@example.com"})), cli::Usage);
    // Case does not matter for the address.
    EXPECT_EQ(h->run(args({"token", "Alice@Example.COM"})).exitCode, cli::Ok);
}

TEST_F(CliTest, TokenOfARevokedGrantNeedsSignIn)
{
    h->server().setAccessTokenLifetime(45);
    connectAlice();
    h->server().revokeAllGrants();
    const CliRun r = h->run(args({"token", "alice@example.com"}));
    expectOneLineError(r, cli::NeedsSignIn);
    EXPECT_TRUE(h->containsNoSecret(r.err));
    // The message ends with the command that fixes it, with the account's provider.
    EXPECT_TRUE(r.errText().trimmed().endsWith(
        QLatin1String("To sign in again: mailkey-cli connect fake --login-hint alice@example.com")))
        << r.errForMessage();
    const CliRun list = h->run(args({"list", "--json"}));
    EXPECT_EQ(QJsonDocument::fromJson(list.out).array().at(0).toObject().value(QStringLiteral("status")).toString(),
              QStringLiteral("needs-sign-in"))
        << list.out.toStdString();
}

TEST_F(CliTest, TokenWithTheProviderUnreachableIsANetworkFailure)
{
    h->server().setAccessTokenLifetime(45);
    connectAlice();
    h->server().close();
    const CliRun r = h->run(args({"token", "alice@example.com"}));
    expectOneLineError(r, cli::Network);
    EXPECT_TRUE(h->containsNoSecret(r.err));
}

// ---- remove, sign-out-everywhere, status, help ---------------------------------------------------

TEST_F(CliTest, RemoveRevokesAtTheProviderAndDeletesHere)
{
    connectAlice();
    const CliRun r = h->run(args({"remove", "alice@example.com"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_TRUE(r.out.isEmpty());
    EXPECT_TRUE(r.errText().contains(QLatin1String("confirmed"))) << r.errForMessage();
    EXPECT_EQ(h->server().revocationCount(), 1);
    EXPECT_FALSE(h->server().isGrantActive(CliHarness::Email));
    EXPECT_TRUE(h->containsNoSecret(r.err));
    expectOneLineError(h->run(args({"token", "alice@example.com"})), cli::AccountNotFound);
    expectOneLineError(h->run(args({"remove", "alice@example.com"})), cli::AccountNotFound);
    expectOneLineError(h->run(args({"remove", "nonsense"})), cli::Usage);
}

TEST_F(CliTest, RemoveWithoutARevocationEndpointSaysTokensWereOnlyDeletedHere)
{
    h->writeProviders(false);
    connectAlice();
    const CliRun r = h->run(args({"remove", "alice@example.com"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_EQ(h->server().revocationCount(), 0);
    EXPECT_TRUE(h->server().isGrantActive(CliHarness::Email));
    EXPECT_TRUE(r.errText().contains(QLatin1String("from this computer"))) << r.errForMessage();
    EXPECT_FALSE(r.errText().contains(QLatin1String("confirmed"))) << r.errForMessage();
}

TEST_F(CliTest, SignOutEverywhereNeedsYesThenWipesEveryToken)
{
    connectAlice();
    const CliRun refused = h->run(args({"sign-out-everywhere"}));
    EXPECT_EQ(refused.exitCode, cli::Usage);
    EXPECT_TRUE(refused.errText().contains(QLatin1String("--yes")));
    EXPECT_TRUE(h->server().isGrantActive(CliHarness::Email));

    const CliRun r = h->run(args({"sign-out-everywhere", "--yes"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_TRUE(r.out.isEmpty());
    EXPECT_TRUE(r.errText().contains(QLatin1String("Signed out everywhere"))) << r.errForMessage();
    EXPECT_FALSE(h->server().isGrantActive(CliHarness::Email));
    EXPECT_TRUE(h->containsNoSecret(r.err));
    expectOneLineError(h->run(args({"token", "alice@example.com"})), cli::NeedsSignIn);
    // The vault opens with the new key.
    EXPECT_EQ(h->run(args({"list"})).exitCode, cli::Ok);
}

TEST_F(CliTest, StatusSaysTheWindowIsNotRunning)
{
    const CliRun r = h->run(args({"status"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_TRUE(r.outText().contains(QLatin1String("App:       not running"))) << r.out.toStdString();
    EXPECT_TRUE(r.outText().contains(QLatin1String("Accounts:  0")));
    expectOneLineError(h->run(args({"status", "--bogus"})), cli::Usage);
}

TEST_F(CliTest, EveryCommandHasHelpAndTheOverviewListsThemAll)
{
    const CliRun overview = h->run(args({"--help"}));
    ASSERT_EQ(overview.exitCode, cli::Ok);
    for (const char *command : {"connect", "token", "list", "remove", "audit", "rotate-key", "sign-out-everywhere",
                                "status", "reset-vault"}) {
        EXPECT_TRUE(overview.out.contains(command)) << command;
        const CliRun r = h->run(QStringList{QString::fromLatin1(command), QStringLiteral("--help")});
        EXPECT_EQ(r.exitCode, cli::Ok) << command;
        EXPECT_TRUE(r.out.startsWith(QByteArray(QByteArray("Usage: mailkey-cli [--profile NAME] ") + command)))
            << command;
        EXPECT_TRUE(r.err.isEmpty()) << command;
    }
    const CliRun version = h->run(args({"--version"}));
    EXPECT_TRUE(version.out.startsWith("mailkey-cli "));
    expectOneLineError(h->run(args({"--nope"})), cli::Usage);
}

// The administrator's policy in $XDG_CONFIG_DIRS/MailKey/policy.json (never the user's own
// config): --version says which file manages MailKey and which client ids are built in; a provider
// the policy does not allow is refused at sign-in; the mail connection test can be turned off; a
// policy client id wins over the user's environment.
TEST_F(CliTest, TheAdministratorsPolicyIsAppliedAndShown)
{
    const CliRun plain = h->run(args({"--version"}));
    ASSERT_EQ(plain.exitCode, cli::Ok);
    EXPECT_TRUE(plain.outText().contains(QLatin1String("Built-in client id for microsoft: none (set your own)")))
        << plain.outText().toStdString();
    EXPECT_FALSE(plain.outText().contains(QLatin1String("Managed by")));

    QTemporaryDir etc;
    ASSERT_TRUE(etc.isValid());
    ASSERT_TRUE(QDir().mkpath(etc.filePath(QStringLiteral("MailKey"))));
    const QString policyPath = etc.filePath(QStringLiteral("MailKey/policy.json"));
    {
        QFile f(policyPath);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(R"({"allowed_providers": ["fake"], "disabled_features": ["mail_check"],
                    "providers": {"fake": {"client_id": "policy-client"}}})");
    }
    QProcessEnvironment env = h->environment();
    const QProcessEnvironment before = env;
    env.insert(QStringLiteral("XDG_CONFIG_DIRS"), etc.path());
    h->setEnvironment(env);

    const CliRun version = h->run(args({"--version"}));
    ASSERT_EQ(version.exitCode, cli::Ok);
    EXPECT_TRUE(version.outText().contains(QStringLiteral("Managed by your administrator: %1").arg(policyPath)))
        << version.outText().toStdString();

    const CliRun google = h->run(args({"connect", "google", "--no-browser"}));
    EXPECT_NE(google.exitCode, cli::Ok);
    EXPECT_TRUE(google.errText().contains(QLatin1String("administrator does not allow connecting Gmail")))
        << google.errForMessage();

    const CliRun check = h->run(args({"check", "alice@example.com"}));
    expectOneLineError(check, cli::Failure);
    EXPECT_TRUE(check.errText().contains(QLatin1String("turned the mail connection test off")))
        << check.errForMessage();

    // The policy's client id is the one the sign-in uses (the fake server knows only its own, so
    // the address is enough to see it).
    const CliRun connect = h->run(args({"connect", "fake", "--no-browser"}), 3000);
    const QUrl url = CliHarness::signInUrl(connect.err);
    EXPECT_EQ(QUrlQuery(url).queryItemValue(QStringLiteral("client_id")), QStringLiteral("policy-client"))
        << connect.errForMessage();
    h->setEnvironment(before);
}

// ---- the CLI conventions of issue 16 (point 11) ----------------------------------------------------

namespace {

// Every file and folder below `dir` (relative paths, sorted).
QStringList filesBelow(const QString &dir)
{
    QStringList found;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        found << QDir(dir).relativeFilePath(it.next());
    found.sort();
    return found;
}

// Whether the keychain has `entry`, asked directly (not through mailkey-cli).
bool keychainHas(KeyStore &store, const QString &entry)
{
    std::optional<bool> found;
    store.read(entry, [&](Result<SecureBytes> key) { found = key.ok(); });
    waitFor([&] { return found.has_value(); }, 20000);
    return found.value_or(true);
}

// Columns of a terminal for the test's own addresses: CJK ideographs take 2, combining marks 0.
int columns(const QString &text)
{
    int n = 0;
    for (const char32_t c : text.toUcs4())
        n += (c >= 0x4E00 && c <= 0x9FFF) ? 2 : (c >= 0x0300 && c <= 0x036F) ? 0 : 1;
    return n;
}

} // namespace

TEST_F(CliTest, AMistypedProviderGetsADidYouMean)
{
    const struct {
        const char *typed;
        const char *meant;
    } typos[] = {{"gogle", "google"}, {"microsft", "microsoft"}, {"fkae", "fake"}, {"Google", "google"}};
    for (const auto &t : typos) {
        const CliRun r = h->run(args({"connect", t.typed, "--no-browser"}));
        expectOneLineError(r, cli::Usage);
        EXPECT_TRUE(r.errText().contains(QStringLiteral("Did you mean '%1'?").arg(QLatin1String(t.meant))))
            << t.typed << ": " << r.errForMessage();
    }
    const CliRun far = h->run(args({"connect", "yahoo", "--no-browser"}));
    expectOneLineError(far, cli::Usage);
    EXPECT_FALSE(far.errText().contains(QLatin1String("Did you mean"))) << far.errForMessage();
    EXPECT_TRUE(far.errText().contains(QLatin1String("known: "))) << far.errForMessage();
}

TEST_F(CliTest, ListHasAHeaderAndItsColumnsHoldWithLongAndNonAsciiAddresses)
{
    const QStringList emails = {
        QStringLiteral("alice@example.com"),
        QStringLiteral("a.very.long.mailbox.name.for.the.shared.team@subdomain.of.a.long-company-name.example"),
        QStringLiteral("用户名@例子.example"),
        QStringLiteral("jose\u0301.mu\u0308ller@example.com"),
    };
    for (const QString &email : emails) {
        h->server().setUser(
            {QStringLiteral("sub-") + QString::number(qHash(email)), email, QStringLiteral("User"), email});
        const CliRun r = h->connect();
        ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    }
    const CliRun list = h->run(args({"list"}));
    ASSERT_EQ(list.exitCode, cli::Ok) << list.errForMessage();
    const QStringList lines = list.outText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    ASSERT_EQ(lines.size(), emails.size() + 1) << list.out.toStdString();
    EXPECT_TRUE(lines.first().startsWith(QLatin1String("ADDRESS "))) << list.out.toStdString();
    const qsizetype providerAt = lines.first().indexOf(QLatin1String("PROVIDER"));
    const qsizetype statusAt = lines.first().indexOf(QLatin1String("STATUS"));
    const qsizetype expiresAt = lines.first().indexOf(QLatin1String("TOKEN EXPIRES"));
    ASSERT_GT(providerAt, 0);
    for (const QString &email : emails) {
        const auto line = std::find_if(lines.begin(), lines.end(),
                                       [&](const QString &l) { return l.startsWith(email + QLatin1Char(' ')); });
        ASSERT_NE(line, lines.end()) << email.toStdString();
        // The provider, the status and the expiry start in the header's columns, counted as a
        // terminal shows them.
        const qsizetype fake = line->indexOf(QLatin1String("  fake ")) + 2;
        EXPECT_EQ(columns(line->left(fake)), providerAt) << line->toStdString();
        EXPECT_EQ(columns(line->left(line->indexOf(QLatin1String("connected")))), statusAt) << line->toStdString();
        EXPECT_EQ(columns(line->left(line->indexOf(QLatin1String("20")))), expiresAt) << line->toStdString();
    }

    // --json: the same fields as before, plus the version fields and the health clock.
    const CliRun json = h->run(args({"list", "--json"}));
    ASSERT_EQ(json.exitCode, cli::Ok);
    const QJsonArray array = QJsonDocument::fromJson(json.out).array();
    ASSERT_EQ(array.size(), emails.size());
    for (const QJsonValue &v : array) {
        QStringList keys = v.toObject().keys();
        keys.sort();
        EXPECT_EQ(keys.join(QLatin1Char(',')),
                  QStringLiteral("connected_since,display_name,email,expires_at,format,last_refresh_at,"
                                 "mailkey_version,provider,sign_in_needed_by,sign_in_needed_reason,status,"
                                 "status_reason"));
        EXPECT_EQ(v.toObject().value(QStringLiteral("format")).toInt(), 1);
        EXPECT_EQ(v.toObject().value(QStringLiteral("mailkey_version")).toString(), QStringLiteral(MAILKEY_VERSION));
    }
}

TEST_F(CliTest, AnAccountThatIsNotConnectedGetsTheConnectCommand)
{
    const struct {
        const char *email;
        const char *command;
    } cases[] = {
        {"bob@gmail.com", "mailkey-cli connect google --login-hint bob@gmail.com"},
        {"carol@outlook.com", "mailkey-cli connect microsoft --login-hint carol@outlook.com"},
        {"dave@corp.example", "mailkey-cli connect PROVIDER --login-hint dave@corp.example"},
    };
    for (const auto &c : cases) {
        const CliRun r = h->run(args({"token", c.email}));
        expectOneLineError(r, cli::AccountNotFound);
        EXPECT_TRUE(r.errText().trimmed().endsWith(QLatin1String(c.command))) << r.errForMessage();
        EXPECT_TRUE(r.errText().contains(QLatin1String("mailkey-cli list. To connect it: "))) << r.errForMessage();
    }
    // The provider asked for is the one to connect with.
    const CliRun asked = h->run(args({"token", "erin@corp.example", "--provider", "fake"}));
    expectOneLineError(asked, cli::AccountNotFound);
    EXPECT_TRUE(asked.errText().contains(QLatin1String("mailkey-cli connect fake --login-hint erin@corp.example")))
        << asked.errForMessage();
}

TEST_F(CliTest, StatusOnAFirstRunOnlyLooksAndCreatesNothing)
{
    // A new user: an empty home, no MailKey folders, nothing in the keychain for the profile.
    QTemporaryDir home;
    ASSERT_TRUE(home.isValid());
    QProcessEnvironment env = h->environment();
    for (const char *name : {"MAILKEY_DATA_DIR", "MAILKEY_CONFIG_DIR", "XDG_CONFIG_HOME", "XDG_DATA_HOME",
                             "XDG_CACHE_HOME", "XDG_STATE_HOME"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("HOME"), home.path());
    const QProcessEnvironment saved = h->environment();
    h->setEnvironment(env);
    const CliRun text = h->run(args({"status"}));
    const CliRun json = h->run(args({"status", "--json"}));
    const CliRun list = h->run(args({"list"}));
    h->setEnvironment(saved);

    ASSERT_EQ(text.exitCode, cli::Ok) << text.errForMessage();
    EXPECT_TRUE(text.outText().contains(QLatin1String("State:     no vault yet"))) << text.out.toStdString();
    EXPECT_TRUE(text.outText().contains(QLatin1String("Accounts:  0"))) << text.out.toStdString();
    EXPECT_TRUE(text.err.isEmpty()) << text.errForMessage();
    ASSERT_EQ(json.exitCode, cli::Ok) << json.errForMessage();
    const QJsonObject o = QJsonDocument::fromJson(json.out).object();
    EXPECT_EQ(o.value(QStringLiteral("vault")).toString(), QStringLiteral("none")) << json.out.toStdString();
    EXPECT_EQ(o.value(QStringLiteral("accounts")).toInt(-1), 0);
    EXPECT_EQ(o.value(QStringLiteral("format")).toInt(), 1);
    EXPECT_EQ(o.value(QStringLiteral("mailkey_version")).toString(), QStringLiteral(MAILKEY_VERSION));
    EXPECT_EQ(o.value(QStringLiteral("profile")).toString(), h->profileName());
    EXPECT_EQ(o.value(QStringLiteral("window")).toString(), QStringLiteral("not-running"));
    EXPECT_TRUE(o.value(QStringLiteral("vault_path")).toString().startsWith(home.path())) << json.out.toStdString();
    EXPECT_EQ(list.exitCode, cli::Ok) << list.errForMessage();
    EXPECT_TRUE(list.errText().contains(QLatin1String("No accounts are connected"))) << list.errForMessage();

    EXPECT_EQ(filesBelow(home.path()), QStringList()) << filesBelow(home.path()).join(QLatin1Char(' ')).toStdString();
    EXPECT_FALSE(keychainHas(m_keyStore, h->profile().keychainKey()));
    EXPECT_FALSE(keychainHas(m_keyStore, h->profile().pendingKeychainKey()));
}

TEST_F(CliTest, StatusJsonOfAnOpenVault)
{
    connectAlice();
    const CliRun r = h->run(args({"status", "--json"}));
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    EXPECT_EQ(o.value(QStringLiteral("vault")).toString(), QStringLiteral("unlocked")) << r.out.toStdString();
    EXPECT_EQ(o.value(QStringLiteral("accounts")).toInt(), 1);
    EXPECT_FALSE(o.value(QStringLiteral("cipher")).toString().isEmpty());
    EXPECT_TRUE(o.value(QStringLiteral("error")).isNull());
    EXPECT_EQ(o.value(QStringLiteral("keychain_entry")).toString(), h->profile().keychainKey());
    EXPECT_EQ(o.value(QStringLiteral("format")).toInt(), 1);
    EXPECT_TRUE(h->containsNoSecret(r.out));
    // audit --json carries the version fields in each entry.
    const CliRun audit = h->run(args({"audit", "--json"}));
    ASSERT_EQ(audit.exitCode, cli::Ok);
    const QJsonArray entries = QJsonDocument::fromJson(audit.out).array();
    ASSERT_FALSE(entries.isEmpty());
    for (const QJsonValue &e : entries)
        EXPECT_EQ(e.toObject().value(QStringLiteral("format")).toInt(), 1);
}

TEST_F(CliTest, RemoveWithAProvidersFileThatLacksTheProviderSaysSo)
{
    connectAlice();
    const QString other = h->configDir() + QStringLiteral("/other.json");
    QFile f(other);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write(R"({"providers": []})");
    f.close();
    const CliRun r
        = h->run(QStringList{QStringLiteral("remove"), CliHarness::Email, QStringLiteral("--providers"), other});
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_FALSE(r.errText().contains(QLatin1String("offers no way"))) << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(QLatin1String("Its provider, \"fake\", is not among the providers")))
        << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(QLatin1String("security settings"))) << r.errForMessage();
    EXPECT_TRUE(h->server().isGrantActive(CliHarness::Email)) << "nothing was revoked";
    expectOneLineError(h->run(args({"token", "alice@example.com"})), cli::AccountNotFound);
}

TEST_F(CliTest, BashCompletionOffersTheConnectedAddresses)
{
    const QString script = qEnvironmentVariable("MAILKEY_COMPLETIONS_DIR") + QStringLiteral("/mailkey-cli.bash");
    ASSERT_TRUE(QFile::exists(script)) << script.toStdString();
    connectAlice();
    // bash sets COMP_WORDS and COMP_CWORD and calls the function; COMPREPLY is what it offers.
    const auto complete = [&](const QStringList &words) {
        QProcess bash;
        bash.setProcessEnvironment(h->environment());
        bash.start(QStringLiteral("bash"),
                   QStringList{QStringLiteral("--norc"), QStringLiteral("--noprofile"), QStringLiteral("-c"),
                               QStringLiteral("source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
                                              "_mailkey_cli; printf '%s\\n' \"${COMPREPLY[@]}\""),
                               QStringLiteral("bash"), script, qEnvironmentVariable("MAILKEY_CLI")}
                       + words);
        bash.waitForFinished(30000);
        return QString::fromUtf8(bash.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    };
    const QString profile = h->profileName();
    EXPECT_EQ(complete({QStringLiteral("--profile"), profile, QStringLiteral("token"), QString()}),
              QStringList{CliHarness::Email});
    EXPECT_EQ(complete({QStringLiteral("--profile"), profile, QStringLiteral("remove"), QStringLiteral("al")}),
              QStringList{CliHarness::Email});
    // --profile may also follow the command.
    EXPECT_EQ(complete({QStringLiteral("check"), QStringLiteral("--profile"), profile, QStringLiteral("al")}),
              QStringList{CliHarness::Email});
    EXPECT_EQ(complete({QStringLiteral("--profile"), profile, QStringLiteral("remove"), QStringLiteral("bo")}),
              QStringList());
    // The provider of providers.json is offered to connect.
    EXPECT_TRUE(complete({QStringLiteral("connect"), QString()}).contains(QStringLiteral("fake")));
    // Turned off: no address, and mailkey-cli is not run.
    QProcessEnvironment env = h->environment();
    env.insert(QStringLiteral("MAILKEY_COMPLETE_ACCOUNTS"), QStringLiteral("0"));
    const QProcessEnvironment saved = h->environment();
    h->setEnvironment(env);
    EXPECT_EQ(complete({QStringLiteral("--profile"), profile, QStringLiteral("token"), QString()}), QStringList());
    h->setEnvironment(saved);
}

// erase-all: asks for --yes first; then revokes at the provider, deletes the vault, its WAL/SHM and
// every copy reset-vault kept with their keychain entries, and with --all-profiles the settings and
// providers file. Checked by a scan of the folders and of the keychain (secret-tool).
TEST_F(CliTest, EraseAllRevokesThenLeavesNoFileAndNoKeychainEntry)
{
    connectAlice();
    ASSERT_EQ(h->run(args({"token", "alice@example.com"})).exitCode, cli::Ok);
    // A vault reset-vault moved aside, and the key it kept for it.
    const QString stamp = QStringLiteral("20261201-101010");
    {
        QFile aside(h->profile().databasePath() + QStringLiteral(".unreadable-") + stamp);
        ASSERT_TRUE(aside.open(QIODevice::WriteOnly));
        aside.write("old vault");
    }
    {
        KeyStore store;
        std::optional<Status> written;
        store.write(h->profile().keychainKey() + QStringLiteral(":aside-") + stamp, QByteArray(32, 'k'),
                    [&written](Status s) { written = s; });
        ASSERT_TRUE(waitFor([&] { return written.has_value(); }, 10000));
        ASSERT_TRUE(written->ok());
    }
    QSettings(h->configDir() + QStringLiteral("/settings.ini"), QSettings::IniFormat)
        .setValue(QStringLiteral("window/geometry"), QByteArray("x"));
    const auto filesLeft = [this] {
        QStringList left;
        for (const QString &root : {h->dataDir(), h->configDir()}) {
            QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
            while (it.hasNext())
                left << it.next();
        }
        return left;
    };
    // The keychain entries of this test's profile, as the Secret Service lists them.
    const auto entriesLeft = [this] {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels); // secret-tool prints the attributes on stderr
        p.start(QStringLiteral("secret-tool"), {QStringLiteral("search"), QStringLiteral("--all"),
                                                QStringLiteral("server"), QStringLiteral("MailKey")});
        EXPECT_TRUE(p.waitForFinished(10000));
        QStringList mine;
        for (const QByteArray &line : p.readAllStandardOutput().split('\n')) {
            if (line.startsWith("attribute.user = ") && line.contains(h->profileName().toUtf8()))
                mine << QString::fromUtf8(line);
        }
        return mine;
    };
    ASSERT_EQ(entriesLeft().size(), 2) << entriesLeft().join(QLatin1Char(' ')).toStdString();
    const QStringList before = filesLeft();
    ASSERT_GE(before.size(), 3) << before.join(QLatin1Char(' ')).toStdString();

    // Without --yes: says what it would do, does nothing.
    const CliRun ask = h->run(args({"erase-all", "--all-profiles"}));
    expectOneLineError(ask, cli::Usage);
    EXPECT_TRUE(ask.errText().contains(QLatin1String("--yes")));
    EXPECT_EQ(filesLeft(), before);

    const int revokes = h->server().requestCount(FakeAuthServer::Endpoint::Revoke);
    const CliRun erased = h->run(args({"erase-all", "--yes", "--all-profiles"}));
    ASSERT_EQ(erased.exitCode, cli::Ok) << erased.errForMessage();
    EXPECT_TRUE(erased.err.isEmpty()) << erased.errForMessage();
    EXPECT_EQ(h->server().requestCount(FakeAuthServer::Endpoint::Revoke), revokes + 1);
    EXPECT_TRUE(erased.outText().contains(QLatin1String("alice@example.com: MailKey's access revoked at the provider")))
        << erased.outText().toStdString();
    EXPECT_TRUE(erased.outText().contains(h->profile().databasePath()));
    EXPECT_TRUE(erased.outText().contains(QStringLiteral(".unreadable-") + stamp));
    EXPECT_TRUE(erased.outText().contains(QLatin1String("settings.ini")));
    EXPECT_TRUE(erased.outText().contains(QLatin1String("providers.json")));
    EXPECT_TRUE(h->containsNoSecret(erased.out));
    EXPECT_EQ(filesLeft(), QStringList());
    EXPECT_EQ(entriesLeft(), QStringList());
    // And again: nothing left to remove.
    const CliRun again = h->run(args({"erase-all", "--yes", "--all-profiles"}));
    EXPECT_EQ(again.exitCode, cli::Ok) << again.errForMessage();
    EXPECT_TRUE(again.outText().contains(QLatin1String("nothing of MailKey to remove")))
        << again.outText().toStdString();
}

// Audit retention from the command line: entries older than --keep-days go under a hash
// checkpoint, and --verify still proves the rest.
TEST_F(CliTest, AuditPruneKeepsTheChainProvable)
{
    ASSERT_EQ(h->run(args({"audit"})).exitCode, cli::Ok); // a vault, with old entries first
    {
        std::shared_ptr<Vault> v = vault();
        ASSERT_TRUE(v);
        for (int i = 0; i < 5; ++i) {
            AuditEntry e;
            e.action = QStringLiteral("token.refreshed");
            e.outcome = QStringLiteral("ok");
            e.at = QDateTime::currentDateTimeUtc().addDays(-400 + i);
            ASSERT_TRUE(v->appendAudit(e).ok());
        }
        m_vault.reset();
    }
    connectAlice();
    expectOneLineError(h->run(args({"audit", "--prune", "--keep-days", "0"})), cli::Usage);
    const CliRun pruned = h->run(args({"audit", "--prune", "--keep-days", "30"}));
    ASSERT_EQ(pruned.exitCode, cli::Ok) << pruned.errForMessage();
    EXPECT_TRUE(pruned.outText().contains(QLatin1String("older than 30 days removed")))
        << pruned.outText().toStdString();
    EXPECT_TRUE(pruned.outText().startsWith(QLatin1String("5 audit entries"))) << pruned.outText().toStdString();
    const CliRun verify = h->run(args({"audit", "--verify"}));
    EXPECT_EQ(verify.exitCode, cli::Ok) << verify.outText().toStdString();
    const CliRun log = h->run(args({"audit"}));
    EXPECT_TRUE(log.outText().contains(QLatin1String("audit.pruned"))) << log.outText().toStdString();

    // A date range, as JSON: the person's own export of a period.
    const QString today = QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate);
    const CliRun range = h->run(QStringList{QStringLiteral("audit"), QStringLiteral("--json"),
                                            QStringLiteral("--since"), today, QStringLiteral("--until"), today});
    ASSERT_EQ(range.exitCode, cli::Ok) << range.errForMessage();
    const QJsonArray inRange = QJsonDocument::fromJson(range.out).array();
    EXPECT_FALSE(inRange.isEmpty());
    const CliRun before
        = h->run(QStringList{QStringLiteral("audit"), QStringLiteral("--json"), QStringLiteral("--until"),
                             QDateTime::currentDateTimeUtc().date().addDays(-1).toString(Qt::ISODate)});
    ASSERT_EQ(before.exitCode, cli::Ok) << before.errForMessage();
    EXPECT_TRUE(QJsonDocument::fromJson(before.out).array().isEmpty()) << before.out.toStdString(); // pruned
    expectOneLineError(h->run(args({"audit", "--until", "soon"})), cli::Usage);
}
