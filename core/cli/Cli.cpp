#include "core/cli/Cli.h"

#include "core/cli/ExitCode.h"
#include "core/common/Profile.h"
#include "core/common/Redactor.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <map>

#include <QRegularExpression>
#include <QSet>

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
    "  list [--json]          connected accounts with provider, status and expiry\n"
    "  audit [EMAIL] [--json] [--since TIME] [--verify]\n"
    "                         the audit log; --verify checks its hash chain\n"
    "  rotate-key             re-encrypt the vault with a new key\n"
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


// Options of a command: flags (--json) and options with a value (--since TIME). Anything else
// that starts with '-' is an error; the rest are positional arguments.
struct ParsedArgs {
    QStringList positional;
    QSet<QString> flags;
    QMap<QString, QString> values;
    QString error;
};

ParsedArgs parseArgs(const QStringList &args, const QStringList &flagNames, const QStringList &valueNames)
{
    ParsedArgs p;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (!a.startsWith(QLatin1String("--")) || a == QLatin1String("--")) {
            p.positional << a;
            continue;
        }
        QString name = a;
        QString value;
        const bool inlineValue = a.contains(QLatin1Char('='));
        if (inlineValue) {
            name = a.section(QLatin1Char('='), 0, 0);
            value = a.section(QLatin1Char('='), 1);
        }
        if (flagNames.contains(name) && !inlineValue) {
            p.flags.insert(name);
        } else if (valueNames.contains(name)) {
            if (!inlineValue) {
                if (i + 1 >= args.size()) {
                    p.error = QStringLiteral("%1 needs a value").arg(name);
                    return p;
                }
                value = args[++i];
            }
            p.values.insert(name, value);
        } else {
            p.error = QStringLiteral("unknown option '%1'").arg(a.left(80));
            return p;
        }
    }
    return p;
}

bool usageError(Context &ctx, const QString &command, const QString &problem)
{
    err(QStringLiteral("mailkey-cli %1: %2. See: mailkey-cli %1 --help\n").arg(command, problem));
    ctx.finish(Usage);
    return false;
}

QString isoTime(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QString();
}

// "2026-11-20", "2026-11-20T10:00:00Z", or a relative "7d" / "12h" / "30m".
QDateTime parseSince(const QString &text, const QDateTime &now)
{
    static const QRegularExpression rel(QStringLiteral("^(\\d{1,6})([dhm])$"));
    const auto m = rel.match(text);
    if (m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 secs = unit == QLatin1Char('d') ? n * 86400 : unit == QLatin1Char('h') ? n * 3600 : n * 60;
        return now.addSecs(-secs);
    }
    QDateTime t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid()) {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        if (d.isValid())
            t = QDateTime(d, QTime(0, 0), Qt::UTC);
    }
    return t;
}

// Unlocks the vault, then runs `then` with it; failures end the command with the right code.
void withVault(Context &ctx, std::function<void(const std::shared_ptr<Vault> &)> then)
{
    VaultAccess::unlock(ctx.profile, ctx.store, [&ctx, then = std::move(then)](Result<OpenedVault> opened) {
        if (!opened) {
            failWith(ctx, opened.error());
            return;
        }
        then(opened->vault);
    });
}

QString statusText(const Account &a)
{
    switch (a.status) {
    case AccountStatus::Connected: return QStringLiteral("connected");
    case AccountStatus::Refreshing: return QStringLiteral("refreshing");
    case AccountStatus::NeedsSignIn: return QStringLiteral("needs sign-in");
    case AccountStatus::Offline: return QStringLiteral("offline, will retry");
    case AccountStatus::Error: return QStringLiteral("error");
    }
    return QString();
}

