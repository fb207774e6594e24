#include "core/service/MailDoctor.h"

#include "core/providers/ProviderRegistry.h"

#include <QCoreApplication>
#include <QDateTime>

#include <algorithm>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::MailDoctor)
};

bool isConsentError(const QString &message)
{
    // Consent missing (65001), refused by the organization's policy (90094, 90008).
    return message.contains(QLatin1String("AADSTS65001")) || message.contains(QLatin1String("AADSTS90094"))
           || message.contains(QLatin1String("AADSTS90008"));
}
} // namespace

QString MailDoctor::ServerResult::summary() const
{
    if (!checked)
        return skipped;
    if (report.outcome == MailCheck::Outcome::Ok)
        return QString();
    if (!diagnoses.isEmpty())
        return diagnoses.first().what;
    return report.problem;
}

MailDoctor::MailDoctor(Request request, TokenSource tokens, const ProviderRegistry *providers, QObject *parent)
    : QObject(parent), m_request(std::move(request)), m_tokens(std::move(tokens)), m_providers(providers),
      m_alive(std::make_shared<bool>(true))
{
    m_summary.email = m_request.email;
    m_summary.provider = m_request.provider;
}

MailDoctor::~MailDoctor()
{
    *m_alive = false;
}

QString MailDoctor::protocolLabel(MailServer::Protocol protocol)
{
    return protocol == MailServer::Protocol::Imap ? QStringLiteral("IMAP") : QStringLiteral("SMTP");
}

QString MailDoctor::resourceOf(MailServer::Protocol protocol)
{
    return protocol == MailServer::Protocol::Imap ? QStringLiteral("imap") : QStringLiteral("smtp");
}

QString MailDoctor::adminConsentText(const QString &url)
{
    return Text::tr("An administrator of the organization can grant MailKey's permissions for all its users at "
                    "%1 (signed in as a Global, Privileged Role or Cloud Application Administrator).")
        .arg(url);
}

void MailDoctor::start()
{
    if (m_started)
        return;
    m_started = true;
    m_todo = m_request.protocols;
    runNext();
}

void MailDoctor::abort()
{
    if (m_finished || m_aborted)
        return;
    m_aborted = true;
    if (m_running) {
        m_running->abort(); // its finished() comes, then serverDone() ends the doctor
        return;
    }
    if (m_started)
        finish(); // waiting for a token: its answer is ignored
}

std::optional<MailServer> MailDoctor::serverFor(MailServer::Protocol protocol, QString *why) const
{
    const std::optional<MailServer> &given = protocol == MailServer::Protocol::Imap ? m_request.imap : m_request.smtp;
    if (given)
        return given;
    const Provider p = m_providers ? m_providers->provider(m_summary.provider) : Provider();
    const QString text = protocol == MailServer::Protocol::Imap ? p.imapServer : p.smtpServer;
    if (text.isEmpty()) {
        *why = Text::tr("the provider %1 names no %2 server: give --%3 HOST[:PORT] (or add \"%3_host\" to its "
                        "entry in providers.json)")
                   .arg(m_summary.provider, protocolLabel(protocol), resourceOf(protocol));
        return std::nullopt;
    }
    const Result<MailServer> server = MailServer::parse(protocol, text);
    if (!server) {
        *why = server.error().message;
        return std::nullopt;
    }
    return *server;
}

QString MailDoctor::adminConsentUrl(const QString &providerId, const QString &tenantId) const
{
    if (!m_providers)
        return QString();
    const QString tid = Provider::isGuid(tenantId) ? tenantId : QString();
    return m_providers->provider(providerId).adminConsentUrl(tid).toString(QUrl::FullyEncoded);
}

void MailDoctor::runNext()
{
    if (m_aborted || m_todo.isEmpty()) {
        finish();
        return;
    }
    const MailServer::Protocol protocol = m_todo.takeFirst();
    TokenBroker::TokenQuery query;
    query.email = m_request.email;
    query.provider = m_summary.provider;
    query.resource = resourceOf(protocol);
    query.minValiditySeconds = kMinTokenValiditySeconds;
    query.actor = m_request.actor;
    std::weak_ptr<bool> alive = m_alive;
    m_tokens(query, [this, alive, protocol](Result<TokenBroker::TokenAnswer> r) {
        const std::shared_ptr<bool> still = alive.lock();
        if (!still || !*still || m_finished)
            return; // the doctor is gone or done; the answer's token is wiped with it
        if (m_aborted) {
            finish();
            return;
        }
        if (!r) {
            m_summary.tokenError = r.error();
            if (isConsentError(r.error().message))
                m_summary.tokenErrorConsentUrl = adminConsentUrl(
                    m_summary.provider.isEmpty() ? QStringLiteral("microsoft") : m_summary.provider, QString());
            m_todo.clear();
            finish();
            return;
        }
        if (m_summary.provider.isEmpty()) {
            m_summary.provider = r->provider;
            Q_EMIT providerKnown(m_summary.provider);
        }
        checkServer(protocol, std::move(r->token));
    });
}

