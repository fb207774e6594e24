// SecretServiceUnlocker against a real gnome-keyring (tests/support/with-keyring.sh): an unlocked
// entry needs no prompt; nobody on the bus is Unavailable. The Prompter tests use the real
// gcr-prompter on a private Xvfb display, driven with xdotool (the ctest entry
// test_secret_service_unlock_prompt, skipped with 77 only when Xvfb or xdotool is not installed):
// a locked collection makes the daemon show its window; Cancel there is Dismissed with the
// collection still locked, and Unlock can be asked again; a wrong password is asked again by the
// daemon; the keyring's password unlocks the collection, and the vault key reads again.
// Not tested: org.freedesktop.Secret.Prompt.Dismiss. On gnome-keyring 42 (Debian 12) Dismiss of
// an unlock prompt aborts the whole daemon (gkd-secret-unlock.c: assertion '!self->current'),
// which is why SecretServiceUnlocker never calls it.
//
// Keys are compared with EXPECT_TRUE(a == b) and never printed.
#include "core/keychain/SecretServiceUnlocker.h"
#include "core/common/Profile.h"
#include "core/keychain/KeyStore.h"
#include "tests/support/TestUtil.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusVariant>
#include <QProcess>
#include <QStandardPaths>

#include <optional>

using namespace mailkey;

namespace {

const QString Service = QString::fromLatin1(KeychainService);
const QString Login = QStringLiteral("/org/freedesktop/secrets/collection/login");
using Outcome = SecretServiceUnlocker::Outcome;

QDBusMessage secretsCall(const QString &path, const QString &interface, const QString &method)
{
    return QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.secrets"), path, interface, method);
}

class SecretServiceUnlockerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(QDBusConnection::sessionBus().isConnected()) << "run through tests/support/with-keyring.sh";
        ASSERT_TRUE(SecretServiceUnlocker::supported());
        m_key = test::uniqueName(QStringLiteral("vault-key:unlock"));
        m_value = QByteArray(32, '\0');
        for (int i = 0; i < m_value.size(); ++i)
            m_value[i] = char(i * 7 + 3);
        std::optional<Status> written;
        m_store.write(m_key, m_value, [&](Status s) { written = s; });
        ASSERT_TRUE(test::waitFor([&] { return written.has_value(); }, 20000));
        ASSERT_TRUE(*written) << written->error().message.toStdString();
    }

    static bool lockLogin()
    {
        QDBusMessage m = secretsCall(QStringLiteral("/org/freedesktop/secrets"),
                                     QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("Lock"));
        m << QVariant::fromValue(QList<QDBusObjectPath>{QDBusObjectPath(Login)});
        return QDBusConnection::sessionBus().call(m, QDBus::Block, 10000).type() == QDBusMessage::ReplyMessage;
    }

    static std::optional<bool> loginLocked()
    {
        QDBusMessage m = secretsCall(Login, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
        m << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
        const QDBusMessage r = QDBusConnection::sessionBus().call(m, QDBus::Block, 10000);
        if (r.type() != QDBusMessage::ReplyMessage || r.arguments().isEmpty())
            return std::nullopt;
        return r.arguments().constFirst().value<QDBusVariant>().variant().toBool();
    }

    // The vault key as KeyStore reads it now (std::nullopt: not readable).
    std::optional<QByteArray> readKey()
    {
        std::optional<Result<SecureBytes>> read;
        m_store.read(m_key, [&](Result<SecureBytes> r) { read.emplace(std::move(r)); });
        if (!test::waitFor([&] { return read.has_value(); }, 20000) || !*read)
            return std::nullopt;
        return (*read)->bytes();
    }

    KeyStore m_store;
    QString m_key;
    QByteArray m_value;
};

