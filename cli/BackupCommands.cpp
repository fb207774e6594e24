#include "cli/CliSupport.h"

#include "core/backup/BackupFile.h"
#include "core/backup/MuttOAuth2Token.h"
#include "core/common/Clock.h"
#include "core/ipc/IpcMessages.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/Backups.h"
#include "core/vault/Vault.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>

#if defined(Q_OS_UNIX)
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>
#endif

// export, import: the encrypted backup (core/backup/BackupFile.h, docs/backup-format.md) and the
// import of other tools' token files (--from mutt-oauth2).

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::BackupCommands)
};
} // namespace

namespace {

constexpr qint64 MaxTokenFileBytes = 1024 * 1024;
constexpr int MaxPassphraseBytes = 1024;

// A passphrase, or why there is none. `exitCode` is set when there is none.
struct Passphrase {
    SecureBytes bytes;
    QString problem;
    int exitCode = Ok;
};

// Reads up to the first newline (or EOF) from `fd`, without the line end.
Passphrase readPassphraseFd(int fd)
{
    Passphrase result;
#if defined(Q_OS_UNIX)
    QByteArray buf;
    buf.reserve(MaxPassphraseBytes + 1);
    char c = 0;
    for (;;) {
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            result.problem = Text::tr("--passphrase-fd %1: that file descriptor cannot be read").arg(fd);
            result.exitCode = Usage;
            secureWipe(buf);
            return result;
        }
        if (n == 0 || c == '\n')
            break;
        if (buf.size() >= MaxPassphraseBytes) {
            result.problem = Text::tr("--passphrase-fd %1: the passphrase is longer than %2 bytes")
                                 .arg(fd)
                                 .arg(MaxPassphraseBytes);
            result.exitCode = Usage;
            secureWipe(buf);
            return result;
        }
        buf.append(c);
    }
    c = 0;
    if (buf.endsWith('\r'))
        buf.chop(1);
    result.bytes = SecureBytes(std::move(buf));
#else
    result.problem = Text::tr("--passphrase-fd is not supported on this system");
    result.exitCode = Usage;
    Q_UNUSED(fd);
#endif
    return result;
}

#if defined(Q_OS_UNIX)
// One line from the terminal without echo, read key by key (so that Ctrl-C is seen here and the
// terminal is always restored). nullopt: cancelled.
std::optional<SecureBytes> readHidden(int tty, const QString &prompt)
{
    termios saved{};
    if (::tcgetattr(tty, &saved) != 0)
        return std::nullopt;
    termios raw = saved;
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    // No echo before the prompt shows (what was typed ahead is dropped, not taken as the passphrase).
    ::tcsetattr(tty, TCSAFLUSH, &raw);
    const QByteArray p = prompt.toUtf8();
    [[maybe_unused]] ssize_t w = ::write(tty, p.constData(), size_t(p.size()));
    QByteArray buf;
    buf.reserve(MaxPassphraseBytes + 1);
    bool done = false;
    bool cancelled = false;
    while (!done) {
        char c = 0;
        const ssize_t n = ::read(tty, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            cancelled = true;
            break;
        }
        switch (c) {
        case '\r':
        case '\n':
            done = true;
            break;
        case 3: // Ctrl-C
            cancelled = true;
            done = true;
            break;
        case 4: // Ctrl-D
            if (buf.isEmpty()) {
                cancelled = true;
                done = true;
            }
            break;
        case 0x7f:
        case 8:
            if (!buf.isEmpty()) {
                // Remove a whole UTF-8 character.
                while (!buf.isEmpty() && (quint8(buf.back()) & 0xC0) == 0x80)
                    buf.chop(1);
                buf.chop(1);
            }
            break;
        case 0x15: // Ctrl-U
            secureWipe(buf);
            buf.clear();
            break;
        default:
            if (buf.size() < MaxPassphraseBytes)
                buf.append(c);
        }
        c = 0;
    }
    ::tcsetattr(tty, TCSANOW, &saved);
    w = ::write(tty, "\n", 1);
    if (cancelled) {
        secureWipe(buf);
        return std::nullopt;
    }
    return SecureBytes(std::move(buf));
}
#endif

