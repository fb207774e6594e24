// mailkey-cli export / import, the real binary against real SQLCipher files, a real gnome-keyring
// (tests/support/with-keyring.sh) and the fake authorization server: a backup moved to a fresh
// HOME with a fresh keyring keeps working at the server; every bad input changes nothing; a kill -9
// inside the import transaction leaves the vault as it was; a mutt_oauth2.py token file imported
// with its own client refreshes at the server with that client; the committed fixture backup
// (made by export on Debian 12) imports wherever the suite runs.
#include "cli/ExitCode.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/Vault.h"
#include "tests/cli/CliHarness.h"
#include "tests/support/TestUtil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtEndian>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

using namespace mailkey;
using mailkey::test::CliHarness;
using mailkey::test::CliRun;

namespace {

const QByteArray kPassphrase = "correct horse battery staple";

// The committed fixture (tests/cli/fixtures/backup-v1.mkb), made by `export` with this passphrase
// from a vault holding fixture@example.com (provider "fake") with fake tokens valid until 2099
// (CliBackupTest.DISABLED_WriteFixture, which wrote it).
const QByteArray kFixturePassphrase = "mailkey fixture passphrase";
const QString kFixtureEmail = QStringLiteral("fixture@example.com");
const QString kFixtureAccess = QStringLiteral("fixture-access-token-not-real");

QStringList emails()
{
    return {QStringLiteral("user0@example.com"), QStringLiteral("user1@example.com"),
            QStringLiteral("user2@example.com")};
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeAll(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// A terminal for the passphrase prompt: mailkey-cli runs as the leader of a new session whose
// controlling terminal is this pseudo-terminal, with its standard error on it (as in a shell).
// The test types on the master side and reads what the terminal shows.
class Terminal {
public:
    Terminal()
    {
        m_master = ::posix_openpt(O_RDWR | O_NOCTTY);
        if (m_master < 0 || ::grantpt(m_master) != 0 || ::unlockpt(m_master) != 0)
            return;
        if (const char *name = ::ptsname(m_master))
            m_slaveName = QByteArray(name);
        ::fcntl(m_master, F_SETFL, ::fcntl(m_master, F_GETFL) | O_NONBLOCK);
    }
    ~Terminal()
    {
        if (m_master >= 0)
            ::close(m_master);
    }
    Terminal(const Terminal &) = delete;
    Terminal &operator=(const Terminal &) = delete;

    bool ok() const { return !m_slaveName.isEmpty(); }
    void attach(QProcess &p) const
    {
        const QByteArray name = m_slaveName;
        p.setChildProcessModifier([name] {
            ::setsid();
            const int fd = ::open(name.constData(), O_RDWR); // becomes the controlling terminal
            if (fd >= 0) {
                ::ioctl(fd, TIOCSCTTY, 0);
                ::dup2(fd, STDERR_FILENO);
            }
        });
    }
    void type(const QByteArray &keys) const
    {
        [[maybe_unused]] const auto n = ::write(m_master, keys.constData(), size_t(keys.size()));
    }
    QByteArray shown()
    {
        char buf[4096];
        for (ssize_t n; (n = ::read(m_master, buf, sizeof buf)) > 0;)
            m_seen.append(buf, qsizetype(n));
        return m_seen;
    }
    // Whether the terminal echoes what is typed (its settings, read through the master side).
    bool echoes() const
    {
        termios t{};
        return ::tcgetattr(m_master, &t) == 0 && (t.c_lflag & ECHO) != 0 && (t.c_lflag & ICANON) != 0;
    }
    // Waits until the terminal shows `text` (a prompt) or the time is up.
    bool waitFor(const QByteArray &text, int occurrences = 1)
    {
        return test::waitFor([&] { return shown().count(text) >= occurrences; }, 20000);
    }

private:
    int m_master = -1;
    QByteArray m_slaveName;
    QByteArray m_seen;
};

} // namespace

class CliBackupTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        h = std::make_unique<CliHarness>();
        ASSERT_TRUE(h->ok());
        ASSERT_TRUE(m_dir.isValid());
        m_passFile = m_dir.filePath(QStringLiteral("pass"));
        ASSERT_TRUE(writeAll(m_passFile, kPassphrase + '\n'));
    }

