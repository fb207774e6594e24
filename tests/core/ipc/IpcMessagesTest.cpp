// The typed messages of the local socket (core/ipc/IpcMessages.h): every request and reply survives
// toJson/fromJson, the wire format is the documented one (field names are the protocol: an older
// peer reads them), malformed input is refused with an error that names the field and never shows
// its value, and the window's dispatch table (IpcServer) answers every operation, refuses
// malformed requests with bad-request and unknown ones with unknown-op.
#include "core/ipc/IpcMessages.h"
#include "core/common/SecureBytes.h"
#include "core/ipc/IpcClient.h"
#include "core/ipc/IpcServer.h"
#include "core/keychain/KeyStore.h"
#include "core/providers/ProviderRegistry.h"
#include "core/service/AccountService.h"
#include "core/vault/Vault.h"
#include "tests/support/TestUtil.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimeZone>

#include <optional>

using namespace mailkey;
using mailkey::test::waitFor;

namespace {

std::string compact(const QJsonObject &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString();
}

template <class Message>
void expectRoundTrip(const Message &message, const QJsonObject &wire)
{
    const QJsonObject json = message.toJson();
    // Compared as JSON text (keys sorted), readable when it fails: a token in it is test data.
    EXPECT_EQ(compact(json), compact(wire));
    const Result<Message> back = Message::fromJson(json);
    ASSERT_TRUE(back.ok()) << back.error().message.toStdString();
    EXPECT_TRUE(*back == message);
}

// The error of a message that must not parse; its message must not show `value`.
template <class Message>
Error malformed(const QJsonObject &json, const QString &value = QString())
{
    const Result<Message> r = Message::fromJson(json);
    if (r.ok()) {
        ADD_FAILURE() << "accepted: " << compact(json);
        return Error();
    }
    if (!value.isEmpty()) {
        EXPECT_FALSE(r.error().message.contains(value)) << r.error().message.toStdString();
    }
    return r.error();
}

QJsonObject with(QJsonObject json, const QString &key, const QJsonValue &value)
{
    json.insert(key, value);
    return json;
}

QJsonObject ok(std::initializer_list<QPair<QString, QJsonValue>> fields)
{
    QJsonObject o = ipc::okReply();
    for (const auto &f : fields)
        o.insert(f.first, f.second);
    return o;
}

// One request (a type of IpcMessages.h, or raw JSON) over a fresh client; the raw reply
// (answered == false when none came).
template <class Request>
IpcClient::Reply askServer(const QString &name, const Request &request)
{
    IpcClient client(name);
    std::optional<IpcClient::Reply> reply;
    client.send(request, 3000, [&](IpcClient::Reply r) { reply = std::move(r); });
    waitFor([&] { return reply.has_value(); }, 5000);
    return reply.value_or(IpcClient::Reply{});
}

} // namespace

static_assert(ipc::RequestMessage<ipc::HelloRequest>);
static_assert(ipc::RequestMessage<ipc::TokenRequest>);
static_assert(ipc::RequestMessage<ipc::RemoveRequest>);
static_assert(ipc::RequestMessage<ipc::SignOutEverywhereRequest>);
static_assert(ipc::RequestMessage<ipc::RotateKeyRequest>);
static_assert(ipc::RequestMessage<ipc::AccountsChangedRequest>);
static_assert(!ipc::RequestMessage<ipc::TokenReply>);

// ---- Round trips and the wire format -------------------------------------------------------------

