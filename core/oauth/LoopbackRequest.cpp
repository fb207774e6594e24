#include "core/oauth/LoopbackRequest.h"

#include "core/common/Clock.h"
#include "core/common/SecureBytes.h"
#include "core/oauth/CallbackPage.h"

#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QPair>

namespace mailkey {

namespace {

Q_LOGGING_CATEGORY(lcLoopbackRequest, "mailkey.oauth.loopback")

// Longest method token accepted (then 405); anything longer is garbage.
constexpr int kMaxMethodLength = 16;

// RFC 9110 tchar.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

enum class LineCheck {
    Ok,
    Incomplete,
    Bad
};

// Checks a request line, or the beginning of one that has not fully arrived yet, so that
// garbage is refused as soon as it is recognisable.
LineCheck checkRequestLine(QByteArrayView line, bool complete)
{
    const qsizetype sp1 = line.indexOf(' ');
    const QByteArrayView method = sp1 < 0 ? line : line.first(sp1);
    if (method.size() > kMaxMethodLength)
        return LineCheck::Bad;
    for (const char c : method) {
        if (!isTokenChar(c))
            return LineCheck::Bad;
    }
    if (sp1 < 0)
        return complete ? LineCheck::Bad : LineCheck::Incomplete;
    if (sp1 == 0)
        return LineCheck::Bad;

    const QByteArrayView rest = line.sliced(sp1 + 1);
    const qsizetype sp2 = rest.indexOf(' ');
    const QByteArrayView target = sp2 < 0 ? rest : rest.first(sp2);
    if (!target.isEmpty() && target.front() != '/')
        return LineCheck::Bad; // absolute-form, authority-form, '*', garbage
    for (const char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '#')
            return LineCheck::Bad;
    }
    if (sp2 < 0)
        return complete ? LineCheck::Bad : LineCheck::Incomplete; // HTTP/0.9 has no version
    if (target.isEmpty())
        return LineCheck::Bad;