    QString file(const QString &name) const { return m_dir.filePath(name); }

    void connect(const QString &email, const QStringList &extra = {})
    {
        h->server().setUser({QStringLiteral("sub-") + email, email, QStringLiteral("User"), email});
        const CliRun r = h->connect(QStringList{QStringLiteral("--login-hint"), email} + extra);
        ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
    }

    // mailkey-cli ARGS with `input` on standard input (the passphrase for --passphrase-fd 0).
    CliRun runWithInput(const QStringList &args, const QByteArray &input, const QProcessEnvironment &env = {})
    {
        const QProcessEnvironment saved = h->environment();
        if (!env.isEmpty())
            h->setEnvironment(env);
        std::unique_ptr<QProcess> p = h->start(args);
        h->setEnvironment(saved);
        p->write(input);
        p->closeWriteChannel();
        CliRun r = CliHarness::finish(*p, 60000);
        EXPECT_TRUE(h->containsNoSecret(r.out + r.err)) << args.join(QLatin1Char(' ')).toStdString();
        EXPECT_FALSE(r.err.contains(kPassphrase));
        return r;
    }

    CliRun exportTo(const QString &path, const QStringList &extra = {})
    {
        return runWithInput(QStringList{QStringLiteral("export"), QStringLiteral("--output"), path,
                                        QStringLiteral("--passphrase-fd"), QStringLiteral("0")}
                                + extra,
                            kPassphrase + '\n');
    }

    CliRun importFrom(const QString &path, const QByteArray &passphrase = kPassphrase, const QStringList &extra = {})
    {
        return runWithInput(
            QStringList{QStringLiteral("import"), path, QStringLiteral("--passphrase-fd"), QStringLiteral("0")} + extra,
            passphrase + '\n');
    }

    // mailkey-cli ARGS on `tty`, as typed in a shell there.
    void startOnTerminal(QProcess &p, const Terminal &tty, const QStringList &args)
    {
        p.setProcessEnvironment(h->environment());
        tty.attach(p);
        p.start(qEnvironmentVariable("MAILKEY_CLI"), QStringList{QStringLiteral("--profile"), h->profileName()} + args);
    }

    // What a person can see of a profile's vault: accounts with their state, and the audit log.
    QByteArray visibleState(const QStringList &profile = {})
    {
        const CliRun list = h->run(QStringList{QStringLiteral("list"), QStringLiteral("--json")} + profile);
        EXPECT_EQ(list.exitCode, cli::Ok) << list.errForMessage();
        const CliRun audit = h->run(QStringList{QStringLiteral("audit"), QStringLiteral("--json")} + profile);
        EXPECT_EQ(audit.exitCode, cli::Ok) << audit.errForMessage();
        const CliRun verify = h->run(QStringList{QStringLiteral("audit"), QStringLiteral("--verify")} + profile);
        EXPECT_EQ(verify.exitCode, cli::Ok) << verify.errForMessage();
        return list.out + audit.out;
    }

    std::unique_ptr<CliHarness> h;
    QTemporaryDir m_dir;
    QString m_passFile;
};