void MailDoctor::skip(MailServer::Protocol protocol, const QString &why)
{
    ServerResult result;
    result.protocol = protocol;
    result.skipped = why;
    m_summary.servers.append(result);
    Q_EMIT serverFinished(result);
    runNext();
}

void MailDoctor::checkServer(MailServer::Protocol protocol, SecretString token)
{
    QString why;
    const std::optional<MailServer> server = serverFor(protocol, &why);
    if (!server) {
        skip(protocol, why);
        return;
    }
    const AccessTokenClaims claims = decodeAccessToken(token.toUtf8().bytes());
    Q_EMIT serverStarted(protocol, *server);
    m_running = std::make_unique<MailCheck>(*server, m_request.email, m_request.check);
    MailCheck *check = m_running.get();
    connect(check, &MailCheck::stepFinished, this,
            [this, protocol](const MailCheck::StepReport &step) { Q_EMIT stepFinished(protocol, step); });
    connect(check, &MailCheck::finished, this, [this, protocol, claims](const MailCheck::Report &r) {
        // Deleted later: this runs inside the check's own signal.
        m_running.release()->deleteLater();
        serverDone(protocol, claims, r);
    });
    check->start(std::move(token));
}

void MailDoctor::serverDone(MailServer::Protocol protocol, const AccessTokenClaims &claims, const MailCheck::Report &r)
{
    ServerResult result;
    result.protocol = protocol;
    result.checked = true;
    result.report = r;
    result.claims = claims;
    result.diagnoses = diagnoseFailure(r, m_summary.provider, m_request.email);
    // What the token says matters when the server may have refused the token, not when it refuses
    // every SMTP login (5.7.139 says the token was fine).
    const bool tokenMatters
        = result.diagnoses.isEmpty() || result.diagnoses.first().id != QLatin1String("smtp-auth-disabled");
    if (r.outcome == MailCheck::Outcome::Refused && tokenMatters)
        result.diagnoses += diagnoseToken(claims, m_summary.provider, protocol, m_request.email);
    // Consent is one reason a Microsoft login is refused: the admin kit says where to grant it.
    if (r.outcome == MailCheck::Outcome::Refused && r.failedStep == MailCheck::Step::Authenticate)
        result.adminConsentUrl = adminConsentUrl(m_summary.provider, claims.tenant);

    // The audit log: the server, the mechanism, the outcome and where it failed; no server text,
    // no token.
    AuditEntry e;
    e.accountEmail = m_request.email;
    e.action = QStringLiteral("mail.check");
    e.outcome = MailCheck::outcomeName(r.outcome);
    e.actor = m_request.actor;
    QString detail = QStringLiteral("%1 %2").arg(r.server.display(),
                                                 r.mechanism.isEmpty() ? QStringLiteral("(no login)") : r.mechanism);
    if (r.outcome != MailCheck::Outcome::Ok) {
        detail += QStringLiteral(" failed at %1").arg(MailCheck::stepName(r.failedStep));
        if (!r.status.isEmpty())
            detail += QStringLiteral(": %1").arg(QString::fromLatin1(r.status));
        if (!result.diagnoses.isEmpty())
            detail += QStringLiteral(" (%1)").arg(result.diagnoses.first().id);
    }
    e.detail = detail;
    e.at = QDateTime::currentDateTimeUtc();
    m_summary.audit.append(e);

    MailCheckRecord record;
    record.protocol = resourceOf(protocol);
    record.at = e.at;
    record.server = r.server.display();
    record.outcome = MailCheck::outcomeName(r.outcome);
    record.summary = result.summary();
    m_summary.records.append(record);

    m_summary.servers.append(result);
    Q_EMIT serverFinished(result);
    runNext();
}

void MailDoctor::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    Summary &s = m_summary;
    const auto any = [&s](MailCheck::Outcome o) {
        return std::any_of(s.servers.cbegin(), s.servers.cend(),
                           [o](const ServerResult &r) { return r.checked && r.report.outcome == o; });
    };
    const bool skipped
        = std::any_of(s.servers.cbegin(), s.servers.cend(), [](const ServerResult &r) { return !r.checked; });
    if (s.tokenError)
        s.verdict = Verdict::NoToken;
    else if (any(MailCheck::Outcome::Untrusted))
        s.verdict = Verdict::Untrusted;
    else if (any(MailCheck::Outcome::Refused))
        s.verdict = Verdict::Refused;
    else if (any(MailCheck::Outcome::Network))
        s.verdict = Verdict::Network;
    else if (skipped || m_aborted || !m_todo.isEmpty() || any(MailCheck::Outcome::Unsupported)
             || any(MailCheck::Outcome::Aborted) || s.servers.size() < m_request.protocols.size())
        s.verdict = Verdict::Incomplete; // a server that was not checked does not count as working
    else
        s.verdict = Verdict::Ok;
    Q_EMIT finished(s);
}

} // namespace mailkey
