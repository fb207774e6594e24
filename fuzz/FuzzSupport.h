#pragma once

// Shared helpers of the fuzz targets: invariant checks that abort (so libFuzzer keeps the input)
// and a quiet Qt message handler (parsers may log; the output would slow the run down).

#include <QByteArray>
#include <QList>
#include <QString>
#include <QtGlobal>

#include <cstdio>
#include <cstdlib>

namespace mailkey::fuzz {

// A broken invariant: print what broke (never the input: it may be a planted secret, and
// libFuzzer saves it anyway) and abort, which libFuzzer reports as a crash.
[[noreturn]] inline void fail(const char *what)
{
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

inline void check(bool condition, const char *what)
{
    if (!condition)
        fail(what);
}

inline void quietQt()
{
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &) {
        if (type == QtFatalMsg)
            std::abort();
    });
}

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// Splits the input at the first 0 byte into two parts (e.g. user and host), the second may
// again be split by the caller. Missing parts are empty.
inline QByteArray takePart(QByteArray &rest)
{
    const qsizetype nul = rest.indexOf('\0');
    QByteArray part = nul < 0 ? rest : rest.left(nul);
    rest = nul < 0 ? QByteArray() : rest.mid(nul + 1);
    return part;
}

} // namespace mailkey::fuzz