TEST_F(CliBackupTest, MovedToAFreshHomeAndKeyringTheTokensWorkAtTheServer)
{
    h->server().setAccessTokenLifetime(30); // `token` refreshes what expires within 60 s
    for (const QString &email : emails())
        connect(email);
    const QString backup = file(QStringLiteral("moved.mkb"));
    QElapsedTimer timer;
    timer.start();
    const CliRun exported = exportTo(backup, {QStringLiteral("--with-audit")});
    const qint64 exportMs = timer.elapsed();
    ASSERT_EQ(exported.exitCode, cli::Ok) << exported.errForMessage();
    EXPECT_TRUE(exported.out.isEmpty());
    EXPECT_TRUE(exported.errText().contains(QStringLiteral("3 accounts"))) << exported.errForMessage();
    struct stat st = {};
    ASSERT_EQ(::stat(QFile::encodeName(backup).constData(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const QByteArray bytes = readAll(backup);
    for (const QByteArray &secret : h->secrets())
        EXPECT_FALSE(bytes.contains(secret));
    for (const QString &email : emails())
        EXPECT_FALSE(bytes.contains(email.toUtf8()));
    // No temporary file left beside it.
    EXPECT_EQ(QDir(m_dir.path()).entryList(QDir::Files).size(), 2) << "pass and the backup";

    // A new computer: another HOME, XDG folders and D-Bus session with its own empty keyring
    // (with-keyring.sh again, nested), no MAILKEY_DATA_DIR. Import, then a token for each
    // account, refreshed at the server.
    const int refreshesBefore = h->server().refreshCount();
    const QString script
        = QStringLiteral("set -e; cli=\"$1\"; backup=\"$2\"; pass=\"$3\"; shift 3\n"
                         "test ! -e \"$XDG_DATA_HOME/MailKey\" && test ! -e \"$XDG_CONFIG_HOME/MailKey\"\n"
                         "\"$cli\" import \"$backup\" --passphrase-fd 3 3<\"$pass\"\n"
                         "for e in \"$@\"; do \"$cli\" token \"$e\"; done\n"
                         "\"$cli\" audit --verify >&2\n"
                         "\"$cli\" list --json >&2\n");
    QProcess fresh;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("MAILKEY_DATA_DIR"));
    env.remove(QStringLiteral("MAILKEY_CONFIG_DIR"));
    fresh.setProcessEnvironment(env);
    timer.restart();
    fresh.start(QStringLiteral("sh"),
                QStringList{QStringLiteral(MAILKEY_WITH_KEYRING), QStringLiteral("sh"), QStringLiteral("-c"), script,
                            QStringLiteral("fresh"), qEnvironmentVariable("MAILKEY_CLI"), backup, m_passFile}
                    + emails());
    const CliRun moved = CliHarness::finish(fresh, 120000);
    const qint64 importAndTokensMs = timer.elapsed();
    ASSERT_EQ(moved.exitCode, 0) << moved.errForMessage();
    EXPECT_TRUE(moved.errText().contains(QStringLiteral("3 added, 0 updated"))) << moved.errForMessage();
    EXPECT_TRUE(moved.errText().contains(QStringLiteral("custom providers were restored"))) << moved.errForMessage();
    const QStringList tokens = moved.outText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    ASSERT_EQ(tokens.size(), emails().size()) << moved.errForMessage();
    for (const QString &t : tokens)
        EXPECT_TRUE(h->server().isAccessTokenValid(t));
    EXPECT_EQ(h->server().refreshCount(), refreshesBefore + emails().size());
    std::printf("export of 3 accounts with audit: %lld ms; import in a fresh HOME + 3 refreshed tokens (with "
                "keyring start): %lld ms\n",
                static_cast<long long>(exportMs), static_cast<long long>(importAndTokensMs));
}

TEST_F(CliBackupTest, ImportReportsWhatItAddedAndUpdated)
{
    const QStringList other{QStringLiteral("--profile"), QStringLiteral("other")};
    connect(emails().at(0), other); // older sign-in in the other profile
    for (const QString &email : emails())
        connect(email);
    const QString backup = file(QStringLiteral("b.mkb"));
    ASSERT_EQ(exportTo(backup).exitCode, cli::Ok);
    const CliRun imported = importFrom(backup, kPassphrase, other);
    ASSERT_EQ(imported.exitCode, cli::Ok) << imported.errForMessage();
    const QString text = imported.errText();
    EXPECT_TRUE(text.contains(QStringLiteral("Updated: user0@example.com (fake)"))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("Added:   user1@example.com (fake)"))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("2 added, 1 updated, 0 kept"))) << text.toStdString();
    // The same backup again: the tokens here are those of the backup now (same age): updated.
    const CliRun again = importFrom(backup, kPassphrase, other);
    EXPECT_TRUE(again.errText().contains(QStringLiteral("0 added, 3 updated"))) << again.errForMessage();
    // A sign-in here after the backup was made is newer: kept.
    connect(emails().at(1), other);
    const CliRun stale = importFrom(backup, kPassphrase, other);
    EXPECT_TRUE(stale.errText().contains(QStringLiteral("Kept:    user1@example.com (fake)"))) << stale.errForMessage();
}

