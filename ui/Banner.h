#pragma once

#include <QFrame>
#include <QList>
#include <QString>

class QLabel;
class QHBoxLayout;
class QPushButton;
class QToolButton;

namespace mailkey {

// A message strip at the top of the window: vault and keychain problems, alerts, the outcome of
// a sign-in or a removal. Title and message are plain text (messages from core may quote values
// from the network). Tinted from the palette, so it reads in light and dark themes.
class Banner : public QFrame {
    Q_OBJECT
public:
    enum class Kind {
        Info,
        Success,
        Warning,
        Error
    };
    Q_ENUM(Kind)

    explicit Banner(QWidget *parent = nullptr);

    // Replaces what is shown (buttons included) and shows the banner.
    void showMessage(Kind kind, const QString &title, const QString &message);
    QPushButton *addButton(const QString &text);
    void setDismissible(bool dismissible);
    void setBusy(bool busy); // a small "working" indication instead of the buttons

    Kind kind() const { return m_kind; }
    QString title() const;
    QString message() const;
    QList<QPushButton *> buttons() const { return m_buttons; }
    QPushButton *button(const QString &text) const;

public Q_SLOTS:
    void dismiss();

Q_SIGNALS:
    void dismissed();

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyColors();

    Kind m_kind = Kind::Info;
    QLabel *m_icon = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_message = nullptr;
    QHBoxLayout *m_buttonRow = nullptr;
    QToolButton *m_close = nullptr;
    QWidget *m_busy = nullptr;
    QList<QPushButton *> m_buttons;
    bool m_applying = false;
};

} // namespace mailkey
