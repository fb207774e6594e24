#pragma once

// A strict, in-process OAuth 2.0 / OpenID Connect authorization server plus Graph- and
// Gmail-style resource endpoints, for tests and for clicking through the real app
// (mailkey-fake-idp). It is the only peer the app's OAuth code is ever tested against, so it
// refuses everything a real server refuses (and a little more, see "Strictness" below).
//
// Implements: RFC 6749 (code grant, refresh grant, errors of 5.2, single-use codes, 10.5 code
// reuse revokes the tokens of that code), RFC 7636 (PKCE, S256 only), RFC 7009 (revocation),
// RFC 7662 (introspection, for resource servers such as Dovecot: confidential clients only; an
// active answer carries sub, email, username = email, scope, client_id, exp, iss),
// RFC 9700 4.14.2 (refresh tokens rotate on every use; presenting a rotated one revokes the whole
// grant), RFC 9207 (iss in the authorization response), RFC 8252 7.3 (loopback redirect, any
// port), RFC 8414 / OIDC discovery, RFC 6750 (Bearer, WWW-Authenticate), RFC 8628 (device
// authorization grant: /devicecode, then the device_code grant at /token, with the user on "the
// other device" scripted by setDeviceFlow()).
//
// Strictness beyond the letter of the RFCs (all of it is what real providers do):
//  - /authorize requires state (at least minStateLength() characters, default 16), scope, PKCE S256.
//  - A refresh token is only issued when the scope contains offline_access (Microsoft) or the
//    authorization request had access_type=offline (Google). An id_token only with openid.
//  - Authorization codes and tokens contain '+' and '/', and request bodies are decoded as
//    application/x-www-form-urlencoded ('+' = space): a client that does not percent-encode
//    them fails, like against Google and Microsoft.
//  - A code is consumed by its first redemption attempt of the right client, even a failed one.
//  - A public client (no secret configured) that sends a non-empty client_secret is refused
//    (AADSTS700025); an empty client_secret parameter is ignored.
//  - Consent (Microsoft): /authorize accepts scopes of several resources (Graph and
//    https://outlook.office.com/...) and records them all as consented for the grant. Each
//    token request (code redemption or refresh) must target one resource: Outlook scopes mixed
//    with Graph scopes -> invalid_scope (AADSTS28000); a redemption without scope after a
//    multi-resource /authorize is refused the same way. One refresh token serves every
//    consented resource (Microsoft's multi-resource refresh token). A token request for a
//    resource URL scope (https://...) that was not consented at /authorize -> 400 invalid_grant,
//    "AADSTS65001: The user or administrator has not consented ...", suberror
//    consent_required; any other scope not consented -> invalid_scope (AADSTS70011).
//  - A token whose scope contains an https://outlook.office.com/ scope has the Outlook audience:
//    the Graph, Gmail and userinfo endpoints refuse it with 401 (invalid audience).
//  - Repeated parameters -> invalid_request (RFC 6749 3.1/3.2); the token endpoint refuses
//    parameters in the query string, other methods than POST (405) and other content types.
//  - HTTP: Host header required, no Transfer-Encoding (501), requests > 64 KiB -> 413/431,
//    per-connection idle timeout (default 10 s), keep-alive and pipelining.
//
// Gmail labels: the labels are derived from setMailFolders(). Known names get Gmail's system
// label ids (Inbox -> INBOX, Sent/Sent Items -> SENT, Drafts -> DRAFT, Trash/Deleted Items ->
// TRASH, Spam/Junk Email -> SPAM; name = id, type "system"), others get "Label_<n>" (n = index in
// the folder list, type "user", name = folder name). Unlike real Gmail, the list
// (/gmail/v1/users/me/labels) already carries messagesTotal/messagesUnread/threadsTotal/
// threadsUnread (threads = messages); /gmail/v1/users/me/labels/<id> returns one label like
// Gmail's labels.get. Graph: /v1.0/me/mailFolders returns {"value":[{id, displayName,
// unreadItemCount, totalItemCount, ...}]}, /v1.0/me/mailFolders/<id or well-known name> one folder.
//
// The server never logs anything (no token, code or verifier reaches a log call).

#include "core/common/Clock.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

QT_BEGIN_NAMESPACE
class QTcpServer;
QT_END_NAMESPACE