// UTF-8 characters (counted on the bytes: no second copy of the passphrase).
int characterCount(const SecureBytes &utf8)
{
    int n = 0;
    for (const char c : utf8.bytes())
        n += (quint8(c) & 0xC0) != 0x80 ? 1 : 0;
    return n;
}

// From --passphrase-fd, else typed on the terminal (twice when `confirm`). A script without either
// gets a clear error rather than a prompt nobody sees.
Passphrase obtainPassphrase(const ParsedArgs &p, const QString &command, bool confirm)
{
    Passphrase result;
    const QString fdText = p.values.value(QStringLiteral("--passphrase-fd"));
    if (p.values.contains(QStringLiteral("--passphrase-fd"))) {
        bool ok = false;
        const int fd = fdText.toInt(&ok);
        if (!ok || fd < 0) {
            result.problem = Text::tr("--passphrase-fd takes a file descriptor number (e.g. 3 with 3<FILE)");
            result.exitCode = Usage;
            return result;
        }
        result = readPassphraseFd(fd);
    } else {
#if defined(Q_OS_UNIX)
        const int tty
            = (::isatty(STDIN_FILENO) || ::isatty(STDERR_FILENO)) ? ::open("/dev/tty", O_RDWR | O_NOCTTY) : -1;
        if (tty < 0) {
            result.problem = Text::tr("a passphrase is needed, and there is no terminal to type it on: give it on a "
                                      "file descriptor with --passphrase-fd N (e.g. --passphrase-fd 3 3<FILE)");
            result.exitCode = Usage;
            return result;
        }
        std::optional<SecureBytes> first = readHidden(tty, Text::tr("Backup passphrase: "));
        if (first && confirm) {
            std::optional<SecureBytes> second = readHidden(tty, Text::tr("The same passphrase again: "));
            if (second && !first->equals(*second)) {
                ::close(tty);
                result.problem = Text::tr("the two passphrases differ; nothing was written");
                result.exitCode = Usage;
                return result;
            }
            if (!second)
                first.reset();
        }
        ::close(tty);
        if (!first) {
            result.problem = Text::tr("cancelled");
            result.exitCode = Cancelled;
            return result;
        }
        result.bytes = std::move(*first);
#else
        result.problem = Text::tr("give the passphrase on a file descriptor with --passphrase-fd N");
        result.exitCode = Usage;
        return result;
#endif
    }
    if (result.exitCode == Ok && result.bytes.isEmpty()) {
        result.problem = Text::tr("the passphrase is empty");
        result.exitCode = Usage;
    } else if (result.exitCode == Ok && confirm && characterCount(result.bytes) < Backups::MinPassphraseChars) {
        result.bytes.clear();
        result.problem = Text::tr("the passphrase is shorter than %1 characters: the backup holds every token, and a "
                                  "short passphrase can be guessed")
                             .arg(Backups::MinPassphraseChars);
        result.exitCode = Usage;
    }
    Q_UNUSED(command);
    return result;
}

bool passphraseFailed(Context &ctx, const QString &command, const Passphrase &pass)
{
    if (pass.exitCode == Ok)
        return false;
    err(Text::tr("mailkey-cli %1: %2.\n").arg(command, pass.problem));
    ctx.finish(pass.exitCode);
    return true;
}

// Reads FILE, or standard input for "-", up to `limit` bytes.
Result<QByteArray> readInput(const QString &name, qint64 limit)
{
    QFile f;
    const bool stdinput = name == QLatin1String("-");
    const bool opened
        = stdinput ? f.open(stdin, QIODevice::ReadOnly) : (f.setFileName(name), f.open(QIODevice::ReadOnly));
    if (!opened)
        return Error(ErrorCode::InvalidInput, Text::tr("%1 cannot be read: %2.").arg(name.left(300), f.errorString()));
    QByteArray data = f.read(limit + 1);
    if (data.size() > limit) {
        secureWipe(data);
        return Error(ErrorCode::InvalidInput, Text::tr("%1 is too large to be an import file.").arg(name.left(300)));
    }
    return data;
}

