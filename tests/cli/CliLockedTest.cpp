// A locked keyring (locked over D-Bus, as PLATFORM-NOTES shows): mailkey-cli token must fail with
// exit code 5 and a message that says to unlock it, print nothing on stdout, and write nothing.
#include "cli/ExitCode.h"
#include "core/ipc/IpcServer.h"
#include "core/keychain/KeyStore.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "tests/cli/CliHarness.h"
#include "tests/support/TestUtil.h"

#include <QCryptographicHash>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>

#include <optional>

using namespace mailkey;
using mailkey::test::CliHarness;
using mailkey::test::CliRun;

namespace {

bool lockLoginKeyring()
{
    QDBusMessage m = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.secrets"), QStringLiteral("/org/freedesktop/secrets"),
        QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("Lock"));
    m << QVariant::fromValue(
        QList<QDBusObjectPath>{QDBusObjectPath(QStringLiteral("/org/freedesktop/secrets/collection/login"))});
    const QDBusMessage reply = QDBusConnection::sessionBus().call(m, QDBus::Block, 10000);
    return reply.type() == QDBusMessage::ReplyMessage;
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

// What the bash completion offers for `mailkey-cli --profile P token <TAB>` (addresses, one a line).
QByteArray completeAddress(const CliHarness &h)
{
    QProcess bash;
    bash.setProcessEnvironment(h.environment());
    bash.start(QStringLiteral("bash"),
               {QStringLiteral("--norc"), QStringLiteral("--noprofile"), QStringLiteral("-c"),
                QStringLiteral("source \"$1\"; COMP_WORDS=(\"$2\" --profile \"$3\" token ''); COMP_CWORD=4; "
                               "_mailkey_cli; printf '%s\\n' \"${COMPREPLY[@]}\""),
                QStringLiteral("bash"),
                qEnvironmentVariable("MAILKEY_COMPLETIONS_DIR") + QStringLiteral("/mailkey-cli.bash"),
                qEnvironmentVariable("MAILKEY_CLI"), h.profileName()});
    if (!bash.waitForFinished(20000) || bash.exitCode() != 0)
        return QByteArrayLiteral("(bash failed)");
    return bash.readAllStandardOutput().trimmed();
}

} // namespace

TEST(CliLockedKeyring, TokenExitsWithFiveAndSaysUnlock)
{
    if (qEnvironmentVariableIsSet("MAILKEY_LOCKED_WINDOW"))
        GTEST_SKIP() << "test_cli_locked_window runs the window's case";
    ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
    CliHarness h;
    ASSERT_TRUE(h.ok());
    const CliRun connected = h.connect();
    ASSERT_EQ(connected.exitCode, cli::Ok) << connected.errForMessage();
    const CliRun before = h.run({QStringLiteral("token"), CliHarness::Email});
    ASSERT_EQ(before.exitCode, cli::Ok);
    ASSERT_EQ(completeAddress(h), CliHarness::Email.toUtf8()) << "the completion offers the address while unlocked";
    const QByteArray vaultBefore = fileHash(h.profile().databasePath());

    ASSERT_TRUE(lockLoginKeyring());

    for (const QStringList &args :
         {QStringList{QStringLiteral("token"), CliHarness::Email},
          QStringList{QStringLiteral("token"), CliHarness::Email, QStringLiteral("--sasl"), QStringLiteral("xoauth2")},
          QStringList{QStringLiteral("list")},
          // Issue 18: reset-vault used to move a readable vault aside here.
          QStringList{QStringLiteral("reset-vault"), QStringLiteral("--yes")},
          // Issue 15: a keychain that cannot be reached stops the erase before anything is deleted.
          QStringList{QStringLiteral("erase-all"), QStringLiteral("--yes")},
          QStringList{QStringLiteral("erase-all"), QStringLiteral("--yes"), QStringLiteral("--all-profiles")}}) {
        const CliRun r = h.run(args);
        const std::string which = args.join(QLatin1Char(' ')).toStdString();
        EXPECT_EQ(r.exitCode, cli::VaultUnavailable) << which << ": " << r.errForMessage();
        EXPECT_TRUE(r.out.isEmpty()) << which;
        EXPECT_EQ(r.err.count('\n'), 1) << which << ": " << r.errForMessage();
        EXPECT_TRUE(r.errText().contains(QLatin1String("locked"))) << r.errForMessage();
        EXPECT_TRUE(r.errText().contains(QLatin1String("Unlock"))) << r.errForMessage();
        EXPECT_TRUE(h.containsNoSecret(r.err));
    }
    // status --json still answers on stdout, says the vault is unavailable and exits 5.
    const CliRun status = h.run({QStringLiteral("status"), QStringLiteral("--json")});
    EXPECT_EQ(status.exitCode, cli::VaultUnavailable) << status.errForMessage();
    const QJsonObject o = QJsonDocument::fromJson(status.out).object();
    EXPECT_EQ(o.value(QStringLiteral("vault")).toString(), QStringLiteral("unavailable")) << status.out.toStdString();
    EXPECT_TRUE(o.value(QStringLiteral("error")).toString().contains(QLatin1String("locked")));
    EXPECT_EQ(o.value(QStringLiteral("format")).toInt(), 1);

    // The bash completion offers no address, at once: `list --json` fails, nothing asks to unlock.
    QElapsedTimer timer;
    timer.start();
    EXPECT_EQ(completeAddress(h), QByteArray());
    EXPECT_LT(timer.elapsed(), 10000);

    EXPECT_TRUE(fileHash(h.profile().databasePath()) == vaultBefore) << "nothing was written";
    const QStringList aside = QDir(h.profile().dataDir()).entryList({QStringLiteral("*.unreadable-*")});
    EXPECT_TRUE(aside.isEmpty()) << aside.join(QLatin1Char(' ')).toStdString();
}

