#include "core/service/VaultConnectionStore.h"

#include "core/vault/Vault.h"

#include <QLoggingCategory>

namespace mailkey {

Q_LOGGING_CATEGORY(lcConnectionStore, "mailkey.connect")

VaultConnectionStore::VaultConnectionStore(std::shared_ptr<Vault> vault) : m_vault(std::move(vault)) {}

void VaultConnectionStore::audit(const AuditEntry &entry)
{
    if (Status s = m_vault->appendAudit(entry); !s)
        qCWarning(lcConnectionStore, "could not write to the audit log: %s", qPrintable(s.error().message));
}

Result<ConnectionStore::Saved> VaultConnectionStore::save(const AccountInfo &info, const TokenRecord &tokens,
                                                          const QDateTime &at)
{
    Result<UpsertResult> saved = m_vault->saveConnection(info, tokens, at);
    if (!saved)
        return saved.error();
    Saved result;
    result.created = saved->created;
    if (auto stored = m_vault->account(saved->accountId); stored && stored.value()) {
        result.account = *stored.value();
    } else {
        // Stored, but could not be read back: what was stored is known.
        result.account.id = saved->accountId;
        result.account.provider = info.provider;
        result.account.email = info.email;
        result.account.displayName = info.displayName;
        result.account.tenant = info.tenant;
        result.account.subject = info.subject;
        result.account.createdAt = at;
        result.account.updatedAt = at;
    }
    return result;
}

} // namespace mailkey
