#pragma once

#include <QFrame>
#include <QString>

namespace mailkey {

// One line of untrusted text (a name, an address, a folder): cleaned with SafeText, painted as
// plain text, elided to the width it is given. Its size hint is capped, so no value can make the
// window wider; the full text is in the tooltip and the accessible name.
//
// Accessibility: exposed as a static text (QAccessible::StaticText, as a QLabel is) whose name is
// the full cleaned text and whose description is empty: the tooltip is rich text for Qt's sake
// and must not reach a screen reader as markup.
class ElidedLabel : public QFrame {
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);
    explicit ElidedLabel(const QString &untrusted, QWidget *parent = nullptr);

    void setText(const QString &untrusted);
    QString text() const { return m_text; } // cleaned
    QString shownText() const;              // what is painted right now
    void setElideMode(Qt::TextElideMode mode);
    // For an address: elide the local part, keep the domain (SafeText::elidedAddress).
    void setAddressElision(bool address);
    void setMaximumHintWidth(int px);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateToolTip();

    QString m_text;
    Qt::TextElideMode m_mode = Qt::ElideRight;
    bool m_address = false;
    int m_maxHintWidth = 320;
};

} // namespace mailkey