namespace mailkey::test {

class HttpConnection;
struct HttpRequest;
struct HttpResponse;

class FakeAuthServer : public QObject {
    Q_OBJECT
public:
    enum class Endpoint {
        Authorize,
        Token,
        Me,
        MailFolders,
        Labels,
        UserInfo,
        Revoke,
        Introspect,
        Discovery,
        DeviceAuthorization
    };
    Q_ENUM(Endpoint)

    struct Client {
        QString clientId;
        QString clientSecret;             // empty = public client (client_id in the body)
        QStringList allowedRedirectPaths; // empty = any path
    };
    struct User {
        QString subject;
        QString email; // empty = the user has no mail (Graph "mail": null)
        QString displayName;
        QString userPrincipalName;
    };
    struct MailFolder {
        QString name;
        int unread = 0;
        int total = 0;
    };
    // RFC 8628: what /devicecode answers and what the user on the other device does. Poll by poll
    // (device_code grants at /token): the first `slowDownPolls` are answered slow_down, the next
    // `pendingPolls` authorization_pending, then the user has approved (tokens for the scope of
    // the device authorization request, a refresh token with offline_access) or, with `deny`,
    // declined (access_denied). After the server clock passed expires_in: expired_token.
    struct DeviceFlow {
        int slowDownPolls = 0;
        int pendingPolls = 0;
        bool deny = false;
        QJsonValue interval = 5; // as sent; undefined = left out of the reply
        int expiresIn = 600;
        bool legacyVerificationUrl = false; // "verification_url" (Google) instead of "verification_uri"
        bool sendComplete = true;           // verification_uri_complete
    };
    struct Fault {
        enum Kind {
            Delay,         // wait delayMs, then answer normally
            ServerError,   // httpStatus (default 500) + JSON error body
            RateLimited,   // httpStatus (default 429) + Retry-After: retryAfterSeconds
            MalformedJson, // httpStatus (default 200), application/json, truncated JSON
            HtmlBody,      // httpStatus (default 200), text/html error page
            // Close the connection without any answer. QNetworkAccessManager silently re-sends
            // a request (even a POST) when a connection closes before any answer byte; so that
            // `count` is the number of failures the client sees, the identical re-send arriving
            // within 200 ms of a drop is dropped too (it counts in requestCount(), not in count).
            DropConnection,
            // Process the request (a refresh rotates!), then close unanswered. Qt's silent
            // re-send is NOT absorbed here: it presents the rotated refresh token again, which
            // is reuse, and the grant dies (what a strict RFC 9700 server does).
            DropAfterProcessing,
            // Process the request at once (a refresh rotates!), then send the answer after
            // delayMs: a reply slow to come back, as over a slow network. A client that gives up
            // meanwhile has lost the rotated refresh token.
            SlowAnswer,
            // Status line, headers and part of the body, then close: a reset mid-response.
            // Qt does not re-send this one; the reply ends with RemoteHostClosedError.
            Truncated,
        };
        Kind kind = ServerError;
        int count = 1;             // requests affected; -1 = until clearFaults()
        int httpStatus = 0;        // 0 = the kind's default
        int retryAfterSeconds = 1; // RateLimited only
        int delayMs = 0;           // applied before every kind (a slow 500, a hang then a drop)
    };

    explicit FakeAuthServer(QObject *parent = nullptr);
    ~FakeAuthServer() override;

    // Listens on 127.0.0.1 only. port 0 = any free port.
    bool listen(quint16 port = 0);
    bool isListening() const;
    quint16 port() const;
    void close();

    QUrl baseUrl() const;                // http://127.0.0.1:PORT/
    QString issuer() const;              // http://127.0.0.1:PORT (no trailing slash)
    QUrl authorizeUrl() const;           // /authorize
    QUrl tokenUrl() const;               // /token
    QUrl meUrl() const;                  // /v1.0/me
    QUrl mailFoldersUrl() const;         // /v1.0/me/mailFolders
    QUrl gmailLabelsUrl() const;         // /gmail/v1/users/me/labels
    QUrl userinfoUrl() const;            // /userinfo
    QUrl revokeUrl() const;              // /revoke
    QUrl introspectUrl() const;          // /introspect
    QUrl discoveryUrl() const;           // /.well-known/openid-configuration
    QUrl deviceAuthorizationUrl() const; // /devicecode
    QUrl deviceVerificationUrl() const;  // /device (only named in replies; nothing is served there)
    QUrl jwksUrl() const;                // /jwks (empty key set; id_tokens are HS256 or alg none)

