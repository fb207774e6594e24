#include "core/common/SecretString.h"

#include <utility>

namespace mailkey {

namespace {
SecretString::WipeProbe g_wipeProbe = nullptr;
} // namespace

void SecretString::setWipeProbe(WipeProbe probe)
{
    g_wipeProbe = probe;
}

SecretString::SecretString(QString text) : m_text(std::move(text))
{
    if (!m_text.isEmpty() && !m_text.isDetached())
        m_text = QString(m_text.constData(), m_text.size()); // our own buffer, so the wipe reaches it
}

SecretString SecretString::fromUtf8(QByteArrayView utf8)
{
    return SecretString(QString::fromUtf8(utf8));
}

SecretString SecretString::fromLatin1(QByteArrayView latin1)
{
    return SecretString(QString::fromLatin1(latin1));
}

SecretString::~SecretString()
{
    clear();
}

SecretString::SecretString(SecretString &&other) noexcept : m_text(std::exchange(other.m_text, QString())) {}

SecretString &SecretString::operator=(SecretString &&other) noexcept
{
    if (this != &other) {
        clear();
        m_text = std::exchange(other.m_text, QString());
    }
    return *this;
}

SecretString SecretString::clone() const
{
    return SecretString(QString(m_text.constData(), m_text.size()));
}

SecureBytes SecretString::toUtf8() const
{
    return SecureBytes(m_text.toUtf8());
}

void SecretString::clear()
{
    if (g_wipeProbe && !m_text.isEmpty() && m_text.isDetached()) {
        const qsizetype size = m_text.size();
        QChar *data = m_text.data();
        secureWipe(data, std::size_t(size) * sizeof(QChar));
        g_wipeProbe(reinterpret_cast<const char16_t *>(data), size);
    }
    secureWipe(m_text);
}

bool SecretString::equals(QStringView other) const
{
    if (other.size() != m_text.size())
        return false;
    char16_t diff = 0;
    for (qsizetype i = 0; i < m_text.size(); ++i)
        diff |= char16_t(m_text.at(i).unicode() ^ other.at(i).unicode());
    return diff == 0;
}

} // namespace mailkey
