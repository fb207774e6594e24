#include "core/keychain/SecretServiceReader.h"

#include <QTimer>

#include <atomic>

#ifdef MAILKEY_SECRET_SERVICE_READER
#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#include <QMap>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#endif

namespace mailkey {

namespace {
std::atomic<int> g_paddedSharedSecrets{0};
} // namespace

SecretServiceReader::SecretServiceReader(QObject *parent)
    : SecretServiceReader(QStringLiteral("org.freedesktop.secrets"), parent)
{}

SecretServiceReader::SecretServiceReader(const QString &busName, QObject *parent) : QObject(parent), m_busName(busName)
{}

SecretServiceReader::~SecretServiceReader() = default;

int SecretServiceReader::paddedSharedSecrets()
{
    return g_paddedSharedSecrets.load();
}

#ifndef MAILKEY_SECRET_SERVICE_READER

bool SecretServiceReader::usable()
{
    return false;
}

struct SecretServiceReader::Attempt {};

void SecretServiceReader::lookup(const QString &, const QString &, Callback done)
{
    QTimer::singleShot(0, this, [done = std::move(done)] { done(Answer()); });
}

void SecretServiceReader::probe(const QString &, const QString &, Callback done)
{
    QTimer::singleShot(0, this, [done = std::move(done)] { done(Answer()); });
}

#else

namespace {

const char *const ServicePath = "/org/freedesktop/secrets";
const char *const ServiceInterface = "org.freedesktop.Secret.Service";
const char *const Algorithm = "dh-ietf1024-sha256-aes128-cbc-pkcs7";
constexpr int PrimeBytes = 128; // RFC 2409 group 2: 1024 bits
constexpr int AesKeyBytes = 16;
constexpr int CallTimeoutMs = 5000;

struct BnFree {
    void operator()(BIGNUM *b) const { BN_clear_free(b); }
};
struct BnCtxFree {
    void operator()(BN_CTX *c) const { BN_CTX_free(c); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

const unsigned char *bytesOf(const QByteArray &b)
{
    return reinterpret_cast<const unsigned char *>(b.constData());
}

unsigned char *bytesOf(QByteArray &b)
{
    return reinterpret_cast<unsigned char *>(b.data());
}

// One Diffie-Hellman key pair in the RFC 2409 1024-bit MODP group, generator 2.
class DhPair {
public:
    bool generate()
    {
        m_prime.reset(BN_get_rfc2409_prime_1024(nullptr));
        m_private.reset(BN_secure_new());
        Bn generator(BN_new());
        Bn range(BN_new());
        Bn pub(BN_new());
        std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_secure_new());
        if (!m_prime || !m_private || !generator || !range || !pub || !ctx)
            return false;
        // private in [1, p - 2]
        if (!BN_set_word(generator.get(), 2) || !BN_copy(range.get(), m_prime.get()) || !BN_sub_word(range.get(), 2)
            || !BN_priv_rand_range(m_private.get(), range.get()) || !BN_add_word(m_private.get(), 1))
            return false;
        BN_set_flags(m_private.get(), BN_FLG_CONSTTIME);
        if (!BN_mod_exp_mont_consttime(pub.get(), generator.get(), m_private.get(), m_prime.get(), ctx.get(), nullptr))
            return false;
        m_public = QByteArray(PrimeBytes, '\0');
        return BN_bn2binpad(pub.get(), bytesOf(m_public), PrimeBytes) == PrimeBytes;
    }

    const QByteArray &publicKey() const { return m_public; }

    // HKDF-SHA256 (no salt, no info) of the shared secret, padded to the prime's length, to
    // the 16-byte AES key; as the Secret Service computes it. Empty on a bad peer key.
    QByteArray aesKey(const QByteArray &peerPublic) const
    {
        if (peerPublic.isEmpty() || peerPublic.size() > PrimeBytes)
            return {};
        Bn peer(BN_bin2bn(bytesOf(peerPublic), int(peerPublic.size()), nullptr));
        Bn upper(BN_new());
        Bn shared(BN_secure_new());
        std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_secure_new());
        if (!peer || !upper || !shared || !ctx || !BN_copy(upper.get(), m_prime.get()) || !BN_sub_word(upper.get(), 1))
            return {};
        // 1 < peer < p - 1: refuses the degenerate keys that force a known shared secret.
        if (BN_cmp(peer.get(), BN_value_one()) <= 0 || BN_cmp(peer.get(), upper.get()) >= 0)
            return {};
        if (!BN_mod_exp_mont_consttime(shared.get(), peer.get(), m_private.get(), m_prime.get(), ctx.get(), nullptr))
            return {};
        if (BN_num_bytes(shared.get()) < PrimeBytes)
            ++g_paddedSharedSecrets;
        QByteArray ikm(PrimeBytes, '\0');
        QByteArray key(AesKeyBytes, '\0');
        bool ok = BN_bn2binpad(shared.get(), bytesOf(ikm), PrimeBytes) == PrimeBytes;
        std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> kdf(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
        size_t keyLength = AesKeyBytes;
        ok = ok && kdf && EVP_PKEY_derive_init(kdf.get()) > 0 && EVP_PKEY_CTX_set_hkdf_md(kdf.get(), EVP_sha256()) > 0
             && EVP_PKEY_CTX_set1_hkdf_key(kdf.get(), bytesOf(ikm), int(ikm.size())) > 0
             && EVP_PKEY_derive(kdf.get(), bytesOf(key), &keyLength) > 0 && keyLength == AesKeyBytes;
        secureWipe(ikm);
        if (!ok) {
            secureWipe(key);
            return {};
        }
        return key;
    }

private:
    Bn m_prime;
    Bn m_private;
    QByteArray m_public;
};

// AES-128-CBC with PKCS#7 padding. Empty on any failure (a wrong key shows as bad padding).
QByteArray decrypt(const QByteArray &key, const QByteArray &iv, const QByteArray &ciphertext)
{
    if (key.size() != AesKeyBytes || iv.size() != 16 || ciphertext.isEmpty() || ciphertext.size() % 16 != 0)
        return {};
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    QByteArray plain(ciphertext.size() + 16, '\0');
    int n1 = 0;
    int n2 = 0;
    const bool ok
        = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, bytesOf(key), bytesOf(iv)) == 1
          && EVP_DecryptUpdate(ctx.get(), bytesOf(plain), &n1, bytesOf(ciphertext), int(ciphertext.size())) == 1
          && EVP_DecryptFinal_ex(ctx.get(), bytesOf(plain) + n1, &n2) == 1;
    if (!ok) {
        secureWipe(plain);
        return {};
    }
    const qsizetype total = n1 + n2;
    QByteArray out(plain.constData(), total);
    secureWipe(plain);
    return out;
}

QDBusMessage serviceCall(const QString &busName, const char *method)
{
    return QDBusMessage::createMethodCall(busName, QLatin1String(ServicePath), QLatin1String(ServiceInterface),
                                          QLatin1String(method));
}

QDBusMessage busCall(const char *method)
{
    return QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.DBus"),
                                          QStringLiteral("/org/freedesktop/DBus"),
                                          QStringLiteral("org.freedesktop.DBus"), QLatin1String(method));
}

// QtKeychain's other back end on Linux: KWallet (its D-Bus names, running or activatable).
bool namesKWallet(const QStringList &names)
{
    for (const QString &n : names) {
        if (n.startsWith(QLatin1String("org.kde.kwalletd")))
            return true;
    }
    return false;
}

using Attributes = QMap<QString, QString>;

} // namespace

