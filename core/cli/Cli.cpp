#include "core/cli/Cli.h"

#include "core/cli/ExitCode.h"
#include "core/common/Profile.h"
#include "core/common/Redactor.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QDir>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <map>

namespace mailkey::cli {

ExitCode exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NoKeychain:
    case ErrorCode::KeychainLocked:
    case ErrorCode::KeyMissing:
    case ErrorCode::KeychainFailed:
    case ErrorCode::VaultWrongKey:
    case ErrorCode::VaultDamaged:
    case ErrorCode::VaultReadOnly:
    case ErrorCode::DiskFull:
    case ErrorCode::VaultBusy:
    case ErrorCode::VaultIo:
    case ErrorCode::NotACipherBuild:
        return VaultUnavailable;
    case ErrorCode::NotFound:
        return AccountNotFound;
    case ErrorCode::InvalidInput:
        return Usage;
    case ErrorCode::Network:
        return Network;
    case ErrorCode::NeedsSignIn:
        return NeedsSignIn;
    case ErrorCode::Cancelled:
        return Cancelled;
    case ErrorCode::Provider:
    case ErrorCode::Expired:
    case ErrorCode::Config:
    case ErrorCode::Internal:
        return Failure;
    }
    return Failure;
}

namespace {

void out(const QString &text)
{
    const QByteArray b = text.toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stdout);
    std::fflush(stdout);
}

void err(const QString &text)
{
    // Every message leaves through the redactor.
    const QByteArray b = redact(text).toUtf8();
    std::fwrite(b.constData(), 1, size_t(b.size()), stderr);
    std::fflush(stderr);
}

const char *kUsage =
    "Usage: mailkey-cli [--profile NAME] COMMAND [OPTIONS]\n"
    "\n"
    "Keeps OAuth 2.0 tokens of your mailboxes in an encrypted vault and hands fresh access\n"
    "tokens to mail programs (mutt, msmtp, mbsync, aerc, git send-email).\n"
    "\n"
    "Commands:\n"
    "  status                 where the vault is, its cipher, the keychain, the account count\n"
    "  reset-vault --yes      move an unreadable vault aside and start a new one (keeps the old file)\n"
    "\n"
    "Options:\n"
    "  --profile NAME         use a separate vault with its own key (default: \"default\")\n"
    "  -h, --help             show help (also: mailkey-cli COMMAND --help)\n"
    "  --version              show the version\n"
    "\n"
    "Exit codes: 0 success, 1 other failure, 2 usage error, 3 account not found,\n"
    "4 needs sign-in, 5 vault or keychain unavailable or locked, 6 network failure.\n";

struct Context {
    Profile profile;
    QStringList args; // after the command name
    KeyStore *store = nullptr;
    std::function<void(int)> finish;
};

using Command = std::function<void(Context &)>;

struct CommandInfo {
    const char *help;
    Command run;
};

bool wantsHelp(const QStringList &args)
{
    return args.contains(QStringLiteral("--help")) || args.contains(QStringLiteral("-h"));
}

void failWith(Context &ctx, const Error &e)
{
    err(QStringLiteral("mailkey-cli: %1\n").arg(e.message));
    ctx.finish(exitCodeFor(e.code));
}

void cmdStatus(Context &ctx)
{
    for (const QString &a : ctx.args) {
        err(QStringLiteral("mailkey-cli status: unknown option '%1'. See: mailkey-cli status --help\n").arg(a));
        ctx.finish(Usage);
        return;
    }
    VaultAccess::unlock(ctx.profile, ctx.store, [&ctx](Result<OpenedVault> opened) {
        out(QStringLiteral("Profile:   %1\n").arg(ctx.profile.name()));
        out(QStringLiteral("Vault:     %1\n").arg(QDir::toNativeSeparators(ctx.profile.databasePath())));
        out(QStringLiteral("Keychain:  %1 (service \"%2\", entry \"%3\")\n")
                .arg(KeyStore::backendName(), QString::fromLatin1(KeychainService), ctx.profile.keychainKey()));
        if (!opened) {
            out(QStringLiteral("State:     unavailable\n"));
            failWith(ctx, opened.error());
            return;
        }
        const auto &vault = opened->vault;
        auto count = vault->accountCount();
        if (!count) {
            failWith(ctx, count.error());
            return;
        }
        out(QStringLiteral("Cipher:    SQLCipher %1\n").arg(vault->cipherVersion()));
        out(QStringLiteral("State:     %1\n")
                .arg(opened->created ? QStringLiteral("unlocked (created now)") : QStringLiteral("unlocked")));
        out(QStringLiteral("Accounts:  %1\n").arg(*count));
        ctx.finish(Ok);
    });
}

