#pragma once

#include "core/common/Result.h"
#include "core/common/SecureBytes.h"
#include "core/vault/VaultSnapshot.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <utility>

namespace mailkey {

// scrypt's cost parameters.
struct BackupKdfParams {
    int log2N = 17; // N = 131072: 128 MiB with r = 8
    int r = 8;
    int p = 1;
};

// An encrypted MailKey backup (mailkey-cli export / import), format version 1; the format is
// documented in docs/backup-format.md, and that document and this code change together.
//
//   header (89 bytes, authenticated as AAD)  magic, version, scrypt N/r/p, salt, AES-256-GCM
//                                            nonce, ciphertext length, passphrase check
//   ciphertext                               the payload (records, see BackupPayload in the .cpp)
//   tag (16 bytes)                           GCM tag
//
// Key derivation: scrypt (OpenSSL EVP_PBE_scrypt) of the passphrase and a random 16-byte salt
// gives 64 bytes: the first 32 are the AES-256-GCM key, the last 32 key an HMAC-SHA256 of the
// header (the passphrase check), which tells a wrong passphrase from a damaged file. A random
// 96-bit nonce per file (every file has a new salt, hence a new key, too).
//
// Every buffer that holds the passphrase, a derived key or the plaintext payload is wiped after
// use. No message names a secret.
class BackupFile {
public:
    static constexpr int FormatVersion = 1;
    static constexpr int HeaderSize = 89;
    static constexpr int TagSize = 16;

    using KdfParams = BackupKdfParams;

    // What a backup holds besides the vault: the settings and providers files, by name
    // ("settings.ini", "providers.json"), and facts about where it was made.
    struct Contents {
        VaultSnapshot vault;
        QList<std::pair<QString, QByteArray>> files;
        QDateTime createdAt;
        QString writer;  // "MailKey 1.2.0"
        QString profile; // the profile it was exported from
    };

    // Why a file could not be read. Each has its own message (and mailkey-cli its exit code).
    enum class Problem {
        None,
        NotABackup,      // no MailKey backup magic number at the start
        NewerVersion,    // written by a newer MailKey: format version > FormatVersion
        WrongPassphrase, // the passphrase check does not match
        Damaged,         // truncated, changed, or impossible header values; tag mismatch
    };

    // The whole file. Fails only when the system cannot give random bytes or memory.
    static Result<QByteArray> write(const Contents &contents, const SecureBytes &passphrase,
                                    const KdfParams &params = KdfParams());
    // `problem` (if given) says which kind of failure it was; the Error has code InvalidInput and
    // a message for the person.
    static Result<Contents> read(const QByteArray &file, const SecureBytes &passphrase, Problem *problem = nullptr);
    // True when `start` begins with the backup magic number (a file that is not a backup is
    // refused before a passphrase is asked for).
    static bool hasMagic(const QByteArray &start);
    // The format version of a file with the magic number, else 0.
    static int versionOf(const QByteArray &start);
};

} // namespace mailkey
