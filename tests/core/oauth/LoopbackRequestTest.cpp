// The socket-free loopback request parser and callback validator (core/oauth/LoopbackRequest.h),
// and the inputs the fuzz targets fuzz_loopback_request / fuzz_callback_query found (if any),
// kept as regression tests.
#include "core/oauth/LoopbackRequest.h"
#include "core/common/Clock.h"

#include <gtest/gtest.h>

using namespace mailkey;

namespace {

using Head = LoopbackRequestHead::Verdict;
using Cb = LoopbackCallback::Verdict;
using Reason = LoopbackReplyHandler::RejectReason;

const LoopbackListenerAddress kGoogle{QStringLiteral("127.0.0.1"), 53117, QStringLiteral("/oauth/google")};
const LoopbackListenerAddress kMicrosoft{QStringLiteral("localhost"), 8400, QStringLiteral("/oauth/microsoft")};

LoopbackCallbackExpectations expecting(const QByteArray &state)
{
    LoopbackCallbackExpectations e;
    e.expectedState = state;
    return e;
}

} // namespace

TEST(LoopbackRequest, BrowserRequestIsACallbackWithItsQuery)
{
    const QByteArray req = "GET /oauth/google?state=s1&code=c1 HTTP/1.1\r\nHost: 127.0.0.1:53117\r\n"
                           "User-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n";
    const LoopbackRequestHead head = parseLoopbackRequestHead(req, kGoogle);
    EXPECT_EQ(head.verdict, Head::Callback);
    EXPECT_EQ(head.query, QByteArray("state=s1&code=c1"));
    // Every prefix waits for more.
    for (qsizetype n = 0; n < req.size(); ++n)
        EXPECT_EQ(parseLoopbackRequestHead(QByteArrayView(req).first(n), kGoogle).verdict, Head::NeedMore) << n;
}

TEST(LoopbackRequest, RefusalsKeepTheirStatus)
{
    const auto status = [](const QByteArray &req, const LoopbackListenerAddress &a = kGoogle) {
        const LoopbackRequestHead h = parseLoopbackRequestHead(req, a);
        return h.verdict == Head::Refuse ? h.status : 0;
    };
    EXPECT_EQ(status("GET /oauth/googleX HTTP/1.1\r\nHost: 127.0.0.1:53117\r\n\r\n"), 404);
    EXPECT_EQ(status("POST /oauth/google HTTP/1.1\r\nHost: 127.0.0.1:53117\r\n\r\n"), 405);
    EXPECT_EQ(status("GET /oauth/google HTTP/1.1\r\nHost: evil.example:53117\r\n\r\n"), 400);
    EXPECT_EQ(status("GET /oauth/google HTTP/1.1\r\nHost: 127.0.0.1:53117\r\nContent-Length: 3\r\n\r\n"), 413);
    EXPECT_EQ(status("GET /oauth/google HTTP/1.1\nHost: 127.0.0.1:53117\n\n"), 400);
    EXPECT_EQ(status("GET /" + QByteArray(9000, 'a')), 414);
    EXPECT_EQ(status("GET /oauth/microsoft HTTP/1.1\r\nHost: [::1]:8400\r\n\r\n", kMicrosoft), 0);
}

