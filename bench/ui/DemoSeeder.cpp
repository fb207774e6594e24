#include "bench/ui/DemoSeeder.h"

#include "core/oauth/ConnectSession.h"
#include "tests/support/fakeidp/FakeBrowser.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>

#include <optional>

namespace mailkey::bench {

bool spinUntil(const std::function<bool()> &pred, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!pred()) {
        if (deadline.hasExpired())
            return pred();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::usleep(200);
    }
    return true;
}

Status writeProvidersFile(const QString &path, const QString &issuer, const QString &clientId,
                          const QString &clientSecret)
{
    QJsonArray scopes{QStringLiteral("email"), QStringLiteral("profile"), QStringLiteral("offline_access")};
    if (!clientSecret.isEmpty())
        scopes.prepend(QStringLiteral("openid"));
    QJsonObject provider{
        {QStringLiteral("id"), QStringLiteral("fake")},
        {QStringLiteral("name"), QStringLiteral("Fake IdP")},
        {QStringLiteral("issuer"), issuer},
        {QStringLiteral("authorization_endpoint"), QString(issuer + QStringLiteral("/authorize"))},
        {QStringLiteral("token_endpoint"), QString(issuer + QStringLiteral("/token"))},
        {QStringLiteral("userinfo_endpoint"), QString(issuer + QStringLiteral("/userinfo"))},
        {QStringLiteral("revocation_endpoint"), QString(issuer + QStringLiteral("/revoke"))},
        {QStringLiteral("client_id"), clientId},
        {QStringLiteral("scopes"), QJsonValue(scopes)},
    };
    if (!clientSecret.isEmpty())
        provider.insert(QStringLiteral("client_secret"), clientSecret);
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return Error(ErrorCode::VaultIo, QStringLiteral("cannot write %1").arg(path));
    f.write(QJsonDocument(QJsonObject{{QStringLiteral("providers"), QJsonArray{provider}}}).toJson());
    return Status();
}

Status openVault(AccountService *service, int timeoutMs)
{
    service->start();
    if (!spinUntil(
            [&] { return service->vaultState() == VaultState::Ready || service->vaultState() == VaultState::Failed; },
            timeoutMs))
        return Error(ErrorCode::Internal, QStringLiteral("the vault did not open in time"));
    if (service->vaultState() != VaultState::Ready)
        return service->vaultError();
    return Status();
}

Result<Account> signIn(AccountService *service, QNetworkAccessManager *nam, const QString &providerId, int timeoutMs)
{
    ConnectSession::Options options;
    options.openBrowser = false;
    options.profileRetry = RetryPolicy::fast();
    service->setConnectOptions(options);
    ConnectSession *session = service->connectAccount(providerId);
    if (!session)
        return Error(ErrorCode::Internal, QStringLiteral("no session"));
    test::FakeBrowser browser(nam);
    std::optional<Result<Account>> outcome;
    QObject::connect(session, &ConnectSession::authorizationUrlReady, &browser, &test::FakeBrowser::open);
    QObject::connect(session, &ConnectSession::succeeded, &browser,
                     [&](const Account &a, bool, const QString &) { outcome.emplace(a); });
    QObject::connect(session, &ConnectSession::failed, &browser, [&](const Error &e) { outcome.emplace(e); });
    QObject::connect(session, &ConnectSession::cancelled, &browser,
                     [&] { outcome.emplace(Error(ErrorCode::Cancelled, QStringLiteral("cancelled"))); });
    if (!spinUntil([&] { return outcome.has_value(); }, timeoutMs)) {
        session->cancel();
        return Error(ErrorCode::Expired, QStringLiteral("the sign-in did not finish in time"));
    }
    spinUntil([&] { return !browser.isBusy(); }, 5000);
    return *outcome;
}

} // namespace mailkey::bench
