#include "ui/AvatarWidget.h"

#include "ui/Avatar.h"

#include <QPainter>

namespace mailkey {

AvatarWidget::AvatarWidget(QWidget *parent) : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

void AvatarWidget::setPerson(const QString &displayName, const QString &email)
{
    m_initials = Avatar::initials(displayName, email);
    m_color = Avatar::color(email);
    update();
}

QSize AvatarWidget::sizeHint() const
{
    const int d = fontMetrics().height() * 3;
    return QSize(d, d);
}

void AvatarWidget::paintEvent(QPaintEvent *)
{
    if (m_initials.isEmpty())
        return;
    QPainter p(this);
    const int d = qMin(width(), height());
    Avatar::paint(&p, QRectF((width() - d) / 2.0, (height() - d) / 2.0, d, d), m_initials,
                  Avatar::forBackground(m_color, palette().color(backgroundRole())));
}

} // namespace mailkey
