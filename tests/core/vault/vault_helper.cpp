// A separate process for the vault tests: a second writer, or a key rotation killed with
// SIGKILL at a chosen step. Uses the real keychain of the test's private D-Bus session.
//   vault_helper rotate PROFILE STEP     (STEP 0..4 kills at that step; 9 completes)
//   vault_helper write PROFILE PREFIX N  (N accounts + N audit entries, one per transaction)
//   vault_helper open PATH               (raw key as hex on stdin; prints the error code number
//                                         and message; no keychain: for the permission tests,
//                                         run as another user)
//   vault_helper fixture PATH            (raw key as hex on stdin; creates a vault with fixed
//                                         accounts, tokens and audit rows: the SQLCipher upgrade
//                                         fixtures, tests/core/vault/fixtures/make-fixtures.sh)
//   vault_helper dump PATH               (raw key as hex on stdin; prints every account, token,
//                                         audit row and the audit check, the same on every build)
//   vault_helper cipher-version          (prints the linked SQLCipher's version)
//   vault_helper export4 SRC DST         (raw key as hex on stdin; SQLCipher 4 builds only: copies
//                                         SRC into DST written with SQLCipher 4's own defaults)
#include "core/common/Clock.h"
#include "core/common/ProcessHardening.h"
#include "core/common/Profile.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <sqlcipher/sqlite3.h>

#include <csignal>
#include <cstdio>

using namespace mailkey;

