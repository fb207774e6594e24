#include "core/service/Autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>

namespace mailkey::Autostart {

namespace {
struct Text {
    Q_DECLARE_TR_FUNCTIONS(mailkey::Autostart)
};

// An Exec value: the program quoted as the Desktop Entry Specification asks (", `, $ and \ escaped).
QString quotedProgram(const QString &program)
{
    QString escaped;
    for (const QChar c : program) {
        if (c == u'"' || c == u'`' || c == u'$' || c == u'\\')
            escaped += u'\\';
        escaped += c;
    }
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}
} // namespace

QString entryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
           + QStringLiteral("/autostart/io.github.mailkey.MailKey.desktop");
}

bool isEnabled()
{
    return QFileInfo::exists(entryPath());
}

Status setEnabled(bool enabled, const QString &program)
{
    const QString path = entryPath();
    if (!enabled) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            return Error(ErrorCode::VaultIo,
                         Text::tr("The autostart entry %1 could not be removed.").arg(QDir::toNativeSeparators(path)));
        return {};
    }
    QDir().mkpath(QFileInfo(path).absolutePath());
    const QByteArray entry = QStringLiteral("[Desktop Entry]\n"
                                            "Type=Application\n"
                                            "Name=MailKey\n"
                                            "Comment=Keeps the tokens of your mail programs fresh\n"
                                            "Exec=%1 --background\n"
                                            "Icon=io.github.mailkey.MailKey\n"
                                            "Terminal=false\n"
                                            "X-GNOME-Autostart-enabled=true\n")
                                 .arg(quotedProgram(program))
                                 .toUtf8();
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(entry) != entry.size() || !f.commit())
        return Error(ErrorCode::VaultIo, Text::tr("The autostart entry %1 could not be written (%2).")
                                             .arg(QDir::toNativeSeparators(path), f.errorString()));
    return {};
}

} // namespace mailkey::Autostart
