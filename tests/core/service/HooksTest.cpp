// Hooks (issue 14): real shell scripts as the user's commands, run by AccountService on account
// events against the fake authorization server, with the vault unlocked through a real Secret
// Service. Each event runs its hook exactly once per occurrence, with the event and the address in
// the environment and no token; a hook that hangs is stopped at its time limit (and audited so)
// while refreshes go on; a failing or missing command is audited and changes nothing else.
#include "core/service/Hooks.h"
#include "core/common/Clock.h"
#include "core/keychain/KeyStore.h"
#include "core/oauth/ConnectSession.h"
#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/service/AccountServiceTestAccess.h"
#include "core/service/AppSettings.h"
#include "core/vault/Vault.h"
#include "tests/support/TestUtil.h"
#include "tests/support/fakeidp/FakeAuthServer.h"
#include "tests/support/fakeidp/FakeBrowser.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <set>
#include <signal.h>
#include <sys/types.h>

using namespace mailkey;
using mailkey::test::FakeAuthServer;
using mailkey::test::FakeBrowser;
using mailkey::test::waitFor;

namespace {

const QString kClient = QStringLiteral("hooks-test-client");
const QString kSecret = QStringLiteral("hooks-test-secret");
const QString kEmail = QStringLiteral("hana@example.com");

// The descriptors this test program inherited from whoever started it (ctest, dbus-run-session),
// read before anything of Qt or MailKey opened one: a hook may inherit these, and nothing else.
std::set<int> openDescriptors()
{
    std::set<int> out;
    if (DIR *dir = ::opendir("/proc/self/fd")) {
        while (const dirent *e = ::readdir(dir)) {
            if (e->d_name[0] != '.')
                out.insert(std::atoi(e->d_name));
        }
        ::closedir(dir);
    }
    return out;
}
const std::set<int> g_inherited = openDescriptors();

bool processAlive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH);
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every file of `dir` whose name starts with `prefix`, by name.
QStringList filesOf(const QString &dir, const QString &prefix)
{
    QStringList out;
    const QStringList names = QDir(dir).entryList({prefix + QLatin1Char('*')}, QDir::Files, QDir::Name);
    for (const QString &n : names)
        out.append(dir + QLatin1Char('/') + n);
    return out;
}

// NAME=value lines of an `env` dump.
QMap<QString, QString> parseEnv(const QByteArray &dump)
{
    QMap<QString, QString> out;
    for (const QByteArray &line : dump.split('\n')) {
        const int eq = line.indexOf('=');
        if (eq > 0)
            out.insert(QString::fromUtf8(line.left(eq)), QString::fromUtf8(line.mid(eq + 1)));
    }
    return out;
}

} // namespace

// The Hooks class alone: the cap on concurrent runs, the queue, and a run dropped beyond it.
TEST(Hooks, AtMostMaxConcurrentRunAtOnceTheRestWaitAndBeyondTheQueueOneIsDropped)
{
    QList<AuditEntry> audit;
    Hooks hooks;
    hooks.setAuditSink([&audit](const AuditEntry &e) { audit.append(e); });
    HookSettings s;
    s.commands.insert(HookEvent::TokenRefreshed, QStringLiteral("sleep 0.3"));
    s.maxConcurrent = 2;
    s.maxQueued = 3;
    hooks.setSettings(s);
    int peak = 0;
    QObject::connect(&hooks, &Hooks::runFinished, &hooks, [&] { peak = qMax(peak, hooks.runningCount()); });
    for (int i = 0; i < 6; ++i)
        hooks.fire(HookContext{HookEvent::TokenRefreshed, 7, kEmail, QStringLiteral("p"), QStringLiteral("x"), {}, {}});
    EXPECT_EQ(hooks.runningCount(), 2);
    EXPECT_EQ(hooks.queuedCount(), 3);
    ASSERT_EQ(audit.size(), 1); // the sixth: dropped, at once
    EXPECT_EQ(audit.first().outcome, QStringLiteral("dropped"));
    EXPECT_EQ(audit.first().action, QStringLiteral("hook.run"));
    ASSERT_TRUE(waitFor([&] { return audit.size() == 6; }, 10000));
    EXPECT_EQ(hooks.runningCount(), 0);
    EXPECT_LE(peak, 2);
    int ok = 0;
    for (const AuditEntry &e : std::as_const(audit)) {
        if (e.outcome == QLatin1String("ok")) {
            ++ok;
            EXPECT_TRUE(e.detail.contains(QStringLiteral("event=token_refreshed; program=sleep; exit code 0")))
                << e.detail.toStdString();
            EXPECT_EQ(e.accountId, 7);
            EXPECT_EQ(e.accountEmail, kEmail);
        }
    }
    EXPECT_EQ(ok, 5);
}

