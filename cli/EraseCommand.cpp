#include "cli/CliSupport.h"

#include "core/common/Profile.h"
#include "core/ipc/IpcMessages.h"
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/TokenManager.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/ProfileEraser.h"
#include "core/service/TokenBroker.h"
#include "core/vault/Vault.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <memory>

// `mailkey-cli erase-all --yes [--all-profiles]`: the person's right to have their data erased.
// For each profile: the keychain must answer first (a keychain that cannot be reached stops the
// erase before anything is deleted); a running window stops it too (it has the vault open). Then
// every account's grant is revoked where the provider allows it (the vault's own removal path),
// the vault closed, the profile's folder deleted with everything in it (the vault, its WAL, SHM
// and lock files, every vault reset-vault moved aside) and its keychain entries removed (the key,
// a pending rotation key, the keys kept for moved-aside vaults). With --all-profiles also
// settings.ini and providers.json. Every removal is reported; what could not be removed is said.

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::EraseCommand)
};

struct EraseState {
    QList<Profile> profiles;
    qsizetype next = 0;
    bool allProfiles = false;
    std::shared_ptr<EraseReport> report = std::make_shared<EraseReport>();
    // The profile being erased.
    std::shared_ptr<Vault> vault;
    std::unique_ptr<TokenManager> tokens;
};
using State = std::shared_ptr<EraseState>;

void eraseNextProfile(Context &ctx, const State &s);

// The accounts are revoked; the vault is closed, then the files and the keys go.
void removeProfile(Context &ctx, const State &s)
{
    const Profile profile = s->profiles.at(s->next);
    // Entries first, from the folder's names, before the folder goes.
    const QStringList entries = VaultAccess::keychainEntries(profile);
    s->tokens.reset();
    s->vault.reset();
    ProfileEraser::removeFiles(profile, *s->report);
    ProfileEraser::removeKeychainEntries(ctx.store, entries, s->report, [&ctx, s] {
        ++s->next;
        eraseNextProfile(ctx, s);
    });
}

void eraseProfile(Context &ctx, const State &s)
{
    const Profile profile = s->profiles.at(s->next);
    if (!QFileInfo::exists(profile.databasePath())) {
        removeProfile(ctx, s); // nothing to revoke; moved-aside vaults and keys may still be there
        return;
    }
    VaultAccess::unlock(
        profile, ctx.store,
        [&ctx, s, profile](Result<OpenedVault> opened) {
            if (!opened) {
                s->report->problems << Text::tr("The vault of profile \"%1\" could not be opened (%2): nothing in "
                                                "it could be revoked at the providers. It is deleted anyway.")
                                           .arg(profile.name(), oneLine(opened.error().message));
                removeProfile(ctx, s);
                return;
            }
            s->vault = opened->vault;
            Result<QList<Account>> accounts = s->vault->accounts();
            Result<ProviderRegistry *> registry = ctx.providers(QString());
            if (!accounts || !registry) {
                s->report->problems << Text::tr("The accounts of profile \"%1\" could not be read for revocation "
                                                "(%2).")
                                           .arg(profile.name(), oneLine(!accounts ? accounts.error().message
                                                                                  : registry.error().message));
                removeProfile(ctx, s);
                return;
            }
            s->tokens = std::make_unique<TokenManager>(s->vault, *registry, ctx.network(), profile);
            auto broker = std::make_shared<TokenBroker>(s->tokens.get(), *registry);
            ProfileEraser::revokeAll(
                *accounts,
                [broker](const QString &email, const QString &provider,
                         std::function<void(Result<TokenBroker::RemovalAnswer>)> done) {
                    broker->remove(email, provider, std::move(done));
                },
                s->report, [&ctx, s, broker] { removeProfile(ctx, s); });
        },
        Vault::IntegrityCheck::Header);
}

void finishErase(Context &ctx, const State &s)
{
    if (s->allProfiles)
        ProfileEraser::removeSharedFiles(*s->report);
    for (const QString &line : std::as_const(s->report->removed))
        out(Text::tr("removed: %1\n").arg(line));
    for (const QString &line : std::as_const(s->report->problems))
        err(QStringLiteral("mailkey-cli erase-all: %1\n").arg(line));
    if (s->report->removed.isEmpty() && s->report->problems.isEmpty())
        out(Text::tr("There was nothing of MailKey to remove.\n"));
    ctx.finish(s->report->problems.isEmpty() ? Ok : Failure);
}

