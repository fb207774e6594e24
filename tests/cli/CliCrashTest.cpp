// mailkey-cli killed with SIGKILL in the middle of the commands that re-encrypt the vault
// (rotate-key, sign-out-everywhere): at every keychain operation, chosen by the fault-injection
// hook of test builds (cli/FaultInjection.h), and at random moments. Afterwards the vault
// must open with what the keychain holds and keep every account. Also: reset-vault acts only on
// a vault that provably cannot be opened, and never deletes the key of a file it keeps.
// Real gnome-keyring (tests/support/with-keyring.sh), real SQLCipher files, the real binary.
#include "cli/ExitCode.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/VaultAccess.h"
#include "tests/cli/CliHarness.h"
#include "tests/support/TestUtil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryFile>

#include <algorithm>
#include <csignal>

#include <sys/stat.h>
#include <unistd.h>

using namespace mailkey;
using mailkey::test::CliHarness;
using mailkey::test::CliRun;
using mailkey::test::waitFor;

namespace {

constexpr int Accounts = 3;

QStringList emails()
{
    QStringList out;
    for (int i = 0; i < Accounts; ++i)
        out << QStringLiteral("user%1@example.com").arg(i);
    return out;
}

struct TraceLine {
    int index = 0;
    QString phase, op, entry;
};

QList<TraceLine> readTrace(const QString &path)
{
    QList<TraceLine> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        const QList<QByteArray> parts = line.split(' ');
        if (parts.size() == 4)
            out.append({parts[0].toInt(), QString::fromLatin1(parts[1]), QString::fromLatin1(parts[2]),
                        QString::fromLatin1(parts[3])});
    }
    return out;
}

} // namespace

class CliCrashTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        ASSERT_FALSE(qEnvironmentVariableIsEmpty("MAILKEY_CLI"));
        h = std::make_unique<CliHarness>();
        ASSERT_TRUE(h->ok());
    }

    void connectAll()
    {
        int n = 0;
        for (const QString &email : emails()) {
            h->server().setUser({QStringLiteral("sub-%1").arg(n++), email, QStringLiteral("User"), email});
            const CliRun r = h->connect({QStringLiteral("--login-hint"), email});
            ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
        }
    }

    CliRun run(const QStringList &args, const QProcessEnvironment &env)
    {
        const QProcessEnvironment saved = h->environment();
        h->setEnvironment(env);
        CliRun r = h->run(args);
        h->setEnvironment(saved);
        return r;
    }

    // The vault opens with what the keychain holds (no prompt, no reset) and every account is
    // there; the audit chain is intact.
    void expectVaultWhole(const std::string &when)
    {
        const CliRun list = h->run({QStringLiteral("list"), QStringLiteral("--json")});
        ASSERT_EQ(list.exitCode, cli::Ok) << when << ": " << list.errForMessage();
        QStringList seen;
        for (const QJsonValue &v : QJsonDocument::fromJson(list.out).array())
            seen << v.toObject().value(QStringLiteral("email")).toString();
        seen.sort();
        EXPECT_EQ(seen, emails()) << when;
        const CliRun verify = h->run({QStringLiteral("audit"), QStringLiteral("--verify")});
        EXPECT_EQ(verify.exitCode, cli::Ok) << when << ": " << verify.errForMessage();
    }

    QProcessEnvironment envWith(const QString &name, const QString &value)
    {
        QProcessEnvironment env = h->environment();
        env.insert(name, value);
        return env;
    }

    // Runs `command` once with a trace, then once per keychain operation and phase with a kill
    // there, checking the vault after each. Returns the traced operations.
    QList<TraceLine> killAtEveryOperation(const QStringList &command)
    {
        QTemporaryFile trace;
        EXPECT_TRUE(trace.open());
        const CliRun traced = run(command, envWith(QStringLiteral("MAILKEY_FAULT_KEYCHAIN_TRACE"), trace.fileName()));
        EXPECT_EQ(traced.exitCode, cli::Ok) << traced.errForMessage();
        const QList<TraceLine> ops = readTrace(trace.fileName());
        int count = 0;
        for (const TraceLine &l : ops)
            count = std::max(count, l.index);
        EXPECT_GE(count, 3) << "read, write pending, write current at least";
        for (int i = 1; i <= count; ++i) {
            for (const char *phase : {"before", "after"}) {
                const std::string when = command.join(QLatin1Char(' ')).toStdString() + ", kill " + phase
                                         + " keychain operation " + std::to_string(i);
                const CliRun killed = run(command, envWith(QStringLiteral("MAILKEY_FAULT_KEYCHAIN_KILL"),
                                                           QStringLiteral("%1:%2").arg(i).arg(QLatin1String(phase))));
                EXPECT_EQ(killed.exitCode, -2) << when << " did not stop there: " << killed.errForMessage();
                expectVaultWhole(when);
                if (HasFatalFailure())
                    return ops;
            }
        }
        return ops;
    }

    std::unique_ptr<CliHarness> h;
};

