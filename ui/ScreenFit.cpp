#include "ui/ScreenFit.h"

#include <QRect>
#include <QScreen>
#include <QStyle>
#include <QWidget>

namespace mailkey {

void fitToScreen(QWidget *window, bool centre)
{
    QScreen *screen = window->screen();
    if (!screen || window->isMaximized() || window->isFullScreen())
        return;
    const QRect available = screen->availableGeometry();
    // The window manager's frame: known once shown; before, leave room for a title bar and
    // borders, so the status bar stays on screen.
    const QRect frame = window->frameGeometry();
    const QRect inner = window->geometry();
    QSize extra(frame.width() - inner.width(), frame.height() - inner.height());
    if (extra.isNull()) {
        const int border = 2 * window->style()->pixelMetric(QStyle::PM_DefaultFrameWidth, nullptr, window);
        extra = QSize(border, border + window->style()->pixelMetric(QStyle::PM_TitleBarHeight, nullptr, window));
    }
    const QSize fitted = window->size().boundedTo(
        QSize(qMax(1, available.width() - extra.width()), qMax(1, available.height() - extra.height())));
    window->resize(fitted);                             // never below the minimum size: then the size it got is placed
    QRect outer(window->pos(), window->size() + extra); // pos() is the frame's top left
    if (centre)
        outer.moveCenter(available.center());
    outer.moveLeft(qBound(available.left(), outer.left(), available.left() + available.width() - outer.width()));
    outer.moveTop(qBound(available.top(), outer.top(), available.top() + available.height() - outer.height()));
    window->move(outer.topLeft());
}

} // namespace mailkey
