#include "core/service/Backups.h"

#include "core/providers/ProviderFile.h"
#include "core/service/AppSettings.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QSaveFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QThreadPool>

#include <memory>

namespace mailkey::Backups {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::Backups)
};

// Runs `work` on a pool thread and `deliver` with its result on the calling thread's event loop,
// unless `context` is gone by then.
template <typename T>
void offThread(QObject *context, std::function<T()> work, std::function<void(T)> deliver)
{
    auto *relay = new QObject; // in the calling thread; deleted once the result is delivered
    QPointer<QObject> guard(context);
    QThreadPool::globalInstance()->start(
        [relay, guard, work = std::move(work), deliver = std::move(deliver)]() mutable {
            auto result = std::make_shared<T>(work());
            QMetaObject::invokeMethod(
                relay,
                [relay, guard, result, deliver = std::move(deliver)]() {
                    delete relay;
                    if (guard)
                        deliver(std::move(*result));
                },
                Qt::QueuedConnection);
        });
}

// settings.ini of the backup: provider/... keys this computer does not set yet. Returns the keys
// added.
QStringList mergeSettings(const QByteArray &ini)
{
    QTemporaryDir dir;
    if (!dir.isValid())
        return {};
    const QString path = dir.filePath(QStringLiteral("settings.ini"));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(ini) != ini.size())
            return {};
    }
    const QSettings theirs(path, QSettings::IniFormat);
    AppSettings mine;
    QStringList added;
    for (const QString &key : theirs.allKeys()) {
        const QStringList parts = key.split(QLatin1Char('/'));
        if (parts.size() != 3 || parts[0] != QLatin1String("provider"))
            continue;
        if (!mine.providerValue(parts[1], parts[2]).isEmpty())
            continue;
        mine.setProviderValue(parts[1], parts[2], theirs.value(key).toString());
        added << key;
    }
    mine.sync();
    return added;
}

QString restoreProvidersFile(const QByteArray &content)
{
    const QString path = providersPath();
    QFile existing(path);
    if (existing.exists()) {
        if (existing.open(QIODevice::ReadOnly) && existing.readAll() == content)
            return {};
        const QString aside = path + QStringLiteral(".from-backup");
        if (writeAtomically(aside, content))
            return Text::tr("This computer has its own %1: the backup's copy was written to %2 for you to compare.")
                .arg(QDir::toNativeSeparators(path), QDir::toNativeSeparators(aside));
        return Text::tr("This computer has its own %1, and the backup's copy could not be written beside it.")
            .arg(QDir::toNativeSeparators(path));
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (writeAtomically(path, content))
        return Text::tr("The custom providers were restored to %1.").arg(QDir::toNativeSeparators(path));
    return Text::tr("Warning: the custom providers could not be written to %1.").arg(QDir::toNativeSeparators(path));
}
} // namespace

QString providersPath()
{
    const QString configured = AppSettings().customProvidersFile();
    return configured.isEmpty() ? ProviderFile::defaultPath() : configured;
}

QList<std::pair<QString, QByteArray>> collectFiles()
{
    QList<std::pair<QString, QByteArray>> files;
    const std::pair<QString, QString> wanted[] = {{QStringLiteral("settings.ini"), AppSettings::defaultPath()},
                                                  {QStringLiteral("providers.json"), providersPath()}};
    for (const auto &[name, path] : wanted) {
        QFile f(path);
        if (f.exists() && f.open(QIODevice::ReadOnly))
            files.append({name, f.readAll()});
    }
    return files;
}

BackupFile::Contents contentsOf(VaultSnapshot snapshot, const QString &profileName)
{
    BackupFile::Contents contents;
    contents.vault = std::move(snapshot);
    contents.createdAt = QDateTime::currentDateTimeUtc();
    contents.writer = QStringLiteral("MailKey %1").arg(QStringLiteral(MAILKEY_VERSION));
    contents.profile = profileName;
    contents.files = collectFiles();
    return contents;
}

QStringList restoreFiles(const QList<std::pair<QString, QByteArray>> &files)
{
    QStringList said;
    for (const auto &[name, content] : files) {
        if (name == QLatin1String("settings.ini")) {
            const QStringList added = mergeSettings(content);
            if (!added.isEmpty())
                said << Text::tr("Settings restored: %1.").arg(added.join(QStringLiteral(", ")));
        } else if (name == QLatin1String("providers.json")) {
            const QString line = restoreProvidersFile(content);
            if (!line.isEmpty())
                said << line;
        }
    }
    return said;
}

