#pragma once

#include "core/vault/VaultTypes.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QString>

namespace mailkey {

// The health clock of an account: the date by which a new sign-in is expected to be needed, and
// why. A pure function of the account, one fact the person states and the time; no vault, no
// network, no clock of its own.
//
//  - The account's status reason names AADSTS70043 (a Conditional Access sign-in frequency, the
//    maximum age of a sign-in, was reached): a sign-in is needed now (MaxAge, date = now).
//  - Google, app in "Testing" publishing status (provider/google/testing_status in settings.ini:
//    MailKey cannot learn it, the person states it): the refresh token ends 7 days after the
//    sign-in (GoogleTesting). The sign-in is the account's signedInAt (the last sign-in, kept
//    since vault schema 5). Without it (an account from an older vault, not signed in to since),
//    the first sign-in, createdAt; such an account that refreshed after those 7 days was signed in
//    again at an unknown time: the date is then unknown (reason GoogleTesting).
//  - Microsoft: a refresh token unused for 90 days ends; Google (published app): unused for 6
//    months. The date counts from the last refresh (else the sign-in) (Inactivity). MailKey
//    refreshes idle accounts every 14 days while it runs, so each refresh moves this date.
//  - A custom provider: unknown (invalid date).
class HealthClock {
    Q_DECLARE_TR_FUNCTIONS(mailkey::HealthClock)
public:
    enum class Reason {
        Inactivity,
        GoogleTesting,
        MaxAge,
        Unknown
    };
    struct Forecast {
        QDateTime signInNeededBy; // UTC; invalid: unknown
        Reason reason = Reason::Unknown;
        QString text; // user-facing, translated: the date and why ("Sign-in needed by ...")
        QString why;  // the reason alone, translated, for a secondary line next to the date
    };

    static constexpr int MicrosoftInactivityDays = 90;
    static constexpr int GoogleInactivityMonths = 6;
    static constexpr int GoogleTestingDays = 7;
    static constexpr int KeepAliveDays = 14;

    static Forecast forecast(const Account &account, bool googleTestingStatus, const QDateTime &now);

    // "inactivity", "google-testing", "max-age", "unknown" (`mailkey-cli list --json`).
    static QString reasonName(Reason reason);
};

using HealthForecast = HealthClock::Forecast;

} // namespace mailkey