TEST(Hooks, SettingsRoundTripThroughSettingsIni)
{
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        // QSettings' INI rules: a value with quotes is written in quotes, with \" inside; an
        // unquoted comma would make a list.
        f.write("[hooks]\nneeds_sign_in=\"notify-send \\\"MailKey\\\" \\\"sign in again\\\"\"\n"
                "any=/usr/bin/logger -t mailkey, then more\ntimeout_seconds=5\n");
    }
    AppSettings settings(path);
    HookSettings h = settings.hookSettings();
    EXPECT_EQ(h.commands.value(HookEvent::NeedsSignIn), QStringLiteral("notify-send \"MailKey\" \"sign in again\""));
    EXPECT_EQ(h.any, QStringLiteral("/usr/bin/logger -t mailkey, then more"));
    EXPECT_EQ(h.timeoutSeconds, 5);
    EXPECT_EQ(h.commandsFor(HookEvent::NeedsSignIn).size(), 2);
    EXPECT_EQ(h.commandsFor(HookEvent::TokenRefreshed), QStringList{h.any});
    h.commands.insert(HookEvent::ExpiringSoon, QStringLiteral("sh -c \"echo 'a, b' >> /tmp/x\""));
    h.timeoutSeconds = 100000; // out of range: the default when read
    settings.setHookSettings(h);
    settings.sync();
    AppSettings again(path);
    EXPECT_EQ(again.hookSettings().commands.value(HookEvent::ExpiringSoon), h.commands.value(HookEvent::ExpiringSoon));
    EXPECT_EQ(again.hookSettings().commands.value(HookEvent::NeedsSignIn), h.commands.value(HookEvent::NeedsSignIn));
    EXPECT_EQ(again.hookSettings().timeoutSeconds, 30);
    EXPECT_TRUE(AppSettings(dir.filePath(QStringLiteral("none.ini"))).hookSettings().isEmpty());
}

class HooksServiceTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        ASSERT_TRUE(m_dir.isValid());
        ASSERT_TRUE(m_server.listen());
        m_server.addClient({kClient, kSecret, {}});
        m_server.setUser({QStringLiteral("sub-hana"), kEmail, QStringLiteral("Hana"), kEmail});
        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        // A Microsoft-kind provider takes its client id from the settings (like the built-in one).
        ProviderRegistry::Settings ids;
        ids.insert(QStringLiteral("provider/fake-hooks/client_id"), kClient);
        ids.insert(QStringLiteral("provider/fake-hooks/client_secret"), kSecret);
        m_registry = std::make_unique<ProviderRegistry>(ids, QProcessEnvironment());
        // A provider whose token endpoint is the fake server, so its tokens are really refreshed.
        Provider p;
        p.id = QStringLiteral("fake-hooks");
        p.displayName = QStringLiteral("Fake Hooks");
        p.kind = Provider::Kind::Microsoft;
        p.issuer = m_server.issuer();
        p.authorizationEndpoint = m_server.authorizeUrl();
        p.tokenEndpoint = m_server.tokenUrl();
        p.mailApi = Provider::MailApi::MicrosoftGraph; // the profile comes from its /me
        p.setMailApiBase(QUrl(m_server.baseUrl().toString() + QStringLiteral("v1.0")));
        p.clientId = kClient;
        p.clientSecret = kSecret;
        p.scopes = {QStringLiteral("openid"),         QStringLiteral("profile"),   QStringLiteral("email"),
                    QStringLiteral("offline_access"), QStringLiteral("User.Read"), QStringLiteral("Mail.Read")};
        p.redirectPath = QStringLiteral("/oauth/fake-hooks");
        ProviderFile::Contents contents;
        contents.providers = {p};
        m_registry->setCustomProviders(contents);
        ASSERT_TRUE(m_registry->provider(QStringLiteral("fake-hooks")).isValid());

        m_profile = test::uniqueName(QStringLiteral("hooks"));
        m_service = std::make_unique<AccountService>(Profile(m_profile), &m_nam, m_registry.get());
        ConnectSession::Options options;
        options.openBrowser = false;
        options.profileRetry = RetryPolicy::fast();
        m_service->setConnectOptions(options);
        m_service->setAutoRefresh(false); // only the refreshes the test asks for
    }

    void TearDown() override
    {
        noteIssued();
        QList<QByteArray> secrets;
        for (const QString &t : std::as_const(m_issued))
            secrets.append(t.toUtf8());
        secrets.append(kSecret.toUtf8());
        test::expectNotLogged(secrets);
        m_service.reset();
    }

    // Writes an executable shell script into the test's folder; returns its path.
    QString script(const QString &name, const QByteArray &body)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        EXPECT_TRUE(f.open(QIODevice::WriteOnly));
        f.write("#!/bin/sh\n" + body);
        f.close();
        f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        return path;
    }

    // Every token, code and id_token the fake server has issued so far (and every refresh token
    // sent back to it).
    void noteIssued()
    {
        for (const QString &t : {m_server.lastIssuedAccessToken(), m_server.lastIssuedRefreshToken(),
                                 m_server.lastIssuedCode(), m_server.lastIssuedIdToken()}) {
            if (!t.isEmpty() && !m_issued.contains(t))
                m_issued.append(t);
        }
        for (const auto &request : m_server.tokenRequests()) {
            for (const char *key : {"refresh_token", "code", "code_verifier"}) {
                const QString v = request.value(QString::fromLatin1(key));
                if (!v.isEmpty() && !m_issued.contains(v))
                    m_issued.append(v);
            }
        }
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

    Account connect()
    {
        ConnectSession *session = m_service->connectAccount(QStringLiteral("fake-hooks"));
        EXPECT_NE(session, nullptr);
        if (!session)
            return {};
        auto account = std::make_shared<std::optional<Account>>();
        auto failed = std::make_shared<std::optional<Error>>();
        QObject::connect(session, &ConnectSession::succeeded, session,
                         [account](const Account &a, bool, const QString &) { *account = a; });
        QObject::connect(session, &ConnectSession::failed, session, [failed](const Error &e) { *failed = e; });
        QObject::connect(session, &ConnectSession::authorizationUrlReady, &m_browser,
                         [this](const QUrl &url) { m_browser.open(url); });
        EXPECT_TRUE(waitFor([&] { return account->has_value() || failed->has_value(); }, 20000));
        EXPECT_FALSE(failed->has_value()) << (*failed ? (*failed)->message.toStdString() : std::string());
        noteIssued();
        return account->value_or(Account());
    }

    // refreshNow, waited for; its result.
    Status refresh(qint64 id)
    {
        QSignalSpy finished(m_service.get(), &AccountService::refreshFinished);
        m_service->refreshNow(id);
        EXPECT_TRUE(waitFor([&] { return finished.count() == 1; }, 15000));
        noteIssued();
        return finished.isEmpty() ? Status(Error(ErrorCode::Internal, QStringLiteral("no answer")))
                                  : finished.first().at(1).value<Status>();
    }

    QList<AuditEntry> hookRuns()
    {
        QList<AuditEntry> out;
        for (const AuditEntry &e : m_service->auditFor(0, 1000)) {
            if (e.action == QLatin1String("hook.run"))
                out.append(e);
        }
        return out;
    }

    QTemporaryDir m_dir;
    FakeAuthServer m_server;
    QNetworkAccessManager m_nam;
    FakeBrowser m_browser{&m_nam};
    std::unique_ptr<ProviderRegistry> m_registry;
    QString m_profile;
    std::unique_ptr<AccountService> m_service;
    QStringList m_issued;
};

