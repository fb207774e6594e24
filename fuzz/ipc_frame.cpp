// The window's local-socket message decoder (ipc::FrameReader, core/ipc/IpcProtocol.h) and the
// reply helpers mailkey-cli applies to what comes back (errorFromReply, errorCodeFromName).
// Input: byte 0 = chunk size (1..256) the stream is delivered in, the rest = the byte stream.
//
// Invariants checked: the frames read do not depend on how the stream was split into reads; a
// frame re-encodes to an equal message; after TooLarge the reader reports it again (it never
// skips an unread frame; the server closes the connection on TooLarge and Malformed);
// errorFromReply always gives a message; error code names round-trip.
#include "FuzzSupport.h"

#include "core/ipc/IpcProtocol.h"

#include <QJsonObject>
#include <QList>

using namespace mailkey;

namespace {

struct Outcome {
    QList<QJsonObject> frames;
    ipc::FrameReader::State last = ipc::FrameReader::State::NeedMore;
};

Outcome readAll(const QByteArray &stream, qsizetype chunk, int maxBytes)
{
    Outcome out;
    ipc::FrameReader reader(maxBytes);
    for (qsizetype pos = 0; pos < stream.size(); pos += chunk) {
        reader.append(stream.mid(pos, chunk));
        for (;;) {
            QJsonObject message;
            const auto state = reader.next(&message);
            if (state == ipc::FrameReader::State::Frame) {
                out.frames.append(message);
                continue;
            }
            if (state == ipc::FrameReader::State::TooLarge) {
                QJsonObject again;
                fuzz::check(reader.next(&again) == state, "reader went on after an oversized length");
            }
            if (state != ipc::FrameReader::State::NeedMore) {
                out.last = state;
                return out; // the server closes the connection here
            }
            break;
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024)
        return -1;
    const qsizetype chunk = qsizetype(data[0]) + 1;
    const QByteArray stream = fuzz::bytes(data + 1, size - 1);

    for (const int max : {ipc::MaxRequestBytes, ipc::MaxReplyBytes}) {
        const Outcome whole = readAll(stream, stream.size() + 1, max);
        const Outcome pieces = readAll(stream, chunk, max);
        fuzz::check(whole.frames == pieces.frames && whole.last == pieces.last,
                    "frames depend on how the stream was split");
        for (const QJsonObject &m : whole.frames) {
            const QByteArray again = ipc::encodeFrame(m);
            ipc::FrameReader reader(ipc::MaxReplyBytes * 4);
            reader.append(again);
            QJsonObject round;
            fuzz::check(reader.next(&round) == ipc::FrameReader::State::Frame && round == m,
                        "a decoded message does not re-encode to itself");
            const Error e = ipc::errorFromReply(m);
            fuzz::check(!e.message.isEmpty(), "errorFromReply without a message");
            const QString code = m.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
            if (const std::optional<ErrorCode> c = ipc::errorCodeFromName(code))
                fuzz::check(ipc::errorCodeName(*c) == code, "error code name does not round-trip");
        }
    }
    return 0;
}
