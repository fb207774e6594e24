#pragma once

#include "core/common/Result.h"
#include "core/ipc/IpcProtocol.h"
#include "core/lifecycle/AccessToken.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <concepts>

namespace mailkey::ipc {

// The messages of the local-socket protocol (transport and framing: IpcProtocol.h), one request
// and one reply type per operation. The window's IpcServer and mailkey-cli's IpcClient both build
// and read them through these types, so every operation name and field name is written once, here
// and in IpcMessages.cpp.
//
//   hello                 -> app, version, protocol, profile, ready (the vault is open), pid
//   token                 email, provider?, resource, min_validity, actor
//                         -> email, provider, resource, token, expires_at, refreshed
//   remove                email, provider? -> email, provider, revoked_at_provider, pending,
//                                             supported, message
//   sign-out-everywhere   -> accounts, revoked, pending, not_revocable, failed, tokens_wiped,
//                            key_rotated, summary, messages[]
//   rotate-key            -> (nothing)
//   accounts-changed      -> (nothing); the window re-reads the vault (a CLI connected an account)
//   hand-over             -> (nothing); a `mailkey-cli serve` steps aside for a starting window
//
// toJson() of a request gives {"v", "op", fields...}; toJson() of a reply gives {"v", "ok": true,
// fields...} (a failure is ipc::errorReply()). fromJson() reads the fields only ("v", "op" and "ok"
// are the envelope, looked at by the server's dispatch and by parseReply()). The reading rules,
// the same for every message: a field that is absent or null keeps its default; a field that is
// present with the wrong type (or text longer than its limit) makes the whole message malformed,
// and the error names the field, never its value. Unknown fields are ignored, so a newer client
// can talk to an older server. Errors: InvalidInput "Malformed request: ..." for a request
// (answered with BadRequestCode), Internal "The MailKey window sent a malformed reply: ..." for a
// reply.

// What every reply type gives parseReply().
template <class T>
concept ReplyMessage = requires(const T &reply, const QJsonObject &json)
{
    {
        reply.toJson()
        } -> std::same_as<QJsonObject>;
    {
        T::fromJson(json)
        } -> std::same_as<Result<T>>;
};

// What every request type gives the server's dispatch table and the client: its operation name
// (Op) and its reply type (Reply).
template <class T>
concept RequestMessage = ReplyMessage<T> && ReplyMessage<typename T::Reply> && requires
{
    {
        T::Op
        } -> std::convertible_to<const char *>;
};

// {"v": ProtocolVersion, "op": op}: the start of every request.
QJsonObject requestJson(const char *op);

// A message without fields (Self is the message type).
template <class Self>
struct NoFieldsRequest {
    QJsonObject toJson() const { return requestJson(Self::Op); }
    static Result<Self> fromJson(const QJsonObject &) { return Self{}; }
    bool operator==(const NoFieldsRequest &) const = default;
};
template <class Self>
struct NoFieldsReply {
    QJsonObject toJson() const { return okReply(); }
    static Result<Self> fromJson(const QJsonObject &) { return Self{}; }
    bool operator==(const NoFieldsReply &) const = default;
};

// ---- hello ------------------------------------------------------------------------------------

struct HelloReply {
    QString app;      // "mailkey"
    QString version;  // the window's application version
    int protocol = 0; // ProtocolVersion of the window
    QString profile;
    bool ready = false; // the window has its vault open and serves vault requests
    qint64 pid = 0;
    // Who answers: "window" (the MailKey window) or "service" (`mailkey-cli serve`). An older
    // window sends none: read as "window".
    QString role = QStringLiteral("window");

    QJsonObject toJson() const;
    static Result<HelloReply> fromJson(const QJsonObject &json);
    bool operator==(const HelloReply &) const = default;
};
struct HelloRequest : NoFieldsRequest<HelloRequest> {
    static constexpr char Op[] = "hello";
    using Reply = HelloReply;
};

// ---- token ------------------------------------------------------------------------------------

// Holds a secret: the token is wiped when the last copy goes.
struct TokenReply {
    QString email;
    QString provider;
    QString resource;    // as asked (graph, imap, smtp)
    SecretString token;  // move-only, wiped with the reply
    QDateTime expiresAt; // sent as ISO 8601 UTC; invalid: sent as ""
    bool refreshed = false;

    QJsonObject toJson() const;
    // Also an error when the token is missing or empty ("The MailKey window sent no token.").
    static Result<TokenReply> fromJson(const QJsonObject &json);
    bool operator==(const TokenReply &other) const;
};
struct TokenRequest {
    static constexpr char Op[] = "token";
    using Reply = TokenReply;
    static constexpr int MaxEmailChars = 320;
    static constexpr int MaxProviderChars = 64;
    static constexpr int MaxResourceChars = 16;
    static constexpr int MaxActorChars = 400;
    static constexpr int MaxMinValiditySeconds = 3600; // min_validity is clamped to 0..this

