#include "core/service/AccountService.h"

#include "core/common/Clock.h"
#include "core/keychain/KeyStore.h"
#include "core/oauth/ConnectSession.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/MailFolderFetcher.h"
#include "core/vault/Vault.h"
#include "core/vault/VaultAccess.h"

#include <QHash>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QTimer>

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcService, "mailkey.service")

QString str(const char *text)
{
    return QString::fromUtf8(text);
}

// A finished sign-in keeps its listener object a little longer, so the page it just answered
// (success or failure) reaches the browser before the socket is dropped.
constexpr int kFinishedSessionLingerMs = 3000;

// An access token this close to its expiry is treated as expired.
constexpr qint64 kExpirySkewSeconds = 30;

QString whereToRemoveAccess(const Provider &provider, const QString &providerId)
{
    if (provider.kind == Provider::Kind::Microsoft || providerId == QLatin1String(Provider::MicrosoftId))
        return str("To remove MailKey's access there too, open https://account.live.com/consent/Manage "
                   "(personal Microsoft account) or https://myapps.microsoft.com (work or school "
                   "account) and remove MailKey.");
    if (provider.kind == Provider::Kind::Google || providerId == QLatin1String(Provider::GoogleId))
        return str("To remove MailKey's access there too, open https://myaccount.google.com/permissions "
                   "and remove MailKey.");
    const QString name = provider.displayName.isEmpty() ? providerId : provider.displayName;
    return str("To remove MailKey's access there too, remove the app in your account settings at %1.")
        .arg(name);
}

} // namespace

struct AccountService::Private {
    AccountService *q = nullptr;
    Profile profile;
    QNetworkAccessManager *network = nullptr;
    ProviderRegistry *providers = nullptr;
    const Clock *clock = nullptr;
    KeyStore *keyStore = nullptr; // child of q
    std::shared_ptr<Vault> vault;
    VaultState state = VaultState::Locked;
    Error error;
    ConnectSession::Options connectOptions;
    QList<QPointer<ConnectSession>> sessions;
    QHash<qint64, QPointer<MailFolderFetcher>> folderFetches;

    QDateTime now() const { return (clock ? clock : Clock::system())->now(); }

    // Runs fn on the event loop: every result of the service reaches its receivers after the
    // method that caused it has returned.
    void post(std::function<void()> fn) const
    {
        QMetaObject::invokeMethod(q, std::move(fn), Qt::QueuedConnection);
    }

    Error vaultNotReady() const
    {
        if (state == VaultState::Failed)
            return error;
        return Error(ErrorCode::Internal,
                     str("The vault is not unlocked yet. Wait until MailKey has opened it, then try "
                         "again."));
    }

    void audit(qint64 accountId, const QString &email, const QString &action,
               const QString &outcome, const QString &detail)
    {
        if (!vault)
            return;
        AuditEntry e;
        e.at = now();
        e.accountId = accountId;
        e.accountEmail = email;
        e.action = action;
        e.outcome = outcome;
        e.detail = detail;
        e.actor = str("mailkey");
        if (Status s = vault->appendAudit(e); !s)
            qCWarning(lcService, "could not write to the audit log: %s", qPrintable(s.error().message));
    }

    // ---------------------------------------------------------------------------------------
    // TODO(lifecycle): THE single place where the service obtains an access token for an API
    // call. Today it reads the stored token from the vault and reports an expired one; switch
    // it to TokenManager (which refreshes when needed) once core/lifecycle/TokenManager lands.
    // `done` may run synchronously or later; callers must not assume either.
    // ---------------------------------------------------------------------------------------
    void withAccessToken(qint64 accountId, const QString &resource,
                         std::function<void(Result<QString>)> done)
    {
        if (!vault) {
            done(vaultNotReady());
            return;
        }
        Result<std::optional<TokenRecord>> token = vault->token(accountId, resource);
        if (!token) {
            done(token.error());
            return;
        }
        if (!token.value() || token.value()->accessToken.isEmpty()) {
            done(Error(ErrorCode::NeedsSignIn,
                       str("MailKey has no access token for this mailbox. Use Reconnect to sign in "
                           "again.")));
            return;
        }
        TokenRecord record = *token.value();
        token.value()->wipe();
        if (record.expiresAt.isValid() && record.expiresAt.addSecs(-kExpirySkewSeconds) <= now()) {
            record.wipe();
            done(Error(ErrorCode::Expired,
                       str("MailKey's access to this mailbox has expired and could not be renewed "
                           "here. Use Reconnect to sign in again.")));
            return;
        }
        QString access = record.accessToken;
        record.wipe();
        done(access);
        secureWipe(access);
    }
};

