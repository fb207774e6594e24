#include "cli/CliSupport.h"

#include "core/common/Clock.h"
#include "core/common/Redactor.h"
#include "core/common/TextSafety.h"
#include "core/ipc/IpcMessages.h"
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/HealthClock.h"
#include "core/service/AppSettings.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <optional>

// list, audit, rotate-key, status, reset-vault: the commands about the vault itself.

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::VaultCommands)
};
} // namespace

namespace {

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
            t = QDateTime(d, QTime(0, 0), utcZone());
    }
    return t;
}

QString statusText(const Account &a)
{
    switch (a.status) {
    case AccountStatus::Connected:
        return Text::tr("connected");
    case AccountStatus::Refreshing:
        return Text::tr("refreshing");
    case AccountStatus::NeedsSignIn:
        return Text::tr("needs sign-in");
    case AccountStatus::Offline:
        return Text::tr("offline, will retry");
    case AccountStatus::Error:
        return Text::tr("error");
    }
    return QString();
}

// list: one JSON array (each object with the version fields), or a table with a header row whose
// columns are as wide as their widest cell in terminal columns (displayWidth: an address in CJK or
// with accents stays aligned), the expiry last. Empty: a message on stderr.
void printAccounts(Context &ctx, const QList<AccountTokens> &accounts, bool json)
{
    const bool googleTesting = json && AppSettings().googleTestingStatus();
    const QDateTime now = Clock::system()->now();
    QJsonArray array;
    struct Row {
        QString email, provider, status, expiry;
    };
    QList<Row> rows;
    for (const AccountTokens &row : accounts) {
        const Account &a = row.account;
        QDateTime expiry;
        for (const TokenTiming &t : row.tokens) {
            if (t.resource == QLatin1String(DefaultResource))
                expiry = t.expiresAt;
        }
        if (json) {
            const HealthForecast health = HealthClock::forecast(a, googleTesting, now);
            array.append(withJsonVersion(QJsonObject{
                {QStringLiteral("email"), a.email},
                {QStringLiteral("provider"), a.provider},
                {QStringLiteral("display_name"), a.displayName},
                {QStringLiteral("status"), accountStatusToString(a.status)},
                {QStringLiteral("status_reason"), a.statusReason},
                {QStringLiteral("expires_at"), isoTime(expiry)},
                {QStringLiteral("last_refresh_at"), isoTime(a.lastRefreshAt)},
                {QStringLiteral("connected_since"), isoTime(a.createdAt)},
                {QStringLiteral("sign_in_needed_by"), health.signInNeededBy.isValid()
                                                          ? QJsonValue(isoTime(health.signInNeededBy))
                                                          : QJsonValue(QJsonValue::Null)},
                {QStringLiteral("sign_in_needed_reason"), HealthClock::reasonName(health.reason)},
            }));
        } else {
            // Escaped here as out() would escape them (a control character becomes a visible
            // \uXXXX), so that the widths are those of what the terminal shows.
            rows.append({TextSafety::escaped(a.email, u""), TextSafety::escaped(a.provider, u""), statusText(a),
                         isoTime(expiry)});
        }
    }
    if (json) {
        out(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
    } else if (accounts.isEmpty()) {
        err(Text::tr(
            "No accounts are connected. Connect one with: mailkey-cli connect microsoft|google|<custom id>\n"));
    } else {
        const Row header{Text::tr("ADDRESS"), Text::tr("PROVIDER"), Text::tr("STATUS"), Text::tr("TOKEN EXPIRES")};
        int widths[3] = {displayWidth(header.email), displayWidth(header.provider), displayWidth(header.status)};
        for (const Row &r : std::as_const(rows)) {
            widths[0] = std::max(widths[0], displayWidth(r.email));
            widths[1] = std::max(widths[1], displayWidth(r.provider));
            widths[2] = std::max(widths[2], displayWidth(r.status));
        }
        // Padded one column at a time: an address may hold a '%' that a chained arg() would take
        // for a placeholder.
        QString table;
        for (const Row &r : QList<Row>{header} + rows)
            table += padToWidth(r.email, widths[0]) + QStringLiteral("  ") + padToWidth(r.provider, widths[1])
                     + QStringLiteral("  ") + padToWidth(r.status, widths[2]) + QStringLiteral("  ")
                     + (r.expiry.isEmpty() ? QStringLiteral("-") : r.expiry) + QLatin1Char('\n');
        out(table);
    }
    ctx.finish(Ok);
}

void cmdList(Context &ctx)
{
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--json")}, {});
    if (!p.error.isEmpty() || !p.positional.isEmpty()) {
        usageError(ctx, QStringLiteral("list"), p.error.isEmpty() ? Text::tr("takes no arguments") : p.error);
        return;
    }
    const bool json = p.flags.contains(QStringLiteral("--json"));
    // A list only looks: on first run there is nothing to list, and unlocking would create a
    // vault and a key (shell completion runs `list --json`).
    if (noVaultYet(ctx.profile)) {
        printAccounts(ctx, {}, json);
        return;
    }
    VaultAccess::unlock(
        ctx.profile, ctx.store,
        [&ctx, json](Result<OpenedVault> opened) {
            if (opened) {
                // One statement for every account and its tokens' expiries, not one per account.
                auto accounts = opened->vault->accountsWithTokens();
                if (!accounts) {
                    failWith(ctx, accounts.error());
                    return;
                }
                printAccounts(ctx, *accounts, json);
                return;
            }
            // A locked keyring keeps the key from this process, not from a window that has the vault
            // open already: it lists, as it hands out tokens.
            const Error why = opened.error();
            if (why.code != ErrorCode::KeychainLocked && why.code != ErrorCode::KeychainFailed) {
                failWith(ctx, why);
                return;
            }
            ctx.ipc()->setConnectTimeout(1000);
            askWindow<ipc::ListRequest>(
                ctx, ipc::ListRequest{}, 5000, true,
                [&ctx, json](Result<ipc::ListReply> listed) {
                    if (!listed) {
                        failWith(ctx, listed.error());
                        return;
                    }
                    QList<AccountTokens> rows;
                    for (const ipc::ListReply::Row &r : std::as_const(listed->accounts)) {
                        AccountTokens row;
                        row.account.email = r.email;
                        row.account.provider = r.provider;
                        row.account.displayName = r.displayName;
                        row.account.status = accountStatusFromString(r.status);
                        row.account.statusReason = r.statusReason;
                        row.account.lastRefreshAt = r.lastRefreshAt;
                        row.account.createdAt = r.createdAt;
                        if (r.expiresAt.isValid())
                            row.tokens.append(
                                TokenTiming{QString::fromLatin1(DefaultResource), r.expiresAt, {}, {}, true});
                        rows.append(std::move(row));
                    }
                    printAccounts(ctx, rows, json);
                },
                [&ctx, why] { failWith(ctx, why); });
        },
        Vault::IntegrityCheck::Header);
}

void cmdAudit(Context &ctx)
{
    const ParsedArgs p
        = parseArgs(ctx.args, {QStringLiteral("--json"), QStringLiteral("--verify"), QStringLiteral("--prune")},
                    {QStringLiteral("--since"), QStringLiteral("--until"), QStringLiteral("--keep-days")});
    if (!p.error.isEmpty() || p.positional.size() > 1) {
        usageError(ctx, QStringLiteral("audit"), p.error.isEmpty() ? Text::tr("takes at most one address") : p.error);
        return;
    }
    if (p.flags.contains(QStringLiteral("--prune")) || p.values.contains(QStringLiteral("--keep-days"))) {
        // Audit retention: the days to keep from --keep-days, else Settings (default 365).
        int days = AppSettings().auditRetentionDays();
        if (p.values.contains(QStringLiteral("--keep-days"))) {
            bool ok = false;
            days = p.values.value(QStringLiteral("--keep-days")).toInt(&ok);
            if (!ok || days < 1 || days > 36500) {
                usageError(ctx, QStringLiteral("audit"),
                           Text::tr("--keep-days takes a number of days from 1 to 36500"));
                return;
            }
        }
        if (days == 0) {
            out(Text::tr("The audit log is kept forever (Settings); nothing was pruned.\n"));
            ctx.finish(Ok);
            return;
        }
        withVault(ctx, [&ctx, days](const std::shared_ptr<Vault> &vault) {
            const QDateTime before = QDateTime::currentDateTimeUtc().addDays(-days);
            const Result<qint64> pruned = vault->pruneAudit(before, QStringLiteral("mailkey-cli audit"));
            if (!pruned) {
                failWith(ctx, pruned.error());
                return;
            }
            out(Text::tr("%n audit entries older than %1 days removed; the rest still verifies (audit --verify).\n",
                         nullptr, int(*pruned))
                    .arg(days));
            ctx.finish(Ok);
        });
        return;
    }
    QDateTime since;
    if (p.values.contains(QStringLiteral("--since"))) {
        since = parseSince(p.values.value(QStringLiteral("--since")), QDateTime::currentDateTimeUtc());
        if (!since.isValid()) {
            usageError(
                ctx, QStringLiteral("audit"),
                Text::tr("--since takes a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (7d, 12h, 30m)"));
            return;
        }
    }
    // --until: the end of a date range (with --since: the person's own export of a period).
    QDateTime until;
    if (p.values.contains(QStringLiteral("--until"))) {
        const QString text = p.values.value(QStringLiteral("--until"));
        until = parseSince(text, QDateTime::currentDateTimeUtc());
        // A bare date is the whole day: up to its end.
        static const QRegularExpression bareDate(QStringLiteral("^\\d{4}-\\d{2}-\\d{2}$"));
        if (until.isValid() && bareDate.match(text).hasMatch())
            until = until.addDays(1).addMSecs(-1);
        if (!until.isValid()) {
            usageError(
                ctx, QStringLiteral("audit"),
                Text::tr("--until takes a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (7d, 12h, 30m)"));
            return;
        }
    }
    const bool json = p.flags.contains(QStringLiteral("--json"));
    const bool verify = p.flags.contains(QStringLiteral("--verify"));
    const QString email = p.positional.value(0);
    withVault(ctx, [&ctx, json, verify, since, until, email](const std::shared_ptr<Vault> &vault) {
        if (verify) {
            auto v = vault->verifyAudit();
            if (!v) {
                failWith(ctx, v.error());
                return;
            }
            if (v->intact) {
                out(Text::tr("The audit log is intact (%1 entries).\n").arg(v->rows));
                ctx.finish(Ok);
            } else {
                out(Text::tr("The audit log was tampered with: %1.\n").arg(v->problem));
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
                failWith(ctx, Error(ErrorCode::NotFound,
                                    Text::tr("No account with the address %1 is connected.").arg(email.left(200))));
                return;
            }
            accountId = found->first().id;
        }
        auto entries = vault->audit(accountId, since);
        if (!entries) {
            failWith(ctx, entries.error());
            return;
        }
        if (until.isValid())
            entries->removeIf([&until](const AuditEntry &e) { return e.at > until; });
        if (json) {
            QJsonArray array;
            for (const AuditEntry &e : *entries)
                array.append(withJsonVersion(QJsonObject{{QStringLiteral("id"), e.id},
                                                         {QStringLiteral("time"), isoTime(e.at)},
                                                         {QStringLiteral("account"), e.accountEmail},
                                                         {QStringLiteral("action"), e.action},
                                                         {QStringLiteral("outcome"), e.outcome},
                                                         {QStringLiteral("detail"), e.detail},
                                                         {QStringLiteral("actor"), e.actor}}));
            out(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
        } else {
            QString text;
            for (const AuditEntry &e : *entries)
                text += QStringLiteral("%1  %2  %3  %4  %5%6\n")
                            .arg(isoTime(e.at), e.accountEmail.isEmpty() ? QStringLiteral("-") : e.accountEmail,
                                 e.action, e.outcome, e.detail,
                                 e.actor.isEmpty() ? QString() : QStringLiteral(" [") + e.actor + QLatin1Char(']'));
            out(text);
        }
        ctx.finish(Ok);
    });
}

void rotateKeyHere(Context &ctx)
{
    withVault(ctx, [&ctx](const std::shared_ptr<Vault> &vault) {
        VaultAccess::rotateKey(vault, ctx.profile, ctx.store, [&ctx](Status s) {
            if (!s) {
                failWith(ctx, s.error());
                return;
            }
            err(Text::tr("The vault was re-encrypted with a new key; the keychain holds the new key.\n"));
            ctx.finish(Ok);
        });
    });
}

void cmdRotateKey(Context &ctx)
{
    if (!ctx.args.isEmpty()) {
        usageError(ctx, QStringLiteral("rotate-key"), Text::tr("takes no arguments"));
        return;
    }
    // The window keeps the vault open: a new key must be set through its connection, or the
    // window could no longer read its own vault.
    askWindow(
        ctx, ipc::RotateKeyRequest{}, 120000, false,
        [&ctx](Result<ipc::RotateKeyReply> reply) {
            if (!reply) {
                failWith(ctx, reply.error());
                return;
            }
            err(Text::tr(
                "The MailKey window re-encrypted the vault with a new key; the keychain holds the new key.\n"));
            ctx.finish(Ok);
        },
        [&ctx] { rotateKeyHere(ctx); });
}

// status: what is there, without changing anything. On first run (no vault file) it does not
// unlock: that would create the vault, its folder and the keychain entry.
struct StatusReport {
    QString app;    // the MailKey window, in words
    QString window; // "running", "starting", "incompatible", "not-running"
    qint64 windowPid = 0;
    QString servedBy; // who answers token requests: "window", "service" (mailkey-cli serve) or ""
    qint64 servedByPid = 0;
    QString vault;     // "none", "unlocked", "unavailable"
    QString cipher;    // SQLCipher version, when unlocked
    int accounts = -1; // when unlocked
    std::optional<Error> error;
};

void printStatus(Context &ctx, const StatusReport &s, bool json)
{
    const QString path = QDir::toNativeSeparators(ctx.profile.databasePath());
    if (json) {
        QJsonObject o{
            {QStringLiteral("profile"), ctx.profile.name()},
            {QStringLiteral("vault"), s.vault},
            {QStringLiteral("vault_path"), path},
            {QStringLiteral("cipher"), s.cipher.isEmpty() ? QJsonValue() : QJsonValue(s.cipher)},
            {QStringLiteral("keychain_backend"), KeyStore::backendName()},
            {QStringLiteral("keychain_service"), QString::fromLatin1(KeychainService)},
            {QStringLiteral("keychain_entry"), ctx.profile.keychainKey()},
            {QStringLiteral("window"), s.window},
            {QStringLiteral("window_pid"), s.windowPid > 0 ? QJsonValue(s.windowPid) : QJsonValue()},
            {QStringLiteral("served_by"), s.servedBy.isEmpty() ? QJsonValue() : QJsonValue(s.servedBy)},
            {QStringLiteral("served_by_pid"), s.servedByPid > 0 ? QJsonValue(s.servedByPid) : QJsonValue()},
            {QStringLiteral("accounts"), s.accounts >= 0 ? QJsonValue(s.accounts) : QJsonValue()},
            {QStringLiteral("error"), s.error ? QJsonValue(s.error->message) : QJsonValue()},
        };
        out(QString::fromUtf8(QJsonDocument(withJsonVersion(o)).toJson(QJsonDocument::Indented)));
    } else {
        out(Text::tr("Profile:   %1\n").arg(ctx.profile.name()));
        out(s.vault == QLatin1String("none") ? Text::tr("Vault:     none yet (will be %1)\n").arg(path)
                                             : Text::tr("Vault:     %1\n").arg(path));
        out(Text::tr("Keychain:  %1 (service \"%2\", entry \"%3\")\n")
                .arg(KeyStore::backendName(), QString::fromLatin1(KeychainService), ctx.profile.keychainKey()));
        out(Text::tr("App:       %1\n").arg(s.app));
        if (!s.cipher.isEmpty())
            out(Text::tr("Cipher:    SQLCipher %1\n").arg(s.cipher));
        if (s.vault == QLatin1String("none"))
            out(Text::tr("State:     no vault yet; the first sign-in (mailkey-cli connect PROVIDER, or the MailKey "
                         "window) creates it and its key\n"));
        else if (s.vault == QLatin1String("unlocked"))
            out(Text::tr("State:     unlocked\n"));
        else
            out(Text::tr("State:     unavailable\n"));
        if (s.accounts >= 0)
            out(Text::tr("Accounts:  %1\n").arg(s.accounts));
    }
    if (s.error)
        failWith(ctx, *s.error);
    else
        ctx.finish(Ok);
}

void cmdStatus(Context &ctx)
{
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--json")}, {});
    if (!p.error.isEmpty() || !p.positional.isEmpty()) {
        usageError(ctx, QStringLiteral("status"), p.error.isEmpty() ? Text::tr("takes no arguments") : p.error);
        return;
    }
    const bool json = p.flags.contains(QStringLiteral("--json"));
    ctx.ipc()->setConnectTimeout(1000);
    ctx.ipc()->send(ipc::HelloRequest{}, 2000, [&ctx, json](IpcClient::Reply hello) {
        StatusReport s;
        const Result<ipc::HelloReply> window = ipc::parseReply<ipc::HelloReply>(hello.body);
        if (hello.answered && window && window->role == QLatin1String("service")) {
            // `mailkey-cli serve` answers the socket: no window runs (it would have taken over).
            s.window = QStringLiteral("not-running");
            s.servedBy = window->ready ? window->role : QString();
            s.servedByPid = window->ready ? window->pid : 0;
            s.app = window->ready
                        ? Text::tr("not running; mailkey-cli serve (pid %1) keeps the tokens fresh and "
                                   "answers token requests")
                              .arg(window->pid)
                        : Text::tr("not running; mailkey-cli serve (pid %1) is opening the vault").arg(window->pid);
        } else if (hello.answered && window) {
            s.window = window->ready ? QStringLiteral("running") : QStringLiteral("starting");
            s.servedBy = window->ready ? QStringLiteral("window") : QString();
            s.servedByPid = window->ready ? window->pid : 0;
            s.windowPid = window->pid;
            s.app = window->ready
                        ? Text::tr("running (pid %1); token requests go through it").arg(window->pid)
                        : Text::tr("running (pid %1), its vault is not open yet; mailkey-cli opens the vault itself")
                              .arg(window->pid);
        } else if (hello.answered) {
            s.window = QStringLiteral("incompatible");
            s.app = Text::tr("running, but it does not understand this mailkey-cli (%1)").arg(window.error().message);
        } else if (hello.foreignPeer) {
            s.window = QStringLiteral("not-running");
            s.app = Text::tr("not running (a socket of another user has its name: ignored)");
        } else {
            s.window = QStringLiteral("not-running");
            s.app = Text::tr("not running; mailkey-cli opens the vault itself");
        }
        ctx.ipc()->close();
        if (noVaultYet(ctx.profile)) {
            s.vault = QStringLiteral("none");
            s.accounts = 0;
            printStatus(ctx, s, json);
            return;
        }
        VaultAccess::unlock(ctx.profile, ctx.store, [&ctx, s, json](Result<OpenedVault> opened) mutable {
            if (!opened) {
                s.vault = QStringLiteral("unavailable");
                s.error = opened.error();
                printStatus(ctx, s, json);
                return;
            }
            const auto &vault = opened->vault;
            auto count = vault->accountCount();
            s.vault = count ? QStringLiteral("unlocked") : QStringLiteral("unavailable");
            s.cipher = vault->cipherVersion();
            if (count)
                s.accounts = int(*count);
            else
                s.error = count.error();
            printStatus(ctx, s, json);
        });
    });
}

void resetVaultHere(Context &ctx);

void cmdResetVault(Context &ctx)
{
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--yes")}, {});
    if (!p.error.isEmpty() || !p.positional.isEmpty()) {
        usageError(ctx, QStringLiteral("reset-vault"), p.error.isEmpty() ? Text::tr("takes no arguments") : p.error);
        return;
    }
    if (!p.flags.contains(QStringLiteral("--yes"))) {
        err(Text::tr("mailkey-cli reset-vault: this moves the current vault file aside and starts an empty one; "
                     "all connected accounts must then be connected again. The old file is kept. "
                     "Run again with --yes to confirm.\n"));
        ctx.finish(Usage);
        return;
    }
    // Never under a running window: it has the vault open.
    ctx.ipc()->setConnectTimeout(1000);
    ctx.ipc()->send(ipc::HelloRequest{}, 2000, [&ctx](IpcClient::Reply hello) {
        ctx.ipc()->close();
        if (hello.answered) {
            failWith(ctx, Error(ErrorCode::Internal, Text::tr("The MailKey window is running and has the vault open. "
                                                              "Quit it first, then run reset-vault again.")));
            return;
        }
        resetVaultHere(ctx);
    });
}

void resetVaultHere(Context &ctx)
{
    VaultAccess::resetUnreadable(ctx.profile, ctx.store, [&ctx](Result<VaultAccess::ResetOutcome> reset) {
        if (!reset) {
            failWith(ctx, reset.error());
            return;
        }
        err(Text::tr("The unreadable vault was moved to %1 (kept, not deleted).\n")
                .arg(QDir::toNativeSeparators(reset->asidePath)));
        if (!reset->keptKeyEntries.isEmpty()) {
            // The part after the profile's entry name: the redactor masks "vault-key:..." in messages.
            QStringList names;
            for (const QString &entry : reset->keptKeyEntries)
                names << QLatin1Char('"') + entry.mid(ctx.profile.keychainKey().size()) + QLatin1Char('"');
            err(Text::tr(
                    "Its key stays in your keychain (service \"%1\"): the entries of profile \"%2\" ending in %3.\n")
                    .arg(QString::fromLatin1(KeychainService), ctx.profile.name(), names.join(Text::tr(" and "))));
        }
        err(Text::tr("A new, empty vault was created.\n"));
        ctx.finish(Ok);
    });
}

} // namespace

void addVaultCommands(std::map<QString, CommandInfo> &table)
{
    const std::map<QString, CommandInfo> mine = {
        {QStringLiteral("list"),
         {QT_TRANSLATE_NOOP("mailkey::cli::Cli",
                            "Usage: mailkey-cli [--profile NAME] list [--json]\n\n"
                            "Lists the connected accounts with provider, status and token expiry, under a header\n"
                            "row. Only looks: on first run it creates no vault.\n"
                            "  --json   one JSON array, an object per account: email, provider, display_name,\n"
                            "           status, status_reason, expires_at, last_refresh_at, connected_since,\n"
                            "           sign_in_needed_by (when a new sign-in is expected to be needed, UTC;\n"
                            "           null: unknown), sign_in_needed_reason (inactivity, google-testing,\n"
                            "           max-age or unknown), format (the schema version, 1) and mailkey_version\n"),
          cmdList}},
        {QStringLiteral("audit"),
         {QT_TRANSLATE_NOOP(
              "mailkey::cli::Cli",
              "Usage: mailkey-cli [--profile NAME] audit [EMAIL] [--json] [--since TIME] [--verify]\n\n"
              "Shows the audit log, newest first: sign-ins, refreshes, token hand-outs, failures.\n"
              "  EMAIL         only the entries of that account\n"
              "  --since TIME  a date (2026-11-20), a time (2026-11-20T10:00:00Z) or an age (7d, 12h, 30m)\n"
              "  --until TIME  the end of the range, the same forms (with --since and --json: your own\n"
              "                export of a period)\n"
              "  --json        one JSON array, an object per entry (with format, 1, and mailkey_version)\n"
              "  --verify      check the hash chain instead: exit 0 when intact, 1 when an entry was\n"
              "                edited or deleted\n"
              "  --prune [--keep-days N]\n"
              "                remove the entries older than N days (default: Settings, 365) under a hash\n"
              "                checkpoint, so --verify still proves the rest\n"),
          cmdAudit}},
        {QStringLiteral("rotate-key"),
         {QT_TRANSLATE_NOOP("mailkey::cli::Cli",
                            "Usage: mailkey-cli [--profile NAME] rotate-key\n\n"
                            "Re-encrypts the vault with a new random key and stores it in the keychain. Safe to\n"
                            "interrupt: the vault always opens with what the keychain holds. When the MailKey window\n"
                            "is running, it does the rotation (it has the vault open).\n"),
          cmdRotateKey}},
        {QStringLiteral("status"),
         {QT_TRANSLATE_NOOP("mailkey::cli::Cli",
                            "Usage: mailkey-cli [--profile NAME] status [--json]\n\n"
                            "Prints the profile, where the vault is, the keychain in use, whether the MailKey window\n"
                            "is running (mailkey-cli then asks it for tokens), and, after unlocking the vault, its\n"
                            "cipher version and the number of accounts. Only looks: on first run it says there is\n"
                            "no vault yet and creates nothing (no vault, no folder, no keychain entry), exit 0.\n"
                            "A vault that cannot be unlocked: exit 5, with what to do.\n"
                            "  --json   one JSON object: format, mailkey_version, profile, vault (none, unlocked or\n"
                            "           unavailable), vault_path, cipher, keychain_backend, keychain_service,\n"
                            "           keychain_entry, window (running, starting, incompatible or not-running),\n"
                            "           window_pid, accounts, error (null when none)\n"),
          cmdStatus}},
        {QStringLiteral("reset-vault"),
         {QT_TRANSLATE_NOOP("mailkey::cli::Cli",
                            "Usage: mailkey-cli [--profile NAME] reset-vault --yes\n\n"
                            "For a vault that cannot be opened with the key in your keychain (the key is gone, or\n"
                            "the file is damaged): moves the vault file aside (kept, never deleted), keeps its key in\n"
                            "the keychain under a new name, and creates a new, empty vault with a new key. Refused,\n"
                            "changing nothing, when the vault opens, when the keyring is locked or unreachable, and\n"
                            "while the MailKey window is running.\n"),
          cmdResetVault}},
    };
    table.insert(mine.begin(), mine.end());
}

} // namespace mailkey::cli
