#include "core/backup/BackupFile.h"

#include "core/common/Clock.h"

#include <QCoreApplication>
#include <QRandomGenerator>
#include <QtEndian>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstring>
#include <limits>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::BackupFile)
};
} // namespace

namespace {

// "\x89MKB\r\n\x1a\n": a high byte first (not text), then CR LF and Ctrl-Z, so that a transfer in
// text mode visibly damages the magic number (as PNG's does).
constexpr char kMagic[8] = {'\x89', 'M', 'K', 'B', '\r', '\n', '\x1a', '\n'};
constexpr int kSaltSize = 16;
constexpr int kNonceSize = 12;
constexpr int kCheckSize = 32;
constexpr quint8 kKdfScrypt = 1;
constexpr quint8 kCipherAes256Gcm = 1;
// Header offsets.
constexpr int kOffVersion = 8;
constexpr int kOffKdf = 10;
constexpr int kOffLog2N = 11;
constexpr int kOffR = 12;
constexpr int kOffP = 16;
constexpr int kOffSalt = 20;
constexpr int kOffCipher = 36;
constexpr int kOffNonce = 37;
constexpr int kOffLength = 49;
constexpr int kOffCheck = 57;
static_assert(kOffCheck + kCheckSize == BackupFile::HeaderSize);

// scrypt memory is about 128 * r * N bytes: refuse parameters that would need more than this (a
// damaged or hostile header must not make the import allocate gigabytes or run for hours).
constexpr quint64 kMaxScryptMemory = 1ULL << 30;

// Payload records: u8 type, u16 field count, then each field as u32 length + bytes (big-endian).
enum RecordType : quint8 {
    End = 0,
    Meta = 1,    // format, writer, created_at (ms), profile
    Account = 2, // provider, email, display_name, tenant, subject, status, status_reason,
                 // created_at, client_id, client_secret
    Token = 3,   // resource, access_token, refresh_token, expires_at, issued_at, scopes (of the
                 // account record before it)
    Setting = 4, // key, value
    File = 5,    // name, content
    Audit = 6,   // at, account_email, action, outcome, detail, actor
};

const unsigned char *uc(const char *p)
{
    return reinterpret_cast<const unsigned char *>(p);
}

unsigned char *uc(char *p)
{
    return reinterpret_cast<unsigned char *>(p);
}

QByteArray msText(const QDateTime &t)
{
    return t.isValid() ? QByteArray::number(t.toMSecsSinceEpoch()) : QByteArray();
}

QDateTime fromMsText(QByteArrayView v)
{
    bool ok = false;
    const qint64 ms = v.toLongLong(&ok);
    return ok ? QDateTime::fromMSecsSinceEpoch(ms, utcZone()) : QDateTime();
}

// Builds the payload in one buffer the caller wipes. Secret fields are appended from their own
// wiped UTF-8 buffers, never through a QString copy.
class Writer {
public:
    explicit Writer(QByteArray &buf) : m_buf(buf) {}
    void begin(RecordType type, int fields)
    {
        m_buf.append(char(type));
        char n[2];
        qToBigEndian<quint16>(quint16(fields), n);
        m_buf.append(n, 2);
    }
    void field(QByteArrayView bytes)
    {
        char n[4];
        qToBigEndian<quint32>(quint32(bytes.size()), n);
        m_buf.append(n, 4).append(bytes.data(), bytes.size());
    }
    void field(const QString &text) { field(QByteArrayView(text.toUtf8())); }
    void secret(const SecretString &text)
    {
        const SecureBytes u = text.toUtf8();
        field(QByteArrayView(u.bytes()));
    }

private:
    QByteArray &m_buf;
};

// Reads records from the decrypted payload. Every length is checked against what is left.
class Reader {
public:
    explicit Reader(const QByteArray &buf) : m_buf(buf) {}
    bool atEnd() const { return m_pos >= m_buf.size(); }
    // The next record's type and fields (views into the payload); false on a malformed record.
    bool next(quint8 &type, QList<QByteArrayView> &fields)
    {
        fields.clear();
        if (m_buf.size() - m_pos < 3)
            return false;
        type = quint8(m_buf.at(m_pos));
        const quint16 count = qFromBigEndian<quint16>(m_buf.constData() + m_pos + 1);
        m_pos += 3;
        for (int i = 0; i < count; ++i) {
            if (m_buf.size() - m_pos < 4)
                return false;
            const quint32 len = qFromBigEndian<quint32>(m_buf.constData() + m_pos);
            m_pos += 4;
            if (quint64(m_buf.size() - m_pos) < len)
                return false;
            fields.append(QByteArrayView(m_buf.constData() + m_pos, qsizetype(len)));
            m_pos += qsizetype(len);
        }
        return true;
    }

private:
    const QByteArray &m_buf;
    qsizetype m_pos = 0;
};

QString text(const QList<QByteArrayView> &f, int i)
{
    return i < f.size() ? QString::fromUtf8(f.at(i)) : QString();
}

SecretString secretAt(const QList<QByteArrayView> &f, int i)
{
    return i < f.size() ? SecretString::fromUtf8(f.at(i)) : SecretString();
}

void encodePayload(const BackupFile::Contents &c, QByteArray &buf)
{
    Writer w(buf);
    w.begin(Meta, 4);
    w.field(QByteArrayView("mailkey-backup"));
    w.field(c.writer);
    w.field(QByteArrayView(msText(c.createdAt)));
    w.field(c.profile);
    for (const SnapshotAccount &a : c.vault.accounts) {
        w.begin(Account, 10);
        w.field(a.info.provider);
        w.field(a.info.email);
        w.field(a.info.displayName);
        w.field(a.info.tenant);
        w.field(a.info.subject);
        w.field(accountStatusToString(a.status));
        w.field(a.statusReason);
        w.field(QByteArrayView(msText(a.createdAt)));
        w.field(a.client ? a.client->clientId : QString());
        if (a.client)
            w.secret(a.client->clientSecret);
        else
            w.field(QByteArrayView());
        for (const TokenRecord &t : a.tokens) {
            w.begin(Token, 6);
            w.field(t.resource);
            w.secret(t.accessToken);
            w.secret(t.refreshToken);
            w.field(QByteArrayView(msText(t.expiresAt)));
            w.field(QByteArrayView(msText(t.issuedAt)));
            w.field(t.scopes.join(QLatin1Char(' ')));
        }
    }
    for (const auto &[key, value] : c.vault.settings) {
        w.begin(Setting, 2);
        w.field(key);
        w.field(value);
    }
    for (const auto &[name, content] : c.files) {
        w.begin(File, 2);
        w.field(name);
        w.field(QByteArrayView(content));
    }
    for (const AuditEntry &e : c.vault.audit) {
        w.begin(Audit, 6);
        w.field(QByteArrayView(msText(e.at)));
        w.field(e.accountEmail);
        w.field(e.action);
        w.field(e.outcome);
        w.field(e.detail);
        w.field(e.actor);
    }
    w.begin(End, 0);
}

// False when the payload is malformed (the tag matched, so only a MailKey bug could cause it).
bool decodePayload(const QByteArray &buf, BackupFile::Contents &c)
{
    Reader r(buf);
    quint8 type = 0;
    QList<QByteArrayView> f;
    bool ended = false;
    bool sawMeta = false;
    while (!r.atEnd()) {
        if (!r.next(type, f))
            return false;
        switch (type) {
        case End:
            ended = true;
            break;
        case Meta:
            if (text(f, 0) != QLatin1String("mailkey-backup"))
                return false;
            sawMeta = true;
            c.writer = text(f, 1);
            c.createdAt = fromMsText(f.value(2));
            c.profile = text(f, 3);
            break;
        case Account: {
            SnapshotAccount a;
            a.info = AccountInfo{text(f, 0), text(f, 1), text(f, 2), text(f, 3), text(f, 4)};
            a.status = accountStatusFromString(text(f, 5));
            a.statusReason = text(f, 6);
            a.createdAt = fromMsText(f.value(7));
            if (!text(f, 8).isEmpty())
                a.client = AccountClient{text(f, 8), secretAt(f, 9)};
            c.vault.accounts.push_back(std::move(a));
            break;
        }
        case Token: {
            if (c.vault.accounts.empty())
                return false;
            TokenRecord t;
            t.resource = text(f, 0);
            t.accessToken = secretAt(f, 1);
            t.refreshToken = secretAt(f, 2);
            t.expiresAt = fromMsText(f.value(3));
            t.issuedAt = fromMsText(f.value(4));
            t.scopes = text(f, 5).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            c.vault.accounts.back().tokens.push_back(std::move(t));
            break;
        }
        case Setting:
            c.vault.settings.append({text(f, 0), text(f, 1)});
            break;
        case File:
            c.files.append({text(f, 0), f.value(1).toByteArray()});
            break;
        case Audit: {
            AuditEntry e;
            e.at = fromMsText(f.value(0));
            e.accountEmail = text(f, 1);
            e.action = text(f, 2);
            e.outcome = text(f, 3);
            e.detail = text(f, 4);
            e.actor = text(f, 5);
            c.vault.audit.append(e);
            break;
        }
        default:
            break; // a record type of a later MailKey that this one does not need
        }
        if (ended)
            break;
    }
    return ended && sawMeta && r.atEnd();
}

// scrypt -> 64 bytes: AES key (0..31), passphrase-check key (32..63).
Result<SecureBytes> deriveKeys(const SecureBytes &passphrase, QByteArrayView salt, const BackupFile::KdfParams &p)
{
    const quint64 n = 1ULL << p.log2N;
    const quint64 mem = 128ULL * quint64(p.r) * n + 128ULL * quint64(p.r) * quint64(p.p) + (1U << 20);
    QByteArray out(64, '\0');
    const int ok
        = EVP_PBE_scrypt(passphrase.bytes().constData(), size_t(passphrase.size()), uc(salt.data()),
                         size_t(salt.size()), n, quint64(p.r), quint64(p.p), mem, uc(out.data()), size_t(out.size()));
    if (ok != 1) {
        secureWipe(out);
        return Error(ErrorCode::Internal, Text::tr("The backup key could not be derived (out of memory?)."));
    }
    return SecureBytes(std::move(out));
}

QByteArray passphraseCheck(const SecureBytes &keys, QByteArrayView headerWithoutCheck)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int macLen = 0;
    HMAC(EVP_sha256(), keys.bytes().constData() + 32, 32, uc(headerWithoutCheck.data()),
         size_t(headerWithoutCheck.size()), mac, &macLen);
    QByteArray check(reinterpret_cast<const char *>(mac), int(macLen));
    OPENSSL_cleanse(mac, sizeof mac);
    return check;
}

