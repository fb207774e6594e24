#pragma once

#include "core/common/SecureBytes.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace mailkey {

// Reads one entry that QtKeychain wrote (binary data: attributes user=KEY, server=SERVICE,
// type=base64, the value base64) straight from the freedesktop Secret Service over QtDBus.
//
// Why: QtKeychain reads through libsecret, which it loads at run time together with GIO,
// GObject and libgcrypt: about 4.5 MB and a few milliseconds on every start of mailkey-cli,
// which a mail program runs at every login. This reader needs only QtDBus and libcrypto, which
// MailKey has loaded anyway (SQLCipher).
//
// It answers only what it can settle for certain: Found (with the value), Absent (the Secret
// Service holds no such entry at all, locked or not, of either type QtKeychain reads), or
// Unknown. Unknown (no service, the entry locked, a plaintext entry QtKeychain would prefer,
// KWallet on the bus or a KDE session, where QtKeychain may use KWallet, any unexpected answer) is left to QtKeychain, so
// behaviour and error messages stay QtKeychain's. It never writes, never unlocks and never
// prompts.
//
// The value travels encrypted, as with libsecret: the session is
// "dh-ietf1024-sha256-aes128-cbc-pkcs7" (Diffie-Hellman in the RFC 2409 1024-bit group, HKDF-
// SHA256 to an AES-128 key, AES-128-CBC with PKCS#7 padding). Every intermediate secret is
// wiped; nothing is logged.
class SecretServiceReader : public QObject {
    Q_OBJECT
public:
    enum class State {
        Found,
        Absent,
        Unknown
    };
    struct Answer {
        State state = State::Unknown;
        SecureBytes value; // lookup() and Found only
    };
    using Callback = std::function<void(Answer)>;

    explicit SecretServiceReader(QObject *parent = nullptr);
    // Tests: another bus name than org.freedesktop.secrets (one nobody owns: every call fails).
    explicit SecretServiceReader(const QString &busName, QObject *parent = nullptr);
    ~SecretServiceReader() override;

    // Whether a lookup can be tried at all: Linux (or another Unix without its own keychain)
    // with a session bus, and not a KDE session (there QtKeychain prefers KWallet).
    // MAILKEY_KEYCHAIN_DIRECT=0 turns the reader off.
    static bool usable();

    // Reads (service, key): Found with the value, Absent or Unknown. `done` is called exactly
    // once, from the event loop.
    void lookup(const QString &service, const QString &key, Callback done);
    // Whether (service, key) exists, locked or not: Found, Absent or Unknown; no value is read
    // and no session is opened.
    void probe(const QString &service, const QString &key, Callback done);

    // Diagnostics for tests: how many shared secrets had leading zero bytes (and so had to be
    // padded to the prime's length, as the Secret Service does). Counts, never values.
    static int paddedSharedSecrets();

private:
    struct Attempt;
    void start(const QString &service, const QString &key, bool wantValue, Callback done);
    void step(const std::shared_ptr<Attempt> &attempt);
    void readSecret(const std::shared_ptr<Attempt> &attempt);

    QString m_busName;
};

} // namespace mailkey