TEST_F(CliBackupTest, EveryBadInputChangesNothingAndSaysWhy)
{
    connect(emails().at(0));
    const QString backup = file(QStringLiteral("good.mkb"));
    ASSERT_EQ(exportTo(backup).exitCode, cli::Ok);
    connect(emails().at(1));
    const QByteArray before = visibleState();
    const QByteArray good = readAll(backup);

    struct Case {
        const char *what;
        QByteArray content;
        int exitCode;
        const char *says;
    };
    QByteArray newer = good;
    qToBigEndian<quint16>(2, newer.data() + 8);
    QByteArray flipped = good;
    flipped[flipped.size() - 40] = char(flipped.at(flipped.size() - 40) ^ 0x20);
    const QList<Case> cases = {
        {"truncated", good.left(good.size() / 2), cli::BadBackup, "damaged or incomplete"},
        {"truncated header", good.left(30), cli::BadBackup, "damaged or incomplete"},
        {"a changed byte", flipped, cli::BadBackup, "damaged or incomplete"},
        {"newer format", newer, cli::BadBackup, "newer MailKey"},
        {"not a backup", QByteArray("{\"accounts\": []}\n"), cli::BadBackup, "not a MailKey backup"},
        {"empty", QByteArray(), cli::BadBackup, "not a MailKey backup"},
    };
    for (const Case &c : cases) {
        const QString path = file(QStringLiteral("bad.mkb"));
        ASSERT_TRUE(writeAll(path, c.content));
        const CliRun r = importFrom(path);
        EXPECT_EQ(r.exitCode, c.exitCode) << c.what << ": " << r.errForMessage();
        EXPECT_TRUE(r.errText().contains(QLatin1String(c.says))) << c.what << ": " << r.errForMessage();
        EXPECT_TRUE(r.errText().contains(QStringLiteral("Nothing was changed"))) << c.what;
    }
    const CliRun wrong = importFrom(backup, "Correct horse battery staple");
    EXPECT_EQ(wrong.exitCode, cli::BackupPassphrase) << wrong.errForMessage();
    EXPECT_TRUE(wrong.errText().contains(QStringLiteral("passphrase does not open"))) << wrong.errForMessage();
    const CliRun missing = importFrom(file(QStringLiteral("none.mkb")));
    EXPECT_NE(missing.exitCode, cli::Ok);
    EXPECT_TRUE(missing.errText().contains(QStringLiteral("cannot be read"))) << missing.errForMessage();
    // No terminal (QProcess gives pipes) and no --passphrase-fd: a clear error, not a hang.
    const CliRun noTerminal = h->run({QStringLiteral("import"), backup});
    EXPECT_EQ(noTerminal.exitCode, cli::Usage);
    EXPECT_TRUE(noTerminal.errText().contains(QStringLiteral("--passphrase-fd"))) << noTerminal.errForMessage();
    const CliRun noTerminalExport
        = h->run({QStringLiteral("export"), QStringLiteral("--output"), file(QStringLiteral("x.mkb"))});
    EXPECT_EQ(noTerminalExport.exitCode, cli::Usage);
    EXPECT_FALSE(QFile::exists(file(QStringLiteral("x.mkb"))));
    // A short passphrase is refused at export; an unreadable descriptor is a usage error.
    const CliRun shortPass
        = runWithInput({QStringLiteral("export"), QStringLiteral("--output"), file(QStringLiteral("y.mkb")),
                        QStringLiteral("--passphrase-fd"), QStringLiteral("0")},
                       "short\n");
    EXPECT_EQ(shortPass.exitCode, cli::Usage);
    EXPECT_FALSE(QFile::exists(file(QStringLiteral("y.mkb"))));
    const CliRun badFd
        = h->run({QStringLiteral("import"), backup, QStringLiteral("--passphrase-fd"), QStringLiteral("77")});
    EXPECT_EQ(badFd.exitCode, cli::Usage);
    EXPECT_EQ(visibleState(), before);
    // And the good file still imports.
    EXPECT_EQ(importFrom(backup).exitCode, cli::Ok);
}