TEST_F(CliCrashTest, RotateKeyKilledAtEveryKeychainOperationLosesNothing)
{
    connectAll();
    const QList<TraceLine> ops = killAtEveryOperation({QStringLiteral("rotate-key")});
    // The order that keeps an entry that opens the vault at every instant: the pending entry is
    // removed only after the current entry holds the new key.
    QStringList sequence;
    for (const TraceLine &l : ops) {
        if (l.phase == QLatin1String("before"))
            sequence << l.op + QLatin1Char(' ') + l.entry;
    }
    const QString current = h->profile().keychainKey();
    const QString pending = h->profile().pendingKeychainKey();
    const qsizetype writeCurrent = sequence.indexOf(QStringLiteral("write ") + current);
    ASSERT_GE(writeCurrent, 0) << sequence.join(QStringLiteral(", ")).toStdString();
    for (qsizetype i = 0; i < writeCurrent; ++i)
        EXPECT_NE(sequence[i].toStdString(), QString(QStringLiteral("remove ") + pending).toStdString())
            << sequence.join(QStringLiteral(", ")).toStdString();
    // A token still comes out after all that.
    EXPECT_EQ(h->run({QStringLiteral("token"), emails().first()}).exitCode, cli::Ok);
}

TEST_F(CliCrashTest, SignOutEverywhereKilledAtEveryKeychainOperationLosesNothing)
{
    connectAll();
    killAtEveryOperation({QStringLiteral("sign-out-everywhere"), QStringLiteral("--yes")});
}

TEST_F(CliCrashTest, RotationsKilledAtRandomMomentsLoseNothing)
{
    connectAll();
    // How long one rotation takes here, to spread the kills over it: the median of three, since
    // a single one (the first, with cold caches, or one that met a busy moment of a loaded
    // machine) can take twice as long as the rest, and most kills would then come too late.
    QList<qint64> spans;
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer timer;
        timer.start();
        ASSERT_EQ(h->run({QStringLiteral("rotate-key")}).exitCode, cli::Ok);
        spans.append(timer.elapsed());
    }
    std::sort(spans.begin(), spans.end());
    const int spanMs = std::max(20, int(spans.at(1) * 5 / 4));
    auto *rng = QRandomGenerator::global();
    int killed = 0;
    constexpr int Rounds = 100;
    for (int round = 0; round < Rounds; ++round) {
        const QStringList command = round % 4 == 3
                                        ? QStringList{QStringLiteral("sign-out-everywhere"), QStringLiteral("--yes")}
                                        : QStringList{QStringLiteral("rotate-key")};
        std::unique_ptr<QProcess> p = h->start(command);
        ASSERT_TRUE(p->waitForStarted(5000));
        const int delay = int(rng->bounded(spanMs));
        QElapsedTimer wait;
        wait.start();
        waitFor([&] { return p->state() == QProcess::NotRunning || wait.elapsed() >= delay; }, delay + 1000);
        if (p->state() != QProcess::NotRunning) {
            ::kill(pid_t(p->processId()), SIGKILL);
            ++killed;
        }
        CliHarness::finish(*p, 30000);
        expectVaultWhole("round " + std::to_string(round) + ", kill after " + std::to_string(delay) + " ms");
        if (HasFatalFailure())
            return;
    }
    // Most rounds must really have been cut short, or this proves nothing.
    EXPECT_GE(killed, Rounds / 2) << "only " << killed << " kills landed in " << spanMs << " ms windows";
}

