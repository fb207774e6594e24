#include "core/lifecycle/TokenManager.h"

#include "core/common/Clock.h"
#include "core/common/CrossProcessLock.h"
#include "core/common/NetworkReplies.h"
#include "core/common/Redactor.h"
#include "core/common/SecureBytes.h"
#include "core/lifecycle/AlertMonitor.h"
#include "core/lifecycle/Revoker.h"
#include "core/lifecycle/SignOutEverywhere.h"
#include "core/oauth/OAuthErrorCatalog.h"
#include "core/oauth/TokenEndpointClient.h"
#include "core/oauth/TokenReply.h"
#include "core/providers/OidcDiscovery.h"
#include "core/providers/ProviderRegistry.h"
#include "core/vault/Vault.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>

namespace mailkey {

Q_LOGGING_CATEGORY(lcTokens, "mailkey.tokens")

namespace {

bool isDefaultResource(const QString &resource)
{
    return resource.isEmpty() || resource == QLatin1String(DefaultResource);
}

QString normalResource(const QString &resource)
{
    return isDefaultResource(resource) ? QString::fromLatin1(DefaultResource) : resource;
}

// What one refresh asks for. RFC 6749 section 6: the scope "MUST NOT include any scope not
// originally granted"; a refresh without scope gets the scope originally granted.
struct RefreshScope {
    QStringList request;  // the `scope` parameter; empty: none is sent
    QStringList expected; // what a reply without `scope` was granted (RFC 6749 section 5.1)
};

// `granted`: the scopes stored with the account's default token (the sign-in reply's `scope`,
// kept up to date by every refresh of it); empty when unknown.
//  - Microsoft: the resource's own scopes (Provider::scopesFor). One token request targets one
//    resource (Graph, Outlook IMAP, Outlook SMTP), so the scope has to name it; all of them were
//    consented at sign-in (consentScopes). Microsoft's replies list Graph scopes in their long
//    form and leave offline_access out, so the reply's scope cannot be sent back as it is.
//  - Others, for the sign-in scopes (the default resource; a custom provider's imap and smtp use
//    the same list): no `scope` at all, so whatever the server granted is renewed as it is, also
//    when that is less than what was asked (offline_access left out under OpenID Connect Core
//    section 11, a scope the user unticked, Google's granular consent).
//  - Others, for a narrower resource scope (Google imap/smtp: https://mail.google.com/): that
//    scope, less what the grant is known to lack. nullopt: the grant has none of it.
std::optional<RefreshScope> refreshScopeFor(const Provider &provider, const QString &resource,
                                            const QStringList &granted)
{
    const QStringList wanted = provider.scopesFor(resource);
    if (provider.kind == Provider::Kind::Microsoft)
        return RefreshScope{wanted, wanted};
    if (wanted.isEmpty() || wanted == provider.scopes)
        return RefreshScope{{}, granted.isEmpty() ? wanted : granted};
    if (granted.isEmpty())
        return RefreshScope{wanted, wanted};
    QStringList request;
    for (const QString &s : wanted) {
        if (granted.contains(s))
            request.append(s);
    }
    if (request.isEmpty())
        return std::nullopt;
    return RefreshScope{request, request};
}

} // namespace

TokenManager::TokenManager(std::shared_ptr<Vault> vault, ProviderRegistry *providers, QNetworkAccessManager *network,
                           Profile profile, const Clock *clock, QObject *parent)
    : QObject(parent), m_vault(std::move(vault)), m_providers(providers), m_network(network), m_endpoint(network),
      m_profile(std::move(profile)), m_clock(clock ? clock : Clock::system()), m_rateLimiter(m_clock),
      m_backoff(m_options.backoff)
{
    m_rateLimiter.setLimits(m_options.rateLimits);
    m_alerts = new AlertMonitor(m_vault, m_clock, this);
    m_revoker = new Revoker(m_vault, m_providers, m_network, &m_rateLimiter, m_clock, this);
}

TokenManager::~TokenManager()
{
    cancelAll();
    flushWork(); // audit entries still queued
}

void TokenManager::setOptions(const Options &options)
{
    m_options = options;
    m_rateLimiter.setLimits(options.rateLimits);
    m_backoff.setPolicy(options.backoff);
}

void TokenManager::setVault(std::shared_ptr<Vault> vault)
{
    cancelAll();
    m_vault = std::move(vault);
    m_alerts->setVault(m_vault);
    m_revoker->setVault(m_vault);
}

// ---- Entry points ------------------------------------------------------------------------------

void TokenManager::accessToken(qint64 accountId, const QString &resource, int minValiditySeconds,
                               AccessTokenCallback done)
{
    accessToken(accountId, resource, minValiditySeconds, QStringLiteral("mailkey"), std::move(done));
}

void TokenManager::accessToken(qint64 accountId, const QString &resource, int minValiditySeconds, const QString &actor,
                               AccessTokenCallback done)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
            this,
            [this, accountId, resource, minValiditySeconds, actor, done = std::move(done)]() mutable {
                accessToken(accountId, resource, minValiditySeconds, actor, std::move(done));
            },
            Qt::QueuedConnection);
        return;
    }
    Waiter w;
    w.resource = normalResource(resource);
    w.minValiditySeconds = qBound(0, minValiditySeconds, 24 * 3600);
    w.mode = Mode::OnDemand;
    w.actor = actor.isEmpty() ? QStringLiteral("mailkey") : actor.left(200);
    w.done = std::move(done);
    enqueue(accountId, std::move(w));
}

