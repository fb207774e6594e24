// The loopback callback validator (checkLoopbackCallback, core/oauth/LoopbackRequest.h), fed the
// query string of a GET of the redirect path: the part an attacker on the machine or a web page
// can choose freely.
//
// Invariants checked, under several expectations:
//  - nothing accepted (code or error) lacks exactly one state parameter equal to the expected one
//    (decoded here independently);
//  - with no expected state, a used state, or a passed deadline, nothing is accepted;
//  - with iss required, nothing is accepted without the exact issuer;
//  - an accepted code is non-empty; error texts stay within their limits.
#include "FuzzSupport.h"

#include "core/common/Clock.h"
#include "core/oauth/LoopbackRequest.h"

#include <QList>

#include <cctype>

using namespace mailkey;

namespace {

const QByteArray kState = QByteArrayLiteral("q8Zt-3vJ_Wm9bXc2LrA7yP0kN5sE1dHf");
const QString kIssuer = QStringLiteral("https://accounts.example.com");

// application/x-www-form-urlencoded as WHATWG specifies it, written differently from the code
// under test (ctype + fromHex) so the check does not just repeat it.
QByteArray decode(const QByteArray &in)
{
    QByteArray out;
    qsizetype i = 0;
    while (i < in.size()) {
        const char c = in.at(i);
        const bool escape = c == '%' && in.size() - i >= 3 && std::isxdigit(static_cast<unsigned char>(in.at(i + 1)))
                            && std::isxdigit(static_cast<unsigned char>(in.at(i + 2)));
        out += escape ? QByteArray::fromHex(in.mid(i + 1, 2)) : QByteArray(1, c == '+' ? ' ' : c);
        i += escape ? 3 : 1;
    }
    return out;
}

QList<QByteArray> valuesOf(const QByteArray &query, const QByteArray &name)
{
    QList<QByteArray> out;
    for (const QByteArray &piece : query.split('&')) {
        if (piece.isEmpty())
            continue;
        const qsizetype eq = piece.indexOf('=');
        if (decode(eq < 0 ? piece : piece.left(eq)) == name)
            out.append(eq < 0 ? QByteArray() : decode(piece.mid(eq + 1)));
    }
    return out;
}

class FixedClock : public Clock {
public:
    QDateTime now() const override { return QDateTime(QDate(2026, 12, 2), QTime(6, 0), utcZone()); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return -1;
    const QByteArray query = fuzz::bytes(data, size);
    static const FixedClock clock;
    using V = LoopbackCallback::Verdict;

    LoopbackCallbackExpectations normal;
    normal.expectedState = kState;
    normal.clock = &clock;
    normal.deadline = clock.now().addSecs(60);

    // 1. The usual attempt.
    const LoopbackCallback cb = checkLoopbackCallback(query, normal);
    if (cb.verdict != V::Rejected) {
        const QList<QByteArray> states = valuesOf(query, "state");
        fuzz::check(states.size() == 1 && states.first() == kState, "accepted without exactly the expected state");
    }
    if (cb.verdict == V::Code) {
        fuzz::check(cb.values.value(QStringLiteral("state")).toString().toUtf8() == kState, "code with another state");
        fuzz::check(!cb.values.value(QStringLiteral("code")).toString().isEmpty(), "empty code accepted");
        fuzz::check(valuesOf(query, "code").size() == 1, "code repeated");
        fuzz::check(valuesOf(query, "error").isEmpty(), "code and error both accepted");
    }
    if (cb.verdict == V::Error) {
        fuzz::check(cb.error.size() <= 100, "error text over its limit");
        fuzz::check(cb.description.size() <= LoopbackReplyHandler::MaxErrorDescriptionChars,
                    "error_description over its limit");
    }

    // 2. No attempt waiting / state already used / deadline passed: nothing is accepted.
    LoopbackCallbackExpectations none = normal;
    none.expectedState.clear();
    fuzz::check(checkLoopbackCallback(query, none).verdict == V::Rejected, "accepted with no expected state");
    LoopbackCallbackExpectations used = normal;
    used.usedStateHashes.append(loopbackStateHash(kState));
    used.expectedState = QByteArrayLiteral("another-state-for-a-new-attempt-0");
    fuzz::check(checkLoopbackCallback(query, used).verdict == V::Rejected, "accepted a used state");
    LoopbackCallbackExpectations late = normal;
    late.deadline = clock.now().addSecs(-1);
    fuzz::check(checkLoopbackCallback(query, late).verdict == V::Rejected, "accepted after the deadline");

    // 3. RFC 9207.
    LoopbackCallbackExpectations iss = normal;
    iss.issuer = kIssuer;
    iss.issRequired = true;
    if (checkLoopbackCallback(query, iss).verdict != V::Rejected) {
        const QList<QByteArray> issuers = valuesOf(query, "iss");
        fuzz::check(issuers.size() == 1 && QString::fromUtf8(issuers.first()) == kIssuer,
                    "accepted without the exact issuer");
    }
    return 0;
}
