#pragma once

#include <QByteArray>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <QThread>

#include <gtest/gtest.h>

#include <functional>
#include <ostream>

QT_BEGIN_NAMESPACE
// Readable gtest output for Qt types.
inline void PrintTo(const QString &s, std::ostream *os)
{
    *os << '"' << s.toStdString() << '"';
}
inline void PrintTo(const QByteArray &b, std::ostream *os)
{
    *os << '"' << b.toStdString() << '"';
}
QT_END_NAMESPACE

namespace mailkey::test {

// Runs the event loop until pred() is true or the timeout passes. Tests only.
inline bool waitFor(const std::function<bool()> &pred, int timeoutMs = 10000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!pred()) {
        if (deadline.hasExpired())
            return pred();
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QCoreApplication::sendPostedEvents(nullptr, 0);
        QThread::msleep(1);
    }
    return true;
}

// Everything Qt logged during the test run (qDebug/qWarning/...), so tests can assert that no
// secret was ever logged.
QStringList capturedLog();
void clearCapturedLog();
// Fails the current test if any captured log line contains one of the needles.
void expectNotLogged(const QList<QByteArray> &needles);

// A fresh temporary folder used as MAILKEY_DATA_DIR / MAILKEY_CONFIG_DIR for one test.
QString uniqueName(const QString &prefix);

} // namespace mailkey::test
