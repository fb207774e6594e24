#pragma once

#include "core/common/SecretString.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace mailkey {

// How long an access token handed out must stay valid at least, unless the caller asks for
// another time: mailkey-cli, the window's local socket (IpcServer, "min_validity") and the
// window's own API calls all use it.
inline constexpr int kMinTokenValiditySeconds = 60;

// An access token handed to a caller of TokenManager::accessToken(). Move-only: the token is
// wiped when its holder is destroyed, and a second copy exists only where clone() says so.
struct AccessToken {
    qint64 accountId = 0;
    QString resource;
    SecretString token; // never log it, never put it in a message
    QString tokenType = QStringLiteral("Bearer");
    QDateTime expiresAt;
    QStringList scopes;
    bool refreshed = false; // minted by a refresh for this request (false: from the vault)

    AccessToken clone() const
    {
        AccessToken t;
        t.accountId = accountId;
        t.resource = resource;
        t.token = token.clone();
        t.tokenType = tokenType;
        t.expiresAt = expiresAt;
        t.scopes = scopes;
        t.refreshed = refreshed;
        return t;
    }
};

} // namespace mailkey