AccountService::AccountService(Profile profile, QNetworkAccessManager *network,
                               ProviderRegistry *providers, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->profile = std::move(profile);
    d->network = network;
    d->providers = providers;
    d->keyStore = new KeyStore(this);
}

AccountService::~AccountService()
{
    for (const QPointer<ConnectSession> &s : std::as_const(d->sessions)) {
        if (s)
            s->disconnect(this);
    }
    for (const QPointer<MailFolderFetcher> &f : std::as_const(d->folderFetches)) {
        if (f) {
            f->disconnect(this);
            f->cancel();
        }
    }
}

void AccountService::setClock(const Clock *clock)
{
    d->clock = clock;
}

void AccountService::setConnectOptions(const ConnectSession::Options &options)
{
    d->connectOptions = options;
}

QList<ConnectSession *> AccountService::activeSessions() const
{
    QList<ConnectSession *> out;
    for (const QPointer<ConnectSession> &s : std::as_const(d->sessions)) {
        if (s && !s->isFinished())
            out.append(s);
    }
    return out;
}

// --- vault ------------------------------------------------------------------------------------

void AccountService::start()
{
    if (d->state == VaultState::Unlocking || d->state == VaultState::Ready)
        return;
    d->state = VaultState::Unlocking;
    d->error = Error();
    Q_EMIT vaultStateChanged();
    QPointer<AccountService> guard(this);
    VaultAccess::unlock(d->profile, d->keyStore, [guard](Result<OpenedVault> result) {
        if (!guard)
            return;
        Private *p = guard->d.get();
        if (!result) {
            p->state = VaultState::Failed;
            p->error = result.error();
            qCWarning(lcService, "the vault could not be opened: %s", qPrintable(p->error.message));
        } else {
            p->vault = result->vault;
            p->state = VaultState::Ready;
            qCInfo(lcService, "vault ready%s", result->created ? " (created)" : "");
        }
        Q_EMIT guard->vaultStateChanged();
        if (p->state == VaultState::Ready)
            Q_EMIT guard->accountsChanged();
    });
}

VaultState AccountService::vaultState() const
{
    return d->state;
}

Error AccountService::vaultError() const
{
    return d->error;
}

QString AccountService::vaultPath() const
{
    return d->vault ? d->vault->path() : d->profile.databasePath();
}

QString AccountService::cipherVersion() const
{
    return d->vault ? d->vault->cipherVersion() : QString();
}

const Profile &AccountService::profile() const
{
    return d->profile;
}

ProviderRegistry *AccountService::providers() const
{
    return d->providers;
}

std::shared_ptr<Vault> AccountService::vault() const
{
    return d->vault;
}

TokenManager *AccountService::tokens() const
{
    // TODO(lifecycle): return the TokenManager once core/lifecycle/TokenManager exists.
    return nullptr;
}

// --- reading ----------------------------------------------------------------------------------

QList<Account> AccountService::accounts() const
{
    if (!d->vault)
        return {};
    Result<QList<Account>> list = d->vault->accounts();
    if (!list) {
        qCWarning(lcService, "could not list accounts: %s", qPrintable(list.error().message));
        return {};
    }
    return list.value();
}

std::optional<Account> AccountService::account(qint64 id) const
{
    if (!d->vault)
        return std::nullopt;
    Result<std::optional<Account>> a = d->vault->account(id);
    if (!a)
        return std::nullopt;
    return a.value();
}

QList<TokenSummary> AccountService::tokenSummary(qint64 accountId) const
{
    if (!d->vault)
        return {};
    Result<QList<TokenRecord>> records = d->vault->tokens(accountId);
    if (!records)
        return {};
    QList<TokenSummary> out;
    for (TokenRecord &r : records.value()) {
        out.append(TokenSummary{r.resource, r.expiresAt, r.issuedAt, r.scopes});
        r.wipe();
    }
    return out;
}