void TokenManager::refreshNow(qint64 accountId, const QString &resource, StatusCallback done)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
            this,
            [this, accountId, resource, done = std::move(done)]() mutable {
                refreshNow(accountId, resource, std::move(done));
            },
            Qt::QueuedConnection);
        return;
    }
    enqueueRefresh(accountId, resource, Mode::Forced, std::move(done));
}

void TokenManager::refreshScheduled(qint64 accountId, const QString &resource, StatusCallback done)
{
    enqueueRefresh(accountId, resource, Mode::Scheduled, std::move(done));
}

// A refresh whatever the stored token's expiry: the current access token's hash is kept so that
// a refresh another process finished meanwhile (a different token) counts as done.
void TokenManager::enqueueRefresh(qint64 accountId, const QString &resource, Mode mode, StatusCallback done)
{
    Waiter w;
    w.resource = normalResource(resource);
    w.mode = mode;
    if (m_vault) {
        if (auto t = m_vault->token(accountId, w.resource); t.ok() && t->has_value())
            w.staleTokenHash = RefreshQueue::tokenHash((*t)->accessToken);
    }
    if (done)
        w.done = [done = std::move(done)](Result<AccessToken> r) { done(r.ok() ? Status() : Status(r.error())); };
    enqueue(accountId, std::move(w));
}

bool TokenManager::isRefreshing(qint64 accountId) const
{
    return m_flights.contains(accountId);
}

int TokenManager::activeRefreshCount() const
{
    int n = 0;
    for (const auto &f : m_flights) {
        if (f->reply)
            ++n;
    }
    return n;
}

void TokenManager::removeAccount(qint64 accountId, std::function<void(Result<RevocationOutcome>)> done)
{
    cancelAccount(accountId);
    m_revoker->removeAccount(accountId, [this, accountId, done = std::move(done)](Result<RevocationOutcome> r) {
        m_alerts->recordRefreshSuccess(accountId); // forget its failure streak
        if (done)
            done(std::move(r));
    });
}

void TokenManager::signOutEverywhere(KeyStore *keyStore, std::function<void(Result<SignOutReport>)> done)
{
    cancelAll();
    auto *job = new SignOutEverywhere(m_vault, m_profile, keyStore, m_revoker, m_clock, this);
    job->start([this, job, done = std::move(done)](Result<SignOutReport> r) {
        if (m_vault) {
            if (auto accounts = m_vault->accounts(); accounts.ok()) {
                for (const Account &a : *accounts)
                    Q_EMIT accountStatusChanged(a.id);
            }
        }
        job->deleteLater();
        if (done)
            done(std::move(r));
    });
}

// ---- Queue -------------------------------------------------------------------------------------

void TokenManager::enqueue(qint64 accountId, Waiter waiter)
{
    if (!m_vault) {
        if (waiter.done)
            waiter.done(Error(ErrorCode::Internal, tr("The vault is not open yet.")));
        return;
    }
    std::shared_ptr<Flight> &f = m_flights[accountId];
    if (!f) {
        f = std::make_shared<Flight>();
        f->generation = m_nextGeneration++;
    }
    f->queue.push(std::move(waiter));
    scheduleProcess(accountId);
}