TEST(IpcMessages, RequestsRoundTripInTheDocumentedFormat)
{
    const auto request = [](const char *op, std::initializer_list<QPair<QString, QJsonValue>> fields) {
        QJsonObject o{{QStringLiteral("v"), 1}, {QStringLiteral("op"), QLatin1String(op)}};
        for (const auto &f : fields)
            o.insert(f.first, f.second);
        return o;
    };
    expectRoundTrip(ipc::HelloRequest{}, request("hello", {}));
    expectRoundTrip(ipc::SignOutEverywhereRequest{}, request("sign-out-everywhere", {}));
    expectRoundTrip(ipc::RotateKeyRequest{}, request("rotate-key", {}));
    expectRoundTrip(ipc::ListRequest{}, request("list", {}));
    expectRoundTrip(ipc::AccountsChangedRequest{}, request("accounts-changed", {}));

    ipc::TokenRequest token;
    token.email = QStringLiteral("alice@example.com");
    token.provider = QStringLiteral("fake-ms");
    token.resource = QStringLiteral("imap");
    token.minValiditySeconds = 120;
    token.actor = QStringLiteral("mutt (pid 42)");
    expectRoundTrip(token, request("token", {{QStringLiteral("email"), token.email},
                                             {QStringLiteral("provider"), token.provider},
                                             {QStringLiteral("resource"), token.resource},
                                             {QStringLiteral("min_validity"), 120},
                                             {QStringLiteral("actor"), token.actor}}));
    // No provider: the field is left out, as older clients did.
    token.provider.clear();
    expectRoundTrip(token, request("token", {{QStringLiteral("email"), token.email},
                                             {QStringLiteral("resource"), token.resource},
                                             {QStringLiteral("min_validity"), 120},
                                             {QStringLiteral("actor"), token.actor}}));

    expectRoundTrip(ipc::RemoveRequest{QStringLiteral("bob@example.com"), QStringLiteral("fake-google")},
                    request("remove", {{QStringLiteral("email"), QStringLiteral("bob@example.com")},
                                       {QStringLiteral("provider"), QStringLiteral("fake-google")}}));
    expectRoundTrip(ipc::RemoveRequest{QStringLiteral("bob@example.com"), QString()},
                    request("remove", {{QStringLiteral("email"), QStringLiteral("bob@example.com")}}));
}

