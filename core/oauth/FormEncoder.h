#pragma once

#include "core/common/SecretString.h"

#include <QByteArray>
#include <QString>

namespace mailkey {

// The body of a request to a token endpoint (code exchange, refresh, revocation, and later the
// device authorization of RFC 8628), as application/x-www-form-urlencoded (RFC 6749 appendix B),
// one place for every such body in MailKey.
//
//  - Fields stay in the order they were added; nothing is sorted or merged, and a name added
//    twice is sent twice (the caller adds each protocol parameter once).
//  - Names and values are UTF-8, percent-encoded except for the unreserved characters
//    ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 2.3), with upper-case hex digits. So '+',
//    '&', '=', '/' and '%' in a token are %2B, %26, %3D, %2F and %25, and a space is %20, which
//    every form decoder reads as a space (the '+' form is not produced). This is exactly what
//    QUrl::toPercentEncoding() gives, which the code used before.
//  - Secrets: values are encoded straight into the body; the UTF-8 copy of a value is wiped,
//    and so is every buffer the body leaves behind when it grows. The body itself is wiped when
//    the encoder is destroyed, cleared or assigned to: whoever sends it keeps the encoder until
//    the request is done (TokenEndpointClient does). Move-only, so a body with a token in it is
//    never copied by accident.
class FormEncoder {
public:
    FormEncoder();
    ~FormEncoder();
    FormEncoder(FormEncoder &&other) noexcept;
    FormEncoder &operator=(FormEncoder &&other) noexcept;
    FormEncoder(const FormEncoder &) = delete;
    FormEncoder &operator=(const FormEncoder &) = delete;

    // Appends "name=value" (preceded by '&' unless it is the first field).
    FormEncoder &add(const char *name, const QString &value);
    FormEncoder &add(const char *name, const SecretString &value);
    FormEncoder &add(const char *name, const QByteArray &utf8Value);

    bool isEmpty() const { return m_body.isEmpty(); }
    // The encoded body so far. A copy of it shares the buffer and keeps it from being wiped:
    // read it in place (QByteArray::fromRawData).
    const QByteArray &bytes() const { return m_body; }
    void clear();

    // One value percent-encoded as above, for parameters that Qt puts into a query or body
    // itself (QOAuth2AuthorizationCodeFlow's parameter map takes values that are already
    // encoded). The result holds the secret encoded: wipe it when it may be a secret.
    static QByteArray encode(const QString &value);
    static QByteArray encode(const QByteArray &utf8Value);

    // Tests only: called with every buffer the encoder has just wiped, before it is released,
    // so a test can check that it is all zeros. Not thread-safe; nullptr turns it off.
    using WipeProbe = void (*)(const char *data, qsizetype size);
    static void setWipeProbe(WipeProbe probe);

private:
    void appendEncoded(const char *data, qsizetype size);
    void reserveFor(qsizetype extra);

    QByteArray m_body;
};

} // namespace mailkey
