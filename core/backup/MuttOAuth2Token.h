#pragma once

#include "core/common/Result.h"
#include "core/vault/VaultSnapshot.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace mailkey {

// A token file of mutt's and neomutt's contrib/oauth2/mutt_oauth2.py, as its DECRYPTION_PIPE
// prints it (`gpg --decrypt FILE`): one JSON object with
//   registration             "google" or "microsoft" (a key of the script's `registrations`)
//   authflow                 "authcode", "localhostauthcode" or "devicecode" (not needed here)
//   email                    the mailbox address
//   access_token             may be ""
//   access_token_expiration  datetime.now().isoformat() of the script's machine (local time,
//                            no zone, microseconds), or ""
//   refresh_token            the refresh token of the user's own app registration
//   client_id, client_secret that registration (neomutt's current script stores them in the file;
//                            older ones, such as the example in Debian 12's mutt, keep them in the
//                            script's `registrations`: then they must be added, see
//                            docs/backup-format.md)
// The account keeps that client (AccountClient): the refresh token works with it only.
class MuttOAuth2Token {
public:
    // The MailKey provider of a registration: "google" and "microsoft" are the built-in ones;
    // empty for any other (the person names one with --provider).
    static QString providerFor(const QString &registration);

    // `providerId`: the provider to file the account under (providerFor(registration) unless the
    // person chose one); `microsoft`: whether it is a Microsoft provider, whose mutt_oauth2 grant
    // covers Outlook IMAP, POP and SMTP (not Graph): the token is stored for the "imap" resource.
    // Errors (InvalidInput) name the field that is wrong, never a value.
    static Result<SnapshotAccount> parse(const QByteArray &json, const QString &providerId, bool microsoft,
                                         const QDateTime &now);
    // The registration named in the file ("" if none), to pick the provider before parse().
    static QString registrationOf(const QByteArray &json);
};

} // namespace mailkey
