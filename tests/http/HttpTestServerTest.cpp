// Self-tests of the shared HTTP test server: routes per method and path, computed replies, the
// 404 fallback, recorded requests, requests split across reads, delay, close and hang.
#include "tests/support/HttpTestServer.h"
#include "tests/support/TestUtil.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTcpSocket>

#include <gtest/gtest.h>

using mailkey::test::HttpRequest;
using mailkey::test::HttpTestServer;
using mailkey::test::waitFor;
using Reply = HttpTestServer::Reply;

namespace {

struct Answer {
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QByteArray contentType;
};

// Everything the server wrote until it closed the connection (or the timeout passed).
QByteArray rawExchange(quint16 port, const QList<QByteArray> &parts, int timeoutMs = 5000)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    if (!waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 3000))
        return {};
    for (const QByteArray &part : parts) {
        socket.write(part);
        socket.flush();
        waitFor([] { return false; }, 50); // a separate read on the server side
    }
    QByteArray got;
    waitFor(
        [&] {
            got += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    return got + socket.readAll();
}

class HttpTestServerTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        ASSERT_TRUE(server.listen());
    }

    Answer request(const QByteArray &method, const QString &path, const QByteArray &body = {})
    {
        QNetworkRequest r(server.url(path));
        r.setRawHeader("X-Test", "yes");
        if (!body.isEmpty())
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
        QNetworkReply *reply = m_nam.sendCustomRequest(r, method, body);
        Answer a;
        EXPECT_TRUE(waitFor([&] { return reply->isFinished(); }));
        a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        a.error = reply->error();
        a.body = reply->readAll();
        a.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        reply->deleteLater();
        return a;
    }

    HttpTestServer server;
    QNetworkAccessManager m_nam;
};

} // namespace

TEST_F(HttpTestServerTest, ListensOnLoopbackOnly)
{
    EXPECT_NE(server.port(), 0);
    EXPECT_EQ(server.baseUrl(), QStringLiteral("http://127.0.0.1:%1").arg(server.port()));
    EXPECT_EQ(server.url(QStringLiteral("/a?b=c")).toString(), server.baseUrl() + QStringLiteral("/a?b=c"));
}

TEST_F(HttpTestServerTest, AnswersPerMethodAndPathAndRecordsTheRequests)
{
    server.on("GET", QStringLiteral("/doc"), Reply::json(200, R"({"a":1})"));
    server.on("POST", QStringLiteral("/doc"), Reply::text(201, "made"));

    const Answer get = request("GET", QStringLiteral("/doc?x=1"));
    EXPECT_EQ(get.status, 200);
    EXPECT_EQ(get.body, QByteArray(R"({"a":1})"));
    EXPECT_EQ(get.contentType, QByteArray("application/json"));
    const Answer post = request("POST", QStringLiteral("/doc"), "k=v&w=%2B");
    EXPECT_EQ(post.status, 201);
    EXPECT_EQ(post.body, QByteArray("made"));
    // Not registered: the fallback, 404 unless set.
    EXPECT_EQ(request("PUT", QStringLiteral("/doc")).status, 404);
    EXPECT_EQ(request("GET", QStringLiteral("/other")).status, 404);
    server.setFallback(Reply::text(418, "teapot"));
    EXPECT_EQ(request("GET", QStringLiteral("/other")).status, 418);

    const QList<HttpRequest> seen = server.requests();
    ASSERT_EQ(seen.size(), 5);
    EXPECT_EQ(seen.at(0).method, QByteArray("GET"));
    EXPECT_EQ(seen.at(0).target, QByteArray("/doc?x=1"));
    EXPECT_EQ(seen.at(0).path, QStringLiteral("/doc"));
    EXPECT_EQ(seen.at(0).query, QByteArray("x=1"));
    EXPECT_EQ(seen.at(0).header("X-Test"), QByteArray("yes"));
    EXPECT_EQ(seen.at(0).header("host"), QByteArray("127.0.0.1:") + QByteArray::number(server.port()));
    EXPECT_EQ(seen.at(1).method, QByteArray("POST"));
    EXPECT_EQ(seen.at(1).body, QByteArray("k=v&w=%2B"));
    EXPECT_EQ(seen.at(1).header("content-type"), QByteArray("application/x-www-form-urlencoded"));
    EXPECT_EQ(server.requestedTargets(), (QList<QByteArray>{"/doc?x=1", "/doc", "/doc", "/other", "/other"}));
    EXPECT_GT(server.bytesReceived(), 0);
    server.clearRequests();
    EXPECT_TRUE(server.requests().isEmpty());
    EXPECT_EQ(server.bytesReceived(), 0);
}

