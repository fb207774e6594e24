// The redactor every message and log line passes through (core/common/Redactor.h).
// Input: byte 0 picks one of the planted secrets below and the separators around it, bytes 1-2
// its position; the rest is the text around it (any bytes: the byte and the UTF-8 QString
// versions are both run).
//
// Invariants checked:
//  - a planted token-like secret (shapes Microsoft and Google issue, a JWT, a long base64 run, a
//    hex key), set off by a separator that cannot be part of a token, leaves no trace: neither
//    itself nor its longest distinctive half (16+ characters) appears in the output;
//  - text without anything secret-like around is not turned into something longer than the
//    input plus the placeholders (no runaway growth);
//  - the byte version keeps bytes it does not mask (Latin-1 round trip): input without a planted
//    secret and without any letter or digit comes back unchanged;
//  - the fast path agrees with the full pass: text it returns unchanged without running any
//    pattern is text every pattern would also leave unchanged.
#include "FuzzSupport.h"

#include "core/common/Redactor.h"

#include <array>

using namespace mailkey;

namespace {

// Fake values in the shapes real providers issue (none of them is a real credential).
const std::array<const char *, 12> kSecrets = {
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    "ya29.a0AfB_byC3kL9mQ2xT7vWn5pR8sJ4hG6dF1eY0uZ",
    "1//0gH4kT9mZxQ2yL8vN3pR7sW5jF1dC6bA0eU-LrXk",
    "4/0AeaYSHBcd3Fg5Hj7Kl9Mn1Pq3Rs5Tu7Vw9Xy1Za",
    "GOCSPX-4kT9mZxQ2yL8vN3pR7sW5jF1dC6",
    "M.C507_BAY.2.U.1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
    "EwBwA8l6BAAURSN/FHlDW5xN74t6GIjw4b8vk3aOtAAAAb8cX2bN7mQ3zL4pK",
    "0.AQ4AbC3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5z",
    "AQABAAIAAAD--DLA3VO7QrddgJg7WevrAgDs_wQA9P8W1xVz",
    "Zk3vQ9pL2mX8nR4tW7yB1cF5hJ0dG6sA3eK9uV2i",
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "Bearer Tk9ZmQ2xL8vN3pR7sW5jF1dC6bA0eUrX",
};
// Characters that end a token in every format MailKey meets (JSON, forms, headers, prose).
const std::array<char, 10> kSeparators = {' ', '\n', '"', '\'', ',', ';', '(', ')', '<', '>'};

// The secret's own distinctive part (after "Bearer "), and its two halves.
QList<QByteArray> traces(const QByteArray &secret)
{
    QByteArray s = secret;
    if (s.startsWith("Bearer "))
        s = s.mid(7);
    QList<QByteArray> out{s};
    if (s.size() >= 32) {
        out.append(s.left(s.size() / 2));
        out.append(s.mid(s.size() / 2));
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || size > 16 * 1024)
        return -1;
    const QByteArray secret(kSecrets[data[0] % kSecrets.size()]);
    const char before = kSeparators[(data[0] / kSecrets.size()) % kSeparators.size()];
    const char after = kSeparators[(data[1] & 0x0f) % kSeparators.size()];
    const QByteArray text = fuzz::bytes(data + 3, size - 3);
    const qsizetype pos = text.isEmpty() ? 0 : ((qsizetype(data[1]) << 8) | data[2]) % (text.size() + 1);
    const QByteArray planted = text.left(pos) + before + secret + after + text.mid(pos);

    // Bytes.
    const QByteArray outBytes = redact(planted);
    for (const QByteArray &t : traces(secret))
        fuzz::check(!outBytes.contains(t), "byte redaction left (part of) a planted secret");
    // UTF-8 text.
    const QString outText = redact(QString::fromUtf8(planted));
    for (const QByteArray &t : traces(secret))
        fuzz::check(!outText.contains(QString::fromLatin1(t)), "text redaction left (part of) a planted secret");

    // No planted secret: bounded growth, and text with no letter or digit is left alone.
    const QByteArray plain = redact(text);
    fuzz::check(plain.size() <= text.size() * 11 + 16, "redaction output grew without bound");
    bool alnum = false;
    for (const char c : text)
        alnum = alnum || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum)
        fuzz::check(plain == text, "text without letters or digits was changed");

    // The fast path (no regular expression for text that cannot hold a secret) agrees with the
    // full pass: whatever it lets through unchanged, every pattern also leaves unchanged.
    for (const QString &candidate : {QString::fromUtf8(text), QString::fromLatin1(text), QString::fromUtf8(planted)}) {
        if (detail::redactFastPathApplies(candidate))
            fuzz::check(detail::redactAllPatterns(candidate) == candidate,
                        "the redactor's fast path let through text the full pass would change");
    }
    return 0;
}
