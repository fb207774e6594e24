#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace mailkey::test {

// Stands in for the user's browser: GETs the authorization URL with a real
// QNetworkAccessManager, follows redirects by hand (so a 400 page of the authorization server is
// reported as what it is) up to the app's loopback callback and whatever that answers.
//
//   FakeBrowser browser;
//   QDesktopServices::setUrlHandler("http", &browser, "open"); // needs QtGui; or call open()
//   connect(&browser, &FakeBrowser::finished, ...);
class FakeBrowser : public QObject {
    Q_OBJECT
public:
    explicit FakeBrowser(QObject *parent = nullptr);
    // Uses `nam` (not owned) instead of its own QNetworkAccessManager.
    explicit FakeBrowser(QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~FakeBrowser() override;

    // Called with every redirect target before it is followed; return the URL to visit instead
    // (e.g. change or drop state, remove iss, swap the code). An invalid QUrl stops the browser
    // (failed("redirect cancelled")).
    void setRewriteRedirect(std::function<QUrl(const QUrl &)> rewrite);
    void setMaxRedirects(int max); // default 10

    bool isBusy() const;
    QList<QUrl> visitedUrls() const; // every URL requested by the last open(), in order
    QUrl callbackUrl() const;        // the last redirect target that was followed (after rewrite)
    int lastStatus() const;          // the final HTTP status of the last open(), 0 if none
    QByteArray lastBody() const;

public Q_SLOTS:
    // Ignored (with failed()) while a previous open() is still running.
    void open(const QUrl &authorizationUrl);

Q_SIGNALS:
    void finished(int finalHttpStatus, const QByteArray &finalBody, const QUrl &finalUrl);
    void failed(const QString &reason);

private:
    void get(const QUrl &url);
    void onReply(QNetworkReply *reply);
    void finish(int status, const QByteArray &body, const QUrl &url);
    void fail(const QString &reason);

    QNetworkAccessManager *m_nam = nullptr;
    std::function<QUrl(const QUrl &)> m_rewrite;
    int m_maxRedirects = 10;
    int m_redirects = 0;
    bool m_busy = false;
    QList<QUrl> m_visited;
    QUrl m_callbackUrl;
    int m_lastStatus = 0;
    QByteArray m_lastBody;
};

} // namespace mailkey::test
