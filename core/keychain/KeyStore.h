#pragma once

#include "core/common/Result.h"
#include "core/common/SecureBytes.h"

#include <QObject>
#include <QQueue>
#include <QString>

#include <functional>
#include <memory>

namespace mailkey {

class SecretServiceReader;

// Asynchronous access to the platform keychain (QtKeychain: Secret Service / KWallet, macOS
// Keychain, Windows Credential Manager). Jobs run one at a time; each next job is started from
// the event loop, never from inside the previous job's finished handler (PLATFORM-NOTES).
// The insecure plaintext fallback of QtKeychain is always off.
// Linux: reads first try SecretServiceReader (the same Secret Service entry over QtDBus, without
// loading libsecret); whatever it cannot settle is read through QtKeychain as before.
class KeyStore : public QObject {
    Q_OBJECT
public:
    explicit KeyStore(QObject *parent = nullptr);
    ~KeyStore() override;

    using ReadCallback = std::function<void(Result<SecureBytes>)>;
    using WriteCallback = std::function<void(Status)>;

    // An entry that does not exist reads as ErrorCode::NotFound. Note that a locked Secret
    // Service also reads an existing entry as "not found"; see probeLocked().
    void read(const QString &key, ReadCallback done);
    void write(const QString &key, const QByteArray &value, WriteCallback done);
    void remove(const QString &key, WriteCallback done); // removing a missing entry is success

    // Linux: asks the Secret Service over D-Bus whether its default collection is locked.
    // Answers std::nullopt where that cannot be told (other platforms, no service).
    void probeLocked(std::function<void(std::optional<bool>)> done);

    // Human-readable name of the secure storage in use on this platform.
    static QString backendName();
    // Whether a session bus (Linux) is reachable at all; false means no keychain.
    static bool sessionBusAvailable();

    // The message for "no keychain at all", naming the supported keyrings.
    static Error noKeychainError();

    // Fault injection and tracing for tests: called for every operation of every KeyStore of
    // the process, right before it starts (Before) and right after the keychain answered, before
    // its callback runs (After). `entry` is the entry's name, never its value. Not thread-safe:
    // set it once, before any KeyStore is used.
    enum class Operation {
        Read,
        Write,
        Remove
    };
    enum class Phase {
        Before,
        After
    };
    using OperationObserver = void (*)(Operation op, const QString &entry, Phase phase);
    static void setOperationObserver(OperationObserver observer);

private:
    struct Job;
    void enqueue(Job job);
    void startNext();
    void readWithQtKeychain(Job job);
    void removeWithQtKeychain(Job job);
    void finishAndContinue(const std::function<void()> &callback);

    std::unique_ptr<QQueue<Job>> m_queue;
    bool m_busy = false;
    Operation m_currentOp = Operation::Read; // of the job in flight, for the observer
    QString m_currentEntry;
    SecretServiceReader *m_direct = nullptr; // child; made on the first read where usable
};

} // namespace mailkey
