// SecretServiceReader against a real gnome-keyring (tests/support/with-keyring.sh): it must read
// exactly what QtKeychain wrote, over the encrypted "dh-ietf1024-sha256-aes128-cbc-pkcs7"
// session, and must leave to QtKeychain everything it cannot settle (missing, plaintext-typed,
// not base64, locked). mailkey-cli, which reads the vault key at every mail login, must then run
// without loading libsecret.
//
// Keys are compared with EXPECT_TRUE(a == b) and never printed.
#include "core/keychain/SecretServiceReader.h"
#include "core/common/Profile.h"
#include "core/keychain/KeyStore.h"
#include "tests/support/TestUtil.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QProcess>
#include <QProcessEnvironment>
#include <qt6keychain/keychain.h>

#include <optional>

using namespace mailkey;

namespace {

const QString Service = QString::fromLatin1(KeychainService);
using State = SecretServiceReader::State;

class SecretServiceReaderTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(QDBusConnection::sessionBus().isConnected()) << "run through tests/support/with-keyring.sh";
        ASSERT_TRUE(SecretServiceReader::usable());
    }

    Status writeWithKeyStore(const QString &key, const QByteArray &value)
    {
        std::optional<Status> result;
        m_store.write(key, value, [&](Status s) { result = s; });
        EXPECT_TRUE(test::waitFor([&] { return result.has_value(); }, 20000));
        return result.value_or(Status(Error(ErrorCode::Internal, QStringLiteral("timeout"))));
    }

    struct Seen {
        State state = State::Unknown;
        QByteArray value;
    };

    Seen ask(const QString &key, bool probe = false)
    {
        std::optional<Seen> out;
        auto done = [&](SecretServiceReader::Answer a) { out = Seen{a.state, a.value.bytes()}; };
        if (probe)
            m_reader.probe(Service, key, done);
        else
            m_reader.lookup(Service, key, done);
        EXPECT_TRUE(test::waitFor([&] { return out.has_value(); }, 20000));
        return out.value_or(Seen());
    }
    State lookupState(const QString &key) { return ask(key).state; }
    State probeState(const QString &key) { return ask(key, true).state; }

    // secret-tool (libsecret-tools) stores arbitrary attributes and values.
    static bool storeWithSecretTool(const QString &key, const QString &type, const QByteArray &value)
    {
        QProcess p;
        p.start(QStringLiteral("secret-tool"),
                {QStringLiteral("store"), QStringLiteral("--label=mailkey test"), QStringLiteral("user"), key,
                 QStringLiteral("server"), Service, QStringLiteral("type"), type});
        if (!p.waitForStarted(10000))
            return false;
        p.write(value);
        p.closeWriteChannel();
        return p.waitForFinished(20000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }

    KeyStore m_store;
    SecretServiceReader m_reader;
};

TEST_F(SecretServiceReaderTest, ReadsWhatQtKeychainWroteOverManyFreshSessions)
{
    const QString key = test::uniqueName(QStringLiteral("reader"));
    const SecureBytes value = SecureBytes::random(32);
    ASSERT_TRUE(writeWithKeyStore(key, value.bytes()).ok());

    // Each lookup opens its own Diffie-Hellman session. About 1 in 256 shared secrets starts
    // with a zero byte and must be padded to the prime's length exactly as the Secret Service
    // does, or that read decrypts to garbage: keep reading until that case has come up.
    const int paddedBefore = SecretServiceReader::paddedSharedSecrets();
    int reads = 0;
    int wrong = 0;
    while (SecretServiceReader::paddedSharedSecrets() - paddedBefore < 2 && reads < 6000) {
        const Seen got = ask(key);
        ++reads;
        if (got.state != State::Found || got.value != value.bytes())
            ++wrong;
        if (wrong > 0)
            break;
    }
    EXPECT_EQ(wrong, 0) << "after " << reads << " reads";
    EXPECT_GE(SecretServiceReader::paddedSharedSecrets() - paddedBefore, 2)
        << reads << " reads never met a shared secret with a leading zero byte";
}

TEST_F(SecretServiceReaderTest, KeyStoreReadsTheSameValue)
{
    const QString key = test::uniqueName(QStringLiteral("store"));
    const SecureBytes value = SecureBytes::random(32);
    ASSERT_TRUE(writeWithKeyStore(key, value.bytes()).ok());
    std::optional<Result<SecureBytes>> read;
    m_store.read(key, [&](Result<SecureBytes> r) { read.emplace(std::move(r)); });
    ASSERT_TRUE(test::waitFor([&] { return read.has_value(); }, 20000));
    ASSERT_TRUE(read->ok()) << read->error().message.toStdString();
    EXPECT_TRUE(read->value().bytes() == value.bytes());
}

