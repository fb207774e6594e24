#pragma once

#include "core/common/SecretString.h"

#include <QByteArray>
#include <QString>

namespace mailkey::cli {

// The SASL initial client responses mail programs send in IMAP AUTHENTICATE / SMTP AUTH, base64
// encoded. Both results hold the token, in buffers that wipe themselves.
//
// XOAUTH2 (Google / Microsoft):  base64("user=" ADDR ^A "auth=Bearer " TOKEN ^A ^A)
// OAUTHBEARER (RFC 7628):        base64("n,a=" ADDR "," ^A ["host=" HOST ^A] ["port=" PORT ^A]
//                                        "auth=Bearer " TOKEN ^A ^A)
// (^A = 0x01.) In the gs2 header "," and "=" of the address are escaped as "=2C" and "=3D"
// (RFC 5801). host and port are left out when empty / 0 (RFC 7628 does not require them).
SecureBytes xoauth2(const QString &user, const SecretString &token);
SecureBytes oauthBearer(const QString &user, const SecretString &token, const QString &host = QString(), int port = 0);

struct SaslServer {
    QString host;
    int port = 0;
};
// The server a mail program would talk to for (provider, resource), for the host/port of
// OAUTHBEARER: microsoft imap outlook.office365.com:993, smtp smtp.office365.com:587; google imap
// imap.gmail.com:993, smtp smtp.gmail.com:587; nothing for other providers and for graph.
SaslServer defaultSaslServer(const QString &providerId, const QString &resource);

} // namespace mailkey::cli
