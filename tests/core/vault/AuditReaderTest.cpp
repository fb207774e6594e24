// AuditReader: the audit log read on a worker thread over a read-only connection of its own. The
// answers are Vault::audit's; a superseded or orphaned answer is dropped; close() and the
// destructor with a read in flight are safe; a key changed under it is recovered from.
#include "core/vault/AuditReader.h"
#include "core/vault/Vault.h"
#include "tests/support/TestUtil.h"

#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <gtest/gtest.h>

#include <atomic>

using namespace mailkey;
using mailkey::test::waitFor;

namespace {

QByteArray bytesOf(const SecureBytes &key)
{
    return QByteArray(key.bytes().constData(), key.size());
}

void expectSame(const QList<AuditEntry> &a, const QList<AuditEntry> &b)
{
    ASSERT_EQ(a.size(), b.size());
    for (int i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a.at(i).id, b.at(i).id);
        EXPECT_EQ(a.at(i).at, b.at(i).at);
        EXPECT_EQ(a.at(i).accountId, b.at(i).accountId);
        EXPECT_EQ(a.at(i).accountEmail, b.at(i).accountEmail);
        EXPECT_EQ(a.at(i).action, b.at(i).action);
        EXPECT_EQ(a.at(i).outcome, b.at(i).outcome);
        EXPECT_EQ(a.at(i).detail, b.at(i).detail);
        EXPECT_EQ(a.at(i).actor, b.at(i).actor);
    }
}

} // namespace

class AuditReaderTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_TRUE(m_dir.isValid());
        m_path = m_dir.path() + QStringLiteral("/profiles/p/vault.db");
        m_key = SecureBytes::random(32);
        auto v = Vault::open(m_path, m_key, Vault::OpenMode::Create);
        ASSERT_TRUE(v.ok()) << v.error().message.toStdString();
        m_vault = std::move(v).value();
        for (int i = 0; i < 60; ++i) {
            AuditEntry e;
            e.action = i % 3 ? QStringLiteral("token.refreshed") : QStringLiteral("token.handed-out");
            e.outcome = QStringLiteral("ok");
            e.accountId = i % 3; // 0: about no mailbox
            e.accountEmail = e.accountId ? QStringLiteral("a%1@example.com").arg(e.accountId) : QString();
            e.detail = QStringLiteral("entry %1").arg(i);
            e.actor = QStringLiteral("mailkey");
            ASSERT_TRUE(m_vault->appendAudit(e).ok());
        }
    }

    // The keychain stand-in: answers later, from the event loop, with the current key.
    std::unique_ptr<AuditReader> makeReader()
    {
        auto reader = std::make_unique<AuditReader>(m_path, [this](std::function<void(Result<SecureBytes>)> done) {
            ++m_keyReads;
            const QByteArray copy = bytesOf(m_key);
            QTimer::singleShot(0, [copy, done] { done(SecureBytes(copy)); });
        });
        return reader;
    }

    QList<AuditEntry> direct(qint64 accountId, int limit)
    {
        auto entries = m_vault->audit(accountId, QDateTime(), limit);
        EXPECT_TRUE(entries.ok());
        return entries.ok() ? *entries : QList<AuditEntry>();
    }

    QTemporaryDir m_dir;
    QString m_path;
    SecureBytes m_key;
    std::unique_ptr<Vault> m_vault;
    int m_keyReads = 0;
};

TEST_F(AuditReaderTest, ReadsWhatVaultAuditReadsOnAnotherThreadOverOneConnection)
{
    auto reader = makeReader();
    QObject context;
    std::optional<AuditReader::Entries> all;
    std::optional<AuditReader::Entries> one;
    QObject other;
    reader->read(0, 1000, &context, [&](AuditReader::Entries e) { all = std::move(e); });
    reader->read(2, 7, &other, [&](AuditReader::Entries e) { one = std::move(e); });
    ASSERT_TRUE(waitFor([&] { return all && one; }));
    ASSERT_TRUE(all->ok()) << all->error().message.toStdString();
    ASSERT_TRUE(one->ok()) << one->error().message.toStdString();
    EXPECT_EQ((*all)->size(), 60);
    expectSame(**all, direct(0, 1000));
    EXPECT_EQ((*one)->size(), 7);
    expectSame(**one, direct(2, 7));
    // One key read and one connection for both, kept for the next read.
    EXPECT_EQ(m_keyReads, 1);
    EXPECT_EQ(reader->connectionsOpened(), 1);
    // An entry written since is seen by the next read (the worker's connection reads committed data).
    AuditEntry e;
    e.action = QStringLiteral("account.added");
    e.outcome = QStringLiteral("ok");
    ASSERT_TRUE(m_vault->appendAudit(e).ok());
    all.reset();
    reader->read(0, 1000, &context, [&](AuditReader::Entries r) { all = std::move(r); });
    ASSERT_TRUE(waitFor([&] { return all.has_value(); }));
    ASSERT_TRUE(all->ok());
    expectSame(**all, direct(0, 1000));
    EXPECT_EQ((*all)->first().action, QStringLiteral("account.added"));
    EXPECT_EQ(reader->connectionsOpened(), 1);
}

