#include "core/service/AccountService.h"
#include "core/service/AccountServiceTestAccess.h"
#include "core/service/VaultConnectionStore.h"

#include "core/common/Clock.h"
#include "core/keychain/KeyStore.h"
#include "core/lifecycle/AccessToken.h"
#include "core/lifecycle/AlertMonitor.h"
#include "core/lifecycle/Revoker.h"
#include "core/lifecycle/TokenManager.h"
#include "core/oauth/ConnectSession.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/HealthWatch.h"
#include "core/service/MailFolderFetcher.h"
#include "core/vault/AuditReader.h"
#include "core/vault/Vault.h"
#include "core/vault/VaultAccess.h"

#include <QElapsedTimer>
#ifdef MAILKEY_HAVE_QTDBUS
#include <QDBusConnection>
#include <QDBusMessage>
#endif
#include <QHash>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcService, "mailkey.service")

// A finished sign-in keeps its listener object a little longer, so the page it just answered
// (success or failure) reaches the browser before the socket is dropped.
constexpr int kFinishedSessionLingerMs = 3000;

// The program name in the audit log for tokens the window itself uses.
const char *const kActor = "mailkey";

// After a refresh (or the start) the scheduler computes the account's next due time about a
// second later (RefreshScheduler::Options::minIntervalMs); the rows are re-read after that.
constexpr int kDisplayUpdateMarginMs = 300;
constexpr int kDisplayRowsPerTurn = 8;

// A freedesktop notification (org.freedesktop.Notifications.Notify on the session bus), sent
// without waiting for the reply. The body is escaped: servers may read simple markup in it.
bool sendDesktopNotification(const QString &title, const QString &body)
{
#ifdef MAILKEY_HAVE_QTDBUS
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return false;
    QDBusMessage call = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.Notifications"), QStringLiteral("/org/freedesktop/Notifications"),
        QStringLiteral("org.freedesktop.Notifications"), QStringLiteral("Notify"));
    call << QStringLiteral("MailKey") << 0U << QStringLiteral("mail-send-receive") << title << body.toHtmlEscaped()
         << QStringList() << QVariantMap() << -1;
    return bus.send(call);
#else
    Q_UNUSED(title);
    Q_UNUSED(body);
    return false;
#endif
}

