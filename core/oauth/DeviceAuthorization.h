#pragma once

#include "core/common/Result.h"
#include "core/common/SecretString.h"
#include "core/oauth/TokenEndpointClient.h"
#include "core/oauth/TokenReply.h"

#include <QDateTime>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <optional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace mailkey {

class Clock;
struct Provider;

// What the user needs to finish a device sign-in on another device (RFC 8628 3.2). Nothing here
// is secret: the user code is meant to be read off the screen and typed in elsewhere, and it is
// useless without the device code, which never leaves DeviceAuthorization.
struct DeviceCodePrompt {
    QString userCode;             // "ABCD-EFGH"
    QUrl verificationUri;         // where to enter it ("verification_uri", or Google's "verification_url")
    QUrl verificationUriComplete; // the same with the code in it (for a link or a QR code); may be empty
    QDateTime expiresAt;          // UTC
    int intervalSeconds = 0;      // the polling interval, after clamping
};

// The answer of a device authorization endpoint (RFC 8628 3.2), parsed without sockets.
struct DeviceAuthorizationReply {
    SecretString deviceCode;
    DeviceCodePrompt prompt;
    int expiresInSeconds = 0;
    QString intervalNote; // why the server's interval was not used as sent; empty when it was
};

// The OAuth 2.0 device authorization grant (RFC 8628) for one sign-in: the device authorization
// request, then polling of the token endpoint until the user has signed in on another device.
// It knows nothing of the vault or of profiles: ConnectSession (mode DeviceCode) takes the tokens
// from here into the same steps as a browser sign-in.
//
//   start()
//     -> POST device_authorization_endpoint: client_id, scope (+ client_secret when the provider
//        has one), through TokenEndpointClient (TLS verified, no redirects, the form wiped)
//     -> promptReady(prompt): show the user the address and the code
//     -> every `interval` seconds (QTimer, never a blocking wait): POST token_endpoint with
//        grant_type=urn:ietf:params:oauth:grant-type:device_code and the device code
//          authorization_pending: poll again; slow_down: the interval grows by 5 s (3.5)
//          expired_token, access_denied, any other error: failed(), with a message that says
//          what to do; a network failure or 5xx: retried up to Options::maxTransientFailures
//          times in a row, then failed()
//     -> tokensReady(): takeTokens() hands the TokenSet over (once).
// The code also expires on our side: when the clock passes expires_in, polling stops with the
// same message as expired_token.
//
// The interval from the server is clamped (see clampInterval): absent, not a whole number or
// below 1 s: the RFC's default of 5 s; above Options::maxIntervalSeconds (60 s): that maximum.
// slow_down adds 5 s, up to maxIntervalSeconds + 60. expires_in: absent or invalid: 600 s;
// above 1 hour: 1 hour.
//
// Exactly one of tokensReady() / failed() per start(), unless cancel() came first (then
// nothing more is emitted). The device code and the tokens are SecretStrings, never logged and
// never put into a message.
class DeviceAuthorization : public QObject {
    Q_OBJECT
public:
    static constexpr const char *GrantType = "urn:ietf:params:oauth:grant-type:device_code";
    static constexpr int DefaultIntervalSeconds = 5; // RFC 8628 3.2
    static constexpr int SlowDownStepSeconds = 5;    // RFC 8628 3.5
    static constexpr int DefaultExpiresInSeconds = 600;
    static constexpr int MaxExpiresInSeconds = 3600;

    struct Options {
        int maxIntervalSeconds = 60;
        // Tests: every wait is multiplied by this (0.01 turns 5 s into 50 ms). The intervals
        // reported (prompt, currentIntervalSeconds) stay in seconds as the server meant them.
        double intervalScale = 1.0;
        int requestTimeoutMs = 30000;
        int maxTransientFailures = 3;
    };

    struct Endpoints {
        QUrl deviceAuthorization;
        QUrl token;
    };

    DeviceAuthorization(QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~DeviceAuthorization() override;

    void setOptions(const Options &options); // before start()
    void setClock(const Clock *clock);       // nullptr = system clock

    // Starts the device authorization request. `scopes` go into the request and are what a
    // token reply without "scope" is taken to have granted.
    void start(const Endpoints &endpoints, const TokenEndpointClient::ClientCredentials &client,
               const QStringList &scopes);
    // Stops polling and abandons any request; nothing more is emitted.
    void cancel();

    bool isRunning() const { return m_running; }
    int currentIntervalSeconds() const { return m_intervalSeconds; }
    int pollCount() const { return m_polls; }
    const DeviceCodePrompt &prompt() const { return m_prompt; }
    // The tokens, once tokensReady() was emitted; empty after the first call.
    TokenSet takeTokens();

    // Parses a device authorization reply (RFC 8628 3.2; Google's "verification_url" accepted).
    // Errors (3.2 uses the token endpoint's error format) are described by OAuthErrorCatalog.
    static Result<DeviceAuthorizationReply> parseReply(int httpStatus, const QByteArray &contentType,
                                                       const QByteArray &body, const QDateTime &now,
                                                       int maxIntervalSeconds = 60);
    // The polling interval for the server's "interval" member (`value` undefined when absent);
    // *note says why it was changed, or is left empty.
    static int clampInterval(const QJsonValue &value, int maxIntervalSeconds, QString *note = nullptr);

    // Why this provider cannot use the device flow, or nothing when it can (or may, after OpenID
    // discovery: a custom provider that still needs discovery). Google: its device flow does not
    // allow the https://mail.google.com/ scope.
    static std::optional<Error> unavailableReason(const Provider &provider);

Q_SIGNALS:
    void promptReady(const mailkey::DeviceCodePrompt &prompt);
    // One poll was answered authorization_pending or slow_down (for a progress display, tests).
    void pending(int pollCount, int intervalSeconds);
    void tokensReady();
    // `detail` is for the audit log (redacted, never a secret).
    void failed(const mailkey::Error &error, const QString &detail);

private:
    void onAuthorizationReply(const TokenEndpointReply &reply);
    void schedulePoll();
    void poll();
    void onTokenReply(const TokenEndpointReply &reply);
    void fail(const Error &error, const QString &detail);
    void stop();
    QDateTime now() const;
    Error expiredError() const;

    QNetworkAccessManager *m_nam;
    TokenEndpointClient m_client;
    const Clock *m_clock = nullptr;
    Options m_options;
    Endpoints m_endpoints;
    TokenEndpointClient::ClientCredentials m_credentials;
    QStringList m_scopes;

    QTimer m_pollTimer;
    QPointer<QNetworkReply> m_reply;
    SecretString m_deviceCode;
    DeviceCodePrompt m_prompt;
    TokenSet m_tokens;
    int m_intervalSeconds = DefaultIntervalSeconds;
    int m_polls = 0;
    int m_transientFailures = 0;
    bool m_running = false;
};

} // namespace mailkey

Q_DECLARE_METATYPE(mailkey::DeviceCodePrompt)
