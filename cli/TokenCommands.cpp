#include "cli/CliSupport.h"

#include "cli/RequestingProgram.h"
#include "cli/Sasl.h"
#include "core/common/MailAddress.h"
#include "core/common/SecureBytes.h"
#include "core/ipc/IpcMessages.h"
#include "core/lifecycle/TokenManager.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/TokenBroker.h"
#include "core/vault/Vault.h"

#include <optional>

#include <QCoreApplication>

// token, remove, sign-out-everywhere: the commands that go through the token lifecycle. Each asks
// the running MailKey window first (one shared cache and refresh) and otherwise does the work
// itself with a TokenManager of its own, under the cross-process refresh lock. Both paths run
// TokenBroker, so they answer alike.

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::TokenCommands)
};
} // namespace

namespace {

constexpr int TokenTimeoutMs = 90000; // a refresh may wait for another process's (45 s) and take 30 s
constexpr int RemoveTimeoutMs = 60000;
constexpr int SignOutTimeoutMs = 180000;

const QString kProviders = QStringLiteral("--providers");
const QString kProvider = QStringLiteral("--provider");

struct TokenOptions {
    TokenBroker::TokenQuery query;
    QString sasl; // "", "xoauth2", "oauthbearer"
    QString host;
    int port = 0;
    bool portGiven = false;
    QString providersFile;
};

// Prints the token or the SASL string as one line, and finishes. The vault already holds whatever
// a refresh produced (TokenManager commits before it hands out).
void printToken(Context &ctx, const TokenOptions &o, const QString &email, const QString &provider,
                const QString &resource, const SecretString &token)
{
    SecretString sasl; // the SASL string, when one is asked for
    if (o.sasl == QLatin1String("xoauth2")) {
        sasl = SecretString::fromLatin1(xoauth2(email, token).bytes());
    } else if (!o.sasl.isEmpty()) {
        SaslServer server = defaultSaslServer(provider, resource);
        if (!o.host.isEmpty())
            server.host = o.host;
        if (o.portGiven)
            server.port = o.port;
        sasl = SecretString::fromLatin1(oauthBearer(email, token, server.host, server.port).bytes());
    }
    const SecretString line((o.sasl.isEmpty() ? token : sasl).reveal() + QLatin1Char('\n'));
    out(line.reveal());
    qCDebug(lcCli, "%lld ms: printed", elapsedMs());
    ctx.quickExit = true;
    ctx.finish(Ok);
}

// The vault and a TokenManager of this process (the window is not running, or --providers).
void tokenHere(Context &ctx, const TokenBroker::TokenQuery &query, const QString &providersFile,
               std::function<void(Result<TokenBroker::TokenAnswer>)> done)
{
    // The keychain answers over D-Bus: the providers are loaded (once) meanwhile.
    auto registry = std::make_shared<std::optional<Result<ProviderRegistry *>>>();
    auto load = [&ctx, registry, file = providersFile]() -> const Result<ProviderRegistry *> & {
        if (!registry->has_value())
            registry->emplace(ctx.providers(file));
        return registry->value();
    };
    withVault(ctx, [&ctx, query, load, done = std::move(done)](const std::shared_ptr<Vault> &vault) {
        const Result<ProviderRegistry *> &providers = load();
        if (!providers) {
            done(providers.error());
            return;
        }
        TokenBroker broker(ctx.tokens(vault, *providers), *providers);
        qCDebug(lcCli, "%lld ms: asking the token manager", elapsedMs());
        broker.token(query, [done](Result<TokenBroker::TokenAnswer> r) {
            qCDebug(lcCli, "%lld ms: token manager answered", elapsedMs());
            done(std::move(r));
        });
    });
    if (!ctx.finished) {
        (void)load();
        qCDebug(lcCli, "%lld ms: providers loaded", elapsedMs());
    }
}

void cmdToken(Context &ctx)
{
    const ParsedArgs p = parseArgs(ctx.args, {},
                                   {QStringLiteral("--resource"), QStringLiteral("--sasl"), kProvider, kProviders,
                                    QStringLiteral("--host"), QStringLiteral("--port")});
    const QString cmd = QStringLiteral("token");
    const std::optional<QString> email = singleAddress(ctx, cmd, p);
    if (!email)
        return;
    TokenOptions o;
    o.query.email = *email;
    o.query.provider = p.values.value(kProvider);
    o.query.minValiditySeconds = kMinTokenValiditySeconds;
    o.sasl = p.values.value(QStringLiteral("--sasl")).toLower();
    o.host = p.values.value(QStringLiteral("--host"));
    o.providersFile = p.values.value(kProviders);
    // A SASL string is for IMAP or SMTP: without --resource it is for IMAP.
    o.query.resource
        = p.values
              .value(QStringLiteral("--resource"), o.sasl.isEmpty() ? QStringLiteral("graph") : QStringLiteral("imap"))
              .toLower();
    if (o.query.resource != QLatin1String("graph") && o.query.resource != QLatin1String("imap")
        && o.query.resource != QLatin1String("smtp")) {
        usageError(ctx, cmd, Text::tr("--resource is graph, imap or smtp"));
        return;
    }
    if (!o.sasl.isEmpty() && o.sasl != QLatin1String("xoauth2") && o.sasl != QLatin1String("oauthbearer")) {
        usageError(ctx, cmd, Text::tr("--sasl is xoauth2 or oauthbearer"));
        return;
    }
    if (p.values.contains(QStringLiteral("--port"))) {
        bool ok = false;
        o.port = p.values.value(QStringLiteral("--port")).toInt(&ok);
        o.portGiven = true;
        if (!ok || o.port < 0 || o.port > 65535) {
            usageError(ctx, cmd, Text::tr("--port is a number from 1 to 65535 (0 leaves it out)"));
            return;
        }
    }
    if ((!o.host.isEmpty() || o.portGiven) && o.sasl != QLatin1String("oauthbearer")) {
        usageError(ctx, cmd, Text::tr("--host and --port only go with --sasl oauthbearer"));
        return;
    }
    if (o.host.contains(QLatin1Char('\x01')) || o.host.size() > 255) {
        usageError(ctx, cmd, Text::tr("--host is a host name"));
        return;
    }
    o.query.actor = requestingProgram();

    fetchToken(ctx, o.query, o.providersFile, [&ctx, o](Result<TokenBroker::TokenAnswer> r) {
        if (!r) {
            failWith(ctx, r.error());
            return;
        }
        printToken(ctx, o, r->email, r->provider, r->resource, r->token);
    });
}

// ---- remove ------------------------------------------------------------------------------------

// Says what happened, honestly: the Revoker's message (revoked / not revocable / refused), except
// for a revocation that could not be done now: the window retries it while it runs, this process
// does not.
void reportRemoval(Context &ctx, const QString &email, const QString &provider, bool pending, QString message,
                   bool windowRetries, const QString &manualUrl)
{
    if (pending && !windowRetries) {
        message = Text::tr("MailKey deleted the tokens of %1 (%2) from this computer. The provider could not be "
                           "reached to revoke the sign-in, and mailkey-cli does not stay to try again: the sign-in "
                           "stays valid at the provider until it expires or you remove MailKey's access there%3.")
                      .arg(email, provider, manualUrl.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(manualUrl));
    } else if (message.trimmed().isEmpty()) {
        message = Text::tr("MailKey deleted the tokens of %1 (%2) from this computer.").arg(email, provider);
    }
    err(message.trimmed() + QLatin1Char('\n'));
    ctx.finish(Ok);
}

void removeHere(Context &ctx, const QString &email, const QString &provider, const QString &providersFile)
{
    Result<ProviderRegistry *> registry = ctx.providers(providersFile);
    if (!registry) {
        failWith(ctx, registry.error());
        return;
    }
    ProviderRegistry *providers = *registry;
    withVault(ctx, [&ctx, email, provider, providers](const std::shared_ptr<Vault> &vault) {
        TokenBroker broker(ctx.tokens(vault, providers), providers);
        broker.remove(email, provider, [&ctx, providers](Result<TokenBroker::RemovalAnswer> r) {
            if (!r) {
                failWith(ctx, r.error());
                return;
            }
            Account a;
            a.email = r->email;
            a.provider = r->provider;
            reportRemoval(ctx, r->email, r->provider, r->outcome.pending, r->outcome.message, false,
                          Revoker::manualRemovalUrl(providers->provider(r->provider), a));
        });
    });
}

void cmdRemove(Context &ctx)
{
    const QString cmd = QStringLiteral("remove");
    const ParsedArgs p = parseArgs(ctx.args, {}, {kProvider, kProviders});
    if (!p.error.isEmpty() || p.positional.size() != 1) {
        usageError(ctx, cmd, !p.error.isEmpty() ? p.error : Text::tr("needs the address of one account"));
        return;
    }
    const QString email = p.positional.first().trimmed();
    const QString provider = p.values.value(kProvider);
    const QString providersFile = p.values.value(kProviders);
    if (!MailAddress::isPlausible(email)) {
        usageError(ctx, cmd, Text::tr("'%1' is not an e-mail address").arg(email.left(80)));
        return;
    }
    if (!providersFile.isEmpty()) {
        removeHere(ctx, email, provider, providersFile);
        return;
    }
    askWindow(
        ctx, ipc::RemoveRequest{email, provider}, RemoveTimeoutMs, false,
        [&ctx](Result<ipc::RemoveReply> reply) {
            if (!reply) {
                failWith(ctx, reply.error());
                return;
            }
            reportRemoval(ctx, reply->email, reply->provider, reply->pending, reply->message, true, QString());
        },
        [&ctx, email, provider] { removeHere(ctx, email, provider, QString()); });
}

// ---- sign-out-everywhere -------------------------------------------------------------------------

void reportSignOut(Context &ctx, const QString &summary, const QStringList &messages, int pending, bool windowRetries)
{
    if (!summary.isEmpty())
        err(summary.trimmed() + QLatin1Char('\n'));
    for (const QString &m : messages)
        err(QStringLiteral("  ") + m.trimmed() + QLatin1Char('\n'));
    if (pending > 0 && !windowRetries)
        err(Text::tr("%1 provider(s) could not be reached to revoke; mailkey-cli does not stay to try again. "
                     "Those sign-ins stay valid at the provider until they expire: remove MailKey's access "
                     "there by hand.\n")
                .arg(pending));
    ctx.finish(Ok);
}

void signOutHere(Context &ctx, const QString &providersFile)
{
    Result<ProviderRegistry *> registry = ctx.providers(providersFile);
    if (!registry) {
        failWith(ctx, registry.error());
        return;
    }
    ProviderRegistry *providers = *registry;
    withVault(ctx, [&ctx, providers](const std::shared_ptr<Vault> &vault) {
        TokenBroker broker(ctx.tokens(vault, providers), providers);
        broker.signOutEverywhere(ctx.store, [&ctx](Result<SignOutReport> r) {
            if (!r) {
                failWith(ctx, r.error());
                return;
            }
            reportSignOut(ctx, r->summary(), r->messages, r->pending, false);
        });
    });
}

void cmdSignOutEverywhere(Context &ctx)
{
    const QString cmd = QStringLiteral("sign-out-everywhere");
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--yes")}, {kProviders});
    if (!p.error.isEmpty() || !p.positional.isEmpty()) {
        usageError(ctx, cmd, !p.error.isEmpty() ? p.error : Text::tr("takes no arguments"));
        return;
    }
    if (!p.flags.contains(QStringLiteral("--yes"))) {
        err(Text::tr("mailkey-cli sign-out-everywhere: this revokes what the providers allow, deletes the tokens "
                     "of EVERY account of this profile and gives the vault a new key; every account must then "
                     "be signed in again. Run again with --yes to confirm.\n"));
        ctx.finish(Usage);
        return;
    }
    const QString providersFile = p.values.value(kProviders);
    if (!providersFile.isEmpty()) {
        signOutHere(ctx, providersFile);
        return;
    }
    askWindow(
        ctx, ipc::SignOutEverywhereRequest{}, SignOutTimeoutMs, false,
        [&ctx](Result<ipc::SignOutEverywhereReply> reply) {
            if (!reply) {
                failWith(ctx, reply.error());
                return;
            }
            reportSignOut(ctx, reply->summary, reply->messages, reply->pending, true);
        },
        [&ctx] { signOutHere(ctx, QString()); });
}

} // namespace