TEST_F(HooksServiceTest, EachEventRunsItsHookExactlyOnceWithTheAddressAndNoToken)
{
    // Each run leaves one file: its whole environment, and what it has open.
    const QByteArray body = "n=$(date +%s%N)-$$\n"
                            "env > \"$HOOK_DIR/env-$MAILKEY_EVENT-$n\"\n"
                            "ls -l /proc/$$/fd/ > \"$HOOK_DIR/fds-$MAILKEY_EVENT-$n\" 2>&1\n";
    const QString hook = script(QStringLiteral("hook.sh"), body);
    const QString any = script(QStringLiteral("any.sh"), "echo \"$MAILKEY_EVENT\" >> \"$HOOK_DIR/any.log\"\n");
    qputenv("HOOK_DIR", QFile::encodeName(m_dir.path()));
    qputenv("MAILKEY_TEST_SECRET_TOKEN", "must-not-reach-a-hook");
    qputenv("SOME_API_TOKEN", "must-not-reach-a-hook-either");
    HookSettings settings;
    for (const HookEvent e : allHookEvents())
        settings.commands.insert(e, hook);
    settings.any = any;
    settings.timeoutSeconds = 20;
    m_service->setHooks(settings);
    startService();
    const Account a = connect();
    ASSERT_GT(a.id, 0);
    const auto count = [&](const QString &event) {
        return int(filesOf(m_dir.path(), QStringLiteral("env-") + event + QLatin1Char('-')).size());
    };
    const auto settle = [&](int runs) {
        // Every run (own + catch-all) audited, i.e. ended.
        EXPECT_TRUE(waitFor([&] { return hookRuns().size() == runs; }, 15000)) << hookRuns().size() << " of " << runs;
    };
    EXPECT_EQ(hookRuns().size(), 0); // a sign-in is no hook event

    // A refresh: token_refreshed.
    ASSERT_TRUE(refresh(a.id).ok());
    settle(2);
    EXPECT_EQ(count(QStringLiteral("token_refreshed")), 1);

    // An outage, retried three times: refresh_failed once (the account went Offline once).
    FakeAuthServer::Fault outage;
    outage.kind = FakeAuthServer::Fault::ServerError;
    outage.httpStatus = 503;
    outage.count = 3;
    m_server.injectFault(FakeAuthServer::Endpoint::Token, outage);
    for (int i = 0; i < 3; ++i)
        EXPECT_FALSE(refresh(a.id).ok());
    EXPECT_EQ(m_service->account(a.id)->status, AccountStatus::Offline);
    settle(4);
    EXPECT_EQ(count(QStringLiteral("refresh_failed")), 1);
    // Healthy again, then failing again: a new streak, a new refresh_failed.
    ASSERT_TRUE(refresh(a.id).ok());
    outage.count = 1;
    m_server.injectFault(FakeAuthServer::Endpoint::Token, outage);
    EXPECT_FALSE(refresh(a.id).ok());
    settle(8);
    EXPECT_EQ(count(QStringLiteral("token_refreshed")), 2);
    EXPECT_EQ(count(QStringLiteral("refresh_failed")), 2);

    // The grant revoked at the provider: needs_sign_in, once, however often it is tried.
    m_server.revokeAllGrants();
    EXPECT_EQ(refresh(a.id).error().code, ErrorCode::NeedsSignIn);
    EXPECT_FALSE(refresh(a.id).ok());
    EXPECT_EQ(m_service->account(a.id)->status, AccountStatus::NeedsSignIn);
    settle(10);
    EXPECT_EQ(count(QStringLiteral("needs_sign_in")), 1);
    EXPECT_EQ(count(QStringLiteral("refresh_failed")), 2); // not also a refresh failure

    // The health clock's warning: once per predicted date.
    const QDateTime end = QDateTime::currentDateTimeUtc().addDays(3);
    m_service->notifyExpiringSoon(a.id, end, QStringLiteral("unused for 87 days"));
    m_service->notifyExpiringSoon(a.id, end.addSecs(60), QStringLiteral("unused for 87 days"));
    settle(12);
    EXPECT_EQ(count(QStringLiteral("expiring_soon")), 1);

    // Removal.
    QSignalSpy removed(m_service.get(), &AccountService::accountRemoved);
    m_service->removeAccount(a.id);
    ASSERT_TRUE(waitFor([&] { return removed.count() == 1; }));
    settle(14);
    EXPECT_EQ(count(QStringLiteral("account_removed")), 1);
    // Nothing more runs later.
    QTest::qWait(300);
    EXPECT_EQ(hookRuns().size(), 14);
    EXPECT_EQ(filesOf(m_dir.path(), QStringLiteral("env-")).size(), 7);

    // The catch-all ran once per event, in order.
    EXPECT_EQ(QString::fromUtf8(readAll(m_dir.filePath(QStringLiteral("any.log"))))
                  .split(QLatin1Char('\n'), Qt::SkipEmptyParts),
              (QStringList{QStringLiteral("token_refreshed"), QStringLiteral("refresh_failed"),
                           QStringLiteral("token_refreshed"), QStringLiteral("refresh_failed"),
                           QStringLiteral("needs_sign_in"), QStringLiteral("expiring_soon"),
                           QStringLiteral("account_removed")}));
    for (const AuditEntry &e : hookRuns()) {
        EXPECT_EQ(e.outcome, QStringLiteral("ok")) << e.detail.toStdString();
        EXPECT_EQ(e.accountEmail, kEmail);
        EXPECT_TRUE(e.detail.contains(QStringLiteral("program=hook.sh"))
                    || e.detail.contains(QStringLiteral("program=any.sh")))
            << e.detail.toStdString();
        EXPECT_FALSE(e.detail.contains(m_dir.path())) << "the program's name only";
    }

    // What each hook saw: the event, the address, the provider and profile; never a token.
    noteIssued();
    ASSERT_GE(m_issued.size(), 6);
    const QString vaultDir = QFileInfo(m_service->vaultPath()).absolutePath();
    for (const QString &file : filesOf(m_dir.path(), QStringLiteral("env-"))) {
        const QByteArray dump = readAll(file);
        const QMap<QString, QString> env = parseEnv(dump);
        const QString event = env.value(QStringLiteral("MAILKEY_EVENT"));
        EXPECT_TRUE(QFileInfo(file).fileName().startsWith(QStringLiteral("env-") + event));
        EXPECT_EQ(env.value(QStringLiteral("MAILKEY_ACCOUNT")), kEmail);
        EXPECT_EQ(env.value(QStringLiteral("MAILKEY_PROVIDER")), QStringLiteral("fake-hooks"));
        EXPECT_EQ(env.value(QStringLiteral("MAILKEY_PROFILE")), m_profile);
        EXPECT_FALSE(env.contains(QStringLiteral("MAILKEY_TEST_SECRET_TOKEN")));
        EXPECT_FALSE(env.contains(QStringLiteral("SOME_API_TOKEN")));
        EXPECT_FALSE(dump.contains("must-not-reach"));
        EXPECT_EQ(env.value(QStringLiteral("HOOK_DIR")), m_dir.path()); // the rest is inherited
        for (const QString &secret : std::as_const(m_issued))
            EXPECT_FALSE(dump.contains(secret.toUtf8())) << "a token reached the " << event.toStdString() << " hook";
        EXPECT_FALSE(dump.contains(kSecret.toUtf8()));
        if (event == QLatin1String("needs_sign_in") || event == QLatin1String("refresh_failed")) {
            EXPECT_FALSE(env.value(QStringLiteral("MAILKEY_REASON")).isEmpty()) << event.toStdString();
        }
        if (event == QLatin1String("expiring_soon")) {
            EXPECT_EQ(env.value(QStringLiteral("MAILKEY_REASON")), QStringLiteral("unused for 87 days"));
            EXPECT_EQ(env.value(QStringLiteral("MAILKEY_EXPIRES_AT")), end.toString(Qt::ISODate));
        }
        if (event == QLatin1String("token_refreshed")) {
            EXPECT_GT(QDateTime::fromString(env.value(QStringLiteral("MAILKEY_EXPIRES_AT")), Qt::ISODate),
                      QDateTime::currentDateTimeUtc());
        }
        // Nothing of MailKey's stays open in the child: no socket, no pipe, no vault file.
        const QString fds
            = QString::fromUtf8(readAll(QString(file).replace(QStringLiteral("/env-"), QStringLiteral("/fds-"))));
        ASSERT_FALSE(fds.isEmpty());
        EXPECT_FALSE(fds.contains(vaultDir)) << fds.toStdString();
        int seen = 0;
        for (const QString &line : fds.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const int arrow = line.indexOf(QStringLiteral(" -> "));
            if (arrow < 0)
                continue;
            ++seen;
            const int fd = line.left(arrow).section(QLatin1Char(' '), -1).toInt();
            const QString target = line.mid(arrow + 4);
            // stdin/out/err, and the shell's own (its script, its redirections, saved copies).
            if (fd <= 2 || target == QLatin1String("/dev/null") || target.startsWith(m_dir.path()))
                continue;
            EXPECT_TRUE(g_inherited.count(fd) == 1)
                << "descriptor " << fd << " (" << target.toStdString() << ") leaked into the hook";
        }
        EXPECT_GE(seen, 3);
    }
    qunsetenv("MAILKEY_TEST_SECRET_TOKEN");
    qunsetenv("SOME_API_TOKEN");
}

