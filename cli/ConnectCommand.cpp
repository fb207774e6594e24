#include "cli/CliSupport.h"

#include "core/common/MailAddress.h"
#include "core/ipc/IpcMessages.h"
#include "core/oauth/ConnectSession.h"
#include "core/oauth/DeviceAuthorization.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/VaultConnectionStore.h"
#include "core/vault/Vault.h"

#include <QCoreApplication>
#include <QLocale>
#include <QProcess>
#include <QUrl>

#if defined(Q_OS_MACOS) || defined(Q_OS_WIN)
#include <QDesktopServices>
#include <QGuiApplication>
#endif

// connect PROVIDER: the sign-in flow of issue 3 (ConnectSession) from the command line.

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::ConnectCommand)
};
} // namespace

namespace {

// Opens the address in the user's browser. macOS and Windows: QDesktopServices (mailkey-cli made a
// QGuiApplication for this command). Linux and other Unix systems: xdg-open, started detached with
// its output sent to /dev/null, because QDesktopServices there needs a QGuiApplication connected to
// a display (it aborts without one) and lets the browser write into mailkey-cli's stdout; and only
// in a graphical session (over ssh or on a console, xdg-open would start a text browser that
// cannot be seen).
// Qt Gui (and its X11/GL/font libraries: ~5 MB and ~2 ms of every start, `token` included) is
// therefore linked into mailkey-cli on macOS and Windows only.
enum class BrowserResult {
    Opened,
    Failed,
    NoDisplay
};

BrowserResult openBrowser(const QUrl &url)
{
#if defined(Q_OS_MACOS) || defined(Q_OS_WIN)
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return BrowserResult::Failed;
    return QDesktopServices::openUrl(url) ? BrowserResult::Opened : BrowserResult::Failed;
#else
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        return BrowserResult::NoDisplay;
    QProcess process;
    process.setProgram(QStringLiteral("xdg-open"));
    process.setArguments({url.toString(QUrl::FullyEncoded)});
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(QProcess::nullDevice());
    return process.startDetached() ? BrowserResult::Opened : BrowserResult::Failed;
#endif
}

// Where and how to sign in on another device (RFC 8628), on stderr: the code is not a secret (it
// is meant to be read off the screen), the device code is never shown.
void printDevicePrompt(const QString &providerName, const DeviceCodePrompt &prompt, const QDateTime &now)
{
    errVerbatim(Text::tr("To sign in to %1, open %2 on any device (a phone or another computer) and enter "
                         "the code %3\n\n")
                    .arg(providerName, prompt.verificationUri.toString(QUrl::FullyEncoded), prompt.userCode));
    if (!prompt.verificationUriComplete.isEmpty())
        errVerbatim(Text::tr("Or open this address, which has the code in it:\n\n  %1\n\n")
                        .arg(prompt.verificationUriComplete.toString(QUrl::FullyEncoded)));
    const qint64 minutes = qMax<qint64>(1, (now.secsTo(prompt.expiresAt) + 59) / 60);
    err(Text::tr("The code is valid for %n minute(s), until %1. Waiting for the sign-in; Ctrl-C cancels.\n", "",
                 int(minutes))
            .arg(QLocale().toString(prompt.expiresAt.toLocalTime().time(), QLocale::ShortFormat)));
}

void cmdConnect(Context &ctx)
{
    const QString cmd = QStringLiteral("connect");
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--no-browser"), QStringLiteral("--device")},
                                   {QStringLiteral("--login-hint"), QStringLiteral("--providers")});
    if (!p.error.isEmpty() || p.positional.size() != 1) {
        usageError(ctx, cmd,
                   !p.error.isEmpty()
                       ? p.error
                       : Text::tr("needs one provider: microsoft, google or the id of a custom provider"));
        return;
    }
    const QString providerId = p.positional.first();
    const QString loginHint = p.values.value(QStringLiteral("--login-hint")).trimmed();
    const bool noBrowser = p.flags.contains(QStringLiteral("--no-browser"));
    const bool device = p.flags.contains(QStringLiteral("--device"));
    if (device && (noBrowser || p.values.contains(QStringLiteral("--login-hint")))) {
        usageError(ctx, cmd, Text::tr("--device cannot be combined with --no-browser or --login-hint"));
        return;
    }
    if (p.values.contains(QStringLiteral("--login-hint")) && !MailAddress::isPlausible(loginHint)) {
        usageError(ctx, cmd, Text::tr("--login-hint '%1' is not an e-mail address").arg(loginHint.left(80)));
        return;
    }
    Result<ProviderRegistry *> registry = ctx.providers(p.values.value(QStringLiteral("--providers")));
    if (!registry) {
        failWith(ctx, registry.error());
        return;
    }
    ProviderRegistry *providers = *registry;
    // An unknown id is a usage error; an entry of the providers file that was left out is
    // explained (its fields and reasons), as is a provider without a client id.
    Result<Provider> provider = providers->providerForSignIn(providerId);
    if (!provider && provider.error().code == ErrorCode::NotFound) {
        const QString known = providers->ids().join(QStringLiteral(", "));
        const QString guess = closestMatch(providerId, providers->ids());
        usageError(ctx, cmd,
                   guess.isEmpty()
                       ? Text::tr("'%1' is not a known provider (known: %2)").arg(providerId.left(40), known)
                       : Text::tr("'%1' is not a known provider. Did you mean '%2'? (known: %3)")
                             .arg(providerId.left(40), guess, known));
        return;
    }
    // Before the vault is opened, and before a missing client id is explained: Google, or a
    // provider without the endpoint, cannot sign in on another device at all.
    if (const Provider known = providers->provider(providerId); device && known.isValid()) {
        if (const std::optional<Error> why = DeviceAuthorization::unavailableReason(known)) {
            failWith(ctx, *why);
            return;
        }
    }
    if (!provider) {
        failWith(ctx, provider.error());
        return;
    }
    withVault(ctx, [&ctx, provider = *provider, providers, loginHint, noBrowser,
                    device](const std::shared_ptr<Vault> &vault) {
        auto *session = new ConnectSession(provider, std::make_shared<VaultConnectionStore>(vault), ctx.network(),
                                           QCoreApplication::instance());
        ConnectSession::Options options;
        options.loginHint = loginHint;
        options.openBrowser = false; // opened here, with the result reported
        if (device)
            options.method = ConnectSession::Method::DeviceCode;
        session->setOptions(options);
        QObject::connect(session, &ConnectSession::deviceCodeReady, session,
                         [name = provider.displayName](const DeviceCodePrompt &prompt) {
                             printDevicePrompt(name, prompt, QDateTime::currentDateTimeUtc());
                         });
        QObject::connect(session, &ConnectSession::providerDiscovered, session,
                         [providers](const Provider &discovered) { providers->applyDiscovery(discovered); });
        QObject::connect(session, &ConnectSession::authorizationUrlReady, session,
                         [noBrowser, name = provider.displayName](const QUrl &url) {
                             // The address goes out verbatim: it must work when pasted into a browser.
                             errVerbatim(Text::tr("Sign in to %1 in your browser at this address:\n\n  %2\n\n")
                                             .arg(name, url.toString(QUrl::FullyEncoded)));
                             const BrowserResult opened = noBrowser ? BrowserResult::Failed : openBrowser(url);
                             if (noBrowser)
                                 err(Text::tr("Open it in a browser on this computer (the answer comes back to "
                                              "127.0.0.1/localhost). Waiting; Ctrl-C cancels.\n"));
                             else if (opened == BrowserResult::Opened)
                                 err(Text::tr("Your browser was asked to open it. Waiting; Ctrl-C cancels.\n"));
                             else if (opened == BrowserResult::NoDisplay)
                                 err(Text::tr("There is no graphical session here: open the address in a browser on "
                                              "this computer. Waiting; Ctrl-C cancels.\n"));
                             else
                                 err(Text::tr("No browser could be started: open the address yourself. Waiting; "
                                              "Ctrl-C cancels.\n"));
                         });
        QObject::connect(
            session, &ConnectSession::succeeded, session, [&ctx](const Account &account, bool, const QString &message) {
                if (!message.isEmpty())
                    err(message.trimmed() + QLatin1Char('\n'));
                out(account.email + QLatin1Char('\n'));
                // Tell a running window to re-read the vault (best effort).
                ctx.ipc()->setConnectTimeout(500);
                ctx.ipc()->send(ipc::AccountsChangedRequest{}, 1000, [&ctx](IpcClient::Reply) { ctx.finish(Ok); });
            });
        QObject::connect(session, &ConnectSession::failed, session, [&ctx](const Error &e) { failWith(ctx, e); });
        QObject::connect(session, &ConnectSession::cancelled, session, [&ctx] {
            err(Text::tr("Sign-in cancelled.\n"));
            ctx.finish(Cancelled);
        });
        ctx.onInterrupt = [session] { session->cancel(); };
        session->start();
    });
}

} // namespace