TEST_F(CliCrashTest, TwoRotationsAtOnceNeverLoseTheVault)
{
    connectAll();
    for (int round = 0; round < 5; ++round) {
        std::unique_ptr<QProcess> a = h->start({QStringLiteral("rotate-key")});
        std::unique_ptr<QProcess> b = h->start({QStringLiteral("rotate-key")});
        const CliRun ra = CliHarness::finish(*a);
        const CliRun rb = CliHarness::finish(*b);
        // One may be told to wait (the other holds the rotation lock); neither may break anything.
        for (const CliRun *r : {&ra, &rb})
            EXPECT_TRUE(r->exitCode == cli::Ok || r->exitCode == cli::VaultUnavailable) << r->errForMessage();
        EXPECT_TRUE(ra.exitCode == cli::Ok || rb.exitCode == cli::Ok);
        expectVaultWhole("two rotations, round " + std::to_string(round));
    }
}

// ---- reset-vault -----------------------------------------------------------------------------

namespace {

QStringList asideFiles(const Profile &profile)
{
    return QDir(profile.dataDir()).entryList({QStringLiteral("*.unreadable-*")});
}

QByteArray readEntry(KeyStore &store, const QString &entry, bool *found)
{
    std::optional<Result<SecureBytes>> r;
    store.read(entry, [&](Result<SecureBytes> key) { r.emplace(std::move(key)); });
    waitFor([&] { return r.has_value(); }, 20000);
    *found = r && r->ok();
    return *found ? QByteArray((*r)->bytes().constData(), (*r)->size()) : QByteArray();
}

void writeEntry(KeyStore &store, const QString &entry, const QByteArray &value)
{
    std::optional<Status> s;
    store.write(entry, value, [&](Status st) { s.emplace(std::move(st)); });
    ASSERT_TRUE(waitFor([&] { return s.has_value(); }, 20000));
    ASSERT_TRUE(s->ok()) << s->error().message.toStdString();
}

} // namespace

TEST_F(CliCrashTest, ResetVaultRefusesAVaultThatOpens)
{
    connectAll();
    const CliRun r = h->run({QStringLiteral("reset-vault"), QStringLiteral("--yes")});
    EXPECT_EQ(r.exitCode, cli::Usage) << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(QLatin1String("nothing to reset"))) << r.errForMessage();
    EXPECT_TRUE(asideFiles(h->profile()).isEmpty());
    expectVaultWhole("after a refused reset");
    EXPECT_EQ(h->run({QStringLiteral("token"), emails().first()}).exitCode, cli::Ok);
}

