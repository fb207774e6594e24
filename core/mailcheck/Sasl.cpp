#include "core/mailcheck/Sasl.h"

#include "core/common/SecureBytes.h"

namespace mailkey {

namespace {

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
    const SecureBytes t = token.toUtf8();
    QByteArray raw;
    raw.reserve(user.size() * 3 + t.size() + 32); // no reallocation leaves a copy behind
    raw += "user=";
    raw += user.toUtf8();
    raw += "\x01"
           "auth=Bearer ";
    raw += t.bytes();
    raw += "\x01\x01";
    return finish(std::move(raw));
}

SecureBytes oauthBearer(const QString &user, const SecretString &token, const QString &host, int port)
{
    const SecureBytes t = token.toUtf8();
    QByteArray raw;
    raw.reserve(user.size() * 9 + host.size() * 3 + t.size() + 64);
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
    raw += t.bytes();
    raw += "\x01\x01";
    return finish(std::move(raw));
}

} // namespace mailkey
