// One vault open in a fresh process: keychain read + SQLCipher open (with its integrity check)
// + the first query, timed from the start of main(). Run it many times with
// bench/vault/run.sh, which prints the median against the 25 ms target.
//   bench_vault_open PROFILE          (the profile must exist: run `mailkey-cli audit` first)
#include "core/common/ProcessHardening.h"
#include "core/common/Profile.h"
#include "core/keychain/KeyStore.h"
#include "core/vault/VaultAccess.h"

#include <QCoreApplication>
#include <QElapsedTimer>

#include <cstdio>

int main(int argc, char **argv)
{
    mailkey::keepLibcryptoUntilExit(); // first: see ProcessHardening.h
    QElapsedTimer timer;
    timer.start();
    QCoreApplication app(argc, argv);
    const mailkey::Profile profile(app.arguments().value(1, QStringLiteral("default")));
    mailkey::KeyStore store;
    int rc = 1;
    mailkey::VaultAccess::unlock(profile, &store, [&](mailkey::Result<mailkey::OpenedVault> opened) {
        if (!opened) {
            std::fprintf(stderr, "%s\n", qPrintable(opened.error().message));
            app.exit(1);
            return;
        }
        auto accounts = opened->vault->accounts();
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        if (accounts) {
            std::printf("%.3f %lld\n", ms, static_cast<long long>(accounts->size()));
            rc = 0;
        }
        app.exit(rc);
    });
    app.exec();
    return rc;
}
