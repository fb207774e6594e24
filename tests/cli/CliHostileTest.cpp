// mailkey-cli against hostile input from outside, as a subprocess (tests/cli/CliHarness.h): a
// provider that names the account with terminal escapes, read back through a real pseudo-terminal;
// a FIFO where providers.json should be; provider entries that were left out; a full disk (a real
// tmpfs); and the audit log's name of the requesting program.
#include "cli/ExitCode.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/VaultAccess.h"
#include "tests/cli/CliHarness.h"
#include "tests/support/TestUtil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mailkey;
using mailkey::test::CliHarness;
using mailkey::test::CliRun;
using mailkey::test::waitFor;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// ESC ] 0 ; owned BEL sets the terminal's title, ESC [ 2 J clears the screen.
const QString HostileAddress = s("mallory\x1b]0;owned\x07\x1b[2J@example.com");
// U+202E (right-to-left override) and U+2066 (left-to-right isolate) reorder what follows.
const QString BidiName = s("Mallory \u202egpj.exe\u2066 Example");

// A pseudo-terminal: the child gets the slave side as stdout and stderr, the test reads the
// master side, so what the terminal would receive is checked byte for byte.
class Pty {
public:
    Pty()
    {
        m_master = ::posix_openpt(O_RDWR | O_NOCTTY);
        if (m_master < 0 || ::grantpt(m_master) != 0 || ::unlockpt(m_master) != 0)
            return;
        const char *name = ::ptsname(m_master);
        if (!name)
            return;
        m_slaveName = QString::fromLocal8Bit(name);
        // Held open here too, so the master never reads EIO between two children.
        m_slave = ::open(name, O_RDWR | O_NOCTTY);
        ::fcntl(m_master, F_SETFL, ::fcntl(m_master, F_GETFL) | O_NONBLOCK);
    }
    ~Pty()
    {
        if (m_slave >= 0)
            ::close(m_slave);
        if (m_master >= 0)
            ::close(m_master);
    }
    Pty(const Pty &) = delete;
    Pty &operator=(const Pty &) = delete;

    bool ok() const { return m_slave >= 0 && !m_slaveName.isEmpty(); }
    const QString &slaveName() const { return m_slaveName; }

    // Everything written to the terminal so far.
    QByteArray drain()
    {
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(m_master, buf, sizeof(buf));
            if (n <= 0)
                break;
            m_seen.append(buf, qsizetype(n));
        }
        return m_seen;
    }
    void clear()
    {
        drain();
        m_seen.clear();
    }

private:
    int m_master = -1;
    int m_slave = -1;
    QString m_slaveName;
    QByteArray m_seen;
};

// Nothing that would drive the terminal or reorder its line: no ESC, BEL, C1 CSI, bidi controls.
void expectNothingDrivesTheTerminal(const QByteArray &bytes)
{
    EXPECT_FALSE(bytes.contains('\x1b')) << "raw ESC reached the terminal";
    EXPECT_FALSE(bytes.contains('\x07')) << "raw BEL reached the terminal";
    EXPECT_FALSE(bytes.contains("\xc2\x9b")) << "raw CSI (U+009B) reached the terminal";
    for (const char *bidi : {"\xe2\x80\xae", "\xe2\x81\xa6"})
        EXPECT_FALSE(bytes.contains(bidi)) << "a raw bidi control reached the terminal";
}

} // namespace

