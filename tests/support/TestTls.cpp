#include "tests/support/TestTls.h"

#include <QSslCertificate>
#include <QSslKey>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace mailkey::test {

bool makeSelfSigned(QByteArray *certPem, QByteArray *keyPem)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *cert = X509_new();
    bool ok = key && cert;
    if (ok) {
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert), -60);
        X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
        X509_set_pubkey(cert, key);
        X509_NAME *name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("127.0.0.1"), -1,
                                   -1, 0);
        X509_set_issuer_name(cert, name);
        ok = X509_sign(cert, key, EVP_sha256()) > 0;
    }
    const auto pem = [](auto write) {
        BIO *bio = BIO_new(BIO_s_mem());
        write(bio);
        char *data = nullptr;
        const long size = BIO_get_mem_data(bio, &data);
        QByteArray out(data, qsizetype(size));
        BIO_free(bio);
        return out;
    };
    if (ok) {
        *certPem = pem([cert](BIO *bio) { PEM_write_bio_X509(bio, cert); });
        *keyPem = pem([key](BIO *bio) { PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr); });
    }
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok && !certPem->isEmpty() && !keyPem->isEmpty();
}

std::optional<QSslConfiguration> selfSignedServerTls(QByteArray *certPemOut)
{
    QByteArray certPem;
    QByteArray keyPem;
    if (!makeSelfSigned(&certPem, &keyPem))
        return std::nullopt;
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificate(QSslCertificate(certPem, QSsl::Pem));
    config.setPrivateKey(QSslKey(keyPem, QSsl::Ec, QSsl::Pem));
    if (certPemOut)
        *certPemOut = certPem;
    return config;
}

} // namespace mailkey::test