void TokenManager::scheduleProcess(qint64 accountId)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end())
        return;
    std::shared_ptr<Flight> f = *it;
    // Busy: the queue is looked at again when the current step ends.
    if (f->running || f->reply || (f->lockTimer && f->lockTimer->isActive())
        || (f->sendTimer && f->sendTimer->isActive()))
        return;
    f->running = true;
    const quint64 gen = f->generation;
    post([this, accountId, gen] {
        auto it2 = m_flights.find(accountId);
        if (it2 == m_flights.end() || (*it2)->generation != gen)
            return;
        (*it2)->running = false;
        processNext(accountId);
    });
}

// The GUI thread must never stall: work that writes to the vault (each write is a transaction
// with an fsync, a few ms on a normal disk) runs as small items, one per event-loop turn, in order.
void TokenManager::post(std::function<void()> work)
{
    m_work.push_back(std::move(work));
    if (!m_pumpScheduled) {
        m_pumpScheduled = true;
        QMetaObject::invokeMethod(this, &TokenManager::pump, Qt::QueuedConnection);
    }
}

void TokenManager::pump()
{
    m_pumpScheduled = false;
    if (m_work.empty())
        return;
    std::function<void()> work = std::move(m_work.front());
    m_work.pop_front();
    if (!m_work.empty()) {
        // Queued before running the item: events that arrive meanwhile get their turn first.
        m_pumpScheduled = true;
        QMetaObject::invokeMethod(this, &TokenManager::pump, Qt::QueuedConnection);
    }
    work();
}

void TokenManager::flushWork()
{
    while (!m_work.empty()) {
        std::function<void()> work = std::move(m_work.front());
        m_work.pop_front();
        work();
    }
}