    // Configuration --------------------------------------------------------------------------
    void addClient(const Client &client);
    void setUser(const User &user); // who signs in at the next /authorize
    User user() const;
    void setMailFolders(const QList<MailFolder> &folders);
    void setAccessTokenLifetime(int seconds);   // default 3600
    void setRefreshTokenLifetime(int seconds);  // default 0 = never expires
    void setCodeLifetime(int seconds);          // default 60
    void setClock(const mailkey::Clock *clock); // nullptr = system clock; used for every expiry
    void setSendIss(bool send);                 // default true (RFC 9207), discovery follows
    // Fault: id_tokens with "alg":"none" and no signature (a client must refuse them).
    void setUnsignedIdTokens(bool unsignedTokens) { m_unsignedIdTokens = unsignedTokens; }
    void setMinStateLength(int chars); // default 16; 1 = any non-empty state
    // The user unticks these scopes on the consent screen (Google's granular consent): the grant
    // of the next sign-ins, and every token of it, has the other requested scopes only; a token
    // request that names a declined scope is refused (invalid_scope).
    void setDeclinedScopes(const QStringList &scopes) { m_declinedScopes = scopes; }
    // The next valid /authorize redirects with error=<error>&error_description=...&state=...
    void setNextAuthorizeError(const QString &error, const QString &description = QString());
    // The next `count` token requests fail with this status and a Microsoft-style body; the AADSTS
    // number at the start of the description (e.g. "AADSTS70008: ...") fills error_codes. Nothing
    // is consumed (the code or refresh token stays usable).
    void setNextTokenError(int httpStatus, const QString &error, const QString &description, int count = 1);
    void setDeviceFlow(const DeviceFlow &flow) { m_deviceFlow = flow; }
    void setLatency(int ms);     // added to every response
    void setIdleTimeout(int ms); // per connection, default 10000

    void injectFault(Endpoint endpoint, const Fault &fault); // faults queue per endpoint
    void clearFaults();

    // Introspection --------------------------------------------------------------------------
    int requestCount(Endpoint endpoint) const; // every request received, faults included
    int refreshCount() const;                  // successful refresh_token grants
    int revocationCount() const;               // /revoke requests answered 200
    int issuedAccessTokenCount() const;
    bool isGrantActive(const QString &email) const; // a non-revoked grant of that user exists
    int activeGrantCount() const;
    bool isAccessTokenValid(const QString &token) const;  // known, unexpired, unrevoked
    bool isRefreshTokenValid(const QString &token) const; // current token of an active grant
    QString accessTokenScope(const QString &token) const;
    QList<QUrlQuery> authorizeRequests() const;          // raw queries, newest last (max 100);
                                                         // read with queryItemValue(k, QUrl::FullyDecoded)
    QList<QMap<QString, QString>> tokenRequests() const; // decoded bodies, newest last (max 100)
    void revokeAllGrants();                              // the user removed the app's access
    QString lastIssuedAccessToken() const;
    QString lastIssuedRefreshToken() const;
    QString lastIssuedCode() const;
    QString lastIssuedIdToken() const;
    QString lastDeviceCode() const { return m_lastDeviceCode; }
    QString lastUserCode() const { return m_lastUserCode; }
    // When each device_code grant request arrived (ms of a monotonic clock), oldest first.
    QList<qint64> devicePollTimes() const { return m_devicePollTimes; }
    void resetCounters();

Q_SIGNALS:
    // For logs (mailkey-fake-idp prints it): the path never has the query, so no secret.
    void requestHandled(const QString &method, const QString &path, int httpStatus);

private:
    struct CodeRecord {
        QString clientId;
        QString redirectUri;
        QString challenge;
        QString scope;
        QString nonce;
        bool offline = false;
        User user;
        QDateTime expires;
        bool used = false;
        int grantId = -1;
    };
    struct GrantRecord {
        QString clientId;
        User user;
        QString consented; // every scope of the /authorize request (may span resources)
        QString scope;     // what a refresh without scope gets (one resource)
        QString nonce;
        bool offline = false;
        bool revoked = false;
        QString currentRefreshToken;
    };
    struct DeviceRecord {
        QString clientId;
        QString scope;
        User user;
        QDateTime expires;
        int polls = 0;
        bool done = false; // tokens issued or access denied
    };
    struct AccessRecord {
        int grantId = -1;
        QString clientId;
        QString scope;
        QDateTime expires;
        bool revoked = false;
    };
    struct RefreshRecord {
        int grantId = -1;
        bool rotated = false;
        QDateTime expires; // null = never
    };
    void onNewConnection();
    void handleRequest(HttpConnection *connection, const HttpRequest &request);
    bool endpointFor(const QString &path, Endpoint *endpoint) const;
    HttpResponse respond(Endpoint endpoint, const HttpRequest &request);
    HttpResponse faultResponse(const Fault &fault) const;