Error readError(BackupFile::Problem kind, BackupFile::Problem *problem, const QString &message)
{
    if (problem)
        *problem = kind;
    return {ErrorCode::InvalidInput, message};
}

Error damaged(BackupFile::Problem *problem)
{
    return readError(BackupFile::Problem::Damaged, problem,
                     Text::tr("The backup file is damaged or incomplete (truncated, or changed after it was "
                              "written): it cannot be restored. Use another copy of it. Nothing was changed."));
}

} // namespace

bool BackupFile::hasMagic(const QByteArray &start)
{
    return start.size() >= int(sizeof kMagic) && std::memcmp(start.constData(), kMagic, sizeof kMagic) == 0;
}

int BackupFile::versionOf(const QByteArray &start)
{
    if (!hasMagic(start) || start.size() < kOffVersion + 2)
        return 0;
    return qFromBigEndian<quint16>(start.constData() + kOffVersion);
}

Result<QByteArray> BackupFile::write(const Contents &contents, const SecureBytes &passphrase, const KdfParams &params)
{
    QByteArray plain;
    encodePayload(contents, plain);

    QByteArray header(HeaderSize, '\0');
    std::memcpy(header.data(), kMagic, sizeof kMagic);
    qToBigEndian<quint16>(quint16(FormatVersion), header.data() + kOffVersion);
    header[kOffKdf] = char(kKdfScrypt);
    header[kOffLog2N] = char(params.log2N);
    qToBigEndian<quint32>(quint32(params.r), header.data() + kOffR);
    qToBigEndian<quint32>(quint32(params.p), header.data() + kOffP);
    const SecureBytes salt = SecureBytes::random(kSaltSize);
    const SecureBytes nonce = SecureBytes::random(kNonceSize);
    std::memcpy(header.data() + kOffSalt, salt.bytes().constData(), kSaltSize);
    header[kOffCipher] = char(kCipherAes256Gcm);
    std::memcpy(header.data() + kOffNonce, nonce.bytes().constData(), kNonceSize);
    qToBigEndian<quint64>(quint64(plain.size()), header.data() + kOffLength);

    Result<SecureBytes> keys = deriveKeys(passphrase, QByteArrayView(salt.bytes()), params);
    if (!keys) {
        secureWipe(plain);
        return keys.error();
    }
    const QByteArray check = passphraseCheck(*keys, QByteArrayView(header).first(kOffCheck));
    std::memcpy(header.data() + kOffCheck, check.constData(), kCheckSize);

    QByteArray out = header;
    out.resize(HeaderSize + plain.size() + TagSize);
    bool ok = false;
    if (EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new()) {
        int len = 0;
        int fin = 0;
        ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
             && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1
             && EVP_EncryptInit_ex(ctx, nullptr, nullptr, uc(keys->bytes().constData()), uc(nonce.bytes().constData()))
                    == 1
             && EVP_EncryptUpdate(ctx, nullptr, &len, uc(header.constData()), HeaderSize) == 1
             && EVP_EncryptUpdate(ctx, uc(out.data() + HeaderSize), &len, uc(plain.constData()), int(plain.size())) == 1
             && len == plain.size() && EVP_EncryptFinal_ex(ctx, uc(out.data() + HeaderSize + len), &fin) == 1
             && fin == 0
             && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TagSize, out.data() + HeaderSize + plain.size()) == 1;
        EVP_CIPHER_CTX_free(ctx);
    }
    secureWipe(plain);
    if (!ok)
        return Error(ErrorCode::Internal, Text::tr("The backup could not be encrypted."));
    return out;
}

