#pragma once

// What a real QR reader (zbarimg, from Debian's zbar-tools) reads off an image: the decoded
// bytes, or a description in <angle brackets> of why nothing was read.

#include <QImage>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>

namespace mailkey::test {

inline QString decodeQr(const QImage &image)
{
    const QString zbarimg = QStandardPaths::findExecutable(QStringLiteral("zbarimg"));
    if (zbarimg.isEmpty())
        return QStringLiteral("<zbarimg not found: install zbar-tools (scripts/install-deps.sh test)>");
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("qr.png"));
    if (!image.save(file))
        return QStringLiteral("<could not save the image>");
    QProcess p;
    p.start(zbarimg, {QStringLiteral("--quiet"), QStringLiteral("--raw"), QStringLiteral("-Sbinary"), file});
    if (!p.waitForFinished(30000))
        return QStringLiteral("<zbarimg did not finish>");
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QStringLiteral("<zbarimg found no code: exit %1>").arg(p.exitCode());
    return QString::fromUtf8(p.readAllStandardOutput());
}

} // namespace mailkey::test