TEST_F(SecretServiceUnlockerTest, TheServiceIsAvailableAndAnUnlockedEntryNeedsNoPrompt)
{
    SecretServiceUnlocker unlocker;
    std::optional<bool> available;
    unlocker.checkAvailable([&](bool a) { available = a; });
    ASSERT_TRUE(test::waitFor([&] { return available.has_value(); }, 20000));
    EXPECT_TRUE(*available);

    int prompts = 0;
    QObject::connect(&unlocker, &SecretServiceUnlocker::prompting, [&] { ++prompts; });
    std::optional<Outcome> outcome;
    unlocker.unlock(Service, m_key, QString(), [&](Outcome o) { outcome = o; });
    EXPECT_TRUE(unlocker.isRunning());
    ASSERT_TRUE(test::waitFor([&] { return outcome.has_value(); }, 20000));
    EXPECT_EQ(*outcome, Outcome::Unlocked);
    EXPECT_EQ(prompts, 0);
    EXPECT_FALSE(unlocker.isRunning());
}

TEST_F(SecretServiceUnlockerTest, NobodyOnTheBusNameIsUnavailable)
{
    SecretServiceUnlocker unlocker(QStringLiteral("org.example.mailkey.nobody"));
    std::optional<bool> available;
    unlocker.checkAvailable([&](bool a) { available = a; });
    ASSERT_TRUE(test::waitFor([&] { return available.has_value(); }, 20000));
    EXPECT_FALSE(*available);
    std::optional<Outcome> outcome;
    unlocker.unlock(Service, m_key, QString(), [&](Outcome o) { outcome = o; });
    ASSERT_TRUE(test::waitFor([&] { return outcome.has_value(); }, 20000));
    EXPECT_EQ(*outcome, Outcome::Unavailable);
}

// A private X display for gcr-prompter, which the session bus starts: the bus's activation
// environment gets its DISPLAY.
class Prompter : public SecretServiceUnlockerTest {
protected:
    void SetUp() override
    {
        SecretServiceUnlockerTest::SetUp();
        ASSERT_FALSE(QStandardPaths::findExecutable(QStringLiteral("Xvfb")).isEmpty())
            << "the ctest entry skips (77) without Xvfb";
        ASSERT_FALSE(QStandardPaths::findExecutable(QStringLiteral("xdotool")).isEmpty())
            << "the ctest entry skips (77) without xdotool";
        m_xvfb.setProcessChannelMode(QProcess::SeparateChannels);
        m_xvfb.start(QStringLiteral("Xvfb"),
                     {QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-screen"), QStringLiteral("0"),
                      QStringLiteral("1024x768x24"), QStringLiteral("-nolisten"), QStringLiteral("tcp")});
        ASSERT_TRUE(m_xvfb.waitForStarted(10000));
        ASSERT_TRUE(test::waitFor([&] { return m_xvfb.canReadLine(); }, 20000)) << "Xvfb gave no display number";
        m_display = QLatin1Char(':') + QString::fromLatin1(m_xvfb.readLine().trimmed());
        qDBusRegisterMetaType<QMap<QString, QString>>();
        QDBusMessage env = QDBusMessage::createMethodCall(
            QStringLiteral("org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
            QStringLiteral("org.freedesktop.DBus"), QStringLiteral("UpdateActivationEnvironment"));
        // NO_AT_BRIDGE: GTK would otherwise wait for an accessibility bus that is not there.
        QMap<QString, QString> activation{{QStringLiteral("DISPLAY"), m_display},
                                          {QStringLiteral("NO_AT_BRIDGE"), QStringLiteral("1")}};
        // The prompter is started by the bus; named explicitly, its bus is found whatever the
        // daemon's own environment holds (once seen on Debian 13: "couldn't connect to session bus").
        if (const QString bus = qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS"); !bus.isEmpty())
            activation.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), bus);
        env << QVariant::fromValue(activation);
        const QDBusMessage r = QDBusConnection::sessionBus().call(env, QDBus::Block, 10000);
        ASSERT_EQ(r.type(), QDBusMessage::ReplyMessage) << r.errorMessage().toStdString();
    }

    void TearDown() override
    {
        m_xvfb.terminate();
        m_xvfb.waitForFinished(5000);
    }