TEST_F(CliBackupTest, KilledDuringImportTheVaultIsAsItWas)
{
    const QStringList other{QStringLiteral("--profile"), QStringLiteral("other")};
    connect(emails().at(0), other);
    const QString ownAccess = h->server().lastIssuedAccessToken();
    for (const QString &email : emails())
        connect(email);
    const QString backup = file(QStringLiteral("b.mkb"));
    ASSERT_EQ(exportTo(backup).exitCode, cli::Ok);
    QByteArray before = visibleState(other);
    for (const QString &at :
         {QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("commit")}) {
        QProcessEnvironment env = h->environment();
        env.insert(QStringLiteral("MAILKEY_FAULT_IMPORT_KILL"), at);
        const CliRun killed = runWithInput(
            QStringList{QStringLiteral("import"), backup, QStringLiteral("--passphrase-fd"), QStringLiteral("0")}
                + other,
            kPassphrase + '\n', env);
        EXPECT_EQ(killed.exitCode, -2) << "kill at " << at.toStdString() << ": " << killed.errForMessage();
        EXPECT_EQ(visibleState(other), before) << "kill at " << at.toStdString();
        // The account that was there still hands out its own token.
        const CliRun token = h->run(QStringList{QStringLiteral("token"), emails().at(0)} + other);
        EXPECT_EQ(token.outText().trimmed(), ownAccess) << "kill at " << at.toStdString();
        before = visibleState(other); // the hand-out is in the audit log now
    }
    const CliRun imported = importFrom(backup, kPassphrase, other);
    ASSERT_EQ(imported.exitCode, cli::Ok) << imported.errForMessage();
    EXPECT_NE(visibleState(other), before);
}

