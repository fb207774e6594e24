#pragma once

#include "tests/support/fakeidp/FakeBrowser.h"

#include <QList>
#include <QObject>
#include <QUrl>

#include <functional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
QT_END_NAMESPACE

namespace mailkey::test {

// Stands in for the user's desktop: every sign-in address MailKey opens (through a
// ConnectSession URL opener, or QDesktopServices::setUrlHandler("http", pool, "open")) lands in
// open(), which gives it a FakeBrowser of its own, so several sign-ins can be open at once.
class BrowserPool : public QObject {
    Q_OBJECT
public:
    explicit BrowserPool(QNetworkAccessManager *nam, QObject *parent = nullptr);

    bool hold = false;                         // only record the URLs (the user has not clicked yet)
    std::function<QUrl(const QUrl &)> rewrite; // FakeBrowser::setRewriteRedirect for new browsers
    QList<QUrl> opened;
    QList<FakeBrowser *> browsers;

    // The user visits `url` (pasted by hand, or opened late).
    FakeBrowser *visit(const QUrl &url);
    static bool done(FakeBrowser *b) { return b && !b->isBusy(); }

public Q_SLOTS:
    void open(const QUrl &url);

private:
    QNetworkAccessManager *m_nam;
};

} // namespace mailkey::test
