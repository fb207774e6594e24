#include "core/vault/AuditReader.h"

#include "core/vault/Vault.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QMetaObject>
#include <QThreadPool>

#include <sqlcipher/sqlite3.h>

#include <mutex>

namespace mailkey {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::AuditReader)
};

Error cancelled()
{
    return {ErrorCode::Cancelled, Text::tr("The activity was not read: the vault was closed meanwhile.")};
}
} // namespace

// What the worker and the reader's thread share. `generation` counts close() calls: work of an
// older generation is skipped. `busy` is the connection while a query runs, for close() to
// interrupt it; the mutex keeps the worker from closing that connection meanwhile.
struct AuditReader::Shared {
    QString path;
    std::atomic<quint64> generation{0};
    std::atomic<int> opened{0};
    std::mutex mutex;
    sqlite3 *busy = nullptr;             // under mutex
    std::function<void()> beforeQuery;   // under mutex (tests)
    std::unique_ptr<Vault> vault;        // the worker only
    quint64 vaultGeneration = 0;         // the worker only
    Error openError{ErrorCode::Internal, // the worker only
                    Text::tr("The activity could not be read off the window's thread.")};
};

AuditReader::AuditReader(QString path, KeySource keySource, QObject *parent)
    : QObject(parent), m_keySource(std::move(keySource)), m_shared(std::make_shared<Shared>()),
      m_pool(std::make_unique<QThreadPool>())
{
    m_shared->path = std::move(path);
    // One thread that never expires: the connection is opened, used and closed on it alone.
    m_pool->setMaxThreadCount(1);
    m_pool->setExpiryTimeout(-1);
}

AuditReader::~AuditReader()
{
    close();
    m_pending.clear();
    m_pool.reset(); // idle after close(); joins the thread
}

void AuditReader::setFallback(Fallback fallback)
{
    m_fallback = std::move(fallback);
}

int AuditReader::connectionsOpened() const
{
    return m_shared->opened.load();
}

void AuditReader::setBeforeQueryForTests(std::function<void()> hook)
{
    const std::lock_guard<std::mutex> lock(m_shared->mutex);
    m_shared->beforeQuery = std::move(hook);
}

std::shared_ptr<std::atomic<quint64>> AuditReader::latestFor(QObject *context)
{
    auto it = m_latest.find(context);
    if (it != m_latest.end())
        return *it;
    auto latest = std::make_shared<std::atomic<quint64>>(0);
    m_latest.insert(context, latest);
    connect(context, &QObject::destroyed, this, [this, context] { m_latest.remove(context); });
    return latest;
}

void AuditReader::read(qint64 accountId, int limit, QObject *context, Done done, bool offThread)
{
    const quint64 seq = ++m_nextSeq;
    std::shared_ptr<std::atomic<quint64>> latest = latestFor(context);
    latest->store(seq);
    m_pending.insert(seq, Pending{accountId, limit, QPointer<QObject>(context), latest, std::move(done)});
    if (m_suspended || !offThread) {
        QMetaObject::invokeMethod(
            this, [this, seq] { deliver(seq, cancelled(), false, 0); }, Qt::QueuedConnection);
        return;
    }
    switch (m_connection) {
    case Connection::Open:
        submit(seq);
        return;
    case Connection::KeyAsked:
        m_waiting.append(seq);
        return;
    case Connection::None:
        m_waiting.append(seq);
        askKey();
        return;
    }
}

void AuditReader::askKey()
{
    m_connection = Connection::KeyAsked;
    const quint64 generation = m_shared->generation.load();
    QPointer<AuditReader> guard(this);
    m_keySource([guard, generation](Result<SecureBytes> key) {
        if (guard)
            guard->keyArrived(generation, std::move(key));
    });
}