TEST_F(HooksServiceTest, AHangingHookIsStoppedAtItsTimeLimitWhileRefreshesGoOn)
{
    // Ignores SIGTERM: the time limit ends with SIGKILL.
    const QString hang
        = script(QStringLiteral("hang.sh"), "trap '' TERM\necho $$ >> \"$HOOK_DIR/pids\"\nexec sleep 1000\n");
    qputenv("HOOK_DIR", QFile::encodeName(m_dir.path()));
    HookSettings settings;
    settings.commands.insert(HookEvent::TokenRefreshed, hang);
    settings.timeoutSeconds = 1;
    m_service->setHooks(settings);
    startService();
    const Account a = connect();
    ASSERT_GT(a.id, 0);
    const auto pids = [&] {
        QList<qint64> out;
        for (const QByteArray &l : readAll(m_dir.filePath(QStringLiteral("pids"))).split('\n')) {
            if (!l.trimmed().isEmpty())
                out.append(l.trimmed().toLongLong());
        }
        return out;
    };
    ASSERT_TRUE(refresh(a.id).ok());
    ASSERT_TRUE(waitFor([&] { return pids().size() == 1; }, 5000));
    // The hook hangs; the next refresh is not held up by it.
    QElapsedTimer clock;
    clock.start();
    ASSERT_TRUE(refresh(a.id).ok());
    EXPECT_LT(clock.elapsed(), 1000);
    EXPECT_TRUE(processAlive(pids().first()));
    EXPECT_TRUE(hookRuns().isEmpty());
    ASSERT_TRUE(waitFor([&] { return pids().size() == 2; }, 5000));

    // Both stopped at the limit (SIGTERM ignored, so SIGKILL two seconds later), and audited so.
    ASSERT_TRUE(waitFor([&] { return hookRuns().size() == 2; }, 10000));
    for (const AuditEntry &e : hookRuns()) {
        EXPECT_EQ(e.outcome, QStringLiteral("timed-out"));
        EXPECT_TRUE(e.detail.contains(QStringLiteral("event=token_refreshed; program=hang.sh; stopped at the time "
                                                     "limit of 1 s")))
            << e.detail.toStdString();
    }
    for (const qint64 pid : pids())
        EXPECT_TRUE(waitFor([&] { return !processAlive(pid); }, 3000)) << pid;
    EXPECT_EQ(m_service->account(a.id)->status, AccountStatus::Connected);
}