void cmdList(Context &ctx)
{
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--json")}, {});
    if (!p.error.isEmpty() || !p.positional.isEmpty()) {
        usageError(ctx, QStringLiteral("list"), p.error.isEmpty() ? QStringLiteral("takes no arguments") : p.error);
        return;
    }
    const bool json = p.flags.contains(QStringLiteral("--json"));
    withVault(ctx, [&ctx, json](const std::shared_ptr<Vault> &vault) {
        auto accounts = vault->accounts();
        if (!accounts) {
            failWith(ctx, accounts.error());
            return;
        }
        QJsonArray array;
        QString table;
        for (const Account &a : *accounts) {
            QDateTime expiry;
            if (auto t = vault->token(a.id, QString::fromLatin1(DefaultResource)); t && t->has_value())
                expiry = (*t)->expiresAt;
            if (json) {
                array.append(QJsonObject{
                    {QStringLiteral("email"), a.email},
                    {QStringLiteral("provider"), a.provider},
                    {QStringLiteral("display_name"), a.displayName},
                    {QStringLiteral("status"), accountStatusToString(a.status)},
                    {QStringLiteral("status_reason"), a.statusReason},
                    {QStringLiteral("expires_at"), isoTime(expiry)},
                    {QStringLiteral("last_refresh_at"), isoTime(a.lastRefreshAt)},
                    {QStringLiteral("connected_since"), isoTime(a.createdAt)},
                });
            } else {
                table += QStringLiteral("%1  %2  %3  %4\n")
                             .arg(a.email, -32)
                             .arg(a.provider, -10)
                             .arg(statusText(a), -20)
                             .arg(expiry.isValid() ? QStringLiteral("expires ") + isoTime(expiry) : QString());
            }
        }
        if (json)
            out(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
        else if (accounts->isEmpty())
            err(QStringLiteral("No accounts are connected. Connect one with: mailkey-cli connect microsoft|google|<custom id>\n"));
        else
            out(table);
        ctx.finish(Ok);
    });
}

void cmdAudit(Context &ctx)
{
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--json"), QStringLiteral("--verify")}, {QStringLiteral("--since")});
    if (!p.error.isEmpty() || p.positional.size() > 1) {
        usageError(ctx, QStringLiteral("audit"), p.error.isEmpty() ? QStringLiteral("takes at most one address") : p.error);
        return;
    }
    QDateTime since;
    if (p.values.contains(QStringLiteral("--since"))) {
        since = parseSince(p.values.value(QStringLiteral("--since")), QDateTime::currentDateTimeUtc());
        if (!since.isValid()) {
            usageError(ctx, QStringLiteral("audit"),
                       QStringLiteral("--since takes a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (7d, 12h, 30m)"));
            return;
        }
    }
    const bool json = p.flags.contains(QStringLiteral("--json"));
    const bool verify = p.flags.contains(QStringLiteral("--verify"));
    const QString email = p.positional.value(0);
    withVault(ctx, [&ctx, json, verify, since, email](const std::shared_ptr<Vault> &vault) {
        if (verify) {
            auto v = vault->verifyAudit();
            if (!v) {
                failWith(ctx, v.error());
                return;
            }
            if (v->intact) {
                out(QStringLiteral("The audit log is intact (%1 entries).\n").arg(v->rows));
                ctx.finish(Ok);
            } else {
                out(QStringLiteral("The audit log was tampered with: %1.\n").arg(v->problem));
                ctx.finish(Failure);
            }
            return;
        }
        qint64 accountId = 0;
        if (!email.isEmpty()) {
            auto found = vault->findAccountsByEmail(email);
            if (!found) {
                failWith(ctx, found.error());
                return;
            }
            if (found->isEmpty()) {
                failWith(ctx, Error(ErrorCode::NotFound, QStringLiteral("No account with the address %1 is connected.").arg(email.left(200))));
                return;
            }
            accountId = found->first().id;
        }
        auto entries = vault->audit(accountId, since);
        if (!entries) {
            failWith(ctx, entries.error());
            return;
        }
        if (json) {
            QJsonArray array;
            for (const AuditEntry &e : *entries)
                array.append(QJsonObject{{QStringLiteral("id"), e.id},
                                         {QStringLiteral("time"), isoTime(e.at)},
                                         {QStringLiteral("account"), e.accountEmail},
                                         {QStringLiteral("action"), e.action},
                                         {QStringLiteral("outcome"), e.outcome},
                                         {QStringLiteral("detail"), e.detail},
                                         {QStringLiteral("actor"), e.actor}});
            out(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
        } else {
            QString text;
            for (const AuditEntry &e : *entries)
                text += QStringLiteral("%1  %2  %3  %4  %5%6\n")
                            .arg(isoTime(e.at), e.accountEmail.isEmpty() ? QStringLiteral("-") : e.accountEmail, e.action, e.outcome,
                                 e.detail, e.actor.isEmpty() ? QString() : QStringLiteral(" [") + e.actor + QLatin1Char(']'));
            out(text);
        }
        ctx.finish(Ok);
    });
}

void cmdRotateKey(Context &ctx)
{
    if (!ctx.args.isEmpty()) {
        usageError(ctx, QStringLiteral("rotate-key"), QStringLiteral("takes no arguments"));
        return;
    }
    withVault(ctx, [&ctx](const std::shared_ptr<Vault> &vault) {
        VaultAccess::rotateKey(vault, ctx.profile, ctx.store, [&ctx](Status s) {
            if (!s) {
                failWith(ctx, s.error());
                return;
            }
            err(QStringLiteral("The vault was re-encrypted with a new key; the keychain holds the new key.\n"));
            ctx.finish(Ok);
        });
    });
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
        {QStringLiteral("list"),
         {"Usage: mailkey-cli [--profile NAME] list [--json]\n\n"
          "Lists the connected accounts with provider, status and token expiry.\n"
          "  --json   one JSON array (email, provider, display_name, status, status_reason,\n"
          "           expires_at, last_refresh_at, connected_since)\n",
          cmdList}},
        {QStringLiteral("audit"),
         {"Usage: mailkey-cli [--profile NAME] audit [EMAIL] [--json] [--since TIME] [--verify]\n\n"
          "Shows the audit log, newest first: sign-ins, refreshes, token hand-outs, failures.\n"
          "  EMAIL         only the entries of that account\n"
          "  --since TIME  a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (7d, 12h, 30m)\n"
          "  --json        one JSON array\n"
          "  --verify      check the hash chain instead: exit 0 when intact, 1 when an entry was\n"
          "                edited or deleted\n",
          cmdAudit}},
        {QStringLiteral("rotate-key"),
         {"Usage: mailkey-cli [--profile NAME] rotate-key\n\n"
          "Re-encrypts the vault with a new random key and stores it in the keychain. Safe to\n"
          "interrupt: the vault always opens with what the keychain holds.\n",
          cmdRotateKey}},
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
