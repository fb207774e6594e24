#pragma once

#include "core/common/Result.h"
#include "core/common/SecureBytes.h"
#include "core/oauth/ConnectionStore.h"
#include "core/oauth/DeviceAuthorization.h"
#include "core/oauth/LoopbackReplyHandler.h"
#include "core/oauth/ProfileFetcher.h"
#include "core/oauth/TokenReply.h"
#include "core/providers/Provider.h"
#include "core/vault/VaultTypes.h"

#include <QDateTime>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QOAuth2AuthorizationCodeFlow;
QT_END_NAMESPACE

namespace mailkey {

class Clock;
class OidcDiscovery;

// One attempt to connect a mailbox: OAuth 2.0 authorization code + PKCE S256 in the system
// browser, caught by MailKey's loopback listener (RFC 8252), then the token exchange, "which
// mailbox is it" and the vault. One object per attempt; several can run at once and never cross
// (each has its own listener port, state, PKCE verifier and nonce). Nothing blocks: every step
// is driven by the event loop.
//
//   start()  [discovery if the provider has only an issuer]
//     -> listener on a fresh ephemeral loopback port, state (256 bits), PKCE, nonce (OIDC)
//     -> QOAuth2AuthorizationCodeFlow::grant() builds the authorization URL:
//        authorizationUrlReady(url) + Options::urlOpener(url) (unless disabled); a custom
//        provider whose scopes include offline_access gets prompt=consent (OpenID Connect Core
//        section 11; without it the server leaves offline_access out of the grant)
//     -> the browser comes back to the listener, which checks state, deadline and RFC 9207 iss
//     -> the flow posts the token request; its reply is parsed by parseTokenReply (never Qt)
//     -> ProfileFetcher (Graph /me or userinfo + id_token), with retries
//     -> ConnectionStore::save (add-or-update by (provider, email))
//     -> succeeded(account, created, message)
// Exactly one of succeeded() / failed() / cancelled() is emitted per start(), then finished().
// The session holds no vault: every step goes to its ConnectionStore's audit() (connect.started,
// callback.accepted, callback.rejected, tokens.issued, account.added / account.updated,
// connect.failed, connect.cancelled), and the connection to its save(). The window's
// AccountService and mailkey-cli give it the vault's store (VaultConnectionStore), which redacts
// the details; a test can give it one in memory.
//
// The attempt expires `expirySeconds` (10 minutes) after the authorization URL was made, with
// ExpiredMessage; the listener is closed then, so a late callback is refused.
//
// Options::method DeviceCode: the sign-in happens on another device (RFC 8628) instead of a
// browser here. After discovery, DeviceAuthorization asks for a device code and the session emits
// deviceCodeReady(prompt) (the address and code to show; audited as device.code_issued), then
// polls in phase WaitingForDevice until the user has signed in there. The tokens then take the
// same path as after a browser sign-in: tokens.issued, ProfileFetcher, ConnectionStore::save,
// account.added / account.updated, succeeded(). No listener is opened and no authorization URL is
// made; the device code's own lifetime (expires_in) replaces expirySeconds. A provider that cannot
// use the device flow (Google, no endpoint: DeviceAuthorization::unavailableReason) fails at once.
//
// No token, code, verifier, state, nonce or client secret is ever logged or put into a message.
// The authorization URL (it carries the state and the PKCE challenge, by design) is only
// handed to the browser and to authorizationUrlReady(); it is never logged.
class ConnectSession : public QObject {
    Q_OBJECT
public:
    enum class Phase {
        Idle,
        Discovering,       // OpenID discovery of a provider that only has an issuer
        WaitingForBrowser, // listening; the user is signing in
        WaitingForDevice,  // device flow: polling while the user signs in on another device
        ExchangingCode,    // token request
        FetchingProfile,   // which mailbox is it
        Storing,
        Succeeded,
        Failed,
        Cancelled,
    };
    Q_ENUM(Phase)

    enum class Method {
        Browser,    // authorization code + PKCE, loopback redirect
        DeviceCode, // RFC 8628 device authorization grant
    };

    struct Options {
        Method method = Method::Browser;
        DeviceAuthorization::Options device; // DeviceCode only
        QString loginHint;                   // login_hint (reconnect: the account's address; not sent by DeviceCode)
        bool openBrowser = true;             // false: only emit authorizationUrlReady (--no-browser)
        // Opens the authorization URL in the user's browser; false when none could be opened.
        // Set by whoever owns a desktop session (the window: QDesktopServices), so that core
        // and mailkey-cli do not link Qt Gui. Unset: only authorizationUrlReady is emitted.
        std::function<bool(const QUrl &)> urlOpener;
        int expirySeconds = 600;    // the whole sign-in in the browser
        int expiryCheckMs = 1000;   // how often the (injectable) clock is looked at
        int tokenTimeoutMs = 60000; // the token request
        RetryPolicy profileRetry;   // Graph /me, userinfo
    };

