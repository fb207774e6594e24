// For bench/cli/run.sh.
//   bench_cli_helper expire PROFILE EMAIL
//       marks the access tokens of one account as expired (expiry one minute ago, tokens
//       unchanged), so the next `mailkey-cli token` must refresh;
//   bench_cli_helper window PROFILE PROVIDERS_FILE
//       stands in for the MailKey window: an AccountService (vault, TokenManager) and its IpcServer
//       on the profile's socket until SIGTERM/SIGINT, so `mailkey-cli token` is answered over the socket.
#include "core/common/ProcessHardening.h"
#include "core/common/Profile.h"
#include "core/ipc/IpcServer.h"
#include "core/keychain/KeyStore.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

using namespace mailkey;

namespace {

int g_fds[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_fds[0], &c, 1);
}

int expire(QCoreApplication &app, const std::shared_ptr<Vault> &vault, const QString &email)
{
    auto found = vault->findAccountsByEmail(email);
    if (!found || found->isEmpty()) {
        std::fputs("bench_cli_helper: no such account\n", stderr);
        return 4;
    }
    auto tokens = vault->tokens(found->first().id);
    if (!tokens)
        return 5;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (TokenRecord &t : *tokens) {
        const bool ok = vault
                            ->commitRefresh(t.accountId, t.resource, t.accessToken, SecretString(), now.addSecs(-60),
                                            t.scopes, now)
                            .ok();
        if (!ok)
            return 6;
    }
    Q_UNUSED(app)
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    mailkey::keepLibcryptoUntilExit(); // first: see ProcessHardening.h
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 4 || (args[1] != QLatin1String("expire") && args[1] != QLatin1String("window"))) {
        std::fputs("usage: bench_cli_helper expire PROFILE EMAIL | window PROFILE PROVIDERS_FILE\n", stderr);
        return 2;
    }
    const QString mode = args[1];
    const Profile profile(args[2]);
    QNetworkAccessManager network;
    ProviderRegistry registry;
    std::unique_ptr<AccountService> service;
    int code = 1;
    if (mode == QLatin1String("expire")) {
        KeyStore store;
        VaultAccess::unlock(profile, &store, [&](Result<OpenedVault> opened) {
            if (!opened) {
                std::fprintf(stderr, "bench_cli_helper: %s\n", qPrintable(opened.error().message));
                app.exit(3);
                return;
            }
            code = expire(app, opened->vault, args[3]);
            app.exit(code);
        });
        const int rc = app.exec();
        return rc != 0 ? rc : code;
    }
    if (Status s = registry.loadCustomProviders(args[3]); !s) {
        std::fprintf(stderr, "bench_cli_helper: %s\n", qPrintable(s.error().message));
        return 4;
    }
    service = std::make_unique<AccountService>(profile, &network, &registry);
    service->setAutoRefresh(false); // as the CLI benchmarks measured before: on-demand refreshes only
    IpcServer *server = nullptr;
    QObject::connect(service.get(), &AccountService::vaultStateChanged, &app, [&] {
        if (service->vaultState() == VaultState::Failed) {
            std::fprintf(stderr, "bench_cli_helper: %s\n", qPrintable(service->vaultError().message));
            app.exit(3);
            return;
        }
        if (service->vaultState() != VaultState::Ready || server)
            return;
        server = new IpcServer(service.get(), service.get()); // owned by the service
        server->listen(profile, [&](Status s) {
            if (!s) {
                std::fprintf(stderr, "bench_cli_helper: %s\n", qPrintable(s.error().message));
                app.exit(5);
                return;
            }
            std::puts("listening");
            std::fflush(stdout);
            code = 0;
        });
    });
    service->start();
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_fds) == 0) {
        auto *notifier = new QSocketNotifier(qintptr(g_fds[1]), QSocketNotifier::Read, &app);
        QObject::connect(notifier, &QSocketNotifier::activated, &app, [] { QCoreApplication::quit(); });
        std::signal(SIGTERM, onSignal);
        std::signal(SIGINT, onSignal);
    }
    const int rc = app.exec();
    service.reset(); // and its IpcServer
    return rc != 0 ? rc : code;
}