struct SecretServiceReader::Attempt {
    QString busName;
    Callback done;
    DhPair dh;
    QString session; // the Secret Service session, closed at the end
    QByteArray serverPublic;
    QList<QDBusObjectPath> base64Unlocked;
    bool base64Locked = false;
    bool plaintextSeen = false;
    bool searchFailed = false;
    bool kwallet = false; // KWallet is on the bus: QtKeychain may use it instead
    bool wantValue = true;
    int pending = 0;

    void finish(State state, SecureBytes value = {})
    {
        if (!session.isEmpty()) {
            QDBusMessage close = QDBusMessage::createMethodCall(
                busName, session, QStringLiteral("org.freedesktop.Secret.Session"), QStringLiteral("Close"));
            close.setAutoStartService(false);
            QDBusConnection::sessionBus().send(close);
            session.clear();
        }
        if (done) {
            Callback cb = std::move(done);
            done = nullptr;
            cb(Answer{state, std::move(value)});
        }
    }
};

bool SecretServiceReader::usable()
{
    if (qEnvironmentVariable("MAILKEY_KEYCHAIN_DIRECT") == QLatin1String("0"))
        return false;
    // QtKeychain's own choice (keychain_unix.cpp): KWallet first in a KDE session.
    const QByteArray desktop = qgetenv("XDG_CURRENT_DESKTOP");
    const QByteArray session = qgetenv("DESKTOP_SESSION");
    if (desktop.split(':').contains("KDE") || session == "kde" || session == "kde4" || session == "plasma"
        || !qgetenv("KDE_FULL_SESSION").isEmpty())
        return false;
    return QDBusConnection::sessionBus().isConnected();
}

