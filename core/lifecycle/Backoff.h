#pragma once

#include <QList>
#include <QtGlobal>

#include <functional>

namespace mailkey {

// Exponential back-off with jitter for transient failures (network, 5xx, 429,
// temporarily_unavailable). The sequence is bounded: 30 s, 1 min, 2 min, 4 min, 8 min, 16 min,
// then 30 min for every later failure. Each delay is spread by +/- jitter (default 20 %) so that
// many accounts failing at the same moment do not retry at the same moment, and the result is
// always clamped to [minimumMs, maximumMs] (never shorter than a fixed floor, never longer than
// the cap), so there is no retry storm and no "retry in a week".
struct BackoffPolicy {
    qint64 initialMs = 30 * 1000;
    double factor = 2.0;
    qint64 maximumMs = 30 * 60 * 1000;
    double jitter = 0.2;     // fraction, 0 .. 0.5
    qint64 minimumMs = 1000; // floor after jitter
};

class Backoff {
public:
    using Policy = BackoffPolicy;

    // random01 returns a number in [0, 1); defaults to QRandomGenerator::global().
    explicit Backoff(Policy policy = Policy(), std::function<double()> random01 = {});

    const Policy &policy() const { return m_policy; }
    void setPolicy(const Policy &policy) { m_policy = policy; }

    // The delay before the next attempt after `failures` consecutive failures (1 = first).
    // failures <= 0 is treated as 1.
    qint64 delayMs(int failures) const;

    // The delay without jitter (the middle of the range).
    qint64 baseDelayMs(int failures) const;
    // The smallest and largest value delayMs(failures) can return.
    qint64 lowestDelayMs(int failures) const;
    qint64 highestDelayMs(int failures) const;

private:
    Policy m_policy;
    std::function<double()> m_random;
};

} // namespace mailkey
