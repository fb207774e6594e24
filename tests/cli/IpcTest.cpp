// The local socket between the window and mailkey-cli: framing and its limits, the answers of a
// server whose vault is not open, garbage and slow clients, same-user-only access (a process of
// another user can neither use the server nor pose as it), and the rules both paths share
// (TokenBroker) and the SASL strings.
#include "cli/Sasl.h"
#include "core/common/MailAddress.h"
#include "core/ipc/IpcClient.h"
#include "core/ipc/IpcProtocol.h"
#include "core/ipc/IpcServer.h"
#include "core/ipc/PeerCredentials.h"
#include "core/providers/Provider.h"
#include "core/service/TokenBroker.h"
#include "tests/support/TestUtil.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QLocalSocket>
#include <QTemporaryDir>
#include <QtEndian>

#include <cerrno>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mailkey;
using mailkey::test::waitFor;

namespace {

constexpr uid_t kNobody = 65534;

// One request over a fresh client; the reply (or answered == false).
IpcClient::Reply ask(const QString &name, const QJsonObject &request, int timeoutMs = 3000)
{
    IpcClient client(name);
    std::optional<IpcClient::Reply> reply;
    client.send(request, timeoutMs, [&](IpcClient::Reply r) { reply = std::move(r); });
    waitFor([&] { return reply.has_value(); }, timeoutMs + 2000);
    return reply.value_or(IpcClient::Reply{});
}

QByteArray header(quint32 length)
{
    QByteArray h(4, '\0');
    qToBigEndian<quint32>(length, h.data());
    return h;
}

// Sends raw bytes; true when the server hung up without sending anything back.
bool serverHangsUpOn(const QString &name, const QByteArray &bytes, int waitMs = 3000)
{
    QLocalSocket s;
    s.connectToServer(name);
    if (!waitFor([&] { return s.state() == QLocalSocket::ConnectedState; }, 2000))
        return false;
    s.write(bytes);
    s.flush();
    QByteArray got;
    const bool closed = waitFor(
        [&] {
            got += s.readAll();
            return s.state() == QLocalSocket::UnconnectedState;
        },
        waitMs);
    return closed && got.isEmpty();
}

class IpcServerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_name = test::uniqueName(QStringLiteral("mailkey-ipc-test-"));
        m_server = std::make_unique<IpcServer>(nullptr);
        IpcServer::Limits limits;
        limits.requestTimeoutMs = 300;
        limits.maxConnections = 4;
        m_server->setLimits(limits);
        std::optional<Status> s;
        m_server->listen(m_name, [&](Status st) { s.emplace(st); });
        ASSERT_TRUE(waitFor([&] { return s.has_value(); }, 5000));
        ASSERT_TRUE(s->ok());
    }
    QString m_name;
    std::unique_ptr<IpcServer> m_server;
};

} // namespace

TEST(IpcProtocol, FramesSurviveAnySplitAndLimitsHold)
{
    const QJsonObject msg{{QStringLiteral("v"), 1}, {QStringLiteral("op"), QStringLiteral("hello")}};
    const QByteArray frame = ipc::encodeFrame(msg) + ipc::encodeFrame(msg);
    ipc::FrameReader reader(1024);
    QJsonObject got;
    int frames = 0;
    for (const char c : frame) {
        reader.append(QByteArray(1, c));
        while (reader.next(&got) == ipc::FrameReader::State::Frame) {
            EXPECT_EQ(got, msg);
            ++frames;
        }
    }
    EXPECT_EQ(frames, 2);

    ipc::FrameReader small(16);
    small.append(header(17));
    EXPECT_EQ(small.next(&got), ipc::FrameReader::State::TooLarge);
    ipc::FrameReader bad(1024);
    bad.append(header(5) + "[1,2]");
    EXPECT_EQ(bad.next(&got), ipc::FrameReader::State::Malformed);
    ipc::FrameReader garbage(1024);
    garbage.append(header(3) + "{no");
    EXPECT_EQ(garbage.next(&got), ipc::FrameReader::State::Malformed);

    const Error e = ipc::errorFromReply(ipc::errorReply(Error(ErrorCode::NeedsSignIn, QStringLiteral("sign in"))));
    EXPECT_EQ(e.code, ErrorCode::NeedsSignIn);
    EXPECT_EQ(e.message, QStringLiteral("sign in"));
    for (int c = 0; c <= int(ErrorCode::Internal); ++c)
        EXPECT_EQ(ipc::errorCodeFromName(ipc::errorCodeName(ErrorCode(c))), std::optional<ErrorCode>(ErrorCode(c)));
}

