#include "cli/CliSupport.h"

#include "cli/RequestingProgram.h"
#include "core/common/SecureBytes.h"
#include "core/common/TextSafety.h"
#include "core/mailcheck/MailCheck.h"
#include "core/mailcheck/MailDiagnosis.h"
#include "core/providers/ProviderRegistry.h"
#include "core/vault/Vault.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <memory>
#include <optional>

// `mailkey-cli check EMAIL`: does a mail program get in? Gets a fresh token for IMAP and one for
// SMTP (as `token` does), logs in to each server with MailCheck, says what each step did and,
// when a login fails, what it means and what to do (MailDiagnosis). Every check goes into the
// audit log. The tokens are handed to MailCheck and wiped; nothing prints them.

namespace mailkey::cli {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::cli::CheckCommand)
};

const QString kProviders = QStringLiteral("--providers");
const QString kProvider = QStringLiteral("--provider");

struct CheckState {
    QString email;
    QString provider; // as asked (--provider), then as the first token answer says
    QString providersFile;
    QString actor;
    bool json = false;
    MailCheck::Options options;
    std::optional<MailServer> imap; // --imap
    std::optional<MailServer> smtp; // --smtp
    QList<MailServer::Protocol> todo{MailServer::Protocol::Imap, MailServer::Protocol::Smtp};

    QJsonArray results;
    QList<AuditEntry> audit;
    QList<MailCheck::Outcome> outcomes;
    QStringList skipped;
    std::unique_ptr<MailCheck> running;
};
using State = std::shared_ptr<CheckState>;

QString label(MailServer::Protocol p)
{
    return p == MailServer::Protocol::Imap ? QStringLiteral("IMAP") : QStringLiteral("SMTP");
}

QString resourceOf(MailServer::Protocol p)
{
    return p == MailServer::Protocol::Imap ? QStringLiteral("imap") : QStringLiteral("smtp");
}

// The server to check for `protocol`: the option, else the provider's.
std::optional<MailServer> serverFor(Context &ctx, const State &s, MailServer::Protocol protocol, QString *why)
{
    const std::optional<MailServer> &given = protocol == MailServer::Protocol::Imap ? s->imap : s->smtp;
    if (given)
        return given;
    const Result<ProviderRegistry *> registry = ctx.providers(s->providersFile);
    if (!registry) {
        *why = registry.error().message;
        return std::nullopt;
    }
    const Provider p = (*registry)->provider(s->provider);
    const QString text = protocol == MailServer::Protocol::Imap ? p.imapServer : p.smtpServer;
    if (text.isEmpty()) {
        *why = Text::tr("the provider %1 names no %2 server: give --%3 HOST[:PORT] (or add \"%3_host\" to its "
                        "entry in providers.json)")
                   .arg(s->provider, label(protocol), resourceOf(protocol));
        return std::nullopt;
    }
    const Result<MailServer> server = MailServer::parse(protocol, text);
    if (!server) {
        *why = server.error().message;
        return std::nullopt;
    }
    return *server;
}

// The admin kit: where an administrator of the account's organization grants MailKey's
// permissions for everyone (Microsoft work and school accounts; "" when no single organization
// is known). `tenantId`: the organization the token names, if any.
QString adminConsentUrl(Context &ctx, const State &s, const QString &providerId, const QString &tenantId)
{
    const Result<ProviderRegistry *> registry = ctx.providers(s->providersFile);
    if (!registry)
        return QString();
    const QString tid = Provider::isGuid(tenantId) ? tenantId : QString();
    return (*registry)->provider(providerId).adminConsentUrl(tid).toString(QUrl::FullyEncoded);
}

QString adminConsentText(const QString &url)
{
    return Text::tr("An administrator of the organization can grant MailKey's permissions for all its users at "
                    "%1 (signed in as a Global, Privileged Role or Cloud Application Administrator).")
        .arg(url);
}

void printLine(const State &s, const QString &text)
{
    if (!s->json)
        out(text + QLatin1Char('\n'));
}