void reportImport(const ImportReport &r)
{
    for (const QString &line : Backups::describe(r))
        err(line + QLatin1Char('\n'));
}

// After a successful import: tell a running window to re-read the vault (best effort).
void finishImport(Context &ctx)
{
    ctx.ipc()->setConnectTimeout(500);
    ctx.ipc()->send(ipc::AccountsChangedRequest{}, 1000, [&ctx](IpcClient::Reply) { ctx.finish(Ok); });
}

void cmdExport(Context &ctx)
{
    const QString cmd = QStringLiteral("export");
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--with-audit")},
                                   {QStringLiteral("--output"), QStringLiteral("--passphrase-fd")});
    if (!p.error.isEmpty() || !p.positional.isEmpty() || !p.values.contains(QStringLiteral("--output"))) {
        usageError(ctx, cmd, !p.error.isEmpty() ? p.error : Text::tr("needs --output FILE and no other arguments"));
        return;
    }
    const QString output = p.values.value(QStringLiteral("--output"));
    const QFileInfo outInfo(output);
    if (output.isEmpty() || outInfo.isDir() || !outInfo.absoluteDir().exists()) {
        usageError(ctx, cmd, Text::tr("--output %1: not a file in an existing folder").arg(output.left(300)));
        return;
    }
    Passphrase pass = obtainPassphrase(p, cmd, true);
    if (passphraseFailed(ctx, cmd, pass))
        return;
    const bool withAudit = p.flags.contains(QStringLiteral("--with-audit"));
    withVault(ctx, [&ctx, output, withAudit,
                    pass = std::make_shared<Passphrase>(std::move(pass))](const std::shared_ptr<Vault> &vault) {
        QElapsedTimer timer;
        timer.start();
        Result<VaultSnapshot> snap = vault->snapshot(withAudit);
        if (!snap) {
            failWith(ctx, snap.error());
            return;
        }
        const BackupFile::Contents contents = Backups::contentsOf(std::move(*snap), ctx.profile.name());
        Result<QByteArray> bytes = BackupFile::write(contents, pass->bytes);
        pass->bytes.clear();
        if (!bytes) {
            failWith(ctx, bytes.error());
            return;
        }
        if (Status written = Backups::writeAtomically(output, *bytes); !written) {
            failWith(ctx, written.error());
            return;
        }
        qCDebug(lcCli, "%lld ms: backup written in %lld ms", elapsedMs(), timer.elapsed());
        err(Text::tr("%1 accounts%2 were written to %3, encrypted. Keep your passphrase safe: the backup "
                     "cannot be restored without it.\n")
                .arg(contents.vault.accounts.size())
                .arg(withAudit ? Text::tr(" and %1 audit log entries").arg(contents.vault.audit.size()) : QString(),
                     QDir::toNativeSeparators(output)));
        ctx.finish(Ok);
    });
}

int exitCodeFor(BackupFile::Problem problem)
{
    return problem == BackupFile::Problem::WrongPassphrase ? BackupPassphrase : BadBackup;
}

void importBackup(Context &ctx, const ParsedArgs &p, const QString &file)
{
    const QString cmd = QStringLiteral("import");
    Result<QByteArray> data = readInput(file, Backups::MaxBackupBytes);
    if (!data) {
        failWith(ctx, data.error());
        return;
    }
    // Refused before a passphrase is asked for: a file that is not a backup, or a newer one.
    BackupFile::Problem problem = BackupFile::Problem::None;
    if (const std::optional<Error> refused = Backups::refusal(*data, &problem)) {
        err(QStringLiteral("mailkey-cli: %1\n").arg(refused->message));
        ctx.finish(exitCodeFor(problem));
        return;
    }
    Passphrase pass = obtainPassphrase(p, cmd, false);
    if (passphraseFailed(ctx, cmd, pass))
        return;
    QElapsedTimer timer;
    timer.start();
    Result<BackupFile::Contents> read = BackupFile::read(*data, pass.bytes, &problem);
    pass.bytes.clear();
    qCDebug(lcCli, "%lld ms: backup read in %lld ms", elapsedMs(), timer.elapsed());
    if (!read) {
        err(QStringLiteral("mailkey-cli: %1\n").arg(read.error().message));
        ctx.finish(problem == BackupFile::Problem::None ? Failure : exitCodeFor(problem));
        return;
    }
    auto contents = std::make_shared<BackupFile::Contents>(std::move(*read));
    withVault(ctx, [&ctx, contents](const std::shared_ptr<Vault> &vault) {
        const QString detail = QStringLiteral("backup of %1 (%2), %3 accounts")
                                   .arg(isoTime(contents->createdAt), contents->writer.left(60))
                                   .arg(contents->vault.accounts.size());
        Result<ImportReport> report = vault->importSnapshot(contents->vault, QDateTime::currentDateTimeUtc(), detail);
        if (!report) {
            failWith(ctx, Error(report.error().code,
                                report.error().message + QLatin1Char(' ') + Text::tr("Nothing was imported.")));
            return;
        }
        reportImport(*report);
        for (const QString &line : Backups::restoreFiles(contents->files))
            err(line + QLatin1Char('\n'));
        finishImport(ctx);
    });
}

