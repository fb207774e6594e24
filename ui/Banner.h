#pragma once

#include <QFrame>
#include <QList>
#include <QString>

class QLabel;
class QHBoxLayout;
class QPushButton;
class QTimer;
class QToolButton;

namespace mailkey {

// A message strip at the top of the window: vault and keychain problems, alerts, the outcome of
// a sign-in or a removal. Title and message are plain text (messages from core may quote values
// from the network). Tinted from the palette, so it reads in light and dark themes.
//
// What clears a banner (the rule MainWindow follows, and offer() / clearTopic() implement):
//  - Each message has a topic: what it is about ("signin", "account:7", "refresh:7", ...).
//  - Success of the thing that failed clears its message: clearTopic(topic), or a new message on
//    the same topic, which always replaces the old one whatever their kinds.
//  - A newer message on another topic replaces the shown one only if it is at least as severe
//    (Info = Success < Warning < Error); offer() returns false otherwise, and the caller shows
//    it somewhere transient (the status bar) so nothing is lost and no failure is hidden.
//  - Info and Success messages without buttons time out (InfoTimeoutMs; not while busy). A
//    message with a button, a warning and an error stay until cleared as above or dismissed.
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

    static constexpr int InfoTimeoutMs = 15000;

    explicit Banner(QWidget *parent = nullptr);

    // Replaces what is shown (buttons included) and shows the banner. The topic is empty.
    void showMessage(Kind kind, const QString &title, const QString &message);
    // The rule above: shows the message (and returns true) if the banner is hidden, shows the same
    // topic, or shows a message that is not more severe than `kind`.
    bool offer(Kind kind, const QString &topic, const QString &title, const QString &message);
    // Hides the banner if it shows a message on `topic`.
    void clearTopic(const QString &topic);
    QString topic() const { return m_topic; }
    static int severity(Kind kind);
    // For tests: how long Info and Success messages stay (0 = forever).
    void setInfoTimeout(int ms);
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
    void restartTimer();

    Kind m_kind = Kind::Info;
    QString m_topic;
    QTimer *m_timer = nullptr;
    int m_infoTimeout = InfoTimeoutMs;
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
