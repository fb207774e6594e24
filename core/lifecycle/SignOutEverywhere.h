#pragma once

#include "core/common/Profile.h"
#include "core/common/Result.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace mailkey {

class Clock;
class KeyStore;
class Revoker;
class Vault;

// What "Sign out everywhere" did.
struct SignOutReport {
    int accounts = 0;         // accounts in the vault (all are now "Needs sign-in")
    int revoked = 0;          // grants the provider confirmed as revoked
    int pending = 0;          // revocations queued after a temporary failure
    int notRevocable = 0;     // providers without revocation (Microsoft): see messages
    int failed = 0;           // providers that refused
    bool tokensWiped = false; // every token deleted from the vault (and its WAL)
    bool keyRotated = false;  // the vault is now encrypted with a new key
    QStringList messages;     // per account, what happened and what to do by hand
    QString summary() const;
};

// Incident response: for when a token or this computer may be compromised.
//  1. an audit entry "incident.sign-out-everywhere" / "started";
//  2. the tokens of every account are copied into memory and then wiped from the vault
//     (Vault::wipeAllTokens: every account becomes "Needs sign-in", no token bytes remain in the
//     database or WAL);
//  3. from the in-memory copies, every grant that can be revoked is revoked at its provider
//     (Revoker::revoke), in parallel with
//  4. a rotation of the vault key (VaultAccess::rotateKey with the profile's KeyStore), so a copy
//     of the old key is worthless for the current file;
//  5. an audit entry "incident.sign-out-everywhere" with outcome "ok" or "failed" and a summary.
// The result is an error only when the tokens could not be wiped or the key not rotated; the
// report then still says what was done.
class SignOutEverywhere : public QObject {
    Q_OBJECT
public:
    SignOutEverywhere(std::shared_ptr<Vault> vault, Profile profile, KeyStore *keyStore, Revoker *revoker,
                      const Clock *clock, QObject *parent = nullptr);
    ~SignOutEverywhere() override;

    // Runs once; done is called exactly once, on this object's thread.
    void start(std::function<void(Result<SignOutReport>)> done);

private:
    void finishIfDone();
    void audit(const QString &outcome, const QString &detail);

    std::shared_ptr<Vault> m_vault;
    Profile m_profile;
    KeyStore *m_keyStore;
    Revoker *m_revoker;
    const Clock *m_clock;
    std::function<void(Result<SignOutReport>)> m_done;
    SignOutReport m_report;
    int m_outstanding = 0;
    bool m_rotationDone = false;
    Status m_wipeStatus;
    Status m_rotateStatus;
};

} // namespace mailkey
