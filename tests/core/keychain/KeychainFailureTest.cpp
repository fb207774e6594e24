// Keychain failures seen through the real mailkey-cli: no D-Bus session at all, and a locked
// gnome-keyring (locked over D-Bus as PLATFORM-NOTES shows). Each must give its own documented
// error and exit code, and must never create a key or a vault anywhere.
#include "cli/ExitCode.h"
#include "core/common/Profile.h"
#include "tests/support/TestUtil.h"

#include <QCryptographicHash>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

using namespace mailkey;

namespace {

struct CliRun {
    int exitCode = -1;
    QString out;
    QString err;
};

CliRun runCli(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(qEnvironmentVariable("MAILKEY_CLI"), args);
    CliRun r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

QStringList filesUnder(const QString &dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    return files;
}

QByteArray fileHash(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
}

TEST(KeychainFailure, NoDbusSessionIsNoSecureStorageAndWritesNothing)
{
    QTemporaryDir home;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
               QStringLiteral("unix:path=") + home.path() + QStringLiteral("/no-bus"));
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.insert(QStringLiteral("HOME"), home.path());
    env.insert(QStringLiteral("XDG_DATA_HOME"), home.path() + QStringLiteral("/data"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.path() + QStringLiteral("/config"));
    env.remove(QStringLiteral("MAILKEY_DATA_DIR"));

    // status only looks: with no vault yet it needs no keychain, says so and writes nothing.
    const CliRun status = runCli({QStringLiteral("status")}, env);
    EXPECT_EQ(status.exitCode, cli::Ok) << status.err.toStdString();
    EXPECT_TRUE(status.out.contains(QLatin1String("no vault yet"))) << status.out.toStdString();
    EXPECT_EQ(filesUnder(home.path()), QStringList());

    // A mail program's first call makes the vault key first, which fails here.
    const CliRun r = runCli({QStringLiteral("token"), QStringLiteral("alice@example.com")}, env);
    EXPECT_EQ(r.exitCode, cli::VaultUnavailable) << r.err.toStdString();
    EXPECT_TRUE(r.err.contains(QLatin1String("No secure storage is available"))) << r.err.toStdString();
    EXPECT_TRUE(r.err.contains(QLatin1String("GNOME Keyring"))) << "names the supported keyrings";
    EXPECT_TRUE(r.err.contains(QLatin1String("KWallet")));
    // No vault, no key file, no settings file with a key: nothing at all under the home folder.
    EXPECT_EQ(filesUnder(home.path()), QStringList());
}

class LockedKeyring : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(QDBusConnection::sessionBus().isConnected()) << "run through tests/support/with-keyring.sh";
        m_env = QProcessEnvironment::systemEnvironment();
    }

    static bool lockLoginKeyring()
    {
        QDBusMessage m = QDBusMessage::createMethodCall(
            QStringLiteral("org.freedesktop.secrets"), QStringLiteral("/org/freedesktop/secrets"),
            QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("Lock"));
        m << QVariant::fromValue(
            QList<QDBusObjectPath>{QDBusObjectPath(QStringLiteral("/org/freedesktop/secrets/collection/login"))});
        const QDBusMessage reply = QDBusConnection::sessionBus().call(m, QDBus::Block, 10000);
        return reply.type() == QDBusMessage::ReplyMessage;
    }

    QProcessEnvironment m_env;
};

TEST_F(LockedKeyring, ExistingVaultAsksToUnlockAndNewProfileCreatesNothing)
{
    const QString name = test::uniqueName(QStringLiteral("locked"));
    const Profile profile(name);
    // status only looks; audit, like every command that needs the vault, creates it on first run.
    const CliRun created = runCli({QStringLiteral("--profile"), name, QStringLiteral("audit")}, m_env);
    ASSERT_EQ(created.exitCode, cli::Ok) << created.err.toStdString();
    const QByteArray before = fileHash(profile.databasePath());
    ASSERT_FALSE(before.isEmpty());

    ASSERT_TRUE(lockLoginKeyring());

    // The entry exists but reads as "not found" while locked: MailKey must say "locked", not make a key.
    const CliRun locked = runCli({QStringLiteral("--profile"), name, QStringLiteral("status")}, m_env);
    EXPECT_EQ(locked.exitCode, cli::VaultUnavailable) << locked.err.toStdString();
    EXPECT_TRUE(locked.err.contains(QLatin1String("locked"))) << locked.err.toStdString();
    EXPECT_TRUE(locked.err.contains(QLatin1String("Unlock"))) << locked.err.toStdString();
    EXPECT_EQ(fileHash(profile.databasePath()), before);

    // First run of another profile while locked: the key cannot be written, so no vault is made.
    const Profile fresh(test::uniqueName(QStringLiteral("fresh")));
    const CliRun first = runCli({QStringLiteral("--profile"), fresh.name(), QStringLiteral("audit")}, m_env);
    EXPECT_EQ(first.exitCode, cli::VaultUnavailable) << first.err.toStdString();
    EXPECT_TRUE(first.err.contains(QLatin1String("locked"))) << first.err.toStdString();
    EXPECT_FALSE(QFile::exists(fresh.databasePath()));
    EXPECT_FALSE(QFile::exists(fresh.databasePath() + QStringLiteral(".new")));
    // status there: no vault yet, exit 0, still nothing made.
    const CliRun status = runCli({QStringLiteral("--profile"), fresh.name(), QStringLiteral("status")}, m_env);
    EXPECT_EQ(status.exitCode, cli::Ok) << status.err.toStdString();
    EXPECT_TRUE(status.out.contains(QLatin1String("no vault yet"))) << status.out.toStdString();
    EXPECT_FALSE(QFile::exists(fresh.databasePath()));
}

} // namespace
