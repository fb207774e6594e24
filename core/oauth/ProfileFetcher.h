#pragma once

#include "core/common/Result.h"
#include "core/oauth/IdToken.h"
#include "core/providers/Provider.h"
#include "core/vault/VaultTypes.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <optional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace mailkey {

class Clock;

// How a request to a provider API is retried on transient failures (network errors, HTTP 408,
// 429 and 5xx): exponential back-off with jitter, bounded in attempts and in total time.
// 401/403 and other 4xx answers are never retried.
struct RetryPolicy {
    int maxAttempts = 4;          // tries in all, the first included
    int initialDelayMs = 1000;    // before the 2nd try; doubled for each later one
    int maxDelayMs = 8000;        // cap of one back-off step (before jitter)
    int totalBudgetMs = 30000;    // no retry is scheduled that would start after this
    double jitter = 0.5;          // each delay is multiplied by a random factor in [1, 1+jitter]
    int requestTimeoutMs = 10000; // per request (a timeout counts as a transient failure)

    // The delay before try number `attempt` + 1 (attempt >= 1), before jitter:
    // min(initialDelayMs * 2^(attempt-1), maxDelayMs).
    int backoffMs(int attempt) const;
    // Short delays for tests (10 ms, 40 ms cap, 5 s budget, 5 s request timeout).
    static RetryPolicy fast();
};

// Finds out which mailbox a fresh sign-in belongs to, asynchronously:
//  - Microsoft (MailApi::MicrosoftGraph): GET <mailApiBase>/me (provider.profileEndpoint) with
//    the new access token: `mail`, falling back to `userPrincipalName` when mail is null or
//    empty; `displayName`; `id` as the subject. The tenant id comes from the validated id_token
//    (`tid` claim) when there is one.
//  - Google and other OpenID Connect providers: the id_token (when sent) is validated first
//    (iss, aud/azp, exp, nonce; see IdToken), then the userinfo endpoint is asked (its `sub`
//    must equal the id_token's); without a userinfo endpoint the validated id_token claims are
//    used.
// Emits exactly one of finished() / failed() per start(); nothing after cancel().
// The access token is kept only for the duration of the fetch and wiped afterwards. No URL,
// token or body is ever logged.
class ProfileFetcher : public QObject {
    Q_OBJECT
public:
    static constexpr qint64 MaxBodySize = 1024 * 1024;

    explicit ProfileFetcher(QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~ProfileFetcher() override;

    void setClock(const Clock *clock); // nullptr = system clock
    void setRetryPolicy(const RetryPolicy &policy);

    // The profile answer (Graph /me or OIDC userinfo) read and checked exactly as finished() /
    // failed() would report it, without the network (tests, fuzz/profile.cpp). claims: the
    // validated id_token's, if there was one.
    static Result<AccountInfo> readProfile(const Provider &provider, const std::optional<IdTokenClaims> &claims,
                                           const QByteArray &body);
    const RetryPolicy &retryPolicy() const { return m_policy; }

    // accessToken: the new access token; idToken: the id_token of the same token reply (may be
    // empty); nonce: the nonce sent with the authorization request (empty = none was sent).
    void start(const Provider &provider, const SecretString &accessToken, const SecretString &idToken,
               const QByteArray &nonce);
    void cancel();
    bool isRunning() const { return m_running; }
    int attempts() const { return m_attempts; } // HTTP requests made by the last start()

Q_SIGNALS:
    void finished(const mailkey::AccountInfo &info);
    void failed(const mailkey::Error &error);

private:
    enum class Outcome {
        Done,
        Retry,
        Fail
    };

    void sendRequest();
    void onReplyFinished(QNetworkReply *reply);
    void onRequestTimeout();
    void scheduleRetry(const QByteArray &retryAfter, const Error &why);
    static Result<AccountInfo> interpret(const Provider &provider, const std::optional<IdTokenClaims> &claims,
                                         const QByteArray &body);
    void finishWith(const Result<AccountInfo> &result);
    void wipe();
    QDateTime now() const;

    QNetworkAccessManager *m_nam;
    const Clock *m_clock = nullptr;
    RetryPolicy m_policy;
    Provider m_provider;
    SecretString m_accessToken;
    std::optional<IdTokenClaims> m_claims;
    QUrl m_url;
    QPointer<QNetworkReply> m_reply;
    QTimer m_retryTimer;
    QTimer m_requestTimer;
    QElapsedTimer m_elapsed;
    int m_attempts = 0;
    bool m_running = false;
};

} // namespace mailkey
