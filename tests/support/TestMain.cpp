// The shared test main: creates the Qt application object, captures all Qt log output so tests
// can prove that no secret was logged, then runs GoogleTest.
#include "core/common/ProcessHardening.h"
#include "tests/support/TestUtil.h"

#include <QMutexLocker>
#include <QRandomGenerator>

#ifdef MAILKEY_TEST_WIDGETS
#include <QApplication>
using TestApplication = QApplication;
#else
using TestApplication = QCoreApplication;
#endif

#include <cstdio>

namespace {
QMutex g_logMutex;
QStringList g_log;
QtMessageHandler g_previous = nullptr;

void captureHandler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    {
        QMutexLocker lock(&g_logMutex);
        g_log.append(msg);
    }
    if (g_previous)
        g_previous(type, ctx, msg);
}
} // namespace

namespace mailkey::test {

QStringList capturedLog()
{
    QMutexLocker lock(&g_logMutex);
    return g_log;
}

void clearCapturedLog()
{
    QMutexLocker lock(&g_logMutex);
    g_log.clear();
}

void expectNotLogged(const QList<QByteArray> &needles)
{
    const QStringList log = capturedLog();
    for (const QByteArray &needle : needles) {
        if (needle.isEmpty())
            continue;
        for (const QString &line : log) {
            // Report the line number only: printing the line would print the secret.
            EXPECT_FALSE(line.contains(QString::fromUtf8(needle)))
                << "a secret value was logged (log line " << log.indexOf(line) << ")";
        }
    }
}

QString uniqueName(const QString &prefix)
{
    return prefix + QString::number(QRandomGenerator::global()->generate64(), 36);
}

} // namespace mailkey::test

int main(int argc, char **argv)
{
    mailkey::keepLibcryptoUntilExit(); // first: see ProcessHardening.h
    g_previous = qInstallMessageHandler(captureHandler);
    TestApplication app(argc, argv);
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