void TokenManager::processNext(qint64 accountId)
{
    for (;;) {
        auto it = m_flights.find(accountId);
        if (it == m_flights.end())
            return;
        std::shared_ptr<Flight> f = *it;
        if (f->queue.isEmpty()) {
            finishFlight(accountId);
            return;
        }
        const QString resource = f->queue.nextResource();
        const QDateTime now = m_clock->now();

        Result<std::optional<Account>> acc = m_vault->account(accountId);
        if (!acc) {
            failAll(accountId, acc.error());
            return;
        }
        if (!acc->has_value()) {
            failAll(accountId,
                    Error(ErrorCode::NotFound, tr("That account is not in the vault (it may have been removed).")));
            return;
        }
        const Account account = **acc;
        if (account.status == AccountStatus::NeedsSignIn) {
            failAll(accountId,
                    Error(ErrorCode::NeedsSignIn, account.statusReason.isEmpty()
                                                      ? tr("%1 needs to be signed in again.").arg(account.email)
                                                      : account.statusReason));
            return;
        }

        Result<std::optional<TokenRecord>> tok = m_vault->token(accountId, resource);
        if (!tok) {
            failAll(accountId, tok.error());
            return;
        }
        std::optional<TokenRecord> token = std::move(*tok);

        // Whoever is satisfied by the stored token gets it now.
        const QList<Waiter> served = f->queue.takeSatisfied(resource, token, now);
        const bool anyLeft = f->queue.contains(resource);
        const bool anyForced = f->queue.anyForced(resource);
        if (!served.isEmpty()) {
            AccessToken at;
            at.accountId = accountId;
            at.resource = resource;
            at.token = std::move(token->accessToken);
            at.expiresAt = token->expiresAt;
            at.scopes = token->scopes;
            at.refreshed = false;
            for (const Waiter &w : served)
                deliver(accountId, w, at.clone());
        }
        token.reset();
        if (!anyLeft)
            continue;

        // A refresh is needed. A provider given by its issuer alone has its endpoints only after
        // OpenID discovery, which the sign-in ran in whichever process did it: run it here first.
        if (m_providers) {
            const Provider configured = m_providers->provider(account.provider);
            if (configured.isValid() && configured.needsDiscovery) {
                discoverThenContinue(accountId, configured);
                return;
            }
        }
        Result<Provider> provider = providerFor(account);
        if (!provider) {
            // A setup problem: no network call, but the account shows it and waits its back-off
            // (the scheduler must not ask again every second).
            const int failures = account.failureCount + 1;
            const QDateTime next = now.addMSecs(m_backoff.delayMs(failures));
            (void)m_vault->setRefreshSchedule(accountId, next, failures);
            setStatus(accountId, account.status, AccountStatus::Error, provider.error().message);
            failGroup(accountId, resource, provider.error());
            continue;
        }
        const QStringList scopes = provider->scopesFor(resource);
        if (scopes.isEmpty() && !isDefaultResource(resource)) {
            failGroup(accountId, resource,
                      Error(ErrorCode::InvalidInput, tr("%1 has no resource \"%2\" (known: default, imap, smtp).")
                                                         .arg(provider->displayName, resource.left(40))));
            continue;
        }
        if (!anyForced) {
            if (std::optional<Error> waiting = RefreshFailurePolicy::backoffError(account, now)) {
                failGroup(accountId, resource, *waiting);
                continue;
            }
        }
        const QString hostKey = RateLimiter::keyFor(provider->tokenEndpoint);
        if (const QDateTime blocked = m_rateLimiter.blockedUntil(hostKey); blocked.isValid()) {
            const QString why = tr("%1 asked MailKey to wait before the next request.").arg(provider->displayName);
            const QString reason = RefreshFailurePolicy::offlineReason(why, blocked);
            if (account.status != AccountStatus::Offline || account.nextRefreshAt != blocked) {
                if (!account.nextRefreshAt.isValid() || account.nextRefreshAt < blocked)
                    (void)m_vault->setRefreshSchedule(accountId, blocked, qMax(1, account.failureCount));
                setStatus(accountId, account.status, AccountStatus::Offline, reason);
            }
            failGroup(accountId, resource, Error(ErrorCode::Network, reason));
            continue;
        }

        // The cross-process lock, then everything again (another process may have refreshed).
        if (!f->lock || !f->lock->isLocked()) {
            acquireLock(accountId);
            return;
        }

        SecretString refreshToken;
        QStringList granted; // the scopes of the default token: what the sign-in was granted
        {
            Result<std::vector<TokenRecord>> all = m_vault->tokens(accountId);
            if (!all) {
                failAll(accountId, all.error());
                return;
            }
            for (TokenRecord &t : *all) {
                if (t.resource != QLatin1String(DefaultResource))
                    continue;
                granted = t.scopes;
                if (refreshToken.isEmpty())
                    refreshToken = std::move(t.refreshToken);
            }
            for (TokenRecord &t : *all) {
                if (refreshToken.isEmpty())
                    refreshToken = std::move(t.refreshToken);
            }
        }
        if (refreshToken.isEmpty()) {
            const QString reason
                = tr("MailKey has no refresh token for %1 (the provider did not issue one, or the tokens were "
                     "wiped). Sign in again.")
                      .arg(account.email);
            recordNeedsSignIn(accountId, reason);
            writeAudit(accountId, account.email, QStringLiteral("token.refreshed"), QStringLiteral("failed"),
                       QStringLiteral("resource=%1; no refresh token").arg(resource));
            const Error err(ErrorCode::NeedsSignIn, reason);
            endRefresh(accountId, err);
            failAll(accountId, err);
            return;
        }

        const std::optional<RefreshScope> scope = refreshScopeFor(*provider, resource, granted);
        if (!scope) {
            failGroup(accountId, resource,
                      Error(ErrorCode::NeedsSignIn,
                            tr("When %1 was signed in, %2 did not grant MailKey the access that \"%3\" needs (%4). "
                               "Sign in again and allow that access.")
                                .arg(account.email, provider->displayName, resource.left(40),
                                     scopes.join(QLatin1Char(' ')))));
            continue;
        }

        f->resource = resource;
        f->previousRefresh = std::move(refreshToken);
        f->requestedScopes = scope->request;
        f->expectedScopes = scope->expected;
        f->hostKey = hostKey;
        f->refreshing = true;
        Q_EMIT refreshStarted(accountId);
        const qint64 wait = m_rateLimiter.reserve(hostKey);
        const quint64 gen = f->generation;
        if (wait > 0) {
            if (!f->sendTimer) {
                f->sendTimer = new QTimer(this);
                f->sendTimer->setSingleShot(true);
                connect(f->sendTimer, &QTimer::timeout, this, [this, accountId, gen] { sendRefresh(accountId, gen); });
            }
            f->sendTimer->start(int(qMin<qint64>(wait, 24LL * 3600 * 1000)));
        } else {
            sendRefresh(accountId, gen);
        }
        return;
    }
}

