#include "core/service/ProfileEraser.h"

#include "core/common/TextSafety.h"
#include "core/keychain/KeyStore.h"
#include "core/providers/ProviderFile.h"
#include "core/service/AppSettings.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

namespace mailkey::ProfileEraser {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::ProfileEraser)
};

QString oneLine(const QString &text)
{
    return TextSafety::replaced(text);
}

// How an entry is named in the report: the part after "vault-key:" (the redactor masks the rest).
QString entryName(const QString &entry)
{
    return QStringLiteral("\"%1\" \"%2\"")
        .arg(QString::fromLatin1(KeychainService), entry.mid(entry.indexOf(u':') + 1));
}

void removeFile(const QString &file, EraseReport &report)
{
    if (QFile::remove(file))
        report.removed << QDir::toNativeSeparators(file);
    else
        report.problems << Text::tr("%1 could not be removed.").arg(QDir::toNativeSeparators(file));
}
} // namespace

void checkKeychain(KeyStore *store, const Profile &profile, std::function<void(std::optional<Error>)> done)
{
    // A locked Secret Service reads an existing entry as "not found", so it is asked first.
    store->probeLocked([store, profile, done = std::move(done)](std::optional<bool> locked) mutable {
        if (locked.value_or(false)) {
            done(Error(ErrorCode::KeychainLocked,
                       Text::tr("Your keyring is locked. Unlock it (for example with Seahorse, or by logging in to "
                                "your desktop session) and erase again. Nothing was erased.")));
            return;
        }
        store->read(profile.keychainKey(), [done = std::move(done)](Result<SecureBytes> key) {
            if (!key && key.error().code != ErrorCode::NotFound) {
                done(Error(key.error().code, Text::tr("%1 Nothing was erased: without the keychain, MailKey can "
                                                      "neither revoke the accounts nor remove the vault's key.")
                                                 .arg(oneLine(key.error().message))));
                return;
            }
            done(std::nullopt);
        });
    });
}

void revokeAll(QList<Account> accounts, Remover remove, std::shared_ptr<EraseReport> report, std::function<void()> done)
{
    if (accounts.isEmpty()) {
        done();
        return;
    }
    const Account a = accounts.takeFirst();
    Remover next = remove;
    remove(a.email, a.provider,
           [a, accounts = std::move(accounts), next = std::move(next), report,
            done = std::move(done)](Result<TokenBroker::RemovalAnswer> r) mutable {
               if (!r)
                   report->problems << Text::tr("%1: not revoked (%2); its tokens are deleted with the vault.")
                                           .arg(a.email, oneLine(r.error().message));
               else if (r->outcome.revokedAtProvider)
                   report->removed << Text::tr("%1: MailKey's access revoked at the provider").arg(a.email);
               else
                   report->removed << Text::tr("%1: deleted here; %2").arg(a.email, oneLine(r->outcome.message));
               revokeAll(std::move(accounts), std::move(next), report, std::move(done));
           });
}

void removeFiles(const Profile &profile, EraseReport &report)
{
    const QString dir = profile.dataDir();
    if (!QFileInfo::exists(dir))
        return;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    QStringList files;
    while (it.hasNext())
        files << it.next();
    for (const QString &file : std::as_const(files))
        removeFile(file, report);
    if (QDir(dir).removeRecursively())
        report.removed << QDir::toNativeSeparators(dir) + QLatin1Char('/');
    else
        report.problems << Text::tr("The folder %1 could not be removed.").arg(QDir::toNativeSeparators(dir));
}

void removeKeychainEntries(KeyStore *store, QStringList entries, std::shared_ptr<EraseReport> report,
                           std::function<void()> done)
{
    if (entries.isEmpty()) {
        done();
        return;
    }
    const QString entry = entries.takeFirst();
    // Removing a missing entry is success: ask first, to report only what was there.
    store->read(entry, [store, entry, entries = std::move(entries), report,
                        done = std::move(done)](Result<SecureBytes> present) mutable {
        if (!present && present.error().code == ErrorCode::NotFound) {
            removeKeychainEntries(store, std::move(entries), report, std::move(done));
            return;
        }
        store->remove(entry, [store, entry, entries = std::move(entries), report,
                              done = std::move(done)](Status removed) mutable {
            if (removed)
                report->removed << Text::tr("keychain entry %1").arg(entryName(entry));
            else
                report->problems << Text::tr("The keychain entry %1 could not be removed: %2")
                                        .arg(entryName(entry), oneLine(removed.error().message));
            removeKeychainEntries(store, std::move(entries), report, std::move(done));
        });
    });
}

void removeSharedFiles(EraseReport &report)
{
    const AppSettings settings;
    for (const QString &file : {settings.path(), ProviderFile::defaultPath()}) {
        if (QFileInfo::exists(file))
            removeFile(file, report);
    }
    // The empty folders MailKey made (not if anything else is in them).
    for (const QString &dir :
         {QString(Profile::dataRoot() + QStringLiteral("/profiles")), Profile::dataRoot(), Profile::configRoot()}) {
        if (QFileInfo::exists(dir) && QDir().rmdir(dir))
            report.removed << QDir::toNativeSeparators(dir) + QLatin1Char('/');
    }
}

bool isLastProfile(const Profile &profile)
{
    QStringList names{QString::fromLatin1(Profile::DefaultName)};
    names << QDir(Profile::dataRoot() + QStringLiteral("/profiles")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : std::as_const(names)) {
        if (name == profile.name() || !Profile::isValidName(name))
            continue;
        if (QFileInfo::exists(Profile(name).dataDir()))
            return false;
    }
    return true;
}

} // namespace mailkey::ProfileEraser