void importMutt(Context &ctx, const ParsedArgs &p, const QString &file)
{
    Result<QByteArray> data = readInput(file, MaxTokenFileBytes);
    if (!data) {
        failWith(ctx, data.error());
        return;
    }
    const QString registration = MuttOAuth2Token::registrationOf(*data);
    if (registration.isEmpty()) {
        // Not a token file at all: say so, as parse() explains it.
        Result<SnapshotAccount> shape
            = MuttOAuth2Token::parse(*data, QString(), false, QDateTime::currentDateTimeUtc());
        secureWipe(*data);
        err(QStringLiteral("mailkey-cli: %1\n").arg(shape ? QString() : shape.error().message));
        ctx.finish(BadBackup);
        return;
    }
    QString providerId = p.values.value(QStringLiteral("--provider"));
    if (providerId.isEmpty())
        providerId = MuttOAuth2Token::providerFor(registration);
    if (providerId.isEmpty()) {
        secureWipe(*data);
        usageError(ctx, QStringLiteral("import"),
                   Text::tr("the token file's registration \"%1\" is not google or microsoft: name the MailKey "
                            "provider with --provider ID")
                       .arg(oneLine(registration.left(40))));
        return;
    }
    Result<ProviderRegistry *> registry = ctx.providers(p.values.value(QStringLiteral("--providers")));
    if (!registry) {
        secureWipe(*data);
        failWith(ctx, registry.error());
        return;
    }
    const Provider provider = (*registry)->provider(providerId);
    if (!provider.isValid()) {
        secureWipe(*data);
        usageError(ctx, QStringLiteral("import"),
                   Text::tr("'%1' is not a known provider (known: %2)")
                       .arg(oneLine(providerId.left(40)), (*registry)->ids().join(QStringLiteral(", "))));
        return;
    }
    Result<SnapshotAccount> account = MuttOAuth2Token::parse(
        *data, provider.id, provider.kind == Provider::Kind::Microsoft, QDateTime::currentDateTimeUtc());
    secureWipe(*data);
    if (!account) {
        err(QStringLiteral("mailkey-cli: %1\n").arg(account.error().message));
        ctx.finish(BadBackup);
        return;
    }
    auto snap = std::make_shared<VaultSnapshot>();
    snap->accounts.push_back(std::move(*account));
    const bool microsoft = provider.kind == Provider::Kind::Microsoft;
    withVault(ctx, [&ctx, snap, microsoft](const std::shared_ptr<Vault> &vault) {
        Result<ImportReport> report = vault->importSnapshot(*snap, QDateTime::currentDateTimeUtc(),
                                                            QStringLiteral("mutt_oauth2.py token file"));
        if (!report) {
            failWith(ctx, report.error());
            return;
        }
        reportImport(*report);
        err(Text::tr("The account keeps the app registration (client id) of mutt_oauth2.py: its refresh token "
                     "belongs to that client.\n"));
        if (microsoft)
            err(Text::tr("Its grant covers Outlook IMAP, POP and SMTP: ask for tokens with --resource imap or "
                         "--resource smtp.\n"));
        finishImport(ctx);
    });
}