class CliHostileTest : public ::testing::Test {
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
        if (h)
            test::expectNotLogged(h->secrets());
        m_vault.reset();
        if (!m_mounted.isEmpty())
            ::umount2(QFile::encodeName(m_mounted).constData(), MNT_DETACH);
        h.reset();
    }

    // The vault as this process sees it (same folders, same keyring).
    std::shared_ptr<Vault> vault()
    {
        if (!m_vault)
            m_vault = h->openVault(&m_keyStore);
        return m_vault;
    }

    // mailkey-cli --profile NAME ARGS with stdout and stderr on the pseudo-terminal. For connect,
    // the sign-in address is read from the terminal and followed with a FakeBrowser.
    int runOnTerminal(Pty &pty, const QStringList &args, bool followSignIn = false)
    {
        QProcess p;
        p.setProcessEnvironment(h->environment());
        p.setStandardInputFile(QProcess::nullDevice());
        p.setStandardOutputFile(pty.slaveName(), QIODevice::Append);
        p.setStandardErrorFile(pty.slaveName(), QIODevice::Append);
        p.start(qEnvironmentVariable("MAILKEY_CLI"), QStringList{QStringLiteral("--profile"), h->profileName()} + args);
        test::FakeBrowser browser; // lives until the sign-in ends
        if (followSignIn) {
            QUrl url;
            waitFor(
                [&] {
                    url = CliHarness::signInUrl(pty.drain());
                    return url.isValid() || p.state() == QProcess::NotRunning;
                },
                20000);
            if (url.isValid())
                browser.open(url);
        }
        const bool ended = waitFor(
            [&] {
                pty.drain();
                return p.state() == QProcess::NotRunning;
            },
            30000);
        if (!ended) {
            p.kill();
            p.waitForFinished(5000);
            return -3;
        }
        pty.drain();
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    }

    void connectAlice()
    {
        const CliRun r = h->connect();
        ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    }

    // The actors of the token hand-outs in the audit log, oldest first.
    QStringList handOutActors()
    {
        const CliRun audit = h->run({s("audit"), CliHarness::Email, s("--json")});
        EXPECT_EQ(audit.exitCode, cli::Ok) << audit.errForMessage();
        QStringList actors;
        const QJsonArray entries = QJsonDocument::fromJson(audit.out).array();
        for (const QJsonValue &v : entries) {
            if (v.toObject().value(s("action")).toString() == QLatin1String("token.handed-out"))
                actors << v.toObject().value(s("actor")).toString();
        }
        std::reverse(actors.begin(), actors.end());
        return actors;
    }

    void writeProvidersJson(const QJsonArray &providers)
    {
        QFile::remove(h->providersFile());
        QFile f(h->providersFile());
        ASSERT_TRUE(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(QJsonObject{{s("providers"), providers}}).toJson());
    }

    QJsonObject fakeProviderEntry()
    {
        const QJsonObject entry{
            {s("id"), s("fake")},
            {s("issuer"), h->server().issuer()},
            {s("authorization_endpoint"), h->server().authorizeUrl().toString()},
            {s("token_endpoint"), h->server().tokenUrl().toString()},
            {s("userinfo_endpoint"), h->server().userinfoUrl().toString()},
            {s("client_id"), CliHarness::Client},
            {s("scopes"), QJsonArray{s("email"), s("offline_access")}},
        };
        return entry;
    }

    std::unique_ptr<CliHarness> h;
    KeyStore m_keyStore;
    std::shared_ptr<Vault> m_vault;
    QString m_mounted;
};

// ---- terminal escapes from the provider -----------------------------------------------------------