void cmdResetVault(Context &ctx)
{
    if (!ctx.args.contains(QStringLiteral("--yes"))) {
        err(QStringLiteral("mailkey-cli reset-vault: this moves the current vault file aside and starts an empty one; "
                           "all connected accounts must then be connected again. The old file is kept. "
                           "Run again with --yes to confirm.\n"));
        ctx.finish(Usage);
        return;
    }
    auto aside = VaultAccess::moveVaultAside(ctx.profile);
    if (!aside) {
        failWith(ctx, aside.error());
        return;
    }
    // The old key entry no longer opens anything that is in use; a new one is made on unlock.
    ctx.store->remove(ctx.profile.keychainKey(), [&ctx, path = *aside](Status) {
        err(QStringLiteral("The old vault was moved to %1.\n").arg(QDir::toNativeSeparators(path)));
        VaultAccess::unlock(ctx.profile, ctx.store, [&ctx](Result<OpenedVault> opened) {
            if (!opened) {
                failWith(ctx, opened.error());
                return;
            }
            err(QStringLiteral("A new, empty vault was created.\n"));
            ctx.finish(Ok);
        });
    });
}

const std::map<QString, CommandInfo> &commands()
{
    static const std::map<QString, CommandInfo> table = {
        {QStringLiteral("status"),
         {"Usage: mailkey-cli [--profile NAME] status\n\n"
          "Unlocks the vault (creating it and its key on first run) and prints where it is, its\n"
          "cipher version, the keychain in use, the profile and the number of accounts.\n",
          cmdStatus}},
        {QStringLiteral("reset-vault"),
         {"Usage: mailkey-cli [--profile NAME] reset-vault --yes\n\n"
          "For a vault whose key is gone for good: moves the vault file aside (it is kept, never\n"
          "deleted) and creates a new, empty vault with a new key.\n",
          cmdResetVault}},
    };
    return table;
}

} // namespace

int run(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("mailkey-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MAILKEY_VERSION));
    QStringList args = app.arguments().mid(1);

    QString profileName = QString::fromLatin1(Profile::DefaultName);
    // Global options come before the command.
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString opt = args.takeFirst();
        if (opt == QLatin1String("--help") || opt == QLatin1String("-h")) {
            out(QString::fromLatin1(kUsage));
            return Ok;
        }
        if (opt == QLatin1String("--version")) {
            out(QStringLiteral("mailkey-cli %1\n").arg(QStringLiteral(MAILKEY_VERSION)));
            return Ok;
        }
        if (opt == QLatin1String("--profile") || opt.startsWith(QLatin1String("--profile="))) {
            if (opt.contains(QLatin1Char('=')))
                profileName = opt.section(QLatin1Char('='), 1);
            else if (!args.isEmpty())
                profileName = args.takeFirst();
            else {
                err(QStringLiteral("mailkey-cli: --profile needs a name.\n"));
                return Usage;
            }
            if (!Profile::isValidName(profileName)) {
                err(QStringLiteral("mailkey-cli: '%1' is not a valid profile name (letters, digits, '.', '_' and '-', "
                                   "up to 64 characters).\n")
                        .arg(profileName.left(80)));
                return Usage;
            }
            continue;
        }
        err(QStringLiteral("mailkey-cli: unknown option '%1'. See: mailkey-cli --help\n").arg(opt.left(80)));
        return Usage;
    }
    if (args.isEmpty()) {
        err(QString::fromLatin1(kUsage));
        return Usage;
    }
    const QString name = args.takeFirst();
    const auto it = commands().find(name);
    if (it == commands().end()) {
        err(QStringLiteral("mailkey-cli: unknown command '%1'. See: mailkey-cli --help\n").arg(name.left(80)));
        return Usage;
    }
    if (wantsHelp(args)) {
        out(QString::fromLatin1(it->second.help));
        return Ok;
    }

    KeyStore store;
    Context ctx{Profile(profileName), args, &store, {}};
    int code = Failure;
    ctx.finish = [&code](int c) {
        code = c;
        QCoreApplication::exit(c);
    };
    QTimer::singleShot(0, &app, [&] { it->second.run(ctx); });
    app.exec();
    return code;
}

} // namespace mailkey::cli