TEST_F(IpcServerTest, AServerWithoutAVaultSaysSoAndOnlyItsUserCanReachIt)
{
    const IpcClient::Reply hello = ask(m_name, {{QStringLiteral("op"), QStringLiteral("hello")}});
    ASSERT_TRUE(hello.answered) << hello.problem.toStdString();
    EXPECT_TRUE(hello.body.value(QStringLiteral("ok")).toBool());
    EXPECT_EQ(hello.body.value(QStringLiteral("protocol")).toInt(), ipc::ProtocolVersion);
    EXPECT_FALSE(hello.body.value(QStringLiteral("ready")).toBool());

    const IpcClient::Reply token = ask(m_name, {{QStringLiteral("op"), QStringLiteral("token")},
                                                {QStringLiteral("email"), QStringLiteral("a@example.com")}});
    ASSERT_TRUE(token.answered);
    EXPECT_EQ(token.body.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
              QString::fromLatin1(ipc::NotReadyCode));

    EXPECT_EQ(hello.body.value(QStringLiteral("role")).toString(), QStringLiteral("window"));
    // A window does not hand over (only `mailkey-cli serve` does); a hello without a role (an
    // older window) reads as a window.
    const IpcClient::Reply handOver = ask(m_name, {{QStringLiteral("op"), QStringLiteral("hand-over")}});
    ASSERT_TRUE(handOver.answered);
    EXPECT_EQ(handOver.body.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
              QString::fromLatin1(ipc::UnknownOpCode));
    QJsonObject older = hello.body;
    older.remove(QStringLiteral("role"));
    const Result<ipc::HelloReply> olderHello = ipc::HelloReply::fromJson(older);
    ASSERT_TRUE(olderHello.ok());
    EXPECT_EQ(olderHello->role, QStringLiteral("window"));

    const IpcClient::Reply unknown = ask(m_name, {{QStringLiteral("op"), QStringLiteral("format-disk")}});
    EXPECT_EQ(unknown.body.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
              QString::fromLatin1(ipc::UnknownOpCode));

    // The socket file is private to its user.
    struct stat st = {};
    ASSERT_EQ(::stat(QFile::encodeName(m_server->fullServerName()).constData(), &st), 0);
    EXPECT_EQ(st.st_mode & 077, 0u) << std::oct << st.st_mode;
}

TEST_F(IpcServerTest, OtherVersionsAreRefusedPolitely)
{
    QLocalSocket s;
    s.connectToServer(m_name);
    ASSERT_TRUE(waitFor([&] { return s.state() == QLocalSocket::ConnectedState; }, 2000));
    s.write(ipc::encodeFrame({{QStringLiteral("v"), 2}, {QStringLiteral("op"), QStringLiteral("hello")}}));
    ipc::FrameReader reader(ipc::MaxReplyBytes);
    QJsonObject reply;
    ASSERT_TRUE(waitFor([&] {
        reader.append(s.readAll());
        return reader.next(&reply) == ipc::FrameReader::State::Frame;
    }));
    EXPECT_EQ(reply.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
              QString::fromLatin1(ipc::UnsupportedVersionCode));
}

