#include "core/lifecycle/HealthClock.h"

#include <QLocale>

namespace mailkey {

namespace {

QString shortDate(const QDateTime &when)
{
    return QLocale().toString(when.toLocalTime().date(), QLocale::ShortFormat);
}

} // namespace

HealthClock::Forecast HealthClock::forecast(const Account &account, bool googleTestingStatus, const QDateTime &now)
{
    const QDateTime &signedInAt = account.signedInAt;
    Forecast f;
    if (account.statusReason.contains(QLatin1String("AADSTS70043"))) {
        f.signInNeededBy = now.toUTC();
        f.reason = Reason::MaxAge;
        f.why = tr("the organisation's sign-in frequency policy limits how long a sign-in lasts, and that time "
                   "has passed");
        f.text = tr("Sign-in needed now (%1)").arg(f.why);
        return f;
    }
    const QDateTime signIn = signedInAt.isValid() ? signedInAt : account.createdAt;
    QDateTime lastUse = signIn;
    if (account.lastRefreshAt.isValid() && (!lastUse.isValid() || account.lastRefreshAt > lastUse))
        lastUse = account.lastRefreshAt;

    if (account.provider == QLatin1String("google") && googleTestingStatus) {
        if (!signIn.isValid())
            return f;
        f.reason = Reason::GoogleTesting;
        const QDateTime end = signIn.toUTC().addDays(GoogleTestingDays);
        if (!signedInAt.isValid() && account.lastRefreshAt.isValid() && account.lastRefreshAt > end) {
            // Worked after the first sign-in's 7 days: signed in again since, but the vault does not
            // keep when (createdAt is the first sign-in).
            f.why = tr("Google ends sign-ins to apps in Testing status %1 days after each sign-in; MailKey does "
                       "not know when the last one was")
                        .arg(GoogleTestingDays);
            f.text = tr("Unknown: %1").arg(f.why);
            return f;
        }
        f.signInNeededBy = end;
        f.why = tr("Google ends sign-ins to apps in Testing status after %1 days, whatever MailKey does")
                    .arg(GoogleTestingDays);
        f.text = tr("Sign-in needed by %1 (%2)").arg(shortDate(f.signInNeededBy), f.why);
        return f;
    }
    if (!lastUse.isValid())
        return f;
    // The inactivity window: the date moves with every refresh (keep-alive while MailKey runs).
    const auto inactivity = [&f](const QDateTime &end, const QString &why) {
        f.signInNeededBy = end;
        f.reason = Reason::Inactivity;
        f.why = why;
        f.text = tr("Sign-in needed by %1 if MailKey does not run before (%2)").arg(shortDate(end), why);
        return f;
    };
    if (account.provider == QLatin1String("microsoft"))
        return inactivity(
            lastUse.toUTC().addDays(MicrosoftInactivityDays),
            tr("Microsoft ends sign-ins unused for %1 days; MailKey refreshes every %2 days while it runs")
                .arg(MicrosoftInactivityDays)
                .arg(KeepAliveDays));
    if (account.provider == QLatin1String("google"))
        return inactivity(lastUse.toUTC().addMonths(GoogleInactivityMonths),
                          tr("Google ends sign-ins unused for %1 months; MailKey refreshes every %2 days while it runs")
                              .arg(GoogleInactivityMonths)
                              .arg(KeepAliveDays));
    f.why = tr("MailKey does not know when this provider ends sign-ins");
    f.text = tr("Unknown: %1").arg(f.why);
    return f;
}

QString HealthClock::reasonName(Reason reason)
{
    switch (reason) {
    case Reason::Inactivity:
        return QStringLiteral("inactivity");
    case Reason::GoogleTesting:
        return QStringLiteral("google-testing");
    case Reason::MaxAge:
        return QStringLiteral("max-age");
    case Reason::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

} // namespace mailkey
