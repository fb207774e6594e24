#pragma once

// Shared set-up of the token-lifecycle tests: a real vault file (random key, QTemporaryDir used as
// MAILKEY_DATA_DIR), the strict fake authorization server, providers pointing at it, a ManualClock
// and a helper that obtains a real grant from the fake server (authorize + code exchange, PKCE).
// Token values are never printed: compare them with EXPECT_TRUE(a == b).

#include "core/common/Clock.h"
#include "core/common/Profile.h"
#include "core/common/SecureBytes.h"
#include "core/providers/ProviderRegistry.h"
#include "core/vault/Vault.h"
#include "tests/support/fakeidp/FakeAuthServer.h"

#include <QNetworkAccessManager>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <memory>

namespace mailkey::test {

inline const char *kMsProvider = "fake-ms";
inline const char *kGoogleProvider = "fake-google";
inline const char *kClientId = "lifecycle-client";

struct Grant {
    QString accessToken;
    QString refreshToken;
    QDateTime expiresAt;
    QStringList scopes;
};

class LifecycleFixture : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override;

    // Providers for the fake server: "fake-ms" (kind Microsoft, no revocation endpoint, imap/smtp
    // resources) and "fake-google" (kind Google, revocation endpoint /revoke).
    static ProviderRegistry::Settings providerSettings();
    void installProviders(ProviderRegistry &registry) const;

    // A real grant from the fake server for `user`, with a refresh token.
    Grant obtainGrant(const QString &providerId, const QString &email);
    // obtainGrant + Vault::saveConnection; returns the account id.
    qint64 connectAccount(const QString &providerId, const QString &email, Grant *grant = nullptr,
                          const QString &tenant = QString());
    // Overwrites the stored default token's expiry (so it counts as expired / fresh).
    void setStoredExpiry(qint64 accountId, const QDateTime &expiresAt);

    std::optional<TokenRecord> stored(qint64 accountId, const QString &resource = QStringLiteral("default"));
    Account account(qint64 accountId);
    QList<AuditEntry> auditOf(const QString &action);

    QString keyHex() const { return QString::fromLatin1(m_key.bytes().toHex()); }

    QTemporaryDir m_dir;
    QByteArray m_oldDataDir;
    Profile m_profile;
    SecureBytes m_key;
    std::shared_ptr<Vault> m_vault;
    ManualClock m_clock{QDateTime::currentDateTimeUtc()};
    FakeAuthServer m_server;
    QNetworkAccessManager m_nam;
    ProviderRegistry m_registry;
};

// Runs the event loop for ms milliseconds (tests only).
void spin(int ms);

} // namespace mailkey::test
