// IMAP responses and SMTP replies taken out of a buffer (MailProtocol), and server addresses as a
// person types them (MailServer::parse).
#include "core/mailcheck/MailProtocol.h"
#include "core/mailcheck/MailServer.h"
#include "tests/support/TestUtil.h"

#include <gtest/gtest.h>

using namespace mailkey;
using namespace mailkey::mailprotocol;

namespace {

TEST(MailProtocol, ImapTaggedUntaggedAndContinuation)
{
    QByteArray buffer = "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] ready\r\n"
                        "a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                        "+ eyJzdGF0dXMiOiI0MDEifQ==\r\n"
                        "a3 BAD User is authenticated but not connected.\r\n"
                        "a4 OK";
    ImapResponse r;
    ASSERT_EQ(takeImapResponse(buffer, r), Take::Taken);
    EXPECT_EQ(r.kind, ImapResponse::Kind::Untagged);
    EXPECT_EQ(r.status, QByteArray("OK"));
    EXPECT_EQ(imapCapabilities(r),
              (QStringList{QStringLiteral("IMAP4REV1"), QStringLiteral("SASL-IR"), QStringLiteral("AUTH=XOAUTH2")}));
    EXPECT_EQ(r.text, QByteArray("ready"));

    ASSERT_EQ(takeImapResponse(buffer, r), Take::Taken);
    EXPECT_EQ(r.kind, ImapResponse::Kind::Tagged);
    EXPECT_EQ(r.tag, QByteArray("a2"));
    EXPECT_EQ(r.status, QByteArray("NO"));
    EXPECT_EQ(r.code, QByteArray("AUTHENTICATIONFAILED"));
    EXPECT_EQ(r.text, QByteArray("Authentication failed."));

    ASSERT_EQ(takeImapResponse(buffer, r), Take::Taken);
    EXPECT_EQ(r.kind, ImapResponse::Kind::Continuation);
    EXPECT_EQ(r.text, QByteArray("eyJzdGF0dXMiOiI0MDEifQ=="));

    ASSERT_EQ(takeImapResponse(buffer, r), Take::Taken);
    EXPECT_EQ(r.status, QByteArray("BAD"));
    EXPECT_TRUE(r.code.isEmpty());
    EXPECT_EQ(r.text, QByteArray("User is authenticated but not connected."));

    EXPECT_EQ(takeImapResponse(buffer, r), Take::Incomplete);
    EXPECT_EQ(buffer, QByteArray("a4 OK"));
}

TEST(MailProtocol, ImapLiteralsAreReadWhole)
{
    QByteArray buffer = "* LIST () \"/\" {5}\r\nIN\r\nX\r\n* OK next\r\n";
    ImapResponse r;
    ASSERT_EQ(takeImapResponse(buffer, r), Take::Taken);
    EXPECT_EQ(r.line, QByteArray("* LIST () \"/\" {5}\r\nIN\r\nX"));
    ASSERT_EQ(takeImapResponse(buffer, r), Take::Taken);
    EXPECT_EQ(r.text, QByteArray("next"));

    QByteArray partial = "* LIST () \"/\" {50}\r\nshort";
    EXPECT_EQ(takeImapResponse(partial, r), Take::Incomplete);
    QByteArray huge = "* LIST () \"/\" {999999999}\r\n";
    EXPECT_EQ(takeImapResponse(huge, r), Take::TooLong);
}

TEST(MailProtocol, EndlessLinesAreRefused)
{
    QByteArray buffer(MaxLine + 10, 'x');
    ImapResponse r;
    EXPECT_EQ(takeImapResponse(buffer, r), Take::TooLong);
    SmtpReply s;
    EXPECT_EQ(takeSmtpReply(buffer, s), SmtpTake::TooLong);
}

TEST(MailProtocol, SmtpMultiLineReplies)
{
    QByteArray buffer = "250-smtp.office365.com Hello\r\n250-SIZE 157286400\r\n250-STARTTLS\r\n"
                        "250-AUTH LOGIN XOAUTH2\r\n250 8BITMIME\r\n535 5.7.139 Authentication unsuccessful\r\n334 ";
    SmtpReply r;
    ASSERT_EQ(takeSmtpReply(buffer, r), SmtpTake::Taken);
    EXPECT_EQ(r.code, 250);
    EXPECT_EQ(r.text.size(), 5);
    EXPECT_TRUE(smtpExtensions(r).contains(QStringLiteral("STARTTLS")));
    EXPECT_EQ(smtpAuthMechanisms(r), (QStringList{QStringLiteral("LOGIN"), QStringLiteral("XOAUTH2")}));

    ASSERT_EQ(takeSmtpReply(buffer, r), SmtpTake::Taken);
    EXPECT_EQ(r.code, 535);
    EXPECT_EQ(enhancedStatus(r.text.first()), QByteArray("5.7.139"));
    EXPECT_EQ(takeSmtpReply(buffer, r), SmtpTake::Incomplete);

    QByteArray mixed = "250-a\r\n251 b\r\n";
    EXPECT_EQ(takeSmtpReply(mixed, r), SmtpTake::Malformed);
    QByteArray garbage = "HTTP/1.1 400 Bad Request\r\n";
    EXPECT_EQ(takeSmtpReply(garbage, r), SmtpTake::Malformed);
    QByteArray bare = "220\r\n";
    ASSERT_EQ(takeSmtpReply(bare, r), SmtpTake::Taken);
    EXPECT_EQ(r.code, 220);
}

TEST(MailProtocol, EnhancedStatus)
{
    EXPECT_EQ(enhancedStatus("5.7.3 Authentication unsuccessful"), QByteArray("5.7.3"));
    EXPECT_EQ(enhancedStatus("5.7.8 Username and Password not accepted"), QByteArray("5.7.8"));
    EXPECT_EQ(enhancedStatus("2.7.0 Accepted"), QByteArray("2.7.0"));
    EXPECT_EQ(enhancedStatus("Authentication unsuccessful"), QByteArray());
    EXPECT_EQ(enhancedStatus("5.7.1234 x"), QByteArray());
    EXPECT_EQ(enhancedStatus("7.1.1 x"), QByteArray());
}

TEST(MailServer, Parse)
{
    using P = MailServer::Protocol;
    using S = MailServer::Security;
    const auto parse = [](P p, const char *text) { return MailServer::parse(p, QString::fromUtf8(text)); };

    Result<MailServer> r = parse(P::Imap, "outlook.office365.com");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->port, 993);
    EXPECT_EQ(r->security, S::ImplicitTls);
    EXPECT_EQ(r->display(), QStringLiteral("imaps://outlook.office365.com:993"));