TEST(LoopbackRequest, CallbackChecksStateFirst)
{
    const QByteArray state = "q8Zt-3vJ_Wm9bXc2LrA7yP0kN5sE1dHf";
    EXPECT_EQ(checkLoopbackCallback("error=access_denied", expecting(state)).reason, Reason::MissingState);
    EXPECT_EQ(checkLoopbackCallback("error=access_denied&state=x", expecting(state)).reason, Reason::WrongState);
    EXPECT_EQ(checkLoopbackCallback("state=" + state + "&state=" + state + "&code=c", expecting(state)).reason,
              Reason::WrongState);
    const LoopbackCallback ok = checkLoopbackCallback("code=a%2Bb+c&state=" + state, expecting(state));
    ASSERT_EQ(ok.verdict, Cb::Code);
    EXPECT_EQ(ok.values.value(QStringLiteral("code")).toString(), QStringLiteral("a+b c"));
    const LoopbackCallback err = checkLoopbackCallback("error=access_denied&state=" + state, expecting(state));
    EXPECT_EQ(err.verdict, Cb::Error);
    EXPECT_EQ(err.error, QStringLiteral("access_denied"));

    LoopbackCallbackExpectations used = expecting("new-state");
    used.usedStateHashes.append(loopbackStateHash(state));
    EXPECT_EQ(checkLoopbackCallback("code=c&state=" + state, used).reason, Reason::ReusedState);

    ManualClock clock(QDateTime(QDate(2026, 12, 2), QTime(6, 0), utcZone()));
    LoopbackCallbackExpectations late = expecting(state);
    late.clock = &clock;
    late.deadline = clock.now().addSecs(-1);
    EXPECT_EQ(checkLoopbackCallback("code=c&state=" + state, late).reason, Reason::Expired);

    LoopbackCallbackExpectations iss = expecting(state);
    iss.issuer = QStringLiteral("https://accounts.google.com");
    iss.issRequired = true;
    EXPECT_EQ(checkLoopbackCallback("code=c&state=" + state, iss).reason, Reason::MissingIssuer);
    EXPECT_EQ(checkLoopbackCallback("code=c&iss=https%3A%2F%2Fevil&state=" + state, iss).reason, Reason::WrongIssuer);
    EXPECT_EQ(checkLoopbackCallback("code=c&iss=https%3A%2F%2Faccounts.google.com&state=" + state, iss).verdict,
              Cb::Code);
}

// Found by fuzz_loopback_request: a request whose first TCP segment ended between the CR and the
// LF of the request line ("... HTTP/1.1\r") was refused with 400, as if "HTTP/1.1\r" were a bad
// version, although the rest of a valid request was still on its way.
TEST(LoopbackRequest, SegmentEndingBetweenCrAndLfIsNotRefused)
{
    const QByteArray first = "GET /oauth/microsoft?code=M.C507_BAY.2.U.1a2b&state=q8Zt HTTP/1.1\r";
    EXPECT_EQ(parseLoopbackRequestHead(first, kMicrosoft).verdict, Head::NeedMore);
    const QByteArray whole = first + "\nHost: localhost:8400\r\nAccept: */*\r\n\r\n";
    EXPECT_EQ(parseLoopbackRequestHead(whole, kMicrosoft).verdict, Head::Callback);
    // A CR that is not followed by LF is still refused once the next byte shows it.
    EXPECT_EQ(parseLoopbackRequestHead(QByteArray(first + "X"), kMicrosoft).status, 400);
    // So is a version that cannot become HTTP/1.x.
    EXPECT_EQ(parseLoopbackRequestHead(QByteArray("GET /oauth/microsoft HTTP/2\r"), kMicrosoft).status, 400);
}

// Found by fuzz_callback_query: values were decoded with QByteArray::fromPercentEncoding, which
// turns '%' and ANY two characters into a byte, so "iss=https%3A%2F%\xb2Faccounts..." decoded to
// the expected issuer ("%\xb2F" became '/') and "%zz" into garbage. A '%' without two hex digits
// now stays a '%' (WHATWG application/x-www-form-urlencoded).
TEST(LoopbackRequest, PercentWithoutTwoHexDigitsStaysAPercent)
{
    const QByteArray state = "q8Zt-3vJ_Wm9bXc2LrA7yP0kN5sE1dHf";
    LoopbackCallbackExpectations iss = expecting(state);
    iss.issuer = QStringLiteral("https://accounts.example.com");
    iss.issRequired = true;
    EXPECT_EQ(checkLoopbackCallback("error=invalid_scope&state=" + state
                                        + "&iss=https%3A%2F%\xb2"
                                          "Faccounts.example.com",
                                    iss)
                  .reason,
              Reason::WrongIssuer);
    const LoopbackCallback cb = checkLoopbackCallback("code=a%zzb%4&state=" + state + "&x=%41%2", expecting(state));
    ASSERT_EQ(cb.verdict, Cb::Code);
    EXPECT_EQ(cb.values.value(QStringLiteral("code")).toString(), QStringLiteral("a%zzb%4"));
    EXPECT_EQ(cb.values.value(QStringLiteral("x")).toString(), QStringLiteral("A%2"));
}
