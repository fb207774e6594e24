#pragma once

#include <QString>

namespace mailkey {

// A profile is an independent vault (own database file, own keychain entry). "default" unless
// --profile NAME is given. Names are restricted so they are safe in file names and keychain keys.
class Profile {
public:
    static constexpr const char *DefaultName = "default";

    explicit Profile(QString name = QString::fromLatin1(DefaultName));

    static bool isValidName(const QString &name);

    const QString &name() const { return m_name; }
    QString dataDir() const;            // <AppDataLocation>/profiles/<name>, created 0700 on demand
    QString databasePath() const;       // <dataDir>/vault.db
    QString lockPath() const;           // <dataDir>/vault.lock (cross-process refresh lock)
    QString keychainKey() const;        // "vault-key:<name>"
    QString pendingKeychainKey() const; // "vault-key:<name>:pending" (during key rotation)
    QString ipcSocketName() const;      // per-user, per-profile local socket name

    // Root of per-user application data. Honours MAILKEY_DATA_DIR (tests, portable installs).
    static QString dataRoot();
    static QString configRoot();

private:
    QString m_name;
};

// The keychain service name all entries are stored under.
inline constexpr const char *KeychainService = "MailKey";

} // namespace mailkey