void TokenManager::acquireLock(qint64 accountId)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end())
        return;
    std::shared_ptr<Flight> f = *it;
    if (!f->lock) {
        const QString lockPath = m_profile.lockPath();
        (void)Vault::ensurePrivateDirectory(QFileInfo(lockPath).absolutePath());
        f->lock = std::make_unique<CrossProcessLock>(lockPath, accountId);
    }
    Result<bool> r = f->lock->tryLock();
    if (!r) {
        failAll(accountId, r.error());
        return;
    }
    if (*r) {
        f->lockWaitedMs = 0;
        stage(accountId, Stage::LockAcquired);
        if (m_flights.value(accountId) == f)
            processNext(accountId);
        return;
    }
    if (f->lockWaitedMs >= m_options.lockTimeoutMs) {
        f->lockWaitedMs = 0;
        failAll(accountId,
                Error(ErrorCode::VaultBusy,
                      tr("Another MailKey program (the window or mailkey-cli) is renewing this account's access and "
                         "has not finished. Try again in a minute.")));
        return;
    }
    if (!f->lockTimer) {
        f->lockTimer = new QTimer(this);
        f->lockTimer->setSingleShot(true);
        const quint64 gen = f->generation;
        connect(f->lockTimer, &QTimer::timeout, this, [this, accountId, gen] {
            auto it2 = m_flights.find(accountId);
            if (it2 == m_flights.end() || (*it2)->generation != gen)
                return;
            (*it2)->lockWaitedMs += m_options.lockRetryMs;
            acquireLock(accountId);
        });
    }
    f->lockTimer->start(qMax(1, m_options.lockRetryMs));
}

void TokenManager::sendRefresh(qint64 accountId, quint64 generation)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end() || (*it)->generation != generation)
        return;
    std::shared_ptr<Flight> f = *it;
    Result<std::optional<Account>> acc = m_vault->account(accountId);
    if (!acc || !acc->has_value()) {
        const Error err = acc ? Error(ErrorCode::NotFound, tr("That account is not in the vault.")) : acc.error();
        endRefresh(accountId, err);
        failAll(accountId, err);
        return;
    }
    Result<Provider> provider = providerFor(**acc);
    if (!provider) {
        endRefresh(accountId, provider.error());
        failAll(accountId, provider.error());
        return;
    }
    // Retry-After may have been set by another account's reply while this one waited its turn.
    if (const QDateTime blocked = m_rateLimiter.blockedUntil(f->hostKey); blocked.isValid()) {
        const QString reason = RefreshFailurePolicy::offlineReason(
            tr("%1 asked MailKey to wait before the next request.").arg(provider->displayName), blocked);
        endRefresh(accountId, Error(ErrorCode::Network, reason));
        failAll(accountId, Error(ErrorCode::Network, reason));
        return;
    }

    TokenEndpointClient::Request request;
    request.endpoint = provider->tokenEndpoint;
    request.form = TokenEndpointClient::refreshGrant(f->previousRefresh, f->requestedScopes);
    request.client = {provider->clientId, provider->clientSecret};
    request.transferTimeoutMs = m_options.transferTimeoutMs;
    f->reply
        = m_endpoint.post(std::move(request), this, [this, accountId, generation](const TokenEndpointReply &reply) {
              onReply(accountId, generation, reply);
          });
    stage(accountId, Stage::RequestSent);
}

void TokenManager::onReply(qint64 accountId, quint64 generation, const TokenEndpointReply &reply)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end() || (*it)->generation != generation || (*it)->reply != reply.reply)
        return;
    std::shared_ptr<Flight> f = *it;
    f->reply = nullptr;
    f->running = true; // busy until the reply is handled
    post([this, accountId, generation, reply] {
        auto it2 = m_flights.find(accountId);
        if (it2 == m_flights.end() || (*it2)->generation != generation)
            return;
        (*it2)->running = false;
        handleReply(accountId, reply);
    });
}