TEST_F(IpcServerTest, OversizedGarbageAndSlowRequestsAreCutOffAndTheServerStillAnswers)
{
    EXPECT_TRUE(serverHangsUpOn(m_name, header(16 * 1024 + 1)));
    EXPECT_TRUE(serverHangsUpOn(m_name, header(0xffffffffu)));
    EXPECT_TRUE(serverHangsUpOn(m_name, header(9) + "not json!"));
    EXPECT_TRUE(serverHangsUpOn(m_name, header(7) + "[1,2,3]"));
    // Half a request, then nothing: dropped after requestTimeoutMs (300 ms here).
    EXPECT_TRUE(serverHangsUpOn(m_name, header(100) + "{\"v\":1", 3000));

    // At most maxConnections at once.
    std::vector<std::unique_ptr<QLocalSocket>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(std::make_unique<QLocalSocket>());
        idle.back()->connectToServer(m_name);
    }
    waitFor([&] { return m_server->connectionCount() == 4; }, 3000);
    EXPECT_EQ(m_server->connectionCount(), 4);
    EXPECT_TRUE(serverHangsUpOn(
        m_name, ipc::encodeFrame({{QStringLiteral("v"), 1}, {QStringLiteral("op"), QStringLiteral("hello")}})));
    idle.clear();
    waitFor([&] { return m_server->connectionCount() == 0; }, 3000);

    const IpcClient::Reply hello = ask(m_name, {{QStringLiteral("op"), QStringLiteral("hello")}});
    EXPECT_TRUE(hello.answered) << hello.problem.toStdString();
}

TEST_F(IpcServerTest, ASecondServerOfTheSameNameIsRefusedAndAStaleSocketIsReplaced)
{
    IpcServer second(nullptr);
    std::optional<Status> s;
    second.listen(m_name, [&](Status st) { s.emplace(st); });
    ASSERT_TRUE(waitFor([&] { return s.has_value(); }, 5000));
    EXPECT_FALSE(s->ok());
    EXPECT_TRUE(ask(m_name, {{QStringLiteral("op"), QStringLiteral("hello")}}).answered);

    // A socket file nobody listens on (a crashed window) is taken over.
    const QString path = m_server->fullServerName();
    m_server.reset();
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr = {};
    addr.sun_family = AF_UNIX;
    const QByteArray p = QFile::encodeName(path);
    std::memcpy(addr.sun_path, p.constData(), size_t(p.size()));
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)), 0);
    ::close(fd); // the file stays, nobody listens
    std::optional<Status> s2;
    second.listen(m_name, [&](Status st) { s2.emplace(st); });
    ASSERT_TRUE(waitFor([&] { return s2.has_value(); }, 5000));
    EXPECT_TRUE(s2->ok()) << s2->error().message.toStdString();
    EXPECT_TRUE(ask(m_name, {{QStringLiteral("op"), QStringLiteral("hello")}}).answered);
}

TEST_F(IpcServerTest, AProcessOfAnotherUserGetsNothing)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to run a process as another user";
    const QByteArray path = QFile::encodeName(m_server->fullServerName());
    const QByteArray hello
        = ipc::encodeFrame({{QStringLiteral("v"), 1}, {QStringLiteral("op"), QStringLiteral("hello")}});

    // 1. As it is: the socket's permissions keep the other user out (EACCES).
    // 2. With the permissions opened up (a platform where they do not apply): the peer check
    //    hangs up before reading anything.
    for (int round = 0; round < 2; ++round) {
        if (round == 1) {
            ASSERT_EQ(::chmod(path.constData(), 0777), 0);
        }
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            // Only async-signal-safe calls from here on.
            if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
                ::_exit(10);
            const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un addr = {};
            addr.sun_family = AF_UNIX;
            std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
            if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0)
                ::_exit(errno == EACCES ? 20 : 11);
            timeval tv = {5, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
            [[maybe_unused]] const auto w = ::write(fd, hello.constData(), size_t(hello.size()));
            char buf[64];
            const ssize_t n = ::read(fd, buf, sizeof(buf));
            // Closed without an answer (a reset, since the request was never read).
            ::_exit(n == 0 || (n < 0 && errno == ECONNRESET) ? 21 : 12);
        }
        int status = 0;
        ASSERT_TRUE(waitFor([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 10000));
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), round == 0 ? 20 : 21) << "round " << round;
    }
    EXPECT_EQ(m_server->rejectedPeerCount(), 1);
}