    const QByteArrayView version = rest.sliced(sp2 + 1);
    const QByteArrayView http11("HTTP/1.1");
    const QByteArrayView http10("HTTP/1.0");
    if (complete)
        return (version == http11 || version == http10) ? LineCheck::Ok : LineCheck::Bad;
    if (version.size() > http11.size())
        return LineCheck::Bad;
    if (http11.startsWith(version) || http10.startsWith(version))
        return LineCheck::Incomplete;
    return LineCheck::Bad;
}

// Byte-level check of the request head: CR only before LF, LF only after CR, no control
// characters, no DEL; bytes >= 0x80 only in header values (obs-text), never in the request line.
bool headBytesValid(QByteArrayView head)
{
    bool inRequestLine = true;
    for (qsizetype i = 0; i < head.size(); ++i) {
        const auto c = static_cast<unsigned char>(head[i]);
        if (c == '\n') {
            if (i == 0 || head[i - 1] != '\r')
                return false;
            inRequestLine = false;
        } else if (c == '\r') {
            if (i + 1 < head.size() && head[i + 1] != '\n')
                return false;
        } else if (c == '\t') {
            if (inRequestLine)
                return false;
        } else if (c < 0x20 || c == 0x7f) {
            return false;
        } else if (c >= 0x80 && inRequestLine) {
            return false;
        }
    }
    return true;
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded (WHATWG URL): '+' is a space, "%XY" with two hex digits is
// that byte, and a '%' without two hex digits after it stays a '%'. QByteArray::fromPercentEncoding
// is not used: it turns "%" and any two characters into a byte ("%\xb2F" became '/'), so values
// that differ on the wire could decode to the expected issuer or state.
QByteArray formDecode(const QByteArray &text)
{
    QByteArray out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text.at(i);
        if (c == '+') {
            out += ' ';
        } else if (c == '%' && i + 2 < text.size() && hexDigit(text.at(i + 1)) >= 0 && hexDigit(text.at(i + 2)) >= 0) {
            out += char(hexDigit(text.at(i + 1)) * 16 + hexDigit(text.at(i + 2)));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

QByteArray loopbackStateHash(const QByteArray &state)
{
    return QCryptographicHash::hash(state, QCryptographicHash::Sha256);
}

bool loopbackHostAllowed(const QByteArray &hostHeader, const QString &host, quint16 port)
{
    const QByteArray value = hostHeader.toLower();
    const QByteArray portSuffix = ':' + QByteArray::number(port);
    if (value == host.toLatin1() + portSuffix)
        return true;
    if (host == QLatin1String("localhost")) {
        if (value == QByteArrayLiteral("127.0.0.1") + portSuffix)
            return true;
        if (value == QByteArrayLiteral("[::1]") + portSuffix)
            return true;
    }
    return false;
}

LoopbackRequestHead parseLoopbackRequestHead(QByteArrayView buf, const LoopbackListenerAddress &address)
{
    constexpr int MaxHeaderBytes = LoopbackReplyHandler::MaxHeaderBytes;
    constexpr int MaxHeaderCount = LoopbackReplyHandler::MaxHeaderCount;
    const auto refuse = [](int status) {
        LoopbackRequestHead head;
        head.verdict = LoopbackRequestHead::Verdict::Refuse;
        head.status = status;
        return head;
    };

    const qsizetype headEnd = buf.indexOf(QByteArrayView("\r\n\r\n"));
    const qsizetype scanned = headEnd >= 0 ? headEnd + 4 : buf.size();
    if (!headBytesValid(buf.first(scanned)))
        return refuse(400);

    const qsizetype lineEnd = buf.indexOf(QByteArrayView("\r\n"));
    const bool lineComplete = lineEnd >= 0 && lineEnd <= MaxHeaderBytes;
    QByteArrayView requestLine = buf.first(lineEnd >= 0 ? lineEnd : buf.size());
    // A CR at the end of what has arrived may be the first half of the line's CRLF (a TCP
    // segment can end between the two): it is not part of the line yet.
    if (lineEnd < 0 && requestLine.endsWith('\r'))
        requestLine.chop(1);
    const LineCheck lineCheck = checkRequestLine(requestLine, lineEnd >= 0);
    if (lineCheck == LineCheck::Bad)
        return refuse(400);
    if (headEnd < 0 || headEnd + 4 > MaxHeaderBytes) {
        if (buf.size() > MaxHeaderBytes)
            return refuse(lineComplete ? 431 : 414);
        return {}; // wait for more (bounded by the size limit and the caller's timer)
    }

    // The whole head is here and within limits.
    const QList<QByteArray> lines = buf.first(headEnd).toByteArray().split('\n');
    if (lines.size() - 1 > MaxHeaderCount)
        return refuse(431);
    QByteArray host;
    int hostCount = 0;
    QByteArray contentLength;
    int contentLengthCount = 0;
    bool transferEncoding = false;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty() || line.front() == ' ' || line.front() == '\t')
            return refuse(400); // obs-fold or stray empty line
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return refuse(400);
        const QByteArray name = line.left(colon).toLower();
        for (const char c : name) {
            if (!isTokenChar(c))
                return refuse(400);
        }
        const QByteArray value = line.mid(colon + 1).trimmed();
        if (name == "host") {
            host = value;
            ++hostCount;
        } else if (name == "content-length") {
            contentLength = value;
            ++contentLengthCount;
        } else if (name == "transfer-encoding") {
            transferEncoding = true;
        }
    }

    if (hostCount != 1 || !loopbackHostAllowed(host, address.host, address.port)) {
        qCDebug(lcLoopbackRequest, "missing or foreign Host header: 400");
        return refuse(400);
    }

    const qsizetype sp1 = requestLine.indexOf(' ');
    const QByteArrayView method = requestLine.first(sp1);
    if (method != QByteArrayView("GET"))
        return refuse(405);

    if (transferEncoding || contentLengthCount > 1)
        return refuse(400);
    if (contentLengthCount == 1) {
        bool ok = false;
        const qulonglong length = contentLength.toULongLong(&ok);
        if (!ok || contentLength.isEmpty() || contentLength.front() < '0' || contentLength.front() > '9')
            return refuse(400);
        if (length > 0)
            return refuse(413);
    }
    if (buf.size() > headEnd + 4)
        return refuse(400); // a body without a length, or a pipelined request

    const QByteArrayView rest = requestLine.sliced(sp1 + 1);
    const QByteArrayView target = rest.first(rest.indexOf(' '));
    const qsizetype question = target.indexOf('?');
    const QByteArrayView path = question < 0 ? target : target.first(question);
    if (path != QByteArrayView(address.path.toUtf8()))
        return refuse(404);
    LoopbackRequestHead head;
    head.verdict = LoopbackRequestHead::Verdict::Callback;
    head.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
    return head;
}

LoopbackCallback checkLoopbackCallback(const QByteArray &query, const LoopbackCallbackExpectations &expect)
{
    using RejectReason = LoopbackReplyHandler::RejectReason;
    const auto reject = [](RejectReason reason) {
        LoopbackCallback cb;
        cb.verdict = LoopbackCallback::Verdict::Rejected;
        cb.reason = reason;
        return cb;
    };

    // Decode each name and value exactly once (application/x-www-form-urlencoded).
    QList<QPair<QByteArray, QByteArray>> params;
    for (const QByteArray &piece : query.split('&')) {
        if (piece.isEmpty())
            continue;
        const qsizetype eq = piece.indexOf('=');
        params.append(
            {formDecode(eq < 0 ? piece : piece.left(eq)), eq < 0 ? QByteArray() : formDecode(piece.mid(eq + 1))});
    }
    const auto count = [&params](const char *key) {
        int n = 0;
        for (const auto &p : std::as_const(params))
            n += p.first == key ? 1 : 0;
        return n;
    };
    const auto value = [&params](const char *key) {
        for (const auto &p : std::as_const(params)) {
            if (p.first == key)
                return p.second;
        }
        return QByteArray();
    };

    // 1. state, before anything else. None of these end the attempt.
    const int stateCount = count("state");
    QByteArray state = value("state");
    if (stateCount == 0 || state.isEmpty())
        return reject(RejectReason::MissingState);
    if (stateCount > 1)
        return reject(RejectReason::WrongState);
    const QByteArray hash = loopbackStateHash(state);
    bool used = false;
    for (const QByteArray &h : expect.usedStateHashes)
        used = constantTimeEquals(h, hash) || used; // no early exit
    if (used)
        return reject(RejectReason::ReusedState);
    const bool stateMatches = !expect.expectedState.isEmpty() && constantTimeEquals(state, expect.expectedState);
    secureWipe(state);
    if (!stateMatches)
        return reject(RejectReason::WrongState);

    // 2. deadline.
    const Clock *clock = expect.clock ? expect.clock : Clock::system();
    if (expect.deadline.isValid() && clock->now() > expect.deadline)
        return reject(RejectReason::Expired);

    // 3. RFC 9207 issuer.
    const int issCount = count("iss");
    if (issCount > 1)
        return reject(RejectReason::WrongIssuer);
    if (issCount == 1) {
        if (!expect.issuer.isEmpty() && QString::fromUtf8(value("iss")) != expect.issuer)
            return reject(RejectReason::WrongIssuer);
    } else if (expect.issRequired) {
        return reject(RejectReason::MissingIssuer);
    }

    // 4. the provider's error.
    const int errorCount = count("error");
    const int codeCount = count("code");
    if (errorCount > 1 || (errorCount == 0 && (codeCount != 1 || value("code").isEmpty())))
        return reject(RejectReason::MalformedCallback);
    LoopbackCallback cb;
    if (errorCount == 1) {
        cb.verdict = LoopbackCallback::Verdict::Error;
        cb.error = CallbackPage::limitText(QString::fromUtf8(value("error")), 100);
        cb.description = CallbackPage::limitText(QString::fromUtf8(value("error_description")),
                                                 LoopbackReplyHandler::MaxErrorDescriptionChars);
        return cb;
    }

    // 5. success.
    cb.verdict = LoopbackCallback::Verdict::Code;
    for (const auto &p : std::as_const(params)) {
        const QString key = QString::fromUtf8(p.first);
        if (!cb.values.contains(key))
            cb.values.insert(key, QString::fromUtf8(p.second));
    }
    return cb;
}

} // namespace mailkey
