#include "cli/Cli.h"

#include "cli/CliSupport.h"
#include "cli/ExitCode.h"
#include "cli/FaultInjection.h"
#include "cli/Interrupt.h"
#include "core/common/Profile.h"
#include "core/common/Redactor.h"
#include "core/keychain/KeyStore.h"
#include "core/providers/ProviderRegistry.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTimer>

#if defined(Q_OS_MACOS) || defined(Q_OS_WIN)
#include <QGuiApplication>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::Cli)
};
} // namespace

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
    case ErrorCode::VaultUnsafe:
    case ErrorCode::VaultNewerFormat:
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

const char *kUsage = QT_TRANSLATE_NOOP(
    "mailkey::cli::Cli",
    "Usage: mailkey-cli [--profile NAME] COMMAND [OPTIONS]\n"
    "\n"
    "Keeps OAuth 2.0 tokens of your mailboxes in an encrypted vault and hands fresh access\n"
    "tokens to mail programs (mutt, msmtp, mbsync, aerc, git send-email).\n"
    "\n"
    "Commands:\n"
    "  connect PROVIDER [--login-hint EMAIL] [--no-browser] [--device]\n"
    "                         sign in to a mailbox (microsoft, google or a custom provider);\n"
    "                         --device: on another device, with a code\n"
    "  token EMAIL [--resource graph|imap|smtp] [--sasl xoauth2|oauthbearer]\n"
    "                         print a valid access token (or the SASL string) for EMAIL\n"
    "  check EMAIL [--imap SERVER] [--smtp SERVER] [--ca FILE] [--json]\n"
    "                         log in to the IMAP and SMTP servers with fresh tokens, as a mail\n"
    "                         program would, and say what fails and how to fix it\n"
    "  list [--json]          connected accounts with provider, status and expiry\n"
    "  remove EMAIL           revoke where the provider allows it, delete the tokens here\n"
    "  audit [EMAIL] [--json] [--since TIME] [--verify]\n"
    "                         the audit log; --verify checks its hash chain\n"
    "  rotate-key             re-encrypt the vault with a new key\n"
    "  sign-out-everywhere --yes\n"
    "                         revoke and delete every token, new vault key, incident recorded\n"
    "  status [--json]        the vault, its cipher, the keychain, the MailKey window, the accounts\n"
    "                         (only looks: creates nothing on first run)\n"
    "  reset-vault --yes      move an unreadable vault aside and start a new one (keeps the old file)\n"
    "  export --output FILE [--passphrase-fd N] [--with-audit]\n"
    "                         write an encrypted backup (accounts, tokens, settings, providers)\n"
    "  import FILE [--passphrase-fd N] | import --from mutt-oauth2 FILE|-\n"
    "                         merge a backup, or a mutt_oauth2.py token file, into the vault\n"
    "  erase-all --yes [--all-profiles]\n"
    "                         revoke, then delete the vault, its copies and its keychain keys\n"
    "  serve                  keep the tokens fresh in the background without the window, and\n"
    "                         answer token requests (a systemd user unit runs it: see the README)\n"
    "\n"
    "Options:\n"
    "  --profile NAME         use a separate vault with its own key (default: \"default\")\n"
    "  --providers FILE       custom providers file (used by connect, token, check, remove,\n"
    "                         sign-out-everywhere and serve)\n"
    "  --profile and --providers may also follow the command.\n"
    "  -h, --help             show help (also: mailkey-cli help COMMAND, mailkey-cli COMMAND --help)\n"
    "  --version              show the version\n"
    "\n"
    "Only the requested value goes to standard output; messages go to standard error.\n"
    "Every --json output has \"format\": 1 (its schema version) and \"mailkey_version\".\n"
    "When the MailKey window or `mailkey-cli serve` is running, mailkey-cli asks it for tokens\n"
    "(one shared cache).\n"
    "Set MAILKEY_DEBUG=1 to see diagnostic messages (secrets are never shown).\n"
    "\n"
    "Exit codes: 0 success, 1 other failure, 2 usage error, 3 account not found,\n"
    "4 needs sign-in, 5 vault or keychain unavailable or locked, 6 network failure,\n"
    "7 a mail server refused the login (check), 8 a mail server's certificate is not\n"
    "trusted (check), 9 wrong backup passphrase (import), 10 not a backup, damaged or\n"
    "from a newer MailKey (import), 130 cancelled (Ctrl-C).\n");