TEST_F(SecretServiceReaderTest, AnEntryThatExistsNowhereIsAbsent)
{
    const QString key = test::uniqueName(QStringLiteral("missing"));
    EXPECT_EQ(lookupState(key), State::Absent);
    EXPECT_EQ(probeState(key), State::Absent);
    ASSERT_TRUE(writeWithKeyStore(key, SecureBytes::random(32).bytes()).ok());
    EXPECT_EQ(probeState(key), State::Found);
    EXPECT_EQ(lookupState(key), State::Found);
    // Another profile's entry, or another service's, is not this one.
    EXPECT_EQ(lookupState(key + QStringLiteral("x")), State::Absent);
    // KeyStore reports "not found" as QtKeychain does (it asks QtKeychain itself then), and
    // removes what is absent.
    std::optional<Result<SecureBytes>> read;
    m_store.read(test::uniqueName(QStringLiteral("missing")),
                 [&](Result<SecureBytes> r) { read.emplace(std::move(r)); });
    ASSERT_TRUE(test::waitFor([&] { return read.has_value(); }, 20000));
    ASSERT_FALSE(read->ok());
    EXPECT_EQ(read->error().code, ErrorCode::NotFound);
    for (int round = 0; round < 2; ++round) { // an existing entry, then an absent one
        std::optional<Status> removed;
        m_store.remove(key, [&](Status st) { removed = st; });
        ASSERT_TRUE(test::waitFor([&] { return removed.has_value(); }, 20000));
        EXPECT_TRUE(removed->ok()) << round;
        EXPECT_EQ(probeState(key), State::Absent) << round;
    }
}

TEST_F(SecretServiceReaderTest, LeavesAPlaintextEntryToQtKeychainWhichPrefersIt)
{
    // QtKeychain looks for type=plaintext first: with such an entry present, the answer is
    // QtKeychain's, never the base64 entry's.
    const QString key = test::uniqueName(QStringLiteral("text"));
    ASSERT_TRUE(writeWithKeyStore(key, SecureBytes::random(32).bytes()).ok());
    ASSERT_EQ(lookupState(key), State::Found);
    ASSERT_TRUE(storeWithSecretTool(key, QStringLiteral("plaintext"), QByteArrayLiteral("a text entry")));
    EXPECT_EQ(lookupState(key), State::Unknown);
    EXPECT_EQ(probeState(key), State::Found);

    std::optional<Result<SecureBytes>> read;
    m_store.read(key, [&](Result<SecureBytes> r) { read.emplace(std::move(r)); });
    ASSERT_TRUE(test::waitFor([&] { return read.has_value(); }, 20000));
    ASSERT_TRUE(read->ok());
    EXPECT_TRUE(read->value().bytes() == QByteArrayLiteral("a text entry")); // QtKeychain's answer
}

TEST_F(SecretServiceReaderTest, LeavesAValueThatIsNotBase64ToQtKeychain)
{
    const QString key = test::uniqueName(QStringLiteral("garbled"));
    ASSERT_TRUE(storeWithSecretTool(key, QStringLiteral("base64"), QByteArrayLiteral("not*base64!")));
    EXPECT_EQ(lookupState(key), State::Unknown);
}

TEST(SecretServiceReaderUsable, NotInAKdeSessionNorWhenTurnedOff)
{
    const char *const vars[]
        = {"XDG_CURRENT_DESKTOP", "DESKTOP_SESSION", "KDE_FULL_SESSION", "MAILKEY_KEYCHAIN_DIRECT"};
    QList<std::optional<QByteArray>> saved;
    for (const char *v : vars) {
        saved.append(qEnvironmentVariableIsSet(v) ? std::optional<QByteArray>(qgetenv(v)) : std::nullopt);
        qunsetenv(v);
    }
    EXPECT_TRUE(SecretServiceReader::usable());
    qputenv("XDG_CURRENT_DESKTOP", "KDE");
    EXPECT_FALSE(SecretServiceReader::usable()) << "QtKeychain prefers KWallet in a KDE session";
    qputenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME");
    EXPECT_TRUE(SecretServiceReader::usable());
    qunsetenv("XDG_CURRENT_DESKTOP");
    qputenv("DESKTOP_SESSION", "plasma");
    EXPECT_FALSE(SecretServiceReader::usable());
    qunsetenv("DESKTOP_SESSION");
    qputenv("KDE_FULL_SESSION", "true");
    EXPECT_FALSE(SecretServiceReader::usable());
    qunsetenv("KDE_FULL_SESSION");
    qputenv("MAILKEY_KEYCHAIN_DIRECT", "0");
    EXPECT_FALSE(SecretServiceReader::usable());
    qunsetenv("MAILKEY_KEYCHAIN_DIRECT");
    EXPECT_TRUE(SecretServiceReader::usable());
    for (int i = 0; i < saved.size(); ++i) {
        if (saved[i])
            qputenv(vars[i], *saved[i]);
    }
}