QString stepLine(const MailCheck::StepReport &step)
{
    return QStringLiteral("  %1 %2 %3  %4")
        .arg(step.ok ? QStringLiteral("ok  ") : QStringLiteral("FAIL"),
             MailCheck::stepName(step.step).leftJustified(12), QStringLiteral("%1 ms").arg(step.ms).rightJustified(8),
             step.detail);
}

QJsonObject claimsJson(const AccessTokenClaims &c)
{
    QJsonObject o;
    o.insert(QStringLiteral("jwt"), c.jwt);
    if (!c.jwt)
        return o;
    o.insert(QStringLiteral("aud"), QJsonArray::fromStringList(c.audiences));
    o.insert(QStringLiteral("scp"), QJsonArray::fromStringList(c.scopes));
    if (!c.user.isEmpty())
        o.insert(c.userClaim, c.user);
    if (!c.tenant.isEmpty())
        o.insert(QStringLiteral("tid"), c.tenant);
    if (c.expires.isValid())
        o.insert(QStringLiteral("exp"), isoTime(c.expires));
    return o;
}

void runNext(Context &ctx, const State &s);

void finishAll(Context &ctx, const State &s)
{
    int code = Ok;
    const auto any = [&s](MailCheck::Outcome o) { return s->outcomes.contains(o); };
    if (any(MailCheck::Outcome::Untrusted))
        code = Untrusted;
    else if (any(MailCheck::Outcome::Refused))
        code = LoginRefused;
    else if (any(MailCheck::Outcome::Network))
        code = Network;
    else if (any(MailCheck::Outcome::Unsupported) || any(MailCheck::Outcome::Aborted) || !s->skipped.isEmpty())
        code = Failure; // a server that was not checked does not count as working
    if (s->json) {
        QJsonObject doc;
        doc.insert(QStringLiteral("email"), s->email);
        doc.insert(QStringLiteral("provider"), s->provider);
        doc.insert(QStringLiteral("ok"), code == Ok);
        doc.insert(QStringLiteral("exit_code"), code);
        doc.insert(QStringLiteral("servers"), s->results);
        out(QString::fromUtf8(QJsonDocument(withJsonVersion(doc)).toJson(QJsonDocument::Indented)));
    } else if (code == Ok) {
        printLine(s, Text::tr("Every login works."));
    }

    // The audit log: one entry per server checked, with the outcome and where it failed; no
    // server text, no token. A vault that does not open now is a warning: the check's own
    // result (and exit code) stands.
    VaultAccess::unlock(
        ctx.profile, ctx.store,
        [&ctx, s, code](Result<OpenedVault> opened) {
            QString problem;
            if (!opened) {
                problem = opened.error().message;
            } else {
                const std::shared_ptr<Vault> &vault = opened->vault;
                const auto account = vault->findAccount(s->provider, s->email);
                for (AuditEntry e : std::as_const(s->audit)) {
                    if (account && account->has_value())
                        e.accountId = (*account)->id;
                    if (Status st = vault->appendAudit(e); !st)
                        problem = st.error().message;
                }
            }
            if (!problem.isEmpty())
                err(Text::tr("mailkey-cli check: warning: the check could not be recorded in the audit log (%1).\n")
                        .arg(oneLine(problem)));
            ctx.finish(code);
        },
        Vault::IntegrityCheck::Header);
}

