#include "core/lifecycle/RefreshQueue.h"

#include "core/common/SecureBytes.h"

#include <QCryptographicHash>

#include <algorithm>
#include <utility>

namespace mailkey {

QString RefreshQueue::nextResource() const
{
    return m_waiters.isEmpty() ? QString() : m_waiters.first().resource;
}

bool RefreshQueue::contains(const QString &resource) const
{
    return std::any_of(m_waiters.cbegin(), m_waiters.cend(), [&](const Waiter &w) { return w.resource == resource; });
}

bool RefreshQueue::anyForced(const QString &resource) const
{
    return std::any_of(m_waiters.cbegin(), m_waiters.cend(),
                       [&](const Waiter &w) { return w.resource == resource && w.mode == Mode::Forced; });
}

template <class Pred>
QList<RefreshQueue::Waiter> RefreshQueue::takeIf(Pred pred)
{
    QList<Waiter> taken;
    QList<Waiter> kept;
    for (Waiter &w : m_waiters) {
        if (pred(w))
            taken.append(std::move(w));
        else
            kept.append(std::move(w));
    }
    m_waiters = std::move(kept);
    return taken;
}

QList<RefreshQueue::Waiter> RefreshQueue::takeSatisfied(const QString &resource,
                                                        const std::optional<TokenRecord> &token, const QDateTime &now)
{
    return takeIf([&](const Waiter &w) { return w.resource == resource && satisfies(w, token, now); });
}

QList<RefreshQueue::Waiter> RefreshQueue::takeResource(const QString &resource)
{
    return takeIf([&](const Waiter &w) { return w.resource == resource; });
}

QList<RefreshQueue::Waiter> RefreshQueue::takeAll()
{
    return std::exchange(m_waiters, {});
}

bool RefreshQueue::satisfies(const Waiter &waiter, const std::optional<TokenRecord> &token, const QDateTime &now)
{
    if (!token || token->accessToken.isEmpty() || !token->expiresAt.isValid())
        return false;
    if (waiter.mode == Mode::OnDemand)
        return token->expiresAt >= now.addSecs(waiter.minValiditySeconds);
    if (token->expiresAt <= now)
        return false;
    return waiter.staleTokenHash.isEmpty() || tokenHash(token->accessToken) != waiter.staleTokenHash;
}

QByteArray RefreshQueue::tokenHash(const SecretString &token)
{
    if (token.isEmpty())
        return {};
    return QCryptographicHash::hash(token.toUtf8().bytes(), QCryptographicHash::Sha256);
}

} // namespace mailkey
