#pragma once

#include "core/common/Result.h"
#include "core/vault/VaultTypes.h"

#include <QDateTime>

namespace mailkey {

// Where a sign-in leaves what it produced: ConnectSession holds no vault and writes nothing
// itself. It reports each step to audit() and hands the finished connection to save(); the owner
// of the vault decides where both go (VaultConnectionStore in core/service, for the window's
// AccountService and for mailkey-cli), and a test can keep them in memory.
class ConnectionStore {
public:
    struct Saved {
        Account account;
        bool created = false; // false: (provider, email) was connected already and was updated
    };

    ConnectionStore() = default;
    ConnectionStore(const ConnectionStore &) = delete;
    ConnectionStore &operator=(const ConnectionStore &) = delete;
    virtual ~ConnectionStore() = default;

    // One audit row (its detail is redacted by whoever stores it). Best effort: a failure is the
    // store's to report, it never ends a sign-in.
    virtual void audit(const AuditEntry &entry) = 0;
    // Adds the account, or updates it in place when (provider, email) is connected already, and
    // replaces its tokens, all or nothing. `tokens` is wiped by the caller afterwards.
    virtual Result<Saved> save(const AccountInfo &info, const TokenRecord &tokens, const QDateTime &at) = 0;
};

} // namespace mailkey