void fetchToken(Context &ctx, const TokenBroker::TokenQuery &query, const QString &providersFile,
                std::function<void(Result<TokenBroker::TokenAnswer>)> done)
{
    // With a providers file the providers come from that file: the window's would not be the same.
    if (!providersFile.isEmpty()) {
        tokenHere(ctx, query, providersFile, std::move(done));
        return;
    }
    ipc::TokenRequest request;
    request.email = query.email;
    request.provider = query.provider;
    request.resource = query.resource;
    request.minValiditySeconds = query.minValiditySeconds;
    request.actor = query.actor;
    auto shared = std::make_shared<std::function<void(Result<TokenBroker::TokenAnswer>)>>(std::move(done));
    askWindow(
        ctx, request, TokenTimeoutMs, true,
        [shared](Result<ipc::TokenReply> reply) {
            if (!reply) {
                (*shared)(reply.error());
                return;
            }
            TokenBroker::TokenAnswer answer;
            answer.email = reply->email;
            answer.provider = reply->provider;
            answer.resource = reply->resource;
            answer.token = std::move(reply->token);
            answer.expiresAt = reply->expiresAt;
            answer.refreshed = reply->refreshed;
            (*shared)(std::move(answer));
        },
        [&ctx, query, providersFile, shared] { tokenHere(ctx, query, providersFile, *shared); });
}

