#include "core/mailcheck/MailDiagnosis.h"

#include "core/common/SecureBytes.h"
#include "core/common/TextSafety.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::MailDiagnosis)
};

// A value from a server or a token, for a message: one safe line, at most `max` characters.
QString quoted(const QString &s, int max = 120)
{
    QString t = TextSafety::replaced(s, u"?").simplified();
    if (t.size() > max)
        t = t.left(max - 1) + QChar(0x2026);
    return t;
}

const QStringList kExchangeAudiences
    = {QStringLiteral("https://outlook.office.com"), QStringLiteral("https://outlook.office365.com"),
       QStringLiteral("00000002-0000-0ff1-ce00-000000000000")};
const QStringList kGraphAudiences
    = {QStringLiteral("https://graph.microsoft.com"), QStringLiteral("00000003-0000-0000-c000-000000000000")};

bool sameAddress(const QString &a, const QString &b)
{
    return a.trimmed().compare(b.trimmed(), Qt::CaseInsensitive) == 0;
}

QString setCasMailbox(const QString &email, const QString &setting)
{
    return QStringLiteral("Set-CASMailbox -Identity %1 %2").arg(quoted(email, 320), setting);
}

} // namespace

SaslErrorChallenge decodeSaslErrorChallenge(const QByteArray &json)
{
    SaslErrorChallenge c;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json.left(4096), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return c;
    const QJsonObject o = doc.object();
    c.valid = true;
    const auto text = [&o](const char *key) {
        const QJsonValue v = o.value(QLatin1String(key));
        return quoted(v.isDouble() ? QString::number(v.toInt()) : v.toString(), 200);
    };
    c.status = text("status");
    c.schemes = text("schemes");
    c.scope = text("scope");
    c.openidConfiguration = text("openid-configuration");
    return c;
}

AccessTokenClaims decodeAccessToken(const QByteArray &token)
{
    AccessTokenClaims c;
    // header.payload.signature; only the payload is copied (and wiped): no copy of the whole
    // token, nor of its signature, is made here.
    const qsizetype first = token.indexOf('.');
    const qsizetype second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (!token.startsWith("eyJ") || second < 0 || token.indexOf('.', second + 1) >= 0 || second - first - 1 > 16384)
        return c;
    QByteArray encoded = token.mid(first + 1, second - first - 1);
    QByteArray payload
        = QByteArray::fromBase64(encoded, QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    secureWipe(encoded);
    const QJsonDocument doc = QJsonDocument::fromJson(payload);
    secureWipe(payload);
    if (!doc.isObject())
        return c;
    const QJsonObject o = doc.object();
    c.jwt = true;
    const QJsonValue aud = o.value(QLatin1String("aud"));
    if (aud.isArray()) {
        for (const QJsonValue &v : aud.toArray())
            c.audiences << quoted(v.toString(), 200);
    } else if (aud.isString()) {
        c.audiences << quoted(aud.toString(), 200);
    }
    c.scopes = quoted(o.value(QLatin1String("scp")).toString(), 2000).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QJsonValue &v : o.value(QLatin1String("roles")).toArray())
        c.roles << quoted(v.toString());
    for (const char *claim : {"upn", "preferred_username", "unique_name", "email"}) {
        const QString v = o.value(QLatin1String(claim)).toString();
        if (!v.isEmpty()) {
            c.user = quoted(v, 320);
            c.userClaim = QString::fromLatin1(claim);
            break;
        }
    }
    c.tenant = quoted(o.value(QLatin1String("tid")).toString(), 64);
    const QJsonValue exp = o.value(QLatin1String("exp"));
    if (exp.isDouble())
        c.expires = QDateTime::fromSecsSinceEpoch(qint64(exp.toDouble()), QTimeZone::utc());
    return c;
}

