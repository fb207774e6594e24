#include "core/lifecycle/Backoff.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace mailkey {

Backoff::Backoff(Policy policy, std::function<double()> random01) : m_policy(policy), m_random(std::move(random01))
{
    if (!m_random)
        m_random = [] { return QRandomGenerator::global()->generateDouble(); };
}

qint64 Backoff::baseDelayMs(int failures) const
{
    const int n = std::max(1, failures);
    double delay = double(m_policy.initialMs);
    for (int i = 1; i < n && delay < double(m_policy.maximumMs); ++i)
        delay *= std::max(1.0, m_policy.factor);
    return std::min<qint64>(qint64(delay), m_policy.maximumMs);
}

qint64 Backoff::lowestDelayMs(int failures) const
{
    const double j = std::clamp(m_policy.jitter, 0.0, 0.5);
    const qint64 low = qint64(double(baseDelayMs(failures)) * (1.0 - j));
    return std::clamp(low, m_policy.minimumMs, m_policy.maximumMs);
}

qint64 Backoff::highestDelayMs(int failures) const
{
    const double j = std::clamp(m_policy.jitter, 0.0, 0.5);
    const qint64 high = qint64(double(baseDelayMs(failures)) * (1.0 + j));
    return std::clamp(high, m_policy.minimumMs, m_policy.maximumMs);
}

qint64 Backoff::delayMs(int failures) const
{
    const double j = std::clamp(m_policy.jitter, 0.0, 0.5);
    const double r = std::clamp(m_random(), 0.0, 1.0);
    const double spread = 1.0 - j + 2.0 * j * r; // 1-j .. 1+j
    const qint64 delay = qint64(std::llround(double(baseDelayMs(failures)) * spread));
    return std::clamp(delay, m_policy.minimumMs, m_policy.maximumMs);
}

} // namespace mailkey
