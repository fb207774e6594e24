#include "core/service/TokenBroker.h"

#include "core/common/MailAddress.h"
#include "core/lifecycle/TokenManager.h"
#include "core/providers/ProviderRegistry.h"
#include "core/vault/Vault.h"

#include <QCoreApplication>

namespace mailkey {

namespace {

struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::TokenBroker)
};

Error notOpen()
{
    return Error(ErrorCode::Internal, Text::tr("The vault is not open yet."));
}

// The provider an address most likely belongs to, by its domain: google for Gmail, microsoft for
// Outlook.com and its older names; empty when the domain says nothing (a work or custom domain).
QString providerOfDomain(const QString &email)
{
    const QString domain = email.section(QLatin1Char('@'), -1).toLower();
    if (domain == QLatin1String("gmail.com") || domain == QLatin1String("googlemail.com"))
        return QStringLiteral("google");
    static const QStringList microsoft
        = {QStringLiteral("outlook."), QStringLiteral("hotmail."), QStringLiteral("live."), QStringLiteral("msn.com"),
           QStringLiteral("passport.com")};
    for (const QString &d : microsoft) {
        if (domain.startsWith(d))
            return QStringLiteral("microsoft");
    }
    return QString();
}

// An account that is not connected (exit 3) or must sign in again (exit 4): the message ends with
// the command that fixes it, with the provider when it is known (the account's, the one asked
// for, or one its domain names) and PROVIDER otherwise.
Error withConnectCommand(Error e, const QString &email, const QString &provider)
{
    const QString id = provider.isEmpty() ? providerOfDomain(email) : provider;
    const QString command = QStringLiteral("mailkey-cli connect %1 --login-hint %2")
                                .arg(id.isEmpty() ? QStringLiteral("PROVIDER") : id.left(40), email.left(200));
    e.message = e.message.trimmed();
    if (!e.message.isEmpty() && !e.message.endsWith(QLatin1Char('.')))
        e.message += QLatin1Char('.');
    e.message += QLatin1Char(' ')
                 + (e.code == ErrorCode::NeedsSignIn ? Text::tr("To sign in again: %1").arg(command)
                                                     : Text::tr("To connect it: %1").arg(command));
    return e;
}

} // namespace

TokenBroker::TokenBroker(TokenManager *tokens, ProviderRegistry *providers) : m_tokens(tokens), m_providers(providers)
{}

Result<QString> TokenBroker::vaultResource(const Provider &provider, const QString &resource)
{
    const QString r = resource.trimmed().toLower();
    if (r.isEmpty() || r == QLatin1String(Provider::ResourceGraph) || r == QLatin1String(Provider::ResourceDefault))
        return QString::fromLatin1(DefaultResource);
    if (r != QLatin1String(Provider::ResourceImap) && r != QLatin1String(Provider::ResourceSmtp))
        return Error(ErrorCode::InvalidInput,
                     Text::tr("\"%1\" is not a resource: use graph, imap or smtp.").arg(resource.left(40)));
    if (provider.isValid()) {
        const QStringList wanted = provider.scopesFor(r);
        const QStringList signIn = provider.scopesFor(QString::fromLatin1(DefaultResource));
        bool covered = !wanted.isEmpty();
        for (const QString &s : wanted)
            covered = covered && signIn.contains(s);
        if (covered)
            return QString::fromLatin1(DefaultResource);
    }
    return r;
}

