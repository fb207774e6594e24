// mailkey-cli check through the scripted IMAP / SMTP server (tests/support/ScriptedMailServer)
// with Microsoft's replies, as a person reads them: accept-then-fail on IMAP, 535 5.7.139 on SMTP,
// the XOAUTH2 error challenge; the exit code, the explanation and the administrator's command,
// and no token in the output. (The real Dovecot runs in tests/cli/check.sh.)
#include "cli/ExitCode.h"
#include "core/keychain/KeyStore.h"
#include "tests/cli/CliHarness.h"
#include "tests/support/ScriptedMailServer.h"
#include "tests/support/TestTls.h"
#include "tests/support/TestUtil.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <optional>

using namespace mailkey;
using namespace mailkey::test;
using Answer = ScriptedMailServer::Answer;

namespace {

TEST(CliCheck, MicrosoftRepliesAreExplainedWithTheFix)
{
    ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
    CliHarness h;
    ASSERT_TRUE(h.ok());
    const CliRun connected = h.connect();
    ASSERT_EQ(connected.exitCode, cli::Ok) << connected.errForMessage();

    QByteArray certPem;
    const std::optional<QSslConfiguration> tls = selfSignedServerTls(&certPem);
    ASSERT_TRUE(tls);
    QTemporaryDir dir;
    const QString caFile = dir.filePath(QStringLiteral("ca.pem"));
    QFile ca(caFile);
    ASSERT_TRUE(ca.open(QIODevice::WriteOnly));
    ca.write(certPem);
    ca.close();

    ScriptedMailServer imap(ScriptedMailServer::Tls::Implicit, *tls);
    ScriptedMailServer smtp(ScriptedMailServer::Tls::StartTls, *tls);
    ASSERT_TRUE(imap.start() && smtp.start());
    imap.greeting = "* OK The Microsoft Exchange IMAP4 service is ready.\r\n";
    imap.respond = [](const QByteArray &line) {
        return imapAnswer(line, "IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR", imapAuthOk, [](const QByteArray &l) {
            return Answer{tagOf(l) + " BAD User is authenticated but not connected.\r\n"};
        });
    };
    smtp.greeting = "220 smtp.office365.com Microsoft ESMTP MAIL Service ready\r\n";
    smtp.respond = smtpServer([](const QByteArray &) {
        return Answer{"535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                      "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.\r\n"};
    });
    const QStringList servers{QStringLiteral("--imap"), QStringLiteral("imaps://127.0.0.1:%1").arg(imap.serverPort()),
                              QStringLiteral("--smtp"), QStringLiteral("smtp://127.0.0.1:%1").arg(smtp.serverPort()),
                              QStringLiteral("--ca"),   caFile};

    const CliRun r = h.run(QStringList{QStringLiteral("check"), CliHarness::Email} + servers);
    EXPECT_EQ(r.exitCode, cli::LoginRefused) << r.errForMessage();
    const QString text = r.outText();
    EXPECT_TRUE(text.contains(QStringLiteral("FAIL command"))) << text.toStdString();
    EXPECT_TRUE(text.contains(QStringLiteral("User is authenticated but not connected")));
    EXPECT_TRUE(text.contains(QStringLiteral("Set-CASMailbox -Identity alice@example.com -ImapEnabled $true")));
    EXPECT_TRUE(text.contains(QStringLiteral("FAIL authenticate")));
    EXPECT_TRUE(text.contains(QStringLiteral("(535 5.7.139)")));
    EXPECT_TRUE(text.contains(
        QStringLiteral("Set-CASMailbox -Identity alice@example.com -SmtpClientAuthenticationDisabled $false")));
    // 5.7.139 says the token is fine: nothing about the token after it.
    EXPECT_EQ(text.count(QStringLiteral("access token is opaque")), 1) << text.toStdString();
    // The token reached both servers, and nothing printed it.
    bool imapGotToken = false;
    for (const ScriptedMailServer::Line &l : std::as_const(imap.received))
        imapGotToken = imapGotToken || (l.text.contains(" AUTHENTICATE XOAUTH2 ") && !h.containsNoSecret(l.text));
    EXPECT_TRUE(imapGotToken);
    EXPECT_TRUE(h.containsNoSecret(r.out));
    EXPECT_TRUE(h.containsNoSecret(r.err));

    // The XOAUTH2 error challenge, in --json.
    const QByteArray challenge
        = R"({"status":"401","schemes":"bearer","scope":"https://outlook.office.com/SMTP.Send"})";
    smtp.respond = smtpServer([&challenge](const QByteArray &line) {
        if (line.startsWith("AUTH "))
            return Answer{"334 " + challenge.toBase64() + "\r\n"};
        return Answer{"535 5.7.3 Authentication unsuccessful [SN4PR0501CA0054.namprd05.prod.outlook.com]\r\n"};
    });
    const CliRun j = h.run(QStringList{QStringLiteral("check"), CliHarness::Email, QStringLiteral("--json")} + servers);
    EXPECT_EQ(j.exitCode, cli::LoginRefused) << j.errForMessage();
    const QJsonObject doc = QJsonDocument::fromJson(j.out).object();
    const QJsonArray list = doc.value(QStringLiteral("servers")).toArray();
    ASSERT_EQ(list.size(), 2) << j.out.toStdString();
    const QJsonObject smtpResult = list.at(1).toObject();
    EXPECT_EQ(smtpResult.value(QStringLiteral("outcome")).toString(), QStringLiteral("refused"));
    EXPECT_EQ(smtpResult.value(QStringLiteral("status")).toString(), QStringLiteral("535 5.7.3"));
    QStringList ids;
    for (const QJsonValue &d : smtpResult.value(QStringLiteral("diagnosis")).toArray())
        ids << d.toObject().value(QStringLiteral("id")).toString();
    EXPECT_TRUE(ids.contains(QStringLiteral("smtp-auth-unsuccessful"))) << ids.join(u' ').toStdString();
    EXPECT_TRUE(ids.contains(QStringLiteral("sasl-error-challenge"))) << ids.join(u' ').toStdString();
    EXPECT_TRUE(h.containsNoSecret(j.out));
}

} // namespace
