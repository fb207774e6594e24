#include "core/oauth/FormEncoder.h"

#include "core/common/SecureBytes.h"

#include <cstring>

namespace mailkey {

namespace {

FormEncoder::WipeProbe g_wipeProbe = nullptr;

constexpr qsizetype kInitialCapacity = 512; // a refresh body with a Microsoft refresh token fits

// Wipes a buffer this code owns alone; a shared one (a caller copied bytes()) is only released.
void wipe(QByteArray &bytes)
{
    if (!bytes.isEmpty() && bytes.isDetached()) {
        secureWipe(bytes.data(), std::size_t(bytes.size()));
        if (g_wipeProbe)
            g_wipeProbe(bytes.constData(), bytes.size());
    }
    bytes = QByteArray();
}

bool isUnreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
           || c == '_' || c == '~';
}

// Appends to `out`, which has room for 3 * size more bytes (no reallocation happens here).
void percentEncodeInto(QByteArray &out, const char *data, qsizetype size)
{
    static const char hex[] = "0123456789ABCDEF";
    for (qsizetype i = 0; i < size; ++i) {
        const char c = data[i];
        if (isUnreserved(c)) {
            out.append(c);
            continue;
        }
        const auto u = static_cast<unsigned char>(c);
        out.append('%');
        out.append(hex[u >> 4]);
        out.append(hex[u & 0x0f]);
    }
}

} // namespace

FormEncoder::FormEncoder()
{
    m_body.reserve(kInitialCapacity);
}

FormEncoder::~FormEncoder()
{
    wipe(m_body);
}

FormEncoder::FormEncoder(FormEncoder &&other) noexcept : m_body(std::move(other.m_body))
{
    other.m_body = QByteArray();
}

FormEncoder &FormEncoder::operator=(FormEncoder &&other) noexcept
{
    if (this != &other) {
        wipe(m_body);
        m_body = std::move(other.m_body);
        other.m_body = QByteArray();
    }
    return *this;
}

FormEncoder &FormEncoder::add(const char *name, const QString &value)
{
    QByteArray utf8 = value.toUtf8();
    add(name, utf8);
    wipe(utf8);
    return *this;
}

FormEncoder &FormEncoder::add(const char *name, const SecretString &value)
{
    return add(name, value.reveal());
}

FormEncoder &FormEncoder::add(const char *name, const QByteArray &utf8Value)
{
    const qsizetype nameSize = qsizetype(std::strlen(name));
    reserveFor(1 + 3 * nameSize + 1 + 3 * utf8Value.size());
    if (!m_body.isEmpty())
        m_body.append('&');
    percentEncodeInto(m_body, name, nameSize);
    m_body.append('=');
    percentEncodeInto(m_body, utf8Value.constData(), utf8Value.size());
    return *this;
}

void FormEncoder::clear()
{
    wipe(m_body);
}

// Grows by hand, so that the old buffer is wiped (QByteArray would free it as it is).
void FormEncoder::reserveFor(qsizetype extra)
{
    const qsizetype needed = m_body.size() + extra;
    if (m_body.isDetached() && m_body.capacity() >= needed)
        return;
    QByteArray bigger;
    bigger.reserve(qMax(needed, qMax(2 * m_body.capacity(), kInitialCapacity)));
    bigger.append(m_body);
    wipe(m_body);
    m_body = std::move(bigger);
}

QByteArray FormEncoder::encode(const QString &value)
{
    QByteArray utf8 = value.toUtf8();
    QByteArray out = encode(utf8);
    wipe(utf8);
    return out;
}

QByteArray FormEncoder::encode(const QByteArray &utf8Value)
{
    QByteArray out;
    out.reserve(3 * utf8Value.size());
    percentEncodeInto(out, utf8Value.constData(), utf8Value.size());
    return out;
}

void FormEncoder::setWipeProbe(WipeProbe probe)
{
    g_wipeProbe = probe;
}

} // namespace mailkey