    // xdotool on the private display; its standard output (e.g. a window id).
    QString xdotool(const QStringList &args, int timeoutMs = 20000)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DISPLAY"), m_display);
        p.setProcessEnvironment(env);
        p.start(QStringLiteral("xdotool"), args);
        if (!p.waitForStarted(10000))
            return {};
        // The event loop runs meanwhile: the unlocker's D-Bus replies arrive.
        test::waitFor([&] { return p.state() == QProcess::NotRunning; }, timeoutMs);
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            p.waitForFinished(2000);
            return {};
        }
        return QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed();
    }

    // The gcr-prompter window (its X11 class), once it is mapped.
    QString promptWindow()
    {
        const QString found
            = xdotool({QStringLiteral("search"), QStringLiteral("--sync"), QStringLiteral("--onlyvisible"),
                       QStringLiteral("--class"), QStringLiteral("gcr-prompter")},
                      30000);
        return found.section(QLatin1Char('\n'), 0, 0);
    }
    // Every visible gcr-prompter window now (no waiting).
    QString promptWindows()
    {
        return xdotool({QStringLiteral("search"), QStringLiteral("--onlyvisible"), QStringLiteral("--class"),
                        QStringLiteral("gcr-prompter")});
    }
    bool isVisible(const QString &window) { return promptWindows().split(QLatin1Char('\n')).contains(window); }

    QProcess m_xvfb;
    QString m_display;
};

TEST_F(Prompter, ThePasswordInTheDaemonsOwnPromptUnlocksAndTheKeyReadsAgain)
{
    ASSERT_TRUE(lockLogin());
    ASSERT_EQ(loginLocked(), std::optional<bool>(true));
    EXPECT_FALSE(readKey().has_value());

    SecretServiceUnlocker unlocker;
    QString prompted;
    QObject::connect(&unlocker, &SecretServiceUnlocker::prompting, [&](const QString &path) { prompted = path; });
    std::optional<Outcome> outcome;
    unlocker.unlock(Service, m_key, QString(), [&](Outcome o) { outcome = o; });
    ASSERT_TRUE(test::waitFor([&] { return !prompted.isEmpty() || outcome.has_value(); }, 20000));
    ASSERT_FALSE(outcome.has_value()) << "finished without a prompt: " << int(*outcome);

    const QString window = promptWindow();
    ASSERT_FALSE(window.isEmpty()) << "gcr-prompter showed no window on " << m_display.toStdString();
    EXPECT_FALSE(outcome.has_value()) << "the prompt waits for the person";
    // with-keyring.sh's keyring password, typed into the daemon's dialog as a person would.
    xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), window});
    xdotool({QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("40"), QStringLiteral("pw")});
    xdotool({QStringLiteral("key"), QStringLiteral("Return")});

    ASSERT_TRUE(test::waitFor([&] { return outcome.has_value(); }, 30000)) << "the prompt did not complete";
    EXPECT_EQ(*outcome, Outcome::Unlocked);
    EXPECT_EQ(loginLocked(), std::optional<bool>(false));
    const std::optional<QByteArray> key = readKey();
    ASSERT_TRUE(key.has_value()) << "the key is readable after the unlock";
    EXPECT_TRUE(*key == m_value);
}