TEST(IpcClientTest, NeverTalksToASocketOfAnotherUser)
{
    if (::geteuid() != 0)
        GTEST_SKIP() << "needs root to run a process as another user";
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    ASSERT_EQ(::chmod(QFile::encodeName(dir.path()).constData(), 0777), 0);
    const QByteArray path = QFile::encodeName(dir.path() + QStringLiteral("/impostor"));
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
            ::_exit(10);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr = {};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
        ::umask(0);
        if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof(addr)) != 0 || ::listen(fd, 4) != 0)
            ::_exit(11);
        [[maybe_unused]] const auto w = ::write(ready[1], "r", 1);
        const int c = ::accept(fd, nullptr, nullptr);
        char buf[256];
        const ssize_t n = c >= 0 ? ::read(c, buf, sizeof(buf)) : -1;
        ::_exit(n > 0 ? 12 : 0); // 12: the client sent its request to the impostor
    }
    char r = 0;
    ASSERT_EQ(::read(ready[0], &r, 1), 1);
    const IpcClient::Reply reply
        = ask(QFile::decodeName(path), {{QStringLiteral("op"), QStringLiteral("token")},
                                        {QStringLiteral("email"), QStringLiteral("a@example.com")}});
    EXPECT_FALSE(reply.answered);
    EXPECT_FALSE(reply.sent);
    EXPECT_TRUE(reply.foreignPeer);
    int status = 0;
    ASSERT_TRUE(waitFor([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 10000));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "nothing was sent to a socket of another user";
    ::close(ready[0]);
    ::close(ready[1]);
}

TEST(IpcClientTest, NoServerIsNotAnAnswer)
{
    const IpcClient::Reply r
        = ask(test::uniqueName(QStringLiteral("mailkey-nobody-")), {{QStringLiteral("op"), QStringLiteral("hello")}});
    EXPECT_FALSE(r.answered);
    EXPECT_FALSE(r.sent);
    EXPECT_FALSE(r.foreignPeer);
}

TEST(PeerCredentials, ASocketPairIsTheSameUser)
{
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    EXPECT_EQ(ipc::peerIsCurrentUser(fds[0]), std::optional<bool>(true));
    ::close(fds[0]);
    ::close(fds[1]);
    EXPECT_EQ(ipc::peerIsCurrentUser(-1), std::nullopt);
}

// ---- Shared rules and SASL --------------------------------------------------------------------