TEST_F(CliHostileTest, AHostileAddressFromTheProviderIsRefusedAndNeverReachesTheTerminalRaw)
{
    Pty pty;
    ASSERT_TRUE(pty.ok()) << "no pseudo-terminal";
    h->server().setUser({s("sub-mallory-0001"), HostileAddress, BidiName, HostileAddress});

    const int code = runOnTerminal(pty, {s("connect"), s("fake"), s("--no-browser")}, true);
    const QByteArray seen = pty.drain();
    EXPECT_EQ(code, cli::Failure) << seen.toStdString();
    expectNothingDrivesTheTerminal(seen);
    // Told why, with the address shown escaped rather than obeyed.
    EXPECT_TRUE(seen.contains("is not a mailbox address")) << seen.toStdString();
    EXPECT_TRUE(seen.contains("mallory\\u001b]0;owned\\u0007\\u001b[2J@example.com")) << seen.toStdString();
    EXPECT_TRUE(h->containsNoSecret(seen));

    // Nothing was stored.
    auto v = vault();
    ASSERT_TRUE(v);
    auto accounts = v->accounts();
    ASSERT_TRUE(accounts.ok());
    EXPECT_TRUE(accounts->isEmpty());

    // An address with a right-to-left override is refused alike.
    pty.clear();
    h->server().setUser({s("sub-mallory-0002"), s("mallory\u202emoc.elpmaxe@example.com"), s("M"), QString()});
    EXPECT_EQ(runOnTerminal(pty, {s("connect"), s("fake"), s("--no-browser")}, true), cli::Failure);
    expectNothingDrivesTheTerminal(pty.drain());
    accounts = v->accounts();
    ASSERT_TRUE(accounts.ok());
    EXPECT_TRUE(accounts->isEmpty());
}

TEST_F(CliHostileTest, ListAndAuditShowEscapesInsteadOfObeyingThem)
{
    // A vault that already holds such an address (written before the address was checked).
    auto v = vault();
    ASSERT_TRUE(v);
    AccountInfo info;
    info.provider = s("fake");
    info.email = HostileAddress;
    info.displayName = BidiName;
    info.subject = s("sub-mallory-0001");
    TokenRecord record;
    record.accessToken = SecretString(s("access-token-of-mallory-0123456789"));
    record.refreshToken = SecretString(s("refresh-token-of-mallory-0123456789"));
    record.expiresAt = QDateTime::currentDateTimeUtc().addSecs(3600);
    record.issuedAt = QDateTime::currentDateTimeUtc();
    record.scopes = QStringList{s("email")};
    ASSERT_TRUE(v->saveConnection(info, record, QDateTime::currentDateTimeUtc()).ok());
    AuditEntry entry;
    entry.at = QDateTime::currentDateTimeUtc();
    entry.accountEmail = HostileAddress;
    entry.action = s("token.handed-out");
    entry.outcome = s("ok");
    entry.detail = BidiName;
    entry.actor = BidiName;
    ASSERT_TRUE(v->appendAudit(entry).ok());

    Pty pty;
    ASSERT_TRUE(pty.ok()) << "no pseudo-terminal";
    for (const QStringList &args : {QStringList{s("list")}, QStringList{s("list"), s("--json")},
                                    QStringList{s("audit")}, QStringList{s("audit"), s("--json")}}) {
        SCOPED_TRACE(args.join(QLatin1Char(' ')).toStdString());
        pty.clear();
        EXPECT_EQ(runOnTerminal(pty, args), cli::Ok);
        const QByteArray seen = pty.drain();
        expectNothingDrivesTheTerminal(seen);
        // The address is there, its escapes made visible.
        EXPECT_TRUE(seen.contains("mallory\\u001b]0;owned\\u0007\\u001b[2J@example.com")) << seen.toStdString();
    }
}

// ---- the providers file ---------------------------------------------------------------------------

TEST_F(CliHostileTest, AFifoAsProvidersJsonIsRefusedAtOnceInsteadOfHanging)
{
    connectAlice();
    ASSERT_TRUE(QFile::remove(h->providersFile()));
    ASSERT_EQ(::mkfifo(QFile::encodeName(h->providersFile()).constData(), 0600), 0) << std::strerror(errno);

    // The default path (as a mail program runs token) and --providers alike; a bounded wait, so a
    // return of the hang fails here instead of stopping the suite.
    for (const QStringList &args :
         {QStringList{s("token"), CliHarness::Email}, QStringList{s("connect"), s("fake"), s("--no-browser")},
          QStringList{s("token"), CliHarness::Email, s("--providers"), h->providersFile()}}) {
        SCOPED_TRACE(args.join(QLatin1Char(' ')).toStdString());
        QElapsedTimer timer;
        timer.start();
        const CliRun r = h->run(args, 10000);
        ASSERT_NE(r.exitCode, -3) << "mailkey-cli hung on the FIFO";
        EXPECT_LT(timer.elapsed(), 8000);
        EXPECT_EQ(r.exitCode, cli::Failure) << r.errForMessage();
        EXPECT_TRUE(r.out.isEmpty());
        EXPECT_TRUE(r.errText().contains(s("is a named pipe (FIFO), not a regular file"))) << r.errForMessage();
    }
}