TEST_F(HttpTestServerTest, ComputesRepliesFromTheRequest)
{
    server.on("POST", QStringLiteral("/echo"),
              [](const HttpRequest &r) { return Reply::text(200, r.method + ' ' + r.body); });
    const Answer a = request("POST", QStringLiteral("/echo"), "hello");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, QByteArray("POST hello"));
    // A later registration replaces the earlier one.
    server.on("POST", QStringLiteral("/echo"), Reply::text(202, "replaced"));
    EXPECT_EQ(request("POST", QStringLiteral("/echo"), "x").status, 202);
}

TEST_F(HttpTestServerTest, ParsesARequestSplitAcrossReads)
{
    server.on("POST", QStringLiteral("/split"), Reply::text(200, "whole"));
    const QByteArray host = "Host: 127.0.0.1\r\n";
    const QByteArray answer = rawExchange(
        server.port(), {"POST /spl", "it HTTP/1.1\r\n" + host + "Content-Len", "gth: 10\r\n\r\n01234", "56789"});
    EXPECT_TRUE(answer.startsWith("HTTP/1.1 200 OK\r\n")) << answer.left(40).constData();
    EXPECT_TRUE(answer.endsWith("\r\n\r\nwhole"));
    EXPECT_TRUE(answer.contains("Connection: close\r\n"));
    ASSERT_EQ(server.requests().size(), 1);
    EXPECT_EQ(server.requests().first().body, QByteArray("0123456789"));
    // The same strict parser as the fake authorization server.
    EXPECT_TRUE(rawExchange(server.port(), {"GET /split HTTP/1.1\r\n\r\n"}).startsWith("HTTP/1.1 400"));
    EXPECT_EQ(server.requests().size(), 1);
}

TEST_F(HttpTestServerTest, KeepsTheConnectionWhenAsked)
{
    Reply keep = Reply::text(200, "one");
    keep.keepAlive = true;
    server.on("GET", QStringLiteral("/keep"), keep);
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), server.port());
    ASSERT_TRUE(waitFor([&] { return socket.state() == QAbstractSocket::ConnectedState; }, 3000));
    socket.write("GET /keep HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /keep HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray got;
    EXPECT_TRUE(waitFor([&] {
        got += socket.readAll();
        return got.count("HTTP/1.1 200 OK") == 2;
    }));
    EXPECT_TRUE(got.contains("Connection: keep-alive\r\n"));
    EXPECT_EQ(socket.state(), QAbstractSocket::ConnectedState);
    EXPECT_EQ(server.requests().size(), 2);
}

TEST_F(HttpTestServerTest, DelaysClosesAndHangs)
{
    Reply slow = Reply::text(200, "late");
    slow.delayMs = 300;
    server.on("GET", QStringLiteral("/slow"), slow);
    server.on("GET", QStringLiteral("/close"), Reply::close());
    server.on("GET", QStringLiteral("/hang"), Reply::hang());

    QElapsedTimer timer;
    timer.start();
    const Answer late = request("GET", QStringLiteral("/slow"));
    EXPECT_GE(timer.elapsed(), 250);
    EXPECT_EQ(late.status, 200);
    EXPECT_EQ(late.body, QByteArray("late"));

    // No answer at all: the connection closes (raw, so no client re-sends the request).
    const QByteArray host = "Host: 127.0.0.1\r\n";
    EXPECT_TRUE(rawExchange(server.port(), {"GET /close HTTP/1.1\r\n" + host + "\r\n"}).isEmpty());
    // Never an answer, and the connection stays open.
    timer.restart();
    EXPECT_TRUE(rawExchange(server.port(), {"GET /hang HTTP/1.1\r\n" + host + "\r\n"}, 500).isEmpty());
    EXPECT_GE(timer.elapsed(), 450);
    EXPECT_EQ(server.requestedTargets(), (QList<QByteArray>{"/slow", "/close", "/hang"}));
}