void report(Context &ctx, const State &s, MailServer::Protocol protocol, const AccessTokenClaims &claims,
            const MailCheck::Report &r)
{
    s->outcomes << r.outcome;
    QList<MailDiagnosis> diagnoses = diagnoseFailure(r, s->provider, s->email);
    // What the token says matters when the server may have refused the token, not when it refuses
    // every SMTP login (5.7.139 says the token was fine).
    const bool tokenMatters = diagnoses.isEmpty() || diagnoses.first().id != QLatin1String("smtp-auth-disabled");
    if (r.outcome == MailCheck::Outcome::Refused && tokenMatters)
        diagnoses += diagnoseToken(claims, s->provider, protocol, s->email);

    // Consent is one reason a Microsoft login is refused: the admin kit says where to grant it.
    QString consentUrl;
    if (r.outcome == MailCheck::Outcome::Refused && r.failedStep == MailCheck::Step::Authenticate)
        consentUrl = adminConsentUrl(ctx, s, s->provider, claims.tenant);

    QJsonObject o;
    o.insert(QStringLiteral("protocol"), r.server.protocolName());
    o.insert(QStringLiteral("server"), r.server.display());
    o.insert(QStringLiteral("host"), r.server.host);
    o.insert(QStringLiteral("port"), r.server.port);
    o.insert(QStringLiteral("tls"), r.server.security == MailServer::Security::ImplicitTls
                                        ? QStringLiteral("implicit")
                                        : QStringLiteral("starttls"));
    o.insert(QStringLiteral("mechanism"), r.mechanism);
    o.insert(QStringLiteral("outcome"), MailCheck::outcomeName(r.outcome));
    o.insert(QStringLiteral("ms"), r.totalMs);
    if (r.outcome != MailCheck::Outcome::Ok) {
        o.insert(QStringLiteral("failed_step"), MailCheck::stepName(r.failedStep));
        o.insert(QStringLiteral("problem"), r.problem);
        o.insert(QStringLiteral("status"), QString::fromLatin1(r.status));
        o.insert(QStringLiteral("server_reply"), r.serverReply);
        o.insert(QStringLiteral("login_sent"), r.authSent);
    }
    QJsonArray steps;
    for (const MailCheck::StepReport &step : r.steps) {
        QJsonObject j;
        j.insert(QStringLiteral("step"), MailCheck::stepName(step.step));
        j.insert(QStringLiteral("ok"), step.ok);
        j.insert(QStringLiteral("ms"), step.ms);
        j.insert(QStringLiteral("detail"), step.detail);
        steps.append(j);
    }
    o.insert(QStringLiteral("steps"), steps);
    QJsonArray diag;
    for (const MailDiagnosis &d : std::as_const(diagnoses)) {
        QJsonObject j;
        j.insert(QStringLiteral("id"), d.id);
        j.insert(QStringLiteral("what"), d.what);
        j.insert(QStringLiteral("fix"), d.fix);
        if (!d.admin.isEmpty())
            j.insert(QStringLiteral("admin"), d.admin);
        diag.append(j);
    }
    o.insert(QStringLiteral("diagnosis"), diag);
    if (!consentUrl.isEmpty())
        o.insert(QStringLiteral("admin_consent_url"), consentUrl);
    o.insert(QStringLiteral("token"), claimsJson(claims));
    s->results.append(o);

    if (r.outcome == MailCheck::Outcome::Ok) {
        printLine(s,
                  Text::tr("  => %1 works (%2, %3 ms).").arg(label(protocol), r.mechanism, QString::number(r.totalMs)));
    } else {
        printLine(s, Text::tr("  => %1 failed at %2.").arg(label(protocol), MailCheck::stepName(r.failedStep)));
        QStringList fixes; // each fix once: several findings often share one
        for (const MailDiagnosis &d : std::as_const(diagnoses)) {
            printLine(s, Text::tr("  Problem: %1").arg(d.what));
            if (!d.fix.isEmpty() && !fixes.contains(d.fix)) {
                fixes << d.fix;
                printLine(s, Text::tr("  Fix: %1").arg(d.fix));
            }
            if (!d.admin.isEmpty())
                printLine(s, Text::tr("  Administrator: %1").arg(d.admin));
        }
        if (!consentUrl.isEmpty())
            printLine(s, Text::tr("  Administrator: %1").arg(adminConsentText(consentUrl)));
    }

    AuditEntry e;
    e.accountEmail = s->email;
    e.action = QStringLiteral("mail.check");
    e.outcome = MailCheck::outcomeName(r.outcome);
    e.actor = s->actor;
    QString detail = QStringLiteral("%1 %2").arg(r.server.display(),
                                                 r.mechanism.isEmpty() ? QStringLiteral("(no login)") : r.mechanism);
    if (r.outcome != MailCheck::Outcome::Ok) {
        detail += QStringLiteral(" failed at %1").arg(MailCheck::stepName(r.failedStep));
        if (!r.status.isEmpty())
            detail += QStringLiteral(": %1").arg(QString::fromLatin1(r.status));
        if (!diagnoses.isEmpty())
            detail += QStringLiteral(" (%1)").arg(diagnoses.first().id);
    }
    e.detail = detail;
    s->audit << e;
    runNext(ctx, s);
}

