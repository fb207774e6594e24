#pragma once

#include <functional>

class QObject;

namespace mailkey::cli {

// Ctrl-C (SIGINT, and SIGTERM / SIGHUP on Unix; the console's Ctrl-C and close events on
// Windows) delivered on the event loop: `handler` runs on the main thread, from the event loop,
// never inside the signal handler. A second Ctrl-C while the first one is handled ends the
// process at once with 130.
void installInterruptHandler(QObject *context, std::function<void()> handler);

} // namespace mailkey::cli
