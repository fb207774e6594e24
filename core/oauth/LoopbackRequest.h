#pragma once

#include "core/oauth/LoopbackReplyHandler.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QVariantMap>

namespace mailkey {

class Clock;

// The socket-free half of LoopbackReplyHandler: reading one request head and judging the
// callback query. Pure functions (no I/O, no signals), so that tests and the fuzz targets can
// call them directly; the rules they implement are the ones documented in LoopbackReplyHandler.h.

// Where the listener is: the Host header and the path a request must name.
struct LoopbackListenerAddress {
    QString host; // "127.0.0.1" or "localhost"
    quint16 port = 0;
    QString path; // the exact redirect path
};

struct LoopbackRequestHead {
    enum class Verdict {
        NeedMore, // valid so far, not complete: wait for more bytes (bounded by the caller)
        Refuse,   // answer with status and close
        Callback, // a GET of the exact path: query is the raw (still encoded) query string
    };
    Verdict verdict = Verdict::NeedMore;
    int status = 0;   // Refuse: 400, 404, 405, 413, 414 or 431
    QByteArray query; // Callback: the part after '?', empty when there was none
};

// Judges the bytes received so far on one connection (at most MaxHeaderBytes + 1 of them).
LoopbackRequestHead parseLoopbackRequestHead(QByteArrayView buffer, const LoopbackListenerAddress &address);

// The Host header check ("<host>:<port>", case-insensitive; for "localhost" also the literals).
bool loopbackHostAllowed(const QByteArray &hostHeader, const QString &host, quint16 port);

// What the callback query must match.
struct LoopbackCallbackExpectations {
    QByteArray expectedState;          // empty: no attempt is waiting, every state is wrong
    QList<QByteArray> usedStateHashes; // loopbackStateHash() of states already used
    QString issuer;                    // RFC 9207; empty disables the check of a present iss
    bool issRequired = false;
    QDateTime deadline;           // invalid: none
    const Clock *clock = nullptr; // null: the system clock
};

struct LoopbackCallback {
    enum class Verdict {
        Rejected,
        Error,
        Code
    };
    Verdict verdict = Verdict::Rejected;
    LoopbackReplyHandler::RejectReason reason = LoopbackReplyHandler::RejectReason::MalformedCallback;
    QString error;       // Error: the provider's error (at most 100 characters)
    QString description; // Error: error_description (at most MaxErrorDescriptionChars)
    QVariantMap values;  // Code: every parameter, decoded once, the first of each name
};

// Steps 1-6 of LoopbackReplyHandler.h on a query string, in that order.
LoopbackCallback checkLoopbackCallback(const QByteArray &query, const LoopbackCallbackExpectations &expect);

QByteArray loopbackStateHash(const QByteArray &state); // SHA-256

} // namespace mailkey