void TokenManager::handleReply(qint64 accountId, const TokenEndpointReply &reply)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end())
        return;
    std::shared_ptr<Flight> f = *it;
    const QDateTime now = m_clock->now();
    const QString resource = f->resource;

    TokenReplyResult parsed = reply.parse(now, f->expectedScopes, f->previousRefresh);
    f->previousRefresh.clear();

    Result<std::optional<Account>> acc = m_vault->account(accountId);
    if (!acc || !acc->has_value()) {
        parsed = TokenReplyResult(OAuthError());
        const Error err
            = acc ? Error(ErrorCode::NotFound, tr("That account is not in the vault (it may have been removed)."))
                  : acc.error();
        endRefresh(accountId, err);
        failAll(accountId, err);
        return;
    }
    const Account account = **acc;

    if (!parsed.ok()) {
        handleFailure(accountId, account, reply, parsed.oauthError());
        return;
    }

    TokenSet &t = parsed.tokens();
    stage(accountId, Stage::ReplyReceived);
    if (m_flights.value(accountId) != f)
        return; // cancelled from the hook
    // Rotation: the new refresh token goes into the vault with the new access token, in one
    // transaction, before anything is handed out.
    const SecretString noRotation;
    const Status committed
        = m_vault->commitRefresh(accountId, resource, t.accessToken,
                                 t.refreshTokenRotated ? t.refreshToken : noRotation, t.expiresAt, t.scopes, now);
    if (!committed) {
        qCWarning(lcTokens, "account %lld: could not store the refreshed tokens: %s", accountId,
                  qUtf8Printable(committed.error().message));
        writeAudit(accountId, account.email, QStringLiteral("token.refreshed"), QStringLiteral("failed"),
                   QStringLiteral("resource=%1; the vault could not store the new tokens: %2")
                       .arg(resource, committed.error().message));
        (void)m_vault->setAccountStatus(accountId, AccountStatus::Error, committed.error().message, now);
        Q_EMIT accountStatusChanged(accountId);
        endRefresh(accountId, committed.error());
        failAll(accountId, committed.error());
        return;
    }
    stage(accountId, Stage::Committed);
    if (m_flights.value(accountId) != f)
        return;

    audit(accountId, account.email, QStringLiteral("token.refreshed"), QStringLiteral("ok"),
          QStringLiteral("resource=%1; valid for %2 s").arg(resource).arg(t.expiresIn));
    if (t.refreshTokenRotated)
        audit(accountId, account.email, QStringLiteral("token.rotated"), QStringLiteral("ok"),
              QStringLiteral("new refresh token stored with the %1 access token").arg(resource));
    m_alerts->recordRefreshSuccess(accountId);
    if (account.status != AccountStatus::Connected)
        Q_EMIT accountStatusChanged(accountId);
    endRefresh(accountId, Status());

    AccessToken at;
    at.accountId = accountId;
    at.resource = resource;
    at.token = std::move(t.accessToken);
    at.expiresAt = t.expiresAt;
    at.scopes = t.scopes;
    at.refreshed = true;
    t.wipe();
    succeed(accountId, at);
}

void TokenManager::succeed(qint64 accountId, const AccessToken &token)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end())
        return;
    std::shared_ptr<Flight> f = *it;
    const QList<Waiter> served = f->queue.takeResource(token.resource);
    for (const Waiter &w : served)
        deliver(accountId, w, token.clone());
    scheduleProcess(accountId);
}

void TokenManager::handleFailure(qint64 accountId, const Account &account, const TokenEndpointReply &reply,
                                 const OAuthError &error)
{
    RefreshFailurePolicy::Failure failure;
    failure.error = error;
    failure.httpStatus = reply.httpStatus;
    failure.retryAfterHeader = reply.retryAfter;
    failure.failuresBefore = account.failureCount;
    failure.now = m_clock->now();
    const auto fit = m_flights.find(accountId);
    const QString resource = fit != m_flights.end() ? (*fit)->resource : QString();
    const QString hostKey = fit != m_flights.end() ? (*fit)->hostKey : QString();
    if (const auto held = m_vault->token(accountId, resource); held.ok() && held->has_value())
        failure.accessValidUntil = (*held)->expiresAt;
    const RefreshFailurePolicy::Decision decision = m_failurePolicy.decide(failure);

    QString detail = QStringLiteral("resource=%1; %2; %3%4")
                         .arg(resource, RefreshFailurePolicy::transportText(reply.httpStatus),
                              error.error.isEmpty() ? QString() : error.error + QStringLiteral("; "), decision.message);
    if (decision.needsSignIn) {
        recordNeedsSignIn(accountId, decision.reason);
    } else {
        if (decision.holdHostUntil.isValid() && !hostKey.isEmpty())
            m_rateLimiter.blockUntil(hostKey, decision.holdHostUntil);
        (void)m_vault->setRefreshSchedule(accountId, decision.nextAttempt, decision.failures);
        setStatus(accountId, AccountStatus::Refreshing /* force the signal */, decision.status, decision.reason);
        detail += QStringLiteral("; attempt %1, next at %2")
                      .arg(decision.failures)
                      .arg(decision.nextAttempt.toString(Qt::ISODate));
    }
    writeAudit(accountId, account.email, QStringLiteral("token.refreshed"), QStringLiteral("failed"), detail);
    if (!decision.stillWorks) // offline with a valid token is no sign of trouble yet
        m_alerts->recordRefreshFailure(accountId, decision.message, decision.failures);
    const Error err(decision.code, decision.reason);
    endRefresh(accountId, err);
    failAll(accountId, err);
}

