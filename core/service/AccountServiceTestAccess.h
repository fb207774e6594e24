#pragma once

// FOR TESTS AND BENCHMARKS ONLY. AccountService is the one owner of its vault and token lifecycle
// and hands them to nobody; tests that check what was stored, or tune the lifecycle (short
// retries), reach them here. Product code (core/, ui/, app/, cli/) never includes this header.

#include <memory>

namespace mailkey {

class AccountService;
class AuditReader;
class RefreshScheduler;
class TokenManager;
class Vault;

class AccountServiceTestAccess {
public:
    static std::shared_ptr<Vault> vault(const AccountService &service); // null until Ready
    static TokenManager *tokens(const AccountService &service);         // null until Ready
    static RefreshScheduler *scheduler(const AccountService &service);  // null until Ready
    static AuditReader *auditReader(const AccountService &service);     // readAudit()'s
};

} // namespace mailkey