void AuditReader::keyArrived(quint64 generation, Result<SecureBytes> key)
{
    if (generation != m_shared->generation.load() || m_connection != Connection::KeyAsked)
        return; // closed meanwhile: the waiting reads were answered then
    const QList<quint64> waiting = std::exchange(m_waiting, {});
    if (!key) {
        m_connection = Connection::None;
        for (const quint64 seq : waiting) {
            QMetaObject::invokeMethod(
                this, [this, seq, e = key.error()] { deliver(seq, e, false, 0); }, Qt::QueuedConnection);
        }
        return;
    }
    m_connection = Connection::Open;
    auto shared = m_shared;
    auto secret = std::make_shared<SecureBytes>(std::move(key).value());
    m_pool->start([shared, secret, generation] {
        if (shared->generation.load() == generation) {
            auto opened = Vault::open(shared->path, *secret, Vault::OpenMode::ReadOnly);
            if (opened) {
                shared->vault = std::move(opened).value();
                shared->vaultGeneration = generation;
                ++shared->opened;
            } else {
                shared->vault.reset();
                shared->openError = opened.error();
            }
        }
        secret->clear();
    });
    for (const quint64 seq : waiting)
        submit(seq);
}

void AuditReader::submit(quint64 seq)
{
    const Pending &p = m_pending[seq];
    auto shared = m_shared;
    const quint64 generation = shared->generation.load();
    // The worker posts to `this`: close() (and so the destructor) waits for the worker first.
    AuditReader *self = this;
    m_pool->start([shared, self, seq, generation, accountId = p.accountId, limit = p.limit, latest = p.latest] {
        Entries result = cancelled();
        bool lost = false;
        if (shared->generation.load() == generation && latest->load() == seq) {
            if (!shared->vault || shared->vaultGeneration != generation) {
                result = shared->openError;
                lost = true;
            } else {
                std::function<void()> hook;
                {
                    const std::lock_guard<std::mutex> lock(shared->mutex);
                    shared->busy = shared->vault->handle();
                    hook = shared->beforeQuery;
                }
                if (hook)
                    hook();
                if (shared->generation.load() == generation)
                    result = shared->vault->audit(accountId, QDateTime(), limit);
                {
                    const std::lock_guard<std::mutex> lock(shared->mutex);
                    shared->busy = nullptr;
                }
                if (!result && result.error().code != ErrorCode::Cancelled) {
                    // Another process may have changed the key (mailkey-cli rotate-key): the
                    // next read opens again with what the keychain holds then.
                    shared->vault.reset();
                    shared->openError = result.error();
                    lost = true;
                }
            }
        }
        QMetaObject::invokeMethod(
            self,
            [self, seq, result = std::move(result), lost, generation]() mutable {
                self->deliver(seq, std::move(result), lost, generation);
            },
            Qt::QueuedConnection);
    });
}

void AuditReader::deliver(quint64 seq, Entries entries, bool connectionLost, quint64 generation)
{
    auto it = m_pending.find(seq);
    if (it == m_pending.end())
        return;
    Pending p = std::move(*it);
    m_pending.erase(it);
    if (connectionLost && generation == m_shared->generation.load() && m_connection == Connection::Open)
        m_connection = Connection::None;
    if (!p.context || p.latest->load() != seq)
        return; // the context is gone, or asked again since: a stale answer
    if (!entries && m_fallback)
        entries = m_fallback(p.accountId, p.limit);
    p.done(std::move(entries));
}

void AuditReader::close()
{
    ++m_shared->generation;
    {
        const std::lock_guard<std::mutex> lock(m_shared->mutex);
        if (m_shared->busy)
            sqlite3_interrupt(m_shared->busy);
    }
    // With no connection (never opened, or lost: the worker dropped it then) there is nothing
    // to close, and no worker thread is started for it.
    const bool open = m_connection != Connection::None;
    m_connection = Connection::None;
    const QList<quint64> waiting = std::exchange(m_waiting, {});
    for (const quint64 seq : waiting) {
        QMetaObject::invokeMethod(
            this, [this, seq] { deliver(seq, cancelled(), false, 0); }, Qt::QueuedConnection);
    }
    if (open) {
        auto shared = m_shared;
        m_pool->start([shared] { shared->vault.reset(); });
    }
    // Reads of the old generation are skipped and a query in flight was interrupted: short.
    m_pool->waitForDone();
}

void AuditReader::suspend()
{
    m_suspended = true;
    close();
}

void AuditReader::resume()
{
    m_suspended = false;
}

} // namespace mailkey