TEST_F(Prompter, CancelInTheDaemonsPromptIsDismissedAndUnlockCanBeAskedAgain)
{
    ASSERT_TRUE(lockLogin());
    SecretServiceUnlocker unlocker;
    QString prompted;
    QObject::connect(&unlocker, &SecretServiceUnlocker::prompting, [&](const QString &path) { prompted = path; });
    std::optional<Outcome> outcome;
    unlocker.unlock(Service, m_key, QString(), [&](Outcome o) { outcome = o; });
    // The daemon made a prompt object and was asked to show it.
    ASSERT_TRUE(test::waitFor([&] { return !prompted.isEmpty() || outcome.has_value(); }, 20000));
    ASSERT_FALSE(outcome.has_value()) << "finished without a prompt: " << int(*outcome);
    EXPECT_TRUE(prompted.startsWith(QStringLiteral("/org/freedesktop/secrets/prompt/"))) << prompted.toStdString();
    EXPECT_EQ(unlocker.promptPath(), prompted);
    const QString window = promptWindow();
    ASSERT_FALSE(window.isEmpty()) << "gcr-prompter showed no window on " << m_display.toStdString();

    // Cancel (Escape) in the daemon's window: Completed(dismissed = true).
    xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), window});
    xdotool({QStringLiteral("key"), QStringLiteral("Escape")});
    ASSERT_TRUE(test::waitFor([&] { return outcome.has_value(); }, 30000)) << "the prompt did not complete";
    EXPECT_EQ(*outcome, Outcome::Dismissed);
    EXPECT_TRUE(unlocker.promptPath().isEmpty());
    EXPECT_FALSE(unlocker.isRunning());
    EXPECT_EQ(loginLocked(), std::optional<bool>(true));
    EXPECT_TRUE(test::waitFor([&] { return !isVisible(window); }, 10000)) << "the daemon's window stayed";

    // Unlock can be asked again after a dismissal: a new prompt, and the password works there.
    prompted.clear();
    outcome.reset();
    unlocker.unlock(Service, m_key, QString(), [&](Outcome o) { outcome = o; });
    ASSERT_TRUE(test::waitFor([&] { return !prompted.isEmpty() || outcome.has_value(); }, 20000));
    ASSERT_FALSE(outcome.has_value());
    const QString second = promptWindow();
    ASSERT_FALSE(second.isEmpty()) << "the second prompt showed no window";
    xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), second});
    xdotool({QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("40"), QStringLiteral("pw")});
    xdotool({QStringLiteral("key"), QStringLiteral("Return")});
    ASSERT_TRUE(test::waitFor([&] { return outcome.has_value(); }, 30000));
    EXPECT_EQ(*outcome, Outcome::Unlocked);
    EXPECT_EQ(loginLocked(), std::optional<bool>(false));
}

TEST_F(Prompter, AWrongPasswordIsAskedAgainByTheDaemonNotReportedAsUnlocked)
{
    ASSERT_TRUE(lockLogin());
    SecretServiceUnlocker unlocker;
    QString prompted;
    QObject::connect(&unlocker, &SecretServiceUnlocker::prompting, [&](const QString &path) { prompted = path; });
    std::optional<Outcome> outcome;
    unlocker.unlock(Service, m_key, QString(), [&](Outcome o) { outcome = o; });
    ASSERT_TRUE(test::waitFor([&] { return !prompted.isEmpty() || outcome.has_value(); }, 20000));
    const QString window = promptWindow();
    ASSERT_FALSE(window.isEmpty());
    xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), window});
    xdotool({QStringLiteral("type"), QStringLiteral("--delay"), QStringLiteral("40"), QStringLiteral("wrong")});
    xdotool({QStringLiteral("key"), QStringLiteral("Return")});
    // The daemon keeps its prompt open for another try: nothing is reported yet.
    test::waitFor([] { return false; }, 2000);
    EXPECT_FALSE(outcome.has_value()) << "reported " << int(*outcome) << " after a wrong password";
    EXPECT_EQ(loginLocked(), std::optional<bool>(true));
    const QString again = promptWindow();
    ASSERT_FALSE(again.isEmpty()) << "the daemon's prompt closed after a wrong password";
    xdotool({QStringLiteral("windowfocus"), QStringLiteral("--sync"), again});
    xdotool({QStringLiteral("key"), QStringLiteral("Escape")});
    ASSERT_TRUE(test::waitFor([&] { return outcome.has_value(); }, 30000));
    EXPECT_EQ(*outcome, Outcome::Dismissed);
    EXPECT_EQ(loginLocked(), std::optional<bool>(true));
}

} // namespace
