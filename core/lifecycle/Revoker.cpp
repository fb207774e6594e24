#include "core/lifecycle/Revoker.h"

#include "core/common/Clock.h"
#include "core/common/SecureBytes.h"
#include "core/lifecycle/RateLimiter.h"
#include "core/oauth/OAuthErrorCatalog.h"
#include "core/oauth/TokenEndpointClient.h"
#include "core/oauth/TokenReply.h"
#include "core/providers/ProviderRegistry.h"
#include "core/vault/Vault.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QPointer>
#include <QTimer>

#include <algorithm>

namespace mailkey {

Q_LOGGING_CATEGORY(lcRevoke, "mailkey.revoke")

namespace {

constexpr const char *ConsumerTenant = "9188040d-6c67-4c5b-b112-36a304b66dad";
constexpr const char *PersonalManageUrl = "https://account.live.com/consent/Manage";
constexpr const char *WorkManageUrl = "https://myapps.microsoft.com";
constexpr const char *GoogleManageUrl = "https://myaccount.google.com/connections";

bool isPersonalMicrosoftAccount(const Account &account)
{
    if (account.tenant.compare(QLatin1String(ConsumerTenant), Qt::CaseInsensitive) == 0
        || account.tenant == QLatin1String("consumers"))
        return true;
    if (!account.tenant.isEmpty())
        return false;
    const QString domain = account.email.section(QLatin1Char('@'), 1).toLower();
    static const QStringList personal
        = {QStringLiteral("outlook.com"), QStringLiteral("hotmail.com"), QStringLiteral("live.com"),
           QStringLiteral("msn.com"), QStringLiteral("passport.com")};
    for (const QString &d : personal) {
        if (domain == d || domain.startsWith(d.section(QLatin1Char('.'), 0, 0) + QLatin1Char('.')))
            return true;
    }
    return false;
}

bool isWorkMicrosoftAccount(const Account &account)
{
    return !account.tenant.isEmpty() && !isPersonalMicrosoftAccount(account);
}

} // namespace

Revoker::Revoker(std::shared_ptr<Vault> vault, ProviderRegistry *providers, QNetworkAccessManager *network,
                 RateLimiter *rateLimiter, const Clock *clock, QObject *parent)
    : QObject(parent), m_vault(std::move(vault)), m_providers(providers), m_endpoint(network),
      m_rateLimiter(rateLimiter), m_clock(clock ? clock : Clock::system()), m_backoff(m_options.retry)
{
    m_pendingTimer = new QTimer(this);
    m_pendingTimer->setSingleShot(true);
    connect(m_pendingTimer, &QTimer::timeout, this, &Revoker::runPending);
}

Revoker::~Revoker() = default;

void Revoker::setOptions(const Options &options)
{
    m_options = options;
    m_backoff.setPolicy(options.retry);
}

QString Revoker::microsoftMessage(const Account &account)
{
    const QString head = tr("MailKey deleted the tokens of %1 from this computer. Microsoft does not let desktop apps "
                            "revoke their own sign-in, so MailKey's access stays listed in your Microsoft account "
                            "until it expires unused (after about 90 days).")
                             .arg(account.email);
    const QString personal = tr("To remove it now, open %1, select MailKey and choose \"Remove these permissions\".")
                                 .arg(QLatin1String(PersonalManageUrl));
    const QString work = tr("To remove it now, open %1, find MailKey, and choose \"Manage\" → \"Revoke permissions\" "
                            "(if you cannot, ask your organisation's administrator to remove MailKey's access for "
                            "your account).")
                             .arg(QLatin1String(WorkManageUrl));
    if (isPersonalMicrosoftAccount(account))
        return head + QLatin1Char(' ') + personal;
    if (isWorkMicrosoftAccount(account))
        return head + QLatin1Char(' ') + work;
    return head + QLatin1Char(' ')
           + tr("To remove it now: for a personal Microsoft account open %1 and remove MailKey; for a work or "
                "school account open %2, find MailKey and revoke its permissions (or ask your administrator).")
                 .arg(QLatin1String(PersonalManageUrl), QLatin1String(WorkManageUrl));
}

QString Revoker::manualRemovalUrl(const Provider &provider, const Account &account)
{
    switch (provider.kind) {
    case Provider::Kind::Microsoft:
        return isPersonalMicrosoftAccount(account) ? QString::fromLatin1(PersonalManageUrl)
                                                   : QString::fromLatin1(WorkManageUrl);
    case Provider::Kind::Google:
        return QString::fromLatin1(GoogleManageUrl);
    case Provider::Kind::Custom:
        return provider.issuer;
    }
    return QString();
}

// ---- Removal -----------------------------------------------------------------------------------

void Revoker::removeAccount(qint64 accountId, std::function<void(Result<RevocationOutcome>)> done)
{
    if (!m_vault) {
        done(Error(ErrorCode::Internal, tr("The vault is not open yet.")));
        return;
    }
    Result<std::optional<Account>> acc = m_vault->account(accountId);
    if (!acc) {
        done(acc.error());
        return;
    }
    if (!acc->has_value()) {
        done(Error(ErrorCode::NotFound, tr("That account is not in the vault.")));
        return;
    }
    const Account account = **acc;
    Revocable tokens;
    if (Result<std::vector<TokenRecord>> records = m_vault->tokens(accountId); records.ok())
        tokens = revocable(std::move(*records));
    if (Result<std::optional<AccountClient>> client = m_vault->accountClient(accountId); client.ok())
        tokens.client = std::move(*client);
    // Always wipe locally first: the tokens leave the disk whatever the provider says.
    const Status removed = m_vault->removeAccount(accountId);
    if (!removed) {
        audit(account, QStringLiteral("account.removed"), QStringLiteral("failed"), removed.error().message);
        done(removed.error());
        return;
    }
    audit(account, QStringLiteral("account.removed"), QStringLiteral("ok"),
          QStringLiteral("account and tokens deleted from the vault"));
    revoke(account, std::move(tokens), [done = std::move(done)](RevocationOutcome o) { done(o); });
}

Revoker::Revocable Revoker::revocable(std::vector<TokenRecord> records)
{
    Revocable out;
    for (TokenRecord &t : records) {
        const bool seen = std::any_of(out.refresh.begin(), out.refresh.end(),
                                      [&t](const SecretString &r) { return r.equals(t.refreshToken); });
        if (!t.refreshToken.isEmpty() && !seen)
            out.refresh.push_back(std::move(t.refreshToken));
        if (!t.accessToken.isEmpty())
            out.access.push_back(std::move(t.accessToken));
    }
    return out;
}

void Revoker::revoke(const Account &account, Revocable held, Callback done)
{
    Provider provider = m_providers ? m_providers->provider(account.provider) : Provider();
    if (provider.isValid() && held.client) {
        provider.clientId = held.client->clientId;
        provider.clientSecret = held.client->clientSecret.reveal();
    }
    const QString name = provider.isValid() ? provider.displayName : account.provider;

    RevocationOutcome outcome;
    if (!provider.isValid() || provider.revocationEndpoint.isEmpty()) {
        outcome.supported = false;
        if (!provider.isValid()) {
            // The account's provider is not among the providers known now (a providers file that
            // lacks it, an entry left out or deleted): nothing says whether it could revoke.
            outcome.message
                = tr("MailKey deleted the tokens of %1 from this computer. Its provider, \"%2\", is not among the "
                     "providers MailKey knows now (the built-in ones and the providers file in use), so its sign-in "
                     "was not revoked there: it stays valid at that provider until it expires or you remove MailKey's "
                     "access "
                     "in your account's security settings there.")
                      .arg(account.email, account.provider.left(40));
        } else if (provider.kind == Provider::Kind::Microsoft) {
            outcome.message = microsoftMessage(account);
        } else {
            const QString where = provider.isValid() ? manualRemovalUrl(provider, account) : QString();
            outcome.message = tr("MailKey deleted the tokens of %1 from this computer. %2 offers no way for MailKey to "
                                 "revoke its access, so remove MailKey in your account's security settings%3.")
                                  .arg(account.email, name, where.isEmpty() ? QString() : tr(" (%1)").arg(where));
        }
        audit(account, QStringLiteral("token.revoked"), QStringLiteral("not-supported"),
              provider.isValid()
                  ? QStringLiteral("%1 has no revocation endpoint; tokens wiped locally").arg(name)
                  : QStringLiteral("provider \"%1\" is not configured; tokens wiped locally").arg(name.left(40)));
        done(outcome);
        return;
    }
    if (provider.clientId.isEmpty() || held.isEmpty()) {
        outcome.message
            = held.isEmpty()
                  ? tr("MailKey deleted %1 from this computer. It held no tokens to revoke at %2.")
                        .arg(account.email, name)
                  : tr("MailKey deleted the tokens of %1 from this computer, but cannot revoke them at %2 because no "
                       "client id is configured. Remove MailKey's access in your account's security settings (%3).")
                        .arg(account.email, name, manualRemovalUrl(provider, account));
        audit(account, QStringLiteral("token.revoked"), QStringLiteral("skipped"),
              QStringLiteral("no tokens or no client id"));
        done(outcome);
        return;
    }

    // Each refresh token takes its grant with it; access tokens only if there is no refresh token.
    const bool byAccess = held.refresh.empty();
    const QString hint = byAccess ? QStringLiteral("access_token") : QStringLiteral("refresh_token");
    std::vector<SecretString> tokens = byAccess ? std::move(held.access) : std::move(held.refresh);
    held = Revocable(); // the other kind is not sent: wiped now

    struct State {
        int outstanding = 0;
        int revoked = 0;
        int pending = 0;
        int refused = 0;
        QString detail;
    };
    auto state = std::make_shared<State>();
    state->outstanding = int(tokens.size());
    const QString manual = manualRemovalUrl(provider, account);
    auto finishOne = [this, state, account, provider, name, manual,
                      done](Answer answer, const QString &detail, const QDateTime &retryAfter,
                            const SharedSecret &token, const QString &hint2) {
        switch (answer) {
        case Answer::Revoked:
        case Answer::AlreadyInvalid:
            ++state->revoked;
            break;
        case Answer::Retry: {
            ++state->pending;
            Pending p;
            p.accountId = account.id;
            p.email = account.email;
            p.provider = provider;
            p.token = token;
            p.hint = hint2;
            p.attempts = 1;
            queuePending(std::move(p), retryAfter);
            break;
        }
        case Answer::Refused:
            ++state->refused;
            break;
        }
        if (!detail.isEmpty())
            state->detail = detail;
        if (--state->outstanding > 0)
            return;
        RevocationOutcome o;
        if (state->refused == 0 && state->pending == 0) {
            o.revokedAtProvider = true;
            o.message = tr("MailKey deleted the tokens of %1 from this computer and %2 confirmed that MailKey's "
                           "access was revoked.")
                            .arg(account.email, name);
            audit(account, QStringLiteral("token.revoked"), QStringLiteral("ok"), state->detail);
        } else if (state->refused == 0) {
            o.pending = true;
            o.message = tr("MailKey deleted the tokens of %1 from this computer. %2 could not confirm the revocation "
                           "right now (%3); MailKey will keep trying in the background while it runs. To be sure, "
                           "remove MailKey's access yourself at %4.")
                            .arg(account.email, name, state->detail, manual);
            audit(account, QStringLiteral("token.revoked"), QStringLiteral("pending"), state->detail);
        } else {
            o.message = tr("MailKey deleted the tokens of %1 from this computer, but %2 refused to revoke MailKey's "
                           "access (%3). Remove it yourself at %4.")
                            .arg(account.email, name, state->detail, manual);
            audit(account, QStringLiteral("token.revoked"), QStringLiteral("failed"), state->detail);
        }
        done(o);
    };
    for (SecretString &token : tokens) {
        auto shared = std::make_shared<const SecretString>(std::move(token));
        post(provider, shared, hint,
             [finishOne, shared, hint](Answer a, const QString &detail, const QDateTime &retryAfter) {
                 finishOne(a, detail, retryAfter, shared, hint);
             });
    }
}

// ---- One request -------------------------------------------------------------------------------

void Revoker::post(const Provider &provider, SharedSecret token, const QString &hint, AnswerCallback done)
{
    const QString key = RateLimiter::keyFor(provider.revocationEndpoint);
    if (m_rateLimiter) {
        if (const QDateTime blocked = m_rateLimiter->blockedUntil(key); blocked.isValid()) {
            done(Answer::Retry, tr("%1 asked MailKey to wait").arg(provider.displayName), blocked);
            return;
        }
    }
    const qint64 wait = m_rateLimiter ? m_rateLimiter->reserve(key) : 0;
    QPointer<Revoker> self(this);
    auto send = [self, provider, token = std::move(token), hint, key, done]() mutable {
        if (!self)
            return;
        TokenEndpointClient::Request request;
        request.endpoint = provider.revocationEndpoint;
        request.form = TokenEndpointClient::revocation(*token, hint);
        request.client = {provider.clientId, provider.clientSecret};
        request.transferTimeoutMs = self->m_options.transferTimeoutMs;
        request.maxReplyBytes = 64 * 1024;
        token.reset(); // the form holds it now
        self->m_endpoint.post(std::move(request), self, [self, key, done](const TokenEndpointReply &reply) {
            const int status = reply.httpStatus;
            const QDateTime now = self->m_clock->now();
            if (status >= 200 && status < 300) {
                done(Answer::Revoked, QStringLiteral("HTTP %1").arg(status), QDateTime());
                return;
            }
            const QJsonObject obj = QJsonDocument::fromJson(reply.body).object();
            const QString error = OAuthErrorCatalog::sanitize(obj.value(QLatin1String("error")).toString(), 60);
            if (status == 0 || status == 429 || status >= 500) {
                QDateTime retryAfter = parseRetryAfter(reply.retryAfter, now);
                if (retryAfter.isValid() && self->m_rateLimiter)
                    self->m_rateLimiter->blockUntil(key, retryAfter);
                const QString detail
                    = status == 0 ? tr("no answer: %1").arg(OAuthErrorCatalog::sanitize(reply.errorString, 120))
                                  : (error.isEmpty() ? QStringLiteral("HTTP %1").arg(status)
                                                     : QStringLiteral("HTTP %1, %2").arg(status).arg(error));
                done(Answer::Retry, detail, retryAfter);
                return;
            }
            // RFC 7009 2.2: an invalid token is not an error for the server; Google still answers
            // 400 invalid_token for a token that is already revoked or expired.
            if (status == 400 && error == QLatin1String("invalid_token")) {
                done(Answer::AlreadyInvalid, tr("the token was already invalid"), QDateTime());
                return;
            }
            done(Answer::Refused,
                 error.isEmpty() ? QStringLiteral("HTTP %1").arg(status)
                                 : QStringLiteral("HTTP %1, %2").arg(status).arg(error),
                 QDateTime());
        });
    };
    if (wait > 0)
        QTimer::singleShot(int(qMin<qint64>(wait, 60000)), this, std::move(send));
    else
        send();
}

// ---- Background retries ------------------------------------------------------------------------

void Revoker::queuePending(Pending p, const QDateTime &retryAfter)
{
    QDateTime next = m_clock->now().addMSecs(m_backoff.delayMs(p.attempts));
    if (retryAfter.isValid() && retryAfter > next)
        next = retryAfter;
    p.notBefore = next;
    m_pending.append(std::move(p));
    armPendingTimer();
}

void Revoker::armPendingTimer()
{
    if (m_pending.isEmpty()) {
        m_pendingTimer->stop();
        return;
    }
    QDateTime first = m_pending.first().notBefore;
    for (const Pending &p : std::as_const(m_pending))
        first = std::min(first, p.notBefore);
    const qint64 ms = std::clamp<qint64>(m_clock->now().msecsTo(first), 0, 60 * 1000);
    // Re-checked at least every minute, so a wall-clock jump (sleep) does not delay it for long.
    m_pendingTimer->start(int(ms));
}

void Revoker::runPending()
{
    const QDateTime now = m_clock->now();
    QList<Pending> due;
    for (qsizetype i = 0; i < m_pending.size();) {
        if (m_pending.at(i).notBefore <= now)
            due.append(m_pending.takeAt(i));
        else
            ++i;
    }
    for (Pending &p : due) {
        Pending item = std::move(p);
        post(item.provider, item.token, item.hint,
             [this, item](Answer a, const QString &detail, const QDateTime &retryAfter) mutable {
                 Account account;
                 account.id = item.accountId;
                 account.email = item.email;
                 account.provider = item.provider.id;
                 if (a == Answer::Retry && item.attempts + 1 < m_options.maxAttempts) {
                     ++item.attempts;
                     queuePending(std::move(item), retryAfter);
                     return;
                 }
                 const bool ok = a == Answer::Revoked || a == Answer::AlreadyInvalid;
                 audit(account, QStringLiteral("token.revoked"), ok ? QStringLiteral("ok") : QStringLiteral("failed"),
                       ok ? QStringLiteral("revoked after %1 attempts").arg(item.attempts + 1)
                          : QStringLiteral("gave up after %1 attempts: %2").arg(item.attempts + 1).arg(detail));
                 item.token.reset();
                 const QString name = item.provider.isValid() ? item.provider.displayName : item.provider.id;
                 const QString manual = manualRemovalUrl(item.provider, account);
                 const QString where
                     = manual.isEmpty() ? tr("in your account settings at %1").arg(name) : tr("at %1").arg(manual);
                 const QString message
                     = ok ? tr("%1 has now confirmed that MailKey's access to %2 was revoked.").arg(name, item.email)
                          : tr("%1 still could not revoke MailKey's access to %2 (%3), and MailKey has stopped "
                               "trying. The tokens were already deleted from this computer; remove MailKey's "
                               "access yourself %4.")
                                .arg(name, item.email, detail, where);
                 Q_EMIT pendingRevocationFinished(item.accountId, item.email, ok, message);
             });
    }
    armPendingTimer();
}

void Revoker::audit(const Account &account, const QString &action, const QString &outcome, const QString &detail)
{
    if (!m_vault)
        return;
    AuditEntry e;
    e.at = m_clock->now();
    e.accountId = account.id;
    e.accountEmail = account.email;
    e.action = action;
    e.outcome = outcome;
    e.detail = detail;
    e.actor = QStringLiteral("mailkey");
    if (Status s = m_vault->appendAudit(e); !s)
        qCWarning(lcRevoke, "could not write the audit log: %s", qUtf8Printable(s.error().message));
}

} // namespace mailkey
