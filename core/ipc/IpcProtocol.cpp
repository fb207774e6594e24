#include "core/ipc/IpcProtocol.h"

#include "core/common/SecureBytes.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QtEndian>

#include <array>
#include <utility>

namespace mailkey::ipc {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::ipc::IpcProtocol)
};
} // namespace

namespace {

constexpr std::array<std::pair<ErrorCode, const char *>, 22> kCodeNames = {{
    {ErrorCode::NoKeychain, "NoKeychain"},
    {ErrorCode::KeychainLocked, "KeychainLocked"},
    {ErrorCode::KeyMissing, "KeyMissing"},
    {ErrorCode::KeychainFailed, "KeychainFailed"},
    {ErrorCode::VaultWrongKey, "VaultWrongKey"},
    {ErrorCode::VaultDamaged, "VaultDamaged"},
    {ErrorCode::VaultReadOnly, "VaultReadOnly"},
    {ErrorCode::DiskFull, "DiskFull"},
    {ErrorCode::VaultBusy, "VaultBusy"},
    {ErrorCode::VaultIo, "VaultIo"},
    {ErrorCode::NotACipherBuild, "NotACipherBuild"},
    {ErrorCode::VaultUnsafe, "VaultUnsafe"},
    {ErrorCode::VaultNewerFormat, "VaultNewerFormat"},
    {ErrorCode::NotFound, "NotFound"},
    {ErrorCode::InvalidInput, "InvalidInput"},
    {ErrorCode::Network, "Network"},
    {ErrorCode::Provider, "Provider"},
    {ErrorCode::NeedsSignIn, "NeedsSignIn"},
    {ErrorCode::Cancelled, "Cancelled"},
    {ErrorCode::Expired, "Expired"},
    {ErrorCode::Config, "Config"},
    {ErrorCode::Internal, "Internal"},
}};

} // namespace

QByteArray encodeFrame(const QJsonObject &message)
{
    QByteArray json = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray frame(HeaderBytes, '\0');
    qToBigEndian<quint32>(quint32(json.size()), frame.data());
    frame += json;
    secureWipe(json);
    return frame;
}

FrameReader::~FrameReader()
{
    secureWipe(m_buffer);
}

void FrameReader::append(const QByteArray &bytes)
{
    m_buffer += bytes;
}

FrameReader::State FrameReader::next(QJsonObject *message)
{
    if (m_buffer.size() < HeaderBytes)
        return State::NeedMore;
    const quint32 length = qFromBigEndian<quint32>(m_buffer.constData());
    if (length > quint32(m_max))
        return State::TooLarge;
    if (m_buffer.size() < HeaderBytes + qsizetype(length))
        return State::NeedMore;
    QByteArray json = m_buffer.mid(HeaderBytes, qsizetype(length));
    // Wipe the consumed bytes before dropping them from the buffer.
    secureWipe(m_buffer.data(), size_t(HeaderBytes + qsizetype(length)));
    m_buffer.remove(0, HeaderBytes + qsizetype(length));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    secureWipe(json);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return State::Malformed;
    *message = doc.object();
    return State::Frame;
}

QJsonObject okReply()
{
    return QJsonObject{{QStringLiteral("v"), ProtocolVersion}, {QStringLiteral("ok"), true}};
}

QJsonObject errorReply(const QString &code, const QString &message)
{
    return QJsonObject{
        {QStringLiteral("v"), ProtocolVersion},
        {QStringLiteral("ok"), false},
        {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
}

QJsonObject errorReply(const Error &error)
{
    return errorReply(errorCodeName(error.code), error.message);
}

bool replySucceeded(const QJsonObject &reply)
{
    return reply.value(QStringLiteral("ok")).toBool();
}

QString replyErrorCode(const QJsonObject &reply)
{
    if (replySucceeded(reply))
        return QString();
    return reply.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

Error errorFromReply(const QJsonObject &reply)
{
    const QJsonObject e = reply.value(QStringLiteral("error")).toObject();
    const QString message = e.value(QStringLiteral("message")).toString().left(4000);
    const std::optional<ErrorCode> code = errorCodeFromName(e.value(QStringLiteral("code")).toString());
    return Error(code.value_or(ErrorCode::Internal),
                 message.isEmpty() ? Text::tr("The MailKey app could not answer the request.") : message);
}

QString errorCodeName(ErrorCode code)
{
    for (const auto &[c, name] : kCodeNames) {
        if (c == code)
            return QString::fromLatin1(name);
    }
    return QStringLiteral("Internal");
}

std::optional<ErrorCode> errorCodeFromName(const QString &name)
{
    for (const auto &[c, n] : kCodeNames) {
        if (name == QLatin1String(n))
            return c;
    }
    return std::nullopt;
}

} // namespace mailkey::ipc