TEST_F(SecretServiceReaderTest, WhenTheServiceDoesNotAnswerNothingIsSettled)
{
    // A bus name nobody owns stands for a Secret Service that is gone: every call fails, and
    // neither "found" nor "absent" may come out of that.
    SecretServiceReader nobody(QStringLiteral("org.freedesktop.secrets.nobody"));
    for (const bool probe : {false, true}) {
        std::optional<State> state;
        auto done = [&](SecretServiceReader::Answer a) { state = a.state; };
        if (probe)
            nobody.probe(Service, test::uniqueName(QStringLiteral("gone")), done);
        else
            nobody.lookup(Service, test::uniqueName(QStringLiteral("gone")), done);
        ASSERT_TRUE(test::waitFor([&] { return state.has_value(); }, 20000));
        EXPECT_EQ(*state, State::Unknown) << (probe ? "probe" : "lookup");
    }
}

TEST_F(SecretServiceReaderTest, WithKWalletOnTheBusNothingIsSettled)
{
    // QtKeychain uses KWallet when it cannot load libsecret: with KWallet on the bus, what the
    // Secret Service holds (or does not) is not necessarily what QtKeychain would answer.
    const QString key = test::uniqueName(QStringLiteral("kwallet"));
    ASSERT_TRUE(writeWithKeyStore(key, SecureBytes::random(32).bytes()).ok());
    const QString absent = test::uniqueName(QStringLiteral("kwallet-absent"));
    ASSERT_EQ(lookupState(key), State::Found);
    ASSERT_EQ(probeState(absent), State::Absent);

    QDBusConnection kwallet
        = QDBusConnection::connectToBus(QDBusConnection::SessionBus, QStringLiteral("fake-kwalletd"));
    ASSERT_TRUE(kwallet.registerService(QStringLiteral("org.kde.kwalletd5")));
    EXPECT_EQ(lookupState(key), State::Unknown);
    EXPECT_EQ(probeState(absent), State::Unknown);
    EXPECT_EQ(probeState(key), State::Unknown);
    kwallet.unregisterService(QStringLiteral("org.kde.kwalletd5"));
    QDBusConnection::disconnectFromBus(QStringLiteral("fake-kwalletd"));
    EXPECT_TRUE(test::waitFor([&] { return probeState(absent) == State::Absent; }, 5000));
}

// The point of the reader: a mail program's `mailkey-cli` call does not load libsecret (and GIO,
// GObject, libgcrypt). The dynamic loader's own trace (LD_DEBUG=libs) tells what was loaded.
TEST(SecretServiceReaderCli, TheCliReadsTheVaultKeyWithoutLoadingLibsecret)
{
    const QString profile = test::uniqueName(QStringLiteral("noload"));
    auto run = [&](bool direct, const QString &command = QStringLiteral("list")) {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_DEBUG"), QStringLiteral("libs"));
        if (!direct)
            env.insert(QStringLiteral("MAILKEY_KEYCHAIN_DIRECT"), QStringLiteral("0"));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("MAILKEY_CLI"), {QStringLiteral("--profile"), profile, command});
        EXPECT_TRUE(p.waitForFinished(30000));
        EXPECT_EQ(p.exitCode(), 0);
        return QString::fromUtf8(p.readAllStandardError());
    };
    const QString libsecret = QStringLiteral("libsecret-1.so");
    // `list` only looks (it creates no vault on first run): `audit` makes the vault and its key.
    EXPECT_TRUE(run(true, QStringLiteral("audit")).contains(libsecret))
        << "first run: the key is written through QtKeychain";
    EXPECT_FALSE(run(true).contains(libsecret)) << "the vault key was read without libsecret";
    EXPECT_TRUE(run(false).contains(libsecret)) << "positive control: QtKeychain's read loads it";
}

// Last in this program (its own suite, registered last): the keyring stays locked afterwards.
class SecretServiceReaderLocked : public SecretServiceReaderTest {};

TEST_F(SecretServiceReaderLocked, LeavesALockedEntryToQtKeychain)
{
    const QString key = test::uniqueName(QStringLiteral("locked"));
    ASSERT_TRUE(writeWithKeyStore(key, SecureBytes::random(32).bytes()).ok());
    ASSERT_EQ(lookupState(key), State::Found);
    QDBusMessage lock = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.secrets"), QStringLiteral("/org/freedesktop/secrets"),
        QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("Lock"));
    lock << QVariant::fromValue(
        QList<QDBusObjectPath>{QDBusObjectPath(QStringLiteral("/org/freedesktop/secrets/collection/login"))});
    ASSERT_EQ(QDBusConnection::sessionBus().call(lock, QDBus::Block, 10000).type(), QDBusMessage::ReplyMessage);
    EXPECT_EQ(lookupState(key), State::Unknown); // never unlocks, never prompts
    EXPECT_EQ(probeState(key), State::Found);    // a locked entry is not an absent one
    // KeyStore leaves it to QtKeychain, which cannot read it either: the entry is kept.
    std::optional<Status> removed;
    m_store.remove(key, [&](Status st) { removed = st; });
    ASSERT_TRUE(test::waitFor([&] { return removed.has_value(); }, 20000));
    EXPECT_EQ(probeState(key), State::Found);
}

} // namespace
