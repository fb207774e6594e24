#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace mailkey {

// Every failure a caller can see. Messages are written for the person using the app: what
// happened and what to do. They never contain a secret (see Redactor).
enum class ErrorCode {
    // Keychain
    NoKeychain,     // no secure storage backend at all (no D-Bus session, no Secret Service)
    KeychainLocked, // the keyring is locked, or access was denied
    KeyMissing,     // the vault exists but its key is not in the keychain
    KeychainFailed, // any other keychain failure
    // Vault
    VaultWrongKey,    // SQLITE_NOTADB: the key does not open this file
    VaultDamaged,     // SQLITE_CORRUPT, truncated or malformed file
    VaultReadOnly,    // file or folder not writable
    DiskFull,         // SQLITE_FULL
    VaultBusy,        // another process held the lock for longer than the busy timeout
    VaultIo,          // other I/O failure
    NotACipherBuild,  // linked against a plain SQLite: refuse to write anything
    VaultUnsafe,      // the folder or a file of the vault can be changed by another user, or is a link
    VaultNewerFormat, // a SQLCipher 4 file on a SQLCipher 3 build: left unchanged
    // Data
    NotFound,
    InvalidInput,
    // OAuth / network
    Network,     // transient: no connection, timeout, 5xx, 429
    Provider,    // the provider answered with an error we cannot retry
    NeedsSignIn, // invalid_grant, interaction_required, consent_required, revoked
    Cancelled,
    Expired,
    Config, // missing client id, bad providers.json
    Internal,
};

struct Error {
    ErrorCode code = ErrorCode::Internal;
    QString message; // user-facing, redacted, actionable

    Error() = default;
    Error(ErrorCode c, QString m) : code(c), message(std::move(m)) {}
};

// A small expected-like type: either a value or an Error. Callers must look at it.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

} // namespace mailkey
