// A second MailKey process for the token-lifecycle tests (the window and mailkey-cli share the
// vault). The test process runs the fake authorization server and passes its token URL.
//
//   lifecycle_helper hold-lock --lock PATH --account N
//       takes the cross-process lock of account N, prints LOCKED, then waits to be killed.
//   lifecycle_helper refresh --token-url URL --account N [--resource R] [--min-validity S]
//                    [--crash-at reply-received|committed] [--lock-timeout MS]
//       reads the vault key (hex) from the first line of stdin, opens the vault of profile
//       "default" under $MAILKEY_DATA_DIR, asks TokenManager for a token and prints
//       "OK <sha256 of the access token, hex>" or "ERR <error code> <message>". With --crash-at it
//       kills itself with SIGKILL at that stage of the refresh.
// Never prints a token.

#include "core/common/Clock.h"
#include "core/common/CrossProcessLock.h"
#include "core/common/ProcessHardening.h"
#include "core/common/Profile.h"
#include "core/common/SecureBytes.h"
#include "core/lifecycle/TokenManager.h"
#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderRegistry.h"
#include "core/vault/Vault.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

using namespace mailkey;

namespace {

void out(const QString &line)
{
    std::fputs(line.toUtf8().constData(), stdout);
    std::fputs("\n", stdout);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    mailkey::keepLibcryptoUntilExit(); // first: see ProcessHardening.h
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("hold-lock | refresh"));
    const QCommandLineOption lockOpt(QStringLiteral("lock"), QStringLiteral("lock file"), QStringLiteral("path"));
    const QCommandLineOption accountOpt(QStringLiteral("account"), QStringLiteral("account id"), QStringLiteral("id"));
    const QCommandLineOption tokenUrlOpt(QStringLiteral("token-url"), QStringLiteral("token endpoint"),
                                         QStringLiteral("url"));
    const QCommandLineOption resourceOpt(QStringLiteral("resource"), QStringLiteral("resource"), QStringLiteral("name"),
                                         QStringLiteral("default"));
    const QCommandLineOption minValidityOpt(QStringLiteral("min-validity"), QStringLiteral("seconds"),
                                            QStringLiteral("s"), QStringLiteral("60"));
    const QCommandLineOption crashOpt(QStringLiteral("crash-at"), QStringLiteral("stage"), QStringLiteral("stage"));
    const QCommandLineOption lockTimeoutOpt(QStringLiteral("lock-timeout"), QStringLiteral("ms"), QStringLiteral("ms"),
                                            QStringLiteral("20000"));
    parser.addOptions({lockOpt, accountOpt, tokenUrlOpt, resourceOpt, minValidityOpt, crashOpt, lockTimeoutOpt});
    parser.process(app);
    const QStringList args = parser.positionalArguments();
    const QString command = args.value(0);
    const qint64 accountId = parser.value(accountOpt).toLongLong();

    if (command == QLatin1String("hold-lock")) {
        static CrossProcessLock lock(parser.value(lockOpt), accountId);
        auto r = lock.tryLock();
        if (!r.ok() || !*r) {
            out(QStringLiteral("ERR lock"));
            return 1;
        }
        out(QStringLiteral("LOCKED"));
        return app.exec();
    }
    if (command != QLatin1String("refresh")) {
        out(QStringLiteral("ERR usage"));
        return 2;
    }

    std::string line;
    std::getline(std::cin, line);
    SecureBytes key(QByteArray::fromHex(QByteArray::fromStdString(line)));
    std::fill(line.begin(), line.end(), '\0');
    const Profile profile(QStringLiteral("default"));
    auto opened = Vault::open(profile.databasePath(), key, Vault::OpenMode::OpenExisting);
    if (!opened) {
        out(QStringLiteral("ERR vault %1").arg(opened.error().message));
        return 1;
    }
    std::shared_ptr<Vault> vault(std::move(opened).value());

    Provider ms;
    ms.id = QStringLiteral("fake-ms");
    ms.displayName = QStringLiteral("Fake Microsoft");
    ms.kind = Provider::Kind::Microsoft;
    ms.tokenEndpoint = QUrl(parser.value(tokenUrlOpt));
    ms.scopes = {QStringLiteral("openid"),         QStringLiteral("profile"),   QStringLiteral("email"),
                 QStringLiteral("offline_access"), QStringLiteral("User.Read"), QStringLiteral("Mail.ReadWrite")};
    ms.resourceScopes.insert(
        QStringLiteral("imap"),
        {QStringLiteral("https://outlook.office.com/IMAP.AccessAsUser.All"), QStringLiteral("offline_access")});
    ProviderFile::Contents contents;
    contents.providers = {ms};
    ProviderRegistry registry(
        {{ProviderRegistry::settingsKey(ms.id, QStringLiteral("client_id")), QStringLiteral("lifecycle-client")}},
        QProcessEnvironment());
    registry.setCustomProviders(contents);

    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    TokenManager manager(vault, &registry, &nam, profile, Clock::system());
    TokenManager::Options options;
    options.lockTimeoutMs = parser.value(lockTimeoutOpt).toInt();
    options.lockRetryMs = 20;
    manager.setOptions(options);

    const QString crashAt = parser.value(crashOpt);
    manager.setStageHook([crashAt](qint64, TokenManager::Stage stage) {
        if ((crashAt == QLatin1String("reply-received") && stage == TokenManager::Stage::ReplyReceived)
            || (crashAt == QLatin1String("committed") && stage == TokenManager::Stage::Committed)) {
            std::raise(SIGKILL);
        }
        if (stage == TokenManager::Stage::RequestSent)
            out(QStringLiteral("SENT"));
    });

    int exitCode = 1;
    manager.accessToken(accountId, parser.value(resourceOpt), parser.value(minValidityOpt).toInt(),
                        QStringLiteral("lifecycle_helper"), [&](Result<AccessToken> r) {
                            if (r.ok()) {
                                const QByteArray h
                                    = QCryptographicHash::hash(r->token.toUtf8().bytes(), QCryptographicHash::Sha256);
                                out(QStringLiteral("OK ") + QString::fromLatin1(h.toHex()));
                                exitCode = 0;
                            } else {
                                out(QStringLiteral("ERR %1 %2").arg(int(r.error().code)).arg(r.error().message));
                            }
                            QTimer::singleShot(0, &app, &QCoreApplication::quit);
                        });
    app.exec();
    return exitCode;
}