Result<BackupFile::Contents> BackupFile::read(const QByteArray &file, const SecureBytes &passphrase, Problem *problem)
{
    if (problem)
        *problem = Problem::None;
    if (!hasMagic(file))
        return readError(Problem::NotABackup, problem,
                         Text::tr("This file is not a MailKey backup (it does not start like one). Give the file "
                                  "that 'mailkey-cli export' wrote; to import from another program, use --from. "
                                  "Nothing was changed."));
    if (file.size() < HeaderSize)
        return damaged(problem);
    const int version = versionOf(file);
    if (version > FormatVersion)
        return readError(Problem::NewerVersion, problem,
                         Text::tr("This backup was written by a newer MailKey (backup format %1; this MailKey reads "
                                  "format %2). Update MailKey, then import it again. Nothing was changed.")
                             .arg(version)
                             .arg(FormatVersion));
    KdfParams params;
    params.log2N = quint8(file.at(kOffLog2N));
    params.r = int(qFromBigEndian<quint32>(file.constData() + kOffR));
    params.p = int(qFromBigEndian<quint32>(file.constData() + kOffP));
    const quint64 length = qFromBigEndian<quint64>(file.constData() + kOffLength);
    const bool sane = version == FormatVersion && quint8(file.at(kOffKdf)) == kKdfScrypt
                      && quint8(file.at(kOffCipher)) == kCipherAes256Gcm && params.log2N >= 10 && params.log2N <= 24
                      && params.r >= 1 && params.r <= 64 && params.p >= 1 && params.p <= 16
                      && 128ULL * quint64(params.r) * (1ULL << params.log2N) <= kMaxScryptMemory
                      && length <= quint64(std::numeric_limits<int>::max() - HeaderSize - TagSize);
    if (!sane)
        return damaged(problem);
    if (quint64(file.size()) != HeaderSize + length + TagSize)
        return damaged(problem);

    Result<SecureBytes> keys = deriveKeys(passphrase, QByteArrayView(file).sliced(kOffSalt, kSaltSize), params);
    if (!keys)
        return keys.error();
    const QByteArray check = passphraseCheck(*keys, QByteArrayView(file).first(kOffCheck));
    if (!constantTimeEquals(check, file.mid(kOffCheck, kCheckSize)))
        return readError(
            Problem::WrongPassphrase, problem,
            Text::tr("The passphrase does not open this backup (or the start of the file is damaged). Check "
                     "the passphrase (it is case-sensitive) and try again. Nothing was changed."));

    QByteArray plain(qsizetype(length), '\0');
    bool ok = false;
    if (EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new()) {
        int len = 0;
        int fin = 0;
        QByteArray tag = file.right(TagSize);
        ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
             && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1
             && EVP_DecryptInit_ex(ctx, nullptr, nullptr, uc(keys->bytes().constData()),
                                   uc(file.constData() + kOffNonce))
                    == 1
             && EVP_DecryptUpdate(ctx, nullptr, &len, uc(file.constData()), HeaderSize) == 1
             && EVP_DecryptUpdate(ctx, uc(plain.data()), &len, uc(file.constData() + HeaderSize), int(length)) == 1
             && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TagSize, tag.data()) == 1
             && EVP_DecryptFinal_ex(ctx, uc(plain.data()) + len, &fin) == 1;
        EVP_CIPHER_CTX_free(ctx);
    }
    if (!ok) {
        secureWipe(plain);
        return damaged(problem);
    }
    Contents contents;
    const bool decoded = decodePayload(plain, contents);
    secureWipe(plain);
    if (!decoded)
        return damaged(problem);
    return contents;
}

} // namespace mailkey