QList<MailDiagnosis> diagnoseToken(const AccessTokenClaims &claims, const QString &providerId,
                                   MailServer::Protocol protocol, const QString &email)
{
    QList<MailDiagnosis> out;
    const bool microsoft = providerId == QLatin1String("microsoft");
    if (!claims.jwt) {
        if (providerId == QLatin1String("google"))
            out << MailDiagnosis{QStringLiteral("token-opaque"),
                                 Text::tr("Google's access tokens are opaque: nobody but Google can read whom or "
                                          "what they are for, so MailKey cannot check the token itself."),
                                 QString(), QString()};
        else
            out << MailDiagnosis{
                QStringLiteral("token-opaque"),
                Text::tr("This access token is opaque (not a JWT; personal Microsoft accounts and many providers "
                         "issue such tokens): MailKey cannot read whom or what it is for."),
                QString(), QString()};
        return out;
    }
    const bool imap = protocol == MailServer::Protocol::Imap;
    if (microsoft) {
        bool exchange = false;
        bool graph = false;
        for (const QString &a : claims.audiences) {
            exchange = exchange || kExchangeAudiences.contains(a, Qt::CaseInsensitive);
            graph = graph || kGraphAudiences.contains(a, Qt::CaseInsensitive);
        }
        if (!exchange) {
            const QString aud
                = claims.audiences.isEmpty() ? Text::tr("(none)") : quoted(claims.audiences.join(QStringLiteral(", ")));
            out << MailDiagnosis{
                QStringLiteral("token-wrong-resource"),
                graph ? Text::tr("The token is for Microsoft Graph (aud %1), not for Outlook's %2 server: Outlook "
                                 "refuses it.")
                            .arg(aud, imap ? QStringLiteral("IMAP") : QStringLiteral("SMTP"))
                      : Text::tr("The token is for another resource (aud %1), not for Outlook "
                                 "(https://outlook.office.com).")
                            .arg(aud),
                Text::tr("Mail programs must ask for the %1 token: mailkey-cli token ADDRESS --resource %1.")
                    .arg(imap ? QStringLiteral("imap") : QStringLiteral("smtp")),
                QString()};
        }
        const QString needed = imap ? QStringLiteral("IMAP.AccessAsUser.All") : QStringLiteral("SMTP.Send");
        if (exchange && !claims.scopes.contains(needed, Qt::CaseInsensitive)) {
            out << MailDiagnosis{
                QStringLiteral("token-missing-scope"),
                Text::tr("The token lacks the permission %1 (it has: %2).")
                    .arg(needed, claims.scopes.isEmpty() ? Text::tr("none")
                                                         : quoted(claims.scopes.join(QLatin1Char(' ')), 300)),
                Text::tr("Add the delegated permission Office 365 Exchange Online %1 to the app registration, then "
                         "sign in again: mailkey-cli connect microsoft --login-hint %2.")
                    .arg(needed, quoted(email, 320)),
                Text::tr("In a work or school tenant an administrator may have to grant consent for %1 to the app.")
                    .arg(needed)};
        }
    }
    if (!claims.user.isEmpty() && claims.user.contains(QLatin1Char('@')) && !sameAddress(claims.user, email)) {
        out << MailDiagnosis{QStringLiteral("token-wrong-user"),
                             Text::tr("The token names another user (%1 %2) than the address that logs in (%3).")
                                 .arg(claims.userClaim, claims.user, quoted(email, 320)),
                             Text::tr("Sign in again as %1 (mailkey-cli connect PROVIDER --login-hint %1), or log in "
                                      "with the address %2. An alias of the mailbox only works if it is also its "
                                      "primary address.")
                                 .arg(quoted(email, 320), claims.user),
                             QString()};
    }
    return out;
}