TEST_F(AuditReaderTest, TheReadOnlyConnectionWritesNothing)
{
    auto ro = Vault::open(m_path, m_key, Vault::OpenMode::ReadOnly);
    ASSERT_TRUE(ro.ok()) << ro.error().message.toStdString();
    AuditEntry e;
    e.action = QStringLiteral("account.added");
    EXPECT_FALSE((*ro)->appendAudit(e).ok());
    EXPECT_EQ((*ro)->audit(0, QDateTime(), 1000)->size(), 60);
    auto wrong = Vault::open(m_path, SecureBytes::random(32), Vault::OpenMode::ReadOnly);
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().code, ErrorCode::VaultWrongKey);
}

TEST_F(AuditReaderTest, OnlyTheLatestAnswerOfAContextIsDeliveredAndNoneAfterItIsGone)
{
    auto reader = makeReader();
    QObject context;
    QList<qint64> answeredFor;
    QList<AuditEntry> last;
    for (const qint64 account : {1, 2, 0, 1}) {
        reader->read(account, 1000, &context, [&, account](AuditReader::Entries e) {
            answeredFor.append(account);
            ASSERT_TRUE(e.ok());
            last = *e;
        });
    }
    auto gone = std::make_unique<QObject>();
    bool goneAnswered = false;
    reader->read(0, 10, gone.get(), [&](AuditReader::Entries) { goneAnswered = true; });
    gone.reset();
    // A later context's answer proves the earlier ones were delivered or dropped by then.
    QObject later;
    bool laterAnswered = false;
    reader->read(0, 1, &later, [&](AuditReader::Entries) { laterAnswered = true; });
    ASSERT_TRUE(waitFor([&] { return laterAnswered; }));
    waitFor([] { return false; }, 100);
    EXPECT_EQ(answeredFor, QList<qint64>{1}); // the last read, once
    expectSame(last, direct(1, 1000));
    EXPECT_FALSE(goneAnswered);

    // Asked again while the answer is on its way: the first answer is dropped too.
    answeredFor.clear();
    reader->read(2, 1000, &context, [&](AuditReader::Entries) { answeredFor.append(2); });
    QThread::msleep(50); // the worker answers meanwhile; the answer waits in the event queue
    reader->read(0, 1000, &context, [&](AuditReader::Entries e) {
        answeredFor.append(0);
        last = *e;
    });
    ASSERT_TRUE(waitFor([&] { return !answeredFor.isEmpty(); }));
    waitFor([] { return false; }, 100);
    EXPECT_EQ(answeredFor, QList<qint64>{0});
    expectSame(last, direct(0, 1000));
}

