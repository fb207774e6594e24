#include "ui/WrappingContent.h"

#include <QBoxLayout>
#include <QEvent>
#include <QResizeEvent>

namespace mailkey {

WrappingContent::WrappingContent(QWidget *parent) : QWidget(parent) {}

void WrappingContent::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateMinimumHeight();
}

bool WrappingContent::event(QEvent *event)
{
    const bool handled = QWidget::event(event);
    // A child appeared, disappeared or changed its text: the height it needs may have changed.
    if (event->type() == QEvent::LayoutRequest)
        updateMinimumHeight();
    return handled;
}

int WrappingContent::neededHeight(int width) const
{
    QLayout *l = layout();
    if (!l)
        return 0;
    const QMargins m = l->contentsMargins();
    const int inner = width - m.left() - m.right();
    auto *box = qobject_cast<QBoxLayout *>(l);
    if (!box || box->direction() != QBoxLayout::TopToBottom)
        return l->hasHeightForWidth() ? l->totalHeightForWidth(width) : l->totalMinimumSize().height();
    int total = m.top() + m.bottom();
    int shown = 0;
    for (int i = 0; i < box->count(); ++i) {
        QLayoutItem *item = box->itemAt(i);
        if (item->isEmpty() && !item->spacerItem())
            continue; // a hidden widget
        total += item->hasHeightForWidth() ? qMax(item->heightForWidth(inner), item->minimumSize().height())
                                           : item->minimumSize().height();
        ++shown;
    }
    const int spacing = qMax(0, box->spacing());
    return total + spacing * qMax(0, shown - 1);
}

void WrappingContent::updateMinimumHeight()
{
    const int needed = neededHeight(width());
    if (needed != minimumHeight())
        setMinimumHeight(needed);
}

} // namespace mailkey
