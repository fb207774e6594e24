#include "ui/Banner.h"

#include "ui/SafeText.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace mailkey {

namespace {

QColor accent(Banner::Kind kind, bool dark)
{
    switch (kind) {
    case Banner::Kind::Info:
        return dark ? QColor(0x64, 0xB5, 0xF6) : QColor(0x15, 0x65, 0xC0);
    case Banner::Kind::Success:
        return dark ? QColor(0x66, 0xBB, 0x6A) : QColor(0x2E, 0x7D, 0x32);
    case Banner::Kind::Warning:
        return dark ? QColor(0xFF, 0xB7, 0x4D) : QColor(0xB2, 0x6A, 0x00);
    case Banner::Kind::Error:
        return dark ? QColor(0xEF, 0x53, 0x50) : QColor(0xC6, 0x28, 0x28);
    }
    return QColor();
}

QColor blend(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t), float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace

Banner::Banner(QWidget *parent) : QFrame(parent)
{
    setObjectName(QStringLiteral("banner"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setAccessibleName(tr("Message"));

    auto *outer = new QHBoxLayout(this);
    outer->setContentsMargins(10, 8, 6, 8);
    m_icon = new QLabel(this);
    m_icon->setTextFormat(Qt::PlainText);
    m_icon->setAlignment(Qt::AlignTop);
    outer->addWidget(m_icon, 0, Qt::AlignTop);

    auto *column = new QVBoxLayout;
    column->setSpacing(4);
    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::PlainText);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setWordWrap(true);
    m_message = new QLabel(this);
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    column->addWidget(m_title);
    column->addWidget(m_message);
    m_buttonRow = new QHBoxLayout;
    m_buttonRow->setContentsMargins(0, 4, 0, 0);
    auto *busy = new QProgressBar(this);
    busy->setRange(0, 0);
    busy->setMaximumWidth(160);
    busy->setMaximumHeight(fontMetrics().height() / 2 + 4);
    busy->setTextVisible(false);
    busy->setAccessibleName(tr("Working"));
    busy->hide();
    m_busy = busy;
    m_buttonRow->addWidget(m_busy);
    m_buttonRow->addStretch(1);
    column->addLayout(m_buttonRow);
    outer->addLayout(column, 1);

    m_close = new QToolButton(this);
    m_close->setAutoRaise(true);
    m_close->setText(QStringLiteral("✕"));
    m_close->setToolTip(tr("Dismiss"));
    m_close->setAccessibleName(tr("Dismiss message"));
    connect(m_close, &QToolButton::clicked, this, &Banner::dismiss);
    outer->addWidget(m_close, 0, Qt::AlignTop);

    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &Banner::dismiss);

    hide();
    applyColors();
}

int Banner::severity(Kind kind)
{
    switch (kind) {
    case Kind::Info:
    case Kind::Success:
        return 0;
    case Kind::Warning:
        return 1;
    case Kind::Error:
        return 2;
    }
    return 0;
}

bool Banner::offer(Kind kind, const QString &topic, const QString &title, const QString &message)
{
    if (!isHidden() && topic != m_topic && severity(kind) < severity(m_kind))
        return false;
    showMessage(kind, title, message);
    m_topic = topic;
    return true;
}

void Banner::clearTopic(const QString &topic)
{
    if (!isHidden() && m_topic == topic)
        dismiss();
}

void Banner::setInfoTimeout(int ms)
{
    m_infoTimeout = ms;
    restartTimer();
}

void Banner::restartTimer()
{
    m_timer->stop();
    if (!isHidden() && m_infoTimeout > 0 && severity(m_kind) == 0 && m_buttons.isEmpty() && m_busy->isHidden())
        m_timer->start(m_infoTimeout);
}

void Banner::showMessage(Kind kind, const QString &title, const QString &message)
{
    m_kind = kind;
    for (QPushButton *b : std::as_const(m_buttons)) {
        b->hide(); // at once: a message replaced from the event loop never shows the old buttons too
        b->deleteLater();
    }
    m_buttons.clear();
    m_busy->hide();
    m_title->setText(SafeText::breakLongWords(SafeText::clean(title, 200)));
    SafeText::setLabelMultiline(m_message, message);
    m_message->setVisible(!m_message->text().isEmpty());
    QStyle::StandardPixmap icon = QStyle::SP_MessageBoxInformation;
    if (kind == Kind::Warning)
        icon = QStyle::SP_MessageBoxWarning;
    else if (kind == Kind::Error)
        icon = QStyle::SP_MessageBoxCritical;
    else if (kind == Kind::Success)
        icon = QStyle::SP_DialogApplyButton;
    const int size = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(icon, nullptr, this).pixmap(size, size));
    setAccessibleDescription(this->title() + QLatin1Char('\n') + this->message());
    m_topic.clear();
    applyColors();
    show();
    restartTimer();
}

QPushButton *Banner::addButton(const QString &text)
{
    auto *b = new QPushButton(text, this);
    m_buttonRow->insertWidget(m_buttonRow->count() - 1, b);
    m_buttons.append(b);
    restartTimer(); // a message with something to do does not time out
    return b;
}

QPushButton *Banner::button(const QString &text) const
{
    for (QPushButton *b : m_buttons) {
        if (b->text() == text)
            return b;
    }
    return nullptr;
}

void Banner::setDismissible(bool dismissible)
{
    m_close->setVisible(dismissible);
}

void Banner::setBusy(bool busy)
{
    m_busy->setVisible(busy);
    for (QPushButton *b : std::as_const(m_buttons))
        b->setEnabled(!busy);
    restartTimer();
}

QString Banner::title() const
{
    return m_title->text().remove(QChar(0x200B));
}

QString Banner::message() const
{
    return m_message->text().remove(QChar(0x200B));
}

void Banner::dismiss()
{
    m_timer->stop();
    m_topic.clear();
    hide();
    Q_EMIT dismissed();
}

void Banner::changeEvent(QEvent *event)
{
    QFrame::changeEvent(event);
    if ((event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) && !m_applying)
        applyColors();
}

void Banner::applyColors()
{
    m_applying = true;
    QPalette pal = parentWidget() ? parentWidget()->palette() : palette();
    const QColor base = pal.color(QPalette::Window);
    const bool dark = base.lightness() < 128;
    const QColor a = accent(m_kind, dark);
    pal.setColor(QPalette::Window, blend(base, a, dark ? 0.22 : 0.12));
    pal.setColor(QPalette::WindowText, pal.color(QPalette::WindowText));
    pal.setColor(QPalette::Light, a);
    pal.setColor(QPalette::Dark, a);
    pal.setColor(QPalette::Mid, a);
    setPalette(pal);
    m_applying = false;
}

} // namespace mailkey