TEST(IpcMessages, RepliesRoundTripInTheDocumentedFormat)
{
    ipc::HelloReply hello;
    hello.app = QStringLiteral("mailkey");
    hello.version = QStringLiteral("1.2.3");
    hello.protocol = 1;
    hello.profile = QStringLiteral("work");
    hello.ready = true;
    hello.pid = 4194304;
    expectRoundTrip(hello, ok({{QStringLiteral("app"), hello.app},
                               {QStringLiteral("version"), hello.version},
                               {QStringLiteral("protocol"), 1},
                               {QStringLiteral("profile"), hello.profile},
                               {QStringLiteral("ready"), true},
                               {QStringLiteral("pid"), 4194304}}));

    ipc::TokenReply token;
    token.email = QStringLiteral("alice@example.com");
    token.provider = QStringLiteral("fake-ms");
    token.resource = QStringLiteral("smtp");
    token.token = QStringLiteral("test-token-value");
    token.expiresAt = QDateTime(QDate(2026, 12, 2), QTime(19, 30, 5), QTimeZone::utc());
    token.refreshed = true;
    expectRoundTrip(token, ok({{QStringLiteral("email"), token.email},
                               {QStringLiteral("provider"), token.provider},
                               {QStringLiteral("resource"), token.resource},
                               {QStringLiteral("token"), token.token},
                               {QStringLiteral("expires_at"), QStringLiteral("2026-12-02T19:30:05Z")},
                               {QStringLiteral("refreshed"), true}}));
    // A time in another zone is sent as UTC and reads back as the same instant.
    token.expiresAt = QDateTime(QDate(2026, 12, 2), QTime(20, 30, 5), QTimeZone(3600));
    EXPECT_EQ(token.toJson().value(QStringLiteral("expires_at")).toString(), QStringLiteral("2026-12-02T19:30:05Z"));
    EXPECT_EQ(ipc::TokenReply::fromJson(token.toJson())->expiresAt, token.expiresAt);
    // No expiry known: "".
    token.expiresAt = QDateTime();
    token.refreshed = false;
    EXPECT_EQ(token.toJson().value(QStringLiteral("expires_at")).toString(), QString());
    expectRoundTrip(token, with(with(ok({{QStringLiteral("email"), token.email},
                                         {QStringLiteral("provider"), token.provider},
                                         {QStringLiteral("resource"), token.resource},
                                         {QStringLiteral("token"), token.token}}),
                                     QStringLiteral("expires_at"), QString()),
                                QStringLiteral("refreshed"), false));

    ipc::RemoveReply removed;
    removed.email = QStringLiteral("bob@example.com");
    removed.provider = QStringLiteral("fake-google");
    removed.revokedAtProvider = false;
    removed.pending = true;
    removed.supported = false;
    removed.message = QStringLiteral("Deleted here; revoke by hand.");
    expectRoundTrip(removed, ok({{QStringLiteral("email"), removed.email},
                                 {QStringLiteral("provider"), removed.provider},
                                 {QStringLiteral("revoked_at_provider"), false},
                                 {QStringLiteral("pending"), true},
                                 {QStringLiteral("supported"), false},
                                 {QStringLiteral("message"), removed.message}}));

    ipc::ListReply listed;
    listed.accounts.append({QStringLiteral("bob@example.com"), QStringLiteral("fake"), QStringLiteral("Bob"),
                            QStringLiteral("connected"), QString(),
                            QDateTime(QDate(2026, 12, 7), QTime(15, 40), Qt::UTC), QDateTime(),
                            QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), Qt::UTC)});
    expectRoundTrip(
        listed,
        ok({{QStringLiteral("accounts"),
             QJsonArray{QJsonObject{{QStringLiteral("email"), QStringLiteral("bob@example.com")},
                                    {QStringLiteral("provider"), QStringLiteral("fake")},
                                    {QStringLiteral("display_name"), QStringLiteral("Bob")},
                                    {QStringLiteral("status"), QStringLiteral("connected")},
                                    {QStringLiteral("status_reason"), QString()},
                                    {QStringLiteral("expires_at"), QStringLiteral("2026-12-07T15:40:00Z")},
                                    {QStringLiteral("last_refresh_at"), QString()},
                                    {QStringLiteral("connected_since"), QStringLiteral("2026-01-02T03:04:05Z")}}}}}));
    EXPECT_FALSE(ipc::ListReply::fromJson(ok({{QStringLiteral("accounts"), QStringLiteral("x")}})).ok());
    EXPECT_FALSE(ipc::ListReply::fromJson(
                     ok({{QStringLiteral("accounts"),
                          QJsonArray{QJsonObject{{QStringLiteral("expires_at"), QStringLiteral("soon")}}}}}))
                     .ok());

    ipc::SignOutEverywhereReply signedOut;
    signedOut.accounts = 5;
    signedOut.revoked = 1;
    signedOut.pending = 2;
    signedOut.notRevocable = 3;
    signedOut.failed = 4;
    signedOut.tokensWiped = true;
    signedOut.keyRotated = true;
    signedOut.summary = QStringLiteral("Signed out 5 accounts.");
    signedOut.messages = {QStringLiteral("one"), QStringLiteral("two")};
    expectRoundTrip(signedOut,
                    ok({{QStringLiteral("accounts"), 5},
                        {QStringLiteral("revoked"), 1},
                        {QStringLiteral("pending"), 2},
                        {QStringLiteral("not_revocable"), 3},
                        {QStringLiteral("failed"), 4},
                        {QStringLiteral("tokens_wiped"), true},
                        {QStringLiteral("key_rotated"), true},
                        {QStringLiteral("summary"), signedOut.summary},
                        {QStringLiteral("messages"), QJsonArray{QStringLiteral("one"), QStringLiteral("two")}}}));

    expectRoundTrip(ipc::RotateKeyReply{}, ipc::okReply());
    expectRoundTrip(ipc::AccountsChangedReply{}, ipc::okReply());
}

// ---- Malformed input --------------------------------------------------------------------------

TEST(IpcMessages, AbsentOrNullFieldsKeepTheirDefaultsAndUnknownOnesAreIgnored)
{
    const Result<ipc::TokenRequest> bare = ipc::TokenRequest::fromJson(ipc::requestJson(ipc::TokenRequest::Op));
    ASSERT_TRUE(bare.ok());
    EXPECT_TRUE(*bare == ipc::TokenRequest{});
    EXPECT_EQ(bare->minValiditySeconds, 60);

    QJsonObject nulls = ipc::requestJson(ipc::TokenRequest::Op);
    for (const char *field : {"email", "provider", "resource", "min_validity", "actor"})
        nulls.insert(QLatin1String(field), QJsonValue(QJsonValue::Null));
    nulls.insert(QStringLiteral("from_the_future"), QJsonArray{1, 2});
    const Result<ipc::TokenRequest> fromNulls = ipc::TokenRequest::fromJson(nulls);
    ASSERT_TRUE(fromNulls.ok()) << fromNulls.error().message.toStdString();
    EXPECT_TRUE(*fromNulls == ipc::TokenRequest{});

    // A reply of an older window without "supported": the default (true) stays.
    const Result<ipc::RemoveReply> older
        = ipc::RemoveReply::fromJson(ok({{QStringLiteral("email"), QStringLiteral("a@b.c")}}));
    ASSERT_TRUE(older.ok());
    EXPECT_TRUE(older->supported);
    EXPECT_FALSE(older->pending);
}

