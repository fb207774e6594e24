#include "cli/CliSupport.h"

#include "cli/RequestingProgram.h"
#include "core/common/SecureBytes.h"
#include "core/common/TextSafety.h"
#include "core/mailcheck/MailCheck.h"
#include "core/mailcheck/MailDiagnosis.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/MailDoctor.h"
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
    QString providersFile;
    bool json = false;
    QJsonArray results;
    std::unique_ptr<MailDoctor> doctor;
};
using State = std::shared_ptr<CheckState>;

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

int exitCodeOf(MailDoctor::Verdict verdict)
{
    switch (verdict) {
    case MailDoctor::Verdict::Ok:
        return Ok;
    case MailDoctor::Verdict::Untrusted:
        return Untrusted;
    case MailDoctor::Verdict::Refused:
        return LoginRefused;
    case MailDoctor::Verdict::Network:
        return Network;
    case MailDoctor::Verdict::Incomplete:
    case MailDoctor::Verdict::NoToken:
        break;
    }
    return Failure;
}

// One server's result: printed as it comes, and kept for --json.
void report(const State &s, const MailDoctor::ServerResult &result)
{
    const MailServer::Protocol protocol = result.protocol;
    const QString label = MailDoctor::protocolLabel(protocol);
    if (!result.checked) {
        printLine(s, Text::tr("%1: not checked: %2.").arg(label, oneLine(result.skipped)));
        QJsonObject o;
        o.insert(QStringLiteral("protocol"), MailDoctor::resourceOf(protocol));
        o.insert(QStringLiteral("outcome"), QStringLiteral("skipped"));
        o.insert(QStringLiteral("problem"), result.skipped);
        s->results.append(o);
        return;
    }
    const MailCheck::Report &r = result.report;
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
    for (const MailDiagnosis &d : result.diagnoses) {
        QJsonObject j;
        j.insert(QStringLiteral("id"), d.id);
        j.insert(QStringLiteral("what"), d.what);
        j.insert(QStringLiteral("fix"), d.fix);
        if (!d.admin.isEmpty())
            j.insert(QStringLiteral("admin"), d.admin);
        diag.append(j);
    }
    o.insert(QStringLiteral("diagnosis"), diag);
    if (!result.adminConsentUrl.isEmpty())
        o.insert(QStringLiteral("admin_consent_url"), result.adminConsentUrl);
    o.insert(QStringLiteral("token"), claimsJson(result.claims));
    s->results.append(o);

    if (r.outcome == MailCheck::Outcome::Ok) {
        printLine(s, Text::tr("  => %1 works (%2, %3 ms).").arg(label, r.mechanism, QString::number(r.totalMs)));
        return;
    }
    printLine(s, Text::tr("  => %1 failed at %2.").arg(label, MailCheck::stepName(r.failedStep)));
    QStringList fixes; // each fix once: several findings often share one
    for (const MailDiagnosis &d : result.diagnoses) {
        printLine(s, Text::tr("  Problem: %1").arg(d.what));
        if (!d.fix.isEmpty() && !fixes.contains(d.fix)) {
            fixes << d.fix;
            printLine(s, Text::tr("  Fix: %1").arg(d.fix));
        }
        if (!d.admin.isEmpty())
            printLine(s, Text::tr("  Administrator: %1").arg(d.admin));
    }
    if (!result.adminConsentUrl.isEmpty())
        printLine(s, Text::tr("  Administrator: %1").arg(MailDoctor::adminConsentText(result.adminConsentUrl)));
}