    static const char *const ExpiredMessage; // "This sign-in took too long and has expired. ..."

    // `store` null: start() fails with "the vault is not open".
    ConnectSession(const Provider &provider, std::shared_ptr<ConnectionStore> store, QNetworkAccessManager *nam,
                   QObject *parent = nullptr);
    ~ConnectSession() override;

    void setOptions(const Options &options); // before start()
    const Options &options() const { return m_options; }
    void setClock(const Clock *clock); // nullptr = system clock; before start()
    // start() fails at once with this error (the provider cannot be used: unknown, no client
    // id, vault not open). The attempt is still audited (when there is a store).
    void setPreflightError(const Error &error);

    const Provider &provider() const { return m_provider; }
    QString providerId() const { return m_provider.id; }
    Phase phase() const { return m_phase; }
    bool isFinished() const;
    QDateTime deadline() const { return m_deadline; }

    // Valid once authorizationUrlReady() was emitted (for a UI that shows it late).
    QUrl authorizationUrl() const { return m_authorizationUrl; }
    // "http://<host>:<port><path>": the redirect URI of this attempt.
    QString redirectUri() const;
    quint16 listenPort() const;
    bool isListening() const;

    static QString phaseName(Phase phase);
    static QString rejectReasonText(LoopbackReplyHandler::RejectReason reason);

public Q_SLOTS:
    // Starts the attempt. Call once, after connecting to the signals.
    void start();
    // Stops at once: closes the listener, aborts any request, emits cancelled().
    // Does nothing once the attempt has finished.
    void cancel();

Q_SIGNALS:
    void phaseChanged(mailkey::ConnectSession::Phase phase);
    void authorizationUrlReady(const QUrl &url);
    // DeviceCode: what to show the user (the verification address and the user code).
    void deviceCodeReady(const mailkey::DeviceCodePrompt &prompt);
    void succeeded(const mailkey::Account &account, bool created, const QString &message);
    void failed(const mailkey::Error &error);
    void cancelled();
    // A request reached the listener with a missing, wrong or used state, the wrong issuer, or
    // too late. Missing/wrong/used state and malformed callbacks do not end the attempt.
    void rejectedCallback(mailkey::LoopbackReplyHandler::RejectReason reason);
    // A provider that needed OpenID discovery, completed (the service keeps it).
    void providerDiscovered(const mailkey::Provider &provider);
    // After succeeded(), failed() or cancelled().
    void finished();
    // While waiting for the browser: the sign-in page's server could not be reached (connection
    // refused, unknown host, no answer, an untrusted certificate), so the browser shows an error
    // too; `error.message` says which and what to do. Asked again every few seconds; reachable()
    // follows when it answers (any HTTP answer counts). The attempt itself goes on.
    void providerUnreachable(const mailkey::Error &error);
    void providerReachable();

private:
    void setPhase(Phase phase);
    void beginAuthorization();
    void beginDeviceAuthorization();
    void onTokens(TokenSet tokens);
    void onAuthorizeWithBrowser(const QUrl &url);
    void onCallbackReceived(const QVariantMap &values);
    void onCallbackRejected(LoopbackReplyHandler::RejectReason reason);
    void onCallbackError(const QString &error, const QString &description);
    void onTokenReply(int httpStatus, const QByteArray &contentType, const QByteArray &body,
                      const QByteArray &retryAfter, QNetworkReply::NetworkError error);
    void onProfile(const AccountInfo &info);
    void checkExpiry();
    void probeSignInPage();
    void fail(const Error &error, const QString &auditDetail = QString());
    void teardown();
    void audit(const QString &action, const QString &outcome, const QString &detail, qint64 accountId = 0,
               const QString &email = QString());
    QDateTime now() const;

    Provider m_provider;
    std::shared_ptr<ConnectionStore> m_store;
    QNetworkAccessManager *m_nam;
    const Clock *m_clock = nullptr;
    Options m_options;
    Phase m_phase = Phase::Idle;
    bool m_started = false;
    std::optional<Error> m_preflightError;

    QPointer<LoopbackReplyHandler> m_handler;
    QPointer<QOAuth2AuthorizationCodeFlow> m_flow;
    QPointer<OidcDiscovery> m_discovery;
    QPointer<ProfileFetcher> m_profile;
    QPointer<DeviceAuthorization> m_device;
    QTimer m_expiryTimer;
    QTimer m_tokenTimer;
    QTimer m_probeTimer;
    QPointer<QNetworkReply> m_probe;
    bool m_unreachable = false;

    SecureBytes m_state;
    SecureBytes m_verifier;
    QByteArray m_challenge;
    SecureBytes m_nonce;
    QDateTime m_deadline;
    QUrl m_authorizationUrl;
    TokenSet m_tokens;
    int m_rejectedAudits = 0;
};

} // namespace mailkey