// The keyring locked while the MailKey window has the vault open (an AccountService and its
// IpcServer in this process stand in for it): `list` cannot read the key, and asks the window, as
// `token` does. Its own ctest entry (test_cli_locked_window): the keyring stays locked.
TEST(CliLockedKeyring, ListGoesThroughTheRunningWindow)
{
    if (!qEnvironmentVariableIsSet("MAILKEY_LOCKED_WINDOW"))
        GTEST_SKIP() << "runs as test_cli_locked_window";
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
    service.start();
    ASSERT_TRUE(test::waitFor([&] { return service.vaultState() == VaultState::Ready; }, 20000))
        << service.vaultError().message.toStdString();
    IpcServer window(&service);
    std::optional<Status> listening;
    window.listen(h.profile(), [&](Status s) { listening.emplace(s); });
    ASSERT_TRUE(test::waitFor([&] { return listening.has_value(); }, 5000));
    ASSERT_TRUE(listening->ok());

    ASSERT_TRUE(lockLoginKeyring());
    const CliRun list = h.run({QStringLiteral("list")});
    ASSERT_EQ(list.exitCode, cli::Ok) << list.errForMessage() << list.out.toStdString();
    EXPECT_TRUE(list.outText().contains(CliHarness::Email)) << list.outText().toStdString();
    EXPECT_TRUE(list.outText().contains(QStringLiteral("connected"))) << list.outText().toStdString();
    const CliRun json = h.run({QStringLiteral("list"), QStringLiteral("--json")});
    ASSERT_EQ(json.exitCode, cli::Ok) << json.errForMessage();
    const QJsonArray rows = QJsonDocument::fromJson(json.out).array();
    ASSERT_EQ(rows.size(), 1) << json.out.toStdString() << json.errForMessage();
    EXPECT_EQ(rows.first().toObject().value(QStringLiteral("email")).toString(), CliHarness::Email);
    EXPECT_FALSE(rows.first().toObject().value(QStringLiteral("expires_at")).toString().isEmpty());
    EXPECT_TRUE(h.containsNoSecret(list.out + list.err + json.out + json.err));

    // Without the window the lock is reported as before.
    window.close();
    const CliRun alone = h.run({QStringLiteral("list")});
    EXPECT_EQ(alone.exitCode, cli::VaultUnavailable) << alone.errForMessage();
    EXPECT_TRUE(alone.errText().contains(QLatin1String("locked"))) << alone.errForMessage();
}