void cmdImport(Context &ctx)
{
    const QString cmd = QStringLiteral("import");
    const ParsedArgs p = parseArgs(ctx.args, {},
                                   {QStringLiteral("--passphrase-fd"), QStringLiteral("--from"),
                                    QStringLiteral("--provider"), QStringLiteral("--providers")});
    if (!p.error.isEmpty() || p.positional.size() != 1) {
        usageError(ctx, cmd, !p.error.isEmpty() ? p.error : Text::tr("needs one file (or - for standard input)"));
        return;
    }
    const QString from = p.values.value(QStringLiteral("--from"));
    const QString file = p.positional.first();
    if (from.isEmpty()) {
        if (p.values.contains(QStringLiteral("--provider"))) {
            usageError(ctx, cmd, Text::tr("--provider is for --from mutt-oauth2 only"));
            return;
        }
        importBackup(ctx, p, file);
    } else if (from == QLatin1String("mutt-oauth2")) {
        if (p.values.contains(QStringLiteral("--passphrase-fd"))) {
            usageError(ctx, cmd,
                       Text::tr("a mutt_oauth2.py token file has no passphrase (decrypt it with its "
                                "own pipe, e.g. gpg --decrypt FILE | mailkey-cli import --from "
                                "mutt-oauth2 -)"));
            return;
        }
        importMutt(ctx, p, file);
    } else {
        usageError(ctx, cmd,
                   Text::tr("--from takes mutt-oauth2 (pizauth and oama: see docs/backup-format.md), not '%1'")
                       .arg(oneLine(from.left(40))));
    }
}

} // namespace

void addBackupCommands(std::map<QString, CommandInfo> &table)
{
    const std::map<QString, CommandInfo> mine = {
        {QStringLiteral("export"),
         {QT_TRANSLATE_NOOP(
              "mailkey::cli::Cli",
              "Usage: mailkey-cli [--profile NAME] export --output FILE [--passphrase-fd N] [--with-audit]\n\n"
              "Writes an encrypted backup of this profile: the accounts with their tokens, the vault's\n"
              "settings, settings.ini and the custom providers file; the audit log only with --with-audit.\n"
              "The passphrase is asked for twice on the terminal (at least 8 characters), or read from\n"
              "file descriptor N up to the first newline (scripts: --passphrase-fd 3 3<FILE). The file is\n"
              "written atomically with mode 0600. Encryption: scrypt (N=2^17, r=8, p=1) and AES-256-GCM\n"
              "(docs/backup-format.md). Anyone with the file and the passphrase can use your mailboxes.\n"),
          cmdExport}},
        {QStringLiteral("import"),
         {QT_TRANSLATE_NOOP(
              "mailkey::cli::Cli",
              "Usage: mailkey-cli [--profile NAME] import FILE [--passphrase-fd N]\n"
              "       mailkey-cli [--profile NAME] import --from mutt-oauth2 FILE|- [--provider ID]\n\n"
              "Merges a backup made by 'mailkey-cli export' into this profile's vault, in one transaction\n"
              "(all of it or nothing). Accounts are matched by provider and address, as connect matches\n"
              "them: new ones are added, existing ones get the backup's tokens, unless the sign-in here is\n"
              "newer. Settings and custom providers this computer does not have are restored. Says what it\n"
              "added and updated. FILE - reads standard input.\n\n"
              "  --passphrase-fd N      read the passphrase from file descriptor N instead of the terminal\n"
              "  --from mutt-oauth2     FILE is a mutt_oauth2.py token file as its decryption pipe prints it\n"
              "                         (gpg --decrypt TOKENFILE | mailkey-cli import --from mutt-oauth2 -);\n"
              "                         the account keeps that script's client id and secret\n"
              "  --provider ID          the MailKey provider for its registration (default: google or\n"
              "                         microsoft, as the file names it)\n\n"
              "Exit codes: 9 the passphrase is wrong; 10 the file is not a backup, is damaged or\n"
              "truncated, or was written by a newer MailKey. Nothing is changed then.\n"),
          cmdImport}},
    };
    table.insert(mine.begin(), mine.end());
}

} // namespace mailkey::cli