bool g_debug = false;

// Qt and library log output: hidden unless MAILKEY_DEBUG is set, and then always redacted.
void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (!g_debug)
        return;
    const char *kind = type == QtDebugMsg     ? "debug"
                       : type == QtInfoMsg    ? "info"
                       : type == QtWarningMsg ? "warning"
                                              : "error";
    const QString line
        = QStringLiteral("mailkey-cli: [%1] %2: %3\n")
              .arg(QLatin1String(kind), QLatin1String(context.category ? context.category : "default"), message);
    err(line);
}

std::map<QString, CommandInfo> buildCommands()
{
    std::map<QString, CommandInfo> table;
    addVaultCommands(table);
    addTokenCommands(table);
    addConnectCommand(table);
    addCheckCommand(table);
    addBackupCommands(table);
    addEraseCommand(table);
    addServeCommand(table);
    return table;
}

const std::map<QString, CommandInfo> &commands()
{
    static const std::map<QString, CommandInfo> table = buildCommands();
    return table;
}

// The command a mistyped name most likely meant (closestMatch() over the command names).
QString closestCommand(const QString &typed)
{
    QStringList names;
    for (const auto &[command, info] : commands())
        names << command;
    return closestMatch(typed, names);
}

int unknownCommand(const QString &name)
{
    const QString guess = closestCommand(name);
    if (guess.isEmpty())
        err(Text::tr("mailkey-cli: unknown command '%1'. See: mailkey-cli --help\n").arg(oneLine(name.left(80))));
    else
        err(Text::tr("mailkey-cli: unknown command '%1'. Did you mean 'mailkey-cli %2'? See: mailkey-cli --help\n")
                .arg(oneLine(name.left(80)), guess));
    return Usage;
}

bool wantsHelp(const QStringList &args)
{
    for (const QString &a : args) {
        if (a == QLatin1String("--"))
            return false;
        if (a == QLatin1String("--help") || a == QLatin1String("-h"))
            return true;
    }
    return false;
}

#if defined(Q_OS_MACOS) || defined(Q_OS_WIN)
// QDesktopServices needs a QGuiApplication: only `connect` that opens a browser makes one.
bool needsGuiApplication(int argc, char **argv)
{
    bool connect = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "connect") == 0)
            connect = true;
        if (std::strcmp(argv[i], "--no-browser") == 0 || std::strcmp(argv[i], "--help") == 0)
            return false;
    }
    return connect;
}
#endif

} // namespace