namespace {

SecureBytes keyFromStdin()
{
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return SecureBytes();
    return SecureBytes(QByteArray::fromHex(in.readLine().trimmed()));
}

QString iso(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QStringLiteral("-");
}

// Fixed content, with every kind of row an upgrade must keep: two providers, three resources of
// one account, a non-default status, a refresh schedule, settings and a chained audit log.
int makeFixture(const QString &path, const SecureBytes &key)
{
    auto opened = Vault::open(path, key, Vault::OpenMode::Create);
    if (!opened) {
        std::fprintf(stderr, "create failed: %s\n", qPrintable(opened.error().message));
        return 1;
    }
    Vault &v = **opened;
    const QDateTime t0(QDate(2026, 11, 2), QTime(9, 30), utcZone());
    const AccountInfo accounts[] = {
        {QStringLiteral("microsoft"), QStringLiteral("alex@example.com"), QStringLiteral("Alex Example"),
         QStringLiteral("tenant-1"), QStringLiteral("sub-alex")},
        {QStringLiteral("google"), QStringLiteral("sam@example.org"), QStringLiteral("Sam Example"), QString(),
         QStringLiteral("sub-sam")},
    };
    int n = 0;
    for (const AccountInfo &info : accounts) {
        ++n;
        TokenRecord t;
        t.accessToken = SecretString(QStringLiteral("fixture-access-%1").arg(n));
        t.refreshToken = SecretString(QStringLiteral("fixture-refresh-%1").arg(n));
        t.issuedAt = t0.addSecs(n);
        t.expiresAt = t0.addSecs(3600 + n);
        t.scopes = {QStringLiteral("openid"), QStringLiteral("offline_access")};
        auto saved = v.saveConnection(info, t, t0.addSecs(n));
        if (!saved)
            return 1;
        AuditEntry e;
        e.at = t0.addSecs(n);
        e.action = QStringLiteral("account.added");
        e.outcome = QStringLiteral("ok");
        e.accountId = saved->accountId;
        e.accountEmail = info.email;
        e.actor = QStringLiteral("mailkey");
        if (!v.appendAudit(e))
            return 1;
        if (n == 1) {
            for (const char *resource : {"imap", "smtp"}) {
                const QString r = QString::fromLatin1(resource);
                if (!v.commitRefresh(saved->accountId, r, SecretString(QStringLiteral("fixture-access-1-") + r),
                                     SecretString(QStringLiteral("fixture-refresh-1-rotated")), t0.addSecs(7200),
                                     {QStringLiteral("https://outlook.office.com/IMAP.AccessAsUser.All")},
                                     t0.addSecs(60)))
                    return 1;
            }
            e.at = t0.addSecs(60);
            e.action = QStringLiteral("token.handed-out");
            e.detail = QStringLiteral("resource imap");
            e.actor = QStringLiteral("/usr/bin/mutt");
            if (!v.appendAudit(e) || !v.setRefreshSchedule(saved->accountId, t0.addSecs(3000), 1))
                return 1;
        } else if (!v.setAccountStatus(saved->accountId, AccountStatus::NeedsSignIn, QStringLiteral("refresh refused"),
                                       t0.addSecs(90))) {
            return 1;
        }
    }
    return v.setSetting(QStringLiteral("fixture.note"), QStringLiteral("made by make-fixtures.sh")) ? 0 : 1;
}

int dump(const QString &path, const SecureBytes &key)
{
    auto opened = Vault::open(path, key, Vault::OpenMode::OpenExisting);
    if (!opened) {
        std::printf("error %d %s\n", int(opened.error().code), qPrintable(opened.error().message));
        return 1;
    }
    Vault &v = **opened;
    QStringList out;
    auto accounts = v.accounts();
    if (!accounts)
        return 1;
    for (const Account &a : *accounts) {
        out << QStringLiteral(
                   "account %1 %2 %3 |%4|%5|%6| %7 |%8| created %9 updated %10 refreshed %11 next %12 failures %13")
                   .arg(a.id)
                   .arg(a.provider, a.email, a.displayName, a.tenant, a.subject, accountStatusToString(a.status),
                        a.statusReason, iso(a.createdAt))
                   .arg(iso(a.updatedAt), iso(a.lastRefreshAt), iso(a.nextRefreshAt))
                   .arg(a.failureCount);
        auto tokens = v.tokens(a.id);
        if (!tokens)
            return 1;
        for (const TokenRecord &t : *tokens)
            out << QStringLiteral("  token %1 %2 %3 issued %4 expires %5 scopes %6")
                       .arg(t.resource, t.accessToken.reveal(), t.refreshToken.reveal(), iso(t.issuedAt),
                            iso(t.expiresAt), t.scopes.join(QLatin1Char(' ')));
    }
    auto audit = v.audit();
    if (!audit)
        return 1;
    for (const AuditEntry &e : *audit)
        out << QStringLiteral("audit %1 %2 %3 %4 %5 %6 |%7| %8")
                   .arg(e.id)
                   .arg(iso(e.at))
                   .arg(e.accountId)
                   .arg(e.accountEmail, e.action, e.outcome, e.detail, e.actor);
    auto setting = v.setting(QStringLiteral("fixture.note"));
    out << QStringLiteral("setting fixture.note %1").arg(setting && *setting ? **setting : QStringLiteral("-"));
    auto verified = v.verifyAudit();
    if (!verified)
        return 1;
    out << QStringLiteral("audit-verify intact=%1 rows=%2").arg(verified->intact ? 1 : 0).arg(verified->rows);
    std::fputs(qPrintable(out.join(QLatin1Char('\n')) + QLatin1Char('\n')), stdout);
    return 0;
}

// SQLCipher 4 only: SRC (read with the 3.x settings, as Vault::open does) exported into DST with
// SQLCipher 4's defaults, through SQLCipher's own sqlcipher_export().
int export4(const QString &src, const QString &dst, const SecureBytes &key)
{
    if (Vault::linkedCipherVersion().section(QLatin1Char('.'), 0, 0).toInt() < 4) {
        std::fputs("export4 needs a SQLCipher 4 build\n", stderr);
        return 2;
    }
    sqlite3 *db = nullptr;
    // CREATE: ATTACH creates DST with the flags of the main connection.
    if (sqlite3_open_v2(QFile::encodeName(src).constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK)
        return 1;
    const QByteArray spec = "x'" + key.bytes().toHex() + "'";
    int rc = sqlite3_key(db, spec.constData(), int(spec.size()));
    const QByteArray attach = "ATTACH DATABASE '" + QFile::encodeName(dst) + "' AS v4 KEY \"" + spec + "\"";
    // sqlcipher_export copies the schema and the rows, not the schema version (user_version = 1).
    for (const QByteArray &sql :
         {QByteArray("PRAGMA cipher_compatibility = 3"), attach, QByteArray("SELECT sqlcipher_export('v4')"),
          QByteArray("PRAGMA v4.user_version = 1"), QByteArray("DETACH DATABASE v4")}) {
        if (rc != SQLITE_OK)
            break;
        rc = sqlite3_exec(db, sql.constData(), nullptr, nullptr, nullptr);
    }
    if (rc != SQLITE_OK)
        std::fprintf(stderr, "export failed: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    mailkey::keepLibcryptoUntilExit(); // first: see ProcessHardening.h
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 2 && args[1] == QLatin1String("cipher-version")) {
        std::puts(qPrintable(Vault::linkedCipherVersion()));
        return 0;
    }
    if (args.size() == 3 && args[1] == QLatin1String("fixture"))
        return makeFixture(args[2], keyFromStdin());
    if (args.size() == 3 && args[1] == QLatin1String("dump"))
        return dump(args[2], keyFromStdin());
    if (args.size() == 4 && args[1] == QLatin1String("export4"))
        return export4(args[2], args[3], keyFromStdin());
    if (args.size() == 3 && args[1] == QLatin1String("open")) {
        const SecureBytes key = keyFromStdin();
        auto opened = Vault::open(args[2], key, Vault::OpenMode::OpenExisting);
        if (opened) {
            std::puts("ok");
            return 0;
        }
        std::printf("%d %s\n", int(opened.error().code), qPrintable(opened.error().message));
        return 1;
    }
    if (args.size() < 3) {
        std::fputs("usage: vault_helper rotate|write PROFILE ...\n", stderr);
        return 2;
    }
    const QString mode = args[1];
    const Profile profile(args[2]);
    KeyStore store;
    int exitCode = 1;
    VaultAccess::unlock(profile, &store, [&](Result<OpenedVault> opened) {
        if (!opened) {
            std::fprintf(stderr, "unlock failed: %s\n", qPrintable(opened.error().message));
            app.exit(3);
            return;
        }
        std::shared_ptr<Vault> vault = opened->vault;
        if (mode == QLatin1String("rotate")) {
            const int killAt = args.value(3).toInt();
            VaultAccess::rotateKey(
                vault, profile, &store,
                [&](Status s) {
                    exitCode = s ? 0 : 4;
                    app.exit(exitCode);
                },
                [killAt](VaultAccess::RotationStep step) {
                    if (int(step) == killAt)
                        std::raise(SIGKILL);
                });
            return;
        }
        if (mode == QLatin1String("write")) {
            const QString prefix = args.value(3);
            const int n = args.value(4).toInt();
            for (int i = 0; i < n; ++i) {
                TokenRecord t;
                t.accessToken = SecretString(QStringLiteral("access-%1-%2").arg(prefix).arg(i));
                t.refreshToken = SecretString(QStringLiteral("refresh-%1-%2").arg(prefix).arg(i));
                t.expiresAt = QDateTime::currentDateTimeUtc().addSecs(3600);
                AccountInfo info{QStringLiteral("microsoft"), QStringLiteral("%1-%2@example.com").arg(prefix).arg(i),
                                 QStringLiteral("User"), QString(), QString()};
                auto saved = vault->saveConnection(info, t, QDateTime::currentDateTimeUtc());
                if (!saved) {
                    std::fprintf(stderr, "write failed: %s\n", qPrintable(saved.error().message));
                    app.exit(5);
                    return;
                }
                AuditEntry e;
                e.action = QStringLiteral("account.added");
                e.outcome = QStringLiteral("ok");
                e.accountId = saved->accountId;
                e.accountEmail = info.email;
                if (Status s = vault->appendAudit(e); !s) {
                    std::fprintf(stderr, "audit failed: %s\n", qPrintable(s.error().message));
                    app.exit(6);
                    return;
                }
            }
            app.exit(0);
            return;
        }
        app.exit(2);
    });
    const int rc = app.exec();
    return rc;
}
