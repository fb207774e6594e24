#include "cli/Interrupt.h"

#include <QMetaObject>
#include <QObject>
#include <QPointer>

#include <atomic>

#if defined(Q_OS_UNIX)
#include <QSocketNotifier>

#include <csignal>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#include <windows.h>

#include <cstdlib>
#endif

namespace mailkey::cli {

namespace {

std::atomic<int> g_interrupts{0};
std::function<void()> g_handler;
QPointer<QObject> g_context;

void runHandler()
{
    if (g_handler)
        g_handler();
}

#if defined(Q_OS_UNIX)
int g_pipe[2] = {-1, -1};

void onSignal(int)
{
    if (g_interrupts.fetch_add(1) >= 1)
        ::_exit(130);
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(g_pipe[0], &c, 1);
}
#elif defined(Q_OS_WIN)
BOOL WINAPI onConsoleEvent(DWORD)
{
    if (g_interrupts.fetch_add(1) >= 1)
        std::_Exit(130);
    if (g_context)
        QMetaObject::invokeMethod(
            g_context.data(), [] { runHandler(); }, Qt::QueuedConnection);
    return TRUE;
}
#endif

} // namespace

void installInterruptHandler(QObject *context, std::function<void()> handler)
{
    g_handler = std::move(handler);
    g_context = context;
#if defined(Q_OS_UNIX)
    if (g_pipe[0] < 0) {
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_pipe) != 0)
            return;
        ::fcntl(g_pipe[0], F_SETFD, FD_CLOEXEC);
        ::fcntl(g_pipe[1], F_SETFD, FD_CLOEXEC);
        ::fcntl(g_pipe[0], F_SETFL, O_NONBLOCK);
    }
    auto *notifier = new QSocketNotifier(qintptr(g_pipe[1]), QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [] {
        char c = 0;
        [[maybe_unused]] const auto n = ::read(g_pipe[1], &c, 1);
        runHandler();
    });
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    ::sigaction(SIGHUP, &sa, nullptr);
#elif defined(Q_OS_WIN)
    SetConsoleCtrlHandler(onConsoleEvent, TRUE);
#endif
}

} // namespace mailkey::cli