TEST_F(HooksServiceTest, AFailingOrMissingCommandIsAuditedAndChangesNothingElse)
{
    HookSettings settings;
    settings.commands.insert(HookEvent::TokenRefreshed, m_dir.filePath(QStringLiteral("no-such-hook")));
    settings.any = QStringLiteral("sh -c \"exit 3\""); // double quotes group (no single quotes)
    m_service->setHooks(settings);
    startService();
    const Account a = connect();
    ASSERT_GT(a.id, 0);
    const int refreshes = m_server.refreshCount();
    ASSERT_TRUE(refresh(a.id).ok());
    ASSERT_TRUE(waitFor([&] { return hookRuns().size() == 2; }, 5000));
    QStringList outcomes;
    for (const AuditEntry &e : hookRuns())
        outcomes.append(e.outcome + QLatin1Char(' ') + e.detail.section(QLatin1Char(';'), 1, 2).trimmed());
    outcomes.sort();
    EXPECT_EQ(outcomes, (QStringList{QStringLiteral("failed program=sh; exit code 3"),
                                     QStringLiteral("not-started program=no-such-hook; could not start")}));
    // The refresh itself is untouched, and so is the account.
    EXPECT_EQ(m_server.refreshCount(), refreshes + 1);
    EXPECT_EQ(m_service->account(a.id)->status, AccountStatus::Connected);
    ASSERT_TRUE(refresh(a.id).ok());
    ASSERT_TRUE(waitFor([&] { return hookRuns().size() == 4; }, 5000));
    EXPECT_EQ(m_service->account(a.id)->status, AccountStatus::Connected);
}