void TokenManager::recordNeedsSignIn(qint64 accountId, const QString &reason)
{
    const QDateTime now = m_clock->now();
    Result<std::optional<Account>> acc = m_vault->account(accountId);
    const int failures = (acc.ok() && acc->has_value()) ? (*acc)->failureCount + 1 : 1;
    (void)m_vault->setRefreshSchedule(accountId, QDateTime(), failures);
    setStatus(accountId, AccountStatus::Refreshing /* force the signal */, AccountStatus::NeedsSignIn, reason);
}

void TokenManager::setStatus(qint64 accountId, AccountStatus previous, AccountStatus status, const QString &reason)
{
    const Status s = m_vault->setAccountStatus(accountId, status, reason, m_clock->now());
    if (!s)
        qCWarning(lcTokens, "account %lld: could not store its status: %s", accountId,
                  qUtf8Printable(s.error().message));
    if (previous != status || status != AccountStatus::Connected)
        Q_EMIT accountStatusChanged(accountId);
}

void TokenManager::failGroup(qint64 accountId, const QString &resource, const Error &error)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end())
        return;
    std::shared_ptr<Flight> f = *it;
    const QList<Waiter> failed = f->queue.takeResource(resource);
    for (const Waiter &w : failed)
        deliver(accountId, w, error);
}

void TokenManager::failAll(qint64 accountId, const Error &error)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end())
        return;
    std::shared_ptr<Flight> f = *it;
    const QList<Waiter> failed = f->queue.takeAll();
    for (const Waiter &w : failed)
        deliver(accountId, w, error);
    // New callers may have queued from inside a callback: they start afresh.
    if (m_flights.value(accountId) == f) {
        if (f->queue.isEmpty())
            finishFlight(accountId);
        else
            scheduleProcess(accountId);
    }
}

void TokenManager::deliver(qint64 accountId, const Waiter &w, Result<AccessToken> result)
{
    if (result.ok() && w.mode == Mode::OnDemand && !w.actor.isEmpty()) {
        // Audited before the caller gets the token, in its own turn (one vault write). The token
        // is moved into the posted work (std::function needs a copyable callable, hence the
        // shared holder): still one copy of it.
        post([this, accountId, w, held = std::make_shared<Result<AccessToken>>(std::move(result))] {
            QString email;
            if (m_vault) {
                if (auto acc = m_vault->account(accountId); acc.ok() && acc->has_value())
                    email = (*acc)->email;
            }
            writeAudit(accountId, email, QStringLiteral("token.handed-out"), QStringLiteral("ok"),
                       QStringLiteral("resource=%1; valid until %2")
                           .arg((*held)->resource, (*held)->expiresAt.toString(Qt::ISODate)),
                       w.actor);
            if (w.done)
                w.done(std::move(*held));
        });
        return;
    }
    if (w.done)
        w.done(std::move(result));
}

void TokenManager::endRefresh(qint64 accountId, const Status &result)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end() || !(*it)->refreshing)
        return;
    (*it)->refreshing = false;
    Q_EMIT refreshFinished(accountId, result);
}

void TokenManager::finishFlight(qint64 accountId)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end())
        return;
    std::shared_ptr<Flight> f = *it;
    if (!f->queue.isEmpty() || f->reply)
        return;
    m_flights.erase(it);
    if (f->lockTimer)
        f->lockTimer->deleteLater();
    if (f->sendTimer)
        f->sendTimer->deleteLater();
    f->previousRefresh.clear();
    if (f->lock)
        f->lock->unlock();
}

