#include "ui/ElidedLabel.h"

#include "ui/SafeText.h"

#include <QAccessible>
#include <QAccessibleWidget>
#include <QEvent>
#include <QPainter>
#include <QStyle>

namespace mailkey {

namespace {

class ElidedLabelAccessible : public QAccessibleWidget {
public:
    explicit ElidedLabelAccessible(QWidget *widget) : QAccessibleWidget(widget, QAccessible::StaticText) {}

    QString text(QAccessible::Text t) const override
    {
        const auto *label = static_cast<const ElidedLabel *>(widget());
        switch (t) {
        case QAccessible::Name:
            return label->accessibleName().isEmpty() ? label->text() : label->accessibleName();
        case QAccessible::Value:
            return label->text();
        case QAccessible::Description:
            return label->accessibleDescription(); // never the rich-text tooltip
        default:
            return QAccessibleWidget::text(t);
        }
    }
};

QAccessibleInterface *elidedLabelFactory(const QString &className, QObject *object)
{
    if (className == QLatin1String(ElidedLabel::staticMetaObject.className()) && object && object->isWidgetType())
        return new ElidedLabelAccessible(static_cast<QWidget *>(object));
    return nullptr;
}

} // namespace

ElidedLabel::ElidedLabel(QWidget *parent) : QFrame(parent)
{
    static const bool factoryInstalled = [] {
        QAccessible::installFactory(elidedLabelFactory);
        return true;
    }();
    Q_UNUSED(factoryInstalled)
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
    if (m_address)
        return SafeText::elidedAddress(m_text, fontMetrics(), r.width());
    return fontMetrics().elidedText(m_text, m_mode, r.width(), Qt::TextSingleLine);
}

void ElidedLabel::setAddressElision(bool address)
{
    m_address = address;
    updateToolTip();
    update();
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
