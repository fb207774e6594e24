#include "core/lifecycle/RateLimiter.h"

#include "core/common/Clock.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <memory>

namespace mailkey {

RateLimiter::RateLimiter(const Clock *clock, std::function<qint64()> monotonicMs)
    : m_clock(clock ? clock : Clock::system()), m_monotonicMs(std::move(monotonicMs))
{
    if (!m_monotonicMs) {
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        m_monotonicMs = [timer] { return timer->elapsed(); };
    }
}

void RateLimiter::setLimits(const Limits &limits)
{
    m_limits.burst = std::max(1, limits.burst);
    m_limits.perSecond = limits.perSecond > 0 ? limits.perSecond : 1.0;
    m_buckets.clear();
}

QString RateLimiter::keyFor(const QUrl &url)
{
    return url.host().toLower() + QLatin1Char(':')
           + QString::number(url.port(url.scheme() == QLatin1String("http") ? 80 : 443));
}

RateLimiter::Bucket RateLimiter::refilled(const QString &key, qint64 nowMs) const
{
    auto it = m_buckets.constFind(key);
    if (it == m_buckets.constEnd())
        return Bucket{double(m_limits.burst), nowMs};
    Bucket b = *it;
    if (nowMs > b.updatedMs) {
        b.tokens
            = std::min(double(m_limits.burst), b.tokens + double(nowMs - b.updatedMs) * m_limits.perSecond / 1000.0);
        b.updatedMs = nowMs;
    }
    return b;
}

qint64 RateLimiter::wouldWaitMs(const QString &key) const
{
    const Bucket b = refilled(key, m_monotonicMs());
    if (b.tokens >= 1.0)
        return 0;
    return qint64(std::ceil((1.0 - b.tokens) * 1000.0 / m_limits.perSecond));
}

qint64 RateLimiter::reserve(const QString &key)
{
    const qint64 now = m_monotonicMs();
    Bucket b = refilled(key, now);
    // The permit is taken now; a negative balance is the queue of callers already waiting.
    b.tokens -= 1.0;
    m_buckets.insert(key, b);
    if (b.tokens >= 0.0)
        return 0;
    return qint64(std::ceil(-b.tokens * 1000.0 / m_limits.perSecond));
}

void RateLimiter::blockUntil(const QString &key, const QDateTime &until)
{
    if (!until.isValid())
        return;
    const QDateTime current = m_blocked.value(key);
    if (!current.isValid() || until > current)
        m_blocked.insert(key, until.toUTC());
}

QDateTime RateLimiter::blockedUntil(const QString &key) const
{
    const QDateTime until = m_blocked.value(key);
    if (!until.isValid() || until <= m_clock->now())
        return QDateTime();
    return until;
}

} // namespace mailkey
