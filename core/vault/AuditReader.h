#pragma once

#include "core/common/Result.h"
#include "core/common/SecureBytes.h"
#include "core/vault/VaultTypes.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThreadPool;

namespace mailkey {

// Reads the audit log off the thread that made it (the GUI thread): on a worker thread of its
// own, over a read-only connection of its own to the vault file (Vault::OpenMode::ReadOnly: the
// raw key, no key derivation, the header checked, nothing written). The connection is opened on
// the worker at the first read, with a key asked of `keySource` (the keychain, asynchronously;
// the copy is wiped on the worker once the file is open), and it is used and closed only there.
// Answers come back on the thread that made the reader, by queued call.
//
// Stale answers are dropped: every read names a context object, and only the answer to the
// latest read of that context is delivered, and none once the context is gone. A read that a
// newer one of the same context superseded before it started is not run at all.
//
// When the read cannot run off the thread (the key could not be read, the connection failed, the
// reader was closed or suspended meanwhile), the fallback (setFallback; the service: the vault's
// own connection) answers on this thread; without one the error is delivered.
//
// close() ends the connection: a read in flight is interrupted (sqlite3_interrupt) and waited
// for, and the next read opens a new connection with a key asked again (after a key rotation,
// a reset). suspend() closes and keeps reads on the fallback until resume(). The destructor
// closes and waits; no callback runs after it.
class AuditReader : public QObject {
    Q_OBJECT
public:
    using Entries = Result<QList<AuditEntry>>;
    using Done = std::function<void(Entries)>;
    using KeySource = std::function<void(std::function<void(Result<SecureBytes>)>)>;
    using Fallback = std::function<Entries(qint64 accountId, int limit)>;

    AuditReader(QString path, KeySource keySource, QObject *parent = nullptr);
    ~AuditReader() override;

    void setFallback(Fallback fallback);
    // As Vault::audit(accountId, {}, limit): newest first, accountId 0 = every entry. `offThread`
    // false: the fallback answers (later, on this thread, in the same order as the other reads).
    void read(qint64 accountId, int limit, QObject *context, Done done, bool offThread = true);
    void close();
    void suspend();
    void resume();

    // Tests: connections opened so far; a function the worker runs right before each query.
    int connectionsOpened() const;
    void setBeforeQueryForTests(std::function<void()> hook);

private:
    struct Shared;
    struct Pending {
        qint64 accountId = 0;
        int limit = 0;
        QPointer<QObject> context;
        std::shared_ptr<std::atomic<quint64>> latest;
        Done done;
    };
    enum class Connection {
        None,
        KeyAsked,
        Open
    };

    std::shared_ptr<std::atomic<quint64>> latestFor(QObject *context);
    void askKey();
    void keyArrived(quint64 generation, Result<SecureBytes> key);
    void submit(quint64 seq);
    void answerWithFallback(quint64 seq, Entries entries);
    void deliver(quint64 seq, Entries entries, bool connectionLost, quint64 generation);

    KeySource m_keySource;
    Fallback m_fallback;
    std::shared_ptr<Shared> m_shared;
    std::unique_ptr<QThreadPool> m_pool;
    Connection m_connection = Connection::None;
    bool m_suspended = false;
    quint64 m_nextSeq = 0;
    QList<quint64> m_waiting; // reads waiting for the key
    QHash<quint64, Pending> m_pending;
    QHash<QObject *, std::shared_ptr<std::atomic<quint64>>> m_latest;
};

} // namespace mailkey
