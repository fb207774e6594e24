#include "core/lifecycle/SignOutEverywhere.h"

#include "core/common/Clock.h"
#include "core/common/SecureBytes.h"
#include "core/lifecycle/Revoker.h"
#include "core/vault/Vault.h"
#include "core/vault/VaultAccess.h"

#include <QLoggingCategory>
#include <QPointer>

namespace mailkey {

Q_LOGGING_CATEGORY(lcIncident, "mailkey.incident")

QString SignOutReport::summary() const
{
    // Whole sentences, each translated on its own, so that a translation never has to follow
    // the English order of the parts.
    QStringList sentences;
    sentences << SignOutEverywhere::tr("Signed out everywhere: %n account(s) now need to be signed in again.", nullptr,
                                       accounts);
    sentences << (tokensWiped ? SignOutEverywhere::tr("Every token was deleted from this computer.")
                              : SignOutEverywhere::tr("Deleting the tokens FAILED."));
    sentences << (keyRotated ? SignOutEverywhere::tr("The vault key was replaced.")
                             : SignOutEverywhere::tr("Replacing the vault key FAILED."));
    sentences << SignOutEverywhere::tr("Sign-ins revoked at the provider: %1.").arg(revoked);
    if (pending)
        sentences << SignOutEverywhere::tr("Revocations still being retried: %1.").arg(pending);
    if (notRevocable)
        sentences
            << SignOutEverywhere::tr("Sign-ins MailKey cannot revoke (remove them by hand): %1.").arg(notRevocable);
    if (failed)
        sentences << SignOutEverywhere::tr("Revocations the provider refused: %1.").arg(failed);
    return sentences.join(QLatin1Char(' '));
}

SignOutEverywhere::SignOutEverywhere(std::shared_ptr<Vault> vault, Profile profile, KeyStore *keyStore,
                                     Revoker *revoker, const Clock *clock, QObject *parent)
    : QObject(parent), m_vault(std::move(vault)), m_profile(std::move(profile)), m_keyStore(keyStore),
      m_revoker(revoker), m_clock(clock ? clock : Clock::system())
{}

SignOutEverywhere::~SignOutEverywhere() = default;

void SignOutEverywhere::audit(const QString &outcome, const QString &detail)
{
    AuditEntry e;
    e.at = m_clock->now();
    e.action = QStringLiteral("incident.sign-out-everywhere");
    e.outcome = outcome;
    e.detail = detail;
    e.actor = QStringLiteral("mailkey");
    if (Status s = m_vault->appendAudit(e); !s)
        qCWarning(lcIncident, "could not write the audit log: %s", qUtf8Printable(s.error().message));
}

void SignOutEverywhere::start(std::function<void(Result<SignOutReport>)> done)
{
    m_done = std::move(done);
    if (!m_vault) {
        auto cb = std::move(m_done);
        cb(Error(ErrorCode::Internal, tr("The vault is not open yet.")));
        return;
    }
    audit(QStringLiteral("started"), QStringLiteral("revoke, wipe all tokens, rotate the vault key"));

    // 1. Copies of the tokens, in memory only.
    struct Copy {
        Account account;
        Revoker::Revocable tokens;
    };
    std::vector<Copy> copies;
    if (Result<QList<Account>> accounts = m_vault->accounts(); accounts.ok()) {
        m_report.accounts = int(accounts->size());
        for (const Account &a : *accounts) {
            Copy c;
            c.account = a;
            if (Result<std::vector<TokenRecord>> records = m_vault->tokens(a.id); records.ok())
                c.tokens = Revoker::revocable(std::move(*records));
            if (Result<std::optional<AccountClient>> client = m_vault->accountClient(a.id); client.ok())
                c.tokens.client = std::move(*client);
            if (!c.tokens.isEmpty())
                copies.push_back(std::move(c));
        }
    }

    // 2. Wipe locally, whatever happens next.
    m_wipeStatus
        = m_vault->wipeAllTokens(tr("Signed out everywhere. Sign in again to reconnect this mailbox."), m_clock->now());
    m_report.tokensWiped = m_wipeStatus.ok();

    // 3. Revoke at the providers (in parallel), 4. rotate the key.
    m_outstanding = int(copies.size());
    QPointer<SignOutEverywhere> self(this);
    for (Copy &c : copies) {
        m_revoker->revoke(c.account, std::move(c.tokens), [self](RevocationOutcome o) {
            if (!self)
                return;
            if (o.revokedAtProvider)
                ++self->m_report.revoked;
            else if (o.pending)
                ++self->m_report.pending;
            else if (!o.supported)
                ++self->m_report.notRevocable;
            else
                ++self->m_report.failed;
            if (!o.revokedAtProvider)
                self->m_report.messages.append(o.message);
            --self->m_outstanding;
            self->finishIfDone();
        });
    }
    if (!m_keyStore) {
        m_rotateStatus = Error(ErrorCode::NoKeychain, tr("No keychain is available to store a new vault key."));
        m_rotationDone = true;
        finishIfDone();
        return;
    }
    VaultAccess::rotateKey(m_vault, m_profile, m_keyStore, [self](Status s) {
        if (!self)
            return;
        self->m_rotateStatus = s;
        self->m_report.keyRotated = s.ok();
        self->m_rotationDone = true;
        self->finishIfDone();
    });
}

void SignOutEverywhere::finishIfDone()
{
    if (m_outstanding > 0 || !m_rotationDone || !m_done)
        return;
    // Leave no page image of the old tokens in the WAL.
    (void)m_vault->checkpoint();
    const bool ok = m_wipeStatus.ok() && m_rotateStatus.ok();
    QString detail = m_report.summary();
    if (!m_wipeStatus.ok())
        detail += QStringLiteral(" Wipe: ") + m_wipeStatus.error().message;
    if (!m_rotateStatus.ok())
        detail += QStringLiteral(" Key rotation: ") + m_rotateStatus.error().message;
    audit(ok ? QStringLiteral("ok") : QStringLiteral("failed"), detail);
    auto cb = std::move(m_done);
    m_done = nullptr;
    if (!m_wipeStatus.ok())
        cb(Error(m_wipeStatus.error().code, m_wipeStatus.error().message + QLatin1Char(' ') + m_report.summary()));
    else if (!m_rotateStatus.ok())
        cb(Error(m_rotateStatus.error().code, m_rotateStatus.error().message + QLatin1Char(' ') + m_report.summary()));
    else
        cb(m_report);
}

} // namespace mailkey
