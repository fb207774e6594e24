#pragma once

#include "core/common/SecretString.h"
#include "core/common/SecureBytes.h"

#include <QByteArrayView>
#include <QString>

namespace mailkey {

// The SASL initial client responses of IMAP AUTHENTICATE / SMTP AUTH, base64 encoded, for
// mailkey-cli's `token --sasl` and for MailCheck. Both results hold the token, in buffers that wipe
// themselves.
//
// XOAUTH2 (Google / Microsoft):  base64("user=" ADDR ^A "auth=Bearer " TOKEN ^A ^A)
// OAUTHBEARER (RFC 7628):        base64("n,a=" ADDR "," ^A ["host=" HOST ^A] ["port=" PORT ^A]
//                                        "auth=Bearer " TOKEN ^A ^A)
// (^A = 0x01.) In the gs2 header "," and "=" of the address are escaped as "=2C" and "=3D"
// (RFC 5801). host and port are left out when empty / 0 (RFC 7628 does not require them).
SecureBytes xoauth2(const QString &user, const SecretString &token);
SecureBytes oauthBearer(const QString &user, const SecretString &token, const QString &host = QString(), int port = 0);

} // namespace mailkey