Alert::Kind alertKind(AlertKind kind)
{
    switch (kind) {
    case AlertKind::FailedSignIns:
        return Alert::Kind::FailedSignIns;
    case AlertKind::RefreshFailures:
        return Alert::Kind::RefreshFailures;
    case AlertKind::RejectedCallback:
        break;
    }
    return Alert::Kind::RejectedCallback;
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
    AuditReader *auditReader = nullptr; // child of q; closed whenever `vault` changes or its key does
    VaultState state = VaultState::Locked;
    Error error;
    ConnectSession::Options connectOptions;
    std::function<bool(const QUrl &)> urlOpener;
    QList<QPointer<ConnectSession>> sessions;
    QHash<qint64, QPointer<MailFolderFetcher>> folderFetches;
    QHash<qint64, quint64> folderGeneration;
    QHash<qint64, QPointer<MailDoctor>> mailChecks;
    QSet<qint64> foldersAfterCheck; // fetchFolders() asked while Verifying
    MailCheck::Options mailCheckOptions;
    int auditRetentionDays = 0;
    // Hooks (child of q): the account's stored status when each refresh started, to raise
    // refresh_failed / needs_sign_in on a change of state only; expiring_soon raised, per account.
    Hooks *hooks = nullptr;
    QHash<qint64, AccountStatus> statusAtRefresh;
    QHash<qint64, QDate> expiringRaised;
    HealthWatch *health = nullptr; // child of q
    std::function<bool(const QString &, const QString &)> desktopNotifier;

    // Token lifecycle (children of q, made when the vault is Ready).
    TokenManager *tokens = nullptr;
    RefreshScheduler *scheduler = nullptr;
    bool autoRefresh = true;
    std::optional<RefreshScheduler::Options> schedulerOptions;
    QSet<qint64> refreshing;              // between TokenManager::refreshStarted and refreshFinished
    TokenBroker broker{nullptr, nullptr}; // over `tokens`: the answers mailkey-cli gets
    // Removals in flight, with whoever waits for each (mailkey-cli over IPC; the window's own
    // request has no callback: it hears accountRemoved()).
    QHash<qint64, QList<std::function<void(Result<RevocationOutcome>)>>> removing;
    bool signingOut = false;
    QList<std::function<void(Result<SignOutReport>)>> signOutWaiters;
    std::optional<SignOutReport> lastSignOut;
    QSet<qint64> displayDirty; // rows to re-read once the scheduler has looked again
    QTimer *displayTimer = nullptr;
    bool displayAll = false; // re-read the whole list (after the start)
    bool destroying = false;
    bool erasing = false;
    bool erased = false; // eraseEverything() closed the vault for good

    QDateTime now() const { return (clock ? clock : Clock::system())->now(); }

    // The health clock says a new sign-in is near (HealthWatch, once per account and date).
    void warnSignInNeeded(const Account &a, const HealthForecast &f)
    {
        q->notifyExpiringSoon(a.id, f.signInNeededBy, f.text);
        const QString title = tr("Sign-in needed soon: %1").arg(a.email);
        const bool notified = desktopNotifier && desktopNotifier(title, f.text);
        Q_EMIT q->alertRaised(Alert{Alert::Kind::SignInExpiring, a.id, tr("%1: %2").arg(a.email, f.text), notified});
    }

    // Runs fn on the event loop: every result of the service reaches its receivers after the
    // method that caused it has returned.
    void post(std::function<void()> fn) const { QMetaObject::invokeMethod(q, std::move(fn), Qt::QueuedConnection); }

    Error vaultNotReady() const
    {
        if (state == VaultState::Failed || erased)
            return error;
        return Error(ErrorCode::Internal,
                     tr("The vault is not unlocked yet. Wait until MailKey has opened it, then try "
                        "again."));
    }

    // THE single place where the service obtains an access token for an API call: through
    // TokenManager, which hands out the stored token while it is valid for another minute and
    // refreshes it first otherwise (single flight, rotation, back-off, audit "token.handed-out").
    // `done` runs later, on the GUI thread, and never after the service is gone.
    void withAccessToken(qint64 accountId, const QString &resource, std::function<void(Result<SecretString>)> done)
    {
        if (!tokens) {
            const Error e = vaultNotReady();
            post([done = std::move(done), e] { done(e); });
            return;
        }
        QPointer<AccountService> guard(q);
        tokens->accessToken(accountId, resource, kMinTokenValiditySeconds, QString::fromLatin1(kActor),
                            [guard, done = std::move(done)](Result<AccessToken> token) {
                                if (!guard || guard->d->destroying)
                                    return;
                                if (!token) {
                                    done(token.error());
                                    return;
                                }
                                done(Result<SecretString>(std::move(token->token)));
                            });
    }

    std::optional<Account> stored(qint64 accountId) const
    {
        if (!vault)
            return std::nullopt;
        Result<std::optional<Account>> a = vault->account(accountId);
        return a ? *a : std::nullopt;
    }

    void raiseHook(HookEvent event, const Account &a, const QString &reason, const QDateTime &expiresAt = {})
    {
        if (!hooks || destroying)
            return;
        hooks->fire(HookContext{event, a.id, a.email, a.provider, profile.name(), reason, expiresAt});
    }

    // A refresh ended (TokenManager::refreshFinished): token_refreshed each time; refresh_failed
    // when a Connected account stopped being so; needs_sign_in when it became Needs sign-in.
    void hooksAfterRefresh(qint64 id, const Status &result)
    {
        if (!statusAtRefresh.contains(id))
            return; // no hooks when it started (or not a refresh of this service)
        const AccountStatus before = statusAtRefresh.take(id);
        const std::optional<Account> a = stored(id);
        if (!a || (!result && result.error().code == ErrorCode::Cancelled))
            return;
        if (result) {
            QDateTime expires;
            const QList<TokenTiming> timings = timingsOf(id);
            for (const TokenTiming &t : timings) {
                if (!expires.isValid() || t.expiresAt > expires)
                    expires = t.expiresAt;
            }
            raiseHook(HookEvent::TokenRefreshed, *a, QString(), expires);
        } else if (a->status == AccountStatus::NeedsSignIn && before != AccountStatus::NeedsSignIn) {
            raiseHook(HookEvent::NeedsSignIn, *a, a->statusReason);
        } else if (a->status != AccountStatus::Connected && before == AccountStatus::Connected) {
            raiseHook(HookEvent::RefreshFailed, *a,
                      a->statusReason.isEmpty() ? result.error().message : a->statusReason);
        }
    }

    // Ends the lifecycle, the mail checks, the sessions and the folder fetches (the destructor, and
    // eraseEverything before the vault goes).
    void stopLifecycle()
    {
        // Mail checks first: they wait for tokens from the lifecycle below, and report to the service.
        for (const QPointer<MailDoctor> &m : std::as_const(mailChecks)) {
            if (m) {
                m->disconnect(q);
                delete m.data();
            }
        }
        mailChecks.clear();
        // The lifecycle first, while the service is still whole: cancelled requests call back.
        delete scheduler;
        scheduler = nullptr;
        if (tokens) {
            tokens->disconnect(q);
            broker = TokenBroker(nullptr, nullptr);
            delete tokens;
            tokens = nullptr;
        }
        for (const QPointer<ConnectSession> &s : std::as_const(sessions)) {
            if (s) {
                s->disconnect(q);
                if (!destroying)
                    s->cancel();
            }
        }
        for (const QPointer<MailFolderFetcher> &f : std::as_const(folderFetches)) {
            if (f) {
                f->disconnect(q);
                f->cancel();
            }
        }
    }

    // eraseEverything: nothing of the vault is used again in this process.
    void closeForGood()
    {
        stopLifecycle();
        refreshing.clear();
        auditReader->suspend(); // for good: the files go next
        vault.reset();
        erased = true;
        state = VaultState::Locked;
        error
            = Error(ErrorCode::NotFound, tr("Everything MailKey held was erased. Start MailKey again to begin anew."));
        Q_EMIT q->vaultStateChanged();
        Q_EMIT q->accountsChanged();
    }

    void eraseFilesAndKeys(const QStringList &entries, const std::shared_ptr<EraseReport> &report, bool sharedFiles,
                           std::function<void(Result<EraseReport>)> done)
    {
        closeForGood();
        ProfileEraser::removeFiles(profile, *report);
        QPointer<AccountService> guard(q);
        ProfileEraser::removeKeychainEntries(
            keyStore, entries, report, [guard, report, sharedFiles, done = std::move(done)] {
                if (!guard || guard->d->destroying)
                    return;
                if (sharedFiles)
                    ProfileEraser::removeSharedFiles(*report);
                guard->d->erasing = false;
                qCInfo(lcService, "erased: %lld removed, %lld problem(s)",
                       static_cast<long long>(report->removed.size()), static_cast<long long>(report->problems.size()));
                done(*report);
            });
    }

    // Creates the lifecycle objects for the open vault (once), and starts the scheduler.
    void startLifecycle()
    {
        if (!tokens) {
            tokens = new TokenManager(vault, providers, network, profile, clock, q);
            QObject::connect(tokens, &TokenManager::accountStatusChanged, q,
                             [this](qint64 id) { rowChanged(id, true); });
            QObject::connect(tokens, &TokenManager::refreshStarted, q, [this](qint64 id) {
                if (const std::optional<Account> a = hooks->settings().isEmpty() ? std::nullopt : stored(id))
                    statusAtRefresh.insert(id, a->status);
                refreshing.insert(id);
                rowChanged(id, false);
            });
            QObject::connect(tokens, &TokenManager::refreshFinished, q, [this](qint64 id, const Status &result) {
                refreshing.remove(id);
                rowChanged(id, true);
                hooksAfterRefresh(id, result);
            });
            QObject::connect(tokens->alerts(), &AlertMonitor::alertRaised, q,
                             [this](AlertKind kind, qint64 id, const QString &message) {
                                 Q_EMIT q->alertRaised(Alert{alertKind(kind), id, message});
                             });
            QObject::connect(tokens->revoker(), &Revoker::pendingRevocationFinished, q,
                             [this](qint64 id, const QString &email, bool revoked, const QString &message) {
                                 qCInfo(lcService, "account %lld: the queued revocation %s", static_cast<long long>(id),
                                        revoked ? "succeeded" : "was given up");
                                 Q_EMIT q->pendingRevocationFinished(id, email, revoked, message);
                             });
            broker = TokenBroker(tokens, providers);
            scheduler = new RefreshScheduler(tokens, q);
            if (schedulerOptions)
                scheduler->setOptions(*schedulerOptions);
            displayTimer = new QTimer(q);
            displayTimer->setSingleShot(true);
            QObject::connect(displayTimer, &QTimer::timeout, q, [this] {
                if (displayAll) {
                    displayAll = false;
                    displayDirty.clear();
                    Q_EMIT q->accountsChanged();
                    return;
                }
                // A few rows per event-loop turn: after a burst of refreshes the views re-read
                // their rows without stalling the GUI thread.
                int n = 0;
                for (auto it = displayDirty.begin(); it != displayDirty.end() && n < kDisplayRowsPerTurn; ++n) {
                    const qint64 id = *it;
                    it = displayDirty.erase(it);
                    Q_EMIT q->accountChanged(id);
                }
                if (!displayDirty.isEmpty())
                    displayTimer->start(0);
            });
        } else {
            tokens->setVault(vault);
        }
        if (autoRefresh)
            scheduler->start();
        // Once the scheduler has computed every account's next refresh, the views re-read the list.
        displayAll = true;
        displayTimer->start((scheduler ? scheduler->options().minIntervalMs : 1000) + kDisplayUpdateMarginMs);
    }

    // The row of an account changed: tell the views now, and again once the scheduler has
    // recomputed its next refresh time (`later`).
    void rowChanged(qint64 id, bool later)
    {
        Q_EMIT q->accountChanged(id);
        if (later)
            markForDisplay(id);
    }

    void markForDisplay(qint64 id)
    {
        if (!displayTimer)
            return;
        displayDirty.insert(id);
        if (!displayTimer->isActive()) {
            const int interval = scheduler ? scheduler->options().minIntervalMs : 1000;
            displayTimer->start(interval + kDisplayUpdateMarginMs);
        }
    }

    // The account as the views should show it: Refreshing while a refresh is in flight, and for
    // a healthy account the time of its next refresh.
    // `tokens`: the account's token timings when the caller has them (else read when needed).
    Account present(Account a, const QList<TokenTiming> *tokens = nullptr) const
    {
        if (refreshing.contains(a.id) && a.status != AccountStatus::NeedsSignIn)
            a.status = AccountStatus::Refreshing;
        if (a.status == AccountStatus::Connected || a.status == AccountStatus::Refreshing)
            a.nextRefreshAt = nextRefreshFor(a, tokens);
        return a;
    }

    // The timing of an account's tokens (the records, and so their values, are wiped on return).
    QList<TokenTiming> timingsOf(qint64 accountId) const
    {
        if (!vault)
            return {};
        // The times only: no token value is read (and decrypted into memory) for them.
        Result<QList<TokenTiming>> timings = vault->tokenTimings(accountId);
        return timings ? *timings : QList<TokenTiming>();
    }

    QDateTime nextRefreshFor(const Account &a, const QList<TokenTiming> *tokens) const
    {
        // A due time computed before the last refresh is stale (the token has changed since).
        const auto current
            = [&a](const QDateTime &t) { return t.isValid() && (!a.lastRefreshAt.isValid() || t > a.lastRefreshAt); };
        if (scheduler && scheduler->isRunning()) {
            const QDateTime due = scheduler->dueAt(a.id);
            if (current(due))
                return due;
        }
        if (current(a.nextRefreshAt))
            return a.nextRefreshAt;
        // Not computed yet: estimate it the way the scheduler does (ahead of expiry by the lead
        // time, at most half the lifetime), without its few minutes of jitter.
        QList<TokenTiming> read;
        if (!tokens) {
            read = timingsOf(a.id);
            tokens = &read;
        }
        const qint64 lead = scheduler ? scheduler->options().leadSeconds : 300;
        QDateTime earliest;
        for (const TokenTiming &t : *tokens) {
            if (t.expiresAt.isValid() && t.refreshable) {
                const qint64 lifetime = t.issuedAt.isValid() ? qMax<qint64>(1, t.issuedAt.secsTo(t.expiresAt)) : 3600;
                const QDateTime d = t.expiresAt.addSecs(-qMin(lead, lifetime / 2));
                if (!earliest.isValid() || d < earliest)
                    earliest = d;
            }
        }
        return earliest;
    }

    void cancelFolderFetch(qint64 accountId)
    {
        ++folderGeneration[accountId]; // a token request still on its way is dropped on arrival
        if (auto fetch = folderFetches.take(accountId); fetch) {
            fetch->disconnect(q);
            fetch->cancel();
            fetch->deleteLater();
        }
    }

    // Removes an account: TokenManager cancels its refreshes, wipes it from the vault (always),
    // then revokes the grant at the provider where it has an endpoint (Revoker; audited there).
    // Reports with accountRemoved() / removeFailed(), then to `done` (may be empty) and to every
    // other caller that asked while it ran.
    void remove(qint64 accountId, std::function<void(Result<RevocationOutcome>)> done)
    {
        const auto failLater = [this, accountId, done](const Error &e) {
            post([this, accountId, e, done] {
                Q_EMIT q->removeFailed(accountId, e);
                if (done)
                    done(e);
            });
        };
        if (!vault || !tokens) {
            failLater(vaultNotReady());
            return;
        }
        const std::optional<Account> account = q->account(accountId);
        if (!account) {
            failLater(Error(ErrorCode::NotFound, tr("This account is no longer in MailKey.")));
            return;
        }
        if (auto running = removing.find(accountId); running != removing.end()) {
            if (done)
                running->append(std::move(done)); // the first request reports, to everyone
            return;
        }
        cancelFolderFetch(accountId);
        auto &queued = removing[accountId];
        if (done)
            queued.append(std::move(done));

        QPointer<AccountService> guard(q);
        tokens->removeAccount(accountId, [guard, accountId, account](Result<RevocationOutcome> outcome) {
            if (!guard || guard->d->destroying)
                return;
            AccountService *q = guard.data();
            const QList<std::function<void(Result<RevocationOutcome>)>> waiters = q->d->removing.take(accountId);
            q->d->refreshing.remove(accountId);
            if (!outcome) {
                const Error &e = outcome.error();
                q->d->post([q, accountId, e, waiters] {
                    Q_EMIT q->removeFailed(accountId, e);
                    for (const auto &waiter : waiters)
                        waiter(e);
                });
                return;
            }
            RemovalReport report;
            report.revokedAtProvider = outcome->revokedAtProvider;
            report.message = outcome->message;
            qCInfo(lcService, "account %lld removed (%s)", static_cast<long long>(accountId),
                   outcome->revokedAtProvider
                       ? "revoked at the provider"
                       : (outcome->pending ? "revocation pending" : "not revoked at the provider"));
            const RevocationOutcome removed = *outcome;
            q->d->raiseHook(HookEvent::AccountRemoved, *account, QString());
            q->d->post([q, accountId, report, removed, waiters] {
                Q_EMIT q->accountRemoved(accountId, report);
                Q_EMIT q->accountsChanged();
                for (const auto &waiter : waiters)
                    waiter(removed);
            });
        });
    }

    // One folder listing: an access token from TokenManager, then the mail API. A 401 from the
    // API (the token was revoked or expired early) forces one refresh and one more try; if the
    // refresh fails the account shows why (e.g. "Needs sign-in") and so does the error.
    void startFolderFetch(qint64 accountId, const Provider &provider, quint64 generation, bool retried)
    {
        const auto current
            = [this, accountId, generation] { return !destroying && folderGeneration.value(accountId) == generation; };
        withAccessToken(
            accountId, QString::fromLatin1(DefaultResource),
            [this, accountId, provider, generation, retried, current](Result<SecretString> token) {
                if (!current())
                    return;
                if (!token) {
                    Q_EMIT q->foldersFailed(accountId, token.error());
                    return;
                }
                auto *fetcher = new MailFolderFetcher(network, q);
                folderFetches.insert(accountId, fetcher);
                QObject::connect(fetcher, &MailFolderFetcher::finished, q,
                                 [this, accountId, fetcher](const QList<MailFolder> &folders) {
                                     if (folderFetches.value(accountId) == fetcher)
                                         folderFetches.remove(accountId);
                                     fetcher->deleteLater();
                                     Q_EMIT q->foldersLoaded(accountId, folders);
                                 });
                QObject::connect(
                    fetcher, &MailFolderFetcher::failed, q,
                    [this, accountId, provider, generation, retried, current, fetcher](const Error &e) {
                        if (folderFetches.value(accountId) == fetcher)
                            folderFetches.remove(accountId);
                        fetcher->deleteLater();
                        if (e.code != ErrorCode::NeedsSignIn || retried || !tokens) {
                            Q_EMIT q->foldersFailed(accountId, e);
                            return;
                        }
                        qCInfo(lcService, "account %lld: the mail API refused the access token; renewing it once",
                               static_cast<long long>(accountId));
                        QPointer<AccountService> guard(q);
                        tokens->refreshNow(
                            accountId, QString::fromLatin1(DefaultResource),
                            [this, guard, accountId, provider, generation, current, e](Status refreshed) {
                                if (!guard || !current())
                                    return;
                                if (refreshed)
                                    startFolderFetch(accountId, provider, generation, true);
                                else
                                    Q_EMIT q->foldersFailed(accountId, refreshed.error().code == ErrorCode::NeedsSignIn
                                                                           ? refreshed.error()
                                                                           : e);
                            });
                    });
                fetcher->start(provider, *token);
            });
    }
};