    HttpResponse handleAuthorize(const HttpRequest &request);
    HttpResponse handleToken(const HttpRequest &request);
    HttpResponse handleAuthorizationCodeGrant(const QMap<QString, QString> &params, const QString &clientId);
    HttpResponse handleRefreshGrant(const QMap<QString, QString> &params, const QString &clientId);
    HttpResponse handleDeviceAuthorization(const HttpRequest &request);
    HttpResponse handleDeviceCodeGrant(const QMap<QString, QString> &params, const QString &clientId);
    HttpResponse handleIntrospect(const HttpRequest &request);
    HttpResponse handleRevoke(const HttpRequest &request);
    HttpResponse handleResource(Endpoint endpoint, const HttpRequest &request);
    HttpResponse handleDiscovery(const HttpRequest &request);

    HttpResponse tokenError(int status, const QString &error, int aadsts, const QString &description,
                            bool basicChallenge = false, const QString &subError = QString()) const;
    HttpResponse issueTokens(int grantId, const QString &scope, bool withRefresh);
    bool authenticateClient(const HttpRequest &request, const QMap<QString, QString> &params, QString *clientId,
                            HttpResponse *error) const;
    // A form POST of an authenticated client to /revoke or /introspect (RFC 7009 2.1, RFC 7662
    // 2.1): false with *error set when the method, the encoding or the client is wrong.
    bool readClientForm(const HttpRequest &request, QMap<QString, QString> *params, QString *clientId,
                        HttpResponse *error, const char *requiredParameter = "token") const;
    QString makeIdToken(const GrantRecord &grant) const;
    void revokeGrant(int grantId);
    bool accessValid(const AccessRecord &record) const;
    QDateTime now() const;

    QTcpServer *m_server = nullptr;
    QHash<QString, Client> m_clients;
    User m_user;
    QList<MailFolder> m_folders;
    int m_accessLifetime = 3600;
    int m_refreshLifetime = 0;
    int m_codeLifetime = 60;
    const mailkey::Clock *m_clock = nullptr;
    bool m_sendIss = true;
    bool m_unsignedIdTokens = false;
    int m_minStateLength = 16;
    QStringList m_declinedScopes;
    QString m_nextAuthorizeError;
    QString m_nextAuthorizeErrorDescription;
    int m_tokenErrorCount = 0;
    int m_tokenErrorStatus = 400;
    QString m_tokenError;
    QString m_tokenErrorDescription;
    int m_latencyMs = 0;
    int m_idleTimeoutMs = 10000;
    QMap<Endpoint, QList<Fault>> m_faults;
    QByteArray m_replaySignature; // a dropped request whose Qt re-send is dropped as well
    QDeadlineTimer m_replayDeadline;

    DeviceFlow m_deviceFlow;
    QHash<QString, DeviceRecord> m_devices;
    QList<qint64> m_devicePollTimes;
    QString m_lastDeviceCode;
    QString m_lastUserCode;
    QHash<QString, CodeRecord> m_codes;
    QHash<int, GrantRecord> m_grants;
    QHash<QString, AccessRecord> m_access;
    QHash<QString, RefreshRecord> m_refresh;
    int m_nextGrantId = 1;
    int m_connections = 0;

    QMap<Endpoint, int> m_requestCounts;
    int m_refreshCount = 0;
    int m_revocationCount = 0;
    int m_issuedAccessTokens = 0;
    QList<QUrlQuery> m_authorizeRequests;
    QList<QMap<QString, QString>> m_tokenRequests;
    QString m_lastAccessToken;
    QString m_lastRefreshToken;
    QString m_lastCode;
    QString m_lastIdToken;
};

} // namespace mailkey::test
