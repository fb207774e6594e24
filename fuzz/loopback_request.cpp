// The loopback listener's request-head parser (core/oauth/LoopbackRequest.h), fed the raw bytes
// a local program or browser sends to the redirect port.
//
// Invariants checked:
//  - a head judged a callback is exactly "GET <path>[?query] HTTP/1.x\r\n...\r\n\r\n", within
//    MaxHeaderBytes, with a query of visible ASCII only;
//  - refusals use only the documented statuses; "need more" only below the size limit;
//  - a request arriving in pieces (every prefix of an accepted head) is never refused early.
#include "FuzzSupport.h"

#include "core/oauth/LoopbackRequest.h"

using namespace mailkey;

namespace {

const LoopbackListenerAddress &address(int which)
{
    static const LoopbackListenerAddress v4{QStringLiteral("127.0.0.1"), 53117, QStringLiteral("/oauth/google")};
    static const LoopbackListenerAddress any{QStringLiteral("localhost"), 8400, QStringLiteral("/oauth/microsoft")};
    return which == 0 ? v4 : any;
}

void checkOne(const QByteArray &buf, const LoopbackListenerAddress &addr)
{
    using V = LoopbackRequestHead::Verdict;
    const LoopbackRequestHead head = parseLoopbackRequestHead(buf, addr);
    switch (head.verdict) {
    case V::NeedMore:
        fuzz::check(buf.size() <= LoopbackReplyHandler::MaxHeaderBytes, "need more beyond the size limit");
        break;
    case V::Refuse:
        fuzz::check(head.status == 400 || head.status == 404 || head.status == 405 || head.status == 413
                        || head.status == 414 || head.status == 431,
                    "undocumented refusal status");
        break;
    case V::Callback: {
        fuzz::check(buf.size() <= LoopbackReplyHandler::MaxHeaderBytes, "accepted head over the limit");
        fuzz::check(buf.endsWith("\r\n\r\n"), "accepted head does not end the request");
        fuzz::check(buf.indexOf("\r\n\r\n") == buf.size() - 4, "bytes after the accepted head");
        const QByteArray start = "GET " + addr.path.toUtf8();
        fuzz::check(buf.startsWith(start), "accepted something other than GET of the path");
        const char next = buf.at(start.size());
        fuzz::check(next == ' ' || next == '?', "accepted a longer path (prefix match)");
        const QByteArray line = buf.left(buf.indexOf("\r\n"));
        fuzz::check(line.endsWith(" HTTP/1.1") || line.endsWith(" HTTP/1.0"), "accepted a bad version");
        for (const char c : head.query) {
            const auto u = static_cast<unsigned char>(c);
            fuzz::check(u > 0x20 && u < 0x7f && c != '#', "query with a control, space or '#'");
        }
        fuzz::check(line.contains(head.query), "query not from the request line");
        // Pieces: every proper prefix must wait, not be refused.
        const qsizetype step = qMax<qsizetype>(1, buf.size() / 24);
        for (qsizetype n = 0; n < buf.size(); n += step) {
            const LoopbackRequestHead partial = parseLoopbackRequestHead(QByteArrayView(buf).first(n), addr);
            fuzz::check(partial.verdict == V::NeedMore, "a prefix of an accepted request was not 'need more'");
        }
        break;
    }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // The handler never passes more than MaxHeaderBytes + 1 bytes.
    if (size > size_t(LoopbackReplyHandler::MaxHeaderBytes) + 1)
        return -1;
    const QByteArray buf = fuzz::bytes(data, size);
    checkOne(buf, address(0));
    checkOne(buf, address(1));
    return 0;
}