int run(int argc, char **argv)
{
    g_debug = !qEnvironmentVariableIsEmpty("MAILKEY_DEBUG");
    qInstallMessageHandler(messageHandler);
    installFaultInjection();
    if (!g_debug)
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false\n*.info=false"));
    qCDebug(lcCli, "%lld ms: started", elapsedMs());
    std::unique_ptr<QCoreApplication> appHolder;
#if defined(Q_OS_MACOS) || defined(Q_OS_WIN)
    if (needsGuiApplication(argc, argv))
        appHolder = std::make_unique<QGuiApplication>(argc, argv);
#endif
    if (!appHolder)
        appHolder = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication &app = *appHolder;
    QCoreApplication::setApplicationName(QStringLiteral("mailkey-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(MAILKEY_VERSION));
    QStringList args = app.arguments().mid(1);

    QString profileName = QString::fromLatin1(Profile::DefaultName);
    QString providersFile;
    // --profile and --providers may stand anywhere (people write `mailkey-cli token ADDR
    // --profile work` as often as before the command): take them out first. "--" ends options.
    for (int i = 0; i < args.size() && args[i] != QLatin1String("--"); ++i) {
        for (const QString &name : {QStringLiteral("--profile"), QStringLiteral("--providers")}) {
            QString value;
            if (args[i] == name) {
                if (i + 1 >= args.size()) {
                    err(Text::tr("mailkey-cli: %1 needs a value.\n").arg(name));
                    return Usage;
                }
                value = args[i + 1];
                args.remove(i, 2);
            } else if (args[i].startsWith(name + QLatin1Char('='))) {
                value = args[i].mid(name.size() + 1);
                args.remove(i);
            } else {
                continue;
            }
            (name == QLatin1String("--profile") ? profileName : providersFile) = value;
            --i;
            break;
        }
    }
    if (!Profile::isValidName(profileName)) {
        err(Text::tr("mailkey-cli: '%1' is not a valid profile name (letters, digits, '.', '_' and '-', "
                     "up to 64 characters).\n")
                .arg(oneLine(profileName.left(80))));
        return Usage;
    }
    // The remaining global options come before the command.
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString opt = args.takeFirst();
        if (opt == QLatin1String("--help") || opt == QLatin1String("-h")) {
            out(Text::tr(kUsage));
            return Ok;
        }
        if (opt == QLatin1String("--version")) {
            // The version, the client ids built in by the distributor, and the administrator's
            // policy: what support asks first.
            QString text = QStringLiteral("mailkey-cli %1\n").arg(QStringLiteral(MAILKEY_VERSION));
            for (const QString &line : ProviderRegistry::builtInClientIdLines())
                text += line + QLatin1Char('\n');
            const ManagedPolicy policy = ManagedPolicy::load();
            if (!policy.isEmpty())
                text += Text::tr("Managed by your administrator: %1\n").arg(policy.source);
            out(text);
            return Ok;
        }
        err(Text::tr("mailkey-cli: unknown option '%1'. See: mailkey-cli --help\n").arg(oneLine(opt.left(80))));
        return Usage;
    }
    if (args.isEmpty()) {
        err(Text::tr(kUsage));
        return Usage;
    }
    const QString name = args.takeFirst();
    // `help` and `help COMMAND`, as git and gh have them.
    if (name == QLatin1String("help")) {
        if (args.isEmpty()) {
            out(Text::tr(kUsage));
            return Ok;
        }
        if (args.size() > 1) {
            err(Text::tr("mailkey-cli help: takes one command name. See: mailkey-cli --help\n"));
            return Usage;
        }
        const auto topic = commands().find(args.first());
        if (topic == commands().end())
            return unknownCommand(args.first());
        out(Text::tr(topic->second.help));
        return Ok;
    }
    const auto it = commands().find(name);
    if (it == commands().end())
        return unknownCommand(name);
    if (wantsHelp(args)) {
        out(Text::tr(it->second.help));
        return Ok;
    }
    // Commands that use providers read --providers themselves; for the others it changes nothing.
    static const QStringList usesProviders = {QStringLiteral("connect"),
                                              QStringLiteral("token"),
                                              QStringLiteral("check"),
                                              QStringLiteral("remove"),
                                              QStringLiteral("sign-out-everywhere"),
                                              QStringLiteral("serve")};
    if (!providersFile.isEmpty() && (usesProviders.contains(name) || name == QLatin1String("import")))
        args << QStringLiteral("--providers") << providersFile;

    int code = Failure;
    {
        KeyStore store;
        Context ctx;
        ctx.profile = Profile(profileName);
        ctx.command = name;
        ctx.args = args;
        ctx.store = &store;
        ctx.finish = [&code, &ctx](int c) {
            if (ctx.finished)
                return;
            ctx.finished = true;
            code = c;
            QCoreApplication::exit(c);
        };
        installInterruptHandler(&app, [&ctx] {
            if (ctx.onInterrupt) {
                ctx.onInterrupt();
                // If the command does not end by itself soon, end it.
                QTimer::singleShot(ctx.interruptGraceMs, QCoreApplication::instance(),
                                   [&ctx] { ctx.finish(Cancelled); });
                return;
            }
            if (!ctx.finished)
                err(QStringLiteral("Cancelled.\n"));
            ctx.finish(Cancelled);
        });
        QTimer::singleShot(0, &app, [&] { it->second.run(ctx); });
        app.exec();
        qCDebug(lcCli, "%lld ms: done (exit code %d)", elapsedMs(), code);
        installInterruptHandler(&app, {});
        if (ctx.quickExit && code == Ok) {
            // Everything is committed and printed. Leave without the teardown (closing the vault
            // checkpoints its WAL with an fsync; glib and D-Bus threads are joined): a mail
            // program waits for this process to end.
            std::fflush(stdout);
            std::fflush(stderr);
            std::_Exit(code);
        }
    }
    return code;
}

} // namespace mailkey::cli
