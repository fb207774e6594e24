#include "cli/CliSupport.h"

#include "cli/ExitCode.h"
#include "core/ipc/BackgroundService.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/service/AppSettings.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTimer>

// `mailkey-cli serve`: MailKey's token lifecycle without the window (BackgroundService), for
// sessions without a desktop and for a systemd user unit. It runs until SIGTERM or Ctrl-C. Its
// lines on stderr (the journal, under systemd) say what it does: serving, standing by for the
// window, a refresh that failed, a mailbox that needs a new sign-in. Addresses, never tokens.

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::ServeCommand)
};

void say(const QString &line)
{
    err(QStringLiteral("mailkey-cli serve: %1\n").arg(oneLine(line)));
}

// The service's signals worth a line, for one serving period.
void watch(AccountService *service, Context &ctx)
{
    QObject::connect(service, &AccountService::vaultStateChanged, service, [service, &ctx] {
        switch (service->vaultState()) {
        case VaultState::Ready: {
            const int n = int(service->accounts().size());
            say(Text::tr("serving profile %1 (mailboxes: %2); mailkey-cli token is answered here.")
                    .arg(service->profile().name())
                    .arg(n));
            break;
        }
        case VaultState::Failed:
            // Nothing can be served without the vault (a locked keyring at login, a missing key):
            // end, with the reason, so a service manager can try again later.
            failWith(ctx, service->vaultError());
            break;
        default:
            break;
        }
    });
    // A failed refresh: a line, with the command that fixes it when the account must sign in again
    // (once per failure, read only then; accountChanged comes for every state change and would
    // read the vault and repeat the line).
    QObject::connect(service, &AccountService::refreshFinished, service, [service](qint64 id, const Status &result) {
        if (result)
            return;
        const std::optional<Account> account = service->account(id);
        const QString address = account ? account->email : Text::tr("account %1").arg(id);
        say(Text::tr("refresh of %1 failed: %2").arg(address, result.error().message));
        if (account && result.error().code == ErrorCode::NeedsSignIn)
            say(Text::tr("%1 needs a new sign-in: mailkey-cli connect %2 --login-hint %1")
                    .arg(account->email, account->provider));
    });
    // Alerts (failing refreshes, a sign-in about to be needed): a line each; the desktop
    // notification, where there is a session bus, is sent by the service itself.
    QObject::connect(service, &AccountService::alertRaised, service, [](const Alert &alert) { say(alert.message); });
}

void cmdServe(Context &ctx)
{
    const ParsedArgs p = parseArgs(ctx.args, {}, {QStringLiteral("--providers")});
    if (!p.error.isEmpty() || !p.positional.isEmpty()) {
        usageError(ctx, QStringLiteral("serve"), p.error.isEmpty() ? Text::tr("takes no arguments") : p.error);
        return;
    }
    const QString providersFile = p.values.value(QStringLiteral("--providers"));
    if (!providersFile.isEmpty() && !QFileInfo::exists(providersFile)) {
        failWith(ctx, Error(ErrorCode::InvalidInput,
                            Text::tr("--providers: there is no file %1.").arg(providersFile.left(300))));
        return;
    }
    auto *background = new BackgroundService(ctx.profile, ctx.network(), ctx.objects());
    background->setConfigure([providersFile](ProviderRegistry *registry, AccountService *service) -> Status {
        // settings.ini and providers.json are read again each time: the window may have changed them.
        const AppSettings settings;
        service->setAuditRetentionDays(settings.auditRetentionDays());
        service->setHooks(settings.hookSettings());
        service->setHealthWarnings(settings.googleTestingStatus(), settings.healthWarnDays());
        Status loaded = settings.applyTo(registry);
        if (!providersFile.isEmpty() && !settings.policy().disables(ManagedPolicy::Feature::CustomProviders))
            loaded = registry->loadCustomProviders(providersFile);
        return loaded;
    });
    QObject::connect(background, &BackgroundService::problem, background, [](const QString &message) { say(message); });
    QObject::connect(background, &BackgroundService::alreadyServed, background, [&ctx](qint64 pid) {
        err(pid > 0 ? Text::tr("mailkey-cli serve: already running for profile %1 (pid %2); nothing to do.\n")
                          .arg(ctx.profile.name())
                          .arg(pid)
                    : Text::tr("mailkey-cli serve: already running for profile %1; nothing to do.\n")
                          .arg(ctx.profile.name()));
        ctx.finish(Failure);
    });
    QObject::connect(background, &BackgroundService::stateChanged, background,
                     [background, &ctx](BackgroundService::State state) {
                         switch (state) {
                         case BackgroundService::State::Serving:
                             watch(background->service(), ctx);
                             break;
                         case BackgroundService::State::HandingOver:
                             say(Text::tr("the MailKey window is starting: handing over to it."));
                             break;
                         case BackgroundService::State::Standby:
                             say(Text::tr("the MailKey window is open and keeps the tokens fresh; serving again "
                                          "when it closes."));
                             break;
                         case BackgroundService::State::Stopped:
                             // Stopped by itself (the lock file cannot be used; a duplicate is
                             // reported by alreadyServed): end with the problem it reported.
                             QTimer::singleShot(0, background, [&ctx] { ctx.finish(Failure); });
                             break;
                         default:
                             break;
                         }
                     });
    // SIGTERM (systemctl stop, logout) and Ctrl-C: refreshes in flight are committed first.
    ctx.interruptGraceMs = BackgroundService::Options().drainMs + 5000;
    ctx.onInterrupt = [background, &ctx] {
        say(Text::tr("stopping."));
        background->stop([&ctx](bool drained) {
            if (!drained)
                say(Text::tr("a token refresh did not finish in time; the next start retries it."));
            ctx.finish(Ok);
        });
    };
    background->start();
}

} // namespace

void addServeCommand(std::map<QString, CommandInfo> &table)
{
    table.insert(
        {QStringLiteral("serve"),
         {QT_TRANSLATE_NOOP("mailkey::cli::Cli",
                            "Usage: mailkey-cli [--profile NAME] serve [--providers FILE]\n\n"
                            "Keeps the profile's tokens fresh without the MailKey window: refreshes each access token\n"
                            "ahead of its expiry, keeps idle accounts alive, and answers mailkey-cli token over the\n"
                            "same private socket the window uses. Runs until stopped (SIGTERM, Ctrl-C); a refresh\n"
                            "in flight is committed before it ends.\n"
                            "One process serves a profile at a time: when the MailKey window starts, serve hands\n"
                            "over to it and stands by; when the window closes, serve takes over again. A second\n"
                            "serve for the same profile ends at once.\n"
                            "The package installs a systemd user unit, off until you turn it on:\n"
                            "  systemctl --user enable --now mailkey.service\n"
                            "Exit codes: 0 stopped, 1 already running, 2 usage, 5 keychain unavailable or locked.\n"),
          cmdServe}});
}

} // namespace mailkey::cli
