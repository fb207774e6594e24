#pragma once

#include "core/common/SecureBytes.h"

#include <QString>
#include <QStringView>

namespace mailkey {

// A secret text: an access, refresh or ID token, or an OAuth state. It is wiped when it is
// destroyed, cleared or assigned over, so no caller has to remember to wipe it.
//
// Move-only, like SecureBytes: a second copy of a token exists only where the code says clone().
// reveal() hands out the text for the call that needs it (a form, a header, a bound SQL value).
// A QString copy made from it shares the buffer; the wipe reaches the buffer once that copy is
// gone. A buffer still shared when the SecretString is destroyed is released, not wiped, since
// another owner still reads it, and the last owner that is a SecretString wipes it.
class SecretString {
public:
    SecretString() = default;
    // Takes the text. A buffer shared with other QStrings is copied first, so that the wipe
    // reaches the copy this SecretString owns; the caller's shared buffer is its own to wipe.
    explicit SecretString(QString text);
    static SecretString fromUtf8(QByteArrayView utf8);
    static SecretString fromLatin1(QByteArrayView latin1);
    ~SecretString();
    SecretString(SecretString &&other) noexcept;
    SecretString &operator=(SecretString &&other) noexcept;
    SecretString(const SecretString &) = delete;
    SecretString &operator=(const SecretString &) = delete;

    // A second, independent copy (its own buffer, wiped on its own).
    SecretString clone() const;

    // The text, to pass to the call that needs it. Do not keep a QString copy of it longer
    // than the SecretString lives.
    const QString &reveal() const { return m_text; }
    // The UTF-8 bytes, in a buffer that wipes itself.
    SecureBytes toUtf8() const;

    bool isEmpty() const { return m_text.isEmpty(); }
    qsizetype size() const { return m_text.size(); }
    void clear();

    // Constant time for equal lengths.
    bool equals(QStringView other) const;
    bool equals(const SecretString &other) const { return equals(QStringView(other.m_text)); }

    // Tests only: called with every buffer a SecretString has just wiped, before it is released,
    // so a test can check that it is all zeros. Not thread-safe; nullptr turns it off.
    using WipeProbe = void (*)(const char16_t *data, qsizetype size);
    static void setWipeProbe(WipeProbe probe);

private:
    QString m_text;
};

} // namespace mailkey
