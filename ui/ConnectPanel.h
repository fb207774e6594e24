#pragma once

#include <QFrame>
#include <QUrl>

class QLabel;
class QLineEdit;
class QPushButton;

namespace mailkey {

// Shown while the browser is open for a sign-in: "Waiting for you to sign in in your browser…",
// the sign-in URL (Copy, Open again) and Cancel, with a busy indicator.
class ConnectPanel : public QFrame {
    Q_OBJECT
public:
    explicit ConnectPanel(QWidget *parent = nullptr);

    // `what`: e.g. "Connecting to Gmail" or "Signing in again as alice@example.com" (plain text).
    void start(const QString &what);
    void setUrl(const QUrl &url);
    QUrl url() const { return m_url; }
    void finish(); // hides the panel and forgets the URL
    // The sign-in page cannot be reached (ConnectSession::providerUnreachable): said in the panel,
    // in place of "Waiting for you to sign in…", until setProblem({}) (it answers again).
    void setProblem(const QString &problem);
    QString problem() const;

    QPushButton *cancelButton() const { return m_cancel; }
    QPushButton *copyButton() const { return m_copy; }
    QPushButton *openButton() const { return m_open; }

Q_SIGNALS:
    void cancelRequested();
    void openAgainRequested(const QUrl &url);
    void urlCopied();

private:
    QLabel *m_title = nullptr;
    QLabel *m_hint = nullptr;
    QLabel *m_wait = nullptr;
    QLabel *m_problem = nullptr;
    QLineEdit *m_urlField = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_cancel = nullptr;
    QUrl m_url;
};

} // namespace mailkey