void checkServer(Context &ctx, const State &s, MailServer::Protocol protocol, SecretString token)
{
    QString why;
    const std::optional<MailServer> server = serverFor(ctx, s, protocol, &why);
    if (!server) {
        s->skipped << label(protocol);
        printLine(s, Text::tr("%1: not checked: %2.").arg(label(protocol), oneLine(why)));
        QJsonObject o;
        o.insert(QStringLiteral("protocol"), resourceOf(protocol));
        o.insert(QStringLiteral("outcome"), QStringLiteral("skipped"));
        o.insert(QStringLiteral("problem"), why);
        s->results.append(o);
        runNext(ctx, s);
        return;
    }
    const AccessTokenClaims claims = decodeAccessToken(token.toUtf8().bytes());
    printLine(s, QStringLiteral("%1 %2").arg(label(protocol), server->display()));
    s->running = std::make_unique<MailCheck>(*server, s->email, s->options);
    MailCheck *check = s->running.get();
    QObject::connect(check, &MailCheck::stepFinished, check,
                     [s](const MailCheck::StepReport &step) { printLine(s, stepLine(step)); });
    QObject::connect(check, &MailCheck::finished, check, [&ctx, s, protocol, claims](const MailCheck::Report &r) {
        // Deleted later: this runs inside the check's own signal.
        s->running.release()->deleteLater();
        report(ctx, s, protocol, claims, r);
    });
    check->start(std::move(token));
}

void runNext(Context &ctx, const State &s)
{
    if (s->todo.isEmpty()) {
        finishAll(ctx, s);
        return;
    }
    const MailServer::Protocol protocol = s->todo.takeFirst();
    TokenBroker::TokenQuery query;
    query.email = s->email;
    query.provider = s->provider;
    query.resource = resourceOf(protocol);
    query.minValiditySeconds = kMinTokenValiditySeconds;
    query.actor = s->actor;
    fetchToken(ctx, query, s->providersFile, [&ctx, s, protocol](Result<TokenBroker::TokenAnswer> r) {
        if (!r) {
            // Consent missing or refused by the organization: the admin kit, where known.
            const QString &m = r.error().message;
            if (m.contains(QLatin1String("AADSTS65001")) || m.contains(QLatin1String("AADSTS90094"))
                || m.contains(QLatin1String("AADSTS90008"))) {
                const QString url = adminConsentUrl(
                    ctx, s, s->provider.isEmpty() ? QStringLiteral("microsoft") : s->provider, QString());
                if (!url.isEmpty())
                    err(QStringLiteral("mailkey-cli check: %1\n").arg(adminConsentText(url)));
            }
            failWith(ctx, r.error());
            return;
        }
        if (s->provider.isEmpty()) {
            s->provider = r->provider;
            printLine(s, Text::tr("Checking %1 (%2).").arg(s->email, s->provider));
        }
        checkServer(ctx, s, protocol, std::move(r->token));
    });
}

