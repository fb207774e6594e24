#include "tests/support/fakeidp/BrowserPool.h"

namespace mailkey::test {

BrowserPool::BrowserPool(QNetworkAccessManager *nam, QObject *parent) : QObject(parent), m_nam(nam) {}

FakeBrowser *BrowserPool::visit(const QUrl &url)
{
    auto *browser = new FakeBrowser(m_nam, this);
    if (rewrite)
        browser->setRewriteRedirect(rewrite);
    browsers.append(browser);
    browser->open(url);
    return browser;
}

void BrowserPool::open(const QUrl &url)
{
    opened.append(url);
    if (!hold)
        visit(url);
}

} // namespace mailkey::test