// The health warnings (issue 14): an account whose sign-in is expected to be needed within
// warnDays gets the expiring_soon hook, an alert and a desktop notification, once per account and
// date, however often accounts change; an account far from its date gets none.
TEST_F(HooksServiceTest, HealthWarningRunsTheExpiringSoonHookOnceWithAnAlertAndADesktopNotification)
{
    const QString hook = script(QStringLiteral("expiring.sh"),
                                "echo \"$MAILKEY_ACCOUNT $MAILKEY_EXPIRES_AT\" >> \"$HOOK_DIR/expiring.log\"\n");
    qputenv("HOOK_DIR", QFile::encodeName(m_dir.path()));
    HookSettings settings;
    settings.commands.insert(HookEvent::ExpiringSoon, hook);
    settings.timeoutSeconds = 20;
    m_service->setHooks(settings);
    const QDateTime now(QDate(2026, 12, 7), QTime(12, 0), QTimeZone::utc());
    ManualClock clock(now);
    m_service->setClock(&clock);
    QStringList notifications;
    m_service->setDesktopNotifier([&notifications](const QString &title, const QString &body) {
        notifications.append(title + QLatin1Char('|') + body);
        return true;
    });
    startService();

    // Stored as a sign-in long ago would have stored them: Microsoft unused for 88 days (2 days
    // left), Google in Testing signed in 5 days ago (2 days left), Microsoft signed in today.
    const std::shared_ptr<Vault> vault = AccountServiceTestAccess::vault(*m_service);
    ASSERT_NE(vault, nullptr);
    const auto store = [&](const QString &provider, const QString &email, const QDateTime &at) {
        TokenRecord t;
        t.accessToken = SecretString(QStringLiteral("health-access"));
        t.refreshToken = SecretString(QStringLiteral("health-refresh"));
        t.expiresAt = at.addSecs(3600);
        t.issuedAt = at;
        Result<UpsertResult> up = vault->saveConnection({provider, email, email, QString(), email}, t, at);
        EXPECT_TRUE(up.ok());
        return up ? up->accountId : qint64(0);
    };
    const qint64 old = store(QStringLiteral("microsoft"), QStringLiteral("old@example.com"), now.addDays(-88));
    const qint64 testing = store(QStringLiteral("google"), QStringLiteral("testing@example.com"), now.addDays(-5));
    store(QStringLiteral("microsoft"), QStringLiteral("fresh@example.com"), now);

    QSignalSpy alerts(m_service.get(), &AccountService::alertRaised);
    const auto logLines = [&] {
        return QString::fromUtf8(readAll(m_dir.filePath(QStringLiteral("expiring.log"))))
            .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    };

    // Off (warnDays 0): nothing.
    m_service->setHealthWarnings(true, 0);
    Q_EMIT m_service->accountsChanged();
    QTest::qWait(200);
    EXPECT_EQ(alerts.count(), 0);
    EXPECT_TRUE(notifications.isEmpty());

    // On: the two near accounts, once each.
    m_service->setHealthWarnings(true, 3);
    ASSERT_TRUE(waitFor([&] { return alerts.count() == 2; }, 5000)) << alerts.count();
    ASSERT_TRUE(waitFor([&] { return logLines().size() == 2; }, 15000))
        << logLines().join(QLatin1Char(';')).toStdString();
    QSet<qint64> alerted;
    for (const QList<QVariant> &args : std::as_const(alerts)) {
        const Alert alert = args.at(0).value<Alert>();
        EXPECT_EQ(alert.kind, Alert::Kind::SignInExpiring);
        EXPECT_TRUE(alert.desktopNotified);
        alerted.insert(alert.accountId);
        if (alert.accountId == old) {
            EXPECT_TRUE(alert.message.contains(QLatin1String("90 days"))) << alert.message.toStdString();
        }
        if (alert.accountId == testing) {
            EXPECT_TRUE(alert.message.contains(QLatin1String("Testing"))) << alert.message.toStdString();
        }
    }
    EXPECT_EQ(alerted, (QSet<qint64>{old, testing}));
    EXPECT_EQ(notifications.size(), 2);
    EXPECT_TRUE(logLines().contains(QStringLiteral("old@example.com ") + now.addDays(2).toUTC().toString(Qt::ISODate)))
        << logLines().join(QLatin1Char(';')).toStdString();
    EXPECT_TRUE(
        logLines().contains(QStringLiteral("testing@example.com ") + now.addDays(2).toUTC().toString(Qt::ISODate)))
        << logLines().join(QLatin1Char(';')).toStdString();

    // Accounts change again, a day passes (the daily check): the same dates, no second warning.
    Q_EMIT m_service->accountsChanged();
    Q_EMIT m_service->accountChanged(old);
    QTest::qWait(300);
    clock.advance(24 * 3600);
    Q_EMIT m_service->accountsChanged();
    QTest::qWait(1500);
    EXPECT_EQ(alerts.count(), 2);
    EXPECT_EQ(notifications.size(), 2);
    EXPECT_EQ(logLines().size(), 2);
}