void eraseNextProfile(Context &ctx, const State &s)
{
    if (s->next >= s->profiles.size()) {
        finishErase(ctx, s);
        return;
    }
    eraseProfile(ctx, s);
}

// Before anything is deleted: the keyring is not locked, every profile's keychain entry answers
// (present or not there), and no MailKey window has a profile's vault open.
void preflight(Context &ctx, const State &s, qsizetype i)
{
    if (i >= s->profiles.size()) {
        eraseNextProfile(ctx, s);
        return;
    }
    const Profile profile = s->profiles.at(i);
    ProfileEraser::checkKeychain(ctx.store, profile, [&ctx, s, i, profile](std::optional<Error> problem) {
        if (problem) {
            failWith(ctx, *problem);
            return;
        }
        auto *client = new IpcClient(profile.ipcSocketName());
        client->setConnectTimeout(1000);
        client->send(ipc::HelloRequest{}, 2000, [&ctx, s, i, profile, client](IpcClient::Reply hello) {
            client->deleteLater();
            if (hello.answered) {
                failWith(ctx, Error(ErrorCode::Internal,
                                    Text::tr("The MailKey window of profile \"%1\" is running and has its vault open. "
                                             "Erase it there (File → Erase everything…), or quit it first and run "
                                             "erase-all again. Nothing was erased.")
                                        .arg(profile.name())));
                return;
            }
            preflight(ctx, s, i + 1);
        });
    });
}

void cmdEraseAll(Context &ctx)
{
    const QString cmd = QStringLiteral("erase-all");
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--yes"), QStringLiteral("--all-profiles")}, {});
    if (!p.error.isEmpty() || !p.positional.isEmpty()) {
        usageError(ctx, cmd, p.error.isEmpty() ? Text::tr("takes no arguments") : p.error);
        return;
    }
    auto s = std::make_shared<EraseState>();
    s->allProfiles = p.flags.contains(QStringLiteral("--all-profiles"));
    if (s->allProfiles) {
        QStringList names{QString::fromLatin1(Profile::DefaultName)};
        for (const QString &name :
             QDir(Profile::dataRoot() + QStringLiteral("/profiles")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            if (Profile::isValidName(name) && !names.contains(name))
                names << name;
        }
        if (!names.contains(ctx.profile.name()))
            names << ctx.profile.name();
        for (const QString &name : std::as_const(names))
            s->profiles << Profile(name);
    } else {
        s->profiles << ctx.profile;
    }
    if (!p.flags.contains(QStringLiteral("--yes"))) {
        QStringList names;
        for (const Profile &profile : std::as_const(s->profiles))
            names << QLatin1Char('"') + profile.name() + QLatin1Char('"');
        err(Text::tr("mailkey-cli erase-all: this revokes MailKey's access where the provider allows it and deletes "
                     "every account, token, the vault with every copy reset-vault kept, and its keys in the "
                     "keychain, of profile %1%2. It cannot be undone (a backup made with 'mailkey-cli export' "
                     "can be imported). Run again with --yes to confirm.\n")
                .arg(names.join(QStringLiteral(", ")),
                     s->allProfiles ? Text::tr(", and MailKey's settings and providers file") : QString()));
        ctx.finish(Usage);
        return;
    }
    preflight(ctx, s, 0);
}

} // namespace

void addEraseCommand(std::map<QString, CommandInfo> &table)
{
    table.insert(
        {QStringLiteral("erase-all"),
         {QT_TRANSLATE_NOOP("mailkey::cli::Cli",
                            "Usage: mailkey-cli [--profile NAME] erase-all --yes [--all-profiles]\n\n"
                            "Erases everything MailKey keeps for the profile: revokes each account's access where the\n"
                            "provider allows it, then deletes the vault with its WAL, SHM and lock files, every vault\n"
                            "reset-vault moved aside, and the profile's keys in the keychain; prints what it removed.\n"
                            "A keychain that cannot be reached, or a running MailKey window, stops it before\n"
                            "anything is deleted.\n"
                            "  --all-profiles  every profile, and MailKey's settings.ini and providers.json\n"
                            "  --yes           confirm (without it, nothing is done)\n"
                            "Exit codes: 0 everything was removed, 1 something could not be removed (listed),\n"
                            "2 usage, 5 keychain unavailable or locked (nothing was erased).\n"),
          cmdEraseAll}});
}

} // namespace mailkey::cli