void SecretServiceReader::lookup(const QString &service, const QString &key, Callback done)
{
    start(service, key, true, std::move(done));
}

void SecretServiceReader::probe(const QString &service, const QString &key, Callback done)
{
    start(service, key, false, std::move(done));
}

void SecretServiceReader::start(const QString &service, const QString &key, bool wantValue, Callback done)
{
    static const bool registered = [] {
        qDBusRegisterMetaType<Attributes>();
        return true;
    }();
    Q_UNUSED(registered)

    auto attempt = std::make_shared<Attempt>();
    attempt->busName = m_busName;
    attempt->done = std::move(done);
    attempt->wantValue = wantValue;
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || (wantValue && !attempt->dh.generate())) {
        QTimer::singleShot(0, this, [attempt] { attempt->finish(State::Unknown); });
        return;
    }

    // All requests at once: the encrypted session (to read a value) and the searches for the
    // entry as QtKeychain stores binary data (type=base64) and as it would look first
    // (type=plaintext).
    attempt->pending = 4;
    // Whether KWallet is running or can be started: QtKeychain uses it when it cannot load
    // libsecret (and a second keyring may still own the Secret Service name), so nothing this
    // reader sees is then certain.
    for (const char *method : {"ListNames", "ListActivatableNames"}) {
        auto *w = new QDBusPendingCallWatcher(bus.asyncCall(busCall(method), CallTimeoutMs), this);
        connect(w, &QDBusPendingCallWatcher::finished, this, [this, attempt, w] {
            w->deleteLater();
            const QDBusPendingReply<QStringList> reply = *w;
            if (reply.isError())
                attempt->searchFailed = true;
            else if (namesKWallet(reply.value()))
                attempt->kwallet = true;
            step(attempt);
        });
    }
    if (wantValue) {
        ++attempt->pending;
        QDBusMessage open = serviceCall(m_busName, "OpenSession");
        open << QString::fromLatin1(Algorithm) << QVariant::fromValue(QDBusVariant(attempt->dh.publicKey()));
        auto *openWatch = new QDBusPendingCallWatcher(bus.asyncCall(open, CallTimeoutMs), this);
        connect(openWatch, &QDBusPendingCallWatcher::finished, this, [this, attempt, openWatch] {
            openWatch->deleteLater();
            const QDBusPendingReply<QDBusVariant, QDBusObjectPath> reply = *openWatch;
            if (!reply.isError()) {
                attempt->session = reply.argumentAt<1>().path();
                attempt->serverPublic = reply.argumentAt<0>().variant().toByteArray();
            }
            step(attempt);
        });
    }

    for (const char *type : {"plaintext", "base64"}) {
        QDBusMessage search = serviceCall(m_busName, "SearchItems");
        const Attributes attributes{{QStringLiteral("user"), key},
                                    {QStringLiteral("server"), service},
                                    {QStringLiteral("type"), QString::fromLatin1(type)}};
        search << QVariant::fromValue(attributes);
        const bool plaintext = qstrcmp(type, "plaintext") == 0;
        auto *w = new QDBusPendingCallWatcher(bus.asyncCall(search, CallTimeoutMs), this);
        connect(w, &QDBusPendingCallWatcher::finished, this, [this, attempt, w, plaintext] {
            w->deleteLater();
            const QDBusPendingReply<QList<QDBusObjectPath>, QList<QDBusObjectPath>> reply = *w;
            if (reply.isError()) {
                attempt->searchFailed = true;
            } else if (plaintext) {
                attempt->plaintextSeen = !reply.argumentAt<0>().isEmpty() || !reply.argumentAt<1>().isEmpty();
            } else {
                attempt->base64Unlocked = reply.argumentAt<0>();
                attempt->base64Locked = !reply.argumentAt<1>().isEmpty();
            }
            step(attempt);
        });
    }
}