TEST(TokenBrokerRules, ResourcesMapToTheTokenThatServesThem)
{
    const Provider microsoft = Provider::microsoft().value();
    const Provider google = Provider::google();
    Provider custom;
    custom.id = QStringLiteral("example");
    custom.scopes = {QStringLiteral("openid"), QStringLiteral("offline_access")};
    custom.resourceScopes.insert(QStringLiteral("imap"), custom.scopes);
    custom.resourceScopes.insert(QStringLiteral("smtp"), custom.scopes);

    EXPECT_EQ(TokenBroker::vaultResource(microsoft, QStringLiteral("graph")).value(), QStringLiteral("default"));
    EXPECT_EQ(TokenBroker::vaultResource(microsoft, QStringLiteral("imap")).value(), QStringLiteral("imap"));
    EXPECT_EQ(TokenBroker::vaultResource(microsoft, QStringLiteral("smtp")).value(), QStringLiteral("smtp"));
    EXPECT_EQ(TokenBroker::vaultResource(google, QStringLiteral("imap")).value(), QStringLiteral("default"));
    EXPECT_EQ(TokenBroker::vaultResource(google, QStringLiteral("smtp")).value(), QStringLiteral("default"));
    EXPECT_EQ(TokenBroker::vaultResource(custom, QStringLiteral("imap")).value(), QStringLiteral("default"));
    EXPECT_EQ(TokenBroker::vaultResource(Provider(), QStringLiteral("imap")).value(), QStringLiteral("imap"));
    EXPECT_EQ(TokenBroker::vaultResource(microsoft, QStringLiteral("pop3")).error().code, ErrorCode::InvalidInput);

    for (const char *good :
         {"alice@example.com", "a.b+c@sub.example.co.uk", "x@localhost", "Ünï@exämple.org", "o'neil@example.ie"})
        EXPECT_TRUE(MailAddress::isPlausible(QString::fromUtf8(good))) << good;
    for (const char *bad : {"", "alice", "@example.com", "alice@", "a@@b.c", "a b@c.d", "a@b..c", "a@.b", "a@b.",
                            "a\x01@b.c", "a@b.c\n", "<a@b.c>", "a,b@c.d",
                            // terminal escapes, C1 controls, bidi overrides and isolates, zero-width
                            "mallory\x1b]0;owned\x07\x1b[2J@example.com",
                            "a\xc2\x9b"
                            "2J@b.c",
                            "a@b\xc2\x85.c", "mallory\xe2\x80\xaemoc.elpmaxe@example.com", "a\xe2\x81\xa6x@b.c",
                            "a\xe2\x80\x8b@b.c", "a@b.c\xe2\x80\x8f"})
        EXPECT_FALSE(MailAddress::isPlausible(QString::fromUtf8(bad))) << bad;
    EXPECT_FALSE(MailAddress::isPlausible(QString(65, QLatin1Char('a')) + QStringLiteral("@example.com")));
    EXPECT_TRUE(MailAddress::isPlausible(QString(64, QLatin1Char('a')) + QStringLiteral("@example.com")));
    EXPECT_FALSE(MailAddress::isPlausible(QStringLiteral("a@") + QString(253, QLatin1Char('b'))));
}

TEST(Sasl, XOAuth2AndOAuthBearerAreTheDocumentedBytes)
{
    const SecretString token(QStringLiteral("ya29.tok+en/=="));
    EXPECT_EQ(QByteArray::fromBase64(cli::xoauth2(QStringLiteral("me@example.com"), token).bytes()),
              QByteArray("user=me@example.com\x01"
                         "auth=Bearer ya29.tok+en/==\x01\x01"));
    EXPECT_EQ(QByteArray::fromBase64(cli::oauthBearer(QStringLiteral("me@example.com"), token).bytes()),
              QByteArray("n,a=me@example.com,\x01"
                         "auth=Bearer ya29.tok+en/==\x01\x01"));
    // RFC 7628 section 4.1's example layout.
    EXPECT_EQ(QByteArray::fromBase64(
                  cli::oauthBearer(QStringLiteral("user@example.com"),
                                   SecretString(QStringLiteral("vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==")),
                                   QStringLiteral("server.example.com"), 143)
                      .bytes()),
              QByteArray("n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
                         "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01"));
    // RFC 5801 saslname escaping in the gs2 header.
    EXPECT_EQ(QByteArray::fromBase64(
                  cli::oauthBearer(QStringLiteral("a,b=c@example.com"), SecretString(QStringLiteral("t"))).bytes()),
              QByteArray("n,a=a=2Cb=3Dc@example.com,\x01"
                         "auth=Bearer t\x01\x01"));

    EXPECT_EQ(cli::defaultSaslServer(QStringLiteral("microsoft"), QStringLiteral("imap")).host,
              QStringLiteral("outlook.office365.com"));
    EXPECT_EQ(cli::defaultSaslServer(QStringLiteral("microsoft"), QStringLiteral("smtp")).port, 587);
    EXPECT_EQ(cli::defaultSaslServer(QStringLiteral("google"), QStringLiteral("imap")).port, 993);
    EXPECT_TRUE(cli::defaultSaslServer(QStringLiteral("example"), QStringLiteral("imap")).host.isEmpty());
    EXPECT_TRUE(cli::defaultSaslServer(QStringLiteral("microsoft"), QStringLiteral("graph")).host.isEmpty());
}
