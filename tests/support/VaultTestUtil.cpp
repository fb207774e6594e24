#include "tests/support/VaultTestUtil.h"

#include "core/vault/Vault.h"
#include "core/vault/VaultAccess.h"
#include "tests/support/TestUtil.h"

#include <optional>

namespace mailkey::test {

std::shared_ptr<Vault> unlockVault(const Profile &profile, KeyStore *keyStore)
{
    std::optional<Result<OpenedVault>> opened;
    VaultAccess::unlock(profile, keyStore, [&](Result<OpenedVault> r) { opened.emplace(std::move(r)); });
    if (!waitFor([&] { return opened.has_value(); }, 20000)) {
        ADD_FAILURE() << "the vault was not opened within 20 s";
        return nullptr;
    }
    if (!opened->ok()) {
        ADD_FAILURE() << opened->error().message.toStdString();
        return nullptr;
    }
    return opened->value().vault;
}

QStringList auditActions(Vault &vault)
{
    QStringList out;
    auto entries = vault.audit();
    if (!entries.ok())
        return out;
    for (const AuditEntry &e : entries.value())
        out.prepend(e.action); // the log is newest first
    return out;
}

} // namespace mailkey::test