void SecretServiceReader::step(const std::shared_ptr<Attempt> &attempt)
{
    if (--attempt->pending > 0)
        return;
    if (attempt->searchFailed || attempt->kwallet) {
        attempt->finish(State::Unknown);
        return;
    }
    if (!attempt->plaintextSeen && attempt->base64Unlocked.isEmpty() && !attempt->base64Locked) {
        attempt->finish(State::Absent); // QtKeychain would find nothing either
        return;
    }
    if (!attempt->wantValue) {
        attempt->finish(State::Found);
        return;
    }
    if (attempt->plaintextSeen || attempt->base64Unlocked.isEmpty() || attempt->session.isEmpty()) {
        attempt->finish(State::Unknown);
        return;
    }
    readSecret(attempt);
}

void SecretServiceReader::readSecret(const std::shared_ptr<Attempt> &attempt)
{
    // The first unlocked match, as libsecret's lookup returns it.
    QDBusMessage get
        = QDBusMessage::createMethodCall(attempt->busName, attempt->base64Unlocked.first().path(),
                                         QStringLiteral("org.freedesktop.Secret.Item"), QStringLiteral("GetSecret"));
    get << QVariant::fromValue(QDBusObjectPath(attempt->session));
    auto *w = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(get, CallTimeoutMs), this);
    connect(w, &QDBusPendingCallWatcher::finished, this, [attempt, w] {
        w->deleteLater();
        const QDBusMessage reply = w->reply();
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().size() != 1
            || reply.signature() != QLatin1String("(oayays)")) {
            attempt->finish(State::Unknown);
            return;
        }
        // (session, parameters = the IV, value = the ciphertext, content type)
        const QDBusArgument secret = reply.arguments().constFirst().value<QDBusArgument>();
        QDBusObjectPath session;
        QByteArray iv;
        QByteArray ciphertext;
        QString contentType;
        secret.beginStructure();
        secret >> session >> iv >> ciphertext >> contentType;
        secret.endStructure();

        QByteArray aesKey = attempt->dh.aesKey(attempt->serverPublic);
        QByteArray text = decrypt(aesKey, iv, ciphertext);
        secureWipe(aesKey);
        // QtKeychain's binary data: strict base64. Anything else was not ours to read.
        auto decoded = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
        secureWipe(text);
        if (!decoded || decoded.decoded.isEmpty()) {
            secureWipe(decoded.decoded);
            attempt->finish(State::Unknown);
            return;
        }
        SecureBytes value(QByteArray(decoded.decoded.constData(), decoded.decoded.size()));
        secureWipe(decoded.decoded);
        attempt->finish(State::Found, std::move(value));
    });
}

#endif

} // namespace mailkey