TEST(IpcMessages, MalformedRequestsNameTheFieldButNeverItsValue)
{
    const QJsonObject token = ipc::TokenRequest{QStringLiteral("a@example.com"), QString(), QStringLiteral("graph"), 60,
                                                QStringLiteral("mutt")}
                                  .toJson();
    const QString secretish = QStringLiteral("value-that-must-not-be-echoed");
    for (const char *field : {"email", "provider", "resource", "actor"}) {
        const Error e
            = malformed<ipc::TokenRequest>(with(token, QLatin1String(field), QJsonArray{secretish}), secretish);
        EXPECT_EQ(e.code, ErrorCode::InvalidInput) << field;
        EXPECT_TRUE(
            e.message.startsWith(QStringLiteral("Malformed request: \"%1\" must be text").arg(QLatin1String(field))))
            << e.message.toStdString();
    }
    // Limits: email 320, provider 64, resource 16, actor 400 characters.
    const QList<QPair<const char *, int>> limits = {{"email", 320}, {"provider", 64}, {"resource", 16}, {"actor", 400}};
    for (const auto &[field, max] : limits) {
        const QString longest(max, QLatin1Char('x'));
        EXPECT_TRUE(ipc::TokenRequest::fromJson(with(token, QLatin1String(field), longest)).ok()) << field;
        const QString tooLong = longest + QLatin1Char('y');
        const Error e = malformed<ipc::TokenRequest>(with(token, QLatin1String(field), tooLong), tooLong);
        EXPECT_EQ(e.message, QStringLiteral("Malformed request: \"%1\" must be text of at most %2 characters.")
                                 .arg(QLatin1String(field))
                                 .arg(max));
    }
    // min_validity: a whole number, clamped to 0..3600.
    for (const QJsonValue &bad :
         {QJsonValue(QStringLiteral("60")), QJsonValue(30.5), QJsonValue(true), QJsonValue(QJsonObject())})
        EXPECT_EQ(malformed<ipc::TokenRequest>(with(token, QStringLiteral("min_validity"), bad)).message,
                  QStringLiteral("Malformed request: \"min_validity\" must be a whole number."));
    EXPECT_EQ(ipc::TokenRequest::fromJson(with(token, QStringLiteral("min_validity"), -5))->minValiditySeconds, 0);
    EXPECT_EQ(ipc::TokenRequest::fromJson(with(token, QStringLiteral("min_validity"), 1e12))->minValiditySeconds, 3600);
    EXPECT_EQ(ipc::TokenRequest::fromJson(with(token, QStringLiteral("min_validity"), 3600))->minValiditySeconds, 3600);

    const QJsonObject remove = ipc::RemoveRequest{QStringLiteral("a@example.com"), QString()}.toJson();
    EXPECT_EQ(malformed<ipc::RemoveRequest>(with(remove, QStringLiteral("email"), 7)).code, ErrorCode::InvalidInput);
    EXPECT_EQ(
        malformed<ipc::RemoveRequest>(with(remove, QStringLiteral("provider"), QString(65, QLatin1Char('p')))).message,
        QStringLiteral("Malformed request: \"provider\" must be text of at most 64 characters."));
}

