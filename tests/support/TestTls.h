#pragma once

#include <QByteArray>
#include <QSslConfiguration>

#include <optional>

namespace mailkey::test {

// A self-signed certificate for 127.0.0.1 (CN=127.0.0.1, P-256) and its key (PEM), made for this
// test run. No system trusts it: a server with it does not verify, unless a client takes the
// certificate itself as its CA.
bool makeSelfSigned(QByteArray *certPem, QByteArray *keyPem);

// A server TLS configuration with such a certificate and its key; `certPem` (optional) gets the
// certificate.
std::optional<QSslConfiguration> selfSignedServerTls(QByteArray *certPem = nullptr);

} // namespace mailkey::test