TEST_F(AuditReaderTest, CloseAndDestructionWithAReadInFlightAreSafe)
{
    auto reader = makeReader();
    int fallbacks = 0;
    reader->setFallback([&](qint64 accountId, int limit) -> AuditReader::Entries {
        ++fallbacks;
        return direct(accountId, limit);
    });
    std::atomic<bool> inQuery{false};
    reader->setBeforeQueryForTests([&inQuery] {
        inQuery = true;
        QThread::msleep(300);
    });
    QObject context;
    std::optional<AuditReader::Entries> answer;
    reader->read(1, 1000, &context, [&](AuditReader::Entries e) { answer = std::move(e); });
    ASSERT_TRUE(waitFor([&] { return inQuery.load(); }));
    reader->close(); // waits for the worker; the read is not run on a closing connection
    EXPECT_FALSE(answer.has_value());
    ASSERT_TRUE(waitFor([&] { return answer.has_value(); }));
    ASSERT_TRUE(answer->ok());
    EXPECT_EQ(fallbacks, 1); // answered by the fallback, on this thread
    expectSame(**answer, direct(1, 1000));

    // The next read opens a new connection.
    inQuery = false;
    reader->setBeforeQueryForTests({});
    answer.reset();
    reader->read(2, 1000, &context, [&](AuditReader::Entries e) { answer = std::move(e); });
    ASSERT_TRUE(waitFor([&] { return answer.has_value(); }));
    EXPECT_EQ(fallbacks, 1);
    EXPECT_EQ(reader->connectionsOpened(), 2);
    expectSame(**answer, direct(2, 1000));

    // Destroyed while a read runs, and with another queued: no callback, no crash (ASan build).
    bool called = false;
    reader->setBeforeQueryForTests([&inQuery] {
        inQuery = true;
        QThread::msleep(200);
    });
    QObject second;
    reader->read(0, 1000, &context, [&](AuditReader::Entries) { called = true; });
    reader->read(1, 1000, &second, [&](AuditReader::Entries) { called = true; });
    ASSERT_TRUE(waitFor([&] { return inQuery.load(); }));
    reader.reset();
    waitFor([] { return false; }, 300);
    EXPECT_FALSE(called);
}

TEST_F(AuditReaderTest, AKeyChangedUnderTheConnectionIsRecoveredFrom)
{
    auto reader = makeReader();
    int fallbacks = 0;
    reader->setFallback([&](qint64 accountId, int limit) -> AuditReader::Entries {
        ++fallbacks;
        return direct(accountId, limit);
    });
    QObject context;
    std::optional<AuditReader::Entries> answer;
    reader->read(0, 1000, &context, [&](AuditReader::Entries e) { answer = std::move(e); });
    ASSERT_TRUE(waitFor([&] { return answer.has_value(); }));
    EXPECT_EQ(fallbacks, 0);

    // Another process rotates the key (mailkey-cli rotate-key): the open connection reads no more.
    SecureBytes newKey = SecureBytes::random(32);
    ASSERT_TRUE(m_vault->rekey(newKey).ok());
    m_key = SecureBytes(bytesOf(newKey));
    answer.reset();
    reader->read(0, 1000, &context, [&](AuditReader::Entries e) { answer = std::move(e); });
    ASSERT_TRUE(waitFor([&] { return answer.has_value(); }));
    ASSERT_TRUE(answer->ok());
    expectSame(**answer, direct(0, 1000));
    EXPECT_EQ(fallbacks, 1);
    // Then a new connection with the key the keychain holds now.
    answer.reset();
    reader->read(1, 1000, &context, [&](AuditReader::Entries e) { answer = std::move(e); });
    ASSERT_TRUE(waitFor([&] { return answer.has_value(); }));
    ASSERT_TRUE(answer->ok());
    expectSame(**answer, direct(1, 1000));
    EXPECT_EQ(fallbacks, 1);
    EXPECT_EQ(reader->connectionsOpened(), 2);
    EXPECT_EQ(m_keyReads, 2);
}

TEST_F(AuditReaderTest, AKeychainFailureFallsBackOrSaysSo)
{
    AuditReader reader(m_path, [](std::function<void(Result<SecureBytes>)> done) {
        QTimer::singleShot(0, [done] { done(Error(ErrorCode::KeychainLocked, QStringLiteral("locked"))); });
    });
    QObject context;
    std::optional<AuditReader::Entries> answer;
    reader.read(0, 1000, &context, [&](AuditReader::Entries e) { answer = std::move(e); });
    ASSERT_TRUE(waitFor([&] { return answer.has_value(); }));
    ASSERT_FALSE(answer->ok());
    EXPECT_EQ(answer->error().code, ErrorCode::KeychainLocked);
    reader.setFallback([&](qint64 accountId, int limit) -> AuditReader::Entries { return direct(accountId, limit); });
    answer.reset();
    reader.read(0, 1000, &context, [&](AuditReader::Entries e) { answer = std::move(e); });
    ASSERT_TRUE(waitFor([&] { return answer.has_value(); }));
    ASSERT_TRUE(answer->ok());
    expectSame(**answer, direct(0, 1000));
    EXPECT_EQ(reader.connectionsOpened(), 0);
}
