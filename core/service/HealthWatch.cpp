#include "core/service/HealthWatch.h"

#include "core/common/Clock.h"

#include <QTimer>

namespace mailkey {

HealthWatch::HealthWatch(AccountsFn accounts, WarnFn warn, QObject *parent)
    : QObject(parent), m_accounts(std::move(accounts)), m_warn(std::move(warn)), m_daily(new QTimer(this)),
      m_soon(new QTimer(this))
{
    m_daily->setInterval(CheckIntervalMs);
    connect(m_daily, &QTimer::timeout, this, &HealthWatch::checkNow);
    m_soon->setSingleShot(true);
    m_soon->setInterval(CoalesceMs);
    connect(m_soon, &QTimer::timeout, this, &HealthWatch::checkNow);
}

void HealthWatch::setClock(const Clock *clock)
{
    m_clock = clock;
}

void HealthWatch::setSettings(bool googleTestingStatus, int warnDays)
{
    m_googleTesting = googleTestingStatus;
    m_warnDays = warnDays;
    if (m_warnDays > 0) {
        if (!m_daily->isActive())
            m_daily->start();
        check();
    } else {
        m_daily->stop();
        m_soon->stop();
    }
}

void HealthWatch::check()
{
    if (m_warnDays > 0 && !m_soon->isActive())
        m_soon->start();
}

void HealthWatch::checkNow()
{
    m_soon->stop();
    if (m_warnDays <= 0)
        return;
    const QDateTime now = (m_clock ? m_clock : Clock::system())->now();
    const QDateTime horizon = now.addDays(m_warnDays);
    const QList<Account> accounts = m_accounts();
    for (const Account &a : accounts) {
        const HealthForecast f = HealthClock::forecast(a, m_googleTesting, now);
        if (!f.signInNeededBy.isValid() || f.signInNeededBy > horizon)
            continue;
        // An account already waiting for a new sign-in shows that itself (status, needs_sign_in
        // hook); the health clock warns ahead of it, and of the policy limit it names (MaxAge).
        if (a.status == AccountStatus::NeedsSignIn && f.reason != HealthClock::Reason::MaxAge)
            continue;
        const QDate date = f.signInNeededBy.toUTC().date();
        if (m_warned.value(a.id) == date)
            continue;
        m_warned.insert(a.id, date);
        m_warn(a, f);
    }
}

} // namespace mailkey
