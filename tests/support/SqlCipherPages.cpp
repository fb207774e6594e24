#include "tests/support/SqlCipherPages.h"

#include <QFile>
#include <QtEndian>

#include <openssl/evp.h>

namespace mailkey::test {

namespace {

constexpr int PageSize = 1024;
constexpr int Reserve = 48; // 16 IV + 20 HMAC-SHA1, rounded up to the AES block size
constexpr int SaltSize = 16;

QByteArray decryptPage(const QByteArray &page, bool firstPage, const QByteArray &key)
{
    const int offset = firstPage ? SaltSize : 0;
    const int len = PageSize - Reserve - offset;
    const auto *iv = reinterpret_cast<const unsigned char *>(page.constData() + PageSize - Reserve);
    QByteArray out(len, '\0');
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outLen = 0;
    int finLen = 0;
    EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, reinterpret_cast<const unsigned char *>(key.constData()), iv);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char *>(out.data()), &outLen,
                      reinterpret_cast<const unsigned char *>(page.constData() + offset), len);
    EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char *>(out.data()) + outLen, &finLen);
    EVP_CIPHER_CTX_free(ctx);
    return out;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

} // namespace

QByteArray decryptDatabasePages(const QString &dbPath, const QByteArray &rawKey)
{
    const QByteArray data = readAll(dbPath);
    QByteArray plain;
    for (qsizetype off = 0; off + PageSize <= data.size(); off += PageSize)
        plain += decryptPage(data.mid(off, PageSize), off == 0, rawKey);
    return plain;
}

QByteArray decryptWalPages(const QString &walPath, const QByteArray &rawKey)
{
    const QByteArray data = readAll(walPath);
    QByteArray plain;
    constexpr int WalHeader = 32;
    constexpr int FrameHeader = 24;
    for (qsizetype off = WalHeader; off + FrameHeader + PageSize <= data.size(); off += FrameHeader + PageSize) {
        const quint32 pageNo = qFromBigEndian<quint32>(data.constData() + off);
        plain += decryptPage(data.mid(off + FrameHeader, PageSize), pageNo == 1, rawKey);
    }
    return plain;
}

QByteArray rawVaultBytes(const QString &dbPath)
{
    return readAll(dbPath) + readAll(dbPath + QStringLiteral("-wal")) + readAll(dbPath + QStringLiteral("-journal"));
}

} // namespace mailkey::test
