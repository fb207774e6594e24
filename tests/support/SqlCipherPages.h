#pragma once

#include <QByteArray>
#include <QString>

namespace mailkey::test {

// Decrypts every page of a SQLCipher 3 database file and of its WAL with the raw key, the way
// SQLCipher itself does (AES-256-CBC, per-page IV in the reserved area, 1024-byte pages,
// 16-byte salt at the start of page 1). Lets a test look at the plaintext of live AND free
// pages, so "no token bytes are left behind" can be checked for real.
// Returns the concatenated plaintext of all pages, or an empty array if a file is missing.
QByteArray decryptDatabasePages(const QString &dbPath, const QByteArray &rawKey);
QByteArray decryptWalPages(const QString &walPath, const QByteArray &rawKey);

// Raw bytes of the database, WAL and rollback journal files (no decryption).
QByteArray rawVaultBytes(const QString &dbPath);

} // namespace mailkey::test