TEST_F(CliHostileTest, ALeftOutProviderIsExplainedWithItsFieldAndReason)
{
    QJsonObject bad = fakeProviderEntry();
    bad.insert(s("token_endpoint"), s("http://evil.example/token"));
    writeProvidersJson(QJsonArray{bad});
    const CliRun r = h->run({s("connect"), s("fake"), s("--no-browser")});
    EXPECT_EQ(r.exitCode, cli::Failure) << r.errForMessage();
    EXPECT_EQ(r.err.count('\n'), 1) << r.errForMessage();
    EXPECT_FALSE(r.errText().contains(s("not a known provider"))) << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(s("providers[0] (\"fake\"): token_endpoint:"))) << r.errForMessage();
    EXPECT_TRUE(r.errText().contains(s("https"))) << r.errForMessage();

    // An id that is in no entry is still a usage error.
    EXPECT_EQ(h->run({s("connect"), s("nosuch"), s("--no-browser")}).exitCode, cli::Usage);
}

TEST_F(CliHostileTest, TwoProvidersWithOneRedirectPathAreExplained)
{
    QJsonObject first = fakeProviderEntry();
    first.insert(s("redirect_path"), s("/oauth/shared"));
    QJsonObject second = fakeProviderEntry();
    second.insert(s("id"), s("fake-two"));
    second.insert(s("redirect_path"), s("/oauth/shared"));
    writeProvidersJson(QJsonArray{first, second});
    for (const char *id : {"fake", "fake-two"}) {
        const CliRun r = h->run({s("connect"), s(id), s("--no-browser")});
        EXPECT_EQ(r.exitCode, cli::Failure) << r.errForMessage();
        EXPECT_TRUE(r.errText().contains(s("redirect_path: is also used by providers["))) << r.errForMessage();
        EXPECT_TRUE(r.errText().contains(s("each provider needs its own path"))) << r.errForMessage();
    }
}

// ---- the requesting program -----------------------------------------------------------------------

