#include "tests/thirdparty/InteractionBrowser.h"

#include "tests/thirdparty/OidcProviderServer.h"

#include <QHostAddress>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>

namespace mailkey::test {

namespace {

constexpr int kMaxSteps = 20;

QString htmlUnescape(QString s)
{
    s.replace(QStringLiteral("&#x2F;"), QStringLiteral("/"));
    s.replace(QStringLiteral("&#47;"), QStringLiteral("/"));
    s.replace(QStringLiteral("&quot;"), QStringLiteral("\""));
    s.replace(QStringLiteral("&#39;"), QStringLiteral("'"));
    s.replace(QStringLiteral("&lt;"), QStringLiteral("<"));
    s.replace(QStringLiteral("&gt;"), QStringLiteral(">"));
    s.replace(QStringLiteral("&amp;"), QStringLiteral("&"));
    return s;
}

bool isLoopback(const QUrl &url)
{
    const QHostAddress address(url.host());
    return url.host() == QLatin1String("localhost") || (!address.isNull() && address.isLoopback());
}

} // namespace

InteractionBrowser::InteractionBrowser(QObject *parent) : QObject(parent)
{
    m_nam.setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
    m_nam.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

void InteractionBrowser::open(const QUrl &authorizationUrl)
{
    if (m_busy) {
        Q_EMIT failed(QStringLiteral("the browser is still busy with the previous sign-in"));
        return;
    }
    m_busy = true;
    m_steps = 0;
    m_authorizationUrl = rewriteAuthorization ? rewriteAuthorization(authorizationUrl) : authorizationUrl;
    get(m_authorizationUrl);
}

void InteractionBrowser::enterUserCode(const QUrl &verificationUri, const QString &userCode)
{
    if (m_busy) {
        Q_EMIT failed(QStringLiteral("the browser is still busy with the previous sign-in"));
        return;
    }
    m_busy = true;
    m_steps = 0;
    m_userCode = userCode;
    m_authorizationUrl = verificationUri;
    get(verificationUri);
}

void InteractionBrowser::get(const QUrl &url)
{
    if (!isLoopback(url)) {
        fail(QStringLiteral("refusing to leave loopback (host %1)").arg(url.host()));
        return;
    }
    track(m_nam.get(QNetworkRequest(url)));
}

void InteractionBrowser::postForm(const QUrl &url, const QByteArray &body)
{
    if (!isLoopback(url)) {
        fail(QStringLiteral("refusing to leave loopback (host %1)").arg(url.host()));
        return;
    }
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/x-www-form-urlencoded"));
    track(m_nam.post(request, body));
}

void InteractionBrowser::track(QNetworkReply *reply)
{
    if (++m_steps > kMaxSteps) {
        reply->abort();
        reply->deleteLater();
        fail(QStringLiteral("more than %1 requests without reaching the app").arg(kMaxSteps));
        return;
    }
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onReply(reply); });
}

void InteractionBrowser::onReply(QNetworkReply *reply)
{
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QUrl url = reply->url();
    const QByteArray body = reply->readAll();
    if (status == 0) {
        fail(
            QStringLiteral("no HTTP answer from %1:%2 (%3)").arg(url.host()).arg(url.port()).arg(reply->errorString()));
        return;
    }
    if (status >= 300 && status < 400) {
        const QUrl location = QUrl::fromEncoded(reply->rawHeader("Location"));
        if (location.isEmpty() || !location.isValid()) {
            fail(QStringLiteral("HTTP %1 without a Location").arg(status));
            return;
        }
        get(url.resolved(location));
        return;
    }
    if (status == 200 && !m_userCode.isEmpty() && url.path().startsWith(QLatin1String("/device"))) {
        // oidc-provider's device pages: the code input form, then the confirmation form; each
        // posts its hidden xsrf value back to its action.
        static const QRegularExpression form(
            QStringLiteral("<form id=\"op\\.(deviceInputForm|deviceConfirmForm)\"[^>]*action=\"([^\"]+)\""));
        static const QRegularExpression xsrf(QStringLiteral("name=\"xsrf\" value=\"([^\"]+)\""));
        const QString html = QString::fromUtf8(body);
        const QRegularExpressionMatch f = form.match(html);
        const QRegularExpressionMatch x = xsrf.match(html);
        if (f.hasMatch() && x.hasMatch()) {
            ++m_deviceFormPages;
            const QUrl submit = url.resolved(QUrl(htmlUnescape(f.captured(2))));
            QList<std::pair<const char *, QString>> fields{{"xsrf", htmlUnescape(x.captured(1))},
                                                           {"user_code", m_userCode}};
            if (f.captured(1) == QLatin1String("deviceConfirmForm"))
                fields.append({"confirm", QStringLiteral("yes")});
            postForm(submit, OidcProviderServer::formBody(fields));
            return;
        }
    }
    if (status == 200 && url.path().startsWith(QLatin1String("/interaction/"))) {
        static const QRegularExpression action(QStringLiteral("<form[^>]*action=\"([^\"]+)\"[^>]*method=\"post\""));
        static const QRegularExpression prompt(QStringLiteral("name=\"prompt\" value=\"([a-z]+)\""));
        const QString html = QString::fromUtf8(body);
        const QRegularExpressionMatch a = action.match(html);
        const QRegularExpressionMatch p = prompt.match(html);
        if (a.hasMatch() && p.hasMatch()) {
            const QUrl submit = url.resolved(QUrl(htmlUnescape(a.captured(1))));
            if (p.captured(1) == QLatin1String("login")) {
                ++m_loginPages;
                postForm(submit, OidcProviderServer::formBody({{"prompt", QStringLiteral("login")},
                                                               {"login", login},
                                                               {"password", QStringLiteral("any password will do")}}));
                return;
            }
            if (p.captured(1) == QLatin1String("consent")) {
                ++m_consentPages;
                postForm(submit, OidcProviderServer::formBody({{"prompt", QStringLiteral("consent")}}));
                return;
            }
        }
    }
    end(status, url, body);
}

void InteractionBrowser::end(int status, const QUrl &url, const QByteArray &body)
{
    m_busy = false;
    m_userCode.clear();
    m_lastStatus = status;
    m_lastUrl = url;
    m_lastBody = body;
    Q_EMIT finished(status, url);
}

void InteractionBrowser::fail(const QString &reason)
{
    m_busy = false;
    m_userCode.clear();
    Q_EMIT failed(reason);
}

} // namespace mailkey::test
