#pragma once

#include "core/lifecycle/HealthClock.h"
#include "core/vault/VaultTypes.h"

#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

class QTimer;

namespace mailkey {

class Clock;

// Warns ahead of the health clock (core/lifecycle/HealthClock): when an account's sign-in is
// expected to be needed within warnDays days, `warn` is called once per account and predicted
// date (AccountService turns it into the expiring_soon hook, an alert and a desktop
// notification). It checks on check() (coalesced: accounts changed) and once a day (a QTimer),
// never more often. Off until setSettings() is given warnDays > 0.
class HealthWatch : public QObject {
    Q_OBJECT
public:
    using AccountsFn = std::function<QList<Account>()>;
    using WarnFn = std::function<void(const Account &, const HealthForecast &)>;

    static constexpr int CheckIntervalMs = 24 * 3600 * 1000;
    static constexpr int CoalesceMs = 500; // a burst of changes (refreshes) makes one check

    HealthWatch(AccountsFn accounts, WarnFn warn, QObject *parent = nullptr);

    void setClock(const Clock *clock);
    // warnDays <= 0 turns the warnings off (and the daily timer).
    void setSettings(bool googleTestingStatus, int warnDays);
    bool googleTestingStatus() const { return m_googleTesting; }
    int warnDays() const { return m_warnDays; }

    // Asks for a check CoalesceMs later (the calls until then make one check).
    void check();
    // The check itself, now (the daily timer, tests).
    void checkNow();

private:
    AccountsFn m_accounts;
    WarnFn m_warn;
    const Clock *m_clock = nullptr;
    bool m_googleTesting = false;
    int m_warnDays = 0;
    QTimer *m_daily = nullptr;
    QTimer *m_soon = nullptr;
    QHash<qint64, QDate> m_warned; // per account: the predicted date already warned of
};

} // namespace mailkey
