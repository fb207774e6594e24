#include "core/lifecycle/RefreshScheduler.h"

#include "core/common/Clock.h"
#include "core/lifecycle/TokenManager.h"
#include "core/vault/Vault.h"

#include <QLoggingCategory>
#include <QNetworkInformation>
#include <QTimer>

#ifdef MAILKEY_HAVE_QTDBUS
#include <QDBusConnection>
#endif

#include <algorithm>

namespace mailkey {

Q_LOGGING_CATEGORY(lcScheduler, "mailkey.scheduler")

RefreshScheduler::RefreshScheduler(TokenManager *manager, QObject *parent) : QObject(parent), m_manager(manager)
{
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &RefreshScheduler::onTimer);
    // When a refresh ends, the account's next due time changes.
    connect(m_manager, &TokenManager::refreshFinished, this, [this] {
        if (m_running)
            arm(m_options.minIntervalMs);
    });
    connect(m_manager, &TokenManager::accountStatusChanged, this, [this] {
        if (m_running)
            arm(m_options.minIntervalMs);
    });
}

RefreshScheduler::~RefreshScheduler() = default;

void RefreshScheduler::setOptions(const Options &options)
{
    m_options = options;
    if (m_running)
        arm(0);
}

void RefreshScheduler::start()
{
    if (m_running)
        return;
    m_running = true;
    m_monotonic.start();
    m_lastWall = m_manager->clock()->now();
    m_sinceNetworkRetry.invalidate();
    if (m_options.watchNetwork && !m_networkWatched)
        setupNetworkInformation();
    if (m_options.watchSleep)
        setupSleepWatch();
    arm(0);
}

void RefreshScheduler::stop()
{
    m_running = false;
    m_timer->stop();
}

void RefreshScheduler::poll()
{
    if (!m_running)
        return;
    m_timer->stop();
    onTimer();
}

void RefreshScheduler::arm(qint64 ms)
{
    if (!m_running)
        return;
    ms = std::clamp<qint64>(ms, 0, m_options.heartbeatMs);
    // Keep an earlier deadline if one is already set.
    if (m_timer->isActive() && m_timer->remainingTime() >= 0 && m_timer->remainingTime() <= ms)
        return;
    m_timer->start(int(ms));
}

void RefreshScheduler::onTimer()
{
    if (!m_running)
        return;
    const QDateTime wall = m_manager->clock()->now();
    const qint64 wallMs = m_lastWall.msecsTo(wall);
    const qint64 monoMs = m_monotonic.restart();
    m_lastWall = wall;
    const qint64 jump = wallMs - monoMs;
    if (std::abs(jump) > m_options.clockJumpToleranceMs) {
        qCInfo(lcScheduler, "wall clock moved %lld s more than the monotonic clock (sleep/resume or clock change)",
               static_cast<long long>(jump / 1000));
        Q_EMIT wallClockJumped(jump / 1000);
    }
    evaluate();
}

void RefreshScheduler::onResumed()
{
    if (!m_running)
        return;
    qCInfo(lcScheduler, "resumed from sleep: checking due work");
    arm(0);
}

void RefreshScheduler::onPrepareForSleep(bool sleeping)
{
    if (!sleeping)
        onResumed();
}

void RefreshScheduler::setNetworkReachable(bool reachable)
{
    const bool cameBack = reachable && !m_networkReachable;
    m_networkReachable = reachable;
    if (!m_running)
        return;
    if (cameBack)
        retryOffline();
    arm(0);
}

void RefreshScheduler::retryOffline()
{
    if (m_sinceNetworkRetry.isValid() && m_sinceNetworkRetry.elapsed() < m_options.networkRetrySpacingMs)
        return;
    m_sinceNetworkRetry.start();
    std::shared_ptr<Vault> vault = m_manager->vault();
    if (!vault)
        return;
    Result<QList<Account>> accounts = vault->accounts();
    if (!accounts)
        return;
    for (const Account &a : *accounts) {
        if (a.status == AccountStatus::Offline && !m_manager->isRefreshing(a.id)) {
            qCInfo(lcScheduler, "network is back: retrying account %lld", static_cast<long long>(a.id));
            Q_EMIT refreshDue(a.id, QString::fromLatin1(DefaultResource));
            m_manager->refreshNow(a.id);
        }
    }
}

qint64 RefreshScheduler::jitterSecondsFor(qint64 accountId, const QString &resource, const QDateTime &expiresAt,
                                          qint64 cap) const
{
    if (cap <= 0)
        return 0;
    // Stable for one token: the same due time on every evaluation and after a restart.
    const size_t h = qHashMulti(0x6d61696cu, accountId, resource, expiresAt.toMSecsSinceEpoch());
    return qint64(h % size_t(cap + 1));
}