QList<AuditEntry> AccountService::auditFor(qint64 accountId, int limit) const
{
    if (!d->vault)
        return {};
    Result<QList<AuditEntry>> entries = d->vault->audit(accountId, QDateTime(), limit);
    if (!entries)
        return {};
    return entries.value();
}

// --- connecting -------------------------------------------------------------------------------

ConnectSession *AccountService::connectAccount(const QString &providerId, const QString &loginHint)
{
    std::optional<Error> preflight;
    Provider provider;
    if (d->providers) {
        Result<Provider> p = d->providers->providerForSignIn(providerId);
        if (p) {
            provider = p.value();
        } else {
            preflight = p.error();
            provider = d->providers->provider(providerId);
        }
    } else {
        preflight = Error(ErrorCode::Config, str("No providers are configured."));
    }
    if (!preflight && d->state != VaultState::Ready)
        preflight = d->vaultNotReady();
    if (!provider.isValid())
        provider.id = providerId.left(40); // for the audit line and the log only

    auto *session = new ConnectSession(provider, d->vault, d->network, this);
    session->setClock(d->clock);
    ConnectSession::Options options = d->connectOptions;
    options.loginHint = loginHint;
    session->setOptions(options);
    if (preflight)
        session->setPreflightError(*preflight);
    d->sessions.append(session);

    QPointer<ConnectSession> guard(session);
    connect(session, &ConnectSession::succeeded, this,
            [this](const Account &account, bool, const QString &) {
                Q_EMIT accountsChanged();
                Q_EMIT accountChanged(account.id);
            });
    connect(session, &ConnectSession::providerDiscovered, this, [this](const Provider &p) {
        if (d->providers)
            d->providers->applyDiscovery(p);
    });
    connect(session, &ConnectSession::finished, this, [this, guard] {
        d->sessions.removeAll(guard);
        d->sessions.removeAll(QPointer<ConnectSession>());
        if (guard)
            QTimer::singleShot(kFinishedSessionLingerMs, guard.data(), &QObject::deleteLater);
    });
    // TODO(lifecycle): feed the AlertMonitor here (rejectedCallback ->
    // recordRejectedCallback(ConnectSession::rejectReasonText(reason)); failed ->
    // recordFailedSignIn(0, error.message)). Until then, sessionCreated() lets a monitor attach.
    Q_EMIT sessionCreated(session);
    // Started from the event loop, so the caller can connect to the session's signals first.
    QMetaObject::invokeMethod(session, &ConnectSession::start, Qt::QueuedConnection);
    return session;
}

ConnectSession *AccountService::reconnect(qint64 accountId)
{
    const std::optional<Account> a = account(accountId);
    if (!a) {
        ConnectSession *session = connectAccount(QString(), QString());
        session->setPreflightError(d->vault ? Error(ErrorCode::NotFound,
                                                    str("This account is no longer in MailKey."))
                                            : d->vaultNotReady());
        return session;
    }
    return connectAccount(a->provider, a->email);
}

// --- removing ---------------------------------------------------------------------------------

void AccountService::removeAccount(qint64 accountId)
{
    if (!d->vault) {
        const Error e = d->vaultNotReady();
        d->post([this, accountId, e] { Q_EMIT removeFailed(accountId, e); });
        return;
    }
    const std::optional<Account> a = account(accountId);
    if (!a) {
        d->post([this, accountId] {
            Q_EMIT removeFailed(accountId, Error(ErrorCode::NotFound,
                                                 str("This account is no longer in MailKey.")));
        });
        return;
    }
    if (auto fetch = d->folderFetches.take(accountId); fetch) {
        fetch->disconnect(this);
        fetch->cancel();
        fetch->deleteLater();
    }

    // TODO(lifecycle): revoke at the provider first where it has a revocation endpoint (Google,
    // custom providers), through core/lifecycle; today the removal is local only.
    if (Status s = d->vault->removeAccount(accountId); !s) {
        d->audit(accountId, a->email, str("account.removed"), str("failed"), s.error().message);
        const Error e = s.error();
        d->post([this, accountId, e] { Q_EMIT removeFailed(accountId, e); });
        return;
    }
    const Provider provider = d->providers ? d->providers->provider(a->provider) : Provider();
    RemovalReport report;
    report.revokedAtProvider = false;
    report.message = str("%1 was removed from MailKey and its tokens were deleted from this "
                         "computer. Its access was not revoked at the provider. %2")
                         .arg(a->email, whereToRemoveAccess(provider, a->provider));
    d->audit(accountId, a->email, str("account.removed"), str("ok"),
             str("deleted here; not revoked at the provider"));
    qCInfo(lcService, "account %lld removed", static_cast<long long>(accountId));
    d->post([this, accountId, report] {
        Q_EMIT accountRemoved(accountId, report);
        Q_EMIT accountsChanged();
    });
}

