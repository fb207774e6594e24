#pragma once

#include "core/common/SecureBytes.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

namespace mailkey {

// How long an access token handed out must stay valid at least, unless the caller asks for
// another time: mailkey-cli, the window's local socket (IpcServer, "min_validity") and the
// window's own API calls all use it.
inline constexpr int kMinTokenValiditySeconds = 60;

// An access token handed to a caller of TokenManager::accessToken(). The token string is wiped
// when the last copy is destroyed (copies share their data until written to).
struct AccessToken {
    qint64 accountId = 0;
    QString resource;
    QString token; // secret: never log it, never put it in a message
    QString tokenType = QStringLiteral("Bearer");
    QDateTime expiresAt;
    QStringList scopes;
    bool refreshed = false; // minted by a refresh for this request (false: from the vault)

    AccessToken() = default;
    AccessToken(const AccessToken &) = default;
    AccessToken(AccessToken &&) noexcept = default;
    AccessToken &operator=(const AccessToken &) = default;
    AccessToken &operator=(AccessToken &&) noexcept = default;
    ~AccessToken() { secureWipe(token); }
};

} // namespace mailkey
