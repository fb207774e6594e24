#pragma once

#include "core/mailcheck/Sasl.h"

#include <QString>

namespace mailkey::cli {

// The SASL strings themselves are built in core (core/mailcheck/Sasl.h), for `token --sasl` and
// for `check` alike.
using mailkey::oauthBearer;
using mailkey::xoauth2;

struct SaslServer {
    QString host;
    int port = 0;
};
// The server a mail program would talk to for (provider, resource), for the host/port of
// OAUTHBEARER: microsoft imap outlook.office365.com:993, smtp smtp.office365.com:587; google imap
// imap.gmail.com:993, smtp smtp.gmail.com:587; nothing for other providers and for graph.
SaslServer defaultSaslServer(const QString &providerId, const QString &resource);

} // namespace mailkey::cli
