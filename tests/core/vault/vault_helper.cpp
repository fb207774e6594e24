// A separate process for the vault tests: a second writer, or a key rotation killed with
// SIGKILL at a chosen step. Uses the real keychain of the test's private D-Bus session.
//   vault_helper rotate PROFILE STEP     (STEP 0..4 kills at that step; 9 completes)
//   vault_helper write PROFILE PREFIX N  (N accounts + N audit entries, one per transaction)
//   vault_helper open PATH               (raw key as hex on stdin; prints the error code number
//                                         and message; no keychain: for the permission tests,
//                                         run as another user)
#include "core/common/Profile.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QFile>
#include <QTimer>

#include <csignal>
#include <cstdio>

using namespace mailkey;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 3 && args[1] == QLatin1String("open")) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return 2;
        const SecureBytes key(QByteArray::fromHex(in.readLine().trimmed()));
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
                t.accessToken = QStringLiteral("access-%1-%2").arg(prefix).arg(i);
                t.refreshToken = QStringLiteral("refresh-%1-%2").arg(prefix).arg(i);
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
