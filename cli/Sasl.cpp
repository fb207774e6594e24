#include "cli/Sasl.h"

#include "core/common/SecureBytes.h"

namespace mailkey::cli {

namespace {

// Room for the whole message up front, so that no buffer holding a part of the token is left
// behind unwiped when the message grows.
QByteArray reserved(const QString &user, const SecretString &token, const QString &host)
{
    QByteArray raw;
    raw.reserve(64 + 9 * (user.size() + host.size()) + 3 * token.size());
    return raw;
}

SecureBytes finish(QByteArray raw)
{
    SecureBytes b64(raw.toBase64());
    secureWipe(raw);
    return b64;
}

QByteArray saslName(const QString &user)
{
    QByteArray out;
    const QByteArray u = user.toUtf8();
    for (const char c : u) {
        if (c == ',')
            out += "=2C";
        else if (c == '=')
            out += "=3D";
        else
            out += c;
    }
    return out;
}

} // namespace

SecureBytes xoauth2(const QString &user, const SecretString &token)
{
    QByteArray raw = reserved(user, token, QString());
    raw += "user=";
    raw += user.toUtf8();
    raw += "\x01"
           "auth=Bearer ";
    raw += token.toUtf8().bytes();
    raw += "\x01\x01";
    return finish(std::move(raw));
}

SecureBytes oauthBearer(const QString &user, const SecretString &token, const QString &host, int port)
{
    QByteArray raw = reserved(user, token, host);
    raw += "n,a=";
    raw += saslName(user);
    raw += ",\x01";
    if (!host.isEmpty()) {
        raw += "host=";
        raw += host.toUtf8();
        raw += '\x01';
    }
    if (port > 0) {
        raw += "port=";
        raw += QByteArray::number(port);
        raw += '\x01';
    }
    raw += "auth=Bearer ";
    raw += token.toUtf8().bytes();
    raw += "\x01\x01";
    return finish(std::move(raw));
}

SaslServer defaultSaslServer(const QString &providerId, const QString &resource)
{
    const bool imap = resource == QLatin1String("imap");
    const bool smtp = resource == QLatin1String("smtp");
    if (providerId == QLatin1String("microsoft")) {
        if (imap)
            return {QStringLiteral("outlook.office365.com"), 993};
        if (smtp)
            return {QStringLiteral("smtp.office365.com"), 587};
    } else if (providerId == QLatin1String("google")) {
        if (imap)
            return {QStringLiteral("imap.gmail.com"), 993};
        if (smtp)
            return {QStringLiteral("smtp.gmail.com"), 587};
    }
    return {};
}

} // namespace mailkey::cli
