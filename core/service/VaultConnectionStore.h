#pragma once

#include "core/oauth/ConnectionStore.h"

#include <memory>

namespace mailkey {

class Vault;

// The vault as the store of sign-ins (ConnectionStore): audit rows go to Vault::appendAudit,
// connections to Vault::saveConnection. Used by the AccountService for the window and by
// mailkey-cli's connect.
class VaultConnectionStore final : public ConnectionStore {
public:
    explicit VaultConnectionStore(std::shared_ptr<Vault> vault);

    void audit(const AuditEntry &entry) override;
    Result<Saved> save(const AccountInfo &info, const TokenRecord &tokens, const QDateTime &at) override;

private:
    std::shared_ptr<Vault> m_vault;
};

} // namespace mailkey