AccountService::AccountService(Profile profile, QNetworkAccessManager *network, ProviderRegistry *providers,
                               QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->profile = std::move(profile);
    d->network = network;
    d->providers = providers;
    d->keyStore = new KeyStore(this);
    d->auditReader = new AuditReader(
        d->profile.databasePath(),
        [this](std::function<void(Result<SecureBytes>)> done) { d->keyStore->read(d->profile.keychainKey(), done); },
        this);
    d->auditReader->setFallback([this](qint64 accountId, int limit) -> AuditReader::Entries {
        if (!d->vault)
            return QList<AuditEntry>();
        return d->vault->audit(accountId, QDateTime(), limit);
    });
    d->hooks = new Hooks(this);
    d->hooks->setAuditSink([this](AuditEntry e) {
        if (!d->vault || d->destroying)
            return;
        e.at = d->now();
        if (Status st = d->vault->appendAudit(e); !st)
            qCWarning(lcService, "could not record a hook run: %s", qPrintable(st.error().message));
    });
    d->desktopNotifier = sendDesktopNotification;
    d->health = new HealthWatch([this] { return accounts(); },
                                [this](const Account &a, const HealthForecast &f) { d->warnSignInNeeded(a, f); }, this);
    connect(this, &AccountService::accountsChanged, d->health, &HealthWatch::check);
    connect(this, &AccountService::accountChanged, d->health, &HealthWatch::check);
}

