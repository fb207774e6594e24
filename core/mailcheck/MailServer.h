#pragma once

#include "core/common/Result.h"

#include <QString>

namespace mailkey {

// One mail server to check: IMAP or SMTP (submission), where, and how TLS starts. A plain value.
struct MailServer {
    enum class Protocol {
        Imap,
        Smtp
    };
    enum class Security {
        ImplicitTls, // TLS from the first byte (993, 465)
        StartTls     // plain greeting, then STARTTLS before anything else (143, 587)
    };

    Protocol protocol = Protocol::Imap;
    QString host;
    int port = 0;
    Security security = Security::ImplicitTls;

    bool isValid() const { return !host.isEmpty() && port > 0; }
    // "imaps://outlook.office365.com:993", "smtp://smtp.office365.com:587" (STARTTLS): what the
    // server is, as mutt writes it; for messages and the audit log.
    QString display() const;
    QString protocolName() const; // "imap" or "smtp"

    // Reads what a person types for a server of `protocol`:
    //   HOST, HOST:PORT, [IPv6]:PORT    the port decides how TLS starts: 993 / 465 TLS from the
    //                                   first byte, 143 / 587 STARTTLS; without a port 993 (IMAP)
    //                                   or 587 (SMTP);
    //   imaps://HOST[:PORT], smtps://   TLS from the first byte (default 993 / 465);
    //   imap://HOST[:PORT], smtp://     STARTTLS (default 143 / 587).
    // Any other port needs one of the schemes. Fails with InvalidInput and a message that says
    // what is wrong; the text given is not echoed unless it is safe to show.
    static Result<MailServer> parse(Protocol protocol, const QString &text);
};

} // namespace mailkey