void TokenManager::cancelAccount(qint64 accountId)
{
    auto it = m_flights.find(accountId);
    if (it == m_flights.end())
        return;
    std::shared_ptr<Flight> f = *it;
    m_flights.erase(it);
    if (f->lockTimer) {
        f->lockTimer->stop();
        f->lockTimer->deleteLater();
    }
    if (f->sendTimer) {
        f->sendTimer->stop();
        f->sendTimer->deleteLater();
    }
    dropReply(f->reply, this);
    f->previousRefresh.clear();
    if (f->lock)
        f->lock->unlock();
    const Error err(ErrorCode::Cancelled, tr("The request was cancelled."));
    if (f->refreshing)
        Q_EMIT refreshFinished(accountId, err);
    for (const Waiter &w : f->queue.takeAll()) {
        if (w.done)
            w.done(err);
    }
}

void TokenManager::cancelAll()
{
    const QList<qint64> ids = m_flights.keys();
    for (qint64 id : ids)
        cancelAccount(id);
}

// ---- Helpers -----------------------------------------------------------------------------------

void TokenManager::discoverThenContinue(qint64 accountId, const Provider &provider)
{
    // One discovery per provider at a time; every account waiting for it continues afterwards.
    QList<qint64> &waiting = m_discoveryWaiters[provider.id];
    if (!waiting.contains(accountId))
        waiting.append(accountId);
    if (waiting.size() > 1)
        return;
    auto *discovery = new OidcDiscovery(m_network, this);
    const QString id = provider.id;
    auto resume = [this, id](const std::optional<Error> &error) {
        const QList<qint64> accounts = m_discoveryWaiters.take(id);
        for (qint64 account : accounts) {
            if (error)
                failAll(account, *error);
            else
                processNext(account);
        }
    };
    connect(discovery, &OidcDiscovery::finished, this, [this, discovery, resume](const Provider &found) {
        discovery->deleteLater();
        Provider ready = found;
        ready.needsDiscovery = false;
        if (!m_providers || !m_providers->applyDiscovery(ready)) {
            resume(Error(ErrorCode::Config, tr("The token address of %1 is not known.").arg(found.displayName)));
            return;
        }
        resume(std::nullopt);
    });
    connect(discovery, &OidcDiscovery::failed, this, [discovery, resume](const Error &error) {
        discovery->deleteLater();
        resume(error);
    });
    discovery->start(provider);
}

Result<Provider> TokenManager::providerFor(const Account &account) const
{
    if (!m_providers)
        return Error(ErrorCode::Config, tr("No providers are configured."));
    Provider p = m_providers->provider(account.provider);
    if (!p.isValid())
        return Error(ErrorCode::Config,
                     tr("The provider \"%1\" of %2 is not configured any more. Add it back to providers.json, or "
                        "remove the account.")
                         .arg(account.provider.left(40), account.email));
    if (p.needsDiscovery || !p.tokenEndpoint.isValid())
        return Error(ErrorCode::Config, tr("The token address of %1 is not known yet.").arg(p.displayName));
    // An account imported with the person's own app registration (mutt_oauth2.py) refreshes with
    // that client: its refresh token belongs to it.
    if (m_vault) {
        Result<std::optional<AccountClient>> own = m_vault->accountClient(account.id);
        if (!own)
            return own.error();
        if (own->has_value()) {
            p.clientId = (*own)->clientId;
            p.clientSecret = (*own)->clientSecret.reveal();
        }
    }
    if (p.clientId.isEmpty())
        return ProviderRegistry::missingClientIdError(p);
    return p;
}

void TokenManager::audit(qint64 accountId, const QString &email, const QString &action, const QString &outcome,
                         const QString &detail, const QString &actor)
{
    const QDateTime at = m_clock->now();
    post([this, accountId, email, action, outcome, detail, actor, at] {
        writeAudit(accountId, email, action, outcome, detail, actor, at);
    });
}

void TokenManager::writeAudit(qint64 accountId, const QString &email, const QString &action, const QString &outcome,
                              const QString &detail, const QString &actor, const QDateTime &at)
{
    if (!m_vault)
        return;
    AuditEntry e;
    e.at = at.isValid() ? at : m_clock->now();
    e.accountId = accountId;
    e.accountEmail = email;
    e.action = action;
    e.outcome = outcome;
    e.detail = detail;
    e.actor = actor.isEmpty() ? QStringLiteral("mailkey") : actor;
    if (Status s = m_vault->appendAudit(e); !s)
        qCWarning(lcTokens, "could not write the audit log: %s", qUtf8Printable(s.error().message));
}

void TokenManager::stage(qint64 accountId, Stage s)
{
    if (m_stageHook)
        m_stageHook(accountId, s);
}

} // namespace mailkey