AccountService::~AccountService()
{
    d->destroying = true;
    delete d->auditReader; // interrupts and waits for a read in flight
    d->auditReader = nullptr;
    d->stopLifecycle();
}

void AccountService::drain(int maxWaitMs, std::function<void(bool)> done)
{
    if (d->scheduler)
        d->scheduler->stop();
    auto *poll = new QTimer(this);
    poll->setInterval(50);
    QElapsedTimer waited;
    waited.start();
    const auto check = [this, poll, waited, maxWaitMs, done = std::move(done)] {
        const bool idle = !d->tokens || !d->tokens->hasWork();
        if (!idle && waited.elapsed() < maxWaitMs)
            return;
        poll->stop();
        poll->deleteLater();
        done(idle);
    };
    connect(poll, &QTimer::timeout, this, check);
    poll->start();
    QTimer::singleShot(0, poll, check);
}

void AccountService::setClock(const Clock *clock)
{
    d->clock = clock;
    d->health->setClock(clock);
}

void AccountService::setAutoRefresh(bool enabled)
{
    d->autoRefresh = enabled;
    if (d->scheduler && !enabled)
        d->scheduler->stop();
}

void AccountService::setSchedulerOptions(const RefreshScheduler::Options &options)
{
    d->schedulerOptions = options;
    if (d->scheduler)
        d->scheduler->setOptions(options);
}

void AccountService::setConnectOptions(const ConnectSession::Options &options)
{
    d->connectOptions = options;
}