TEST(IpcMessages, MalformedRepliesAreInternalErrorsThatNeverShowTheToken)
{
    const QString secret = QStringLiteral("test-token-value");
    const QJsonObject token = ok({{QStringLiteral("email"), QStringLiteral("a@example.com")},
                                  {QStringLiteral("token"), secret},
                                  {QStringLiteral("expires_at"), QStringLiteral("2026-12-02T19:30:05Z")}});
    ASSERT_TRUE(ipc::TokenReply::fromJson(token).ok());
    for (const auto &[field, bad] : {QPair<QString, QJsonValue>(QStringLiteral("refreshed"), secret),
                                     QPair<QString, QJsonValue>(QStringLiteral("expires_at"), secret),
                                     QPair<QString, QJsonValue>(QStringLiteral("email"), QJsonArray{secret}),
                                     QPair<QString, QJsonValue>(QStringLiteral("token"), QJsonArray{secret})}) {
        const Error e = malformed<ipc::TokenReply>(with(token, field, bad), secret);
        EXPECT_EQ(e.code, ErrorCode::Internal) << field.toStdString();
        EXPECT_TRUE(
            e.message.startsWith(QStringLiteral("The MailKey window sent a malformed reply: \"%1\"").arg(field)))
            << e.message.toStdString();
    }
    for (const QJsonValue &none :
         {QJsonValue(QString()), QJsonValue(QJsonValue::Null), QJsonValue(QJsonValue::Undefined)}) {
        QJsonObject noToken = token;
        noToken.remove(QStringLiteral("token"));
        if (!none.isUndefined())
            noToken.insert(QStringLiteral("token"), none);
        EXPECT_EQ(malformed<ipc::TokenReply>(noToken).message, QStringLiteral("The MailKey window sent no token."));
    }

    EXPECT_EQ(malformed<ipc::HelloReply>(ok({{QStringLiteral("pid"), QStringLiteral("42")}})).message,
              QStringLiteral("The MailKey window sent a malformed reply: \"pid\" must be a whole number."));
    EXPECT_EQ(malformed<ipc::HelloReply>(ok({{QStringLiteral("ready"), 1}})).message,
              QStringLiteral("The MailKey window sent a malformed reply: \"ready\" must be true or false."));
    EXPECT_EQ(malformed<ipc::RemoveReply>(ok({{QStringLiteral("pending"), QStringLiteral("no")}})).code,
              ErrorCode::Internal);
    for (const QJsonValue &bad : {QJsonValue(QJsonArray{QStringLiteral("a"), 3}), QJsonValue(QStringLiteral("a")),
                                  QJsonValue(QJsonObject{{QStringLiteral("a"), 1}})})
        EXPECT_EQ(malformed<ipc::SignOutEverywhereReply>(ok({{QStringLiteral("messages"), bad}})).message,
                  QStringLiteral("The MailKey window sent a malformed reply: \"messages\" must be a list of texts."));
    EXPECT_EQ(malformed<ipc::SignOutEverywhereReply>(ok({{QStringLiteral("accounts"), 1.5}})).code,
              ErrorCode::Internal);
}

TEST(IpcMessages, ParseReplyTellsTheWindowsErrorFromItsAnswer)
{
    const Result<ipc::RotateKeyReply> refused = ipc::parseReply<ipc::RotateKeyReply>(
        ipc::errorReply(Error(ErrorCode::KeychainLocked, QStringLiteral("Unlock it."))));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::KeychainLocked);
    EXPECT_EQ(refused.error().message, QStringLiteral("Unlock it."));

    // Not a success unless "ok" is true; an error without a known code or a message is Internal.
    for (const QJsonObject &notOk :
         {QJsonObject{{QStringLiteral("v"), 1}},
          QJsonObject{{QStringLiteral("v"), 1}, {QStringLiteral("ok"), QStringLiteral("true")}},
          ipc::errorReply(QString::fromLatin1(ipc::BadRequestCode), QString())}) {
        const Result<ipc::RotateKeyReply> r = ipc::parseReply<ipc::RotateKeyReply>(notOk);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::Internal);
        EXPECT_EQ(r.error().message, QStringLiteral("The MailKey app could not answer the request."));
    }
    EXPECT_EQ(ipc::replyErrorCode(ipc::errorReply(QString::fromLatin1(ipc::NotReadyCode), QStringLiteral("x"))),
              QString::fromLatin1(ipc::NotReadyCode));
    EXPECT_EQ(ipc::replyErrorCode(ipc::okReply()), QString());

    const Result<ipc::RemoveReply> removed
        = ipc::parseReply<ipc::RemoveReply>(ok({{QStringLiteral("email"), QStringLiteral("a@example.com")}}));
    ASSERT_TRUE(removed.ok());
    EXPECT_EQ(removed->email, QStringLiteral("a@example.com"));
    EXPECT_EQ(ipc::parseReply<ipc::RemoveReply>(ok({{QStringLiteral("email"), 1}})).error().code, ErrorCode::Internal);

    const ipc::RequestHeader header = ipc::requestHeader(
        QJsonObject{{QStringLiteral("v"), 1}, {QStringLiteral("op"), QString(40, QLatin1Char('o'))}});
    EXPECT_EQ(header.version, 1);
    EXPECT_EQ(header.op, QString(32, QLatin1Char('o')));
    const ipc::RequestHeader junk
        = ipc::requestHeader(QJsonObject{{QStringLiteral("v"), QStringLiteral("1")}, {QStringLiteral("op"), 5}});
    EXPECT_EQ(junk.version, -1);
    EXPECT_EQ(junk.op, QString());
}

