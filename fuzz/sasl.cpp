// The SASL initial responses mailkey-cli prints for mail programs (cli/Sasl.h), built from a
// hostile address, host, port and token. Input: <user> NUL <host> NUL <token> NUL <port digits>.
//
// Invariants checked:
//  - the output is base64 and decodes to exactly the documented layout (RFC 7628 / Google's
//    XOAUTH2), field by field;
//  - for an address MailKey accepts (MailAddress::isPlausible: what the vault can hold) and a
//    host without controls, the decoded output contains no control character other than the
//    0x01 separators, exactly as many of them as the layout has, and the gs2 address round-trips
//    through =2C / =3D unescaping; so the address cannot add or end a field;
//  - MailAddress::isPlausible never accepts a control, space, comma or 0x01 character.
#include "FuzzSupport.h"

#include "cli/Sasl.h"
#include "core/common/MailAddress.h"

using namespace mailkey;

namespace {

bool hasControl(const QByteArray &b)
{
    for (const char c : b) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            return true;
    }
    return false;
}

QByteArray unescapeSaslName(const QByteArray &in)
{
    QByteArray out = in;
    out.replace("=2C", ",");
    out.replace("=3D", "=");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return -1;
    QByteArray rest = fuzz::bytes(data, size);
    const QString user = QString::fromUtf8(fuzz::takePart(rest));
    const QString host = QString::fromUtf8(fuzz::takePart(rest));
    const QString token = QString::fromUtf8(fuzz::takePart(rest));
    const int port = fuzz::takePart(rest).left(6).toInt() % 70000;
    const QByteArray u8 = user.toUtf8();
    const QByteArray h8 = host.toUtf8();
    const QByteArray t8 = token.toUtf8();

    const bool plausible = MailAddress::isPlausible(user);
    if (plausible) {
        fuzz::check(!hasControl(u8), "isPlausible accepted a control character");
        fuzz::check(!u8.contains(' ') && !u8.contains(','), "isPlausible accepted a space or comma");
    }
    const bool cleanToken = !hasControl(t8);

    // XOAUTH2: "user=" user ^A "auth=Bearer " token ^A ^A
    const QByteArray x = cli::xoauth2(user, SecretString(token)).bytes();
    const QByteArray xd = QByteArray::fromBase64(x, QByteArray::AbortOnBase64DecodingErrors);
    fuzz::check(xd.toBase64() == x, "XOAUTH2 is not canonical base64");
    fuzz::check(xd
                    == "user=" + u8
                           + "\x01"
                             "auth=Bearer "
                           + t8 + "\x01\x01",
                "XOAUTH2 layout");
    if (plausible && cleanToken) {
        fuzz::check(xd.count('\x01') == 3, "XOAUTH2 separators added or lost");
        QByteArray stripped = xd;
        stripped.replace('\x01', "");
        fuzz::check(!hasControl(stripped), "XOAUTH2 with a control character");
        const QList<QByteArray> fields = xd.split('\x01');
        fuzz::check(fields.size() == 4 && fields[0] == "user=" + u8, "XOAUTH2 user field");
    }

    // OAUTHBEARER: "n,a=" saslname "," ^A ["host=" host ^A] ["port=" port ^A] "auth=Bearer " token ^A ^A
    const QByteArray b = cli::oauthBearer(user, SecretString(token), host, port).bytes();
    const QByteArray bd = QByteArray::fromBase64(b, QByteArray::AbortOnBase64DecodingErrors);
    fuzz::check(bd.toBase64() == b, "OAUTHBEARER is not canonical base64");
    fuzz::check(bd.startsWith("n,a="), "OAUTHBEARER gs2 header");
    const qsizetype gs2End = bd.indexOf(",\x01");
    fuzz::check(gs2End > 0, "OAUTHBEARER gs2 header not terminated");
    const QByteArray saslName = bd.mid(4, gs2End - 4);
    fuzz::check(!saslName.contains(','), "unescaped comma in the gs2 authzid");
    QByteArray expectedTail;
    if (!host.isEmpty())
        expectedTail += "host=" + h8 + '\x01';
    if (port > 0)
        expectedTail += "port=" + QByteArray::number(port) + '\x01';
    expectedTail += "auth=Bearer " + t8 + "\x01\x01";
    fuzz::check(bd.mid(gs2End + 2) == expectedTail, "OAUTHBEARER key/value layout");
    if (plausible) {
        fuzz::check(unescapeSaslName(saslName) == u8 || u8.contains("=2C") || u8.contains("=3D"),
                    "gs2 address does not round-trip");
        if (cleanToken && !hasControl(h8)) {
            const int seps = 3 + (host.isEmpty() ? 0 : 1) + (port > 0 ? 1 : 0);
            fuzz::check(bd.count('\x01') == seps, "OAUTHBEARER separators added or lost");
        }
    }
    return 0;
}