void addTokenCommands(std::map<QString, CommandInfo> &table)
{
    table.insert({QStringLiteral("token"),
                  {QT_TRANSLATE_NOOP(
                       "mailkey::cli::Cli",
                       "Usage: mailkey-cli [--profile NAME] token EMAIL [--resource graph|imap|smtp]\n"
                       "                   [--sasl xoauth2|oauthbearer [--host HOST] [--port PORT]]\n"
                       "                   [--provider ID] [--providers FILE]\n\n"
                       "Prints a valid access token for EMAIL on standard output, followed by a newline. A token\n"
                       "that expires within 60 seconds is refreshed first, and the refreshed token is stored in\n"
                       "the vault before anything is printed. Every hand-out is recorded in the audit log with the\n"
                       "program that asked. When the MailKey window is running, the token comes from it.\n\n"
                       "  --resource R    graph (default), imap or smtp. Microsoft issues a separate token for\n"
                       "                  Outlook IMAP (https://outlook.office.com/IMAP.AccessAsUser.All) and\n"
                       "                  SMTP (https://outlook.office.com/SMTP.Send); Google and custom\n"
                       "                  providers use the sign-in token for all three.\n"
                       "  --sasl M        print the base64 string for AUTHENTICATE instead of the token\n"
                       "                  (implies --resource imap unless --resource is given):\n"
                       "                  xoauth2      user=EMAIL^Aauth=Bearer TOKEN^A^A\n"
                       "                  oauthbearer  n,a=EMAIL,^Ahost=HOST^Aport=PORT^Aauth=Bearer TOKEN^A^A\n"
                       "                               (RFC 7628; ^A is the byte 0x01)\n"
                       "  --host, --port  the server named in an OAUTHBEARER string. Default: Microsoft\n"
                       "                  outlook.office365.com 993 (imap), smtp.office365.com 587 (smtp);\n"
                       "                  Google imap.gmail.com 993, smtp.gmail.com 587; other providers and\n"
                       "                  graph: left out (RFC 7628 does not require them).\n"
                       "  --provider ID   which account, when EMAIL is connected with several providers\n"
                       "  --providers F   custom providers file (then the window is not asked)\n\n"
                       "Exit codes: 0 printed, 2 usage, 3 unknown account, 4 needs sign-in,\n"
                       "5 vault or keychain unavailable or locked, 6 network failure, 1 anything else.\n"),
                   cmdToken}});
    table.insert({QStringLiteral("remove"),
                  {QT_TRANSLATE_NOOP(
                       "mailkey::cli::Cli",
                       "Usage: mailkey-cli [--profile NAME] remove EMAIL [--provider ID] [--providers FILE]\n\n"
                       "Removes the account: deletes its tokens from the vault (always), and revokes its sign-in at\n"
                       "the provider where the provider allows it (Google, custom providers with a revocation\n"
                       "endpoint). Microsoft offers no revocation to apps like MailKey: the tokens are deleted here\n"
                       "and the message says where to remove MailKey's access in your Microsoft account. What\n"
                       "happened is printed on standard error.\n"
                       "  --provider ID   which account, when EMAIL is connected with several providers\n"
                       "  --providers F   custom providers file (then the window is not asked)\n"),
                   cmdRemove}});
    table.insert({QStringLiteral("sign-out-everywhere"),
                  {QT_TRANSLATE_NOOP(
                       "mailkey::cli::Cli",
                       "Usage: mailkey-cli [--profile NAME] sign-out-everywhere --yes [--providers FILE]\n\n"
                       "For when a token or this computer may be compromised: revokes every sign-in the providers\n"
                       "allow, deletes the tokens of every account (they stay listed as \"needs sign-in\"), gives\n"
                       "the vault a new key and records an incident in the audit log. Without --yes it only says\n"
                       "what it would do.\n"),
                   cmdSignOutEverywhere}});
}

} // namespace mailkey::cli
