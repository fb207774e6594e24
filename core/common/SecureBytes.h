#pragma once

#include <QByteArray>

#include <cstddef>

namespace mailkey {

// Overwrites memory in a way the optimiser cannot remove.
void secureWipe(void *data, std::size_t size);
void secureWipe(QByteArray &bytes);
void secureWipe(QString &text);

// Owns secret bytes (vault keys) and wipes them when destroyed or reassigned. Move-only so
// copies of key material do not multiply in memory.
class SecureBytes {
public:
    SecureBytes() = default;
    explicit SecureBytes(QByteArray bytes);
    ~SecureBytes();
    SecureBytes(SecureBytes &&other) noexcept;
    SecureBytes &operator=(SecureBytes &&other) noexcept;
    SecureBytes(const SecureBytes &) = delete;
    SecureBytes &operator=(const SecureBytes &) = delete;

    static SecureBytes random(int size); // from the OS CSPRNG (QRandomGenerator::system())

    const QByteArray &bytes() const { return m_bytes; }
    bool isEmpty() const { return m_bytes.isEmpty(); }
    int size() const { return int(m_bytes.size()); }
    void clear();
    bool equals(const SecureBytes &other) const; // constant time for equal lengths

private:
    QByteArray m_bytes;
};

// Constant-time comparison; the time depends only on the lengths.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace mailkey