    r = parse(P::Smtp, "smtp.office365.com");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->port, 587);
    EXPECT_EQ(r->security, S::StartTls);
    EXPECT_EQ(r->display(), QStringLiteral("smtp://smtp.office365.com:587"));

    r = parse(P::Smtp, "smtp.gmail.com:465");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->security, S::ImplicitTls);
    r = parse(P::Imap, "mail.example.com:143");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->security, S::StartTls);

    r = parse(P::Imap, "imaps://127.0.0.1:10993");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->host, QStringLiteral("127.0.0.1"));
    EXPECT_EQ(r->port, 10993);
    EXPECT_EQ(r->security, S::ImplicitTls);
    r = parse(P::Smtp, "smtp://127.0.0.1:10587");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->security, S::StartTls);
    r = parse(P::Imap, "imap://mail.example.com");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->port, 143);
    r = parse(P::Imap, "[::1]:993");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->host, QStringLiteral("::1"));
    EXPECT_EQ(r->display(), QStringLiteral("imaps://[::1]:993"));

    // A port that says nothing about TLS needs a scheme.
    r = parse(P::Imap, "127.0.0.1:10993");
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().message.contains(QStringLiteral("imaps://HOST:10993")));
    EXPECT_FALSE(parse(P::Imap, ""));
    EXPECT_FALSE(parse(P::Imap, "host:0"));
    EXPECT_FALSE(parse(P::Imap, "host:99999"));
    EXPECT_FALSE(parse(P::Imap, "smtp://host"));
    EXPECT_FALSE(parse(P::Imap, "http://host"));
    EXPECT_FALSE(parse(P::Imap, "ho st"));
    EXPECT_FALSE(parse(P::Imap, "host/path"));
    EXPECT_FALSE(parse(P::Imap, "evil\x1b[31m.example.com"));
    EXPECT_FALSE(parse(P::Imap, "::1:993"));
}

} // namespace