Status writeAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile out(path);
    const bool written = out.open(QIODevice::WriteOnly)
                         && out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
                         && out.write(bytes) == bytes.size() && out.commit();
    if (!written) {
        const QString why = out.errorString();
        out.cancelWriting();
        return Error(ErrorCode::VaultIo,
                     Text::tr("The file could not be written to %1 (%2). Nothing was written there.")
                         .arg(QDir::toNativeSeparators(path), why));
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

Result<QByteArray> readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error(ErrorCode::InvalidInput,
                     Text::tr("%1 cannot be read: %2.").arg(QDir::toNativeSeparators(path).left(300), f.errorString()));
    QByteArray data = f.read(MaxBackupBytes + 1);
    if (data.size() > MaxBackupBytes)
        return Error(ErrorCode::InvalidInput,
                     Text::tr("%1 is too large to be a MailKey backup.").arg(QDir::toNativeSeparators(path).left(300)));
    return data;
}

std::optional<Error> refusal(const QByteArray &file, BackupFile::Problem *problem)
{
    if (BackupFile::hasMagic(file) && BackupFile::versionOf(file) <= BackupFile::FormatVersion)
        return std::nullopt;
    BackupFile::Problem why = BackupFile::Problem::None;
    Result<BackupFile::Contents> refused = BackupFile::read(file, SecureBytes(), &why);
    if (problem)
        *problem = why;
    if (refused)
        return std::nullopt;
    return refused.error();
}

QStringList describe(const ImportReport &r)
{
    QStringList lines;
    for (const QString &a : r.added)
        lines << Text::tr("Added:   %1").arg(a);
    for (const QString &a : r.updated)
        lines << Text::tr("Updated: %1").arg(a);
    for (const QString &a : r.keptNewer)
        lines << Text::tr("Kept:    %1 (the sign-in here is newer than the imported one)").arg(a);
    lines << Text::tr("%1 added, %2 updated, %3 kept as they were.")
                 .arg(r.added.size())
                 .arg(r.updated.size())
                 .arg(r.keptNewer.size());
    if (r.auditEntries > 0 || r.auditAlreadyThere > 0)
        lines << Text::tr("%1 audit log entries were added to the audit log (%2 were already in it).")
                     .arg(r.auditEntries)
                     .arg(r.auditAlreadyThere);
    return lines;
}

void writeAsync(BackupFile::Contents contents, SecureBytes passphrase, QObject *context,
                std::function<void(Result<QByteArray>)> done)
{
    auto input
        = std::make_shared<std::pair<BackupFile::Contents, SecureBytes>>(std::move(contents), std::move(passphrase));
    offThread<Result<QByteArray>>(
        context,
        [input]() {
            Result<QByteArray> bytes = BackupFile::write(input->first, input->second);
            input->second.clear();
            input->first.vault = VaultSnapshot(); // the tokens, gone with their owner
            return bytes;
        },
        std::move(done));
}

void readAsync(const QString &path, SecureBytes passphrase, QObject *context,
               std::function<void(Result<BackupFile::Contents>, BackupFile::Problem)> done)
{
    using Read = std::pair<Result<BackupFile::Contents>, BackupFile::Problem>;
    auto pass = std::make_shared<SecureBytes>(std::move(passphrase));
    offThread<Read>(
        context,
        [path, pass]() {
            // The file (up to MaxBackupBytes) is read here too, not on the caller's thread.
            Result<QByteArray> data = readFile(path);
            BackupFile::Problem problem = BackupFile::Problem::None;
            if (!data) {
                pass->clear();
                return Read(data.error(), problem);
            }
            if (const std::optional<Error> refused = refusal(*data, &problem)) {
                pass->clear();
                return Read(*refused, problem);
            }
            Result<BackupFile::Contents> read = BackupFile::read(*data, *pass, &problem);
            pass->clear();
            return Read(std::move(read), problem);
        },
        [done = std::move(done)](Read read) { done(std::move(read.first), read.second); });
}

} // namespace mailkey::Backups
