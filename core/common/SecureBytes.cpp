#include "core/common/SecureBytes.h"

#include <QRandomGenerator>
#include <QString>

#include <cstring>

namespace mailkey {

void secureWipe(void *data, std::size_t size)
{
    if (!data || size == 0)
        return;
    auto *p = static_cast<volatile unsigned char *>(data);
    for (std::size_t i = 0; i < size; ++i)
        p[i] = 0;
}

void secureWipe(QByteArray &bytes)
{
    if (!bytes.isEmpty() && !bytes.isDetached()) {
        // Shared data: wiping would touch another owner's copy. Drop our reference only.
        bytes.clear();
        return;
    }
    secureWipe(bytes.data(), std::size_t(bytes.size()));
    bytes.clear();
}

void secureWipe(QString &text)
{
    if (!text.isEmpty() && text.isDetached())
        secureWipe(text.data(), std::size_t(text.size()) * sizeof(QChar));
    text.clear();
}

SecureBytes::SecureBytes(QByteArray bytes) : m_bytes(std::move(bytes)) {}

SecureBytes::~SecureBytes()
{
    clear();
}

SecureBytes::SecureBytes(SecureBytes &&other) noexcept : m_bytes(std::move(other.m_bytes))
{
    other.m_bytes = QByteArray();
}

SecureBytes &SecureBytes::operator=(SecureBytes &&other) noexcept
{
    if (this != &other) {
        clear();
        m_bytes = std::move(other.m_bytes);
        other.m_bytes = QByteArray();
    }
    return *this;
}

SecureBytes SecureBytes::random(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    auto *gen = QRandomGenerator::system();
    int i = 0;
    while (i + 4 <= size) {
        const quint32 v = gen->generate();
        std::memcpy(bytes.data() + i, &v, 4);
        i += 4;
    }
    while (i < size)
        bytes[i++] = char(gen->generate() & 0xff);
    return SecureBytes(std::move(bytes));
}

void SecureBytes::clear()
{
    secureWipe(m_bytes);
}

bool SecureBytes::equals(const SecureBytes &other) const
{
    return constantTimeEquals(m_bytes, other.m_bytes);
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace mailkey