void cmdCheck(Context &ctx)
{
    const QString cmd = QStringLiteral("check");
    const ParsedArgs p = parseArgs(ctx.args, {QStringLiteral("--json")},
                                   {QStringLiteral("--imap"), QStringLiteral("--smtp"), QStringLiteral("--ca"),
                                    QStringLiteral("--sasl"), kProvider, kProviders});
    const std::optional<QString> email = singleAddress(ctx, cmd, p);
    if (!email)
        return;
    auto s = std::make_shared<CheckState>();
    s->email = *email;
    s->provider = p.values.value(kProvider);
    s->providersFile = p.values.value(kProviders);
    s->json = p.flags.contains(QStringLiteral("--json"));
    s->actor = QStringLiteral("mailkey-cli check");
    const QString sasl = p.values.value(QStringLiteral("--sasl")).toLower();
    if (!sasl.isEmpty() && sasl != QLatin1String("xoauth2") && sasl != QLatin1String("oauthbearer")) {
        usageError(ctx, cmd, Text::tr("--sasl is xoauth2 or oauthbearer"));
        return;
    }
    s->options.mechanism = sasl.toUpper();
    for (const auto &[name, protocol] : {std::pair{QStringLiteral("--imap"), MailServer::Protocol::Imap},
                                         std::pair{QStringLiteral("--smtp"), MailServer::Protocol::Smtp}}) {
        if (!p.values.contains(name))
            continue;
        const Result<MailServer> server = MailServer::parse(protocol, p.values.value(name));
        if (!server) {
            usageError(ctx, cmd, server.error().message);
            return;
        }
        (protocol == MailServer::Protocol::Imap ? s->imap : s->smtp) = *server;
    }
    if (p.values.contains(QStringLiteral("--ca"))) {
        const Result<QList<QSslCertificate>> ca = MailCheck::loadCaFile(p.values.value(QStringLiteral("--ca")));
        if (!ca) {
            err(QStringLiteral("mailkey-cli check: %1\n").arg(oneLine(ca.error().message)));
            ctx.finish(Usage);
            return;
        }
        s->options.caCertificates = *ca;
    }
    if (!s->provider.isEmpty())
        printLine(s, Text::tr("Checking %1 (%2).").arg(s->email, s->provider));
    runNext(ctx, s);
}

} // namespace

void addCheckCommand(std::map<QString, CommandInfo> &table)
{
    table.insert(
        {QStringLiteral("check"),
         {QT_TRANSLATE_NOOP(
              "mailkey::cli::Cli",
              "Usage: mailkey-cli [--profile NAME] check EMAIL [--imap SERVER] [--smtp SERVER] [--ca FILE]\n"
              "                   [--sasl xoauth2|oauthbearer] [--json] [--provider ID] [--providers FILE]\n\n"
              "Checks that a mail program gets in: gets a fresh token for IMAP and one for SMTP (as `token`\n"
              "does), logs in to each server with it, runs one more command to catch a server that accepts\n"
              "the login and then refuses to work (IMAP EXAMINE INBOX; SMTP MAIL FROM and RSET: no message is\n"
              "sent), and logs out. Each step is printed with its time; a failure is explained with what to\n"
              "do, and for work and school accounts what an administrator must do. The token is never\n"
              "printed. Every check is recorded in the audit log.\n\n"
              "  --imap SERVER   default: the provider's (Microsoft outlook.office365.com:993, Google\n"
              "  --smtp SERVER   imap.gmail.com:993; smtp.office365.com:587, smtp.gmail.com:587; custom\n"
              "                  providers: \"imap_host\" and \"smtp_host\" in providers.json).\n"
              "                  SERVER is HOST[:PORT]: 993 and 465 speak TLS from the first byte, 143 and\n"
              "                  587 STARTTLS; for other ports write imaps://HOST:PORT or imap://HOST:PORT\n"
              "                  (smtps://, smtp://).\n"
              "  --ca FILE       trust only the CA certificates in this PEM file (for your own server)\n"
              "                  instead of the system's. A certificate that does not verify ends the\n"
              "                  check before anything is sent; there is never a fallback to plain text.\n"
              "  --sasl M        log in with xoauth2 or oauthbearer (default: XOAUTH2 when offered)\n"
              "  --json          one JSON object, with one object per server and its steps, and the\n"
              "                  version fields format (1) and mailkey_version\n"
              "  --provider ID   which account, when EMAIL is connected with several providers\n"
              "  --providers F   custom providers file (then the window is not asked)\n\n"
              "Exit codes: 0 every login works, 7 a server refused the login or the command after it,\n"
              "8 a server's certificate is not trusted, 6 network failure, 2 usage, 3 unknown account,\n"
              "4 needs sign-in, 5 vault or keychain unavailable or locked, 1 anything else.\n"),
          cmdCheck}});
}

} // namespace mailkey::cli
