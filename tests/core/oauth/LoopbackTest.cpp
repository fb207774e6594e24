// The loopback redirect listener, tested over real sockets: binding, HTTP hardening, state /
// issuer / deadline checks, the page, and use as a QOAuth2AuthorizationCodeFlow reply handler.
#include "core/common/Clock.h"
#include "core/oauth/CallbackPage.h"
#include "core/oauth/LoopbackPeer.h"
#include "core/oauth/LoopbackReplyHandler.h"
#include "tests/support/HttpTestServer.h"
#include "tests/support/TestUtil.h"

#include <QFile>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QOAuth2AuthorizationCodeFlow>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>

#include <gtest/gtest.h>

#include <memory>

#include <unistd.h>

using mailkey::CallbackPage;
using mailkey::LoopbackReplyHandler;
using mailkey::test::expectNotLogged;
using mailkey::test::HttpTestServer;
using mailkey::test::waitFor;
using Reason = LoopbackReplyHandler::RejectReason;

namespace {

const QString kPath = QStringLiteral("/oauth/test");

QByteArray randomToken(int bytes = 32)
{
    QByteArray raw(bytes, '\0');
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), bytes / int(sizeof(quint32)));
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

struct HttpResult {
    bool connected = false;
    bool closedByServer = false;
    int status = 0;
    QByteArray head;
    QByteArray body;
};