// ---- The window's dispatch table ----------------------------------------------------------------

class IpcDispatchTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_oldDataDir = qgetenv("MAILKEY_DATA_DIR");
        qputenv("MAILKEY_DATA_DIR", QFile::encodeName(m_dir.path()));
        m_name = test::uniqueName(QStringLiteral("mailkey-ipc-dispatch-"));
        // The window's service, its vault still locked: the server answers "not ready".
        m_service = std::make_unique<AccountService>(Profile(QStringLiteral("default")), &m_nam, &m_registry);
        m_service->setAutoRefresh(false);
        m_server = std::make_unique<IpcServer>(m_service.get());
        std::optional<Status> s;
        m_server->listen(m_name, [&](Status st) { s.emplace(st); });
        ASSERT_TRUE(waitFor([&] { return s.has_value(); }, 5000));
        ASSERT_TRUE(s->ok());
    }

    void TearDown() override
    {
        m_server.reset();
        m_service.reset();
        qputenv("MAILKEY_DATA_DIR", m_oldDataDir);
    }

    // The service creates its vault (its key in the test's private keyring): the window is ready.
    void openVault()
    {
        ASSERT_TRUE(KeyStore::sessionBusAvailable()) << "run through tests/support/with-keyring.sh";
        m_service->start();
        ASSERT_TRUE(waitFor([&] { return m_service->vaultState() != VaultState::Unlocking; }, 20000));
        ASSERT_EQ(m_service->vaultState(), VaultState::Ready) << m_service->vaultError().message.toStdString();
    }

    QTemporaryDir m_dir;
    QByteArray m_oldDataDir;
    QString m_name;
    ProviderRegistry m_registry;
    QNetworkAccessManager m_nam;
    std::unique_ptr<AccountService> m_service;
    std::unique_ptr<IpcServer> m_server;
};

TEST_F(IpcDispatchTest, EveryOperationHasARouteAndOnlyHelloAndAccountsChangedNeedNoVault)
{
    const IpcClient::Reply hello = askServer(m_name, ipc::HelloRequest{});
    ASSERT_TRUE(hello.answered) << hello.problem.toStdString();
    const Result<ipc::HelloReply> h = ipc::parseReply<ipc::HelloReply>(hello.body);
    ASSERT_TRUE(h.ok()) << h.error().message.toStdString();
    EXPECT_EQ(h->app, QStringLiteral("mailkey"));
    EXPECT_EQ(h->protocol, ipc::ProtocolVersion);
    EXPECT_FALSE(h->ready);
    EXPECT_EQ(h->pid, QCoreApplication::applicationPid());

    QSignalSpy changed(m_server.get(), &IpcServer::accountsChanged);
    const IpcClient::Reply reload = askServer(m_name, ipc::AccountsChangedRequest{});
    EXPECT_TRUE(ipc::parseReply<ipc::AccountsChangedReply>(reload.body).ok());
    EXPECT_EQ(changed.count(), 1);

    const auto notReady
        = [&](const IpcClient::Reply &r) { return ipc::replyErrorCode(r.body) == QLatin1String(ipc::NotReadyCode); };
    EXPECT_TRUE(notReady(askServer(m_name, ipc::TokenRequest{QStringLiteral("a@example.com"), {}, {}, 60, {}})));
    EXPECT_TRUE(notReady(askServer(m_name, ipc::RemoveRequest{QStringLiteral("a@example.com"), {}})));
    EXPECT_TRUE(notReady(askServer(m_name, ipc::SignOutEverywhereRequest{})));
    EXPECT_TRUE(notReady(askServer(m_name, ipc::RotateKeyRequest{})));
    // Not ready is said before the fields are read (the CLI then does the work itself).
    EXPECT_TRUE(notReady(askServer(m_name, with(ipc::requestJson(ipc::TokenRequest::Op), QStringLiteral("email"), 5))));

    for (const char *op : {"format-disk", "", "Hello", "hello "}) {
        const IpcClient::Reply unknown = askServer(m_name, ipc::requestJson(op));
        EXPECT_EQ(ipc::replyErrorCode(unknown.body), QString::fromLatin1(ipc::UnknownOpCode)) << op;
        EXPECT_EQ(ipc::errorFromReply(unknown.body).message,
                  QStringLiteral("Unknown request \"%1\".").arg(QLatin1String(op)));
    }
}

