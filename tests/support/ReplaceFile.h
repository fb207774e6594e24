#pragma once

#include <QByteArray>
#include <QFile>
#include <QIODevice>
#include <QString>

#include <cstdio>

namespace mailkey::test {

// Replaces `path` the way editors save: a new file renamed over the old one (a new inode, so a
// watch on the old file ends). True when it worked.
inline bool replaceFileByRename(const QString &path, const QByteArray &bytes)
{
    const QString tmp = path + QStringLiteral(".new");
    QFile f(tmp);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        return false;
    f.close();
    return std::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData()) == 0;
}

} // namespace mailkey::test
