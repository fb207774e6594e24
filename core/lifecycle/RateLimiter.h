#pragma once

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QUrl>

#include <functional>

namespace mailkey {

class Clock;

// Paces outgoing calls per provider endpoint host (a token bucket per key), so a bug or hundreds
// of accounts cannot hammer a token or revocation endpoint, and remembers Retry-After per key:
// no call to that host is made before the time the provider asked for.
//
// The bucket holds up to `burst` permits and refills at `perSecond`. reserve() never blocks: it
// takes a permit (possibly one that only becomes available in the future) and returns how long
// the caller must wait before sending. Reservations are first come, first served, so waiting
// callers are spread evenly at the refill rate.
//
// Bucket time is monotonic (injectable for tests); Retry-After is wall-clock time (Clock).
class RateLimiter {
public:
    // Defaults: a burst of 6 (QNetworkAccessManager's 6 HTTP/1.1 connections per host), then 40 per
    // second, about what 6 connections sustain at 150 ms per request. A runaway loop is capped at
    // 40 requests per second per provider host; a normal refresh of 100 accounts is not slowed.
    struct Limits {
        int burst = 6;
        double perSecond = 40.0;
    };

    explicit RateLimiter(const Clock *clock = nullptr, std::function<qint64()> monotonicMs = {});

    void setLimits(const Limits &limits);
    Limits limits() const { return m_limits; }

    // "host:port" of an endpoint URL; every endpoint of one host shares one bucket.
    static QString keyFor(const QUrl &url);

    // Takes one permit for `key`; returns the milliseconds to wait before using it (0 = now).
    qint64 reserve(const QString &key);
    // Milliseconds until a permit would be free, without taking one.
    qint64 wouldWaitMs(const QString &key) const;

    // Retry-After: nothing may be sent to `key` before `until` (wall clock). Later calls can
    // only extend the block.
    void blockUntil(const QString &key, const QDateTime &until);
    // The wall-clock time before which `key` must not be called; invalid when not blocked.
    QDateTime blockedUntil(const QString &key) const;
    bool isBlocked(const QString &key) const { return blockedUntil(key).isValid(); }

private:
    struct Bucket {
        double tokens = 0;
        qint64 updatedMs = 0;
    };
    Bucket refilled(const QString &key, qint64 nowMs) const;

    const Clock *m_clock;
    std::function<qint64()> m_monotonicMs;
    Limits m_limits;
    QHash<QString, Bucket> m_buckets;
    QHash<QString, QDateTime> m_blocked;
};

} // namespace mailkey