void finishAll(Context &ctx, const State &s, const MailDoctor::Summary &summary)
{
    if (summary.tokenError) {
        if (!summary.tokenErrorConsentUrl.isEmpty())
            err(QStringLiteral("mailkey-cli check: %1\n")
                    .arg(MailDoctor::adminConsentText(summary.tokenErrorConsentUrl)));
        failWith(ctx, *summary.tokenError);
        return;
    }
    const int code = exitCodeOf(summary.verdict);
    if (s->json) {
        QJsonObject doc;
        doc.insert(QStringLiteral("email"), summary.email);
        doc.insert(QStringLiteral("provider"), summary.provider);
        doc.insert(QStringLiteral("ok"), code == Ok);
        doc.insert(QStringLiteral("exit_code"), code);
        doc.insert(QStringLiteral("servers"), s->results);
        out(QString::fromUtf8(QJsonDocument(withJsonVersion(doc)).toJson(QJsonDocument::Indented)));
    } else if (code == Ok) {
        printLine(s, Text::tr("Every login works."));
    }

    // The audit log and the account's "last check" (shown by the window), in one transaction; no
    // server text, no token. A vault that does not open now is a warning: the check's own result
    // (and exit code) stands.
    VaultAccess::unlock(
        ctx.profile, ctx.store,
        [&ctx, summary, code](Result<OpenedVault> opened) {
            QString problem;
            if (!opened) {
                problem = opened.error().message;
            } else {
                const std::shared_ptr<Vault> &vault = opened->vault;
                const auto account = vault->findAccount(summary.provider, summary.email);
                QList<AuditEntry> audit = summary.audit;
                QList<MailCheckRecord> records;
                if (account && account->has_value()) {
                    for (AuditEntry &e : audit)
                        e.accountId = (*account)->id;
                    records = summary.records;
                    for (MailCheckRecord &r : records)
                        r.accountId = (*account)->id;
                }
                if (Status st = vault->recordMailChecks(records, audit); !st)
                    problem = st.error().message;
            }
            if (!problem.isEmpty())
                err(Text::tr("mailkey-cli check: warning: the check could not be recorded in the audit log (%1).\n")
                        .arg(oneLine(problem)));
            ctx.finish(code);
        },
        Vault::IntegrityCheck::Header);
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
    s->providersFile = p.values.value(kProviders);
    s->json = p.flags.contains(QStringLiteral("--json"));
    MailDoctor::Request request;
    request.email = *email;
    request.provider = p.values.value(kProvider);
    request.actor = QStringLiteral("mailkey-cli check");
    const QString sasl = p.values.value(QStringLiteral("--sasl")).toLower();
    if (!sasl.isEmpty() && sasl != QLatin1String("xoauth2") && sasl != QLatin1String("oauthbearer")) {
        usageError(ctx, cmd, Text::tr("--sasl is xoauth2 or oauthbearer"));
        return;
    }
    request.check.mechanism = sasl.toUpper();
    for (const auto &[name, protocol] : {std::pair{QStringLiteral("--imap"), MailServer::Protocol::Imap},
                                         std::pair{QStringLiteral("--smtp"), MailServer::Protocol::Smtp}}) {
        if (!p.values.contains(name))
            continue;
        const Result<MailServer> server = MailServer::parse(protocol, p.values.value(name));
        if (!server) {
            usageError(ctx, cmd, server.error().message);
            return;
        }
        (protocol == MailServer::Protocol::Imap ? request.imap : request.smtp) = *server;
    }
    if (p.values.contains(QStringLiteral("--ca"))) {
        const Result<QList<QSslCertificate>> ca = MailCheck::loadCaFile(p.values.value(QStringLiteral("--ca")));
        if (!ca) {
            err(QStringLiteral("mailkey-cli check: %1\n").arg(oneLine(ca.error().message)));
            ctx.finish(Usage);
            return;
        }
        request.check.caCertificates = *ca;
    }
    if (!request.provider.isEmpty())
        printLine(s, Text::tr("Checking %1 (%2).").arg(s->email, request.provider));

    // Without a usable registry the servers must be given; the token request says what is wrong
    // with the providers file first.
    const Result<ProviderRegistry *> registry = ctx.providers(s->providersFile);
    if (registry && (*registry)->policy().disables(ManagedPolicy::Feature::MailCheck)) {
        err(Text::tr("mailkey-cli check: your administrator has turned the mail connection test off (policy: %1).\n")
                .arg((*registry)->policy().source));
        ctx.finish(Failure);
        return;
    }
    const QString providersFile = s->providersFile;
    s->doctor = std::make_unique<MailDoctor>(
        request,
        [&ctx, providersFile](const TokenBroker::TokenQuery &query, MailDoctor::TokenCallback done) {
            fetchToken(ctx, query, providersFile, std::move(done));
        },
        registry ? *registry : nullptr);
    MailDoctor *doctor = s->doctor.get();
    QObject::connect(doctor, &MailDoctor::providerKnown, doctor, [s](const QString &provider) {
        printLine(s, Text::tr("Checking %1 (%2).").arg(s->email, provider));
    });
    QObject::connect(
        doctor, &MailDoctor::serverStarted, doctor, [s](MailServer::Protocol protocol, const MailServer &server) {
            printLine(s, QStringLiteral("%1 %2").arg(MailDoctor::protocolLabel(protocol), server.display()));
        });
    QObject::connect(doctor, &MailDoctor::stepFinished, doctor,
                     [s](MailServer::Protocol, const MailCheck::StepReport &step) { printLine(s, stepLine(step)); });
    QObject::connect(doctor, &MailDoctor::serverFinished, doctor,
                     [s](const MailDoctor::ServerResult &result) { report(s, result); });
    QObject::connect(doctor, &MailDoctor::finished, doctor, [&ctx, s](const MailDoctor::Summary &summary) {
        // Deleted later: this runs inside the doctor's own signal.
        s->doctor.release()->deleteLater();
        finishAll(ctx, s, summary);
    });
    doctor->start();
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