// --- token lifecycle (not here yet) -----------------------------------------------------------

void AccountService::refreshNow(qint64 accountId)
{
    // TODO(lifecycle): hand over to TokenManager::refreshNow(accountId) and report its outcome.
    d->post([this, accountId] {
        Q_EMIT refreshFinished(accountId,
                               Error(ErrorCode::Internal,
                                     str("Refreshing a sign-in on demand is not available yet in "
                                         "this version of MailKey.")));
    });
}

void AccountService::signOutEverywhere()
{
    // TODO(lifecycle): revoke what can be revoked, Vault::wipeAllTokens, VaultAccess::rotateKey,
    // audit the incident; then report the Status.
    d->post([this] {
        Q_EMIT signedOutEverywhere(Error(ErrorCode::Internal,
                                         str("Signing out everywhere is not available yet in this "
                                             "version of MailKey.")));
    });
}

// --- folders ----------------------------------------------------------------------------------

void AccountService::fetchFolders(qint64 accountId)
{
    const auto failLater = [this, accountId](const Error &e) {
        d->post([this, accountId, e] { Q_EMIT foldersFailed(accountId, e); });
    };
    if (!d->vault) {
        failLater(d->vaultNotReady());
        return;
    }
    const std::optional<Account> a = account(accountId);
    if (!a) {
        failLater(Error(ErrorCode::NotFound, str("This account is no longer in MailKey.")));
        return;
    }
    const Provider provider = d->providers ? d->providers->provider(a->provider) : Provider();
    if (!provider.isValid()) {
        failLater(Error(ErrorCode::Config,
                        str("The provider \"%1\" of this account is no longer configured, so its "
                            "folders cannot be listed.")
                            .arg(a->provider)));
        return;
    }
    if (provider.mailApi == Provider::MailApi::None) {
        failLater(Error(ErrorCode::Config,
                        str("%1 has no mail folder API, so MailKey cannot list its folders. Its "
                            "tokens can still be used by mail programs (IMAP/SMTP).")
                            .arg(provider.displayName)));
        return;
    }
    if (auto previous = d->folderFetches.take(accountId); previous) {
        previous->disconnect(this);
        previous->cancel();
        previous->deleteLater();
    }

    d->withAccessToken(accountId, QString::fromLatin1(DefaultResource),
                       [this, accountId, provider, failLater](Result<QString> token) {
        if (!token) {
            failLater(token.error());
            return;
        }
        auto *fetcher = new MailFolderFetcher(d->network, this);
        d->folderFetches.insert(accountId, fetcher);
        connect(fetcher, &MailFolderFetcher::finished, this,
                [this, accountId, fetcher](const QList<MailFolder> &folders) {
                    if (d->folderFetches.value(accountId) == fetcher)
                        d->folderFetches.remove(accountId);
                    fetcher->deleteLater();
                    Q_EMIT foldersLoaded(accountId, folders);
                });
        connect(fetcher, &MailFolderFetcher::failed, this,
                [this, accountId, fetcher](const Error &e) {
                    if (d->folderFetches.value(accountId) == fetcher)
                        d->folderFetches.remove(accountId);
                    fetcher->deleteLater();
                    Q_EMIT foldersFailed(accountId, e);
                });
        fetcher->start(provider, token.value());
        secureWipe(token.value());
    });
}

} // namespace mailkey