void AccountService::setUrlOpener(std::function<bool(const QUrl &)> opener)
{
    d->urlOpener = std::move(opener);
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
    if (d->state == VaultState::Unlocking || d->state == VaultState::Verifying || d->state == VaultState::Ready
        || d->erased || d->erasing)
        return;
    d->state = VaultState::Unlocking;
    d->error = Error();
    Q_EMIT vaultStateChanged();
    QPointer<AccountService> guard(this);
    // The key and the schema first (quick), so the accounts show at once; every page is checked
    // next, on a second connection, before anything is written (verifyThenAdopt).
    VaultAccess::unlock(
        d->profile, d->keyStore,
        [guard](Result<OpenedVault> result) {
            if (!guard)
                return;
            if (!result)
                guard->adoptVault(result.error(), false);
            else if (result->created)
                guard->adoptVault(result->vault, true); // a new vault has nothing to check
            else
                guard->verifyThenAdopt(result->vault);
        },
        Vault::IntegrityCheck::Header);
}

void AccountService::verifyThenAdopt(std::shared_ptr<Vault> vault)
{
    d->vault = std::move(vault);
    d->state = VaultState::Verifying;
    qCInfo(lcService, "vault open; checking every page");
    Q_EMIT vaultStateChanged();
    Q_EMIT accountsChanged();
    QPointer<AccountService> guard(this);
    std::function<Status(Vault &)> prune;
    if (d->auditRetentionDays > 0) {
        const QDateTime before = d->now().addDays(-d->auditRetentionDays);
        prune = [before](Vault &checked) -> Status {
            const Result<qint64> pruned = checked.pruneAudit(before, QStringLiteral("mailkey"));
            if (!pruned)
                return pruned.error();
            return {};
        };
    }
    VaultAccess::verify(
        d->profile, d->keyStore,
        [guard](Status checked) {
            if (!guard || guard->d->destroying || guard->d->state != VaultState::Verifying)
                return;
            if (!checked && checked.error().code == ErrorCode::VaultDamaged) {
                guard->d->auditReader->close();
                guard->d->vault.reset();
                guard->adoptVault(checked.error(), false);
                return;
            }
            if (!checked) // the check could not run (keychain gone meanwhile): the open already proved the key
                qCWarning(lcService, "the full vault check could not run: %s", qPrintable(checked.error().message));
            std::shared_ptr<Vault> open = guard->d->vault;
            guard->adoptVault(open, false);
        },
        std::move(prune));
}

void AccountService::resetVault(std::function<void(Result<VaultAccess::ResetOutcome>)> done)
{
    if (d->state != VaultState::Failed) {
        done(Error(ErrorCode::InvalidInput, tr("Only a vault that could not be opened can be reset.")));
        return;
    }
    d->state = VaultState::Unlocking;
    Q_EMIT vaultStateChanged();
    QPointer<AccountService> guard(this);
    VaultAccess::resetUnreadable(d->profile, d->keyStore,
                                 [guard, done = std::move(done)](Result<VaultAccess::ResetOutcome> reset) {
                                     if (!guard)
                                         return;
                                     // Either way the state is known again: the new vault, or the
                                     // reason the reset did not happen (the old vault is untouched).
                                     if (!reset)
                                         guard->adoptVault(reset.error(), false);
                                     else
                                         guard->adoptVault(reset->vault, true);
                                     done(std::move(reset));
                                 });
}

