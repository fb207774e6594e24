#pragma once

// node's oidc-provider (tests/thirdparty/oidc-provider/server.mjs) as a child process of the test:
// started on a free loopback port, stopped when the object goes (its standard input is a pipe,
// so the server also ends when the test process dies). A missing node or node_modules is a
// start() failure with a message that says what to install: the tests that use it FAIL, they
// are never skipped.
//
// Besides the server, the two things a test does at it directly, as a resource server (Dovecot)
// and as an attacker would: introspect a token with the confidential client, and send a token
// request of its own (to replay a rotated refresh token). Token values are never printed.

#include <QByteArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <utility>

namespace mailkey::test {

class OidcProviderServer {
public:
    static constexpr const char *PublicClientId = "mailkey-test";
    static constexpr const char *RedirectPath = "/oauth/oidc-provider";
    static constexpr const char *IntrospectionClientId = "mailkey-introspect";
    static constexpr const char *IntrospectionClientSecret = "mailkey-introspect-secret";

    OidcProviderServer();
    ~OidcProviderServer();
    OidcProviderServer(const OidcProviderServer &) = delete;
    OidcProviderServer &operator=(const OidcProviderServer &) = delete;

    // server.mjs options: --decline-scope SCOPE, --refresh-without-offline-access,
    // --access-token-ttl SECONDS. Returns an empty string on success, else why it failed.
    QString start(const QStringList &options = {});
    void stop();

    QString issuer() const { return m_issuer; } // "http://127.0.0.1:PORT"
    QUrl url(const QString &path) const { return QUrl(m_issuer + path); }
    QString serverLog() const; // what the server wrote to stderr (warnings; no secrets)

    // application/x-www-form-urlencoded, every value percent-encoded.
    static QByteArray formBody(const QList<std::pair<const char *, QString>> &fields);

    // RFC 7662 with the confidential client. An empty object when the request failed.
    QJsonObject introspect(const QString &token, const QString &hint = QString());
    // A refresh_token grant of the public client, sent by the test itself: (HTTP status, JSON).
    std::pair<int, QJsonObject> refresh(const QString &refreshToken, const QString &scope = QString());

private:
    std::pair<int, QJsonObject> post(const QString &path, const QByteArray &body, const QByteArray &authorization);

    QProcess m_process;
    QString m_issuer;
    QByteArray m_stderr;
    QNetworkAccessManager m_nam;
};

} // namespace mailkey::test
