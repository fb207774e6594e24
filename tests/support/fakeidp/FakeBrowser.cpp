#include "tests/support/fakeidp/FakeBrowser.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace mailkey::test {

FakeBrowser::FakeBrowser(QObject *parent) : FakeBrowser(nullptr, parent) {}

FakeBrowser::FakeBrowser(QNetworkAccessManager *nam, QObject *parent) : QObject(parent), m_nam(nam)
{
    if (!m_nam) {
        m_nam = new QNetworkAccessManager(this);
        // A browser on this machine talks to loopback directly, never through a proxy.
        m_nam->setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    }
}

FakeBrowser::~FakeBrowser() = default;

void FakeBrowser::setRewriteRedirect(std::function<QUrl(const QUrl &)> rewrite)
{
    m_rewrite = std::move(rewrite);
}

void FakeBrowser::setMaxRedirects(int max)
{
    m_maxRedirects = max;
}
bool FakeBrowser::isBusy() const
{
    return m_busy;
}
QList<QUrl> FakeBrowser::visitedUrls() const
{
    return m_visited;
}
QUrl FakeBrowser::callbackUrl() const
{
    return m_callbackUrl;
}
int FakeBrowser::lastStatus() const
{
    return m_lastStatus;
}
QByteArray FakeBrowser::lastBody() const
{
    return m_lastBody;
}

void FakeBrowser::open(const QUrl &authorizationUrl)
{
    if (m_busy) {
        Q_EMIT failed(QStringLiteral("The browser is still loading the previous page."));
        return;
    }
    m_busy = true;
    m_redirects = 0;
    m_visited.clear();
    m_callbackUrl = QUrl();
    m_lastStatus = 0;
    m_lastBody.clear();
    if (!authorizationUrl.isValid()
        || (authorizationUrl.scheme() != QLatin1String("http")
            && authorizationUrl.scheme() != QLatin1String("https"))) {
        fail(QStringLiteral("The browser cannot open this URL (not http/https)."));
        return;
    }
    get(authorizationUrl);
}

void FakeBrowser::get(const QUrl &url)
{
    m_visited.append(url);
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setHeader(QNetworkRequest::UserAgentHeader,
                      QByteArrayLiteral("Mozilla/5.0 (X11; Linux x86_64) MailKeyFakeBrowser/1.0"));
    request.setRawHeader("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
    QNetworkReply *reply = m_nam->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onReply(reply); });
}

void FakeBrowser::onReply(QNetworkReply *reply)
{
    reply->deleteLater();
    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!statusAttr.isValid()) {
        // No HTTP answer at all: refused, reset, closed without a response, timed out.
        fail(QStringLiteral("Network error: ") + reply->errorString());
        return;
    }
    const int status = statusAttr.toInt();
    const QByteArray body = reply->readAll();
    const QUrl url = reply->url();
    if (status >= 300 && status < 400 && reply->hasRawHeader("Location")) {
        if (++m_redirects > m_maxRedirects) {
            fail(QStringLiteral("Too many redirects."));
            return;
        }
        QUrl target = url.resolved(QUrl::fromEncoded(reply->rawHeader("Location")));
        if (m_rewrite)
            target = m_rewrite(target);
        if (!target.isValid()) {
            fail(QStringLiteral("redirect cancelled"));
            return;
        }
        if (target.scheme() != QLatin1String("http") && target.scheme() != QLatin1String("https")) {
            fail(QStringLiteral("The browser cannot follow a redirect to a non-http URL."));
            return;
        }
        m_callbackUrl = target;
        get(target);
        return;
    }
    finish(status, body, url);
}

void FakeBrowser::finish(int status, const QByteArray &body, const QUrl &url)
{
    m_busy = false;
    m_lastStatus = status;
    m_lastBody = body;
    Q_EMIT finished(status, body, url);
}

void FakeBrowser::fail(const QString &reason)
{
    m_busy = false;
    Q_EMIT failed(reason);
}

} // namespace mailkey::test
