#pragma once

#include <QDateTime>
#include <QFrame>
#include <QUrl>

class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace mailkey {

struct DeviceCodePrompt;

// Shown while a sign-in runs. Two forms:
// - Browser: "Waiting for you to sign in in your browser…", the sign-in URL (Copy, Open again)
//   and Cancel, with a busy indicator.
// - Device (RFC 8628, the sign-in happens on a phone or another computer): the address to open
//   (a link), the code to enter there in large type with Copy code, a QR code of the address
//   (with the code in it when the provider offers verification_uri_complete) for a phone's
//   camera, until when the code works, and Cancel.
class ConnectPanel : public QFrame {
    Q_OBJECT
public:
    enum class Mode {
        Browser,
        Device
    };

    explicit ConnectPanel(QWidget *parent = nullptr);

    // `what`: e.g. "Connecting to Gmail" or "Signing in again as alice@example.com" (plain text).
    void start(const QString &what, Mode mode = Mode::Browser);
    Mode mode() const { return m_mode; }
    void setUrl(const QUrl &url);
    QUrl url() const { return m_url; }
    // Device: what to show once the provider has issued the code.
    void setDeviceCode(const DeviceCodePrompt &prompt);
    QString userCode() const { return m_userCode; }
    // What the QR code holds (verification_uri_complete, else verification_uri); empty before.
    QUrl qrUrl() const { return m_qrUrl; }
    QLabel *qrLabel() const { return m_qr; }
    void finish(); // hides the panel and forgets the URL and the code
    // The sign-in page cannot be reached (ConnectSession::providerUnreachable): said in the panel,
    // in place of "Waiting for you to sign in…", until setProblem({}) (it answers again).
    void setProblem(const QString &problem);
    QString problem() const;

    // The Cancel button of the current form.
    QPushButton *cancelButton() const;
    QPushButton *copyButton() const { return m_copy; }
    QPushButton *openButton() const { return m_open; }
    QPushButton *copyCodeButton() const { return m_copyCode; }

Q_SIGNALS:
    void cancelRequested();
    void openAgainRequested(const QUrl &url);
    void urlCopied();
    void codeCopied();

protected:
    void changeEvent(QEvent *event) override;

private:
    QWidget *makeBrowserPage();
    QWidget *makeDevicePage();
    void showQrCode();

    Mode m_mode = Mode::Browser;
    QStackedWidget *m_pages = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_hint = nullptr;
    QLabel *m_wait = nullptr;
    QLabel *m_problem = nullptr;
    QLineEdit *m_urlField = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_cancel = nullptr;
    QUrl m_url;

    QLabel *m_deviceIntro = nullptr;
    QLabel *m_verifyAddress = nullptr;
    QLabel *m_codeLabel = nullptr;
    QLabel *m_deviceWait = nullptr;
    QLabel *m_expiry = nullptr;
    QLabel *m_qr = nullptr;
    QLabel *m_qrCaption = nullptr;
    QPushButton *m_copyCode = nullptr;
    QPushButton *m_deviceCancel = nullptr;
    QString m_userCode;
    QUrl m_qrUrl;
};

} // namespace mailkey