void AccountService::adoptVault(Result<std::shared_ptr<Vault>> opened, bool created)
{
    if (!opened || d->vault != *opened)
        d->auditReader->close(); // another file (a reset), or none
    if (!opened) {
        d->foldersAfterCheck.clear(); // the window shows why the vault did not open
        d->state = VaultState::Failed;
        d->error = opened.error();
        qCWarning(lcService, "the vault could not be opened: %s", qPrintable(d->error.message));
    } else {
        const bool listed = d->state == VaultState::Verifying && d->vault == *opened;
        d->vault = *opened;
        d->state = VaultState::Ready;
        qCInfo(lcService, "vault ready%s", created ? " (created)" : "");
        d->startLifecycle();
        if (listed) {
            // The list was filled while the vault was checked; the window only needs the new state
            // (its actions). The lifecycle's own signals bring the refresh times.
            Q_EMIT vaultStateChanged();
            const QSet<qint64> waiting = std::exchange(d->foldersAfterCheck, {});
            for (const qint64 id : waiting)
                fetchFolders(id);
            return;
        }
    }
    Q_EMIT vaultStateChanged();
    if (d->state == VaultState::Ready)
        Q_EMIT accountsChanged();
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

std::shared_ptr<Vault> AccountServiceTestAccess::vault(const AccountService &service)
{
    return service.d->vault;
}

TokenManager *AccountServiceTestAccess::tokens(const AccountService &service)
{
    return service.d->tokens;
}

RefreshScheduler *AccountServiceTestAccess::scheduler(const AccountService &service)
{
    return service.d->scheduler;
}

AuditReader *AccountServiceTestAccess::auditReader(const AccountService &service)
{
    return service.d->auditReader;
}

std::optional<SignOutReport> AccountService::lastSignOutReport() const
{
    return d->lastSignOut;
}

bool AccountService::isRefreshing(qint64 accountId) const
{
    return d->refreshing.contains(accountId);
}

// --- reading ----------------------------------------------------------------------------------

QList<Account> AccountService::accounts() const
{
    const QList<AccountTokens> rows = accountsWithTokens();
    QList<Account> out;
    out.reserve(rows.size());
    for (const AccountTokens &row : rows)
        out.append(row.account);
    return out;
}

QList<AccountTokens> AccountService::accountsWithTokens() const
{
    if (!d->vault)
        return {};
    Result<QList<AccountTokens>> list = d->vault->accountsWithTokens();
    if (!list) {
        qCWarning(lcService, "could not list accounts: %s", qPrintable(list.error().message));
        return {};
    }
    for (AccountTokens &row : *list)
        row.account = d->present(row.account, &row.tokens);
    return std::move(*list);
}

std::optional<Account> AccountService::account(qint64 id) const
{
    if (!d->vault)
        return std::nullopt;
    Result<std::optional<Account>> a = d->vault->account(id);
    if (!a || !a->has_value())
        return std::nullopt;
    return d->present(**a);
}

QList<TokenSummary> AccountService::tokenSummary(qint64 accountId) const
{
    return d->timingsOf(accountId);
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

void AccountService::readAudit(qint64 accountId, int limit, QObject *context,
                               std::function<void(QList<AuditEntry>)> done)
{
    d->auditReader->read(
        accountId, limit, context,
        [done = std::move(done)](AuditReader::Entries entries) {
            done(entries ? std::move(entries).value() : QList<AuditEntry>());
        },
        d->vault != nullptr);
}

// --- connecting -------------------------------------------------------------------------------

ConnectSession *AccountService::connectAccount(const QString &providerId, const QString &loginHint,
                                               ConnectSession::Method method)
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
        preflight = Error(ErrorCode::Config, tr("No providers are configured."));
    }
    if (!preflight && d->state != VaultState::Ready)
        preflight = d->vaultNotReady();
    if (!provider.isValid())
        provider.id = providerId.left(40); // for the audit line and the log only

    // The service stores what the sign-in produced: the session gets the vault's store.
    std::shared_ptr<ConnectionStore> store;
    if (d->vault)
        store = std::make_shared<VaultConnectionStore>(d->vault);
    auto *session = new ConnectSession(provider, std::move(store), d->network, this);
    session->setClock(d->clock);
    ConnectSession::Options options = d->connectOptions;
    options.loginHint = loginHint;
    if (method == ConnectSession::Method::DeviceCode)
        options.method = method;
    if (!options.urlOpener)
        options.urlOpener = d->urlOpener;
    session->setOptions(options);
    if (preflight)
        session->setPreflightError(*preflight);
    d->sessions.append(session);

    QPointer<ConnectSession> guard(session);
    connect(session, &ConnectSession::succeeded, this, [this](const Account &account, bool, const QString &) {
        if (d->tokens) {
            // A new sign-in ends a streak of refresh failures; the scheduler plans anew.
            d->tokens->alerts()->recordRefreshSuccess(account.id);
            if (d->scheduler && d->scheduler->isRunning())
                QTimer::singleShot(0, d->scheduler, &RefreshScheduler::poll);
        }
        Q_EMIT accountsChanged();
        d->rowChanged(account.id, true);
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
    // Monitoring: every rejected callback (a possible forgery) and every failed sign-in that got
    // as far as the provider (a sign-in page was made; not "no client id" or "vault locked",
    // which are setup problems) count towards the alert thresholds.
    connect(session, &ConnectSession::rejectedCallback, this, [this](LoopbackReplyHandler::RejectReason reason) {
        if (d->tokens)
            d->tokens->alerts()->recordRejectedCallback(ConnectSession::rejectReasonText(reason));
    });
    connect(session, &ConnectSession::failed, this, [this, guard, loginHint, providerId](const Error &error) {
        if (!d->tokens || !guard || !guard->authorizationUrl().isValid())
            return;
        qint64 accountId = 0;
        if (!loginHint.isEmpty() && d->vault) {
            if (Result<QList<Account>> list = d->vault->accounts(); list) {
                for (const Account &a : std::as_const(*list)) {
                    if (a.provider == providerId && a.email.compare(loginHint, Qt::CaseInsensitive) == 0)
                        accountId = a.id;
                }
            }
        }
        d->tokens->alerts()->recordFailedSignIn(accountId, error.message);
    });
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
        session->setPreflightError(d->vault ? Error(ErrorCode::NotFound, tr("This account is no longer in MailKey."))
                                            : d->vaultNotReady());
        return session;
    }
    return connectAccount(a->provider, a->email);
}

// --- removing ---------------------------------------------------------------------------------

void AccountService::removeAccount(qint64 accountId)
{
    d->remove(accountId, {});
}

void AccountService::removeAccount(const QString &email, const QString &provider,
                                   std::function<void(Result<TokenBroker::RemovalAnswer>)> done)
{
    if (!d->vault || !d->tokens) {
        const Error e = d->vaultNotReady();
        d->post([done = std::move(done), e] { done(e); });
        return;
    }
    Result<Account> found = TokenBroker::findAccount(d->vault.get(), d->providers, email, provider);
    if (!found) {
        const Error &e = found.error();
        d->post([done = std::move(done), e] { done(e); });
        return;
    }
    const Account account = *found;
    d->remove(account.id, [account, done = std::move(done)](Result<RevocationOutcome> outcome) {
        if (!outcome)
            done(outcome.error());
        else
            done(TokenBroker::RemovalAnswer{account.email, account.provider, *outcome});
    });
}

// --- token lifecycle ----------------------------------------------------------------------

void AccountService::refreshNow(qint64 accountId)
{
    if (!d->tokens) {
        const Error e = d->vaultNotReady();
        d->post([this, accountId, e] { Q_EMIT refreshFinished(accountId, e); });
        return;
    }
    QPointer<AccountService> guard(this);
    d->tokens->refreshNow(accountId, QString::fromLatin1(DefaultResource), [guard, accountId](Status result) {
        if (!guard || guard->d->destroying)
            return;
        AccountService *q = guard.data();
        q->d->post([q, accountId, result] { Q_EMIT q->refreshFinished(accountId, result); });
    });
}

void AccountService::signOutEverywhere()
{
    signOutEverywhere(std::function<void(Result<SignOutReport>)>());
}

void AccountService::signOutEverywhere(std::function<void(Result<SignOutReport>)> done)
{
    if (!d->tokens) {
        const Error e = d->vaultNotReady();
        d->post([this, e, done = std::move(done)] {
            Q_EMIT signedOutEverywhere(e);
            if (done)
                done(e);
        });
        return;
    }
    if (done)
        d->signOutWaiters.append(std::move(done));
    if (d->signingOut)
        return; // the running one reports, to every waiter
    d->signingOut = true;
    // The vault key changes at the end: no second connection holds the old one meanwhile.
    d->auditReader->suspend();
    for (const qint64 id : d->folderFetches.keys())
        d->cancelFolderFetch(id);
    qCInfo(lcService, "signing out everywhere");
    QPointer<AccountService> guard(this);
    d->tokens->signOutEverywhere(d->keyStore, [guard](Result<SignOutReport> result) {
        if (!guard || guard->d->destroying)
            return;
        AccountService *q = guard.data();
        q->d->signingOut = false;
        q->d->auditReader->resume();
        q->d->refreshing.clear();
        Status status;
        if (result) {
            q->d->lastSignOut = *result;
            qCInfo(lcService,
                   "signed out everywhere: %d account(s), %d revoked, %d pending, %d not revocable, "
                   "%d refused",
                   result->accounts, result->revoked, result->pending, result->notRevocable, result->failed);
        } else {
            q->d->lastSignOut.reset();
            status = result.error();
            qCWarning(lcService, "sign out everywhere did not finish: %s", qPrintable(result.error().message));
        }
        const QList<std::function<void(Result<SignOutReport>)>> waiters = std::exchange(q->d->signOutWaiters, {});
        q->d->post([q, status, result, waiters] {
            Q_EMIT q->signedOutEverywhere(status);
            Q_EMIT q->accountsChanged();
            for (const auto &waiter : waiters)
                waiter(result);
        });
    });
}

void AccountService::setAuditRetentionDays(int days)
{
    d->auditRetentionDays = days;
}

void AccountService::setHooks(const HookSettings &hooks)
{
    d->hooks->setSettings(hooks);
}

void AccountService::notifyExpiringSoon(qint64 accountId, const QDateTime &signInNeededBy, const QString &reason)
{
    const std::optional<Account> a = d->stored(accountId);
    if (!a || d->expiringRaised.value(accountId) == signInNeededBy.toUTC().date())
        return;
    d->expiringRaised.insert(accountId, signInNeededBy.toUTC().date());
    d->raiseHook(HookEvent::ExpiringSoon, *a, reason, signInNeededBy);
}

void AccountService::setHealthWarnings(bool googleTestingStatus, int warnDays)
{
    d->health->setSettings(googleTestingStatus, warnDays);
}

void AccountService::setDesktopNotifier(std::function<bool(const QString &, const QString &)> notifier)
{
    d->desktopNotifier = std::move(notifier);
}

void AccountService::setMailCheckOptions(const MailCheck::Options &options)
{
    d->mailCheckOptions = options;
}

MailDoctor *AccountService::runningMailCheck(qint64 accountId) const
{
    return d->mailChecks.value(accountId).data();
}

MailDoctor *AccountService::checkMail(qint64 accountId)
{
    if (MailDoctor *running = runningMailCheck(accountId))
        return running;
    if (!d->vault || !d->tokens)
        return nullptr;
    if (d->providers && d->providers->policy().disables(ManagedPolicy::Feature::MailCheck))
        return nullptr; // turned off by the administrator (the window hides the action)
    const std::optional<Account> a = account(accountId);
    if (!a)
        return nullptr;
    MailDoctor::Request request;
    request.email = a->email;
    request.provider = a->provider;
    request.check = d->mailCheckOptions;
    request.actor = QStringLiteral("mailkey");
    QPointer<AccountService> guard(this);
    auto *doctor = new MailDoctor(
        request,
        [guard](const TokenBroker::TokenQuery &query, MailDoctor::TokenCallback done) {
            if (!guard) {
                done(Error(ErrorCode::Internal, tr("MailKey is closing.")));
                return;
            }
            guard->issueToken(query, std::move(done));
        },
        d->providers, this);
    d->mailChecks.insert(accountId, doctor);
    connect(doctor, &MailDoctor::finished, this, [this, accountId, doctor](const MailDoctor::Summary &summary) {
        d->mailChecks.remove(accountId);
        doctor->deleteLater();
        if (d->vault) {
            QList<AuditEntry> audit = summary.audit;
            for (AuditEntry &e : audit)
                e.accountId = accountId;
            QList<MailCheckRecord> records = summary.records;
            for (MailCheckRecord &r : records)
                r.accountId = accountId;
            if (Status st = d->vault->recordMailChecks(records, audit); !st)
                qCWarning(lcService, "could not record a mail check: %s", qPrintable(st.error().message));
        }
        Q_EMIT mailCheckFinished(accountId, summary);
        Q_EMIT accountChanged(accountId);
    });
    Q_EMIT mailCheckStarted(accountId, doctor);
    // Started from the event loop, so the caller connects to it first.
    QPointer<MailDoctor> started(doctor);
    d->post([started] {
        if (started)
            started->start();
    });
    return doctor;
}

QList<MailCheckRecord> AccountService::mailChecks(qint64 accountId) const
{
    if (!d->vault)
        return {};
    Result<QList<MailCheckRecord>> list = d->vault->mailChecks(accountId);
    if (!list) {
        qCWarning(lcService, "could not read mail checks: %s", qPrintable(list.error().message));
        return {};
    }
    return *list;
}

void AccountService::issueToken(const TokenBroker::TokenQuery &query,
                                std::function<void(Result<TokenBroker::TokenAnswer>)> done)
{
    if (!d->tokens) {
        const Error e = d->vaultNotReady();
        d->post([done = std::move(done), e] { done(e); });
        return;
    }
    d->broker.token(query, std::move(done));
}

void AccountService::rotateKey(std::function<void(Status)> done)
{
    if (!d->vault) {
        const Error e = d->vaultNotReady();
        d->post([done = std::move(done), e] { done(e); });
        return;
    }
    QPointer<AccountService> guard(this);
    d->auditReader->suspend(); // no second connection keeps the old key
    VaultAccess::rotateKey(d->vault, d->profile, d->keyStore, [guard, done = std::move(done)](Status rotated) {
        if (!guard || guard->d->destroying)
            return;
        if (!guard->d->signingOut)
            guard->d->auditReader->resume();
        if (rotated)
            Q_EMIT guard->accountsChanged();
        done(rotated);
    });
}

void AccountService::vaultChangedElsewhere()
{
    if (d->state == VaultState::Ready)
        Q_EMIT accountsChanged();
}

// --- the person's data ------------------------------------------------------------------------

void AccountService::exportBackup(const QString &path, SecureBytes passphrase, bool withAudit,
                                  std::function<void(Result<ExportOutcome>)> done)
{
    if (!d->vault) {
        const Error e = d->vaultNotReady();
        d->post([done = std::move(done), e] { done(e); });
        return;
    }
    Result<VaultSnapshot> snap = d->vault->snapshot(withAudit);
    if (!snap) {
        d->post([done = std::move(done), e = snap.error()] { done(e); });
        return;
    }
    ExportOutcome outcome;
    outcome.accounts = int(snap->accounts.size());
    outcome.auditEntries = int(snap->audit.size());
    qCInfo(lcService, "writing a backup of %d account(s)", outcome.accounts);
    Backups::writeAsync(Backups::contentsOf(std::move(*snap), d->profile.name()), std::move(passphrase), this,
                        [path, outcome, done = std::move(done)](Result<QByteArray> bytes) {
                            if (!bytes) {
                                done(bytes.error());
                                return;
                            }
                            Status written = Backups::writeAtomically(path, *bytes);
                            secureWipe(*bytes);
                            if (!written) {
                                done(written.error());
                                return;
                            }
                            done(outcome);
                        });
}

void AccountService::importBackup(const QString &path, SecureBytes passphrase,
                                  std::function<void(Result<ImportOutcome>, BackupFile::Problem)> done)
{
    if (d->state != VaultState::Ready || !d->vault) {
        d->post([done = std::move(done), e = d->vaultNotReady()] { done(e, BackupFile::Problem::None); });
        return;
    }
    QPointer<AccountService> guard(this);
    Backups::readAsync(
        path, std::move(passphrase), this,
        [guard, done = std::move(done)](Result<BackupFile::Contents> read, BackupFile::Problem why) {
            if (!guard || guard->d->destroying)
                return;
            if (!read) {
                done(read.error(), why);
                return;
            }
            Private *d = guard->d.get();
            if (!d->vault || d->state != VaultState::Ready) {
                done(d->vaultNotReady(), BackupFile::Problem::None);
                return;
            }
            const QString detail = QStringLiteral("backup of %1 (%2), %3 accounts")
                                       .arg(read->createdAt.toUTC().toString(Qt::ISODate), read->writer.left(60))
                                       .arg(read->vault.accounts.size());
            Result<ImportReport> report = d->vault->importSnapshot(read->vault, d->now(), detail);
            if (!report) {
                done(
                    Error(report.error().code, report.error().message + QLatin1Char(' ') + tr("Nothing was imported.")),
                    BackupFile::Problem::None);
                return;
            }
            ImportOutcome outcome;
            outcome.report = *report;
            outcome.lines = Backups::describe(*report) + Backups::restoreFiles(read->files);
            qCInfo(lcService, "backup imported: %lld added, %lld updated", static_cast<long long>(report->added.size()),
                   static_cast<long long>(report->updated.size()));
            if (d->scheduler && d->scheduler->isRunning())
                QTimer::singleShot(0, d->scheduler, &RefreshScheduler::poll);
            Q_EMIT guard->accountsChanged();
            done(std::move(outcome), BackupFile::Problem::None);
        });
}

bool AccountService::isErased() const
{
    return d->erased;
}

void AccountService::eraseEverything(bool sharedFiles, std::function<void(Result<EraseReport>)> done)
{
    if (d->erasing || d->erased || d->state == VaultState::Unlocking || d->state == VaultState::Verifying) {
        const Error e(ErrorCode::InvalidInput, d->erased ? tr("Everything was already erased.")
                                                         : tr("MailKey is still opening the vault. Wait until it has "
                                                              "finished, then erase again."));
        d->post([done = std::move(done), e] { done(e); });
        return;
    }
    d->erasing = true;
    QPointer<AccountService> guard(this);
    ProfileEraser::checkKeychain(
        d->keyStore, d->profile, [guard, sharedFiles, done = std::move(done)](std::optional<Error> problem) mutable {
            if (!guard || guard->d->destroying)
                return;
            AccountService *q = guard.data();
            if (problem) {
                q->d->erasing = false;
                done(*problem);
                return;
            }
            qCInfo(lcService, "erasing everything of this profile");
            auto report = std::make_shared<EraseReport>();
            const QList<Account> accounts = q->d->state == VaultState::Ready ? q->accounts() : QList<Account>();
            ProfileEraser::revokeAll(
                accounts,
                [guard](const QString &email, const QString &provider,
                        std::function<void(Result<TokenBroker::RemovalAnswer>)> removed) {
                    if (guard)
                        guard->removeAccount(email, provider, std::move(removed));
                },
                report,
                [guard, report, sharedFiles, done = std::move(done)]() mutable {
                    if (!guard || guard->d->destroying)
                        return;
                    const QStringList entries = VaultAccess::keychainEntries(guard->d->profile);
                    // Not from inside the removal's own callback: the lifecycle is deleted here.
                    guard->d->post([guard, report, sharedFiles, entries, done = std::move(done)]() mutable {
                        if (!guard || guard->d->destroying)
                            return;
                        guard->d->eraseFilesAndKeys(entries, report, sharedFiles, std::move(done));
                    });
                });
        });
}

// --- folders ----------------------------------------------------------------------------------

void AccountService::fetchFolders(qint64 accountId)
{
    const auto failLater
        = [this, accountId](const Error &e) { d->post([this, accountId, e] { Q_EMIT foldersFailed(accountId, e); }); };
    if (!d->vault) {
        failLater(d->vaultNotReady());
        return;
    }
    const std::optional<Account> a = account(accountId);
    if (!a) {
        failLater(Error(ErrorCode::NotFound, tr("This account is no longer in MailKey.")));
        return;
    }
    const Provider provider = d->providers ? d->providers->provider(a->provider) : Provider();
    if (!provider.isValid()) {
        failLater(Error(ErrorCode::Config, tr("The provider \"%1\" of this account is no longer configured, so its "
                                              "folders cannot be listed.")
                                               .arg(a->provider)));
        return;
    }
    if (provider.mailApi == Provider::MailApi::None) {
        failLater(Error(ErrorCode::Config, tr("%1 has no mail folder API, so MailKey cannot list its folders. Its "
                                              "tokens can still be used by mail programs (IMAP/SMTP).")
                                               .arg(provider.displayName)));
        return;
    }
    if (d->state == VaultState::Verifying) {
        // No token is fetched before every page of the vault was checked: the request waits and
        // runs when the vault is Ready (adoptVault), or fails with the vault.
        d->foldersAfterCheck.insert(accountId);
        return;
    }
    d->cancelFolderFetch(accountId); // a newer request replaces an older one
    d->startFolderFetch(accountId, provider, d->folderGeneration.value(accountId), false);
}

} // namespace mailkey
