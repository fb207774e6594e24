#pragma once

#include "core/common/Result.h"
#include "core/providers/Provider.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace mailkey {

// One thing wrong with one provider (or with a setting): which provider, which field, why.
// Never contains a client secret or any other value that could be one.
struct ProviderProblem {
    int providerIndex = -1; // index in the "providers" array; -1: top level of the file, or a setting
    QString id;             // the provider's id when it had a valid one
    QString field;          // JSON field, setting key or environment variable; empty = the whole entry
    QString reason;         // what is wrong, for the user

    // e.g. providers[2] ("example"): token_endpoint: must use https (...)
    QString message() const;
};

// Custom identity providers from providers.json. Field names follow RFC 8414:
//   {"providers": [{"id": "example", "name": "Example", "issuer": "https://id.example.com",
//     "authorization_endpoint": "...", "token_endpoint": "...", "userinfo_endpoint": "...",
//     "revocation_endpoint": "...", "client_id": "...", "client_secret": "...",
//     "scopes": ["openid", "email", "offline_access"],
//     "redirect_host": "127.0.0.1", "redirect_path": "/oauth/example"}]}
// Required: id, issuer. Optional: name (default: the id), authorization_endpoint and
// token_endpoint (both or neither; neither = the provider needs OpenID discovery),
// userinfo_endpoint, revocation_endpoint, client_id, client_secret, scopes (default
// openid email offline_access), redirect_host (default 127.0.0.1), redirect_path (default
// /oauth/<id>), authorization_response_iss_parameter_supported (bool, RFC 9207).
//
// A provider with any problem is left out, and every problem it has is reported; the other
// providers are still loaded. Problems with the file as a whole (unreadable, too large, not JSON,
// no "providers" array) are a single Error (ErrorCode::Config).
class ProviderFile {
public:
    struct Contents {
        QString path; // empty for parse()
        QList<Provider> providers;
        QList<ProviderProblem> problems;
    };

    static constexpr qint64 MaxFileSize = 1024 * 1024;
    static constexpr const char *FileName = "providers.json";

    // <Profile::configRoot()>/providers.json
    static QString defaultPath();

    // An explicit file (--providers FILE): a missing file is an error. Only a regular file is read:
    // a FIFO, device, socket or folder is refused at once, without blocking (the opened
    // descriptor is what is checked).
    static Result<Contents> load(const QString &path);
    // The default file, read as load() reads: a missing file means "no custom providers", not an
    // error.
    static Result<Contents> loadDefault();
    // The JSON text itself; `sourceName` names it in messages.
    static Result<Contents> parse(const QByteArray &json, const QString &sourceName = QString());
};

} // namespace mailkey