void addConnectCommand(std::map<QString, CommandInfo> &table)
{
    table.insert({QStringLiteral("connect"),
                  {QT_TRANSLATE_NOOP(
                       "mailkey::cli::Cli",
                       "Usage: mailkey-cli [--profile NAME] connect PROVIDER [--login-hint EMAIL] [--no-browser]\n"
                       "                   [--providers FILE]\n"
                       "       mailkey-cli [--profile NAME] connect PROVIDER --device [--providers FILE]\n\n"
                       "Connects a mailbox: PROVIDER is microsoft (Outlook.com, Microsoft 365), google (Gmail,\n"
                       "Google Workspace) or the id of a provider in providers.json. The sign-in address is printed\n"
                       "on standard error and opened in your browser; MailKey waits for the answer on a loopback\n"
                       "address (127.0.0.1 or localhost) and a port chosen for this sign-in, then prints the\n"
                       "connected address on standard output. Connecting an account again renews its sign-in.\n"
                       "Ctrl-C cancels (exit code 130). The sign-in expires after 10 minutes.\n\n"
                       "With --device, no browser is needed here: MailKey prints an address and a code on\n"
                       "standard error; open the address on any device (a phone, another computer), enter the\n"
                       "code and sign in there, and MailKey connects the mailbox when you are done (OAuth 2.0\n"
                       "device authorization grant, RFC 8628). For microsoft and for providers with a\n"
                       "device_authorization_endpoint; not for google, whose device sign-in does not allow mail\n"
                       "access (connect on a computer with a browser, then use export and import).\n\n"
                       "  --login-hint EMAIL  fill in the account name on the sign-in page\n"
                       "  --no-browser        do not start a browser: open the printed address yourself, in a\n"
                       "                      browser on this computer\n"
                       "  --device            sign in on another device with a code (see above)\n"
                       "  --providers FILE    custom providers file instead of <config>/providers.json\n"),
                   cmdConnect}});
}

} // namespace mailkey::cli