QList<MailDiagnosis> diagnoseFailure(const MailCheck::Report &report, const QString &providerId, const QString &email)
{
    using Outcome = MailCheck::Outcome;
    using Step = MailCheck::Step;
    QList<MailDiagnosis> out;
    const bool microsoft = providerId == QLatin1String("microsoft");
    const bool google = providerId == QLatin1String("google");
    const bool imap = report.server.protocol == MailServer::Protocol::Imap;
    const QString address = quoted(email, 320);
    const QString server = report.server.display();

    switch (report.outcome) {
    case Outcome::Ok:
    case Outcome::Aborted:
        return out;
    case Outcome::Untrusted:
        out << MailDiagnosis{QStringLiteral("certificate-untrusted"),
                             Text::tr("The certificate of %1 is not trusted, so MailKey sent no login.").arg(server),
                             Text::tr("Check the host name. For your own server, give its CA certificate with "
                                      "--ca FILE. On a network that intercepts TLS (a company proxy, a hotel "
                                      "portal) your mail program would be refused too, or worse, would send the "
                                      "token to the interceptor."),
                             QString()};
        return out;
    case Outcome::Network:
        out << MailDiagnosis{QStringLiteral("network"),
                             Text::tr("%1 could not be reached or stopped answering.").arg(server),
                             Text::tr("Check the host name and port, your network and firewall (outgoing port %1), "
                                      "and try again later.")
                                 .arg(report.server.port),
                             QString()};
        return out;
    case Outcome::Unsupported:
        out << MailDiagnosis{QStringLiteral("unsupported"),
                             Text::tr("%1 does not offer what a mail program needs here.").arg(server),
                             Text::tr("Check the server settings: host, port, and TLS from the first byte (993, 465) "
                                      "or STARTTLS (143, 587)."),
                             QString()};
        return out;
    case Outcome::Refused:
        break;
    }

    const QByteArray enhanced = report.status.mid(report.status.indexOf(' ') + 1);
    const QString said = report.serverReply;
    if (report.failedStep == Step::Command) {
        if (imap && said.contains(QLatin1String("authenticated but not connected"), Qt::CaseInsensitive)) {
            out << MailDiagnosis{
                QStringLiteral("authenticated-not-connected"),
                Text::tr("Microsoft accepted the token, then could not open the mailbox (\"User is authenticated "
                         "but not connected\"). The signed-in user has no Exchange Online mailbox for this "
                         "address, the address is another mailbox than the one signed in, or IMAP is turned off "
                         "for the mailbox."),
                Text::tr("Sign in with the account that owns %1 (mailkey-cli connect microsoft --login-hint %1). "
                         "For a shared mailbox, log in as its user name with your own account's token only if "
                         "you have full access to it.")
                    .arg(address),
                Text::tr("An Exchange Online administrator can turn IMAP on for the mailbox: %1")
                    .arg(setCasMailbox(email, QStringLiteral("-ImapEnabled $true")))};
        } else if (imap) {
            out << MailDiagnosis{QStringLiteral("accepted-then-failed"),
                                 Text::tr("The server accepted the login, then refused to open the INBOX."),
                                 Text::tr("Mail programs will log in and then fail. Check that the mailbox exists "
                                          "and that IMAP is enabled for it."),
                                 QString()};
        } else {
            out << MailDiagnosis{QStringLiteral("send-refused"),
                                 Text::tr("The server accepted the login, then refused to send as %1.").arg(address),
                                 Text::tr("Send from the address of the mailbox you signed in with, or ask for "
                                          "the right to send as %1.")
                                     .arg(address),
                                 microsoft ? Text::tr("An Exchange Online administrator can grant Send As "
                                                      "permission for %1 (Add-RecipientPermission).")
                                                 .arg(address)
                                           : QString()};
        }
        return out;
    }

    // The login itself was refused.
    const SaslErrorChallenge challenge = decodeSaslErrorChallenge(report.challenge);
    if (!imap && enhanced == "5.7.139") {
        out << MailDiagnosis{
            QStringLiteral("smtp-auth-disabled"),
            Text::tr("SMTP AUTH (\"Authenticated SMTP\") is turned off for this mailbox or for the whole "
                     "organization (535 5.7.139). The token is fine; Microsoft 365 refuses every SMTP login."),
            Text::tr("Ask your Microsoft 365 administrator to turn on Authenticated SMTP for %1, or send through "
                     "another way your organization allows.")
                .arg(address),
            Text::tr("Exchange Online PowerShell (Connect-ExchangeOnline first): %1. For the whole organization: "
                     "Set-TransportConfig -SmtpClientAuthenticationDisabled $false.")
                .arg(setCasMailbox(email, QStringLiteral("-SmtpClientAuthenticationDisabled $false")))};
    } else if (!imap && enhanced == "5.7.3") {
        out << MailDiagnosis{
            QStringLiteral("smtp-auth-unsuccessful"),
            Text::tr("The SMTP server refused the login (535 5.7.3 Authentication unsuccessful). With Microsoft 365 "
                     "this means SMTP AUTH is off for the mailbox, the token is not for SMTP (SMTP.Send), or it "
                     "names another mailbox."),
            Text::tr("See what the token says below; sign in again if it names another user: mailkey-cli connect "
                     "microsoft --login-hint %1.")
                .arg(address),
            microsoft ? Text::tr("An administrator can turn on Authenticated SMTP for the mailbox: %1")
                            .arg(setCasMailbox(email, QStringLiteral("-SmtpClientAuthenticationDisabled $false")))
                      : QString()};
    } else if (!imap && enhanced == "5.7.8") {
        out << MailDiagnosis{
            QStringLiteral("smtp-credentials-rejected"),
            Text::tr("The SMTP server did not accept the token (535 5.7.8, credentials not accepted): it is "
                     "expired or revoked, for another account, or lacks the mail scope%1.")
                .arg(google ? QStringLiteral(" (https://mail.google.com/)") : QString()),
            Text::tr("Sign in again: mailkey-cli connect %1 --login-hint %2.").arg(providerId, address),
            google ? Text::tr("In Google Workspace an administrator must allow IMAP/SMTP access and the app "
                              "(Admin console, Security, API controls).")
                   : QString()};
    } else if (imap && report.status.contains("AUTHENTICATIONFAILED")) {
        out << MailDiagnosis{
            QStringLiteral("imap-auth-failed"),
            Text::tr("The IMAP server refused the token (NO [AUTHENTICATIONFAILED])."),
            microsoft ? Text::tr("Check what the token says below. If it is right, IMAP may be turned off for the "
                                 "mailbox, or the app may lack IMAP.AccessAsUser.All or consent for it; then sign "
                                 "in again: mailkey-cli connect microsoft --login-hint %1.")
                            .arg(address)
                      : Text::tr("Sign in again (mailkey-cli connect %1 --login-hint %2); if that does not help, "
                                 "check that IMAP is enabled for the mailbox.")
                            .arg(providerId, address),
            microsoft ? Text::tr("An Exchange Online administrator can turn IMAP on for the mailbox: %1")
                            .arg(setCasMailbox(email, QStringLiteral("-ImapEnabled $true")))
                      : QString()};
    } else {
        out << MailDiagnosis{
            QStringLiteral("login-refused"),
            Text::tr("%1 refused the login (%2).")
                .arg(server,
                     report.status.isEmpty() ? Text::tr("no reason given") : QString::fromLatin1(report.status)),
            Text::tr("Sign in again: mailkey-cli connect %1 --login-hint %2.").arg(providerId, address), QString()};
    }
    if (challenge.valid) {
        QString meaning;
        if (challenge.status == QLatin1String("401") || challenge.status == QLatin1String("invalid_token"))
            meaning = Text::tr("the token is invalid, expired or revoked");
        else if (challenge.status == QLatin1String("insufficient_scope"))
            meaning = Text::tr("the token lacks a scope the server needs");
        else if (challenge.status == QLatin1String("400") || challenge.status == QLatin1String("invalid_request"))
            meaning = Text::tr("the login request was malformed");
        else
            meaning = Text::tr("status %1").arg(challenge.status);
        const QString scope = challenge.scope.isEmpty()
                                  ? QString()
                                  : Text::tr(" The server expects the scope %1.").arg(challenge.scope);
        out << MailDiagnosis{
            QStringLiteral("sasl-error-challenge"),
            Text::tr("The server's %1 error says: %2.%3")
                .arg(report.mechanism.isEmpty() ? QStringLiteral("SASL") : report.mechanism, meaning, scope),
            Text::tr("Sign in again: mailkey-cli connect %1 --login-hint %2.").arg(providerId, address), QString()};
    }
    return out;
}

} // namespace mailkey