TEST_F(CliBackupTest, MuttOAuth2TokenFileRefreshesWithItsOwnClient)
{
    // The user's own app registration, as mutt_oauth2.py has it: a confidential client.
    const QString muttClient = QStringLiteral("mutt-own-client");
    const QString muttSecret = QStringLiteral("mutt-own-secret-value");
    h->server().addClient({muttClient, muttSecret, {}});
    h->server().setAccessTokenLifetime(30);
    // A refresh token of that client: signed in through a providers file with it.
    QJsonObject providers = QJsonDocument::fromJson(readAll(h->providersFile())).object();
    QJsonArray list = providers.value(QStringLiteral("providers")).toArray();
    QJsonObject p = list.at(0).toObject();
    p.insert(QStringLiteral("client_id"), muttClient);
    p.insert(QStringLiteral("client_secret"), muttSecret);
    list.replace(0, p);
    providers.insert(QStringLiteral("providers"), list);
    const QString muttProviders = file(QStringLiteral("mutt-providers.json"));
    ASSERT_TRUE(writeAll(muttProviders, QJsonDocument(providers).toJson()));
    const QStringList source{QStringLiteral("--profile"), QStringLiteral("mutt-source")};
    connect(CliHarness::Email, QStringList{QStringLiteral("--providers"), muttProviders} + source);
    const QString refresh = h->server().lastIssuedRefreshToken();
    ASSERT_TRUE(h->server().isRefreshTokenValid(refresh));

    // The token file exactly as mutt_oauth2.py writes it (json.dumps of its dict) and its
    // decryption pipe prints it, after its access token expired.
    const QByteArray tokenFile
        = QStringLiteral("{\"registration\": \"google\", \"authflow\": \"localhostauthcode\", \"email\": "
                         "\"%1\", \"access_token\": \"ya29.expired\", \"access_token_expiration\": "
                         "\"2026-01-02T03:04:05.678901\", \"refresh_token\": \"%2\", \"client_id\": "
                         "\"%3\", \"client_secret\": \"%4\"}")
              .arg(CliHarness::Email, refresh, muttClient, muttSecret)
              .toUtf8();
    const QStringList target{QStringLiteral("--profile"), QStringLiteral("from-mutt")};
    // Registration google goes to the built-in Google provider...
    const CliRun google = runWithInput(QStringList{QStringLiteral("import"), QStringLiteral("--from"),
                                                   QStringLiteral("mutt-oauth2"), QStringLiteral("-")}
                                           + QStringList{QStringLiteral("--profile"), QStringLiteral("google-map")},
                                       tokenFile);
    ASSERT_EQ(google.exitCode, cli::Ok) << google.errForMessage();
    const CliRun listed = h->run(
        {QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--profile"), QStringLiteral("google-map")});
    const QJsonObject row = QJsonDocument::fromJson(listed.out).array().at(0).toObject();
    EXPECT_EQ(row.value(QStringLiteral("provider")).toString(), QStringLiteral("google"));
    EXPECT_EQ(row.value(QStringLiteral("email")).toString(), CliHarness::Email);
    // ... and --provider names another, here the fake server's; its providers.json has MailKey's
    // own client id, but the account refreshes with mutt's.
    const CliRun imported
        = runWithInput(QStringList{QStringLiteral("import"), QStringLiteral("--from"), QStringLiteral("mutt-oauth2"),
                                   QStringLiteral("-"), QStringLiteral("--provider"), QStringLiteral("fake")}
                           + target,
                       tokenFile);
    ASSERT_EQ(imported.exitCode, cli::Ok) << imported.errForMessage();
    EXPECT_TRUE(imported.errText().contains(QStringLiteral("Added:   alice@example.com (fake)")))
        << imported.errForMessage();
    const int before = h->server().refreshCount();
    const CliRun token = h->run(QStringList{QStringLiteral("token"), CliHarness::Email} + target);
    ASSERT_EQ(token.exitCode, cli::Ok) << token.errForMessage();
    EXPECT_EQ(h->server().refreshCount(), before + 1);
    EXPECT_TRUE(h->server().isAccessTokenValid(token.outText().trimmed()));
    EXPECT_NE(token.outText().trimmed(), QStringLiteral("ya29.expired"));
    const auto requests = h->server().tokenRequests();
    ASSERT_FALSE(requests.isEmpty());
    EXPECT_EQ(requests.last().value(QStringLiteral("client_id")), muttClient);
    // A backup of that profile keeps the account's client: imported elsewhere, it still refreshes
    // with mutt's client (the access tokens live 30 s here: `token` refreshes them).
    const QString backup = file(QStringLiteral("mutt.mkb"));
    ASSERT_EQ(exportTo(backup, target).exitCode, cli::Ok);
    const QStringList moved{QStringLiteral("--profile"), QStringLiteral("moved")};
    ASSERT_EQ(importFrom(backup, kPassphrase, moved).exitCode, cli::Ok);
    const CliRun again = h->run(QStringList{QStringLiteral("token"), CliHarness::Email} + moved);
    ASSERT_EQ(again.exitCode, cli::Ok) << again.errForMessage();
    EXPECT_EQ(h->server().refreshCount(), before + 2);
    EXPECT_TRUE(h->server().isAccessTokenValid(again.outText().trimmed()));
    EXPECT_EQ(h->server().tokenRequests().last().value(QStringLiteral("client_id")), muttClient);
    // `remove` revokes as mutt's client too (the server refuses another client's revocation).
    const int revoked = h->server().revocationCount();
    const CliRun removed = h->run(QStringList{QStringLiteral("remove"), CliHarness::Email} + moved);
    EXPECT_EQ(removed.exitCode, cli::Ok) << removed.errForMessage();
    EXPECT_EQ(h->server().revocationCount(), revoked + 1) << removed.errForMessage();
    EXPECT_FALSE(h->server().isGrantActive(CliHarness::Email));

    // Bad token files: each refused, nothing added.
    const QStringList bad{QStringLiteral("--profile"), QStringLiteral("bad-mutt")};
    for (const QByteArray &content :
         {QByteArray("gpg: decryption failed: No secret key\n"),
          QByteArray(R"({"registration": "google", "authflow": "authcode", "email": "a@b.example", )"
                     R"("access_token": "", "access_token_expiration": "", "refresh_token": ""})")}) {
        const CliRun r = runWithInput(QStringList{QStringLiteral("import"), QStringLiteral("--from"),
                                                  QStringLiteral("mutt-oauth2"), QStringLiteral("-")}
                                          + bad,
                                      content);
        EXPECT_EQ(r.exitCode, cli::BadBackup) << r.errForMessage();
    }
    const CliRun unknownRegistration
        = runWithInput(QStringList{QStringLiteral("import"), QStringLiteral("--from"), QStringLiteral("mutt-oauth2"),
                                   QStringLiteral("-")}
                           + bad,
                       QByteArray(R"({"registration": "fastmail", "email": "a@b.example", "refresh_token": "r"})"));
    EXPECT_EQ(unknownRegistration.exitCode, cli::Usage);
    EXPECT_TRUE(unknownRegistration.errText().contains(QStringLiteral("--provider")));
    const CliRun none = h->run(QStringList{QStringLiteral("list"), QStringLiteral("--json")} + bad);
    EXPECT_EQ(QJsonDocument::fromJson(none.out).array().size(), 0);
}

TEST_F(CliBackupTest, PassphraseIsTypedOnTheTerminalWithoutEcho)
{
    connect(emails().at(0));
    const QString backup = file(QStringLiteral("typed.mkb"));
    const QByteArray typed = "typed on a terminal";
    {
        Terminal tty;
        ASSERT_TRUE(tty.ok());
        QProcess p;
        startOnTerminal(p, tty, {QStringLiteral("export"), QStringLiteral("--output"), backup});
        ASSERT_TRUE(tty.waitFor("Backup passphrase: ")) << tty.shown().toStdString();
        tty.type(typed + "x\x7f\r"); // a typo, erased with backspace
        ASSERT_TRUE(tty.waitFor("The same passphrase again: "));
        tty.type(typed + '\r');
        const CliRun r = CliHarness::finish(p);
        EXPECT_EQ(r.exitCode, cli::Ok) << tty.shown().toStdString();
        EXPECT_FALSE(tty.shown().contains(typed)) << "the passphrase was echoed";
        EXPECT_TRUE(QFile::exists(backup));
    }
    {
        // Two different passphrases: nothing is written.
        Terminal tty;
        QProcess p;
        startOnTerminal(p, tty,
                        {QStringLiteral("export"), QStringLiteral("--output"), file(QStringLiteral("mismatch.mkb"))});
        ASSERT_TRUE(tty.waitFor("Backup passphrase: "));
        tty.type("one passphrase\r");
        ASSERT_TRUE(tty.waitFor("The same passphrase again: "));
        tty.type("another passphrase\r");
        EXPECT_EQ(CliHarness::finish(p).exitCode, cli::Usage);
        EXPECT_TRUE(tty.shown().contains("differ"));
        EXPECT_FALSE(QFile::exists(file(QStringLiteral("mismatch.mkb"))));
    }
    {
        // Ctrl-C at the prompt: cancelled, and the terminal echoes again afterwards.
        Terminal tty;
        QProcess p;
        startOnTerminal(p, tty, {QStringLiteral("import"), backup});
        ASSERT_TRUE(tty.waitFor("Backup passphrase: "));
        EXPECT_FALSE(tty.echoes());
        tty.type("half\x03");
        EXPECT_EQ(CliHarness::finish(p).exitCode, cli::Cancelled);
        EXPECT_TRUE(tty.echoes());
    }
    {
        // The typed passphrase opens it.
        Terminal tty;
        QProcess p;
        startOnTerminal(p, tty, {QStringLiteral("import"), backup});
        ASSERT_TRUE(tty.waitFor("Backup passphrase: "));
        tty.type(typed + '\r');
        const CliRun r = CliHarness::finish(p);
        EXPECT_EQ(r.exitCode, cli::Ok) << tty.shown().toStdString();
        EXPECT_TRUE(tty.shown().contains("0 added, 1 updated")) << tty.shown().toStdString();
        EXPECT_FALSE(tty.shown().contains(typed));
    }
}

// The backup committed in tests/cli/fixtures, made on Debian 12 (SQLCipher 3.4.1, OpenSSL 3.0):
// the same bytes import wherever the suite runs (Debian 13: SQLCipher 4.6, OpenSSL 3.5).
TEST_F(CliBackupTest, CommittedFixtureImports)
{
    const QString fixture = QStringLiteral(MAILKEY_CLI_FIXTURES "/backup-v1.mkb");
    ASSERT_TRUE(QFile::exists(fixture));
    const CliRun imported = importFrom(fixture, kFixturePassphrase);
    ASSERT_EQ(imported.exitCode, cli::Ok) << imported.errForMessage();
    EXPECT_TRUE(imported.errText().contains(QStringLiteral("Added:   fixture@example.com (fake)")))
        << imported.errForMessage();
    // Its access token is valid until 2099: handed out as stored, no refresh.
    const CliRun token = h->run({QStringLiteral("token"), kFixtureEmail});
    ASSERT_EQ(token.exitCode, cli::Ok) << token.errForMessage();
    EXPECT_EQ(token.outText().trimmed(), kFixtureAccess);
    EXPECT_EQ(h->run({QStringLiteral("audit"), QStringLiteral("--verify")}).exitCode, cli::Ok);
    EXPECT_EQ(importFrom(fixture, "wrong passphrase").exitCode, cli::BackupPassphrase);
}

// Writes the fixture above (run by hand with --gtest_also_run_disabled_tests and
// MAILKEY_WRITE_FIXTURE=PATH); kept so that the way it was made is on record.
TEST_F(CliBackupTest, DISABLED_WriteFixture)
{
    const QString out = qEnvironmentVariable("MAILKEY_WRITE_FIXTURE");
    ASSERT_FALSE(out.isEmpty());
    ASSERT_EQ(h->run({QStringLiteral("audit")}).exitCode, cli::Ok); // creates the vault ("status" only looks)
    KeyStore store;
    std::shared_ptr<Vault> vault = h->openVault(&store);
    ASSERT_TRUE(vault);
    TokenRecord t;
    t.accessToken = SecretString(kFixtureAccess);
    t.refreshToken = SecretString(QStringLiteral("fixture-refresh-token-not-real"));
    t.expiresAt = QDateTime(QDate(2099, 1, 1), QTime(0, 0), utcZone());
    t.scopes = {QStringLiteral("email"), QStringLiteral("profile"), QStringLiteral("offline_access")};
    ASSERT_TRUE(vault
                    ->saveConnection(AccountInfo{QStringLiteral("fake"),
                                                 kFixtureEmail,
                                                 QStringLiteral("Fixture"),
                                                 {},
                                                 QStringLiteral("sub-fixture")},
                                     t, QDateTime::currentDateTimeUtc())
                    .ok());
    vault.reset();
    const CliRun r = runWithInput({QStringLiteral("export"), QStringLiteral("--output"), out,
                                   QStringLiteral("--passphrase-fd"), QStringLiteral("0")},
                                  kFixturePassphrase + '\n');
    ASSERT_EQ(r.exitCode, cli::Ok) << r.errForMessage();
}