    QString email;
    QString provider; // optional: only sent when not empty
    QString resource; // graph, imap, smtp; empty: graph
    int minValiditySeconds = kMinTokenValiditySeconds;
    QString actor; // the requesting program, for the audit log

    QJsonObject toJson() const;
    static Result<TokenRequest> fromJson(const QJsonObject &json);
    bool operator==(const TokenRequest &) const = default;
};

// ---- remove -----------------------------------------------------------------------------------

struct RemoveReply {
    QString email;
    QString provider;
    bool revokedAtProvider = false;
    bool pending = false;  // the revocation waits for the provider: the window retries it
    bool supported = true; // the provider has a revocation endpoint
    QString message;       // what happened and what to do by hand

    QJsonObject toJson() const;
    static Result<RemoveReply> fromJson(const QJsonObject &json);
    bool operator==(const RemoveReply &) const = default;
};
struct RemoveRequest {
    static constexpr char Op[] = "remove";
    using Reply = RemoveReply;

    QString email;
    QString provider; // optional: only sent when not empty

    QJsonObject toJson() const;
    static Result<RemoveRequest> fromJson(const QJsonObject &json);
    bool operator==(const RemoveRequest &) const = default;
};

// ---- sign-out-everywhere ----------------------------------------------------------------------

// The fields of SignOutReport (core/lifecycle/SignOutEverywhere.h), its summary() as text.
struct SignOutEverywhereReply {
    int accounts = 0;
    int revoked = 0;
    int pending = 0;
    int notRevocable = 0;
    int failed = 0;
    bool tokensWiped = false;
    bool keyRotated = false;
    QString summary;
    QStringList messages;

    QJsonObject toJson() const;
    static Result<SignOutEverywhereReply> fromJson(const QJsonObject &json);
    bool operator==(const SignOutEverywhereReply &) const = default;
};
struct SignOutEverywhereRequest : NoFieldsRequest<SignOutEverywhereRequest> {
    static constexpr char Op[] = "sign-out-everywhere";
    using Reply = SignOutEverywhereReply;
};

// ---- rotate-key, accounts-changed -------------------------------------------------------------

struct RotateKeyReply : NoFieldsReply<RotateKeyReply> {};
struct RotateKeyRequest : NoFieldsRequest<RotateKeyRequest> {
    static constexpr char Op[] = "rotate-key";
    using Reply = RotateKeyReply;
};

// The window, starting, asks a running `mailkey-cli serve` to hand the profile over: the service
// lets its refreshes in flight finish, closes its vault and this socket, and waits until the
// window has gone (core/ipc/BackgroundService.h). A window answers unknown-op.
struct HandOverReply : NoFieldsReply<HandOverReply> {};
struct HandOverRequest : NoFieldsRequest<HandOverRequest> {
    static constexpr char Op[] = "hand-over";
    using Reply = HandOverReply;
};

struct AccountsChangedReply : NoFieldsReply<AccountsChangedReply> {};
struct AccountsChangedRequest : NoFieldsRequest<AccountsChangedRequest> {
    static constexpr char Op[] = "accounts-changed";
    using Reply = AccountsChangedReply;
};

// ---- list -------------------------------------------------------------------------------------

// What `mailkey-cli list` shows of each account, from the window (when mailkey-cli cannot open the
// vault itself, e.g. under a locked keyring while the window has it open). No token.
struct ListReply {
    struct Row {
        QString email;
        QString provider;
        QString displayName;
        QString status; // accountStatusToString
        QString statusReason;
        QDateTime expiresAt; // the default resource's access token
        QDateTime lastRefreshAt;
        QDateTime createdAt;
        bool operator==(const Row &) const = default;
    };
    QList<Row> accounts;

    QJsonObject toJson() const;
    static Result<ListReply> fromJson(const QJsonObject &json);
    bool operator==(const ListReply &) const = default;
};
struct ListRequest : NoFieldsRequest<ListRequest> {
    static constexpr char Op[] = "list";
    using Reply = ListReply;
};

// ---- Envelope ---------------------------------------------------------------------------------

// "v" and "op" of a request as the server reads them: op is cut to 32 characters (it is logged),
// a missing or non-string op is "", a missing or non-integer v is -1.
struct RequestHeader {
    int version = -1;
    QString op;
};
RequestHeader requestHeader(const QJsonObject &request);

// The reply of a request: the window's error (errorFromReply()) when "ok" is not true, else the
// fields (Reply::fromJson()).
template <ReplyMessage Reply>
Result<Reply> parseReply(const QJsonObject &reply)
{
    if (!replySucceeded(reply))
        return errorFromReply(reply);
    return Reply::fromJson(reply);
}

} // namespace mailkey::ipc
