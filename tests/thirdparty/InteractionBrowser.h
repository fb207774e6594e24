#pragma once

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

QT_BEGIN_NAMESPACE
class QNetworkReply;
QT_END_NAMESPACE

namespace mailkey::test {

// A scripted user at oidc-provider's devInteractions pages: GETs the authorization URL with a
// real QNetworkAccessManager (with cookies, as a browser keeps the interaction session),
// follows redirects by hand, fills in the login form (any password is accepted) and submits the
// consent form, and follows the final redirect to the app's loopback callback, whose answer
// ends the run (finished()). A page it does not know ends the run too, with that page.
//
// Device mode (enterUserCode): the user on "another device" for the device authorization grant
// (RFC 8628). It opens the verification address, types the user code into oidc-provider's form
// (with its xsrf value), confirms the code, goes through the same login and consent pages, and
// ends on the provider's success page.
//
// It only ever talks to loopback addresses. URLs carry state and codes: they are kept for the
// test to look at, never printed.
class InteractionBrowser : public QObject {
    Q_OBJECT
public:
    explicit InteractionBrowser(QObject *parent = nullptr);

    QString login = QStringLiteral("dana@example.com");
    // Applied to the authorization URL before it is visited (e.g. drop a parameter).
    std::function<QUrl(const QUrl &)> rewriteAuthorization;

    bool isBusy() const { return m_busy; }
    int loginPages() const { return m_loginPages; }
    int consentPages() const { return m_consentPages; }
    int deviceFormPages() const { return m_deviceFormPages; }
    int lastStatus() const { return m_lastStatus; }
    QUrl lastUrl() const { return m_lastUrl; }
    QByteArray lastBody() const { return m_lastBody; }
    QUrl authorizationUrl() const { return m_authorizationUrl; } // as visited (after the rewrite)

public Q_SLOTS:
    void open(const QUrl &authorizationUrl);
    void enterUserCode(const QUrl &verificationUri, const QString &userCode);

Q_SIGNALS:
    void finished(int httpStatus, const QUrl &url);
    void failed(const QString &reason);

private:
    void get(const QUrl &url);
    void postForm(const QUrl &url, const QByteArray &body);
    void track(QNetworkReply *reply);
    void onReply(QNetworkReply *reply);
    void end(int status, const QUrl &url, const QByteArray &body);
    void fail(const QString &reason);

    QNetworkAccessManager m_nam;
    bool m_busy = false;
    int m_steps = 0;
    int m_loginPages = 0;
    int m_consentPages = 0;
    int m_deviceFormPages = 0;
    QString m_userCode;
    int m_lastStatus = 0;
    QUrl m_lastUrl;
    QByteArray m_lastBody;
    QUrl m_authorizationUrl;
};

} // namespace mailkey::test
