#include "ui/ElidedLabel.h"

#include "ui/SafeText.h"

#include <QEvent>
#include <QPainter>
#include <QStyle>

namespace mailkey {

ElidedLabel::ElidedLabel(QWidget *parent) : QFrame(parent)
{
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setFocusPolicy(Qt::NoFocus);
}

ElidedLabel::ElidedLabel(const QString &untrusted, QWidget *parent) : ElidedLabel(parent)
{
    setText(untrusted);
}

void ElidedLabel::setText(const QString &untrusted)
{
    const QString cleaned = SafeText::clean(untrusted);
    if (cleaned == m_text)
        return;
    m_text = cleaned;
    setAccessibleName(m_text);
    updateGeometry();
    updateToolTip();
    update();
}

QString ElidedLabel::shownText() const
{
    const QRect r = contentsRect();
    return fontMetrics().elidedText(m_text, m_mode, r.width(), Qt::TextSingleLine);
}

void ElidedLabel::setElideMode(Qt::TextElideMode mode)
{
    m_mode = mode;
    updateToolTip();
    update();
}

void ElidedLabel::setMaximumHintWidth(int px)
{
    m_maxHintWidth = px;
    updateGeometry();
}

QSize ElidedLabel::sizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const QMargins m = contentsMargins();
    const int w = qMin(fm.horizontalAdvance(m_text) + 1, m_maxHintWidth);
    return QSize(w + m.left() + m.right(), fm.height() + m.top() + m.bottom());
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QFontMetrics fm = fontMetrics();
    const QMargins m = contentsMargins();
    return QSize(fm.averageCharWidth() * 4 + m.left() + m.right(), fm.height() + m.top() + m.bottom());
}

void ElidedLabel::paintEvent(QPaintEvent *event)
{
    QFrame::paintEvent(event);
    QPainter p(this);
    p.setPen(palette().color(isEnabled() ? QPalette::Active : QPalette::Disabled, foregroundRole()));
    const QRect r = contentsRect();
    // drawText with a QString is plain text; one line, vertically centred.
    p.drawText(r, int(Qt::AlignVCenter | Qt::AlignLeading | Qt::TextSingleLine), shownText());
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QFrame::resizeEvent(event);
    updateToolTip();
}

void ElidedLabel::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        updateGeometry();
        updateToolTip();
    }
}

void ElidedLabel::updateToolTip()
{
    setToolTip(shownText() == m_text ? QString() : SafeText::toolTip(m_text));
}

} // namespace mailkey