Result<Account> TokenBroker::findAccount(Vault *vault, const ProviderRegistry *providers, const QString &email,
                                         const QString &provider)
{
    if (!vault)
        return notOpen();
    if (!MailAddress::isPlausible(email))
        return Error(ErrorCode::InvalidInput, Text::tr("\"%1\" is not an e-mail address.").arg(email.left(80)));
    Result<QList<Account>> exact = vault->findAccountsByEmail(email);
    if (!exact)
        return exact.error();
    QList<Account> found = *exact;
    if (found.isEmpty()) {
        Result<QList<Account>> all = vault->accounts();
        if (!all)
            return all.error();
        for (const Account &a : *all) {
            if (a.email.compare(email, Qt::CaseInsensitive) == 0)
                found.append(a);
        }
    }
    if (!provider.isEmpty()) {
        QList<Account> ofProvider;
        for (const Account &a : std::as_const(found)) {
            if (a.provider == provider)
                ofProvider.append(a);
        }
        if (ofProvider.isEmpty() && (!providers || !providers->contains(provider))) {
            bool usedByAnAccount = false;
            if (Result<QList<Account>> all = vault->accounts(); all) {
                for (const Account &a : *all)
                    usedByAnAccount = usedByAnAccount || a.provider == provider;
            }
            if (!usedByAnAccount) {
                const QString known = providers ? providers->ids().join(QStringLiteral(", ")) : QString();
                return Error(ErrorCode::InvalidInput,
                             Text::tr("\"%1\" is not a known provider (known: %2).").arg(provider.left(40), known));
            }
        }
        found = ofProvider;
    }
    if (found.isEmpty()) {
        return Error(ErrorCode::NotFound,
                     provider.isEmpty()
                         ? Text::tr("No account with the address %1 is connected. See the connected accounts with: "
                                    "mailkey-cli list")
                               .arg(email.left(200))
                         : Text::tr("No %1 account with the address %2 is connected. See the connected accounts with: "
                                    "mailkey-cli list")
                               .arg(provider.left(40), email.left(200)));
    }
    if (found.size() > 1) {
        QStringList ids;
        for (const Account &a : std::as_const(found))
            ids << a.provider;
        return Error(ErrorCode::InvalidInput,
                     Text::tr("%1 is connected with more than one provider (%2): add --provider ID.")
                         .arg(found.first().email, ids.join(QStringLiteral(", "))));
    }
    return found.first();
}

void TokenBroker::token(const TokenQuery &query, std::function<void(Result<TokenAnswer>)> done) const
{
    TokenManager *tm = m_tokens.data();
    if (!tm || !tm->vault()) {
        done(notOpen());
        return;
    }
    Result<Account> account = findAccount(tm->vault().get(), m_providers, query.email, query.provider);
    if (!account) {
        done(account.error().code == ErrorCode::NotFound
                 ? withConnectCommand(account.error(), query.email.trimmed(), query.provider)
                 : account.error());
        return;
    }
    const Provider provider = m_providers ? m_providers->provider(account->provider) : Provider();
    Result<QString> resource = vaultResource(provider, query.resource);
    if (!resource) {
        done(resource.error());
        return;
    }
    QString asked = query.resource.trimmed().toLower();
    if (asked.isEmpty() || asked == QLatin1String(DefaultResource))
        asked = QString::fromLatin1(Provider::ResourceGraph);
    const Account acc = *account;
    tm->accessToken(acc.id, *resource, query.minValiditySeconds, query.actor,
                    [acc, asked, done = std::move(done)](Result<AccessToken> r) {
                        if (!r) {
                            done(r.error().code == ErrorCode::NeedsSignIn
                                     ? withConnectCommand(r.error(), acc.email, acc.provider)
                                     : r.error());
                            return;
                        }
                        TokenAnswer answer;
                        answer.email = acc.email;
                        answer.provider = acc.provider;
                        answer.resource = asked;
                        answer.token = std::move(r->token);
                        answer.expiresAt = r->expiresAt;
                        answer.refreshed = r->refreshed;
                        done(std::move(answer));
                    });
}

void TokenBroker::remove(const QString &email, const QString &provider,
                         std::function<void(Result<RemovalAnswer>)> done) const
{
    TokenManager *tm = m_tokens.data();
    if (!tm || !tm->vault()) {
        done(notOpen());
        return;
    }
    Result<Account> account = findAccount(tm->vault().get(), m_providers, email, provider);
    if (!account) {
        done(account.error());
        return;
    }
    const Account acc = *account;
    tm->removeAccount(acc.id, [acc, done = std::move(done)](Result<RevocationOutcome> r) {
        if (!r) {
            done(r.error());
            return;
        }
        done(RemovalAnswer{acc.email, acc.provider, *r});
    });
}

void TokenBroker::signOutEverywhere(KeyStore *keyStore, std::function<void(Result<SignOutReport>)> done) const
{
    TokenManager *tm = m_tokens.data();
    if (!tm || !tm->vault()) {
        done(notOpen());
        return;
    }
    tm->signOutEverywhere(keyStore, std::move(done));
}

} // namespace mailkey
