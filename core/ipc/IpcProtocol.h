#pragma once

#include "core/common/Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace mailkey::ipc {

// The local-socket protocol between the MailKey window (IpcServer) and mailkey-cli (IpcClient).
//
// Transport: QLocalServer/QLocalSocket named Profile::ipcSocketName(), reachable by the same user
// only (QLocalServer::UserAccessOption; on Linux and the BSDs/macOS both ends also check the
// peer's user id with SO_PEERCRED / getpeereid and hang up on anyone else).
//
// Framing: every message is a 4-byte big-endian unsigned length followed by that many bytes of
// one compact UTF-8 JSON object. A request may be at most MaxRequestBytes, a reply at most
// MaxReplyBytes; a peer that announces more is disconnected without an answer.
//
// Messages: every request carries "v" (the protocol version, 1) and "op"; every reply carries
// "v" and "ok". A failed request is answered {"v":1,"ok":false,"error":{"code":C,"message":M}}
// where C is an ErrorCode name (errorCodeName()) or one of the protocol codes below, and M is
// the same user-facing message the CLI would print on its own. Unknown fields are ignored, so a
// newer client can talk to an older server. The operations, their fields and the rules for
// reading them: IpcMessages.h.
//
// Nothing in this protocol is ever logged except the op name and the error code.
inline constexpr int ProtocolVersion = 1;
inline constexpr int HeaderBytes = 4;
inline constexpr int MaxRequestBytes = 16 * 1024;
inline constexpr int MaxReplyBytes = 256 * 1024;

// Protocol error codes (besides the ErrorCode names).
inline constexpr char NotReadyCode[] = "not-ready"; // the window has no open vault yet
inline constexpr char UnsupportedVersionCode[] = "unsupported-version";
inline constexpr char BadRequestCode[] = "bad-request";
inline constexpr char UnknownOpCode[] = "unknown-op";

// 4-byte big-endian length + compact JSON. The caller wipes the result if it holds a secret.
QByteArray encodeFrame(const QJsonObject &message);

// Reassembles frames from a byte stream.
class FrameReader {
public:
    enum class State {
        NeedMore,
        Frame,
        TooLarge,
        Malformed
    };

    explicit FrameReader(int maxBytes) : m_max(maxBytes) {}
    ~FrameReader();

    void append(const QByteArray &bytes);
    // Looks at the buffered bytes: a whole frame is moved into *message (Frame); TooLarge and
    // Malformed are final (the connection must be dropped).
    State next(QJsonObject *message);
    qsizetype buffered() const { return m_buffer.size(); }

private:
    int m_max;
    QByteArray m_buffer;
};

QJsonObject okReply();
QJsonObject errorReply(const QString &code, const QString &message);
QJsonObject errorReply(const Error &error);
// "ok" is true.
bool replySucceeded(const QJsonObject &reply);
// The error code of a reply with "ok": false; "" for a reply that succeeded.
QString replyErrorCode(const QJsonObject &reply);
// The Error of a reply with "ok": false (unknown codes become ErrorCode::Internal).
Error errorFromReply(const QJsonObject &reply);

QString errorCodeName(ErrorCode code);
std::optional<ErrorCode> errorCodeFromName(const QString &name);

} // namespace mailkey::ipc
