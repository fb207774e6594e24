#pragma once

#include <QDateTime>
#include <QTimeZone>
#include <QtGlobal>

namespace mailkey {

// UTC, to pass where QDateTime takes a time zone or time spec. Qt 6.8 deprecates the Qt::TimeSpec
// overloads; QTimeZone::UTC (no time-zone database needed) exists from Qt 6.5.
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
inline QTimeZone utcZone()
{
    return QTimeZone(QTimeZone::UTC);
}
#else
inline Qt::TimeSpec utcZone()
{
    return Qt::UTC;
}
#endif

// Wall-clock time, injectable so tests can jump ahead (sign-in expiry, token refresh).
class Clock {
public:
    virtual ~Clock() = default;
    virtual QDateTime now() const { return QDateTime::currentDateTimeUtc(); }

    static Clock *system();
};

class ManualClock : public Clock {
public:
    explicit ManualClock(QDateTime start = QDateTime::currentDateTimeUtc()) : m_now(std::move(start)) {}
    QDateTime now() const override { return m_now; }
    void advance(qint64 seconds) { m_now = m_now.addSecs(seconds); }
    void advanceMs(qint64 ms) { m_now = m_now.addMSecs(ms); }
    void set(const QDateTime &t) { m_now = t; }

private:
    QDateTime m_now;
};

inline Clock *Clock::system()
{
    static Clock clock;
    return &clock;
}

} // namespace mailkey
