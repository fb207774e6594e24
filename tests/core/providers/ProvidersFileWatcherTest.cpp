// ProvidersFileWatcher: a providers.json written, replaced by rename (as editors save), created,
// broken or removed outside MailKey is noticed; touching it without changing it is not. And
// ProviderFileEditor's checks are ProviderFile's.
#include "core/providers/ProvidersFileWatcher.h"
#include "core/providers/ProviderFile.h"
#include "core/providers/ProviderFileEditor.h"
#include "tests/support/ReplaceFile.h"
#include "tests/support/TestUtil.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <gtest/gtest.h>

using namespace mailkey;
using mailkey::test::waitFor;

namespace {

QByteArray providersWith(const QString &id)
{
    return QStringLiteral(R"({"providers":[{"id":"%1","issuer":"https://%1.example.com"}]})").arg(id).toUtf8();
}

} // namespace

TEST(ProvidersFileWatcher, SeesCreationReplacementInPlaceWritesAndRemoval)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("providers.json"));
    ProvidersFileWatcher watcher;
    watcher.setDelay(20);
    QSignalSpy changed(&watcher, &ProvidersFileWatcher::changed);
    watcher.setPath(path); // does not exist yet
    EXPECT_EQ(watcher.path(), path);

    ASSERT_TRUE(test::replaceFileByRename(path, providersWith(QStringLiteral("one"))));
    ASSERT_TRUE(waitFor([&] { return changed.count() == 1; }, 5000));

    ASSERT_TRUE(test::replaceFileByRename(path, providersWith(QStringLiteral("two")))); // replaced: a new inode
    ASSERT_TRUE(waitFor([&] { return changed.count() == 2; }, 5000));

    { // written in place, after the replacement (the watch followed the new file)
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"providers": [)");
    }
    ASSERT_TRUE(waitFor([&] { return changed.count() == 3; }, 5000));

    ASSERT_TRUE(QFile::remove(path));
    ASSERT_TRUE(waitFor([&] { return changed.count() == 4; }, 5000));

    // Something else in the folder is not the providers file.
    QFile other(dir.filePath(QStringLiteral("settings.ini")));
    ASSERT_TRUE(other.open(QIODevice::WriteOnly));
    other.write("x");
    other.close();
    EXPECT_FALSE(waitFor([&] { return changed.count() > 4; }, 400));

    watcher.setPath(QString());
    ASSERT_TRUE(test::replaceFileByRename(path, providersWith(QStringLiteral("three"))));
    EXPECT_FALSE(waitFor([&] { return changed.count() > 4; }, 400));
}

// A first run: the configuration folder does not exist yet; it is made, then the file in it.
TEST(ProvidersFileWatcher, SeesAFileInAFolderMadeLater)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("config/MailKey/providers.json"));
    ProvidersFileWatcher watcher;
    watcher.setDelay(20);
    QSignalSpy changed(&watcher, &ProvidersFileWatcher::changed);
    watcher.setPath(path);
    ASSERT_TRUE(QDir().mkpath(dir.filePath(QStringLiteral("config"))));
    EXPECT_FALSE(waitFor([&] { return changed.count() > 0; }, 300)); // no file yet: nothing changed
    ASSERT_TRUE(QDir().mkpath(dir.filePath(QStringLiteral("config/MailKey"))));
    EXPECT_FALSE(waitFor([&] { return changed.count() > 0; }, 300));
    ASSERT_TRUE(test::replaceFileByRename(path, providersWith(QStringLiteral("late"))));
    ASSERT_TRUE(waitFor([&] { return changed.count() == 1; }, 5000));
}

TEST(ProviderFileEditor, ChecksAreTheLoadersAndOtherEntriesAreKept)
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("providers.json"));
    ProviderFileEditor editor(path);
    ASSERT_TRUE(editor.load().ok()); // missing: no providers
    EXPECT_TRUE(editor.entries().isEmpty());

    const QJsonObject good{{QStringLiteral("id"), QStringLiteral("good")},
                           {QStringLiteral("issuer"), QStringLiteral("https://good.example.com")},
                           {QStringLiteral("future_field"), 1}};
    // An unknown field is a problem for the loader, so for the editor too.
    const QList<ProviderProblem> unknown = editor.check(good);
    ASSERT_EQ(unknown.size(), 1);
    EXPECT_EQ(unknown.first().field, QStringLiteral("future_field"));
    EXPECT_FALSE(editor.save(good).ok());
    EXPECT_FALSE(QFile::exists(path));

    QJsonObject clean = good;
    clean.remove(QStringLiteral("future_field"));
    ASSERT_TRUE(editor.save(clean).ok());
    // Same redirect path as another entry: refused, by the loader's rule.
    const QJsonObject samePath{{QStringLiteral("id"), QStringLiteral("second")},
                               {QStringLiteral("issuer"), QStringLiteral("https://second.example.com")},
                               {QStringLiteral("redirect_path"), QStringLiteral("/oauth/good")}};
    const QList<ProviderProblem> clash = editor.check(samePath);
    ASSERT_FALSE(clash.isEmpty());
    EXPECT_EQ(clash.first().field, QStringLiteral("redirect_path"));
    // Same id: refused.
    EXPECT_FALSE(editor.check(clean).isEmpty());
    // Replacing itself is fine.
    EXPECT_TRUE(editor.check(clean, QStringLiteral("good")).isEmpty());

    // A change made outside since load() is kept by save().
    {
        QFile f(path);
        ASSERT_TRUE(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(R"({"providers":[{"id":"good","issuer":"https://good.example.com"},
                                  {"id":"outside","issuer":"https://outside.example.com"}]})");
    }
    const QJsonObject third{{QStringLiteral("id"), QStringLiteral("third")},
                            {QStringLiteral("issuer"), QStringLiteral("https://third.example.com")}};
    ASSERT_TRUE(editor.save(third).ok());
    const Result<ProviderFile::Contents> loaded = ProviderFile::load(path);
    ASSERT_TRUE(loaded.ok());
    QStringList ids;
    for (const Provider &p : loaded->providers)
        ids.append(p.id);
    EXPECT_EQ(ids, (QStringList{QStringLiteral("good"), QStringLiteral("outside"), QStringLiteral("third")}));
    ASSERT_TRUE(editor.remove(QStringLiteral("outside")).ok());
    EXPECT_EQ(ProviderFile::load(path)->providers.size(), 2);
}