QDateTime RefreshScheduler::computeDue(const Account &account, const QList<TokenTiming> &tokens, const QDateTime &now,
                                       QStringList *resourcesDue) const
{
    resourcesDue->clear();
    const bool failing = (account.status == AccountStatus::Offline || account.status == AccountStatus::Error)
                         && account.failureCount > 0 && account.nextRefreshAt.isValid();
    if (failing) {
        if (account.nextRefreshAt <= now)
            resourcesDue->append(QString::fromLatin1(DefaultResource));
        return account.nextRefreshAt;
    }

    QDateTime due;
    QDateTime earliestAllowed;
    if (account.lastRefreshAt.isValid())
        earliestAllowed = account.lastRefreshAt.addSecs(m_options.minSpacingSeconds);
    QDateTime lastActivity = account.lastRefreshAt;
    for (const TokenTiming &t : tokens) {
        if (!t.expiresAt.isValid() || !t.refreshable)
            continue;
        if (t.issuedAt.isValid() && (!lastActivity.isValid() || t.issuedAt > lastActivity))
            lastActivity = t.issuedAt;
        const qint64 lifetime = t.issuedAt.isValid() ? std::max<qint64>(1, t.issuedAt.secsTo(t.expiresAt)) : 3600;
        const qint64 lead = std::min<qint64>(m_options.leadSeconds, lifetime / 2);
        const qint64 jitter = jitterSecondsFor(account.id, t.resource, t.expiresAt,
                                               std::min<qint64>(m_options.jitterSeconds, lead / 2));
        QDateTime d = t.expiresAt.addSecs(-(lead + jitter));
        if (earliestAllowed.isValid() && d < earliestAllowed)
            d = earliestAllowed;
        if (d <= now)
            resourcesDue->append(t.resource);
        if (!due.isValid() || d < due)
            due = d;
    }
    if (lastActivity.isValid()) {
        const qint64 keepJitter = jitterSecondsFor(account.id, QStringLiteral("keep-alive"), lastActivity,
                                                   std::min<qint64>(3600, m_options.keepAliveSeconds / 10));
        const QDateTime keepAlive = lastActivity.addSecs(m_options.keepAliveSeconds - keepJitter);
        if (keepAlive <= now && !resourcesDue->contains(QLatin1String(DefaultResource)))
            resourcesDue->append(QString::fromLatin1(DefaultResource));
        if (!due.isValid() || keepAlive < due)
            due = keepAlive;
    }
    return due;
}

void RefreshScheduler::evaluate()
{
    std::shared_ptr<Vault> vault = m_manager->vault();
    if (!vault) {
        arm(m_options.heartbeatMs);
        return;
    }
    const QDateTime now = m_manager->clock()->now();
    qint64 nextMs = m_options.heartbeatMs;
    // Every account with the timing of its tokens, in one statement.
    Result<QList<AccountTokens>> accounts = vault->accountsWithTokens();
    if (!accounts) {
        qCWarning(lcScheduler, "cannot read the accounts: %s", qUtf8Printable(accounts.error().message));
        arm(m_options.heartbeatMs);
        return;
    }
    // First every due time, stored in one transaction (one sync, not one per account) and only
    // where it changed; then the work that is due. Storing before any refresh is started keeps the
    // order of the writes: a refresh (TokenManager) writes its own schedule after this one.
    struct Planned {
        qint64 id;
        QDateTime due;
        QStringList resources;
    };
    QList<Planned> planned;
    QList<Vault::RefreshSchedule> changed;
    QHash<qint64, QDateTime> due;
    for (const AccountTokens &row : std::as_const(*accounts)) {
        const Account &a = row.account;
        if (a.status == AccountStatus::NeedsSignIn)
            continue;
        QStringList resources;
        const QDateTime d = computeDue(a, row.tokens, now, &resources);
        if (!d.isValid())
            continue;
        due.insert(a.id, d);
        const bool failing = a.failureCount > 0;
        if (!failing && m_persistedDue.value(a.id) != d) {
            if (a.nextRefreshAt == d)
                m_persistedDue.insert(a.id, d); // already stored (by an earlier run or process)
            else
                changed.append({a.id, d, a.failureCount});
        }
        planned.append({a.id, d, resources});
    }
    if (!changed.isEmpty()) {
        if (Status s = vault->setRefreshSchedules(changed); s) {
            for (const Vault::RefreshSchedule &c : std::as_const(changed))
                m_persistedDue.insert(c.accountId, c.next);
        } else {
            qCWarning(lcScheduler, "cannot store the refresh schedule: %s", qUtf8Printable(s.error().message));
        }
    }
    for (const Planned &p : std::as_const(planned)) {
        if (m_manager->isRefreshing(p.id))
            continue; // finishing it re-arms the timer
        if (!p.resources.isEmpty()) {
            if (!m_networkReachable)
                continue; // held until the network is back
            for (const QString &r : p.resources) {
                Q_EMIT refreshDue(p.id, r);
                m_manager->refreshScheduled(p.id, r);
            }
            continue;
        }
        nextMs = std::min(nextMs, now.msecsTo(p.due));
    }
    m_due = due;
    arm(std::max<qint64>(nextMs, m_options.minIntervalMs));
}

void RefreshScheduler::setupNetworkInformation()
{
    m_networkWatched = true;
    // Loading a backend can fail (no NetworkManager on D-Bus, Qt 6.4's plugin not installed ...):
    // then only the timers are used.
    QNetworkInformation *info = QNetworkInformation::instance();
    if (!info && !QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability))
        (void)QNetworkInformation::loadDefaultBackend();
    info = QNetworkInformation::instance();
    if (!info || !info->supports(QNetworkInformation::Feature::Reachability)) {
        qCInfo(lcScheduler, "network reachability is not available; relying on timers");
        return;
    }
    const auto reachable
        = [](QNetworkInformation::Reachability r) { return r != QNetworkInformation::Reachability::Disconnected; };
    m_networkReachable = reachable(info->reachability());
    connect(info, &QNetworkInformation::reachabilityChanged, this,
            [this, reachable](QNetworkInformation::Reachability r) { setNetworkReachable(reachable(r)); });
}

void RefreshScheduler::setupSleepWatch()
{
#ifdef MAILKEY_HAVE_QTDBUS
    QDBusConnection bus = QDBusConnection::systemBus();
    if (!bus.isConnected())
        return;
    bus.connect(QStringLiteral("org.freedesktop.login1"), QStringLiteral("/org/freedesktop/login1"),
                QStringLiteral("org.freedesktop.login1.Manager"), QStringLiteral("PrepareForSleep"), this,
                SLOT(onPrepareForSleep(bool)));
#endif
}

} // namespace mailkey
