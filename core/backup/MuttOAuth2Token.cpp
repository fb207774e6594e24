#include "core/backup/MuttOAuth2Token.h"

#include "core/common/MailAddress.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::MuttOAuth2Token)
};

// The scopes of mutt_oauth2.py's registrations (what its grant covers).
const char *kGoogleScope = "https://mail.google.com/";
const char *kMicrosoftScopes[]
    = {"offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All",
       "https://outlook.office.com/POP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send"};

Error invalid(const QString &message)
{
    return {ErrorCode::InvalidInput, message};
}

} // namespace

QString MuttOAuth2Token::providerFor(const QString &registration)
{
    if (registration == QLatin1String("google") || registration == QLatin1String("microsoft"))
        return registration;
    return {};
}

QString MuttOAuth2Token::registrationOf(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object().value(QStringLiteral("registration")).toString();
}

// Qt's JSON parser keeps its own copies of the values while the document lives (freed, not wiped,
// when it goes); the tokens are moved into SecretStrings at once and the document is dropped.
Result<SnapshotAccount> MuttOAuth2Token::parse(const QByteArray &json, const QString &providerId, bool microsoft,
                                               const QDateTime &now)
{
    QJsonParseError perr{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &perr);
    if (perr.error != QJsonParseError::NoError || !doc.isObject())
        return invalid(Text::tr("This is not a mutt_oauth2.py token file: it is not one JSON object (JSON error at "
                                "byte %1). Give the output of its decryption pipe, e.g. 'gpg --decrypt FILE'.")
                           .arg(perr.offset));
    const QJsonObject o = doc.object();
    for (const char *key : {"registration", "email", "refresh_token"}) {
        if (!o.value(QLatin1String(key)).isString())
            return invalid(
                Text::tr("This is not a mutt_oauth2.py token file: it has no \"%1\".").arg(QLatin1String(key)));
    }
    SnapshotAccount a;
    a.info.provider = providerId;
    a.info.email = o.value(QStringLiteral("email")).toString().trimmed();
    if (!MailAddress::isPlausible(a.info.email))
        return invalid(Text::tr("The \"email\" of this mutt_oauth2.py token file is not an e-mail address."));
    a.createdAt = now;

    TokenRecord t;
    t.refreshToken = SecretString(o.value(QStringLiteral("refresh_token")).toString());
    if (t.refreshToken.isEmpty())
        return invalid(Text::tr("This mutt_oauth2.py token file has no refresh token (it was never authorized). Run "
                                "'mutt_oauth2.py --authorize FILE' first, or connect the account with "
                                "'mailkey-cli connect'."));
    const QString clientId = o.value(QStringLiteral("client_id")).toString().trimmed();
    if (clientId.isEmpty())
        return invalid(Text::tr("This mutt_oauth2.py token file has no \"client_id\": this version of the script "
                                "keeps it in its 'registrations'. The refresh token works only with that client: "
                                "add \"client_id\" and \"client_secret\" from the script to the JSON (see "
                                "docs/backup-format.md), then import again."));
    a.client = AccountClient{clientId, SecretString(o.value(QStringLiteral("client_secret")).toString())};
    t.accessToken = SecretString(o.value(QStringLiteral("access_token")).toString());
    // datetime.now().isoformat(): local time of the machine that wrote it, no zone.
    const QString expiry = o.value(QStringLiteral("access_token_expiration")).toString();
    QDateTime expires = QDateTime::fromString(expiry.left(23), Qt::ISODateWithMs);
    if (!expires.isValid())
        expires = QDateTime::fromString(expiry.left(19), Qt::ISODate);
    t.expiresAt = t.accessToken.isEmpty() || !expires.isValid() ? now : expires.toUTC();
    t.issuedAt = now;
    if (microsoft) {
        t.resource = QStringLiteral("imap");
        for (const char *scope : kMicrosoftScopes)
            t.scopes << QLatin1String(scope);
    } else {
        t.resource = QString::fromLatin1(DefaultResource);
        if (providerId == QLatin1String("google"))
            t.scopes << QLatin1String(kGoogleScope);
    }
    a.tokens.push_back(std::move(t));
    return a;
}

} // namespace mailkey
