// mailkey-ui-seed: fills a profile's vault with a few demo mailboxes for scripts/screenshot.sh.
//   mailkey-ui-seed --issuer http://127.0.0.1:PORT [--client-id ID]
// Uses MAILKEY_DATA_DIR / MAILKEY_CONFIG_DIR and the keyring of the session it runs in. One real
// sign-in against the fake IdP (mailkey-fake-idp) gives a real access token, which the demo
// Outlook and Gmail mailboxes share, so the window can list their folders from the fake server.
// Not installed; never run against a real profile.
#include "bench/ui/DemoSeeder.h"
#include "core/common/Profile.h"
#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/service/AccountServiceTestAccess.h"
#include "core/service/AppSettings.h"
#include "core/vault/Vault.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QTextStream>

using namespace mailkey;

namespace {

struct Demo {
    const char *provider;
    const char *email;
    const char *name;
    const char *tenant;
    AccountStatus status;
    const char *reason;
    int nextRefreshMinutes;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption issuerOpt(QStringLiteral("issuer"), QStringLiteral("Base URL of mailkey-fake-idp."),
                                       QStringLiteral("URL"));
    const QCommandLineOption clientOpt(QStringLiteral("client-id"), QStringLiteral("Its client id."),
                                       QStringLiteral("ID"), QStringLiteral("mailkey-fake-client"));
    parser.addOptions({issuerOpt, clientOpt});
    parser.process(app);
    const QString issuer = parser.value(issuerOpt);
    if (issuer.isEmpty() || qEnvironmentVariableIsEmpty("MAILKEY_DATA_DIR")
        || qEnvironmentVariableIsEmpty("MAILKEY_CONFIG_DIR")) {
        err << "mailkey-ui-seed: needs --issuer and MAILKEY_DATA_DIR / MAILKEY_CONFIG_DIR (a throw-away profile).\n";
        return 2;
    }

    if (Status s = bench::writeProvidersFile(ProviderFile::defaultPath(), issuer, parser.value(clientOpt)); !s) {
        err << s.error().message << '\n';
        return 1;
    }
    AppSettings settings;
    settings.setProviderValue(QStringLiteral("microsoft"), QStringLiteral("client_id"),
                              QStringLiteral("00000000-0000-0000-0000-00000000de30"));
    settings.setProviderValue(QStringLiteral("microsoft"), QStringLiteral("mail_api_base"),
                              issuer + QStringLiteral("/v1.0"));
    settings.setProviderValue(QStringLiteral("google"), QStringLiteral("client_id"),
                              QStringLiteral("1234-demo.apps.googleusercontent.com"));
    settings.setProviderValue(QStringLiteral("google"), QStringLiteral("client_secret"), QStringLiteral("GOCSPX-demo"));
    settings.setProviderValue(QStringLiteral("google"), QStringLiteral("mail_api_base"),
                              issuer + QStringLiteral("/gmail/v1"));
    settings.sync();

    QNetworkAccessManager nam;
    nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    ProviderRegistry registry(ProviderRegistry::Settings{}, QProcessEnvironment());
    if (Status s = settings.applyTo(&registry); !s) {
        err << s.error().message << '\n';
        return 1;
    }
    AccountService service(Profile(), &nam, &registry);
    if (Status s = bench::openVault(&service); !s) {
        err << "mailkey-ui-seed: " << s.error().message << '\n';
        return 1;
    }
    const Result<Account> signedIn = bench::signIn(&service, &nam, QStringLiteral("fake"));
    if (!signedIn) {
        err << "mailkey-ui-seed: sign-in failed: " << signedIn.error().message << '\n';
        return 1;
    }
    std::shared_ptr<Vault> vault = AccountServiceTestAccess::vault(service);
    auto token = vault->token(signedIn->id, QString::fromLatin1(DefaultResource));
    if (!token || !token->has_value()) {
        err << "mailkey-ui-seed: no token after the sign-in\n";
        return 1;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (Status s = vault->setRefreshSchedule(signedIn->id, now.addSecs(51 * 60), 0); !s)
        err << s.error().message << '\n';

    const Demo demos[] = {
        {"microsoft", "adele.vance@contoso.com", "Adele Vance", "contoso.onmicrosoft.com", AccountStatus::Connected, "",
         42},
        {"google", "bruno.costa@gmail.com", "Bruno Costa", "", AccountStatus::Connected, "", 18},
        {"microsoft", "chen.wei@outlook.com", "Chen Wei", "9188040d-6c67-4c5b-b112-36a304b66dad",
         AccountStatus::NeedsSignIn, "the password was changed, so Microsoft asks for a new sign-in", 0},
        {"google", "dana.kowalski@gmail.com", "Dana Kowalski", "", AccountStatus::Offline,
         "no connection to oauth2.googleapis.com", 3},
        {"microsoft", "erik.lund@fabrikam.com", "Erik Lund", "fabrikam.com", AccountStatus::Error,
         "AADSTS700016, MailKey's app is not registered in this tenant", 0},
    };
    for (const Demo &d : demos) {
        TokenRecord record = (*token)->clone();
        record.accountId = 0;
        const AccountInfo info{QString::fromLatin1(d.provider), QString::fromLatin1(d.email), QString::fromUtf8(d.name),
                               QString::fromLatin1(d.tenant), QStringLiteral("demo-") + QString::fromLatin1(d.email)};
        const auto saved = vault->saveConnection(info, record, now.addDays(-12));
        if (!saved) {
            err << "mailkey-ui-seed: " << saved.error().message << '\n';
            return 1;
        }
        const qint64 id = saved->accountId;
        if (d.status != AccountStatus::Connected)
            (void)vault->setAccountStatus(id, d.status, QString::fromUtf8(d.reason), now);
        (void)vault->setRefreshSchedule(id, d.nextRefreshMinutes ? now.addSecs(d.nextRefreshMinutes * 60) : QDateTime(),
                                        d.status == AccountStatus::Offline ? 2 : 0);
        const struct {
            int minutesAgo;
            const char *action;
            const char *outcome;
            const char *detail;
            const char *actor;
        } log[] = {
            {12 * 24 * 60, "connect.started", "ok", "", "mailkey"},
            {12 * 24 * 60 - 1, "account.added", "ok", "", "mailkey"},
            {95, "token.refreshed", "ok", "", "mailkey"},
            {61, "token.handed-out", "ok", "resource imap", "thunderbird"},
            {9, "token.handed-out", "ok", "resource smtp", "msmtp"},
        };
        for (const auto &l : log) {
            AuditEntry e;
            e.at = now.addSecs(-60 * l.minutesAgo);
            e.accountId = id;
            e.accountEmail = info.email;
            e.action = QString::fromLatin1(l.action);
            e.outcome = QString::fromLatin1(l.outcome);
            e.detail = QString::fromLatin1(l.detail);
            e.actor = QString::fromLatin1(l.actor);
            (void)vault->appendAudit(e);
        }
    }
    QTextStream(stdout) << "seeded " << (1 + int(std::size(demos))) << " mailboxes\n";
    return 0;
}