TEST_F(IpcDispatchTest, AReadyWindowRefusesMalformedRequestsAndServesWellFormedOnes)
{
    openVault();
    const IpcClient::Reply hello = askServer(m_name, ipc::HelloRequest{});
    ASSERT_TRUE(ipc::parseReply<ipc::HelloReply>(hello.body).ok());
    EXPECT_TRUE(ipc::parseReply<ipc::HelloReply>(hello.body)->ready);

    QSignalSpy handled(m_server.get(), &IpcServer::requestHandled);
    const QList<QPair<const char *, QJsonObject>> malformedRequests = {
        {"\"email\" must be text of at most 320 characters",
         with(ipc::requestJson(ipc::TokenRequest::Op), QStringLiteral("email"), 5)},
        {"\"min_validity\" must be a whole number",
         with(ipc::TokenRequest{QStringLiteral("a@example.com"), {}, {}, 60, {}}.toJson(),
              QStringLiteral("min_validity"), QStringLiteral("soon"))},
        {"\"provider\" must be text of at most 64 characters",
         with(ipc::RemoveRequest{QStringLiteral("a@example.com"), {}}.toJson(), QStringLiteral("provider"),
              QJsonObject())},
    };
    for (const auto &[problem, request] : malformedRequests) {
        const IpcClient::Reply r = askServer(m_name, request);
        ASSERT_TRUE(r.answered) << r.problem.toStdString();
        EXPECT_EQ(ipc::replyErrorCode(r.body), QString::fromLatin1(ipc::BadRequestCode)) << problem;
        EXPECT_EQ(ipc::errorFromReply(r.body).message,
                  QStringLiteral("Malformed request: %1.").arg(QLatin1String(problem)));
    }
    ASSERT_EQ(handled.count(), 3);
    EXPECT_EQ(handled.at(0).at(0).toString(), QStringLiteral("token"));
    EXPECT_FALSE(handled.at(0).at(1).toBool());
    EXPECT_EQ(handled.at(2).at(0).toString(), QStringLiteral("remove"));

    // Well-formed requests reach the TokenBroker: no such account.
    const Result<ipc::TokenReply> token = ipc::parseReply<ipc::TokenReply>(
        askServer(m_name,
                  ipc::TokenRequest{
                      QStringLiteral("nobody@example.com"), {}, QStringLiteral("imap"), 60, QStringLiteral("test")})
            .body);
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().code, ErrorCode::NotFound) << token.error().message.toStdString();
    const Result<ipc::RemoveReply> removed = ipc::parseReply<ipc::RemoveReply>(
        askServer(m_name, ipc::RemoveRequest{QStringLiteral("nobody@example.com"), {}}).body);
    ASSERT_FALSE(removed.ok());
    EXPECT_EQ(removed.error().code, ErrorCode::NotFound) << removed.error().message.toStdString();
    const Result<ipc::TokenReply> badAddress = ipc::parseReply<ipc::TokenReply>(
        askServer(m_name, ipc::TokenRequest{QStringLiteral("not an address"), {}, {}, 60, {}}).body);
    ASSERT_FALSE(badAddress.ok());
    EXPECT_EQ(badAddress.error().code, ErrorCode::InvalidInput);
}