TEST_F(CliHostileTest, TheAuditLogNamesTheRequestingProgramInFull)
{
    connectAlice();
    // This test program's own name is longer than the 15 bytes the kernel keeps in comm.
    ASSERT_EQ(h->run({s("token"), CliHarness::Email}).exitCode, cli::Ok);

    // A mail program with a long name that runs the helper as its child.
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString program = dir.filePath(s("mail-program-with-a-long-name"));
    ASSERT_TRUE(QFile::copy(s("/bin/sh"), program));
    ASSERT_TRUE(QFile::setPermissions(program, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
    QProcess mailProgram;
    mailProgram.setProcessEnvironment(h->environment());
    mailProgram.start(program, {s("-c"), s("\"$0\" --profile \"$1\" token alice@example.com >/dev/null; true"),
                                qEnvironmentVariable("MAILKEY_CLI"), h->profileName()});
    EXPECT_EQ(CliHarness::finish(mailProgram).exitCode, 0);

    EXPECT_EQ(handOutActors(), (QStringList{s("test_cli_hostile"), s("mail-program-with-a-long-name")}));
}

// ---- a full disk ----------------------------------------------------------------------------------

TEST_F(CliHostileTest, AFullDiskIsToldApartAndReadingStillWorks)
{
    // The data folder on a small tmpfs of its own (the tests run as root, here and in CI).
    const QString data = h->dataDir();
    ASSERT_TRUE(QDir().mkpath(data));
    ASSERT_EQ(::mount("tmpfs", QFile::encodeName(data).constData(), "tmpfs", 0, "size=2m,mode=0700"), 0)
        << "cannot mount a tmpfs on " << data.toStdString() << ": " << std::strerror(errno)
        << " (this test needs root, or CAP_SYS_ADMIN)";
    m_mounted = data;
    connectAlice();
    ASSERT_EQ(h->run({s("token"), CliHarness::Email}).exitCode, cli::Ok);

    // Fill the disk to the last byte, again before each command: a full disk stays full (space that
    // one command frees is taken by others).
    int fillers = 0;
    const auto fillDisk = [&] {
        QFile filler(data + QStringLiteral("/filler-%1").arg(++fillers));
        if (!filler.open(QIODevice::WriteOnly))
            return;
        for (const qsizetype size : {qsizetype(4096), qsizetype(1)}) {
            const QByteArray block(size, 'x');
            while (filler.write(block) == block.size() && filler.flush()) {
            }
        }
    };

    // Reading commands work, and so does handing out a cached token.
    fillDisk();
    const CliRun list = h->run({s("list")});
    EXPECT_EQ(list.exitCode, cli::Ok) << list.errForMessage();
    EXPECT_TRUE(list.outText().contains(CliHarness::Email)) << list.errForMessage();
    fillDisk();
    const CliRun audit = h->run({s("audit")});
    EXPECT_EQ(audit.exitCode, cli::Ok) << audit.errForMessage();
    fillDisk();
    const CliRun token = h->run({s("token"), CliHarness::Email});
    EXPECT_EQ(token.exitCode, cli::Ok) << token.errForMessage();
    fillDisk();
    EXPECT_EQ(h->run({s("list")}).exitCode, cli::Ok);

    // A command that must write says the disk is full, not "input/output error", and stores nothing.
    fillDisk();
    h->server().setUser({s("sub-bob-0001"), s("bob@example.com"), s("Bob"), s("bob@example.com")});
    const CliRun connect = h->connect();
    EXPECT_EQ(connect.exitCode, cli::VaultUnavailable) << connect.errForMessage();
    EXPECT_TRUE(connect.errText().contains(s("is full. Free some space"))) << connect.errForMessage();
    EXPECT_FALSE(connect.errText().contains(s("input/output"))) << connect.errForMessage();

    // The side files stay after a clean close (their space is kept for the next reader), the WAL
    // emptied. Without them (a vault last closed by an older MailKey), a full disk is still named.
    const QString db = h->profile().databasePath();
    ASSERT_TRUE(QFileInfo::exists(db + s("-shm")));
    ASSERT_EQ(QFileInfo(db + s("-wal")).size(), 0);
    ASSERT_TRUE(QFile::remove(db + s("-shm")) && QFile::remove(db + s("-wal")));
    fillDisk();
    const CliRun noShm = h->run({s("list")});
    EXPECT_EQ(noShm.exitCode, cli::VaultUnavailable) << noShm.errForMessage();
    EXPECT_TRUE(noShm.errText().contains(s("is full. Free some space"))) << noShm.errForMessage();

    // Space again: everything works, nothing was lost.
    for (int i = 1; i <= fillers; ++i)
        QFile::remove(data + QStringLiteral("/filler-%1").arg(i));
    const CliRun again = h->run({s("list"), s("--json")});
    EXPECT_EQ(again.exitCode, cli::Ok) << again.errForMessage();
    const QJsonArray accounts = QJsonDocument::fromJson(again.out).array();
    ASSERT_EQ(accounts.size(), 1);
    EXPECT_EQ(accounts.at(0).toObject().value(s("email")).toString(), CliHarness::Email);
    EXPECT_EQ(h->run({s("token"), CliHarness::Email}).exitCode, cli::Ok);
    const CliRun verify = h->run({s("audit"), s("--verify")});
    EXPECT_EQ(verify.exitCode, cli::Ok) << verify.errForMessage();
}
