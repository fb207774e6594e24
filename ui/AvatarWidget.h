#pragma once

#include <QColor>
#include <QString>
#include <QWidget>

namespace mailkey {

// The avatar of one mailbox as a widget (the details header); the list paints it itself.
class AvatarWidget : public QWidget {
    Q_OBJECT
public:
    explicit AvatarWidget(QWidget *parent = nullptr);
    void setPerson(const QString &displayName, const QString &email);
    QString initials() const { return m_initials; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QString m_initials;
    QColor m_color;
};

} // namespace mailkey