TEST_F(CliCrashTest, ResetVaultMovesADamagedVaultAsideAndKeepsItsKey)
{
    connectAll();
    KeyStore store;
    bool found = false;
    const QByteArray oldKey = readEntry(store, h->profile().keychainKey(), &found);
    ASSERT_TRUE(found);
    // Damage a page in the middle of the file (the key is right, the file is not).
    {
        QFile f(h->profile().databasePath());
        ASSERT_TRUE(f.open(QIODevice::ReadWrite));
        ASSERT_GT(f.size(), 4096);
        f.seek(f.size() / 2);
        f.write(QByteArray(512, '\x5a'));
    }
    const QByteArray damaged = [&] {
        QFile f(h->profile().databasePath());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    const CliRun r = h->run({QStringLiteral("reset-vault"), QStringLiteral("--yes")});
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    EXPECT_FALSE(r.err.contains(oldKey.toHex())) << "no key in the output";

    const QStringList aside = asideFiles(h->profile());
    ASSERT_EQ(aside.filter(QRegularExpression(QStringLiteral("\\d$"))).size(), 1)
        << aside.join(QLatin1Char(' ')).toStdString();
    QFile kept(h->profile().dataDir() + QLatin1Char('/')
               + aside.filter(QRegularExpression(QStringLiteral("\\d$"))).first());
    ASSERT_TRUE(kept.open(QIODevice::ReadOnly));
    EXPECT_TRUE(kept.readAll() == damaged) << "the damaged file is kept as it was";
    // The key of the file that was kept is still in the keychain, under the name printed.
    const QString stamp = kept.fileName().section(QStringLiteral(".unreadable-"), 1);
    const QByteArray keptKey = readEntry(store, h->profile().keychainKey() + QStringLiteral(":aside-") + stamp, &found);
    EXPECT_TRUE(found);
    EXPECT_TRUE(keptKey == oldKey);
    EXPECT_TRUE(r.errText().contains(QStringLiteral(":aside-") + stamp)) << r.errForMessage();
    // A new, empty vault under a new key.
    const QByteArray newKey = readEntry(store, h->profile().keychainKey(), &found);
    EXPECT_TRUE(found);
    EXPECT_FALSE(newKey == oldKey);
    const CliRun list = h->run({QStringLiteral("list"), QStringLiteral("--json")});
    ASSERT_EQ(list.exitCode, cli::Ok) << list.errForMessage();
    EXPECT_TRUE(QJsonDocument::fromJson(list.out).array().isEmpty());
}

TEST_F(CliCrashTest, ResetVaultWithAWrongKeyKeepsThatKeyToo)
{
    connectAll();
    KeyStore store;
    const QByteArray wrong = QByteArray(32, '\x11');
    writeEntry(store, h->profile().keychainKey(), wrong);
    const CliRun refusedList = h->run({QStringLiteral("list")});
    ASSERT_EQ(refusedList.exitCode, cli::VaultUnavailable) << refusedList.errForMessage();
    const CliRun r = h->run({QStringLiteral("reset-vault"), QStringLiteral("--yes")});
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    const QStringList aside = asideFiles(h->profile()).filter(QRegularExpression(QStringLiteral("\\d$")));
    ASSERT_EQ(aside.size(), 1) << asideFiles(h->profile()).join(QLatin1Char(' ')).toStdString();
    const QString stamp = aside.first().section(QStringLiteral(".unreadable-"), 1);
    bool found = false;
    EXPECT_TRUE(readEntry(store, h->profile().keychainKey() + QStringLiteral(":aside-") + stamp, &found) == wrong);
    EXPECT_TRUE(found);
    EXPECT_EQ(h->run({QStringLiteral("list")}).exitCode, cli::Ok);
}

// ---- teardown with debug logging ---------------------------------------------------------------

// Issue 18: with every debug category on, Qt and its plugins log while the process tears down,
// after the redactor's patterns used to be destroyed: "called on an invalid QRegularExpression
// object", then heap corruption (SIGABRT) in about 1 run of 8. The ASan build runs this too.
TEST_F(CliCrashTest, DebugLoggingToTheLastMessageEndsCleanly)
{
    QProcessEnvironment env = h->environment();
    env.insert(QStringLiteral("MAILKEY_DEBUG"), QStringLiteral("1"));
    env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true"));
    for (int round = 0; round < 8; ++round) {
        h->server().setUser(
            {QStringLiteral("sub-%1").arg(round), emails().first(), QStringLiteral("User"), emails().first()});
        const QProcessEnvironment saved = h->environment();
        h->setEnvironment(env);
        const CliRun connected = h->connect();
        const CliRun signedOut = h->run({QStringLiteral("sign-out-everywhere"), QStringLiteral("--yes")});
        h->setEnvironment(saved);
        for (const CliRun *r : {&connected, &signedOut}) {
            const std::string which = (r == &connected ? "connect" : "sign-out-everywhere") + std::string(", round ")
                                      + std::to_string(round);
            EXPECT_EQ(r->exitCode, cli::Ok) << which;
            EXPECT_FALSE(r->err.contains("invalid QRegularExpression")) << which;
            EXPECT_FALSE(r->err.contains("malloc")) << which;
            EXPECT_FALSE(r->err.contains("AddressSanitizer")) << which;
            EXPECT_TRUE(r->err.contains("mailkey-cli: [debug]")) << which << ": debug logging was not on";
            EXPECT_TRUE(h->containsNoSecret(r->err)) << which;
        }
        if (HasFailure())
            return;
    }
}

// ---- another user of the computer --------------------------------------------------------------

namespace {

// Runs `script` with sh as the user "nobody" (the tests run as root here and in CI).
int runAsNobody(const QString &script)
{
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    if (setpriv.isEmpty())
        return -1;
    QProcess p;
    p.start(setpriv, {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"),
                      QStringLiteral("--clear-groups"), QStringLiteral("sh"), QStringLiteral("-c"), script});
    if (!p.waitForFinished(20000))
        return -2;
    return p.exitCode();
}

QByteArray contents(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class CliOtherUserTest : public CliCrashTest {
protected:
    void SetUp() override
    {
        CliCrashTest::SetUp();
        if (::geteuid() != 0)
            GTEST_FAIL() << "these tests switch to the user nobody with setpriv: run them as root (as CI does)";
        connectAll();
        // Let "nobody" reach the profile folder (search permission only, nothing writable).
        for (QString d = QFileInfo(h->profile().dataDir()).absolutePath(); d.size() > 1;
             d = QFileInfo(d).absolutePath()) {
            if (!d.startsWith(QFileInfo(h->dataDir()).absolutePath()))
                break;
            m_opened << d;
            ::chmod(QFile::encodeName(d).constData(), 0711);
        }
        m_victim = QFileInfo(h->dataDir()).absolutePath() + QStringLiteral("/victim.txt");
        QFile v(m_victim);
        ASSERT_TRUE(v.open(QIODevice::WriteOnly));
        v.write("the victim's own file\n");
    }
    void TearDown() override
    {
        ::chmod(QFile::encodeName(h->profile().dataDir()).constData(), 0700);
        EXPECT_EQ(::chown(QFile::encodeName(h->profile().dataDir()).constData(), 0, 0), 0);
        for (const QString &d : std::as_const(m_opened))
            ::chmod(QFile::encodeName(d).constData(), 0700);
        CliCrashTest::TearDown();
    }
    QStringList m_opened;
    QString m_victim;
};

TEST_F(CliOtherUserTest, ALinkPlantedInAWorldWritableFolderIsNeverFollowed)
{
    const QString dir = h->profile().dataDir();
    ASSERT_EQ(::chmod(QFile::encodeName(dir).constData(), 0777), 0);
    const QString wal = h->profile().databasePath() + QStringLiteral("-wal");
    ASSERT_EQ(runAsNobody(QStringLiteral("rm -f '%1' && ln -s '%2' '%1'").arg(wal, m_victim)), 0);
    const QByteArray before = contents(m_victim);

    const CliRun refused = h->run({QStringLiteral("token"), emails().first()});
    EXPECT_EQ(refused.exitCode, cli::VaultUnavailable) << refused.errForMessage();
    EXPECT_TRUE(refused.out.isEmpty());
    EXPECT_TRUE(refused.errText().contains(QLatin1String("other users"))) << refused.errForMessage();
    EXPECT_TRUE(refused.errText().contains(QLatin1String("chmod 700"))) << refused.errForMessage();
    EXPECT_TRUE(contents(m_victim) == before) << "the victim's file was written to";

    // The folder made private again, the link is still refused: it was planted.
    ASSERT_EQ(::chmod(QFile::encodeName(dir).constData(), 0700), 0);
    const CliRun link = h->run({QStringLiteral("list")});
    EXPECT_EQ(link.exitCode, cli::VaultUnavailable) << link.errForMessage();
    EXPECT_TRUE(link.errText().contains(QLatin1String("link"))) << link.errForMessage();
    EXPECT_TRUE(contents(m_victim) == before);

    // Once it is removed, everything works, with nothing lost.
    ASSERT_TRUE(QFile::remove(wal));
    EXPECT_EQ(h->run({QStringLiteral("token"), emails().first()}).exitCode, cli::Ok);
    expectVaultWhole("after the planted link was removed");
    EXPECT_TRUE(contents(m_victim) == before);
}

TEST_F(CliOtherUserTest, AFolderOwnedBySomeoneElseIsNotUsed)
{
    const QString dir = h->profile().dataDir();
    ASSERT_EQ(::chown(QFile::encodeName(dir).constData(), 65534, 65534), 0);
    const CliRun r = h->run({QStringLiteral("token"), emails().first()});
    EXPECT_EQ(r.exitCode, cli::VaultUnavailable) << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(QLatin1String("another user"))) << r.errForMessage();
    ASSERT_EQ(::chown(QFile::encodeName(dir).constData(), 0, 0), 0);
    EXPECT_EQ(h->run({QStringLiteral("token"), emails().first()}).exitCode, cli::Ok);
}