// Sends raw bytes and collects everything until the server closes the connection.
HttpResult exchange(quint16 port, const QByteArray &request, int timeoutMs = 5000,
                    const QHostAddress &address = QHostAddress(QHostAddress::LocalHost))
{
    HttpResult r;
    QTcpSocket socket;
    socket.connectToHost(address, port);
    waitFor(
        [&] {
            return socket.state() == QAbstractSocket::ConnectedState
                   || socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    if (socket.state() != QAbstractSocket::ConnectedState)
        return r;
    r.connected = true;
    socket.write(request);
    QByteArray raw;
    r.closedByServer = waitFor(
        [&] {
            raw += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    raw += socket.readAll();
    const qsizetype end = raw.indexOf("\r\n\r\n");
    r.head = end < 0 ? raw : raw.left(end + 2);
    r.body = end < 0 ? QByteArray() : raw.mid(end + 4);
    if (raw.startsWith("HTTP/1.1 ") && raw.size() >= 12)
        r.status = raw.mid(9, 3).toInt();
    return r;
}

bool connectionRefused(quint16 port, const QHostAddress &address = QHostAddress(QHostAddress::LocalHost))
{
    QTcpSocket socket;
    socket.connectToHost(address, port);
    waitFor(
        [&] {
            return socket.state() == QAbstractSocket::ConnectedState
                   || socket.state() == QAbstractSocket::UnconnectedState;
        },
        3000);
    return socket.state() == QAbstractSocket::UnconnectedState;
}

QByteArray enc(const QByteArray &v)
{
    return v.toPercentEncoding();
}

Reason reasonAt(const QSignalSpy &spy, int i)
{
    return qvariant_cast<Reason>(spy.at(i).at(0));
}

// Lines of `ss -ltnH` that listen on the given port (empty list if ss is not available).
QStringList ssListeners(quint16 port, bool *available)
{
    *available = false;
    const QString ss = QStandardPaths::findExecutable(QStringLiteral("ss"));
    if (ss.isEmpty())
        return {};
    QProcess proc;
    proc.start(ss, {QStringLiteral("-ltnH")});
    if (!proc.waitForFinished(5000) || proc.exitCode() != 0)
        return {};
    *available = true;
    QStringList out;
    const QString suffix = QLatin1Char(':') + QString::number(port);
    for (const QString &line : QString::fromLocal8Bit(proc.readAllStandardOutput()).split(QLatin1Char('\n'))) {
        const QStringList cols = line.simplified().split(QLatin1Char(' '));
        if (cols.size() >= 4 && cols.at(3).endsWith(suffix))
            out.append(cols.at(3).left(cols.at(3).size() - suffix.size()));
    }
    return out;
}

class LoopbackTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        QLoggingCategory::setFilterRules(QStringLiteral("mailkey.oauth.loopback.debug=true"));
        m_state = randomToken();
        m_code = QByteArrayLiteral("M.C1_") + randomToken(24) + QByteArrayLiteral("/+.-");
        handler = std::make_unique<LoopbackReplyHandler>(QStringLiteral("127.0.0.1"), kPath);
        handler->setExpectedState(m_state);
        ASSERT_TRUE(handler->listen());
        rejected = std::make_unique<QSignalSpy>(handler.get(), &LoopbackReplyHandler::callbackRejected);
        received = std::make_unique<QSignalSpy>(handler.get(), &LoopbackReplyHandler::callbackReceived);
        errors = std::make_unique<QSignalSpy>(handler.get(), &LoopbackReplyHandler::callbackError);
        expiredSpy = std::make_unique<QSignalSpy>(handler.get(), &LoopbackReplyHandler::expired);
    }

    void TearDown() override
    {
        // Nothing the browser sent (state, code) may ever reach a log line.
        expectNotLogged({m_state, m_code, enc(m_state), enc(m_code)});
    }

    QByteArray hostHeader() const { return "127.0.0.1:" + QByteArray::number(handler->port()); }

    QByteArray get(const QByteArray &target, const QByteArray &extraHeaders = {}) const
    {
        return "GET " + target + " HTTP/1.1\r\nHost: " + hostHeader()
               + "\r\nUser-Agent: Mozilla/5.0 test\r\nAccept: text/html\r\n" + extraHeaders + "\r\n";
    }

    QByteArray goodTarget() const
    {
        return kPath.toUtf8() + "?code=" + enc(m_code) + "&state=" + enc(m_state) + "&scope=mail";
    }

    HttpResult send(const QByteArray &request, int timeoutMs = 5000)
    {
        return exchange(handler->port(), request, timeoutMs);
    }

    // The real callback still ends the attempt successfully.
    void expectRealCallbackWorks()
    {
        const HttpResult r = send(get(goodTarget()));
        EXPECT_EQ(r.status, 200);
        EXPECT_TRUE(r.body.contains("You can close this tab and return to MailKey."));
        ASSERT_EQ(received->size(), 1);
        const QVariantMap values = received->at(0).at(0).toMap();
        EXPECT_TRUE(values.value(QStringLiteral("code")).toString().toUtf8() == m_code);
        EXPECT_TRUE(values.value(QStringLiteral("state")).toString().toUtf8() == m_state);
        EXPECT_FALSE(handler->isListening());
    }

    void expectNoFlowSignals()
    {
        EXPECT_EQ(received->size(), 0);
        EXPECT_EQ(errors->size(), 0);
        EXPECT_EQ(expiredSpy->size(), 0);
        EXPECT_TRUE(handler->isListening());
    }

    QByteArray m_state;
    QByteArray m_code;
    std::unique_ptr<LoopbackReplyHandler> handler;
    std::unique_ptr<QSignalSpy> rejected, received, errors, expiredSpy;
};

// --- binding -----------------------------------------------------------------------------------

TEST_F(LoopbackTest, CallbackStringFormat)
{
    const QString expected = QStringLiteral("http://127.0.0.1:") + QString::number(handler->port()) + kPath;
    EXPECT_EQ(handler->callback(), expected);
    EXPECT_NE(handler->port(), 0);
    handler->close();
    EXPECT_FALSE(handler->isListening());
    EXPECT_EQ(handler->callback(), expected); // stable for the token request after close

    LoopbackReplyHandler ms(QStringLiteral("localhost"), QStringLiteral("/oauth/microsoft"));
    ASSERT_TRUE(ms.listen());
    EXPECT_EQ(ms.callback(),
              QStringLiteral("http://localhost:") + QString::number(ms.port()) + QStringLiteral("/oauth/microsoft"));
}

TEST_F(LoopbackTest, InvalidHostOrPathRefusesToListen)
{
    LoopbackReplyHandler any(QStringLiteral("0.0.0.0"), kPath);
    EXPECT_FALSE(any.listen());
    LoopbackReplyHandler remote(QStringLiteral("example.com"), kPath);
    EXPECT_FALSE(remote.listen());
    LoopbackReplyHandler relative(QStringLiteral("127.0.0.1"), QStringLiteral("oauth"));
    EXPECT_FALSE(relative.listen());
    EXPECT_FALSE(relative.isListening());
}

TEST_F(LoopbackTest, ListensOnLoopbackOnly)
{
    const QList<QHostAddress> addresses = handler->listenAddresses();
    ASSERT_EQ(addresses.size(), 1);
    EXPECT_EQ(addresses.at(0), QHostAddress(QHostAddress::LocalHost));

    bool ssAvailable = false;
    const QStringList listeners = ssListeners(handler->port(), &ssAvailable);
    if (ssAvailable) {
        EXPECT_EQ(listeners, QStringList{QStringLiteral("127.0.0.1")});
    }

    // Every non-loopback address of this machine refuses the port.
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (address.isLoopback() || address.isLinkLocal())
            continue;
        EXPECT_TRUE(connectionRefused(handler->port(), address)) << address.toString().toStdString();
    }
    EXPECT_FALSE(connectionRefused(handler->port()));
}

TEST_F(LoopbackTest, LocalhostBindsLoopbackV4AndV6Only)
{
    LoopbackReplyHandler ms(QStringLiteral("localhost"), QStringLiteral("/oauth/microsoft"));
    ASSERT_TRUE(ms.listen());
    const QList<QHostAddress> addresses = ms.listenAddresses();
    ASSERT_GE(addresses.size(), 1);
    EXPECT_EQ(addresses.at(0), QHostAddress(QHostAddress::LocalHost));
    for (const QHostAddress &a : addresses)
        EXPECT_TRUE(a.isLoopback()) << a.toString().toStdString();

    bool ssAvailable = false;
    const QStringList listeners = ssListeners(ms.port(), &ssAvailable);
    if (ssAvailable) {
        for (const QString &l : listeners) {
            EXPECT_TRUE(l == QStringLiteral("127.0.0.1") || l == QStringLiteral("[::1]")) << l.toStdString();
        }
        EXPECT_TRUE(listeners.contains(QStringLiteral("127.0.0.1")));
    }

    // Host header: localhost, and the loopback literals, are accepted; a foreign name is not.
    const QByteArray state = randomToken();
    ms.setExpectedState(state);
    QSignalSpy rejectedMs(&ms, &LoopbackReplyHandler::callbackRejected);
    const QByteArray port = QByteArray::number(ms.port());
    const auto req = [&](const QByteArray &host) -> QByteArray {
        return "GET /oauth/microsoft?state=wrong HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    };
    EXPECT_EQ(exchange(ms.port(), req("localhost:" + port)).status, 400);
    EXPECT_EQ(rejectedMs.size(), 1); // reached the state check: the Host was accepted
    EXPECT_EQ(exchange(ms.port(), req("LOCALHOST:" + port)).status, 400);
    EXPECT_EQ(exchange(ms.port(), req("127.0.0.1:" + port)).status, 400);
    EXPECT_EQ(exchange(ms.port(), req("[::1]:" + port)).status, 400);
    EXPECT_EQ(rejectedMs.size(), 4);
    EXPECT_EQ(exchange(ms.port(), req("evil.example:" + port)).status, 400);
    EXPECT_EQ(exchange(ms.port(), req("localhost.evil.example:" + port)).status, 400);
    EXPECT_EQ(rejectedMs.size(), 4); // refused before the state check

    if (addresses.size() == 2) {
        // Reachable over ::1 when the browser resolves localhost that way.
        QSignalSpy receivedMs(&ms, &LoopbackReplyHandler::callbackReceived);
        const HttpResult r = exchange(ms.port(),
                                      "GET /oauth/microsoft?code=abc&state=" + enc(state)
                                          + " HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n",
                                      5000, QHostAddress(QHostAddress::LocalHostIPv6));
        EXPECT_EQ(r.status, 200);
        EXPECT_EQ(receivedMs.size(), 1);
    }
    expectNotLogged({state});
}

TEST_F(LoopbackTest, FreshPortEachListen)
{
    const quint16 first = handler->port();
    LoopbackReplyHandler other(QStringLiteral("127.0.0.1"), kPath);
    ASSERT_TRUE(other.listen());
    EXPECT_NE(other.port(), first);

    handler->close();
    EXPECT_TRUE(connectionRefused(first));
    ASSERT_TRUE(handler->listen());
    EXPECT_NE(handler->port(), 0);
    EXPECT_NE(handler->port(), first);
    EXPECT_FALSE(connectionRefused(handler->port()));
    expectRealCallbackWorks();
}

// --- HTTP hardening ----------------------------------------------------------------------------

TEST_F(LoopbackTest, ExactPathOnly)
{
    const QByteArray query = "?code=" + enc(m_code) + "&state=" + enc(m_state);
    for (const QByteArray &path :
         {QByteArray("/oauth/testEVIL"), QByteArray("/oauth/test/more"), QByteArray("/oauth/tes"),
          QByteArray("/OAUTH/test"), QByteArray("/oauth/%74est"), QByteArray("/favicon.ico"), QByteArray("/")}) {
        const HttpResult r = send(get(path + query));
        EXPECT_EQ(r.status, 404) << path.toStdString();
        EXPECT_TRUE(r.closedByServer);
    }
    EXPECT_EQ(send(get("/favicon.ico")).status, 404);
    EXPECT_EQ(rejected->size(), 0);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

TEST_F(LoopbackTest, OnlyGetIsAllowed)
{
    for (const QByteArray &method :
         {QByteArray("POST"), QByteArray("HEAD"), QByteArray("PUT"), QByteArray("OPTIONS"), QByteArray("get")}) {
        const HttpResult r = send(method + " " + goodTarget() + " HTTP/1.1\r\nHost: " + hostHeader()
                                  + "\r\nContent-Length: 0\r\n\r\n");
        EXPECT_EQ(r.status, 405) << method.toStdString();
        EXPECT_TRUE(r.head.contains("\r\nAllow: GET\r\n"));
    }
    EXPECT_EQ(rejected->size(), 0);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

TEST_F(LoopbackTest, ForeignHostIsRefused)
{
    const QByteArray port = QByteArray::number(handler->port());
    const QByteArray target = goodTarget();
    const auto withHost = [&](const QByteArray &hostLines) -> QByteArray {
        return "GET " + target + " HTTP/1.1\r\n" + hostLines + "Accept: */*\r\n\r\n";
    };
    EXPECT_EQ(send(withHost("Host: evil.example:" + port + "\r\n")).status, 400);
    EXPECT_EQ(send(withHost("Host: evil.example\r\n")).status, 400);
    EXPECT_EQ(send(withHost("Host: localhost:" + port + "\r\n")).status, 400); // strict for 127.0.0.1
    EXPECT_EQ(send(withHost("Host: 127.0.0.1\r\n")).status, 400);
    EXPECT_EQ(send(withHost("Host: 127.0.0.1:1" + port + "\r\n")).status, 400);
    EXPECT_EQ(send(withHost("")).status, 400);
    EXPECT_EQ(send(withHost("Host: 127.0.0.1:" + port + "\r\nHost: evil.example\r\n")).status, 400);
    EXPECT_EQ(send("GET " + target + " HTTP/1.0\r\n\r\n").status, 400);
    EXPECT_EQ(rejected->size(), 0);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

TEST_F(LoopbackTest, HeaderLimits)
{
    // One huge header.
    HttpResult r = send(get(goodTarget(), "X-Big: " + QByteArray(9000, 'a') + "\r\n"));
    EXPECT_EQ(r.status, 431);
    // Too many headers (each small, total under 8 KiB).
    QByteArray many;
    for (int i = 0; i < 120; ++i)
        many += "X-H" + QByteArray::number(i) + ": 1\r\n";
    ASSERT_LT(many.size(), LoopbackReplyHandler::MaxHeaderBytes);
    r = send(get(goodTarget(), many));
    EXPECT_EQ(r.status, 431);
    // A request line longer than the limit.
    r = send(get(kPath.toUtf8() + "?state=" + QByteArray(9000, 'x')));
    EXPECT_EQ(r.status, 414);
    // A body, with and without a length.
    r = send(get(goodTarget(), "Content-Length: 5\r\n") + "hello");
    EXPECT_EQ(r.status, 413);
    r = send(get(goodTarget(), "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(r.status, 400);
    r = send(get(goodTarget()) + "trailing");
    EXPECT_EQ(r.status, 400);
    r = send(get(goodTarget(), "Content-Length: -1\r\n"));
    EXPECT_EQ(r.status, 400);
    // Obsolete line folding and a header without a colon.
    r = send(get(goodTarget(), "X-A: 1\r\n  folded\r\n"));
    EXPECT_EQ(r.status, 400);
    r = send(get(goodTarget(), "NoColon\r\n"));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(rejected->size(), 0);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

TEST_F(LoopbackTest, GarbageIsRefusedAtOnce)
{
    QByteArray binary;
    for (int i = 0; i < 256; ++i)
        binary.append(char(255 - i));
    const QByteArray state = enc(m_state);
    const QList<QByteArray> garbage = {
        binary,
        QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11), // a TLS ClientHello
        "GET " + kPath.toUtf8() + "?code=a&state=" + state + "\r\n",    // HTTP/0.9
        "GET " + kPath.toUtf8() + "?state=" + state + " HTTP/1.1\nHost: " + hostHeader() + "\n\n",
        "GET " + kPath.toUtf8() + " HTTP/2.0\r\nHost: " + hostHeader() + "\r\n\r\n",
        "GET http://127.0.0.1/" + kPath.toUtf8() + " HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n",
        "GET  " + kPath.toUtf8() + " HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n",
        "\r\n\r\n",
        "HELLO\r\n\r\n",
        "GET /oauth/t\xc3\xa9st HTTP/1.1\r\n\r\n",
        "GET " + kPath.toUtf8() + " HTTP/1.1\r\nHost: " + hostHeader()
            + "\r\nX: a\x01"
              "b\r\n\r\n",
    };
    for (const QByteArray &bytes : garbage) {
        // Refused at once: well within the (default 10 s) request time limit.
        const HttpResult r = send(bytes, 3000);
        EXPECT_EQ(r.status, 400) << garbage.indexOf(bytes);
        EXPECT_TRUE(r.closedByServer);
    }
    EXPECT_EQ(rejected->size(), 0);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

TEST_F(LoopbackTest, SlowRequestTimesOut)
{
    handler->setRequestTimeout(300);
    QElapsedTimer timer;
    timer.start();
    // Half a request line, then nothing (slowloris), and a connection that sends nothing.
    HttpResult r = send("GET " + kPath.toUtf8() + "?sta", 5000);
    EXPECT_EQ(r.status, 408);
    EXPECT_TRUE(r.closedByServer);
    r = send(QByteArray(), 5000);
    EXPECT_EQ(r.status, 408);
    EXPECT_LT(timer.elapsed(), 4000);
    // A full request head without the final blank line.
    r = send("GET " + goodTarget() + " HTTP/1.1\r\nHost: " + hostHeader() + "\r\n", 5000);
    EXPECT_EQ(r.status, 408);
    EXPECT_EQ(rejected->size(), 0);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

TEST_F(LoopbackTest, ConnectionCountIsBoundedAndTheNewestGetsIn)
{
    handler->setMaxConnections(4);
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 4; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress(QHostAddress::LocalHost), handler->port());
        ASSERT_TRUE(waitFor([&] { return handler->connectionCount() == i + 1; }, 3000));
    }
    // A fifth connection takes the place of the oldest one that is still sending its request.
    QTcpSocket extra;
    extra.connectToHost(QHostAddress(QHostAddress::LocalHost), handler->port());
    EXPECT_TRUE(waitFor([&] { return idle.front()->state() == QAbstractSocket::UnconnectedState; }, 3000));
    EXPECT_EQ(idle.front()->readAll().size(), 0);
    EXPECT_EQ(extra.state(), QAbstractSocket::ConnectedState);
    EXPECT_EQ(handler->connectionCount(), 4);
    // With every slot taken by idle connections, the real callback still gets through.
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

// Issue 18: 16 slow connections from another user (the port is visible to everyone in
// /proc/net/tcp), or 200 at once, filled the listener and the browser's callback was refused.
TEST_F(LoopbackTest, OtherUsersCannotCrowdOutTheCallback)
{
    ASSERT_EQ(::geteuid(), 0u)
        << "this test floods the listener as the user nobody (setpriv): run it as root, as CI does";
    const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
    ASSERT_FALSE(setpriv.isEmpty()) << "setpriv (util-linux) is needed";
    ASSERT_TRUE(QFile::exists(QStringLiteral("/usr/bin/python3"))) << "python3 is needed for the flood";
    // 16 connections that send one byte a second, then 200 that send nothing, all held open.
    const QString flood
        = QStringLiteral("import socket, sys, time\n"
                         "port = int(sys.argv[1]); slow = []; idle = []\n"
                         "for i in range(16):\n"
                         "    s = socket.create_connection(('127.0.0.1', port)); s.send(b'G'); slow.append(s)\n"
                         "for i in range(200):\n"
                         "    try: idle.append(socket.create_connection(('127.0.0.1', port)))\n"
                         "    except OSError: pass\n"
                         "print('ready', flush=True)\n"
                         "for t in range(30):\n"
                         "    time.sleep(1)\n"
                         "    for s in slow:\n"
                         "        try: s.send(b'E')\n"
                         "        except OSError: pass\n");
    QProcess attacker;
    attacker.start(setpriv,
                   {QStringLiteral("--reuid=65534"), QStringLiteral("--regid=65534"), QStringLiteral("--clear-groups"),
                    QStringLiteral("/usr/bin/python3"), QStringLiteral("-c"), flood, QString::number(handler->port())});
    ASSERT_TRUE(attacker.waitForStarted(5000));
    ASSERT_TRUE(waitFor([&] { return attacker.canReadLine() || attacker.state() == QProcess::NotRunning; }, 20000));
    ASSERT_EQ(attacker.readLine().trimmed(), QByteArray("ready")) << attacker.readAllStandardError().toStdString();
    waitFor([] { return false; }, 300); // let the listener take in what is still queued
    EXPECT_LE(handler->connectionCount(), LoopbackReplyHandler::MaxForeignConnections);
    expectNoFlowSignals();
    expectRealCallbackWorks();
    attacker.kill();
    attacker.waitForFinished(5000);
}

TEST(LoopbackPeerTest, FindsTheOwnerOfThePeerSocket)
{
    // Lines as Linux prints them: 127.0.0.1:40000 -> 127.0.0.1:8080 owned by uid 65534, and the
    // accepted side (127.0.0.1:8080 -> 127.0.0.1:40000) owned by uid 0.
    const QByteArray tcp
        = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
          "   0: 0100007F:1F90 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
          "   1: 0100007F:9C40 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 2 1\n";
    const QHostAddress lo(QHostAddress::LocalHost);
    EXPECT_EQ(mailkey::loopbackPeerUidIn(tcp, lo, 40000, lo, 8080), std::optional<uint>(65534));
    EXPECT_EQ(mailkey::loopbackPeerUidIn(tcp, lo, 8080, lo, 40000), std::optional<uint>(0));
    EXPECT_EQ(mailkey::loopbackPeerUidIn(tcp, lo, 40001, lo, 8080), std::nullopt);
    const QByteArray tcp6
        = "   0: 00000000000000000000000001000000:9C40 00000000000000000000000001000000:1F90 01 00000000:00000000 "
          "00:00000000 00000000  1000        0 3 1\n";
    const QHostAddress lo6(QHostAddress::LocalHostIPv6);
    EXPECT_EQ(mailkey::loopbackPeerUidIn(tcp6, lo6, 40000, lo6, 8080), std::optional<uint>(1000));
    // And for real: this process's own connection to a local server is its own.
    QTcpServer server;
    ASSERT_TRUE(server.listen(lo));
    QTcpSocket client;
    client.connectToHost(lo, server.serverPort());
    ASSERT_TRUE(client.waitForConnected(3000));
    EXPECT_EQ(mailkey::loopbackPeerUid(lo, client.localPort(), lo, server.serverPort()),
              std::optional<uint>(::geteuid()));
}

TEST_F(LoopbackTest, RealCallbackWorksAfterAllAbuse)
{
    handler->setRequestTimeout(300);
    send("\x00\x01\x02garbage");
    send(get(goodTarget(), "X-Big: " + QByteArray(9000, 'a') + "\r\n"));
    send("POST " + goodTarget() + " HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n");
    send("GET /oauth/testEVIL?state=" + enc(m_state) + "&code=x HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n");
    send("GET " + goodTarget() + " HTTP/1.1\r\nHost: evil.example\r\n\r\n");
    send("GET " + kPath.toUtf8() + "?sta");
    send(get(kPath.toUtf8() + "?error=access_denied"));
    send(get(kPath.toUtf8() + "?state=nope&code=x"));
    EXPECT_EQ(rejected->size(), 2);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

// --- state, issuer, deadline ---------------------------------------------------------------------

TEST_F(LoopbackTest, ForgedErrorWithoutStateIsIgnored)
{
    const HttpResult r = send(get(kPath.toUtf8() + "?error=access_denied&error_description=forged"));
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(r.body.contains("This sign-in link is not valid for the current attempt"));
    EXPECT_FALSE(r.body.contains("forged"));
    ASSERT_EQ(rejected->size(), 1);
    EXPECT_EQ(reasonAt(*rejected, 0), Reason::MissingState);
    expectNoFlowSignals(); // still waiting
    // A forged error with a wrong state does not end it either.
    EXPECT_EQ(send(get(kPath.toUtf8() + "?error=access_denied&state=guess")).status, 400);
    EXPECT_EQ(reasonAt(*rejected, 1), Reason::WrongState);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

TEST_F(LoopbackTest, WrongAndMissingState)
{
    EXPECT_EQ(send(get(kPath.toUtf8() + "?code=" + enc(m_code))).status, 400);
    EXPECT_EQ(send(get(kPath.toUtf8())).status, 400);
    EXPECT_EQ(send(get(kPath.toUtf8() + "?code=x&state=")).status, 400);
    EXPECT_EQ(send(get(kPath.toUtf8() + "?code=x&state=" + enc(m_state) + "x")).status, 400);
    EXPECT_EQ(send(get(kPath.toUtf8() + "?code=x&state=" + enc(m_state.left(m_state.size() - 1)))).status, 400);
    // The right state twice with a wrong one: ambiguous, refused.
    EXPECT_EQ(send(get(kPath.toUtf8() + "?code=x&state=" + enc(m_state) + "&state=evil")).status, 400);
    ASSERT_EQ(rejected->size(), 6);
    EXPECT_EQ(reasonAt(*rejected, 0), Reason::MissingState);
    EXPECT_EQ(reasonAt(*rejected, 1), Reason::MissingState);
    EXPECT_EQ(reasonAt(*rejected, 2), Reason::MissingState);
    EXPECT_EQ(reasonAt(*rejected, 3), Reason::WrongState);
    EXPECT_EQ(reasonAt(*rejected, 4), Reason::WrongState);
    EXPECT_EQ(reasonAt(*rejected, 5), Reason::WrongState);
    // Right state but neither code nor error: refused, attempt still open.
    EXPECT_EQ(send(get(kPath.toUtf8() + "?state=" + enc(m_state))).status, 400);
    EXPECT_EQ(reasonAt(*rejected, 6), Reason::MalformedCallback);
    expectNoFlowSignals();
    expectRealCallbackWorks();
}

TEST_F(LoopbackTest, NoExpectedStateRefusesEverything)
{
    handler->setExpectedState(QByteArray());
    EXPECT_EQ(send(get(goodTarget())).status, 400);
    ASSERT_EQ(rejected->size(), 1);
    EXPECT_EQ(reasonAt(*rejected, 0), Reason::WrongState);
    expectNoFlowSignals();
}

TEST_F(LoopbackTest, StateIsUsedOnce)
{
    expectRealCallbackWorks();
    // The listener is closed right after the success: nothing reaches it any more.
    EXPECT_TRUE(connectionRefused(handler->port()));

    // Listening again without a new state: the old state is refused as reused.
    ASSERT_TRUE(handler->listen());
    HttpResult r = send(get(goodTarget()));
    EXPECT_EQ(r.status, 400);
    ASSERT_EQ(rejected->size(), 1);
    EXPECT_EQ(reasonAt(*rejected, 0), Reason::ReusedState);
    EXPECT_TRUE(handler->isListening());

    // A new attempt with a new state: the old one is still refused, the new one works.
    const QByteArray newState = randomToken();
    handler->setExpectedState(newState);
    r = send(get(goodTarget()));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(reasonAt(*rejected, 1), Reason::ReusedState);
    r = send(get(kPath.toUtf8() + "?code=second&state=" + enc(newState)));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(received->size(), 2);
    expectNotLogged({newState});
}

TEST_F(LoopbackTest, IssuerChecks)
{
    const QString issuer = QStringLiteral("https://login.example.com/tenant/v2.0");
    handler->setExpectedIssuer(issuer, false);

    // Different issuer: refused, and the attempt is over (its state went to another server).
    HttpResult r = send(get(goodTarget() + "&iss=" + enc("https://evil.example/")));
    EXPECT_EQ(r.status, 400);
    ASSERT_EQ(rejected->size(), 1);
    EXPECT_EQ(reasonAt(*rejected, 0), Reason::WrongIssuer);
    EXPECT_FALSE(handler->isListening());
    EXPECT_EQ(received->size(), 0);

    // Same issuer: accepted, iss passed on.
    m_state = randomToken();
    handler->setExpectedState(m_state);
    ASSERT_TRUE(handler->listen());
    r = send(get(goodTarget() + "&iss=" + enc(issuer.toUtf8())));
    EXPECT_EQ(r.status, 200);
    ASSERT_EQ(received->size(), 1);
    EXPECT_EQ(received->at(0).at(0).toMap().value(QStringLiteral("iss")).toString(), issuer);

    // Trailing slash differs: exact comparison refuses it.
    m_state = randomToken();
    handler->setExpectedState(m_state);
    ASSERT_TRUE(handler->listen());
    r = send(get(goodTarget() + "&iss=" + enc(issuer.toUtf8() + "/")));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(reasonAt(*rejected, 1), Reason::WrongIssuer);

    // Missing while not required: accepted.
    m_state = randomToken();
    handler->setExpectedState(m_state);
    ASSERT_TRUE(handler->listen());
    r = send(get(goodTarget()));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(received->size(), 2);

    // Missing while required: refused.
    handler->setExpectedIssuer(issuer, true);
    m_state = randomToken();
    handler->setExpectedState(m_state);
    ASSERT_TRUE(handler->listen());
    r = send(get(goodTarget()));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(reasonAt(*rejected, 2), Reason::MissingIssuer);
    EXPECT_FALSE(handler->isListening());
    EXPECT_EQ(received->size(), 2);
}

TEST_F(LoopbackTest, DeadlinePassedShowsExpiredPage)
{
    mailkey::ManualClock clock(QDateTime(QDate(2030, 1, 1), QTime(12, 0), mailkey::utcZone()));
    handler->setDeadline(clock.now().addSecs(600), &clock);
    clock.advance(601);
    // State is checked first: a request without the state does not expire the attempt.
    EXPECT_EQ(send(get(kPath.toUtf8() + "?error=access_denied")).status, 400);
    EXPECT_EQ(reasonAt(*rejected, 0), Reason::MissingState);
    EXPECT_EQ(expiredSpy->size(), 0);
    EXPECT_TRUE(handler->isListening());

    const HttpResult r = send(get(goodTarget()));
    EXPECT_EQ(r.status, 400);
    EXPECT_TRUE(r.body.contains("This sign-in took too long and has expired. Please connect again."));
    EXPECT_EQ(expiredSpy->size(), 1);
    EXPECT_EQ(reasonAt(*rejected, 1), Reason::Expired);
    EXPECT_EQ(received->size(), 0);
    EXPECT_FALSE(handler->isListening());
}

TEST_F(LoopbackTest, BeforeDeadlineSucceeds)
{
    mailkey::ManualClock clock;
    handler->setDeadline(clock.now().addSecs(600), &clock);
    clock.advance(599);
    expectRealCallbackWorks();
    EXPECT_EQ(expiredSpy->size(), 0);
}

// --- success, error page -----------------------------------------------------------------------

TEST_F(LoopbackTest, SuccessPageAndListenerClosedAtOnce)
{
    bool listeningWhenSignalled = true;
    QObject::connect(handler.get(), &LoopbackReplyHandler::callbackReceived, handler.get(),
                     [&] { listeningWhenSignalled = handler->isListening(); });
    const HttpResult r = send(get(goodTarget()));
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.closedByServer);
    EXPECT_TRUE(r.body.contains("You can close this tab and return to MailKey."));
    EXPECT_FALSE(r.body.contains(m_code));
    EXPECT_FALSE(r.body.contains(enc(m_code)));
    EXPECT_TRUE(r.head.contains("Content-Type: text/html; charset=utf-8\r\n"));
    EXPECT_TRUE(r.head.contains("Cache-Control: no-store\r\n"));
    EXPECT_TRUE(r.head.contains("Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"));
    EXPECT_TRUE(r.head.contains("X-Content-Type-Options: nosniff\r\n"));
    EXPECT_TRUE(r.head.contains("Referrer-Policy: no-referrer\r\n"));
    EXPECT_TRUE(r.head.contains("Connection: close\r\n"));
    EXPECT_TRUE(r.head.contains(QByteArray("Content-Length: " + QByteArray::number(r.body.size()) + "\r\n")));

    EXPECT_FALSE(listeningWhenSignalled);
    EXPECT_FALSE(handler->isListening());
    EXPECT_TRUE(connectionRefused(handler->port()));
    ASSERT_EQ(received->size(), 1);
    const QVariantMap values = received->at(0).at(0).toMap();
    EXPECT_EQ(values.value(QStringLiteral("scope")).toString(), QStringLiteral("mail"));
    EXPECT_EQ(errors->size(), 0);
    EXPECT_EQ(rejected->size(), 0);
}

TEST_F(LoopbackTest, QueryIsDecodedOnce)
{
    // %252F must become "%2F" (not "/"), '+' a space, %2B a plus.
    const HttpResult r = send(get(kPath.toUtf8() + "?code=a%252Fb+c%2Bd&state=" + enc(m_state)));
    EXPECT_EQ(r.status, 200);
    ASSERT_EQ(received->size(), 1);
    EXPECT_EQ(received->at(0).at(0).toMap().value(QStringLiteral("code")).toString(), QStringLiteral("a%2Fb c+d"));
}

TEST_F(LoopbackTest, ProviderErrorIsEscapedAndEndsAttempt)
{
    const QByteArray description
        = "AADSTS65001: <script>alert(document.cookie)</script> \"quoted\" & " + QByteArray(1000, 'x');
    const HttpResult r = send(get(kPath.toUtf8() + "?error=consent_required&error_description=" + enc(description)
                                  + "&state=" + enc(m_state)));
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(r.body.contains("<script>"));
    EXPECT_TRUE(r.body.contains("&lt;script&gt;alert(document.cookie)&lt;/script&gt;"));
    EXPECT_TRUE(r.body.contains("&quot;quoted&quot; &amp;"));
    EXPECT_FALSE(r.body.contains(QByteArray(400, 'x'))); // length-limited
    EXPECT_FALSE(r.body.contains("consent_required"));   // the raw error code is not reflected
    ASSERT_EQ(errors->size(), 1);
    EXPECT_EQ(errors->at(0).at(0).toString(), QStringLiteral("consent_required"));
    const QString emitted = errors->at(0).at(1).toString();
    EXPECT_TRUE(emitted.startsWith(QStringLiteral("AADSTS65001: <script>")));
    EXPECT_LE(emitted.size(), LoopbackReplyHandler::MaxErrorDescriptionChars);
    EXPECT_FALSE(handler->isListening());
    EXPECT_EQ(received->size(), 0);
}

TEST_F(LoopbackTest, AccessDeniedWithStateEndsAttempt)
{
    const HttpResult r = send(
        get(kPath.toUtf8() + "?error=access_denied&state=" + enc(m_state) + "&error_description=%3Cimg%20src%3Dx%3E"));
    EXPECT_EQ(r.status, 200);
    EXPECT_TRUE(r.body.contains("Access was not granted"));
    EXPECT_FALSE(r.body.contains("<img"));
    EXPECT_TRUE(r.body.contains("&lt;img src=x&gt;"));
    ASSERT_EQ(errors->size(), 1);
    EXPECT_EQ(errors->at(0).at(0).toString(), QStringLiteral("access_denied"));
    EXPECT_FALSE(handler->isListening());
    // The state is used: a later answer is refused even after listening again.
    ASSERT_TRUE(handler->listen());
    EXPECT_EQ(send(get(goodTarget())).status, 400);
    EXPECT_EQ(reasonAt(*rejected, 0), Reason::ReusedState);
    EXPECT_EQ(received->size(), 0);
}

TEST(CallbackPageTest, RendersEscapedFromResource)
{
    EXPECT_TRUE(CallbackPage::templateAvailable());
    QFile resource(QStringLiteral(":/pages/callback.html"));
    ASSERT_TRUE(resource.open(QIODevice::ReadOnly));
    EXPECT_TRUE(resource.readAll().contains("{{MESSAGE}}"));

    const QByteArray page
        = CallbackPage::render(QStringLiteral("<b>T</b> {{MESSAGE}}"), QStringLiteral("a & <i>b</i>"), true);
    EXPECT_TRUE(page.contains("<h1>&lt;b&gt;T&lt;/b&gt; {{MESSAGE}}</h1>"));
    EXPECT_TRUE(page.contains("a &amp; &lt;i&gt;b&lt;/i&gt;"));
    EXPECT_TRUE(page.contains("class=\"card ok\""));
    EXPECT_FALSE(page.contains("{{TITLE}}"));
    EXPECT_TRUE(CallbackPage::render(QStringLiteral("x"), QStringLiteral("y"), false).contains("class=\"card fail\""));
}

TEST(CallbackPageTest, LimitText)
{
    EXPECT_EQ(CallbackPage::limitText(QStringLiteral("  a\r\n\tb\x01  c "), 100), QStringLiteral("a b c"));
    const QString cut = CallbackPage::limitText(QString(500, QLatin1Char('y')), 300);
    EXPECT_EQ(cut.size(), 300);
    EXPECT_TRUE(cut.endsWith(QChar(0x2026)));
    EXPECT_EQ(CallbackPage::limitText(QString(300, QLatin1Char('y')), 300).size(), 300);
    EXPECT_FALSE(CallbackPage::limitText(QString(300, QLatin1Char('y')), 300).endsWith(QChar(0x2026)));
}

// --- as the reply handler of a QOAuth2AuthorizationCodeFlow --------------------------------------

TEST_F(LoopbackTest, PlugsIntoQOAuth2AuthorizationCodeFlow)
{
    // A token endpoint that records the request and answers with JSON.
    HttpTestServer tokenServer;
    ASSERT_TRUE(tokenServer.listen());
    const QByteArray accessToken = randomToken();
    const QByteArray tokenJson
        = "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}";
    tokenServer.on("POST", QStringLiteral("/token"),
                   HttpTestServer::Reply::json(200, tokenJson, {{"Retry-After", "7"}}));

    QNetworkAccessManager nam;
    QOAuth2AuthorizationCodeFlow flow(&nam);
    flow.setAuthorizationUrl(QUrl(QStringLiteral("https://login.example.com/authorize")));
    flow.setAccessTokenUrl(tokenServer.url(QStringLiteral("/token")));
    flow.setClientIdentifier(QStringLiteral("client-id"));
    flow.setScope(QStringLiteral("mail"));
    flow.setState(QString::fromLatin1(m_state));
    flow.setReplyHandler(handler.get());
    QUrl authUrl;
    QObject::connect(&flow, &QAbstractOAuth::authorizeWithBrowser, &flow, [&](const QUrl &url) { authUrl = url; });
    flow.grant();
    ASSERT_TRUE(authUrl.isValid());
    const QUrlQuery authQuery(authUrl);
    EXPECT_EQ(authQuery.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded), handler->callback());
    EXPECT_TRUE(authQuery.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded).toLatin1() == m_state);

    // A forged error without the state never reaches the flow (Qt's own handler passes it on).
    QSignalSpy flowErrors(&flow, &QAbstractOAuth2::error);
    EXPECT_EQ(send(get(kPath.toUtf8() + "?error=access_denied")).status, 400);
    EXPECT_EQ(flowErrors.size(), 0);
    EXPECT_EQ(flow.status(), QAbstractOAuth::Status::NotAuthenticated);
    EXPECT_TRUE(handler->isListening());

    QSignalSpy replies(handler.get(), &LoopbackReplyHandler::tokenReplyReceived);
    const QByteArray code = QByteArrayLiteral("code-") + randomToken(16);
    const HttpResult r = send(get(kPath.toUtf8() + "?code=" + code + "&state=" + enc(m_state)));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(flow.status(), QAbstractOAuth::Status::TemporaryCredentialsReceived);

    // The flow posts the code to the token endpoint; the raw reply comes back unparsed.
    ASSERT_TRUE(waitFor([&] { return replies.size() == 1; }, 5000));
    ASSERT_EQ(tokenServer.requests().size(), 1);
    const QByteArray tokenRequest = tokenServer.requests().first().body;
    EXPECT_TRUE(tokenRequest.contains(QByteArray("code=" + code)));
    EXPECT_TRUE(tokenRequest.contains(QByteArray("redirect_uri=" + enc(handler->callback().toUtf8()))));
    EXPECT_EQ(replies.at(0).at(0).toInt(), 200);
    EXPECT_EQ(replies.at(0).at(1).toByteArray(), QByteArray("application/json"));
    EXPECT_TRUE(replies.at(0).at(2).toByteArray() == tokenJson);
    EXPECT_EQ(replies.at(0).at(3).toByteArray(), QByteArray("7"));
    EXPECT_EQ(qvariant_cast<QNetworkReply::NetworkError>(replies.at(0).at(4)), QNetworkReply::NoError);
    EXPECT_NE(flow.status(), QAbstractOAuth::Status::Granted); // nothing parsed it

    // The connect flow parses it and hands the tokens back.
    handler->deliverTokens({{QStringLiteral("access_token"), QString::fromLatin1(accessToken)},
                            {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                            {QStringLiteral("expires_in"), 3600}});
    EXPECT_EQ(flow.status(), QAbstractOAuth::Status::Granted);
    EXPECT_TRUE(flow.token().toLatin1() == accessToken);
    expectNotLogged({code, accessToken});
}

} // namespace
